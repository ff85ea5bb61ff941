/* The register frame saved on the hypervisor stack at every exception: the
 * general registers only. The guest's FP/SIMD registers stay live at EL2;
 * the hypervisor's C code is built with -mgeneral-regs-only, and library
 * code that does use them (picolibc's printf, libfdt) traps on its first
 * FP instruction (CPTR_EL2.TFP, set on entry from a guest), which saves the
 * guest's registers once (fpsimd_claim) for the exit to load back. */
#ifndef ARCH_FRAME_H
#define ARCH_FRAME_H

#define FRAME_ELR 248
#define FRAME_SPSR 256
#define FRAME_SIZE 272

#define TRAP_EL2_SYNC 0
#define TRAP_EL2_IRQ 1
#define TRAP_EL2_BAD 2
#define TRAP_LOW_SYNC 3
#define TRAP_LOW_IRQ 4
#define TRAP_LOW_FIQ 5
#define TRAP_LOW_SERROR 6

/* The data abort's fast path (vectors.S, dabt_fast): ESR_EL2.EC of a data
 * abort from a lower EL, and what trap_dabt_fast() returns. */
#define TRAP_EC_DABT_LOW 0x24
#define DABT_FAST_DONE 0   /* handled: restore x0..x18, x30 and return */
#define DABT_FAST_SLOW 1   /* untouched: take the whole trap path */
#define DABT_FAST_FINISH 2 /* handled, but work before the guest runs again */
#define DABT_FAST_REGS 3   /* untouched: a load or store of x19..x29 */

/* CPTR_EL2 (E2H 0): RES1 bits, SVE trapped (TZ); and with FP/SIMD trapped
 * (TFP), as the hypervisor runs while a guest's registers are live. */
#define CPTR_EL2_GUEST 0x33ff
#define CPTR_EL2_HV (CPTR_EL2_GUEST | (1 << 10))

#ifndef __ASSEMBLER__
#include <hv/types.h>
struct trap_frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t pad;
};

/* A guest's FP/SIMD state, while the hypervisor uses the registers. */
struct fpsimd_state {
	__uint128_t q[32];
	uint64_t fpsr, fpcr;
};
_Static_assert(__builtin_offsetof(struct trap_frame, elr) == FRAME_ELR, "frame");
_Static_assert(__builtin_offsetof(struct trap_frame, spsr) == FRAME_SPSR, "frame");
_Static_assert(sizeof(struct trap_frame) == FRAME_SIZE, "frame");
typedef int trap_kind_t;
#endif
#endif
