#!/bin/sh
# SPDX-License-Identifier: MIT
# With TERM=dumb (no cursor addressing) the wizard gives way to the text report instead of a broken screen.
# Usage: dumb.sh VMDOCTOR SOURCE_DIR
set -u
BIN=$1
SRC=$2
command -v tmux >/dev/null 2>&1 || { echo "tmux not found: skipped"; exit 77; }
TMP=$(mktemp -d)
T="tmux -L vmdoctor-dumb-$$"
trap '$T kill-server >/dev/null 2>&1; rm -rf "$TMP"' EXIT
$T -f /dev/null new-session -d -s dumb -x 80 -y 24 \
	"env ASAN_OPTIONS='${ASAN_OPTIONS:-}' TERM=dumb '$BIN' --snapshot '$SRC/tests/fixtures/snapshots/vmware-version-mismatch' > '$TMP/out' 2>&1; echo EXIT=\$? > '$TMP/exit'" \
	|| { echo "FAIL: tmux could not start"; exit 1; }
i=0
while [ $i -lt 100 ] && ! [ -s "$TMP/exit" ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$TMP/exit" ] || { echo "FAIL: vmdoctor did not finish"; exit 1; }
grep -qx "EXIT=2" "$TMP/exit" || { echo "FAIL: exit status $(cat "$TMP/exit"), want 2 (failures found)"; exit 1; }
grep -q "^FAIL  VMW-VERSION-MISMATCH" "$TMP/out" || { echo "FAIL: no text report"; cat "$TMP/out"; exit 1; }
if grep -q "$(printf '\033')" "$TMP/out"; then echo "FAIL: escape sequences on a dumb terminal"; exit 1; fi
echo "dumb passed"
