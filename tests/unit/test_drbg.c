/* SHA-256, HMAC-SHA256 and the per-partition HMAC_DRBG behind virtio-rng.
 * proves: RNG-1
 *
 * Every test runs once per compression function the build and CPU have:
 * portable C always; the Armv8 SHA-256 instructions (arch/arm64/sha256_ce.S)
 * in the aarch64 build (build/unit-arm64/test_drbg, run under qemu-aarch64)
 * on a CPU whose HWCAP says SHA2, else those runs are skipped.
 *
 * Expected values: SHA-256 digests from FIPS 180-4 examples, HMAC from
 * RFC 4231, both re-checked with python3 hashlib/hmac; the HMAC_DRBG vector
 * from an independent Python implementation of SP 800-90A 10.1.2, which
 * itself reproduces the NIST CAVP vector tested below. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <hv/drbg.h>
#ifdef HAVE_SHA256_CE
#include <sys/auxv.h>
#endif

static const enum sha256_impl impl_c = SHA256_C;
#ifdef HAVE_SHA256_CE
static const enum sha256_impl impl_ce = SHA256_CE;
#endif

/* Each test's first statement: the compression its state names. */
static void use_impl(void **state)
{
	enum sha256_impl want = *(const enum sha256_impl *)*state;

#ifdef HAVE_SHA256_CE
	if (want == SHA256_CE && !(getauxval(AT_HWCAP) & HWCAP_SHA2))
		skip();
#endif
	assert_true(sha256_set_impl(want));
	assert_int_equal(sha256_get_impl(), want);
}

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;

	for (; s[0] && s[1]; s += 2) {
		unsigned hi = s[0] <= '9' ? (unsigned)(s[0] - '0') : (unsigned)((s[0] | 32) - 'a' + 10);
		unsigned lo = s[1] <= '9' ? (unsigned)(s[1] - '0') : (unsigned)((s[1] | 32) - 'a' + 10);
		out[n++] = (uint8_t)(hi << 4 | lo);
	}
	return n;
}

static void assert_hex(const uint8_t *got, size_t n, const char *want)
{
	uint8_t w[256];

	assert_true(strlen(want) == 2 * n && n <= sizeof(w));
	unhex(want, w);
	assert_memory_equal(got, w, n);
}

static void check_sha256(const char *msg, const char *want)
{
	uint8_t d[SHA256_DIGEST];

	sha256(msg, strlen(msg), d);
	assert_hex(d, sizeof(d), want);
}

static void test_sha256_short(void **state)
{
	use_impl(state);
	check_sha256("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_sha256("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* 448 bits: the padding needs a second block. */
	check_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* One million 'a', fed in odd-sized pieces so the block buffer is entered,
 * filled, bypassed and left part-full in every combination. */
static void test_sha256_million_a(void **state)
{
	static const size_t sizes[] = { 1, 3, 63, 64, 65, 127, 7, 200, 31, 129, 1000, 5 };
	uint8_t chunk[1000], d[SHA256_DIGEST];
	struct sha256_ctx c;
	size_t left = 1000000;
	use_impl(state);

	memset(chunk, 'a', sizeof(chunk));
	sha256_init(&c);
	for (size_t i = 0; left; i++) {
		size_t n = sizes[i % ARRAY_SIZE(sizes)];
		if (n > left)
			n = left;
		sha256_update(&c, chunk, n);
		left -= n;
	}
	sha256_final(&c, d);
	assert_hex(d, sizeof(d), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* RFC 4231 test cases 1, 2 and 6 (131-byte key: hashed first). */
static void test_hmac_rfc4231(void **state)
{
	uint8_t key[131], d[SHA256_DIGEST];
	const char *m;
	use_impl(state);

	memset(key, 0x0b, 20);
	m = "Hi There";
	hmac_sha256(key, 20, m, strlen(m), d);
	assert_hex(d, sizeof(d), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

	m = "what do ya want for nothing?";
	hmac_sha256((const uint8_t *)"Jefe", 4, m, strlen(m), d);
	assert_hex(d, sizeof(d), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

	memset(key, 0xaa, sizeof(key));
	m = "Test Using Larger Than Block-Size Key - Hash Key First";
	hmac_sha256(key, sizeof(key), m, strlen(m), d);
	assert_hex(d, sizeof(d), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

/* Fixed inputs; expected bytes from the Python reference (SP 800-90A
 * 10.1.2): instantiate, reseed with additional input, generate 40 bytes with
 * additional input (not a whole number of blocks), generate 64 without. */
static void test_drbg_reference(void **state)
{
	uint8_t entropy[32], nonce[16], reseed_entropy[32], out[64];
	struct drbg d;
	const char *pers = "partition alpha", *raddl = "reseed additional input",
		   *gaddl = "generate additional input";
	use_impl(state);

	for (int i = 0; i < 32; i++)
		entropy[i] = (uint8_t)i, reseed_entropy[i] = (uint8_t)(0x80 + i);
	for (int i = 0; i < 16; i++)
		nonce[i] = (uint8_t)(0x20 + i);

	drbg_instantiate(&d, entropy, sizeof(entropy), nonce, sizeof(nonce), pers, strlen(pers));
	assert_true(d.instantiated);
	assert_int_equal(d.reseed_counter, 1);
	assert_hex(d.K, 32, "49dabfc463aaff4c25f68ede4f0329c953ad3743a97ecd07b82c356eab74caed");
	assert_hex(d.V, 32, "12b6973fd637304e050380e18cea7fce3b776645a80b514e435e960bc751a278");

	drbg_reseed(&d, reseed_entropy, sizeof(reseed_entropy), raddl, strlen(raddl));
	assert_int_equal(d.reseed_counter, 1);

	memset(out, 0xee, sizeof(out));
	assert_int_equal(drbg_generate(&d, out, 40, gaddl, strlen(gaddl)), 0);
	assert_hex(out, 40, "572e57df5ddb1b96d5ed549031cf8fd7d51eca3b8ba0dc761722cd092c322066b71ecd42b395cf72");
	assert_int_equal(out[40], 0xee); /* nothing past the request */
	assert_int_equal(d.reseed_counter, 2);

	assert_int_equal(drbg_generate(&d, out, 64, NULL, 0), 0);
	assert_hex(out, 64,
		   "4c0d824cf7b3fa2b3633cc57c9186d79713fe2842d332cfa4eea8c121588564e"
		   "f6ddce0ee993787d441a716d0e74cd972d3d07ed5873d964cb0c2aa2fb483696");
	assert_int_equal(d.reseed_counter, 3);
}

/* NIST CAVP HMAC_DRBG (drbgvectors_no_reseed), [SHA-256], PredictionResistance
 * = False, 256-bit entropy, 128-bit nonce, no personalization or additional
 * input, COUNT = 0: two generates of 1024 bits, the second is ReturnedBits. */
static void test_drbg_cavp(void **state)
{
	uint8_t entropy[32], nonce[16], out[128];
	struct drbg d;
	use_impl(state);

	unhex("ca851911349384bffe89de1cbdc46e6831e44d34a4fb935ee285dd14b71a7488", entropy);
	unhex("659ba96c601dc69fc902940805ec0ca8", nonce);
	drbg_instantiate(&d, entropy, sizeof(entropy), nonce, sizeof(nonce), NULL, 0);
	assert_int_equal(drbg_generate(&d, out, sizeof(out), NULL, 0), 0);
	assert_int_equal(drbg_generate(&d, out, sizeof(out), NULL, 0), 0);
	assert_hex(out, 64,
		   "e528e9abf2dece54d47c7e75e5fe302149f817ea9fb4bee6f4199697d04d5b89"
		   "d54fbb978a15b5c443c9ec21036d2460b6f73ebad0dc2aba6e624abf07745bc1");
	assert_hex(out + 64, 64,
		   "07694bb7547bb0995f70de25d6b29e2d3011bb19d27676c07162c8b5ccde0668"
		   "961df86803482cb37ed6d5c0bb8d50cf1f50d476aa0458bdaba806f48be9dcb8");
}

static void seed(struct drbg *d, const char *pers)
{
	uint8_t entropy[32], nonce[16];

	memset(entropy, 0x5a, sizeof(entropy));
	memset(nonce, 0x01, sizeof(nonce));
	drbg_instantiate(d, entropy, sizeof(entropy), nonce, sizeof(nonce), pers, strlen(pers));
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Over DRBG_MAX_REQUEST: refused, out untouched, state unchanged; exactly
 * DRBG_MAX_REQUEST is served in full. */
static void test_drbg_max_request(void **state)
{
	static uint8_t out[DRBG_MAX_REQUEST + 1];
	struct drbg d, before;
	use_impl(state);

	seed(&d, "alpha");
	before = d;
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(drbg_generate(&d, out, DRBG_MAX_REQUEST + 1, NULL, 0), -1);
	assert_true(all_bytes(out, sizeof(out), 0xa5));
	assert_memory_equal(d.K, before.K, 32);
	assert_memory_equal(d.V, before.V, 32);
	assert_int_equal(d.reseed_counter, 1);

	assert_int_equal(drbg_generate(&d, out, DRBG_MAX_REQUEST, NULL, 0), 0);
	assert_false(all_bytes(out + DRBG_MAX_REQUEST - 32, 32, 0xa5)); /* the tail was written */
	assert_int_equal(out[DRBG_MAX_REQUEST], 0xa5);
	assert_int_equal(d.reseed_counter, 2);
}

/* A zeroed instance (never instantiated) serves nothing, and reseeding it
 * does not make it usable. */
static void test_drbg_not_instantiated(void **state)
{
	uint8_t out[32], entropy[32];
	struct drbg d;
	use_impl(state);

	memset(&d, 0, sizeof(d));
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(drbg_generate(&d, out, sizeof(out), NULL, 0), -1);
	assert_true(all_bytes(out, sizeof(out), 0xa5));

	memset(entropy, 0x33, sizeof(entropy));
	drbg_reseed(&d, entropy, sizeof(entropy), NULL, 0);
	assert_false(d.instantiated);
	assert_true(all_bytes(d.K, 32, 0) && all_bytes(d.V, 32, 0)); /* untouched */
	assert_int_equal(drbg_generate(&d, out, sizeof(out), NULL, 0), -1);
	assert_true(all_bytes(out, sizeof(out), 0xa5));
}

/* The request that brings reseed_counter to DRBG_RESEED_INTERVAL + 1 is the
 * last one served; after it every generate is refused until a reseed. */
static void test_drbg_reseed_interval(void **state)
{
	uint8_t out[32], entropy[32];
	struct drbg d;
	use_impl(state);

	seed(&d, "alpha");
	d.reseed_counter = DRBG_RESEED_INTERVAL;
	assert_int_equal(drbg_generate(&d, out, sizeof(out), NULL, 0), 0);
	assert_int_equal(d.reseed_counter, DRBG_RESEED_INTERVAL + 1);

	memset(out, 0xa5, sizeof(out));
	assert_int_equal(drbg_generate(&d, out, sizeof(out), NULL, 0), -1);
	assert_int_equal(drbg_generate(&d, out, sizeof(out), "x", 1), -1);
	assert_true(all_bytes(out, sizeof(out), 0xa5));
	assert_int_equal(d.reseed_counter, DRBG_RESEED_INTERVAL + 1);

	memset(entropy, 0x77, sizeof(entropy));
	drbg_reseed(&d, entropy, sizeof(entropy), NULL, 0);
	assert_int_equal(d.reseed_counter, 1);
	assert_int_equal(drbg_generate(&d, out, sizeof(out), NULL, 0), 0);
	assert_false(all_bytes(out, sizeof(out), 0xa5));
}

/* Same entropy and nonce, personalization "alpha" vs "beta": the streams
 * differ; the same personalization again gives the same stream, so the
 * difference comes from the personalization alone. */
static void test_drbg_partitions_differ(void **state)
{
	uint8_t a[64], b[64], a2[64];
	struct drbg da, db, da2;
	use_impl(state);

	seed(&da, "alpha");
	seed(&db, "beta");
	seed(&da2, "alpha");
	assert_int_equal(drbg_generate(&da, a, sizeof(a), NULL, 0), 0);
	assert_int_equal(drbg_generate(&db, b, sizeof(b), NULL, 0), 0);
	assert_int_equal(drbg_generate(&da2, a2, sizeof(a2), NULL, 0), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(da.K, db.K, 32);
	assert_memory_not_equal(da.V, db.V, 32);
	assert_memory_equal(a, a2, sizeof(a));

	/* Drawing from beta does not move alpha: the next alpha block matches
	 * the twin that never saw beta's calls. */
	assert_int_equal(drbg_generate(&db, b, sizeof(b), NULL, 0), 0);
	assert_int_equal(drbg_generate(&da, a, 32, NULL, 0), 0);
	assert_int_equal(drbg_generate(&da2, a2, 32, NULL, 0), 0);
	assert_memory_equal(a, a2, 32);
}

static void test_drbg_wipe(void **state)
{
	uint8_t out[32];
	struct drbg d;
	use_impl(state);

	seed(&d, "alpha");
	assert_int_equal(drbg_generate(&d, out, sizeof(out), NULL, 0), 0);
	assert_false(all_bytes(d.K, 32, 0));
	assert_false(all_bytes(d.V, 32, 0));
	drbg_wipe(&d);
	assert_true(all_bytes(d.K, 32, 0));
	assert_true(all_bytes(d.V, 32, 0));
	assert_int_equal(d.reseed_counter, 0);
	assert_false(d.instantiated);
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(drbg_generate(&d, out, sizeof(out), NULL, 0), -1);
	assert_true(all_bytes(out, sizeof(out), 0xa5));
}

/* The fixed-block HMAC (two compressions a 32-byte message, the key's pad
 * states computed once) against the general one: v = HMAC(key, v) three
 * times, each step written out; out may be NULL. */
static void test_hmac_iterate(void **state)
{
	uint8_t key[32], v[32], ref[32], out[3 * 32];
	struct hmac_key hk;
	use_impl(state);

	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(0xc0 + i), v[i] = (uint8_t)i;
	memcpy(ref, v, 32);
	hmac_key_set(&hk, key, sizeof(key));
	hmac_sha256_iterate(&hk, v, out, 3);
	for (int i = 0; i < 3; i++) {
		hmac_sha256(key, sizeof(key), ref, 32, ref);
		assert_memory_equal(out + 32 * i, ref, 32);
	}
	assert_memory_equal(v, ref, 32);
	hmac_sha256_iterate(&hk, v, NULL, 1);
	hmac_sha256(key, sizeof(key), ref, 32, ref);
	assert_memory_equal(v, ref, 32);
	/* RFC 4231 case 2 through the pad states: 28 bytes, not the fixed block. */
	{
		struct sha256_ctx c;
		const char *m = "what do ya want for nothing?";
		hmac_key_set(&hk, (const uint8_t *)"Jefe", 4);
		hmac_start(&c, &hk);
		sha256_update(&c, m, strlen(m));
		hmac_finish(&c, &hk, out);
		assert_hex(out, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	}
}

/* The boot self-test passes for the compression in use. */
static void test_selftest(void **state)
{
	use_impl(state);
	assert_true(crypto_selftest());
}

#ifdef HAVE_SHA256_CE
/* The same function whatever computes it: every message length from 0 to
 * 300 bytes, and 1 to 5 iterations of the fixed-block HMAC, with the C
 * version as reference. Only where both can run. */
static void test_ce_matches_c(void **state)
{
	uint8_t msg[300], a[SHA256_DIGEST], b[SHA256_DIGEST], va[32], vb[32], oa[5 * 32], ob[5 * 32];
	struct hmac_key hk;
	use_impl(state);

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	for (size_t n = 0; n <= sizeof(msg); n++) {
		sha256_set_impl(SHA256_C);
		sha256(msg, n, a);
		sha256_set_impl(SHA256_CE);
		sha256(msg, n, b);
		assert_memory_equal(a, b, sizeof(a));
	}
	for (size_t n = 1; n <= 5; n++) {
		sha256_set_impl(SHA256_C);
		hmac_key_set(&hk, msg, 32 + n);
		memcpy(va, msg + n, 32);
		hmac_sha256_iterate(&hk, va, oa, n);
		sha256_set_impl(SHA256_CE);
		hmac_key_set(&hk, msg, 32 + n);
		memcpy(vb, msg + n, 32);
		hmac_sha256_iterate(&hk, vb, ob, n);
		assert_memory_equal(va, vb, 32);
		assert_memory_equal(oa, ob, 32 * n);
	}
}
#endif

int main(void)
{
#define BOTH(f) { #f " (C)", f, NULL, NULL, (void *)&impl_c } IF_CE(, { #f " (instructions)", f, NULL, NULL, (void *)&impl_ce })
#ifdef HAVE_SHA256_CE
#define IF_CE(...) __VA_ARGS__
#else
#define IF_CE(...)
#endif
	const struct CMUnitTest tests[] = {
		BOTH(test_sha256_short),
		BOTH(test_sha256_million_a),
		BOTH(test_hmac_rfc4231),
		BOTH(test_drbg_reference),
		BOTH(test_drbg_cavp),
		BOTH(test_drbg_max_request),
		BOTH(test_drbg_not_instantiated),
		BOTH(test_drbg_reseed_interval),
		BOTH(test_drbg_partitions_differ),
		BOTH(test_drbg_wipe),
		BOTH(test_hmac_iterate),
		BOTH(test_selftest),
		IF_CE({ "test_ce_matches_c", test_ce_matches_c, NULL, NULL, (void *)&impl_ce },)
	};
	return cmocka_run_group_tests_name("drbg", tests, NULL, NULL);
}
