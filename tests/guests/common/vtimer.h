/* The virtual counter and the EL1 virtual timer's interrupt (PPI 27)
 * through the vGIC, for test guests that time or sleep; and a
 * passed-through device's SPI, enabled the same way. The vGIC is the
 * board's kind: GICv3 (distributor, vCPU 0's redistributor, the CPU
 * interface's system registers) or GICv2 (distributor, the memory-mapped
 * CPU interface at GICC_BASE), told apart by GICD_IIDR's product byte. */
#ifndef GUEST_VTIMER_H
#define GUEST_VTIMER_H

#include "guest.h"

#define GICD_BASE 0x08000000UL
#define GICD_CTLR (GICD_BASE + 0x0000)
#define GICR_BASE 0x080a0000UL /* vCPU 0's redistributor */
#define GICR_WAKER (GICR_BASE + 0x0014)
#define GICR_SGI (GICR_BASE + 0x10000)
#define GICR_ISENABLER0 (GICR_SGI + 0x0100)
#define GICR_IPRIORITYR (GICR_SGI + 0x0400)

/* The distributor's register holding INTID n's field (32-bit word; IROUTER
 * a doubleword). */
#define GICD_ISENABLER(n) (GICD_BASE + 0x0100 + 4 * ((n) / 32))
#define GICD_IPRIORITYR(n) (GICD_BASE + 0x0400 + ((n) & ~3u))
#define GICD_ICFGR(n) (GICD_BASE + 0x0c00 + 4 * ((n) / 16))
#define GICD_IROUTER(n) (GICD_BASE + 0x6000 + 8 * (n))
#define GICD_ITARGETSR(n) (GICD_BASE + 0x0800 + (n))
#define GICD_IIDR (GICD_BASE + 0x0008)
#define GICC_BASE 0x08010000UL /* GICv2 */
#define GICC_CTLR (GICC_BASE + 0x00)
#define GICC_PMR (GICC_BASE + 0x04)
#define GICC_IAR (GICC_BASE + 0x0c)
#define GICC_EOIR (GICC_BASE + 0x10)

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

/* The virtual counter (CNTVCT_EL0), after what came before it. */
static inline uint64_t counter(void)
{
	__asm__ volatile("isb" : : : "memory");
	return sysreg_read(cntvct_el0);
}

/* A GICv2 (GICD_IIDR product 0x02), read once. */
static int gic_v2 = -1;
GFN int gic_is_v2(void)
{
	if (gic_v2 < 0)
		gic_v2 = (mmio_read32(GICD_IIDR) >> 24) == 0x02;
	return gic_v2;
}

/* The interrupt being taken (its IAR value; gic_intid() of it, 1020 and
 * up: none), and its end. */
GFN uint64_t gic_ack(void)
{
	return gic_is_v2() ? mmio_read32(GICC_IAR) : sysreg_read(ICC_IAR1_EL1);
}

static inline uint32_t gic_intid(uint64_t iar)
{
	return (uint32_t)iar & 0x3ff;
}

GFN void gic_eoi(uint64_t iar)
{
	if (gic_is_v2())
		mmio_write32(GICC_EOIR, (uint32_t)iar);
	else
		sysreg_write(ICC_EOIR1_EL1, iar);
	__asm__ volatile("isb");
}

/* Forwarding on, the redistributor awake (GICv3), the virtual timer's PPI
 * enabled at priority 0x80, the CPU interface taking every priority. It
 * does not unmask IRQs (PSTATE.I): the caller does, when it is ready. */
GFN void gic_enable_vtimer(void)
{
	/* Byte lane 3 of the word for INTIDs 24..27, by a 32-bit access:
	 * the vGIC refuses byte writes to IPRIORITYR bytes 1..3 of a word. */
	uintptr_t prio = GICR_IPRIORITYR + (PPI_VTIMER & ~3u);
	unsigned sh = 8 * (PPI_VTIMER & 3u);

	if (gic_is_v2()) {
		uintptr_t p2 = GICD_IPRIORITYR(PPI_VTIMER);
		mmio_write32(GICD_CTLR, 0x1); /* Enable */
		mmio_write32(p2, (mmio_read32(p2) & ~(0xffu << sh)) | (0x80u << sh));
		mmio_write32(GICD_ISENABLER(PPI_VTIMER), 1u << PPI_VTIMER); /* banked */
		mmio_write32(GICC_PMR, 0xff);
		mmio_write32(GICC_CTLR, 0x1);
		return;
	}
	mmio_write32(GICD_CTLR, 0x2); /* EnableGrp1 (ARE is always on) */
	mmio_write32(GICR_WAKER, mmio_read32(GICR_WAKER) & ~(1u << 1));
	while (mmio_read32(GICR_WAKER) & (1u << 2))
		;
	mmio_write32(prio, (mmio_read32(prio) & ~(0xffu << sh)) | (0x80u << sh));
	mmio_write32(GICR_ISENABLER0, 1u << PPI_VTIMER);
	sysreg_write(ICC_SRE_EL1, sysreg_read(ICC_SRE_EL1) | 1);
	__asm__ volatile("isb");
	sysreg_write(ICC_PMR_EL1, 0xff);
	sysreg_write(ICC_IGRPEN1_EL1, 1);
	__asm__ volatile("isb");
}

/* After gic_enable_vtimer(): SPI intid (a device's, level-triggered) at
 * priority 0x80, routed to vCPU 0, enabled. */
GFN void gic_enable_spi(unsigned intid)
{
	uintptr_t prio = GICD_IPRIORITYR(intid), cfg = GICD_ICFGR(intid);
	unsigned sh = 8 * (intid & 3u);

	mmio_write32(prio, (mmio_read32(prio) & ~(0xffu << sh)) | (0x80u << sh));
	mmio_write32(cfg, mmio_read32(cfg) & ~(2u << (2 * (intid & 15u)))); /* level */
	if (gic_is_v2()) {
		uintptr_t t = GICD_ITARGETSR(intid) & ~3ul;
		unsigned tsh = 8 * (intid & 3u);
		mmio_write32(t, (mmio_read32(t) & ~(0xffu << tsh)) | (1u << tsh)); /* vCPU 0 */
	} else {
		mmio_write32(GICD_IROUTER(intid), 0);     /* Aff 0.0.0.0: vCPU 0 */
		mmio_write32(GICD_IROUTER(intid) + 4, 0);
	}
	mmio_write32(GICD_ISENABLER(intid), 1u << (intid & 31u));
}

#endif
