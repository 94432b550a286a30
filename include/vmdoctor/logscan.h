/* SPDX-License-Identifier: MIT */
/* The log scanner: one pass over each log with a table of signatures (knowledge base section C.2). */
#ifndef VMDOCTOR_LOGSCAN_H
#define VMDOCTOR_LOGSCAN_H

#include <stddef.h>

#include "vmdoctor/host.h"

struct facts;

/* One line of a log that matched a signature. */
struct logscan_match {
	const char *code;       /* static: the failure-mode code the signature points to */
	const char *source;     /* static: "kernel log", "VBox.log", ... (the signature's source kind) */
	char *file;             /* host path of the log, or "dmesg" for the kernel log */
	unsigned line;          /* 1-based line number in that file */
	char *text;             /* the matching line, bounded */
};

struct facts_logs {
	int err;
	struct logscan_match *matches;
	size_t count;
	size_t files_scanned;
};

/* Scan the kernel log and every product log found through the host; fills facts->logs. */
void facts_collect_logs(struct host *host, struct facts *facts);
void facts_free_logs(struct facts *facts);

#endif
