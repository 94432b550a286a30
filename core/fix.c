/* SPDX-License-Identifier: MIT */
/* The fix table: each fix builds an explicit plan of file, command and manual steps, each with its undo. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "vmdoctor/fix.h"
#include "vmdoctor/xalloc.h"

#define FILE_LIMIT (256 * 1024)

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

static void step_command(struct fix_plan *plan, const char *what, const char *const *argv,
			 const char *const *undo_argv, const char *undo)
{
	struct fix_step *s = step_new(plan, FIX_STEP_COMMAND, what);
	if (!s)
		return;
	argv_copy(s->argv, argv);
	argv_copy(s->undo_argv, undo_argv);
	s->undo = xstrdup(undo ? undo : "nothing to undo");
}

static void step_manual(struct fix_plan *plan, const char *what, const char *text)
{
	struct fix_step *s = step_new(plan, FIX_STEP_MANUAL, what);
	if (!s)
		return;
	s->text = xstrdup(text);
	s->undo = xstrdup("undo it the same way by hand if needed");
}

/* A file step: the current content is read through the host layer so the diff shows this machine's file. */
static void step_file(struct fix_plan *plan, struct host *host, const char *path, char *new_content,
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

static char *read_text(struct host *host, const char *path)
{
	struct host_buf buf = { 0 };
	if (host_read_file(host, path, FILE_LIMIT, &buf) < 0)
		return NULL;
	return buf.data;
}

/* `text` without line number `lineno` (1-based). */
static char *drop_line(const char *text, unsigned lineno)
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

static const char *kvm_module(const struct facts *f)
{
	return f->cpu.vendor == FACTS_VENDOR_AMD ? "kvm_amd" : "kvm_intel";
}

static const char *user_name(const struct facts *f)
{
	const char *sudo = getenv("SUDO_USER");
	if (f->user.user.name[0] && strcmp(f->user.user.name, "root") != 0)
		return f->user.user.name;
	return sudo && *sudo ? sudo : f->user.user.name;
}

static bool mentions_kvm_block(const char *line)
{
	return (strncmp(line, "blacklist kvm", 13) == 0) ||
	       (strncmp(line, "install kvm", 11) == 0 && strstr(line, "/bin/false"));
}

static int build_kvm_load(const struct facts *f, struct host *host, struct fix_plan *plan, char *why, size_t n)
{
	(void)why;
	(void)n;
	/* Remove blocking lines from the bottom of each file up, so earlier line numbers stay right. */
	for (size_t i = f->modprobe.count; i-- > 0;) {
		const struct facts_modprobe_line *l = &f->modprobe.lines[i];
		if (!mentions_kvm_block(l->text))
			continue;
		char *old = read_text(host, l->file);
		if (!old)
			continue;
		char *what = xasprintf("remove line %u of %s: %s", l->line, l->file, l->text);
		step_file(plan, host, l->file, drop_line(old, l->line), what);
		free(what);
		free(old);
	}
	const char *mod = kvm_module(f);
	const char *argv[] = { "/sbin/modprobe", mod, NULL };
	const char *undo[] = { "/sbin/modprobe", "-r", mod, NULL };
	char *what = xasprintf("load %s (creates /dev/kvm)", mod);
	char *u = xasprintf("modprobe -r %s", mod);
	step_command(plan, what, argv, undo, u);
	free(what);
	free(u);
	return 0;
}

static int build_group(const struct facts *f, const char *group, struct fix_plan *plan, char *why, size_t n)
{
	const char *user = user_name(f);
	if (!user[0] || strcmp(user, "root") == 0) {
		snprintf(why, n, "cannot tell which user to add to '%s' (run it through sudo from your account)", group);
		return -1;
	}
	const char *argv[] = { "/usr/sbin/usermod", "-aG", group, user, NULL };
	const char *undo[] = { "/usr/bin/gpasswd", "-d", user, group, NULL };
	char *what = xasprintf("add %s to the group %s", user, group);
	char *u = xasprintf("gpasswd -d %s %s", user, group);
	step_command(plan, what, argv, undo, u);
	step_manual(plan, "start a new login session",
		    "Log out and back in (or reboot) so the new group applies; `newgrp` only helps one shell.");
	free(what);
	free(u);
	return 0;
}

static int build_kvm_group(const struct facts *f, struct host *h, struct fix_plan *p, char *why, size_t n)
{
	(void)h;
	return build_group(f, "kvm", p, why, n);
}

static int build_libvirt_group(const struct facts *f, struct host *h, struct fix_plan *p, char *why, size_t n)
{
	(void)h;
	return build_group(f, "libvirt", p, why, n);
}

static int build_vbox_group(const struct facts *f, struct host *h, struct fix_plan *p, char *why, size_t n)
{
	(void)h;
	return build_group(f, "vboxusers", p, why, n);
}

static int build_udev_rule(const struct facts *f, struct host *host, struct fix_plan *plan, char *why, size_t n)
{
	(void)f;
	(void)why;
	(void)n;
	step_file(plan, host, "/etc/udev/rules.d/65-vmdoctor-kvm.rules",
		  xstrdup("# Written by vmdoctor: /dev/kvm for the kvm group\n"
			  "KERNEL==\"kvm\", GROUP=\"kvm\", MODE=\"0660\"\n"),
		  "add a udev rule giving /dev/kvm to the kvm group, mode 0660");
	const char *argv[] = { "/usr/bin/udevadm", "trigger", "--name-match=kvm", NULL };
	step_command(plan, "apply the rule to /dev/kvm now", argv, NULL,
		     "nothing (the rule's removal applies at the next trigger or boot)");
	return 0;
}

/* A modprobe.d file plus a module reload, for settings read at module load. */
static void modprobe_conf(struct fix_plan *plan, struct host *host, const char *path, const char *line,
			  const char *mod, const char *what)
{
	step_file(plan, host, path, xasprintf("# Written by vmdoctor\n%s\n", line), what);
	const char *unload[] = { "/sbin/modprobe", "-r", mod, NULL };
	const char *load[] = { "/sbin/modprobe", mod, NULL };
	char *w1 = xasprintf("unload %s (stop running VMs first)", mod);
	char *w2 = xasprintf("load %s with the new option", mod);
	step_command(plan, w1, unload, load, "load the module again");
	step_command(plan, w2, load, NULL, "nothing (the file's removal applies at the next load)");
	free(w1);
	free(w2);
}

static int build_nested(const struct facts *f, struct host *host, struct fix_plan *plan, char *why, size_t n)
{
	(void)why;
	(void)n;
	const char *mod = kvm_module(f);
	char *line = xasprintf("options %s nested=1", mod);
	modprobe_conf(plan, host, "/etc/modprobe.d/kvm-nested.conf", line, mod, "enable nested virtualization");
	free(line);
	return 0;
}

static int build_vbox_coexist(const struct facts *f, struct host *host, struct fix_plan *plan, char *why,
			      size_t n)
{
	(void)why;
	(void)n;
	modprobe_conf(plan, host, "/etc/modprobe.d/kvm-vbox-coexist.conf", "options kvm enable_virt_at_load=0",
		      kvm_module(f), "let KVM leave VT-x/AMD-V off until a KVM guest starts (VirtualBox can use it)");
	return 0;
}

static int build_libvirtd(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	(void)h;
	(void)why;
	(void)n;
	const char *unit = f->libvirt.sock_virtqemud ? "virtqemud.socket" : "libvirtd.service";
	const char *argv[] = { "/usr/bin/systemctl", "start", unit, NULL };
	const char *undo[] = { "/usr/bin/systemctl", "stop", unit, NULL };
	char *what = xasprintf("start %s", unit);
	char *u = xasprintf("systemctl stop %s", unit);
	step_command(plan, what, argv, undo, u);
	free(what);
	free(u);
	return 0;
}

static const char *libvirt_uri(const struct facts *f)
{
	return f->libvirt.uri[0] ? f->libvirt.uri : "qemu:///system";
}

static int build_net_start(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	(void)h;
	(void)why;
	(void)n;
	const char *uri = libvirt_uri(f);
	const char *start[] = { "/usr/bin/virsh", "-c", uri, "net-start", "default", NULL };
	const char *stop[] = { "/usr/bin/virsh", "-c", uri, "net-destroy", "default", NULL };
	const char *autos[] = { "/usr/bin/virsh", "-c", uri, "net-autostart", "default", NULL };
	const char *noauto[] = { "/usr/bin/virsh", "-c", uri, "net-autostart", "--disable", "default", NULL };
	step_command(plan, "start the libvirt network 'default'", start, stop, "virsh net-destroy default");
	step_command(plan, "start 'default' at every boot", autos, noauto, "virsh net-autostart --disable default");
	return 0;
}

/* "debian" or "fedora" family from /etc/os-release; NULL when neither. */
static const char *os_family(struct host *host)
{
	char *t = read_text(host, "/etc/os-release");
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

static int install_package(struct host *host, struct fix_plan *plan, const char *deb, const char *rpm,
			   char *why, size_t n)
{
	const char *fam = os_family(host);
	if (!fam) {
		snprintf(why, n, "unknown distribution in /etc/os-release: install the package by hand");
		return -1;
	}
	bool d = strcmp(fam, "debian") == 0;
	const char *tool = d ? "/usr/bin/apt-get" : "/usr/bin/dnf";
	const char *pkg = d ? deb : rpm;
	const char *argv[] = { tool, "install", "-y", pkg, NULL };
	const char *undo[] = { tool, "remove", "-y", pkg, NULL };
	char *what = xasprintf("install %s", pkg);
	char *u = xasprintf("%s remove -y %s", tool, pkg);
	step_command(plan, what, argv, undo, u);
	free(what);
	free(u);
	return 0;
}

static int build_firewall(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	bool ipt = strcmp(f->libvirt.firewall_backend, "iptables") == 0;
	return install_package(h, plan, ipt ? "iptables" : "nftables", ipt ? "iptables-nft" : "nftables", why, n);
}

static int build_headers(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	if (!f->kernel.release[0]) {
		snprintf(why, n, "the running kernel's release is unknown");
		return -1;
	}
	char *deb = xasprintf("linux-headers-%s", f->kernel.release);
	char *rpm = xasprintf("kernel-devel-%s", f->kernel.release);
	int rc = install_package(h, plan, deb, rpm, why, n);
	free(deb);
	free(rpm);
	return rc;
}

static int build_vmware(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	(void)f;
	(void)h;
	(void)why;
	(void)n;
	const char *build[] = { "/usr/bin/vmware-modconfig", "--console", "--install-all", NULL };
	const char *depmod[] = { "/sbin/depmod", "-a", NULL };
	step_command(plan, "rebuild and load vmmon and vmnet for the running kernel", build, NULL,
		     "nothing (rebuilding again gives the same modules)");
	step_command(plan, "refresh the module index", depmod, NULL, "nothing");
	return 0;
}

static int build_vboxconfig(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	(void)f;
	(void)h;
	(void)why;
	(void)n;
	const char *argv[] = { "/sbin/vboxconfig", NULL };
	step_command(plan, "rebuild and load the VirtualBox kernel modules", argv, NULL,
		     "nothing (rebuilding again gives the same modules)");
	return 0;
}

static int load_module(struct fix_plan *plan, const char *mod)
{
	const char *argv[] = { "/sbin/modprobe", mod, NULL };
	const char *undo[] = { "/sbin/modprobe", "-r", mod, NULL };
	char *what = xasprintf("load %s", mod);
	char *u = xasprintf("modprobe -r %s", mod);
	step_command(plan, what, argv, undo, u);
	free(what);
	free(u);
	return 0;
}

static int build_tun(const struct facts *f, struct host *h, struct fix_plan *p, char *why, size_t n)
{
	(void)f, (void)h, (void)why, (void)n;
	return load_module(p, "tun");
}

static int build_vhost(const struct facts *f, struct host *h, struct fix_plan *p, char *why, size_t n)
{
	(void)f, (void)h, (void)why, (void)n;
	return load_module(p, "vhost_net");
}

static const struct {
	const char *vendor;     /* prefix of DMI sys_vendor, case-insensitive */
	const char *intel;
	const char *amd;
} bios_paths[] = {
	{ "LENOVO", "F1 (ThinkPad/ThinkCentre) or F2 (IdeaPad) > Security > Virtualization > Intel Virtualization Technology: Enabled",
	  "F1 or F2 > Configuration > AMD V(TM) Technology / SVM: Enabled" },
	{ "Dell", "F2 > Virtualization Support > Virtualization > Enable Intel Virtualization Technology",
	  "F2 > Virtualization Support > Virtualization > Enable AMD-V" },
	{ "HP", "F10 > Advanced (or Security > System Security) > Virtualization Technology (VTx): Enable",
	  "F10 > Advanced > System Options > Virtualization Technology (SVM): Enable" },
	{ "Hewlett", "F10 > Advanced (or Security > System Security) > Virtualization Technology (VTx): Enable",
	  "F10 > Advanced > System Options > Virtualization Technology (SVM): Enable" },
	{ "ASUS", "Del or F2 > Advanced Mode (F7) > Advanced > CPU Configuration > Intel Virtualization Technology: Enabled",
	  "Del or F2 > Advanced Mode (F7) > Advanced > CPU Configuration > SVM Mode: Enabled" },
	{ "Micro-Star", "Del > OC (or Overclocking) > CPU Features > Intel Virtualization Tech: Enabled",
	  "Del > OC > Advanced CPU Configuration > SVM Mode: Enabled" },
	{ "MSI", "Del > OC (or Overclocking) > CPU Features > Intel Virtualization Tech: Enabled",
	  "Del > OC > Advanced CPU Configuration > SVM Mode: Enabled" },
	{ "Gigabyte", "Del > Tweaker (or BIOS Features) > Advanced CPU Settings > Intel Virtualization Technology: Enabled",
	  "Del > Tweaker > Advanced CPU Settings > SVM Mode: Enabled" },
	{ "Acer", "F2 > Main (or Advanced) > Intel Virtualization Technology: Enabled",
	  "F2 > Advanced > AMD-V / SVM: Enabled" },
};

const char *fix_bios_path(const char *sys_vendor, bool amd)
{
	for (size_t i = 0; sys_vendor && i < sizeof bios_paths / sizeof bios_paths[0]; i++)
		if (strncasecmp(sys_vendor, bios_paths[i].vendor, strlen(bios_paths[i].vendor)) == 0)
			return amd ? bios_paths[i].amd : bios_paths[i].intel;
	return amd ? "Firmware setup (Del, F2, F10 or F1 at power-on) > CPU or Advanced settings > SVM Mode: Enabled"
		   : "Firmware setup (Del, F2, F10 or F1 at power-on) > CPU or Advanced settings > Intel Virtualization Technology (VT-x): Enabled";
}

static int build_firmware(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	(void)h, (void)why, (void)n;
	bool amd = f->cpu.vendor == FACTS_VENDOR_AMD;
	const char *vendor = f->dmi.sys_vendor[0] ? f->dmi.sys_vendor : "unknown vendor";
	char *text = xasprintf("On this %s machine, enter the firmware setup and set: %s. Save and exit.",
			       vendor, fix_bios_path(f->dmi.sys_vendor, amd));
	step_manual(plan, amd ? "enable AMD-V (SVM) in the firmware" : "enable VT-x in the firmware", text);
	free(text);
	step_manual(plan, "hard power-off",
		    "Shut down completely and power off (hold the power button or unplug), not a warm reboot: "
		    "the CPU locks the virtualization setting until a cold start.");
	return 0;
}

static int build_outer_nested(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	(void)h, (void)why, (void)n;
	const char *hv = f->cpu.has_hv_signature ? f->cpu.hv_signature : "unknown";
	char *text = xasprintf(
		"This machine is a guest (hypervisor '%s'). On the OUTER host, power the VM off and enable nested "
		"virtualization: KVM: `options kvm_intel nested=1` (or kvm_amd) and <cpu mode='host-passthrough'/>; "
		"VMware: 'Virtualize Intel VT-x/EPT or AMD-V/RVI' (vhv.enable = \"TRUE\"); VirtualBox: "
		"`VBoxManage modifyvm VM --nested-hw-virt on`; Hyper-V: "
		"`Set-VMProcessor -VMName VM -ExposeVirtualizationExtensions $true`.", hv);
	step_manual(plan, "enable nested virtualization on the outer host", text);
	free(text);
	return 0;
}

#define R CODE_NEEDS_ROOT
const struct fix_def fix_table[] = {
	{ "kvm-load-module", "Unblock and load kvm_intel/kvm_amd", { "KVM-DEVNODE-MISSING", "LIBVIRT-NO-KVM" }, R,
	  build_kvm_load },
	{ "kvm-add-group", "Add the user to the kvm group", { "KVM-DEVNODE-PERM" }, R | CODE_NEEDS_RELOGIN,
	  build_kvm_group },
	{ "kvm-udev-rule", "udev rule giving /dev/kvm to the kvm group", { "KVM-DEVNODE-PERM" }, R, build_udev_rule },
	{ "kvm-nested-enable", "Enable nested virtualization persistently", { "KVM-NESTED-OFF" }, R, build_nested },
	{ "vbox-kvm-coexist", "Let KVM and VirtualBox share VT-x (enable_virt_at_load=0)", { "VBOX-KVM-CONFLICT" },
	  R, build_vbox_coexist },
	{ "libvirt-add-group", "Add the user to the libvirt group", { "LIBVIRT-POLKIT-DENIED" },
	  R | CODE_NEEDS_RELOGIN, build_libvirt_group },
	{ "libvirt-start-daemon", "Start the libvirt daemon", { "LIBVIRT-DAEMON-DOWN" }, R, build_libvirtd },
	{ "libvirt-net-start", "Start and autostart the default network", { "LIBVIRT-NET-INACTIVE" }, R,
	  build_net_start },
	{ "libvirt-firewall-backend", "Install libvirt's firewall backend", { "LIBVIRT-NET-FIREWALL" }, R,
	  build_firewall },
	{ "vmware-rebuild-modules", "Rebuild vmmon and vmnet", { "VMW-VMMON-MISSING", "VMW-VERSION-MISMATCH",
	  "VMW-MODBUILD-FAIL" }, R, build_vmware },
	{ "vbox-vboxconfig", "Rebuild the VirtualBox modules (vboxconfig)", { "VBOX-DRV-NOT-LOADED",
	  "VBOX-SETUP-FAIL", "VBOX-VERSION-MISMATCH" }, R, build_vboxconfig },
	{ "vbox-add-group", "Add the user to the vboxusers group", { NULL }, R | CODE_NEEDS_RELOGIN,
	  build_vbox_group },
	{ "kernel-headers-install", "Install the running kernel's headers", { "DKMS-HEADERS-MISSING" }, R,
	  build_headers },
	{ "qemu-load-tun", "Load the tun module", { "QEMU-TUN-MISSING" }, R, build_tun },
	{ "qemu-load-vhost-net", "Load the vhost_net module", { "QEMU-VHOST-NET-MISSING" }, R, build_vhost },
	{ "firmware-enable-vt", "Enable VT-x / AMD-V in the firmware", { "CPU-VT-DISABLED", "CPU-SVM-DISABLED" },
	  CODE_NEEDS_FIRMWARE | CODE_NEEDS_REBOOT, build_firmware },
	{ "guest-enable-nested", "Enable nested virtualization on the outer host", { "GUEST-NO-NESTED" },
	  CODE_NEEDS_OUTER_HOST, build_outer_nested },
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
