/* SPDX-License-Identifier: MIT */
/* Small text helpers for parsing host data: bounded, NUL-safe, and hostile-input-proof. */
#include "vmdoctor/text.h"

#include <string.h>

bool text_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

bool text_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

void text_trim_span(const char **s, size_t *n)
{
	while (*n > 0 && text_is_blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && text_is_blank((*s)[*n - 1]))
		(*n)--;
}

size_t text_utf8_cut(const char *s, size_t n, size_t cap)
{
	if (n <= cap)
		return n;
	size_t cut = cap;
	/* Back off over continuation bytes so JSON writers get whole characters. */
	while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80 && cap - cut < 4)
		cut--;
	return cut;
}

void text_copy(char *dst, size_t cap, const char *s, size_t n)
{
	n = text_utf8_cut(s, n, cap - 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[i] = c == '\t' ? ' ' : (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	dst[n] = '\0';
}

void text_copy_trimmed(char *dst, size_t cap, const char *s, size_t n)
{
	text_trim_span(&s, &n);
	text_copy(dst, cap, s, n);
}

bool text_span_is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

bool text_span_starts(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	return n >= l && memcmp(s, lit, l) == 0;
}

const char *text_find(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle));
}

struct text_lines text_lines_of(const char *text, size_t len)
{
	return (struct text_lines){ .p = text, .end = text ? text + len : NULL, .lineno = 0 };
}

bool text_next_line(struct text_lines *it, const char **line, size_t *n)
{
	if (!it->p || it->p >= it->end)
		return false;
	const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	const char *stop = nl ? nl : it->end;
	*line = it->p;
	*n = (size_t)(stop - it->p);
	if (*n > 0 && (*line)[*n - 1] == '\r')
		(*n)--;
	it->p = nl ? nl + 1 : it->end;
	it->lineno++;
	return true;
}

bool text_next_word(const char **p, const char *end, const char **word, size_t *n)
{
	while (*p < end && text_is_blank(**p))
		(*p)++;
	if (*p >= end)
		return false;
	*word = *p;
	while (*p < end && !text_is_blank(**p))
		(*p)++;
	*n = (size_t)(*p - *word);
	return true;
}
