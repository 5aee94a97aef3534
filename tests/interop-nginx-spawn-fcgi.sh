#!/bin/sh
# tests/interop-nginx-spawn-fcgi.sh: tests/interop.sh through nginx (etc/nginx/patrol.conf)
# to responders started by spawn-fcgi (etc/spawn-fcgi/patrol-spawn.sh).
PATROL_SETUP=nginx-spawn-fcgi; export PATROL_SETUP
. "$top_srcdir/tests/interop.sh"
