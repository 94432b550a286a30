#!/bin/sh
# SPDX-License-Identifier: MIT
# Times `vmdoctor check --format json` against `virt-host-validate qemu` on this host, side by side:
# wall time (median of N runs) and peak RSS (GNU time), and how many checks each makes.
# Usage: bench/check-vs-virt-host-validate.sh [path/to/vmdoctor] [runs]
set -eu
VMDOCTOR=${1:-build/vmdoctor}
RUNS=${2:-50}
VHV=$(command -v virt-host-validate || true)
TIME=/usr/bin/time
[ -x "$VMDOCTOR" ] || { echo "bench: $VMDOCTOR is not built (make all)" >&2; exit 1; }
[ -n "$VHV" ] || { echo "bench: virt-host-validate is missing (apt-get install libvirt-clients)" >&2; exit 1; }
[ -x "$TIME" ] || { echo "bench: $TIME is missing (apt-get install time)" >&2; exit 1; }

# median wall seconds of RUNS runs of "$@"
median_wall() {
	i=0
	while [ $i -lt "$RUNS" ]; do
		start=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		end=$(date +%s%N)
		echo $(( end - start ))
		i=$((i + 1))
	done | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] / 1e6 }'
}

# largest peak RSS in KiB over 5 runs
peak_rss() {
	for _ in 1 2 3 4 5; do
		"$TIME" -f '%M' "$@" 2>&1 >/dev/null | tail -n 1
	done | sort -n | tail -n 1
}

vm_wall=$(median_wall "$VMDOCTOR" check --format json)
vhv_wall=$(median_wall "$VHV" qemu)
vm_rss=$(peak_rss "$VMDOCTOR" check --format json)
vhv_rss=$(peak_rss "$VHV" qemu)
vm_checks=$("$VMDOCTOR" list checks | wc -l)
vhv_checks=$("$VHV" qemu 2>/dev/null | grep -c 'Checking' || true)

printf '%-28s %12s %14s %8s\n' "tool" "wall ms (p50)" "peak RSS KiB" "checks"
printf '%-28s %12s %14s %8s\n' "vmdoctor check --format json" "$vm_wall" "$vm_rss" "$vm_checks"
printf '%-28s %12s %14s %8s\n' "virt-host-validate qemu" "$vhv_wall" "$vhv_rss" "$vhv_checks"
awk -v a="$vm_wall" -v b="$vhv_wall" -v c="$vm_rss" -v d="$vhv_rss" 'BEGIN {
	printf "ratio vmdoctor/virt-host-validate: wall %.2f, peak RSS %.2f\n", a / b, c / d }'
