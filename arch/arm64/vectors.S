/* EL2 exception vectors: every entry saves a struct trap_frame (the general
 * registers, ELR and SPSR) and calls hv_trap(frame, kind); the frame
 * (possibly changed) is restored on return. A guest's data abort first
 * tries a shorter path that saves only what C may change (dabt_fast).
 * An entry from a guest also traps FP/SIMD at EL2 (CPTR_EL2.TFP): the guest's FP registers are saved
 * only if the hypervisor touches them (arch/arm64/traps.c, fpsimd_claim). */
#include <arch/frame.h>

.macro entry kind
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #\kind
	b	trap_common
.endm

/* From a guest: FP/SIMD trapped at EL2 until the way back (hv_trap). The
 * ISB before the first C instruction is in trap_common. */
.macro guest_entry kind
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #CPTR_EL2_HV
	msr	cptr_el2, x0
	mov	x1, #\kind
	b	trap_common
.endm

/* A synchronous exception from a guest: a data abort takes the fast path
 * (dabt_fast), anything else the whole one. */
.macro guest_sync_entry
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #CPTR_EL2_HV
	msr	cptr_el2, x0
	mrs	x0, esr_el2
	lsr	x1, x0, #26
	cmp	x1, #TRAP_EC_DABT_LOW
	b.eq	dabt_fast
	mov	x1, #TRAP_LOW_SYNC
	b	trap_common
.endm

/* x4..x17 to or from their frame slots (op: stp or ldp); x0..x3, x18
 * and x30 are placed by each path. */
.macro frame_x4_x17 op
	\op	x4, x5, [sp, #32]
	\op	x6, x7, [sp, #48]
	\op	x8, x9, [sp, #64]
	\op	x10, x11, [sp, #80]
	\op	x12, x13, [sp, #96]
	\op	x14, x15, [sp, #112]
	\op	x16, x17, [sp, #128]
.endm

/* x20..x29 (x18 and x19 are placed by each path). */
.macro frame_x20_x29 op
	\op	x20, x21, [sp, #160]
	\op	x22, x23, [sp, #176]
	\op	x24, x25, [sp, #192]
	\op	x26, x27, [sp, #208]
	\op	x28, x29, [sp, #224]
.endm

	.section .text.vectors, "ax"
	.balign	0x800
	.global hv_vectors
hv_vectors:
	entry	TRAP_EL2_BAD	/* current EL, SP0 */
	entry	TRAP_EL2_BAD
	entry	TRAP_EL2_BAD
	entry	TRAP_EL2_BAD
	entry	TRAP_EL2_SYNC	/* current EL, SPx */
	entry	TRAP_EL2_IRQ
	entry	TRAP_EL2_BAD
	entry	TRAP_EL2_BAD
	guest_sync_entry		/* lower EL, AArch64 */
	guest_entry	TRAP_LOW_IRQ
	guest_entry	TRAP_LOW_FIQ
	guest_entry	TRAP_LOW_SERROR
	guest_entry	TRAP_LOW_SYNC	/* lower EL, AArch32 (EL0 only) */
	guest_entry	TRAP_LOW_IRQ
	guest_entry	TRAP_LOW_FIQ
	guest_entry	TRAP_LOW_SERROR

trap_common:
	stp	x2, x3, [sp, #16]
	frame_x4_x17 stp
	stp	x18, x19, [sp, #144]
	frame_x20_x29 stp
	mrs	x2, elr_el2
	stp	x30, x2, [sp, #240]
	mrs	x3, spsr_el2
	str	x3, [sp, #FRAME_SPSR]
	isb
	mov	x0, sp
	bl	hv_trap
	b	frame_restore

/* An emulated MMIO access (arch/arm64/traps.c, trap_dabt_fast): the C
 * code keeps x19..x29 as the AAPCS says, so only the registers it may
 * change are saved (and ELR, SPSR); ESR_EL2 is in x0. The C code sets
 * ELR_EL2 for the way back. When the fast path declines or has
 * work for the way back, the frame is completed and the whole path runs
 * (trap_dabt_fast_finish); for a load or store of x19..x29, the frame is
 * completed and trap_dabt_regs does it. */
dabt_fast:
	stp	x2, x3, [sp, #16]
	/* ELR and SPSR too: the C code may take an exception at EL2 (its
	 * first FP/SIMD instruction traps, fpsimd_claim), which overwrites
	 * them. */
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [sp, #FRAME_ELR]
	frame_x4_x17 stp
	stp	x18, x30, [sp, #144]	/* x30 in x19's place for now */
	isb
	mov	x1, sp
	bl	trap_dabt_fast
	cbnz	w0, 1f
	ldp	x18, x30, [sp, #144]
	ldp	x2, x3, [sp, #16]
	frame_x4_x17 ldp
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #FRAME_SIZE
	eret
1:	ldr	x2, [sp, #152]
	str	x2, [sp, #240]
	str	x19, [sp, #152]
	frame_x20_x29 stp
	mov	w1, w0
	mov	x0, sp
	cmp	w1, #DABT_FAST_REGS
	b.eq	2f
	bl	trap_dabt_fast_finish
	b	frame_restore
2:	bl	trap_dabt_regs
	b	frame_restore

/* arch_enter_frame(frame, stack_top): copy the frame (not on this stack)
 * to just below stack_top, restore it and eret; later traps use the stack
 * from stack_top down. */
	.global arch_enter_frame
arch_enter_frame:
	mov	sp, x1
	sub	sp, sp, #FRAME_SIZE
	mov	x2, sp
	mov	x3, #(FRAME_SIZE / 16)
1:	ldp	x4, x5, [x0], #16
	stp	x4, x5, [x2], #16
	subs	x3, x3, #1
	b.ne	1b
frame_restore:
	ldp	x30, x2, [sp, #240]
	msr	elr_el2, x2
	ldr	x3, [sp, #FRAME_SPSR]
	msr	spsr_el2, x3
	ldp	x2, x3, [sp, #16]
	frame_x4_x17 ldp
	ldp	x18, x19, [sp, #144]
	frame_x20_x29 ldp
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #FRAME_SIZE
	eret

/* arch_reset_stack_and_call(fn, stack_top): abandon this stack. */
	.global arch_reset_stack_and_call
arch_reset_stack_and_call:
	mov	sp, x1
	blr	x0
1:	wfi
	b	1b
