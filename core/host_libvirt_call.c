/* SPDX-License-Identifier: MIT */
/* Changing libvirt state for a fix (start/stop a network or storage pool, set its autostart) in a forked child. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "host_private.h"

/*
 * Like the diagnosis (core/host_libvirt.c), a change talks to libvirt only in a forked child that
 * dlopen()s libvirt.so.0: vmdoctor itself links no libvirt, and a daemon that accepts but never
 * answers costs the deadline, not a hang. The child answers one line on a pipe:
 *   "changed\n", "already\n" (the object was in the wanted state before), or "error <message>\n".
 * "already" lets a fix journal say that a step changed nothing, so its undo changes nothing either.
 */

#define LC_DEFAULT_TIMEOUT_MS 30000
#define LC_ANSWER_MAX 600

#define LC_API(X) \
	X(virConnectPtr, virConnectOpen, (const char *name)) \
	X(int, virConnectClose, (virConnectPtr conn)) \
	X(virNetworkPtr, virNetworkLookupByName, (virConnectPtr conn, const char *name)) \
	X(int, virNetworkIsActive, (virNetworkPtr net)) \
	X(int, virNetworkGetAutostart, (virNetworkPtr network, int *autostart)) \
	X(int, virNetworkCreate, (virNetworkPtr network)) \
	X(int, virNetworkDestroy, (virNetworkPtr network)) \
	X(int, virNetworkSetAutostart, (virNetworkPtr network, int autostart)) \
	X(int, virNetworkFree, (virNetworkPtr network)) \
	X(virStoragePoolPtr, virStoragePoolLookupByName, (virConnectPtr conn, const char *name)) \
	X(int, virStoragePoolIsActive, (virStoragePoolPtr pool)) \
	X(int, virStoragePoolGetAutostart, (virStoragePoolPtr pool, int *autostart)) \
	X(int, virStoragePoolCreate, (virStoragePoolPtr pool, unsigned int flags)) \
	X(int, virStoragePoolDestroy, (virStoragePoolPtr pool)) \
	X(int, virStoragePoolSetAutostart, (virStoragePoolPtr pool, int autostart)) \
	X(int, virStoragePoolFree, (virStoragePoolPtr pool)) \
	X(virErrorPtr, virGetLastError, (void))

static struct {
#define LC_FIELD(ret, name, args) ret (*name) args;
	LC_API(LC_FIELD)
#undef LC_FIELD
} lc_api;

#define LC_SYM(ret, name, args) { #name, (void **)&lc_api.name },
static const struct host_libvirt_sym lc_syms[] = { LC_API(LC_SYM) };
#undef LC_SYM

static const char *const lc_action_names[HOST_LIBVIRT_ACTION_COUNT] = {
	[HOST_LIBVIRT_ACTION_NONE] = "none",
	[HOST_LIBVIRT_NET_START] = "net-start",
	[HOST_LIBVIRT_NET_STOP] = "net-destroy",
	[HOST_LIBVIRT_NET_AUTOSTART] = "net-autostart",
	[HOST_LIBVIRT_NET_NO_AUTOSTART] = "net-autostart-disable",
	[HOST_LIBVIRT_POOL_START] = "pool-start",
	[HOST_LIBVIRT_POOL_STOP] = "pool-destroy",
	[HOST_LIBVIRT_POOL_AUTOSTART] = "pool-autostart",
	[HOST_LIBVIRT_POOL_NO_AUTOSTART] = "pool-autostart-disable",
};

/*
 * What each action does: the object kind, the property it sets (running, or starting with the
 * host) and the value it wants. One row per action instead of a switch per kind and question.
 */
struct lc_action {
	bool pool;              /* a storage pool, else a network */
	bool autostart;         /* sets autostart, else starts/stops */
	int want;               /* 1 running / autostart on, 0 stopped / off */
};

static const struct lc_action lc_actions[HOST_LIBVIRT_ACTION_COUNT] = {
	[HOST_LIBVIRT_NET_START] = { false, false, 1 },
	[HOST_LIBVIRT_NET_STOP] = { false, false, 0 },
	[HOST_LIBVIRT_NET_AUTOSTART] = { false, true, 1 },
	[HOST_LIBVIRT_NET_NO_AUTOSTART] = { false, true, 0 },
	[HOST_LIBVIRT_POOL_START] = { true, false, 1 },
	[HOST_LIBVIRT_POOL_STOP] = { true, false, 0 },
	[HOST_LIBVIRT_POOL_AUTOSTART] = { true, true, 1 },
	[HOST_LIBVIRT_POOL_NO_AUTOSTART] = { true, true, 0 },
};

const char *host_libvirt_action_name(enum host_libvirt_action action)
{
	return (unsigned)action < HOST_LIBVIRT_ACTION_COUNT ? lc_action_names[action] : "none";
}

int host_libvirt_action_parse(const char *name, enum host_libvirt_action *out)
{
	for (unsigned i = 0; name && i < HOST_LIBVIRT_ACTION_COUNT; i++) {
		if (strcmp(lc_action_names[i], name) == 0) {
			*out = (enum host_libvirt_action)i;
			return 0;
		}
	}
	return -EINVAL;
}

static void lc_error(char *out, size_t len, const char *what)
{
	virErrorPtr e = lc_api.virGetLastError();
	snprintf(out, len, "error %s: %s", what, e && e->message ? e->message : "unknown libvirt error");
}

/* The object's current value of the property `a` sets: 1 or 0, -1 when libvirt could not tell. */
static int lc_get(void *obj, const struct lc_action *a)
{
	int v = 0;
	if (a->autostart) {
		int r = a->pool ? lc_api.virStoragePoolGetAutostart(obj, &v) : lc_api.virNetworkGetAutostart(obj, &v);
		return r < 0 ? -1 : v != 0;
	}
	v = a->pool ? lc_api.virStoragePoolIsActive(obj) : lc_api.virNetworkIsActive(obj);
	return v < 0 ? -1 : v == 1;
}

/* Set the property `a` names to its wanted value; libvirt's -1 on failure. */
static int lc_set(void *obj, const struct lc_action *a)
{
	if (a->autostart)
		return a->pool ? lc_api.virStoragePoolSetAutostart(obj, a->want) : lc_api.virNetworkSetAutostart(obj, a->want);
	if (a->pool)
		return a->want ? lc_api.virStoragePoolCreate(obj, 0) : lc_api.virStoragePoolDestroy(obj);
	return a->want ? lc_api.virNetworkCreate(obj) : lc_api.virNetworkDestroy(obj);
}

/* One action on the named object of an open connection; the answer line goes to `out`. */
static void lc_apply(virConnectPtr c, enum host_libvirt_action action, const char *name, char *out, size_t len)
{
	const struct lc_action *a = &lc_actions[action];
	void *obj = a->pool ? (void *)lc_api.virStoragePoolLookupByName(c, name)
			    : (void *)lc_api.virNetworkLookupByName(c, name);
	if (!obj) {
		lc_error(out, len, a->pool ? "looking up the storage pool" : "looking up the network");
		return;
	}
	if (lc_get(obj, a) == a->want)
		snprintf(out, len, "already");
	else if (lc_set(obj, a) < 0)
		lc_error(out, len, host_libvirt_action_name(action));
	else
		snprintf(out, len, "changed");
	if (a->pool)
		lc_api.virStoragePoolFree(obj);
	else
		lc_api.virNetworkFree(obj);
}

struct lc_request {
	const char *uri;
	enum host_libvirt_action action;
	const char *name;
};

/* The child's job: the whole conversation, then the one answer line on `fd`. */
static int lc_child(int fd, void *arg)
{
	const struct lc_request *rq = arg;
	char answer[LC_ANSWER_MAX - 2], line[LC_ANSWER_MAX], why[256];
	if (!host_libvirt_load(lc_syms, sizeof lc_syms / sizeof lc_syms[0], why, sizeof why)) {
		snprintf(answer, sizeof answer, "error %s", why);
	} else {
		virConnectPtr c = lc_api.virConnectOpen(rq->uri);
		if (!c) {
			lc_error(answer, sizeof answer, "connecting");
		} else {
			lc_apply(c, rq->action, rq->name, answer, sizeof answer);
			lc_api.virConnectClose(c);
		}
	}
	int n = snprintf(line, sizeof line, "%s\n", answer);
	return write(fd, line, (size_t)n) > 0 ? 0 : 1;
}

static bool lc_name_ok(const char *name)
{
	size_t n = strlen(name);
	return n > 0 && n < 64 && strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

int host_libvirt_call(struct host *host, const char *uri, enum host_libvirt_action action, const char *name,
		      int timeout_ms)
{
	if (!host)
		return -EINVAL;
	if (host->snapshot)
		return host_fail(host, -EROFS, "libvirt %s: a snapshot cannot be changed",
				 host_libvirt_action_name(action));
	if (!uri || !*uri || !name || !lc_name_ok(name) || action <= HOST_LIBVIRT_ACTION_NONE ||
	    action >= HOST_LIBVIRT_ACTION_COUNT)
		return host_fail(host, -EINVAL, "libvirt call: bad action, URI or network name");
	if (timeout_ms <= 0)
		timeout_ms = LC_DEFAULT_TIMEOUT_MS;
	char what[64];
	snprintf(what, sizeof what, "libvirt %s", host_libvirt_action_name(action));
	/* Not cancellable: host_cancel() is the wizard's skip of a slow diagnosis; a change runs to its
	 * answer or its deadline. */
	struct lc_request rq = { uri, action, name };
	struct host_libvirt_job job = { .run = lc_child, .arg = &rq, .timeout_ms = timeout_ms,
					.limit = LC_ANSWER_MAX - 1, .cancellable = false };
	struct host_libvirt_end end;
	int err = host_libvirt_run(host, what, &job, &end);
	if (err < 0)
		return err;
	char *answer = end.answer.data;
	answer[strcspn(answer, "\n")] = '\0';
	if (end.timed_out)
		err = host_fail(host, -ETIMEDOUT, "%s %s: no answer within %d ms", what, name, timeout_ms);
	else if (strcmp(answer, "changed") == 0)
		err = 0;
	else if (strcmp(answer, "already") == 0)
		err = 1;
	else
		err = host_fail(host, -EIO, "%s %s: %s", what, name,
				strncmp(answer, "error ", 6) == 0 ? answer + 6 : "the libvirt client process failed");
	host_buf_free(&end.answer);
	return err;
}
