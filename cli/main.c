/* SPDX-License-Identifier: MIT */
/* main(): the command line (check, explain, list) over the host, facts, checks and report layers. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
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
#ifndef VMDOCTOR_PLAYBOOK_RELDIR
#define VMDOCTOR_PLAYBOOK_RELDIR "../share/vmdoctor/playbooks"
#endif
#ifndef VMDOCTOR_LOCAL_PLAYBOOK_DIR
#define VMDOCTOR_LOCAL_PLAYBOOK_DIR "/etc/vmdoctor/playbooks.d"
#endif


/* The help texts: `vmdoctor --help` and `vmdoctor COMMAND --help`. man/vmdoctor.1 documents the same options;
 * tests/packaging/man.sh fails when one names an option the other does not. */
static const char usage_text[] =
	"Usage: vmdoctor [COMMAND] [OPTIONS]\n"
	"Find out why virtual machines will not run on this Linux host, and what to do.\n"
	"Without a command: the wizard on a terminal, otherwise the same as check.\n"
	"\n"
	"Commands:\n"
	"  check                   run every check and report (the default)\n"
	"  check --playbook ID     walk a playbook (a symptom's decision tree) instead\n"
	"  explain CODE            explain a finding code, e.g. CPU-VT-DISABLED\n"
	"  list checks|codes|playbooks|fixes   list the checks, codes, playbooks or fixes\n"
	"  lint FILE...            validate playbook files\n"
	"  fix CODE|FIX-ID         show the plan of a fix, apply it after consent, re-check\n"
	"  history                 list the fix runs recorded\n"
	"  undo [RUN-ID]           revert the last (or the named) fix run\n"
	"  bundle                  write a support bundle (an archive for check --snapshot)\n"
	"\n"
	"Options (vmdoctor COMMAND --help says which a command takes):\n"
	"  --format FORMAT         text or json (list codes also md and man)\n"
	"  --snapshot PATH         diagnose a snapshot or bundle, not this host\n"
	"  --libvirt-uri URI       the libvirt connection to check (default qemu:///system)\n"
	"  --playbook ID           check: walk this playbook\n"
	"  --answer STEP=VALUE     check: answer a playbook question (repeatable)\n"
	"  --playbooks DIR         also load the playbooks of DIR (repeatable)\n"
	"  --dry-run               fix: show the plan only\n"
	"  -y, --yes               fix, undo: do not ask for confirmation\n"
	"  -o, --output FILE       bundle: the archive to write\n"
	"  --compress METHOD       bundle: gzip, zstd or xz\n"
	"  --max-size SIZE         bundle: bound the files collected, e.g. 25M\n"
	"  --no-redact             bundle: keep names, addresses and secrets\n"
	"  --no-color              no colours (also when NO_COLOR is set)\n"
	"  --version               print the version\n"
	"  -h, --help              this help\n"
	"\n"
	"Exit status of check: 0 nothing wrong, 1 warnings or something could not be\n"
	"determined, 2 failures, 3 vmdoctor could not run (including bad usage).\n"
	"lint exits 0 when every file is valid, 1 when not. See vmdoctor(1).\n";

static const char help_check[] =
	"Usage: vmdoctor check [--playbook ID [--answer STEP=VALUE]...] [OPTIONS]\n"
	"Run every check on this host (or a snapshot) and report what is wrong.\n"
	"\n"
	"Options:\n"
	"  --playbook ID           walk this playbook instead of running every check\n"
	"  --answer STEP=VALUE     answer a playbook question (repeatable)\n"
	"  --playbooks DIR         also load the playbooks of DIR (repeatable)\n"
	"  --format FORMAT         text or json\n"
	"  --snapshot PATH         diagnose a snapshot or bundle, not this host\n"
	"  --libvirt-uri URI       the libvirt connection to check (default qemu:///system)\n"
	"  --no-color              no colours (also when NO_COLOR is set)\n"
	"\n"
	"Exit status: 0 nothing wrong, 1 warnings or something could not be determined,\n"
	"2 failures, 3 vmdoctor could not run (including bad usage).\n";

static const char help_explain[] =
	"Usage: vmdoctor explain CODE\n"
	"Explain a finding code: what it means, what to do, which checks report it.\n"
	"The codes: vmdoctor list codes.\n";

static const char help_list[] =
	"Usage: vmdoctor list checks|codes|playbooks|fixes [--format FORMAT]\n"
	"List the checks, the finding codes, the playbooks or the fixes.\n"
	"\n"
	"Options:\n"
	"  --format FORMAT         text or json; list codes also md and man\n"
	"  --playbooks DIR         list playbooks: also load the playbooks of DIR (repeatable)\n";

static const char help_lint[] =
	"Usage: vmdoctor lint FILE...\n"
	"Validate playbook files (or folders of them); exit 0 when every one is valid, 1 when not.\n";

static const char help_fix[] =
	"Usage: vmdoctor fix CODE|FIX-ID [--dry-run] [--yes]\n"
	"Show the plan of a fix (vmdoctor list fixes), apply it after consent, then check again.\n"
	"\n"
	"Options:\n"
	"  --dry-run               show the plan only\n"
	"  -y, --yes               apply without asking\n"
	"  --snapshot PATH         plan against a snapshot (with --dry-run only)\n"
	"  --libvirt-uri URI       the libvirt connection to fix (default qemu:///system)\n";

static const char help_history[] =
	"Usage: vmdoctor history\n"
	"List the fix runs recorded in the state folder, oldest first.\n";

static const char help_undo[] =
	"Usage: vmdoctor undo [RUN-ID] [--yes]\n"
	"Revert the last fix run, or the one named (vmdoctor history).\n"
	"\n"
	"Options:\n"
	"  -y, --yes               revert without asking\n";

static const char help_bundle[] =
	"Usage: vmdoctor bundle [-o FILE] [--compress METHOD] [--max-size SIZE] [--no-redact]\n"
	"Write a support bundle: an archive that vmdoctor check --snapshot diagnoses again.\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE       the archive to write\n"
	"  --compress METHOD       gzip (the default), zstd or xz\n"
	"  --max-size SIZE         bound the files collected (default 25M), e.g. 8M, 1G\n"
	"  --no-redact             keep names, addresses and secrets\n"
	"  --snapshot PATH         re-pack a snapshot or bundle, not this host\n"
	"Redacted by default: user, host and real names, addresses, MACs, DMI serials become keyed\n"
	"pseudonyms, hypervisor passwords and keys are removed. The key (redact.key, or\n"
	"VMDOCTOR_REDACT_KEY) and the map back (redaction/SHA256.json) stay in the state folder.\n";

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

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The local folder usually exists and is empty (the package ships it so): only a folder with a playbook in it
 * is loaded. */
static bool has_yaml(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool found = false;
	struct dirent *e;
	while (!found && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		found = e->d_name[0] != '.' && len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0;
	}
	closedir(d);
	return found;
}

/* True when the running binary is the one of the build folder it was compiled in. */
static bool in_build_folder(const char *exe_dir)
{
#ifdef VMDOCTOR_BUILD_DIR
	char build[PATH_MAX];
	return realpath(VMDOCTOR_BUILD_DIR, build) && strcmp(build, exe_dir) == 0;
#else
	(void)exe_dir;
	return false;
#endif
}

/*
 * Where the shipped playbooks are, and whether the local ones of /etc apply. An installed binary looks next to
 * itself (bin/../share/vmdoctor/playbooks), so a tree installed with DESTDIR or moved elsewhere still finds its
 * own; the binary of a build folder reads the source tree, and no local playbooks, so tests do not depend on
 * what this machine has in /etc. The configured path is the last resort.
 */
static bool shipped_playbook_dir(char *out, size_t len)
{
	char exe[PATH_MAX];
	if (realpath("/proc/self/exe", exe)) {
		*strrchr(exe, '/') = '\0';
#ifdef VMDOCTOR_SOURCE_PLAYBOOK_DIR
		if (in_build_folder(exe)) {
			snprintf(out, len, "%s", VMDOCTOR_SOURCE_PLAYBOOK_DIR);
			return false;
		}
#endif
		char near[PATH_MAX + 64], resolved[PATH_MAX];
		snprintf(near, sizeof near, "%s/%s", exe, VMDOCTOR_PLAYBOOK_RELDIR);
		if (realpath(near, resolved) && is_dir(resolved)) {
			snprintf(out, len, "%s", resolved);
			return true;
		}
	}
	snprintf(out, len, "%s", VMDOCTOR_PLAYBOOK_DIR);
	return true;
}

/* The shipped playbooks, the local ones (/etc/vmdoctor/playbooks.d, when it exists), then those of --playbooks;
 * every load error goes to stderr as one line. */
void load_playbooks(const struct options *o, struct playbook_set *set)
{
	memset(set, 0, sizeof *set);
	char shipped[PATH_MAX + 64];
	bool installed = shipped_playbook_dir(shipped, sizeof shipped);
	playbook_set_load(set, shipped);
	if (installed && has_yaml(VMDOCTOR_LOCAL_PLAYBOOK_DIR))
		playbook_set_load(set, VMDOCTOR_LOCAL_PLAYBOOK_DIR);
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

/* Text for roff: backslashes and hyphens escaped (a code or a command must copy as ASCII), and a line that
 * would start with a control character guarded by \\&. A URL may break after each slash (\\:), as
 * hyphenation is off so that codes stay whole. */
static void man_text(FILE *out, const char *text, size_t len)
{
	bool url = strncmp(text, "http", 4) == 0;
	bool line_start = true;
	for (size_t i = 0; i < len && text[i]; i++) {
		char c = text[i];
		if (line_start && (c == '.' || c == '\''))
			fputs("\\&", out);
		if (c == '\\')
			fputs("\\e", out);
		else if (c == '-')
			fputs("\\-", out);
		else
			fputc(c, out);
		if (url && c == '/')
			fputs("\\:", out);
		line_start = c == '\n';
	}
}

static void man_line(FILE *out, const char *macro, const char *text)
{
	fputs(macro, out);
	man_text(out, text, strlen(text));
	fputc('\n', out);
}

/* vmdoctor-codes(7), generated from the code table: man/vmdoctor-codes.7 is this output, checked by a test. */
static void list_codes_man(FILE *out)
{
	fputs(".\\\" Generated by: vmdoctor list codes --format man > man/vmdoctor-codes.7 (do not edit)\n"
	      ".nr HY 0\n"   /* no hyphenation: a code must stay whole */
	      ".TH VMDOCTOR\\-CODES 7 \"\" \"vmdoctor\" \"vmdoctor finding codes\"\n"
	      ".SH NAME\nvmdoctor\\-codes \\- the finding codes of vmdoctor\n"
	      ".SH DESCRIPTION\n"
	      "Every problem vmdoctor reports has a stable code.\n"
	      "A code never changes meaning; \\fBvmdoctor explain\\fR \\fICODE\\fR prints its entry below.\n", out);
	for (size_t i = 0; i < code_table_count; i++) {
		const struct code_info *c = &code_table[i];
		char checks[256];
		checks_reporting(c->code, checks, sizeof checks);
		if (i == 0 || strcmp(code_table[i - 1].group, c->group) != 0)
			man_line(out, ".SH ", c->group);
		man_line(out, ".SS ", c->code);
		man_line(out, "", c->title);
		man_line(out, ".PP\n", c->explanation);
		fputs(".PP\nWhat to do:\n", out);
		for (const char *line = c->fix; *line;) {
			size_t len = strcspn(line, "\n");
			fputs(".IP \\(bu 2\n", out);
			man_text(out, line + strspn(line, " "), len - strspn(line, " "));
			fputc('\n', out);
			line += len + (line[len] == '\n');
		}
		fputs(".PP\nNeeds: ", out);
		print_needs(out, c->needs);
		fputs(".br\nReported by: ", out);
		man_line(out, "", checks[0] ? checks : "no check yet");
		for (size_t d = 0; d < CODE_MAX_DOCS && c->docs[d]; d++)
			man_line(out, d ? ".br\n" : ".br\nMore: ", c->docs[d]);
	}
	fputs(".SH SEE ALSO\n.BR vmdoctor (1)\n", out);
}

static int list_codes(const struct options *o)
{
	if (o->format == FORMAT_MAN) {
		list_codes_man(stdout);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_COULD_NOT_RUN;
	}
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
		case FORMAT_MAN:
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
	} formats[] = { { "text", FORMAT_TEXT }, { "json", FORMAT_JSON }, { "md", FORMAT_MD }, { "man", FORMAT_MAN } };
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
	const char *help;
} commands[] = {
	{ "check", cmd_check, help_check },
	{ "explain", cmd_explain, help_explain },
	{ "list", cmd_list, help_list },
	{ "lint", cmd_lint, help_lint },
	{ "fix", cmd_fix, help_fix },
	{ "undo", cmd_undo, help_undo },
	{ "history", cmd_history, help_history },
	{ "bundle", cmd_bundle, help_bundle },
};

/* --help: the help of the command on the line (before or after --help), else the general one. */
static int print_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
			if (strcmp(argv[i], commands[c].name) == 0) {
				fputs(commands[c].help, stdout);
				return EXIT_OK;
			}
	fputs(usage_text, stdout);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	int (*run)(const struct options *) = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			return print_help(argc, argv);
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
				return usage_error("--format takes text, json, md or man, not '%s'", v ? v : "");
		} else if (strcmp(a, "--libvirt-uri") == 0 || strncmp(a, "--libvirt-uri=", 14) == 0) {
			const char *v = a[13] == '=' ? a + 14 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v || !v[0])
				return usage_error("--libvirt-uri needs a URI, e.g. qemu:///session");
			facts_set_libvirt_uri(v);
		} else if (strcmp(a, "--snapshot") == 0 || strncmp(a, "--snapshot=", 11) == 0) {
			const char *v = a[10] == '=' ? a + 11 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v || !v[0])
				return usage_error("--snapshot needs a snapshot folder or bundle archive");
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
	/* The man page of the codes is a document, like md: no other command writes one. */
	if (o.format == FORMAT_MAN && !(run == cmd_list && o.n_args == 1 && strcmp(o.args[0], "codes") == 0))
		return usage_error("--format man is only for list codes");
	/* vmdoctor alone: the wizard on a terminal, otherwise the same as check (DESIGN.md). */
	if (!run)
		run = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) ? cmd_wizard : cmd_check;
	return run(&o);
}
