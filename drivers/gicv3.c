/* Physical GICv3: distributor, redistributors, and the EL2 system-register
 * CPU interface. The machine runs with one security state as QEMU virt
 * does with secure=off (GICD_CTLR.DS = 1): every interrupt is Group 1. */
#include <arch/sysreg.h>
#include <drivers/drivers.h>
#include <hv/arch.h>
#include <hv/log.h>
#include <platform.h>

#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ICENABLER 0x0180
#define GICD_IPRIORITYR 0x0400
#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_G1 (1u << 1)
#define GICD_CTLR_G0 (1u << 0)

#define GICR_CTLR 0x0000
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_SGI 0x10000
#define GICR_IGROUPR0 (GICR_SGI + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI + 0x0100)
#define GICR_ICENABLER0 (GICR_SGI + 0x0180)
#define GICR_IPRIORITYR (GICR_SGI + 0x0400)
#define WAKER_PS (1u << 1)
#define WAKER_CA (1u << 2)

#define HV_IRQ_PRIO 0xa0

static inline volatile uint32_t *reg32(uintptr_t base, uintptr_t off)
{
	return (volatile uint32_t *)(base + off);
}

static void dist_wait_rwp(void)
{
	while (*reg32(CONFIG_GICD_BASE, GICD_CTLR) & GICD_CTLR_RWP)
		;
}

void gicv3_dist_init(void)
{
	uint32_t lines = ((*reg32(CONFIG_GICD_BASE, GICD_TYPER) & 0x1f) + 1) * 32;

	*reg32(CONFIG_GICD_BASE, GICD_CTLR) = 0;
	dist_wait_rwp();
	for (uint32_t i = 32; i < lines; i += 32) {
		*reg32(CONFIG_GICD_BASE, GICD_ICENABLER + i / 8) = 0xffffffff;
		*reg32(CONFIG_GICD_BASE, GICD_IGROUPR + i / 8) = 0xffffffff;
	}
	for (uint32_t i = 32; i < lines; i += 4)
		*reg32(CONFIG_GICD_BASE, GICD_IPRIORITYR + i) = 0xa0a0a0a0;
	dist_wait_rwp();
	*reg32(CONFIG_GICD_BASE, GICD_CTLR) = GICD_CTLR_ARE | GICD_CTLR_G1 | GICD_CTLR_G0;
	dist_wait_rwp();
}

static uintptr_t rdist_of(unsigned cpu)
{
	return CONFIG_GICR_BASE + cpu * PLATFORM_GICR_STRIDE;
}

int gicv3_cpu_init(unsigned cpu)
{
	uintptr_t rd = rdist_of(cpu);
	uint64_t typer = *(volatile uint64_t *)(rd + GICR_TYPER);
	uint64_t mpidr = read_sysreg(mpidr_el1);
	uint32_t aff = (uint32_t)((mpidr & 0xffffff) | ((mpidr >> 8) & 0xff000000));

	if ((uint32_t)(typer >> 32) != aff)
		return -1; /* redistributor layout is not the platform's */
	*reg32(rd, GICR_WAKER) &= ~WAKER_PS;
	while (*reg32(rd, GICR_WAKER) & WAKER_CA)
		;
	*reg32(rd, GICR_ICENABLER0) = 0xffffffff;
	*reg32(rd, GICR_IGROUPR0) = 0xffffffff;
	for (unsigned i = 0; i < 32; i += 4)
		*reg32(rd, GICR_IPRIORITYR + i) = 0xa0a0a0a0;
	/* Always on: the kick and work SGIs (SGI_KICK, SGI_WORK), the vGIC
	 * maintenance interrupt, the EL2 timer, the guest's virtual timer
	 * (forwarded to the vCPU here). */
	*reg32(rd, GICR_ISENABLER0) = (1u << 1) | (1u << 2) | (1u << 25) | (1u << 26) | (1u << 27);

	/* EL2 uses the system register interface and lets EL1 use it too. */
	write_sysreg(S3_4_C12_C9_5, 0xf); /* ICC_SRE_EL2: SRE, DFB, DIB, Enable */
	isb();
	write_sysreg(S3_0_C4_C6_0, 0xff);  /* ICC_PMR_EL1 */
	write_sysreg(S3_0_C12_C12_3, 0);   /* ICC_BPR1_EL1 */
	write_sysreg(S3_0_C12_C12_4, 2);   /* ICC_CTLR_EL1: EOImode 1 (drop/deactivate split) */
	write_sysreg(S3_0_C12_C12_7, 1);   /* ICC_IGRPEN1_EL1 */
	isb();
	return 0;
}

void gicv3_enable_ppi(unsigned cpu, unsigned intid)
{
	*reg32(rdist_of(cpu), GICR_ISENABLER0) = 1u << intid;
}

uint32_t gicv3_ack(void)
{
	uint32_t v = (uint32_t)read_sysreg(S3_0_C12_C12_0); /* ICC_IAR1_EL1 */
	dsb(sy);
	return v & 0xffffff;
}

void gicv3_eoi(uint32_t intid)
{
	write_sysreg(S3_0_C12_C12_1, intid); /* ICC_EOIR1_EL1 */
	isb();
}

#define GICR_ICACTIVER0 (GICR_SGI + 0x0380)

void gicv3_clear_active_ppi(unsigned cpu, uint32_t intid)
{
	if (intid < 32)
		*reg32(rdist_of(cpu), GICR_ICACTIVER0) = 1u << intid;
}

void gicv3_deactivate(uint32_t intid)
{
	write_sysreg(S3_0_C12_C11_1, intid); /* ICC_DIR_EL1 */
	isb();
}

#define GICD_ISENABLER 0x0100
#define GICD_IROUTER 0x6000

void gicv3_enable_spi(uint32_t intid, uint64_t mpidr)
{
	*(volatile uint64_t *)(uintptr_t)(CONFIG_GICD_BASE + GICD_IROUTER + intid * 8UL) = mpidr;
	*reg32(CONFIG_GICD_BASE, GICD_ISENABLER + (intid / 32) * 4) = 1u << (intid % 32);
}

/* ---- one SPI at the distributor (a physical SPI passed to a partition) ----
 * Set/clear registers take one bit and need no lock; ICFGR is read,
 * modified and written, so cfg_lock (a leaf) serialises it between CPUs
 * writing SPIs of one register for different partitions. */
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_ICACTIVER 0x0380
#define GICD_ICFGR 0x0c00
#define GICD_SPI_END 1020

static spinlock_t cfg_lock;

static bool is_spi(uint32_t intid)
{
	return intid >= 32 && intid < GICD_SPI_END;
}

static void spi_bit(uintptr_t reg, uint32_t intid)
{
	*reg32(CONFIG_GICD_BASE, reg + (intid / 32) * 4) = 1u << (intid % 32);
}

void gicv3_spi_set_enable(uint32_t intid, bool on)
{
	if (!is_spi(intid))
		return;
	spi_bit(on ? GICD_ISENABLER : GICD_ICENABLER, intid);
	if (!on)
		dist_wait_rwp(); /* no longer forwarded once we return */
}

void gicv3_spi_set_pending(uint32_t intid, bool on)
{
	if (is_spi(intid))
		spi_bit(on ? GICD_ISPENDR : GICD_ICPENDR, intid);
}

void gicv3_spi_clear_active(uint32_t intid)
{
	if (is_spi(intid))
		spi_bit(GICD_ICACTIVER, intid);
}

void gicv3_spi_set_priority(uint32_t intid, uint8_t prio)
{
	if (is_spi(intid))
		*(volatile uint8_t *)(uintptr_t)(CONFIG_GICD_BASE + GICD_IPRIORITYR + intid) = prio;
}

/* The GIC leaves a change of an enabled interrupt's trigger UNPREDICTABLE:
 * disabled around the write, enabled again if it was. */
void gicv3_spi_set_trigger(uint32_t intid, bool level)
{
	uint32_t bit = 1u << (intid % 32), v;
	bool was_on;

	if (!is_spi(intid))
		return;
	spin_lock(&cfg_lock);
	was_on = *reg32(CONFIG_GICD_BASE, GICD_ISENABLER + (intid / 32) * 4) & bit;
	if (was_on)
		gicv3_spi_set_enable(intid, false);
	v = *reg32(CONFIG_GICD_BASE, GICD_ICFGR + (intid / 16) * 4);
	v &= ~(2u << (2 * (intid % 16)));
	if (!level)
		v |= 2u << (2 * (intid % 16)); /* edge */
	*reg32(CONFIG_GICD_BASE, GICD_ICFGR + (intid / 16) * 4) = v;
	if (was_on)
		gicv3_spi_set_enable(intid, true);
	spin_unlock(&cfg_lock);
}

/* IROUTER: Aff3, Aff2, Aff1, Aff0 of that CPU, IRM = 0. */
void gicv3_spi_set_route(uint32_t intid, uint64_t mpidr)
{
	if (is_spi(intid))
		*(volatile uint64_t *)(uintptr_t)(CONFIG_GICD_BASE + GICD_IROUTER + intid * 8UL) =
			mpidr & 0xff00ffffffULL;
}
