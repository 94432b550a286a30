/* SPDX-License-Identifier: MIT */
/* Facts about libvirt: daemon sockets, capabilities, domains, networks, pools, disk permissions, MAC denials. */
#ifndef VMDOCTOR_FACTS_LIBVIRT_H
#define VMDOCTOR_FACTS_LIBVIRT_H

#include "vmdoctor/host.h"

struct facts;

struct facts_libvirt {
	int err;                /* 0 when known; see facts.h for the conventions */
};

/* Fill facts->libvirt; runs after the core facts (user, kernel, modules, kernel log) are collected. */
void facts_collect_libvirt(struct host *host, struct facts *facts);
void facts_free_libvirt(struct facts *facts);

#endif
