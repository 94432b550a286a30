/* SPDX-License-Identifier: MIT */
/* The command line of the wizard: open the host once, collect facts, load playbooks, then hand over to tui/. */
#include "cli/cli.h"
#include "tui/wizard.h"

int cmd_wizard(const struct options *o)
{
	struct host *host;
	if (open_host(o, &host) < 0)
		return EXIT_COULD_NOT_RUN;
	struct facts facts;
	facts_collect(host, &facts);
	struct playbook_set set;
	load_playbooks(o, &set);
	int rc = wizard_run(&facts, &set);
	playbook_set_free(&set);
	facts_free(&facts);
	host_close(host);
	/* TERM=dumb and the like cannot show screens: the text report still helps. */
	return rc == WIZARD_NO_TERMINAL ? cmd_check(o) : rc;
}
