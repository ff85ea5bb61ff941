/* DMA address spaces (core/dma.c) on their own, then as a virtual device
 * sees them: virtio-rng's ring and buffers translated through its space,
 * with directions, a buffer split where two RAM ranges meet, and rings
 * translated again after the space changed.
 * proves: PLATFORM-5 */
#include "arch_fake.h"
#include "virtio_harness.h"
#include <hv/dma.h>
#include <hv/iommu_domain.h>
#include <vdev/virtio_rng.h>

/* A second and third RAM range right after the harness's one in IPA, each
 * its own host allocation (so a buffer across the boundary is two pieces of
 * host memory), with guard zones. */
#define R2_IPA (RAM_IPA + RAM_SIZE)
#define R2_SIZE 0x10000ULL
#define R3_IPA (R2_IPA + R2_SIZE)
#define R3_SIZE 0x1000ULL
#define BUF (RAM_IPA + 0x80000)
#define IND (RAM_IPA + 0x40000)
#define QS 8
static uint8_t *host2, *ram2, *host3, *ram3, *alt;

static struct virtio_rng rng;
static struct dma_space sp;
static bool level;
static void line_set(void *ctx, uint32_t intid, bool high)
{
	(void)ctx;
	(void)intid;
	level = high;
}

/* virtio-rng on a space of the harness's RAM (read-write, the rings are
 * there) and ranges 2 and 3 with the given permissions (0: not mapped). */
static void rng_on(uint32_t perm2, uint32_t perm3)
{
	struct dma_range r[3] = { { RAM_IPA, RAM_SIZE, ram, DMA_BIDIR } };
	unsigned n = 1;
	struct irq_line l = { line_set, NULL, 1 };

	if (perm2)
		r[n++] = (struct dma_range){ R2_IPA, R2_SIZE, ram2, perm2 };
	if (perm3)
		r[n++] = (struct dma_range){ R3_IPA, R3_SIZE, ram3, perm3 };
	assert_int_equal(dma_space_init(&sp, r, n), 0);
	virtio_rng_init(&rng, "rng", 1, &sp, &l, arch_entropy);
}

static int setup(void **state)
{
	(void)state;
	ram = host + GUARD;
	memset(host, FILL, HOST_SIZE);
	memset(host2, FILL, R2_SIZE + 2 * GUARD);
	memset(host3, FILL, R3_SIZE + 2 * GUARD);
	level = false;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ram = host + GUARD; /* a test may have moved the guest's RAM */
	return 0;
}

static int dma_group_setup(void **state)
{
	if (group_setup(state))
		return -1;
	host2 = malloc(R2_SIZE + 2 * GUARD);
	host3 = malloc(R3_SIZE + 2 * GUARD);
	alt = aligned_alloc(4096, RAM_SIZE);
	if (!host2 || !host3 || !alt)
		return -1;
	ram2 = host2 + GUARD;
	ram3 = host3 + GUARD;
	return 0;
}

static int dma_group_teardown(void **state)
{
	free(host2);
	free(host3);
	free(alt);
	return group_teardown(state);
}

static bool untouched(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != FILL)
			return false;
	return true;
}

/* ================= the space on its own ================= */

static uint8_t ha[0x100], hb[0x100], hc[0x100];

/* Identity: an IPA inside a range is that range's host memory, to the
 * last byte. proves: PLATFORM-5 */
static void test_identity(void **state)
{
	struct dma_space s;
	struct dma_seg seg[2];
	(void)state;
	assert_int_equal(dma_space_init(&s, &(struct dma_range){ 0x1000, 0x100, ha, DMA_BIDIR }, 1), 0);
	assert_int_equal(s.gen, 0);
	assert_int_equal(s.pins, 0);
	assert_null(s.dom);
	assert_int_equal(dma_map(&s, 0x1000, 0x100, DMA_TO_DEV, seg, 2), 1);
	assert_ptr_equal(seg[0].p, ha);
	assert_int_equal(seg[0].len, 0x100);
	assert_int_equal(dma_map(&s, 0x1010, 0x20, DMA_FROM_DEV, seg, 2), 1);
	assert_ptr_equal(seg[0].p, ha + 0x10);
	assert_int_equal(seg[0].len, 0x20);
	assert_int_equal(dma_map(&s, 0x10ff, 1, DMA_BIDIR, seg, 1), 1);
	assert_ptr_equal(seg[0].p, ha + 0xff);
	assert_ptr_equal(dma_ptr(&s, 0x1080, 0x80, DMA_TO_DEV), ha + 0x80);
	/* len 0: no segment; dma_ptr refuses it. */
	assert_int_equal(dma_map(&s, 0x1000, 0, DMA_TO_DEV, seg, 2), 0);
	assert_null(dma_ptr(&s, 0x1000, 0, DMA_TO_DEV));
}

/* Anything with one byte outside every range is refused, and nothing is
 * written where the caller has no room. proves: PLATFORM-5 */
static void test_out_of_range(void **state)
{
	struct dma_space s;
	struct dma_range r[2] = { { 0x1000, 0x100, ha, DMA_BIDIR }, { 0x2000, 0x100, hb, DMA_BIDIR } };
	struct dma_seg seg[4];
	(void)state;
	assert_int_equal(dma_space_init(&s, r, 2), 0);
	assert_int_equal(dma_map(&s, 0xfff, 1, DMA_TO_DEV, seg, 4), DMA_EFAULT);
	assert_int_equal(dma_map(&s, 0xfff, 2, DMA_TO_DEV, seg, 4), DMA_EFAULT);
	assert_int_equal(dma_map(&s, 0x1100, 1, DMA_TO_DEV, seg, 4), DMA_EFAULT);
	assert_int_equal(dma_map(&s, 0x10ff, 2, DMA_TO_DEV, seg, 4), DMA_EFAULT); /* into the gap */
	assert_int_equal(dma_map(&s, 0x1000, 0x1100, DMA_TO_DEV, seg, 4), DMA_EFAULT); /* over it */
	assert_int_equal(dma_map(&s, 0x2000, 0x101, DMA_TO_DEV, seg, 4), DMA_EFAULT);
	assert_int_equal(dma_map(&s, 0, 0x10, DMA_TO_DEV, seg, 4), DMA_EFAULT);
	assert_null(dma_ptr(&s, 0x10f0, 0x20, DMA_TO_DEV));
	assert_null(dma_ptr(&s, 0x3000, 1, DMA_TO_DEV));
	/* No room: refused, nothing written. */
	memset(seg, 0x5a, sizeof(seg));
	assert_int_equal(dma_map(&s, 0x1000, 0x10, DMA_TO_DEV, seg, 0), DMA_ESEGS);
	for (unsigned i = 0; i < sizeof(seg); i++)
		assert_int_equal(((uint8_t *)seg)[i], 0x5a);
	/* An empty space maps nothing. */
	assert_int_equal(dma_space_init(&s, NULL, 0), 0);
	assert_int_equal(dma_map(&s, 0x1000, 1, DMA_TO_DEV, seg, 4), DMA_EFAULT);
}

/* A buffer across two (three) ranges adjacent in IPA but not in host memory
 * is split where they meet; ranges contiguous in both are one.
 * proves: PLATFORM-5 */
static void test_split_adjacent(void **state)
{
	struct dma_space s;
	/* Given out of order: the space sorts them. */
	struct dma_range r[3] = { { 0x1200, 0x100, hc, DMA_BIDIR },
				  { 0x1000, 0x100, ha, DMA_BIDIR },
				  { 0x1100, 0x100, hb, DMA_BIDIR } };
	struct dma_seg seg[4];
	(void)state;
	assert_int_equal(dma_space_init(&s, r, 3), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(dma_map(&s, 0x10f0, 0x20, DMA_FROM_DEV, seg, 4), 2);
	assert_ptr_equal(seg[0].p, ha + 0xf0);
	assert_int_equal(seg[0].len, 0x10);
	assert_ptr_equal(seg[1].p, hb);
	assert_int_equal(seg[1].len, 0x10);
	assert_int_equal(dma_map(&s, 0x10ff, 0x102, DMA_TO_DEV, seg, 4), 3);
	assert_ptr_equal(seg[0].p, ha + 0xff);
	assert_int_equal(seg[0].len, 1);
	assert_ptr_equal(seg[1].p, hb);
	assert_int_equal(seg[1].len, 0x100);
	assert_ptr_equal(seg[2].p, hc);
	assert_int_equal(seg[2].len, 1);
	assert_int_equal(dma_map(&s, 0x1000, 0x300, DMA_TO_DEV, seg, 4), 3);
	/* More pieces than room: refused. */
	assert_int_equal(dma_map(&s, 0x10f0, 0x20, DMA_TO_DEV, seg, 1), DMA_ESEGS);
	assert_int_equal(dma_map(&s, 0x10ff, 0x102, DMA_TO_DEV, seg, 2), DMA_ESEGS);
	/* Past the last one: refused even though it starts well. */
	assert_int_equal(dma_map(&s, 0x10f0, 0x211, DMA_TO_DEV, seg, 4), DMA_EFAULT);
	/* One contiguous area (a ring) cannot be split. */
	assert_null(dma_ptr(&s, 0x10f0, 0x20, DMA_TO_DEV));
	/* Contiguous in IPA and in host memory, same permissions: merged. */
	r[0] = (struct dma_range){ 0x1000, 0x80, ha, DMA_BIDIR };
	r[1] = (struct dma_range){ 0x1080, 0x80, ha + 0x80, DMA_BIDIR };
	assert_int_equal(dma_space_init(&s, r, 2), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(dma_map(&s, 0x1070, 0x20, DMA_TO_DEV, seg, 1), 1);
	assert_ptr_equal(dma_ptr(&s, 0x1000, 0x100, DMA_TO_DEV), ha);
	/* ... but not with other permissions. */
	r[1].perm = DMA_TO_DEV;
	assert_int_equal(dma_space_init(&s, r, 2), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(dma_map(&s, 0x1070, 0x20, DMA_TO_DEV, seg, 4), 2);
}

/* Lengths and addresses that wrap past 2^64, lengths no segment can hold,
 * ranges that overlap, wrap or are too many. proves: PLATFORM-5 */
static void test_wrap_and_overflow(void **state)
{
	struct dma_space s;
	struct dma_range r[DMA_MAX_RANGES + 1];
	struct dma_seg seg[4];
	(void)state;
	assert_int_equal(dma_space_init(&s, &(struct dma_range){ 0x1000, 0x100, ha, DMA_BIDIR }, 1), 0);
	assert_int_equal(dma_map(&s, 0x1010, UINT64_MAX, DMA_TO_DEV, seg, 4), DMA_EFAULT);
	assert_int_equal(dma_map(&s, 0x1010, UINT64_MAX - 0xf, DMA_TO_DEV, seg, 4), DMA_EFAULT);
	assert_int_equal(dma_map(&s, UINT64_MAX, 2, DMA_TO_DEV, seg, 4), DMA_EFAULT);
	assert_int_equal(dma_map(&s, UINT64_MAX - 0xfff, 0x1100, DMA_TO_DEV, seg, 4), DMA_EFAULT);
	assert_int_equal(dma_map(&s, 0x1000, 1ULL << 32, DMA_TO_DEV, seg, 4), DMA_EFAULT);
	assert_null(dma_ptr(&s, 0x1010, UINT64_MAX, DMA_TO_DEV));
	assert_null(dma_ptr(&s, UINT64_MAX - 0xfff, 0x1100, DMA_TO_DEV));
	/* A range at the top of the address space, ending just below 2^64:
	 * a buffer running off its end does not come back at 0. */
	r[0] = (struct dma_range){ UINT64_MAX - 0xff, 0xff, hb, DMA_BIDIR };
	r[1] = (struct dma_range){ 0, 0x100, ha, DMA_BIDIR };
	assert_int_equal(dma_space_init(&s, r, 2), 0);
	assert_int_equal(dma_map(&s, UINT64_MAX - 0xff, 0xff, DMA_TO_DEV, seg, 4), 1);
	assert_int_equal(dma_map(&s, UINT64_MAX - 0xff, 0x100, DMA_TO_DEV, seg, 4), DMA_EFAULT);
	assert_int_equal(dma_map(&s, UINT64_MAX - 0xf, 0x20, DMA_TO_DEV, seg, 4), DMA_EFAULT);
	assert_int_equal(dma_map(&s, UINT64_MAX, 1, DMA_TO_DEV, seg, 4), DMA_EFAULT);
	/* Ranges that cannot be a window: refused, the space left empty. */
	r[0] = (struct dma_range){ UINT64_MAX - 0xff, 0x100, hb, DMA_BIDIR }; /* ends at 2^64 */
	assert_int_equal(dma_space_init(&s, r, 1), DMA_EINVAL);
	assert_int_equal(s.n, 0);
	r[0] = (struct dma_range){ 0x1000, 0, ha, DMA_BIDIR };
	assert_int_equal(dma_space_init(&s, r, 1), DMA_EINVAL);
	r[0] = (struct dma_range){ 0x1000, 0x100, NULL, DMA_BIDIR };
	assert_int_equal(dma_space_init(&s, r, 1), DMA_EINVAL);
	r[0] = (struct dma_range){ 0x1000, 0x100, ha, 4 };
	assert_int_equal(dma_space_init(&s, r, 1), DMA_EINVAL);
	r[0] = (struct dma_range){ 0x1000, 0x100, ha, DMA_BIDIR };
	r[1] = (struct dma_range){ 0x10ff, 0x100, hb, DMA_BIDIR };
	assert_int_equal(dma_space_init(&s, r, 2), DMA_EINVAL);
	r[1] = (struct dma_range){ 0xf00, 0x101, hb, DMA_BIDIR };
	assert_int_equal(dma_space_init(&s, r, 2), DMA_EINVAL);
	for (unsigned i = 0; i <= DMA_MAX_RANGES; i++)
		r[i] = (struct dma_range){ 0x10000 * (i + 1), 0x100, ha, DMA_BIDIR };
	assert_int_equal(dma_space_init(&s, r, DMA_MAX_RANGES + 1), DMA_EINVAL);
	assert_int_equal(dma_space_init(&s, r, DMA_MAX_RANGES), 0);
	assert_int_equal(s.n, DMA_MAX_RANGES);
}

/* A range's permissions: the device reads only where it may read, writes
 * only where it may write, a buffer across ranges needs both to permit it.
 * proves: PLATFORM-5 */
static void test_direction(void **state)
{
	struct dma_space s;
	struct dma_range r[3] = { { 0x1000, 0x100, ha, DMA_TO_DEV },
				  { 0x1100, 0x100, hb, DMA_FROM_DEV },
				  { 0x1200, 0x100, hc, DMA_BIDIR } };
	struct dma_seg seg[4];
	(void)state;
	assert_int_equal(dma_space_init(&s, r, 3), 0);
	assert_int_equal(dma_map(&s, 0x1000, 0x10, DMA_TO_DEV, seg, 4), 1);
	assert_int_equal(dma_map(&s, 0x1000, 0x10, DMA_FROM_DEV, seg, 4), DMA_EFAULT);
	assert_int_equal(dma_map(&s, 0x1000, 0x10, DMA_BIDIR, seg, 4), DMA_EFAULT);
	assert_int_equal(dma_map(&s, 0x1100, 0x10, DMA_FROM_DEV, seg, 4), 1);
	assert_int_equal(dma_map(&s, 0x1100, 0x10, DMA_TO_DEV, seg, 4), DMA_EFAULT);
	assert_int_equal(dma_map(&s, 0x1200, 0x10, DMA_BIDIR, seg, 4), 1);
	/* Across: every piece must permit it. */
	assert_int_equal(dma_map(&s, 0x11f0, 0x20, DMA_FROM_DEV, seg, 4), 2);
	assert_int_equal(dma_map(&s, 0x11f0, 0x20, DMA_TO_DEV, seg, 4), DMA_EFAULT);
	assert_int_equal(dma_map(&s, 0x10f0, 0x20, DMA_FROM_DEV, seg, 4), DMA_EFAULT);
	assert_int_equal(dma_map(&s, 0x10f0, 0x20, DMA_TO_DEV, seg, 4), DMA_EFAULT);
	assert_null(dma_ptr(&s, 0x1000, 0x10, DMA_FROM_DEV));
	assert_non_null(dma_ptr(&s, 0x1000, 0x10, DMA_TO_DEV));
}

/* A change is refused while translations are pinned (requests in flight)
 * and changes nothing; accepted once they are all dropped, with a new
 * generation. proves: PLATFORM-5 */
static void test_update_refused_while_pinned(void **state)
{
	struct dma_space s;
	struct dma_range a = { 0x1000, 0x100, ha, DMA_BIDIR }, b = { 0x1000, 0x100, hb, DMA_TO_DEV };
	(void)state;
	assert_int_equal(dma_space_init(&s, &a, 1), 0);
	unsigned e1 = dma_pin(&s), e2 = dma_pin(&s);
	assert_int_equal(s.pins, 2);
	assert_int_equal(dma_space_update(&s, &b, 1), DMA_EBUSY);
	assert_int_equal(s.gen, 0);
	assert_ptr_equal(dma_ptr(&s, 0x1000, 1, DMA_FROM_DEV), ha);
	dma_unpin(&s, e1);
	assert_int_equal(dma_space_update(&s, &b, 1), DMA_EBUSY);
	assert_ptr_equal(dma_ptr(&s, 0x1000, 1, DMA_FROM_DEV), ha);
	dma_unpin(&s, e2);
	assert_int_equal(s.pins, 0);
	assert_int_equal(dma_space_update(&s, &b, 1), 0);
	assert_int_equal(s.gen, 1);
	assert_ptr_equal(dma_ptr(&s, 0x1000, 1, DMA_TO_DEV), hb);
	assert_null(dma_ptr(&s, 0x1000, 1, DMA_FROM_DEV));
	/* A bad mapping is refused and changes nothing either. */
	b.size = 0;
	assert_int_equal(dma_space_update(&s, &b, 1), DMA_EINVAL);
	assert_int_equal(s.gen, 1);
	assert_ptr_equal(dma_ptr(&s, 0x1000, 1, DMA_TO_DEV), hb);
	/* An empty mapping is a change too. */
	assert_int_equal(dma_space_update(&s, NULL, 0), 0);
	assert_int_equal(s.gen, 2);
	assert_null(dma_ptr(&s, 0x1000, 1, DMA_TO_DEV));
}

/* ================= through a device ================= */

static void rng_start(struct drv *v, uint64_t features)
{
	drv_begin(v, &rng.dev, 0, QS, features);
	drv_queue(v, 0);
	drv_live(v);
}

/* A writable buffer across the boundary of two RAM ranges (separate host
 * memory) is filled in both; its length counts whole.
 * proves: PLATFORM-5 */
static void test_device_split_buffer(void **state)
{
	struct drv v;
	(void)state;
	rng_on(DMA_BIDIR, 0);
	rng_start(&v, F_V1);
	setd(&v, 0, 0, R2_IPA - 16, 48, D_WRITE, 0);
	post(&v, 0, 0);
	kick(&v, 0);
	assert_int_equal(rd(&rng.dev, STATUS) & S_NEEDS_RESET, 0);
	assert_int_equal(used_idx(&v, 0), 1);
	assert_int_equal(used_len(&v, 0, 0), 48);
	assert_false(untouched(ram + RAM_SIZE - 16, 16));
	assert_false(untouched(ram2, 32));
	assert_true(untouched(ram2 + 32, R2_SIZE - 32 + GUARD));
	assert_true(untouched(host2, GUARD));
	assert_int_equal(guard_bytes_written(), 0);
}

/* Splits count against the chain's segment bound: 32 buffers that each
 * cross the boundary are 64 segments (accepted), 33 are 66 (malformed).
 * proves: PLATFORM-5 */
static void test_device_split_segment_bound(void **state)
{
	struct drv v;
	struct virtq_desc *t = gp(IND);
	(void)state;
	for (unsigned n = 32; n <= 33; n++) {
		rng_on(DMA_BIDIR, 0);
		rng_start(&v, F_V1 | F_INDIRECT);
		for (unsigned i = 0; i < n; i++)
			set_desc(t, i, R2_IPA - 8, 16, D_WRITE | (i + 1 < n ? D_NEXT : 0), (uint16_t)(i + 1));
		setd(&v, 0, 0, IND, 16 * n, D_INDIRECT, 0);
		post(&v, 0, 0);
		kick(&v, 0);
		if (n == 32) {
			assert_int_equal(rd(&rng.dev, STATUS) & S_NEEDS_RESET, 0);
			assert_int_equal(used_idx(&v, 0), 1);
			assert_int_equal(used_len(&v, 0, 0), 16 * 32);
		} else {
			assert_int_equal(rd(&rng.dev, STATUS) & S_NEEDS_RESET, S_NEEDS_RESET);
			assert_int_equal(used_idx(&v, 0), 0);
		}
	}
}

/* A writable buffer where the device may only read, or a readable one
 * where it may only write: malformed (NEEDS_RESET), nothing written. The
 * same request with both ranges read-write is served.
 * proves: PLATFORM-5 */
static void test_device_direction(void **state)
{
	struct drv v;
	(void)state;
	/* Written into a range the device may only read. */
	rng_on(DMA_TO_DEV, 0);
	rng_start(&v, F_V1);
	setd(&v, 0, 0, R2_IPA + 0x100, 64, D_WRITE, 0);
	post(&v, 0, 0);
	snapshot_ram();
	kick(&v, 0);
	assert_int_equal(rd(&rng.dev, STATUS) & S_NEEDS_RESET, S_NEEDS_RESET);
	assert_int_equal(rd(&rng.dev, INT_STATUS) & 2, 2);
	assert_true(ram_unchanged());
	assert_true(untouched(host2, R2_SIZE + 2 * GUARD));
	/* Read from a range the device may only write (virtio-rng skips
	 * readable buffers, but they are translated all the same). */
	rng_on(DMA_BIDIR, DMA_FROM_DEV);
	rng_start(&v, F_V1);
	setd(&v, 0, 0, R3_IPA, 16, D_NEXT, 1);
	setd(&v, 0, 1, BUF, 64, D_WRITE, 0);
	post(&v, 0, 0);
	snapshot_ram();
	kick(&v, 0);
	assert_int_equal(rd(&rng.dev, STATUS) & S_NEEDS_RESET, S_NEEDS_RESET);
	assert_true(ram_unchanged());
	assert_true(untouched(host3, R3_SIZE + 2 * GUARD));
	/* Controls: both served when the ranges permit it. */
	rng_on(DMA_BIDIR, DMA_BIDIR);
	rng_start(&v, F_V1);
	setd(&v, 0, 0, R3_IPA, 16, D_NEXT, 1);
	setd(&v, 0, 1, R2_IPA + 0x100, 64, D_WRITE, 0);
	post(&v, 0, 0);
	kick(&v, 0);
	assert_int_equal(rd(&rng.dev, STATUS) & S_NEEDS_RESET, 0);
	assert_int_equal(used_len(&v, 0, 0), 64);
	assert_false(untouched(ram2 + 0x100, 64));
	assert_true(untouched(ram3, R3_SIZE));
}

/* The guest's RAM moves to other host memory (the space changes under a
 * ready queue): the next notification finds the rings there, reads the
 * request from there and completes it there; the old host memory is not
 * touched. proves: PLATFORM-5 */
static void test_device_rings_follow_a_change(void **state)
{
	struct drv v;
	uint8_t *old = ram;
	uint32_t gen;
	(void)state;
	rng_on(DMA_BIDIR, 0);
	rng_start(&v, F_V1);
	memcpy(alt, ram, RAM_SIZE);
	gen = rng.dev.dma.gen;
	assert_int_equal(dma_space_update(&rng.dev.dma,
					  &(struct dma_range){ RAM_IPA, RAM_SIZE, alt, DMA_BIDIR }, 1), 0);
	assert_int_equal(rng.dev.dma.gen, gen + 1);
	snapshot_ram();
	ram = alt; /* the driver's view (gp()) follows its RAM */
	setd(&v, 0, 0, BUF, 32, D_WRITE, 0);
	post(&v, 0, 0);
	kick(&v, 0);
	assert_int_equal(rd(&rng.dev, STATUS) & S_NEEDS_RESET, 0);
	assert_int_equal(used_idx(&v, 0), 1);
	assert_int_equal(used_len(&v, 0, 0), 32);
	ram = old;
	assert_true(ram_unchanged());
	assert_int_equal(rng.dev.vq[0].dma_gen, rng.dev.dma.gen);
}

/* The same for a completion: a chain taken before the change is returned
 * into the used ring where the ring is now. proves: PLATFORM-5 */
static void test_device_push_after_change(void **state)
{
	struct drv v;
	struct vq_chain c;
	uint8_t *old = ram;
	(void)state;
	rng_on(DMA_BIDIR, 0);
	rng_start(&v, F_V1);
	setd(&v, 0, 0, BUF, 32, D_WRITE, 0);
	post(&v, 0, 0);
	assert_int_equal(vq_pop(&rng.dev, 0, &c), 1);
	memcpy(alt, ram, RAM_SIZE);
	assert_int_equal(dma_space_update(&rng.dev.dma,
					  &(struct dma_range){ RAM_IPA, RAM_SIZE, alt, DMA_BIDIR }, 1), 0);
	snapshot_ram();
	vq_push(&rng.dev, 0, c.head, 7);
	assert_true(ram_unchanged());
	ram = alt;
	assert_int_equal(used_idx(&v, 0), 1);
	assert_int_equal(used_id(&v, 0, 0), 0);
	assert_int_equal(used_len(&v, 0, 0), 7);
	ram = old;
}

/* A change that leaves a ring unmapped, or no longer writable by the
 * device (the used ring): the next use of the queue puts the device in
 * NEEDS_RESET and nothing is written. proves: PLATFORM-5 */
static void test_device_ring_unmapped_by_change(void **state)
{
	struct drv v;
	struct dma_range ro = { RAM_IPA, RAM_SIZE, ram, DMA_TO_DEV };
	(void)state;
	for (unsigned k = 0; k < 2; k++) {
		level = false;
		rng_on(DMA_BIDIR, 0);
		rng_start(&v, F_V1);
		setd(&v, 0, 0, R2_IPA, 32, D_WRITE, 0);
		post(&v, 0, 0);
		assert_int_equal(dma_space_update(&rng.dev.dma, k ? &ro : NULL, k), 0);
		snapshot_ram();
		kick(&v, 0);
		assert_int_equal(rd(&rng.dev, STATUS) & S_NEEDS_RESET, S_NEEDS_RESET);
		assert_int_equal(rd(&rng.dev, INT_STATUS) & 2, 2);
		assert_true(level);
		assert_true(ram_unchanged());
		assert_true(untouched(host2, R2_SIZE + 2 * GUARD));
		/* A later completion writes nothing either. */
		vq_push(&rng.dev, 0, 0, 1);
		assert_true(ram_unchanged());
	}
}

/* A device's view (a virtio-iommu endpoint's reach): none reaches
 * nothing; a domain translates each mapping's piece into the window, with
 * its permissions (no write without MAP_F_WRITE), splitting a buffer where
 * mappings meet, refusing gaps and IPAs outside the window; changing the
 * view bumps gen.
 * proves: PLATFORM-5, IOMMU-2, IOMMU-7, IOMMU-12 */
static void test_views(void **state)
{
	struct iommu_mapping store[4];
	struct iommu_domain d;
	struct dma_space s;
	struct dma_seg seg[4];
	struct dma_range r[2] = { { 0x1000, 0x100, ha, DMA_BIDIR }, { 0x3000, 0x100, hb, DMA_BIDIR } };
	(void)state;
	assert_int_equal(dma_space_init(&s, r, 2), 0);
	dma_space_view(&s, DMA_VIEW_NONE, NULL);
	assert_int_equal(s.gen, 1);
	assert_int_equal(dma_map(&s, 0x1000, 0x10, DMA_TO_DEV, seg, 4), DMA_EDENIED);
	assert_null(dma_ptr(&s, 0x1000, 0x10, DMA_TO_DEV));
	/* Back to the window; then a domain: IOVA 0x10000..0x100ff -> IPA
	 * 0x1000 (read only), 0x10100..0x101ff -> IPA 0x3000 (read-write),
	 * 0x20000..0x200ff -> IPA 0x5000 (outside the window). */
	dma_space_view(&s, DMA_VIEW_ALL, NULL);
	assert_int_equal(dma_map(&s, 0x1000, 0x10, DMA_TO_DEV, seg, 4), 1);
	iommu_domain_init(&d, store, 4);
	assert_int_equal(iommu_domain_map(&d, 0x10000, 0x100ff, 0x1000, VIRTIO_IOMMU_MAP_F_READ, 0x100, 3),
			 VIRTIO_IOMMU_S_OK);
	assert_int_equal(iommu_domain_map(&d, 0x10100, 0x101ff, 0x3000, 3, 0x100, 3), VIRTIO_IOMMU_S_OK);
	assert_int_equal(iommu_domain_map(&d, 0x20000, 0x200ff, 0x5000, 3, 0x100, 3), VIRTIO_IOMMU_S_OK);
	dma_space_view(&s, DMA_VIEW_DOMAIN, &d);
	assert_int_equal(dma_map(&s, 0x10010, 0x20, DMA_TO_DEV, seg, 4), 1);
	assert_ptr_equal(seg[0].p, ha + 0x10);
	assert_int_equal(dma_map(&s, 0x10010, 0x20, DMA_FROM_DEV, seg, 4), DMA_EDENIED);
	/* Across the two mappings: two pieces, in two host buffers. */
	assert_int_equal(dma_map(&s, 0x100f0, 0x20, DMA_TO_DEV, seg, 4), 2);
	assert_ptr_equal(seg[0].p, ha + 0xf0);
	assert_int_equal(seg[0].len, 0x10);
	assert_ptr_equal(seg[1].p, hb);
	assert_int_equal(seg[1].len, 0x10);
	assert_int_equal(dma_map(&s, 0x100f0, 0x20, DMA_TO_DEV, seg, 1), DMA_ESEGS);
	/* A gap, past the last mapping, outside the window. */
	assert_int_equal(dma_map(&s, 0x101f0, 0x20, DMA_TO_DEV, seg, 4), DMA_EDENIED);
	assert_int_equal(dma_map(&s, 0x0fff0, 0x20, DMA_TO_DEV, seg, 4), DMA_EDENIED);
	assert_int_equal(dma_map(&s, 0x20000, 0x10, DMA_TO_DEV, seg, 4), DMA_EDENIED);
	/* A window update keeps the view. */
	assert_int_equal(dma_space_update(&s, r, 2), 0);
	assert_int_equal(s.view, DMA_VIEW_DOMAIN);
	assert_int_equal(s.n, 0);
	assert_int_equal(dma_map(&s, 0x10010, 0x20, DMA_TO_DEV, seg, 4), 1);
}

struct hook_log {
	unsigned faults, drained;
	uint32_t ep;
	uint64_t iova;
	enum dma_dir dir;
};

static void on_fault(void *ctx, uint32_t ep, uint64_t iova, enum dma_dir dir)
{
	struct hook_log *l = ctx;
	l->faults++;
	l->ep = ep;
	l->iova = iova;
	l->dir = dir;
}

static void on_drained(void *ctx)
{
	((struct hook_log *)ctx)->drained++;
}

/* A translation the IOMMU refuses is reported once, with the endpoint,
 * the address that failed and the direction; the identity window reports
 * nothing (no IOMMU decides there). proves: IOMMU-12 */
static void test_fault_hook(void **state)
{
	struct iommu_mapping store[2];
	struct iommu_domain d;
	struct dma_space s;
	struct dma_seg seg[4];
	struct dma_range r = { 0x1000, 0x1000, ha, DMA_BIDIR };
	struct hook_log log = { 0 };
	(void)state;
	assert_int_equal(dma_space_init(&s, &r, 1), 0);
	s.fault = on_fault;
	s.hook_ctx = &log;
	s.ep = 7;
	assert_int_equal(dma_map(&s, 0x5000, 0x10, DMA_TO_DEV, seg, 4), DMA_EFAULT);
	assert_int_equal(log.faults, 0);
	dma_space_view(&s, DMA_VIEW_NONE, NULL);
	assert_int_equal(dma_map(&s, 0x1000, 0x10, DMA_FROM_DEV, seg, 4), DMA_EDENIED);
	assert_int_equal(log.faults, 1);
	assert_int_equal(log.ep, 7);
	assert_int_equal(log.iova, 0x1000);
	assert_int_equal(log.dir, DMA_FROM_DEV);
	iommu_domain_init(&d, store, 2);
	assert_int_equal(iommu_domain_map(&d, 0x10000, 0x10fff, 0x1000, VIRTIO_IOMMU_MAP_F_READ, 0x1000, 3),
			 VIRTIO_IOMMU_S_OK);
	dma_space_view(&s, DMA_VIEW_DOMAIN, &d);
	assert_int_equal(dma_map(&s, 0x10010, 0x20, DMA_TO_DEV, seg, 4), 1);
	assert_int_equal(log.faults, 1);
	/* Read-only: a write faults at its first byte; past the mapping, at
	 * the first unmapped byte. */
	assert_int_equal(dma_map(&s, 0x10010, 0x20, DMA_FROM_DEV, seg, 4), DMA_EDENIED);
	assert_int_equal(log.faults, 2);
	assert_int_equal(log.iova, 0x10010);
	assert_int_equal(dma_map(&s, 0x10ff0, 0x20, DMA_TO_DEV, seg, 4), DMA_EDENIED);
	assert_int_equal(log.faults, 3);
	assert_int_equal(log.iova, 0x11000);
	assert_int_equal(log.dir, DMA_TO_DEV);
}

/* A fence waits for exactly the pins taken before it: pins taken after it
 * start do not hold it up (no starvation under load), the drained hook
 * fires when the last earlier pin goes, and a fence with nothing pinned is
 * done at once. proves: IOMMU-12 */
static void test_fence(void **state)
{
	struct dma_range r = { 0x1000, 0x1000, ha, DMA_BIDIR };
	struct hook_log log = { 0 };
	struct dma_fence f, g;
	struct dma_space s;
	unsigned a, b, c, e;
	(void)state;
	assert_int_equal(dma_space_init(&s, &r, 1), 0);
	s.drained = on_drained;
	s.hook_ctx = &log;
	assert_true(dma_fence_start(&s, &f));
	a = dma_pin(&s);
	b = dma_pin(&s);
	assert_false(dma_fence_start(&s, &f));
	c = dma_pin(&s); /* after the fence: not waited for */
	assert_int_not_equal(c, a);
	dma_unpin(&s, a);
	assert_false(dma_fence_done(&s, &f));
	assert_int_equal(log.drained, 0);
	dma_unpin(&s, b);
	assert_int_equal(log.drained, 1);
	assert_true(dma_fence_done(&s, &f));
	assert_false(s.fence_wait);
	/* c is still pinned: a second fence waits for it alone. */
	assert_false(dma_fence_start(&s, &g));
	e = dma_pin(&s);
	dma_unpin(&s, c);
	assert_int_equal(log.drained, 2);
	assert_true(dma_fence_done(&s, &g));
	/* No hook while nobody waits. */
	dma_unpin(&s, e);
	assert_int_equal(log.drained, 2);
	assert_int_equal(s.pins, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_identity),
		T(test_out_of_range),
		T(test_split_adjacent),
		T(test_wrap_and_overflow),
		T(test_direction),
		T(test_update_refused_while_pinned),
		T(test_views),
		T(test_fault_hook),
		T(test_fence),
		T(test_device_split_buffer),
		T(test_device_split_segment_bound),
		T(test_device_direction),
		T(test_device_rings_follow_a_change),
		T(test_device_push_after_change),
		T(test_device_ring_unmapped_by_change),
	};
	return cmocka_run_group_tests(tests, dma_group_setup, dma_group_teardown);
}
