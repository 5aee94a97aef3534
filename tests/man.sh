#!/bin/sh
# tests/man.sh: every manual page lints clean with mandoc -Tlint at the
# WARNING level (STYLE notes, such as cross-references to pages that are not
# installed on the build machine, are not failures).
. "$top_srcdir/tests/lib.sh"

command -v mandoc >/dev/null || skip_all "mandoc is not installed"
for page in "$top_srcdir"/docs/*.[1-9]; do
	out=$(mandoc -Tlint -W warning "$page" 2>&1 | grep -v 'mandoc\.db')
	is "$out" "" "mandoc -Tlint: $(basename "$page")"
	out=$(mandoc -Tutf8 "$page" 2>&1 | head -1)
	like "$out" "$(basename "$page" | sed 's/\..*//' | tr '[:lower:]' '[:upper:]')" \
		"$(basename "$page") renders with its title"
done
done_testing
