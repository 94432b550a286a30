/* SPDX-License-Identifier: MIT */
/* The ncurses wizard: screens over facts and playbooks, one event loop; it never probes the host. */
#ifndef VMDOCTOR_TUI_WIZARD_H
#define VMDOCTOR_TUI_WIZARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vmdoctor/facts.h"
#include "vmdoctor/playbook.h"

struct fix_plan;

/* Progress of a long action: `done` of `total` units (`total` 0: not known yet), `stage` in words. */
typedef void (*wizard_progress_fn)(void *pctx, const char *stage, unsigned long long done,
				   unsigned long long total);

/* What a written bundle is: where, how big, its SHA-256; or why it failed. */
struct wizard_bundle_result {
	char path[4096];
	char sha256[65];
	unsigned long long size;
	char map_path[4096];            /* redacted: the map back to the real names (kept here, never sent) */
	char why[512];
};

/* Returned when the terminal cannot address the cursor (TERM=dumb): show the text report instead. */
#define WIZARD_NO_TERMINAL (-1)

/*
 * What the caller hands the wizard. The wizard never probes the host: it calls `collect` on a
 * worker thread while its "Collecting facts" screen is up, and `skip_libvirt` from its own thread
 * when the person presses 's' there. `collect` fills `facts` (zeroed before) and reports each area
 * through `progress`; the wizard reads `facts` only after `collect` returned.
 */
struct wizard_env {
	const struct playbook_set *set;
	struct facts *facts;
	void (*collect)(void *ctx, struct facts *facts, facts_progress_fn progress, void *progress_ctx);
	void (*skip_libvirt)(void *ctx);        /* NULL: the libvirt step cannot be skipped */
	void *ctx;

	/* Fixes and bundles (cli/wizard_actions.c), called on the wizard's own thread after `collect` is done,
	 * with `actions_ctx`. A NULL callback means "not available here". */
	void *actions_ctx;
	bool snapshot;                  /* facts of a snapshot: fixes are shown, never applied */
	bool root;                      /* running as root (fix_is_root) */
	const char *scratch_root;       /* VMDOCTOR_ROOT (test option): file steps go under it; NULL normally */
	const char *state_dir;          /* the fix journal's folder; the wizard's resume state lives there too */
	bool can_redact;                /* bundle redaction is built */
	/* Build the plan of `fix_id` on `facts`; 0, or -1 with a one-line reason in `why`. */
	int (*fix_plan)(void *actx, const struct facts *facts, const char *fix_id, struct fix_plan *plan,
			char *why, size_t why_len);
	/* Apply `plan`: progress and each step's output go to `log`; 0 or -errno, the run id in `run_id`. */
	int (*fix_apply)(void *actx, const struct fix_plan *plan, FILE *log, char *run_id, size_t run_id_len);
	/* Collect the facts again (to re-check after a fix); 0 with `out` filled (facts_free it), or -1. */
	int (*recollect)(void *actx, struct facts *out);
	/* The folder `vmdoctor bundle` writes to without -o (the current one; the writer picks the name). */
	void (*bundle_default)(void *actx, char *out, size_t len);
	/* Write a support bundle to `output` (NULL: the default name in that folder); 0 with `out` filled (an
	 * absolute path), or -errno with `out->why`. */
	int (*bundle)(void *actx, const char *output, bool redact, wizard_progress_fn progress, void *pctx,
		      struct wizard_bundle_result *out);
};

/* Run the wizard on a terminal until the person quits; returns 0, 3 when the terminal could not start,
 * 128 + N after signal N (SIGINT, SIGTERM, SIGHUP), or WIZARD_NO_TERMINAL (nothing collected then). */
int wizard_run(const struct wizard_env *env);

#endif
