/* SPDX-License-Identifier: MIT */
/* Walking a playbook: a small state machine over the check runner, with detectors for `detect:`. */
#include "vmdoctor/playbook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmdoctor/xalloc.h"

/* ---- detectors ---- */

/* True when a check whose id starts with `prefix` finds a warning or failure on these facts. */
static bool family_in_trouble(const struct facts *facts, const char *prefix)
{
	bool trouble = false;
	for (size_t i = 0; i < check_table_count && !trouble; i++) {
		if (strncmp(check_table[i].id, prefix, strlen(prefix)) != 0)
			continue;
		struct check_result r = { 0 };
		check_run_one(facts, &check_table[i], &r);
		trouble = r.status == CHECK_FAIL || r.status == CHECK_WARN;
		check_result_free(&r);
	}
	return trouble;
}

/* Which program runs the VMs: of those installed, the one whose own checks find trouble, else the first. */
static const char *detect_program(const struct facts *facts)
{
	const struct {
		const char *answer;
		bool installed;
		const char *prefixes[2];
	} programs[] = {
		{ "vmware", facts->programs.vmware != NULL, { "vmware.", NULL } },
		{ "virtualbox", facts->programs.virtualbox != NULL, { "vbox.", NULL } },
		{ "kvm", facts->programs.qemu || facts->programs.libvirt || facts->programs.kvm_frontend,
		  { "kvm.", "libvirt." } },
	};
	const size_t n = sizeof programs / sizeof programs[0];
	for (size_t i = 0; i < n; i++)
		for (size_t p = 0; programs[i].installed && p < 2 && programs[i].prefixes[p]; p++)
			if (family_in_trouble(facts, programs[i].prefixes[p]))
				return programs[i].answer;
	for (size_t i = 0; i < n; i++)
		if (programs[i].installed)
			return programs[i].answer;
	return NULL;
}

const struct playbook_detector playbook_detectors[] = {
	{ "program", detect_program,
	  "the installed virtualization program (VMware, VirtualBox, KVM); with several, the one in trouble" },
};
const size_t playbook_detectors_count = sizeof playbook_detectors / sizeof playbook_detectors[0];

static const char *run_detector(const char *name, const struct facts *facts)
{
	for (size_t i = 0; name && i < playbook_detectors_count; i++)
		if (strcmp(playbook_detectors[i].name, name) == 0)
			return playbook_detectors[i].detect(facts);
	return NULL;
}

const char *playbook_answer_source_name(enum playbook_answer_source source)
{
	static const char *const names[] = { [PLAYBOOK_FROM_USER] = "answer", [PLAYBOOK_FROM_DETECT] = "detected",
					     [PLAYBOOK_FROM_DEFAULT] = "default" };
	return (unsigned)source < sizeof names / sizeof names[0] ? names[source] : "default";
}

/* ---- the walk ---- */

static void enter(struct playbook_run *run, const char *name)
{
	run->at = playbook_step_find(run->pb, name);
	if (!run->at)
		return;
	/* Validation rules out cycles, so a path is never longer than the playbook. */
	run->path = xrealloc(run->path, (run->n_path + 1) * sizeof *run->path);
	run->path[run->n_path++] = run->at->name;
}

void playbook_run_start(struct playbook_run *run, const struct playbook *pb, const struct facts *facts)
{
	memset(run, 0, sizeof *run);
	run->pb = pb;
	run->facts = facts;
	enter(run, pb->start);
}

const char *playbook_run_detected(const struct playbook_run *run)
{
	if (!run->at || run->at->kind != PLAYBOOK_ASK || !run->at->detect)
		return NULL;
	const char *value = run_detector(run->at->detect, run->facts);
	for (size_t i = 0; value && i < run->at->n_answers; i++)
		if (strcmp(run->at->answers[i].value, value) == 0)
			return run->at->answers[i].value;
	return NULL;
}

int playbook_run_answer(struct playbook_run *run, const char *value, enum playbook_answer_source source)
{
	if (!run->at || run->at->kind != PLAYBOOK_ASK)
		return -1;
	for (size_t i = 0; i < run->at->n_answers; i++) {
		const struct playbook_answer *a = &run->at->answers[i];
		if (strcmp(a->value, value) != 0)
			continue;
		run->answers = xrealloc(run->answers, (run->n_answers + 1) * sizeof *run->answers);
		run->answers[run->n_answers++] = (struct playbook_given){ run->at->name, a->value, source };
		enter(run, a->next);
		return 0;
	}
	return -1;
}

static const char *answer_of(const struct playbook_run *run, const char *step)
{
	for (size_t i = 0; i < run->n_answers; i++)
		if (strcmp(run->answers[i].step, step) == 0)
			return run->answers[i].value;
	return NULL;
}

static bool already_ran(const struct playbook_run *run, const char *id)
{
	for (size_t i = 0; i < run->report.count; i++)
		if (strcmp(run->report.results[i].check->id, id) == 0)
			return true;
	return false;
}

/* Run the step's checks (each once per walk) and return the worst status among them. */
static enum check_status run_checks(struct playbook_run *run, const struct playbook_step *s)
{
	enum check_status worst = CHECK_PASS;
	for (size_t i = 0; i < s->n_checks; i++) {
		const struct check_def *def = check_find(s->checks[i]);
		if (def && !already_ran(run, def->id)) {
			struct check_report *rep = &run->report;
			rep->results = xrealloc(rep->results, (rep->count + 1) * sizeof *rep->results);
			struct check_result *r = &rep->results[rep->count++];
			memset(r, 0, sizeof *r);
			check_run_one(run->facts, def, r);
			rep->counts[r->status]++;
		}
		for (size_t k = 0; def && k < run->report.count; k++)
			if (run->report.results[k].check == def && run->report.results[k].status > worst)
				worst = run->report.results[k].status;
	}
	/* "skip" routes like "pass": nothing was wrong. */
	return worst == CHECK_SKIP ? CHECK_PASS : worst;
}

static const char *route(const struct playbook_route *routes, size_t n, const char *key)
{
	const char *otherwise = NULL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(routes[i].outcome, key) == 0)
			return routes[i].next;
		if (strcmp(routes[i].outcome, "otherwise") == 0)
			otherwise = routes[i].next;
	}
	return otherwise;
}

bool playbook_run_step(struct playbook_run *run)
{
	const struct playbook_step *s = run->at;
	if (!s)
		return false;
	switch (s->kind) {
	case PLAYBOOK_ASK:
		return true;    /* waits for playbook_run_answer() */
	case PLAYBOOK_RUN: {
		enum check_status worst = run_checks(run, s);
		enter(run, s->next ? s->next : route(s->routes, s->n_routes, check_status_name(worst)));
		break;
	}
	case PLAYBOOK_BRANCH: {
		const char *answer = answer_of(run, s->branch_on);
		enter(run, route(s->cases, s->n_cases, answer ? answer : ""));
		break;
	}
	case PLAYBOOK_SHOW:
		run->at = NULL;
		return false;
	}
	if (!run->at) {
		snprintf(run->error, sizeof run->error, "playbook %.60s: step '%.60s' leads nowhere", run->pb->id, s->name);
		return false;
	}
	return true;
}

/* The value of "STEP=VALUE" for `step`, or NULL. */
static const char *given_answer(const char *const *answers, size_t n, const char *step)
{
	size_t len = strlen(step);
	for (size_t i = 0; i < n; i++)
		if (strncmp(answers[i], step, len) == 0 && answers[i][len] == '=')
			return answers[i] + len + 1;
	return NULL;
}

static int check_given(struct playbook_run *run, const char *const *answers, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(answers[i], '=');
		if (!eq || eq == answers[i]) {
			snprintf(run->error, sizeof run->error, "--answer '%.60s': write it as STEP=VALUE", answers[i]);
			return -1;
		}
		char step[128];
		snprintf(step, sizeof step, "%.*s", (int)(eq - answers[i]), answers[i]);
		const struct playbook_step *s = playbook_step_find(run->pb, step);
		if (!s || s->kind != PLAYBOOK_ASK) {
			snprintf(run->error, sizeof run->error, "--answer '%.60s': playbook %.60s has no question '%.60s'",
				 answers[i], run->pb->id, step);
			return -1;
		}
		bool known = false;
		for (size_t a = 0; a < s->n_answers && !known; a++)
			known = strcmp(s->answers[a].value, eq + 1) == 0;
		if (!known) {
			char list[256] = "";
			for (size_t a = 0; a < s->n_answers; a++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", a ? ", " : "",
					 s->answers[a].value);
			snprintf(run->error, sizeof run->error, "--answer '%.60s': '%.40s' is not an answer of '%.40s' (%.80s)",
				 answers[i], eq + 1, step, list);
			return -1;
		}
	}
	return 0;
}

int playbook_run_auto(struct playbook_run *run, const char *const *answers, size_t n_answers)
{
	if (check_given(run, answers, n_answers) < 0)
		return -1;
	while (run->at) {
		if (run->at->kind != PLAYBOOK_ASK) {
			if (!playbook_run_step(run))
				break;
			continue;
		}
		const char *value = given_answer(answers, n_answers, run->at->name);
		enum playbook_answer_source source = PLAYBOOK_FROM_USER;
		if (!value) {
			value = playbook_run_detected(run);
			source = PLAYBOOK_FROM_DETECT;
		}
		if (!value) {
			value = run->at->answers[0].value;
			source = PLAYBOOK_FROM_DEFAULT;
		}
		playbook_run_answer(run, value, source);
	}
	return run->error[0] ? -1 : 0;
}

void playbook_run_free(struct playbook_run *run)
{
	check_report_free(&run->report);
	free(run->answers);
	free(run->path);
	memset(run, 0, sizeof *run);
}
