/* SPDX-License-Identifier: MIT */
/* Tests of reading a bundle archive directly: good archives in every compression, and each hostile archive built here with libarchive. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "vmdoctor/host.h"

#include "../../core/host_private.h"

static const char snap_json[] =
	"{\"format\": \"vmdoctor-snapshot\", \"version\": 1, \"created\": \"2024-05-01T12:00:00Z\","
	" \"source\": \"fixture\", \"user\": {\"name\": \"alice\", \"uid\": 1000}}\n";

static const char cpuid_intel[] =
	"basic_cpuid[0]=0000000d 756e6547 6c65746e 49656e69\n"
	"basic_cpuid[1]=000306a9 00100800 7fbae3ff bfebfbff\n";

static const char group[] = "kvm:x:104:alice\n";

/* One member of an archive under test. */
struct member {
	const char *name;
	unsigned type;          /* AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR, AE_IFIFO */
	const char *data;       /* AE_IFREG: the bytes; AE_IFLNK: the target */
	const char *hardlink;   /* a hard link to this member */
};

enum filter { F_NONE, F_GZIP, F_ZSTD, F_XZ };

static char tmp_dir[64];
static char arc[PATH_MAX];

static void setup(void)
{
	snprintf(tmp_dir, sizeof tmp_dir, "/tmp/vmd-arc-XXXXXX");
	cr_assert(ne(ptr, mkdtemp(tmp_dir), NULL));
	snprintf(arc, sizeof arc, "%s/bundle.tar.gz", tmp_dir);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
	cr_assert(eq(int, system(cmd), 0));
}

TestSuite(host_archive, .init = setup, .fini = teardown);

static struct archive *writer(enum filter f, const char *path)
{
	struct archive *a = archive_write_new();

	cr_assert(ne(ptr, a, NULL));
	cr_assert(eq(int, archive_write_set_format_pax_restricted(a), ARCHIVE_OK));
	if (f == F_GZIP)
		cr_assert(eq(int, archive_write_add_filter_gzip(a), ARCHIVE_OK));
	if (f == F_ZSTD)
		cr_assert(eq(int, archive_write_add_filter_zstd(a), ARCHIVE_OK));
	if (f == F_XZ)
		cr_assert(eq(int, archive_write_add_filter_xz(a), ARCHIVE_OK));
	cr_assert(eq(int, archive_write_open_filename(a, path), ARCHIVE_OK), "%s", archive_error_string(a));
	return a;
}

static void write_member(struct archive *a, const struct member *m)
{
	struct archive_entry *e = archive_entry_new();
	size_t len = m->type == AE_IFREG && m->data ? strlen(m->data) : 0;

	archive_entry_set_pathname(e, m->name);
	archive_entry_set_filetype(e, m->type);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	if (m->type == AE_IFLNK)
		archive_entry_set_symlink(e, m->data);
	if (m->type == AE_IFCHR)
		archive_entry_set_rdev(e, makedev(10, 232));
	if (m->hardlink) {
		archive_entry_set_hardlink(e, m->hardlink);
		archive_entry_set_size(e, 0);
		len = 0;
	}
	cr_assert(eq(int, archive_write_header(a, e), ARCHIVE_OK), "%s: %s", m->name, archive_error_string(a));
	if (len)
		cr_assert(eq(sz, (size_t)archive_write_data(a, m->data, len), len));
	archive_entry_free(e);
}

static void write_archive(const char *path, enum filter f, const struct member *m, size_t n)
{
	struct archive *a = writer(f, path);

	for (size_t i = 0; i < n; i++)
		write_member(a, &m[i]);
	cr_assert(eq(int, archive_write_close(a), ARCHIVE_OK));
	archive_write_free(a);
}

#define WRITE(path, f, ...)                                                        \
	do {                                                                       \
		const struct member m_[] = { __VA_ARGS__ };                        \
		write_archive(path, f, m_, sizeof m_ / sizeof m_[0]);              \
	} while (0)

#define SNAP { "snapshot.json", AE_IFREG, snap_json, NULL }

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	cr_assert(ne(ptr, f, NULL));
	cr_assert(eq(sz, fwrite(data, 1, len, f), len));
	cr_assert(eq(int, fclose(f), 0));
}

static void *read_whole(const char *path, size_t *len)
{
	struct stat st;
	FILE *f = fopen(path, "rb");
	char *data;

	cr_assert(ne(ptr, f, NULL));
	cr_assert(eq(int, fstat(fileno(f), &st), 0));
	data = malloc((size_t)st.st_size + 1);
	cr_assert(eq(sz, fread(data, 1, (size_t)st.st_size, f), (size_t)st.st_size));
	fclose(f);
	*len = (size_t)st.st_size;
	return data;
}

/* Open must fail with `err` and a one-line reason naming the archive and holding `words`. */
static void assert_refused(const char *path, int err, const char *words)
{
	struct host *h = NULL;
	int rc = host_open_snapshot(path, &h);
	const char *why = host_open_error();
	bool names_file = strstr(why, path) == why;
	bool says = strstr(why, words) != NULL;
	bool one_line = strchr(why, '\n') == NULL;

	cr_assert(eq(int, rc, err), "%s: rc %d, reason: %s", path, rc, why);
	cr_assert(eq(ptr, h, NULL));
	cr_assert(names_file, "reason does not start with the file: %s", why);
	cr_assert(says, "reason lacks \"%s\": %s", words, why);
	cr_assert(one_line);
}

static struct host *open_ok(const char *path)
{
	struct host *h = NULL;
	int rc = host_open_snapshot(path, &h);

	cr_assert(eq(int, rc, 0), "%s: %s", path, host_open_error());
	return h;
}

static void assert_reads(struct host *h, const char *path, const char *want)
{
	struct host_buf buf;
	int rc = host_read_file(h, path, 1 << 20, &buf);

	cr_assert(eq(int, rc, 0), "%s: %s", path, host_error(h));
	cr_assert(eq(str, buf.data, (char *)want));
	cr_assert(eq(sz, buf.len, strlen(want)));
	host_buf_free(&buf);
}

static int read_err(struct host *h, const char *path)
{
	struct host_buf buf;
	int rc = host_read_file(h, path, 1 << 20, &buf);

	if (rc == 0)
		host_buf_free(&buf);
	return rc;
}

/* ---- good archives ---- */

static void assert_good_snapshot(const char *path)
{
	struct host *h = open_ok(path);
	struct host_names names = { 0 };
	struct host_cpuid cpu;
	struct host_user user;
	struct host_buf log;

	cr_assert(eq(str, (char *)host_source(h), "fixture"));
	cr_assert(eq(str, (char *)host_created(h), "2024-05-01T12:00:00Z"));
	assert_reads(h, "/etc/group", group);
	cr_assert(eq(int, read_err(h, "/etc/passwd"), -ENOENT));
	cr_assert(eq(int, read_err(h, "/etc"), -EISDIR));
	cr_assert(eq(int, read_err(h, "/etc/group/x"), -ENOTDIR));
	cr_assert(eq(int, host_list_dir(h, "/etc", &names), 0), "%s", host_error(h));
	cr_assert(eq(sz, names.count, 2));
	cr_assert(eq(str, names.items[0], "group"));
	cr_assert(eq(str, names.items[1], "modprobe.d"));
	host_names_free(&names);
	cr_assert(eq(int, host_list_dir(h, "/", &names), 0));
	cr_assert(eq(sz, names.count, 1));
	cr_assert(eq(str, names.items[0], "etc"));
	host_names_free(&names);
	cr_assert(eq(int, host_list_dir(h, "/nope", &names), -ENOENT));
	cr_assert(eq(int, host_list_dir(h, "/etc/group", &names), -ENOTDIR));
	/* An empty directory member is still a directory. */
	cr_assert(eq(int, host_list_dir(h, "/etc/modprobe.d", &names), 0));
	cr_assert(eq(sz, names.count, 0));
	host_names_free(&names);
	cr_assert(host_exists(h, "/etc/group"));
	cr_assert(host_exists(h, "/etc"));
	cr_assert(not(host_exists(h, "/etc/passwd")));
	cr_assert(eq(int, host_cpuid(h, &cpu), 0), "%s", host_error(h));
	cr_assert(eq(str, cpu.vendor_str, "GenuineIntel"));
	cr_assert(eq(int, host_user(h, &user), 0));
	cr_assert(eq(str, user.name, "alice"));
	host_user_free(&user);
	/* The snapshot's own files are members too. */
	cr_assert(eq(int, host_kernel_log(h, &log), -ENODATA));
	host_close(h);
}

static void write_good(const char *path, enum filter f, const char *top)
{
	char n[6][128];
	const char *names[] = { "snapshot.json", "cpuid.txt", "fs/", "fs/etc/", "fs/etc/group", "fs/etc/modprobe.d/" };

	for (int i = 0; i < 6; i++)
		snprintf(n[i], sizeof n[i], "%s%s", top, names[i]);
	WRITE(path, f, { n[0], AE_IFREG, snap_json, NULL }, { n[1], AE_IFREG, cpuid_intel, NULL },
	      { n[2], AE_IFDIR, NULL, NULL }, { n[3], AE_IFDIR, NULL, NULL }, { n[4], AE_IFREG, group, NULL },
	      { n[5], AE_IFDIR, NULL, NULL });
}

Test(host_archive, gzip_bundle_replays)
{
	write_good(arc, F_GZIP, "");
	assert_good_snapshot(arc);
}

/* Detected by content: the name says nothing. */
Test(host_archive, zstd_xz_and_plain_tar_by_content)
{
	char p[PATH_MAX];

	snprintf(p, sizeof p, "%s/a.zip", tmp_dir);
	write_good(p, F_ZSTD, "");
	assert_good_snapshot(p);
	snprintf(p, sizeof p, "%s/b", tmp_dir);
	write_good(p, F_XZ, "");
	assert_good_snapshot(p);
	snprintf(p, sizeof p, "%s/c.tar.gz", tmp_dir);
	write_good(p, F_NONE, "");
	assert_good_snapshot(p);
}

/* `tar czf snap.tar.gz snap/` and `tar czf x.tar.gz -C snap .` both work. */
Test(host_archive, packed_snapshot_folder)
{
	write_good(arc, F_GZIP, "snap/");
	assert_good_snapshot(arc);
	write_good(arc, F_GZIP, "./");
	assert_good_snapshot(arc);
	/* Implied parents: no directory members at all. */
	WRITE(arc, F_GZIP, { "top/snapshot.json", AE_IFREG, snap_json, NULL },
	      { "top/fs/etc/group", AE_IFREG, group, NULL });
	struct host *h = open_ok(arc);
	assert_reads(h, "/etc/group", group);
	host_close(h);
}

/* Names are UTF-8 bytes whatever the locale: written in a UTF-8 locale (pax), read in the "C" locale. */
Test(host_archive, utf8_names)
{
	struct host_names names = { 0 };
	struct host *h;

	cr_assert(ne(ptr, setlocale(LC_ALL, "C.UTF-8"), NULL));
	WRITE(arc, F_GZIP, SNAP, { "fs/home/j\xc3\xbcrgen/VMs/\xe6\x97\xa5\xe6\x9c\xac.vmx", AE_IFREG, group, NULL });
	setlocale(LC_ALL, "C");
	h = open_ok(arc);
	assert_reads(h, "/home/j\xc3\xbcrgen/VMs/\xe6\x97\xa5\xe6\x9c\xac.vmx", group);
	cr_assert(eq(int, host_list_dir(h, "/home", &names), 0));
	cr_assert(eq(sz, names.count, 1));
	cr_assert(eq(str, names.items[0], "j\xc3\xbcrgen"));
	host_names_free(&names);
	host_close(h);
}

Test(host_archive, not_a_snapshot)
{
	WRITE(arc, F_GZIP, { "a/snapshot.json", AE_IFREG, snap_json, NULL }, { "b/x", AE_IFREG, group, NULL });
	assert_refused(arc, -ENOENT, "snapshot.json: No such file or directory (not a vmdoctor snapshot)");
	WRITE(arc, F_GZIP, { "snapshot.json", AE_IFREG, "{\"format\": \"x\"}", NULL });
	assert_refused(arc, -EINVAL, "not a vmdoctor snapshot: \"format\" is not \"vmdoctor-snapshot\"");
}

/* ---- hostile names ---- */

Test(host_archive, dotdot_member_refused)
{
	WRITE(arc, F_GZIP, SNAP, { "fs/../../etc/passwd", AE_IFREG, group, NULL });
	assert_refused(arc, -EINVAL, "member \"fs/../../etc/passwd\": \"..\" refused");
	WRITE(arc, F_GZIP, SNAP, { "..", AE_IFDIR, NULL, NULL });
	assert_refused(arc, -EINVAL, "\"..\" refused");
}

Test(host_archive, absolute_member_refused)
{
	WRITE(arc, F_GZIP, SNAP, { "/etc/passwd", AE_IFREG, group, NULL });
	assert_refused(arc, -EINVAL, "member \"/etc/passwd\": absolute name refused");
}

/* ---- links ---- */

Test(host_archive, symlink_under_fs_is_listed_never_followed)
{
	struct host_names names = { 0 };
	struct host *h;

	WRITE(arc, F_GZIP, SNAP, { "fs/etc/group", AE_IFREG, group, NULL },
	      { "fs/etc/hostname", AE_IFLNK, "/etc/group", NULL }, { "fs/etc/rel", AE_IFLNK, "group", NULL },
	      { "fs/var/run", AE_IFLNK, "/etc", NULL }, { "fs/up", AE_IFLNK, "../../../../etc", NULL });
	h = open_ok(arc);
	/* A link to a member that exists still leads nowhere: it is a name without a target. */
	cr_assert(eq(int, read_err(h, "/etc/hostname"), -ENOENT));
	cr_assert(eq(int, read_err(h, "/etc/rel"), -ENOENT));
	cr_assert(eq(int, read_err(h, "/var/run/group"), -ENOENT));
	cr_assert(eq(int, read_err(h, "/up/passwd"), -ENOENT));
	cr_assert(not(host_exists(h, "/etc/hostname")));
	cr_assert(not(host_exists(h, "/var/run")));
	cr_assert(eq(int, host_list_dir(h, "/var/run", &names), -ENOENT));
	cr_assert(eq(int, host_list_dir(h, "/etc", &names), 0));
	cr_assert(eq(sz, names.count, 3));
	cr_assert(eq(str, names.items[1], "hostname"));
	host_names_free(&names);
	host_close(h);
}

Test(host_archive, symlink_as_snapshot_file_refused)
{
	struct host *h;
	struct host_cpuid cpu;

	WRITE(arc, F_GZIP, { "real.json", AE_IFREG, snap_json, NULL }, { "snapshot.json", AE_IFLNK, "real.json", NULL });
	assert_refused(arc, -ELOOP, "snapshot.json: symbolic link refused inside the snapshot");
	WRITE(arc, F_GZIP, SNAP, { "fs", AE_IFLNK, "/", NULL });
	assert_refused(arc, -ELOOP, "/fs: symbolic link refused inside the snapshot");
	WRITE(arc, F_GZIP, SNAP, { "x.txt", AE_IFREG, cpuid_intel, NULL }, { "cpuid.txt", AE_IFLNK, "x.txt", NULL });
	h = open_ok(arc);
	cr_assert(eq(int, host_cpuid(h, &cpu), -ELOOP));
	cr_assert(ne(ptr, strstr(host_error(h), "cpuid.txt: symbolic link refused"), NULL), "%s", host_error(h));
	host_close(h);
}

Test(host_archive, hardlink_never_followed)
{
	struct host *h;
	bool says;

	WRITE(arc, F_GZIP, SNAP, { "fs/etc/group", AE_IFREG, group, NULL },
	      { "fs/etc/shadow", AE_IFREG, NULL, "fs/etc/group" }, { "cpuid.txt", AE_IFREG, NULL, "fs/etc/group" });
	h = open_ok(arc);
	cr_assert(eq(int, read_err(h, "/etc/shadow"), -EINVAL));
	says = strstr(host_error(h), "/etc/shadow: hard link member, not followed") != NULL;
	cr_assert(says, "%s", host_error(h));
	cr_assert(host_exists(h, "/etc/shadow"));
	assert_reads(h, "/etc/group", group);
	cr_assert(eq(int, host_cpuid(h, &(struct host_cpuid){ 0 }), -EINVAL));
	host_close(h);
}

/* ---- device nodes, FIFOs ---- */

Test(host_archive, device_and_fifo_listed_never_read)
{
	struct host_names names = { 0 };
	struct host *h;
	bool says;

	WRITE(arc, F_GZIP, SNAP, { "fs/dev/kvm", AE_IFCHR, NULL, NULL }, { "fs/run/pipe", AE_IFIFO, NULL, NULL });
	h = open_ok(arc);
	cr_assert(eq(int, read_err(h, "/dev/kvm"), -EINVAL));
	says = strstr(host_error(h), "/dev/kvm: character device member, not read") != NULL;
	cr_assert(says, "%s", host_error(h));
	cr_assert(eq(int, read_err(h, "/run/pipe"), -EINVAL));
	says = strstr(host_error(h), "FIFO member, not read") != NULL;
	cr_assert(says, "%s", host_error(h));
	/* As in a snapshot directory: the node exists, it is just not a file to read. */
	cr_assert(host_exists(h, "/dev/kvm"));
	cr_assert(eq(int, host_list_dir(h, "/dev", &names), 0));
	cr_assert(eq(sz, names.count, 1));
	host_names_free(&names);
	host_close(h);
}

Test(host_archive, fifo_as_list_file_refused)
{
	WRITE(arc, F_GZIP, SNAP, { "fs-errors.txt", AE_IFIFO, NULL, NULL });
	assert_refused(arc, -EINVAL, "fs-errors.txt: FIFO member, not read");
}

/* ---- duplicates ---- */

Test(host_archive, duplicate_names_refused)
{
	WRITE(arc, F_GZIP, SNAP, { "fs/etc/group", AE_IFREG, group, NULL }, { "fs/etc/group", AE_IFREG, "evil", NULL });
	assert_refused(arc, -EINVAL, "member \"fs/etc/group\": appears twice");
	WRITE(arc, F_GZIP, SNAP, SNAP);
	assert_refused(arc, -EINVAL, "member \"snapshot.json\": appears twice");
	/* The same name once more, spelt differently. */
	WRITE(arc, F_GZIP, SNAP, { "fs/etc/group", AE_IFREG, group, NULL }, { "./fs//etc/./group", AE_IFREG, "x", NULL });
	assert_refused(arc, -EINVAL, "member \"fs/etc/group\": appears twice");
	WRITE(arc, F_GZIP, SNAP, { "fs/etc", AE_IFREG, group, NULL }, { "fs/etc/group", AE_IFREG, group, NULL });
	assert_refused(arc, -EINVAL, "member \"fs/etc\": both a file and a directory");
	WRITE(arc, F_GZIP, SNAP, { "fs/etc", AE_IFLNK, "/x", NULL }, { "fs/etc/group", AE_IFREG, group, NULL });
	assert_refused(arc, -EINVAL, "member \"fs/etc\": both a file and a directory");
}

Test(host_archive, duplicate_directories_merge)
{
	struct host *h;

	WRITE(arc, F_GZIP, SNAP, { "fs/", AE_IFDIR, NULL, NULL }, { "fs/etc/group", AE_IFREG, group, NULL },
	      { "fs", AE_IFDIR, NULL, NULL });
	h = open_ok(arc);
	assert_reads(h, "/etc/group", group);
	host_close(h);
}

/* ---- sizes ---- */

/* Patch the ustar size field of the header at `off` and fix its checksum. */
static void set_tar_size(unsigned char *tar, size_t off, unsigned long size)
{
	unsigned sum = 0;
	char field[13];

	snprintf(field, sizeof field, "%011lo", size);
	memcpy(tar + off + 124, field, 12);
	memset(tar + off + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += tar[off + i];
	snprintf(field, sizeof field, "%06o", sum);
	memcpy(tar + off + 148, field, 7);
}

/* The second member's header, after snapshot.json's header and data blocks. */
static size_t second_header(void)
{
	return 512 + (sizeof snap_json - 1 + 511) / 512 * 512;
}

Test(host_archive, header_size_larger_than_data_refused)
{
	unsigned char *tar;
	size_t len;

	WRITE(arc, F_NONE, SNAP, { "fs/etc/group", AE_IFREG, group, NULL });
	tar = read_whole(arc, &len);
	set_tar_size(tar, second_header(), 1ul << 30);
	write_file(arc, tar, len);
	free(tar);
	assert_refused(arc, -EINVAL, "Truncated tar archive");
}

Test(host_archive, header_size_smaller_than_data_refused)
{
	unsigned char *tar;
	char big[2000];
	size_t len;

	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	WRITE(arc, F_NONE, SNAP, { "fs/etc/group", AE_IFREG, big, NULL }, { "fs/etc/passwd", AE_IFREG, group, NULL });
	tar = read_whole(arc, &len);
	/* Claims 10 bytes: the next "header" is the member's own data. */
	set_tar_size(tar, second_header(), 10);
	write_file(arc, tar, len);
	free(tar);
	assert_refused(arc, -EINVAL, "not a readable tar archive");
}

/* snapshot.json, then a member `name` of `total` zero bytes: zeros compress a million to one. */
static void write_zeros(const char *name, size_t total)
{
	struct archive *a = writer(F_ZSTD, arc);
	struct archive_entry *e = archive_entry_new();
	size_t chunk = 1 << 20;
	char *zeros = calloc(1, chunk);
	struct stat st;

	write_member(a, &(struct member){ "snapshot.json", AE_IFREG, snap_json, NULL });
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_size(e, (la_int64_t)total);
	cr_assert(eq(int, archive_write_header(a, e), ARCHIVE_OK));
	for (size_t done = 0; done < total; done += chunk)
		cr_assert(eq(sz, (size_t)archive_write_data(a, zeros, chunk), chunk));
	cr_assert(eq(int, archive_write_close(a), ARCHIVE_OK));
	archive_write_free(a);
	archive_entry_free(e);
	free(zeros);
	cr_assert(eq(int, stat(arc, &st), 0));
	cr_assert(lt(sz, (size_t)st.st_size, (size_t)1 << 20), "the bomb is %zu bytes", (size_t)st.st_size);
}

/* The reader stops at 256 MiB of member data, whatever the headers say. */
Test(host_archive, decompression_bomb_refused, .timeout = 120)
{
	write_zeros("dmesg.txt", HOST_ARCHIVE_TOTAL_MAX + (1 << 20));
	assert_refused(arc, -EFBIG, "more than 256 MiB uncompressed (refused as a decompression bomb)");
}

/* The archive's own top "." is no member, but its data is counted all the same. */
Test(host_archive, decompression_bomb_in_top_entry_refused, .timeout = 120)
{
	write_zeros(".", HOST_ARCHIVE_TOTAL_MAX + (1 << 20));
	assert_refused(arc, -EFBIG, "more than 256 MiB uncompressed (refused as a decompression bomb)");
}

/* A member longer than a reader may ask for is kept up to the cap and reads as cut. */
Test(host_archive, long_member_cut_at_member_cap, .timeout = 120)
{
	struct archive *a = writer(F_ZSTD, arc);
	struct archive_entry *e = archive_entry_new();
	size_t chunk = 1 << 20, total = HOST_ARCHIVE_MEMBER_MAX + chunk;
	char *line = malloc(chunk);
	struct host_buf buf;
	struct host *h;

	memset(line, 'x', chunk);
	write_member(a, &(struct member){ "snapshot.json", AE_IFREG, snap_json, NULL });
	archive_entry_set_pathname(e, "fs/var/log/big.log");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_size(e, (la_int64_t)total);
	cr_assert(eq(int, archive_write_header(a, e), ARCHIVE_OK));
	for (size_t done = 0; done < total; done += chunk)
		cr_assert(eq(sz, (size_t)archive_write_data(a, line, chunk), chunk));
	write_member(a, &(struct member){ "fs/etc/group", AE_IFREG, group, NULL });
	cr_assert(eq(int, archive_write_close(a), ARCHIVE_OK));
	archive_write_free(a);
	archive_entry_free(e);
	free(line);
	h = open_ok(arc);
	cr_assert(eq(int, host_read_file(h, "/var/log/big.log", HOST_ARCHIVE_MEMBER_MAX * 2, &buf), 0));
	cr_assert(eq(sz, buf.len, HOST_ARCHIVE_MEMBER_MAX));
	cr_assert(buf.truncated);
	host_buf_free(&buf);
	cr_assert(eq(int, host_read_file(h, "/var/log/big.log", 100, &buf), 0));
	cr_assert(eq(sz, buf.len, 100));
	cr_assert(buf.truncated);
	host_buf_free(&buf);
	/* The member after it is still there. */
	assert_reads(h, "/etc/group", group);
	host_close(h);
}

/* `count` members named d/d/.../d/fN, `depth` folders deep. */
static void write_deep(int depth, int count)
{
	struct archive *a = writer(F_GZIP, arc);
	char name[PATH_MAX];
	size_t n = 0;

	for (int i = 0; i < depth; i++) {
		name[n++] = 'd';
		name[n++] = '/';
	}
	write_member(a, &(struct member){ "snapshot.json", AE_IFREG, snap_json, NULL });
	for (int i = 0; i < count; i++) {
		snprintf(name + n, sizeof name - n, "f%d", i);
		write_member(a, &(struct member){ name, AE_IFREG, "x", NULL });
	}
	cr_assert(eq(int, archive_write_close(a), ARCHIVE_OK));
	archive_write_free(a);
}

/* Each deep name implies a folder per component: members and the folders they imply are counted. */
Test(host_archive, too_many_members_refused)
{
	write_deep(250, HOST_ARCHIVE_NODES_MAX / 251 + 1);
	assert_refused(arc, -EFBIG, "more than 100000 members");
	write_deep(250, HOST_ARCHIVE_NODES_MAX / 251 - 1);
	host_close(open_ok(arc));
}

/* Long names, each implying long parent names: their bytes are capped too. */
Test(host_archive, too_many_name_bytes_refused)
{
	write_deep(2000, 10);
	assert_refused(arc, -EFBIG, "member names longer than 32 MiB in all");
}

/* ---- broken files ---- */

Test(host_archive, truncated_archive_refused)
{
	unsigned char *data;
	size_t len;

	WRITE(arc, F_GZIP, SNAP, { "fs/etc/group", AE_IFREG, group, NULL }, { "cpuid.txt", AE_IFREG, cpuid_intel, NULL });
	data = read_whole(arc, &len);
	write_file(arc, data, len / 2);
	free(data);
	assert_refused(arc, -EINVAL, "not a readable tar archive");
	/* Cut inside the tar stream, not the compression. */
	WRITE(arc, F_NONE, SNAP, { "fs/etc/group", AE_IFREG, group, NULL });
	data = read_whole(arc, &len);
	write_file(arc, data, 700);
	free(data);
	assert_refused(arc, -EINVAL, "member \"snapshot.json\": Truncated input file");
}

Test(host_archive, garbage_refused)
{
	char junk[4096];

	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(i * 7919 % 251);
	write_file(arc, junk, sizeof junk);
	assert_refused(arc, -EINVAL, "not a readable tar archive");
	/* A gzip stream of something that is not tar. */
	write_file(arc, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x4b\x4c\x4a\x06\x00\xc2\x41\x24\x35\x03\x00\x00\x00",
		   23);
	assert_refused(arc, -EINVAL, "not a readable tar archive");
}

Test(host_archive, empty_file_and_empty_tar_refused)
{
	write_file(arc, "", 0);
	assert_refused(arc, -EINVAL, "empty file, not a bundle archive");
	write_archive(arc, F_GZIP, NULL, 0);
	assert_refused(arc, -EINVAL, "a tar archive without members, not a bundle");
}

Test(host_archive, zip_refused)
{
	struct archive *a = archive_write_new();

	cr_assert(eq(int, archive_write_set_format_zip(a), ARCHIVE_OK));
	cr_assert(eq(int, archive_write_open_filename(a, arc), ARCHIVE_OK));
	write_member(a, &(struct member){ "snapshot.json", AE_IFREG, snap_json, NULL });
	cr_assert(eq(int, archive_write_close(a), ARCHIVE_OK));
	archive_write_free(a);
	assert_refused(arc, -EINVAL, "not a readable tar archive");
}

/* ---- the command line ---- */

/* A refused archive: exit 3 ("could not run"), one line on stderr naming the file. */
Test(host_archive, cli_exit_3_with_one_line)
{
	char cmd[PATH_MAX * 4], err_path[PATH_MAX], *err;
	size_t len;
	int status;
	bool exited;

	WRITE(arc, F_GZIP, SNAP, { "fs/../x", AE_IFREG, group, NULL });
	snprintf(err_path, sizeof err_path, "%s/err", tmp_dir);
	snprintf(cmd, sizeof cmd, "%s check --snapshot %s >/dev/null 2>%s", VMDOCTOR_BIN, arc, err_path);
	status = system(cmd);
	exited = WIFEXITED(status);
	cr_assert(exited);
	cr_assert(eq(int, WEXITSTATUS(status), 3));
	err = read_whole(err_path, &len);
	err[len] = '\0';
	cr_assert(eq(sz, (size_t)(strchr(err, '\n') - err), len - 1), "%s", err);
	cr_assert(ne(ptr, strstr(err, arc), NULL), "%s", err);
	cr_assert(ne(ptr, strstr(err, "\"..\" refused"), NULL), "%s", err);
	free(err);
}

/* ---- mutations ---- */

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * A good archive with a few bytes changed, 400 times over (headers, sizes, names, data, the gzip
 * stream): each open either works and answers, or refuses with one line. The sanitizer build
 * turns any out-of-bounds access into a failure.
 */
Test(host_archive, mutated_archives_never_crash, .timeout = 300)
{
	enum filter filters[] = { F_NONE, F_GZIP };
	uint32_t seed = 0x9e3779b9u;
	int opened = 0, refused = 0;

	for (size_t f = 0; f < sizeof filters / sizeof filters[0]; f++) {
		unsigned char *base, *copy;
		size_t len;

		write_good(arc, filters[f], "");
		base = read_whole(arc, &len);
		copy = malloc(len);
		for (int round = 0; round < 200; round++) {
			struct host *h = NULL;
			int flips = 1 + (int)(xorshift(&seed) % 8);
			int rc;

			memcpy(copy, base, len);
			for (int i = 0; i < flips; i++)
				copy[xorshift(&seed) % (len < 3072 ? len : 3072)] = (unsigned char)xorshift(&seed);
			write_file(arc, copy, len);
			rc = host_open_snapshot(arc, &h);
			opened += rc == 0;
			refused += rc != 0;
			if (rc == 0) {
				struct host_buf buf;
				struct host_names names = { 0 };
				struct host_cpuid cpu;

				if (host_read_file(h, "/etc/group", 4096, &buf) == 0)
					host_buf_free(&buf);
				if (host_list_dir(h, "/etc", &names) == 0)
					host_names_free(&names);
				(void)host_exists(h, "/etc/modprobe.d");
				(void)host_cpuid(h, &cpu);
				host_close(h);
			} else {
				bool one_line = strchr(host_open_error(), '\n') == NULL && host_open_error()[0];

				cr_assert(lt(int, rc, 0));
				cr_assert(one_line, "round %d: %s", round, host_open_error());
			}
		}
		free(copy);
		free(base);
	}
	/* Both ways were taken: the mutations neither all miss nor all break the archive. */
	cr_assert(gt(int, opened, 5), "opened %d", opened);
	cr_assert(gt(int, refused, 20), "refused %d", refused);
}
