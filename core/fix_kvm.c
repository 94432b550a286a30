/* SPDX-License-Identifier: MIT */
/* Plan builders for KVM itself: loading the module, /dev/kvm groups and udev, nested virtualization, VirtualBox
 * coexistence, tun/vhost-net, and the firmware and outer-host steps a person does by hand. */
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

static bool mentions_kvm_block(const char *line)
{
	return (strncmp(line, "blacklist kvm", 13) == 0) ||
	       (strncmp(line, "install kvm", 11) == 0 && strstr(line, "/bin/false"));
}

/* A file step per modprobe.d line (facts: lines that mention kvm) matching `match`, bottom up so that
 * earlier line numbers of the same file stay right. */
static void drop_modprobe_lines(const struct facts *f, struct host *host, struct fix_plan *plan,
				bool (*match)(const char *line))
{
	for (size_t i = f->modprobe.count; i-- > 0;) {
		const struct facts_modprobe_line *l = &f->modprobe.lines[i];
		if (!match(l->text))
			continue;
		char *old = fix_read_text(host, l->file);
		if (!old)
			continue;
		char *what = xasprintf("remove line %u of %s: %s", l->line, l->file, l->text);
		fix_step_file(plan, host, l->file, fix_drop_line(old, l->line), what);
		free(what);
		free(old);
	}
}

/* `modprobe mod`, undone by `modprobe -r mod`; `note` follows "load mod" in the step's line. */
static void load_module(struct fix_plan *plan, const char *mod, const char *note)
{
	const char *argv[] = { "/sbin/modprobe", mod, NULL };
	const char *undo[] = { "/sbin/modprobe", "-r", mod, NULL };
	char *what = xasprintf("load %s%s", mod, note);
	char *u = xasprintf("modprobe -r %s", mod);
	fix_step_command(plan, what, argv, undo, u);
	free(what);
	free(u);
}

/* Blocking modprobe.d lines out, then the vendor module in unless it is loaded (undo unloads only what
 * the run loaded). */
void fix_kvm_load_steps(const struct facts *f, struct host *host, struct fix_plan *plan)
{
	drop_modprobe_lines(f, host, plan, mentions_kvm_block);
	const char *mod = fix_kvm_module(f);
	if (!fix_module_loaded(f, mod))
		load_module(plan, mod, " (creates /dev/kvm)");
}

int fix_build_kvm_load(const struct facts *f, struct host *host, struct fix_plan *plan, char *why, size_t n)
{
	fix_kvm_load_steps(f, host, plan);
	if (plan->n_steps == 0) {
		snprintf(why, n, "%s is loaded already and nothing blocks it: KVM's own message in the kernel log says "
			 "why /dev/kvm is missing", fix_kvm_module(f));
		return -1;
	}
	return 0;
}

static int build_group(const struct facts *f, const char *group, struct fix_plan *plan, char *why, size_t n)
{
	const char *user = fix_user_name(f);
	if (!user[0] || strcmp(user, "root") == 0) {
		snprintf(why, n, "cannot tell which user to add to '%s' (run it through sudo from your account)", group);
		return -1;
	}
	const char *argv[] = { "/usr/sbin/usermod", "-aG", group, user, NULL };
	const char *undo[] = { "/usr/bin/gpasswd", "-d", user, group, NULL };
	char *what = xasprintf("add %s to the group %s", user, group);
	char *u = xasprintf("gpasswd -d %s %s", user, group);
	fix_step_command(plan, what, argv, undo, u);
	fix_step_manual(plan, "start a new login session",
		    "Log out and back in (or reboot) so the new group applies; `newgrp` only helps one shell.");
	free(what);
	free(u);
	return 0;
}

int fix_build_kvm_group(const struct facts *f, struct host *h, struct fix_plan *p, char *why, size_t n)
{
	(void)h;
	return build_group(f, "kvm", p, why, n);
}

/* The group libvirt's polkit rule allows: "libvirt", "libvirtd" on older Debian. */
int fix_build_libvirt_group(const struct facts *f, struct host *h, struct fix_plan *p, char *why, size_t n)
{
	char *groups = fix_read_text(h, "/etc/group");
	bool old = groups && !strstr(groups, "\nlibvirt:") && strncmp(groups, "libvirt:", 8) != 0 &&
		   (strstr(groups, "\nlibvirtd:") || strncmp(groups, "libvirtd:", 9) == 0);
	free(groups);
	return build_group(f, old ? "libvirtd" : "libvirt", p, why, n);
}

int fix_build_vbox_group(const struct facts *f, struct host *h, struct fix_plan *p, char *why, size_t n)
{
	(void)h;
	return build_group(f, "vboxusers", p, why, n);
}

#define UDEV_KVM_RULE "KERNEL==\"kvm\", GROUP=\"kvm\", MODE=\"0660\""

/* The knowledge base's local override, appended to 65-kvm.rules (kept when it has other rules). */
int fix_build_udev_rule(const struct facts *f, struct host *host, struct fix_plan *plan, char *why, size_t n)
{
	(void)f;
	const char *path = "/etc/udev/rules.d/65-kvm.rules";
	char *old = fix_read_text(host, path);
	if (old && strstr(old, UDEV_KVM_RULE)) {
		snprintf(why, n, "%s already has the rule; run: sudo udevadm trigger --name-match=kvm", path);
		free(old);
		return -1;
	}
	size_t len = old ? strlen(old) : 0;
	fix_step_file(plan, host, path,
		  xasprintf("%s%s# Added by vmdoctor: /dev/kvm for the kvm group\n" UDEV_KVM_RULE "\n", old ? old : "",
			    len && old[len - 1] != '\n' ? "\n" : ""),
		  "add a udev rule giving /dev/kvm to the kvm group, mode 0660");
	free(old);
	const char *reload[] = { "/usr/bin/udevadm", "control", "--reload-rules", NULL };
	const char *argv[] = { "/usr/bin/udevadm", "trigger", "--name-match=kvm", NULL };
	fix_step_command(plan, "make udev read the rules again", reload, NULL, "nothing");
	fix_step_command(plan, "apply the rule to /dev/kvm now", argv, NULL,
		     "nothing (the rule's removal applies at the next trigger or boot)");
	return 0;
}

/* A modprobe.d file plus a module reload, for settings read at module load. */
static void modprobe_conf(struct fix_plan *plan, struct host *host, const char *path, const char *line,
			  const char *mod, const char *what)
{
	fix_step_file(plan, host, path, xasprintf("# Written by vmdoctor\n%s\n", line), what);
	const char *unload[] = { "/sbin/modprobe", "-r", mod, NULL };
	const char *load[] = { "/sbin/modprobe", mod, NULL };
	char *w1 = xasprintf("unload %s (stop running VMs first)", mod);
	char *w2 = xasprintf("load %s with the new option", mod);
	fix_step_command(plan, w1, unload, load, "load the module again");
	fix_step_command(plan, w2, load, NULL, "nothing (the file's removal applies at the next load)");
	free(w1);
	free(w2);
}

/* "options kvm_intel nested=0" (or N, or kvm_amd): it would still win over vmdoctor's file. */
static bool disables_nested(const char *line)
{
	const char *v = strstr(line, "nested=");
	return strncmp(line, "options kvm_", 12) == 0 && v && (v[7] == '0' || v[7] == 'N' || v[7] == 'n');
}

int fix_build_nested(const struct facts *f, struct host *host, struct fix_plan *plan, char *why, size_t n)
{
	(void)why;
	(void)n;
	const char *mod = fix_kvm_module(f);
	char *line = xasprintf("options %s nested=1", mod);
	drop_modprobe_lines(f, host, plan, disables_nested);
	modprobe_conf(plan, host, "/etc/modprobe.d/kvm-nested.conf", line, mod, "enable nested virtualization");
	fix_step_manual(plan, "give the guests the host CPU",
		    "For each guest that should run VMs itself: virsh edit VM and set <cpu mode='host-passthrough'/> "
		    "(or host-model without a disabled vmx/svm feature), then power the guest off and on.");
	free(line);
	return 0;
}

/* "options kvm enable_virt_at_load=0": the override VirtualBox >= 7.2.10 cannot work with. */
static bool virt_at_load_off(const char *line)
{
	const char *v = strstr(line, "enable_virt_at_load=");
	return strncmp(line, "options kvm ", 12) == 0 && v && (v[20] == '0' || v[20] == 'N' || v[20] == 'n');
}

/* Unload the vendor module and kvm itself (kvm's own parameters apply only when kvm loads again). */
static void reload_kvm(const struct facts *f, struct fix_plan *plan, bool load_again)
{
	const char *mod = fix_kvm_module(f);
	const char *unload[] = { "/sbin/modprobe", "-r", mod, "kvm", NULL };
	const char *load[] = { "/sbin/modprobe", mod, NULL };
	char *w = xasprintf("unload %s and kvm (stop KVM/QEMU/libvirt VMs first)", mod);
	char *u = xasprintf("modprobe %s", mod);
	fix_step_command(plan, w, unload, load, u);
	if (load_again)
		fix_step_command(plan, "load KVM again with the new setting", load, NULL,
			     "nothing (the file's restore applies at the next load)");
	free(w);
	free(u);
}

/*
 * VBOX-KVM-CONFLICT, by the knowledge base's matrix (facts_vbox_kvm_rule): before 6.12 KVM holds VT-x
 * only while its VMs run, so unloading it is the whole fix; on 6.12+ with VirtualBox <= 7.2.8 the
 * override enable_virt_at_load=0 is the fix; with VirtualBox >= 7.2.10 that override is the problem.
 */
int fix_build_vbox_coexist(const struct facts *f, struct host *host, struct fix_plan *plan, char *why,
			      size_t n)
{
	if (f->kernel.major == 0) {
		snprintf(why, n, "the running kernel's version is unknown, and the right setting depends on it");
		return -1;
	}
	const struct facts_vbox *vb = &f->vbox;
	const struct facts_vbox_kvm_rule *rule =
		vb->product_known ? facts_vbox_kvm_rule(f->kernel.major, f->kernel.minor, vb->product.num, false) : NULL;
	if (rule && rule->verdict == FACTS_VBOX_KVM_OVERRIDE_BREAKS) {
		size_t before = plan->n_steps;
		drop_modprobe_lines(f, host, plan, virt_at_load_off);
		if (f->cmdline.text && strstr(f->cmdline.text, "kvm.enable_virt_at_load=0"))
			fix_step_manual(plan, "remove kvm.enable_virt_at_load=0 from the kernel command line",
				    "Edit GRUB_CMDLINE_LINUX in /etc/default/grub, drop kvm.enable_virt_at_load=0, run "
				    "sudo update-grub (Fedora: sudo grub2-mkconfig -o /boot/grub2/grub.cfg) and reboot.");
		else if (plan->n_steps == before) {
			snprintf(why, n, "VirtualBox %s needs KVM's default (enable_virt_at_load=1), but no override was "
				 "found to remove", vb->product.text);
			return -1;
		}
		reload_kvm(f, plan, true);
		return 0;
	}
	if (!facts_kernel_at_least(f, 6, 12)) {
		fix_step_manual(plan, "stop the KVM guests",
			    "Before Linux 6.12 KVM holds VT-x/AMD-V only while its guests run: shut down the "
			    "KVM/QEMU/libvirt VMs (virsh list --all) before starting VirtualBox VMs.");
		reload_kvm(f, plan, false);
		return 0;
	}
	fix_step_file(plan, host, "/etc/modprobe.d/kvm-virtualbox.conf",
		  xstrdup("# Written by vmdoctor: KVM enables VT-x/AMD-V only while a KVM guest runs (Linux 6.12+,\n"
			  "# VirtualBox up to 7.2.8). Remove it for VirtualBox 7.2.10 or later.\n"
			  "options kvm enable_virt_at_load=0\n"),
		  vb->product_known ? "let KVM leave VT-x/AMD-V off until a KVM guest starts (VirtualBox can use it)"
				    : "let KVM leave VT-x/AMD-V off until a KVM guest starts (VirtualBox version unknown: "
				      "right for VirtualBox up to 7.2.8)");
	reload_kvm(f, plan, true);
	return 0;
}

int fix_build_tun(const struct facts *f, struct host *h, struct fix_plan *p, char *why, size_t n)
{
	(void)f, (void)h, (void)why, (void)n;
	load_module(p, "tun", "");
	return 0;
}

int fix_build_vhost(const struct facts *f, struct host *h, struct fix_plan *p, char *why, size_t n)
{
	(void)f, (void)h, (void)why, (void)n;
	load_module(p, "vhost_net", "");
	return 0;
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
	  "Del > M.I.T. > Advanced Frequency Settings > Advanced CPU Core Settings > SVM Mode: Enabled (newer boards: Tweaker > Advanced CPU Settings)" },
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

/*
 * CPU-VT-DISABLED has variants the firmware toggle alone does not fix (knowledge base): VMX enabled only
 * inside TXT needs TXT off (or tboot), and a kernel built without CONFIG_KVM_INTEL locks VMX off itself.
 */
int fix_build_firmware(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	(void)h;
	struct virt_cpu cpu;
	virt_assess_cpu(f, &cpu);
	bool amd = f->cpu.vendor == FACTS_VENDOR_AMD;
	const char *vendor = f->dmi.sys_vendor[0] ? f->dmi.sys_vendor : "unknown vendor";
	if (cpu.verdict == VIRT_CPU_DISABLED && cpu.off_kind == VIRT_OFF_KERNEL_LOCKED) {
		plan->needs = CODE_NEEDS_REBOOT;
		fix_step_manual(plan, "boot a kernel with KVM for Intel",
			    "This kernel was built without CONFIG_KVM_INTEL and locked VT-x off at boot; the firmware "
			    "setting is probably on already. Boot a kernel built with CONFIG_KVM_INTEL=y or m (your "
			    "distribution's kernel), from the boot menu or as the default.");
		return 0;
	}
	if (cpu.verdict == VIRT_CPU_NO_HWVIRT) {
		snprintf(why, n, "this CPU has no VT-x or AMD-V at all: no firmware setting can add it");
		return -1;
	}
	if (cpu.verdict == VIRT_CPU_GUEST_NO_NESTED ||
	    (cpu.verdict == VIRT_CPU_DISABLED && cpu.off_kind == VIRT_OFF_OUTER_HOST)) {
		snprintf(why, n, "this is a VM whose hypervisor does not give it %s: use the fix guest-enable-nested",
			 cpu.feature ? cpu.feature : "VT-x/AMD-V");
		return -1;
	}
	char *text;
	if (cpu.verdict == VIRT_CPU_DISABLED && cpu.off_kind == VIRT_OFF_TXT_ONLY)
		text = xasprintf("On this %s machine, enter the firmware setup and disable Intel TXT (Trusted Execution "
				 "Technology), keeping Intel Virtualization Technology enabled: VT-x is on only inside "
				 "TXT now. (Or boot through tboot.) Save and exit.", vendor);
	else
		text = xasprintf("On this %s machine, enter the firmware setup and set: %s. Save and exit.",
				 vendor, fix_bios_path(f->dmi.sys_vendor, amd));
	fix_step_manual(plan, amd ? "enable AMD-V (SVM) in the firmware"
			      : cpu.off_kind == VIRT_OFF_TXT_ONLY && cpu.verdict == VIRT_CPU_DISABLED
				? "disable Intel TXT in the firmware" : "enable VT-x in the firmware", text);
	free(text);
	fix_step_manual(plan, "hard power-off",
		    "Shut down completely and power off (hold the power button or unplug), not a warm reboot: "
		    "the CPU locks the virtualization setting until a cold start.");
	return 0;
}

int fix_build_outer_nested(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	(void)h, (void)why, (void)n;
	const char *hv = f->cpu.has_hv_signature ? f->cpu.hv_signature : "unknown";
	char *text = xasprintf(
		"This machine is a guest (hypervisor '%s'). On the OUTER host, power the VM off and enable nested "
		"virtualization: KVM: `options kvm_intel nested=1` (or kvm_amd) and <cpu mode='host-passthrough'/>; "
		"VMware: 'Virtualize Intel VT-x/EPT or AMD-V/RVI' (vhv.enable = \"TRUE\"); VirtualBox: "
		"`VBoxManage modifyvm VM --nested-hw-virt on`; Hyper-V: "
		"`Set-VMProcessor -VMName VM -ExposeVirtualizationExtensions $true`.", hv);
	fix_step_manual(plan, "enable nested virtualization on the outer host", text);
	free(text);
	return 0;
}
