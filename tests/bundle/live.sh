#!/bin/sh
# SPDX-License-Identifier: MIT
# Live: bundle this host, replay the bundle, and expect the same results as a live check.
# Usage: live.sh VMDOCTOR   (exit 77 skips when tar or python3 is missing)
# The report's host.source differs on purpose ("live" vs "snapshot"); results and counts must not.
set -u
bin=$1
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
"$bin" bundle --no-redact -o "$tmp/live.tar.gz" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; echo "0 passed, 1 failed"; exit 1; }
mkdir "$tmp/x" && tar xzf "$tmp/live.tar.gz" -C "$tmp/x"
"$bin" check --format json >"$tmp/live.json" 2>/dev/null
"$bin" check --snapshot "$tmp/x" --format json >"$tmp/replay.json" 2>/dev/null
# The archive read directly, without unpacking it.
"$bin" check --snapshot "$tmp/live.tar.gz" --format json >"$tmp/direct.json" 2>/dev/null
python3 - "$tmp/live.json" "$tmp/replay.json" "$tmp/x/report.json" "$tmp/direct.json" <<'PY'
import json, sys
live, replay, packed, direct = (json.load(open(p)) for p in sys.argv[1:])
for name, other in (("replay", replay), ("report.json", packed), ("archive", direct)):
    if live["results"] != other["results"] or live["counts"] != other["counts"]:
        for a, b in zip(live["results"], other["results"]):
            if a != b:
                print(name, "differs:", json.dumps(a)[:300], "\n   vs", json.dumps(b)[:300])
        print("0 passed, 1 failed"); sys.exit(1)
PY
[ $? -eq 0 ] || exit 1
# Redacted (the default): names and addresses change, the diagnosis does not.
export VMDOCTOR_STATE_DIR="$tmp/state"
"$bin" bundle -o "$tmp/red.tar.gz" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; echo "1 passed, 1 failed"; exit 1; }
mkdir "$tmp/r" && tar xzf "$tmp/red.tar.gz" -C "$tmp/r"
"$bin" check --snapshot "$tmp/r" --format json >"$tmp/red.json" 2>/dev/null
python3 - "$tmp/live.json" "$tmp/red.json" <<'PY'
import json, sys
live, red = (json.load(open(p)) for p in sys.argv[1:])
key = lambda d: [(r["check"], r["status"], r["code"]) for r in d["results"]]
if key(live) != key(red):
    print("redacted replay differs:", [x for x in zip(key(live), key(red)) if x[0] != x[1]])
    print("1 passed, 1 failed"); sys.exit(1)
print("2 passed, 0 failed")
PY
