/* SPDX-License-Identifier: MIT */
/* QEMU host checks that virt-host-validate also makes: tap and vhost-net devices, and the IOMMU. */
#include "checks/checks.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmdoctor/virt.h"

/* These matter only where QEMU or libvirt run VMs; elsewhere a missing device is no finding. */
static bool skip_without_qemu(const struct facts *facts, struct check_result *r)
{
	if (facts->programs.qemu || facts->programs.libvirt)
		return false;
	check_set(r, CHECK_SKIP, NULL, "QEMU and libvirt are not installed (no qemu-system-x86_64, libvirtd or "
		  "virtqemud)");
	return true;
}

/* A device node QEMU uses: present → pass, absent → `missing` status with `code`. */
static void device_check(const struct facts *facts, enum facts_device_id id, enum check_status missing,
			 const char *code, const char *what, const char *module, struct check_result *r)
{
	const struct facts_device *dev = &facts->devices[id];
	if (skip_without_qemu(facts, r))
		return;
	if (dev->err == -ENODATA) {
		check_set(r, CHECK_UNKNOWN, NULL, "Device nodes were not collected in this snapshot");
		return;
	}
	if (dev->err == 0) {
		char text[200];
		checks_format_devnode(&dev->node, text, sizeof text);
		check_evidence(r, dev->path, "%s", text);
		check_set(r, CHECK_PASS, NULL, "%s exists", dev->path);
		return;
	}
	check_evidence(r, dev->path, "does not exist");
	check_set(r, missing, code, "%s does not exist: %s", dev->path, what);
	if (!facts->modules.err && !facts->modules.proc_modules_read)
		/* No /proc/modules: this kernel cannot load modules, so modprobe would only fail. */
		check_action(r, "This kernel cannot load modules (no /proc/modules): use a kernel with the %s driver "
			     "built in.", module);
	else
		check_action(r, "Run: sudo modprobe %s", module);
}

void check_qemu_tun(const struct facts *facts, struct check_result *r)
{
	device_check(facts, FACTS_DEV_TUN, CHECK_FAIL, "QEMU-TUN-MISSING",
		     "QEMU and libvirt guests get no tap networking", "tun", r);
}

void check_qemu_vhost_net(const struct facts *facts, struct check_result *r)
{
	device_check(facts, FACTS_DEV_VHOST_NET, CHECK_INFO, "QEMU-VHOST-NET-MISSING",
		     "virtio networking works, only slower", "vhost_net", r);
}

void check_host_iommu(const struct facts *facts, struct check_result *r)
{
	const struct facts_iommu *io = &facts->iommu;
	check_evidence(r, "/sys/firmware/acpi/tables", "DMAR (Intel VT-d) %s, IVRS (AMD-Vi) %s",
		       io->dmar ? "present" : "absent", io->ivrs ? "present" : "absent");
	if (io->groups_err == 0 && io->groups > 0) {
		check_evidence(r, "/sys/kernel/iommu_groups", "%zu groups", io->groups);
		check_set(r, CHECK_PASS, NULL, "The IOMMU is on (%zu groups): PCI passthrough is possible", io->groups);
		return;
	}
	if (io->groups_err && io->groups_err != -ENOENT) {
		check_set(r, CHECK_UNKNOWN, NULL, "Could not read /sys/kernel/iommu_groups: %s",
			  host_errno_name(io->groups_err));
		return;
	}
	check_evidence(r, "/sys/kernel/iommu_groups", "no groups");
	const char *arg = io->ivrs || facts->cpu.vendor == FACTS_VENDOR_AMD ? "amd_iommu=on" : "intel_iommu=on";
	check_set(r, CHECK_INFO, "PCI-IOMMU-OFF", "The IOMMU is off or absent: this only matters for passing PCI "
		  "devices (a GPU, a NIC) to a VM");
	struct virt_guest guest;
	virt_detect_guest(facts, &guest);
	if (guest.is_guest)
		check_action(r, "Only for PCI passthrough: this VM has no virtual IOMMU; the outer %s host would have "
			     "to give it one.", guest.name);
	else if (io->dmar || io->ivrs)
		check_action(r, "Only for PCI passthrough: the firmware offers an IOMMU; add %s iommu=pt to the kernel "
			     "command line and reboot.", arg);
	else
		check_action(r, "Only for PCI passthrough: enable VT-d / AMD-Vi (IOMMU) in the firmware setup, then "
			     "add %s iommu=pt to the kernel command line.", arg);
}

/* Controllers libvirt's QEMU driver uses; v2 folds cpuacct into cpu and does devices with BPF. */
static const char *const cgroup_v1_needed[] = { "cpu", "cpuacct", "cpuset", "memory", "devices", "blkio" };
static const char *const cgroup_v2_needed[] = { "cpu", "cpuset", "memory", "io" };

void check_host_cgroups(const struct facts *facts, struct check_result *r)
{
	const struct facts_cgroups *cg = &facts->cgroups;
	if (skip_without_qemu(facts, r))
		return;
	if (cg->err) {
		check_set(r, CHECK_UNKNOWN, NULL, "Could not read the cgroup controllers: %s", cg->why);
		return;
	}
	const char *const *needed = cg->v2 ? cgroup_v2_needed : cgroup_v1_needed;
	size_t count = cg->v2 ? sizeof cgroup_v2_needed / sizeof cgroup_v2_needed[0]
			      : sizeof cgroup_v1_needed / sizeof cgroup_v1_needed[0];
	char missing[128] = "";
	for (size_t i = 0; i < count; i++)
		if (!host_names_contains(&cg->controllers, needed[i]))
			snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%s",
				 missing[0] ? ", " : "", needed[i]);
	char have[256] = "";
	for (size_t i = 0; i < cg->controllers.count; i++)
		snprintf(have + strlen(have), sizeof have - strlen(have), "%s%s", i ? " " : "",
			 cg->controllers.items[i]);
	check_evidence(r, cg->source, "%s", have[0] ? have : "(no controllers)");
	if (!missing[0]) {
		check_set(r, CHECK_PASS, NULL, "cgroup %s offers every controller libvirt uses", cg->v2 ? "v2" : "v1");
		return;
	}
	check_set(r, CHECK_WARN, "QEMU-CGROUP-MISSING", "cgroup %s lacks %s: libvirt cannot limit or account that "
		  "for VMs", cg->v2 ? "v2" : "v1", missing);
	check_action(r, "Remove any cgroup_disable= from the kernel command line; in a container, ask its manager "
		     "to delegate these controllers.");
}
