/* SPDX-License-Identifier: MIT */
/* The log scanner: one pass over each log with a table of signatures (knowledge base section C.2). */
#ifndef VMDOCTOR_LOGSCAN_H
#define VMDOCTOR_LOGSCAN_H

/*
 * A signature is a case-sensitive literal (`needle`), optionally with a second literal (`also`)
 * that must be on the same line, pointing to one failure-mode code (core/signatures.c).
 * logscan_new() compiles every signature once into a multi-pattern filter; logscan_buffer()
 * then walks a log once, whatever the number of signatures, and appends to a result one match
 * per (signature, line), with the line number and the line text (bounded to LOGSCAN_TEXT_MAX
 * bytes of valid UTF-8, control characters shown as '?').
 * At most LOGSCAN_KEEP_MAX matches per signature and file are kept; `hits` still counts all.
 *
 * facts_collect_logs() runs after the core facts and scans the kernel log (or `journalctl -k`
 * when the kernel log cannot be read) and the product logs it finds through the host layer
 * (docs/logscan.md lists them). Checks read facts->logs; facts_log_matches() and
 * facts_log_next() walk the matches of one code.
 */

#include <stdbool.h>
#include <stddef.h>

#include "vmdoctor/host.h"

struct facts;

#define LOGSCAN_TEXT_MAX 1024   /* bytes of a matching line kept (plus "..." when cut) */
#define LOGSCAN_KEEP_MAX 20     /* matches kept per signature per file */
#define LOGSCAN_WHY 160

/* Kinds of log; a signature lists the kinds it applies to (a bit mask). */
enum logscan_source {
	LOGSCAN_KERNEL = 1u << 0,       /* dmesg, journalctl -k */
	LOGSCAN_LIBVIRT = 1u << 1,      /* libvirtd.log, /var/log/libvirt/qemu/<vm>.log */
	LOGSCAN_VBOX = 1u << 2,         /* VBox.log, VBoxSVC.log, vbox-setup.log */
	LOGSCAN_VMWARE = 1u << 3,       /* /tmp/vmware-<user>/NAME.log, vmware.log of a VM */
	LOGSCAN_DKMS = 1u << 4,         /* /var/lib/dkms/<mod>/<ver>/build/make.log, /var/log/apt/term.log */
	LOGSCAN_AUDIT = 1u << 5,        /* /var/log/audit/audit.log */
	LOGSCAN_ALL = (1u << 6) - 1,
};
/* "kernel log", "libvirt log", ...: the name of the lowest kind in `source`; never NULL. */
const char *logscan_source_name(unsigned source);

enum logscan_sig_flag {
	LOGSCAN_INFO = 1u << 0,         /* informational: never a failure (code is NULL) */
	LOGSCAN_WEAK = 1u << 1,         /* generic wording: corroborate before blaming */
	LOGSCAN_APPROX = 1u << 2,       /* the version range is approximate ([approx]) */
};

/* One row of the signature table. */
struct logscan_sig {
	const char *needle;     /* case-sensitive literal, at least 4 bytes */
	const char *also;       /* a second literal that must be on the same line, or NULL */
	const char *code;       /* the failure-mode code (the first when several); NULL when LOGSCAN_INFO */
	const char *route;      /* which other codes the line can mean and what decides, or NULL */
	unsigned sources;       /* enum logscan_source bits where it applies */
	const char *versions;   /* kernel/product range where the wording appears ("<=5.15"), or NULL */
	unsigned flags;         /* enum logscan_sig_flag */
	const char *example;    /* a real-looking line it matches (tests and docs) */
	const char *near_miss;  /* a similar line it must not match, or NULL */
};
/* The table (core/signatures.c). */
const struct logscan_sig *logscan_signatures(size_t *count);

/* One line of a log that matched a signature. */
struct logscan_match {
	const char *code;       /* static: the failure-mode code the signature points to; NULL if informational */
	const char *source;     /* static: "kernel log", "VBox.log", ... (the signature's source kind) */
	char *file;             /* host path of the log, or "dmesg" for the kernel log */
	unsigned line;          /* 1-based line number in that file */
	char *text;             /* the matching line, bounded */
	const struct logscan_sig *sig;  /* the signature (route, flags, versions) */
	size_t hits;            /* lines of this file matching this signature, also those past the cap */
};

/* Matches appended by logscan_buffer(). */
struct logscan_result {
	struct logscan_match *matches;
	size_t count;
	size_t cap;
	size_t lines_hit;       /* distinct lines that matched at least one signature (like grep -c) */
};
void logscan_result_free(struct logscan_result *res);

struct logscan;
/* Compile every signature of the table. Never NULL (allocation failure ends the program). */
struct logscan *logscan_new(void);
void logscan_free(struct logscan *ls);
/*
 * Scan buf[0..len) (any bytes, NULs included) as the log `file` of kind `source` (signatures whose
 * `sources` share no bit with it are ignored) and append the matches to `out`, in line order.
 * `first_line` is the number of the first line of buf (1, or more when buf is the tail of a file).
 * With LOGSCAN_KERNEL a leading "[    1.234567] " is left out of the kept text.
 * Returns the number of matches appended.
 */
size_t logscan_buffer(const struct logscan *ls, const char *file, unsigned source, const char *buf, size_t len,
		      unsigned first_line, struct logscan_result *out);
/* Newlines in buf[0..len): fast, for line numbers of a tail. */
size_t logscan_count_newlines(const char *buf, size_t len);

/* A log file facts_collect_logs() looked at. */
struct logscan_file {
	char *path;             /* host path, "dmesg" or "commands/journalctl-k" */
	const char *source;     /* static kind name */
	int err;                /* 0 scanned; else the negative errno of reading it */
	size_t bytes;           /* bytes scanned */
	bool truncated;         /* only the newest part was scanned */
	size_t matches;         /* matches kept from it */
};

struct facts_logs {
	int err;                /* 0 when the scan ran; the kernel log's own state is klog_err */
	char why[LOGSCAN_WHY];  /* why the kernel log could not be scanned, when klog_err != 0 */
	int klog_err;           /* 0 when dmesg or journalctl -k was scanned */
	struct logscan_match *matches;  /* sorted by file, then line */
	size_t count;
	size_t files_scanned;
	struct logscan_file *files;     /* every log looked at, readable or not, in scan order */
	size_t files_count;
};

/* Scan the kernel log and every product log found through the host; fills facts->logs. */
void facts_collect_logs(struct host *host, struct facts *facts);
void facts_free_logs(struct facts *facts);

/* Number of matches with `code` (informational ones have none); *first gets the first or NULL. */
size_t facts_log_matches(const struct facts *f, const char *code, const struct logscan_match **first);
/* The next match with `code` after `prev` (NULL: the first), or NULL. */
const struct logscan_match *facts_log_next(const struct facts *f, const char *code,
					   const struct logscan_match *prev);

#endif
