/* SPDX-License-Identifier: MIT */
/* The fix table: each fix builds an explicit plan of file, command, libvirt and manual steps, each with its undo.
 * The steps and shared helpers are here; the plan builders live by family in core/fix_kvm.c, fix_libvirt.c and
 * fix_modules.c (declared in core/fix_private.h). */
#include "fix_private.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "vmdoctor/facts_secureboot.h"
#include "vmdoctor/facts_vbox.h"
#include "vmdoctor/virt.h"
#include "vmdoctor/xalloc.h"

static struct fix_step *step_new(struct fix_plan *plan, enum fix_step_kind kind, const char *what)
{
	if (plan->n_steps >= FIX_MAX_STEPS)
		return NULL;
	struct fix_step *s = &plan->steps[plan->n_steps++];
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->what = xstrdup(what);
	return s;
}

/* Copy a NULL-terminated list of words into a step's argv array. */
static void argv_copy(char **dst, const char *const *src)
{
	for (size_t i = 0; src && src[i] && i + 1 < FIX_MAX_ARGV; i++)
		dst[i] = xstrdup(src[i]);
}

void fix_step_command(struct fix_plan *plan, const char *what, const char *const *argv,
			     const char *const *undo_argv, const char *undo)
{
	struct fix_step *s = step_new(plan, FIX_STEP_COMMAND, what);
	if (!s)
		return;
	argv_copy(s->argv, argv);
	argv_copy(s->undo_argv, undo_argv);
	s->undo = xstrdup(undo ? undo : "nothing to undo");
}

void fix_step_manual(struct fix_plan *plan, const char *what, const char *text)
{
	struct fix_step *s = step_new(plan, FIX_STEP_MANUAL, what);
	if (!s)
		return;
	s->text = xstrdup(text);
	s->undo = xstrdup("undo it the same way by hand if needed");
}

/* A libvirt call on one network or storage pool; `undo` NONE when it cannot be taken back. */
void fix_step_libvirt(struct fix_plan *plan, const char *uri, const char *what, enum host_libvirt_action action,
			     enum host_libvirt_action undo, const char *name)
{
	struct fix_step *s = step_new(plan, FIX_STEP_LIBVIRT, what);
	if (!s)
		return;
	s->libvirt_uri = xstrdup(uri);
	s->libvirt_name = xstrdup(name);
	s->libvirt_action = action;
	s->libvirt_undo = undo;
	s->undo = undo == HOST_LIBVIRT_ACTION_NONE ? xstrdup("nothing to undo")
		  : xasprintf("libvirt %s %s (only when this step changed it)", host_libvirt_action_name(undo), name);
}

/* Move a file into the run's backups; undo moves it back. */
void fix_step_set_aside(struct fix_plan *plan, const char *path, const char *what)
{
	struct fix_step *s = step_new(plan, FIX_STEP_SET_ASIDE, what);
	if (!s)
		return;
	s->path = xstrdup(path);
	s->undo = xasprintf("move %s back from the run's backups", path);
}

/* A file step: the current content is read through the host layer so the diff shows this machine's file. */
void fix_step_file(struct fix_plan *plan, struct host *host, const char *path, char *new_content,
		          const char *what)
{
	struct fix_step *s = step_new(plan, FIX_STEP_FILE, what);
	if (!s) {
		free(new_content);
		return;
	}
	struct host_buf buf = { 0 };
	s->path = xstrdup(path);
	s->new_content = new_content;
	if (host_read_file(host, path, FILE_LIMIT, &buf) == 0) {
		s->old_content = buf.data;
		s->undo = xasprintf("restore the old %s from the run's backup", path);
	} else {
		s->undo = xasprintf("delete %s", path);
	}
}

char *fix_read_text(struct host *host, const char *path)
{
	struct host_buf buf = { 0 };
	if (host_read_file(host, path, FILE_LIMIT, &buf) < 0)
		return NULL;
	return buf.data;
}

/* `text` without line number `lineno` (1-based). */
char *fix_drop_line(const char *text, unsigned lineno)
{
	size_t len = strlen(text);
	char *out = xcalloc(len + 1, 1);
	unsigned n = 1;
	size_t o = 0;
	for (const char *p = text; *p;) {
		const char *eol = strchr(p, '\n');
		size_t l = eol ? (size_t)(eol - p) + 1 : strlen(p);
		if (n != lineno) {
			memcpy(out + o, p, l);
			o += l;
		}
		p += l;
		n++;
	}
	return out;
}

/* The KVM vendor module in use (kvm_pvm on some cloud guests), else the one for this CPU's vendor. */
const char *fix_kvm_module(const struct facts *f)
{
	const char *loaded = virt_kvm_vendor_module(f);
	if (loaded)
		return loaded;
	return f->cpu.vendor == FACTS_VENDOR_AMD ? "kvm_amd" : "kvm_intel";
}

const char *fix_user_name(const struct facts *f)
{
	const char *sudo = getenv("SUDO_USER");
	if (f->user.user.name[0] && strcmp(f->user.user.name, "root") != 0)
		return f->user.user.name;
	return sudo && *sudo ? sudo : f->user.user.name;
}

bool fix_module_loaded(const struct facts *f, const char *name)
{
	const struct facts_module *m = facts_module_find(f, name);
	return m && (m->in_proc_modules || m->in_sys_module);
}

const char *fix_libvirt_uri(const struct facts *f)
{
	return f->libvirt.uri[0] ? f->libvirt.uri : "qemu:///system";
}

const char *fix_os_family(struct host *host)
{
	char *t = fix_read_text(host, "/etc/os-release");
	const char *fam = NULL;
	if (t) {
		if (strstr(t, "debian") || strstr(t, "ubuntu"))
			fam = "debian";
		else if (strstr(t, "fedora") || strstr(t, "rhel") || strstr(t, "centos"))
			fam = "fedora";
		free(t);
	}
	return fam;
}

/* apt-get or dnf by /etc/os-release; `rpm_spec` (may be NULL) is what dnf installs when it differs from the
 * package name removed on undo ("kernel-devel-uname-r == 6.5.6-300.fc39.x86_64"). */
int fix_install_package(struct host *host, struct fix_plan *plan, const char *deb, const char *rpm,
			       const char *rpm_spec, char *why, size_t n)
{
	const char *fam = fix_os_family(host);
	if (!fam) {
		snprintf(why, n, "unknown distribution in /etc/os-release: install the package by hand");
		return -1;
	}
	bool d = strcmp(fam, "debian") == 0;
	const char *tool = d ? "/usr/bin/apt-get" : "/usr/bin/dnf";
	const char *pkg = d ? deb : rpm;
	const char *argv[] = { tool, "install", "-y", d || !rpm_spec ? pkg : rpm_spec, NULL };
	const char *undo[] = { tool, "remove", "-y", pkg, NULL };
	char *what = xasprintf("install %s", pkg);
	char *u = xasprintf("%s remove -y %s", tool, pkg);
	fix_step_command(plan, what, argv, undo, u);
	free(what);
	free(u);
	return 0;
}

bool fix_seen(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

#define R CODE_NEEDS_ROOT
const struct fix_def fix_table[] = {
	{ "kvm-load-module", "Unblock and load kvm_intel/kvm_amd", { "KVM-DEVNODE-MISSING" }, R, fix_build_kvm_load },
	{ "kvm-add-group", "Add the user to the kvm group", { "KVM-DEVNODE-PERM" }, R | CODE_NEEDS_RELOGIN,
	  fix_build_kvm_group },
	{ "kvm-udev-rule", "udev rule giving /dev/kvm to the kvm group", { "KVM-DEVNODE-PERM" }, R, fix_build_udev_rule },
	{ "kvm-nested-enable", "Enable nested virtualization persistently", { "KVM-NESTED-OFF" }, R, fix_build_nested },
	{ "vbox-kvm-coexist", "Let KVM and VirtualBox share VT-x (by kernel and VirtualBox version)", { "VBOX-KVM-CONFLICT" },
	  R, fix_build_vbox_coexist },
	{ "libvirt-add-group", "Add the user to the libvirt group", { "LIBVIRT-POLKIT-DENIED" },
	  R | CODE_NEEDS_RELOGIN, fix_build_libvirt_group },
	{ "libvirt-start-daemon", "Start the libvirt daemon", { "LIBVIRT-DAEMON-DOWN" }, R, fix_build_libvirtd },
	{ "libvirt-net-start", "Start and autostart the default network", { "LIBVIRT-NET-INACTIVE" }, R,
	  fix_build_net_start },
	{ "libvirt-storage-acl", "Let the qemu user reach the disk images (setfacl)", { "LIBVIRT-STORAGE-PERM" }, R,
	  fix_build_storage_perm },
	{ "libvirt-apparmor-local", "Allow the image folder in AppArmor's libvirt-qemu abstraction",
	  { "LIBVIRT-APPARMOR-DENIED" }, R, fix_build_apparmor },
	{ "libvirt-reprobe-kvm", "Make libvirt use KVM again (load KVM, restart libvirt, switch TCG guests)",
	  { "LIBVIRT-NO-KVM" }, R, fix_build_libvirt_kvm },
	{ "libvirt-pool-start", "Define, start and autostart the default storage pool", { "LIBVIRT-POOL-MISSING" }, R,
	  fix_build_pool },
	{ "libvirt-firewall-backend", "Install libvirt's firewall backend", { "LIBVIRT-NET-FIREWALL" }, R,
	  fix_build_firewall },
	{ "vmware-rebuild-modules", "Rebuild vmmon and vmnet", { "VMW-VMMON-MISSING", "VMW-VERSION-MISMATCH",
	  "VMW-MODBUILD-FAIL" }, R, fix_build_vmware },
	{ "vbox-vboxconfig", "Rebuild the VirtualBox modules (vboxconfig)", { "VBOX-DRV-NOT-LOADED",
	  "VBOX-SETUP-FAIL", "VBOX-VERSION-MISMATCH" }, R, fix_build_vboxconfig },
	{ "vbox-add-group", "Add the user to the vboxusers group", { NULL }, R | CODE_NEEDS_RELOGIN,
	  fix_build_vbox_group },
	{ "kernel-headers-install", "Install the running kernel's headers", { "DKMS-HEADERS-MISSING" }, R,
	  fix_build_headers },
	{ "qemu-load-tun", "Load the tun module", { "QEMU-TUN-MISSING" }, R, fix_build_tun },
	{ "qemu-load-vhost-net", "Load the vhost_net module", { "QEMU-VHOST-NET-MISSING" }, R, fix_build_vhost },
	{ "sb-sign-modules", "Sign the VirtualBox/VMware modules with a MOK and queue its enrollment",
	  { "SB-UNSIGNED-MODULE", "VBOX-SECUREBOOT", "VMW-SECUREBOOT" },
	  R | CODE_NEEDS_REBOOT | CODE_NEEDS_CONSOLE, fix_build_sb_sign },
	{ "sb-enroll-mok", "Enroll the module signing key (MokManager at the next boot)", { "SB-MOK-NOT-ENROLLED" },
	  R | CODE_NEEDS_REBOOT | CODE_NEEDS_CONSOLE, fix_build_sb_enroll },
	{ "firmware-enable-vt", "Enable VT-x / AMD-V in the firmware", { "CPU-VT-DISABLED", "CPU-SVM-DISABLED" },
	  CODE_NEEDS_FIRMWARE | CODE_NEEDS_REBOOT, fix_build_firmware },
	{ "guest-enable-nested", "Enable nested virtualization on the outer host", { "GUEST-NO-NESTED" },
	  CODE_NEEDS_OUTER_HOST, fix_build_outer_nested },
};
#undef R
const size_t fix_table_count = sizeof fix_table / sizeof fix_table[0];

const struct fix_def *fix_find(const char *id)
{
	for (size_t i = 0; i < fix_table_count; i++)
		if (strcmp(fix_table[i].id, id) == 0)
			return &fix_table[i];
	return NULL;
}

const struct fix_def *fix_for_code(const char *code)
{
	for (size_t i = 0; i < fix_table_count; i++)
		for (size_t c = 0; c < FIX_MAX_CODES && fix_table[i].codes[c]; c++)
			if (strcasecmp(fix_table[i].codes[c], code) == 0)
				return &fix_table[i];
	return NULL;
}

int fix_plan_build(const struct fix_def *fix, const struct facts *facts, struct host *host,
		   struct fix_plan *plan, char *why, size_t why_len)
{
	memset(plan, 0, sizeof *plan);
	plan->fix = fix;
	plan->needs = fix->needs;
	if (fix->build(facts, host, plan, why, why_len) < 0) {
		fix_plan_free(plan);
		return -1;
	}
	return 0;
}

void fix_plan_free(struct fix_plan *plan)
{
	for (size_t i = 0; i < plan->n_steps; i++) {
		struct fix_step *s = &plan->steps[i];
		free(s->what);
		free(s->path);
		free(s->old_content);
		free(s->new_content);
		free(s->text);
		free(s->undo);
		free(s->libvirt_uri);
		free(s->libvirt_name);
		for (size_t a = 0; a < FIX_MAX_ARGV; a++) {
			free(s->argv[a]);
			free(s->undo_argv[a]);
		}
	}
	memset(plan, 0, sizeof *plan);
}

bool fix_is_root(void)
{
	const char *fake = getenv("VMDOCTOR_FAKE_EUID");
	if (fake && *fake)
		return atoi(fake) == 0;
	return geteuid() == 0;
}
