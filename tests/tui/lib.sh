# SPDX-License-Identifier: MIT
# Shared by the tmux tests of the wizard (sourced): a private tmux server, waits that poll the screen, keys, mouse,
# the wizard's start, exit status and process. The sourcing script sets SESSION before calling start_wizard (and may
# change it to start another session); WAIT_STEPS (0.1 s each, 50 unless set) is how long wait_for waits by default.
command -v tmux >/dev/null 2>&1 || { echo "tmux not found: skipped"; exit 77; }
TMP=$(mktemp -d)
# A resume file of a real fix under /var/lib/vmdoctor would change the start screen: use an empty state folder.
export VMDOCTOR_STATE_DIR="$TMP/state"
T="tmux -L vmdoctor-$(basename "$0" .sh)-$$"
cleanup() { $T kill-server >/dev/null 2>&1; [ -n "${CLEANUP_PID:-}" ] && kill "$CLEANUP_PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	echo "--- screen ---"
	cat "$TMP/screen" 2>/dev/null
	exit 1
}

capture() { $T capture-pane -p -t "$SESSION" > "$TMP/screen" 2>/dev/null; }

# Wait up to STEPS (default WAIT_STEPS, else 50) 0.1 s steps for TEXT on the screen.
wait_for() {
	i=0
	while [ $i -lt "${2:-${WAIT_STEPS:-50}}" ]; do
		capture
		grep -qF -- "$1" "$TMP/screen" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "screen never showed '$1'"
}

# Wait up to 5 s for TEXT to go away.
wait_gone() {
	i=0
	while [ $i -lt 50 ]; do
		capture
		grep -qF -- "$1" "$TMP/screen" || return 0
		sleep 0.1
		i=$((i + 1))
	done
	fail "screen still shows '$1'"
}

expect_not() {
	capture
	grep -qF -- "$1" "$TMP/screen" && fail "screen shows '$1'"
	return 0
}

keys() { $T send-keys -t "$SESSION" "$@"; }

# A left click at 0-based column X, row Y, as an xterm X10 mouse report (ESC [ M b x y, each + 32, x y 1-based):
# what tmux passes on for mouse mode 1000, which ncurses asks for when terminfo has kmous=\E[M (TERM=screen).
# Press and release in one write, as a terminal sends them.
click() {
	cx=$(printf "\\$(printf %o $(($1 + 33)))")
	cy=$(printf "\\$(printf %o $(($2 + 33)))")
	$T send-keys -t "$SESSION" -l "$(printf '\033[M ')$cx$cy$(printf '\033[M#')$cx$cy"
}

# A session that outlives the others (SECONDS long) keeps one tmux server for the whole test: without it, closing
# the last session stops the server and the next start_wizard starts another.
keep_server() {
	$T -f /dev/null new-session -d -s keep "sleep $1" || fail "tmux could not start"
}

# start_wizard WIDTH HEIGHT WORD...: run the shell words (env settings, the program and its arguments, quoted by the
# caller) in a new session SESSION of WIDTHxHEIGHT, replacing an old one; the exit status goes to $TMP/exit.
# Optional: WIZARD_DIR, the folder to run in; WIZARD_AFTER, shell run after the status is saved (e.g. a sleep that
# keeps the pane open, or stty -a to see the terminal the wizard left behind).
start_wizard() {
	w=$1 h=$2
	shift 2
	$T kill-session -t "$SESSION" >/dev/null 2>&1
	rm -f "$TMP/exit"
	$T -f /dev/null new-session -d -s "$SESSION" -x "$w" -y "$h" \
		"${WIZARD_DIR:+cd '$WIZARD_DIR' && }env ASAN_OPTIONS='${ASAN_OPTIONS:-}' UBSAN_OPTIONS='${UBSAN_OPTIONS:-}' $*; echo EXIT=\$? > '$TMP/exit'${WIZARD_AFTER:+; $WIZARD_AFTER}" \
		|| fail "tmux could not start"
}

# wait_file FILE [STEPS]: wait up to STEPS (default 50) 0.1 s steps for FILE to be written (not empty).
wait_file() {
	i=0
	while [ $i -lt "${2:-50}" ] && ! [ -s "$1" ]; do sleep 0.1; i=$((i + 1)); done
}

# expect_exit STATUS [WHAT]: the wizard's saved exit status is STATUS.
expect_exit() {
	grep -qx "EXIT=$1" "$TMP/exit" 2>/dev/null ||
		fail "${2:-vmdoctor}: exit status $(cat "$TMP/exit" 2>/dev/null), want EXIT=$1"
}

# wait_exit STATUS [STEPS]: wait (up to STEPS 0.1 s steps, default 50) for the wizard to end with STATUS.
wait_exit() {
	wait_file "$TMP/exit" "${2:-50}"
	[ -s "$TMP/exit" ] || fail "vmdoctor did not exit"
	expect_exit "$1"
}

# The pid of vmdoctor, the child of the shell in SESSION's pane (empty once it has ended).
wizard_pid() {
	pgrep -P "$($T display -p -t "$SESSION" '#{pane_pid}')" | head -1
}

# expect_sane_terminal WHAT: after WIZARD_AFTER="stty -a > '$TMP/stty'..." wrote that file, the terminal the wizard
# left is sane: echo and canonical mode on (whole words, as grep -w would also match "-echo", which means off).
expect_sane_terminal() {
	grep -Eq '(^| )echo( |$)' "$TMP/stty" && grep -Eq '(^| )icanon( |$)' "$TMP/stty" ||
		fail "$1: the terminal was not restored: $(cat "$TMP/stty" 2>/dev/null)"
}

# q (and y when a walk asks), then exit status 0.
quit_wizard() {
	keys q
	capture
	sleep 0.2
	capture
	grep -qF "(y/n)" "$TMP/screen" && keys y
	wait_exit 0
}

# Move the menu selection from the top down to the row labelled TEXT ("> TEXT" on screen).
select_item() {
	keys g
	n=0
	while [ $n -lt 20 ]; do
		capture
		grep -qF -- "> $1" "$TMP/screen" && return 0
		keys j
		sleep 0.1
		n=$((n + 1))
	done
	fail "could not select '$1'"
}

# A wheel step down (button 65 in the X10 report) at 0-based column X, row Y; wheels send no release.
wheel_down() {
	cx=$(printf "\\$(printf %o $(($1 + 33)))")
	cy=$(printf "\\$(printf %o $(($2 + 33)))")
	$T send-keys -t "$SESSION" -l "$(printf '\033[Ma')$cx$cy"
}
