/* SPDX-License-Identifier: MIT */
/* Facts about Secure Boot, lockdown, module signing and DKMS/kernel headers. */
#include "vmdoctor/facts_secureboot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vmdoctor/facts.h"
#include "vmdoctor/text.h"
#include "vmdoctor/xalloc.h"

/* EFI_GLOBAL_VARIABLE: the real GUID (knowledge base 0.1), never the ...-e08c7e8d71c0 one in the wild. */
#define EFI_GLOBAL_GUID "8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define SHIM_LOCK_GUID "605dab50-e046-4300-abb6-3dd810dd8b23"
#define EFIVARS "/sys/firmware/efi/efivars/"

#define EFIVAR_MAX 64                   /* SecureBoot is 5 bytes; anything bigger is still only peeked at */
#define SMALL_MAX 4096
#define MODINFO_TIMEOUT_MS 3000
#define MOKUTIL_TIMEOUT_MS 5000
#define DKMS_TIMEOUT_MS 10000
#define MAKELOG_MAX ((size_t)4 << 20)
#define PRODUCT_LOG_MAX ((size_t)8 << 20)
#define SB_LINES_MAX 64                 /* a log that refuses more modules than this repeats itself */
#define DKMS_ENTRIES_MAX 256
#define DKMS_MODULES_MAX 64
#define KERNELS_MAX 64
#define DKMS_VERSIONS_MAX 16

/* ---- small text helpers ---- */

/* Copy at most n bytes of s, stopping at a newline, with control characters made visible. */
static void copy_line(char *dst, size_t cap, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && i + 1 < cap && s[i] != '\n' && s[i] != '\0') {
		unsigned char c = (unsigned char)s[i];
		dst[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
		i++;
	}
	while (i > 0 && dst[i - 1] == ' ')
		i--;
	dst[i] = '\0';
}

static const char *skip_blanks(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/* Iterate over the lines of a bounded buffer. */
struct sb_lines {
	const char *p, *end;
	unsigned lineno;
};

static bool sb_next_line(struct sb_lines *it, const char **line, size_t *n)
{
	if (it->p >= it->end)
		return false;
	const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	size_t len = nl ? (size_t)(nl - it->p) : (size_t)(it->end - it->p);
	*line = it->p;
	*n = len > 0 && it->p[len - 1] == '\r' ? len - 1 : len;
	it->p += nl ? len + 1 : len;
	it->lineno++;
	return true;
}

static bool span_has(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(s + i, needle, k) == 0)
			return true;
	return false;
}

/* A module name as the kernel prints it: letters, digits, '_' and '-'. */
static bool module_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static void copy_module_name(char *dst, size_t cap, const char *s, size_t n)
{
	size_t i = 0;
	for (; i < n && i + 1 < cap && module_char(s[i]); i++)
		dst[i] = s[i] == '-' ? '_' : s[i];
	dst[i] = '\0';
}

/* ---- EFI variables and lockdown ---- */

void facts_sb_parse_efivar(const char *data, size_t len, struct facts_sb_efivar *out)
{
	/* The attributes alone, or less, carry no value: mokutil would refuse it too. */
	if (len <= 4) {
		out->err = -EINVAL;
		out->value = -1;
		return;
	}
	out->err = 0;
	out->value = (unsigned char)data[4];
}

static void read_efivar(struct host *host, const char *path, struct facts_sb_efivar *out)
{
	struct host_buf buf;
	int err = host_read_file(host, path, EFIVAR_MAX, &buf);
	if (err < 0) {
		out->err = err;
		out->value = -1;
		return;
	}
	facts_sb_parse_efivar(buf.data, buf.len, out);
	host_buf_free(&buf);
}

static const struct {
	const char *name;
	enum facts_lockdown level;
} lockdown_table[] = {
	{ "none", FACTS_LOCKDOWN_NONE },
	{ "integrity", FACTS_LOCKDOWN_INTEGRITY },
	{ "confidentiality", FACTS_LOCKDOWN_CONFIDENTIALITY },
};

enum facts_lockdown facts_sb_parse_lockdown(const char *text, size_t len)
{
	const char *open = memchr(text, '[', len);
	if (!open)
		return FACTS_LOCKDOWN_UNKNOWN;
	size_t rest = len - (size_t)(open - text) - 1;
	const char *close = memchr(open + 1, ']', rest);
	if (!close)
		return FACTS_LOCKDOWN_UNKNOWN;
	size_t n = (size_t)(close - open - 1);
	for (size_t i = 0; i < sizeof lockdown_table / sizeof lockdown_table[0]; i++)
		if (n == strlen(lockdown_table[i].name) && memcmp(open + 1, lockdown_table[i].name, n) == 0)
			return lockdown_table[i].level;
	return FACTS_LOCKDOWN_UNKNOWN;
}

static void collect_lockdown(struct host *host, struct facts_secureboot *sb)
{
	struct host_buf buf;
	sb->lockdown_err = host_read_file(host, "/sys/kernel/security/lockdown", SMALL_MAX, &buf);
	if (sb->lockdown_err < 0)
		return;
	sb->lockdown = facts_sb_parse_lockdown(buf.data, buf.len);
	if (sb->lockdown == FACTS_LOCKDOWN_UNKNOWN)
		sb->lockdown_err = -EINVAL;
	host_buf_free(&buf);
}

/* ---- kernel log ---- */

static const struct {
	const char *needle;
	enum facts_sb_line_kind kind;
} sb_line_table[] = {
	{ "unsigned module loading is restricted", FACTS_SB_LINE_LOCKDOWN },
	{ "Loading of unsigned module is rejected", FACTS_SB_LINE_UNSIGNED },
	{ "Loading of module with unavailable key is rejected", FACTS_SB_LINE_UNAVAILABLE_KEY },
	{ "Loading of module with unsupported crypto is rejected", FACTS_SB_LINE_UNSUPPORTED },
	{ "Key was rejected by service", FACTS_SB_LINE_KEY_REJECTED },
	{ "Required key not available", FACTS_SB_LINE_NO_KEY },
	{ "module verification failed: signature and/or required key missing", FACTS_SB_LINE_TAINT },
};

/* "could not insert 'vboxdrv': ..." names the module in quotes; "vboxdrv: module verification ..." before ':'. */
static void line_module(const char *text, enum facts_sb_line_kind kind, char *module, size_t cap)
{
	module[0] = '\0';
	const char *q = strstr(text, "insert '");
	if (q) {
		q += strlen("insert '");
		const char *e = strchr(q, '\'');
		if (e)
			copy_module_name(module, cap, q, (size_t)(e - q));
		return;
	}
	if (kind == FACTS_SB_LINE_TAINT) {
		const char *colon = strchr(text, ':');
		if (colon && colon > text)
			copy_module_name(module, cap, text, (size_t)(colon - text));
	}
}

bool facts_sb_parse_klog_line(const char *text, struct facts_sb_line *out)
{
	for (size_t i = 0; i < sizeof sb_line_table / sizeof sb_line_table[0]; i++) {
		if (!strstr(text, sb_line_table[i].needle))
			continue;
		memset(out, 0, sizeof *out);
		out->kind = sb_line_table[i].kind;
		copy_line(out->text, sizeof out->text, text, strlen(text));
		line_module(text, out->kind, out->module, sizeof out->module);
		return true;
	}
	return false;
}

static void collect_klog_lines(const struct facts_klog *klog, struct facts_secureboot *sb)
{
	if (klog->err)
		return;
	for (size_t i = 0; i < klog->count; i++) {
		const char *t = klog->lines[i].text;
		if (strstr(t, "secureboot: Secure boot enabled") || strstr(t, "secureboot: Secure boot disabled")) {
			sb->klog_sb_line = klog->lines[i].lineno;
			sb->klog_sb_enabled = strstr(t, "enabled") != NULL;
			continue;
		}
		/* Mainline says "EFI Secure Boot mode", Ubuntu 4.15 "EFI secure boot", Debian adds its wiki URL. */
		if (strcasestr(t, "Kernel is locked down from EFI")) {
			sb->klog_lockdown_line = klog->lines[i].lineno;
			copy_line(sb->klog_lockdown_text, sizeof sb->klog_lockdown_text, t, strlen(t));
			continue;
		}
		struct facts_sb_line line;
		if (sb->n_lines == SB_LINES_MAX || !facts_sb_parse_klog_line(t, &line))
			continue;
		line.lineno = klog->lines[i].lineno;
		sb->lines = xrealloc(sb->lines, (sb->n_lines + 1) * sizeof *sb->lines);
		sb->lines[sb->n_lines++] = line;
	}
}

/* ---- Secure Boot mode ---- */

static void decide_mode(struct facts_secureboot *sb)
{
	if (!sb->efi) {
		sb->mode = FACTS_SB_LEGACY_BIOS;
		sb->mode_source = "/sys/firmware/efi";
		return;
	}
	if (sb->secureboot.err == 0) {
		sb->mode_source = EFIVARS "SecureBoot-" EFI_GLOBAL_GUID;
		if (sb->secureboot.value != 1)
			sb->mode = FACTS_SB_OFF;
		else if (sb->setup_mode.err == 0 && sb->setup_mode.value == 1)
			sb->mode = FACTS_SB_SETUP_MODE;
		else
			sb->mode = FACTS_SB_ON;
		return;
	}
	if (sb->secureboot.err == -ENOENT && sb->efivars && sb->klog_sb_line == 0) {
		/* UEFI firmware without the variable has no Secure Boot at all. */
		sb->mode = FACTS_SB_OFF;
		sb->mode_source = EFIVARS "SecureBoot-" EFI_GLOBAL_GUID;
		return;
	}
	if (sb->klog_sb_line) {
		sb->mode = sb->klog_sb_enabled ? FACTS_SB_ON : FACTS_SB_OFF;
		sb->mode_source = "dmesg";
		return;
	}
	sb->mode = FACTS_SB_UNKNOWN;
	sb->err = sb->secureboot.err;
	if (!sb->efivars)
		snprintf(sb->why, sizeof sb->why, "%s: efivarfs is not mounted", EFIVARS);
	else
		snprintf(sb->why, sizeof sb->why, "%s: %s", EFIVARS "SecureBoot-" EFI_GLOBAL_GUID,
			 sb->secureboot.err == -EINVAL ? "4 bytes or fewer, no value" : strerror(-sb->secureboot.err));
}

static void collect_efi(struct host *host, struct facts_secureboot *sb)
{
	sb->efi = host_exists(host, "/sys/firmware/efi");
	sb->secureboot.value = sb->setup_mode.value = -1;
	sb->secureboot.err = sb->setup_mode.err = -ENOENT;
	if (!sb->efi)
		return;
	/* Without efivarfs an absent variable says nothing (mokutil: "EFI variables are not supported"). */
	sb->efivars = host_exists(host, "/sys/firmware/efi/efivars");
	read_efivar(host, EFIVARS "SecureBoot-" EFI_GLOBAL_GUID, &sb->secureboot);
	read_efivar(host, EFIVARS "SetupMode-" EFI_GLOBAL_GUID, &sb->setup_mode);
	sb->shim_validation_off = host_exists(host, EFIVARS "MokSBStateRT-" SHIM_LOCK_GUID);
}

/* ---- modules of interest ---- */

static const char *const sb_module_names[] = { "vboxdrv", "vmmon", "vmnet" };
_Static_assert(sizeof sb_module_names / sizeof sb_module_names[0] ==
		       sizeof ((struct facts_secureboot *)0)->modules / sizeof ((struct facts_secureboot *)0)->modules[0],
	       "one slot per module of interest");


int facts_sb_parse_modinfo(const char *text, size_t len, char *signer, size_t cap)
{
	struct sb_lines it = { text, text + len, 0 };
	const char *line;
	size_t n;
	bool modinfo = false;
	signer[0] = '\0';
	while (sb_next_line(&it, &line, &n)) {
		if (n >= 9 && memcmp(line, "filename:", 9) == 0)
			modinfo = true;
		if (n >= 7 && memcmp(line, "signer:", 7) == 0) {
			const char *v = skip_blanks(line + 7, line + n);
			copy_line(signer, cap, v, (size_t)(line + n - v));
			modinfo = true;
		}
	}
	return modinfo ? 0 : -EINVAL;
}

static void collect_signer(struct host *host, struct facts_sb_module *m)
{
	char name[32];
	snprintf(name, sizeof name, "modinfo-%s", m->name);
	const char *const argv[] = { "/sbin/modinfo", m->name, NULL };
	struct host_cmd_result res = { 0 };
	int err = host_run(host, name, argv, MODINFO_TIMEOUT_MS, &res);
	if (err == 0 && res.exit_code != 0)
		err = -ENOENT;
	if (err == 0)
		err = facts_sb_parse_modinfo(res.output.data, res.output.len, m->signer, sizeof m->signer);
	m->signer_err = err;
	host_cmd_result_free(&res);
}

static void collect_modules(struct host *host, const struct facts *facts, struct facts_secureboot *sb)
{
	for (size_t i = 0; i < sizeof sb_module_names / sizeof sb_module_names[0]; i++) {
		struct facts_sb_module *m = &sb->modules[sb->n_modules++];
		m->name = sb_module_names[i];
		m->loaded = facts_module_find(facts, m->name) != NULL;
		m->signer_err = -ENOENT;
		const struct facts_ko *ko = facts_ko_find(facts, m->name);      /* core/facts_ko.c */
		if (ko) {
			m->ko_present = true;
			text_copy(m->ko_path, sizeof m->ko_path, ko->path, strlen(ko->path));
		}
		if (m->ko_present)
			collect_signer(host, m);
	}
}

/* ---- MOK enrolment ---- */

static const char *const mok_keys[] = { "/var/lib/dkms/mok.pub", "/var/lib/shim-signed/mok/MOK.der" };

static void mok_test_key(struct host *host, struct facts_sb_mok *mok)
{
	const char *const argv[] = { "/usr/bin/mokutil", "--test-key", mok->key_path, NULL };
	struct host_cmd_result res = { 0 };
	mok->test_err = host_run(host, "mokutil-test-key", argv, MOKUTIL_TIMEOUT_MS, &res);
	if (mok->test_err == 0) {
		struct sb_lines it = { res.output.data, res.output.data + res.output.len, 0 };
		const char *line;
		size_t n;
		/* mokutil exits non-zero for "not enrolled", so the words decide, not the exit code. */
		while (sb_next_line(&it, &line, &n)) {
			enum facts_sb_mok_state st = span_has(line, n, "enrollment request") ? FACTS_MOK_PENDING
						     : span_has(line, n, "is already enrolled") ? FACTS_MOK_ENROLLED
						     : span_has(line, n, "is not enrolled")     ? FACTS_MOK_NOT_ENROLLED
											: FACTS_MOK_UNKNOWN;
			if (st == FACTS_MOK_UNKNOWN)
				continue;
			mok->state = st;
			copy_line(mok->test_text, sizeof mok->test_text, line, n);
			break;
		}
	}
	host_cmd_result_free(&res);
}

static void mok_list_new(struct host *host, struct facts_sb_mok *mok)
{
	const char *const argv[] = { "/usr/bin/mokutil", "--list-new", NULL };
	struct host_cmd_result res = { 0 };
	mok->list_new_err = host_run(host, "mokutil-list-new", argv, MOKUTIL_TIMEOUT_MS, &res);
	if (mok->list_new_err == 0) {
		struct sb_lines it = { res.output.data, res.output.data + res.output.len, 0 };
		const char *line;
		size_t n;
		/* "[key 1]" heads each pending key; "MokNew is empty" means none. */
		while (sb_next_line(&it, &line, &n)) {
			if (n >= 5 && memcmp(line, "[key ", 5) == 0)
				mok->pending = true;
			if (mok->pending && span_has(line, n, "Subject:")) {
				const char *v = skip_blanks(line, line + n);
				copy_line(mok->pending_text, sizeof mok->pending_text, v, (size_t)(line + n - v));
				break;
			}
		}
		if (mok->pending && !mok->pending_text[0])
			snprintf(mok->pending_text, sizeof mok->pending_text, "a key is waiting for enrolment");
	}
	host_cmd_result_free(&res);
}

static void collect_mok(struct host *host, struct facts_sb_mok *mok)
{
	mok->test_err = mok->list_new_err = -ENOENT;
	for (size_t i = 0; i < sizeof mok_keys / sizeof mok_keys[0] && !mok->key_path; i++)
		if (host_exists(host, mok_keys[i]))
			mok->key_path = mok_keys[i];
	if (mok->key_path)
		mok_test_key(host, mok);
	mok_list_new(host, mok);
	if (mok->pending && mok->state != FACTS_MOK_ENROLLED)
		mok->state = FACTS_MOK_PENDING;
}

/* ---- kernels and headers ---- */

static bool is_digit_char(char c)
{
	return c >= '0' && c <= '9';
}

int facts_dkms_kernel_cmp(const char *a, const char *b)
{
	/* Numeric runs compare as numbers ("9" < "18"), everything else byte by byte. */
	while (*a && *b) {
		if (is_digit_char(*a) && is_digit_char(*b)) {
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			size_t na = 0, nb = 0;
			while (is_digit_char(a[na]))
				na++;
			while (is_digit_char(b[nb]))
				nb++;
			if (na != nb)
				return na < nb ? -1 : 1;
			int c = memcmp(a, b, na);
			if (c)
				return c;
			a += na;
			b += nb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static bool headers_of(struct host *host, const char *release)
{
	char path[256];
	int w = snprintf(path, sizeof path, "/lib/modules/%s/build/Makefile", release);
	return w > 0 && (size_t)w < sizeof path && host_exists(host, path);
}

static void collect_kernels(struct host *host, const struct facts *facts, struct facts_dkms *dk)
{
	struct host_names all = { 0 };
	dk->kernels_err = host_list_dir(host, "/lib/modules", &all);
	for (size_t i = 0; dk->kernels_err == 0 && i < all.count && dk->kernels.count < KERNELS_MAX; i++) {
		char path[256];
		const char *k = all.items[i];
		/* Left-over directories of removed kernels (only updates/dkms inside) are not installed kernels. */
		int w = snprintf(path, sizeof path, "/lib/modules/%s/modules.dep", k);
		if (!is_digit_char(k[0]) || w < 0 || (size_t)w >= sizeof path || !host_exists(host, path))
			continue;
		dk->kernels.items = xrealloc(dk->kernels.items, (dk->kernels.count + 1) * sizeof *dk->kernels.items);
		dk->kernels.items[dk->kernels.count++] = xstrdup(k);
		if (strlen(k) < sizeof dk->newest && (!dk->newest[0] || facts_dkms_kernel_cmp(k, dk->newest) > 0))
			memcpy(dk->newest, k, strlen(k) + 1);
	}
	if (dk->newest[0])
		dk->newest_headers = headers_of(host, dk->newest);
	if (facts->kernel.err == 0 && facts->kernel.release[0]) {
		const char *rel = facts->kernel.release;
		char dir[256], build[256];
		snprintf(dir, sizeof dir, "/lib/modules/%s", rel);
		snprintf(build, sizeof build, "/lib/modules/%s/build", rel);
		struct host_names entries = { 0 };
		dk->running_dir = host_list_dir(host, dir, &entries) == 0;
		dk->running_headers = headers_of(host, rel);
		/* Listed but not reachable: a symbolic link whose headers package is gone. */
		dk->build_present = host_exists(host, build);
		dk->build_link_dangles = !dk->running_headers && host_names_contains(&entries, "build") &&
					 !dk->build_present;
		host_names_free(&entries);
	}
	host_names_free(&all);
}

/* ---- dkms status ---- */

static void copy_field(char *dst, size_t cap, const char *s, size_t n)
{
	const char *end = s + n;
	s = skip_blanks(s, end);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	copy_line(dst, cap, s, (size_t)(end - s));
}

bool facts_dkms_parse_status_line(const char *line, size_t n, struct facts_dkms_entry *out)
{
	memset(out, 0, sizeof *out);
	/* The state follows the last ": " ("... x86_64: installed (Original modules exist)"). */
	const char *sep = NULL;
	for (size_t i = 0; i + 1 < n; i++)
		if (line[i] == ':' && line[i + 1] == ' ')
			sep = line + i;
	if (!sep || sep == line)
		return false;
	const char *st = sep + 2, *end = line + n;
	const char *paren = memchr(st, '(', (size_t)(end - st));
	copy_field(out->state, sizeof out->state, st, (size_t)((paren ? paren : end) - st));
	if (!out->state[0])
		return false;

	const char *fields[4] = { 0 };
	size_t lens[4] = { 0 }, nf = 0;
	const char *p = line;
	while (p < sep && nf < 4) {
		const char *comma = memchr(p, ',', (size_t)(sep - p));
		const char *fe = comma ? comma : sep;
		fields[nf] = p;
		lens[nf++] = (size_t)(fe - p);
		p = comma ? comma + 1 : sep;
	}
	size_t k = 0;
	if (nf == 0)
		return false;
	const char *slash = memchr(fields[0], '/', lens[0]);
	if (slash) {
		/* DKMS 3: "module/version, kernel, arch" */
		copy_field(out->module, sizeof out->module, fields[0], (size_t)(slash - fields[0]));
		copy_field(out->version, sizeof out->version, slash + 1, lens[0] - (size_t)(slash + 1 - fields[0]));
		k = 1;
	} else if (nf >= 2) {
		/* DKMS 2: "module, version, kernel, arch" */
		copy_field(out->module, sizeof out->module, fields[0], lens[0]);
		copy_field(out->version, sizeof out->version, fields[1], lens[1]);
		k = 2;
	} else {
		return false;
	}
	if (k < nf)
		copy_field(out->kernel, sizeof out->kernel, fields[k], lens[k]);
	if (!out->module[0] || strchr(out->module, ' '))
		return false;
	return true;
}

static void collect_dkms_status(struct host *host, struct facts_dkms *dk)
{
	const char *const argv[] = { "/usr/sbin/dkms", "status", NULL };
	struct host_cmd_result res = { 0 };
	dk->status_err = host_run(host, "dkms-status", argv, DKMS_TIMEOUT_MS, &res);
	if (dk->status_err == 0) {
		struct sb_lines it = { res.output.data, res.output.data + res.output.len, 0 };
		const char *line;
		size_t n;
		while (sb_next_line(&it, &line, &n) && dk->count < DKMS_ENTRIES_MAX) {
			struct facts_dkms_entry e;
			if (!facts_dkms_parse_status_line(line, n, &e))
				continue;
			e.line = it.lineno + 1;   /* line 1 of commands/dkms-status.txt is the "$ argv" header */
			dk->entries = xrealloc(dk->entries, (dk->count + 1) * sizeof *dk->entries);
			dk->entries[dk->count++] = e;
		}
	}
	host_cmd_result_free(&res);
}

/* ---- DKMS trees and make.log ---- */

/* Compiler diagnostics name the cause; make's "*** ... Error N" lines only say that it stopped. */
static bool compiler_error_line(const char *line, size_t n)
{
	return span_has(line, n, "error:") || span_has(line, n, "Error:");
}

static bool make_stop_line(const char *line, size_t n)
{
	return span_has(line, n, "*** ") && span_has(line, n, "Error ");
}

static void build_keep(struct facts_dkms_build *b, unsigned lineno, const char *line, size_t n)
{
	b->error_line[b->n_errors] = lineno;
	copy_line(b->error_text[b->n_errors], sizeof b->error_text[b->n_errors], line, n);
	b->n_errors++;
}

static void scan_make_log(struct host *host, const char *module, const char *version, struct facts_dkms *dk)
{
	struct facts_dkms_build b = { 0 };
	int w = snprintf(b.log_path, sizeof b.log_path, "/var/lib/dkms/%s/%s/build/make.log", module, version);
	if (w < 0 || (size_t)w >= sizeof b.log_path)
		return;
	struct host_buf buf;
	if (host_read_file(host, b.log_path, MAKELOG_MAX, &buf) < 0)
		return;
	struct sb_lines it = { buf.data, buf.data + buf.len, 0 };
	const char *line, *stop = NULL;
	size_t n, stop_n = 0;
	unsigned stop_line = 0;
	/* The first compiler errors (later ones are often consequences), then make's last word. */
	while (sb_next_line(&it, &line, &n)) {
		if (compiler_error_line(line, n) && b.n_errors < FACTS_DKMS_ERRLINES - 1) {
			build_keep(&b, it.lineno, line, n);
		} else if (make_stop_line(line, n)) {
			stop = line;
			stop_n = n;
			stop_line = it.lineno;
		}
	}
	if (stop)
		build_keep(&b, stop_line, stop, stop_n);
	host_buf_free(&buf);
	if (b.n_errors == 0)
		return;
	copy_line(b.module, sizeof b.module, module, strlen(module));
	copy_line(b.version, sizeof b.version, version, strlen(version));
	dk->builds = xrealloc(dk->builds, (dk->n_builds + 1) * sizeof *dk->builds);
	dk->builds[dk->n_builds++] = b;
}

/* Directories other than a kernel-* link or the source link are versions. */
static bool dkms_version_name(const char *name)
{
	return strncmp(name, "kernel-", 7) != 0 && strcmp(name, "source") != 0 && strcmp(name, "original_module") != 0;
}

static void collect_dkms_tree(struct host *host, struct facts_dkms *dk)
{
	struct host_names top = { 0 };
	if (host_list_dir(host, "/var/lib/dkms", &top) < 0)
		return;
	for (size_t i = 0; i < top.count && dk->modules.count < DKMS_MODULES_MAX; i++) {
		char dir[256];
		struct host_names versions = { 0 };
		snprintf(dir, sizeof dir, "/var/lib/dkms/%s", top.items[i]);
		/* Files such as mok.key, mok.pub and dkms_dbversion are not modules. */
		if (host_list_dir(host, dir, &versions) < 0)
			continue;
		dk->modules.items = xrealloc(dk->modules.items, (dk->modules.count + 1) * sizeof *dk->modules.items);
		dk->modules.items[dk->modules.count++] = xstrdup(top.items[i]);
		for (size_t v = 0; v < versions.count && v < DKMS_VERSIONS_MAX; v++)
			if (dkms_version_name(versions.items[v]))
				scan_make_log(host, top.items[i], versions.items[v], dk);
		host_names_free(&versions);
	}
	host_names_free(&top);
}

/* ---- DKMS lines in package and product logs ---- */

static const char *const dkms_logs[] = { "/var/log/apt/term.log", "/var/log/vbox-setup.log",
					 "/var/log/vbox-install.log", "/var/log/dnf.log" };

static void keep_logline(struct facts_dkms_logline *l, const char *file, unsigned lineno, const char *s, size_t n)
{
	l->found = true;
	copy_line(l->file, sizeof l->file, file, strlen(file));
	l->line = lineno;
	copy_line(l->text, sizeof l->text, s, n);
}

static void collect_dkms_logs(struct host *host, struct facts_dkms *dk)
{
	for (size_t i = 0; i < sizeof dkms_logs / sizeof dkms_logs[0]; i++) {
		struct host_buf buf;
		if (host_read_file(host, dkms_logs[i], PRODUCT_LOG_MAX, &buf) < 0)
			continue;
		struct sb_lines it = { buf.data, buf.data + buf.len, 0 };
		const char *line;
		size_t n;
		/* The last occurrence is the most recent attempt. */
		while (sb_next_line(&it, &line, &n)) {
			if (span_has(line, n, "Your kernel headers for kernel") && span_has(line, n, "cannot be found"))
				keep_logline(&dk->headers_line, dkms_logs[i], it.lineno, line, n);
			else if (span_has(line, n, "Bad return status for module build on kernel"))
				keep_logline(&dk->build_line, dkms_logs[i], it.lineno, line, n);
		}
		host_buf_free(&buf);
	}
}

/* /etc/os-release ID, or the first ID_LIKE word the action table knows. */
static void collect_distro(struct host *host, struct facts_dkms *dk)
{
	struct host_buf buf;
	if (host_read_file(host, "/etc/os-release", SMALL_MAX, &buf) < 0)
		return;
	struct sb_lines it = { buf.data, buf.data + buf.len, 0 };
	const char *line;
	size_t n;
	while (sb_next_line(&it, &line, &n)) {
		if (n < 4 || memcmp(line, "ID=", 3) != 0)
			continue;
		const char *v = line + 3, *end = line + n;
		if (v < end && (*v == '"' || *v == '\''))
			v++;
		size_t len = 0;
		while (v + len < end && module_char(v[len]))
			len++;
		copy_line(dk->distro, sizeof dk->distro, v, len);
	}
	host_buf_free(&buf);
}

static void collect_dkms(struct host *host, const struct facts *facts, struct facts_dkms *dk)
{
	dk->vmware = host_exists(host, "/etc/vmware/config");
	dk->virtualbox = host_exists(host, "/usr/lib/virtualbox");
	collect_kernels(host, facts, dk);
	collect_dkms_tree(host, dk);
	dk->status_err = -ENOENT;
	if (dk->modules.count)
		collect_dkms_status(host, dk);
	collect_dkms_logs(host, dk);
	collect_distro(host, dk);
}

/* ---- the whole ---- */

void facts_collect_secureboot(struct host *host, struct facts *facts)
{
	struct facts_secureboot *sb = &facts->secureboot;
	memset(sb, 0, sizeof *sb);
	collect_efi(host, sb);
	collect_lockdown(host, sb);
	collect_klog_lines(&facts->klog, sb);
	sb->sig_enforce = facts->cmdline.text && (strstr(facts->cmdline.text, "module.sig_enforce=1") ||
						  strstr(facts->cmdline.text, "module.sig_enforce=y") ||
						  strstr(facts->cmdline.text, "module.sig_enforce=Y"));
	decide_mode(sb);
	collect_modules(host, facts, sb);
	/* MOKs live in EFI variables: a legacy BIOS boot has none to ask about. */
	sb->mok.test_err = sb->mok.list_new_err = -ENOENT;
	if (sb->efi)
		collect_mok(host, &sb->mok);
	collect_dkms(host, facts, &sb->dkms);
}

void facts_free_secureboot(struct facts *facts)
{
	struct facts_secureboot *sb = &facts->secureboot;
	free(sb->lines);
	free(sb->dkms.entries);
	free(sb->dkms.builds);
	host_names_free(&sb->dkms.modules);
	host_names_free(&sb->dkms.kernels);
	memset(sb, 0, sizeof *sb);
}

/* ---- helpers for checks ---- */

bool facts_secureboot_on(const struct facts *facts)
{
	return facts->secureboot.mode == FACTS_SB_ON;
}

bool facts_secureboot_enforcing(const struct facts *facts)
{
	const struct facts_secureboot *sb = &facts->secureboot;
	if (sb->sig_enforce || sb->lockdown == FACTS_LOCKDOWN_INTEGRITY ||
	    sb->lockdown == FACTS_LOCKDOWN_CONFIDENTIALITY || sb->klog_lockdown_line)
		return true;
	/* shim's MokSBStateRT makes the kernel treat Secure Boot as off, so lockdown does not follow. */
	return sb->mode == FACTS_SB_ON && !sb->shim_validation_off && sb->lockdown != FACTS_LOCKDOWN_NONE;
}

const struct facts_sb_module *facts_secureboot_module(const struct facts *facts, const char *name)
{
	for (size_t i = 0; i < facts->secureboot.n_modules; i++)
		if (strcmp(facts->secureboot.modules[i].name, name) == 0)
			return &facts->secureboot.modules[i];
	return NULL;
}

const struct facts_sb_line *facts_secureboot_rejection(const struct facts *facts, const char *module)
{
	const struct facts_secureboot *sb = &facts->secureboot;
	const struct facts_sb_module *m = facts_secureboot_module(facts, module);
	bool candidate = m && m->ko_present && !m->loaded;
	for (size_t i = sb->n_lines; i-- > 0;) {
		const struct facts_sb_line *l = &sb->lines[i];
		if (l->kind == FACTS_SB_LINE_TAINT)
			continue;
		if (l->module[0] ? strcmp(l->module, module) == 0 : candidate)
			return l;
	}
	return NULL;
}
