#!/bin/sh
# tests/exports.sh: the shared library exports exactly the public interface:
# only patrol_* symbols, and every function and object lib/patrol.h declares.
. "$top_srcdir/tests/lib.sh"

so=$(ls "$top_builddir"/lib/.libs/libpatrol.so.*.*.* 2>/dev/null | head -1)
[ -n "$so" ] || skip_all "no shared libpatrol in $top_builddir/lib/.libs"
command -v nm >/dev/null || skip_all "nm is not installed"

exported=$(nm -D --defined-only "$so" | awk '{print $3}' | sort -u)
others=$(printf '%s\n' "$exported" | grep -v '^patrol_')
is "$others" "" "only patrol_ symbols are exported"

# Names declared in the header: "patrol_x(" for functions, and the extern
# objects.
declared=$(sed -n 's/.*\b\(patrol_[a-z0-9_]*\)(.*/\1/p' \
	"$top_srcdir/lib/patrol.h" | sort -u)
objects=$(sed -n 's/^extern const struct [a-z_]* \(patrol_[a-z0-9_]*\);/\1/p' \
	"$top_srcdir/lib/patrol.h" | sort -u)
missing=
for s in $declared $objects; do
	printf '%s\n' "$exported" | grep -qx "$s" || missing="$missing $s"
done
is "$missing" "" "every function and object in patrol.h is exported"
ok "$([ "$(printf '%s\n' $declared | wc -l)" -ge 50 ]; echo $?)" \
	"the header scan found the declarations"
done_testing
