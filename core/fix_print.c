/* SPDX-License-Identifier: MIT */
/* Showing a fix plan: needs, unified diffs of file steps, argv of commands, manual text, and each undo. */
#include <stdlib.h>
#include <string.h>

#include "vmdoctor/fix.h"
#include "vmdoctor/xalloc.h"

struct lines {
	const char **at;        /* start of each line */
	size_t *len;            /* length without the newline */
	size_t n;
};

static void lines_split(const char *text, struct lines *l)
{
	size_t cap = 1;
	for (const char *p = text; p && *p; p++)
		cap += *p == '\n';
	l->at = xcalloc(cap, sizeof *l->at);
	l->len = xcalloc(cap, sizeof *l->len);
	l->n = 0;
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		l->at[l->n] = p;
		l->len[l->n++] = len;
		p += len + (eol ? 1 : 0);
	}
}

static bool line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->at[i], b->at[j], a->len[i]) == 0;
}

static void put(FILE *out, char mark, const struct lines *l, size_t i)
{
	fprintf(out, "%c%.*s\n", mark, (int)l->len[i], l->at[i]);
}

/* One hunk over the whole file: common head and tail as context, the changed middle as -/+ lines. */
void fix_diff_print(FILE *out, const char *path, const char *old_text, const char *new_text)
{
	struct lines a, b;
	lines_split(old_text, &a);
	lines_split(new_text, &b);
	size_t head = 0, tail = 0;
	while (head < a.n && head < b.n && line_eq(&a, head, &b, head))
		head++;
	while (tail < a.n - head && tail < b.n - head && line_eq(&a, a.n - 1 - tail, &b, b.n - 1 - tail))
		tail++;
	fprintf(out, "--- %s\n+++ %s\n", old_text ? path : "/dev/null", path);
	fprintf(out, "@@ -%zu,%zu +%zu,%zu @@\n", a.n ? (size_t)1 : 0, a.n, b.n ? (size_t)1 : 0, b.n);
	for (size_t i = 0; i < head; i++)
		put(out, ' ', &a, i);
	for (size_t i = head; i < a.n - tail; i++)
		put(out, '-', &a, i);
	for (size_t i = head; i < b.n - tail; i++)
		put(out, '+', &b, i);
	for (size_t i = a.n - tail; i < a.n; i++)
		put(out, ' ', &a, i);
	free(a.at);
	free(a.len);
	free(b.at);
	free(b.len);
}

static void print_argv(FILE *out, char *const *argv)
{
	for (size_t i = 0; argv[i]; i++)
		fprintf(out, "%s%s", i ? " " : "", argv[i]);
}

void fix_plan_print(FILE *out, const struct fix_plan *plan)
{
	fprintf(out, "Fix %s: %s\n", plan->fix->id, plan->fix->title);
	fprintf(out, "Needs:");
	bool any = false;
	for (unsigned bit = 1; bit <= CODE_NEEDS_OUTER_HOST; bit <<= 1) {
		if (plan->needs & bit) {
			fprintf(out, " %s", code_need_name(bit));
			any = true;
		}
	}
	fprintf(out, "%s\n", any ? "" : " nothing special");
	for (size_t i = 0; i < plan->n_steps; i++) {
		const struct fix_step *s = &plan->steps[i];
		fprintf(out, "\nStep %zu: %s\n", i + 1, s->what);
		switch (s->kind) {
		case FIX_STEP_FILE:
			fprintf(out, "  %s %s:\n", s->old_content ? "edit" : "create", s->path);
			fix_diff_print(out, s->path, s->old_content, s->new_content);
			break;
		case FIX_STEP_COMMAND:
			fprintf(out, "  run: ");
			print_argv(out, s->argv);
			fprintf(out, "\n");
			break;
		case FIX_STEP_MANUAL:
			fprintf(out, "  by hand: %s\n", s->text);
			break;
		case FIX_STEP_LIBVIRT:
			fprintf(out, "  libvirt: %s %s (at %s)\n", host_libvirt_action_name(s->libvirt_action),
				s->libvirt_name, s->libvirt_uri);
			break;
		case FIX_STEP_SET_ASIDE:
			fprintf(out, "  move %s into the run's backups\n", s->path);
			break;
		}
		fprintf(out, "  undo: %s\n", s->undo);
	}
}
