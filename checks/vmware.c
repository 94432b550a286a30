/* SPDX-License-Identifier: MIT */
/* Checks for vmware. */
#include "checks/checks.h"
