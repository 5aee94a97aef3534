#!/bin/sh
# tests/down-apache-cgi.sh: tests/apache-down.sh against the apache-cgi setup.
PATROL_SETUP=apache-cgi; export PATROL_SETUP
. "$top_srcdir/tests/apache-down.sh"
