#!/bin/sh
# SPDX-License-Identifier: MIT
# Live: bundle this host, replay the bundle, and expect the same results as a live check.
# Usage: live.sh VMDOCTOR   (exit 77 skips when tar or python3 is missing)
# The report's host.source differs on purpose ("live" vs "snapshot"); results and counts must not.
set -u
bin=$1
command -v tar >/dev/null 2>&1 || { echo "skip: no tar"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "skip: no python3"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" bundle --no-redact -o "$tmp/live.tar.gz" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; echo "0 passed, 1 failed"; exit 1; }
mkdir "$tmp/x" && tar xzf "$tmp/live.tar.gz" -C "$tmp/x"
"$bin" check --format json >"$tmp/live.json" 2>/dev/null
"$bin" check --snapshot "$tmp/x" --format json >"$tmp/replay.json" 2>/dev/null
python3 - "$tmp/live.json" "$tmp/replay.json" "$tmp/x/report.json" <<'PY'
import json, sys
live, replay, packed = (json.load(open(p)) for p in sys.argv[1:])
for name, other in (("replay", replay), ("report.json", packed)):
    if live["results"] != other["results"] or live["counts"] != other["counts"]:
        for a, b in zip(live["results"], other["results"]):
            if a != b:
                print("differs:", json.dumps(a)[:300], "\n   vs", json.dumps(b)[:300])
        print("0 passed, 1 failed"); sys.exit(1)
print("1 passed, 0 failed")
PY
