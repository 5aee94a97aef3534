#!/bin/bash
# run.sh: quick start. On Debian 12: installs the build and run dependencies
# that are missing (apt-get, through sudo when not root), builds patrol out of
# tree in ./build, initialises ./state (configuration, database, signing key),
# creates an admin identity and a personal access token on the first run and
# prints its credentials once, then runs lighttpd in the foreground on
# 127.0.0.1:${PATROL_PORT:-8080} with etc/lighttpd.conf until Ctrl-C.
# Safe to run again: what exists is kept.
set -euo pipefail

cd "$(dirname "$0")"
ROOT=$PWD
BUILD=${PATROL_BUILD:-$ROOT/build}	# PATROL_BUILD, PATROL_STATE: for tests
STATE=${PATROL_STATE:-$ROOT/state}
PORT=${PATROL_PORT:-8080}

say() { printf '==> %s\n' "$*"; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

find_lighttpd() {
	local b
	for b in "$(command -v lighttpd 2>/dev/null || true)" /usr/sbin/lighttpd \
	    /usr/local/sbin/lighttpd; do
		[ -n "$b" ] && [ -x "$b" ] && { printf '%s\n' "$b"; return 0; }
	done
	return 1
}

. "$ROOT/scripts/deps.sh"
had_lighttpd=0
dpkg-query -W -f='${Status}\n' lighttpd 2>/dev/null | grep -q 'ok installed' &&
	had_lighttpd=1
install_missing "${RUN_PACKAGES[@]}" || die "cannot install the dependencies"
# Debian starts the lighttpd service of a package it just installed: say so,
# since it now serves port 80 (ours runs apart, on its own port).
if [ "$had_lighttpd" = 0 ] && pgrep -x lighttpd >/dev/null 2>&1; then
	say "installing lighttpd also started the system's lighttpd (port 80);"
	say "patrol does not use it. To stop it: sudo systemctl disable --now lighttpd"
fi

# Build out of tree. The generated Makefiles rerun autoconf/automake/configure
# by themselves when their inputs change.
if [ ! -x configure ]; then
	say "autoreconf -fi"
	autoreconf -fi
fi
mkdir -p "$BUILD"
if [ ! -f "$BUILD/Makefile" ]; then
	say "configuring in $BUILD"
	(cd "$BUILD" && "$ROOT/configure" -q)
fi
if [ "${PATROL_SKIP_BUILD:-}" != 1 ]; then
	say "building"
	make -C "$BUILD" -s -j"$(nproc 2>/dev/null || echo 2)"
fi

CTL=("$BUILD/tools/patrolctl" --config "$STATE/patrol.conf")

# State: configuration (first run only), database and key (init is idempotent).
mkdir -p "$STATE/htdocs" "$STATE/errors"
# The JSON error pages for what lighttpd answers itself (etc/lighttpd.conf).
for f in "$ROOT"/etc/errors/*.json; do
	n=${f##*/}
	cp "$f" "$STATE/errors/${n%.json}.html"
done
if [ ! -f "$STATE/patrol.conf" ]; then
	say "writing $STATE/patrol.conf"
	cat > "$STATE/patrol.conf" <<'CONF'
# patrol configuration for the quick start (see patrol.conf(5)).
# Relative paths are relative to this file's directory.
database = {
	backend = "sqlite";
	path = "patrol.db";
};
token = {
	signing_key_file = "signing.key";
	issuer = "patrol";
	lifetime = 43199;	# seconds an access token is valid
};
limits = {
	request_body_max = 65536;	# bytes of a PUT body
};
pat = {
	last_used_interval = 86400;	# seconds between lastUsed updates
};
CONF
fi
"${CTL[@]}" init >/dev/null

# First run: an administrator with every right, and a PAT for it.
ADMIN_RIGHTS=ORG_ADMIN,idn:all-personal-access-tokens:read,idn:my-personal-access-tokens:read,idn:managed-personal-access-tokens:read,idn:mfa-configuration:read,idn:mfa-configuration:manage
BASE=http://127.0.0.1:$PORT
if [ ! -s "$STATE/quickstart.ids" ]; then
	admin=$("${CTL[@]}" identity add --name Admin --rights "$ADMIN_RIGHTS")
	pat=$("${CTL[@]}" pat create --owner "$admin" --name quickstart --json)
	pat_id=$(jq -r .id <<<"$pat")
	pat_secret=$(jq -r .secret <<<"$pat")
	printf 'admin=%s\npat=%s\n' "$admin" "$pat_id" > "$STATE/quickstart.ids"
	cat <<EOF

Created identity Admin ($admin) with every right, and a personal access token:
  client id:     $pat_id
  client secret: $pat_secret
The secret is shown only now (the database keeps a hash): save it.

Get an access token:
  TOKEN=\$(curl -s -d grant_type=client_credentials -d client_id=$pat_id -d client_secret=$pat_secret $BASE/oauth/token | jq -r .access_token)
List your personal access tokens:
  curl -s -H "Authorization: Bearer \$TOKEN" '$BASE/beta/personal-access-tokens?owner-id=me' | jq .

EOF
else
	pat_id=$(sed -n 's/^pat=//p' "$STATE/quickstart.ids")
	cat <<EOF

The quick-start PAT's client id is $pat_id; its secret was shown on the
first run only. To make another PAT:
  build/tools/patrolctl --config state/patrol.conf pat create --owner $(sed -n 's/^admin=//p' "$STATE/quickstart.ids") --name NAME

  TOKEN=\$(curl -s -d grant_type=client_credentials -d client_id=$pat_id -d client_secret=SECRET $BASE/oauth/token | jq -r .access_token)
  curl -s -H "Authorization: Bearer \$TOKEN" '$BASE/beta/personal-access-tokens?owner-id=me' | jq .

EOF
fi

LIGHTTPD=$(find_lighttpd) || die "lighttpd not found (apt-get install lighttpd)"
export PATROL_PORT=$PORT PATROL_STATE=$STATE PATROL_LIBEXEC=$BUILD/cgi-bin \
    PATROL_CONFIG=$STATE/patrol.conf
"$LIGHTTPD" -tt -f "$ROOT/etc/lighttpd.conf" ||
	die "etc/lighttpd.conf does not load"
say "serving on $BASE (logs in $STATE/lighttpd-*.log); Ctrl-C stops"
# lighttpd runs in a session of its own, so a Ctrl-C or hang-up of this
# terminal reaches only this script, which then stops lighttpd (SIGTERM: it
# stops its responders) and waits for it, then ends any responder left in
# lighttpd's session. Left to the terminal, the signal would kill the
# responders while lighttpd is still respawning them.
setsid "$LIGHTTPD" -D -f "$ROOT/etc/lighttpd.conf" < /dev/null &
lpid=$!
stop() {
	trap '' INT TERM HUP
	set +e
	kill -TERM "$lpid" 2>/dev/null
	wait "$lpid" 2>/dev/null
	pkill -TERM -s "$lpid" 2>/dev/null
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		pgrep -s "$lpid" >/dev/null 2>&1 || break
		sleep 0.2
	done
	pkill -KILL -s "$lpid" 2>/dev/null
	say "stopped"
	exit 0
}
trap stop INT TERM HUP
rc=0
wait "$lpid" || rc=$?
pkill -TERM -s "$lpid" 2>/dev/null || true
exit "$rc"
