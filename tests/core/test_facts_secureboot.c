/* SPDX-License-Identifier: MIT */
/* Tests for core/facts_secureboot.c: the parsers on good and hostile text, and collection from snapshots. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmdoctor/facts.h"
#include "vmdoctor/facts_secureboot.h"
#include "vmdoctor/host.h"

#define GUID "8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define WRONG_GUID "8be4df61-93ca-11d2-aa0d-e08c7e8d71c0"
#define EFIVARS "fs/sys/firmware/efi/efivars/"

/* ---- EFI variables ---- */

static struct facts_sb_efivar efivar_of(const char *data, size_t len)
{
	struct facts_sb_efivar v;
	facts_sb_parse_efivar(data, len, &v);
	return v;
}

Test(facts_sb_efivar, enabled_and_disabled)
{
	struct facts_sb_efivar on = efivar_of("\x06\x00\x00\x00\x01", 5);
	struct facts_sb_efivar off = efivar_of("\x06\x00\x00\x00\x00", 5);
	cr_assert(eq(int, on.err, 0));
	cr_assert(eq(int, on.value, 1));
	cr_assert(eq(int, off.err, 0));
	cr_assert(eq(int, off.value, 0));
}

Test(facts_sb_efivar, attributes_are_not_the_value)
{
	/* Attribute bytes 07 00 00 00 would read as "1" if the parser looked at byte 0. */
	struct facts_sb_efivar v = efivar_of("\x07\x00\x00\x00\x00", 5);
	cr_assert(eq(int, v.value, 0));
}

Test(facts_sb_efivar, longer_data_uses_the_first_byte)
{
	struct facts_sb_efivar v = efivar_of("\x06\x00\x00\x00\x01\x00\x00\x00", 8);
	cr_assert(eq(int, v.err, 0));
	cr_assert(eq(int, v.value, 1));
}

Test(facts_sb_efivar, four_bytes_or_fewer_are_malformed)
{
	for (size_t len = 0; len <= 4; len++) {
		struct facts_sb_efivar v = efivar_of("\x06\x00\x00\x00", len);
		cr_assert(eq(int, v.err, -EINVAL), "len %zu", len);
		cr_assert(eq(int, v.value, -1));
	}
}

/* ---- lockdown ---- */

static enum facts_lockdown lockdown_of(const char *text)
{
	return facts_sb_parse_lockdown(text, strlen(text));
}

Test(facts_sb_lockdown, bracketed_level)
{
	cr_assert(eq(int, lockdown_of("[none] integrity confidentiality\n"), FACTS_LOCKDOWN_NONE));
	cr_assert(eq(int, lockdown_of("none [integrity] confidentiality\n"), FACTS_LOCKDOWN_INTEGRITY));
	cr_assert(eq(int, lockdown_of("none integrity [confidentiality]\n"), FACTS_LOCKDOWN_CONFIDENTIALITY));
}

Test(facts_sb_lockdown, hostile)
{
	cr_assert(eq(int, lockdown_of("none integrity confidentiality\n"), FACTS_LOCKDOWN_UNKNOWN));
	cr_assert(eq(int, lockdown_of("none [integrity"), FACTS_LOCKDOWN_UNKNOWN));
	cr_assert(eq(int, lockdown_of("[integrityX] none"), FACTS_LOCKDOWN_UNKNOWN));
	cr_assert(eq(int, lockdown_of("[]"), FACTS_LOCKDOWN_UNKNOWN));
	cr_assert(eq(int, lockdown_of(""), FACTS_LOCKDOWN_UNKNOWN));
	/* len is respected: the bracket after it does not count */
	cr_assert(eq(int, facts_sb_parse_lockdown("none [integrity]", 6), FACTS_LOCKDOWN_UNKNOWN));
}

/* ---- kernel log lines ---- */

Test(facts_sb_klog, refusal_kinds)
{
	static const struct {
		const char *text;
		enum facts_sb_line_kind kind;
	} cases[] = {
		{ "Lockdown: modprobe: unsigned module loading is restricted; see man kernel_lockdown.7",
		  FACTS_SB_LINE_LOCKDOWN },
		{ "Lockdown: systemd-modules: unsigned module loading is restricted; see man kernel_lockdown.7",
		  FACTS_SB_LINE_LOCKDOWN },
		{ "Loading of unsigned module is rejected", FACTS_SB_LINE_UNSIGNED },
		{ "Loading of module with unavailable key is rejected", FACTS_SB_LINE_UNAVAILABLE_KEY },
		{ "Loading of module with unsupported crypto is rejected", FACTS_SB_LINE_UNSUPPORTED },
		{ "modprobe: ERROR: could not insert 'vmmon': Key was rejected by service", FACTS_SB_LINE_KEY_REJECTED },
		{ "modprobe: ERROR: could not insert 'nvidia': Required key not available", FACTS_SB_LINE_NO_KEY },
		{ "vboxdrv: module verification failed: signature and/or required key missing - tainting kernel",
		  FACTS_SB_LINE_TAINT },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct facts_sb_line l;
		bool ok = facts_sb_parse_klog_line(cases[i].text, &l);
		cr_assert(ok, "%s", cases[i].text);
		cr_assert(eq(int, l.kind, cases[i].kind), "%s", cases[i].text);
		cr_assert(eq(str, l.text, (char *)cases[i].text));
	}
}

Test(facts_sb_klog, module_names)
{
	struct facts_sb_line l;
	cr_assert(facts_sb_parse_klog_line("modprobe: ERROR: could not insert 'vmmon': Key was rejected by service", &l));
	cr_assert(eq(str, l.module, "vmmon"));
	cr_assert(facts_sb_parse_klog_line("vboxdrv: module verification failed: signature and/or required key "
					   "missing - tainting kernel", &l));
	cr_assert(eq(str, l.module, "vboxdrv"));
	/* The comm of a Lockdown line is not a module. */
	cr_assert(facts_sb_parse_klog_line("Lockdown: modprobe: unsigned module loading is restricted; see man "
					   "kernel_lockdown.7", &l));
	cr_assert(eq(str, l.module, ""));
	cr_assert(facts_sb_parse_klog_line("Loading of unsigned module is rejected", &l));
	cr_assert(eq(str, l.module, ""));
}

Test(facts_sb_klog, unrelated_and_hostile)
{
	struct facts_sb_line l;
	bool ok = facts_sb_parse_klog_line("vboxdrv: Successfully loaded version 7.0.14", &l);
	cr_assert(not(ok));
	ok = facts_sb_parse_klog_line("secureboot: Secure boot enabled", &l);
	cr_assert(not(ok));
	/* An unterminated quote and an overlong name stay bounded. */
	char big[2048];
	memset(big, 'a', sizeof big);
	memcpy(big, "could not insert '", 18);
	strcpy(big + sizeof big - 40, "': Key was rejected by service");
	ok = facts_sb_parse_klog_line(big, &l);
	cr_assert(ok);
	cr_assert(lt(sz, strlen(l.module), sizeof l.module));
	cr_assert(lt(sz, strlen(l.text), sizeof l.text));
	ok = facts_sb_parse_klog_line("could not insert 'vboxdrv: Required key not available", &l);
	cr_assert(ok);
	cr_assert(eq(str, l.module, ""));
}

/* ---- modinfo ---- */

Test(facts_sb_modinfo, signer)
{
	static const char text[] = "filename:       /lib/modules/6.1.0-18-amd64/updates/dkms/vboxdrv.ko.xz\n"
				   "version:        7.0.14\nsig_id:         PKCS#7\n"
				   "signer:         DKMS module signing key\nsig_hashalgo:   sha256\n";
	char signer[128];
	cr_assert(eq(int, facts_sb_parse_modinfo(text, strlen(text), signer, sizeof signer), 0));
	cr_assert(eq(str, signer, "DKMS module signing key"));
}

Test(facts_sb_modinfo, unsigned_module)
{
	static const char none[] = "filename:       /lib/modules/6.1.0-18-amd64/misc/vboxdrv.ko\nname:           vboxdrv\n";
	static const char empty[] = "filename:       /lib/modules/6.1.0-18-amd64/misc/vmmon.ko\nsigner:         \n";
	char signer[128] = "x";
	cr_assert(eq(int, facts_sb_parse_modinfo(none, strlen(none), signer, sizeof signer), 0));
	cr_assert(eq(str, signer, ""));
	strcpy(signer, "x");
	cr_assert(eq(int, facts_sb_parse_modinfo(empty, strlen(empty), signer, sizeof signer), 0));
	cr_assert(eq(str, signer, ""));
}

Test(facts_sb_modinfo, not_modinfo_output)
{
	static const char text[] = "modinfo: ERROR: Module vboxdrv not found.\n";
	char signer[16];
	cr_assert(eq(int, facts_sb_parse_modinfo(text, strlen(text), signer, sizeof signer), -EINVAL));
	/* a long signer is cut to the buffer */
	static const char longer[] = "signer: an extremely long signer name that does not fit\n";
	cr_assert(eq(int, facts_sb_parse_modinfo(longer, strlen(longer), signer, sizeof signer), 0));
	cr_assert(eq(sz, strlen(signer), sizeof signer - 1));
}

/* ---- dkms status ---- */

static struct facts_dkms_entry status_of(const char *line, bool *ok)
{
	struct facts_dkms_entry e;
	*ok = facts_dkms_parse_status_line(line, strlen(line), &e);
	return e;
}

Test(facts_dkms_status, dkms3_and_dkms2)
{
	bool ok;
	struct facts_dkms_entry e = status_of("virtualbox/7.0.10, 6.5.0-14-generic, x86_64: installed", &ok);
	cr_assert(ok);
	cr_assert(eq(str, e.module, "virtualbox"));
	cr_assert(eq(str, e.version, "7.0.10"));
	cr_assert(eq(str, e.kernel, "6.5.0-14-generic"));
	cr_assert(eq(str, e.state, "installed"));
	e = status_of("virtualbox, 6.1.38, 5.15.0-56-generic, x86_64: installed", &ok);
	cr_assert(ok);
	cr_assert(eq(str, e.module, "virtualbox"));
	cr_assert(eq(str, e.version, "6.1.38"));
	cr_assert(eq(str, e.kernel, "5.15.0-56-generic"));
}

Test(facts_dkms_status, added_and_suffixes)
{
	bool ok;
	struct facts_dkms_entry e = status_of("virtualbox/6.1.16: added", &ok);
	cr_assert(ok);
	cr_assert(eq(str, e.version, "6.1.16"));
	cr_assert(eq(str, e.kernel, ""));
	cr_assert(eq(str, e.state, "added"));
	e = status_of("zfs/2.1.11, 6.1.0-18-amd64, x86_64: installed (Original modules exist)", &ok);
	cr_assert(ok);
	cr_assert(eq(str, e.state, "installed"));
	e = status_of("nvidia/535.146, 6.1.0-18-amd64, x86_64: installed-weak from 6.1.0-17-amd64", &ok);
	cr_assert(ok);
	cr_assert(eq(str, e.state, "installed-weak from 6.1.0-17-amd64"));
}

Test(facts_dkms_status, not_status_lines)
{
	bool ok;
	status_of("Warning: could not find module zfs", &ok);
	cr_assert(not(ok));
	status_of("Error! Could not locate dkms.conf file.", &ok);
	cr_assert(not(ok));
	status_of(": installed", &ok);
	cr_assert(not(ok));
	status_of("", &ok);
	cr_assert(not(ok));
	status_of("virtualbox/7.0.10, 6.5.0-14-generic, x86_64: ", &ok);
	cr_assert(not(ok));
}

/* ---- kernel versions ---- */

Test(facts_dkms_kernels, numeric_order)
{
	cr_assert(lt(int, facts_dkms_kernel_cmp("6.1.0-9-amd64", "6.1.0-17-amd64"), 0));
	cr_assert(gt(int, facts_dkms_kernel_cmp("6.1.0-18-amd64", "6.1.0-17-amd64"), 0));
	cr_assert(gt(int, facts_dkms_kernel_cmp("6.10.0-1-amd64", "6.9.0-3-amd64"), 0));
	cr_assert(eq(int, facts_dkms_kernel_cmp("6.5.0-14-generic", "6.5.0-14-generic"), 0));
	cr_assert(lt(int, facts_dkms_kernel_cmp("6.1", "6.1.0"), 0));
}

/* ---- collection from snapshots written at test time ---- */

static char snap_dir[64];

static void put_bytes(const char *rel, const char *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", snap_dir, rel);
	for (char *s = path + strlen(snap_dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	FILE *f = fopen(path, "wb");
	cr_assert(f != NULL, "%s", path);
	cr_assert(eq(sz, fwrite(data, 1, len, f), len));
	fclose(f);
}

static void put(const char *rel, const char *text)
{
	put_bytes(rel, text, strlen(text));
}

static void put_link(const char *rel, const char *target)
{
	char path[512];
	put(rel, "");
	snprintf(path, sizeof path, "%s/%s", snap_dir, rel);
	cr_assert(eq(int, unlink(path), 0));
	cr_assert(eq(int, symlink(target, path), 0));
}

static void make_snapshot_dir(void)
{
	snprintf(snap_dir, sizeof snap_dir, "/tmp/vmdoctor-sb-XXXXXX");
	cr_assert(mkdtemp(snap_dir) != NULL);
	put("snapshot.json", "{\"format\": \"vmdoctor-snapshot\", \"version\": 1, \"source\": \"fixture\"}\n");
	put("fs/proc/sys/kernel/osrelease", "6.1.0-17-amd64\n");
	put("fs/proc/modules", "kvm_intel 413696 0 - Live 0x0\n");
	put("dmesg.txt", "[    0.000000] Linux version 6.1.0-17-amd64\n");
}

static void remove_snapshot_dir(void)
{
	char cmd[128];
	if (snap_dir[0] && strncmp(snap_dir, "/tmp/vmdoctor-sb-", 17) == 0) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", snap_dir);
		cr_assert(eq(int, system(cmd), 0));
	}
}

static void collect(struct facts *f)
{
	struct host *host = NULL;
	int err = host_open_snapshot(snap_dir, &host);
	cr_assert(eq(int, err, 0), "%s", host_open_error());
	cr_assert(eq(int, facts_collect(host, f), 0));
	host_close(host);
}

Test(facts_sb_collect, legacy_bios, .init = make_snapshot_dir, .fini = remove_snapshot_dir)
{
	struct facts f;
	collect(&f);
	cr_assert(not(f.secureboot.efi));
	cr_assert(eq(int, f.secureboot.mode, FACTS_SB_LEGACY_BIOS));
	cr_assert(eq(int, f.secureboot.err, 0));
	bool enforcing = facts_secureboot_enforcing(&f);
	cr_assert(not(enforcing));
	facts_free(&f);

	/* A key on disk, but no EFI: mokutil is not asked. */
	put("fs/var/lib/dkms/mok.pub", "0");
	put("commands/mokutil-test-key.txt", "$ /usr/bin/mokutil --test-key /var/lib/dkms/mok.pub (exit 1)\n"
					     "/var/lib/dkms/mok.pub is not enrolled\n");
	collect(&f);
	cr_assert(f.secureboot.mok.key_path == NULL);
	cr_assert(eq(int, f.secureboot.mok.state, FACTS_MOK_UNKNOWN));
	facts_free(&f);
}

Test(facts_sb_collect, wrong_guid_is_not_read, .init = make_snapshot_dir, .fini = remove_snapshot_dir)
{
	put_bytes(EFIVARS "SecureBoot-" WRONG_GUID, "\x06\x00\x00\x00\x01", 5);
	put_bytes(EFIVARS "SecureBoot-8be4df61-92ca-11d2-aa0d-00e098032b8c", "\x06\x00\x00\x00\x01", 5);
	struct facts f;
	collect(&f);
	cr_assert(f.secureboot.efi);
	/* Only the wrong GUIDs exist: the real variable is absent, so Secure Boot is off, not on. */
	cr_assert(eq(int, f.secureboot.secureboot.err, -ENOENT));
	cr_assert(eq(int, f.secureboot.mode, FACTS_SB_OFF));
	facts_free(&f);

	put_bytes(EFIVARS "SecureBoot-" GUID, "\x06\x00\x00\x00\x00", 5);
	collect(&f);
	cr_assert(eq(int, f.secureboot.secureboot.value, 0));
	cr_assert(eq(int, f.secureboot.mode, FACTS_SB_OFF));
	bool on = facts_secureboot_on(&f);
	cr_assert(not(on));
	facts_free(&f);
}

Test(facts_sb_collect, efivarfs_not_mounted_is_unknown, .init = make_snapshot_dir, .fini = remove_snapshot_dir)
{
	put("fs/sys/firmware/efi/fw_platform_size", "64\n");
	struct facts f;
	collect(&f);
	cr_assert(f.secureboot.efi);
	cr_assert(not(f.secureboot.efivars));
	/* Not "off": nothing could be read, and the log is silent. */
	cr_assert(eq(int, f.secureboot.mode, FACTS_SB_UNKNOWN));
	cr_assert(eq(str, f.secureboot.why, "/sys/firmware/efi/efivars/: efivarfs is not mounted"));
	facts_free(&f);
}

Test(facts_sb_collect, setup_mode_and_shim, .init = make_snapshot_dir, .fini = remove_snapshot_dir)
{
	put_bytes(EFIVARS "SecureBoot-" GUID, "\x06\x00\x00\x00\x01", 5);
	put_bytes(EFIVARS "SetupMode-" GUID, "\x06\x00\x00\x00\x01", 5);
	put("fs/sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
	struct facts f;
	collect(&f);
	cr_assert(eq(int, f.secureboot.mode, FACTS_SB_SETUP_MODE));
	bool enforcing = facts_secureboot_enforcing(&f);
	cr_assert(not(enforcing));
	facts_free(&f);

	put_bytes(EFIVARS "SetupMode-" GUID, "\x06\x00\x00\x00\x00", 5);
	put_bytes(EFIVARS "MokSBStateRT-605dab50-e046-4300-abb6-3dd810dd8b23", "\x06\x00\x00\x00\x01", 5);
	put("fs/sys/kernel/security/lockdown", "none integrity confidentiality\n");
	collect(&f);
	cr_assert(eq(int, f.secureboot.mode, FACTS_SB_ON));
	cr_assert(f.secureboot.shim_validation_off);
	enforcing = facts_secureboot_enforcing(&f);
	cr_assert(not(enforcing));
	facts_free(&f);
}

Test(facts_sb_collect, malformed_variable_falls_back_to_the_log, .init = make_snapshot_dir,
     .fini = remove_snapshot_dir)
{
	put_bytes(EFIVARS "SecureBoot-" GUID, "\x06\x00\x00\x00", 4);
	struct facts f;
	collect(&f);
	cr_assert(eq(int, f.secureboot.secureboot.err, -EINVAL));
	cr_assert(eq(int, f.secureboot.mode, FACTS_SB_UNKNOWN));
	cr_assert(eq(int, f.secureboot.err, -EINVAL));
	cr_assert(ne(str, f.secureboot.why, ""));
	facts_free(&f);

	put("dmesg.txt", "[    0.000000] Linux version 6.1.0-17-amd64\n"
			 "[    0.000000] secureboot: Secure boot enabled\n"
			 "[    0.000000] Kernel is locked down from EFI Secure Boot mode; see man kernel_lockdown.7\n");
	collect(&f);
	cr_assert(eq(int, f.secureboot.mode, FACTS_SB_ON));
	cr_assert(eq(str, (char *)f.secureboot.mode_source, "dmesg"));
	cr_assert(eq(u32, f.secureboot.klog_lockdown_line, 3));
	bool enforcing = facts_secureboot_enforcing(&f);
	cr_assert(enforcing);
	facts_free(&f);
}

Test(facts_sb_collect, rejection_and_taint, .init = make_snapshot_dir, .fini = remove_snapshot_dir)
{
	put("fs/lib/modules/6.1.0-17-amd64/misc/vboxdrv.ko", "");
	put("fs/lib/modules/6.1.0-17-amd64/misc/vmmon.ko", "");
	put("fs/proc/modules", "vmmon 155648 0 - Live 0x0 (OE)\n");
	put("dmesg.txt", "[    1.0] vmmon: module verification failed: signature and/or required key missing - "
			 "tainting kernel\n"
			 "[    2.0] Loading of unsigned module is rejected\n");
	put("commands/modinfo-vboxdrv.txt", "$ /sbin/modinfo vboxdrv (exit 0)\n"
					    "filename:       /lib/modules/6.1.0-17-amd64/misc/vboxdrv.ko\n");
	struct facts f;
	collect(&f);
	const struct facts_sb_module *vbox = facts_secureboot_module(&f, "vboxdrv");
	cr_assert(vbox != NULL);
	cr_assert(vbox->ko_present);
	cr_assert(not(vbox->loaded));
	cr_assert(eq(int, vbox->signer_err, 0));
	cr_assert(eq(str, (char *)vbox->signer, ""));
	/* vmmon's .ko was found, but modinfo was not collected. */
	cr_assert(eq(int, facts_secureboot_module(&f, "vmmon")->signer_err, -ENODATA));
	const struct facts_sb_line *l = facts_secureboot_rejection(&f, "vboxdrv");
	cr_assert(l != NULL);
	cr_assert(eq(u32, l->lineno, 2));
	/* The taint line alone is not a refusal, and vmmon is loaded. */
	cr_assert(facts_secureboot_rejection(&f, "vmmon") == NULL);
	cr_assert(eq(sz, f.secureboot.n_lines, 2));
	facts_free(&f);
}

Test(facts_sb_collect, mok_enrolment, .init = make_snapshot_dir, .fini = remove_snapshot_dir)
{
	put_bytes(EFIVARS "SecureBoot-" GUID, "\x06\x00\x00\x00\x01", 5);
	put("fs/var/lib/shim-signed/mok/MOK.der", "0");
	put("commands/mokutil-test-key.txt", "$ /usr/bin/mokutil --test-key /var/lib/shim-signed/mok/MOK.der (exit 1)\n"
					     "/var/lib/shim-signed/mok/MOK.der is not enrolled\n");
	put("commands/mokutil-list-new.txt", "$ /usr/bin/mokutil --list-new (exit 1)\nMokNew is empty\n");
	struct facts f;
	collect(&f);
	cr_assert(eq(str, (char *)f.secureboot.mok.key_path, "/var/lib/shim-signed/mok/MOK.der"));
	cr_assert(eq(int, f.secureboot.mok.state, FACTS_MOK_NOT_ENROLLED));
	cr_assert(not(f.secureboot.mok.pending));
	facts_free(&f);

	put("commands/mokutil-list-new.txt", "$ /usr/bin/mokutil --list-new (exit 0)\n[key 1]\n"
					     "SHA1 Fingerprint: 4e:91\n        Subject: CN = Alice signing key\n");
	collect(&f);
	cr_assert(f.secureboot.mok.pending);
	cr_assert(eq(int, f.secureboot.mok.state, FACTS_MOK_PENDING));
	cr_assert(eq(str, f.secureboot.mok.pending_text, "Subject: CN = Alice signing key"));
	facts_free(&f);
}

Test(facts_sb_collect, kernels_and_headers, .init = make_snapshot_dir, .fini = remove_snapshot_dir)
{
	put("fs/lib/modules/6.1.0-17-amd64/modules.dep", "");
	put_link("fs/lib/modules/6.1.0-17-amd64/build", "/usr/src/linux-headers-6.1.0-17-amd64");
	put("fs/lib/modules/6.1.0-18-amd64/modules.dep", "");
	put_link("fs/lib/modules/6.1.0-18-amd64/build", "/usr/src/linux-headers-6.1.0-18-amd64");
	put("fs/usr/src/linux-headers-6.1.0-18-amd64/Makefile", "");
	put("fs/lib/modules/6.1.0-9-amd64/modules.dep", "");
	/* left over after a kernel was removed: not installed */
	put("fs/lib/modules/6.1.0-21-amd64/updates/dkms/vboxdrv.ko.xz", "");
	struct facts f;
	collect(&f);
	const struct facts_dkms *dk = &f.secureboot.dkms;
	cr_assert(eq(int, dk->kernels_err, 0));
	cr_assert(eq(sz, dk->kernels.count, 3));
	cr_assert(eq(str, (char *)dk->newest, "6.1.0-18-amd64"));
	cr_assert(dk->newest_headers);
	cr_assert(dk->running_dir);
	cr_assert(not(dk->running_headers));
	cr_assert(dk->build_link_dangles);
	facts_free(&f);
}

Test(facts_sb_collect, dkms_tree_status_and_make_log, .init = make_snapshot_dir, .fini = remove_snapshot_dir)
{
	put("fs/var/lib/dkms/mok.pub", "0");
	put("fs/var/lib/dkms/dkms_dbversion", "3.0.10\n");
	put_link("fs/var/lib/dkms/virtualbox/6.1.16/source", "/usr/src/virtualbox-6.1.16");
	put("fs/var/lib/dkms/virtualbox/6.1.16/build/make.log",
	    "DKMS make.log for virtualbox-6.1.16\n"
	    "  CC [M]  vboxdrv/linux/SUPDrv-linux.o\n"
	    "vboxdrv/r0drv/linux/memobj-r0drv-linux.c:1161:22: error: too many arguments to function 'x'\n"
	    "vboxdrv/a.c:1:1: error: second\n"
	    "vboxdrv/a.c:2:1: error: third\n"
	    "vboxdrv/a.c:3:1: error: fourth, dropped\n"
	    "make[2]: *** [scripts/Makefile.build:250: vboxdrv/r0drv] Error 1\n"
	    "make: *** [Makefile:238: __sub-make] Error 2\n");
	put("commands/dkms-status.txt", "$ /usr/sbin/dkms status (exit 0)\nvirtualbox/6.1.16: added\n");
	put("fs/var/log/apt/term.log", "Building for 6.1.0-17-amd64\n"
				       "Error! Bad return status for module build on kernel: 6.1.0-17-amd64 (x86_64)\n");
	struct facts f;
	collect(&f);
	const struct facts_dkms *dk = &f.secureboot.dkms;
	cr_assert(eq(sz, dk->modules.count, 1));
	cr_assert(eq(str, dk->modules.items[0], "virtualbox"));
	cr_assert(eq(int, dk->status_err, 0));
	cr_assert(eq(sz, dk->count, 1));
	cr_assert(eq(u32, dk->entries[0].line, 2));
	cr_assert(eq(sz, dk->n_builds, 1));
	const struct facts_dkms_build *b = &dk->builds[0];
	cr_assert(eq(str, (char *)b->version, "6.1.16"));
	cr_assert(eq(sz, b->n_errors, FACTS_DKMS_ERRLINES));
	cr_assert(eq(u32, b->error_line[0], 3));
	cr_assert(eq(u32, b->error_line[2], 5));
	cr_assert(eq(u32, b->error_line[3], 8));
	cr_assert(eq(str, (char *)b->error_text[3], "make: *** [Makefile:238: __sub-make] Error 2"));
	cr_assert(dk->build_line.found);
	cr_assert(eq(u32, dk->build_line.line, 2));
	cr_assert(eq(str, (char *)dk->build_line.file, "/var/log/apt/term.log"));
	facts_free(&f);
}

/* ---- hostile input ---- */

Test(facts_sb_hostile, huge_status_line_stays_bounded)
{
	size_t n = (size_t)1 << 20;
	char *line = malloc(n);
	cr_assert(line != NULL);
	for (size_t i = 0; i < n; i++)
		line[i] = "a/,: \0"[i % 6];
	struct facts_dkms_entry e;
	(void)facts_dkms_parse_status_line(line, n, &e);
	cr_assert(lt(sz, strlen(e.module), sizeof e.module));
	cr_assert(lt(sz, strlen(e.version), sizeof e.version));
	cr_assert(lt(sz, strlen(e.kernel), sizeof e.kernel));
	cr_assert(lt(sz, strlen(e.state), sizeof e.state));
	free(line);
}

Test(facts_sb_hostile, long_digit_runs_compare_without_overflow)
{
	char a[300], b[300];
	memset(a, '9', sizeof a - 1);
	a[sizeof a - 1] = '\0';
	memcpy(b, a, sizeof b);
	b[0] = '1';
	b[1] = '0';
	cr_assert(gt(int, facts_dkms_kernel_cmp(a, b), 0));
	/* leading zeros do not make a number bigger */
	cr_assert(eq(int, facts_dkms_kernel_cmp("6.1.0-0018", "6.1.0-18"), 0));
}

Test(facts_sb_hostile, control_characters_are_made_visible, .init = make_snapshot_dir, .fini = remove_snapshot_dir)
{
	put("fs/var/log/apt/term.log", "Error! Bad return status for module build on kernel: \x1b[31m6.1\x07 (x86_64)\n");
	put("fs/var/lib/dkms/zfs/2.1.11/build/make.log", "x.c:1:1: error: \x1b]0;pwned\x07\n");
	struct facts f;
	collect(&f);
	const struct facts_dkms *dk = &f.secureboot.dkms;
	cr_assert(dk->build_line.found);
	cr_assert(strchr(dk->build_line.text, '\x1b') == NULL);
	cr_assert(eq(sz, dk->n_builds, 1));
	cr_assert(strchr(dk->builds[0].error_text[0], '\x1b') == NULL);
	cr_assert(strchr(dk->builds[0].error_text[0], '\x07') == NULL);
	facts_free(&f);
}
