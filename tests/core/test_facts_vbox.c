/* SPDX-License-Identifier: MIT */
/* Tests for core/facts_vbox.c: version parsers, log lines, the KVM matrix, and collection from fixture snapshots. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmdoctor/facts.h"
#include "vmdoctor/host.h"

#define SNAPSHOTS FIXTURES "/snapshots"

static struct facts_vbox_version version_of(const char *text, bool *ok)
{
	struct facts_vbox_version v;
	*ok = facts_vbox_parse_version(text, strlen(text), &v);
	return v;
}

/* ---- versions ---- */

Test(facts_vbox_version, modinfo_style)
{
	bool ok;
	struct facts_vbox_version v = version_of("7.0.14 r161095 (0x00330004)", &ok);
	cr_assert(ok);
	cr_assert(eq(u32, v.num[0], 7));
	cr_assert(eq(u32, v.num[1], 0));
	cr_assert(eq(u32, v.num[2], 14));
	cr_assert(eq(str, v.text, "7.0.14 r161095"));
}

Test(facts_vbox_version, distro_suffix)
{
	bool ok;
	struct facts_vbox_version v = version_of("  7.0.16_Ubuntu r162802", &ok);
	cr_assert(ok);
	cr_assert(eq(u32, v.num[2], 16));
	cr_assert(eq(str, v.text, "7.0.16_Ubuntu r162802"));
}

Test(facts_vbox_version, rejects_non_versions)
{
	static const char *const bad[] = { "", "7.1", "abc", "7..1", "7.0.x", "12345678.0.1", "7.0.1234567" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		bool ok;
		version_of(bad[i], &ok);
		cr_expect(not(ok), "\"%s\" is not a version", bad[i]);
	}
}

Test(facts_vbox_version, control_bytes_do_not_survive)
{
	bool ok;
	struct facts_vbox_version v = version_of("7.0.14 \x1b[31mr1", &ok);
	cr_assert(ok);
	cr_assert(eq(ptr, strchr(v.text, '\x1b'), NULL));
}

Test(facts_vbox_version, compare)
{
	const unsigned a[3] = { 7, 0, 14 }, b[3] = { 7, 0, 18 }, c[3] = { 7, 1, 0 };
	cr_assert(lt(int, facts_vbox_version_cmp(a, b), 0));
	cr_assert(gt(int, facts_vbox_version_cmp(c, b), 0));
	cr_assert(eq(int, facts_vbox_version_cmp(a, a), 0));
}

Test(facts_vbox_cfg, install_ver_quoted)
{
	static const char cfg[] = "# VirtualBox installation directory\nINSTALL_DIR='/usr/lib/virtualbox'\n"
				  "# VirtualBox version\nINSTALL_VER='7.0.18'\nINSTALL_REV='162988'\n";
	struct facts_vbox_version v;
	unsigned line = 0;
	bool ok = facts_vbox_parse_cfg(cfg, sizeof cfg - 1, &v, &line);
	cr_assert(ok);
	cr_assert(eq(u32, line, 4));
	cr_assert(eq(u32, v.num[2], 18));
}

Test(facts_vbox_cfg, double_quotes_and_absent)
{
	static const char dq[] = "INSTALL_VER=\"7.1.4\"\n";
	static const char none[] = "INSTALL_DIR=/opt/VirtualBox\nINSTALL_VERSION=7.1.4\n";
	struct facts_vbox_version v;
	unsigned line = 0;
	bool ok = facts_vbox_parse_cfg(dq, sizeof dq - 1, &v, &line);
	cr_assert(ok);
	cr_assert(eq(u32, v.num[1], 1));
	ok = facts_vbox_parse_cfg(none, sizeof none - 1, &v, &line);
	cr_assert(not(ok));
}

/* ---- modinfo ---- */

Test(facts_vbox_modinfo, fields)
{
	static const char out[] = "filename:       /lib/modules/6.5.0-28-generic/updates/dkms/vboxdrv.ko.zst\n"
				  "version:        7.0.14 r161095 (0x00330004)\n"
				  "signer:         DKMS module signing key\n";
	struct facts_vbox vb = { 0 };
	cr_assert(eq(int, facts_vbox_parse_modinfo(out, sizeof out - 1, &vb), 0));
	cr_assert(eq(str, vb.modinfo_filename, "/lib/modules/6.5.0-28-generic/updates/dkms/vboxdrv.ko.zst"));
	cr_assert(vb.module_known);
	cr_assert(eq(str, vb.module.text, "7.0.14 r161095"));
	cr_assert(eq(str, vb.modinfo_signer, "DKMS module signing key"));
}

Test(facts_vbox_modinfo, not_modinfo_output)
{
	static const char out[] = "modinfo: ERROR: Module vboxdrv not found.\n";
	struct facts_vbox vb = { 0 };
	cr_assert(eq(int, facts_vbox_parse_modinfo(out, sizeof out - 1, &vb), -EINVAL));
	cr_assert(not(vb.module_known));
}

/* ---- log lines ---- */

static void scan(struct facts_vbox *vb, const char *file, bool rotated, const char *text)
{
	facts_vbox_scan_log(vb, file, rotated, text, strlen(text));
}

Test(facts_vbox_log, header_and_driver_error)
{
	struct facts_vbox vb = { 0 };
	scan(&vb, "/home/a/VirtualBox VMs/w/Logs/VBox.log", false,
	     "00:00:02.138470 VirtualBox VM 7.0.14 r161095 linux.amd64 (Jan 16 2024 22:56:03) release log\n"
	     "00:00:02.138472 Log opened 2026-04-30T18:02:11.482210000Z\n"
	     "00:00:02.201712 VMSetError: where: suplibOsInit what: 3 VERR_VM_DRIVER_NOT_INSTALLED (-1908) - x\n");
	cr_assert(vb.product_known);
	cr_assert(eq(str, vb.product.text, "7.0.14 r161095"));
	cr_assert(eq(str, vb.product.source, "/home/a/VirtualBox VMs/w/Logs/VBox.log:1"));
	const struct facts_vbox_event *e = NULL;
	cr_assert(eq(sz, facts_vbox_events(&vb, FACTS_VBOX_EV_DRV_NOT_INSTALLED, &e), 1));
	cr_assert(eq(u32, e->line, 3));
	free(vb.events);
}

Test(facts_vbox_log, status_number_boundary)
{
	struct facts_vbox vb = { 0 };
	scan(&vb, "/x/VBox.log", false, "rc=-19080 something else\nRTR3InitEx failed with rc=-1912 (rc=-1912)\n");
	cr_assert(eq(sz, facts_vbox_events(&vb, FACTS_VBOX_EV_DRV_NOT_INSTALLED, NULL), 0));
	cr_assert(eq(sz, facts_vbox_events(&vb, FACTS_VBOX_EV_VERSION_MISMATCH, NULL), 1));
	free(vb.events);
}

Test(facts_vbox_log, compiler_errors_only_from_the_setup_log)
{
	static const char text[] = "/tmp/vbox.0/linux/SUPDrv-linux.c:1234:5: error: implicit declaration\n";
	struct facts_vbox vb = { 0 };
	scan(&vb, "/home/a/.config/VirtualBox/VBoxSVC.log", false, text);
	cr_assert(eq(sz, facts_vbox_events(&vb, FACTS_VBOX_EV_BUILD_ERROR, NULL), 0));
	scan(&vb, "/var/log/vbox-setup.log", false, text);
	cr_assert(eq(sz, facts_vbox_events(&vb, FACTS_VBOX_EV_BUILD_ERROR, NULL), 1));
	free(vb.events);
}

Test(facts_vbox_log, key_rejected_needs_a_vbox_module)
{
	struct facts_vbox vb = { 0 };
	scan(&vb, "/var/log/vbox-setup.log", false,
	     "modprobe: ERROR: could not insert 'nvidia': Key was rejected by service\n");
	cr_assert(eq(sz, facts_vbox_events(&vb, FACTS_VBOX_EV_SIG_REJECTED, NULL), 0));
	scan(&vb, "/var/log/vbox-setup.log", false,
	     "modprobe: ERROR: could not insert 'vboxdrv': Key was rejected by service\n");
	const struct facts_vbox_event *e = NULL;
	cr_assert(eq(sz, facts_vbox_events(&vb, FACTS_VBOX_EV_SIG_REJECTED, &e), 1));
	cr_assert(e->names_vboxdrv);
	free(vb.events);
}

Test(facts_vbox_log, hwvirt_and_kvm_codes_are_told_apart)
{
	struct facts_vbox vb = { 0 };
	scan(&vb, "/x/VBox.log", false,
	     "VMSetError: VT-x is disabled in the BIOS for all CPU modes (VERR_VMX_MSR_ALL_VMX_DISABLED)\n"
	     "VMSetError: VT-x is being used by another hypervisor (VERR_VMX_IN_VMX_ROOT_MODE).\n"
	     "Host API has not enabled SVME bit in EFER MSR. (VERR_SVM_HOST_SVME_NOT_ENABLED)\n"
	     "AMD-V is disabled in the BIOS (or by the host OS) (VERR_SVM_DISABLED)\n");
	cr_assert(eq(sz, facts_vbox_events(&vb, FACTS_VBOX_EV_VMX_DISABLED, NULL), 1));
	cr_assert(eq(sz, facts_vbox_events(&vb, FACTS_VBOX_EV_VMX_ROOT_MODE, NULL), 1));
	cr_assert(eq(sz, facts_vbox_events(&vb, FACTS_VBOX_EV_SVME_NOT_ENABLED, NULL), 1));
	cr_assert(eq(sz, facts_vbox_events(&vb, FACTS_VBOX_EV_SVM_DISABLED, NULL), 1));
	cr_assert(eq(sz, facts_vbox_events(&vb, FACTS_VBOX_EV_NO_VMX, NULL), 0));
	free(vb.events);
}

Test(facts_vbox_log, keeps_the_newest_few_and_prefers_current_logs)
{
	struct facts_vbox vb = { 0 };
	char text[1024] = "";
	for (int i = 0; i < 10; i++)
		strcat(text, "Power up failed (vrc=VERR_VM_DRIVER_NOT_INSTALLED)\n");
	scan(&vb, "/x/VBox.log.1", true, text);
	const struct facts_vbox_event *e = NULL;
	cr_assert(eq(sz, facts_vbox_events(&vb, FACTS_VBOX_EV_DRV_NOT_INSTALLED, &e), 4));
	cr_assert(eq(u32, e->line, 10));
	cr_assert(e->rotated);
	scan(&vb, "/x/VBox.log", false, "VERR_VM_DRIVER_NOT_INSTALLED\n");
	scan(&vb, "/y/VBox.log.2", true, "VERR_VM_DRIVER_NOT_INSTALLED\n");
	facts_vbox_events(&vb, FACTS_VBOX_EV_DRV_NOT_INSTALLED, &e);
	cr_assert(eq(str, (char *)e->file, "/x/VBox.log"));
	cr_assert(not(e->rotated));
	free(vb.events);
}

Test(facts_vbox_log, current_header_beats_rotated_and_newer_beats_older)
{
	struct facts_vbox vb = { 0 };
	scan(&vb, "/a/VBox.log.1", true, "00:00:00.1 VirtualBox VM 7.1.4 r165100 linux.amd64 (x) release log\n");
	scan(&vb, "/a/VBox.log", false, "00:00:00.1 VirtualBox VM 7.0.14 r161095 linux.amd64 (x) release log\n");
	scan(&vb, "/b/VBox.log", false, "00:00:00.1 VirtualBox VM 7.0.12 r159484 linux.amd64 (x) release log\n");
	cr_assert(eq(str, vb.product.text, "7.0.14 r161095"));
	cr_assert(eq(sz, vb.n_sightings, 3));
	free(vb.events);
}

Test(facts_vbox_log, hostile_bytes)
{
	struct facts_vbox vb = { 0 };
	size_t len = (size_t)1 << 20;
	char *junk = malloc(len);
	cr_assert(junk != NULL);
	for (size_t i = 0; i < len; i++)
		junk[i] = (char)(i * 131 + 7);
	memcpy(junk + 1000, "VERR_VMX_NO_VMX\0\x1b[2J", 21);
	facts_vbox_scan_log(&vb, "/x/VBox.log", false, junk, len);
	const struct facts_vbox_event *e = NULL;
	cr_assert(ge(sz, facts_vbox_events(&vb, FACTS_VBOX_EV_NO_VMX, &e), 1));
	cr_assert(eq(ptr, strchr(e->text, '\x1b'), NULL));
	free(junk);
	free(vb.events);
}

/* ---- the KVM matrix ---- */

static enum facts_vbox_kvm_verdict verdict(int kmaj, int kmin, unsigned a, unsigned b, unsigned c, bool on,
					   bool *reported)
{
	const unsigned v[3] = { a, b, c };
	const struct facts_vbox_kvm_rule *r = facts_vbox_kvm_rule(kmaj, kmin, v, on);
	cr_assert(r != NULL, "no matrix row for %d.%d / %u.%u.%u / %d", kmaj, kmin, a, b, c, on);
	*reported = r->reported;
	return r->verdict;
}

Test(facts_vbox_kvm, before_612_kvm_is_idle)
{
	bool rep;
	cr_assert(eq(int, verdict(6, 11, 7, 0, 20, true, &rep), FACTS_VBOX_KVM_IDLE_OK));
	cr_assert(eq(int, verdict(5, 15, 7, 2, 10, true, &rep), FACTS_VBOX_KVM_IDLE_OK));
}

Test(facts_vbox_kvm, linux_612_old_vbox)
{
	bool rep;
	cr_assert(eq(int, verdict(6, 12, 7, 1, 4, true, &rep), FACTS_VBOX_KVM_CONFLICT));
	cr_assert(not(rep));
	cr_assert(eq(int, verdict(6, 12, 7, 1, 4, false, &rep), FACTS_VBOX_KVM_OK));
	cr_assert(eq(int, verdict(6, 15, 7, 2, 8, true, &rep), FACTS_VBOX_KVM_CONFLICT));
}

Test(facts_vbox_kvm, vbox_7_2_10_is_only_reported)
{
	bool rep;
	/* On 6.12 itself a packager reports the old behaviour; later kernels flip the override's effect. */
	cr_assert(eq(int, verdict(6, 12, 7, 2, 10, true, &rep), FACTS_VBOX_KVM_CONFLICT));
	cr_assert(rep);
	cr_assert(eq(int, verdict(6, 14, 7, 2, 10, true, &rep), FACTS_VBOX_KVM_OK));
	cr_assert(rep);
	cr_assert(eq(int, verdict(7, 1, 7, 2, 12, false, &rep), FACTS_VBOX_KVM_OVERRIDE_BREAKS));
	cr_assert(rep);
}

/* ---- collection from snapshots ---- */

static void collect(const char *name, struct facts *facts)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/%s", SNAPSHOTS, name);
	struct host *host = NULL;
	cr_assert(eq(int, host_open_snapshot(dir, &host), 0), "%s: %s", name, host_open_error());
	facts_collect(host, facts);
	host_close(host);
}

Test(facts_vbox_collect, not_installed_reads_nothing)
{
	struct facts f;
	collect("healthy-intel", &f);
	cr_assert(not(f.vbox.installed));
	cr_assert(eq(sz, f.vbox.logs_scanned, 0));
	cr_assert(eq(int, f.vbox.modinfo_err, -ENODATA));
	facts_free(&f);
}

Test(facts_vbox_collect, versions_keep_their_sources)
{
	struct facts f;
	collect("vbox-version-mismatch", &f);
	const struct facts_vbox *vb = &f.vbox;
	cr_assert(vb->installed);
	cr_assert(vb->product_from_cfg);
	cr_assert(eq(str, (char *)vb->product.source, "/etc/vbox/vbox.cfg:4"));
	cr_assert(eq(str, (char *)vb->product.text, "7.0.18"));
	cr_assert(vb->module_known);
	cr_assert(eq(str, (char *)vb->module.source, "commands/modinfo-vboxdrv"));
	cr_assert(vb->loaded_known);
	cr_assert(eq(int, strncmp(vb->loaded.source, "dmesg:", 6), 0));
	cr_assert(eq(u32, vb->loaded.num[2], 14));
	cr_assert(gt(sz, facts_vbox_events(vb, FACTS_VBOX_EV_VERSION_MISMATCH, NULL), 0));
	facts_free(&f);
}

Test(facts_vbox_collect, no_module_for_the_running_kernel)
{
	struct facts f;
	collect("vbox-setup-fail", &f);
	const struct facts_vbox *vb = &f.vbox;
	cr_assert(eq(int, vb->modules_dir_err, 0));
	cr_assert(eq(sz, facts_vbox_ko_count(vb, FACTS_VBOX_VBOXDRV), 0));
	cr_assert(not(vb->headers));
	cr_assert(eq(int, vb->modinfo_err, -ENOENT));
	cr_assert(gt(sz, facts_vbox_events(vb, FACTS_VBOX_EV_NO_BUILD_TOOLS, NULL), 0));
	cr_assert(gt(sz, facts_vbox_events(vb, FACTS_VBOX_EV_BUILD_ERROR, NULL), 0));
	facts_free(&f);
}

Test(facts_vbox_collect, vm_logs_with_spaces_in_the_path)
{
	struct facts f;
	collect("vbox-kvm-conflict-612", &f);
	const struct facts_vbox_event *e = NULL;
	cr_assert(gt(sz, facts_vbox_events(&f.vbox, FACTS_VBOX_EV_VMX_ROOT_MODE, &e), 0));
	cr_assert(eq(str, (char *)e->file, "/home/alice/VirtualBox VMs/win10/Logs/VBox.log"));
	cr_assert(eq(str, (char *)f.vbox.home, "/home/alice"));
	cr_assert(eq(sz, facts_vbox_ko_count(&f.vbox, FACTS_VBOX_VBOXDRV), 1));
	facts_free(&f);
}

Test(facts_vbox_log, vboxconfig_signing_wordings)
{
	struct facts_vbox vb = { 0 };
	scan(&vb, "/var/log/vbox-setup.log", false,
	     "vboxdrv.sh: Unable to sign vboxdrv.ko\n"
	     "System is running in Secure Boot mode, however your distribution does not provide tools for automatic "
	     "generation of keys needed for modules signing.\n"
	     "Unable to sign something-else.ko\n"
	     "vboxdrv.sh: failed: Failed to enroll secure boot key.\n");
	cr_assert(eq(sz, facts_vbox_events(&vb, FACTS_VBOX_EV_MUST_SIGN, NULL), 2));
	cr_assert(eq(sz, facts_vbox_events(&vb, FACTS_VBOX_EV_ENROLL_FAILED, NULL), 1));
	free(vb.events);
}
