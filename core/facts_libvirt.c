/* SPDX-License-Identifier: MIT */
/* Facts about libvirt: daemon sockets, capabilities, domains, networks, pools, disk permissions, MAC denials. */
#include "vmdoctor/facts_libvirt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vmdoctor/facts.h"
#include "vmdoctor/xalloc.h"

#define LV_TIMEOUT_MS 5000
#define LV_CONF_MAX ((size_t)256 << 10)         /* network.conf, bridge.conf, /proc/meminfo, /proc/mounts */
#define LV_LOG_MAX ((size_t)8 << 20)            /* audit.log and libvirt logs are read up to 8 MiB */
#define LV_LINES_PER_CODE 8
#define LV_GROUPS_MAX 4096

static const char *lv_uri = FACTS_LIBVIRT_URI_DEFAULT;

void facts_set_libvirt_uri(const char *uri)
{
	lv_uri = uri && uri[0] ? uri : FACTS_LIBVIRT_URI_DEFAULT;
}

/* Bounded copy of host text with control characters replaced, so evidence cannot drive a terminal. */
static void lv_copy_text(char *dst, size_t len, const char *src)
{
	size_t i = 0;
	for (; src[i] && i + 1 < len; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
	dst[i] = '\0';
}

static void lv_names_add(struct host_names *names, const char *name)
{
	names->items = xrealloc(names->items, (names->count + 1) * sizeof *names->items);
	names->items[names->count++] = xstrdup(name);
}

/* ---- log signatures (knowledge/failure-modes.md C.2, the libvirt rows) ---- */

struct lv_signature {
	const char *code;
	const char *all[3];     /* every one of these substrings, case-sensitive */
	const char *none;       /* and not this one */
};

static const struct lv_signature lv_signatures[] = {
	{ "LIBVIRT-APPARMOR-DENIED", { "apparmor=\"DENIED\"", "profile=\"libvirt-" }, NULL },
	/* permissive=1 was logged but did not block anything */
	{ "LIBVIRT-SELINUX-DENIED", { "avc:  denied", "svirt_" }, "permissive=1" },
	{ "PCI-VFIO-GROUP-NOT-VIABLE", { "vfio", "is not viable" }, NULL },
	{ "LIBVIRT-NET-CONFLICT", { "Network is already in use by interface" }, NULL },
	{ "LIBVIRT-NET-CONFLICT", { "bridge name '", "already in use" }, NULL },
	{ "LIBVIRT-NET-CONFLICT", { "error creating bridge interface", "File exists" }, NULL },
	{ "LIBVIRT-NET-CONFLICT", { "failed to create listening socket", "Address already in use" }, NULL },
	{ "LIBVIRT-NET-FIREWALL", { "Failed to initialize a valid firewall backend" }, NULL },
	{ "LIBVIRT-NET-FIREWALL", { "Failed to apply firewall rules" }, NULL },
	{ "LIBVIRT-STORAGE-PERM", { "Cannot access storage file", "Permission denied" }, NULL },
	{ "LIBVIRT-HUGEPAGES", { "Unable to find any usable hugetlbfs mount" }, NULL },
	{ "LIBVIRT-HUGEPAGES", { "hugetlbfs filesystem is not mounted" }, NULL },
	{ "LIBVIRT-OVMF-MISSING", { "Unable to find any firmware to satisfy 'efi'" }, NULL },
	{ "LIBVIRT-SESSION-BRIDGE", { "access denied by acl file" }, NULL },
	{ "LIBVIRT-SESSION-BRIDGE", { "failed to parse default acl file" }, NULL },
};

static const char *lv_match(const char *line)
{
	for (size_t i = 0; i < sizeof lv_signatures / sizeof lv_signatures[0]; i++) {
		const struct lv_signature *s = &lv_signatures[i];
		bool all = true;
		for (size_t k = 0; k < 3 && s->all[k] && all; k++)
			all = strstr(line, s->all[k]) != NULL;
		if (all && !(s->none && strstr(line, s->none)))
			return s->code;
	}
	return NULL;
}

static size_t lv_count_code(const struct facts_libvirt *lv, const char *code)
{
	size_t n = 0;
	for (size_t i = 0; i < lv->n_lines; i++)
		n += strcmp(lv->lines[i].code, code) == 0;
	return n;
}

static void lv_add_line(struct facts_libvirt *lv, const char *code, const char *source, const char *text, size_t len)
{
	if (lv_count_code(lv, code) >= LV_LINES_PER_CODE)
		return;
	lv->lines = xrealloc(lv->lines, (lv->n_lines + 1) * sizeof *lv->lines);
	struct facts_libvirt_line *l = &lv->lines[lv->n_lines++];
	l->code = code;
	snprintf(l->source, sizeof l->source, "%s", source);
	char text_copy[sizeof l->text];
	if (len >= sizeof text_copy)
		len = sizeof text_copy - 1;
	memcpy(text_copy, text, len);
	text_copy[len] = '\0';
	lv_copy_text(l->text, sizeof l->text, text_copy);
}

const struct facts_libvirt_line *facts_libvirt_line_find(const struct facts_libvirt *lv, const char *code,
							  size_t *from)
{
	for (size_t i = from ? *from : 0; i < lv->n_lines; i++)
		if (strcmp(lv->lines[i].code, code) == 0) {
			if (from)
				*from = i + 1;
			return &lv->lines[i];
		}
	return NULL;
}

/* Scan a whole log file for the signatures; returns the read error. */
static int lv_scan_file(struct host *host, struct facts_libvirt *lv, const char *path)
{
	struct host_buf buf;
	int err = host_read_file(host, path, LV_LOG_MAX, &buf);
	if (err)
		return err;
	unsigned lineno = 1;
	for (char *line = buf.data; line < buf.data + buf.len; lineno++) {
		char *nl = memchr(line, '\n', (size_t)(buf.data + buf.len - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(buf.data + buf.len - line);
		char save = line[n];
		line[n] = '\0';
		const char *code = lv_match(line);
		if (code) {
			char source[192];
			snprintf(source, sizeof source, "%s:%u", path, lineno);
			lv_add_line(lv, code, source, line, n);
		}
		line[n] = save;
		line += n + 1;
	}
	host_buf_free(&buf);
	return 0;
}

static void lv_scan_klog(const struct facts *facts, struct facts_libvirt *lv)
{
	for (size_t i = 0; i < facts->klog.count; i++) {
		const char *code = lv_match(facts->klog.lines[i].text);
		if (!code)
			continue;
		char source[192];
		snprintf(source, sizeof source, "dmesg:%u", facts->klog.lines[i].lineno);
		lv_add_line(lv, code, source, facts->klog.lines[i].text, strlen(facts->klog.lines[i].text));
	}
}

static void lv_scan_logs(struct host *host, const struct facts *facts, struct facts_libvirt *lv)
{
	static const char *const daemon_logs[] = { "/var/log/libvirt/libvirtd.log", "/var/log/libvirt/virtqemud.log",
						   "/var/log/libvirt/virtnetworkd.log" };
	lv_scan_klog(facts, lv);
	int audit_err = lv_scan_file(host, lv, "/var/log/audit/audit.log");
	/* Without auditd, AppArmor and SELinux denials go to the kernel log, so either source will do. */
	lv->mac_err = facts->klog.err == 0 || audit_err == 0 ? 0 : facts->klog.err;
	for (size_t i = 0; i < sizeof daemon_logs / sizeof daemon_logs[0]; i++)
		lv_scan_file(host, lv, daemon_logs[i]);
	for (size_t i = 0; i < lv->state.n_domains; i++) {
		const char *name = lv->state.domains[i].name;
		if (!name[0] || strchr(name, '/'))
			continue;
		char path[256];
		snprintf(path, sizeof path, "/var/log/libvirt/qemu/%s.log", name);
		lv_scan_file(host, lv, path);
	}
}

/* ---- configuration files ---- */

/* `key = "value"` in a libvirt .conf file: value and 1-based line, false when unset. */
static bool lv_conf_get(const char *text, const char *key, char *out, size_t len, unsigned *lineno)
{
	size_t klen = strlen(key);
	unsigned n = 1;
	for (const char *line = text; *line; n++) {
		const char *eol = strchr(line, '\n');
		const char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, key, klen) == 0 && strchr(" \t=", p[klen])) {
			const char *v = strchr(p + klen, '=');
			if (v && (!eol || v < eol)) {
				for (v++; *v == ' ' || *v == '\t' || *v == '"'; v++)
					;
				size_t vl = strcspn(v, "\"\n #");
				if (vl >= len)
					vl = len - 1;
				memcpy(out, v, vl);
				out[vl] = '\0';
				*lineno = n;
				return true;
			}
		}
		if (!eol)
			break;
		line = eol + 1;
	}
	return false;
}

static void lv_network_conf(struct host *host, struct facts_libvirt *lv)
{
	static const char path[] = "/etc/libvirt/network.conf";
	struct host_buf buf;
	unsigned line;
	if (host_read_file(host, path, LV_CONF_MAX, &buf) == 0) {
		if (lv_conf_get(buf.data, "firewall_backend", lv->firewall_backend, sizeof lv->firewall_backend, &line))
			snprintf(lv->firewall_source, sizeof lv->firewall_source, "%s:%u", path, line);
		host_buf_free(&buf);
	}
	lv->has_iptables = host_exists(host, "/usr/sbin/iptables") || host_exists(host, "/sbin/iptables");
	lv->has_nft = host_exists(host, "/usr/sbin/nft") || host_exists(host, "/sbin/nft");
	lv->has_dnsmasq = host_exists(host, "/usr/sbin/dnsmasq");
	const struct host_libvirt_net *net = host_libvirt_find_net(&lv->state, "default");
	if (net && net->bridge[0] && !strchr(net->bridge, '/')) {
		char dev[96];
		snprintf(dev, sizeof dev, "/sys/class/net/%s", net->bridge);
		lv->default_bridge_exists = host_exists(host, dev);
	}
}

/* "allow virbr0" lines of qemu-bridge-helper's ACL; "include" files are not followed. */
static void lv_bridge_conf(struct host *host, struct facts_libvirt *lv)
{
	struct host_buf buf;
	lv->bridge_conf_err = host_read_file(host, "/etc/qemu/bridge.conf", LV_CONF_MAX, &buf);
	if (lv->bridge_conf_err)
		return;
	for (char *save = NULL, *line = strtok_r(buf.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		if (sscanf(line, " allow %63s", name) == 1)
			lv_names_add(&lv->bridge_allow, name);
	}
	host_buf_free(&buf);
}

static bool lv_ovmf_name(const char *dir, const char *name)
{
	if (strstr(dir, "firmware"))
		return strstr(name, ".json") && (strcasestr(name, "ovmf") || strstr(name, "x86_64"));
	return strncmp(name, "OVMF_CODE", 9) == 0 || strcmp(name, "OVMF.fd") == 0;
}

static void lv_ovmf(struct host *host, struct facts_libvirt *lv)
{
	static const char *const dirs[] = { "/usr/share/OVMF", "/usr/share/edk2/ovmf", "/usr/share/edk2/x64",
					    "/usr/share/qemu/firmware", "/etc/qemu/firmware" };
	for (size_t d = 0; d < sizeof dirs / sizeof dirs[0] && !lv->ovmf[0]; d++) {
		struct host_names names = { 0 };
		if (host_list_dir(host, dirs[d], &names) == 0)
			for (size_t i = 0; i < names.count && !lv->ovmf[0]; i++)
				if (lv_ovmf_name(dirs[d], names.items[i]))
					snprintf(lv->ovmf, sizeof lv->ovmf, "%s/%s", dirs[d], names.items[i]);
		host_names_free(&names);
	}
	for (size_t i = 0; i < lv->state.n_domains; i++) {
		const struct host_libvirt_domain *dom = &lv->state.domains[i];
		if (dom->efi && dom->loader[0] == '/' && !host_exists(host, dom->loader))
			lv_names_add(&lv->missing_loaders, dom->loader);
	}
}

static unsigned long lv_meminfo_value(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	return p ? strtoul(p + strlen(key), NULL, 10) : 0;
}

static bool lv_domains_use(const struct facts_libvirt *lv, bool hugepages)
{
	for (size_t i = 0; i < lv->state.n_domains; i++)
		if (hugepages ? lv->state.domains[i].hugepages : lv->state.domains[i].hostdevs.count > 0)
			return true;
	return false;
}

static void lv_hugepages(struct host *host, struct facts_libvirt *lv)
{
	struct host_buf buf;
	lv->meminfo_err = host_read_file(host, "/proc/meminfo", LV_CONF_MAX, &buf);
	if (lv->meminfo_err == 0) {
		lv->huge_total = lv_meminfo_value(buf.data, "HugePages_Total:");
		lv->huge_free = lv_meminfo_value(buf.data, "HugePages_Free:");
		lv->huge_size_kib = lv_meminfo_value(buf.data, "Hugepagesize:");
		host_buf_free(&buf);
	}
	if (host_read_file(host, "/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages", LV_CONF_MAX, &buf) ==
	    0) {
		lv->huge_1g_free = strtoul(buf.data, NULL, 10);
		host_buf_free(&buf);
	}
	if (host_read_file(host, "/proc/mounts", LV_CONF_MAX, &buf) == 0) {
		lv->hugetlbfs_mounted = strstr(buf.data, " hugetlbfs ") != NULL;
		host_buf_free(&buf);
	}
}

/* ---- IOMMU groups of passed-through devices ---- */

static void lv_member_driver(struct host *host, struct facts_libvirt_member *m)
{
	char path[128];
	struct host_buf buf;
	snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/uevent", m->addr);
	if (host_read_file(host, path, LV_CONF_MAX, &buf) != 0)
		return;
	const char *d = strstr(buf.data, "DRIVER=");
	if (d && (d == buf.data || d[-1] == '\n'))
		sscanf(d + 7, "%31[^\n]", m->driver);
	host_buf_free(&buf);
}

/* Find the group holding `hd->addr` among /sys/kernel/iommu_groups/N/devices. */
static void lv_hostdev_group(struct host *host, const struct host_names *groups, struct facts_libvirt_hostdev *hd)
{
	hd->group_err = -ENOENT;
	for (size_t g = 0; g < groups->count && g < LV_GROUPS_MAX; g++) {
		char dir[128];
		struct host_names devs = { 0 };
		snprintf(dir, sizeof dir, "/sys/kernel/iommu_groups/%s/devices", groups->items[g]);
		if (host_list_dir(host, dir, &devs) != 0 || !host_names_contains(&devs, hd->addr)) {
			host_names_free(&devs);
			continue;
		}
		hd->group_err = 0;
		lv_copy_text(hd->group, sizeof hd->group, groups->items[g]);
		hd->members = xcalloc(devs.count ? devs.count : 1, sizeof *hd->members);
		for (size_t i = 0; i < devs.count; i++) {
			struct facts_libvirt_member *m = &hd->members[hd->n_members++];
			lv_copy_text(m->addr, sizeof m->addr, devs.items[i]);
			lv_member_driver(host, m);
		}
		host_names_free(&devs);
		return;
	}
}

static void lv_hostdevs(struct host *host, struct facts_libvirt *lv)
{
	struct host_names groups = { 0 };
	int gerr = host_list_dir(host, "/sys/kernel/iommu_groups", &groups);
	for (size_t i = 0; i < lv->state.n_domains; i++) {
		const struct host_libvirt_domain *dom = &lv->state.domains[i];
		for (size_t k = 0; k < dom->hostdevs.count; k++) {
			lv->hostdevs = xrealloc(lv->hostdevs, (lv->n_hostdevs + 1) * sizeof *lv->hostdevs);
			struct facts_libvirt_hostdev *hd = &lv->hostdevs[lv->n_hostdevs++];
			memset(hd, 0, sizeof *hd);
			lv_copy_text(hd->domain, sizeof hd->domain, dom->name);
			lv_copy_text(hd->addr, sizeof hd->addr, dom->hostdevs.items[k]);
			if (gerr == 0)
				lv_hostdev_group(host, &groups, hd);
			else
				hd->group_err = gerr == -ENOENT ? -ENOENT : gerr;
		}
	}
	host_names_free(&groups);
}

/* ---- collection ---- */

void facts_collect_libvirt(struct host *host, struct facts *facts)
{
	struct facts_libvirt *lv = &facts->libvirt;
	memset(lv, 0, sizeof *lv);
	lv->bridge_conf_err = -ENOENT;
	lv->meminfo_err = -ENOENT;
	snprintf(lv->uri, sizeof lv->uri, "%s", lv_uri);
	if (!facts->programs.libvirt) {
		lv->err = -ENOENT;
		snprintf(lv->why, sizeof lv->why, "libvirt is not installed (no libvirtd or virtqemud)");
		return;
	}
	lv->sock_libvirtd = host_exists(host, "/run/libvirt/libvirt-sock");
	lv->sock_virtqemud = host_exists(host, "/run/libvirt/virtqemud-sock");
	lv->sock_virtnetworkd = host_exists(host, "/run/libvirt/virtnetworkd-sock");
	lv->err = host_libvirt(host, lv->uri, LV_TIMEOUT_MS, &lv->state);
	if (lv->err == -ECANCELED)
		snprintf(lv->why, sizeof lv->why, "skipped by the user (libvirt was not asked)");
	else if (lv->err)
		snprintf(lv->why, sizeof lv->why, "%s", host_error(host));
	lv_network_conf(host, lv);
	lv_bridge_conf(host, lv);
	lv_ovmf(host, lv);
	if (lv_domains_use(lv, true))
		lv_hugepages(host, lv);
	if (lv_domains_use(lv, false))
		lv_hostdevs(host, lv);
	lv_scan_logs(host, facts, lv);
}

void facts_free_libvirt(struct facts *facts)
{
	struct facts_libvirt *lv = &facts->libvirt;
	host_libvirt_free(&lv->state);
	host_names_free(&lv->bridge_allow);
	host_names_free(&lv->missing_loaders);
	for (size_t i = 0; i < lv->n_hostdevs; i++)
		free(lv->hostdevs[i].members);
	free(lv->hostdevs);
	free(lv->lines);
	memset(lv, 0, sizeof *lv);
}
