#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end test against a real libvirtd: an inactive 'default' network, then started, then the daemon stopped.
#
# Usage: real-daemon.sh VMDOCTOR_BINARY
# Needs root, /usr/sbin/libvirtd and python3; exits 77 (ctest SKIP) without them, or when another libvirtd
# runs or a 'default' network is already defined on this machine (the test must not disturb a real setup).
# The daemon is private: its own config file and socket directory under a temporary directory, no auth,
# started with -d -p PIDFILE and stopped by that pid. Only the network it defines is written to
# /etc/libvirt (privileged libvirtd keeps network definitions there); the trap removes it again.
set -u

VMDOCTOR=${1:?usage: real-daemon.sh VMDOCTOR_BINARY}
LIBVIRTD=/usr/sbin/libvirtd
NET=default

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; [ -f "$TMP/libvirtd.log" ] && tail -n 20 "$TMP/libvirtd.log"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "needs root to start libvirtd"
[ -x "$LIBVIRTD" ] || skip "$LIBVIRTD is not installed (apt install libvirt-daemon libvirt-daemon-driver-qemu)"
command -v virsh >/dev/null 2>&1 || skip "virsh is not installed (apt install libvirt-clients)"
command -v python3 >/dev/null 2>&1 || skip "python3 is needed to read the JSON report"
[ -d /run/systemd/system ] && skip "systemd runs here: libvirt belongs to it, this test does not start a second daemon"
pidof libvirtd >/dev/null 2>&1 && skip "a libvirtd is already running"
[ -e /etc/libvirt/qemu/networks/$NET.xml ] && skip "a '$NET' network is already defined on this machine"

TMP=$(mktemp -d /tmp/vmdoctor-libvirtd.XXXXXX) || fail "mktemp"
PIDFILE=$TMP/libvirtd.pid
SOCK=$TMP/sock/libvirt-sock
URI="qemu+unix:///system?socket=$SOCK"
CREATED_USER=""
DEFINED=""

cleanup() {
	if [ -n "$DEFINED" ] && [ -S "$SOCK" ]; then
		virsh -c "$URI" net-destroy $NET >/dev/null 2>&1
		virsh -c "$URI" net-undefine $NET >/dev/null 2>&1
	fi
	if [ -f "$PIDFILE" ]; then
		pid=$(cat "$PIDFILE")
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
		kill -9 "$pid" 2>/dev/null
	fi
	[ -n "$DEFINED" ] && rm -f /etc/libvirt/qemu/networks/$NET.xml /etc/libvirt/qemu/networks/autostart/$NET.xml
	[ -n "$DEFINED" ] && ip link delete virbr-vmdt 2>/dev/null
	[ -n "$CREATED_USER" ] && userdel "$CREATED_USER" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# The QEMU driver refuses to load without its user; Debian's libvirt-daemon-system would create it.
if ! id libvirt-qemu >/dev/null 2>&1; then
	useradd --system --no-create-home --home-dir /var/lib/libvirt --shell /usr/sbin/nologin libvirt-qemu ||
		skip "cannot create the libvirt-qemu user"
	CREATED_USER=libvirt-qemu
fi
mkdir -p /var/log/libvirt /run/libvirt "$TMP/sock"
cat >"$TMP/libvirtd.conf" <<CONF
unix_sock_dir = "$TMP/sock"
unix_sock_group = "root"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:$TMP/libvirtd.log"
CONF

LIBVIRT_AUTOSTART=0 "$LIBVIRTD" -d -p "$PIDFILE" -f "$TMP/libvirtd.conf" || skip "libvirtd does not start here"
for _ in $(seq 1 60); do [ -S "$SOCK" ] && break; sleep 0.25; done
[ -S "$SOCK" ] || skip "libvirtd started but never created $SOCK"

# The codes vmdoctor reports for this daemon, one per line.
codes() {
	"$VMDOCTOR" check --format json --libvirt-uri "$URI" >"$TMP/report.json" 2>"$TMP/stderr"
	python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
for x in r["results"]:
    if x["check"].startswith("libvirt.") and x.get("code"):
        print(x["code"])' "$TMP/report.json" || fail "vmdoctor gave no JSON report: $(cat "$TMP/stderr")"
}

cat >"$TMP/net.xml" <<XML
<network>
  <name>$NET</name>
  <bridge name="virbr-vmdt"/>
</network>
XML
virsh -c "$URI" net-define "$TMP/net.xml" >/dev/null || fail "net-define"
DEFINED=1

out=$(codes)
echo "$out" | grep -qx LIBVIRT-NET-INACTIVE || fail "inactive network: expected LIBVIRT-NET-INACTIVE, got: $out"
echo "$out" | grep -qx LIBVIRT-DAEMON-DOWN && fail "daemon is up, but LIBVIRT-DAEMON-DOWN was reported"
echo "ok: inactive network gives LIBVIRT-NET-INACTIVE"

if virsh -c "$URI" net-start $NET >/dev/null 2>&1; then
	out=$(codes)
	echo "$out" | grep -q '^LIBVIRT-NET-' && fail "network started, but still reported: $out"
	echo "ok: started network gives no LIBVIRT-NET-* code"
	virsh -c "$URI" net-destroy $NET >/dev/null 2>&1
else
	echo "note: net-start failed here (no CAP_NET_ADMIN?), skipping the started-network step"
fi

pid=$(cat "$PIDFILE")
virsh -c "$URI" net-undefine $NET >/dev/null 2>&1 && DEFINED=""
kill "$pid"
for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
kill -0 "$pid" 2>/dev/null && fail "libvirtd $pid did not stop"
out=$(codes)
echo "$out" | grep -qx LIBVIRT-DAEMON-DOWN || fail "stopped daemon: expected LIBVIRT-DAEMON-DOWN, got: $out"
echo "ok: stopped daemon gives LIBVIRT-DAEMON-DOWN"
exit 0
