/* SPDX-License-Identifier: MIT */
/* The table of log signatures: case-sensitive literals -> failure-mode code (knowledge base section C.2). */
#include "vmdoctor/logscan.h"

/*
 * One row per literal of section C.2, in its order. Rules (docs/logscan.md):
 *  - literals are copied verbatim from the knowledge base, case included;
 *  - a row that needs two fragments on one line uses `also` (order on the line does not matter);
 *  - where C.2 names several codes, `code` is the first and `route` says what decides;
 *  - strings the knowledge base marks [unverified] are not signatures;
 *  - `example` is a line the signature must match and `near_miss` one it must not
 *    (tests/core/test_logscan.c runs both for every row).
 */

#define K LOGSCAN_KERNEL
#define LV LOGSCAN_LIBVIRT
#define VB LOGSCAN_VBOX
#define VM LOGSCAN_VMWARE
#define DK LOGSCAN_DKMS
#define AU LOGSCAN_AUDIT
/* modprobe's and DKMS's complaints land in the product build logs too. */
#define BUILD_LOGS (VB | VM | DK)

static const struct logscan_sig signature_table[] = {
	/* ---- CPU and firmware: kernel wordings by version (section A.4) ---- */
	{ .needle = "kvm: disabled by bios", .code = "CPU-VT-DISABLED",
	  .route = "CPU-SVM-DISABLED on an AMD CPU (CPU vendor decides)", .sources = K, .versions = "<=5.15",
	  .example = "[    5.120332] kvm: disabled by bios",
	  .near_miss = "kvm: support for 'kvm_intel' disabled by bios" },
	{ .needle = "disabled by bios", .also = "'kvm_intel'", .code = "CPU-VT-DISABLED", .sources = K,
	  .versions = "5.16-6.2", .flags = LOGSCAN_APPROX,
	  .example = "[    4.881020] kvm: support for 'kvm_intel' disabled by bios",
	  .near_miss = "kvm: disabled by bios" },
	{ .needle = "disabled by bios", .also = "'kvm_amd'", .code = "CPU-SVM-DISABLED", .sources = K,
	  .versions = "5.16-6.2", .flags = LOGSCAN_APPROX,
	  .example = "[    4.702114] kvm: support for 'kvm_amd' disabled by bios",
	  .near_miss = "kvm: support for 'kvm_intel' disabled by bios" },
	{ .needle = "VMX not enabled (by BIOS) in MSR_IA32_FEAT_CTL", .code = "CPU-VT-DISABLED", .sources = K,
	  .versions = ">=6.3", .flags = LOGSCAN_APPROX,
	  .example = "[    6.002118] kvm_intel: VMX not enabled (by BIOS) in MSR_IA32_FEAT_CTL on CPU 0",
	  .near_miss = "kvm_intel: VMX not supported by CPU 0" },
	{ .needle = "VMX (outside TXT) disabled by BIOS", .code = "CPU-VT-DISABLED",
	  .route = "MSR 0x3a bit1 set: the TXT variant; a kernel without KVM_INTEL: the kernel-locked variant",
	  .sources = K, .versions = ">=5.6",
	  .example = "[    0.101003] x86/cpu: VMX (outside TXT) disabled by BIOS",
	  .near_miss = "[    0.101003] x86/cpu: VMX (inside TXT) disabled by BIOS" },
	{ .needle = "VMX (inside TXT) disabled by BIOS", .code = "CPU-VT-DISABLED",
	  .route = "the TXT-only variant of CPU-VT-DISABLED (VMX enabled only inside SMX)", .sources = K,
	  .versions = ">=5.6", .example = "[    0.101003] x86/cpu: VMX (inside TXT) disabled by BIOS",
	  .near_miss = "[    0.101003] x86/cpu: VMX (outside TXT) disabled by BIOS" },
	{ .needle = "disable TXT in the BIOS or activate TXT", .code = "CPU-VT-DISABLED",
	  .route = "the TXT-only variant of CPU-VT-DISABLED", .sources = K, .versions = "<=5.5",
	  .example = "[    3.5] kvm: disable TXT in the BIOS or activate TXT before enabling KVM",
	  .near_miss = "kvm: enable TXT in the BIOS" },
	{ .needle = "SVM disabled (by BIOS) in MSR_VM_CR", .code = "CPU-SVM-DISABLED", .sources = K,
	  .versions = ">=6.3", .flags = LOGSCAN_APPROX,
	  .example = "[    7.3] kvm_amd: SVM disabled (by BIOS) in MSR_VM_CR on CPU 17",
	  .near_miss = "kvm_amd: SVM not supported by CPU 1, svm not available" },
	{ .needle = "kvm: no hardware support", .code = "CPU-NO-HWVIRT",
	  .route = "GUEST-NO-NESTED when CPUID.01H:ECX[31]=1", .sources = K, .versions = "<=6.2",
	  .example = "[    5.2] kvm: no hardware support for 'kvm_intel'",
	  .near_miss = "kvm: hardware support enabled" },
	{ .needle = "VMX not supported by CPU", .code = "CPU-NO-HWVIRT",
	  .route = "GUEST-NO-NESTED when CPUID.01H:ECX[31]=1", .sources = K, .versions = ">=6.3",
	  .flags = LOGSCAN_APPROX, .example = "[    6.1] kvm_intel: VMX not supported by CPU 3",
	  .near_miss = "kvm_intel: VMX not enabled (by BIOS) in MSR_IA32_FEAT_CTL on CPU 3" },
	{ .needle = "SVM not supported by CPU", .code = "CPU-NO-HWVIRT",
	  .route = "GUEST-NO-NESTED when CPUID.01H:ECX[31]=1; CPU-SVM-DISABLED on new AMD kernels after a boot "
		   "line 'SVM disabled (by BIOS)'",
	  .sources = K, .versions = ">=6.3", .flags = LOGSCAN_APPROX,
	  .example = "[    6.1] kvm_amd: SVM not supported by CPU 1, not amd or hygon",
	  .near_miss = "kvm_amd: SVM disabled (by BIOS) in MSR_VM_CR on CPU 1" },
	{ .needle = "Hypervisor detected:", .route = "context: this host is a guest (GUEST-NO-NESTED if VMX/SVM "
							 "are absent)",
	  .sources = K, .flags = LOGSCAN_INFO, .example = "[    0.000000] Hypervisor detected: KVM",
	  .near_miss = "[    0.000000] No hypervisor detected" },

	/* ---- KVM ---- */
	{ .needle = "enabling virtualization on CPU", .also = "failed", .code = "KVM-BUSY-OTHER-HV",
	  .route = "lsmod: vboxdrv or vmmon holds VT-x/AMD-V", .sources = K,
	  .example = "[  812.4] kvm: enabling virtualization on CPU0 failed",
	  .near_miss = "kvm: enabling virtualization on CPU0" },
	{ .needle = "Could not access KVM kernel module: No such file or directory", .code = "KVM-DEVNODE-MISSING",
	  .route = "the kernel log line of the CPU/firmware step says why the module did not load", .sources = LV,
	  .example = "Could not access KVM kernel module: No such file or directory",
	  .near_miss = "Could not access KVM kernel module: Permission denied" },
	{ .needle = "failed to initialize kvm: No such file or directory", .code = "KVM-DEVNODE-MISSING",
	  .route = "the kernel log line of the CPU/firmware step says why the module did not load", .sources = LV,
	  .example = "qemu-system-x86_64: failed to initialize kvm: No such file or directory",
	  .near_miss = "qemu-system-x86_64: failed to initialize kvm: Permission denied" },
	{ .needle = "Domain requires KVM, but it is not available", .code = "KVM-DEVNODE-MISSING",
	  .route = "the kernel log line of the CPU/firmware step says why the module did not load", .sources = LV,
	  .example = "2024-05-01 10:00:01.123+0000: 1234: error : virDomainCreate: Domain requires KVM, but it "
		     "is not available. Check that virtualization is enabled in the host BIOS, and host "
		     "configuration is setup to load the kvm modules.",
	  .near_miss = "Domain requires KVM" },
	{ .needle = "failed to initialize kvm: Permission denied", .code = "KVM-DEVNODE-PERM",
	  .route = "group membership of /dev/kvm", .sources = LV,
	  .example = "qemu-system-x86_64: failed to initialize kvm: Permission denied",
	  .near_miss = "qemu-system-x86_64: failed to initialize kvm: No such file or directory" },
	{ .needle = "Could not access KVM kernel module: Permission denied", .code = "KVM-DEVNODE-PERM",
	  .route = "group membership of /dev/kvm", .sources = LV,
	  .example = "Could not access KVM kernel module: Permission denied",
	  .near_miss = "Could not access KVM kernel module: No such file or directory" },
	{ .needle = "KVM_CREATE_VM", .also = "Device or resource busy", .code = "KVM-BUSY-OTHER-HV", .sources = LV,
	  .example = "ioctl(KVM_CREATE_VM) failed: 16 Device or resource busy",
	  .near_miss = "ioctl(KVM_CREATE_VM) failed: 12 Cannot allocate memory" },
	{ .needle = "failed to initialize KVM", .also = "Device or resource busy", .code = "KVM-BUSY-OTHER-HV",
	  .sources = LV, .example = "qemu-system-x86_64: failed to initialize KVM: Device or resource busy",
	  .near_miss = "qemu-system-x86_64: failed to initialize KVM: Operation not permitted" },
	{ .needle = "failed to initialize kvm: Device or resource busy", .code = "KVM-BUSY-OTHER-HV", .sources = LV,
	  .example = "qemu-system-x86_64: failed to initialize kvm: Device or resource busy",
	  .near_miss = "qemu-system-x86_64: failed to initialize kvm: Permission denied" },

	/* ---- libvirt ---- */
	{ .needle = "could not find capabilities for domaintype=kvm", .code = "LIBVIRT-NO-KVM",
	  .route = "a symptom: the CPU, firmware and /dev/kvm steps give the cause", .sources = LV,
	  .example = "error : virDomainDefParse: invalid argument: could not find capabilities for "
		     "domaintype=kvm",
	  .near_miss = "could not find capabilities for domaintype=qemu" },
	{ .needle = "does not support virt type 'kvm'", .code = "LIBVIRT-NO-KVM",
	  .route = "a symptom: the CPU, firmware and /dev/kvm steps give the cause", .sources = LV,
	  .example = "ERROR    Host does not support any virtualization options for arch 'x86_64': "
		     "emulator '/usr/bin/qemu-system-x86_64' does not support virt type 'kvm'",
	  .near_miss = "does not support virt type 'qemu'" },
	{ .needle = "KVM acceleration not available, using 'qemu'", .code = "LIBVIRT-NO-KVM",
	  .route = "a symptom: the CPU, firmware and /dev/kvm steps give the cause", .sources = LV,
	  .example = "WARNING  KVM acceleration not available, using 'qemu'",
	  .near_miss = "KVM acceleration available" },
	{ .needle = "Host does not support domain type kvm", .code = "LIBVIRT-NO-KVM",
	  .route = "a symptom: the CPU, firmware and /dev/kvm steps give the cause", .sources = LV,
	  .example = "error: Host does not support domain type kvm for virtualization type 'hvm' arch 'x86_64'",
	  .near_miss = "Host does not support domain type qemu" },
	{ .needle = "Failed to connect socket to '/var/run/libvirt/", .also = "No such file or directory",
	  .code = "LIBVIRT-DAEMON-DOWN", .sources = LV,
	  .example = "error: Failed to connect socket to '/var/run/libvirt/virtqemud-sock': No such file or "
		     "directory",
	  .near_miss = "error: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied" },
	{ .needle = "Failed to connect socket to '/var/run/libvirt/", .also = "Connection refused",
	  .code = "LIBVIRT-DAEMON-DOWN", .sources = LV,
	  .example = "error: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Connection refused",
	  .near_miss = "error: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied" },
	{ .needle = "Failed to connect socket to", .also = "Permission denied", .code = "LIBVIRT-POLKIT-DENIED",
	  .sources = LV,
	  .example = "error: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied",
	  .near_miss = "error: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Connection refused" },
	{ .needle = "no polkit agent available", .code = "LIBVIRT-POLKIT-DENIED", .sources = LV,
	  .example = "error: authentication unavailable: no polkit agent available to authenticate action "
		     "'org.libvirt.unix.manage'",
	  .near_miss = "polkit agent available" },
	{ .needle = "system policy prevents management", .code = "LIBVIRT-POLKIT-DENIED", .sources = LV,
	  .example = "error: access denied: authentication failed: system policy prevents management of "
		     "local virtualized systems",
	  .near_miss = "system policy allows management" },
	{ .needle = "network 'default' is not active", .code = "LIBVIRT-NET-INACTIVE",
	  .route = "try net-start: LIBVIRT-NET-CONFLICT or LIBVIRT-NET-FIREWALL when it fails", .sources = LV,
	  .example = "error : virNetworkObjIsActive: Requested operation is not valid: network 'default' is "
		     "not active",
	  .near_miss = "network 'isolated' is not active" },
	{ .needle = "no network with matching name 'default'", .code = "LIBVIRT-NET-INACTIVE",
	  .route = "the network is not even defined", .sources = LV,
	  .example = "error: Network not found: no network with matching name 'default'",
	  .near_miss = "no network with matching name 'lab'" },
	{ .needle = "Network is already in use by interface", .code = "LIBVIRT-NET-CONFLICT", .sources = LV,
	  .example = "error: internal error: Network is already in use by interface eth0",
	  .near_miss = "Network is in use" },
	{ .needle = "bridge name 'virbr0' already in use", .code = "LIBVIRT-NET-CONFLICT", .sources = LV,
	  .example = "error: internal error: bridge name 'virbr0' already in use.",
	  .near_miss = "bridge name 'virbr1' already in use." },
	{ .needle = "error creating bridge interface virbr0: File exists", .code = "LIBVIRT-NET-CONFLICT",
	  .sources = LV, .example = "error : virNetDevBridgeCreate: error creating bridge interface virbr0: File "
				   "exists",
	  .near_miss = "error creating bridge interface virbr0: Operation not permitted" },
	{ .needle = "failed to create listening socket", .code = "LIBVIRT-NET-CONFLICT",
	  .route = "dnsmasq: another DNS/DHCP server holds the port", .sources = LV, .flags = LOGSCAN_WEAK,
	  .example = "dnsmasq: failed to create listening socket for 192.168.122.1: Address already in use",
	  .near_miss = "dnsmasq: created listening socket" },
	{ .needle = "Failed to initialize a valid firewall backend", .code = "LIBVIRT-NET-FIREWALL", .sources = LV,
	  .example = "error : virFirewallValidateBackend: internal error: Failed to initialize a valid firewall "
		     "backend",
	  .near_miss = "firewall backend initialized" },
	{ .needle = "Failed to apply firewall rules", .code = "LIBVIRT-NET-FIREWALL", .sources = LV,
	  .example = "error: internal error: Failed to apply firewall rules /usr/sbin/iptables -w --table "
		     "filter --insert LIBVIRT_INP: iptables: No chain/target/match by that name.",
	  .near_miss = "Applied firewall rules" },
	{ .needle = "bridge helper", .code = "LIBVIRT-SESSION-BRIDGE", .sources = LV, .flags = LOGSCAN_WEAK,
	  .example = "qemu-system-x86_64: -netdev bridge,br=virbr0,id=hostnet0: bridge helper failed",
	  .near_miss = "bridge-helper" },
	{ .needle = "access denied by acl file", .code = "LIBVIRT-SESSION-BRIDGE", .sources = LV,
	  .example = "access denied by acl file", .near_miss = "access granted by acl file" },
	{ .needle = "failed to parse default acl file", .code = "LIBVIRT-SESSION-BRIDGE", .sources = LV,
	  .example = "failed to parse default acl file `/etc/qemu/bridge.conf'",
	  .near_miss = "parsed default acl file" },
	{ .needle = "no storage pool with matching name 'default'", .code = "LIBVIRT-POOL-MISSING",
	  .route = "session vs system URI", .sources = LV,
	  .example = "error: Storage pool not found: no storage pool with matching name 'default'",
	  .near_miss = "no storage pool with matching name 'images'" },
	{ .needle = "storage pool 'default' is not active", .code = "LIBVIRT-POOL-MISSING",
	  .route = "session vs system URI", .sources = LV,
	  .example = "error: Requested operation is not valid: storage pool 'default' is not active",
	  .near_miss = "storage pool 'images' is not active" },
	{ .needle = "Cannot access storage file", .also = "Permission denied", .code = "LIBVIRT-STORAGE-PERM",
	  .route = "when the qemu user can traverse the path (DAC), look at AppArmor/SELinux denials next",
	  .sources = LV,
	  .example = "error: Cannot access storage file '/home/alice/win10.qcow2' (as uid:64055, gid:993): "
		     "Permission denied",
	  .near_miss = "error: Cannot access storage file '/srv/x.qcow2': No such file or directory" },
	{ .needle = "apparmor=\"DENIED\"", .also = "profile=\"libvirt-", .code = "LIBVIRT-APPARMOR-DENIED",
	  .sources = K | AU,
	  .example = "audit: type=1400 audit(1714557601.123:88): apparmor=\"DENIED\" operation=\"open\" "
		     "profile=\"libvirt-6f1a0c2e-3b0a-4c1e-9f5e-2d1c0a9b8e7f\" name=\"/home/alice/win10.qcow2\" "
		     "pid=4242 comm=\"qemu-system-x86\" requested_mask=\"r\" denied_mask=\"r\"",
	  .near_miss = "audit: type=1400 apparmor=\"DENIED\" operation=\"open\" profile=\"/usr/sbin/cupsd\"" },
	{ .needle = "avc:  denied", .also = "svirt_", .code = "LIBVIRT-SELINUX-DENIED",
	  .route = "svirt_tcg_t also means the guest runs without KVM (LIBVIRT-NO-KVM); permissive=1 only logs",
	  .sources = AU | K,
	  .example = "type=AVC msg=audit(1714557601.123:412): avc:  denied  { read } for  pid=4242 "
		     "comm=\"qemu-kvm\" name=\"win10.qcow2\" scontext=system_u:system_r:svirt_t:s0:c12,c345 "
		     "tcontext=unconfined_u:object_r:user_home_t:s0 tclass=file permissive=0",
	  .near_miss = "type=AVC msg=audit(1714557601.1:4): avc:  denied  { read } for pid=1 comm=\"httpd\" "
		       "scontext=system_u:system_r:httpd_t:s0" },

	/* ---- IOMMU, VFIO, hugepages, firmware ---- */
	{ .needle = "No ACPI DMAR table found", .code = "PCI-IOMMU-OFF", .sources = LV | K,
	  .example = "  QEMU: Checking for device assignment IOMMU support : WARN (No ACPI DMAR table found, "
		     "IOMMU either disabled in BIOS or not supported by this hardware platform)",
	  .near_miss = "ACPI DMAR table found" },
	{ .needle = "No ACPI IVRS table found", .code = "PCI-IOMMU-OFF", .sources = LV | K,
	  .example = "  QEMU: Checking for device assignment IOMMU support : WARN (No ACPI IVRS table found, "
		     "IOMMU either disabled in BIOS or not supported by this hardware platform)",
	  .near_miss = "ACPI IVRS table found" },
	{ .needle = "IOMMU appears to be disabled in kernel", .code = "PCI-IOMMU-OFF", .sources = LV | K,
	  .example = "  QEMU: Checking if IOMMU is enabled by kernel : WARN (IOMMU appears to be disabled in "
		     "kernel. Add intel_iommu=on to kernel cmdline arguments)",
	  .near_miss = "IOMMU appears to be enabled in kernel" },
	{ .needle = "host doesn't support passthrough of host PCI devices", .code = "PCI-IOMMU-OFF",
	  .sources = LV, .example = "error: unsupported configuration: host doesn't support passthrough of host "
				   "PCI devices",
	  .near_miss = "host supports passthrough of host PCI devices" },
	{ .needle = "is not viable", .also = "vfio", .code = "PCI-VFIO-GROUP-NOT-VIABLE", .sources = K | LV,
	  .example = "[  120.3] vfio-pci 0000:01:00.0: vfio 0000:01:00.0: group 1 is not viable",
	  .near_miss = "plan B is not viable" },
	{ .needle = "Unable to find any usable hugetlbfs mount", .code = "LIBVIRT-HUGEPAGES", .sources = LV,
	  .example = "error: internal error: Unable to find any usable hugetlbfs mount for 2048 KiB",
	  .near_miss = "found a usable hugetlbfs mount" },
	{ .needle = "hugetlbfs filesystem is not mounted", .code = "LIBVIRT-HUGEPAGES", .sources = LV,
	  .example = "error: hugetlbfs filesystem is not mounted or disabled by administrator config",
	  .near_miss = "hugetlbfs filesystem is mounted" },
	{ .needle = "Unable to find any firmware to satisfy 'efi'", .code = "LIBVIRT-OVMF-MISSING", .sources = LV,
	  .example = "error: operation failed: Unable to find any firmware to satisfy 'efi'",
	  .near_miss = "Unable to find any firmware to satisfy 'bios'" },
	{ .needle = "Did not find any UEFI binary path", .code = "LIBVIRT-OVMF-MISSING", .sources = LV,
	  .example = "ERROR    Did not find any UEFI binary path for arch 'x86_64'",
	  .near_miss = "Found a UEFI binary path" },
	{ .needle = "unable to find any master var store", .code = "LIBVIRT-OVMF-MISSING", .sources = LV,
	  .example = "error: operation failed: unable to find any master var store for loader: "
		     "/usr/share/OVMF/OVMF_CODE.fd",
	  .near_miss = "found master var store" },

	/* ---- VMware ---- */
	{ .needle = "Could not open /dev/vmmon", .code = "VMW-VMMON-MISSING",
	  .route = "VMW-MODBUILD-FAIL when no vmmon.ko exists; VMW-SECUREBOOT when it exists but is unsigned",
	  .sources = VM,
	  .example = "2024-05-01T10:00:01.123Z In(05) vmx Msg_Post: Error: Could not open /dev/vmmon: No such "
		     "file or directory.",
	  .near_miss = "Opened /dev/vmmon" },
	{ .needle = "Version mismatch with vmmon module", .code = "VMW-VERSION-MISMATCH", .sources = VM,
	  .example = "2024-05-01T10:00:01.123Z In(05) vmx Version mismatch with vmmon module: expecting "
		     "417.0, got 416.0.",
	  .near_miss = "Version match with vmmon module" },
	{ .needle = "Unable to install all modules", .code = "VMW-MODBUILD-FAIL",
	  .route = "DKMS-HEADERS-MISSING when the kernel headers are absent", .sources = VM,
	  .example = "2024-05-01T10:00:01.123Z error| Unable to install all modules.  See log for details.",
	  .near_miss = "Installed all modules" },
	{ .needle = "Kernel headers for version", .code = "VMW-MODBUILD-FAIL",
	  .route = "DKMS-HEADERS-MISSING when the kernel headers are absent", .sources = VM,
	  .example = "2024-05-01T10:00:01.123Z I125: Kernel headers for version 6.8.0-31-generic were not "
		     "found.",
	  .near_miss = "Kernel version 6.8.0-31-generic" },
	{ .needle = "This host supports Intel VT-x, but Intel VT-x is disabled", .code = "VMW-HV-UNAVAILABLE",
	  .route = "CPU-VT-DISABLED (MSR 0x3a and the kernel log decide; TXT variant when bit1 is set)",
	  .sources = VM,
	  .example = "2024-05-01T10:00:01.123Z In(05) vmx Msg_Post: Error: This host supports Intel VT-x, but "
		     "Intel VT-x is disabled.",
	  .near_miss = "This host supports Intel VT-x." },
	{ .needle = "This host does not support Intel VT-x", .code = "VMW-HV-UNAVAILABLE",
	  .route = "CPU-NO-HWVIRT, or GUEST-NO-NESTED when CPUID.01H:ECX[31]=1", .sources = VM,
	  .example = "2024-05-01T10:00:01.123Z In(05) vmx Msg_Post: Error: This host does not support Intel "
		     "VT-x.",
	  .near_miss = "This host does support Intel VT-x." },
	{ .needle = "Virtualized Intel VT-x/EPT is not supported", .code = "VMW-HV-UNAVAILABLE",
	  .route = "GUEST-NO-NESTED (vhv.enable on a host that cannot nest)", .sources = VM,
	  .example = "2024-05-01T10:00:01.123Z In(05) vmx Msg_Post: Error: Virtualized Intel VT-x/EPT is not "
		     "supported on this platform.",
	  .near_miss = "Virtualized Intel VT-x/EPT is supported on this platform." },

	/* ---- VirtualBox ---- */
	{ .needle = "VERR_VM_DRIVER_NOT_INSTALLED", .code = "VBOX-DRV-NOT-LOADED",
	  .route = "VBOX-SETUP-FAIL when no vboxdrv exists for the running kernel; VBOX-SECUREBOOT when it is "
		   "rejected",
	  .sources = VB,
	  .example = "00:00:00.512 Failed to open the support driver: VERR_VM_DRIVER_NOT_INSTALLED (-1908)",
	  .near_miss = "VERR_VM_DRIVER_NOT_ACCESSIBLE" },
	{ .needle = "rc=-1908", .code = "VBOX-DRV-NOT-LOADED",
	  .route = "VBOX-SETUP-FAIL when no vboxdrv exists for the running kernel; VBOX-SECUREBOOT when it is "
		   "rejected",
	  .sources = VB, .example = "00:00:01.000 Kernel driver not installed (rc=-1908)",
	  .near_miss = "Kernel driver not accessible (rc=-1909)" },
	{ .needle = "VERR_VM_DRIVER_NOT_ACCESSIBLE", .code = "VBOX-DRV-NOT-LOADED",
	  .route = "permissions: /dev/vboxdrv mode and the vboxusers group", .sources = VB,
	  .example = "where: suplibOsInit what: 3 VERR_VM_DRIVER_NOT_ACCESSIBLE (-1909)",
	  .near_miss = "VERR_VM_DRIVER_NOT_INSTALLED" },
	{ .needle = "rc=-1909", .code = "VBOX-DRV-NOT-LOADED",
	  .route = "permissions: /dev/vboxdrv mode and the vboxusers group", .sources = VB,
	  .example = "00:00:01.000 Kernel driver not accessible (rc=-1909)",
	  .near_miss = "Kernel driver not installed (rc=-1908)" },
	{ .needle = "VERR_VM_DRIVER_VERSION_MISMATCH", .code = "VBOX-VERSION-MISMATCH", .sources = VB,
	  .example = "where: supR3HardenedMainInitRuntime what: 4 VERR_VM_DRIVER_VERSION_MISMATCH (-1912) - The "
		     "installed support driver doesn't match the version of the user.",
	  .near_miss = "VERR_VM_DRIVER_NOT_INSTALLED" },
	{ .needle = "rc=-1912", .code = "VBOX-VERSION-MISMATCH", .sources = VB,
	  .example = "RTR3InitEx failed with rc=-1912 (rc=-1912)", .near_miss = "RTR3InitEx failed with rc=-1908" },
	{ .needle = "'VMMR0.r0' (VERR_SYMBOL_NOT_FOUND)", .code = "VBOX-VERSION-MISMATCH", .sources = VB,
	  .example = "00:00:02.1 VMSetError: Failed to resolve symbol 'SUPR0EnableHwvirt' for module 'VMMR0.r0' "
		     "(VERR_SYMBOL_NOT_FOUND)",
	  .near_miss = "symbol for module 'VBoxDDR0.r0' (VERR_SYMBOL_NOT_FOUND)" },
	{ .needle = "not set up to build kernel modules", .code = "VBOX-SETUP-FAIL",
	  .route = "DKMS-HEADERS-MISSING when the kernel headers are absent", .sources = VB,
	  .example = "This system is currently not set up to build kernel modules.",
	  .near_miss = "This system is set up to build kernel modules." },
	{ .needle = "Look at /var/log/vbox-setup.log", .code = "VBOX-SETUP-FAIL",
	  .route = "the lines of vbox-setup.log say which build step failed", .sources = VB,
	  .example = "Look at /var/log/vbox-setup.log to find out what went wrong.",
	  .near_miss = "Wrote /var/log/vbox-setup.log" },
	{ .needle = "You must sign these kernel modules", .code = "VBOX-SECUREBOOT",
	  .route = "SB-UNSIGNED-MODULE / SB-MOK-NOT-ENROLLED decide which step is missing", .sources = VB,
	  .example = "You must sign these kernel modules before using VirtualBox:",
	  .near_miss = "These kernel modules are signed" },
	{ .needle = "Failed to enroll secure boot key", .code = "VBOX-SECUREBOOT",
	  .route = "SB-MOK-NOT-ENROLLED", .sources = VB, .example = "vboxdrv.sh: failed: Failed to enroll secure "
								   "boot key..",
	  .near_miss = "Enrolled secure boot key" },
	{ .needle = "VERR_VMX_NO_VMX", .code = "VBOX-HWVIRT-UNAVAILABLE",
	  .route = "CPU-NO-HWVIRT, or GUEST-NO-NESTED when CPUID.01H:ECX[31]=1", .sources = VB,
	  .example = "00:00:02.3 Power up failed (vrc=VERR_VMX_NO_VMX, rc=NS_ERROR_FAILURE (0X80004005))",
	  .near_miss = "VERR_VMX_IN_VMX_ROOT_MODE" },
	{ .needle = "VERR_SVM_NO_SVM", .code = "VBOX-HWVIRT-UNAVAILABLE",
	  .route = "CPU-NO-HWVIRT, or GUEST-NO-NESTED when CPUID.01H:ECX[31]=1", .sources = VB,
	  .example = "AMD-V is not available (VERR_SVM_NO_SVM)", .near_miss = "VERR_SVM_IN_USE" },
	{ .needle = "VERR_VMX_MSR_ALL_VMX_DISABLED", .code = "VBOX-HWVIRT-UNAVAILABLE",
	  .route = "CPU-VT-DISABLED", .sources = VB,
	  .example = "VT-x is disabled in the BIOS for all CPU modes (VERR_VMX_MSR_ALL_VMX_DISABLED)",
	  .near_miss = "VERR_VMX_MSR_LOCKING_FAILED" },
	{ .needle = "VERR_VMX_MSR_VMX_DISABLED", .code = "VBOX-HWVIRT-UNAVAILABLE", .route = "CPU-VT-DISABLED",
	  .sources = VB, .example = "VT-x is disabled in the BIOS (VERR_VMX_MSR_VMX_DISABLED)",
	  .near_miss = "VERR_VMX_MSR_ALL_VMX_DISABLED" },
	{ .needle = "VERR_VMX_MSR_LOCKING_FAILED", .code = "VBOX-HWVIRT-UNAVAILABLE", .route = "CPU-VT-DISABLED",
	  .sources = VB, .example = "Failed to enable and lock VT-x features (VERR_VMX_MSR_LOCKING_FAILED)",
	  .near_miss = "VERR_VMX_MSR_VMX_DISABLED" },
	{ .needle = "VERR_SVM_DISABLED", .code = "VBOX-HWVIRT-UNAVAILABLE",
	  .route = "CPU-SVM-DISABLED; with SVMDIS=0 in the MSR another hypervisor (VBOX-KVM-CONFLICT)",
	  .sources = VB, .example = "AMD-V is disabled in the BIOS (or by the host OS) (VERR_SVM_DISABLED)",
	  .near_miss = "VERR_SVM_HOST_SVME_NOT_ENABLED" },
	{ .needle = "VERR_VMX_IN_VMX_ROOT_MODE", .code = "VBOX-KVM-CONFLICT",
	  .route = "the matrix of kernel release, VirtualBox version and kvm.enable_virt_at_load", .sources = VB,
	  .example = "VT-x is being used by another hypervisor (VERR_VMX_IN_VMX_ROOT_MODE).",
	  .near_miss = "VERR_VMX_NO_VMX" },
	{ .needle = "VERR_SVM_IN_USE", .code = "VBOX-KVM-CONFLICT",
	  .route = "the matrix of kernel release, VirtualBox version and kvm.enable_virt_at_load", .sources = VB,
	  .example = "AMD-V is being used by another hypervisor (VERR_SVM_IN_USE).",
	  .near_miss = "VERR_SVM_NO_SVM" },
	{ .needle = "VERR_SVM_HOST_SVME_NOT_ENABLED", .code = "VBOX-KVM-CONFLICT",
	  .route = "VirtualBox 7.2.10+ needs KVM to enable virtualization: remove kvm.enable_virt_at_load=0",
	  .sources = VB, .versions = "VirtualBox>=7.2.10", .flags = LOGSCAN_APPROX,
	  .example = "Host API has not enabled SVME bit in EFER MSR. (VERR_SVM_HOST_SVME_NOT_ENABLED)",
	  .near_miss = "VERR_SVM_DISABLED" },

	/* ---- Secure Boot and module signing ---- */
	{ .needle = "unsigned module loading is restricted", .code = "SB-UNSIGNED-MODULE",
	  .route = "SB-MOK-NOT-ENROLLED when modinfo -F signer is not empty", .sources = K | BUILD_LOGS,
	  .example = "[   30.1] Lockdown: modprobe: unsigned module loading is restricted; see man "
		     "kernel_lockdown.7",
	  .near_miss = "Lockdown: modprobe: unsigned module loading is allowed" },
	{ .needle = "Loading of unsigned module is rejected", .code = "SB-UNSIGNED-MODULE",
	  .route = "SB-MOK-NOT-ENROLLED when modinfo -F signer is not empty", .sources = K | BUILD_LOGS,
	  .example = "[   30.1] Loading of unsigned module is rejected",
	  .near_miss = "Loading of module with unavailable key is rejected" },
	{ .needle = "Key was rejected by service", .code = "SB-UNSIGNED-MODULE",
	  .route = "SB-MOK-NOT-ENROLLED when modinfo -F signer is not empty", .sources = K | BUILD_LOGS,
	  .example = "modprobe: ERROR: could not insert 'vmmon': Key was rejected by service",
	  .near_miss = "modprobe: ERROR: could not insert 'vmmon': Operation not permitted" },
	{ .needle = "Required key not available", .code = "SB-UNSIGNED-MODULE",
	  .route = "SB-MOK-NOT-ENROLLED when modinfo -F signer is not empty", .sources = K | BUILD_LOGS,
	  .example = "modprobe: ERROR: could not insert 'vboxdrv': Required key not available",
	  .near_miss = "Required key available" },
	{ .needle = "Loading of module with unavailable key is rejected", .code = "SB-MOK-NOT-ENROLLED",
	  .route = "usually; mokutil --test-key decides", .sources = K | BUILD_LOGS,
	  .example = "[   30.1] Loading of module with unavailable key is rejected",
	  .near_miss = "Loading of unsigned module is rejected" },
	{ .needle = "module verification failed: signature and/or required key missing - tainting kernel",
	  .route = "informational only: the module loaded (taint flag E), not a failure", .sources = K,
	  .flags = LOGSCAN_INFO,
	  .example = "[   12.9] vboxdrv: module verification failed: signature and/or required key missing - "
		     "tainting kernel",
	  .near_miss = "vboxdrv: module verification failed" },

	/* ---- DKMS ---- */
	{ .needle = "Your kernel headers for kernel", .also = "cannot be found", .code = "DKMS-HEADERS-MISSING",
	  .sources = BUILD_LOGS,
	  .example = "Error! Your kernel headers for kernel 6.8.0-31-generic cannot be found at "
		     "/lib/modules/6.8.0-31-generic/build or /lib/modules/6.8.0-31-generic/source.",
	  .near_miss = "Your kernel headers for kernel 6.8.0-31-generic were found" },
	{ .needle = "Bad return status for module build on kernel", .code = "DKMS-BUILD-FAILED",
	  .route = "make.log says which compile step failed", .sources = BUILD_LOGS,
	  .example = "Error! Bad return status for module build on kernel: 6.8.0-31-generic (x86_64)",
	  .near_miss = "Good return status for module build on kernel" },
};

const struct logscan_sig *logscan_signatures(size_t *count)
{
	*count = sizeof signature_table / sizeof signature_table[0];
	return signature_table;
}
