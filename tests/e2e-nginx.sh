#!/bin/sh
# tests/e2e-nginx.sh: tests/e2e.sh against the nginx recipe (etc/nginx/patrol.conf,
# responders from etc/systemd/ by socket activation).
PATROL_SETUP=nginx; export PATROL_SETUP
. "$top_srcdir/tests/e2e.sh"
