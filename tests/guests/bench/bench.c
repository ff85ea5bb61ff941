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
 * converts counter ticks to instructions (under -icount shift=0). */
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

/* n 32-bit loads from addr, in a loop whose code does not depend on addr,
 * so the RAM run is the exact baseline of the MMIO run. Returns ticks. */
static uint64_t read_loop(uintptr_t addr, uint64_t n)
{
	uint64_t t0, t1, tmp;

	t0 = counter();
	__asm__ volatile("1:	ldr	%w0, [%2]\n"
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
	uint64_t now = counter(); /* first thing: the latency's end */
	uint64_t iar = sysreg_read(ICC_IAR1_EL1);
	uint32_t intid = (uint32_t)iar & 0xffffff;

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
	sysreg_write(ICC_EOIR1_EL1, iar);
	__asm__ volatile("isb");
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
		while (handled == before && spins++ < 100000000ULL)
			__asm__ volatile("yield" : : : "memory");
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
		while (rtc_handled == before && spins++ < 1000000ULL)
			__asm__ volatile("yield" : : : "memory");
		if (rtc_handled != before)
			lat_add(l, rtc_counter - t0);
		else if (mmio_read32(RTC_BASE + RTC_DR) != count)
			l->discarded++;
		else
			l->lost++;
	}
}

void guest_main(uint64_t x0, uint64_t first_counter)
{
	uint64_t mmio, ram;
	struct lat l, spi = { 0 };
	int rtc;
	(void)x0;
	(void)first_counter;

	/* Measure first, print afterwards: console output is work for the
	 * hypervisor that could land inside a measurement. */
	ram = read_loop((uintptr_t)&ram_word, MMIO_READS);
	mmio = read_loop(UART_BASE + 0x18, MMIO_READS);
	gic_enable_vtimer();
	__asm__ volatile("msr daifclr, #2" : : : "memory");
	virq_latency(&l);
	rtc = rtc_present();
	if (rtc) {
		mmio_write32(RTC_BASE + RTC_ICR, 1);
		mmio_write32(RTC_BASE + RTC_IMSC, 1);
		gic_enable_spi(RTC_INTID);
		spi_latency(&spi);
		mmio_write32(RTC_BASE + RTC_IMSC, 0);
	}
	__asm__ volatile("msr daifset, #2" : : : "memory");

	puts_("bench: counter frequency ");
	put_dec(sysreg_read(cntfrq_el0));
	puts_(" Hz\nbench: mmio-read ");
	put_dec(MMIO_READS);
	puts_(" reads ticks ");
	put_dec(mmio);
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
