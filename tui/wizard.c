/* SPDX-License-Identifier: MIT */
/* The wizard: a stack of screens (draw, handle_key, destroy) driven by one event loop that alone reads keys. */
#include "tui/wizard_private.h"

#include <ctype.h>
#include <curses.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>

#include "vmdoctor/check.h"
#include "vmdoctor/codes.h"
#include "vmdoctor/report.h"
#include "vmdoctor/xalloc.h"

static volatile sig_atomic_t wiz_signalled;

/* ---- forward declarations of the screens ---- */

static const struct screen_ops question_ops, running_ops, findings_ops, detail_ops, help_ops;
static struct screen *question_new(const struct wiz *w);

/* Start a walk of `pb` and return the screen to show first. */
static struct screen *walk_begin(struct wiz *w, const struct playbook *pb)
{
	if (w->running)
		playbook_run_free(&w->run);
	playbook_run_start(&w->run, pb, w->facts);
	w->running = true;
	return w->run.at && w->run.at->kind == PLAYBOOK_ASK ? question_new(w) : screen_new(&running_ops);
}

/* The question screen of the current ask step, with the detected answer pre-selected. */
static struct screen *question_new(const struct wiz *w)
{
	struct screen *s = screen_new(&question_ops);
	const char *detected = playbook_run_detected(&w->run);
	const struct playbook_step *st = w->run.at;
	for (size_t i = 0; detected && st && i < st->n_answers; i++)
		if (strcmp(detected, st->answers[i].value) == 0)
			s->sel = (int)i;
	return s;
}

/* ---- Start ---- */

static void start_draw(struct screen *s, struct wiz *w)
{
	draw_frame(w, "what is wrong?", "Up/Down move  Enter choose  ? help  q quit");
	int row = 2, width = COLS - 2;
	char *host = report_host_line(w->facts);
	int skip = 0;
	put_wrapped(&row, 4, 1, width, host, &skip, 2);
	free(host);
	const struct facts_programs *p = &w->facts->programs;
	const char *progs[] = { p->vmware ? "VMware" : NULL, p->virtualbox ? "VirtualBox" : NULL,
				p->qemu ? "QEMU" : NULL, p->libvirt ? "libvirt" : NULL,
				p->kvm_frontend ? "virt-manager/Boxes/virsh" : NULL };
	char line[512] = "Installed: ";
	size_t n = 0;
	for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++) {
		if (!progs[i])
			continue;
		size_t len = strlen(line);
		snprintf(line + len, sizeof line - len, "%s%s", n++ ? ", " : "", progs[i]);
	}
	if (!n)
		strcat(line, "no virtualization program found");
	put_clipped(row++, 1, line, width);
	if (w->facts->from_snapshot) {
		wiz_attr_on(w, PAIR_BANNER, A_BOLD);
		put_clipped(row++, 1, "Snapshot of another machine: fixes are disabled", width);
		wiz_attr_off(w, PAIR_BANNER, A_BOLD);
	}
	row++;
	put_clipped(row++, 1, "What is the problem?", width);
	/* After the symptoms: the bundle, then a fix saved before a reboot (tui/screen_fix.c). */
	const char *resume = resume_item(w);
	int items = (int)w->n_menu + 1 + (resume != NULL);
	if (s->sel >= items)
		s->sel = items - 1;     /* the resume item went away */
	/* At 60x16 the menu does not fit under the header: it scrolls with the selection. */
	int visible = (s->message ? LINES - 3 : LINES - 2) - row;
	if (s->sel < s->top)
		s->top = s->sel;
	if (visible > 0 && s->sel >= s->top + visible)
		s->top = s->sel - visible + 1;
	for (int i = s->top; i < items && row < LINES - 2 - (s->message != NULL); i++, row++) {
		const char *label = i < (int)w->n_menu ? w->menu[i]->title
				    : i == (int)w->n_menu ? "Create a support bundle" : resume;
		if (i == s->sel)
			attron(A_REVERSE);
		hit_add(w, row, 2, width - 2, i);
		put_fmt(row, 2, width - 2, "%c %s", i == s->sel ? '>' : ' ', label);
		if (i == s->sel)
			attroff(A_REVERSE);
	}
	if (s->message)
		put_clipped(LINES - 3, 1, s->message, width);
}

static unsigned start_key(struct screen *s, struct wiz *w, int key)
{
	int items = (int)w->n_menu + 1 + (resume_item(w) != NULL);
	if (s->sel >= items)
		s->sel = items - 1;     /* the resume item went away */
	if (menu_move(&s->sel, items, key, 5)) {
		s->message = NULL;
		return ACT_REDRAW;
	}
	if (!is_enter(key))
		return ACT_NONE;
	if (s->sel >= (int)w->n_menu) {
		w->next = s->sel == (int)w->n_menu ? bundle_screen_new(w) : resume_screen_new(w);
		s->message = w->next ? NULL : "Not available here.";
		return w->next ? ACT_PUSH : ACT_REDRAW;
	}
	w->next = walk_begin(w, w->menu[s->sel]);
	return ACT_PUSH;
}

static const struct screen_ops start_ops = { "start", start_draw, start_key, NULL, false };

static struct screen *start_new(struct wiz *w)
{
	struct screen *s = screen_new(&start_ops);
	/* Back after a reboot with a fix to verify: that is most likely why the person started vmdoctor. */
	if (resume_item(w))
		s->sel = (int)w->n_menu + 1;
	return s;
}

/* ---- Question ---- */

static void question_draw(struct screen *s, struct wiz *w)
{
	const struct playbook_step *st = w->run.at;
	draw_frame(w, w->run.pb->title, "Up/Down move  Enter answer  Esc back  ? help  q quit");
	if (!st || st->kind != PLAYBOOK_ASK)
		return;
	int row = 3, skip = 0;
	attron(A_BOLD);
	put_wrapped(&row, LINES - 4, 1, COLS - 2, st->question, &skip, 0);
	attroff(A_BOLD);
	row++;
	const char *detected = playbook_run_detected(&w->run);
	for (size_t i = 0; i < st->n_answers && row < LINES - 4; i++, row++) {
		bool det = detected && strcmp(detected, st->answers[i].value) == 0;
		if ((int)i == s->sel)
			attron(A_REVERSE);
		hit_add(w, row, 2, COLS - 4, (int)i);
		put_fmt(row, 2, COLS - 4, "%c %s%s", (int)i == s->sel ? '>' : ' ', st->answers[i].label,
			det ? "  (detected)" : "");
		if ((int)i == s->sel)
			attroff(A_REVERSE);
	}
	if (st->why) {
		/* Right under the answers: at the bottom of a tall terminal it read as unrelated. */
		row = row + 1 < LINES - 5 ? row + 1 : LINES - 5;
		mvaddstr(row, 1, "Why:");
		put_wrapped(&row, LINES - 3, 6, COLS - 7, st->why, &skip, 0);
	}
}


static unsigned question_key(struct screen *s, struct wiz *w, int key)
{
	const struct playbook_step *st = w->run.at;
	if (key == ERR)
		return ACT_NONE;
	if (is_back(key))
		return ACT_TO_START;
	if (menu_move(&s->sel, (int)st->n_answers, key, 5))
		return ACT_REDRAW;
	if (!is_enter(key))
		return ACT_NONE;
	const char *detected = playbook_run_detected(&w->run);
	const char *value = st->answers[s->sel].value;
	bool det = detected && strcmp(detected, value) == 0;
	playbook_run_answer(&w->run, value, det ? PLAYBOOK_FROM_DETECT : PLAYBOOK_FROM_USER);
	w->next = screen_new(&running_ops);
	return ACT_REPLACE;
}

static const struct screen_ops question_ops = { "question", question_draw, question_key, NULL, true };

/* ---- Running: one playbook step per tick, so keys stay live between steps ---- */

static void running_draw(struct screen *s, struct wiz *w)
{
	(void)s;
	draw_frame(w, w->run.pb->title, "Running checks...  Esc back  ? help  q quit");
	const struct check_report *r = &w->run.report;
	const struct playbook_step *at = w->run.at;
	int pending = at && at->kind == PLAYBOOK_RUN ? (int)at->n_checks : 0;
	put_fmt(3, 1, COLS - 2, "Running checks: %zu done, %d to run next", r->count, pending);
	/* The newest rows stay visible: the checks still to run are listed last, as "...." */
	int total = (int)r->count + pending, room = LINES - 7;
	int first = total > room ? total - room : 0;
	for (int i = first, row = 5; i < total && row < LINES - 2; i++, row++) {
		if (i >= (int)r->count) {
			const struct check_def *def = check_find(at->checks[i - (int)r->count]);
			put_fmt(row, 2, COLS - 4, "....  %s", def ? def->title : at->checks[i - (int)r->count]);
			continue;
		}
		const struct check_result *res = &r->results[i];
		wiz_attr_on(w, status_pair(res->status), A_BOLD);
		put_fmt(row, 2, 6, "%-4s", check_status_label(res->status));
		wiz_attr_off(w, status_pair(res->status), A_BOLD);
		put_fmt(row, 8, COLS - 10, "%s", res->check->title);
	}
}

static unsigned running_key(struct screen *s, struct wiz *w, int key)
{
	(void)s;
	if (is_back(key))
		return ACT_TO_START;
	if (key != ERR)
		return ACT_NONE;
	if (w->run.at && w->run.at->kind == PLAYBOOK_ASK) {
		w->next = question_new(w);
		return ACT_REPLACE;
	}
	if (w->run.at && w->run.at->kind != PLAYBOOK_SHOW && playbook_run_step(&w->run))
		return ACT_REDRAW;
	w->next = screen_new(&findings_ops);
	return ACT_REPLACE;
}

static const struct screen_ops running_ops = { "running", running_draw, running_key, NULL, true };

/* ---- Findings ---- */

/* Display order: failures, warnings, unknown, info, then skip and pass. */
static int status_rank(enum check_status st)
{
	static const int rank[CHECK_STATUS_COUNT] = {
		[CHECK_FAIL] = 0, [CHECK_WARN] = 1, [CHECK_UNKNOWN] = 2, [CHECK_INFO] = 3,
		[CHECK_SKIP] = 4, [CHECK_PASS] = 5,
	};
	return rank[st];
}

static bool contains_ci(const char *hay, const char *needle)
{
	return hay && strcasestr(hay, needle) != NULL;
}

static bool finding_matches(const struct check_result *r, const char *q)
{
	if (!*q)
		return true;
	return contains_ci(r->code, q) || contains_ci(r->summary, q) || contains_ci(r->check->id, q) ||
	       contains_ci(r->check->title, q);
}

/* The rows: results in display order, passes and skips hidden unless shown; `rows` gets result pointers,
 * a NULL row is the "N passed" line. Returns the count. */
static int findings_rows(const struct screen *s, const struct wiz *w, const struct check_result **rows, int max)
{
	const struct check_report *r = &w->run.report;
	int n = 0, hidden = 0;
	for (int rank = 0; rank <= 5; rank++)
		for (size_t i = 0; i < r->count && n < max - 1; i++) {
			const struct check_result *res = &r->results[i];
			if (status_rank(res->status) != rank || !finding_matches(res, s->search))
				continue;
			if (rank >= 4 && !s->show_passes)
				hidden++;
			else
				rows[n++] = res;
		}
	if (hidden && !s->search[0])
		rows[n++] = NULL;
	return n;
}

static void findings_summary_draw(const struct wiz *w)
{
	const struct check_report *r = &w->run.report;
	int row = 3, skip = 0, width = COLS - 7 < READ_WIDTH ? COLS - 7 : READ_WIDTH;
	char *host = report_host_line(w->facts);
	put_wrapped(&row, 5, 1, COLS - 2, host, &skip, 2);
	free(host);
	put_fmt(row++, 1, COLS - 2, "Symptom: %s", w->run.pb->title);
	put_fmt(row++, 1, COLS - 2, "%zu checks: %zu failed, %zu warnings, %zu unknown, %zu passed, %zu skipped",
		r->count, r->counts[CHECK_FAIL], r->counts[CHECK_WARN], r->counts[CHECK_UNKNOWN],
		r->counts[CHECK_PASS], r->counts[CHECK_SKIP]);
	row++;
	for (size_t i = 0; i < r->count && row < LINES - 2; i++) {
		const struct check_result *res = &r->results[i];
		if (res->status != CHECK_FAIL && res->status != CHECK_WARN)
			continue;
		put_fmt(row++, 1, COLS - 2, "%-4s %s", check_status_label(res->status), res->code ? res->code : "");
		put_wrapped(&row, LINES - 3, 6, width, res->summary, &skip, 0);
		if (res->action && row < LINES - 2) {
			char buf[1024];
			snprintf(buf, sizeof buf, "Do: %s", res->action);
			put_wrapped(&row, LINES - 3, 6, width, buf, &skip, 4);
		}
	}
	/* What could not be told matters to whoever reads this aloud: one row each, after the problems. */
	for (size_t i = 0; i < r->count && row < LINES - 2; i++) {
		const struct check_result *res = &r->results[i];
		if (res->status == CHECK_UNKNOWN)
			put_fmt(row++, 1, COLS - 2, "%-4s %s: %s", check_status_label(res->status), res->check->id,
				res->summary ? res->summary : "");
	}
	if (!r->counts[CHECK_FAIL] && !r->counts[CHECK_WARN] && !r->counts[CHECK_UNKNOWN] && row < LINES - 2)
		put_clipped(row, 1, "Nothing failed, nothing to warn about, nothing unknown.", COLS - 2);
}

/* ---- Detail of one finding, scrollable; its own screen below SPLIT_COLS, the right pane from there on ---- */

/* Draw the detail from wrapped row `skip` into columns [x, x + cols); returns the rows the whole detail takes. */
static int detail_render(const struct check_result *res, int skip, int first_row, int last_row, int x, int cols)
{
	const struct code_info *ci = res->code ? code_find(res->code) : NULL;
	/* Long lines are hard to read on a wide terminal: paragraphs stop at READ_WIDTH columns. */
	int row = first_row, total = 0, width = cols < READ_WIDTH ? cols : READ_WIDTH;
	char buf[1024];
	snprintf(buf, sizeof buf, "%s  %s", check_status_label(res->status), res->code ? res->code : res->check->id);
	total += put_wrapped(&row, last_row, x, width, buf, &skip, 2);
	total += put_wrapped(&row, last_row, x, width, ci ? ci->title : res->check->title, &skip, 2);
	total += put_wrapped(&row, last_row, x, width, " ", &skip, 0);
	if (ci) {
		total += put_wrapped(&row, last_row, x, width, ci->explanation, &skip, 0);
		total += put_wrapped(&row, last_row, x, width, " ", &skip, 0);
	}
	snprintf(buf, sizeof buf, "Found: %s", res->summary ? res->summary : "");
	total += put_wrapped(&row, last_row, x, width, buf, &skip, 7);
	if (res->detail)
		total += put_wrapped(&row, last_row, x + 7, width - 7, res->detail, &skip, 0);
	if (res->action) {
		snprintf(buf, sizeof buf, "Do: %s", res->action);
		total += put_wrapped(&row, last_row, x, width, buf, &skip, 4);
	}
	if (res->n_evidence)
		total += put_wrapped(&row, last_row, x, width, "Evidence:", &skip, 0);
	for (size_t i = 0; i < res->n_evidence; i++) {
		snprintf(buf, sizeof buf, "%s: %s", res->evidence[i].source, res->evidence[i].text);
		total += put_wrapped(&row, last_row, x + 2, width - 2, buf, &skip, 4);
	}
	for (int i = 0; ci && i < CODE_MAX_DOCS && ci->docs[i]; i++) {
		snprintf(buf, sizeof buf, "See: %s", ci->docs[i]);
		total += put_wrapped(&row, last_row, x, width, buf, &skip, 5);
	}
	snprintf(buf, sizeof buf, "Check: %s (%s)", res->check->id, res->check->title);
	total += put_wrapped(&row, last_row, x, width, buf, &skip, 2);
	return total;
}

/* The detail in rows [first, last], columns [x, x + cols), scrolled to *top; a *top past the end (scrolled too
 * far, or the terminal grew) shows the last page instead of blank rows. Returns the rows the detail takes. */
static int detail_pane(const struct check_result *res, int *top, int first, int last, int x, int cols)
{
	int rows = last - first + 1;
	int total = detail_render(res, *top, first, last, x, cols);
	int max_top = total - rows > 0 ? total - rows : 0;
	if (*top > max_top) {
		*top = max_top;
		for (int y = first; y <= last; y++)
			mvhline(y, x, ' ', cols);
		total = detail_render(res, *top, first, last, x, cols);
	}
	if (total > rows)
		put_fmt(last + 1, x + cols - 11, 10, " %d/%d ", *top + 1, total);
	return total;
}

static void detail_draw(struct screen *s, struct wiz *w)
{
	draw_frame(w, "finding", fix_of_result(s->result) ? "Up/Down scroll  f fix  Esc back  ? help  q quit"
							   : "Up/Down scroll  Esc back  ? help  q quit");
	detail_pane(s->result, &s->top, 2, LINES - 3, 1, COLS - 2);
}

static unsigned detail_key(struct screen *s, struct wiz *w, int key)
{
	if (key == ERR)
		return ACT_NONE;
	if (key == KEY_RESIZE) {
		/* Grown to the side-by-side width: the findings screen shows this detail in its right pane. */
		struct screen *below = w->depth >= 2 ? w->stack[w->depth - 2] : NULL;
		if (COLS >= SPLIT_COLS && below && below->ops == &findings_ops) {
			below->focus = FOCUS_DETAIL;
			below->dtop = s->top;
			return ACT_POP;
		}
		return ACT_REDRAW;
	}
	if (is_back(key))
		return ACT_POP;
	if (key == 'f') {
		w->next = fix_screen_new(w, s->result);
		return w->next ? ACT_PUSH : ACT_NONE;
	}
	int sel = s->top;
	if (menu_move(&sel, 1000, key, LINES - 5)) {
		s->top = sel;
		return ACT_REDRAW;
	}
	return ACT_NONE;
}

static const struct screen_ops detail_ops = { "detail", detail_draw, detail_key, NULL, false };

/* ---- Findings ---- */

static bool findings_split(void)
{
	return COLS >= SPLIT_COLS;
}

/* The list's width when side by side: half, but the list needs ~56 columns and more is wasted on it. */
static int findings_left_width(void)
{
	int left = COLS / 2;
	return left < 56 ? 56 : left > 84 ? 84 : left;
}

/* The rows of the list in rows [3, 3 + visible), `width` columns from the left edge. */
static void findings_list_draw(struct screen *s, struct wiz *w, const struct check_result **rows, int n,
			       int visible, int width)
{
	const struct check_report *r = &w->run.report;
	if (s->sel >= n)
		s->sel = n > 0 ? n - 1 : 0;
	if (s->sel < s->top)
		s->top = s->sel;
	if (s->sel >= s->top + visible)
		s->top = s->sel - visible + 1;
	int code_w = 22;
	for (int i = s->top, row = 3; i < n && row < 3 + visible; i++, row++) {
		const struct check_result *res = rows[i];
		if (i == s->sel)
			attron(A_REVERSE);
		mvhline(row, 0, ' ', width);
		hit_add(w, row, 0, width, i);
		if (!res) {
			put_fmt(row, 1, width - 2, "OK    %zu checks passed or skipped (p to show)",
				r->counts[CHECK_PASS] + r->counts[CHECK_SKIP]);
		} else {
			wiz_attr_on(w, status_pair(res->status), A_BOLD);
			put_fmt(row, 1, 4, "%-4s", check_status_label(res->status));
			wiz_attr_off(w, status_pair(res->status), A_BOLD);
			put_fmt(row, 7, code_w, "%s", res->code ? res->code : res->check->id);
			put_clipped(row, 7 + code_w + 1, res->summary ? res->summary : "", width - code_w - 9);
		}
		if (i == s->sel)
			attroff(A_REVERSE);
	}
	if (n == 0)
		put_clipped(4, 2, "Nothing matches the search.", width - 4);
}

/* Below SPLIT_COLS: the selected finding's whole summary under the list, so a narrow terminal shows it all. */
static void findings_selected_draw(const struct check_result *res)
{
	mvhline(LINES - 7, 0, ACS_HLINE, COLS);
	if (!res)
		return;
	int row = LINES - 6, skip = 0, width = COLS - 2 < READ_WIDTH ? COLS - 2 : READ_WIDTH;
	put_wrapped(&row, LINES - 3, 1, width, res->summary, &skip, 0);
	if (res->action && row < LINES - 2) {
		char buf[1024];
		snprintf(buf, sizeof buf, "Do: %s", res->action);
		put_wrapped(&row, LINES - 3, 1, width, buf, &skip, 4);
	}
}

/* From SPLIT_COLS on: the selected finding's detail in the right pane; "> " marks the focused pane. */
static void findings_detail_pane(struct screen *s, const struct check_result *res, int left)
{
	bool focus = s->focus == FOCUS_DETAIL;
	mvvline(2, left, ACS_VLINE, LINES - 4);
	if (focus)
		attron(A_BOLD);
	put_fmt(2, left + 2, COLS - left - 3, "%sDetail%s", focus ? "> " : "", focus ? "" : "  (Tab)");
	if (focus)
		attroff(A_BOLD);
	if (res)
		detail_pane(res, &s->dtop, 3, LINES - 3, left + 2, COLS - left - 3);
	else if (s->show_passes)
		put_clipped(4, left + 2, "Select a finding to see its detail.", COLS - left - 3);
	else    /* the "N checks passed" row */
		put_clipped(4, left + 2, "Passed and skipped checks are hidden: Enter or p lists them.",
			    COLS - left - 3);
}

static void findings_draw(struct screen *s, struct wiz *w)
{
	if (s->summary) {
		draw_frame(w, "summary", "s list  Esc back  ? help  q quit");
		findings_summary_draw(w);
		return;
	}
	bool split = findings_split();
	int width = split ? findings_left_width() : COLS;
	const struct check_result *frows[256];
	int fn = findings_rows(s, w, frows, 256);
	bool fix = fn > 0 && s->sel < fn && fix_of_result(frows[s->sel]);      /* 'f' only where it does something */
	if (split)
		draw_frame(w, "findings", s->focus == FOCUS_DETAIL
			   ? (fix ? "Tab list  Up/Down scroll  f fix  Esc list  / search  s summary  ? help  q quit"
				  : "Tab list  Up/Down scroll  Esc list  / search  s summary  ? help  q quit")
			   : (fix ? "Tab detail  Up/Down move  f fix  / search  s summary  p passes  Esc start  ? help  q quit"
				  : "Tab detail  Up/Down move  / search  s summary  p passes  Esc start  ? help  q quit"));
	else
		draw_frame(w, "findings", fix ? "Enter detail  f fix  / search  s summary  p passes  Esc start  ? help  q quit"
					      : "Enter detail  / search  s summary  p passes  Esc start  ? help  q quit");
	const struct check_report *r = &w->run.report;
	const char *mark = split && s->focus == FOCUS_LIST ? "> " : "";
	/* A kept search replaces the counts: appended to them it was cut off at 80 columns. */
	if (s->search[0])
		put_fmt(2, 1, width - 2, "%sFindings matching search: %s   (Esc clears)", mark, s->search);
	else    /* the counts first: a long symptom title after them may be cut, they may not */
		put_fmt(2, 1, width - 2, "%s%zu failed, %zu warnings, %zu unknown, %zu passed - %s", mark,
			r->counts[CHECK_FAIL], r->counts[CHECK_WARN], r->counts[CHECK_UNKNOWN], r->counts[CHECK_PASS],
			w->run.pb->title);
	const struct check_result *rows[256];
	int n = findings_rows(s, w, rows, 256);
	findings_list_draw(s, w, rows, n, split ? LINES - 5 : LINES - 10, width);
	const struct check_result *sel = n > 0 ? rows[s->sel] : NULL;
	if (split)
		findings_detail_pane(s, sel, width);
	else
		findings_selected_draw(sel);
	if (s->searching) {
		mvhline(2, 0, ' ', width);
		put_fmt(2, 1, width - 2, "Search: %s_", s->search);
	}
}

static unsigned findings_search_key(struct screen *s, int key)
{
	size_t len = strlen(s->search);
	if (key == '\n' || key == '\r' || key == KEY_ENTER || key == KEY_ESC)
		s->searching = false;
	else if ((key == KEY_BACKSPACE || key == 127 || key == '\b') && len)
		s->search[len - 1] = '\0';
	else if (key >= 32 && key < 127 && len + 1 < sizeof s->search)
		s->search[len] = (char)key, s->search[len + 1] = '\0';
	s->sel = s->top = s->dtop = 0;
	return ACT_REDRAW;
}

/* Keys of the right pane while it has the focus: scroll; back or Tab returns to the list. */
static unsigned findings_detail_key(struct screen *s, int key)
{
	if (is_back(key) || key == '\t' || key == KEY_BTAB) {
		s->focus = FOCUS_LIST;
		return ACT_REDRAW;
	}
	int top = s->dtop;
	if (menu_move(&top, 1000, key, LINES - 6)) {
		s->dtop = top;
		return ACT_REDRAW;
	}
	return ACT_NONE;
}

/* Shrunk below the side-by-side width while the detail had the focus: it becomes its own screen again. */
static unsigned findings_resize(struct screen *s, struct wiz *w, const struct check_result *sel)
{
	if (findings_split() || s->focus != FOCUS_DETAIL)
		return ACT_REDRAW;
	s->focus = FOCUS_LIST;
	if (!sel || s->summary)
		return ACT_REDRAW;
	w->next = screen_new(&detail_ops);
	w->next->result = sel;
	w->next->top = s->dtop;
	return ACT_PUSH;
}

static unsigned findings_key(struct screen *s, struct wiz *w, int key)
{
	if (key == ERR)
		return ACT_NONE;
	const struct check_result *rows[256];
	int n = findings_rows(s, w, rows, 256);
	if (key == KEY_RESIZE)
		return findings_resize(s, w, n > 0 && s->sel < n ? rows[s->sel] : NULL);
	if (s->searching)
		return findings_search_key(s, key);
	if (s->summary) {
		if (key == 's' || is_back(key))
			s->summary = false;
		return ACT_REDRAW;
	}
	bool split = findings_split();
	if (!split)
		s->focus = FOCUS_LIST;
	if (key == 'f' && n > 0 && s->sel < n) {
		w->next = fix_screen_new(w, rows[s->sel]);
		return w->next ? ACT_PUSH : ACT_NONE;
	}
	if (split && s->focus == FOCUS_DETAIL && key != '/' && key != 's' && key != 'p')
		return findings_detail_key(s, key);
	int old = s->sel;
	if (menu_move(&s->sel, n, key, split ? LINES - 6 : LINES - 11)) {
		if (s->sel != old)
			s->dtop = 0;    /* the detail follows the selection, from its top */
		return ACT_REDRAW;
	}
	switch (key) {
	case '/': s->focus = FOCUS_LIST; s->searching = true; s->search[0] = '\0'; return ACT_REDRAW;
	case 's': s->summary = true; return ACT_REDRAW;
	case 'p': s->focus = FOCUS_LIST; s->show_passes = !s->show_passes; return ACT_REDRAW;
	case '\t': case KEY_BTAB:
		if (split) {
			s->focus = FOCUS_DETAIL;
			return ACT_REDRAW;
		}
		return ACT_NONE;
	default: break;
	}
	if (is_back(key)) {
		if (s->search[0]) {
			s->search[0] = '\0';
			return ACT_REDRAW;
		}
		return ACT_TO_START;
	}
	if (!is_enter(key) || n == 0)
		return ACT_NONE;
	if (!rows[s->sel]) {
		s->show_passes = true;
		return ACT_REDRAW;
	}
	if (split) {
		s->focus = FOCUS_DETAIL;
		return ACT_REDRAW;
	}
	w->next = screen_new(&detail_ops);
	w->next->result = rows[s->sel];
	return ACT_PUSH;
}

static const struct screen_ops findings_ops = { "findings", findings_draw, findings_key, NULL, true };

/* ---- Help ---- */

static const char *const help_lines[] = {
	"Every key of the wizard:",
	"",
	"Up, Down, j, k     move or scroll",
	"PgUp, PgDn, g, G   page, first, last",
	"Enter, Right       choose, answer, open a finding",
	"Esc, Backspace     back (from a walk: to the start)",
	"Tab                findings, 120+ columns: switch list and detail",
	"/                  search the findings (Enter keeps, Esc ends)",
	"s                  findings: one-screen summary",
	"p                  findings: show or hide passed checks",
	"f                  findings, detail: the fix (a applies; Tab, Space tick)",
	"? or F1            this help",
	"q                  quit (asks y/n while a walk is in progress)",
	"s (collecting)     skip asking libvirt (its checks say unknown)",
	"Mouse              click selects, click again opens, wheel scrolls",
	"                   (hold Shift to select text in most terminals)",
	"",
	"Status words: FAIL, WARN, ???? (unknown), INFO, SKIP, OK.",
	"Nothing is changed unless you apply a fix (f, then a, then y).",
};

#define N_HELP_LINES ((int)(sizeof help_lines / sizeof help_lines[0]))

/* The help from wrapped row `top` on; a narrow terminal wraps a key's text under its description column. */
static int help_render(int top, int last_row)
{
	int row = 2, skip = top, total = 0;
	for (int i = 0; i < N_HELP_LINES; i++)
		total += put_wrapped(&row, last_row, 2, COLS - 4, help_lines[i], &skip,
				     strstr(help_lines[i], "   ") ? 19 : 0);
	return total;
}

/* Scrollable: at 60x16 the keys do not all fit. */
static void help_draw(struct screen *s, struct wiz *w)
{
	int rows = LINES - 4;
	int total = help_render(s->top, LINES - 3);
	int max_top = total - rows > 0 ? total - rows : 0;
	if (s->top > max_top) {
		s->top = max_top;
		for (int y = 2; y < LINES - 2; y++)
			mvhline(y, 0, ' ', COLS);
		total = help_render(s->top, LINES - 3);
	}
	/* After the text, which never reaches the frame's rows: the hint depends on whether it scrolls. */
	draw_frame(w, "help", max_top ? "Up/Down scroll  Esc back  q quit" : "Esc back  q quit");
	if (max_top)
		put_fmt(LINES - 2, COLS - 12, 10, " %d/%d ", s->top + 1, total);
}

static unsigned help_key(struct screen *s, struct wiz *w, int key)
{
	(void)w;
	if (key == ERR)
		return ACT_NONE;
	if (is_back(key) || key == '?' || key == KEY_F(1) || is_enter(key))
		return ACT_POP;
	return menu_move(&s->top, 1000, key, LINES - 5) ? ACT_REDRAW : ACT_NONE;
}

static const struct screen_ops help_ops = { "help", help_draw, help_key, NULL, false };

/* ---- the loop ---- */

static void wiz_signal(int sig)
{
	wiz_signalled = sig;
}

static void wiz_fatal_hook(void)
{
	endwin();
}

static void wiz_colors(struct wiz *w)
{
	const char *nc = getenv("NO_COLOR");
	w->color = has_colors() && !(nc && *nc);
	if (!w->color)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_FAIL, COLOR_RED, -1);
	init_pair(PAIR_WARN, COLOR_YELLOW, -1);
	init_pair(PAIR_OK, COLOR_GREEN, -1);
	init_pair(PAIR_INFO, COLOR_CYAN, -1);
	init_pair(PAIR_TITLE, COLOR_WHITE, COLOR_BLUE);
	init_pair(PAIR_BANNER, COLOR_YELLOW, -1);
}

static int menu_cmp(const void *a, const void *b)
{
	const struct playbook *x = *(const struct playbook *const *)a, *y = *(const struct playbook *const *)b;
	return (x->order > y->order) - (x->order < y->order);
}

/* The symptoms, most common first, then full-scan ("Check everything") last. */
static void wiz_menu(struct wiz *w)
{
	const struct playbook *full = NULL;
	for (size_t i = 0; i < w->set->count && w->n_menu < 31; i++) {
		if (strcmp(w->set->items[i]->id, "full-scan") == 0)
			full = w->set->items[i];
		else
			w->menu[w->n_menu++] = w->set->items[i];
	}
	qsort(w->menu, w->n_menu, sizeof w->menu[0], menu_cmp);
	if (full)
		w->menu[w->n_menu++] = full;
}

static void wiz_draw(struct wiz *w)
{
	erase();
	w->n_hits = 0;
	if (COLS < MIN_COLS || LINES < MIN_LINES) {
		const char *msg = "terminal too small (need 60x16)";
		int len = (int)strlen(msg);
		mvaddnstr(LINES / 2, COLS > len ? (COLS - len) / 2 : 0, msg, COLS);
	} else {
		struct screen *top = w->stack[w->depth - 1];
		top->ops->draw(top, w);
		if (w->confirm_quit) {
			attron(A_REVERSE | A_BOLD);
			mvhline(LINES - 1, 0, ' ', COLS);
			put_clipped(LINES - 1, 1, "Quit vmdoctor and end this walk? (y/n)", COLS - 2);
			attroff(A_REVERSE | A_BOLD);
		}
	}
	wnoutrefresh(stdscr);
	doupdate();
}

static void wiz_pop(struct wiz *w)
{
	screen_free(w->stack[--w->depth]);
}

static void wiz_push(struct wiz *w)
{
	if (w->depth < MAX_SCREENS)
		w->stack[w->depth++] = w->next;
	else
		screen_free(w->next);
	w->next = NULL;
}

/* Apply what a screen asked; returns false to leave the loop. */
static bool wiz_apply(struct wiz *w, unsigned act)
{
	if (act & ACT_QUIT)
		return false;
	if (act & ACT_TO_START)
		while (w->depth > 1)
			wiz_pop(w);
	if (act & ACT_POP && w->depth > 1)
		wiz_pop(w);
	/* The root is replaced too: the collecting screen gives way to the start screen. */
	if (act & ACT_REPLACE && w->next && w->depth > 0)
		wiz_pop(w);
	if (act & (ACT_PUSH | ACT_REPLACE) && w->next)
		wiz_push(w);
	return true;
}

static bool wiz_walking(const struct wiz *w)
{
	for (int i = 0; i < w->depth; i++)
		if (w->stack[i]->ops->walking)
			return true;
	return false;
}

/* Keys every screen shares: help, quit and its confirmation, resize. */
static unsigned wiz_global_key(struct wiz *w, int key, bool *handled)
{
	struct screen *top = w->stack[w->depth - 1];
	*handled = true;
	if (w->confirm_quit) {
		w->confirm_quit = false;
		return key == 'y' || key == 'Y' ? ACT_QUIT : ACT_REDRAW;
	}
	if (key == KEY_RESIZE) {
		/* The top screen may change its layout (findings side by side from SPLIT_COLS on). */
		*handled = COLS < MIN_COLS || LINES < MIN_LINES;
		return ACT_REDRAW;
	}
	if (COLS < MIN_COLS || LINES < MIN_LINES)
		return key == 'q' ? ACT_QUIT : ACT_NONE;
	bool typing = top->searching;
	if (!typing && (key == '?' || key == KEY_F(1)) && top->ops != &help_ops) {
		w->next = screen_new(&help_ops);
		return ACT_PUSH;
	}
	if (!typing && key == 'q') {
		if (!wiz_walking(w))
			return ACT_QUIT;
		w->confirm_quit = true;
		return ACT_REDRAW;
	}
	*handled = false;
	return ACT_NONE;
}

/* A wheel step is three Up/Down keys to the top screen; on the findings side by side, in the pane under it. */
static unsigned wiz_wheel(struct wiz *w, struct screen *top, int key)
{
	unsigned act = ACT_NONE;
	for (int i = 0; i < 3; i++)
		act |= top->ops->handle_key(top, w, key);
	return act;
}

/* A click selects a menu row, a click on the selected row opens it (so does a double click); the wheel
 * scrolls. On the findings side by side, a click or wheel in a pane gives it the focus. */
static unsigned wiz_mouse(struct wiz *w)
{
	MEVENT ev;
	if (getmouse(&ev) != OK || COLS < MIN_COLS || LINES < MIN_LINES)
		return ACT_NONE;
	struct screen *top = w->stack[w->depth - 1];
	bool split = top->ops == &findings_ops && findings_split() && !top->summary && !top->searching;
	if (split && ev.y >= 2 && ev.y < LINES - 2) {
		int focus = ev.x > findings_left_width() ? FOCUS_DETAIL : FOCUS_LIST;
		if (focus != top->focus && (ev.bstate & (BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED))) {
			top->focus = focus;
			if (focus == FOCUS_DETAIL && !(ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)))
				return ACT_REDRAW;
		}
	}
	if (ev.bstate & BUTTON4_PRESSED)
		return wiz_wheel(w, top, KEY_UP) | ACT_REDRAW;
	if (ev.bstate & BUTTON5_PRESSED)
		return wiz_wheel(w, top, KEY_DOWN) | ACT_REDRAW;
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED)))
		return ACT_NONE;
	int item = hit_find(w, ev.y, ev.x, -1);
	if (item < 0)
		return ACT_NONE;
	if (item == top->sel || (ev.bstate & BUTTON1_DOUBLE_CLICKED))
		return top->ops->handle_key(top, w, '\n');
	top->sel = item;
	top->dtop = 0;
	top->message = NULL;
	return ACT_REDRAW;
}

static void wiz_loop(struct wiz *w)
{
	bool go = true;
	wiz_draw(w);
	while (go && !wiz_signalled) {
		int key = getch();
		bool handled;
		unsigned act = key == ERR ? ACT_NONE : wiz_global_key(w, key, &handled);
		if (key == KEY_MOUSE) {
			act = handled ? act : wiz_mouse(w);
			handled = true;
		}
		if (key == ERR || !handled) {
			struct screen *top = w->stack[w->depth - 1];
			if (COLS >= MIN_COLS && LINES >= MIN_LINES)
				act = top->ops->handle_key(top, w, key);
		}
		if (key == KEY_RESIZE)
			act |= ACT_REDRAW;
		go = wiz_apply(w, act);
		if (go && act != ACT_NONE)
			wiz_draw(w);
	}
}

static void wiz_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = wiz_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* A terminal without cursor addressing (TERM=dumb, unknown TERM) cannot show screens: the caller falls back. */
static bool wiz_terminal_usable(void)
{
	int err = 0;
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK)
		return false;
	const char *cup = tigetstr("cup");
	bool ok = cup && cup != (char *)-1 && !tigetflag("hc");
	del_curterm(cur_term);
	cur_term = NULL;
	return ok;
}

/* Mouse only where the terminal reports it (kmous); presses, not clicks, so no click delay is waited for. */
static bool wiz_mouse_on(void)
{
	mouseinterval(0);
	mmask_t want = BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED;
	if (mousemask(want, NULL) == 0 || !has_mouse()) {
		mousemask(0, NULL);
		return false;
	}
	return true;
}

int wizard_run(const struct wizard_env *env)
{
	struct wiz w;
	memset(&w, 0, sizeof w);
	w.env = env;
	w.set = env->set;
	wiz_menu(&w);
	setlocale(LC_ALL, "");
	if (!wiz_terminal_usable())
		return WIZARD_NO_TERMINAL;
	if (!initscr()) {
		fprintf(stderr, "vmdoctor: wizard: could not start the terminal\n");
		return 3;
	}
	xalloc_set_fatal_hook(wiz_fatal_hook);
	wiz_signals();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	timeout(TICK_MS);
	wiz_colors(&w);
	w.mouse = wiz_mouse_on();
	w.stack[w.depth++] = collect_begin(&w, start_new);
	wiz_loop(&w);
	while (w.depth > 0)
		wiz_pop(&w);
	if (w.running)
		playbook_run_free(&w.run);
	endwin();
	/* After endwin: the terminal is back at once, even if the worker still needs a moment to stop. */
	collect_end(&w);
	xalloc_set_fatal_hook(NULL);
	/* Killed by a signal: the shell convention 128 + N, after the terminal is back. */
	return wiz_signalled ? 128 + wiz_signalled : 0;
}
