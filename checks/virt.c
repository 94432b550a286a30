/* SPDX-License-Identifier: MIT */
/* Guest detection and the CPU hardware-virtualization verdict, from CPUID, MSRs, /proc and the kernel log. */
#include "vmdoctor/virt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* CPUID.40000000H signatures (knowledge/failure-modes.md A.1). */
static const struct {
	const char *signature;
	const char *name;
	const char *id;
} hv_signatures[] = {
	{ "KVMKVMKVM", "KVM", "kvm" },
	{ "Microsoft Hv", "Hyper-V", "hyperv" },
	{ "VMwareVMware", "VMware", "vmware" },
	{ "VBoxVBoxVBox", "VirtualBox", "virtualbox" },
	{ "XenVMMXenVMM", "Xen", "xen" },
	{ "TCGTCGTCGTCG", "QEMU (TCG emulation)", "qemu" },
	{ "bhyve bhyve", "bhyve", "bhyve" },
	{ "ACRNACRNACRN", "ACRN", "acrn" },
	{ "prl hyperv", "Parallels", "parallels" },
	{ "lrpepyh  vr", "Parallels", "parallels" },
};

/* DMI strings of virtual machines: vendor substring, optional product substring. */
static const struct {
	const char *vendor;
	const char *product;
	const char *name;
	const char *id;
} dmi_guests[] = {
	{ "QEMU", NULL, "KVM", "kvm" },
	{ "Red Hat", "KVM", "KVM", "kvm" },
	{ "VMware", NULL, "VMware", "vmware" },
	{ "innotek", NULL, "VirtualBox", "virtualbox" },
	{ "Oracle", "VirtualBox", "VirtualBox", "virtualbox" },
	{ "Microsoft Corporation", "Virtual Machine", "Hyper-V", "hyperv" },
	{ "Xen", NULL, "Xen", "xen" },
	{ "Parallels", NULL, "Parallels", "parallels" },
	{ "Bochs", NULL, "Bochs", "bochs" },
	{ "Amazon EC2", NULL, "Amazon EC2 (KVM)", "kvm" },
	{ "Google", "Google Compute Engine", "Google Compute Engine (KVM)", "kvm" },
};

/* "Hypervisor detected: <name>" names printed by arch/x86/kernel/cpu/hypervisor.c. */
static const struct {
	const char *prefix;
	const char *name;
	const char *id;
} klog_guests[] = {
	{ "KVM", "KVM", "kvm" },
	{ "VMware", "VMware", "vmware" },
	{ "Microsoft Hyper-V", "Hyper-V", "hyperv" },
	{ "Xen", "Xen", "xen" },
	{ "ACRN", "ACRN", "acrn" },
	{ "Jailhouse", "Jailhouse", "jailhouse" },
	{ "Bhyve", "bhyve", "bhyve" },
};

/* The kernel's wordings for "KVM cannot use hardware virtualization" (section A.4), by meaning. */
enum klog_meaning {
	KLOG_NO_HW,             /* no VMX/SVM as far as the kernel's (maybe cleared) flag goes */
	KLOG_OFF_ANY,           /* "kvm: disabled by bios": vendor from the CPU */
	KLOG_OFF_INTEL,
	KLOG_OFF_AMD,
	KLOG_TXT_ONLY,
	KLOG_BUSY,
	KLOG_HV_DETECTED,
};

/* `from_msr`: the kernel read the control register itself, so clearcpuid= cannot fake the line;
 * the others test the CPU flag, which clearcpuid= clears as if the firmware had. */
static const struct {
	const char *needle;
	const char *also;       /* a second substring the line must hold, or NULL */
	enum klog_meaning meaning;
	bool from_msr;
} klog_patterns[] = {
	{ "VMX (inside TXT) disabled by BIOS", NULL, KLOG_TXT_ONLY, true },
	{ "disable TXT in the BIOS or activate TXT", NULL, KLOG_TXT_ONLY, true },
	{ "VMX (outside TXT) disabled by BIOS", NULL, KLOG_OFF_INTEL, true },
	{ "VMX not enabled (by BIOS) in MSR_IA32_FEAT_CTL", NULL, KLOG_OFF_INTEL, false },
	{ "VMX not fully enabled on CPU", NULL, KLOG_OFF_INTEL, false },
	{ "SVM disabled (by BIOS) in MSR_VM_CR", NULL, KLOG_OFF_AMD, true },
	{ "disabled by bios", "'kvm_intel'", KLOG_OFF_INTEL, false },
	{ "disabled by bios", "'kvm_amd'", KLOG_OFF_AMD, false },
	{ "kvm: disabled by bios", NULL, KLOG_OFF_ANY, false },
	{ "kvm: no hardware support", NULL, KLOG_NO_HW, false },
	{ "VMX not supported by CPU", NULL, KLOG_NO_HW, false },
	{ "SVM not supported by CPU", NULL, KLOG_NO_HW, false },
	{ "CPU doesn't support VMX", NULL, KLOG_NO_HW, false },
	{ "has_svm: svm not available", NULL, KLOG_NO_HW, false },
	{ "enabling virtualization on CPU", "failed", KLOG_BUSY, false },
	{ "Hypervisor detected: ", NULL, KLOG_HV_DETECTED, false },
};

#define MSR_FEAT_CTL_LOCK (1ull << 0)
#define MSR_FEAT_CTL_VMX_IN_SMX (1ull << 1)
#define MSR_FEAT_CTL_VMX_OUT_SMX (1ull << 2)
#define MSR_VM_CR_LOCK (1ull << 3)
#define MSR_VM_CR_SVMDIS (1ull << 4)

/* The meaning of a kernel log line, or -1; *from_msr tells whether the kernel read the register. */
static int klog_classify(const char *line, bool *from_msr)
{
	for (size_t i = 0; i < sizeof klog_patterns / sizeof klog_patterns[0]; i++) {
		if (!strstr(line, klog_patterns[i].needle))
			continue;
		if (klog_patterns[i].also && !strstr(line, klog_patterns[i].also))
			continue;
		*from_msr = klog_patterns[i].from_msr;
		return (int)klog_patterns[i].meaning;
	}
	return -1;
}

static void add_evidence(struct virt_cpu *c, const char *source, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_evidence(struct virt_cpu *c, const char *source, const char *fmt, ...)
{
	if (c->n_evidence == CHECK_MAX_EVIDENCE)
		return;
	va_list ap;
	va_start(ap, fmt);
	snprintf(c->evidence[c->n_evidence].source, sizeof c->evidence[0].source, "%s", source);
	vsnprintf(c->evidence[c->n_evidence].text, sizeof c->evidence[0].text, fmt, ap);
	va_end(ap);
	c->n_evidence++;
}

static void set_reason(struct virt_cpu *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_reason(struct virt_cpu *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof c->reason, fmt, ap);
	va_end(ap);
}

static const char *guest_from_klog(const struct facts *facts, const char **id)
{
	if (facts->klog.err)
		return NULL;
	for (size_t i = 0; i < facts->klog.count; i++) {
		const char *at = strstr(facts->klog.lines[i].text, "Hypervisor detected: ");
		if (!at)
			continue;
		at += strlen("Hypervisor detected: ");
		for (size_t k = 0; k < sizeof klog_guests / sizeof klog_guests[0]; k++) {
			if (strncmp(at, klog_guests[k].prefix, strlen(klog_guests[k].prefix)) == 0) {
				*id = klog_guests[k].id;
				return klog_guests[k].name;
			}
		}
		*id = "other";
		return "an unknown hypervisor";
	}
	return NULL;
}

static const char *guest_from_dmi(const struct facts *facts, const char **id)
{
	if (facts->dmi.err)
		return NULL;
	for (size_t i = 0; i < sizeof dmi_guests / sizeof dmi_guests[0]; i++) {
		bool vendor = strstr(facts->dmi.sys_vendor, dmi_guests[i].vendor) != NULL;
		bool product = !dmi_guests[i].product || strstr(facts->dmi.product_name, dmi_guests[i].product);
		/* VirtualBox and KVM also name themselves in product_name alone. */
		if ((vendor && product) || strstr(facts->dmi.product_name, dmi_guests[i].vendor)) {
			*id = dmi_guests[i].id;
			return dmi_guests[i].name;
		}
	}
	return NULL;
}

static const char *guest_from_signature(const struct facts *facts, const char **id)
{
	if (facts->cpu.err || !facts->cpu.has_hv_signature)
		return NULL;
	for (size_t i = 0; i < sizeof hv_signatures / sizeof hv_signatures[0]; i++) {
		if (strcmp(facts->cpu.hv_signature, hv_signatures[i].signature) == 0) {
			*id = hv_signatures[i].id;
			return hv_signatures[i].name;
		}
	}
	return NULL;
}

void virt_detect_guest(const struct facts *facts, struct virt_guest *out)
{
	memset(out, 0, sizeof *out);
	const char *id = NULL;
	const char *name = guest_from_signature(facts, &id);
	if (!name)
		name = guest_from_klog(facts, &id);
	if (!name)
		name = guest_from_dmi(facts, &id);
	bool hv_bit = (!facts->cpu.err && facts->cpu.hypervisor) ||
		      (!facts->cpuinfo.err && facts->cpuinfo.hypervisor);
	if (!name && !hv_bit)
		return;
	out->is_guest = true;
	out->name = name ? name : "an unknown hypervisor";
	out->id = id ? id : "other";
}

const char *virt_kvm_vendor_module(const struct facts *facts)
{
	static const char *const modules[] = { "kvm_intel", "kvm_amd", "kvm_pvm" };
	for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++)
		if (facts_module_find(facts, modules[i]))
			return modules[i];
	return NULL;
}

/* Evidence collected for and against "hardware virtualization is enabled". */
struct tally {
	int disabled;           /* firmware/kernel/TXT said off */
	int enabled;            /* proven on */
	bool txt_only;
	bool msr_known;
	bool msr_says_off;
};

static void tally_msr(const struct facts *facts, struct virt_cpu *c, struct tally *t)
{
	const struct facts_msr *m = &facts->msr;
	if (m->err || m->index == 0)
		return;
	t->msr_known = true;
	if (c->intel) {
		bool lock = m->value & MSR_FEAT_CTL_LOCK, out = m->value & MSR_FEAT_CTL_VMX_OUT_SMX;
		bool in = m->value & MSR_FEAT_CTL_VMX_IN_SMX;
		add_evidence(c, "msr 0x3a", "IA32_FEATURE_CONTROL = 0x%llx: lock=%d, VMX inside SMX=%d, VMX outside SMX=%d",
			     (unsigned long long)m->value, lock, in, out);
		if (lock && !out) {
			t->msr_says_off = true;
			t->txt_only = in;
		} else {
			/* Unlocked is not "disabled": Linux >= 5.6 (and KVM before it) sets and locks it at boot. */
			t->enabled++;
		}
	} else {
		bool lock = m->value & MSR_VM_CR_LOCK, dis = m->value & MSR_VM_CR_SVMDIS;
		add_evidence(c, "msr 0xc0010114", "VM_CR = 0x%llx: SVMDIS=%d, lock=%d",
			     (unsigned long long)m->value, dis, lock);
		if (dis)
			t->msr_says_off = true;
		else
			t->enabled++;
	}
}

static void tally_klog(const struct facts *facts, struct virt_cpu *c, struct tally *t, bool cpuid_has_bit)
{
	if (facts->klog.err)
		return;
	bool flag_hidden = facts_cmdline_has(facts, "clearcpuid");
	for (size_t i = 0; i < facts->klog.count; i++) {
		const struct facts_klog_line *l = &facts->klog.lines[i];
		bool from_msr = false;
		int meaning = klog_classify(l->text, &from_msr);
		bool counts = false;
		switch (meaning) {
		case KLOG_OFF_ANY:
			counts = true;
			break;
		case KLOG_OFF_INTEL:
			counts = c->intel;
			break;
		case KLOG_OFF_AMD:
			counts = !c->intel;
			break;
		case KLOG_TXT_ONLY:
			counts = c->intel;
			t->txt_only = t->txt_only || counts;
			break;
		case KLOG_NO_HW:
			/* AMD's kvm_amd tests the flag the kernel cleared for SVMDIS, so with SVM in raw
			 * CPUID "SVM not supported" really means "disabled" (section A.4, newer AMD). */
			counts = cpuid_has_bit && !c->intel;
			break;
		default:
			break;
		}
		if (!counts || (flag_hidden && !from_msr))
			continue;
		t->disabled++;
		char source[32];
		snprintf(source, sizeof source, "dmesg:%u", l->lineno);
		add_evidence(c, source, "%s", l->text);
	}
}

static void tally_cpuinfo(const struct facts *facts, struct virt_cpu *c, struct tally *t)
{
	if (facts->cpuinfo.err)
		return;
	bool listed = c->intel ? facts->cpuinfo.vmx : facts->cpuinfo.svm;
	const char *flag = c->intel ? "vmx" : "svm";
	if (listed) {
		/* From 5.6 the kernel removes "vmx" when firmware disabled VT-x, so its presence proves "on". */
		if (c->intel && facts_kernel_at_least(facts, 5, 6)) {
			t->enabled++;
			add_evidence(c, "/proc/cpuinfo", "flags line %u lists \"%s\" (kernel %s removes it when VT-x is off)",
				     facts->cpuinfo.flags_line, flag, facts->kernel.release);
		}
		return;
	}
	if (facts_cmdline_has(facts, "clearcpuid")) {
		add_evidence(c, "/proc/cmdline", "%s", facts->cmdline.text);
		return;
	}
	/* CPUID has the bit but the kernel dropped the flag: it found the feature switched off. */
	t->disabled++;
	add_evidence(c, "/proc/cpuinfo", "flags do not list \"%s\" although CPUID has it (kernel %s)", flag,
		     facts->kernel.err ? "unknown" : facts->kernel.release);
}

static void tally_kvm(const struct facts *facts, struct virt_cpu *c, struct tally *t)
{
	const char *module = c->intel ? "kvm_intel" : "kvm_amd";
	const struct facts_module *m = facts_module_find(facts, module);
	if (m) {
		/* kvm_intel/kvm_amd refuse to load when the feature is off, so a loaded one proves "on". */
		t->enabled++;
		add_evidence(c, m->in_proc_modules ? "/proc/modules" : "/sys/module", "%s is loaded", module);
	}
	if (c->kvm_works)
		t->enabled++;
}

static void decide_off_kind(const struct facts *facts, const struct virt_guest *g, struct virt_cpu *c,
			    const struct tally *t)
{
	c->off_kind = VIRT_OFF_FIRMWARE;
	if (g->is_guest) {
		c->off_kind = VIRT_OFF_OUTER_HOST;
	} else if (t->txt_only) {
		c->off_kind = VIRT_OFF_TXT_ONLY;
	} else if (c->intel && !facts->kconfig.err && strcmp(facts->kconfig.kvm_intel, "n") == 0) {
		/* feat_ctl.c locks VMX off itself when the kernel has no KVM for Intel (section B.1). */
		c->off_kind = VIRT_OFF_KERNEL_LOCKED;
		add_evidence(c, facts->kconfig.path, "CONFIG_KVM_INTEL is not set");
	}
}

/* The processor's bits: raw CPUID, or /proc/cpuinfo's flags when CPUID was not collected. */
struct cpu_bits {
	bool from_cpuid;
	bool vmx, svm;
	enum facts_cpu_vendor vendor;
};

static bool read_bits(const struct facts *facts, struct virt_cpu *c, struct cpu_bits *b)
{
	b->from_cpuid = !facts->cpu.err;
	if (b->from_cpuid) {
		b->vmx = facts->cpu.vmx;
		b->svm = facts->cpu.svm;
		b->vendor = facts->cpu.vendor;
		add_evidence(c, "cpuid", "leaf 0x1 ECX = 0x%08x: VMX (bit 5) = %d, hypervisor (bit 31) = %d",
			     facts->cpu.leaf1_ecx, facts->cpu.vmx, facts->cpu.hypervisor);
		add_evidence(c, "cpuid", "leaf 0x80000001 ECX = 0x%08x: SVM (bit 2) = %d", facts->cpu.ext1_ecx,
			     facts->cpu.svm);
		return true;
	}
	if (facts->cpuinfo.err)
		return false;
	/* Second best: the kernel's flags, which hide a feature the firmware switched off (since 5.6). */
	b->vmx = facts->cpuinfo.vmx;
	b->svm = facts->cpuinfo.svm;
	b->vendor = facts_vendor_from_string(facts->cpuinfo.vendor_id);
	add_evidence(c, "/proc/cpuinfo", "CPUID not available (%s); flags line %u: vmx=%d svm=%d hypervisor=%d",
		     facts->cpu.why, facts->cpuinfo.flags_line, b->vmx, b->svm, facts->cpuinfo.hypervisor);
	return true;
}

/* Neither VT-x nor AMD-V is visible. With raw CPUID that settles it; with cpuinfo only it may be switched off. */
static bool decide_absent(const struct facts *facts, const struct virt_guest *g, const struct cpu_bits *b,
			  struct virt_cpu *c)
{
	if (g->is_guest) {
		c->verdict = VIRT_CPU_GUEST_NO_NESTED;
		set_reason(c, "the hypervisor does not pass VT-x/AMD-V to this virtual machine");
		return true;
	}
	if (b->from_cpuid || (c->intel && facts->kernel.err == 0 && !facts_kernel_at_least(facts, 5, 6))) {
		/* Before 5.6 the kernel kept "vmx" in cpuinfo even when disabled, so its absence is final too. */
		c->verdict = VIRT_CPU_NO_HWVIRT;
		set_reason(c, "the processor has neither VT-x nor AMD-V");
		return true;
	}
	return false;
}

void virt_assess_cpu(const struct facts *facts, struct virt_cpu *c)
{
	memset(c, 0, sizeof *c);
	struct virt_guest g;
	virt_detect_guest(facts, &g);
	c->kvm_works = !facts->kvm.err && facts->kvm.probe.open_err == 0 && facts->kvm.probe.create_vm_err == 0;

	struct cpu_bits b = { 0 };
	if (!read_bits(facts, c, &b)) {
		c->verdict = c->kvm_works ? VIRT_CPU_USABLE : VIRT_CPU_UNKNOWN;
		set_reason(c, "neither CPUID nor /proc/cpuinfo could be read: %s", facts->cpu.why);
		return;
	}
	c->intel = b.vmx || (!b.svm && b.vendor != FACTS_VENDOR_AMD && b.vendor != FACTS_VENDOR_HYGON);
	c->feature = c->intel ? "VT-x" : "AMD-V";
	bool visible = b.vmx || b.svm;
	if (!visible && decide_absent(facts, &g, &b, c))
		return;

	struct tally t = { 0 };
	tally_msr(facts, c, &t);
	tally_klog(facts, c, &t, b.from_cpuid && visible);
	if (b.from_cpuid)
		tally_cpuinfo(facts, c, &t);
	tally_kvm(facts, c, &t);

	if (c->kvm_works) {
		c->verdict = VIRT_CPU_USABLE;
		set_reason(c, "KVM created a virtual machine, so %s is on", c->feature);
	} else if (t.msr_known) {
		/* The register is the ground truth; logs and flags only stand in for it. */
		c->verdict = t.msr_says_off ? VIRT_CPU_DISABLED : VIRT_CPU_USABLE;
	} else if (t.disabled) {
		c->verdict = VIRT_CPU_DISABLED;
	} else if (t.enabled && visible) {
		c->verdict = VIRT_CPU_USABLE;
	} else if (!visible) {
		c->verdict = VIRT_CPU_UNKNOWN;
		set_reason(c, "CPUID was not collected and /proc/cpuinfo lists neither vmx nor svm: either the processor "
			      "lacks them or they are switched off");
	} else if (facts_cmdline_has(facts, "clearcpuid") && !facts->cpuinfo.err &&
		   !(c->intel ? facts->cpuinfo.vmx : facts->cpuinfo.svm)) {
		c->verdict = VIRT_CPU_MASKED;
		set_reason(c, "the kernel command line hides %s with clearcpuid=, so /proc/cpuinfo cannot tell "
			      "whether the firmware enabled it", c->intel ? "vmx" : "svm");
	} else {
		c->verdict = VIRT_CPU_UNKNOWN;
		set_reason(c, "no evidence either way: MSR %s not readable (%s), no kernel log verdict, no KVM module",
			   c->intel ? "0x3a" : "0xc0010114",
			   facts->msr.err == -ENODATA ? "not collected" : "run as root with the msr module");
	}
	if (c->verdict == VIRT_CPU_DISABLED)
		decide_off_kind(facts, &g, c, &t);
}

void virt_cpu_add_evidence(const struct virt_cpu *cpu, struct check_result *r)
{
	for (unsigned i = 0; i < cpu->n_evidence; i++)
		check_evidence(r, cpu->evidence[i].source, "%s", cpu->evidence[i].text);
}
