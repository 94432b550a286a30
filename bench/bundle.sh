#!/bin/sh
# SPDX-License-Identifier: MIT
# Times `vmdoctor bundle` of this host against `sos report` (wall time, archive size, peak RSS).
# Usage: bench/bundle.sh [VMDOCTOR]   (sos is skipped with a message when it is not installed)
set -u
bin=${1:-build/vmdoctor}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)"; exit 1; }

measure() {  # label, then the command; prints wall seconds, peak RSS KiB
	label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >"$tmp/out" 2>&1 || { echo "$label: failed"; tail -3 "$tmp/out"; return 1; }
	read -r wall rss <"$tmp/time"
	printf '%-10s wall %6ss  peak RSS %8s KiB' "$label" "$wall" "$rss"
}

measure vmdoctor "$bin" bundle --no-redact -o "$tmp/v.tar.gz" && printf '  archive %s bytes\n' "$(stat -c %s "$tmp/v.tar.gz")"
if command -v sos >/dev/null 2>&1; then
	mkdir "$tmp/sos"
	measure sos sos report --batch -o libvirt,kvm,processor,kernel --tmp-dir "$tmp/sos" &&
		printf '  archive %s bytes\n' "$(stat -c %s "$tmp"/sos/sosreport-*.tar.* | head -1)"
else
	echo "sos: not installed (apt-get install sosreport): skipped"
fi
