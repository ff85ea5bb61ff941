/* EL2 exception vectors: every entry saves a struct trap_frame (the general
 * registers, ELR and SPSR) and calls hv_trap(frame, kind); the frame
 * (possibly changed) is restored on return. An entry from a guest also
 * traps FP/SIMD at EL2 (CPTR_EL2.TFP): the guest's FP registers are saved
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
	guest_entry	TRAP_LOW_SYNC	/* lower EL, AArch64 */
	guest_entry	TRAP_LOW_IRQ
	guest_entry	TRAP_LOW_FIQ
	guest_entry	TRAP_LOW_SERROR
	guest_entry	TRAP_LOW_SYNC	/* lower EL, AArch32 (EL0 only) */
	guest_entry	TRAP_LOW_IRQ
	guest_entry	TRAP_LOW_FIQ
	guest_entry	TRAP_LOW_SERROR

trap_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x2, elr_el2
	stp	x30, x2, [sp, #240]
	mrs	x3, spsr_el2
	str	x3, [sp, #FRAME_SPSR]
	isb
	mov	x0, sp
	bl	hv_trap
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
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
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
