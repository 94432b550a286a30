#!/bin/sh
# SPDX-License-Identifier: MIT
# The findings side by side from 120 columns: both panes, Tab moves the focus, the detail follows the selection,
# resizing 140 -> 80 -> 140 keeps the finding open (its own screen when narrow), and mouse clicks select and open.
# Usage: wide.sh VMDOCTOR SOURCE_DIR
set -u
BIN=$1
SRC=$2
SESSION=wide
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

start_wizard 140 40 TERM=screen LANG=C.UTF-8 "'$BIN'" --snapshot "'$SRC/tests/fixtures/snapshots/vmware-version-mismatch'"
wait_for "What is the problem?"
keys Enter
wait_for "(detected)"
keys Enter
# Both panes at once: the list on the left, the selected finding's detail on the right.
wait_for "> 1 failed, 0 warnings"
wait_for "FAIL  VMW-VERSION-MISMATCH"
wait_for "Detail  (Tab)"
wait_for "VMware's vmmon driver is from a different VMware version"
wait_for "Tab detail"

# Tab: the detail pane has the focus, Up/Down scroll it instead of moving the selection.
keys Tab
wait_for "> Detail"
wait_for "Tab list  Up/Down scroll"
expect_not "> 1 failed"
keys G
wait_for "Check: vmware.version-match"
expect_not "VMware's vmmon driver is from a different VMware version"
keys g
wait_for "VMware's vmmon driver is from a different VMware version"
keys Tab
wait_for "> 1 failed, 0 warnings"
wait_for "Detail  (Tab)"
# The wheel over the detail pane focuses it and scrolls it (three rows, as far as it goes: the title goes off).
wheel_down 90 10
wait_for "> Detail"
wait_gone "VMware's vmmon driver is from a different VMware version"
keys Tab
wait_for "> 1 failed, 0 warnings"

# The detail follows the selection: show the passes, move down to the next row.
keys p
wait_for "SKIP  dkms.build"
keys j
wait_for "Check: dkms.build"
expect_not "VMware's vmmon driver is from a different VMware version"

# Mouse: a click on the FAIL row selects it, a second click on it opens it (the detail pane takes the focus).
click 10 3
wait_for "VMware's vmmon driver is from a different VMware version"
wait_for "Detail  (Tab)"
click 10 3
wait_for "> Detail"

# 140 -> 80 with the detail focused: the detail becomes its own screen; -> 140: side by side again, still open.
$T resize-window -t "$SESSION" -x 80 -y 24
wait_for "Found: VMware Workstation 17.6.1"
wait_for "Up/Down scroll"
expect_not "SKIP  dkms.build"
expect_not "Detail"
$T resize-window -t "$SESSION" -x 140 -y 40
wait_for "> Detail"
wait_for "SKIP  dkms.build"
wait_for "VMware's vmmon driver is from a different VMware version"
# With the list focused: 80 shows the narrow list, 140 both panes again.
keys Escape
wait_for "> 1 failed, 0 warnings"
$T resize-window -t "$SESSION" -x 80 -y 24
wait_for "Enter detail"
expect_not "VMware's vmmon driver is from a different VMware version"
$T resize-window -t "$SESSION" -x 140 -y 40
wait_for "Tab detail"
wait_for "VMware's vmmon driver is from a different VMware version"

# Mouse on the start screen: a click on a symptom selects it, a second click starts its walk.
keys Escape
wait_for "What is the problem?"
capture
row=$(grep -n "Check everything" "$TMP/screen" | head -1 | cut -d: -f1)
[ -n "$row" ] || fail "no 'Check everything' on the start screen"
click 10 $((row - 1))
wait_for "> Check everything"
click 10 $((row - 1))
wait_for "checks passed or skipped"

quit_wizard
echo "wide passed"
exit 0
