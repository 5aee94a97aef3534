# Admin CLI.
sbin_PROGRAMS += tools/patrolctl
tools_patrolctl_SOURCES = %D%/patrolctl.c
tools_patrolctl_LDADD = lib/libpatrol.la $(JANSSON_LIBS)
