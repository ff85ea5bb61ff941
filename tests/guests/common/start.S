/* Bare-metal EL1 test guest entry. Position independent: it runs wherever
 * its partition's memory is. x0 from the hypervisor is passed on. */
	.section .text.start, "ax"
	.global _start
_start:
	mrs	x20, cntvct_el0		/* first instruction: boot benchmark */
	adr	x1, stack_top
	mov	sp, x1
	adr	x1, vectors
	msr	vbar_el1, x1
	isb
	mov	x1, x20
	bl	guest_main
	/* guest_main returned: PSCI SYSTEM_OFF */
	movz	x0, #0x0008
	movk	x0, #0x8400, lsl #16
	hvc	#0
1:	wfi
	b	1b

/* Every exception: save caller-saved registers, call guest_exception(esr,
 * far, elr, kind), which returns the ELR to resume at. */
.macro vec kind
	.balign	0x80
	stp	x29, x30, [sp, #-16]!
	mov	x30, #\kind
	b	vec_common
.endm
	.balign	0x800
vectors:
	vec 0
	vec 1
	vec 2
	vec 3
	vec 4
	vec 5
	vec 6
	vec 7
	vec 8
	vec 9
	vec 10
	vec 11
	vec 12
	vec 13
	vec 14
	vec 15
vec_common:
	stp	x0, x1, [sp, #-16]!
	stp	x2, x3, [sp, #-16]!
	stp	x4, x5, [sp, #-16]!
	stp	x6, x7, [sp, #-16]!
	stp	x8, x9, [sp, #-16]!
	stp	x10, x11, [sp, #-16]!
	stp	x12, x13, [sp, #-16]!
	stp	x14, x15, [sp, #-16]!
	stp	x16, x17, [sp, #-16]!
	stp	x18, x19, [sp, #-16]!
	mrs	x0, esr_el1
	mrs	x1, far_el1
	mrs	x2, elr_el1
	mov	x3, x30
	bl	guest_exception
	msr	elr_el1, x0
	ldp	x18, x19, [sp], #16
	ldp	x16, x17, [sp], #16
	ldp	x14, x15, [sp], #16
	ldp	x12, x13, [sp], #16
	ldp	x10, x11, [sp], #16
	ldp	x8, x9, [sp], #16
	ldp	x6, x7, [sp], #16
	ldp	x4, x5, [sp], #16
	ldp	x2, x3, [sp], #16
	ldp	x0, x1, [sp], #16
	ldp	x29, x30, [sp], #16
	eret

	.bss
	.balign	16
	.space	16384
stack_top:
