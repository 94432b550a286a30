/* SPDX-License-Identifier: MIT */
/* The inside of the fix library: the step constructors and helpers core/fix.c shares with the plan builders
 * of core/fix_kvm.c (KVM, groups, modules, firmware), core/fix_libvirt.c (daemon, networks, pools, storage,
 * AppArmor) and core/fix_modules.c (VMware, VirtualBox, headers, Secure Boot signing). */
#ifndef VMDOCTOR_FIX_PRIVATE_H
#define VMDOCTOR_FIX_PRIVATE_H

#include "vmdoctor/fix.h"

#define FILE_LIMIT (256 * 1024)      /* the largest file a fix reads to edit */

/* ---- steps and helpers (core/fix.c) ---- */

void fix_step_command(struct fix_plan *plan, const char *what, const char *const *argv,
			     const char *const *undo_argv, const char *undo);

void fix_step_manual(struct fix_plan *plan, const char *what, const char *text);

/* A libvirt call on one network or storage pool; `undo` NONE when it cannot be taken back. */
void fix_step_libvirt(struct fix_plan *plan, const char *uri, const char *what, enum host_libvirt_action action,
			     enum host_libvirt_action undo, const char *name);

/* Move a file into the run's backups; undo moves it back. */
void fix_step_set_aside(struct fix_plan *plan, const char *path, const char *what);

/* A file step: the current content is read through the host layer so the diff shows this machine's file. */
void fix_step_file(struct fix_plan *plan, struct host *host, const char *path, char *new_content,
		          const char *what);

char *fix_read_text(struct host *host, const char *path);

/* `text` without line number `lineno` (1-based). */
char *fix_drop_line(const char *text, unsigned lineno);

/* The KVM vendor module in use (kvm_pvm on some cloud guests), else the one for this CPU's vendor. */
const char *fix_kvm_module(const struct facts *f);

const char *fix_user_name(const struct facts *f);

bool fix_module_loaded(const struct facts *f, const char *name);

/* Blocking modprobe.d lines out, then the vendor module in unless it is loaded (undo unloads only what
 * the run loaded). */
void fix_kvm_load_steps(const struct facts *f, struct host *host, struct fix_plan *plan);

const char *fix_libvirt_uri(const struct facts *f);

/* "debian" or "fedora" family from /etc/os-release; NULL when neither. */
const char *fix_os_family(struct host *host);

/* apt-get or dnf by /etc/os-release; `rpm_spec` (may be NULL) is what dnf installs when it differs from the
 * package name removed on undo ("kernel-devel-uname-r == 6.5.6-300.fc39.x86_64"). */
int fix_install_package(struct host *host, struct fix_plan *plan, const char *deb, const char *rpm,
			       const char *rpm_spec, char *why, size_t n);

bool fix_seen(const char *const *list, size_t n, const char *s);

/* ---- plan builders: KVM, groups, kernel modules, firmware (core/fix_kvm.c) ---- */
int fix_build_kvm_load(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_kvm_group(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_libvirt_group(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_vbox_group(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_udev_rule(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_nested(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_vbox_coexist(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_tun(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_vhost(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_firmware(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_outer_nested(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);

/* ---- plan builders: libvirt (core/fix_libvirt.c) ---- */
int fix_build_libvirtd(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_net_start(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_libvirt_kvm(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_pool(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_firewall(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_storage_perm(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_apparmor(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);

/* ---- plan builders: VMware, VirtualBox, kernel headers, Secure Boot signing (core/fix_modules.c) ---- */
int fix_build_headers(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_vmware(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_vboxconfig(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_sb_sign(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);
int fix_build_sb_enroll(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n);

#endif
