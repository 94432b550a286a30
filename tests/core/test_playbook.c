/* SPDX-License-Identifier: MIT */
/* Tests of playbook loading, validation and walking: shipped playbooks lint clean, broken ones name file and line. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmdoctor/facts.h"
#include "vmdoctor/host.h"
#include "vmdoctor/playbook.h"

#define PLAYBOOKS FIXTURES "/playbooks"
#define SNAPSHOTS FIXTURES "/snapshots"

static void free_params(struct criterion_test_params *params)
{
	cr_free(params->params);
}

struct broken {
	char file[48];
	unsigned line;          /* the line the first error must name */
	char says[64];          /* and a phrase it must contain */
};

ParameterizedTestParameters(playbook, broken_files_name_file_and_line)
{
	static struct broken cases[] = {
		{ "bad-yaml-syntax.yaml", 7, "YAML error" },
		{ "bad-tab.yaml", 7, "YAML error" },
		{ "bad-unknown-key.yaml", 9, "unknown key 'nxt'" },
		{ "bad-unknown-step.yaml", 9, "unknown step 'nowhere'" },
		{ "bad-unknown-check.yaml", 8, "unknown check 'cpu.warp-drive'" },
		{ "bad-cycle.yaml", 12, "cycle" },
		{ "bad-unreachable.yaml", 10, "never be reached" },
		{ "bad-duplicate-step.yaml", 10, "duplicate key 'a'" },
		{ "bad-empty.yaml", 1, "empty playbook" },
		{ "bad-garbage.yaml", 1, "YAML" },
	};
	return cr_make_param_array(struct broken, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct broken *c, playbook, broken_files_name_file_and_line)
{
	char path[256], prefix[300];
	snprintf(path, sizeof path, "%s/%s", PLAYBOOKS, c->file);
	struct playbook_set set = { 0 };
	int errors = playbook_set_load(&set, path);
	cr_assert(gt(int, errors, 0), "%s loaded without an error", c->file);
	cr_assert(eq(sz, set.count, 0), "a broken playbook must not be usable");
	snprintf(prefix, sizeof prefix, "%s:%u:", path, c->line);
	bool found = false;
	for (size_t i = 0; i < set.n_errors && !found; i++)
		found = strncmp(set.errors[i], prefix, strlen(prefix)) == 0 && strstr(set.errors[i], c->says);
	cr_expect(found, "%s: expected an error at line %u saying \"%s\"; got: %s", c->file, c->line, c->says,
		  set.n_errors ? set.errors[0] : "(none)");
	playbook_set_free(&set);
}

/* A folder without playbooks is not an error (and, under UBSan, must not sort a NULL array). */
Test(playbook, empty_folder_loads_nothing_and_no_error)
{
	char dir[] = "/tmp/vmdoctor-pb-empty-XXXXXX";
	cr_assert(mkdtemp(dir) != NULL);
	struct playbook_set set = { 0 };
	int errors = playbook_set_load(&set, dir);
	rmdir(dir);
	cr_assert(eq(int, errors, 0));
	cr_assert(eq(sz, set.count, 0));
	cr_assert(eq(sz, set.n_errors, 0));
	playbook_set_free(&set);
}

Test(playbook, duplicate_id_across_files)
{
	struct playbook_set set = { 0 };
	playbook_set_load(&set, PLAYBOOKS "/good-minimal.yaml");
	cr_assert(eq(sz, set.n_errors, 0));
	playbook_set_load(&set, PLAYBOOKS "/bad-duplicate-id.yaml");
	cr_assert(eq(sz, set.count, 1));
	cr_assert(eq(sz, set.n_errors, 1));
	cr_expect(strstr(set.errors[0], "duplicate playbook id 'minimal'") != NULL, "%s", set.errors[0]);
	playbook_set_free(&set);
}

Test(playbook, five_megabytes_is_refused_not_parsed)
{
	char path[] = "/tmp/vmdoctor-big-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(ge(int, fd, 0));
	static char line[128];
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\n';
	for (int i = 0; i < 5 * 1024 * 1024 / (int)sizeof line; i++)
		cr_assert(eq(int, (int)write(fd, line, sizeof line), (int)sizeof line));
	close(fd);
	struct playbook_set set = { 0 };
	playbook_set_load(&set, path);
	unlink(path);
	cr_assert(eq(sz, set.n_errors, 1));
	cr_expect(strstr(set.errors[0], ":1:1: larger than") != NULL, "%s", set.errors[0]);
	playbook_set_free(&set);
}

Test(playbook, missing_file_is_an_error_naming_it)
{
	struct playbook_set set = { 0 };
	playbook_set_load(&set, PLAYBOOKS "/no-such-file.yaml");
	cr_assert(eq(sz, set.n_errors, 1));
	cr_expect(strstr(set.errors[0], "no-such-file.yaml:1:1: cannot open") != NULL, "%s", set.errors[0]);
	playbook_set_free(&set);
}

/* Every shipped playbook loads without an error, and every check it names exists (the loader checks that). */
Test(playbook, shipped_playbooks_lint_clean)
{
	struct playbook_set set = { 0 };
	playbook_set_load(&set, PLAYBOOKS_SHIPPED);
	for (size_t i = 0; i < set.n_errors; i++)
		cr_expect(false, "%s", set.errors[i]);
	cr_assert(eq(sz, set.n_errors, 0));
	static const char *const required[] = { "vm-wont-start", "vmware-errors", "virtualbox-errors", "kvm-libvirt",
						"vm-slow", "vm-network", "full-scan" };
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		cr_expect(playbook_find(&set, required[i]) != NULL, "playbook %s is missing", required[i]);
	playbook_set_free(&set);
}

/* Walk `id` on a snapshot without a person; the caller frees. */
static void walk(const char *id, const char *scenario, const char *const *answers, size_t n,
		 struct playbook_set *set, struct facts *facts, struct playbook_run *run)
{
	memset(set, 0, sizeof *set);
	playbook_set_load(set, PLAYBOOKS_SHIPPED);
	playbook_set_load(set, PLAYBOOKS "/good-minimal.yaml");
	const struct playbook *pb = playbook_find(set, id);
	cr_assert(pb != NULL, "no playbook %s", id);
	char dir[256];
	snprintf(dir, sizeof dir, "%s/%s", SNAPSHOTS, scenario);
	struct host *host;
	cr_assert(eq(int, host_open_snapshot(dir, &host), 0), "%s", host_open_error());
	facts_collect(host, facts);
	host_close(host);
	playbook_run_start(run, pb, facts);
	cr_assert(eq(int, playbook_run_auto(run, answers, n), 0), "%s", run->error);
}

static const struct check_result *ran(const struct playbook_run *run, const char *check)
{
	for (size_t i = 0; i < run->report.count; i++)
		if (strcmp(run->report.results[i].check->id, check) == 0)
			return &run->report.results[i];
	return NULL;
}

static void done(struct playbook_set *set, struct facts *facts, struct playbook_run *run)
{
	playbook_run_free(run);
	facts_free(facts);
	playbook_set_free(set);
}

Test(playbook, firmware_disabled_stops_at_the_cpu_and_runs_only_its_path)
{
	struct playbook_set set;
	struct facts facts;
	struct playbook_run run;
	walk("vm-wont-start", "cpu-vt-disabled-msr", NULL, 0, &set, &facts, &run);
	const struct check_result *hw = ran(&run, "cpu.hwvirt");
	cr_assert(hw != NULL);
	cr_expect(eq(str, (char *)hw->code, "CPU-VT-DISABLED"));
	cr_expect(ran(&run, "kvm.devnode") == NULL, "the path ends at the CPU's root cause");
	cr_expect(eq(str, (char *)run.path[run.n_path - 1], "findings"));
	cr_expect(eq(sz, run.report.count, 2), "only cpu.guest and cpu.hwvirt ran");
	done(&set, &facts, &run);
}

Test(playbook, answers_come_from_the_user_then_detection_then_the_first)
{
	struct playbook_set set;
	struct facts facts;
	struct playbook_run run;
	const char *answers[] = { "which-program=virtualbox" };
	walk("vm-wont-start", "healthy-intel", answers, 1, &set, &facts, &run);
	cr_assert(eq(sz, run.n_answers, 1));
	cr_expect(eq(str, (char *)run.answers[0].value, "virtualbox"));
	cr_expect(eq(int, (int)run.answers[0].source, (int)PLAYBOOK_FROM_USER));
	done(&set, &facts, &run);

	walk("vm-wont-start", "healthy-intel", NULL, 0, &set, &facts, &run);
	cr_assert(eq(sz, run.n_answers, 1));
	cr_expect(eq(str, (char *)run.answers[0].value, "kvm"), "only QEMU/libvirt are installed there");
	cr_expect(eq(int, (int)run.answers[0].source, (int)PLAYBOOK_FROM_DETECT));
	done(&set, &facts, &run);
}

Test(playbook, bad_answers_are_refused_with_a_reason)
{
	struct playbook_set set = { 0 };
	playbook_set_load(&set, PLAYBOOKS_SHIPPED);
	const struct playbook *pb = playbook_find(&set, "vm-wont-start");
	cr_assert(pb != NULL);
	struct facts facts = { 0 };
	static const char *const cases[][2] = {
		{ "which-program=hyperv", "not an answer" },
		{ "no-such-step=x", "has no question" },
		{ "which-program", "STEP=VALUE" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct playbook_run run;
		playbook_run_start(&run, pb, &facts);
		cr_expect(eq(int, playbook_run_auto(&run, &cases[i][0], 1), -1));
		cr_expect(strstr(run.error, cases[i][1]) != NULL, "%s", run.error);
		playbook_run_free(&run);
	}
	playbook_set_free(&set);
}

/* full-scan runs every check in the table, so it cannot drift from it. */
Test(playbook, full_scan_runs_every_check)
{
	struct playbook_set set = { 0 };
	playbook_set_load(&set, PLAYBOOKS_SHIPPED);
	const struct playbook *pb = playbook_find(&set, "full-scan");
	cr_assert(pb != NULL);
	const struct playbook_step *s = playbook_step_find(pb, pb->start);
	cr_assert(s != NULL);
	cr_expect(eq(sz, s->n_checks, check_table_count), "full-scan must list every check (vmdoctor list checks)");
	playbook_set_free(&set);
}

struct scenario {
	char name[96];
};

ParameterizedTestParameters(playbook, vm_wont_start_agrees_with_full_scan)
{
	static struct scenario none[1];
	DIR *d = opendir(SNAPSHOTS);
	if (!d)
		return cr_make_param_array(struct scenario, none, 0);
	size_t n = 0, cap = 256;
	struct scenario *list = cr_malloc(cap * sizeof *list);
	struct dirent *e;
	while ((e = readdir(d)) && n < cap)
		if (e->d_name[0] != '.' && strlen(e->d_name) < sizeof list[0].name)
			memcpy(list[n++].name, e->d_name, strlen(e->d_name) + 1);
	closedir(d);
	return cr_make_param_array(struct scenario, list, n, free_params);
}

/* Where full-scan finds a failure, vm-wont-start (answers detected) finds one too, and only real ones:
 * every failure on its path is one full-scan also reports, and a processor root cause is never missed. */
ParameterizedTest(struct scenario *s, playbook, vm_wont_start_agrees_with_full_scan)
{
	struct playbook_set set;
	struct facts facts;
	struct playbook_run full, wont;
	walk("full-scan", s->name, NULL, 0, &set, &facts, &full);
	const struct playbook *pb = playbook_find(&set, "vm-wont-start");
	playbook_run_start(&wont, pb, &facts);
	cr_assert(eq(int, playbook_run_auto(&wont, NULL, 0), 0));
	size_t full_fails = full.report.counts[CHECK_FAIL], wont_fails = wont.report.counts[CHECK_FAIL];
	if (full_fails)
		cr_expect(gt(sz, wont_fails, 0), "%s: full-scan fails but vm-wont-start finds nothing", s->name);
	for (size_t i = 0; i < wont.report.count; i++) {
		const struct check_result *r = &wont.report.results[i];
		const struct check_result *same = ran(&full, r->check->id);
		cr_assert(same != NULL);
		cr_expect(eq(int, (int)r->status, (int)same->status), "%s: %s differs", s->name, r->check->id);
	}
	const struct check_result *hw = ran(&full, "cpu.hwvirt"), *guest = ran(&full, "cpu.guest");
	if (hw->status == CHECK_FAIL || guest->status == CHECK_FAIL)
		cr_expect(eq(sz, wont_fails, (size_t)(hw->status == CHECK_FAIL) + (guest->status == CHECK_FAIL)),
			  "%s: a processor root cause ends the walk", s->name);
	playbook_run_free(&wont);
	playbook_run_free(&full);
	facts_free(&facts);
	playbook_set_free(&set);
}

struct root_cause {
	char scenario[48];
	char program[16];       /* the answer detection must give */
	char code[32];          /* the root cause the walk must report as a failure */
};

ParameterizedTestParameters(playbook, vm_wont_start_finds_the_root_cause)
{
	static struct root_cause cases[] = {
		{ "vmware-version-mismatch", "vmware", "VMW-VERSION-MISMATCH" },
		{ "vbox-kvm-conflict-612", "virtualbox", "VBOX-KVM-CONFLICT" },
		{ "cpu-vt-disabled-msr", "kvm", "CPU-VT-DISABLED" },
		{ "cpu-svm-disabled-msr", "kvm", "CPU-SVM-DISABLED" },
		{ "vbox-hwvirt-unavailable", "virtualbox", "CPU-VT-DISABLED" },
		{ "kvm-devnode-perm-relogin", "kvm", "KVM-DEVNODE-PERM" },
	};
	return cr_make_param_array(struct root_cause, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct root_cause *c, playbook, vm_wont_start_finds_the_root_cause)
{
	struct playbook_set set;
	struct facts facts;
	struct playbook_run run;
	walk("vm-wont-start", c->scenario, NULL, 0, &set, &facts, &run);
	cr_assert(eq(sz, run.n_answers, 1));
	cr_expect(eq(str, (char *)run.answers[0].value, c->program), "%s: program", c->scenario);
	cr_expect(eq(int, (int)run.answers[0].source, (int)PLAYBOOK_FROM_DETECT));
	bool found = false;
	for (size_t i = 0; i < run.report.count && !found; i++)
		found = run.report.results[i].status == CHECK_FAIL && run.report.results[i].code &&
			strcmp(run.report.results[i].code, c->code) == 0;
	cr_expect(found, "%s: %s not found on the path", c->scenario, c->code);
	done(&set, &facts, &run);
}
