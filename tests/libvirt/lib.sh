# SPDX-License-Identifier: MIT
# Shared by the tests that need a real libvirtd (real-daemon.sh, fix-roundtrip.sh); sourced, not run.
#
# The daemon is private: its own config file and socket directory under a temporary directory, no auth,
# started with -d -p PIDFILE and stopped by that pid. Only what a test defines is written to /etc/libvirt
# (privileged libvirtd keeps network and pool definitions there); the cleanup trap removes it again.
# A test skips (exit 77, ctest SKIP) without root, libvirtd or virsh, under systemd, when another libvirtd
# runs or when a network named $NET is already defined: a real setup on this machine stays untouched.
#
# The sourcing script sets NET (network name) and BRIDGE (its bridge) first, then calls
#   lv_require               the skips above
#   lv_start PREFIX          TMP, PIDFILE, SOCK, URI, the trap, the libvirt-qemu user and the daemon
#   lv_define_net            defines $NET with bridge $BRIDGE (inactive)
# and sets POOL=1 once it defined a 'default' storage pool, so that the cleanup removes that too.

LIBVIRTD=/usr/sbin/libvirtd
TMP=""
CREATED_USER=""
DEFINED=""
POOL=""

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; [ -f "$TMP/libvirtd.log" ] && tail -n 20 "$TMP/libvirtd.log"; exit 1; }

lv_require() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to start libvirtd"
	[ -x "$LIBVIRTD" ] || skip "$LIBVIRTD is not installed (apt install libvirt-daemon libvirt-daemon-driver-qemu)"
	command -v virsh >/dev/null 2>&1 || skip "virsh is not installed (apt install libvirt-clients)"
	[ -d /run/systemd/system ] && skip "systemd runs here: libvirt belongs to it, this test does not start a second daemon"
	pidof libvirtd >/dev/null 2>&1 && skip "a libvirtd is already running"
	[ -e /etc/libvirt/qemu/networks/"$NET".xml ] && skip "a '$NET' network is already defined on this machine"
	return 0
}

# Stop the daemon by its pid and wait up to 10 s; false when it still runs.
lv_stop() {
	[ -f "$PIDFILE" ] || return 0
	pid=$(cat "$PIDFILE")
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
	return 1
}

lv_cleanup() {
	if [ -n "$DEFINED" ] && [ -S "$SOCK" ]; then
		virsh -c "$URI" net-destroy "$NET" >/dev/null 2>&1
		virsh -c "$URI" net-autostart --disable "$NET" >/dev/null 2>&1
		virsh -c "$URI" net-undefine "$NET" >/dev/null 2>&1
	fi
	if [ -n "$POOL" ] && [ -S "$SOCK" ]; then
		virsh -c "$URI" pool-destroy default >/dev/null 2>&1
		virsh -c "$URI" pool-autostart --disable default >/dev/null 2>&1
		virsh -c "$URI" pool-undefine default >/dev/null 2>&1
	fi
	[ -n "$POOL" ] && rm -f /etc/libvirt/storage/default.xml /etc/libvirt/storage/autostart/default.xml
	lv_stop || kill -9 "$pid" 2>/dev/null
	[ -n "$DEFINED" ] && rm -f /etc/libvirt/qemu/networks/"$NET".xml /etc/libvirt/qemu/networks/autostart/"$NET".xml
	[ -n "$DEFINED" ] && ip link delete "$BRIDGE" 2>/dev/null
	[ -n "$CREATED_USER" ] && userdel "$CREATED_USER" 2>/dev/null
	rm -rf "$TMP"
}

lv_start() {
	TMP=$(mktemp -d "/tmp/$1.XXXXXX") || fail "mktemp"
	PIDFILE=$TMP/libvirtd.pid
	SOCK=$TMP/sock/libvirt-sock
	URI="qemu+unix:///system?socket=$SOCK"
	trap lv_cleanup EXIT INT TERM

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
}

lv_define_net() {
	cat >"$TMP/net.xml" <<XML
<network>
  <name>$NET</name>
  <bridge name="$BRIDGE"/>
</network>
XML
	virsh -c "$URI" net-define "$TMP/net.xml" >/dev/null || fail "net-define"
	DEFINED=1
}
