/* SHA-256 (FIPS 180-4), HMAC-SHA256 (RFC 2104) and HMAC_DRBG with SHA-256
 * (NIST SP 800-90A Rev.1, 10.1.2, no prediction resistance) for virtio-rng.
 *
 * One struct drbg per partition; the functions keep no global state, so two
 * instances share nothing. Callers serialise access to one instance.
 *
 * Entropy: the caller supplies at least 32 bytes (256 bits, the security
 * strength of HMAC_DRBG with SHA-256) of full-entropy input from the hardware
 * source to drbg_instantiate and to every drbg_reseed, and a nonce of at least
 * 16 bytes (or that much extra entropy) to drbg_instantiate. These functions
 * cannot check the quality of their input and do not check its length.
 * See docs/rng.md. */
#ifndef HV_DRBG_H
#define HV_DRBG_H

#include <hv/types.h>

#define SHA256_DIGEST 32
#define SHA256_BLOCK 64

struct sha256_ctx {
	uint32_t h[8];
	uint64_t len; /* bytes hashed so far */
	uint8_t buf[64];
	size_t nbuf;
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t n);
/* Writes the digest and wipes the context. */
void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_DIGEST]);
void sha256(const void *data, size_t n, uint8_t out[SHA256_DIGEST]);
/* Keys longer than 64 bytes are hashed first (RFC 2104). */
/* Known-answer self-test of SHA-256 and HMAC-SHA256, run once (at boot)
 * and remembered; no DRBG output is served unless it passed. */
bool crypto_selftest(void);
void hmac_sha256(const uint8_t *key, size_t klen, const void *data, size_t n, uint8_t out[SHA256_DIGEST]);

#define DRBG_RESEED_INTERVAL (1ULL << 20) /* generate requests between reseeds (SP 800-90A allows 2^48; we choose far fewer) */
#define DRBG_MAX_REQUEST 65536            /* bytes per generate (2^19 bits) */

struct drbg {
	uint8_t K[32], V[32];
	uint64_t reseed_counter;
	bool instantiated;
};

/* seed_material = entropy || nonce || personalization (the partition name).
 * Any pointer may be NULL when its length is 0. Overwrites any earlier state. */
void drbg_instantiate(struct drbg *d, const void *entropy, size_t elen, const void *nonce, size_t nlen,
		      const void *pers, size_t plen);
/* seed_material = entropy || additional_input; resets reseed_counter to 1.
 * Does nothing on an instance that is not instantiated. */
void drbg_reseed(struct drbg *d, const void *entropy, size_t elen, const void *addl, size_t alen);
/* 0 on success; -1 when a reseed is required first (reseed_counter > DRBG_RESEED_INTERVAL), when not instantiated, or when n > DRBG_MAX_REQUEST (nothing is written to out then).
 * addl may be NULL when alen is 0 (no additional input). */
int drbg_generate(struct drbg *d, void *out, size_t n, const void *addl, size_t alen);
void drbg_wipe(struct drbg *d); /* zeroise; the stores are not optimised away */

#endif
