/* SPDX-License-Identifier: MIT */
/* The command line of the wizard: open the host, load playbooks, and hand the wizard a way to collect facts
 * (it runs it on a worker thread while its screen is already up) and to skip the slow libvirt step. */
#include "cli/cli.h"
#include "tui/wizard.h"

static void wizard_collect(void *ctx, struct facts *facts, facts_progress_fn progress, void *progress_ctx)
{
	facts_collect_ex(ctx, facts, progress, progress_ctx);
}

static void wizard_skip_libvirt(void *ctx)
{
	host_cancel(ctx);
}

int cmd_wizard(const struct options *o)
{
	struct host *host;
	if (open_host(o, &host) < 0)
		return EXIT_COULD_NOT_RUN;
	struct facts facts = { 0 };
	struct playbook_set set;
	load_playbooks(o, &set);
	struct wizard_env env = {
		.set = &set, .facts = &facts, .collect = wizard_collect, .skip_libvirt = wizard_skip_libvirt,
		.ctx = host,
	};
	wizard_actions_init(&env, o, host);
	int rc = wizard_run(&env);
	playbook_set_free(&set);
	facts_free(&facts);
	host_close(host);
	/* TERM=dumb and the like cannot show screens: the text report still helps. */
	return rc == WIZARD_NO_TERMINAL ? cmd_check(o) : rc;
}
