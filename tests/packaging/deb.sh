#!/bin/sh
# SPDX-License-Identifier: MIT
# The .deb that `make package` builds: its control data (Depends computed by dpkg-shlibdeps, libvirt0 recommended
# because it is dlopen()ed), its paths, and, as root, `dpkg -i`, the installed vmdoctor used (--version,
# check --format json, man, a local playbook), then `dpkg -r`.
# Usage: deb.sh BUILD-DIR SOURCE-DIR. Exits 77 (skip) only for the install part when not root.
set -u
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }
for tool in cpack dpkg-deb dpkg-shlibdeps; do
	command -v $tool >/dev/null || { echo "FAIL: $tool is missing (packaging/install-deps.sh test)" >&2; exit 1; }
done
# The package installs under the prefix the build was configured with (/usr unless given), like cmake --install.
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
etc=/etc var=/var
[ "$prefix" = /usr ] || etc=$prefix/etc var=$prefix/var
tmp=$(mktemp -d) || exit 1
# dpkg, one at a time (the plain and ASan runs may overlap), waiting up to a minute while apt or another dpkg
# holds the database lock.
dpkg_locked() {
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12; do
		flock /tmp/vmdoctor-dpkg.lock dpkg "$@" && return 0
		grep -q "lock" "$tmp/dpkg.err" 2>/dev/null || return 1
		sleep 5
	done
	return 1
}
installed=""
cleanup() {
	[ -n "$installed" ] && dpkg_locked -r vmdoctor >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

(cd "$build" && cpack -G DEB -B "$tmp") >"$tmp/cpack.log" 2>&1 || { cat "$tmp/cpack.log" >&2; exit 1; }
deb=$(ls "$tmp"/vmdoctor_*.deb 2>/dev/null | head -1)
[ -f "$deb" ] || { echo "FAIL: cpack made no .deb: $(tail -3 "$tmp/cpack.log")" >&2; exit 1; }

dpkg-deb --field "$deb" Package Depends Recommends Version >"$tmp/info" || bad "dpkg-deb --field failed"
grep -qx "Package: vmdoctor" "$tmp/info" || bad "package name: $(head -1 "$tmp/info")"
depends=$(sed -n 's/^Depends: //p' "$tmp/info")
# Computed, not hand-listed: every library the binary links (readelf NEEDED) has its package with a version.
for lib in $(readelf -d "$build/vmdoctor" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
	case $lib in libasan* | libubsan* | ld-linux*) continue ;; esac
	pkg=$(dpkg -S "*/$lib" 2>/dev/null | head -1 | cut -d: -f1)
	[ -n "$pkg" ] || continue
	echo "$depends" | grep -q "\(^\|, \)$pkg (>= [^)]*)\|\(^\|, \)$pkg\(,\|$\)" || bad "Depends lacks $pkg (for $lib): $depends"
done
for pkg in libc6 libjansson4 libyaml-0-2 libarchive13; do
	echo "$depends" | grep -q "\(^\|, \)$pkg" || bad "Depends lacks $pkg: $depends"
done
echo "$depends" | grep -q "(>= " || bad "Depends has no versions, so it was not computed: $depends"
grep -q "^Recommends: .*libvirt0" "$tmp/info" || bad "libvirt0 (dlopen()ed) is not recommended"
version=$(sed -n 's/^Version: //p' "$tmp/info")
dpkg --validate-version "$version" 2>/dev/null || bad "'$version' is not a valid Debian version"

dpkg-deb --contents "$deb" | awk '{ print $1, $NF }' >"$tmp/contents"
for p in $prefix/bin/vmdoctor $prefix/share/vmdoctor/playbooks/vm-wont-start.yaml $prefix/share/man/man1/vmdoctor.1.gz \
	$prefix/share/man/man5/vmdoctor-playbook.5.gz $prefix/share/man/man5/vmdoctor-snapshot.5.gz \
	$prefix/share/man/man7/vmdoctor-codes.7.gz $prefix/share/bash-completion/completions/vmdoctor \
	$prefix/share/zsh/vendor-completions/_vmdoctor $etc/vmdoctor/playbooks.d/ $var/lib/vmdoctor/; do
	grep -q " \.$p\$" "$tmp/contents" || bad "the .deb lacks $p"
done
grep -q "^drwx------ \.$var/lib/vmdoctor/\$" "$tmp/contents" || bad "$var/lib/vmdoctor is not mode 0700 in the .deb"
[ "$(grep -c "/vmdoctor\$" "$tmp/contents")" -ge 2 ] || bad "the .deb holds no binary"
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: dpkg -i needs root (the package itself was checked)" >&2
	[ $fail -eq 0 ] && exit 77
	exit $fail
fi
if dpkg-query -W -f='${Status}' vmdoctor 2>/dev/null | grep -q "ok installed"; then
	echo "SKIP: a vmdoctor package is installed already; not replacing it" >&2
	[ $fail -eq 0 ] && exit 77
	exit $fail
fi

dpkg_locked -i "$deb" >"$tmp/dpkg.log" 2>"$tmp/dpkg.err" || { cat "$tmp/dpkg.log" "$tmp/dpkg.err" >&2; installed=1; exit 1; }
installed=1
vmd=$prefix/bin/vmdoctor
[ -x "$vmd" ] || bad "dpkg -i did not install $vmd"
want=$("$build/vmdoctor" --version)
got=$("$vmd" --version) || bad "installed vmdoctor --version failed"
[ "$got" = "$want" ] || bad "installed --version says '$got', the build '$want'"
cd "$tmp" || exit 1
"$vmd" check --format json >"$tmp/report.json" 2>"$tmp/check.err"
rc=$?
[ $rc -le 2 ] || bad "installed check exited $rc: $(cat "$tmp/check.err")"
python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); assert r["format"] == "vmdoctor-report", r["format"]' \
	"$tmp/report.json" || bad "installed check --format json is not a report"
# Every other command, from the installed files only (a private state folder; the fixture is a snapshot).
fixture=$src/tests/fixtures/snapshots/cpu-vt-disabled-msr
export VMDOCTOR_STATE_DIR="$tmp/state"
for cmd in "explain CPU-VT-DISABLED" "list checks" "list codes" "list fixes" "lint $prefix/share/vmdoctor/playbooks" \
	"fix CPU-VT-DISABLED --dry-run --snapshot $fixture" "bundle --snapshot $fixture -o $tmp/case.tar.gz" "history"; do
	# shellcheck disable=SC2086 # the words of $cmd are the arguments
	"$vmd" $cmd >"$tmp/cmd.out" 2>"$tmp/cmd.err" || bad "installed vmdoctor $cmd exited $?: $(head -3 "$tmp/cmd.err")"
	[ -s "$tmp/cmd.out" ] || bad "installed vmdoctor $cmd printed nothing"
done
"$vmd" check --snapshot "$tmp/case.tar.gz" >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] || bad "installed vmdoctor check --snapshot of its own bundle exited $rc, not 2"
unset VMDOCTOR_STATE_DIR
n=$("$vmd" list playbooks | wc -l)
[ "$n" -eq "$(ls "$src"/playbooks/*.yaml | wc -l)" ] || bad "installed list playbooks shows $n playbooks"
# A helpdesk's own playbook in /etc/vmdoctor/playbooks.d is read after the shipped ones.
cat >"$etc/vmdoctor/playbooks.d/zz-local-test.yaml" <<'YAML'
schema: 1
id: local-test
title: A local playbook
summary: Dropped into /etc/vmdoctor/playbooks.d by tests/packaging/deb.sh.
start: cpu
steps:
  cpu: {run: [cpu.hwvirt], next: end}
  end: {show: findings}
YAML
"$vmd" list playbooks | grep -q "^local-test " || bad "the local playbook in $etc/vmdoctor/playbooks.d is not listed"
rm -f "$etc/vmdoctor/playbooks.d/zz-local-test.yaml"
# man finds the installed pages (through /usr/local/man -> share/man when the prefix is /usr/local).
man_pages="1:vmdoctor 5:vmdoctor-playbook 5:vmdoctor-snapshot 7:vmdoctor-codes"
if grep -qs "^path-exclude.*/share/man" /etc/dpkg/dpkg.cfg.d/*; then
	echo "note: this system's dpkg excludes man pages (a minimal image): man -w not checked" >&2
	man_pages=""
fi
for page in $man_pages; do
	found=$(man -w "${page%%:*}" "${page#*:}" 2>/dev/null)
	[ "$(readlink -f "$found")" = "$prefix/share/man/man${page%%:*}/${page#*:}.${page%%:*}.gz" ] ||
		bad "man -w ${page%%:*} ${page#*:}: '$found'"
done

dpkg_locked -r vmdoctor >"$tmp/dpkg-r.log" 2>"$tmp/dpkg.err" || bad "dpkg -r failed: $(cat "$tmp/dpkg.err")"
installed=""
[ -e "$vmd" ] && bad "$vmd is still there after dpkg -r"
[ -e "$prefix/share/vmdoctor" ] && bad "$prefix/share/vmdoctor is still there after dpkg -r"
[ $fail -eq 0 ] && echo "deb: $(basename "$deb"): Depends: $depends; installed, used and removed"
exit $fail
