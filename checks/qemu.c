/* SPDX-License-Identifier: MIT */
/* QEMU host checks that virt-host-validate also makes: tap and vhost-net devices, and the IOMMU. */
#include "checks/checks.h"

#include <errno.h>
#include <stdio.h>

#include "vmdoctor/virt.h"

/* A device node QEMU uses: present → pass, absent → `missing` status with `code`. */
static void device_check(const struct facts *facts, enum facts_device_id id, enum check_status missing,
			 const char *code, const char *what, const char *module, struct check_result *r)
{
	const struct facts_device *dev = &facts->devices[id];
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
