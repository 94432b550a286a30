/* SPDX-License-Identifier: MIT */
/* The command line of support bundles (in progress: the command says so until it is built). */
#include "cli/cli.h"

int cmd_bundle(const struct options *o)
{
	(void)o;
	return usage_error("bundle is not built yet");
}
