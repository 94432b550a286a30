# SPDX-License-Identifier: MIT
# Shared by the bundle test scripts (sourced): skip (77) without tar or python3, a private temporary folder $tmp
# removed on exit, and the counters: ok and bad count a passed and a failed check, finish prints the totals and
# is the script's exit status.
command -v tar >/dev/null 2>&1 || { echo "skip: no tar"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "skip: no python3"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
