/* SPDX-License-Identifier: MIT */
/* Loading and validating playbooks: libyaml documents into structs, every error with file, line and column. */
#include "vmdoctor/playbook.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "vmdoctor/xalloc.h"

/* A playbook is a page of text; anything larger is a mistake or an attack. */
#define PLAYBOOK_MAX_BYTES (1u << 20)
#define PLAYBOOK_MAX_ERRORS 200

struct loader {
	const char *file;
	yaml_document_t *doc;
	struct playbook_set *set;
	int errors;
};

static void set_error(struct playbook_set *set, const char *file, unsigned line, unsigned column,
		      const char *msg)
{
	if (set->n_errors >= PLAYBOOK_MAX_ERRORS)
		return;
	set->errors = xrealloc(set->errors, (set->n_errors + 1) * sizeof *set->errors);
	set->errors[set->n_errors++] = xasprintf("%s:%u:%u: %s", file, line, column, msg);
}

static void error_at(struct loader *l, unsigned line, unsigned column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void error_at(struct loader *l, unsigned line, unsigned column, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	set_error(l->set, l->file, line, column, msg);
	free(msg);
	l->errors++;
}

#define NODE_LINE(n) ((unsigned)(n)->start_mark.line + 1)
#define NODE_COL(n) ((unsigned)(n)->start_mark.column + 1)
#define error_node(l, n, ...) error_at((l), NODE_LINE(n), NODE_COL(n), __VA_ARGS__)

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *node(struct loader *l, int id)
{
	return yaml_document_get_node(l->doc, id);
}

/* A scalar value where text is expected; reports and returns NULL otherwise. */
static char *text_of(struct loader *l, yaml_node_t *n, const char *what)
{
	const char *s = scalar(n);
	if (!s || !s[0]) {
		error_node(l, n, "%s must be text", what);
		return NULL;
	}
	return xstrdup(s);
}

/* Iterate a mapping's pairs; reports duplicate keys and non-text keys. */
typedef void (*pair_fn)(struct loader *l, const char *key, yaml_node_t *key_node, yaml_node_t *value, void *ctx);

static bool for_each_pair(struct loader *l, yaml_node_t *map, const char *what, pair_fn fn, void *ctx)
{
	if (!map || map->type != YAML_MAPPING_NODE) {
		if (map)
			error_node(l, map, "%s must be a mapping of keys to values", what);
		return false;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(l, p->key), *v = node(l, p->value);
		const char *key = scalar(k);
		if (!key) {
			error_node(l, k, "a key in %s must be text", what);
			continue;
		}
		bool duplicate = false;
		for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p && !duplicate; q++) {
			const char *other = scalar(node(l, q->key));
			duplicate = other && strcmp(other, key) == 0;
		}
		if (duplicate) {
			error_node(l, k, "duplicate key '%s' in %s", key, what);
			continue;
		}
		fn(l, key, k, v, ctx);
	}
	return true;
}

/* ---- steps ---- */

static const char *const step_keys[] = { "ask", "why", "detect", "answers", "run", "on", "next", "branch", "cases",
					  "show" };
static const char *const outcomes[] = { "fail", "warn", "unknown", "info", "pass", "otherwise" };

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

struct answer_ctx {
	struct playbook_step *step;
};

static void parse_answer_field(struct loader *l, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
	struct playbook_answer *a = ctx;
	if (strcmp(key, "label") == 0) {
		free(a->label);
		a->label = text_of(l, v, "label");
	} else if (strcmp(key, "next") == 0) {
		free(a->next);
		a->next = text_of(l, v, "next");
		a->line = NODE_LINE(v);
		a->column = NODE_COL(v);
	} else {
		error_node(l, k, "unknown key '%s' in an answer (label, next)", key);
	}
}

static void parse_answer(struct loader *l, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
	struct playbook_step *s = ((struct answer_ctx *)ctx)->step;
	s->answers = xrealloc(s->answers, (s->n_answers + 1) * sizeof *s->answers);
	struct playbook_answer *a = &s->answers[s->n_answers++];
	memset(a, 0, sizeof *a);
	a->value = xstrdup(key);
	a->line = NODE_LINE(k);
	a->column = NODE_COL(k);
	for_each_pair(l, v, "an answer", parse_answer_field, a);
	if (!a->label)
		error_node(l, k, "answer '%s' has no label", key);
	if (!a->next)
		error_node(l, k, "answer '%s' has no next step", key);
}

struct route_ctx {
	struct playbook_route **routes;
	size_t *count;
	bool outcomes_only;
};

static void parse_route(struct loader *l, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
	struct route_ctx *rc = ctx;
	if (rc->outcomes_only && !in_list(key, outcomes, sizeof outcomes / sizeof outcomes[0])) {
		error_node(l, k, "unknown outcome '%s' (fail, warn, unknown, info, pass, otherwise)", key);
		return;
	}
	char *next = text_of(l, v, "a step name");
	if (!next)
		return;
	*rc->routes = xrealloc(*rc->routes, (*rc->count + 1) * sizeof **rc->routes);
	struct playbook_route *r = &(*rc->routes)[(*rc->count)++];
	r->outcome = xstrdup(key);
	r->next = next;
	r->line = NODE_LINE(v);
	r->column = NODE_COL(v);
}

static void parse_checks(struct loader *l, struct playbook_step *s, yaml_node_t *v)
{
	if (v->type != YAML_SEQUENCE_NODE) {
		error_node(l, v, "run must be a list of check ids, e.g. [cpu.hwvirt, kvm.devnode]");
		return;
	}
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
		yaml_node_t *item = node(l, *i);
		const char *id = scalar(item);
		if (!id) {
			error_node(l, item, "a check id must be text");
			continue;
		}
		if (!check_find(id)) {
			error_node(l, item, "unknown check '%s' (vmdoctor list checks)", id);
			continue;
		}
		s->checks = xrealloc(s->checks, (s->n_checks + 1) * sizeof *s->checks);
		s->checks[s->n_checks++] = xstrdup(id);
	}
	if (s->n_checks == 0 && v->data.sequence.items.start == v->data.sequence.items.top)
		error_node(l, v, "run lists no checks");
}

static bool detector_exists(const char *name)
{
	for (size_t i = 0; i < playbook_detectors_count; i++)
		if (strcmp(playbook_detectors[i].name, name) == 0)
			return true;
	return false;
}

static void parse_step_field(struct loader *l, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
	struct playbook_step *s = ctx;
	if (!in_list(key, step_keys, sizeof step_keys / sizeof step_keys[0])) {
		error_node(l, k, "unknown key '%s' in step '%s' (ask, why, detect, answers, run, on, next, branch, "
			   "cases, show)", key, s->name);
	} else if (strcmp(key, "ask") == 0) {
		s->question = text_of(l, v, "ask");
	} else if (strcmp(key, "why") == 0) {
		s->why = text_of(l, v, "why");
	} else if (strcmp(key, "detect") == 0) {
		s->detect = text_of(l, v, "detect");
		if (s->detect && !detector_exists(s->detect))
			error_node(l, v, "unknown detector '%s'", s->detect);
	} else if (strcmp(key, "answers") == 0) {
		for_each_pair(l, v, "answers", parse_answer, &(struct answer_ctx){ s });
	} else if (strcmp(key, "run") == 0) {
		parse_checks(l, s, v);
	} else if (strcmp(key, "on") == 0) {
		for_each_pair(l, v, "on", parse_route, &(struct route_ctx){ &s->routes, &s->n_routes, true });
	} else if (strcmp(key, "next") == 0) {
		s->next = text_of(l, v, "next");
		s->next_line = NODE_LINE(v);
		s->next_column = NODE_COL(v);
	} else if (strcmp(key, "branch") == 0) {
		s->branch_on = text_of(l, v, "branch");
		s->branch_line = NODE_LINE(v);
		s->branch_column = NODE_COL(v);
	} else if (strcmp(key, "cases") == 0) {
		for_each_pair(l, v, "cases", parse_route, &(struct route_ctx){ &s->cases, &s->n_cases, false });
	} else if (strcmp(key, "show") == 0) {
		const char *what = scalar(v);
		if (!what || strcmp(what, "findings") != 0)
			error_node(l, v, "show must be 'findings'");
	}
}

/* Which kind a step is follows from its keys; exactly one of ask, run, branch, show. */
static void step_kind(struct loader *l, yaml_node_t *k, yaml_node_t *v, struct playbook_step *s)
{
	static const struct {
		const char *key;
		enum playbook_step_kind kind;
	} kinds[] = { { "ask", PLAYBOOK_ASK }, { "run", PLAYBOOK_RUN }, { "branch", PLAYBOOK_BRANCH },
		      { "show", PLAYBOOK_SHOW } };
	int found = 0;
	for (size_t i = 0; v && v->type == YAML_MAPPING_NODE && i < sizeof kinds / sizeof kinds[0]; i++) {
		for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
			const char *key = scalar(node(l, p->key));
			if (key && strcmp(key, kinds[i].key) == 0) {
				s->kind = kinds[i].kind;
				found++;
				break;
			}
		}
	}
	if (found != 1)
		error_node(l, k, "step '%s' must have exactly one of ask, run, branch or show", s->name);
}

static void parse_step(struct loader *l, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
	struct playbook *pb = ctx;
	pb->steps = xrealloc(pb->steps, (pb->n_steps + 1) * sizeof *pb->steps);
	struct playbook_step *s = &pb->steps[pb->n_steps++];
	memset(s, 0, sizeof *s);
	s->name = xstrdup(key);
	s->line = NODE_LINE(k);
	s->column = NODE_COL(k);
	step_kind(l, k, v, s);
	for_each_pair(l, v, "a step", parse_step_field, s);
	if (s->kind == PLAYBOOK_ASK && s->n_answers == 0)
		error_node(l, k, "question '%s' has no answers", s->name);
	if (s->kind == PLAYBOOK_RUN && !s->next && s->n_routes == 0)
		error_node(l, k, "step '%s' runs checks but says neither next nor on", s->name);
	if (s->kind == PLAYBOOK_RUN && s->next && s->n_routes)
		error_node(l, k, "step '%s' has both next and on: use one", s->name);
}

/* ---- the playbook ---- */

static const char *const top_keys[] = { "schema", "id", "title", "summary", "order", "start", "steps" };

static void parse_top(struct loader *l, const char *key, yaml_node_t *k, yaml_node_t *v, void *ctx)
{
	struct playbook *pb = ctx;
	if (!in_list(key, top_keys, sizeof top_keys / sizeof top_keys[0])) {
		error_node(l, k, "unknown key '%s' (schema, id, title, summary, order, start, steps)", key);
	} else if (strcmp(key, "schema") == 0) {
		const char *s = scalar(v);
		if (!s || strcmp(s, "1") != 0)
			error_node(l, v, "schema must be %d (this vmdoctor reads playbook schema %d)", PLAYBOOK_SCHEMA,
				   PLAYBOOK_SCHEMA);
	} else if (strcmp(key, "id") == 0) {
		pb->id = text_of(l, v, "id");
	} else if (strcmp(key, "title") == 0) {
		pb->title = text_of(l, v, "title");
	} else if (strcmp(key, "summary") == 0) {
		pb->summary = text_of(l, v, "summary");
	} else if (strcmp(key, "order") == 0) {
		const char *s = scalar(v);
		char *end = NULL;
		long n = s ? strtol(s, &end, 10) : 0;
		if (!s || !*s || *end || n < 0 || n > 1000)
			error_node(l, v, "order must be a number from 0 to 1000");
		else
			pb->order = (int)n;
	} else if (strcmp(key, "start") == 0) {
		pb->start = text_of(l, v, "start");
	} else if (strcmp(key, "steps") == 0) {
		for_each_pair(l, v, "steps", parse_step, pb);
	}
}

/* ---- graph checks: every reference resolves, nothing unreachable, no cycle ---- */

static int step_index(const struct playbook *pb, const char *name)
{
	for (size_t i = 0; name && i < pb->n_steps; i++)
		if (strcmp(pb->steps[i].name, name) == 0)
			return (int)i;
	return -1;
}

const struct playbook_step *playbook_step_find(const struct playbook *pb, const char *name)
{
	int i = step_index(pb, name);
	return i < 0 ? NULL : &pb->steps[i];
}

/* Calls fn for every step `s` can go to next. */
typedef void (*edge_fn)(const struct playbook_step *s, const char *target, unsigned line, unsigned col,
			void *ctx);

static void for_each_edge(const struct playbook_step *s, edge_fn fn, void *ctx)
{
	for (size_t i = 0; i < s->n_answers; i++)
		fn(s, s->answers[i].next, s->answers[i].line, s->answers[i].column, ctx);
	for (size_t i = 0; i < s->n_routes; i++)
		fn(s, s->routes[i].next, s->routes[i].line, s->routes[i].column, ctx);
	for (size_t i = 0; i < s->n_cases; i++)
		fn(s, s->cases[i].next, s->cases[i].line, s->cases[i].column, ctx);
	if (s->next)
		fn(s, s->next, s->next_line, s->next_column, ctx);
}

struct graph_ctx {
	struct loader *l;
	const struct playbook *pb;
	unsigned char *state;   /* 0 unseen, 1 on the DFS stack, 2 done */
	bool cycle_reported;
};

static void check_target(const struct playbook_step *s, const char *target, unsigned line, unsigned col,
			 void *ctx)
{
	struct graph_ctx *g = ctx;
	if (target && step_index(g->pb, target) < 0)
		error_at(g->l, line, col, "step '%s' goes to unknown step '%s'", s->name, target);
}

static void visit(struct graph_ctx *g, int i);

static void visit_edge(const struct playbook_step *s, const char *target, unsigned line, unsigned col, void *ctx)
{
	struct graph_ctx *g = ctx;
	int j = step_index(g->pb, target);
	if (j < 0)
		return;
	if (g->state[j] == 1 && !g->cycle_reported) {
		error_at(g->l, line, col, "cycle: step '%s' leads back to '%s', so a walk could never end", s->name,
			 target);
		g->cycle_reported = true;
	}
	if (g->state[j] == 0)
		visit(g, j);
}

static void visit(struct graph_ctx *g, int i)
{
	g->state[i] = 1;
	for_each_edge(&g->pb->steps[i], visit_edge, g);
	g->state[i] = 2;
}

static void check_branch(struct loader *l, const struct playbook *pb, const struct playbook_step *s)
{
	const struct playbook_step *q = playbook_step_find(pb, s->branch_on);
	if (!q || q->kind != PLAYBOOK_ASK) {
		error_at(l, s->branch_line, s->branch_column, "branch '%s' must name a question step", s->branch_on);
		return;
	}
	bool has_default = false;
	for (size_t i = 0; i < s->n_cases; i++) {
		const char *v = s->cases[i].outcome;
		bool known = strcmp(v, "otherwise") == 0;
		has_default = has_default || known;
		for (size_t a = 0; a < q->n_answers && !known; a++)
			known = strcmp(q->answers[a].value, v) == 0;
		if (!known)
			error_at(l, s->cases[i].line, s->cases[i].column, "case '%s' is not an answer of '%s'", v,
				 q->name);
	}
	for (size_t a = 0; a < q->n_answers && !has_default; a++) {
		bool covered = false;
		for (size_t i = 0; i < s->n_cases && !covered; i++)
			covered = strcmp(s->cases[i].outcome, q->answers[a].value) == 0;
		if (!covered)
			error_at(l, s->line, s->column, "step '%s' has no case for answer '%s' of '%s' (add it or "
				 "'otherwise')", s->name, q->answers[a].value, q->name);
	}
}

static void check_graph(struct loader *l, const struct playbook *pb)
{
	struct graph_ctx g = { .l = l, .pb = pb, .state = xcalloc(pb->n_steps + 1, 1) };
	for (size_t i = 0; i < pb->n_steps; i++) {
		for_each_edge(&pb->steps[i], check_target, &g);
		if (pb->steps[i].kind == PLAYBOOK_BRANCH && pb->steps[i].branch_on)
			check_branch(l, pb, &pb->steps[i]);
		if (pb->steps[i].kind == PLAYBOOK_RUN && pb->steps[i].n_routes) {
			bool otherwise = false;
			for (size_t r = 0; r < pb->steps[i].n_routes; r++)
				otherwise = otherwise || strcmp(pb->steps[i].routes[r].outcome, "otherwise") == 0;
			if (!otherwise)
				error_at(l, pb->steps[i].line, pb->steps[i].column, "step '%s': 'on' needs an 'otherwise'",
					 pb->steps[i].name);
		}
	}
	int start = step_index(pb, pb->start);
	if (start >= 0) {
		visit(&g, start);
		for (size_t i = 0; i < pb->n_steps; i++)
			if (!g.state[i])
				error_at(l, pb->steps[i].line, pb->steps[i].column, "step '%s' can never be reached from "
					 "start '%s'", pb->steps[i].name, pb->start);
	}
	free(g.state);
}

static void playbook_free(struct playbook *pb)
{
	if (!pb)
		return;
	for (size_t i = 0; i < pb->n_steps; i++) {
		struct playbook_step *s = &pb->steps[i];
		free(s->name);
		free(s->question);
		free(s->why);
		free(s->detect);
		for (size_t a = 0; a < s->n_answers; a++) {
			free(s->answers[a].value);
			free(s->answers[a].label);
			free(s->answers[a].next);
		}
		free(s->answers);
		for (size_t c = 0; c < s->n_checks; c++)
			free(s->checks[c]);
		free(s->checks);
		for (size_t r = 0; r < s->n_routes; r++) {
			free(s->routes[r].outcome);
			free(s->routes[r].next);
		}
		free(s->routes);
		free(s->branch_on);
		for (size_t r = 0; r < s->n_cases; r++) {
			free(s->cases[r].outcome);
			free(s->cases[r].next);
		}
		free(s->cases);
		free(s->next);
	}
	free(pb->steps);
	free(pb->file);
	free(pb->id);
	free(pb->title);
	free(pb->summary);
	free(pb->start);
	free(pb);
}

static struct playbook *parse_document(struct loader *l)
{
	yaml_node_t *root = yaml_document_get_root_node(l->doc);
	if (!root) {
		error_at(l, 1, 1, "empty playbook");
		return NULL;
	}
	struct playbook *pb = xcalloc(1, sizeof *pb);
	pb->file = xstrdup(l->file);
	pb->order = 500;
	if (!for_each_pair(l, root, "a playbook", parse_top, pb)) {
		playbook_free(pb);
		return NULL;
	}
	static const struct {
		const char *key;
		size_t offset;
	} required[] = {
		{ "id", offsetof(struct playbook, id) },       { "title", offsetof(struct playbook, title) },
		{ "summary", offsetof(struct playbook, summary) }, { "start", offsetof(struct playbook, start) },
	};
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		if (!*(char **)((char *)pb + required[i].offset))
			error_node(l, root, "missing '%s'", required[i].key);
	if (pb->n_steps == 0)
		error_node(l, root, "missing 'steps'");
	else if (pb->start && step_index(pb, pb->start) < 0)
		error_node(l, root, "start names unknown step '%s'", pb->start);
	check_graph(l, pb);
	return pb;
}

/* ---- files ---- */

static int read_bounded(const char *path, char **out, size_t *len, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "not a regular file");
		close(fd);
		return -1;
	}
	char *buf = xmalloc(PLAYBOOK_MAX_BYTES + 1);
	size_t n = 0;
	ssize_t r;
	while ((r = read(fd, buf + n, PLAYBOOK_MAX_BYTES + 1 - n)) > 0 && n <= PLAYBOOK_MAX_BYTES)
		n += (size_t)r;
	close(fd);
	if (r < 0) {
		snprintf(why, whylen, "cannot read: %s", strerror(errno));
		free(buf);
		return -1;
	}
	if (n > PLAYBOOK_MAX_BYTES) {
		snprintf(why, whylen, "larger than %u KiB: not a playbook", PLAYBOOK_MAX_BYTES / 1024);
		free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

static void add_playbook(struct loader *l, struct playbook *pb)
{
	struct playbook_set *set = l->set;
	for (size_t i = 0; pb->id && i < set->count; i++) {
		if (set->items[i]->id && strcmp(set->items[i]->id, pb->id) == 0) {
			error_at(l, 1, 1, "duplicate playbook id '%s' (also in %s)", pb->id, set->items[i]->file);
			playbook_free(pb);
			return;
		}
	}
	set->items = xrealloc(set->items, (set->count + 1) * sizeof *set->items);
	set->items[set->count++] = pb;
}

static int load_file(struct playbook_set *set, const char *path)
{
	struct loader l = { .file = path, .set = set };
	char *buf = NULL, why[160];
	size_t len = 0;
	if (read_bounded(path, &buf, &len, why, sizeof why) < 0) {
		error_at(&l, 1, 1, "%s", why);
		return l.errors;
	}
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		unsigned line = (unsigned)parser.problem_mark.line + 1, col = (unsigned)parser.problem_mark.column + 1;
		if (parser.error == YAML_READER_ERROR)
			line = 1, col = 1;
		error_at(&l, line, col, "YAML %s: %s%s%s", parser.error == YAML_READER_ERROR ? "encoding error" : "error",
			 parser.problem ? parser.problem : "unknown problem", parser.context ? " " : "",
			 parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		free(buf);
		return l.errors;
	}
	l.doc = &doc;
	struct playbook *pb = parse_document(&l);
	if (pb && l.errors == 0)
		add_playbook(&l, pb);
	else
		playbook_free(pb);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	free(buf);
	return l.errors;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int playbook_set_load(struct playbook_set *set, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		char msg[160];
		snprintf(msg, sizeof msg, "cannot open: %s", strerror(errno));
		set_error(set, path, 1, 1, msg);
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(set, path);
	DIR *d = opendir(path);
	if (!d) {
		set_error(set, path, 1, 1, "cannot open the folder");
		return 1;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 1000) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
			continue;
		names = xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = xasprintf("%s/%s", path, e->d_name);
	}
	closedir(d);
	if (n > 0)              /* qsort(NULL, 0, ...) is undefined behaviour: an empty folder has no array */
		qsort(names, n, sizeof *names, name_cmp);
	int errors = 0;
	for (size_t i = 0; i < n; i++) {
		errors += load_file(set, names[i]);
		free(names[i]);
	}
	free(names);
	return errors;
}

void playbook_set_free(struct playbook_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		playbook_free(set->items[i]);
	free(set->items);
	for (size_t i = 0; i < set->n_errors; i++)
		free(set->errors[i]);
	free(set->errors);
	memset(set, 0, sizeof *set);
}

const struct playbook *playbook_find(const struct playbook_set *set, const char *id)
{
	for (size_t i = 0; i < set->count; i++)
		if (strcmp(set->items[i]->id, id) == 0)
			return set->items[i];
	return NULL;
}
