#!/bin/sh
# SPDX-License-Identifier: MIT
# Live: the wizard is on screen while facts are collected, and 's' skips a libvirt daemon that accepts but
# never answers, well before its 5 s deadline; the libvirt checks then say unknown, "skipped by the user".
# Usage: skip.sh VMDOCTOR SOURCE_DIR. Skips (77) without tmux, python3 or an installed libvirt.
set -u
BIN=$1
SRC=$2
SESSION=skip
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipped"; exit 77; }
found=
for p in /usr/sbin/libvirtd /usr/sbin/virtqemud; do   # where core/facts.c looks
	[ -e "$p" ] && found=$p
done
[ -n "$found" ] || { echo "libvirt is not installed: skipped"; exit 77; }

# A unix socket that accepts (the backlog does) and never answers: a hung daemon.
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
time.sleep(120)' "$TMP/sock" &
CLEANUP_PID=$!
i=0
while [ $i -lt 50 ] && ! [ -S "$TMP/sock" ]; do sleep 0.1; i=$((i + 1)); done
[ -S "$TMP/sock" ] || fail "the hung socket did not appear"

start_wizard 80 24 TERM=screen LANG=C.UTF-8 "'$BIN'" --libvirt-uri "'qemu+unix:///system?socket=$TMP/sock'"
wait_for "libvirt: asking the daemon"
wait_for "s skip libvirt"
wait_for "DONE  CPU and kernel"
# Keys stay live while libvirt hangs: help opens and closes.
keys '?'
wait_for "Every key of the wizard"
keys Escape
wait_for "libvirt: asking the daemon"
start=$(date +%s%N)
keys s
wait_for "What is the problem?"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 1500 ] || fail "skipping took $ms ms"
echo "skip to start screen: $ms ms"

select_item "Check everything"
keys Enter
i=0
# Answer any question with its pre-selected answer until the findings show.
while [ $i -lt 10 ]; do
	capture
	grep -qF "checks passed or skipped" "$TMP/screen" && break
	grep -qF "Enter answer" "$TMP/screen" && keys Enter
	sleep 0.3
	i=$((i + 1))
done
wait_for "checks passed or skipped"
wait_for "????  libvirt.daemon         The libvirt state is unknown: skipped by the user"
keys /
keys -l libvirt.kvm
keys Enter
wait_for "libvirt.kvm"
wait_for "skipped by the user"
expect_not "OK    libvirt"
quit_wizard

# q while libvirt hangs: the wizard quits at once (it stops the libvirt step), the exit status is 0.
start_wizard 80 24 TERM=screen LANG=C.UTF-8 "'$BIN'" --libvirt-uri "'qemu+unix:///system?socket=$TMP/sock'"
wait_for "libvirt: asking the daemon"
start=$(date +%s%N)
keys q
i=0
while [ $i -lt 50 ] && ! [ -s "$TMP/exit" ]; do sleep 0.05; i=$((i + 1)); done
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_exit 0 "q while collecting"
[ "$ms" -lt 1500 ] || fail "quitting while collecting took $ms ms"
echo "quit while collecting: $ms ms"
echo "skip passed"
exit 0
