# Benchmarks (bench/bench.sh; not run by make check), shipped in the tarball
# because docs/performance.md refers to them.
EXTRA_DIST += %D%/bench.sh %D%/hello.c %D%/inproc.c %D%/profile.sh \
	%D%/reference-lighttpd.conf %D%/wrk.lua
