#!/bin/sh
# tests/interop-apache-cgi.sh: tests/interop.sh against the shared-hosting recipe
# (etc/apache/htaccess-cgi, etc/apache/cgi-host.conf: plain CGI under mod_cgid).
PATROL_SETUP=apache-cgi; export PATROL_SETUP
. "$top_srcdir/tests/interop.sh"
