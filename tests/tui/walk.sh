#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end walk of the wizard in a real terminal (tmux): vm-wont-start on the VMware version-mismatch snapshot.
# Usage: walk.sh VMDOCTOR SOURCE_DIR [ENV=VALUE ...]. The ENV values are set for vmdoctor only.
# With GOLDEN=1 each screen is compared with tests/tui/golden/NAME.txt (trailing spaces removed);
# UPDATE_GOLDEN=1 rewrites those files instead.
set -u
BIN=$1
SRC=$2
shift 2
SESSION=walk
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
ENVS="$*"

# Compare the screen with golden/NAME.txt; poll up to 5 s, as tmux may still be painting the rest of it.
golden() {
	[ "${GOLDEN:-0}" = 1 ] || return 0
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		sleep 0.5
		capture
		sed 's/[[:space:]]*$//' "$TMP/screen" > "$SRC/tests/tui/golden/$1.txt"
		return 0
	fi
	i=0
	while [ $i -lt 50 ]; do
		capture
		sed 's/[[:space:]]*$//' "$TMP/screen" > "$TMP/golden"
		cmp -s "$SRC/tests/tui/golden/$1.txt" "$TMP/golden" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	diff -u "$SRC/tests/tui/golden/$1.txt" "$TMP/golden"
	fail "screen $1 differs from its golden file"
}

start_wizard 80 24 "$ENVS" "'$BIN'" --snapshot "'$SRC/tests/fixtures/snapshots/vmware-version-mismatch'"

wait_for "What is the problem?"
wait_for "Snapshot of another machine: fixes are disabled"
wait_for "My virtual machine won't start"
golden start
keys Enter
wait_for "Which program runs your virtual machine?"
wait_for "VMware Workstation or VMware Player  (detected)"
wait_for "Why:"
golden question
keys Enter
wait_for "findings"
wait_for "VMW-VERSION-MISMATCH"
wait_for "417.0"
wait_for "416.0"
wait_for "FAIL"
golden findings

keys Enter
wait_for "VMware's vmmon driver is from a different VMware version"
wait_for "Found: VMware Workstation 17.6.1"
golden detail
keys j j
keys Escape
wait_for "checks passed or skipped"
expect_not "Found:"

keys s
wait_for "Symptom: My virtual machine won't start"
golden summary
keys s
wait_for "checks passed or skipped"

keys / v m m o n Enter
wait_for "search: vmmon"
wait_for "VMW-VERSION-MISMATCH"
keys Escape
wait_for "checks passed or skipped"
keys / z z z q Enter
wait_for "Nothing matches the search."
keys Escape
wait_for "checks passed or skipped"

keys '?'
wait_for "Every key of the wizard"
wait_for "quit (asks y/n"
golden help
keys Escape
wait_for "checks passed or skipped"

$T resize-window -t "$SESSION" -x 40 -y 12
wait_for "terminal too small (need 60x16)"
golden too-small
$T resize-window -t "$SESSION" -x 80 -y 24
wait_for "VMW-VERSION-MISMATCH"
wait_for "417.0"
expect_not "too small"

keys q
wait_for "(y/n)"
golden quit-confirm
keys n
wait_for "checks passed or skipped"
keys q
wait_for "(y/n)"
keys y

wait_exit 0
i=0
while [ $i -lt 50 ] && $T has-session -t "$SESSION" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
$T has-session -t "$SESSION" 2>/dev/null && fail "the pane did not close"
echo "walk passed ($ENVS)"
exit 0
