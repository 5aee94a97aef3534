#!/bin/sh
# tests/e2e-apache-fcgid.sh: tests/e2e.sh against the Apache + mod_fcgid recipe
# (etc/apache/patrol-fcgid.conf).
PATROL_SETUP=apache-fcgid; export PATROL_SETUP
. "$top_srcdir/tests/e2e.sh"
