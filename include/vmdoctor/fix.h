/* SPDX-License-Identifier: MIT */
/* Guided fixes: a const table of fixes, each building an explicit plan of steps (with undo) from the facts. */
#ifndef VMDOCTOR_FIX_H
#define VMDOCTOR_FIX_H

#include <stddef.h>
#include <stdio.h>

#include "vmdoctor/codes.h"
#include "vmdoctor/facts.h"
#include "vmdoctor/host.h"

#define FIX_MAX_CODES 4
#define FIX_MAX_ARGV 24
#define FIX_MAX_STEPS 16

enum fix_step_kind {
	FIX_STEP_FILE,          /* write `new_content` to `path` (old content read through the host layer) */
	FIX_STEP_COMMAND,       /* execve `argv` (absolute path, no shell); undone by `undo_argv` */
	FIX_STEP_MANUAL,        /* something the person does: firmware menu, power-off, another machine */
	FIX_STEP_LIBVIRT,       /* a libvirt call through the host layer (host_libvirt_call); undone by `libvirt_undo` */
	FIX_STEP_SET_ASIDE,     /* move the file `path` into the run's backups (undo moves it back) */
};

struct fix_step {
	enum fix_step_kind kind;
	char *what;                     /* one line: what this step changes */
	/* FIX_STEP_FILE */
	char *path;
	char *old_content;              /* NULL when the file does not exist (undo deletes it) */
	char *new_content;
	/* FIX_STEP_COMMAND */
	char *argv[FIX_MAX_ARGV];       /* NULL-terminated */
	char *undo_argv[FIX_MAX_ARGV];  /* NULL-terminated; empty when nothing to undo */
	/* FIX_STEP_LIBVIRT: `libvirt_action` on the network or pool `libvirt_name` at `libvirt_uri` */
	char *libvirt_uri;
	char *libvirt_name;
	enum host_libvirt_action libvirt_action;
	enum host_libvirt_action libvirt_undo;  /* HOST_LIBVIRT_ACTION_NONE: nothing to undo */
	/* FIX_STEP_MANUAL, and how any step is undone in words */
	char *text;
	char *undo;
};

struct fix_def;

struct fix_plan {
	const struct fix_def *fix;
	struct fix_step steps[FIX_MAX_STEPS];
	size_t n_steps;
	unsigned needs;                 /* enum code_need bits */
};

/* Fill `plan` from the facts (host to read current file contents); 0, or -1 with `why` set. */
typedef int (*fix_build_fn)(const struct facts *facts, struct host *host, struct fix_plan *plan,
			    char *why, size_t why_len);

struct fix_def {
	const char *id;                         /* "kvm-load-module" */
	const char *title;
	const char *codes[FIX_MAX_CODES];       /* codes it repairs, NULL-terminated when fewer */
	unsigned needs;                         /* enum code_need bits */
	fix_build_fn build;
};

extern const struct fix_def fix_table[];
extern const size_t fix_table_count;

/* By id (exact), or NULL. */
const struct fix_def *fix_find(const char *id);
/* The first fix that repairs `code` (case-insensitive), or NULL. */
const struct fix_def *fix_for_code(const char *code);
/* Build the plan of `fix` for this machine; 0, or -1 with a one-line reason in `why`. */
int fix_plan_build(const struct fix_def *fix, const struct facts *facts, struct host *host,
		   struct fix_plan *plan, char *why, size_t why_len);
void fix_plan_free(struct fix_plan *plan);
/* Print the plan: needs, each step (unified diff, argv, text) and how it is undone. */
void fix_plan_print(FILE *out, const struct fix_plan *plan);
/* Print a unified diff of old -> new (old NULL: a new file). */
void fix_diff_print(FILE *out, const char *path, const char *old_text, const char *new_text);
/* The firmware menu path for a DMI sys_vendor ("Dell Inc." -> "F2 > Advanced > ..."), generic when unknown. */
const char *fix_bios_path(const char *sys_vendor, bool amd);
/* Write `content` to `path` atomically (temp file in the same folder, fsync, rename); 0 or -errno. */
int fix_write_atomic(const char *path, const char *content, unsigned mode);
/* Apply `plan` step by step, each file path prefixed by `root` (NULL: /), journalled under
 * `state_dir`/runs/<run_id>/ (journal.json, backups/); on the first failure the earlier steps are rolled
 * back in reverse. Progress goes to `log`. 0, or a negative errno. */
int fix_apply(const struct fix_plan *plan, const char *root, const char *state_dir, char *run_id,
	      size_t run_id_len, FILE *log);
/* Revert the run journalled in `run_dir`; -ENOENT without a journal, -EALREADY when undone before. */
int fix_undo(const char *run_dir, FILE *log);
/* Whether vmdoctor runs as root; VMDOCTOR_FAKE_EUID (test option) overrides geteuid(). */
bool fix_is_root(void);

#endif
