#!/bin/sh
# SPDX-License-Identifier: MIT
# Times `vmdoctor bundle` of this host against `sos report` on the same host, side by side: median wall time of
# RUNS runs (default 5), the highest peak RSS, the archive size, and the ratios sos/vmdoctor.
# Usage: bench/bundle.sh [VMDOCTOR] [RUNS]   (sos is skipped with a message when it is not installed)
set -u
bin=${1:-build/vmdoctor}
runs=${2:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)"; exit 1; }

# measure LABEL OUTFILE-GLOB COMMAND...: runs the command $runs times; sets wall (median s), rss (max KiB), size (bytes).
measure() {
	label=$1 glob=$2
	shift 2
	: >"$tmp/walls"
	rss=0
	i=0
	while [ "$i" -lt "$runs" ]; do
		rm -rf "$tmp/out" && mkdir "$tmp/out"
		start=$(date +%s%N)
		/usr/bin/time -f "%M" -o "$tmp/rss" "$@" >"$tmp/log" 2>&1 || { echo "$label: failed"; tail -3 "$tmp/log"; return 1; }
		end=$(date +%s%N)
		echo $(( (end - start) / 1000 )) >>"$tmp/walls"
		r=$(cat "$tmp/rss")
		[ "$r" -gt "$rss" ] && rss=$r
		i=$((i + 1))
	done
	wall=$(sort -n "$tmp/walls" | awk '{ a[NR] = $1 } END { printf "%.3f", a[int((NR + 1) / 2)] / 1e6 }')
	size=$(stat -c %s $tmp/out/$glob | head -1)
	printf '%-9s median wall %7ss  peak RSS %7s KiB  archive %8s bytes  (%s runs)\n' "$label" "$wall" "$rss" "$size" "$runs"
}

# BUNDLE_ARGS adds options (e.g. --no-redact to time the unredacted bundle).
measure vmdoctor 'v.tar.gz' "$bin" bundle ${BUNDLE_ARGS:-} -o "$tmp/out/v.tar.gz" || exit 1
v_wall=$wall v_rss=$rss v_size=$size
if ! command -v sos >/dev/null 2>&1; then
	echo "sos: not installed (apt-get install sosreport): skipped"
	exit 0
fi
measure sos 'sosreport-*.tar.*' sos report --batch -o libvirt,kvm,processor,kernel --tmp-dir "$tmp/out" || exit 1
awk -v vw="$v_wall" -v sw="$wall" -v vr="$v_rss" -v sr="$rss" -v vs="$v_size" -v ss="$size" 'BEGIN {
	printf "sos / vmdoctor: wall %.1fx  peak RSS %.1fx  archive %.1fx\n", sw / vw, sr / vr, ss / vs }'
