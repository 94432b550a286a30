/* SPDX-License-Identifier: MIT */
/* End-to-end tests of the vmdoctor command line: exit codes, JSON, text layout, colour, errors, live host. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmdoctor/check.h"
#include "vmdoctor/codes.h"

#define SNAPSHOTS FIXTURES "/snapshots"

struct output {
	char out[1 << 20];
	char err[1 << 16];
	int status;
};

static void drain(int fd, char *buf, size_t cap, size_t *len)
{
	ssize_t n = read(fd, buf + *len, cap - 1 - *len);
	if (n > 0)
		*len += (size_t)n;
	buf[*len] = '\0';
}

/* Run vmdoctor with `argv` (NULL-terminated, without argv[0]); `env` entries are added with putenv. */
static struct output *run(const char *const *args, const char *const *env, bool on_pty)
{
	/* One static result: a failed assertion ends the test without a leak report hiding the failure. */
	static struct output result;
	struct output *o = &result;
	memset(o, 0, sizeof *o);
	int out[2], err[2], master = -1;
	cr_assert(eq(int, pipe(err), 0));
	pid_t pid;
	if (on_pty) {
		pid = forkpty(&master, NULL, NULL, &(struct winsize){ .ws_row = 24, .ws_col = 80 });
	} else {
		cr_assert(eq(int, pipe(out), 0));
		pid = fork();
	}
	cr_assert(ge(int, pid, 0));
	if (pid == 0) {
		if (!on_pty)
			dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		for (const char *const *e = env; e && *e; e++)
			putenv((char *)*e);
		const char *argv[32] = { VMDOCTOR_BIN };
		for (int i = 0; args[i] && i < 30; i++)
			argv[i + 1] = args[i];
		execv(VMDOCTOR_BIN, (char *const *)argv);
		_exit(127);
	}
	int outfd = on_pty ? master : out[0];
	if (!on_pty)
		close(out[1]);
	close(err[1]);
	size_t olen = 0, elen = 0;
	struct pollfd fds[2] = { { .fd = outfd, .events = POLLIN }, { .fd = err[0], .events = POLLIN } };
	int open_fds = 2;
	while (open_fds > 0 && poll(fds, 2, 20000) > 0) {
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			size_t before = i ? elen : olen;
			if (i)
				drain(fds[i].fd, o->err, sizeof o->err, &elen);
			else
				drain(fds[i].fd, o->out, sizeof o->out, &olen);
			if ((i ? elen : olen) == before) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
	}
	waitpid(pid, &o->status, 0);
	return o;
}

static int exit_of(const struct output *o)
{
	return WIFEXITED(o->status) ? WEXITSTATUS(o->status) : 128 + WTERMSIG(o->status);
}

static json_t *parse(const struct output *o)
{
	json_error_t error;
	json_t *root = json_loads(o->out, 0, &error);
	cr_assert(root != NULL, "not JSON: %s (line %d)\n%s", error.text, error.line, o->out);
	return root;
}

/* The common shape of every report: what scripts and the bundle rely on (docs/report-format.md). */
static void assert_report_shape_n(json_t *root, int exit_code, size_t n_results);

static void assert_report_shape(json_t *root, int exit_code)
{
	assert_report_shape_n(root, exit_code, check_table_count);
}

static void assert_report_shape_n(json_t *root, int exit_code, size_t n_results)
{
	cr_assert(eq(str, (char *)json_string_value(json_object_get(root, "format")), "vmdoctor-report"));
	cr_assert(eq(int, (int)json_integer_value(json_object_get(root, "version")), 1));
	bool host_is_object = json_is_object(json_object_get(root, "host"));
	cr_assert(host_is_object);
	json_t *results = json_object_get(root, "results");
	cr_assert(eq(sz, json_array_size(results), n_results));
	size_t i;
	json_t *r;
	json_array_foreach(results, i, r) {
		const char *status = json_string_value(json_object_get(r, "status"));
		cr_assert(status && check_status_from_name(status) >= 0, "bad status in result %zu", i);
		json_t *code = json_object_get(r, "code");
		bool needs_code = strcmp(status, "info") == 0 || strcmp(status, "warn") == 0 ||
				  strcmp(status, "fail") == 0;
		bool known_code = json_is_string(code) && code_find(json_string_value(code));
		if (needs_code)
			cr_assert(known_code, "result %zu is %s without a known code", i, status);
		cr_assert(json_string_length(json_object_get(r, "summary")) > 0);
		bool has_evidence = json_is_array(json_object_get(r, "evidence"));
		cr_assert(has_evidence);
	}
	cr_assert(eq(int, (int)json_integer_value(json_object_get(root, "exit_code")), exit_code));
}

Test(cli, json_report_of_a_failing_snapshot)
{
	const char *args[] = { "check", "--format", "json", "--snapshot", SNAPSHOTS "/cpu-vt-disabled-msr", NULL };
	struct output *o = run(args, NULL, false);
	cr_assert(eq(int, exit_of(o), 2), "stderr: %s", o->err);
	json_t *root = parse(o);
	assert_report_shape(root, 2);
	json_t *r;
	size_t i;
	bool found = false;
	json_array_foreach(json_object_get(root, "results"), i, r) {
		json_t *code = json_object_get(r, "code");
		if (json_is_string(code) && strcmp(json_string_value(code), "CPU-VT-DISABLED") == 0) {
			found = true;
			cr_expect(gt(sz, json_array_size(json_object_get(r, "evidence")), 0));
			cr_expect(gt(sz, json_string_length(json_object_get(r, "explanation")), 20));
		}
	}
	cr_assert(found, "CPU-VT-DISABLED not in the report");
	json_decref(root);
}

Test(cli, text_report_puts_failures_first_and_fits_80_columns)
{
	const char *args[] = { "check", "--snapshot", SNAPSHOTS "/cpu-vt-disabled-msr", NULL };
	struct output *o = run(args, NULL, false);
	cr_assert(eq(int, exit_of(o), 2));
	cr_assert(strchr(o->out, '\033') == NULL, "colour on a pipe");
	const char *first_status = strstr(o->out, "\n\n");
	cr_assert(first_status != NULL);
	cr_assert(eq(int, strncmp(first_status + 2, "FAIL", 4), 0), "failures must come first:\n%s", o->out);
	cr_assert(strstr(o->out, "do:") != NULL, "no line of what to do:\n%s", o->out);
	for (char *line = o->out; *line;) {
		size_t n = strcspn(line, "\n");
		cr_expect(le(sz, n, 80), "line longer than 80 columns: %.*s", (int)n, line);
		line += n + (line[n] == '\n');
	}
}

Test(cli, colour_only_on_a_terminal_and_never_with_no_color)
{
	const char *args[] = { "check", "--snapshot", SNAPSHOTS "/cpu-vt-disabled-msr", NULL };
	const char *color_env[] = { "TERM=xterm-256color", "NO_COLOR=", NULL };
	struct output *o = run(args, color_env, true);
	cr_assert(strstr(o->out, "\033[") != NULL, "no colour on a terminal:\n%s", o->out);
	const char *plain_env[] = { "TERM=xterm-256color", "NO_COLOR=1", NULL };
	o = run(args, plain_env, true);
	cr_assert(strstr(o->out, "FAIL") != NULL);
	cr_assert(strstr(o->out, "\033[") == NULL, "colour despite NO_COLOR");
}

Test(cli, healthy_snapshot_exits_zero)
{
	const char *args[] = { "check", "--format=json", "--snapshot", SNAPSHOTS "/healthy-intel", NULL };
	struct output *o = run(args, NULL, false);
	cr_assert(eq(int, exit_of(o), 0), "%s", o->out);
	json_t *root = parse(o);
	assert_report_shape(root, 0);
	json_decref(root);
}

Test(cli, bad_input_gives_one_line_and_exit_3)
{
	static const char *const cases[][4] = {
		{ "check", "--snapshot", "/nonexistent/snapshot", NULL },
		{ "--frobnicate", NULL },
		{ "frobnicate", NULL },
		{ "check", "--format", "yaml", NULL },
		{ "explain", "NO-SUCH-CODE", NULL },
		{ "explain", NULL },
		{ "list", "things", NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct output *o = run(cases[i], NULL, false);
		cr_expect(eq(int, exit_of(o), 3), "case %zu: %s", i, o->err);
		cr_expect(eq(int, strncmp(o->err, "vmdoctor: ", 10), 0), "case %zu: %s", i, o->err);
		char *nl = strchr(o->err, '\n');
		cr_expect(nl != NULL && nl[1] == '\0', "case %zu: not one line: %s", i, o->err);
		}
	const char *args[] = { "check", "--snapshot", "/nonexistent/snapshot", NULL };
	struct output *o = run(args, NULL, false);
	cr_expect(strstr(o->err, "/nonexistent/snapshot") != NULL, "the error must name the input: %s", o->err);
}

Test(cli, explain_and_list)
{
	const char *explain[] = { "explain", "cpu-vt-disabled", NULL };
	struct output *o = run(explain, NULL, false);
	cr_assert(eq(int, exit_of(o), 0), "%s", o->err);
	cr_expect(strstr(o->out, "CPU-VT-DISABLED") != NULL);
	cr_expect(strstr(o->out, "cpu.hwvirt") != NULL, "explain names the check:\n%s", o->out);

	const char *codes[] = { "list", "codes", "--format", "json", NULL };
	o = run(codes, NULL, false);
	cr_assert(eq(int, exit_of(o), 0));
	json_t *root = parse(o);
	cr_expect(eq(sz, json_array_size(root), code_table_count));
	json_decref(root);

	const char *checks[] = { "list", "checks", "--format", "json", NULL };
	o = run(checks, NULL, false);
	root = parse(o);
	cr_expect(eq(sz, json_array_size(root), check_table_count));
	json_decref(root);
}

Test(cli, version_and_help)
{
	const char *version[] = { "--version", NULL };
	struct output *o = run(version, NULL, false);
	cr_expect(eq(int, exit_of(o), 0));
	cr_expect(eq(int, strncmp(o->out, "vmdoctor ", 9), 0));
	const char *help[] = { "--help", NULL };
	o = run(help, NULL, false);
	cr_expect(eq(int, exit_of(o), 0));
	cr_expect(strstr(o->out, "explain CODE") != NULL);
}

/* Live-host test: whatever this machine is, the report is well-formed and the exit code matches it. */
Test(live, check_on_this_host_is_well_formed, .timeout = 60)
{
	const char *args[] = { "check", "--format", "json", NULL };
	struct output *o = run(args, NULL, false);
	int code = exit_of(o);
	cr_assert(code >= 0 && code <= 2, "exit %d, stderr: %s", code, o->err);
	json_t *root = parse(o);
	assert_report_shape(root, code);
	json_t *host = json_object_get(root, "host");
	bool has_kernel = json_is_string(json_object_get(host, "kernel"));
	cr_expect(has_kernel, "the live host has a kernel release");
	cr_expect(eq(str, (char *)json_string_value(json_object_get(host, "source")), "live"));
	json_decref(root);
}

Test(cli, playbook_walk_is_reported_with_answers_and_path)
{
	const char *args[] = { "check", "--playbook", "vm-wont-start", "--format", "json", "--snapshot",
			       SNAPSHOTS "/cpu-vt-disabled-msr", NULL };
	struct output *o = run(args, NULL, false);
	cr_assert(eq(int, exit_of(o), 2), "%s", o->err);
	json_t *root = parse(o);
	assert_report_shape_n(root, 2, 2);
	cr_expect(eq(str, (char *)json_string_value(json_object_get(root, "playbook")), "vm-wont-start"));
	json_t *answer = json_object_get(json_object_get(root, "answers"), "which-program");
	cr_expect(eq(str, (char *)json_string_value(json_object_get(answer, "source")), "detected"));
	json_t *path = json_object_get(root, "path");
	cr_expect(eq(str, (char *)json_string_value(json_array_get(path, 0)), "which-program"));
	cr_expect(eq(str, (char *)json_string_value(json_array_get(path, json_array_size(path) - 1)), "findings"));
	json_decref(root);

	const char *bad[] = { "check", "--playbook", "vm-wont-start", "--answer", "which-program=amiga",
			      "--snapshot", SNAPSHOTS "/healthy-intel", NULL };
	o = run(bad, NULL, false);
	cr_expect(eq(int, exit_of(o), 3));
	cr_expect(strstr(o->err, "amiga") != NULL, "%s", o->err);
}

Test(cli, lint_names_file_line_and_column)
{
	const char *bad[] = { "lint", FIXTURES "/playbooks/bad-yaml-syntax.yaml", NULL };
	struct output *o = run(bad, NULL, false);
	cr_expect(eq(int, exit_of(o), 1));
	cr_expect(strstr(o->out, "bad-yaml-syntax.yaml:7:") != NULL, "%s", o->out);
	const char *good[] = { "lint", FIXTURES "/playbooks/good-minimal.yaml", NULL };
	o = run(good, NULL, false);
	cr_expect(eq(int, exit_of(o), 0), "%s", o->out);

	const char *list[] = { "list", "playbooks", "--format", "json", NULL };
	o = run(list, NULL, false);
	cr_assert(eq(int, exit_of(o), 0), "%s", o->err);
	json_t *root = parse(o);
	cr_expect(ge(sz, json_array_size(root), 7), "the shipped playbooks");
	cr_expect(eq(str, (char *)json_string_value(json_object_get(json_array_get(root, 0), "id")), "vm-wont-start"),
		  "most common symptom first");
	json_decref(root);
}

/* Every code can be explained, and docs/codes.md is exactly what `list codes --format md` prints. */
Test(cli, every_code_is_explained_and_the_codes_page_is_generated)
{
	for (size_t i = 0; i < code_table_count; i++) {
		const char *args[] = { "explain", code_table[i].code, NULL };
		struct output *o = run(args, NULL, false);
		cr_expect(eq(int, exit_of(o), 0), "explain %s: %s", code_table[i].code, o->err);
		cr_expect(strstr(o->out, "What to do:") != NULL, "explain %s", code_table[i].code);
	}
	const char *args[] = { "list", "codes", "--format", "md", NULL };
	struct output *o = run(args, NULL, false);
	cr_assert(eq(int, exit_of(o), 0));
	FILE *f = fopen(SOURCE_DIR "/docs/codes.md", "r");
	cr_assert(f != NULL, "docs/codes.md is missing: vmdoctor list codes --format md > docs/codes.md");
	static char doc[1 << 20];
	size_t n = fread(doc, 1, sizeof doc - 1, f);
	doc[n] = '\0';
	fclose(f);
	cr_expect(eq(str, doc, o->out), "docs/codes.md is stale: vmdoctor list codes --format md > docs/codes.md");
}

/* The text report of every scenario fits 80 columns (long paths are broken across lines, not cut). */
Test(cli, every_scenario_fits_80_columns)
{
	DIR *d = opendir(SNAPSHOTS);
	cr_assert(d != NULL);
	struct dirent *e;
	size_t scenarios = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/%s", SNAPSHOTS, e->d_name);
		const char *args[] = { "check", "--snapshot", path, NULL };
		struct output *o = run(args, NULL, false);
		scenarios++;
		for (char *line = o->out; *line;) {
			size_t n = strcspn(line, "\n");
			size_t columns = 0;
			for (size_t i = 0; i < n; i++)
				columns += ((unsigned char)line[i] & 0xc0) != 0x80;   /* count characters, not bytes */
			cr_expect(le(sz, columns, 80), "%s: %.*s", e->d_name, (int)n, line);
			line += n + (line[n] == '\n');
		}
	}
	closedir(d);
	cr_expect(gt(sz, scenarios, 50));
}
