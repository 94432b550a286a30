/* SPDX-License-Identifier: MIT */
/* "Collecting facts": the caller's collect function runs on a worker thread while this screen shows each
 * area's live status; keys stay live, and 's' skips the slow libvirt step through the caller's skip hook. */
#include "tui/wizard_private.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmdoctor/xalloc.h"

enum area_state { AREA_PENDING, AREA_RUNNING, AREA_DONE, AREA_SKIPPED };

/* Shared with the worker: only atomics cross threads; `facts` is read after `finished` is seen. */
struct wiz_collect {
	pthread_t thread;
	bool started, joined;
	atomic_int state[FACTS_AREA_COUNT];
	atomic_bool finished;
	atomic_bool skip_asked;
	long area_start_ms[FACTS_AREA_COUNT];   /* main thread only: when it first saw the area running */
	const struct wizard_env *env;
	struct screen *(*start)(struct wiz *w);
};

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void collect_progress(void *ctx, enum facts_area area, bool done)
{
	struct wiz_collect *c = ctx;
	if ((unsigned)area >= FACTS_AREA_COUNT)
		return;
	int st = AREA_RUNNING;
	/* On the worker thread, which owns the facts until it finishes: it may read what it just wrote. */
	if (done)
		st = area == FACTS_AREA_LIBVIRT && c->env->facts->libvirt.err == -ECANCELED ? AREA_SKIPPED : AREA_DONE;
	atomic_store(&c->state[area], st);
}

static void *collect_thread(void *arg)
{
	struct wiz_collect *c = arg;
	c->env->collect(c->env->ctx, c->env->facts, collect_progress, c);
	atomic_store(&c->finished, true);
	return NULL;
}

/* The worker must not take the wizard's signals (SIGINT, SIGTERM, SIGHUP set a flag the loop reads; SIGWINCH
 * is ncurses'): it starts with them blocked, and keeps the mask it had otherwise. */
static bool collect_spawn(struct wiz_collect *c)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	bool ok = pthread_create(&c->thread, NULL, collect_thread, c) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ok;
}

static void collect_join(struct wiz_collect *c)
{
	if (c->started && !c->joined) {
		pthread_join(c->thread, NULL);
		c->joined = true;
	}
}

static const char *area_label(enum area_state st)
{
	static const char *const labels[] = {
		[AREA_PENDING] = "....", [AREA_RUNNING] = "RUN ", [AREA_DONE] = "DONE", [AREA_SKIPPED] = "SKIP",
	};
	return labels[st];
}

static int area_pair(enum area_state st)
{
	static const int pairs[] = {
		[AREA_PENDING] = 0, [AREA_RUNNING] = PAIR_INFO, [AREA_DONE] = PAIR_OK, [AREA_SKIPPED] = PAIR_WARN,
	};
	return pairs[st];
}

/* "[#######.......]  3 of 7" on `row`, at most `width` columns. */
static void draw_progress(int row, int width, int done, int total)
{
	char bar[256];
	int inner = width - 14 > 60 ? 60 : width - 14;
	if (inner < 10)
		inner = 10;
	int fill = total ? inner * done / total : 0;
	int n = 0;
	bar[n++] = '[';
	for (int i = 0; i < inner && n < (int)sizeof bar - 2; i++)
		bar[n++] = i < fill ? '#' : '.';
	bar[n++] = ']';
	bar[n] = '\0';
	put_fmt(row, 1, width, "%s  %d of %d", bar, done, total);
}

static bool libvirt_skippable(const struct wiz *w)
{
	const struct wiz_collect *c = w->collect;
	int st = atomic_load(&c->state[FACTS_AREA_LIBVIRT]);
	return c->env->skip_libvirt && !atomic_load(&c->skip_asked) && (st == AREA_PENDING || st == AREA_RUNNING);
}

static void collect_draw(struct screen *s, struct wiz *w)
{
	(void)s;
	struct wiz_collect *c = w->collect;
	bool skippable = libvirt_skippable(w);
	draw_frame(w, "collecting facts", skippable ? "s skip libvirt  ? help  q quit" : "? help  q quit");
	/* Short enough for 60 columns, so that at 60x16 every area and the bar still fit. */
	int width = COLS - 2, row = 3, done = 0;
	put_clipped(row++, 1, "Collecting facts (only reading, nothing is changed)", width);
	row++;
	long now = now_ms();
	for (int a = 0; a < FACTS_AREA_COUNT; a++) {
		int st = atomic_load(&c->state[a]);
		done += st == AREA_DONE || st == AREA_SKIPPED;
	}
	for (int a = 0; a < FACTS_AREA_COUNT && row < LINES - 2; a++, row++) {
		int st = atomic_load(&c->state[a]);
		if (st == AREA_RUNNING && !c->area_start_ms[a])
			c->area_start_ms[a] = now;
		wiz_attr_on(w, area_pair(st), A_BOLD);
		put_fmt(row, 2, 4, "%s", area_label(st));
		wiz_attr_off(w, area_pair(st), A_BOLD);
		const char *name = facts_area_name((enum facts_area)a);
		if (st == AREA_RUNNING && a == FACTS_AREA_LIBVIRT)
			put_fmt(row, 8, width - 8, "%s: asking the daemon... %.1f s%s", name,
				(double)(now - c->area_start_ms[a]) / 1000.0, skippable ? "  (s skips)" : "  (skipping)");
		else if (st == AREA_SKIPPED)
			put_fmt(row, 8, width - 8, "%s: skipped by the user", name);
		else
			put_clipped(row, 8, name, width - 8);
	}
	row++;
	if (row < LINES - 2)
		draw_progress(row, width, done, FACTS_AREA_COUNT);
}

static unsigned collect_key(struct screen *s, struct wiz *w, int key)
{
	(void)s;
	struct wiz_collect *c = w->collect;
	if (key == 's' && libvirt_skippable(w)) {
		atomic_store(&c->skip_asked, true);
		c->env->skip_libvirt(c->env->ctx);
		return ACT_REDRAW;
	}
	if (key != ERR)
		return ACT_NONE;
	if (!atomic_load(&c->finished))
		return ACT_REDRAW;      /* the statuses and the libvirt clock move */
	collect_join(c);
	w->facts = c->env->facts;
	w->next = c->start(w);
	return ACT_REPLACE;
}

static const struct screen_ops collect_ops = { "collect", collect_draw, collect_key, NULL, false };

struct screen *collect_begin(struct wiz *w, struct screen *(*start)(struct wiz *w))
{
	struct wiz_collect *c = xcalloc(1, sizeof *c);
	c->env = w->env;
	c->start = start;
	w->collect = c;
	if (!c->env->collect) {
		/* Collected before: nothing to wait for. */
		w->facts = c->env->facts;
		return start(w);
	}
	memset(c->env->facts, 0, sizeof *c->env->facts);
	c->started = collect_spawn(c);
	if (!c->started) {
		/* No thread: collect here, the screen shows it done. */
		collect_thread(c);
	}
	return screen_new(&collect_ops);
}

void collect_end(struct wiz *w)
{
	struct wiz_collect *c = w->collect;
	if (!c)
		return;
	if (c->started && !c->joined && !atomic_load(&c->finished) && c->env->skip_libvirt) {
		/* Quitting while collecting: the libvirt deadline should not hold the exit up. */
		atomic_store(&c->skip_asked, true);
		c->env->skip_libvirt(c->env->ctx);
	}
	collect_join(c);
	free(c);
	w->collect = NULL;
}
