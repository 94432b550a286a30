/* SPDX-License-Identifier: MIT */
/* Applying a plan: atomic file writes with backups, execve'd commands with a timeout, a journal, rollback. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vmdoctor/fix.h"
#include "vmdoctor/host.h"
#include "vmdoctor/xalloc.h"

#define CMD_TIMEOUT_S 120
#define LIBVIRT_TIMEOUT_S 60

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write `content` to `path` through a temp file in the same folder, fsync, rename: never half a file. */
int fix_write_atomic(const char *path, const char *content, unsigned mode)
{
	/* Replacing a file keeps its mode and owner (/etc/libvirt/qemu.conf is 0600 because it holds
	 * passwords): `mode` only applies to a new file. So a fix and its undo leave the mode as it was. */
	struct stat old;
	bool existed = stat(path, &old) == 0 && S_ISREG(old.st_mode);
	if (existed)
		mode = old.st_mode & 07777;
	char *tmp = xasprintf("%s.vmdoctor-XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = -errno;
		free(tmp);
		return e;
	}
	int rc = write_all(fd, content, strlen(content));
	if (rc == 0 && existed && fchown(fd, old.st_uid, old.st_gid) < 0 && errno != EPERM)
		rc = -errno;            /* EPERM: not root, and then the file was ours anyway */
	if (rc == 0 && fchmod(fd, mode) < 0)
		rc = -errno;
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	close(fd);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* Run argv through the host layer's runner (execve, no shell, the whole process group killed at the
 * deadline, output captured); 0 when it exited 0. The output goes to the log either way. */
static int run_argv(char *const *argv, FILE *log)
{
	if (!argv[0] || argv[0][0] != '/')
		return -EINVAL;
	struct host *host;
	int rc = host_open_live(&host);
	if (rc < 0)
		return rc;
	struct host_cmd_result res = { 0 };
	rc = host_run(host, "fix-step", (const char *const *)argv, CMD_TIMEOUT_S * 1000, &res);
	if (rc == 0 && log && res.output.len)
		fprintf(log, "%s", res.output.data);
	if (rc == 0 && (res.exit_code != 0 || res.timed_out)) {
		if (log)
			fprintf(log, "  %s %s %d\n", argv[0], res.timed_out ? "timed out, exit" : "exited", res.exit_code);
		rc = -EIO;
	}
	host_cmd_result_free(&res);
	host_close(host);
	return rc;
}

static char *rooted(const char *root, const char *path)
{
	return xasprintf("%s%s", root ? root : "", path);
}

static json_t *journal_step(const struct fix_step *s, size_t i, const char *state)
{
	json_t *j = json_pack("{s:I, s:s, s:s}", "index", (json_int_t)i, "what", s->what, "state", state);
	if (s->kind == FIX_STEP_FILE) {
		json_object_set_new(j, "path", json_string(s->path));
		json_object_set_new(j, "existed", json_boolean(s->old_content != NULL));
	}
	if (s->kind == FIX_STEP_SET_ASIDE) {
		json_object_set_new(j, "path", json_string(s->path));
		json_object_set_new(j, "set_aside", json_true());
	}
	if (s->kind == FIX_STEP_LIBVIRT && s->libvirt_undo != HOST_LIBVIRT_ACTION_NONE)
		json_object_set_new(j, "libvirt", json_pack("{s:s, s:s, s:s}", "uri", s->libvirt_uri, "name",
							    s->libvirt_name, "undo",
							    host_libvirt_action_name(s->libvirt_undo)));
	if (s->kind == FIX_STEP_COMMAND && s->undo_argv[0]) {
		json_t *a = json_array();
		for (size_t k = 0; s->undo_argv[k]; k++)
			json_array_append_new(a, json_string(s->undo_argv[k]));
		json_object_set_new(j, "undo_argv", a);
	}
	return j;
}

static int journal_write(const char *run_dir, json_t *journal)
{
	char *path = xasprintf("%s/journal.json", run_dir);
	char *text = json_dumps(journal, JSON_INDENT(2));
	int rc = text ? fix_write_atomic(path, text, 0600) : -ENOMEM;
	free(text);
	free(path);
	return rc;
}

/* One libvirt call through the host layer: 0 changed, 1 already so, negative on failure (logged). */
static int run_libvirt(const char *uri, enum host_libvirt_action action, const char *name, FILE *log)
{
	struct host *host;
	int rc = host_open_live(&host);
	if (rc < 0)
		return rc;
	rc = host_libvirt_call(host, uri, action, name, LIBVIRT_TIMEOUT_S * 1000);
	if (rc < 0 && log)
		fprintf(log, "  %s\n", host_error(host));
	else if (rc == 1 && log)
		fprintf(log, "  %s %s: nothing to do, it was already so\n", host_libvirt_action_name(action), name);
	host_close(host);
	return rc;
}

/* The whole text of a backup; a read error is an error, never a shorter file written back. */
static int read_backup(const char *path, char **out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -errno;
	size_t len = 0;
	FILE *m = open_memstream(out, &len);
	char chunk[4096];
	size_t n;
	while (m && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		fwrite(chunk, 1, n, m);
	int rc = !m ? -ENOMEM : ferror(f) ? -EIO : 0;
	if (m && fclose(m) != 0 && rc == 0)
		rc = -ENOMEM;
	fclose(f);
	return rc;
}

/* Copy `from` to `to` keeping its mode, for moves across file systems. */
static int copy_file(const char *from, const char *to)
{
	struct stat st;
	FILE *in = fopen(from, "rb");
	if (!in)
		return -errno;
	int rc = fstat(fileno(in), &st) < 0 ? -errno : 0;
	int fd = rc == 0 ? open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777) : -1;
	if (rc == 0 && fd < 0)
		rc = -errno;
	char buf[65536];
	size_t n;
	while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
		rc = write_all(fd, buf, n);
	if (rc == 0 && ferror(in))
		rc = -EIO;
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	fclose(in);
	if (rc < 0 && fd >= 0)
		unlink(to);
	return rc;
}

/* rename(), or copy and unlink when the two paths are on different file systems. */
static int move_file(const char *from, const char *to)
{
	if (rename(from, to) == 0)
		return 0;
	if (errno != EXDEV)
		return -errno;
	/* copy under a temporary name first: `to` only ever exists complete, which undo relies on */
	char *tmp = xasprintf("%s.partial", to);
	unlink(tmp);
	int rc = copy_file(from, tmp);
	if (rc == 0 && rename(tmp, to) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	if (rc == 0 && unlink(from) < 0)
		rc = -errno;
	free(tmp);
	return rc;
}

static int undo_step(const struct fix_step *s, size_t i, const char *root, const char *run_dir, bool changed,
		     FILE *log)
{
	if (s->kind == FIX_STEP_SET_ASIDE) {
		char *bak = xasprintf("%s/backups/%zu", run_dir, i);
		char *p = rooted(root, s->path);
		int rc = move_file(bak, p);
		fprintf(log, "  undone: moved %s back\n", s->path);
		free(p);
		free(bak);
		return rc;
	}
	if (s->kind == FIX_STEP_LIBVIRT) {
		if (!changed || s->libvirt_undo == HOST_LIBVIRT_ACTION_NONE)
			return 0;
		fprintf(log, "  undoing: %s\n", s->undo);
		int rc = run_libvirt(s->libvirt_uri, s->libvirt_undo, s->libvirt_name, log);
		return rc < 0 ? rc : 0;
	}
	if (s->kind == FIX_STEP_FILE) {
		char *p = rooted(root, s->path);
		int rc = s->old_content ? fix_write_atomic(p, s->old_content, 0644) : (unlink(p) < 0 ? -errno : 0);
		fprintf(log, "  undone: %s %s\n", s->old_content ? "restored" : "deleted", s->path);
		free(p);
		return rc;
	}
	if (s->kind == FIX_STEP_COMMAND && s->undo_argv[0]) {
		fprintf(log, "  undoing: %s\n", s->undo);
		return run_argv(s->undo_argv, log);
	}
	return 0;
}

static int do_step(const struct fix_step *s, size_t i, const char *root, const char *run_dir, FILE *log)
{
	if (s->kind == FIX_STEP_FILE) {
		if (s->old_content) {
			char *bak = xasprintf("%s/backups/%zu", run_dir, i);
			int rc = fix_write_atomic(bak, s->old_content, 0600);
			free(bak);
			if (rc < 0)
				return rc;
		}
		char *p = rooted(root, s->path);
		int rc = fix_write_atomic(p, s->new_content, 0644);
		free(p);
		return rc;
	}
	if (s->kind == FIX_STEP_COMMAND)
		return run_argv(s->argv, log);
	if (s->kind == FIX_STEP_LIBVIRT)
		return run_libvirt(s->libvirt_uri, s->libvirt_action, s->libvirt_name, log);
	if (s->kind == FIX_STEP_SET_ASIDE) {
		char *bak = xasprintf("%s/backups/%zu", run_dir, i);
		char *p = rooted(root, s->path);
		int rc = move_file(p, bak);
		free(p);
		free(bak);
		return rc;
	}
	fprintf(log, "  by hand: %s\n", s->text);
	return 0;
}

int fix_apply(const struct fix_plan *plan, const char *root, const char *state_dir, char *run_id,
	      size_t run_id_len, FILE *log)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	snprintf(run_id, run_id_len, "%04d%02d%02dT%02d%02d%02dZ-%d-%s", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)getpid(), plan->fix->id);
	char *runs = xasprintf("%s/runs", state_dir);
	char *run_dir = xasprintf("%s/%s", runs, run_id);
	char *backups = xasprintf("%s/backups", run_dir);
	mkdir(state_dir, 0700);
	mkdir(runs, 0700);
	int rc = (mkdir(run_dir, 0700) < 0 || mkdir(backups, 0700) < 0) ? -errno : 0;
	json_t *journal = json_pack("{s:s, s:s, s:s, s:[]}", "run", run_id, "fix", plan->fix->id, "root",
				    root ? root : "", "steps");
	json_t *steps = json_object_get(journal, "steps");
	size_t done = 0;
	bool changed[FIX_MAX_STEPS] = { false };
	for (; rc == 0 && done < plan->n_steps; done++) {
		const struct fix_step *s = &plan->steps[done];
		json_array_append_new(steps, journal_step(s, done, "started"));
		journal_write(run_dir, journal);    /* before the step: an interrupted run can still be undone */
		fprintf(log, "Step %zu: %s\n", done + 1, s->what);
		rc = do_step(s, done, root, run_dir, log);
		/* 1: a libvirt object was already in the wanted state; undo must then leave it alone */
		changed[done] = rc != 1;
		json_object_set_new(json_array_get(steps, done), "state",
				    json_string(rc == 1 ? "unchanged" : rc == 0 ? "done" : "failed"));
		rc = rc == 1 ? 0 : rc;
		journal_write(run_dir, journal);
	}
	if (rc < 0 && done == 0) {
		fprintf(log, "Could not start the run's journal in %s (%s).\n", run_dir, host_errno_name(rc));
	} else if (rc < 0) {
		fprintf(log, "Step %zu failed (%s); rolling back the steps before it.\n", done, host_errno_name(rc));
		for (size_t i = done - 1; i-- > 0;) {
			undo_step(&plan->steps[i], i, root, run_dir, changed[i], log);
			json_object_set_new(json_array_get(steps, i), "state", json_string("rolled-back"));
		}
		journal_write(run_dir, journal);
	}
	json_decref(journal);
	free(backups);
	free(run_dir);
	free(runs);
	return rc;
}

/* Revert one journalled step: restore the backup, delete a created file, or run the undo argv. */
static int undo_journal_step(json_t *st, const char *root, const char *run_dir, size_t i, FILE *log)
{
	const char *path = json_string_value(json_object_get(st, "path"));
	json_t *argv = json_object_get(st, "undo_argv");
	json_t *lv = json_object_get(st, "libvirt");
	if (path && json_is_true(json_object_get(st, "set_aside"))) {
		char *bak = xasprintf("%s/backups/%zu", run_dir, i);
		char *p = rooted(root, path);
		/* a step interrupted before its move left nothing in backups: the file is still in place */
		int rc = access(bak, F_OK) == 0 ? move_file(bak, p) : 0;
		fprintf(log, "moved %s back from %s\n", path, bak);
		free(p);
		free(bak);
		return rc;
	}
	if (json_is_object(lv)) {
		enum host_libvirt_action undo;
		const char *uri = json_string_value(json_object_get(lv, "uri"));
		const char *name = json_string_value(json_object_get(lv, "name"));
		if (!uri || !name || host_libvirt_action_parse(json_string_value(json_object_get(lv, "undo")), &undo) < 0)
			return -EINVAL;
		fprintf(log, "libvirt %s %s\n", host_libvirt_action_name(undo), name);
		int rc = run_libvirt(uri, undo, name, log);
		return rc < 0 ? rc : 0;
	}
	if (path) {
		char *p = rooted(root, path);
		int rc = 0;
		if (json_is_true(json_object_get(st, "existed"))) {
			char *bak = xasprintf("%s/backups/%zu", run_dir, i);
			char *data = NULL;
			rc = read_backup(bak, &data);
			if (rc == 0)
				rc = fix_write_atomic(p, data, 0644);
			free(data);
			fprintf(log, rc == 0 ? "restored %s from %s\n" : "could not restore %s from %s\n", path, bak);
			free(bak);
		} else {
			rc = unlink(p) < 0 && errno != ENOENT ? -errno : 0;
			fprintf(log, "deleted %s (the run created it)\n", path);
		}
		free(p);
		return rc;
	}
	if (json_is_array(argv)) {
		char *a[FIX_MAX_ARGV] = { 0 };
		for (size_t k = 0; k < json_array_size(argv) && k + 1 < FIX_MAX_ARGV; k++)
			a[k] = (char *)json_string_value(json_array_get(argv, k));
		fprintf(log, "ran %s\n", a[0] ? a[0] : "(nothing)");
		return run_argv(a, log);
	}
	return 0;
}

int fix_undo(const char *run_dir, FILE *log)
{
	char *path = xasprintf("%s/journal.json", run_dir);
	json_error_t err;
	json_t *journal = json_load_file(path, 0, &err);
	free(path);
	if (!journal)
		return -ENOENT;
	if (json_is_true(json_object_get(journal, "undone"))) {
		json_decref(journal);
		return -EALREADY;
	}
	const char *root = json_string_value(json_object_get(journal, "root"));
	json_t *steps = json_object_get(journal, "steps");
	int rc = 0;
	for (size_t i = json_array_size(steps); i-- > 0;) {
		json_t *st = json_array_get(steps, i);
		const char *state = json_string_value(json_object_get(st, "state"));
		/* "started" too: an interrupted step may have happened; undoing it is safe either way */
		if (!state || (strcmp(state, "done") != 0 && strcmp(state, "started") != 0))
			continue;
		if (undo_journal_step(st, root && *root ? root : NULL, run_dir, i, log) < 0)
			rc = -EIO;
		json_object_set_new(st, "state", json_string("undone"));
	}
	json_object_set_new(journal, "undone", json_true());
	journal_write(run_dir, journal);
	json_decref(journal);
	return rc;
}
