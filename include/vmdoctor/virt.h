/* SPDX-License-Identifier: MIT */
/* Assessments shared by several checks: is this a guest, and can its CPU run hardware virtualization? */
#ifndef VMDOCTOR_VIRT_H
#define VMDOCTOR_VIRT_H

/*
 * These are pure functions of the facts. Several checks (and the report's host line)
 * need the same answer, so it is computed here once, from evidence, in the order of
 * knowledge/failure-modes.md section C.1: guest first, then CPU capability, then
 * firmware enablement. Each conclusion keeps the evidence it rests on so that a check
 * can show it.
 */

#include <stdbool.h>

#include "vmdoctor/check.h"
#include "vmdoctor/facts.h"

struct virt_guest {
	bool is_guest;
	const char *name;       /* "KVM", "VMware", "VirtualBox", "Hyper-V", ... or "an unknown hypervisor" */
	const char *id;         /* "kvm", "vmware", ... for report JSON; NULL on bare metal */
};

/* Where the verdict of the CPU's hardware virtualization came from, worst first. */
enum virt_cpu_verdict {
	VIRT_CPU_UNKNOWN,       /* nothing decides: say so, never pass */
	VIRT_CPU_USABLE,        /* present and enabled (proven) */
	VIRT_CPU_NO_HWVIRT,     /* bare metal CPU without VMX and SVM */
	VIRT_CPU_GUEST_NO_NESTED,/* a guest whose hypervisor exposes no VMX/SVM */
	VIRT_CPU_DISABLED,      /* present in CPUID but switched off (firmware, kernel or TXT) */
	VIRT_CPU_MASKED,        /* hidden by clearcpuid= on the kernel command line */
};

enum virt_disable_kind {
	VIRT_OFF_FIRMWARE,      /* the firmware setting */
	VIRT_OFF_TXT_ONLY,      /* enabled only inside SMX (Intel TXT) */
	VIRT_OFF_KERNEL_LOCKED, /* a kernel without CONFIG_KVM_INTEL locked it off */
	VIRT_OFF_OUTER_HOST,    /* a guest's virtual FEATURE_CONTROL says off: the outer hypervisor */
};

struct virt_cpu {
	enum virt_cpu_verdict verdict;
	enum virt_disable_kind off_kind;   /* when DISABLED */
	bool intel;                        /* VMX path (else SVM) */
	const char *feature;               /* "VT-x" or "AMD-V" */
	bool kvm_works;                    /* KVM_CREATE_VM succeeded */
	/* what the verdict rests on, ready for check_evidence() */
	struct { char source[192]; char text[256]; } evidence[CHECK_MAX_EVIDENCE];
	unsigned n_evidence;
	char reason[256];                  /* one line: why (for UNKNOWN and MASKED too) */
};

void virt_detect_guest(const struct facts *facts, struct virt_guest *out);
void virt_assess_cpu(const struct facts *facts, struct virt_cpu *out);
/* Copy the assessment's evidence into a check result. */
void virt_cpu_add_evidence(const struct virt_cpu *cpu, struct check_result *r);
/* The name of the kernel module that provides /dev/kvm here ("kvm_intel", "kvm_amd", "kvm_pvm"), or NULL. */
const char *virt_kvm_vendor_module(const struct facts *facts);

#endif
