#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages vmdoctor needs to build and test, and say which ones it installs.
# Usage: packaging/install-deps.sh [build|test|package]
set -eu

build_pkgs="cmake make gcc pkg-config git libncurses-dev libcpuid-dev libvirt-dev libarchive-dev
libjansson-dev libyaml-dev"
# libvirt-daemon & co. serve tests/libvirt/real-daemon.sh (a real libvirtd; it skips without them).
test_pkgs="libcriterion-dev tmux python3 libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients iptables"
# make package (CPack: dpkg-shlibdeps computes Depends, rpmbuild the .rpm) and its tests (man pages, completion).
package_pkgs="dpkg-dev file rpm"
test_pkgs="$test_pkgs $package_pkgs man-db groff-base bash zsh"
# pgrep: the tmux tests of the wizard signal the running vmdoctor (tests/tui/signal.sh, bundle.sh).
test_pkgs="$test_pkgs procps"

pkgs=$build_pkgs
[ "${1:-build}" = test ] && pkgs="$build_pkgs $test_pkgs"
[ "${1:-build}" = package ] && pkgs="$build_pkgs $package_pkgs"

missing=""
for p in $pkgs; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "vmdoctor: missing build packages:$missing (this is not a Debian-based system: install them by hand)" >&2
	exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "vmdoctor: missing packages:$missing; run as root: apt-get install$missing" >&2
		exit 1
	fi
	sudo=sudo
fi
echo "vmdoctor: installing missing Debian packages:$missing"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
