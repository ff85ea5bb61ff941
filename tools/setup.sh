#!/bin/sh
# Install what the build, the demo and the tests need, from Debian's packages.
# Quick when everything is present: it only checks dpkg's database.
# libfdt-dev is not multi-arch co-installable in Debian 12: the arm64 one
# gives the headers and libfdt.a, the host links libfdt1's libfdt.so.1.
# The benchmarks' QEMU plugin (tests/lib/vcpu_paths.c) is built with the
# host's gcc against glib (libglib2.0-dev, pkg-config) and QEMU's plugin
# header, which tools/qemu-plugin-api.sh takes from Debian's qemu source
# package (apt-get source, dpkg-source: dpkg-dev, xz-utils). The guest
# kernel built from source (tools/guest-kernel.sh) needs linux-source-6.12,
# flex, bison and bc. OpenGL in partitions (tests/linux/test_gl.py): QEMU's
# GTK display and virtio-gpu-gl (qemu-system-gui, libvirglrenderer1) under
# Xvfb, virglrenderer on Mesa's llvmpipe (libgl1-mesa-dri, libegl-mesa0).
# Static analysis (make lint): cppcheck, clang-tidy. The compliance report
# is checked in headless Chromium (chromium).
set -eu

HOST_PKGS="make gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu \
picolibc-aarch64-linux-gnu libcmocka-dev libfdt1 device-tree-compiler \
qemu-system-arm python3 python3-kconfiglib python3-pexpect cpio kmod clang libclang-rt-14-dev \
libglib2.0-dev pkg-config dpkg-dev xz-utils qemu-user libc6-dev-arm64-cross \
linux-source-6.12 flex bison bc \
qemu-system-gui libvirglrenderer1 xvfb libgl1-mesa-dri libegl-mesa0 xauth \
cppcheck clang-tidy chromium"
ARM64_PKGS="libfdt-dev:arm64 busybox-static:arm64 libcmocka-dev:arm64"

missing=""
for p in $HOST_PKGS $ARM64_PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "setup: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $SUDO dpkg --add-architecture arm64
fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
