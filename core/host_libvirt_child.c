/* SPDX-License-Identifier: MIT */
/* The machinery every libvirt conversation shares: a forked child with a deadline that dlopen()s libvirt. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "host_private.h"
#include "vmdoctor/xalloc.h"

/*
 * libvirt is loaded with dlopen() inside the child only: linked into vmdoctor it would map some sixty
 * shared libraries into every run, for the one question most runs ask in a forked child anyway. The
 * child is also what makes a daemon that accepts but never answers cost the deadline, not a hang:
 * the parent stops waiting and kills it.
 */

#define LV_CANCEL_POLL_MS 50    /* how soon a host_cancel() from the wizard is seen */
#define LV_READ_CHUNK 65536

static void lv_quiet(void *data, virErrorPtr error)
{
	(void)data;
	(void)error;
}

bool host_libvirt_load(const struct host_libvirt_sym *syms, size_t n, char *why, size_t len)
{
	void (*set_error_func)(void *, virErrorFunc);
	void *lib = dlopen("libvirt.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(why, len, "the libvirt library could not be loaded: %s", dlerror());
		return false;
	}
	*(void **)&set_error_func = dlsym(lib, "virSetErrorFunc");
	if (!set_error_func) {
		snprintf(why, len, "the libvirt library has no %s", "virSetErrorFunc");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		*syms[i].slot = dlsym(lib, syms[i].name);
		if (!*syms[i].slot) {
			snprintf(why, len, "the libvirt library has no %s", syms[i].name);
			return false;
		}
	}
	/* A diagnosis must not spawn a session daemon, and libvirt's own error printing goes nowhere:
	 * every caller reads the error it cares about with virGetLastError()/virCopyLastError(). */
	setenv("LIBVIRT_AUTOSTART", "0", 1);
	set_error_func(NULL, lv_quiet);
	return true;
}

void host_cancel(struct host *host)
{
	if (host)
		atomic_store(&host->cancelled, true);
}

static long lv_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The child: stdio on /dev/null (libxml2 and libvirt may still write to stderr; the terminal belongs to
 * the parent), the job writes its answer on `fd`, and the child never returns. */
static void lv_child(const struct host_libvirt_job *job, int fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	_exit(job->run(fd, job->arg) == 0 ? 0 : 1);
}

/* Read the child's answer until EOF or the deadline; false on timeout or, for a cancellable job, when
 * host_cancel() was called. Past `limit` bytes the answer is marked truncated and reading stops. */
static bool lv_read_until(struct host *host, const struct host_libvirt_job *job, int fd, long deadline,
			  struct host_buf *out, size_t *cap)
{
	for (;;) {
		long left = deadline - lv_now_ms();
		if (left <= 0 || (job->cancellable && atomic_load(&host->cancelled)))
			return false;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, left < LV_CANCEL_POLL_MS ? (int)left : LV_CANCEL_POLL_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			continue;
		if (r < 0)
			return true;
		if (out->len + LV_READ_CHUNK + 1 > *cap) {
			*cap = *cap * 2 + LV_READ_CHUNK;
			out->data = xrealloc(out->data, *cap);
		}
		ssize_t n = read(fd, out->data + out->len, *cap - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return true;
		out->len += (size_t)n;
		if (out->len > job->limit) {
			out->truncated = true;
			return true;
		}
	}
}

int host_libvirt_run(struct host *host, const char *what, const struct host_libvirt_job *job,
		     struct host_libvirt_end *end)
{
	long deadline = lv_now_ms() + job->timeout_ms;
	int fds[2];

	memset(end, 0, sizeof *end);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return host_fail(host, -errno, "%s: pipe: %s", what, strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int err = -errno;
		close(fds[0]);
		close(fds[1]);
		return host_fail(host, err, "%s: fork: %s", what, strerror(-err));
	}
	if (pid == 0) {
		close(fds[0]);
		lv_child(job, fds[1]);
	}
	close(fds[1]);
	size_t cap = LV_READ_CHUNK;
	end->answer.data = xmalloc(cap);
	bool done = lv_read_until(host, job, fds[0], deadline, &end->answer, &cap);
	close(fds[0]);
	if (!done || end->answer.truncated)
		kill(pid, SIGKILL);
	while (waitpid(pid, &end->status, 0) < 0 && errno == EINTR)
		;
	end->answer.data[end->answer.len] = '\0';
	end->cancelled = !done && job->cancellable && atomic_exchange(&host->cancelled, false);
	end->timed_out = !done && !end->cancelled;
	return 0;
}
