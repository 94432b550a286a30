/* SPDX-License-Identifier: MIT */
/* Plan builders for libvirt: the daemon, the default network and pool, KVM in libvirt, the firewall backend,
 * disk image permissions and AppArmor. */
#include "fix_private.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "vmdoctor/facts_secureboot.h"
#include "vmdoctor/facts_vbox.h"
#include "vmdoctor/virt.h"
#include "vmdoctor/xalloc.h"

static bool unit_exists(struct host *h, const char *unit)
{
	char a[128], b[128];
	snprintf(a, sizeof a, "/lib/systemd/system/%s", unit);
	snprintf(b, sizeof b, "/usr/lib/systemd/system/%s", unit);
	return host_exists(h, a) || host_exists(h, b);
}

/*
 * Modular daemons (virtqemud & co, the default on Fedora 35+/RHEL 9) or the monolithic libvirtd, never
 * both: modular when its sockets are enabled or left behind, or when no libvirtd unit exists.
 */
static bool libvirt_modular(const struct facts *f, struct host *h)
{
	if (f->libvirt.sock_virtqemud || host_exists(h, "/etc/systemd/system/sockets.target.wants/virtqemud.socket"))
		return true;
	if (f->libvirt.sock_libvirtd || host_exists(h, "/etc/systemd/system/multi-user.target.wants/libvirtd.service"))
		return false;
	return !unit_exists(h, "libvirtd.service") && unit_exists(h, "virtqemud.socket");
}

/*
 * The unit folder lists but holds no libvirt unit: the daemon's service package is missing (Debian's
 * libvirt-daemon ships the program, libvirt-daemon-system the units and the group). Only said when the
 * folder could be listed, so a snapshot that never collected it changes nothing.
 */
static bool service_package_missing(struct host *h)
{
	struct host_names names = { 0 };
	bool listed = host_list_dir(h, "/lib/systemd/system", &names) == 0;
	host_names_free(&names);
	if (!listed) {
		listed = host_list_dir(h, "/usr/lib/systemd/system", &names) == 0;
		host_names_free(&names);
	}
	return listed && !unit_exists(h, "libvirtd.service") && !unit_exists(h, "virtqemud.socket");
}

/* The knowledge base's `systemctl enable --now`; undone by `disable --now` (the plan says it was off).
 * Without the service package it is installed first (Fedora's brings the modular daemons). */
int fix_build_libvirtd(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	bool install = service_package_missing(h);
	if (install && fix_install_package(h, plan, "libvirt-daemon-system", "libvirt-daemon", NULL, why, n) < 0)
		return -1;
	static const char *const modular[] = { "/usr/bin/systemctl", "enable", "--now", "virtqemud.socket",
					       "virtnetworkd.socket", "virtstoraged.socket", "virtnodedevd.socket",
					       "virtnwfilterd.socket", "virtsecretd.socket", NULL };
	static const char *const modular_off[] = { "/usr/bin/systemctl", "disable", "--now", "virtqemud.socket",
						   "virtnetworkd.socket", "virtstoraged.socket", "virtnodedevd.socket",
						   "virtnwfilterd.socket", "virtsecretd.socket", NULL };
	static const char *const mono[] = { "/usr/bin/systemctl", "enable", "--now", "libvirtd.service", NULL };
	static const char *const mono_off[] = { "/usr/bin/systemctl", "disable", "--now", "libvirtd.service", NULL };
	bool mod = install ? strcmp(fix_os_family(h), "debian") != 0 : libvirt_modular(f, h);
	fix_step_command(plan, mod ? "start the modular libvirt daemons' sockets now and at every boot"
			       : "start libvirtd now and at every boot",
		     mod ? modular : mono, mod ? modular_off : mono_off,
		     mod ? "systemctl disable --now virtqemud.socket virtnetworkd.socket ... (the sockets this step enabled)"
			 : "systemctl disable --now libvirtd.service");
	return 0;
}

/*
 * Network state changes go through libvirt's API (host_libvirt_call: a forked child with a deadline,
 * libvirt dlopen()ed there), so they need no virsh and their undo is exact: a step that found the
 * network already in the wanted state is journalled as unchanged and not undone.
 */
int fix_build_net_start(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	const char *uri = fix_libvirt_uri(f);
	const struct host_libvirt_net *net = host_libvirt_find_net(&f->libvirt.state, "default");
	if (f->libvirt.state.conn != HOST_LIBVIRT_OK && f->libvirt.err == 0) {
		snprintf(why, n, "libvirt at %s does not answer (%s): start the daemon first (LIBVIRT-DAEMON-DOWN)", uri,
			 host_libvirt_conn_name(f->libvirt.state.conn));
		return -1;
	}
	if (f->libvirt.err == 0 && !net) {
		const char *def[] = { "/usr/bin/virsh", "-c", uri, "net-define", "/usr/share/libvirt/networks/default.xml",
				      NULL };
		const char *undef[] = { "/usr/bin/virsh", "-c", uri, "net-undefine", "default", NULL };
		fix_step_command(plan, "define the network 'default' from libvirt's template (libvirt-daemon-config-network)",
			     def, undef, "virsh net-undefine default");
	}
	if (net && net->has_ip && !f->libvirt.has_dnsmasq && fix_install_package(h, plan, "dnsmasq-base", "dnsmasq",
									      NULL, why, n) < 0)
		return -1;
	fix_step_libvirt(plan, uri, "start the libvirt network 'default'", HOST_LIBVIRT_NET_START, HOST_LIBVIRT_NET_STOP,
		     "default");
	fix_step_libvirt(plan, uri, "start 'default' at every boot (autostart)", HOST_LIBVIRT_NET_AUTOSTART,
		     HOST_LIBVIRT_NET_NO_AUTOSTART, "default");
	return 0;
}

/*
 * LIBVIRT-NO-KVM is a symptom: once KVM works (the vendor module loaded), libvirt must probe the QEMU
 * capabilities again (a daemon restart), and guests created as type 'qemu' while KVM was missing must be
 * switched back by hand (virsh edit), as the knowledge base says.
 */
int fix_build_libvirt_kvm(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	const struct host_libvirt_state *s = &f->libvirt.state;
	fix_kvm_load_steps(f, h, plan);
	if (f->libvirt.err == 0 && s->conn == HOST_LIBVIRT_OK && !(s->caps_known && s->kvm_offered)) {
		const char *unit = libvirt_modular(f, h) ? "virtqemud.service" : "libvirtd.service";
		const char *restart[] = { "/usr/bin/systemctl", "restart", unit, NULL };
		char *what = xasprintf("restart %s so it probes QEMU's capabilities again (it cached them without KVM)", unit);
		fix_step_command(plan, what, restart, NULL, "nothing");
		free(what);
	}
	for (size_t i = 0; i < s->n_domains && plan->n_steps < FIX_MAX_STEPS; i++) {
		if (strcmp(s->domains[i].type, "qemu") != 0)
			continue;
		char *what = xasprintf("switch the guest %s from TCG to KVM", s->domains[i].name);
		char *text = xasprintf("With the guest shut off: sudo virsh edit %s and change <domain type='qemu'> to "
				       "<domain type='kvm'>.", s->domains[i].name);
		fix_step_manual(plan, what, text);
		free(what);
		free(text);
	}
	if (plan->n_steps == 0) {
		snprintf(why, n, "KVM is loaded, libvirt offers it and no guest is of type 'qemu': nothing to change");
		return -1;
	}
	return 0;
}

/* LIBVIRT-POOL-MISSING, by the knowledge base: define and build a missing 'default' dir pool, then start and
 * autostart it through libvirt's API (an inactive pool needs only those two). */
int fix_build_pool(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	(void)h;
	const char *uri = fix_libvirt_uri(f);
	if (f->libvirt.err == 0 && f->libvirt.state.conn != HOST_LIBVIRT_OK) {
		snprintf(why, n, "libvirt at %s does not answer (%s): start the daemon first (LIBVIRT-DAEMON-DOWN)", uri,
			 host_libvirt_conn_name(f->libvirt.state.conn));
		return -1;
	}
	if (f->libvirt.err == 0 && !host_libvirt_find_pool(&f->libvirt.state, "default")) {
		const char *def[] = { "/usr/bin/virsh", "-c", uri, "pool-define-as", "--name", "default", "--type", "dir",
				      "--target", "/var/lib/libvirt/images", NULL };
		const char *undef[] = { "/usr/bin/virsh", "-c", uri, "pool-undefine", "default", NULL };
		const char *build[] = { "/usr/bin/virsh", "-c", uri, "pool-build", "default", NULL };
		fix_step_command(plan, "define the storage pool 'default' on /var/lib/libvirt/images", def, undef,
			     "virsh pool-undefine default");
		fix_step_command(plan, "create its folder when missing", build, NULL, "nothing (the folder stays)");
	}
	fix_step_libvirt(plan, uri, "start the storage pool 'default'", HOST_LIBVIRT_POOL_START, HOST_LIBVIRT_POOL_STOP,
		     "default");
	fix_step_libvirt(plan, uri, "start 'default' at every boot (autostart)", HOST_LIBVIRT_POOL_AUTOSTART,
		     HOST_LIBVIRT_POOL_NO_AUTOSTART, "default");
	return 0;
}

/* Install the backend's tool, restart the daemon that applies the rules, then start 'default' if it is down. */
int fix_build_firewall(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	bool ipt = strcmp(f->libvirt.firewall_backend, "iptables") == 0;
	if (fix_install_package(h, plan, ipt ? "iptables" : "nftables", ipt ? "iptables-nft" : "nftables", NULL, why, n) < 0)
		return -1;
	const char *unit = libvirt_modular(f, h) ? "virtnetworkd.service" : "libvirtd.service";
	const char *restart[] = { "/usr/bin/systemctl", "restart", unit, NULL };
	char *what = xasprintf("restart %s so it finds the firewall tool", unit);
	fix_step_command(plan, what, restart, NULL, "nothing");
	free(what);
	const struct host_libvirt_net *net = host_libvirt_find_net(&f->libvirt.state, "default");
	if (net && !net->active)
		fix_step_libvirt(plan, fix_libvirt_uri(f), "start the libvirt network 'default'", HOST_LIBVIRT_NET_START,
			     HOST_LIBVIRT_NET_STOP, "default");
	return 0;
}

/* Where a user's grant on `path` came from and what to add: traverse for a folder, read(/write) for the image. */
static const char *acl_perm(const struct host_libvirt_disk *d)
{
	if (strcmp(d->blocker, d->path) != 0)
		return "x";
	return d->readonly ? "r" : "rw";
}

/*
 * LIBVIRT-STORAGE-PERM: the DAC walk names the path component that stops the qemu user. The plan
 * grants that user exactly what it lacks there with a named ACL entry (the knowledge base's second
 * choice; moving the image is the first and stays the person's call), and undoes it with
 * `setfacl -x`, which removes that entry again: exact, because the walk found the user without it.
 */
int fix_build_storage_perm(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	(void)h;
	const struct host_libvirt_state *s = &f->libvirt.state;
	const char *user = s->qemu_user[0] ? s->qemu_user : "libvirt-qemu";
	const char *done[FIX_MAX_STEPS];
	size_t n_done = 0;
	for (size_t i = 0; i < s->n_domains; i++) {
		for (size_t k = 0; k < s->domains[i].n_disks; k++) {
			const struct host_libvirt_disk *d = &s->domains[i].disks[k];
			if (d->dac != HOST_LIBVIRT_DAC_DENIED || d->blocker[0] != '/' || fix_seen(done, n_done, d->blocker) ||
			    n_done == FIX_MAX_STEPS)
				continue;
			done[n_done++] = d->blocker;
			char *entry = xasprintf("u:%s:%s", user, acl_perm(d));
			char *drop = xasprintf("u:%s", user);
			const char *argv[] = { "/usr/bin/setfacl", "-m", entry, d->blocker, NULL };
			const char *undo[] = { "/usr/bin/setfacl", "-x", drop, d->blocker, NULL };
			char *what = xasprintf("let the qemu user %s %s %s (%s now; needed for %s)", user,
					       strcmp(acl_perm(d), "x") == 0 ? "pass through" : "open", d->blocker,
					       d->blocker_stat, d->path);
			char *u = xasprintf("setfacl -x %s %s", drop, d->blocker);
			fix_step_command(plan, what, argv, undo, u);
			free(entry);
			free(drop);
			free(what);
			free(u);
		}
	}
	if (plan->n_steps == 0) {
		snprintf(why, n, "no disk image is denied to the qemu user here");
		return -1;
	}
	return 0;
}

/* The value of `key="..."` in an audit line, or "" when absent. */
static void audit_field(const char *line, const char *key, char *out, size_t len)
{
	out[0] = '\0';
	const char *p = strstr(line, key);
	if (!p || p[strlen(key)] != '"')
		return;
	p += strlen(key) + 1;
	size_t l = strcspn(p, "\"");
	if (l >= len)
		return;
	memcpy(out, p, l);
	out[l] = '\0';
}

#define APPARMOR_LOCAL "/etc/apparmor.d/local/abstractions/libvirt-qemu"

/* A path is safe to put in an AppArmor rule when it is absolute and has no quote, glob or control byte. */
static bool apparmor_path_ok(const char *p)
{
	if (p[0] != '/' || strcmp(p, "/") == 0)
		return false;
	for (; *p; p++)
		if (*p == '"' || *p == '*' || *p == '?' || *p == '[' || *p == '{' || *p == '\\' || (unsigned char)*p < 0x20)
			return false;
	return true;
}

/*
 * LIBVIRT-APPARMOR-DENIED: allow the denied image's folder in the local include of the abstraction every
 * guest profile uses (the knowledge base's rule: read on the folder, rwk on everything below it), then reload the guest's
 * profile. The reload runs first as well, with the same command as its undo: it proves the profile
 * loads before anything changes, and, undone last, it reloads after the file is restored.
 */
int fix_build_apparmor(const struct facts *f, struct host *host, struct fix_plan *plan, char *why, size_t n)
{
	char name[512] = "", profile[128] = "", dir[512];
	size_t from = 0;
	const struct facts_libvirt_line *l;
	while ((l = facts_libvirt_line_find(&f->libvirt, "LIBVIRT-APPARMOR-DENIED", &from)) && !name[0]) {
		audit_field(l->text, "name=", name, sizeof name);
		audit_field(l->text, "profile=", profile, sizeof profile);
		from++;
	}
	if (!name[0] || !apparmor_path_ok(name)) {
		snprintf(why, n, "no AppArmor denial names a usable path (%s)", name[0] ? name : "none found");
		return -1;
	}
	snprintf(dir, sizeof dir, "%s", name);
	*strrchr(dir, '/') = '\0';
	if (!dir[0]) {
		snprintf(why, n, "the denied path %s is at the top of the file system", name);
		return -1;
	}
	char *old = fix_read_text(host, APPARMOR_LOCAL);
	char *rule = xasprintf("# Added by vmdoctor for %s\n\"%s/\" r,\n\"%s/**\" rwk,\n", name, dir, dir);
	if (old && strstr(old, rule)) {
		snprintf(why, n, "%s already allows %s; restart the guest so libvirt reloads its profile", APPARMOR_LOCAL,
			 dir);
		free(old);
		free(rule);
		return -1;
	}
	size_t len = old ? strlen(old) : 0;
	char *content = xasprintf("%s%s%s", old ? old : "", len && old[len - 1] != '\n' ? "\n" : "", rule);
	/* libvirt names each guest's profile "libvirt-<uuid>"; anything else is not a file to reload */
	bool per_vm = strncmp(profile, "libvirt-", 8) == 0 && strlen(profile) == 8 + 36 &&
		      strspn(profile + 8, "0123456789abcdef-") == 36;
	char *pfile = per_vm ? xasprintf("/etc/apparmor.d/libvirt/%s", profile) : NULL;
	const char *reload[] = { "/sbin/apparmor_parser", "-r", pfile, NULL };
	if (per_vm)
		fix_step_command(plan, "check that the guest's profile reloads (before any change)", reload, reload,
			     "apparmor_parser -r again, after the file is restored");
	char *what = xasprintf("allow %s/ in the AppArmor abstraction of every guest", dir);
	fix_step_file(plan, host, APPARMOR_LOCAL, content, what);
	free(what);
	if (per_vm)
		fix_step_command(plan, "reload the guest's profile with the new rule", reload, NULL,
			     "nothing here (the first step's undo reloads)");
	else
		fix_step_manual(plan, "restart the guest",
			    "Shut the guest down and start it again: libvirt loads its profile with the new rule then.");
	if (strstr(dir, "/."))
		fix_step_manual(plan, "if it is still denied, move the image",
			    "The image is under a hidden folder: libvirt's virt-aa-helper profile denies hidden folders of "
			    "home directories, and a deny rule wins over this allow rule. If the guest still fails, move the "
			    "image to /var/lib/libvirt/images.");
	free(pfile);
	free(old);
	free(rule);
	return 0;
}
