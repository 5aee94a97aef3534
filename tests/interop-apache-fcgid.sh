#!/bin/sh
# tests/interop-apache-fcgid.sh: tests/interop.sh against the Apache + mod_fcgid recipe
# (etc/apache/patrol-fcgid.conf).
PATROL_SETUP=apache-fcgid; export PATROL_SETUP
. "$top_srcdir/tests/interop.sh"
