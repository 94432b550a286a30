/* SPDX-License-Identifier: MIT */
/* The host layer: the only code that touches the system, behind one interface with two back ends. */
#ifndef VMDOCTOR_HOST_H
#define VMDOCTOR_HOST_H

/*
 * A `struct host` answers questions about one machine: the running system ("live")
 * or a snapshot in snapshot format v1 (docs/snapshot-format.md): a directory, or a tar
 * archive of one (a support bundle), read into memory without unpacking it.
 * Facts and checks never call open(), stat(), libcpuid or ioctl() themselves;
 * they ask a host, so that a snapshot replays exactly what the live run saw.
 *
 * Call order: host_open_live() or host_open_snapshot(), then any of the
 * queries in any order, then host_close().
 *
 * Every query returns 0 on success or a negative errno value:
 *   -ENOENT   the thing does not exist on the host
 *   -ENODATA  it was not collected: a snapshot without cpuid.txt, devices.txt, msr.txt,
 *             dmesg.txt or commands/<name>.txt (or without that MSR line): "unknown", not "absent"
 *   -EACCES / -EPERM / -EIO   it exists but could not be read (fs-errors.txt in a snapshot)
 *   -EINVAL   the snapshot member exists but is malformed
 *   -ELOOP / -EXDEV   a snapshot path tried to leave the snapshot
 * Never a crash, and nothing is printed: a short reason is kept in host_error().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct host;

/* A byte buffer read from the host; `data` is always NUL-terminated. */
struct host_buf {
	char *data;
	size_t len;
	bool truncated;         /* the source was longer than the limit asked for */
};
void host_buf_free(struct host_buf *buf);

/* A sorted list of names (directory entries, group names). */
struct host_names {
	char **items;
	size_t count;
};
void host_names_free(struct host_names *names);
bool host_names_contains(const struct host_names *names, const char *name);
/* Sort by strcmp and drop repeated names. */
void host_names_sort_unique(struct host_names *names);

/* A device node as `ls -l` would show it. */
struct host_devnode {
	char type;              /* 'c' or 'b' */
	unsigned major, minor;
	unsigned mode;          /* permission bits only, e.g. 0660 */
	char owner[64];         /* user name, or the numeric uid as text */
	char group[64];         /* group name, or the numeric gid as text */
};

/* Raw CPUID of one logical CPU. Register order inside each leaf: EAX, EBX, ECX, EDX. */
enum host_cpuid_reg { HOST_EAX, HOST_EBX, HOST_ECX, HOST_EDX };
#define HOST_CPUID_LEAVES 32
struct host_cpuid {
	uint32_t basic[HOST_CPUID_LEAVES][4];   /* leaves 0x0 .. 0x1f */
	uint32_t ext[HOST_CPUID_LEAVES][4];     /* leaves 0x80000000 .. 0x8000001f */
	bool has_hv_leaf;                       /* leaf 0x40000000 was read (live, or "hv_cpuid[0]=" in cpuid.txt) */
	uint32_t hv_leaf[4];
	char vendor_str[16];                    /* "GenuineIntel", from libcpuid's cpu_identify() */
	char brand_str[64];                     /* "Intel(R) Core(TM) i7-...", may be empty */
	char codename[64];                      /* libcpuid's codename, may be empty */
};

/* The person who runs the virtual machines. */
struct host_user {
	char name[64];
	uid_t uid;
	gid_t gid;                              /* primary group, when known */
	bool gid_known;
	bool via_sudo;                          /* vmdoctor runs as root on behalf of SUDO_USER */
	bool session_known;                     /* session_groups holds what the running session has */
	struct host_names session_groups;       /* group names of the session (may differ from /etc/group) */
};
void host_user_free(struct host_user *user);

/* What KVM itself answered when asked as that user (commands/kvm-probe.txt in a snapshot). */
struct host_kvm_probe {
	char as_user[64];                       /* whose credentials opened /dev/kvm */
	int open_err;                           /* 0, or the negative errno of open("/dev/kvm", O_RDWR) */
	int api_version;                        /* KVM_GET_API_VERSION (12), or -1 when not reached */
	int create_vm_err;                      /* 0, negative errno of KVM_CREATE_VM, or 1 when not reached */
};

/* Output of a command run by the host layer (commands/NAME.txt in a snapshot). */
struct host_cmd_result {
	int exit_code;                          /* exit status, 128+signal, or -1 when it could not start */
	bool timed_out;
	struct host_buf output;                 /* stdout and stderr, merged, bounded */
};

int host_open_live(struct host **out);
/* `dir` is a snapshot directory or a regular file holding a tar archive of one (a bundle). */
int host_open_snapshot(const char *dir, struct host **out);
void host_close(struct host *host);

bool host_is_snapshot(const struct host *host);
/* The last reason a query failed, or why host_open_snapshot() refused; never NULL. */
const char *host_error(const struct host *host);
/* Reason host_open_snapshot() failed before a host existed; never NULL. */
const char *host_open_error(void);
/* snapshot.json "created" and "source" ("live" on the live back end). */
const char *host_created(const struct host *host);
const char *host_source(const struct host *host);
/* snapshot.json "tool", the program that wrote the snapshot; "" on the live back end. */
const char *host_tool(const struct host *host);

/* Read at most `limit` bytes of the file at host path `path` (absolute). */
int host_read_file(struct host *host, const char *path, size_t limit, struct host_buf *out);
/* List a directory of the host, sorted, without "." and "..". */
int host_list_dir(struct host *host, const char *path, struct host_names *out);
/* True when a file or directory exists at `path` (links inside a snapshot are followed inside it). */
bool host_exists(struct host *host, const char *path);
/* The device node at `path`; -ENOENT when there is none. */
int host_device(struct host *host, const char *path, struct host_devnode *out);
/* Raw CPUID of logical CPU 0; -ENODATA when not collected, -ENOTSUP without CPUID. */
int host_cpuid(struct host *host, struct host_cpuid *out);
/* Read a model-specific register through /dev/cpu/N/msr (never loads the msr module). */
int host_msr(struct host *host, unsigned cpu, uint32_t msr, uint64_t *value);
/* The kernel log as `dmesg` prints it; -EPERM when dmesg_restrict forbids reading it. */
int host_kernel_log(struct host *host, struct host_buf *out);
/* The person who runs the VMs: SUDO_USER when run through sudo, else the caller. */
int host_user(struct host *host, struct host_user *out);
/* Open /dev/kvm as that user and ask KVM for its API version and a throw-away VM.
 * Returns 0 whenever the probe ran: the outcome is in `out`. */
int host_kvm_probe(struct host *host, struct host_kvm_probe *out);
/* The text of commands/kvm-probe.txt for `p`, as the snapshot back end reads it back.
 * Returns the length written (without the NUL), -ENOSPC when `len` is too small, -EINVAL for a bad `p`. */
int host_kvm_probe_format(const struct host_kvm_probe *p, char *buf, size_t len);
/* Run argv[0] (an absolute path) with execve, no shell, killed after timeout_ms.
 * `name` is the snapshot file commands/<name>.txt that replays it. */
int host_run(struct host *host, const char *name, const char *const argv[], int timeout_ms,
	     struct host_cmd_result *out);
void host_cmd_result_free(struct host_cmd_result *res);

/* errno <-> "EACCES" for the snapshot's text files; unknown names map to EIO. */
const char *host_errno_name(int err);   /* err positive or negative; "EUNKNOWN" when not an errno, never NULL */
int host_errno_from_name(const char *name);  /* positive errno, 0 when unknown */

/*
 * libvirt, as the checks see it (core/host_libvirt.c; libvirt/state.json in a snapshot).
 *
 * host_libvirt() asks the libvirt daemon at `uri` everything the libvirt checks need in one
 * conversation: the connection result, capabilities, networks, storage pools and domains.
 * Live, the conversation runs in a forked child that sends its answer back as the JSON text of
 * libvirt/state.json; the parent kills the child after `timeout_ms` (<= 0: 5000), so a daemon
 * that accepts but never answers gives HOST_LIBVIRT_TIMEOUT, never a hang.
 * Returns 0 whenever `out` holds a connection result (also "daemon down"); -ENODATA when a
 * snapshot has no libvirt/state.json; -EINVAL when it is malformed. Free with host_libvirt_free().
 */
enum host_libvirt_conn {
	HOST_LIBVIRT_OK,                        /* connected */
	HOST_LIBVIRT_NO_SOCKET,                 /* the socket file does not exist: no daemon */
	HOST_LIBVIRT_REFUSED,                   /* the socket exists, nobody listens */
	HOST_LIBVIRT_DENIED,                    /* socket permission or polkit refused the connection */
	HOST_LIBVIRT_TIMEOUT,                   /* the daemon did not answer within the deadline */
	HOST_LIBVIRT_ERROR,                     /* anything else: see `message` */
};
const char *host_libvirt_conn_name(enum host_libvirt_conn conn);    /* "ok", "no-socket", ... */

/* DAC verdict for one disk path, computed as the qemu user (qemu.conf `user`/`group`). */
enum host_libvirt_dac {
	HOST_LIBVIRT_DAC_UNCHECKED,             /* not checked (no path, network disk, not root) */
	HOST_LIBVIRT_DAC_OK,
	HOST_LIBVIRT_DAC_DENIED,                /* `blocker` denies the qemu user */
	HOST_LIBVIRT_DAC_MISSING,               /* the path does not exist */
};
const char *host_libvirt_dac_name(enum host_libvirt_dac dac);

struct host_libvirt_disk {
	char path[512];                         /* <source file=> or dev=; "" for network disks */
	char device[16];                        /* "disk", "cdrom", "floppy", "lun" */
	bool readonly;
	enum host_libvirt_dac dac;
	char blocker[512];                      /* the path component that denies access */
	char blocker_stat[96];                  /* "drwx------ 1000:1000" of that component */
};

struct host_libvirt_iface {
	char type[16];                          /* "network", "bridge", "user", "direct", ... */
	char source[64];                        /* network name or bridge name */
};

struct host_libvirt_domain {
	char name[128];
	int state;                              /* virDomainState: 1 running, 5 shut off, ... */
	char type[16];                          /* <domain type=>: "kvm", "qemu" */
	bool efi;                               /* <os firmware='efi'> or a pflash <loader> */
	char loader[256];                       /* <loader> path, may be empty */
	bool hugepages;                         /* <memoryBacking><hugepages> */
	unsigned long hugepage_kib;             /* <page size=> in KiB, 0 = default size */
	unsigned long memory_kib;               /* <memory> in KiB */
	char cpu_mode[32];                      /* <cpu mode=>, may be empty */
	struct host_libvirt_disk *disks;
	size_t n_disks;
	struct host_libvirt_iface *ifaces;
	size_t n_ifaces;
	struct host_names hostdevs;             /* PCI addresses "0000:01:00.0" of <hostdev type='pci'> */
};

struct host_libvirt_net {
	char name[64];
	bool active, autostart, persistent;
	bool has_ip;                            /* <ip> or <forward>: needs dnsmasq and firewall rules */
	char bridge[32];
};

struct host_libvirt_pool {
	char name[64];
	bool active, autostart;
	char target[512];
};

struct host_libvirt_state {
	char uri[256];                          /* as asked */
	enum host_libvirt_conn conn;
	char message[512];                      /* libvirt's error message when conn != OK */
	int error_code, error_domain;           /* virErrorNumber / virErrorDomain, 0 when none */
	bool read_only;                         /* the read-write open was refused, read-only worked */
	unsigned long lib_version;              /* 9000000 = 9.0.0; 0 unknown */
	char driver[32];                        /* virConnectGetType: "QEMU", "TEST" */
	bool caps_known;                        /* capabilities could be read */
	bool kvm_offered;                       /* <guest><arch name='x86_64'><domain type='kvm'> */
	char emulator[256];                     /* x86_64 emulator path */
	char qemu_user[64], qemu_group[64];     /* from qemu.conf, the identity DAC was checked for */
	bool dynamic_ownership;                 /* qemu.conf dynamic_ownership (default 1) */
	struct host_libvirt_net *nets;          /* sorted by name */
	size_t n_nets;
	struct host_libvirt_pool *pools;        /* sorted by name */
	size_t n_pools;
	struct host_libvirt_domain *domains;    /* sorted by name */
	size_t n_domains;
};

int host_libvirt(struct host *host, const char *uri, int timeout_ms, struct host_libvirt_state *out);
/* Ask a host_libvirt() running on another thread (or the next one) to stop: the live back end kills its
 * child at once and returns -ECANCELED ("libvirt: skipped by the user"). Safe from any thread; the request
 * is used up by the call it stops, so a later collection asks libvirt again. */
void host_cancel(struct host *host);
/* The same answer as JSON text, exactly what a snapshot stores in libvirt/state.json. */
int host_libvirt_json(struct host *host, const char *uri, int timeout_ms, struct host_buf *out);
/* Parse libvirt/state.json text; -EINVAL with a reason in `why` when malformed. */
int host_libvirt_parse(const char *text, size_t len, struct host_libvirt_state *out, char *why, size_t why_len);
void host_libvirt_free(struct host_libvirt_state *state);
const struct host_libvirt_net *host_libvirt_find_net(const struct host_libvirt_state *s, const char *name);
const struct host_libvirt_pool *host_libvirt_find_pool(const struct host_libvirt_state *s, const char *name);

/*
 * Changing libvirt state, for fixes (core/host_libvirt_call.c): one action on one network or storage
 * pool (by name) at `uri`,
 * in a forked child that loads libvirt, killed after `timeout_ms` (<= 0: 30 s).
 * Returns 0 when libvirt made the change, 1 when the object was already in that state (nothing
 * changed), -EROFS on a snapshot, -ETIMEDOUT, -EINVAL for a bad name, -EIO with libvirt's message
 * in host_error().
 */
enum host_libvirt_action {
	HOST_LIBVIRT_ACTION_NONE,               /* no action (a step without undo) */
	HOST_LIBVIRT_NET_START,                 /* virNetworkCreate: "net-start" */
	HOST_LIBVIRT_NET_STOP,                  /* virNetworkDestroy: "net-destroy" */
	HOST_LIBVIRT_NET_AUTOSTART,             /* virNetworkSetAutostart(1): "net-autostart" */
	HOST_LIBVIRT_NET_NO_AUTOSTART,          /* virNetworkSetAutostart(0): "net-autostart-disable" */
	HOST_LIBVIRT_POOL_START,                /* virStoragePoolCreate: "pool-start" */
	HOST_LIBVIRT_POOL_STOP,                 /* virStoragePoolDestroy: "pool-destroy" */
	HOST_LIBVIRT_POOL_AUTOSTART,            /* virStoragePoolSetAutostart(1): "pool-autostart" */
	HOST_LIBVIRT_POOL_NO_AUTOSTART,         /* virStoragePoolSetAutostart(0): "pool-autostart-disable" */
	HOST_LIBVIRT_ACTION_COUNT
};
const char *host_libvirt_action_name(enum host_libvirt_action action);
int host_libvirt_action_parse(const char *name, enum host_libvirt_action *out);    /* 0 or -EINVAL */
int host_libvirt_call(struct host *host, const char *uri, enum host_libvirt_action action, const char *name,
		      int timeout_ms);

/*
 * The recording back end (core/host_record.c): wraps `inner` (not owned, close it after) and keeps
 * every answer as a member of a snapshot v1 tree, so that a bundle replays what the checks read.
 * Call host_record_finish() once after the queries; members are then sorted by name.
 */
struct host_record_member {
	char *name;             /* "fs/etc/group", "cpuid.txt", "commands/lsmod.txt", ... */
	char *data;             /* NUL-terminated */
	size_t len;
	bool truncated;         /* the source was cut at the reader's limit */
	bool dir;               /* a directory under fs/ (no data) */
	bool dangling;          /* listed but not there (a dangling link): a symlink to `data`, a missing name */
	bool exists_only;       /* the checks only asked whether it exists: stored empty */
};
int host_open_record(struct host *inner, struct host **out);
int host_record_finish(struct host *host);
const struct host_record_member *host_record_members(const struct host *host, size_t *count);
/* The user the checks asked for (snapshot.json "user"), or NULL when not collected. */
const struct host_user *host_record_user(const struct host *host);

#endif
