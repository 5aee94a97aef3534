#!/bin/sh
# tests/runsh.sh: the quick start, ./run.sh, run in a terminal (a pty made by
# tests/ptyrun.py) against this build: it prints the credentials and how to get
# a token, serves, and a Ctrl-C (SIGINT to the terminal's foreground process
# group) or a hang-up (the terminal goes away: SIGHUP) stops it with nothing
# left behind: no lighttpd, no responder, no process holding the state.
. "$top_srcdir/tests/lib.sh"

for _c in python3 curl jq setsid pgrep; do
	command -v "$_c" >/dev/null || skip_all "$_c is not installed"
done
tmp=$(mktemp -d) || bail "mktemp"
trap 'pkill -KILL -f "$tmp/state" 2>/dev/null; rm -rf "$tmp"' EXIT

# leftovers: the PIDs of processes whose environment names our state
# directory (lighttpd and the responders it spawned get PATROL_CONFIG).
leftovers() {
	for _e in /proc/[0-9]*/environ; do
		grep -qs "$tmp/state" "$_e" 2>/dev/null || continue
		_p=${_e#/proc/}
		printf '%s ' "${_p%/environ}"
	done
}

# free_port: a port of 127.0.0.1 that nothing listens on now (the kernel's
# choice); the round tries another if lighttpd finds it taken after all.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# round HOW N: run.sh in a pty until it serves, then stop it by HOW (int:
# Ctrl-C, hup: hang-up); check what it printed and what is left.
round() {
	for _try in 1 2 3; do
		port=$(free_port)
		PATROL_BUILD=$top_builddir PATROL_SKIP_BUILD=1 \
		PATROL_STATE=$tmp/state PATROL_PORT=$port \
			python3 "$top_srcdir/tests/ptyrun.py" "$1" "http://127.0.0.1:$port/" \
			"$top_srcdir/run.sh" > "$tmp/out" 2>&1
		_rc=$?
		# Another test of the parallel make check took the port.
		[ $_rc -eq 2 ] && grep -q 'Address already in use' "$tmp/out" || break
		diag "port $port was taken; again"
	done
	[ $_rc -eq 0 ] || sed 's/^/# /' "$tmp/out" | tail -n 15
	is $_rc 0 "$1 $2: run.sh served, then stopped by the terminal and exited"
	sleep 0.3
	is "$(leftovers)" "" "$1 $2: no process left holding the state"
}

round int 1
like "$(cat "$tmp/out")" "client secret:" "first run: prints the PAT's secret"
like "$(cat "$tmp/out")" "/oauth/token" "first run: says how to get a token"
like "$(cat "$tmp/out")" "serving on http://127.0.0.1:$port" "says where it serves"
like "$(cat "$tmp/out")" "stopped" "says it stopped"
is "$(stat -c %a "$tmp/state/patrol.db")" 600 "the quick start's database is 0600"
is "$(stat -c %a "$tmp/state/signing.key")" 600 "the quick start's key is 0600"
round int 2
like "$(cat "$tmp/out")" "its secret was shown on the" "second run: the secret is not shown again"
round int 3
round hup 1
round hup 2

done_testing
