#!/bin/sh
# SPDX-License-Identifier: MIT
# Redaction of bundles: no planted value survives (contents and member names), the redacted bundle diagnoses
# the same as its snapshot (every fixture), the map stays local (0600) and translates back, hypervisor OUIs stay,
# the same key gives the same bytes, --no-redact says so.
# Usage: redact.sh VMDOCTOR SOURCE_DIR   (exit 77 skips when tar or python3 is missing)
set -u
bin=$1
src=$2
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
snaps=$src/tests/fixtures/snapshots
planted=$snaps/planted-secrets
export VMDOCTOR_STATE_DIR="$tmp/state"
unset VMDOCTOR_REDACT_KEY

# Codes and statuses of `check --format json`, one per line.
codes() {
	"$bin" check --snapshot "$1" --format json 2>/dev/null | python3 -c '
import json, sys
for r in json.load(sys.stdin)["results"]:
    print(r["check"], r["status"], r["code"])'
}

# 1. The planted-secret fixture, redacted by default with a key made on first use.
"$bin" bundle --snapshot "$planted" -o "$tmp/p.tar.gz" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "$tmp/p.tar.gz" ] && ok || bad "bundle (rc=$rc): $(cat "$tmp/err")"
grep -q "NOT redacted" "$tmp/err" && bad "a redacted bundle warns that it is not redacted" || ok
key=$tmp/state/redact.key
[ "$(stat -c %a "$key" 2>/dev/null)" = 600 ] && [ "$(tr -d '\n' <"$key" | wc -c)" -eq 64 ] && ok ||
	bad "key file $key missing or not 0600/64 hex digits"
map=$(sed -n 's/.*never send it): //p' "$tmp/err")
sha=$(sha256sum "$tmp/p.tar.gz" | cut -d' ' -f1)
[ "$map" = "$tmp/state/redaction/$sha.json" ] && ok || bad "map path '$map' is not the state dir's redaction/<sha256>.json"
[ "$(stat -c %a "$map" 2>/dev/null)" = 600 ] && [ "$(stat -c %a "$tmp/state/redaction")" = 700 ] && ok ||
	bad "map or its folder not 0600/0700"
mkdir "$tmp/x" && tar xzf "$tmp/p.tar.gz" -C "$tmp/x" || bad "tar cannot unpack the redacted bundle"

# No planted value in any member's bytes or name (case-insensitive), nor the map or the key in the bundle.
n=0
while IFS= read -r v; do
	case $v in '#'* | '') continue ;; esac
	n=$((n + 1))
	hits=$(grep -rliF -- "$v" "$tmp/x"; tar tzf "$tmp/p.tar.gz" | grep -iF -- "$v")
	[ -z "$hits" ] && ok || bad "planted '$v' survived in: $(echo "$hits" | tr '\n' ' ')"
done <"$planted/planted.txt"
[ "$n" -ge 40 ] && ok || bad "planted.txt lists only $n values"
grep -rqF "vmdoctor-redaction-map" "$tmp/x" && bad "the map went into the bundle" || ok
grep -rqF "$(head -c 64 "$key")" "$tmp/x" && bad "the key went into the bundle" || ok

# Hypervisor OUIs stay (QEMU, VMware x2, VirtualBox), with another device part.
for oui in "52:54:00:" "00:0c:29:" "00:50:56:" 'MACAddress="080027'; do
	grep -rqF -- "$oui" "$tmp/x/fs" && ok || bad "hypervisor OUI $oui lost"
done
grep -rqF "[REDACTED-SECRET]" "$tmp/x/fs/etc/libvirt/qemu.conf" && ok || bad "qemu.conf secrets not marked"

# The map translates back: the user, real name, host, serial and addresses, each pseudonym in the bundle.
python3 - "$map" "$tmp/x" <<'PY' && ok || bad "map does not translate back"
import json, os, sys
m = json.load(open(sys.argv[1]))
assert m["format"] == "vmdoctor-redaction-map" and len(m["bundle_sha256"]) == 64
back = {(e["kind"], e["original"]): e["pseudonym"] for e in m["map"]}
for kind, orig in [("user", "marguerite"), ("realname", "Marguerite Okonkwo"), ("host", "kestrel-ws07"),
                   ("host", "buildbox-nimbus"), ("serial", "PF3KX9ZQ"), ("ip4", "81.169.145.92"),
                   ("mac", "3c52827a9b1d")]:
    assert (kind, orig) in back, (kind, orig)
text = ""
for d, _, files in os.walk(sys.argv[2]):
    for f in files:
        p = os.path.join(d, f)
        if not os.path.islink(p):
            text += open(p, errors="replace").read() + p
for e in m["map"]:
    if e["in_bundle"]:
        p = e["pseudonym"]
        if e["kind"] == "mac":
            p = ":".join(p[i:i + 2] for i in range(0, 12, 2))
        assert p.lower() in text.lower() or e["pseudonym"].upper() in text, e
assert back[("user", "marguerite")] + "/" in open(os.path.join(sys.argv[2], "snapshot.json")).read() or \
    back[("user", "marguerite")] in open(os.path.join(sys.argv[2], "snapshot.json")).read()
assert not any(e["kind"] == "secret" for e in m["map"])
PY

# The manifest marks members and summarises by kind, never values.
python3 - "$tmp/x/manifest.json" <<'PY' && ok || bad "manifest redaction marks"
import json, sys
m = json.load(open(sys.argv[1]))
red = {e["path"]: e["redacted"] for e in m["members"]}
u = [p for p in red if p.startswith("fs/home/user")]
assert u and all(red[p] for p in u if p.endswith(".vmx") or p.endswith(".vbox")), u
assert red["fs/proc/cpuinfo"] is False and red["snapshot.json"] is True
r = m["redaction"]
assert r["enabled"] is True
for k in ("user", "realname", "host", "ip4", "ip6", "mac", "serial", "secret"):
    assert r["kinds"][k]["replaced"] > 0, k
assert "marguerite" not in json.dumps(r)
PY

# The redacted bundle diagnoses like the fixture.
[ "$(codes "$planted")" = "$(codes "$tmp/x")" ] && ok || bad "planted-secrets: redacted replay differs"
codes "$tmp/x" | grep -q "vmware.version-match fail VMW-VERSION-MISMATCH" && ok || bad "planted-secrets: no VMW-VERSION-MISMATCH"

# 2. Reproducible: the same key gives the same bytes (key file or VMDOCTOR_REDACT_KEY); another key does not.
"$bin" bundle --snapshot "$planted" -o "$tmp/p2.tar.gz" >/dev/null 2>&1
cmp -s "$tmp/p.tar.gz" "$tmp/p2.tar.gz" && ok || bad "same key file, different bundles"
VMDOCTOR_REDACT_KEY=test-key-1 "$bin" bundle --snapshot "$planted" -o "$tmp/k1.tar.gz" >/dev/null 2>&1
VMDOCTOR_REDACT_KEY=test-key-1 "$bin" bundle --snapshot "$planted" -o "$tmp/k1b.tar.gz" >/dev/null 2>&1
VMDOCTOR_REDACT_KEY=test-key-2 "$bin" bundle --snapshot "$planted" -o "$tmp/k2.tar.gz" >/dev/null 2>&1
cmp -s "$tmp/k1.tar.gz" "$tmp/k1b.tar.gz" && ok || bad "VMDOCTOR_REDACT_KEY: same key, different bundles"
cmp -s "$tmp/k1.tar.gz" "$tmp/k2.tar.gz" && bad "two keys give the same bundle" || ok

# 3. A key file others can read is refused with one line naming it, and nothing is written.
mkdir "$tmp/o"
chmod 644 "$key"
"$bin" bundle --snapshot "$planted" -o "$tmp/o/b.tar.gz" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 3 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "redact.key" "$tmp/err" && [ -z "$(ls -A "$tmp/o")" ] &&
	ok || bad "key mode 0644 (rc=$rc): $(cat "$tmp/err")"
chmod 600 "$key"

# 4. --no-redact keeps the values, says so loudly, and the manifest says it is not redacted.
"$bin" bundle --no-redact --snapshot "$planted" -o "$tmp/n.tar.gz" >/dev/null 2>"$tmp/err"
grep -q "NOT redacted" "$tmp/err" && ok || bad "--no-redact prints no warning"
tar xzf "$tmp/n.tar.gz" -O manifest.json | python3 -c '
import json, sys
m = json.load(sys.stdin)
assert m["redaction"]["enabled"] is False and not any(e["redacted"] for e in m["members"])' && ok ||
	bad "--no-redact manifest"
tar tzf "$tmp/n.tar.gz" | grep -q "fs/home/marguerite/" && ok || bad "--no-redact changed names"

# 5. Every fixture: the redacted bundle replays to the same codes and statuses, and its (redacted)
# report.json is exactly what the redacted evidence gives: redaction changed words, not the diagnosis.
export VMDOCTOR_REDACT_KEY=every-fixture
for snap in "$snaps"/*/; do
	name=$(basename "$snap")
	rm -rf "$tmp/f" && mkdir "$tmp/f"
	if ! "$bin" bundle --snapshot "$snap" -o "$tmp/f.tar.gz" >/dev/null 2>"$tmp/err"; then
		bad "$name: redacted bundle failed: $(cat "$tmp/err")"
		continue
	fi
	tar xzf "$tmp/f.tar.gz" -C "$tmp/f" && [ "$(codes "$snap")" = "$(codes "$tmp/f")" ] && ok ||
		bad "$name: redacted replay differs"
	"$bin" check --snapshot "$tmp/f" --format json >"$tmp/replay.json" 2>/dev/null
	python3 - "$tmp/f/report.json" "$tmp/replay.json" <<'PY' && ok || bad "$name: report.json differs from the replay"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["results"] == b["results"] and a["counts"] == b["counts"]
PY
done

finish
