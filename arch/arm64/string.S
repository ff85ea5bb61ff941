/* memcpy and memset for the hypervisor. Debian's picolibc for aarch64 is
 * built for size (byte loops: 4 instructions a byte); loading a 33 MB
 * guest kernel with it cost ~135M instructions at boot and at every
 * partition reset. These move 64 bytes per iteration (memcpy: 10
 * instructions, memset: 6). Normal memory only (unaligned ldp/stp): never
 * used on device memory or with the MMU off. General registers only: the
 * hypervisor does not touch a guest's FP/SIMD registers. */

	.section .text.string, "ax"

/* void *memcpy(void *dst, const void *src, size_t n) */
	.global memcpy
	.type memcpy, %function
memcpy:
	mov	x3, x0
	subs	x2, x2, #64
	b.lo	5f
1:	ldp	x6, x7, [x1, #16]
	ldp	x8, x9, [x1, #32]
	ldp	x10, x11, [x1, #48]
	ldp	x4, x5, [x1], #64
	stp	x6, x7, [x3, #16]
	stp	x8, x9, [x3, #32]
	stp	x10, x11, [x3, #48]
	stp	x4, x5, [x3], #64
	subs	x2, x2, #64
	b.hs	1b
5:	add	x2, x2, #64
2:	cmp	x2, #8
	b.lo	3f
	ldr	x4, [x1], #8
	str	x4, [x3], #8
	sub	x2, x2, #8
	b	2b
3:	cbz	x2, 4f
	ldrb	w4, [x1], #1
	strb	w4, [x3], #1
	sub	x2, x2, #1
	b	3b
4:	ret
	.size memcpy, . - memcpy

/* void *memset(void *dst, int c, size_t n) */
	.global memset
	.type memset, %function
memset:
	mov	x3, x0
	and	x1, x1, #0xff
	orr	x1, x1, x1, lsl #8
	orr	x1, x1, x1, lsl #16
	orr	x1, x1, x1, lsl #32
	subs	x2, x2, #64
	b.lo	5f
1:	stp	x1, x1, [x3, #16]
	stp	x1, x1, [x3, #32]
	stp	x1, x1, [x3, #48]
	stp	x1, x1, [x3], #64
	subs	x2, x2, #64
	b.hs	1b
5:	add	x2, x2, #64
2:	cmp	x2, #8
	b.lo	3f
	str	x1, [x3], #8
	sub	x2, x2, #8
	b	2b
3:	cbz	x2, 4f
	strb	w1, [x3], #1
	sub	x2, x2, #1
	b	3b
4:	ret
	.size memset, . - memset
