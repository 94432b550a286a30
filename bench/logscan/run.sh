#!/bin/bash
# SPDX-License-Identifier: MIT
# Times the log scanner (bench_logscan --scan) against grep -E -c with the same signatures, on a 1 GiB
# synthetic kernel log generated once in /tmp, and prints the wall-time ratios (LC_ALL=C and UTF-8 grep).
# Usage: bench/logscan/run.sh [path/to/bench_logscan] [file] [MiB] [runs]
set -euo pipefail
BENCH=${1:-build/bench_logscan}
FILE=${2:-/tmp/vmdoctor-bench.log}
MIB=${3:-1024}
RUNS=${4:-3}
[ -x "$BENCH" ] || { echo "run.sh: $BENCH is not built (cmake --build build --target bench_logscan)" >&2; exit 1; }
command -v grep >/dev/null || { echo "run.sh: grep is missing" >&2; exit 1; }

if [ ! -s "$FILE" ]; then
	"$BENCH" --generate "$FILE" "$MIB"
fi
cat "$FILE" >/dev/null         # page cache warm for every contender

# The same signatures for grep: ERE, both fragments of a two-fragment row in either order.
mapfile -t PATTERNS < <("$BENCH" --print-patterns)
GREP_ARGS=()
for p in "${PATTERNS[@]}"; do
	GREP_ARGS+=(-e "$p")
done
mapfile -t NEEDLES < <("$BENCH" --print-needles)
FGREP_ARGS=()
for p in "${NEEDLES[@]}"; do
	FGREP_ARGS+=(-e "$p")
done
UTF8=$(locale -a 2>/dev/null | grep -i -m1 -E '^(C|en_US)\.utf-?8$' || echo C.UTF-8)

# best (minimum) wall seconds of RUNS runs of "$@"; the last run's stdout goes to $OUT
best_wall() {
	local best="" i start end t
	for ((i = 0; i < RUNS; i++)); do
		start=$(date +%s%N)
		"$@" >"$OUT" 2>&1 || true
		end=$(date +%s%N)
		t=$(( end - start ))
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	done
	awk -v ns="$best" 'BEGIN { printf "%.3f", ns / 1e9 }'
}

OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
SIZE=$(stat -c %s "$FILE")
echo "file: $FILE ($SIZE bytes); ${#NEEDLES[@]} signatures = ${#PATTERNS[@]} grep -E patterns; best wall time of $RUNS runs"

T_VMD=$(best_wall "$BENCH" --scan "$FILE")
VMD_LINES=$(sed -n 's/.*: \([0-9]*\) matching lines.*/\1/p' "$OUT")
echo "vmdoctor  bench_logscan --scan:        ${T_VMD} s  ($VMD_LINES matching lines)"
sed -n 's/^scan /          last run, in-process: scan /p' "$OUT"

T_C=$(LC_ALL=C best_wall env LC_ALL=C grep -E -c "${GREP_ARGS[@]}" "$FILE")
C_LINES=$(cat "$OUT")
echo "grep -E -c, LC_ALL=C:                  ${T_C} s  ($C_LINES matching lines)"

T_U=$(best_wall env LC_ALL="$UTF8" grep -E -c "${GREP_ARGS[@]}" "$FILE")
U_LINES=$(cat "$OUT")
echo "grep -E -c, LC_ALL=$UTF8:          ${T_U} s  ($U_LINES matching lines)"

T_F=$(best_wall env LC_ALL=C grep -F -c "${FGREP_ARGS[@]}" "$FILE")
F_LINES=$(cat "$OUT")
echo "grep -F -c first fragments only, C:    ${T_F} s  ($F_LINES lines; not the same question, for reference)"

[ "$VMD_LINES" = "$C_LINES" ] || echo "WARNING: vmdoctor and grep -E disagree on the matching lines" >&2
awk -v v="$T_VMD" -v c="$T_C" -v u="$T_U" -v f="$T_F" -v s="$SIZE" 'BEGIN {
	printf "throughput: vmdoctor %.0f MB/s, grep -E (C) %.0f MB/s, grep -E (UTF-8) %.0f MB/s, grep -F (C) %.0f MB/s\n",
	       s / v / 1e6, s / c / 1e6, s / u / 1e6, s / f / 1e6
	printf "ratio (grep wall / vmdoctor wall): grep -E C %.2fx, grep -E UTF-8 %.2fx, grep -F C %.2fx\n", c / v, u / v, f / v
}'
