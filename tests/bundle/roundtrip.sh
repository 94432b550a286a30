#!/bin/sh
# SPDX-License-Identifier: MIT
# Bundles every fixture snapshot and checks the archive: manifest checksums, report, replay (unpacked and
# read directly from the archive), re-packing a bundle, determinism, and that replay writes nothing.
# Usage: roundtrip.sh VMDOCTOR SOURCE_DIR   (exit 77 skips when tar or python3 is missing)
set -u
bin=$(realpath "$1")
src=$2
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
n=0
packed=0
same=0

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
	# The archive itself, not unpacked: the same report, byte for byte (it holds no created/source field).
	"$bin" check --snapshot "$out" --format json >"$tmp/arc.json" 2>"$tmp/err"
	cmp -s "$tmp/want.json" "$tmp/arc.json" || bad "$name: replaying the archive directly gives another report: $(head -c 300 "$tmp/err")"
	# Re-packing the archive reads it as re-packing the unpacked folder does: the same bytes, the same report.
	"$bin" bundle --no-redact --snapshot "$out" -o "$tmp/repack.tar.gz" >/dev/null 2>"$tmp/err" ||
		bad "$name: re-packing the bundle failed: $(head -c 300 "$tmp/err")"
	"$bin" bundle --no-redact --snapshot "$tmp/x" -o "$tmp/repack-dir.tar.gz" >/dev/null 2>&1
	cmp -s "$tmp/repack-dir.tar.gz" "$tmp/repack.tar.gz" || bad "$name: re-packing the archive differs from re-packing it unpacked"
	cmp -s "$out" "$tmp/repack.tar.gz" && same=$((same + 1))
	"$bin" check --snapshot "$tmp/repack.tar.gz" --format json >"$tmp/re.json" 2>/dev/null
	cmp -s "$tmp/want.json" "$tmp/re.json" || bad "$name: the re-packed bundle gives another report"
	# A snapshot folder packed with tar reads too, unless it holds symbolic links (never followed in an archive).
	if [ -z "$(find "$snap" -type l)" ]; then
		tar czf "$tmp/dir.tar.gz" -C "$(dirname "$snap")" "$name"
		"$bin" check --snapshot "$tmp/dir.tar.gz" --format json >"$tmp/dir.json" 2>/dev/null
		cmp -s "$tmp/want.json" "$tmp/dir.json" || bad "$name: the tar of the snapshot folder gives another report"
		packed=$((packed + 1))
	fi
	python3 - "$tmp/want.json" "$tmp/x/report.json" <<'PY' || bad "$name: report.json differs from check"
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert a["results"] == b["results"] and a["counts"] == b["counts"]
PY
done
echo "$n snapshots bundled, $packed also read as a tar of the folder, $same re-packed byte-identical"

# Replaying an archive writes nothing: not beside it, not in the current folder, not in TMPDIR.
mkdir "$tmp/quiet" "$tmp/quiet/tmp"
cp "$tmp/healthy-intel.tar.gz" "$tmp/quiet/b.tar.gz" 2>/dev/null || cp "$out" "$tmp/quiet/b.tar.gz"
before=$(cd "$tmp/quiet" && find . | sort | tr '\n' ' ')
(cd "$tmp/quiet" && TMPDIR="$tmp/quiet/tmp" "$bin" check --snapshot b.tar.gz --format json >/dev/null 2>&1)
after=$(cd "$tmp/quiet" && find . | sort | tr '\n' ' ')
[ "$before" = "$after" ] || bad "replaying an archive wrote files: $after"
# Stronger where a private mount namespace is allowed (root): the folder, TMPDIR included, is read-only.
if unshare -m sh -c "mount --bind '$tmp/quiet' '$tmp/quiet' && mount -o remount,bind,ro '$tmp/quiet'" 2>/dev/null; then
	unshare -m sh -c "mount --bind '$tmp/quiet' '$tmp/quiet' && mount -o remount,bind,ro '$tmp/quiet' &&
		cd '$tmp/quiet' && TMPDIR='$tmp/quiet/tmp' '$bin' check --snapshot b.tar.gz --format json" \
		>"$tmp/ro.json" 2>"$tmp/err"
	"$bin" check --snapshot "$tmp/quiet/b.tar.gz" --format json >"$tmp/rw.json" 2>/dev/null
	cmp -s "$tmp/ro.json" "$tmp/rw.json" || bad "replay from a read-only folder differs: $(head -c 300 "$tmp/err")"
else
	echo "note: no private mount namespace, read-only replay not tried"
fi
[ "$fail" -eq 0 ] && echo "$n passed, 0 failed" && exit 0
echo "$((n - fail)) passed, $fail failed"
exit 1
