/* SPDX-License-Identifier: MIT */
/* Drawing helpers shared by the wizard's screens: colours, clipped and wrapped text, the frame, menus, keys. */
#include "tui/wizard_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmdoctor/xalloc.h"


int status_pair(enum check_status st)
{
	static const int pairs[CHECK_STATUS_COUNT] = {
		[CHECK_PASS] = PAIR_OK, [CHECK_SKIP] = PAIR_INFO, [CHECK_INFO] = PAIR_INFO,
		[CHECK_UNKNOWN] = PAIR_WARN, [CHECK_WARN] = PAIR_WARN, [CHECK_FAIL] = PAIR_FAIL,
	};
	return pairs[st];
}

void wiz_attr_on(const struct wiz *w, int pair, attr_t extra)
{
	attron(extra | (w->color ? COLOR_PAIR(pair) : 0));
}

void wiz_attr_off(const struct wiz *w, int pair, attr_t extra)
{
	attroff(extra | (w->color ? COLOR_PAIR(pair) : 0));
}

/* Print at most `width` columns of `text` (bytes are enough: multibyte text is only clipped shorter). */
void put_clipped(int y, int x, const char *text, int width)
{
	if (width <= 0 || y >= LINES)
		return;
	mvaddnstr(y, x, text, width);
}

void put_fmt(int y, int x, int width, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	put_clipped(y, x, buf, width);
}

/* Title bar on row 0, a line under it, and the key hints on the last row. */
void draw_frame(const struct wiz *w, const char *title, const char *keys)
{
	wiz_attr_on(w, PAIR_TITLE, A_BOLD);
	mvhline(0, 0, ' ', COLS);
	put_fmt(0, 1, COLS - 2, "vmdoctor - %s", title);
	wiz_attr_off(w, PAIR_TITLE, A_BOLD);
	mvhline(1, 0, ACS_HLINE, COLS);
	mvhline(LINES - 2, 0, ACS_HLINE, COLS);
	attron(A_REVERSE);
	mvhline(LINES - 1, 0, ' ', COLS);
	put_clipped(LINES - 1, 1, keys, COLS - 2);
	attroff(A_REVERSE);
}

/* Wrap `text` at `width` into the rows from `*row`, skipping the first `skip` wrapped rows; returns rows used. */
int put_wrapped(int *row, int last_row, int x, int width, const char *text, int *skip, int indent)
{
	int used = 0;
	const char *p = text ? text : "";
	do {
		int avail = width - (used ? indent : 0);
		if (avail < 10)
			avail = 10;
		int len = (int)strcspn(p, "\n");
		int cut = len;
		if (cut > avail) {
			cut = avail;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = avail;
		}
		if (*skip > 0) {
			(*skip)--;
		} else if (*row <= last_row) {
			mvaddnstr(*row, x + (used ? indent : 0), p, cut);
			(*row)++;
		} else {
			(*row)++;
		}
		used++;
		p += cut;
		while (*p == ' ')
			p++;
		if (*p == '\n')
			p++;
	} while (*p);
	return used;
}

struct screen *screen_new(const struct screen_ops *ops)
{
	struct screen *s = xcalloc(1, sizeof *s);
	s->ops = ops;
	return s;
}

void screen_free(struct screen *s)
{
	if (s->ops->destroy)
		s->ops->destroy(s);
	free(s);
}

/* Move a selection within [0, n) by a key; returns true when the key was a movement key. */
bool menu_move(int *sel, int n, int key, int page)
{
	switch (key) {
	case KEY_UP: case 'k': *sel = *sel > 0 ? *sel - 1 : 0; return true;
	case KEY_DOWN: case 'j': *sel = *sel + 1 < n ? *sel + 1 : (n > 0 ? n - 1 : 0); return true;
	case KEY_HOME: case 'g': *sel = 0; return true;
	case KEY_END: case 'G': *sel = n > 0 ? n - 1 : 0; return true;
	case KEY_PPAGE: *sel = *sel > page ? *sel - page : 0; return true;
	case KEY_NPAGE: *sel = *sel + page < n ? *sel + page : (n > 0 ? n - 1 : 0); return true;
	default: return false;
	}
}

bool is_back(int key)
{
	return key == KEY_ESC || key == KEY_BACKSPACE || key == 127 || key == '\b' || key == KEY_LEFT || key == 'h';
}

bool is_enter(int key)
{
	return key == '\n' || key == '\r' || key == KEY_ENTER || key == KEY_RIGHT || key == 'l';
}

/* Remember that a click on row y, columns [x, x + width) means `item` (a row of the top screen's menu). */
void hit_add(struct wiz *w, int y, int x, int width, int item)
{
	if (w->n_hits >= (int)(sizeof w->hits / sizeof w->hits[0]) || width <= 0)
		return;
	w->hits[w->n_hits++] = (struct wiz_hit){ .y = y, .x0 = x, .x1 = x + width, .item = item };
}

/* The item at (y, x) of the last draw, or `none`. */
int hit_find(const struct wiz *w, int y, int x, int none)
{
	int found = none;
	for (int i = 0; i < w->n_hits; i++)
		if (y == w->hits[i].y && x >= w->hits[i].x0 && x < w->hits[i].x1)
			found = w->hits[i].item;
	return found;
}
