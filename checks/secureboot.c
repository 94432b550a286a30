/* SPDX-License-Identifier: MIT */
/* Secure Boot, module signing and DKMS/kernel-header checks (knowledge base B.6, B.7, C.1 steps 8 and 9). */
#include "checks/checks.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define EFI_GLOBAL_GUID "8be4df61-93ca-11d2-aa0d-00e098032b8c"

static const char *const mode_names[] = {
	[FACTS_SB_UNKNOWN] = "unknown",
	[FACTS_SB_LEGACY_BIOS] = "impossible: legacy BIOS boot",
	[FACTS_SB_OFF] = "off",
	[FACTS_SB_SETUP_MODE] = "off (firmware in Setup Mode)",
	[FACTS_SB_ON] = "on",
};
static const char *const lockdown_names[] = {
	[FACTS_LOCKDOWN_UNKNOWN] = "unknown",
	[FACTS_LOCKDOWN_NONE] = "none",
	[FACTS_LOCKDOWN_INTEGRITY] = "integrity",
	[FACTS_LOCKDOWN_CONFIDENTIALITY] = "confidentiality",
};
_Static_assert(sizeof mode_names / sizeof mode_names[0] == FACTS_SB_ON + 1, "mode names");
_Static_assert(sizeof lockdown_names / sizeof lockdown_names[0] == FACTS_LOCKDOWN_CONFIDENTIALITY + 1,
	       "lockdown names");

/* ---- shared evidence ---- */

static void state_evidence(const struct facts *facts, struct check_result *r)
{
	const struct facts_secureboot *sb = &facts->secureboot;
	if (!sb->efi) {
		check_evidence(r, "/sys/firmware/efi", "does not exist: legacy BIOS boot");
	} else if (sb->secureboot.err == 0) {
		check_evidence(r, "/sys/firmware/efi/efivars/SecureBoot-" EFI_GLOBAL_GUID, "value %d",
			       sb->secureboot.value);
		if (sb->setup_mode.err == 0 && sb->setup_mode.value == 1)
			check_evidence(r, "/sys/firmware/efi/efivars/SetupMode-" EFI_GLOBAL_GUID,
				       "value 1: firmware in Setup Mode");
	} else {
		check_evidence(r, "/sys/firmware/efi/efivars/SecureBoot-" EFI_GLOBAL_GUID, "%s",
			       sb->secureboot.err == -EINVAL ? "4 bytes or fewer: no value" : strerror(-sb->secureboot.err));
	}
	if (sb->shim_validation_off)
		check_evidence(r, "/sys/firmware/efi/efivars/MokSBStateRT-605dab50-e046-4300-abb6-3dd810dd8b23",
			       "exists: shim validation is disabled");
	if (sb->lockdown_err == 0)
		check_evidence(r, "/sys/kernel/security/lockdown", "[%s]", lockdown_names[sb->lockdown]);
	if (sb->klog_lockdown_line) {
		char src[32];
		snprintf(src, sizeof src, "dmesg:%u", sb->klog_lockdown_line);
		check_evidence(r, src, "%s", sb->klog_lockdown_text);
	}
	if (sb->sig_enforce)
		check_evidence(r, "/proc/cmdline", "module.sig_enforce=1");
}

static void line_evidence(const struct facts_sb_line *l, struct check_result *r)
{
	char src[32];
	snprintf(src, sizeof src, "dmesg:%u", l->lineno);
	check_evidence(r, src, "%s", l->text);
}

/* ---- secureboot.state ---- */

void check_secureboot_state(const struct facts *facts, struct check_result *r)
{
	const struct facts_secureboot *sb = &facts->secureboot;
	state_evidence(facts, r);
	if (sb->mode == FACTS_SB_UNKNOWN) {
		check_set(r, CHECK_UNKNOWN, NULL, "Secure Boot state could not be read: %s", sb->why);
		return;
	}
	if (sb->mode == FACTS_SB_LEGACY_BIOS) {
		check_set(r, CHECK_PASS, NULL, "Legacy BIOS boot: Secure Boot is not possible; the kernel %s unsigned modules%s",
			  facts_secureboot_enforcing(facts) ? "still refuses" : "loads",
			  sb->sig_enforce ? " (module.sig_enforce=1)" : "");
		return;
	}
	const char *lockdown = sb->lockdown_err == 0 ? lockdown_names[sb->lockdown] : "not reported";
	check_set(r, CHECK_PASS, NULL, "Secure Boot is %s%s, lockdown %s; the kernel %s unsigned modules",
		  mode_names[sb->mode], sb->shim_validation_off ? " but shim validation is disabled" : "", lockdown,
		  facts_secureboot_enforcing(facts) ? "refuses" : "loads");
}

/* ---- secureboot.modules ---- */

static void signer_evidence(const struct facts_sb_module *m, struct check_result *r)
{
	char src[48];
	snprintf(src, sizeof src, "commands/modinfo-%s", m->name);
	if (m->signer_err == 0)
		check_evidence(r, src, "signer: %s", m->signer[0] ? m->signer : "(none: unsigned)");
	else if (m->ko_present)
		check_evidence(r, src, "%s", m->signer_err == -ENODATA ? "not collected" : "modinfo failed");
}

static void mok_evidence(const struct facts_sb_mok *mok, struct check_result *r)
{
	if (mok->test_text[0])
		check_evidence(r, "commands/mokutil-test-key", "%s", mok->test_text);
	else if (mok->key_path)
		check_evidence(r, mok->key_path, "signing key exists; enrolment %s",
			       mok->test_err == -ENODATA ? "not collected" : "unknown");
	if (mok->pending)
		check_evidence(r, "commands/mokutil-list-new", "pending: %s", mok->pending_text);
}

/* The refused module: a named line first, else the first built-but-unloaded module of interest. */
static const struct facts_sb_line *find_refusal(const struct facts *facts, const struct facts_sb_module **mod,
						char *name, size_t cap)
{
	const struct facts_secureboot *sb = &facts->secureboot;
	*mod = NULL;
	for (size_t i = 0; i < sb->n_modules; i++) {
		const struct facts_sb_line *l = facts_secureboot_rejection(facts, sb->modules[i].name);
		if (l && !sb->modules[i].loaded) {
			*mod = &sb->modules[i];
			snprintf(name, cap, "%s", sb->modules[i].name);
			return l;
		}
	}
	/* A refusal naming another module (nvidia, zfs...): still a refusal, without modinfo facts. */
	for (size_t i = sb->n_lines; i-- > 0;) {
		const struct facts_sb_line *l = &sb->lines[i];
		if (l->kind == FACTS_SB_LINE_TAINT || !l->module[0] || facts_secureboot_module(facts, l->module) ||
		    facts_module_find(facts, l->module))
			continue;
		snprintf(name, cap, "%s", l->module);
		return l;
	}
	return NULL;
}

static bool points_to_mok(const struct facts *facts, const struct facts_sb_module *m, const struct facts_sb_line *l)
{
	if (m && m->signer_err == 0)
		return m->signer[0] != '\0';
	const struct facts_sb_mok *mok = &facts->secureboot.mok;
	/* Without the signer, the "unavailable key" wording and the enrolment state decide (C.2). */
	return (l && l->kind == FACTS_SB_LINE_UNAVAILABLE_KEY) || mok->state == FACTS_MOK_NOT_ENROLLED ||
	       mok->state == FACTS_MOK_PENDING;
}

static void action_unsigned(const struct facts *facts, const char *name, struct check_result *r)
{
	const char *key = facts->secureboot.mok.key_path ? facts->secureboot.mok.key_path : "MOK.der";
	check_action(r, "Sign %s with your MOK (sudo /lib/modules/$(uname -r)/build/scripts/sign-file sha256 MOK.priv "
		     "%s $(modinfo -n %s)), enroll it with sudo mokutil --import %s, reboot and confirm Enroll MOK in "
		     "MokManager at the console (needs physical presence), then sudo modprobe %s",
		     name, key, name, key, name);
}

static void action_mok(const struct facts *facts, const char *name, struct check_result *r)
{
	const struct facts_sb_mok *mok = &facts->secureboot.mok;
	const char *key = mok->key_path ? mok->key_path : "<the key that signed it>.der";
	if (mok->state == FACTS_MOK_PENDING)
		check_action(r, "Reboot and confirm Enroll MOK in MokManager at the console (needs physical presence) "
			     "with the password chosen at import, then sudo modprobe %s", name);
	else
		check_action(r, "Enroll the signing key: sudo mokutil --import %s, reboot and confirm Enroll MOK in "
			     "MokManager at the console (needs physical presence), then sudo modprobe %s", key, name);
}

static void report_refusal(const struct facts *facts, const struct facts_sb_module *m, const char *name,
			   const struct facts_sb_line *l, enum check_status status, struct check_result *r)
{
	bool mok = points_to_mok(facts, m, l);
	const char *code = mok ? "SB-MOK-NOT-ENROLLED" : "SB-UNSIGNED-MODULE";
	if (l)
		line_evidence(l, r);
	if (m)
		signer_evidence(m, r);
	if (mok && facts->secureboot.mok.state == FACTS_MOK_ENROLLED && m && m->signer[0]) {
		/* The enrolled key is not the one that signed it: re-signing helps, enrolling again does not. */
		mok_evidence(&facts->secureboot.mok, r);
		check_set(r, status, code, "%s is signed by %s, but the kernel does not trust that key (%s is enrolled, "
			  "so another key signed the module)", name, m->signer, facts->secureboot.mok.key_path);
		check_action(r, "Compare modinfo -F sig_key %s with mokutil --list-enrolled; re-sign %s with the enrolled "
			     "key (or enroll its key with sudo mokutil --import, reboot, confirm in MokManager at the "
			     "console), then sudo modprobe %s", name, name, name);
	} else if (mok) {
		mok_evidence(&facts->secureboot.mok, r);
		check_set(r, status, code, "%s %s signed%s%s, but its key is not enrolled%s", name,
			  l ? "was refused although" : "is",
			  m && m->signer[0] ? " by " : "", m && m->signer[0] ? m->signer : "",
			  facts->secureboot.mok.state == FACTS_MOK_PENDING ? " (enrolment pending: MokManager step not done)"
									   : "");
		action_mok(facts, name, r);
	} else {
		check_set(r, status, code, "%s %s%s", name,
			  l ? "was refused by the kernel: " : "is built but unsigned, and this kernel refuses unsigned modules",
			  l ? (m && m->signer_err == 0 ? "it is unsigned" : "unsigned or untrusted") : "");
		action_unsigned(facts, name, r);
	}
	state_evidence(facts, r);
}

/* Built but not loaded, with Secure Boot enforcing: the next modprobe will be refused. */
static const struct facts_sb_module *will_be_refused(const struct facts *facts)
{
	const struct facts_secureboot *sb = &facts->secureboot;
	if (!facts_secureboot_enforcing(facts))
		return NULL;
	for (size_t i = 0; i < sb->n_modules; i++) {
		const struct facts_sb_module *m = &sb->modules[i];
		if (!m->ko_present || m->loaded || m->signer_err != 0)
			continue;
		if (!m->signer[0] || sb->mok.state == FACTS_MOK_NOT_ENROLLED || sb->mok.state == FACTS_MOK_PENDING)
			return m;
	}
	return NULL;
}

static void modules_healthy(const struct facts *facts, struct check_result *r)
{
	const struct facts_secureboot *sb = &facts->secureboot;
	char list[160] = "";
	for (size_t i = 0; i < sb->n_modules; i++) {
		const struct facts_sb_module *m = &sb->modules[i];
		if (!m->ko_present && !m->loaded)
			continue;
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s %s", list[0] ? ", " : "", m->name,
			 m->loaded ? "loaded" : "built");
		check_evidence(r, m->loaded ? "/proc/modules" : m->ko_path, "%s %s", m->name,
			       m->loaded ? "is loaded" : "is built, not loaded");
		signer_evidence(m, r);
	}
	for (size_t i = 0; i < sb->n_lines; i++)
		if (sb->lines[i].kind == FACTS_SB_LINE_TAINT)
			line_evidence(&sb->lines[i], r);   /* shown, but only a note (C.1 step 8.4) */
	check_set(r, CHECK_PASS, NULL, "No module signature refusal (%s; Secure Boot %s)", list,
		  mode_names[sb->mode]);
}

void check_secureboot_modules(const struct facts *facts, struct check_result *r)
{
	const struct facts_secureboot *sb = &facts->secureboot;
	const struct facts_sb_module *m;
	char name[FACTS_SB_NAME];
	const struct facts_sb_line *l = find_refusal(facts, &m, name, sizeof name);
	if (l) {
		report_refusal(facts, m, name, l, CHECK_FAIL, r);
		return;
	}
	bool any = false;
	for (size_t i = 0; i < sb->n_modules; i++)
		any |= sb->modules[i].ko_present || sb->modules[i].loaded;
	if (!any) {
		check_set(r, CHECK_SKIP, NULL, "No out-of-tree VMware/VirtualBox module (vboxdrv, vmmon, vmnet) for this "
			  "kernel and no module signature refusal in the kernel log");
		return;
	}
	m = will_be_refused(facts);
	if (m) {
		/* Lockdown or sig_enforce read from the kernel itself make the refusal certain; an unenrolled
		 * key may still be trusted through another certificate, so that stays a warning. */
		const struct facts_secureboot *s = &facts->secureboot;
		bool certain = !m->signer[0] && (s->sig_enforce || s->lockdown == FACTS_LOCKDOWN_INTEGRITY ||
						 s->lockdown == FACTS_LOCKDOWN_CONFIDENTIALITY);
		report_refusal(facts, m, m->name, NULL, certain ? CHECK_FAIL : CHECK_WARN, r);
		return;
	}
	modules_healthy(facts, r);
}

/* ---- dkms.headers ---- */

static bool out_of_tree_product(const struct facts *facts, char *what, size_t cap)
{
	const struct facts_dkms *dk = &facts->secureboot.dkms;
	snprintf(what, cap, "%s", dk->virtualbox ? "VirtualBox" : dk->vmware ? "VMware" : dk->modules.count ?
		 dk->modules.items[0] : "");
	return what[0] != '\0';
}

/* The package that holds the headers of `release`, by distribution (knowledge base DKMS-HEADERS-MISSING). */
static const struct {
	const char *distro;
	const char *before, *after;     /* the command around the kernel release */
} headers_table[] = {
	{ "debian", "sudo apt install linux-headers-", "" },
	{ "ubuntu", "sudo apt install linux-headers-", "" },
	{ "linuxmint", "sudo apt install linux-headers-", "" },
	{ "pop", "sudo apt install linux-headers-", "" },
	{ "fedora", "sudo dnf install \"kernel-devel-uname-r == ", "\"" },
	{ "rhel", "sudo dnf install \"kernel-devel-uname-r == ", "\"" },
	{ "centos", "sudo dnf install \"kernel-devel-uname-r == ", "\"" },
	{ "rocky", "sudo dnf install \"kernel-devel-uname-r == ", "\"" },
	{ "almalinux", "sudo dnf install \"kernel-devel-uname-r == ", "\"" },
	{ "opensuse-leap", "sudo zypper install kernel-default-devel (for ", ")" },
	{ "opensuse-tumbleweed", "sudo zypper install kernel-default-devel (for ", ")" },
	{ "arch", "sudo pacman -S linux-headers (matching ", ")" },
};

static void headers_install(const struct facts *facts, char *buf, size_t cap)
{
	const char *rel = facts->kernel.release;
	const char *distro = facts->secureboot.dkms.distro;
	if (strstr(rel, "-pve")) {
		snprintf(buf, cap, "sudo apt install proxmox-headers-%s", rel);
		return;
	}
	for (size_t i = 0; i < sizeof headers_table / sizeof headers_table[0]; i++)
		if (strcmp(distro, headers_table[i].distro) == 0) {
			snprintf(buf, cap, "%s%s%s", headers_table[i].before, rel, headers_table[i].after);
			return;
		}
	/* Unknown distribution: Debian-style kernel releases still say which package it is. */
	if (strstr(rel, "-generic") || strstr(rel, "-amd64") || strstr(rel, "-lowlatency"))
		snprintf(buf, cap, "sudo apt install linux-headers-%s", rel);
	else
		snprintf(buf, cap, "install the headers package of kernel %.100s (linux-headers or kernel-devel)", rel);
}

static bool newer_kernel(const struct facts *facts)
{
	const struct facts_dkms *dk = &facts->secureboot.dkms;
	return dk->newest[0] && facts_dkms_kernel_cmp(dk->newest, facts->kernel.release) > 0;
}

static void dkms_logline_evidence(const struct facts_dkms_logline *l, struct check_result *r)
{
	if (!l->found)
		return;
	char src[160];
	snprintf(src, sizeof src, "%s:%u", l->file, l->line);
	check_evidence(r, src, "%s", l->text);
}

void check_dkms_headers(const struct facts *facts, struct check_result *r)
{
	const struct facts_dkms *dk = &facts->secureboot.dkms;
	char what[FACTS_SB_NAME];
	if (!out_of_tree_product(facts, what, sizeof what)) {
		check_set(r, CHECK_SKIP, NULL, "No out-of-tree kernel modules are used (no VMware, VirtualBox or DKMS "
			  "module)");
		return;
	}
	if (facts->kernel.err) {
		check_set(r, CHECK_UNKNOWN, NULL, "Running kernel unknown: %s", facts->kernel.why);
		return;
	}
	const char *rel = facts->kernel.release;
	if (dk->kernels_err == -ENOENT && !dk->running_dir) {
		check_set(r, CHECK_SKIP, NULL, "/lib/modules is not in this snapshot: kernel headers not collected");
		return;
	}
	char build[256];
	snprintf(build, sizeof build, "/lib/modules/%s/build", rel);
	if (dk->running_headers) {
		check_evidence(r, build, "Makefile present");
		check_set(r, CHECK_PASS, NULL, "Kernel headers for %s are installed (needed by %s)", rel, what);
		return;
	}
	check_evidence(r, build, "%s", dk->build_link_dangles ? "dangling symbolic link: the headers package was removed"
				       : dk->build_present ? "has no Makefile: the headers are incomplete"
							   : "does not exist");
	dkms_logline_evidence(&dk->headers_line, r);
	bool newer = newer_kernel(facts);
	char install[320];
	headers_install(facts, install, sizeof install);
	if (newer) {
		char src[200];
		snprintf(src, sizeof src, "/lib/modules/%s", dk->newest);
		check_evidence(r, src, "newer kernel installed%s", dk->newest_headers ? ", with headers" : "");
	}
	if (newer && dk->newest_headers) {
		check_set(r, CHECK_FAIL, "DKMS-HEADERS-MISSING", "No kernel headers for the running kernel %s, but the "
			  "newer kernel %s is installed with its headers: a reboot is pending", rel, dk->newest);
		check_action(r, "Reboot into the newest kernel %s (its headers are installed), or: %s", dk->newest,
			     install);
		return;
	}
	check_set(r, CHECK_FAIL, "DKMS-HEADERS-MISSING", "No kernel headers for the running kernel %s: %s modules "
		  "cannot be built%s", rel, what, newer ? " (a newer kernel is installed: a reboot is pending)" : "");
	check_action(r, "%s, then sudo dkms autoinstall%s", install,
		     newer ? " (if the package is gone, reboot into the newest kernel first)" : "");
}

/* ---- dkms.build ---- */

static bool installed_for(const struct facts_dkms *dk, const char *module, const char *release)
{
	for (size_t i = 0; i < dk->count; i++)
		if (strcmp(dk->entries[i].module, module) == 0 && strcmp(dk->entries[i].kernel, release) == 0 &&
		    strncmp(dk->entries[i].state, "installed", 9) == 0)
			return true;
	return false;
}

static const struct facts_dkms_build *build_of(const struct facts_dkms *dk, const char *module)
{
	for (size_t i = 0; i < dk->n_builds; i++)
		if (strcmp(dk->builds[i].module, module) == 0)
			return &dk->builds[i];
	return NULL;
}

static void status_evidence(const struct facts_dkms *dk, const char *module, struct check_result *r)
{
	for (size_t i = 0; i < dk->count; i++) {
		const struct facts_dkms_entry *e = &dk->entries[i];
		if (strcmp(e->module, module) != 0)
			continue;
		char src[64];
		snprintf(src, sizeof src, "commands/dkms-status.txt:%u", e->line);
		check_evidence(r, src, "%s/%s%s%s: %s", e->module, e->version, e->kernel[0] ? ", " : "", e->kernel,
			       e->state);
	}
}

/* "/var/lib/dkms/.../memobj-r0drv-linux.c:1161:22: error: ..." without the directories, for a one-line summary. */
static const char *short_error(const char *text)
{
	const char *err = strstr(text, ": error:");
	const char *base = text;
	for (const char *p = text; *p && (!err || p < err); p++)
		if (*p == '/')
			base = p + 1;
	return base;
}

static void report_build_failure(const struct facts *facts, const char *module, struct check_result *r)
{
	const struct facts_dkms *dk = &facts->secureboot.dkms;
	const struct facts_dkms_build *b = build_of(dk, module);
	status_evidence(dk, module, r);
	dkms_logline_evidence(&dk->build_line, r);
	const char *version = b ? b->version : "<version>";
	for (size_t i = 0; b && i < b->n_errors; i++) {
		char src[300];
		snprintf(src, sizeof src, "%s:%u", b->log_path, b->error_line[i]);
		check_evidence(r, src, "%s", b->error_text[i]);
	}
	if (b || dk->build_line.found) {
		const char *cause = b ? short_error(b->error_text[0]) : "";
		check_set(r, CHECK_FAIL, "DKMS-BUILD-FAILED", "DKMS module %s%s%s does not compile for %s%s%s", module,
			  b ? "/" : "", b ? b->version : "", facts->kernel.release, cause[0] ? ": " : "", cause);
		check_action(r, "Read %s; upgrade %s to a release that supports %s (or install the compiler named in "
			     "/proc/version), then sudo dkms install -m %s -v %s -k %s",
			     b ? b->log_path : "/var/lib/dkms/<module>/<version>/build/make.log", module,
			     facts->kernel.release, module, version, facts->kernel.release);
		return;
	}
	check_set(r, CHECK_WARN, "DKMS-BUILD-FAILED", "DKMS module %s is not built for the running kernel %s (no "
		  "build log)", module, facts->kernel.release);
	check_action(r, "Run sudo dkms autoinstall (or sudo dkms install -m %s -v %s -k %s) and read its output", module,
		     version, facts->kernel.release);
}

void check_dkms_build(const struct facts *facts, struct check_result *r)
{
	const struct facts_dkms *dk = &facts->secureboot.dkms;
	if (dk->modules.count == 0) {
		check_set(r, CHECK_SKIP, NULL, "No DKMS modules in /var/lib/dkms");
		return;
	}
	if (facts->kernel.err) {
		check_set(r, CHECK_UNKNOWN, NULL, "Running kernel unknown: %s", facts->kernel.why);
		return;
	}
	if (!dk->running_headers) {
		/* C.1 step 9: without headers nothing can build; dkms.headers names that cause. */
		check_set(r, CHECK_SKIP, NULL, "DKMS cannot build without the kernel headers (see dkms.headers)");
		return;
	}
	if (dk->status_err) {
		if (dk->n_builds) {
			report_build_failure(facts, dk->builds[0].module, r);
			return;
		}
		check_set(r, CHECK_UNKNOWN, NULL, "dkms status could not be read (%s)",
			  dk->status_err == -ENODATA ? "not collected in this snapshot" : strerror(-dk->status_err));
		return;
	}
	const char *rel = facts->kernel.release;
	for (size_t i = 0; i < dk->modules.count; i++) {
		const char *module = dk->modules.items[i];
		if (!installed_for(dk, module, rel)) {
			report_build_failure(facts, module, r);
			return;
		}
	}
	for (size_t i = 0; i < dk->modules.count; i++)
		status_evidence(dk, dk->modules.items[i], r);
	check_set(r, CHECK_PASS, NULL, "Every DKMS module is installed for %s", rel);
}
