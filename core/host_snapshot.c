/* SPDX-License-Identifier: MIT */
/* The snapshot back end of the host layer: replays a snapshot directory (format v1), or a bundle archive of one
 * held in memory by core/host_archive.c, treating every byte as hostile. */
#include "vmdoctor/host.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <jansson.h>
#include <libcpuid.h>
#include <linux/openat2.h>

#include "host_private.h"

/* Size bounds for the snapshot's own files: none of them is trusted to be small. */
#define SNAP_JSON_MAX ((size_t)1 << 20)
#define SNAP_LIST_FILE_MAX ((size_t)4 << 20)    /* fs-errors.txt, devices.txt */
#define SNAP_MSR_MAX ((size_t)1 << 20)
#define SNAP_CPUID_MAX ((size_t)256 << 10)
#define SNAP_PROBE_MAX ((size_t)64 << 10)
#define SNAP_CMD_HEADER_MAX ((size_t)64 << 10)
/* libcpuid 0.6.2 reads lines with fgets() into a 100-byte buffer: a longer line would be split
 * and its tail parsed as a line of its own, so no validated line may be that long. */
#define SNAP_CPUID_LINE_MAX 98
#define SNAP_GROUPS_MAX 65536

bool host_snapshot_force_walk;

struct snap_fs_error {
	char *path;             /* normalised host path */
	int err;                /* positive errno */
};

struct snap_device {
	char *path;
	struct host_devnode node;
};

struct snap {
	char *dir;              /* as given, for reasons */
	int dirfd;
	int fsfd;               /* -1 when the snapshot has no fs/ */
	struct host_tree *tree; /* a bundle archive read into memory, instead of dirfd and fsfd */
	bool tree_fs;           /* the archive has fs/ */
	const char *tree_why;   /* why the last member read from the archive was refused */
	struct snap_fs_error *errors;
	size_t n_errors;
	struct snap_device *devices;
	size_t n_devices;
	bool has_devices;
	json_t *user;           /* snapshot.json "user", or NULL */
};

enum snap_where { SNAP_MEMBER, SNAP_FS };

/* ---- confined opening ---- */

/* After `name` failed to open below `dirfd`: was it a symlink (refused) or something else? */
static int snap_walk_error(int dirfd, const char *name, int err)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return -ELOOP;
	return -err;
}

/* Open `rel` below `rootfd` one component at a time, refusing every symlink. */
static int snap_walk(int rootfd, const char *rel, int flags)
{
	char buf[PATH_MAX];
	char *save = NULL, *comp, *next;
	int cur = rootfd, fd;
	struct stat st;

	if (snprintf(buf, sizeof buf, "%s", rel) >= (int)sizeof buf)
		return -ENAMETOOLONG;
	comp = strtok_r(buf, "/", &save);
	if (!comp)
		comp = ".";
	while ((next = strtok_r(NULL, "/", &save)) != NULL) {
		fd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			fd = snap_walk_error(cur, comp, errno);
		if (cur != rootfd)
			close(cur);
		if (fd < 0)
			return fd;
		cur = fd;
		comp = next;
	}
	fd = openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		fd = snap_walk_error(cur, comp, errno);
	else if ((flags & O_PATH) && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
		/* O_PATH|O_NOFOLLOW opens the link itself. */
		close(fd);
		fd = -ELOOP;
	}
	if (cur != rootfd)
		close(cur);
	return fd;
}

/* Open host path `path` inside fs/: symlinks resolve inside the snapshot, nothing escapes it. */
static int snap_resolve(const struct snap *s, const char *path, int flags)
{
	static bool no_openat2;
	const char *rel = path[1] ? path + 1 : ".";

	if (s->fsfd < 0)
		return -ENOENT;
	if (!host_snapshot_force_walk && !no_openat2) {
		struct open_how how = {
			.flags = (uint64_t)(flags | O_CLOEXEC),
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		long fd = syscall(SYS_openat2, s->fsfd, rel, &how, sizeof how);

		if (fd >= 0)
			return (int)fd;
		if (errno != ENOSYS)
			return -errno;
		no_openat2 = true;      /* a kernel before 5.6: walk, refusing links */
	}
	return snap_walk(s->fsfd, rel, flags);
}

static int snap_open(const struct snap *s, enum snap_where where, const char *name, int flags)
{
	if (where == SNAP_FS)
		return snap_resolve(s, name, flags);
	return snap_walk(s->dirfd, name, flags);
}

/*
 * Open a regular file for reading, and nothing else: a FIFO would block and a
 * device node could act on open. Look first through O_PATH (which opens nothing),
 * then open for reading and check it is still the same file.
 */
static int snap_open_regular(const struct snap *s, enum snap_where where, const char *name)
{
	struct stat before, after;
	int pfd, fd;

	pfd = snap_open(s, where, name, O_PATH);
	if (pfd < 0)
		return pfd;
	if (fstat(pfd, &before) < 0) {
		fd = -errno;
		close(pfd);
		return fd;
	}
	close(pfd);
	if (S_ISDIR(before.st_mode))
		return -EISDIR;
	if (!S_ISREG(before.st_mode))
		return -EINVAL;
	fd = snap_open(s, where, name, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return fd;
	if (fstat(fd, &after) < 0 || !S_ISREG(after.st_mode) || after.st_dev != before.st_dev ||
	    after.st_ino != before.st_ino) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* The archive's name for `name`: host paths live below fs/, the snapshot's own files at the top. */
static int snap_tree_name(const struct snap *s, enum snap_where where, const char *name, char *out, size_t len)
{
	int n;

	if (where == SNAP_MEMBER)
		n = snprintf(out, len, "%s", name);
	else if (!s->tree_fs)
		return -ENOENT;
	else
		n = snprintf(out, len, "fs%s", name[1] ? name : "");
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/*
 * The archive's answer where the directory would open a file. A symbolic link below fs/ is a
 * name without a target (vmdoctor writes dangling links so), as a dangling link is in a directory.
 */
static int snap_tree_err(enum snap_where where, int err)
{
	return where == SNAP_FS && err == -ELOOP ? -ENOENT : err;
}

static int snap_tree_read(struct snap *s, enum snap_where where, const char *name, size_t limit,
			  struct host_buf *out)
{
	char rel[PATH_MAX];
	int err = snap_tree_name(s, where, name, rel, sizeof rel);

	s->tree_why = NULL;
	if (err == 0)
		err = host_tree_read(s->tree, rel, limit, out, &s->tree_why);
	return snap_tree_err(where, err);
}

/* Read a regular file of the snapshot, at most `limit` bytes. */
static int snap_read(struct snap *s, enum snap_where where, const char *name, size_t limit, struct host_buf *out)
{
	int fd;
	int err;

	if (s->tree)
		return snap_tree_read(s, where, name, limit, out);
	fd = snap_open_regular(s, where, name);
	if (fd < 0)
		return fd;
	err = host_read_fd(fd, limit, out);
	close(fd);
	return err;
}

/* Why a snapshot file could not be opened, in words. */
static const char *snap_open_why(const struct snap *s, int err)
{
	if (err == -EINVAL && s->tree && s->tree_why)
		return s->tree_why;
	switch (-err) {
	case ELOOP:
		return "symbolic link refused inside the snapshot";
	case EINVAL:
		return "not a regular file in the snapshot";
	default:
		return strerror(-err);
	}
}

/* ---- text files ---- */

typedef int (*snap_line_fn)(void *ctx, char *line, unsigned lineno);

/* Call `fn` for each line (NUL-terminated, "\r\n" accepted); a line holding a NUL byte is passed as NULL. */
static int snap_each_line(struct host_buf *buf, snap_line_fn fn, void *ctx)
{
	char *p = buf->data, *end = buf->data + buf->len;
	unsigned lineno = 0;

	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *stop = nl ? nl : end;
		size_t n = (size_t)(stop - p);
		bool has_nul = memchr(p, '\0', n) != NULL;
		int rc;

		lineno++;
		*stop = '\0';
		if (n > 0 && p[n - 1] == '\r')
			p[n - 1] = '\0';
		rc = fn(ctx, has_nul ? NULL : p, lineno);
		if (rc != 0)
			return rc;
		p = stop + 1;
	}
	return 0;
}

/* The errno of a name like "EACCES"; unknown names are EIO, anything not an E-name is -1. */
static int snap_errno_word(const char *word)
{
	int err;

	if (word[0] != 'E' || word[1] == '\0')
		return -1;
	for (const char *c = word; *c; c++)
		if (!isupper((unsigned char)*c) && !isdigit((unsigned char)*c))
			return -1;
	err = host_errno_from_name(word);
	return err ? err : EIO;
}

/* Whole-token unsigned number in `base`, at most `max`. */
static bool snap_parse_u64(const char *s, int base, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	int digits = 0;

	for (; *s; s++, digits++) {
		int d;

		if (isdigit((unsigned char)*s))
			d = *s - '0';
		else if (isxdigit((unsigned char)*s))
			d = tolower((unsigned char)*s) - 'a' + 10;
		else
			return false;
		if (d >= base || v > (max - (uint64_t)d) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	if (digits == 0)
		return false;
	*out = v;
	return true;
}

/* ---- fs-errors.txt ---- */

/* "<host path> <ERRNO NAME>"; the path may hold spaces, the name is the last word. */
static int snap_fs_errors_line(void *ctx, char *line, unsigned lineno)
{
	struct snap *s = ctx;
	char norm[PATH_MAX];
	struct snap_fs_error *grown;
	char *sp;
	int err;

	(void)lineno;
	if (!line || !(sp = strrchr(line, ' ')))
		return 0;
	*sp = '\0';
	err = snap_errno_word(sp + 1);
	if (err < 0 || host_path_normalize(line, norm, sizeof norm) < 0)
		return 0;
	grown = realloc(s->errors, (s->n_errors + 1) * sizeof *grown);
	if (!grown)
		return -ENOMEM;
	s->errors = grown;
	s->errors[s->n_errors].path = strdup(norm);
	if (!s->errors[s->n_errors].path)
		return -ENOMEM;
	s->errors[s->n_errors++].err = err;
	return 0;
}

/*
 * The recorded errno for `path`, 0 when none. A path below a recorded directory
 * shares its error (an unreadable /root hides /root/x), but then it is not
 * `exact`: the host could not even tell whether it existed.
 */
static int snap_fs_error(const struct snap *s, const char *path, bool *exact)
{
	int below = 0;

	*exact = false;
	for (size_t i = 0; i < s->n_errors; i++) {
		const char *rec = s->errors[i].path;
		size_t n = strlen(rec);

		if (strcmp(rec, path) == 0) {
			*exact = true;
			return s->errors[i].err;
		}
		if (!below && ((n == 1 && path[1]) || (strncmp(rec, path, n) == 0 && path[n] == '/')))
			below = s->errors[i].err;
	}
	return below;
}

/* ---- devices.txt ---- */

static bool snap_name_ok(const char *name, size_t max)
{
	size_t n = strlen(name);

	if (n == 0 || n >= max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)name[i]))
			return false;
	return true;
}

/* "<type> <major>:<minor> <octal mode> <owner> <group>" after the path. */
static bool snap_device_fields(char *const f[5], struct host_devnode *node)
{
	char *colon = strchr(f[1], ':');
	uint64_t major, minor, mode;

	if (strcmp(f[0], "c") != 0 && strcmp(f[0], "b") != 0)
		return false;
	if (!colon)
		return false;
	*colon = '\0';
	if (!snap_parse_u64(f[1], 10, UINT32_MAX, &major) || !snap_parse_u64(colon + 1, 10, UINT32_MAX, &minor) ||
	    !snap_parse_u64(f[2], 8, 07777, &mode))
		return false;
	if (!snap_name_ok(f[3], sizeof node->owner) || !snap_name_ok(f[4], sizeof node->group))
		return false;
	node->type = f[0][0];
	node->major = (unsigned)major;
	node->minor = (unsigned)minor;
	node->mode = (unsigned)mode;
	snprintf(node->owner, sizeof node->owner, "%s", f[3]);
	snprintf(node->group, sizeof node->group, "%s", f[4]);
	return true;
}

static int snap_devices_line(void *ctx, char *line, unsigned lineno)
{
	struct snap *s = ctx;
	struct snap_device dev;
	struct snap_device *grown;
	char norm[PATH_MAX];
	char *f[5];

	(void)lineno;
	if (!line)
		return 0;
	/* The five fields are the last five words, so that the path may hold spaces. */
	for (int i = 4; i >= 0; i--) {
		char *sp = strrchr(line, ' ');

		if (!sp)
			return 0;
		*sp = '\0';
		f[i] = sp + 1;
	}
	memset(&dev, 0, sizeof dev);
	if (!snap_device_fields(f, &dev.node) || host_path_normalize(line, norm, sizeof norm) < 0)
		return 0;
	grown = realloc(s->devices, (s->n_devices + 1) * sizeof *grown);
	if (!grown)
		return -ENOMEM;
	s->devices = grown;
	dev.path = strdup(norm);
	if (!dev.path)
		return -ENOMEM;
	s->devices[s->n_devices++] = dev;
	return 0;
}

/* Read and parse a list file at open; absent is fine, too big is not. */
static int snap_load_list(struct snap *s, const char *name, snap_line_fn fn, bool *present)
{
	struct host_buf buf;
	int err;

	*present = false;
	err = snap_read(s, SNAP_MEMBER, name, SNAP_LIST_FILE_MAX, &buf);
	if (err == -ENOENT)
		return 0;
	if (err < 0)
		return host_open_fail(err, "%s/%s: %s", s->dir, name, snap_open_why(s, err));
	if (buf.truncated) {
		host_buf_free(&buf);
		return host_open_fail(-EFBIG, "%s/%s: larger than %zu MiB", s->dir, name, SNAP_LIST_FILE_MAX >> 20);
	}
	err = snap_each_line(&buf, fn, s);
	host_buf_free(&buf);
	if (err < 0)
		return host_open_fail(err, "%s/%s: %s", s->dir, name, strerror(-err));
	*present = true;
	return 0;
}

/* ---- snapshot.json ---- */

static int snap_json_fail(const struct snap *s, const char *why)
{
	return host_open_fail(-EINVAL, "%s/snapshot.json: not a vmdoctor snapshot: %s", s->dir, why);
}

static int snap_check_header(const struct snap *s, json_t *root)
{
	json_t *format = json_object_get(root, "format");
	json_t *version = json_object_get(root, "version");

	if (!json_is_object(root))
		return snap_json_fail(s, "not a JSON object");
	if (!format)
		return snap_json_fail(s, "missing \"format\"");
	if (!json_is_string(format) || strcmp(json_string_value(format), "vmdoctor-snapshot") != 0)
		return snap_json_fail(s, "\"format\" is not \"vmdoctor-snapshot\"");
	if (!version)
		return snap_json_fail(s, "missing \"version\"");
	if (!json_is_integer(version))
		return snap_json_fail(s, "\"version\" is not an integer");
	if (json_integer_value(version) != 1)
		return host_open_fail(-EINVAL,
				      "%s/snapshot.json: unsupported snapshot version %" JSON_INTEGER_FORMAT
				      " (this vmdoctor reads version 1)",
				      s->dir, json_integer_value(version));
	return 0;
}

/* A short string member, sanitised; "" when absent or not a string. */
static void snap_json_text(json_t *root, const char *key, char *out, size_t len)
{
	json_t *v = json_object_get(root, key);

	out[0] = '\0';
	if (json_is_string(v))
		host_copy_text(out, len, json_string_value(v));
}

static int snap_load_json(struct snap *s, struct host *host)
{
	struct host_buf buf;
	json_error_t jerr;
	json_t *root;
	int err;

	err = snap_read(s, SNAP_MEMBER, "snapshot.json", SNAP_JSON_MAX, &buf);
	if (err == -ENOENT)
		return host_open_fail(err, "%s/snapshot.json: No such file or directory (not a vmdoctor snapshot)",
				      s->dir);
	if (err < 0)
		return host_open_fail(err, "%s/snapshot.json: %s", s->dir, snap_open_why(s, err));
	if (buf.truncated) {
		host_buf_free(&buf);
		return host_open_fail(-EFBIG, "%s/snapshot.json: larger than 1 MiB", s->dir);
	}
	root = json_loadb(buf.data, buf.len, JSON_REJECT_DUPLICATES, &jerr);
	host_buf_free(&buf);
	if (!root)
		return host_open_fail(-EINVAL, "%s/snapshot.json:%d:%d: not valid JSON: %s", s->dir, jerr.line,
				      jerr.column, jerr.text);
	err = snap_check_header(s, root);
	if (err == 0) {
		snap_json_text(root, "created", host->created, sizeof host->created);
		snap_json_text(root, "source", host->source, sizeof host->source);
		snap_json_text(root, "tool", host->tool, sizeof host->tool);
		s->user = json_incref(json_object_get(root, "user"));
	}
	json_decref(root);
	return err;
}

/* ---- queries: files ---- */

static int snap_read_file(struct host *host, const char *path, size_t limit, struct host_buf *out)
{
	struct snap *s = host->backend;
	bool exact;
	int err = snap_fs_error(s, path, &exact);

	if (err)
		return host_fail(host, -err, "%s: %s (recorded in snapshot)", path, strerror(err));
	err = snap_read(s, SNAP_FS, path, limit, out);
	if (err == -ENOENT)
		return host_fail(host, err, "%s: No such file or directory (not in snapshot)", path);
	if (err < 0)
		return host_fail(host, err, "%s: %s", path, snap_open_why(s, err));
	return 0;
}

static int snap_tree_list(struct host *host, const char *path, struct host_names *out)
{
	struct snap *s = host->backend;
	char rel[PATH_MAX];
	int err = snap_tree_name(s, SNAP_FS, path, rel, sizeof rel);

	if (err == 0)
		err = snap_tree_err(SNAP_FS, host_tree_list(s->tree, rel, out));
	if (err < 0)
		return host_fail(host, err, "%s: %s", path, strerror(-err));
	return 0;
}

static int snap_list_dir(struct host *host, const char *path, struct host_names *out)
{
	struct snap *s = host->backend;
	bool exact;
	int err = snap_fs_error(s, path, &exact);
	DIR *dir;
	int fd;

	if (err)
		return host_fail(host, -err, "%s: %s (recorded in snapshot)", path, strerror(err));
	if (s->tree)
		return snap_tree_list(host, path, out);
	fd = snap_open(s, SNAP_FS, path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return host_fail(host, fd, "%s: %s", path, snap_open_why(s, fd));
	dir = fdopendir(fd);
	if (!dir) {
		err = -errno;
		close(fd);
		return host_fail(host, err, "%s: %s", path, strerror(-err));
	}
	err = host_names_from_dir(dir, out);
	closedir(dir);
	if (err < 0)
		return host_fail(host, err, "%s: %s", path, strerror(-err));
	return 0;
}

static bool snap_exists(struct host *host, const char *path)
{
	struct snap *s = host->backend;
	bool exact;
	int fd;

	/* Recorded as unreadable: it was there. Below an unreadable directory: stat() would fail too. */
	if (snap_fs_error(s, path, &exact))
		return exact;
	if (s->tree) {
		char rel[PATH_MAX];
		int kind = snap_tree_name(s, SNAP_FS, path, rel, sizeof rel);

		/* A device node exists as it would in a directory; a link leads nowhere. */
		if (kind == 0)
			kind = host_tree_kind(s->tree, rel);
		return kind == 'f' || kind == 'd' || kind == 'o';
	}
	fd = snap_open(s, SNAP_FS, path, O_PATH);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int snap_device(struct host *host, const char *path, struct host_devnode *out)
{
	struct snap *s = host->backend;

	if (!s->has_devices)
		return host_fail(host, -ENODATA, "%s: devices.txt was not collected in this snapshot", path);
	for (size_t i = 0; i < s->n_devices; i++) {
		if (strcmp(s->devices[i].path, path) == 0) {
			*out = s->devices[i].node;
			return 0;
		}
	}
	return host_fail(host, -ENOENT, "%s: no such device node (not in devices.txt)", path);
}

/* ---- queries: cpuid.txt ---- */

struct snap_cpuid_scan {
	unsigned bad_line;      /* first line that is not a libcpuid raw dump line */
	bool stop;              /* the 80-dash line: libcpuid stops there, so do we */
	bool has_leaf0;
	bool has_hv;
	uint32_t hv[4];
};

/* Every key libcpuid 0.6.2 or newer writes, with its index bound; hv_cpuid is vmdoctor's. */
static const struct {
	const char *key;
	unsigned max;
} snap_cpuid_keys[] = {
	{ "basic_cpuid", MAX_CPUID_LEVEL },
	{ "ext_cpuid", MAX_EXT_CPUID_LEVEL },
	{ "intel_fn4", MAX_INTELFN4_LEVEL },
	{ "intel_fn11", MAX_INTELFN11_LEVEL },
	{ "intel_fn12h", MAX_INTELFN12H_LEVEL },
	{ "intel_fn14h", MAX_INTELFN14H_LEVEL },
	{ "amd_fn8000001dh", MAX_AMDFN8000001DH_LEVEL },
	{ "amd_fn80000026h", 4 },
	{ "hv_cpuid", 32 },
};

static bool snap_cpuid_key_ok(const char *key, size_t n, unsigned index)
{
	for (size_t i = 0; i < sizeof snap_cpuid_keys / sizeof snap_cpuid_keys[0]; i++)
		if (strlen(snap_cpuid_keys[i].key) == n && strncmp(snap_cpuid_keys[i].key, key, n) == 0)
			return index < snap_cpuid_keys[i].max;
	return false;
}

/* "key[N]=xxxxxxxx xxxxxxxx xxxxxxxx xxxxxxxx", exactly as cpuid_serialize_raw_data() writes it. */
static bool snap_cpuid_reg_line(const char *line, const char **key, size_t *key_len, unsigned *index,
				uint32_t regs[4])
{
	const char *p = line;
	unsigned idx = 0;
	int digits = 0;

	while (islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_')
		p++;
	*key = line;
	*key_len = (size_t)(p - line);
	if (*key_len == 0 || *p++ != '[')
		return false;
	for (; isdigit((unsigned char)*p) && digits < 3; p++, digits++)
		idx = idx * 10 + (unsigned)(*p - '0');
	if (digits == 0 || *p++ != ']' || *p++ != '=')
		return false;
	for (int r = 0; r < 4; r++) {
		char word[9];
		uint64_t v;

		if (r > 0 && *p++ != ' ')
			return false;
		if (strlen(p) < 8)
			return false;
		memcpy(word, p, 8);
		word[8] = '\0';
		if (!snap_parse_u64(word, 16, UINT32_MAX, &v))
			return false;
		regs[r] = (uint32_t)v;
		p += 8;
	}
	*index = idx;
	return *p == '\0' && snap_cpuid_key_ok(*key, *key_len, idx);
}

/* "version=0.6.2": libcpuid scans the value into an 8-byte buffer, so keep it short. */
static bool snap_cpuid_version_line(const char *line)
{
	const char *v = line + 8;
	size_t n = strlen(v);

	if (strncmp(line, "version=", 8) != 0 || n == 0 || n > 7)
		return false;
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && !strchr(".+~_-", *v))
			return false;
	return true;
}

static int snap_cpuid_line(void *ctx, char *line, unsigned lineno)
{
	struct snap_cpuid_scan *scan = ctx;
	const char *key;
	size_t key_len, n;
	unsigned index;
	uint32_t regs[4];

	if (scan->stop)
		return 0;
	if (!line || (n = strlen(line)) > SNAP_CPUID_LINE_MAX)
		goto bad;
	if (n == 0 || line[0] == '#' || snap_cpuid_version_line(line))
		return 0;
	if (strspn(line, "-") == n) {
		scan->stop = n == 80;
		return 0;
	}
	if (!snap_cpuid_reg_line(line, &key, &key_len, &index, regs))
		goto bad;
	if (key_len == 11 && strncmp(key, "basic_cpuid", 11) == 0 && index == 0)
		scan->has_leaf0 = true;
	if (key_len == 8 && strncmp(key, "hv_cpuid", 8) == 0 && index == 0) {
		memcpy(scan->hv, regs, sizeof scan->hv);
		scan->has_hv = true;
	}
	return 0;
bad:
	scan->bad_line = lineno;
	return 1;
}

/*
 * libcpuid parses a file by name. Hand it a private copy of the bytes just
 * validated (a memfd), so the file cannot change between the check and the parse;
 * without /proc fall back to the snapshot's own file.
 */
static int snap_cpuid_deserialize(const struct snap *s, const struct host_buf *buf, struct cpu_raw_data_t *raw)
{
	char path[PATH_MAX];
	int fd = memfd_create("vmdoctor-cpuid", MFD_CLOEXEC);
	bool copied = fd >= 0 && write(fd, buf->data, buf->len) == (ssize_t)buf->len;
	int rc;

	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (!copied || access(path, R_OK) < 0) {
		/* An archive has no file of its own to fall back to. */
		if (s->tree) {
			if (fd >= 0)
				close(fd);
			return -1;
		}
		snprintf(path, sizeof path, "%s/cpuid.txt", s->dir);
	}
	rc = cpuid_deserialize_raw_data(raw, path);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int snap_cpuid(struct host *host, struct host_cpuid *out)
{
	struct snap *s = host->backend;
	struct snap_cpuid_scan scan = { 0 };
	struct cpu_raw_data_t raw;
	struct host_buf buf;
	int err;

	err = snap_read(s, SNAP_MEMBER, "cpuid.txt", SNAP_CPUID_MAX, &buf);
	if (err == -ENOENT)
		return host_fail(host, -ENODATA, "cpuid.txt: CPUID was not collected in this snapshot");
	if (err < 0)
		return host_fail(host, err, "cpuid.txt: %s", snap_open_why(s, err));
	if (buf.truncated) {
		host_buf_free(&buf);
		return host_fail(host, -EINVAL, "cpuid.txt: larger than %zu KiB", SNAP_CPUID_MAX >> 10);
	}
	snap_each_line(&buf, snap_cpuid_line, &scan);
	/* snap_each_line() cut the lines; the text handed to libcpuid must stay whole. */
	for (size_t i = 0; i < buf.len; i++)
		if (buf.data[i] == '\0')
			buf.data[i] = '\n';
	if (scan.bad_line) {
		host_buf_free(&buf);
		return host_fail(host, -EINVAL, "cpuid.txt:%u: not a libcpuid raw dump line", scan.bad_line);
	}
	if (!scan.has_leaf0) {
		host_buf_free(&buf);
		return host_fail(host, -EINVAL, "cpuid.txt: no basic_cpuid[0] line");
	}
	memset(&raw, 0, sizeof raw);
	err = snap_cpuid_deserialize(s, &buf, &raw);
	host_buf_free(&buf);
	if (err < 0)
		return host_fail(host, -EINVAL, "cpuid.txt: libcpuid could not read it: %s", cpuid_error());
	host_cpuid_from_raw(&raw, out);
	out->has_hv_leaf = scan.has_hv;
	memcpy(out->hv_leaf, scan.hv, sizeof out->hv_leaf);
	return 0;
}

/* ---- queries: msr.txt ---- */

struct snap_msr_scan {
	unsigned cpu;
	uint32_t msr;
	bool found;
	int err;                /* positive errno when recorded as unreadable */
	uint64_t value;
};

/* "<cpu> 0x<msr> 0x<value>" or "<cpu> 0x<msr> <ERRNO NAME>". */
static int snap_msr_line(void *ctx, char *line, unsigned lineno)
{
	struct snap_msr_scan *scan = ctx;
	char *save = NULL, *f[3];
	uint64_t cpu, msr, value = 0;
	int err = 0;

	(void)lineno;
	if (!line)
		return 0;
	f[0] = strtok_r(line, " \t", &save);
	f[1] = strtok_r(NULL, " \t", &save);
	f[2] = strtok_r(NULL, " \t", &save);
	if (!f[0] || !f[1] || !f[2] || strtok_r(NULL, " \t", &save))
		return 0;
	if (!snap_parse_u64(f[0], 10, UINT_MAX, &cpu) || strncmp(f[1], "0x", 2) != 0 ||
	    !snap_parse_u64(f[1] + 2, 16, UINT32_MAX, &msr))
		return 0;
	if (strncmp(f[2], "0x", 2) == 0) {
		if (!snap_parse_u64(f[2] + 2, 16, UINT64_MAX, &value))
			return 0;
	} else if ((err = snap_errno_word(f[2])) < 0) {
		return 0;
	}
	if (cpu != scan->cpu || msr != scan->msr)
		return 0;
	scan->found = true;
	scan->err = err;
	scan->value = value;
	return 1;
}

static int snap_msr(struct host *host, unsigned cpu, uint32_t msr, uint64_t *value)
{
	struct snap *s = host->backend;
	struct snap_msr_scan scan = { .cpu = cpu, .msr = msr };
	struct host_buf buf;
	int err;

	err = snap_read(s, SNAP_MEMBER, "msr.txt", SNAP_MSR_MAX, &buf);
	if (err == -ENOENT)
		return host_fail(host, -ENODATA, "msr.txt: MSRs were not collected in this snapshot");
	if (err < 0)
		return host_fail(host, err, "msr.txt: %s", snap_open_why(s, err));
	if (buf.truncated) {
		host_buf_free(&buf);
		return host_fail(host, -EINVAL, "msr.txt: larger than %zu MiB", SNAP_MSR_MAX >> 20);
	}
	snap_each_line(&buf, snap_msr_line, &scan);
	host_buf_free(&buf);
	if (!scan.found)
		return host_fail(host, -ENODATA, "msr.txt: cpu %u MSR 0x%" PRIx32 " was not collected", cpu, msr);
	if (scan.err)
		return host_fail(host, -scan.err, "/dev/cpu/%u/msr: MSR 0x%" PRIx32 ": %s (recorded in snapshot)",
				 cpu, msr, strerror(scan.err));
	*value = scan.value;
	return 0;
}

/* ---- queries: dmesg.txt, user, commands ---- */

static int snap_kernel_log(struct host *host, struct host_buf *out)
{
	struct snap *s = host->backend;
	int err = snap_read(s, SNAP_MEMBER, "dmesg.txt", HOST_KERNEL_LOG_MAX, out);

	if (err == -ENOENT)
		return host_fail(host, -ENODATA, "dmesg.txt: the kernel log was not collected in this snapshot");
	if (err < 0)
		return host_fail(host, err, "dmesg.txt: %s", snap_open_why(s, err));
	return 0;
}

static bool snap_json_id(json_t *v, uint32_t *out)
{
	json_int_t n;

	if (!json_is_integer(v))
		return false;
	n = json_integer_value(v);
	/* (uid_t)-1 means "no user" to the kernel: not a valid id. */
	if (n < 0 || n >= (json_int_t)UINT32_MAX)
		return false;
	*out = (uint32_t)n;
	return true;
}

static int snap_user_groups(json_t *groups, struct host_names *out)
{
	size_t i;
	json_t *g;

	if (!json_is_array(groups) || json_array_size(groups) > SNAP_GROUPS_MAX)
		return -EINVAL;
	json_array_foreach(groups, i, g) {
		if (!json_is_string(g) || !snap_name_ok(json_string_value(g), 256))
			return -EINVAL;
		if (host_names_add(out, json_string_value(g)) < 0)
			return -ENOMEM;
	}
	host_names_sort_unique(out);
	return 0;
}

static int snap_user(struct host *host, struct host_user *out)
{
	struct snap *s = host->backend;
	json_t *name, *gid, *sudo, *groups;
	uint32_t id;

	if (!s->user)
		return host_fail(host, -ENODATA, "snapshot.json: no \"user\" (not collected)");
	if (!json_is_object(s->user))
		return host_fail(host, -EINVAL, "snapshot.json: \"user\" is not an object");
	name = json_object_get(s->user, "name");
	if (!json_is_string(name) || !snap_name_ok(json_string_value(name), sizeof out->name))
		return host_fail(host, -EINVAL, "snapshot.json: \"user\" needs a \"name\" of 1 to 63 printable characters");
	snprintf(out->name, sizeof out->name, "%s", json_string_value(name));
	if (!snap_json_id(json_object_get(s->user, "uid"), &id))
		return host_fail(host, -EINVAL, "snapshot.json: \"user\" needs a \"uid\" number");
	out->uid = id;
	gid = json_object_get(s->user, "gid");
	if (gid && !snap_json_id(gid, &id))
		return host_fail(host, -EINVAL, "snapshot.json: \"user\".\"gid\" is not a group id");
	out->gid = gid ? id : 0;
	out->gid_known = gid != NULL;
	sudo = json_object_get(s->user, "via_sudo");
	if (sudo && !json_is_boolean(sudo))
		return host_fail(host, -EINVAL, "snapshot.json: \"user\".\"via_sudo\" is not true or false");
	out->via_sudo = json_is_true(sudo);
	groups = json_object_get(s->user, "groups");
	if (groups && snap_user_groups(groups, &out->session_groups) < 0) {
		host_names_free(&out->session_groups);
		return host_fail(host, -EINVAL, "snapshot.json: \"user\".\"groups\" is not a list of group names");
	}
	out->session_known = groups != NULL;
	return 0;
}

static int snap_kvm_probe(struct host *host, struct host_kvm_probe *out)
{
	struct snap *s = host->backend;
	const char *file = "commands/" HOST_KVM_PROBE_NAME ".txt";
	struct host_buf buf;
	char why[128];
	int err;

	err = snap_read(s, SNAP_MEMBER, file, SNAP_PROBE_MAX, &buf);
	if (err == -ENOENT)
		return host_fail(host, -ENODATA, "%s: the /dev/kvm probe was not collected in this snapshot", file);
	if (err < 0)
		return host_fail(host, err, "%s: %s", file, snap_open_why(s, err));
	if (buf.truncated || memchr(buf.data, '\0', buf.len)) {
		host_buf_free(&buf);
		return host_fail(host, -EINVAL, "%s: not a kvm probe record", file);
	}
	err = host_kvm_probe_parse(buf.data, out, why, sizeof why);
	host_buf_free(&buf);
	if (err < 0) {
		memset(out, 0, sizeof *out);
		out->api_version = -1;
		out->create_vm_err = 1;
		return host_fail(host, err, "%s: %s", file, why);
	}
	return 0;
}

/* Split "header\noutput" in place: the output moves to the front of the buffer. */
static int snap_run_split(struct host *host, const char *file, struct host_buf *buf, struct host_cmd_result *out)
{
	char *nl = memchr(buf->data, '\n', buf->len);
	size_t hlen = nl ? (size_t)(nl - buf->data) : buf->len;
	size_t skip = nl ? hlen + 1 : hlen;
	size_t rest = buf->len - skip;

	if (hlen > 0 && buf->data[hlen - 1] == '\r')
		hlen--;
	if (hlen > SNAP_CMD_HEADER_MAX || memchr(buf->data, '\0', hlen) ||
	    host_cmd_header_parse(buf->data, hlen, &out->exit_code, &out->timed_out) < 0) {
		out->exit_code = -1;
		return host_fail(host, -EINVAL, "%s:1: expected \"$ argv... (exit N)\"", file);
	}
	out->output.truncated = buf->truncated;
	if (rest > HOST_RUN_OUTPUT_MAX) {
		rest = HOST_RUN_OUTPUT_MAX;
		out->output.truncated = true;
	}
	memmove(buf->data, buf->data + skip, rest);
	buf->data[rest] = '\0';
	out->output.data = buf->data;
	out->output.len = rest;
	buf->data = NULL;
	return 0;
}

static int snap_run(struct host *host, const char *name, const char *const argv[], int timeout_ms,
		    struct host_cmd_result *out)
{
	struct snap *s = host->backend;
	char file[192];
	struct host_buf buf;
	int err;

	(void)argv;
	(void)timeout_ms;
	snprintf(file, sizeof file, "commands/%s.txt", name);
	err = snap_read(s, SNAP_MEMBER, file, HOST_RUN_OUTPUT_MAX + SNAP_CMD_HEADER_MAX, &buf);
	if (err == -ENOENT)
		return host_fail(host, -ENODATA, "%s: this command was not run for the snapshot", file);
	if (err < 0)
		return host_fail(host, err, "%s: %s", file, snap_open_why(s, err));
	err = snap_run_split(host, file, &buf, out);
	host_buf_free(&buf);
	return err;
}

/* libvirt/state.json: what the live run asked libvirt (core/host_libvirt.c parses it). */
static int snap_libvirt_json(struct host *host, const char *uri, int timeout_ms, struct host_buf *out)
{
	struct snap *s = host->backend;
	const char *file = "libvirt/state.json";
	int err;

	(void)uri;
	(void)timeout_ms;
	err = snap_read(s, SNAP_MEMBER, file, HOST_LIBVIRT_JSON_MAX, out);
	if (err == -ENOENT)
		return host_fail(host, -ENODATA, "%s: libvirt was not asked for this snapshot", file);
	if (err < 0)
		return host_fail(host, err, "%s: %s", file, snap_open_why(s, err));
	if (out->truncated) {
		host_buf_free(out);
		return host_fail(host, -EINVAL, "%s: larger than %zu bytes", file, HOST_LIBVIRT_JSON_MAX);
	}
	return 0;
}

/* ---- opening and closing ---- */

static void snap_free(struct snap *s)
{
	if (!s)
		return;
	if (s->dirfd >= 0)
		close(s->dirfd);
	if (s->fsfd >= 0)
		close(s->fsfd);
	for (size_t i = 0; i < s->n_errors; i++)
		free(s->errors[i].path);
	free(s->errors);
	for (size_t i = 0; i < s->n_devices; i++)
		free(s->devices[i].path);
	free(s->devices);
	json_decref(s->user);
	host_tree_free(s->tree);
	free(s->dir);
	free(s);
}

static void snap_close(struct host *host)
{
	snap_free(host->backend);
	host->backend = NULL;
}

static const struct host_ops snap_ops = {
	.read_file = snap_read_file,
	.list_dir = snap_list_dir,
	.exists = snap_exists,
	.device = snap_device,
	.cpuid = snap_cpuid,
	.msr = snap_msr,
	.kernel_log = snap_kernel_log,
	.user = snap_user,
	.kvm_probe = snap_kvm_probe,
	.run = snap_run,
	.libvirt_json = snap_libvirt_json,
	.close = snap_close,
};

static int snap_open_dir(struct snap *s)
{
	struct stat st;

	if (stat(s->dir, &st) < 0)
		return host_open_fail(-errno, "%s: %s", s->dir, strerror(errno));
	if (S_ISREG(st.st_mode))
		return host_archive_load(s->dir, &s->tree);
	if (!S_ISDIR(st.st_mode))
		return host_open_fail(-ENOTDIR, "%s: not a snapshot directory", s->dir);
	s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0)
		return host_open_fail(-errno, "%s: %s", s->dir, strerror(errno));
	return 0;
}

/* fs/ is optional (nothing of the host's files collected) but must be a real directory. */
static int snap_open_fs(struct snap *s)
{
	int err;

	if (s->tree) {
		err = host_tree_kind(s->tree, "fs");
		s->tree_fs = err == 'd';
		if (err == -ENOENT || err == 'd')
			return 0;
		err = err == 'l' ? -ELOOP : -ENOTDIR;
		return host_open_fail(err, "%s/fs: %s", s->dir, snap_open_why(s, err));
	}
	s->fsfd = openat(s->dirfd, "fs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->fsfd >= 0 || errno == ENOENT)
		return 0;
	err = snap_walk_error(s->dirfd, "fs", errno);
	return host_open_fail(err, "%s/fs: %s", s->dir, snap_open_why(s, err));
}

static int snap_load(struct snap *s, struct host *host)
{
	bool present;
	int err;

	err = snap_open_dir(s);
	if (err == 0)
		err = snap_load_json(s, host);
	if (err == 0)
		err = snap_open_fs(s);
	if (err == 0)
		err = snap_load_list(s, "fs-errors.txt", snap_fs_errors_line, &present);
	if (err == 0)
		err = snap_load_list(s, "devices.txt", snap_devices_line, &s->has_devices);
	return err;
}

int host_snapshot_open(const char *dir, struct host **out)
{
	struct snap *s = calloc(1, sizeof *s);
	struct host *host;
	int err;

	host_cpuid_silence();
	if (!s)
		return host_open_fail(-ENOMEM, "%s: %s", dir, strerror(ENOMEM));
	s->dirfd = -1;
	s->fsfd = -1;
	s->dir = strdup(dir);
	host = host_new(&snap_ops, s, true);
	if (!s->dir || !host) {
		free(host);
		snap_free(s);
		return host_open_fail(-ENOMEM, "%s: %s", dir, strerror(ENOMEM));
	}
	err = snap_load(s, host);
	if (err < 0) {
		free(host);
		snap_free(s);
		return err;
	}
	*out = host;
	return 0;
}
