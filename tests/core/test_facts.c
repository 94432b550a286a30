/* SPDX-License-Identifier: MIT */
/* Tests for core/facts.c: the parsers on good and hostile text, and facts_collect on snapshots and this host. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmdoctor/facts.h"
#include "vmdoctor/host.h"

#define BIG_LINE ((size_t)10 << 20)

/* Parse a string literal (or any NUL-terminated text) as /proc/cpuinfo. */
static struct facts_cpuinfo cpuinfo_of(const char *text)
{
	struct facts_cpuinfo ci;
	facts_parse_cpuinfo(text, strlen(text), &ci);
	return ci;
}

/* ---- /proc/cpuinfo ---- */

Test(facts_cpuinfo, intel_with_vmx)
{
	struct facts_cpuinfo ci = cpuinfo_of("processor\t: 0\n"
					     "vendor_id\t: GenuineIntel\n"
					     "flags\t\t: fpu vme de pse vmx est tm2 hypervisor\n"
					     "vmx flags\t: vnmi preemption_timer ept vpid\n"
					     "\n");
	cr_assert(eq(int, ci.err, 0));
	cr_assert(ci.vmx);
	cr_assert(not(ci.svm));
	cr_assert(ci.hypervisor);
	cr_assert(eq(u32, ci.flags_line, 3));
	cr_assert(not(ci.truncated));
}

Test(facts_cpuinfo, amd_with_svm)
{
	struct facts_cpuinfo ci = cpuinfo_of("processor\t: 0\n"
					     "vendor_id\t: AuthenticAMD\n"
					     "flags\t\t: fpu vme svm extapic cr8_legacy\n");
	cr_assert(eq(int, ci.err, 0));
	cr_assert(ci.svm);
	cr_assert(not(ci.vmx));
	cr_assert(not(ci.hypervisor));
}

Test(facts_cpuinfo, flags_only_on_second_cpu)
{
	struct facts_cpuinfo ci = cpuinfo_of("processor\t: 0\n"
					     "model name\t: flagless\n"
					     "\n"
					     "processor\t: 1\n"
					     "flags\t\t: fpu vmx\n");
	cr_assert(eq(int, ci.err, 0));
	cr_assert(ci.vmx);
	cr_assert(eq(u32, ci.flags_line, 5));
}

Test(facts_cpuinfo, union_over_cpus)
{
	struct facts_cpuinfo ci = cpuinfo_of("processor: 0\nflags: fpu\n\nprocessor: 1\nflags: fpu hypervisor\n");
	cr_assert(ci.hypervisor);
	cr_assert(eq(u32, ci.flags_line, 2));
}

Test(facts_cpuinfo, vmx_flags_line_is_not_vmx)
{
	struct facts_cpuinfo ci = cpuinfo_of("flags\t\t: fpu sse\n"
					     "vmx flags\t: vmx ept vpid unrestricted_guest\n");
	cr_assert(eq(int, ci.err, 0));
	cr_assert(not(ci.vmx));
	cr_assert(eq(u32, ci.flags_line, 1));
}

Test(facts_cpuinfo, only_vmx_flags_line_is_no_flags_line)
{
	struct facts_cpuinfo ci = cpuinfo_of("vmx flags\t: vmx ept\n");
	cr_assert(eq(int, ci.err, -EINVAL));
	cr_assert(eq(u32, ci.flags_line, 0));
}

Test(facts_cpuinfo, tokens_are_matched_exactly)
{
	struct facts_cpuinfo ci = cpuinfo_of("flags\t: vmxx xvmx svm_lock hypervisor2 vmx_ept\n");
	cr_assert(eq(int, ci.err, 0));
	cr_assert(not(ci.vmx));
	cr_assert(not(ci.svm));
	cr_assert(not(ci.hypervisor));
}

Test(facts_cpuinfo, truncated_mid_line)
{
	struct facts_cpuinfo cut = cpuinfo_of("processor: 0\nflags\t: fpu vm");
	cr_assert(eq(int, cut.err, 0));
	cr_assert(not(cut.vmx), "a cut \"vm\" is not \"vmx\"");

	struct facts_cpuinfo whole = cpuinfo_of("processor: 0\nflags\t: fpu vmx");
	cr_assert(whole.vmx, "the last token counts without a newline");

	struct facts_cpuinfo key_cut = cpuinfo_of("processor: 0\nfla");
	cr_assert(eq(int, key_cut.err, -EINVAL));
}

Test(facts_cpuinfo, binary_garbage)
{
	char junk[4096];
	unsigned seed = 12345;
	for (size_t i = 0; i < sizeof junk; i++) {
		seed = seed * 1103515245u + 12345u;
		junk[i] = (char)(seed >> 16);
		if (junk[i] == ':')
			junk[i] = '\0';  /* keeps every line keyless, so the result is certain */
	}
	struct facts_cpuinfo ci;
	facts_parse_cpuinfo(junk, sizeof junk, &ci);
	cr_assert(eq(int, ci.err, -EINVAL));
	cr_assert(not(ci.vmx));
	cr_assert(eq(str, ci.why, "/proc/cpuinfo: no flags line"));
}

Test(facts_cpuinfo, nul_bytes_do_not_end_the_text)
{
	static const char text[] = "junk\0\xff\x01 more\0\nflags\t: fpu \0 vmx\n";
	struct facts_cpuinfo ci;
	facts_parse_cpuinfo(text, sizeof text - 1, &ci);
	cr_assert(eq(int, ci.err, 0));
	cr_assert(eq(u32, ci.flags_line, 2));
	cr_assert(ci.vmx);
}

Test(facts_cpuinfo, len_is_respected)
{
	static const char text[] = "flags\t: fpu vmx\n";
	struct facts_cpuinfo ci;
	facts_parse_cpuinfo(text, 12, &ci);     /* "flags\t: fpu " */
	cr_assert(eq(int, ci.err, 0));
	cr_assert(not(ci.vmx));
}

Test(facts_cpuinfo, ten_megabyte_flags_line)
{
	static const char head[] = "processor\t: 0\nflags\t\t: ";
	size_t n = strlen(head) + BIG_LINE + 5;
	char *text = malloc(n + 1);
	cr_assert(text != NULL);
	strcpy(text, head);
	for (size_t i = strlen(head); i < strlen(head) + BIG_LINE; i += 4)
		memcpy(text + i, "abc ", 4);
	strcpy(text + strlen(head) + BIG_LINE, "vmx\n");
	struct facts_cpuinfo ci;
	facts_parse_cpuinfo(text, strlen(text), &ci);
	cr_assert(eq(int, ci.err, 0));
	cr_assert(ci.vmx);
	cr_assert(eq(u32, ci.flags_line, 2));
	free(text);
}

Test(facts_cpuinfo, empty)
{
	struct facts_cpuinfo ci = cpuinfo_of("");
	cr_assert(eq(int, ci.err, -EINVAL));
	cr_assert(eq(u32, ci.flags_line, 0));
	facts_parse_cpuinfo(NULL, 0, &ci);
	cr_assert(eq(int, ci.err, -EINVAL));
}

/* ---- CPUID ---- */

static uint32_t le32(const char *s)
{
	return (uint32_t)(unsigned char)s[0] | (uint32_t)(unsigned char)s[1] << 8 |
	       (uint32_t)(unsigned char)s[2] << 16 | (uint32_t)(unsigned char)s[3] << 24;
}

static void set_hv(struct host_cpuid *raw, const char sig[12])
{
	raw->has_hv_leaf = true;
	raw->hv_leaf[HOST_EBX] = le32(sig);
	raw->hv_leaf[HOST_ECX] = le32(sig + 4);
	raw->hv_leaf[HOST_EDX] = le32(sig + 8);
}

Test(facts_cpuid, intel_kvm_guest)
{
	struct host_cpuid raw = { 0 };
	strcpy(raw.vendor_str, "GenuineIntel");
	strcpy(raw.brand_str, "  Intel(R) Xeon(R) CPU  ");
	raw.basic[1][HOST_ECX] = (1u << 5) | (1u << 31);
	raw.ext[0][HOST_EAX] = 0x80000008;
	raw.ext[1][HOST_ECX] = 1u << 2;         /* reserved on Intel; decoded as-is */
	set_hv(&raw, "KVMKVMKVM\0\0\0");
	struct facts_cpu cpu;
	facts_decode_cpuid(&raw, &cpu);
	cr_assert(eq(int, cpu.err, 0));
	cr_assert(eq(int, cpu.vendor, FACTS_VENDOR_INTEL));
	cr_assert(eq(str, cpu.vendor_str, "GenuineIntel"));
	cr_assert(eq(str, cpu.brand, "Intel(R) Xeon(R) CPU"));
	cr_assert(cpu.vmx);
	cr_assert(cpu.hypervisor);
	cr_assert(cpu.has_hv_signature);
	cr_assert(eq(str, cpu.hv_signature, "KVMKVMKVM"));
	cr_assert(eq(u32, cpu.leaf1_ecx, (1u << 5) | (1u << 31)));
	cr_assert(eq(u32, cpu.ext1_ecx, 1u << 2));
}

Test(facts_cpuid, amd_svm_needs_the_ext_leaf)
{
	struct host_cpuid raw = { 0 };
	strcpy(raw.vendor_str, "AuthenticAMD");
	raw.ext[0][HOST_EAX] = 0x8000001f;
	raw.ext[1][HOST_ECX] = 1u << 2;
	struct facts_cpu cpu;
	facts_decode_cpuid(&raw, &cpu);
	cr_assert(eq(int, cpu.vendor, FACTS_VENDOR_AMD));
	cr_assert(cpu.svm);
	cr_assert(not(cpu.vmx));
	cr_assert(not(cpu.hypervisor));

	raw.ext[0][HOST_EAX] = 0x80000000;      /* leaf 0x80000001 does not exist */
	facts_decode_cpuid(&raw, &cpu);
	cr_assert(not(cpu.svm));
}

Test(facts_cpuid, vendors)
{
	struct host_cpuid raw = { 0 };
	struct facts_cpu cpu;
	strcpy(raw.vendor_str, "HygonGenuine");
	facts_decode_cpuid(&raw, &cpu);
	cr_assert(eq(int, cpu.vendor, FACTS_VENDOR_HYGON));
	strcpy(raw.vendor_str, "CentaurHauls");
	facts_decode_cpuid(&raw, &cpu);
	cr_assert(eq(int, cpu.vendor, FACTS_VENDOR_OTHER));
	cr_assert(eq(str, cpu.vendor_str, "CentaurHauls"));
}

Test(facts_cpuid, signature_made_printable)
{
	struct host_cpuid raw = { 0 };
	struct facts_cpu cpu;
	raw.basic[1][HOST_ECX] = 1u << 31;
	set_hv(&raw, "bhyve bhyve ");
	facts_decode_cpuid(&raw, &cpu);
	cr_assert(eq(str, cpu.hv_signature, "bhyve bhyve"));

	set_hv(&raw, " prl\x01hyperv\x1b");
	facts_decode_cpuid(&raw, &cpu);
	cr_assert(eq(str, cpu.hv_signature, " prl.hyperv."));

	set_hv(&raw, "\0VMwareVMwar");
	facts_decode_cpuid(&raw, &cpu);
	cr_assert(not(cpu.has_hv_signature), "a signature that starts with NUL is empty");
}

Test(facts_cpuid, signature_ignored_without_hypervisor_bit)
{
	struct host_cpuid raw = { 0 };
	struct facts_cpu cpu;
	set_hv(&raw, "GenuineIntel");
	facts_decode_cpuid(&raw, &cpu);
	cr_assert(not(cpu.has_hv_signature));
	cr_assert(eq(str, cpu.hv_signature, ""));
}

/* ---- kernel release ---- */

struct release_case {
	char text[64];
	int major, minor;
	char release[64];
};

ParameterizedTestParameters(facts_kernel, releases)
{
	static struct release_case cases[] = {
		{ "6.1.0-18-amd64", 6, 1, "6.1.0-18-amd64" },
		{ "4.15.0-213-generic\n", 4, 15, "4.15.0-213-generic" },
		{ "  5.10.0 \n", 5, 10, "5.10.0" },
		{ "6.8.0-rc1+", 6, 8, "6.8.0-rc1+" },
		{ "10.0", 10, 0, "10.0" },
		{ "3.10.0-1160.el7.x86_64\nsecond line", 3, 10, "3.10.0-1160.el7.x86_64" },
	};
	return cr_make_param_array(struct release_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct release_case *c, facts_kernel, releases)
{
	struct facts_kernel k;
	facts_parse_kernel_release(c->text, &k);
	cr_assert(eq(int, k.err, 0), "%s", c->text);
	cr_assert(eq(int, k.major, c->major));
	cr_assert(eq(int, k.minor, c->minor));
	cr_assert(eq(str, k.release, c->release));
}

struct garbage_case {
	char text[32];
};

ParameterizedTestParameters(facts_kernel, garbage)
{
	static struct garbage_case cases[] = {
		{ "" }, { "\n" }, { "abc" }, { "6" }, { "6." }, { ".1" }, { "6-1" }, { "v6.1" }, { "999999.1" },
		{ "\x01\x02\x03" },
	};
	return cr_make_param_array(struct garbage_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct garbage_case *c, facts_kernel, garbage)
{
	struct facts_kernel k;
	facts_parse_kernel_release(c->text, &k);
	cr_assert(eq(int, k.err, -EINVAL), "\"%s\"", c->text);
	cr_assert(eq(int, k.major, 0));
	cr_assert(eq(int, k.minor, 0));
	cr_assert(strstr(k.why, "/proc/sys/kernel/osrelease") != NULL);
}

Test(facts_kernel, release_is_bounded_and_printable)
{
	char text[400];
	memset(text, 'x', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	memcpy(text, "6.2.\x1b[31m", 9);
	struct facts_kernel k;
	facts_parse_kernel_release(text, &k);
	cr_assert(eq(int, k.err, 0));
	cr_assert(eq(sz, strlen(k.release), sizeof k.release - 1));
	cr_assert(strchr(k.release, '\x1b') == NULL);
	cr_assert(eq(int, k.major, 6));
	cr_assert(eq(int, k.minor, 2));
	facts_parse_kernel_release(NULL, &k);
	cr_assert(eq(int, k.err, -EINVAL));
}

Test(facts_kernel, at_least)
{
	struct facts f = { 0 };
	facts_parse_kernel_release("5.6.0", &f.kernel);
	cr_assert(facts_kernel_at_least(&f, 5, 6));
	cr_assert(facts_kernel_at_least(&f, 4, 20));
	cr_assert(not(facts_kernel_at_least(&f, 5, 7)));
	cr_assert(not(facts_kernel_at_least(&f, 6, 0)));
	facts_parse_kernel_release("garbage", &f.kernel);
	cr_assert(not(facts_kernel_at_least(&f, 0, 0)), "unknown is never \"at least\"");
}

/* ---- /proc/cmdline ---- */

Test(facts_cmdline, words)
{
	struct facts f = { 0 };
	char text[] = "BOOT_IMAGE=/vmlinuz-6.1 root=UUID=1 ro clearcpuid=vmx,514 quiet\tsplash";
	f.cmdline.text = text;
	cr_assert(facts_cmdline_has(&f, "clearcpuid"));
	cr_assert(facts_cmdline_has(&f, "quiet"));
	cr_assert(facts_cmdline_has(&f, "splash"));
	cr_assert(facts_cmdline_has(&f, "root"));
	cr_assert(not(facts_cmdline_has(&f, "clear")));
	cr_assert(not(facts_cmdline_has(&f, "cpuid")));
	cr_assert(not(facts_cmdline_has(&f, "UUID")));
	cr_assert(not(facts_cmdline_has(&f, "vmx")));

	char bare[] = "noclearcpuid clearcpuid";
	f.cmdline.text = bare;
	cr_assert(facts_cmdline_has(&f, "clearcpuid"));
	char prefixed[] = "noclearcpuid clearcpuidx=1";
	f.cmdline.text = prefixed;
	cr_assert(not(facts_cmdline_has(&f, "clearcpuid")));

	f.cmdline.err = -EACCES;
	f.cmdline.text = NULL;
	cr_assert(not(facts_cmdline_has(&f, "clearcpuid")));
}

/* ---- /proc/modules ---- */

static const char proc_modules[] =
	"kvm_intel 413696 0 - Live 0xffffffffc0a2f000\n"
	"kvm 1146880 1 kvm_intel, Live 0xffffffffc08f2000\n"
	"irqbypass 16384 1 kvm, Live 0x0000000000000000\n"
	"vboxdrv 696320 - - Live 0x0000000000000000 (OE)\n";

Test(facts_modules, normal)
{
	struct facts f = { 0 };
	cr_assert(eq(int, facts_parse_modules(proc_modules, strlen(proc_modules), &f.modules), 0));
	cr_assert(eq(int, f.modules.err, 0));
	cr_assert(f.modules.proc_modules_read);
	cr_assert(eq(sz, f.modules.count, 4));

	const struct facts_module *m = facts_module_find(&f, "kvm");
	cr_assert(m != NULL);
	cr_assert(eq(long, m->refcount, 1));
	cr_assert(eq(u32, m->line, 2));
	cr_assert(m->in_proc_modules);
	cr_assert(not(m->in_sys_module));

	m = facts_module_find(&f, "kvm-intel");
	cr_assert(m != NULL, "'-' and '_' are the same in module names");
	cr_assert(eq(str, (char *)m->name, "kvm_intel"));
	cr_assert(eq(long, m->refcount, 0));
	cr_assert(eq(u32, m->line, 1));

	cr_assert(facts_module_find(&f, "kvm_amd") == NULL);
	cr_assert(facts_module_find(&f, "") == NULL);
	facts_free(&f);
}

Test(facts_modules, refcount_dash_is_unknown)
{
	struct facts f = { 0 };
	facts_parse_modules(proc_modules, strlen(proc_modules), &f.modules);
	const struct facts_module *m = facts_module_find(&f, "vboxdrv");
	cr_assert(m != NULL);
	cr_assert(eq(long, m->refcount, -1));
	cr_assert(eq(u32, m->line, 4));
	facts_free(&f);
}

Test(facts_modules, overlong_name_skipped)
{
	char text[512];
	char name[65];
	memset(name, 'a', 64);
	name[64] = '\0';
	snprintf(text, sizeof text, "%s 16384 0 - Live 0x0\nkvm 1146880 0 - Live 0x0\n", name);
	struct facts f = { 0 };
	cr_assert(eq(int, facts_parse_modules(text, strlen(text), &f.modules), 0));
	cr_assert(eq(sz, f.modules.count, 1));
	cr_assert(eq(str, f.modules.items[0].name, "kvm"));
	cr_assert(eq(u32, f.modules.items[0].line, 2));

	facts_free(&f);
	name[63] = '\0';                        /* 63 characters still fit */
	snprintf(text, sizeof text, "%s 16384 0 - Live 0x0\n", name);
	cr_assert(eq(int, facts_parse_modules(text, strlen(text), &f.modules), 0));
	cr_assert(eq(sz, f.modules.count, 1));
	cr_assert(eq(sz, strlen(f.modules.items[0].name), 63));
	facts_free(&f);
}

Test(facts_modules, garbage)
{
	static const char junk[] = "\x01\x02\xff\0garbage here\nname notanumber 0\n\xc3\xa9t\xc3\xa9 12 0\n";
	struct facts_modules mods;
	cr_assert(eq(int, facts_parse_modules(junk, sizeof junk - 1, &mods), -EINVAL));
	cr_assert(eq(int, mods.err, -EINVAL));
	cr_assert(eq(sz, mods.count, 0));
	cr_assert(strstr(mods.why, "/proc/modules") != NULL);
	free(mods.items);
}

Test(facts_modules, empty_is_no_modules_loaded)
{
	struct facts_modules mods;
	cr_assert(eq(int, facts_parse_modules("", 0, &mods), 0));
	cr_assert(eq(sz, mods.count, 0));
	cr_assert(mods.proc_modules_read);
	free(mods.items);
}

Test(facts_modules, duplicate_keeps_first_line)
{
	static const char text[] = "kvm 1 0 - Live 0x0\nbad line\nkvm 1 7 - Live 0x0\n";
	struct facts f = { 0 };
	cr_assert(eq(int, facts_parse_modules(text, strlen(text), &f.modules), 0));
	cr_assert(eq(sz, f.modules.count, 1));
	cr_assert(eq(u32, facts_module_find(&f, "kvm")->line, 1));
	cr_assert(eq(long, facts_module_find(&f, "kvm")->refcount, 0));
	facts_free(&f);
}

/* ---- kernel log ---- */

Test(facts_klog, timestamps_stripped)
{
	static const char text[] = "[    0.000000] Linux version 6.1.0-18-amd64\n"
				   "[    1.234567] kvm: disabled by bios\n"
				   "no timestamp here\n"
				   "\n"
				   "[   12.500000] \n"
				   "[drm] not a timestamp\n"
				   "[12345.678901]no space after it\n";
	struct facts_klog log;
	cr_assert(eq(int, facts_parse_klog(text, strlen(text), &log), 0));
	cr_assert(eq(sz, log.count, 5));
	cr_assert(eq(str, log.lines[0].text, "Linux version 6.1.0-18-amd64"));
	cr_assert(eq(u32, log.lines[0].lineno, 1));
	cr_assert(eq(str, log.lines[1].text, "kvm: disabled by bios"));
	cr_assert(eq(u32, log.lines[1].lineno, 2));
	cr_assert(eq(str, log.lines[2].text, "no timestamp here"));
	cr_assert(eq(u32, log.lines[2].lineno, 3));
	cr_assert(eq(str, log.lines[3].text, "[drm] not a timestamp"));
	cr_assert(eq(u32, log.lines[3].lineno, 6), "empty lines are skipped but still counted");
	cr_assert(eq(str, log.lines[4].text, "no space after it"));
	struct facts f = { .klog = log };
	facts_free(&f);
}

Test(facts_klog, crlf_and_controls)
{
	static const char text[] = "[    0.100000] first\r\nsecond\r\n\x1b[31mred\x07\r\n";
	struct facts_klog log;
	facts_parse_klog(text, strlen(text), &log);
	cr_assert(eq(sz, log.count, 3));
	cr_assert(eq(str, log.lines[0].text, "first"));
	cr_assert(eq(str, log.lines[1].text, "second"));
	cr_assert(eq(str, log.lines[2].text, "?[31mred?"), "escape sequences cannot reach a terminal");
	struct facts f = { .klog = log };
	facts_free(&f);
}

Test(facts_klog, ten_megabyte_line_truncated_not_dropped)
{
	static const char head[] = "[    5.000000] ";
	size_t n = strlen(head) + BIG_LINE;
	char *text = malloc(n + 32);
	cr_assert(text != NULL);
	memcpy(text, head, strlen(head));
	memset(text + strlen(head), 'x', BIG_LINE);
	strcpy(text + n, "\nnext line\n");
	struct facts_klog log;
	facts_parse_klog(text, strlen(text), &log);
	cr_assert(eq(sz, log.count, 2));
	cr_assert(eq(sz, strlen(log.lines[0].text), 4096));
	cr_assert(eq(int, log.lines[0].text[0], 'x'));
	cr_assert(eq(str, log.lines[1].text, "next line"));
	cr_assert(eq(u32, log.lines[1].lineno, 2));
	free(text);
	struct facts f = { .klog = log };
	facts_free(&f);
}

Test(facts_klog, truncation_keeps_whole_utf8_characters)
{
	size_t n = 4095 + 2 + 10;
	char *text = malloc(n + 1);
	memset(text, 'a', 4095);
	memcpy(text + 4095, "\xc3\xa9", 2);     /* "é" straddles byte 4096 */
	memset(text + 4097, 'b', 10);
	text[n] = '\0';
	struct facts_klog log;
	facts_parse_klog(text, n, &log);
	cr_assert(eq(sz, log.count, 1));
	cr_assert(eq(sz, strlen(log.lines[0].text), 4095));
	free(text);
	struct facts f = { .klog = log };
	facts_free(&f);
}

Test(facts_klog, line_count_capped)
{
	size_t lines = 200005;
	char *text = malloc(lines * 2 + 1);
	for (size_t i = 0; i < lines; i++)
		memcpy(text + 2 * i, "a\n", 2);
	text[lines * 2] = '\0';
	struct facts_klog log;
	facts_parse_klog(text, lines * 2, &log);
	cr_assert(eq(sz, log.count, 200000));
	cr_assert(eq(u32, log.lines[199999].lineno, 200000));
	free(text);
	struct facts f = { .klog = log };
	facts_free(&f);
}

Test(facts_klog, nul_bytes_and_empty)
{
	static const char text[] = "[    1.000000] a\0b\n";
	struct facts_klog log;
	facts_parse_klog(text, sizeof text - 1, &log);
	cr_assert(eq(sz, log.count, 1));
	cr_assert(eq(str, log.lines[0].text, "a?b"));
	struct facts f = { .klog = log };
	facts_free(&f);

	facts_parse_klog("", 0, &log);
	cr_assert(eq(sz, log.count, 0));
	cr_assert(eq(int, log.err, 0));
}

/* ---- /etc/group ---- */

static struct host_user user_named(const char *name, gid_t gid, bool gid_known)
{
	struct host_user u = { .gid = gid, .gid_known = gid_known };
	snprintf(u.name, sizeof u.name, "%s", name);
	return u;
}

static const char etc_group[] = "root:x:0:\n"
				"kvm:x:992:bob,alice\n"
				"libvirt:x:990:bob , alice \n"
				"alice:x:1000:\n"
				"docker:x:999:alicex,xalice\n"
				"broken\n"
				"short:x:5\n"
				"::1000:alice\n"
				"# comment:x:1:alice\n"
				"odd:x:notanumber:carol\n"
				"users:x:100:alice,extra:junk\n"
				"staff:x:50:bob:alice\n";

Test(facts_group, members_and_primary_gid)
{
	struct host_user u = user_named("alice", 1000, true);
	struct host_names g;
	cr_assert(eq(int, facts_parse_group_file(etc_group, strlen(etc_group), &u, &g), 0));
	cr_assert(eq(sz, g.count, 4));
	cr_assert(eq(str, g.items[0], "alice"));
	cr_assert(eq(str, g.items[1], "kvm"));
	cr_assert(eq(str, g.items[2], "libvirt"));
	cr_assert(eq(str, g.items[3], "users"));
	cr_assert(not(host_names_contains(&g, "docker")), "no substring matches");
	cr_assert(not(host_names_contains(&g, "staff")), "\"bob:alice\" is one member, as glibc reads it");
	host_names_free(&g);
}

Test(facts_group, primary_gid_unknown)
{
	struct host_user u = user_named("alice", 1000, false);
	struct host_names g;
	facts_parse_group_file(etc_group, strlen(etc_group), &u, &g);
	cr_assert(not(host_names_contains(&g, "alice")), "gid 1000 is not used when unknown");
	cr_assert(host_names_contains(&g, "kvm"));
	host_names_free(&g);

	u = user_named("carol", 0, false);
	facts_parse_group_file(etc_group, strlen(etc_group), &u, &g);
	cr_assert(host_names_contains(&g, "odd"), "a bad gid does not hide the member list");
	host_names_free(&g);
}

Test(facts_group, user_not_present)
{
	struct host_user u = user_named("mallory", 4242, true);
	struct host_names g;
	cr_assert(eq(int, facts_parse_group_file(etc_group, strlen(etc_group), &u, &g), 0));
	cr_assert(eq(sz, g.count, 0));
	host_names_free(&g);
}

Test(facts_group, huge_line_and_garbage)
{
	static const char head[] = "big:x:5000:";
	size_t n = strlen(head) + BIG_LINE + 32;
	char *text = malloc(n);
	strcpy(text, head);
	char *p = text + strlen(head);
	for (size_t i = 0; i < BIG_LINE; i += 2) {
		p[i] = 'u';
		p[i + 1] = ',';
	}
	static const char tail[] = "alice\n\x01\x02\0:::\nkvm:x:1:alice";
	memcpy(p + BIG_LINE, tail, sizeof tail - 1);
	struct host_user u = user_named("alice", 0, false);
	struct host_names g;
	facts_parse_group_file(text, strlen(head) + BIG_LINE + sizeof tail - 1, &u, &g);
	cr_assert(host_names_contains(&g, "big"));
	cr_assert(host_names_contains(&g, "kvm"), "parsing goes on after NUL bytes");
	cr_assert(eq(sz, g.count, 2));
	host_names_free(&g);
	free(text);
}

/* ---- facts_free ---- */

Test(facts_free, zeroed_and_twice)
{
	struct facts f = { 0 };
	facts_free(&f);
	facts_free(&f);
	facts_free(NULL);
}

/* ---- facts_collect on snapshots written at test time ---- */

static char snap_dir[64];

/* Write `text` to snap_dir/rel, creating the directories on the way. */
static void put(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", snap_dir, rel);
	for (char *s = path + strlen(snap_dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	FILE *f = fopen(path, "w");
	cr_assert(f != NULL, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void put_dir(const char *rel)
{
	char keep[512];
	snprintf(keep, sizeof keep, "%s/.keep", rel);
	put(keep, "");
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", snap_dir, keep);
	unlink(path);
}

static void make_snapshot_dir(void)
{
	snprintf(snap_dir, sizeof snap_dir, "/tmp/vmdoctor-facts-XXXXXX");
	cr_assert(mkdtemp(snap_dir) != NULL);
	put("snapshot.json", "{\"format\": \"vmdoctor-snapshot\", \"version\": 1, \"created\": \"2024-05-01T10:00:00Z\",\n"
			     " \"source\": \"fixture\", \"tool\": \"vmdoctor test\",\n"
			     " \"user\": {\"name\": \"alice\", \"uid\": 1000, \"groups\": [\"alice\", \"kvm\"]}}\n");
}

static void remove_snapshot_dir(void)
{
	char cmd[128];
	if (snap_dir[0] && strncmp(snap_dir, "/tmp/vmdoctor-facts-", 20) == 0) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", snap_dir);
		cr_assert(eq(int, system(cmd), 0));
	}
}

static void write_full_snapshot(void)
{
	put("fs/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vmx hypervisor\n\n");
	put("fs/proc/sys/kernel/osrelease", "6.1.0-18-amd64\n");
	put("fs/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 clearcpuid=vmx quiet\n");
	put("fs/proc/modules", "kvm_intel 413696 0 - Live 0x0\nkvm 1146880 1 kvm_intel, Live 0x0\n");
	put("fs/sys/module/kvm_intel/parameters/nested", "Y\n");
	put_dir("fs/sys/module/kvm/parameters");
	put_dir("fs/sys/module/tun");
	put("fs/etc/group", "root:x:0:\nkvm:x:992:alice\nalice:x:1000:\nlibvirt:x:990:bob\n");
	put("fs/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\n");
	put("fs/etc/modprobe.d/blacklist-kvm.conf", "# left over from VirtualBox\n"
						    "blacklist kvm_intel # for vbox\n"
						    "options kvm_amd nested=0\n"
						    "blacklist nouveau\n"
						    "blacklist kvmfoo\n");
	put("fs/usr/lib/modprobe.d/blacklist-kvm.conf", "blacklist kvm\n");
	put("fs/usr/lib/modprobe.d/kvm.conf", "\n  install   kvm /bin/false  \n");
	put("fs/lib/modprobe.d/kvm.conf", "blacklist kvm_amd\n");
	put("fs/lib/modprobe.d/kvm.txt", "blacklist kvm_amd\n");
	put("fs/lib/modprobe.d/zz.conf", "options kvm-intel nested=1\n");
	put("fs/boot/config-6.1.0-18-amd64", "CONFIG_KVM=m\nCONFIG_KVM_INTEL=m\n# CONFIG_KVM_AMD is not set\n");
	put("fs/sys/class/dmi/id/sys_vendor", "QEMU\n");
	put("fs/sys/class/dmi/id/product_name", "Standard PC (Q35 + ICH9, 2009)\n");
	put("fs/sys/firmware/acpi/tables/DMAR", "");
	put_dir("fs/sys/kernel/iommu_groups/0");
	put_dir("fs/sys/kernel/iommu_groups/1");
	put("devices.txt", "/dev/kvm c 10:232 0660 root kvm\n/dev/net/tun c 10:200 0666 root root\n");
	put("dmesg.txt", "[    0.000000] Linux version 6.1.0-18-amd64\n[    0.010000] Hypervisor detected: KVM\n");
	/* Intel, VMX and hypervisor bits, KVM signature. */
	put("cpuid.txt", "basic_cpuid[0]=0000000d 756e6547 6c65746e 49656e69\n"
			 "basic_cpuid[1]=000306a9 00100800 80000020 bfebfbff\n"
			 "ext_cpuid[0]=80000008 00000000 00000000 00000000\n"
			 "hv_cpuid[0]=40000001 4b4d564b 564b4d56 0000004d\n");
	put("msr.txt", "0 0x3a 0x5\n");

	struct host_kvm_probe probe = { .open_err = 0, .api_version = 12, .create_vm_err = 0 };
	strcpy(probe.as_user, "alice");
	char text[512];
	cr_assert(host_kvm_probe_format(&probe, text, sizeof text) > 0);
	put("commands/kvm-probe.txt", text);
}

static void collect_snapshot(struct facts *f)
{
	struct host *host = NULL;
	int err = host_open_snapshot(snap_dir, &host);
	cr_assert(eq(int, err, 0), "%s", host_open_error());
	cr_assert(eq(int, facts_collect(host, f), 0));
	host_close(host);
}

Test(facts_collect, snapshot_end_to_end, .init = make_snapshot_dir, .fini = remove_snapshot_dir)
{
	write_full_snapshot();
	struct facts f;
	collect_snapshot(&f);

	cr_assert(f.from_snapshot);

	cr_assert(eq(int, f.cpu.err, 0), "%s", f.cpu.why);
	cr_assert(eq(int, f.cpu.vendor, FACTS_VENDOR_INTEL));
	cr_assert(f.cpu.vmx);
	cr_assert(f.cpu.hypervisor);
	cr_assert(not(f.cpu.svm));
	cr_assert(eq(str, f.cpu.hv_signature, "KVMKVMKVM"));

	cr_assert(eq(int, f.cpuinfo.err, 0), "%s", f.cpuinfo.why);
	cr_assert(f.cpuinfo.vmx && f.cpuinfo.hypervisor);
	cr_assert(eq(u32, f.cpuinfo.flags_line, 3));

	cr_assert(eq(int, f.kernel.err, 0));
	cr_assert(eq(str, f.kernel.release, "6.1.0-18-amd64"));
	cr_assert(eq(int, f.kernel.major, 6));

	cr_assert(eq(int, f.cmdline.err, 0));
	cr_assert(eq(str, f.cmdline.text, "BOOT_IMAGE=/vmlinuz root=/dev/sda1 clearcpuid=vmx quiet"));
	cr_assert(facts_cmdline_has(&f, "clearcpuid"));

	cr_assert(eq(int, f.modules.err, 0));
	cr_assert(f.modules.proc_modules_read);
	const struct facts_module *m = facts_module_find(&f, "kvm_intel");
	cr_assert(m && m->in_proc_modules && m->in_sys_module);
	m = facts_module_find(&f, "kvm");
	cr_assert(m && m->in_proc_modules && m->in_sys_module && m->refcount == 1);
	m = facts_module_find(&f, "tun");
	cr_assert(m != NULL, "built-in modules come from /sys/module");
	cr_assert(not(m->in_proc_modules));
	cr_assert(m->in_sys_module);
	cr_assert(eq(u32, m->line, 0));
	cr_assert(eq(sz, f.modules.count, 3));

	struct facts_param *p = &f.params[FACTS_PARAM_KVM_INTEL_NESTED];
	cr_assert(eq(int, p->err, 0));
	cr_assert(eq(str, p->value, "Y"));
	cr_assert(eq(str, p->path, "/sys/module/kvm_intel/parameters/nested"));
	cr_assert(eq(int, f.params[FACTS_PARAM_KVM_AMD_NESTED].err, -ENOENT));
	cr_assert(eq(str, f.params[FACTS_PARAM_KVM_ENABLE_VIRT_AT_LOAD].path,
		     "/sys/module/kvm/parameters/enable_virt_at_load"));
	cr_assert(eq(int, f.params[FACTS_PARAM_KVM_ENABLE_VIRT_AT_LOAD].err, -ENOENT));

	struct facts_device *d = &f.devices[FACTS_DEV_KVM];
	cr_assert(eq(int, d->err, 0));
	cr_assert(eq(str, (char *)d->path, "/dev/kvm"));
	cr_assert(eq(u32, d->node.major, 10));
	cr_assert(eq(u32, d->node.minor, 232));
	cr_assert(eq(u32, d->node.mode, 0660));
	cr_assert(eq(str, d->node.group, "kvm"));
	cr_assert(eq(int, f.devices[FACTS_DEV_TUN].err, 0));
	cr_assert(eq(int, f.devices[FACTS_DEV_VMMON].err, -ENOENT));
	cr_assert(eq(str, (char *)f.devices[FACTS_DEV_VBOXDRV].path, "/dev/vboxdrv"));

	cr_assert(eq(int, f.user.err, 0), "%s", f.user.why);
	cr_assert(eq(str, f.user.user.name, "alice"));
	cr_assert(f.user.user.gid_known, "learnt from /etc/passwd");
	cr_assert(eq(u32, (unsigned)f.user.user.gid, 1000));
	cr_assert(eq(int, f.user.group_file_err, 0));
	cr_assert(eq(sz, f.user.etc_groups.count, 2));
	cr_assert(host_names_contains(&f.user.etc_groups, "kvm"));
	cr_assert(host_names_contains(&f.user.etc_groups, "alice"));

	cr_assert(eq(int, f.dmi.err, 0));
	cr_assert(eq(str, f.dmi.sys_vendor, "QEMU"));
	cr_assert(eq(str, f.dmi.product_name, "Standard PC (Q35 + ICH9, 2009)"));

	cr_assert(eq(int, f.klog.err, 0));
	cr_assert(eq(sz, f.klog.count, 2));
	cr_assert(eq(str, f.klog.lines[1].text, "Hypervisor detected: KVM"));

	cr_assert(eq(int, f.msr.err, 0));
	cr_assert(eq(u32, f.msr.index, 0x3a));
	cr_assert(eq(u64, f.msr.value, 5));

	cr_assert(eq(int, f.kvm.err, 0), "%s", f.kvm.why);
	cr_assert(eq(int, f.kvm.probe.api_version, 12));
	cr_assert(eq(int, f.kvm.probe.create_vm_err, 0));

	/* /etc wins over /usr/lib, /usr/lib over /lib, by file name; only KVM modules are kept. */
	cr_assert(eq(int, f.modprobe.err, 0));
	cr_assert(eq(sz, f.modprobe.count, 4));
	cr_assert(eq(str, f.modprobe.lines[0].file, "/etc/modprobe.d/blacklist-kvm.conf"));
	cr_assert(eq(str, f.modprobe.lines[0].text, "blacklist kvm_intel"));
	cr_assert(eq(u32, f.modprobe.lines[0].line, 2));
	cr_assert(eq(str, f.modprobe.lines[1].text, "options kvm_amd nested=0"));
	cr_assert(eq(str, f.modprobe.lines[2].file, "/usr/lib/modprobe.d/kvm.conf"));
	cr_assert(eq(str, f.modprobe.lines[2].text, "install   kvm /bin/false"));
	cr_assert(eq(u32, f.modprobe.lines[2].line, 2));
	cr_assert(eq(str, f.modprobe.lines[3].file, "/lib/modprobe.d/zz.conf"));
	cr_assert(eq(str, f.modprobe.lines[3].text, "options kvm-intel nested=1"));

	cr_assert(eq(int, f.kconfig.err, 0));
	cr_assert(eq(str, f.kconfig.path, "/boot/config-6.1.0-18-amd64"));
	cr_assert(eq(str, f.kconfig.kvm_intel, "m"));
	cr_assert(eq(str, f.kconfig.kvm_amd, "n"));

	cr_assert(f.iommu.dmar);
	cr_assert(not(f.iommu.ivrs));
	cr_assert(eq(int, f.iommu.groups_err, 0));
	cr_assert(eq(sz, f.iommu.groups, 2));

	facts_free(&f);
	facts_free(&f);
}

Test(facts_collect, snapshot_unreadable_cpuinfo, .init = make_snapshot_dir, .fini = remove_snapshot_dir)
{
	put("fs/proc/sys/kernel/osrelease", "5.15.0-91-generic\n");
	put("fs-errors.txt", "/proc/cpuinfo EACCES\n");
	struct facts f;
	collect_snapshot(&f);

	cr_assert(eq(int, f.cpuinfo.err, -EACCES));
	cr_assert(eq(str, f.cpuinfo.why, "/proc/cpuinfo: Permission denied"));
	cr_assert(eq(int, f.kernel.err, 0));
	cr_assert(eq(int, f.kernel.minor, 15));
	facts_free(&f);
}

Test(facts_collect, snapshot_with_nothing_collected, .init = make_snapshot_dir, .fini = remove_snapshot_dir)
{
	put("fs/etc/hostname", "h\n");
	struct facts f;
	collect_snapshot(&f);

	cr_assert(eq(int, f.cpu.err, -ENODATA));
	cr_assert(eq(str, f.cpu.why, "cpuid.txt: not collected in this snapshot"));
	cr_assert(eq(int, f.cpuinfo.err, -ENOENT));
	cr_assert(eq(str, f.cpuinfo.why, "/proc/cpuinfo: No such file or directory"));
	cr_assert(eq(int, f.kernel.err, -ENOENT));
	cr_assert(strstr(f.kernel.why, "/proc/sys/kernel/osrelease") != NULL);
	cr_assert(eq(int, f.modules.err, -ENOENT));
	cr_assert(not(f.modules.proc_modules_read));
	cr_assert(strstr(f.modules.why, "/proc/modules") != NULL);
	cr_assert(eq(int, f.klog.err, -ENODATA));
	cr_assert(eq(str, f.klog.why, "kernel log: not collected"));
	cr_assert(eq(int, f.devices[FACTS_DEV_KVM].err, -ENODATA));
	cr_assert(eq(int, f.msr.err, -ENOENT), "no vendor, no MSR to read");
	cr_assert(eq(u32, f.msr.index, 0));
	cr_assert(ne(int, f.kvm.err, 0));
	cr_assert(strstr(f.kvm.why, "kvm-probe") != NULL);
	cr_assert(ne(int, f.kconfig.err, 0));
	cr_assert(eq(str, f.kconfig.kvm_intel, ""));
	cr_assert(eq(int, f.dmi.err, -ENOENT));
	cr_assert(eq(int, f.user.err, 0));
	cr_assert(eq(int, f.user.group_file_err, -ENOENT));
	cr_assert(eq(int, f.modprobe.err, -ENOENT));
	cr_assert(ne(int, f.iommu.groups_err, 0));
	facts_free(&f);
}

/* Kernels built without module support have no /proc/modules: /sys/module still lists the built-ins. */
Test(facts_collect, snapshot_without_proc_modules, .init = make_snapshot_dir, .fini = remove_snapshot_dir)
{
	put_dir("fs/sys/module/kvm");
	put_dir("fs/sys/module/kvm_amd/parameters");
	put("fs/sys/module/kvm_amd/parameters/nested", "0\n");
	struct facts f;
	collect_snapshot(&f);
	cr_assert(eq(int, f.modules.err, 0));
	cr_assert(not(f.modules.proc_modules_read));
	cr_assert(eq(sz, f.modules.count, 2));
	const struct facts_module *m = facts_module_find(&f, "kvm_amd");
	cr_assert(m && m->in_sys_module && !m->in_proc_modules && m->refcount == -1);
	cr_assert(eq(str, f.params[FACTS_PARAM_KVM_AMD_NESTED].value, "0"));
	facts_free(&f);
}

/* A config cut at the read limit: "is not set" is still "n", but a symbol not seen yet is unknown. */
Test(facts_collect, snapshot_kconfig_truncated, .init = make_snapshot_dir, .fini = remove_snapshot_dir)
{
	put("fs/proc/sys/kernel/osrelease", "6.1.0\n");
	size_t pad = (size_t)5 << 20;
	char *text = malloc(pad + 64);
	strcpy(text, "# CONFIG_KVM_AMD is not set\n");
	size_t at = strlen(text);
	for (size_t i = 0; i < pad; i += 16)
		memcpy(text + at + i, "CONFIG_PAD_XX=y\n", 16);
	strcpy(text + at + pad, "CONFIG_KVM_INTEL=y\n");
	put("fs/boot/config-6.1.0", text);
	free(text);
	struct facts f;
	collect_snapshot(&f);
	cr_assert(eq(int, f.kconfig.err, 0));
	cr_assert(eq(str, f.kconfig.kvm_amd, "n"));
	cr_assert(eq(str, f.kconfig.kvm_intel, ""), "past the limit: unknown, not \"n\"");
	facts_free(&f);
}

/* A /proc/cpuinfo past 4 MiB is read in part, and says so. */
Test(facts_collect, snapshot_cpuinfo_truncated, .init = make_snapshot_dir, .fini = remove_snapshot_dir)
{
	size_t pad = (size_t)5 << 20;
	char *text = malloc(pad + 64);
	strcpy(text, "processor\t: 0\nflags\t\t: fpu vmx\n");
	size_t at = strlen(text);
	for (size_t i = 0; i < pad; i += 16)
		memcpy(text + at + i, "bogomips: 4000\n\n", 16);
	text[at + pad] = '\0';
	put("fs/proc/cpuinfo", text);
	free(text);
	struct facts f;
	collect_snapshot(&f);
	cr_assert(eq(int, f.cpuinfo.err, 0));
	cr_assert(f.cpuinfo.vmx);
	cr_assert(f.cpuinfo.truncated);
	facts_free(&f);

	put("fs/proc/cpuinfo", "flags: fpu\n");
	collect_snapshot(&f);
	cr_assert(not(f.cpuinfo.truncated));
	facts_free(&f);
}

/* ---- live host (this machine: a KVM guest with /dev/kvm) ---- */

Test(facts_live, collect_this_host)
{
	struct host *host = NULL;
	cr_assert(eq(int, host_open_live(&host), 0), "%s", host_open_error());
	struct facts f;
	cr_assert(eq(int, facts_collect(host, &f), 0));
	host_close(host);

	cr_assert(not(f.from_snapshot));
	cr_assert(eq(int, f.kernel.err, 0), "%s", f.kernel.why);
	cr_assert(ne(sz, strlen(f.kernel.release), 0));
	cr_assert(f.kernel.major >= 3);
	cr_assert(eq(int, f.cpu.err, 0), "%s", f.cpu.why);
	cr_assert(ne(sz, strlen(f.cpu.vendor_str), 0));
	cr_assert(eq(int, f.cpuinfo.err, 0), "%s", f.cpuinfo.why);
	facts_free(&f);
}

Test(parse_cgroups, v1_lists_only_enabled_controllers)
{
	const char text[] = "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
			    "cpuset\t3\t1\t1\ncpu\t1\t1\t1\nmemory\t4\t21\t0\n"
			    "garbage line\n\x01\x02\n"
			    "blkio\t7\t1\t1\n";
	struct host_names names;
	cr_assert(eq(int, facts_parse_cgroups_v1(text, sizeof text - 1, &names), 0));
	cr_assert(eq(sz, names.count, 3));
	cr_expect(host_names_contains(&names, "cpu"));
	cr_expect(host_names_contains(&names, "blkio"));
	cr_expect(not(host_names_contains(&names, "memory")), "memory is disabled (enabled = 0)");
	host_names_free(&names);
}

Test(parse_cpuinfo, vendor_id_is_kept_for_when_cpuid_is_missing)
{
	const char text[] = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu svm\n"
			    "processor\t: 1\nvendor_id\t: GenuineIntel\nflags\t\t: fpu\n";
	struct facts_cpuinfo ci;
	facts_parse_cpuinfo(text, sizeof text - 1, &ci);
	cr_assert(eq(str, ci.vendor_id, "AuthenticAMD"), "the first CPU's vendor");
	cr_assert(eq(int, (int)facts_vendor_from_string(ci.vendor_id), (int)FACTS_VENDOR_AMD));
	cr_assert(eq(int, (int)facts_vendor_from_string("CyrixInstead"), (int)FACTS_VENDOR_OTHER));
}

/* The shared module-file search (core/facts_ko.c): every folder the products and DKMS use, compressed suffixes,
 * nothing that merely starts with a module's name, and one search feeding VMware, VirtualBox and Secure Boot. */
Test(facts_ko, finds_each_copy_once_for_every_family, .init = make_snapshot_dir, .fini = remove_snapshot_dir)
{
	put("fs/proc/sys/kernel/osrelease", "6.8.0-31-generic\n");
	put("fs/lib/modules/6.8.0-31-generic/misc/vmmon.ko", "");
	put("fs/lib/modules/6.8.0-31-generic/updates/dkms/vmmon.ko.zst", "");
	put("fs/lib/modules/6.8.0-31-generic/extra/VirtualBox/vboxdrv.ko.xz", "");
	put("fs/lib/modules/6.8.0-31-generic/misc/vmmon.ko.bak", "");
	put("fs/lib/modules/6.8.0-31-generic/misc/vmmonitor.ko", "");
	put("fs/etc/vmware/config", "product.version = \"17.5.1\"\n");
	put("fs/usr/lib/virtualbox/VBoxSVC", "");
	struct facts f;
	collect_snapshot(&f);

	cr_assert(eq(int, f.ko.dir_err, 0));
	cr_assert(eq(str, f.ko.dir, "/lib/modules/6.8.0-31-generic"));
	cr_assert(not(f.ko.headers));
	cr_assert(eq(sz, f.ko.count, 3));
	bool vmmon_found = facts_ko_find(&f, "vmmon") != NULL;
	cr_assert(vmmon_found);
	cr_assert(eq(str, (char *)facts_ko_find(&f, "vmmon")->path, "/lib/modules/6.8.0-31-generic/misc/vmmon.ko"));
	cr_assert(eq(sz, facts_vmware_ko_count(&f.vmware, FACTS_VMW_VMMON), 2));
	cr_assert(eq(sz, facts_vbox_ko_count(&f.vbox, FACTS_VBOX_VBOXDRV), 1));
	bool sb_found = false;
	for (size_t i = 0; i < f.secureboot.n_modules; i++)
		if (strcmp(f.secureboot.modules[i].name, "vboxdrv") == 0)
			sb_found = f.secureboot.modules[i].ko_present &&
				   strcmp(f.secureboot.modules[i].ko_path,
					  "/lib/modules/6.8.0-31-generic/extra/VirtualBox/vboxdrv.ko.xz") == 0;
	cr_assert(sb_found);
	facts_free(&f);
}

Test(facts_ko, a_release_that_is_not_one_folder_is_not_searched, .init = make_snapshot_dir,
     .fini = remove_snapshot_dir)
{
	put("fs/proc/sys/kernel/osrelease", "../../etc\n");
	struct facts f;
	collect_snapshot(&f);
	cr_assert(eq(int, f.ko.dir_err, -ENODATA));
	cr_assert(eq(sz, f.ko.count, 0));
	facts_free(&f);
}

/* ---- facts_collect_ex: the per-area progress the wizard's collecting screen shows ---- */

struct progress_log {
	int events[2 * FACTS_AREA_COUNT + 2];
	int n;
};

static void log_progress(void *ctx, enum facts_area area, bool done)
{
	struct progress_log *log = ctx;
	if (log->n < (int)(sizeof log->events / sizeof log->events[0]))
		log->events[log->n++] = (int)area * 2 + (done ? 1 : 0);
}

Test(facts_collect, progress_reports_each_area_started_then_done_in_order, .init = make_snapshot_dir,
     .fini = remove_snapshot_dir)
{
	write_full_snapshot();
	struct host *host = NULL;
	cr_assert(eq(int, host_open_snapshot(snap_dir, &host), 0), "%s", host_open_error());
	struct facts f;
	struct progress_log log = { .n = 0 };
	cr_assert(eq(int, facts_collect_ex(host, &f, log_progress, &log), 0));
	host_close(host);
	cr_assert(eq(int, log.n, 2 * FACTS_AREA_COUNT));
	for (int i = 0; i < log.n; i++)
		cr_expect(eq(int, log.events[i], i), "event %d: area %d %s", i, log.events[i] / 2,
			  log.events[i] % 2 ? "done" : "started");
	cr_expect(eq(int, f.cpu.err, 0), "%s", f.cpu.why);      /* the same facts as facts_collect() */
	cr_expect(eq(str, (char *)facts_area_name(FACTS_AREA_LIBVIRT), "libvirt"));
	cr_expect(eq(str, (char *)facts_area_name(FACTS_AREA_COUNT), "?"));
	facts_free(&f);
}
