#!/bin/sh
# SPDX-License-Identifier: MIT
# Shell completion, driven like the shells drive it: bash calls _vmdoctor with COMP_WORDS; zsh completes a typed
# line in a pseudo-terminal (zpty). The candidates must be what this binary lists: its commands, each command's
# options from its --help, the codes for explain and fix, fix ids and playbook ids.
# Usage: completion.sh BUILD/vmdoctor SOURCE-DIR
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") src=$(cd "$2" && pwd)
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# bash: complete WORDS... (the last word is the one being completed) and print the candidates, one a line.
bash_complete() {
	bash --norc --noprofile -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vmdoctor
		printf "%s\n" "${COMPREPLY[@]}"' bash "$src/packaging/completion/vmdoctor.bash" "$bin" "$@" | sort
}
expect_in() {   # WHAT WORD FILE
	grep -qx -- "$2" "$3" || bad "$1: '$2' not offered (got: $(tr '\n' ' ' <"$3" | cut -c1-200))"
}

bash_complete "" >"$tmp/commands"
for c in check explain list lint fix history undo bundle; do expect_in "bash: vmdoctor <TAB>" "$c" "$tmp/commands"; done
"$bin" list codes | awk '$1 ~ /^CPU-/ { print $1 }' | sort >"$tmp/cpu-codes"
bash_complete explain CPU- >"$tmp/got"
cmp -s "$tmp/got" "$tmp/cpu-codes" || bad "bash: explain CPU-<TAB> gave '$(tr '\n' ' ' <"$tmp/got")'"
[ -s "$tmp/got" ] || bad "bash: explain CPU-<TAB> offered nothing"
fix_id=$("$bin" list fixes | awk '/^[^ ]/ { print $1; exit }')
bash_complete fix "" >"$tmp/got"
expect_in "bash: fix <TAB>" "$fix_id" "$tmp/got"
expect_in "bash: fix <TAB>" LIBVIRT-NET-INACTIVE "$tmp/got"
bash_complete --no-color check --playbook vm- >"$tmp/got"
expect_in "bash: check --playbook vm-<TAB>" vm-wont-start "$tmp/got"
grep -qv '^vm-' "$tmp/got" && bad "bash: check --playbook vm-<TAB> offered a non-matching id"
bash_complete bundle --n >"$tmp/got"
expect_in "bash: bundle --n<TAB>" --no-redact "$tmp/got"
bash_complete bundle -- >"$tmp/got"
expect_in "bash: bundle --<TAB>" --compress "$tmp/got"
grep -qx -- --dry-run "$tmp/got" && bad "bash: bundle --<TAB> offered fix's --dry-run"
bash_complete fix --d >"$tmp/got"
expect_in "bash: fix --d<TAB>" --dry-run "$tmp/got"
bash_complete --format "" >"$tmp/got"
for f in text json md man; do expect_in "bash: --format <TAB>" $f "$tmp/got"; done
bash_complete list p >"$tmp/got"
[ "$(cat "$tmp/got")" = playbooks ] || bad "bash: list p<TAB> gave '$(cat "$tmp/got")'"

# zsh: a real interactive zsh with compinit and our _vmdoctor on fpath; type a line, press TAB, read the line back.
if ! command -v zsh >/dev/null; then
	echo "zsh is not installed: its completion was not exercised" >&2
	[ $fail -eq 0 ] && exit 77
	exit $fail
fi
zsh -n "$src/packaging/completion/_vmdoctor" || bad "zsh: _vmdoctor has a syntax error"
mkdir -p "$tmp/bin" "$tmp/home" && ln -s "$bin" "$tmp/bin/vmdoctor"
# zsh_complete LINE: the command line after one TAB (a unique match is inserted into the line). Ctrl-X runs a
# widget that writes the edit buffer to a file, so the result is read from zle itself, not from the screen.
zsh_complete() {
	rm -f "$tmp/buffer"
	HOME=$tmp/home PATH=$tmp/bin:$PATH ZDOTDIR=$tmp/home TERM=dumb zsh -f -c '
		zmodload zsh/zpty
		zpty -b z "zsh -f -i"
		zpty -w z "PS1=\"> \"; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D; setopt nobeep"
		zpty -w z "dump() { print -r -- \"\$BUFFER\" >$3; }; zle -N dump; bindkey \"^X\" dump"
		zpty -w z "bindkey \"^I\" complete-word; print READY"
		zpty -r -m z out "*READY*" || exit 1
		zpty -w -n z "$2"$'"'"'\t'"'"'
		for i in 1 2 3 4 5 6 7 8 9 10; do
			sleep 0.5
			zpty -w -n z $'"'"'\x18'"'"'
			sleep 0.2
			[[ -s $3 ]] && break
		done
		zpty -d z' zsh "$src/packaging/completion" "$1" "$tmp/buffer" >/dev/null 2>&1
	cat "$tmp/buffer" 2>/dev/null
}
line=$(zsh_complete "vmdoctor explain CPU-VT-DISA")
case $line in *"CPU-VT-DISABLED"*) ;; *) bad "zsh: explain CPU-VT-DISA<TAB> gave: $line" ;; esac
line=$(zsh_complete "vmdoctor check --playbook vm-wont")
case $line in *"vm-wont-start"*) ;; *) bad "zsh: check --playbook vm-wont<TAB> gave: $line" ;; esac
line=$(zsh_complete "vmdoctor bundle --no-r")
case $line in *"--no-redact"*) ;; *) bad "zsh: bundle --no-r<TAB> gave: $line" ;; esac
line=$(zsh_complete "vmdoctor his")
case $line in *"history"*) ;; *) bad "zsh: his<TAB> gave: $line" ;; esac

[ $fail -eq 0 ] && echo "completion: bash and zsh offer this binary's commands, options, codes, fixes and playbooks"
exit $fail
