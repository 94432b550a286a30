#!/bin/sh
# SPDX-License-Identifier: MIT
# SIGTERM and SIGHUP (an ssh drop) end the wizard with 128+N and leave the terminal sane (echo, canonical mode).
# Usage: signal.sh VMDOCTOR SOURCE_DIR
set -u
BIN=$1
SRC=$2
SESSION=s
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
keep_server 60
WIZARD_AFTER="stty -a > '$TMP/stty'; sleep 10"
for pair in TERM:15 HUP:1 INT:2; do
	sig=${pair%:*}
	want=$((128 + ${pair#*:}))
	rm -f "$TMP/stty"
	start_wizard 80 24 "'$BIN'" --snapshot "'$SRC/tests/fixtures/snapshots/vmware-version-mismatch'"
	wait_for "What is the problem?"
	keys Enter
	wait_for "(detected)"
	pid=$(wizard_pid)
	[ -n "$pid" ] || fail "vmdoctor is not running"
	kill -"$sig" "$pid"
	wait_file "$TMP/stty"
	expect_exit "$want" "SIG$sig"
	expect_sane_terminal "SIG$sig"
done
echo "signal passed"
