# Tests: TAP programs (unit), TAP shell scripts (CGI, CLI, end to end, interop).
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
TEST_EXTENSIONS = .sh
SH_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	top_builddir='$(abs_top_builddir)'; export top_builddir; \
	LIGHTTPD='$(LIGHTTPD)'; export LIGHTTPD; \
	NODE='$(NODE)'; export NODE; NPM='$(NPM)'; export NPM; \
	CURL='$(CURL)'; export CURL;

UNIT_LDADD = lib/libpatrol_core.la $(LIBPATROL_DEPS)
UNIT_LINKFLAGS = $(AM_LDFLAGS) -no-install

# Unit tests of the library (run under ASan/UBSan and valgrind in CI).
UNIT_TESTS = \
	tests/t_buf \
	tests/t_base64 \
	tests/t_seal \
	tests/t_time \
	tests/t_secret \
	tests/t_mask \
	tests/t_duo \
	tests/t_filter \
	tests/t_jsonpatch \
	tests/t_pat_json \
	tests/t_conf \
	tests/t_token \
	tests/t_rights \
	tests/t_pat \
	tests/t_store \
	tests/t_plan \
	tests/t_query \
	tests/t_form \
	tests/t_envelope \
	tests/t_server \
	tests/t_stream \
	tests/t_jsonw \
	tests/t_rows \
	tests/t_state \
	$(FUZZ_REPLAY)

check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

# Allocation failure on every path: t_oom replaces malloc, so it runs in the
# normal build and under valgrind, not under the sanitizers (which own it).
OOM_TESTS = tests/t_oom
check_PROGRAMS += $(OOM_TESTS)
TESTS += $(OOM_TESTS)
tests_t_oom_SOURCES = tests/t_oom.c tests/tap.h
tests_t_oom_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_t_oom_LDADD = $(UNIT_LDADD) $(CRYPTO_LIBS)
tests_t_oom_LDFLAGS = $(UNIT_LINKFLAGS)

tests_t_buf_SOURCES = tests/t_buf.c tests/tap.h
tests_t_buf_CPPFLAGS = $(AM_CPPFLAGS)
tests_t_buf_LDADD = $(UNIT_LDADD)
tests_t_buf_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_state_SOURCES = tests/t_state.c tests/tap.h
tests_t_state_LDADD = $(UNIT_LDADD)
tests_t_state_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_seal_SOURCES = tests/t_seal.c tests/tap.h
tests_t_seal_LDADD = $(UNIT_LDADD)
tests_t_seal_LDFLAGS = $(UNIT_LINKFLAGS)
# A helper of the shell tests (cli.sh, e2e.sh, interop.sh), not a test.
check_PROGRAMS += tests/unseal
tests_unseal_SOURCES = tests/unseal.c
tests_unseal_LDADD = $(UNIT_LDADD)
tests_unseal_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_base64_SOURCES = tests/t_base64.c tests/tap.h
tests_t_base64_LDADD = $(UNIT_LDADD)
tests_t_base64_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_time_SOURCES = tests/t_time.c tests/tap.h
tests_t_time_LDADD = $(UNIT_LDADD)
tests_t_time_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_secret_SOURCES = tests/t_secret.c tests/tap.h
tests_t_secret_LDADD = $(UNIT_LDADD)
tests_t_secret_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_mask_SOURCES = tests/t_mask.c tests/tap.h
tests_t_mask_LDADD = $(UNIT_LDADD)
tests_t_mask_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_duo_SOURCES = tests/t_duo.c tests/tap.h
tests_t_duo_LDADD = $(UNIT_LDADD)
tests_t_duo_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_filter_SOURCES = tests/t_filter.c tests/tap.h
tests_t_filter_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
tests_t_filter_LDADD = $(UNIT_LDADD) $(SQLITE_LIBS)
tests_t_filter_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_pat_json_SOURCES = tests/t_pat_json.c tests/tap.h
tests_t_pat_json_LDADD = $(UNIT_LDADD)
tests_t_pat_json_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_jsonpatch_SOURCES = tests/t_jsonpatch.c tests/tap.h
tests_t_jsonpatch_LDADD = $(UNIT_LDADD)
tests_t_jsonpatch_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_conf_SOURCES = tests/t_conf.c tests/tap.h
tests_t_conf_LDADD = $(UNIT_LDADD)
tests_t_conf_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_token_SOURCES = tests/t_token.c tests/tap.h
tests_t_token_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_t_token_LDADD = $(UNIT_LDADD) $(CRYPTO_LIBS)
tests_t_token_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_rights_SOURCES = tests/t_rights.c tests/tap.h
tests_t_rights_LDADD = $(UNIT_LDADD)
tests_t_rights_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_pat_SOURCES = tests/t_pat.c tests/tap.h
tests_t_pat_LDADD = $(UNIT_LDADD)
tests_t_pat_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_store_SOURCES = tests/t_store.c tests/tap.h
tests_t_store_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
tests_t_store_LDADD = $(UNIT_LDADD) $(SQLITE_LIBS)
tests_t_store_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_plan_SOURCES = tests/t_plan.c tests/tap.h
tests_t_plan_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
tests_t_plan_LDADD = $(UNIT_LDADD) $(SQLITE_LIBS)
tests_t_plan_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_query_SOURCES = tests/t_query.c tests/tap.h
tests_t_query_LDADD = $(UNIT_LDADD)
tests_t_query_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_form_SOURCES = tests/t_form.c tests/tap.h
tests_t_form_LDADD = $(UNIT_LDADD)
tests_t_form_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_envelope_SOURCES = tests/t_envelope.c tests/tap.h
tests_t_envelope_LDADD = $(UNIT_LDADD)
tests_t_envelope_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_envelope_CPPFLAGS = $(AM_CPPFLAGS) -DSRCDIR='"$(abs_top_srcdir)"'
tests_t_server_SOURCES = tests/t_server.c tests/tap.h
tests_t_server_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
tests_t_server_LDADD = $(UNIT_LDADD) $(SQLITE_LIBS)
tests_t_server_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_jsonw_SOURCES = tests/t_jsonw.c tests/tap.h
tests_t_jsonw_LDADD = $(UNIT_LDADD)
tests_t_jsonw_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_rows_SOURCES = tests/t_rows.c tests/tap.h
tests_t_rows_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
tests_t_rows_LDADD = $(UNIT_LDADD) $(SQLITE_LIBS)
tests_t_rows_LDFLAGS = $(UNIT_LINKFLAGS)
tests_t_stream_SOURCES = tests/t_stream.c tests/tap.h
tests_t_stream_LDADD = $(UNIT_LDADD)
tests_t_stream_LDFLAGS = $(UNIT_LINKFLAGS)

# Script tests: CGI mode of the executables, the admin CLI, lighttpd end to
# end, and the official SailPoint TypeScript SDK.
SCRIPT_TESTS = \
	tests/exports.sh \
	tests/cgi.sh \
	tests/runtime.sh \
	tests/man.sh \
	tests/install.sh \
	tests/runsh.sh \
	tests/cli.sh \
	tests/cli_pat.sh \
	tests/cli_audit.sh \
	tests/crash.sh \
	tests/writers.sh \
	tests/spawnfcgi.sh \
	tests/e2e.sh \
	tests/bench.sh \
	tests/interop.sh \
	tests/slow.sh \
	tests/lighttpd-dropin.sh \
	tests/limits.sh \
	tests/e2e-nginx.sh \
	tests/e2e-apache-proxy-fcgi.sh \
	tests/interop-apache-proxy-fcgi.sh \
	tests/slow-apache-proxy-fcgi.sh \
	tests/interop-nginx.sh \
	tests/slow-nginx.sh \
	tests/e2e-nginx-spawn-fcgi.sh \
	tests/interop-nginx-spawn-fcgi.sh \
	tests/e2e-apache-fcgid.sh \
	tests/interop-apache-fcgid.sh \
	tests/slow-apache-fcgid.sh \
	tests/e2e-apache-cgi.sh \
	tests/interop-apache-cgi.sh \
	tests/slow-apache-cgi.sh \
	tests/down-apache-fcgid.sh \
	tests/down-apache-cgi.sh \
	tests/heal.sh
TESTS += $(SCRIPT_TESTS)

# tests/interop is listed file by file: as a directory, make would first
# "build" it from tests/interop.sh (its built-in %: %.sh rule) in a VPATH
# build, and `make dist` would ship that copy instead of the directory.
EXTRA_DIST += $(SCRIPT_TESTS) tests/lib.sh tests/filter \
	tests/interop/package.json tests/interop/package-lock.json \
	tests/interop/sdk.js tests/interop/burst.js tests/interop/tap.js \
	tests/jsonpatch tests/ptyrun.py

# ---------------------------------------------------------------------------
# Appended for test.sh (quick start / CI): extra check targets and test lists.
#   make check-valgrind    the unit tests under valgrind; any error or leak of
#                          any kind fails the test (results in tests/t_*.trs)
#   make check-sanitizers  the unit tests, tests/cgi.sh and tests/cli.sh; use
#                          it in a tree configured with --enable-sanitizers
#   make print-tests, print-unit-tests, print-sanitizer-tests: the lists
# somalloc=nouserintercepts: valgrind takes malloc from libc only, so that
# tests/t_oom's own malloc (over libc's, which valgrind does take) is kept.
VALGRIND_FLAGS = --leak-check=full --errors-for-leak-kinds=all \
	--error-exitcode=1 --quiet --num-callers=40 \
	--soname-synonyms=somalloc=nouserintercepts \
	--suppressions=$(abs_top_srcdir)/tests/valgrind.supp
SANITIZER_TESTS = $(UNIT_TESTS) tests/cgi.sh tests/cli.sh tests/cli_pat.sh \
	tests/cli_audit.sh
EXTRA_DIST += tests/lighttpd.sh tests/valgrind.supp tests/server.sh \
	tests/server_lighttpd.sh tests/slowclients.py tests/server_nginx.sh \
	tests/crashclients.py tests/loadclients.py tests/httpcall.py \
	tests/server_apache-proxy-fcgi.sh \
	tests/sockact.sh tests/server_nginx-spawn-fcgi.sh
EXTRA_DIST += tests/apache.sh tests/server_apache-fcgid.sh \
	tests/server_apache-cgi.sh tests/apache-down.sh

check-valgrind:
	@test -n "$(VALGRIND)" || { echo "check-valgrind: valgrind not" \
	    "found (apt-get install valgrind)" >&2; exit 1; }
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(UNIT_TESTS) $(OOM_TESTS)' \
	    LOG_COMPILER='$(VALGRIND) $(VALGRIND_FLAGS)'

check-sanitizers:
	@test -n "$(SAN_CFLAGS)" || { echo "check-sanitizers: configure" \
	    "with --enable-sanitizers first" >&2; exit 1; }
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(SANITIZER_TESTS)'

print-tests:
	@echo $(TESTS)
print-unit-tests:
	@echo $(UNIT_TESTS) $(OOM_TESTS)
print-sanitizer-tests:
	@echo $(SANITIZER_TESTS)

.PHONY: check-valgrind check-sanitizers print-tests print-unit-tests \
	print-sanitizer-tests

# tests/interop.sh installs the SDK under the build tree (npm), once.
distclean-local:
	rm -rf tests/interop-node

include tests/fuzz/local.mk
