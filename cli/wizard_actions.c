/* SPDX-License-Identifier: MIT */
/* The wizard's hands: build and apply fix plans, collect facts again and write support bundles for tui/,
 * which only calls these through struct wizard_env and never touches the host itself. */
#include "cli/cli.h"
#include "tui/wizard.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmdoctor/bundle.h"
#include "vmdoctor/fix.h"
#include "vmdoctor/redact.h"
#include "vmdoctor/xalloc.h"

/* One wizard per process: its actions share this context. */
static struct {
	const struct options *o;
	struct host *host;
	char state_dir[PATH_MAX];
} actions;

static int action_fix_plan(void *actx, const struct facts *facts, const char *fix_id, struct fix_plan *plan,
			   char *why, size_t why_len)
{
	(void)actx;
	const struct fix_def *fix = fix_find(fix_id);
	if (!fix) {
		snprintf(why, why_len, "no fix '%s'", fix_id);
		return -1;
	}
	return fix_plan_build(fix, facts, actions.host, plan, why, why_len);
}

static int action_fix_apply(void *actx, const struct fix_plan *plan, FILE *log, char *run_id, size_t run_id_len)
{
	(void)actx;
	const char *root = getenv("VMDOCTOR_ROOT");
	int rc = fix_apply(plan, root && *root ? root : NULL, actions.state_dir, run_id, run_id_len, log);
	fprintf(log, "Journal: %s/runs/%s\n", actions.state_dir, run_id);
	return rc;
}

static int action_recollect(void *actx, struct facts *out)
{
	(void)actx;
	return facts_collect(actions.host, out) == 0 ? 0 : -1;
}

/* `vmdoctor bundle` without -o writes to the current folder; the name (host pseudonym, date) comes later. */
static void action_bundle_default(void *actx, char *out, size_t len)
{
	(void)actx;
	if (!getcwd(out, len))
		snprintf(out, len, ".");
}

struct progress_relay {
	wizard_progress_fn fn;
	void *ctx;
};

static void relay_progress(void *ctx, const char *stage, uint64_t done, uint64_t total)
{
	struct progress_relay *r = ctx;
	r->fn(r->ctx, stage, done, total);
}

static int action_bundle(void *actx, const char *output, bool redact, wizard_progress_fn progress, void *pctx,
			 struct wizard_bundle_result *out)
{
	(void)actx;
	struct progress_relay relay = { progress, pctx };
	uint64_t size = 0;
	struct bundle_options bo = { .output = output, .compress = BUNDLE_GZIP, .max_size = BUNDLE_DEFAULT_MAX_SIZE,
				     .tool = "vmdoctor " VMDOCTOR_VERSION, .progress = progress ? relay_progress : NULL,
				     .progress_ctx = &relay, .map_path = out->map_path,
				     .map_path_len = sizeof out->map_path, .sha256 = out->sha256, .size = &size };
	/* The same key and map folder as `vmdoctor bundle`, so both give the same pseudonyms. */
	unsigned char key[REDACT_KEY_MAX];
	char maps[PATH_MAX];
	int rc;
	if (redact && (rc = bundle_redaction_setup(&bo, actions.state_dir, key, maps, sizeof maps, out->why,
						   sizeof out->why)) != 0)
		return rc;
	char written[PATH_MAX], cwd[PATH_MAX];
	rc = bundle_write(actions.host, &bo, written, sizeof written, out->why, sizeof out->why);
	/* The default name is relative to the current folder: the screen shows where it really is. */
	if (rc == 0 && written[0] != '/' && getcwd(cwd, sizeof cwd))
		snprintf(out->path, sizeof out->path, "%.3000s/%.1000s", strcmp(cwd, "/") ? cwd : "", written);
	else if (rc == 0)
		snprintf(out->path, sizeof out->path, "%s", written);
	out->size = size;       /* both counted while the archive was written */
	return rc;
}

void wizard_actions_init(struct wizard_env *env, const struct options *o, struct host *host)
{
	const char *root = getenv("VMDOCTOR_ROOT");
	actions.o = o;
	actions.host = host;
	state_dir(actions.state_dir, sizeof actions.state_dir);
	env->actions_ctx = &actions;
	env->snapshot = host_is_snapshot(host);
	env->root = fix_is_root();
	env->scratch_root = root && *root ? root : NULL;
	env->state_dir = actions.state_dir;
	env->can_redact = true;
	env->fix_plan = action_fix_plan;
	env->fix_apply = action_fix_apply;
	env->recollect = action_recollect;
	env->bundle_default = action_bundle_default;
	env->bundle = action_bundle;
}
