/* SPDX-License-Identifier: MIT */
/* Facts: raw host data parsed once per run into typed structs that checks read. */
#ifndef VMDOCTOR_FACTS_H
#define VMDOCTOR_FACTS_H

/*
 * facts_collect() asks the host layer for everything the checks need and parses it.
 * Checks never see the host: they are pure functions of `struct facts`.
 *
 * Every group carries `err`: 0 when known, else the negative errno of why it is not
 * (-ENOENT absent, -ENODATA not collected in a snapshot, -EACCES unreadable, -EINVAL malformed), with a
 * one-line human reason in `why` naming the input ("/proc/cpuinfo: permission denied").
 * A check that needs a group whose err != 0 reports UNKNOWN, never PASS.
 *
 * Strings that came from the host are bounded and NUL-terminated.
 * Call facts_free() once; it is safe on a zeroed or partly filled struct.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdoctor/facts_libvirt.h"
#include "vmdoctor/facts_secureboot.h"
#include "vmdoctor/facts_vbox.h"
#include "vmdoctor/facts_vmware.h"
#include "vmdoctor/host.h"
#include "vmdoctor/logscan.h"

#define FACTS_WHY 160

enum facts_cpu_vendor { FACTS_VENDOR_OTHER, FACTS_VENDOR_INTEL, FACTS_VENDOR_AMD, FACTS_VENDOR_HYGON };

struct facts_cpu {
	int err;
	char why[FACTS_WHY];
	enum facts_cpu_vendor vendor;
	char vendor_str[16];
	char brand[64];
	bool vmx;               /* CPUID.01H:ECX[5] */
	bool svm;               /* CPUID.80000001H:ECX[2] (only when the ext leaf exists) */
	bool hypervisor;        /* CPUID.01H:ECX[31] */
	bool has_hv_signature;
	char hv_signature[13];  /* CPUID.40000000H EBX,ECX,EDX, printable, e.g. "KVMKVMKVM" */
	uint32_t leaf1_ecx;     /* for evidence text */
	uint32_t ext1_ecx;
};

/* /proc/cpuinfo: the union of the flags of every CPU. */
struct facts_cpuinfo {
	int err;
	char why[FACTS_WHY];
	bool vmx, svm, hypervisor;
	char vendor_id[16];     /* "GenuineIntel", from the first vendor_id line; empty when none */
	unsigned flags_line;    /* 1-based line of the first "flags" line, 0 when none */
	bool truncated;         /* the file was longer than vmdoctor reads */
};

struct facts_kernel {
	int err;
	char why[FACTS_WHY];
	char release[128];      /* /proc/sys/kernel/osrelease, e.g. "6.1.0-18-amd64" */
	int major, minor;       /* parsed from release; 0.0 when unparsable */
};

struct facts_cmdline {
	int err;
	char why[FACTS_WHY];
	char *text;             /* /proc/cmdline without the trailing newline */
};

struct facts_module {
	char name[64];          /* as in /proc/modules, with '_' (kvm_intel) */
	bool in_proc_modules;   /* listed in /proc/modules (loadable, loaded) */
	bool in_sys_module;     /* /sys/module/<name> exists (loaded or built in) */
	unsigned line;          /* line in /proc/modules, 0 when not listed there */
	long refcount;          /* /proc/modules use count, -1 unknown */
};

struct facts_modules {
	int err;                /* 0 when /proc/modules or /sys/module could be read */
	char why[FACTS_WHY];
	bool proc_modules_read; /* /proc/modules existed (a kernel without modules has none) */
	struct facts_module *items;         /* sorted by name after facts_collect() */
	size_t count;
};

/* Module parameters vmdoctor cares about; the list is facts_param_table in core/facts.c. */
enum facts_param_id {
	FACTS_PARAM_KVM_INTEL_NESTED,
	FACTS_PARAM_KVM_AMD_NESTED,
	FACTS_PARAM_KVM_ENABLE_VIRT_AT_LOAD,
	FACTS_PARAM_COUNT
};
struct facts_param {
	int err;                /* -ENOENT: module or parameter absent */
	char path[96];          /* /sys/module/kvm_intel/parameters/nested */
	char value[64];         /* trimmed, e.g. "Y", "N", "1", "0" */
};

/* Device nodes vmdoctor cares about; the list is facts_device_table in core/facts.c. */
enum facts_device_id {
	FACTS_DEV_KVM,
	FACTS_DEV_TUN,
	FACTS_DEV_VHOST_NET,
	FACTS_DEV_VMMON,
	FACTS_DEV_VBOXDRV,
	FACTS_DEV_COUNT
};
struct facts_device {
	int err;                /* 0 present, -ENOENT absent, -ENODATA devices.txt not collected */
	const char *path;       /* static: "/dev/kvm" */
	struct host_devnode node;
};

struct facts_user {
	int err;
	char why[FACTS_WHY];
	struct host_user user;
	char home[128];         /* home folder from /etc/passwd, else /home/<name> (/root for uid 0) */
	/* membership according to /etc/group (and the primary group from /etc/passwd) */
	int group_file_err;
	struct host_names etc_groups;
};

struct facts_dmi {
	int err;                /* -ENOENT: no DMI (many VMs and containers) */
	char sys_vendor[128];
	char product_name[128];
};

struct facts_klog_line {
	char *text;             /* without the "[    1.234567] " prefix */
	unsigned lineno;        /* 1-based line in the kernel log */
};
struct facts_klog {
	int err;                /* -EPERM when dmesg_restrict forbids reading it */
	char why[FACTS_WHY];
	struct facts_klog_line *lines;
	size_t count;
};

struct facts_msr {
	int err;                /* -ENOENT no msr driver or vendor, -ENODATA not collected, -EACCES not root, -EIO no MSR */
	uint32_t index;         /* 0x3a (Intel) or 0xc0010114 (AMD); 0 when not applicable */
	uint64_t value;
};

struct facts_kvm_probe {
	int err;                /* -ENODATA: not collected in the snapshot; else why the probe could not run */
	char why[FACTS_WHY];
	struct host_kvm_probe probe;
};

/* One "blacklist kvm_intel" / "install kvm /bin/false" / "options kvm_intel nested=0" line. */
struct facts_modprobe_line {
	char file[160];
	unsigned line;
	char text[160];
};
struct facts_modprobe {
	int err;
	struct facts_modprobe_line *lines;  /* only lines that mention kvm, kvm_intel or kvm_amd */
	size_t count;
};

/* CONFIG_KVM_INTEL / CONFIG_KVM_AMD of the running kernel (/boot/config-<release>). */
struct facts_kconfig {
	int err;
	char path[160];
	char kvm_intel[16];     /* "y", "m", "n" (absent or "is not set") */
	char kvm_amd[16];
};

struct facts_iommu {
	bool dmar;              /* /sys/firmware/acpi/tables/DMAR exists */
	bool ivrs;              /* .../IVRS exists */
	int groups_err;
	size_t groups;          /* entries in /sys/kernel/iommu_groups */
};

/* cgroup controllers the kernel offers, which libvirt uses to confine and account VMs. */
struct facts_cgroups {
	int err;
	char why[FACTS_WHY];
	bool v2;                /* the unified hierarchy: read from /sys/fs/cgroup/cgroup.controllers */
	const char *source;     /* static: the file the list came from */
	struct host_names controllers;  /* enabled controllers, sorted */
};

/* Virtualization programs found at their usual paths (products in detail come later). */
struct facts_programs {
	const char *qemu;       /* static: the QEMU system emulator found, or NULL */
	const char *libvirt;    /* static: libvirtd or virtqemud found, or NULL */
	const char *kvm_frontend;/* static: virt-manager, GNOME Boxes or virsh found, or NULL */
	const char *vmware;     /* static: VMware Workstation/Player found (config or binary), or NULL */
	const char *virtualbox; /* static: VirtualBox found, or NULL */
};

/* Out-of-tree module files (vboxdrv, vboxnetflt, vboxnetadp, vmmon, vmnet) of the running kernel, found in the
 * folders where VirtualBox, VMware and DKMS install them; one search shared by those families (core/facts_ko.c). */
#define FACTS_KO_MAX 32
#define FACTS_KO_PATH 320
struct facts_ko {
	char module[16];                /* "vmmon" */
	char path[FACTS_KO_PATH];       /* "/lib/modules/6.5.0-28-generic/misc/vmmon.ko" */
};
struct facts_ko_files {
	int dir_err;                    /* /lib/modules/<release>: 0 listed, -ENOENT absent, -ENODATA kernel unknown */
	char dir[FACTS_KO_PATH];
	bool headers;                   /* <dir>/build exists */
	struct facts_ko files[FACTS_KO_MAX];
	size_t count;
};

struct facts {
	bool from_snapshot;
	struct facts_cpu cpu;
	struct facts_cpuinfo cpuinfo;
	struct facts_kernel kernel;
	struct facts_cmdline cmdline;
	struct facts_modules modules;
	struct facts_param params[FACTS_PARAM_COUNT];
	struct facts_device devices[FACTS_DEV_COUNT];
	struct facts_user user;
	struct facts_dmi dmi;
	struct facts_klog klog;
	struct facts_msr msr;
	struct facts_kvm_probe kvm;
	struct facts_modprobe modprobe;
	struct facts_kconfig kconfig;
	struct facts_iommu iommu;
	struct facts_cgroups cgroups;
	struct facts_programs programs;
	struct facts_ko_files ko;
	/* families with their own modules (core/facts_<family>.c, core/logscan.c) */
	struct facts_vmware vmware;
	struct facts_vbox vbox;
	struct facts_secureboot secureboot;
	struct facts_libvirt libvirt;
	struct facts_logs logs;
};

/* Fill `facts` from `host`. Returns 0; problems are recorded per group, never fatal. */
int facts_collect(struct host *host, struct facts *facts);

/* The areas facts_collect_ex() reports, in the order it collects them (the wizard shows each one's status). */
enum facts_area {
	FACTS_AREA_CPU,         /* CPUID, /proc/cpuinfo, kernel, command line */
	FACTS_AREA_SYSTEM,      /* modules, devices, user, DMI, kernel log, MSR, KVM probe, programs */
	FACTS_AREA_VMWARE,
	FACTS_AREA_VBOX,
	FACTS_AREA_SECUREBOOT,
	FACTS_AREA_LIBVIRT,     /* the slow one: asks the daemon (host_cancel() skips it) */
	FACTS_AREA_LOGS,
	FACTS_AREA_COUNT
};
const char *facts_area_name(enum facts_area area);      /* "CPU and kernel", ... */
/* Called before (done = false) and after (done = true) each area, on the collecting thread. */
typedef void (*facts_progress_fn)(void *ctx, enum facts_area area, bool done);
/* facts_collect() with a progress callback (NULL: none). */
int facts_collect_ex(struct host *host, struct facts *facts, facts_progress_fn progress, void *ctx);
void facts_free(struct facts *facts);

/* The module entry, or NULL when the module is neither in /proc/modules nor /sys/module. */
const struct facts_module *facts_module_find(const struct facts *facts, const char *name);
/* Fill facts->ko from the kernel release (facts_collect() calls it before the VMware, VirtualBox and Secure Boot
 * facts, which read it). */
void facts_collect_ko(struct host *host, struct facts *facts);
/* The first file of `module` in facts->ko, or NULL. */
const struct facts_ko *facts_ko_find(const struct facts *facts, const char *module);
/* True when the kernel release is at least major.minor (false when unknown). */
bool facts_kernel_at_least(const struct facts *facts, int major, int minor);
/* True when /proc/cmdline has the word `key` or `key=...` */
bool facts_cmdline_has(const struct facts *facts, const char *key);

/* Parsers exposed for unit tests: each takes text read from the host and fills one group. */
void facts_parse_cpuinfo(const char *text, size_t len, struct facts_cpuinfo *out);
void facts_parse_kernel_release(const char *text, struct facts_kernel *out);
int facts_parse_modules(const char *text, size_t len, struct facts_modules *out);
int facts_parse_klog(const char *text, size_t len, struct facts_klog *out);
/* Names of the groups `user` belongs to according to /etc/group text (+ primary gid). */
int facts_parse_group_file(const char *text, size_t len, const struct host_user *user,
			   struct host_names *out);
/* Controllers of /proc/cgroups ("name hierarchy num enabled") with enabled = 1. */
int facts_parse_cgroups_v1(const char *text, size_t len, struct host_names *out);
/* "GenuineIntel" -> FACTS_VENDOR_INTEL, ...; FACTS_VENDOR_OTHER when unknown. */
enum facts_cpu_vendor facts_vendor_from_string(const char *vendor_str);
void facts_decode_cpuid(const struct host_cpuid *raw, struct facts_cpu *out);

#endif
