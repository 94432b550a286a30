#!/bin/sh
# SPDX-License-Identifier: MIT
# The wizard's fix screen in a real terminal (tmux): the plan of a finding's fix from the findings and the detail
# screen, apply refused on a snapshot; on a scratch root (VMDOCTOR_ROOT, VMDOCTOR_STATE_DIR) the manual checklist,
# apply with y, the step output and the journal; the saved state resumes on the next start and is forgotten when
# dismissed or verified; live, a fix that needs root is refused with the sudo command when not root.
# Usage: fix.sh VMDOCTOR SOURCE_DIR
set -u
BIN=$1
SRC=$2
SNAP="$SRC/tests/fixtures/snapshots"
SESSION=fx
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
mkdir -p "$TMP/state" "$TMP/root" "$TMP/state2"
keep_server 120
# The pane stays open a while after the wizard ends: a key sent after it (quit's y) still finds the session.
WIZARD_AFTER="sleep 30"

# start ENV SNAPSHOT-OR-EMPTY: the wizard in a fresh 80x24 session; it stays up until quit.
start() {
	snap=""
	[ -n "$2" ] && snap="--snapshot '$2'"
	start_wizard 80 24 LANG=C.UTF-8 TERM=screen "$1" "'$BIN'" "$snap"
	wait_for "What is the problem?"
}

# quit from a walk (q, y) and expect exit status 0.
quit() {
	keys q
	sleep 0.2
	keys y
	wait_exit 0
}

# quit from the start screen (no question asked) and expect exit status 0.
quit_start() {
	keys q
	wait_exit 0
}

# "Check everything" is the last symptom, right above the bundle item.
check_everything() {
	keys G Up Enter
	wait_for "Check everything"
	wait_for "checks passed or skipped"
}

# ---- 1. A snapshot: the plan shows, apply is refused, nothing is written ----
start "VMDOCTOR_STATE_DIR='$TMP/state'" "$SNAP/kvm-nested-off"
check_everything
wait_for "KVM-NESTED-OFF"
wait_for "f fix"
keys f
wait_for "vmdoctor - fix KVM-NESTED-OFF"
wait_for "Snapshot of another machine: fixes are disabled (dry run only)"
wait_for "Fix kvm-nested-enable: Enable nested virtualization persistently"
wait_for "-options kvm_intel nested=0"
keys G
wait_for "+options kvm_intel nested=1"
wait_for "run: /sbin/modprobe -r kvm_intel"
keys a
wait_for "Snapshot: fixes are disabled; this is the plan only (dry run)."
expect_not "(y/N)"
keys y
expect_not "Step 1: remove line"
[ -e "$TMP/state/runs" ] && fail "a snapshot's fix wrote a journal"
[ -e "$TMP/state/wizard-resume.json" ] && fail "a snapshot's fix saved a resume state"
# The detail screen offers the same fix.
keys Escape
wait_for "checks passed or skipped"
keys Enter
wait_for "Up/Down scroll  f fix  Esc back"
keys f
wait_for "Fix kvm-nested-enable"
keys Escape
wait_for "Up/Down scroll  f fix  Esc back"
quit

# ---- 1b. A code with two fixes: n shows the other plan, and wraps around ----
start "VMDOCTOR_STATE_DIR='$TMP/state'" "$SNAP/kvm-devnode-perm"
check_everything
wait_for "KVM-DEVNODE-PERM"
keys f
wait_for "fix KVM-DEVNODE-PERM (1 of 2: n next)"
wait_for "Fix kvm-add-group: Add the user to the kvm group"
wait_for "run: /usr/sbin/usermod -aG kvm bob"
keys n
wait_for "fix KVM-DEVNODE-PERM (2 of 2: n next)"
wait_for "Fix kvm-udev-rule"
wait_for '+KERNEL=="kvm", GROUP="kvm", MODE="0660"'
keys n
wait_for "Fix kvm-add-group"
quit

# ---- 2. A scratch root: the checklist, apply with y, output, journal, saved state ----
ENVS="VMDOCTOR_STATE_DIR='$TMP/state' VMDOCTOR_ROOT='$TMP/root'"
start "$ENVS" "$SNAP/cpu-vt-disabled-msr"
expect_not "Resume:"
check_everything
wait_for "CPU-VT-DISABLED"
keys f
wait_for "Fix firmware-enable-vt"
wait_for "Snapshot: file steps go under VMDOCTOR_ROOT (test mode)"
keys G
wait_for "> [ ] enable VT-x in the firmware"
wait_for "  [ ] hard power-off"
keys Space
wait_for "> [x] enable VT-x in the firmware"
keys a
wait_for "Apply this plan to this machine? (y/N)"
keys n
wait_for "Nothing was changed."
[ -e "$TMP/state/runs" ] && fail "'n' applied the plan"
keys a
wait_for "(y/N)"
keys y
wait_for "Re-check skipped: the files went under VMDOCTOR_ROOT="
wait_for "vmdoctor offers to"
keys k k k
wait_for "Journal:"
wait_for "$TMP/state/runs/"
keys k k k k k k
wait_for "Step 2: hard power-off"
journal=$(ls "$TMP"/state/runs/*/journal.json 2>/dev/null | head -1)
[ -n "$journal" ] || fail "no journal in $TMP/state/runs"
grep -q '"fix": "firmware-enable-vt"' "$journal" || fail "the journal does not name the fix: $(cat "$journal")"
grep -q '"state": "done"' "$journal" || fail "the journal has no done step: $(cat "$journal")"
grep -q '"fix": "firmware-enable-vt"' "$TMP/state/wizard-resume.json" || fail "no resume state saved"
grep -q '"playbook": "full-scan"' "$TMP/state/wizard-resume.json" || fail "the walk is not in the resume state"
quit

# ---- 2b. A scratch root and a plan that runs commands: refused, nothing written ----
start "VMDOCTOR_STATE_DIR='$TMP/state2' VMDOCTOR_ROOT='$TMP/root'" "$SNAP/kvm-devnode-perm"
check_everything
keys f n
wait_for "Fix kvm-udev-rule"
keys a
wait_for "VMDOCTOR_ROOT only applies file steps; this plan runs commands."
expect_not "(y/N)"
[ -e "$TMP/root/etc" ] && fail "a refused plan wrote under VMDOCTOR_ROOT"
[ -e "$TMP/state2/runs" ] && fail "a refused plan wrote a journal"
quit

# ---- 3. The next start offers to verify; the checklist ticks are back; Esc keeps it, d forgets it ----
cp "$TMP/state/wizard-resume.json" "$TMP/saved.json"
start "$ENVS" "$SNAP/cpu-vt-disabled-msr"
wait_for '> Resume: verify "Enable VT-x / AMD-V in the firmware" after the reboot'
keys Enter
wait_for "vmdoctor - verify a fix"
wait_for "Re-check: still FAIL - CPU-VT-DISABLED is still reported."
wait_for "> [x] enable VT-x in the firmware"
wait_for "Walk: Check everything"
keys Tab Space
wait_for "> [x] hard power-off"
[ "$(grep -c '"done": true' "$TMP/state/wizard-resume.json")" = 2 ] || fail "the tick was not saved"
keys Escape
wait_for "Resume: verify"
keys Enter
wait_for "vmdoctor - verify a fix"
keys d
wait_for "What is the problem?"
expect_not "Resume: verify"
[ -e "$TMP/state/wizard-resume.json" ] && fail "d did not forget the saved fix"
quit_start

# ---- 4. Verified after the reboot (a snapshot without the problem): PASS, and the state is gone ----
cp "$TMP/saved.json" "$TMP/state/wizard-resume.json"
start "$ENVS" "$SNAP/healthy-intel"
wait_for "> Resume: verify"
keys Enter
wait_for "Re-check: PASS - CPU-VT-DISABLED is gone. The saved fix is forgotten."
[ -e "$TMP/state/wizard-resume.json" ] && fail "a verified fix is still saved"
keys Escape
wait_for "What is the problem?"
expect_not "Resume: verify"
quit_start

# ---- 4b. The check that reported the code now says unknown (libvirt timed out): no PASS, the state is kept ----
cat > "$TMP/state/wizard-resume.json" <<'JSON'
{"version": 1, "fix": "libvirt-start-daemon", "title": "Start the libvirt daemon", "code": "LIBVIRT-DAEMON-DOWN",
 "check": "libvirt.daemon", "run": "", "needs": 1, "playbook": "", "manual": [], "answers": []}
JSON
start "$ENVS" "$SNAP/libvirt-daemon-timeout"
wait_for '> Resume: verify "Start the libvirt daemon" after the steps by hand'
keys Enter
wait_for "Re-check: cannot tell - the check libvirt.daemon says unknown now."
expect_not "PASS"
[ -e "$TMP/state/wizard-resume.json" ] || fail "an unknown re-check forgot the saved fix"
keys d
wait_for "What is the problem?"
[ -e "$TMP/state/wizard-resume.json" ] && fail "d did not forget the saved fix"
quit_start

# ---- 5. Live, not root: a fix that needs root is refused with the sudo command (when this host has one) ----
start "VMDOCTOR_STATE_DIR='$TMP/state2' VMDOCTOR_FAKE_EUID=1000" ""
check_everything
if grep -qF "f fix" "$TMP/screen"; then
	keys f
	wait_for "vmdoctor - fix"
	if grep -qF "Needs: root" "$TMP/screen"; then
		keys a
		wait_for "This fix needs root. Quit and run: sudo vmdoctor fix "
		expect_not "(y/N)"
	fi
else
	echo "live: the first finding of this host has no fix; the root refusal part did not run"
fi
[ -e "$TMP/state2/runs" ] && fail "a refused fix wrote a journal"
quit
echo "PASS"
