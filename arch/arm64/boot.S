/* Entry at EL2. The first 64 bytes are an arm64 Linux Image header, so QEMU
 * -kernel and U-Boot booti load the image and pass the DTB in x0. */
#include <generated/autoconf.h>

	.section .text.head, "ax"
	.global _start
_start:
	b	primary_entry
	.long	0
	.quad	0x80000			/* text_offset */
	.quad	_end - _start		/* image_size: the packer widens it */
	.quad	0x2			/* flags: little endian, 4 KiB pages */
	.quad	0, 0, 0
	.ascii	"ARM\x64"
	.long	0

primary_entry:
	mov	x19, x0			/* DTB from the loader */
	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.ne	not_el2
	mov	x0, #0
	bl	cpu_early_init
	/* Clear .bss, 64 bytes a step (hv.ld aligns both ends to 64). What
	 * is written before it is read lives in .noinit and is not cleared;
	 * the payload sits after it, untouched. */
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
	b	2f
1:	stp	xzr, xzr, [x0]
	stp	xzr, xzr, [x0, #16]
	stp	xzr, xzr, [x0, #32]
	stp	xzr, xzr, [x0, #48]
	add	x0, x0, #64
2:	cmp	x0, x1
	b.lo	1b
	mov	x0, x19
	bl	hv_main
	b	park

	/* PSCI CPU_ON target: x0 = context id = logical CPU index. */
	.global secondary_entry
secondary_entry:
	mov	x19, x0
	bl	cpu_early_init
	mov	x0, x19
	bl	hv_secondary_main
	b	park

not_el2:
park:
	wfi
	b	park

/* x0 = CPU index. Sets SP_EL2 to this CPU's stack, VBAR_EL2, and the EL2
 * controls every CPU needs before C runs. Clobbers x0-x3. */
cpu_early_init:
	adrp	x1, hv_stacks
	add	x1, x1, :lo12:hv_stacks
	mov	x2, #CONFIG_HV_STACK_SIZE
	madd	x1, x0, x2, x1
	add	sp, x1, x2
	adrp	x1, hv_vectors
	add	x1, x1, :lo12:hv_vectors
	msr	vbar_el2, x1
	/* FP/SIMD not trapped (picolibc and libfdt use it); SVE trapped. */
	mov	x1, #0x33ff
	bic	x1, x1, #(1 << 10)
	msr	cptr_el2, x1
	msr	hstr_el2, xzr
	isb
	ret
