/* SPDX-License-Identifier: MIT */
/* Support bundles: one archive with the snapshot the checks read, their report and a manifest. */
#ifndef VMDOCTOR_BUNDLE_H
#define VMDOCTOR_BUNDLE_H

/*
 * bundle_write() runs the facts and checks on a recording host wrapped around `source`, then
 * writes a snapshot v1 tree (docs/snapshot-format.md), report.json, report.txt and manifest.json
 * straight into a tar archive (docs/bundle.md): deterministic (sorted names, fixed owner, mtimes
 * from the snapshot's created time), to a temporary file in the target folder that is renamed into
 * place only when complete and removed on failure or SIGINT.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdoctor/host.h"

enum bundle_compress { BUNDLE_GZIP, BUNDLE_ZSTD, BUNDLE_XZ };

/* Progress of bundle_write(): `stage` in words, `done` of `total` bytes (`total` 0 while collecting). */
typedef void (*bundle_progress_fn)(void *ctx, const char *stage, uint64_t done, uint64_t total);

struct bundle_options {
	const char *output;                     /* -o FILE, or NULL for the default name in "." */
	enum bundle_compress compress;
	uint64_t max_size;                      /* budget for the members' bytes (logs are cut to fit) */
	const char *tool;                       /* "vmdoctor 1.2.3", snapshot.json "tool" */
	/* Redaction (docs/bundle.md, core/redact.c): pseudonyms keyed by redact_key; the map back to the real
	 * values is written to map_dir (never into the bundle) and its path returned in map_path. */
	bool redact;
	const unsigned char *redact_key;
	size_t redact_key_len;
	const char *map_dir;
	char *map_path;                         /* out, may be NULL */
	size_t map_path_len;
	char *sha256;                           /* out, may be NULL: the archive's SHA-256, 64 hex digits + NUL */
	uint64_t *size;                         /* out, may be NULL: the archive's size in bytes */
	bundle_progress_fn progress;            /* NULL: no progress reports (the wizard draws a bar) */
	void *progress_ctx;
};

#define BUNDLE_DEFAULT_MAX_SIZE (25ull << 20)

/* Returns 0 and the path written in `written`, or -errno with a one-line reason in `why`. */
int bundle_write(struct host *source, const struct bundle_options *opt, char *written, size_t written_len,
		 char *why, size_t why_len);

/* "gzip" -> BUNDLE_GZIP...; -EINVAL for another name. */
int bundle_compress_from_name(const char *name, enum bundle_compress *out);
/* "25M", "1G", "4096" -> bytes; -EINVAL when malformed. */
int bundle_size_from_text(const char *text, uint64_t *out);

/* SHA-256 of `data` as 64 lower-case hex digits and a NUL. */
void bundle_sha256_hex(const void *data, size_t len, char out[65]);
/* The same digest as 32 bytes (for the redaction HMAC). */
void bundle_sha256(const void *data, size_t len, unsigned char out[32]);
/* The same, fed piece by piece (the archive is hashed as it is written, never read back). */
struct bundle_sha256_ctx {
	uint32_t h[8];
	unsigned char buf[64];
	size_t buf_len;
	uint64_t total;
};
void bundle_sha256_init(struct bundle_sha256_ctx *c);
void bundle_sha256_update(struct bundle_sha256_ctx *c, const void *data, size_t len);
void bundle_sha256_final(struct bundle_sha256_ctx *c, unsigned char out[32]);
void bundle_sha256_digest_hex(const unsigned char digest[32], char out[65]);

#endif
