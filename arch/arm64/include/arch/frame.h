/* The register frame saved on the hypervisor stack at every exception. */
#ifndef ARCH_FRAME_H
#define ARCH_FRAME_H

#define FRAME_ELR 248
#define FRAME_SPSR 256
#define FRAME_FP 272
#define FRAME_SIZE 800

#define TRAP_EL2_SYNC 0
#define TRAP_EL2_IRQ 1
#define TRAP_EL2_BAD 2
#define TRAP_LOW_SYNC 3
#define TRAP_LOW_IRQ 4
#define TRAP_LOW_FIQ 5
#define TRAP_LOW_SERROR 6

#ifndef __ASSEMBLER__
#include <hv/types.h>
struct trap_frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t pad;
	__uint128_t q[32];
	uint64_t fpsr, fpcr;
};
_Static_assert(__builtin_offsetof(struct trap_frame, elr) == FRAME_ELR, "frame");
_Static_assert(__builtin_offsetof(struct trap_frame, spsr) == FRAME_SPSR, "frame");
_Static_assert(__builtin_offsetof(struct trap_frame, q) == FRAME_FP, "frame");
_Static_assert(sizeof(struct trap_frame) == FRAME_SIZE, "frame");
typedef int trap_kind_t;
#endif
#endif
