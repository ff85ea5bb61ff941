/* SHA-256 (FIPS 180-4), HMAC-SHA256 (RFC 2104) and HMAC_DRBG with SHA-256
 * (NIST SP 800-90A Rev.1, 10.1.2, no prediction resistance) for virtio-rng.
 *
 * One struct drbg per partition; the functions keep no global state but the
 * choice of compression function and the self-test's result (neither
 * secret), so two instances share nothing. Callers serialise access to one
 * instance.
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

/* The compression function: portable C, or the Armv8 SHA-256 instructions
 * (arch/arm64/sha256_ce.S, FEAT_SHA256). C until sha256_set_impl chooses;
 * the caller (arch setup, a test) has checked that the CPU has them
 * (ID_AA64ISAR0_EL1.SHA2). Both compute the same function, so switching
 * between calls is harmless. Returns false, and keeps C, when the build
 * has no SHA256_CE (HAVE_SHA256_CE: the hypervisor, the aarch64 unit test). */
enum sha256_impl { SHA256_C, SHA256_CE };
bool sha256_set_impl(enum sha256_impl impl);
enum sha256_impl sha256_get_impl(void);

/* HMAC-SHA256 with the key's pad blocks absorbed once: i and o are the
 * SHA-256 states after (key ^ ipad) and after (key ^ opad). As secret as
 * the key. */
struct hmac_key {
	uint32_t i[8], o[8];
};
/* Keys longer than 64 bytes are hashed first (RFC 2104). */
void hmac_key_set(struct hmac_key *hk, const uint8_t *key, size_t klen);
/* c = the inner hash started: feed the message with sha256_update. */
void hmac_start(struct sha256_ctx *c, const struct hmac_key *hk);
/* out = the outer hash of c's inner digest; wipes c. */
void hmac_finish(struct sha256_ctx *c, const struct hmac_key *hk, uint8_t out[SHA256_DIGEST]);
/* n times v = HMAC(key, v), each new v also written to out + 32 * i unless
 * out is NULL. Two compressions per 32 bytes. */
void hmac_sha256_iterate(const struct hmac_key *hk, uint8_t v[SHA256_DIGEST], uint8_t *out, size_t n);
void hmac_sha256(const uint8_t *key, size_t klen, const void *data, size_t n, uint8_t out[SHA256_DIGEST]);

#ifdef HAVE_SHA256_CE
/* arch/arm64/sha256_ce.S: the same as the C versions, with the
 * instructions; only for a CPU that has them. nblocks, n >= 1. */
void sha256_ce_blocks(uint32_t h[8], const uint8_t *p, size_t nblocks);
void sha256_ce_hmac_iter(const struct hmac_key *hk, uint8_t v[SHA256_DIGEST], uint8_t *out, size_t n);
#endif

/* Known-answer self-test (an HMAC_DRBG instantiate and generate against
 * fixed bytes, which runs SHA-256 and HMAC-SHA256 through every path the
 * DRBG uses) of the compression in use; run once (at boot) and remembered
 * until sha256_set_impl changes the compression. No DRBG output is served
 * unless it passed. */
bool crypto_selftest(void);

#define DRBG_RESEED_INTERVAL (1ULL << 20) /* generate requests between reseeds (SP 800-90A allows 2^48; we choose far fewer) */
#define DRBG_MAX_REQUEST 65536            /* bytes per generate (2^19 bits) */

struct drbg {
	uint8_t K[32], V[32];
	struct hmac_key hk; /* K's pad states, kept with K */
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
