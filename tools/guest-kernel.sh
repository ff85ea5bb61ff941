#!/bin/bash
# A guest kernel built from Debian's own kernel source (linux-source-6.12),
# for what neither of Debian's arm64 kernel packages enables (the SCMI
# virtio transport and scmi-hwmon): allnoconfig plus the committed fragment
# tests/linux/kernel-6.12.config, cross-compiled with aarch64-linux-gnu-.
# Cached outside git in $CACHE/linux-src-6.12:
#   Image   the kernel
#   key     what it was built from: the source package's version, the
#           fragment and this script; a different key rebuilds it
# About ten minutes on two cores, with a progress line every 500 steps.
set -euo pipefail
# Not the kernel's: the project's Makefile exports KCONFIG_CONFIG (its own
# .config), which merge_config.sh and the kernel's kconfig would follow and
# overwrite; and O, which the kernel's make would take as its build folder.
unset KCONFIG_CONFIG O MAKEFLAGS MAKEOVERRIDES MAKELEVEL
CACHE=${CACHE:-$HOME/.cache/bulkhead}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FRAG=$ROOT/tests/linux/kernel-6.12.config
PKG=linux-source-6.12
L=$CACHE/linux-src-6.12
mkdir -p "$L"

ver=$(dpkg-query -W -f='${Version}' "$PKG" 2>/dev/null || true)
if [ -z "$ver" ]; then
	echo "guest-kernel: installing $PKG and the kernel's build tools"
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get install -y -q "$PKG" flex bison bc >/dev/null
	ver=$(dpkg-query -W -f='${Version}' "$PKG")
fi
for t in flex bison bc; do
	command -v "$t" >/dev/null || { echo "guest-kernel: $t missing (make setup installs it)" >&2; exit 1; }
done
key=$( (echo "$PKG $ver"; cat "$FRAG" "$0") | sha256sum | cut -d' ' -f1)
if [ -s "$L/Image" ] && [ "$(cat "$L/key" 2>/dev/null)" = "$key" ]; then
	exit 0
fi

tarball=$(ls /usr/src/linux-source-6.12.tar.* | head -1)
echo "guest-kernel: building $PKG $ver with $(basename "$FRAG") (about 10 minutes on 2 cores)"
rm -rf "$L/src" "$L/obj" "$L/Image" "$L/key"
mkdir -p "$L/src" "$L/obj"
tar -xf "$tarball" -C "$L/src" --strip-components=1
K=(make -C "$L/src" O="$L/obj" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- -s)
"${K[@]}" allnoconfig >/dev/null
"$L/src/scripts/kconfig/merge_config.sh" -m -O "$L/obj" "$L/obj/.config" "$FRAG" >/dev/null
"${K[@]}" olddefconfig >/dev/null
# Every line of the fragment must have survived the dependencies.
missing=0
while IFS= read -r line; do
	case $line in CONFIG_*) grep -qx "$line" "$L/obj/.config" || { echo "guest-kernel: $line did not take" >&2; missing=1; } ;; esac
done <"$FRAG"
[ $missing = 0 ] || exit 1
# Progress: the build's own lines, counted.
make -C "$L/src" O="$L/obj" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- -j"$(nproc)" Image 2>&1 |
	awk '{ n++ } /error|Error/ { print } n % 500 == 0 { printf "guest-kernel: %d build steps\n", n; fflush() }'
[ "${PIPESTATUS[0]}" = 0 ] || { echo "guest-kernel: the kernel build failed" >&2; exit 1; }
cp "$L/obj/arch/arm64/boot/Image" "$L/Image"
echo "$key" >"$L/key"
rm -rf "$L/src" "$L/obj"
echo "guest-kernel: $L/Image"
