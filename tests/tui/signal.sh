#!/bin/sh
# SPDX-License-Identifier: MIT
# SIGTERM and SIGHUP (an ssh drop) end the wizard with 128+N and leave the terminal sane (echo, canonical mode).
# Usage: signal.sh VMDOCTOR SOURCE_DIR
set -u
BIN=$1
SRC=$2
command -v tmux >/dev/null 2>&1 || { echo "tmux not found: skipped"; exit 77; }
TMP=$(mktemp -d)
T="tmux -L vmdoctor-signal-$$"
trap '$T kill-server >/dev/null 2>&1; rm -rf "$TMP"' EXIT
# A session that outlives the others keeps one tmux server for the whole test.
$T -f /dev/null new-session -d -s keep "sleep 60" || { echo "FAIL: tmux could not start"; exit 1; }
for pair in TERM:15 HUP:1 INT:2; do
	sig=${pair%:*}
	want=$((128 + ${pair#*:}))
	rm -f "$TMP/exit" "$TMP/stty"
	$T new-session -d -s s -x 80 -y 24 \
		"env ASAN_OPTIONS='${ASAN_OPTIONS:-}' '$BIN' --snapshot '$SRC/tests/fixtures/snapshots/vmware-version-mismatch'; echo EXIT=\$? > '$TMP/exit'; stty -a > '$TMP/stty'; sleep 10" \
		|| { echo "FAIL: tmux could not start"; exit 1; }
	i=0
	while [ $i -lt 50 ] && ! $T capture-pane -p -t s | grep -q "What is the problem?"; do sleep 0.1; i=$((i + 1)); done
	$T send-keys -t s Enter
	i=0
	while [ $i -lt 50 ] && ! $T capture-pane -p -t s | grep -q "(detected)"; do sleep 0.1; i=$((i + 1)); done
	pid=$(pgrep -P "$($T display -p -t s '#{pane_pid}')" | head -1)
	[ -n "$pid" ] || { echo "FAIL: vmdoctor is not running"; exit 1; }
	kill -"$sig" "$pid"
	i=0
	while [ $i -lt 50 ] && ! [ -s "$TMP/stty" ]; do sleep 0.1; i=$((i + 1)); done
	grep -qx "EXIT=$want" "$TMP/exit" 2>/dev/null || { echo "FAIL: SIG$sig: $(cat "$TMP/exit" 2>/dev/null), want EXIT=$want"; exit 1; }
	grep -q -- " icanon" "$TMP/stty" && grep -q -- " echo " "$TMP/stty" ||
		{ echo "FAIL: SIG$sig left the terminal in raw mode"; cat "$TMP/stty"; exit 1; }
	$T kill-session -t s
done
echo "signal passed"
