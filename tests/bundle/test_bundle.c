/* SPDX-License-Identifier: MIT */
/* Unit tests of the bundle library: SHA-256 vectors, option parsing, and the recording host back end. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <errno.h>
#include <string.h>

#include "vmdoctor/bundle.h"
#include "vmdoctor/facts.h"
#include "vmdoctor/host.h"

Test(bundle, sha256_known_vectors)
{
	char hex[65];
	static char million[1000000];

	bundle_sha256_hex("", 0, hex);
	cr_assert(eq(str, hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	bundle_sha256_hex("abc", 3, hex);
	cr_assert(eq(str, hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	/* 56 bytes: the padding needs a second block. */
	bundle_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	cr_assert(eq(str, hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
	memset(million, 'a', sizeof million);
	bundle_sha256_hex(million, sizeof million, hex);
	cr_assert(eq(str, hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

/* Fed in pieces of every awkward size (1, 63, 64, 65, 4097 bytes ...), the digest is the one-shot one. */
Test(bundle, sha256_in_pieces_equals_one_shot)
{
	static char million[1000000];
	static const size_t pieces[] = { 1, 63, 64, 65, 127, 4097, 55, 56 };
	struct bundle_sha256_ctx c;
	unsigned char d[32];
	char hex[65];
	size_t off = 0;

	memset(million, 'a', sizeof million);
	bundle_sha256_init(&c);
	for (size_t i = 0; off < sizeof million; i++) {
		size_t n = pieces[i % (sizeof pieces / sizeof pieces[0])];
		if (n > sizeof million - off)
			n = sizeof million - off;
		bundle_sha256_update(&c, million + off, n);
		off += n;
	}
	bundle_sha256_final(&c, d);
	bundle_sha256_digest_hex(d, hex);
	cr_assert(eq(str, hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

Test(bundle, size_and_compress_parsing)
{
	uint64_t v = 0;
	enum bundle_compress c = BUNDLE_GZIP;

	cr_assert(eq(int, bundle_size_from_text("25M", &v), 0));
	cr_assert(eq(u64, v, 25ull << 20));
	cr_assert(eq(int, bundle_size_from_text("4096", &v), 0));
	cr_assert(eq(u64, v, 4096));
	cr_assert(eq(int, bundle_size_from_text("1GiB", &v), 0));
	cr_assert(eq(u64, v, 1ull << 30));
	cr_assert(eq(int, bundle_size_from_text("12Q", &v), -EINVAL));
	cr_assert(eq(int, bundle_size_from_text("-1", &v), -EINVAL));
	cr_assert(eq(int, bundle_size_from_text("0", &v), -EINVAL));
	cr_assert(eq(int, bundle_compress_from_name("xz", &c), 0));
	cr_assert(eq(int, (int)c, (int)BUNDLE_XZ));
	cr_assert(eq(int, bundle_compress_from_name("lz4", &c), -EINVAL));
}

static const struct host_record_member *find_member(const struct host_record_member *m, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(m[i].name, name) == 0)
			return &m[i];
	return NULL;
}

/* The recording host keeps what facts_collect read, in snapshot v1 form, sorted. */
Test(bundle, record_keeps_what_the_checks_read)
{
	struct host *snap = NULL, *rec = NULL;
	struct facts facts;
	const struct host_record_member *m, *cpuid, *group;
	size_t n = 0;
	bool sorted = true;

	memset(&facts, 0, sizeof facts);
	cr_assert(eq(int, host_open_snapshot(FIXTURES "/snapshots/kvm-devnode-perm", &snap), 0));
	cr_assert(eq(int, host_open_record(snap, &rec), 0));
	cr_assert(eq(int, facts_collect(rec, &facts), 0));
	cr_assert(eq(int, host_record_finish(rec), 0));
	m = host_record_members(rec, &n);
	cr_assert(gt(sz, n, 3));
	for (size_t i = 1; i < n; i++)
		sorted = sorted && strcmp(m[i - 1].name, m[i].name) < 0;
	cr_assert(sorted);
	cpuid = find_member(m, n, "cpuid.txt");
	cr_assert(ne(ptr, (void *)cpuid, NULL));
	cr_assert(eq(int, strncmp(cpuid->data, "basic_cpuid[0]=", 15), 0));
	group = find_member(m, n, "fs/etc/group");
	cr_assert(ne(ptr, (void *)group, NULL));
	cr_assert(ne(ptr, (void *)find_member(m, n, "devices.txt"), NULL));
	cr_assert(ne(ptr, (void *)host_record_user(rec), NULL));
	facts_free(&facts);
	host_close(rec);
	host_close(snap);
}
