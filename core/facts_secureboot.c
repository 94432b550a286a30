/* SPDX-License-Identifier: MIT */
/* Facts about Secure Boot, lockdown, module signing and DKMS/kernel headers. */
#include "vmdoctor/facts_secureboot.h"

#include "vmdoctor/facts.h"

void facts_collect_secureboot(struct host *host, struct facts *facts)
{
	(void)host;
	(void)facts;
}

void facts_free_secureboot(struct facts *facts)
{
	(void)facts;
}
