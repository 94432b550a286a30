/* SPDX-License-Identifier: MIT */
/* Writing support bundles: record what the checks read, then stream it into a deterministic archive. */
#include "vmdoctor/bundle.h"
#include "bundle_extras.h"

#include "vmdoctor/check.h"
#include "vmdoctor/facts.h"
#include "vmdoctor/redact.h"
#include "vmdoctor/report.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* One member of the archive, in memory until it is written. */
struct bmember {
	char *name;
	char *data;             /* owned */
	size_t len;
	bool dir;
	bool link;              /* a symbolic link to `data` (a name that was listed but not there) */
	bool truncated;         /* cut by the reader's limit or the size budget */
	bool cut_by_budget;
	bool redacted;           /* its name or bytes had pseudonyms or secrets replaced */
	const char *source;     /* "snapshot" (what the checks read) or "vmdoctor" (written by it) */
};

struct blist {
	struct bmember *items;
	size_t count;
};

/* The temp file to remove when SIGINT arrives while it is being written. */
static char bundle_tmp_path[PATH_MAX];
static volatile sig_atomic_t bundle_tmp_live;

static void bundle_on_signal(int sig)
{
	if (bundle_tmp_live)
		unlink(bundle_tmp_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int bundle_fail(char *why, size_t len, int err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int bundle_fail(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return err;
}

static int blist_add(struct blist *l, const char *name, const char *data, size_t len, bool dir, const char *source)
{
	struct bmember *grown = realloc(l->items, (l->count + 1) * sizeof *grown);
	struct bmember *m;

	if (!grown)
		return -ENOMEM;
	l->items = grown;
	m = &l->items[l->count];
	memset(m, 0, sizeof *m);
	m->name = strdup(name);
	m->data = malloc(len + 1);
	if (!m->name || !m->data) {
		free(m->name);
		free(m->data);
		return -ENOMEM;
	}
	if (len)
		memcpy(m->data, data, len);
	m->data[len] = '\0';
	m->len = len;
	m->dir = dir;
	m->source = source;
	l->count++;
	return 0;
}

static void blist_free(struct blist *l)
{
	for (size_t i = 0; i < l->count; i++) {
		free(l->items[i].name);
		free(l->items[i].data);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}

int bundle_compress_from_name(const char *name, enum bundle_compress *out)
{
	static const struct { const char *name; enum bundle_compress c; } table[] = {
		{ "gzip", BUNDLE_GZIP }, { "zstd", BUNDLE_ZSTD }, { "xz", BUNDLE_XZ },
	};

	for (size_t i = 0; name && i < sizeof table / sizeof table[0]; i++)
		if (strcmp(name, table[i].name) == 0) {
			*out = table[i].c;
			return 0;
		}
	return -EINVAL;
}

int bundle_size_from_text(const char *text, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!text || !*text || *text == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text)
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	else if (*end)
		return -EINVAL;
	if (shift && end[1] && strcmp(end + 1, "iB") != 0 && strcmp(end + 1, "B") != 0)
		return -EINVAL;
	if (v == 0 || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

/* Text written to a memory stream by `fn`. */
static int bundle_capture_report(const struct facts *facts, const struct check_report *report, bool json,
				 char **out, size_t *len)
{
	FILE *f = open_memstream(out, len);
	struct report_options ro = { .color = false, .width = 80 };
	int rc;

	if (!f)
		return -ENOMEM;
	rc = json ? report_write_json(f, facts, report, NULL) : report_write_text(f, facts, report, NULL, &ro);
	if (fclose(f) != 0 && rc == 0)
		rc = -EIO;
	return rc < 0 ? rc : 0;
}

static int bundle_add_json(struct blist *l, const char *name, json_t *root)
{
	char *text = json_dumps(root, JSON_INDENT(2));
	int rc;

	if (!text)
		return -ENOMEM;
	rc = blist_add(l, name, text, strlen(text), false, "vmdoctor");
	free(text);
	return rc;
}

static json_t *bundle_user_json(const struct host_user *u)
{
	json_t *user = json_object();
	json_t *groups = json_array();

	json_object_set_new(user, "name", json_string(u->name));
	json_object_set_new(user, "uid", json_integer((json_int_t)u->uid));
	if (u->gid_known)
		json_object_set_new(user, "gid", json_integer((json_int_t)u->gid));
	json_object_set_new(user, "via_sudo", json_boolean(u->via_sudo));
	if (u->session_known) {
		for (size_t i = 0; i < u->session_groups.count; i++)
			json_array_append_new(groups, json_string(u->session_groups.items[i]));
		json_object_set_new(user, "groups", groups);
	} else {
		json_decref(groups);
	}
	return user;
}

static int bundle_add_snapshot_json(struct blist *l, struct host *rec, const char *created, const char *tool)
{
	json_t *root = json_object();
	const struct host_user *u = host_record_user(rec);
	const char *source = host_source(rec);
	int rc;

	json_object_set_new(root, "format", json_string("vmdoctor-snapshot"));
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "created", json_string(created));
	json_object_set_new(root, "source", json_string(source && *source ? source : "live"));
	json_object_set_new(root, "tool", json_string(tool ? tool : "vmdoctor"));
	if (u)
		json_object_set_new(root, "user", bundle_user_json(u));
	rc = bundle_add_json(l, "snapshot.json", root);
	json_decref(root);
	return rc;
}

/* The created time: the snapshot's own, or now on a live host; seconds for the mtimes. */
static time_t bundle_created(struct host *host, char *out, size_t len)
{
	const char *c = host_created(host);
	struct tm tm;
	time_t now;

	memset(&tm, 0, sizeof tm);
	if (c && *c) {
		const char *end = strptime(c, "%Y-%m-%dT%H:%M:%S", &tm);

		if (end) {
			snprintf(out, len, "%s", c);
			return timegm(&tm);
		}
	}
	if (host_is_snapshot(host)) {
		snprintf(out, len, "1970-01-01T00:00:00Z");
		return 0;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return now;
}

/* Cut a log member to its last `keep` bytes, at a line start. */
static void bundle_cut_member(struct bmember *m, size_t keep)
{
	size_t start = m->len - keep;

	while (start < m->len && start > 0 && m->data[start - 1] != '\n')
		start++;
	memmove(m->data, m->data + start, m->len - start + 1);
	m->len -= start;
	m->truncated = true;
	m->cut_by_budget = true;
}

static bool bundle_is_log(const char *name)
{
	return strcmp(name, "dmesg.txt") == 0 || strncmp(name, "fs/var/log/", 11) == 0 ||
	       strncmp(name, "commands/journalctl", 19) == 0;
}

/* Fit the members into the budget by cutting the largest logs, oldest lines first. */
static void bundle_apply_budget(struct blist *l, uint64_t budget)
{
	uint64_t total = 0;

	for (size_t i = 0; i < l->count; i++)
		total += l->items[i].len;
	while (total > budget) {
		struct bmember *big = NULL;
		size_t over, keep;

		for (size_t i = 0; i < l->count; i++)
			if (bundle_is_log(l->items[i].name) && (!big || l->items[i].len > big->len))
				big = &l->items[i];
		if (!big || big->len == 0)
			return;
		over = (size_t)(total - budget);
		keep = big->len > over ? big->len - over : 0;
		total -= big->len;
		bundle_cut_member(big, keep);
		total += big->len;
		if (keep == 0)
			return;
	}
}

static const struct { const char *member; const char *what; } bundle_expected[] = {
	{ "cpuid.txt", "CPUID" }, { "msr.txt", "model-specific registers" }, { "dmesg.txt", "kernel log" },
	{ "devices.txt", "device nodes" }, { "libvirt/state.json", "libvirt state" },
};

static bool bundle_has(const struct blist *l, const char *name)
{
	for (size_t i = 0; i < l->count; i++)
		if (strcmp(l->items[i].name, name) == 0)
			return true;
	return false;
}

/* The manifest's "redaction": what kinds were replaced and how often, never the values. */
static json_t *bundle_redaction_json(const struct redactor *red)
{
	json_t *root = json_object(), *kinds = json_object();

	json_object_set_new(root, "enabled", json_boolean(red != NULL));
	if (!red) {
		json_object_set_new(root, "note", json_string("not redacted (--no-redact): names, addresses, serials "
							      "and hypervisor secrets are as collected"));
		json_decref(kinds);
		return root;
	}
	for (int k = 0; k < REDACT_KIND_COUNT; k++) {
		json_t *c = json_object();

		json_object_set_new(c, "replaced", json_integer((json_int_t)redactor_count(red, (enum redact_kind)k)));
		if (k != REDACT_SECRET)
			json_object_set_new(c, "values",
					    json_integer((json_int_t)redactor_values(red, (enum redact_kind)k)));
		json_object_set_new(kinds, redact_kind_name((enum redact_kind)k), c);
	}
	json_object_set_new(root, "kinds", kinds);
	json_object_set_new(root, "method", json_string("HMAC-SHA256 keyed pseudonyms (the key and the map stay on "
						       "the sender's machine); secrets replaced by " REDACT_SECRET_MARK));
	return root;
}

static int bundle_add_manifest(struct blist *l, bool have_user, const struct bundle_missing_list *extras_missing,
			       const struct redactor *red)
{
	json_t *root = json_object(), *members = json_array(), *missing = json_array();
	int rc;

	for (size_t i = 0; i < l->count; i++) {
		const struct bmember *m = &l->items[i];
		json_t *e;
		char sha[65];

		if (m->dir || m->link)
			continue;
		e = json_object();
		bundle_sha256_hex(m->data, m->len, sha);
		json_object_set_new(e, "path", json_string(m->name));
		json_object_set_new(e, "size", json_integer((json_int_t)m->len));
		json_object_set_new(e, "sha256", json_string(sha));
		json_object_set_new(e, "source", json_string(m->source));
		json_object_set_new(e, "truncated", json_boolean(m->truncated));
		if (m->cut_by_budget)
			json_object_set_new(e, "cut", json_string("oldest lines dropped to fit --max-size"));
		json_object_set_new(e, "redacted", json_boolean(m->redacted));
		json_array_append_new(members, e);
	}
	for (size_t i = 0; i < sizeof bundle_expected / sizeof bundle_expected[0]; i++) {
		if (bundle_has(l, bundle_expected[i].member))
			continue;
		json_t *e = json_object();

		json_object_set_new(e, "what", json_string(bundle_expected[i].what));
		json_object_set_new(e, "why", json_string("the checks did not read it, or the host could not give it"));
		json_array_append_new(missing, e);
	}
	if (!have_user) {
		json_t *e = json_object();

		json_object_set_new(e, "what", json_string("user"));
		json_object_set_new(e, "why", json_string("the host could not tell who runs the VMs"));
		json_array_append_new(missing, e);
	}
	json_object_set_new(root, "format", json_string("vmdoctor-bundle-manifest"));
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "members", members);
	for (size_t i = 0; i < extras_missing->count; i++) {
		json_t *e = json_object();

		json_object_set_new(e, "what", json_string(extras_missing->items[i].what));
		json_object_set_new(e, "why", json_string(extras_missing->items[i].why));
		json_array_append_new(missing, e);
	}
	json_object_set_new(root, "not_collected", missing);
	json_object_set_new(root, "redaction", bundle_redaction_json(red));
	rc = bundle_add_json(l, "manifest.json", root);
	json_decref(root);
	return rc;
}

/* Archive order: manifest.json, report.txt, then every other member by name. */
static int bundle_rank(const char *name)
{
	return strcmp(name, "manifest.json") == 0 ? 0 : strcmp(name, "report.txt") == 0 ? 1 : 2;
}

static int bundle_member_cmp(const void *a, const void *b)
{
	const struct bmember *x = a, *y = b;
	int rx = bundle_rank(x->name), ry = bundle_rank(y->name);

	return rx != ry ? rx - ry : strcmp(x->name, y->name);
}

static int bundle_set_filter(struct archive *a, enum bundle_compress c)
{
	switch (c) {
	case BUNDLE_ZSTD:
		return archive_write_add_filter_zstd(a);
	case BUNDLE_XZ:
		return archive_write_add_filter_xz(a);
	case BUNDLE_GZIP:
	default:
		if (archive_write_add_filter_gzip(a) != ARCHIVE_OK)
			return ARCHIVE_FATAL;
		/* No timestamp in the gzip header: the same input gives the same bytes. */
		return archive_write_set_filter_option(a, "gzip", "timestamp", NULL);
	}
}

static int bundle_write_entries(struct archive *a, const struct blist *l, time_t mtime,
				const struct bundle_options *opt)
{
	struct archive_entry *e = archive_entry_new();
	uint64_t total = 0, done = 0;

	for (size_t i = 0; i < l->count; i++)
		total += l->items[i].len;

	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < l->count; i++) {
		const struct bmember *m = &l->items[i];

		archive_entry_clear(e);
		archive_entry_set_pathname(e, m->name);
		archive_entry_set_filetype(e, m->dir ? AE_IFDIR : m->link ? AE_IFLNK : AE_IFREG);
		archive_entry_set_perm(e, m->dir ? 0700 : m->link ? 0777 : 0600);
		archive_entry_set_size(e, m->dir || m->link ? 0 : (la_int64_t)m->len);
		if (m->link)
			archive_entry_set_symlink(e, m->data);
		archive_entry_set_uid(e, 0);
		archive_entry_set_gid(e, 0);
		archive_entry_set_uname(e, "root");
		archive_entry_set_gname(e, "root");
		archive_entry_set_mtime(e, mtime, 0);
		if (archive_write_header(a, e) != ARCHIVE_OK ||
		    (!m->dir && !m->link && m->len && archive_write_data(a, m->data, m->len) != (la_ssize_t)m->len)) {
			archive_entry_free(e);
			return -EIO;
		}
		done += m->len;
		if (opt->progress)
			opt->progress(opt->progress_ctx, "Writing the archive", done, total);
	}
	archive_entry_free(e);
	return 0;
}

static void bundle_dir_of(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(out, len, ".");
	else if (slash == path)
		snprintf(out, len, "/");
	else
		snprintf(out, len, "%.*s", (int)(slash - path), path);
}

/* Stream the members into a temp file beside `path`, then fsync and rename it into place. */
static bool bundle_names_ascii(const struct blist *l)
{
	for (size_t i = 0; i < l->count; i++)
		for (const unsigned char *p = (const unsigned char *)l->items[i].name; *p; p++)
			if (*p >= 0x80)
				return false;
	return true;
}

/* Where libarchive's output goes: the temporary file, hashed and counted on the way, so that the bundle's
 * SHA-256 (the redaction map's name, the wizard's receipt) never needs the file read back. */
struct bundle_sink {
	int fd;
	struct bundle_sha256_ctx sha;
	uint64_t size;
};

static la_ssize_t bundle_sink_write(struct archive *a, void *ctx, const void *buf, size_t len)
{
	struct bundle_sink *sink = ctx;
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(sink->fd, p + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			archive_set_error(a, errno, "%s", strerror(errno));
			return -1;
		}
		done += (size_t)n;
	}
	bundle_sha256_update(&sink->sha, buf, len);
	sink->size += len;
	return (la_ssize_t)len;
}

static int bundle_write_archive(const struct blist *l, const char *path, const struct bundle_options *opt,
				time_t mtime, char sha[65], char *why, size_t why_len)
{
	struct bundle_sink sink;
	char dir[PATH_MAX];
	struct archive *a;
	int fd, rc = 0;
	void (*old_int)(int), (*old_term)(int), (*old_xfsz)(int);

	bundle_dir_of(path, dir, sizeof dir);
	if ((size_t)snprintf(bundle_tmp_path, sizeof bundle_tmp_path, "%s/.vmdoctor-bundle-XXXXXX", dir) >=
	    sizeof bundle_tmp_path)
		return bundle_fail(why, why_len, -ENAMETOOLONG, "%s: path too long", path);
	old_int = signal(SIGINT, bundle_on_signal);
	old_term = signal(SIGTERM, bundle_on_signal);
	/* Past RLIMIT_FSIZE write() must fail with EFBIG, so that the partial file is removed. */
	old_xfsz = signal(SIGXFSZ, SIG_IGN);
	fd = mkstemp(bundle_tmp_path);
	if (fd < 0) {
		rc = bundle_fail(why, why_len, -errno, "%s: cannot create a file in %s: %s", path, dir, strerror(errno));
		goto out_signals;
	}
	bundle_tmp_live = 1;
	(void)fchmod(fd, 0600);
	sink.fd = fd;
	sink.size = 0;
	bundle_sha256_init(&sink.sha);
	a = archive_write_new();
	/* A non-ASCII name (/home/jürgen) is stored as the bytes it is (hdrcharset=BINARY): otherwise libarchive
	 * converts it from the locale's charset and, in the C locale, fails ("Can't translate pathname"). Only then,
	 * because the option adds a pax header to every member. */
	if (!a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    (!bundle_names_ascii(l) && archive_write_set_format_option(a, "pax", "hdrcharset", "BINARY") != ARCHIVE_OK) ||
	    bundle_set_filter(a, opt->compress) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK || archive_write_open2(a, &sink, NULL, bundle_sink_write, NULL, NULL) != ARCHIVE_OK) {
		rc = bundle_fail(why, why_len, -EIO, "%s: cannot start the archive: %s", path,
				 a ? archive_error_string(a) : "out of memory");
	} else if ((rc = bundle_write_entries(a, l, mtime, opt)) != 0 || archive_write_close(a) != ARCHIVE_OK) {
		int err = archive_errno(a) > 0 ? archive_errno(a) : EIO;

		rc = bundle_fail(why, why_len, -err, "%s: cannot write the bundle: %s", path,
				 archive_error_string(a) ? archive_error_string(a) : strerror(err));
	}
	if (a)
		archive_write_free(a);
	if (rc == 0 && fsync(fd) != 0)
		rc = bundle_fail(why, why_len, -errno, "%s: cannot write the bundle: %s", path, strerror(errno));
	if (close(fd) != 0 && rc == 0)
		rc = bundle_fail(why, why_len, -errno, "%s: cannot write the bundle: %s", path, strerror(errno));
	if (rc == 0 && rename(bundle_tmp_path, path) != 0)
		rc = bundle_fail(why, why_len, -errno, "%s: cannot rename the bundle into place: %s", path,
				 strerror(errno));
	if (rc != 0) {
		unlink(bundle_tmp_path);
	} else {
		unsigned char digest[32];

		bundle_sha256_final(&sink.sha, digest);
		bundle_sha256_digest_hex(digest, sha);
		if (opt->size)
			*opt->size = sink.size;
	}
	bundle_tmp_live = 0;
out_signals:
	signal(SIGINT, old_int);
	signal(SIGTERM, old_term);
	signal(SIGXFSZ, old_xfsz);
	return rc;
}

static const char *bundle_ext(enum bundle_compress c)
{
	return c == BUNDLE_ZSTD ? "tar.zst" : c == BUNDLE_XZ ? "tar.xz" : "tar.gz";
}

/* Everything the recording host kept, plus snapshot.json and the two reports. */
static int bundle_collect(struct host *rec, const struct facts *facts, const struct check_report *report,
			  const char *created, const char *tool, struct blist *l)
{
	size_t n;
	const struct host_record_member *m = host_record_members(rec, &n);
	char *text = NULL;
	size_t len = 0;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = blist_add(l, m[i].name, m[i].data, m[i].len, m[i].dir,
			       m[i].exists_only ? "snapshot (existence only: stored empty)" : "snapshot");
		if (rc == 0) {
			l->items[l->count - 1].truncated = m[i].truncated;
			l->items[l->count - 1].link = m[i].dangling;
		}
	}
	if (rc == 0)
		rc = bundle_add_snapshot_json(l, rec, created, tool);
	if (rc == 0 && (rc = bundle_capture_report(facts, report, true, &text, &len)) == 0)
		rc = blist_add(l, "report.json", text, len, false, "vmdoctor");
	free(text);
	text = NULL;
	if (rc == 0 && (rc = bundle_capture_report(facts, report, false, &text, &len)) == 0)
		rc = blist_add(l, "report.txt", text, len, false, "vmdoctor");
	free(text);
	return rc;
}

/* Replace names, addresses, serials and secrets in every member's name and bytes, before the budget and the
 * manifest see them. The names to look for are learned from `source` itself, so nothing extra is recorded. */
static void bundle_redact(struct host *source, struct redactor *red, struct blist *l,
			  struct bundle_missing_list *missing)
{
	redactor_learn(red, source);
	for (size_t i = 0; i < l->count; i++) {
		struct bmember *m = &l->items[i];
		bool name_changed, data_changed = false;
		char *name = redactor_path(red, m->name, &name_changed);
		size_t len = m->len;
		char *data;

		if (m->link)
			data = redactor_path(red, m->data, &data_changed);
		else if (m->dir)
			data = NULL;
		else
			data = redactor_text(red, m->name, m->data, m->len, &len, &data_changed);
		free(m->name);
		m->name = name;
		if (data) {
			free(m->data);
			m->data = data;
			m->len = m->link ? strlen(data) : len;
		}
		m->redacted = name_changed || data_changed;
	}
	for (size_t i = 0; i < missing->count; i++) {
		bool changed;
		char *what = redactor_path(red, missing->items[i].what, &changed);
		char *why = redactor_path(red, missing->items[i].why, &changed);

		snprintf(missing->items[i].what, sizeof missing->items[i].what, "%s", what);
		snprintf(missing->items[i].why, sizeof missing->items[i].why, "%s", why);
		free(what);
		free(why);
	}
}

/* The map back to the real values goes to `map_dir`/<sha256 of the bundle>.json, mode 0600. */
static int bundle_write_map(const struct redactor *red, const struct bundle_options *opt, const char *path,
			    const char *sha, char *why, size_t why_len)
{
	char map[PATH_MAX];
	const char *base = strrchr(path, '/');
	int rc;

	if (mkdir(opt->map_dir, 0700) != 0 && errno != EEXIST)
		return bundle_fail(why, why_len, -errno, "%s: cannot create the folder of redaction maps: %s",
				   opt->map_dir, strerror(errno));
	if ((size_t)snprintf(map, sizeof map, "%s/%s.json", opt->map_dir, sha) >= sizeof map)
		return bundle_fail(why, why_len, -ENAMETOOLONG, "%s: path too long", opt->map_dir);
	rc = redactor_write_map(red, map, base ? base + 1 : path, sha, why, why_len);
	if (rc == 0 && opt->map_path)
		snprintf(opt->map_path, opt->map_path_len, "%s", map);
	return rc;
}

int bundle_write(struct host *source, const struct bundle_options *opt, char *written, size_t written_len,
		 char *why, size_t why_len)
{
	struct host *rec = NULL;
	struct facts facts;
	struct check_report report;
	struct blist l = { 0 };
	struct bundle_missing_list extras_missing = { 0 };
	struct redactor *red = NULL;
	char created[64], path[PATH_MAX], sha[65];
	time_t mtime;
	int rc;

	why[0] = '\0';
	memset(&facts, 0, sizeof facts);
	memset(&report, 0, sizeof report);
	if ((rc = host_open_record(source, &rec)) != 0)
		return bundle_fail(why, why_len, rc, "bundle: cannot start recording: %s", strerror(-rc));
	mtime = bundle_created(rec, created, sizeof created);
	if (opt->progress)
		opt->progress(opt->progress_ctx, "Collecting facts", 0, 0);
	rc = facts_collect(rec, &facts);
	if (rc != 0) {
		rc = bundle_fail(why, why_len, rc, "bundle: cannot collect facts: %s", host_error(rec));
		goto out;
	}
	check_run_all(&facts, &report);
	/* The configs and logs a vendor asks for that no check read, recorded like the checks' own reads. */
	if ((rc = bundle_extras_collect(rec, &facts, &extras_missing)) != 0 || (rc = host_record_finish(rec)) != 0 ||
	    (rc = bundle_collect(rec, &facts, &report, created, opt->tool, &l)) != 0) {
		rc = bundle_fail(why, why_len, rc, "bundle: %s", strerror(-rc));
		goto out;
	}
	if (opt->redact) {
		if (!opt->redact_key || !opt->redact_key_len || !opt->map_dir) {
			rc = bundle_fail(why, why_len, -EINVAL, "bundle: redaction needs a key and a folder for its map");
			goto out;
		}
		red = redactor_new(opt->redact_key, opt->redact_key_len);
		/* Cut first too: what the budget drops need not be redacted (pseudonyms may make it cut a bit more). */
		bundle_apply_budget(&l, opt->max_size ? opt->max_size : BUNDLE_DEFAULT_MAX_SIZE);
		bundle_redact(source, red, &l, &extras_missing);
	}
	bundle_apply_budget(&l, opt->max_size ? opt->max_size : BUNDLE_DEFAULT_MAX_SIZE);
	if ((rc = bundle_add_manifest(&l, host_record_user(rec) != NULL, &extras_missing, red)) != 0) {
		rc = bundle_fail(why, why_len, rc, "bundle: %s", strerror(-rc));
		goto out;
	}
	qsort(l.items, l.count, sizeof *l.items, bundle_member_cmp);
	if (opt->output)
		snprintf(path, sizeof path, "%s", opt->output);
	else
		snprintf(path, sizeof path, "vmdoctor-bundle-%s-%.4s%.2s%.2s.%s",
			 red && redactor_host_pseudonym(red) ? redactor_host_pseudonym(red) : "host", created, created + 5,
			 created + 8, bundle_ext(opt->compress));
	rc = bundle_write_archive(&l, path, opt, mtime, sha, why, why_len);
	/* Without its map a redacted bundle cannot be translated back: no bundle then either. */
	if (rc == 0 && red && (rc = bundle_write_map(red, opt, path, sha, why, why_len)) != 0)
		unlink(path);
	if (rc == 0 && opt->sha256)
		memcpy(opt->sha256, sha, sizeof sha);
	if (rc == 0)
		snprintf(written, written_len, "%s", path);
out:
	redactor_free(red);
	blist_free(&l);
	bundle_missing_free(&extras_missing);
	check_report_free(&report);
	facts_free(&facts);
	host_close(rec);
	return rc;
}
