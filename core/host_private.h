/* SPDX-License-Identifier: MIT */
/* The inside of the host layer: the back-end vtable and the helpers host.c shares with both back ends. */
#ifndef VMDOCTOR_HOST_PRIVATE_H
#define VMDOCTOR_HOST_PRIVATE_H

/*
 * A back end fills a `struct host_ops` and calls host_new(). The public host_*()
 * functions in host.c check their arguments, zero the output, normalise paths
 * (absolute, no "..", no "." or "//") and only then call the back end, so a
 * back end sees clean input and only has to answer.
 */

#include "vmdoctor/host.h"

#include <dirent.h>
#include <stdatomic.h>
#include <limits.h>

struct cpu_raw_data_t;

#define HOST_ERROR_MAX 512
#define HOST_RUN_OUTPUT_MAX (1u << 20)          /* host_run keeps at most 1 MiB of output */
#define HOST_KERNEL_LOG_MAX (16u << 20)         /* the kernel log is cut at 16 MiB */
#define HOST_KVM_PROBE_NAME "kvm-probe"         /* commands/kvm-probe.txt */

struct host_ops {
	int (*read_file)(struct host *host, const char *path, size_t limit, struct host_buf *out);
	int (*list_dir)(struct host *host, const char *path, struct host_names *out);
	bool (*exists)(struct host *host, const char *path);
	int (*device)(struct host *host, const char *path, struct host_devnode *out);
	int (*cpuid)(struct host *host, struct host_cpuid *out);
	int (*msr)(struct host *host, unsigned cpu, uint32_t msr, uint64_t *value);
	int (*kernel_log)(struct host *host, struct host_buf *out);
	int (*user)(struct host *host, struct host_user *out);
	int (*kvm_probe)(struct host *host, struct host_kvm_probe *out);
	int (*run)(struct host *host, const char *name, const char *const argv[], int timeout_ms,
		   struct host_cmd_result *out);
	/* libvirt/state.json text (core/host_libvirt.c); -ENODATA when a snapshot lacks it */
	int (*libvirt_json)(struct host *host, const char *uri, int timeout_ms, struct host_buf *out);
	void (*close)(struct host *host);       /* frees `backend`, not the host */
};

struct host {
	const struct host_ops *ops;
	void *backend;                          /* the back end's own state */
	bool snapshot;
	char created[64];                       /* RFC 3339 */
	char source[64];
	char tool[128];
	char error[HOST_ERROR_MAX];             /* last failure, one line */
	atomic_bool cancelled;                  /* host_cancel(): another thread asked the slow steps to stop */
};

/* A zeroed host with `ops`; NULL when out of memory. */
struct host *host_new(const struct host_ops *ops, void *backend, bool snapshot);

/* Store a one-line reason (control characters replaced) and return `err`. */
int host_fail(struct host *host, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same for host_open_error(), before a host exists. */
int host_open_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bounded copy that replaces control characters, for strings that came from outside. */
void host_copy_text(char *dst, size_t len, const char *src);

/* "/a//b/./c/" -> "/a/b/c"; -EINVAL when not absolute or when a component is "..". */
int host_path_normalize(const char *path, char *out, size_t len);

/* Read at most `limit` bytes from `fd` (NUL-terminated); truncated when more was there. */
int host_read_fd(int fd, size_t limit, struct host_buf *out);

/* Append a copy of `name`; -ENOMEM on failure. */
int host_names_add(struct host_names *names, const char *name);
/* Every entry of `dir` but "." and "..", sorted; -EFBIG past a sane count. */
int host_names_from_dir(DIR *dir, struct host_names *out);

/* Keep libcpuid quiet: its warnings go to stderr otherwise. Idempotent. */
void host_cpuid_silence(void);
/* Fill `out` from libcpuid raw data: registers, then cpu_identify() for the strings. */
void host_cpuid_from_raw(struct cpu_raw_data_t *raw, struct host_cpuid *out);

/* Parse the text of commands/kvm-probe.txt; -EINVAL with a reason in `why` when malformed. */
int host_kvm_probe_parse(const char *text, struct host_kvm_probe *out, char *why, size_t why_len);
/* Parse a commands/NAME.txt first line "$ argv... (exit N)" (or "(exit N, timed out)"). */
int host_cmd_header_parse(const char *line, size_t len, int *exit_code, bool *timed_out);

/* Test hook: make the snapshot back end walk paths itself as when openat2() is missing. */
extern bool host_snapshot_force_walk;

/* The live libvirt conversation, in a child with a deadline (core/host_libvirt.c). */
int host_libvirt_live_json(struct host *host, const char *uri, int timeout_ms, struct host_buf *out);
#define HOST_LIBVIRT_JSON_MAX ((size_t)16 << 20)        /* libvirt/state.json is cut at 16 MiB */

/*
 * The libvirt child (core/host_libvirt_child.c), shared by the diagnosis (host_libvirt.c) and the
 * changes a fix makes (host_libvirt_call.c). In the child, host_libvirt_load() dlopen()s libvirt.so.0
 * and resolves `syms` (each `slot` receives the function); it also keeps libvirt from printing errors
 * and from autostarting a session daemon. False with a reason in `why` when the library or a
 * function is missing.
 */
struct host_libvirt_sym {
	const char *name;
	void **slot;
};
bool host_libvirt_load(const struct host_libvirt_sym *syms, size_t n, char *why, size_t len);

struct host_libvirt_job {
	int (*run)(int fd, void *arg);  /* in the child, stdio on /dev/null: write the answer on `fd`, 0 = ok */
	void *arg;
	int timeout_ms;                 /* the deadline, counted from host_libvirt_run() */
	size_t limit;                   /* more answer bytes than this: answer.truncated, child killed */
	bool cancellable;               /* host_cancel() ends the wait (and is consumed) */
};
struct host_libvirt_end {
	struct host_buf answer;         /* what the child wrote, NUL-terminated; the caller frees it */
	bool timed_out;                 /* the deadline passed first (the child was killed) */
	bool cancelled;                 /* host_cancel() came first (the child was killed) */
	int status;                     /* the child's waitpid() status */
};
/* Run `job` in a forked child and wait for its answer; 0 with `end` filled, or a host_fail()ed error
 * naming `what` ("libvirt", "libvirt net-start") when the pipe or the fork failed. */
int host_libvirt_run(struct host *host, const char *what, const struct host_libvirt_job *job,
		     struct host_libvirt_end *end);

/* The DAC walk the live side does for each disk, as `user`:`group` (exposed for tests). */
void host_libvirt_dac_walk(const char *user, const char *group, bool dynamic_ownership, struct host_libvirt_disk *disk);

/* The two back ends. */
int host_live_open(struct host **out);
int host_snapshot_open(const char *dir, struct host **out);

/*
 * A snapshot packed in a tar archive (core/host_archive.c), read whole into memory at open so
 * that the snapshot back end can answer from it as from a directory. `rel` is a path relative
 * to the snapshot's top ("snapshot.json", "fs/etc/group", "" for the top itself). Symbolic
 * links are listed but never followed (-ELOOP through or at one); hard links, device nodes,
 * FIFOs and sockets are listed but never read (-EINVAL with `why`).
 */
#define HOST_ARCHIVE_TOTAL_MAX ((size_t)256 << 20)     /* uncompressed bytes of all members */
#define HOST_ARCHIVE_MEMBER_MAX ((size_t)64 << 20)     /* kept of one member: the largest limit a reader asks */
#define HOST_ARCHIVE_NODES_MAX 100000                  /* members, with the folders they imply */
#define HOST_ARCHIVE_NAMES_MAX ((size_t)32 << 20)      /* bytes of all member names */
struct host_tree;
/* Read the archive at `path`; a one-line reason in host_open_error() when refused. */
int host_archive_load(const char *path, struct host_tree **out);
/* 'f' file, 'd' directory, 'l' symbolic link, 'o' other (never read); or -ENOENT, -ENOTDIR, -ELOOP. */
int host_tree_kind(const struct host_tree *t, const char *rel);
int host_tree_read(const struct host_tree *t, const char *rel, size_t limit, struct host_buf *out, const char **why);
int host_tree_list(const struct host_tree *t, const char *rel, struct host_names *out);
void host_tree_free(struct host_tree *t);

#endif
