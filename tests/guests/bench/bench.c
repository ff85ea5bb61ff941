/* A benchmark, not a test (proves: no requirement; it asserts nothing). It
 * measures, with the virtual counter (CNTVCT_EL0), what the hypervisor
 * costs its guest:
 *  - the round trip of a trapped, emulated MMIO read (the vPL011 flag
 *    register), against the same loop reading RAM;
 *  - virtual interrupt latency: from the EL1 virtual timer's deadline
 *    (CNTV_CVAL_EL0) to the first instruction of the guest's IRQ handler,
 *    through the physical interrupt at EL2, the list register and the
 *    virtual CPU interface;
 *  - the same for a passed-through device, when the partition has QEMU
 *    virt's pl031 RTC (tests/configs/good/bench.dts gives it): from the
 *    guest's own write of the RTC's match register (stage-2 mapped, not
 *    trapped), which raises its physical SPI at once, to the guest's IRQ
 *    handler; without the RTC the probe of it aborts and it prints "none".
 * Results are printed as "bench: ..." lines for tests/lib/bench.sh, which
 * converts counter ticks to instructions (under -icount shift=0).
 *
 * The counter counts every CPU's instructions. For the instructions of
 * this vCPU's CPU alone, the guest marks its paths with HINT instructions
 * that execute as NOPs and that QEMU's plugin tests/lib/vcpu_paths.c
 * watches for (the table is there): a phase marker before each
 * measurement, a begin and end marker around each load of read_loop, and
 * a marker first thing in the IRQ handler (the plugin counts from the
 * physical IRQ's entry to EL2).
 *
 * With "bench.delay_ms=N" in its bootargs (tests/configs/good/storm.dts)
 * it waits N ms of virtual time in WFI before measuring: started beside
 * partitions that boot, it measures while they run. */
#include "../common/guest.h"
#include "../common/vtimer.h"

#define MMIO_READS 20000u
#define VIRQS 50u
#define VIRQ_DELAY 2000u /* counter ticks from arming to the deadline */

/* The pl031 RTC (ARM DDI 0224) as QEMU's virt places it: SPI 2, level. */
#define RTC_BASE 0x09010000UL
#define RTC_DR 0x00   /* data: the count, in seconds */
#define RTC_MR 0x04   /* match */
#define RTC_IMSC 0x10 /* interrupt mask set/clear: 1 = enabled */
#define RTC_ICR 0x1c  /* interrupt clear */
#define RTC_PERIPHID0 0xfe0
#define RTC_INTID 34u

static uint32_t ram_word;

/* Markers for tests/lib/vcpu_paths.c (unallocated HINTs: NOPs). The
 * wait marker is in each loop that waits for an interrupt: an interrupt
 * taken before it is not the one waited for. */
#define MARK_WAIT() __asm__ volatile("hint #123" ::: "memory")
#define MARK_STR_(x) #x
#define MARK_STR(x) MARK_STR_(x)
#define MARK_PHASE(k) __asm__ volatile("hint #(112 + " MARK_STR(k) ")" ::: "memory")
#define PHASE_NONE 0
#define PHASE_RAM 1
#define PHASE_MMIO 2
#define PHASE_VIRQ 3
#define PHASE_SPI 4
#define PHASE_GICD 5
#define PHASE_VIRTIO 6

/* The emulated GIC distributor's GICD_TYPER, and the Version register of
 * the partition's virtio-mmio device (tests/configs/good/bench.dts gives a
 * virtio-rng; the layout puts the first slot at 0x0a000000). */
#define GICD_TYPER_ADDR 0x08000004UL
#define VIRTIO_BASE 0x0a000000UL
#define VIRTIO_MAGIC 0x74726976u /* "virt" */

/* n 32-bit loads from addr, in a loop whose code does not depend on addr,
 * so the RAM run is the exact baseline of the MMIO run. Returns ticks. */
static uint64_t read_loop(uintptr_t addr, uint64_t n)
{
	uint64_t t0, t1, tmp;

	t0 = counter();
	__asm__ volatile("1:	hint	#120\n" /* mark begin */
			 "	ldr	%w0, [%2]\n"
			 "	hint	#121\n" /* mark end */
			 "	subs	%1, %1, #1\n"
			 "	b.ne	1b\n"
			 : "=&r"(tmp), "+r"(n)
			 : "r"(addr)
			 : "memory", "cc");
	t1 = counter();
	return t1 - t0;
}

/* ---- virtual timer interrupts ---- */

static volatile uint64_t deadline, entry_counter, handled, spurious, other;
static volatile uint64_t rtc_counter, rtc_handled;

void guest_irq(void)
{
	uint64_t now;

	__asm__ volatile("hint #122" ::: "memory"); /* handler marker */
	now = counter(); /* first thing: the latency's end */
	uint64_t iar = gic_ack();
	uint32_t intid = gic_intid(iar);

	if (intid >= 1020) {
		spurious++;
		return;
	}
	if (intid == PPI_VTIMER) {
		sysreg_write(cntv_ctl_el0, CNTV_CTL_IMASK);
		__asm__ volatile("isb");
		entry_counter = now;
		handled++;
	} else if (intid == RTC_INTID) {
		/* Level-triggered: the device's line low before the EOI. */
		mmio_write32(RTC_BASE + RTC_ICR, 1);
		barrier();
		rtc_counter = now;
		rtc_handled++;
	} else {
		other++;
	}
	gic_eoi(iar);
}

struct lat {
	uint64_t n, min, max, total, lost, discarded;
};

static void lat_add(struct lat *l, uint64_t d)
{
	l->n++;
	l->total += d;
	if (d < l->min)
		l->min = d;
	if (d > l->max)
		l->max = d;
}

static void virq_latency(struct lat *l)
{
	*l = (struct lat){ .min = ~0ULL };
	for (unsigned i = 0; i < VIRQS; i++) {
		uint64_t before = handled, spins = 0;

		deadline = counter() + VIRQ_DELAY;
		sysreg_write(cntv_cval_el0, deadline);
		sysreg_write(cntv_ctl_el0, CNTV_CTL_ENABLE);
		__asm__ volatile("isb");
		while (handled == before && spins++ < 100000000ULL) {
			MARK_WAIT();
			__asm__ volatile("yield" : : : "memory");
		}
		if (handled == before) {
			sysreg_write(cntv_ctl_el0, 0);
			l->lost++;
			continue;
		}
		lat_add(l, entry_counter - deadline);
	}
}

/* ---- a passed-through device's interrupt: the pl031's match ---- */

/* The RTC is there: its first ID register reads as a pl031's, without an
 * abort (the hypervisor's answer to a page the partition was not given). */
static int rtc_present(void)
{
	uint64_t before = n_exceptions;
	uint32_t id = mmio_read32(RTC_BASE + RTC_PERIPHID0);

	if (n_exceptions != before) {
		n_exceptions = before; /* the answer looked for, not a fault to report */
		return 0;
	}
	return (id & 0xff) == 0x31;
}

/* VIRQS samples: the match register set to the count just read raises the
 * interrupt at once (QEMU's pl031 compares when MR is written). A sample
 * where the count moved on between the read and the write (no interrupt:
 * the match is in the past) is discarded and taken again. An interrupt
 * not there after a million YIELDs (a thousand times its latency) is
 * lost. */
static void spi_latency(struct lat *l)
{
	*l = (struct lat){ .min = ~0ULL };
	while (l->n + l->lost < VIRQS && l->discarded < VIRQS) {
		uint64_t before = rtc_handled, spins = 0, t0;
		uint32_t count = mmio_read32(RTC_BASE + RTC_DR);

		t0 = counter();
		mmio_write32(RTC_BASE + RTC_MR, count);
		while (rtc_handled == before && spins++ < 1000000ULL) {
			MARK_WAIT();
			__asm__ volatile("yield" : : : "memory");
		}
		if (rtc_handled != before)
			lat_add(l, rtc_counter - t0);
		else if (mmio_read32(RTC_BASE + RTC_DR) != count)
			l->discarded++;
		else
			l->lost++;
	}
}

/* ---- the start delay: bench.delay_ms=N in /chosen/bootargs ---- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* N of "bench.delay_ms=N" in the bootargs of the device tree at fdt, or 0.
 * A plain walk of the structure block (the hypervisor wrote the tree; it is
 * trusted here): the first property named "bootargs". */
static uint64_t delay_ms(uintptr_t fdt)
{
	static const char key[] = "bench.delay_ms=";
	const uint8_t *h = (const uint8_t *)fdt, *p, *end;
	const char *strings;

	if (!fdt || be32(h) != 0xd00dfeedu)
		return 0;
	p = h + be32(h + 8);
	end = p + be32(h + 36);
	strings = (const char *)h + be32(h + 12);
	while (p + 4 <= end) {
		uint32_t tok = be32(p);

		p += 4;
		if (tok == 1) { /* FDT_BEGIN_NODE: a name, padded */
			while (p < end && *p)
				p++;
			p = (const uint8_t *)(((uintptr_t)p + 4) & ~(uintptr_t)3);
		} else if (tok == 3) { /* FDT_PROP: len, nameoff, value */
			uint32_t len = be32(p), name = be32(p + 4);
			const char *v = (const char *)p + 8, *n = strings + name;

			p += 8 + ((len + 3) & ~3u);
			if (n[0] != 'b' || n[1] != 'o' || n[2] != 'o' || n[3] != 't' || n[4] != 'a' ||
			    n[5] != 'r' || n[6] != 'g' || n[7] != 's' || n[8])
				continue;
			for (uint32_t i = 0; i + sizeof(key) - 1 <= len; i++) {
				uint32_t k = 0;
				uint64_t ms = 0;

				while (k < sizeof(key) - 1 && v[i + k] == key[k])
					k++;
				if (k < sizeof(key) - 1)
					continue;
				for (i += k; i < len && v[i] >= '0' && v[i] <= '9'; i++)
					ms = ms * 10 + (uint64_t)(v[i] - '0');
				return ms;
			}
			return 0;
		} else if (tok != 2 && tok != 4) { /* not END_NODE or NOP: END */
			return 0;
		}
	}
	return 0;
}

/* Sleep ms of virtual time: WFI until the virtual timer's interrupt at the
 * deadline has been handled (after gic_enable_vtimer()). */
static void start_delay(uint64_t ms)
{
	uint64_t end = counter() + ms * (sysreg_read(cntfrq_el0) / 1000), before = handled;

	sysreg_write(cntv_cval_el0, end);
	sysreg_write(cntv_ctl_el0, CNTV_CTL_ENABLE);
	__asm__ volatile("isb; msr daifclr, #2" ::: "memory");
	while (handled == before)
		__asm__ volatile("wfi" ::: "memory");
	__asm__ volatile("msr daifset, #2" ::: "memory");
	sysreg_write(cntv_ctl_el0, 0);
	__asm__ volatile("isb");
}

void guest_main(uint64_t x0, uint64_t first_counter)
{
	uint64_t mmio, gicd, vio = 0, ram, delay = delay_ms(x0), started = 0;
	int virtio;
	struct lat l, spi = { 0 };
	int rtc;
	(void)first_counter;

	if (delay) {
		gic_enable_vtimer();
		start_delay(delay);
		started = counter();
	}
	/* Measure first, print afterwards: console output is work for the
	 * hypervisor that could land inside a measurement. */
	MARK_PHASE(PHASE_RAM);
	ram = read_loop((uintptr_t)&ram_word, MMIO_READS);
	MARK_PHASE(PHASE_MMIO);
	mmio = read_loop(UART_BASE + 0x18, MMIO_READS);
	MARK_PHASE(PHASE_GICD);
	gicd = read_loop(GICD_TYPER_ADDR, MMIO_READS);
	MARK_PHASE(PHASE_NONE);
	virtio = mmio_read32(VIRTIO_BASE) == VIRTIO_MAGIC;
	if (virtio) {
		MARK_PHASE(PHASE_VIRTIO);
		vio = read_loop(VIRTIO_BASE + 4, MMIO_READS);
		MARK_PHASE(PHASE_NONE);
	}
	gic_enable_vtimer();
	__asm__ volatile("msr daifclr, #2" : : : "memory");
	MARK_PHASE(PHASE_VIRQ);
	virq_latency(&l);
	MARK_PHASE(PHASE_NONE);
	rtc = rtc_present();
	if (rtc) {
		mmio_write32(RTC_BASE + RTC_ICR, 1);
		mmio_write32(RTC_BASE + RTC_IMSC, 1);
		gic_enable_spi(RTC_INTID);
		MARK_PHASE(PHASE_SPI);
		spi_latency(&spi);
		MARK_PHASE(PHASE_NONE);
		mmio_write32(RTC_BASE + RTC_IMSC, 0);
	}
	__asm__ volatile("msr daifset, #2" : : : "memory");

	/* A line printed before measuring would arm the console's flush
	 * timer on this CPU (the partition has the console's focus): its
	 * interrupt would land in a measurement. */
	if (delay) {
		puts_("bench: started after ");
		put_dec(delay);
		puts_(" ms, counter ");
		put_dec(started);
		puts_("\n");
	}
	puts_("bench: counter frequency ");
	put_dec(sysreg_read(cntfrq_el0));
	puts_(" Hz\nbench: mmio-read ");
	put_dec(MMIO_READS);
	puts_(" reads ticks ");
	put_dec(mmio);
	puts_("\nbench: gicd-read ");
	put_dec(MMIO_READS);
	puts_(" reads ticks ");
	put_dec(gicd);
	if (virtio) {
		puts_("\nbench: virtio-read ");
		put_dec(MMIO_READS);
		puts_(" reads ticks ");
		put_dec(vio);
	}
	puts_("\nbench: ram-read ");
	put_dec(MMIO_READS);
	puts_(" reads ticks ");
	put_dec(ram);
	puts_("\nbench: virq-latency ");
	put_dec(l.n);
	puts_(" irqs min ");
	put_dec(l.n ? l.min : 0);
	puts_(" max ");
	put_dec(l.max);
	puts_(" total ");
	put_dec(l.total);
	puts_(" ticks\nbench: spi-latency ");
	if (rtc) {
		put_dec(spi.n);
		puts_(" irqs min ");
		put_dec(spi.n ? spi.min : 0);
		puts_(" max ");
		put_dec(spi.max);
		puts_(" total ");
		put_dec(spi.total);
		puts_(" ticks lost ");
		put_dec(spi.lost);
		puts_(" discarded ");
		put_dec(spi.discarded);
	} else {
		puts_("none (no pl031 passed through)");
	}
	puts_("\nbench: virq lost ");
	put_dec(l.lost);
	puts_(" spurious ");
	put_dec(spurious);
	puts_(" other ");
	put_dec(other);
	puts_(" exceptions ");
	put_dec(n_exceptions);
	puts_("\nbench: vtimer priority ");
	put_hex((mmio_read32(GICR_IPRIORITYR + (PPI_VTIMER & ~3u)) >> (8 * (PPI_VTIMER & 3u))) & 0xff);
	puts_("\nbench: done\n");
}
