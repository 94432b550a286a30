/* SPDX-License-Identifier: MIT */
/* The command line of guided fixes (in progress: the command says so until it is built). */
#include "cli/cli.h"

int cmd_fix(const struct options *o)
{
	(void)o;
	return usage_error("fix is not built yet");
}

int cmd_undo(const struct options *o)
{
	(void)o;
	return usage_error("undo is not built yet");
}

int cmd_history(const struct options *o)
{
	(void)o;
	return usage_error("history is not built yet");
}
