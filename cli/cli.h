/* SPDX-License-Identifier: MIT */
/* The command line's shared pieces: parsed options, and the helpers and commands of the cli/ files. */
#ifndef VMDOCTOR_CLI_CLI_H
#define VMDOCTOR_CLI_CLI_H

#include <stdbool.h>

#include "vmdoctor/check.h"
#include "vmdoctor/facts.h"
#include "vmdoctor/host.h"
#include "vmdoctor/playbook.h"

/* Exit codes of DESIGN.md: 0 ok, 1 warnings, 2 failures, 3 could not run (also bad usage). */
enum { EXIT_OK = 0, EXIT_COULD_NOT_RUN = 3 };

enum format { FORMAT_TEXT, FORMAT_JSON, FORMAT_MD, FORMAT_MAN };   /* md and man: list codes only */

#define MAX_ANSWERS 32
#define MAX_PLAYBOOK_DIRS 8

struct options {
	const char *snapshot;
	enum format format;
	bool format_given;
	bool no_color;
	const char *playbook;                   /* check --playbook ID */
	const char *answers[MAX_ANSWERS];       /* --answer STEP=VALUE */
	int n_answers;
	const char *playbook_dirs[MAX_PLAYBOOK_DIRS];   /* --playbooks DIR, after the shipped ones */
	int n_playbook_dirs;
	const char *output;                     /* bundle -o FILE */
	bool yes;                               /* fix/undo --yes: no confirmation */
	bool dry_run;                           /* fix --dry-run: show the plan only */
	bool no_redact;                         /* bundle --no-redact */
	const char *compress;                   /* bundle --compress gzip|zstd|xz */
	const char *max_size;                   /* bundle --max-size SIZE */
	const char *args[64];   /* positional arguments after the command */
	int n_args;
};

/* cli/main.c */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool want_color(const struct options *o);
unsigned text_width(void);
/* Open this host or --snapshot; prints the one-line error itself. */
int open_host(const struct options *o, struct host **host);
/* The shipped playbooks, the local ones when installed (/etc/vmdoctor/playbooks.d), then those of --playbooks;
 * load errors go to stderr. */
void load_playbooks(const struct options *o, struct playbook_set *set);
int write_report(const struct options *o, const struct facts *facts, const struct check_report *report,
		 const struct playbook_run *run);
int cmd_check(const struct options *o);

/* cli/cmd_fix.c (guided fixes) */
int cmd_fix(const struct options *o);
int cmd_undo(const struct options *o);
int cmd_history(const struct options *o);
int cmd_list_fixes(const struct options *o);   /* `list fixes` */
/* The state folder (fix journal, bundle redaction maps), created 0700: VMDOCTOR_STATE_DIR, else
   /var/lib/vmdoctor as root, else $XDG_STATE_HOME/vmdoctor (~/.local/state/vmdoctor). */
void state_dir(char *out, size_t len);
struct bundle_options;
/* Redaction for a bundle, shared by `vmdoctor bundle` and the wizard so both give the same pseudonyms: the key
 * (VMDOCTOR_REDACT_KEY, else `dir`/redact.key, into `key` of REDACT_KEY_MAX bytes) and the folder of maps
 * (`dir`/redaction, into `maps`), set in `bo`; a negative errno with a one-line reason in `why`. */
int bundle_redaction_setup(struct bundle_options *bo, const char *dir, unsigned char *key, char *maps,
			   size_t maps_len, char *why, size_t why_len);
/* cli/cmd_bundle.c (support bundles) */
int cmd_bundle(const struct options *o);
/* cli/cmd_wizard.c: the wizard, when stdin and stdout are a terminal and no command was given */
int cmd_wizard(const struct options *o);
/* cli/wizard_actions.c: fill the wizard's fix and bundle callbacks for `host` (kept open while it runs) */
struct wizard_env;
void wizard_actions_init(struct wizard_env *env, const struct options *o, struct host *host);

#endif
