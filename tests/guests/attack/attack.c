/* The attacking partition: reaches for what it was not given and reports
 * how each attempt was refused. The other partition's RAM is at 0x50000000
 * (tests/configs/good/two-guests.dts and linux-attack.dts), the
 * hypervisor's image at 0x40080000. It runs with one vCPU.
 * proves: PLATFORM-3, PLATFORM-5 */
#define GUEST_NAME "attack"
#include "../common/guest.h"
#include "../common/cases.h"

#define VICTIM_RAM 0x50000000UL
#define HV_RAM 0x40080000UL
#define HV_TABLES 0x4fff0000UL

/* A data access that must be refused with an injected abort. */
static void try_access(const char *what, uintptr_t addr, unsigned width, int write)
{
	uint64_t before = n_exceptions;
	probe(addr, width, write, ~0ULL);
	report(what, took_sea(before, addr), last_esr);
}

static void try_read(const char *what, uintptr_t addr)
{
	try_access(what, addr, 8, 0);
}

/* A 64-bit write, refused with an abort that says it was one (WnR). */
static void try_write(const char *what, uintptr_t addr)
{
	uint64_t before = n_exceptions;
	probe(addr, 8, 1, 0xbadbadbadbadULL);
	report(what, took_sea(before, addr) && (last_esr & (1u << 6)), last_esr);
}

#define GICD 0x08000000UL
#define GICR 0x080a0000UL
#define GICR_SGI (GICR + 0x10000)

/* GICv2 (the partition's tree says arm,cortex-a15-gic): the distributor's
 * 4 KiB frame, the CPU interface (the board's GICV) at 0x08010000, and the
 * board's virtual interface control at 0x08030000 (QEMU virt). */
#define GICC 0x08010000UL
#define GICH_BOARD 0x08030000UL

static volatile uint32_t last_irq = 1023, n_irqs;
static int v2; /* its vGIC is a GICv2 (GICD_IIDR's product: 0x02) */

void guest_irq(void)
{
	uint64_t iar;
	if (v2) {
		iar = mmio_read32(GICC + 0x0c); /* GICC_IAR */
		last_irq = (uint32_t)iar & 0x3ff;
		n_irqs++;
		mmio_write32(GICC + 0x10, (uint32_t)iar); /* GICC_EOIR */
		return;
	}
	__asm__ volatile("mrs %0, S3_0_C12_C12_0" : "=r"(iar)); /* ICC_IAR1_EL1 */
	last_irq = (uint32_t)iar & 0xffffff;
	n_irqs++;
	__asm__ volatile("msr S3_0_C12_C12_1, %0" : : "r"(iar)); /* ICC_EOIR1_EL1 */
}

static void gic_enable(void)
{
	mmio_write32(GICD, 2); /* EnableGrp1 */
	mmio_write32(GICR + 0x14, mmio_read32(GICR + 0x14) & ~2u);
	while (mmio_read32(GICR + 0x14) & 4)
		__asm__ volatile("yield");
	mmio_write32(GICR_SGI + 0x100, 1u << 3); /* SGI 3 */
	__asm__ volatile("msr S3_0_C4_C6_0, %0" : : "r"(0xffUL));  /* ICC_PMR_EL1 */
	__asm__ volatile("msr S3_0_C12_C12_7, %0" : : "r"(1UL));   /* ICC_IGRPEN1_EL1 */
	__asm__ volatile("isb; msr daifclr, #2" ::: "memory");
}

/* The INTID of the next interrupt within a while, or 1023 if none came. */
static uint32_t wait_irq(uint32_t before)
{
	for (int i = 0; i < 20000 && n_irqs == before; i++)
		__asm__ volatile("yield");
	return n_irqs == before ? 1023 : last_irq;
}

static uint64_t psci(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return hvc(fid, a1, a2, a3);
}

/* The same attacks through a GICv2's registers: GICD_SGIR's filters and
 * list, ITARGETSR, the distributor's frame, the GICH frame. */
static void gic_attacks_v2(void)
{
	uint32_t n;

	mmio_write32(GICD, 1);                   /* Enable */
	mmio_write32(GICD + 0x100, 1u << 3);     /* SGI 3 */
	mmio_write32(GICC + 0x04, 0xff);         /* GICC_PMR */
	mmio_write32(GICC, 1);                   /* GICC_CTLR: Enable */
	__asm__ volatile("isb; msr daifclr, #2" ::: "memory");
	n = n_irqs;
	mmio_write32(GICD + 0xf00, (2u << 24) | 3); /* SGIR: itself */
	if (wait_irq(n) != 3)
		puts_("attack: warning: SGI to itself did not arrive\n");

	n = n_irqs;
	mmio_write32(GICD + 0xf00, (0xeu << 16) | 3); /* CPUs 1-3 */
	mmio_write32(GICD + 0xf00, (1u << 24) | 3);   /* all but itself: none */
	mmio_write32(GICD + 0xf00, (3u << 24) | 3);   /* reserved filter */
	report("SGIs to CPUs outside the partition go nowhere", wait_irq(n) == 1023, n_irqs - n);

	mmio_write32(GICD + 0x100 + 4 * 6, 0xffffffff);
	mmio_write32(GICD + 0x200 + 4 * 6, 0xffffffff);
	report("enabling and pending SPIs 192-223 the partition does not have",
	       mmio_read32(GICD + 0x100 + 4 * 6) == 0 && mmio_read32(GICD + 0x200 + 4 * 6) == 0,
	       mmio_read32(GICD + 0x100 + 4 * 6));

	/* ITARGETSR naming CPU 5 only: not the partition's, so its own vCPU 0. */
	mmio_write32(GICD + 0x100 + 4, 1u << (40 - 32));
	mmio_write32(GICD + 0x800 + 40, 0x20);
	report("ITARGETSR naming a CPU outside the partition keeps nothing",
	       mmio_read32(GICD + 0x800 + 40) == 0, mmio_read32(GICD + 0x800 + 40));
	n = n_irqs;
	mmio_write32(GICD + 0x200 + 4, 1u << (40 - 32));
	report("SPI routed to CPU 5 is delivered to its own vCPU 0 only", wait_irq(n) == 40, last_irq);

	mmio_write32(GICD + 0x100 + 4, 1u << 1);
	n = n_irqs;
	mmio_write32(GICD + 0x200 + 4, 1u << 1);
	report("SPI 33 pended through GICD stays in the partition", wait_irq(n) == 33, last_irq);
	mmio_write32(GICD + 0x180 + 4, 1u << 1);

	try_access("read past the distributor's 4 KiB frame", GICD + 0x1000, 4, 0);
	try_access("read of the board's virtual interface control (GICH)", GICH_BOARD, 4, 0);
	try_access("write to the board's GICH list register 0", GICH_BOARD + 0x100, 4, 1);
	try_access("read past its CPU interface's 8 KiB", GICC + 0x2000, 4, 0);
	try_access("64-bit read of GICD_CTLR", GICD, 8, 0);
	try_access("byte write to GICD_CTLR", GICD, 1, 1);
	try_access("unaligned 32-bit read in GICD_ISENABLER", GICD + 0x102, 4, 0);
	try_access("byte write to GICD_SGIR", GICD + 0xf00, 1, 1);
	try_access("read of an unassigned GICD offset", GICD + 0xe00, 4, 0);
	try_access("unaligned 32-bit read of the UART", UART_BASE + 2, 4, 0);
	try_access("16-bit write to UART_DR + 1", UART_BASE + 1, 2, 1);
}

static void gic_attacks(void)
{
	uint32_t n;

	if ((v2 = (mmio_read32(GICD + 0x008) >> 24) == 0x02)) {
		gic_attacks_v2();
		return;
	}
	gic_enable();
	/* Positive control: an SGI to itself arrives. */
	n = n_irqs;
	__asm__ volatile("msr S3_0_C12_C11_5, %0; isb" : : "r"((3UL << 24) | 1)); /* ICC_SGI1R_EL1 */
	if (wait_irq(n) != 3)
		puts_("attack: warning: SGI to itself did not arrive\n");

	/* SGIs to vCPUs 1-3 (not in this partition), and to Aff1 = 1. */
	n = n_irqs;
	__asm__ volatile("msr S3_0_C12_C11_5, %0; isb" : : "r"((3UL << 24) | 0xe));
	__asm__ volatile("msr S3_0_C12_C11_5, %0; isb" : : "r"((3UL << 24) | (1UL << 16) | 1));
	report("SGIs to CPUs outside the partition go nowhere", wait_irq(n) == 1023, n_irqs - n);

	/* SPIs beyond the partition's interrupt lines: RAZ/WI. */
	mmio_write32(GICD + 0x100 + 4 * 6, 0xffffffff); /* ISENABLER6: INTIDs 192-223 */
	mmio_write32(GICD + 0x200 + 4 * 6, 0xffffffff); /* ISPENDR6 */
	report("enabling and pending SPIs 192-223 the partition does not have",
	       mmio_read32(GICD + 0x100 + 4 * 6) == 0 && mmio_read32(GICD + 0x200 + 4 * 6) == 0,
	       mmio_read32(GICD + 0x100 + 4 * 6));

	/* Routing an SPI to a CPU outside the partition lands on its own vCPU. */
	mmio_write32(GICD + 0x100 + 4, 1u << (40 - 32));
	*(volatile uint64_t *)(GICD + 0x6000 + 8 * 40) = 5; /* Aff0 = 5 */
	n = n_irqs;
	mmio_write32(GICD + 0x200 + 4, 1u << (40 - 32));
	report("SPI routed to vCPU 5 is delivered to its own vCPU 0 only", wait_irq(n) == 40,
	       last_irq);

	/* Injecting "the board UART's" SPI 33 only reaches its own vGIC. */
	mmio_write32(GICD + 0x100 + 4, 1u << 1);
	n = n_irqs;
	mmio_write32(GICD + 0x200 + 4, 1u << 1);
	report("SPI 33 pended through GICD stays in the partition", wait_irq(n) == 33, last_irq);
	mmio_write32(GICD + 0x180 + 4, 1u << 1);

	try_access("read of another vCPU's redistributor", GICR + 0x20000 + 8, 4, 0);
	try_access("write to another vCPU's redistributor", GICR + 0x20000 + 0x14, 4, 1);
	try_access("read of a physical redistributor frame", GICR + 0x60000, 4, 0);

	try_access("64-bit read of GICD_CTLR", GICD, 8, 0);
	try_access("byte write to GICD_CTLR", GICD, 1, 1);
	try_access("unaligned 32-bit read in GICD_ISENABLER", GICD + 0x102, 4, 0);
	try_access("16-bit write to GICR_WAKER", GICR + 0x14, 2, 1);
	try_access("64-bit read of GICR_ISENABLER0", GICR_SGI + 0x100, 8, 0);
	try_access("read of an unassigned GICD offset", GICD + 0x5000, 4, 0);
	try_access("unaligned 32-bit read of the UART", UART_BASE + 2, 4, 0);
	try_access("16-bit write to UART_DR + 1", UART_BASE + 1, 2, 1);

}

static void psci_attacks(void)
{
	report("PSCI CPU_ON of MPIDR 1 (not its CPU)", psci(0xc4000003, 1, 0x70000000, 0) ==
	       (uint64_t)-2, 0);
	report("PSCI CPU_ON of MPIDR 3 (the other partition's)", psci(0xc4000003, 3, 0x70000000, 0)
	       == (uint64_t)-2, 0);
	report("PSCI CPU_ON of MPIDR 0x100 (Aff1)", psci(0xc4000003, 0x100, 0x70000000, 0) ==
	       (uint64_t)-2, 0);
	report("PSCI CPU_ON with an entry point in another partition's RAM",
	       psci(0xc4000003, 0, 0x50000000, 0) == (uint64_t)-9, 0);
	report("PSCI CPU_ON of itself: already on", psci(0xc4000003, 0, (uintptr_t)&report, 0) ==
	       (uint64_t)-4, 0);
	report("PSCI AFFINITY_INFO of MPIDR 2", psci(0xc4000004, 2, 0, 0) == (uint64_t)-2, 0);
}

static void sysreg_attacks(void)
{
	uint64_t before = n_exceptions;
	/* An invalidate by set/way would drop other partitions' dirty lines in
	 * shared caches; the hypervisor does clean+invalidate instead. */
	__asm__ volatile("dc isw, %0" : : "r"(0UL));
	report("DC ISW (set/way invalidate) done as clean+invalidate, no fault",
	       n_exceptions == before, last_esr);
	before = n_exceptions;
	__asm__ volatile("msr S3_4_C1_C1_0, %0" : : "r"(0UL)); /* HCR_EL2 */
	report("write to HCR_EL2", n_exceptions == before + 1 && (last_esr >> 26) == 0, last_esr);
	before = n_exceptions;
	__asm__ volatile("msr S3_4_C12_C9_5, %0" : : "r"(0UL)); /* ICC_SRE_EL2 */
	report("write to ICC_SRE_EL2", n_exceptions == before + 1 && (last_esr >> 26) == 0,
	       last_esr);
	before = n_exceptions;
	__asm__ volatile("msr S3_4_C2_C1_0, %0" : : "r"(0UL)); /* VTTBR_EL2 */
	report("write to VTTBR_EL2", n_exceptions == before + 1 && (last_esr >> 26) == 0, last_esr);
}

void guest_main(uint64_t x0, uint64_t first_counter)
{
	uint64_t before, r;
	(void)x0;
	(void)first_counter;

	puts_("attack: starting\n");
	try_read("read of another partition's RAM", VICTIM_RAM);
	try_write("write to another partition's RAM", VICTIM_RAM + 0x1000);
	try_read("read of the hypervisor's image", HV_RAM);
	try_write("write to the hypervisor's image", HV_RAM);
	try_read("read of the hypervisor's page tables", HV_TABLES);
	try_read("read of the physical GIC distributor", 0x08000000UL);

	r = hvc(0xc2000042UL, 0, 0, 0);
	report("unknown HVC function returns NOT_SUPPORTED", r == (uint64_t)-1, r);
	r = smc(0x84000042UL);
	report("unknown SMC function returns NOT_SUPPORTED", r == (uint64_t)-1, r);
	r = hvc(0x84000005UL, 0, 0, 0); /* PSCI CPU_SUSPEND: not offered */
	report("PSCI CPU_SUSPEND returns NOT_SUPPORTED", r == (uint64_t)-1, r);

	before = n_exceptions;
	__asm__ volatile("mrs %0, s3_0_c15_c0_0" : "=r"(r)); /* IMPLEMENTATION DEFINED */
	report("read of an implementation-defined system register", n_exceptions == before + 1 &&
	       (last_esr >> 26) == 0 && (last_esr & (1u << 25)), last_esr);
	before = n_exceptions;
	__asm__ volatile("msr actlr_el1, %0" : : "r"(0UL)); /* trapped by HCR_EL2.TACR */
	report("write to ACTLR_EL1", n_exceptions == before + 1 && (last_esr >> 26) == 0, last_esr);
	before = n_exceptions;
	__asm__ volatile("mrs %0, actlr_el1" : "=r"(r));
	report("read of ACTLR_EL1", n_exceptions == before + 1 && (last_esr >> 26) == 0, last_esr);

	before = n_exceptions;
	(void)*(volatile uint64_t *)(UART_BASE + 0x18); /* 64-bit read of a 32-bit register */
	report("64-bit access to the emulated UART", took_sea(before, UART_BASE + 0x18), last_esr);
	before = n_exceptions;
	(void)*(volatile uint32_t *)(UART_BASE + 0x100); /* hole in the register map */
	report("read of an unassigned UART offset", took_sea(before, UART_BASE + 0x100), last_esr);

	sysreg_attacks();
	gic_attacks();
	psci_attacks();

	report_alive("attempts");
	report_done();
}
