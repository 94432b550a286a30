/* SPDX-License-Identifier: MIT */
/* Facts about VirtualBox: version, vboxdrv module, /dev/vboxdrv, vboxusers, setup log, VBox.log and VBoxSVC.log. */
#ifndef VMDOCTOR_FACTS_VBOX_H
#define VMDOCTOR_FACTS_VBOX_H

/*
 * facts_collect_vbox() runs after the core facts (user, kernel release, modules, kernel log,
 * device nodes, module parameters) and fills facts->vbox through the host layer only:
 *   - whether VirtualBox is installed (VBoxSVC or VBoxManage at their usual paths);
 *   - the product version from /etc/vbox/vbox.cfg (INSTALL_VER=) and from the header lines of
 *     VBox.log / VBoxSVC.log, and the driver version from `modinfo vboxdrv`
 *     (commands/modinfo-vboxdrv.txt) and from the kernel's "vboxdrv: Successfully loaded version"
 *     line; every sighting keeps where it came from;
 *   - the vboxdrv/vboxnetflt/vboxnetadp .ko files for the running kernel under
 *     /lib/modules/<release>/ (misc, extra, extra/VirtualBox, extramodules, updates, updates/dkms)
 *     and whether the kernel headers (build/) are there;
 *   - the lines that matter (knowledge base B.5 and C.2) from /var/log/vbox-setup.log (+ .1..4),
 *     <home>/.config/VirtualBox/VBoxSVC.log and every <home>/VirtualBox VMs/<vm>/Logs/VBox.log
 *     (+ .1..3), and the kernel log's signature rejections, each with its file and line number.
 * <home> is the sixth field of the VM user's /etc/passwd line.
 * When VirtualBox is not installed only `installed` is set and nothing else is read.
 *
 * The KVM-coexistence matrix of VBOX-KVM-CONFLICT is a const table here too, so that checks and
 * tests read one source: facts_vbox_kvm_rule() picks the row for a kernel, a VirtualBox version
 * and the effective kvm.enable_virt_at_load.
 */

#include <stdbool.h>
#include <stddef.h>

#include "vmdoctor/host.h"

struct facts;

#define FACTS_VBOX_PATH 320     /* bound of a host path kept for evidence */
#define FACTS_VBOX_TEXT 320     /* bound of a log line kept for evidence */
#define FACTS_VBOX_KO_MAX 16
#define FACTS_VBOX_EVENTS_MAX 96
#define FACTS_VBOX_SIGHTINGS_MAX 16

enum facts_vbox_module { FACTS_VBOX_VBOXDRV, FACTS_VBOX_VBOXNETFLT, FACTS_VBOX_VBOXNETADP, FACTS_VBOX_MODULE_COUNT };

/* What a kept log line says; the substrings are the table in core/facts_vbox.c. */
enum facts_vbox_event_kind {
	FACTS_VBOX_EV_DRV_NOT_INSTALLED,        /* rc=-1908, VERR_VM_DRIVER_NOT_INSTALLED */
	FACTS_VBOX_EV_DRV_NOT_ACCESSIBLE,       /* rc=-1909, VERR_VM_DRIVER_NOT_ACCESSIBLE */
	FACTS_VBOX_EV_VERSION_MISMATCH,         /* rc=-1912, VERR_VM_DRIVER_VERSION_MISMATCH */
	FACTS_VBOX_EV_STALE_VMMR0,              /* 'VMMR0.r0' (VERR_SYMBOL_NOT_FOUND): old vboxdrv still loaded */
	FACTS_VBOX_EV_NO_VMX,                   /* VERR_VMX_NO_VMX */
	FACTS_VBOX_EV_NO_SVM,                   /* VERR_SVM_NO_SVM */
	FACTS_VBOX_EV_VMX_DISABLED,             /* VERR_VMX_MSR_ALL_VMX_DISABLED, VERR_VMX_MSR_VMX_DISABLED */
	FACTS_VBOX_EV_VMX_LOCKING_FAILED,       /* VERR_VMX_MSR_LOCKING_FAILED */
	FACTS_VBOX_EV_SVM_DISABLED,             /* VERR_SVM_DISABLED ("or by the host OS") */
	FACTS_VBOX_EV_VMX_ROOT_MODE,            /* VERR_VMX_IN_VMX_ROOT_MODE */
	FACTS_VBOX_EV_SVM_IN_USE,               /* VERR_SVM_IN_USE */
	FACTS_VBOX_EV_SVME_NOT_ENABLED,         /* VERR_SVM_HOST_SVME_NOT_ENABLED (7.2.10+ with the =0 override) */
	FACTS_VBOX_EV_HM_INIT_FAILED,           /* "HM ring-0 init failed" (cause unresolved upstream) */
	FACTS_VBOX_EV_NO_BUILD_TOOLS,           /* "not set up to build kernel modules" */
	FACTS_VBOX_EV_NO_HEADERS,               /* "Please install the Linux kernel "header" files" */
	FACTS_VBOX_EV_SETUP_FAILED,             /* "Look at /var/log/vbox-setup.log", "There were problems setting up" */
	FACTS_VBOX_EV_BUILD_ERROR,              /* "Error building the module", compiler errors in vbox-setup.log */
	FACTS_VBOX_EV_MUST_SIGN,                /* "You must sign these kernel modules" */
	FACTS_VBOX_EV_ENROLL_FAILED,            /* "Failed to enroll secure boot key" */
	FACTS_VBOX_EV_MODPROBE_FAILED,          /* "modprobe vboxdrv failed" */
	FACTS_VBOX_EV_SIG_REJECTED,             /* kernel/modprobe refused a module signature */
	FACTS_VBOX_EV_COUNT
};

struct facts_vbox_event {
	enum facts_vbox_event_kind kind;
	char file[FACTS_VBOX_PATH];     /* host path of the log, or "dmesg" */
	unsigned line;                  /* 1-based */
	bool rotated;                   /* from a rotated log (.1, .2, ...): older than the current one */
	bool names_vboxdrv;             /* the line names a VirtualBox module (vboxdrv, vboxnetflt, vboxnetadp) */
	char text[FACTS_VBOX_TEXT];     /* the line, bounded, control bytes as '?' */
};

/* A version as read somewhere: "7.0.14 r161095" with its numbers. */
struct facts_vbox_version {
	char text[48];                  /* as written, without a trailing "(0x...)" */
	unsigned num[3];                /* 7, 0, 14 */
	char source[FACTS_VBOX_PATH];   /* "/etc/vbox/vbox.cfg:4", "commands/modinfo-vboxdrv", "dmesg:812", ".../VBox.log:2" */
};

enum facts_vbox_version_kind {
	FACTS_VBOX_VER_PRODUCT,         /* the installed VirtualBox (vbox.cfg, log headers) */
	FACTS_VBOX_VER_MODULE,          /* vboxdrv on disk (modinfo) */
	FACTS_VBOX_VER_LOADED,          /* vboxdrv in memory (kernel log "Successfully loaded version") */
};

struct facts_vbox_sighting {
	enum facts_vbox_version_kind kind;
	struct facts_vbox_version v;
};

struct facts_vbox_ko {
	enum facts_vbox_module module;
	char path[FACTS_VBOX_PATH];
};

struct facts_vbox {
	int err;                        /* 0 when known; see facts.h for the conventions */
	char why[160];
	bool installed;
	const char *installed_by;       /* static: the first install marker that exists */

	/* versions: the best of each kind, and every sighting for evidence */
	bool product_known, module_known, loaded_known;
	bool product_from_cfg;          /* `product` came from /etc/vbox/vbox.cfg (else from a log header) */
	bool product_rotated;           /* `product` came from a rotated log's header */
	struct facts_vbox_version product;      /* vbox.cfg first, else the newest log header */
	struct facts_vbox_version module;       /* modinfo vboxdrv */
	struct facts_vbox_version loaded;       /* the last "vboxdrv: Successfully loaded version" */
	struct facts_vbox_sighting sightings[FACTS_VBOX_SIGHTINGS_MAX];
	size_t n_sightings;

	/* modules of the running kernel */
	int modules_dir_err;            /* /lib/modules/<release>: 0 listed, -ENOENT absent, -ENODATA kernel unknown */
	char modules_dir[FACTS_VBOX_PATH];
	bool headers;                   /* /lib/modules/<release>/build exists */
	struct facts_vbox_ko ko[FACTS_VBOX_KO_MAX];
	size_t ko_count;

	/* `modinfo vboxdrv` */
	int modinfo_err;                /* 0 ran, -ENODATA not collected, -ENOENT no vboxdrv module, -EINVAL no filename */
	char modinfo_filename[FACTS_VBOX_PATH];
	char modinfo_signer[128];       /* "" when unsigned */

	/* logs */
	size_t logs_scanned;
	char home[160];                 /* the VM user's home directory, "" when unknown */
	struct facts_vbox_event *events;
	size_t event_count;
};

/* Fill facts->vbox; runs after the core facts (user, kernel, modules, kernel log) are collected. */
void facts_collect_vbox(struct host *host, struct facts *facts);
void facts_free_vbox(struct facts *facts);

/* How many events of `kind`; *first (may be NULL) gets the newest one, preferring current logs over rotated. */
size_t facts_vbox_events(const struct facts_vbox *vb, enum facts_vbox_event_kind kind,
			 const struct facts_vbox_event **newest);
/* How many .ko files of `module` were found for the running kernel. */
size_t facts_vbox_ko_count(const struct facts_vbox *vb, enum facts_vbox_module module);

/* Versions compared by their three numbers (revision and distro suffixes ignored): <0, 0, >0. */
int facts_vbox_version_cmp(const unsigned a[3], const unsigned b[3]);

/* ---- the KVM coexistence matrix (knowledge base VBOX-KVM-CONFLICT, section 0.4) ---- */

enum facts_vbox_virt_at_load { FACTS_VBOX_VAL_ANY, FACTS_VBOX_VAL_ON, FACTS_VBOX_VAL_OFF };

enum facts_vbox_kvm_verdict {
	FACTS_VBOX_KVM_IDLE_OK,         /* < 6.12: KVM takes VT-x/AMD-V only while a KVM VM runs */
	FACTS_VBOX_KVM_OK,              /* the combination works with KVM loaded */
	FACTS_VBOX_KVM_CONFLICT,        /* KVM holds VT-x/AMD-V from module load: VirtualBox VMs fail */
	FACTS_VBOX_KVM_OVERRIDE_BREAKS, /* VirtualBox needs KVM's enable API; the =0 override breaks it */
};

struct facts_vbox_kvm_rule {
	int kernel_min[2], kernel_max[2];       /* inclusive major.minor range; 999 = open */
	unsigned vbox_min[3], vbox_max[3];      /* inclusive VirtualBox range */
	enum facts_vbox_virt_at_load virt_at_load;
	enum facts_vbox_kvm_verdict verdict;
	bool reported;                          /* [approx] / a single packager report: say "reported" */
	const char *why;                        /* one sentence for people */
};
/* The first row for kernel `kmajor.kminor`, VirtualBox `vbox` and the effective enable_virt_at_load
 * (`on`); NULL when no row applies. */
const struct facts_vbox_kvm_rule *facts_vbox_kvm_rule(int kmajor, int kminor, const unsigned vbox[3], bool on);

/* Parsers exposed for unit tests. */
/* "7.0.14 r161095 (0x00330004)" or "7.0.16_Ubuntu r162802" at text: false when it is no version. */
bool facts_vbox_parse_version(const char *text, size_t len, struct facts_vbox_version *out);
/* INSTALL_VER= of /etc/vbox/vbox.cfg; false when absent. `line` gets its line number. */
bool facts_vbox_parse_cfg(const char *text, size_t len, struct facts_vbox_version *out, unsigned *line);
/* "filename:", "version:", "signer:" of `modinfo vboxdrv`; -EINVAL when there is no filename. */
int facts_vbox_parse_modinfo(const char *text, size_t len, struct facts_vbox *vb);
/* Keep the lines of one log that matter; `file` names it in evidence. Also reads its version header. */
void facts_vbox_scan_log(struct facts_vbox *vb, const char *file, bool rotated, const char *text, size_t len);

#endif
