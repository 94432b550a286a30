/* SPDX-License-Identifier: MIT */
/* A host back end that wraps another host and remembers every answer as snapshot v1 members. */
#include "host_private.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Every query goes to the inner host unchanged; the answer is kept as the member of a
 * snapshot v1 tree that would give the same answer on replay (docs/snapshot-format.md).
 * "Not collected" (-ENODATA) answers leave no trace, so that replay says -ENODATA too.
 */

struct rec_text {
	char *data;
	size_t len, cap;
	bool known;                             /* at least one real answer: write the file */
};

struct rec {
	struct host *inner;
	struct host_record_member *members;
	size_t n_members;
	struct rec_text fs_errors, devices, msr;
	bool have_user;
	struct host_user user;
};

static int rec_text_add(struct rec_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int rec_text_add(struct rec_text *t, const char *fmt, ...)
{
	va_list ap;
	char line[PATH_MAX + 256];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof line)
		return -EINVAL;
	if (t->len + (size_t)n + 1 > t->cap) {
		size_t cap = (t->cap ? t->cap * 2 : 1024) + (size_t)n;
		char *grown = realloc(t->data, cap);

		if (!grown)
			return -ENOMEM;
		t->data = grown;
		t->cap = cap;
	}
	memcpy(t->data + t->len, line, (size_t)n + 1);
	t->len += (size_t)n;
	t->known = true;
	return 0;
}

static struct host_record_member *rec_find(struct rec *r, const char *name)
{
	for (size_t i = 0; i < r->n_members; i++)
		if (strcmp(r->members[i].name, name) == 0)
			return &r->members[i];
	return NULL;
}

/* Keep `data` as member `name`; a longer answer for the same name replaces a shorter one. */
static int rec_put(struct rec *r, const char *name, const char *data, size_t len, bool truncated, bool dir)
{
	struct host_record_member *m = rec_find(r, name);
	char *copy;

	if (m && !m->dangling && (m->dir || m->len >= len) && !(m->dir && !dir))
		return 0;
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	if (len)
		memcpy(copy, data, len);
	copy[len] = '\0';
	if (!m) {
		struct host_record_member *grown = realloc(r->members, (r->n_members + 1) * sizeof *grown);

		if (!grown) {
			free(copy);
			return -ENOMEM;
		}
		r->members = grown;
		m = &r->members[r->n_members++];
		memset(m, 0, sizeof *m);
		m->name = strdup(name);
		if (!m->name) {
			r->n_members--;
			free(copy);
			return -ENOMEM;
		}
	}
	free(m->data);
	m->data = copy;
	m->len = len;
	m->truncated = truncated;
	m->dir = dir;
	m->dangling = false;
	m->exists_only = false;
	return 0;
}

#define REC_DANGLING ".vmdoctor-missing"

static void rec_fs_name(const char *path, char *out, size_t len)
{
	snprintf(out, len, "fs%s", path);
}

static void rec_error(struct rec *r, const char *path, int err)
{
	if (err == -ENOENT || err == -ENODATA || err == -EINVAL || err == -ELOOP || err == -EXDEV)
		return;
	(void)rec_text_add(&r->fs_errors, "%s %s\n", path, host_errno_name(err));
}

static int rec_read_file(struct host *host, const char *path, size_t limit, struct host_buf *out)
{
	struct rec *r = host->backend;
	char name[PATH_MAX + 8];
	int rc = host_read_file(r->inner, path, limit, out);

	if (rc == 0) {
		struct host_record_member *m;

		rec_fs_name(path, name, sizeof name);
		(void)rec_put(r, name, out->data, out->len, out->truncated, false);
		if ((m = rec_find(r, name)) != NULL)
			m->exists_only = false;         /* read for real, even when empty */
	} else {
		rec_error(r, path, rc);
	}
	return rc == 0 ? 0 : host_fail(host, rc, "%s", host_error(r->inner));
}

/* Record that `path` exists without keeping its content: a directory when it is one, else an empty file marked
 * existence-only (programs such as /usr/bin/virsh would otherwise fill the bundle), so that replay lists, opens
 * and refuses it as the host did. A later read of the same file replaces the placeholder with its content. */
static void rec_placeholder(struct rec *r, const char *path)
{
	char name[PATH_MAX + 8];
	struct host_buf buf = { 0 };
	int rc;

	rec_fs_name(path, name, sizeof name);
	if (rec_find(r, name))
		return;
	rc = host_read_file(r->inner, path, 1, &buf);
	host_buf_free(&buf);
	if (rc == -EISDIR) {
		(void)rec_put(r, name, "", 0, false, true);
		return;
	}
	if (rec_put(r, name, "", 0, false, false) == 0)
		rec_find(r, name)->exists_only = true;
	if (rc != 0)
		rec_error(r, path, rc);         /* a file it could not read: replay refuses it the same way */
}

static int rec_list_dir(struct host *host, const char *path, struct host_names *out)
{
	struct rec *r = host->backend;
	char name[PATH_MAX + 8];
	int rc = host_list_dir(r->inner, path, out);

	if (rc == -ENOTDIR) {
		/* Listing a file (/var/lib/dkms/mok.key): it stays a file, so replay says ENOTDIR again. */
		rec_placeholder(r, path);
		return host_fail(host, rc, "%s", host_error(r->inner));
	}
	if (rc != 0) {
		rec_error(r, path, rc);
		return host_fail(host, rc, "%s", host_error(r->inner));
	}
	rec_fs_name(path, name, sizeof name);
	(void)rec_put(r, name, "", 0, false, true);
	/* The names must list on replay: each entry becomes at least an empty directory or file. */
	for (size_t i = 0; i < out->count; i++) {
		char child[PATH_MAX + 8];
		char host_child[PATH_MAX];

		snprintf(host_child, sizeof host_child, "%s/%s", strcmp(path, "/") == 0 ? "" : path, out->items[i]);
		rec_fs_name(host_child, child, sizeof child);
		if (rec_find(r, child))
			continue;
		if (host_exists(r->inner, host_child)) {
			rec_placeholder(r, host_child);
		} else if (rec_put(r, child, REC_DANGLING, strlen(REC_DANGLING), false, false) == 0) {
			/* Listed but not there: a link to nowhere lists on replay and does not exist. */
			rec_find(r, child)->dangling = true;
		}
	}
	return 0;
}

static bool rec_exists(struct host *host, const char *path)
{
	struct rec *r = host->backend;
	bool yes = host_exists(r->inner, path);

	if (yes)
		rec_placeholder(r, path);
	return yes;
}

static int rec_device(struct host *host, const char *path, struct host_devnode *out)
{
	struct rec *r = host->backend;
	int rc = host_device(r->inner, path, out);

	if (rc == 0)
		(void)rec_text_add(&r->devices, "%s %c %u:%u %04o %s %s\n", path, out->type, out->major,
				   out->minor, out->mode, out->owner, out->group);
	else if (rc == -ENOENT)
		r->devices.known = true;
	return rc == 0 ? 0 : host_fail(host, rc, "%s", host_error(r->inner));
}

static int rec_cpuid_text(struct rec *r, const struct host_cpuid *c)
{
	struct rec_text t = { 0 };
	int rc = 0;

	for (unsigned i = 0; i < HOST_CPUID_LEAVES && rc == 0; i++)
		rc = rec_text_add(&t, "basic_cpuid[%u]=%08x %08x %08x %08x\n", i, c->basic[i][0], c->basic[i][1],
				  c->basic[i][2], c->basic[i][3]);
	for (unsigned i = 0; i < HOST_CPUID_LEAVES && rc == 0; i++)
		rc = rec_text_add(&t, "ext_cpuid[%u]=%08x %08x %08x %08x\n", i, c->ext[i][0], c->ext[i][1],
				  c->ext[i][2], c->ext[i][3]);
	if (rc == 0 && c->has_hv_leaf)
		rc = rec_text_add(&t, "hv_cpuid[0]=%08x %08x %08x %08x\n", c->hv_leaf[0], c->hv_leaf[1],
				  c->hv_leaf[2], c->hv_leaf[3]);
	if (rc == 0)
		rc = rec_put(r, "cpuid.txt", t.data, t.len, false, false);
	free(t.data);
	return rc;
}

static int rec_cpuid(struct host *host, struct host_cpuid *out)
{
	struct rec *r = host->backend;
	int rc = host_cpuid(r->inner, out);

	if (rc == 0)
		(void)rec_cpuid_text(r, out);
	return rc == 0 ? 0 : host_fail(host, rc, "%s", host_error(r->inner));
}

static int rec_msr(struct host *host, unsigned cpu, uint32_t msr, uint64_t *value)
{
	struct rec *r = host->backend;
	int rc = host_msr(r->inner, cpu, msr, value);

	if (rc == 0)
		(void)rec_text_add(&r->msr, "%u 0x%x 0x%llx\n", cpu, msr, (unsigned long long)*value);
	else if (rc != -ENODATA && rc != -EINVAL)
		(void)rec_text_add(&r->msr, "%u 0x%x %s\n", cpu, msr, host_errno_name(rc));
	return rc == 0 ? 0 : host_fail(host, rc, "%s", host_error(r->inner));
}

static int rec_kernel_log(struct host *host, struct host_buf *out)
{
	struct rec *r = host->backend;
	int rc = host_kernel_log(r->inner, out);

	if (rc == 0)
		(void)rec_put(r, "dmesg.txt", out->data, out->len, out->truncated, false);
	return rc == 0 ? 0 : host_fail(host, rc, "%s", host_error(r->inner));
}

static int rec_user(struct host *host, struct host_user *out)
{
	struct rec *r = host->backend;
	int rc = host_user(r->inner, out);

	if (rc == 0 && !r->have_user) {
		r->user = *out;
		memset(&r->user.session_groups, 0, sizeof r->user.session_groups);
		for (size_t i = 0; i < out->session_groups.count; i++)
			(void)host_names_add(&r->user.session_groups, out->session_groups.items[i]);
		r->have_user = true;
	}
	return rc == 0 ? 0 : host_fail(host, rc, "%s", host_error(r->inner));
}

static int rec_kvm_probe(struct host *host, struct host_kvm_probe *out)
{
	struct rec *r = host->backend;
	char text[512];
	int rc = host_kvm_probe(r->inner, out);
	int n;

	if (rc == 0 && (n = host_kvm_probe_format(out, text, sizeof text)) > 0)
		(void)rec_put(r, "commands/" HOST_KVM_PROBE_NAME ".txt", text, (size_t)n, false, false);
	return rc == 0 ? 0 : host_fail(host, rc, "%s", host_error(r->inner));
}

static int rec_run(struct host *host, const char *name, const char *const argv[], int timeout_ms,
		   struct host_cmd_result *out)
{
	struct rec *r = host->backend;
	struct rec_text t = { 0 };
	char member[PATH_MAX];
	int rc = host_run(r->inner, name, argv, timeout_ms, out);

	if (rc != 0)
		return host_fail(host, rc, "%s", host_error(r->inner));
	(void)rec_text_add(&t, "$");
	for (size_t i = 0; argv && argv[i]; i++)
		(void)rec_text_add(&t, " %s", argv[i]);
	(void)rec_text_add(&t, out->timed_out ? " (exit %d, timed out)\n" : " (exit %d)\n", out->exit_code);
	snprintf(member, sizeof member, "commands/%s.txt", name);
	if (t.data) {
		char *all = malloc(t.len + out->output.len + 1);

		if (all) {
			memcpy(all, t.data, t.len);
			if (out->output.len)
				memcpy(all + t.len, out->output.data, out->output.len);
			(void)rec_put(r, member, all, t.len + out->output.len, out->output.truncated, false);
			free(all);
		}
	}
	free(t.data);
	return 0;
}

static int rec_libvirt_json(struct host *host, const char *uri, int timeout_ms, struct host_buf *out)
{
	struct rec *r = host->backend;
	int rc = host_libvirt_json(r->inner, uri, timeout_ms, out);

	if (rc == 0)
		(void)rec_put(r, "libvirt/state.json", out->data, out->len, out->truncated, false);
	return rc == 0 ? 0 : host_fail(host, rc, "%s", host_error(r->inner));
}

static void rec_close(struct host *host)
{
	struct rec *r = host->backend;

	for (size_t i = 0; i < r->n_members; i++) {
		free(r->members[i].name);
		free(r->members[i].data);
	}
	free(r->members);
	free(r->fs_errors.data);
	free(r->devices.data);
	free(r->msr.data);
	host_user_free(&r->user);
	free(r);
}

static const struct host_ops rec_ops = {
	.read_file = rec_read_file,
	.list_dir = rec_list_dir,
	.exists = rec_exists,
	.device = rec_device,
	.cpuid = rec_cpuid,
	.msr = rec_msr,
	.kernel_log = rec_kernel_log,
	.user = rec_user,
	.kvm_probe = rec_kvm_probe,
	.run = rec_run,
	.libvirt_json = rec_libvirt_json,
	.close = rec_close,
};

int host_open_record(struct host *inner, struct host **out)
{
	struct rec *r;
	struct host *host;

	if (!inner || !out)
		return -EINVAL;
	*out = NULL;
	r = calloc(1, sizeof *r);
	if (!r)
		return -ENOMEM;
	r->inner = inner;
	host = host_new(&rec_ops, r, host_is_snapshot(inner));
	if (!host) {
		free(r);
		return -ENOMEM;
	}
	snprintf(host->created, sizeof host->created, "%s", host_created(inner));
	snprintf(host->source, sizeof host->source, "%s", host_source(inner));
	snprintf(host->tool, sizeof host->tool, "%s", host_tool(inner));
	*out = host;
	return 0;
}

static int rec_member_cmp(const void *a, const void *b)
{
	return strcmp(((const struct host_record_member *)a)->name, ((const struct host_record_member *)b)->name);
}

int host_record_finish(struct host *host)
{
	struct rec *r;

	if (!host || host->ops != &rec_ops)
		return -EINVAL;
	r = host->backend;
	if (r->fs_errors.known && rec_put(r, "fs-errors.txt", r->fs_errors.data, r->fs_errors.len, false, false))
		return -ENOMEM;
	if (r->devices.known && rec_put(r, "devices.txt", r->devices.data ? r->devices.data : "", r->devices.len,
					false, false))
		return -ENOMEM;
	if (r->msr.known && rec_put(r, "msr.txt", r->msr.data, r->msr.len, false, false))
		return -ENOMEM;
	qsort(r->members, r->n_members, sizeof *r->members, rec_member_cmp);
	return 0;
}

const struct host_record_member *host_record_members(const struct host *host, size_t *count)
{
	const struct rec *r;

	*count = 0;
	if (!host || host->ops != &rec_ops)
		return NULL;
	r = host->backend;
	*count = r->n_members;
	return r->members;
}

const struct host_user *host_record_user(const struct host *host)
{
	const struct rec *r;

	if (!host || host->ops != &rec_ops)
		return NULL;
	r = host->backend;
	return r->have_user ? &r->user : NULL;
}
