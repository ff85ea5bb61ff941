/* List-register encodings of the two CPU interfaces, for the arch code
 * that reads and writes them and for the fake arch of the unit tests. The
 * vGIC core works on struct vgic_lr only. */
#ifndef HV_GIC_LR_H
#define HV_GIC_LR_H

#include <hv/vgic.h>

/* ICH_LR<n>_EL2 (GICv3 architecture 12.5.x): state 63:62, HW 61,
 * Group 60, priority 55:48, pINTID 44:32 with HW (else bit 41 = EOI),
 * vINTID 31:0. */
#define ICH_LR_STATE_SHIFT 62
#define ICH_LR_HW (1ULL << 61)
#define ICH_LR_GROUP1 (1ULL << 60)
#define ICH_LR_PRIO_SHIFT 48
#define ICH_LR_PINTID_SHIFT 32
#define ICH_LR_EOI (1ULL << 41)

static inline uint64_t ich_lr_encode(const struct vgic_lr *l)
{
	uint64_t v = (uint64_t)(l->state & 3) << ICH_LR_STATE_SHIFT |
		     (uint64_t)l->prio << ICH_LR_PRIO_SHIFT | l->vintid;

	if (l->group1)
		v |= ICH_LR_GROUP1;
	if (l->hw)
		v |= ICH_LR_HW | (uint64_t)(l->pintid & 0x1fff) << ICH_LR_PINTID_SHIFT;
	else if (l->eoi)
		v |= ICH_LR_EOI;
	return v;
}

/* A pending one (arch_vgic_lr_pend). */
static inline uint64_t ich_lr_pending(uint32_t intid, uint8_t prio, unsigned flags)
{
	uint64_t v = (uint64_t)VGIC_LR_PENDING << ICH_LR_STATE_SHIFT |
		     (uint64_t)prio << ICH_LR_PRIO_SHIFT | intid;

	if (flags & VGIC_LR_F_GROUP1)
		v |= ICH_LR_GROUP1;
	if (flags & VGIC_LR_F_HW)
		return v | ICH_LR_HW | (uint64_t)intid << ICH_LR_PINTID_SHIFT;
	return flags & VGIC_LR_F_EOI ? v | ICH_LR_EOI : v;
}

static inline void ich_lr_decode(uint64_t v, struct vgic_lr *l)
{
	l->vintid = (uint32_t)v;
	l->state = (uint8_t)(v >> ICH_LR_STATE_SHIFT);
	l->hw = (v & ICH_LR_HW) != 0;
	l->group1 = (v & ICH_LR_GROUP1) != 0;
	l->prio = (uint8_t)(v >> ICH_LR_PRIO_SHIFT);
	l->pintid = l->hw ? (uint16_t)((v >> ICH_LR_PINTID_SHIFT) & 0x3ff) : 0;
	l->eoi = !l->hw && (v & ICH_LR_EOI);
	l->source = 0;
}

/* GICH_LR<n> (GICv2 architecture 5.3.x, 32 bits): HW 31, Group 1 30,
 * state 29:28, priority 27:23 (the top five bits), pINTID 19:10 with HW,
 * else EOI 19 and an SGI's source CPU 12:10; vINTID 9:0. */
#define GICH_LR_HW (1u << 31)
#define GICH_LR_GROUP1 (1u << 30)
#define GICH_LR_STATE_SHIFT 28
#define GICH_LR_PRIO_SHIFT 23
#define GICH_LR_PINTID_SHIFT 10
#define GICH_LR_EOI (1u << 19)
#define GICH_LR_CPUID_SHIFT 10

static inline uint32_t gich_lr_encode(const struct vgic_lr *l)
{
	uint32_t v = (uint32_t)(l->state & 3) << GICH_LR_STATE_SHIFT |
		     (uint32_t)(l->prio >> 3) << GICH_LR_PRIO_SHIFT | (l->vintid & 0x3ff);

	if (l->group1)
		v |= GICH_LR_GROUP1;
	if (l->hw)
		return v | GICH_LR_HW | (uint32_t)(l->pintid & 0x3ff) << GICH_LR_PINTID_SHIFT;
	if (l->eoi)
		v |= GICH_LR_EOI;
	if (l->vintid < 16)
		v |= (uint32_t)(l->source & 7) << GICH_LR_CPUID_SHIFT;
	return v;
}

static inline void gich_lr_decode(uint32_t v, struct vgic_lr *l)
{
	l->vintid = v & 0x3ff;
	l->state = (uint8_t)((v >> GICH_LR_STATE_SHIFT) & 3);
	l->hw = (v & GICH_LR_HW) != 0;
	l->group1 = (v & GICH_LR_GROUP1) != 0;
	l->prio = (uint8_t)(((v >> GICH_LR_PRIO_SHIFT) & 0x1f) << 3);
	l->pintid = l->hw ? (uint16_t)((v >> GICH_LR_PINTID_SHIFT) & 0x3ff) : 0;
	l->eoi = !l->hw && (v & GICH_LR_EOI);
	l->source = !l->hw && l->vintid < 16 ? (uint8_t)((v >> GICH_LR_CPUID_SHIFT) & 7) : 0;
}

#endif
