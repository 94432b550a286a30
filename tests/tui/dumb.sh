#!/bin/sh
# SPDX-License-Identifier: MIT
# With TERM=dumb (no cursor addressing) the wizard gives way to the text report instead of a broken screen.
# Usage: dumb.sh VMDOCTOR SOURCE_DIR
set -u
BIN=$1
SRC=$2
SESSION=dumb
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
start_wizard 80 24 TERM=dumb "'$BIN'" --snapshot "'$SRC/tests/fixtures/snapshots/vmware-version-mismatch'" \
	"> '$TMP/out' 2>&1"
# 2 = failures found.
wait_exit 2 100
grep -q "^FAIL  VMW-VERSION-MISMATCH" "$TMP/out" || fail "no text report: $(cat "$TMP/out")"
if grep -q "$(printf '\033')" "$TMP/out"; then fail "escape sequences on a dumb terminal"; fi
echo "dumb passed"
