/* The virtio-mmio v2 transport, the split virtqueue engine, virtio-rng and
 * virtio-console, driven only through their registers the way a guest
 * driver does, over a fake guest RAM in which the test lays out rings and
 * buffers by hand (virtio_harness.h). Hostile rings end in
 * DEVICE_NEEDS_RESET without a byte written anywhere; guard zones around
 * the RAM catch stray writes.
 * proves: PLATFORM-5, PLATFORM-7, RNG-1, CON-1, IOMMU-12
 *
 * Register offsets, status and feature bits are written out here and in
 * virtio_harness.h from [VIRTIO] 1.2 (2.1, 2.7, 4.2.2, 5.3, 5.4), not taken
 * from the code. */
#include "arch_fake.h"
#include "virtio_harness.h"
#include <vdev/virtio_console.h>
#include <vdev/virtio_rng.h>
#include <hv/iommu_domain.h>

/* Layout: device slot s has its queue q at RAM_IPA + 0x10000*s + 0x4000*q
 * (struct drv); indirect tables from IND, data buffers from BUF. */
#define IND (RAM_IPA + 0x40000)
#define BUF (RAM_IPA + 0x80000)
#define QS 8

/* ---- interrupt lines ---- */
static bool level[64];
static int raises[64];
static void line_set(void *ctx, uint32_t intid, bool high)
{
	(void)ctx;
	if (high && !level[intid])
		raises[intid]++;
	level[intid] = high;
}

static struct virtio_rng rng, rng2;
static struct virtio_console con;
enum { IRQ_RNG = 40, IRQ_RNG2 = 41, IRQ_CON = 42 };

/* Reset, negotiate features, set up every queue, DRIVER_OK ([VIRTIO] 3.1.1). */
static void drv_start(struct drv *v, struct virtio_dev *d, unsigned slot, unsigned nq,
		      uint16_t num, uint64_t features)
{
	drv_begin(v, d, slot, num, features);
	for (unsigned q = 0; q < nq; q++) {
		wr(d, QUEUE_SEL, q);
		assert_true(rd(d, QUEUE_NUM_MAX) >= num);
		assert_int_equal(rd(d, QUEUE_READY), 0);
		drv_queue(v, q);
	}
	drv_live(v);
	assert_int_equal(rd(d, INT_STATUS), 0);
}

static unsigned distinct(const uint8_t *p, size_t n)
{
	bool seen[256] = { false };
	unsigned k = 0;
	for (size_t i = 0; i < n; i++)
		if (!seen[p[i]]) {
			seen[p[i]] = true;
			k++;
		}
	return k;
}

/* ---- fixtures ---- */
static int setup(void **state)
{
	(void)state;
	memset(host, FILL, HOST_SIZE);
	memset(level, 0, sizeof(level));
	memset(raises, 0, sizeof(raises));
	fake_console_reset();
	fake_entropy_fail = false;
	struct irq_line l1 = { line_set, NULL, IRQ_RNG }, l2 = { line_set, NULL, IRQ_RNG2 },
			l3 = { line_set, NULL, IRQ_CON };
	virtio_rng_init(&rng, "alpha", 1, &gm, &l1, arch_entropy);
	virtio_rng_init(&rng2, "beta", 2, &gm, &l2, arch_entropy);
	virtio_console_init(&con, "con0", &gm, &l3);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_entropy_fail = false;
	return 0;
}

/* ================= identification and register widths ================= */

static void test_identification(void **state)
{
	(void)state;
	assert_int_equal(rd(&rng.dev, MAGIC), 0x74726976);
	assert_int_equal(rd(&rng.dev, VERSION), 2);
	assert_int_equal(rd(&rng.dev, DEVICE_ID), 4);
	assert_int_equal(rd(&con.dev, MAGIC), 0x74726976);
	assert_int_equal(rd(&con.dev, VERSION), 2);
	assert_int_equal(rd(&con.dev, DEVICE_ID), 3);
	assert_int_not_equal(rd(&rng.dev, VENDOR_ID), 0);
	/* QueueNumMax for existing queues, 0 past them. */
	wr(&rng.dev, QUEUE_SEL, 0);
	assert_int_equal(rd(&rng.dev, QUEUE_NUM_MAX), VQ_MAX_SIZE);
	wr(&rng.dev, QUEUE_SEL, 1);
	assert_int_equal(rd(&rng.dev, QUEUE_NUM_MAX), 0);
	wr(&con.dev, QUEUE_SEL, 1);
	assert_int_equal(rd(&con.dev, QUEUE_NUM_MAX), VQ_MAX_SIZE);
	wr(&con.dev, QUEUE_SEL, 2);
	assert_int_equal(rd(&con.dev, QUEUE_NUM_MAX), 0);
	/* No shared memory regions: length and base read all ones. */
	wr(&rng.dev, SHM_SEL, 0);
	assert_int_equal(rd(&rng.dev, SHM_LEN_LO), 0xffffffff);
	assert_int_equal(rd(&rng.dev, SHM_LEN_HI), 0xffffffff);
	assert_int_equal(rd(&rng.dev, SHM_BASE_LO), 0xffffffff);
	assert_int_equal(rd(&rng.dev, SHM_BASE_HI), 0xffffffff);
	assert_int_equal(rd(&rng.dev, CONFIG_GEN), 0);
	assert_int_equal(rd(&rng.dev, STATUS), 0);
}

static void test_register_widths(void **state)
{
	static const uint32_t regs[] = { MAGIC, VERSION, DEVICE_ID, DEV_FEAT, DRV_FEAT, QUEUE_SEL,
					 QUEUE_NUM_MAX, QUEUE_NUM, QUEUE_READY, QUEUE_NOTIFY,
					 INT_STATUS, INT_ACK, STATUS, QUEUE_DESC_LO, SHM_LEN_LO,
					 CONFIG_GEN };
	uint64_t v;
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(regs); i++) {
		for (unsigned w = 1; w <= 2; w++) {
			v = 0;
			assert_int_equal(acc(&rng.dev, regs[i], w, false, &v), -1);
			v = S_ACK;
			assert_int_equal(acc(&rng.dev, regs[i], w, true, &v), -1);
		}
		v = 0;
		assert_int_equal(acc(&rng.dev, regs[i], 8, false, &v), -1);
	}
	/* The refused narrow status write really was refused. */
	assert_int_equal(rd(&rng.dev, STATUS), 0);
	assert_int_equal(acc(&rng.dev, MAGIC + 2, 4, false, &v), -1); /* unaligned */
	assert_int_equal(acc(&rng.dev, 0x018, 4, false, &v), -1);     /* hole */
	assert_int_equal(acc(&rng.dev, 0x200, 4, false, &v), -1);     /* past the window */
	assert_int_equal(acc(&rng.dev, MAGIC, 3, false, &v), -1);
	assert_int_equal(acc(&rng.dev, MAGIC, 0, false, &v), -1);
	/* A 32-bit read of the same registers works. */
	assert_int_equal(acc(&rng.dev, MAGIC, 4, false, &v), 0);
	assert_int_equal(v, 0x74726976);
}

/* struct virtio_console_config ([VIRTIO] 5.3.4): cols, rows, max_nr_ports
 * at 4, emerg_wr at 8; any width the field allows. */
static void test_console_config(void **state)
{
	uint64_t v;
	(void)state;
	for (unsigned w = 1; w <= 4; w *= 2) {
		v = 0x5555;
		assert_int_equal(acc(&con.dev, CONFIG + 4, w, false, &v), 0);
		assert_int_equal(v, 1);
		v = 0x5555;
		assert_int_equal(acc(&con.dev, CONFIG, w, false, &v), 0);
		assert_int_equal(v, 0); /* cols, rows unknown */
	}
	v = 0x5555;
	assert_int_equal(acc(&con.dev, CONFIG + 5, 1, false, &v), 0);
	assert_int_equal(v, 0);
	v = 0x5555;
	assert_int_equal(acc(&con.dev, CONFIG + 6, 2, false, &v), 0);
	assert_int_equal(v, 0);
	v = 0x5555;
	assert_int_equal(acc(&con.dev, CONFIG + 8, 4, false, &v), 0);
	assert_int_equal(v, 0);
	/* Past the structure: zero, and no out-of-bounds read. */
	for (unsigned w = 1; w <= 4; w *= 2) {
		v = 0x5555;
		assert_int_equal(acc(&con.dev, CONFIG + 12, w, false, &v), 0);
		assert_int_equal(v, 0);
	}
	v = 0x5555;
	assert_int_equal(acc(&con.dev, CONFIG + 0xfc, 4, false, &v), 0);
	assert_int_equal(v, 0);
	v = 0x5555;
	assert_int_equal(acc(&con.dev, CONFIG + 10, 4, false, &v), -1); /* misaligned */
	assert_int_equal(acc(&con.dev, CONFIG + 3, 2, false, &v), -1);
	/* Writes are ignored. */
	v = 7;
	assert_int_equal(acc(&con.dev, CONFIG + 4, 4, true, &v), 0);
	v = 0;
	assert_int_equal(acc(&con.dev, CONFIG + 4, 4, false, &v), 0);
	assert_int_equal(v, 1);
	/* virtio-rng has no configuration space ([VIRTIO] 5.4.4). */
	v = 0x5555;
	assert_int_equal(acc(&rng.dev, CONFIG + 4, 4, false, &v), 0);
	assert_int_equal(v, 0);
}

/* ========================= feature negotiation ========================= */

/* Both feature words, and nothing in a third. */
static uint64_t device_features(struct virtio_dev *d)
{
	uint64_t f = dev_features(d);
	wr(d, DEV_FEAT_SEL, 2);
	assert_int_equal(rd(d, DEV_FEAT), 0);
	return f;
}

/* Reset, ACK, DRIVER, the features, FEATURES_OK: the status read back. */
static uint32_t try_features(struct virtio_dev *d, uint64_t f)
{
	wr(d, STATUS, 0);
	drv_features(d, f);
	return rd(d, STATUS);
}

static void test_features_offered(void **state)
{
	(void)state;
	uint64_t f = device_features(&rng.dev);
	assert_true(f & F_V1);
	assert_true(f & F_EVENT_IDX);
	assert_true(f & F_INDIRECT);
	assert_false(f & F_ACCESS_PLATFORM);
	f = device_features(&con.dev);
	assert_true(f & F_V1);
	assert_true(f & F_EVENT_IDX);
	assert_true(f & F_INDIRECT);
	/* No console features (SIZE 0, MULTIPORT 1, EMERG_WRITE 2). */
	assert_int_equal(f & 7, 0);
}

static void test_features_ok_refused(void **state)
{
	(void)state;
	/* Legacy (no VERSION_1) refused. */
	assert_int_equal(try_features(&rng.dev, 0), S_ACK | S_DRIVER);
	assert_int_equal(try_features(&rng.dev, F_INDIRECT | F_EVENT_IDX), S_ACK | S_DRIVER);
	/* A bit the device did not offer, in either half. */
	assert_int_equal(try_features(&rng.dev, F_V1 | 1), S_ACK | S_DRIVER);
	assert_int_equal(try_features(&rng.dev, F_V1 | F_ACCESS_PLATFORM), S_ACK | S_DRIVER);
	assert_int_equal(try_features(&rng.dev, F_V1 | (1ULL << 63)), S_ACK | S_DRIVER);
	assert_int_equal(try_features(&con.dev, F_V1 | 2), S_ACK | S_DRIVER); /* MULTIPORT */
	/* DRIVER_OK cannot follow a refused FEATURES_OK. */
	wr(&rng.dev, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	assert_int_equal(rd(&rng.dev, STATUS), S_ACK | S_DRIVER);
	/* Nor can a queue be made ready. */
	wr(&rng.dev, QUEUE_SEL, 0);
	wr(&rng.dev, QUEUE_NUM, QS);
	wr(&rng.dev, QUEUE_DESC_LO, (uint32_t)RAM_IPA);
	wr(&rng.dev, QUEUE_DRIVER_LO, (uint32_t)RAM_IPA + 0x1000);
	wr(&rng.dev, QUEUE_DEVICE_LO, (uint32_t)RAM_IPA + 0x2000);
	wr(&rng.dev, QUEUE_READY, 1);
	assert_int_equal(rd(&rng.dev, QUEUE_READY), 0);
}

static void test_features_ok_accepted(void **state)
{
	(void)state;
	assert_int_equal(try_features(&rng.dev, F_V1), S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_int_equal(try_features(&rng.dev, F_V1 | F_EVENT_IDX | F_INDIRECT),
			 S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_int_equal(try_features(&con.dev, F_V1 | F_INDIRECT), S_ACK | S_DRIVER | S_FEATURES_OK);
}

/* DriverFeatures after FEATURES_OK changes nothing: EVENT_IDX written late
 * is not in force (the device does not write avail_event). */
static void test_features_frozen_after_features_ok(void **state)
{
	struct drv v = { .d = &rng.dev, .slot = 0, .num = QS };
	(void)state;
	assert_int_equal(try_features(&rng.dev, F_V1), S_ACK | S_DRIVER | S_FEATURES_OK);
	wr(&rng.dev, DRV_FEAT_SEL, 0);
	wr(&rng.dev, DRV_FEAT, (uint32_t)(F_EVENT_IDX | F_INDIRECT));
	wr(&rng.dev, DRV_FEAT_SEL, 1);
	wr(&rng.dev, DRV_FEAT, 0);
	assert_int_equal(rng.dev.driver_features, F_V1);
	/* Set the queue up by hand (drv_start would reset). */
	memset(gp(RAM_IPA), 0, 0x3000);
	wr(&rng.dev, QUEUE_SEL, 0);
	wr(&rng.dev, QUEUE_NUM, QS);
	wr(&rng.dev, QUEUE_DESC_LO, (uint32_t)desc_ipa(&v, 0));
	wr(&rng.dev, QUEUE_DRIVER_LO, (uint32_t)avail_ipa(&v, 0));
	wr(&rng.dev, QUEUE_DEVICE_LO, (uint32_t)used_ipa(&v, 0));
	wr(&rng.dev, QUEUE_READY, 1);
	wr(&rng.dev, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	assert_int_equal(rd(&rng.dev, STATUS), 0xf);
	setd(&v, 0, 0, BUF, 16, D_WRITE, 0);
	post(&v, 0, 0);
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 1);
	assert_int_equal(avail_event(&v, 0), 0);
	/* ... and still works as a VERSION_1 device. */
	assert_int_equal(used_len(&v, 0, 0), 16);
}

static void test_status_state_machine(void **state)
{
	(void)state;
	/* DRIVER_OK without FEATURES_OK. */
	wr(&rng.dev, STATUS, S_ACK);
	wr(&rng.dev, STATUS, S_ACK | S_DRIVER);
	wr(&rng.dev, STATUS, S_ACK | S_DRIVER | S_DRIVER_OK);
	assert_int_equal(rd(&rng.dev, STATUS), S_ACK | S_DRIVER);
	/* A write that clears bits is ignored. */
	wr(&rng.dev, DRV_FEAT_SEL, 1);
	wr(&rng.dev, DRV_FEAT, 1);
	wr(&rng.dev, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_int_equal(rd(&rng.dev, STATUS), S_ACK | S_DRIVER | S_FEATURES_OK);
	wr(&rng.dev, STATUS, S_ACK);
	assert_int_equal(rd(&rng.dev, STATUS), S_ACK | S_DRIVER | S_FEATURES_OK);
	wr(&rng.dev, STATUS, S_DRIVER_OK | S_FEATURES_OK);
	assert_int_equal(rd(&rng.dev, STATUS), S_ACK | S_DRIVER | S_FEATURES_OK);
	wr(&rng.dev, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	assert_int_equal(rd(&rng.dev, STATUS), 0xf);
	wr(&rng.dev, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_int_equal(rd(&rng.dev, STATUS), 0xf);
	/* Writing 0 resets. */
	wr(&rng.dev, STATUS, 0);
	assert_int_equal(rd(&rng.dev, STATUS), 0);
	assert_int_equal(rng.dev.driver_features, 0);
}

/* Status 0 resets everything: status, interrupt, queues, features. */
static void test_reset_clears_everything(void **state)
{
	struct drv v;
	(void)state;
	drv_start(&v, &rng.dev, 0, 1, QS, F_V1 | F_EVENT_IDX);
	setd(&v, 0, 0, BUF, 16, D_WRITE, 0);
	post(&v, 0, 0);
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 1);
	assert_int_equal(rd(&rng.dev, INT_STATUS), 1);
	assert_true(level[IRQ_RNG]);
	wr(&rng.dev, QUEUE_SEL, 0);
	wr(&rng.dev, STATUS, 0);
	assert_int_equal(rd(&rng.dev, STATUS), 0);
	assert_int_equal(rd(&rng.dev, INT_STATUS), 0);
	assert_false(level[IRQ_RNG]);
	assert_int_equal(rd(&rng.dev, QUEUE_READY), 0);
	assert_int_equal(rng.dev.driver_features, 0);
	assert_int_equal(rng.dev.vq[0].num, 0);
	assert_int_equal(rng.dev.vq[0].desc, 0);
	/* Nothing is served any more. */
	post(&v, 0, 0);
	snapshot_ram();
	kick(&v, 0);
	assert_int_equal(stray_write(NULL, 0), -1);
	/* The DRBG state was wiped with it. */
	assert_false(rng.drbg.instantiated);
}

/* ============================= queue setup ============================= */

struct qcase {
	const char *what;
	uint32_t num;
	uint64_t desc, avail, used;
};

static void test_queue_setup_refused(void **state)
{
	const uint64_t D = RAM_IPA, A = RAM_IPA + 0x1000, U = RAM_IPA + 0x2000;
	const struct qcase cases[] = {
		{ "size not a power of two", 6, D, A, U },
		{ "size 0", 0, D, A, U },
		{ "size above QueueNumMax", 2 * VQ_MAX_SIZE, D, A, U },
		{ "size 0x10000", 0x10000, D, A, U },
		{ "desc outside RAM", QS, RAM_IPA + RAM_SIZE, A, U },
		{ "desc below RAM", QS, RAM_IPA - 0x1000, A, U },
		{ "desc crosses the end of RAM", QS, RAM_IPA + RAM_SIZE - 0x40, A, U },
		{ "avail outside RAM", QS, D, 0x1000, U },
		{ "used outside RAM", QS, D, A, RAM_IPA + RAM_SIZE - 8 },
		{ "used wraps 64 bits", QS, D, A, 0xfffffffffffffff0ULL },
		{ "desc misaligned", QS, D + 8, A, U },
		{ "avail misaligned", QS, D, A + 1, U },
		{ "used misaligned", QS, D, A, U + 2 },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct qcase *c = &cases[i];
		print_message("  %s\n", c->what);
		assert_int_equal(try_features(&rng.dev, F_V1), S_ACK | S_DRIVER | S_FEATURES_OK);
		assert_int_equal(rd(&rng.dev, INT_STATUS), 0);
		assert_false(level[IRQ_RNG]);
		wr(&rng.dev, QUEUE_SEL, 0);
		wr(&rng.dev, QUEUE_NUM, c->num);
		wr(&rng.dev, QUEUE_DESC_LO, (uint32_t)c->desc);
		wr(&rng.dev, QUEUE_DESC_HI, (uint32_t)(c->desc >> 32));
		wr(&rng.dev, QUEUE_DRIVER_LO, (uint32_t)c->avail);
		wr(&rng.dev, QUEUE_DRIVER_HI, (uint32_t)(c->avail >> 32));
		wr(&rng.dev, QUEUE_DEVICE_LO, (uint32_t)c->used);
		wr(&rng.dev, QUEUE_DEVICE_HI, (uint32_t)(c->used >> 32));
		wr(&rng.dev, QUEUE_READY, 1);
		assert_int_equal(rd(&rng.dev, QUEUE_READY), 0);
		assert_int_equal(rd(&rng.dev, STATUS), S_ACK | S_DRIVER | S_FEATURES_OK | S_NEEDS_RESET);
		assert_int_equal(rd(&rng.dev, INT_STATUS), 2);
		assert_true(level[IRQ_RNG]);
		/* DRIVER_OK is taken but the device stays broken. */
		wr(&rng.dev, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
		assert_true(rd(&rng.dev, STATUS) & S_NEEDS_RESET);
		wr(&rng.dev, STATUS, 0);
		assert_int_equal(rd(&rng.dev, STATUS), 0);
		assert_false(level[IRQ_RNG]);
	}
	/* The control: the same registers with a good setup make it ready. */
	assert_int_equal(try_features(&rng.dev, F_V1), S_ACK | S_DRIVER | S_FEATURES_OK);
	wr(&rng.dev, QUEUE_NUM, VQ_MAX_SIZE);
	wr(&rng.dev, QUEUE_DESC_LO, (uint32_t)D);
	wr(&rng.dev, QUEUE_DESC_HI, 0);
	wr(&rng.dev, QUEUE_DRIVER_LO, (uint32_t)A);
	wr(&rng.dev, QUEUE_DRIVER_HI, 0);
	wr(&rng.dev, QUEUE_DEVICE_LO, (uint32_t)U);
	wr(&rng.dev, QUEUE_DEVICE_HI, 0);
	wr(&rng.dev, QUEUE_READY, 1);
	assert_int_equal(rd(&rng.dev, QUEUE_READY), 1);
	assert_int_equal(rd(&rng.dev, STATUS), S_ACK | S_DRIVER | S_FEATURES_OK);
}

/* While a queue is ready its size and addresses cannot change; the
 * device keeps using the rings it checked. */
static void test_queue_registers_frozen_while_ready(void **state)
{
	struct drv v;
	(void)state;
	drv_start(&v, &rng.dev, 0, 1, QS, F_V1);
	wr(&rng.dev, QUEUE_SEL, 0);
	wr(&rng.dev, QUEUE_NUM, 2);
	wr(&rng.dev, QUEUE_DESC_LO, (uint32_t)(RAM_IPA + RAM_SIZE));
	wr(&rng.dev, QUEUE_DESC_HI, 1);
	wr(&rng.dev, QUEUE_DRIVER_LO, 0);
	wr(&rng.dev, QUEUE_DEVICE_LO, 0);
	assert_int_equal(rng.dev.vq[0].num, QS);
	assert_int_equal(rng.dev.vq[0].desc, desc_ipa(&v, 0));
	assert_int_equal(rng.dev.vq[0].avail, avail_ipa(&v, 0));
	assert_int_equal(rng.dev.vq[0].used, used_ipa(&v, 0));
	/* Serve requests through avail slots 0..4: with size 2 slot 2
	 * would wrap to slot 0. */
	for (unsigned i = 0; i < 5; i++) {
		setd(&v, 0, i, BUF + 0x100 * i, 8 + i, D_WRITE, 0);
		post(&v, 0, (uint16_t)i);
	}
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 5);
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(used_id(&v, 0, i), i);
		assert_int_equal(used_len(&v, 0, i), 8 + i);
	}
	assert_int_equal(rd(&rng.dev, STATUS), 0xf);
}

/* vq_push() completes only into a ready queue, whose size and areas are
 * the ones checked when it was enabled: a device model that completes a
 * request late (a block backend's interrupt) must not write through a
 * queue the driver has since disabled, resized or failed to re-enable.
 * vq_live() tells it whether the queue is still the ring it took the
 * chain from: not after a disable, a re-enable elsewhere or a reset.
 * proves: PLATFORM-5, PLATFORM-7 */
static void test_push_needs_ready_queue(void **state)
{
	struct drv v;
	struct range r[2];
	uint32_t ep, ep2;
	(void)state;
	drv_start(&v, &rng.dev, 0, 1, QS, F_V1);
	ep = rng.dev.vq[0].epoch;
	assert_true(vq_live(&rng.dev, 0, ep));
	/* The control: a ready queue takes the entry. */
	snapshot_ram();
	vq_push(&rng.dev, 0, 5, 16);
	used_ranges(&v, 0, 0, r);
	assert_int_equal(stray_write(r, 2), -1);
	assert_int_equal(used_idx(&v, 0), 1);
	assert_int_equal(used_id(&v, 0, 0), 5);
	assert_int_equal(used_len(&v, 0, 0), 16);
	assert_int_equal(rd(&rng.dev, INT_STATUS), 1);
	wr(&rng.dev, INT_ACK, 1);
	assert_false(level[IRQ_RNG]);

	/* Disabled, then resized to the largest size and to 0: nothing
	 * written, no interrupt. */
	wr(&rng.dev, QUEUE_SEL, 0);
	wr(&rng.dev, QUEUE_READY, 0);
	assert_int_equal(rd(&rng.dev, QUEUE_READY), 0);
	assert_false(vq_live(&rng.dev, 0, ep));
	snapshot_ram();
	vq_push(&rng.dev, 0, 5, 16);
	assert_int_equal(stray_write(NULL, 0), -1);
	wr(&rng.dev, QUEUE_NUM, 0xffff);
	vq_push(&rng.dev, 0, 6, 16);
	assert_int_equal(stray_write(NULL, 0), -1);
	wr(&rng.dev, QUEUE_NUM, 0);
	vq_push(&rng.dev, 0, 7, 16);
	assert_int_equal(stray_write(NULL, 0), -1);
	assert_int_equal(rd(&rng.dev, INT_STATUS), 0);
	assert_false(level[IRQ_RNG]);

	/* Enabled again with its used ring moved (where queue 1's would be): a
	 * new ring, so the old one is not live; pushes go to the new one. */
	memset(used(&v, 1), 0, 0x1000);
	wr(&rng.dev, QUEUE_NUM, QS);
	wr(&rng.dev, QUEUE_DEVICE_LO, (uint32_t)used_ipa(&v, 1));
	wr(&rng.dev, QUEUE_DEVICE_HI, (uint32_t)(used_ipa(&v, 1) >> 32));
	wr(&rng.dev, QUEUE_READY, 1);
	assert_int_equal(rd(&rng.dev, QUEUE_READY), 1);
	ep2 = rng.dev.vq[0].epoch;
	assert_false(vq_live(&rng.dev, 0, ep));
	assert_true(vq_live(&rng.dev, 0, ep2));
	snapshot_ram();
	vq_push(&rng.dev, 0, 3, 8);
	used_ranges(&v, 1, 0, r);
	assert_int_equal(stray_write(r, 2), -1);
	assert_int_equal(used_idx(&v, 1), 1);
	assert_int_equal(used_id(&v, 1, 0), 3);
	assert_int_equal(used_idx(&v, 0), 1);
	wr(&rng.dev, INT_ACK, 1);

	/* Disabled and enabled again with the used ring outside guest RAM:
	 * refused (NEEDS_RESET), the queue has no used ring; a push writes
	 * nothing. */
	wr(&rng.dev, QUEUE_READY, 0);
	wr(&rng.dev, QUEUE_DEVICE_LO, 0x1000);
	wr(&rng.dev, QUEUE_DEVICE_HI, 0);
	wr(&rng.dev, QUEUE_READY, 1);
	assert_int_equal(rd(&rng.dev, QUEUE_READY), 0);
	assert_true(rd(&rng.dev, STATUS) & S_NEEDS_RESET);
	assert_false(vq_live(&rng.dev, 0, ep2));
	assert_false(vq_live(&rng.dev, 0, rng.dev.vq[0].epoch));
	snapshot_ram();
	vq_push(&rng.dev, 0, 4, 8);
	assert_int_equal(stray_write(NULL, 0), -1);
	assert_int_equal(rd(&rng.dev, INT_STATUS), 2); /* the configuration change only */

	/* A reset ends every ring: the same queue set up again is a new one. */
	drv_start(&v, &rng.dev, 0, 1, QS, F_V1);
	assert_false(vq_live(&rng.dev, 0, ep));
	assert_false(vq_live(&rng.dev, 0, ep2));
	assert_true(vq_live(&rng.dev, 0, rng.dev.vq[0].epoch));
	assert_false(vq_live(&rng.dev, VIRTIO_MAX_QUEUES, rng.dev.vq[0].epoch));
}

/* QueueNotify before DRIVER_OK, or for a queue that does not exist,
 * does nothing. */
static void test_notify_before_driver_ok(void **state)
{
	struct drv v = { .d = &rng.dev, .slot = 0, .num = QS };
	(void)state;
	assert_int_equal(try_features(&rng.dev, F_V1), S_ACK | S_DRIVER | S_FEATURES_OK);
	memset(gp(RAM_IPA), 0, 0x3000);
	wr(&rng.dev, QUEUE_SEL, 0);
	wr(&rng.dev, QUEUE_NUM, QS);
	wr(&rng.dev, QUEUE_DESC_LO, (uint32_t)desc_ipa(&v, 0));
	wr(&rng.dev, QUEUE_DRIVER_LO, (uint32_t)avail_ipa(&v, 0));
	wr(&rng.dev, QUEUE_DEVICE_LO, (uint32_t)used_ipa(&v, 0));
	wr(&rng.dev, QUEUE_READY, 1);
	assert_int_equal(rd(&rng.dev, QUEUE_READY), 1);
	setd(&v, 0, 0, BUF, 32, D_WRITE, 0);
	post(&v, 0, 0);
	snapshot_ram();
	kick(&v, 0);
	assert_int_equal(stray_write(NULL, 0), -1);
	assert_int_equal(rd(&rng.dev, INT_STATUS), 0);
	wr(&rng.dev, STATUS, 0xf);
	assert_int_equal(rd(&rng.dev, STATUS), 0xf);
	wr(&rng.dev, QUEUE_NOTIFY, 1);
	wr(&rng.dev, QUEUE_NOTIFY, 0xffffffff);
	wr(&rng.dev, QUEUE_NOTIFY, 0x10000);
	assert_int_equal(stray_write(NULL, 0), -1);
	/* Now it is served. */
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 1);
	assert_int_equal(used_len(&v, 0, 0), 32);
}

/* ================================ rng ================================ */

static void test_rng_request(void **state)
{
	struct drv v;
	struct range ok[4];
	uint8_t first[164];
	(void)state;
	drv_start(&v, &rng.dev, 0, 1, QS, F_V1);
	setd(&v, 0, 3, BUF, 64, D_WRITE | D_NEXT, 5);
	setd(&v, 0, 5, BUF + 0x100, 100, D_WRITE, 0);
	post(&v, 0, 3);
	snapshot_ram();
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 1);
	assert_int_equal(used_id(&v, 0, 0), 3);
	assert_int_equal(used_len(&v, 0, 0), 164);
	assert_int_equal(rd(&rng.dev, INT_STATUS), 1);
	assert_true(level[IRQ_RNG]);
	assert_int_equal(raises[IRQ_RNG], 1);
	/* Random bytes in both buffers, nothing written elsewhere. */
	assert_true(distinct(gp(BUF), 64) >= 32);
	assert_true(distinct(gp(BUF + 0x100), 100) >= 48);
	memcpy(first, gp(BUF), 64);
	memcpy(first + 64, gp(BUF + 0x100), 100);
	used_ranges(&v, 0, 0, ok);
	ok[2] = (struct range){ BUF, 64 };
	ok[3] = (struct range){ BUF + 0x100, 100 };
	assert_int_equal(stray_write(ok, 4), -1);
	/* InterruptACK lowers the line. */
	wr(&rng.dev, INT_ACK, 1);
	assert_int_equal(rd(&rng.dev, INT_STATUS), 0);
	assert_false(level[IRQ_RNG]);
	/* The next request gets other bytes. */
	post(&v, 0, 3);
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 2);
	assert_int_equal(used_len(&v, 0, 1), 164);
	assert_memory_not_equal(gp(BUF), first, 64);
	assert_memory_not_equal(gp(BUF + 0x100), first + 64, 100);
	assert_true(level[IRQ_RNG]);
	assert_int_equal(raises[IRQ_RNG], 2);
}

/* Readable buffers in a request are not written, and don't count. */
static void test_rng_skips_readable(void **state)
{
	struct drv v;
	struct range ok[3];
	(void)state;
	drv_start(&v, &rng.dev, 0, 1, QS, F_V1);
	setd(&v, 0, 0, BUF, 32, D_NEXT, 1);
	setd(&v, 0, 1, BUF + 0x100, 48, D_WRITE, 0);
	post(&v, 0, 0);
	snapshot_ram();
	kick(&v, 0);
	assert_int_equal(used_len(&v, 0, 0), 48);
	used_ranges(&v, 0, 0, ok);
	ok[2] = (struct range){ BUF + 0x100, 48 };
	assert_int_equal(stray_write(ok, 3), -1);
	assert_true(distinct(gp(BUF + 0x100), 48) >= 24);
}

/* A request far larger than the device serves in one go: the used length
 * says exactly how much was written, from the first writable byte on, and
 * nothing past it is touched. */
static void test_rng_large_request(void **state)
{
	struct drv v;
	struct range ok[3];
	const uint32_t seg = 0x20000; /* 3 x 128 KiB */
	(void)state;
	drv_start(&v, &rng.dev, 0, 1, QS, F_V1);
	for (unsigned i = 0; i < 3; i++)
		setd(&v, 0, i, BUF + seg * i, seg, (uint16_t)(D_WRITE | (i < 2 ? D_NEXT : 0)), i + 1);
	post(&v, 0, 0);
	snapshot_ram();
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 1);
	uint32_t n = used_len(&v, 0, 0);
	assert_true(n >= 4096);
	assert_true(n <= 3 * seg);
	used_ranges(&v, 0, 0, ok);
	ok[2] = (struct range){ BUF, n };
	assert_int_equal(stray_write(ok, 3), -1);
	/* Every 4 KiB of what was served looks random. */
	for (uint32_t off = 0; off + 4096 <= n; off += 4096)
		assert_true(distinct(gp(BUF + off), 4096) >= 200);
	assert_int_equal(rd(&rng.dev, STATUS), 0xf);
}

static bool const_entropy(void *buf, size_t n)
{
	memset(buf, 0x42, n);
	return true;
}

/* One partition's stream depends on its name even from the same entropy
 * and nonce: with a constant entropy source, the same name gives the same
 * bytes (the control) and another name other bytes. */
static void test_rng_partitions_differ(void **state)
{
	struct irq_line l1 = { line_set, NULL, IRQ_RNG }, l2 = { line_set, NULL, IRQ_RNG2 };
	struct drv a, b;
	uint8_t x[3][48];
	const char *names[3] = { "alpha", "alpha", "beta" };
	(void)state;
	for (int i = 0; i < 3; i++) {
		virtio_rng_init(&rng, names[i], 7, &gm, &l1, const_entropy);
		drv_start(&a, &rng.dev, 0, 1, QS, F_V1);
		setd(&a, 0, 0, BUF, 48, D_WRITE, 0);
		memset(gp(BUF), 0, 48);
		post(&a, 0, 0);
		kick(&a, 0);
		assert_int_equal(used_len(&a, 0, 0), 48);
		memcpy(x[i], gp(BUF), 48);
	}
	assert_memory_equal(x[0], x[1], 48);
	assert_memory_not_equal(x[0], x[2], 48);
	/* Two live devices with the real (fake) source: different bytes. */
	virtio_rng_init(&rng, "alpha", 1, &gm, &l1, arch_entropy);
	virtio_rng_init(&rng2, "beta", 2, &gm, &l2, arch_entropy);
	drv_start(&a, &rng.dev, 0, 1, QS, F_V1);
	drv_start(&b, &rng2.dev, 1, 1, QS, F_V1);
	setd(&a, 0, 0, BUF, 48, D_WRITE, 0);
	setd(&b, 0, 0, BUF + 0x100, 48, D_WRITE, 0);
	post(&a, 0, 0);
	post(&b, 0, 0);
	kick(&a, 0);
	kick(&b, 0);
	assert_int_equal(used_len(&a, 0, 0), 48);
	assert_int_equal(used_len(&b, 0, 0), 48);
	assert_memory_not_equal(gp(BUF), gp(BUF + 0x100), 48);
	assert_true(level[IRQ_RNG] && level[IRQ_RNG2]);
}

/* The entropy source failing: the request completes with nothing served,
 * the buffer untouched; the failure is logged. Service resumes when the
 * source works again. */
static void test_rng_entropy_failure(void **state)
{
	struct drv v;
	struct range ok[2];
	(void)state;
	drv_start(&v, &rng.dev, 0, 1, QS, F_V1);
	fake_entropy_fail = true;
	setd(&v, 0, 0, BUF, 64, D_WRITE, 0);
	post(&v, 0, 0);
	snapshot_ram();
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 1);
	assert_int_equal(used_id(&v, 0, 0), 0);
	assert_int_equal(used_len(&v, 0, 0), 0);
	used_ranges(&v, 0, 0, ok);
	assert_int_equal(stray_write(ok, 2), -1); /* the buffer untouched */
	assert_non_null(strstr(fake_console, "entropy source failed"));
	assert_int_equal(rd(&rng.dev, INT_STATUS), 1);
	assert_int_equal(rd(&rng.dev, STATUS), 0xf); /* not a driver error */
	fake_entropy_fail = false;
	post(&v, 0, 0);
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 2);
	assert_int_equal(used_len(&v, 0, 1), 64);
	assert_true(distinct(gp(BUF), 64) >= 32);
}

/* ============================== console ============================== */

static void test_console_output(void **state)
{
	struct drv v;
	struct range ok[2];
	(void)state;
	drv_start(&v, &con.dev, 2, 2, QS, F_V1);
	memcpy(gp(BUF), "hi\n", 3);
	setd(&v, 1, 0, BUF, 3, 0, 0);
	post(&v, 1, 0);
	snapshot_ram();
	kick(&v, 1);
	assert_int_equal(used_idx(&v, 1), 1);
	assert_int_equal(used_id(&v, 1, 0), 0);
	assert_string_equal(fake_console, "[con0] hi\n");
	used_ranges(&v, 1, 0, ok);
	assert_int_equal(stray_write(ok, 2), -1);
	assert_true(level[IRQ_CON]);
	/* A line in two buffers of one request, and across two requests. */
	fake_console_reset();
	memcpy(gp(BUF + 0x100), "ab", 2);
	memcpy(gp(BUF + 0x200), "c\nd", 3);
	memcpy(gp(BUF + 0x300), "e\n", 2);
	setd(&v, 1, 1, BUF + 0x100, 2, D_NEXT, 2);
	setd(&v, 1, 2, BUF + 0x200, 3, 0, 0);
	setd(&v, 1, 3, BUF + 0x300, 2, 0, 0);
	post(&v, 1, 1);
	post(&v, 1, 3);
	kick(&v, 1);
	assert_int_equal(used_idx(&v, 1), 3);
	assert_string_equal(fake_console, "[con0] abc\n[con0] de\n");
	/* A writable buffer on the transmit queue is not output. */
	fake_console_reset();
	memcpy(gp(BUF + 0x400), "ok\n", 3);
	memcpy(gp(BUF + 0x500), "BAD\n", 4);
	setd(&v, 1, 4, BUF + 0x400, 3, D_NEXT, 5);
	setd(&v, 1, 5, BUF + 0x500, 4, D_WRITE, 0);
	post(&v, 1, 4);
	kick(&v, 1);
	assert_int_equal(used_idx(&v, 1), 4);
	assert_int_equal(used_id(&v, 1, 3), 4);
	assert_string_equal(fake_console, "[con0] ok\n");
	assert_memory_equal(gp(BUF + 0x500), "BAD\n", 4);
	/* Notifying the receive queue prints nothing. */
	kick(&v, 0);
	assert_string_equal(fake_console, "[con0] ok\n");
}

static void test_console_input(void **state)
{
	struct drv v;
	(void)state;
	drv_start(&v, &con.dev, 2, 2, QS, F_V1);
	/* Typed before the driver posted receive buffers: kept. */
	assert_true(virtio_console_rx(&con, 'l'));
	assert_true(virtio_console_rx(&con, 's'));
	assert_true(virtio_console_rx(&con, '\n'));
	assert_int_equal(used_idx(&v, 0), 0);
	assert_false(level[IRQ_CON]);
	setd(&v, 0, 0, BUF, 16, D_WRITE, 0);
	post(&v, 0, 0);
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 1);
	assert_int_equal(used_id(&v, 0, 0), 0);
	assert_int_equal(used_len(&v, 0, 0), 3);
	assert_memory_equal(gp(BUF), "ls\n", 3);
	assert_int_equal(*(uint8_t *)gp(BUF + 3), FILL); /* no more than that */
	assert_true(level[IRQ_CON]);
	wr(&con.dev, INT_ACK, 1);
	assert_false(level[IRQ_CON]);
	/* With a buffer waiting, input goes straight in. */
	setd(&v, 0, 1, BUF + 0x100, 2, D_WRITE, 0);
	setd(&v, 0, 2, BUF + 0x200, 2, D_WRITE, 0);
	post(&v, 0, 1);
	post(&v, 0, 2);
	kick(&v, 0); /* nothing buffered: nothing used */
	assert_int_equal(used_idx(&v, 0), 1);
	assert_true(virtio_console_rx(&con, 'x'));
	assert_int_equal(used_idx(&v, 0), 2);
	assert_int_equal(used_id(&v, 0, 1), 1);
	assert_int_equal(used_len(&v, 0, 1), 1);
	assert_int_equal(*(uint8_t *)gp(BUF + 0x100), 'x');
	assert_int_equal(*(uint8_t *)gp(BUF + 0x101), FILL);
	assert_true(level[IRQ_CON]);
	/* Nothing went out on the console. */
	assert_int_equal(fake_console_len, 0);
}

/* Input that arrives while the driver sets up (after its reset, before
 * DRIVER_OK) is held and delivered once the device is live; more input
 * than the buffers take waits for the next buffers. */
static void test_console_input_during_setup(void **state)
{
	struct drv v = { .d = &con.dev, .slot = 2, .num = QS };
	(void)state;
	assert_int_equal(try_features(&con.dev, F_V1), S_ACK | S_DRIVER | S_FEATURES_OK);
	for (const char *p = "hello"; *p; p++)
		assert_true(virtio_console_rx(&con, (uint8_t)*p));
	for (unsigned q = 0; q < 2; q++) {
		memset(gp(desc_ipa(&v, q)), 0, 0x3000);
		wr(&con.dev, QUEUE_SEL, q);
		wr(&con.dev, QUEUE_NUM, QS);
		wr(&con.dev, QUEUE_DESC_LO, (uint32_t)desc_ipa(&v, q));
		wr(&con.dev, QUEUE_DRIVER_LO, (uint32_t)avail_ipa(&v, q));
		wr(&con.dev, QUEUE_DEVICE_LO, (uint32_t)used_ipa(&v, q));
		wr(&con.dev, QUEUE_READY, 1);
	}
	setd(&v, 0, 0, BUF, 3, D_WRITE, 0);
	post(&v, 0, 0);
	kick(&v, 0); /* before DRIVER_OK: ignored */
	assert_int_equal(used_idx(&v, 0), 0);
	wr(&con.dev, STATUS, 0xf);
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 1);
	assert_int_equal(used_len(&v, 0, 0), 3);
	assert_memory_equal(gp(BUF), "hel", 3);
	setd(&v, 0, 1, BUF + 0x100, 16, D_WRITE, 0);
	post(&v, 0, 1);
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 2);
	assert_int_equal(used_len(&v, 0, 1), 2);
	assert_memory_equal(gp(BUF + 0x100), "lo", 2);
}

/* A device reset (driver reload) drops input held for the old driver. */
static void test_console_reset_drops_input(void **state)
{
	struct drv v;
	(void)state;
	drv_start(&v, &con.dev, 2, 2, QS, F_V1);
	assert_true(virtio_console_rx(&con, 'z'));
	drv_start(&v, &con.dev, 2, 2, QS, F_V1);
	setd(&v, 0, 0, BUF, 16, D_WRITE, 0);
	post(&v, 0, 0);
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 0);
	assert_true(virtio_console_rx(&con, 'y'));
	assert_int_equal(used_idx(&v, 0), 1);
	assert_int_equal(used_len(&v, 0, 0), 1);
	assert_int_equal(*(uint8_t *)gp(BUF), 'y');
}

/* A full input buffer drops, and says so. */
static void test_console_input_overflow(void **state)
{
	(void)state;
	for (unsigned i = 0; i < VCON_RX_BUF; i++)
		assert_true(virtio_console_rx(&con, 'a'));
	assert_false(virtio_console_rx(&con, 'b'));
	assert_int_equal(con.rx_dropped, 1);
}

/* ============================ hostile rings ============================ */

struct hostile {
	const char *name;
	uint64_t features;
	void (*build)(struct drv *v); /* queue 0 of virtio-rng, head posted */
};

static void h_loop(struct drv *v)
{
	setd(v, 0, 0, BUF, 16, D_WRITE | D_NEXT, 1);
	setd(v, 0, 1, BUF + 16, 16, D_WRITE | D_NEXT, 0);
	post(v, 0, 0);
}
/* Empty buffers are skipped without counting against VQ_MAX_SEGS: only the
 * bound on the walk ends this one. */
static void h_empty_loop(struct drv *v)
{
	setd(v, 0, 0, BUF, 0, D_WRITE | D_NEXT, 1);
	setd(v, 0, 1, BUF, 0, D_WRITE | D_NEXT, 0);
	post(v, 0, 0);
}
static void h_empty_indirect_loop(struct drv *v)
{
	set_desc(gp(IND), 0, BUF, 0, D_WRITE | D_NEXT, 1);
	set_desc(gp(IND), 1, BUF, 0, D_WRITE | D_NEXT, 0);
	setd(v, 0, 0, IND, 32, D_INDIRECT, 0);
	post(v, 0, 0);
}
static void h_self_loop(struct drv *v)
{
	setd(v, 0, 2, BUF, 16, D_WRITE | D_NEXT, 2);
	post(v, 0, 2);
}
static void h_next_out_of_range(struct drv *v)
{
	setd(v, 0, 0, BUF, 16, D_WRITE | D_NEXT, QS);
	post(v, 0, 0);
}
static void h_head_out_of_range(struct drv *v)
{
	setd(v, 0, 0, BUF, 16, D_WRITE, 0);
	post(v, 0, QS);
}
static void h_head_ffff(struct drv *v)
{
	post(v, 0, 0xffff);
}
static void h_avail_idx_ahead(struct drv *v)
{
	for (unsigned i = 0; i < QS; i++) {
		setd(v, 0, i, BUF + 16 * i, 16, D_WRITE, 0);
		avail(v, 0)[2 + i] = (uint16_t)i;
	}
	avail(v, 0)[1] = QS + 1;
}
static void h_avail_idx_backwards(struct drv *v)
{
	setd(v, 0, 0, BUF, 16, D_WRITE, 0);
	avail(v, 0)[1] = 0xffff;
}
static void h_addr_past_ram(struct drv *v)
{
	setd(v, 0, 0, RAM_IPA + RAM_SIZE, 16, D_WRITE, 0);
	post(v, 0, 0);
}
static void h_addr_below_ram(struct drv *v)
{
	setd(v, 0, 0, RAM_IPA - 16, 16, D_WRITE, 0);
	post(v, 0, 0);
}
static void h_crosses_ram_end(struct drv *v)
{
	setd(v, 0, 0, RAM_IPA + RAM_SIZE - 8, 16, D_WRITE, 0);
	post(v, 0, 0);
}
static void h_second_buffer_outside(struct drv *v)
{
	setd(v, 0, 0, BUF, 16, D_WRITE | D_NEXT, 1);
	setd(v, 0, 1, RAM_IPA + RAM_SIZE, 16, D_WRITE, 0);
	post(v, 0, 0);
}
static void h_addr_len_wraps(struct drv *v)
{
	setd(v, 0, 0, 0xfffffffffffffff0ULL, 0x20, D_WRITE, 0);
	post(v, 0, 0);
}
/* addr + len wraps to an address inside the RAM: a check of the end
 * alone would take it. */
static void h_addr_len_wraps_into_ram(struct drv *v)
{
	setd(v, 0, 0, 0xffffffff80000000ULL, 0xc0000010, D_WRITE, 0);
	post(v, 0, 0);
}
static void h_len_max(struct drv *v)
{
	setd(v, 0, 0, BUF, 0xffffffff, D_WRITE, 0);
	post(v, 0, 0);
}
static void h_readable_after_writable(struct drv *v)
{
	setd(v, 0, 0, BUF, 16, D_WRITE | D_NEXT, 1);
	setd(v, 0, 1, BUF + 16, 16, 0, 0);
	post(v, 0, 0);
}
static void ind_table(unsigned n, uint32_t len, uint16_t flags)
{
	for (unsigned i = 0; i < n; i++)
		set_desc(gp(IND), i, BUF + 16 * i, len,
			 (uint16_t)(flags | (i + 1 < n ? D_NEXT : 0)), (uint16_t)(i + 1));
}
static void h_indirect_not_negotiated(struct drv *v)
{
	ind_table(2, 16, D_WRITE);
	setd(v, 0, 0, IND, 32, D_INDIRECT, 0);
	post(v, 0, 0);
}
static void h_indirect_nested(struct drv *v)
{
	set_desc(gp(IND), 0, IND + 0x100, 32, D_INDIRECT, 0);
	set_desc(gp(IND + 0x100), 0, BUF, 16, D_WRITE, 0);
	setd(v, 0, 0, IND, 16, D_INDIRECT, 0);
	post(v, 0, 0);
}
static void h_indirect_len_not_16(struct drv *v)
{
	ind_table(2, 16, D_WRITE); /* a good table of 2, but len says 2.5 */
	setd(v, 0, 0, IND, 40, D_INDIRECT, 0);
	post(v, 0, 0);
}
static void h_indirect_len_0(struct drv *v)
{
	setd(v, 0, 0, IND, 0, D_INDIRECT, 0);
	post(v, 0, 0);
}
static void h_indirect_misaligned(struct drv *v)
{
	/* A good table of 2, at an address not a multiple of 16. */
	struct virtq_desc t[2] = { { BUF, 16, D_WRITE | D_NEXT, 1 }, { BUF + 16, 16, D_WRITE, 0 } };
	memcpy(gp(IND + 8), t, sizeof(t));
	setd(v, 0, 0, IND + 8, 32, D_INDIRECT, 0);
	post(v, 0, 0);
}
static void h_indirect_outside(struct drv *v)
{
	setd(v, 0, 0, RAM_IPA + RAM_SIZE - 16, 32, D_INDIRECT, 0);
	post(v, 0, 0);
}
static void h_indirect_65(struct drv *v)
{
	ind_table(VQ_MAX_SEGS + 1, 1, D_WRITE);
	setd(v, 0, 0, IND, 16 * (VQ_MAX_SEGS + 1), D_INDIRECT, 0);
	post(v, 0, 0);
}
static void h_indirect_with_next(struct drv *v)
{
	ind_table(2, 16, D_WRITE);
	setd(v, 0, 0, IND, 32, D_INDIRECT | D_NEXT, 1);
	setd(v, 0, 1, BUF + 0x100, 16, D_WRITE, 0);
	post(v, 0, 0);
}
static void h_indirect_not_head(struct drv *v)
{
	ind_table(2, 16, D_WRITE);
	setd(v, 0, 0, BUF + 0x100, 16, D_WRITE | D_NEXT, 1);
	setd(v, 0, 1, IND, 32, D_INDIRECT, 0);
	post(v, 0, 0);
}
static void h_indirect_loop(struct drv *v)
{
	set_desc(gp(IND), 0, BUF, 16, D_WRITE | D_NEXT, 1);
	set_desc(gp(IND), 1, BUF + 16, 16, D_WRITE | D_NEXT, 0);
	setd(v, 0, 0, IND, 32, D_INDIRECT, 0);
	post(v, 0, 0);
}
static void h_indirect_next_out_of_range(struct drv *v)
{
	set_desc(gp(IND), 0, BUF, 16, D_WRITE | D_NEXT, 2);
	set_desc(gp(IND), 1, BUF + 16, 16, D_WRITE, 0);
	set_desc(gp(IND), 2, BUF + 32, 16, D_WRITE, 0); /* past the table's len */
	setd(v, 0, 0, IND, 32, D_INDIRECT, 0);
	post(v, 0, 0);
}
static void h_indirect_buffer_outside(struct drv *v)
{
	set_desc(gp(IND), 0, BUF, 16, D_WRITE | D_NEXT, 1);
	set_desc(gp(IND), 1, RAM_IPA + RAM_SIZE - 4, 16, D_WRITE, 0);
	setd(v, 0, 0, IND, 32, D_INDIRECT, 0);
	post(v, 0, 0);
}
/* The second request is bad: the first is served, the second not. */
static void h_second_request(struct drv *v)
{
	setd(v, 0, 0, BUF, 16, D_WRITE, 0);
	setd(v, 0, 1, BUF + 16, 16, D_WRITE | D_NEXT, 1);
	post(v, 0, 0);
	post(v, 0, 1);
}

#define ALL (F_V1 | F_INDIRECT)
static const struct hostile hostile[] = {
	{ "descriptor chain loops", ALL, h_loop },
	{ "descriptor points to itself", ALL, h_self_loop },
	{ "loop of empty descriptors", ALL, h_empty_loop },
	{ "loop of empty descriptors in an indirect table", ALL, h_empty_indirect_loop },
	{ "next index >= queue size", ALL, h_next_out_of_range },
	{ "head index >= queue size", ALL, h_head_out_of_range },
	{ "head index 0xffff", ALL, h_head_ffff },
	{ "avail idx more than queue size ahead", ALL, h_avail_idx_ahead },
	{ "avail idx moved backwards", ALL, h_avail_idx_backwards },
	{ "buffer just past guest RAM", ALL, h_addr_past_ram },
	{ "buffer below guest RAM", ALL, h_addr_below_ram },
	{ "buffer across the end of guest RAM", ALL, h_crosses_ram_end },
	{ "second buffer outside guest RAM", ALL, h_second_buffer_outside },
	{ "addr + len overflows 64 bits", ALL, h_addr_len_wraps },
	{ "addr + len wraps into guest RAM", ALL, h_addr_len_wraps_into_ram },
	{ "len 0xffffffff", ALL, h_len_max },
	{ "readable descriptor after a writable one", ALL, h_readable_after_writable },
	{ "indirect without INDIRECT_DESC negotiated", F_V1, h_indirect_not_negotiated },
	{ "nested indirect", ALL, h_indirect_nested },
	{ "indirect len not a multiple of 16", ALL, h_indirect_len_not_16 },
	{ "indirect len 0", ALL, h_indirect_len_0 },
	{ "indirect table misaligned", ALL, h_indirect_misaligned },
	{ "indirect table outside guest RAM", ALL, h_indirect_outside },
	{ "65 buffers via indirect", ALL, h_indirect_65 },
	{ "INDIRECT together with NEXT", ALL, h_indirect_with_next },
	{ "indirect descriptor inside a chain", ALL, h_indirect_not_head },
	{ "loop inside an indirect table", ALL, h_indirect_loop },
	{ "next past the indirect table", ALL, h_indirect_next_out_of_range },
	{ "indirect buffer outside guest RAM", ALL, h_indirect_buffer_outside },
	{ "bad request after a good one", ALL, h_second_request },
};

/* Every hostile ring: NEEDS_RESET and a configuration interrupt, not one
 * byte written (EVENT_IDX is off, so the device has no reason to write
 * anything but for a good request before the bad one); then nothing is
 * served until the driver resets the device, after which it works. */
static void run_hostile(void **state)
{
	const struct hostile *h = *state;
	struct drv v;
	struct range ok[3];
	unsigned good = h->build == h_second_request;

	drv_start(&v, &rng.dev, 0, 1, QS, h->features);
	h->build(&v);
	snapshot_ram();
	kick(&v, 0);
	assert_int_equal(rd(&rng.dev, STATUS), 0xf | S_NEEDS_RESET);
	assert_int_equal(rd(&rng.dev, INT_STATUS) & 2, 2);
	assert_true(level[IRQ_RNG]);
	assert_int_equal(used_idx(&v, 0), good);
	assert_non_null(strstr(fake_console, "device needs reset"));
	if (good) {
		used_ranges(&v, 0, 0, ok);
		ok[2] = (struct range){ BUF, 16 };
		assert_int_equal(stray_write(ok, 3), -1);
		assert_int_equal(used_len(&v, 0, 0), 16);
	} else {
		assert_int_equal(stray_write(NULL, 0), -1);
	}
	/* Broken until reset: a good request is not served, however the
	 * driver pokes. */
	setd(&v, 0, 0, BUF, 16, D_WRITE, 0);
	for (unsigned i = 0; i < QS; i++)
		avail(&v, 0)[2 + i] = 0;
	avail(&v, 0)[1] = (uint16_t)(rng.dev.vq[0].last_avail + 1);
	snapshot_ram();
	kick(&v, 0);
	wr(&rng.dev, STATUS, 0xf);
	kick(&v, 0);
	wr(&rng.dev, INT_ACK, 3);
	assert_false(level[IRQ_RNG]);
	kick(&v, 0);
	assert_int_equal(stray_write(NULL, 0), -1);
	assert_int_equal(rd(&rng.dev, STATUS), 0xf | S_NEEDS_RESET);
	assert_false(level[IRQ_RNG]);
	/* Reset: works again. */
	wr(&rng.dev, STATUS, 0);
	assert_int_equal(rd(&rng.dev, STATUS), 0);
	drv_start(&v, &rng.dev, 0, 1, QS, h->features);
	setd(&v, 0, 0, BUF, 16, D_WRITE, 0);
	post(&v, 0, 0);
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 1);
	assert_int_equal(used_len(&v, 0, 0), 16);
	assert_int_equal(rd(&rng.dev, STATUS), 0xf);
}

/* The good counterparts of the limits above are accepted. */
static void test_good_chains_at_the_limits(void **state)
{
	struct drv v;
	(void)state;
	drv_start(&v, &rng.dev, 0, 1, QS, ALL);
	/* 64 buffers via indirect. */
	ind_table(VQ_MAX_SEGS, 1, D_WRITE);
	setd(&v, 0, 0, IND, 16 * VQ_MAX_SEGS, D_INDIRECT, 0);
	post(&v, 0, 0);
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 1);
	assert_int_equal(used_len(&v, 0, 0), VQ_MAX_SEGS);
	/* A direct chain through the whole table, in a scrambled order. */
	static const uint16_t order[QS] = { 5, 2, 7, 0, 3, 6, 1, 4 };
	for (unsigned i = 0; i < QS; i++)
		setd(&v, 0, order[i], BUF + 0x100 * i, 10,
		     (uint16_t)(D_WRITE | (i + 1 < QS ? D_NEXT : 0)), i + 1 < QS ? order[i + 1] : 0);
	post(&v, 0, order[0]);
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 2);
	assert_int_equal(used_id(&v, 0, 1), order[0]);
	assert_int_equal(used_len(&v, 0, 1), 10 * QS);
	/* Empty buffers carry nothing and are allowed anywhere in a chain,
	 * even with an address outside guest RAM. */
	setd(&v, 0, 0, BUF, 0, D_NEXT, 1);
	setd(&v, 0, 1, BUF, 12, D_WRITE | D_NEXT, 2);
	setd(&v, 0, 2, 0, 0, D_WRITE, 0);
	post(&v, 0, 0);
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 3);
	assert_int_equal(used_len(&v, 0, 2), 12);
	assert_int_equal(rd(&rng.dev, STATUS), 0xf);
	/* A buffer ending exactly at the end of guest RAM. */
	setd(&v, 0, 0, RAM_IPA + RAM_SIZE - 16, 16, D_WRITE, 0);
	post(&v, 0, 0);
	kick(&v, 0);
	assert_int_equal(used_len(&v, 0, 3), 16);
	/* A full ring: QS requests at once. */
	for (unsigned i = 0; i < QS; i++) {
		setd(&v, 0, i, BUF + 0x100 * i, 4, D_WRITE, 0);
		post(&v, 0, (uint16_t)i);
	}
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 4 + QS);
	assert_int_equal(rd(&rng.dev, STATUS), 0xf);
}

/* ============================ interrupts ============================ */

/* EVENT_IDX ([VIRTIO] 2.7.10): the driver's used_event holds the used
 * interrupt back until the used index passes it; the device publishes
 * avail_event after each pop. */
static void test_event_idx(void **state)
{
	struct drv v;
	(void)state;
	drv_start(&v, &rng.dev, 0, 1, QS, F_V1 | F_EVENT_IDX);
	setd(&v, 0, 0, BUF, 8, D_WRITE, 0);
	set_used_event(&v, 0, 2); /* interrupt me when entry 2 is used */
	for (unsigned i = 1; i <= 2; i++) {
		post(&v, 0, 0);
		kick(&v, 0);
		assert_int_equal(used_idx(&v, 0), i);
		assert_int_equal(avail_event(&v, 0), i);
		assert_int_equal(rd(&rng.dev, INT_STATUS), 0);
		assert_false(level[IRQ_RNG]);
	}
	post(&v, 0, 0);
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 3);
	assert_int_equal(avail_event(&v, 0), 3);
	assert_int_equal(rd(&rng.dev, INT_STATUS), 1);
	assert_true(level[IRQ_RNG]);
	assert_int_equal(raises[IRQ_RNG], 1);
	wr(&rng.dev, INT_ACK, 1);
	/* Several at once that together pass used_event: one interrupt. */
	set_used_event(&v, 0, 5);
	for (unsigned i = 0; i < 4; i++)
		post(&v, 0, 0);
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 7);
	assert_int_equal(avail_event(&v, 0), 7);
	assert_true(level[IRQ_RNG]);
	assert_int_equal(raises[IRQ_RNG], 2);
	wr(&rng.dev, INT_ACK, 1);
	/* used_event behind: no interrupt until the index wraps round. */
	set_used_event(&v, 0, 3);
	post(&v, 0, 0);
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 8);
	assert_false(level[IRQ_RNG]);
	/* The avail ring's NO_INTERRUPT flag is ignored under EVENT_IDX. */
	avail(&v, 0)[0] = 1;
	set_used_event(&v, 0, 8);
	post(&v, 0, 0);
	kick(&v, 0);
	assert_true(level[IRQ_RNG]);
}

/* Without EVENT_IDX: VIRTQ_AVAIL_F_NO_INTERRUPT suppresses, avail_event is
 * never written. */
static void test_no_interrupt_flag(void **state)
{
	struct drv v;
	(void)state;
	drv_start(&v, &rng.dev, 0, 1, QS, F_V1);
	setd(&v, 0, 0, BUF, 8, D_WRITE, 0);
	avail(&v, 0)[0] = 1;
	set_used_event(&v, 0, 0);
	post(&v, 0, 0);
	kick(&v, 0);
	assert_int_equal(used_idx(&v, 0), 1);
	assert_int_equal(rd(&rng.dev, INT_STATUS), 0);
	assert_false(level[IRQ_RNG]);
	assert_int_equal(avail_event(&v, 0), 0);
	avail(&v, 0)[0] = 0;
	post(&v, 0, 0);
	kick(&v, 0);
	assert_int_equal(rd(&rng.dev, INT_STATUS), 1);
	assert_true(level[IRQ_RNG]);
	assert_int_equal(avail_event(&v, 0), 0);
}

/* The line follows InterruptStatus: it stays up while either bit is set. */
static void test_interrupt_ack(void **state)
{
	struct drv v;
	(void)state;
	drv_start(&v, &rng.dev, 0, 1, QS, F_V1);
	setd(&v, 0, 0, BUF, 8, D_WRITE, 0);
	post(&v, 0, 0);
	kick(&v, 0);
	setd(&v, 0, 1, BUF, 8, D_WRITE | D_NEXT, 1); /* a loop */
	post(&v, 0, 1);
	kick(&v, 0);
	assert_int_equal(rd(&rng.dev, INT_STATUS), 3);
	wr(&rng.dev, INT_ACK, 1);
	assert_int_equal(rd(&rng.dev, INT_STATUS), 2);
	assert_true(level[IRQ_RNG]);
	wr(&rng.dev, INT_ACK, 2);
	assert_int_equal(rd(&rng.dev, INT_STATUS), 0);
	assert_false(level[IRQ_RNG]);
	assert_int_equal(raises[IRQ_RNG], 1);
}

/* A buffer the device's IOMMU refuses (IOMMU-12): vq_pop_any() takes the
 * chain and says so (the head, and for a virtio-blk status byte the last
 * writable byte when that one translated), one fault report per refused
 * buffer; plain vq_pop() puts the device in NEEDS_RESET. proves: IOMMU-12 */
static unsigned denials;
static void count_fault(void *ctx, uint32_t ep, uint64_t iova, enum dma_dir dir)
{
	(void)ctx;
	(void)ep;
	(void)dir;
	assert_true(iova == BUF || iova == BUF + 0x2000);
	denials++;
}

static void test_iommu_denied(void **state)
{
	struct iommu_mapping store[4];
	struct iommu_domain dom;
	struct vq_chain c;
	struct vq_sgl sg;
	struct dma_seg segs[8];
	struct drv v;
	(void)state;
	drv_start(&v, &rng.dev, 0, 1, QS, F_V1);
	/* The rings' pages, and BUF + 0x1000 (writable): nothing else. */
	iommu_domain_init(&dom, store, 4);
	assert_int_equal(iommu_domain_map(&dom, RAM_IPA, RAM_IPA + 0xffff, RAM_IPA, 3, 0x1000, 3), 0);
	assert_int_equal(iommu_domain_map(&dom, BUF + 0x1000, BUF + 0x1fff, BUF + 0x1000, 2, 0x1000, 3), 0);
	denials = 0;
	rng.dev.dma.fault = count_fault;
	dma_space_view(&rng.dev.dma, DMA_VIEW_DOMAIN, &dom);
	/* data at BUF (refused), status at BUF + 0x1000 (mapped) */
	setd(&v, 0, 2, BUF, 512, D_WRITE | D_NEXT, 4);
	setd(&v, 0, 4, BUF + 0x1000, 1, D_WRITE, 0);
	post(&v, 0, 2);
	sg = (struct vq_sgl){ .seg = segs, .max = 8, .allow_denied = true };
	assert_int_equal(vq_pop_sgl(&rng.dev, 0, &sg), VQ_DENIED);
	assert_int_equal(sg.head, 2);
	assert_ptr_equal(sg.status, gp(BUF + 0x1000));
	assert_int_equal(denials, 1);
	/* both refused: no status byte to write */
	setd(&v, 0, 4, BUF + 0x2000, 1, D_WRITE, 0);
	post(&v, 0, 2);
	assert_int_equal(vq_pop_any(&rng.dev, 0, &c), VQ_DENIED);
	assert_int_equal(c.head, 2);
	sg = (struct vq_sgl){ .seg = segs, .max = 8, .allow_denied = true };
	post(&v, 0, 2);
	assert_int_equal(vq_pop_sgl(&rng.dev, 0, &sg), VQ_DENIED);
	assert_null(sg.status);
	assert_int_equal(denials, 5);
	assert_int_equal(rd(&rng.dev, STATUS) & S_NEEDS_RESET, 0);
	/* a device that cannot answer it: NEEDS_RESET */
	post(&v, 0, 2);
	assert_int_equal(vq_pop(&rng.dev, 0, &c), -1);
	assert_true(rd(&rng.dev, STATUS) & S_NEEDS_RESET);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define H(i) { hostile[i].name, run_hostile, setup, teardown, (void *)&hostile[i] }

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_identification),
		T(test_iommu_denied),
		T(test_register_widths),
		T(test_console_config),
		T(test_features_offered),
		T(test_features_ok_refused),
		T(test_features_ok_accepted),
		T(test_features_frozen_after_features_ok),
		T(test_status_state_machine),
		T(test_reset_clears_everything),
		T(test_queue_setup_refused),
		T(test_queue_registers_frozen_while_ready),
		T(test_push_needs_ready_queue),
		T(test_notify_before_driver_ok),
		T(test_rng_request),
		T(test_rng_skips_readable),
		T(test_rng_large_request),
		T(test_rng_partitions_differ),
		T(test_rng_entropy_failure),
		T(test_console_output),
		T(test_console_input),
		T(test_console_input_during_setup),
		T(test_console_reset_drops_input),
		T(test_console_input_overflow),
		H(0), H(1), H(2), H(3), H(4), H(5), H(6), H(7), H(8), H(9),
		H(10), H(11), H(12), H(13), H(14), H(15), H(16), H(17), H(18), H(19),
		H(20), H(21), H(22), H(23), H(24), H(25), H(26), H(27), H(28), H(29),
		T(test_good_chains_at_the_limits),
		T(test_event_idx),
		T(test_no_interrupt_flag),
		T(test_interrupt_ack),
	};
	_Static_assert(ARRAY_SIZE(hostile) == 30, "every hostile case is in the list");
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
