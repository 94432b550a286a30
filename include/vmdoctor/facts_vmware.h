/* SPDX-License-Identifier: MIT */
/* Facts about VMware Workstation/Player: product version, vmmon/vmnet modules, /dev/vmmon, logs. */
#ifndef VMDOCTOR_FACTS_VMWARE_H
#define VMDOCTOR_FACTS_VMWARE_H

#include "vmdoctor/host.h"

struct facts;

struct facts_vmware {
	int err;                /* 0 when known; see facts.h for the conventions */
};

/* Fill facts->vmware; runs after the core facts (user, kernel, modules, kernel log) are collected. */
void facts_collect_vmware(struct host *host, struct facts *facts);
void facts_free_vmware(struct facts *facts);

#endif
