/* SPDX-License-Identifier: MIT */
/* Tests of the host layer: the snapshot back end against hostile snapshots built here, and the live back end on this machine. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "vmdoctor/host.h"

#include "../../core/host_private.h"

static const char snap_json_ok[] =
	"{\"format\": \"vmdoctor-snapshot\", \"version\": 1, \"created\": \"2024-05-01T12:00:00Z\","
	" \"source\": \"fixture\", \"tool\": \"vmdoctor 0.1.0\","
	" \"user\": {\"name\": \"alice\", \"uid\": 1000, \"groups\": [\"kvm\", \"alice\", \"kvm\"]}}\n";

static const char cpuid_intel[] =
	"basic_cpuid[0]=0000000d 756e6547 6c65746e 49656e69\n"
	"basic_cpuid[1]=000306a9 00100800 7fbae3ff bfebfbff\n"
	"ext_cpuid[0]=80000008 00000000 00000000 00000000\n"
	"ext_cpuid[1]=00000000 00000000 00000001 28100800\n";

static char tmp_dir[256];

/* ---- helpers ---- */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void cleanup(void)
{
	if (tmp_dir[0])
		nftw(tmp_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	tmp_dir[0] = '\0';
	host_snapshot_force_walk = false;
}

static void mkdirs_for(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + strlen(tmp_dir) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	}
}

static const char *in_tmp(const char *rel)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof path, "%s/%s", tmp_dir, rel);
	return path;
}

static void put_bytes(const char *rel, const void *data, size_t len)
{
	const char *path = in_tmp(rel);
	FILE *f;

	mkdirs_for(path);
	f = fopen(path, "wb");
	cr_assert(ne(ptr, f, NULL), "cannot create %s", path);
	cr_assert(eq(sz, fwrite(data, 1, len, f), len));
	fclose(f);
}

static void put(const char *rel, const char *text)
{
	put_bytes(rel, text, strlen(text));
}

static void link_to(const char *rel, const char *target)
{
	const char *path = in_tmp(rel);

	mkdirs_for(path);
	cr_assert(eq(int, symlink(target, path), 0));
}

/* A fresh snapshot directory with a valid snapshot.json and an empty fs/. */
static void make_snapshot(void)
{
	snprintf(tmp_dir, sizeof tmp_dir, "/tmp/vmdoctor-test-XXXXXX");
	cr_assert(ne(ptr, mkdtemp(tmp_dir), NULL));
	put("snapshot.json", snap_json_ok);
	cr_assert(eq(int, mkdir(in_tmp("fs"), 0755), 0));
}

static struct host *open_snapshot(void)
{
	struct host *host = NULL;
	int rc = host_open_snapshot(tmp_dir, &host);

	cr_assert(eq(int, rc, 0), "open failed: %s", host_open_error());
	cr_assert(ne(ptr, host, NULL));
	return host;
}

static int open_snapshot_err(void)
{
	struct host *host = (struct host *)1;
	int rc = host_open_snapshot(tmp_dir, &host);

	cr_assert(eq(ptr, host, NULL));
	return rc;
}

static bool has(const char *haystack, const char *needle)
{
	return strstr(haystack, needle) != NULL;
}

TestSuite(snapshot, .init = make_snapshot, .fini = cleanup, .timeout = 20);

/* ---- fs/ ---- */

Test(snapshot, reads_a_file_under_fs)
{
	struct host *host;
	struct host_buf buf;

	put("fs/proc/cpuinfo", "flags\t: vmx\n");
	host = open_snapshot();
	cr_assert(eq(int, host_read_file(host, "/proc/cpuinfo", 4096, &buf), 0));
	cr_assert(eq(str, buf.data, "flags\t: vmx\n"));
	cr_assert(eq(sz, buf.len, 12));
	cr_assert(not(buf.truncated));
	host_buf_free(&buf);
	/* The same file through a non-canonical path. */
	cr_assert(eq(int, host_read_file(host, "//proc/./cpuinfo", 4096, &buf), 0));
	cr_assert(eq(str, buf.data, "flags\t: vmx\n"));
	host_buf_free(&buf);
	cr_assert(host_is_snapshot(host));
	host_close(host);
}

Test(snapshot, read_limit_sets_truncated)
{
	struct host *host;
	struct host_buf buf;

	put("fs/etc/motd", "0123456789");
	host = open_snapshot();
	cr_assert(eq(int, host_read_file(host, "/etc/motd", 4, &buf), 0));
	cr_assert(eq(str, buf.data, "0123"));
	cr_assert(buf.truncated);
	host_buf_free(&buf);
	cr_assert(eq(int, host_read_file(host, "/etc/motd", 10, &buf), 0));
	cr_assert(eq(str, buf.data, "0123456789"));
	cr_assert(not(buf.truncated));
	host_buf_free(&buf);
	cr_assert(eq(int, host_read_file(host, "/etc/motd", 0, &buf), 0));
	cr_assert(eq(sz, buf.len, 0));
	cr_assert(buf.truncated);
	host_buf_free(&buf);
	host_close(host);
}

Test(snapshot, missing_file_is_enoent_with_reason)
{
	struct host *host = open_snapshot();
	struct host_buf buf;

	cr_assert(eq(int, host_read_file(host, "/etc/nothing", 4096, &buf), -ENOENT));
	cr_assert(eq(ptr, buf.data, NULL));
	cr_assert(has(host_error(host), "/etc/nothing"), "%s", host_error(host));
	host_close(host);
}

Test(snapshot, list_dir_is_sorted_without_dots)
{
	struct host *host;
	struct host_names names;

	put("fs/etc/modprobe.d/zz.conf", "");
	put("fs/etc/modprobe.d/aa.conf", "");
	put("fs/etc/modprobe.d/Mm.conf", "");
	cr_assert(eq(int, mkdir(in_tmp("fs/etc/modprobe.d/dir"), 0755), 0));
	host = open_snapshot();
	cr_assert(eq(int, host_list_dir(host, "/etc/modprobe.d", &names), 0));
	cr_assert(eq(sz, names.count, 4));
	cr_assert(eq(str, names.items[0], "Mm.conf"));
	cr_assert(eq(str, names.items[1], "aa.conf"));
	cr_assert(eq(str, names.items[2], "dir"));
	cr_assert(eq(str, names.items[3], "zz.conf"));
	cr_assert(host_names_contains(&names, "aa.conf"));
	cr_assert(not(host_names_contains(&names, ".")));
	host_names_free(&names);
	cr_assert(eq(int, host_list_dir(host, "/etc/nothing", &names), -ENOENT));
	host_close(host);
}

Test(snapshot, exists)
{
	struct host *host;

	put("fs/sys/module/kvm/parameters/halt_poll_ns", "0\n");
	host = open_snapshot();
	cr_assert(host_exists(host, "/sys/module/kvm/parameters/halt_poll_ns"));
	cr_assert(host_exists(host, "/sys/module/kvm"));
	cr_assert(host_exists(host, "/"));
	cr_assert(not(host_exists(host, "/sys/module/kvm_intel")));
	cr_assert(not(host_exists(host, "sys/module/kvm")));
	host_close(host);
}

Test(snapshot, paths_with_dotdot_or_relative_are_refused)
{
	struct host *host;
	struct host_buf buf;
	struct host_names names;

	put("fs/etc/passwd", "inside\n");
	host = open_snapshot();
	cr_assert(eq(int, host_read_file(host, "../etc/passwd", 4096, &buf), -EINVAL));
	cr_assert(eq(int, host_read_file(host, "/proc/../../x", 4096, &buf), -EINVAL));
	cr_assert(eq(int, host_read_file(host, "/etc/..", 4096, &buf), -EINVAL));
	cr_assert(eq(int, host_read_file(host, "", 4096, &buf), -EINVAL));
	cr_assert(eq(int, host_read_file(host, NULL, 4096, &buf), -EINVAL));
	cr_assert(eq(int, host_list_dir(host, "/../..", &names), -EINVAL));
	cr_assert(not(host_exists(host, "/etc/../../..")));
	cr_assert(has(host_error(host), ".."), "%s", host_error(host));
	host_close(host);
}

/* An absolute link inside the snapshot means the snapshot's own root, as it did on the host. */
static void check_absolute_link(bool walk)
{
	struct host *host;
	struct host_buf buf;

	link_to("fs/proc/cpuinfo", "/etc/hostname");
	host_snapshot_force_walk = walk;
	host = open_snapshot();
	cr_assert(eq(int, host_read_file(host, "/proc/cpuinfo", 4096, &buf), walk ? -ELOOP : -ENOENT));
	put("fs/etc/hostname", "inside\n");
	if (walk) {
		cr_assert(eq(int, host_read_file(host, "/proc/cpuinfo", 4096, &buf), -ELOOP));
		cr_assert(not(host_exists(host, "/proc/cpuinfo")));
	} else {
		cr_assert(eq(int, host_read_file(host, "/proc/cpuinfo", 4096, &buf), 0));
		cr_assert(eq(str, buf.data, "inside\n"));
		cr_assert(host_exists(host, "/proc/cpuinfo"));
		host_buf_free(&buf);
	}
	host_close(host);
}

Test(snapshot, absolute_symlink_resolves_inside)
{
	check_absolute_link(false);
}

Test(snapshot, absolute_symlink_refused_without_openat2)
{
	check_absolute_link(true);
}

static void check_relative_escape(bool walk)
{
	struct host *host;
	struct host_buf buf;
	struct host_names names;
	int rc;

	link_to("fs/proc/cpuinfo", "../../../../../../../../etc/passwd");
	link_to("fs/var/run", "/run");
	cr_assert(eq(int, mkdir(in_tmp("fs/run"), 0755), 0));
	put("fs/run/libvirt.pid", "42\n");
	host_snapshot_force_walk = walk;
	host = open_snapshot();
	rc = host_read_file(host, "/proc/cpuinfo", 1 << 20, &buf);
	cr_assert(eq(int, rc, walk ? -ELOOP : -ENOENT));
	cr_assert(eq(ptr, buf.data, NULL));
	/* fs/etc -> /etc is itself: a loop, never the host's /etc. */
	link_to("fs/etc", "/etc");
	rc = host_read_file(host, "/proc/cpuinfo", 1 << 20, &buf);
	cr_assert(eq(int, rc, -ELOOP));
	rc = host_list_dir(host, "/etc", &names);
	cr_assert(lt(int, rc, 0));
	cr_assert(eq(sz, names.count, 0));
	rc = host_read_file(host, "/etc/passwd", 1 << 20, &buf);
	cr_assert(lt(int, rc, 0));
	/* var/run -> /run works as on the host, unless links are refused. */
	rc = host_read_file(host, "/var/run/libvirt.pid", 64, &buf);
	if (walk) {
		cr_assert(eq(int, rc, -ELOOP));
	} else {
		cr_assert(eq(int, rc, 0));
		cr_assert(eq(str, buf.data, "42\n"));
		host_buf_free(&buf);
	}
	host_close(host);
}

Test(snapshot, relative_symlink_cannot_escape)
{
	check_relative_escape(false);
}

Test(snapshot, relative_symlink_cannot_escape_without_openat2)
{
	check_relative_escape(true);
}

Test(snapshot, fifo_does_not_hang, .timeout = 5)
{
	struct host *host;
	struct host_buf buf;
	struct host_names names;

	cr_assert(eq(int, mkdir(in_tmp("fs/run"), 0755), 0));
	cr_assert(eq(int, mkfifo(in_tmp("fs/run/initctl"), 0600), 0));
	host = open_snapshot();
	cr_assert(eq(int, host_read_file(host, "/run/initctl", 4096, &buf), -EINVAL));
	cr_assert(eq(int, host_list_dir(host, "/run/initctl", &names), -ENOTDIR));
	cr_assert(host_exists(host, "/run/initctl"));
	cr_assert(eq(int, host_read_file(host, "/run", 4096, &buf), -EISDIR));
	host_close(host);
}

Test(snapshot, no_fs_directory_means_nothing_exists)
{
	struct host *host;
	struct host_buf buf;

	cr_assert(eq(int, rmdir(in_tmp("fs")), 0));
	host = open_snapshot();
	cr_assert(eq(int, host_read_file(host, "/proc/cpuinfo", 4096, &buf), -ENOENT));
	cr_assert(not(host_exists(host, "/")));
	host_close(host);
}

Test(snapshot, fs_as_symlink_is_refused)
{
	cr_assert(eq(int, rmdir(in_tmp("fs")), 0));
	link_to("fs", "/");
	cr_assert(eq(int, open_snapshot_err(), -ELOOP));
	cr_assert(has(host_open_error(), "/fs"), "%s", host_open_error());
}

/* ---- fs-errors.txt ---- */

Test(snapshot, fs_errors_give_recorded_errno)
{
	struct host *host;
	struct host_buf buf;
	struct host_names names;

	put("fs-errors.txt",
	    "/root EACCES\n"
	    "/var/log/with space.log EIO\n"
	    "/etc/shadow ENOTAREALERRNO\n"
	    "/x bogus\n"
	    "malformed\n"
	    "relative/path EACCES\n"
	    "/sys/kernel/debug EPERM\r\n");
	put("fs/x", "x\n");
	host = open_snapshot();
	cr_assert(eq(int, host_read_file(host, "/root", 4096, &buf), -EACCES));
	cr_assert(eq(str, (char *)host_error(host), "/root: Permission denied (recorded in snapshot)"));
	cr_assert(eq(int, host_list_dir(host, "/root", &names), -EACCES));
	cr_assert(eq(int, host_read_file(host, "/root/.bashrc", 4096, &buf), -EACCES));
	cr_assert(host_exists(host, "/root"));
	cr_assert(not(host_exists(host, "/root/.bashrc")));
	cr_assert(eq(int, host_read_file(host, "/var/log/with space.log", 4096, &buf), -EIO));
	cr_assert(eq(int, host_read_file(host, "/etc/shadow", 4096, &buf), -EIO));
	cr_assert(eq(int, host_read_file(host, "/sys/kernel/debug/kvm", 4096, &buf), -EPERM));
	cr_assert(eq(int, host_read_file(host, "/x", 4096, &buf), 0));
	host_buf_free(&buf);
	cr_assert(eq(int, host_read_file(host, "/relative/path", 4096, &buf), -ENOENT));
	cr_assert(eq(int, host_read_file(host, "/rootfs", 4096, &buf), -ENOENT));
	host_close(host);
}

/* ---- devices.txt ---- */

Test(snapshot, devices_parse_and_skip_malformed)
{
	struct host *host;
	struct host_devnode d;

	put("devices.txt",
	    "/dev/kvm c 10:232 0660 root kvm\n"
	    "/dev/sda b 8:0 0660 root disk\n"
	    "/dev/bad1 x 1:2 0660 root root\n"
	    "/dev/bad2 c 1-2 0660 root root\n"
	    "/dev/bad3 c 1:2 0999 root root\n"
	    "/dev/bad4 c 1:2 0660 root\n"
	    "/dev/bad5 c 99999999999:2 0660 root root\n"
	    "garbage\n"
	    "\n"
	    "relative c 1:2 0660 root root\n"
	    "/dev/vboxdrv c 511:0 0600 root root\n");
	host = open_snapshot();
	cr_assert(eq(int, host_device(host, "/dev/kvm", &d), 0));
	cr_assert(eq(chr, d.type, 'c'));
	cr_assert(eq(uint, d.major, 10));
	cr_assert(eq(uint, d.minor, 232));
	cr_assert(eq(uint, d.mode, 0660));
	cr_assert(eq(str, d.owner, "root"));
	cr_assert(eq(str, d.group, "kvm"));
	cr_assert(eq(int, host_device(host, "/dev/sda", &d), 0));
	cr_assert(eq(chr, d.type, 'b'));
	cr_assert(eq(int, host_device(host, "/dev/vboxdrv", &d), 0));
	cr_assert(eq(uint, d.major, 511));
	cr_assert(eq(uint, d.mode, 0600));
	for (int i = 1; i <= 5; i++) {
		char path[32];

		snprintf(path, sizeof path, "/dev/bad%d", i);
		cr_assert(eq(int, host_device(host, path, &d), -ENOENT), "%s was accepted", path);
	}
	cr_assert(eq(int, host_device(host, "/dev/vmmon", &d), -ENOENT));
	host_close(host);
}

Test(snapshot, devices_missing_file_is_enodata)
{
	struct host *host = open_snapshot();
	struct host_devnode d;

	cr_assert(eq(int, host_device(host, "/dev/kvm", &d), -ENODATA));
	host_close(host);
}

/* ---- msr.txt ---- */

Test(snapshot, msr_value_errno_and_missing)
{
	struct host *host;
	uint64_t v = 99;

	put("msr.txt",
	    "0 0x3a 0x5\n"
	    "1 0x3a EACCES\n"
	    "0 0xc0010114 0x0000000000000010\n"
	    "garbage line here\n"
	    "2 3a 0x5\n");
	host = open_snapshot();
	cr_assert(eq(int, host_msr(host, 0, 0x3a, &v), 0));
	cr_assert(eq(u64, v, 5));
	cr_assert(eq(int, host_msr(host, 0, 0xc0010114, &v), 0));
	cr_assert(eq(u64, v, 0x10));
	cr_assert(eq(int, host_msr(host, 1, 0x3a, &v), -EACCES));
	cr_assert(eq(int, host_msr(host, 2, 0x3a, &v), -ENODATA));
	cr_assert(eq(int, host_msr(host, 0, 0x48b, &v), -ENODATA));
	host_close(host);
}

Test(snapshot, msr_missing_file_is_enodata)
{
	struct host *host = open_snapshot();
	uint64_t v;

	cr_assert(eq(int, host_msr(host, 0, 0x3a, &v), -ENODATA));
	host_close(host);
}

/* ---- cpuid.txt ---- */

/* Runs `fn` with stderr sent to a file, and says whether anything was written there. */
static bool wrote_to_stderr(void (*fn)(void))
{
	char path[] = "/tmp/vmdoctor-stderr-XXXXXX";
	int fd = mkstemp(path);
	int saved = dup(STDERR_FILENO);
	struct stat st;

	cr_assert(ge(int, fd, 0));
	dup2(fd, STDERR_FILENO);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	fstat(fd, &st);
	close(fd);
	unlink(path);
	return st.st_size > 0;
}

static void read_intel_with_hv(void)
{
	struct host *host;
	struct host_cpuid c;

	put("cpuid.txt", "version=0.6.2\n# hypervisor leaf written by vmdoctor\n");
	{
		FILE *f = fopen(in_tmp("cpuid.txt"), "a");

		fputs(cpuid_intel, f);
		fputs("hv_cpuid[0]=40000001 4b4d564b 564b4d56 0000004d\n", f);
		fclose(f);
	}
	host = open_snapshot();
	cr_assert(eq(int, host_cpuid(host, &c), 0), "%s", host_error(host));
	cr_assert(c.has_hv_leaf);
	cr_assert(eq(u32, c.hv_leaf[HOST_EAX], 0x40000001));
	cr_assert(eq(u32, c.hv_leaf[HOST_EBX], 0x4b4d564b));
	cr_assert(eq(str, c.vendor_str, "GenuineIntel"));
	host_close(host);
}

Test(snapshot, cpuid_synthetic_intel)
{
	struct host *host;
	struct host_cpuid c;

	put("cpuid.txt", cpuid_intel);
	host = open_snapshot();
	cr_assert(eq(int, host_cpuid(host, &c), 0), "%s", host_error(host));
	cr_assert(eq(u32, c.basic[1][HOST_ECX] & (1u << 5), 1u << 5));
	cr_assert(eq(u32, c.basic[0][HOST_EAX], 0xd));
	cr_assert(eq(u32, c.ext[1][HOST_EDX], 0x28100800));
	cr_assert(eq(str, c.vendor_str, "GenuineIntel"));
	cr_assert(not(c.has_hv_leaf));
	host_close(host);
}

Test(snapshot, cpuid_hv_line_sets_hv_leaf_quietly)
{
	/* libcpuid does not know hv_cpuid and warns on stderr unless silenced. */
	cr_assert(not(wrote_to_stderr(read_intel_with_hv)));
}

Test(snapshot, cpuid_unknown_vendor_keeps_registers)
{
	struct host *host;
	struct host_cpuid c;

	/* "VendorXYZabc" in EBX, EDX, ECX order: libcpuid cannot identify it. */
	put("cpuid.txt", "basic_cpuid[0]=00000001 646e6556 6362615a 5958726f\n"
			 "basic_cpuid[1]=00000f00 00000000 80000020 00000000\n");
	host = open_snapshot();
	cr_assert(eq(int, host_cpuid(host, &c), 0), "%s", host_error(host));
	cr_assert(eq(str, c.vendor_str, "VendorXYZabc"));
	cr_assert(eq(u32, c.basic[1][HOST_ECX], 0x80000020));
	host_close(host);
}

static int cpuid_with(const char *text, size_t len)
{
	struct host *host;
	struct host_cpuid c;
	int rc;

	put_bytes("cpuid.txt", text, len);
	host = open_snapshot();
	rc = host_cpuid(host, &c);
	if (rc < 0)
		cr_assert(has(host_error(host), "cpuid.txt"), "%s", host_error(host));
	host_close(host);
	return rc;
}

Test(snapshot, cpuid_rejects_hostile_text)
{
	static const char garbage[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\xff\xfe\n\x01\x02 basic_cpuid[0]=";
	char line[200];

	cr_assert(eq(int, cpuid_with(garbage, sizeof garbage - 1), -EINVAL));
	cr_assert(eq(int, cpuid_with("version=0.6.2-AAAAAAAAAAAAAAAAAAAA\n", 35), -EINVAL));
	cr_assert(eq(int, cpuid_with("basic_cpuid[99]=00000000 00000000 00000000 00000000\n", 52), -EINVAL));
	cr_assert(eq(int, cpuid_with("basic_cpuid[0]=0000000d 756e6547 6c65746e\n", 42), -EINVAL));
	cr_assert(eq(int, cpuid_with("basic_cpuid[0]=0000000d 756e6547 6c65746e 4965zz69\n", 51), -EINVAL));
	cr_assert(eq(int, cpuid_with("# only a comment\n", 17), -EINVAL));
	/* A long comment: libcpuid would read its tail as a line of its own. */
	memset(line, '#', sizeof line);
	line[sizeof line - 1] = '\n';
	cr_assert(eq(int, cpuid_with(line, sizeof line), -EINVAL));
}

Test(snapshot, cpuid_rejects_a_10mb_line)
{
	size_t len = 10u << 20;
	char *big = malloc(len);

	cr_assert(ne(ptr, big, NULL));
	memset(big, 'A', len);
	cr_assert(eq(int, cpuid_with(big, len), -EINVAL));
	free(big);
}

Test(snapshot, cpuid_stops_at_the_80_dash_line)
{
	char text[1024];

	/* libcpuid's own .test files keep expected results after this line. */
	snprintf(text, sizeof text, "%s%s\nx86-64\nIvy Bridge (Celeron)\n", cpuid_intel,
		 "--------------------------------------------------------------------------------");
	cr_assert(eq(int, cpuid_with(text, strlen(text)), 0));
}

Test(snapshot, cpuid_absent_is_enodata)
{
	struct host *host = open_snapshot();
	struct host_cpuid c;

	cr_assert(eq(int, host_cpuid(host, &c), -ENODATA));
	host_close(host);
}

Test(snapshot, cpuid_symlink_is_refused)
{
	struct host *host;
	struct host_cpuid c;

	put("elsewhere.txt", cpuid_intel);
	link_to("cpuid.txt", "elsewhere.txt");
	host = open_snapshot();
	cr_assert(eq(int, host_cpuid(host, &c), -ELOOP));
	host_close(host);
}

/* ---- snapshot.json ---- */

Test(snapshot, json_header_and_user)
{
	struct host *host = open_snapshot();
	struct host_user u;

	cr_assert(eq(str, (char *)host_created(host), "2024-05-01T12:00:00Z"));
	cr_assert(eq(str, (char *)host_source(host), "fixture"));
	cr_assert(eq(str, (char *)host_tool(host), "vmdoctor 0.1.0"));
	cr_assert(eq(int, host_user(host, &u), 0));
	cr_assert(eq(str, u.name, "alice"));
	cr_assert(eq(uint, u.uid, 1000));
	cr_assert(not(u.gid_known));
	cr_assert(not(u.via_sudo));
	cr_assert(u.session_known);
	cr_assert(eq(sz, u.session_groups.count, 2));
	cr_assert(eq(str, u.session_groups.items[0], "alice"));
	cr_assert(eq(str, u.session_groups.items[1], "kvm"));
	host_user_free(&u);
	host_close(host);
}

Test(snapshot, json_user_optional_fields)
{
	struct host *host;
	struct host_user u;

	put("snapshot.json", "{\"format\": \"vmdoctor-snapshot\", \"version\": 1,"
			     " \"user\": {\"name\": \"bob\", \"uid\": 1001, \"gid\": 1001, \"via_sudo\": true}}");
	host = open_snapshot();
	cr_assert(eq(int, host_user(host, &u), 0));
	cr_assert(u.gid_known);
	cr_assert(eq(uint, u.gid, 1001));
	cr_assert(u.via_sudo);
	cr_assert(not(u.session_known));
	cr_assert(eq(sz, u.session_groups.count, 0));
	host_user_free(&u);
	host_close(host);
}

Test(snapshot, json_user_missing_or_bad)
{
	struct host *host;
	struct host_user u;

	put("snapshot.json", "{\"format\": \"vmdoctor-snapshot\", \"version\": 1}");
	host = open_snapshot();
	cr_assert(eq(int, host_user(host, &u), -ENODATA));
	cr_assert(eq(str, (char *)host_created(host), ""));
	host_close(host);
	put("snapshot.json", "{\"format\": \"vmdoctor-snapshot\", \"version\": 1,"
			     " \"user\": {\"name\": \"bob\", \"uid\": -1}}");
	host = open_snapshot();
	cr_assert(eq(int, host_user(host, &u), -EINVAL));
	host_close(host);
	put("snapshot.json", "{\"format\": \"vmdoctor-snapshot\", \"version\": 1,"
			     " \"user\": {\"name\": \"bob\", \"uid\": 5, \"groups\": [\"kvm\", 7]}}");
	host = open_snapshot();
	cr_assert(eq(int, host_user(host, &u), -EINVAL));
	cr_assert(eq(sz, u.session_groups.count, 0));
	host_close(host);
}

Test(snapshot, json_missing)
{
	cr_assert(eq(int, unlink(in_tmp("snapshot.json")), 0));
	cr_assert(eq(int, open_snapshot_err(), -ENOENT));
	cr_assert(has(host_open_error(), "snapshot.json"), "%s", host_open_error());
	cr_assert(has(host_open_error(), "not a vmdoctor snapshot"), "%s", host_open_error());
}

Test(snapshot, json_wrong_format)
{
	put("snapshot.json", "{\"version\": 1}");
	cr_assert(eq(int, open_snapshot_err(), -EINVAL));
	cr_assert(has(host_open_error(), "not a vmdoctor snapshot: missing \"format\""), "%s", host_open_error());
	put("snapshot.json", "{\"format\": \"sosreport\", \"version\": 1}");
	cr_assert(eq(int, open_snapshot_err(), -EINVAL));
	cr_assert(has(host_open_error(), "\"format\""), "%s", host_open_error());
	put("snapshot.json", "{\"format\": \"vmdoctor-snapshot\"}");
	cr_assert(eq(int, open_snapshot_err(), -EINVAL));
	cr_assert(has(host_open_error(), "missing \"version\""), "%s", host_open_error());
	put("snapshot.json", "{\"format\": \"vmdoctor-snapshot\", \"version\": \"1\"}");
	cr_assert(eq(int, open_snapshot_err(), -EINVAL));
	cr_assert(has(host_open_error(), "not an integer"), "%s", host_open_error());
}

Test(snapshot, json_version_2)
{
	char want[PATH_MAX + 100];

	put("snapshot.json", "{\"format\": \"vmdoctor-snapshot\", \"version\": 2}");
	cr_assert(eq(int, open_snapshot_err(), -EINVAL));
	snprintf(want, sizeof want,
		 "%s/snapshot.json: unsupported snapshot version 2 (this vmdoctor reads version 1)", tmp_dir);
	cr_assert(eq(str, (char *)host_open_error(), want));
}

Test(snapshot, json_syntax_error_has_line_and_column)
{
	put("snapshot.json", "{\"format\": \"vmdoctor-snapshot\",\n \"version\": 1,,\n}");
	cr_assert(eq(int, open_snapshot_err(), -EINVAL));
	cr_assert(has(host_open_error(), "snapshot.json:2:"), "%s", host_open_error());
}

Test(snapshot, json_not_an_object)
{
	put("snapshot.json", "[\"format\", \"vmdoctor-snapshot\"]");
	cr_assert(eq(int, open_snapshot_err(), -EINVAL));
	cr_assert(has(host_open_error(), "not a JSON object"), "%s", host_open_error());
}

Test(snapshot, json_binary_garbage)
{
	static const char garbage[] = "\x1f\x8b\x08\0\0\0\0\0\0\x03\xed\x1b\x5b\x6f\x1b\xc7\x15\x7e\n\x1b[2J";
	const char *reason;

	put_bytes("snapshot.json", garbage, sizeof garbage - 1);
	cr_assert(eq(int, open_snapshot_err(), -EINVAL));
	reason = host_open_error();
	cr_assert(has(reason, "snapshot.json"), "%s", reason);
	/* The reason reaches a terminal: no escape character from the file. */
	cr_assert(eq(ptr, strchr(reason, '\x1b'), NULL));
}

Test(snapshot, json_too_big)
{
	size_t len = (1u << 20) + 10;
	char *big = malloc(len);

	memset(big, ' ', len);
	memcpy(big, "{\"format\": \"vmdoctor-snapshot\", \"version\": 1}", 45);
	put_bytes("snapshot.json", big, len);
	free(big);
	cr_assert(eq(int, open_snapshot_err(), -EFBIG));
}

/* A file is read as a bundle archive (tests/core/test_host_archive.c): a broken one is refused. */
Test(snapshot, broken_archive_file_refused)
{
	struct host *host = NULL;

	put("bundle.tar.gz", "\x1f\x8b");
	cr_assert(eq(int, host_open_snapshot(in_tmp("bundle.tar.gz"), &host), -EINVAL));
	cr_assert(eq(ptr, host, NULL));
	cr_assert(has(host_open_error(), "not a readable tar archive"), "%s", host_open_error());
	cr_assert(eq(int, host_open_snapshot(in_tmp("no-such-dir"), &host), -ENOENT));
	cr_assert(has(host_error(NULL), "no-such-dir"), "%s", host_error(NULL));
}

/* ---- commands/ ---- */

static const char probe_ok[] =
	"$ vmdoctor-kvm-probe /dev/kvm (exit 0)\n"
	"user: alice\n"
	"open: ok\n"
	"KVM_GET_API_VERSION: 12\n"
	"KVM_CREATE_VM: ok\n";

Test(snapshot, kvm_probe_ok)
{
	struct host *host;
	struct host_kvm_probe p;

	put("commands/kvm-probe.txt", probe_ok);
	host = open_snapshot();
	cr_assert(eq(int, host_kvm_probe(host, &p), 0), "%s", host_error(host));
	cr_assert(eq(str, p.as_user, "alice"));
	cr_assert(eq(int, p.open_err, 0));
	cr_assert(eq(int, p.api_version, 12));
	cr_assert(eq(int, p.create_vm_err, 0));
	host_close(host);
}

Test(snapshot, kvm_probe_errors)
{
	struct host *host;
	struct host_kvm_probe p;

	put("commands/kvm-probe.txt", "$ vmdoctor-kvm-probe /dev/kvm (exit 0)\n"
				      "user: bob\nopen: EACCES\nKVM_GET_API_VERSION: -\nKVM_CREATE_VM: -\n");
	host = open_snapshot();
	cr_assert(eq(int, host_kvm_probe(host, &p), 0), "%s", host_error(host));
	cr_assert(eq(int, p.open_err, -EACCES));
	cr_assert(eq(int, p.api_version, -1));
	cr_assert(eq(int, p.create_vm_err, 1));
	host_close(host);
	put("commands/kvm-probe.txt", "$ vmdoctor-kvm-probe /dev/kvm (exit 0)\n"
				      "user: bob\nopen: ok\nKVM_GET_API_VERSION: 12\nKVM_CREATE_VM: EBUSY\n");
	host = open_snapshot();
	cr_assert(eq(int, host_kvm_probe(host, &p), 0), "%s", host_error(host));
	cr_assert(eq(int, p.open_err, 0));
	cr_assert(eq(int, p.create_vm_err, -EBUSY));
	host_close(host);
}

Test(snapshot, kvm_probe_malformed_and_absent)
{
	static const char *const bad[] = {
		"user: bob\nopen: ok\nKVM_GET_API_VERSION: 12\nKVM_CREATE_VM: ok\n",
		"$ vmdoctor-kvm-probe /dev/kvm (exit 0)\nuser: bob\nKVM_GET_API_VERSION: 12\nKVM_CREATE_VM: ok\n",
		"$ vmdoctor-kvm-probe /dev/kvm (exit 0)\nuser: bob\nopen: ok\nKVM_GET_API_VERSION: twelve\nKVM_CREATE_VM: ok\n",
		"$ vmdoctor-kvm-probe /dev/kvm (exit 0)\nuser: bob\nopen: maybe\nKVM_GET_API_VERSION: 12\nKVM_CREATE_VM: ok\n",
		"$ vmdoctor-kvm-probe /dev/kvm (exit 0)\nuser: bob\nopen: ok\nopen: ok\nKVM_GET_API_VERSION: 12\nKVM_CREATE_VM: ok\n",
		"$ vmdoctor-kvm-probe /dev/kvm (exit 0)\nuser: \nopen: ok\nKVM_GET_API_VERSION: 12\nKVM_CREATE_VM: ok\n",
	};
	struct host *host = open_snapshot();
	struct host_kvm_probe p;

	cr_assert(eq(int, host_kvm_probe(host, &p), -ENODATA));
	host_close(host);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		put("commands/kvm-probe.txt", bad[i]);
		host = open_snapshot();
		cr_assert(eq(int, host_kvm_probe(host, &p), -EINVAL), "case %zu was accepted", i);
		cr_assert(has(host_error(host), "kvm-probe.txt"), "%s", host_error(host));
		host_close(host);
	}
}

Test(snapshot, kvm_probe_format_round_trips)
{
	struct host_kvm_probe in = { .as_user = "carol", .open_err = 0, .api_version = 12, .create_vm_err = -ENOMEM };
	struct host_kvm_probe out;
	char text[512], why[128];
	int n;

	n = host_kvm_probe_format(&in, text, sizeof text);
	cr_assert(gt(int, n, 0));
	cr_assert(eq(sz, strlen(text), (size_t)n));
	cr_assert(has(text, "KVM_CREATE_VM: ENOMEM\n"), "%s", text);
	cr_assert(eq(int, host_kvm_probe_parse(text, &out, why, sizeof why), 0), "%s", why);
	cr_assert(eq(str, out.as_user, "carol"));
	cr_assert(eq(int, out.api_version, 12));
	cr_assert(eq(int, out.create_vm_err, -ENOMEM));
	in = (struct host_kvm_probe){ .as_user = "alice", .open_err = 0, .api_version = 12, .create_vm_err = 0 };
	cr_assert(eq(int, host_kvm_probe_format(&in, text, sizeof text), (int)strlen(probe_ok)));
	cr_assert(eq(str, text, (char *)probe_ok));
	in = (struct host_kvm_probe){ .as_user = "dave", .open_err = -ENOENT, .api_version = -1, .create_vm_err = 1 };
	host_kvm_probe_format(&in, text, sizeof text);
	cr_assert(has(text, "open: ENOENT\nKVM_GET_API_VERSION: -\nKVM_CREATE_VM: -\n"), "%s", text);
	cr_assert(eq(int, host_kvm_probe_format(&in, text, 10), -ENOSPC));
}

Test(snapshot, commands_replay)
{
	const char *const argv[] = { "/usr/bin/uname", "-r", NULL };
	struct host *host;
	struct host_cmd_result r;

	put("commands/uname.txt", "$ /usr/bin/uname -r (exit 0)\n6.1.0-21-amd64\n");
	put("commands/virsh.txt", "$ /usr/bin/virsh -c qemu:///system list (exit 137, timed out)\n");
	put("commands/weird.txt", "$ /bin/sh -c 'echo (exit 1)' (exit 2)\nout\n");
	put("commands/broken.txt", "no dollar here\n");
	put("commands/nostatus.txt", "$ /bin/true\n");
	host = open_snapshot();
	cr_assert(eq(int, host_run(host, "uname", argv, 1000, &r), 0), "%s", host_error(host));
	cr_assert(eq(int, r.exit_code, 0));
	cr_assert(not(r.timed_out));
	cr_assert(eq(str, r.output.data, "6.1.0-21-amd64\n"));
	host_cmd_result_free(&r);
	cr_assert(eq(int, host_run(host, "virsh", argv, 1000, &r), 0));
	cr_assert(eq(int, r.exit_code, 137));
	cr_assert(r.timed_out);
	cr_assert(eq(sz, r.output.len, 0));
	host_cmd_result_free(&r);
	cr_assert(eq(int, host_run(host, "weird", argv, 1000, &r), 0));
	cr_assert(eq(int, r.exit_code, 2));
	host_cmd_result_free(&r);
	cr_assert(eq(int, host_run(host, "broken", argv, 1000, &r), -EINVAL));
	cr_assert(eq(int, host_run(host, "nostatus", argv, 1000, &r), -EINVAL));
	cr_assert(eq(int, host_run(host, "absent", argv, 1000, &r), -ENODATA));
	cr_assert(eq(int, host_run(host, "../snapshot", argv, 1000, &r), -EINVAL));
	cr_assert(eq(int, host_run(host, "", argv, 1000, &r), -EINVAL));
	host_close(host);
}

Test(snapshot, dmesg_present_and_absent)
{
	struct host *host = open_snapshot();
	struct host_buf buf;

	cr_assert(eq(int, host_kernel_log(host, &buf), -ENODATA));
	host_close(host);
	put("dmesg.txt", "[    0.000000] Linux version 6.1.0\n[    1.000000] kvm: disabled by bios\n");
	host = open_snapshot();
	cr_assert(eq(int, host_kernel_log(host, &buf), 0));
	cr_assert(has(buf.data, "kvm: disabled by bios"));
	cr_assert(not(buf.truncated));
	host_buf_free(&buf);
	host_close(host);
}

/* ---- errno names ---- */

Test(errno_names, round_trip)
{
	static const int errs[] = { ENOENT, EACCES, EPERM, EIO, ENXIO, ENODEV, EBUSY, EINVAL, EOPNOTSUPP,
				    ETIMEDOUT, ENOSYS, EFBIG, ENOMEM, ENODATA, ELOOP, EXDEV, EROFS,
				    ENOSPC, EAGAIN, EEXIST, ENOTDIR, EISDIR, ENOKEY, EKEYREJECTED };

	for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
		const char *name = host_errno_name(errs[i]);

		cr_assert(ne(ptr, (void *)name, NULL), "errno %d has no name", errs[i]);
		cr_assert(eq(int, host_errno_from_name(name), errs[i]), "%s", name);
		cr_assert(eq(str, (char *)host_errno_name(-errs[i]), (char *)name));
	}
	cr_assert(eq(str, (char *)host_errno_name(EACCES), "EACCES"));
	cr_assert(eq(int, host_errno_from_name("ENOTSUP"), ENOTSUP));
	cr_assert(eq(int, host_errno_from_name("EWOULDBLOCK"), EAGAIN));
	cr_assert(eq(int, host_errno_from_name("EBANANA"), 0));
	cr_assert(eq(int, host_errno_from_name("eacces"), 0));
	cr_assert(eq(str, (char *)host_errno_name(4000), "EUNKNOWN"));
	cr_assert(eq(str, (char *)host_errno_name(0), "EUNKNOWN"));
	cr_assert(eq(int, host_errno_from_name("EUNKNOWN"), 0));
	/* Every errno Linux has, up to EHWPOISON, has a name. */
	for (int e = 1; e <= EHWPOISON; e++)
		if (e != 41 && e != 58)
			cr_assert(ne(str, (char *)host_errno_name(e), "EUNKNOWN"), "errno %d", e);
}

/* ---- live ---- */

static struct host *open_live(void)
{
	struct host *host = NULL;

	cr_assert(eq(int, host_open_live(&host), 0));
	cr_assert(ne(ptr, host, NULL));
	return host;
}

static void live_init(void)
{
	unsetenv("SUDO_USER");
}

TestSuite(live, .init = live_init, .timeout = 30);

Test(live, reads_proc_cpuinfo)
{
	struct host *host = open_live();
	struct host_buf buf;

	cr_assert(eq(int, host_read_file(host, "/proc/cpuinfo", 1 << 20, &buf), 0), "%s", host_error(host));
	cr_assert(gt(sz, buf.len, 0));
	cr_assert(has(buf.data, "processor"));
	cr_assert(eq(sz, strlen(buf.data), buf.len));
	host_buf_free(&buf);
	cr_assert(eq(int, host_read_file(host, "/proc/cpuinfo", 8, &buf), 0));
	cr_assert(eq(sz, buf.len, 8));
	cr_assert(buf.truncated);
	host_buf_free(&buf);
	cr_assert(not(host_is_snapshot(host)));
	cr_assert(eq(str, (char *)host_source(host), "live"));
	host_close(host);
}

Test(live, refuses_fifo_and_relative_paths, .timeout = 5)
{
	char dir[] = "/tmp/vmdoctor-live-XXXXXX";
	char fifo[PATH_MAX];
	struct host *host = open_live();
	struct host_buf buf;

	cr_assert(ne(ptr, mkdtemp(dir), NULL));
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	cr_assert(eq(int, mkfifo(fifo, 0600), 0));
	cr_assert(eq(int, host_read_file(host, fifo, 4096, &buf), -EINVAL));
	cr_assert(has(host_error(host), fifo), "%s", host_error(host));
	unlink(fifo);
	rmdir(dir);
	cr_assert(eq(int, host_read_file(host, "/dev/zero", 4096, &buf), -EINVAL));
	cr_assert(eq(int, host_read_file(host, "proc/cpuinfo", 4096, &buf), -EINVAL));
	cr_assert(eq(int, host_read_file(host, "/proc/../etc/passwd", 4096, &buf), -EINVAL));
	cr_assert(eq(int, host_read_file(host, "/nonexistent/file", 4096, &buf), -ENOENT));
	cr_assert(has(host_error(host), "/nonexistent/file: No such file or directory"), "%s", host_error(host));
	host_close(host);
}

Test(live, list_dir_and_exists)
{
	struct host *host = open_live();
	struct host_names names;

	cr_assert(eq(int, host_list_dir(host, "/proc/self", &names), 0));
	cr_assert(host_names_contains(&names, "status"));
	for (size_t i = 1; i < names.count; i++)
		cr_assert(lt(int, strcmp(names.items[i - 1], names.items[i]), 0));
	host_names_free(&names);
	cr_assert(host_exists(host, "/proc/self/status"));
	cr_assert(not(host_exists(host, "/proc/self/nonexistent")));
	host_close(host);
}

Test(live, dev_kvm_is_a_char_device)
{
	struct host *host;
	struct host_devnode d;
	struct stat st;

	if (stat("/dev/kvm", &st) < 0)
		cr_skip("no /dev/kvm on this machine");
	host = open_live();
	cr_assert(eq(int, host_device(host, "/dev/kvm", &d), 0), "%s", host_error(host));
	cr_assert(eq(chr, d.type, 'c'));
	cr_assert(eq(uint, d.major, 10));
	cr_assert(eq(uint, d.minor, 232));
	cr_assert(eq(uint, d.mode, st.st_mode & 07777));
	cr_assert(ne(str, d.owner, ""));
	cr_assert(eq(int, host_device(host, "/proc/cpuinfo", &d), -ENOENT));
	cr_assert(eq(int, host_device(host, "/dev/no-such-node", &d), -ENOENT));
	host_close(host);
}

Test(live, cpuid)
{
	struct host *host = open_live();
	struct host_cpuid c;

	cr_assert(eq(int, host_cpuid(host, &c), 0), "%s", host_error(host));
	cr_assert(ne(str, c.vendor_str, ""));
	cr_assert(gt(u32, c.basic[0][HOST_EAX], 0));
	cr_assert(eq(int, c.has_hv_leaf, (int)((c.basic[1][HOST_ECX] >> 31) & 1)));
	host_close(host);
}

Test(live, msr_never_crashes)
{
	struct host *host = open_live();
	uint64_t v = 0;
	int rc = host_msr(host, 0, 0x3a, &v);

	cr_assert(le(int, rc, 0));
	if (rc < 0)
		cr_assert(has(host_error(host), "/dev/cpu/0/msr"), "%s", host_error(host));
	cr_assert(lt(int, host_msr(host, 100000, 0x3a, &v), 0));
	host_close(host);
}

Test(live, kernel_log_looks_like_dmesg)
{
	struct host *host = open_live();
	struct host_buf buf;
	int rc = host_kernel_log(host, &buf);

	if (rc == -EPERM) {
		cr_assert(has(host_error(host), "dmesg_restrict"), "%s", host_error(host));
		host_close(host);
		return;
	}
	cr_assert(eq(int, rc, 0), "%s", host_error(host));
	if (buf.len > 0)
		cr_assert(eq(chr, buf.data[0], '['), "%.40s", buf.data);
	cr_assert(eq(ptr, strstr(buf.data, "\n<"), NULL));
	host_buf_free(&buf);
	host_close(host);
}

Test(live, run_echo)
{
	const char *const argv[] = { "/bin/echo", "hi", NULL };
	struct host *host = open_live();
	struct host_cmd_result r;

	cr_assert(eq(int, host_run(host, "echo", argv, 5000, &r), 0), "%s", host_error(host));
	cr_assert(eq(int, r.exit_code, 0));
	cr_assert(not(r.timed_out));
	cr_assert(eq(str, r.output.data, "hi\n"));
	host_cmd_result_free(&r);
	host_close(host);
}

Test(live, run_has_minimal_environment_and_merged_stderr)
{
	const char *const env[] = { "/usr/bin/env", NULL };
	const char *const ls[] = { "/bin/ls", "/nonexistent-dir", NULL };
	struct host *host = open_live();
	struct host_cmd_result r;

	setenv("VMDOCTOR_SECRET", "leak", 1);
	cr_assert(eq(int, host_run(host, "env", env, 5000, &r), 0));
	cr_assert(eq(str, r.output.data, "PATH=/usr/sbin:/usr/bin:/sbin:/bin\nLANG=C\n"));
	host_cmd_result_free(&r);
	cr_assert(eq(int, host_run(host, "ls", ls, 5000, &r), 0));
	cr_assert(ne(int, r.exit_code, 0));
	cr_assert(has(r.output.data, "nonexistent-dir"), "%s", r.output.data);
	host_cmd_result_free(&r);
	host_close(host);
}

Test(live, run_timeout_kills)
{
	const char *const argv[] = { "/bin/sleep", "5", NULL };
	struct host *host = open_live();
	struct host_cmd_result r;
	struct timespec t0, t1;
	double took;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert(eq(int, host_run(host, "sleep", argv, 200, &r), 0));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_assert(r.timed_out);
	cr_assert(eq(int, r.exit_code, 128 + 9));
	cr_assert(lt(dbl, took, 2.0));
	host_cmd_result_free(&r);
	host_close(host);
}

Test(live, run_keeps_one_mib)
{
	const char *const argv[] = { "/usr/bin/head", "-c", "3000000", "/dev/zero", NULL };
	struct host *host = open_live();
	struct host_cmd_result r;

	cr_assert(eq(int, host_run(host, "head", argv, 10000, &r), 0));
	cr_assert(eq(int, r.exit_code, 0));
	cr_assert(not(r.timed_out));
	cr_assert(eq(sz, r.output.len, 1u << 20));
	cr_assert(r.output.truncated);
	host_cmd_result_free(&r);
	host_close(host);
}

Test(live, run_missing_binary)
{
	const char *const argv[] = { "/nonexistent/binary", NULL };
	const char *const rel[] = { "echo", "hi", NULL };
	struct host *host = open_live();
	struct host_cmd_result r;

	cr_assert(eq(int, host_run(host, "missing", argv, 1000, &r), 0));
	cr_assert(eq(int, r.exit_code, -1));
	cr_assert(eq(str, r.output.data, ""));
	cr_assert(has(host_error(host), "/nonexistent/binary: No such file or directory"), "%s", host_error(host));
	host_cmd_result_free(&r);
	cr_assert(eq(int, host_run(host, "echo", rel, 1000, &r), -EINVAL));
	host_close(host);
}

Test(live, created_is_rfc3339_utc)
{
	struct host *host = open_live();
	const char *c = host_created(host);

	cr_assert(eq(sz, strlen(c), 20), "%s", c);
	cr_assert(eq(chr, c[4], '-'));
	cr_assert(eq(chr, c[10], 'T'));
	cr_assert(eq(chr, c[19], 'Z'));
	host_close(host);
}

Test(live, user_is_the_caller)
{
	struct host *host = open_live();
	struct host_user u;
	char name[64];

	cr_assert(eq(int, host_user(host, &u), 0), "%s", host_error(host));
	cr_assert(eq(uint, u.uid, getuid()));
	cr_assert(not(u.via_sudo));
	cr_assert(u.session_known);
	cr_assert(gt(sz, u.session_groups.count, 0));
	if (getuid() == 0) {
		snprintf(name, sizeof name, "root");
		cr_assert(eq(str, u.name, name));
		cr_assert(host_names_contains(&u.session_groups, "root"));
	}
	host_user_free(&u);
	host_close(host);
}

Test(live, user_through_sudo)
{
	struct host *host;
	struct host_user u;

	if (getuid() != 0)
		cr_skip("needs root");
	setenv("SUDO_USER", "nobody", 1);
	host = open_live();
	cr_assert(eq(int, host_user(host, &u), 0), "%s", host_error(host));
	cr_assert(eq(str, u.name, "nobody"));
	cr_assert(u.via_sudo);
	cr_assert(not(u.session_known));
	cr_assert(u.gid_known);
	cr_assert(eq(sz, u.session_groups.count, 0));
	host_user_free(&u);
	setenv("SUDO_USER", "no-such-user-here", 1);
	cr_assert(eq(int, host_user(host, &u), 0));
	cr_assert(not(u.via_sudo));
	host_user_free(&u);
	host_close(host);
}

Test(live, kvm_probe_as_caller)
{
	struct host *host;
	struct host_kvm_probe p;
	struct stat st;

	if (stat("/dev/kvm", &st) < 0)
		cr_skip("no /dev/kvm on this machine");
	if (getuid() != 0)
		cr_skip("needs root to be sure /dev/kvm opens");
	host = open_live();
	cr_assert(eq(int, host_kvm_probe(host, &p), 0), "%s", host_error(host));
	cr_assert(eq(str, p.as_user, "root"));
	cr_assert(eq(int, p.open_err, 0));
	cr_assert(eq(int, p.api_version, 12));
	cr_assert(eq(int, p.create_vm_err, 0));
	host_close(host);
}

Test(live, kvm_probe_drops_to_sudo_user)
{
	struct host *host;
	struct host_kvm_probe p;
	struct stat st;

	if (stat("/dev/kvm", &st) < 0)
		cr_skip("no /dev/kvm on this machine");
	if (getuid() != 0 || (st.st_mode & 0006) != 0)
		cr_skip("needs root and a /dev/kvm that others may not open");
	setenv("SUDO_USER", "nobody", 1);
	host = open_live();
	cr_assert(eq(int, host_kvm_probe(host, &p), 0), "%s", host_error(host));
	cr_assert(eq(str, p.as_user, "nobody"));
	cr_assert(eq(int, p.open_err, -EACCES));
	cr_assert(eq(int, p.api_version, -1));
	cr_assert(eq(int, p.create_vm_err, 1));
	host_close(host);
}
