/* SPDX-License-Identifier: MIT */
/* The fix table: each fix builds an explicit plan of file, command and manual steps, each with its undo. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "vmdoctor/fix.h"
#include "vmdoctor/facts_secureboot.h"
#include "vmdoctor/facts_vbox.h"
#include "vmdoctor/virt.h"
#include "vmdoctor/xalloc.h"

#define FILE_LIMIT (256 * 1024)

static struct fix_step *step_new(struct fix_plan *plan, enum fix_step_kind kind, const char *what)
{
	if (plan->n_steps >= FIX_MAX_STEPS)
		return NULL;
	struct fix_step *s = &plan->steps[plan->n_steps++];
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->what = xstrdup(what);
	return s;
}

/* Copy a NULL-terminated list of words into a step's argv array. */
static void argv_copy(char **dst, const char *const *src)
{
	for (size_t i = 0; src && src[i] && i + 1 < FIX_MAX_ARGV; i++)
		dst[i] = xstrdup(src[i]);
}

static void step_command(struct fix_plan *plan, const char *what, const char *const *argv,
			 const char *const *undo_argv, const char *undo)
{
	struct fix_step *s = step_new(plan, FIX_STEP_COMMAND, what);
	if (!s)
		return;
	argv_copy(s->argv, argv);
	argv_copy(s->undo_argv, undo_argv);
	s->undo = xstrdup(undo ? undo : "nothing to undo");
}

static void step_manual(struct fix_plan *plan, const char *what, const char *text)
{
	struct fix_step *s = step_new(plan, FIX_STEP_MANUAL, what);
	if (!s)
		return;
	s->text = xstrdup(text);
	s->undo = xstrdup("undo it the same way by hand if needed");
}

/* A libvirt call on one network or storage pool; `undo` NONE when it cannot be taken back. */
static void step_libvirt(struct fix_plan *plan, const char *uri, const char *what, enum host_libvirt_action action,
			 enum host_libvirt_action undo, const char *name)
{
	struct fix_step *s = step_new(plan, FIX_STEP_LIBVIRT, what);
	if (!s)
		return;
	s->libvirt_uri = xstrdup(uri);
	s->libvirt_name = xstrdup(name);
	s->libvirt_action = action;
	s->libvirt_undo = undo;
	s->undo = undo == HOST_LIBVIRT_ACTION_NONE ? xstrdup("nothing to undo")
		  : xasprintf("libvirt %s %s (only when this step changed it)", host_libvirt_action_name(undo), name);
}

/* Move a file into the run's backups; undo moves it back. */
static void step_set_aside(struct fix_plan *plan, const char *path, const char *what)
{
	struct fix_step *s = step_new(plan, FIX_STEP_SET_ASIDE, what);
	if (!s)
		return;
	s->path = xstrdup(path);
	s->undo = xasprintf("move %s back from the run's backups", path);
}

/* A file step: the current content is read through the host layer so the diff shows this machine's file. */
static void step_file(struct fix_plan *plan, struct host *host, const char *path, char *new_content,
		      const char *what)
{
	struct fix_step *s = step_new(plan, FIX_STEP_FILE, what);
	if (!s) {
		free(new_content);
		return;
	}
	struct host_buf buf = { 0 };
	s->path = xstrdup(path);
	s->new_content = new_content;
	if (host_read_file(host, path, FILE_LIMIT, &buf) == 0) {
		s->old_content = buf.data;
		s->undo = xasprintf("restore the old %s from the run's backup", path);
	} else {
		s->undo = xasprintf("delete %s", path);
	}
}

static char *read_text(struct host *host, const char *path)
{
	struct host_buf buf = { 0 };
	if (host_read_file(host, path, FILE_LIMIT, &buf) < 0)
		return NULL;
	return buf.data;
}

/* `text` without line number `lineno` (1-based). */
static char *drop_line(const char *text, unsigned lineno)
{
	size_t len = strlen(text);
	char *out = xcalloc(len + 1, 1);
	unsigned n = 1;
	size_t o = 0;
	for (const char *p = text; *p;) {
		const char *eol = strchr(p, '\n');
		size_t l = eol ? (size_t)(eol - p) + 1 : strlen(p);
		if (n != lineno) {
			memcpy(out + o, p, l);
			o += l;
		}
		p += l;
		n++;
	}
	return out;
}

/* The KVM vendor module in use (kvm_pvm on some cloud guests), else the one for this CPU's vendor. */
static const char *kvm_module(const struct facts *f)
{
	const char *loaded = virt_kvm_vendor_module(f);
	if (loaded)
		return loaded;
	return f->cpu.vendor == FACTS_VENDOR_AMD ? "kvm_amd" : "kvm_intel";
}

static const char *user_name(const struct facts *f)
{
	const char *sudo = getenv("SUDO_USER");
	if (f->user.user.name[0] && strcmp(f->user.user.name, "root") != 0)
		return f->user.user.name;
	return sudo && *sudo ? sudo : f->user.user.name;
}

static bool mentions_kvm_block(const char *line)
{
	return (strncmp(line, "blacklist kvm", 13) == 0) ||
	       (strncmp(line, "install kvm", 11) == 0 && strstr(line, "/bin/false"));
}

/* A file step per modprobe.d line (facts: lines that mention kvm) matching `match`, bottom up so that
 * earlier line numbers of the same file stay right. */
static void drop_modprobe_lines(const struct facts *f, struct host *host, struct fix_plan *plan,
				bool (*match)(const char *line))
{
	for (size_t i = f->modprobe.count; i-- > 0;) {
		const struct facts_modprobe_line *l = &f->modprobe.lines[i];
		if (!match(l->text))
			continue;
		char *old = read_text(host, l->file);
		if (!old)
			continue;
		char *what = xasprintf("remove line %u of %s: %s", l->line, l->file, l->text);
		step_file(plan, host, l->file, drop_line(old, l->line), what);
		free(what);
		free(old);
	}
}

static bool module_loaded(const struct facts *f, const char *name)
{
	const struct facts_module *m = facts_module_find(f, name);
	return m && (m->in_proc_modules || m->in_sys_module);
}

/* Blocking modprobe.d lines out, then the vendor module in unless it is loaded (undo unloads only what
 * the run loaded). */
static void kvm_load_steps(const struct facts *f, struct host *host, struct fix_plan *plan)
{
	drop_modprobe_lines(f, host, plan, mentions_kvm_block);
	const char *mod = kvm_module(f);
	if (module_loaded(f, mod))
		return;
	const char *argv[] = { "/sbin/modprobe", mod, NULL };
	const char *undo[] = { "/sbin/modprobe", "-r", mod, NULL };
	char *what = xasprintf("load %s (creates /dev/kvm)", mod);
	char *u = xasprintf("modprobe -r %s", mod);
	step_command(plan, what, argv, undo, u);
	free(what);
	free(u);
}

static int build_kvm_load(const struct facts *f, struct host *host, struct fix_plan *plan, char *why, size_t n)
{
	kvm_load_steps(f, host, plan);
	if (plan->n_steps == 0) {
		snprintf(why, n, "%s is loaded already and nothing blocks it: KVM's own message in the kernel log says "
			 "why /dev/kvm is missing", kvm_module(f));
		return -1;
	}
	return 0;
}

static int build_group(const struct facts *f, const char *group, struct fix_plan *plan, char *why, size_t n)
{
	const char *user = user_name(f);
	if (!user[0] || strcmp(user, "root") == 0) {
		snprintf(why, n, "cannot tell which user to add to '%s' (run it through sudo from your account)", group);
		return -1;
	}
	const char *argv[] = { "/usr/sbin/usermod", "-aG", group, user, NULL };
	const char *undo[] = { "/usr/bin/gpasswd", "-d", user, group, NULL };
	char *what = xasprintf("add %s to the group %s", user, group);
	char *u = xasprintf("gpasswd -d %s %s", user, group);
	step_command(plan, what, argv, undo, u);
	step_manual(plan, "start a new login session",
		    "Log out and back in (or reboot) so the new group applies; `newgrp` only helps one shell.");
	free(what);
	free(u);
	return 0;
}

static int build_kvm_group(const struct facts *f, struct host *h, struct fix_plan *p, char *why, size_t n)
{
	(void)h;
	return build_group(f, "kvm", p, why, n);
}

/* The group libvirt's polkit rule allows: "libvirt", "libvirtd" on older Debian. */
static int build_libvirt_group(const struct facts *f, struct host *h, struct fix_plan *p, char *why, size_t n)
{
	char *groups = read_text(h, "/etc/group");
	bool old = groups && !strstr(groups, "\nlibvirt:") && strncmp(groups, "libvirt:", 8) != 0 &&
		   (strstr(groups, "\nlibvirtd:") || strncmp(groups, "libvirtd:", 9) == 0);
	free(groups);
	return build_group(f, old ? "libvirtd" : "libvirt", p, why, n);
}

static int build_vbox_group(const struct facts *f, struct host *h, struct fix_plan *p, char *why, size_t n)
{
	(void)h;
	return build_group(f, "vboxusers", p, why, n);
}

#define UDEV_KVM_RULE "KERNEL==\"kvm\", GROUP=\"kvm\", MODE=\"0660\""

/* The knowledge base's local override, appended to 65-kvm.rules (kept when it has other rules). */
static int build_udev_rule(const struct facts *f, struct host *host, struct fix_plan *plan, char *why, size_t n)
{
	(void)f;
	const char *path = "/etc/udev/rules.d/65-kvm.rules";
	char *old = read_text(host, path);
	if (old && strstr(old, UDEV_KVM_RULE)) {
		snprintf(why, n, "%s already has the rule; run: sudo udevadm trigger --name-match=kvm", path);
		free(old);
		return -1;
	}
	size_t len = old ? strlen(old) : 0;
	step_file(plan, host, path,
		  xasprintf("%s%s# Added by vmdoctor: /dev/kvm for the kvm group\n" UDEV_KVM_RULE "\n", old ? old : "",
			    len && old[len - 1] != '\n' ? "\n" : ""),
		  "add a udev rule giving /dev/kvm to the kvm group, mode 0660");
	free(old);
	const char *reload[] = { "/usr/bin/udevadm", "control", "--reload-rules", NULL };
	const char *argv[] = { "/usr/bin/udevadm", "trigger", "--name-match=kvm", NULL };
	step_command(plan, "make udev read the rules again", reload, NULL, "nothing");
	step_command(plan, "apply the rule to /dev/kvm now", argv, NULL,
		     "nothing (the rule's removal applies at the next trigger or boot)");
	return 0;
}

/* A modprobe.d file plus a module reload, for settings read at module load. */
static void modprobe_conf(struct fix_plan *plan, struct host *host, const char *path, const char *line,
			  const char *mod, const char *what)
{
	step_file(plan, host, path, xasprintf("# Written by vmdoctor\n%s\n", line), what);
	const char *unload[] = { "/sbin/modprobe", "-r", mod, NULL };
	const char *load[] = { "/sbin/modprobe", mod, NULL };
	char *w1 = xasprintf("unload %s (stop running VMs first)", mod);
	char *w2 = xasprintf("load %s with the new option", mod);
	step_command(plan, w1, unload, load, "load the module again");
	step_command(plan, w2, load, NULL, "nothing (the file's removal applies at the next load)");
	free(w1);
	free(w2);
}

/* "options kvm_intel nested=0" (or N, or kvm_amd): it would still win over vmdoctor's file. */
static bool disables_nested(const char *line)
{
	const char *v = strstr(line, "nested=");
	return strncmp(line, "options kvm_", 12) == 0 && v && (v[7] == '0' || v[7] == 'N' || v[7] == 'n');
}

static int build_nested(const struct facts *f, struct host *host, struct fix_plan *plan, char *why, size_t n)
{
	(void)why;
	(void)n;
	const char *mod = kvm_module(f);
	char *line = xasprintf("options %s nested=1", mod);
	drop_modprobe_lines(f, host, plan, disables_nested);
	modprobe_conf(plan, host, "/etc/modprobe.d/kvm-nested.conf", line, mod, "enable nested virtualization");
	step_manual(plan, "give the guests the host CPU",
		    "For each guest that should run VMs itself: virsh edit VM and set <cpu mode='host-passthrough'/> "
		    "(or host-model without a disabled vmx/svm feature), then power the guest off and on.");
	free(line);
	return 0;
}

/* "options kvm enable_virt_at_load=0": the override VirtualBox >= 7.2.10 cannot work with. */
static bool virt_at_load_off(const char *line)
{
	const char *v = strstr(line, "enable_virt_at_load=");
	return strncmp(line, "options kvm ", 12) == 0 && v && (v[20] == '0' || v[20] == 'N' || v[20] == 'n');
}

/* Unload the vendor module and kvm itself (kvm's own parameters apply only when kvm loads again). */
static void reload_kvm(const struct facts *f, struct fix_plan *plan, bool load_again)
{
	const char *mod = kvm_module(f);
	const char *unload[] = { "/sbin/modprobe", "-r", mod, "kvm", NULL };
	const char *load[] = { "/sbin/modprobe", mod, NULL };
	char *w = xasprintf("unload %s and kvm (stop KVM/QEMU/libvirt VMs first)", mod);
	char *u = xasprintf("modprobe %s", mod);
	step_command(plan, w, unload, load, u);
	if (load_again)
		step_command(plan, "load KVM again with the new setting", load, NULL,
			     "nothing (the file's restore applies at the next load)");
	free(w);
	free(u);
}

/*
 * VBOX-KVM-CONFLICT, by the knowledge base's matrix (facts_vbox_kvm_rule): before 6.12 KVM holds VT-x
 * only while its VMs run, so unloading it is the whole fix; on 6.12+ with VirtualBox <= 7.2.8 the
 * override enable_virt_at_load=0 is the fix; with VirtualBox >= 7.2.10 that override is the problem.
 */
static int build_vbox_coexist(const struct facts *f, struct host *host, struct fix_plan *plan, char *why,
			      size_t n)
{
	if (f->kernel.major == 0) {
		snprintf(why, n, "the running kernel's version is unknown, and the right setting depends on it");
		return -1;
	}
	const struct facts_vbox *vb = &f->vbox;
	const struct facts_vbox_kvm_rule *rule =
		vb->product_known ? facts_vbox_kvm_rule(f->kernel.major, f->kernel.minor, vb->product.num, false) : NULL;
	if (rule && rule->verdict == FACTS_VBOX_KVM_OVERRIDE_BREAKS) {
		size_t before = plan->n_steps;
		drop_modprobe_lines(f, host, plan, virt_at_load_off);
		if (f->cmdline.text && strstr(f->cmdline.text, "kvm.enable_virt_at_load=0"))
			step_manual(plan, "remove kvm.enable_virt_at_load=0 from the kernel command line",
				    "Edit GRUB_CMDLINE_LINUX in /etc/default/grub, drop kvm.enable_virt_at_load=0, run "
				    "sudo update-grub (Fedora: sudo grub2-mkconfig -o /boot/grub2/grub.cfg) and reboot.");
		else if (plan->n_steps == before) {
			snprintf(why, n, "VirtualBox %s needs KVM's default (enable_virt_at_load=1), but no override was "
				 "found to remove", vb->product.text);
			return -1;
		}
		reload_kvm(f, plan, true);
		return 0;
	}
	if (!facts_kernel_at_least(f, 6, 12)) {
		step_manual(plan, "stop the KVM guests",
			    "Before Linux 6.12 KVM holds VT-x/AMD-V only while its guests run: shut down the "
			    "KVM/QEMU/libvirt VMs (virsh list --all) before starting VirtualBox VMs.");
		reload_kvm(f, plan, false);
		return 0;
	}
	step_file(plan, host, "/etc/modprobe.d/kvm-virtualbox.conf",
		  xstrdup("# Written by vmdoctor: KVM enables VT-x/AMD-V only while a KVM guest runs (Linux 6.12+,\n"
			  "# VirtualBox up to 7.2.8). Remove it for VirtualBox 7.2.10 or later.\n"
			  "options kvm enable_virt_at_load=0\n"),
		  vb->product_known ? "let KVM leave VT-x/AMD-V off until a KVM guest starts (VirtualBox can use it)"
				    : "let KVM leave VT-x/AMD-V off until a KVM guest starts (VirtualBox version unknown: "
				      "right for VirtualBox up to 7.2.8)");
	reload_kvm(f, plan, true);
	return 0;
}

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

/* The knowledge base's `systemctl enable --now`; undone by `disable --now` (the plan says it was off). */
static int build_libvirtd(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	(void)why;
	(void)n;
	static const char *const modular[] = { "/usr/bin/systemctl", "enable", "--now", "virtqemud.socket",
					       "virtnetworkd.socket", "virtstoraged.socket", "virtnodedevd.socket",
					       "virtnwfilterd.socket", "virtsecretd.socket", NULL };
	static const char *const modular_off[] = { "/usr/bin/systemctl", "disable", "--now", "virtqemud.socket",
						   "virtnetworkd.socket", "virtstoraged.socket", "virtnodedevd.socket",
						   "virtnwfilterd.socket", "virtsecretd.socket", NULL };
	static const char *const mono[] = { "/usr/bin/systemctl", "enable", "--now", "libvirtd.service", NULL };
	static const char *const mono_off[] = { "/usr/bin/systemctl", "disable", "--now", "libvirtd.service", NULL };
	bool mod = libvirt_modular(f, h);
	step_command(plan, mod ? "start the modular libvirt daemons' sockets now and at every boot"
			       : "start libvirtd now and at every boot",
		     mod ? modular : mono, mod ? modular_off : mono_off,
		     mod ? "systemctl disable --now virtqemud.socket virtnetworkd.socket ... (the sockets this step enabled)"
			 : "systemctl disable --now libvirtd.service");
	return 0;
}

static const char *libvirt_uri(const struct facts *f)
{
	return f->libvirt.uri[0] ? f->libvirt.uri : "qemu:///system";
}

static int install_package(struct host *host, struct fix_plan *plan, const char *deb, const char *rpm,
			   const char *rpm_spec, char *why, size_t n);

/*
 * Network state changes go through libvirt's API (host_libvirt_call: a forked child with a deadline,
 * libvirt dlopen()ed there), so they need no virsh and their undo is exact: a step that found the
 * network already in the wanted state is journalled as unchanged and not undone.
 */
static int build_net_start(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	const char *uri = libvirt_uri(f);
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
		step_command(plan, "define the network 'default' from libvirt's template (libvirt-daemon-config-network)",
			     def, undef, "virsh net-undefine default");
	}
	if (net && net->has_ip && !f->libvirt.has_dnsmasq && install_package(h, plan, "dnsmasq-base", "dnsmasq",
									      NULL, why, n) < 0)
		return -1;
	step_libvirt(plan, uri, "start the libvirt network 'default'", HOST_LIBVIRT_NET_START, HOST_LIBVIRT_NET_STOP,
		     "default");
	step_libvirt(plan, uri, "start 'default' at every boot (autostart)", HOST_LIBVIRT_NET_AUTOSTART,
		     HOST_LIBVIRT_NET_NO_AUTOSTART, "default");
	return 0;
}

/*
 * LIBVIRT-NO-KVM is a symptom: once KVM works (the vendor module loaded), libvirt must probe the QEMU
 * capabilities again (a daemon restart), and guests created as type 'qemu' while KVM was missing must be
 * switched back by hand (virsh edit), as the knowledge base says.
 */
static int build_libvirt_kvm(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	const struct host_libvirt_state *s = &f->libvirt.state;
	kvm_load_steps(f, h, plan);
	if (f->libvirt.err == 0 && s->conn == HOST_LIBVIRT_OK && !(s->caps_known && s->kvm_offered)) {
		const char *unit = libvirt_modular(f, h) ? "virtqemud.service" : "libvirtd.service";
		const char *restart[] = { "/usr/bin/systemctl", "restart", unit, NULL };
		char *what = xasprintf("restart %s so it probes QEMU's capabilities again (it cached them without KVM)", unit);
		step_command(plan, what, restart, NULL, "nothing");
		free(what);
	}
	for (size_t i = 0; i < s->n_domains && plan->n_steps < FIX_MAX_STEPS; i++) {
		if (strcmp(s->domains[i].type, "qemu") != 0)
			continue;
		char *what = xasprintf("switch the guest %s from TCG to KVM", s->domains[i].name);
		char *text = xasprintf("With the guest shut off: sudo virsh edit %s and change <domain type='qemu'> to "
				       "<domain type='kvm'>.", s->domains[i].name);
		step_manual(plan, what, text);
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
static int build_pool(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	(void)h;
	const char *uri = libvirt_uri(f);
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
		step_command(plan, "define the storage pool 'default' on /var/lib/libvirt/images", def, undef,
			     "virsh pool-undefine default");
		step_command(plan, "create its folder when missing", build, NULL, "nothing (the folder stays)");
	}
	step_libvirt(plan, uri, "start the storage pool 'default'", HOST_LIBVIRT_POOL_START, HOST_LIBVIRT_POOL_STOP,
		     "default");
	step_libvirt(plan, uri, "start 'default' at every boot (autostart)", HOST_LIBVIRT_POOL_AUTOSTART,
		     HOST_LIBVIRT_POOL_NO_AUTOSTART, "default");
	return 0;
}

/* "debian" or "fedora" family from /etc/os-release; NULL when neither. */
static const char *os_family(struct host *host)
{
	char *t = read_text(host, "/etc/os-release");
	const char *fam = NULL;
	if (t) {
		if (strstr(t, "debian") || strstr(t, "ubuntu"))
			fam = "debian";
		else if (strstr(t, "fedora") || strstr(t, "rhel") || strstr(t, "centos"))
			fam = "fedora";
		free(t);
	}
	return fam;
}

/* apt-get or dnf by /etc/os-release; `rpm_spec` (may be NULL) is what dnf installs when it differs from the
 * package name removed on undo ("kernel-devel-uname-r == 6.5.6-300.fc39.x86_64"). */
static int install_package(struct host *host, struct fix_plan *plan, const char *deb, const char *rpm,
			   const char *rpm_spec, char *why, size_t n)
{
	const char *fam = os_family(host);
	if (!fam) {
		snprintf(why, n, "unknown distribution in /etc/os-release: install the package by hand");
		return -1;
	}
	bool d = strcmp(fam, "debian") == 0;
	const char *tool = d ? "/usr/bin/apt-get" : "/usr/bin/dnf";
	const char *pkg = d ? deb : rpm;
	const char *argv[] = { tool, "install", "-y", d || !rpm_spec ? pkg : rpm_spec, NULL };
	const char *undo[] = { tool, "remove", "-y", pkg, NULL };
	char *what = xasprintf("install %s", pkg);
	char *u = xasprintf("%s remove -y %s", tool, pkg);
	step_command(plan, what, argv, undo, u);
	free(what);
	free(u);
	return 0;
}

/* Install the backend's tool, restart the daemon that applies the rules, then start 'default' if it is down. */
static int build_firewall(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	bool ipt = strcmp(f->libvirt.firewall_backend, "iptables") == 0;
	if (install_package(h, plan, ipt ? "iptables" : "nftables", ipt ? "iptables-nft" : "nftables", NULL, why, n) < 0)
		return -1;
	const char *unit = libvirt_modular(f, h) ? "virtnetworkd.service" : "libvirtd.service";
	const char *restart[] = { "/usr/bin/systemctl", "restart", unit, NULL };
	char *what = xasprintf("restart %s so it finds the firewall tool", unit);
	step_command(plan, what, restart, NULL, "nothing");
	free(what);
	const struct host_libvirt_net *net = host_libvirt_find_net(&f->libvirt.state, "default");
	if (net && !net->active)
		step_libvirt(plan, libvirt_uri(f), "start the libvirt network 'default'", HOST_LIBVIRT_NET_START,
			     HOST_LIBVIRT_NET_STOP, "default");
	return 0;
}

/* Headers for the running kernel (dnf by the knowledge base's uname-r provide), then DKMS rebuilds. */
static int build_headers(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	if (!f->kernel.release[0]) {
		snprintf(why, n, "the running kernel's release is unknown");
		return -1;
	}
	char *deb = xasprintf("linux-headers-%s", f->kernel.release);
	char *rpm = xasprintf("kernel-devel-%s", f->kernel.release);
	char *spec = xasprintf("kernel-devel-uname-r == %s", f->kernel.release);
	int rc = install_package(h, plan, deb, rpm, spec, why, n);
	free(deb);
	free(rpm);
	free(spec);
	if (rc == 0 && host_exists(h, "/usr/sbin/dkms")) {
		const char *dkms[] = { "/usr/sbin/dkms", "autoinstall", "-k", f->kernel.release, NULL };
		step_command(plan, "build the DKMS modules for the running kernel", dkms, NULL,
			     "nothing (the modules stay built)");
	}
	return rc;
}

static bool seen(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
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
static int build_storage_perm(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	(void)h;
	const struct host_libvirt_state *s = &f->libvirt.state;
	const char *user = s->qemu_user[0] ? s->qemu_user : "libvirt-qemu";
	const char *done[FIX_MAX_STEPS];
	size_t n_done = 0;
	for (size_t i = 0; i < s->n_domains; i++) {
		for (size_t k = 0; k < s->domains[i].n_disks; k++) {
			const struct host_libvirt_disk *d = &s->domains[i].disks[k];
			if (d->dac != HOST_LIBVIRT_DAC_DENIED || d->blocker[0] != '/' || seen(done, n_done, d->blocker) ||
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
			step_command(plan, what, argv, undo, u);
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
static int build_apparmor(const struct facts *f, struct host *host, struct fix_plan *plan, char *why, size_t n)
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
	char *old = read_text(host, APPARMOR_LOCAL);
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
		step_command(plan, "check that the guest's profile reloads (before any change)", reload, reload,
			     "apparmor_parser -r again, after the file is restored");
	char *what = xasprintf("allow %s/ in the AppArmor abstraction of every guest", dir);
	step_file(plan, host, APPARMOR_LOCAL, content, what);
	free(what);
	if (per_vm)
		step_command(plan, "reload the guest's profile with the new rule", reload, NULL,
			     "nothing here (the first step's undo reloads)");
	else
		step_manual(plan, "restart the guest",
			    "Shut the guest down and start it again: libvirt loads its profile with the new rule then.");
	if (strstr(dir, "/."))
		step_manual(plan, "if it is still denied, move the image",
			    "The image is under a hidden folder: libvirt's virt-aa-helper profile denies hidden folders of "
			    "home directories, and a deny rule wins over this allow rule. If the guest still fails, move the "
			    "image to /var/lib/libvirt/images.");
	free(pfile);
	free(old);
	free(rule);
	return 0;
}

/*
 * VMW-*: copies of vmmon/vmnet outside misc/ (where vmware-modconfig installs) can shadow the fresh
 * build, so they are moved into the run's backups first (undo moves them back). The module index is
 * refreshed both first (its undo, which runs last on undo, indexes the restored copies) and last.
 */
static int build_vmware(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	(void)h;
	(void)why;
	(void)n;
	const struct facts_vmware *vm = &f->vmware;
	const char *depmod[] = { "/sbin/depmod", "-a", NULL };
	bool shadows = false;
	for (size_t i = 0; i < vm->ko_count; i++)
		shadows |= strstr(vm->ko[i].path, "/misc/") == NULL;
	if (shadows)
		step_command(plan, "refresh the module index (before any change)", depmod, depmod,
			     "depmod -a again, after the copies are back");
	for (size_t i = 0; i < vm->ko_count; i++) {
		if (strstr(vm->ko[i].path, "/misc/"))
			continue;
		char *what = xasprintf("move the stale copy %s aside (it can shadow the rebuilt module)", vm->ko[i].path);
		step_set_aside(plan, vm->ko[i].path, what);
		free(what);
	}
	const char *build[] = { "/usr/bin/vmware-modconfig", "--console", "--install-all", NULL };
	const char *restart[] = { "/usr/bin/systemctl", "restart", "vmware", NULL };
	step_command(plan, "rebuild and install vmmon and vmnet for the running kernel (into misc/)", build, NULL,
		     "nothing (rebuilding again gives the same modules)");
	step_command(plan, "refresh the module index", depmod, NULL, "nothing");
	step_command(plan, "restart the VMware services so the new modules load (power the VMs off first)", restart,
		     NULL, "nothing");
	if (f->secureboot.mode == FACTS_SB_ON)
		step_manual(plan, "sign vmmon and vmnet",
			    "Secure Boot is on and vmware-modconfig does not sign: sign both modules with your enrolled "
			    "MOK (vmdoctor explain VMW-SECUREBOOT), then: sudo modprobe vmmon vmnet.");
	return 0;
}

/* Oracle's packages ship /sbin/vboxconfig; distribution packages build through DKMS instead. */
static int build_vboxconfig(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	if (host_exists(h, "/sbin/vboxconfig") || host_exists(h, "/usr/sbin/vboxconfig") || !host_exists(h, "/usr/sbin/dkms")) {
		const char *argv[] = { "/sbin/vboxconfig", NULL };
		step_command(plan, "rebuild and load the VirtualBox kernel modules (on failure: /var/log/vbox-setup.log)",
			     argv, NULL, "nothing (rebuilding again gives the same modules)");
		return 0;
	}
	if (!f->kernel.release[0]) {
		snprintf(why, n, "the running kernel's release is unknown");
		return -1;
	}
	const char *dkms[] = { "/usr/sbin/dkms", "autoinstall", "-k", f->kernel.release, NULL };
	const char *load[] = { "/sbin/modprobe", "vboxdrv", NULL };
	const char *unload[] = { "/sbin/modprobe", "-r", "vboxdrv", NULL };
	step_command(plan, "build the VirtualBox modules (virtualbox-dkms) for the running kernel", dkms, NULL,
		     "nothing (the modules stay built)");
	step_command(plan, "load vboxdrv", load, unload, "modprobe -r vboxdrv");
	return 0;
}

/* ---- Secure Boot: sign the product's modules with a MOK and queue its enrollment ---- */

struct mok_pair {
	const char *key;        /* private key */
	const char *cert;       /* DER certificate, what mokutil enrolls */
};

/* The key pairs the knowledge base names: DKMS's own (framework.conf default) and Ubuntu's shim-signed. */
static const struct mok_pair mok_pairs[] = {
	{ "/var/lib/dkms/mok.key", "/var/lib/dkms/mok.pub" },
	{ "/var/lib/shim-signed/mok/MOK.priv", "/var/lib/shim-signed/mok/MOK.der" },
};

/* The pair whose certificate the facts found (facts->secureboot.mok.key_path), or NULL. */
static const struct mok_pair *mok_found(const struct facts *f)
{
	const char *cert = f->secureboot.mok.key_path;
	for (size_t i = 0; cert && i < sizeof mok_pairs / sizeof mok_pairs[0]; i++)
		if (strcmp(mok_pairs[i].cert, cert) == 0)
			return &mok_pairs[i];
	return NULL;
}

/* Create the shim-signed pair with the knowledge base's openssl line (codeSigning usage, 100 years). */
static const struct mok_pair *mok_create(struct fix_plan *plan)
{
	const struct mok_pair *p = &mok_pairs[1];
	const char *mk[] = { "/bin/mkdir", "-p", "-m", "0700", "/var/lib/shim-signed/mok", NULL };
	const char *gen[] = { "/usr/bin/openssl", "req", "-nodes", "-new", "-x509", "-newkey", "rsa:2048", "-outform",
			      "DER", "-addext", "extendedKeyUsage=codeSigning", "-keyout", p->key, "-out", p->cert,
			      "-days", "36500", "-subj", "/CN=vmdoctor module signing key/", NULL };
	const char *rm[] = { "/bin/rm", "-f", p->key, p->cert, NULL };
	step_command(plan, "make a folder for the signing key", mk, NULL, "nothing (an empty folder stays)");
	step_command(plan, "create a Machine Owner Key (MOK) to sign modules with", gen, rm,
		     "delete the new key pair");
	return p;
}

/* Sign `ko` in place; a signature only adds trust, and a rebuild of the module drops it again. */
static void sign_ko(const struct facts *f, struct fix_plan *plan, const struct mok_pair *p, const char *ko)
{
	char *tool = xasprintf("/lib/modules/%s/build/scripts/sign-file", f->kernel.release);
	const char *argv[] = { tool, "sha256", p->key, p->cert, ko, NULL };
	char *what = xasprintf("sign %s with the MOK", ko);
	step_command(plan, what, argv, NULL, "nothing (the signature does not change what the module does)");
	free(what);
	free(tool);
}

/* Modules built and installed together with vboxdrv or vmmon: signed with it. */
static const struct {
	const char *module;
	const char *siblings[2];
} sb_siblings[] = {
	{ "vboxdrv", { "vboxnetflt.ko", "vboxnetadp.ko" } },
	{ "vmmon", { "vmnet.ko", NULL } },
};

/* Every unsigned vboxdrv/vmmon/vmnet .ko of the running kernel, and the modules built with it. */
static size_t sign_unsigned(const struct facts *f, struct host *h, struct fix_plan *plan, const struct mok_pair *p)
{
	char *paths[FIX_MAX_STEPS];
	size_t n = 0;
	for (size_t i = 0; i < f->secureboot.n_modules; i++) {
		const struct facts_sb_module *m = &f->secureboot.modules[i];
		const char *slash = strrchr(m->ko_path, '/');
		if (!m->ko_present || m->signer_err != 0 || m->signer[0] || m->ko_path[0] != '/' || !slash)
			continue;
		if (n < FIX_MAX_STEPS && !seen((const char *const *)paths, n, m->ko_path))
			paths[n++] = xstrdup(m->ko_path);
		for (size_t k = 0; k < sizeof sb_siblings / sizeof sb_siblings[0]; k++) {
			for (size_t j = 0; strcmp(sb_siblings[k].module, m->name) == 0 && j < 2 && sb_siblings[k].siblings[j];
			     j++) {
				char *sib = xasprintf("%.*s/%s", (int)(slash - m->ko_path), m->ko_path, sb_siblings[k].siblings[j]);
				if (n < FIX_MAX_STEPS && host_exists(h, sib) && !seen((const char *const *)paths, n, sib))
					paths[n++] = sib;
				else
					free(sib);
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		sign_ko(f, plan, p, paths[i]);
		free(paths[i]);
	}
	return n;
}

/* Queue the certificate for MokManager and say what happens at the next boot. */
static void mok_enroll(const struct facts *f, struct fix_plan *plan, const struct mok_pair *p)
{
	if (f->secureboot.mok.state != FACTS_MOK_PENDING) {
		/* --root-pw: MokManager then asks for root's password, so nothing has to be typed here */
		const char *imp[] = { "/usr/bin/mokutil", "--import", p->cert, "--root-pw", NULL };
		const char *revoke[] = { "/usr/bin/mokutil", "--revoke-import", NULL };
		step_command(plan, "queue the key for enrollment at the next boot", imp, revoke,
			     "mokutil --revoke-import (cancels the queued enrollment)");
	}
	bool pending = f->secureboot.mok.state == FACTS_MOK_PENDING;
	char *text = xasprintf("Reboot with the keyboard and screen at hand. In the blue MokManager screen choose "
			       "Enroll MOK > Continue > Yes and type %s; it waits only about 10 seconds.%s%s%s",
			       pending ? "the password chosen when the key was imported" : "root's password",
			       pending ? "" : " If root has no password, queue it yourself instead: sudo mokutil --import ",
			       pending ? "" : p->cert, pending ? "" : " (it asks for a one-time password).");
	step_manual(plan, "enroll the key in MokManager at the next boot", text);
	free(text);
}

static int build_sb_sign(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	if (!f->kernel.release[0]) {
		snprintf(why, n, "the running kernel's release is unknown");
		return -1;
	}
	const struct mok_pair *p = mok_found(f);
	bool fresh = p == NULL;
	if (fresh)
		p = mok_create(plan);
	if (sign_unsigned(f, h, plan, p) == 0) {
		snprintf(why, n, "no unsigned vboxdrv, vmmon or vmnet module of the running kernel was found");
		return -1;
	}
	if (fresh || f->secureboot.mok.state != FACTS_MOK_ENROLLED)
		mok_enroll(f, plan, p);
	step_manual(plan, "load the modules",
		    "After the key is enrolled (or now, when it already was): sudo modprobe vboxdrv (VirtualBox) or "
		    "sudo modprobe vmmon vmnet (VMware).");
	return 0;
}

static int build_sb_enroll(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	(void)h;
	const struct mok_pair *p = mok_found(f);
	if (!p) {
		snprintf(why, n, "no signing key found (/var/lib/dkms/mok.pub, /var/lib/shim-signed/mok/MOK.der): "
			 "use the fix sb-sign-modules");
		return -1;
	}
	if (f->secureboot.mok.state == FACTS_MOK_ENROLLED) {
		snprintf(why, n, "%s is enrolled already; a module signed with another key needs signing again "
			 "(sb-sign-modules)", p->cert);
		return -1;
	}
	if (f->secureboot.mok.state != FACTS_MOK_PENDING) {
		const char *timeout[] = { "/usr/bin/mokutil", "--timeout", "-1", NULL };
		const char *back[] = { "/usr/bin/mokutil", "--timeout", "10", NULL };
		step_command(plan, "make MokManager wait for a key press instead of 10 seconds", timeout, back,
			     "mokutil --timeout 10 (the default)");
	}
	mok_enroll(f, plan, p);
	return 0;
}

static int load_module(struct fix_plan *plan, const char *mod)
{
	const char *argv[] = { "/sbin/modprobe", mod, NULL };
	const char *undo[] = { "/sbin/modprobe", "-r", mod, NULL };
	char *what = xasprintf("load %s", mod);
	char *u = xasprintf("modprobe -r %s", mod);
	step_command(plan, what, argv, undo, u);
	free(what);
	free(u);
	return 0;
}

static int build_tun(const struct facts *f, struct host *h, struct fix_plan *p, char *why, size_t n)
{
	(void)f, (void)h, (void)why, (void)n;
	return load_module(p, "tun");
}

static int build_vhost(const struct facts *f, struct host *h, struct fix_plan *p, char *why, size_t n)
{
	(void)f, (void)h, (void)why, (void)n;
	return load_module(p, "vhost_net");
}

static const struct {
	const char *vendor;     /* prefix of DMI sys_vendor, case-insensitive */
	const char *intel;
	const char *amd;
} bios_paths[] = {
	{ "LENOVO", "F1 (ThinkPad/ThinkCentre) or F2 (IdeaPad) > Security > Virtualization > Intel Virtualization Technology: Enabled",
	  "F1 or F2 > Configuration > AMD V(TM) Technology / SVM: Enabled" },
	{ "Dell", "F2 > Virtualization Support > Virtualization > Enable Intel Virtualization Technology",
	  "F2 > Virtualization Support > Virtualization > Enable AMD-V" },
	{ "HP", "F10 > Advanced (or Security > System Security) > Virtualization Technology (VTx): Enable",
	  "F10 > Advanced > System Options > Virtualization Technology (SVM): Enable" },
	{ "Hewlett", "F10 > Advanced (or Security > System Security) > Virtualization Technology (VTx): Enable",
	  "F10 > Advanced > System Options > Virtualization Technology (SVM): Enable" },
	{ "ASUS", "Del or F2 > Advanced Mode (F7) > Advanced > CPU Configuration > Intel Virtualization Technology: Enabled",
	  "Del or F2 > Advanced Mode (F7) > Advanced > CPU Configuration > SVM Mode: Enabled" },
	{ "Micro-Star", "Del > OC (or Overclocking) > CPU Features > Intel Virtualization Tech: Enabled",
	  "Del > OC > Advanced CPU Configuration > SVM Mode: Enabled" },
	{ "MSI", "Del > OC (or Overclocking) > CPU Features > Intel Virtualization Tech: Enabled",
	  "Del > OC > Advanced CPU Configuration > SVM Mode: Enabled" },
	{ "Gigabyte", "Del > Tweaker (or BIOS Features) > Advanced CPU Settings > Intel Virtualization Technology: Enabled",
	  "Del > M.I.T. > Advanced Frequency Settings > Advanced CPU Core Settings > SVM Mode: Enabled (newer boards: Tweaker > Advanced CPU Settings)" },
	{ "Acer", "F2 > Main (or Advanced) > Intel Virtualization Technology: Enabled",
	  "F2 > Advanced > AMD-V / SVM: Enabled" },
};

const char *fix_bios_path(const char *sys_vendor, bool amd)
{
	for (size_t i = 0; sys_vendor && i < sizeof bios_paths / sizeof bios_paths[0]; i++)
		if (strncasecmp(sys_vendor, bios_paths[i].vendor, strlen(bios_paths[i].vendor)) == 0)
			return amd ? bios_paths[i].amd : bios_paths[i].intel;
	return amd ? "Firmware setup (Del, F2, F10 or F1 at power-on) > CPU or Advanced settings > SVM Mode: Enabled"
		   : "Firmware setup (Del, F2, F10 or F1 at power-on) > CPU or Advanced settings > Intel Virtualization Technology (VT-x): Enabled";
}

/*
 * CPU-VT-DISABLED has variants the firmware toggle alone does not fix (knowledge base): VMX enabled only
 * inside TXT needs TXT off (or tboot), and a kernel built without CONFIG_KVM_INTEL locks VMX off itself.
 */
static int build_firmware(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	(void)h;
	struct virt_cpu cpu;
	virt_assess_cpu(f, &cpu);
	bool amd = f->cpu.vendor == FACTS_VENDOR_AMD;
	const char *vendor = f->dmi.sys_vendor[0] ? f->dmi.sys_vendor : "unknown vendor";
	if (cpu.verdict == VIRT_CPU_DISABLED && cpu.off_kind == VIRT_OFF_KERNEL_LOCKED) {
		plan->needs = CODE_NEEDS_REBOOT;
		step_manual(plan, "boot a kernel with KVM for Intel",
			    "This kernel was built without CONFIG_KVM_INTEL and locked VT-x off at boot; the firmware "
			    "setting is probably on already. Boot a kernel built with CONFIG_KVM_INTEL=y or m (your "
			    "distribution's kernel), from the boot menu or as the default.");
		return 0;
	}
	if (cpu.verdict == VIRT_CPU_NO_HWVIRT) {
		snprintf(why, n, "this CPU has no VT-x or AMD-V at all: no firmware setting can add it");
		return -1;
	}
	if (cpu.verdict == VIRT_CPU_GUEST_NO_NESTED ||
	    (cpu.verdict == VIRT_CPU_DISABLED && cpu.off_kind == VIRT_OFF_OUTER_HOST)) {
		snprintf(why, n, "this is a VM whose hypervisor does not give it %s: use the fix guest-enable-nested",
			 cpu.feature ? cpu.feature : "VT-x/AMD-V");
		return -1;
	}
	char *text;
	if (cpu.verdict == VIRT_CPU_DISABLED && cpu.off_kind == VIRT_OFF_TXT_ONLY)
		text = xasprintf("On this %s machine, enter the firmware setup and disable Intel TXT (Trusted Execution "
				 "Technology), keeping Intel Virtualization Technology enabled: VT-x is on only inside "
				 "TXT now. (Or boot through tboot.) Save and exit.", vendor);
	else
		text = xasprintf("On this %s machine, enter the firmware setup and set: %s. Save and exit.",
				 vendor, fix_bios_path(f->dmi.sys_vendor, amd));
	step_manual(plan, amd ? "enable AMD-V (SVM) in the firmware"
			      : cpu.off_kind == VIRT_OFF_TXT_ONLY && cpu.verdict == VIRT_CPU_DISABLED
				? "disable Intel TXT in the firmware" : "enable VT-x in the firmware", text);
	free(text);
	step_manual(plan, "hard power-off",
		    "Shut down completely and power off (hold the power button or unplug), not a warm reboot: "
		    "the CPU locks the virtualization setting until a cold start.");
	return 0;
}

static int build_outer_nested(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	(void)h, (void)why, (void)n;
	const char *hv = f->cpu.has_hv_signature ? f->cpu.hv_signature : "unknown";
	char *text = xasprintf(
		"This machine is a guest (hypervisor '%s'). On the OUTER host, power the VM off and enable nested "
		"virtualization: KVM: `options kvm_intel nested=1` (or kvm_amd) and <cpu mode='host-passthrough'/>; "
		"VMware: 'Virtualize Intel VT-x/EPT or AMD-V/RVI' (vhv.enable = \"TRUE\"); VirtualBox: "
		"`VBoxManage modifyvm VM --nested-hw-virt on`; Hyper-V: "
		"`Set-VMProcessor -VMName VM -ExposeVirtualizationExtensions $true`.", hv);
	step_manual(plan, "enable nested virtualization on the outer host", text);
	free(text);
	return 0;
}

#define R CODE_NEEDS_ROOT
const struct fix_def fix_table[] = {
	{ "kvm-load-module", "Unblock and load kvm_intel/kvm_amd", { "KVM-DEVNODE-MISSING" }, R, build_kvm_load },
	{ "kvm-add-group", "Add the user to the kvm group", { "KVM-DEVNODE-PERM" }, R | CODE_NEEDS_RELOGIN,
	  build_kvm_group },
	{ "kvm-udev-rule", "udev rule giving /dev/kvm to the kvm group", { "KVM-DEVNODE-PERM" }, R, build_udev_rule },
	{ "kvm-nested-enable", "Enable nested virtualization persistently", { "KVM-NESTED-OFF" }, R, build_nested },
	{ "vbox-kvm-coexist", "Let KVM and VirtualBox share VT-x (by kernel and VirtualBox version)", { "VBOX-KVM-CONFLICT" },
	  R, build_vbox_coexist },
	{ "libvirt-add-group", "Add the user to the libvirt group", { "LIBVIRT-POLKIT-DENIED" },
	  R | CODE_NEEDS_RELOGIN, build_libvirt_group },
	{ "libvirt-start-daemon", "Start the libvirt daemon", { "LIBVIRT-DAEMON-DOWN" }, R, build_libvirtd },
	{ "libvirt-net-start", "Start and autostart the default network", { "LIBVIRT-NET-INACTIVE" }, R,
	  build_net_start },
	{ "libvirt-storage-acl", "Let the qemu user reach the disk images (setfacl)", { "LIBVIRT-STORAGE-PERM" }, R,
	  build_storage_perm },
	{ "libvirt-apparmor-local", "Allow the image folder in AppArmor's libvirt-qemu abstraction",
	  { "LIBVIRT-APPARMOR-DENIED" }, R, build_apparmor },
	{ "libvirt-reprobe-kvm", "Make libvirt use KVM again (load KVM, restart libvirt, switch TCG guests)",
	  { "LIBVIRT-NO-KVM" }, R, build_libvirt_kvm },
	{ "libvirt-pool-start", "Define, start and autostart the default storage pool", { "LIBVIRT-POOL-MISSING" }, R,
	  build_pool },
	{ "libvirt-firewall-backend", "Install libvirt's firewall backend", { "LIBVIRT-NET-FIREWALL" }, R,
	  build_firewall },
	{ "vmware-rebuild-modules", "Rebuild vmmon and vmnet", { "VMW-VMMON-MISSING", "VMW-VERSION-MISMATCH",
	  "VMW-MODBUILD-FAIL" }, R, build_vmware },
	{ "vbox-vboxconfig", "Rebuild the VirtualBox modules (vboxconfig)", { "VBOX-DRV-NOT-LOADED",
	  "VBOX-SETUP-FAIL", "VBOX-VERSION-MISMATCH" }, R, build_vboxconfig },
	{ "vbox-add-group", "Add the user to the vboxusers group", { NULL }, R | CODE_NEEDS_RELOGIN,
	  build_vbox_group },
	{ "kernel-headers-install", "Install the running kernel's headers", { "DKMS-HEADERS-MISSING" }, R,
	  build_headers },
	{ "qemu-load-tun", "Load the tun module", { "QEMU-TUN-MISSING" }, R, build_tun },
	{ "qemu-load-vhost-net", "Load the vhost_net module", { "QEMU-VHOST-NET-MISSING" }, R, build_vhost },
	{ "sb-sign-modules", "Sign the VirtualBox/VMware modules with a MOK and queue its enrollment",
	  { "SB-UNSIGNED-MODULE", "VBOX-SECUREBOOT", "VMW-SECUREBOOT" },
	  R | CODE_NEEDS_REBOOT | CODE_NEEDS_CONSOLE, build_sb_sign },
	{ "sb-enroll-mok", "Enroll the module signing key (MokManager at the next boot)", { "SB-MOK-NOT-ENROLLED" },
	  R | CODE_NEEDS_REBOOT | CODE_NEEDS_CONSOLE, build_sb_enroll },
	{ "firmware-enable-vt", "Enable VT-x / AMD-V in the firmware", { "CPU-VT-DISABLED", "CPU-SVM-DISABLED" },
	  CODE_NEEDS_FIRMWARE | CODE_NEEDS_REBOOT, build_firmware },
	{ "guest-enable-nested", "Enable nested virtualization on the outer host", { "GUEST-NO-NESTED" },
	  CODE_NEEDS_OUTER_HOST, build_outer_nested },
};
#undef R
const size_t fix_table_count = sizeof fix_table / sizeof fix_table[0];

const struct fix_def *fix_find(const char *id)
{
	for (size_t i = 0; i < fix_table_count; i++)
		if (strcmp(fix_table[i].id, id) == 0)
			return &fix_table[i];
	return NULL;
}

const struct fix_def *fix_for_code(const char *code)
{
	for (size_t i = 0; i < fix_table_count; i++)
		for (size_t c = 0; c < FIX_MAX_CODES && fix_table[i].codes[c]; c++)
			if (strcasecmp(fix_table[i].codes[c], code) == 0)
				return &fix_table[i];
	return NULL;
}

int fix_plan_build(const struct fix_def *fix, const struct facts *facts, struct host *host,
		   struct fix_plan *plan, char *why, size_t why_len)
{
	memset(plan, 0, sizeof *plan);
	plan->fix = fix;
	plan->needs = fix->needs;
	if (fix->build(facts, host, plan, why, why_len) < 0) {
		fix_plan_free(plan);
		return -1;
	}
	return 0;
}

void fix_plan_free(struct fix_plan *plan)
{
	for (size_t i = 0; i < plan->n_steps; i++) {
		struct fix_step *s = &plan->steps[i];
		free(s->what);
		free(s->path);
		free(s->old_content);
		free(s->new_content);
		free(s->text);
		free(s->undo);
		free(s->libvirt_uri);
		free(s->libvirt_name);
		for (size_t a = 0; a < FIX_MAX_ARGV; a++) {
			free(s->argv[a]);
			free(s->undo_argv[a]);
		}
	}
	memset(plan, 0, sizeof *plan);
}

bool fix_is_root(void)
{
	const char *fake = getenv("VMDOCTOR_FAKE_EUID");
	if (fake && *fake)
		return atoi(fake) == 0;
	return geteuid() == 0;
}
