#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end test against a real libvirtd: an inactive 'default' network, then started, then the daemon stopped.
#
# Usage: real-daemon.sh VMDOCTOR_BINARY
# Needs root, /usr/sbin/libvirtd and python3; exits 77 (ctest SKIP) without them, or when another libvirtd
# runs or a 'default' network is already defined on this machine (the test must not disturb a real setup).
# The private daemon and its cleanup are in lib.sh.
set -u

VMDOCTOR=${1:?usage: real-daemon.sh VMDOCTOR_BINARY}
NET=default
BRIDGE=virbr-vmdt
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null 2>&1 || skip "python3 is needed to read the JSON report"
lv_require
lv_start vmdoctor-libvirtd

# The codes vmdoctor reports for this daemon, one per line.
codes() {
	"$VMDOCTOR" check --format json --libvirt-uri "$URI" >"$TMP/report.json" 2>"$TMP/stderr"
	python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
for x in r["results"]:
    if x["check"].startswith("libvirt.") and x.get("code"):
        print(x["code"])' "$TMP/report.json" || fail "vmdoctor gave no JSON report: $(cat "$TMP/stderr")"
}

lv_define_net

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

virsh -c "$URI" net-undefine $NET >/dev/null 2>&1 && DEFINED=""
lv_stop || fail "libvirtd $pid did not stop"
out=$(codes)
echo "$out" | grep -qx LIBVIRT-DAEMON-DOWN || fail "stopped daemon: expected LIBVIRT-DAEMON-DOWN, got: $out"
echo "ok: stopped daemon gives LIBVIRT-DAEMON-DOWN"
exit 0
