/* SPDX-License-Identifier: MIT */
/* Facts about libvirt: daemon sockets, capabilities, domains, networks, pools, disk permissions, MAC denials. */
#ifndef VMDOCTOR_FACTS_LIBVIRT_H
#define VMDOCTOR_FACTS_LIBVIRT_H

/*
 * facts_collect_libvirt() runs only when libvirt is installed (facts->programs.libvirt).
 * It asks the host layer for the libvirt state in one call (host_libvirt(), at the URI set
 * with facts_set_libvirt_uri() before facts_collect(), default qemu:///system), then reads
 * the files the libvirt checks weigh that state against: the daemon sockets, network.conf
 * and the firewall tools, qemu-bridge-helper's ACL, OVMF, hugepages, the IOMMU groups of
 * passed-through devices, and the AppArmor/SELinux denials and libvirt log lines that
 * name a cause.
 *
 * `err` is about the libvirt state: 0 when host_libvirt() answered (which includes "daemon
 * down" and "timed out", see state.conn), -ENOENT when libvirt is not installed,
 * -ENODATA when a snapshot did not collect it, -EINVAL when libvirt/state.json is malformed,
 * -ECANCELED when the person skipped it (host_cancel(), the wizard's 's'; `why` says "skipped by the user").
 */

#include <stdbool.h>
#include <stddef.h>

#include "vmdoctor/host.h"

struct facts;

#define FACTS_LIBVIRT_URI_DEFAULT "qemu:///system"
#define FACTS_LIBVIRT_WHY 160

/* A line of a log that names a libvirt failure mode, for evidence. */
struct facts_libvirt_line {
	const char *code;       /* static failure-mode code the line points to */
	char source[192];       /* "dmesg:812", "/var/log/audit/audit.log:33" */
	char text[320];
};

/* One member of the IOMMU group of a passed-through device. */
struct facts_libvirt_member {
	char addr[16];          /* "0000:01:00.1" */
	char driver[32];        /* DRIVER= of its uevent, "" when unbound */
};

struct facts_libvirt_hostdev {
	char domain[128];
	char addr[16];
	int group_err;          /* 0, -ENOENT when in no IOMMU group, -ENODATA not collected */
	char group[16];         /* the group number */
	struct facts_libvirt_member *members;
	size_t n_members;
};

struct facts_libvirt {
	int err;                /* 0 when known; see facts.h for the conventions */
	char why[FACTS_LIBVIRT_WHY];
	char uri[256];          /* the URI asked */
	struct host_libvirt_state state;
	/* daemon sockets under /run/libvirt */
	bool sock_libvirtd, sock_virtqemud, sock_virtnetworkd;
	/* networking */
	char firewall_backend[32];      /* /etc/libvirt/network.conf firewall_backend, "" when unset */
	char firewall_source[192];      /* "/etc/libvirt/network.conf:12" */
	bool has_iptables, has_nft, has_dnsmasq;
	bool default_bridge_exists;     /* /sys/class/net/<bridge of 'default'> exists */
	int bridge_conf_err;            /* /etc/qemu/bridge.conf: 0 read, -ENOENT absent, ... */
	struct host_names bridge_allow; /* the names after "allow" ("all" included) */
	/* UEFI firmware */
	char ovmf[256];                 /* the first OVMF code file or descriptor found, "" when none */
	struct host_names missing_loaders; /* <loader> paths of EFI domains that do not exist */
	/* hugepages (/proc/meminfo, /proc/mounts) */
	int meminfo_err;
	unsigned long huge_total, huge_free, huge_size_kib;
	unsigned long huge_1g_free;     /* /sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages */
	bool hugetlbfs_mounted;
	/* PCI passthrough */
	struct facts_libvirt_hostdev *hostdevs;
	size_t n_hostdevs;
	/* log lines that name a failure mode: kernel log, audit.log, libvirt logs */
	int mac_err;                    /* 0 when the kernel log or audit.log could be read */
	struct facts_libvirt_line *lines;
	size_t n_lines;
};

/* The URI to ask (the --libvirt-uri option); NULL restores the default. Call before facts_collect(). */
void facts_set_libvirt_uri(const char *uri);
/* Fill facts->libvirt; runs after the core facts (user, kernel, modules, kernel log) are collected. */
void facts_collect_libvirt(struct host *host, struct facts *facts);
void facts_free_libvirt(struct facts *facts);

/* The first evidence line for `code` after index `from`, or NULL. */
const struct facts_libvirt_line *facts_libvirt_line_find(const struct facts_libvirt *lv, const char *code,
							  size_t *from);

#endif
