#!/bin/sh
# tests/bench.sh: bench/bench.sh runs, with tiny settings (1-second wrk runs
# of 4 connections, 2000 PATs for pat-list-all, no Prism), and reports what
# it should: every scenario's row with numbers in every column (never their
# size: the machine is shared), pat-list-all's listing holding exactly the
# generated PATs that match (counted here in bench/genpats's output, and by
# sqlite3 running the store's statement), through `pat import` and through
# the sqlite3 fallback. And bench/genpats is deterministic, and --server
# measures through the web server setups.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/lighttpd.sh"

lighttpd_bin >/dev/null || skip_all "lighttpd is not installed"
for _c in bash wrk curl jq sqlite3 awk od; do
	command -v "$_c" >/dev/null || skip_all "$_c is not installed"
done
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy

GEN=$top_builddir/bench/genpats
[ -x "$GEN" ] || bail "no $GEN (make)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/patrol-benchtest.XXXXXX") || bail "mktemp"
at_exit 'rm -rf "$tmp"'

# --- genpats ---------------------------------------------------------------

"$GEN" --owners 7 500 > "$tmp/a.jsonl" || bail "genpats failed"
"$GEN" --owners 7 500 > "$tmp/b.jsonl"
cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl"
ok $? "genpats: the same arguments write the same bytes"
"$GEN" --owners 7 --seed 2 500 > "$tmp/c.jsonl"
cmp -s "$tmp/a.jsonl" "$tmp/c.jsonl"
ok $((! $?)) "genpats: another seed writes other PATs"
"$GEN" --owners 7 300 > "$tmp/d.jsonl"
head -n 300 "$tmp/a.jsonl" | cmp -s - "$tmp/d.jsonl"
ok $? "genpats: a shorter run writes the first rows of a longer one"
is "$(wc -l < "$tmp/a.jsonl" | tr -d ' ')" 500 "genpats: 500 lines"
is "$(jq -r '[.id, .owner.id] | map(test("^[0-9a-f]{32}$")) | all' "$tmp/a.jsonl" |
    sort -u)" true "genpats: ids and owner ids are 32 lowercase hex"
is "$(jq -r .id "$tmp/a.jsonl" | sort -u | wc -l | tr -d ' ')" 500 \
    "genpats: ids are unique"
is "$(jq -r .owner.id "$tmp/a.jsonl" | sort -u | wc -l | tr -d ' ')" 7 \
    "genpats: 7 owners"
is "$(jq -r '[.owner.id, .owner.name] | @tsv' "$tmp/a.jsonl" | sort -u |
    wc -l | tr -d ' ')" 7 "genpats: one name per owner"
is "$(jq -r 'keys_unsorted | join(",")' "$tmp/a.jsonl" | sort -u)" \
    "id,name,owner,scope,created,lastUsed,managed,expirationDate,accessTokenValiditySeconds,secretHash" \
    "genpats: the keys of pat import, in order"
TIME_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$'
is "$(jq -r --arg re "$TIME_RE" '(.created | test($re)) and
    (.lastUsed == null or ((.lastUsed | test($re)) and .lastUsed >= .created)) and
    (.expirationDate == null or (.expirationDate | test($re))) and
    (.secretHash | test("^[0-9a-f]{64}$")) and .managed == false and
    (.scope == null or .scope == ["sp:scopes:all"]) and
    (.accessTokenValiditySeconds | IN(3600, 43200))' "$tmp/a.jsonl" | sort -u)" \
    true "genpats: every field in the import format"
n=$(jq -r 'select(.lastUsed == null) | 1' "$tmp/a.jsonl" | wc -l)
ok $((! (n > 0 && n < 500))) "genpats: some PATs never used ($n)"
is "$("$GEN" --mid)" 2023-01-01T12:00:00.000Z "genpats --mid: the mid-point"
is "$("$GEN" --from 2020-01-01 --to 2020-01-03 --mid)" \
    2020-01-02T00:00:00.000Z "genpats --mid with --from and --to"
"$GEN" --owners 0 5 > /dev/null 2>&1
is $? 2 "genpats: --owners 0 is a usage error"
"$GEN" --from 2020-13-01 5 > /dev/null 2>&1
is $? 2 "genpats: a bad date is a usage error"

# --- bench.sh --------------------------------------------------------------

# The rows of pat-list-all that `lastUsed le` the mid-point keeps, counted
# here with jq (bench.sh counts with awk).
"$GEN" --owners 50 2000 > "$tmp/m.jsonl"
want=$(jq -r --arg m "$("$GEN" --mid)" \
    'select(.lastUsed != null and .lastUsed <= $m) | 1' "$tmp/m.jsonl" | wc -l |
    tr -d ' ')
diag "$want of 2000 generated PATs match"

ref=--no-reference
scenarios="oauth-token duo-get pat-list-10 pat-list-1000 pat-list-filter"
if command -v cc >/dev/null &&
    printf '#include <fcgi_stdio.h>\n' | cc -E - >/dev/null 2>&1; then
	ref=
	scenarios="static-2400B fcgi-hello-2400B $scenarios"
else
	diag "no libfcgi-dev: without the baselines"
fi
chart=
command -v gnuplot >/dev/null && chart=$tmp/chart.png

# bench_run NAME ARGS...: bench.sh with tiny settings; its output in
# $tmp/NAME.out and .err, its results in $tmp/NAME.tsv.
bench_run() {
	_n=$1
	shift
	bash "$top_srcdir/bench/bench.sh" --build "$top_builddir" --no-install \
	    --duration 1 --warmup 0 --threads 1 --connections 4 --no-prism \
	    --rows 2000 --owners 50 --results "$tmp/$_n.tsv" "$@" \
	    > "$tmp/$_n.out" 2> "$tmp/$_n.err"
	_rc=$?
	[ "$_rc" -eq 0 ] || sed 's/^/# /' "$tmp/$_n.err" | tail -n 20
	return "$_rc"
}

# measure NAME MEASURE: a value of pat-list-all in $tmp/NAME.tsv
measure() {
	awk -F'\t' -v m="$2" 'blank >= 2 && $1 == m { print $2 }
	    /^$/ { blank++ }' "$tmp/$1.tsv"
}

bench_run full $ref ${chart:+--chart "$chart"}
is $? 0 "bench.sh exits 0"
num='^[0-9]+([.][0-9]+)?$'
is "$(awk -F'\t' 'NR == 1 { print NF; exit }' "$tmp/full.tsv")" 16 \
    "results: 16 columns"
for s in $scenarios; do
	row=$(awk -F'\t' -v s="$s" '$1 == s' "$tmp/full.tsv")
	bad=$(printf '%s\n' "$row" | awk -F'\t' -v re="$num" -v ref="$ref" '
	    NF != 16 { print "NF=" NF; exit }
	    { for (i = 2; i <= 16; i++) if ($i !~ re &&
		!(i == 16 && $i == "-" && ref != "")) print i ": " $i }')
	is "${row:+present}${bad}" present "results: $s, numbers in every column"
	like "$(cat "$tmp/full.out")" "| $s | " "table: a row for $s"
done
is "$(awk -F'\t' 'NR > 1 && NF == 16' "$tmp/full.tsv" | wc -l | tr -d ' ')" \
    "$(echo $scenarios | wc -w | tr -d ' ')" "results: no other run"
[ -z "$ref" ] && is "$(awk -F'\t' '$1 == "fcgi-hello-2400B" { print $16 }' \
    "$tmp/full.tsv")" 1.00 "results: the hello is its own reference"
is "$(measure full rows)" 2000 "pat-list-all: 2000 rows"
is "$(measure full import_method)" "patrolctl pat import" \
    "pat-list-all: loaded by pat import"
is "$(measure full expected_matches)" "$want" \
    "pat-list-all: the matches bench.sh counts in the file"
is "$(measure full listing_items)" "$want" \
    "pat-list-all: the listing holds every match"
is "$(measure full sqlite3_rows)" "$want" \
    "pat-list-all: so does sqlite3 with the store's statement"
like "$(measure full sql_plan)" "SCAN p USING INDEX pat_created" \
    "pat-list-all: the statement walks pat_created"
for m in generate_s import_s listing_s sqlite3_s listing_over_sqlite3 \
    rss_before_kib rss_peak_kib hwm_kib steal_pct deep_name_s \
    deep_name_sqlite3_s deep_created_s deep_created_sqlite3_s deep_lastUsed_s \
    deep_lastUsed_sqlite3_s listing_responder_us_per_pat; do
	v=$(measure full "$m")
	printf '%s\n' "$v" | grep -Eq "$num"
	ok $? "pat-list-all: $m is a number ($v)"
done
ok $((! ($(measure full rss_peak_kib) > 0))) "pat-list-all: an RSS was sampled"
is "$(measure full deep_offset)" 1800 "pat-list-all: deep pages at 90%"
like "$(cat "$tmp/full.out")" "$want items ($want expected from the file, $want from sqlite3)" \
    "output: pat-list-all's counts"
if [ -n "$chart" ]; then
	is "$(od -An -N8 -tx1 "$chart" | tr -d ' \n')" 89504e470d0a1a0a \
	    "--chart: a PNG"
fi

bench_run fallback --no-load --import-sqlite --rows 1000 --owners 3
is $? 0 "bench.sh --no-load --import-sqlite exits 0"
"$GEN" --owners 3 1000 > "$tmp/f.jsonl"
want=$(jq -r --arg m "$("$GEN" --mid)" \
    'select(.lastUsed != null and .lastUsed <= $m) | 1' "$tmp/f.jsonl" | wc -l |
    tr -d ' ')
like "$(measure fallback import_method)" "bench-only fallback" \
    "--import-sqlite: the fallback, labelled"
like "$(cat "$tmp/fallback.out")" "bench-only fallback" \
    "--import-sqlite: labelled in the output"
is "$(measure fallback listing_items)" "$want" \
    "--import-sqlite: the listing holds every match"
is "$(awk -F'\t' 'NR > 1 && NF == 16' "$tmp/fallback.tsv" | wc -l | tr -d ' ')" \
    0 "--no-load: no wrk run"

# --- --server: the listing through web server setups -------------------------
# lighttpd (FastCGI) and shared-hosting CGI under Apache, when Apache is here.
servers=lighttpd
command -v apache2 >/dev/null 2>&1 || [ -x /usr/sbin/apache2 ] && servers=$servers,apache-cgi
bash "$top_srcdir/bench/bench.sh" --build "$top_builddir" --server "$servers" \
    --duration 1 --warmup 0 --connections 4 --results "$tmp/servers.tsv" \
    > "$tmp/servers.out" 2>&1
rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/servers.out"
is $rc 0 "bench.sh --server $servers exits 0"
for s in $(printf '%s' "$servers" | tr , ' '); do
	for w in hello patrol; do
		awk -F'\t' -v s="$s" -v w="$w" '$1 == s && $2 == w && $3 > 0 && $6 == 0 { f = 1 }
		    END { exit !f }' "$tmp/servers.tsv"
		ok $? "--server: $s, $w: req/s and no error"
	done
	like "$(cat "$tmp/servers.out")" "$s " "--server: $s in the summary"
done
# CPU per request: the web server's always, the responders' under FastCGI
# (plain CGI's programs are reaped unaccounted: "-").
awk -F'\t' '$1 == "lighttpd" && $2 == "patrol" && $7 > 0 && $8 > 0 && $9 ~ /^[0-9.]+$/ { f = 1 }
    END { exit !f }' "$tmp/servers.tsv"
ok $? "--server: lighttpd, CPU us/req of lighttpd and of the responders, other CPU %"
case $servers in *apache-cgi*)
	awk -F'\t' '$1 == "apache-cgi" && $2 == "patrol" && $7 > 0 && $8 == "-" { f = 1 }
	    END { exit !f }' "$tmp/servers.tsv"
	ok $? "--server: apache-cgi, CPU us/req of Apache, none for the CGI programs"
esac

done_testing
