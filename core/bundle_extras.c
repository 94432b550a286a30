/* SPDX-License-Identifier: MIT */
/*
 * The configs and logs a vendor asks for that no check reads: hypervisor configurations, VM definitions and the
 * kernel log of the previous boot. They are read through the recording host, so they land in the bundle as
 * ordinary snapshot members (and pass through redaction like everything else); replaying a bundle ignores them.
 */
#include "bundle_extras.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmdoctor/xalloc.h"

#define EXTRA_FILE_MAX ((size_t)1 << 20)        /* per file; the bundle's own budget applies on top */
#define EXTRA_DIR_ENTRIES_MAX 64                /* per folder: a vendor needs a sample, not 10 000 VMs */
#define EXTRA_COMMAND_TIMEOUT_MS 10000

enum extra_kind {
	EXTRA_FILE,             /* one file */
	EXTRA_DIR,              /* the files of a folder whose names end with `suffix` */
	EXTRA_VM_DIRS,          /* for each sub-folder of a folder (one per VM), its files ending with `suffix` */
	EXTRA_COMMAND,          /* a command's output, commands/<name>.txt */
};

struct extra {
	enum extra_kind kind;
	const char *what;       /* manifest.json "not_collected" wording */
	const char *path;       /* "~/" is the user's home folder; for EXTRA_COMMAND the member name */
	const char *suffix;
	const char *const *argv;
};

static const char *const journal_previous_boot[] = { "/usr/bin/journalctl", "-k", "-b", "-1", "--no-pager", NULL };

/* Ordered as a vendor reads them: the kernel, then libvirt, VMware, VirtualBox. Secrets are never listed:
 * the .base64 files in /etc/libvirt/secrets hold secret values: only the secret definitions (.xml) are taken. */
static const struct extra extras[] = {
	{ EXTRA_COMMAND, "kernel log of the previous boot (journalctl -k -b -1)", "journalctl-k-previous", NULL,
	  journal_previous_boot },
	{ EXTRA_FILE, "kernel log of the previous boot (/var/log/kern.log.1)", "/var/log/kern.log.1", NULL, NULL },
	{ EXTRA_FILE, "libvirt QEMU driver configuration", "/etc/libvirt/qemu.conf", NULL, NULL },
	{ EXTRA_FILE, "libvirtd configuration", "/etc/libvirt/libvirtd.conf", NULL, NULL },
	{ EXTRA_FILE, "virtqemud configuration", "/etc/libvirt/virtqemud.conf", NULL, NULL },
	{ EXTRA_DIR, "libvirt VM definitions", "/etc/libvirt/qemu", ".xml", NULL },
	{ EXTRA_DIR, "libvirt network definitions", "/etc/libvirt/qemu/networks", ".xml", NULL },
	{ EXTRA_DIR, "libvirt secret definitions (never their values)", "/etc/libvirt/secrets", ".xml", NULL },
	{ EXTRA_FILE, "AppArmor local rules for QEMU", "/etc/apparmor.d/local/abstractions/libvirt-qemu", NULL, NULL },
	{ EXTRA_FILE, "VMware host configuration", "/etc/vmware/config", NULL, NULL },
	{ EXTRA_FILE, "VMware user preferences", "~/.vmware/preferences", NULL, NULL },
	{ EXTRA_VM_DIRS, "VMware VM configurations (.vmx)", "~/vmware", ".vmx", NULL },
	{ EXTRA_FILE, "VirtualBox system configuration", "/etc/vbox/vbox.cfg", NULL, NULL },
	{ EXTRA_FILE, "VirtualBox user configuration", "~/.config/VirtualBox/VirtualBox.xml", NULL, NULL },
	{ EXTRA_VM_DIRS, "VirtualBox VM configurations (.vbox)", "~/VirtualBox VMs", ".vbox", NULL },
};

static int missing_add(struct bundle_missing_list *l, const char *what, const char *why)
{
	struct bundle_missing *grown = realloc(l->items, (l->count + 1) * sizeof *grown);

	if (!grown)
		return -ENOMEM;
	l->items = grown;
	snprintf(l->items[l->count].what, sizeof l->items[l->count].what, "%s", what);
	snprintf(l->items[l->count].why, sizeof l->items[l->count].why, "%s", why);
	l->count++;
	return 0;
}

/* The manifest's words for a host error. */
static const char *extra_why(int err)
{
	switch (err) {
	case -ENOENT: return "not present on this host";
	case -EACCES: case -EPERM: return "permission denied";
	case -ENODATA: return "not in the snapshot this bundle was made from";
	case -EFBIG: return "too many entries";
	default: return "could not be read";
	}
}

static bool has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = suffix ? strlen(suffix) : 0;

	return n > k && strcmp(name + n - k, suffix ? suffix : "") == 0;
}

/* A name from a folder listing that can be joined to a path safely. */
static bool entry_ok(const char *name)
{
	return name[0] && name[0] != '.' && !strchr(name, '/') && strlen(name) < 256;
}

static int read_one(struct host *rec, const char *path)
{
	struct host_buf buf = { 0 };
	int rc = host_read_file(rec, path, EXTRA_FILE_MAX, &buf);

	host_buf_free(&buf);
	return rc;
}

/* Read the files of `dir` ending with `suffix`; the number read, or a negative errno when the folder is not there. */
static int read_dir(struct host *rec, const char *dir, const char *suffix)
{
	struct host_names names = { 0 };
	int rc = host_list_dir(rec, dir, &names), got = 0;

	if (rc != 0)
		return rc;
	for (size_t i = 0; i < names.count && i < EXTRA_DIR_ENTRIES_MAX; i++) {
		if (!entry_ok(names.items[i]) || !has_suffix(names.items[i], suffix))
			continue;
		char *path = xasprintf("%s/%s", dir, names.items[i]);
		if (read_one(rec, path) == 0)
			got++;
		free(path);
	}
	host_names_free(&names);
	return got;
}

static int read_vm_dirs(struct host *rec, const char *dir, const char *suffix)
{
	struct host_names vms = { 0 };
	int rc = host_list_dir(rec, dir, &vms), got = 0;

	if (rc != 0)
		return rc;
	for (size_t i = 0; i < vms.count && i < EXTRA_DIR_ENTRIES_MAX; i++) {
		if (!entry_ok(vms.items[i]))
			continue;
		char *vm = xasprintf("%s/%s", dir, vms.items[i]);
		int n = read_dir(rec, vm, suffix);
		if (n > 0)
			got += n;
		free(vm);
	}
	host_names_free(&vms);
	return got;
}

static int run_one(struct host *rec, const struct extra *e, char *why, size_t why_len)
{
	struct host_cmd_result res = { 0 };
	int rc = host_run(rec, e->path, e->argv, EXTRA_COMMAND_TIMEOUT_MS, &res);

	if (rc != 0)
		snprintf(why, why_len, "%s", extra_why(rc));
	else if (res.timed_out)
		snprintf(why, why_len, "timed out after %d s", EXTRA_COMMAND_TIMEOUT_MS / 1000);
	else if (res.exit_code == -1)
		snprintf(why, why_len, "%s could not be started", e->argv[0]);
	else if (res.exit_code != 0)
		snprintf(why, why_len, "exited with status %d (no previous boot in the journal?)", res.exit_code);
	host_cmd_result_free(&res);
	return why[0] ? -1 : 0;
}

/* Collect one extra; `why` is set when nothing was collected. */
static void collect_one(struct host *rec, const struct extra *e, const char *home, char *why, size_t why_len)
{
	char path[512];
	int rc;

	why[0] = '\0';
	if (e->kind == EXTRA_COMMAND) {
		run_one(rec, e, why, why_len);
		return;
	}
	if (strncmp(e->path, "~/", 2) == 0) {
		if (!home || !home[0]) {
			snprintf(why, why_len, "no user known whose home folder to read");
			return;
		}
		snprintf(path, sizeof path, "%s/%s", home, e->path + 2);
	} else {
		snprintf(path, sizeof path, "%s", e->path);
	}
	switch (e->kind) {
	case EXTRA_FILE: rc = read_one(rec, path); break;
	case EXTRA_DIR: rc = read_dir(rec, path, e->suffix); break;
	case EXTRA_VM_DIRS: rc = read_vm_dirs(rec, path, e->suffix); break;
	default: rc = -EINVAL; break;
	}
	if (rc < 0)
		snprintf(why, why_len, "%s", extra_why(rc));
	else if (rc == 0 && e->kind != EXTRA_FILE)
		snprintf(why, why_len, "no %s files in %s", e->suffix, e->path);
}

int bundle_extras_collect(struct host *rec, const struct facts *facts, struct bundle_missing_list *missing)
{
	const char *home = facts->user.err == 0 ? facts->user.home : NULL;

	for (size_t i = 0; i < sizeof extras / sizeof extras[0]; i++) {
		char why[96];

		collect_one(rec, &extras[i], home, why, sizeof why);
		if (why[0] && missing_add(missing, extras[i].what, why) != 0)
			return -ENOMEM;
	}
	return 0;
}

void bundle_missing_free(struct bundle_missing_list *missing)
{
	free(missing->items);
	missing->items = NULL;
	missing->count = 0;
}
