/* SHA-256 compression with the Armv8 SHA-256 instructions (FEAT_SHA256,
 * ID_AA64ISAR0_EL1.SHA2 >= 1). Called through the plain C prototypes in
 * include/hv/drbg.h; core/sha256.c calls them only after the CPU has been
 * found to have the instructions (sha256_set_impl), and has a portable C
 * version of both for CPUs without them.
 *
 * The C code of the hypervisor uses no FP/SIMD register; these routines do,
 * and zero every vector register that held message, state or key material
 * before returning (v16-v31 hold only the public round constants). d8-d13
 * are saved and restored as AAPCS64 asks (d8-d15 are callee-saved).
 *
 * Registers in both routines:
 *   v0, v1   state ABCD, EFGH being compressed
 *   v2       ABCD before a 4-round step (SHA256H2 needs it)
 *   v3       W + K for the step
 *   v4-v7    message schedule, 16 words
 *   v16-v31  the 64 round constants K, four a register
 * Message and state words are held as numbers, so a digest's words are the
 * next block's message words as they are: only bytes in memory are
 * big-endian (REV32 on load and store). */
	.arch	armv8-a+sha2

/* Four rounds with W[4i..4i+3] in \m0 and K[4i..4i+3] in \k; with
 * \sched, \m0 becomes W[4i+16..4i+19] from \m0..\m3 (W[4i..4i+15]). */
.macro	qround k, m0, m1, m2, m3, sched
	add	v3.4s, \m0\().4s, \k\().4s
	.if	\sched
	sha256su0	\m0\().4s, \m1\().4s
	.endif
	mov	v2.16b, v0.16b
	sha256h	q0, q1, v3.4s
	sha256h2	q1, q2, v3.4s
	.if	\sched
	sha256su1	\m0\().4s, \m2\().4s, \m3\().4s
	.endif
.endm

/* 64 rounds on v0/v1 with the block in v4-v7 (overwritten); the caller
 * adds the state it started from. */
.macro	compress
	qround	v16, v4, v5, v6, v7, 1
	qround	v17, v5, v6, v7, v4, 1
	qround	v18, v6, v7, v4, v5, 1
	qround	v19, v7, v4, v5, v6, 1
	qround	v20, v4, v5, v6, v7, 1
	qround	v21, v5, v6, v7, v4, 1
	qround	v22, v6, v7, v4, v5, 1
	qround	v23, v7, v4, v5, v6, 1
	qround	v24, v4, v5, v6, v7, 1
	qround	v25, v5, v6, v7, v4, 1
	qround	v26, v6, v7, v4, v5, 1
	qround	v27, v7, v4, v5, v6, 1
	qround	v28, v4, v5, v6, v7, 0
	qround	v29, v5, v6, v7, v4, 0
	qround	v30, v6, v7, v4, v5, 0
	qround	v31, v7, v4, v5, v6, 0
.endm

.macro	load_k
	adrp	x9, sha256_ce_k
	add	x9, x9, :lo12:sha256_ce_k
	ld1	{v16.4s-v19.4s}, [x9], #64
	ld1	{v20.4s-v23.4s}, [x9], #64
	ld1	{v24.4s-v27.4s}, [x9], #64
	ld1	{v28.4s-v31.4s}, [x9]
.endm

	.section .rodata.sha256_ce_k, "a"
	.balign	16
sha256_ce_k:
	.word	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5
	.word	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174
	.word	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da
	.word	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967
	.word	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85
	.word	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070
	.word	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3
	.word	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2

/* void sha256_ce_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks)
 * h = compress(h, block) for each 64-byte block at p; nblocks >= 1. */
	.text
	.section .text.sha256_ce_blocks, "ax"
	.balign	4
	.global	sha256_ce_blocks
	.type	sha256_ce_blocks, %function
sha256_ce_blocks:
	load_k
	ld1	{v0.4s, v1.4s}, [x0]
1:	ld1	{v4.16b-v7.16b}, [x1], #64
	rev32	v4.16b, v4.16b
	rev32	v5.16b, v5.16b
	rev32	v6.16b, v6.16b
	rev32	v7.16b, v7.16b
	compress
	ld1	{v2.4s, v3.4s}, [x0]
	add	v0.4s, v0.4s, v2.4s
	add	v1.4s, v1.4s, v3.4s
	st1	{v0.4s, v1.4s}, [x0]
	subs	x2, x2, #1
	b.ne	1b
	movi	v0.16b, #0
	movi	v1.16b, #0
	movi	v2.16b, #0
	movi	v3.16b, #0
	movi	v4.16b, #0
	movi	v5.16b, #0
	movi	v6.16b, #0
	movi	v7.16b, #0
	ret
	.size	sha256_ce_blocks, . - sha256_ce_blocks

/* void sha256_ce_hmac_iter(const struct hmac_key *hk, uint8_t v[32],
 *                          uint8_t *out, size_t n)
 * n >= 1 times: v = HMAC-SHA256(key, v), with hk the SHA-256 states after
 * the key's ipad block (words 0-7) and opad block (words 8-15); each new v
 * is also written to out + 32 * i unless out is NULL. A 32-byte message
 * after the 64-byte pad block is 96 bytes, and the inner digest is 32
 * bytes too, so both blocks carry the same padding: 0x80 after the 32
 * bytes, then zeros, then the length 768 bits.
 *   v8, v9    ipad state    v10, v11  opad state
 *   v12, v13  padding words 8-11 and 12-15 of both blocks */
	.section .text.sha256_ce_hmac_iter, "ax"
	.balign	4
	.global	sha256_ce_hmac_iter
	.type	sha256_ce_hmac_iter, %function
sha256_ce_hmac_iter:
	stp	d8, d9, [sp, #-48]!
	stp	d10, d11, [sp, #16]
	stp	d12, d13, [sp, #32]
	load_k
	ld1	{v8.4s-v11.4s}, [x0]
	movi	v12.16b, #0
	mov	w9, #0x80000000
	mov	v12.s[0], w9
	movi	v13.16b, #0
	mov	w9, #768
	mov	v13.s[3], w9
	ld1	{v4.16b, v5.16b}, [x1]
	rev32	v4.16b, v4.16b
	rev32	v5.16b, v5.16b
1:	/* inner: ipad state, block v || padding */
	mov	v6.16b, v12.16b
	mov	v7.16b, v13.16b
	mov	v0.16b, v8.16b
	mov	v1.16b, v9.16b
	compress
	add	v4.4s, v0.4s, v8.4s
	add	v5.4s, v1.4s, v9.4s
	/* outer: opad state, block inner digest || padding */
	mov	v6.16b, v12.16b
	mov	v7.16b, v13.16b
	mov	v0.16b, v10.16b
	mov	v1.16b, v11.16b
	compress
	add	v4.4s, v0.4s, v10.4s
	add	v5.4s, v1.4s, v11.4s
	cbz	x2, 2f
	rev32	v6.16b, v4.16b
	rev32	v7.16b, v5.16b
	st1	{v6.16b, v7.16b}, [x2], #32
2:	subs	x3, x3, #1
	b.ne	1b
	rev32	v6.16b, v4.16b
	rev32	v7.16b, v5.16b
	st1	{v6.16b, v7.16b}, [x1]
	movi	v0.16b, #0
	movi	v1.16b, #0
	movi	v2.16b, #0
	movi	v3.16b, #0
	movi	v4.16b, #0
	movi	v5.16b, #0
	movi	v6.16b, #0
	movi	v7.16b, #0
	movi	v8.16b, #0
	movi	v9.16b, #0
	movi	v10.16b, #0
	movi	v11.16b, #0
	ldp	d12, d13, [sp, #32]
	ldp	d10, d11, [sp, #16]
	ldp	d8, d9, [sp], #48
	ret
	.size	sha256_ce_hmac_iter, . - sha256_ce_hmac_iter
