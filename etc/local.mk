# Sample configuration and web server recipes (installed as samples).
sampledir = $(docdir)/examples
dist_sample_DATA = %D%/patrol.conf %D%/lighttpd.conf
