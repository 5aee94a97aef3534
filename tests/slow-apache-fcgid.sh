#!/bin/sh
# tests/slow-apache-fcgid.sh: tests/slow.sh against the Apache + mod_fcgid recipe
# (etc/apache/patrol-fcgid.conf).
PATROL_SETUP=apache-fcgid; export PATROL_SETUP
. "$top_srcdir/tests/slow.sh"
