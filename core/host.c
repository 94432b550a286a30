/* SPDX-License-Identifier: MIT */
/* The host layer's common part: argument checks and dispatch to a back end, errno names, buffers and lists. */
#include "vmdoctor/host.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libcpuid.h>

#include "host_private.h"

/* Past this a read is cut (and marked truncated) whatever the caller asked: no host file is bigger. */
#define HOST_READ_HARD_MAX ((size_t)1 << 30)
/* A directory with more entries than this is not one vmdoctor needs to list. */
#define HOST_LIST_MAX ((size_t)1 << 20)

static _Thread_local char host_open_reason[HOST_ERROR_MAX] = "no error";

/* ---- errno names ---- */

struct host_errno_entry {
	int err;
	const char *name;
};

/* Every Linux errno, so that any error a host gives has a name. Where two names share a
 * value (EAGAIN/EWOULDBLOCK, EDEADLK/EDEADLOCK, EOPNOTSUPP/ENOTSUP) the first one is written. */
#define HOST_ERRNO_LIST(X) \
	X(EPERM) X(ENOENT) X(ESRCH) X(EINTR) X(EIO) X(ENXIO) X(E2BIG) X(ENOEXEC) X(EBADF) X(ECHILD) \
	X(EAGAIN) X(EWOULDBLOCK) X(ENOMEM) X(EACCES) X(EFAULT) X(ENOTBLK) X(EBUSY) X(EEXIST) X(EXDEV) \
	X(ENODEV) X(ENOTDIR) X(EISDIR) X(EINVAL) X(ENFILE) X(EMFILE) X(ENOTTY) X(ETXTBSY) X(EFBIG) \
	X(ENOSPC) X(ESPIPE) X(EROFS) X(EMLINK) X(EPIPE) X(EDOM) X(ERANGE) X(EDEADLK) X(EDEADLOCK) \
	X(ENAMETOOLONG) X(ENOLCK) X(ENOSYS) X(ENOTEMPTY) X(ELOOP) X(ENOMSG) X(EIDRM) X(ECHRNG) \
	X(EL2NSYNC) X(EL3HLT) X(EL3RST) X(ELNRNG) X(EUNATCH) X(ENOCSI) X(EL2HLT) X(EBADE) X(EBADR) \
	X(EXFULL) X(ENOANO) X(EBADRQC) X(EBADSLT) X(EBFONT) X(ENOSTR) X(ENODATA) X(ETIME) X(ENOSR) \
	X(ENONET) X(ENOPKG) X(EREMOTE) X(ENOLINK) X(EADV) X(ESRMNT) X(ECOMM) X(EPROTO) X(EMULTIHOP) \
	X(EDOTDOT) X(EBADMSG) X(EOVERFLOW) X(ENOTUNIQ) X(EBADFD) X(EREMCHG) X(ELIBACC) X(ELIBBAD) \
	X(ELIBSCN) X(ELIBMAX) X(ELIBEXEC) X(EILSEQ) X(ERESTART) X(ESTRPIPE) X(EUSERS) X(ENOTSOCK) \
	X(EDESTADDRREQ) X(EMSGSIZE) X(EPROTOTYPE) X(ENOPROTOOPT) X(EPROTONOSUPPORT) X(ESOCKTNOSUPPORT) \
	X(EOPNOTSUPP) X(ENOTSUP) X(EPFNOSUPPORT) X(EAFNOSUPPORT) X(EADDRINUSE) X(EADDRNOTAVAIL) \
	X(ENETDOWN) X(ENETUNREACH) X(ENETRESET) X(ECONNABORTED) X(ECONNRESET) X(ENOBUFS) X(EISCONN) \
	X(ENOTCONN) X(ESHUTDOWN) X(ETOOMANYREFS) X(ETIMEDOUT) X(ECONNREFUSED) X(EHOSTDOWN) \
	X(EHOSTUNREACH) X(EALREADY) X(EINPROGRESS) X(ESTALE) X(EUCLEAN) X(ENOTNAM) X(ENAVAIL) \
	X(EISNAM) X(EREMOTEIO) X(EDQUOT) X(ENOMEDIUM) X(EMEDIUMTYPE) X(ECANCELED) X(ENOKEY) \
	X(EKEYEXPIRED) X(EKEYREVOKED) X(EKEYREJECTED) X(EOWNERDEAD) X(ENOTRECOVERABLE) X(ERFKILL) \
	X(EHWPOISON)

#define HOST_ERRNO_ENTRY(e) { e, #e },
static const struct host_errno_entry host_errno_table[] = { HOST_ERRNO_LIST(HOST_ERRNO_ENTRY) };

const char *host_errno_name(int err)
{
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof host_errno_table / sizeof host_errno_table[0]; i++)
		if (host_errno_table[i].err == err)
			return host_errno_table[i].name;
	/* Callers print it: a name that reads back as EIO rather than NULL. */
	return "EUNKNOWN";
}

int host_errno_from_name(const char *name)
{
	if (!name)
		return 0;
	for (size_t i = 0; i < sizeof host_errno_table / sizeof host_errno_table[0]; i++)
		if (strcmp(host_errno_table[i].name, name) == 0)
			return host_errno_table[i].err;
	return 0;
}

/* ---- reasons ---- */

void host_copy_text(char *dst, size_t len, const char *src)
{
	size_t j = 0;

	if (len == 0)
		return;
	for (size_t i = 0; src && src[i] && j + 1 < len; i++) {
		unsigned char c = (unsigned char)src[i];
		unsigned char next = (unsigned char)src[i + 1];

		/* A reason reaches a terminal: no C0 controls, DEL, or UTF-8 encoded C1 controls. */
		if (c < 0x20 || c == 0x7f) {
			dst[j++] = '?';
		} else if (c == 0xc2 && next >= 0x80 && next <= 0x9f) {
			dst[j++] = '?';
			i++;
		} else {
			dst[j++] = (char)c;
		}
	}
	dst[j] = '\0';
}

static void host_format_reason(char *dst, size_t len, const char *fmt, va_list ap)
{
	char raw[HOST_ERROR_MAX];

	vsnprintf(raw, sizeof raw, fmt, ap);
	host_copy_text(dst, len, raw);
}

int host_fail(struct host *host, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (host)
		host_format_reason(host->error, sizeof host->error, fmt, ap);
	va_end(ap);
	return err;
}

int host_open_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	host_format_reason(host_open_reason, sizeof host_open_reason, fmt, ap);
	va_end(ap);
	return err;
}

const char *host_open_error(void)
{
	return host_open_reason;
}

const char *host_error(const struct host *host)
{
	if (!host)
		return host_open_reason;
	return host->error[0] ? host->error : "no error";
}

/* ---- buffers and name lists ---- */

void host_buf_free(struct host_buf *buf)
{
	if (!buf)
		return;
	free(buf->data);
	buf->data = NULL;
	buf->len = 0;
	buf->truncated = false;
}

void host_names_free(struct host_names *names)
{
	if (!names)
		return;
	for (size_t i = 0; i < names->count; i++)
		free(names->items[i]);
	free(names->items);
	names->items = NULL;
	names->count = 0;
}

bool host_names_contains(const struct host_names *names, const char *name)
{
	if (!names || !name)
		return false;
	for (size_t i = 0; i < names->count; i++)
		if (strcmp(names->items[i], name) == 0)
			return true;
	return false;
}

int host_names_add(struct host_names *names, const char *name)
{
	char *copy = strdup(name);
	char **items;

	if (!copy)
		return -ENOMEM;
	/* Grow at powers of two so a long listing stays linear. */
	if ((names->count & (names->count - 1)) == 0) {
		size_t cap = names->count ? names->count * 2 : 8;

		items = realloc(names->items, cap * sizeof *items);
		if (!items) {
			free(copy);
			return -ENOMEM;
		}
		names->items = items;
	}
	names->items[names->count++] = copy;
	return 0;
}

static int host_names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void host_names_sort_unique(struct host_names *names)
{
	size_t kept = 0;

	if (names->count == 0)
		return;
	qsort(names->items, names->count, sizeof *names->items, host_names_cmp);
	for (size_t i = 0; i < names->count; i++) {
		if (kept > 0 && strcmp(names->items[kept - 1], names->items[i]) == 0)
			free(names->items[i]);
		else
			names->items[kept++] = names->items[i];
	}
	names->count = kept;
}

int host_names_from_dir(DIR *dir, struct host_names *out)
{
	struct dirent *ent;

	errno = 0;
	while ((ent = readdir(dir)) != NULL) {
		if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
			continue;
		if (out->count >= HOST_LIST_MAX) {
			host_names_free(out);
			return -EFBIG;
		}
		if (host_names_add(out, ent->d_name) < 0) {
			host_names_free(out);
			return -ENOMEM;
		}
		errno = 0;
	}
	if (errno != 0) {
		int err = -errno;

		host_names_free(out);
		return err;
	}
	host_names_sort_unique(out);
	return 0;
}

void host_user_free(struct host_user *user)
{
	if (user)
		host_names_free(&user->session_groups);
}

void host_cmd_result_free(struct host_cmd_result *res)
{
	if (res)
		host_buf_free(&res->output);
}

/* ---- reading ---- */

static int host_buf_reserve(struct host_buf *out, size_t *cap, size_t limit)
{
	size_t want = *cap ? *cap * 2 : 4096;
	char *data;

	if (want > limit)
		want = limit;
	data = realloc(out->data, want + 1);
	if (!data)
		return -ENOMEM;
	out->data = data;
	*cap = want;
	return 0;
}

/* Looks for one more byte: the only honest way to know a /proc file was longer than the limit. */
static bool host_fd_has_more(int fd)
{
	char c;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n > 0;
}

int host_read_fd(int fd, size_t limit, struct host_buf *out)
{
	size_t cap = 0;
	bool eof = false;

	if (limit > HOST_READ_HARD_MAX)
		limit = HOST_READ_HARD_MAX;
	out->data = NULL;
	out->len = 0;
	out->truncated = false;
	if (host_buf_reserve(out, &cap, limit) < 0)
		return -ENOMEM;
	while (!eof && out->len < limit) {
		ssize_t n;

		if (out->len == cap && host_buf_reserve(out, &cap, limit) < 0)
			goto fail_nomem;
		n = read(fd, out->data + out->len, cap - out->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;  /* a non-blocking /proc or /sys file with nothing more to give now */
		if (n < 0) {
			int err = -errno;

			host_buf_free(out);
			return err;
		}
		if (n == 0)
			eof = true;
		out->len += (size_t)n;
	}
	if (!eof && out->len == limit)
		out->truncated = host_fd_has_more(fd);
	out->data[out->len] = '\0';
	return 0;

fail_nomem:
	host_buf_free(out);
	return -ENOMEM;
}

/* ---- paths ---- */

int host_path_normalize(const char *path, char *out, size_t len)
{
	size_t j = 0;
	const char *p = path;

	if (!path || path[0] != '/' || len < 2)
		return -EINVAL;
	while (*p) {
		const char *start;
		size_t n;

		while (*p == '/')
			p++;
		start = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - start);
		if (n == 0 || (n == 1 && start[0] == '.'))
			continue;
		if (n == 2 && start[0] == '.' && start[1] == '.')
			return -EINVAL;
		if (j + 1 + n + 1 > len)
			return -ENAMETOOLONG;
		out[j++] = '/';
		memcpy(out + j, start, n);
		j += n;
	}
	if (j == 0)
		out[j++] = '/';
	out[j] = '\0';
	return 0;
}

static int host_check_path(struct host *host, const char *path, char *norm, size_t len)
{
	int err = host_path_normalize(path, norm, len);

	if (err == -ENAMETOOLONG)
		return host_fail(host, err, "host path too long");
	if (err < 0)
		return host_fail(host, err, "%s: not an absolute host path without \"..\"",
				 path ? path : "(null)");
	return 0;
}

/* ---- libcpuid ---- */

static void host_cpuid_warn_nothing(const char *msg)
{
	(void)msg;
}

void host_cpuid_silence(void)
{
	static bool silenced;

	if (silenced)
		return;
	cpuid_set_warn_function(host_cpuid_warn_nothing);
	cpuid_set_verbosiness_level(0);
	silenced = true;
}

/* The vendor string lives in leaf 0 as EBX, EDX, ECX; printable ASCII only. */
static void host_cpuid_vendor(const uint32_t leaf0[4], char out[16])
{
	const uint32_t words[3] = { leaf0[HOST_EBX], leaf0[HOST_EDX], leaf0[HOST_ECX] };
	size_t j = 0;

	for (size_t w = 0; w < 3; w++) {
		for (size_t b = 0; b < 4; b++) {
			char c = (char)((words[w] >> (8 * b)) & 0xff);

			if (c == '\0')
				continue;
			out[j++] = isprint((unsigned char)c) ? c : '?';
		}
	}
	out[j] = '\0';
}

void host_cpuid_from_raw(struct cpu_raw_data_t *raw, struct host_cpuid *out)
{
	struct cpu_id_t id;

	_Static_assert(HOST_CPUID_LEAVES <= MAX_CPUID_LEVEL, "libcpuid keeps fewer basic leaves");
	_Static_assert(HOST_CPUID_LEAVES <= MAX_EXT_CPUID_LEVEL, "libcpuid keeps fewer ext leaves");
	for (size_t i = 0; i < HOST_CPUID_LEAVES; i++) {
		for (size_t r = 0; r < 4; r++) {
			out->basic[i][r] = raw->basic_cpuid[i][r];
			out->ext[i][r] = raw->ext_cpuid[i][r];
		}
	}
	memset(&id, 0, sizeof id);
	if (cpu_identify(raw, &id) == 0) {
		host_copy_text(out->vendor_str, sizeof out->vendor_str, id.vendor_str);
		host_copy_text(out->brand_str, sizeof out->brand_str, id.brand_str);
		host_copy_text(out->codename, sizeof out->codename, id.cpu_codename);
	}
	/* Registers are what checks need: a CPU libcpuid does not know still has a vendor. */
	if (out->vendor_str[0] == '\0')
		host_cpuid_vendor(out->basic[0], out->vendor_str);
}

/* ---- commands/kvm-probe.txt ---- */

/* "ok" for 0, else the errno name. */
static const char *host_probe_err_text(int err)
{
	return err == 0 ? "ok" : host_errno_name(err);
}

int host_kvm_probe_format(const struct host_kvm_probe *p, char *buf, size_t len)
{
	char api[16];
	const char *create;
	int n;

	if (!p || !buf || p->open_err > 0 || p->create_vm_err > 1 || p->api_version < -1 ||
	    memchr(p->as_user, '\0', sizeof p->as_user) == NULL || p->as_user[0] == '\0' ||
	    strpbrk(p->as_user, "\n\r") != NULL)
		return -EINVAL;
	if (p->api_version < 0)
		snprintf(api, sizeof api, "-");
	else
		snprintf(api, sizeof api, "%d", p->api_version);
	create = p->create_vm_err == 1 ? "-" : host_probe_err_text(p->create_vm_err);
	n = snprintf(buf, len,
		     "$ vmdoctor-kvm-probe /dev/kvm (exit 0)\n"
		     "user: %s\n"
		     "open: %s\n"
		     "KVM_GET_API_VERSION: %s\n"
		     "KVM_CREATE_VM: %s\n",
		     p->as_user, host_probe_err_text(p->open_err), api, create);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= len)
		return -ENOSPC;
	return n;
}

/* "ok" -> 0, "EACCES" -> -EACCES, an unknown E-name -> -EIO, anything else is malformed. */
static int host_probe_parse_err(const char *value, bool allow_dash, int *out)
{
	int err;

	if (strcmp(value, "ok") == 0) {
		*out = 0;
		return 0;
	}
	if (allow_dash && strcmp(value, "-") == 0) {
		*out = 1;
		return 0;
	}
	if (value[0] != 'E' || value[1] == '\0')
		return -EINVAL;
	for (const char *c = value; *c; c++)
		if (!isupper((unsigned char)*c) && !isdigit((unsigned char)*c))
			return -EINVAL;
	err = host_errno_from_name(value);
	*out = -(err ? err : EIO);
	return 0;
}

static int host_probe_parse_api(const char *value, int *out)
{
	long v = 0;

	if (strcmp(value, "-") == 0) {
		*out = -1;
		return 0;
	}
	if (!value[0] || strlen(value) > 9)
		return -EINVAL;
	for (const char *c = value; *c; c++) {
		if (!isdigit((unsigned char)*c))
			return -EINVAL;
		v = v * 10 + (*c - '0');
	}
	*out = (int)v;
	return 0;
}

enum host_probe_key { PROBE_USER, PROBE_OPEN, PROBE_API, PROBE_CREATE, PROBE_KEYS };

static const char *const host_probe_keys[PROBE_KEYS] = {
	[PROBE_USER] = "user",
	[PROBE_OPEN] = "open",
	[PROBE_API] = "KVM_GET_API_VERSION",
	[PROBE_CREATE] = "KVM_CREATE_VM",
};

static int host_probe_parse_line(const char *line, struct host_kvm_probe *out, bool seen[PROBE_KEYS])
{
	const char *colon = strstr(line, ": ");
	const char *value;
	size_t klen;

	if (!colon)
		return -EINVAL;
	klen = (size_t)(colon - line);
	value = colon + 2;
	for (int k = 0; k < PROBE_KEYS; k++) {
		if (strlen(host_probe_keys[k]) != klen || strncmp(line, host_probe_keys[k], klen) != 0)
			continue;
		if (seen[k])
			return -EINVAL;
		seen[k] = true;
		switch (k) {
		case PROBE_USER:
			if (!value[0] || strlen(value) >= sizeof out->as_user)
				return -EINVAL;
			host_copy_text(out->as_user, sizeof out->as_user, value);
			return 0;
		case PROBE_OPEN:
			return host_probe_parse_err(value, false, &out->open_err);
		case PROBE_API:
			return host_probe_parse_api(value, &out->api_version);
		default:
			return host_probe_parse_err(value, true, &out->create_vm_err);
		}
	}
	return 0;       /* a key a newer vmdoctor added */
}

int host_kvm_probe_parse(const char *text, struct host_kvm_probe *out, char *why, size_t why_len)
{
	bool seen[PROBE_KEYS] = { false };
	const char *p = text;
	unsigned lineno = 0;
	int exit_code;
	bool timed_out;

	memset(out, 0, sizeof *out);
	while (*p) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char line[256];

		lineno++;
		if (n >= sizeof line) {
			snprintf(why, why_len, "line %u: too long", lineno);
			return -EINVAL;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (lineno == 1) {
			if (host_cmd_header_parse(line, strlen(line), &exit_code, &timed_out) < 0) {
				snprintf(why, why_len, "line 1: expected \"$ argv... (exit N)\"");
				return -EINVAL;
			}
		} else if (line[0] && host_probe_parse_line(line, out, seen) < 0) {
			snprintf(why, why_len, "line %u: not \"key: value\" with a valid value", lineno);
			return -EINVAL;
		}
		p += n + (end ? 1 : 0);
	}
	for (int k = 0; k < PROBE_KEYS; k++) {
		if (!seen[k]) {
			snprintf(why, why_len, "missing \"%s:\" line", host_probe_keys[k]);
			return -EINVAL;
		}
	}
	return 0;
}

int host_cmd_header_parse(const char *line, size_t len, int *exit_code, bool *timed_out)
{
	static const char exit_tag[] = " (exit ";
	const char *open = NULL;
	const char *c;
	long v = 0;
	bool neg = false;
	int digits = 0;

	if (len < 2 || line[0] != '$' || line[1] != ' ' || line[len - 1] != ')')
		return -EINVAL;
	/* The argv may itself contain " (exit ": the status is the last one. */
	for (const char *s = line; (s = memmem(s, (size_t)(line + len - s), exit_tag, sizeof exit_tag - 1)); s++)
		open = s;
	if (!open)
		return -EINVAL;
	c = open + sizeof exit_tag - 1;
	if (*c == '-') {
		neg = true;
		c++;
	}
	while (isdigit((unsigned char)*c) && digits < 4) {
		v = v * 10 + (*c - '0');
		c++;
		digits++;
	}
	if (digits == 0)
		return -EINVAL;
	*timed_out = false;
	if (strncmp(c, ", timed out)", 12) == 0 && c + 12 == line + len)
		*timed_out = true;
	else if (!(c[0] == ')' && c + 1 == line + len))
		return -EINVAL;
	*exit_code = neg ? (int)-v : (int)v;
	return 0;
}

/* ---- dispatch ---- */

struct host *host_new(const struct host_ops *ops, void *backend, bool snapshot)
{
	struct host *host = calloc(1, sizeof *host);

	if (!host)
		return NULL;
	host->ops = ops;
	host->backend = backend;
	host->snapshot = snapshot;
	return host;
}

int host_open_live(struct host **out)
{
	if (!out)
		return host_open_fail(-EINVAL, "host_open_live: no output pointer");
	*out = NULL;
	return host_live_open(out);
}

int host_open_snapshot(const char *dir, struct host **out)
{
	if (!out || !dir || !dir[0])
		return host_open_fail(-EINVAL, "host_open_snapshot: no snapshot directory given");
	*out = NULL;
	return host_snapshot_open(dir, out);
}

void host_close(struct host *host)
{
	if (!host)
		return;
	if (host->ops && host->ops->close)
		host->ops->close(host);
	free(host);
}

bool host_is_snapshot(const struct host *host)
{
	return host && host->snapshot;
}

const char *host_created(const struct host *host)
{
	return host ? host->created : "";
}

const char *host_source(const struct host *host)
{
	return host ? host->source : "";
}

const char *host_tool(const struct host *host)
{
	return host ? host->tool : "";
}

int host_read_file(struct host *host, const char *path, size_t limit, struct host_buf *out)
{
	char norm[PATH_MAX];
	int err;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof *out);
	if (!host)
		return -EINVAL;
	err = host_check_path(host, path, norm, sizeof norm);
	if (err < 0)
		return err;
	return host->ops->read_file(host, norm, limit, out);
}

int host_list_dir(struct host *host, const char *path, struct host_names *out)
{
	char norm[PATH_MAX];
	int err;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof *out);
	if (!host)
		return -EINVAL;
	err = host_check_path(host, path, norm, sizeof norm);
	if (err < 0)
		return err;
	return host->ops->list_dir(host, norm, out);
}

bool host_exists(struct host *host, const char *path)
{
	char norm[PATH_MAX];

	if (!host || host_check_path(host, path, norm, sizeof norm) < 0)
		return false;
	return host->ops->exists(host, norm);
}

int host_device(struct host *host, const char *path, struct host_devnode *out)
{
	char norm[PATH_MAX];
	int err;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof *out);
	if (!host)
		return -EINVAL;
	err = host_check_path(host, path, norm, sizeof norm);
	if (err < 0)
		return err;
	return host->ops->device(host, norm, out);
}

int host_cpuid(struct host *host, struct host_cpuid *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof *out);
	if (!host)
		return -EINVAL;
	return host->ops->cpuid(host, out);
}

int host_msr(struct host *host, unsigned cpu, uint32_t msr, uint64_t *value)
{
	if (!value)
		return -EINVAL;
	*value = 0;
	if (!host)
		return -EINVAL;
	return host->ops->msr(host, cpu, msr, value);
}

int host_kernel_log(struct host *host, struct host_buf *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof *out);
	if (!host)
		return -EINVAL;
	return host->ops->kernel_log(host, out);
}

int host_user(struct host *host, struct host_user *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof *out);
	if (!host)
		return -EINVAL;
	return host->ops->user(host, out);
}

int host_kvm_probe(struct host *host, struct host_kvm_probe *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof *out);
	out->api_version = -1;
	out->create_vm_err = 1;
	if (!host)
		return -EINVAL;
	return host->ops->kvm_probe(host, out);
}

/* A commands/NAME.txt name: [A-Za-z0-9._-]+, which keeps it inside commands/. */
static bool host_cmd_name_ok(const char *name)
{
	size_t n = 0;

	for (; name[n]; n++)
		if (!isalnum((unsigned char)name[n]) && !strchr("._-", name[n]))
			return false;
	return n > 0 && n <= 128;
}

int host_run(struct host *host, const char *name, const char *const argv[], int timeout_ms,
	     struct host_cmd_result *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof *out);
	out->exit_code = -1;
	if (!host)
		return -EINVAL;
	if (!name || !host_cmd_name_ok(name))
		return host_fail(host, -EINVAL, "host_run: command name must match [A-Za-z0-9._-]+");
	if (!argv || !argv[0])
		return host_fail(host, -EINVAL, "host_run %s: empty argv", name);
	return host->ops->run(host, name, argv, timeout_ms, out);
}
