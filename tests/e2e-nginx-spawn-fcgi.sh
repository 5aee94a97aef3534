#!/bin/sh
# tests/e2e-nginx-spawn-fcgi.sh: tests/e2e.sh through nginx (etc/nginx/patrol.conf)
# to responders started by spawn-fcgi (etc/spawn-fcgi/patrol-spawn.sh).
PATROL_SETUP=nginx-spawn-fcgi; export PATROL_SETUP
. "$top_srcdir/tests/e2e.sh"
