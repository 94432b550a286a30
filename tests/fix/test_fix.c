/* SPDX-License-Identifier: MIT */
/* Tests of the fix table: each plan built from fixture snapshots, step by step, and the CLI's refusals. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmdoctor/facts.h"
#include "vmdoctor/fix.h"
#include "vmdoctor/host.h"

struct built {
	struct host *host;
	struct facts facts;
	struct fix_plan plan;
	int rc;
	char why[256];
};

/* Build the plan of fix `id` (or of the fix for a code) on fixture `scenario`. */
static void build(struct built *b, const char *scenario, const char *id_or_code)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/snapshots/%s", FIXTURES, scenario);
	memset(b, 0, sizeof *b);
	int rc = host_open_snapshot(dir, &b->host);
	cr_assert(eq(int, rc, 0));
	facts_collect(b->host, &b->facts);
	const struct fix_def *fix = fix_find(id_or_code);
	if (!fix)
		fix = fix_for_code(id_or_code);
	cr_assert(ne(ptr, (void *)fix, NULL));
	b->rc = fix_plan_build(fix, &b->facts, b->host, &b->plan, b->why, sizeof b->why);
}

static void unbuild(struct built *b)
{
	fix_plan_free(&b->plan);
	facts_free(&b->facts);
	host_close(b->host);
}

static char *argv_join(char *const *argv)
{
	static char buf[512];
	buf[0] = '\0';
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			strcat(buf, " ");
		strcat(buf, argv[i]);
	}
	return buf;
}

Test(fix, blacklist_fixture_removes_that_line_then_loads_kvm_intel)
{
	struct built b;
	build(&b, "kvm-devnode-missing", "KVM-DEVNODE-MISSING");
	cr_assert(eq(int, b.rc, 0));
	cr_assert(eq(sz, b.plan.n_steps, 2));
	const struct fix_step *s = &b.plan.steps[0];
	cr_assert(eq(int, s->kind, FIX_STEP_FILE));
	cr_assert(eq(str, s->path, "/etc/modprobe.d/blacklist-kvm.conf"));
	cr_assert(eq(str, s->old_content, "# VirtualBox 6.1 wants VT-x for itself\nblacklist kvm_intel\n"));
	cr_assert(eq(str, s->new_content, "# VirtualBox 6.1 wants VT-x for itself\n"));
	cr_assert(eq(int, b.plan.steps[1].kind, FIX_STEP_COMMAND));
	cr_assert(eq(str, argv_join(b.plan.steps[1].argv), "/sbin/modprobe kvm_intel"));
	cr_assert(eq(str, argv_join(b.plan.steps[1].undo_argv), "/sbin/modprobe -r kvm_intel"));
	cr_assert(eq(str, (char *)b.plan.fix->id, "kvm-load-module"));
	unbuild(&b);
}

Test(fix, devnode_perm_adds_bob_to_kvm_and_needs_relogin)
{
	struct built b;
	build(&b, "kvm-devnode-perm", "KVM-DEVNODE-PERM");
	cr_assert(eq(int, b.rc, 0));
	cr_assert(eq(str, argv_join(b.plan.steps[0].argv), "/usr/sbin/usermod -aG kvm bob"));
	cr_assert(eq(str, argv_join(b.plan.steps[0].undo_argv), "/usr/bin/gpasswd -d bob kvm"));
	cr_assert(eq(int, b.plan.steps[1].kind, FIX_STEP_MANUAL));
	cr_assert(eq(uint, b.plan.needs & (CODE_NEEDS_ROOT | CODE_NEEDS_RELOGIN),
		     (unsigned)(CODE_NEEDS_ROOT | CODE_NEEDS_RELOGIN)));
	unbuild(&b);
}

Test(fix, net_inactive_starts_and_autostarts_default)
{
	struct built b;
	build(&b, "libvirt-net-inactive", "LIBVIRT-NET-INACTIVE");
	cr_assert(eq(int, b.rc, 0));
	cr_assert(eq(sz, b.plan.n_steps, 2));
	bool start = strstr(argv_join(b.plan.steps[0].argv), "net-start default") != NULL;
	cr_assert(start);
	bool destroy = strstr(argv_join(b.plan.steps[0].undo_argv), "net-destroy default") != NULL;
	cr_assert(destroy);
	bool autos = strstr(argv_join(b.plan.steps[1].argv), "net-autostart default") != NULL;
	cr_assert(autos);
	bool disable = strstr(argv_join(b.plan.steps[1].undo_argv), "net-autostart --disable default") != NULL;
	cr_assert(disable);
	unbuild(&b);
}

Test(fix, vt_disabled_on_dell_gives_dell_menu_and_power_off)
{
	struct built b;
	build(&b, "cpu-vt-disabled-msr", "CPU-VT-DISABLED");
	cr_assert(eq(int, b.rc, 0));
	cr_assert(eq(int, b.plan.steps[0].kind, FIX_STEP_MANUAL));
	bool dell = strstr(b.plan.steps[0].text, "F2 > Virtualization Support") != NULL;
	cr_assert(dell);
	bool off = strstr(b.plan.steps[1].text, "power off") && strstr(b.plan.steps[1].text, "not a warm reboot");
	cr_assert(off);
	cr_assert(eq(uint, b.plan.needs & CODE_NEEDS_FIRMWARE, (unsigned)CODE_NEEDS_FIRMWARE));
	unbuild(&b);
}

Test(fix, svm_disabled_on_msi_gives_svm_mode)
{
	struct built b;
	build(&b, "cpu-svm-disabled-msr", "CPU-SVM-DISABLED");
	cr_assert(eq(int, b.rc, 0));
	bool msi = strstr(b.plan.steps[0].text, "Micro-Star") && strstr(b.plan.steps[0].text, "SVM Mode");
	cr_assert(msi);
	unbuild(&b);
}

Test(fix, nested_off_writes_modprobe_conf_and_reloads)
{
	struct built b;
	build(&b, "kvm-nested-off", "KVM-NESTED-OFF");
	cr_assert(eq(int, b.rc, 0));
	cr_assert(eq(sz, b.plan.n_steps, 3));
	cr_assert(eq(str, b.plan.steps[0].path, "/etc/modprobe.d/kvm-nested.conf"));
	bool opt = strstr(b.plan.steps[0].new_content, "nested=1") != NULL;
	cr_assert(opt);
	bool rm = strstr(argv_join(b.plan.steps[1].argv), "/sbin/modprobe -r kvm_") != NULL;
	cr_assert(rm);
	unbuild(&b);
}

Test(fix, tun_missing_loads_tun)
{
	struct built b;
	build(&b, "qemu-tun-missing", "QEMU-TUN-MISSING");
	cr_assert(eq(int, b.rc, 0));
	cr_assert(eq(str, argv_join(b.plan.steps[0].argv), "/sbin/modprobe tun"));
	unbuild(&b);
}

Test(fix, guest_no_nested_is_a_manual_outer_host_step)
{
	struct built b;
	build(&b, "guest-no-nested-kvm", "GUEST-NO-NESTED");
	cr_assert(eq(int, b.rc, 0));
	cr_assert(eq(int, b.plan.steps[0].kind, FIX_STEP_MANUAL));
	bool outer = strstr(b.plan.steps[0].text, "OUTER host") != NULL;
	cr_assert(outer);
	unbuild(&b);
}

Test(fix, every_fix_builds_a_plan_with_undo_on_every_fixture_it_names)
{
	for (size_t i = 0; i < fix_table_count; i++) {
		struct built b;
		build(&b, "healthy-intel", fix_table[i].id);
		if (b.rc == 0) {
			cr_assert(gt(sz, b.plan.n_steps, 0), "%s", fix_table[i].id);
			for (size_t s = 0; s < b.plan.n_steps; s++)
				cr_assert(ne(ptr, b.plan.steps[s].undo, NULL), "%s", fix_table[i].id);
		} else {
			cr_assert(gt(sz, strlen(b.why), 0), "%s", fix_table[i].id);
		}
		unbuild(&b);
	}
	cr_assert(ge(sz, fix_table_count, 15));
}

Test(fix, bios_paths_by_vendor)
{
	cr_assert(eq(str, (char *)fix_bios_path("LENOVO", false),
		     "F1 (ThinkPad/ThinkCentre) or F2 (IdeaPad) > Security > Virtualization > Intel Virtualization Technology: Enabled"));
	const char *vendors[] = { "Dell Inc.", "HP", "ASUSTeK Computer INC.", "Micro-Star International Co., Ltd.",
				  "Gigabyte Technology Co., Ltd.", "Acer" };
	const char *generic = fix_bios_path("To Be Filled By O.E.M.", true);
	for (size_t i = 0; i < sizeof vendors / sizeof vendors[0]; i++)
		cr_assert(ne(str, (char *)fix_bios_path(vendors[i], true), (char *)generic), "%s", vendors[i]);
}

Test(fix, diff_of_removed_line)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fix_diff_print(f, "/etc/x.conf", "a\nb\nc\n", "a\nc\n");
	fclose(f);
	cr_assert(eq(str, buf, "--- /etc/x.conf\n+++ /etc/x.conf\n@@ -1,3 +1,2 @@\n a\n-b\n c\n"));
	free(buf);
}

Test(fix, diff_of_new_file)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fix_diff_print(f, "/etc/y", NULL, "x\n");
	fclose(f);
	cr_assert(eq(str, buf, "--- /dev/null\n+++ /etc/y\n@@ -0,0 +1,1 @@\n+x\n"));
	free(buf);
}

Test(fix, is_root_honours_the_test_override)
{
	setenv("VMDOCTOR_FAKE_EUID", "1000", 1);
	bool r = fix_is_root();
	cr_assert(not(r));
	setenv("VMDOCTOR_FAKE_EUID", "0", 1);
	r = fix_is_root();
	cr_assert(r);
	unsetenv("VMDOCTOR_FAKE_EUID");
}

/* Run a shell line, return its exit status and first output line. */
static int run(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	cr_assert(ne(ptr, (void *)p, NULL));
	size_t n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(fix_cli, snapshot_refused_without_dry_run_and_unchanged)
{
	char cmd[1024], before[256], after[256], out[8192];
	const char *dir = FIXTURES "/snapshots/kvm-devnode-missing";
	snprintf(cmd, sizeof cmd, "cd %s && find . -type f | sort | xargs sha256sum | sha256sum", dir);
	run(cmd, before, sizeof before);
	snprintf(cmd, sizeof cmd, "%s fix KVM-DEVNODE-MISSING --yes --snapshot %s 2>&1", VMDOCTOR_BIN, dir);
	int rc = run(cmd, out, sizeof out);
	cr_assert(eq(int, rc, 3));
	bool refused = strstr(out, "refusing to change a snapshot") != NULL;
	cr_assert(refused);
	snprintf(cmd, sizeof cmd, "%s fix KVM-DEVNODE-MISSING --dry-run --snapshot %s 2>&1", VMDOCTOR_BIN, dir);
	rc = run(cmd, out, sizeof out);
	cr_assert(eq(int, rc, 0));
	bool diff = strstr(out, "-blacklist kvm_intel\n") != NULL;
	cr_assert(diff);
	snprintf(cmd, sizeof cmd, "cd %s && find . -type f | sort | xargs sha256sum | sha256sum", dir);
	run(cmd, after, sizeof after);
	cr_assert(eq(str, before, after));
}

Test(fix_cli, without_root_names_the_sudo_command)
{
	char cmd[512], out[8192];
	snprintf(cmd, sizeof cmd, "VMDOCTOR_FAKE_EUID=1000 %s fix qemu-load-tun --yes </dev/null 2>&1", VMDOCTOR_BIN);
	int rc = run(cmd, out, sizeof out);
	cr_assert(eq(int, rc, 3));
	bool sudo = strstr(out, "sudo vmdoctor fix qemu-load-tun --yes") != NULL;
	cr_assert(sudo);
}

Test(fix_cli, unknown_argument_is_one_line)
{
	char cmd[512], out[8192];
	snprintf(cmd, sizeof cmd, "%s fix NO-SUCH-THING --dry-run 2>&1", VMDOCTOR_BIN);
	int rc = run(cmd, out, sizeof out);
	cr_assert(eq(int, rc, 3));
	bool named = strstr(out, "'NO-SUCH-THING' is neither a fix id nor a code") != NULL;
	cr_assert(named);
}

Test(fix_cli, list_fixes_json)
{
	char cmd[512], out[16384];
	snprintf(cmd, sizeof cmd, "%s list fixes --format json", VMDOCTOR_BIN);
	int rc = run(cmd, out, sizeof out);
	cr_assert(eq(int, rc, 0));
	bool has = strstr(out, "\"id\": \"libvirt-net-start\"") != NULL;
	cr_assert(has);
}

/* ---- applying on a scratch root (VMDOCTOR_ROOT's library form) ---- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *data = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&data, &len);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(m);
	fclose(f);
	return data;
}

/* A scratch root with etc/modprobe.d/blacklist-kvm.conf copied from the fixture, and a state dir. */
static void scratch(char *root, char *state)
{
	strcpy(root, "/tmp/vmdoctor-fix-root-XXXXXX");
	strcpy(state, "/tmp/vmdoctor-fix-state-XXXXXX");
	cr_assert(ne(ptr, mkdtemp(root), NULL));
	cr_assert(ne(ptr, mkdtemp(state), NULL));
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "mkdir -p %s/etc/modprobe.d && cp %s/snapshots/kvm-devnode-missing/fs/etc/modprobe.d/* "
		 "%s/etc/modprobe.d/", root, FIXTURES, root);
	cr_assert(eq(int, system(cmd), 0));
}

static void scratch_rm(const char *root, const char *state)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf %s %s", root, state);
	cr_assert(eq(int, system(cmd), 0));
}

Test(fix_apply, file_step_applied_on_scratch_root_then_undone_byte_for_byte)
{
	char root[64], state[64], run_id[256], path[512], run_dir[1024];
	scratch(root, state);
	snprintf(path, sizeof path, "%s/etc/modprobe.d/blacklist-kvm.conf", root);
	char *before = slurp(path);
	struct built b;
	build(&b, "kvm-devnode-missing", "kvm-load-module");
	size_t all = b.plan.n_steps;
	b.plan.n_steps = 1;     /* the file step only: the modprobe step must not run on this machine */
	FILE *log = fopen("/dev/null", "w");
	int rc = fix_apply(&b.plan, root, state, run_id, sizeof run_id, log);
	cr_assert(eq(int, rc, 0));
	char *mid = slurp(path);
	cr_assert(eq(str, mid, "# VirtualBox 6.1 wants VT-x for itself\n"));
	snprintf(run_dir, sizeof run_dir, "%s/runs/%s", state, run_id);
	char bak[1200];
	snprintf(bak, sizeof bak, "%s/backups/0", run_dir);
	char *backup = slurp(bak);
	cr_assert(eq(str, backup, before));
	rc = fix_undo(run_dir, log);
	cr_assert(eq(int, rc, 0));
	char *after = slurp(path);
	cr_assert(eq(str, after, before));
	rc = fix_undo(run_dir, log);
	cr_assert(eq(int, rc, -EALREADY));
	fclose(log);
	free(before);
	free(mid);
	free(backup);
	free(after);
	b.plan.n_steps = all;
	unbuild(&b);
	scratch_rm(root, state);
}

Test(fix_apply, failing_step_rolls_back_the_earlier_steps)
{
	char root[64], state[64], run_id[256], edited[512], created[512];
	scratch(root, state);
	snprintf(edited, sizeof edited, "%s/etc/modprobe.d/blacklist.conf", root);
	snprintf(created, sizeof created, "%s/etc/modprobe.d/new.conf", root);
	char *before = slurp(edited);
	struct fix_plan plan = { .fix = &fix_table[0] };
	plan.steps[0] = (struct fix_step){ .kind = FIX_STEP_FILE, .what = strdup("create"),
					    .path = strdup("/etc/modprobe.d/new.conf"), .new_content = strdup("x\n"),
					    .undo = strdup("delete") };
	plan.steps[1] = (struct fix_step){ .kind = FIX_STEP_FILE, .what = strdup("edit"),
					    .path = strdup("/etc/modprobe.d/blacklist.conf"),
					    .old_content = strdup(before), .new_content = strdup("changed\n"),
					    .undo = strdup("restore") };
	plan.steps[2] = (struct fix_step){ .kind = FIX_STEP_COMMAND, .what = strdup("fail"),
					    .argv = { strdup("/bin/false") }, .undo = strdup("nothing") };
	plan.n_steps = 3;
	FILE *log = fopen("/dev/null", "w");
	int rc = fix_apply(&plan, root, state, run_id, sizeof run_id, log);
	fclose(log);
	cr_assert(lt(int, rc, 0));
	char *after = slurp(edited);
	cr_assert(eq(str, after, before));
	bool gone = access(created, F_OK) != 0;
	cr_assert(gone);
	free(before);
	free(after);
	fix_plan_free(&plan);
	scratch_rm(root, state);
}

Test(fix_apply, cli_history_and_undo_revert_the_last_run)
{
	char root[64], state[64], run_id[256], path[512], cmd[1024], out[8192];
	scratch(root, state);
	snprintf(path, sizeof path, "%s/etc/modprobe.d/blacklist-kvm.conf", root);
	char *before = slurp(path);
	struct built b;
	build(&b, "kvm-devnode-missing", "kvm-load-module");
	size_t all = b.plan.n_steps;
	b.plan.n_steps = 1;
	FILE *log = fopen("/dev/null", "w");
	int rc = fix_apply(&b.plan, root, state, run_id, sizeof run_id, log);
	fclose(log);
	cr_assert(eq(int, rc, 0));
	snprintf(cmd, sizeof cmd, "VMDOCTOR_STATE_DIR=%s %s history 2>&1", state, VMDOCTOR_BIN);
	rc = run(cmd, out, sizeof out);
	cr_assert(eq(int, rc, 0));
	bool listed = strstr(out, run_id) && strstr(out, "kvm-load-module");
	cr_assert(listed);
	snprintf(cmd, sizeof cmd, "VMDOCTOR_STATE_DIR=%s %s undo </dev/null 2>&1", state, VMDOCTOR_BIN);
	rc = run(cmd, out, sizeof out);
	cr_assert(eq(int, rc, 3), "%s", out);   /* no terminal and no --yes: refused */
	snprintf(cmd, sizeof cmd, "VMDOCTOR_STATE_DIR=%s %s undo --yes 2>&1", state, VMDOCTOR_BIN);
	rc = run(cmd, out, sizeof out);
	cr_assert(eq(int, rc, 0), "%s", out);
	bool said = strstr(out, "restored /etc/modprobe.d/blacklist-kvm.conf") != NULL;
	cr_assert(said, "%s", out);
	char *after = slurp(path);
	cr_assert(eq(str, after, before));
	free(before);
	free(after);
	b.plan.n_steps = all;
	unbuild(&b);
	scratch_rm(root, state);
}
