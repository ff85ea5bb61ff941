# The bench guest's figures (tests/lib/bench.sh): a trapped MMIO read against
# a RAM read, the virtual timer's deadline to the guest's IRQ handler, and
# a passed-through pl031's SPI to its handler, on the board common.sh gives
# (TEST_GIC=2: QEMU virt with a GICv2). Sourced, with T, pack and run_qemu.
pack tests/configs/good/bench.dts "$T/bench.img" || exit 1
run_qemu "$T/bench.img" "$T/bench.log" 120
rc=$?
bfreq=$(sed -n 's/.*bench: counter frequency \([0-9]*\) Hz.*/\1/p' "$T/bench.log")
[ -n "$bfreq" ] || bfreq=$(sed -n 's/.*timer: \([0-9]*\) Hz.*/\1/p' "$T/bench.log")
read -r mn mt < <(sed -n 's/.*bench: mmio-read \([0-9]*\) reads ticks \([0-9]*\).*/\1 \2/p' "$T/bench.log")
read -r rn rt < <(sed -n 's/.*bench: ram-read \([0-9]*\) reads ticks \([0-9]*\).*/\1 \2/p' "$T/bench.log")
read -r vn vmin vmax vtot < <(sed -n \
	's/.*bench: virq-latency \([0-9]*\) irqs min \([0-9]*\) max \([0-9]*\) total \([0-9]*\) ticks.*/\1 \2 \3 \4/p' \
	"$T/bench.log")
read -r sn smin smax stot slost sdisc < <(sed -n \
	's/.*bench: spi-latency \([0-9]*\) irqs min \([0-9]*\) max \([0-9]*\) total \([0-9]*\) ticks lost \([0-9]*\) discarded \([0-9]*\).*/\1 \2 \3 \4 \5 \6/p' \
	"$T/bench.log")
# ticks to instructions, rounded: ins TICKS [DIVISOR]
ins() { echo $(((${1} * 1000000000 + bfreq * ${2:-1} / 2) / (bfreq * ${2:-1}))); }
if [ -z "$bfreq" ] || [ "$bfreq" -eq 0 ]; then
	echo "bench: no counter frequency (QEMU exit $rc, see $T/bench.log)"
else
	# The vPL011 flag register, GICD_TYPER and a virtio-mmio register.
	for dev in "mmio vPL011 FR" "gicd GICD_TYPER" "virtio virtio-mmio Version"; do
		read -r key what <<<"$dev"
		label=$key
		[ "$key" = mmio ] && label=mmio-read || label=$key-read
		read -r xn xt < <(sed -n "s/.*bench: $label \([0-9]*\) reads ticks \([0-9]*\).*/\1 \2/p" "$T/bench.log")
		if [ -n "${xt:-}" ] && [ -n "${rt:-}" ] && [ "${xn:-0}" -gt 0 ] && [ "$xn" = "$rn" ]; then
			echo "$key: $(ins $((xt - rt)) "$xn") instructions per trapped 32-bit read of $what" \
				"(raw $(ins "$xt" "$xn") per read, ram baseline $(ins "$rt" "$xn");" \
				"$xn reads: $xt ticks, $rt ticks ram at $bfreq Hz)"
		else
			echo "$key: no figure (QEMU exit $rc, see $T/bench.log)"
		fi
		xn= xt=
	done
	if [ -n "${vn:-}" ] && [ "$vn" -gt 0 ]; then
		echo "virq: latency from timer deadline to guest IRQ handler:" \
			"min $(ins "$vmin") avg $(ins "$vtot" "$vn") max $(ins "$vmax") instructions" \
			"($vn interrupts; min $vmin avg $((vtot / vn)) max $vmax ticks," \
			"$((1000000000 / bfreq)) instructions per tick)"
	else
		echo "virq: no figure (QEMU exit $rc, see $T/bench.log)"
	fi
	if [ -n "${sn:-}" ] && [ "$sn" -gt 0 ]; then
		echo "spi: latency from a passed-through device's interrupt (pl031 match write) to guest IRQ handler:" \
			"min $(ins "$smin") avg $(ins "$stot" "$sn") max $(ins "$smax") instructions" \
			"($sn interrupts; min $smin avg $((stot / sn)) max $smax ticks)"
	else
		echo "spi: no figure (QEMU exit $rc, see $T/bench.log)"
	fi
	lost=$(sed -n 's/.*bench: virq lost \(.*\)/\1/p' "$T/bench.log")
	[ -z "$lost" ] || echo "virq: lost $lost"
	[ -z "${slost:-}" ] || echo "spi: lost $slost discarded $sdisc"
fi
