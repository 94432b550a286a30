/* SPDX-License-Identifier: MIT */
/* Small text helpers for parsing host data: bounded, NUL-safe, and hostile-input-proof. */
#ifndef VMDOCTOR_TEXT_H
#define VMDOCTOR_TEXT_H

/*
 * Everything read from a host or snapshot is hostile: it may hold NUL bytes, lack a final
 * newline, or be any size. These helpers work on (pointer, length) spans and never assume
 * NUL termination; the facts modules share them instead of each keeping a copy.
 */

#include <stdbool.h>
#include <stddef.h>

bool text_is_blank(char c);
bool text_is_digit(char c);
/* Shrink [*s, *s + *n) to drop surrounding whitespace. */
void text_trim_span(const char **s, size_t *n);
/* How many bytes of s[0..n) fit in `cap` bytes without splitting a UTF-8 character. */
size_t text_utf8_cut(const char *s, size_t n, size_t cap);
/* Copy s[0..n) into dst (size cap >= 1): bounded, NUL-terminated, cut on a whole UTF-8 character,
 * tabs as spaces and other control bytes as '?', so no escape sequence reaches a terminal. */
void text_copy(char *dst, size_t cap, const char *s, size_t n);
void text_copy_trimmed(char *dst, size_t cap, const char *s, size_t n);
/* s[0..n) equals / starts with the NUL-terminated `lit`. */
bool text_span_is(const char *s, size_t n, const char *lit);
bool text_span_starts(const char *s, size_t n, const char *lit);
/* memmem for a NUL-terminated needle in a span that may hold NUL bytes. */
const char *text_find(const char *s, size_t n, const char *needle);

/* Walks a buffer line by line; lines lose their "\n" (and a "\r" before it). */
struct text_lines {
	const char *p, *end;
	unsigned lineno;        /* 1-based number of the line last returned */
};
struct text_lines text_lines_of(const char *text, size_t len);
bool text_next_line(struct text_lines *it, const char **line, size_t *n);
/* The next whitespace-separated word of [*p, end), or false at the end. */
bool text_next_word(const char **p, const char *end, const char **word, size_t *n);

#endif
