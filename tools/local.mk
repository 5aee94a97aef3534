# Admin CLI.
sbin_PROGRAMS += tools/patrolctl
tools_patrolctl_SOURCES = %D%/patrolctl.c %D%/ctl.h %D%/ctl_util.c \
	%D%/ctl_init.c %D%/ctl_identity.c %D%/ctl_pat.c %D%/ctl_pat_list.c \
	%D%/ctl_pat_io.c %D%/ctl_duo.c %D%/ctl_key.c \
	%D%/ctl_audit.c
tools_patrolctl_LDADD = lib/libpatrol.la $(JANSSON_LIBS)
