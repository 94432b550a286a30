/* SPDX-License-Identifier: MIT */
/* The log scanner: one pass over each log with a table of signatures (knowledge base section C.2). */
#include "vmdoctor/logscan.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "vmdoctor/facts.h"
#include "vmdoctor/xalloc.h"

/*
 * The engine is Wu-Manber: every needle's first m bytes (m = the shortest needle) form a window;
 * a table indexed by a hash of 3-byte blocks says how far the window may slide before any needle
 * could end in it. Most positions of a log are skipped 4-6 bytes at a time; where the shift is 0
 * the few needles whose window ends with that block are compared in full. So the cost per byte
 * does not grow with the number of signatures. Each step waits on a load of the table, so four
 * windows in four parts of a chunk are walked in step and their hits handled afterwards, in order.
 * Line numbers come from counting newlines between hits (SSE2, 16 bytes a step), never from
 * rescanning from the start.
 */

#define WM_BLOCK 3
#define WM_HASH_BITS 12       /* a 4 KiB shift table stays in L1; more bits barely lengthen the shifts */
#define WM_HASH_SIZE (1u << WM_HASH_BITS)
#define WM_WINDOW_MAX 32u       /* longer windows buy little: shifts are bounded by 255 anyway */
#define NEEDLE_MIN 4            /* the hash reads the block's 3 bytes; shorter needles are not supported */
#define STAMP_MAX 32            /* a "[ 123456.123456] " kernel timestamp */
#define TEXT_LEAD 256           /* bytes kept before a needle found far into a long line */
#define LANES 4                 /* independent windows walked in step: the loop is latency-bound */
#define CHUNK ((size_t)1 << 20) /* window ends per round; bounds the hits held before they are handled */

struct logscan_needle {
	const char *text;
	size_t len;
	size_t first;           /* index in logscan.needle_sigs of its first signature */
	size_t nsigs;
};

struct logscan {
	const struct logscan_sig *sigs;
	size_t nsigs;
	struct logscan_needle *needles;
	size_t nneedles;
	size_t *needle_sigs;    /* signature indices grouped by needle */
	size_t window;          /* m */
	uint8_t shift[WM_HASH_SIZE];
	uint32_t cand_off[WM_HASH_SIZE + 1];    /* needles whose window ends with a block of this hash */
	uint16_t *cand;
};

static const char *const source_names[] = {
	"kernel log", "libvirt log", "VirtualBox log", "VMware log", "DKMS log", "audit log",
};
_Static_assert(sizeof source_names / sizeof source_names[0] == 6, "one name per enum logscan_source bit");

const char *logscan_source_name(unsigned source)
{
	for (unsigned i = 0; i < sizeof source_names / sizeof source_names[0]; i++)
		if (source & (1u << i))
			return source_names[i];
	return "log";
}

/* ---- compiling the table ---- */

static inline uint32_t wm_hash(const unsigned char *block_end)
{
	uint32_t v = (uint32_t)block_end[-2] | (uint32_t)block_end[-1] << 8 | (uint32_t)block_end[0] << 16;
	return (v * 0x9e3779b1u) >> (32 - WM_HASH_BITS);
}

static size_t needle_find(const struct logscan *ls, const char *text)
{
	for (size_t i = 0; i < ls->nneedles; i++)
		if (strcmp(ls->needles[i].text, text) == 0)
			return i;
	return ls->nneedles;
}

/* Distinct needles, each with the list of signatures that share it. */
static void compile_needles(struct logscan *ls)
{
	ls->needles = xcalloc(ls->nsigs ? ls->nsigs : 1, sizeof *ls->needles);
	ls->needle_sigs = xcalloc(ls->nsigs ? ls->nsigs : 1, sizeof *ls->needle_sigs);
	for (size_t i = 0; i < ls->nsigs; i++) {
		const char *text = ls->sigs[i].needle;
		if (!text || strlen(text) < NEEDLE_MIN || needle_find(ls, text) < ls->nneedles)
			continue;
		struct logscan_needle *n = &ls->needles[ls->nneedles++];
		n->text = text;
		n->len = strlen(text);
	}
	size_t at = 0;
	for (size_t k = 0; k < ls->nneedles; k++) {
		ls->needles[k].first = at;
		for (size_t i = 0; i < ls->nsigs; i++)
			if (ls->sigs[i].needle && strcmp(ls->sigs[i].needle, ls->needles[k].text) == 0)
				ls->needle_sigs[at++] = i;
		ls->needles[k].nsigs = at - ls->needles[k].first;
	}
}

static void compile_shifts(struct logscan *ls)
{
	size_t m = WM_WINDOW_MAX;
	for (size_t k = 0; k < ls->nneedles; k++)
		if (ls->needles[k].len < m)
			m = ls->needles[k].len;
	ls->window = m;
	memset(ls->shift, (int)(m - WM_BLOCK + 1), sizeof ls->shift);
	for (size_t k = 0; k < ls->nneedles; k++) {
		const unsigned char *p = (const unsigned char *)ls->needles[k].text;
		for (size_t j = WM_BLOCK - 1; j < m; j++) {
			uint32_t h = wm_hash(p + j);
			if (ls->shift[h] > m - 1 - j)
				ls->shift[h] = (uint8_t)(m - 1 - j);
		}
	}
	/* Candidate lists for the blocks that end a window (shift 0). */
	for (size_t k = 0; k < ls->nneedles; k++)
		ls->cand_off[wm_hash((const unsigned char *)ls->needles[k].text + m - 1) + 1]++;
	for (size_t h = 0; h < WM_HASH_SIZE; h++)
		ls->cand_off[h + 1] += ls->cand_off[h];
	ls->cand = xcalloc(ls->nneedles ? ls->nneedles : 1, sizeof *ls->cand);
	uint32_t *fill = xcalloc(WM_HASH_SIZE, sizeof *fill);
	for (size_t k = 0; k < ls->nneedles; k++) {
		uint32_t h = wm_hash((const unsigned char *)ls->needles[k].text + m - 1);
		ls->cand[ls->cand_off[h] + fill[h]++] = (uint16_t)k;
	}
	free(fill);
}

struct logscan *logscan_new(void)
{
	struct logscan *ls = xcalloc(1, sizeof *ls);
	ls->sigs = logscan_signatures(&ls->nsigs);
	compile_needles(ls);
	compile_shifts(ls);
	return ls;
}

void logscan_free(struct logscan *ls)
{
	if (!ls)
		return;
	free(ls->needles);
	free(ls->needle_sigs);
	free(ls->cand);
	free(ls);
}

void logscan_result_free(struct logscan_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->count; i++) {
		free(res->matches[i].file);
		free(res->matches[i].text);
	}
	free(res->matches);
	memset(res, 0, sizeof *res);
}

/* ---- newlines ---- */

size_t logscan_count_newlines(const char *buf, size_t len)
{
	size_t n = 0, i = 0;
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n');
	const __m128i zero = _mm_setzero_si128();
	/* Byte counters of 0xff/-1 per hit overflow after 255 steps: sum them every 255 blocks. */
	while (len - i >= 16) {
		size_t blocks = (len - i) / 16;
		if (blocks > 255)
			blocks = 255;
		__m128i acc = zero;
		for (size_t b = 0; b < blocks; b++, i += 16)
			acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(buf + i)), nl));
		__m128i sums = _mm_sad_epu8(acc, zero);
		n += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sums, 8));
	}
#endif
	for (; i < len; i++)
		n += buf[i] == '\n';
	return n;
}

/* ---- line text: bounded, valid UTF-8, no control characters ---- */

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned lo = 0x80, hi = 0xbf;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		if (c == 0xed)
			hi = 0x9f;      /* no UTF-16 surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* C1 controls (U+0080..U+009F) can act as terminal escapes too. */
	if (c == 0xc2 && s[1] < 0xa0)
		return 0;
	return len;
}

/* Append s[0..n) to dst (room for n bytes) as printable UTF-8; returns bytes written. */
static size_t text_clean(char *dst, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t w = 0;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(s + i, n - i);
		if (k == 0 || (k == 1 && (s[i] < 0x20 || s[i] == 0x7f))) {
			dst[w++] = '?';
			i++;
			continue;
		}
		memcpy(dst + w, s + i, k);
		w += k;
		i += k;
	}
	return w;
}

/* Length of a leading "[    1.234567] " kernel timestamp (with the space after it), or 0. */
static size_t stamp_len(const char *s, size_t n)
{
	size_t i = 1;
	if (n == 0 || s[0] != '[')
		return 0;
	if (n > STAMP_MAX)
		n = STAMP_MAX;
	while (i < n && s[i] == ' ')
		i++;
	size_t digits = i;
	while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
		i++;
	if (i == digits || i >= n || s[i] != ']')
		return 0;
	i++;
	return i < n && s[i] == ' ' ? i + 1 : i;
}

/* The kept text of line [ls, le) whose needle starts at hit: the whole line when it fits, else a window
 * around the needle marked with "...". */
static char *line_text(const char *ls, const char *le, const char *hit, size_t hit_len, bool kernel)
{
	if (kernel)
		ls += stamp_len(ls, (size_t)(le - ls));
	if (le > ls && le[-1] == '\r')
		le--;
	size_t n = (size_t)(le - ls);
	const char *from = ls;
	bool cut_head = false, cut_tail = false;
	if (n > LOGSCAN_TEXT_MAX) {
		size_t off = (size_t)(hit - ls);
		if (off + hit_len > LOGSCAN_TEXT_MAX)
			from = off > TEXT_LEAD ? hit - TEXT_LEAD : ls;
		cut_head = from > ls;
		n = (size_t)(le - from);
		if (n > LOGSCAN_TEXT_MAX) {
			n = LOGSCAN_TEXT_MAX;
			cut_tail = true;
		}
	}
	char *out = xmalloc(n + 7);
	size_t w = 0;
	if (cut_head) {
		memcpy(out, "...", 3);
		w = 3;
	}
	w += text_clean(out + w, from, n);
	if (cut_tail) {
		memcpy(out + w, "...", 3);
		w += 3;
	}
	out[w] = '\0';
	return out;
}

/* ---- scanning ---- */

struct scan_state {
	const struct logscan *ls;
	const char *buf;
	size_t len;
	const char *file;
	unsigned source;
	unsigned first_line;
	struct logscan_result *out;
	/* the line of the last hit */
	bool have_line;
	size_t counted;         /* newlines before this offset are in `newlines` */
	size_t newlines;
	size_t line_start, line_end;
	unsigned lineno;
	unsigned last_hit_line;
	/* per signature */
	unsigned *checked_line; /* line where the signature was last decided (0: none) */
	size_t *hits;
	size_t *kept;
};

static void locate_line(struct scan_state *st, size_t at)
{
	if (st->have_line && at < st->line_end)
		return;
	const char *b = st->buf;
	size_t from = st->counted;
	st->newlines += logscan_count_newlines(b + from, at - from);
	const char *nl = memrchr(b + from, '\n', at - from);
	st->line_start = nl ? (size_t)(nl - b) + 1 : (st->have_line ? st->line_start : 0);
	const char *end = memchr(b + at, '\n', st->len - at);
	st->line_end = end ? (size_t)(end - b) : st->len;
	st->counted = at;
	st->lineno = st->first_line + (unsigned)st->newlines;
	st->have_line = true;
}

static void add_match(struct scan_state *st, size_t k, size_t at, size_t hit_len)
{
	struct logscan_result *r = st->out;
	if (r->count == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->matches = xrealloc(r->matches, r->cap * sizeof *r->matches);
	}
	const struct logscan_sig *sig = &st->ls->sigs[k];
	struct logscan_match *m = &r->matches[r->count++];
	m->code = sig->code;
	m->source = logscan_source_name(st->source);
	m->file = xstrdup(st->file);
	m->line = st->lineno;
	m->text = line_text(st->buf + st->line_start, st->buf + st->line_end, st->buf + at, hit_len,
			    st->source & LOGSCAN_KERNEL);
	m->sig = sig;
	m->hits = 0;
}

static void on_needle(struct scan_state *st, const struct logscan_needle *n, size_t at)
{
	for (size_t j = 0; j < n->nsigs; j++) {
		size_t k = st->ls->needle_sigs[n->first + j];
		const struct logscan_sig *sig = &st->ls->sigs[k];
		if (!(sig->sources & st->source))
			continue;
		locate_line(st, at);
		if (st->checked_line[k] == st->lineno)
			continue;       /* one match per signature and line */
		st->checked_line[k] = st->lineno;
		if (sig->also && !memmem(st->buf + st->line_start, st->line_end - st->line_start, sig->also,
					 strlen(sig->also)))
			continue;
		st->hits[k]++;
		if (st->last_hit_line != st->lineno) {
			st->last_hit_line = st->lineno;
			st->out->lines_hit++;
		}
		if (st->kept[k] < LOGSCAN_KEEP_MAX) {
			st->kept[k]++;
			add_match(st, k, at, n->len);
		}
	}
}

/* Needles found in one round of scanning, in text order. */
struct hit {
	size_t at;              /* offset of the needle's first byte */
	uint32_t needle;
};
struct hits {
	struct hit *items;
	size_t count, cap;
};

static void hits_add(struct hits *h, size_t at, uint32_t needle)
{
	if (h->count == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->items = xrealloc(h->items, h->cap * sizeof *h->items);
	}
	h->items[h->count++] = (struct hit){ .at = at, .needle = needle };
}

/* The window ending at pos has a block that ends some needles' windows: compare those needles. */
static void verify(const struct logscan *ls, const unsigned char *t, size_t len, size_t pos, uint32_t h,
		   struct hits *out)
{
	size_t start = pos + 1 - ls->window;
	for (uint32_t c = ls->cand_off[h]; c < ls->cand_off[h + 1]; c++) {
		const struct logscan_needle *n = &ls->needles[ls->cand[c]];
		if (n->len <= len - start && t[start] == (unsigned char)n->text[0] &&
		    memcmp(t + start, n->text, n->len) == 0)
			hits_add(out, start, ls->cand[c]);
	}
}

#define WM_STEP(i)                                                                                              \
	do {                                                                                                    \
		uint32_t h_ = wm_hash(t + p[i]);                                                                \
		unsigned s_ = ls->shift[h_];                                                                    \
		if (__builtin_expect(s_ != 0, 1)) {                                                             \
			p[i] += s_;                                                                             \
		} else {                                                                                        \
			verify(ls, t, len, p[i], h_, &lane[i]);                                                 \
			p[i]++;                                                                                 \
		}                                                                                               \
	} while (0)

/* Every needle whose window ends in [from, to), into lane[0..LANES) by part. */
static void scan_round(const struct logscan *ls, const unsigned char *t, size_t len, size_t from, size_t to,
		       struct hits lane[LANES])
{
	size_t p[LANES], e[LANES], part = (to - from) / LANES;
	for (size_t i = 0; i < LANES; i++) {
		p[i] = from + i * part;
		e[i] = i + 1 < LANES ? from + (i + 1) * part : to;
	}
	_Static_assert(LANES == 4, "the unrolled loop walks four lanes");
	while (p[0] < e[0] && p[1] < e[1] && p[2] < e[2] && p[3] < e[3]) {
		WM_STEP(0);
		WM_STEP(1);
		WM_STEP(2);
		WM_STEP(3);
	}
	for (size_t i = 0; i < LANES; i++)
		while (p[i] < e[i])
			WM_STEP(i);
}

static void scan(struct scan_state *st)
{
	const struct logscan *ls = st->ls;
	const unsigned char *t = (const unsigned char *)st->buf;
	size_t len = st->len, m = ls->window;
	if (ls->nneedles == 0 || len < m)
		return;
	struct hits lane[LANES] = { { 0 } };
	for (size_t from = m - 1; from < len; from += CHUNK) {
		size_t to = len - from > CHUNK ? from + CHUNK : len;
		scan_round(ls, t, len, from, to, lane);
		/* A lane's windows all end before the next lane's: its hits come first in the text. */
		for (size_t i = 0; i < LANES; i++) {
			for (size_t k = 0; k < lane[i].count; k++)
				on_needle(st, &ls->needles[lane[i].items[k].needle], lane[i].items[k].at);
			lane[i].count = 0;
		}
	}
	for (size_t i = 0; i < LANES; i++)
		free(lane[i].items);
}

size_t logscan_buffer(const struct logscan *ls, const char *file, unsigned source, const char *buf, size_t len,
		      unsigned first_line, struct logscan_result *out)
{
	if (!ls || !out || (!buf && len))
		return 0;
	struct scan_state st = {
		.ls = ls, .buf = buf, .len = len, .file = file ? file : "", .source = source,
		.first_line = first_line ? first_line : 1, .out = out,
	};
	st.checked_line = xcalloc(ls->nsigs ? ls->nsigs : 1, sizeof *st.checked_line);
	st.hits = xcalloc(ls->nsigs ? ls->nsigs : 1, sizeof *st.hits);
	st.kept = xcalloc(ls->nsigs ? ls->nsigs : 1, sizeof *st.kept);
	size_t base = out->count;
	scan(&st);
	for (size_t i = base; i < out->count; i++)
		out->matches[i].hits = st.hits[out->matches[i].sig - ls->sigs];
	free(st.checked_line);
	free(st.hits);
	free(st.kept);
	return out->count - base;
}

/* ---- facts: which logs, read through the host ---- */

#define LOG_READ_MAX ((size_t)64 << 20)         /* read at most this much of one log */
#define LOG_SCAN_MAX ((size_t)16 << 20)         /* and scan its newest part, this long */
#define FILES_MAX 256                           /* logs looked at in one run */
#define DIR_ENTRIES_MAX 128                     /* entries of one directory considered */
#define HOST_PATH_MAX 1024
#define JOURNAL_TIMEOUT_MS 10000

struct collect {
	struct host *host;
	struct logscan *ls;
	struct logscan_result res;
	struct facts_logs *logs;
	size_t files_cap;
};

static struct logscan_file *file_add(struct collect *c, const char *path, unsigned source)
{
	struct facts_logs *l = c->logs;
	if (l->files_count == c->files_cap) {
		c->files_cap = c->files_cap ? c->files_cap * 2 : 16;
		l->files = xrealloc(l->files, c->files_cap * sizeof *l->files);
	}
	struct logscan_file *f = &l->files[l->files_count++];
	memset(f, 0, sizeof *f);
	f->path = xstrdup(path);
	f->source = logscan_source_name(source);
	return f;
}

/* Scan the newest LOG_SCAN_MAX bytes of buf, starting at a line, with right line numbers. */
static void scan_text(struct collect *c, struct logscan_file *f, unsigned source, const struct host_buf *buf)
{
	size_t skip = 0;
	if (buf->len > LOG_SCAN_MAX) {
		skip = buf->len - LOG_SCAN_MAX;
		const char *nl = memchr(buf->data + skip, '\n', buf->len - skip);
		skip = nl ? (size_t)(nl - buf->data) + 1 : buf->len;
	}
	unsigned first = 1 + (unsigned)logscan_count_newlines(buf->data, skip);
	f->truncated = buf->truncated || skip > 0;
	f->bytes = buf->len - skip;
	f->matches = logscan_buffer(c->ls, f->path, source, buf->data + skip, buf->len - skip, first, &c->res);
	c->logs->files_scanned++;
}

static void scan_file(struct collect *c, const char *path, unsigned source)
{
	if (c->logs->files_count >= FILES_MAX || strlen(path) >= HOST_PATH_MAX)
		return;
	struct host_buf buf = { 0 };
	int err = host_read_file(c->host, path, LOG_READ_MAX, &buf);
	if (err == -ENOENT || err == -ENOTDIR || err == -EISDIR) {
		host_buf_free(&buf);
		return;         /* absent is normal: the product or that VM is not there */
	}
	struct logscan_file *f = file_add(c, path, source);
	f->err = err;
	if (err == 0)
		scan_text(c, f, source, &buf);
	host_buf_free(&buf);
}

/* A name from a directory listing that can be joined to a path (hostile input). */
static bool name_ok(const char *name)
{
	size_t n = strlen(name);
	return n > 0 && n < 256 && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Every dir/<name> with the suffix (or dir/<name>/<inner> when inner is given). */
static void scan_dir(struct collect *c, const char *dir, const char *suffix, const char *inner, unsigned source)
{
	struct host_names names = { 0 };
	if (strlen(dir) >= HOST_PATH_MAX || host_list_dir(c->host, dir, &names) != 0) {
		host_names_free(&names);
		return;
	}
	for (size_t i = 0; i < names.count && i < DIR_ENTRIES_MAX; i++) {
		const char *name = names.items[i];
		if (!name_ok(name) || (suffix && !ends_with(name, suffix)))
			continue;
		char *path = inner ? xasprintf("%s/%s/%s", dir, name, inner) : xasprintf("%s/%s", dir, name);
		scan_file(c, path, source);
		free(path);
	}
	host_names_free(&names);
}

/* path, then path.1 .. path.<n> (rotated copies). */
static void scan_rotated(struct collect *c, const char *path, unsigned n, unsigned source)
{
	scan_file(c, path, source);
	for (unsigned i = 1; i <= n; i++) {
		char *p = xasprintf("%s.%u", path, i);
		scan_file(c, p, source);
		free(p);
	}
}

static void scan_kernel_log(struct collect *c)
{
	struct facts_logs *l = c->logs;
	struct host_buf buf = { 0 };
	int err = host_kernel_log(c->host, &buf);
	if (err == 0) {
		struct logscan_file *f = file_add(c, "dmesg", LOGSCAN_KERNEL);
		scan_text(c, f, LOGSCAN_KERNEL, &buf);
		host_buf_free(&buf);
		return;
	}
	host_buf_free(&buf);
	l->klog_err = err;
	snprintf(l->why, sizeof l->why, "kernel log: %s", err == -EPERM ? "restricted by kernel.dmesg_restrict"
			 : err == -ENODATA ? "not collected" : host_error(c->host));
	/* journalctl -k reads the same messages for members of adm/systemd-journal. */
	static const char *const argv[] = { "/usr/bin/journalctl", "-k", "-b", "--no-pager", NULL };
	struct host_cmd_result res;
	if (host_run(c->host, "journalctl-k", argv, JOURNAL_TIMEOUT_MS, &res) == 0 && res.exit_code == 0) {
		struct logscan_file *f = file_add(c, "commands/journalctl-k", LOGSCAN_KERNEL);
		scan_text(c, f, LOGSCAN_KERNEL, &res.output);
		l->klog_err = 0;
	}
	host_cmd_result_free(&res);
}

static void scan_product_logs(struct collect *c, const char *user, const char *home)
{
	scan_file(c, "/var/log/libvirt/libvirtd.log", LOGSCAN_LIBVIRT);
	scan_dir(c, "/var/log/libvirt/qemu", ".log", NULL, LOGSCAN_LIBVIRT);
	scan_rotated(c, "/var/log/vbox-setup.log", 4, LOGSCAN_VBOX);
	if (home) {
		char *dir = xasprintf("%s/VirtualBox VMs", home);
		struct host_names vms = { 0 };
		if (host_list_dir(c->host, dir, &vms) == 0)
			for (size_t i = 0; i < vms.count && i < DIR_ENTRIES_MAX; i++) {
				if (!name_ok(vms.items[i]))
					continue;
				char *log = xasprintf("%s/%s/Logs/VBox.log", dir, vms.items[i]);
				scan_rotated(c, log, 3, LOGSCAN_VBOX);
				free(log);
			}
		host_names_free(&vms);
		free(dir);
		char *svc = xasprintf("%s/.config/VirtualBox/VBoxSVC.log", home);
		scan_file(c, svc, LOGSCAN_VBOX);
		free(svc);
	}
	if (user && name_ok(user) && strcmp(user, "root") != 0) {
		char *dir = xasprintf("/tmp/vmware-%s", user);
		scan_dir(c, dir, ".log", NULL, LOGSCAN_VMWARE);
		free(dir);
	}
	scan_dir(c, "/tmp/vmware-root", ".log", NULL, LOGSCAN_VMWARE);
	if (home) {
		char *dir = xasprintf("%s/vmware", home);
		scan_dir(c, dir, NULL, "vmware.log", LOGSCAN_VMWARE);
		free(dir);
	}
	struct host_names mods = { 0 };
	if (host_list_dir(c->host, "/var/lib/dkms", &mods) == 0)
		for (size_t i = 0; i < mods.count && i < DIR_ENTRIES_MAX; i++) {
			if (!name_ok(mods.items[i]))
				continue;
			char *dir = xasprintf("/var/lib/dkms/%s", mods.items[i]);
			scan_dir(c, dir, NULL, "build/make.log", LOGSCAN_DKMS);
			free(dir);
		}
	host_names_free(&mods);
	/* DKMS prints its verdict on the terminal: apt keeps it in term.log. */
	scan_rotated(c, "/var/log/apt/term.log", 1, LOGSCAN_DKMS);
	scan_file(c, "/var/log/audit/audit.log", LOGSCAN_AUDIT);
}

static int match_cmp(const void *a, const void *b)
{
	const struct logscan_match *x = a, *y = b;
	int c = strcmp(x->file, y->file);
	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->sig < y->sig ? -1 : x->sig > y->sig;
}

void facts_collect_logs(struct host *host, struct facts *facts)
{
	struct facts_logs *l = &facts->logs;
	memset(l, 0, sizeof *l);
	struct collect c = { .host = host, .ls = logscan_new(), .logs = l };
	const char *user = facts->user.err == 0 && facts->user.user.name[0] ? facts->user.user.name : NULL;
	const char *home = user && facts->user.home[0] ? facts->user.home : NULL;
	scan_kernel_log(&c);
	scan_product_logs(&c, user, home);
	if (c.res.count)
		qsort(c.res.matches, c.res.count, sizeof *c.res.matches, match_cmp);
	l->matches = c.res.matches;
	l->count = c.res.count;
	logscan_free(c.ls);
}

void facts_free_logs(struct facts *facts)
{
	struct facts_logs *l = &facts->logs;
	struct logscan_result res = { .matches = l->matches, .count = l->count };
	logscan_result_free(&res);
	for (size_t i = 0; i < l->files_count; i++)
		free(l->files[i].path);
	free(l->files);
	memset(l, 0, sizeof *l);
}

static bool match_is(const struct logscan_match *m, const char *code)
{
	return m->code && code && strcmp(m->code, code) == 0;
}

const struct logscan_match *facts_log_next(const struct facts *f, const char *code,
					   const struct logscan_match *prev)
{
	const struct facts_logs *l = &f->logs;
	size_t i = prev ? (size_t)(prev - l->matches) + 1 : 0;
	for (; i < l->count; i++)
		if (match_is(&l->matches[i], code))
			return &l->matches[i];
	return NULL;
}

size_t facts_log_matches(const struct facts *f, const char *code, const struct logscan_match **first)
{
	size_t n = 0;
	const struct logscan_match *m = facts_log_next(f, code, NULL);
	if (first)
		*first = m;
	for (; m; m = facts_log_next(f, code, m))
		n++;
	return n;
}
