/* SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104). The compression is
 * portable C or, on a CPU that has them, the Armv8 SHA-256 instructions
 * (arch/arm64/sha256_ce.S); this file itself uses no FP/SIMD register. No
 * allocation; big-endian encoding done byte by byte. The only table, K, is
 * indexed by the round number, never by data, so timing and cache
 * behaviour do not depend on the message or the key (the instructions'
 * timing does not either). */
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

static const uint32_t IV[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/* Which compression (not secret). */
static enum sha256_impl impl = SHA256_C;

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

static inline uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void store_be32x8(uint8_t *out, const uint32_t h[8])
{
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(h[i] >> 8);
		out[4 * i + 3] = (uint8_t)h[i];
	}
}

/* One round of the portable compression; the eight working variables are
 * renamed from round to round by the caller instead of moved. */
#define ROUND(a, b, c, d, e, f, g, h, i)                                                             \
	do {                                                                                         \
		uint32_t t1 = (h) + (ror((e), 6) ^ ror((e), 11) ^ ror((e), 25)) +                        \
			      ((g) ^ ((e) & ((f) ^ (g)))) + K256[i] + w[i];                          \
		uint32_t t2 = (ror((a), 2) ^ ror((a), 13) ^ ror((a), 22)) +                              \
			      (((a) & (b)) | ((c) & ((a) | (b))));                                   \
		(d) += t1;                                                                           \
		(h) = t1 + t2;                                                                       \
	} while (0)

/* The portable compression. Its message schedule w[] is left on the
 * stack (hypervisor memory, never mapped for a guest). */
static void compress_c(uint32_t st[8], const uint8_t *blk, size_t nblocks)
{
	for (; nblocks; nblocks--, blk += SHA256_BLOCK) {
		uint32_t w[64], a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6],
				h = st[7];

		for (int i = 0; i < 16; i++)
			w[i] = load_be32(blk + 4 * i);
		for (int i = 16; i < 64; i++) {
			uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
			uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
			w[i] = w[i - 16] + s0 + w[i - 7] + s1;
		}
		for (int i = 0; i < 64; i += 8) {
			ROUND(a, b, c, d, e, f, g, h, i);
			ROUND(h, a, b, c, d, e, f, g, i + 1);
			ROUND(g, h, a, b, c, d, e, f, i + 2);
			ROUND(f, g, h, a, b, c, d, e, i + 3);
			ROUND(e, f, g, h, a, b, c, d, i + 4);
			ROUND(d, e, f, g, h, a, b, c, i + 5);
			ROUND(c, d, e, f, g, h, a, b, i + 6);
			ROUND(b, c, d, e, f, g, h, a, i + 7);
		}
		st[0] += a;
		st[1] += b;
		st[2] += c;
		st[3] += d;
		st[4] += e;
		st[5] += f;
		st[6] += g;
		st[7] += h;
	}
}
#undef ROUND

static void compress(uint32_t h[8], const uint8_t *blk, size_t nblocks)
{
#ifdef HAVE_SHA256_CE
	if (impl == SHA256_CE) {
		sha256_ce_blocks(h, blk, nblocks);
		return;
	}
#endif
	compress_c(h, blk, nblocks);
}

bool sha256_set_impl(enum sha256_impl want)
{
#ifndef HAVE_SHA256_CE
	if (want == SHA256_CE)
		return false;
#endif
	impl = want;
	return true;
}

enum sha256_impl sha256_get_impl(void)
{
	return impl;
}

void sha256_init(struct sha256_ctx *c)
{
	memcpy(c->h, IV, sizeof(IV));
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
		compress(c->h, c->buf, 1);
		c->nbuf = 0;
	}
	if (n >= SHA256_BLOCK) {
		compress(c->h, p, n / SHA256_BLOCK);
		p += n & ~(size_t)(SHA256_BLOCK - 1);
		n &= SHA256_BLOCK - 1;
	}
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
		compress(c->h, c->buf, 1);
		c->nbuf = 0;
	}
	memset(c->buf + c->nbuf, 0, SHA256_BLOCK - 8 - c->nbuf);
	for (int i = 0; i < 8; i++)
		c->buf[SHA256_BLOCK - 1 - i] = (uint8_t)(bits >> (8 * i));
	compress(c->h, c->buf, 1);
	store_be32x8(out, c->h);
	wipe(c, sizeof(*c));
}

void sha256(const void *data, size_t n, uint8_t out[SHA256_DIGEST])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, data, n);
	sha256_final(&c, out);
}

void hmac_key_set(struct hmac_key *hk, const uint8_t *key, size_t klen)
{
	uint8_t k[SHA256_BLOCK] = { 0 }, pad[SHA256_BLOCK];

	if (klen > SHA256_BLOCK)
		sha256(key, klen, k);
	else if (klen)
		memcpy(k, key, klen);
	for (int i = 0; i < SHA256_BLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	memcpy(hk->i, IV, sizeof(IV));
	compress(hk->i, pad, 1);
	for (int i = 0; i < SHA256_BLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	memcpy(hk->o, IV, sizeof(IV));
	compress(hk->o, pad, 1);
	wipe(k, sizeof(k));
	wipe(pad, sizeof(pad));
}

void hmac_start(struct sha256_ctx *c, const struct hmac_key *hk)
{
	memcpy(c->h, hk->i, sizeof(c->h));
	c->len = SHA256_BLOCK;
	c->nbuf = 0;
}

void hmac_finish(struct sha256_ctx *c, const struct hmac_key *hk, uint8_t out[SHA256_DIGEST])
{
	uint8_t inner[SHA256_DIGEST];

	sha256_final(c, inner);
	memcpy(c->h, hk->o, sizeof(c->h));
	c->len = SHA256_BLOCK;
	c->nbuf = 0;
	sha256_update(c, inner, sizeof(inner));
	sha256_final(c, out);
	wipe(inner, sizeof(inner));
}

/* A 32-byte message after the 64-byte pad block: one block, v || 0x80 ||
 * zeros || the length (96 bytes, 768 bits); the inner digest, 32 bytes
 * too, goes to the outer hash in a block laid out the same. */
static void hmac_iterate_c(const struct hmac_key *hk, uint8_t v[SHA256_DIGEST], uint8_t *out, size_t n)
{
	uint8_t blk[SHA256_BLOCK];
	uint32_t st[8];

	memcpy(blk, v, SHA256_DIGEST);
	memset(blk + SHA256_DIGEST, 0, SHA256_BLOCK - SHA256_DIGEST);
	blk[SHA256_DIGEST] = 0x80;
	blk[SHA256_BLOCK - 2] = (768 >> 8) & 0xff;
	blk[SHA256_BLOCK - 1] = 768 & 0xff;
	for (; n; n--) {
		memcpy(st, hk->i, sizeof(st));
		compress_c(st, blk, 1);
		store_be32x8(blk, st);
		memcpy(st, hk->o, sizeof(st));
		compress_c(st, blk, 1);
		store_be32x8(blk, st);
		if (out) {
			memcpy(out, blk, SHA256_DIGEST);
			out += SHA256_DIGEST;
		}
	}
	memcpy(v, blk, SHA256_DIGEST);
	wipe(blk, sizeof(blk));
	wipe(st, sizeof(st));
}

void hmac_sha256_iterate(const struct hmac_key *hk, uint8_t v[SHA256_DIGEST], uint8_t *out, size_t n)
{
	if (!n)
		return;
#ifdef HAVE_SHA256_CE
	if (impl == SHA256_CE) {
		sha256_ce_hmac_iter(hk, v, out, n);
		return;
	}
#endif
	hmac_iterate_c(hk, v, out, n);
}

void hmac_sha256(const uint8_t *key, size_t klen, const void *data, size_t n, uint8_t out[SHA256_DIGEST])
{
	struct hmac_key hk;
	struct sha256_ctx c;

	hmac_key_set(&hk, key, klen);
	hmac_start(&c, &hk);
	sha256_update(&c, data, n);
	hmac_finish(&c, &hk, out);
	wipe(&hk, sizeof(hk));
}
