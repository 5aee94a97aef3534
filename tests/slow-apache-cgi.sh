#!/bin/sh
# tests/slow-apache-cgi.sh: tests/slow.sh against the shared-hosting recipe
# (etc/apache/htaccess-cgi, etc/apache/cgi-host.conf: plain CGI under mod_cgid).
PATROL_SETUP=apache-cgi; export PATROL_SETUP
. "$top_srcdir/tests/slow.sh"
