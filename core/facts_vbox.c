/* SPDX-License-Identifier: MIT */
/* Facts about VirtualBox: version, vboxdrv module, /dev/vboxdrv, vboxusers, setup log, VBox.log and VBoxSVC.log. */
#include "vmdoctor/facts_vbox.h"

#include "vmdoctor/facts.h"

void facts_collect_vbox(struct host *host, struct facts *facts)
{
	(void)host;
	(void)facts;
}

void facts_free_vbox(struct facts *facts)
{
	(void)facts;
}
