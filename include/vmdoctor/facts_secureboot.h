/* SPDX-License-Identifier: MIT */
/* Facts about Secure Boot, lockdown, module signing and DKMS/kernel headers. */
#ifndef VMDOCTOR_FACTS_SECUREBOOT_H
#define VMDOCTOR_FACTS_SECUREBOOT_H

#include "vmdoctor/host.h"

struct facts;

struct facts_secureboot {
	int err;                /* 0 when known; see facts.h for the conventions */
};

/* Fill facts->secureboot; runs after the core facts (user, kernel, modules, kernel log) are collected. */
void facts_collect_secureboot(struct host *host, struct facts *facts);
void facts_free_secureboot(struct facts *facts);

#endif
