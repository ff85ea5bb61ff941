/* Physical GICv2 (GIC-400, ARM IHI 0048B): the distributor, the EL2 CPU
 * interface (GICC, memory-mapped) and the virtual interface control (GICH)
 * whose list registers deliver a vCPU's interrupts through GICV. As QEMU
 * virt and ZynqMP run it here, without the Security Extensions or with the
 * hypervisor in Non-secure state: every interrupt is Group 0 to the
 * distributor, signalled as IRQ. At most 8 CPU interfaces: each CPU's
 * number is read from its banked GICD_ITARGETSR0 at cpu_init. */
#include <arch/cpu.h>
#include <arch/sysreg.h>
#include <drivers/irqchip.h>
#include <hv/arch.h>
#include <hv/gic_lr.h>
#include <hv/log.h>
#include <hv/vgic.h>
#include <platform.h>

#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_IGROUPR 0x080
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ISPENDR 0x200
#define GICD_ICPENDR 0x280
#define GICD_ICACTIVER 0x380
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_ICFGR 0xc00
#define GICD_SGIR 0xf00

#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_BPR 0x008
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010
#define GICC_CTLR_ENABLE 1u
#define GICC_CTLR_EOIMODE (1u << 9) /* EOIR drops priority, DIR deactivates */

#define GICH_HCR 0x000
#define GICH_VTR 0x004
#define GICH_VMCR 0x008
#define GICH_APR 0x0f0
#define GICH_LR(n) (0x100 + 4 * (n))
#define GICH_HCR_EN 1u
#define GICH_HCR_UIE 2u

#define HV_IRQ_PRIO 0xa0
#define SPI_END 1020

static struct gic_desc gd;
static uint8_t cpu_if[CONFIG_MAX_CPUS]; /* each CPU's interface bit, by index */
/* Each SPI's route as asked (its CPU + 1; 0: none): one asked for before
 * its CPU's interface number is known (the drivers' interrupts are routed
 * before the secondaries start) is written by that CPU's cpu_init. */
static uint8_t route_want[SPI_END];
static unsigned nr_lrs;
static spinlock_t cfg_lock; /* ICFGR and ITARGETSR are read, modified, written */

static inline volatile uint32_t *reg(paddr_t base, uintptr_t off)
{
	return (volatile uint32_t *)(uintptr_t)(base + off);
}
#define D(off) reg(gd.dist.base, off)
#define C(off) reg(gd.cpu.base, off)
#define H(off) reg(gd.hyp.base, off)

static int gicv2_init(const struct gic_desc *d)
{
	uint32_t lines;

	gd = *d;
	lines = ((*D(GICD_TYPER) & 0x1f) + 1) * 32;
	*D(GICD_CTLR) = 0;
	for (uint32_t i = 32; i < lines; i += 32) {
		*D(GICD_ICENABLER + i / 8) = 0xffffffff;
		*D(GICD_ICPENDR + i / 8) = 0xffffffff;
		*D(GICD_ICACTIVER + i / 8) = 0xffffffff;
		*D(GICD_IGROUPR + i / 8) = 0;
	}
	for (uint32_t i = 32; i < lines; i += 4)
		*D(GICD_IPRIORITYR + i) = 0xa0a0a0a0;
	*D(GICD_CTLR) = 1;
	return 0;
}

static int gicv2_cpu_init(unsigned cpu)
{
	uint8_t self = (uint8_t)*D(GICD_ITARGETSR); /* SGI 0's byte: this CPU */

	if (!self || (self & (self - 1)) || cpu >= CONFIG_MAX_CPUS)
		return -1; /* no interface, or not one CPU's */
	__atomic_store_n(&cpu_if[cpu], self, __ATOMIC_SEQ_CST);
	for (uint32_t i = 32; i < SPI_END; i++)
		if (__atomic_load_n(&route_want[i], __ATOMIC_SEQ_CST) == cpu + 1)
			*(volatile uint8_t *)(uintptr_t)(gd.dist.base + GICD_ITARGETSR + i) = self;
	*D(GICD_ICENABLER) = 0xffffffff;
	*D(GICD_ICACTIVER) = 0xffffffff;
	*D(GICD_IGROUPR) = 0;
	for (unsigned i = 0; i < 32; i += 4)
		*D(GICD_IPRIORITYR + i) = 0xa0a0a0a0;
	/* Always on: the kick and work SGIs, the vGIC maintenance interrupt,
	 * the EL2 timer, the guest's virtual timer. */
	*D(GICD_ISENABLER) = (1u << SGI_KICK) | (1u << SGI_WORK) | (1u << VGIC_PPI_MAINT) |
			     (1u << PLATFORM_HV_TIMER_PPI) | (1u << VGIC_PPI_VTIMER);
	*C(GICC_PMR) = 0xff;
	*C(GICC_BPR) = 0;
	*C(GICC_CTLR) = GICC_CTLR_ENABLE | GICC_CTLR_EOIMODE;
	if (!nr_lrs) {
		unsigned n = (*H(GICH_VTR) & 0x3f) + 1;
		__atomic_store_n(&nr_lrs, n > VGIC_MAX_LRS ? VGIC_MAX_LRS : n, __ATOMIC_RELAXED);
	}
	*H(GICH_HCR) = 0;
	return 0;
}

static uint8_t gicv2_pmr(void)
{
	return (uint8_t)*C(GICC_PMR);
}

static void gicv2_enable_ppi(uint32_t intid)
{
	*D(GICD_ISENABLER) = 1u << intid; /* banked: this CPU's */
}

static uint32_t gicv2_ack(void)
{
	uint32_t v = *C(GICC_IAR);
	dsb(sy);
	return v & 0x1fff; /* INTID and, for an SGI, the source CPU */
}

static void gicv2_eoi(uint32_t iar)
{
	*C(GICC_EOIR) = iar;
}

static void gicv2_deactivate(uint32_t iar)
{
	*C(gd.page1) = iar; /* GICC_DIR, in the CPU interface's second page */
}

static void gicv2_clear_active_ppi(uint32_t intid)
{
	if (intid < 32)
		*D(GICD_ICACTIVER) = 1u << intid;
}

static void gicv2_send_sgi(unsigned pcpu, uint32_t sgi)
{
	dsb(ishst);
	*D(GICD_SGIR) = ((uint32_t)cpu_if[pcpu] << 16) | (sgi & 0xf);
}

static bool is_spi(uint32_t intid)
{
	return intid >= 32 && intid < SPI_END;
}

static void spi_bit(uintptr_t r, uint32_t intid)
{
	*D(r + (intid / 32) * 4) = 1u << (intid % 32);
}

static void gicv2_spi_enable(uint32_t intid, bool on)
{
	if (!is_spi(intid))
		return;
	spi_bit(on ? GICD_ISENABLER : GICD_ICENABLER, intid);
	dsb(sy); /* GICv2 has no RWP: the write has reached the distributor */
}

static void gicv2_spi_pend(uint32_t intid, bool on)
{
	if (is_spi(intid))
		spi_bit(on ? GICD_ISPENDR : GICD_ICPENDR, intid);
}

static void gicv2_spi_clear_active(uint32_t intid)
{
	if (is_spi(intid))
		spi_bit(GICD_ICACTIVER, intid);
}

static void gicv2_spi_priority(uint32_t intid, uint8_t prio)
{
	if (is_spi(intid))
		*(volatile uint8_t *)(uintptr_t)(gd.dist.base + GICD_IPRIORITYR + intid) = prio;
}

static void gicv2_spi_trigger(uint32_t intid, bool level)
{
	uint32_t bit = 1u << (intid % 32), v;
	bool was_on;

	if (!is_spi(intid))
		return;
	spin_lock(&cfg_lock);
	was_on = *D(GICD_ISENABLER + (intid / 32) * 4) & bit;
	if (was_on)
		gicv2_spi_enable(intid, false);
	v = *D(GICD_ICFGR + (intid / 16) * 4) & ~(2u << (2 * (intid % 16)));
	if (!level)
		v |= 2u << (2 * (intid % 16)); /* edge */
	*D(GICD_ICFGR + (intid / 16) * 4) = v;
	if (was_on)
		gicv2_spi_enable(intid, true);
	spin_unlock(&cfg_lock);
}

static void gicv2_spi_route(uint32_t intid, unsigned pcpu)
{
	uint8_t to;

	if (!is_spi(intid) || pcpu >= CONFIG_MAX_CPUS)
		return;
	__atomic_store_n(&route_want[intid], (uint8_t)(pcpu + 1), __ATOMIC_SEQ_CST);
	if ((to = __atomic_load_n(&cpu_if[pcpu], __ATOMIC_SEQ_CST)))
		*(volatile uint8_t *)(uintptr_t)(gd.dist.base + GICD_ITARGETSR + intid) = to;
}

/* ---- the virtual interface control: GICH ---- */

static unsigned gich_nr_lrs(void)
{
	return __atomic_load_n(&nr_lrs, __ATOMIC_RELAXED);
}

static void gich_read_lr(unsigned i, struct vgic_lr *lr)
{
	gich_lr_decode(*H(GICH_LR(i)), lr);
}

static void gich_write_lr(unsigned i, const struct vgic_lr *lr)
{
	*H(GICH_LR(i)) = gich_lr_encode(lr);
}

static uint8_t gich_lr_state(unsigned i)
{
	return (uint8_t)((*H(GICH_LR(i)) >> GICH_LR_STATE_SHIFT) & 3);
}

static void gich_lr_pend(unsigned i, uint32_t intid, uint8_t prio, unsigned flags)
{
	struct vgic_lr lr = { .vintid = intid, .prio = prio, .state = VGIC_LR_PENDING,
			      .hw = flags & VGIC_LR_F_HW, .pintid = (uint16_t)intid,
			      .group1 = flags & VGIC_LR_F_GROUP1, .eoi = flags & VGIC_LR_F_EOI };
	gich_write_lr(i, &lr);
}

static void gich_set_underflow(bool on)
{
	uint32_t hcr = *H(GICH_HCR);
	*H(GICH_HCR) = on ? hcr | GICH_HCR_UIE : hcr & ~GICH_HCR_UIE;
}

/* A vCPU starts here: no active priorities, its virtual CPU interface
 * disabled until it enables it, every list register empty. */
static void gich_enable(void)
{
	*H(GICH_APR) = 0;
	*H(GICH_VMCR) = 0;
	*H(GICH_HCR) = GICH_HCR_EN;
}

static void gich_disable(void)
{
	*H(GICH_HCR) = 0;
}

const struct irqchip_ops gicv2_ops = {
	.name = "GICv2",
	.init = gicv2_init,
	.cpu_init = gicv2_cpu_init,
	.enable_ppi = gicv2_enable_ppi,
	.ack = gicv2_ack,
	.eoi = gicv2_eoi,
	.deactivate = gicv2_deactivate,
	.clear_active_ppi = gicv2_clear_active_ppi,
	.send_sgi = gicv2_send_sgi,
	.spi_enable = gicv2_spi_enable,
	.spi_pend = gicv2_spi_pend,
	.spi_clear_active = gicv2_spi_clear_active,
	.spi_priority = gicv2_spi_priority,
	.pmr = gicv2_pmr,
	.spi_trigger = gicv2_spi_trigger,
	.spi_route = gicv2_spi_route,
	.nr_lrs = gich_nr_lrs,
	.read_lr = gich_read_lr,
	.write_lr = gich_write_lr,
	.lr_state = gich_lr_state,
	.lr_pend = gich_lr_pend,
	.set_underflow = gich_set_underflow,
	.vif_enable = gich_enable,
	.vif_disable = gich_disable,
};
