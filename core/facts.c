/* SPDX-License-Identifier: MIT */
/* Facts: asks the host layer for raw data once and parses it into the typed groups that checks read. */
#include "vmdoctor/facts.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmdoctor/text.h"
#include "vmdoctor/xalloc.h"

/* Read limits: bigger than any sane host file, small enough that a hostile snapshot cannot hurt. */
#define SMALL_FILE_MAX ((size_t)64 << 10)       /* /proc/cmdline, /sys values, modprobe.d files */
#define CPUINFO_MAX ((size_t)4 << 20)           /* 4 MiB: a few hundred CPUs with long flag lines */
#define TABLE_FILE_MAX ((size_t)1 << 20)        /* /proc/modules, /etc/group, /etc/passwd */
#define KCONFIG_MAX ((size_t)4 << 20)           /* /boot/config-* is ~300 KiB today */

#define MODULES_MAX 16384                       /* entries kept from /proc/modules plus /sys/module */
#define KLOG_LINE_MAX 4096                      /* bytes kept of one kernel log line */
#define KLOG_LINES_MAX 200000
#define MODPROBE_LINES_MAX 64
#define GROUP_NAME_MAX 255

/* ---- small text helpers: every input is hostile, so nothing assumes NUL termination or sane sizes ---- */

/* Digits only, at most `max_digits` of them, so the value cannot overflow. */
static bool parse_uint(const char *s, size_t n, size_t max_digits, unsigned long *out)
{
	if (n == 0 || n > max_digits)
		return false;
	unsigned long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!text_is_digit(s[i]))
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* The i-th ':'-separated field of a line (0-based); false when the line has fewer fields. */
static bool colon_field(const char *line, size_t n, unsigned index, const char **field, size_t *len)
{
	const char *p = line, *end = line + n;
	for (unsigned i = 0; i < index; i++) {
		const char *c = memchr(p, ':', (size_t)(end - p));
		if (!c)
			return false;
		p = c + 1;
	}
	const char *c = memchr(p, ':', (size_t)(end - p));
	*field = p;
	*len = (size_t)((c ? c : end) - p);
	return true;
}

/* Append to an array that grows by doubling; `*items` is realloc'ed when `count` is a power of two. */
static void *grow(void *items, size_t count, size_t size)
{
	if (count == 0)
		return xrealloc(items, 16 * size);
	if (count >= 16 && (count & (count - 1)) == 0)
		return xrealloc(items, 2 * count * size);
	return items;
}

static void names_add(struct host_names *names, const char *s, size_t n)
{
	names->items = grow(names->items, names->count, sizeof *names->items);
	names->items[names->count++] = xstrndup(s, n);
}

/* ---- reasons ---- */

/* "<path>: Permission denied"; a snapshot without the member says so rather than "no data". */
static void why_file(char *why, const char *path, int err)
{
	if (err == -ENODATA)
		snprintf(why, FACTS_WHY, "%s: not collected in this snapshot", path);
	else
		snprintf(why, FACTS_WHY, "%s: %s", path, strerror(-err));
}

/* For queries that are not files the host layer's own reason is the most precise one. */
static void why_query(char *why, const char *input, int err, const struct host *host)
{
	if (err == -ENODATA)
		snprintf(why, FACTS_WHY, "%s: not collected in this snapshot", input);
	else
		text_copy(why, FACTS_WHY, host_error(host), strlen(host_error(host)));
}

/* Read one small file and keep its trimmed text; returns 0 or the read error. */
static int read_value(struct host *host, const char *path, char *dst, size_t cap)
{
	struct host_buf buf;
	int err = host_read_file(host, path, SMALL_FILE_MAX, &buf);
	dst[0] = '\0';
	if (err == 0) {
		const char *nl = memchr(buf.data, '\n', buf.len);
		text_copy_trimmed(dst, cap, buf.data, nl ? (size_t)(nl - buf.data) : buf.len);
	}
	host_buf_free(&buf);
	return err;
}

/* ---- cpu (CPUID) ---- */

static const struct {
	const char *vendor_str;
	enum facts_cpu_vendor vendor;
} cpu_vendor_table[] = {
	{ "GenuineIntel", FACTS_VENDOR_INTEL },
	{ "AuthenticAMD", FACTS_VENDOR_AMD },
	{ "HygonGenuine", FACTS_VENDOR_HYGON },
};

/* The 12-byte signature of leaf 0x40000000, made safe to print: "KVMKVMKVM\0\0\0" -> "KVMKVMKVM". */
static void hv_signature(const uint32_t leaf[4], char out[13])
{
	const uint32_t words[3] = { leaf[HOST_EBX], leaf[HOST_ECX], leaf[HOST_EDX] };
	size_t n = 0;
	for (size_t i = 0; i < 12; i++) {
		unsigned char c = (unsigned char)(words[i / 4] >> (8 * (i % 4)));
		if (c == '\0')
			break;
		out[n++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

enum facts_cpu_vendor facts_vendor_from_string(const char *vendor_str)
{
	for (size_t i = 0; i < sizeof cpu_vendor_table / sizeof cpu_vendor_table[0]; i++)
		if (strcmp(vendor_str, cpu_vendor_table[i].vendor_str) == 0)
			return cpu_vendor_table[i].vendor;
	return FACTS_VENDOR_OTHER;
}

void facts_decode_cpuid(const struct host_cpuid *raw, struct facts_cpu *out)
{
	memset(out, 0, sizeof *out);

	text_copy(out->vendor_str, sizeof out->vendor_str, raw->vendor_str,
		  strnlen(raw->vendor_str, sizeof raw->vendor_str));
	text_copy_trimmed(out->brand, sizeof out->brand, raw->brand_str, strnlen(raw->brand_str, sizeof raw->brand_str));
	out->vendor = facts_vendor_from_string(out->vendor_str);

	out->leaf1_ecx = raw->basic[1][HOST_ECX];
	out->vmx = out->leaf1_ecx & (1u << 5);
	out->hypervisor = out->leaf1_ecx & (1u << 31);
	/* Leaf 0x80000001 holds garbage (or another leaf's data) when the CPU does not have it. */
	if (raw->ext[0][HOST_EAX] >= 0x80000001u) {
		out->ext1_ecx = raw->ext[1][HOST_ECX];
		out->svm = out->ext1_ecx & (1u << 2);
	}
	/* Leaf 0x40000000 means something only under a hypervisor; bare metal returns other leaves' data. */
	if (raw->has_hv_leaf && out->hypervisor) {
		hv_signature(raw->hv_leaf, out->hv_signature);
		out->has_hv_signature = out->hv_signature[0] != '\0';
	}
}

static void collect_cpu(struct host *host, struct facts_cpu *cpu)
{
	struct host_cpuid raw;
	int err = host_cpuid(host, &raw);
	if (err) {
		memset(cpu, 0, sizeof *cpu);
		cpu->err = err;
		why_query(cpu->why, host_is_snapshot(host) ? "cpuid.txt" : "CPUID", err, host);
		return;
	}
	facts_decode_cpuid(&raw, cpu);
}

/* ---- /proc/cpuinfo ---- */

/* "flags\t\t: fpu vme ...": the key before ':' must be exactly `name` ("vmx flags" is another line). */
static bool cpuinfo_field(const char *line, size_t n, const char *name, const char **value, size_t *vlen)
{
	const char *colon = memchr(line, ':', n);
	if (!colon)
		return false;
	const char *key = line;
	size_t klen = (size_t)(colon - line);
	text_trim_span(&key, &klen);
	if (!text_span_is(key, klen, name))
		return false;
	*value = colon + 1;
	*vlen = (size_t)(line + n - *value);
	return true;
}

static void cpuinfo_scan_flags(const char *p, size_t n, struct facts_cpuinfo *out)
{
	const char *end = p + n, *w;
	size_t wn;
	while (text_next_word(&p, end, &w, &wn)) {
		if (text_span_is(w, wn, "vmx"))
			out->vmx = true;
		else if (text_span_is(w, wn, "svm"))
			out->svm = true;
		else if (text_span_is(w, wn, "hypervisor"))
			out->hypervisor = true;
	}
}

void facts_parse_cpuinfo(const char *text, size_t len, struct facts_cpuinfo *out)
{
	memset(out, 0, sizeof *out);
	struct text_lines it = text_lines_of(text, len);
	const char *line, *value;
	size_t n, vlen;
	while (text_next_line(&it, &line, &n)) {
		/* The vendor lets vmdoctor pick the right MSR when CPUID itself was not collected. */
		if (!out->vendor_id[0] && cpuinfo_field(line, n, "vendor_id", &value, &vlen))
			text_copy_trimmed(out->vendor_id, sizeof out->vendor_id, value, vlen);
		if (!cpuinfo_field(line, n, "flags", &value, &vlen))
			continue;
		if (out->flags_line == 0)
			out->flags_line = it.lineno;
		cpuinfo_scan_flags(value, vlen, out);
	}
	if (out->flags_line == 0) {
		out->err = -EINVAL;
		snprintf(out->why, sizeof out->why, "/proc/cpuinfo: no flags line");
	}
}

static void collect_cpuinfo(struct host *host, struct facts_cpuinfo *ci)
{
	struct host_buf buf;
	int err = host_read_file(host, "/proc/cpuinfo", CPUINFO_MAX, &buf);
	if (err) {
		memset(ci, 0, sizeof *ci);
		ci->err = err;
		why_file(ci->why, "/proc/cpuinfo", err);
		return;
	}
	facts_parse_cpuinfo(buf.data, buf.len, ci);
	ci->truncated = buf.truncated;
	host_buf_free(&buf);
}

/* ---- kernel release ---- */

void facts_parse_kernel_release(const char *text, struct facts_kernel *out)
{
	memset(out, 0, sizeof *out);
	if (text) {
		size_t n = strcspn(text, "\n");
		text_copy_trimmed(out->release, sizeof out->release, text, n);
	}
	/* Only the leading "N.M" matters: "6.1.0-18-amd64", "4.15.0-213-generic", "6.8.0-rc1+". */
	const char *p = out->release;
	size_t maj = strspn(p, "0123456789");
	size_t min = p[maj] == '.' ? strspn(p + maj + 1, "0123456789") : 0;
	unsigned long major, minor;
	if (!parse_uint(p, maj, 5, &major) || !parse_uint(p + maj + 1, min, 5, &minor)) {
		out->err = -EINVAL;
		snprintf(out->why, sizeof out->why, "/proc/sys/kernel/osrelease: not a kernel release: \"%.100s\"",
			 out->release);
		return;
	}
	out->major = (int)major;
	out->minor = (int)minor;
}

static void collect_kernel(struct host *host, struct facts_kernel *k)
{
	static const char path[] = "/proc/sys/kernel/osrelease";
	char release[sizeof k->release];
	int err = read_value(host, path, release, sizeof release);
	if (err) {
		memset(k, 0, sizeof *k);
		k->err = err;
		why_file(k->why, path, err);
		return;
	}
	facts_parse_kernel_release(release, k);
}

bool facts_kernel_at_least(const struct facts *facts, int major, int minor)
{
	const struct facts_kernel *k = &facts->kernel;
	if (k->err)
		return false;
	return k->major > major || (k->major == major && k->minor >= minor);
}

/* ---- /proc/cmdline ---- */

static void collect_cmdline(struct host *host, struct facts_cmdline *c)
{
	struct host_buf buf;
	int err = host_read_file(host, "/proc/cmdline", SMALL_FILE_MAX, &buf);
	if (err) {
		c->err = err;
		why_file(c->why, "/proc/cmdline", err);
		return;
	}
	size_t n = buf.len;
	const char *s = buf.data;
	text_trim_span(&s, &n);
	c->text = xmalloc(n + 1);
	text_copy(c->text, n + 1, s, n);
	host_buf_free(&buf);
}

bool facts_cmdline_has(const struct facts *facts, const char *key)
{
	const char *text = facts->cmdline.text;
	if (facts->cmdline.err || !text || !key || !key[0])
		return false;
	size_t klen = strlen(key);
	const char *p = text, *end = text + strlen(text), *w;
	size_t n;
	while (text_next_word(&p, end, &w, &n))
		if (text_span_starts(w, n, key) && (n == klen || w[klen] == '='))
			return true;
	return false;
}

/* ---- modules: /proc/modules and /sys/module ---- */

/* Module names are [A-Za-z0-9_]; the kernel shows '-' as '_', and so do we. */
static bool module_name_ok(const char *s, size_t n)
{
	if (n == 0 || n >= sizeof ((struct facts_module *)0)->name)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!(text_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static void module_name_copy(char *dst, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = s[i] == '-' ? '_' : s[i];
	dst[n] = '\0';
}

static struct facts_module *module_add(struct facts_modules *mods, const char *name, size_t n)
{
	mods->items = grow(mods->items, mods->count, sizeof *mods->items);
	struct facts_module *m = &mods->items[mods->count++];
	memset(m, 0, sizeof *m);
	module_name_copy(m->name, name, n);
	m->refcount = -1;
	return m;
}

/* "kvm_intel 413696 0 - Live 0x0000000000000000": name, size, use count, deps, state, address. */
static bool module_line(const char *line, size_t n, unsigned lineno, struct facts_modules *mods)
{
	const char *p = line, *end = line + n, *name, *size, *ref;
	size_t name_n, size_n, ref_n;
	unsigned long v;
	if (!text_next_word(&p, end, &name, &name_n) || !module_name_ok(name, name_n))
		return false;
	if (!text_next_word(&p, end, &size, &size_n) || !parse_uint(size, size_n, 15, &v))
		return false;
	struct facts_module *m = module_add(mods, name, name_n);
	m->in_proc_modules = true;
	m->line = lineno;
	if (text_next_word(&p, end, &ref, &ref_n) && parse_uint(ref, ref_n, 9, &v))
		m->refcount = (long)v;
	return true;
}

static int module_cmp_name(const void *a, const void *b)
{
	const struct facts_module *x = a, *y = b;
	return strcmp(x->name, y->name);
}

/* By name, then by line, so that the first /proc/modules line of a name is the one kept. */
static int module_cmp(const void *a, const void *b)
{
	const struct facts_module *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return (x->line > y->line) - (x->line < y->line);
}

/* Sorted by name, first line wins, so that /sys/module can be merged with a binary search. */
static void modules_sort_unique(struct facts_modules *mods)
{
	size_t kept = 0;
	if (mods->count == 0)
		return;
	qsort(mods->items, mods->count, sizeof *mods->items, module_cmp);
	for (size_t i = 0; i < mods->count; i++)
		if (kept == 0 || strcmp(mods->items[kept - 1].name, mods->items[i].name) != 0)
			mods->items[kept++] = mods->items[i];
	mods->count = kept;
}

int facts_parse_modules(const char *text, size_t len, struct facts_modules *out)
{
	memset(out, 0, sizeof *out);
	out->proc_modules_read = true;
	struct text_lines it = text_lines_of(text, len);
	const char *line;
	size_t n;
	bool any_text = false;
	while (text_next_line(&it, &line, &n) && out->count < MODULES_MAX) {
		const char *s = line;
		size_t sn = n;
		text_trim_span(&s, &sn);
		any_text |= sn > 0;
		module_line(line, n, it.lineno, out);
	}
	modules_sort_unique(out);
	/* An empty /proc/modules is a kernel with no module loaded; text without one module line is not. */
	if (any_text && out->count == 0) {
		out->err = -EINVAL;
		snprintf(out->why, sizeof out->why, "/proc/modules: no \"name size refcount ...\" line");
	}
	return out->err;
}

static void modules_merge_sys(struct facts_modules *mods, const struct host_names *sys)
{
	size_t sorted = mods->count;
	for (size_t i = 0; i < sys->count && mods->count < MODULES_MAX; i++) {
		const char *name = sys->items[i];
		size_t n = strlen(name);
		if (!module_name_ok(name, n))
			continue;
		struct facts_module key;
		module_name_copy(key.name, name, n);
		struct facts_module *m =
			sorted ? bsearch(&key, mods->items, sorted, sizeof *mods->items, module_cmp_name) : NULL;
		if (!m)
			m = module_add(mods, name, n);
		m->in_sys_module = true;
	}
	modules_sort_unique(mods);
}

static void collect_modules(struct host *host, struct facts_modules *mods)
{
	struct host_buf buf;
	int proc_err = host_read_file(host, "/proc/modules", TABLE_FILE_MAX, &buf);
	if (proc_err == 0)
		proc_err = facts_parse_modules(buf.data, buf.len, mods);
	else
		why_file(mods->why, "/proc/modules", proc_err);
	host_buf_free(&buf);

	struct host_names sys;
	int sys_err = host_list_dir(host, "/sys/module", &sys);
	if (sys_err == 0)
		modules_merge_sys(mods, &sys);
	host_names_free(&sys);

	mods->err = proc_err == 0 || sys_err == 0 ? 0 : proc_err;
	if (mods->err == 0)
		mods->why[0] = '\0';
}

const struct facts_module *facts_module_find(const struct facts *facts, const char *name)
{
	if (!name)
		return NULL;
	size_t n = strlen(name);
	if (!module_name_ok(name, n))
		return NULL;
	char want[sizeof ((struct facts_module *)0)->name];
	module_name_copy(want, name, n);
	/* Linear: tests and checks may build facts by hand, unsorted; there are only a few hundred. */
	for (size_t i = 0; i < facts->modules.count; i++)
		if (strcmp(facts->modules.items[i].name, want) == 0)
			return &facts->modules.items[i];
	return NULL;
}

/* ---- module parameters and device nodes ---- */

static const char *const facts_param_table[FACTS_PARAM_COUNT] = {
	[FACTS_PARAM_KVM_INTEL_NESTED] = "/sys/module/kvm_intel/parameters/nested",
	[FACTS_PARAM_KVM_AMD_NESTED] = "/sys/module/kvm_amd/parameters/nested",
	[FACTS_PARAM_KVM_ENABLE_VIRT_AT_LOAD] = "/sys/module/kvm/parameters/enable_virt_at_load",
};

static const char *const facts_device_table[FACTS_DEV_COUNT] = {
	[FACTS_DEV_KVM] = "/dev/kvm",
	[FACTS_DEV_TUN] = "/dev/net/tun",
	[FACTS_DEV_VHOST_NET] = "/dev/vhost-net",
	[FACTS_DEV_VMMON] = "/dev/vmmon",
	[FACTS_DEV_VBOXDRV] = "/dev/vboxdrv",
};

static void collect_params(struct host *host, struct facts_param params[FACTS_PARAM_COUNT])
{
	for (size_t i = 0; i < FACTS_PARAM_COUNT; i++) {
		struct facts_param *p = &params[i];
		text_copy(p->path, sizeof p->path, facts_param_table[i], strlen(facts_param_table[i]));
		p->err = read_value(host, facts_param_table[i], p->value, sizeof p->value);
	}
}

static void collect_devices(struct host *host, struct facts_device devices[FACTS_DEV_COUNT])
{
	for (size_t i = 0; i < FACTS_DEV_COUNT; i++) {
		devices[i].path = facts_device_table[i];
		devices[i].err = host_device(host, facts_device_table[i], &devices[i].node);
	}
}

/* ---- user and /etc/group ---- */

/* Does the comma-separated member list s[0..n) name `user`? */
static bool members_have(const char *s, size_t n, const char *user)
{
	const char *end = s + n;
	while (s < end) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *stop = comma ? comma : end;
		const char *m = s;
		size_t mn = (size_t)(stop - s);
		text_trim_span(&m, &mn);
		if (text_span_is(m, mn, user))
			return true;
		s = stop + 1;
	}
	return false;
}

/* "name:x:gid:member,member": true when `user` is in it by membership or by primary gid. */
static bool group_line_has(const char *line, size_t n, const struct host_user *user)
{
	const char *gid_s, *members;
	size_t gid_n, members_n;
	unsigned long gid;
	if (!colon_field(line, n, 2, &gid_s, &gid_n) || !colon_field(line, n, 3, &members, &members_n))
		return false;
	/* The member list is the rest of the line, even if it holds another ':'. */
	members_n = (size_t)(line + n - members);
	if (user->gid_known && parse_uint(gid_s, gid_n, 10, &gid) && gid == (unsigned long)user->gid)
		return true;
	return user->name[0] && members_have(members, members_n, user->name);
}

static bool group_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > GROUP_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

int facts_parse_group_file(const char *text, size_t len, const struct host_user *user, struct host_names *out)
{
	memset(out, 0, sizeof *out);
	if (!user)
		return -EINVAL;
	struct text_lines it = text_lines_of(text, len);
	const char *line, *name;
	size_t n, name_n;
	while (text_next_line(&it, &line, &n)) {
		if (n == 0 || line[0] == '#' || !colon_field(line, n, 0, &name, &name_n))
			continue;
		if (group_name_ok(name, name_n) && group_line_has(line, n, user))
			names_add(out, name, name_n);
	}
	host_names_sort_unique(out);
	return 0;
}

/* The primary gid of `name`: the 4th field of its /etc/passwd line. */
/* The user's line of /etc/passwd: the primary gid (4th field) and the home folder (6th). */
static void passwd_entry(const char *text, size_t len, struct host_user *user, char *home, size_t home_cap)
{
	struct text_lines it = text_lines_of(text, len);
	const char *line, *f;
	size_t n, fn;
	unsigned long v;
	while (text_next_line(&it, &line, &n)) {
		if (!colon_field(line, n, 0, &f, &fn) || !text_span_is(f, fn, user->name))
			continue;
		if (!user->gid_known && colon_field(line, n, 3, &f, &fn) && parse_uint(f, fn, 10, &v) &&
		    v <= (gid_t)-1) {
			user->gid = (gid_t)v;
			user->gid_known = true;
		}
		/* Only an absolute path without control bytes: it is joined into paths the host layer reads. */
		if (colon_field(line, n, 5, &f, &fn) && fn > 1 && f[0] == '/' && !memchr(f, '\0', fn))
			text_copy(home, home_cap, f, fn);
		if (strchr(home, '?'))
			home[0] = '\0';
		return;
	}
}

static void learn_passwd(struct host *host, struct facts_user *u)
{
	struct host_buf buf;
	if (!u->user.name[0])
		return;
	if (host_read_file(host, "/etc/passwd", TABLE_FILE_MAX, &buf) == 0)
		passwd_entry(buf.data, buf.len, &u->user, u->home, sizeof u->home);
	host_buf_free(&buf);
	/* The usual place, when /etc/passwd does not say: logs are looked for there, never written. */
	if (!u->home[0])
		snprintf(u->home, sizeof u->home, "%s/%.63s", u->user.uid == 0 ? "" : "/home",
			 u->user.uid == 0 ? "root" : u->user.name);
}

static void collect_user(struct host *host, struct facts_user *u)
{
	int err = host_user(host, &u->user);
	if (err) {
		u->err = err;
		why_query(u->why, "snapshot.json user", err, host);
		/* Membership of an unknown person is unknown, not "none". */
		u->group_file_err = err;
		return;
	}
	learn_passwd(host, u);
	struct host_buf buf;
	u->group_file_err = host_read_file(host, "/etc/group", TABLE_FILE_MAX, &buf);
	if (u->group_file_err == 0)
		facts_parse_group_file(buf.data, buf.len, &u->user, &u->etc_groups);
	host_buf_free(&buf);
}

/* ---- DMI ---- */

static void collect_dmi(struct host *host, struct facts_dmi *d)
{
	int vendor_err = read_value(host, "/sys/class/dmi/id/sys_vendor", d->sys_vendor, sizeof d->sys_vendor);
	int product_err = read_value(host, "/sys/class/dmi/id/product_name", d->product_name, sizeof d->product_name);
	d->err = vendor_err == 0 || product_err == 0 ? 0 : vendor_err;
}

/* ---- kernel log ---- */

/* Length of a leading "[    1.234567] " (with its one following space), 0 when there is none. */
static size_t klog_stamp_len(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || s[0] != '[')
		return 0;
	for (i = 1; i < n && s[i] == ' '; i++)
		;
	size_t digits = i;
	while (i < n && text_is_digit(s[i]))
		i++;
	if (i == digits || i >= n || s[i] != '.')
		return 0;
	size_t frac = ++i;
	while (i < n && text_is_digit(s[i]))
		i++;
	if (i == frac || i >= n || s[i] != ']')
		return 0;
	i++;
	return i < n && s[i] == ' ' ? i + 1 : i;
}

static void klog_add(struct facts_klog *log, const char *s, size_t n, unsigned lineno)
{
	log->lines = grow(log->lines, log->count, sizeof *log->lines);
	struct facts_klog_line *l = &log->lines[log->count++];
	size_t keep = text_utf8_cut(s, n, KLOG_LINE_MAX);
	l->text = xmalloc(keep + 1);
	text_copy(l->text, keep + 1, s, keep);
	l->lineno = lineno;
}

int facts_parse_klog(const char *text, size_t len, struct facts_klog *out)
{
	memset(out, 0, sizeof *out);
	struct text_lines it = text_lines_of(text, len);
	const char *line;
	size_t n;
	while (out->count < KLOG_LINES_MAX && text_next_line(&it, &line, &n)) {
		size_t stamp = klog_stamp_len(line, n);
		const char *s = line + stamp;
		size_t sn = n - stamp;
		while (sn > 0 && text_is_blank(s[sn - 1]))
			sn--;
		if (sn > 0)
			klog_add(out, s, sn, it.lineno);
	}
	return 0;
}

static void collect_klog(struct host *host, struct facts_klog *log)
{
	struct host_buf buf;
	int err = host_kernel_log(host, &buf);
	if (err) {
		log->err = err;
		if (err == -EPERM)
			snprintf(log->why, sizeof log->why,
				 "kernel log: restricted by kernel.dmesg_restrict; run as root to read it");
		else if (err == -ENODATA)
			snprintf(log->why, sizeof log->why, "kernel log: not collected");
		else
			why_query(log->why, "kernel log", err, host);
		return;
	}
	facts_parse_klog(buf.data, buf.len, log);
	host_buf_free(&buf);
}

/* ---- MSR ---- */

/* The register that says whether firmware switched VT-x / AMD-V off (section A.2). */
static const uint32_t msr_by_vendor[] = {
	[FACTS_VENDOR_OTHER] = 0,
	[FACTS_VENDOR_INTEL] = 0x3a,            /* IA32_FEATURE_CONTROL */
	[FACTS_VENDOR_AMD] = 0xc0010114,        /* VM_CR */
	[FACTS_VENDOR_HYGON] = 0xc0010114,
};

static void collect_msr(struct host *host, enum facts_cpu_vendor vendor, struct facts_msr *msr)
{
	msr->index = msr_by_vendor[vendor];
	msr->err = msr->index ? host_msr(host, 0, msr->index, &msr->value) : -ENOENT;
}

/* ---- KVM probe ---- */

static void collect_kvm(struct host *host, struct facts_kvm_probe *kvm)
{
	kvm->err = host_kvm_probe(host, &kvm->probe);
	if (kvm->err)
		why_query(kvm->why, "commands/kvm-probe.txt", kvm->err, host);
}

/* ---- modprobe.d ---- */

/* kmod reads these in order and ignores a file whose name it already read from an earlier one. */
static const char *const modprobe_dirs[] = { "/etc/modprobe.d", "/usr/lib/modprobe.d", "/lib/modprobe.d" };
static const char *const modprobe_verbs[] = { "blacklist", "install", "options" };
static const char *const kvm_modules[] = { "kvm", "kvm_intel", "kvm_amd", "kvm-intel", "kvm-amd" };

static bool span_in(const char *s, size_t n, const char *const *list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (text_span_is(s, n, list[i]))
			return true;
	return false;
}

#define SPAN_IN(s, n, list) span_in(s, n, list, sizeof list / sizeof list[0])

/* "blacklist kvm_intel", "install kvm /bin/false", "options kvm_amd nested=0" (comment already cut). */
static bool modprobe_line_matters(const char *s, size_t n)
{
	const char *p = s, *end = s + n, *w;
	size_t wn;
	if (!text_next_word(&p, end, &w, &wn) || !SPAN_IN(w, wn, modprobe_verbs))
		return false;
	return text_next_word(&p, end, &w, &wn) && SPAN_IN(w, wn, kvm_modules);
}

static void modprobe_scan(const char *path, const struct host_buf *buf, struct facts_modprobe *mp)
{
	struct text_lines it = text_lines_of(buf->data, buf->len);
	const char *line;
	size_t n;
	while (mp->count < MODPROBE_LINES_MAX && text_next_line(&it, &line, &n)) {
		const char *hash = memchr(line, '#', n);
		if (hash)
			n = (size_t)(hash - line);
		text_trim_span(&line, &n);
		if (!modprobe_line_matters(line, n))
			continue;
		mp->lines = grow(mp->lines, mp->count, sizeof *mp->lines);
		struct facts_modprobe_line *l = &mp->lines[mp->count++];
		text_copy(l->file, sizeof l->file, path, strlen(path));
		text_copy(l->text, sizeof l->text, line, n);
		l->line = it.lineno;
	}
}

static bool is_conf_name(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

static int modprobe_dir(struct host *host, const char *dir, struct host_names *seen, struct facts_modprobe *mp)
{
	struct host_names files;
	int err = host_list_dir(host, dir, &files);
	if (err)
		return err;
	for (size_t i = 0; i < files.count && mp->count < MODPROBE_LINES_MAX; i++) {
		const char *name = files.items[i];
		if (!is_conf_name(name) || host_names_contains(seen, name))
			continue;
		names_add(seen, name, strlen(name));
		char *path = xasprintf("%s/%s", dir, name);
		struct host_buf buf;
		if (host_read_file(host, path, SMALL_FILE_MAX, &buf) == 0)
			modprobe_scan(path, &buf, mp);
		host_buf_free(&buf);
		free(path);
	}
	host_names_free(&files);
	return 0;
}

static void collect_modprobe(struct host *host, struct facts_modprobe *mp)
{
	struct host_names seen = { 0 };
	/* Known when any directory could be listed; else why the first (/etc/modprobe.d) could not. */
	int first_err = 0;
	bool any = false;
	for (size_t i = 0; i < sizeof modprobe_dirs / sizeof modprobe_dirs[0]; i++) {
		int err = modprobe_dir(host, modprobe_dirs[i], &seen, mp);
		any |= err == 0;
		if (i == 0)
			first_err = err;
	}
	mp->err = any ? 0 : first_err;
	host_names_free(&seen);
}

/* ---- kernel config ---- */

static const struct {
	const char *symbol;
	size_t offset;
} kconfig_table[] = {
	{ "CONFIG_KVM_INTEL", offsetof(struct facts_kconfig, kvm_intel) },
	{ "CONFIG_KVM_AMD", offsetof(struct facts_kconfig, kvm_amd) },
};

#define KCONFIG_VALUE(kc, i) ((char *)(kc) + kconfig_table[i].offset)

static void kconfig_line(const char *line, size_t n, struct facts_kconfig *kc)
{
	for (size_t i = 0; i < sizeof kconfig_table / sizeof kconfig_table[0]; i++) {
		const char *sym = kconfig_table[i].symbol;
		size_t sn = strlen(sym);
		char *dst = KCONFIG_VALUE(kc, i);
		if (text_span_starts(line, n, sym) && n > sn && line[sn] == '=')
			text_copy_trimmed(dst, sizeof kc->kvm_intel, line + sn + 1, n - sn - 1);
		else if (text_span_starts(line, n, "# ") && n == sn + 13 && memcmp(line + 2, sym, sn) == 0 &&
			 memcmp(line + 2 + sn, " is not set", 11) == 0)
			strcpy(dst, "n");
	}
}

static void collect_kconfig(struct host *host, const struct facts_kernel *k, struct facts_kconfig *kc)
{
	_Static_assert(sizeof ((struct facts_kconfig *)0)->kvm_intel == sizeof ((struct facts_kconfig *)0)->kvm_amd,
		       "kconfig_table writes both with one size");
	if (!k->release[0] || strchr(k->release, '/')) {
		kc->err = k->err ? k->err : -EINVAL;
		return;
	}
	snprintf(kc->path, sizeof kc->path, "/boot/config-%s", k->release);
	struct host_buf buf;
	kc->err = host_read_file(host, kc->path, KCONFIG_MAX, &buf);
	if (kc->err == 0) {
		struct text_lines it = text_lines_of(buf.data, buf.len);
		const char *line;
		size_t n;
		while (text_next_line(&it, &line, &n))
			kconfig_line(line, n, kc);
		/* No line at all means "n", unless the part we did not read could hold it. */
		for (size_t i = 0; i < sizeof kconfig_table / sizeof kconfig_table[0]; i++)
			if (!KCONFIG_VALUE(kc, i)[0] && !buf.truncated)
				strcpy(KCONFIG_VALUE(kc, i), "n");
	}
	host_buf_free(&buf);
}

/* ---- IOMMU ---- */

static void collect_iommu(struct host *host, struct facts_iommu *io)
{
	io->dmar = host_exists(host, "/sys/firmware/acpi/tables/DMAR");
	io->ivrs = host_exists(host, "/sys/firmware/acpi/tables/IVRS");
	struct host_names groups;
	io->groups_err = host_list_dir(host, "/sys/kernel/iommu_groups", &groups);
	io->groups = groups.count;
	host_names_free(&groups);
}

/* ---- cgroups ---- */

int facts_parse_cgroups_v1(const char *text, size_t len, struct host_names *out)
{
	memset(out, 0, sizeof *out);
	struct text_lines it = text_lines_of(text, len);
	const char *line;
	size_t n;
	while (text_next_line(&it, &line, &n)) {
		const char *p = line, *end = line + n, *fields[4];
		size_t lens[4];
		if (n == 0 || line[0] == '#')
			continue;
		int count = 0;
		while (count < 4 && text_next_word(&p, end, &fields[count], &lens[count]))
			count++;
		if (count == 4 && text_span_is(fields[3], lens[3], "1") && lens[0] < 64)
			names_add(out, fields[0], lens[0]);
	}
	host_names_sort_unique(out);
	return 0;
}

static void collect_cgroups(struct host *host, struct facts_cgroups *cg)
{
	struct host_buf buf;
	cg->source = "/sys/fs/cgroup/cgroup.controllers";
	int err = host_read_file(host, cg->source, SMALL_FILE_MAX, &buf);
	if (err == 0) {
		/* The unified hierarchy lists its controllers as words on one line. */
		cg->v2 = true;
		const char *p = buf.data, *word;
		size_t n;
		while (text_next_word(&p, buf.data + buf.len, &word, &n))
			if (n < 64)
				names_add(&cg->controllers, word, n);
		host_names_sort_unique(&cg->controllers);
		host_buf_free(&buf);
		return;
	}
	host_buf_free(&buf);
	cg->source = "/proc/cgroups";
	err = host_read_file(host, cg->source, SMALL_FILE_MAX, &buf);
	if (err == 0)
		facts_parse_cgroups_v1(buf.data, buf.len, &cg->controllers);
	else
		why_file(cg->why, cg->source, err);
	cg->err = err;
	host_buf_free(&buf);
}

/* ---- programs ---- */

static const char *const qemu_paths[] = { "/usr/bin/qemu-system-x86_64", "/usr/libexec/qemu-kvm",
					  "/usr/bin/qemu-kvm" };
static const char *const libvirt_paths[] = { "/usr/sbin/libvirtd", "/usr/sbin/virtqemud" };
static const char *const kvm_frontend_paths[] = { "/usr/bin/virt-manager", "/usr/bin/gnome-boxes", "/usr/bin/virsh" };
static const char *const vmware_paths[] = { "/etc/vmware/config", "/usr/bin/vmware", "/usr/bin/vmplayer" };
static const char *const virtualbox_paths[] = { "/usr/lib/virtualbox/VBoxSVC", "/usr/bin/VBoxManage",
						"/opt/VirtualBox/VBoxSVC" };
#define FIRST_EXISTING(host, paths) first_existing((host), (paths), sizeof(paths) / sizeof((paths)[0]))

static const char *first_existing(struct host *host, const char *const *paths, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (host_exists(host, paths[i]))
			return paths[i];
	return NULL;
}

static void collect_programs(struct host *host, struct facts_programs *p)
{
	p->qemu = FIRST_EXISTING(host, qemu_paths);
	p->libvirt = FIRST_EXISTING(host, libvirt_paths);
	p->kvm_frontend = FIRST_EXISTING(host, kvm_frontend_paths);
	p->vmware = FIRST_EXISTING(host, vmware_paths);
	p->virtualbox = FIRST_EXISTING(host, virtualbox_paths);
}

/* ---- the whole ---- */

const char *facts_area_name(enum facts_area area)
{
	static const char *const names[FACTS_AREA_COUNT] = {
		[FACTS_AREA_CPU] = "CPU and kernel", [FACTS_AREA_SYSTEM] = "Modules, devices and kernel log",
		[FACTS_AREA_VMWARE] = "VMware", [FACTS_AREA_VBOX] = "VirtualBox", [FACTS_AREA_SECUREBOOT] = "Secure Boot",
		[FACTS_AREA_LIBVIRT] = "libvirt", [FACTS_AREA_LOGS] = "Logs of the hypervisors",
	};
	return (unsigned)area < FACTS_AREA_COUNT ? names[area] : "?";
}

/* One area's start (area >= 0) after the previous one's end. */
static void facts_progress(facts_progress_fn fn, void *ctx, int prev, int area)
{
	if (!fn)
		return;
	if (prev >= 0)
		fn(ctx, (enum facts_area)prev, true);
	if (area >= 0)
		fn(ctx, (enum facts_area)area, false);
}

int facts_collect(struct host *host, struct facts *facts)
{
	return facts_collect_ex(host, facts, NULL, NULL);
}

int facts_collect_ex(struct host *host, struct facts *facts, facts_progress_fn progress, void *ctx)
{
	memset(facts, 0, sizeof *facts);
	facts->from_snapshot = host_is_snapshot(host);
	facts_progress(progress, ctx, -1, FACTS_AREA_CPU);
	collect_cpu(host, &facts->cpu);
	collect_cpuinfo(host, &facts->cpuinfo);
	collect_kernel(host, &facts->kernel);
	collect_cmdline(host, &facts->cmdline);
	facts_progress(progress, ctx, FACTS_AREA_CPU, FACTS_AREA_SYSTEM);
	collect_modules(host, &facts->modules);
	collect_params(host, facts->params);
	collect_devices(host, facts->devices);
	collect_user(host, &facts->user);
	collect_dmi(host, &facts->dmi);
	collect_klog(host, &facts->klog);
	collect_msr(host, facts->cpu.err ? facts_vendor_from_string(facts->cpuinfo.vendor_id) : facts->cpu.vendor,
		    &facts->msr);
	collect_kvm(host, &facts->kvm);
	collect_modprobe(host, &facts->modprobe);
	collect_kconfig(host, &facts->kernel, &facts->kconfig);
	collect_iommu(host, &facts->iommu);
	collect_cgroups(host, &facts->cgroups);
	collect_programs(host, &facts->programs);
	facts_collect_ko(host, facts);
	/* The families read the core facts above (user, kernel release, modules). */
	facts_progress(progress, ctx, FACTS_AREA_SYSTEM, FACTS_AREA_VMWARE);
	facts_collect_vmware(host, facts);
	facts_progress(progress, ctx, FACTS_AREA_VMWARE, FACTS_AREA_VBOX);
	facts_collect_vbox(host, facts);
	facts_progress(progress, ctx, FACTS_AREA_VBOX, FACTS_AREA_SECUREBOOT);
	facts_collect_secureboot(host, facts);
	facts_progress(progress, ctx, FACTS_AREA_SECUREBOOT, FACTS_AREA_LIBVIRT);
	facts_collect_libvirt(host, facts);
	facts_progress(progress, ctx, FACTS_AREA_LIBVIRT, FACTS_AREA_LOGS);
	facts_collect_logs(host, facts);
	facts_progress(progress, ctx, FACTS_AREA_LOGS, -1);
	return 0;
}

void facts_free(struct facts *facts)
{
	if (!facts)
		return;
	free(facts->cmdline.text);
	free(facts->modules.items);
	host_user_free(&facts->user.user);
	host_names_free(&facts->user.etc_groups);
	for (size_t i = 0; i < facts->klog.count; i++)
		free(facts->klog.lines[i].text);
	free(facts->klog.lines);
	free(facts->modprobe.lines);
	host_names_free(&facts->cgroups.controllers);
	facts_free_vmware(facts);
	facts_free_vbox(facts);
	facts_free_secureboot(facts);
	facts_free_libvirt(facts);
	facts_free_logs(facts);
	memset(facts, 0, sizeof *facts);
}
