# All of libpatrol is built once as a convenience library: the installed
# shared library wraps it and exports only ^patrol_, the unit tests link it
# whole so they can reach the internals declared in extern.h.
lib_LTLIBRARIES += lib/libpatrol.la
noinst_LTLIBRARIES = lib/libpatrol_core.la
include_HEADERS += lib/patrol.h

LIBPATROL_DEPS = $(JANSSON_LIBS) $(LIBCONFIG_LIBS) $(SQLITE_LIBS) \
	$(CRYPTO_LIBS)

lib_libpatrol_core_la_SOURCES = \
	%D%/extern.h \
	%D%/error.c \
	%D%/isotime.c \
	%D%/jsonutil.c \
	%D%/secret.c \
	%D%/mask.c \
	%D%/duo.c \
	%D%/duo_store.c \
	%D%/filter_int.h \
	%D%/filter_lex.c \
	%D%/filter_parse.c \
	%D%/filter_print.c \
	%D%/filter_bind.c \
	%D%/filter_eval.c \
	%D%/filter_sql.c \
	%D%/jsonpatch.c \
	%D%/conf.c \
	%D%/key.c \
	%D%/ratelimit.c \
	%D%/keyring.c \
	%D%/seal.c \
	%D%/state.c \
	%D%/key_int.h \
	%D%/token.c \
	%D%/rights.c \
	%D%/store.c \
	%D%/store_int.h \
	%D%/store_sqlite.c \
	%D%/buf.c \
	%D%/audit.c \
	%D%/base64.c \
	%D%/jsonw.c \
	%D%/query.c \
	%D%/form.c \
	%D%/envelope.c \
	%D%/request.c \
	%D%/server.c \
	%D%/route.c \
	%D%/h_oauth.c \
	%D%/h_pat.c \
	%D%/h_pat_write.c \
	%D%/h_duo.c \
	%D%/pat.c \
	%D%/pat_patch.c

lib_libpatrol_core_la_CFLAGS = $(AM_CFLAGS) $(LIBCONFIG_CFLAGS) \
	$(SQLITE_CFLAGS) $(CRYPTO_CFLAGS)

lib_libpatrol_la_SOURCES = lib/patrol.h
lib_libpatrol_la_LIBADD = lib/libpatrol_core.la $(LIBPATROL_DEPS)
lib_libpatrol_la_LDFLAGS = $(AM_LDFLAGS) -version-info $(PATROL_LT_VERSION) \
	-export-symbols-regex '^patrol_' -no-undefined

EXTRA_DIST += %D%/patrol.pc.in
