/* SPDX-License-Identifier: MIT */
/* VirtualBox checks: vboxdrv and /dev/vboxdrv, driver version, Secure Boot, VT-x/AMD-V and KVM coexistence. */
#include "checks/checks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmdoctor/virt.h"

#define VBOXCONFIG "sudo /sbin/vboxconfig"

/* ---- shared helpers ---- */

static bool skip_unless_installed(const struct facts *facts, struct check_result *r)
{
	if (facts->vbox.installed)
		return false;
	check_set(r, CHECK_SKIP, NULL, "VirtualBox is not installed (no VBoxSVC or VBoxManage)");
	return true;
}

static bool loaded(const struct facts *facts, const char *module)
{
	return facts_module_find(facts, module) != NULL;
}

static void event_evidence(const struct facts_vbox_event *e, struct check_result *r)
{
	char source[FACTS_VBOX_PATH + 16];
	if (strcmp(e->file, "dmesg") == 0)
		snprintf(source, sizeof source, "dmesg:%u", e->line);
	else
		snprintf(source, sizeof source, "%s:%u", e->file, e->line);
	check_evidence(r, source, "%s", e->text);
}

/* The first line of `kind` in the file of `newest`: VirtualBox states the error in words there
 * ("VT-x is being used by another hypervisor") before it repeats the bare status code. */
static const struct facts_vbox_event *first_in_file(const struct facts_vbox *vb, const struct facts_vbox_event *newest)
{
	const struct facts_vbox_event *first = NULL;
	for (size_t i = 0; i < vb->event_count; i++) {
		const struct facts_vbox_event *e = &vb->events[i];
		if (e->kind != newest->kind || strcmp(e->file, newest->file) != 0 || e->line >= newest->line)
			continue;
		/* The dialog wording ends in "(VERR_...)"; prefer it over a bare "rc=VERR_..." line. */
		if (strstr(e->text, "(VERR_"))
			return e;
		if (!first)
			first = e;
	}
	return first;
}

/* The newest event of each kind in `kinds`, as evidence; returns how many kinds had one. */
static size_t kinds_evidence(const struct facts_vbox *vb, const enum facts_vbox_event_kind *kinds, size_t n,
			     struct check_result *r)
{
	size_t found = 0;
	for (size_t i = 0; i < n; i++) {
		const struct facts_vbox_event *e = NULL;
		if (facts_vbox_events(vb, kinds[i], &e)) {
			const struct facts_vbox_event *first = first_in_file(vb, e);
			if (first)
				event_evidence(first, r);
			event_evidence(e, r);
			found++;
		}
	}
	return found;
}

static bool any_event(const struct facts_vbox *vb, const enum facts_vbox_event_kind *kinds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (facts_vbox_events(vb, kinds[i], NULL))
			return true;
	return false;
}

/* True when some event of `kinds` comes from a current (not rotated) log. */
static bool any_current(const struct facts_vbox *vb, const enum facts_vbox_event_kind *kinds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct facts_vbox_event *e = NULL;
		if (facts_vbox_events(vb, kinds[i], &e) && !e->rotated)
			return true;
	}
	return false;
}

static void module_evidence(const struct facts *facts, struct check_result *r)
{
	static const char *const names[] = { "vboxdrv", "vboxnetflt", "vboxnetadp" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const struct facts_module *m = facts_module_find(facts, names[i]);
		char source[32] = "/proc/modules";
		if (m && m->in_proc_modules && m->line)
			snprintf(source, sizeof source, "/proc/modules:%u", m->line);
		check_evidence(r, m && !m->in_proc_modules ? "/sys/module" : source, "%s %s", names[i],
			       m ? "is loaded" : "is not loaded");
	}
}

static void ko_evidence(const struct facts_vbox *vb, struct check_result *r)
{
	for (size_t i = 0; i < vb->ko_count; i++)
		if (vb->ko[i].module == FACTS_VBOX_VBOXDRV)
			check_evidence(r, vb->ko[i].path, "present");
}

static void devnode_evidence(const struct facts_device *dev, struct check_result *r)
{
	char text[200];
	checks_format_devnode(&dev->node, text, sizeof text);
	check_evidence(r, dev->path, "%s", text);
}

static const char *release_of(const struct facts *facts)
{
	return facts->kernel.err ? "(unknown)" : facts->kernel.release;
}

/* ---- signature refusal (shared by vbox.driver and vbox.secureboot) ---- */

static const enum facts_vbox_event_kind sign_kinds[] = { FACTS_VBOX_EV_MUST_SIGN, FACTS_VBOX_EV_ENROLL_FAILED,
							 FACTS_VBOX_EV_SIG_REJECTED };

/* vboxdrv is built for this kernel but the kernel refuses its signature (or vboxconfig said it would). */
static bool signature_refused(const struct facts *facts)
{
	const struct facts_vbox *vb = &facts->vbox;
	if (loaded(facts, "vboxdrv") || facts_vbox_ko_count(vb, FACTS_VBOX_VBOXDRV) == 0)
		return false;
	/* The kernel's own refusal lines name no module: with vboxdrv built and not loaded they count.
	 * vboxconfig's "You must sign" in a rotated setup log may predate turning Secure Boot off. */
	for (size_t i = 0; i < sizeof sign_kinds / sizeof sign_kinds[0]; i++) {
		const struct facts_vbox_event *e = NULL;
		if (facts_vbox_events(vb, sign_kinds[i], &e) && !e->rotated)
			return true;
	}
	if (facts_secureboot_rejection(facts, "vboxdrv"))
		return true;
	return facts_secureboot_enforcing(facts) && vb->modinfo_err == 0 && vb->modinfo_signer[0] == '\0';
}

/* ---- vbox.driver ---- */

static const enum facts_vbox_event_kind setup_kinds[] = { FACTS_VBOX_EV_NO_BUILD_TOOLS, FACTS_VBOX_EV_NO_HEADERS,
							  FACTS_VBOX_EV_BUILD_ERROR, FACTS_VBOX_EV_SETUP_FAILED };

static void say_setup_failed(const struct facts *facts, struct check_result *r)
{
	const struct facts_vbox *vb = &facts->vbox;
	const char *rel = release_of(facts);
	if (vb->modules_dir_err == 0)
		check_evidence(r, vb->modules_dir, "no vboxdrv.ko for this kernel (misc/, updates/, updates/dkms/, "
			       "extra/, extra/VirtualBox/, extramodules/, kernel/misc/)");
	kinds_evidence(vb, setup_kinds, sizeof setup_kinds / sizeof setup_kinds[0], r);
	bool tools = facts_vbox_events(vb, FACTS_VBOX_EV_NO_BUILD_TOOLS, NULL) > 0;
	bool compile = facts_vbox_events(vb, FACTS_VBOX_EV_BUILD_ERROR, NULL) > 0;
	if (vb->modules_dir_err == 0 && !vb->headers) {
		check_evidence(r, vb->modules_dir, "has no build/ (kernel headers)");
		check_set(r, CHECK_FAIL, "VBOX-SETUP-FAIL", "No VirtualBox driver for kernel %s: its kernel headers "
			  "are not installed, so vboxconfig cannot build vboxdrv", rel);
		check_detail(r, "vboxconfig compiles vboxdrv against /lib/modules/%s/build, which is missing "
			     "(DKMS-HEADERS-MISSING).%s", rel, tools ? " gcc, make or perl are missing too." : "");
		check_action(r, "Install gcc, make, perl and the headers for %s (Debian/Ubuntu: sudo apt install "
			     "build-essential linux-headers-%s; Fedora: sudo dnf install kernel-devel-%s), then run: %s",
			     rel, rel, rel, VBOXCONFIG);
		return;
	}
	if (tools) {
		check_set(r, CHECK_FAIL, "VBOX-SETUP-FAIL", "No VirtualBox driver for kernel %s: this system is not "
			  "set up to build kernel modules", rel);
		check_action(r, "Install gcc, make and perl (Debian/Ubuntu: sudo apt install build-essential), then "
			     "run: %s", VBOXCONFIG);
		return;
	}
	check_set(r, CHECK_FAIL, "VBOX-SETUP-FAIL", "No VirtualBox driver for the running kernel %s%s", rel,
		  compile ? ": it fails to compile" : "");
	if (compile)
		check_detail(r, "The kernel headers are there but vboxdrv's code does not compile: kernel %s is "
			     "probably newer than VirtualBox %s supports.", rel,
			     vb->product_known ? vb->product.text : "(this version)");
	check_action(r, "Run: %s and read /var/log/vbox-setup.log; if the driver fails to compile, upgrade "
		     "VirtualBox or boot an older kernel", VBOXCONFIG);
}

/* The -1909 sub-case: /dev/vboxdrv exists but this user may not open it. */
static void say_not_accessible(const struct facts *facts, struct check_result *r)
{
	const struct facts_device *dev = &facts->devices[FACTS_DEV_VBOXDRV];
	const struct host_user *user = &facts->user.user;
	const char *group = dev->err == 0 && strcmp(dev->node.group, "root") != 0 ? dev->node.group : "vboxusers";
	bool in_etc = !facts->user.err && !facts->user.group_file_err &&
		      host_names_contains(&facts->user.etc_groups, group);
	bool in_session = user->session_known && host_names_contains(&user->session_groups, group);
	if (!facts->user.err && !facts->user.group_file_err)
		check_evidence(r, "/etc/group", "%s %s a member of \"%s\"", user->name, in_etc ? "is" : "is not",
			       group);
	if (user->session_known)
		check_evidence(r, "session", "groups of the running session %s \"%s\"",
			       in_session ? "include" : "do not include", group);
	check_set(r, CHECK_FAIL, "VBOX-DRV-NOT-LOADED", "VirtualBox cannot open /dev/vboxdrv (rc=-1909, "
		  "VERR_VM_DRIVER_NOT_ACCESSIBLE)");
	if (in_etc && user->session_known && !in_session) {
		check_detail(r, "%s was added to %s after this login session started, so the session does not have "
			     "the group yet.", user->name, group);
		check_action(r, "Log out and back in (or reboot) so that %s's session gets the group %s", user->name,
			     group);
	} else if (!in_etc && !facts->user.err) {
		check_action(r, "Run: sudo usermod -aG %s %s, then log out and back in", group, user->name);
	} else {
		check_action(r, "Restore the device permissions: %s (it rewrites /etc/udev/rules.d/60-vboxdrv.rules), "
			     "then sudo udevadm trigger", VBOXCONFIG);
	}
}

static void driver_loaded(const struct facts *facts, struct check_result *r)
{
	const struct facts_vbox *vb = &facts->vbox;
	const struct facts_device *dev = &facts->devices[FACTS_DEV_VBOXDRV];
	if (dev->err == -ENODATA) {
		check_set(r, CHECK_PASS, NULL, "vboxdrv is loaded (device nodes were not collected)");
		return;
	}
	if (dev->err) {
		check_evidence(r, "/dev/vboxdrv", "does not exist");
		check_set(r, CHECK_FAIL, "VBOX-DRV-NOT-LOADED", "vboxdrv is loaded but /dev/vboxdrv does not exist");
		check_action(r, "Recreate it: %s (or sudo systemctl restart vboxdrv), then check "
			     "/etc/udev/rules.d/60-vboxdrv.rules", VBOXCONFIG);
		return;
	}
	devnode_evidence(dev, r);
	const struct facts_vbox_event *e = NULL;
	if (facts_vbox_events(vb, FACTS_VBOX_EV_DRV_NOT_ACCESSIBLE, &e) && !e->rotated) {
		event_evidence(e, r);
		say_not_accessible(facts, r);
		return;
	}
	check_set(r, CHECK_PASS, NULL, "vboxdrv is loaded and /dev/vboxdrv exists (%04o %s:%s)", dev->node.mode,
		  dev->node.owner, dev->node.group);
}

void check_vbox_driver(const struct facts *facts, struct check_result *r)
{
	const struct facts_vbox *vb = &facts->vbox;
	if (skip_unless_installed(facts, r))
		return;
	if (facts->modules.err) {
		check_set(r, CHECK_UNKNOWN, NULL, "Loaded modules could not be read: %s", facts->modules.why);
		return;
	}
	module_evidence(facts, r);
	if (loaded(facts, "vboxdrv")) {
		driver_loaded(facts, r);
		return;
	}
	const struct facts_vbox_event *e = NULL;
	if (facts_vbox_events(vb, FACTS_VBOX_EV_DRV_NOT_INSTALLED, &e))
		event_evidence(e, r);
	if (facts_vbox_ko_count(vb, FACTS_VBOX_VBOXDRV) == 0) {
		bool setup_logged = any_event(vb, setup_kinds, sizeof setup_kinds / sizeof setup_kinds[0]);
		if (vb->modules_dir_err && !setup_logged) {
			check_set(r, CHECK_UNKNOWN, NULL, "vboxdrv is not loaded, and the modules of kernel %s could not "
				  "be listed (%s)", release_of(facts), vb->modules_dir_err == -ENODATA ?
				  "kernel release unknown" : strerror(-vb->modules_dir_err));
			return;
		}
		say_setup_failed(facts, r);
		return;
	}
	ko_evidence(vb, r);
	if (signature_refused(facts)) {
		check_set(r, CHECK_SKIP, NULL, "vboxdrv is built for kernel %s but the kernel refuses its signature "
			  "(see vbox.secureboot)", release_of(facts));
		return;
	}
	if (facts->devices[FACTS_DEV_VBOXDRV].err != -ENODATA)
		check_evidence(r, "/dev/vboxdrv", "%s", facts->devices[FACTS_DEV_VBOXDRV].err == 0 ? "exists" :
			       "does not exist");
	if (facts_vbox_events(vb, FACTS_VBOX_EV_MODPROBE_FAILED, &e))
		event_evidence(e, r);
	check_set(r, CHECK_FAIL, "VBOX-DRV-NOT-LOADED", "vboxdrv is built for kernel %s but not loaded, so every "
		  "VM fails with \"Kernel driver not installed (rc=-1908)\"", release_of(facts));
	check_action(r, "Run: sudo modprobe vboxdrv (Oracle packages: %s); if it fails, sudo dmesg | tail says why",
		     VBOXCONFIG);
}

/* ---- vbox.version ---- */

static const enum facts_vbox_event_kind mismatch_kinds[] = { FACTS_VBOX_EV_VERSION_MISMATCH,
							     FACTS_VBOX_EV_STALE_VMMR0 };

static void sightings_evidence(const struct facts_vbox *vb, struct check_result *r)
{
	static const char *const kind_names[] = {
		[FACTS_VBOX_VER_PRODUCT] = "VirtualBox",
		[FACTS_VBOX_VER_MODULE] = "vboxdrv on disk",
		[FACTS_VBOX_VER_LOADED] = "vboxdrv loaded",
	};
	for (size_t i = 0; i < vb->n_sightings && i < 6; i++)
		check_evidence(r, vb->sightings[i].v.source, "%s %s", kind_names[vb->sightings[i].kind],
			       vb->sightings[i].v.text);
}

void check_vbox_version(const struct facts *facts, struct check_result *r)
{
	const struct facts_vbox *vb = &facts->vbox;
	if (skip_unless_installed(facts, r))
		return;
	bool is_loaded = loaded(facts, "vboxdrv");
	if (!is_loaded && !vb->module_known) {
		check_set(r, CHECK_SKIP, NULL, "No vboxdrv to compare with VirtualBox (see vbox.driver)");
		return;
	}
	/* The driver in memory is what VirtualBox talks to; modinfo tells only what the next load gets. */
	const struct facts_vbox_version *drv = is_loaded && vb->loaded_known ? &vb->loaded :
					       vb->module_known ? &vb->module : NULL;
	sightings_evidence(vb, r);
	size_t events = kinds_evidence(vb, mismatch_kinds, sizeof mismatch_kinds / sizeof mismatch_kinds[0], r);
	bool current = any_current(vb, mismatch_kinds, sizeof mismatch_kinds / sizeof mismatch_kinds[0]);
	if (vb->product_known && drv && facts_vbox_version_cmp(vb->product.num, drv->num) == 0) {
		check_set(r, CHECK_PASS, NULL, "vboxdrv %s matches VirtualBox %s", drv->text, vb->product.text);
		if (events)
			check_detail(r, "The older rc=-1912 lines in the logs predate the driver that is loaded now.");
		return;
	}
	if (vb->product_known && drv) {
		bool stale = is_loaded && vb->loaded_known && vb->module_known &&
			     facts_vbox_version_cmp(vb->module.num, vb->product.num) == 0;
		check_set(r, CHECK_FAIL, "VBOX-VERSION-MISMATCH", "The %s vboxdrv is %s but VirtualBox is %s",
			  drv == &vb->loaded ? "loaded" : "installed", drv->text, vb->product.text);
		if (stale) {
			check_detail(r, "The driver on disk (%s) already matches; the old one is still in memory.",
				     vb->module.text);
			check_action(r, "Power off all VMs, then: sudo rmmod vboxnetadp vboxnetflt vboxdrv && sudo "
				     "modprobe vboxdrv vboxnetflt vboxnetadp (or reboot)");
		} else {
			check_detail(r, "VirtualBox refuses a driver from another release (rc=-1912). Two installs "
				     "(Oracle's package and the distribution's) also cause this.");
			check_action(r, "Remove a second VirtualBox install if there is one, rebuild with %s, then "
				     "power off all VMs and reload: sudo rmmod vboxnetadp vboxnetflt vboxdrv && sudo "
				     "modprobe vboxdrv (or reboot)", VBOXCONFIG);
		}
		return;
	}
	if (current) {
		check_set(r, CHECK_FAIL, "VBOX-VERSION-MISMATCH", "VirtualBox reports that its kernel driver does not "
			  "match (rc=-1912)");
		check_action(r, "Rebuild with %s, then power off all VMs and reload vboxdrv (or reboot)", VBOXCONFIG);
		return;
	}
	check_set(r, CHECK_UNKNOWN, NULL, "Could not compare vboxdrv with VirtualBox: the %s version is unknown",
		  vb->product_known ? "driver" : "VirtualBox");
}

/* ---- vbox.secureboot ---- */

void check_vbox_secureboot(const struct facts *facts, struct check_result *r)
{
	const struct facts_vbox *vb = &facts->vbox;
	if (skip_unless_installed(facts, r))
		return;
	if (loaded(facts, "vboxdrv")) {
		module_evidence(facts, r);
		check_set(r, CHECK_PASS, NULL, "The kernel accepted vboxdrv");
		return;
	}
	if (facts_vbox_ko_count(vb, FACTS_VBOX_VBOXDRV) == 0) {
		check_set(r, CHECK_SKIP, NULL, "No vboxdrv.ko to load for this kernel (see vbox.driver)");
		return;
	}
	if (!signature_refused(facts)) {
		if (vb->modinfo_err == 0)
			check_evidence(r, "commands/modinfo-vboxdrv", "signer: %s",
				       vb->modinfo_signer[0] ? vb->modinfo_signer : "(none)");
		check_set(r, CHECK_PASS, NULL, "No signature refusal of vboxdrv in the kernel or VirtualBox logs");
		return;
	}
	ko_evidence(vb, r);
	size_t shown = 0;
	for (size_t i = 0; i < vb->event_count && shown < 6; i++) {
		const struct facts_vbox_event *e = &vb->events[i];
		if (e->kind == FACTS_VBOX_EV_MUST_SIGN || e->kind == FACTS_VBOX_EV_ENROLL_FAILED ||
		    e->kind == FACTS_VBOX_EV_SIG_REJECTED || e->kind == FACTS_VBOX_EV_MODPROBE_FAILED) {
			event_evidence(e, r);
			shown++;
		}
	}
	const struct facts_sb_line *l = facts_secureboot_rejection(facts, "vboxdrv");
	if (l && shown == 0) {
		char source[32];
		snprintf(source, sizeof source, "dmesg:%u", l->lineno);
		check_evidence(r, source, "%s", l->text);
	}
	if (vb->modinfo_err == 0)
		check_evidence(r, "commands/modinfo-vboxdrv", "signer: %s",
			       vb->modinfo_signer[0] ? vb->modinfo_signer : "(none: unsigned)");
	if (vb->modinfo_err == 0 && vb->modinfo_signer[0]) {
		check_set(r, CHECK_FAIL, "VBOX-SECUREBOOT", "Secure Boot refuses vboxdrv: it is signed by \"%s\", a "
			  "key the machine does not trust", vb->modinfo_signer);
		check_detail(r, "The signing key was most likely never enrolled with MokManager, or its enrolment is "
			     "still pending (SB-MOK-NOT-ENROLLED, see secureboot.modules).");
		if (facts->secureboot.mok.pending)
			/* Importing again would only ask for a new password: the MokManager step is what is left. */
			check_action(r, "A key already waits for enrolment: reboot, choose Enroll MOK in MokManager at the "
				     "console (with the password chosen at import), then: %s", VBOXCONFIG);
		else
			check_action(r, "sudo mokutil --import /var/lib/shim-signed/mok/MOK.der, reboot and choose Enroll "
				     "MOK at the console, then: %s", VBOXCONFIG);
		return;
	}
	check_set(r, CHECK_FAIL, "VBOX-SECUREBOOT", "Secure Boot refuses the unsigned vboxdrv, so VMs fail with "
		  "rc=-1908");
	check_detail(r, "vboxconfig built the drivers but they are not signed with a key the machine trusts "
		     "(SB-UNSIGNED-MODULE, see secureboot.modules); this repeats after every kernel update.");
	check_action(r, "Create and enrol a Machine Owner Key: sudo mokutil --import /var/lib/shim-signed/mok/MOK.der "
		     "(vboxconfig prints how to create it), reboot and choose Enroll MOK at the console, then: %s; "
		     "or turn Secure Boot off in the firmware", VBOXCONFIG);
}

/* ---- vbox.hwvirt ---- */

static const enum facts_vbox_event_kind hw_kinds[] = { FACTS_VBOX_EV_VMX_DISABLED, FACTS_VBOX_EV_VMX_LOCKING_FAILED,
						       FACTS_VBOX_EV_SVM_DISABLED, FACTS_VBOX_EV_NO_VMX,
						       FACTS_VBOX_EV_NO_SVM };

static void hw_route(const struct facts *facts, const struct virt_cpu *cpu, bool logged, struct check_result *r)
{
	const char *code = "VBOX-HWVIRT-UNAVAILABLE";
	const char *who = logged ? "VirtualBox reports" : "VirtualBox cannot start any VM:";
	struct virt_guest g;
	switch (cpu->verdict) {
	case VIRT_CPU_DISABLED:
		check_set(r, CHECK_FAIL, code, "%s %s unusable: %s (%s, see cpu.hwvirt)", who, cpu->feature,
			  cpu->off_kind == VIRT_OFF_TXT_ONLY ? "it is enabled only inside Intel TXT" :
			  cpu->off_kind == VIRT_OFF_KERNEL_LOCKED ? "this kernel locked it off" :
			  cpu->off_kind == VIRT_OFF_OUTER_HOST ? "the outer hypervisor switched it off" :
			  "it is switched off in the firmware setup",
			  cpu->intel ? "CPU-VT-DISABLED" : "CPU-SVM-DISABLED");
		check_action(r, "Fix the cause cpu.hwvirt reports (%s), then power the machine fully off and on",
			     cpu->intel ? "CPU-VT-DISABLED" : "CPU-SVM-DISABLED");
		return;
	case VIRT_CPU_GUEST_NO_NESTED:
		virt_detect_guest(facts, &g);
		check_set(r, CHECK_FAIL, code, "%s VT-x/AMD-V unusable: this machine is itself a VM on %s without "
			  "nested virtualization (GUEST-NO-NESTED)", who, g.name ? g.name : "a hypervisor");
		check_action(r, "Enable nested virtualization for this VM on the outer host (see cpu.guest)");
		return;
	case VIRT_CPU_NO_HWVIRT:
		check_set(r, CHECK_FAIL, code, "%s no VT-x/AMD-V: the processor has none (CPU-NO-HWVIRT), and "
			  "VirtualBox 6.1 and later need it for every guest", who);
		check_action(r, "Nothing to switch on: use a machine whose CPU has VT-x or AMD-V");
		return;
	case VIRT_CPU_MASKED:
	case VIRT_CPU_UNKNOWN:
		if (!logged) {
			check_set(r, CHECK_UNKNOWN, NULL, "Could not tell whether VirtualBox can use VT-x/AMD-V: %s",
				  cpu->reason);
			return;
		}
		check_set(r, CHECK_FAIL, code, "VirtualBox reports VT-x/AMD-V unusable; vmdoctor could not confirm "
			  "why: %s", cpu->reason);
		check_action(r, "Run vmdoctor as root (sudo modprobe msr first) so it can read the CPU's control "
			     "register and name the cause");
		return;
	case VIRT_CPU_USABLE:
		break;
	}
}

void check_vbox_hwvirt(const struct facts *facts, struct check_result *r)
{
	const struct facts_vbox *vb = &facts->vbox;
	if (skip_unless_installed(facts, r))
		return;
	size_t n_kinds = sizeof hw_kinds / sizeof hw_kinds[0];
	bool logged = kinds_evidence(vb, hw_kinds, n_kinds, r) > 0;
	struct virt_cpu cpu;
	virt_assess_cpu(facts, &cpu);
	virt_cpu_add_evidence(&cpu, r);
	if (cpu.verdict != VIRT_CPU_USABLE) {
		hw_route(facts, &cpu, logged, r);
		return;
	}
	if (!logged) {
		check_set(r, CHECK_PASS, NULL, "VirtualBox can use %s and its logs report no VT-x/AMD-V problem",
			  cpu.feature ? cpu.feature : "VT-x/AMD-V");
		return;
	}
	/* AMD-V on in the firmware but "disabled (or by the host OS)": another hypervisor holds it. */
	if (facts_vbox_events(vb, FACTS_VBOX_EV_SVM_DISABLED, NULL) && loaded(facts, "kvm_amd")) {
		check_set(r, CHECK_SKIP, NULL, "AMD-V is enabled in the firmware; VERR_SVM_DISABLED comes from KVM "
			  "holding it (see vbox.kvm-conflict)");
		return;
	}
	if (!any_current(vb, hw_kinds, n_kinds)) {
		check_set(r, CHECK_PASS, NULL, "%s is usable now; the VT-x/AMD-V errors are in older, rotated logs",
			  cpu.feature);
		return;
	}
	check_set(r, CHECK_WARN, "VBOX-HWVIRT-UNAVAILABLE", "VirtualBox reported %s unusable, but it is enabled now",
		  cpu.feature);
	check_action(r, "If you changed the firmware setting since, power the machine fully off and on, then start "
		     "the VM again");
}

/* ---- vbox.kvm-conflict ---- */

static const enum facts_vbox_event_kind kvm_kinds[] = { FACTS_VBOX_EV_VMX_ROOT_MODE, FACTS_VBOX_EV_SVM_IN_USE,
							FACTS_VBOX_EV_SVME_NOT_ENABLED,
							FACTS_VBOX_EV_HM_INIT_FAILED };

/* The effective kvm.enable_virt_at_load and where it came from. */
struct virt_at_load {
	bool on;
	char source[200];
	char text[200];
	char set_in[200];       /* the cmdline or modprobe.d line that sets it, "" when the default holds */
};

static bool value_on(const char *v)
{
	return !(strcmp(v, "N") == 0 || strcmp(v, "n") == 0 || strcmp(v, "0") == 0);
}

/* "kvm.enable_virt_at_load=0" in /proc/cmdline: the value after '=', or NULL. */
static const char *cmdline_value(const struct facts *facts, char *buf, size_t cap)
{
	static const char key[] = "kvm.enable_virt_at_load=";
	if (facts->cmdline.err || !facts->cmdline.text)
		return NULL;
	const char *t = facts->cmdline.text;
	for (const char *p = strstr(t, key); p; p = strstr(p + 1, key)) {
		if (p != t && p[-1] != ' ')
			continue;
		p += sizeof key - 1;
		size_t n = strcspn(p, " \t\n");
		snprintf(buf, cap, "%.*s", (int)(n < 16 ? n : 16), p);
		return buf;
	}
	return NULL;
}

/* Where kvm.enable_virt_at_load is configured: the kernel command line wins over modprobe.d. */
static bool configured_virt_at_load(const struct facts *facts, struct virt_at_load *out)
{
	char val[24];
	if (cmdline_value(facts, val, sizeof val)) {
		out->on = value_on(val);
		snprintf(out->source, sizeof out->source, "/proc/cmdline");
		snprintf(out->text, sizeof out->text, "kvm.enable_virt_at_load=%s", val);
		snprintf(out->set_in, sizeof out->set_in, "kvm.enable_virt_at_load=%s on the kernel command line", val);
		return true;
	}
	for (size_t i = 0; i < facts->modprobe.count; i++) {
		const struct facts_modprobe_line *l = &facts->modprobe.lines[i];
		const char *v = strstr(l->text, "enable_virt_at_load=");
		if (strncmp(l->text, "options kvm ", 12) != 0 || !v)
			continue;
		snprintf(val, sizeof val, "%.*s", (int)strcspn(v + 20, " \t"), v + 20);
		out->on = value_on(val);
		snprintf(out->source, sizeof out->source, "%.150s:%u", l->file, l->line);
		snprintf(out->text, sizeof out->text, "%.160s", l->text);
		snprintf(out->set_in, sizeof out->set_in, "%.150s line %u", l->file, l->line);
		return true;
	}
	return false;
}

/* What KVM runs with now (sysfs), else what the next load will get (configuration, default 1). */
static void effective_virt_at_load(const struct facts *facts, struct virt_at_load *out)
{
	const struct facts_param *p = &facts->params[FACTS_PARAM_KVM_ENABLE_VIRT_AT_LOAD];
	memset(out, 0, sizeof *out);
	out->on = true;
	if (configured_virt_at_load(facts, out) && !(loaded(facts, "kvm") && p->err == 0))
		return;
	if (loaded(facts, "kvm") && p->err == 0) {
		out->on = value_on(p->value);
		snprintf(out->source, sizeof out->source, "%s", p->path);
		snprintf(out->text, sizeof out->text, "%s", p->value);
		return;
	}
	snprintf(out->source, sizeof out->source, "kernel default");
	snprintf(out->text, sizeof out->text, "enable_virt_at_load=1");
}

static void vat_evidence(const struct virt_at_load *v, struct check_result *r)
{
	check_evidence(r, v->source, "%s", v->text);
	if (v->set_in[0] && strncmp(v->source, "/sys/", 5) == 0)
		check_evidence(r, "configured", "%s", v->set_in);
}

/* The matrix row for this host; with the VirtualBox version unknown, a row only when both ends agree. */
static const struct facts_vbox_kvm_rule *rule_for(const struct facts *facts, bool on)
{
	const struct facts_vbox *vb = &facts->vbox;
	int maj = facts->kernel.major, min = facts->kernel.minor;
	if (vb->product_known)
		return facts_vbox_kvm_rule(maj, min, vb->product.num, on);
	static const unsigned lowest[3] = { 0, 0, 0 }, highest[3] = { 998, 998, 998 };
	const struct facts_vbox_kvm_rule *a = facts_vbox_kvm_rule(maj, min, lowest, on);
	const struct facts_vbox_kvm_rule *b = facts_vbox_kvm_rule(maj, min, highest, on);
	return a && b && a->verdict == b->verdict ? a : NULL;
}

static void conflict_action(const struct facts *facts, const char *module, const struct virt_at_load *v,
			    const struct facts_vbox_kvm_rule *rule, struct check_result *r)
{
	if (rule && rule->verdict == FACTS_VBOX_KVM_OVERRIDE_BREAKS) {
		check_action(r, "Remove the enable_virt_at_load=0 override (%s) and reboot, or unload KVM while using "
			     "VirtualBox: sudo modprobe -r %s kvm", v->set_in[0] ? v->set_in :
			     "kernel command line or /etc/modprobe.d", module);
		return;
	}
	if (!facts_kernel_at_least(facts, 6, 12)) {
		check_action(r, "Shut down the KVM/QEMU/libvirt VMs (virsh list --all) before starting VirtualBox VMs, or "
			     "unload KVM: sudo modprobe -r %s kvm", module);
		return;
	}
	check_action(r, "Now: stop KVM VMs and run sudo modprobe -r %s kvm. To keep it: put \"options kvm "
		     "enable_virt_at_load=0\" in /etc/modprobe.d/kvm-virtualbox.conf (or kvm.enable_virt_at_load=0 on "
		     "the kernel command line)", module);
}

static void rule_detail(const struct facts *facts, const struct facts_vbox_kvm_rule *rule, struct check_result *r)
{
	const struct facts_vbox *vb = &facts->vbox;
	if (!rule)
		return;
	check_detail(r, "Linux %d.%d with VirtualBox %s: %s%s.", facts->kernel.major, facts->kernel.minor,
		     vb->product_known ? vb->product.text : "(version unknown)", rule->why,
		     rule->reported ? " (reported, not confirmed by VirtualBox's changelog)" : "");
}

static void kvm_logged(const struct facts *facts, const char *module, const struct virt_at_load *v,
		       bool current, struct check_result *r)
{
	const struct facts_vbox_kvm_rule *rule = facts->kernel.err ? NULL : rule_for(facts, v->on);
	if (!module) {
		if (!current) {
			check_set(r, CHECK_PASS, NULL, "KVM is not loaded; the KVM conflict is only in older, rotated "
				  "logs");
			return;
		}
		check_set(r, CHECK_INFO, "VBOX-KVM-CONFLICT", "VirtualBox failed because KVM held VT-x/AMD-V; KVM is "
			  "not loaded now, so VMs should start until it is loaded again");
		check_action(r, "Keep KVM unloaded while using VirtualBox, or apply the lasting fix vmdoctor explain "
			     "VBOX-KVM-CONFLICT gives for your kernel");
		return;
	}
	bool svme = facts_vbox_events(&facts->vbox, FACTS_VBOX_EV_SVME_NOT_ENABLED, NULL) > 0;
	if (svme && !v->on) {
		static const struct facts_vbox_kvm_rule override = {
			.verdict = FACTS_VBOX_KVM_OVERRIDE_BREAKS, .reported = true,
			.why = "VirtualBox 7.2.10 and later are reported to need KVM to enable VT-x/AMD-V, which "
			       "enable_virt_at_load=0 stops",
		};
		rule = &override;
	}
	const struct facts_module *m = facts_module_find(facts, module);
	if (!facts->kernel.err && !facts_kernel_at_least(facts, 6, 12) && m && m->refcount == 0) {
		/* Before 6.12 KVM held VT-x/AMD-V only while its VM ran, and none seems to run now. */
		check_set(r, CHECK_WARN, "VBOX-KVM-CONFLICT", "VirtualBox failed while a KVM VM held VT-x/AMD-V; "
			  "none seems to run now (%s unused)", module);
		rule_detail(facts, rule, r);
		conflict_action(facts, module, v, rule, r);
		return;
	}
	const char *feature = facts->cpu.svm && !facts->cpu.vmx ? "AMD-V" : "VT-x";
	if (rule && rule->verdict == FACTS_VBOX_KVM_OVERRIDE_BREAKS)
		check_set(r, CHECK_FAIL, "VBOX-KVM-CONFLICT", "VirtualBox VMs cannot start: VirtualBox %s needs KVM "
			  "(%s) to switch %s on, and enable_virt_at_load=0 stops it (reported)",
			  facts->vbox.product_known ? facts->vbox.product.text : "7.2.10+", module, feature);
	else
		check_set(r, CHECK_FAIL, "VBOX-KVM-CONFLICT", "VirtualBox VMs cannot start: KVM (%s) holds %s", module,
			  feature);
	rule_detail(facts, rule, r);
	conflict_action(facts, module, v, rule, r);
}

static void kvm_predicted(const struct facts *facts, const char *module, const struct virt_at_load *v,
			  struct check_result *r)
{
	const struct facts_module *m = facts_module_find(facts, module);
	if (!facts_kernel_at_least(facts, 6, 12)) {
		if (m && m->refcount > 0) {
			check_evidence(r, "/proc/modules", "%s is in use %ld times", module, m->refcount);
			check_set(r, CHECK_INFO, "VBOX-KVM-CONFLICT", "A KVM virtual machine seems to be running (%s in "
				  "use): VirtualBox VMs cannot start while it runs", module);
			conflict_action(facts, module, v, NULL, r);
			return;
		}
		check_set(r, CHECK_PASS, NULL, "Linux %d.%d: KVM (%s) takes VT-x/AMD-V only while a KVM VM runs, and "
			  "none seems to", facts->kernel.major, facts->kernel.minor, module);
		return;
	}
	vat_evidence(v, r);
	const struct facts_vbox_kvm_rule *rule = rule_for(facts, v->on);
	if (!rule) {
		check_set(r, CHECK_UNKNOWN, NULL, "Whether VirtualBox coexists with KVM on Linux %d.%d depends on "
			  "its version, which could not be read", facts->kernel.major, facts->kernel.minor);
		return;
	}
	switch (rule->verdict) {
	case FACTS_VBOX_KVM_CONFLICT:
		check_set(r, CHECK_WARN, "VBOX-KVM-CONFLICT", "VirtualBox VMs will fail to start: KVM (%s) takes "
			  "VT-x/AMD-V at load on Linux %d.%d%s", module, facts->kernel.major, facts->kernel.minor,
			  rule->reported ? " (reported)" : "");
		break;
	case FACTS_VBOX_KVM_OVERRIDE_BREAKS:
		check_set(r, CHECK_WARN, "VBOX-KVM-CONFLICT", "VirtualBox %s VMs are reported to fail with the "
			  "enable_virt_at_load=0 override", facts->vbox.product.text);
		break;
	case FACTS_VBOX_KVM_OK:
	case FACTS_VBOX_KVM_IDLE_OK:
		check_set(r, CHECK_PASS, NULL, "VirtualBox and KVM (%s) can coexist here%s", module,
			  rule->reported ? " (reported)" : "");
		rule_detail(facts, rule, r);
		return;
	}
	rule_detail(facts, rule, r);
	conflict_action(facts, module, v, rule, r);
}

void check_vbox_kvm_conflict(const struct facts *facts, struct check_result *r)
{
	const struct facts_vbox *vb = &facts->vbox;
	if (skip_unless_installed(facts, r))
		return;
	if (facts->modules.err) {
		check_set(r, CHECK_UNKNOWN, NULL, "Loaded modules could not be read: %s", facts->modules.why);
		return;
	}
	const char *module = virt_kvm_vendor_module(facts);
	struct virt_at_load v;
	effective_virt_at_load(facts, &v);
	size_t n_kinds = sizeof kvm_kinds / sizeof kvm_kinds[0];
	bool logged = kinds_evidence(vb, kvm_kinds, n_kinds, r) > 0;
	/* "AMD-V is disabled (or by the host OS)" with AMD-V on in the firmware is KVM too. */
	const struct facts_vbox_event *svm_off = NULL;
	if (module && strcmp(module, "kvm_amd") == 0 && facts_vbox_events(vb, FACTS_VBOX_EV_SVM_DISABLED, &svm_off)) {
		struct virt_cpu cpu;
		virt_assess_cpu(facts, &cpu);
		if (cpu.verdict == VIRT_CPU_USABLE) {
			event_evidence(svm_off, r);
			logged = true;
		}
	}
	if (vb->product_known)
		check_evidence(r, vb->product.source, "VirtualBox %s", vb->product.text);
	if (!facts->kernel.err)
		check_evidence(r, "/proc/sys/kernel/osrelease", "%s", facts->kernel.release);
	if (module)
		check_evidence(r, "/proc/modules", "%s is loaded", module);
	if (logged) {
		if (module)
			vat_evidence(&v, r);
		kvm_logged(facts, module, &v, any_current(vb, kvm_kinds, n_kinds) || module, r);
		return;
	}
	if (!module) {
		check_set(r, CHECK_PASS, NULL, "KVM is not loaded, so it cannot hold VT-x/AMD-V");
		return;
	}
	if (facts->kernel.err) {
		check_set(r, CHECK_UNKNOWN, NULL, "Running kernel unknown: %s", facts->kernel.why);
		return;
	}
	kvm_predicted(facts, module, &v, r);
}
