/* SPDX-License-Identifier: MIT */
/* Tests for core/facts_vmware.c: config, mismatch, modinfo and log parsers, the vmmon table, and snapshots. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmdoctor/facts.h"
#include "vmdoctor/facts_vmware.h"
#include "vmdoctor/host.h"

#define SNAPSHOTS FIXTURES "/snapshots"

/* ---- /etc/vmware/config ---- */

Test(facts_vmware_config, workstation_keys_win_over_product_version)
{
	static const char text[] = ".encoding = \"UTF-8\"\n"
				   "product.version = \"17.0.0\"\n"
				   "player.product.version = \"17.5.1\"\n"
				   "workstation.product.version = \"17.5.2\"\n"
				   "product.name = \"VMware Workstation\"\n"
				   "product.buildNumber = \"23775571\"\n";
	struct facts_vmware_config c;
	facts_vmware_parse_config(text, strlen(text), &c);
	cr_assert(eq(str, c.version, "17.5.2"));
	cr_assert(eq(str, (char *)c.version_key, "workstation.product.version"));
	cr_assert(eq(u32, c.version_line, 4));
	cr_assert(eq(str, c.product_name, "VMware Workstation"));
	cr_assert(eq(str, c.build, "23775571"));
}

Test(facts_vmware_config, player_only_and_unquoted_values)
{
	static const char text[] = "# comment = \"9.9.9\"\n"
				   "  player.product.version   =   17.5.1  \r\n"
				   "product.name=\"VMware Player\"\n";
	struct facts_vmware_config c;
	facts_vmware_parse_config(text, strlen(text), &c);
	cr_assert(eq(str, c.version, "17.5.1"));
	cr_assert(eq(str, (char *)c.version_key, "player.product.version"));
	cr_assert(eq(str, c.product_name, "VMware Player"));
	cr_assert(eq(str, c.build, ""));
}

Test(facts_vmware_config, hostile_values_are_bounded_and_cleaned)
{
	char text[4096];
	memset(text, 'A', sizeof text);
	memcpy(text, "product.name = \"\x1b[31mevil", 26);
	memcpy(text + sizeof text - 30, "\"\nproduct.version = \"1\x07\"\n", 26);
	struct facts_vmware_config c;
	facts_vmware_parse_config(text, sizeof text - 4, &c);
	cr_assert(lt(sz, strlen(c.product_name), sizeof c.product_name));
	bool no_escape = strchr(c.product_name, 0x1b) == NULL;
	cr_assert(no_escape);
	cr_assert(eq(str, c.version, "1?"));
}

Test(facts_vmware_config, empty_and_binary_input)
{
	struct facts_vmware_config c;
	facts_vmware_parse_config(NULL, 0, &c);
	cr_assert(eq(str, c.version, ""));
	bool no_key = c.version_key == NULL;
	cr_assert(no_key);
	static const char bin[] = "product.version\0 = \"17.5.2\"\n=\n==\n\"\"";
	facts_vmware_parse_config(bin, sizeof bin - 1, &c);
	cr_assert(eq(str, c.version, ""));
}

/* ---- "Version mismatch with vmmon module" ---- */

Test(facts_vmware_mismatch, both_versions_are_extracted)
{
	static const char line[] = "2026-04-30T16:02:40.902Z In(05) vmx [msg.vmmonVersionMismatch] Version mismatch "
				   "with vmmon module: expecting 417.0, got 416.0.";
	struct facts_vmware_mismatch m;
	cr_assert(facts_vmware_parse_mismatch(line, strlen(line), &m));
	cr_assert(eq(str, m.expecting, "417.0"));
	cr_assert(eq(str, m.got, "416.0"));
	cr_assert(eq(u32, m.expecting_major, 417));
	cr_assert(eq(u32, m.got_major, 416));
}

Test(facts_vmware_mismatch, malformed_lines_are_refused)
{
	static const char *const bad[] = {
		"Version mismatch with vmmon module: expecting , got 416.0",
		"Version mismatch with vmmon module: expecting 417.0 got 416.0",
		"Version mismatch with vmmon module: expecting 417.0, got x",
		"Version mismatch with vmmon module: expecting 417.0, got ",
		"Version mismatch with VMX86 driver: expecting 417.0, got 416.0",
		"Version mismatch with vmmon module: expecting",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct facts_vmware_mismatch m;
		bool ok = facts_vmware_parse_mismatch(bad[i], strlen(bad[i]), &m);
		cr_expect(not(ok), "accepted: %s", bad[i]);
	}
}

Test(facts_vmware_mismatch, huge_numbers_stay_bounded)
{
	static const char line[] = "Version mismatch with vmmon module: expecting 41799999999999.000000000000000000001, "
				   "got 416.0";
	struct facts_vmware_mismatch m;
	bool ok = facts_vmware_parse_mismatch(line, strlen(line), &m);
	/* The number is cut at six digits, so ", got" no longer follows: refused rather than misread. */
	cr_assert(not(ok));
	cr_assert(lt(sz, strlen(m.expecting), sizeof m.expecting));
}

/* ---- the vmmon table ---- */

Test(facts_vmware_table, vmmon_to_product)
{
	const struct facts_vmware_release *r = facts_vmware_release_by_vmmon(416);
	cr_assert_not_null(r);
	cr_assert(eq(str, (char *)r->products, "17.0.0 – 17.5.x"));
	cr_assert(not(r->approx));
	r = facts_vmware_release_by_vmmon(417);
	cr_assert_not_null(r);
	cr_assert(r->approx, "417 is known from user reports only");
	cr_assert_null(facts_vmware_release_by_vmmon(415));
}

Test(facts_vmware_table, product_to_vmmon)
{
	static const struct {
		const char *version;
		unsigned vmmon;
	} cases[] = {
		{ "17.5.2", 416 }, { "17.0.0", 416 }, { "17.6.1", 417 }, { "16.2.3", 410 }, { "12.5.9", 309 },
		{ "14.1.0", 329 }, { "14.1.1", 330 }, { "15.5.5", 392 }, { "25.0.0", 418 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct facts_vmware_release *r = facts_vmware_release_by_product(cases[i].version);
		cr_assert_not_null(r, "%s", cases[i].version);
		cr_expect(eq(u32, r->vmmon, cases[i].vmmon), "%s", cases[i].version);
	}
	cr_assert_null(facts_vmware_release_by_product("13.0.0"));
	cr_assert_null(facts_vmware_release_by_product("15.5.3"));
	cr_assert_null(facts_vmware_release_by_product("abc"));
	cr_assert_null(facts_vmware_release_by_product(""));
	cr_assert_null(facts_vmware_release_by_product(NULL));
}

/* ---- logs ---- */

static size_t count_kind(const struct facts_vmware *vm, enum facts_vmw_event_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < vm->event_count; i++)
		n += vm->events[i].kind == kind;
	return n;
}

Test(facts_vmware_logs, lines_are_classified_with_file_and_line)
{
	static const char text[] =
		"2026-05-03T19:20:05.101+02:00| vmware| I005: Log for VMware Workstation\n"
		"2026-05-03T19:20:09.731+02:00| vmware| I005: make: *** [Makefile:117: vmmon.ko] Error 2\n"
		"2026-05-03T19:20:09.902+02:00| vmware| I005: Unable to install all modules.  See log x for details.\n"
		"Kernel headers for version 6.8.0-40-generic were not found.\n"
		"2026-05-03T19:21:00.000+02:00| vmui| I005: Could not open /dev/vmmon: No such file or directory.\n"
		"modprobe: ERROR: could not insert 'vboxdrv': Key was rejected by service\n"
		"modprobe: ERROR: could not insert 'vmmon': Key was rejected by service\n"
		"make: *** [Makefile:12: other.ko] Error 2\n"
		"This host supports Intel VT-x, but Intel VT-x is disabled.\n";
	struct facts_vmware vm = { 0 };
	facts_vmware_scan_log(&vm, "/tmp/vmware-alice/vmware-1.log", text, strlen(text));
	cr_assert(eq(sz, vm.logs_scanned, 1));
	cr_assert(eq(sz, count_kind(&vm, FACTS_VMW_EV_BUILD_ERROR), 1), "a make error of another module is no evidence");
	cr_assert(eq(sz, count_kind(&vm, FACTS_VMW_EV_SIG_REJECTED), 1), "vboxdrv's rejection is not VMware's");
	const struct facts_vmware_event *e = facts_vmware_latest(&vm, FACTS_VMW_EV_INSTALL_FAILED);
	cr_assert_not_null(e);
	cr_assert(eq(u32, e->line, 3));
	cr_assert(eq(str, (char *)e->file, "/tmp/vmware-alice/vmware-1.log"));
	cr_assert(eq(str, (char *)e->stamp, "2026-05-03T19:20:09"));
	e = facts_vmware_latest(&vm, FACTS_VMW_EV_NO_HEADERS);
	cr_assert_not_null(e);
	cr_assert(eq(str, (char *)e->stamp, ""));
	cr_assert_not_null(facts_vmware_latest(&vm, FACTS_VMW_EV_NO_DEVICE));
	cr_assert_not_null(facts_vmware_latest(&vm, FACTS_VMW_EV_VT_DISABLED));
	cr_assert_null(facts_vmware_latest(&vm, FACTS_VMW_EV_VERSION_MISMATCH));
	free(vm.events);
}

Test(facts_vmware_logs, taint_is_not_a_rejection)
{
	static const char text[] = "vmmon: module verification failed: signature and/or required key missing - "
				   "tainting kernel\n"
				   "vboxdrv: module verification failed: signature and/or required key missing - "
				   "tainting kernel\n";
	struct facts_vmware vm = { 0 };
	facts_vmware_scan_log(&vm, "dmesg", text, strlen(text));
	cr_assert(eq(sz, count_kind(&vm, FACTS_VMW_EV_SIG_TAINT), 1));
	cr_assert(eq(sz, count_kind(&vm, FACTS_VMW_EV_SIG_REJECTED), 0));
	free(vm.events);
}

Test(facts_vmware_logs, newest_mismatch_wins_across_files)
{
	static const char newer[] = "2026-05-02T10:00:00.000Z In(05) vmx Version mismatch with vmmon module: "
				    "expecting 417.0, got 416.0.\n";
	static const char older[] = "2026-04-01T10:00:00.000Z In(05) vmx Version mismatch with vmmon module: "
				    "expecting 416.0, got 410.0.\n";
	struct facts_vmware vm = { 0 };
	facts_vmware_scan_log(&vm, "/home/alice/vmware/b/vmware.log", newer, strlen(newer));
	facts_vmware_scan_log(&vm, "/home/alice/vmware/a/vmware.log", older, strlen(older));
	const struct facts_vmware_event *e = facts_vmware_latest(&vm, FACTS_VMW_EV_VERSION_MISMATCH);
	cr_assert_not_null(e);
	cr_assert(eq(str, (char *)e->file, "/home/alice/vmware/b/vmware.log"));
	free(vm.events);
}

Test(facts_vmware_logs, kept_lines_are_bounded_and_keep_the_newest)
{
	/* 200 mismatch lines, each a minute later: only a few are kept, and the newest is among them. */
	size_t cap = 200 * 128;
	char *text = malloc(cap);
	size_t len = 0;
	for (int i = 0; i < 200; i++)
		len += (size_t)snprintf(text + len, cap - len, "2026-05-01T%02d:%02d:00.000Z In(05) vmx Version mismatch "
					"with vmmon module: expecting 417.0, got %d.0.\n", i / 60, i % 60, 200 + i);
	struct facts_vmware vm = { 0 };
	facts_vmware_scan_log(&vm, "/x/vmware.log", text, len);
	cr_assert(le(sz, vm.event_count, 8));
	const struct facts_vmware_event *e = facts_vmware_latest(&vm, FACTS_VMW_EV_VERSION_MISMATCH);
	cr_assert_not_null(e);
	cr_assert(eq(u32, e->line, 200));
	free(vm.events);
	free(text);
}

Test(facts_vmware_logs, long_and_control_lines_are_cleaned)
{
	size_t n = 100000;
	char *text = malloc(n);
	memset(text, 'x', n);
	static const char needle[] = "\x1b]0;Could not open /dev/vmmon\x07";
	memcpy(text + 50000, needle, sizeof needle - 1);
	struct facts_vmware vm = { 0 };
	facts_vmware_scan_log(&vm, "/tmp/vmware-root/vmware-1.log", text, n);
	const struct facts_vmware_event *e = facts_vmware_latest(&vm, FACTS_VMW_EV_NO_DEVICE);
	cr_assert_not_null(e);
	cr_assert(lt(sz, strlen(e->text), sizeof e->text));
	bool clean = strchr(e->text, 0x1b) == NULL && strchr(e->text, 0x07) == NULL;
	cr_assert(clean);
	bool kept_the_words = strstr(e->text, "Could not open /dev/vmmon") != NULL;
	cr_assert(kept_the_words, "a long line keeps what matched: %s", e->text);
	free(vm.events);
	free(text);
}

/* ---- modinfo ---- */

Test(facts_vmware_modinfo, signer_or_none)
{
	static const char signed_text[] = "filename:       /lib/modules/6.5.0-35-generic/misc/vmmon.ko\n"
					  "description:    VMware Virtual Machine Monitor.\n"
					  "signer:         VMware module signing key\n";
	static const char unsigned_text[] = "filename:       /lib/modules/6.5.0-35-generic/updates/vmmon.ko\n"
					    "supported:      external\n";
	struct facts_vmware vm = { 0 };
	cr_assert(eq(int, facts_vmware_parse_modinfo(signed_text, strlen(signed_text), &vm), 0));
	cr_assert(eq(str, vm.modinfo_filename, "/lib/modules/6.5.0-35-generic/misc/vmmon.ko"));
	cr_assert(eq(str, vm.modinfo_signer, "VMware module signing key"));
	cr_assert(eq(int, facts_vmware_parse_modinfo(unsigned_text, strlen(unsigned_text), &vm), 0));
	cr_assert(eq(str, vm.modinfo_signer, ""), "a previous signer must not survive");
	cr_assert(eq(str, vm.modinfo_filename, "/lib/modules/6.5.0-35-generic/updates/vmmon.ko"));
	static const char junk[] = "modinfo: ERROR: Module vmmon not found.\n";
	cr_assert(eq(int, facts_vmware_parse_modinfo(junk, strlen(junk), &vm), -EINVAL));
}

/* ---- whole snapshots ---- */

static void collect(const char *name, struct facts *facts)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/%s", SNAPSHOTS, name);
	struct host *host = NULL;
	cr_assert(eq(int, host_open_snapshot(dir, &host), 0), "%s: %s", name, host_open_error());
	facts_collect(host, facts);
	host_close(host);
}

Test(facts_vmware_snapshot, not_installed_reads_nothing)
{
	struct facts f;
	collect("healthy-intel", &f);
	cr_assert(not(f.vmware.installed));
	cr_assert(eq(sz, f.vmware.event_count, 0));
	cr_assert(eq(sz, f.vmware.ko_count, 0));
	cr_assert(eq(int, f.vmware.modinfo_err, -ENODATA));
	facts_free(&f);
}

Test(facts_vmware_snapshot, version_mismatch_host)
{
	struct facts f;
	collect("vmware-version-mismatch", &f);
	const struct facts_vmware *vm = &f.vmware;
	cr_assert(vm->installed);
	cr_assert(eq(int, vm->config_err, 0));
	cr_assert(eq(str, (char *)vm->config.version, "17.6.1"));
	cr_assert(eq(int, vm->modules_dir_err, 0));
	cr_assert(eq(sz, facts_vmware_ko_count(vm, FACTS_VMW_VMMON), 2));
	cr_assert(eq(sz, facts_vmware_ko_count(vm, FACTS_VMW_VMNET), 2));
	cr_assert(vm->headers);
	cr_assert(vm->mismatch_seen);
	cr_assert(eq(u32, vm->mismatch.expecting_major, 417));
	cr_assert(eq(u32, vm->mismatch.got_major, 416));
	cr_assert(eq(int, vm->modinfo_err, 0));
	cr_assert(eq(str, (char *)vm->modinfo_filename, "/lib/modules/6.1.0-18-amd64/updates/vmmon.ko"));
	cr_assert(eq(str, (char *)vm->lockdown, "none"));
	facts_free(&f);
}

Test(facts_vmware_snapshot, rotated_vm_log_is_history)
{
	struct facts f;
	collect("vmware-healthy", &f);
	cr_assert(f.vmware.installed);
	cr_assert(not(f.vmware.mismatch_seen), "vmware-0.log of an earlier run must not count");
	cr_assert(gt(sz, f.vmware.logs_scanned, 1));
	facts_free(&f);
}

Test(facts_vmware_snapshot, kernel_update_leaves_old_modules)
{
	struct facts f;
	collect("vmware-modbuild-fail", &f);
	cr_assert(eq(sz, facts_vmware_ko_count(&f.vmware, FACTS_VMW_VMMON), 0));
	cr_assert(eq(str, (char *)f.vmware.other_kernel, "6.5.0-35-generic"));
	cr_assert(eq(int, f.vmware.modinfo_err, -ENOENT));
	cr_assert_not_null(facts_vmware_latest(&f.vmware, FACTS_VMW_EV_INSTALL_FAILED));
	facts_free(&f);
}

Test(facts_vmware_snapshot, vm_found_through_recently_used_list)
{
	struct facts f;
	collect("vmware-hv-unavailable", &f);
	const struct facts_vmware_event *e = facts_vmware_latest(&f.vmware, FACTS_VMW_EV_VT_DISABLED);
	cr_assert_not_null(e, "the VM outside ~/vmware is listed only in ~/.vmware/preferences");
	cr_assert(eq(str, (char *)e->file, "/data/VMs/Windows 10/vmware.log"));
	cr_assert(eq(u32, e->line, 7));
	facts_free(&f);
}
