/* SPDX-License-Identifier: MIT */
/* KVM checks: the device node, the user's permission to open it, KVM's own answer, and nesting. */
#include "checks/checks.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmdoctor/virt.h"

void checks_format_devnode(const struct host_devnode *node, char *buf, size_t len)
{
	snprintf(buf, len, "%c %u:%u %04o %s %s", node->type, node->major, node->minor, node->mode, node->owner,
		 node->group);
}

static void devnode_evidence(const struct facts_device *dev, struct check_result *r)
{
	char text[200];
	checks_format_devnode(&dev->node, text, sizeof text);
	check_evidence(r, dev->path, "%s", text);
}

/* Module names as the person types them for modprobe. */
static const char *vendor_module_for(const struct facts *facts)
{
	if (facts->cpu.err)
		return "kvm_intel";
	return facts->cpu.vendor == FACTS_VENDOR_AMD || facts->cpu.vendor == FACTS_VENDOR_HYGON ? "kvm_amd"
												 : "kvm_intel";
}

/* The first modprobe.d line that blocks the KVM modules, or NULL. */
static const struct facts_modprobe_line *blocking_line(const struct facts *facts)
{
	for (size_t i = 0; i < facts->modprobe.count; i++) {
		const char *t = facts->modprobe.lines[i].text;
		if (strncmp(t, "blacklist", 9) == 0 || (strncmp(t, "install", 7) == 0 && strstr(t, "/bin/false")) ||
		    (strncmp(t, "install", 7) == 0 && strstr(t, "/bin/true")))
			return &facts->modprobe.lines[i];
	}
	return NULL;
}

static void module_evidence(const struct facts *facts, struct check_result *r)
{
	static const char *const names[] = { "kvm", "kvm_intel", "kvm_amd", "kvm_pvm" };
	if (facts->modules.err) {
		check_evidence(r, "/proc/modules", "not readable: %s", facts->modules.why);
		return;
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const struct facts_module *m = facts_module_find(facts, names[i]);
		check_evidence(r, m && m->in_proc_modules ? "/proc/modules" : "/sys/module", "%s %s", names[i],
			       m ? "is loaded" : "is not loaded");
	}
}

/* A line "kvm: enabling virtualization on CPU0 failed": VT-x/AMD-V held by another hypervisor. */
static const struct facts_klog_line *busy_line(const struct facts *facts)
{
	if (facts->klog.err)
		return NULL;
	for (size_t i = 0; i < facts->klog.count; i++) {
		const char *t = facts->klog.lines[i].text;
		if (strstr(t, "enabling virtualization on CPU") && strstr(t, "failed"))
			return &facts->klog.lines[i];
	}
	return NULL;
}

void check_kvm_devnode(const struct facts *facts, struct check_result *r)
{
	const struct facts_device *dev = &facts->devices[FACTS_DEV_KVM];
	if (dev->err == -ENODATA) {
		check_set(r, CHECK_UNKNOWN, NULL, "Device nodes were not collected in this snapshot");
		return;
	}
	if (dev->err == 0) {
		const char *module = virt_kvm_vendor_module(facts);
		devnode_evidence(dev, r);
		check_set(r, CHECK_PASS, NULL, "/dev/kvm exists%s%s", module ? ", provided by " : "",
			  module ? module : "");
		return;
	}
	struct virt_cpu cpu;
	virt_assess_cpu(facts, &cpu);
	check_evidence(r, "/dev/kvm", "does not exist");
	if (cpu.verdict == VIRT_CPU_NO_HWVIRT || cpu.verdict == VIRT_CPU_DISABLED ||
	    cpu.verdict == VIRT_CPU_GUEST_NO_NESTED) {
		check_set(r, CHECK_SKIP, NULL, "/dev/kvm is missing because %s is not available (see %s)",
			  cpu.feature ? cpu.feature : "hardware virtualization",
			  cpu.verdict == VIRT_CPU_GUEST_NO_NESTED ? "cpu.guest" : "cpu.hwvirt");
		return;
	}
	const struct facts_klog_line *busy = busy_line(facts);
	if (busy) {
		/* Since 6.12 KVM enables VT-x at load, so the load itself fails while VirtualBox/VMware hold it. */
		check_set(r, CHECK_SKIP, NULL, "/dev/kvm is missing because another hypervisor holds %s (see "
			  "kvm.usable)", cpu.feature ? cpu.feature : "VT-x/AMD-V");
		return;
	}
	module_evidence(facts, r);
	const char *module = vendor_module_for(facts);
	const struct facts_modprobe_line *block = blocking_line(facts);
	check_set(r, CHECK_FAIL, "KVM-DEVNODE-MISSING", "/dev/kvm does not exist: the %s module is not loaded%s",
		  module, block ? " (it is blacklisted)" : "");
	if (block) {
		char source[200];
		snprintf(source, sizeof source, "%s:%u", block->file, block->line);
		check_evidence(r, source, "%s", block->text);
		check_action(r, "Remove \"%s\" from %s (line %u), then run: sudo modprobe %s", block->text, block->file,
			     block->line, module);
	} else {
		check_action(r, "Run: sudo modprobe %s (if it fails, the kernel log says why)", module);
	}
}

static bool names_has(const struct host_names *names, const char *name)
{
	return host_names_contains(names, name);
}

/* Can `user` read and write the node, by its mode, owner and group? */
static bool mode_allows(const struct host_devnode *node, const struct host_user *user,
			const struct host_names *groups)
{
	if (user->uid == 0)
		return true;
	if ((node->mode & 0006) == 0006)
		return true;
	if (strcmp(node->owner, user->name) == 0 && (node->mode & 0600) == 0600)
		return true;
	return (node->mode & 0060) == 0060 && names_has(groups, node->group);
}

static void access_denied(const struct facts *facts, const struct host_devnode *node, struct check_result *r)
{
	const struct host_user *user = &facts->user.user;
	bool in_etc_group = !facts->user.group_file_err && names_has(&facts->user.etc_groups, node->group);
	bool in_session = user->session_known && names_has(&user->session_groups, node->group);
	bool group_can = (node->mode & 0060) == 0060 && strcmp(node->group, "root") != 0;

	check_set(r, CHECK_FAIL, "KVM-DEVNODE-PERM", "%s cannot open /dev/kvm (%04o %s:%s)", user->name,
		  node->mode, node->owner, node->group);
	if (!facts->user.group_file_err)
		check_evidence(r, "/etc/group", "%s %s a member of \"%s\"", user->name, in_etc_group ? "is" : "is not",
			       node->group);
	if (user->session_known)
		check_evidence(r, "session", "groups of the running session %s \"%s\"",
			       in_session ? "include" : "do not include", node->group);

	if (group_can && in_etc_group && user->session_known && !in_session) {
		check_action(r, "%s was added to group %s after this login session started: log out and back in "
			     "(or reboot); \"newgrp %s\" works for one shell.", user->name, node->group, node->group);
	} else if (group_can) {
		check_action(r, "Run: sudo usermod -aG %s %s, then log out and back in.", node->group, user->name);
	} else {
		check_action(r, "Only %s may use /dev/kvm: add a udev rule KERNEL==\"kvm\", GROUP=\"kvm\", MODE=\"0660\" "
			     "in /etc/udev/rules.d/65-kvm.rules, run sudo udevadm trigger --name-match=kvm, then "
			     "sudo usermod -aG kvm %s and log out and back in.", node->owner, user->name);
	}
}

void check_kvm_access(const struct facts *facts, struct check_result *r)
{
	const struct facts_device *dev = &facts->devices[FACTS_DEV_KVM];
	const struct facts_kvm_probe *kvm = &facts->kvm;
	if (dev->err == -ENOENT) {
		check_set(r, CHECK_SKIP, NULL, "/dev/kvm does not exist (see kvm.devnode)");
		return;
	}
	if (dev->err == 0)
		devnode_evidence(dev, r);
	if (!kvm->err) {
		check_evidence(r, "kvm probe", "open(\"/dev/kvm\", O_RDWR) as %s: %s", kvm->probe.as_user,
			       kvm->probe.open_err ? host_errno_name(kvm->probe.open_err) : "ok");
		if (kvm->probe.open_err == 0) {
			check_set(r, CHECK_PASS, NULL, "%s can open /dev/kvm for reading and writing",
				  kvm->probe.as_user);
			return;
		}
	}
	if (dev->err || facts->user.err) {
		check_set(r, CHECK_UNKNOWN, NULL, "Could not tell whether the user may open /dev/kvm: %s",
			  dev->err ? "device nodes were not collected" : facts->user.why);
		return;
	}
	bool probe_denied = !kvm->err && (kvm->probe.open_err == -EACCES || kvm->probe.open_err == -EPERM);
	const struct host_names *groups = facts->user.user.session_known ? &facts->user.user.session_groups
									  : &facts->user.etc_groups;
	if (probe_denied || !mode_allows(&dev->node, &facts->user.user, groups)) {
		access_denied(facts, &dev->node, r);
		return;
	}
	check_set(r, CHECK_PASS, NULL, "%s may open /dev/kvm (%04o %s:%s)", facts->user.user.name, dev->node.mode,
		  dev->node.owner, dev->node.group);
}

static void other_hypervisor_evidence(const struct facts *facts, struct check_result *r)
{
	static const char *const others[] = { "vboxdrv", "vmmon" };
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
		const struct facts_module *m = facts_module_find(facts, others[i]);
		if (!m)
			continue;
		char source[32];
		snprintf(source, sizeof source, "/proc/modules:%u", m->line);
		if (m->refcount >= 0)
			check_evidence(r, source, "%s is loaded, used %ld times", others[i], m->refcount);
		else
			check_evidence(r, source, "%s is loaded", others[i]);
	}
}

static void kvm_busy(const struct facts *facts, const struct facts_klog_line *line, struct check_result *r)
{
	if (line) {
		char source[32];
		snprintf(source, sizeof source, "dmesg:%u", line->lineno);
		check_evidence(r, source, "%s", line->text);
	}
	other_hypervisor_evidence(facts, r);
	check_set(r, CHECK_FAIL, "KVM-BUSY-OTHER-HV", "Another hypervisor (VirtualBox or VMware) holds %s, so KVM "
		  "cannot start VMs", facts->cpu.svm && !facts->cpu.vmx ? "AMD-V" : "VT-x");
	check_action(r, "Shut down the running VirtualBox or VMware VMs (if it persists: sudo modprobe -r vboxdrv "
		     "or vmmon), then start the KVM VM again.");
}

void check_kvm_usable(const struct facts *facts, struct check_result *r)
{
	const struct facts_kvm_probe *kvm = &facts->kvm;
	const struct facts_klog_line *busy = busy_line(facts);
	if (!kvm->err && kvm->probe.open_err == 0) {
		check_evidence(r, "kvm probe", "KVM_GET_API_VERSION = %d, KVM_CREATE_VM: %s", kvm->probe.api_version,
			       kvm->probe.create_vm_err == 0 ? "ok"
			       : kvm->probe.create_vm_err > 0 ? "not reached"
							      : host_errno_name(kvm->probe.create_vm_err));
		if (kvm->probe.create_vm_err == 0) {
			const char *module = virt_kvm_vendor_module(facts);
			check_set(r, CHECK_PASS, NULL, "KVM works: it created a test VM (API version %d%s%s)",
				  kvm->probe.api_version, module ? ", module " : "", module ? module : "");
			return;
		}
		/* Up to 6.11 the refusal is EBUSY; from 6.12 KVM enables VT-x through a path that gives EIO,
		 * and the kernel log line says why. */
		if (kvm->probe.create_vm_err == -EBUSY || (busy && kvm->probe.create_vm_err < 0)) {
			kvm_busy(facts, busy, r);
			return;
		}
		check_set(r, CHECK_UNKNOWN, NULL, "KVM refused to create a test VM: %s",
			  kvm->probe.create_vm_err > 0 ? "not reached" : host_errno_name(kvm->probe.create_vm_err));
		return;
	}
	if (busy) {
		kvm_busy(facts, busy, r);
		return;
	}
	if (kvm->err) {
		check_set(r, CHECK_SKIP, NULL, "KVM was not asked: %s", kvm->why);
		return;
	}
	check_set(r, CHECK_SKIP, NULL, "KVM could not be asked: opening /dev/kvm gave %s (see kvm.devnode, "
		  "kvm.access)", host_errno_name(kvm->probe.open_err));
}

void check_kvm_nested(const struct facts *facts, struct check_result *r)
{
	const struct facts_param *p = NULL;
	if (facts_module_find(facts, "kvm_intel"))
		p = &facts->params[FACTS_PARAM_KVM_INTEL_NESTED];
	else if (facts_module_find(facts, "kvm_amd"))
		p = &facts->params[FACTS_PARAM_KVM_AMD_NESTED];
	if (!p) {
		check_set(r, CHECK_SKIP, NULL, "Not a KVM host with kvm_intel or kvm_amd loaded");
		return;
	}
	if (p->err) {
		check_set(r, CHECK_UNKNOWN, NULL, "Could not read %s: %s", p->path, host_errno_name(p->err));
		return;
	}
	check_evidence(r, p->path, "%s", p->value);
	bool on = strcmp(p->value, "Y") == 0 || strcmp(p->value, "y") == 0 || strcmp(p->value, "1") == 0;
	if (on) {
		check_set(r, CHECK_PASS, NULL, "Nested virtualization is on: this host's VMs can run VMs themselves");
		return;
	}
	for (size_t i = 0; i < facts->modprobe.count; i++) {
		const struct facts_modprobe_line *l = &facts->modprobe.lines[i];
		if (strncmp(l->text, "options", 7) == 0 && strstr(l->text, "nested")) {
			char source[200];
			snprintf(source, sizeof source, "%s:%u", l->file, l->line);
			check_evidence(r, source, "%s", l->text);
		}
	}
	const char *module = strstr(p->path, "kvm_amd") ? "kvm_amd" : "kvm_intel";
	check_set(r, CHECK_INFO, "KVM-NESTED-OFF", "Nested virtualization is off: VMs on this host cannot run "
		  "VMs themselves");
	check_action(r, "Only if a VM here needs it: set \"options %s nested=1\" in /etc/modprobe.d/kvm-nested.conf, "
		     "stop all VMs, then sudo modprobe -r %s && sudo modprobe %s.", module, module, module);
}
