#!/bin/sh
# scripts/dist-links.sh DISTDIR: fails, naming them, when the Markdown files
# of the tree in DISTDIR (README.md, docs/*.md) link to a relative path that
# the tree does not hold. Run by `make dist` (dist-hook), so a release
# tarball holds everything its documents refer to.
cd "${1:?usage: dist-links.sh DISTDIR}" || exit 1
missing=0
for doc in README.md docs/*.md; do
	[ -f "$doc" ] || continue
	dir=$(dirname "$doc")
	# [text](target): relative targets only, without any #fragment.
	for target in $(grep -o '\]([^)]*)' "$doc" | sed 's/^](//; s/)$//; s/#.*//'); do
		case $target in
		''|*://*|mailto:*) continue ;;
		esac
		if [ ! -e "$dir/$target" ]; then
			printf '%s links to %s, which the tarball lacks\n' \
			    "$doc" "$target" >&2
			missing=1
		fi
	done
done
exit $missing
