/* SPDX-License-Identifier: MIT */
/* Reports: the check results as report JSON (format v1) and as text for a terminal. */
#ifndef VMDOCTOR_REPORT_H
#define VMDOCTOR_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "vmdoctor/check.h"
#include "vmdoctor/facts.h"
#include "vmdoctor/playbook.h"

struct report_options {
	bool color;             /* ANSI colours for status words */
	unsigned width;         /* wrap text at this many columns (80 when 0) */
};

/* Write report JSON (docs/report-format.md) to `out`. `run` is the playbook walked, or NULL for a plain
 * check. Returns 0 or -errno. */
int report_write_json(FILE *out, const struct facts *facts, const struct check_report *report,
		      const struct playbook_run *run);
/* Write the human report: host line, failures first with evidence and one line of what to do. */
int report_write_text(FILE *out, const struct facts *facts, const struct check_report *report,
		      const struct playbook_run *run, const struct report_options *opts);
/* One line describing the host: CPU, kernel, "guest of KVM" when true. Caller frees. */
char *report_host_line(const struct facts *facts);
/* The guest's outer hypervisor ("kvm", "vmware", ...) or NULL on bare metal / unknown. */
const char *report_guest_of(const struct facts *facts);

#endif
