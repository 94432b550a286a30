#!/bin/sh
# SPDX-License-Identifier: MIT
# Bundles every fixture snapshot and checks the archive: manifest checksums, report, replay, determinism.
# Usage: roundtrip.sh VMDOCTOR SOURCE_DIR   (exit 77 skips when tar or python3 is missing)
set -u
bin=$1
src=$2
command -v tar >/dev/null 2>&1 || { echo "skip: no tar"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "skip: no python3"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

for snap in "$src"/tests/fixtures/snapshots/*/; do
	name=$(basename "$snap")
	n=$((n + 1))
	out="$tmp/$name.tar.gz"
	if ! "$bin" bundle --no-redact --snapshot "$snap" -o "$out" >/dev/null 2>"$tmp/err"; then
		bad "$name: bundle failed: $(cat "$tmp/err")"
		continue
	fi
	"$bin" bundle --no-redact --snapshot "$snap" -o "$tmp/again.tar.gz" >/dev/null 2>&1
	cmp -s "$out" "$tmp/again.tar.gz" || bad "$name: two bundles of the same snapshot differ"
	first=$(tar tzf "$out" | head -2 | tr '\n' ' ')
	[ "$first" = "manifest.json report.txt " ] || bad "$name: archive starts with '$first'"
	rm -rf "$tmp/x" && mkdir "$tmp/x" && tar xzf "$out" -C "$tmp/x" || { bad "$name: tar cannot unpack"; continue; }
	python3 - "$tmp/x" <<'PY' || bad "$name: manifest does not match the members"
import hashlib, json, os, sys
root = sys.argv[1]
m = json.load(open(os.path.join(root, "manifest.json")))
listed = set()
for e in m["members"]:
    data = open(os.path.join(root, e["path"]), "rb").read()
    assert len(data) == e["size"], e["path"]
    assert hashlib.sha256(data).hexdigest() == e["sha256"], e["path"]
    listed.add(e["path"])
for d, _, files in os.walk(root):
    for f in files:
        rel = os.path.relpath(os.path.join(d, f), root)
        if os.path.islink(os.path.join(d, f)):
            continue  # a name that was listed but not there: no bytes to check
        assert rel == "manifest.json" or rel in listed, rel
PY
	"$bin" check --snapshot "$snap" --format json >"$tmp/want.json" 2>/dev/null
	"$bin" check --snapshot "$tmp/x" --format json >"$tmp/got.json" 2>/dev/null
	cmp -s "$tmp/want.json" "$tmp/got.json" || bad "$name: replaying the bundle gives another report"
	python3 - "$tmp/want.json" "$tmp/x/report.json" <<'PY' || bad "$name: report.json differs from check"
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert a["results"] == b["results"] and a["counts"] == b["counts"]
PY
done
echo "$n snapshots bundled"
[ "$fail" -eq 0 ] && echo "$n passed, 0 failed" && exit 0
echo "$((n - fail)) passed, $fail failed"
exit 1
