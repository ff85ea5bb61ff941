/* virtio-rng's output pool (vdev/virtio_rng.c): what the guest receives is
 * the partition's DRBG stream, short requests served from a pool of
 * RNG_POOL_BYTES filled by one DRBG request, long ones straight from the
 * DRBG; served bytes leave no copy in the pool; a device reset wipes the
 * pool with the DRBG; a failing entropy source serves nothing.
 * proves: RNG-1 */
#include "arch_fake.h"
#include "virtio_harness.h"
#include <hv/drbg.h>
#include <vdev/virtio_rng.h>

#define BUF (RAM_IPA + 0x80000)
#define QS 8

static struct virtio_rng rng;

static void line_set(void *ctx, uint32_t intid, bool high)
{
	(void)ctx;
	(void)intid;
	(void)high;
}

static void rng_start(struct drv *v)
{
	struct irq_line l = { line_set, NULL, 1 };

	virtio_rng_init(&rng, "rng", 1, &gm, &l, arch_entropy);
	drv_begin(v, &rng.dev, 0, QS, F_V1);
	drv_queue(v, 0);
	drv_live(v);
}

/* One request of one writable buffer of len bytes at BUF + off; the
 * length the device reports. */
static uint32_t request(struct drv *v, uint32_t off, uint32_t len)
{
	uint16_t before = used_idx(v, 0);

	setd(v, 0, 0, BUF + off, len, D_WRITE, 0);
	post(v, 0, 0);
	kick(v, 0);
	assert_int_equal(used_idx(v, 0), (uint16_t)(before + 1));
	return used_len(v, 0, before);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* A twin of the device's DRBG (copied once the first request, of a whole
 * pool's size, has instantiated it and gone straight to the guest) predicts
 * every byte: 64 + 100 + the rest of RNG_POOL_BYTES are one pool, the next
 * 64 the start of the next pool, whose rest waits in the pool; the 64
 * served are zero there. A request of three pools' size with the pool
 * holding all but 64 bytes takes those, then the rest straight from the
 * DRBG. */
static void test_pool_stream(void **state)
{
	enum { P = RNG_POOL_BYTES, BIG = 3 * P, DIRECT = BIG - (P - 64) };
	static uint8_t want[P], want2[P], want3[DIRECT];
	struct drbg twin;
	struct drv v;
	(void)state;

	rng_start(&v);
	assert_int_equal(request(&v, 0, P), P);
	assert_true(rng.drbg.instantiated);
	assert_int_equal(rng.pool_left, 0);
	twin = rng.drbg;

	assert_int_equal(request(&v, 0, 64), 64);
	assert_int_equal(request(&v, 64, 100), 100);
	assert_int_equal(request(&v, 164, P - 164), P - 164);
	assert_int_equal(drbg_generate(&twin, want, sizeof(want), NULL, 0), 0);
	assert_memory_equal(gp(BUF), want, P);
	assert_int_equal(rng.pool_left, 0);
	assert_true(all_zero(rng.pool, sizeof(rng.pool)));

	assert_int_equal(request(&v, 0, 64), 64);
	assert_int_equal(drbg_generate(&twin, want2, sizeof(want2), NULL, 0), 0);
	assert_memory_equal(gp(BUF), want2, 64);
	assert_int_equal(rng.pool_left, P - 64);
	assert_true(all_zero(rng.pool, 64));
	assert_memory_equal(rng.pool + 64, want2 + 64, P - 64);

	assert_int_equal(request(&v, 0, BIG), BIG);
	assert_memory_equal(gp(BUF), want2 + 64, P - 64);
	assert_int_equal(drbg_generate(&twin, want3, sizeof(want3), NULL, 0), 0);
	assert_memory_equal((uint8_t *)gp(BUF) + P - 64, want3, sizeof(want3));
	assert_int_equal(rng.pool_left, 0);
	assert_true(all_zero(rng.pool, sizeof(rng.pool)));
	assert_memory_equal(rng.drbg.K, twin.K, 32);
	assert_memory_equal(rng.drbg.V, twin.V, 32);
}

/* A device reset wipes the pool with the DRBG; the next request
 * instantiates afresh (another boot count in the nonce), so it does not
 * continue the old stream. */
static void test_pool_reset(void **state)
{
	uint8_t rest[RNG_POOL_BYTES - 64];
	struct drv v;
	(void)state;

	rng_start(&v);
	assert_int_equal(request(&v, 0, 64), 64);
	assert_int_equal(rng.pool_left, RNG_POOL_BYTES - 64);
	memcpy(rest, rng.pool + 64, sizeof(rest));
	assert_int_equal(rng.boots, 1);

	wr(&rng.dev, STATUS, 0);
	assert_int_equal(rng.pool_left, 0);
	assert_true(all_zero(rng.pool, sizeof(rng.pool)));
	assert_false(rng.drbg.instantiated);
	assert_true(all_zero(rng.drbg.K, 32) && all_zero(rng.drbg.V, 32));

	drv_features(&rng.dev, F_V1);
	drv_queue(&v, 0);
	drv_live(&v);
	assert_int_equal(request(&v, 0, 64), 64);
	assert_int_equal(rng.boots, 2);
	assert_memory_not_equal(gp(BUF), rest, 64);
}

/* With the entropy source failing from the start nothing is served and
 * the pool stays empty; once it works again, data flows. */
static void test_pool_entropy_failure(void **state)
{
	struct drv v;
	(void)state;

	rng_start(&v);
	fake_entropy_fail = true;
	memset(gp(BUF), FILL, 64);
	assert_int_equal(request(&v, 0, 64), 0);
	assert_true(rng.failed);
	assert_int_equal(rng.pool_left, 0);
	assert_true(all_zero(rng.pool, sizeof(rng.pool)));
	fake_entropy_fail = false;
	assert_int_equal(request(&v, 0, 64), 64);
	assert_false(rng.failed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_stream),
		cmocka_unit_test(test_pool_reset),
		cmocka_unit_test(test_pool_entropy_failure),
	};
	return cmocka_run_group_tests_name("rng", tests, group_setup, group_teardown);
}
