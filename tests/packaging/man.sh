#!/bin/sh
# SPDX-License-Identifier: MIT
# The man pages: each renders without a single groff warning, man/vmdoctor-codes.7 is exactly what the code table
# generates, and vmdoctor.1 documents every option the parser accepts, every option each --help names, and nothing
# that no --help names.
# Usage: man.sh BUILD/vmdoctor SOURCE-DIR
set -u
bin=$1 src=$2
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }
command -v man >/dev/null || { echo "SKIP: man (man-db) is not installed" >&2; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# Render: warnings go to stderr, and there must be none.
render() {
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$1" >"$tmp/out" 2>"$tmp/warn" || bad "$1: man failed"
	[ -s "$tmp/warn" ] && bad "$1: groff warnings: $(cat "$tmp/warn")"
	[ "$(wc -l <"$tmp/out")" -gt 20 ] || bad "$1: rendered to almost nothing"
	# A code or option split over two lines cannot be searched or copied.
	grep -q '‐$' "$tmp/out" && bad "$1: words are hyphenated at line ends: $(grep -m1 '‐$' "$tmp/out")"
}
for page in "$src"/man/*.[1-8]; do render "$page"; done
for page in vmdoctor.1 vmdoctor-playbook.5 vmdoctor-snapshot.5 vmdoctor-codes.7; do
	[ -f "$src/man/$page" ] || bad "man/$page is missing"
done

# The example of vmdoctor-playbook(5) is a valid playbook: a reader may copy it.
awk '/^\.EX/ { on = 1; next } /^\.EE/ { exit } on' "$src/man/vmdoctor-playbook.5" |
	sed 's/\\-/-/g; s/\\e/\\/g' >"$tmp/example.yaml"
grep -q "^schema: 1" "$tmp/example.yaml" || bad "vmdoctor-playbook.5: the first example is not a playbook"
"$bin" lint "$tmp/example.yaml" >"$tmp/lint" 2>&1 || bad "vmdoctor-playbook.5: the example does not lint: $(cat "$tmp/lint")"

# The codes page is generated from the code table and must not drift from it.
"$bin" list codes --format man >"$tmp/codes.7" || bad "list codes --format man failed"
cmp -s "$tmp/codes.7" "$src/man/vmdoctor-codes.7" ||
	bad "man/vmdoctor-codes.7 is stale: $bin list codes --format man > man/vmdoctor-codes.7"
render "$tmp/codes.7"
for code in $("$bin" list codes | awk '{ print $1 }'); do
	grep -qx ".SS $(echo "$code" | sed 's/-/\\\\-/g')" "$tmp/codes.7" || bad "codes page lacks $code"
done
"$bin" check --format man >/dev/null 2>"$tmp/err" && bad "check --format man was accepted"
grep -q "only for list codes" "$tmp/err" || bad "check --format man: no one-line error: $(cat "$tmp/err")"

# Options named by the page (roff \- becomes -), by the help texts, and by the parser (cli/*.c).
page=$src/man/vmdoctor.1
sed 's/\\-/-/g' "$page" >"$tmp/page"
opts_in() { grep -o -- '\(^\|[^a-z-]\)--*[a-z][a-z-]*' "$1" | sed 's/^[^-]*//' | sort -u; }
# The page's OPTIONS section: the tags after .TP.
awk '/^\.SH OPTIONS/ { on = 1; next } /^\.SH/ { on = 0 } on && tp { print; tp = 0 } on && /^\.TP/ { tp = 1 }' \
	"$tmp/page" >"$tmp/tags"
opts_in "$tmp/tags" >"$tmp/documented"
[ "$(wc -l <"$tmp/documented")" -ge 15 ] || bad "vmdoctor.1 OPTIONS lists only $(wc -l <"$tmp/documented") options"

"$bin" --help >"$tmp/help" || bad "vmdoctor --help failed"
commands=$(sed -n '/^Commands:/,/^$/p' "$tmp/help" | awk 'NR > 1 && NF { print $1 }' | sort -u)
[ -n "$commands" ] || bad "vmdoctor --help lists no commands"
for c in $commands; do
	"$bin" "$c" --help >"$tmp/help-$c" || bad "vmdoctor $c --help failed"
	cmp -s "$tmp/help-$c" "$tmp/help" && bad "vmdoctor $c --help is the general help, not the command's"
	head -1 "$tmp/help-$c" | grep -q "^Usage: vmdoctor $c" || bad "vmdoctor $c --help does not start with its usage"
	grep -q "^\.B $c\$\|^\.BR\{0,1\}I\{0,1\} \"\{0,1\}$c[ \"]" "$page" || bad "vmdoctor.1 has no entry for command $c"
	"$bin" --help "$c" | cmp -s - "$tmp/help-$c" || bad "vmdoctor --help $c differs from vmdoctor $c --help"
done
cat "$tmp"/help* | grep '^  -' >"$tmp/helplines"
opts_in "$tmp/helplines" >"$tmp/helped"
for o in $(cat "$tmp/helped"); do
	grep -qx -- "$o" "$tmp/documented" || bad "$o is in a --help but not in the OPTIONS of vmdoctor.1"
done
for o in $(cat "$tmp/documented"); do
	grep -qx -- "$o" "$tmp/helped" || bad "$o is in vmdoctor.1 but in no --help"
done
# Every option the parser compares against must be documented (a new option without docs fails here).
grep -ho 'strn\{0,1\}cmp(a, "-[^"=]*' "$src"/cli/*.c | sed 's/.*"//' | sort -u >"$tmp/parsed"
[ "$(wc -l <"$tmp/parsed")" -ge 15 ] || bad "found only $(wc -l <"$tmp/parsed") options in cli/*.c"
for o in $(cat "$tmp/parsed"); do
	grep -qx -- "$o" "$tmp/documented" || bad "$o is parsed by cli/ but not documented in vmdoctor.1"
done
# The environment the code reads is documented too.
for v in $(grep -ho 'getenv("[A-Z_]*")' "$src"/cli/*.c "$src"/core/*.c "$src"/tui/*.c | sed 's/getenv("\(.*\)")/\1/' |
	sort -u); do
	case $v in HOME | PATH | LANG | LC_ALL | TMPDIR | LIBVIRT_* | COLUMNS | LINES) continue ;; esac
	grep -q "^\.B $v\$" "$page" || bad "environment variable $v is read by the code but not in vmdoctor.1"
done

[ $fail -eq 0 ] && echo "man pages: $(ls "$src"/man/*.[1-8] | wc -l) render cleanly; $(wc -l <"$tmp/documented") options match"
exit $fail
