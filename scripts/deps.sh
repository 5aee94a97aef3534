# scripts/deps.sh: sourced by run.sh and test.sh (bash).
# install_missing PKG...: apt-get installs the Debian packages that dpkg does
# not list as installed, through sudo when not root. Returns non-zero, with a
# message on stderr, when that is impossible or apt-get fails.
install_missing() {
	local missing=() p sudo=()
	if ! command -v dpkg-query >/dev/null; then
		printf '==> not a Debian system: install these yourself if missing: %s\n' "$*"
		return 0
	fi
	for p in "$@"; do
		case $p in
		# node and npm may come from elsewhere (NodeSource's nodejs
		# package includes npm and conflicts with Debian's npm).
		nodejs) command -v node >/dev/null && continue ;;
		npm) command -v npm >/dev/null && continue ;;
		esac
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q '^install ok installed$' || missing+=("$p")
	done
	[ "${#missing[@]}" -eq 0 ] && return 0
	printf '==> installing %s\n' "${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		if ! command -v sudo >/dev/null; then
			printf 'not root and no sudo: apt-get install %s\n' \
			    "${missing[*]}" >&2
			return 1
		fi
		sudo=(sudo)
	fi
	# Web servers the tests start themselves (nginx, apache2) must not
	# also start as system services on port 80: a policy-rc.d that denies
	# every start, for the time of the install only (unless the machine
	# already has one).
	local policy=/usr/sbin/policy-rc.d own_policy= rc
	case " ${missing[*]} " in
	*" nginx "*|*" apache2 "*)
		if [ ! -e "$policy" ]; then
			printf '#!/bin/sh\n# deps.sh: no service starts while it installs\nexit 101\n' |
			    "${sudo[@]}" tee "$policy" >/dev/null &&
			    "${sudo[@]}" chmod 0755 "$policy" && own_policy=1
		fi ;;
	esac
	"${sudo[@]}" apt-get update -qq &&
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends "${missing[@]}"
	rc=$?
	[ -n "$own_policy" ] && "${sudo[@]}" rm -f "$policy"
	return $rc
}

# The packages patrol needs to build and run (run.sh), and to test (test.sh).
RUN_PACKAGES=(build-essential autoconf automake libtool pkg-config libfcgi-dev
	libjansson-dev libconfig-dev libsqlite3-dev libssl-dev
	lighttpd sqlite3 curl jq procps)
TEST_PACKAGES=("${RUN_PACKAGES[@]}" nodejs npm valgrind locales openssl
	libfcgi-bin systemd mandoc python3	# tests/runtime.sh, man.sh, runsh.sh
	nginx spawn-fcgi	# tests/*-nginx.sh, tests/spawnfcgi.sh
	apache2 libapache2-mod-fcgid)	# tests/*-apache-*.sh
