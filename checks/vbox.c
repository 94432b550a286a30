/* SPDX-License-Identifier: MIT */
/* Checks for vbox. */
#include "checks/checks.h"
