/* The GICv2 front end of the vGIC (include/hv/vgic.h): the distributor,
 * from a const register table dispatched by reg_bank_access() (width and
 * alignment checked there). Its private INTIDs (SGIs, PPIs) are banked:
 * every access acts on the accessing vCPU's. ITARGETSR routes an SPI to a
 * vCPU of the partition; GICD_SGIR sends SGIs to the partition's vCPUs
 * only. Every interrupt is Group 0 (IGROUPR reads as zero), which GICV
 * signals as an IRQ while GICV_CTLR.FIQEn is clear, as Linux keeps it.
 *
 * The CPU interface is not emulated: the guest's GICC window is the
 * hardware's GICV, mapped by stage 2, and list registers are GICH_LR
 * (the arch's). Virtual interrupt state and delivery are the core's
 * (core/vgic.c). An SGI's source is not tracked: one pending state per
 * SGI and target, reported as from CPU 0 (Linux's handler does not look). */
#include <hv/log.h>
#include <hv/vgic.h>
#include "vgic_priv.h"

/* GICD_CTLR: Enable (bit 0), forwarding Group 0, the only group. */
static uint64_t ctlr_r(void *d, uint32_t off, unsigned w)
{
	(void)off;
	(void)w;
	return ((struct vgic_ctx *)d)->g->ctlr & 1;
}

static void ctlr_w(void *d, uint32_t off, unsigned w, uint64_t v)
{
	(void)off;
	(void)w;
	vgic_set_ctlr(((struct vgic_ctx *)d)->g, (uint32_t)v & 1);
}

static uint64_t typer_r(void *d, uint32_t off, unsigned w)
{
	struct vgic_ctx *x = d;
	(void)off;
	(void)w;
	/* CPUNumber, ITLinesNumber; no Security Extensions, no LSPIs. */
	return ((x->g->nvcpus - 1) << 5) | (VGIC_NR_IRQS / 32 - 1);
}

static uint64_t iidr_r(void *d, uint32_t off, unsigned w)
{
	(void)d;
	(void)off;
	(void)w;
	return 0x0200143b; /* Arm, GIC-400 */
}

/* PIDR4..7, PIDR0..3, CIDR0..3: a GIC-400 (PIDR2 architecture revision 2). */
static uint64_t id_r(void *d, uint32_t off, unsigned w)
{
	static const uint8_t ids[12] = { 0x04, 0, 0, 0, 0x90, 0xb4, 0x2b, 0, 0x0d, 0xf0, 0x05, 0xb1 };
	(void)d;
	(void)w;
	return ids[(off - 0xfd0) / 4];
}

/* ITARGETSR: a byte per INTID, a bit per CPU interface (vCPU). The private
 * INTIDs' read as the accessing vCPU's own bit and ignore writes; an SPI's
 * keep what was written (the partition's vCPUs only) and route it to the
 * lowest vCPU named, vCPU 0 when none is. */
static uint64_t targets_r(void *d, uint32_t off, unsigned w)
{
	struct vgic_ctx *x = d;
	uint32_t base = off - 0x800;
	uint64_t v = 0;

	for (unsigned i = 0; i < w; i++) {
		uint32_t intid = base + i;
		struct virq *q = vgic_virq(x->g, vgic_ctx_vcpu(x), intid);
		if (!q)
			continue;
		uint8_t t = intid < VGIC_NR_PRIVATE ? (uint8_t)(1u << vgic_ctx_vcpu(x)) : q->targets;
		v |= (uint64_t)t << (8 * i);
	}
	return v;
}

static void targets_w(void *d, uint32_t off, unsigned w, uint64_t v)
{
	struct vgic_ctx *x = d;
	struct vgic *g = x->g;
	uint32_t base = off - 0x800;
	uint8_t mine = (uint8_t)((1u << g->nvcpus) - 1);

	spin_lock(&g->lock);
	for (unsigned i = 0; i < w; i++) {
		uint32_t intid = base + i;
		struct virq *q;
		if (intid < VGIC_NR_PRIVATE || !(q = vgic_virq(g, vgic_ctx_vcpu(x), intid)))
			continue;
		q->targets = (uint8_t)(v >> (8 * i)) & mine;
		vgic_set_target(g, intid, q, q->targets ? (uint8_t)__builtin_ctz(q->targets) : 0);
	}
	spin_unlock(&g->lock);
}

bool vgic_v2_sgir(struct vgic *g, unsigned from, uint32_t v)
{
	uint32_t intid = v & 0xf;
	unsigned filter = (v >> 24) & 3;
	uint8_t list = (uint8_t)(v >> 16);
	bool ok = true;

	switch (filter) {
	case 0: /* the CPUs in the list */
		break;
	case 1: /* every CPU but the sender */
		list = (uint8_t)(((1u << g->nvcpus) - 1) & ~(1u << from));
		break;
	case 2: /* the sender only */
		list = (uint8_t)(1u << from);
		break;
	default: /* reserved: nothing sent */
		return false;
	}
	for (unsigned c = 0; c < 8; c++) {
		if (!(list & (1u << c)))
			continue;
		if (c < g->nvcpus)
			vgic_inject(g, c, intid);
		else
			ok = false;
	}
	return ok;
}

static void sgir_w(void *d, uint32_t off, unsigned w, uint64_t v)
{
	struct vgic_ctx *x = d;
	(void)off;
	(void)w;
	if (!vgic_v2_sgir(x->g, vgic_ctx_vcpu(x), (uint32_t)v) && x->g->faults_logged++ < 4)
		WARN("vGICv2: GICD_SGIR 0x%08x names a CPU outside the partition or a reserved filter",
		     (unsigned)v);
}

static const struct reg_desc dist_regs[] = {
	{ 0x000, 4, W32, ctlr_r, ctlr_w },
	{ 0x004, 4, W32, typer_r, NULL },
	{ 0x008, 4, W32, iidr_r, NULL },
	{ 0x080, 0x80, W32, NULL, NULL },       /* IGROUPR: all Group 0 */
	{ 0x100, 0x80, W32, vgic_isenabler_r, vgic_isenabler_w },
	{ 0x180, 0x80, W32, vgic_icenabler_r, vgic_icenabler_w },
	{ 0x200, 0x80, W32, vgic_ispendr_r, vgic_ispendr_w },
	{ 0x280, 0x80, W32, vgic_icpendr_r, vgic_icpendr_w },
	{ 0x300, 0x80, W32, vgic_isactiver_r, vgic_isactiver_w },
	{ 0x380, 0x80, W32, vgic_icactiver_r, vgic_icactiver_w },
	{ 0x400, 0x400, W8 | W32 | WSUB, vgic_prio_r, vgic_prio_w },
	{ 0x800, 0x400, W8 | W32 | WSUB, targets_r, targets_w },
	{ 0xc00, 0x100, W32, vgic_cfg_r, vgic_cfg_w },
	{ 0xf00, 4, W32, NULL, sgir_w },        /* SGIR: write-only */
	{ 0xf10, 0x20, W8 | W32 | WSUB, NULL, NULL }, /* C/SPENDSGIR: sources not kept */
	{ 0xfd0, 0x30, W32, id_r, NULL },
};
const struct reg_bank vgic_v2_dist_bank = REG_BANK(dist_regs);

/* A register bank on the vGIC's distributor context (banked: every access
 * acts on the accessing vCPU's private INTIDs); offsets past the 4 KiB
 * frame match no register, so the guest gets an abort. */
const struct mmio_device_ops vgic_v2_dist_ops = { .bank = &vgic_v2_dist_bank };
