/* SPDX-License-Identifier: MIT */
/* The log scanner: one pass over each log with a table of signatures (knowledge base section C.2). */
#include "vmdoctor/logscan.h"

#include "vmdoctor/facts.h"

void facts_collect_logs(struct host *host, struct facts *facts)
{
	(void)host;
	(void)facts;
}

void facts_free_logs(struct facts *facts)
{
	(void)facts;
}
