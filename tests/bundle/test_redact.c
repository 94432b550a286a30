/* SPDX-License-Identifier: MIT */
/* Unit tests of the pseudonymiser (core/redact.c): address shapes, kept OUIs, consistency, whole words, secrets. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmdoctor/host.h"
#include "vmdoctor/redact.h"

#define KEY1 "unit-test-key-1"
#define KEY2 "unit-test-key-2"

static struct redactor *new_redactor(const char *key)
{
	return redactor_new((const unsigned char *)key, strlen(key));
}

/* The redacted text of `in` as a log member (caller frees). */
static char *red(struct redactor *r, const char *member, const char *in)
{
	size_t len;
	bool changed;

	return redactor_text(r, member, in, strlen(in), &len, &changed);
}

static char *red_log(struct redactor *r, const char *in)
{
	return red(r, "fs/var/log/test.log", in);
}

static uint32_t ip4(const char *text)
{
	struct in_addr a;

	cr_assert(eq(int, inet_pton(AF_INET, text, &a), 1), "not an IPv4 address: '%s'", text);
	return ntohl(a.s_addr);
}

Test(redact, ipv4_keeps_private_class_and_prefix)
{
	struct redactor *r = new_redactor(KEY1);
	char *a = red_log(r, "192.168.1.23");
	char *b = red_log(r, "192.168.1.24");
	char *ten = red_log(r, "10.1.2.3");
	char *mid = red_log(r, "172.20.5.6");
	char *pub = red_log(r, "81.169.145.92");

	cr_assert(ne(str, a, "192.168.1.23"));
	cr_assert(eq(u32, ip4(a) >> 16, 0xC0A8u), "%s left 192.168/16", a);
	/* Same /24 in, same /24 out, and still two addresses. */
	cr_assert(eq(u32, ip4(a) >> 8, ip4(b) >> 8), "%s and %s left their /24", a, b);
	cr_assert(ne(str, a, b));
	cr_assert(eq(u32, ip4(ten) >> 24, 10u), "%s", ten);
	cr_assert(eq(u32, ip4(mid) >> 20, 0xAC1u), "%s left 172.16/12", mid);
	cr_assert(eq(u32, ip4(pub) >> 24, 81u), "%s", pub);
	cr_assert(ne(str, pub, "81.169.145.92"));
	free(a), free(b), free(ten), free(mid), free(pub);
	redactor_free(r);
}

Test(redact, ipv4_public_stays_public)
{
	struct redactor *r = new_redactor(KEY1);

	/* First octets that also hold private ranges: the pseudonym must not fall into them. */
	for (unsigned i = 0; i < 200; i++) {
		char in[32], *out;
		uint32_t v;

		snprintf(in, sizeof in, "%s.%u.%u.%u", i % 2 ? "172" : "192", i % 2 ? 40 + i % 50 : 170 + i % 50, i,
			 (i * 7) % 250 + 1);
		out = red_log(r, in);
		v = ip4(out);
		cr_assert(eq(int, (v >> 20) == 0xAC1 || (v >> 16) == 0xC0A8, 0), "%s -> %s is private", in, out);
		free(out);
	}
	redactor_free(r);
}

Test(redact, ipv4_host_part_and_default_networks)
{
	struct redactor *r = new_redactor(KEY1);
	const char *keep = "192.168.122.1 192.168.122.87 192.168.56.101 10.0.2.15 172.17.0.2";
	char *out = red_log(r, keep);

	cr_assert(eq(str, out, (char *)keep));
	free(out);
	/* Network, gateway and broadcast keep their host part; no address lands in a default network. */
	for (unsigned i = 0; i < 256; i++) {
		char in[32], *o;
		uint32_t v;

		snprintf(in, sizeof in, "192.168.%u.%u", i, i % 3 == 0 ? 0 : i % 3 == 1 ? 1 : 255);
		o = red_log(r, in);
		v = ip4(o);
		cr_assert(eq(u32, v & 0xff, ip4(in) & 0xff), "%s -> %s", in, o);
		free(o);
		snprintf(in, sizeof in, "192.168.%u.%u", i, i % 250 + 3);
		o = red_log(r, in);
		v = ip4(o);
		if ((i != 122 && i != 56)) {
			cr_assert(eq(int, (v >> 8) == 0xC0A87A || (v >> 8) == 0xC0A838, 0), "%s -> %s", in, o);
			cr_assert(eq(int, (v & 0xff) > 1 && (v & 0xff) < 255, 1), "%s -> %s", in, o);
		}
		free(o);
	}
	redactor_free(r);
}

Test(redact, ipv4_untouched_specials_and_versions)
{
	struct redactor *r = new_redactor(KEY1);
	const char *keep = "lo 127.0.0.1 any 0.0.0.0 mask 255.255.255.0 bcast 255.255.255.255 mcast 224.0.0.251 "
			   "version 1.3.0.0 bios_version=2.0.1.5 gcc 9.4.0 ubuntu1~20.04.1 v1.2.3.4 1.2.3.4.5 010.1.1.1 "
			   "alsa-topology-conf (1.2.5.1-2) x (1.2.3.4~rc1) y 1.2.3.4+b1 BIOS 1.0.0.4 firmware: 2.1.0.3";
	char *out = red_log(r, keep);

	cr_assert(eq(str, out, (char *)keep));
	free(out);
	/* An address range is two addresses, not a version. */
	out = red_log(r, "dhcp 10.0.0.2-10.0.0.9 (10.20.30.40)");
	cr_assert(eq(int, strstr(out, "10.0.0.2-") == NULL && strstr(out, "-10.0.0.9") == NULL, 1), "%s", out);
	cr_assert(eq(int, strstr(out, "10.20.30.40") == NULL && strncmp(out, "dhcp 10.", 8) == 0, 1), "%s", out);
	free(out);
	redactor_free(r);
}

Test(redact, ipv6_keeps_prefixes)
{
	struct redactor *r = new_redactor(KEY1);
	char *g1 = red_log(r, "2a01:4f8:c17:9a3e::1");
	char *g2 = red_log(r, "2a01:4f8:c17:9a3e::2");
	char *ll = red_log(r, "fe80::5054:ff:fe12:3456%eth0");
	char *ula = red_log(r, "fd3c:8a1e:77b2::1");
	char *keep = red_log(r, "::1 :: ff02::1 std::string Foo::bar 10:00:00");
	unsigned char a1[16], a2[16];

	cr_assert(eq(int, inet_pton(AF_INET6, g1, a1), 1), "%s", g1);
	cr_assert(eq(int, inet_pton(AF_INET6, g2, a2), 1), "%s", g2);
	cr_assert(eq(int, strncmp(g1, "2a01:", 5), 0), "%s", g1);
	cr_assert(ne(str, g1, "2a01:4f8:c17:9a3e::1"));
	cr_assert(eq(int, memcmp(a1, a2, 15), 0), "%s and %s: the /120 is not kept", g1, g2);
	cr_assert(ne(int, a1[15], a2[15]));
	cr_assert(eq(int, strncmp(ll, "fe80::", 6), 0), "%s", ll);
	cr_assert(ne(str, ll, "fe80::5054:ff:fe12:3456%eth0"));
	cr_assert(eq(int, strstr(ll, "%eth0") != NULL, 1), "%s", ll);
	cr_assert(eq(int, strncmp(ula, "fd", 2), 0), "%s", ula);
	cr_assert(eq(str, keep, "::1 :: ff02::1 std::string Foo::bar 10:00:00"));
	free(g1), free(g2), free(ll), free(ula), free(keep);
	redactor_free(r);
}

Test(redact, mac_keeps_hypervisor_ouis)
{
	struct redactor *r = new_redactor(KEY1);
	char *q = red_log(r, "52:54:00:a1:b2:c3");
	char *vmw = red_log(r, "00:0C:29:4D:5E:6F");
	char *vbox = red_log(r, "<Adapter MACAddress=\"080027D4E5F6\"/>");
	char *phys = red_log(r, "3c:52:82:7a:9b:1d");
	char *keep = red_log(r, "ff:ff:ff:ff:ff:ff 00:00:00:00:00:00 01:00:5e:00:00:fb 12:34:56");
	char *again = red_log(r, "52-54-00-A1-B2-C3");

	cr_assert(eq(int, strncmp(q, "52:54:00:", 9), 0), "%s", q);
	cr_assert(ne(str, q, "52:54:00:a1:b2:c3"));
	cr_assert(eq(int, strncmp(vmw, "00:0C:29:", 9), 0), "%s (case kept)", vmw);
	cr_assert(ne(str, vmw, "00:0C:29:4D:5E:6F"));
	cr_assert(eq(int, strncmp(vbox, "<Adapter MACAddress=\"080027", 27), 0), "%s", vbox);
	cr_assert(ne(str, vbox, "<Adapter MACAddress=\"080027D4E5F6\"/>"));
	/* Another vendor's OUI goes: a locally administered unicast address replaces it. */
	cr_assert(eq(int, strtoul(phys, NULL, 16) & 3, 2), "%s", phys);
	cr_assert(eq(str, keep, "ff:ff:ff:ff:ff:ff 00:00:00:00:00:00 01:00:5e:00:00:fb 12:34:56"));
	/* The same address written another way gets the same device part. */
	cr_assert(eq(int, strncasecmp(again + 9, q + 9, 2), 0), "%s vs %s", again, q);
	free(q), free(vmw), free(vbox), free(phys), free(keep), free(again);
	redactor_free(r);
}

Test(redact, names_whole_words_only)
{
	struct redactor *r = new_redactor(KEY1);
	const char *pseudo;
	char *out, want[256];

	redactor_add(r, REDACT_USER, "al");
	pseudo = redactor_lookup(r, REDACT_USER, "al");
	cr_assert(ne(ptr, (void *)pseudo, NULL));
	cr_assert(eq(int, strncmp(pseudo, "user", 4), 0), "%s", pseudo);
	out = red_log(r, "also al /home/al/x vmware-al/ al.log alpha total_al al");
	snprintf(want, sizeof want, "also %s /home/%s/x vmware-%s/ %s.log alpha total_al %s", pseudo, pseudo, pseudo,
		 pseudo, pseudo);
	cr_assert(eq(str, out, want));
	cr_assert(eq(sz, redactor_count(r, REDACT_USER), 5));
	free(out);
	redactor_free(r);
}

Test(redact, consistent_and_keyed)
{
	struct redactor *a = new_redactor(KEY1), *b = new_redactor(KEY1), *c = new_redactor(KEY2);
	const char *in = "alice@pc1 10.0.0.7 52:54:00:12:34:56 2001:db8::7";
	char *oa, *ob, *oc, *path;
	bool changed;

	redactor_add(a, REDACT_USER, "alice");
	redactor_add(b, REDACT_USER, "alice");
	redactor_add(c, REDACT_USER, "alice");
	redactor_add(a, REDACT_HOST, "pc1");
	redactor_add(b, REDACT_HOST, "PC1");      /* host names: case does not matter */
	redactor_add(c, REDACT_HOST, "pc1");
	oa = red_log(a, in);
	ob = red_log(b, in);
	oc = red_log(c, in);
	cr_assert(eq(str, oa, ob));
	cr_assert(ne(str, oa, oc));
	cr_assert(eq(int, strstr(oa, "alice") == NULL && strstr(oa, "pc1") == NULL, 1), "%s", oa);
	/* Member names get the same pseudonyms as contents. */
	path = redactor_path(a, "fs/home/alice/VMs/pc1.xml", &changed);
	cr_assert(eq(int, changed, 1));
	cr_assert(eq(int, strstr(path, redactor_lookup(a, REDACT_USER, "alice")) != NULL, 1), "%s", path);
	cr_assert(eq(int, strstr(oa, redactor_lookup(a, REDACT_HOST, "pc1")) != NULL, 1), "%s", oa);
	free(oa), free(ob), free(oc), free(path);
	redactor_free(a), redactor_free(b), redactor_free(c);
}

struct secret_case {
	const char *member;
	const char *in;
	const char *want;
};

Test(redact, hypervisor_secrets)
{
	static const struct secret_case cases[] = {
		{ "fs/etc/libvirt/qemu/vm.xml", "<graphics type='vnc' passwd='s3cr3t' port='-1'/>",
		  "<graphics type='vnc' passwd='" REDACT_SECRET_MARK "' port='-1'/>" },
		{ "fs/etc/libvirt/qemu.conf", "vnc_password = \"pw1\"\nspice_password=\"pw2\"\nvnc_listen = \"0.0.0.0\"\n",
		  "vnc_password = \"" REDACT_SECRET_MARK "\"\nspice_password=\"" REDACT_SECRET_MARK
		  "\"\nvnc_listen = \"0.0.0.0\"\n" },
		{ "fs/home/u/vmware/a/a.vmx",
		  "RemoteDisplay.vnc.password = \"x y\"\nencryption.keySafe = \"vmware:key/list/(pair/(phrase/a%3d))\"\n"
		  "encryption.data = \"QUJD\"\nvhv.enable = \"TRUE\"\n",
		  "RemoteDisplay.vnc.password = \"" REDACT_SECRET_MARK "\"\nencryption.keySafe = \"" REDACT_SECRET_MARK
		  "\"\nencryption.data = \"" REDACT_SECRET_MARK "\"\nvhv.enable = \"TRUE\"\n" },
		{ "fs/home/u/VirtualBox VMs/a/a.vbox",
		  "<Property name=\"VNCPassword\" value=\"vp\"/><Property name=\"TCP/Ports\" value=\"3389\"/>"
		  "<Property name=\"CRYPT/KeyStore\" value=\"ks\"/>",
		  "<Property name=\"VNCPassword\" value=\"" REDACT_SECRET_MARK "\"/><Property name=\"TCP/Ports\" "
		  "value=\"3389\"/><Property name=\"CRYPT/KeyStore\" value=\"" REDACT_SECRET_MARK "\"/>" },
		{ "fs/var/log/x.log", "GET https://bob:hunter2@h/ Authorization: Bearer abc.def token=t0k\n",
		  "GET https://bob:" REDACT_SECRET_MARK "@h/ Authorization: Bearer " REDACT_SECRET_MARK " token="
		  REDACT_SECRET_MARK "\n" },
		{ "fs/var/log/x.log", "a\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\nb\n",
		  "a\n" REDACT_SECRET_MARK "\nb\n" },
		/* Not secrets: a path, and JSON structure under a secret-sounding key. */
		{ "fs/var/log/x.log", "/etc/passwd: No such file; group kvm\n",
		  "/etc/passwd: No such file; group kvm\n" },
		{ "libvirt/state.json", "{\"secrets\": [\n {\"token\": {\"a\": 1}}]}",
		  "{\"secrets\": [\n {\"token\": {\"a\": 1}}]}" },
		/* A libvirt secret's value file is removed whole. */
		{ "fs/etc/libvirt/secrets/0a1b.base64", "c2VjcmV0\n", REDACT_SECRET_MARK "\n" },
		{ "libvirt/state.json", "{\"password\": \"pw\"}", "{\"password\": \"" REDACT_SECRET_MARK "\"}" },
		/* Redacting a redacted text changes nothing. */
		{ "fs/var/log/x.log", "password=" REDACT_SECRET_MARK " api_key: " REDACT_SECRET_MARK "\n",
		  "password=" REDACT_SECRET_MARK " api_key: " REDACT_SECRET_MARK "\n" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct redactor *r = new_redactor(KEY1);
		char *out = red(r, cases[i].member, cases[i].in);

		cr_assert(eq(str, out, (char *)cases[i].want), "case %zu (%s)", i, cases[i].member);
		free(out);
		redactor_free(r);
	}
}

Test(redact, dmi_serial_files_and_their_values)
{
	struct redactor *r = new_redactor(KEY1);
	char *serial = red(r, "fs/sys/class/dmi/id/product_serial", "PF3KX9ZQ\n");
	char *uuid = red(r, "fs/sys/class/dmi/id/product_uuid", "4c4c4544-0042-3510-8052-b7c04f4e3332\n");
	char *name = red(r, "fs/sys/class/dmi/id/product_name", "20XW0055GE\n");
	char *log = red_log(r, "serial PF3KX9ZQ uuid 4C4C4544-0042-3510-8052-B7C04F4E3332\n");

	cr_assert(eq(int, strncmp(serial, "serial-", 7), 0), "%s", serial);
	cr_assert(eq(sz, strlen(uuid), 37), "%s keeps the UUID shape", uuid);
	cr_assert(eq(chr, uuid[8], '-'));
	cr_assert(eq(str, name, "20XW0055GE\n"));
	cr_assert(eq(int, strstr(log, "PF3KX9ZQ") == NULL && strcasestr(log, "4c4c4544") == NULL, 1), "%s", log);
	free(serial), free(uuid), free(name), free(log);
	redactor_free(r);
}

Test(redact, binary_members_masked_same_length)
{
	struct redactor *r = new_redactor(KEY1);
	const char in[] = "\x7f" "ELF\0\0/home/alice/x\0alice";
	size_t len;
	bool changed;
	char *out;

	redactor_add(r, REDACT_USER, "alice");
	out = redactor_text(r, "fs/lib/modules/x.ko", in, sizeof in - 1, &len, &changed);
	cr_assert(eq(sz, len, sizeof in - 1));
	cr_assert(eq(int, changed, 1));
	cr_assert(eq(int, memcmp(out + 6, "/home/*****/x", 13), 0));
	free(out);
	redactor_free(r);
}

Test(redact, key_file_made_once_0600_and_reused)
{
	char dir[] = "/tmp/vmdoctor-redact-XXXXXX", path[128], why[512];
	unsigned char k1[REDACT_KEY_MAX], k2[REDACT_KEY_MAX];
	size_t l1, l2;
	struct stat st;

	unsetenv("VMDOCTOR_REDACT_KEY");
	cr_assert(ne(ptr, mkdtemp(dir), NULL));
	cr_assert(eq(int, redact_key_load(dir, k1, &l1, why, sizeof why), 0), "%s", why);
	cr_assert(eq(int, redact_key_load(dir, k2, &l2, why, sizeof why), 0), "%s", why);
	cr_assert(eq(sz, l1, 32));
	cr_assert(eq(int, memcmp(k1, k2, 32), 0));
	snprintf(path, sizeof path, "%s/redact.key", dir);
	cr_assert(eq(int, stat(path, &st), 0));
	cr_assert(eq(u32, st.st_mode & 0777, 0600));
	chmod(path, 0644);
	cr_assert(lt(int, redact_key_load(dir, k2, &l2, why, sizeof why), 0));
	cr_assert(eq(int, strstr(why, "redact.key") != NULL, 1), "%s", why);
	setenv("VMDOCTOR_REDACT_KEY", "from-env", 1);
	cr_assert(eq(int, redact_key_load(dir, k2, &l2, why, sizeof why), 0));
	cr_assert(eq(sz, l2, 8));
	unlink(path);
	rmdir(dir);
}

Test(redact, map_is_0600_and_maps_back)
{
	char dir[] = "/tmp/vmdoctor-redact-XXXXXX", path[128], why[512], buf[4096] = "";
	struct redactor *r = new_redactor(KEY1);
	struct stat st;
	char *out;
	FILE *f;

	cr_assert(ne(ptr, mkdtemp(dir), NULL));
	redactor_add(r, REDACT_USER, "alice");
	out = red_log(r, "alice 192.168.1.5 password=pw");
	snprintf(path, sizeof path, "%s/map.json", dir);
	cr_assert(eq(int, redactor_write_map(r, path, "b.tar.gz", "00", why, sizeof why), 0), "%s", why);
	cr_assert(eq(int, stat(path, &st), 0));
	cr_assert(eq(u32, st.st_mode & 0777, 0600));
	f = fopen(path, "r");
	cr_assert(ne(ptr, f, NULL));
	cr_assert(gt(sz, fread(buf, 1, sizeof buf - 1, f), 0));
	fclose(f);
	cr_assert(eq(int, strstr(buf, "\"original\": \"alice\"") != NULL, 1), "%s", buf);
	cr_assert(eq(int, strstr(buf, "\"original\": \"192.168.1.5\"") != NULL, 1), "%s", buf);
	cr_assert(eq(int, strstr(buf, "\"pw\"") == NULL, 1), "the secret is in the map: %s", buf);
	free(out);
	redactor_free(r);
	unlink(path);
	rmdir(dir);
}

/* Hostile bytes: every rule sees cut-off keys, quotes, tags, addresses and PEM headers; nothing may crash. */
Test(redact, hostile_input_never_crashes)
{
	static const char *const pieces[] = {
		"password", "=", ":", "'", "\"", "\\\"", "<", ">", "name=\"", "value=\"", "crypt", "-----BEGIN ",
		"PRIVATE KEY-----", "-----END ", "://", "@", "Bearer ", "192.168.", "1.", "255", "::", "fe80:", ":ff",
		"52:54:00:", "MACAddress=\"", "080027", "alice", " ", "\n", "version ", "-", "~", "%", "NUL",
	};
	struct redactor *r = new_redactor(KEY1);
	unsigned seed = 12345;

	redactor_add(r, REDACT_USER, "alice");
	redactor_add(r, REDACT_HOST, "pc1.corp.example");
	for (int round = 0; round < 300; round++) {
		char buf[2048];
		size_t len = 0, out_len;
		bool changed;
		char *out, *path;

		while (len < sizeof buf - 32) {
			const char *p;

			seed = seed * 1103515245u + 12345u;
			p = pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])];
			/* "NUL" stands for a NUL byte, the rest for themselves. */
			if (strcmp(p, "NUL") == 0)
				buf[len++] = (round % 3 == 0) ? '\0' : 'x';
			else
				for (; *p && len < sizeof buf - 32; p++)
					buf[len++] = *p;
			if ((seed >> 8) % 97 == 0)
				break;
		}
		buf[len] = '\0';
		out = redactor_text(r, "fs/var/log/fuzz.log", buf, len, &out_len, &changed);
		cr_assert(ne(ptr, out, NULL));
		cr_assert(eq(chr, out[out_len], '\0'));
		path = redactor_path(r, buf, &changed);
		free(path);
		free(out);
	}
	redactor_free(r);
}

/* What the planted-secret fixture teaches: its people, host names, domains and serials; never root or kvm. */
Test(redact, learns_names_from_a_snapshot)
{
	static const struct { enum redact_kind kind; const char *value; bool learned; } want[] = {
		{ REDACT_USER, "marguerite", true }, { REDACT_REALNAME, "Marguerite Okonkwo", true },
		{ REDACT_REALNAME, "Okonkwo", true }, { REDACT_REALNAME, "Room 4711", true },
		{ REDACT_HOST, "kestrel-ws07", true }, { REDACT_HOST, "KESTREL-WS07", true },
		{ REDACT_HOST, "buildbox-nimbus", true }, { REDACT_HOST, "lab.zephyrcorp.example", true },
		{ REDACT_HOST, "zephyrcorp.example", true }, { REDACT_SERIAL, "PF3KX9ZQ", true },
		{ REDACT_SERIAL, "4C4C4544-0042-3510-8052-B7C04F4E3332", true },
		{ REDACT_USER, "root", false }, { REDACT_USER, "kvm", false }, { REDACT_USER, "libvirt-qemu", false },
		{ REDACT_HOST, "localhost", false }, { REDACT_HOST, "ip6-allnodes", false }, { REDACT_HOST, "example", false },
	};
	struct host *snap = NULL;
	struct redactor *r = new_redactor(KEY1);

	cr_assert(eq(int, host_open_snapshot(FIXTURES "/snapshots/planted-secrets", &snap), 0));
	redactor_learn(r, snap);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const char *p = redactor_lookup(r, want[i].kind, want[i].value);

		cr_assert(eq(int, p != NULL, want[i].learned), "%s %s", redact_kind_name(want[i].kind), want[i].value);
	}
	host_close(snap);
	redactor_free(r);
}
