/* SPDX-License-Identifier: MIT */
/* Facts about VirtualBox: version, vboxdrv module, /dev/vboxdrv, vboxusers, setup log, VBox.log and VBoxSVC.log. */
#ifndef VMDOCTOR_FACTS_VBOX_H
#define VMDOCTOR_FACTS_VBOX_H

#include "vmdoctor/host.h"

struct facts;

struct facts_vbox {
	int err;                /* 0 when known; see facts.h for the conventions */
};

/* Fill facts->vbox; runs after the core facts (user, kernel, modules, kernel log) are collected. */
void facts_collect_vbox(struct host *host, struct facts *facts);
void facts_free_vbox(struct facts *facts);

#endif
