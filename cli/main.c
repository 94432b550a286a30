/* SPDX-License-Identifier: MIT */
/* main(): the command line (check, explain, list) over the host, facts, checks and report layers. */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "vmdoctor/check.h"
#include "vmdoctor/codes.h"
#include "vmdoctor/facts.h"
#include "vmdoctor/host.h"
#include "vmdoctor/playbook.h"
#include "vmdoctor/report.h"

#ifndef VMDOCTOR_VERSION
#define VMDOCTOR_VERSION "0.0.0"
#endif
#ifndef VMDOCTOR_PLAYBOOK_DIR
#define VMDOCTOR_PLAYBOOK_DIR "/usr/share/vmdoctor/playbooks"
#endif


static const char usage_text[] =
	"Usage: vmdoctor [COMMAND] [OPTIONS]\n"
	"Find out why virtual machines will not run on this Linux host, and what to do.\n"
	"\n"
	"Commands:\n"
	"  check                   run every check and report (the default)\n"
	"  check --playbook ID     walk a playbook (a symptom's decision tree) instead\n"
	"  explain CODE            explain a finding code, e.g. CPU-VT-DISABLED\n"
	"  list checks|codes|playbooks   list the checks, finding codes or playbooks\n"
	"  lint FILE...            validate playbook files\n"
	"\n"
	"Options:\n"
	"  --format text|json      output format (list codes also takes md)\n"
	"  --snapshot DIR          diagnose a snapshot directory instead of this host\n"
	"  --libvirt-uri URI       the libvirt connection to check (default qemu:///system)\n"
	"  --answer STEP=VALUE     answer a playbook question (repeatable)\n"
	"  --playbooks DIR         also load the playbooks of DIR (repeatable)\n"
	"  --no-color              no colours (also when NO_COLOR is set)\n"
	"  --version               print the version\n"
	"  -h, --help              this help\n"
	"\n"
	"Exit status of check: 0 nothing wrong, 1 warnings or something could not be\n"
	"determined, 2 failures, 3 vmdoctor could not run (including bad usage).\n"
	"lint exits 0 when every file is valid, 1 when not.\n";

int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("vmdoctor: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs(" (see vmdoctor --help)\n", stderr);
	va_end(ap);
	return EXIT_COULD_NOT_RUN;
}

bool want_color(const struct options *o)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	if (o->no_color || (no_color && no_color[0]))
		return false;
	if (!term || strcmp(term, "dumb") == 0)
		return false;
	return isatty(STDOUT_FILENO);
}

unsigned text_width(void)
{
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col < 100 ? ws.ws_col : 100;
	return 80;
}

int open_host(const struct options *o, struct host **host)
{
	int rc = o->snapshot ? host_open_snapshot(o->snapshot, host) : host_open_live(host);
	if (rc < 0)
		fprintf(stderr, "vmdoctor: %s\n", host_open_error());
	return rc;
}

/* The shipped playbooks, then those of --playbooks; every load error goes to stderr as one line. */
void load_playbooks(const struct options *o, struct playbook_set *set)
{
	memset(set, 0, sizeof *set);
	playbook_set_load(set, VMDOCTOR_PLAYBOOK_DIR);
	for (int i = 0; i < o->n_playbook_dirs; i++)
		playbook_set_load(set, o->playbook_dirs[i]);
	for (size_t i = 0; i < set->n_errors; i++)
		fprintf(stderr, "vmdoctor: %s\n", set->errors[i]);
}

int write_report(const struct options *o, const struct facts *facts, const struct check_report *report,
			const struct playbook_run *run)
{
	int rc;
	if (o->format == FORMAT_JSON) {
		rc = report_write_json(stdout, facts, report, run);
	} else {
		struct report_options ro = { .color = want_color(o), .width = text_width() };
		rc = report_write_text(stdout, facts, report, run, &ro);
	}
	if (rc < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "vmdoctor: check: could not write the report to standard output: %s\n",
			strerror(errno ? errno : EIO));
		return EXIT_COULD_NOT_RUN;
	}
	return check_report_exit_code(report);
}

/* check --playbook ID: walk it without a person, answers from --answer, detection, or the first answer. */
static int check_playbook(const struct options *o, const struct facts *facts)
{
	struct playbook_set set;
	load_playbooks(o, &set);
	const struct playbook *pb = playbook_find(&set, o->playbook);
	if (!pb) {
		fprintf(stderr, "vmdoctor: check: no playbook '%s' (vmdoctor list playbooks)\n", o->playbook);
		playbook_set_free(&set);
		return EXIT_COULD_NOT_RUN;
	}
	struct playbook_run run;
	playbook_run_start(&run, pb, facts);
	int exit_code;
	if (playbook_run_auto(&run, o->answers, (size_t)o->n_answers) < 0) {
		fprintf(stderr, "vmdoctor: check: %s\n", run.error);
		exit_code = EXIT_COULD_NOT_RUN;
	} else {
		exit_code = write_report(o, facts, &run.report, &run);
	}
	playbook_run_free(&run);
	playbook_set_free(&set);
	return exit_code;
}

int cmd_check(const struct options *o)
{
	if (o->n_args)
		return usage_error("check: unexpected argument '%s'", o->args[0]);
	if (o->format == FORMAT_MD)
		return usage_error("check: --format %s is only for list codes", "md");
	if (o->n_answers && !o->playbook)
		return usage_error("check: --answer needs --playbook");
	struct host *host;
	if (open_host(o, &host) < 0)
		return EXIT_COULD_NOT_RUN;
	struct facts facts;
	facts_collect(host, &facts);
	int exit_code;
	if (o->playbook) {
		exit_code = check_playbook(o, &facts);
	} else {
		struct check_report report;
		check_run_all(&facts, &report);
		exit_code = write_report(o, &facts, &report, NULL);
		check_report_free(&report);
	}
	facts_free(&facts);
	host_close(host);
	return exit_code;
}

/* The checks that can report `code`, comma separated. */
static void checks_reporting(const char *code, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < check_table_count; i++)
		for (const char *const *c = check_table[i].codes; *c; c++)
			if (strcmp(*c, code) == 0)
				snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? ", " : "",
					 check_table[i].id);
}

static void print_needs(FILE *out, unsigned needs)
{
	bool any = false;
	for (unsigned bit = 1; bit && bit <= needs; bit <<= 1) {
		if (!(needs & bit) || !code_need_name(bit))
			continue;
		fprintf(out, "%s%s", any ? ", " : "", code_need_name(bit));
		any = true;
	}
	fputs(any ? "\n" : "nothing\n", out);
}

static int cmd_explain(const struct options *o)
{
	if (o->n_args != 1)
		return usage_error("explain: %s", o->n_args ? "takes one code" : "which code? e.g. CPU-VT-DISABLED");
	const struct code_info *info = code_find(o->args[0]);
	if (!info) {
		fprintf(stderr, "vmdoctor: explain: unknown code '%s' (vmdoctor list codes shows them all)\n",
			o->args[0]);
		return EXIT_COULD_NOT_RUN;
	}
	char checks[256];
	checks_reporting(info->code, checks, sizeof checks);
	printf("%s: %s\n\n%s\n\nWhat to do:\n", info->code, info->title, info->explanation);
	for (const char *line = info->fix; *line;) {
		size_t n = strcspn(line, "\n");
		printf("  %.*s\n", (int)n, line);
		line += n + (line[n] == '\n');
	}
	printf("\nNeeds: ");
	print_needs(stdout, info->needs);
	printf("Group: %s\n", info->group);
	printf("Reported by: %s\n", checks[0] ? checks : "no check yet (later versions of vmdoctor)");
	for (size_t i = 0; i < CODE_MAX_DOCS && info->docs[i]; i++)
		printf("%s %s\n", i ? "     " : "More:", info->docs[i]);
	return EXIT_OK;
}

static int print_json(json_t *value)
{
	int rc = value ? json_dumpf(value, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : -1;
	json_decref(value);
	putchar('\n');
	return rc == 0 ? EXIT_OK : EXIT_COULD_NOT_RUN;
}

static int list_checks(const struct options *o)
{
	if (o->format == FORMAT_JSON) {
		json_t *list = json_array();
		for (size_t i = 0; i < check_table_count; i++) {
			json_t *codes = json_array();
			for (const char *const *c = check_table[i].codes; *c; c++)
				json_array_append_new(codes, json_string(*c));
			json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "id", check_table[i].id, "title",
							      check_table[i].title, "codes", codes));
		}
		return print_json(list);
	}
	for (size_t i = 0; i < check_table_count; i++)
		printf("%-16s %s\n", check_table[i].id, check_table[i].title);
	return EXIT_OK;
}

static json_t *code_json(const struct code_info *c, const char *checks)
{
	json_t *needs = json_array();
	for (unsigned bit = 1; bit && bit <= c->needs; bit <<= 1)
		if ((c->needs & bit) && code_need_name(bit))
			json_array_append_new(needs, json_string(code_need_name(bit)));
	json_t *docs = json_array();
	for (size_t i = 0; i < CODE_MAX_DOCS && c->docs[i]; i++)
		json_array_append_new(docs, json_string(c->docs[i]));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o}", "code", c->code, "group", c->group, "title",
			 c->title, "explanation", c->explanation, "fix", c->fix, "needs", needs, "checks", checks,
			 "docs", docs);
}

static int list_codes(const struct options *o)
{
	json_t *list = o->format == FORMAT_JSON ? json_array() : NULL;
	for (size_t i = 0; i < code_table_count; i++) {
		const struct code_info *c = &code_table[i];
		char checks[256];
		checks_reporting(c->code, checks, sizeof checks);
		switch (o->format) {
		case FORMAT_JSON:
			json_array_append_new(list, code_json(c, checks));
			break;
		case FORMAT_MD:
			if (i == 0 || strcmp(code_table[i - 1].group, c->group) != 0)
				printf("%s## %s\n\n", i ? "\n" : "# vmdoctor finding codes\n\n", c->group);
			printf("### %s\n\n%s.\n\n%s\n\nWhat to do:\n\n", c->code, c->title, c->explanation);
			for (const char *line = c->fix; *line;) {
				size_t len = strcspn(line, "\n");
				printf("- %.*s\n", (int)len, line);
				line += len + (line[len] == '\n');
			}
			printf("\nNeeds: ");
			print_needs(stdout, c->needs);
			printf("\nReported by: %s.\n", checks[0] ? checks : "no check yet");
			for (size_t d = 0; d < CODE_MAX_DOCS && c->docs[d]; d++)
				printf("%s<%s>\n", d ? "" : "\nMore: ", c->docs[d]);
			putchar('\n');
			break;
		case FORMAT_TEXT:
			printf("%-26s %s\n", c->code, c->title);
			break;
		}
	}
	return list ? print_json(list) : EXIT_OK;
}

static int by_order(const void *a, const void *b)
{
	const struct playbook *x = *(const struct playbook *const *)a, *y = *(const struct playbook *const *)b;
	return x->order != y->order ? (x->order > y->order) - (x->order < y->order) : strcmp(x->id, y->id);
}

static int list_playbooks(const struct options *o)
{
	struct playbook_set set;
	load_playbooks(o, &set);
	/* Most common symptom first, as the wizard lists them. */
	qsort(set.items, set.count, sizeof *set.items, by_order);
	int rc = EXIT_OK;
	if (o->format == FORMAT_JSON) {
		json_t *list = json_array();
		for (size_t i = 0; i < set.count; i++)
			json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "id", set.items[i]->id, "title",
							      set.items[i]->title, "summary", set.items[i]->summary,
							      "file", set.items[i]->file));
		rc = print_json(list);
	} else {
		for (size_t i = 0; i < set.count; i++)
			printf("%-18s %s\n", set.items[i]->id, set.items[i]->title);
	}
	playbook_set_free(&set);
	return rc;
}

static int cmd_lint(const struct options *o)
{
	if (o->n_args == 0)
		return usage_error("lint: which playbook files?");
	int invalid = 0;
	for (int i = 0; i < o->n_args; i++) {
		struct playbook_set set = { 0 };
		playbook_set_load(&set, o->args[i]);
		for (size_t e = 0; e < set.n_errors; e++)
			printf("%s\n", set.errors[e]);
		if (set.n_errors)
			invalid++;
		else
			for (size_t p = 0; p < set.count; p++)
				printf("%s: ok (%s, %zu steps)\n", set.items[p]->file, set.items[p]->id,
				       set.items[p]->n_steps);
		playbook_set_free(&set);
	}
	return invalid ? 1 : EXIT_OK;
}

static int cmd_list(const struct options *o)
{
	if (o->n_args != 1)
		return usage_error("list: what? checks, codes, playbooks or fixes");
	if (strcmp(o->args[0], "checks") == 0) {
		if (o->format == FORMAT_MD)
			return usage_error("list checks: --format %s is only for list codes", "md");
		return list_checks(o);
	}
	if (strcmp(o->args[0], "codes") == 0)
		return list_codes(o);
	if (strcmp(o->args[0], "playbooks") == 0)
		return list_playbooks(o);
	if (strcmp(o->args[0], "fixes") == 0)
		return cmd_list_fixes(o);
	return usage_error("list: unknown list '%s' (checks, codes, playbooks or fixes)", o->args[0]);
}

static int parse_format(const char *value, struct options *o)
{
	static const struct {
		const char *name;
		enum format format;
	} formats[] = { { "text", FORMAT_TEXT }, { "json", FORMAT_JSON }, { "md", FORMAT_MD } };
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		if (strcmp(value, formats[i].name) == 0) {
			o->format = formats[i].format;
			o->format_given = true;
			return 0;
		}
	}
	return -1;
}

static const struct {
	const char *name;
	int (*run)(const struct options *o);
} commands[] = {
	{ "check", cmd_check },
	{ "explain", cmd_explain },
	{ "list", cmd_list },
	{ "lint", cmd_lint },
	{ "fix", cmd_fix },
	{ "undo", cmd_undo },
	{ "history", cmd_history },
	{ "bundle", cmd_bundle },
};

int main(int argc, char **argv)
{
	struct options o = { 0 };
	int (*run)(const struct options *) = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_text, stdout);
			return EXIT_OK;
		} else if (strcmp(a, "--version") == 0) {
			printf("vmdoctor %s\n", VMDOCTOR_VERSION);
			return EXIT_OK;
		} else if (strcmp(a, "--yes") == 0 || strcmp(a, "-y") == 0) {
			o.yes = true;
		} else if (strcmp(a, "--dry-run") == 0) {
			o.dry_run = true;
		} else if (strcmp(a, "--no-redact") == 0) {
			o.no_redact = true;
		} else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 || strcmp(a, "--compress") == 0 ||
			   strcmp(a, "--max-size") == 0) {
			const char *v = i + 1 < argc ? argv[++i] : NULL;
			if (!v || !v[0])
				return usage_error("%s needs a value", a);
			if (strcmp(a, "--compress") == 0)
				o.compress = v;
			else if (strcmp(a, "--max-size") == 0)
				o.max_size = v;
			else
				o.output = v;
		} else if (strcmp(a, "--no-color") == 0) {
			o.no_color = true;
		} else if (strcmp(a, "--format") == 0 || strncmp(a, "--format=", 9) == 0) {
			const char *v = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v || parse_format(v, &o) < 0)
				return usage_error("--format takes text, json or md, not '%s'", v ? v : "");
		} else if (strcmp(a, "--libvirt-uri") == 0 || strncmp(a, "--libvirt-uri=", 14) == 0) {
			const char *v = a[13] == '=' ? a + 14 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v || !v[0])
				return usage_error("--libvirt-uri needs a URI, e.g. qemu:///session");
			facts_set_libvirt_uri(v);
		} else if (strcmp(a, "--snapshot") == 0 || strncmp(a, "--snapshot=", 11) == 0) {
			const char *v = a[10] == '=' ? a + 11 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v || !v[0])
				return usage_error("--snapshot needs a directory");
			o.snapshot = v;
		} else if (strcmp(a, "--playbook") == 0 || strcmp(a, "--answer") == 0 || strcmp(a, "--playbooks") == 0) {
			const char *v = i + 1 < argc ? argv[++i] : NULL;
			if (!v || !v[0])
				return usage_error("%s needs a value", a);
			if (strcmp(a, "--playbook") == 0)
				o.playbook = v;
			else if (strcmp(a, "--answer") == 0 && o.n_answers < MAX_ANSWERS)
				o.answers[o.n_answers++] = v;
			else if (strcmp(a, "--playbooks") == 0 && o.n_playbook_dirs < MAX_PLAYBOOK_DIRS)
				o.playbook_dirs[o.n_playbook_dirs++] = v;
			else
				return usage_error("too many %s options", a);
		} else if (a[0] == '-' && a[1]) {
			return usage_error("unknown option '%s'", a);
		} else if (!run) {
			for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
				if (strcmp(a, commands[c].name) == 0)
					run = commands[c].run;
			if (!run)
				return usage_error("unknown command '%s'", a);
		} else if (o.n_args < (int)(sizeof o.args / sizeof o.args[0])) {
			o.args[o.n_args++] = a;
		} else {
			return usage_error("too many arguments at '%s'", a);
		}
	}
	/* vmdoctor alone: the wizard on a terminal, otherwise the same as check (DESIGN.md). */
	if (!run)
		run = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) ? cmd_wizard : cmd_check;
	return run(&o);
}
