#!/bin/sh
# tests/interop-apache-proxy-fcgi.sh: tests/interop.sh against Apache + mod_proxy_fcgi
# (etc/apache/patrol-proxy-fcgi.conf) and the socket-activated responders.
PATROL_SETUP=apache-proxy-fcgi; export PATROL_SETUP
. "$top_srcdir/tests/interop.sh"
