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

#include "vmdoctor/check.h"
#include "vmdoctor/codes.h"
#include "vmdoctor/facts.h"
#include "vmdoctor/host.h"
#include "vmdoctor/report.h"

#ifndef VMDOCTOR_VERSION
#define VMDOCTOR_VERSION "0.0.0"
#endif

/* Exit codes of DESIGN.md: 0 ok, 1 warnings, 2 failures, 3 could not run (also bad usage). */
enum { EXIT_OK = 0, EXIT_COULD_NOT_RUN = 3 };

enum format { FORMAT_TEXT, FORMAT_JSON, FORMAT_MD };

struct options {
	const char *snapshot;
	enum format format;
	bool format_given;
	bool no_color;
	const char *args[4];    /* positional arguments after the command */
	int n_args;
};

static const char usage_text[] =
	"Usage: vmdoctor [COMMAND] [OPTIONS]\n"
	"Find out why virtual machines will not run on this Linux host, and what to do.\n"
	"\n"
	"Commands:\n"
	"  check                   run every check and report (the default)\n"
	"  explain CODE            explain a finding code, e.g. CPU-VT-DISABLED\n"
	"  list checks|codes       list the checks or the finding codes\n"
	"\n"
	"Options:\n"
	"  --format text|json      output format (list codes also takes md)\n"
	"  --snapshot DIR          diagnose a snapshot directory instead of this host\n"
	"  --no-color              no colours (also when NO_COLOR is set)\n"
	"  --version               print the version\n"
	"  -h, --help              this help\n"
	"\n"
	"Exit status of check: 0 nothing wrong, 1 warnings or something could not be\n"
	"determined, 2 failures, 3 vmdoctor could not run (including bad usage).\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("vmdoctor: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs(" (see vmdoctor --help)\n", stderr);
	va_end(ap);
	return EXIT_COULD_NOT_RUN;
}

static bool want_color(const struct options *o)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	if (o->no_color || (no_color && no_color[0]))
		return false;
	if (!term || strcmp(term, "dumb") == 0)
		return false;
	return isatty(STDOUT_FILENO);
}

static unsigned text_width(void)
{
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col < 100 ? ws.ws_col : 100;
	return 80;
}

static int open_host(const struct options *o, struct host **host)
{
	int rc = o->snapshot ? host_open_snapshot(o->snapshot, host) : host_open_live(host);
	if (rc < 0)
		fprintf(stderr, "vmdoctor: %s\n", host_open_error());
	return rc;
}

static int cmd_check(const struct options *o)
{
	if (o->n_args)
		return usage_error("check: unexpected argument '%s'", o->args[0]);
	if (o->format == FORMAT_MD)
		return usage_error("check: --format %s is only for list codes", "md");
	struct host *host;
	if (open_host(o, &host) < 0)
		return EXIT_COULD_NOT_RUN;
	struct facts facts;
	facts_collect(host, &facts);
	struct check_report report;
	check_run_all(&facts, &report);
	int rc;
	if (o->format == FORMAT_JSON) {
		rc = report_write_json(stdout, &facts, &report);
	} else {
		struct report_options ro = { .color = want_color(o), .width = text_width() };
		rc = report_write_text(stdout, &facts, &report, &ro);
	}
	int exit_code = check_report_exit_code(&report);
	check_report_free(&report);
	facts_free(&facts);
	host_close(host);
	if (rc < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "vmdoctor: check: could not write the report to standard output: %s\n",
			strerror(errno ? errno : EIO));
		return EXIT_COULD_NOT_RUN;
	}
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
			printf("### %s\n\n%s.\n\n%s\n\nReported by: %s.\n\n", c->code, c->title, c->explanation,
			       checks[0] ? checks : "no check yet");
			break;
		case FORMAT_TEXT:
			printf("%-26s %s\n", c->code, c->title);
			break;
		}
	}
	return list ? print_json(list) : EXIT_OK;
}

static int cmd_list(const struct options *o)
{
	if (o->n_args != 1)
		return usage_error("list: what? checks or codes");
	if (strcmp(o->args[0], "checks") == 0) {
		if (o->format == FORMAT_MD)
			return usage_error("list checks: --format %s is only for list codes", "md");
		return list_checks(o);
	}
	if (strcmp(o->args[0], "codes") == 0)
		return list_codes(o);
	return usage_error("list: unknown list '%s' (checks or codes)", o->args[0]);
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
		} else if (strcmp(a, "--no-color") == 0) {
			o.no_color = true;
		} else if (strcmp(a, "--format") == 0 || strncmp(a, "--format=", 9) == 0) {
			const char *v = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v || parse_format(v, &o) < 0)
				return usage_error("--format takes text, json or md, not '%s'", v ? v : "");
		} else if (strcmp(a, "--snapshot") == 0 || strncmp(a, "--snapshot=", 11) == 0) {
			const char *v = a[10] == '=' ? a + 11 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v || !v[0])
				return usage_error("--snapshot needs a directory");
			o.snapshot = v;
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
	/* Until the wizard exists, vmdoctor alone runs check. */
	return run ? run(&o) : cmd_check(&o);
}
