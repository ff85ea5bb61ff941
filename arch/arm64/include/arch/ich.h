/* The GICv3 virtual CPU interface's list registers, ICH_LR<n>_EL2, by
 * index: for drivers/gicv3.c and for the interrupt paths of
 * arch/arm64/vgic_hw.c, which inline them (the virtual timer's path is
 * counted in instructions, docs/performance.md). */
#ifndef ARCH_ICH_H
#define ARCH_ICH_H

#include <arch/sysreg.h>
#include <hv/types.h>

#define LR_CASE(n, crm, op2)                                   \
	case n:                                                \
		if (write)                                     \
			write_sysreg(S3_4_C12_##crm##_##op2, v); \
		else                                           \
			v = read_sysreg(S3_4_C12_##crm##_##op2); \
		break;

static inline __attribute__((always_inline)) uint64_t ich_lr_access(unsigned i, bool write,
							    uint64_t v)
{
	switch (i) {
		LR_CASE(0, C12, 0)
		LR_CASE(1, C12, 1)
		LR_CASE(2, C12, 2)
		LR_CASE(3, C12, 3)
		LR_CASE(4, C12, 4)
		LR_CASE(5, C12, 5)
		LR_CASE(6, C12, 6)
		LR_CASE(7, C12, 7)
		LR_CASE(8, C13, 0)
		LR_CASE(9, C13, 1)
		LR_CASE(10, C13, 2)
		LR_CASE(11, C13, 3)
		LR_CASE(12, C13, 4)
		LR_CASE(13, C13, 5)
		LR_CASE(14, C13, 6)
		LR_CASE(15, C13, 7)
	}
	return v;
}

/* The EL2 CPU interface's acknowledge and priority drop (ICC_IAR1_EL1,
 * ICC_EOIR1_EL1), inline for the interrupt path. */
static inline __attribute__((always_inline)) uint32_t icc_ack(void)
{
	uint32_t v = (uint32_t)read_sysreg(S3_0_C12_C12_0);
	dsb(sy);
	return v & 0xffffff;
}

static inline __attribute__((always_inline)) void icc_eoi(uint32_t intid)
{
	write_sysreg(S3_0_C12_C12_1, intid);
	isb();
}

#endif
