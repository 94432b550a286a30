/* SPDX-License-Identifier: MIT */
/* Tests of core/host_libvirt.c: libvirt's test driver, a hung daemon, missing sockets and hostile state.json. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vmdoctor/host.h"

#include "../../core/host_private.h"

#define NODE_XML FIXTURES "/libvirt/node.xml"

static struct host *host;
static struct host_libvirt_state state;
static char tmp_dir[64];
static char dac_file[96];               /* removed by teardown() */
static int listen_fd = -1;

static void setup(void)
{
	cr_assert(eq(int, host_open_live(&host), 0));
}

static void teardown(void)
{
	host_libvirt_free(&state);
	host_close(host);
	if (listen_fd >= 0)
		close(listen_fd);
	if (dac_file[0])
		unlink(dac_file);
	if (tmp_dir[0]) {
		char path[256];
		snprintf(path, sizeof path, "%s/sock", tmp_dir);
		unlink(path);
		rmdir(tmp_dir);
	}
}

TestSuite(host_libvirt, .init = setup, .fini = teardown);

static const struct host_libvirt_domain *find_domain(const char *name)
{
	for (size_t i = 0; i < state.n_domains; i++)
		if (strcmp(state.domains[i].name, name) == 0)
			return &state.domains[i];
	return NULL;
}

Test(host_libvirt, test_driver_gives_networks_pools_and_domains)
{
	cr_assert(eq(int, host_libvirt(host, "test://" NODE_XML, 10000, &state), 0), "%s", host_error(host));
	cr_assert(eq(str, (char *)host_libvirt_conn_name(state.conn), "ok"), "%s", state.message);
	cr_expect(eq(str, state.driver, "TEST"));
	cr_expect(state.lib_version >= 9000000);
	/* the test driver's capabilities have no x86_64 guest, so no kvm */
	bool caps = state.caps_known, no_kvm = !state.kvm_offered;
	cr_expect(caps);
	cr_expect(no_kvm);

	cr_assert(eq(sz, state.n_nets, 2));
	cr_expect(eq(str, state.nets[0].name, "default"), "sorted by name");
	cr_expect(eq(str, state.nets[0].bridge, "virbr0"));
	bool active = state.nets[0].active, has_ip = state.nets[0].has_ip, iso_no_ip = !state.nets[1].has_ip;
	cr_expect(active);
	cr_expect(has_ip);
	cr_expect(iso_no_ip, "a network with only a bridge needs no dnsmasq or firewall");

	const struct host_libvirt_pool *pool = host_libvirt_find_pool(&state, "default");
	cr_assert(pool != NULL);
	cr_expect(eq(str, (char *)pool->target, "/var/lib/libvirt/images"));

	cr_assert(eq(sz, state.n_domains, 2));
	const struct host_libvirt_domain *win = find_domain("win11");
	cr_assert(win != NULL);
	cr_expect(eq(int, win->state, 5));
	cr_expect(eq(str, (char *)win->type, "kvm"));
	cr_expect(eq(str, (char *)win->cpu_mode, "host-passthrough"));
	bool efi = win->efi, huge = win->hugepages;
	cr_expect(efi);
	cr_expect(huge);
	cr_expect(eq(ulong, win->hugepage_kib, 2048));
	cr_expect(eq(ulong, win->memory_kib, 8ul * 1024 * 1024));
	cr_assert(eq(sz, win->n_disks, 2));
	cr_expect(eq(str, (char *)win->disks[0].path, "/home/alice/VMs/win11.qcow2"));
	bool ro = win->disks[1].readonly;
	cr_expect(ro, "a cdrom is read-only");
	/* test:/// is not a system URI: no qemu user to walk the path for */
	cr_expect(eq(str, (char *)host_libvirt_dac_name(win->disks[0].dac), "unchecked"));
	cr_assert(eq(sz, win->n_ifaces, 1));
	cr_expect(eq(str, (char *)win->ifaces[0].type, "bridge"));
	cr_expect(eq(str, (char *)win->ifaces[0].source, "br0"));
	cr_assert(eq(sz, win->hostdevs.count, 1));
	cr_expect(eq(str, win->hostdevs.items[0], "0000:01:00.1"));

	const struct host_libvirt_domain *web = find_domain("web");
	cr_assert(web != NULL);
	cr_expect(eq(int, web->state, 1));
	cr_expect(eq(str, (char *)web->ifaces[0].source, "default"));
}

Test(host_libvirt, json_round_trip_is_what_a_snapshot_stores)
{
	struct host_buf buf;
	char why[256];
	cr_assert(eq(int, host_libvirt_json(host, "test://" NODE_XML, 10000, &buf), 0));
	cr_assert(eq(int, host_libvirt_parse(buf.data, buf.len, &state, why, sizeof why), 0), "%s", why);
	cr_expect(strstr(buf.data, "\"format\":\"vmdoctor-libvirt\"") != NULL);
	cr_expect(strstr(buf.data, "<domain type='kvm'>") != NULL, "the domain XML is kept for people");
	cr_expect(eq(sz, state.n_domains, 2));
	host_buf_free(&buf);
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A socket in a fresh directory; listening or not. Returns the URI. */
static void make_socket(bool do_listen, char *uri, size_t len)
{
	snprintf(tmp_dir, sizeof tmp_dir, "/tmp/vmdoctor-lv-XXXXXX");
	cr_assert(mkdtemp(tmp_dir) != NULL);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/sock", tmp_dir);
	listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert(listen_fd >= 0);
	cr_assert(eq(int, bind(listen_fd, (struct sockaddr *)&sa, sizeof sa), 0));
	if (do_listen)
		cr_assert(eq(int, listen(listen_fd, 8), 0));
	snprintf(uri, len, "qemu+unix:///system?socket=%s", sa.sun_path);
}

Test(host_libvirt, hung_daemon_times_out_within_the_deadline)
{
	char uri[256];
	make_socket(true, uri, sizeof uri);      /* accepts (backlog) but never answers */
	long start = now_ms();
	cr_assert(eq(int, host_libvirt(host, uri, 1000, &state), 0), "%s", host_error(host));
	long elapsed = now_ms() - start;
	cr_expect(eq(str, (char *)host_libvirt_conn_name(state.conn), "timeout"), "%s", state.message);
	cr_expect(lt(long, elapsed, 15000), "took %ld ms", elapsed);
	cr_expect(eq(sz, state.n_nets, 0));
}

/* host_cancel() from another thread, as the wizard's 's' key does while its worker waits on libvirt. */
static void *cancel_later(void *arg)
{
	struct timespec ts = { 0, 200 * 1000000L };
	nanosleep(&ts, NULL);
	host_cancel(arg);
	return NULL;
}

Test(host_libvirt, cancel_stops_a_hung_daemon_at_once)
{
	char uri[256];
	make_socket(true, uri, sizeof uri);
	pthread_t t;
	cr_assert(eq(int, pthread_create(&t, NULL, cancel_later, host), 0));
	long start = now_ms();
	int err = host_libvirt(host, uri, 5000, &state);
	long elapsed = now_ms() - start;
	pthread_join(t, NULL);
	cr_expect(eq(int, err, -ECANCELED));
	cr_expect(eq(str, (char *)host_error(host), "libvirt: skipped by the user"));
	cr_expect(lt(long, elapsed, 1500), "took %ld ms after a cancel at 200 ms", elapsed);
	/* The request is used up: the next call asks libvirt again (and times out on the hung socket). */
	host_libvirt_free(&state);
	cr_expect(eq(int, host_libvirt(host, uri, 300, &state), 0), "%s", host_error(host));
	cr_expect(eq(str, (char *)host_libvirt_conn_name(state.conn), "timeout"));
}

Test(host_libvirt, cancel_before_the_call_skips_it)
{
	char uri[256];
	make_socket(true, uri, sizeof uri);
	host_cancel(host);
	long start = now_ms();
	cr_expect(eq(int, host_libvirt(host, uri, 5000, &state), -ECANCELED));
	cr_expect(lt(long, now_ms() - start, 500));
}

Test(host_libvirt, socket_without_listener_is_refused)
{
	char uri[256];
	make_socket(false, uri, sizeof uri);
	cr_assert(eq(int, host_libvirt(host, uri, 10000, &state), 0));
	cr_expect(eq(str, (char *)host_libvirt_conn_name(state.conn), "refused"), "%s", state.message);
	cr_expect(strstr(state.message, "Connection refused") != NULL, "%s", state.message);
}

Test(host_libvirt, missing_socket_is_no_socket)
{
	cr_assert(eq(int, host_libvirt(host, "qemu+unix:///system?socket=/nonexistent/vmdoctor/sock", 10000, &state),
		     0));
	cr_expect(eq(str, (char *)host_libvirt_conn_name(state.conn), "no-socket"), "%s", state.message);
	cr_expect(ne(int, state.error_code, 0));
}

/* ---- parsing state.json ---- */

static int parse(const char *text, char *why, size_t len)
{
	host_libvirt_free(&state);
	return host_libvirt_parse(text, strlen(text), &state, why, len);
}

Test(host_libvirt, parse_rejects_malformed_state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{}",                                                   /* no connection */
		"{\"connection\": \"maybe\"}",
		"{\"connection\": \"ok\", \"networks\": {}}",
		"{\"connection\": \"ok\", \"networks\": [1]}",
		"{\"connection\": \"ok\", \"domains\": [{\"name\": 5}]}",
		"{\"connection\": \"ok\", \"domains\": [{\"disks\": [{\"dac\": \"perhaps\"}]}]}",
		"{\"connection\": \"ok\", \"domains\": [{\"hostdevs\": [{}]}]}",
		"{\"connection\": \"ok\", \"domains\": [{\"disks\": [{\"path\": \"/a\"}], \"state\": -1}]}",
		"{\"connection\": \"ok\", \"connection\": \"ok\"}",
	};
	char why[256];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_expect(eq(int, parse(bad[i], why, sizeof why), -EINVAL), "accepted: %s", bad[i]);
		cr_expect(strstr(why, "libvirt/state.json") != NULL, "reason names the file: %s", why);
		cr_expect(eq(sz, state.n_domains, 0), "nothing kept after a failure");
	}
}

Test(host_libvirt, parse_cleans_control_characters)
{
	char why[256];
	cr_assert(eq(int, parse("{\"connection\": \"error\", \"message\": \"a\\u001b[31mb\"}", why, sizeof why), 0),
		  "%s", why);
	cr_expect(eq(str, state.message, "a?[31mb"));
}

/* ---- the DAC walk, as the unprivileged user nobody ---- */


static enum host_libvirt_dac walk(const char *path, bool dynamic_ownership, bool readonly, struct host_libvirt_disk *d)
{
	memset(d, 0, sizeof *d);
	snprintf(d->path, sizeof d->path, "%s", path);
	d->readonly = readonly;
	host_libvirt_dac_walk("nobody", "nogroup", dynamic_ownership, d);
	return d->dac;
}

Test(host_libvirt, dac_walk_finds_the_blocking_directory)
{
	struct passwd *pw = getpwnam("nobody");
	if (!pw || getuid() == pw->pw_uid)
		cr_skip_test("needs a user nobody other than the caller");
	snprintf(tmp_dir, sizeof tmp_dir, "/tmp/vmdoctor-dac-XXXXXX");
	cr_assert(mkdtemp(tmp_dir) != NULL);
	snprintf(dac_file, sizeof dac_file, "%s/disk.qcow2", tmp_dir);
	int fd = open(dac_file, O_CREAT | O_WRONLY, 0600);
	cr_assert(fd >= 0);
	close(fd);
	struct host_libvirt_disk d;

	cr_assert(eq(int, chmod(tmp_dir, 0700), 0));
	cr_expect(eq(int, walk(dac_file, true, false, &d), HOST_LIBVIRT_DAC_DENIED));
	cr_expect(eq(str, d.blocker, tmp_dir), "the directory, not the file, blocks");
	cr_expect(eq(int, strncmp(d.blocker_stat, "drwx------ ", 11), 0), "%s", d.blocker_stat);

	cr_assert(eq(int, chmod(tmp_dir, 0711), 0));
	cr_expect(eq(int, walk(dac_file, true, false, &d), HOST_LIBVIRT_DAC_OK), "dynamic_ownership chowns the image");
	cr_expect(eq(int, walk(dac_file, false, true, &d), HOST_LIBVIRT_DAC_DENIED), "0600 image, no chown");
	cr_expect(eq(str, d.blocker, dac_file));
	cr_assert(eq(int, chmod(dac_file, 0644), 0));
	cr_expect(eq(int, walk(dac_file, false, true, &d), HOST_LIBVIRT_DAC_OK), "read-only needs r");
	cr_expect(eq(int, walk(dac_file, false, false, &d), HOST_LIBVIRT_DAC_DENIED), "read-write needs w");

	char missing[128];
	snprintf(missing, sizeof missing, "%s/nope/disk.img", tmp_dir);
	cr_expect(eq(int, walk(missing, true, false, &d), HOST_LIBVIRT_DAC_MISSING));
	cr_expect(eq(int, walk("relative/disk.img", true, false, &d), HOST_LIBVIRT_DAC_UNCHECKED));
}
