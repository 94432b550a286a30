/* SPDX-License-Identifier: MIT */
/* The check table: pure functions from facts to results, and the results they return. */
#ifndef VMDOCTOR_CHECK_H
#define VMDOCTOR_CHECK_H

/*
 * A check is one entry of the const table in checks/registry.c. Its function reads
 * `struct facts` only and fills a `struct check_result`: a status, the failure-mode
 * code it found (see codes.h), a one-line summary, the evidence it used, and what to do.
 *
 * check_run_all() runs every check in table order into a `struct check_report`;
 * check_report_free() releases it. Results own their strings.
 */

#include <stdbool.h>
#include <stddef.h>

#include "vmdoctor/facts.h"

/* Status values, worst last; the X-macro keeps names and order in one place. */
#define CHECK_STATUS_LIST(X) \
	X(CHECK_PASS, "pass", "OK") \
	X(CHECK_SKIP, "skip", "SKIP") \
	X(CHECK_INFO, "info", "INFO") \
	X(CHECK_UNKNOWN, "unknown", "????") \
	X(CHECK_WARN, "warn", "WARN") \
	X(CHECK_FAIL, "fail", "FAIL")

enum check_status {
#define X(id, name, label) id,
	CHECK_STATUS_LIST(X)
#undef X
	CHECK_STATUS_COUNT
};
const char *check_status_name(enum check_status status);   /* "fail" */
const char *check_status_label(enum check_status status);  /* "FAIL" */
/* Parse "fail" etc.; returns -1 when unknown. */
int check_status_from_name(const char *name);

#define CHECK_MAX_EVIDENCE 12

struct check_evidence {
	char *source;           /* "/proc/cpuinfo:5", "cpuid", "msr 0x3a", "dmesg:812", "/dev/kvm" */
	char *text;             /* what was seen there */
};

struct check_result {
	const struct check_def *check;
	enum check_status status;
	const char *code;       /* static failure-mode code; NULL for pass/skip/unknown without code */
	char *summary;          /* one line, what was found */
	char *detail;           /* optional: this machine's specifics to add to the code's explanation */
	char *action;           /* one line of what to do, NULL when nothing */
	struct check_evidence evidence[CHECK_MAX_EVIDENCE];
	size_t n_evidence;
};

typedef void (*check_fn)(const struct facts *facts, struct check_result *result);

struct check_def {
	const char *id;                 /* "cpu.hwvirt" */
	const char *title;              /* "Hardware virtualization (VT-x / AMD-V)" */
	const char *const *codes;       /* NULL-terminated list of codes it can report */
	check_fn run;
};

/* The table. */
extern const struct check_def check_table[];
extern const size_t check_table_count;
const struct check_def *check_find(const char *id);

/* Helpers for check functions; they copy their arguments. */
void check_set(struct check_result *r, enum check_status status, const char *code,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void check_detail(struct check_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void check_action(struct check_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void check_evidence(struct check_result *r, const char *source, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

struct check_report {
	struct check_result *results;
	size_t count;
	size_t counts[CHECK_STATUS_COUNT];
};

/* Run one check into `result` (zeroed by the caller); release it with check_result_free(). */
void check_run_one(const struct facts *facts, const struct check_def *def, struct check_result *result);
void check_result_free(struct check_result *result);
/* Run every check in table order. */
void check_run_all(const struct facts *facts, struct check_report *report);
void check_report_free(struct check_report *report);
/* Exit code of `vmdoctor check`: 0 nothing wrong, 1 warnings, 2 failures. */
int check_report_exit_code(const struct check_report *report);

#endif
