/* SPDX-License-Identifier: MIT */
/* Allocation wrappers that end the program cleanly instead of returning NULL. */
#ifndef VMDOCTOR_XALLOC_H
#define VMDOCTOR_XALLOC_H

/*
 * Out of memory is not a condition vmdoctor can diagnose around, so these never return
 * NULL: they run the fatal hook (the wizard restores the terminal there), print one line
 * to stderr and exit with status 3 ("could not run").
 */

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Called once before exiting on allocation failure. */
void xalloc_set_fatal_hook(void (*hook)(void));

#endif
