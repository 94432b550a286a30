/* SPDX-License-Identifier: MIT */
/* Scenario tests: every fixture snapshot is diagnosed and compared with its expect.txt. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vmdoctor/check.h"
#include "vmdoctor/codes.h"
#include "vmdoctor/facts.h"
#include "vmdoctor/host.h"

#define SNAPSHOTS FIXTURES "/snapshots"

struct scenario {
	char name[96];          /* in-struct: Criterion copies only the bytes to the test process */
};

/* The scenario directories; `alloc` is cr_malloc for parameters (they cross into the test process). */
static int scenario_names(struct scenario **out, void *(*alloc)(size_t))
{
	DIR *d = opendir(SNAPSHOTS);
	if (!d)
		return 0;
	size_t n = 0, cap = 128;
	struct scenario *list = alloc(cap * sizeof *list);
	struct dirent *e;
	while ((e = readdir(d)) && n < cap) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof list[0].name)
			continue;
		memcpy(list[n++].name, e->d_name, strlen(e->d_name) + 1);
	}
	closedir(d);
	*out = list;
	return (int)n;
}

static void free_scenarios(struct criterion_test_params *params)
{
	cr_free(params->params);
}

/* The report of one scenario, kept alive for the expectation lines. */
struct run {
	struct facts facts;
	struct check_report report;
};

static void run_scenario(const char *name, struct run *run)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/%s", SNAPSHOTS, name);
	struct host *host = NULL;
	int rc = host_open_snapshot(dir, &host);
	cr_assert(eq(int, rc, 0), "%s: %s", name, host_open_error());
	facts_collect(host, &run->facts);
	check_run_all(&run->facts, &run->report);
	host_close(host);
}

static const struct check_result *by_check(const struct run *run, const char *id)
{
	for (size_t i = 0; i < run->report.count; i++)
		if (strcmp(run->report.results[i].check->id, id) == 0)
			return &run->report.results[i];
	return NULL;
}

static const struct check_result *by_code(const struct run *run, const char *code)
{
	for (size_t i = 0; i < run->report.count; i++)
		if (run->report.results[i].code && strcmp(run->report.results[i].code, code) == 0)
			return &run->report.results[i];
	return NULL;
}

static bool says(const struct check_result *r, const char *text)
{
	return strcasestr(r->summary, text) || (r->action && strcasestr(r->action, text)) ||
	       (r->detail && strcasestr(r->detail, text));
}

static void describe(const struct run *run, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < run->report.count; i++) {
		const struct check_result *r = &run->report.results[i];
		snprintf(buf + strlen(buf), len - strlen(buf), "\n  %s %s %s: %s", check_status_name(r->status),
			 r->check->id, r->code ? r->code : "-", r->summary);
	}
}

/* Apply one expect.txt line; returns false when it is not a known expectation. */
static bool expect_line(const char *scenario, const struct run *run, char *line, unsigned lineno,
			const char *all)
{
	char verb[16], a[96], b[96] = "";
	int n = sscanf(line, "%15s %95s %95[^\n#]", verb, a, b);
	if (n < 2)
		return false;
	for (char *end = b + strlen(b); end > b && end[-1] == ' '; end--)
		end[-1] = '\0';
	if (strcmp(verb, "exit") == 0) {
		cr_expect(eq(int, check_report_exit_code(&run->report), atoi(a)), "%s:%u exit code%s", scenario, lineno,
			  all);
	} else if (strcmp(verb, "code") == 0) {
		const struct check_result *r = by_code(run, a);
		cr_expect(r != NULL, "%s:%u expected code %s%s", scenario, lineno, a, all);
		if (r)
			cr_expect(eq(str, (char *)check_status_name(r->status), b), "%s:%u status of %s", scenario,
				  lineno, a);
	} else if (strcmp(verb, "nocode") == 0) {
		cr_expect(by_code(run, a) == NULL, "%s:%u code %s must not be reported%s", scenario, lineno, a, all);
	} else if (strcmp(verb, "check") == 0) {
		const struct check_result *r = by_check(run, a);
		cr_assert(r != NULL, "%s:%u no check %s", scenario, lineno, a);
		cr_expect(eq(str, (char *)check_status_name(r->status), b), "%s:%u status of %s%s", scenario, lineno,
			  a, all);
	} else if (strcmp(verb, "text") == 0 || strcmp(verb, "notext") == 0) {
		const struct check_result *r = by_check(run, a);
		cr_assert(r != NULL, "%s:%u no check %s", scenario, lineno, a);
		bool want = strcmp(verb, "text") == 0;
		cr_expect(says(r, b) == want, "%s:%u %s %s \"%s\"%s", scenario, lineno, a,
			  want ? "should say" : "must not say", b, all);
	} else {
		return false;
	}
	return true;
}

ParameterizedTestParameters(scenarios, expectations)
{
	struct scenario *list = NULL;
	int n = scenario_names(&list, cr_malloc);
	return cr_make_param_array(struct scenario, list, (size_t)n, free_scenarios);
}

ParameterizedTest(struct scenario *s, scenarios, expectations)
{
	struct run run;
	run_scenario(s->name, &run);
	char all[8192];
	describe(&run, all, sizeof all);

	char path[512];
	snprintf(path, sizeof path, "%s/%s/expect.txt", SNAPSHOTS, s->name);
	FILE *f = fopen(path, "r");
	cr_assert(f != NULL, "%s has no expect.txt", s->name);
	char line[512];
	unsigned lineno = 0, expectations = 0;
	bool has_exit = false;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *p = line + strspn(line, " \t");
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		cr_expect(expect_line(s->name, &run, p, lineno, all), "%s:%u: not an expectation: %s", s->name,
			  lineno, p);
		expectations++;
		has_exit = has_exit || strncmp(p, "exit", 4) == 0;
	}
	fclose(f);
	cr_expect(has_exit, "%s: expect.txt must state the exit code", s->name);
	cr_expect(gt(uint, expectations, 1), "%s: expect.txt expects too little", s->name);
	check_report_free(&run.report);
	facts_free(&run.facts);
}

/* Each code a CPU/KVM check can report is demonstrated by at least one scenario. */
Test(scenarios, every_code_has_a_scenario)
{
	struct scenario *list = NULL;
	int n = scenario_names(&list, malloc);
	cr_assert(gt(int, n, 10), "too few scenarios under %s", SNAPSHOTS);
	for (size_t c = 0; c < check_table_count; c++) {
		for (const char *const *code = check_table[c].codes; *code; code++) {
			bool found = false;
			for (int i = 0; i < n && !found; i++) {
				char path[512], line[512];
				snprintf(path, sizeof path, "%s/%s/expect.txt", SNAPSHOTS, list[i].name);
				FILE *f = fopen(path, "r");
				while (f && fgets(line, sizeof line, f) && !found) {
					char want[128];
					snprintf(want, sizeof want, "code %s ", *code);
					found = strncmp(line, want, strlen(want)) == 0;
				}
				if (f)
					fclose(f);
			}
			cr_expect(found, "no scenario demonstrates %s (check %s)", *code, check_table[c].id);
		}
	}
	free(list);
}

/* Every code a check can report is in the catalogue, so explain and the report can describe it. */
Test(scenarios, check_codes_are_catalogued)
{
	for (size_t c = 0; c < check_table_count; c++)
		for (const char *const *code = check_table[c].codes; *code; code++)
			cr_expect(code_find(*code) != NULL, "%s reports %s, which codes.c lacks", check_table[c].id, *code);
}
