#!/bin/sh
# tests/down-apache-fcgid.sh: tests/apache-down.sh against the apache-fcgid setup.
PATROL_SETUP=apache-fcgid; export PATROL_SETUP
. "$top_srcdir/tests/apache-down.sh"
