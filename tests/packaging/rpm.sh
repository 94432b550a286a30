#!/bin/sh
# SPDX-License-Identifier: MIT
# The .rpm that `make package` builds: Requires computed by rpmbuild from the libraries the binary links, the paths
# it owns (and the system folders it must not claim), and the mode of /var/lib/vmdoctor.
# Usage: rpm.sh BUILD-DIR
set -u
build=$(cd "$1" && pwd)
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }
for tool in cpack rpm rpmbuild; do
	command -v $tool >/dev/null || { echo "FAIL: $tool is missing (packaging/install-deps.sh test)" >&2; exit 1; }
done
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
etc=/etc var=/var
[ "$prefix" = /usr ] || etc=$prefix/etc var=$prefix/var
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

(cd "$build" && cpack -G RPM -B "$tmp") >"$tmp/cpack.log" 2>&1 || { cat "$tmp/cpack.log" >&2; exit 1; }
pkg=$(ls "$tmp"/vmdoctor-*.rpm 2>/dev/null | head -1)
[ -f "$pkg" ] || { echo "FAIL: cpack made no .rpm: $(tail -3 "$tmp/cpack.log")" >&2; exit 1; }

rpm -qp --requires "$pkg" >"$tmp/requires" 2>/dev/null || bad "rpm -qp --requires failed"
for lib in $(readelf -d "$build/vmdoctor" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
	case $lib in ld-linux*) continue ;; esac
	grep -q "^$lib()(64bit)\$" "$tmp/requires" || bad "Requires lacks $lib"
done
grep -q "^libvirt" "$tmp/requires" && bad "libvirt is a hard Requires, but vmdoctor runs without it (dlopen())"
rpm -qp --suggests "$pkg" 2>/dev/null | grep -q "^libvirt-libs" || bad "libvirt-libs is not suggested"

rpm -qplv "$pkg" 2>/dev/null | awk '{ print $1, $NF }' >"$tmp/files"
for p in $prefix/bin/vmdoctor $prefix/share/vmdoctor/playbooks/vm-wont-start.yaml $prefix/share/man/man1/vmdoctor.1.gz \
	$prefix/share/man/man7/vmdoctor-codes.7.gz $prefix/share/bash-completion/completions/vmdoctor \
	$prefix/share/zsh/vendor-completions/_vmdoctor $etc/vmdoctor/playbooks.d $var/lib/vmdoctor; do
	grep -q " $p\$" "$tmp/files" || bad "the .rpm lacks $p"
done
for p in $prefix $prefix/bin $prefix/share $prefix/share/man $prefix/share/man/man1 $etc $var $var/lib; do
	grep -q " $p\$" "$tmp/files" && bad "the .rpm claims the system folder $p"
done
grep -q "^drwx------ $var/lib/vmdoctor\$" "$tmp/files" || bad "$var/lib/vmdoctor is not mode 0700 in the .rpm"
[ $fail -eq 0 ] && echo "rpm: $(basename "$pkg"): $(grep -c . "$tmp/requires") requirements, $(grep -c . "$tmp/files") paths"
exit $fail
