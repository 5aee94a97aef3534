#!/bin/sh
# tests/fuzz/build.sh build|run SRCDIR BUILDDIR NAME...: builds the fuzz
# targets with clang, libFuzzer, ASan and UBSan into BUILDDIR/fuzz/fuzz_NAME
# (every lib/*.c compiled in, with the configured build's config.h), or runs
# each for $FUZZ_RUNS executions (default 100000; $FUZZ_JOBS parallel jobs,
# default 1) over a working copy of its corpus, printing the final stats
# line. A crash leaves the input as BUILDDIR/fuzz/crash-*: add it to
# tests/fuzz/corpus/NAME once fixed, so that make check replays it.
set -eu
mode=$1 src=$(cd "$2" && pwd) build=$(cd "$3" && pwd)
shift 3
CLANG=${CLANG:-clang}
out=$build/fuzz
mkdir -p "$out"

case $mode in
build)
	command -v "$CLANG" >/dev/null || {
		echo "make fuzz: $CLANG not found (apt-get install clang" \
		    "libclang-rt-14-dev)" >&2
		exit 1
	}
	pkgs="jansson libconfig sqlite3 libcrypto"
	# shellcheck disable=SC2046
	set -- "$@"
	flags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
	    -fno-sanitize-recover=undefined -DSYSCONFDIR=\"/etc\"
	    -DLOCALSTATEDIR=\"/var\" -I$build -I$src/lib -I$src/tests/fuzz
	    $(pkg-config --cflags $pkgs)"
	libs=$(pkg-config --libs $pkgs)
	# The library once, as objects without libFuzzer's main.
	mkdir -p "$out/obj"
	for c in "$src"/lib/*.c; do
		o=$out/obj/$(basename "$c" .c).o
		if [ ! -f "$o" ] || [ "$c" -nt "$o" ] || [ "$src/lib/patrol.h" -nt "$o" ] ||
		    [ "$src/lib/extern.h" -nt "$o" ]; then
			# shellcheck disable=SC2086
			$CLANG $flags -fsanitize=fuzzer-no-link -c "$c" -o "$o"
		fi
	done
	for name in "$@"; do
		# shellcheck disable=SC2086
		$CLANG $flags -o "$out/fuzz_$name" "$src/tests/fuzz/fuzz_$name.c" \
		    "$out"/obj/*.o $libs
		echo "built $out/fuzz_$name"
	done
	;;
run)
	for name in "$@"; do
		mkdir -p "$out/corpus-$name"
		cp -n "$src/tests/fuzz/corpus/$name"/* "$out/corpus-$name/" \
		    2>/dev/null || true
		(cd "$out" && "./fuzz_$name" -runs="${FUZZ_RUNS:-100000}" \
		    -jobs="${FUZZ_JOBS:-1}" -workers="${FUZZ_JOBS:-1}" \
		    -max_len=4096 -print_final_stats=1 \
		    "corpus-$name" > "$name.log" 2>&1) || {
			echo "fuzz_$name: FAILED (see $out/$name.log)"
			tail -30 "$out/$name.log"
			exit 1
		}
		printf 'fuzz_%s: %s, %s\n' "$name" \
		    "$(grep -o 'stat::number_of_executed_units: [0-9]*' "$out/$name.log" | tail -1)" \
		    "$(grep -o 'cov: [0-9]*' "$out/$name.log" | tail -1)"
	done
	;;
*)
	echo "usage: build.sh build|run SRCDIR BUILDDIR NAME..." >&2
	exit 2
	;;
esac
