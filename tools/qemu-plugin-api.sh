#!/bin/bash
# The TCG plugin API header (include/qemu/qemu-plugin.h) of the QEMU this
# machine runs: Debian ships it in no binary package, only in the qemu
# source package. Fetched once per source version into
#   $CACHE/qemu-plugin/<version>/qemu-plugin.h
# and copied to the file named by the first argument when that differs
# (so what is built against it is rebuilt only when QEMU's version changes).
#
# How: apt-get source --download-only qemu=<version>, with a private source
# list and private package lists under the cache (the machine's apt
# configuration is not changed and needs no root): apt checks the Sources
# index against the release file signed by Debian's archive key and the
# downloaded files against the index; dpkg-source -x checks them against
# the .dsc and applies Debian's patches (the header is the patched one).
# Only the header and the .dsc (provenance) are kept.
set -euo pipefail
CACHE=${CACHE:-$HOME/.cache/bulkhead}
out=${1:?usage: qemu-plugin-api.sh OUTPUT-HEADER}

# The version of the qemu source package qemu-system-arm was built from
# (without a binNMU suffix). Checked to be a Debian version before it is
# used in a path or passed to apt-get as one argument.
ver=$(dpkg-query -W -f='${source:Version}' qemu-system-arm 2>/dev/null || true)
if ! [[ $ver =~ ^([0-9]+:)?[0-9][A-Za-z0-9.+~-]*$ ]] || [[ $ver == *..* ]]; then
	echo "qemu-plugin-api: qemu-system-arm is not installed from a Debian package (version '$ver')" >&2
	exit 1
fi
D=$CACHE/qemu-plugin/${ver//:/_}
H=$D/qemu-plugin.h

if [ ! -s "$H" ]; then
	# The release's codename (read, not sourced), checked before use.
	codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"' | head -1)
	[[ $codename =~ ^[a-z]+$ ]] || { echo "qemu-plugin-api: no Debian codename in /etc/os-release" >&2; exit 1; }
	echo "qemu-plugin-api: fetching the qemu $ver source package for qemu-plugin.h" >&2
	# A work directory of this run's own (another worktree may be at it
	# too: each moves a complete header into place).
	W=$CACHE/qemu-plugin/work.$$
	rm -rf "$W"
	trap 'rm -rf "$W"' EXIT
	mkdir -p "$W/parts" "$W/lists/partial" "$W/cache/archives/partial" "$W/src"
	key=/usr/share/keyrings/debian-archive-keyring.gpg
	cat >"$W/parts/src.sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $codename $codename-updates
Components: main
Signed-By: $key

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: $codename-security
Components: main
Signed-By: $key
EOF
	apt_opts=(-q -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$W/parts"
		-o "Dir::State::Lists=$W/lists" -o "Dir::Cache=$W/cache"
		-o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=")
	# As root apt would download as _apt, which cannot write to the cache.
	[ "$(id -u)" -ne 0 ] || apt_opts+=(-o "APT::Sandbox::User=root")
	apt-get "${apt_opts[@]}" update >"$W/apt.log" 2>&1 ||
		{ cat "$W/apt.log" >&2; echo "qemu-plugin-api: apt-get update failed" >&2; exit 1; }
	if ! (cd "$W/src" && apt-get "${apt_opts[@]}" source --download-only "qemu=$ver") >>"$W/apt.log" 2>&1; then
		cat "$W/apt.log" >&2
		echo "qemu-plugin-api: qemu $ver is not in Debian's archive any more; put its" \
			"include/qemu/qemu-plugin.h in $D/ by hand" >&2
		exit 1
	fi
	dsc=$(ls "$W/src"/qemu_*.dsc)
	# --no-check: the .dsc's own signature (the uploader's key) is not
	# checked; the .dsc came through the signed index above.
	dpkg-source --no-check -x "$dsc" "$W/src/tree" >>"$W/apt.log" 2>&1 ||
		{ cat "$W/apt.log" >&2; echo "qemu-plugin-api: dpkg-source -x failed" >&2; exit 1; }
	mkdir -p "$D"
	cp "$dsc" "$D/"
	cp "$W/src/tree/include/qemu/qemu-plugin.h" "$H.$$"
	mv "$H.$$" "$H"
fi

mkdir -p "$(dirname "$out")"
cmp -s "$H" "$out" 2>/dev/null || cp "$H" "$out"
