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
	{
		.id = "libvirt.daemon",
		.title = "libvirt daemon reachable",
		.codes = CODES("LIBVIRT-DAEMON-DOWN"),
		.run = check_libvirt_daemon,
	},
	{
		.id = "libvirt.auth",
		.title = "Permission to manage libvirt VMs",
		.codes = CODES("LIBVIRT-POLKIT-DENIED"),
		.run = check_libvirt_auth,
	},
	{
		.id = "libvirt.kvm",
		.title = "libvirt offers KVM",
		.codes = CODES("LIBVIRT-NO-KVM"),
		.run = check_libvirt_kvm,
	},
	{
		.id = "libvirt.network",
		.title = "libvirt 'default' network",
		.codes = CODES("LIBVIRT-NET-INACTIVE", "LIBVIRT-NET-CONFLICT", "LIBVIRT-NET-FIREWALL"),
		.run = check_libvirt_network,
	},
	{
		.id = "libvirt.session-bridge",
		.title = "Bridges for qemu:///session guests",
		.codes = CODES("LIBVIRT-SESSION-BRIDGE"),
		.run = check_libvirt_session_bridge,
	},
	{
		.id = "libvirt.pool",
		.title = "libvirt 'default' storage pool",
		.codes = CODES("LIBVIRT-POOL-MISSING"),
		.run = check_libvirt_pool,
	},
	{
		.id = "libvirt.storage",
		.title = "Disk images reachable by the qemu user",
		.codes = CODES("LIBVIRT-STORAGE-PERM"),
		.run = check_libvirt_storage,
	},
	{
		.id = "libvirt.apparmor",
		.title = "AppArmor denials for libvirt guests",
		.codes = CODES("LIBVIRT-APPARMOR-DENIED"),
		.run = check_libvirt_apparmor,
	},
	{
		.id = "libvirt.selinux",
		.title = "SELinux denials for libvirt guests",
		.codes = CODES("LIBVIRT-SELINUX-DENIED"),
		.run = check_libvirt_selinux,
	},
	{
		.id = "libvirt.ovmf",
		.title = "UEFI firmware for UEFI guests",
		.codes = CODES("LIBVIRT-OVMF-MISSING"),
		.run = check_libvirt_ovmf,
	},
	{
		.id = "libvirt.hugepages",
		.title = "Hugepages for guests that use them",
		.codes = CODES("LIBVIRT-HUGEPAGES"),
		.run = check_libvirt_hugepages,
	},
	{
		.id = "libvirt.passthrough",
		.title = "IOMMU and VFIO for PCI passthrough",
		.codes = CODES("PCI-IOMMU-OFF", "PCI-VFIO-GROUP-NOT-VIABLE"),
		.run = check_libvirt_passthrough,
	},
	/* -- end of libvirt checks -- */
	/* -- VMware checks (checks/vmware.c) -- */
	{
		.id = "vmware.installed",
		.title = "VMware Workstation/Player installation",
		.codes = (const char *const[]){ NULL },
		.run = check_vmware_installed,
	},
	{
		.id = "vmware.vmmon",
		.title = "VMware monitor module vmmon and /dev/vmmon",
		.codes = CODES("VMW-VMMON-MISSING", "VMW-MODBUILD-FAIL"),
		.run = check_vmware_vmmon,
	},
	{
		.id = "vmware.version-match",
		.title = "vmmon built for the installed VMware version",
		.codes = CODES("VMW-VERSION-MISMATCH"),
		.run = check_vmware_version_match,
	},
	{
		.id = "vmware.secureboot",
		.title = "Secure Boot accepts vmmon",
		.codes = CODES("VMW-SECUREBOOT"),
		.run = check_vmware_secureboot,
	},
	{
		.id = "vmware.hv",
		.title = "VT-x/AMD-V available to VMware",
		.codes = CODES("VMW-HV-UNAVAILABLE"),
		.run = check_vmware_hv,
	},
	/* -- end of VMware checks -- */
	/* -- VirtualBox checks (checks/vbox.c) -- */
	{
		.id = "vbox.driver",
		.title = "VirtualBox kernel driver vboxdrv and /dev/vboxdrv",
		.codes = CODES("VBOX-DRV-NOT-LOADED", "VBOX-SETUP-FAIL"),
		.run = check_vbox_driver,
	},
	{
		.id = "vbox.version",
		.title = "vboxdrv built for the installed VirtualBox version",
		.codes = CODES("VBOX-VERSION-MISMATCH"),
		.run = check_vbox_version,
	},
	{
		.id = "vbox.secureboot",
		.title = "Secure Boot accepts vboxdrv",
		.codes = CODES("VBOX-SECUREBOOT"),
		.run = check_vbox_secureboot,
	},
	{
		.id = "vbox.hwvirt",
		.title = "VT-x/AMD-V available to VirtualBox",
		.codes = CODES("VBOX-HWVIRT-UNAVAILABLE"),
		.run = check_vbox_hwvirt,
	},
	{
		.id = "vbox.kvm-conflict",
		.title = "VirtualBox and KVM share VT-x/AMD-V",
		.codes = CODES("VBOX-KVM-CONFLICT"),
		.run = check_vbox_kvm_conflict,
	},
	/* -- end of VirtualBox checks -- */
	/* -- Secure Boot, signing and DKMS checks (checks/secureboot.c) -- */
	{
		.id = "secureboot.state",
		.title = "Secure Boot and kernel lockdown state",
		.codes = (const char *const[]){ NULL },
		.run = check_secureboot_state,
	},
	{
		.id = "secureboot.modules",
		.title = "Signatures of out-of-tree kernel modules",
		.codes = CODES("SB-UNSIGNED-MODULE", "SB-MOK-NOT-ENROLLED"),
		.run = check_secureboot_modules,
	},
	{
		.id = "dkms.headers",
		.title = "Kernel headers for the running kernel",
		.codes = CODES("DKMS-HEADERS-MISSING"),
		.run = check_dkms_headers,
	},
	{
		.id = "dkms.build",
		.title = "DKMS modules built for the running kernel",
		.codes = CODES("DKMS-BUILD-FAILED"),
		.run = check_dkms_build,
	},
	/* -- end of Secure Boot checks -- */
};

const size_t check_table_count = sizeof check_table / sizeof check_table[0];
