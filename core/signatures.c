/* SPDX-License-Identifier: MIT */
/* The table of log signatures: substring or pattern -> failure-mode code (knowledge base section C.2). */
#include "vmdoctor/logscan.h"
