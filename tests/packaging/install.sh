#!/bin/sh
# SPDX-License-Identifier: MIT
# `cmake --install` into a DESTDIR, then the installed binary run with only the installed files: it finds its own
# playbooks next to itself (also after the tree is moved, and with another --prefix), checks a fixture snapshot,
# and the layout holds the man pages, completions, /etc/vmdoctor/playbooks.d and /var/lib/vmdoctor (mode 0700).
# Usage: install.sh BUILD-DIR SOURCE-DIR
set -u
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fixture=$src/tests/fixtures/snapshots/cpu-vt-disabled-msr
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
[ -n "$prefix" ] || { echo "FAIL: no CMAKE_INSTALL_PREFIX in $build/CMakeCache.txt" >&2; exit 1; }

DESTDIR=$tmp/root cmake --install "$build" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; exit 1; }
root=$tmp/root
etc=$root/etc var=$root/var
[ "$prefix" = /usr ] || etc=$root$prefix/etc var=$root$prefix/var
for f in "$prefix/bin/vmdoctor" "$prefix/share/man/man1/vmdoctor.1.gz" "$prefix/share/man/man5/vmdoctor-playbook.5.gz" \
	"$prefix/share/man/man5/vmdoctor-snapshot.5.gz" "$prefix/share/man/man7/vmdoctor-codes.7.gz" \
	"$prefix/share/bash-completion/completions/vmdoctor" "$prefix/share/zsh/vendor-completions/_vmdoctor" \
	"$prefix/share/doc/vmdoctor/codes.md"; do
	[ -f "$root$f" ] || bad "not installed: $f"
done
[ -x "$root$prefix/bin/vmdoctor" ] || bad "$prefix/bin/vmdoctor is not executable"
# The installed (compressed) pages render without a groff warning, as `man` will show them.
for page in "$root$prefix"/share/man/man*/vmdoctor*.gz; do
	[ -f "$page" ] || continue
	LC_ALL=C.UTF-8 man --warnings -l "$page" >/dev/null 2>"$tmp/warn" || bad "man cannot render $page"
	[ -s "$tmp/warn" ] && bad "${page#"$root"}: groff warnings: $(cat "$tmp/warn")"
done
shipped=$(ls "$src"/playbooks/*.yaml | wc -l)
installed=$(ls "$root$prefix"/share/vmdoctor/playbooks/*.yaml 2>/dev/null | wc -l)
[ "$installed" -eq "$shipped" ] || bad "$installed playbooks installed, $shipped shipped"
[ -d "$etc/vmdoctor/playbooks.d" ] || bad "no local playbook folder ${etc#"$root"}/vmdoctor/playbooks.d"
[ -d "$var/lib/vmdoctor" ] || bad "no state folder ${var#"$root"}/lib/vmdoctor"
mode=$(stat -c %a "$var/lib/vmdoctor" 2>/dev/null)
[ "$mode" = 700 ] || bad "state folder mode is '$mode', not 700 (it holds backups of system files)"

# Move the tree away from where it was installed: the binary must still find its own playbooks, and only those.
mv "$root$prefix" "$tmp/moved"
vmd=$tmp/moved/bin/vmdoctor
"$vmd" --version | grep -q "^vmdoctor ." || bad "--version: $("$vmd" --version 2>&1)"
"$vmd" list playbooks --format json >"$tmp/pb.json" 2>"$tmp/pb.err" || bad "list playbooks failed: $(cat "$tmp/pb.err")"
[ -s "$tmp/pb.err" ] && bad "list playbooks wrote errors: $(cat "$tmp/pb.err")"
python3 - "$tmp/pb.json" "$tmp/moved/share/vmdoctor/playbooks/" "$shipped" <<'PY' || bad "list playbooks: wrong files"
import json, sys
items = json.load(open(sys.argv[1]))
assert len(items) == int(sys.argv[3]), f"{len(items)} playbooks listed, {sys.argv[3]} shipped"
for p in items:
    assert p["file"].startswith(sys.argv[2]), f"{p['id']} read from {p['file']}, not the installed tree"
PY
"$vmd" check --snapshot "$fixture" --no-color >"$tmp/check.txt" 2>&1
rc=$?
[ $rc -eq 2 ] || bad "check --snapshot cpu-vt-disabled-msr exited $rc, not 2"
grep -q "CPU-VT-DISABLED" "$tmp/check.txt" || bad "check --snapshot did not report CPU-VT-DISABLED"
"$vmd" check --playbook vm-wont-start --answer which-program=kvm --snapshot "$fixture" --format json \
	>"$tmp/walk.json" 2>"$tmp/walk.err"
rc=$?
[ $rc -eq 2 ] || bad "check --playbook vm-wont-start exited $rc: $(cat "$tmp/walk.err")"
grep -q '"playbook": "vm-wont-start"' "$tmp/walk.json" || bad "the playbook walk did not report its playbook"

# Without its playbooks the moved binary says so; it never quietly reads the source tree's.
mv "$tmp/moved/share/vmdoctor/playbooks" "$tmp/hidden"
"$vmd" list playbooks --format json >"$tmp/none.json" 2>/dev/null
grep -q "$src/playbooks" "$tmp/none.json" && bad "the installed binary read the source tree's playbooks"

# Another prefix, given at install time.
DESTDIR=$tmp/opt cmake --install "$build" --prefix /opt/vmd >"$tmp/install2.log" 2>&1 || bad "--prefix /opt/vmd failed"
n=$("$tmp/opt/opt/vmd/bin/vmdoctor" list playbooks 2>/dev/null | wc -l)
[ "$n" -eq "$shipped" ] || bad "installed with --prefix /opt/vmd: $n playbooks listed, $shipped shipped"

[ $fail -eq 0 ] && echo "install: DESTDIR layout ok, $shipped playbooks found by the moved binary"
exit $fail
