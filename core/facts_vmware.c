/* SPDX-License-Identifier: MIT */
/* Facts about VMware Workstation/Player: product version, vmmon/vmnet modules, /dev/vmmon, logs. */
#include "vmdoctor/facts_vmware.h"

#include "vmdoctor/facts.h"

void facts_collect_vmware(struct host *host, struct facts *facts)
{
	(void)host;
	(void)facts;
}

void facts_free_vmware(struct facts *facts)
{
	(void)facts;
}
