/* SPDX-License-Identifier: MIT */
/* The failure-mode catalogue: every code of knowledge/failure-modes.md section B, plus vmdoctor's own. */
#include "vmdoctor/codes.h"

#include <strings.h>

/*
 * Texts are written for a desktop user, from the knowledge base: explanation = what is wrong and
 * why the VM fails; fix = short lines joined by "\n", no trailing newline. docs only carries links
 * that the knowledge base cites for that mode; a mode without one has none.
 * The first CODES_KB_COUNT entries follow section B in order (tests/fixtures/codes-kb.txt).
 */

#define CODES_KB_COUNT 38      /* #### headings in failure-modes.md section B */
#define CODES_VMDOCTOR_COUNT 3 /* QEMU host devices */

#define GROUP_CPU "CPU, firmware and nesting"
#define GROUP_KVM "KVM device node and module"
#define GROUP_LIBVIRT "libvirt"
#define GROUP_VMW "VMware Workstation / Player"
#define GROUP_VBOX "VirtualBox"
#define GROUP_SB "Secure Boot and module signing"
#define GROUP_DKMS "DKMS and kernel headers"
#define GROUP_QEMU "QEMU host devices"

#define GH "https://github.com/"

const struct code_info code_table[] = {
	/* B.1 CPU, firmware and nesting */
	{
		.code = "CPU-NO-HWVIRT",
		.group = GROUP_CPU,
		.title = "This processor has no hardware virtualization (VT-x/AMD-V)",
		.explanation = "Fast virtual machines need a processor feature called hardware "
			"virtualization (Intel calls it VT-x, AMD calls it AMD-V). This processor does not "
			"have it at all, so KVM cannot load and VirtualBox and VMware refuse to start 64-bit "
			"guests. No BIOS or firmware setting can help, because the feature is missing from "
			"the chip itself.",
		.fix = "Nothing on this computer can add the feature.\n"
			"QEMU can still run guests in pure software emulation (TCG), which is very slow.\n"
			"For usable VMs, use a computer whose processor has VT-x or AMD-V.",
		.needs = 0,
	},
	{
		.code = "CPU-VT-DISABLED",
		.group = GROUP_CPU,
		.title = "Intel VT-x is switched off in the firmware (BIOS/UEFI)",
		.explanation = "The processor has Intel VT-x, the feature that lets virtual machines run at "
			"full speed, but the firmware (the BIOS/UEFI setup that runs before Linux) has "
			"switched it off and locked that choice until the next power-up. KVM, VirtualBox and "
			"VMware all need VT-x, so they refuse to start VMs or fall back to very slow "
			"emulation. VMware says \"This host supports Intel VT-x, but Intel VT-x is "
			"disabled.\" and the kernel log says VMX or kvm is \"disabled by bios\".",
		.fix = "Enter the firmware setup (BIOS/UEFI) while the machine starts.\n"
			"Enable \"Intel Virtualization Technology\" (VT-x, Vanderpool), often in Advanced > "
			"CPU.\n"
			"If \"Trusted Execution\" (Intel TXT) is on and you do not boot through tboot, turn "
			"it off.\n"
			"Save, then power the machine fully off and on again: a plain reboot keeps the "
			"lock.\n"
			"Already enabled? A custom kernel built without CONFIG_KVM_INTEL locks VT-x off "
			"itself.\n"
			"Some laptops hide the option; a firmware update from the vendor may be needed.",
		.needs = CODE_NEEDS_FIRMWARE | CODE_NEEDS_REBOOT,
		.docs = {
			"https://chromium.googlesource.com/chromiumos/third_party/coreboot/+/"
			"00c8714edc6e9a18ab85c4054d6b8a7b6d263cbe",
			"https://reviews.freebsd.org/rG17d214c2ca9f110db3fa2a10d6b448d624e87774",
			GH "cloud-hypervisor/rust-hypervisor-firmware/issues/438",
		},
	},
	{
		.code = "CPU-SVM-DISABLED",
		.group = GROUP_CPU,
		.title = "AMD-V (SVM) is switched off in the firmware (BIOS/UEFI)",
		.explanation = "The processor has AMD-V, the feature that lets virtual machines run at full "
			"speed (firmware menus usually call it \"SVM Mode\"), but the firmware setup has "
			"switched it off. Without it the kvm_amd module (KVM's AMD part) will not load, and "
			"VirtualBox and VMware cannot start VMs. On newer kernels (from around 6.8) Linux "
			"then also hides the svm flag from its CPU feature list in /proc/cpuinfo, so the "
			"processor can look as if it lacked AMD-V; it does not.",
		.fix = "Enter the firmware setup (BIOS/UEFI) while the machine starts.\n"
			"Set \"SVM Mode\" (also called SVM or AMD-V) to Enabled, often under Advanced > CPU "
			"Configuration.\n"
			"Gigabyte boards: M.I.T. > Advanced Frequency Settings > Advanced CPU Core "
			"Settings.\n"
			"Enabling \"IOMMU\" or \"SR-IOV\" does not turn on SVM.\n"
			"Save, then power the machine fully off and on again.",
		.needs = CODE_NEEDS_FIRMWARE | CODE_NEEDS_REBOOT,
		.docs = {
			GH "QaidVoid/Complete-Single-GPU-Passthrough/issues/19",
			GH "HoShiMin/Kernel-Bridge/issues/50",
		},
	},
	{
		.code = "GUEST-NO-NESTED",
		.group = GROUP_CPU,
		.title = "Running inside a VM that does not offer VT-x/AMD-V to its guests",
		.explanation = "vmdoctor is running inside a virtual machine: a cloud instance, a "
			"VirtualBox, VMware or Hyper-V guest, or WSL2. To run VMs in here (nested "
			"virtualization), the outer hypervisor that runs this machine must pass the "
			"processor's VT-x/AMD-V feature through, and it does not. So KVM, VirtualBox and "
			"VMware in here either refuse to start VMs or fall back to very slow emulation.",
		.fix = "Fix it on the outer host that runs this VM (cloud: pick a type with nesting); "
			"nothing in here helps.\n"
			"KVM/libvirt: enable nesting there (KVM-NESTED-OFF); give this VM <cpu "
			"mode='host-passthrough'/>.\n"
			"VMware host: tick \"Virtualize Intel VT-x/EPT or AMD-V/RVI\" (vhv.enable = \"TRUE\" "
			"in the .vmx).\n"
			"VirtualBox host: VBoxManage modifyvm \"<vm>\" --nested-hw-virt on\n"
			"Hyper-V: Set-VMProcessor -VMName <vm> -ExposeVirtualizationExtensions $true\n"
			"Then power this VM fully off and start it again; a restart from inside is not "
			"enough.",
		.needs = CODE_NEEDS_OUTER_HOST,
		.docs = {
			GH "laravel/homestead/issues/1579",
			GH "kubernetes/minikube/issues/5326",
			GH "virtkick/virtkick/issues/163",
		},
	},
	{
		.code = "KVM-NESTED-OFF",
		.group = GROUP_CPU,
		.title = "Nested virtualization is turned off in this host's KVM",
		.explanation = "This machine runs KVM guests, but KVM's \"nested\" option is off, so those "
			"guests cannot run virtual machines of their own (nested virtualization). Anyone who "
			"tries to start VMs inside them sees them refused or running very slowly. The option "
			"has been on by default since Linux 4.20 on Intel (much longer on AMD), so it was "
			"usually turned off by a line in /etc/modprobe.d/, a distribution setting or a very "
			"old kernel.",
		.fix = "echo \"options kvm_intel nested=1\" | sudo tee /etc/modprobe.d/kvm-nested.conf   "
			"(AMD: kvm_amd)\n"
			"Shut down all running VMs.\n"
			"sudo modprobe -r kvm_intel && sudo modprobe kvm_intel   (AMD: kvm_amd)\n"
			"Check: /sys/module/kvm_intel/parameters/nested now shows Y or 1.\n"
			"Give the guest <cpu mode='host-passthrough'/> (virsh edit <vm>), then power it off "
			"and on.",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			"https://www.infradead.org/git/?a=object&h=1e58e5e59148&p=users%2Fdwmw2%2Flinux.git",
			GH "platform9/express/issues/206",
		},
	},

	/* B.2 KVM device node and module */
	{
		.code = "KVM-DEVNODE-MISSING",
		.group = GROUP_KVM,
		.title = "/dev/kvm is missing: the KVM module is not loaded",
		.explanation = "/dev/kvm is the door through which QEMU, libvirt, GNOME Boxes, minikube and "
			"Android emulators use the processor's virtualization feature. It only appears when "
			"the kvm_intel or kvm_amd kernel module is loaded, and here it is absent, so those "
			"tools fail or fall back to very slow emulation. Often the module is blocked by a "
			"leftover \"blacklist\" line in /etc/modprobe.d/ (for example from an old VirtualBox "
			"workaround), or it refuses to load because of the firmware setting.",
		.fix = "sudo modprobe kvm_intel   (AMD: kvm_amd)\n"
			"If that fails, the kernel log says why: sudo dmesg | grep -i kvm\n"
			"(\"disabled by bios\" means the firmware setting: see CPU-VT-DISABLED or "
			"CPU-SVM-DISABLED.)\n"
			"Remove blacklist lines for kvm, kvm_intel or kvm_amd in /etc/modprobe.d/ and "
			"/usr/lib/modprobe.d/.\n"
			"To load it at boot: echo kvm_intel | sudo tee /etc/modules-load.d/kvm.conf",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			GH "foxlet/macOS-Simple-KVM/issues/252",
			GH "canonical/multipass/issues/12",
			GH "foxlet/macOS-Simple-KVM/issues/121",
		},
	},
	{
		.code = "KVM-DEVNODE-PERM",
		.group = GROUP_KVM,
		.title = "You may not open /dev/kvm (not in the kvm group)",
		.explanation = "/dev/kvm exists, but your user account is not allowed to open it, so QEMU, "
			"Android emulators, minikube and libvirt user sessions fail with \"Permission "
			"denied\" while the same thing works as root. Access normally comes from membership "
			"in the kvm group. If you were added to the group recently, your current login "
			"session does not know yet: group changes only take effect after you log out and "
			"back in.",
		.fix = "sudo usermod -aG kvm $USER\n"
			"Log out and back in (or reboot); a new terminal is not enough. newgrp kvm works for "
			"one shell.\n"
			"Check: id -nG lists kvm.\n"
			"Wrong group? Put KERNEL==\"kvm\", GROUP=\"kvm\", MODE=\"0660\" in "
			"/etc/udev/rules.d/65-kvm.rules\n"
			"  and run sudo udevadm control --reload-rules && sudo udevadm trigger "
			"--name-match=kvm\n"
			"Avoid chmod 666 /dev/kvm as a permanent answer.",
		.needs = CODE_NEEDS_ROOT | CODE_NEEDS_RELOGIN,
		.docs = {
			GH "intel/ccloudvm/issues/66",
			GH "sickcodes/Docker-OSX/issues/55",
			GH "kubernetes/minikube/issues/18192",
		},
	},
	{
		.code = "KVM-BUSY-OTHER-HV",
		.group = GROUP_KVM,
		.title = "Another hypervisor (VirtualBox or VMware) is holding VT-x/AMD-V",
		.explanation = "Only one hypervisor at a time can switch on the processor's virtualization "
			"feature. While a VirtualBox or VMware VM is running, KVM cannot turn it on, so QEMU "
			"and libvirt VMs fail with \"Device or resource busy\". On Linux 6.12 and later KVM "
			"switches the feature on as soon as its module loads, so even loading kvm_intel or "
			"kvm_amd can fail while the other hypervisor holds it.",
		.fix = "Shut down the running VirtualBox or VMware VMs, then start the KVM/QEMU VM again.\n"
			"Still busy: unload the other driver: sudo modprobe -r vboxnetadp vboxnetflt "
			"vboxdrv\n"
			"  (VMware: vmmon)\n"
			"The two cannot run VMs at the same time.",
		.needs = 0,
		.docs = {
			GH "kubernetes/minikube/issues/4913",
			GH "ipdk-io/ipdk/issues/98",
			GH "quickemu-project/quickemu/issues/13",
		},
	},

	/* B.3 libvirt */
	{
		.code = "LIBVIRT-DAEMON-DOWN",
		.group = GROUP_LIBVIRT,
		.title = "The libvirt service is not running",
		.explanation = "virsh, virt-manager, Vagrant, minikube and similar tools manage VMs through "
			"a background service, libvirtd (or, on newer systems, a set of smaller services "
			"such as virtqemud), reached through a socket file under /run/libvirt. That service "
			"is not running or its socket is missing, so every connection fails with \"failed to "
			"connect to the hypervisor\" or \"Failed to connect socket\". On Debian and Ubuntu "
			"the service comes from the libvirt-daemon-system package, which may not be "
			"installed.",
		.fix = "Single daemon: sudo systemctl enable --now libvirtd\n"
			"Modular daemons (default on Fedora 35+ and RHEL 9):\n"
			"  for d in qemu network nodedev nwfilter secret storage; do\n"
			"    sudo systemctl enable --now virt${d}d.socket; done\n"
			"Use one setup, not both. Debian/Ubuntu: sudo apt install libvirt-daemon-system\n"
			"Startup errors: journalctl -u libvirtd -u virtqemud",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			"https://libvirt.org/daemons.html",
			GH "crc-org/crc/issues/2839",
			GH "vagrant-libvirt/vagrant-libvirt/issues/1405",
		},
	},
	{
		.code = "LIBVIRT-POLKIT-DENIED",
		.group = GROUP_LIBVIRT,
		.title = "Your user may not manage system VMs (qemu:///system)",
		.explanation = "System-wide VMs (libvirt's qemu:///system connection) may only be managed by "
			"root and by members of the libvirt group; polkit, the desktop's permission service, "
			"or the permissions of libvirt's socket file enforce this. Your account is not in "
			"that group, or was added but has not logged in again, so virsh and virt-manager ask "
			"for a password every time or fail with \"authentication unavailable\" or "
			"\"Permission denied\".",
		.fix = "sudo usermod -aG libvirt $USER   (older Debian: libvirtd; or the service account, "
			"e.g. www-data)\n"
			"Log out and back in (or restart the service that connects), then check id -nG.\n"
			"On minimal window managers (i3, Hyprland) also run a polkit agent.\n"
			"Do not chmod 777 /var/run/libvirt; that common forum answer is unsafe.",
		.needs = CODE_NEEDS_ROOT | CODE_NEEDS_RELOGIN,
		.docs = {
			GH "virt-manager/virt-manager/issues/625",
			GH "Qubinode/qubinode-installer/issues/11",
			GH "retspen/webvirtcloud/issues/240",
		},
	},
	{
		.code = "LIBVIRT-NET-INACTIVE",
		.group = GROUP_LIBVIRT,
		.title = "libvirt's 'default' NAT network is not running",
		.explanation = "Most libvirt VMs reach the network through a virtual network called "
			"'default', a private network with shared internet access (NAT) behind the virbr0 "
			"bridge. That network is stopped or not defined at all, so VMs attached to it refuse "
			"to start with \"network 'default' is not active\".",
		.fix = "sudo virsh net-start default && sudo virsh net-autostart default\n"
			"Not defined: sudo virsh net-define /usr/share/libvirt/networks/default.xml, then "
			"start it\n"
			"  (the file comes with the package libvirt-daemon-config-network).\n"
			"dnsmasq must be installed.\n"
			"If net-start fails, its error points to LIBVIRT-NET-CONFLICT or "
			"LIBVIRT-NET-FIREWALL.",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			GH "kubernetes/minikube/issues/828",
			GH "virt-manager/virt-manager/issues/351",
			GH "foxlet/macOS-Simple-KVM/issues/445",
		},
	},
	{
		.code = "LIBVIRT-NET-CONFLICT",
		.group = GROUP_LIBVIRT,
		.title = "libvirt's default network clashes with an address, bridge or DNS",
		.explanation = "The 'default' network cannot start because something else already uses what "
			"it needs. Its 192.168.122.0/24 address range overlaps another network (often a VPN, "
			"Docker, or this machine being a libvirt VM itself), a stale virbr0 bridge is left "
			"over, or another DNS server (dnsmasq) already holds the address or port. Until the "
			"network starts, every VM attached to it fails to start.",
		.fix = "Address overlap: sudo virsh net-edit default; move it, e.g. to 192.168.123.0/24 and "
			"its DHCP range,\n"
			"  then sudo virsh net-destroy default && sudo virsh net-start default\n"
			"Stale bridge: sudo ip link delete virbr0, then start the network again.\n"
			"Busy DNS: give the system dnsmasq bind-interfaces and except-interface=virbr0, or "
			"disable it.",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			GH "virt-lightning/virt-lightning/issues/370",
			"https://listman.redhat.com/archives/libvir-list/2010-March/021609.html",
			GH "cockpit-project/cockpit/issues/14942",
		},
	},
	{
		.code = "LIBVIRT-NET-FIREWALL",
		.group = GROUP_LIBVIRT,
		.title = "libvirt cannot set up the firewall rules its network needs",
		.explanation = "libvirt's NAT network needs firewall rules (iptables or nftables) to hand "
			"out addresses and let VMs reach the internet. Setting them up failed: typically "
			"after a switch between iptables and nftables, on WSL2 or minimal kernels without "
			"the needed netfilter parts, or because another firewall tool wiped libvirt's rules. "
			"The network then fails to start, or VMs start but get no address or no internet.",
		.fix = "Install the missing tool: iptables-nft or nftables.\n"
			"libvirt 10.4+: set firewall_backend = \"nftables\" (or \"iptables\") in "
			"/etc/libvirt/network.conf\n"
			"sudo systemctl restart virtnetworkd (or libvirtd), then sudo virsh net-start "
			"default\n"
			"Another firewall tool flushes the rules? Restart libvirt after it, or use "
			"firewalld's libvirt zone.",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			GH "libvirt/libvirt/issues/102",
			GH "projectbluefin/dakota/issues/1634",
			GH "microsoft/WSL/issues/10281",
		},
	},
	{
		.code = "LIBVIRT-SESSION-BRIDGE",
		.group = GROUP_LIBVIRT,
		.title = "A user-session VM may not attach to the virbr0 bridge",
		.explanation = "VMs in the per-user libvirt connection (qemu:///session, used by GNOME Boxes "
			"and virt-manager's \"User session\") run with your own rights. To join the system's "
			"virbr0 network bridge they go through qemu-bridge-helper, a small program that runs "
			"with root rights and only allows bridges listed in /etc/qemu/bridge.conf. Here that "
			"file does not allow virbr0 or the helper lacks its root rights (setuid bit), so the "
			"VM fails with \"bridge helper failed\" or \"access denied by acl file\".",
		.fix = "echo \"allow virbr0\" | sudo tee -a /etc/qemu/bridge.conf   (file mode 0644, "
			"root:root)\n"
			"Make the helper setuid root: sudo chmod u+s /usr/lib/qemu/qemu-bridge-helper\n"
			"  (Fedora: /usr/libexec/qemu-bridge-helper)\n"
			"Make sure the system 'default' network is active (LIBVIRT-NET-INACTIVE).\n"
			"Or create the VM under qemu:///system instead (libvirt group members need no root).",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			GH "vagrant-libvirt/vagrant-libvirt/issues/272",
			GH "unikraft/docs/issues/182",
			GH "virt-lightning/virt-lightning/issues/56",
		},
	},
	{
		.code = "LIBVIRT-STORAGE-PERM",
		.group = GROUP_LIBVIRT,
		.title = "QEMU cannot reach a disk or ISO file because of folder permissions",
		.explanation = "libvirt runs system VMs as a separate service user (qemu on Fedora/RHEL, "
			"libvirt-qemu on Debian/Ubuntu), not as you. That user must be allowed to pass "
			"through every folder on the way to the disk image or ISO, and a folder such as your "
			"home directory, /media, /run/media or a network share blocks it. The VM fails with "
			"\"Cannot access storage file ... Permission denied\"; namei -l <path> shows which "
			"folder is in the way.",
		.fix = "Best: move the image to /var/lib/libvirt/images.\n"
			"Or allow passing through only: sudo setfacl -m u:qemu:x /home/<you>  (Debian: "
			"u:libvirt-qemu:x)\n"
			"Or make the image owned by, or readable for, the qemu group.\n"
			"Last resort: user = \"<you>\" in /etc/libvirt/qemu.conf, restart libvirt (weakens "
			"isolation).\n"
			"NFS with root_squash: fix the export's permissions instead.",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			GH "virt-manager/virt-manager/issues/266",
			GH "foxlet/macOS-Simple-KVM/issues/620",
			GH "virt-manager/virt-manager/issues/335",
		},
	},
	{
		.code = "LIBVIRT-APPARMOR-DENIED",
		.group = GROUP_LIBVIRT,
		.title = "AppArmor stops QEMU from opening a disk, ISO or firmware file",
		.explanation = "On Ubuntu, Debian and SUSE, AppArmor (a security layer that limits which "
			"files each program may touch) gives every libvirt VM a list of files it may open. A "
			"disk, ISO, backing file or NVRAM file outside the usual places, especially in "
			"hidden folders of your home such as ~/.local, is not on that list. So QEMU gets "
			"\"Permission denied\" although normal file permissions allow access, and the kernel "
			"log shows a line with apparmor=\"DENIED\".",
		.fix = "Simplest: keep images in /var/lib/libvirt/images.\n"
			"Or allow a folder: add the rules  \"/data/vms/\" r,  \"/data/vms/**\" rwk,\n"
			"  to /etc/apparmor.d/local/abstractions/libvirt-qemu, then reload AppArmor and "
			"restart libvirt.\n"
			"qcow2 overlays: record the backing format: qemu-img rebase -u -F qcow2 -b "
			"base.qcow2 overlay.qcow2\n"
			"Avoid security_driver = \"none\" in /etc/libvirt/qemu.conf.",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			GH "cockpit-project/cockpit-machines/issues/193",
			GH "crc-org/crc/issues/1776",
			GH "OpenNebula/one/issues/341",
		},
	},
	{
		.code = "LIBVIRT-SELINUX-DENIED",
		.group = GROUP_LIBVIRT,
		.title = "SELinux stops QEMU from opening a disk or ISO file",
		.explanation = "On Fedora, RHEL and CentOS, SELinux (a security layer that labels every file "
			"and limits which labels each program may use) only lets VMs open files labelled as "
			"VM images. A disk or ISO in your home folder, on a new data disk or on NFS carries "
			"another label, so the VM fails with \"Permission denied\" although normal "
			"permissions are fine. The audit log (sudo ausearch -m avc -ts recent) shows an "
			"\"avc: denied\" line for QEMU.",
		.fix = "Label the folder as VM images: sudo semanage fcontext -a -t virt_image_t "
			"\"/data/vms(/.*)?\"\n"
			"  then sudo restorecon -Rv /data/vms\n"
			"Images on NFS: sudo setsebool -P virt_use_nfs 1   (CIFS/Samba: virt_use_samba)\n"
			"Do not disable SELinux; setenforce 0 is only a test.",
		.needs = CODE_NEEDS_ROOT,
	},
	{
		.code = "LIBVIRT-NO-KVM",
		.group = GROUP_LIBVIRT,
		.title = "libvirt cannot use KVM, so VMs are refused or run very slowly",
		.explanation = "libvirt found no usable KVM, so it refuses to create VMs (\"Host does not "
			"support domain type kvm\") or runs them in pure software emulation (TCG, domain "
			"type 'qemu'), which is many times slower. This is a symptom: the cause is one of "
			"the CPU, KVM or nesting problems vmdoctor checks for. Even after that is fixed, "
			"libvirt may remember the old answer, and VMs created in the meantime stay set to "
			"emulation.",
		.fix = "First fix the cause vmdoctor reports (a CPU-*, KVM-* or GUEST-NO-NESTED code).\n"
			"Check: virsh capabilities | grep \"domain type='kvm'\"\n"
			"Still missing: sudo systemctl restart libvirtd (or virtqemud).\n"
			"VMs made without KVM: virsh edit <vm>, change <domain type='qemu'> to <domain "
			"type='kvm'>.\n"
			"No hardware virtualization at all (cloud VM without nesting): virt-install "
			"--virt-type qemu (slow).",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			GH "vagrant-libvirt/vagrant-libvirt/issues/539",
			GH "thecmdrunner/quick-vm/issues/2",
			GH "virt-manager/virt-manager/issues/481",
		},
	},
	{
		.code = "PCI-IOMMU-OFF",
		.group = GROUP_LIBVIRT,
		.title = "The IOMMU is off, so PCI devices cannot be passed to a VM",
		.explanation = "Giving a VM a real PCI device such as a graphics card (PCI passthrough) "
			"needs the IOMMU, a chipset feature that keeps the device's memory access inside the "
			"VM; Intel calls it VT-d, AMD calls it AMD-Vi. It is off in the firmware, or Linux "
			"was not told to use it. So VMs with passed-through devices will not start.",
		.fix = "Enable VT-d (Intel) or AMD-Vi/IOMMU (AMD) in the firmware setup; \"Auto\" may not be "
			"enough.\n"
			"Intel: add intel_iommu=on to GRUB_CMDLINE_LINUX in /etc/default/grub. AMD needs no "
			"option.\n"
			"Apply: sudo update-grub   (Fedora/RHEL: sudo grub2-mkconfig -o "
			"/boot/grub2/grub.cfg)\n"
			"Then power the machine fully off and on again.\n"
			"Check: ls /sys/kernel/iommu_groups lists numbered groups.\n"
			"amd_iommu=on is not a valid option, and iommu=pt does not switch the IOMMU on.",
		.needs = CODE_NEEDS_ROOT | CODE_NEEDS_REBOOT | CODE_NEEDS_FIRMWARE,
		.docs = {
			GH "BigAnteater/KVM-GPU-Passthrough/issues/19",
			GH "mondoohq/cnspec/issues/3835",
			GH "mondoohq/cnspec/issues/3891",
		},
	},
	{
		.code = "PCI-VFIO-GROUP-NOT-VIABLE",
		.group = GROUP_LIBVIRT,
		.title = "A passed-through device shares its IOMMU group with other devices",
		.explanation = "The IOMMU sorts PCI devices into groups, and a device can only be given to a "
			"VM if every device in its group is handed to vfio-pci, the driver that reserves "
			"devices for VMs. Here another member of the group, typically the HDMI audio part of "
			"a graphics card, is still used by the host. So the VM fails to start with \"group N "
			"is not viable\".",
		.fix = "List the group: ls /sys/kernel/iommu_groups/<N>/devices/\n"
			"Bind all of them: options vfio-pci ids=10de:xxxx,10de:yyyy in "
			"/etc/modprobe.d/vfio.conf,\n"
			"  then rebuild the initramfs and reboot (or add each function as <hostdev "
			"managed='yes'>).\n"
			"PCIe bridges and root ports (driver pcieport) can stay as they are.\n"
			"Unrelated devices in the group: try another slot; the ACS override patch is unsafe.",
		.needs = CODE_NEEDS_ROOT | CODE_NEEDS_REBOOT,
		.docs = {
			GH "64kramsystem/vga-passthrough/issues/15",
			GH "kubevirt/kubevirt/issues/6718",
			GH "foxlet/vmra1n/issues/4",
		},
	},
	{
		.code = "LIBVIRT-HUGEPAGES",
		.group = GROUP_LIBVIRT,
		.title = "The VM wants huge pages, but not enough are reserved",
		.explanation = "The VM's settings ask for its memory to come from huge pages (large memory "
			"blocks reserved in advance; <hugepages/> in the VM's XML, common in passthrough and "
			"performance guides). The host has not reserved enough of them, or has no hugetlbfs "
			"mount of the right page size. So the VM fails to start, or starts only right after "
			"a reboot, with \"Unable to find any usable hugetlbfs mount\" or \"Cannot allocate "
			"memory\".",
		.fix = "2 MiB pages: sudo sysctl vm.nr_hugepages=<N>, with N x 2 MiB at least the VM's "
			"memory;\n"
			"  make it permanent in /etc/sysctl.d/ and check HugePages_Free in /proc/meminfo.\n"
			"1 GiB pages: add default_hugepagesz=1G hugepagesz=1G hugepages=<N> to the kernel "
			"command line,\n"
			"  mount hugetlbfs with pagesize=1G, and reboot.\n"
			"Or remove <hugepages/> from the VM's XML (virsh edit <vm>).",
		.needs = CODE_NEEDS_ROOT | CODE_NEEDS_REBOOT,
		.docs = {
			GH "kubevirt/kubevirt/issues/14854",
			GH "cockpit-project/cockpit-machines/issues/344",
			GH "bryansteiner/gpu-passthrough-tutorial/issues/33",
		},
	},
	{
		.code = "LIBVIRT-OVMF-MISSING",
		.group = GROUP_LIBVIRT,
		.title = "UEFI firmware for VMs (OVMF) is not installed or not found",
		.explanation = "VMs that boot with UEFI instead of the old BIOS, such as Windows 11, Secure "
			"Boot guests and most passthrough setups, need a UEFI firmware build for VMs called "
			"OVMF (from the edk2 project). It is not installed, or libvirt cannot find it "
			"through the descriptor files in /usr/share/qemu/firmware/. So creating or starting "
			"such a VM fails with \"Unable to find any firmware to satisfy 'efi'\", and "
			"virt-manager offers only BIOS.",
		.fix = "Debian/Ubuntu: sudo apt install ovmf. Fedora/RHEL/Arch: the edk2-ovmf package.\n"
			"  (ARM guests: qemu-efi-aarch64 or edk2-aarch64)\n"
			"Restart libvirt: sudo systemctl restart libvirtd (or virtqemud).\n"
			"If you set <loader> paths by hand, drop firmware='efi' or make them match the "
			"installed files.\n"
			"Check: virsh domcapabilities | grep -A8 '<loader'",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			GH "virt-manager/virt-manager/issues/216",
			GH "quickemu-project/quickemu/issues/1524",
			GH "clearlinux/distribution/issues/1961",
		},
	},
	{
		.code = "LIBVIRT-POOL-MISSING",
		.group = GROUP_LIBVIRT,
		.title = "libvirt's 'default' storage pool is missing or stopped",
		.explanation = "Tools that create VM disks (virt-manager's New VM wizard, virt-install, "
			"Vagrant, Terraform, Packer) put them in a libvirt storage pool, normally one called "
			"'default' in /var/lib/libvirt/images. That pool was never created, was removed, or "
			"is not started. So creating a disk fails with \"Storage pool not found\" or "
			"\"storage pool 'default' is not active\".",
		.fix = "sudo virsh pool-define-as --name default --type dir --target "
			"/var/lib/libvirt/images\n"
			"sudo virsh pool-build default\n"
			"sudo virsh pool-start default && sudo virsh pool-autostart default\n"
			"If the pool exists but is stopped, only pool-start and pool-autostart are needed.\n"
			"Modular daemons: virtstoraged.socket must be enabled.\n"
			"Same connection? Compare virsh -c qemu:///system pool-list --all with "
			"qemu:///session.",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			GH "subuk/vmango/issues/23",
			GH "retspen/webvirtcloud/issues/544",
			GH "dmacvicar/terraform-provider-libvirt/issues/840",
		},
	},

	/* B.4 VMware Workstation / Player */
	{
		.code = "VMW-VMMON-MISSING",
		.group = GROUP_VMW,
		.title = "VMware's vmmon driver is not loaded (/dev/vmmon is missing)",
		.explanation = "VMware Workstation and Player need their own kernel drivers: vmmon (the "
			"virtual machine monitor, which provides /dev/vmmon) and vmnet (networking). They "
			"were not built for this kernel, are not loaded, or the vmware service was not "
			"started. So every VM fails to power on with \"Could not open /dev/vmmon: No such "
			"file or directory\".",
		.fix = "Power off all VMs, then:\n"
			"sudo vmware-modconfig --console --install-all\n"
			"sudo systemctl restart vmware   (older systems: sudo /etc/init.d/vmware restart)\n"
			"sudo systemctl enable vmware   so the drivers load at every boot\n"
			"Build errors: see VMW-MODBUILD-FAIL. Refused under Secure Boot: see VMW-SECUREBOOT.",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			GH "mkubecek/vmware-host-modules",
			GH "mkubecek/vmware-host-modules/issues/86",
			GH "mkubecek/vmware-host-modules/issues/108",
		},
	},
	{
		.code = "VMW-MODBUILD-FAIL",
		.group = GROUP_VMW,
		.title = "VMware's vmmon/vmnet drivers fail to build for this kernel",
		.explanation = "VMware compiles its kernel drivers on your machine for every new kernel; "
			"that is what the \"VMware Kernel Module Updater\" window does. The build fails "
			"because the compiler, the kernel headers (the files needed to build drivers for "
			"this kernel) or libelf are missing, or because the kernel is newer than this VMware "
			"release supports. Without the drivers no VM can start.",
		.fix = "Install gcc, make, libelf-dev and the headers for this kernel (see "
			"DKMS-HEADERS-MISSING).\n"
			"The log named in the error (/tmp/vmware-<user>/vmware-<pid>.log) shows what "
			"failed.\n"
			"Kernel too new: upgrade VMware, or build community-patched "
			"mkubecek/vmware-host-modules,\n"
			"  branch workstation-<your exact version>, with make && sudo make install\n"
			"  or via vmware-modconfig --console --install-all, not both.\n"
			"With Secure Boot on, sign the new drivers afterwards (VMW-SECUREBOOT).",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			GH "mkubecek/vmware-host-modules",
			GH "mkubecek/vmware-host-modules/issues/197",
			GH "mkubecek/vmware-host-modules/issues/64",
		},
	},
	{
		.code = "VMW-VERSION-MISMATCH",
		.group = GROUP_VMW,
		.title = "VMware's vmmon driver is from a different VMware version",
		.explanation = "The loaded vmmon driver was built for another VMware release than the one "
			"installed, typically after upgrading VMware without rebuilding the drivers, or "
			"after building community-patched drivers from the wrong branch. VMware checks the "
			"driver's version number and refuses to power on VMs with \"Version mismatch with "
			"vmmon module: expecting N, got M\". An old copy in another folder under "
			"/lib/modules can also win over the new one.",
		.fix = "Find your version: vmware --version (or product.version in /etc/vmware/config).\n"
			"Rebuild the drivers from sources for exactly that version (its own, or that "
			"mkubecek branch).\n"
			"Stale copies: find /lib/modules/$(uname -r) -name 'vmmon.ko*', delete old ones, "
			"sudo depmod -a\n"
			"Power off all VMs, then sudo systemctl restart vmware",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			GH "mkubecek/vmware-host-modules/issues/2",
			GH "mkubecek/vmware-host-modules/issues/16",
			GH "bytium/vm-host-modules/issues/7",
		},
	},
	{
		.code = "VMW-SECUREBOOT",
		.group = GROUP_VMW,
		.title = "Secure Boot refuses to load VMware's unsigned drivers",
		.explanation = "With Secure Boot on, Linux only loads kernel drivers that carry a trusted "
			"digital signature. VMware builds vmmon and vmnet on your machine but does not sign "
			"them, so they exist but are refused (\"Key was rejected by service\" or \"Operation "
			"not permitted\"), and VMware keeps asking to build them or shows \"Could not open "
			"/dev/vmmon\". Every rebuild after a kernel update needs signing again.",
		.fix = "Make a key (Ubuntu can reuse /var/lib/shim-signed/mok/MOK.priv and MOK.der "
			"instead):\n"
			"  openssl req -new -x509 -newkey rsa:2048 -keyout MOK.priv -outform DER -out "
			"MOK.der \\\n"
			"    -nodes -days 36500 -subj \"/CN=VMware/\"\n"
			"Sign: for m in vmmon vmnet; do sudo /usr/src/linux-headers-$(uname "
			"-r)/scripts/sign-file \\\n"
			"  sha256 MOK.priv MOK.der $(modinfo -n $m); done\n"
			"Enrol: sudo mokutil --import MOK.der, reboot, Enroll MOK in MokManager, sudo "
			"modprobe vmmon vmnet",
		.needs = CODE_NEEDS_ROOT | CODE_NEEDS_REBOOT | CODE_NEEDS_CONSOLE,
		.docs = {
			GH "mkubecek/vmware-host-modules/issues/108",
		},
	},
	{
		.code = "VMW-HV-UNAVAILABLE",
		.group = GROUP_VMW,
		.title = "VMware says VT-x/AMD-V cannot be used",
		.explanation = "VMware refused to power on a VM with a message about Intel VT-x or AMD-V, "
			"such as \"This host supports Intel VT-x, but Intel VT-x is disabled.\" or "
			"\"Virtualized Intel VT-x/EPT is not supported on this platform.\" That message has "
			"several possible causes: the feature is off in the firmware, the processor lacks "
			"it, this machine is itself a VM, or KVM is holding it. vmdoctor's CPU and KVM "
			"checks name the actual cause.",
		.fix = "Follow the code vmdoctor reports next to this one:\n"
			"\"VT-x is disabled\": CPU-VT-DISABLED (firmware setting, then power fully off and "
			"on).\n"
			"\"does not support Intel VT-x\": CPU-NO-HWVIRT, or GUEST-NO-NESTED if this machine "
			"is a VM.\n"
			"\"Virtualized Intel VT-x/EPT is not supported\": GUEST-NO-NESTED; or run without "
			"nesting:\n"
			"  untick \"Virtualize Intel VT-x/EPT or AMD-V/RVI\" in the VM's settings "
			"(vhv.enable = \"FALSE\").\n"
			"kvm_intel/kvm_amd loaded on Linux 6.12+: KVM holds VT-x; see VBOX-KVM-CONFLICT.",
		.needs = 0,
	},

	/* B.5 VirtualBox */
	{
		.code = "VBOX-DRV-NOT-LOADED",
		.group = GROUP_VBOX,
		.title = "VirtualBox's kernel driver is not loaded (rc=-1908)",
		.explanation = "VirtualBox needs its own kernel driver, vboxdrv, which provides "
			"/dev/vboxdrv. It is not loaded, so every VM fails with \"Kernel driver not "
			"installed (rc=-1908)\". Usually no driver was built for the kernel you are running "
			"(often right after a kernel update), or Secure Boot refused to load it; vmdoctor's "
			"VirtualBox, DKMS and Secure Boot checks tell which.",
		.fix = "Oracle's VirtualBox package: sudo /sbin/vboxconfig; if it fails, read "
			"/var/log/vbox-setup.log\n"
			"Distribution package: install virtualbox-dkms and the kernel headers, then sudo "
			"modprobe vboxdrv\n"
			"  (Fedora/RPM Fusion: akmod-VirtualBox, then sudo akmods)\n"
			"Built for a newer kernel than the one running? Reboot into that kernel.\n"
			"Check: lsmod | grep vboxdrv",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			GH "void-linux/void-packages/issues/33920",
			GH "NixOS/nixpkgs/issues/52429",
			GH "VirtualBox/virtualbox",
		},
	},
	{
		.code = "VBOX-VERSION-MISMATCH",
		.group = GROUP_VBOX,
		.title = "VirtualBox's kernel driver does not match the installed version",
		.explanation = "The loaded vboxdrv driver comes from a different VirtualBox version than the "
			"programs: typically after an upgrade while the old driver is still loaded, or when "
			"Oracle's package and the distribution's package are both installed. VirtualBox then "
			"refuses to start at all, with rc=-1912 and \"The VirtualBox kernel modules do not "
			"match this version of VirtualBox\".",
		.fix = "Compare: modinfo -F version vboxdrv  with  VBoxManage -v\n"
			"If both Oracle's and the distribution's VirtualBox are installed, remove one.\n"
			"Rebuild: sudo /sbin/vboxconfig (or through DKMS/akmods).\n"
			"Power off all VMs and unload the old driver: sudo rmmod vboxnetadp vboxnetflt "
			"vboxdrv (or reboot).",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			GH "VirtualBox/virtualbox/issues/425",
		},
	},
	{
		.code = "VBOX-SETUP-FAIL",
		.group = GROUP_VBOX,
		.title = "VirtualBox cannot build its kernel drivers (vboxconfig fails)",
		.explanation = "VirtualBox builds its drivers on your machine with /sbin/vboxconfig, which "
			"also runs after installs and kernel updates. The build fails because the compiler "
			"tools (gcc, make, perl) or the kernel headers for the running kernel are missing, "
			"or because the kernel is newer than this VirtualBox release supports. VMs then fail "
			"with \"Kernel driver not installed (rc=-1908)\".",
		.fix = "Debian/Ubuntu: sudo apt install build-essential dkms linux-headers-$(uname -r)\n"
			"Fedora: sudo dnf install kernel-devel-$(uname -r) kernel-headers. openSUSE: "
			"kernel-default-devel\n"
			"  (gcc, make and perl are needed everywhere)\n"
			"Then sudo /sbin/vboxconfig; compiler errors are in /var/log/vbox-setup.log\n"
			"Errors in the driver's code mean the kernel is too new: upgrade VirtualBox or boot "
			"an older kernel.",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			GH "VirtualBox/virtualbox/issues/708",
			GH "VirtualBox/virtualbox/issues/710",
		},
	},
	{
		.code = "VBOX-SECUREBOOT",
		.group = GROUP_VBOX,
		.title = "Secure Boot refuses VirtualBox's unsigned or untrusted drivers",
		.explanation = "With Secure Boot on, Linux only loads drivers signed with a key the machine "
			"trusts. vboxconfig built VirtualBox's drivers, but they are unsigned or signed with "
			"a key that was never enrolled (added to the firmware's list of Machine Owner Keys, "
			"the MOK). So loading fails, and VMs show rc=-1908 again after every kernel update; "
			"vboxconfig says \"You must sign these kernel modules before using VirtualBox\".",
		.fix = "sudo mokutil --import /var/lib/shim-signed/mok/MOK.der   (choose a one-time "
			"password)\n"
			"Reboot; in the blue MokManager screen choose Enroll MOK and enter that password.\n"
			"Then sudo /sbin/vboxconfig to sign and load the drivers.\n"
			"No key yet? vboxconfig prints the openssl command that creates "
			"/var/lib/shim-signed/mok/MOK.*\n"
			"Alternatives: turn Secure Boot off in the firmware, or sudo mokutil "
			"--disable-validation",
		.needs = CODE_NEEDS_ROOT | CODE_NEEDS_REBOOT | CODE_NEEDS_CONSOLE,
		.docs = {
			GH "sisoputnfrba/foro/issues/2026",
			GH "VirtualBox/virtualbox",
		},
	},
	{
		.code = "VBOX-HWVIRT-UNAVAILABLE",
		.group = GROUP_VBOX,
		.title = "VirtualBox says VT-x/AMD-V is unavailable or disabled",
		.explanation = "VirtualBox refused to power on a VM because it cannot use the processor's "
			"virtualization feature (errors such as VERR_VMX_NO_VMX, "
			"VERR_VMX_MSR_ALL_VMX_DISABLED or VERR_SVM_DISABLED). Since VirtualBox 6.1 every "
			"guest needs this feature; there is no software-only fallback any more. The cause is "
			"one of the CPU, firmware, nesting or KVM problems that vmdoctor's other checks "
			"name.",
		.fix = "Follow the code vmdoctor reports next to this one:\n"
			"VERR_VMX_NO_VMX / VERR_SVM_NO_SVM: CPU-NO-HWVIRT, or GUEST-NO-NESTED if this "
			"machine is a VM.\n"
			"VERR_VMX_MSR_*_DISABLED / VERR_SVM_DISABLED: CPU-VT-DISABLED / CPU-SVM-DISABLED\n"
			"  (firmware setting, then power the machine fully off and on).\n"
			"VERR_VMX_IN_VMX_ROOT_MODE / VERR_SVM_IN_USE / VERR_SVM_HOST_SVME_NOT_ENABLED: "
			"VBOX-KVM-CONFLICT.\n"
			"VERR_SVM_DISABLED although AMD-V is on in the firmware: also VBOX-KVM-CONFLICT.",
		.needs = 0,
		.docs = {
			GH "kubernetes/minikube/issues/5326",
			GH "docker/machine/issues/874",
			GH "cloudfoundry-attic/bosh-lite/issues/359",
		},
	},
	{
		.code = "VBOX-KVM-CONFLICT",
		.group = GROUP_VBOX,
		.title = "KVM is holding VT-x/AMD-V, so VirtualBox VMs cannot start",
		.explanation = "Only one hypervisor at a time can own the processor's virtualization "
			"feature, and here KVM (Linux's built-in hypervisor, used by QEMU, libvirt and GNOME "
			"Boxes) holds it, so VirtualBox fails with VERR_VMX_IN_VMX_ROOT_MODE or "
			"VERR_SVM_IN_USE. Before Linux 6.12 KVM only held it while a KVM VM was running; "
			"from 6.12 on it takes it as soon as the kvm_intel or kvm_amd module loads. The "
			"lasting fix depends on the VirtualBox version, because newer releases (reported "
			"from 7.2.10) share the feature with KVM instead.",
		.fix = "Now: power off KVM/libvirt VMs, then sudo modprobe -r kvm_intel kvm   (AMD: kvm_amd "
			"kvm)\n"
			"Linux 6.12+ with VirtualBox up to 7.2.8: put options kvm enable_virt_at_load=0 in "
			"/etc/modprobe.d/\n"
			"  (or kvm.enable_virt_at_load=0 on the kernel command line, then reboot).\n"
			"VirtualBox 7.2.10+ (reported): remove that setting; it causes "
			"VERR_SVM_HOST_SVME_NOT_ENABLED.\n"
			"Blacklisting kvm_intel/kvm_amd also works, but breaks libvirt and GNOME Boxes.",
		.needs = CODE_NEEDS_ROOT | CODE_NEEDS_REBOOT,
		.docs = {
			GH "VirtualBox/virtualbox/issues/711",
			GH "getsolus/packages/issues/4638",
			GH "NixOS/nixpkgs/issues/363887",
		},
	},

	/* B.6 Secure Boot and module signing */
	{
		.code = "SB-UNSIGNED-MODULE",
		.group = GROUP_SB,
		.title = "Secure Boot refuses an unsigned third-party kernel driver",
		.explanation = "With Secure Boot on, Linux only loads kernel drivers (modules) that carry a "
			"signature from a trusted key. A driver built on this machine, such as vboxdrv, "
			"vmmon/vmnet, nvidia or zfs, has no signature, so loading fails with \"Key was "
			"rejected by service\", \"Operation not permitted\" or \"Required key not "
			"available\", and the product reports its driver as missing. Without Secure Boot the "
			"log line \"module verification failed ... tainting kernel\" is only a note, not "
			"this problem.",
		.fix = "Sign the driver with your own key and enrol that key (MOK):\n"
			"  sudo mokutil --import <cert.der>, reboot, and in MokManager choose Enroll MOK > "
			"Continue > Yes.\n"
			"DKMS 3.x signs by itself with /var/lib/dkms/mok.key + mok.pub (Ubuntu: "
			"/var/lib/shim-signed/mok/).\n"
			"Re-sign after every rebuild.\n"
			"Or turn Secure Boot off in the firmware, or shim validation: sudo mokutil "
			"--disable-validation",
		.needs = CODE_NEEDS_ROOT | CODE_NEEDS_REBOOT | CODE_NEEDS_CONSOLE,
		.docs = {
			GH "dell/dkms",
		},
	},
	{
		.code = "SB-MOK-NOT-ENROLLED",
		.group = GROUP_SB,
		.title = "A driver is signed, but its signing key was never enrolled",
		.explanation = "The driver was signed (by you, by DKMS or by Ubuntu's installer), but the "
			"key was never added to the firmware's list of trusted Machine Owner Keys (MOK). "
			"Adding it takes one more step at the next boot, in the blue MokManager screen, "
			"where you type the password chosen earlier. If that screen was skipped or timed "
			"out, the key is still waiting and the driver is still refused.",
		.fix = "Check: mokutil --test-key /var/lib/dkms/mok.pub says \"is not enrolled\";\n"
			"  mokutil --list-new lists keys waiting for enrolment.\n"
			"Reboot and complete Enroll MOK in MokManager with the password set at import.\n"
			"Request lost? Run sudo mokutil --import <key.der> again.\n"
			"sudo mokutil --timeout -1 makes MokManager wait for you instead of going on after "
			"10 seconds.",
		.needs = CODE_NEEDS_ROOT | CODE_NEEDS_REBOOT | CODE_NEEDS_CONSOLE,
	},

	/* B.7 DKMS and kernel headers */
	{
		.code = "DKMS-HEADERS-MISSING",
		.group = GROUP_DKMS,
		.title = "Kernel headers for the running kernel are not installed",
		.explanation = "Drivers that are not part of Linux itself (VirtualBox, VMware, nvidia, zfs) "
			"are compiled on your machine, usually by DKMS, for each kernel. That needs the "
			"kernel headers, the files that describe this exact kernel, and they are missing for "
			"the kernel you are running, so no driver can be built. This often happens after a "
			"kernel update, or when an older kernel is still running whose headers were already "
			"removed.",
		.fix = "Debian/Ubuntu: sudo apt install linux-headers-$(uname -r)\n"
			"Fedora/RHEL: sudo dnf install \"kernel-devel-uname-r == $(uname -r)\"\n"
			"Arch: linux-headers (or linux-lts-headers). openSUSE: kernel-default-devel.\n"
			"Proxmox: pve-headers-$(uname -r). No headers left for the running kernel? Boot the "
			"newest one.\n"
			"Then rebuild: sudo dkms autoinstall (or sudo /sbin/vboxconfig, or "
			"vmware-modconfig).",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			GH "dell/dkms",
		},
	},
	{
		.code = "DKMS-BUILD-FAILED",
		.group = GROUP_DKMS,
		.title = "A DKMS driver does not compile for this kernel",
		.explanation = "DKMS compiles third-party drivers for each installed kernel. The kernel "
			"headers are there, but the driver's source code fails to compile, usually because "
			"the kernel is newer than the driver release supports or because the compiler "
			"version that built the kernel is missing. The install ends with \"Bad return status "
			"for module build\", and no working driver exists for the running kernel.",
		.fix = "Read the build log: /var/lib/dkms/<module>/<version>/build/make.log\n"
			"Compiler complaints: install the gcc version named in /proc/version.\n"
			"Kernel too new: upgrade the driver package, or boot an older kernel.\n"
			"Rebuild: sudo dkms remove -m <module> -v <version> -k $(uname -r)\n"
			"  then sudo dkms install -m <module> -v <version> -k $(uname -r)\n"
			"Check: dkms status shows the module as installed for $(uname -r).",
		.needs = CODE_NEEDS_ROOT,
		.docs = {
			GH "dell/dkms",
		},
	},

	/* vmdoctor additions: QEMU host devices (virt-host-validate's device checks) */
	{
		.code = "QEMU-TUN-MISSING",
		.group = GROUP_QEMU,
		.title = "/dev/net/tun is missing, so QEMU guests get no tap networking",
		.explanation = "QEMU and libvirt connect a VM's network card to the host through a tap "
			"device, a virtual network cable that Linux creates through /dev/net/tun. That "
			"device is missing because the tun kernel module is not loaded (or, in a container, "
			"was not passed in), so VMs on bridged or NAT networks such as libvirt's 'default' "
			"get no network or fail to start. virt-host-validate reports the same problem as a "
			"FAIL with \"Load the 'tun' module to enable networking for QEMU guests\".",
		.fix = "sudo modprobe tun\n"
			"Check: ls -l /dev/net/tun\n"
			"To load it at every boot: echo tun | sudo tee /etc/modules-load.d/tun.conf\n"
			"Inside a container, /dev/net/tun has to be passed in from the host.",
		.needs = CODE_NEEDS_ROOT,
	},
	{
		.code = "QEMU-VHOST-NET-MISSING",
		.group = GROUP_QEMU,
		.title = "/dev/vhost-net is missing, so VM networking is slower",
		.explanation = "vhost-net is a kernel helper that moves a VM's virtio network traffic inside "
			"the kernel instead of through the QEMU program, which is faster. Its device "
			"/dev/vhost-net is missing because the vhost_net module is not loaded, so QEMU falls "
			"back to the slower path. VMs still work; only network speed suffers.",
		.fix = "sudo modprobe vhost_net\n"
			"Check: ls -l /dev/vhost-net\n"
			"To load it at every boot: echo vhost_net | sudo tee "
			"/etc/modules-load.d/vhost-net.conf\n"
			"Running VMs keep the slow path until they are powered off and started again.",
		.needs = CODE_NEEDS_ROOT,
	},
	{
		.code = "QEMU-CGROUP-MISSING",
		.group = GROUP_QEMU,
		.title = "cgroup controllers libvirt uses are missing",
		.explanation = "libvirt puts each VM in a control group (cgroup) to limit and account its CPU, "
			"memory, disk and device use. When the kernel or the init system does not offer one of "
			"those controllers, VMs usually still start, but their limits and statistics for it are "
			"silently missing, and some settings in the VM's XML make the start fail.",
		.fix = "See what the kernel offers: cat /sys/fs/cgroup/cgroup.controllers (v2) or "
			"/proc/cgroups (v1)\n"
			"Remove cgroup_disable=... from the kernel command line, then reboot\n"
			"In a container, its manager decides which controllers are delegated",
		.needs = CODE_NEEDS_ROOT | CODE_NEEDS_REBOOT,
	},
};

const size_t code_table_count = sizeof code_table / sizeof code_table[0];

_Static_assert(sizeof code_table / sizeof code_table[0] == CODES_KB_COUNT + CODES_VMDOCTOR_COUNT,
	       "code_table must hold every failure-modes.md section B code plus the vmdoctor additions");

const struct code_info *code_find(const char *code)
{
	if (!code)
		return NULL;
	for (size_t i = 0; i < code_table_count; i++)
		if (strcasecmp(code_table[i].code, code) == 0)
			return &code_table[i];
	return NULL;
}

const char *code_need_name(unsigned need_bit)
{
	switch (need_bit) {
	case CODE_NEEDS_ROOT:
		return "root";
	case CODE_NEEDS_REBOOT:
		return "reboot";
	case CODE_NEEDS_RELOGIN:
		return "relogin";
	case CODE_NEEDS_FIRMWARE:
		return "firmware";
	case CODE_NEEDS_CONSOLE:
		return "console";
	case CODE_NEEDS_OUTER_HOST:
		return "outer-host";
	default:
		return NULL;
	}
}
