/* SPDX-License-Identifier: MIT */
/* Facts about VMware Workstation/Player: product version, vmmon/vmnet modules, /dev/vmmon, logs. */
#include "vmdoctor/facts_vmware.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmdoctor/facts.h"
#include "vmdoctor/text.h"
#include "vmdoctor/xalloc.h"

/* Read limits: generous for real files, small enough that a hostile snapshot cannot hurt. */
#define CONFIG_MAX ((size_t)256 << 10)          /* /etc/vmware/config is a few KiB */
#define LOG_MAX ((size_t)8 << 20)               /* one vmware.log run is well under 8 MiB */
#define LOG_DIRS_MAX 16                         /* /tmp/vmware-* directories looked into */
#define LOGS_MAX 64                             /* log files scanned in all */
#define VM_DIRS_MAX 64                          /* VM directories under <home>/vmware */
#define EVENTS_PER_KIND 6                       /* the newest lines of each kind are kept */
#define MODINFO_TIMEOUT_MS 3000

/* ---- text helpers: nothing assumes NUL termination or sane sizes ---- */

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* ---- the vmmon-version table (knowledge base VMW-VERSION-MISMATCH) ---- */

#define ANY 999
static const struct facts_vmware_release release_table[] = {
	{ 308, "12.5.5 – 12.5.8", { 12, 5, 5 }, { 12, 5, 8 }, false },
	{ 309, "12.5.9", { 12, 5, 9 }, { 12, 5, 9 }, false },
	{ 329, "14.0.0 – 14.1.0", { 14, 0, 0 }, { 14, 1, 0 }, false },
	{ 330, "14.1.1 – 14.1.2", { 14, 1, 1 }, { 14, 1, 2 }, false },
	{ 331, "14.1.3 – 14.1.7", { 14, 1, 3 }, { 14, 1, 7 }, false },
	{ 360, "15.0.0 – 15.0.4", { 15, 0, 0 }, { 15, 0, 4 }, false },
	{ 361, "15.1.0", { 15, 1, 0 }, { 15, 1, 0 }, false },
	{ 385, "15.5.0 – 15.5.2", { 15, 5, 0 }, { 15, 5, 2 }, false },
	{ 392, "15.5.5 – 15.5.7", { 15, 5, 5 }, { 15, 5, 7 }, false },
	{ 398, "16.0.0", { 16, 0, 0 }, { 16, 0, 0 }, false },
	{ 401, "16.1.0 – 16.1.2", { 16, 1, 0 }, { 16, 1, 2 }, false },
	{ 410, "16.2.0 – 16.2.5", { 16, 2, 0 }, { 16, 2, 5 }, false },
	{ 416, "17.0.0 – 17.5.x", { 17, 0, 0 }, { 17, 5, ANY }, false },
	/* Only user reports ("expecting 417.0", "expecting 418.0, got 417.0") back these rows. */
	{ 417, "17.6.x", { 17, 6, 0 }, { 17, 6, ANY }, true },
	{ 418, "25H2", { 25, 0, 0 }, { 25, ANY, ANY }, true },
};

const struct facts_vmware_release *facts_vmware_release_by_vmmon(unsigned vmmon)
{
	for (size_t i = 0; i < sizeof release_table / sizeof release_table[0]; i++)
		if (release_table[i].vmmon == vmmon)
			return &release_table[i];
	return NULL;
}

/* "17.5.2" -> {17, 5, 2}; missing parts are 0; false when it does not start with a number. */
static bool parse_version3(const char *s, unsigned out[3])
{
	out[0] = out[1] = out[2] = 0;
	for (int part = 0; part < 3; part++) {
		size_t digits = 0;
		unsigned v = 0;
		while (text_is_digit(*s) && digits < 6) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (digits == 0)
			return part > 0;
		out[part] = v;
		if (*s != '.')
			return true;
		s++;
	}
	return true;
}

static int cmp_version3(const unsigned a[3], const unsigned b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

const struct facts_vmware_release *facts_vmware_release_by_product(const char *version)
{
	unsigned v[3];
	if (!version || !parse_version3(version, v))
		return NULL;
	for (size_t i = 0; i < sizeof release_table / sizeof release_table[0]; i++)
		if (cmp_version3(v, release_table[i].first) >= 0 && cmp_version3(v, release_table[i].last) <= 0)
			return &release_table[i];
	return NULL;
}

/* ---- /etc/vmware/config ---- */

/* Version keys, most specific first: Workstation writes all three with the same value. */
static const char *const version_keys[] = { "workstation.product.version", "player.product.version",
					    "product.version" };

/* Split `key = "value"`; false when the line is not of that shape. */
static bool config_pair(const char *line, size_t n, const char **key, size_t *kn, const char **val, size_t *vn)
{
	const char *eq = memchr(line, '=', n);
	if (!eq)
		return false;
	*key = line;
	*kn = (size_t)(eq - line);
	text_trim_span(key, kn);
	*val = eq + 1;
	*vn = (size_t)(line + n - *val);
	text_trim_span(val, vn);
	if (*vn >= 2 && (*val)[0] == '"' && (*val)[*vn - 1] == '"') {
		(*val)++;
		*vn -= 2;
	}
	return *kn > 0;
}

static bool key_is(const char *key, size_t kn, const char *lit)
{
	return strlen(lit) == kn && memcmp(key, lit, kn) == 0;
}

void facts_vmware_parse_config(const char *text, size_t len, struct facts_vmware_config *out)
{
	memset(out, 0, sizeof *out);
	size_t best = sizeof version_keys / sizeof version_keys[0];
	struct text_lines it = text_lines_of(text, len);
	const char *line, *key, *val;
	size_t n, kn, vn;
	while (text_next_line(&it, &line, &n)) {
		if (n == 0 || line[0] == '#' || !config_pair(line, n, &key, &kn, &val, &vn))
			continue;
		if (key_is(key, kn, "product.name"))
			text_copy(out->product_name, sizeof out->product_name, val, vn);
		else if (key_is(key, kn, "product.buildNumber"))
			text_copy(out->build, sizeof out->build, val, vn);
		for (size_t k = 0; k < best; k++) {
			if (key_is(key, kn, version_keys[k]) && vn > 0) {
				text_copy(out->version, sizeof out->version, val, vn);
				out->version_key = version_keys[k];
				out->version_line = it.lineno;
				best = k;
				break;
			}
		}
	}
}

/* ---- log lines ---- */

/* Section C.2 substrings for VMware. `module`: the line must also name vmmon or vmnet, because
 * the same words come from other modules (vboxdrv) or from unrelated builds. */
static const struct {
	const char *needle;
	const char *also;
	bool module;
	enum facts_vmw_event_kind kind;
} event_table[] = {
	{ "Version mismatch with vmmon module", NULL, false, FACTS_VMW_EV_VERSION_MISMATCH },
	{ "Could not open /dev/vmmon", NULL, false, FACTS_VMW_EV_NO_DEVICE },
	{ "Unable to install all modules", NULL, false, FACTS_VMW_EV_INSTALL_FAILED },
	{ "Unable to build kernel module", NULL, false, FACTS_VMW_EV_INSTALL_FAILED },
	{ "Kernel headers for version", NULL, false, FACTS_VMW_EV_NO_HEADERS },
	{ "*** [", "] Error", true, FACTS_VMW_EV_BUILD_ERROR },
	{ ": error: ", NULL, true, FACTS_VMW_EV_BUILD_ERROR },
	{ "This host supports Intel VT-x, but Intel VT-x is disabled", NULL, false, FACTS_VMW_EV_VT_DISABLED },
	{ "This host does not support Intel VT-x", NULL, false, FACTS_VMW_EV_VT_UNSUPPORTED },
	{ "Virtualized Intel VT-x/EPT is not supported", NULL, false, FACTS_VMW_EV_NESTED_UNSUPPORTED },
	{ "Module 'HV' power on failed", NULL, false, FACTS_VMW_EV_HV_POWERON_FAILED },
	/* The kernel's own rejection lines name no module; the checks weigh them against the .ko state. */
	{ "Loading of unsigned module is rejected", NULL, false, FACTS_VMW_EV_SIG_REJECTED },
	{ "Loading of module with unavailable key is rejected", NULL, false, FACTS_VMW_EV_SIG_REJECTED },
	{ "unsigned module loading is restricted", NULL, false, FACTS_VMW_EV_SIG_REJECTED },
	{ "Key was rejected by service", NULL, true, FACTS_VMW_EV_SIG_REJECTED },
	{ "Required key not available", NULL, true, FACTS_VMW_EV_SIG_REJECTED },
	/* "vmmon: module verification failed: ... - tainting kernel": loaded anyway (section C.1 8.4). */
	{ "module verification failed", NULL, true, FACTS_VMW_EV_SIG_TAINT },
};

/* Leading "2024-05-01T10:00:00" of vmware.log and UI log lines; empty when the line has none. */
static void line_stamp(const char *s, size_t n, char out[24])
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t len = sizeof shape - 1;
	out[0] = '\0';
	if (n < len)
		return;
	for (size_t i = 0; i < len; i++) {
		bool ok = shape[i] == 'd' ? text_is_digit(s[i]) : s[i] == shape[i];
		if (!ok)
			return;
	}
	memcpy(out, s, len);
	out[len] = '\0';
}

/* Event order: by time stamp, then by the order vmdoctor read them. */
static bool event_newer(const struct facts_vmware_event *a, const struct facts_vmware_event *b)
{
	int c = strcmp(a->stamp, b->stamp);
	return c != 0 ? c > 0 : a->seq > b->seq;
}

/* The kind of a line, or -1; *at points at the matched words. */
static int event_kind(const char *s, size_t n, const char **at)
{
	bool names_module = text_find(s, n, "vmmon") || text_find(s, n, "vmnet");
	for (size_t i = 0; i < sizeof event_table / sizeof event_table[0]; i++) {
		if (!(*at = text_find(s, n, event_table[i].needle)))
			continue;
		if (event_table[i].also && !text_find(s, n, event_table[i].also))
			continue;
		if (event_table[i].module && !names_module)
			continue;
		return (int)event_table[i].kind;
	}
	return -1;
}

static void event_fill(struct facts_vmware_event *e, enum facts_vmw_event_kind kind, const char *file,
		       unsigned lineno, const char *s, size_t n, const char *at)
{
	e->kind = kind;
	text_copy(e->file, sizeof e->file, file, strlen(file));
	e->line = lineno;
	line_stamp(s, n, e->stamp);
	const char *t = s;
	size_t tn = n;
	text_trim_span(&t, &tn);
	/* A line longer than what is kept keeps the matched words, with some context before them. */
	if (tn >= sizeof e->text && at > t + 80) {
		const char *from = at - 80;
		while (from < at && ((unsigned char)*from & 0xc0) == 0x80)
			from++;
		tn -= (size_t)(from - t);
		t = from;
	}
	text_copy(e->text, sizeof e->text, t, tn);
}

/* Keep at most EVENTS_PER_KIND lines of a kind: when full, the oldest one makes room. */
static void event_add(struct facts_vmware *vm, enum facts_vmw_event_kind kind, const char *file, unsigned lineno,
		      const char *s, size_t n, const char *at)
{
	struct facts_vmware_event fresh;
	event_fill(&fresh, kind, file, lineno, s, n, at);
	fresh.seq = ++vm->event_seq;
	size_t same = 0, oldest = SIZE_MAX;
	for (size_t i = 0; i < vm->event_count; i++) {
		if (vm->events[i].kind != kind)
			continue;
		same++;
		if (oldest == SIZE_MAX || event_newer(&vm->events[oldest], &vm->events[i]))
			oldest = i;
	}
	if (same >= EVENTS_PER_KIND) {
		if (event_newer(&fresh, &vm->events[oldest]))
			vm->events[oldest] = fresh;
		return;
	}
	vm->events = xrealloc(vm->events, (vm->event_count + 1) * sizeof *vm->events);
	vm->events[vm->event_count++] = fresh;
}

static void scan_line(struct facts_vmware *vm, const char *file, unsigned lineno, const char *s, size_t n)
{
	const char *at = NULL;
	int kind = event_kind(s, n, &at);
	if (kind >= 0)
		event_add(vm, (enum facts_vmw_event_kind)kind, file, lineno, s, n, at);
}

void facts_vmware_scan_log(struct facts_vmware *vm, const char *file, const char *text, size_t len)
{
	struct text_lines it = text_lines_of(text, len);
	const char *line;
	size_t n;
	while (text_next_line(&it, &line, &n))
		scan_line(vm, file, it.lineno, line, n);
	vm->logs_scanned++;
}

const struct facts_vmware_event *facts_vmware_latest(const struct facts_vmware *vm, enum facts_vmw_event_kind kind)
{
	const struct facts_vmware_event *best = NULL;
	for (size_t i = 0; i < vm->event_count; i++)
		if (vm->events[i].kind == kind && (!best || event_newer(&vm->events[i], best)))
			best = &vm->events[i];
	return best;
}

/* "417.0" at s: digits, optionally '.' and digits; returns its length, 0 when not a version. */
static size_t mismatch_number(const char *s, size_t n, char *dst, size_t cap, unsigned *major)
{
	size_t i = 0;
	unsigned v = 0;
	while (i < n && text_is_digit(s[i]) && i < 6)
		v = v * 10 + (unsigned)(s[i++] - '0');
	if (i == 0)
		return 0;
	*major = v;
	if (i + 1 < n && s[i] == '.' && text_is_digit(s[i + 1])) {
		i++;
		while (i < n && text_is_digit(s[i]) && i < 12)
			i++;
	}
	text_copy(dst, cap, s, i);
	return i;
}

bool facts_vmware_parse_mismatch(const char *line, size_t len, struct facts_vmware_mismatch *out)
{
	static const char head[] = "Version mismatch with vmmon module: expecting ";
	static const char mid[] = ", got ";
	memset(out, 0, sizeof *out);
	const char *p = text_find(line, len, head);
	if (!p)
		return false;
	p += sizeof head - 1;
	size_t rest = (size_t)(line + len - p);
	size_t k = mismatch_number(p, rest, out->expecting, sizeof out->expecting, &out->expecting_major);
	if (k == 0 || rest - k < sizeof mid - 1 || memcmp(p + k, mid, sizeof mid - 1) != 0)
		return false;
	p += k + sizeof mid - 1;
	rest = (size_t)(line + len - p);
	return mismatch_number(p, rest, out->got, sizeof out->got, &out->got_major) > 0;
}

/* ---- modinfo ---- */

/* "signer:         Build time autogenerated kernel key": the value after "<field>:". */
static bool modinfo_field(const char *line, size_t n, const char *field, const char **val, size_t *vn)
{
	size_t f = strlen(field);
	if (n <= f || memcmp(line, field, f) != 0 || line[f] != ':')
		return false;
	*val = line + f + 1;
	*vn = n - f - 1;
	text_trim_span(val, vn);
	return true;
}

int facts_vmware_parse_modinfo(const char *text, size_t len, struct facts_vmware *vm)
{
	vm->modinfo_filename[0] = vm->modinfo_version[0] = vm->modinfo_signer[0] = '\0';
	struct text_lines it = text_lines_of(text, len);
	const char *line, *val;
	size_t n, vn;
	bool filename = false;
	while (text_next_line(&it, &line, &n)) {
		if (modinfo_field(line, n, "filename", &val, &vn)) {
			text_copy(vm->modinfo_filename, sizeof vm->modinfo_filename, val, vn);
			filename = vn > 0;
		} else if (modinfo_field(line, n, "version", &val, &vn)) {
			text_copy(vm->modinfo_version, sizeof vm->modinfo_version, val, vn);
		} else if (modinfo_field(line, n, "signer", &val, &vn)) {
			text_copy(vm->modinfo_signer, sizeof vm->modinfo_signer, val, vn);
		}
	}
	return filename ? 0 : -EINVAL;
}

static void collect_modinfo(struct host *host, struct facts_vmware *vm)
{
	static const char *const argv[] = { "/sbin/modinfo", "vmmon", NULL };
	struct host_cmd_result res = { 0 };
	int err = host_run(host, "modinfo-vmmon", argv, MODINFO_TIMEOUT_MS, &res);
	if (err)
		vm->modinfo_err = err;
	else if (res.exit_code < 0 || res.timed_out)
		vm->modinfo_err = -ENOEXEC;     /* could not start, or hung: says nothing about vmmon */
	else if (res.exit_code != 0)
		vm->modinfo_err = -ENOENT;      /* "modinfo: ERROR: Module vmmon not found." */
	else
		vm->modinfo_err = facts_vmware_parse_modinfo(res.output.data, res.output.len, vm);
	host_cmd_result_free(&res);
}

/* ---- lockdown ---- */

static void collect_lockdown(struct host *host, struct facts_vmware *vm)
{
	struct host_buf buf;
	vm->lockdown_err = host_read_file(host, "/sys/kernel/security/lockdown", 4096, &buf);
	if (vm->lockdown_err == 0) {
		/* "none [integrity] confidentiality": the bracketed word is in force. */
		const char *open = memchr(buf.data, '[', buf.len);
		const char *close = open ? memchr(open, ']', (size_t)(buf.data + buf.len - open)) : NULL;
		if (open && close)
			text_copy(vm->lockdown, sizeof vm->lockdown, open + 1, (size_t)(close - open - 1));
		else
			vm->lockdown_err = -EINVAL;
	}
	host_buf_free(&buf);
}

/* ---- module files ---- */

static const char *const module_names[FACTS_VMW_MODULE_COUNT] = {
	[FACTS_VMW_VMMON] = "vmmon",
	[FACTS_VMW_VMNET] = "vmnet",
};

/* VMware's view of the shared module-file search (facts->ko, core/facts_ko.c). */
static void collect_ko(struct facts_vmware *vm, const struct facts_ko_files *kf)
{
	vm->modules_dir_err = kf->dir_err;
	text_copy(vm->modules_dir, sizeof vm->modules_dir, kf->dir, strlen(kf->dir));
	vm->headers = kf->headers;
	for (size_t i = 0; i < kf->count && vm->ko_count < FACTS_VMW_KO_MAX; i++)
		for (int m = 0; m < FACTS_VMW_MODULE_COUNT; m++)
			if (strcmp(kf->files[i].module, module_names[m]) == 0) {
				struct facts_vmware_ko *ko = &vm->ko[vm->ko_count++];
				ko->module = (enum facts_vmw_module)m;
				text_copy(ko->path, sizeof ko->path, kf->files[i].path, strlen(kf->files[i].path));
			}
}

/* A kernel update leaves vmmon built for the previous kernel only: name one such kernel. */
static void find_other_kernel(struct host *host, struct facts_vmware *vm, const char *release)
{
	struct host_names rels = { 0 };
	if (host_list_dir(host, "/lib/modules", &rels) == 0) {
		for (size_t i = 0; i < rels.count && i < LOG_DIRS_MAX * 4; i++) {
			if (strcmp(rels.items[i], release) == 0 || strlen(rels.items[i]) >= sizeof vm->other_kernel)
				continue;
			char path[FACTS_VMW_PATH];
			snprintf(path, sizeof path, "/lib/modules/%s/misc/vmmon.ko", rels.items[i]);
			if (host_exists(host, path))
				text_copy(vm->other_kernel, sizeof vm->other_kernel, rels.items[i], strlen(rels.items[i]));
		}
	}
	host_names_free(&rels);
}

size_t facts_vmware_ko_count(const struct facts_vmware *vm, enum facts_vmw_module module)
{
	size_t n = 0;
	for (size_t i = 0; i < vm->ko_count; i++)
		n += vm->ko[i].module == module;
	return n;
}

/* ---- logs ---- */

static void scan_file(struct host *host, struct facts_vmware *vm, const char *path)
{
	if (vm->logs_scanned >= LOGS_MAX)
		return;
	struct host_buf buf;
	if (host_read_file(host, path, LOG_MAX, &buf) == 0)
		facts_vmware_scan_log(vm, path, buf.data, buf.len);
	host_buf_free(&buf);
}

/* UI and modconfig logs: /tmp/vmware-<user>/vmware-<pid>.log, /tmp/vmware-root/setup-<pid>.log, ... */
static bool is_ui_log(const char *name)
{
	return ends_with(name, ".log") && (starts_with(name, "vmware") || starts_with(name, "setup-"));
}

static void scan_tmp_logs(struct host *host, struct facts_vmware *vm)
{
	struct host_names tmp = { 0 };
	if (host_list_dir(host, "/tmp", &tmp) != 0)
		return;
	size_t dirs = 0;
	for (size_t i = 0; i < tmp.count && dirs < LOG_DIRS_MAX; i++) {
		if (!starts_with(tmp.items[i], "vmware-") || strlen(tmp.items[i]) > 96)
			continue;
		dirs++;
		char dir[128];
		snprintf(dir, sizeof dir, "/tmp/%s", tmp.items[i]);
		struct host_names logs = { 0 };
		if (host_list_dir(host, dir, &logs) == 0) {
			for (size_t k = 0; k < logs.count; k++) {
				if (!is_ui_log(logs.items[k]) || strlen(logs.items[k]) > 96)
					continue;
				char path[256];
				snprintf(path, sizeof path, "%s/%s", dir, logs.items[k]);
				scan_file(host, vm, path);
			}
		}
		host_names_free(&logs);
	}
	host_names_free(&tmp);
}

static void dirs_add(struct host_names *dirs, const char *dir)
{
	if (dirs->count >= VM_DIRS_MAX)
		return;
	dirs->items = xrealloc(dirs->items, (dirs->count + 1) * sizeof *dirs->items);
	dirs->items[dirs->count++] = xstrdup(dir);
}

/* The default place: every directory under <home>/vmware/. */
static void vm_dirs_default(struct host *host, const char *home, struct host_names *dirs)
{
	char root[192];
	snprintf(root, sizeof root, "%s/vmware", home);
	struct host_names vms = { 0 };
	if (host_list_dir(host, root, &vms) == 0) {
		for (size_t i = 0; i < vms.count; i++) {
			char dir[FACTS_VMW_PATH];
			if ((size_t)snprintf(dir, sizeof dir, "%s/%s", root, vms.items[i]) < sizeof dir)
				dirs_add(dirs, dir);
		}
	}
	host_names_free(&vms);
}

/* VMs kept elsewhere are listed by the UI: recently used VMs and the library. */
static const struct {
	const char *file;       /* under <home>/ */
	const char *prefix, *suffix;
} vm_lists[] = {
	{ ".vmware/preferences", "pref.mruVM", ".filename" },
	{ ".vmware/inventory.vmls", "vmlist", ".config" },
};

/* The directory of an absolute .vmx path that cannot leave the tree it names; false otherwise. */
static bool vmx_dir(const char *val, size_t vn, char *dir, size_t cap)
{
	if (vn < 6 || vn >= cap || val[0] != '/' || memmem(val, vn, "..", 2) || memcmp(val + vn - 4, ".vmx", 4) != 0)
		return false;
	for (size_t i = 0; i < vn; i++)
		if ((unsigned char)val[i] < 0x20 || val[i] == 0x7f)
			return false;
	const char *slash = val + vn;
	while (slash > val && slash[-1] != '/')
		slash--;
	size_t dn = (size_t)(slash - val) - 1;
	if (dn == 0)
		return false;
	memcpy(dir, val, dn);
	dir[dn] = '\0';
	return true;
}

static void vm_dirs_listed(struct host *host, const char *home, struct host_names *dirs)
{
	for (size_t l = 0; l < sizeof vm_lists / sizeof vm_lists[0]; l++) {
		char path[256];
		snprintf(path, sizeof path, "%s/%s", home, vm_lists[l].file);
		struct host_buf buf;
		if (host_read_file(host, path, CONFIG_MAX, &buf) == 0) {
			struct text_lines it = text_lines_of(buf.data, buf.len);
			const char *line, *key, *val;
			size_t n, kn, vn;
			size_t pl = strlen(vm_lists[l].prefix), sl = strlen(vm_lists[l].suffix);
			while (text_next_line(&it, &line, &n)) {
				char dir[FACTS_VMW_PATH];
				if (!config_pair(line, n, &key, &kn, &val, &vn) || kn < pl + sl ||
				    memcmp(key, vm_lists[l].prefix, pl) != 0 ||
				    memcmp(key + kn - sl, vm_lists[l].suffix, sl) != 0)
					continue;
				if (vmx_dir(val, vn, dir, sizeof dir))
					dirs_add(dirs, dir);
			}
		}
		host_buf_free(&buf);
	}
}

/* Each VM's vmware.log: the current run only, since the rotated vmware-N.log are earlier runs whose
 * errors may have been fixed since. */
static void scan_vm_logs(struct host *host, struct facts_vmware *vm, const struct facts_user *user)
{
	if (user->err || !user->user.name[0])
		return;
	const char *home = user->home;
	struct host_names dirs = { 0 };
	vm_dirs_default(host, home, &dirs);
	vm_dirs_listed(host, home, &dirs);
	/* A VM in both places is read once. */
	host_names_sort_unique(&dirs);
	for (size_t i = 0; i < dirs.count; i++) {
		char path[FACTS_VMW_PATH + 16];
		snprintf(path, sizeof path, "%s/vmware.log", dirs.items[i]);
		scan_file(host, vm, path);
	}
	host_names_free(&dirs);
}

static void scan_klog(struct facts_vmware *vm, const struct facts_klog *klog)
{
	if (klog->err)
		return;
	for (size_t i = 0; i < klog->count; i++)
		scan_line(vm, "dmesg", klog->lines[i].lineno, klog->lines[i].text, strlen(klog->lines[i].text));
}

static void decide_mismatch(struct facts_vmware *vm)
{
	const struct facts_vmware_event *e = facts_vmware_latest(vm, FACTS_VMW_EV_VERSION_MISMATCH);
	vm->mismatch_seen = e && facts_vmware_parse_mismatch(e->text, strlen(e->text), &vm->mismatch);
}

/* ---- the whole ---- */

static const char *const install_markers[] = { "/etc/vmware/config", "/usr/bin/vmware", "/usr/bin/vmplayer" };

static void collect_config(struct host *host, struct facts_vmware *vm)
{
	struct host_buf buf;
	vm->config_err = host_read_file(host, "/etc/vmware/config", CONFIG_MAX, &buf);
	if (vm->config_err == 0)
		facts_vmware_parse_config(buf.data, buf.len, &vm->config);
	else if (vm->config_err != -ENOENT) {
		vm->err = vm->config_err;
		snprintf(vm->why, sizeof vm->why, "/etc/vmware/config: %s", host_error(host));
	}
	host_buf_free(&buf);
}

void facts_collect_vmware(struct host *host, struct facts *facts)
{
	struct facts_vmware *vm = &facts->vmware;
	memset(vm, 0, sizeof *vm);
	for (size_t i = 0; i < sizeof install_markers / sizeof install_markers[0] && !vm->installed; i++) {
		if (host_exists(host, install_markers[i])) {
			vm->installed = true;
			vm->installed_by = install_markers[i];
		}
	}
	vm->modinfo_err = vm->lockdown_err = vm->modules_dir_err = -ENODATA;
	if (!vm->installed) {
		vm->config_err = -ENOENT;
		return;
	}
	collect_config(host, vm);
	collect_ko(vm, &facts->ko);
	if (facts->ko.dir_err == 0 && facts_vmware_ko_count(vm, FACTS_VMW_VMMON) == 0)
		find_other_kernel(host, vm, facts->kernel.release);
	collect_modinfo(host, vm);
	collect_lockdown(host, vm);
	scan_tmp_logs(host, vm);
	scan_vm_logs(host, vm, &facts->user);
	scan_klog(vm, &facts->klog);
	decide_mismatch(vm);
}

void facts_free_vmware(struct facts *facts)
{
	free(facts->vmware.events);
	facts->vmware.events = NULL;
	facts->vmware.event_count = 0;
}
