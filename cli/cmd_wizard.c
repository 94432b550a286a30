/* SPDX-License-Identifier: MIT */
/* The command line of the wizard (in progress: the command says so until it is built). */
#include "cli/cli.h"

int cmd_wizard(const struct options *o)
{
	/* Until the wizard is built, a terminal gets the text report. */
	return cmd_check(o);
}
