/* SPDX-License-Identifier: MIT */
/* Facts about VMware Workstation/Player: product version, vmmon/vmnet modules, /dev/vmmon, logs. */
#ifndef VMDOCTOR_FACTS_VMWARE_H
#define VMDOCTOR_FACTS_VMWARE_H

/*
 * facts_collect_vmware() runs after the core facts (user, kernel release, modules, kernel log,
 * device nodes) and fills facts->vmware through the host layer only:
 *   - whether VMware is installed (/etc/vmware/config, /usr/bin/vmware, /usr/bin/vmplayer) and
 *     its product name, version and build from /etc/vmware/config;
 *   - every vmmon/vmnet .ko for the running kernel under /lib/modules/<release>/{misc,extra,
 *     updates,updates/dkms} (two copies of vmmon is a known trap), and whether the kernel
 *     headers (/lib/modules/<release>/build) are there;
 *   - `modinfo vmmon` (commands/modinfo-vmmon.txt): the file modprobe would load and its signer;
 *   - /sys/kernel/security/lockdown, read here only to tell whether an unsigned vmmon can load;
 *   - the lines that matter from the UI/modconfig logs (/tmp/vmware-<user>/, /tmp/vmware-root/),
 *     every VM's vmware.log under <home>/vmware/, and the kernel log (section C.2 signatures),
 *     each with its file and line number.
 * When VMware is not installed only `installed` is set and nothing else is read.
 * The vmmon-version table of VMW-VERSION-MISMATCH is exposed so checks can name the product a
 * vmmon version belongs to.
 */

#include <stdbool.h>
#include <stddef.h>

#include "vmdoctor/host.h"

struct facts;

#define FACTS_VMW_PATH 256      /* bound of a host path kept for evidence */
#define FACTS_VMW_TEXT 320      /* bound of a log line kept for evidence */
#define FACTS_VMW_KO_MAX 16     /* module files kept */
#define FACTS_VMW_EVENTS_MAX 64 /* log lines kept */

enum facts_vmw_module { FACTS_VMW_VMMON, FACTS_VMW_VMNET, FACTS_VMW_MODULE_COUNT };

/* One vmmon.ko / vmnet.ko(.xz/.zst/.gz) under /lib/modules/<release>/. */
struct facts_vmware_ko {
	enum facts_vmw_module module;
	char path[FACTS_VMW_PATH];      /* "/lib/modules/6.5.0-28-generic/misc/vmmon.ko" */
};

/* What a kept log line says; the table of substrings is in core/facts_vmware.c. */
enum facts_vmw_event_kind {
	FACTS_VMW_EV_VERSION_MISMATCH,  /* "Version mismatch with vmmon module: expecting X, got Y" */
	FACTS_VMW_EV_NO_DEVICE,         /* "Could not open /dev/vmmon" */
	FACTS_VMW_EV_INSTALL_FAILED,    /* "Unable to install all modules", "Unable to build kernel module" */
	FACTS_VMW_EV_NO_HEADERS,        /* "Kernel headers for version ... were not found" */
	FACTS_VMW_EV_BUILD_ERROR,       /* make errors for vmmon-only/vmnet-only, vmmon.ko/vmnet.ko */
	FACTS_VMW_EV_VT_DISABLED,       /* "This host supports Intel VT-x, but Intel VT-x is disabled" */
	FACTS_VMW_EV_VT_UNSUPPORTED,    /* "This host does not support Intel VT-x" */
	FACTS_VMW_EV_NESTED_UNSUPPORTED,/* "Virtualized Intel VT-x/EPT is not supported" */
	FACTS_VMW_EV_HV_POWERON_FAILED, /* "Module 'HV' power on failed" */
	FACTS_VMW_EV_SIG_REJECTED,      /* a signature rejection: kernel (names no module) or modprobe for vmmon/vmnet */
	FACTS_VMW_EV_SIG_TAINT,         /* "vmmon: module verification failed": informational only */
	FACTS_VMW_EV_COUNT
};

struct facts_vmware_event {
	enum facts_vmw_event_kind kind;
	char file[FACTS_VMW_PATH];      /* host path of the log, or "dmesg" */
	unsigned line;                  /* 1-based */
	char stamp[24];                 /* the line's leading ISO time "2024-05-01T10:00:00", "" when none */
	char text[FACTS_VMW_TEXT];      /* the line, bounded, control bytes as '?' */
	unsigned seq;                   /* order in which vmdoctor read it: breaks ties between equal stamps */
};

/* "Version mismatch with vmmon module: expecting 417.0, got 416.0." */
struct facts_vmware_mismatch {
	char expecting[16];             /* "417.0" */
	char got[16];                   /* "416.0" */
	unsigned expecting_major;       /* 417 */
	unsigned got_major;             /* 416 */
};

/* /etc/vmware/config: `key = "value"` lines. */
struct facts_vmware_config {
	char product_name[64];          /* product.name, e.g. "VMware Workstation" */
	char version[32];               /* workstation.product.version, player.product.version or product.version */
	const char *version_key;        /* static: which key gave `version`; NULL when none */
	unsigned version_line;          /* its line in the file, 0 when none */
	char build[32];                 /* product.buildNumber */
};

struct facts_vmware {
	int err;                        /* 0 known; -EACCES etc. when /etc/vmware/config could not be read */
	char why[160];
	bool installed;                 /* /etc/vmware/config, /usr/bin/vmware or /usr/bin/vmplayer exists */
	const char *installed_by;       /* static: the first of those paths that exists */
	int config_err;                 /* 0 parsed, -ENOENT absent, else the read error */
	struct facts_vmware_config config;

	/* modules of the running kernel */
	int modules_dir_err;            /* /lib/modules/<release>: 0 listed, -ENOENT absent, -ENODATA kernel unknown */
	char modules_dir[FACTS_VMW_PATH];
	bool headers;                   /* /lib/modules/<release>/build exists (a dangling link counts as absent) */
	struct facts_vmware_ko ko[FACTS_VMW_KO_MAX];
	size_t ko_count;
	char other_kernel[128];         /* another installed kernel that has misc/vmmon.ko, "" when none */

	/* `modinfo vmmon` */
	int modinfo_err;                /* 0 ran and exited 0, -ENODATA not collected, -ENOENT modinfo found no vmmon,
					 * -ENOEXEC modinfo could not run, -EINVAL output without "filename:" */
	char modinfo_filename[FACTS_VMW_PATH];
	char modinfo_version[32];       /* "version:" field, "" when vmmon has none */
	char modinfo_signer[128];       /* "signer:" field, "" when the module is unsigned */

	/* /sys/kernel/security/lockdown */
	int lockdown_err;
	char lockdown[24];              /* the bracketed level: "none", "integrity", "confidentiality" */

	/* logs */
	size_t logs_scanned;
	struct facts_vmware_event *events;
	size_t event_count;
	unsigned event_seq;             /* last seq handed out */
	bool mismatch_seen;             /* the newest VERSION_MISMATCH event parsed into `mismatch` */
	struct facts_vmware_mismatch mismatch;
};

/* Fill facts->vmware; runs after the core facts (user, kernel, modules, kernel log) are collected. */
void facts_collect_vmware(struct host *host, struct facts *facts);
void facts_free_vmware(struct facts *facts);

/* The newest event of `kind` (latest time stamp; among equals, the one read last), or NULL. */
const struct facts_vmware_event *facts_vmware_latest(const struct facts_vmware *vm, enum facts_vmw_event_kind kind);
/* How many .ko files of `module` were found. */
size_t facts_vmware_ko_count(const struct facts_vmware *vm, enum facts_vmw_module module);

/* Row of the vmmon-version table (knowledge base VMW-VERSION-MISMATCH). */
struct facts_vmware_release {
	unsigned vmmon;                 /* VMMON_VERSION major, e.g. 416 */
	const char *products;           /* "17.0.0 – 17.5.x", for people */
	unsigned first[3], last[3];     /* product version range, inclusive; 999 = any */
	bool approx;                    /* from user reports only: say "around" */
};
/* The row for a vmmon version, or NULL when the table does not know it. */
const struct facts_vmware_release *facts_vmware_release_by_vmmon(unsigned vmmon);
/* The row whose product range holds `version` ("17.5.2"), or NULL. */
const struct facts_vmware_release *facts_vmware_release_by_product(const char *version);

/* Parsers exposed for unit tests. */
void facts_vmware_parse_config(const char *text, size_t len, struct facts_vmware_config *out);
/* True when `line` holds "Version mismatch with vmmon module: expecting X, got Y". */
bool facts_vmware_parse_mismatch(const char *line, size_t len, struct facts_vmware_mismatch *out);
/* Keep the lines of one log that matter; `file` names it in evidence. */
void facts_vmware_scan_log(struct facts_vmware *vm, const char *file, const char *text, size_t len);
/* "filename:", "version:", "signer:" of `modinfo vmmon` output; -EINVAL when there is no filename. */
int facts_vmware_parse_modinfo(const char *text, size_t len, struct facts_vmware *vm);

#endif
