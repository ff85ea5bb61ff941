#!/bin/bash
# Guest Linux artefacts, cached outside git in $CACHE/linux (Debian's
# default arm64 kernel, 6.1) or, with the argument 6.12, $CACHE/linux-6.12
# (Debian 12's 6.12 kernel, which has CONFIG_VIRTIO_IOMMU=m):
#   Image          Debian's own arm64 kernel (linux-image-*-arm64), raw Image
#   modules/       its modules, with depmod run (Debian ships no modules.dep)
#   initrd.cpio.gz busybox-static:arm64 + tests/linux/init + the modules it loads
# Quick when the cache is current.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin
CACHE=${CACHE:-$HOME/.cache/bulkhead}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case "${1:-}" in
"") L=$CACHE/linux META=linux-image-arm64 ;;
6.12) L=$CACHE/linux-6.12 META=linux-image-6.12-arm64 ;;
*) echo "guest-linux: unknown kernel series '$1' (none, or 6.12)" >&2; exit 2 ;;
esac
mkdir -p "$L" "$CACHE/debs"

# The kernel the metapackage points at; remembered so later runs need no apt.
resolve() {
	apt-cache depends "$META:arm64" 2>/dev/null |
		sed -n 's/.*Depends: \(linux-image-[0-9].*-arm64\).*/\1/p' | head -1
}
if [ ! -s "$L/kernel-package" ]; then
	pkg=$(resolve)
	if [ -z "$pkg" ]; then # package lists missing or stale
		apt-get update -q >/dev/null 2>&1 || true
		pkg=$(resolve)
	fi
	[ -n "$pkg" ] || { echo "guest-linux: cannot resolve $META:arm64 (apt-get update?)" >&2; exit 1; }
	echo "$pkg" >"$L/kernel-package"
fi
pkg=$(cat "$L/kernel-package")
kver=${pkg#linux-image-}

fetch_deb() {
	(cd "$CACHE/debs" && ls "${pkg}"_*_arm64.deb >/dev/null 2>&1 ||
		apt-get download "$pkg:arm64" 2>&1 | grep -v unsandboxed || true)
	deb=$(ls "$CACHE/debs/${pkg}"_*_arm64.deb | head -1)
}
if [ ! -s "$L/Image" ] || [ ! -d "$L/modules/lib/modules/$kver" ]; then
	echo "guest-linux: fetching $pkg"
	fetch_deb
	rm -rf "$L/modules" "$L/extract"
	dpkg-deb -x "$deb" "$L/extract"
	cp "$L/extract/boot/vmlinuz-$kver" "$L/Image.tmp"
	mkdir -p "$L/modules/lib"
	mv "$L/extract/lib/modules" "$L/modules/lib/"
	depmod -b "$L/modules" "$kver"
	rm -rf "$L/extract"
	mv "$L/Image.tmp" "$L/Image"
fi
# The ZCU102's firmware device tree (platform/zynqmp_zcu102/platform.mk),
# from the same package: QEMU's xlnx-zcu102 builds none.
ZCU=zynqmp-zcu102-rev1.0.dtb
if [ -z "${1:-}" ] && [ ! -s "$L/$ZCU" ]; then
	fetch_deb
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/lib/linux-image-$kver/xilinx/$ZCU" >"$L/$ZCU.tmp"
	mv "$L/$ZCU.tmp" "$L/$ZCU"
fi

# The initramfs: rebuilt when its inputs change. Keyed on their contents
# (initrd.key), not their times: worktrees of different versions share the
# cache, and one's older files must not pass for another's initramfs. The
# key also holds the initramfs's own hash: one rebuilt by another version
# of this script (which does not write the key) is rebuilt again here.
inputs=("$ROOT/tests/linux/init" "$ROOT/tests/lib/linux/cntvct.c" "$ROOT/tests/lib/linux/chisq.c"
	"$ROOT/tests/lib/linux/blkop.c" "$ROOT/tests/lib/linux/drmdraw.c" "$ROOT/tools/guest-linux.sh"
	/bin/busybox)
key=$(cat "${inputs[@]}" | sha256sum | cut -d' ' -f1)
have=$(sha256sum "$L/initrd.cpio.gz" 2>/dev/null | cut -d' ' -f1 || true) # none yet: empty
if [ ! -s "$L/initrd.cpio.gz" ] || [ "$(cat "$L/initrd.key" 2>/dev/null)" != "$key $have" ]; then
	echo "guest-linux: building initrd.cpio.gz"
	R=$L/initrd-root
	rm -rf "$R"
	mkdir -p "$R"/{bin,sbin,proc,sys,dev,tmp,etc,root,mnt,lib/modules}
	cp /bin/busybox "$R/bin/busybox"
	for t in cntvct chisq blkop drmdraw; do
		aarch64-linux-gnu-gcc -O2 -static -nostdlib -ffreestanding -fno-stack-protector \
			-mbranch-protection=none -Wl,--build-id=none -o "$R/bin/$t" "$ROOT/tests/lib/linux/$t.c"
	done
	cp "$ROOT/tests/linux/init" "$R/init"
	chmod +x "$R/init"
	ln -s busybox "$R/bin/sh"
	echo "$kver" >"$R/etc/kernel-release"
	# The modules for the hypervisor's virtio devices (Debian builds them
	# as modules), with a modules.dep of their own; and ext4 (which also
	# mounts busybox mke2fs's ext2) with its dependencies, plus
	# crc32c_generic, which ext4 needs (a soft dependency only) to mount
	# metadata_csum file systems such as the host's mkfs.ext4 makes.
	# For passed-through platform devices: gpio_keys (the board's
	# gpio-keys node on a passed-through GPIO) and evdev (/dev/input/event*);
	# the GPIO and RTC drivers themselves (gpio-pl061, rtc-pl031) are built in.
	# virtio-iommu where the kernel has it (6.12: drivers/iommu/virtio-iommu.ko).
	# virtio-gpu with what it needs of DRM (its modules.dep's list).
	# e1000e, for a PCIe NIC given to a partition (tests/linux/test_pci.py).
	M=lib/modules/$kver
	for m in drivers/virtio/virtio_mmio.ko drivers/char/hw_random/virtio-rng.ko \
		drivers/char/virtio_console.ko drivers/block/virtio_blk.ko \
		net/core/failover.ko drivers/net/net_failover.ko drivers/net/virtio_net.ko \
		lib/crc16.ko fs/mbcache.ko fs/jbd2/jbd2.ko fs/ext4/ext4.ko \
		crypto/crc32c_generic.ko drivers/input/evdev.ko \
		drivers/input/keyboard/gpio_keys.ko optional:drivers/iommu/virtio-iommu.ko \
		drivers/virtio/virtio_dma_buf.ko drivers/gpu/drm/drm.ko \
		drivers/gpu/drm/drm_kms_helper.ko drivers/gpu/drm/drm_shmem_helper.ko \
		drivers/gpu/drm/virtio/virtio-gpu.ko drivers/net/ethernet/intel/e1000e/e1000e.ko; do
		opt=${m#optional:}
		src=$L/modules/$M/kernel/$opt
		[ "$opt" != "$m" ] && [ ! -f "$src" ] && [ ! -f "$src.xz" ] && continue
		m=$opt
		mkdir -p "$R/$M/kernel/$(dirname "$m")"
		# 6.12 ships its modules xz-compressed (busybox's modprobe loads
		# them plain) and has some of them built in.
		if [ -f "$src" ]; then
			cp "$src" "$R/$M/kernel/$m"
		elif [ -f "$src.xz" ]; then
			xz -dc "$src.xz" >"$R/$M/kernel/$m"
		elif ! grep -qx "kernel/$m" "$L/modules/$M/modules.builtin"; then
			echo "guest-linux: $kver has no module $m" >&2
			exit 1
		fi
	done
	cp "$L/modules/$M/modules.order" "$L/modules/$M/modules.builtin" \
		"$L/modules/$M/modules.builtin.modinfo" "$R/$M/" 2>/dev/null || true
	depmod -b "$R" "$kver"
	(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9n) >"$L/initrd.cpio.gz.tmp"
	mv "$L/initrd.cpio.gz.tmp" "$L/initrd.cpio.gz"
	echo "$key $(sha256sum "$L/initrd.cpio.gz" | cut -d' ' -f1)" >"$L/initrd.key"
	rm -rf "$R"
fi
