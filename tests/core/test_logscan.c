/* SPDX-License-Identifier: MIT */
/* Tests for core/logscan.c and core/signatures.c: every signature, line numbers, hostile bytes, facts on a snapshot. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmdoctor/facts.h"
#include "vmdoctor/host.h"
#include "vmdoctor/logscan.h"

#define BIG_LINE ((size_t)10 << 20)

static struct logscan *ls;

static void setup(void)
{
	ls = logscan_new();
}

static void teardown(void)
{
	logscan_free(ls);
}

TestSuite(logscan, .init = setup, .fini = teardown);

static struct logscan_result scan_as(const char *text, size_t len, unsigned source)
{
	struct logscan_result r = { 0 };
	logscan_buffer(ls, "test.log", source, text, len, 1, &r);
	return r;
}

static struct logscan_result scan_text(const char *text)
{
	return scan_as(text, strlen(text), LOGSCAN_ALL);
}

static bool has_sig(const struct logscan_result *r, const struct logscan_sig *sig)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->matches[i].sig == sig)
			return true;
	return false;
}

static const struct logscan_sig *sig_by_needle(const char *needle, const char *also)
{
	size_t n;
	const struct logscan_sig *sigs = logscan_signatures(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(sigs[i].needle, needle) == 0 &&
		    ((!also && !sigs[i].also) || (also && sigs[i].also && strcmp(sigs[i].also, also) == 0)))
			return &sigs[i];
	return NULL;
}

/* ---- the table ---- */

static bool code_in_kb(const char *code)
{
	FILE *f = fopen(FIXTURES "/codes-kb.txt", "r");
	cr_assert(f != NULL);
	char line[128];
	bool found = false;
	while (!found && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		found = strcmp(line, code) == 0;
	}
	fclose(f);
	return found;
}

Test(logscan, table_is_well_formed)
{
	size_t n;
	const struct logscan_sig *sigs = logscan_signatures(&n);
	cr_assert(gt(sz, n, 80));
	for (size_t i = 0; i < n; i++) {
		const struct logscan_sig *s = &sigs[i];
		cr_assert(ge(sz, strlen(s->needle), 4), "row %zu: needle too short", i);
		cr_assert(s->example != NULL, "row %zu (%s): no example", i, s->needle);
		cr_assert(ne(u32, s->sources & LOGSCAN_ALL, 0), "row %zu: no source", i);
		cr_assert(ne(chr, s->needle[0], ' '));
		bool info = s->flags & LOGSCAN_INFO;
		if (info)
			cr_assert(s->code == NULL, "row %zu: informational rows have no code", i);
		else {
			cr_assert(s->code != NULL, "row %zu (%s): no code", i, s->needle);
			bool known = code_in_kb(s->code);
			cr_assert(known, "row %zu: %s is not a knowledge-base code", i, s->code);
		}
		if (s->flags & LOGSCAN_APPROX)
			cr_assert(s->versions != NULL, "row %zu: approx needs a range", i);
		for (size_t j = 0; j < i; j++) {
			bool same = strcmp(sigs[j].needle, s->needle) == 0 &&
				    ((!sigs[j].also && !s->also) ||
				     (sigs[j].also && s->also && strcmp(sigs[j].also, s->also) == 0));
			cr_assert(not(same), "rows %zu and %zu are the same signature", j, i);
		}
	}
}

Test(logscan, every_signature_matches_its_example_and_not_its_near_miss)
{
	size_t n;
	const struct logscan_sig *sigs = logscan_signatures(&n);
	for (size_t i = 0; i < n; i++) {
		struct logscan_result r = scan_as(sigs[i].example, strlen(sigs[i].example), sigs[i].sources);
		bool hit = has_sig(&r, &sigs[i]);
		cr_expect(hit, "row %zu (%s) misses its example \"%s\"", i, sigs[i].needle, sigs[i].example);
		logscan_result_free(&r);
		if (!sigs[i].near_miss)
			continue;
		r = scan_as(sigs[i].near_miss, strlen(sigs[i].near_miss), LOGSCAN_ALL);
		hit = has_sig(&r, &sigs[i]);
		cr_expect(not(hit), "row %zu (%s) matches its near miss \"%s\"", i, sigs[i].needle, sigs[i].near_miss);
		logscan_result_free(&r);
	}
}

Test(logscan, every_example_matches_in_a_long_noisy_log)
{
	/* All examples in one buffer among noise: the multi-pattern pass must find each at its line. */
	size_t n;
	const struct logscan_sig *sigs = logscan_signatures(&n);
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len,
					"[ %zu.000] usb 1-1: new high-speed USB device number %zu using xhci_hcd\n%s\n",
					i, i, sigs[i].example);
	struct logscan_result r = scan_as(buf, len, LOGSCAN_ALL);
	for (size_t i = 0; i < n; i++) {
		bool found = false;
		for (size_t k = 0; k < r.count; k++)
			if (r.matches[k].sig == &sigs[i] && r.matches[k].line == 2 * i + 2)
				found = true;
		cr_expect(found, "row %zu (%s) not found at line %zu", i, sigs[i].needle, 2 * i + 2);
	}
	logscan_result_free(&r);
	free(buf);
}

/* ---- look-alikes ---- */

Test(logscan, old_and_new_disabled_by_bios_resolve_to_their_rows)
{
	struct logscan_result r = scan_text("[    5.1] kvm: disabled by bios\n"
					    "[    5.2] kvm: support for 'kvm_intel' disabled by bios\n"
					    "[    5.3] kvm: support for 'kvm_amd' disabled by bios\n");
	cr_assert(eq(sz, r.count, 3));
	cr_assert(eq(ptr, (void *)r.matches[0].sig, (void *)sig_by_needle("kvm: disabled by bios", NULL)));
	cr_assert(eq(ptr, (void *)r.matches[1].sig, (void *)sig_by_needle("disabled by bios", "'kvm_intel'")));
	cr_assert(eq(str, (char *)r.matches[1].code, "CPU-VT-DISABLED"));
	cr_assert(eq(ptr, (void *)r.matches[2].sig, (void *)sig_by_needle("disabled by bios", "'kvm_amd'")));
	cr_assert(eq(str, (char *)r.matches[2].code, "CPU-SVM-DISABLED"));
	cr_assert(eq(u32, r.matches[2].line, 3));
	logscan_result_free(&r);
}

Test(logscan, tainting_line_is_informational)
{
	struct logscan_result r = scan_text("[   12.9] vboxdrv: module verification failed: signature and/or "
					    "required key missing - tainting kernel\n");
	cr_assert(eq(sz, r.count, 1));
	cr_assert(r.matches[0].code == NULL);
	cr_assert(r.matches[0].sig->flags & LOGSCAN_INFO);
	cr_assert(eq(sz, r.lines_hit, 1));
	logscan_result_free(&r);
}

Test(logscan, matching_is_case_sensitive)
{
	struct logscan_result r = scan_text("KVM: DISABLED BY BIOS\nversion mismatch with vmmon module\n");
	cr_assert(eq(sz, r.count, 0));
	logscan_result_free(&r);
}

Test(logscan, two_fragment_rows_need_both_on_one_line)
{
	struct logscan_result r = scan_text("error: Failed to connect socket to '/var/run/libvirt/libvirt-sock'\n"
					    "Permission denied\n"
					    "kvm: enabling virtualization on CPU1\n"
					    "failed\n"
					    "Cannot access storage file '/a.qcow2'\n");
	cr_assert(eq(sz, r.count, 0));
	logscan_result_free(&r);
	r = scan_text("Permission denied: Failed to connect socket to '/x'\n"
		      "kvm: enabling virtualization on CPU1 failed\n");
	cr_assert(eq(sz, r.count, 2));
	cr_assert(eq(str, (char *)r.matches[0].code, "LIBVIRT-POLKIT-DENIED"));
	cr_assert(eq(str, (char *)r.matches[1].code, "KVM-BUSY-OTHER-HV"));
	cr_assert(eq(u32, r.matches[1].line, 2));
	logscan_result_free(&r);
}

Test(logscan, one_line_can_match_several_rows)
{
	struct logscan_result r =
		scan_text("error: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Connection refused\n");
	cr_assert(eq(sz, r.count, 1));
	cr_assert(eq(str, (char *)r.matches[0].code, "LIBVIRT-DAEMON-DOWN"));
	logscan_result_free(&r);
	r = scan_text("00:00:01.0 Kernel driver not installed (rc=-1908) VERR_VM_DRIVER_NOT_INSTALLED\n");
	cr_assert(eq(sz, r.count, 2));
	cr_assert(eq(sz, r.lines_hit, 1));
	logscan_result_free(&r);
}

Test(logscan, sources_limit_where_a_row_applies)
{
	const char *line = "00:00:01.000 Kernel driver not installed (rc=-1908)\n";
	struct logscan_result r = scan_as(line, strlen(line), LOGSCAN_KERNEL);
	cr_assert(eq(sz, r.count, 0));
	logscan_result_free(&r);
	r = scan_as(line, strlen(line), LOGSCAN_VBOX);
	cr_assert(eq(sz, r.count, 1));
	cr_assert(eq(str, (char *)r.matches[0].source, "VirtualBox log"));
	cr_assert(eq(str, (char *)r.matches[0].code, "VBOX-DRV-NOT-LOADED"));
	logscan_result_free(&r);
}

/* ---- lines ---- */

Test(logscan, line_numbers_across_crlf_and_empty_lines)
{
	struct logscan_result r = scan_text("\r\n\r\nfirst\r\n\r\nkvm: disabled by bios\r\n\n\nVersion mismatch "
					    "with vmmon module: expecting 417.0, got 416.0.\r\n");
	cr_assert(eq(sz, r.count, 2));
	cr_assert(eq(u32, r.matches[0].line, 5));
	cr_assert(eq(str, r.matches[0].text, "kvm: disabled by bios"));
	cr_assert(eq(u32, r.matches[1].line, 8));
	cr_assert(eq(str, r.matches[1].text, "Version mismatch with vmmon module: expecting 417.0, got 416.0."));
	logscan_result_free(&r);
}

Test(logscan, last_line_without_newline_and_kernel_stamp)
{
	const char *text = "a\nb\n[ 1234.567890] kvm: disabled by bios";
	struct logscan_result r = scan_as(text, strlen(text), LOGSCAN_KERNEL);
	cr_assert(eq(sz, r.count, 1));
	cr_assert(eq(u32, r.matches[0].line, 3));
	cr_assert(eq(str, r.matches[0].text, "kvm: disabled by bios"));
	logscan_result_free(&r);
	/* the needle is the very first and very last bytes of the buffer */
	r = scan_text("rc=-1908");
	cr_assert(eq(sz, r.count, 1));
	cr_assert(eq(u32, r.matches[0].line, 1));
	logscan_result_free(&r);
}

Test(logscan, first_line_offsets_numbers)
{
	struct logscan_result r = { 0 };
	const char *text = "x\nkvm: disabled by bios\n";
	logscan_buffer(ls, "dmesg", LOGSCAN_KERNEL, text, strlen(text), 41, &r);
	cr_assert(eq(sz, r.count, 1));
	cr_assert(eq(u32, r.matches[0].line, 42));
	cr_assert(eq(str, r.matches[0].file, "dmesg"));
	logscan_result_free(&r);
}

Test(logscan, ten_megabyte_line)
{
	char *buf = malloc(BIG_LINE + 256);
	size_t len = 0;
	len += (size_t)sprintf(buf, "one\n");
	memset(buf + len, 'x', BIG_LINE);
	len += BIG_LINE;
	len += (size_t)sprintf(buf + len, " kvm: disabled by bios\nVersion mismatch with vmmon module\n");
	struct logscan_result r = scan_as(buf, len, LOGSCAN_ALL);
	cr_assert(eq(sz, r.count, 2));
	cr_assert(eq(u32, r.matches[0].line, 2));
	/* a window around the needle, bounded, marked as cut */
	cr_assert(le(sz, strlen(r.matches[0].text), LOGSCAN_TEXT_MAX + 6));
	cr_assert(not(eq(ptr, strstr(r.matches[0].text, "kvm: disabled by bios"), NULL)));
	cr_assert(eq(int, strncmp(r.matches[0].text, "...", 3), 0));
	cr_assert(eq(u32, r.matches[1].line, 3));
	logscan_result_free(&r);

	/* a needle at the start of a 10 MB line keeps the head */
	memcpy(buf, "rc=-1908", 8);
	memset(buf + 8, 'y', BIG_LINE);
	r = scan_as(buf, BIG_LINE + 8, LOGSCAN_ALL);
	cr_assert(eq(sz, r.count, 1));
	cr_assert(eq(int, strncmp(r.matches[0].text, "rc=-1908yyy", 11), 0));
	cr_assert(eq(sz, strlen(r.matches[0].text), LOGSCAN_TEXT_MAX + 3));
	logscan_result_free(&r);
	free(buf);
}

static bool printable_utf8(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

Test(logscan, binary_garbage_with_nuls)
{
	size_t len = (size_t)4 << 20;
	unsigned char *buf = malloc(len);
	unsigned seed = 12345;
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (unsigned char)(seed >> 16);
	}
	/* plant needles among NULs, escapes and broken UTF-8 */
	const char planted[] = "\x1b[31m\0\xff\xc3kvm: disabled by bios\0\x9b\xe2\x82";
	size_t lines_before = 0;
	memcpy(buf + 1000000, planted, sizeof planted);
	for (size_t i = 0; i < 1000000; i++)
		lines_before += buf[i] == '\n';
	struct logscan_result r = scan_as((const char *)buf, len, LOGSCAN_ALL);
	bool found = false;
	for (size_t i = 0; i < r.count; i++) {
		cr_assert(printable_utf8(r.matches[i].text));
		if (r.matches[i].sig == sig_by_needle("kvm: disabled by bios", NULL)) {
			found = true;
			cr_assert(eq(u32, r.matches[i].line, lines_before + 1));
		}
	}
	cr_assert(found);
	logscan_result_free(&r);
	free(buf);
}

Test(logscan, text_is_valid_utf8_without_controls)
{
	struct logscan_result r = scan_text("caf\xc3\xa9 \x1b]0;x\x07 \xc2\x9b \xed\xa0\x80 rc=-1908 \xe2\x82\xac\n");
	cr_assert(eq(sz, r.count, 1));
	cr_assert(eq(str, r.matches[0].text, "caf\xc3\xa9 ?]0;x? ?? ??? rc=-1908 \xe2\x82\xac"));
	logscan_result_free(&r);
}

/* The buffer is walked in 1 MiB rounds of four parts each: a needle across any seam must still be found. */
static void expect_found_at(char *buf, size_t len, size_t at)
{
	static const char needle[] = "rc=-1908";
	memset(buf, 'a', len);
	memcpy(buf + at, needle, sizeof needle - 1);
	struct logscan_result r = scan_as(buf, len, LOGSCAN_ALL);
	cr_assert(eq(sz, r.count, 1), "needle at %zu of %zu", at, len);
	logscan_result_free(&r);
}

Test(logscan, needle_found_at_every_offset)
{
	char small[256];
	for (size_t len = 8; len <= sizeof small; len += 7)
		for (size_t at = 0; at + 8 <= len; at++)
			expect_found_at(small, len, at);
	size_t len = ((size_t)3 << 20) + 1000;
	char *big = malloc(len);
	for (size_t seam = 1; seam <= 2; seam++)
		for (size_t at = seam * ((size_t)1 << 20) - 16; at < seam * ((size_t)1 << 20) + 16; at++)
			expect_found_at(big, len, at);
	/* the seams between the four parts of the last, partial round */
	size_t last = len - 7 - ((size_t)3 << 20);
	for (size_t i = 1; i < 4; i++) {
		size_t seam = ((size_t)3 << 20) + 7 + i * (last / 4);
		for (size_t at = seam - 12; at < seam + 4; at++)
			expect_found_at(big, len, at);
	}
	free(big);
}

Test(logscan, per_signature_cap_keeps_counting)
{
	size_t lines = 1000;
	char *buf = malloc(lines * 32);
	size_t len = 0;
	for (size_t i = 0; i < lines; i++)
		len += (size_t)sprintf(buf + len, "kvm: disabled by bios\n");
	len += (size_t)sprintf(buf + len, "rc=-1908\n");
	struct logscan_result r = scan_as(buf, len, LOGSCAN_ALL);
	cr_assert(eq(sz, r.count, LOGSCAN_KEEP_MAX + 1));
	cr_assert(eq(sz, r.matches[0].hits, lines));
	cr_assert(eq(u32, r.matches[LOGSCAN_KEEP_MAX - 1].line, LOGSCAN_KEEP_MAX));
	cr_assert(eq(u32, r.matches[LOGSCAN_KEEP_MAX].line, lines + 1));
	cr_assert(eq(sz, r.matches[LOGSCAN_KEEP_MAX].hits, 1));
	cr_assert(eq(sz, r.lines_hit, lines + 1));
	logscan_result_free(&r);
	free(buf);
}

Test(logscan, same_signature_twice_on_a_line_is_one_match)
{
	struct logscan_result r = scan_text("rc=-1908 rc=-1908 rc=-1908\n");
	cr_assert(eq(sz, r.count, 1));
	cr_assert(eq(sz, r.matches[0].hits, 1));
	logscan_result_free(&r);
}

Test(logscan, count_newlines_agrees_with_a_loop)
{
	char buf[5000];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (i * 7919 % 13 == 0) ? '\n' : (char)('a' + i % 26);
	for (size_t off = 0; off < 40; off++)
		for (size_t len = 0; off + len <= sizeof buf; len += 97) {
			size_t want = 0;
			for (size_t i = 0; i < len; i++)
				want += buf[off + i] == '\n';
			cr_assert(eq(sz, logscan_count_newlines(buf + off, len), want));
		}
	/* more than 255 blocks of newlines: the byte counters must not overflow */
	char *nl = malloc(100000);
	memset(nl, '\n', 100000);
	cr_assert(eq(sz, logscan_count_newlines(nl, 100000), 100000));
	free(nl);
}

Test(logscan, empty_and_null)
{
	struct logscan_result r = { 0 };
	cr_assert(eq(sz, logscan_buffer(ls, "f", LOGSCAN_ALL, NULL, 0, 1, &r), 0));
	cr_assert(eq(sz, logscan_buffer(ls, "f", LOGSCAN_ALL, "rc=-190", 7, 1, &r), 0));
	cr_assert(eq(sz, logscan_buffer(ls, "f", LOGSCAN_ALL, "\n\n\n", 3, 1, &r), 0));
	logscan_result_free(&r);
}

/* ---- facts on a snapshot ---- */

static void put(const char *root, const char *rel, const char *text)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	FILE *f = fopen(path, "w");
	cr_assert(f != NULL, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void rm_rf(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert(eq(int, system(cmd), 0));
}

static const char snapshot_json[] = "{\"format\": \"vmdoctor-snapshot\", \"version\": 1, \"source\": \"fixture\", "
				    "\"user\": {\"name\": \"alice\", \"uid\": 1000, \"gid\": 1000, "
				    "\"groups\": [\"alice\"]}}\n";

static void collect(const char *dir, struct facts *facts)
{
	struct host *host = NULL;
	cr_assert(eq(int, host_open_snapshot(dir, &host), 0), "%s", host_open_error());
	facts_collect(host, facts);
	host_close(host);
}

static const struct logscan_match *match_in(const struct facts *f, const char *file, const char *code)
{
	for (const struct logscan_match *m = facts_log_next(f, code, NULL); m; m = facts_log_next(f, code, m))
		if (strcmp(m->file, file) == 0)
			return m;
	return NULL;
}

Test(logscan_facts, finds_product_and_kernel_lines)
{
	char dir[] = "/tmp/vmdoctor-logscan-XXXXXX";
	cr_assert(mkdtemp(dir) != NULL);
	put(dir, "snapshot.json", snapshot_json);
	put(dir, "fs/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n");
	put(dir, "fs/home/alice/VirtualBox VMs/win10/Logs/VBox.log",
	    "00:00:00.100 VirtualBox VM 7.0.14 r161095 linux.amd64\n"
	    "00:00:00.200 Log opened 2024-05-01T10:00:00Z\n"
	    "00:00:00.512 Kernel driver not installed (rc=-1908)\n");
	put(dir, "fs/home/alice/VirtualBox VMs/win10/Logs/VBox.log.1", "00:00:00.1 ok\n");
	put(dir, "fs/tmp/vmware-alice/vmware-ui-4242.log",
	    "2024-05-01T10:00:01.000Z In(05) host-4242 Log for VMware Workstation\n"
	    "2024-05-01T10:00:01.123Z In(05) vmx Version mismatch with vmmon module: expecting 417.0, got 416.0.\n");
	put(dir, "fs/tmp/vmware-alice/notes.txt", "Version mismatch with vmmon module\n");
	put(dir, "fs/var/log/apt/term.log",
	    "Setting up virtualbox-dkms (6.1.16-dfsg-6) ...\n"
	    "Error! Bad return status for module build on kernel: 6.1.0-18-amd64 (x86_64)\n");
	put(dir, "fs/var/log/libvirt/qemu/win10.log",
	    "2024-05-01 10:00:00.000+0000: starting up libvirt version: 9.0.0\n"
	    "2024-05-01T10:00:01.000000Z qemu-system-x86_64: -blockdev {}: Could not open '/home/alice/w.qcow2'\n"
	    "error: Cannot access storage file '/home/alice/w.qcow2' (as uid:64055, gid:64055): Permission denied\n");
	put(dir, "fs/var/log/audit/audit.log",
	    "type=AVC msg=audit(1714557601.123:412): avc:  denied  { read } for  pid=4242 comm=\"qemu-kvm\" "
	    "scontext=system_u:system_r:svirt_tcg_t:s0:c1,c2 tclass=file permissive=0\n");
	put(dir, "dmesg.txt",
	    "[    0.000000] Linux version 6.1.0-18-amd64\n"
	    "[    0.000000] Hypervisor detected: KVM\n"
	    "[    5.100000] kvm: support for 'kvm_intel' disabled by bios\n"
	    "[   12.900000] vboxdrv: module verification failed: signature and/or required key missing - "
	    "tainting kernel\n");

	struct facts f;
	collect(dir, &f);
	cr_assert(eq(int, f.logs.err, 0));
	cr_assert(eq(int, f.logs.klog_err, 0));

	const struct logscan_match *m =
		match_in(&f, "/home/alice/VirtualBox VMs/win10/Logs/VBox.log", "VBOX-DRV-NOT-LOADED");
	cr_assert(m != NULL);
	cr_assert(eq(u32, m->line, 3));
	cr_assert(eq(str, (char *)m->source, "VirtualBox log"));
	m = match_in(&f, "/tmp/vmware-alice/vmware-ui-4242.log", "VMW-VERSION-MISMATCH");
	cr_assert(m != NULL);
	cr_assert(eq(u32, m->line, 2));
	m = match_in(&f, "dmesg", "CPU-VT-DISABLED");
	cr_assert(m != NULL);
	cr_assert(eq(u32, m->line, 3));
	cr_assert(eq(str, m->text, "kvm: support for 'kvm_intel' disabled by bios"));
	m = match_in(&f, "/var/log/apt/term.log", "DKMS-BUILD-FAILED");
	cr_assert(m != NULL);
	cr_assert(eq(u32, m->line, 2));
	cr_assert(eq(str, (char *)m->source, "DKMS log"));
	m = match_in(&f, "/var/log/libvirt/qemu/win10.log", "LIBVIRT-STORAGE-PERM");
	cr_assert(m != NULL);
	cr_assert(eq(u32, m->line, 3));
	m = match_in(&f, "/var/log/audit/audit.log", "LIBVIRT-SELINUX-DENIED");
	cr_assert(m != NULL);
	cr_assert(eq(u32, m->line, 1));
	cr_assert(eq(str, (char *)m->source, "audit log"));

	/* not a .log: never read */
	cr_assert(eq(sz, facts_log_matches(&f, "VMW-VERSION-MISMATCH", NULL), 1));
	const struct logscan_match *first = NULL;
	cr_assert(eq(sz, facts_log_matches(&f, "VBOX-DRV-NOT-LOADED", &first), 1));
	cr_assert(first != NULL);
	cr_assert(eq(sz, facts_log_matches(&f, "KVM-DEVNODE-PERM", &first), 0));
	cr_assert(first == NULL);

	/* informational lines are kept, without a code */
	size_t info = 0;
	for (size_t i = 0; i < f.logs.count; i++)
		if (!f.logs.matches[i].code)
			info++;
	cr_assert(eq(sz, info, 2));
	cr_assert(eq(sz, f.logs.count, 8));

	/* sorted by file, then line */
	for (size_t i = 1; i < f.logs.count; i++) {
		int c = strcmp(f.logs.matches[i - 1].file, f.logs.matches[i].file);
		cr_assert(c < 0 || (c == 0 && f.logs.matches[i - 1].line <= f.logs.matches[i].line));
	}
	/* dmesg, VBox.log, VBox.log.1, the vmware log, term.log, the qemu log, audit.log */
	cr_assert(eq(sz, f.logs.files_scanned, 7));
	cr_assert(eq(sz, f.logs.files_count, 7));
	facts_free(&f);
	rm_rf(dir);
}

Test(logscan_facts, journalctl_when_the_kernel_log_is_missing)
{
	char dir[] = "/tmp/vmdoctor-logscan-XXXXXX";
	cr_assert(mkdtemp(dir) != NULL);
	put(dir, "snapshot.json", snapshot_json);
	put(dir, "commands/journalctl-k.txt",
	    "$ /usr/bin/journalctl -k -b --no-pager (exit 0)\n"
	    "May 01 10:00:00 host kernel: Linux version 6.8.0\n"
	    "May 01 10:00:05 host kernel: kvm_amd: SVM disabled (by BIOS) in MSR_VM_CR on CPU 0\n");
	struct facts f;
	collect(dir, &f);
	cr_assert(eq(int, f.logs.klog_err, 0));
	const struct logscan_match *m = match_in(&f, "commands/journalctl-k", "CPU-SVM-DISABLED");
	cr_assert(m != NULL);
	cr_assert(eq(u32, m->line, 2));
	facts_free(&f);
	rm_rf(dir);
}

Test(logscan_facts, nothing_to_read_is_not_an_error)
{
	char dir[] = "/tmp/vmdoctor-logscan-XXXXXX";
	cr_assert(mkdtemp(dir) != NULL);
	put(dir, "snapshot.json", "{\"format\": \"vmdoctor-snapshot\", \"version\": 1}\n");
	put(dir, "fs/etc/hostname", "host\n");
	struct facts f;
	collect(dir, &f);
	cr_assert(eq(int, f.logs.err, 0));
	cr_assert(eq(int, f.logs.klog_err, -ENODATA));
	cr_assert(eq(sz, f.logs.count, 0));
	cr_assert(eq(sz, f.logs.files_scanned, 0));
	facts_free(&f);
	rm_rf(dir);
}

Test(logscan_facts, unreadable_log_is_listed_with_its_error)
{
	char dir[] = "/tmp/vmdoctor-logscan-XXXXXX";
	cr_assert(mkdtemp(dir) != NULL);
	put(dir, "snapshot.json", snapshot_json);
	put(dir, "fs/var/log/audit/audit.log", "type=AVC avc:  denied  { read } svirt_t\n");
	put(dir, "fs-errors.txt", "/var/log/audit/audit.log EACCES\n");
	struct facts f;
	collect(dir, &f);
	cr_assert(eq(sz, f.logs.count, 0));
	cr_assert(eq(sz, f.logs.files_count, 1));
	cr_assert(eq(str, f.logs.files[0].path, "/var/log/audit/audit.log"));
	cr_assert(eq(int, f.logs.files[0].err, -EACCES));
	cr_assert(eq(sz, f.logs.files_scanned, 0));
	facts_free(&f);
	rm_rf(dir);
}

Test(logscan_facts, big_log_scans_its_newest_part_with_true_line_numbers)
{
	char dir[] = "/tmp/vmdoctor-logscan-XXXXXX";
	cr_assert(mkdtemp(dir) != NULL);
	put(dir, "snapshot.json", snapshot_json);
	put(dir, "fs/etc/passwd", "alice:x:1000:1000::/home/alice:/bin/sh\n");
	/* 20 MiB of 64-byte lines: an old match on line 1, a new one on the last line */
	size_t lines = (size_t)20 << 14, len = 0;
	char *text = malloc(lines * 64 + 64);
	len += (size_t)sprintf(text, "%-63s\n", "00:00:00.1 VERR_VM_DRIVER_NOT_INSTALLED");
	for (size_t i = 1; i + 1 < lines; i++)
		len += (size_t)sprintf(text + len, "%-63s\n", "00:00:00.2 noise");
	len += (size_t)sprintf(text + len, "%-63s\n", "00:00:09.9 VERR_VMX_IN_VMX_ROOT_MODE");
	put(dir, "fs/home/alice/VirtualBox VMs/big/Logs/VBox.log", text);
	free(text);
	struct facts f;
	collect(dir, &f);
	cr_assert(eq(sz, facts_log_matches(&f, "VBOX-DRV-NOT-LOADED", NULL), 0));
	const struct logscan_match *m = NULL;
	cr_assert(eq(sz, facts_log_matches(&f, "VBOX-KVM-CONFLICT", &m), 1));
	cr_assert(eq(u32, m->line, lines));
	cr_assert(eq(sz, f.logs.files_count, 1));
	cr_assert(f.logs.files[0].truncated);
	cr_assert(le(sz, f.logs.files[0].bytes, (size_t)16 << 20));
	facts_free(&f);
	rm_rf(dir);
}

Test(logscan_facts, every_fixture_scans_without_error)
{
	/* The scenario snapshots have real-looking logs: the scanner must read them and keep lines bounded. */
	FILE *p = popen("ls " FIXTURES "/snapshots", "r");
	cr_assert(p != NULL);
	char name[256];
	size_t seen = 0;
	while (fgets(name, sizeof name, p)) {
		name[strcspn(name, "\n")] = '\0';
		char dir[600];
		snprintf(dir, sizeof dir, "%s/snapshots/%s", FIXTURES, name);
		struct facts f;
		collect(dir, &f);
		for (size_t i = 0; i < f.logs.count; i++) {
			cr_assert(f.logs.matches[i].line >= 1);
			cr_assert(le(sz, strlen(f.logs.matches[i].text), LOGSCAN_TEXT_MAX + 6));
		}
		facts_free(&f);
		seen++;
	}
	pclose(p);
	cr_assert(gt(sz, seen, 10));
}
