#!/bin/sh
# tests/slow-apache-proxy-fcgi.sh: tests/slow.sh against Apache + mod_proxy_fcgi
# (etc/apache/patrol-proxy-fcgi.conf) and the socket-activated responders.
PATROL_SETUP=apache-proxy-fcgi; export PATROL_SETUP
. "$top_srcdir/tests/slow.sh"
