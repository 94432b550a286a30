/* SPDX-License-Identifier: MIT */
/* Tests for checks/codes.c: the catalogue covers the knowledge base and every entry is well formed. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <string.h>

#include "vmdoctor/codes.h"

/* The CMake target defines FIXTURES; the fallback lets the file build by hand from the repo root. */
#ifndef FIXTURES
#define FIXTURES "tests/fixtures"
#endif

/* The 38 section-B headings of knowledge/failure-modes.md, one code a line, in order. */
#define CODES_KB FIXTURES "/codes-kb.txt"
#define KB_MAX 64

#define ALL_NEEDS                                                                                   \
	(CODE_NEEDS_ROOT | CODE_NEEDS_REBOOT | CODE_NEEDS_RELOGIN | CODE_NEEDS_FIRMWARE |           \
	 CODE_NEEDS_CONSOLE | CODE_NEEDS_OUTER_HOST)

static const char *const groups[] = {
	"CPU, firmware and nesting",
	"KVM device node and module",
	"libvirt",
	"VMware Workstation / Player",
	"VirtualBox",
	"Secure Boot and module signing",
	"DKMS and kernel headers",
	"QEMU host devices",
};

static char kb_codes[KB_MAX][64];

/* Reads the fixture; returns the number of codes. */
static size_t load_kb(void)
{
	FILE *f = fopen(CODES_KB, "r");
	cr_assert(ne(ptr, f, NULL), "cannot open %s", CODES_KB);
	size_t n = 0;
	char line[128];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		cr_assert(lt(sz, n, (size_t)KB_MAX));
		cr_assert(lt(sz, strlen(line), sizeof kb_codes[0]));
		strcpy(kb_codes[n++], line);
	}
	fclose(f);
	return n;
}

static int is_upper_kebab(const char *s)
{
	if (!*s || *s == '-')
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return 0;
	return s[strlen(s) - 1] != '-' && !strstr(s, "--");
}

static unsigned needs_of(const char *code)
{
	const struct code_info *ci = code_find(code);
	cr_assert(ne(ptr, (void *)ci, NULL), "%s missing", code);
	return ci->needs;
}

Test(codes, fixture_lists_section_b)
{
	size_t n = load_kb();
	cr_assert(eq(sz, n, (size_t)38));
	cr_assert(eq(str, kb_codes[0], "CPU-NO-HWVIRT"));
	cr_assert(eq(str, kb_codes[n - 1], "DKMS-BUILD-FAILED"));
}

Test(codes, every_kb_code_is_in_the_table)
{
	size_t n = load_kb();
	for (size_t i = 0; i < n; i++)
		cr_expect(ne(ptr, (void *)code_find(kb_codes[i]), NULL), "no entry for %s", kb_codes[i]);
}

Test(codes, kb_codes_come_first_in_section_order)
{
	size_t n = load_kb();
	cr_assert(ge(sz, code_table_count, n));
	for (size_t i = 0; i < n; i++)
		cr_expect(eq(str, (char *)code_table[i].code, kb_codes[i]), "entry %zu", i);
}

Test(codes, additions)
{
	cr_assert(eq(sz, code_table_count, (size_t)41));
	const struct code_info *cgroup = code_find("QEMU-CGROUP-MISSING");
	cr_assert(ne(ptr, (void *)cgroup, NULL));
	cr_expect(ne(ptr, strstr(cgroup->fix, "cgroup.controllers"), NULL));
	const struct code_info *tun = code_find("QEMU-TUN-MISSING");
	const struct code_info *vhost = code_find("QEMU-VHOST-NET-MISSING");
	cr_assert(ne(ptr, (void *)tun, NULL));
	cr_assert(ne(ptr, (void *)vhost, NULL));
	cr_expect(eq(str, (char *)tun->group, "QEMU host devices"));
	cr_expect(eq(str, (char *)vhost->group, "QEMU host devices"));
	cr_expect(ne(ptr, strstr(tun->fix, "modprobe tun"), NULL));
	cr_expect(ne(ptr, strstr(vhost->fix, "modprobe vhost_net"), NULL));
	cr_expect(eq(uint, tun->needs & CODE_NEEDS_ROOT, CODE_NEEDS_ROOT));
	cr_expect(eq(uint, vhost->needs & CODE_NEEDS_ROOT, CODE_NEEDS_ROOT));
}

Test(codes, no_duplicates)
{
	for (size_t i = 0; i < code_table_count; i++)
		for (size_t j = i + 1; j < code_table_count; j++)
			cr_expect(ne(int, strcasecmp(code_table[i].code, code_table[j].code), 0),
				  "%s appears twice", code_table[i].code);
}

Test(codes, codes_are_upper_kebab)
{
	for (size_t i = 0; i < code_table_count; i++)
		cr_expect(is_upper_kebab(code_table[i].code), "bad code \"%s\"", code_table[i].code);
}

Test(codes, texts_are_well_formed)
{
	for (size_t i = 0; i < code_table_count; i++) {
		const struct code_info *c = &code_table[i];
		cr_assert(ne(ptr, (void *)c->title, NULL), "%s", c->code);
		cr_assert(ne(ptr, (void *)c->explanation, NULL), "%s", c->code);
		cr_assert(ne(ptr, (void *)c->fix, NULL), "%s", c->code);
		cr_expect(gt(sz, strlen(c->title), (size_t)0), "%s: empty title", c->code);
		cr_expect(le(sz, strlen(c->title), (size_t)70), "%s: title too long", c->code);
		cr_expect(eq(ptr, strchr(c->title, '\n'), NULL), "%s: title spans lines", c->code);
		cr_expect(gt(sz, strlen(c->explanation), (size_t)40), "%s: explanation too short", c->code);
		cr_expect(eq(ptr, strchr(c->explanation, '\n'), NULL), "%s: explanation has a newline",
			  c->code);
		cr_expect(eq(chr, c->explanation[strlen(c->explanation) - 1], '.'),
			  "%s: explanation is not a finished sentence", c->code);
		cr_expect(eq(ptr, strstr(c->explanation, "  "), NULL), "%s: double space", c->code);
		cr_expect(gt(sz, strlen(c->fix), (size_t)0), "%s: empty fix", c->code);
	}
}

Test(codes, fix_is_a_few_short_lines)
{
	for (size_t i = 0; i < code_table_count; i++) {
		const struct code_info *c = &code_table[i];
		size_t len = strlen(c->fix);
		cr_assert(gt(sz, len, (size_t)0), "%s", c->code);
		cr_expect(ne(chr, c->fix[len - 1], '\n'), "%s: trailing newline", c->code);
		int lines = 0;
		for (const char *p = c->fix; *p;) {
			size_t n = strcspn(p, "\n");
			lines++;
			cr_expect(gt(sz, n, (size_t)0), "%s: empty fix line", c->code);
			cr_expect(le(sz, n, (size_t)100), "%s: fix line %d too long", c->code, lines);
			cr_expect(ne(chr, p[n ? n - 1 : 0], ' '), "%s: trailing space", c->code);
			p += n;
			if (*p == '\n')
				p++;
		}
		cr_expect(le(int, lines, 6), "%s: fix has %d lines", c->code, lines);
	}
}

Test(codes, groups_are_known_and_contiguous)
{
	const size_t ngroups = sizeof groups / sizeof groups[0];
	size_t prev = 0;
	for (size_t i = 0; i < code_table_count; i++) {
		size_t g = ngroups;
		for (size_t k = 0; k < ngroups; k++)
			if (code_table[i].group && strcmp(code_table[i].group, groups[k]) == 0)
				g = k;
		cr_expect(lt(sz, g, ngroups), "%s: unknown group", code_table[i].code);
		/* section order: a group never comes back once the next one started */
		cr_expect(ge(sz, g, prev), "%s: group out of order", code_table[i].code);
		if (g < ngroups)
			prev = g;
	}
}

Test(codes, docs_are_https_and_null_terminated)
{
	for (size_t i = 0; i < code_table_count; i++) {
		const struct code_info *c = &code_table[i];
		int ended = 0;
		for (size_t d = 0; d < CODE_MAX_DOCS; d++) {
			if (!c->docs[d]) {
				ended = 1;
				continue;
			}
			cr_expect(not(ended), "%s: docs entry after a NULL", c->code);
			cr_expect(eq(int, strncmp(c->docs[d], "https://", 8), 0), "%s: \"%s\"", c->code,
				  c->docs[d]);
			cr_expect(gt(sz, strlen(c->docs[d]), (size_t)8), "%s", c->code);
			cr_expect(eq(ptr, strpbrk(c->docs[d], " \t\n\""), NULL), "%s: \"%s\"", c->code,
				  c->docs[d]);
			for (size_t e = 0; e < d; e++)
				cr_expect(ne(int, strcmp(c->docs[d], c->docs[e] ? c->docs[e] : ""), 0),
					  "%s: duplicate link", c->code);
		}
	}
}

Test(codes, needs_use_known_bits)
{
	for (size_t i = 0; i < code_table_count; i++)
		cr_expect(eq(uint, code_table[i].needs & ~(unsigned)ALL_NEEDS, 0u), "%s",
			  code_table[i].code);
}

Test(codes, find_is_case_insensitive)
{
	const struct code_info *upper = code_find("CPU-VT-DISABLED");
	cr_assert(ne(ptr, (void *)upper, NULL));
	cr_expect(eq(str, (char *)upper->code, "CPU-VT-DISABLED"));
	cr_expect(eq(ptr, (void *)code_find("cpu-vt-disabled"), (void *)upper));
	cr_expect(eq(ptr, (void *)code_find("Cpu-Vt-Disabled"), (void *)upper));
	for (size_t i = 0; i < code_table_count; i++)
		cr_expect(eq(ptr, (void *)code_find(code_table[i].code), (void *)&code_table[i]));
}

Test(codes, find_unknown_is_null)
{
	cr_expect(eq(ptr, (void *)code_find("NO-SUCH-CODE"), NULL));
	cr_expect(eq(ptr, (void *)code_find(""), NULL));
	cr_expect(eq(ptr, (void *)code_find("CPU-VT-DISABLE"), NULL));
	cr_expect(eq(ptr, (void *)code_find("CPU-VT-DISABLED "), NULL));
	cr_expect(eq(ptr, (void *)code_find(NULL), NULL));
}

Test(codes, need_names)
{
	cr_expect(eq(str, (char *)code_need_name(CODE_NEEDS_ROOT), "root"));
	cr_expect(eq(str, (char *)code_need_name(CODE_NEEDS_REBOOT), "reboot"));
	cr_expect(eq(str, (char *)code_need_name(CODE_NEEDS_RELOGIN), "relogin"));
	cr_expect(eq(str, (char *)code_need_name(CODE_NEEDS_FIRMWARE), "firmware"));
	cr_expect(eq(str, (char *)code_need_name(CODE_NEEDS_CONSOLE), "console"));
	cr_expect(eq(str, (char *)code_need_name(CODE_NEEDS_OUTER_HOST), "outer-host"));
	cr_expect(eq(ptr, (void *)code_need_name(0), NULL));
	cr_expect(eq(ptr, (void *)code_need_name(1u << 6), NULL));
	cr_expect(eq(ptr, (void *)code_need_name(CODE_NEEDS_ROOT | CODE_NEEDS_REBOOT), NULL));
}

Test(codes, firmware_modes_need_firmware)
{
	cr_expect(eq(uint, needs_of("CPU-VT-DISABLED") & CODE_NEEDS_FIRMWARE, CODE_NEEDS_FIRMWARE));
	cr_expect(eq(uint, needs_of("CPU-SVM-DISABLED") & CODE_NEEDS_FIRMWARE, CODE_NEEDS_FIRMWARE));
	/* the lock bit only clears on a power-up, so the fix text must say so */
	cr_expect(ne(ptr, strstr(code_find("CPU-VT-DISABLED")->fix, "fully off and on"), NULL));
	cr_expect(ne(ptr, strstr(code_find("CPU-SVM-DISABLED")->fix, "fully off and on"), NULL));
}

Test(codes, relogin_and_outer_host)
{
	cr_expect(eq(uint, needs_of("KVM-DEVNODE-PERM") & CODE_NEEDS_RELOGIN, CODE_NEEDS_RELOGIN));
	cr_expect(eq(uint, needs_of("LIBVIRT-POLKIT-DENIED") & CODE_NEEDS_RELOGIN, CODE_NEEDS_RELOGIN));
	cr_expect(eq(uint, needs_of("GUEST-NO-NESTED") & CODE_NEEDS_OUTER_HOST, CODE_NEEDS_OUTER_HOST));
	cr_expect(ne(ptr, strstr(code_find("GUEST-NO-NESTED")->fix, "outer host"), NULL));
}

Test(codes, mok_modes_need_the_console)
{
	static const char *const mok[] = {"SB-UNSIGNED-MODULE", "SB-MOK-NOT-ENROLLED", "VMW-SECUREBOOT",
					  "VBOX-SECUREBOOT"};
	for (size_t i = 0; i < sizeof mok / sizeof mok[0]; i++)
		cr_expect(eq(uint, needs_of(mok[i]) & (CODE_NEEDS_CONSOLE | CODE_NEEDS_REBOOT),
			     (unsigned)(CODE_NEEDS_CONSOLE | CODE_NEEDS_REBOOT)), "%s", mok[i]);
}
