#!/bin/sh
# SPDX-License-Identifier: MIT
# The wizard's "Create a support bundle" screen in a real terminal (tmux): the default path in the current folder,
# a path typed in, redacted by default (the map kept in the state folder), unredacted only after the loud warning
# and y; the progress bar, then path, size and SHA-256 of the file (checked against the file itself, which
# `tar tzf` lists with manifest.json first); a path in a missing folder fails with a message naming it.
# Usage: bundle.sh VMDOCTOR SOURCE_DIR
set -u
BIN=$1
SRC=$2
SESSION=bu
# Waits of up to 10 s: a bundle under ASan takes a moment.
WAIT_STEPS=100
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
mkdir -p "$TMP/cwd" "$TMP/state"

WIZARD_DIR="$TMP/cwd"
WIZARD_AFTER="sleep 30"
start_wizard 80 24 LANG=C.UTF-8 TERM=screen "VMDOCTOR_STATE_DIR='$TMP/state'" "'$BIN'" \
	--snapshot "'$SRC/tests/fixtures/snapshots/vmware-version-mismatch'"
wait_for "What is the problem?"
keys G
wait_for "> Create a support bundle"
expect_not "not available"
# check_bundle FILE: the screen's path, size and SHA-256 are the file's; manifest.json comes first.
check_bundle() {
	wait_for "Bundle written."
	wait_for "] 100%"
	wait_for "Path:    $1"
	[ -f "$1" ] || fail "no bundle at $1"
	sum=$(sha256sum "$1" | cut -d' ' -f1)
	size=$(stat -c %s "$1")
	wait_for "SHA-256: $sum"
	wait_for "Size:    $size bytes ("
	# The progress reports' total: zero when the writer never reported progress.
	grep -Eq "bytes \([1-9][0-9]* bytes before compression\)" "$TMP/screen" || fail "no progress total on the screen"
	[ "$(tar tzf "$1" | head -1)" = manifest.json ] || fail "manifest.json is not the first member of $1"
	tar tzf "$1" | grep -qx report.json || fail "no report.json in $1"
}

# Redacted, to the default name in the current folder (as `vmdoctor bundle` names it): no question, the map
# stays in the state folder.
keys Enter
wait_for "vmdoctor - support bundle"
wait_for "Output: the default name (as vmdoctor bundle) in $TMP/cwd"
wait_for "Redact names, addresses and secrets: yes"
expect_not "NOT redacted"
keys Enter
wait_for "Bundle written."
default=$(ls "$TMP"/cwd/vmdoctor-bundle-*.tar.gz 2>/dev/null)
[ "$(echo "$default" | wc -w)" = 1 ] || fail "not one default-named bundle in $TMP/cwd: $(ls "$TMP/cwd")"
check_bundle "$default"
wait_for "Redacted. The map back to the real names (keep it, never send it):"
ls "$TMP"/state/redaction/*.json >/dev/null 2>&1 || fail "no redaction map in $TMP/state/redaction"
tar xzf "$default" -O manifest.json | grep -q '"redacted": true' || fail "the manifest marks nothing redacted"
keys Escape
wait_for "What is the problem?"

# A folder that does not exist: a message naming the path, no crash. Typing starts in the current folder.
keys Enter
wait_for "vmdoctor - support bundle"
keys Up Up Enter
wait_for "Output: $TMP/cwd/_"
keys C-u
keys -l "$TMP/missing/b.tar.gz"
keys Enter Down Down Enter
wait_for "The bundle was not written:"
wait_for "$TMP/missing"
keys Enter
wait_for "[ Write the bundle ]"
keys Escape
wait_for "What is the problem?"

# Unredacted: the loud warning, and it needs a y (n writes nothing).
keys Enter
wait_for "vmdoctor - support bundle"
keys Up Enter
wait_for "Redact names, addresses and secrets: NO"
wait_for "This bundle is NOT redacted. It holds your user name, host name, IP and MAC"
keys Up Enter C-u
keys -l "$TMP/out.tar.gz"
keys Enter Down Down Enter
wait_for "Write this UNREDACTED bundle? (y/N)"
keys n
wait_for "[ Write the bundle ]"
[ -e "$TMP/out.tar.gz" ] && fail "n wrote the bundle"
keys Enter
wait_for "(y/N)"
keys y
check_bundle "$TMP/out.tar.gz"
wait_for "This bundle is NOT redacted."
tar xzf "$TMP/out.tar.gz" -O manifest.json | grep -q '"redacted": true' && fail "an unredacted bundle says redacted"
[ "$(ls "$TMP/cwd")" = "$(basename "$default")" ] || fail "more was written to the current folder: $(ls "$TMP/cwd")"
[ -z "$(ls -A "$TMP" | grep '^\.vmdoctor-bundle-')" ] || fail "a temporary file was left behind"
keys Escape
wait_for "What is the problem?"
keys q
wait_exit 0

# ---- A snapshot with a 37 MB kernel log (cut to the 25 MiB budget): writing takes a moment, the bar shows it,
# and SIGINT meanwhile waits for the bundle (the writer's own handler would re-raise it and leave the terminal in
# curses mode); then the wizard leaves with 130 and a sane terminal, the bundle whole, no temporary file.
cp -r "$SRC/tests/fixtures/snapshots/vmware-version-mismatch" "$TMP/big"
head -c 24000000 /dev/urandom | base64 -w 100 | sed 's/^/[    1.000000] /' >> "$TMP/big/dmesg.txt"
SESSION=big
WIZARD_AFTER="stty -a > '$TMP/stty'; sleep 30"
start_wizard 80 24 LANG=C.UTF-8 TERM=screen "VMDOCTOR_STATE_DIR='$TMP/state'" "'$BIN'" --snapshot "'$TMP/big'"
$T kill-session -t bu >/dev/null 2>&1
# The start screen of the big snapshot may take a while under ASan: up to 70 s.
wait_for "What is the problem?" 700
keys G
wait_for "> Create a support bundle"
keys Enter
wait_for "vmdoctor - support bundle"
keys Up Up Enter C-u
keys -l "$TMP/big.tar.gz"
keys Enter Down Down Enter
# Reading and scanning 37 MB takes a while under ASan: up to 60 s here.
wait_for "Writing the archive..." 600
pid=$(wizard_pid)
[ -n "$pid" ] || fail "vmdoctor is not running"
kill -INT "$pid"
wait_file "$TMP/stty" 200
expect_exit 130 "SIGINT while writing"
expect_sane_terminal "SIGINT while writing"
tar tzf "$TMP/big.tar.gz" >/dev/null 2>&1 || fail "the bundle written before the SIGINT was handled is not whole"
[ -z "$(ls -A "$TMP" | grep '^\.vmdoctor-bundle-')" ] || fail "a temporary file was left behind"
echo "PASS"
