#!/bin/sh
# SPDX-License-Identifier: MIT
# The bundle command's edges: refusals, bad options, the size budget, and a full disk leaving no file.
# Usage: edge.sh VMDOCTOR SOURCE_DIR   (exit 77 skips when tar or python3 is missing)
set -u
bin=$1
src=$2
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
snap=$src/tests/fixtures/snapshots/vbox-kvm-conflict-612
empty_dir() { [ -z "$(ls -A "$1")" ]; }

# Redaction is on by default (its key and maps in the state folder, never in $tmp/a); --no-redact warns loudly.
export VMDOCTOR_STATE_DIR="$tmp/state"
mkdir "$tmp/a"
"$bin" bundle --snapshot "$snap" -o "$tmp/a/b.tar.gz" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && ! grep -q "NOT redacted" "$tmp/err" && [ "$(ls -A "$tmp/a")" = b.tar.gz ] && ok ||
	bad "default redacted bundle (rc=$rc)"
rm -f "$tmp/a/b.tar.gz"
"$bin" bundle --no-redact --snapshot "$snap" -o "$tmp/a/b.tar.gz" >/dev/null 2>"$tmp/err"
grep -q "NOT redacted" "$tmp/err" && ok || bad "--no-redact prints no warning"
rm -f "$tmp/a/b.tar.gz"

# Bad options: one line naming the input, exit 3, nothing written.
for args in "--compress lz4" "--max-size 12Q" "--max-size -1" "--max-size 0"; do
	# shellcheck disable=SC2086
	"$bin" bundle --no-redact --snapshot "$snap" $args -o "$tmp/a/b.tar.gz" >/dev/null 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 3 ] && [ "$(grep -c -v WARNING "$tmp/err")" -le 1 ] && empty_dir "$tmp/a" && ok || bad "bundle $args (rc=$rc)"
done
"$bin" bundle --no-redact --snapshot "$tmp/no-such" -o "$tmp/a/b.tar.gz" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 3 ] && grep -q "no-such" "$tmp/err" && empty_dir "$tmp/a" && ok || bad "missing snapshot (rc=$rc)"
"$bin" bundle --no-redact --snapshot "$snap" -o "$tmp/no-dir/b.tar.gz" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 3 ] && grep -q "no-dir" "$tmp/err" && ok || bad "output folder missing (rc=$rc)"

# zstd and xz write archives tar can read.
for c in zstd xz; do
	"$bin" bundle --no-redact --snapshot "$snap" --compress $c -o "$tmp/a/b.$c" >/dev/null 2>&1 &&
		tar -x --$c -f "$tmp/a/b.$c" -O manifest.json >/dev/null 2>&1 && ok || bad "--compress $c"
	rm -f "$tmp/a/b.$c"
done

# The budget cuts the kernel log at a line start, keeps the newest lines, and the manifest says so.
"$bin" bundle --no-redact --snapshot "$snap" -o "$tmp/a/full.tar.gz" >/dev/null 2>&1
budget=$(tar xzf "$tmp/a/full.tar.gz" -O manifest.json | python3 -c '
import json, sys
print(sum(m["size"] for m in json.load(sys.stdin)["members"]) - 1000)')
rm -f "$tmp/a/full.tar.gz"
"$bin" bundle --no-redact --snapshot "$snap" --max-size "$budget" -o "$tmp/a/small.tar.gz" >/dev/null 2>&1 || bad "budget bundle failed"
mkdir "$tmp/x" && tar xzf "$tmp/a/small.tar.gz" -C "$tmp/x"
python3 - "$tmp/x" "$snap/dmesg.txt" <<'PY' && ok || bad "budget cut"
import json, os, sys
root, orig = sys.argv[1], open(sys.argv[2], "rb").read()
cut = open(os.path.join(root, "dmesg.txt"), "rb").read()
assert 0 < len(cut) < len(orig), (len(cut), len(orig))
assert orig.endswith(cut) and orig[len(orig) - len(cut) - 1:][:1] == b"\n"
e = [m for m in json.load(open(os.path.join(root, "manifest.json")))["members"] if m["path"] == "dmesg.txt"][0]
assert e["truncated"] and "cut" in e
PY
rm -rf "$tmp/x" "$tmp/a/small.tar.gz"

# A full disk (RLIMIT_FSIZE: a few KiB) fails with a message and leaves no partial file.
mkdir "$tmp/full"
(ulimit -f 4 && exec "$bin" bundle --no-redact --snapshot "$snap" -o "$tmp/full/b.tar.gz") >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 3 ] && grep -q "b.tar.gz" "$tmp/err" && empty_dir "$tmp/full" && ok ||
	bad "full disk: rc=$rc, left: $(ls -A "$tmp/full"), said: $(grep -v WARNING "$tmp/err")"

# Members are 0600 root:root and the archive itself 0600.
"$bin" bundle --no-redact --snapshot "$snap" -o "$tmp/a/b.tar.gz" >/dev/null 2>&1
[ "$(stat -c %a "$tmp/a/b.tar.gz")" = 600 ] && ok || bad "archive mode $(stat -c %a "$tmp/a/b.tar.gz")"
tar tvzf "$tmp/a/b.tar.gz" | awk '$1 !~ /^-rw-------$|^drwx------$|^lrwxrwxrwx$/ || $2 != "root/root" { bad = 1 }
	END { exit bad }' && ok || bad "member owner or mode"

finish
