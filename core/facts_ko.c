/* SPDX-License-Identifier: MIT */
/*
 * Out-of-tree module files of the running kernel. VirtualBox, VMware and DKMS install their modules in a few
 * folders of /lib/modules/<release>; the VirtualBox, VMware and Secure Boot facts all need to know which copies
 * exist (a duplicate vmmon.ko shadows the fresh one; an unsigned vboxdrv.ko is what Secure Boot refuses), so
 * the folders are listed once here.
 */
#include "vmdoctor/facts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmdoctor/text.h"

/* Where the products and DKMS put them, in the order modprobe's depmod search usually prefers them. */
static const char *const ko_dirs[] = { "misc", "updates/dkms", "updates", "extra", "extra/VirtualBox", "extramodules",
				       "kernel/misc" };
static const char *const ko_modules[] = { "vboxdrv", "vboxnetflt", "vboxnetadp", "vmmon", "vmnet" };
static const char *const ko_suffixes[] = { ".ko", ".ko.zst", ".ko.xz", ".ko.gz" };

/* Which module a file name is ("vmmon.ko.xz" -> "vmmon"), or NULL. */
static const char *ko_module(const char *name)
{
	for (size_t m = 0; m < sizeof ko_modules / sizeof ko_modules[0]; m++) {
		size_t ml = strlen(ko_modules[m]);
		if (strncmp(name, ko_modules[m], ml) != 0)
			continue;
		for (size_t s = 0; s < sizeof ko_suffixes / sizeof ko_suffixes[0]; s++)
			if (strcmp(name + ml, ko_suffixes[s]) == 0)
				return ko_modules[m];
	}
	return NULL;
}

/* The release names a folder: it must be one path component. */
static bool release_ok(const struct facts_kernel *k)
{
	const char *r = k->release;
	return k->err == 0 && r[0] && !strchr(r, '/') && strcmp(r, ".") != 0 && strcmp(r, "..") != 0 &&
	       strlen(r) < FACTS_KO_PATH - 64;
}

static void ko_scan_dir(struct host *host, struct facts_ko_files *kf, const char *sub)
{
	char dir[FACTS_KO_PATH + 32];
	struct host_names names = { 0 };

	snprintf(dir, sizeof dir, "%s/%s", kf->dir, sub);
	if (host_list_dir(host, dir, &names) == 0) {
		for (size_t i = 0; i < names.count && kf->count < FACTS_KO_MAX; i++) {
			const char *module = ko_module(names.items[i]);
			char path[FACTS_KO_PATH + 300];

			if (!module)
				continue;
			struct facts_ko *ko = &kf->files[kf->count++];
			snprintf(ko->module, sizeof ko->module, "%s", module);
			snprintf(path, sizeof path, "%s/%s", dir, names.items[i]);
			text_copy(ko->path, sizeof ko->path, path, strlen(path));
		}
	}
	host_names_free(&names);
}

void facts_collect_ko(struct host *host, struct facts *facts)
{
	struct facts_ko_files *kf = &facts->ko;
	struct host_names top = { 0 };
	char build[FACTS_KO_PATH + 8];

	memset(kf, 0, sizeof *kf);
	kf->dir_err = -ENODATA;
	if (!release_ok(&facts->kernel))
		return;
	snprintf(kf->dir, sizeof kf->dir, "/lib/modules/%s", facts->kernel.release);
	kf->dir_err = host_list_dir(host, kf->dir, &top);
	host_names_free(&top);
	if (kf->dir_err)
		return;
	snprintf(build, sizeof build, "%s/build", kf->dir);
	kf->headers = host_exists(host, build);
	for (size_t d = 0; d < sizeof ko_dirs / sizeof ko_dirs[0]; d++)
		ko_scan_dir(host, kf, ko_dirs[d]);
}

const struct facts_ko *facts_ko_find(const struct facts *facts, const char *module)
{
	for (size_t i = 0; i < facts->ko.count; i++)
		if (strcmp(facts->ko.files[i].module, module) == 0)
			return &facts->ko.files[i];
	return NULL;
}
