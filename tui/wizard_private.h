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
};

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

#endif
