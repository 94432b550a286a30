/* SPDX-License-Identifier: MIT */
/* Checks for secureboot. */
#include "checks/checks.h"
