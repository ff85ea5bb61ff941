/* The GICv3 front end of the vGIC (include/hv/vgic.h): the distributor
 * (affinity routing always on) and one redistributor frame per vCPU, from
 * const register tables dispatched by reg_bank_access(), which checks
 * width and alignment; and the guest's ICC_SGI1R_EL1. Virtual interrupt
 * state and delivery are the core's (core/vgic.c). */
#include <hv/log.h>
#include <hv/vgic.h>
#include "vgic_priv.h"

bool vgic_send_sgi(struct vgic *g, unsigned from, uint64_t v)
{
	uint32_t intid = (uint32_t)(v >> 24) & 0xf;
	uint16_t targets = (uint16_t)v;
	bool irm = (v >> 40) & 1;
	bool ok = true;

	if (irm) {
		for (unsigned c = 0; c < g->nvcpus; c++)
			if (c != from)
				vgic_inject(g, c, intid);
		return true;
	}
	/* Our vCPUs have MPIDR Aff0 = index, every other affinity field 0. */
	if (((v >> 16) & 0xff) || ((v >> 32) & 0xff) || ((v >> 48) & 0xff) || ((v >> 44) & 0xf))
		return false;
	for (unsigned c = 0; c < 16; c++) {
		if (!(targets & (1u << c)))
			continue;
		if (c < g->nvcpus)
			vgic_inject(g, c, intid);
		else
			ok = false;
	}
	return ok;
}

/* GICv3 PIDR2: architecture revision 3. The rest identify an Arm GIC. */
static uint64_t id_r(void *d, uint32_t off, unsigned w)
{
	static const uint8_t ids[12] = { 0x44, 0, 0, 0, 0x92, 0xb4, 0x3b, 0, 0x0d, 0xf0, 0x05, 0xb1 };
	(void)d;
	(void)w;
	return ids[((off & 0xffff) - 0xffd0) / 4];
}

static uint64_t dctlr_r(void *d, uint32_t off, unsigned w)
{
	(void)off;
	(void)w;
	/* DS (single security state), ARE always on, enables as written. */
	return ((struct vgic_ctx *)d)->g->ctlr | BIT(6) | BIT(4);
}

static void dctlr_w(void *d, uint32_t off, unsigned w, uint64_t v)
{
	(void)off;
	(void)w;
	vgic_set_ctlr(((struct vgic_ctx *)d)->g, (uint32_t)v & 3);
}

static uint64_t typer_r(void *d, uint32_t off, unsigned w)
{
	struct vgic_ctx *x = d;
	(void)off;
	(void)w;
	/* IDbits = 9 (10-bit INTIDs), CPUNumber, ITLinesNumber. */
	return (9u << 19) | ((x->g->nvcpus - 1) << 5) | (VGIC_NR_IRQS / 32 - 1);
}

static uint64_t iidr_r(void *d, uint32_t off, unsigned w)
{
	(void)d;
	(void)off;
	(void)w;
	return 0x0300043b; /* Arm, GIC-500-like product */
}

static uint64_t irouter_r(void *d, uint32_t off, unsigned w)
{
	struct vgic_ctx *x = d;
	uint32_t intid = (off - 0x6000) / 8;
	struct virq *q = intid >= VGIC_NR_PRIVATE ? vgic_virq(x->g, 0, intid) : NULL;
	uint64_t v = q ? q->irouter : 0;
	return w == 8 ? v : (uint32_t)(v >> ((off & 4) * 8));
}

static void irouter_w(void *d, uint32_t off, unsigned w, uint64_t v)
{
	struct vgic_ctx *x = d;
	uint32_t intid = (off - 0x6000) / 8;
	struct virq *q = intid >= VGIC_NR_PRIVATE ? vgic_virq(x->g, 0, intid) : NULL;
	(void)w;

	if (!q)
		return;
	spin_lock(&x->g->lock);
	if (w == 4) /* one half */
		v = off & 4 ? (q->irouter & 0xffffffffULL) | (v << 32)
			    : (q->irouter & ~0xffffffffULL) | (uint32_t)v;
	q->irouter = v & 0xff80ffffffULL; /* Aff3, IRM, Aff2, Aff1, Aff0 */
	v = q->irouter;
	/* IRM (any CPU) or a vCPU outside the partition: vCPU 0. */
	uint8_t t = !(v & BIT(31)) && !(v & 0xff00ffff00ULL) && (v & 0xff) < x->g->nvcpus
			    ? (uint8_t)(v & 0xff)
			    : 0;
	vgic_set_target(x->g, intid, q, t);
	spin_unlock(&x->g->lock);
}

static const struct reg_desc dist_regs[] = {
	{ 0x0000, 4, W32, dctlr_r, dctlr_w },
	{ 0x0004, 4, W32, typer_r, NULL },
	{ 0x0008, 4, W32, iidr_r, NULL },
	{ 0x000c, 4, W32, NULL, NULL },        /* TYPER2 */
	{ 0x0010, 4, W32, NULL, NULL },        /* STATUSR */
	{ 0x0080, 0x80, W32, vgic_rao_r, NULL },    /* IGROUPR: all Group 1 */
	{ 0x0100, 0x80, W32, vgic_isenabler_r, vgic_isenabler_w },
	{ 0x0180, 0x80, W32, vgic_icenabler_r, vgic_icenabler_w },
	{ 0x0200, 0x80, W32, vgic_ispendr_r, vgic_ispendr_w },
	{ 0x0280, 0x80, W32, vgic_icpendr_r, vgic_icpendr_w },
	{ 0x0300, 0x80, W32, vgic_isactiver_r, vgic_isactiver_w },
	{ 0x0380, 0x80, W32, vgic_icactiver_r, vgic_icactiver_w },
	{ 0x0400, 0x400, W8 | W32 | WSUB, vgic_prio_r, vgic_prio_w },
	{ 0x0800, 0x400, W8 | W32 | WSUB, NULL, NULL }, /* ITARGETSR: ARE=1 */
	{ 0x0c00, 0x100, W32, vgic_cfg_r, vgic_cfg_w },
	{ 0x0d00, 0x80, W32, NULL, NULL },     /* IGRPMODR */
	{ 0x0e00, 0x100, W32, NULL, NULL },    /* NSACR */
	{ 0x0f00, 4, W32, NULL, NULL },        /* SGIR: ARE=1 */
	{ 0x0f10, 0x20, W8 | W32 | WSUB, NULL, NULL }, /* C/SPENDSGIR */
	{ 0x6000, 0x2000, W32 | W64 | WSUB, irouter_r, irouter_w },
	{ 0xffd0, 0x30, W32, id_r, NULL },
};
const struct reg_bank vgic_dist_bank = REG_BANK(dist_regs);

static uint64_t rtyper_r(void *d, uint32_t off, unsigned w)
{
	struct vgic_ctx *x = d;
	uint64_t v = ((uint64_t)x->vcpu << 32) | ((uint64_t)x->vcpu << 8) |
		     (x->vcpu == x->g->nvcpus - 1 ? BIT(4) : 0);
	if (w == 8)
		return v;
	return off & 4 ? v >> 32 : (uint32_t)v; /* upper half: Affinity_Value */
}

static uint64_t waker_r(void *d, uint32_t off, unsigned w)
{
	struct vgic_ctx *x = d;
	(void)off;
	(void)w;
	uint32_t ps = x->g->cpu[x->vcpu].waker & 2;
	return ps | (ps << 1); /* ChildrenAsleep follows ProcessorSleep */
}

static void waker_w(void *d, uint32_t off, unsigned w, uint64_t v)
{
	struct vgic_ctx *x = d;
	(void)off;
	(void)w;
	x->g->cpu[x->vcpu].waker = (uint32_t)v & 2;
}

#define SGI 0x10000
static const struct reg_desc rdist_regs[] = {
	{ 0x0000, 4, W32, NULL, NULL },       /* CTLR: no LPIs */
	{ 0x0004, 4, W32, iidr_r, NULL },
	{ 0x0008, 8, W32 | W64 | WSUB, rtyper_r, NULL }, /* and its upper half */
	{ 0x0010, 4, W32, NULL, NULL },       /* STATUSR */
	{ 0x0014, 4, W32, waker_r, waker_w },
	{ 0x0070, 8, W64, NULL, NULL },       /* PROPBASER */
	{ 0x0078, 8, W64, NULL, NULL },       /* PENDBASER */
	{ 0xffd0, 0x30, W32, id_r, NULL },
	{ SGI + 0x0080, 4, W32, vgic_rao_r, NULL },
	{ SGI + 0x0100, 4, W32, vgic_isenabler_r, vgic_isenabler_w },
	{ SGI + 0x0180, 4, W32, vgic_icenabler_r, vgic_icenabler_w },
	{ SGI + 0x0200, 4, W32, vgic_ispendr_r, vgic_ispendr_w },
	{ SGI + 0x0280, 4, W32, vgic_icpendr_r, vgic_icpendr_w },
	{ SGI + 0x0300, 4, W32, vgic_isactiver_r, vgic_isactiver_w },
	{ SGI + 0x0380, 4, W32, vgic_icactiver_r, vgic_icactiver_w },
	{ SGI + 0x0400, 0x20, W8 | W32 | WSUB, vgic_prio_r, vgic_prio_w },
	{ SGI + 0x0c00, 8, W32, vgic_cfg_r, vgic_cfg_w },
	{ SGI + 0x0d00, 4, W32, NULL, NULL }, /* IGRPMODR0 */
	{ SGI + 0x0e00, 4, W32, NULL, NULL }, /* NSACR */
};
const struct reg_bank vgic_rdist_bank = REG_BANK(rdist_regs);

/* A frame per vCPU; accesses beyond the last vCPU's frame abort. */
static int rdist_access(void *dev, uint64_t off, unsigned width, bool write, uint64_t *val)
{
	struct vgic *g = dev;
	struct vgic_ctx x = { g, (unsigned)(off / VGIC_RDIST_STRIDE), true, false };

	if (x.vcpu >= g->nvcpus)
		return -1;
	return reg_bank_access(&vgic_rdist_bank, &x, (uint32_t)(off % VGIC_RDIST_STRIDE), width, write,
			       val);
}

/* The distributor's bank, with the vGIC's own lock taken by the registers
 * that need it. */
const struct mmio_device_ops vgic_dist_ops = { .bank = &vgic_dist_bank };
const struct mmio_device_ops vgic_rdist_ops = { .access = rdist_access };
