# Sample configuration and web server recipes (installed as samples).
sampledir = $(docdir)/examples
dist_sample_DATA = %D%/patrol.conf %D%/lighttpd.conf
errorsdir = $(sampledir)/errors
dist_errors_DATA = %D%/errors/400.json %D%/errors/403.json \
	%D%/errors/404.json %D%/errors/405.json %D%/errors/408.json \
	%D%/errors/411.json %D%/errors/413.json %D%/errors/414.json \
	%D%/errors/431.json %D%/errors/500.json %D%/errors/502.json \
	%D%/errors/503.json %D%/errors/504.json
