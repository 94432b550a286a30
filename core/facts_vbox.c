/* SPDX-License-Identifier: MIT */
/* Facts about VirtualBox: version, vboxdrv module, /dev/vboxdrv, vboxusers, setup log, VBox.log and VBoxSVC.log. */
#include "vmdoctor/facts_vbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmdoctor/facts.h"
#include "vmdoctor/text.h"
#include "vmdoctor/xalloc.h"

/* Read limits: generous for real files, small enough that a hostile snapshot cannot hurt. */
#define CFG_MAX ((size_t)64 << 10)              /* /etc/vbox/vbox.cfg is a few lines */
#define LOG_MAX ((size_t)8 << 20)               /* one VBox.log run is well under 8 MiB */
#define LOGS_MAX 96                             /* log files scanned in all */
#define VM_DIRS_MAX 64                          /* VM directories under <home>/VirtualBox VMs */
#define HEADER_LINES 200                        /* the version header is near the top of a log */
#define EVENTS_PER_KIND 4                       /* the newest lines of each kind are kept */
#define MODINFO_TIMEOUT_MS 3000

/* ---- text helpers: nothing assumes NUL termination or sane sizes ---- */

/* ---- versions ---- */

int facts_vbox_version_cmp(const unsigned a[3], const unsigned b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

bool facts_vbox_parse_version(const char *text, size_t len, struct facts_vbox_version *out)
{
	memset(out, 0, sizeof *out);
	const char *s = text;
	size_t n = len;
	text_trim_span(&s, &n);
	size_t i = 0;
	/* Three dot-separated numbers: "7.0.14"; two ("7.1") is not a VirtualBox release. */
	for (int part = 0; part < 3; part++) {
		size_t digits = 0;
		unsigned v = 0;
		while (i < n && text_is_digit(s[i]) && digits < 6) {
			v = v * 10 + (unsigned)(s[i++] - '0');
			digits++;
		}
		if (digits == 0 || (i < n && text_is_digit(s[i])))
			return false;
		out->num[part] = v;
		if (part < 2) {
			if (i >= n || s[i] != '.')
				return false;
			i++;
		}
	}
	/* Keep "_Ubuntu r162802" but not the "(0x00330004)" interface version of modinfo. */
	size_t keep = i;
	while (keep < n && s[keep] != '(' && keep < i + 32)
		keep++;
	const char *t = s;
	size_t tn = keep;
	text_trim_span(&t, &tn);
	text_copy(out->text, sizeof out->text, t, tn);
	return true;
}

static void add_sighting(struct facts_vbox *vb, enum facts_vbox_version_kind kind, const struct facts_vbox_version *v)
{
	if (vb->n_sightings >= FACTS_VBOX_SIGHTINGS_MAX)
		return;
	vb->sightings[vb->n_sightings].kind = kind;
	vb->sightings[vb->n_sightings].v = *v;
	vb->n_sightings++;
}

/* The value of `KEY=value`, `KEY='value'` or `KEY="value"`. */
static bool cfg_value(const char *line, size_t n, const char *key, const char **val, size_t *vn)
{
	size_t kl = strlen(key);
	if (n <= kl || memcmp(line, key, kl) != 0 || line[kl] != '=')
		return false;
	*val = line + kl + 1;
	*vn = n - kl - 1;
	text_trim_span(val, vn);
	if (*vn >= 2 && ((*val)[0] == '\'' || (*val)[0] == '"') && (*val)[*vn - 1] == (*val)[0]) {
		(*val)++;
		*vn -= 2;
	}
	return true;
}

bool facts_vbox_parse_cfg(const char *text, size_t len, struct facts_vbox_version *out, unsigned *line_out)
{
	struct text_lines it = text_lines_of(text, len);
	const char *line, *val;
	size_t n, vn;
	while (text_next_line(&it, &line, &n)) {
		text_trim_span(&line, &n);
		if (cfg_value(line, n, "INSTALL_VER", &val, &vn) && facts_vbox_parse_version(val, vn, out)) {
			*line_out = it.lineno;
			return true;
		}
	}
	return false;
}

/* ---- modinfo ---- */

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

int facts_vbox_parse_modinfo(const char *text, size_t len, struct facts_vbox *vb)
{
	vb->modinfo_filename[0] = vb->modinfo_signer[0] = '\0';
	vb->module_known = false;
	struct text_lines it = text_lines_of(text, len);
	const char *line, *val;
	size_t n, vn;
	bool filename = false;
	while (text_next_line(&it, &line, &n)) {
		if (modinfo_field(line, n, "filename", &val, &vn)) {
			text_copy(vb->modinfo_filename, sizeof vb->modinfo_filename, val, vn);
			filename = vn > 0;
		} else if (modinfo_field(line, n, "version", &val, &vn)) {
			vb->module_known = facts_vbox_parse_version(val, vn, &vb->module);
		} else if (modinfo_field(line, n, "signer", &val, &vn)) {
			text_copy(vb->modinfo_signer, sizeof vb->modinfo_signer, val, vn);
		}
	}
	if (vb->module_known)
		snprintf(vb->module.source, sizeof vb->module.source, "commands/modinfo-vboxdrv");
	return filename ? 0 : -EINVAL;
}

static void collect_modinfo(struct host *host, struct facts_vbox *vb)
{
	static const char *const argv[] = { "/sbin/modinfo", "vboxdrv", NULL };
	struct host_cmd_result res = { 0 };
	int err = host_run(host, "modinfo-vboxdrv", argv, MODINFO_TIMEOUT_MS, &res);
	if (err)
		vb->modinfo_err = err;
	else if (res.exit_code != 0)
		vb->modinfo_err = -ENOENT;      /* "modinfo: ERROR: Module vboxdrv not found." */
	else
		vb->modinfo_err = facts_vbox_parse_modinfo(res.output.data, res.output.len, vb);
	if (vb->module_known)
		add_sighting(vb, FACTS_VBOX_VER_MODULE, &vb->module);
	host_cmd_result_free(&res);
}

/* ---- log lines ---- */

enum match_flag {
	M_NUMBER = 1u << 0,     /* a status number: the needle must not run on into more digits */
	M_SETUP = 1u << 1,      /* only in vbox-setup.log: compiler output elsewhere is somebody else's */
	M_MODULE = 1u << 2,     /* the line must name a VirtualBox module */
};

/* Knowledge base B.5 and C.2 substrings. Order matters only where one line holds two needles. */
static const struct {
	const char *needle;
	unsigned flags;
	enum facts_vbox_event_kind kind;
} event_table[] = {
	{ "VERR_VM_DRIVER_NOT_INSTALLED", 0, FACTS_VBOX_EV_DRV_NOT_INSTALLED },
	{ "rc=-1908", M_NUMBER, FACTS_VBOX_EV_DRV_NOT_INSTALLED },
	{ "(-1908)", 0, FACTS_VBOX_EV_DRV_NOT_INSTALLED },
	{ "The vboxdrv kernel module is not loaded", 0, FACTS_VBOX_EV_DRV_NOT_INSTALLED },
	{ "The character device /dev/vboxdrv does not exist", 0, FACTS_VBOX_EV_DRV_NOT_INSTALLED },
	{ "VERR_VM_DRIVER_NOT_ACCESSIBLE", 0, FACTS_VBOX_EV_DRV_NOT_ACCESSIBLE },
	{ "rc=-1909", M_NUMBER, FACTS_VBOX_EV_DRV_NOT_ACCESSIBLE },
	{ "(-1909)", 0, FACTS_VBOX_EV_DRV_NOT_ACCESSIBLE },
	{ "VERR_VM_DRIVER_VERSION_MISMATCH", 0, FACTS_VBOX_EV_VERSION_MISMATCH },
	{ "rc=-1912", M_NUMBER, FACTS_VBOX_EV_VERSION_MISMATCH },
	{ "(-1912)", 0, FACTS_VBOX_EV_VERSION_MISMATCH },
	{ "'VMMR0.r0' (VERR_SYMBOL_NOT_FOUND)", 0, FACTS_VBOX_EV_STALE_VMMR0 },
	{ "VERR_VMX_NO_VMX", 0, FACTS_VBOX_EV_NO_VMX },
	{ "VERR_SVM_NO_SVM", 0, FACTS_VBOX_EV_NO_SVM },
	{ "VERR_VMX_MSR_ALL_VMX_DISABLED", 0, FACTS_VBOX_EV_VMX_DISABLED },
	{ "VERR_VMX_MSR_VMX_DISABLED", 0, FACTS_VBOX_EV_VMX_DISABLED },
	{ "VERR_VMX_MSR_LOCKING_FAILED", 0, FACTS_VBOX_EV_VMX_LOCKING_FAILED },
	{ "VERR_SVM_DISABLED", 0, FACTS_VBOX_EV_SVM_DISABLED },
	{ "VERR_VMX_IN_VMX_ROOT_MODE", 0, FACTS_VBOX_EV_VMX_ROOT_MODE },
	{ "VERR_SVM_IN_USE", 0, FACTS_VBOX_EV_SVM_IN_USE },
	{ "VERR_SVM_HOST_SVME_NOT_ENABLED", 0, FACTS_VBOX_EV_SVME_NOT_ENABLED },
	{ "HM ring-0 init failed", 0, FACTS_VBOX_EV_HM_INIT_FAILED },
	{ "not set up to build kernel modules", 0, FACTS_VBOX_EV_NO_BUILD_TOOLS },
	{ "Please install the Linux kernel \"header\" files", 0, FACTS_VBOX_EV_NO_HEADERS },
	{ "Look at /var/log/vbox-setup.log", 0, FACTS_VBOX_EV_SETUP_FAILED },
	{ "There were problems setting up VirtualBox", 0, FACTS_VBOX_EV_SETUP_FAILED },
	{ "Error building the module", M_SETUP, FACTS_VBOX_EV_BUILD_ERROR },
	{ ": error: ", M_SETUP, FACTS_VBOX_EV_BUILD_ERROR },
	{ "You must sign these kernel modules", 0, FACTS_VBOX_EV_MUST_SIGN },
	{ "Failed to enroll secure boot key", 0, FACTS_VBOX_EV_ENROLL_FAILED },
	{ "Unable to find signing tool", 0, FACTS_VBOX_EV_MUST_SIGN },
	{ "Unable to sign", M_MODULE, FACTS_VBOX_EV_MUST_SIGN },
	{ "does not provide tools for automatic generation of keys", 0, FACTS_VBOX_EV_MUST_SIGN },
	{ "modprobe vboxdrv failed", 0, FACTS_VBOX_EV_MODPROBE_FAILED },
	/* Kernel refusals name no module; the checks weigh them against the .ko state. */
	{ "Loading of unsigned module is rejected", 0, FACTS_VBOX_EV_SIG_REJECTED },
	{ "Loading of module with unavailable key is rejected", 0, FACTS_VBOX_EV_SIG_REJECTED },
	{ "Loading of module with unsupported crypto is rejected", 0, FACTS_VBOX_EV_SIG_REJECTED },
	{ "unsigned module loading is restricted", 0, FACTS_VBOX_EV_SIG_REJECTED },
	{ "Key was rejected by service", M_MODULE, FACTS_VBOX_EV_SIG_REJECTED },
	{ "Required key not available", M_MODULE, FACTS_VBOX_EV_SIG_REJECTED },
};

static bool names_vbox_module(const char *s, size_t n)
{
	return text_find(s, n, "vboxdrv") || text_find(s, n, "vboxnetflt") || text_find(s, n, "vboxnetadp");
}

static bool needle_at(const char *s, size_t n, const char *needle, unsigned flags)
{
	size_t nl = strlen(needle);
	const char *p = s, *end = s + n;
	while (p < end) {
		const char *hit = memmem(p, (size_t)(end - p), needle, nl);
		if (!hit)
			return false;
		const char *after = hit + nl;
		if (!(flags & M_NUMBER) || after >= end || !text_is_digit(*after))
			return true;
		p = hit + 1;
	}
	return false;
}

static int event_kind(const char *s, size_t n, bool setup_log)
{
	bool module = names_vbox_module(s, n);
	for (size_t i = 0; i < sizeof event_table / sizeof event_table[0]; i++) {
		unsigned f = event_table[i].flags;
		if ((f & M_SETUP) && !setup_log)
			continue;
		if ((f & M_MODULE) && !module)
			continue;
		if (needle_at(s, n, event_table[i].needle, f))
			return (int)event_table[i].kind;
	}
	return -1;
}

/* Keep at most EVENTS_PER_KIND lines of a kind; lines are read oldest first, so the oldest makes room. */
static void event_add(struct facts_vbox *vb, enum facts_vbox_event_kind kind, const char *file, bool rotated,
		      unsigned lineno, const char *s, size_t n)
{
	size_t same = 0, oldest = SIZE_MAX;
	for (size_t i = 0; i < vb->event_count; i++) {
		if (vb->events[i].kind != kind)
			continue;
		if (oldest == SIZE_MAX)
			oldest = i;
		same++;
	}
	if (same >= EVENTS_PER_KIND) {
		memmove(&vb->events[oldest], &vb->events[oldest + 1],
			(vb->event_count - oldest - 1) * sizeof *vb->events);
		vb->event_count--;
	}
	if (vb->event_count >= FACTS_VBOX_EVENTS_MAX)
		return;
	if (!vb->events)
		vb->events = xcalloc(FACTS_VBOX_EVENTS_MAX, sizeof *vb->events);
	struct facts_vbox_event *e = &vb->events[vb->event_count++];
	e->kind = kind;
	text_copy(e->file, sizeof e->file, file, strlen(file));
	e->line = lineno;
	e->rotated = rotated;
	e->names_vboxdrv = names_vbox_module(s, n);
	text_trim_span(&s, &n);
	text_copy(e->text, sizeof e->text, s, n);
}

/* The header of VBox.log ("VirtualBox VM 7.0.14 r161095 linux.amd64 (...) release log") and of
 * VBoxSVC.log ("VirtualBox XPCOM Server 7.0.14 r161095 ..."): the version that ran. */
static const char *const header_marks[] = { "VirtualBox VM ", "VirtualBox XPCOM Server ", "VirtualBox COM Server " };

static bool header_version(const char *s, size_t n, struct facts_vbox_version *v)
{
	for (size_t i = 0; i < sizeof header_marks / sizeof header_marks[0]; i++) {
		const char *p = text_find(s, n, header_marks[i]);
		if (!p)
			continue;
		p += strlen(header_marks[i]);
		size_t rest = (size_t)(s + n - p);
		/* Stop at the platform word so "linux.amd64 (Jan 16 2024 ...)" is not kept. */
		const char *stop = text_find(p, rest, " linux");
		return facts_vbox_parse_version(p, stop ? (size_t)(stop - p) : rest, v);
	}
	return false;
}

/* The product version from log headers: the highest of the current logs, else of the rotated ones. */
static void consider_header(struct facts_vbox *vb, const struct facts_vbox_version *v, bool rotated)
{
	if (!vb->product_known || (vb->product_rotated && !rotated) ||
	    (vb->product_rotated == rotated && facts_vbox_version_cmp(v->num, vb->product.num) > 0)) {
		vb->product = *v;
		vb->product_known = true;
		vb->product_rotated = rotated;
	}
}

static bool is_setup_log(const char *file)
{
	return strstr(file, "/vbox-setup.log") || strstr(file, "/vbox-install.log");
}

void facts_vbox_scan_log(struct facts_vbox *vb, const char *file, bool rotated, const char *text, size_t len)
{
	bool setup = is_setup_log(file);
	bool header_seen = false;
	struct text_lines it = text_lines_of(text, len);
	const char *line;
	size_t n;
	while (text_next_line(&it, &line, &n)) {
		int kind = event_kind(line, n, setup);
		if (kind >= 0)
			event_add(vb, (enum facts_vbox_event_kind)kind, file, rotated, it.lineno, line, n);
		struct facts_vbox_version v;
		if (!header_seen && it.lineno <= HEADER_LINES && header_version(line, n, &v)) {
			header_seen = true;
			snprintf(v.source, sizeof v.source, "%.*s:%u", FACTS_VBOX_PATH - 16, file, it.lineno);
			add_sighting(vb, FACTS_VBOX_VER_PRODUCT, &v);
			if (!vb->product_from_cfg)
				consider_header(vb, &v, rotated);
		}
	}
	vb->logs_scanned++;
}

size_t facts_vbox_events(const struct facts_vbox *vb, enum facts_vbox_event_kind kind,
			 const struct facts_vbox_event **newest)
{
	size_t count = 0;
	const struct facts_vbox_event *best = NULL;
	for (size_t i = 0; i < vb->event_count; i++) {
		const struct facts_vbox_event *e = &vb->events[i];
		if (e->kind != kind)
			continue;
		count++;
		/* Read order is oldest first; a current log beats a rotated one. */
		if (!best || !e->rotated || best->rotated)
			best = e;
	}
	if (newest)
		*newest = best;
	return count;
}

/* ---- the kernel log ---- */

static void scan_klog(struct facts_vbox *vb, const struct facts_klog *klog)
{
	static const char loaded[] = "vboxdrv: Successfully loaded version ";
	if (klog->err)
		return;
	for (size_t i = 0; i < klog->count; i++) {
		const char *t = klog->lines[i].text;
		size_t n = strlen(t);
		const char *p = text_find(t, n, loaded);
		struct facts_vbox_version v;
		if (p && facts_vbox_parse_version(p + sizeof loaded - 1, (size_t)(t + n - p) - (sizeof loaded - 1), &v)) {
			snprintf(v.source, sizeof v.source, "dmesg:%u", klog->lines[i].lineno);
			vb->loaded = v;
			vb->loaded_known = true;
			continue;
		}
		int kind = event_kind(t, n, false);
		/* Only refusals come from the kernel log: a "-1908" there would be someone else's text. */
		if (kind == FACTS_VBOX_EV_SIG_REJECTED)
			event_add(vb, FACTS_VBOX_EV_SIG_REJECTED, "dmesg", false, klog->lines[i].lineno, t, n);
	}
	if (vb->loaded_known)
		add_sighting(vb, FACTS_VBOX_VER_LOADED, &vb->loaded);
}

/* ---- module files ---- */

static const char *const module_names[FACTS_VBOX_MODULE_COUNT] = {
	[FACTS_VBOX_VBOXDRV] = "vboxdrv",
	[FACTS_VBOX_VBOXNETFLT] = "vboxnetflt",
	[FACTS_VBOX_VBOXNETADP] = "vboxnetadp",
};

/* VirtualBox's view of the shared module-file search (facts->ko, core/facts_ko.c). */
static void collect_ko(struct facts_vbox *vb, const struct facts_ko_files *kf)
{
	vb->modules_dir_err = kf->dir_err;
	text_copy(vb->modules_dir, sizeof vb->modules_dir, kf->dir, strlen(kf->dir));
	vb->headers = kf->headers;
	for (size_t i = 0; i < kf->count && vb->ko_count < FACTS_VBOX_KO_MAX; i++)
		for (int m = 0; m < FACTS_VBOX_MODULE_COUNT; m++)
			if (strcmp(kf->files[i].module, module_names[m]) == 0) {
				struct facts_vbox_ko *ko = &vb->ko[vb->ko_count++];
				ko->module = (enum facts_vbox_module)m;
				text_copy(ko->path, sizeof ko->path, kf->files[i].path, strlen(kf->files[i].path));
			}
}

size_t facts_vbox_ko_count(const struct facts_vbox *vb, enum facts_vbox_module module)
{
	size_t n = 0;
	for (size_t i = 0; i < vb->ko_count; i++)
		n += vb->ko[i].module == module;
	return n;
}

/* ---- logs ---- */

static void scan_file(struct host *host, struct facts_vbox *vb, const char *path, bool rotated)
{
	if (vb->logs_scanned >= LOGS_MAX)
		return;
	struct host_buf buf;
	if (host_read_file(host, path, LOG_MAX, &buf) == 0)
		facts_vbox_scan_log(vb, path, rotated, buf.data, buf.len);
	host_buf_free(&buf);
}

/* A log and its rotations, oldest first, so that later lines are newer. */
static void scan_rotated(struct host *host, struct facts_vbox *vb, const char *path, unsigned rotations)
{
	char p[FACTS_VBOX_PATH + 8];
	for (unsigned r = rotations; r >= 1; r--) {
		if ((size_t)snprintf(p, sizeof p, "%s.%u", path, r) < sizeof p)
			scan_file(host, vb, p, true);
	}
	scan_file(host, vb, path, false);
}

static void scan_vm_logs(struct host *host, struct facts_vbox *vb)
{
	char root[FACTS_VBOX_PATH];
	snprintf(root, sizeof root, "%s/VirtualBox VMs", vb->home);
	struct host_names vms = { 0 };
	if (host_list_dir(host, root, &vms) != 0)
		return;
	for (size_t i = 0; i < vms.count && i < VM_DIRS_MAX; i++) {
		/* A VM name is one path component; anything else in a listing is hostile. */
		if (strchr(vms.items[i], '/') || strcmp(vms.items[i], "..") == 0)
			continue;
		char path[FACTS_VBOX_PATH];
		if ((size_t)snprintf(path, sizeof path, "%s/%s/Logs/VBox.log", root, vms.items[i]) >= sizeof path)
			continue;
		scan_rotated(host, vb, path, 3);
	}
	host_names_free(&vms);
}

static void scan_user_logs(struct host *host, struct facts_vbox *vb, const struct facts_user *user)
{
	if (user->err || !user->user.name[0])
		return;
	snprintf(vb->home, sizeof vb->home, "%s", user->home);
	char path[FACTS_VBOX_PATH];
	snprintf(path, sizeof path, "%s/.config/VirtualBox/VBoxSVC.log", vb->home);
	scan_rotated(host, vb, path, 3);
	scan_vm_logs(host, vb);
}

/* ---- the KVM coexistence matrix ---- */

#define ANYV 999
/* Knowledge base VBOX-KVM-CONFLICT. The 7.2.10 rows rest on issue comments and one packager's
 * report that contradict each other for Linux 6.12 itself, so they are marked `reported`. */
static const struct facts_vbox_kvm_rule kvm_rules[] = {
	{ { 0, 0 }, { 6, 11 }, { 0, 0, 0 }, { ANYV, ANYV, ANYV }, FACTS_VBOX_VAL_ANY, FACTS_VBOX_KVM_IDLE_OK, false,
	  "before Linux 6.12 KVM takes VT-x/AMD-V only while a KVM virtual machine runs" },
	{ { 6, 12 }, { 6, 12 }, { 0, 0, 0 }, { 7, 2, 9 }, FACTS_VBOX_VAL_ON, FACTS_VBOX_KVM_CONFLICT, false,
	  "since Linux 6.12 KVM takes VT-x/AMD-V as soon as its module loads (enable_virt_at_load=1)" },
	{ { 6, 12 }, { 6, 12 }, { 7, 2, 10 }, { ANYV, ANYV, ANYV }, FACTS_VBOX_VAL_ON, FACTS_VBOX_KVM_CONFLICT, true,
	  "a packager reports that VirtualBox 7.2.10 and later still need enable_virt_at_load=0 on Linux 6.12" },
	{ { 6, 12 }, { 6, 12 }, { 0, 0, 0 }, { ANYV, ANYV, ANYV }, FACTS_VBOX_VAL_OFF, FACTS_VBOX_KVM_OK, false,
	  "enable_virt_at_load=0 makes KVM take VT-x/AMD-V only while a KVM virtual machine runs" },
	{ { 6, 13 }, { ANYV, ANYV }, { 0, 0, 0 }, { 7, 2, 9 }, FACTS_VBOX_VAL_ON, FACTS_VBOX_KVM_CONFLICT, false,
	  "since Linux 6.12 KVM takes VT-x/AMD-V as soon as its module loads (enable_virt_at_load=1)" },
	{ { 6, 13 }, { ANYV, ANYV }, { 0, 0, 0 }, { 7, 2, 9 }, FACTS_VBOX_VAL_OFF, FACTS_VBOX_KVM_OK, false,
	  "enable_virt_at_load=0 makes KVM take VT-x/AMD-V only while a KVM virtual machine runs" },
	{ { 6, 13 }, { ANYV, ANYV }, { 7, 2, 10 }, { ANYV, ANYV, ANYV }, FACTS_VBOX_VAL_ON, FACTS_VBOX_KVM_OK, true,
	  "VirtualBox 7.2.10 and later are reported to use KVM's own switch for VT-x/AMD-V" },
	{ { 6, 13 }, { ANYV, ANYV }, { 7, 2, 10 }, { ANYV, ANYV, ANYV }, FACTS_VBOX_VAL_OFF,
	  FACTS_VBOX_KVM_OVERRIDE_BREAKS, true,
	  "VirtualBox 7.2.10 and later are reported to need KVM to enable VT-x/AMD-V; with enable_virt_at_load=0 "
	  "VMs fail with VERR_SVM_HOST_SVME_NOT_ENABLED" },
};

static int kernel_cmp(int amaj, int amin, const int b[2])
{
	if (amaj != b[0])
		return amaj < b[0] ? -1 : 1;
	return amin < b[1] ? -1 : amin > b[1] ? 1 : 0;
}

const struct facts_vbox_kvm_rule *facts_vbox_kvm_rule(int kmajor, int kminor, const unsigned vbox[3], bool on)
{
	for (size_t i = 0; i < sizeof kvm_rules / sizeof kvm_rules[0]; i++) {
		const struct facts_vbox_kvm_rule *r = &kvm_rules[i];
		if (kernel_cmp(kmajor, kminor, r->kernel_min) < 0 || kernel_cmp(kmajor, kminor, r->kernel_max) > 0)
			continue;
		if (facts_vbox_version_cmp(vbox, r->vbox_min) < 0 || facts_vbox_version_cmp(vbox, r->vbox_max) > 0)
			continue;
		if (r->virt_at_load != FACTS_VBOX_VAL_ANY && (r->virt_at_load == FACTS_VBOX_VAL_ON) != on)
			continue;
		return r;
	}
	return NULL;
}

/* ---- the whole ---- */

static const char *const install_markers[] = { "/usr/lib/virtualbox/VBoxSVC", "/usr/lib64/virtualbox/VBoxSVC",
					       "/usr/bin/VBoxManage", "/opt/VirtualBox/VBoxSVC" };

static void collect_cfg(struct host *host, struct facts_vbox *vb)
{
	struct host_buf buf;
	int err = host_read_file(host, "/etc/vbox/vbox.cfg", CFG_MAX, &buf);
	unsigned line = 0;
	struct facts_vbox_version v;
	if (err == 0 && facts_vbox_parse_cfg(buf.data, buf.len, &v, &line)) {
		snprintf(v.source, sizeof v.source, "/etc/vbox/vbox.cfg:%u", line);
		vb->product = v;
		vb->product_known = true;
		vb->product_from_cfg = true;
		add_sighting(vb, FACTS_VBOX_VER_PRODUCT, &v);
	} else if (err != 0 && err != -ENOENT && err != -ENODATA) {
		vb->err = err;
		snprintf(vb->why, sizeof vb->why, "/etc/vbox/vbox.cfg: %s", host_error(host));
	}
	host_buf_free(&buf);
}

void facts_collect_vbox(struct host *host, struct facts *facts)
{
	struct facts_vbox *vb = &facts->vbox;
	memset(vb, 0, sizeof *vb);
	vb->modinfo_err = vb->modules_dir_err = -ENODATA;
	for (size_t i = 0; i < sizeof install_markers / sizeof install_markers[0] && !vb->installed; i++) {
		if (host_exists(host, install_markers[i])) {
			vb->installed = true;
			vb->installed_by = install_markers[i];
		}
	}
	if (!vb->installed)
		return;
	collect_cfg(host, vb);
	collect_ko(vb, &facts->ko);
	collect_modinfo(host, vb);
	scan_klog(vb, &facts->klog);
	scan_rotated(host, vb, "/var/log/vbox-setup.log", 4);
	scan_file(host, vb, "/var/log/vbox-install.log", true);
	scan_user_logs(host, vb, &facts->user);
}

void facts_free_vbox(struct facts *facts)
{
	free(facts->vbox.events);
	memset(&facts->vbox, 0, sizeof facts->vbox);
}
