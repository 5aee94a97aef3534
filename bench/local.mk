# Benchmarks (bench/bench.sh; not run by make check, but tests/bench.sh runs
# it with tiny settings), shipped in the tarball because docs/performance.md
# refers to them. bench.sh uses the two helper programs from the build tree:
# genpats (made-up PATs for pat import) and listsql (the store's listing
# statement, from the internal store_list_sql).
EXTRA_DIST += %D%/bench.sh %D%/servers.sh %D%/hello.c %D%/inproc.c %D%/profile.sh \
	%D%/reference-lighttpd.conf %D%/wrk.lua %D%/prism-list-pats.json

noinst_PROGRAMS += %D%/genpats %D%/listsql
bench_genpats_SOURCES = %D%/genpats.c
bench_listsql_SOURCES = %D%/listsql.c
bench_listsql_LDADD = lib/libpatrol_core.la $(LIBPATROL_DEPS)
bench_listsql_LDFLAGS = $(AM_LDFLAGS) -no-install
