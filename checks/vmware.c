/* SPDX-License-Identifier: MIT */
/* VMware Workstation/Player checks: installed product, vmmon module, its version, Secure Boot and VT-x. */
#include "checks/checks.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmdoctor/virt.h"

#define REBUILD "sudo vmware-modconfig --console --install-all"

/* ---- shared helpers ---- */

static bool skip_unless_installed(const struct facts *facts, struct check_result *r)
{
	if (facts->vmware.installed)
		return false;
	check_set(r, CHECK_SKIP, NULL, "VMware Workstation/Player is not installed (no /etc/vmware/config)");
	return true;
}

/* Every VMware verdict starts from "is vmmon loaded?": without the module list it cannot be told. */
static bool unknown_without_modules(const struct facts *facts, struct check_result *r)
{
	if (!facts->modules.err)
		return false;
	check_set(r, CHECK_UNKNOWN, NULL, "Loaded modules could not be read: %s", facts->modules.why);
	return true;
}

/* "VMware Workstation 17.5.2 build 23775571", or what is known of it. */
static void product_text(const struct facts_vmware *vm, char *buf, size_t len)
{
	const struct facts_vmware_config *c = &vm->config;
	snprintf(buf, len, "%s %s%s%s", c->product_name[0] ? c->product_name : "VMware",
		 c->version[0] ? c->version : "(version unknown)", c->build[0] ? " build " : "", c->build);
}

static void config_evidence(const struct facts_vmware *vm, struct check_result *r)
{
	if (vm->config_err) {
		check_evidence(r, "/etc/vmware/config", "%s", vm->config_err == -ENOENT ? "does not exist" : vm->why);
		return;
	}
	if (!vm->config.version_key) {
		check_evidence(r, "/etc/vmware/config", "no product.version line");
		return;
	}
	char source[64];
	snprintf(source, sizeof source, "/etc/vmware/config:%u", vm->config.version_line);
	check_evidence(r, source, "%s = \"%s\"", vm->config.version_key, vm->config.version);
}

static void event_evidence(const struct facts_vmware_event *e, struct check_result *r)
{
	char source[FACTS_VMW_PATH + 16];
	snprintf(source, sizeof source, "%s:%u", e->file, e->line);
	check_evidence(r, source, "%s", e->text);
}

static void ko_evidence(const struct facts_vmware *vm, enum facts_vmw_module module, struct check_result *r)
{
	for (size_t i = 0; i < vm->ko_count; i++)
		if (vm->ko[i].module == module)
			check_evidence(r, vm->ko[i].path, "present");
}

static bool vmmon_loaded(const struct facts *facts)
{
	return facts_module_find(facts, "vmmon") != NULL;
}

static void module_evidence(const struct facts *facts, struct check_result *r)
{
	static const char *const names[] = { "vmmon", "vmnet" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const struct facts_module *m = facts_module_find(facts, names[i]);
		check_evidence(r, m && !m->in_proc_modules ? "/sys/module" : "/proc/modules", "%s %s", names[i],
			       m ? "is loaded" : "is not loaded");
	}
}

/* "around 17.6.x" for rows known only from user reports. */
static void release_text(const struct facts_vmware_release *rel, char *buf, size_t len)
{
	if (!rel)
		snprintf(buf, len, "a VMware release vmdoctor does not know");
	else
		snprintf(buf, len, "VMware %s%s", rel->approx ? "around " : "", rel->products);
}

static bool event_after(const struct facts_vmware_event *a, const struct facts_vmware_event *b)
{
	int c = strcmp(a->stamp, b->stamp);
	return c != 0 ? c > 0 : a->seq > b->seq;
}

/* Is `e` a signature rejection that can be about vmmon? A signed vmmon is not what the kernel's
 * "Loading of unsigned module is rejected" was about: another module was. */
static bool rejection_counts(const struct facts_vmware *vm, const struct facts_vmware_event *e)
{
	bool vmmon_signed = vm->modinfo_err == 0 && vm->modinfo_signer[0];
	return e->kind == FACTS_VMW_EV_SIG_REJECTED &&
	       !(vmmon_signed && strcmp(e->file, "dmesg") == 0 && strstr(e->text, "unsigned module"));
}

/* Why vmmon cannot load because of its signature: the event that says so, or NULL.
 * The kernel's own lines name no module, so they count only while vmmon is built and not loaded. */
static const struct facts_vmware_event *signature_rejection(const struct facts *facts)
{
	const struct facts_vmware *vm = &facts->vmware;
	if (vmmon_loaded(facts) || facts_vmware_ko_count(vm, FACTS_VMW_VMMON) == 0)
		return NULL;
	const struct facts_vmware_event *best = NULL;
	for (size_t i = 0; i < vm->event_count; i++) {
		const struct facts_vmware_event *e = &vm->events[i];
		if (rejection_counts(vm, e) && (!best || event_after(e, best)))
			best = e;
	}
	return best;
}

/* An unsigned vmmon while lockdown refuses unsigned modules cannot load, even before anyone tried. */
static bool unsigned_under_lockdown(const struct facts *facts)
{
	const struct facts_vmware *vm = &facts->vmware;
	if (vmmon_loaded(facts) || facts_vmware_ko_count(vm, FACTS_VMW_VMMON) == 0)
		return false;
	bool locked = !vm->lockdown_err && strcmp(vm->lockdown, "none") != 0;
	return locked && vm->modinfo_err == 0 && vm->modinfo_signer[0] == '\0';
}

/* ---- vmware.installed ---- */

void check_vmware_installed(const struct facts *facts, struct check_result *r)
{
	const struct facts_vmware *vm = &facts->vmware;
	if (skip_unless_installed(facts, r))
		return;
	char product[160];
	product_text(vm, product, sizeof product);
	config_evidence(vm, r);
	if (vm->err) {
		check_set(r, CHECK_UNKNOWN, NULL, "VMware is installed (%s) but its configuration could not be read: %s",
			  vm->installed_by, vm->why);
		return;
	}
	const struct facts_vmware_release *rel = facts_vmware_release_by_product(vm->config.version);
	if (rel)
		check_detail(r, "This release expects vmmon version %u%s.", rel->vmmon, rel->approx ? " (from user "
			     "reports)" : "");
	check_set(r, CHECK_PASS, NULL, "%s is installed", product);
}

/* ---- vmware.vmmon ---- */

static void say_build_failed(const struct facts *facts, struct check_result *r)
{
	const struct facts_vmware *vm = &facts->vmware;
	const char *release = facts->kernel.release;
	check_evidence(r, vm->modules_dir, "no vmmon.ko for this kernel (misc/, updates/, updates/dkms/, "
		       "extra/, extra/VirtualBox/, extramodules/, kernel/misc/)");
	static const enum facts_vmw_event_kind kinds[] = { FACTS_VMW_EV_INSTALL_FAILED, FACTS_VMW_EV_NO_HEADERS,
							   FACTS_VMW_EV_BUILD_ERROR };
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		const struct facts_vmware_event *e = facts_vmware_latest(vm, kinds[i]);
		if (e)
			event_evidence(e, r);
	}
	if (!vm->headers) {
		check_evidence(r, vm->modules_dir, "has no build/ (kernel headers)");
		check_set(r, CHECK_FAIL, "VMW-MODBUILD-FAIL", "vmmon is not built for kernel %s: its kernel headers "
			  "are not installed", release);
		check_detail(r, "vmware-modconfig compiles vmmon and vmnet against /lib/modules/%s/build, which is "
			     "missing (DKMS-HEADERS-MISSING).", release);
		check_action(r, "Install the headers for %s (Debian/Ubuntu: sudo apt install linux-headers-%s; Fedora: "
			     "sudo dnf install kernel-devel-%s), then run: %s", release, release, release, REBUILD);
		return;
	}
	const struct facts_vmware_event *failed = facts_vmware_latest(vm, FACTS_VMW_EV_INSTALL_FAILED);
	if (vm->other_kernel[0])
		check_evidence(r, "/lib/modules", "vmmon.ko exists for kernel %s only", vm->other_kernel);
	check_set(r, CHECK_FAIL, "VMW-MODBUILD-FAIL", "vmmon is not built for the running kernel %s%s", release,
		  failed ? ": VMware could not compile it" : vm->other_kernel[0] ? " (only for the previous kernel)" :
		  "");
	check_detail(r, "%s%s%sThe kernel headers are there, so the compiler errors in the VMware log say why; a "
		     "kernel newer than %s supports needs a newer VMware or patched module sources.",
		     vm->other_kernel[0] ? "vmmon was built for kernel " : "", vm->other_kernel,
		     vm->other_kernel[0] ? ", so a kernel update left the running kernel without it. " : "",
		     vm->config.version[0] ? vm->config.version : "this VMware");
	check_action(r, "Run: %s and read the log it names; if it fails to compile, upgrade VMware or build the "
		     "patched sources for exactly VMware %s (do not mix both methods).", REBUILD,
		     vm->config.version[0] ? vm->config.version : "(your version)");
}

void check_vmware_vmmon(const struct facts *facts, struct check_result *r)
{
	const struct facts_vmware *vm = &facts->vmware;
	if (skip_unless_installed(facts, r) || unknown_without_modules(facts, r))
		return;
	const struct facts_device *dev = &facts->devices[FACTS_DEV_VMMON];
	module_evidence(facts, r);
	if (vmmon_loaded(facts)) {
		if (dev->err == 0) {
			char node[200];
			checks_format_devnode(&dev->node, node, sizeof node);
			check_evidence(r, dev->path, "%s", node);
			check_set(r, CHECK_PASS, NULL, "vmmon is loaded and /dev/vmmon exists");
		} else if (dev->err == -ENODATA) {
			check_set(r, CHECK_PASS, NULL, "vmmon is loaded (device nodes were not collected)");
		} else {
			check_evidence(r, "/dev/vmmon", "does not exist");
			check_set(r, CHECK_FAIL, "VMW-VMMON-MISSING", "vmmon is loaded but /dev/vmmon does not exist");
			check_action(r, "With all VMs off run: sudo systemctl restart vmware");
		}
		return;
	}
	if (vm->modules_dir_err) {
		check_set(r, CHECK_UNKNOWN, NULL, "vmmon is not loaded, and the modules of kernel %s could not be "
			  "listed (%s)", facts->kernel.err ? "(unknown)" : facts->kernel.release,
			  vm->modules_dir_err == -ENODATA ? "kernel release unknown" : strerror(-vm->modules_dir_err));
		return;
	}
	if (facts_vmware_ko_count(vm, FACTS_VMW_VMMON) == 0) {
		say_build_failed(facts, r);
		return;
	}
	ko_evidence(vm, FACTS_VMW_VMMON, r);
	if (signature_rejection(facts) || unsigned_under_lockdown(facts)) {
		check_set(r, CHECK_SKIP, NULL, "vmmon is built but the kernel refuses its signature (see "
			  "vmware.secureboot)");
		return;
	}
	if (dev->err != -ENODATA)
		check_evidence(r, "/dev/vmmon", "%s", dev->err == 0 ? "exists" : "does not exist");
	const struct facts_vmware_event *e = facts_vmware_latest(vm, FACTS_VMW_EV_NO_DEVICE);
	if (e)
		event_evidence(e, r);
	check_set(r, CHECK_FAIL, "VMW-VMMON-MISSING", "vmmon is built for kernel %s but not loaded, so VMs cannot "
		  "power on", facts->kernel.release);
	check_detail(r, "The vmware service loads vmmon and vmnet at boot; when it is not enabled (or was never "
		     "started since the modules were built) /dev/vmmon does not exist.");
	check_action(r, "With all VMs off run: sudo systemctl restart vmware && sudo systemctl enable vmware "
		     "(if that fails: %s)", REBUILD);
}

/* ---- vmware.version-match ---- */

static void mismatch_detail(const struct facts_vmware *vm, const struct facts_vmware_release *got,
			    const struct facts_vmware_release *want, struct check_result *r)
{
	char got_rel[96], want_rel[96];
	release_text(got, got_rel, sizeof got_rel);
	release_text(want, want_rel, sizeof want_rel);
	const struct facts_vmware_release *installed = facts_vmware_release_by_product(vm->config.version);
	char installed_note[200] = "";
	if (installed && installed->vmmon != vm->mismatch.expecting_major)
		snprintf(installed_note, sizeof installed_note, " Note: the installed %s normally expects vmmon %u, "
			 "so another VMware copy may have run.", vm->config.version, installed->vmmon);
	check_detail(r, "The loaded vmmon reports version %s, which belongs to %s; VMware expects %s, as built "
		     "for %s.%s", vm->mismatch.got, got_rel, vm->mismatch.expecting, want_rel, installed_note);
}

/* Copies of vmmon.ko outside misc/, where vmware-modconfig does not write: they can shadow its build. */
static void shadow_copies(const struct facts_vmware *vm, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < vm->ko_count; i++) {
		const struct facts_vmware_ko *ko = &vm->ko[i];
		if (ko->module != FACTS_VMW_VMMON || strstr(ko->path, "/misc/"))
			continue;
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", used ? " " : "", ko->path);
	}
}

/* The copies of vmmon.ko, and which one to keep, as one action hint. */
static void mismatch_action(const struct facts_vmware *vm, struct check_result *r)
{
	size_t copies = facts_vmware_ko_count(vm, FACTS_VMW_VMMON);
	const char *version = vm->config.version[0] ? vm->config.version : "(your version)";
	char shadows[4 * FACTS_VMW_PATH];
	shadow_copies(vm, shadows, sizeof shadows);
	if (copies > 1 && shadows[0]) {
		check_action(r, "There are %zu copies of vmmon.ko: with all VMs off, rebuild for VMware %s (%s, which "
			     "writes misc/), delete the copies that can shadow it (sudo rm %s), then run: sudo depmod -a "
			     "&& sudo systemctl restart vmware", copies, version, REBUILD, shadows);
		return;
	}
	check_action(r, "Rebuild vmmon for VMware %s: %s, then with all VMs off: sudo systemctl restart vmware "
		     "(or install the VMware release that matches the module)", version, REBUILD);
}

void check_vmware_version_match(const struct facts *facts, struct check_result *r)
{
	const struct facts_vmware *vm = &facts->vmware;
	if (skip_unless_installed(facts, r) || unknown_without_modules(facts, r))
		return;
	if (!vmmon_loaded(facts)) {
		/* A mismatch needs a loaded vmmon to compare with; its absence is vmware.vmmon's finding. */
		check_set(r, CHECK_SKIP, NULL, "vmmon is not loaded, so no version to compare (see vmware.vmmon)");
		return;
	}
	char product[160];
	product_text(vm, product, sizeof product);
	if (!vm->mismatch_seen) {
		config_evidence(vm, r);
		check_evidence(r, "VMware logs", "%zu scanned, no \"Version mismatch with vmmon module\"",
			       vm->logs_scanned);
		if (facts_vmware_ko_count(vm, FACTS_VMW_VMMON) > 1)
			ko_evidence(vm, FACTS_VMW_VMMON, r);
		check_set(r, CHECK_PASS, NULL, "No vmmon version mismatch reported for %s", product);
		return;
	}
	const struct facts_vmware_release *got = facts_vmware_release_by_vmmon(vm->mismatch.got_major);
	const struct facts_vmware_release *want = facts_vmware_release_by_vmmon(vm->mismatch.expecting_major);
	char got_rel[96];
	release_text(got, got_rel, sizeof got_rel);
	event_evidence(facts_vmware_latest(vm, FACTS_VMW_EV_VERSION_MISMATCH), r);
	config_evidence(vm, r);
	ko_evidence(vm, FACTS_VMW_VMMON, r);
	if (vm->modinfo_err == 0)
		check_evidence(r, "commands/modinfo-vmmon", "filename: %s", vm->modinfo_filename);
	check_set(r, CHECK_FAIL, "VMW-VERSION-MISMATCH", "%s expects vmmon %s but the loaded vmmon is %s (from %s)",
		  product, vm->mismatch.expecting, vm->mismatch.got, got_rel);
	mismatch_detail(vm, got, want, r);
	mismatch_action(vm, r);
}

/* ---- vmware.secureboot ---- */

void check_vmware_secureboot(const struct facts *facts, struct check_result *r)
{
	const struct facts_vmware *vm = &facts->vmware;
	if (skip_unless_installed(facts, r) || unknown_without_modules(facts, r))
		return;
	const struct facts_vmware_event *taint = facts_vmware_latest(vm, FACTS_VMW_EV_SIG_TAINT);
	if (vmmon_loaded(facts)) {
		module_evidence(facts, r);
		if (taint)
			event_evidence(taint, r);
		check_set(r, CHECK_PASS, NULL, "The kernel accepted vmmon%s", taint ? " (unsigned, it only tainted "
			  "the kernel: Secure Boot is not enforcing)" : "");
		return;
	}
	if (facts_vmware_ko_count(vm, FACTS_VMW_VMMON) == 0) {
		check_set(r, CHECK_SKIP, NULL, "No vmmon.ko to load for this kernel (see vmware.vmmon)");
		return;
	}
	const struct facts_vmware_event *rejected = signature_rejection(facts);
	bool lockdown = unsigned_under_lockdown(facts);
	/* Evidence of the rejection comes from every kept line below, not only the newest. */
	if (!rejected && !lockdown) {
		if (vm->modinfo_err == 0)
			check_evidence(r, "commands/modinfo-vmmon", "signer: %s", vm->modinfo_signer[0] ?
				       vm->modinfo_signer : "(none)");
		check_set(r, CHECK_PASS, NULL, "No signature rejection of vmmon in the kernel or VMware logs");
		return;
	}
	ko_evidence(vm, FACTS_VMW_VMMON, r);
	for (size_t i = 0, shown = 0; i < vm->event_count && shown < 4; i++) {
		if (rejection_counts(vm, &vm->events[i])) {
			event_evidence(&vm->events[i], r);
			shown++;
		}
	}
	if (!vm->lockdown_err)
		check_evidence(r, "/sys/kernel/security/lockdown", "[%s]", vm->lockdown);
	if (vm->modinfo_err == 0)
		check_evidence(r, "commands/modinfo-vmmon", "signer: %s",
			       vm->modinfo_signer[0] ? vm->modinfo_signer : "(none: unsigned)");
	bool signed_mod = vm->modinfo_err == 0 && vm->modinfo_signer[0];
	if (signed_mod) {
		check_set(r, CHECK_FAIL, "VMW-SECUREBOOT", "The kernel rejects vmmon: it is signed by \"%s\", a key "
			  "Secure Boot does not trust", vm->modinfo_signer);
		check_detail(r, "The signing key was most likely never enrolled with MokManager, or its enrolment "
			     "is still pending (SB-MOK-NOT-ENROLLED).");
		if (facts->secureboot.mok.pending)
			check_action(r, "A key already waits for enrolment: reboot, choose Enroll MOK in MokManager at the "
				     "console (with the password chosen at import), then: sudo modprobe vmmon vmnet");
		else
			check_action(r, "Enrol the key that signed vmmon: sudo mokutil --import <its .der>, reboot and "
				     "choose Enroll MOK at the console, then: sudo modprobe vmmon vmnet");
		return;
	}
	check_set(r, CHECK_FAIL, "VMW-SECUREBOOT", "Secure Boot refuses the unsigned vmmon module, so /dev/vmmon "
		  "cannot exist");
	check_detail(r, "vmware-modconfig does not sign what it builds, so under Secure Boot every rebuild (each "
		     "kernel update) needs signing again.%s", rejected && strcmp(rejected->file, "dmesg") == 0 ?
		     " The kernel's rejection line names no module; vmmon is the VMware module built but not "
		     "loaded." : "");
	check_action(r, "Sign vmmon and vmnet with a Machine Owner Key (sign-file sha256 MOK.priv MOK.der "
		     "$(modinfo -n vmmon)), enrol it (sudo mokutil --import MOK.der, reboot, Enroll MOK at the "
		     "console), then: sudo modprobe vmmon vmnet; or turn Secure Boot off in the firmware");
}

/* ---- vmware.hv ---- */

static const enum facts_vmw_event_kind hv_kinds[] = { FACTS_VMW_EV_VT_DISABLED, FACTS_VMW_EV_VT_UNSUPPORTED,
						      FACTS_VMW_EV_NESTED_UNSUPPORTED,
						      FACTS_VMW_EV_HV_POWERON_FAILED };

/* The newest VT-x complaint of each kind, most specific first; false when there is none. */
static bool hv_evidence(const struct facts_vmware *vm, struct check_result *r)
{
	bool any = false;
	for (size_t i = 0; i < sizeof hv_kinds / sizeof hv_kinds[0]; i++) {
		const struct facts_vmware_event *e = facts_vmware_latest(vm, hv_kinds[i]);
		if (e) {
			event_evidence(e, r);
			any = true;
		}
	}
	return any;
}

/* KVM owns VT-x/AMD-V from load on Linux 6.12+, unless kvm.enable_virt_at_load=0. */
static bool kvm_holds_vt(const struct facts *facts)
{
	if (!virt_kvm_vendor_module(facts) || !facts_kernel_at_least(facts, 6, 12))
		return false;
	const struct facts_param *p = &facts->params[FACTS_PARAM_KVM_ENABLE_VIRT_AT_LOAD];
	return p->err != 0 || (strcmp(p->value, "N") != 0 && strcmp(p->value, "0") != 0);
}

static void hv_route(const struct facts *facts, const struct virt_cpu *cpu, struct check_result *r)
{
	const char *code = "VMW-HV-UNAVAILABLE";
	struct virt_guest g;
	switch (cpu->verdict) {
	case VIRT_CPU_DISABLED:
		check_set(r, CHECK_FAIL, code, "VMware cannot use %s: %s (%s, see cpu.hwvirt)", cpu->feature,
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
		check_set(r, CHECK_FAIL, code, "VMware cannot use VT-x/AMD-V: this machine is itself a VM on %s "
			  "without nested virtualization (GUEST-NO-NESTED)", g.name ? g.name : "a hypervisor");
		check_action(r, "Enable nested virtualization for this VM on the outer host, or clear \"Virtualize "
			     "Intel VT-x/EPT or AMD-V/RVI\" (vhv.enable = \"FALSE\") in the VMware VM's settings");
		return;
	case VIRT_CPU_NO_HWVIRT:
		check_set(r, CHECK_FAIL, code, "VMware cannot run 64-bit VMs: the processor has no VT-x/AMD-V "
			  "(CPU-NO-HWVIRT)");
		check_action(r, "Nothing to switch on: use a machine whose CPU has VT-x or AMD-V");
		return;
	case VIRT_CPU_MASKED:
	case VIRT_CPU_UNKNOWN:
		check_set(r, CHECK_FAIL, code, "VMware reports VT-x/AMD-V unusable; vmdoctor could not tell why: %s",
			  cpu->reason);
		check_action(r, "Run vmdoctor as root (sudo modprobe msr first) so it can read the CPU's control "
			     "register and name the cause");
		return;
	case VIRT_CPU_USABLE:
		break;
	}
	if (kvm_holds_vt(facts)) {
		check_set(r, CHECK_FAIL, code, "VMware cannot use %s: KVM (%s) holds it since Linux 6.12 "
			  "(KVM-BUSY-OTHER-HV)", cpu->feature, virt_kvm_vendor_module(facts));
		check_action(r, "Unload KVM while using VMware (sudo modprobe -r %s kvm) or boot with "
			     "kvm.enable_virt_at_load=0", virt_kvm_vendor_module(facts));
		return;
	}
	/* VT-x works now: the message predates a fix, or needs a power cycle after the firmware change. */
	check_set(r, CHECK_WARN, code, "VMware reported %s unusable, but it is enabled now", cpu->feature);
	check_action(r, "If you changed the firmware setting since, power the machine fully off and on; if a VM "
		     "asks for nested VT-x, clear \"Virtualize Intel VT-x/EPT or AMD-V/RVI\" in its settings");
}

void check_vmware_hv(const struct facts *facts, struct check_result *r)
{
	const struct facts_vmware *vm = &facts->vmware;
	if (skip_unless_installed(facts, r))
		return;
	if (!hv_evidence(vm, r)) {
		check_evidence(r, "VMware logs", "%zu scanned, no VT-x/AMD-V complaint", vm->logs_scanned);
		check_set(r, CHECK_PASS, NULL, "VMware logs report no VT-x/AMD-V problem");
		return;
	}
	struct virt_cpu cpu;
	virt_assess_cpu(facts, &cpu);
	virt_cpu_add_evidence(&cpu, r);
	hv_route(facts, &cpu, r);
	/* The person saw VMware's words: tie them to the cause named in the summary. */
	for (size_t i = 0; i < sizeof hv_kinds / sizeof hv_kinds[0]; i++) {
		const struct facts_vmware_event *e = facts_vmware_latest(vm, hv_kinds[i]);
		if (e) {
			check_detail(r, "VMware said so in %s (line %u); vmdoctor's own reading of the CPU, firmware and "
				     "KVM state gives the cause above.%s%s", e->file, e->line, cpu.reason[0] ? " " : "",
				     cpu.reason);
			break;
		}
	}
}
