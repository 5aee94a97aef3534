# Fuzz targets, one per parser (docs/fuzzing.md). Each is built twice:
#   make check   tests/fuzz/replay_NAME: replay.c feeds every file of
#                tests/fuzz/corpus/NAME (seeds and past findings) to the
#                target once (also under valgrind and the sanitizers);
#   make fuzz    build/fuzz/fuzz_NAME with clang and libFuzzer, ASan and UBSan
#                (tests/fuzz/build.sh); make fuzz-run FUZZ_RUNS=N runs each.
FUZZ_NAMES = filter urlencoded multipart ctype base64 jwt time duo jsonpatch
FUZZ_REPLAY = \
	tests/fuzz/replay_filter \
	tests/fuzz/replay_urlencoded \
	tests/fuzz/replay_multipart \
	tests/fuzz/replay_ctype \
	tests/fuzz/replay_base64 \
	tests/fuzz/replay_jwt \
	tests/fuzz/replay_time \
	tests/fuzz/replay_duo \
	tests/fuzz/replay_jsonpatch
tests_fuzz_replay_filter_SOURCES = %D%/replay.c %D%/fuzz_filter.c %D%/fuzz.h
tests_fuzz_replay_filter_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/filter"'
tests_fuzz_replay_filter_LDADD = $(UNIT_LDADD)
tests_fuzz_replay_filter_LDFLAGS = $(UNIT_LINKFLAGS)
tests_fuzz_replay_urlencoded_SOURCES = %D%/replay.c %D%/fuzz_urlencoded.c %D%/fuzz.h
tests_fuzz_replay_urlencoded_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/urlencoded"'
tests_fuzz_replay_urlencoded_LDADD = $(UNIT_LDADD)
tests_fuzz_replay_urlencoded_LDFLAGS = $(UNIT_LINKFLAGS)
tests_fuzz_replay_multipart_SOURCES = %D%/replay.c %D%/fuzz_multipart.c %D%/fuzz.h
tests_fuzz_replay_multipart_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/multipart"'
tests_fuzz_replay_multipart_LDADD = $(UNIT_LDADD)
tests_fuzz_replay_multipart_LDFLAGS = $(UNIT_LINKFLAGS)
tests_fuzz_replay_ctype_SOURCES = %D%/replay.c %D%/fuzz_ctype.c %D%/fuzz.h
tests_fuzz_replay_ctype_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/ctype"'
tests_fuzz_replay_ctype_LDADD = $(UNIT_LDADD)
tests_fuzz_replay_ctype_LDFLAGS = $(UNIT_LINKFLAGS)
tests_fuzz_replay_base64_SOURCES = %D%/replay.c %D%/fuzz_base64.c %D%/fuzz.h
tests_fuzz_replay_base64_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/base64"'
tests_fuzz_replay_base64_LDADD = $(UNIT_LDADD)
tests_fuzz_replay_base64_LDFLAGS = $(UNIT_LINKFLAGS)
tests_fuzz_replay_jwt_SOURCES = %D%/replay.c %D%/fuzz_jwt.c %D%/fuzz.h
tests_fuzz_replay_jwt_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/jwt"'
tests_fuzz_replay_jwt_LDADD = $(UNIT_LDADD)
tests_fuzz_replay_jwt_LDFLAGS = $(UNIT_LINKFLAGS)
tests_fuzz_replay_time_SOURCES = %D%/replay.c %D%/fuzz_time.c %D%/fuzz.h
tests_fuzz_replay_time_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/time"'
tests_fuzz_replay_time_LDADD = $(UNIT_LDADD)
tests_fuzz_replay_time_LDFLAGS = $(UNIT_LINKFLAGS)
tests_fuzz_replay_duo_SOURCES = %D%/replay.c %D%/fuzz_duo.c %D%/fuzz.h
tests_fuzz_replay_duo_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/duo"'
tests_fuzz_replay_duo_LDADD = $(UNIT_LDADD)
tests_fuzz_replay_duo_LDFLAGS = $(UNIT_LINKFLAGS)
tests_fuzz_replay_jsonpatch_SOURCES = %D%/replay.c %D%/fuzz_jsonpatch.c %D%/fuzz.h
tests_fuzz_replay_jsonpatch_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/corpus/jsonpatch"'
tests_fuzz_replay_jsonpatch_LDADD = $(UNIT_LDADD)
tests_fuzz_replay_jsonpatch_LDFLAGS = $(UNIT_LINKFLAGS)
EXTRA_DIST += %D%/corpus %D%/build.sh

fuzz:
	$(SHELL) $(top_srcdir)/tests/fuzz/build.sh build $(top_srcdir) \
	    $(top_builddir) $(FUZZ_NAMES)

# FUZZ_RUNS executions of each target (default 100000), new inputs kept in
# fuzz/corpus-NAME (the tree's corpus is only read); the stats in fuzz/NAME.log.
FUZZ_RUNS = 100000
fuzz-run: fuzz
	$(SHELL) $(top_srcdir)/tests/fuzz/build.sh run $(top_srcdir) \
	    $(top_builddir) $(FUZZ_NAMES)

clean-local: clean-fuzz
clean-fuzz:
	rm -rf fuzz

.PHONY: fuzz fuzz-run clean-fuzz
