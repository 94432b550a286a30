/* SPDX-License-Identifier: MIT */
/* Checks for libvirt, in the order of knowledge/failure-modes.md C.1 step 5: daemon, rights, KVM, network, storage, features. */
#include "checks/checks.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmdoctor/virt.h"

/* ---- shared gates ---- */

static bool lv_skip_not_installed(const struct facts *facts, struct check_result *r)
{
	if (facts->programs.libvirt)
		return false;
	check_set(r, CHECK_SKIP, NULL, "libvirt is not installed (no libvirtd or virtqemud)");
	return true;
}

static bool lv_connected(const struct facts_libvirt *lv)
{
	return lv->err == 0 && (lv->state.conn == HOST_LIBVIRT_OK || lv->state.read_only);
}

static bool lv_is_system(const struct facts_libvirt *lv)
{
	const char *uri = lv->state.uri[0] ? lv->state.uri : lv->uri;
	return strstr(uri, "/system") != NULL;
}

static bool lv_is_session(const struct facts_libvirt *lv)
{
	const char *uri = lv->state.uri[0] ? lv->state.uri : lv->uri;
	return strstr(uri, "/session") != NULL;
}

/*
 * Every check after libvirt.daemon needs libvirt's answer: without it the check cannot
 * tell, which is UNKNOWN, never a pass. Returns true when the caller should stop.
 */
static bool lv_need_state(const struct facts *facts, struct check_result *r)
{
	const struct facts_libvirt *lv = &facts->libvirt;
	if (lv_skip_not_installed(facts, r))
		return true;
	if (lv->err) {
		check_set(r, CHECK_UNKNOWN, NULL, "The libvirt state is unknown: %s", lv->why);
		return true;
	}
	if (!lv_connected(lv)) {
		if (lv->state.conn == HOST_LIBVIRT_NO_SOCKET && lv_is_session(lv))
			check_set(r, CHECK_UNKNOWN, NULL, "Cannot tell: the session daemon is not running, and vmdoctor "
				  "does not start it");
		else
			check_set(r, CHECK_UNKNOWN, NULL, "Cannot tell: libvirt at %s did not answer (see "
				  "libvirt.daemon)", lv->state.uri[0] ? lv->state.uri : lv->uri);
		return true;
	}
	return false;
}

/* Add up to `max` log lines that name `code` as evidence; returns how many there were. */
static size_t lv_line_evidence(const struct facts_libvirt *lv, const char *code, size_t max, struct check_result *r)
{
	size_t from = 0, n = 0;
	const struct facts_libvirt_line *l;
	while ((l = facts_libvirt_line_find(lv, code, &from))) {
		if (n++ < max)
			check_evidence(r, l->source, "%s", l->text);
	}
	return n;
}

/* ---- 5.1 daemon ---- */

static void lv_socket_evidence(const struct facts_libvirt *lv, struct check_result *r)
{
	check_evidence(r, "/run/libvirt", "libvirt-sock %s, virtqemud-sock %s, virtnetworkd-sock %s",
		       lv->sock_libvirtd ? "present" : "absent", lv->sock_virtqemud ? "present" : "absent",
		       lv->sock_virtnetworkd ? "present" : "absent");
}

void check_libvirt_daemon(const struct facts *facts, struct check_result *r)
{
	const struct facts_libvirt *lv = &facts->libvirt;
	if (lv_skip_not_installed(facts, r))
		return;
	if (lv->err) {
		check_set(r, CHECK_UNKNOWN, NULL, "The libvirt state is unknown: %s", lv->why);
		return;
	}
	const struct host_libvirt_state *s = &lv->state;
	lv_socket_evidence(lv, r);
	switch (s->conn) {
	case HOST_LIBVIRT_OK:
	case HOST_LIBVIRT_DENIED:
		check_evidence(r, s->uri, "connected%s, %s driver, libvirt %lu.%lu.%lu", s->read_only ? " read-only" : "",
			       s->driver[0] ? s->driver : "unknown", s->lib_version / 1000000, s->lib_version / 1000 % 1000,
			       s->lib_version % 1000);
		check_set(r, CHECK_PASS, NULL, "The libvirt daemon answers at %s", s->uri);
		return;
	case HOST_LIBVIRT_TIMEOUT:
		check_evidence(r, s->uri, "%s", s->message);
		check_set(r, CHECK_UNKNOWN, NULL, "libvirt at %s did not answer in time: the daemon may hang", s->uri);
		check_action(r, "Look at journalctl -u libvirtd -u virtqemud; restart the daemon if it hangs.");
		return;
	case HOST_LIBVIRT_NO_SOCKET:
	case HOST_LIBVIRT_REFUSED:
		check_evidence(r, s->uri, "%s", s->message);
		if (s->conn == HOST_LIBVIRT_NO_SOCKET && lv_is_session(lv)) {
			/* libvirt starts the session daemon on demand; a diagnosis must not start it. */
			check_set(r, CHECK_SKIP, NULL, "The session daemon is not running now; libvirt starts it when a "
				  "client connects");
			return;
		}
		check_set(r, CHECK_FAIL, "LIBVIRT-DAEMON-DOWN", "The libvirt daemon is not running (%s)",
			  s->conn == HOST_LIBVIRT_REFUSED ? "its socket refuses connections" : "no socket");
		if (strstr(facts->programs.libvirt, "virtqemud"))
			check_action(r, "Run: for d in qemu network storage; do sudo systemctl enable --now "
				     "virt${d}d.socket; done");
		else
			check_action(r, "Run: sudo systemctl enable --now libvirtd");
		return;
	case HOST_LIBVIRT_ERROR:
	default:
		check_evidence(r, s->uri, "%s", s->message);
		check_set(r, CHECK_UNKNOWN, NULL, "Could not connect to libvirt at %s: %s", s->uri, s->message);
		return;
	}
}

/* ---- 5.2 authorisation ---- */

static bool lv_in_libvirt_group(const struct host_names *groups)
{
	return host_names_contains(groups, "libvirt") || host_names_contains(groups, "libvirtd");
}

/*
 * Run through sudo, vmdoctor connects as root, which is always allowed: what matters is
 * whether the person can connect without sudo. polkit's 50-libvirt.rules admits group
 * libvirt (libvirtd on older Debian); the session's groups decide until they log in again.
 */
static bool lv_sudo_user_outside_group(const struct facts *facts, struct check_result *r)
{
	const struct facts_user *u = &facts->user;
	if (u->err || !u->user.via_sudo || !lv_is_system(&facts->libvirt))
		return false;
	bool in_file = u->group_file_err == 0 && lv_in_libvirt_group(&u->etc_groups);
	bool in_session = u->user.session_known ? lv_in_libvirt_group(&u->user.session_groups) : in_file;
	if (in_session)
		return false;
	if (u->group_file_err && !u->user.session_known)
		return false;
	check_evidence(r, u->user.session_known ? "id -nG" : "/etc/group", "%s is not in group libvirt",
		       u->user.name);
	if (in_file) {
		check_set(r, CHECK_WARN, "LIBVIRT-POLKIT-DENIED", "%s was added to group libvirt but this session "
			  "does not have it yet: without sudo, libvirt will refuse or ask for a password", u->user.name);
		check_action(r, "Log out and in again (or reboot) so that the session gets group libvirt.");
	} else {
		check_set(r, CHECK_WARN, "LIBVIRT-POLKIT-DENIED", "%s is not in group libvirt: without sudo, "
			  "virt-manager and virsh -c qemu:///system will be refused or ask for a password", u->user.name);
		check_action(r, "Run: sudo usermod -aG libvirt %s, then log out and in again.", u->user.name);
	}
	return true;
}

void check_libvirt_auth(const struct facts *facts, struct check_result *r)
{
	const struct facts_libvirt *lv = &facts->libvirt;
	if (lv_skip_not_installed(facts, r))
		return;
	if (lv->err) {
		check_set(r, CHECK_UNKNOWN, NULL, "The libvirt state is unknown: %s", lv->why);
		return;
	}
	const struct host_libvirt_state *s = &lv->state;
	if (s->conn == HOST_LIBVIRT_OK) {
		check_evidence(r, s->uri, "read-write connection accepted");
		if (lv_sudo_user_outside_group(facts, r))
			return;
		check_set(r, CHECK_PASS, NULL, "Allowed to manage virtual machines at %s", s->uri);
		return;
	}
	if (s->conn != HOST_LIBVIRT_DENIED) {
		check_set(r, CHECK_UNKNOWN, NULL, "Cannot tell: libvirt at %s did not answer (see libvirt.daemon)", s->uri);
		return;
	}
	check_evidence(r, s->uri, "%s", s->message);
	const char *who = facts->user.err ? "you" : facts->user.user.name;
	check_set(r, CHECK_FAIL, "LIBVIRT-POLKIT-DENIED", "%s may not manage virtual machines at %s", who, s->uri);
	check_action(r, "Run: sudo usermod -aG libvirt %s, then log out and in again.",
		     facts->user.err ? "$USER" : facts->user.user.name);
}

/* ---- 5.3 capabilities ---- */

/* LIBVIRT-NO-KVM is a symptom: when steps 1-4 already name the cause, point there instead. */
static const char *lv_kvm_root_cause(const struct facts *facts)
{
	struct virt_cpu cpu;
	virt_assess_cpu(facts, &cpu);
	if (cpu.verdict == VIRT_CPU_GUEST_NO_NESTED)
		return "cpu.guest";
	if (cpu.verdict == VIRT_CPU_NO_HWVIRT || cpu.verdict == VIRT_CPU_DISABLED || cpu.verdict == VIRT_CPU_MASKED)
		return "cpu.hwvirt";
	if (facts->devices[FACTS_DEV_KVM].err == -ENOENT)
		return "kvm.devnode";
	if (facts->kvm.err == 0 && facts->kvm.probe.open_err == 0 && facts->kvm.probe.create_vm_err < 0)
		return "kvm.usable";
	return NULL;
}

void check_libvirt_kvm(const struct facts *facts, struct check_result *r)
{
	const struct facts_libvirt *lv = &facts->libvirt;
	if (lv_need_state(facts, r))
		return;
	const struct host_libvirt_state *s = &lv->state;
	if (!s->caps_known) {
		check_set(r, CHECK_UNKNOWN, NULL, "libvirt did not give its capabilities");
		return;
	}
	if (s->kvm_offered) {
		check_evidence(r, "virsh capabilities", "<domain type='kvm'> for x86_64%s%s", s->emulator[0] ? ", " : "",
			       s->emulator);
		size_t tcg = 0;
		for (size_t i = 0; i < s->n_domains; i++)
			if (strcmp(s->domains[i].type, "qemu") == 0 && tcg++ < 4)
				check_evidence(r, s->domains[i].name, "<domain type='qemu'>: runs without KVM");
		if (tcg) {
			check_set(r, CHECK_WARN, "LIBVIRT-NO-KVM", "%zu domain(s) are defined as type 'qemu' and run "
				  "without KVM, although KVM is available", tcg);
			check_action(r, "virsh edit each of them and change <domain type='qemu'> to <domain type='kvm'>.");
			return;
		}
		check_set(r, CHECK_PASS, NULL, "libvirt offers KVM acceleration");
		return;
	}
	check_evidence(r, "virsh capabilities", "no <domain type='kvm'> for x86_64");
	const char *cause = lv_kvm_root_cause(facts);
	if (cause) {
		check_set(r, CHECK_SKIP, NULL, "libvirt offers no KVM because of the cause found earlier (see %s)", cause);
		return;
	}
	check_set(r, CHECK_FAIL, "LIBVIRT-NO-KVM", "libvirt offers no KVM although /dev/kvm works: VMs would run "
		  "without acceleration");
	check_action(r, "Restart libvirt so it probes QEMU again: sudo systemctl restart libvirtd (or virtqemud); if "
		     "that is not enough, delete /var/cache/libvirt/qemu/capabilities/*.xml first.");
}

/* ---- 5.4 network ---- */

static bool lv_domain_uses_network(const struct host_libvirt_state *s, const char *net)
{
	for (size_t i = 0; i < s->n_domains; i++)
		for (size_t k = 0; k < s->domains[i].n_ifaces; k++)
			if (strcmp(s->domains[i].ifaces[k].type, "network") == 0 &&
			    strcmp(s->domains[i].ifaces[k].source, net) == 0)
				return true;
	return false;
}

/* The firewall libvirt needs for a NAT network is not there: the backend or its tool is missing. */
static bool lv_firewall_missing(const struct facts_libvirt *lv, char *why, size_t len)
{
	const char *b = lv->firewall_backend;
	if (strcmp(b, "nftables") == 0 && !lv->has_nft) {
		snprintf(why, len, "firewall_backend = nftables, but /usr/sbin/nft is missing");
		return true;
	}
	if (strcmp(b, "iptables") == 0 && !lv->has_iptables) {
		snprintf(why, len, "firewall_backend = iptables, but /usr/sbin/iptables is missing");
		return true;
	}
	if (!b[0] && !lv->has_iptables && !lv->has_nft) {
		snprintf(why, len, "neither /usr/sbin/iptables nor /usr/sbin/nft is installed");
		return true;
	}
	return false;
}

void check_libvirt_network(const struct facts *facts, struct check_result *r)
{
	const struct facts_libvirt *lv = &facts->libvirt;
	if (lv_need_state(facts, r))
		return;
	if (lv_is_session(lv)) {
		check_set(r, CHECK_SKIP, NULL, "%s has no virtual networks of its own (see libvirt.session-bridge)",
			  lv->state.uri);
		return;
	}
	const struct host_libvirt_net *net = host_libvirt_find_net(&lv->state, "default");
	if (net && net->active) {
		check_evidence(r, "virsh net-info default", "active, autostart %s, bridge %s", net->autostart ? "yes" : "no",
			       net->bridge[0] ? net->bridge : "(none)");
		check_set(r, CHECK_PASS, NULL, "The 'default' network is active");
		return;
	}
	bool used = lv_domain_uses_network(&lv->state, "default");
	enum check_status st = used || lv->state.n_domains == 0 ? CHECK_FAIL : CHECK_WARN;
	check_evidence(r, "virsh net-info default", "%s", net ? "inactive" : "no network named 'default'");
	char why[160];
	/* A network without <ip>/<forward> is a plain bridge: it needs no firewall rules. */
	bool fw_missing = net && net->has_ip && lv_firewall_missing(lv, why, sizeof why);
	if (fw_missing)
		check_evidence(r, lv->firewall_source[0] ? lv->firewall_source : "/usr/sbin", "%s", why);
	if (lv_line_evidence(lv, "LIBVIRT-NET-FIREWALL", 3, r) || fw_missing) {
		check_set(r, st, "LIBVIRT-NET-FIREWALL", "The 'default' network cannot start: libvirt cannot set up "
			  "its firewall rules");
		check_action(r, "Install iptables (or nftables and set firewall_backend in /etc/libvirt/network.conf), "
			     "restart libvirt, then run: sudo virsh net-start default");
		return;
	}
	bool stale = net && net->bridge[0] && lv->default_bridge_exists;
	if (lv_line_evidence(lv, "LIBVIRT-NET-CONFLICT", 3, r) || stale) {
		if (stale)
			check_evidence(r, "/sys/class/net", "%s exists although the network is inactive", net->bridge);
		check_set(r, st, "LIBVIRT-NET-CONFLICT", "The 'default' network cannot start: its bridge, address or "
			  "DNS port is taken");
		if (stale)
			check_action(r, "Remove the stale bridge (sudo ip link delete %s), then run: sudo virsh net-start "
				     "default", net->bridge);
		else
			check_action(r, "Move the network to a free subnet (sudo virsh net-edit default) or stop the other "
				     "DNS server, then run: sudo virsh net-start default");
		return;
	}
	if (net) {
		check_set(r, st, "LIBVIRT-NET-INACTIVE", "The 'default' network is defined but not active%s",
			  used ? ": VMs on it will not start" : "");
		check_action(r, "Run: sudo virsh net-start default && sudo virsh net-autostart default%s",
			     net->has_ip && !lv->has_dnsmasq ? " (install dnsmasq-base first)" : "");
	} else {
		check_set(r, st, "LIBVIRT-NET-INACTIVE", "There is no 'default' network%s",
			  used ? ": VMs that use it will not start" : "");
		check_action(r, "Run: sudo virsh net-define /usr/share/libvirt/networks/default.xml && sudo virsh "
			     "net-start default && sudo virsh net-autostart default");
	}
}

/* ---- 5.4 session guests on a bridge ---- */

void check_libvirt_session_bridge(const struct facts *facts, struct check_result *r)
{
	const struct facts_libvirt *lv = &facts->libvirt;
	if (lv_skip_not_installed(facts, r))
		return;
	if (!lv_is_session(lv)) {
		check_set(r, CHECK_SKIP, NULL, "Only for qemu:///session: system guests attach bridges through libvirt");
		return;
	}
	if (lv_need_state(facts, r))
		return;
	const char *bridge = NULL, *domain = NULL;
	for (size_t i = 0; i < lv->state.n_domains && !bridge; i++)
		for (size_t k = 0; k < lv->state.domains[i].n_ifaces; k++) {
			const struct host_libvirt_iface *ifc = &lv->state.domains[i].ifaces[k];
			if (strcmp(ifc->type, "bridge") == 0 && ifc->source[0] &&
			    !host_names_contains(&lv->bridge_allow, ifc->source) &&
			    !host_names_contains(&lv->bridge_allow, "all")) {
				bridge = ifc->source;
				domain = lv->state.domains[i].name;
				break;
			}
		}
	if (!bridge) {
		check_set(r, CHECK_PASS, NULL, "Every bridge of the session guests is allowed in /etc/qemu/bridge.conf");
		return;
	}
	check_evidence(r, domain, "<interface type='bridge'> on %s", bridge);
	if (lv->bridge_conf_err)
		check_evidence(r, "/etc/qemu/bridge.conf", "%s", lv->bridge_conf_err == -ENOENT ? "does not exist"
											: host_errno_name(lv->bridge_conf_err));
	else
		check_evidence(r, "/etc/qemu/bridge.conf", "no \"allow %s\" line", bridge);
	lv_line_evidence(lv, "LIBVIRT-SESSION-BRIDGE", 2, r);
	check_set(r, CHECK_FAIL, "LIBVIRT-SESSION-BRIDGE", "The session guest %s cannot attach to %s: "
		  "qemu-bridge-helper does not allow it", domain, bridge);
	check_action(r, "Run: echo \"allow %s\" | sudo tee -a /etc/qemu/bridge.conf", bridge);
}

/* ---- 5.5 storage pool ---- */

void check_libvirt_pool(const struct facts *facts, struct check_result *r)
{
	const struct facts_libvirt *lv = &facts->libvirt;
	if (lv_need_state(facts, r))
		return;
	const struct host_libvirt_pool *pool = host_libvirt_find_pool(&lv->state, "default");
	if (pool && pool->active) {
		check_evidence(r, "virsh pool-info default", "active, target %s", pool->target[0] ? pool->target : "?");
		check_set(r, CHECK_PASS, NULL, "The 'default' storage pool is active");
		return;
	}
	check_evidence(r, "virsh pool-info default", "%s", pool ? "inactive" : "no pool named 'default'");
	check_set(r, CHECK_WARN, "LIBVIRT-POOL-MISSING", "The 'default' storage pool is %s: new VMs cannot get "
		  "disks from virt-manager or virt-install", pool ? "inactive" : "undefined");
	if (pool)
		check_action(r, "Run: sudo virsh pool-start default && sudo virsh pool-autostart default");
	else
		check_action(r, "Run: sudo virsh pool-define-as default dir --target /var/lib/libvirt/images && sudo "
			     "virsh pool-build default && sudo virsh pool-start default && sudo virsh pool-autostart "
			     "default");
}

/* ---- 5.6 per-domain disk permissions ---- */

void check_libvirt_storage(const struct facts *facts, struct check_result *r)
{
	const struct facts_libvirt *lv = &facts->libvirt;
	if (lv_need_state(facts, r))
		return;
	const struct host_libvirt_state *s = &lv->state;
	if (lv_is_session(lv)) {
		check_set(r, CHECK_SKIP, NULL, "Session guests run as you: no qemu user to check");
		return;
	}
	size_t disks = 0, checked = 0, denied = 0, missing = 0;
	const struct host_libvirt_domain *first = NULL;
	for (size_t i = 0; i < s->n_domains; i++)
		for (size_t k = 0; k < s->domains[i].n_disks; k++) {
			const struct host_libvirt_disk *d = &s->domains[i].disks[k];
			disks += d->path[0] == '/';
			checked += d->dac == HOST_LIBVIRT_DAC_OK || d->dac == HOST_LIBVIRT_DAC_DENIED;
			missing += d->dac == HOST_LIBVIRT_DAC_MISSING;
			if (d->dac != HOST_LIBVIRT_DAC_DENIED)
				continue;
			if (!first)
				first = &s->domains[i];
			if (denied++ < 4)
				check_evidence(r, d->blocker, "%s: the qemu user %s cannot reach %s (domain %s)",
					       d->blocker_stat, s->qemu_user[0] ? s->qemu_user : "?", d->path,
					       s->domains[i].name);
		}
	if (disks == 0) {
		check_set(r, CHECK_SKIP, NULL, "No domain has a local disk image");
		return;
	}
	if (denied) {
		lv_line_evidence(lv, "LIBVIRT-STORAGE-PERM", 2, r);
		const char *blocker = NULL;
		for (size_t k = 0; k < first->n_disks && !blocker; k++)
			if (first->disks[k].dac == HOST_LIBVIRT_DAC_DENIED)
				blocker = first->disks[k].blocker;
		check_set(r, CHECK_FAIL, "LIBVIRT-STORAGE-PERM", "The qemu user %s cannot reach %zu disk image(s): %s "
			  "is in the way", s->qemu_user[0] ? s->qemu_user : "?", denied, blocker);
		check_action(r, "Move the image to /var/lib/libvirt/images, or let the qemu user through: sudo setfacl -m "
			     "u:%s:x %s", s->qemu_user[0] ? s->qemu_user : "libvirt-qemu", blocker);
		return;
	}
	if (checked == 0) {
		if (missing)
			check_set(r, CHECK_UNKNOWN, NULL, "%zu disk image(s) do not exist; the others could not be checked "
				  "as the qemu user", missing);
		else
			check_set(r, CHECK_UNKNOWN, NULL, "The disk paths could not be checked as the qemu user (run "
				  "vmdoctor as root)");
		return;
	}
	check_evidence(r, "qemu.conf", "user %s, group %s", s->qemu_user, s->qemu_group);
	check_set(r, CHECK_PASS, NULL, "The qemu user can reach all %zu checked disk image(s)", checked);
}

/* ---- 5.6 mandatory access control ---- */

static void lv_mac_check(const struct facts *facts, struct check_result *r, const char *code, const char *what,
			 const char *action)
{
	const struct facts_libvirt *lv = &facts->libvirt;
	if (lv_skip_not_installed(facts, r))
		return;
	if (lv_line_evidence(lv, code, 4, r)) {
		check_set(r, CHECK_FAIL, code, "%s denied QEMU access to a file", what);
		check_action(r, "%s", action);
		return;
	}
	if (lv->mac_err) {
		check_set(r, CHECK_UNKNOWN, NULL, "Neither the kernel log nor /var/log/audit/audit.log could be read");
		return;
	}
	check_set(r, CHECK_PASS, NULL, "No %s denial for libvirt guests in the logs", what);
}

void check_libvirt_apparmor(const struct facts *facts, struct check_result *r)
{
	lv_mac_check(facts, r, "LIBVIRT-APPARMOR-DENIED", "AppArmor",
		     "Keep images under /var/lib/libvirt/images, or allow the directory in "
		     "/etc/apparmor.d/local/abstractions/libvirt-qemu and reload AppArmor.");
}

void check_libvirt_selinux(const struct facts *facts, struct check_result *r)
{
	lv_mac_check(facts, r, "LIBVIRT-SELINUX-DENIED", "SELinux",
		     "Label the image directory: sudo semanage fcontext -a -t virt_image_t \"/DIR(/.*)?\" && sudo "
		     "restorecon -Rv /DIR");
	if (r->code && strcmp(r->code, "LIBVIRT-SELINUX-DENIED") == 0) {
		for (size_t i = 0; i < facts->libvirt.n_lines; i++)
			if (strstr(facts->libvirt.lines[i].text, "svirt_tcg_t")) {
				check_detail(r, "The denied process ran as svirt_tcg_t: that guest runs without KVM.");
				break;
			}
	}
}

/* ---- 5.7 features a domain uses ---- */

void check_libvirt_ovmf(const struct facts *facts, struct check_result *r)
{
	const struct facts_libvirt *lv = &facts->libvirt;
	if (lv_need_state(facts, r))
		return;
	const struct host_libvirt_domain *efi = NULL;
	size_t n = 0;
	for (size_t i = 0; i < lv->state.n_domains; i++)
		if (lv->state.domains[i].efi && n++ == 0)
			efi = &lv->state.domains[i];
	if (!efi) {
		check_set(r, CHECK_SKIP, NULL, "No domain boots with UEFI");
		return;
	}
	if (lv->missing_loaders.count) {
		check_evidence(r, lv->missing_loaders.items[0], "the <loader> of a UEFI domain does not exist");
	} else if (lv->ovmf[0]) {
		check_evidence(r, lv->ovmf, "UEFI firmware found");
		check_set(r, CHECK_PASS, NULL, "UEFI firmware for the %zu UEFI domain(s) is installed", n);
		return;
	} else {
		check_evidence(r, "/usr/share/OVMF", "no OVMF_CODE*.fd (nor in /usr/share/edk2, /usr/share/qemu/firmware)");
	}
	check_evidence(r, efi->name, "boots with UEFI%s%s", efi->loader[0] ? " from " : "", efi->loader);
	lv_line_evidence(lv, "LIBVIRT-OVMF-MISSING", 2, r);
	check_set(r, CHECK_FAIL, "LIBVIRT-OVMF-MISSING", "The UEFI domain %s cannot start: no UEFI firmware (OVMF) "
		  "%s", efi->name, lv->missing_loaders.count ? "at the path it names" : "is installed");
	check_action(r, "Install the firmware (Debian/Ubuntu: sudo apt install ovmf; Fedora: sudo dnf install "
		     "edk2-ovmf), then restart libvirt.");
}

void check_libvirt_hugepages(const struct facts *facts, struct check_result *r)
{
	const struct facts_libvirt *lv = &facts->libvirt;
	if (lv_need_state(facts, r))
		return;
	const struct host_libvirt_domain *want = NULL;
	for (size_t i = 0; i < lv->state.n_domains && !want; i++)
		if (lv->state.domains[i].hugepages && lv->state.domains[i].state != 1)
			want = &lv->state.domains[i];
	if (!want) {
		check_set(r, CHECK_SKIP, NULL, "No stopped domain is configured for hugepages");
		return;
	}
	if (lv->meminfo_err) {
		check_set(r, CHECK_UNKNOWN, NULL, "Could not read /proc/meminfo: %s", host_errno_name(lv->meminfo_err));
		return;
	}
	bool gig = want->hugepage_kib == 1048576;
	unsigned long size = gig ? 1048576 : (want->hugepage_kib ? want->hugepage_kib : lv->huge_size_kib);
	unsigned long free_pages = gig ? lv->huge_1g_free : lv->huge_free;
	unsigned long need = size ? (want->memory_kib + size - 1) / size : 0;
	check_evidence(r, "/proc/meminfo", "HugePages_Total: %lu, HugePages_Free: %lu, Hugepagesize: %lu kB",
		       lv->huge_total, lv->huge_free, lv->huge_size_kib);
	check_evidence(r, want->name, "<hugepages> of %lu KiB pages, memory %lu KiB (%lu pages)", size,
		       want->memory_kib, need);
	lv_line_evidence(lv, "LIBVIRT-HUGEPAGES", 2, r);
	if (!lv->hugetlbfs_mounted) {
		check_evidence(r, "/proc/mounts", "no hugetlbfs mount");
		check_set(r, CHECK_FAIL, "LIBVIRT-HUGEPAGES", "The domain %s wants hugepages, but no hugetlbfs is "
			  "mounted", want->name);
		check_action(r, "Mount hugetlbfs (sudo mount -t hugetlbfs hugetlbfs /dev/hugepages), then restart "
			     "libvirt.");
		return;
	}
	if (free_pages < need) {
		check_set(r, CHECK_FAIL, "LIBVIRT-HUGEPAGES", "The domain %s needs %lu free hugepages, the host has %lu",
			  want->name, need, free_pages);
		if (gig)
			check_action(r, "Reserve 1 GiB pages at boot: add default_hugepagesz=1G hugepagesz=1G hugepages=%lu "
				     "to the kernel command line.", need);
		else
			check_action(r, "Run: sudo sysctl vm.nr_hugepages=%lu (persist it in /etc/sysctl.d/)",
				     lv->huge_total - lv->huge_free + need);
		return;
	}
	check_set(r, CHECK_PASS, NULL, "Enough free hugepages for %s (%lu of %lu needed)", want->name, free_pages, need);
}

/* Drivers a VFIO group may hold besides vfio-pci (kernel vfio_dev_driver_allowed) — or none. */
static bool lv_driver_viable(const char *driver)
{
	static const char *const ok[] = { "", "vfio-pci", "pci-stub", "pcieport" };
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strcmp(driver, ok[i]) == 0)
			return true;
	return false;
}

/* Is `addr` itself passed to the same domain (libvirt binds managed hostdevs itself)? */
static bool lv_passed_too(const struct facts_libvirt *lv, const char *domain, const char *addr)
{
	for (size_t i = 0; i < lv->n_hostdevs; i++)
		if (strcmp(lv->hostdevs[i].domain, domain) == 0 && strcmp(lv->hostdevs[i].addr, addr) == 0)
			return true;
	return false;
}

void check_libvirt_passthrough(const struct facts *facts, struct check_result *r)
{
	const struct facts_libvirt *lv = &facts->libvirt;
	if (lv_need_state(facts, r))
		return;
	if (lv->n_hostdevs == 0) {
		check_set(r, CHECK_SKIP, NULL, "No domain passes a PCI device through");
		return;
	}
	const struct facts_libvirt_hostdev *first = &lv->hostdevs[0];
	const struct facts_iommu *io = &facts->iommu;
	if ((io->groups_err == 0 && io->groups == 0) || io->groups_err == -ENOENT) {
		check_evidence(r, first->domain, "<hostdev> %s", first->addr);
		check_evidence(r, "/sys/kernel/iommu_groups", "no groups");
		check_set(r, CHECK_FAIL, "PCI-IOMMU-OFF", "The domain %s passes %s through, but the IOMMU is off",
			  first->domain, first->addr);
		check_action(r, "Enable VT-d / AMD-Vi in the firmware setup and add %s iommu=pt to the kernel command "
			     "line, then reboot.", io->ivrs || facts->cpu.vendor == FACTS_VENDOR_AMD ? "amd_iommu=on"
												    : "intel_iommu=on");
		return;
	}
	if (io->groups_err) {
		check_set(r, CHECK_UNKNOWN, NULL, "Could not read /sys/kernel/iommu_groups: %s",
			  host_errno_name(io->groups_err));
		return;
	}
	for (size_t i = 0; i < lv->n_hostdevs; i++) {
		const struct facts_libvirt_hostdev *hd = &lv->hostdevs[i];
		for (size_t m = 0; hd->group_err == 0 && m < hd->n_members; m++) {
			const struct facts_libvirt_member *mem = &hd->members[m];
			if (lv_driver_viable(mem->driver) || lv_passed_too(lv, hd->domain, mem->addr))
				continue;
			char source[96];
			snprintf(source, sizeof source, "/sys/kernel/iommu_groups/%s", hd->group);
			check_evidence(r, hd->domain, "<hostdev> %s", hd->addr);
			check_evidence(r, source, "also holds %s, bound to %s", mem->addr, mem->driver);
			lv_line_evidence(lv, "PCI-VFIO-GROUP-NOT-VIABLE", 2, r);
			check_set(r, CHECK_FAIL, "PCI-VFIO-GROUP-NOT-VIABLE", "IOMMU group %s of %s is not viable: %s "
				  "uses %s, not vfio-pci", hd->group, hd->addr, mem->addr, mem->driver);
			check_action(r, "Pass %s to the VM as well, or bind it to vfio-pci (options vfio-pci ids=... in "
				     "/etc/modprobe.d/vfio.conf), then rebuild the initramfs.", mem->addr);
			return;
		}
	}
	if (lv_line_evidence(lv, "PCI-VFIO-GROUP-NOT-VIABLE", 2, r)) {
		check_set(r, CHECK_FAIL, "PCI-VFIO-GROUP-NOT-VIABLE", "The kernel reported an IOMMU group that is not "
			  "viable for VFIO");
		check_action(r, "Bind every device of that IOMMU group to vfio-pci, or pass them all to the VM.");
		return;
	}
	check_evidence(r, "/sys/kernel/iommu_groups", "%zu groups", io->groups);
	check_set(r, CHECK_PASS, NULL, "The IOMMU is on and the %zu passed-through device(s) have viable groups",
		  lv->n_hostdevs);
}
