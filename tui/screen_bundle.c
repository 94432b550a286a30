/* SPDX-License-Identifier: MIT */
/* The wizard's "Create a support bundle" screen: output path, redaction, a progress bar, then path, size and hash. */
#include "tui/wizard_private.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmdoctor/xalloc.h"

enum bundle_phase { BP_FORM, BP_CONFIRM, BP_WRITING, BP_DONE, BP_FAILED };
enum { ROW_PATH, ROW_REDACT, ROW_WRITE, N_ROWS };

struct bundle_screen {
	struct screen base;             /* first: the loop frees it as a struct screen */
	struct wiz *w;                  /* for drawing from the progress callback */
	enum bundle_phase phase;
	char path[4096];                /* typed by the person; empty: the writer's default name */
	char folder[4096];              /* where the default name goes (the current folder) */
	bool typed;                     /* the person chose a path */
	bool redact;            /* base.searching: the path is being typed (the loop's global keys stay off) */
	char stage[64];
	unsigned long long done, total;
	struct wizard_bundle_result result;
};

/* Said before an unredacted bundle is written, like `vmdoctor bundle --no-redact` says it. */
static const char *const unredacted_lines[] = {
	"This bundle is NOT redacted. It holds your user name, host name, IP and MAC",
	"addresses, DMI serials, the files the checks read (/etc/passwd, /etc/group),",
	"the kernel log and hypervisor configs, which may hold VNC/VRDE passwords.",
};

static void bundle_bar(int row, int width, unsigned long long done, unsigned long long total)
{
	int inner = width - 8;
	int fill = total ? (int)((double)done / (double)total * inner) : 0;
	mvaddch(row, 1, '[');
	for (int i = 0; i < inner; i++)
		mvaddch(row, 2 + i, i < fill ? '#' : '.');
	mvaddch(row, 2 + inner, ']');
	if (total)
		put_fmt(row, 4 + inner, 5, "%3d%%", (int)(100.0 * (double)done / (double)total));
}

static void bundle_warning(const struct wiz *w, int *row)
{
	wiz_attr_on(w, PAIR_FAIL, A_BOLD);
	for (size_t i = 0; i < sizeof unredacted_lines / sizeof unredacted_lines[0]; i++)
		put_clipped((*row)++, 1, unredacted_lines[i], COLS - 2);
	wiz_attr_off(w, PAIR_FAIL, A_BOLD);
}

static void bundle_form_draw(struct bundle_screen *b, struct wiz *w, int row)
{
	const char *labels[N_ROWS] = { NULL, NULL, "[ Write the bundle ]" };
	char redact[160];
	if (w->env->can_redact)
		snprintf(redact, sizeof redact, "Redact names, addresses and secrets: %s", b->redact ? "yes" : "NO");
	else
		snprintf(redact, sizeof redact, "Redaction: not built yet - this bundle will NOT be redacted");
	labels[ROW_REDACT] = redact;
	for (int i = 0; i < N_ROWS; i++, row += 2) {
		if (i == b->base.sel)
			attron(A_REVERSE);
		if (i == ROW_PATH && !b->typed)
			put_fmt(row, 2, COLS - 4, "%c Output: the default name (as vmdoctor bundle) in %s",
				i == b->base.sel ? '>' : ' ', b->folder);
		else if (i == ROW_PATH)
			put_fmt(row, 2, COLS - 4, "%c Output: %s%s", i == b->base.sel ? '>' : ' ', b->path,
				b->base.searching ? "_" : "");
		else
			put_fmt(row, 2, COLS - 4, "%c %s", i == b->base.sel ? '>' : ' ', labels[i]);
		if (i == b->base.sel)
			attroff(A_REVERSE);
		/* Our own output file, not the host: a second bundle the same day would replace the first. */
		if (i == ROW_PATH && b->typed && b->path[0] && access(b->path, F_OK) == 0)
			put_clipped(row + 1, 12, "(exists: writing replaces it)", COLS - 14);
	}
	if (!b->redact || !w->env->can_redact)
		bundle_warning(w, &row);
	if (b->base.message)
		put_clipped(LINES - 3, 1, b->base.message, COLS - 2);
}

static void bundle_draw(struct screen *s, struct wiz *w)
{
	struct bundle_screen *b = (struct bundle_screen *)s;
	static const char *const keys[] = {
		[BP_FORM] = "Up/Down move  Enter edit/toggle/write  Esc back  ? help  q quit",
		[BP_CONFIRM] = "y write it  any other key: no",
		[BP_WRITING] = "Writing the bundle...",
		[BP_DONE] = "Esc back  q quit",
		[BP_FAILED] = "Enter try again  Esc back  q quit",
	};
	draw_frame(w, "support bundle", b->base.searching ? "type the path  Enter done  Ctrl-U clear" : keys[b->phase]);
	int row = 3, intro_skip = 0;
	/* Wrapped, not clipped: at 60 columns the command at the end must still be readable. */
	put_wrapped(&row, LINES - 3, 1, COLS - 2, "One archive with what the checks read, their report and a manifest, "
		    "for someone else to diagnose with: vmdoctor check --snapshot FILE", &intro_skip, 0);
	row++;
	if (b->phase == BP_FORM || b->phase == BP_CONFIRM) {
		bundle_form_draw(b, w, row);
		if (b->phase == BP_CONFIRM) {
			attron(A_REVERSE | A_BOLD);
			mvhline(LINES - 1, 0, ' ', COLS);
			put_clipped(LINES - 1, 1, "Write this UNREDACTED bundle? (y/N)", COLS - 2);
			attroff(A_REVERSE | A_BOLD);
		}
		return;
	}
	put_fmt(row++, 1, COLS - 2, "Output: %s", b->typed ? b->path : "the default name");
	row++;
	if (b->phase == BP_WRITING) {
		put_fmt(row++, 1, COLS - 2, "%s...", b->stage[0] ? b->stage : "Starting");
		bundle_bar(row++, COLS - 2 < READ_WIDTH ? COLS - 2 : READ_WIDTH, b->done, b->total);
	} else if (b->phase == BP_DONE) {
		bundle_bar(row++, COLS - 2 < READ_WIDTH ? COLS - 2 : READ_WIDTH, 1, 1);
		row++;
		wiz_attr_on(w, PAIR_OK, A_BOLD);
		put_clipped(row++, 1, "Bundle written.", COLS - 2);
		wiz_attr_off(w, PAIR_OK, A_BOLD);
		put_fmt(row++, 1, COLS - 2, "Path:    %s", b->result.path);
		/* What the progress reports counted: the members' bytes before compression. */
		put_fmt(row++, 1, COLS - 2, "Size:    %llu bytes (%llu bytes before compression)", b->result.size, b->total);
		put_fmt(row++, 1, COLS - 2, "SHA-256: %s", b->result.sha256);
		row++;
		if (b->result.map_path[0]) {
			put_clipped(row++, 1, "Redacted. The map back to the real names (keep it, never send it):", COLS - 2);
			int skip = 0;
			put_wrapped(&row, LINES - 3, 3, COLS - 4, b->result.map_path, &skip, 0);
		}
		if (!b->redact || !w->env->can_redact)
			bundle_warning(w, &row);
	} else {
		wiz_attr_on(w, PAIR_FAIL, A_BOLD);
		put_clipped(row++, 1, "The bundle was not written:", COLS - 2);
		wiz_attr_off(w, PAIR_FAIL, A_BOLD);
		int skip = 0;
		put_wrapped(&row, LINES - 3, 1, COLS - 2, b->result.why, &skip, 2);
	}
}

/* Called by the bundle writer between members: the loop is blocked meanwhile, so draw right here. */
static void bundle_progress(void *pctx, const char *stage, unsigned long long done, unsigned long long total)
{
	struct bundle_screen *b = pctx;
	snprintf(b->stage, sizeof b->stage, "%s", stage);
	b->done = done;
	b->total = total;
	erase();
	bundle_draw(&b->base, b->w);
	wnoutrefresh(stdscr);
	doupdate();
}

static void bundle_write(struct bundle_screen *b, struct wiz *w)
{
	b->phase = BP_WRITING;
	b->w = w;
	b->stage[0] = '\0';
	b->done = b->total = 0;
	memset(&b->result, 0, sizeof b->result);
	bundle_progress(b, "Starting", 0, 0);
	bool redact = b->redact && w->env->can_redact;
	/* The bundle writer's own SIGINT handler removes its temporary file and re-raises, which would leave this
	 * terminal in curses mode: the signals wait until the bundle is written, then the loop quits cleanly. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	const char *output = b->typed ? b->path : NULL;
	int rc = w->env->bundle(w->env->actions_ctx, output, redact, bundle_progress, b, &b->result);
	sigprocmask(SIG_SETMASK, &old, NULL);
	b->phase = rc == 0 ? BP_DONE : BP_FAILED;
}

static unsigned bundle_edit_key(struct bundle_screen *b, int key)
{
	size_t len = strlen(b->path);
	if (key == '\n' || key == '\r' || key == KEY_ENTER || key == KEY_ESC)
		b->base.searching = false;
	else if ((key == KEY_BACKSPACE || key == 127 || key == '\b') && len)
		b->path[len - 1] = '\0';
	else if (key == 21)     /* Ctrl-U clears the field, as in a shell */
		b->path[0] = '\0';
	else if (key >= 32 && key < 127 && len + 1 < sizeof b->path)
		b->path[len] = (char)key, b->path[len + 1] = '\0';
	return ACT_REDRAW;
}

static unsigned bundle_form_key(struct bundle_screen *b, struct wiz *w, int key)
{
	if (is_back(key))
		return ACT_POP;
	if (menu_move(&b->base.sel, N_ROWS, key, 1))
		return ACT_REDRAW;
	bool choose = is_enter(key) || key == ' ';
	if (!choose)
		return ACT_NONE;
	switch (b->base.sel) {
	case ROW_PATH:
		/* Typing starts in the default's folder: most people only change the name. */
		if (!b->typed)
			snprintf(b->path, sizeof b->path, "%.4000s/", strcmp(b->folder, "/") ? b->folder : "");
		b->typed = true;
		b->base.searching = true;
		return ACT_REDRAW;
	case ROW_REDACT: b->redact = w->env->can_redact && !b->redact; return ACT_REDRAW;
	default: break;
	}
	if (b->typed && !b->path[0]) {
		b->base.message = "Give an output path first.";
		return ACT_REDRAW;
	}
	if (!b->redact || !w->env->can_redact) {
		b->phase = BP_CONFIRM;
		return ACT_REDRAW;
	}
	bundle_write(b, w);
	return ACT_REDRAW;
}

static unsigned bundle_key(struct screen *s, struct wiz *w, int key)
{
	struct bundle_screen *b = (struct bundle_screen *)s;
	if (key == ERR)
		return ACT_NONE;
	if (b->base.searching)
		return bundle_edit_key(b, key);
	switch (b->phase) {
	case BP_FORM:
		return bundle_form_key(b, w, key);
	case BP_CONFIRM:
		if (key == 'y' || key == 'Y')
			bundle_write(b, w);
		else
			b->phase = BP_FORM;
		return ACT_REDRAW;
	case BP_FAILED:
		if (is_enter(key)) {
			b->phase = BP_FORM;
			return ACT_REDRAW;
		}
		return is_back(key) ? ACT_POP : ACT_NONE;
	default:
		return is_back(key) ? ACT_POP : ACT_NONE;
	}
}

static const struct screen_ops bundle_ops = { "bundle", bundle_draw, bundle_key, NULL, false };

struct screen *bundle_screen_new(struct wiz *w)
{
	if (!w->env->bundle)
		return NULL;
	struct bundle_screen *b = xcalloc(1, sizeof *b);
	b->base.ops = &bundle_ops;
	b->redact = w->env->can_redact;
	b->base.sel = ROW_WRITE;
	if (w->env->bundle_default)
		w->env->bundle_default(w->env->actions_ctx, b->folder, sizeof b->folder);
	return &b->base;
}
