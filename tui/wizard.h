/* SPDX-License-Identifier: MIT */
/* The ncurses wizard: screens over facts and playbooks, one event loop; it never probes the host. */
#ifndef VMDOCTOR_TUI_WIZARD_H
#define VMDOCTOR_TUI_WIZARD_H

#include "vmdoctor/facts.h"
#include "vmdoctor/playbook.h"

/* Returned when the terminal cannot address the cursor (TERM=dumb): show the text report instead. */
#define WIZARD_NO_TERMINAL (-1)

/* Run the wizard on a terminal until the person quits; returns 0, 3 when the terminal could not start,
 * 128 + N after signal N (SIGINT, SIGTERM, SIGHUP), or WIZARD_NO_TERMINAL. */
int wizard_run(const struct facts *facts, const struct playbook_set *set);

#endif
