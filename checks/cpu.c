/* SPDX-License-Identifier: MIT */
/* CPU checks: is this a guest without nesting, and does the processor offer VT-x/AMD-V, switched on? */
#include "checks/checks.h"

#include <stdio.h>
#include <string.h>

#include "vmdoctor/virt.h"

static void guest_evidence(const struct facts *facts, struct check_result *r)
{
	if (!facts->cpu.err) {
		check_evidence(r, "cpuid", "leaf 0x1 ECX bit 31 (hypervisor present) = %d", facts->cpu.hypervisor);
		if (facts->cpu.has_hv_signature)
			check_evidence(r, "cpuid", "leaf 0x40000000 signature \"%s\"", facts->cpu.hv_signature);
	}
	if (!facts->klog.err) {
		for (size_t i = 0; i < facts->klog.count; i++) {
			if (strstr(facts->klog.lines[i].text, "Hypervisor detected: ")) {
				char source[32];
				snprintf(source, sizeof source, "dmesg:%u", facts->klog.lines[i].lineno);
				check_evidence(r, source, "%s", facts->klog.lines[i].text);
				break;
			}
		}
	}
	if (!facts->dmi.err)
		check_evidence(r, "/sys/class/dmi/id", "sys_vendor \"%s\", product_name \"%s\"", facts->dmi.sys_vendor,
			       facts->dmi.product_name);
}

void check_cpu_guest(const struct facts *facts, struct check_result *r)
{
	struct virt_guest g;
	virt_detect_guest(facts, &g);
	guest_evidence(facts, r);
	if (!g.is_guest) {
		if (facts->cpu.err && facts->dmi.err && facts->klog.err) {
			check_set(r, CHECK_UNKNOWN, NULL, "Could not tell whether this is a virtual machine: %s",
				  facts->cpu.why);
			return;
		}
		check_set(r, CHECK_PASS, NULL, "Runs on real hardware: no hypervisor below this system");
		return;
	}
	struct virt_cpu cpu;
	virt_assess_cpu(facts, &cpu);
	if (facts->cpu.err && facts->cpuinfo.err) {
		check_set(r, CHECK_UNKNOWN, NULL, "Virtual machine on %s; whether it passes VT-x/AMD-V through is "
			  "unknown: %s", g.name, facts->cpu.why);
		return;
	}
	if (cpu.verdict != VIRT_CPU_GUEST_NO_NESTED) {
		check_set(r, CHECK_PASS, NULL, "Virtual machine on %s with nested virtualization: %s is passed through",
			  g.name, cpu.feature);
		return;
	}
	if (facts->cpu.err)
		check_evidence(r, "/proc/cpuinfo", "flags line %u lists neither vmx nor svm", facts->cpuinfo.flags_line);
	if (cpu.kvm_works) {
		const char *module = virt_kvm_vendor_module(facts);
		check_set(r, CHECK_INFO, "GUEST-NO-NESTED", "Virtual machine on %s without nested VT-x/AMD-V; "
			  "KVM still works here%s%s", g.name, module ? " through " : "", module ? module : "");
		check_detail(r, "KVM answered through a paravirtual or emulated path, so QEMU/KVM, libvirt and GNOME Boxes "
			     "can run VMs here. VirtualBox and VMware need VT-x/AMD-V from the CPU and will not start "
			     "64-bit VMs on this machine.");
		check_action(r, "Nothing to do for KVM; for VirtualBox or VMware, enable nested virtualization for this "
			     "VM on the outer %s host.", g.name);
		return;
	}
	check_set(r, CHECK_FAIL, "GUEST-NO-NESTED", "This is a virtual machine on %s that does not pass VT-x/AMD-V "
		  "through", g.name);
	check_action(r, "Nothing inside this VM can fix it: on the outer %s host, enable nested virtualization for "
		     "this VM, then power the VM off and on.", g.name);
}

/* What to say for each verdict that is not a pass; index by enum virt_disable_kind for DISABLED. */
static void say_disabled(const struct facts *facts, const struct virt_cpu *cpu, struct check_result *r)
{
	const char *code = cpu->intel ? "CPU-VT-DISABLED" : "CPU-SVM-DISABLED";
	const char *vendor = !facts->dmi.err && facts->dmi.sys_vendor[0] ? facts->dmi.sys_vendor : NULL;
	switch (cpu->off_kind) {
	case VIRT_OFF_TXT_ONLY:
		check_set(r, CHECK_FAIL, code, "VT-x is enabled only inside Intel TXT (trusted execution), "
			  "not for normal use");
		check_action(r, "In the firmware setup, disable Intel TXT (or enable VT-x without TXT), or boot "
			     "through tboot; then power the machine fully off and on.");
		return;
	case VIRT_OFF_KERNEL_LOCKED:
		check_set(r, CHECK_FAIL, code, "VT-x is locked off by this kernel, which was built without KVM for "
			  "Intel (CONFIG_KVM_INTEL is not set)");
		check_detail(r, "Since Linux 5.6 a kernel without KVM for Intel locks VT-x off at boot when the "
			     "firmware left it unlocked, so the firmware setting may well be on already.");
		check_action(r, "Boot a kernel built with CONFIG_KVM_INTEL=y or m (a distribution kernel); changing "
			     "the firmware setting will not help.");
		return;
	case VIRT_OFF_OUTER_HOST:
		check_set(r, CHECK_FAIL, code, "The virtual CPU reports %s switched off: the outer hypervisor does "
			  "not enable it for this VM", cpu->feature);
		check_action(r, "Enable nested virtualization for this VM on the outer host; nothing inside this VM "
			     "can change it.");
		return;
	case VIRT_OFF_FIRMWARE:
		break;
	}
	if (cpu->intel) {
		check_set(r, CHECK_FAIL, code, "VT-x is present but switched off in the firmware (BIOS/UEFI) setup");
		check_action(r, "In the firmware setup%s%s, enable Intel Virtualization Technology (VT-x), then power "
			     "the machine fully off and on (a warm reboot keeps it locked).",
			     vendor ? " of this " : "", vendor ? vendor : "");
	} else {
		check_set(r, CHECK_FAIL, code, "AMD-V (SVM) is present but switched off in the firmware (BIOS/UEFI) "
			  "setup");
		check_action(r, "In the firmware setup%s%s, set \"SVM Mode\" (also called SVM or AMD-V) to Enabled, "
			     "then reboot.", vendor ? " of this " : "", vendor ? vendor : "");
	}
}

void check_cpu_hwvirt(const struct facts *facts, struct check_result *r)
{
	struct virt_cpu cpu;
	virt_assess_cpu(facts, &cpu);
	virt_cpu_add_evidence(&cpu, r);
	switch (cpu.verdict) {
	case VIRT_CPU_USABLE:
		check_set(r, CHECK_PASS, NULL, "%s is present and switched on", cpu.feature);
		return;
	case VIRT_CPU_GUEST_NO_NESTED:
		check_set(r, CHECK_SKIP, NULL, "Not applicable: this is a virtual machine without nested "
			  "virtualization (see cpu.guest)");
		return;
	case VIRT_CPU_NO_HWVIRT:
		check_set(r, CHECK_FAIL, "CPU-NO-HWVIRT", "This processor%s%s%s has neither VT-x nor AMD-V",
			  facts->cpu.brand[0] ? " (" : "", facts->cpu.brand, facts->cpu.brand[0] ? ")" : "");
		check_action(r, "No firmware setting can add it: run VMs on another computer, or accept slow "
			     "software emulation (QEMU TCG).");
		return;
	case VIRT_CPU_DISABLED:
		say_disabled(facts, &cpu, r);
		return;
	case VIRT_CPU_MASKED:
		check_set(r, CHECK_UNKNOWN, NULL, "Could not determine whether %s is on: %s", cpu.feature, cpu.reason);
		check_action(r, "Remove clearcpuid= from the kernel command line, or run vmdoctor as root so it can "
			     "read the CPU's control register.");
		return;
	case VIRT_CPU_UNKNOWN:
		break;
	}
	check_set(r, CHECK_UNKNOWN, NULL, "Could not determine whether hardware virtualization is on: %s",
		  cpu.reason);
	check_action(r, "Run vmdoctor as root (sudo vmdoctor check) so it can read the CPU's control register "
		     "and the kernel log.");
}
