/* SPDX-License-Identifier: MIT */
/* Private to checks/: the check functions that checks/registry.c puts in the table. */
#ifndef VMDOCTOR_CHECKS_CHECKS_H
#define VMDOCTOR_CHECKS_CHECKS_H

#include "vmdoctor/check.h"

/* checks/cpu.c */
void check_cpu_guest(const struct facts *facts, struct check_result *r);
void check_cpu_hwvirt(const struct facts *facts, struct check_result *r);
/* checks/kvm.c */
void check_kvm_devnode(const struct facts *facts, struct check_result *r);
void check_kvm_access(const struct facts *facts, struct check_result *r);
void check_kvm_usable(const struct facts *facts, struct check_result *r);
void check_kvm_nested(const struct facts *facts, struct check_result *r);
/* checks/qemu.c */
void check_qemu_tun(const struct facts *facts, struct check_result *r);
void check_qemu_vhost_net(const struct facts *facts, struct check_result *r);
void check_host_iommu(const struct facts *facts, struct check_result *r);
void check_host_cgroups(const struct facts *facts, struct check_result *r);

/* checks/vmware.c */
void check_vmware_installed(const struct facts *facts, struct check_result *r);
void check_vmware_vmmon(const struct facts *facts, struct check_result *r);
void check_vmware_version_match(const struct facts *facts, struct check_result *r);
void check_vmware_secureboot(const struct facts *facts, struct check_result *r);
void check_vmware_hv(const struct facts *facts, struct check_result *r);
/* -- end of vmware checks -- */
/* checks/vbox.c */
void check_vbox_driver(const struct facts *facts, struct check_result *r);
void check_vbox_version(const struct facts *facts, struct check_result *r);
void check_vbox_secureboot(const struct facts *facts, struct check_result *r);
void check_vbox_hwvirt(const struct facts *facts, struct check_result *r);
void check_vbox_kvm_conflict(const struct facts *facts, struct check_result *r);
/* -- end of vbox checks -- */
/* checks/secureboot.c (Secure Boot, signing, DKMS) */
void check_secureboot_state(const struct facts *facts, struct check_result *r);
void check_secureboot_modules(const struct facts *facts, struct check_result *r);
void check_dkms_headers(const struct facts *facts, struct check_result *r);
void check_dkms_build(const struct facts *facts, struct check_result *r);
/* -- end of secureboot checks -- */
/* checks/libvirt.c (libvirt, IOMMU/VFIO, hugepages, OVMF) */
void check_libvirt_daemon(const struct facts *facts, struct check_result *r);
void check_libvirt_auth(const struct facts *facts, struct check_result *r);
void check_libvirt_kvm(const struct facts *facts, struct check_result *r);
void check_libvirt_network(const struct facts *facts, struct check_result *r);
void check_libvirt_session_bridge(const struct facts *facts, struct check_result *r);
void check_libvirt_pool(const struct facts *facts, struct check_result *r);
void check_libvirt_storage(const struct facts *facts, struct check_result *r);
void check_libvirt_apparmor(const struct facts *facts, struct check_result *r);
void check_libvirt_selinux(const struct facts *facts, struct check_result *r);
void check_libvirt_ovmf(const struct facts *facts, struct check_result *r);
void check_libvirt_hugepages(const struct facts *facts, struct check_result *r);
void check_libvirt_passthrough(const struct facts *facts, struct check_result *r);
/* -- end of libvirt checks -- */

/* "c 10:232 0660 root kvm" for evidence. */
void checks_format_devnode(const struct host_devnode *node, char *buf, size_t len);

#endif
