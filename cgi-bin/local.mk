# Thin FastCGI/CGI responders over libpatrol.
pkglibexec_PROGRAMS = cgi-bin/patrol-oauth cgi-bin/patrol-beta
noinst_LIBRARIES += cgi-bin/libruntime.a

cgi_bin_libruntime_a_SOURCES = %D%/runtime.c %D%/runtime.h
cgi_bin_libruntime_a_CFLAGS = $(AM_CFLAGS) $(FCGI_CFLAGS)
cgi_bin_patrol_oauth_CFLAGS = $(AM_CFLAGS)
cgi_bin_patrol_beta_CFLAGS = $(AM_CFLAGS)

cgi_bin_patrol_oauth_SOURCES = %D%/patrol-oauth.c
cgi_bin_patrol_oauth_LDADD = cgi-bin/libruntime.a lib/libpatrol.la $(FCGI_LIBS)
cgi_bin_patrol_beta_SOURCES = %D%/patrol-beta.c
cgi_bin_patrol_beta_LDADD = cgi-bin/libruntime.a lib/libpatrol.la $(FCGI_LIBS)
