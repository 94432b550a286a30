/* SPDX-License-Identifier: MIT */
/* The command line of support bundles: `vmdoctor bundle [--snapshot DIR] [-o FILE] ...`. */
#include "cli/cli.h"

#include "vmdoctor/bundle.h"
#include "vmdoctor/redact.h"

#include <limits.h>
#include <stdio.h>

/* --no-redact: the bundle leaves the machine as collected, and the person is told what that means. */
static const char bundle_unredacted_warning[] =
	"vmdoctor: WARNING: this bundle is NOT redacted. It contains your user name, host name, IP and MAC\n"
	"vmdoctor: WARNING: addresses, DMI serials, the files the checks read (e.g. /etc/passwd, /etc/group),\n"
	"vmdoctor: WARNING: the kernel log and hypervisor configs, which may hold VNC/VRDE passwords.\n";

int bundle_redaction_setup(struct bundle_options *bo, const char *dir, unsigned char *key, char *maps,
			   size_t maps_len, char *why, size_t why_len)
{
	int rc = redact_key_load(dir, key, &bo->redact_key_len, why, why_len);

	if (rc != 0)
		return rc;
	snprintf(maps, maps_len, "%.*s/redaction", (int)(maps_len > 16 ? maps_len - 16 : 0), dir);
	bo->redact = true;
	bo->redact_key = key;
	bo->map_dir = maps;
	return 0;
}

int cmd_bundle(const struct options *o)
{
	struct bundle_options bo = { .output = o->output, .compress = BUNDLE_GZIP,
				     .max_size = BUNDLE_DEFAULT_MAX_SIZE, .tool = "vmdoctor " VMDOCTOR_VERSION };
	struct host *host = NULL;
	char written[PATH_MAX], why[PATH_MAX + 256], maps[PATH_MAX], map[PATH_MAX] = "";
	unsigned char key[REDACT_KEY_MAX];
	int rc;

	if (o->n_args)
		return usage_error("bundle: unexpected argument '%s'", o->args[0]);
	if (o->compress && bundle_compress_from_name(o->compress, &bo.compress) != 0)
		return usage_error("bundle: --compress must be gzip, zstd or xz, not '%s'", o->compress);
	if (o->max_size && bundle_size_from_text(o->max_size, &bo.max_size) != 0)
		return usage_error("bundle: --max-size '%s' is not a size (e.g. 25M, 1G)", o->max_size);
	if (o->no_redact) {
		fputs(bundle_unredacted_warning, stderr);
	} else {
		char dir[PATH_MAX - 16];

		state_dir(dir, sizeof dir);
		if (bundle_redaction_setup(&bo, dir, key, maps, sizeof maps, why, sizeof why) != 0) {
			fprintf(stderr, "vmdoctor: bundle: %s\n", why);
			return EXIT_COULD_NOT_RUN;
		}
	}
	bo.map_path = map;
	bo.map_path_len = sizeof map;
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
	if (map[0])
		fprintf(stderr, "vmdoctor: redacted; the map back to the real names (keep it, never send it): %s\n", map);
	return EXIT_OK;
}
