/* SPDX-License-Identifier: MIT */
/* Redaction of support bundles: keyed pseudonyms (HMAC-SHA256) that keep a bundle diagnosable, secrets removed. */
#include "vmdoctor/redact.h"

#include "vmdoctor/bundle.h"
#include "vmdoctor/xalloc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define REDACT_LEARN_MAX (1u << 20)     /* /etc/passwd, /etc/hosts: more is not a real file */
#define REDACT_TAG_MAX 4096             /* an XML tag longer than this is not looked into */

struct redact_entry {
	enum redact_kind kind;
	char *value;            /* as learned; for ci kinds compared case-insensitively */
	char *pseudo;
	bool token;             /* replaced as a whole word by the token pass (names, serials) */
	bool used;
};

struct redactor {
	unsigned char key[REDACT_KEY_MAX];
	size_t key_len;
	struct redact_entry *items;
	size_t count;
	size_t *slots;          /* hash of (kind, value) -> index + 1; 0 is empty */
	size_t n_slots;
	size_t *order;          /* token entries, longest value first (rebuilt when `sorted` is false) */
	size_t n_order;
	bool sorted;
	size_t replaced[REDACT_KIND_COUNT];
};

/* ---- growing output buffer ---- */

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/* ---- kinds ---- */

static const struct {
	const char *name;       /* manifest and map wording, and the HMAC domain */
	const char *prefix;     /* pseudonym prefix for word tokens */
	bool ci;                /* matched case-insensitively (DNS names, serials) */
} kinds[REDACT_KIND_COUNT] = {
	[REDACT_USER] = { "user", "user", false },
	[REDACT_REALNAME] = { "realname", "person-", false },
	[REDACT_HOST] = { "host", "host-", true },
	[REDACT_IP4] = { "ip4", "", false },
	[REDACT_IP6] = { "ip6", "", true },
	[REDACT_MAC] = { "mac", "", true },
	[REDACT_SERIAL] = { "serial", "serial-", true },
	[REDACT_SECRET] = { "secret", "", false },
};

const char *redact_kind_name(enum redact_kind kind)
{
	return kind < REDACT_KIND_COUNT ? kinds[kind].name : "?";
}

/* ---- HMAC-SHA256 (RFC 2104) on the bundle's own SHA-256 ---- */

static void redact_hmac(const struct redactor *r, const void *msg, size_t len, unsigned char out[32])
{
	unsigned char k[64] = { 0 }, inner[32], outer[96];
	unsigned char *buf = xmalloc(64 + len);

	if (r->key_len > 64)
		bundle_sha256(r->key, r->key_len, k);
	else
		memcpy(k, r->key, r->key_len);
	for (int i = 0; i < 64; i++) {
		buf[i] = k[i] ^ 0x36;
		outer[i] = k[i] ^ 0x5c;
	}
	if (len)
		memcpy(buf + 64, msg, len);
	bundle_sha256(buf, 64 + len, inner);
	memcpy(outer + 64, inner, 32);
	bundle_sha256(outer, sizeof outer, out);
	free(buf);
}

/* HMAC over "kind:value" (value lower-cased for the case-insensitive kinds). */
static void redact_digest(const struct redactor *r, enum redact_kind kind, const char *value, unsigned char out[32])
{
	char *msg = xasprintf("%s:%s", kinds[kind].name, value);

	if (kinds[kind].ci)
		for (char *p = msg; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	redact_hmac(r, msg, strlen(msg), out);
	free(msg);
}

/* ---- the table of values ---- */

struct redactor *redactor_new(const unsigned char *key, size_t key_len)
{
	struct redactor *r = xcalloc(1, sizeof *r);

	if (key_len > REDACT_KEY_MAX)
		key_len = REDACT_KEY_MAX;
	memcpy(r->key, key, key_len);
	r->key_len = key_len;
	return r;
}

void redactor_free(struct redactor *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->count; i++) {
		free(r->items[i].value);
		free(r->items[i].pseudo);
	}
	free(r->items);
	free(r->slots);
	free(r->order);
	free(r);
}

/* FNV-1a of kind and value (folded to lower case for the case-insensitive kinds). */
static size_t redact_hash(enum redact_kind kind, const char *value)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)kind;

	for (const char *p = value; *p; p++) {
		h ^= (unsigned char)(kinds[kind].ci ? tolower((unsigned char)*p) : *p);
		h *= 1099511628211ull;
	}
	return (size_t)h;
}

static bool redact_same(const struct redact_entry *e, enum redact_kind kind, const char *value)
{
	return e->kind == kind && (kinds[kind].ci ? strcasecmp(e->value, value) : strcmp(e->value, value)) == 0;
}

static struct redact_entry *redact_find(const struct redactor *r, enum redact_kind kind, const char *value)
{
	if (!r->n_slots)
		return NULL;
	for (size_t s = redact_hash(kind, value) & (r->n_slots - 1);; s = (s + 1) & (r->n_slots - 1)) {
		if (!r->slots[s])
			return NULL;
		if (redact_same(&r->items[r->slots[s] - 1], kind, value))
			return &r->items[r->slots[s] - 1];
	}
}

/* Keeps the table at most half full; a power of two so that masking picks the slot. */
static void redact_index(struct redactor *r, size_t idx)
{
	if ((r->count + 1) * 2 > r->n_slots) {
		size_t n = r->n_slots ? r->n_slots * 2 : 64;

		free(r->slots);
		r->slots = xcalloc(n, sizeof *r->slots);
		r->n_slots = n;
		for (size_t i = 0; i < r->count; i++)
			if (i != idx)
				redact_index(r, i);
	}
	for (size_t s = redact_hash(r->items[idx].kind, r->items[idx].value) & (r->n_slots - 1);;
	     s = (s + 1) & (r->n_slots - 1))
		if (!r->slots[s]) {
			r->slots[s] = idx + 1;
			return;
		}
}

const char *redactor_lookup(const struct redactor *r, enum redact_kind kind, const char *value)
{
	const struct redact_entry *e = kind < REDACT_KIND_COUNT ? redact_find(r, kind, value) : NULL;

	return e ? e->pseudo : NULL;
}

static bool redact_pseudo_taken(const struct redactor *r, const char *pseudo)
{
	for (size_t i = 0; i < r->count; i++)
		if (strcmp(r->items[i].pseudo, pseudo) == 0)
			return true;
	return false;
}

static bool redact_is_uuid(const char *v)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	if (strlen(v) != sizeof shape - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == '-' ? v[i] != '-' : !isxdigit((unsigned char)v[i]))
			return false;
	return true;
}

/* A word pseudonym: prefix + hex of the HMAC, longer when two values would meet (never in practice). */
static char *redact_word_pseudo(const struct redactor *r, enum redact_kind kind, const char *value)
{
	unsigned char d[32];
	char hex[65];
	const char *prefix = kinds[kind].prefix;

	redact_digest(r, kind, value, d);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	if (kind == REDACT_SERIAL && redact_is_uuid(value)) {
		/* A UUID stays a UUID, in the case it was written in. */
		bool upper = strpbrk(value, "ABCDEF") != NULL;
		char *u = xasprintf("%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);

		for (char *p = u; upper && *p; p++)
			*p = (char)toupper((unsigned char)*p);
		return u;
	}
	if (kind == REDACT_HOST && strchr(value, '.'))
		prefix = "domain-";
	for (int n = kind == REDACT_SERIAL ? 8 : 4; n <= 64; n += 2) {
		char *p = xasprintf("%s%.*s", prefix, n, hex);

		if (!redact_pseudo_taken(r, p))
			return p;
		free(p);
	}
	return xasprintf("%s%s-%zu", prefix, hex, r->count);
}

static struct redact_entry *redact_insert(struct redactor *r, enum redact_kind kind, const char *value, char *pseudo,
					  bool token)
{
	struct redact_entry *e;

	r->items = xrealloc(r->items, (r->count + 1) * sizeof *r->items);
	e = &r->items[r->count++];
	e->kind = kind;
	e->value = xstrdup(value);
	e->pseudo = pseudo;
	e->token = token;
	e->used = false;
	redact_index(r, r->count - 1);
	if (token)
		r->sorted = false;
	return e;
}

void redactor_add(struct redactor *r, enum redact_kind kind, const char *value)
{
	if (kind >= REDACT_KIND_COUNT || kind == REDACT_SECRET || !value || !*value || redact_find(r, kind, value))
		return;
	redact_insert(r, kind, value, redact_word_pseudo(r, kind, value), true);
}

/* ---- learning the names of a host ---- */

/* Never pseudonyms: names the checks and the reader need, and names that identify nobody. */
static const char *const redact_keep_names[] = {
	"root", "nobody", "localhost", "localdomain", "kvm", "libvirt", "libvirt-qemu", "libvirtd", "qemu", "vboxusers",
	"vmware", "users", "user", "admin", "sudo", "wheel", "debian", "ubuntu", "fedora", "linux", "home", "local",
	"host", "guest", "default",
	/* Host names so common that they identify nobody, and words the reports use ("a test vm"). */
	"vm", "pc", "box", "server", "desktop", "laptop", "workstation", "node", "machine", "computer", "kali",
	"archlinux", "raspberrypi", "centos", "rocky", "alma", "mint", "manjaro", "opensuse", "arch",
	/* Real names that are also dates in every log ("May 12 10:00:00"): replacing them would break the logs. */
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "january", "february",
	"march", "april", "june", "july", "august", "september", "october", "november", "december", "mon", "tue",
	"wed", "thu", "fri", "sat", "sun", "info", "error", "warning", "debug", "notice",
};

static const char *const redact_placeholder_serials[] = {
	"Not Specified", "Default string", "To Be Filled By O.E.M.", "System Serial Number", "None", "Not Applicable",
	"Chassis Serial Number", "Base Board Serial Number", "Unknown", "N/A", "Not Available", "0123456789",
};

static bool redact_in(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(list[i], s) == 0)
			return true;
	return false;
}

#define REDACT_IN(list, s) redact_in(list, sizeof list / sizeof list[0], s)

static bool redact_keep_name(const char *s)
{
	return REDACT_IN(redact_keep_names, s) || strncasecmp(s, "ip6-", 4) == 0 ||
	       strncasecmp(s, "localhost", 9) == 0;
}

static void redact_trim(char *s)
{
	size_t n = strlen(s);
	char *p = s;

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (*p && isspace((unsigned char)*p))
		p++;
	memmove(s, p, strlen(p) + 1);
}

static bool redact_host_name_ok(const char *s)
{
	if (!*s || strlen(s) > 253)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.' && *s != '_')
			return false;
	return true;
}

/* "pc1.corp.example" -> host "pc1" and domain "corp.example"; a one-label domain ("lan") is kept. */
static void redact_add_host(struct redactor *r, const char *name)
{
	char buf[256];
	char *dot;

	snprintf(buf, sizeof buf, "%s", name);
	redact_trim(buf);
	if (!redact_host_name_ok(buf) || redact_keep_name(buf))
		return;
	dot = strchr(buf, '.');
	if (dot) {
		*dot = '\0';
		/* lab.corp.example and corp.example: other hosts of the same organisation share the latter. */
		for (char *d = dot + 1; d && strchr(d, '.'); d = strchr(d, '.') ? strchr(d, '.') + 1 : NULL)
			if (!redact_keep_name(d))
				redactor_add(r, REDACT_HOST, d);
	}
	if (buf[0] && !redact_keep_name(buf))
		redactor_add(r, REDACT_HOST, buf);
}

static char *redact_read(struct host *host, const char *path)
{
	struct host_buf b = { 0 };
	char *text = NULL;

	if (host_read_file(host, path, REDACT_LEARN_MAX, &b) == 0 && b.data && !memchr(b.data, '\0', b.len))
		text = xstrndup(b.data, b.len);
	host_buf_free(&b);
	return text;
}

static void redact_learn_hostname(struct redactor *r, struct host *host, const char *path)
{
	char *text = redact_read(host, path);

	if (text) {
		text[strcspn(text, "\n")] = '\0';
		redact_add_host(r, text);
	}
	free(text);
}

static void redact_learn_hosts(struct redactor *r, struct host *host)
{
	char *text = redact_read(host, "/etc/hosts"), *save = NULL;

	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char *f, *fsave = NULL;

		line[strcspn(line, "#")] = '\0';
		f = strtok_r(line, " \t", &fsave);       /* the address */
		while (f && (f = strtok_r(NULL, " \t", &fsave)) != NULL)
			redact_add_host(r, f);
	}
	free(text);
}

/* The n-th ':' field of a passwd/group line, copied into `out`. */
static bool redact_field(const char *line, int n, char *out, size_t len)
{
	const char *p = line, *end;

	for (int i = 0; i < n; i++) {
		p = strchr(p, ':');
		if (!p)
			return false;
		p++;
	}
	end = strchr(p, ':');
	snprintf(out, len, "%.*s", (int)(end ? (size_t)(end - p) : strlen(p)), p);
	return true;
}

static bool redact_has_alpha(const char *s)
{
	for (; *s; s++)
		if (isalpha((unsigned char)*s) || (unsigned char)*s >= 0x80)
			return true;
	return false;
}

/* GECOS: the full name and its words; room and phone fields only when long enough not to hit other words. */
static void redact_add_gecos(struct redactor *r, const char *gecos)
{
	char buf[512], *save = NULL;
	int i = 0;

	snprintf(buf, sizeof buf, "%s", gecos);
	for (char *f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save), i++) {
		char word[256], *wsave = NULL;

		redact_trim(f);
		if (strlen(f) < (i == 0 ? 2u : 6u) || redact_keep_name(f))
			continue;
		redactor_add(r, REDACT_REALNAME, f);
		if (i != 0)
			continue;
		snprintf(word, sizeof word, "%s", f);
		for (char *w = strtok_r(word, " \t", &wsave); w; w = strtok_r(NULL, " \t", &wsave))
			if (strlen(w) >= 3 && redact_has_alpha(w) && !redact_keep_name(w))
				redactor_add(r, REDACT_REALNAME, w);
	}
}

/* People: uid >= 1000 (not nobody), unless a system group has the same name. */
static void redact_learn_passwd(struct redactor *r, struct host *host, const struct host_names *system_groups)
{
	char *text = redact_read(host, "/etc/passwd"), *save = NULL;

	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char name[256], uid[32], gecos[512];
		unsigned long v;
		char *end;

		if (!redact_field(line, 0, name, sizeof name) || !redact_field(line, 2, uid, sizeof uid))
			continue;
		v = strtoul(uid, &end, 10);
		if (end == uid || *end || v < 1000 || v == 65534 || !name[0] || redact_keep_name(name) ||
		    host_names_contains(system_groups, name))
			continue;
		redactor_add(r, REDACT_USER, name);
		if (redact_field(line, 4, gecos, sizeof gecos))
			redact_add_gecos(r, gecos);
	}
	free(text);
}

static void redact_learn_groups(struct host *host, struct host_names *system_groups)
{
	char *text = redact_read(host, "/etc/group"), *save = NULL;

	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char name[256], gid[32];
		char *end;
		unsigned long v;

		if (!redact_field(line, 0, name, sizeof name) || !redact_field(line, 2, gid, sizeof gid))
			continue;
		v = strtoul(gid, &end, 10);
		if (end != gid && !*end && v < 1000) {
			system_groups->items = xrealloc(system_groups->items,
							(system_groups->count + 1) * sizeof *system_groups->items);
			system_groups->items[system_groups->count++] = xstrdup(name);
		}
	}
	free(text);
}

/* DMI files whose whole content is a serial number or an identifier. */
static const char *const redact_dmi_files[] = {
	"product_serial", "board_serial", "chassis_serial", "product_uuid", "board_asset_tag", "chassis_asset_tag",
};

static bool redact_serial_ok(const char *v)
{
	return strlen(v) >= 4 && !REDACT_IN(redact_placeholder_serials, v) && strspn(v, "0-") != strlen(v);
}

static void redact_learn_dmi(struct redactor *r, struct host *host)
{
	for (size_t i = 0; i < sizeof redact_dmi_files / sizeof redact_dmi_files[0]; i++) {
		char *path = xasprintf("/sys/class/dmi/id/%s", redact_dmi_files[i]);
		char *text = redact_read(host, path);

		if (text) {
			redact_trim(text);
			if (redact_serial_ok(text))
				redactor_add(r, REDACT_SERIAL, text);
		}
		free(text);
		free(path);
	}
}

/* People whose accounts are not in /etc/passwd (LDAP, SSSD) still have a folder in /home. */
static void redact_learn_homes(struct redactor *r, struct host *host, const struct host_names *system_groups)
{
	struct host_names homes = { 0 };

	if (host_list_dir(host, "/home", &homes) == 0)
		for (size_t i = 0; i < homes.count; i++)
			if (homes.items[i][0] != '.' && strcmp(homes.items[i], "lost+found") != 0 &&
			    !redact_keep_name(homes.items[i]) && !host_names_contains(system_groups, homes.items[i]))
				redactor_add(r, REDACT_USER, homes.items[i]);
	host_names_free(&homes);
}

void redactor_learn(struct redactor *r, struct host *host)
{
	struct host_names system_groups = { 0 };
	struct host_user u;

	redact_learn_hostname(r, host, "/etc/hostname");
	redact_learn_hostname(r, host, "/proc/sys/kernel/hostname");
	redact_learn_hosts(r, host);
	redact_learn_groups(host, &system_groups);
	redact_learn_passwd(r, host, &system_groups);
	memset(&u, 0, sizeof u);
	if (host_user(host, &u) == 0 && u.uid != 0 && u.name[0] && !redact_keep_name(u.name) &&
	    !host_names_contains(&system_groups, u.name))
		redactor_add(r, REDACT_USER, u.name);
	host_user_free(&u);
	redact_learn_homes(r, host, &system_groups);
	host_names_free(&system_groups);
	redact_learn_dmi(r, host);
}

/* ---- the passes over a text ---- */

static bool is_word(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

static void redact_count(struct redactor *r, struct redact_entry *e)
{
	r->replaced[e->kind]++;
	e->used = true;
}

static int redact_len_cmp(const void *a, const void *b, void *arg)
{
	const struct redactor *r = arg;
	size_t la = strlen(r->items[*(const size_t *)a].value), lb = strlen(r->items[*(const size_t *)b].value);

	return la != lb ? (la < lb ? 1 : -1) : (*(const size_t *)a < *(const size_t *)b ? -1 : 1);
}

static void redact_sort_tokens(struct redactor *r)
{
	if (r->sorted)
		return;
	free(r->order);
	r->order = xcalloc(r->count + 1, sizeof *r->order);
	r->n_order = 0;
	for (size_t i = 0; i < r->count; i++)
		if (r->items[i].token)
			r->order[r->n_order++] = i;
	qsort_r(r->order, r->n_order, sizeof *r->order, redact_len_cmp, r);
	r->sorted = true;
}

/* The token entry that starts at in[i] as a whole word, or NULL. */
static struct redact_entry *redact_token_at(struct redactor *r, const char *in, size_t n, size_t i)
{
	for (size_t k = 0; k < r->n_order; k++) {
		struct redact_entry *e = &r->items[r->order[k]];
		size_t len = strlen(e->value);

		if (len > n - i || tolower((unsigned char)in[i]) != tolower((unsigned char)e->value[0]))
			continue;
		if ((kinds[e->kind].ci ? strncasecmp(in + i, e->value, len) : strncmp(in + i, e->value, len)) != 0)
			continue;
		if (i + len < n && is_word((unsigned char)in[i + len]))
			continue;
		return e;
	}
	return NULL;
}

/* Names and serials as whole words; in a binary member they are masked with '*' so offsets stay. */
static void pass_tokens(struct redactor *r, struct sbuf *out, const char *in, size_t n, bool mask)
{
	size_t i = 0;

	redact_sort_tokens(r);
	while (i < n) {
		struct redact_entry *e = (i == 0 || !is_word((unsigned char)in[i - 1])) ? redact_token_at(r, in, n, i) : NULL;

		if (!e) {
			sb_put(out, in + i, 1);
			i++;
			continue;
		}
		redact_count(r, e);
		if (mask)
			for (size_t k = 0; k < strlen(e->value); k++)
				sb_put(out, "*", 1);
		else
			sb_str(out, e->pseudo);
		i += strlen(e->value);
	}
}

/* Address pseudonyms are computed, then kept in the table so the map can translate them back. */
static struct redact_entry *redact_computed(struct redactor *r, enum redact_kind kind, const char *value,
					    char *(*make)(const struct redactor *, const char *))
{
	struct redact_entry *e = redact_find(r, kind, value);

	if (!e)
		e = redact_insert(r, kind, value, make(r, value), false);
	return e;
}

/* The keyed flips of byte `byte` of an address: one HMAC over the bytes before it gives 256 bits; bit j of
 * the byte (j bits of the byte before it, 2^j possible values) takes its flip from position 2^j - 1 + those
 * bits (255 positions). Bits before `keep` (counted from the address's start) are not flipped. */
static unsigned char redact_byte_permute(const struct redactor *r, const char *tag, const unsigned char *orig,
					 unsigned byte, unsigned char x, unsigned keep)
{
	unsigned char msg[20], d[32], out = x;

	memcpy(msg, tag, 3);
	msg[3] = (unsigned char)byte;
	memcpy(msg + 4, orig, byte);
	redact_hmac(r, msg, 4 + byte, d);
	for (unsigned j = 0; j < 8; j++) {
		unsigned idx = (1u << j) - 1 + (j ? (unsigned)x >> (8 - j) : 0);

		if (byte * 8 + j >= keep && (d[idx / 8] >> (idx % 8)) & 1)
			out ^= (unsigned char)(0x80 >> j);
	}
	return out;
}

/* Prefix-preserving: bit i of the result is bit i XOR a keyed function of the bits before it, so two
 * addresses that share a prefix of n bits still share exactly n bits, and no two addresses meet. */
static void redact_prefix_permute(const struct redactor *r, const char *tag, unsigned char *a, size_t nbytes,
				  unsigned keep)
{
	unsigned char orig[16];

	memcpy(orig, a, nbytes);
	for (unsigned byte = keep / 8; byte < nbytes; byte++)
		a[byte] = redact_byte_permute(r, tag, orig, byte, orig[byte], keep);
}

/* IPv4 ranges whose leading bits are kept (private stays private, link-local stays link-local). */
static const struct {
	uint32_t net;
	unsigned bits;
} redact_ip4_ranges[] = {
	{ 0x0A000000, 8 }, { 0xAC100000, 12 }, { 0xC0A80000, 16 }, { 0xA9FE0000, 16 }, { 0x64400000, 10 },
	{ 0xC0000200, 24 }, { 0xC6336400, 24 }, { 0xCB007100, 24 },
};

/* The default networks of the hypervisors, the same on millions of machines (and named by the reports):
 * libvirt 192.168.122.0/24, VirtualBox host-only 192.168.56.0/24 and NAT 10.0.2.0/24, Docker 172.17/16. */
static const struct {
	uint32_t net;
	unsigned bits;
} redact_ip4_defaults[] = {
	{ 0xC0A87A00, 24 }, { 0xC0A83800, 24 }, { 0x0A000200, 24 }, { 0xAC110000, 16 },
};

/* Not identifying, and meaningful as they are: this network, loopback, multicast and above, netmasks, the
 * hypervisors' default networks. */
static bool redact_ip4_keep(uint32_t a)
{
	uint32_t inv = ~a;

	for (size_t i = 0; i < sizeof redact_ip4_defaults / sizeof redact_ip4_defaults[0]; i++)
		if ((a >> (32 - redact_ip4_defaults[i].bits)) == (redact_ip4_defaults[i].net >> (32 - redact_ip4_defaults[i].bits)))
			return true;
	return (a >> 24) == 0 || (a >> 24) == 127 || (a >> 28) >= 14 || (inv & (inv + 1)) == 0;
}

static unsigned redact_ip4_range(uint32_t a, bool *special)
{
	for (size_t i = 0; i < sizeof redact_ip4_ranges / sizeof redact_ip4_ranges[0]; i++) {
		unsigned bits = redact_ip4_ranges[i].bits;

		if ((a >> (32 - bits)) == (redact_ip4_ranges[i].net >> (32 - bits))) {
			*special = true;
			return bits;
		}
	}
	*special = false;
	return 8;
}

/* The first 24 bits, prefix-preserving (the special ranges are all /24 or wider). */
static uint32_t redact_ip4_prefix(const struct redactor *r, uint32_t prefix, unsigned keep)
{
	unsigned char b[3] = { (unsigned char)(prefix >> 16), (unsigned char)(prefix >> 8), (unsigned char)prefix };

	redact_prefix_permute(r, "ip4", b, 3, keep);
	return (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
}

static bool redact_ip4_host_kept(unsigned last)
{
	return last == 0 || last == 1 || last == 255;
}

/*
 * The network part is permuted prefix-preservingly, keeping the range's leading bits; a public network
 * stays public. The host part
 * .0, .1 and .255 (network, usual gateway, broadcast) stays; any other host part is permuted within
 * 2-254, keyed by the original network, so the same /24 keeps its shape.
 */
static uint32_t redact_ip4_value(const struct redactor *r, uint32_t a)
{
	unsigned char orig[3] = { (unsigned char)(a >> 24), (unsigned char)(a >> 16), (unsigned char)(a >> 8) };
	bool special, out_special;
	unsigned keep, last = a & 0xff;
	uint32_t prefix;

	if (redact_ip4_keep(a))
		return a;
	keep = redact_ip4_range(a, &special);
	prefix = redact_ip4_prefix(r, a >> 8, keep);
	/* Walk the cycle out of what would mislead or collide: a public network landing in a private range,
	 * any network landing in a default network (those are kept as they are). */
	for (int i = 0; i < 256; i++) {
		redact_ip4_range(prefix << 8, &out_special);
		if ((special || !out_special) && !redact_ip4_keep(prefix << 8 | 2))
			break;
		prefix = redact_ip4_prefix(r, prefix, keep);
	}
	if (!redact_ip4_host_kept(last))
		do
			last = redact_byte_permute(r, "ip4", orig, 3, (unsigned char)last, 0);
		while (redact_ip4_host_kept(last));
	return prefix << 8 | last;
}

static char *redact_make_ip4(const struct redactor *r, const char *value)
{
	struct in_addr in;
	char buf[INET_ADDRSTRLEN];

	if (inet_pton(AF_INET, value, &in) != 1)
		return xstrdup(value);
	in.s_addr = htonl(redact_ip4_value(r, ntohl(in.s_addr)));
	inet_ntop(AF_INET, &in, buf, sizeof buf);
	return xstrdup(buf);
}

static char *redact_make_ip6(const struct redactor *r, const char *value)
{
	unsigned char a[16];
	static const unsigned char zero[10];
	char buf[INET6_ADDRSTRLEN];
	unsigned keep = 16;

	if (inet_pton(AF_INET6, value, a) != 1)
		return xstrdup(value);
	if (memcmp(a, zero, 10) == 0 && a[10] == 0xff && a[11] == 0xff) {
		/* IPv4-mapped: the IPv4 rules apply to the last 32 bits. */
		uint32_t v = redact_ip4_value(r, (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 | (uint32_t)a[14] << 8 | a[15]);

		for (int i = 0; i < 4; i++)
			a[12 + i] = (unsigned char)(v >> (24 - 8 * i));
	} else if (memcmp(a, zero, 8) == 0 || a[0] == 0xff) {
		return xstrdup(value);          /* ::, ::1 and friends, multicast */
	} else {
		if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
			keep = 64;              /* link-local: fe80::/64, the interface part (often a MAC) changes */
		else if ((a[0] & 0xfe) == 0xfc)
			keep = 8;               /* unique local */
		redact_prefix_permute(r, "ip6", a, 16, keep);
	}
	inet_ntop(AF_INET6, a, buf, sizeof buf);
	return xstrdup(buf);
}

/* Hypervisor OUIs stay: they tell which hypervisor made the NIC. */
static const unsigned char redact_kept_ouis[][3] = {
	{ 0x52, 0x54, 0x00 }, { 0x08, 0x00, 0x27 }, { 0x00, 0x50, 0x56 }, { 0x00, 0x0c, 0x29 }, { 0x00, 0x05, 0x69 },
};

/* value: 12 lower-case hex digits. Pseudonym: 12 hex digits too. */
static char *redact_make_mac(const struct redactor *r, const char *value)
{
	unsigned char b[6], d[32];
	bool kept = false;
	char out[13];

	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)strtoul((char[]){ value[2 * i], value[2 * i + 1], 0 }, NULL, 16);
	for (size_t i = 0; i < sizeof redact_kept_ouis / sizeof redact_kept_ouis[0]; i++)
		kept = kept || memcmp(b, redact_kept_ouis[i], 3) == 0;
	if (!(b[0] & 1) && strspn(value, "0") != 12) {
		redact_hmac(r, value, 12, d);
		if (kept) {
			memcpy(b + 3, d, 3);
		} else {
			/* Locally administered unicast: plainly not a real vendor's address. */
			memcpy(b, d, 6);
			b[0] = (unsigned char)((b[0] & 0xfc) | 0x02);
		}
	}
	for (int i = 0; i < 6; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return xstrdup(out);
}

/* Writes the pseudonym of MAC `hex12` with separator `sep` (0: none) in the case of the original. */
static void redact_emit_mac(struct redactor *r, struct sbuf *out, const char *hex12, char sep, bool upper)
{
	char lower[13];
	struct redact_entry *e;

	for (int i = 0; i < 12; i++)
		lower[i] = (char)tolower((unsigned char)hex12[i]);
	lower[12] = '\0';
	e = redact_computed(r, REDACT_MAC, lower, redact_make_mac);
	if (strcmp(e->pseudo, lower) != 0)
		redact_count(r, e);
	for (int i = 0; i < 12; i++) {
		char c = upper ? (char)toupper((unsigned char)e->pseudo[i]) : e->pseudo[i];

		if (sep && i && i % 2 == 0)
			sb_put(out, &sep, 1);
		sb_put(out, &c, 1);
	}
}

/* aa:bb:cc:dd:ee:ff (or with '-') at in[i]: its 12 digits in `hex`, separator in *sep. */
static bool redact_mac_at(const char *in, size_t n, size_t i, char hex[13], char *sep)
{
	if (i + 17 > n || (i > 0 && (is_word((unsigned char)in[i - 1]) || in[i - 1] == ':' || in[i - 1] == '-')))
		return false;
	*sep = in[i + 2];
	if (*sep != ':' && *sep != '-')
		return false;
	for (int g = 0; g < 6; g++) {
		const char *p = in + i + 3 * g;

		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) || (g < 5 && p[2] != *sep))
			return false;
		hex[2 * g] = p[0];
		hex[2 * g + 1] = p[1];
	}
	hex[12] = '\0';
	return !(i + 17 < n && (is_word((unsigned char)in[i + 17]) || in[i + 17] == *sep));
}

static bool redact_has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isupper((unsigned char)s[i]))
			return true;
	return false;
}

/* MAC addresses, and VirtualBox's MACAddress="0800271A2B3C" (no separators). */
static void pass_mac(struct redactor *r, struct sbuf *out, const char *in, size_t n)
{
	static const char vbox_attr[] = "MACAddress=\"";
	const size_t alen = sizeof vbox_attr - 1;
	size_t i = 0;

	while (i < n) {
		char hex[13], sep;

		if (redact_mac_at(in, n, i, hex, &sep)) {
			redact_emit_mac(r, out, hex, sep, redact_has_upper(in + i, 17));
			i += 17;
		} else if (i + alen + 13 <= n && memcmp(in + i, vbox_attr, alen) == 0 &&
			   strspn(in + i + alen, "0123456789abcdefABCDEF") >= 12 && in[i + alen + 12] == '"') {
			sb_put(out, in + i, alen);
			redact_emit_mac(r, out, in + i + alen, 0, redact_has_upper(in + i + alen, 12));
			i += alen + 12;
		} else {
			sb_put(out, in + i, 1);
			i++;
		}
	}
}

static bool is_ip6_char(unsigned char c)
{
	return isxdigit(c) || c == ':' || c == '.';
}

/* The IPv6 address starting at in[i] (length in *len), in `text`; false when there is none. */
static bool redact_ip6_at(const char *in, size_t n, size_t i, char text[INET6_ADDRSTRLEN], size_t *len)
{
	unsigned char a[16];
	size_t j = i, colons = 0;

	if (i > 0 && (is_word((unsigned char)in[i - 1]) || in[i - 1] == ':' || in[i - 1] == '.'))
		return false;
	while (j < n && is_ip6_char((unsigned char)in[j]) && j - i < INET6_ADDRSTRLEN)
		colons += in[j++] == ':';
	if (colons < 2 || (j < n && is_word((unsigned char)in[j])))
		return false;
	/* A sentence or a "port:" may end right after the address. */
	for (int tries = 0; tries < 2 && j > i; tries++, j--) {
		snprintf(text, INET6_ADDRSTRLEN, "%.*s", (int)(j - i), in + i);
		if (j - i < INET6_ADDRSTRLEN && inet_pton(AF_INET6, text, a) == 1) {
			*len = j - i;
			return true;
		}
		if (in[j - 1] != '.' && in[j - 1] != ':')
			return false;
	}
	return false;
}

static void pass_ip6(struct redactor *r, struct sbuf *out, const char *in, size_t n)
{
	size_t i = 0;

	while (i < n) {
		char text[INET6_ADDRSTRLEN];
		size_t len;

		if (is_ip6_char((unsigned char)in[i]) && in[i] != '.' && redact_ip6_at(in, n, i, text, &len)) {
			struct redact_entry *e = redact_computed(r, REDACT_IP6, text, redact_make_ip6);

			if (strcmp(e->pseudo, e->value) != 0) {
				redact_count(r, e);
				sb_str(out, e->pseudo);
			} else {
				sb_put(out, in + i, len);
			}
			i += len;
			continue;
		}
		sb_put(out, in + i, 1);
		i++;
	}
}

/* "version 1.3.0.0", "bios_version=...", "BIOS 1.0.0.4", "firmware: 2.1.0.3": a version, not an address. */
static bool redact_after_version(const char *in, size_t i)
{
	static const char *const words[] = { "version", "ver", "bios", "firmware", "fw", "release", "build" };
	size_t j = i;

	while (j > 0 && strchr(" \t:=\"'(", in[j - 1]))
		j--;
	for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
		size_t wl = strlen(words[k]);

		if (j < wl || strncasecmp(in + j - wl, words[k], wl) != 0)
			continue;
		/* A whole word ("server" is no "ver"), except that "bios_version" and "kversion" count. */
		if (j == wl || !isalpha((unsigned char)in[j - wl - 1]) || k == 0)
			return true;
	}
	return false;
}

/* Four dot-separated runs of digits at in[i]. */
static bool redact_dotted4(const char *in, size_t n, size_t i)
{
	for (int part = 0; part < 4; part++) {
		size_t start = i;

		while (i < n && isdigit((unsigned char)in[i]))
			i++;
		if (i == start || (part < 3 && (i >= n || in[i++] != '.')))
			return false;
	}
	return true;
}

/* a.b.c.d at in[i], each part 0-255 without leading zeros, not inside a longer dotted number, and not a
 * package version: "1.2.5.1-2", "2.0.1.5~rc1" (an address range "10.0.0.2-10.0.0.9" is two addresses). */
static bool redact_ip4_at(const char *in, size_t n, size_t i, char text[INET_ADDRSTRLEN], size_t *len)
{
	size_t j = i;

	if (i > 0 && (is_word((unsigned char)in[i - 1]) || in[i - 1] == '.'))
		return false;
	for (int part = 0; part < 4; part++) {
		size_t start = j;
		unsigned v = 0;

		while (j < n && isdigit((unsigned char)in[j]) && j - start < 3)
			v = v * 10 + (unsigned)(in[j++] - '0');
		if (j == start || v > 255 || (j - start > 1 && in[start] == '0'))
			return false;
		if (part < 3) {
			if (j >= n || in[j] != '.')
				return false;
			j++;
		}
	}
	if (j < n && (is_word((unsigned char)in[j]) || (in[j] == '.' && j + 1 < n && isdigit((unsigned char)in[j + 1]))))
		return false;
	if (redact_after_version(in, i))
		return false;
	if (j < n && (in[j] == '~' || in[j] == '+' || (in[j] == '-' && !redact_dotted4(in, n, j + 1))))
		return false;
	*len = j - i;
	snprintf(text, INET_ADDRSTRLEN, "%.*s", (int)*len, in + i);
	return true;
}

static void pass_ip4(struct redactor *r, struct sbuf *out, const char *in, size_t n)
{
	size_t i = 0;

	while (i < n) {
		char text[INET_ADDRSTRLEN];
		size_t len;

		if (isdigit((unsigned char)in[i]) && redact_ip4_at(in, n, i, text, &len)) {
			struct redact_entry *e = redact_computed(r, REDACT_IP4, text, redact_make_ip4);

			if (strcmp(e->pseudo, e->value) != 0)
				redact_count(r, e);
			sb_str(out, e->pseudo);
			i += len;
			continue;
		}
		sb_put(out, in + i, 1);
		i++;
	}
}

/* ---- secrets ---- */

/* Keys whose value is a secret, wherever `key = value`, `key: value` or `key='value'` is written:
 * libvirt passwd=, qemu.conf *_password, .vmx RemoteDisplay.vnc.password / encryption.keySafe /
 * encryption.data, and the passwords and tokens of logs. */
static const char *const redact_secret_keys[] = {
	"password", "passwd", "passphrase", "secret", "token", "keysafe", "encryption.data", "vnc.key", "apikey",
	"api_key", "api-key", "private_key", "privatekey", "auth_key", "credential",
};

static bool is_ident(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-';
}

/* The end of the value that starts at in[j] (after the separator); *vstart is where it starts. */
static size_t redact_value_end(const char *in, size_t n, size_t j, size_t *vstart)
{
	char q = 0;

	if (j + 1 < n && in[j] == '\\' && (in[j + 1] == '"' || in[j + 1] == '\''))
		j++;                            /* an escaped quote, inside JSON */
	if (j < n && (in[j] == '"' || in[j] == '\''))
		q = in[j++];
	*vstart = j;
	/* Already removed (a bundle re-packed): the marker's "]" must not end an unquoted value early. */
	if (n - j >= strlen(REDACT_SECRET_MARK) && memcmp(in + j, REDACT_SECRET_MARK, strlen(REDACT_SECRET_MARK)) == 0)
		return j + strlen(REDACT_SECRET_MARK);
	while (j < n && in[j] != '\n') {
		if (q ? in[j] == q || (in[j] == '\\' && j + 1 < n && in[j + 1] == q)
		      : isspace((unsigned char)in[j]) || strchr(",;&<>)]}\"'\\", in[j]))
			break;
		j++;
	}
	return j;
}

/* At in[i] a secret key: set *vstart and *vend of its value. */
static bool redact_secret_at(const char *in, size_t n, size_t i, size_t *vstart, size_t *vend)
{
	for (size_t k = 0; k < sizeof redact_secret_keys / sizeof redact_secret_keys[0]; k++) {
		size_t len = strlen(redact_secret_keys[k]), j = i + len, s = i;
		char sep;

		if (len > n - i || strncasecmp(in + i, redact_secret_keys[k], len) != 0)
			continue;
		while (j < n && is_ident((unsigned char)in[j]))
			j++;
		if (j < n && (in[j] == '"' || in[j] == '\''))
			j++;                    /* "password": "..." */
		while (j < n && (in[j] == ' ' || in[j] == '\t'))
			j++;
		if (j >= n || (in[j] != '=' && in[j] != ':'))
			continue;
		sep = in[j++];
		while (s > 0 && is_ident((unsigned char)in[s - 1]))
			s--;
		/* "/etc/passwd: ..." is a path, "a::b" is not an assignment. */
		if (sep == ':' && ((s > 0 && in[s - 1] == '/') || (j < n && in[j] == ':')))
			continue;
		while (j < n && (in[j] == ' ' || in[j] == '\t'))
			j++;
		/* A JSON object or array after the key is structure, not a secret: removing "{" breaks the file. */
		if (j < n && (in[j] == '{' || (in[j] == '[' && (n - j < strlen(REDACT_SECRET_MARK) ||
							       memcmp(in + j, REDACT_SECRET_MARK, strlen(REDACT_SECRET_MARK))))))
			continue;
		*vend = redact_value_end(in, n, j, vstart);
		if (*vend > *vstart)
			return true;
	}
	return false;
}

/* Names of XML properties whose value="" is a secret (VirtualBox VRDE, disk encryption, auth). */
static const char *const redact_secret_props[] = { "password", "passwd", "secret", "crypt", "key", "token", "auth" };

static bool redact_secret_prop(const char *name, size_t len)
{
	for (size_t k = 0; k < sizeof redact_secret_props / sizeof redact_secret_props[0]; k++) {
		size_t pl = strlen(redact_secret_props[k]);

		for (size_t i = 0; i + pl <= len; i++)
			if (strncasecmp(name + i, redact_secret_props[k], pl) == 0)
				return true;
	}
	return false;
}

/* Finds attr="..." (or '') inside tag[0..n): the value's start and length. */
static bool redact_attr(const char *tag, size_t n, const char *attr, size_t *start, size_t *len)
{
	size_t al = strlen(attr);

	for (size_t i = 1; i + al + 2 <= n; i++) {
		char q;
		const char *end;

		if (!isspace((unsigned char)tag[i - 1]) || strncmp(tag + i, attr, al) != 0 || tag[i + al] != '=')
			continue;
		q = tag[i + al + 1];
		if (q != '"' && q != '\'')
			continue;
		end = memchr(tag + i + al + 2, q, n - (i + al + 2));
		if (!end)
			return false;
		*start = i + al + 2;
		*len = (size_t)(end - (tag + *start));
		return true;
	}
	return false;
}

/* <Property name="VNCPassword" value="..."/>, <ExtraDataItem name="VBoxAuthSimple/users/x" value="..."/>. */
static bool redact_xml_secret(const char *in, size_t n, size_t i, size_t *vstart, size_t *vend)
{
	const char *close;
	size_t ns, nl, vs, vl, tn;

	if (in[i] != '<')
		return false;
	close = memchr(in + i, '>', n - i < REDACT_TAG_MAX ? n - i : REDACT_TAG_MAX);
	if (!close)
		return false;
	tn = (size_t)(close - (in + i));
	if (!redact_attr(in + i, tn, "name", &ns, &nl) || !redact_secret_prop(in + i + ns, nl) ||
	    !redact_attr(in + i, tn, "value", &vs, &vl) || vl == 0)
		return false;
	*vstart = i + vs;
	*vend = i + vs + vl;
	return true;
}

/* "-----BEGIN ... PRIVATE KEY-----" up to its END line. */
static bool redact_pem_at(const char *in, size_t n, size_t i, size_t *end)
{
	static const char begin[] = "-----BEGIN ", endm[] = "-----END ";
	const char *eol, *e, *eend;

	if (n - i < sizeof begin || memcmp(in + i, begin, sizeof begin - 1) != 0)
		return false;
	eol = memchr(in + i, '\n', n - i);
	if (!eol || !memmem(in + i, (size_t)(eol - (in + i)), "PRIVATE KEY", 11))
		return false;
	e = memmem(eol, n - (size_t)(eol - in), endm, sizeof endm - 1);
	if (!e)
		return false;
	eend = memchr(e + sizeof endm - 1, '\n', n - (size_t)(e - in) - (sizeof endm - 1));
	*end = eend ? (size_t)(eend - in) : n;
	return true;
}

/* "Bearer <token>" and the password of "scheme://user:password@host". */
static bool redact_inline_secret(const char *in, size_t n, size_t i, size_t *vstart, size_t *vend)
{
	if (n - i > 7 && strncasecmp(in + i, "bearer ", 7) == 0 && (i == 0 || !is_word((unsigned char)in[i - 1]))) {
		size_t j = i + 7;

		while (j < n && (isalnum((unsigned char)in[j]) || strchr("-._~+/=", in[j])))
			j++;
		*vstart = i + 7;
		*vend = j;
		return j > i + 7;
	}
	if (n - i > 3 && memcmp(in + i, "://", 3) == 0) {
		size_t j = i + 3, colon = 0;

		while (j < n && !isspace((unsigned char)in[j]) && !strchr("/@\"'<>", in[j])) {
			if (in[j] == ':' && !colon)
				colon = j;
			j++;
		}
		if (colon && j < n && in[j] == '@' && j > colon + 1) {
			*vstart = colon + 1;
			*vend = j;
			return true;
		}
	}
	return false;
}

static void pass_secrets(struct redactor *r, struct sbuf *out, const char *in, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t vs, ve;

		if (redact_pem_at(in, n, i, &ve)) {
			sb_str(out, REDACT_SECRET_MARK);
			r->replaced[REDACT_SECRET]++;
			i = ve;
			continue;
		}
		/* The first letters of the keys in redact_secret_keys: most bytes are passed over at once. */
		if (redact_xml_secret(in, n, i, &vs, &ve) || redact_inline_secret(in, n, i, &vs, &ve) ||
		    (strchr("pstkevac", tolower((unsigned char)in[i])) && in[i] && redact_secret_at(in, n, i, &vs, &ve))) {
			bool marked = ve - vs == strlen(REDACT_SECRET_MARK) && memcmp(in + vs, REDACT_SECRET_MARK, ve - vs) == 0;

			/* A bundle re-packed: what was removed is not counted again. */
			sb_put(out, in + i, vs - i);
			sb_str(out, REDACT_SECRET_MARK);
			r->replaced[REDACT_SECRET] += !marked;
			i = ve;
			continue;
		}
		sb_put(out, in + i, 1);
		i++;
	}
}

/* ---- members ---- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Members that are secret as a whole: libvirt secret values, shadow files, keytabs, private keys. */
static bool redact_secret_member(const char *name)
{
	return (strstr(name, "libvirt/secrets/") && ends_with(name, ".base64")) || ends_with(name, "etc/shadow") ||
	       ends_with(name, "etc/gshadow") || ends_with(name, ".keytab") || ends_with(name, ".key");
}

static const char *redact_dmi_member(const char *name)
{
	const char *base = strrchr(name, '/');

	if (!strstr(name, "sys/class/dmi/id/") && !strstr(name, "sys/devices/virtual/dmi/id/"))
		return NULL;
	base = base ? base + 1 : name;
	for (size_t i = 0; i < sizeof redact_dmi_files / sizeof redact_dmi_files[0]; i++)
		if (strcmp(base, redact_dmi_files[i]) == 0)
			return base;
	return NULL;
}

typedef void (*redact_pass)(struct redactor *, struct sbuf *, const char *, size_t);

static void pass_tokens_text(struct redactor *r, struct sbuf *out, const char *in, size_t n)
{
	pass_tokens(r, out, in, n, false);
}

/* Secrets first, so that no part of a secret turns into a pseudonym that could be mapped back. */
static const redact_pass redact_text_passes[] = { pass_secrets, pass_tokens_text, pass_mac, pass_ip6, pass_ip4 };
static const redact_pass redact_path_passes[] = { pass_tokens_text, pass_mac, pass_ip6, pass_ip4 };

static char *redact_run(struct redactor *r, const redact_pass *passes, size_t n_passes, const char *data, size_t len,
			size_t *out_len)
{
	struct sbuf cur = { 0 };

	sb_put(&cur, data, len);
	for (size_t p = 0; p < n_passes; p++) {
		struct sbuf next = { 0 };

		sb_put(&next, "", 0);
		passes[p](r, &next, cur.p, cur.len);
		free(cur.p);
		cur = next;
	}
	*out_len = cur.len;
	return cur.p;
}

/* A DMI serial file: the pseudonym of its one value (learned here when the host did not give it). */
static char *redact_dmi_text(struct redactor *r, const char *data, size_t len, size_t *out_len)
{
	char *v = xstrndup(data, len);
	struct redact_entry *e;
	char *out;

	redact_trim(v);
	if (!redact_serial_ok(v)) {
		*out_len = len;
		out = xmalloc(len + 1);
		memcpy(out, data, len);
		out[len] = '\0';
		free(v);
		return out;
	}
	redactor_add(r, REDACT_SERIAL, v);
	e = redact_find(r, REDACT_SERIAL, v);
	redact_count(r, e);
	out = xasprintf("%s\n", e->pseudo);
	*out_len = strlen(out);
	free(v);
	return out;
}

char *redactor_text(struct redactor *r, const char *name, const char *data, size_t len, size_t *out_len,
		    bool *changed)
{
	char *out;

	if (len && redact_secret_member(name)) {
		r->replaced[REDACT_SECRET] += !(len == strlen(REDACT_SECRET_MARK) + 1 &&
						memcmp(data, REDACT_SECRET_MARK "\n", len) == 0);
		out = xstrdup(REDACT_SECRET_MARK "\n");
		*out_len = strlen(out);
	} else if (redact_dmi_member(name)) {
		out = redact_dmi_text(r, data, len, out_len);
	} else if (memchr(data, '\0', len)) {
		struct sbuf b = { 0 };

		sb_put(&b, "", 0);
		pass_tokens(r, &b, data, len, true);
		out = b.p;
		*out_len = b.len;
	} else {
		out = redact_run(r, redact_text_passes, sizeof redact_text_passes / sizeof redact_text_passes[0], data,
				 len, out_len);
	}
	*changed = *out_len != len || memcmp(out, data, len) != 0;
	return out;
}

char *redactor_path(struct redactor *r, const char *path, bool *changed)
{
	size_t len;
	char *out = redact_run(r, redact_path_passes, sizeof redact_path_passes / sizeof redact_path_passes[0], path,
			       strlen(path), &len);

	*changed = strcmp(out, path) != 0;
	return out;
}

const char *redactor_host_pseudonym(const struct redactor *r)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->items[i].kind == REDACT_HOST && !strchr(r->items[i].value, '.'))
			return r->items[i].pseudo;
	return NULL;
}

size_t redactor_count(const struct redactor *r, enum redact_kind kind)
{
	return kind < REDACT_KIND_COUNT ? r->replaced[kind] : 0;
}

size_t redactor_values(const struct redactor *r, enum redact_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < r->count; i++)
		n += r->items[i].kind == kind && r->items[i].used;
	return n;
}

/* ---- the key and the map ---- */

static int redact_fail(char *why, size_t len, int err, const char *what, const char *path)
{
	snprintf(why, len, "%s: %s: %s", path, what, strerror(-err));
	return err;
}

static int redact_hex_key(const char *text, unsigned char *key, size_t *key_len)
{
	size_t n = strspn(text, "0123456789abcdefABCDEF");

	if (n != 64 || (text[n] && text[n] != '\n'))
		return -EINVAL;
	for (size_t i = 0; i < 32; i++)
		key[i] = (unsigned char)strtoul((char[]){ text[2 * i], text[2 * i + 1], 0 }, NULL, 16);
	*key_len = 32;
	return 0;
}

static int redact_new_key(const char *path, unsigned char *key, size_t *key_len, char *why, size_t why_len)
{
	char hex[66];
	int fd;

	if (getrandom(key, 32, 0) != 32)
		return redact_fail(why, why_len, -errno, "cannot get random bytes for a key", path);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	hex[64] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return redact_fail(why, why_len, -errno, "cannot create the redaction key", path);
	if (write(fd, hex, 65) != 65 || fsync(fd) != 0) {
		int err = -errno;

		close(fd);
		unlink(path);
		return redact_fail(why, why_len, err ? err : -EIO, "cannot write the redaction key", path);
	}
	close(fd);
	*key_len = 32;
	return 0;
}

int redact_key_load(const char *state_dir, unsigned char key[REDACT_KEY_MAX], size_t *key_len, char *why,
		    size_t why_len)
{
	const char *env = getenv("VMDOCTOR_REDACT_KEY");
	char path[4096], text[80] = { 0 };
	struct stat st;
	int fd, rc;
	ssize_t got;

	if (env && *env) {
		*key_len = strlen(env) > REDACT_KEY_MAX ? REDACT_KEY_MAX : strlen(env);
		memcpy(key, env, *key_len);
		return 0;
	}
	if ((size_t)snprintf(path, sizeof path, "%s/redact.key", state_dir) >= sizeof path)
		return redact_fail(why, why_len, -ENAMETOOLONG, "path too long", state_dir);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return redact_new_key(path, key, key_len, why, why_len);
	if (fd < 0)
		return redact_fail(why, why_len, -errno, "cannot open the redaction key", path);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) || st.st_uid != geteuid()) {
		close(fd);
		return redact_fail(why, why_len, -EPERM, "the redaction key must be a file of yours, mode 0600", path);
	}
	got = read(fd, text, sizeof text - 1);
	close(fd);
	rc = got > 0 ? redact_hex_key(text, key, key_len) : -EINVAL;
	if (rc != 0)
		return redact_fail(why, why_len, rc, "not 64 hex digits (remove it to make a new key)", path);
	return 0;
}

/* The header of the map: everything but the entries, as "{\n  ...\n}" from jansson. */
static char *redact_map_header(const struct redactor *r, const char *bundle, const char *sha256)
{
	json_t *root = json_object(), *counts = json_object();
	char *text;

	for (int k = 0; k < REDACT_KIND_COUNT; k++)
		json_object_set_new(counts, kinds[k].name, json_integer((json_int_t)r->replaced[k]));
	json_object_set_new(root, "format", json_string("vmdoctor-redaction-map"));
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "bundle", json_string(bundle));
	json_object_set_new(root, "bundle_sha256", json_string(sha256));
	json_object_set_new(root, "replaced", counts);
	json_object_set_new(root, "note", json_string("secrets are removed, not mapped"));
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return text;
}

/* A value that is not UTF-8 (a name from a hostile file) goes into the map as "hex:" and its bytes. */
static json_t *redact_json_value(const char *value)
{
	json_t *v = json_string(value);
	char *hex;

	if (v)
		return v;
	hex = xmalloc(4 + 2 * strlen(value) + 1);
	strcpy(hex, "hex:");
	for (size_t i = 0; value[i]; i++)
		snprintf(hex + 4 + 2 * i, 3, "%02x", (unsigned char)value[i]);
	v = json_string(hex);
	free(hex);
	return v;
}

/* The entries are written one line each as they are made: a log full of addresses needs no tree of them. */
static int redact_map_entries(const struct redactor *r, FILE *f)
{
	bool first = true;

	for (size_t i = 0; i < r->count; i++) {
		const struct redact_entry *e = &r->items[i];
		json_t *j;
		char *line;

		if (strcmp(e->value, e->pseudo) == 0)
			continue;
		j = json_object();
		json_object_set_new(j, "kind", json_string(kinds[e->kind].name));
		json_object_set_new(j, "pseudonym", json_string(e->pseudo));
		json_object_set_new(j, "original", redact_json_value(e->value));
		json_object_set_new(j, "in_bundle", json_boolean(e->used));
		line = json_dumps(j, JSON_PRESERVE_ORDER);
		json_decref(j);
		if (!line)
			return -ENOMEM;
		fprintf(f, "%s    %s", first ? "" : ",\n", line);
		first = false;
		free(line);
	}
	return 0;
}

int redactor_write_map(const struct redactor *r, const char *path, const char *bundle, const char *sha256,
		       char *why, size_t why_len)
{
	char *header = redact_map_header(r, bundle, sha256);
	size_t hlen = header ? strlen(header) : 0;
	FILE *f = NULL;
	int fd, rc = 0;

	if (!header || hlen < 2 || header[hlen - 1] != '}') {
		free(header);
		return redact_fail(why, why_len, -ENOMEM, "cannot write the redaction map", path);
	}
	header[hlen - 2] = '\0';                /* drop "\n}": the map follows */
	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0 || !(f = fdopen(fd, "w"))) {
		rc = redact_fail(why, why_len, -errno, "cannot create the redaction map", path);
		if (fd >= 0)
			close(fd);
	} else {
		fprintf(f, "%s,\n  \"map\": [\n", header);
		rc = redact_map_entries(r, f);
		fprintf(f, "\n  ]\n}\n");
		if (rc == 0 && (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0))
			rc = -(errno ? errno : EIO);
		if (fclose(f) != 0 && rc == 0)
			rc = -(errno ? errno : EIO);
		if (rc != 0)
			redact_fail(why, why_len, rc, "cannot write the redaction map", path);
	}
	if (rc != 0)
		unlink(path);
	free(header);
	return rc;
}
