/* SPDX-License-Identifier: MIT */
/* Reports: report JSON (format v1, docs/report-format.md) and the 80-column text report. */
#include "vmdoctor/report.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "vmdoctor/codes.h"
#include "vmdoctor/virt.h"
#include "vmdoctor/xalloc.h"

#ifndef VMDOCTOR_VERSION
#define VMDOCTOR_VERSION "0.0.0"
#endif

const char *report_guest_of(const struct facts *facts)
{
	struct virt_guest g;
	virt_detect_guest(facts, &g);
	return g.is_guest ? g.id : NULL;
}

char *report_host_line(const struct facts *facts)
{
	struct virt_guest g;
	virt_detect_guest(facts, &g);
	const char *cpu = !facts->cpu.err && facts->cpu.brand[0] ? facts->cpu.brand
			  : !facts->cpu.err				? facts->cpu.vendor_str
									: "unknown CPU";
	char machine[270] = "";
	if (!facts->dmi.err && facts->dmi.sys_vendor[0])
		snprintf(machine, sizeof machine, "%s %s, ", facts->dmi.sys_vendor, facts->dmi.product_name);
	return xasprintf("%s%s, kernel %s%s%s", machine, cpu, facts->kernel.err ? "unknown" : facts->kernel.release,
			 g.is_guest ? ", guest of " : "", g.is_guest ? g.name : "");
}

/* ---- JSON ---- */

static json_t *jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *host_json(const struct facts *facts)
{
	struct virt_cpu cpu;
	virt_assess_cpu(facts, &cpu);
	json_t *virt = json_pack("{s:o, s:b, s:b, s:b, s:o}", "guest_of", jstr_or_null(report_guest_of(facts)),
				 "vmx", !facts->cpu.err && facts->cpu.vmx, "svm", !facts->cpu.err && facts->cpu.svm,
				 "kvm_works", cpu.kvm_works, "kvm_module", jstr_or_null(virt_kvm_vendor_module(facts)));
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:[]}", "kernel",
			 jstr_or_null(facts->kernel.err ? NULL : facts->kernel.release), "cpu",
			 jstr_or_null(facts->cpu.err ? NULL : facts->cpu.brand[0] ? facts->cpu.brand
										   : facts->cpu.vendor_str),
			 "machine", jstr_or_null(facts->dmi.err ? NULL : facts->dmi.product_name), "virtualization", virt,
			 "source", json_string(facts->from_snapshot ? "snapshot" : "live"), "products");
}

static char *explanation_of(const struct check_result *r, const struct code_info *info)
{
	const char *base = info ? info->explanation : "";
	if (!r->detail)
		return xstrdup(base);
	return xasprintf("%s%s%s", base, base[0] ? " " : "", r->detail);
}

static json_t *result_json(const struct check_result *r)
{
	const struct code_info *info = r->code ? code_find(r->code) : NULL;
	json_t *evidence = json_array();
	for (size_t i = 0; i < r->n_evidence; i++)
		json_array_append_new(evidence, json_pack("{s:s, s:s}", "source", r->evidence[i].source, "text",
							  r->evidence[i].text));
	json_t *docs = json_array();
	for (size_t i = 0; info && i < CODE_MAX_DOCS && info->docs[i]; i++)
		json_array_append_new(docs, json_string(info->docs[i]));
	char *explanation = explanation_of(r, info);
	json_t *obj = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:[], s:o}", "check", r->check->id,
				"status", check_status_name(r->status), "code", jstr_or_null(r->code), "title",
				info ? info->title : r->check->title, "summary", r->summary, "explanation",
				explanation, "action", jstr_or_null(r->action), "evidence", evidence, "fixes",
				"docs", docs);
	free(explanation);
	return obj;
}

static json_t *answers_json(const struct playbook_run *run)
{
	json_t *answers = json_object();
	for (size_t i = 0; run && i < run->n_answers; i++)
		json_object_set_new(answers, run->answers[i].step,
				    json_pack("{s:s, s:s}", "value", run->answers[i].value, "source",
					      playbook_answer_source_name(run->answers[i].source)));
	return answers;
}

static json_t *path_json(const struct playbook_run *run)
{
	json_t *path = json_array();
	for (size_t i = 0; run && i < run->n_path; i++)
		json_array_append_new(path, json_string(run->path[i]));
	return path;
}

int report_write_json(FILE *out, const struct facts *facts, const struct check_report *report,
		      const struct playbook_run *run)
{
	json_t *results = json_array();
	for (size_t i = 0; i < report->count; i++)
		json_array_append_new(results, result_json(&report->results[i]));
	json_t *counts = json_object();
	for (int s = 0; s < CHECK_STATUS_COUNT; s++)
		json_object_set_new(counts, check_status_name(s), json_integer((json_int_t)report->counts[s]));
	json_t *root = json_pack("{s:s, s:i, s:{s:s, s:s}, s:o, s:o, s:o, s:o, s:o, s:o, s:i}", "format",
				 "vmdoctor-report", "version", 1, "tool", "name", "vmdoctor", "version",
				 VMDOCTOR_VERSION, "host", host_json(facts), "playbook",
				 run ? json_string(run->pb->id) : json_null(), "answers", answers_json(run), "path",
				 path_json(run), "results", results, "counts", counts, "exit_code",
				 check_report_exit_code(report));
	if (!root)
		return -ENOMEM;
	int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (rc == 0 && fputc('\n', out) == EOF)
		rc = -1;
	return rc == 0 && !ferror(out) ? 0 : -EIO;
}

/* ---- text ---- */

/* Worst first, the order a helpdesk agent reads them in. */
static const enum check_status text_order[] = { CHECK_FAIL, CHECK_WARN, CHECK_UNKNOWN, CHECK_INFO, CHECK_PASS,
						CHECK_SKIP };
_Static_assert(sizeof text_order / sizeof text_order[0] == CHECK_STATUS_COUNT, "every status is printed");

static const char *status_color(enum check_status s)
{
	switch (s) {
	case CHECK_FAIL:
		return "\033[1;31m";
	case CHECK_WARN:
	case CHECK_UNKNOWN:
		return "\033[1;33m";
	case CHECK_INFO:
		return "\033[1;34m";
	case CHECK_PASS:
		return "\033[32m";
	default:
		return "";
	}
}

/* Print `text` word-wrapped to `width`, the first line after `first` columns already used, others indented. */
static void wrap(FILE *out, const char *text, unsigned indent, unsigned first, unsigned width)
{
	unsigned col = first;
	bool line_start = true;
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		size_t word = strcspn(p, " ");
		if (!word)
			break;
		if (!line_start && col + 1 + word > width) {
			fprintf(out, "\n%*s", (int)indent, "");
			col = indent;
			line_start = true;
		} else if (!line_start) {
			fputc(' ', out);
			col++;
		}
		/* A word longer than the line (a long path) is broken across lines, never pushed past the edge. */
		size_t room = width > col ? width - col : 1;
		while (word > room) {
			fprintf(out, "%.*s\n%*s", (int)room, p, (int)indent, "");
			p += room;
			word -= room;
			col = indent;
			room = width > col ? width - col : 1;
		}
		fprintf(out, "%.*s", (int)word, p);
		col += (unsigned)word;
		line_start = false;
		p += word;
	}
	fputc('\n', out);
}

/* One piece of evidence, wrapped, and cut after three lines: the JSON report has it whole. */
static void evidence_line(FILE *out, const struct check_evidence *e, unsigned width, bool first)
{
	enum { INDENT = 12, MAX_LINES = 3 };
	char line[512];
	size_t room = (size_t)(width - INDENT) * MAX_LINES - 4;
	if (room >= sizeof line)
		room = sizeof line - 1;
	int n = snprintf(line, room + 1, "%s: %s", e->source, e->text);
	if (n > 0 && (size_t)n > room)
		memcpy(line + room - 3, "...", 4);
	for (char *c = line; *c; c++)
		if (*c == '\t' || *c == '\n' || *c == '\r')
			*c = ' ';
	fputs(first ? "      seen: " : "            ", out);
	wrap(out, line, INDENT + 2, INDENT, width);
}

static void text_result(FILE *out, const struct check_result *r, const struct report_options *opts,
			unsigned width)
{
	const char *label = check_status_label(r->status);
	if (opts->color)
		fprintf(out, "%s%-4s\033[0m  ", status_color(r->status), label);
	else
		fprintf(out, "%-4s  ", label);
	char head[160];
	snprintf(head, sizeof head, "%s%s%s", r->code ? r->code : "", r->code ? "  " : "", r->check->id);
	fputs(head, out);
	fputc('\n', out);
	fputs("      ", out);
	wrap(out, r->summary, 6, 6, width);
	bool detailed = r->status == CHECK_FAIL || r->status == CHECK_WARN || r->status == CHECK_UNKNOWN ||
			r->status == CHECK_INFO;
	if (!detailed)
		return;
	for (size_t i = 0; i < r->n_evidence; i++)
		evidence_line(out, &r->evidence[i], width, i == 0);
	if (r->action) {
		fputs("      do:   ", out);
		wrap(out, r->action, 12, 12, width);
	}
}

/* "Playbook: My VM won't start; answers: which-program = vmware (detected)". */
static void text_playbook(FILE *out, const struct playbook_run *run, unsigned width)
{
	char *line = xasprintf("%s (%s)%s", run->pb->title, run->pb->id, run->n_answers ? "; answers:" : "");
	for (size_t i = 0; i < run->n_answers; i++) {
		char *more = xasprintf("%s %s = %s (%s)%s", line, run->answers[i].step, run->answers[i].value,
				       playbook_answer_source_name(run->answers[i].source),
				       i + 1 < run->n_answers ? "," : "");
		free(line);
		line = more;
	}
	fputs("playbook: ", out);
	wrap(out, line, 10, 10, width);
	free(line);
}

int report_write_text(FILE *out, const struct facts *facts, const struct check_report *report,
		      const struct playbook_run *run, const struct report_options *opts)
{
	unsigned width = opts->width ? opts->width : 80;
	if (width < 40)
		width = 40;
	char *host = report_host_line(facts);
	fputs("vmdoctor: ", out);
	wrap(out, host, 10, 10, width);
	free(host);
	if (facts->from_snapshot)
		fputs("(a snapshot of another machine, not this one)\n", out);
	if (run)
		text_playbook(out, run, width);
	fputc('\n', out);
	for (size_t o = 0; o < CHECK_STATUS_COUNT; o++)
		for (size_t i = 0; i < report->count; i++)
			if (report->results[i].status == text_order[o])
				text_result(out, &report->results[i], opts, width);
	const size_t *c = report->counts;
	fprintf(out, "\n%zu failed, %zu warnings, %zu unknown, %zu info, %zu passed, %zu skipped\n", c[CHECK_FAIL],
		c[CHECK_WARN], c[CHECK_UNKNOWN], c[CHECK_INFO], c[CHECK_PASS], c[CHECK_SKIP]);
	for (size_t i = 0; i < report->count; i++) {
		if (report->results[i].code && report->results[i].status >= CHECK_WARN) {
			fprintf(out, "More about a finding: vmdoctor explain %s\n", report->results[i].code);
			break;
		}
	}
	return ferror(out) ? -EIO : 0;
}
