# tests/lib.sh: TAP helpers for the shell tests. Source it, then call the
# functions; finish with `done_testing`. Needs $top_srcdir and $top_builddir
# (set by `make check`).
: "${top_srcdir:?run through make check (top_srcdir unset)}"
: "${top_builddir:?run through make check (top_builddir unset)}"

_tap_n=0
_tap_failed=0

diag() { printf '# %s\n' "$*"; }

ok() {	# ok STATUS NAME: STATUS 0 is a pass
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		printf 'ok %d - %s\n' "$_tap_n" "$2"
	else
		printf 'not ok %d - %s\n' "$_tap_n" "$2"
		_tap_failed=$((_tap_failed + 1))
	fi
}

is() {	# is GOT WANT NAME
	if [ "$1" = "$2" ]; then ok 0 "$3"; else
		ok 1 "$3"; diag "got:  '$1'"; diag "want: '$2'"; fi
}

like() {	# like GOT GLOB-SUBSTRING NAME
	case $1 in
	*"$2"*) ok 0 "$3" ;;
	*) ok 1 "$3"; diag "got:  '$1'"; diag "want something containing: '$2'" ;;
	esac
}

unlike() {	# unlike GOT SUBSTRING NAME
	case $1 in
	*"$2"*) ok 1 "$3"; diag "got:  '$1'"; diag "must not contain: '$2'" ;;
	*) ok 0 "$3" ;;
	esac
}

skip_all() { printf '1..0 # SKIP %s\n' "$*"; exit 0; }

bail() { printf 'Bail out! %s\n' "$*"; exit 1; }

done_testing() {
	printf '1..%d\n' "$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}

# make_state DIR: a fresh state directory with a config file $DIR/patrol.conf
# (relative paths: patrol.db, signing.key) and an initialised database. The
# rate limits are out of the way (tests make hundreds of requests with one
# token, and fail secrets on purpose); tests/limits.sh sets its own.
make_state() {
	mkdir -p "$1" || bail "cannot create $1"
	cat > "$1/patrol.conf" <<CONF
database = { backend = "sqlite"; path = "patrol.db"; };
token = { signing_key_file = "signing.key"; issuer = "patrol-test"; lifetime = 3600; };
limits = { request_body_max = 65536; requests_per_token = 1000000; auth_failures = 1000000; };
pat = { last_used_interval = 86400; };
CONF
	"$top_builddir/tools/patrolctl" --config "$1/patrol.conf" init >/dev/null ||
		bail "patrolctl init failed in $1"
}

# jget JSON FILTER: a jq filter applied to JSON text (raw output), e.g.
# jget "$out" 'length'. Prints <not json> when the text does not parse.
jget() {
	printf '%s' "$1" | jq -r "$2" 2>/dev/null || echo '<not json>'
}
