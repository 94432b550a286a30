/* SPDX-License-Identifier: MIT */
/* Playbooks: YAML decision trees (docs/playbooks.md), their loader and validator, and the engine that walks them. */
#ifndef VMDOCTOR_PLAYBOOK_H
#define VMDOCTOR_PLAYBOOK_H

/*
 * Call order: playbook_set_load() fills a set from files and folders (every error is kept
 * as "FILE:LINE:COLUMN: message", nothing is printed), playbook_find() picks one, then
 * playbook_run_start() / playbook_run_step() walk it: a front end answers the questions,
 * or playbook_run_auto() answers them from --answer values, detection, or the first answer.
 * playbook_run_free() and playbook_set_free() release everything.
 */

#include <stdbool.h>
#include <stddef.h>

#include "vmdoctor/check.h"
#include "vmdoctor/facts.h"

#define PLAYBOOK_SCHEMA 1

enum playbook_step_kind {
	PLAYBOOK_ASK,           /* a question with answers */
	PLAYBOOK_RUN,           /* run checks, then go on (by `next`, or by the worst status with `on`) */
	PLAYBOOK_BRANCH,        /* go on by an earlier answer */
	PLAYBOOK_SHOW,          /* the end: show the findings */
};

struct playbook_answer {
	char *value;            /* "vmware" */
	char *label;            /* "VMware Workstation or Player" */
	char *next;             /* step name */
	unsigned line, column;  /* where `next` is written */
};

/* `on:` of a run step: the worst status of its results -> the next step. */
struct playbook_route {
	char *outcome;          /* "fail", "warn", "unknown", "info", "pass", or "otherwise" */
	char *next;
	unsigned line, column;  /* where `next` is written */
};

struct playbook_step {
	char *name;
	enum playbook_step_kind kind;
	unsigned line, column;  /* where the step starts in its file */
	/* ask */
	char *question;
	char *why;              /* one line: why it is asked */
	char *detect;           /* a detector name (playbook_detectors), or NULL */
	struct playbook_answer *answers;
	size_t n_answers;
	/* run */
	char **checks;
	size_t n_checks;
	struct playbook_route *routes;
	size_t n_routes;
	/* branch */
	char *branch_on;        /* an ask step */
	struct playbook_route *cases;   /* answer value -> step; outcome "otherwise" is the default */
	size_t n_cases;
	/* run steps */
	char *next;
	unsigned next_line, next_column;
	unsigned branch_line, branch_column;
};

struct playbook {
	char *file;
	char *id, *title, *summary;
	int order;              /* listing order: most common symptom first */
	char *start;
	struct playbook_step *steps;
	size_t n_steps;
};

struct playbook_set {
	struct playbook **items;
	size_t count;
	char **errors;          /* "FILE:LINE:COLUMN: message" */
	size_t n_errors;
};

/* Load one file (`path`) or every *.yaml in a folder into `set`; returns the number of new errors. */
int playbook_set_load(struct playbook_set *set, const char *path);
void playbook_set_free(struct playbook_set *set);
const struct playbook *playbook_find(const struct playbook_set *set, const char *id);
const struct playbook_step *playbook_step_find(const struct playbook *pb, const char *name);

/* The detectors `detect:` may name: each returns an answer value for the facts, or NULL. */
struct playbook_detector {
	const char *name;
	const char *(*detect)(const struct facts *facts);
	const char *description;
};
extern const struct playbook_detector playbook_detectors[];
extern const size_t playbook_detectors_count;

/* ---- walking a playbook ---- */

enum playbook_answer_source { PLAYBOOK_FROM_USER, PLAYBOOK_FROM_DETECT, PLAYBOOK_FROM_DEFAULT };
const char *playbook_answer_source_name(enum playbook_answer_source source);   /* "answer", "detected", "default" */

struct playbook_given {
	const char *step;       /* the ask step */
	const char *value;
	enum playbook_answer_source source;
};

struct playbook_run {
	const struct playbook *pb;
	const struct facts *facts;
	const struct playbook_step *at;         /* the current step; NULL when finished */
	struct playbook_given *answers;
	size_t n_answers;
	const char **path;                      /* step names visited, in order */
	size_t n_path;
	struct check_report report;             /* only the checks the path ran, in the order they ran */
	char error[320];                        /* why the run stopped early, "" when it did not */
};

void playbook_run_start(struct playbook_run *run, const struct playbook *pb, const struct facts *facts);
/* At an ask step: what detection suggests (NULL when nothing). */
const char *playbook_run_detected(const struct playbook_run *run);
/* Answer the current ask step; -1 when `value` is not one of its answers. */
int playbook_run_answer(struct playbook_run *run, const char *value, enum playbook_answer_source source);
/* Run or follow the current non-ask step; returns false when the run is finished (or stopped: see error). */
bool playbook_run_step(struct playbook_run *run);
/* Walk to the end without a person: `answers` are "STEP=VALUE" strings (--answer), then detection, then the
 * first answer. Returns 0, or -1 with run->error set (an --answer naming no step or no answer of it). */
int playbook_run_auto(struct playbook_run *run, const char *const *answers, size_t n_answers);
void playbook_run_free(struct playbook_run *run);

#endif
