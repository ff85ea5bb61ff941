#!/bin/bash
# Guest OpenGL userland, cached outside git in $CACHE/mesa: Debian 12's
# arm64 kmscube and Mesa (its virgl driver, virtio_gpu_dri.so, with EGL
# through glvnd and GBM), as an initramfs overlay for the guest Linux of
# tools/guest-linux.sh:
#   packages         the arm64 packages, name=version (resolved once by
#                    apt-cache; delete the file to resolve again)
#   mesa.cpio.gz     only what runs: /usr/bin/kmscube, the dynamic loader,
#                    the ELF closure of kmscube, virtio_gpu_dri.so and
#                    libEGL_mesa.so.0, glvnd's EGL vendor file, Mesa's drirc,
#                    and /usr/lib/bulkhead/keepfb.so (tests/lib/mesa/keepfb.c:
#                    kmscube's last frame stays on the display after it exits)
#   initrd-gl.cpio.gz $CACHE/linux/initrd.cpio.gz followed by mesa.cpio.gz
#                    (Linux unpacks concatenated gzip'd cpio archives)
# The .deb files go to $CACHE/debs. Quick when the cache is current.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin
CACHE=${CACHE:-$HOME/.cache/bulkhead}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SELF=$ROOT/tools/guest-mesa.sh
KEEPFB=$ROOT/tests/lib/mesa/keepfb.c
M=$CACHE/mesa
TRIPLE=aarch64-linux-gnu
READELF=$TRIPLE-readelf
mkdir -p "$M" "$CACHE/debs"
say() { echo "guest-mesa: $*"; }
die() { echo "guest-mesa: $*" >&2; exit 1; }
command -v "$READELF" >/dev/null || die "$READELF not found (binutils-$TRIPLE)"

# The packages: the dependency closure (no recommends) of what kmscube and
# Mesa's EGL/GBM/DRI need, real arm64 packages only (virtual packages and
# the Architecture: all data packages, which hold nothing that runs, are
# left out). Resolved once, with the candidate versions, so that later
# runs need no apt; the list starts with the root packages it was resolved
# for, so a changed root set resolves again.
ROOTS=(kmscube libgl1-mesa-dri libegl-mesa0 libgbm1 libegl1 libgles2 libglapi-mesa)
selfhash=$(sha256sum "$SELF" | cut -d' ' -f1)
resolve() {
	local args=() p
	for p in "${ROOTS[@]}"; do args+=("$p:arm64"); done
	apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances "${args[@]}" 2>/dev/null |
		sed -n 's/^\([a-z0-9][a-z0-9.+-]*\):arm64$/\1/p' | LC_ALL=C sort -u
}
if [ ! -s "$M/packages" ] || [ "$(head -1 "$M/packages")" != "# ${ROOTS[*]}" ]; then
	say "resolving packages"
	names=$(resolve)
	if [ -z "$names" ] || ! grep -qx kmscube <<<"$names"; then # lists missing or stale
		apt-get update -q >/dev/null 2>&1 || true
		names=$(resolve)
	fi
	grep -qx kmscube <<<"$names" || die "cannot resolve kmscube:arm64 (apt-get update? dpkg --add-architecture arm64?)"
	{
		echo "# ${ROOTS[*]}"
		while IFS= read -r p; do
			v=$(apt-cache policy "$p:arm64" | sed -n 's/^ *Candidate: //p')
			{ [ -n "$v" ] && [ "$v" != "(none)" ]; } || die "no candidate version for $p:arm64"
			echo "$p=$v"
		done <<<"$names"
	} >"$M/packages.tmp"
	mv "$M/packages.tmp" "$M/packages"
fi

# The .deb files: apt-get download names them name_version_arm64.deb with
# an epoch's ':' written as %3a.
debs=()
missing=()
while IFS= read -r line; do
	case $line in "#"*) continue ;; esac
	p=${line%%=*} v=${line#*=}
	f=${p}_${v//:/%3a}_arm64.deb
	debs+=("$f")
	[ -s "$CACHE/debs/$f" ] || missing+=("$p:arm64=$v")
done <"$M/packages"
if [ ${#missing[@]} -gt 0 ]; then
	say "fetching ${#missing[@]} of ${#debs[@]} packages"
	(cd "$CACHE/debs" && { apt-get download -qq "${missing[@]}" 2>&1 | grep -v unsandboxed || true; })
	for f in "${debs[@]}"; do
		[ -s "$CACHE/debs/$f" ] || die "apt-get download did not give $f"
	done
fi

# mesa.cpio.gz: rebuilt when its inputs change, keyed (mesa.key) on this
# script's hash, keepfb.c's and the .deb file names, plus the archive's own
# hash (one built by another version of this script is rebuilt here).
key=$( { echo "$selfhash"; sha256sum <"$KEEPFB"; printf '%s\n' "${debs[@]}"; } | sha256sum | cut -d' ' -f1)
have=$(sha256sum "$M/mesa.cpio.gz" 2>/dev/null | cut -d' ' -f1 || true) # none yet: empty
if [ ! -s "$M/mesa.cpio.gz" ] || [ "$(cat "$M/mesa.key" 2>/dev/null)" != "$key $have" ]; then
	S=$M/stage R=$M/root
	rm -rf "$S" "$R"
	trap 'rm -rf "$S" "$R"' EXIT # also when a step fails
	mkdir -p "$S" "$R"
	say "extracting ${#debs[@]} packages"
	for f in "${debs[@]}"; do
		dpkg-deb -x "$CACHE/debs/$f" "$S"
	done

	# Where the loader looks (Debian's multiarch directories, before and
	# after the /usr merge): libraries are copied, links followed, to
	# /usr/lib/aarch64-linux-gnu under the name they are asked for.
	LIBDIRS=("lib/$TRIPLE" "usr/lib/$TRIPLE" lib usr/lib)
	LIB=usr/lib/$TRIPLE
	mkdir -p "$R/usr/bin" "$R/$LIB/dri" "$R/lib"
	find_lib() { # name -> path in the staging tree, or nothing
		local d
		for d in "${LIBDIRS[@]}"; do
			if [ -e "$S/$d/$1" ]; then
				echo "$S/$d/$1"
				return
			fi
		done
	}
	needed() { # ELF file -> its DT_NEEDED names, one a line
		"$READELF" -d "$1" | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]$/\1/p'
	}
	# The ELF closure, breadth first: queue holds the files copied to $R
	# whose DT_NEEDED are still to be read; done_ the names already taken.
	declare -A done_=()
	add() { # ELF file in $R -> copies what it needs, queues those
		local n src
		while IFS= read -r n; do
			[ -n "${done_[$n]:-}" ] && continue
			done_[$n]=1
			src=$(find_lib "$n")
			[ -n "$src" ] || die "library $n (needed by ${1#"$R"/}) is not in the packages"
			cp -L "$src" "$R/$LIB/$n"
			queue+=("$R/$LIB/$n")
		done < <(needed "$1")
	}
	cp -L "$S/usr/bin/kmscube" "$R/usr/bin/kmscube"
	cp -L "$S/$LIB/dri/virtio_gpu_dri.so" "$R/$LIB/dri/virtio_gpu_dri.so"
	queue=("$R/usr/bin/kmscube" "$R/$LIB/dri/virtio_gpu_dri.so")
	# Loaded with dlopen, not DT_NEEDED: glvnd's EGL loads the vendor
	# library its JSON names.
	n=libEGL_mesa.so.0
	src=$(find_lib "$n")
	[ -n "$src" ] || die "library $n (Mesa's EGL vendor library) is not in the packages"
	done_[$n]=1
	cp -L "$src" "$R/$LIB/$n"
	queue+=("$R/$LIB/$n")
	i=0
	while [ $i -lt ${#queue[@]} ]; do
		add "${queue[$i]}"
		i=$((i + 1))
	done

	# The dynamic loader: kmscube's PT_INTERP, /lib/ld-linux-aarch64.so.1.
	# The base initramfs has a real /lib (lib/modules), so /lib stays a
	# directory here (a symbolic link could not replace it) and holds
	# links into /usr/lib.
	interp=$("$READELF" -l "$R/usr/bin/kmscube" | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
	[ "$interp" = /lib/ld-linux-aarch64.so.1 ] || die "unexpected program interpreter '$interp'"
	[ -f "$R/$LIB/ld-linux-aarch64.so.1" ] || cp -L "$(find_lib ld-linux-aarch64.so.1)" "$R/$LIB/ld-linux-aarch64.so.1"
	ln -s "../usr/lib/$TRIPLE" "$R/lib/$TRIPLE"
	ln -s "$TRIPLE/ld-linux-aarch64.so.1" "$R/lib/ld-linux-aarch64.so.1"

	# glvnd's EGL vendor file (it names libEGL_mesa.so.0) and Mesa's
	# driver configuration (optional for Mesa, but read when present).
	for f in usr/share/glvnd/egl_vendor.d/50_mesa.json usr/share/drirc.d/00-mesa-defaults.conf; do
		[ -f "$S/$f" ] || die "$f is not in the packages"
		mkdir -p "$R/$(dirname "$f")"
		cp "$S/$f" "$R/$f"
	done

	# The preload that keeps kmscube's last frame on the display.
	mkdir -p "$R/usr/lib/bulkhead"
	"$TRIPLE-gcc" -O2 -shared -fPIC -nostdlib -ffreestanding -fno-stack-protector \
		-mbranch-protection=none -Wl,--build-id=none -o "$R/usr/lib/bulkhead/keepfb.so" "$KEEPFB"

	# Deterministic: fixed times and modes, owner 0:0, sorted, no inode
	# or device numbers from this machine.
	find "$R" -type d -exec chmod 755 {} +
	find "$R" -exec touch -h -d @0 {} +
	say "building mesa.cpio.gz ($(du -sh --apparent-size "$R" | cut -f1) unpacked, $(find "$R" -type f | wc -l) files)"
	(cd "$R" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc --quiet -R 0:0 --reproducible | gzip -9n) >"$M/mesa.cpio.gz.tmp"
	mv "$M/mesa.cpio.gz.tmp" "$M/mesa.cpio.gz"
	echo "$key $(sha256sum "$M/mesa.cpio.gz" | cut -d' ' -f1)" >"$M/mesa.key"
	rm -rf "$S" "$R"
	trap - EXIT
fi

# initrd-gl.cpio.gz: the base initramfs with the overlay after it, rebuilt
# when either changes (keyed on both hashes and its own, as above).
base=$CACHE/linux/initrd.cpio.gz
[ -s "$base" ] || die "$base is missing (run tools/guest-linux.sh first)"
key=$(sha256sum "$base" "$M/mesa.cpio.gz" | cut -d' ' -f1 | tr '\n' ' ')
have=$(sha256sum "$M/initrd-gl.cpio.gz" 2>/dev/null | cut -d' ' -f1 || true)
if [ ! -s "$M/initrd-gl.cpio.gz" ] || [ "$(cat "$M/initrd-gl.key" 2>/dev/null)" != "$key$have" ]; then
	say "building initrd-gl.cpio.gz"
	cat "$base" "$M/mesa.cpio.gz" >"$M/initrd-gl.cpio.gz.tmp"
	mv "$M/initrd-gl.cpio.gz.tmp" "$M/initrd-gl.cpio.gz"
	echo "$key$(sha256sum "$M/initrd-gl.cpio.gz" | cut -d' ' -f1)" >"$M/initrd-gl.key"
fi
