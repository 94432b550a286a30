/* SPDX-License-Identifier: MIT */
/* The live back end of the host layer: answers from the running system, bounded and without side effects. */
#include "vmdoctor/host.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libcpuid.h>
#include <linux/kvm.h>

#include "host_private.h"

/* syslog(2) actions; glibc's <sys/klog.h> declares klogctl() but not these names. */
enum { LIVE_SYSLOG_ACTION_READ_ALL = 3, LIVE_SYSLOG_ACTION_SIZE_BUFFER = 10 };

#define LIVE_KVM_PROBE_TIMEOUT_MS 5000
#define LIVE_PW_BUF_MAX (1 << 20)
#define LIVE_GROUPS_MAX 65536

/* ---- time ---- */

static int64_t live_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void live_now_rfc3339(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!gmtime_r(&now, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "1970-01-01T00:00:00Z");
}

/* ---- users and groups ---- */

/* getpwnam_r/getpwuid_r with a buffer that grows on ERANGE; *storage backs `pw` until freed. */
static int live_getpw(const char *name, uid_t uid, struct passwd *pw, char **storage)
{
	size_t size = 4096;

	for (;;) {
		char *buf = malloc(size);
		struct passwd *found = NULL;
		int rc;

		if (!buf)
			return -ENOMEM;
		rc = name ? getpwnam_r(name, pw, buf, size, &found) : getpwuid_r(uid, pw, buf, size, &found);
		if (rc == ERANGE && size < LIVE_PW_BUF_MAX) {
			free(buf);
			size *= 2;
			continue;
		}
		if (rc != 0 || !found) {
			free(buf);
			return rc ? -rc : -ENOENT;
		}
		*storage = buf;
		return 0;
	}
}

static void live_user_name(uid_t uid, char *out, size_t len)
{
	struct passwd pw;
	char *buf;

	if (live_getpw(NULL, uid, &pw, &buf) == 0) {
		bool fits = strlen(pw.pw_name) < len;

		if (fits)
			snprintf(out, len, "%s", pw.pw_name);
		free(buf);
		if (fits)
			return;
	}
	snprintf(out, len, "%u", (unsigned)uid);
}

static void live_group_name(gid_t gid, char *out, size_t len)
{
	size_t size = 4096;

	for (;;) {
		char *buf = malloc(size);
		struct group gr;
		struct group *found = NULL;
		int rc;

		if (!buf)
			break;
		rc = getgrgid_r(gid, &gr, buf, size, &found);
		if (rc == ERANGE && size < LIVE_PW_BUF_MAX) {
			free(buf);
			size *= 2;
			continue;
		}
		if (rc == 0 && found && strlen(gr.gr_name) < len) {
			snprintf(out, len, "%s", gr.gr_name);
			free(buf);
			return;
		}
		free(buf);
		break;
	}
	snprintf(out, len, "%u", (unsigned)gid);
}

static void live_user_from_pw(const struct passwd *pw, struct host_user *out)
{
	snprintf(out->name, sizeof out->name, "%s", pw->pw_name);
	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;
	out->gid_known = true;
}

/* The groups this process has: getgroups() plus the effective group, as names. */
static int live_session_groups(struct host_names *out)
{
	int n = getgroups(0, NULL);
	gid_t *gids;

	if (n < 0 || n > LIVE_GROUPS_MAX)
		return -EIO;
	gids = calloc((size_t)n + 1, sizeof *gids);
	if (!gids)
		return -ENOMEM;
	n = getgroups(n, gids);
	if (n < 0) {
		int err = -errno;

		free(gids);
		return err;
	}
	gids[n++] = getegid();
	for (int i = 0; i < n; i++) {
		char name[64];

		live_group_name(gids[i], name, sizeof name);
		if (host_names_add(out, name) < 0) {
			free(gids);
			host_names_free(out);
			return -ENOMEM;
		}
	}
	free(gids);
	host_names_sort_unique(out);
	return 0;
}

/* SUDO_USER when root runs us for someone who exists; its session is unknown from here. */
static bool live_sudo_user(struct host_user *out)
{
	const char *sudo_user = getenv("SUDO_USER");
	struct passwd pw;
	char *buf;

	if (getuid() != 0 || !sudo_user || !sudo_user[0] || strlen(sudo_user) >= sizeof out->name)
		return false;
	if (live_getpw(sudo_user, 0, &pw, &buf) < 0)
		return false;
	live_user_from_pw(&pw, out);
	free(buf);
	out->via_sudo = true;
	out->session_known = false;
	return true;
}

static int live_user(struct host *host, struct host_user *out)
{
	struct passwd pw;
	char *buf;
	int err;

	if (live_sudo_user(out))
		return 0;
	if (live_getpw(NULL, getuid(), &pw, &buf) == 0) {
		if (strlen(pw.pw_name) < sizeof out->name)
			live_user_from_pw(&pw, out);
		free(buf);
	}
	if (!out->name[0]) {
		/* No passwd entry (a container with a bare uid): the number is all there is. */
		out->uid = getuid();
		snprintf(out->name, sizeof out->name, "%u", (unsigned)out->uid);
	}
	err = live_session_groups(&out->session_groups);
	if (err < 0)
		return host_fail(host, err, "session groups: %s", strerror(-err));
	out->session_known = true;
	return 0;
}

/* ---- files ---- */

static bool live_special_fs(const char *path)
{
	return strncmp(path, "/proc/", 6) == 0 || strncmp(path, "/sys/", 5) == 0;
}

static int live_read_file(struct host *host, const char *path, size_t limit, struct host_buf *out)
{
	struct stat st;
	int fd, err;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return host_fail(host, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		err = -errno;
		close(fd);
		return host_fail(host, err, "%s: %s", path, strerror(-err));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return host_fail(host, -EISDIR, "%s: %s", path, strerror(EISDIR));
	}
	/* /proc and /sys report size 0 and are not all "regular"; elsewhere a device could stream forever. */
	if (!S_ISREG(st.st_mode) && !live_special_fs(path)) {
		close(fd);
		return host_fail(host, -EINVAL, "%s: not a regular file", path);
	}
	err = host_read_fd(fd, limit, out);
	close(fd);
	if (err < 0)
		return host_fail(host, err, "%s: %s", path, strerror(-err));
	return 0;
}

static int live_list_dir(struct host *host, const char *path, struct host_names *out)
{
	DIR *dir = opendir(path);
	int err;

	if (!dir)
		return host_fail(host, -errno, "%s: %s", path, strerror(errno));
	err = host_names_from_dir(dir, out);
	closedir(dir);
	if (err < 0)
		return host_fail(host, err, "%s: %s", path, strerror(-err));
	return 0;
}

static bool live_exists(struct host *host, const char *path)
{
	struct stat st;

	(void)host;
	return stat(path, &st) == 0;
}

static int live_device(struct host *host, const char *path, struct host_devnode *out)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return host_fail(host, -errno, "%s: %s", path, strerror(errno));
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return host_fail(host, -ENOENT, "%s: not a device node", path);
	out->type = S_ISCHR(st.st_mode) ? 'c' : 'b';
	out->major = major(st.st_rdev);
	out->minor = minor(st.st_rdev);
	out->mode = st.st_mode & 07777;
	live_user_name(st.st_uid, out->owner, sizeof out->owner);
	live_group_name(st.st_gid, out->group, sizeof out->group);
	return 0;
}

/* ---- CPU ---- */

static int live_cpuid(struct host *host, struct host_cpuid *out)
{
	struct cpu_raw_data_t raw;
	int rc;

	if (!cpuid_present())
		return host_fail(host, -ENOTSUP, "cpuid: this CPU has no CPUID instruction");
	memset(&raw, 0, sizeof raw);
	rc = cpuid_get_raw_data(&raw);
	if (rc < 0)
		return host_fail(host, -EIO, "cpuid: %s", cpuid_error());
	host_cpuid_from_raw(&raw, out);
	/* Leaf 0x40000000 only exists under a hypervisor (CPUID.01H:ECX[31]); elsewhere it echoes other leaves. */
	if (out->basic[1][HOST_ECX] & (UINT32_C(1) << 31)) {
		uint32_t regs[4];

		cpu_exec_cpuid(0x40000000, regs);
		memcpy(out->hv_leaf, regs, sizeof out->hv_leaf);
		out->has_hv_leaf = true;
	}
	return 0;
}

static int live_msr(struct host *host, unsigned cpu, uint32_t msr, uint64_t *value)
{
	char path[64];
	uint64_t v;
	ssize_t n;
	int fd, err;

	/* Our own pread: libcpuid's MSR driver runs modprobe behind our back. */
	snprintf(path, sizeof path, "/dev/cpu/%u/msr", cpu);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		if (err == -ENOENT)
			return host_fail(host, err, "%s: %s (is the msr module loaded?)", path, strerror(-err));
		return host_fail(host, err, "%s: %s", path, strerror(-err));
	}
	do
		n = pread(fd, &v, sizeof v, (off_t)msr);
	while (n < 0 && errno == EINTR);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (n < 0)
		return host_fail(host, err, "%s: MSR 0x%" PRIx32 ": %s", path, msr, strerror(-err));
	if (n != (ssize_t)sizeof v)
		return host_fail(host, -EIO, "%s: MSR 0x%" PRIx32 ": short read", path, msr);
	*value = v;
	return 0;
}

/* ---- kernel log ---- */

/* "<6>[    1.234] text" -> "[    1.234] text", in place, as dmesg prints it. */
static size_t live_klog_strip(char *buf, size_t len)
{
	size_t r = 0, w = 0;

	while (r < len) {
		size_t p = r;

		if (buf[p] == '<') {
			size_t d = p + 1;

			while (d < len && d - p <= 4 && buf[d] >= '0' && buf[d] <= '9')
				d++;
			if (d < len && d > p + 1 && buf[d] == '>')
				r = d + 1;
		}
		while (r < len && buf[r] != '\n')
			buf[w++] = buf[r++];
		if (r < len)
			buf[w++] = buf[r++];
	}
	return w;
}

static int live_kernel_log(struct host *host, struct host_buf *out)
{
	int size = klogctl(LIVE_SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
	size_t want;
	char *buf;
	int n;

	if (size < 0 && (errno == EPERM || errno == EACCES))
		return host_fail(host, -EPERM,
				 "kernel log: reading is restricted (kernel.dmesg_restrict=1); run as root");
	if (size < 0)
		return host_fail(host, -errno, "kernel log: %s", strerror(errno));
	want = (size_t)size < HOST_KERNEL_LOG_MAX ? (size_t)size : HOST_KERNEL_LOG_MAX;
	buf = malloc(want + 1);
	if (!buf)
		return host_fail(host, -ENOMEM, "kernel log: %s", strerror(ENOMEM));
	n = klogctl(LIVE_SYSLOG_ACTION_READ_ALL, buf, (int)want);
	if (n < 0) {
		int err = errno == EACCES ? -EPERM : -errno;

		free(buf);
		if (err == -EPERM)
			return host_fail(host, err,
					 "kernel log: reading is restricted (kernel.dmesg_restrict=1); run as root");
		return host_fail(host, err, "kernel log: %s", strerror(-err));
	}
	out->truncated = (size_t)size > want;
	if (out->truncated) {
		/* The oldest record was cut in the middle: drop it. */
		char *nl = memchr(buf, '\n', (size_t)n);
		size_t skip = nl ? (size_t)(nl - buf) + 1 : 0;

		memmove(buf, buf + skip, (size_t)n - skip);
		n -= (int)skip;
	}
	out->len = live_klog_strip(buf, (size_t)n);
	buf[out->len] = '\0';
	out->data = buf;
	return 0;
}

/* ---- /dev/kvm probe ---- */

/* Only async-signal-safe calls: this also runs in a forked child. */
static void live_kvm_probe_here(struct host_kvm_probe *p)
{
	int fd, api, vm;

	p->api_version = -1;
	p->create_vm_err = 1;
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		p->open_err = -errno;
		return;
	}
	p->open_err = 0;
	api = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (api >= 0) {
		p->api_version = api;
		vm = ioctl(fd, KVM_CREATE_VM, 0);
		p->create_vm_err = vm < 0 ? -errno : 0;
		if (vm >= 0)
			close(vm);
	}
	close(fd);
}

struct live_probe_msg {
	int drop_err;           /* 0, or the -errno of setgroups/setgid/setuid */
	int open_err;
	int api_version;
	int create_vm_err;
};

static _Noreturn void live_probe_child(const struct host_user *user, const gid_t *groups, int ngroups, int fd)
{
	struct live_probe_msg msg = { 0 };
	struct host_kvm_probe p = { 0 };

	if (setgroups((size_t)ngroups, groups) < 0 || setgid(user->gid) < 0 || setuid(user->uid) < 0) {
		msg.drop_err = -errno;
	} else {
		live_kvm_probe_here(&p);
		msg.open_err = p.open_err;
		msg.api_version = p.api_version;
		msg.create_vm_err = p.create_vm_err;
	}
	if (write(fd, &msg, sizeof msg) != (ssize_t)sizeof msg)
		_exit(1);
	_exit(0);
}

/* The user's groups from /etc/group (getgrouplist), computed before fork: it is not async-signal-safe. */
static int live_user_groups(const struct host_user *user, gid_t **out, int *count)
{
	int n = 64;

	for (;;) {
		gid_t *groups = calloc((size_t)n, sizeof *groups);
		int got = n;

		if (!groups)
			return -ENOMEM;
		if (getgrouplist(user->name, user->gid, groups, &got) >= 0) {
			*out = groups;
			*count = got;
			return 0;
		}
		free(groups);
		if (got <= n || got > LIVE_GROUPS_MAX)
			return -EIO;
		n = got;
	}
}

/* Read the child's answer within the deadline; kill it when it does not come. */
static int live_probe_wait(pid_t pid, int fd, struct live_probe_msg *msg)
{
	int64_t deadline = live_now_ms() + LIVE_KVM_PROBE_TIMEOUT_MS;
	size_t got = 0;
	int err = 0;

	while (got < sizeof *msg) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - live_now_ms();
		ssize_t n;
		int rc;

		if (left <= 0) {
			err = -ETIMEDOUT;
			break;
		}
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0) {
			err = rc == 0 ? -ETIMEDOUT : -errno;
			break;
		}
		n = read(fd, (char *)msg + got, sizeof *msg - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = -EIO;
			break;
		}
		got += (size_t)n;
	}
	if (err < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return err;
}

static int live_kvm_probe_as(struct host *host, const struct host_user *user, struct host_kvm_probe *out)
{
	struct live_probe_msg msg;
	gid_t *groups = NULL;
	int ngroups = 0, pipefd[2], err;
	pid_t pid;

	err = live_user_groups(user, &groups, &ngroups);
	if (err < 0)
		return host_fail(host, err, "kvm probe: groups of %s: %s", user->name, strerror(-err));
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		err = -errno;
		free(groups);
		return host_fail(host, err, "kvm probe: pipe: %s", strerror(-err));
	}
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		live_probe_child(user, groups, ngroups, pipefd[1]);
	}
	err = pid < 0 ? -errno : 0;
	free(groups);
	close(pipefd[1]);
	if (pid > 0)
		err = live_probe_wait(pid, pipefd[0], &msg);
	close(pipefd[0]);
	if (err == -ETIMEDOUT)
		return host_fail(host, err, "kvm probe: no answer from /dev/kvm within %d s", LIVE_KVM_PROBE_TIMEOUT_MS / 1000);
	if (err < 0)
		return host_fail(host, err, "kvm probe: %s", strerror(-err));
	if (msg.drop_err < 0)
		return host_fail(host, msg.drop_err, "kvm probe: cannot switch to user %s: %s", user->name,
				 strerror(-msg.drop_err));
	out->open_err = msg.open_err;
	out->api_version = msg.api_version;
	out->create_vm_err = msg.create_vm_err;
	return 0;
}

static int live_kvm_probe(struct host *host, struct host_kvm_probe *out)
{
	struct host_user user;
	int err;

	memset(&user, 0, sizeof user);
	err = live_user(host, &user);
	if (err < 0)
		return err;
	snprintf(out->as_user, sizeof out->as_user, "%s", user.name);
	/* Root may open /dev/kvm when the user may not: ask with the user's credentials. */
	if (user.via_sudo && user.gid_known)
		err = live_kvm_probe_as(host, &user, out);
	else
		live_kvm_probe_here(out);
	host_user_free(&user);
	return err;
}

/* ---- commands ---- */

static _Noreturn void live_run_child(const char *const argv[], int devnull, int outfd, int errfd)
{
	static char env_path[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	static char env_lang[] = "LANG=C";
	char *const envp[] = { env_path, env_lang, NULL };
	sigset_t none;
	int e;

	/* Its own process group, so a timeout kills whatever it started too. */
	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(devnull, STDIN_FILENO) < 0 || dup2(outfd, STDOUT_FILENO) < 0 || dup2(outfd, STDERR_FILENO) < 0) {
		e = errno;
	} else {
		execve(argv[0], (char *const *)argv, envp);
		e = errno;
	}
	if (write(errfd, &e, sizeof e) != (ssize_t)sizeof e)
		_exit(127);
	_exit(127);
}

/* Keep the first HOST_RUN_OUTPUT_MAX bytes, drain and drop the rest so the child never blocks. */
static int live_run_append(struct host_buf *out, size_t *cap, const char *chunk, size_t n)
{
	size_t room = HOST_RUN_OUTPUT_MAX - out->len;

	if (n > room) {
		out->truncated = true;
		n = room;
	}
	if (n == 0)
		return 0;
	if (out->len + n > *cap) {
		size_t want = *cap ? *cap : 4096;
		char *data;

		while (want < out->len + n)
			want *= 2;
		if (want > HOST_RUN_OUTPUT_MAX)
			want = HOST_RUN_OUTPUT_MAX;
		data = realloc(out->data, want + 1);
		if (!data)
			return -ENOMEM;
		out->data = data;
		*cap = want;
	}
	memcpy(out->data + out->len, chunk, n);
	out->len += n;
	out->data[out->len] = '\0';
	return 0;
}

/* Collect output until EOF and exit, or until the deadline; returns the wait status. */
static int live_run_collect(pid_t pid, int fd, int64_t deadline, struct host_cmd_result *out)
{
	bool eof = false;
	size_t cap = 0;
	int status = 0;
	char chunk[16384];

	while (!eof) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - live_now_ms();
		ssize_t n;
		int rc;

		if (left <= 0)
			goto timeout;
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			goto timeout;
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			eof = true;
		else if (live_run_append(&out->output, &cap, chunk, (size_t)n) < 0)
			goto timeout;   /* out of memory: stop it rather than block it */
	}
	/* It closed its output, but it may still be running. */
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		struct timespec nap = { 0, 10 * 1000000 };

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return status;
		if (live_now_ms() >= deadline)
			goto timeout;
		nanosleep(&nap, NULL);
	}

timeout:
	out->timed_out = true;
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* The errno the child sent before exec failed, or 0 when exec happened (the pipe closed on exec). */
static int live_run_exec_error(int fd)
{
	int e = 0;
	ssize_t n;

	do
		n = read(fd, &e, sizeof e);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof e ? e : 0;
}

static int live_run(struct host *host, const char *name, const char *const argv[], int timeout_ms,
		    struct host_cmd_result *out)
{
	int outp[2], errp[2], devnull, status, exec_err;
	int64_t deadline;
	pid_t pid;

	(void)name;
	if (argv[0][0] != '/')
		return host_fail(host, -EINVAL, "%s: not an absolute path (commands are never looked up in PATH)", argv[0]);
	if (timeout_ms <= 0)
		return host_fail(host, -EINVAL, "%s: timeout must be positive", argv[0]);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0)
		return host_fail(host, -errno, "/dev/null: %s", strerror(errno));
	if (pipe2(outp, O_CLOEXEC) < 0) {
		close(devnull);
		return host_fail(host, -errno, "%s: pipe: %s", argv[0], strerror(errno));
	}
	if (pipe2(errp, O_CLOEXEC) < 0) {
		close(devnull);
		close(outp[0]);
		close(outp[1]);
		return host_fail(host, -errno, "%s: pipe: %s", argv[0], strerror(errno));
	}
	deadline = live_now_ms() + timeout_ms;
	pid = fork();
	if (pid == 0)
		live_run_child(argv, devnull, outp[1], errp[1]);
	status = pid < 0 ? errno : 0;
	close(devnull);
	close(outp[1]);
	close(errp[1]);
	if (pid < 0) {
		close(outp[0]);
		close(errp[0]);
		return host_fail(host, -status, "%s: fork: %s", argv[0], strerror(status));
	}
	setpgid(pid, pid);      /* also here: whichever side runs first, the group exists before a kill */
	exec_err = live_run_exec_error(errp[0]);
	close(errp[0]);
	if (exec_err) {
		close(outp[0]);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		status = -1;
	} else {
		status = live_run_collect(pid, outp[0], deadline, out);
		close(outp[0]);
	}
	if (!out->output.data && !(out->output.data = calloc(1, 1)))
		return host_fail(host, -ENOMEM, "%s: %s", argv[0], strerror(ENOMEM));
	if (exec_err) {
		/* It never ran: the outcome is in exit_code, the reason in host_error(). */
		out->exit_code = -1;
		host_fail(host, -exec_err, "%s: %s", argv[0], strerror(exec_err));
		return 0;
	}
	if (WIFEXITED(status))
		out->exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		out->exit_code = 128 + WTERMSIG(status);
	if (out->timed_out)
		host_fail(host, 0, "%s: killed after %d ms", argv[0], timeout_ms);
	return 0;
}

/* ---- opening ---- */

static void live_close(struct host *host)
{
	(void)host;
}

static const struct host_ops live_ops = {
	.read_file = live_read_file,
	.list_dir = live_list_dir,
	.exists = live_exists,
	.device = live_device,
	.cpuid = live_cpuid,
	.msr = live_msr,
	.kernel_log = live_kernel_log,
	.user = live_user,
	.kvm_probe = live_kvm_probe,
	.run = live_run,
	.libvirt_json = host_libvirt_live_json,
	.close = live_close,
};

int host_live_open(struct host **out)
{
	struct host *host;

	host_cpuid_silence();
	host = host_new(&live_ops, NULL, false);
	if (!host)
		return host_open_fail(-ENOMEM, "live host: %s", strerror(ENOMEM));
	live_now_rfc3339(host->created, sizeof host->created);
	snprintf(host->source, sizeof host->source, "live");
	*out = host;
	return 0;
}
