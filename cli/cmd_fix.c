/* SPDX-License-Identifier: MIT */
/* `vmdoctor fix`, `list fixes`, `undo` and `history`: show a fix's plan, apply it after consent, revert it. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "vmdoctor/check.h"
#include "vmdoctor/codes.h"
#include "vmdoctor/fix.h"

static json_t *fix_json(const struct fix_def *f)
{
	json_t *codes = json_array(), *needs = json_array();
	for (size_t c = 0; c < FIX_MAX_CODES && f->codes[c]; c++)
		json_array_append_new(codes, json_string(f->codes[c]));
	for (unsigned bit = 1; bit <= CODE_NEEDS_OUTER_HOST; bit <<= 1)
		if (f->needs & bit)
			json_array_append_new(needs, json_string(code_need_name(bit)));
	return json_pack("{s:s, s:s, s:o, s:o}", "id", f->id, "title", f->title, "codes", codes, "needs", needs);
}

int cmd_list_fixes(const struct options *o)
{
	if (o->format == FORMAT_MD)
		return usage_error("list fixes: --format md is only for list codes");
	json_t *list = o->format == FORMAT_JSON ? json_array() : NULL;
	for (size_t i = 0; i < fix_table_count; i++) {
		const struct fix_def *f = &fix_table[i];
		if (list) {
			json_array_append_new(list, fix_json(f));
			continue;
		}
		printf("%-26s %s\n", f->id, f->title);
		printf("%-26s codes:", "");
		for (size_t c = 0; c < FIX_MAX_CODES && f->codes[c]; c++)
			printf(" %s", f->codes[c]);
		printf(f->codes[0] ? "\n" : " (by id only)\n");
		printf("%-26s needs:", "");
		for (unsigned bit = 1; bit <= CODE_NEEDS_OUTER_HOST; bit <<= 1)
			if (f->needs & bit)
				printf(" %s", code_need_name(bit));
		printf("\n");
	}
	if (list) {
		json_dumpf(list, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(list);
	}
	return EXIT_OK;
}

/* True when some check reports `code` on these facts. */
static bool code_reported(const struct facts *facts, const char *code)
{
	struct check_report report = { 0 };
	bool found = false;
	check_run_all(facts, &report);
	for (size_t i = 0; i < report.count && !found; i++)
		found = report.results[i].code && strcasecmp(report.results[i].code, code) == 0;
	check_report_free(&report);
	return found;
}

/* The `sudo vmdoctor fix ...` line that repeats this command as root (with a --libvirt-uri it was given). */
static void print_sudo_line(const struct options *o, const struct facts *facts)
{
	const char *uri = facts->libvirt.uri;
	bool own_uri = uri[0] && strcmp(uri, FACTS_LIBVIRT_URI_DEFAULT) != 0 && !strchr(uri, '\'');
	fprintf(stderr, "vmdoctor: this fix needs root; run: sudo vmdoctor fix %s%s%s%s%s\n", o->args[0],
		o->yes ? " --yes" : "", own_uri ? " --libvirt-uri '" : "", own_uri ? uri : "", own_uri ? "'" : "");
}

/* mkdir -p, mode 0700: the state folder holds backups of system files. */
static void mkdir_parents(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0700);
			*p = '/';
		}
	}
	mkdir(buf, 0700);
}

/* VMDOCTOR_STATE_DIR (test/expert option), else /var/lib/vmdoctor as root, else the XDG state folder. */
void state_dir(char *out, size_t len)
{
	const char *env = getenv("VMDOCTOR_STATE_DIR");
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	if (env && *env)
		snprintf(out, len, "%s", env);
	else if (fix_is_root())
		snprintf(out, len, "/var/lib/vmdoctor");
	else if (xdg && *xdg)
		snprintf(out, len, "%s/vmdoctor", xdg);
	else
		snprintf(out, len, "%s/.local/state/vmdoctor", home && *home ? home : "/tmp");
	mkdir_parents(out);
}

/* y/N on the terminal; false without a terminal (the caller says to use --yes). */
static bool confirm(const char *question)
{
	if (!isatty(STDIN_FILENO))
		return false;
	printf("%s [y/N] ", question);
	fflush(stdout);
	char line[16];
	if (!fgets(line, sizeof line, stdin))
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

static bool plan_has_commands(const struct fix_plan *plan)
{
	for (size_t i = 0; i < plan->n_steps; i++)
		if (plan->steps[i].kind == FIX_STEP_COMMAND || plan->steps[i].kind == FIX_STEP_LIBVIRT)
			return true;
	return false;
}

/* Collect the facts again and say, for each code the fix repairs, whether a check still reports it. */
static int recheck(const struct fix_def *fix)
{
	struct host *host = NULL;
	if (host_open_live(&host) < 0)
		return EXIT_COULD_NOT_RUN;
	struct facts facts;
	facts_collect(host, &facts);
	int still = 0;
	for (size_t c = 0; c < FIX_MAX_CODES && fix->codes[c]; c++) {
		bool on = code_reported(&facts, fix->codes[c]);
		printf("Re-check: %s %s\n", fix->codes[c], on ? "is still reported" : "is gone");
		still += on;
	}
	facts_free(&facts);
	host_close(host);
	return still ? 2 : EXIT_OK;
}

static int apply(const struct options *o, const struct fix_plan *plan)
{
	const char *root = getenv("VMDOCTOR_ROOT");
	if (root && *root && plan_has_commands(plan)) {
		fprintf(stderr, "vmdoctor: fix: VMDOCTOR_ROOT only applies file steps; this plan runs commands or libvirt "
			"calls\n");
		return EXIT_COULD_NOT_RUN;
	}
	char dir[4096], run_id[256];
	state_dir(dir, sizeof dir);
	printf("\n");
	int rc = fix_apply(plan, root && *root ? root : NULL, dir, run_id, sizeof run_id, stdout);
	printf("Journal: %s/runs/%s (undo with: vmdoctor undo %s)\n", dir, run_id, run_id);
	if (rc < 0)
		return 2;
	for (unsigned bit = CODE_NEEDS_REBOOT; bit <= CODE_NEEDS_CONSOLE; bit <<= 1)
		if (plan->needs & bit)
			printf("Then: %s (the re-check below cannot see that yet).\n", code_need_name(bit));
	if (root && *root) {
		printf("Re-check skipped: the files went under VMDOCTOR_ROOT=%s.\n", root);
		return EXIT_OK;
	}
	(void)o;
	return recheck(plan->fix);
}

static int fix_show(const struct options *o, struct host *host, struct facts *facts)
{
	const char *arg = o->args[0];
	const struct fix_def *fix = fix_find(arg);
	if (!fix) {
		if (!code_find(arg)) {
			fprintf(stderr, "vmdoctor: fix: '%s' is neither a fix id nor a code (see vmdoctor list fixes)\n", arg);
			return EXIT_COULD_NOT_RUN;
		}
		fix = fix_for_code(arg);
		if (!fix) {
			fprintf(stderr, "vmdoctor: fix: no guided fix for %s; see vmdoctor explain %s\n", arg, arg);
			return EXIT_COULD_NOT_RUN;
		}
		if (!code_reported(facts, arg)) {
			printf("%s is not reported on this %s: nothing to fix.\n", arg,
			       host_is_snapshot(host) ? "snapshot" : "machine");
			return EXIT_OK;
		}
	}
	struct fix_plan plan;
	char why[256] = "";
	if (fix_plan_build(fix, facts, host, &plan, why, sizeof why) < 0) {
		fprintf(stderr, "vmdoctor: fix %s: %s\n", fix->id, why);
		return EXIT_COULD_NOT_RUN;
	}
	fix_plan_print(stdout, &plan);
	int rc = EXIT_OK;
	if (o->dry_run) {
		printf("\nDry run: nothing was changed.\n");
	} else if (host_is_snapshot(host)) {
		fprintf(stderr, "vmdoctor: fix: refusing to change a snapshot (%s); use --dry-run to see the plan\n",
			o->snapshot);
		rc = EXIT_COULD_NOT_RUN;
	} else if ((plan.needs & CODE_NEEDS_ROOT) && !fix_is_root() && !getenv("VMDOCTOR_ROOT")) {
		print_sudo_line(o, facts);
		rc = EXIT_COULD_NOT_RUN;
	} else if (!o->yes && !isatty(STDIN_FILENO)) {
		fprintf(stderr, "vmdoctor: fix: no terminal to confirm on; add --yes to apply the plan above\n");
		rc = EXIT_COULD_NOT_RUN;
	} else if (!o->yes && !confirm("\nApply this plan?")) {
		printf("Nothing was changed.\n");
	} else {
		rc = apply(o, &plan);
	}
	fix_plan_free(&plan);
	return rc;
}

int cmd_fix(const struct options *o)
{
	if (o->n_args != 1)
		return usage_error("fix: which? give a CODE or a fix id (see vmdoctor list fixes)");
	struct host *host = NULL;
	if (open_host(o, &host) < 0)
		return EXIT_COULD_NOT_RUN;
	struct facts facts;
	facts_collect(host, &facts);
	int rc = fix_show(o, host, &facts);
	facts_free(&facts);
	host_close(host);
	return rc;
}

/* The newest run folder's name (run ids start with a UTC time stamp), or -1 when there is none. */
static int last_run(const char *runs, char *out, size_t len)
{
	DIR *d = opendir(runs);
	if (!d)
		return -1;
	out[0] = '\0';
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && strcmp(e->d_name, out) > 0)
			snprintf(out, len, "%s", e->d_name);
	closedir(d);
	return out[0] ? 0 : -1;
}

int cmd_undo(const struct options *o)
{
	if (o->n_args > 1)
		return usage_error("undo: at most one RUN-ID (see vmdoctor history)");
	char dir[4096], runs[4200], id[256], run_dir[4600];
	state_dir(dir, sizeof dir);
	snprintf(runs, sizeof runs, "%s/runs", dir);
	if (o->n_args == 1) {
		if (strchr(o->args[0], '/') || o->args[0][0] == '.')
			return usage_error("undo: '%s' is not a run id (see vmdoctor history)", o->args[0]);
		snprintf(id, sizeof id, "%s", o->args[0]);
	} else if (last_run(runs, id, sizeof id) < 0) {
		fprintf(stderr, "vmdoctor: undo: no runs in %s\n", runs);
		return EXIT_COULD_NOT_RUN;
	}
	snprintf(run_dir, sizeof run_dir, "%s/%s", runs, id);
	printf("Undo run %s\n", id);
	if (!o->yes && !isatty(STDIN_FILENO)) {
		fprintf(stderr, "vmdoctor: undo: no terminal to confirm on; add --yes\n");
		return EXIT_COULD_NOT_RUN;
	}
	if (!o->yes && !confirm("Revert it?")) {
		printf("Nothing was changed.\n");
		return EXIT_OK;
	}
	int rc = fix_undo(run_dir, stdout);
	if (rc == -ENOENT) {
		fprintf(stderr, "vmdoctor: undo: no journal for run '%s' in %s\n", id, runs);
		return EXIT_COULD_NOT_RUN;
	}
	if (rc == -EALREADY) {
		fprintf(stderr, "vmdoctor: undo: run '%s' was undone already\n", id);
		return EXIT_COULD_NOT_RUN;
	}
	printf(rc == 0 ? "Run %s reverted.\n" : "Run %s partly reverted (see above).\n", id);
	return rc == 0 ? EXIT_OK : 2;
}

int cmd_history(const struct options *o)
{
	(void)o;
	char dir[4096], runs[4200], path[4600];
	state_dir(dir, sizeof dir);
	snprintf(runs, sizeof runs, "%s/runs", dir);
	struct dirent **names = NULL;
	int n = scandir(runs, &names, NULL, alphasort);
	if (n <= 2) {
		printf("No fix runs in %s.\n", runs);
	}
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof path, "%s/%s/journal.json", runs, names[i]->d_name);
			json_t *j = json_load_file(path, 0, NULL);
			const char *fix = j ? json_string_value(json_object_get(j, "fix")) : NULL;
			bool undone = j && json_is_true(json_object_get(j, "undone"));
			printf("%s  %s%s\n", names[i]->d_name, fix ? fix : "(no journal)", undone ? "  (undone)" : "");
			json_decref(j);
		}
		free(names[i]);
	}
	free(names);
	return EXIT_OK;
}
