/* SPDX-License-Identifier: MIT */
/* Redaction of support bundles: consistent keyed pseudonyms for names, addresses and serials; secrets removed. */
#ifndef VMDOCTOR_REDACT_H
#define VMDOCTOR_REDACT_H

/*
 * A redactor holds a key and the values it has learned. Call order: redactor_new() with the key
 * (redact_key_load() finds it), redactor_learn() on the host being bundled (user and host names,
 * real names, DMI serials; nothing is recorded into the bundle by it), then redactor_text() and
 * redactor_path() on every member, then redactor_write_map() once, and redactor_free().
 *
 * Every pseudonym is HMAC-SHA256(key, kind ":" value), so the same value gets the same pseudonym in
 * every member and in every bundle made with the same key: alice -> user1a2b, a host name ->
 * host-3c4d, 192.168.1.23 -> another 192.168.x.y (prefix-preserving, so networks stay networks),
 * a MAC keeps a hypervisor's OUI (52:54:00, 08:00:27, 00:50:56, 00:0c:29, 00:05:69). Secrets
 * (passwords, keys, tokens, libvirt secret values) become REDACT_SECRET_MARK and are never mapped.
 * Names are replaced only as whole words: "al" never changes "also".
 */

#include <stdbool.h>
#include <stddef.h>

#include "vmdoctor/host.h"

enum redact_kind {
	REDACT_USER,            /* login names of people (uid >= 1000) and the snapshot's user */
	REDACT_REALNAME,        /* GECOS real names */
	REDACT_HOST,            /* host and domain names */
	REDACT_IP4,
	REDACT_IP6,
	REDACT_MAC,
	REDACT_SERIAL,          /* DMI serial numbers, UUID and asset tags */
	REDACT_SECRET,          /* removed, never mapped */
	REDACT_KIND_COUNT
};

#define REDACT_SECRET_MARK "[REDACTED-SECRET]"
#define REDACT_KEY_MAX 64

struct redactor;

/*
 * The key: VMDOCTOR_REDACT_KEY (its bytes) when set, else `state_dir`/redact.key (64 hex digits,
 * mode 0600), created with random bytes on first use. Returns 0, or -errno with a reason in `why`.
 */
int redact_key_load(const char *state_dir, unsigned char key[REDACT_KEY_MAX], size_t *key_len, char *why,
		    size_t why_len);

struct redactor *redactor_new(const unsigned char *key, size_t key_len);
void redactor_free(struct redactor *r);

/* Learn one value to replace wherever it appears as a whole word (user, real name, host, serial). */
void redactor_add(struct redactor *r, enum redact_kind kind, const char *value);
/* Learn the names of `host`: /etc/hostname, /proc/sys/kernel/hostname, /etc/hosts, /etc/passwd
 * (uid >= 1000, GECOS), the user the host reports, and the DMI serials. */
void redactor_learn(struct redactor *r, struct host *host);

/* The redacted copy (malloc'ed, NUL-terminated, length in *out_len) of member `name`'s bytes; the
 * member's name picks whole-file rules (libvirt secret values, DMI serial files). *changed says
 * whether anything was replaced. Binary members (a NUL byte) get names masked with '*', same length. */
char *redactor_text(struct redactor *r, const char *name, const char *data, size_t len, size_t *out_len,
		    bool *changed);
/* A member name or path with names, addresses and serials replaced (malloc'ed). */
char *redactor_path(struct redactor *r, const char *path, bool *changed);

/* The pseudonym of a value already replaced or learned, or NULL. */
const char *redactor_lookup(const struct redactor *r, enum redact_kind kind, const char *value);
/* The pseudonym of the first host name learned (the default bundle name uses it), or NULL. */
const char *redactor_host_pseudonym(const struct redactor *r);
/* How many replacements of `kind` were made, and how many distinct values they covered. */
size_t redactor_count(const struct redactor *r, enum redact_kind kind);
size_t redactor_values(const struct redactor *r, enum redact_kind kind);
const char *redact_kind_name(enum redact_kind kind);   /* "user", "ip4", ... */

/* The map pseudonym -> real value (JSON), mode 0600, to `path` (never into a bundle). */
int redactor_write_map(const struct redactor *r, const char *path, const char *bundle, const char *sha256,
		       char *why, size_t why_len);

#endif
