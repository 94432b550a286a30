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
/* -- end of vmware checks -- */
/* checks/vbox.c */
/* -- end of vbox checks -- */
/* checks/secureboot.c (Secure Boot, signing, DKMS) */
/* -- end of secureboot checks -- */
/* checks/libvirt.c (libvirt, IOMMU/VFIO, hugepages, OVMF) */
/* -- end of libvirt checks -- */

/* "c 10:232 0660 root kvm" for evidence. */
void checks_format_devnode(const struct host_devnode *node, char *buf, size_t len);

#endif
