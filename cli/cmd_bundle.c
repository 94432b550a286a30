/* SPDX-License-Identifier: MIT */
/* The command line of support bundles: `vmdoctor bundle [--snapshot DIR] [-o FILE] ...`. */
#include "cli/cli.h"

#include "vmdoctor/bundle.h"

#include <limits.h>
#include <stdio.h>

/* Redaction is not built yet: a bundle leaves the machine only when the person said so. */
static const char bundle_unredacted_warning[] =
	"vmdoctor: WARNING: this bundle is NOT redacted. It contains your user name, host name, IP and MAC\n"
	"vmdoctor: WARNING: addresses, DMI serials, the files the checks read (e.g. /etc/passwd, /etc/group),\n"
	"vmdoctor: WARNING: the kernel log and hypervisor configs, which may hold VNC/VRDE passwords.\n";

int cmd_bundle(const struct options *o)
{
	struct bundle_options bo = { .output = o->output, .compress = BUNDLE_GZIP,
				     .max_size = BUNDLE_DEFAULT_MAX_SIZE, .tool = "vmdoctor " VMDOCTOR_VERSION };
	struct host *host = NULL;
	char written[PATH_MAX], why[PATH_MAX + 256];
	int rc;

	if (o->n_args)
		return usage_error("bundle: unexpected argument '%s'", o->args[0]);
	if (o->compress && bundle_compress_from_name(o->compress, &bo.compress) != 0)
		return usage_error("bundle: --compress must be gzip, zstd or xz, not '%s'", o->compress);
	if (o->max_size && bundle_size_from_text(o->max_size, &bo.max_size) != 0)
		return usage_error("bundle: --max-size '%s' is not a size (e.g. 25M, 1G)", o->max_size);
	if (!o->no_redact)
		return usage_error("bundle: redaction is not built yet; pass --no-redact to write an unredacted "
				   "bundle");
	fputs(bundle_unredacted_warning, stderr);
	rc = open_host(o, &host);
	if (rc != 0)
		return EXIT_COULD_NOT_RUN;
	rc = bundle_write(host, &bo, written, sizeof written, why, sizeof why);
	host_close(host);
	if (rc != 0) {
		fprintf(stderr, "vmdoctor: %s\n", why);
		return EXIT_COULD_NOT_RUN;
	}
	printf("%s\n", written);
	return EXIT_OK;
}
