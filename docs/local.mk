dist_man_MANS += %D%/libpatrol.3 %D%/patrolctl.8 %D%/patrol-fcgi.8 %D%/patrol.conf.5 %D%/patrol-filters.7
dist_doc_DATA = README.md
