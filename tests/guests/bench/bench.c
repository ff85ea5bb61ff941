/* A benchmark, not a test (proves: no requirement; it asserts nothing). It
 * measures, with the virtual counter (CNTVCT_EL0), what the hypervisor
 * costs its guest:
 *  - the round trip of a trapped, emulated MMIO read (the vPL011 flag
 *    register), against the same loop reading RAM;
 *  - virtual interrupt latency: from the EL1 virtual timer's deadline
 *    (CNTV_CVAL_EL0) to the first instruction of the guest's IRQ handler,
 *    through the physical interrupt at EL2, the list register and the
 *    virtual CPU interface.
 * Results are printed as "bench: ..." lines for tests/lib/bench.sh, which
 * converts counter ticks to instructions (under -icount shift=0). */
#include "../common/guest.h"

#define MMIO_READS 20000u
#define VIRQS 50u
#define VIRQ_DELAY 2000u /* counter ticks from arming to the deadline */

#define GICD_BASE 0x08000000UL
#define GICD_CTLR (GICD_BASE + 0x0000)
#define GICR_BASE 0x080a0000UL /* vCPU 0's redistributor */
#define GICR_WAKER (GICR_BASE + 0x0014)
#define GICR_SGI (GICR_BASE + 0x10000)
#define GICR_ISENABLER0 (GICR_SGI + 0x0100)
#define GICR_IPRIORITYR (GICR_SGI + 0x0400)

#define PPI_VTIMER 27u
#define CNTV_CTL_ENABLE 1u
#define CNTV_CTL_IMASK 2u

#define sysreg_read(r)                                          \
	({                                                      \
		uint64_t v_;                                    \
		__asm__ volatile("mrs %0, " #r : "=r"(v_));    \
		v_;                                             \
	})
#define sysreg_write(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((uint64_t)(v)) : "memory")

/* GICv3 CPU interface system registers, by encoding. */
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_SRE_EL1 S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7

static inline uint64_t counter(void)
{
	__asm__ volatile("isb" : : : "memory");
	return sysreg_read(cntvct_el0);
}

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
	} else {
		other++;
	}
	sysreg_write(ICC_EOIR1_EL1, iar);
	__asm__ volatile("isb");
}

static void gic_enable(void)
{
	mmio_write32(GICD_CTLR, 0x2); /* EnableGrp1 (ARE is always on) */
	mmio_write32(GICR_WAKER, mmio_read32(GICR_WAKER) & ~(1u << 1));
	while (mmio_read32(GICR_WAKER) & (1u << 2))
		;
	/* Byte lane 3 of the word for INTIDs 24..27, by a 32-bit access:
	 * the vGIC refuses byte writes to IPRIORITYR bytes 1..3 of a word. */
	uintptr_t prio = GICR_IPRIORITYR + (PPI_VTIMER & ~3u);
	unsigned sh = 8 * (PPI_VTIMER & 3u);
	mmio_write32(prio, (mmio_read32(prio) & ~(0xffu << sh)) | (0x80u << sh));
	mmio_write32(GICR_ISENABLER0, 1u << PPI_VTIMER);

	sysreg_write(ICC_SRE_EL1, sysreg_read(ICC_SRE_EL1) | 1);
	__asm__ volatile("isb");
	sysreg_write(ICC_PMR_EL1, 0xff);
	sysreg_write(ICC_IGRPEN1_EL1, 1);
	__asm__ volatile("isb");
	__asm__ volatile("msr daifclr, #2" : : : "memory");
}

struct lat {
	uint64_t n, min, max, total, lost;
};

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
		uint64_t d = entry_counter - deadline;
		l->n++;
		l->total += d;
		if (d < l->min)
			l->min = d;
		if (d > l->max)
			l->max = d;
	}
}

void guest_main(uint64_t x0, uint64_t first_counter)
{
	uint64_t mmio, ram;
	struct lat l;
	(void)x0;
	(void)first_counter;

	/* Measure first, print afterwards: console output is work for the
	 * hypervisor that could land inside a measurement. */
	ram = read_loop((uintptr_t)&ram_word, MMIO_READS);
	mmio = read_loop(UART_BASE + 0x18, MMIO_READS);
	gic_enable();
	virq_latency(&l);
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
	puts_(" ticks\nbench: virq lost ");
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
