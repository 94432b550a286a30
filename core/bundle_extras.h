/* SPDX-License-Identifier: MIT */
/* What a bundle holds beyond what the checks read: the configs and logs a vendor asks for (core/bundle_extras.c). */
#ifndef VMDOCTOR_BUNDLE_EXTRAS_H
#define VMDOCTOR_BUNDLE_EXTRAS_H

#include <stddef.h>

#include "vmdoctor/facts.h"
#include "vmdoctor/host.h"

/* One thing a vendor asks for that the host could not give, for manifest.json "not_collected". */
struct bundle_missing {
	char what[160];
	char why[96];
};

struct bundle_missing_list {
	struct bundle_missing *items;
	size_t count;
};

/* Read the vendor's extras through the recording host `rec`, so they become snapshot members like the checks'
 * own reads; what could not be read is appended to `missing`. 0, or -ENOMEM. */
int bundle_extras_collect(struct host *rec, const struct facts *facts, struct bundle_missing_list *missing);
void bundle_missing_free(struct bundle_missing_list *missing);

#endif
