#!/bin/sh
# tests/interop-nginx.sh: tests/interop.sh against the nginx recipe (etc/nginx/patrol.conf,
# responders from etc/systemd/ by socket activation).
PATROL_SETUP=nginx; export PATROL_SETUP
. "$top_srcdir/tests/interop.sh"
