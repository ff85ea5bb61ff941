#!/bin/bash
# Benchmarks: figures, never asserted. Under -icount shift=0,sleep=off
# QEMU's virtual clock advances 1 ns per instruction (all CPUs share one
# instruction counter), so a counter value read by a guest converts to
# instructions executed since QEMU started.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/common.sh
T=$O/bench
mkdir -p "$T"

echo "== hypervisor size"
"${CROSS:-aarch64-linux-gnu-}size" "$O/bulkhead.elf"

echo "== boot: QEMU start to the first guest instruction"
# Two bare-metal partitions (hello-pair.dts), then one (hello-one.dts).
pack tests/configs/good/hello-one.dts "$T/one.img" || exit 1
run_qemu "$T/one.img" "$T/boot-one.log" 120
pack tests/configs/good/hello-pair.dts "$T/demo.img" || exit 1
run_qemu "$T/demo.img" "$T/boot.log" 120
freq=$(sed -n 's/.*timer: \([0-9]*\) Hz.*/\1/p' "$T/boot.log")
for pl in alpha:boot beta:boot solo:boot-one; do
	p=${pl%%:*} log=$T/${pl#*:}.log
	c=$(sed -n "s/^\[$p\] hello: first-instruction counter \([0-9]*\).*/\1/p" "$log")
	if [ -n "$c" ] && [ -n "$freq" ]; then
		echo "boot: partition $p: first instruction after $((c * 1000000000 / freq)) instructions (counter $c at $freq Hz)"
	else
		echo "boot: partition $p: no figure (see $log)"
	fi
done

# The bench guest alone (tests/configs/good/bench.dts): a trapped MMIO read
# against a RAM read, and the virtual timer's deadline to the guest's IRQ
# handler; and, with QEMU's pl031 RTC passed through (checked against
# QEMU's board tree, $BOARD_DTB), its write of the RTC's match register,
# which raises the RTC's physical SPI at once, to its IRQ handler. Counter
# ticks convert to instructions at 1e9 / freq each.
echo "== bench guest: trapped MMIO read, virtual and passed-through interrupt latency"
. tests/lib/bench_guest.sh
echo "== the same bench guest on a GICv2 (QEMU virt gic-version=2; its vGICv2, same hypervisor image)"
TEST_GIC=2 T="$T/gicv2" bash -c '. tests/lib/common.sh; mkdir -p "$T"; . tests/lib/bench_guest.sh' | sed 's/^/gicv2 /'

# Interference (docs/latency.md): the bench vCPU's own instructions on each
# path, alone and while two Linux partitions run a disk and network storm
# (tests/configs/good/storm.dts: the bench guest on the same CPU as in
# bench.dts, started 5 s of virtual time late). Not the guest's counter:
# under -icount QEMU runs the CPUs in turn and the counter counts every
# CPU's instructions. QEMU's plugin tests/lib/vcpu_paths.c counts each
# CPU's own, between the bench guest's markers and the hypervisor's vector
# entries (found by the symbol hv_vectors, so changes to the paths do not
# break it):
#   mmio: a trapped read of the vPL011's flag register, from the guest's
#         load to the instruction after it (the load and all of EL2);
#   virq: from the virtual timer's physical IRQ entering EL2 to the first
#         instruction of the guest's IRQ handler;
#   spi:  the same for the passed-through pl031's SPI.
# The storm run ends when the bench guest is done (the storm never ends):
# QEMU is stopped with SIGTERM, and the plugin writes its report at exit.
echo "== interference: the bench vCPU's own instructions per path, alone and beside a disk and network storm"
PLUGIN=$O/plugin/vcpu_paths.so
BENCH_CPU=1 # the bench partition's CPU in bench.dts and storm.dts
vec=$("${CROSS:-aarch64-linux-gnu-}nm" "$O/bulkhead.elf" | awk '$3 == "hv_vectors" { print "0x" $1 }')
# run_qemu_until IMAGE LOG TEXT SECONDS: boot IMAGE until LOG has TEXT (or
# QEMU exits, or SECONDS pass), then stop QEMU cleanly.
run_qemu_until() {
	local img=$1 log=$2 text=$3 secs=$4 pid i
	# shellcheck disable=SC2086 # QEMU_EXTRA: more flags, word-split
	"$QEMU" "${QEMU_BASE_FLAGS[@]}" ${QEMU_EXTRA:-} -kernel "$img" </dev/null >"$log" 2>&1 &
	pid=$!
	for ((i = 0; i < secs; i++)); do
		sleep 1
		grep -qF -- "$text" "$log" && break
		kill -0 "$pid" 2>/dev/null || break
	done
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 20; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.5
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
# stat FILE PHASE: "n min avg max multi" of the bench CPU's samples in PHASE
# (1 ram, 2 mmio, 3 virq, 4 spi: tests/guests/bench/bench.c)
pstat() {
	awk -v c="$BENCH_CPU" -v p="$2" '$1 == "vcpu-paths:" && $3 == c && $4 == "phase" && $5 == p &&
		$6 == "path" { print $9, $11, $13, $15, $17; exit }' "$1"
}
if [ ! -f "$PLUGIN" ] || [ -z "$vec" ]; then
	echo "interference: no figure (no $PLUGIN, or no hv_vectors in $O/bulkhead.elf)"
else
	PLUGIN_ARG="-plugin $PLUGIN,vectors=$vec,out"
	QEMU_EXTRA="$PLUGIN_ARG=$T/paths-alone.txt" run_qemu "$T/bench.img" "$T/intf-alone.log" 120
	pack tests/configs/good/storm.dts "$T/storm.img" || exit 1
	# The physical disk: QEMU's null block driver, as for the virtio-blk figures.
	QEMU_EXTRA="-global virtio-mmio.force-legacy=false -blockdev driver=null-co,node-name=d0,size=67108864,read-zeroes=on -device virtio-blk-device,drive=d0 $PLUGIN_ARG=$T/paths-storm.txt" \
		run_qemu_until "$T/storm.img" "$T/intf-storm.log" "bench: done" 600
	grep -h "vcpu-paths: error" "$T/paths-alone.txt" "$T/paths-storm.txt" 2>/dev/null
	# The storm ran before the bench started: each Linux partition's
	# "storm running" counter before the bench's start.
	bstart=$(sed -n 's/.*bench: started after [0-9]* ms, counter \([0-9]*\).*/\1/p' "$T/intf-storm.log")
	sstart=$(sed -n 's/.*bulkhead-linux: storm running counter=\([0-9]*\).*/\1/p' "$T/intf-storm.log" | sort -n | tail -1)
	nstorm=$(grep -c "bulkhead-linux: storm running" "$T/intf-storm.log")
	if [ -n "$bstart" ] && [ -n "$sstart" ] && [ "$nstorm" -eq 2 ] && [ "$sstart" -lt "$bstart" ]; then
		echo "interference: storm running in both Linux partitions from counter $sstart; bench started at $bstart"
	else
		echo "interference: the storm was not running when the bench started (storm lines $nstorm," \
			"last at counter ${sstart:-none}, bench at ${bstart:-none}): see $T/intf-storm.log"
	fi
	worst=""
	for pp in "mmio 2 trapped vPL011 read, the load to the next instruction" \
		"virq 3 virtual timer, physical IRQ at EL2 to the guest handler" \
		"spi 4 passed-through pl031 SPI, physical IRQ at EL2 to the guest handler"; do
		read -r name ph what <<<"$pp"
		read -r an amin aavg amax amulti < <(pstat "$T/paths-alone.txt" "$ph")
		read -r sn smin savg smax smulti < <(pstat "$T/paths-storm.txt" "$ph")
		if [ -z "${an:-}" ] || [ -z "${sn:-}" ] || [ "$an" -eq 0 ] || [ "$sn" -eq 0 ]; then
			echo "interference: $name: no figure (see $T/paths-alone.txt, $T/paths-storm.txt)"
			continue
		fi
		awk -v n="$name" -v w="$what" -v an="$an" -v amin="$amin" -v aavg="$aavg" -v amax="$amax" \
			-v am="$amulti" -v sn="$sn" -v smin="$smin" -v savg="$savg" -v smax="$smax" -v sm="$smulti" 'BEGIN {
			printf "interference: %s (%s): alone min %d avg %.1f max %d, storm min %d avg %.1f max %d instructions" \
				" (%d and %d samples, %d and %d with another EL2 entry): avg x%.3f, max x%.3f (limit x1.05)\n",
				n, w, amin, aavg, amax, smin, savg, smax, an, sn, am, sm, savg / aavg, smax / amax }'
		worst="$worst $name $((amax > smax ? amax : smax))"
	done
	# What the other CPUs did while the bench measured (phases 2-4): the
	# storm's instructions and EL2 entries; and the bench CPU's WFEs (a
	# contended hypervisor lock: QEMU ends a CPU's turn at each).
	awk -v c="$BENCH_CPU" '$1 == "vcpu-paths:" && $3 == c && $4 == "phase" && $5 >= 2 && $5 <= 4 && $6 == "cpu" {
		i[$7] += $9; e[$7] += $11; f[$7] += $13; if ($7 + 0 > m) m = $7 + 0 }
		END { printf "interference: during the bench'"'"'s mmio, virq and spi measurements under the storm:"
			for (w = 0; w <= m; w++)
				printf " cpu %d %d instructions, %d EL2 entries, %d WFE%s", w, i[w], e[w], f[w], w < m ? ";" : "\n" }' \
		"$T/paths-storm.txt"
	# The guest's own counter under the storm (every CPU's instructions):
	# what the bench guest would report, against its run alone.
	read -r bf < <(sed -n 's/.*bench: counter frequency \([0-9]*\) Hz.*/\1/p' "$T/intf-storm.log")
	cnt() { # LOG: reads mmio-ticks ram-ticks virq-n virq-max virq-total spi-n spi-max spi-total
		local m r v s
		m=$(sed -n 's/.*bench: mmio-read \([0-9]*\) reads ticks \([0-9]*\).*/\1 \2/p' "$1")
		r=$(sed -n 's/.*bench: ram-read [0-9]* reads ticks \([0-9]*\).*/\1/p' "$1")
		v=$(sed -n 's/.*bench: virq-latency \([0-9]*\) irqs min [0-9]* max \([0-9]*\) total \([0-9]*\) ticks.*/\1 \2 \3/p' "$1")
		s=$(sed -n 's/.*bench: spi-latency \([0-9]*\) irqs min [0-9]* max \([0-9]*\) total \([0-9]*\) ticks.*/\1 \2 \3/p' "$1")
		echo "$m $r $v $s"
	}
	read -r -a ca < <(cnt "$T/intf-alone.log")
	read -r -a cs < <(cnt "$T/intf-storm.log")
	if [ "${#ca[@]}" -eq 9 ] && [ "${#cs[@]}" -eq 9 ] && [ -n "${bf:-}" ]; then
		awk -v f="$bf" -v a="${ca[*]:1}" -v s="${cs[*]:1}" -v n="${cs[0]}" 'BEGIN {
			split(a, x, " "); split(s, y, " "); k = 1e9 / f
			printf "interference: the guest'"'"'s counter (every CPU'"'"'s instructions) under the storm against alone:" \
				" mmio %.0f/%.0f (x%.1f), virq avg %.0f/%.0f (x%.1f) max %.0f/%.0f (x%.1f), spi avg %.0f/%.0f (x%.1f) max %.0f/%.0f (x%.1f)\n",
				(y[1] - y[2]) * k / n, (x[1] - x[2]) * k / n, (y[1] - y[2]) / (x[1] - x[2]),
				y[5] * k / y[3], x[5] * k / x[3], (y[5] / y[3]) / (x[5] / x[3]),
				y[4] * k, x[4] * k, y[4] / x[4],
				y[8] * k / y[6], x[8] * k / x[6], (y[8] / y[6]) / (x[8] / x[6]),
				y[7] * k, x[7] * k, y[7] / x[7] }'
	fi
	[ -z "$worst" ] || echo "interference: worst case of the bench vCPU's own instructions (alone or storm):$worst"
fi

echo "== Linux boot: QEMU start to the first userspace line, under the hypervisor and native"
L=$CACHE/linux
pack tests/configs/good/linux-bench.dts "$T/linux-bench.img" || exit 1
run_qemu "$T/linux-bench.img" "$T/linux-hv.log" 900
hv=$(sed -n 's/.*boot marker counter=\([0-9]*\).*/\1/p' "$T/linux-hv.log" | head -1)
# Native: the same kernel, initramfs and flags straight on QEMU, one CPU and
# 256 MiB like the partition (no EL2, so Linux does not start KVM).
NATIVE_FLAGS=()
for f in "${QEMU_BASE_FLAGS[@]}"; do
	case $f in
	virt,virtualization=on,*) f=virt,${f#virt,virtualization=on,} ;;
	esac
	NATIVE_FLAGS+=("$f")
done
timeout -k 5 900 "$QEMU" "${NATIVE_FLAGS[@]}" -smp 1 -m 256 -kernel "$L/Image" -initrd "$L/initrd.cpio.gz" \
	-append "console=ttyAMA0 panic=-1 bulkhead.bench=1 bulkhead.name=native" </dev/null >"$T/linux-native.log" 2>&1
native=$(sed -n 's/.*boot marker counter=\([0-9]*\).*/\1/p' "$T/linux-native.log" | head -1)
if [ -n "$hv" ] && [ -n "$native" ]; then
	awk -v h="$hv" -v n="$native" -v f="${freq:-62500000}" 'BEGIN {
		printf "linux-boot: %.0f instructions under the hypervisor, %.0f native: ratio %.3f\n",
			h * 1e9 / f, n * 1e9 / f, h / n }'
else
	echo "linux-boot: no figure (see $T/linux-hv.log, $T/linux-native.log)"
fi

echo "== virtio-rng: 1 MiB from /dev/hwrng, under the hypervisor and on QEMU's own virtio-rng-device"
pack tests/configs/good/rng-bench.dts "$T/rng-bench.img" || exit 1
run_qemu "$T/rng-bench.img" "$T/rng-hv.log" 900
timeout -k 5 900 "$QEMU" "${NATIVE_FLAGS[@]}" -smp 1 -m 256 -kernel "$L/Image" -initrd "$L/initrd.cpio.gz" \
	-global virtio-mmio.force-legacy=false -device virtio-rng-device \
	-append "console=ttyAMA0 panic=-1 bulkhead.rngbench=1 bulkhead.name=native" </dev/null >"$T/rng-native.log" 2>&1
rh=$(sed -n 's/.*rng-bench rng=\([^ ]*\) bytes=1048576 ticks=\([0-9]*\).*/\1 \2/p' "$T/rng-hv.log" | head -1)
rn=$(sed -n 's/.*rng-bench rng=\([^ ]*\) bytes=1048576 ticks=\([0-9]*\).*/\1 \2/p' "$T/rng-native.log" | head -1)
if [ -n "$rh" ] && [ -n "$rn" ]; then
	awk -v h="$rh" -v n="$rn" -v f="${freq:-62500000}" 'BEGIN {
		split(h, a, " "); split(n, b, " ")
		hi = a[2] * 1e9 / f / 1024; ni = b[2] * 1e9 / f / 1024
		printf "virtio-rng: %.0f instructions per KiB under the hypervisor (%s), %.0f on QEMU'"'"'s device (%s): ratio %.3f\n",
			hi, a[1], ni, b[1], hi / ni }'
else
	echo "virtio-rng: no figure (see $T/rng-hv.log, $T/rng-native.log)"
fi

echo "== virtio-blk: O_DIRECT dd, 4 KiB and 1 MiB blocks, under the hypervisor and on QEMU's own virtio-blk-device"
# The physical disk is QEMU's null block driver (reads give zeroes, writes
# are dropped, no host I/O): what is measured is the path through the
# devices, not the host's disk. A guest that waits for I/O lets icount's
# clock jump to its next timer, so host I/O time would show as
# instructions, and differently from run to run.
# Both guests get 512 MiB (blk-bench.dts, -m 512): with 256 MiB, where the
# kernel's CMA area lands (RAM starts at 0x50000000 in the partition,
# 0x40000000 on QEMU) left dd's 1 MiB buffer in 256 separate pages in the
# partition and in fewer, longer runs natively, so each 1 MiB read was two
# requests (254 + 2 segments) in the partition and one natively: a
# difference of the guests' page allocation, 12% of the 1 MiB figures,
# not of the devices (docs/performance.md).
DISK_DEV="-global virtio-mmio.force-legacy=false -blockdev driver=null-co,node-name=d0,size=67108864,read-zeroes=on -device virtio-blk-device,drive=d0"
pack tests/configs/good/blk-bench.dts "$T/blk-bench-hv.img" || exit 1
QEMU_EXTRA="$DISK_DEV" run_qemu "$T/blk-bench-hv.img" "$T/blk-hv.log" 900
# shellcheck disable=SC2086 # DISK_DEV: flags, word-split
timeout -k 5 900 "$QEMU" "${NATIVE_FLAGS[@]}" -smp 1 -m 512 -kernel "$L/Image" -initrd "$L/initrd.cpio.gz" \
	$DISK_DEV \
	-append "console=ttyAMA0 panic=-1 bulkhead.blkbench=1 bulkhead.name=native" </dev/null >"$T/blk-native.log" 2>&1
bh=$(sed -n 's/.*blk-bench \(w4k=.*\)/\1/p' "$T/blk-hv.log" | head -1 | tr -d '\r')
bn=$(sed -n 's/.*blk-bench \(w4k=.*\)/\1/p' "$T/blk-native.log" | head -1 | tr -d '\r')
if [ -n "$bh" ] && [ -n "$bn" ]; then
	awk -v h="$bh" -v n="$bn" -v f="${freq:-62500000}" 'BEGIN {
		split(h, a, "[ =]"); split(n, b, "[ =]")
		# a[2] w4k, a[4] r4k, a[6] w1m, a[8] r1m (ticks)
		split("write 4KiB,read 4KiB,write 1MiB,read 1MiB", what, ",")
		for (i = 1; i <= 4; i++) {
			hi = a[2 * i] * 1e9 / f; ni = b[2 * i] * 1e9 / f
			if (i <= 2) { per = 256; unit = "per 4 KiB request"; mib = 1 }
			else { per = 16; unit = "per 1 MiB block"; mib = 16 }
			printf "virtio-blk %s: %.0f instructions %s (%.0f per MiB) under the hypervisor, %.0f (%.0f per MiB) on QEMU'"'"'s device: ratio %.3f\n",
				what[i], hi / per, unit, hi / mib, ni / per, ni / mib, hi / ni
		}
	}'
else
	echo "virtio-blk: no figure (see $T/blk-hv.log, $T/blk-native.log)"
fi

echo "== virtio-net: 4 MiB over TCP between two partitions; 4 MiB from the host through the uplink, against QEMU's own virtio-net-device"
# The host's side of the uplink figure: a server that sends 4 MiB to each
# connection (QEMU's user network maps the guest's 10.0.2.2:47123 to it).
"${PY:-python3}" - <<'PYEOF' &
import socket, threading, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 47123)); s.listen(4); s.settimeout(1200)
def serve(c):
    c.sendall(bytes(4 << 20)); c.close()
for _ in range(2):
    try:
        c, _a = s.accept()
    except OSError:
        break
    threading.Thread(target=serve, args=(c,)).start()
time.sleep(2)
PYEOF
srv=$!
# Each figure in a run of its own: the counter counts every CPU.
pack tests/configs/good/net-bench.dts "$T/net-bench-hv.img" || exit 1
run_qemu "$T/net-bench-hv.img" "$T/net-hv.log" 900
pack tests/configs/good/net-uplink.dts "$T/net-uplink-hv.img" || exit 1
QEMU_EXTRA="-global virtio-mmio.force-legacy=false -netdev user,id=n0 -device virtio-net-device,netdev=n0" \
	run_qemu "$T/net-uplink-hv.img" "$T/net-uplink-hv.log" 900
timeout -k 5 900 "$QEMU" "${NATIVE_FLAGS[@]}" -smp 1 -m 256 -kernel "$L/Image" -initrd "$L/initrd.cpio.gz" \
	-global virtio-mmio.force-legacy=false -netdev user,id=n0 -device virtio-net-device,netdev=n0 \
	-append "console=ttyAMA0 panic=-1 bulkhead.ip=10.0.2.15 bulkhead.netbench=uplink:10.0.2.2:47123 bulkhead.name=native" \
	</dev/null >"$T/net-native.log" 2>&1
kill "$srv" 2>/dev/null
read -r pb pt < <(sed -n 's/.*net-bench received bytes=\([0-9]*\) ticks=\([0-9]*\).*/\1 \2/p' "$T/net-hv.log" | head -1)
if [ -n "${pt:-}" ] && [ "${pb:-0}" -gt 0 ]; then
	awk -v t="$pt" -v n="$pb" -v f="${freq:-62500000}" 'BEGIN {
		printf "virtio-net partition to partition: %.0f instructions per MiB over TCP (%d bytes)\n",
			t * 1e9 / f / (n / 1048576), n }'
else
	echo "virtio-net partition to partition: no figure (see $T/net-hv.log)"
fi
uh=$(sed -n 's/.*net-bench uplink bytes=\([0-9]*\) ticks=\([0-9]*\).*/\1 \2/p' "$T/net-uplink-hv.log" | head -1)
un=$(sed -n 's/.*net-bench uplink bytes=\([0-9]*\) ticks=\([0-9]*\).*/\1 \2/p' "$T/net-native.log" | head -1)
if [ -n "$uh" ] && [ -n "$un" ]; then
	awk -v h="$uh" -v n="$un" -v f="${freq:-62500000}" 'BEGIN {
		split(h, a, " "); split(n, b, " ")
		hi = a[2] * 1e9 / f / (a[1] / 1048576); ni = b[2] * 1e9 / f / (b[1] / 1048576)
		printf "virtio-net uplink: %.0f instructions per MiB under the hypervisor, %.0f on QEMU'"'"'s device: ratio %.3f (%d and %d bytes)\n",
			hi, ni, hi / ni, a[1], b[1] }'
else
	echo "virtio-net uplink: no figure (see $T/net-uplink-hv.log, $T/net-native.log)"
fi

echo "== virtio-iommu: virtio-blk O_DIRECT dd behind the IOMMU, strict and lazy, against no IOMMU"
# Debian's 6.12 kernel in each of the three runs (the 6.1 one has no
# virtio-iommu driver), the same disk as the virtio-blk figures. Strict:
# every unmap is a request to the IOMMU at once; lazy (iommu.strict=0):
# unmaps are batched. Each 4 KiB request costs Linux a MAP and an UNMAP
# round trip (strict) on top of the disk's own.
B=tests/configs/good/blk-bench-iommu.dts
sed 's/iommu.strict=1/iommu.strict=0/' "$B" >"$T/blk-iommu-lazy.dts"
sed '/virtio-iommu {/,/};/d; s/ iommu.strict=1//' "$B" >"$T/blk-iommu-off.dts"
for v in strict lazy off; do
	f=$T/blk-iommu-$v.dts
	[ $v = strict ] && f=$B
	pack "$f" "$T/blk-iommu-$v.img" || exit 1
	QEMU_EXTRA="$DISK_DEV" run_qemu "$T/blk-iommu-$v.img" "$T/blk-iommu-$v.log" 900
done
bo=$(sed -n 's/.*blk-bench \(w4k=.*\)/\1/p' "$T/blk-iommu-off.log" | head -1 | tr -d '\r')
for v in strict lazy; do
	bi=$(sed -n 's/.*blk-bench \(w4k=.*\)/\1/p' "$T/blk-iommu-$v.log" | head -1 | tr -d '\r')
	if [ -n "$bi" ] && [ -n "$bo" ]; then
		awk -v h="$bi" -v n="$bo" -v v="$v" -v f="${freq:-62500000}" 'BEGIN {
			split(h, a, "[ =]"); split(n, b, "[ =]")
			split("write 4KiB,read 4KiB,write 1MiB,read 1MiB", what, ",")
			for (i = 1; i <= 4; i++) {
				hi = a[2 * i] * 1e9 / f; ni = b[2 * i] * 1e9 / f
				per = i <= 2 ? 256 : 16
				printf "virtio-iommu %s, virtio-blk %s: %.0f instructions per request with the IOMMU, %.0f without: ratio %.3f\n",
					v, what[i], hi / per, ni / per, hi / ni
			}
		}'
	else
		echo "virtio-iommu $v: no figure (see $T/blk-iommu-$v.log, $T/blk-iommu-off.log)"
	fi
done

echo "== virtio-scmi: synchronous SENSOR_READING_GET round trips as a bare-metal driver sees them"
# tests/guests/scmiattack alone (scmi-bench.dts): 1000 reads of its one
# sensor, each a request on the command queue, the platform's answer and
# the used entry; against 1000 trapped reads of a device register in the
# same run (the floor of any round trip: one exit and return).
pack tests/configs/good/scmi-bench.dts "$T/scmi-bench.img" || exit 1
run_qemu "$T/scmi-bench.img" "$T/scmi-bench.log" 300
read -r st sn smt < <(sed -n 's/.*scmiattack: bench reading_get ticks=\([0-9]*\) n=\([0-9]*\) mmio_ticks=\([0-9]*\).*/\1 \2 \3/p' "$T/scmi-bench.log" | head -1)
if [ -n "${st:-}" ] && [ "${sn:-0}" -gt 0 ]; then
	awk -v t="$st" -v n="$sn" -v m="$smt" -v f="${freq:-62500000}" 'BEGIN {
		per = t * 1e9 / f / n; mm = m * 1e9 / f / 1000
		printf "virtio-scmi: %.0f instructions per synchronous READING_GET round trip (%d reads), %.0f per trapped virtio register read in the same run: ratio %.1f\n", per, n, mm, per / mm }'
else
	echo "virtio-scmi: no figure (see $T/scmi-bench.log)"
fi

echo "== virtio-gpu: full-screen flushes (1280x800, 32 bpp), under the hypervisor and on QEMU's own virtio-gpu-device"
# Debian's 6.1 kernel and drmdraw (bulkhead.gpubench=1): 20 DIRTYFBs of
# the whole frame, each a TRANSFER_TO_HOST_2D and a RESOURCE_FLUSH of it,
# the least of five rounds. Under the hypervisor (gpu-bench.dts) the
# partition's window is the whole ramfb display: the transfer copies the
# guest's pixels into the resource, the flush into the window's shadow and
# the display. QEMU's device does its copies in host code, which the
# instruction count does not see, and answers from its main loop: the
# ratio is what the partition's CPU spends, not what the copies cost.
pack tests/configs/good/gpu-bench.dts "$T/gpu-bench.img" || exit 1
QEMU_EXTRA="-device ramfb" run_qemu "$T/gpu-bench.img" "$T/gpu-hv.log" 900
timeout -k 5 900 "$QEMU" "${NATIVE_FLAGS[@]}" -smp 1 -m 256 -kernel "$L/Image" -initrd "$L/initrd.cpio.gz" \
	-global virtio-mmio.force-legacy=false -device virtio-gpu-device,xres=1280,yres=800 \
	-append "console=ttyAMA0 panic=-1 bulkhead.gpubench=1 bulkhead.name=native" </dev/null >"$T/gpu-native.log" 2>&1
gh=$(sed -n 's/.*drmdraw: bench flushes=\([0-9]*\) ticks=\([0-9]*\).*/\1 \2/p' "$T/gpu-hv.log" | head -1)
gn=$(sed -n 's/.*drmdraw: bench flushes=\([0-9]*\) ticks=\([0-9]*\).*/\1 \2/p' "$T/gpu-native.log" | head -1)
gmh=$(grep -o 'drmdraw: shown [0-9x]*' "$T/gpu-hv.log" | head -1)
gmn=$(grep -o 'drmdraw: shown [0-9x]*' "$T/gpu-native.log" | head -1)
if [ -n "$gh" ] && [ -n "$gn" ]; then
	awk -v h="$gh" -v n="$gn" -v f="${freq:-62500000}" -v mh="${gmh#drmdraw: shown }" -v mn="${gmn#drmdraw: shown }" 'BEGIN {
		split(h, a, " "); split(n, b, " ")
		hi = a[2] * 1e9 / f / a[1]; ni = b[2] * 1e9 / f / b[1]
		printf "virtio-gpu: %.0f instructions per full-screen flush under the hypervisor (%s), %.0f on QEMU'"'"'s device (%s): ratio %.2f\n",
			hi, mh, ni, mn, hi / ni }'
else
	echo "virtio-gpu: no figure (see $T/gpu-hv.log, $T/gpu-native.log)"
fi
