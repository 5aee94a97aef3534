#!/bin/bash
# test.sh: the whole test suite, as CI runs it (.ci/run). On Debian 12:
#  1. installs the missing build, run and test dependencies (apt-get, through
#     sudo when not root), and compiles a de_DE.UTF-8 locale into
#     ./build/locale when the system has no decimal-comma locale;
#  2. builds in ./build with --enable-werror and runs `make check`: unit
#     tests, CGI, CLI, lighttpd end to end, SailPoint SDK interop;
#  3. builds in ./build-san with --enable-sanitizers and runs the unit tests,
#     tests/cgi.sh and tests/cli.sh under ASan/UBSan (make check-sanitizers);
#  4. runs every unit test of ./build under valgrind --leak-check=full
#     --errors-for-leak-kinds=all (make check-valgrind).
# Prints "N passed, M failed" last and exits non-zero on any failure. With
# CI=true a skipped test is a failure too (CI installs everything).
# Safe to run again: builds are incremental, tests make their own state.
set -uo pipefail

cd "$(dirname "$0")"
ROOT=$PWD
JOBS=$(nproc 2>/dev/null || echo 2)

passed=0 failed=0 skipped=0 ci_skipped=0
problems=()

say() { printf '\n==> %s\n' "$*"; }

problem() {	# problem TEXT: a failure that is not a test case (build, make)
	problems+=("$1")
	failed=$((failed + 1))
}

# configure_in DIR OPTION: (re)configure DIR unless it already was with OPTION.
configure_in() {
	local dir=$1 opt=$2
	mkdir -p "$dir"
	if [ -f "$dir/config.status" ] && [ -f "$dir/Makefile" ] &&
	    "$dir/config.status" --config | grep -q -e "$opt"; then
		return 0
	fi
	say "configuring $dir with $opt"
	(cd "$dir" && "$ROOT/configure" -q "$opt")
}

# tally DIR TESTS...: adds the results that the Automake TAP driver wrote in
# DIR/<test>.trs (one :test-result: line per test case) to the totals.
tally() {
	local dir=$1 t trs p f s
	shift
	for t in "$@"; do
		t=${t%.sh}	# the TAP driver's logs: tests/e2e.sh -> tests/e2e.log
		trs=$dir/$t.trs
		if [ ! -f "$trs" ]; then
			problem "$dir/$t: no result (not run)"
			continue
		fi
		p=$(grep -Ec '^:test-result: (PASS|XFAIL)' "$trs")
		f=$(grep -Ec '^:test-result: (FAIL|XPASS|ERROR)' "$trs")
		s=$(grep -Ec '^:test-result: SKIP' "$trs")
		passed=$((passed + p))
		failed=$((failed + f))
		skipped=$((skipped + s))
		[ "$f" -eq 0 ] || problems+=("$dir/$t: $f failed (see $dir/$t.log)")
		if [ "$s" -gt 0 ]; then
			problems+=("$dir/$t: $s skipped: $(grep -m1 -o 'SKIP.*' "$dir/$t.log" 2>/dev/null)")
		fi
	done
}

# A locale with a decimal comma, for the test that filters do not depend on
# LC_NUMERIC (tests/t_filter). Compiled into ./build/locale when the system
# has none, without touching the system's locale configuration.
decimal_comma_locale() {
	local dir=$ROOT/build/locale
	locale -a 2>/dev/null | grep -qiE '^(de_DE|fr_FR|nl_NL)\.utf-?8$' &&
		return 0
	if [ ! -d "$dir/de_DE.UTF-8" ]; then
		mkdir -p "$dir" &&
		localedef -i de_DE -f UTF-8 "$dir/de_DE.UTF-8" >/dev/null 2>&1 ||
			{ rm -rf "$dir/de_DE.UTF-8"; return 0; }
	fi
	export LOCPATH=$dir:/usr/lib/locale
}

# make check prints a line per test case; keep the ones that are not a pass.
quiet() { grep -v -E '^(PASS|XFAIL): '; }

. "$ROOT/scripts/deps.sh"
install_missing "${TEST_PACKAGES[@]}" || problem "cannot install the dependencies"
decimal_comma_locale

if [ ! -x configure ]; then
	say "autoreconf -fi"
	autoreconf -fi || problem "autoreconf failed"
fi

# 1. Werror build, the whole suite.
if configure_in build --enable-werror &&
    (say "make (build, --enable-werror)"; make -C build -s -j"$JOBS"); then
	say "make check (build)"
	make -C build -s -j"$JOBS" -Otarget check 2>&1 | quiet
	tally build $(make -s -C build print-tests)
	# Only this run must not skip: under ASan and valgrind the allocator
	# cannot be replaced, so t_filter's allocation-failure test skips there.
	ci_skipped=$skipped
else
	problem "build/: configure or make failed"
fi

# 2. Sanitizers: unit tests, CGI and CLI.
if configure_in build-san --enable-sanitizers &&
    (say "make (build-san, --enable-sanitizers)"; make -C build-san -s -j"$JOBS"); then
	say "make check-sanitizers (build-san)"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=23} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	    make -C build-san -s -j"$JOBS" -Otarget check-sanitizers 2>&1 | quiet
	tally build-san $(make -s -C build-san print-sanitizer-tests)
else
	problem "build-san/: configure or make failed"
fi

# 3. valgrind over the unit tests of the werror build.
if [ -f build/Makefile ]; then
	say "make check-valgrind (build)"
	units=$(make -s -C build print-unit-tests)
	for t in $units; do rm -f "build/$t.trs" "build/$t.log"; done
	make -C build -s -j"$JOBS" -Otarget check-valgrind 2>&1 | quiet
	tally build $units
fi

say "summary"
for p in "${problems[@]+"${problems[@]}"}"; do
	printf '  %s\n' "$p"
done
if [ "${CI:-}" = true ] && [ "$ci_skipped" -gt 0 ]; then
	printf 'CI=true: %d skipped tests of make check count as failures\n' \
	    "$ci_skipped"
	failed=$((failed + ci_skipped))
fi
[ "$skipped" -gt 0 ] && printf '%d skipped\n' "$skipped"
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
