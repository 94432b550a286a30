/* SPDX-License-Identifier: MIT */
/* The check table: every check vmdoctor runs, in the order of knowledge/failure-modes.md section C.1. */
#include "vmdoctor/check.h"

#include "checks/checks.h"

#define CODES(...) ((const char *const[]){ __VA_ARGS__, NULL })

const struct check_def check_table[] = {
	{
		.id = "cpu.guest",
		.title = "Virtual machine without nested virtualization",
		.codes = CODES("GUEST-NO-NESTED"),
		.run = check_cpu_guest,
	},
	{
		.id = "cpu.hwvirt",
		.title = "Hardware virtualization (VT-x / AMD-V)",
		.codes = CODES("CPU-NO-HWVIRT", "CPU-VT-DISABLED", "CPU-SVM-DISABLED"),
		.run = check_cpu_hwvirt,
	},
	{
		.id = "kvm.devnode",
		.title = "KVM device node /dev/kvm",
		.codes = CODES("KVM-DEVNODE-MISSING"),
		.run = check_kvm_devnode,
	},
	{
		.id = "kvm.access",
		.title = "Permission to use /dev/kvm",
		.codes = CODES("KVM-DEVNODE-PERM"),
		.run = check_kvm_access,
	},
	{
		.id = "kvm.usable",
		.title = "KVM creates a virtual machine",
		.codes = CODES("KVM-BUSY-OTHER-HV"),
		.run = check_kvm_usable,
	},
	{
		.id = "kvm.nested",
		.title = "Nested virtualization for this host's guests",
		.codes = CODES("KVM-NESTED-OFF"),
		.run = check_kvm_nested,
	},
	{
		.id = "qemu.tun",
		.title = "Tap networking device /dev/net/tun",
		.codes = CODES("QEMU-TUN-MISSING"),
		.run = check_qemu_tun,
	},
	{
		.id = "qemu.vhost-net",
		.title = "In-kernel virtio networking /dev/vhost-net",
		.codes = CODES("QEMU-VHOST-NET-MISSING"),
		.run = check_qemu_vhost_net,
	},
	{
		.id = "host.iommu",
		.title = "IOMMU for PCI passthrough",
		.codes = CODES("PCI-IOMMU-OFF"),
		.run = check_host_iommu,
	},
	{
		.id = "host.cgroups",
		.title = "cgroup controllers for libvirt",
		.codes = CODES("QEMU-CGROUP-MISSING"),
		.run = check_host_cgroups,
	},
	/* -- libvirt checks (checks/libvirt.c) -- */
	/* -- end of libvirt checks -- */
	/* -- VMware checks (checks/vmware.c) -- */
	/* -- end of VMware checks -- */
	/* -- VirtualBox checks (checks/vbox.c) -- */
	/* -- end of VirtualBox checks -- */
	/* -- Secure Boot, signing and DKMS checks (checks/secureboot.c) -- */
	/* -- end of Secure Boot checks -- */
};

const size_t check_table_count = sizeof check_table / sizeof check_table[0];
