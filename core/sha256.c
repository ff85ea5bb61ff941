/* SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104). Portable C: no arch
 * headers, no allocation, big-endian encoding done byte by byte. The only
 * table, K, is indexed by the round number, never by data, so timing and
 * cache behaviour do not depend on the message or the key. */
#include <string.h>

#include <hv/drbg.h>

static const uint32_t K256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* Zeroise: memset (64 bytes a step), then a compiler barrier that says
 * the memory is used, so the stores cannot be optimised away. */
static void wipe(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ volatile("" : : "r"(p) : "memory");
}

static inline uint32_t ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

#if defined(__ARM_FEATURE_SHA2)
#include <arm_neon.h>
/* The Armv8 SHA-256 instructions: about 60 instructions a block instead of
 * ~2000; data-independent timing like the portable version. */
static void compress(uint32_t h[8], const uint8_t blk[64])
{
	uint32x4_t abcd = vld1q_u32(h), efgh = vld1q_u32(h + 4);
	uint32x4_t abcd0 = abcd, efgh0 = efgh, m[4];

	for (int i = 0; i < 4; i++)
		m[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(blk + 16 * i)));
	for (int i = 0; i < 16; i++) {
		uint32x4_t wk = vaddq_u32(m[i & 3], vld1q_u32(K256 + 4 * i));
		uint32x4_t t = abcd;
		abcd = vsha256hq_u32(abcd, efgh, wk);
		efgh = vsha256h2q_u32(efgh, t, wk);
		if (i < 12)
			m[i & 3] = vsha256su1q_u32(vsha256su0q_u32(m[i & 3], m[(i + 1) & 3]),
						   m[(i + 2) & 3], m[(i + 3) & 3]);
	}
	vst1q_u32(h, vaddq_u32(abcd, abcd0));
	vst1q_u32(h + 4, vaddq_u32(efgh, efgh0));
}
#else
static void compress(uint32_t h[8], const uint8_t blk[64])
{
	uint32_t w[64], a, b, c, d, e, f, g, h7;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)blk[4 * i] << 24 | (uint32_t)blk[4 * i + 1] << 16 | (uint32_t)blk[4 * i + 2] << 8 |
		       (uint32_t)blk[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0];
	b = h[1];
	c = h[2];
	d = h[3];
	e = h[4];
	f = h[5];
	g = h[6];
	h7 = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = h7 + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h7 = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += h7;
}
#endif

/* Known answers at start-up (FIPS 180-4 "abc"; RFC 4231 case 2), so the
 * build that runs, whichever compression it uses, is the one tested. */
static bool sha256_selftest(void)
{
	static const uint8_t abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
		0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad };
	static const uint8_t jefe[32] = {
		0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
		0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43 };
	uint8_t d[32];

	sha256("abc", 3, d);
	if (memcmp(d, abc, 32))
		return false;
	hmac_sha256((const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28, d);
	return memcmp(d, jefe, 32) == 0;
}

void sha256_init(struct sha256_ctx *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
	c->nbuf = 0;
}

void sha256_update(struct sha256_ctx *c, const void *data, size_t n)
{
	const uint8_t *p = data;

	if (n == 0)
		return; /* data may be NULL then */
	c->len += n;
	if (c->nbuf) {
		size_t take = SHA256_BLOCK - c->nbuf < n ? SHA256_BLOCK - c->nbuf : n;
		memcpy(c->buf + c->nbuf, p, take);
		c->nbuf += take;
		p += take;
		n -= take;
		if (c->nbuf < SHA256_BLOCK)
			return;
		compress(c->h, c->buf);
		c->nbuf = 0;
	}
	for (; n >= SHA256_BLOCK; p += SHA256_BLOCK, n -= SHA256_BLOCK)
		compress(c->h, p);
	if (n)
		memcpy(c->buf, p, n);
	c->nbuf = n;
}

void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_DIGEST])
{
	uint64_t bits = c->len << 3; /* message length mod 2^64 bits */

	c->buf[c->nbuf++] = 0x80;
	if (c->nbuf > SHA256_BLOCK - 8) {
		memset(c->buf + c->nbuf, 0, SHA256_BLOCK - c->nbuf);
		compress(c->h, c->buf);
		c->nbuf = 0;
	}
	memset(c->buf + c->nbuf, 0, SHA256_BLOCK - 8 - c->nbuf);
	for (int i = 0; i < 8; i++)
		c->buf[SHA256_BLOCK - 1 - i] = (uint8_t)(bits >> (8 * i));
	compress(c->h, c->buf);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->h[i];
	}
	wipe(c, sizeof(*c));
}

void sha256(const void *data, size_t n, uint8_t out[SHA256_DIGEST])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, data, n);
	sha256_final(&c, out);
}

void hmac_sha256(const uint8_t *key, size_t klen, const void *data, size_t n, uint8_t out[SHA256_DIGEST])
{
	uint8_t k[SHA256_BLOCK] = { 0 }, pad[SHA256_BLOCK], inner[SHA256_DIGEST];
	struct sha256_ctx c;

	if (klen > SHA256_BLOCK)
		sha256(key, klen, k);
	else if (klen)
		memcpy(k, key, klen);

	for (int i = 0; i < SHA256_BLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	sha256_init(&c);
	sha256_update(&c, pad, sizeof(pad));
	sha256_update(&c, data, n);
	sha256_final(&c, inner);

	for (int i = 0; i < SHA256_BLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	sha256_init(&c);
	sha256_update(&c, pad, sizeof(pad));
	sha256_update(&c, inner, sizeof(inner));
	sha256_final(&c, out);

	wipe(k, sizeof(k));
	wipe(pad, sizeof(pad));
	wipe(inner, sizeof(inner));
}

bool crypto_selftest(void)
{
	static int state; /* 0 not run, 1 passed, -1 failed */
	if (!state)
		state = sha256_selftest() ? 1 : -1;
	return state > 0;
}
