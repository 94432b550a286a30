/* SPDX-License-Identifier: MIT */
/* The failure-mode catalogue: every code vmdoctor can report, with its explanation. */
#ifndef VMDOCTOR_CODES_H
#define VMDOCTOR_CODES_H

/*
 * One const table (checks/codes.c) holds every code of knowledge/failure-modes.md
 * plus vmdoctor's own additions. `vmdoctor explain CODE` and `vmdoctor list codes`
 * print it, the report copies the explanation and docs of a result's code, and the
 * docs/codes.md reference is generated from it.
 */

#include <stddef.h>

enum code_need {
	CODE_NEEDS_ROOT = 1 << 0,
	CODE_NEEDS_REBOOT = 1 << 1,
	CODE_NEEDS_RELOGIN = 1 << 2,
	CODE_NEEDS_FIRMWARE = 1 << 3,
	CODE_NEEDS_CONSOLE = 1 << 4,    /* physical presence at the next boot (MokManager) */
	CODE_NEEDS_OUTER_HOST = 1 << 5, /* the fix is on another machine (the outer hypervisor) */
};

#define CODE_MAX_DOCS 3

struct code_info {
	const char *code;               /* "CPU-VT-DISABLED" */
	const char *group;              /* "CPU, firmware and nesting" */
	const char *title;              /* one line */
	const char *explanation;        /* plain words: what it means and why it matters */
	const char *fix;                /* what to do, plain words, may span lines */
	unsigned needs;                 /* enum code_need bits */
	const char *docs[CODE_MAX_DOCS];/* links, NULL-terminated when fewer */
};

extern const struct code_info code_table[];
extern const size_t code_table_count;

/* The entry for `code` (case-insensitive), or NULL. */
const struct code_info *code_find(const char *code);
/* "root", "reboot", ... for one CODE_NEEDS_* bit; NULL for an unknown bit. */
const char *code_need_name(unsigned need_bit);

#endif
