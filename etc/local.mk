# Sample configuration and web server recipes (installed as samples).
sampledir = $(docdir)/examples
dist_sample_DATA = %D%/patrol.conf %D%/lighttpd.conf
errorsdir = $(sampledir)/errors
dist_errors_DATA = %D%/errors/400.json %D%/errors/403.json \
	%D%/errors/404.json %D%/errors/405.json %D%/errors/408.json \
	%D%/errors/411.json %D%/errors/413.json %D%/errors/414.json \
	%D%/errors/431.json %D%/errors/500.json %D%/errors/502.json \
	%D%/errors/503.json %D%/errors/504.json
lighttpddir = $(sampledir)/lighttpd
dist_lighttpd_DATA = %D%/lighttpd/50-patrol.conf

# lighttpd serves error pages by the name NNN.html (server.errorfile-prefix):
# the same JSON pages under that name, for etc/lighttpd/50-patrol.conf.
install-data-hook: install-lighttpd-errors
install-lighttpd-errors:
	$(MKDIR_P) '$(DESTDIR)$(pkgdatadir)/lighttpd-errors'
	for f in $(dist_errors_DATA); do \
	    n=`basename "$$f" .json`; \
	    $(INSTALL_DATA) "$(srcdir)/$$f" \
	        '$(DESTDIR)$(pkgdatadir)/lighttpd-errors/'"$$n.html" || exit 1; \
	done
uninstall-local: uninstall-lighttpd-errors
uninstall-lighttpd-errors:
	for f in $(dist_errors_DATA); do \
	    n=`basename "$$f" .json`; \
	    rm -f '$(DESTDIR)$(pkgdatadir)/lighttpd-errors/'"$$n.html"; \
	done
	-rmdir '$(DESTDIR)$(pkgdatadir)/lighttpd-errors'
.PHONY: install-lighttpd-errors uninstall-lighttpd-errors
nginxdir = $(sampledir)/nginx
dist_nginx_DATA = %D%/nginx/patrol.conf
spawnfcgidir = $(sampledir)/spawn-fcgi
dist_spawnfcgi_DATA = %D%/spawn-fcgi/patrol-spawn.sh
systemddir = $(sampledir)/systemd
dist_systemd_DATA = %D%/systemd/patrol-oauth.socket \
	%D%/systemd/patrol-oauth.service %D%/systemd/patrol-beta.socket \
	%D%/systemd/patrol-beta.service
apachedir = $(sampledir)/apache
dist_apache_DATA = %D%/apache/patrol-fcgid.conf %D%/apache/htaccess-cgi \
	%D%/apache/cgi-host.conf %D%/apache/patrol-proxy-fcgi.conf
