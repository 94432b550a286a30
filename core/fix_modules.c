/* SPDX-License-Identifier: MIT */
/* Plan builders for out-of-tree kernel modules: VMware and VirtualBox rebuilds, kernel headers, and Secure
 * Boot signing with a MOK and its enrollment. */
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

/* Headers for the running kernel (dnf by the knowledge base's uname-r provide), then DKMS rebuilds. */
int fix_build_headers(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	if (!f->kernel.release[0]) {
		snprintf(why, n, "the running kernel's release is unknown");
		return -1;
	}
	char *deb = xasprintf("linux-headers-%s", f->kernel.release);
	char *rpm = xasprintf("kernel-devel-%s", f->kernel.release);
	char *spec = xasprintf("kernel-devel-uname-r == %s", f->kernel.release);
	int rc = fix_install_package(h, plan, deb, rpm, spec, why, n);
	free(deb);
	free(rpm);
	free(spec);
	if (rc == 0 && host_exists(h, "/usr/sbin/dkms")) {
		const char *dkms[] = { "/usr/sbin/dkms", "autoinstall", "-k", f->kernel.release, NULL };
		fix_step_command(plan, "build the DKMS modules for the running kernel", dkms, NULL,
			     "nothing (the modules stay built)");
	}
	return rc;
}

/*
 * VMW-*: copies of vmmon/vmnet outside misc/ (where vmware-modconfig installs) can shadow the fresh
 * build, so they are moved into the run's backups first (undo moves them back). The module index is
 * refreshed both first (its undo, which runs last on undo, indexes the restored copies) and last.
 */
int fix_build_vmware(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
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
		fix_step_command(plan, "refresh the module index (before any change)", depmod, depmod,
			     "depmod -a again, after the copies are back");
	for (size_t i = 0; i < vm->ko_count; i++) {
		if (strstr(vm->ko[i].path, "/misc/"))
			continue;
		char *what = xasprintf("move the stale copy %s aside (it can shadow the rebuilt module)", vm->ko[i].path);
		fix_step_set_aside(plan, vm->ko[i].path, what);
		free(what);
	}
	const char *build[] = { "/usr/bin/vmware-modconfig", "--console", "--install-all", NULL };
	const char *restart[] = { "/usr/bin/systemctl", "restart", "vmware", NULL };
	fix_step_command(plan, "rebuild and install vmmon and vmnet for the running kernel (into misc/)", build, NULL,
		     "nothing (rebuilding again gives the same modules)");
	fix_step_command(plan, "refresh the module index", depmod, NULL, "nothing");
	fix_step_command(plan, "restart the VMware services so the new modules load (power the VMs off first)", restart,
		     NULL, "nothing");
	if (f->secureboot.mode == FACTS_SB_ON)
		fix_step_manual(plan, "sign vmmon and vmnet",
			    "Secure Boot is on and vmware-modconfig does not sign: sign both modules with your enrolled "
			    "MOK (vmdoctor explain VMW-SECUREBOOT), then: sudo modprobe vmmon vmnet.");
	return 0;
}

/* Oracle's packages ship /sbin/vboxconfig; distribution packages build through DKMS instead. */
int fix_build_vboxconfig(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
{
	if (host_exists(h, "/sbin/vboxconfig") || host_exists(h, "/usr/sbin/vboxconfig") || !host_exists(h, "/usr/sbin/dkms")) {
		const char *argv[] = { "/sbin/vboxconfig", NULL };
		fix_step_command(plan, "rebuild and load the VirtualBox kernel modules (on failure: /var/log/vbox-setup.log)",
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
	fix_step_command(plan, "build the VirtualBox modules (virtualbox-dkms) for the running kernel", dkms, NULL,
		     "nothing (the modules stay built)");
	fix_step_command(plan, "load vboxdrv", load, unload, "modprobe -r vboxdrv");
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
	fix_step_command(plan, "make a folder for the signing key", mk, NULL, "nothing (an empty folder stays)");
	fix_step_command(plan, "create a Machine Owner Key (MOK) to sign modules with", gen, rm,
		     "delete the new key pair");
	return p;
}

/* Sign `ko` in place; a signature only adds trust, and a rebuild of the module drops it again. */
static void sign_ko(const struct facts *f, struct fix_plan *plan, const struct mok_pair *p, const char *ko)
{
	char *tool = xasprintf("/lib/modules/%s/build/scripts/sign-file", f->kernel.release);
	const char *argv[] = { tool, "sha256", p->key, p->cert, ko, NULL };
	char *what = xasprintf("sign %s with the MOK", ko);
	fix_step_command(plan, what, argv, NULL, "nothing (the signature does not change what the module does)");
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
		if (n < FIX_MAX_STEPS && !fix_seen((const char *const *)paths, n, m->ko_path))
			paths[n++] = xstrdup(m->ko_path);
		for (size_t k = 0; k < sizeof sb_siblings / sizeof sb_siblings[0]; k++) {
			for (size_t j = 0; strcmp(sb_siblings[k].module, m->name) == 0 && j < 2 && sb_siblings[k].siblings[j];
			     j++) {
				char *sib = xasprintf("%.*s/%s", (int)(slash - m->ko_path), m->ko_path, sb_siblings[k].siblings[j]);
				if (n < FIX_MAX_STEPS && host_exists(h, sib) && !fix_seen((const char *const *)paths, n, sib))
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
		fix_step_command(plan, "queue the key for enrollment at the next boot", imp, revoke,
			     "mokutil --revoke-import (cancels the queued enrollment)");
	}
	bool pending = f->secureboot.mok.state == FACTS_MOK_PENDING;
	char *text = xasprintf("Reboot with the keyboard and screen at hand. In the blue MokManager screen choose "
			       "Enroll MOK > Continue > Yes and type %s; it waits only about 10 seconds.%s%s%s",
			       pending ? "the password chosen when the key was imported" : "root's password",
			       pending ? "" : " If root has no password, queue it yourself instead: sudo mokutil --import ",
			       pending ? "" : p->cert, pending ? "" : " (it asks for a one-time password).");
	fix_step_manual(plan, "enroll the key in MokManager at the next boot", text);
	free(text);
}

int fix_build_sb_sign(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
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
	fix_step_manual(plan, "load the modules",
		    "After the key is enrolled (or now, when it already was): sudo modprobe vboxdrv (VirtualBox) or "
		    "sudo modprobe vmmon vmnet (VMware).");
	return 0;
}

int fix_build_sb_enroll(const struct facts *f, struct host *h, struct fix_plan *plan, char *why, size_t n)
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
		fix_step_command(plan, "make MokManager wait for a key press instead of 10 seconds", timeout, back,
			     "mokutil --timeout 10 (the default)");
	}
	mok_enroll(f, plan, p);
	return 0;
}
