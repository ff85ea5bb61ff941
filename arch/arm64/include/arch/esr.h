/* ESR_EL2 decoding (Arm ARM D17.2.37). Pure functions: host-testable. */
#ifndef ARCH_ESR_H
#define ARCH_ESR_H

#include <hv/types.h>

#define ESR_EC_SHIFT 26
#define ESR_EC(esr) ((unsigned)(((esr) >> ESR_EC_SHIFT) & 0x3f))
#define ESR_IL BIT(25)
#define ESR_ISS(esr) ((esr) & 0x1ffffffULL)

enum esr_ec {
	EC_UNKNOWN = 0x00,
	EC_WFX = 0x01,
	EC_FP_ASIMD = 0x07,
	EC_ILLEGAL = 0x0e,
	EC_SVC64 = 0x15,
	EC_HVC64 = 0x16,
	EC_SMC64 = 0x17,
	EC_SYS64 = 0x18,
	EC_SVE = 0x19,
	EC_IABT_LOW = 0x20,
	EC_IABT_CUR = 0x21,
	EC_PC_ALIGN = 0x22,
	EC_DABT_LOW = 0x24,
	EC_DABT_CUR = 0x25,
	EC_SP_ALIGN = 0x26,
	EC_SERROR = 0x2f,
	EC_BRK64 = 0x3c,
	EC_MAX = 0x3f,
};

/* Data abort ISS. */
#define ISS_DA_ISV BIT(24)
#define ISS_DA_SAS_SHIFT 22
#define ISS_DA_SSE BIT(21)
#define ISS_DA_SRT_SHIFT 16
#define ISS_DA_SF BIT(15)
#define ISS_DA_AR BIT(14)
#define ISS_DA_FNV BIT(10)
#define ISS_DA_EA BIT(9)
#define ISS_DA_S1PTW BIT(7)
#define ISS_DA_WNR BIT(6)
#define ISS_FSC(iss) ((unsigned)((iss) & 0x3f))
#define FSC_SEA 0x10

struct dabt_info {
	bool valid;      /* ISV: the syndrome describes the access */
	bool write;
	bool sign_extend;
	bool sf;         /* 64-bit register */
	unsigned width;  /* bytes: 1, 2, 4, 8 */
	unsigned reg;    /* Rt, 31 = xzr */
	unsigned fsc;
	bool s1ptw;
};

static inline struct dabt_info esr_decode_dabt(uint64_t esr)
{
	uint64_t iss = ESR_ISS(esr);
	struct dabt_info d = {
		.valid = (iss & ISS_DA_ISV) != 0,
		.write = (iss & ISS_DA_WNR) != 0,
		.sign_extend = (iss & ISS_DA_SSE) != 0,
		.sf = (iss & ISS_DA_SF) != 0,
		.width = 1u << ((iss >> ISS_DA_SAS_SHIFT) & 3),
		.reg = (unsigned)((iss >> ISS_DA_SRT_SHIFT) & 31),
		.fsc = ISS_FSC(iss),
		.s1ptw = (iss & ISS_DA_S1PTW) != 0,
	};
	return d;
}

/* Trapped MSR/MRS/system instruction (EC 0x18) ISS. */
struct sysreg_info {
	unsigned op0, op1, crn, crm, op2;
	unsigned reg;
	bool read; /* MRS */
};

#define SYSREG_KEY(op0, op1, crn, crm, op2) \
	(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2))

static inline struct sysreg_info esr_decode_sysreg(uint64_t esr)
{
	uint64_t iss = ESR_ISS(esr);
	struct sysreg_info s = {
		.op0 = (unsigned)((iss >> 20) & 3),
		.op2 = (unsigned)((iss >> 17) & 7),
		.op1 = (unsigned)((iss >> 14) & 7),
		.crn = (unsigned)((iss >> 10) & 15),
		.reg = (unsigned)((iss >> 5) & 31),
		.crm = (unsigned)((iss >> 1) & 15),
		.read = (iss & 1) != 0,
	};
	return s;
}

static inline unsigned sysreg_key(const struct sysreg_info *s)
{
	return SYSREG_KEY(s->op0, s->op1, s->crn, s->crm, s->op2);
}

static inline unsigned esr_hvc_imm(uint64_t esr)
{
	return (unsigned)(esr & 0xffff);
}

/* Syndromes the hypervisor injects into a guest's EL1. */
static inline uint64_t esr_make_sea(bool from_el0, bool instr, bool write)
{
	unsigned ec = instr ? (from_el0 ? EC_IABT_LOW : EC_IABT_CUR)
			    : (from_el0 ? EC_DABT_LOW : EC_DABT_CUR);
	return ((uint64_t)ec << ESR_EC_SHIFT) | ESR_IL | FSC_SEA |
	       (!instr && write ? ISS_DA_WNR : 0);
}

static inline uint64_t esr_make_undef(void)
{
	return ((uint64_t)EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL;
}

/* SPSR mode field and the vector offset of an exception taken to EL1. */
#define PSR_MODE_MASK 0x1f
#define PSR_MODE_EL0t 0x0
#define PSR_MODE_EL1t 0x4
#define PSR_MODE_EL1h 0x5
#define PSR_AARCH32 0x10
#define PSR_DAIF (0xfULL << 6)

static inline uint64_t el1_vector_offset(uint64_t spsr)
{
	unsigned m = spsr & PSR_MODE_MASK;
	if (m & PSR_AARCH32)
		return 0x600;
	if (m == PSR_MODE_EL0t)
		return 0x400;
	return m == PSR_MODE_EL1h ? 0x200 : 0x000;
}

#endif
