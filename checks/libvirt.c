/* SPDX-License-Identifier: MIT */
/* Checks for libvirt. */
#include "checks/checks.h"
