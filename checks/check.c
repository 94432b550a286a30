/* SPDX-License-Identifier: MIT */
/* The check runner: status names, result helpers, running the table and the exit code. */
#include "vmdoctor/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vmdoctor/xalloc.h"

static const char *const status_names[] = {
#define X(id, name, label) [id] = name,
	CHECK_STATUS_LIST(X)
#undef X
};
static const char *const status_labels[] = {
#define X(id, name, label) [id] = label,
	CHECK_STATUS_LIST(X)
#undef X
};
_Static_assert(sizeof status_names / sizeof status_names[0] == CHECK_STATUS_COUNT, "status names");
_Static_assert(sizeof status_labels / sizeof status_labels[0] == CHECK_STATUS_COUNT, "status labels");

const char *check_status_name(enum check_status status)
{
	return (unsigned)status < CHECK_STATUS_COUNT ? status_names[status] : "unknown";
}

const char *check_status_label(enum check_status status)
{
	return (unsigned)status < CHECK_STATUS_COUNT ? status_labels[status] : "????";
}

int check_status_from_name(const char *name)
{
	for (int i = 0; i < CHECK_STATUS_COUNT; i++)
		if (strcasecmp(name, status_names[i]) == 0)
			return i;
	return -1;
}

const struct check_def *check_find(const char *id)
{
	for (size_t i = 0; i < check_table_count; i++)
		if (strcmp(check_table[i].id, id) == 0)
			return &check_table[i];
	return NULL;
}

void check_set(struct check_result *r, enum check_status status, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(r->summary);
	r->summary = xvasprintf(fmt, ap);
	va_end(ap);
	r->status = status;
	r->code = code;
}

void check_detail(struct check_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(r->detail);
	r->detail = xvasprintf(fmt, ap);
	va_end(ap);
}

void check_action(struct check_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(r->action);
	r->action = xvasprintf(fmt, ap);
	va_end(ap);
}

void check_evidence(struct check_result *r, const char *source, const char *fmt, ...)
{
	/* A check that finds more than this is repeating itself; keep the first ones. */
	if (r->n_evidence == CHECK_MAX_EVIDENCE)
		return;
	struct check_evidence *e = &r->evidence[r->n_evidence++];
	va_list ap;
	va_start(ap, fmt);
	e->source = xstrdup(source);
	e->text = xvasprintf(fmt, ap);
	va_end(ap);
}

void check_result_free(struct check_result *r)
{
	free(r->summary);
	free(r->detail);
	free(r->action);
	for (size_t i = 0; i < r->n_evidence; i++) {
		free(r->evidence[i].source);
		free(r->evidence[i].text);
	}
}

void check_run_one(const struct facts *facts, const struct check_def *def, struct check_result *r)
{
	r->check = def;
	r->status = CHECK_UNKNOWN;
	def->run(facts, r);
	if (!r->summary)
		r->summary = xstrdup("the check gave no summary");
}

void check_run_all(const struct facts *facts, struct check_report *report)
{
	memset(report, 0, sizeof *report);
	report->results = xcalloc(check_table_count, sizeof *report->results);
	for (size_t i = 0; i < check_table_count; i++) {
		check_run_one(facts, &check_table[i], &report->results[i]);
		report->counts[report->results[i].status]++;
	}
	report->count = check_table_count;
}

void check_report_free(struct check_report *report)
{
	for (size_t i = 0; i < report->count; i++)
		check_result_free(&report->results[i]);
	free(report->results);
	memset(report, 0, sizeof *report);
}

int check_report_exit_code(const struct check_report *report)
{
	if (report->counts[CHECK_FAIL])
		return 2;
	/* "Could not determine" is never a pass: it needs a person's attention like a warning. */
	if (report->counts[CHECK_WARN] || report->counts[CHECK_UNKNOWN])
		return 1;
	return 0;
}
