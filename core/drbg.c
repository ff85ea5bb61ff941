/* HMAC_DRBG with SHA-256, NIST SP 800-90A Rev.1 section 10.1.2, without
 * prediction resistance. The state lives in the caller's struct drbg (one per
 * partition); nothing here is global. Additional input of length 0 is the
 * standard's "Null". */
#include <string.h>

#include <hv/drbg.h>

/* HMAC-SHA256 over data given in pieces; the key is always K (32 bytes). */
struct hmac_ctx {
	struct sha256_ctx c;
	uint8_t k[SHA256_BLOCK];
};

/* Zeroise: memset (64 bytes a step), then a compiler barrier that says
 * the memory is used, so the stores cannot be optimised away. */
static void wipe(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ volatile("" : : "r"(p) : "memory");
}

static void hmac_init(struct hmac_ctx *h, const uint8_t key[32])
{
	uint8_t pad[SHA256_BLOCK];

	memset(h->k, 0, sizeof(h->k));
	memcpy(h->k, key, 32);
	for (int i = 0; i < SHA256_BLOCK; i++)
		pad[i] = h->k[i] ^ 0x36;
	sha256_init(&h->c);
	sha256_update(&h->c, pad, sizeof(pad));
	wipe(pad, sizeof(pad));
}

static void hmac_update(struct hmac_ctx *h, const void *data, size_t n)
{
	sha256_update(&h->c, data, n);
}

/* out may alias the key or the data already fed in. */
static void hmac_final(struct hmac_ctx *h, uint8_t out[SHA256_DIGEST])
{
	uint8_t pad[SHA256_BLOCK], inner[SHA256_DIGEST];

	sha256_final(&h->c, inner);
	for (int i = 0; i < SHA256_BLOCK; i++)
		pad[i] = h->k[i] ^ 0x5c;
	sha256_init(&h->c);
	sha256_update(&h->c, pad, sizeof(pad));
	sha256_update(&h->c, inner, sizeof(inner));
	sha256_final(&h->c, out);
	wipe(pad, sizeof(pad));
	wipe(inner, sizeof(inner));
	wipe(h, sizeof(*h));
}

/* V = HMAC(K, V) */
static void next_v(struct drbg *d)
{
	struct hmac_ctx h;

	hmac_init(&h, d->K);
	hmac_update(&h, d->V, sizeof(d->V));
	hmac_final(&h, d->V);
}

/* A piece of provided_data; provided_data is the concatenation of up to
 * three pieces, and is Null when their total length is 0. */
struct piece {
	const void *p;
	size_t n;
};

/* HMAC_DRBG_Update (10.1.2.2). */
static void update(struct drbg *d, const struct piece *pd, int npieces)
{
	size_t total = 0;

	for (int i = 0; i < npieces; i++)
		total += pd[i].n;
	for (uint8_t round = 0; round < (total ? 2 : 1); round++) {
		struct hmac_ctx h;

		/* 1./4. K = HMAC(K, V || 0x00 or 0x01 || provided_data) */
		hmac_init(&h, d->K);
		hmac_update(&h, d->V, sizeof(d->V));
		hmac_update(&h, &round, 1);
		for (int i = 0; i < npieces; i++)
			hmac_update(&h, pd[i].p, pd[i].n);
		hmac_final(&h, d->K);
		/* 2./5. V = HMAC(K, V); 3. stop here if provided_data is Null. */
		next_v(d);
	}
}

/* HMAC_DRBG_Instantiate_algorithm (10.1.2.3). */
void drbg_instantiate(struct drbg *d, const void *entropy, size_t elen, const void *nonce, size_t nlen,
		      const void *pers, size_t plen)
{
	const struct piece seed[3] = { { entropy, elen }, { nonce, nlen }, { pers, plen } };

	memset(d->K, 0x00, sizeof(d->K));
	memset(d->V, 0x01, sizeof(d->V));
	update(d, seed, 3);
	d->reseed_counter = 1;
	d->instantiated = true;
}

/* HMAC_DRBG_Reseed_algorithm (10.1.2.4). */
void drbg_reseed(struct drbg *d, const void *entropy, size_t elen, const void *addl, size_t alen)
{
	const struct piece seed[2] = { { entropy, elen }, { addl, alen } };

	if (!d->instantiated)
		return;
	update(d, seed, 2);
	d->reseed_counter = 1;
}

/* HMAC_DRBG_Generate_algorithm (10.1.2.5), plus the request-size and
 * instantiation checks of the Generate function (9.3.1). */
int drbg_generate(struct drbg *d, void *out, size_t n, const void *addl, size_t alen)
{
	const struct piece add = { addl, alen };
	uint8_t *o = out;

	if (!d->instantiated || n > DRBG_MAX_REQUEST)
		return -1;
	/* 1. */
	if (d->reseed_counter > DRBG_RESEED_INTERVAL)
		return -1;
	/* 2. */
	if (alen)
		update(d, &add, 1);
	/* 3.-5. */
	while (n) {
		size_t take = n < sizeof(d->V) ? n : sizeof(d->V);
		next_v(d);
		memcpy(o, d->V, take);
		o += take;
		n -= take;
	}
	/* 6. (additional_input may be Null) */
	update(d, &add, 1);
	/* 7. */
	d->reseed_counter++;
	return 0;
}

void drbg_wipe(struct drbg *d)
{
	wipe(d, sizeof(*d));
}
