/* SPDX-License-Identifier: MIT */
/* Facts about Secure Boot, lockdown, module signing and DKMS/kernel headers. */
#ifndef VMDOCTOR_FACTS_SECUREBOOT_H
#define VMDOCTOR_FACTS_SECUREBOOT_H

/*
 * facts_collect_secureboot() runs after the core facts (kernel release, modules, kernel log)
 * and fills facts->secureboot from the host layer only:
 *   - the EFI variables SecureBoot and SetupMode (EFI_GLOBAL_VARIABLE GUID
 *     8be4df61-93ca-11d2-aa0d-00e098032b8c, knowledge base section 0.1) and shim's MokSBStateRT;
 *   - /sys/kernel/security/lockdown and the kernel log lines about Secure Boot, lockdown and
 *     module signature rejections;
 *   - the out-of-tree modules VMware and VirtualBox need (vboxdrv, vmmon, vmnet): a .ko for the
 *     running kernel, loaded or not, and `modinfo` signer;
 *   - MOK enrolment (`mokutil --test-key`, `mokutil --list-new`) of the DKMS/Ubuntu signing key;
 *   - kernel headers (/lib/modules/<release>/build), installed kernels, `dkms status`, the DKMS
 *     trees in /var/lib/dkms with their make.log errors, and DKMS's error lines in product logs.
 * The helpers at the end answer the questions other families ask (is Secure Boot enforcing? was
 * this module rejected?), so VMW-SECUREBOOT and VBOX-SECUREBOOT use the same evidence.
 */

#include <stdbool.h>
#include <stddef.h>

#include "vmdoctor/host.h"

struct facts;

#define FACTS_SB_TEXT 256       /* bound of an evidence line kept from a log or command */
#define FACTS_SB_NAME 64        /* module, version, kernel release fields */

/* One EFI variable of efivarfs: 4 attribute bytes (little-endian), then the data. */
struct facts_sb_efivar {
	int err;                /* 0 read, -ENOENT absent, -EINVAL 4 bytes or fewer, -EACCES... */
	int value;              /* first data byte, -1 when not read */
};

/* What the machine boots with, as `mokutil --sb-state` would say it. */
enum facts_sb_mode {
	FACTS_SB_UNKNOWN,       /* EFI boot, but the variables could not be read and the log says nothing */
	FACTS_SB_LEGACY_BIOS,   /* no /sys/firmware/efi: Secure Boot is impossible */
	FACTS_SB_OFF,
	FACTS_SB_SETUP_MODE,    /* SetupMode=1: effectively off even with SecureBoot=1 */
	FACTS_SB_ON,
};

enum facts_lockdown {
	FACTS_LOCKDOWN_UNKNOWN, /* file absent (no lockdown LSM) or unreadable */
	FACTS_LOCKDOWN_NONE,
	FACTS_LOCKDOWN_INTEGRITY,
	FACTS_LOCKDOWN_CONFIDENTIALITY,
};

/* Kinds of kernel/modprobe lines about module signatures (knowledge base B.6). */
enum facts_sb_line_kind {
	FACTS_SB_LINE_LOCKDOWN,         /* "Lockdown: <comm>: unsigned module loading is restricted" */
	FACTS_SB_LINE_UNSIGNED,         /* "Loading of unsigned module is rejected" */
	FACTS_SB_LINE_UNAVAILABLE_KEY,  /* "Loading of module with unavailable key is rejected" */
	FACTS_SB_LINE_UNSUPPORTED,      /* "Loading of module with unsupported crypto is rejected" */
	FACTS_SB_LINE_KEY_REJECTED,     /* "Key was rejected by service" (EKEYREJECTED) */
	FACTS_SB_LINE_NO_KEY,           /* "Required key not available" (ENOKEY) */
	FACTS_SB_LINE_TAINT,            /* "module verification failed ... tainting kernel": NOT a refusal */
};

struct facts_sb_line {
	enum facts_sb_line_kind kind;
	unsigned lineno;                /* 1-based line of the kernel log */
	char module[FACTS_SB_NAME];     /* module named by the line, "" when it names none */
	char text[FACTS_SB_TEXT];
};

/* An out-of-tree module VMware or VirtualBox needs. */
struct facts_sb_module {
	const char *name;               /* static: "vboxdrv", "vmmon", "vmnet" */
	bool loaded;                    /* in /proc/modules or /sys/module */
	bool ko_present;                /* a .ko for the running kernel exists */
	char ko_path[160];
	int signer_err;                 /* 0 known, -ENODATA not collected, -ENOENT no .ko, else modinfo failed */
	char signer[128];               /* "" = unsigned (no or empty "signer:" line) */
};

enum facts_sb_mok_state { FACTS_MOK_UNKNOWN, FACTS_MOK_ENROLLED, FACTS_MOK_NOT_ENROLLED, FACTS_MOK_PENDING };

struct facts_sb_mok {
	const char *key_path;           /* static: the DKMS or shim-signed key found, NULL when none */
	int test_err;                   /* `mokutil --test-key`: 0 ran, -ENODATA not collected, ... */
	enum facts_sb_mok_state state;
	char test_text[FACTS_SB_TEXT];  /* the line that decided `state` */
	int list_new_err;               /* `mokutil --list-new` */
	bool pending;                   /* a key waits for MokManager at the next boot */
	char pending_text[FACTS_SB_TEXT];
};

/* One `dkms status` line: "virtualbox/7.0.10, 6.5.0-14-generic, x86_64: installed". */
struct facts_dkms_entry {
	char module[FACTS_SB_NAME];
	char version[FACTS_SB_NAME];
	char kernel[FACTS_SB_NAME + 64];  /* "" for "added" lines that name no kernel */
	char state[FACTS_SB_NAME];        /* "installed", "built", "added", "broken", "installed-weak from ..." */
	unsigned line;
};

#define FACTS_DKMS_ERRLINES 4

/* A DKMS module version that has a build/make.log with compiler or make errors. */
struct facts_dkms_build {
	char module[FACTS_SB_NAME];
	char version[FACTS_SB_NAME];
	char log_path[256];
	size_t n_errors;                  /* the last error lines of make.log */
	unsigned error_line[FACTS_DKMS_ERRLINES];
	char error_text[FACTS_DKMS_ERRLINES][FACTS_SB_TEXT];
};

/* A DKMS error line found in a product/package log ("Your kernel headers ... cannot be found"). */
struct facts_dkms_logline {
	bool found;
	char file[128];
	unsigned line;
	char text[FACTS_SB_TEXT];
};

struct facts_dkms {
	bool vmware;                      /* /etc/vmware/config exists */
	bool virtualbox;                  /* /usr/lib/virtualbox exists */
	struct host_names modules;        /* module directories of /var/lib/dkms */
	int kernels_err;                  /* listing /lib/modules */
	struct host_names kernels;        /* installed kernels: /lib/modules entries with modules.dep */
	char newest[FACTS_SB_NAME + 64];  /* newest installed kernel, "" when none */
	bool newest_headers;              /* /lib/modules/<newest>/build/Makefile exists */
	bool running_dir;                 /* /lib/modules/<release> exists */
	bool running_headers;             /* /lib/modules/<release>/build/Makefile exists */
	bool build_present;               /* /lib/modules/<release>/build leads somewhere */
	bool build_link_dangles;          /* "build" is listed but leads nowhere */
	int status_err;                   /* `dkms status`: 0 ran, -ENODATA not collected, ... */
	struct facts_dkms_entry *entries;
	size_t count;
	struct facts_dkms_build *builds;
	size_t n_builds;
	struct facts_dkms_logline headers_line;   /* "Your kernel headers for kernel ... cannot be found" */
	struct facts_dkms_logline build_line;     /* "Bad return status for module build on kernel" */
	char distro[32];                  /* /etc/os-release ID (or the ID_LIKE family), "" unknown */
};

struct facts_secureboot {
	int err;                        /* 0 when known; see facts.h for the conventions */
	char why[160];
	bool efi;                       /* /sys/firmware/efi exists */
	bool efivars;                   /* /sys/firmware/efi/efivars exists (efivarfs mounted) */
	struct facts_sb_efivar secureboot;
	struct facts_sb_efivar setup_mode;
	bool shim_validation_off;       /* MokSBStateRT exists */
	enum facts_sb_mode mode;
	const char *mode_source;        /* static: the evidence that decided `mode` */
	enum facts_lockdown lockdown;
	int lockdown_err;
	unsigned klog_sb_line;          /* "secureboot: Secure boot enabled/disabled", 0 when none */
	bool klog_sb_enabled;
	unsigned klog_lockdown_line;    /* "Kernel is locked down from EFI Secure Boot mode", 0 when none */
	char klog_lockdown_text[FACTS_SB_TEXT];
	bool sig_enforce;               /* module.sig_enforce=1 on the kernel command line */
	struct facts_sb_line *lines;    /* signature lines of the kernel log, in log order */
	size_t n_lines;
	struct facts_sb_module modules[3];
	size_t n_modules;
	struct facts_sb_mok mok;
	struct facts_dkms dkms;
};

/* Fill facts->secureboot; runs after the core facts (user, kernel, modules, kernel log) are collected. */
void facts_collect_secureboot(struct host *host, struct facts *facts);
void facts_free_secureboot(struct facts *facts);

/* Secure Boot on as mokutil says it (SecureBoot=1, not in Setup Mode). */
bool facts_secureboot_on(const struct facts *facts);
/* The kernel refuses unsigned modules: lockdown integrity/confidentiality, module.sig_enforce=1,
 * a "locked down from EFI Secure Boot" boot line, or Secure Boot on with shim validation on. */
bool facts_secureboot_enforcing(const struct facts *facts);
/* The facts about an out-of-tree module of interest ("vboxdrv", "vmmon", "vmnet"), or NULL. */
const struct facts_sb_module *facts_secureboot_module(const struct facts *facts, const char *name);
/* The last kernel-log line that refused loading `module` (by name, or a nameless refusal line while
 * the module has a .ko and is not loaded); NULL when none. Taint lines never count. */
const struct facts_sb_line *facts_secureboot_rejection(const struct facts *facts, const char *module);

/* Parsers exposed for unit tests. */
/* efivarfs bytes: 4 attribute bytes then data; fills out->value from the first data byte. */
void facts_sb_parse_efivar(const char *data, size_t len, struct facts_sb_efivar *out);
/* "none [integrity] confidentiality" -> FACTS_LOCKDOWN_INTEGRITY; UNKNOWN without a bracket. */
enum facts_lockdown facts_sb_parse_lockdown(const char *text, size_t len);
/* A kernel log line about module signatures; false when the line is about something else. */
bool facts_sb_parse_klog_line(const char *text, struct facts_sb_line *out);
/* The signer of `modinfo` output: 0 with "" when unsigned; -EINVAL when it is not modinfo output. */
int facts_sb_parse_modinfo(const char *text, size_t len, char *signer, size_t cap);
/* One `dkms status` line (DKMS 2.x and 3.x); false for lines that are not status lines. */
bool facts_dkms_parse_status_line(const char *line, size_t n, struct facts_dkms_entry *out);
/* Kernel releases compared as versions ("6.1.0-9" < "6.1.0-18"); <0, 0, >0. */
int facts_dkms_kernel_cmp(const char *a, const char *b);

#endif
