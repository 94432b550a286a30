/* SPDX-License-Identifier: MIT */
/* The inside of the wizard: the screen vtable, the wizard state and the drawing helpers every screen shares.
 * A screen is a small table of functions (draw, handle_key, destroy); tui/wizard.c owns the one event loop. */
#ifndef VMDOCTOR_TUI_WIZARD_PRIVATE_H
#define VMDOCTOR_TUI_WIZARD_PRIVATE_H

#include <curses.h>
#include <stdbool.h>

#include "tui/wizard.h"
#include "vmdoctor/check.h"
#include "vmdoctor/playbook.h"

#define MIN_COLS 60
#define MIN_LINES 16
#define MAX_SCREENS 8
#define KEY_ESC 27
#define TICK_MS 100
#define READ_WIDTH 110

/* What handle_key asks the loop to do next. */
enum {
	ACT_NONE = 0,
	ACT_REDRAW = 1 << 0,
	ACT_PUSH = 1 << 1,      /* push wiz->next */
	ACT_POP = 1 << 2,
	ACT_REPLACE = 1 << 3,   /* pop, then push wiz->next */
	ACT_QUIT = 1 << 4,
	ACT_TO_START = 1 << 5,  /* pop to the start screen, ending the walk */
};

struct wiz;
struct screen;

struct screen_ops {
	const char *name;
	void (*draw)(struct screen *s, struct wiz *w);
	/* `key` is ERR on a tick (no key for TICK_MS). */
	unsigned (*handle_key)(struct screen *s, struct wiz *w, int key);
	void (*destroy)(struct screen *s);
	bool walking;           /* quitting here loses a walk: ask first */
};

struct screen {
	const struct screen_ops *ops;
	int sel, top;           /* menu selection and first row shown */
	char search[64];
	bool searching, summary, show_passes;
	const struct check_result *result;      /* the detail screen's result */
	const char *message;    /* a one-line note at the bottom */
	int focus, dtop;        /* findings at >= SPLIT_COLS: FOCUS_LIST or FOCUS_DETAIL, and the detail's scroll */
};

struct wiz {
	const struct facts *facts;
	const struct playbook_set *set;
	const struct playbook *menu[32];
	size_t n_menu;
	struct playbook_run run;
	bool running;
	struct screen *stack[MAX_SCREENS];
	int depth;
	struct screen *next;
	bool color, confirm_quit;
	/* facts collection on a worker thread (tui/screen_collect.c) */
	const struct wizard_env *env;
	struct wiz_collect *collect;
	/* mouse targets of the last draw: a click on row y, columns [x0, x1) means item `item` of the top screen */
	struct wiz_hit { int y, x0, x1, item; } hits[64];
	int n_hits;
	bool mouse;
	/* the start menu's "Resume: verify <fix> after the reboot" item (tui/screen_fix.c), read once per change */
	bool resume_checked;
	char resume_label[200];
};

/* Findings side by side with the detail from this width on; below it the detail is its own screen. */
#define SPLIT_COLS 120
enum { FOCUS_LIST = 0, FOCUS_DETAIL = 1 };

/* ---- screens in their own files ---- */

/* tui/screen_collect.c: start collecting on a worker thread and return the "Collecting facts" screen, which
 * replaces itself with `start` once the facts are in (w->facts is set then). */
struct screen *collect_begin(struct wiz *w, struct screen *(*start)(struct wiz *w));
/* Ask the worker to stop soon (skip libvirt) and wait for it; safe when none runs. */
void collect_end(struct wiz *w);

/* tui/screen_fix.c: the fix of a finding (NULL when none repairs its code), its screen (plan, apply, output,
 * re-check, checklist), the start menu's resume item (NULL when nothing is saved) and its verify screen. */
const struct fix_def *fix_of_result(const struct check_result *res);
struct screen *fix_screen_new(struct wiz *w, const struct check_result *res);
const char *resume_item(struct wiz *w);
struct screen *resume_screen_new(struct wiz *w);
/* tui/screen_bundle.c: "Create a support bundle" (NULL when the CLI cannot write one here). */
struct screen *bundle_screen_new(struct wiz *w);

enum { PAIR_FAIL = 1, PAIR_WARN, PAIR_OK, PAIR_INFO, PAIR_TITLE, PAIR_BANNER };

/* ---- drawing helpers (tui/draw.c) ---- */

int status_pair(enum check_status st);
void wiz_attr_on(const struct wiz *w, int pair, attr_t extra);
void wiz_attr_off(const struct wiz *w, int pair, attr_t extra);
/* Print at most `width` columns of `text` (bytes are enough: multibyte text is only clipped shorter). */
void put_clipped(int y, int x, const char *text, int width);
void put_fmt(int y, int x, int width, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Title bar on row 0, a line under it, and the key hints on the last row. */
void draw_frame(const struct wiz *w, const char *title, const char *keys);
/* Wrap `text` at `width` into the rows from `*row`, skipping the first `skip` wrapped rows; returns rows used. */
int put_wrapped(int *row, int last_row, int x, int width, const char *text, int *skip, int indent);
struct screen *screen_new(const struct screen_ops *ops);
void screen_free(struct screen *s);
/* Move a selection within [0, n) by a key; returns true when the key was a movement key. */
bool menu_move(int *sel, int n, int key, int page);
bool is_back(int key);
bool is_enter(int key);
/* Remember that a click on row y, columns [x, x + width) means `item` (a row of the top screen's menu). */
void hit_add(struct wiz *w, int y, int x, int width, int item);
/* The item at (y, x) of the last draw, or `none`. */
int hit_find(const struct wiz *w, int y, int x, int none);

#endif
