#!/bin/sh
# tests/install.sh: `make install DESTDIR=...` installs what a packager and a
# user need (the shared library, its header and patrol.pc, the responders
# under $(libexecdir)/patrol, patrolctl, the sample recipes and the manual
# pages), and a program outside the tree builds against the *installed*
# library with `pkg-config patrol` and runs.
. "$top_srcdir/tests/lib.sh"

command -v pkg-config >/dev/null || skip_all "pkg-config is not installed"
CC=${CC:-cc}
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root

${MAKE:-make} -s -C "$top_builddir" install DESTDIR="$root" \
	> "$tmp/install.log" 2>&1
ok $? "make install DESTDIR=..." || diag "$(tail -5 "$tmp/install.log")"

# has GLOB NAME: exactly one installed file matches the glob under $root.
has() {
	_n=$(cd "$root" && find . \( -type f -o -type l \) -path "./$1" | wc -l)
	ok "$([ "$_n" -ge 1 ]; echo $?)" "installs $2 ($1)"
}
has '*/lib*/libpatrol.so.*' "the shared library"
has '*/lib*/libpatrol.so' "the development link"
has '*/include/patrol.h' "the public header"
has '*/lib*/pkgconfig/patrol.pc' "patrol.pc"
has '*/libexec/patrol/patrol-beta' "the beta responder"
has '*/libexec/patrol/patrol-oauth' "the oauth responder"
has '*bin/patrolctl' "patrolctl"
has '*/man/man8/patrolctl.8' "patrolctl(8)"
has '*/man/man8/patrol-fcgi.8' "patrol-fcgi(8)"
has '*/man/man5/patrol.conf.5' "patrol.conf(5)"
has '*/man/man7/patrol-filters.7' "patrol-filters(7)"
has '*/man/man3/libpatrol.3' "libpatrol(3)"
has '*/doc/patrol/examples/patrol.conf' "the sample configuration"
has '*/doc/patrol/examples/lighttpd.conf' "the lighttpd recipe"
# Every recipe and unit of etc/, as a sample (the tests use them from etc/).
for f in $(cd "$top_srcdir/etc" && find lighttpd nginx apache systemd spawn-fcgi errors \
    -type f | sort); do
	has "*/doc/patrol/examples/$f" "the sample $f"
done
unlike "$(cd "$root" && find . -name '*.la' -path '*/lib*/*')" "libpatrol_core" \
	"the convenience library is not installed"

pc=$(cd "$root" && find . -name patrol.pc | head -1)
pcdir=$root/$(dirname "$pc")
export PKG_CONFIG_SYSROOT_DIR="$root" PKG_CONFIG_PATH="$pcdir"
cflags=$(pkg-config --cflags patrol)
ok $? "pkg-config --cflags patrol"
libs=$(pkg-config --libs patrol)
ok $? "pkg-config --libs patrol"
like "$libs" "-lpatrol" "links -lpatrol"
is "$(pkg-config --modversion patrol)" \
	"$(sed -n 's/^#define PATROL_VERSION "\(.*\)"/\1/p' "$top_srcdir/lib/patrol.h")" \
	"patrol.pc's version is the header's"

cat > "$tmp/client.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <patrol.h>

int
main(void)
{
	char	*masked;

	if (strcmp(patrol_strerror(PATROL_ERR_NOMEM), "out of memory") != 0)
		return 1;
	if ((masked = patrol_mask_secret("qw123Y3QlA5UqocYpdU3rEkzrK2D497y"))
	    == NULL)
		return 2;
	printf("%s %s\n", PATROL_VERSION, masked);
	free(masked);
	return 0;
}
EOF
# shellcheck disable=SC2086
$CC $cflags -o "$tmp/client" "$tmp/client.c" $libs 2> "$tmp/cc.err"
ok $? "a program builds against the installed library" ||
	diag "$(cat "$tmp/cc.err")"
libdir=$(dirname "$(cd "$root" && find . -name 'libpatrol.so' | head -1)")
out=$(LD_LIBRARY_PATH="$root/$libdir" "$tmp/client" 2>&1)
ok $? "and runs"
like "$out" "q******y" "with the installed library's masking"
ldd_out=$(LD_LIBRARY_PATH="$root/$libdir" ldd "$tmp/client" 2>/dev/null)
like "$ldd_out" "$root" "it uses the installed libpatrol, not the build tree's"

# The example of libpatrol(3) builds against the installed library too.
sed -n '/^\.Sh EXAMPLES/,/^\.Sh/p' "$top_srcdir/docs/libpatrol.3" |
	sed -n '/^\.Bd -literal/,/^\.Ed/p' | sed '1d; $d; s/\\e/\\/g' \
	> "$tmp/example.c"
like "$(cat "$tmp/example.c")" "patrol_server_handle" "libpatrol(3) has an example"
# shellcheck disable=SC2086
$CC -Wall -Werror $cflags -o "$tmp/example" "$tmp/example.c" $libs \
	2> "$tmp/cc.err"
ok $? "libpatrol(3)'s example builds with -Wall -Werror" ||
	diag "$(cat "$tmp/cc.err")"

done_testing
