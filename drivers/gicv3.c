/* Physical GICv3: distributor, redistributors, and the EL2 system-register
 * CPU interface. The machine runs with one security state as QEMU virt
 * does with secure=off (GICD_CTLR.DS = 1): every interrupt is Group 1. */
#include <arch/cpu.h>
#include <arch/sysreg.h>
#include <drivers/drivers.h>
#include <drivers/irqchip.h>
#include <hv/arch.h>
#include <hv/gic_lr.h>
#include <arch/ich.h>
#include <hv/log.h>
#include <hv/vgic.h>
#include <platform.h>

static struct gic_desc gd; /* the board's, from gicv3_init */
#define GICD (gd.dist.base)

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
/* Each CPU's redistributor: two 64 KiB frames (RD_base, SGI_base), a
 * GICv3 without virtual LPIs (the architecture's layout, not a board's). */
#define GICR_STRIDE 0x20000UL
#define WAKER_PS (1u << 1)
#define WAKER_CA (1u << 2)

#define HV_IRQ_PRIO 0xa0

static inline volatile uint32_t *reg32(uintptr_t base, uintptr_t off)
{
	return (volatile uint32_t *)(base + off);
}

static void dist_wait_rwp(void)
{
	while (*reg32(GICD, GICD_CTLR) & GICD_CTLR_RWP)
		;
}

static int gicv3_init(const struct gic_desc *d)
{
	gd = *d;
	{
	uint32_t lines = ((*reg32(GICD, GICD_TYPER) & 0x1f) + 1) * 32;

	*reg32(GICD, GICD_CTLR) = 0;
	dist_wait_rwp();
	for (uint32_t i = 32; i < lines; i += 32) {
		*reg32(GICD, GICD_ICENABLER + i / 8) = 0xffffffff;
		*reg32(GICD, GICD_IGROUPR + i / 8) = 0xffffffff;
	}
	for (uint32_t i = 32; i < lines; i += 4)
		*reg32(GICD, GICD_IPRIORITYR + i) = 0xa0a0a0a0;
	dist_wait_rwp();
	*reg32(GICD, GICD_CTLR) = GICD_CTLR_ARE | GICD_CTLR_G1 | GICD_CTLR_G0;
	dist_wait_rwp();
	}
	return 0;
}

static uintptr_t rdist_of(unsigned cpu)
{
	return gd.redist.base + cpu * GICR_STRIDE;
}

static int gicv3_cpu_init(unsigned cpu)
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
	*reg32(rd, GICR_ISENABLER0) = (1u << SGI_KICK) | (1u << SGI_WORK) | (1u << VGIC_PPI_MAINT) |
				     (1u << PLATFORM_HV_TIMER_PPI) | (1u << VGIC_PPI_VTIMER);

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

static void gicv3_enable_ppi(uint32_t intid)
{
	*reg32(rdist_of(this_cpu()->id), GICR_ISENABLER0) = 1u << intid;
}

static uint32_t gicv3_ack(void)
{
	return icc_ack();
}

static void gicv3_eoi(uint32_t intid)
{
	icc_eoi(intid);
}

#define GICR_ICACTIVER0 (GICR_SGI + 0x0380)

static void gicv3_clear_active_ppi(uint32_t intid)
{
	if (intid < 32)
		*reg32(rdist_of(this_cpu()->id), GICR_ICACTIVER0) = 1u << intid;
}

static void gicv3_deactivate(uint32_t intid)
{
	write_sysreg(S3_0_C12_C11_1, intid); /* ICC_DIR_EL1 */
	isb();
}

#define GICD_ISENABLER 0x0100
#define GICD_IROUTER 0x6000

/* ICC_SGI1R_EL1: Aff3, Aff2, Aff1, INTID, TargetList bit for Aff0. */
static void gicv3_send_sgi(unsigned pcpu, uint32_t sgi)
{
	uint64_t m = cpu_mpidr(pcpu);

	dsb(ishst);
	write_sysreg(S3_0_C12_C11_5, (((m >> 32) & 0xff) << 48) | (((m >> 16) & 0xff) << 32) |
					     (((m >> 8) & 0xff) << 16) | ((uint64_t)sgi << 24) |
					     (1ULL << (m & 0xf)));
	isb();
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
	*reg32(GICD, reg + (intid / 32) * 4) = 1u << (intid % 32);
}

static void gicv3_spi_set_enable(uint32_t intid, bool on)
{
	if (!is_spi(intid))
		return;
	spi_bit(on ? GICD_ISENABLER : GICD_ICENABLER, intid);
	if (!on)
		dist_wait_rwp(); /* no longer forwarded once we return */
}

static void gicv3_spi_set_pending(uint32_t intid, bool on)
{
	if (is_spi(intid))
		spi_bit(on ? GICD_ISPENDR : GICD_ICPENDR, intid);
}

static void gicv3_spi_clear_active(uint32_t intid)
{
	if (is_spi(intid))
		spi_bit(GICD_ICACTIVER, intid);
}

static uint8_t gicv3_pmr(void)
{
	return (uint8_t)read_sysreg(S3_0_C4_C6_0); /* ICC_PMR_EL1 */
}

static void gicv3_spi_set_priority(uint32_t intid, uint8_t prio)
{
	if (is_spi(intid))
		*(volatile uint8_t *)(uintptr_t)(GICD + GICD_IPRIORITYR + intid) = prio;
}

/* The GIC leaves a change of an enabled interrupt's trigger UNPREDICTABLE:
 * disabled around the write, enabled again if it was. */
static void gicv3_spi_set_trigger(uint32_t intid, bool level)
{
	uint32_t bit = 1u << (intid % 32), v;
	bool was_on;

	if (!is_spi(intid))
		return;
	spin_lock(&cfg_lock);
	was_on = *reg32(GICD, GICD_ISENABLER + (intid / 32) * 4) & bit;
	if (was_on)
		gicv3_spi_set_enable(intid, false);
	v = *reg32(GICD, GICD_ICFGR + (intid / 16) * 4);
	v &= ~(2u << (2 * (intid % 16)));
	if (!level)
		v |= 2u << (2 * (intid % 16)); /* edge */
	*reg32(GICD, GICD_ICFGR + (intid / 16) * 4) = v;
	if (was_on)
		gicv3_spi_set_enable(intid, true);
	spin_unlock(&cfg_lock);
}

/* IROUTER: Aff3, Aff2, Aff1, Aff0 of that CPU, IRM = 0. */
static void gicv3_spi_set_route(uint32_t intid, unsigned pcpu)
{
	if (is_spi(intid))
		*(volatile uint64_t *)(uintptr_t)(GICD + GICD_IROUTER + intid * 8UL) =
			cpu_mpidr(pcpu) & 0xff00ffffffULL;
}

/* ---- the virtual CPU interface: ICH_* system registers ---- */
#define ICH_HCR_EN BIT(0)
#define ICH_HCR_UIE BIT(1)

/* ICH_VTR_EL2.ListRegs, read once: the same on every CPU of the board. */
static unsigned nr_lrs;

static unsigned ich_nr_lrs(void)
{
	unsigned n = __atomic_load_n(&nr_lrs, __ATOMIC_RELAXED);

	if (__builtin_expect(n == 0, 0)) {
		n = (unsigned)(read_sysreg(S3_4_C12_C11_1) & 0x1f) + 1;
		n = n > VGIC_MAX_LRS ? VGIC_MAX_LRS : n;
		__atomic_store_n(&nr_lrs, n, __ATOMIC_RELAXED);
	}
	return n;
}

static void ich_read_lr(unsigned i, struct vgic_lr *lr)
{
	ich_lr_decode(ich_lr_access(i, false, 0), lr);
}

static void ich_write_lr(unsigned i, const struct vgic_lr *lr)
{
	ich_lr_access(i, true, ich_lr_encode(lr));
}

static uint8_t ich_lr_state(unsigned i)
{
	return (uint8_t)(ich_lr_access(i, false, 0) >> ICH_LR_STATE_SHIFT);
}

static void ich_lr_pend(unsigned i, uint32_t intid, uint8_t prio, unsigned flags)
{
	ich_lr_access(i, true, ich_lr_pending(intid, prio, flags));
}

static void ich_set_underflow(bool on)
{
	uint64_t hcr = read_sysreg(S3_4_C12_C11_0);
	write_sysreg(S3_4_C12_C11_0, on ? hcr | ICH_HCR_UIE : hcr & ~ICH_HCR_UIE);
}

/* A vCPU starts on this CPU: virtual CPU interface on, empty. */
static void ich_enable(void)
{
	unsigned prebits = (unsigned)((read_sysreg(S3_4_C12_C11_1) >> 26) & 7) + 1; /* ICH_VTR */

	/* Active priorities: a vCPU that stopped inside a handler must not
	 * start again with its running priority raised. */
	write_sysreg(S3_4_C12_C8_0, 0); /* ICH_AP0R0_EL2 */
	write_sysreg(S3_4_C12_C9_0, 0); /* ICH_AP1R0_EL2 */
	if (prebits >= 6) {
		write_sysreg(S3_4_C12_C8_1, 0);
		write_sysreg(S3_4_C12_C9_1, 0);
	}
	if (prebits >= 7) {
		write_sysreg(S3_4_C12_C8_2, 0);
		write_sysreg(S3_4_C12_C8_3, 0);
		write_sysreg(S3_4_C12_C9_2, 0);
		write_sysreg(S3_4_C12_C9_3, 0);
	}
	write_sysreg(S3_4_C12_C11_7, 0); /* ICH_VMCR_EL2 */
	write_sysreg(S3_4_C12_C11_0, ICH_HCR_EN);
	isb();
}

static void ich_disable(void)
{
	write_sysreg(S3_4_C12_C11_0, 0);
	isb();
}

const struct irqchip_ops gicv3_ops = {
	.name = "GICv3",
	.init = gicv3_init,
	.cpu_init = gicv3_cpu_init,
	.enable_ppi = gicv3_enable_ppi,
	.ack = gicv3_ack,
	.eoi = gicv3_eoi,
	.deactivate = gicv3_deactivate,
	.clear_active_ppi = gicv3_clear_active_ppi,
	.send_sgi = gicv3_send_sgi,
	.spi_enable = gicv3_spi_set_enable,
	.spi_pend = gicv3_spi_set_pending,
	.spi_clear_active = gicv3_spi_clear_active,
	.spi_priority = gicv3_spi_set_priority,
	.pmr = gicv3_pmr,
	.spi_trigger = gicv3_spi_set_trigger,
	.spi_route = gicv3_spi_set_route,
	.nr_lrs = ich_nr_lrs,
	.read_lr = ich_read_lr,
	.write_lr = ich_write_lr,
	.lr_state = ich_lr_state,
	.lr_pend = ich_lr_pend,
	.set_underflow = ich_set_underflow,
	.vif_enable = ich_enable,
	.vif_disable = ich_disable,
};
