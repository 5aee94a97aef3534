#!/bin/sh
# tests/e2e-apache-cgi.sh: tests/e2e.sh against the shared-hosting recipe
# (etc/apache/htaccess-cgi, etc/apache/cgi-host.conf: plain CGI under mod_cgid).
PATROL_SETUP=apache-cgi; export PATROL_SETUP
. "$top_srcdir/tests/e2e.sh"
