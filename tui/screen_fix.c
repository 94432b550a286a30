/* SPDX-License-Identifier: MIT */
/* The wizard's fix screen: the plan of a finding's fix, apply after y/N with live output, the re-check, the
 * manual steps as a checklist; and the resume state that lets `vmdoctor` verify a fix after a reboot. */
#include "tui/wizard_private.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "vmdoctor/check.h"
#include "vmdoctor/codes.h"
#include "vmdoctor/fix.h"
#include "vmdoctor/xalloc.h"

#define RESUME_FILE "wizard-resume.json"

enum fix_phase { FP_PLAN, FP_CONFIRM, FP_DONE };
enum recheck_state { RC_NONE, RC_GONE, RC_STILL, RC_UNSURE, RC_SKIPPED, RC_FAILED };

struct fix_screen {
	struct screen base;             /* first: the loop frees it as a struct screen */
	struct wiz *w;                  /* for drawing while the plan is applied */
	const struct fix_def *fix;
	char code[64];
	char check_id[64];              /* the check that reported the code: its "unknown" is no PASS */
	struct fix_plan plan;
	bool have_plan;
	char why[320];                  /* why there is no plan */
	char note[400];                 /* the bottom message when it is built here */
	enum fix_phase phase;
	char *log;                      /* what fix_apply printed, growing while it runs */
	size_t log_len;
	bool applying;
	int apply_rc;
	char run_id[256];
	enum recheck_state recheck;
	bool ticked[FIX_MAX_STEPS];     /* manual steps the person ticked */
	int item;                       /* the selected manual step (index into plan.steps), -1: none */
	char title[160];                /* resume: the saved fix's title */
	json_t *state;                  /* resume: the saved state */
};

static void fix_load(struct fix_screen *f, struct wiz *w, const struct fix_def *fix);

/* ---- the resume state: <state_dir>/wizard-resume.json ---- */

static char *resume_path(const struct wiz *w)
{
	const char *dir = w->env ? w->env->state_dir : NULL;
	return dir && *dir ? xasprintf("%s/%s", dir, RESUME_FILE) : NULL;
}

static bool plan_has_manual(const struct fix_plan *plan)
{
	for (size_t i = 0; i < plan->n_steps; i++)
		if (plan->steps[i].kind == FIX_STEP_MANUAL)
			return true;
	return false;
}

/* Something is left for later (a reboot, a new login, firmware, steps by hand): worth resuming. */
static bool fix_needs_later(const struct fix_plan *plan)
{
	unsigned later = CODE_NEEDS_REBOOT | CODE_NEEDS_RELOGIN | CODE_NEEDS_FIRMWARE | CODE_NEEDS_CONSOLE;
	return (plan->needs & later) || plan_has_manual(plan);
}

/* Save which fix, which manual steps are ticked and the walk's answers; the next start offers to verify.
 * A failure is said on the screen: the person relies on it after the reboot. */
static void resume_save(struct fix_screen *f)
{
	struct wiz *w = f->w;
	char *path = resume_path(w);
	if (!path || (w->env->snapshot && !w->env->scratch_root)) {
		free(path);
		return;
	}
	int rc = -ENOMEM;
	json_t *manual = json_array(), *answers = json_array();
	for (size_t i = 0; i < f->plan.n_steps; i++)
		if (f->plan.steps[i].kind == FIX_STEP_MANUAL)
			json_array_append_new(manual, json_pack("{s:s, s:b}", "what", f->plan.steps[i].what, "done",
								f->ticked[i]));
	for (size_t i = 0; w->running && i < w->run.n_answers; i++)
		json_array_append_new(answers, json_pack("{s:s, s:s}", "step", w->run.answers[i].step, "value",
							 w->run.answers[i].value));
	json_t *j = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:o, s:o}", "version", 1, "fix", f->fix->id,
			      "title", f->fix->title, "code", f->code, "check", f->check_id, "run", f->run_id, "needs",
			      (int)f->plan.needs, "playbook", w->running ? w->run.pb->id : "", "manual", manual,
			      "answers", answers);
	char *text = json_dumps(j, JSON_INDENT(2));
	if (text)
		rc = fix_write_atomic(path, text, 0600);
	if (rc < 0) {
		snprintf(f->note, sizeof f->note, "Could not save the fix for after the reboot: %.200s: %s", path,
			 strerror(-rc));
		f->base.message = f->note;
	}
	free(text);
	json_decref(j);
	free(path);
	w->resume_checked = false;      /* the start menu reads it again */
}

static void resume_remove(struct wiz *w)
{
	char *path = resume_path(w);
	if (path)
		unlink(path);
	free(path);
	w->resume_checked = false;
}

/* The start menu's resume item, read once per change: "Resume: verify <fix> after the reboot", or NULL. */
const char *resume_item(struct wiz *w)
{
	if (w->resume_checked)
		return w->resume_label[0] ? w->resume_label : NULL;
	w->resume_checked = true;
	w->resume_label[0] = '\0';
	char *path = resume_path(w);
	json_t *j = path ? json_load_file(path, 0, NULL) : NULL;
	const char *title = json_string_value(json_object_get(j, "title"));
	unsigned needs = (unsigned)json_integer_value(json_object_get(j, "needs"));
	/* Say what the person was to do in between, so the item is recognised after it. */
	const char *when = needs & (CODE_NEEDS_REBOOT | CODE_NEEDS_FIRMWARE | CODE_NEEDS_CONSOLE) ? "after the reboot"
			   : needs & CODE_NEEDS_RELOGIN ? "after logging in again"
							: "after the steps by hand";
	if (title)
		snprintf(w->resume_label, sizeof w->resume_label, "Resume: verify \"%s\" %s", title, when);
	json_decref(j);
	free(path);
	return w->resume_label[0] ? w->resume_label : NULL;
}

/* ---- the fixes of one code: some codes have more than one (a group, or a udev rule) ---- */

static bool fix_repairs(const struct fix_def *fix, const char *code)
{
	for (size_t c = 0; c < FIX_MAX_CODES && fix->codes[c]; c++)
		if (strcasecmp(fix->codes[c], code) == 0)
			return true;
	return false;
}

/* The position of `fix` among the fixes of `code` (from 1), and how many there are. */
static int fix_rank(const struct fix_def *fix, const char *code, int *count)
{
	int rank = 0;
	*count = 0;
	for (size_t i = 0; i < fix_table_count; i++) {
		if (!fix_repairs(&fix_table[i], code))
			continue;
		(*count)++;
		if (&fix_table[i] == fix)
			rank = *count;
	}
	return rank;
}

/* The next fix of `code` after `fix`, wrapping around. */
static const struct fix_def *fix_next(const struct fix_def *fix, const char *code)
{
	size_t at = (size_t)(fix - fix_table);
	for (size_t k = 1; k <= fix_table_count; k++) {
		const struct fix_def *f = &fix_table[(at + k) % fix_table_count];
		if (fix_repairs(f, code))
			return f;
	}
	return fix;
}

/* ---- the body: plan, checklist, output, re-check ---- */

static int line_pair(const char *line)
{
	if (line[0] == '+' && strncmp(line, "+++", 3) != 0)
		return PAIR_OK;
	if (line[0] == '-' && strncmp(line, "---", 3) != 0)
		return PAIR_FAIL;
	return 0;
}

/* Draw `text` line by line from wrapped row `*skip`, diff lines in colour; returns the rows it takes. */
static int body_text(const struct wiz *w, const char *text, int *row, int last, int width, int *skip)
{
	int total = 0;
	const char *p = text;
	while (p && *p) {
		size_t len = strcspn(p, "\n");
		char *line = xasprintf("%.*s", (int)len, p);
		int pair = line_pair(line);
		if (pair)
			wiz_attr_on(w, pair, 0);
		total += put_wrapped(row, last, 1, width, line[0] ? line : " ", skip, 4);
		if (pair)
			wiz_attr_off(w, pair, 0);
		free(line);
		p += len + (p[len] == '\n');
	}
	return total;
}

static int body_checklist(struct fix_screen *f, int *row, int last, int width, int *skip)
{
	int total = 0;
	char buf[1024];
	for (size_t i = 0; i < f->plan.n_steps; i++) {
		const struct fix_step *st = &f->plan.steps[i];
		if (st->kind != FIX_STEP_MANUAL)
			continue;
		if ((int)i == f->item)
			attron(A_REVERSE);
		/* its text is in the plan above; '>' marks the selection without colour or reverse video */
		snprintf(buf, sizeof buf, "%c [%c] %s", (int)i == f->item ? '>' : ' ', f->ticked[i] ? 'x' : ' ', st->what);
		total += put_wrapped(row, last, 1, width, buf, skip, 4);
		if ((int)i == f->item)
			attroff(A_REVERSE);
	}
	return total;
}

static const char *json_text(json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));
	return v ? v : "?";
}

static const char *recheck_text(const struct fix_screen *f, char *buf, size_t len)
{
	switch (f->recheck) {
	case RC_GONE: snprintf(buf, len, "Re-check: PASS - %s is gone.", f->code); break;
	case RC_STILL: snprintf(buf, len, "Re-check: still FAIL - %s is still reported.", f->code); break;
	case RC_SKIPPED:
		snprintf(buf, len, "Re-check skipped: the files went under VMDOCTOR_ROOT=%s.", f->w->env->scratch_root);
		break;
	case RC_UNSURE:
		snprintf(buf, len, "Re-check: cannot tell - the check %s says unknown now.", f->check_id);
		break;
	case RC_FAILED: snprintf(buf, len, "Re-check: the facts could not be collected again."); break;
	default: buf[0] = '\0'; break;
	}
	return buf;
}

/* Why applying is refused here, or NULL when it may go ahead. */
static const char *apply_refusal(const struct fix_screen *f, char *buf, size_t len)
{
	const struct wizard_env *env = f->w->env;
	bool commands = false;
	for (size_t i = 0; i < f->plan.n_steps; i++)
		commands |= f->plan.steps[i].kind != FIX_STEP_FILE && f->plan.steps[i].kind != FIX_STEP_MANUAL;
	if (!f->have_plan)
		return "There is no plan to apply.";
	if (env->snapshot && !env->scratch_root)
		return "Snapshot: fixes are disabled; this is the plan only (dry run).";
	if (env->scratch_root && commands)
		return "VMDOCTOR_ROOT only applies file steps; this plan runs commands.";
	if ((f->plan.needs & CODE_NEEDS_ROOT) && !env->root && !env->scratch_root) {
		snprintf(buf, len, "This fix needs root. Quit and run: sudo vmdoctor fix %s", f->fix->id);
		return buf;
	}
	if (!env->fix_apply)
		return "Applying fixes is not available here.";
	return NULL;
}

static int fix_body(struct fix_screen *f, int skip, int first, int last)
{
	struct wiz *w = f->w;
	int row = first, total = 0, width = COLS - 2 < READ_WIDTH ? COLS - 2 : READ_WIDTH;
	char buf[512];
	if (w->env->snapshot) {
		wiz_attr_on(w, PAIR_BANNER, A_BOLD);
		total += put_wrapped(&row, last, 1, width,
				     w->env->scratch_root ? "Snapshot: file steps go under VMDOCTOR_ROOT (test mode)"
							 : "Snapshot of another machine: fixes are disabled (dry run only)",
				     &skip, 2);
		wiz_attr_off(w, PAIR_BANNER, A_BOLD);
	}
	if (!f->have_plan) {
		snprintf(buf, sizeof buf, "No plan for %s on this machine: %s", f->fix->id, f->why);
		return total + put_wrapped(&row, last, 1, width, buf, &skip, 2);
	}
	char *plan = NULL;
	size_t plan_len = 0;
	FILE *m = open_memstream(&plan, &plan_len);
	fix_plan_print(m, &f->plan);
	fclose(m);
	total += body_text(w, plan, &row, last, width, &skip);
	free(plan);
	if (plan_has_manual(&f->plan)) {
		total += put_wrapped(&row, last, 1, width, " ", &skip, 0);
		total += put_wrapped(&row, last, 1, width, "By hand (Tab selects, Space ticks):", &skip, 0);
		total += body_checklist(f, &row, last, width, &skip);
	}
	if (f->log || f->applying) {
		total += put_wrapped(&row, last, 1, width, " ", &skip, 0);
		total += put_wrapped(&row, last, 1, width, f->applying ? "Applying:" : "Output:", &skip, 0);
		total += body_text(w, f->log, &row, last, width, &skip);
	}
	if (f->phase == FP_DONE) {
		snprintf(buf, sizeof buf, f->apply_rc == 0 ? "Applied: run %s (undo with: vmdoctor undo %s)"
							   : "Failed and rolled back: run %s (see vmdoctor history)",
			 f->run_id, f->run_id);
		wiz_attr_on(w, f->apply_rc == 0 ? PAIR_OK : PAIR_FAIL, A_BOLD);
		total += put_wrapped(&row, last, 1, width, buf, &skip, 2);
		wiz_attr_off(w, f->apply_rc == 0 ? PAIR_OK : PAIR_FAIL, A_BOLD);
		int pair = f->recheck == RC_GONE ? PAIR_OK : f->recheck == RC_STILL ? PAIR_FAIL : PAIR_INFO;
		wiz_attr_on(w, pair, A_BOLD);
		total += put_wrapped(&row, last, 1, width, recheck_text(f, buf, sizeof buf), &skip, 2);
		wiz_attr_off(w, pair, A_BOLD);
		if (f->apply_rc == 0 && fix_needs_later(&f->plan)) {
			total += put_wrapped(&row, last, 1, width,
					     "Then: the steps above by hand (a reboot, a new login); vmdoctor offers to "
					     "verify the fix at its next start.", &skip, 6);
		}
	}
	return total;
}

static void fix_draw(struct screen *s, struct wiz *w)
{
	struct fix_screen *f = (struct fix_screen *)s;
	f->w = w;
	char title[200];
	int count = 0, rank = fix_rank(f->fix, f->code, &count);
	if (count > 1)
		snprintf(title, sizeof title, "fix %s (%d of %d: n next)", f->code, rank, count);
	else
		snprintf(title, sizeof title, "fix %s", f->code);
	/* On a snapshot nothing can be applied: do not offer it (the key still says why). */
	bool dry_run = w->env->snapshot && !w->env->scratch_root;
	const char *keys = f->applying ? "Applying the plan..."
			   : dry_run ? "Up/Down scroll  (dry run: nothing to apply)  Esc back  ? help  q quit"
			   : plan_has_manual(&f->plan) ? "Up/Down scroll  a apply  Tab/Space tick  Esc back  ? help  q quit"
						       : "Up/Down scroll  a apply  Esc back  ? help  q quit";
	draw_frame(w, title, keys);
	int last = s->message ? LINES - 4 : LINES - 3;     /* the message gets its own row */
	int total = fix_body(f, s->top, 2, last);
	int max_top = total - (last - 1) > 0 ? total - (last - 1) : 0;
	if (f->applying && s->top < max_top)
		s->top = max_top;       /* follow the output while it grows */
	if (s->top > max_top) {
		s->top = max_top;
		for (int y = 2; y <= last; y++)
			mvhline(y, 0, ' ', COLS);
		fix_body(f, s->top, 2, last);
	}
	if (total > last - 1)
		put_fmt(LINES - 2, COLS - 12, 10, " %d/%d ", s->top + 1, total);
	if (s->message) {
		attron(A_BOLD);
		mvhline(LINES - 3, 0, ' ', COLS);
		put_clipped(LINES - 3, 1, s->message, COLS - 2);
		attroff(A_BOLD);
	}
	if (f->phase == FP_CONFIRM) {
		attron(A_REVERSE | A_BOLD);
		mvhline(LINES - 1, 0, ' ', COLS);
		put_clipped(LINES - 1, 1, "Apply this plan to this machine? (y/N)", COLS - 2);
		attroff(A_REVERSE | A_BOLD);
	}
}

/* ---- applying ---- */

/* fix_apply() prints to a FILE*: this one keeps the text and redraws, so nothing prints behind ncurses. */
static ssize_t log_write(void *cookie, const char *buf, size_t size)
{
	struct fix_screen *f = cookie;
	f->log = xrealloc(f->log, f->log_len + size + 1);
	memcpy(f->log + f->log_len, buf, size);
	f->log_len += size;
	f->log[f->log_len] = '\0';
	erase();
	fix_draw(&f->base, f->w);
	wnoutrefresh(stdscr);
	doupdate();
	return (ssize_t)size;
}

/* Run the checks on `facts`: still reported, or gone; "unknown" from the check that reported it (libvirt
 * skipped, a file unreadable) is neither, and must not read as a PASS. */
static enum recheck_state recheck_facts(const struct facts *facts, const char *code, const char *check_id)
{
	struct check_report report = { 0 };
	enum recheck_state st = RC_GONE;
	check_run_all(facts, &report);
	for (size_t i = 0; i < report.count && st != RC_STILL; i++) {
		const struct check_result *r = &report.results[i];
		if (r->code && strcasecmp(r->code, code) == 0)
			st = RC_STILL;
		else if (check_id[0] && strcmp(r->check->id, check_id) == 0 && r->status == CHECK_UNKNOWN)
			st = RC_UNSURE;
	}
	check_report_free(&report);
	return st;
}

/* Collect the facts again through the CLI and run the checks: is the code still reported? */
static enum recheck_state recheck(const struct wiz *w, const char *code, const char *check_id)
{
	if (w->env->scratch_root)
		return RC_SKIPPED;
	if (!w->env->recollect)
		return RC_FAILED;
	struct facts facts;
	memset(&facts, 0, sizeof facts);
	if (w->env->recollect(w->env->actions_ctx, &facts) != 0) {
		facts_free(&facts);
		return RC_FAILED;
	}
	enum recheck_state st = recheck_facts(&facts, code, check_id);
	facts_free(&facts);
	return st;
}

static void fix_apply_now(struct fix_screen *f)
{
	cookie_io_functions_t io = { .write = log_write };
	FILE *log = fopencookie(f, "w", io);
	if (!log) {
		f->apply_rc = -errno;
		f->phase = FP_DONE;
		return;
	}
	setvbuf(log, NULL, _IOLBF, 0);         /* each line on the screen as soon as it is written */
	f->applying = true;
	f->apply_rc = f->w->env->fix_apply(f->w->env->actions_ctx, &f->plan, log, f->run_id, sizeof f->run_id);
	bool again = f->apply_rc == 0 && !f->w->env->scratch_root && f->w->env->recollect;
	if (again)
		fprintf(log, "Re-checking: collecting the facts again...\n");
	f->recheck = f->apply_rc == 0 ? recheck(f->w, f->code, f->check_id) : RC_NONE;
	fclose(log);
	f->applying = false;
	f->phase = FP_DONE;
	f->base.top = 100000;   /* the draw clamps it: show the end, where the result is */
	if (f->apply_rc == 0 && f->recheck == RC_GONE && !fix_needs_later(&f->plan))
		resume_remove(f->w);
	else if (f->apply_rc == 0 && fix_needs_later(&f->plan))
		resume_save(f);
}

/* Tab: the next manual step (wrapping), Space: tick or untick it. */
static bool checklist_key(struct fix_screen *f, int key)
{
	if (key == '\t') {
		int n = (int)f->plan.n_steps;
		for (int k = 1; k <= n; k++) {
			int i = (f->item + k + n) % n;
			if (f->plan.steps[i].kind == FIX_STEP_MANUAL) {
				f->item = i;
				return true;
			}
		}
		return false;
	}
	if (key == ' ' && f->item >= 0) {
		f->ticked[f->item] = !f->ticked[f->item];
		resume_save(f);
		return true;
	}
	return false;
}

static unsigned fix_key(struct screen *s, struct wiz *w, int key)
{
	struct fix_screen *f = (struct fix_screen *)s;
	f->w = w;
	if (key == ERR)
		return ACT_NONE;
	if (f->phase == FP_CONFIRM) {
		s->message = NULL;
		f->phase = FP_PLAN;
		if (key == 'y' || key == 'Y')
			fix_apply_now(f);
		else
			s->message = "Nothing was changed.";
		return ACT_REDRAW;
	}
	if (is_back(key))
		return ACT_POP;
	s->message = NULL;      /* a note lasts until the next key */
	if (checklist_key(f, key))
		return ACT_REDRAW;
	int top = s->top;
	if (menu_move(&top, 100000, key, LINES - 5)) {
		s->top = top;
		return ACT_REDRAW;
	}
	if (key == 'n' && f->phase == FP_PLAN) {
		fix_load(f, w, fix_next(f->fix, f->code));
		return ACT_REDRAW;
	}
	if (key != 'a')
		return ACT_NONE;
	s->message = apply_refusal(f, f->note, sizeof f->note);
	if (!s->message && f->phase == FP_DONE && f->apply_rc == 0)
		s->message = "Applied already; undo with: vmdoctor undo";
	if (!s->message)
		f->phase = FP_CONFIRM;
	return ACT_REDRAW;
}

static void fix_destroy(struct screen *s)
{
	struct fix_screen *f = (struct fix_screen *)s;
	if (f->have_plan)
		fix_plan_free(&f->plan);
	free(f->log);
	json_decref(f->state);
}

static const struct screen_ops fix_ops = { "fix", fix_draw, fix_key, fix_destroy, false };

/* Show `fix`'s plan (built through the CLI) from the top, forgetting the one shown before. */
static void fix_load(struct fix_screen *f, struct wiz *w, const struct fix_def *fix)
{
	if (f->have_plan)
		fix_plan_free(&f->plan);
	memset(&f->plan, 0, sizeof f->plan);
	memset(f->ticked, 0, sizeof f->ticked);
	f->fix = fix;
	f->item = -1;
	f->base.top = 0;
	f->base.message = NULL;
	f->why[0] = '\0';
	if (!w->env->fix_plan) {
		f->have_plan = false;
		snprintf(f->why, sizeof f->why, "plans are not available here");
	} else {
		f->have_plan = w->env->fix_plan(w->env->actions_ctx, w->facts, fix->id, &f->plan, f->why,
						sizeof f->why) == 0;
	}
	for (size_t i = 0; f->have_plan && i < f->plan.n_steps && f->item < 0; i++)
		if (f->plan.steps[i].kind == FIX_STEP_MANUAL)
			f->item = (int)i;
}

const struct fix_def *fix_of_result(const struct check_result *res)
{
	/* A finding, not a pass or a skip that happens to name its code. */
	bool finding = res && res->status != CHECK_PASS && res->status != CHECK_SKIP;
	return finding && res->code ? fix_for_code(res->code) : NULL;
}

struct screen *fix_screen_new(struct wiz *w, const struct check_result *res)
{
	const struct fix_def *fix = fix_of_result(res);
	if (!fix || !w->env)
		return NULL;
	struct fix_screen *f = xcalloc(1, sizeof *f);
	f->base.ops = &fix_ops;
	f->w = w;
	snprintf(f->code, sizeof f->code, "%s", res->code);
	snprintf(f->check_id, sizeof f->check_id, "%s", res->check->id);
	fix_load(f, w, fix);
	return &f->base;
}

/* ---- resume: verify a saved fix after the reboot ---- */

static void resume_draw(struct screen *s, struct wiz *w)
{
	struct fix_screen *f = (struct fix_screen *)s;
	draw_frame(w, "verify a fix", f->recheck == RC_GONE ? "Esc back  ? help  q quit"
				  : "Tab/Space checklist  d forget it  Esc keep it for later  ? help  q quit");
	int row = 3, skip = 0, width = COLS - 2 < READ_WIDTH ? COLS - 2 : READ_WIDTH;
	char buf[640];
	const char *run = json_string_value(json_object_get(f->state, "run"));
	snprintf(buf, sizeof buf, "Saved fix: %s (%s) for %s%s%s.", json_string_value(json_object_get(f->state, "fix")),
		 f->title, f->code, *run ? ", applied as run " : "", run);
	put_wrapped(&row, LINES - 3, 1, width, buf, &skip, 2);
	const char *pb = json_string_value(json_object_get(f->state, "playbook"));
	json_t *answers = json_object_get(f->state, "answers");
	for (size_t i = 0; pb && *pb && w->set && i < w->set->count; i++)
		if (strcmp(w->set->items[i]->id, pb) == 0)
			pb = w->set->items[i]->title;   /* the words the person chose on the start screen */
	if (pb && *pb) {
		int n = snprintf(buf, sizeof buf, "Walk: %s", pb);
		for (size_t i = 0; i < json_array_size(answers) && n > 0 && (size_t)n < sizeof buf; i++) {
			json_t *a = json_array_get(answers, i);
			n += snprintf(buf + n, sizeof buf - (size_t)n, "%s %s=%s", i ? "," : ":", json_text(a, "step"),
				      json_text(a, "value"));
		}
		put_wrapped(&row, LINES - 3, 1, width, buf, &skip, 2);
	}
	row++;
	json_t *manual = json_object_get(f->state, "manual");
	if (json_array_size(manual))
		put_clipped(row++, 1, "By hand (Tab selects, Space ticks):", width);
	for (size_t i = 0; i < json_array_size(manual) && row < LINES - 5; i++) {
		json_t *m = json_array_get(manual, i);
		if ((int)i == f->item)
			attron(A_REVERSE);
		snprintf(buf, sizeof buf, "%c [%c] %s", (int)i == f->item ? '>' : ' ',
			 json_is_true(json_object_get(m, "done")) ? 'x' : ' ', json_text(m, "what"));
		put_wrapped(&row, LINES - 5, 1, width, buf, &skip, 4);
		if ((int)i == f->item)
			attroff(A_REVERSE);
	}
	row++;
	int pair = f->recheck == RC_GONE ? PAIR_OK : f->recheck == RC_STILL ? PAIR_FAIL : PAIR_WARN;
	wiz_attr_on(w, pair, A_BOLD);
	if (f->recheck == RC_GONE)
		snprintf(buf, sizeof buf, "Re-check: PASS - %s is gone. The saved fix is forgotten.", f->code);
	else
		recheck_text(f, buf, sizeof buf);
	put_wrapped(&row, LINES - 3, 1, width, buf, &skip, 2);
	wiz_attr_off(w, pair, A_BOLD);
	if (f->recheck != RC_GONE)
		put_wrapped(&row, LINES - 3, 1, width,
			    "Finish the steps above, then start vmdoctor again; d forgets this fix.", &skip, 2);
}

static void resume_tick_save(struct fix_screen *f, struct wiz *w)
{
	char *path = resume_path(w);
	char *text = path ? json_dumps(f->state, JSON_INDENT(2)) : NULL;
	if (text)
		fix_write_atomic(path, text, 0600);
	free(text);
	free(path);
}

static unsigned resume_key(struct screen *s, struct wiz *w, int key)
{
	struct fix_screen *f = (struct fix_screen *)s;
	json_t *manual = json_object_get(f->state, "manual");
	int n = (int)json_array_size(manual);
	if (key == ERR)
		return ACT_NONE;
	if (is_back(key))
		return ACT_POP;
	if (key == 'd') {
		resume_remove(w);
		return ACT_POP;
	}
	if (key == '\t' && n > 0) {
		f->item = (f->item + 1) % n;
		return ACT_REDRAW;
	}
	if (key == ' ' && f->item >= 0 && f->item < n && f->recheck != RC_GONE) {
		json_t *m = json_array_get(manual, (size_t)f->item);
		json_object_set_new(m, "done", json_boolean(!json_is_true(json_object_get(m, "done"))));
		resume_tick_save(f, w);
		return ACT_REDRAW;
	}
	return ACT_NONE;
}

static const struct screen_ops resume_ops = { "resume", resume_draw, resume_key, fix_destroy, false };

/* The facts of this start are fresh (collected after the reboot): the check runs on them. */
struct screen *resume_screen_new(struct wiz *w)
{
	char *path = resume_path(w);
	json_t *state = path ? json_load_file(path, 0, NULL) : NULL;
	free(path);
	const char *code = json_string_value(json_object_get(state, "code"));
	const char *title = json_string_value(json_object_get(state, "title"));
	if (!code || !title || !json_is_string(json_object_get(state, "fix")) ||
	    !json_is_string(json_object_get(state, "run"))) {
		json_decref(state);
		resume_remove(w);       /* unreadable: offering it again would not help */
		return NULL;
	}
	struct fix_screen *f = xcalloc(1, sizeof *f);
	f->base.ops = &resume_ops;
	f->w = w;
	f->state = state;
	f->item = json_array_size(json_object_get(state, "manual")) ? 0 : -1;
	snprintf(f->code, sizeof f->code, "%s", code);
	snprintf(f->title, sizeof f->title, "%s", title);
	const char *check = json_string_value(json_object_get(state, "check"));
	snprintf(f->check_id, sizeof f->check_id, "%s", check ? check : "");
	f->recheck = recheck_facts(w->facts, code, f->check_id);
	if (f->recheck == RC_GONE)
		resume_remove(w);
	return &f->base;
}
