/* SPDX-License-Identifier: MIT */
/* Facts about libvirt: daemon sockets, capabilities, domains, networks, pools, disk permissions, MAC denials. */
#include "vmdoctor/facts_libvirt.h"

#include "vmdoctor/facts.h"

void facts_collect_libvirt(struct host *host, struct facts *facts)
{
	(void)host;
	(void)facts;
}

void facts_free_libvirt(struct facts *facts)
{
	(void)facts;
}
