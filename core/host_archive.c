/* SPDX-License-Identifier: MIT */
/* A snapshot packed in a tar archive (a support bundle), loaded into memory as a tree, treating every byte as hostile. */
#include "host_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

/*
 * The whole archive is read once, front to back, when the snapshot is opened; nothing is
 * written to disk and no member name is ever used as a path of this machine. Every member
 * becomes a node, named by its path relative to the snapshot's top. Parents that the archive
 * does not list get a directory node of their own, so that the tree answers exactly like a
 * snapshot directory would.
 */

enum tree_kind {
	TREE_DIR,
	TREE_FILE,
	TREE_LINK,              /* a symbolic link: listed, never followed */
	TREE_SKIPPED,           /* a member that is not a plain file: listed, never read */
};

struct tree_node {
	char *name;             /* "fs/etc/group", no leading or trailing '/' */
	enum tree_kind kind;
	bool implicit;          /* a parent the archive did not list itself */
	bool cut;               /* the member was longer than HOST_ARCHIVE_MEMBER_MAX */
	char *data;             /* TREE_FILE: the bytes, NUL-terminated */
	size_t len;
	const char *why;        /* TREE_SKIPPED: what it was */
};

struct host_tree {
	struct tree_node *nodes;        /* sorted by name, unique */
	size_t count, cap;
	char *top;                      /* "" or "bundle-dir/" when every member is below one folder */
	size_t name_bytes;
	size_t data_bytes;              /* uncompressed bytes read so far */
	const char *path;               /* the archive, for reasons */
};

/* ---- building the tree ---- */

/* Append a node; takes `name` (freed on failure). */
static int tree_add(struct host_tree *t, char *name, enum tree_kind kind, bool implicit)
{
	int err = 0;

	t->name_bytes += name ? strlen(name) + 1 : 0;
	if (!name)
		err = host_open_fail(-ENOMEM, "%s: %s", t->path, strerror(ENOMEM));
	else if (t->count >= HOST_ARCHIVE_NODES_MAX)
		err = host_open_fail(-EFBIG, "%s: more than %d members", t->path, HOST_ARCHIVE_NODES_MAX);
	else if (t->name_bytes > HOST_ARCHIVE_NAMES_MAX)
		err = host_open_fail(-EFBIG, "%s: member names longer than %zu MiB in all", t->path,
				     HOST_ARCHIVE_NAMES_MAX >> 20);
	if (err == 0 && t->count == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct tree_node *grown = realloc(t->nodes, cap * sizeof *grown);

		if (!grown)
			err = host_open_fail(-ENOMEM, "%s: %s", t->path, strerror(ENOMEM));
		else
			t->nodes = grown;
		t->cap = grown ? cap : t->cap;
	}
	if (err < 0) {
		free(name);
		return err;
	}
	t->nodes[t->count++] = (struct tree_node){ .name = name, .kind = kind, .implicit = implicit };
	return 0;
}

/* Add a node, then an implicit directory for each of its parents; returns the node. Takes `name`. */
static int tree_add_with_parents(struct host_tree *t, char *name, enum tree_kind kind, struct tree_node **node)
{
	size_t at = t->count;
	int err = tree_add(t, name, kind, false);

	for (char *slash = strrchr(name, '/'); err == 0 && slash; slash = memrchr(name, '/', (size_t)(slash - name)))
		err = tree_add(t, strndup(name, (size_t)(slash - name)), TREE_DIR, true);
	*node = err == 0 ? &t->nodes[at] : NULL;
	return err;
}

/*
 * "./fs//etc/group" -> "fs/etc/group". An absolute name or a ".." component is refused:
 * vmdoctor never writes one, and tar would put such a member outside the folder.
 * Returns 1 for the archive's own top ("." or "./"), which is not a node.
 */
static int tree_clean_name(const struct host_tree *t, const char *raw, char **out)
{
	size_t n = raw ? strlen(raw) : 0;
	char *clean, *dst;
	const char *p = raw;

	if (n == 0)
		return host_open_fail(-EINVAL, "%s: a member has no name", t->path);
	if (n >= PATH_MAX)
		return host_open_fail(-ENAMETOOLONG, "%s: member name longer than %d bytes", t->path, PATH_MAX - 1);
	if (raw[0] == '/')
		return host_open_fail(-EINVAL, "%s: member \"%s\": absolute name refused", t->path, raw);
	clean = malloc(n + 1);
	if (!clean)
		return host_open_fail(-ENOMEM, "%s: %s", t->path, strerror(ENOMEM));
	dst = clean;
	while (*p) {
		size_t len = strcspn(p, "/");

		if (len == 2 && p[0] == '.' && p[1] == '.') {
			free(clean);
			return host_open_fail(-EINVAL, "%s: member \"%s\": \"..\" refused", t->path, raw);
		}
		if (len > 0 && !(len == 1 && p[0] == '.')) {
			if (dst != clean)
				*dst++ = '/';
			memcpy(dst, p, len);
			dst += len;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	*dst = '\0';
	if (dst == clean) {
		free(clean);
		return 1;
	}
	*out = clean;
	return 0;
}

/* Take `n` more uncompressed bytes from the budget of the whole archive. */
static int tree_budget(struct host_tree *t, size_t n)
{
	t->data_bytes += n;
	if (t->data_bytes > HOST_ARCHIVE_TOTAL_MAX)
		return host_open_fail(-EFBIG, "%s: more than %zu MiB uncompressed (refused as a decompression bomb)",
				      t->path, HOST_ARCHIVE_TOTAL_MAX >> 20);
	return 0;
}

/* An archive read error: libarchive's words when it has some. */
static int tree_archive_fail(const struct host_tree *t, struct archive *a, const char *member)
{
	const char *why = archive_error_string(a);

	if (!why)
		why = "damaged archive";
	if (member)
		return host_open_fail(-EINVAL, "%s: member \"%s\": %s", t->path, member, why);
	return host_open_fail(-EINVAL, "%s: not a readable tar archive: %s", t->path, why);
}

/*
 * Read the data of the current member into `node`, keeping at most HOST_ARCHIVE_MEMBER_MAX bytes
 * of a plain file and none of anything else. The size in the header is never trusted: bytes are
 * counted as they come out of libarchive, and the rest of an over-long member (or the data of a
 * member that is not kept) is still read and counted, never skipped unseen, to reach the next header.
 */
static int tree_read_data(struct host_tree *t, struct archive *a, struct tree_node *node)
{
	size_t cap = 0;
	char scratch[16384];

	node->data = malloc(1);
	if (!node->data)
		return host_open_fail(-ENOMEM, "%s: %s", t->path, strerror(ENOMEM));
	for (;;) {
		char *dst = scratch;
		size_t room = sizeof scratch;
		la_ssize_t n;
		int err;

		if (node->kind == TREE_FILE && node->len < HOST_ARCHIVE_MEMBER_MAX) {
			if (node->len + sizeof scratch + 1 > cap) {
				size_t want = cap ? cap * 2 : 65536;
				char *grown;

				if (want > HOST_ARCHIVE_MEMBER_MAX + 1)
					want = HOST_ARCHIVE_MEMBER_MAX + 1;
				grown = realloc(node->data, want);
				if (!grown)
					return host_open_fail(-ENOMEM, "%s: %s", t->path, strerror(ENOMEM));
				node->data = grown;
				cap = want;
			}
			dst = node->data + node->len;
			room = cap - 1 - node->len;
		}
		n = archive_read_data(a, dst, room);
		if (n < 0)
			return tree_archive_fail(t, a, node->name);
		if (n == 0)
			break;
		if ((err = tree_budget(t, (size_t)n)) < 0)
			return err;
		if (dst == scratch)
			node->cut = node->kind == TREE_FILE;
		else
			node->len += (size_t)n;
	}
	node->data[node->len] = '\0';
	return 0;
}

/* What each tar member type becomes: a table, so that nothing unlisted is ever read. */
static const struct {
	unsigned type;
	enum tree_kind kind;
	const char *why;
} tree_types[] = {
	{ AE_IFREG, TREE_FILE, NULL },
	{ AE_IFDIR, TREE_DIR, NULL },
	{ AE_IFLNK, TREE_LINK, NULL },
	{ AE_IFCHR, TREE_SKIPPED, "character device member, not read" },
	{ AE_IFBLK, TREE_SKIPPED, "block device member, not read" },
	{ AE_IFIFO, TREE_SKIPPED, "FIFO member, not read" },
	{ AE_IFSOCK, TREE_SKIPPED, "socket member, not read" },
};

/*
 * The member's name as bytes: UTF-8 (what pax headers and vmdoctor's bundles hold), whatever the
 * locale, so that "/home/jürgen" in a bundle answers "/home/jürgen" as the directory would.
 */
static const char *tree_entry_name(struct archive_entry *e)
{
	const char *name = archive_entry_pathname_utf8(e);

	return name ? name : archive_entry_pathname(e);
}

static int tree_read_member(struct host_tree *t, struct archive *a, struct archive_entry *e)
{
	enum tree_kind kind = TREE_SKIPPED;
	const char *why = "member of an unknown type, not read";
	struct tree_node *node;
	char *name = NULL;
	int err;

	err = tree_clean_name(t, tree_entry_name(e), &name);
	if (err < 0)
		return err;
	if (err > 0) {
		/* The archive's own top ("./") is no node, but any data it claims is still read and counted. */
		struct tree_node top = { .name = ".", .kind = TREE_DIR };

		err = tree_read_data(t, a, &top);
		free(top.data);
		return err;
	}
	for (size_t i = 0; i < sizeof tree_types / sizeof tree_types[0]; i++) {
		if (archive_entry_filetype(e) == tree_types[i].type) {
			kind = tree_types[i].kind;
			why = tree_types[i].why;
		}
	}
	/* A hard link shares another member's bytes: following it could read any member under this name. */
	if (archive_entry_hardlink(e) || archive_entry_hardlink_utf8(e) || archive_entry_hardlink_w(e)) {
		kind = TREE_SKIPPED;
		why = "hard link member, not followed";
	}
	err = tree_add_with_parents(t, name, kind, &node);
	if (err < 0)
		return err;
	node->why = why;
	return tree_read_data(t, a, node);
}

static int tree_node_cmp(const void *a, const void *b)
{
	const struct tree_node *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	/* Equal names: explicit members first, so that they win over implicit directories. */
	return c ? c : (int)x->implicit - (int)y->implicit;
}

static void tree_node_free(struct tree_node *n)
{
	free(n->name);
	free(n->data);
}

/* Sort, merge directories named twice, and refuse any other name given twice. */
static int tree_finish(struct host_tree *t)
{
	size_t kept = 0;

	if (t->count)
		qsort(t->nodes, t->count, sizeof *t->nodes, tree_node_cmp);
	for (size_t i = 0; i < t->count; i++) {
		struct tree_node *prev = kept ? &t->nodes[kept - 1] : NULL;
		struct tree_node *cur = &t->nodes[i];

		if (prev && strcmp(prev->name, cur->name) == 0) {
			int err = 0;

			if (prev->kind != TREE_DIR && cur->implicit)
				err = host_open_fail(-EINVAL, "%s: member \"%s\": both a file and a directory", t->path,
						     cur->name);
			else if (prev->kind != TREE_DIR || cur->kind != TREE_DIR)
				err = host_open_fail(-EINVAL, "%s: member \"%s\": appears twice", t->path, cur->name);
			if (err < 0) {
				/* Slots kept..i-1 were moved or freed: only the rest still owns memory. */
				for (size_t j = i; j < t->count; j++)
					tree_node_free(&t->nodes[j]);
				t->count = kept;
				return err;
			}
			tree_node_free(cur);
			continue;
		}
		t->nodes[kept++] = *cur;
	}
	t->count = kept;
	return 0;
}

/* ---- lookups ---- */

static struct tree_node *tree_find_exact(const struct host_tree *t, const char *name)
{
	size_t lo = 0, hi = t->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->nodes[mid].name, name);

		if (c == 0)
			return &t->nodes[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The first node whose name is >= `name`. */
static size_t tree_lower_bound(const struct host_tree *t, const char *name)
{
	size_t lo = 0, hi = t->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(t->nodes[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Prefix the top folder: "" names the top itself. */
static int tree_full_name(const struct host_tree *t, const char *rel, char *out, size_t len)
{
	size_t top = strlen(t->top);
	int n;

	if (!rel[0])
		n = snprintf(out, len, "%.*s", top ? (int)top - 1 : 0, t->top);
	else
		n = snprintf(out, len, "%s%s", t->top, rel);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/*
 * The node at `rel`, or why there is none: -ENOENT, -ENOTDIR below a file, -ELOOP
 * through a symbolic link (which is never followed). "" is the top, always a directory.
 */
static int tree_lookup(const struct host_tree *t, const char *rel, const struct tree_node **out)
{
	char full[PATH_MAX];
	int err = tree_full_name(t, rel, full, sizeof full);
	size_t top = strlen(t->top);

	*out = NULL;
	if (err < 0)
		return err;
	if (!full[0])
		return 0;
	*out = tree_find_exact(t, full);
	if (*out)
		return 0;
	/* Not there: a link or a file on the way explains it better than "absent". */
	for (char *slash = strchr(full + top, '/'); slash; slash = strchr(slash + 1, '/')) {
		const struct tree_node *up;

		*slash = '\0';
		up = tree_find_exact(t, full);
		*slash = '/';
		if (!up)
			return -ENOENT;
		if (up->kind == TREE_LINK)
			return -ELOOP;
		if (up->kind != TREE_DIR)
			return -ENOTDIR;
	}
	return -ENOENT;
}

int host_tree_kind(const struct host_tree *t, const char *rel)
{
	const struct tree_node *n;
	int err = tree_lookup(t, rel, &n);

	if (err < 0)
		return err;
	if (!n || n->kind == TREE_DIR)
		return 'd';
	return n->kind == TREE_FILE ? 'f' : n->kind == TREE_LINK ? 'l' : 'o';
}

int host_tree_read(const struct host_tree *t, const char *rel, size_t limit, struct host_buf *out,
		   const char **why)
{
	const struct tree_node *n;
	int err = tree_lookup(t, rel, &n);
	size_t len;

	*why = NULL;
	if (err < 0)
		return err;
	if (!n || n->kind == TREE_DIR)
		return -EISDIR;
	if (n->kind == TREE_LINK)
		return -ELOOP;
	if (n->kind != TREE_FILE) {
		*why = n->why;
		return -EINVAL;
	}
	len = n->len < limit ? n->len : limit;
	out->data = malloc(len + 1);
	if (!out->data)
		return -ENOMEM;
	memcpy(out->data, n->data, len);
	out->data[len] = '\0';
	out->len = len;
	/* A member cut at load time may have been longer than `limit` too: say so. */
	out->truncated = n->len > limit || n->cut;
	return 0;
}

int host_tree_list(const struct host_tree *t, const char *rel, struct host_names *out)
{
	char prefix[PATH_MAX];
	const struct tree_node *n;
	int err = tree_lookup(t, rel, &n);
	size_t plen;

	if (err < 0)
		return err;
	if (n && n->kind == TREE_LINK)
		return -ELOOP;
	if (n && n->kind != TREE_DIR)
		return -ENOTDIR;
	if (tree_full_name(t, rel, prefix, sizeof prefix - 1) < 0)
		return -ENAMETOOLONG;
	plen = strlen(prefix);
	if (plen)
		prefix[plen++] = '/';
	prefix[plen] = '\0';
	for (size_t i = tree_lower_bound(t, prefix); i < t->count && strncmp(t->nodes[i].name, prefix, plen) == 0;
	     i++) {
		const char *child = t->nodes[i].name + plen;

		if (!strchr(child, '/') && host_names_add(out, child) < 0) {
			host_names_free(out);
			return -ENOMEM;
		}
	}
	return 0;
}

/* ---- loading ---- */

/* A bundle holds the snapshot at its top; a packed snapshot folder holds it one level down. */
static int tree_find_top(struct host_tree *t)
{
	const struct tree_node *only = NULL;
	size_t tops = 0;

	t->top = strdup("");
	if (!t->top)
		return host_open_fail(-ENOMEM, "%s: %s", t->path, strerror(ENOMEM));
	if (tree_find_exact(t, "snapshot.json"))
		return 0;
	for (size_t i = 0; i < t->count; i++) {
		if (!strchr(t->nodes[i].name, '/')) {
			only = &t->nodes[i];
			tops++;
		}
	}
	if (tops == 1 && only->kind == TREE_DIR) {
		free(t->top);
		if (asprintf(&t->top, "%s/", only->name) < 0) {
			t->top = NULL;
			return host_open_fail(-ENOMEM, "%s: %s", t->path, strerror(ENOMEM));
		}
	}
	return 0;
}

/*
 * Only compressions libarchive does itself: read_support_filter_all() would also hand
 * lrzip, lzop and grzip data to external programs.
 */
static int (*const tree_filters[])(struct archive *) = {
	archive_read_support_filter_gzip, archive_read_support_filter_bzip2, archive_read_support_filter_xz,
	archive_read_support_filter_lzma, archive_read_support_filter_zstd, archive_read_support_filter_lz4,
};

static struct archive *tree_reader(void)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL;
	for (size_t i = 0; i < sizeof tree_filters / sizeof tree_filters[0]; i++)
		tree_filters[i](a);
	/* tar only: zip, cpio, ISO and the rest are refused as "not a tar archive". */
	archive_read_support_format_tar(a);
	return a;
}

static int tree_read_all(struct host_tree *t, int fd)
{
	struct archive *a = tree_reader();
	struct archive_entry *e;
	int rc, err = 0;

	if (!a)
		return host_open_fail(-ENOMEM, "%s: %s", t->path, strerror(ENOMEM));
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		err = tree_archive_fail(t, a, NULL);
		archive_read_free(a);
		return err;
	}
	while (err == 0 && (rc = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		/* ARCHIVE_RETRY (a damaged header) ranks above ARCHIVE_WARN but is no member at all. */
		if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
			err = tree_archive_fail(t, a, NULL);
		else
			err = tree_read_member(t, a, e);
	}
	archive_read_free(a);
	return err;
}

void host_tree_free(struct host_tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->count; i++)
		tree_node_free(&t->nodes[i]);
	free(t->nodes);
	free(t->top);
	free(t);
}

int host_archive_load(const char *path, struct host_tree **out)
{
	struct host_tree *t;
	struct stat st;
	int fd, err;

	*out = NULL;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return host_open_fail(-errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return host_open_fail(-EINVAL, "%s: not a regular file", path);
	}
	if (st.st_size == 0) {
		close(fd);
		return host_open_fail(-EINVAL, "%s: empty file, not a bundle archive", path);
	}
	t = calloc(1, sizeof *t);
	if (!t) {
		close(fd);
		return host_open_fail(-ENOMEM, "%s: %s", path, strerror(ENOMEM));
	}
	t->path = path;
	err = tree_read_all(t, fd);
	close(fd);
	if (err == 0 && t->count == 0)
		err = host_open_fail(-EINVAL, "%s: a tar archive without members, not a bundle", path);
	if (err == 0)
		err = tree_finish(t);
	if (err == 0)
		err = tree_find_top(t);
	if (err < 0) {
		host_tree_free(t);
		return err;
	}
	t->path = NULL;
	*out = t;
	return 0;
}
