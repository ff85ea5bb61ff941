/* What the vGIC's core (core/vgic.c) gives its front ends (core/vgic_v3.c,
 * core/vgic_v2.c): virtual interrupt lookup and kicks, and the register
 * accessors whose layout both architectures share (a bit, a byte or two
 * bits per interrupt). Their d is a struct vgic_ctx. */
#ifndef CORE_VGIC_PRIV_H
#define CORE_VGIC_PRIV_H

#include <hv/vgic.h>

/* The virtual interrupt intid of vCPU vcpu (private) or of the vGIC (SPI),
 * or NULL out of range. */
struct virq *vgic_virq(struct vgic *g, unsigned vcpu, uint32_t intid);
/* Make the vCPU's physical CPU look at its interrupts again. */
void vgic_kick(struct vgic *g, unsigned vcpu);
/* SPI q (intid) routed to vCPU t, with the lock held. While q sits in its
 * target's list register that vCPU keeps it, and t takes over when the
 * list register frees: a list-register index only ever names its own
 * vCPU's (a guest retargeting an SPI in flight cannot make another vCPU's
 * list register be overwritten). */
void vgic_set_target(struct vgic *g, uint32_t intid, struct virq *q, uint8_t t);
/* GICD_CTLR's enable bits as written; every vCPU looks again. */
void vgic_set_ctlr(struct vgic *g, uint32_t ctlr);
/* A physical SPI bound to this vGIC (its registers are mirrored). */
bool vgic_bound_spi(const struct virq *q, uint32_t intid);

/* The vCPU whose private INTIDs a register access acts on: a GICv2
 * distributor's banked registers are the accessing vCPU's (MMIO is
 * trapped on the vCPU's own CPU), a redistributor's its own. */
static inline unsigned vgic_ctx_vcpu(const struct vgic_ctx *x)
{
	if (x->banked) {
		int v = arch_vgic_local_vcpu(x->g);
		return v < 0 ? 0 : (unsigned)v;
	}
	return x->vcpu;
}

/* I/ISENABLER, I/ISPENDR, I/ISACTIVER (off within the register block). */
uint64_t vgic_isenabler_r(void *d, uint32_t off, unsigned w);
void vgic_isenabler_w(void *d, uint32_t off, unsigned w, uint64_t v);
uint64_t vgic_icenabler_r(void *d, uint32_t off, unsigned w);
void vgic_icenabler_w(void *d, uint32_t off, unsigned w, uint64_t v);
uint64_t vgic_ispendr_r(void *d, uint32_t off, unsigned w);
void vgic_ispendr_w(void *d, uint32_t off, unsigned w, uint64_t v);
uint64_t vgic_icpendr_r(void *d, uint32_t off, unsigned w);
void vgic_icpendr_w(void *d, uint32_t off, unsigned w, uint64_t v);
uint64_t vgic_isactiver_r(void *d, uint32_t off, unsigned w);
void vgic_isactiver_w(void *d, uint32_t off, unsigned w, uint64_t v);
uint64_t vgic_icactiver_r(void *d, uint32_t off, unsigned w);
void vgic_icactiver_w(void *d, uint32_t off, unsigned w, uint64_t v);
/* IPRIORITYR (a byte each), ICFGR (two bits each), IGROUPR (all ones). */
uint64_t vgic_prio_r(void *d, uint32_t off, unsigned w);
void vgic_prio_w(void *d, uint32_t off, unsigned w, uint64_t v);
uint64_t vgic_cfg_r(void *d, uint32_t off, unsigned w);
void vgic_cfg_w(void *d, uint32_t off, unsigned w, uint64_t v);
uint64_t vgic_rao_r(void *d, uint32_t off, unsigned w);

#endif
