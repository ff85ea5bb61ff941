/* virtio-blk (vdev/virtio_blk.c) as a window on a block backend: the RAM
 * disk of core/blkdev.c, and a fake asynchronous backend (below) that
 * queues every request until the test completes it and logs what reached
 * it, so the order of WRITE and FLUSH can be asserted. The device is driven
 * only through its virtio-mmio registers, the way a guest driver does, over
 * a fake guest RAM in which the test lays out rings and requests by hand
 * (virtio_harness.h).
 * proves: BLK-1, BLK-2, BLK-3, BLK-4, BLK-5, BLK-6, BLK-7, PLATFORM-5
 *
 * Request layout and types, status values, feature bits and config space
 * offsets are written out here from [VIRTIO] 1.2 5.2, not taken from the
 * code. */
#include "arch_fake.h"
#include "virtio_harness.h"
#include <hv/blkdev.h>
#include <vdev/virtio_blk.h>

/* virtio-blk ([VIRTIO] 5.2.3, 5.2.4, 5.2.6) */
#define F_SIZE_MAX (1ULL << 1)
#define F_SEG_MAX (1ULL << 2)
#define F_RO (1ULL << 5)
#define F_BLK_SIZE (1ULL << 6)
#define F_FLUSH (1ULL << 9)
#define F_CONFIG_WCE (1ULL << 11)
#define F_MQ (1ULL << 12)
#define F_DISCARD (1ULL << 13)
#define F_WZ (1ULL << 14)
#define F_ALL (F_V1 | F_SIZE_MAX | F_SEG_MAX | F_BLK_SIZE | F_FLUSH | F_CONFIG_WCE | F_MQ | \
	       F_DISCARD | F_WZ)
enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8, T_DISCARD = 11, T_WZ = 13 };
enum { ST_OK = 0, ST_IOERR = 1, ST_UNSUPP = 2 };
#define UNMAP 1u
enum {
	C_CAPACITY = 0, C_SIZE_MAX = 8, C_SEG_MAX = 12, C_BLK_SIZE = 20, C_WRITEBACK = 32,
	C_NUM_QUEUES = 34, C_MAX_DISCARD_SECTORS = 36, C_MAX_DISCARD_SEG = 40,
	C_DISCARD_ALIGN = 44, C_MAX_WZ_SECTORS = 48, C_MAX_WZ_SEG = 52, C_WZ_MAY_UNMAP = 56,
	C_END = 60,
};

/* Queue q at RAM_IPA + 0x4000*q (descriptors, avail ring at +0x1000, used
 * ring at +0x2000); request slot i has its header at HDR(i), its status
 * byte at ST(i) and 8 KiB of data buffer at BUF(i). */
#define QS 64
#define HDR(i) (RAM_IPA + 0x40000 + 0x100ULL * (i))
#define ST(i) (RAM_IPA + 0x48000 + 0x10ULL * (i))
#define BUF(i) (RAM_IPA + 0x80000 + 0x2000ULL * (i))

/* ---- the backing disk: 256 sectors, the virtual disk's window in the middle ---- */
#define DISK_SECTORS 256
#define DISK_BYTES (DISK_SECTORS * 512)
#define WSTART 32
#define WSECT 64
static uint8_t disk[DISK_BYTES], before[DISK_BYTES];

static uint64_t checksum(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static void fill_pattern(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16) | 1; /* never 0: zeroing shows */
	}
}

static uint8_t *dsect(uint64_t backend_sector)
{
	return disk + backend_sector * 512;
}

/* ---- interrupt line ---- */
enum { IRQ_BLK = 48 };
static bool level;
static int raises;
static void line_set(void *ctx, uint32_t intid, bool high)
{
	(void)ctx;
	assert_int_equal(intid, IRQ_BLK);
	if (high && !level)
		raises++;
	level = high;
}

/* ---- the device and its backends ---- */
static struct virtio_blk vb;
static struct blkdev ramdev;

/* The fake asynchronous backend: submit() queues and returns 1; the test
 * completes a queued request with fk_complete(), which does the work on
 * the same bytes through a RAM disk and calls done() as a completion
 * interrupt would, with no lock held. Every request is logged. */
struct fop {
	uint8_t op;
	uint64_t sector;
	uint32_t bytes, nseg;
	unsigned nrange;
	struct blk_range range[BLK_MAX_RANGES];
};
static struct {
	struct blkdev bd;
	struct blkdev inner; /* does the work */
	struct blk_req *pend[64];
	unsigned npend;
	struct fop log[256];
	unsigned nlog;
	unsigned syncs, polls;
} fk;

static int fk_submit(struct blkdev *b, struct blk_req *r)
{
	struct fop *f = &fk.log[fk.nlog++];
	assert_ptr_equal(b, &fk.bd);
	assert_true(fk.nlog < ARRAY_SIZE(fk.log));
	/* Lock order: the disk's lock is held while it submits. */
	assert_true(spin_is_locked(&vb.dev.lock));
	*f = (struct fop){ .op = r->op, .sector = r->sector, .nseg = r->nseg, .nrange = r->nrange };
	for (unsigned i = 0; i < r->nseg; i++)
		f->bytes += r->seg[i].len;
	assert_true(r->nseg <= b->seg_max);
	assert_true(r->nrange <= BLK_MAX_RANGES);
	memcpy(f->range, r->range, sizeof(f->range));
	assert_true(fk.npend < ARRAY_SIZE(fk.pend));
	fk.pend[fk.npend++] = r;
	return 1;
}

/* Complete pending request i (in submission order) with the given status
 * (BLK_OK: do the work first). */
static void fk_complete(unsigned i, uint8_t status)
{
	struct blk_req *r;
	assert_true(i < fk.npend);
	r = fk.pend[i];
	memmove(&fk.pend[i], &fk.pend[i + 1], (fk.npend - i - 1) * sizeof(fk.pend[0]));
	fk.npend--;
	if (status == BLK_OK)
		assert_int_equal(fk.inner.ops->submit(&fk.inner, r), 0);
	else
		r->status = status;
	assert_false(spin_is_locked(&vb.dev.lock)); /* from the interrupt, no lock held */
	r->done(r);
	assert_false(spin_is_locked(&vb.dev.lock));
}

static void fk_poll(struct blkdev *b)
{
	(void)b;
	fk.polls++;
	if (fk.npend)
		fk_complete(0, BLK_OK);
}

static int fk_sync(struct blkdev *b)
{
	(void)b;
	assert_false(spin_is_locked(&vb.dev.lock));
	fk.syncs++;
	return 0;
}

static const struct blkdev_ops fk_ops = { .submit = fk_submit, .poll = fk_poll, .sync = fk_sync };

static void fk_init(void)
{
	memset(&fk, 0, sizeof(fk));
	blk_ram_init(&fk.inner, "inner", disk, DISK_BYTES);
	fk.bd = (struct blkdev){
		.ops = &fk_ops, .name = "fake", .sectors = DISK_SECTORS, .blk_size = 512,
		.seg_max = 64, .can_flush = true, .can_discard = true, .can_write_zeroes = true,
		.wz_may_unmap = false, .max_discard_sectors = 8192, .max_discard_seg = 4,
		.discard_align = 8, .max_wz_sectors = 8192, .max_wz_seg = 4, .slots = 63,
	};
}

static struct vblk_params params(struct blkdev *be)
{
	return (struct vblk_params){ .be = be, .start = WSTART, .sectors = WSECT, .nqueues = 1,
				     .inflight = VBLK_INFLIGHT, .serial = "bulkhead-vd0" };
}

static void dev_init(const struct vblk_params *p)
{
	struct irq_line l = { line_set, NULL, IRQ_BLK };
	virtio_blk_init(&vb, "vd0", p, &gm, &l);
}

/* ---- the configuration space ---- */
static uint64_t cfg(uint32_t off, unsigned w)
{
	return cfg_rd(&vb.dev, off, w);
}

static void cfg_wr8(uint32_t off, uint8_t x)
{
	uint64_t v = x;
	assert_int_equal(acc(&vb.dev, CONFIG + off, 1, true, &v), 0);
}

/* ---- the driver side: slot 0, QS entries a queue ---- */
static struct drv dv = { .d = &vb.dev, .slot = 0, .num = QS };

/* Reset, negotiate features, set up nq queues, DRIVER_OK ([VIRTIO] 3.1.1). */
static void drv_start(unsigned nq, uint64_t features)
{
	drv_begin(&dv, &vb.dev, 0, QS, features);
	for (unsigned q = 0; q < nq; q++) {
		wr(&vb.dev, QUEUE_SEL, q);
		assert_true(rd(&vb.dev, QUEUE_NUM_MAX) >= QS);
		drv_queue(&dv, q);
	}
	drv_live(&dv);
}

/* One buffer of a chain. */
struct bseg {
	uint64_t ipa;
	uint32_t len;
	bool w;
};

/* Chain segs in descriptors first.. of queue q and publish the head
 * (no notification). */
static uint16_t chain(unsigned q, unsigned first, const struct bseg *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		setd(&dv, q, (first + i) % QS, s[i].ipa, s[i].len,
		     (uint16_t)((s[i].w ? D_WRITE : 0) | (i + 1 < n ? D_NEXT : 0)),
		     (uint16_t)((first + i + 1) % QS));
	post(&dv, q, (uint16_t)(first % QS));
	return (uint16_t)(first % QS);
}

static void put_hdr(uint64_t ipa, uint32_t type, uint64_t sector)
{
	uint8_t *p = gp(ipa);
	memcpy(p, &type, 4); /* little-endian host */
	memset(p + 4, 0, 4);
	memcpy(p + 8, &sector, 8);
}

static uint8_t status(unsigned slot)
{
	return *(uint8_t *)gp(ST(slot));
}

/* A plain request in slot i: header, one data buffer of len bytes
 * (writable for IN and GET_ID), status byte; descriptors 3i..3i+2. */
static uint16_t req(unsigned q, unsigned i, uint32_t type, uint64_t sector, uint32_t len)
{
	struct bseg s[3] = { { HDR(i), 16, false }, { BUF(i), len, type == T_IN || type == T_GET_ID }, { ST(i), 1, true } };
	put_hdr(HDR(i), type, sector);
	*(uint8_t *)gp(ST(i)) = 0xee;
	if (len == 0) {
		s[1] = s[2];
		return chain(q, 3 * i, s, 2);
	}
	return chain(q, 3 * i, s, 3);
}

/* The header of a DISCARD or WRITE_ZEROES and its n ranges at HDR(i). */
static void put_ranges(unsigned i, uint32_t type, const struct blk_range *r, unsigned n)
{
	uint8_t *p = gp(HDR(i));
	put_hdr(HDR(i), type, 0);
	for (unsigned k = 0; k < n; k++) { /* [VIRTIO] 5.2.6: le64 sector, le32 num, le32 flags */
		memcpy(p + 16 + 16 * k, &r[k].sector, 8);
		memcpy(p + 24 + 16 * k, &r[k].nsect, 4);
		memcpy(p + 28 + 16 * k, &r[k].flags, 4);
	}
	*(uint8_t *)gp(ST(i)) = 0xee;
}

/* A DISCARD or WRITE_ZEROES in slot i with n ranges. */
static uint16_t req_ranges(unsigned q, unsigned i, uint32_t type, const struct blk_range *r,
			   unsigned n)
{
	struct bseg s[2] = { { HDR(i), 16 + 16 * n, false }, { ST(i), 1, true } };
	put_ranges(i, type, r, n);
	return chain(q, 3 * i, s, 2);
}

/* Run one request to completion on a synchronous backend: status and the
 * used ring entry. */
static uint8_t one(uint32_t type, uint64_t sector, uint32_t len, uint32_t *ulen)
{
	uint16_t before_idx = used_idx(&dv, 0);
	uint16_t head = req(0, 0, type, sector, len);
	kick(&dv, 0);
	assert_int_equal(used_idx(&dv, 0), (uint16_t)(before_idx + 1));
	assert_int_equal(used_id(&dv, 0, before_idx), head);
	if (ulen)
		*ulen = used_len(&dv, 0, before_idx);
	return status(0);
}

static uint8_t one_ranges(uint32_t type, const struct blk_range *r, unsigned n)
{
	uint16_t before_idx = used_idx(&dv, 0);
	req_ranges(0, 0, type, r, n);
	kick(&dv, 0);
	assert_int_equal(used_idx(&dv, 0), (uint16_t)(before_idx + 1));
	assert_int_equal(used_len(&dv, 0, before_idx), 1);
	return status(0);
}

/* ---- fixtures ---- */
/* Default device: a read-write, normal-policy window on the RAM disk. */
static int setup(void **state)
{
	struct vblk_params p;
	(void)state;
	memset(host, FILL, HOST_SIZE);
	fill_pattern(disk, DISK_BYTES, 7);
	level = false;
	raises = 0;
	fake_console_reset();
	blk_ram_init(&ramdev, "ram0", disk, DISK_BYTES);
	fk_init();
	p = params(&ramdev);
	dev_init(&p);
	return 0;
}

static void snapshot_disk(void)
{
	memcpy(before, disk, DISK_BYTES);
}

/* ================= identification, features, config space ================= */

/* proves: BLK-1, BLK-2, BLK-3, BLK-4, BLK-5 */
static void test_features_offered(void **state)
{
	struct vblk_params p = params(&ramdev);
	uint64_t f;
	(void)state;

	assert_int_equal(rd(&vb.dev, DEVICE_ID), 2);
	f = dev_features(&vb.dev);
	assert_true(f & F_V1);
	assert_int_equal(f & (F_FLUSH | F_CONFIG_WCE | F_DISCARD | F_WZ | F_MQ | F_SEG_MAX |
			      F_BLK_SIZE | F_SIZE_MAX),
			 F_FLUSH | F_CONFIG_WCE | F_DISCARD | F_WZ | F_MQ | F_SEG_MAX | F_BLK_SIZE |
				 F_SIZE_MAX);
	assert_false(f & F_RO);
	drv_start(1, F_ALL); /* all of it accepted */

	p.read_only = true;
	dev_init(&p);
	assert_true(dev_features(&vb.dev) & F_RO);
	drv_start(1, F_ALL | F_RO);

	/* Reliable or not, the same features. */
	p.read_only = false;
	p.reliable = true;
	dev_init(&p);
	f = dev_features(&vb.dev);
	assert_true(f & F_FLUSH);
	assert_true(f & F_CONFIG_WCE);
	assert_false(f & F_RO);

	/* A backend that cannot discard or write zeroes: not offered. */
	fk.bd.can_discard = fk.bd.can_write_zeroes = false;
	p = params(&fk.bd);
	dev_init(&p);
	f = dev_features(&vb.dev);
	assert_false(f & F_DISCARD);
	assert_false(f & F_WZ);
	assert_true(f & F_FLUSH);
}

/* struct virtio_blk_config ([VIRTIO] 5.2.4) through the MMIO registers.
 * proves: BLK-1, BLK-3, BLK-4, BLK-5, BLK-6, BLK-7 */
static void test_config_space(void **state)
{
	struct vblk_params p = params(&ramdev);
	(void)state;

	p.nqueues = 2;
	dev_init(&p);
	/* capacity: the window, not the backend; as two 32-bit halves and bytewise. */
	assert_int_equal(cfg(C_CAPACITY, 4), WSECT);
	assert_int_equal(cfg(C_CAPACITY + 4, 4), 0);
	assert_int_equal(cfg(C_CAPACITY, 1), WSECT);
	assert_int_equal(cfg(C_CAPACITY + 1, 1), 0);
	assert_int_equal(cfg(C_SIZE_MAX, 4), VBLK_SIZE_MAX);
	assert_int_equal(cfg(C_SEG_MAX, 4), VBLK_SEG_MAX); /* the RAM disk takes 64 */
	assert_int_equal(cfg(C_BLK_SIZE, 4), 512);
	assert_int_equal(cfg(C_NUM_QUEUES, 2), 2);
	assert_int_equal(cfg(C_MAX_DISCARD_SECTORS, 4), WSECT); /* backend 8192, window 64 */
	assert_int_equal(cfg(C_MAX_DISCARD_SEG, 4), 4);
	assert_int_equal(cfg(C_DISCARD_ALIGN, 4), 1);
	assert_int_equal(cfg(C_MAX_WZ_SECTORS, 4), WSECT);
	assert_int_equal(cfg(C_MAX_WZ_SEG, 4), 4);
	assert_int_equal(cfg(C_WZ_MAY_UNMAP, 1), 1);
	assert_int_equal(cfg(C_WRITEBACK, 1), 1); /* normal: writeback after reset */
	/* Past the structure: 0. */
	assert_int_equal(cfg(C_END, 4), 0);
	assert_int_equal(cfg(0xfc, 4), 0);
	drv_start(2, F_ALL);
	assert_int_equal(cfg(C_WRITEBACK, 1), 1);

	/* Another backend, other limits; a reliable disk is write-through. */
	fk.bd.seg_max = 16;
	fk.bd.max_discard_sectors = 16;
	fk.bd.max_wz_sectors = 1000;
	fk.bd.max_discard_seg = 8; /* more than a request can carry */
	fk.bd.max_wz_seg = 2;
	p = params(&fk.bd);
	p.reliable = true;
	p.start = 100;
	p.sectors = 150;
	p.nqueues = 1;
	dev_init(&p);
	assert_int_equal(cfg(C_CAPACITY, 4), 150);
	assert_int_equal(cfg(C_SEG_MAX, 4), 16);
	assert_int_equal(cfg(C_NUM_QUEUES, 2), 1);
	assert_int_equal(cfg(C_MAX_DISCARD_SECTORS, 4), 16);
	assert_int_equal(cfg(C_MAX_DISCARD_SEG, 4), BLK_MAX_RANGES);
	assert_int_equal(cfg(C_DISCARD_ALIGN, 4), 8);
	assert_int_equal(cfg(C_MAX_WZ_SECTORS, 4), 150);
	assert_int_equal(cfg(C_MAX_WZ_SEG, 4), 2);
	assert_int_equal(cfg(C_WZ_MAY_UNMAP, 1), 0);
	assert_int_equal(cfg(C_WRITEBACK, 1), 0);
	drv_start(1, F_ALL);
	assert_int_equal(cfg(C_WRITEBACK, 1), 0);
}

/* ================= reads and writes land in the window ================= */

/* proves: BLK-1, BLK-6 */
static void test_read_write_window(void **state)
{
	uint8_t pat[1024];
	uint32_t ulen;
	(void)state;

	drv_start(1, F_ALL);
	snapshot_disk();
	fill_pattern(pat, sizeof(pat), 99);
	memcpy(gp(BUF(0)), pat, sizeof(pat));
	assert_int_equal(one(T_OUT, 3, 1024, &ulen), ST_OK);
	assert_int_equal(ulen, 1);
	/* At window start + 3, nowhere else. */
	memcpy(before + (WSTART + 3) * 512, pat, sizeof(pat));
	assert_memory_equal(disk, before, DISK_BYTES);

	memset(gp(BUF(0)), 0, 2048);
	assert_int_equal(one(T_IN, 3, 1024, &ulen), ST_OK);
	assert_int_equal(ulen, 1024 + 1);
	assert_memory_equal(gp(BUF(0)), pat, sizeof(pat));
	assert_int_equal(*(uint8_t *)gp(BUF(0) + 1024), 0); /* not past the buffer */

	/* Sector 0 is the window's first, the last is WSECT - 1. */
	assert_int_equal(one(T_IN, 0, 512, NULL), ST_OK);
	assert_memory_equal(gp(BUF(0)), dsect(WSTART), 512);
	assert_int_equal(one(T_IN, WSECT - 2, 1024, NULL), ST_OK);
	assert_memory_equal(gp(BUF(0)), dsect(WSTART + WSECT - 2), 1024);
	fill_pattern(gp(BUF(0)), 512, 5);
	assert_int_equal(one(T_OUT, WSECT - 1, 512, NULL), ST_OK);
	assert_memory_equal(dsect(WSTART + WSECT - 1), gp(BUF(0)), 512);
	/* A zero-length read or write at the end is nothing, and fine. */
	snapshot_disk();
	assert_int_equal(one(T_OUT, WSECT, 0, &ulen), ST_OK);
	assert_int_equal(ulen, 1);
	assert_memory_equal(disk, before, DISK_BYTES);
}

/* The header split over descriptors, data over several; then header and
 * data in one descriptor, data and status in one.
 * proves: BLK-1, BLK-6 */
static void test_split_and_merged_buffers(void **state)
{
	uint8_t pat[1536];
	(void)state;

	drv_start(1, F_ALL);
	fill_pattern(pat, sizeof(pat), 3);

	/* OUT: header 3 + 13 bytes, data 100 + 412 + 1024 bytes. */
	put_hdr(HDR(0), T_OUT, 10);
	memcpy(gp(BUF(0)), pat, 100);
	memcpy(gp(BUF(1)), pat + 100, 412);
	memcpy(gp(BUF(2)), pat + 512, 1024);
	*(uint8_t *)gp(ST(0)) = 0xee;
	chain(0, 0,
	      (struct bseg[]){ { HDR(0), 3, false }, { HDR(0) + 3, 13, false }, { BUF(0), 100, false },
			       { BUF(1), 412, false }, { BUF(2), 1024, false }, { ST(0), 1, true } },
	      6);
	kick(&dv, 0);
	assert_int_equal(used_idx(&dv, 0), 1);
	assert_int_equal(status(0), ST_OK);
	assert_memory_equal(dsect(WSTART + 10), pat, sizeof(pat));

	/* IN: header 8 + 8, data 700 + 324 in two writable buffers. */
	put_hdr(HDR(0), T_IN, 10);
	memset(gp(BUF(3)), 0, 700);
	memset(gp(BUF(4)), 0, 324);
	*(uint8_t *)gp(ST(0)) = 0xee;
	chain(0, 8,
	      (struct bseg[]){ { HDR(0), 8, false }, { HDR(0) + 8, 8, false }, { BUF(3), 700, true },
			       { BUF(4), 324, true }, { ST(0), 1, true } },
	      5);
	kick(&dv, 0);
	assert_int_equal(used_idx(&dv, 0), 2);
	assert_int_equal(used_len(&dv, 0, 1), 1024 + 1);
	assert_int_equal(status(0), ST_OK);
	assert_memory_equal(gp(BUF(3)), pat, 700);
	assert_memory_equal(gp(BUF(4)), pat + 700, 324);

	/* OUT: header and 512 bytes of data in one readable buffer. */
	put_hdr(BUF(5), T_OUT, 20);
	memcpy((uint8_t *)gp(BUF(5)) + 16, pat + 512, 512);
	*(uint8_t *)gp(ST(0)) = 0xee;
	chain(0, 16, (struct bseg[]){ { BUF(5), 16 + 512, false }, { ST(0), 1, true } }, 2);
	kick(&dv, 0);
	assert_int_equal(used_idx(&dv, 0), 3);
	assert_int_equal(status(0), ST_OK);
	assert_memory_equal(dsect(WSTART + 20), pat + 512, 512);

	/* OUT: header plus a first part of the data, then the rest. */
	put_hdr(BUF(6), T_OUT, 21);
	memcpy((uint8_t *)gp(BUF(6)) + 16, pat, 200);
	memcpy(gp(BUF(7)), pat + 200, 824);
	*(uint8_t *)gp(ST(0)) = 0xee;
	chain(0, 20,
	      (struct bseg[]){ { BUF(6), 16 + 200, false }, { BUF(7), 824, false }, { ST(0), 1, true } },
	      3);
	kick(&dv, 0);
	assert_int_equal(status(0), ST_OK);
	assert_memory_equal(dsect(WSTART + 21), pat, 1024);

	/* IN: data and status in one writable buffer. */
	memset(gp(BUF(8)), 0x77, 1024 + 1);
	put_hdr(HDR(1), T_IN, 21);
	chain(0, 24, (struct bseg[]){ { HDR(1), 16, false }, { BUF(8), 1024 + 1, true } }, 2);
	kick(&dv, 0);
	assert_int_equal(used_idx(&dv, 0), 5);
	assert_int_equal(used_len(&dv, 0, 4), 1024 + 1);
	assert_memory_equal(gp(BUF(8)), pat, 1024);
	assert_int_equal(*(uint8_t *)gp(BUF(8) + 1024), ST_OK);
}

/* ================= isolation: the window and read-only ================= */

struct oow {
	uint32_t type;
	uint64_t sector;
	uint32_t len;
};

/* Every refused request: IOERR, used length 1 (the status only), not a
 * byte of the backend changed (inside the window or out), the guest's
 * buffer untouched.
 * proves: BLK-6 */
static void test_outside_window(void **state)
{
	/* (1 << 55) - WSTART: (WSTART + sector) * 512 wraps to 0 in 64 bits. */
	static const struct oow cases[] = {
		{ T_OUT, WSECT, 512 },          /* starts at the end */
		{ T_OUT, WSECT + 1, 512 },      /* starts past the end */
		{ T_OUT, WSECT - 1, 1024 },     /* ends past the end */
		{ T_OUT, 0, (WSECT + 1) * 512 },
		{ T_OUT, UINT64_MAX, 512 },     /* sector + length wraps */
		{ T_OUT, UINT64_MAX - 1, 2048 },
		{ T_OUT, (1ULL << 55) - WSTART, 512 },
		{ T_OUT, 0, 100 },              /* not whole sectors */
		{ T_OUT, 0, 513 },
		{ T_IN, WSECT, 512 },
		{ T_IN, WSECT + 1, 512 },
		{ T_IN, WSECT - 1, 1024 },
		{ T_IN, UINT64_MAX, 512 },
		{ T_IN, UINT64_MAX - 1, 2048 },
		{ T_IN, (1ULL << 55) - WSTART, 512 },
		{ T_IN, 0, 511 },
		{ T_IN, 1, 1000 },
	};
	static const struct blk_range ranges[][2] = {
		{ { WSECT, 1, 0 } },
		{ { WSECT - 1, 2, 0 } },
		{ { 0, WSECT + 1, 0 } },
		{ { UINT64_MAX, 1, 0 } },
		{ { UINT64_MAX - 1, 4, 0 } },
		{ { (1ULL << 55) - WSTART, 1, 0 } },
		{ { 0, 1, 0 }, { WSECT, 8, 0 } }, /* the second range is out */
	};
	const uint64_t sum = checksum(disk, DISK_BYTES);
	uint32_t ulen;
	(void)state;

	drv_start(1, F_ALL);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(gp(BUF(0)), 0x3c, 0x2000);
		assert_int_equal(one(cases[i].type, cases[i].sector, cases[i].len, &ulen), ST_IOERR);
		assert_int_equal(ulen, 1);
		assert_int_equal(checksum(disk, DISK_BYTES), sum);
		for (size_t k = 0; k < 0x2000; k++)
			assert_int_equal(((uint8_t *)gp(BUF(0)))[k], 0x3c);
	}
	for (size_t i = 0; i < ARRAY_SIZE(ranges); i++) {
		unsigned n = ranges[i][1].nsect ? 2 : 1;
		assert_int_equal(one_ranges(T_DISCARD, ranges[i], n), ST_IOERR);
		assert_int_equal(checksum(disk, DISK_BYTES), sum);
		assert_int_equal(one_ranges(T_WZ, ranges[i], n), ST_IOERR);
		assert_int_equal(checksum(disk, DISK_BYTES), sum);
		struct blk_range u[2] = { ranges[i][0], ranges[i][1] };
		u[0].flags = u[1].flags = UNMAP;
		assert_int_equal(one_ranges(T_WZ, u, n), ST_IOERR);
		assert_int_equal(checksum(disk, DISK_BYTES), sum);
	}
	assert_true(vb.nerr > 0);
	assert_false(rd(&vb.dev, STATUS) & S_NEEDS_RESET); /* refused, not broken */

	/* The same requests never reached an asynchronous backend either. */
	struct vblk_params p = params(&fk.bd);
	dev_init(&p);
	drv_start(1, F_ALL);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(one(cases[i].type, cases[i].sector, cases[i].len, NULL), ST_IOERR);
	for (size_t i = 0; i < ARRAY_SIZE(ranges); i++)
		assert_int_equal(one_ranges(T_WZ, ranges[i], ranges[i][1].nsect ? 2 : 1), ST_IOERR);
	assert_int_equal(fk.nlog, 0);
	assert_int_equal(checksum(disk, DISK_BYTES), sum);
}

/* proves: BLK-6 */
static void test_read_only(void **state)
{
	struct vblk_params p = params(&ramdev);
	const struct blk_range r = { 0, 4, 0 }, ru = { 0, 4, UNMAP };
	uint64_t sum;
	uint32_t ulen;
	(void)state;

	p.read_only = true;
	dev_init(&p);
	drv_start(1, F_ALL | F_RO);
	sum = checksum(disk, DISK_BYTES);
	memset(gp(BUF(0)), 0, 512);
	assert_int_equal(one(T_OUT, 0, 512, &ulen), ST_IOERR);
	assert_int_equal(ulen, 1);
	assert_int_equal(one(T_OUT, 0, 0, NULL), ST_IOERR);
	assert_int_equal(one_ranges(T_DISCARD, &r, 1), ST_IOERR);
	assert_int_equal(one_ranges(T_WZ, &r, 1), ST_IOERR);
	assert_int_equal(one_ranges(T_WZ, &ru, 1), ST_IOERR);
	assert_int_equal(checksum(disk, DISK_BYTES), sum);
	/* Reading, flushing and asking for the id are fine. */
	assert_int_equal(one(T_IN, 1, 512, &ulen), ST_OK);
	assert_int_equal(ulen, 513);
	assert_memory_equal(gp(BUF(0)), dsect(WSTART + 1), 512);
	assert_int_equal(one(T_FLUSH, 0, 0, NULL), ST_OK);
	assert_int_equal(one(T_GET_ID, 0, 20, NULL), ST_OK);
	assert_int_equal(checksum(disk, DISK_BYTES), sum);

	/* On the asynchronous backend, the refused writes never reach it. */
	p = params(&fk.bd);
	p.read_only = true;
	dev_init(&p);
	drv_start(1, F_ALL | F_RO);
	assert_int_equal(one(T_OUT, 0, 512, NULL), ST_IOERR);
	assert_int_equal(one_ranges(T_DISCARD, &r, 1), ST_IOERR);
	assert_int_equal(one_ranges(T_WZ, &ru, 1), ST_IOERR);
	assert_int_equal(fk.nlog, 0);
	assert_int_equal(checksum(disk, DISK_BYTES), sum);
}

/* ================= malformed and odd requests ================= */

/* proves: BLK-1, BLK-6 */
static void test_no_status_byte(void **state)
{
	uint64_t sum = checksum(disk, DISK_BYTES);
	(void)state;

	drv_start(1, F_ALL);
	/* A write with no writable buffer at all. */
	put_hdr(HDR(0), T_OUT, 0);
	fill_pattern(gp(BUF(0)), 512, 1);
	chain(0, 0, (struct bseg[]){ { HDR(0), 16, false }, { BUF(0), 512, false } }, 2);
	snapshot_ram();
	kick(&dv, 0);
	assert_true(rd(&vb.dev, STATUS) & S_NEEDS_RESET);
	assert_int_equal(used_idx(&dv, 0), 0);
	assert_int_equal(checksum(disk, DISK_BYTES), sum);
	/* Nothing written in guest RAM; only the configuration interrupt. */
	assert_true(ram_unchanged());
	assert_int_equal(rd(&vb.dev, INT_STATUS), 2);
	/* Nothing more is served until a reset. */
	req(0, 1, T_OUT, 0, 512);
	kick(&dv, 0);
	assert_int_equal(used_idx(&dv, 0), 0);
	assert_int_equal(checksum(disk, DISK_BYTES), sum);
	drv_start(1, F_ALL);
	assert_int_equal(one(T_OUT, 0, 512, NULL), ST_OK);

	/* A read with only the header. */
	drv_start(1, F_ALL);
	put_hdr(HDR(0), T_IN, 0);
	chain(0, 0, (struct bseg[]){ { HDR(0), 16, false } }, 1);
	snapshot_ram();
	sum = checksum(disk, DISK_BYTES);
	kick(&dv, 0);
	assert_true(rd(&vb.dev, STATUS) & S_NEEDS_RESET);
	assert_int_equal(used_idx(&dv, 0), 0);
	assert_true(ram_unchanged());
	assert_int_equal(checksum(disk, DISK_BYTES), sum);
}

/* proves: BLK-1 */
static void test_unknown_type_and_short_header(void **state)
{
	static const uint32_t types[] = { 2, 3, 5, 7, 9, 10, 12, 14, 99, 0xffffffffu };
	uint64_t sum = checksum(disk, DISK_BYTES);
	uint32_t ulen;
	(void)state;

	drv_start(1, F_ALL);
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		memset(gp(BUF(0)), 0x3c, 512);
		assert_int_equal(one(types[i], 0, 512, &ulen), ST_UNSUPP);
		assert_int_equal(ulen, 1);
	}
	assert_int_equal(checksum(disk, DISK_BYTES), sum);
	/* A header shorter than 16 bytes. */
	put_hdr(HDR(0), T_OUT, 0);
	*(uint8_t *)gp(ST(0)) = 0xee;
	chain(0, 0, (struct bseg[]){ { HDR(0), 15, false }, { ST(0), 1, true } }, 2);
	kick(&dv, 0);
	assert_int_equal(status(0), ST_IOERR);
	assert_int_equal(checksum(disk, DISK_BYTES), sum);
	assert_false(rd(&vb.dev, STATUS) & S_NEEDS_RESET);
}

/* proves: BLK-1 */
static void test_get_id(void **state)
{
	struct vblk_params p = params(&ramdev);
	uint8_t want[20] = "bulkhead-vd0";
	uint8_t *b = gp(BUF(0));
	uint32_t ulen;
	(void)state;

	drv_start(1, F_ALL);
	/* A 20-byte buffer: the serial, NUL-padded. */
	memset(b, FILL, 64);
	assert_int_equal(one(T_GET_ID, 0, 20, &ulen), ST_OK);
	assert_int_equal(ulen, 21);
	assert_memory_equal(b, want, 20);
	assert_int_equal(b[20], FILL);
	/* A larger buffer: still 20 bytes. */
	memset(b, FILL, 64);
	assert_int_equal(one(T_GET_ID, 0, 64, &ulen), ST_OK);
	assert_int_equal(ulen, 21);
	assert_memory_equal(b, want, 20);
	for (unsigned i = 20; i < 64; i++)
		assert_int_equal(b[i], FILL);
	/* A short buffer: what fits. */
	memset(b, FILL, 64);
	assert_int_equal(one(T_GET_ID, 0, 5, &ulen), ST_OK);
	assert_int_equal(ulen, 6);
	assert_memory_equal(b, "bulkh", 5);
	assert_int_equal(b[5], FILL);
	/* The id and the status in one 6-byte buffer: the status is the last
	 * byte, never part of the id. */
	memset(b, FILL, 64);
	put_hdr(HDR(0), T_GET_ID, 0);
	chain(0, 0, (struct bseg[]){ { HDR(0), 16, false }, { BUF(0), 6, true } }, 2);
	kick(&dv, 0);
	assert_memory_equal(b, "bulkh", 5);
	assert_int_equal(b[5], ST_OK);
	assert_int_equal(b[6], FILL);
	assert_int_equal(used_len(&dv, 0, used_idx(&dv, 0) - 1), 6);
	/* 12 + 8 bytes split over two buffers. */
	memset(b, FILL, 64);
	memset(gp(BUF(1)), FILL, 64);
	*(uint8_t *)gp(ST(0)) = 0xee;
	chain(0, 4,
	      (struct bseg[]){ { HDR(0), 16, false }, { BUF(0), 12, true }, { BUF(1), 8, true },
			       { ST(0), 1, true } },
	      4);
	kick(&dv, 0);
	assert_memory_equal(b, want, 12);
	assert_memory_equal(gp(BUF(1)), want + 12, 8);
	assert_int_equal(status(0), ST_OK);
	/* Only a status byte: no id, status OK. */
	assert_int_equal(one(T_GET_ID, 0, 0, &ulen), ST_OK);
	assert_int_equal(ulen, 1);

	/* A serial of 20 bytes or more: 20 bytes, no terminator. */
	p.serial = "0123456789abcdefghijKLMNOP";
	dev_init(&p);
	drv_start(1, F_ALL);
	memset(b, FILL, 64);
	assert_int_equal(one(T_GET_ID, 0, 32, &ulen), ST_OK);
	assert_int_equal(ulen, 21);
	assert_memory_equal(b, "0123456789abcdefghij", 20);
	assert_int_equal(b[20], FILL);
	/* No serial: 20 zero bytes. */
	p.serial = NULL;
	dev_init(&p);
	drv_start(1, F_ALL);
	memset(b, FILL, 64);
	assert_int_equal(one(T_GET_ID, 0, 20, NULL), ST_OK);
	for (unsigned i = 0; i < 20; i++)
		assert_int_equal(b[i], 0);
}

/* ================= discard and write-zeroes ================= */

/* proves: BLK-4 */
static void test_discard(void **state)
{
	const struct blk_range r[2] = { { 2, 3, 0 }, { 40, 1, 0 } };
	const struct blk_range bad[] = { { 2, 3, UNMAP }, { 2, 3, 2 }, { 2, 3, 0x80000000u } };
	struct vblk_params p;
	uint64_t sum;
	(void)state;

	drv_start(1, F_ALL);
	snapshot_disk();
	assert_int_equal(one_ranges(T_DISCARD, r, 2), ST_OK);
	/* The RAM disk's discarded sectors read as zeroes. */
	memset(before + (WSTART + 2) * 512, 0, 3 * 512);
	memset(before + (WSTART + 40) * 512, 0, 512);
	assert_memory_equal(disk, before, DISK_BYTES);
	/* The UNMAP flag (and any other) is not for discard: UNSUPP. */
	fill_pattern(disk, DISK_BYTES, 11);
	sum = checksum(disk, DISK_BYTES);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(one_ranges(T_DISCARD, &bad[i], 1), ST_UNSUPP);
	assert_int_equal(checksum(disk, DISK_BYTES), sum);

	/* What reaches the backend: one DISCARD, the ranges moved into the window. */
	p = params(&fk.bd);
	dev_init(&p);
	drv_start(1, F_ALL);
	req_ranges(0, 0, T_DISCARD, r, 2);
	kick(&dv, 0);
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(fk.log[0].op, BLK_DISCARD);
	assert_int_equal(fk.log[0].nrange, 2);
	assert_int_equal(fk.log[0].range[0].sector, WSTART + 2);
	assert_int_equal(fk.log[0].range[0].nsect, 3);
	assert_int_equal(fk.log[0].range[0].flags, 0);
	assert_int_equal(fk.log[0].range[1].sector, WSTART + 40);
	assert_int_equal(fk.log[0].range[1].nsect, 1);
	assert_int_equal(used_idx(&dv, 0), 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 1);
	assert_int_equal(status(0), ST_OK);
	/* UNMAP on an asynchronous backend: refused before it. */
	assert_int_equal(one_ranges(T_DISCARD, &bad[0], 1), ST_UNSUPP);
	assert_int_equal(fk.nlog, 1);
	/* More sectors in a range than the backend takes: IOERR. */
	fk.bd.max_discard_sectors = 4;
	dev_init(&p);
	drv_start(1, F_ALL);
	assert_int_equal(one_ranges(T_DISCARD, &(struct blk_range){ 0, 5, 0 }, 1), ST_IOERR);
	assert_int_equal(fk.nlog, 1);
	/* A backend that cannot discard: UNSUPP. */
	fk.bd.can_discard = false;
	dev_init(&p);
	drv_start(1, F_ALL & ~F_DISCARD);
	assert_int_equal(one_ranges(T_DISCARD, r, 1), ST_UNSUPP);
	assert_int_equal(fk.nlog, 1);
}

/* proves: BLK-5 */
static void test_write_zeroes(void **state)
{
	const struct blk_range r[2] = { { 10, 1, 0 }, { 20, 3, 0 } };
	const struct blk_range ru = { 5, 2, UNMAP };
	const struct blk_range five[5] = { { 0, 1, 0 }, { 2, 1, 0 }, { 4, 1, 0 }, { 6, 1, 0 },
					   { 8, 1, 0 } };
	uint64_t sum;
	struct vblk_params p;
	(void)state;

	drv_start(1, F_ALL);
	snapshot_disk();
	/* With UNMAP: zeroes all the same. */
	assert_int_equal(one_ranges(T_WZ, &ru, 1), ST_OK);
	memset(before + (WSTART + 5) * 512, 0, 2 * 512);
	assert_memory_equal(disk, before, DISK_BYTES);
	/* Two ranges in one request. */
	assert_int_equal(one_ranges(T_WZ, r, 2), ST_OK);
	memset(before + (WSTART + 10) * 512, 0, 512);
	memset(before + (WSTART + 20) * 512, 0, 3 * 512);
	assert_memory_equal(disk, before, DISK_BYTES);
	/* Four ranges, the most offered. */
	assert_int_equal(one_ranges(T_WZ, five, 4), ST_OK);
	for (unsigned i = 0; i < 4; i++)
		memset(before + (WSTART + five[i].sector) * 512, 0, 512);
	assert_memory_equal(disk, before, DISK_BYTES);

	/* Refused, nothing changed: five ranges, a partial range, no range, a
	 * flag other than UNMAP. */
	fill_pattern(disk, DISK_BYTES, 12);
	sum = checksum(disk, DISK_BYTES);
	assert_int_equal(one_ranges(T_WZ, five, 5), ST_IOERR);
	put_ranges(0, T_WZ, r, 1);
	chain(0, 0, (struct bseg[]){ { HDR(0), 16 + 8, false }, { ST(0), 1, true } }, 2);
	kick(&dv, 0);
	assert_int_equal(status(0), ST_IOERR);
	put_ranges(0, T_WZ, r, 2);
	chain(0, 0, (struct bseg[]){ { HDR(0), 16 + 16 + 15, false }, { ST(0), 1, true } }, 2);
	kick(&dv, 0);
	assert_int_equal(status(0), ST_IOERR);
	assert_int_equal(one_ranges(T_WZ, r, 0), ST_IOERR);
	assert_int_equal(one_ranges(T_WZ, &(struct blk_range){ 0, 1, 2 }, 1), ST_UNSUPP);
	assert_int_equal(checksum(disk, DISK_BYTES), sum);

	/* Header and ranges split over three buffers: fine. */
	put_ranges(0, T_WZ, r, 2);
	chain(0, 0,
	      (struct bseg[]){ { HDR(0), 10, false }, { HDR(0) + 10, 20, false },
			       { HDR(0) + 30, 18, false }, { ST(0), 1, true } },
	      4);
	kick(&dv, 0);
	assert_int_equal(status(0), ST_OK);
	assert_int_equal(dsect(WSTART + 10)[0], 0);
	assert_int_equal(dsect(WSTART + 22)[511], 0);
	assert_int_not_equal(dsect(WSTART + 23)[0], 0);

	/* What reaches the backend: the ranges moved, the flags kept. */
	fk.bd.max_wz_sectors = 4;
	p = params(&fk.bd);
	dev_init(&p);
	drv_start(1, F_ALL);
	req_ranges(0, 0, T_WZ, &ru, 1);
	kick(&dv, 0);
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(fk.log[0].op, BLK_WRITE_ZEROES);
	assert_int_equal(fk.log[0].nrange, 1);
	assert_int_equal(fk.log[0].range[0].sector, WSTART + 5);
	assert_int_equal(fk.log[0].range[0].nsect, 2);
	assert_int_equal(fk.log[0].range[0].flags, UNMAP);
	fk_complete(0, BLK_OK);
	assert_int_equal(status(0), ST_OK);
	/* More sectors than the backend takes in one range: IOERR, not sent. */
	assert_int_equal(one_ranges(T_WZ, &(struct blk_range){ 0, 5, 0 }, 1), ST_IOERR);
	/* More ranges than the backend takes: IOERR, not sent. */
	fk.bd.max_wz_seg = 1;
	dev_init(&p);
	drv_start(1, F_ALL);
	assert_int_equal(one_ranges(T_WZ, r, 2), ST_IOERR);
	assert_int_equal(fk.nlog, 1);
}

/* ================= write policy and FLUSH ================= */

/* A reliable disk: write-through, whatever the driver asks.
 * proves: BLK-2, BLK-7 */
static void test_reliable_flush_after_write(void **state)
{
	struct vblk_params p = params(&fk.bd);
	const struct blk_range r = { 8, 2, 0 };
	(void)state;

	p.reliable = true;
	dev_init(&p);
	drv_start(1, F_ALL);
	assert_int_equal(cfg(C_WRITEBACK, 1), 0);
	cfg_wr8(C_WRITEBACK, 1); /* CONFIG_WCE negotiated, still refused */
	assert_int_equal(cfg(C_WRITEBACK, 1), 0);

	fill_pattern(gp(BUF(0)), 1024, 4);
	req(0, 0, T_OUT, 4, 1024);
	kick(&dv, 0);
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(fk.log[0].op, BLK_WRITE);
	assert_int_equal(fk.log[0].sector, WSTART + 4);
	assert_int_equal(fk.log[0].bytes, 1024);
	fk_complete(0, BLK_OK);
	/* The write is done, the flush is under way: nothing in the used ring yet. */
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(fk.log[1].op, BLK_FLUSH);
	assert_int_equal(fk.log[1].nseg, 0);
	assert_int_equal(fk.log[1].nrange, 0);
	assert_int_equal(used_idx(&dv, 0), 0);
	assert_int_equal(status(0), 0xee);
	assert_false(level);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 1);
	assert_int_equal(used_len(&dv, 0, 0), 1);
	assert_int_equal(status(0), ST_OK);
	assert_true(level);
	assert_memory_equal(dsect(WSTART + 4), gp(BUF(0)), 1024);

	/* Write-zeroes and discard too; a read needs no flush. */
	req_ranges(0, 0, T_WZ, &r, 1);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(fk.log[fk.nlog - 1].op, BLK_FLUSH);
	assert_int_equal(used_idx(&dv, 0), 1);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 2);
	req_ranges(0, 0, T_DISCARD, &r, 1);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(fk.log[fk.nlog - 1].op, BLK_FLUSH);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 3);
	unsigned n = fk.nlog;
	req(0, 0, T_IN, 4, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(fk.nlog, n + 1);
	assert_int_equal(used_idx(&dv, 0), 4);

	/* A failed write: IOERR, no flush. */
	n = fk.nlog;
	req(0, 0, T_OUT, 4, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_IOERR);
	assert_int_equal(fk.nlog, n + 1);
	assert_int_equal(used_idx(&dv, 0), 5);
	assert_int_equal(status(0), ST_IOERR);
	/* A failed flush after a good write: IOERR. */
	req(0, 0, T_OUT, 4, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	fk_complete(0, BLK_IOERR);
	assert_int_equal(used_idx(&dv, 0), 6);
	assert_int_equal(status(0), ST_IOERR);

	/* Even a driver that negotiated neither FLUSH nor CONFIG_WCE. */
	drv_start(1, F_V1);
	n = fk.nlog;
	req(0, 0, T_OUT, 4, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(fk.log[n + 1].op, BLK_FLUSH);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 1);
	assert_int_equal(fk.npend, 0);
}

/* A normal disk: writeback unless the driver switches it off.
 * proves: BLK-2, BLK-3, BLK-7 */
static void test_normal_writeback(void **state)
{
	struct vblk_params p = params(&fk.bd);
	unsigned n;
	(void)state;

	dev_init(&p);
	drv_start(1, F_ALL);
	assert_int_equal(cfg(C_WRITEBACK, 1), 1);
	req(0, 0, T_OUT, 0, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 1); /* done, no flush */
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(fk.npend, 0);

	/* Write-through, from the driver: each write followed by a FLUSH. */
	cfg_wr8(C_WRITEBACK, 0);
	assert_int_equal(cfg(C_WRITEBACK, 1), 0);
	req(0, 0, T_OUT, 1, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(fk.nlog, 3);
	assert_int_equal(fk.log[1].op, BLK_WRITE);
	assert_int_equal(fk.log[2].op, BLK_FLUSH);
	assert_int_equal(used_idx(&dv, 0), 1);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 2);
	/* Write-zeroes too. */
	req_ranges(0, 0, T_WZ, &(struct blk_range){ 0, 1, 0 }, 1);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(fk.log[fk.nlog - 1].op, BLK_FLUSH);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 3);

	/* Writeback again. Only byte writes of the field count. */
	cfg_wr8(C_WRITEBACK, 1);
	assert_int_equal(cfg(C_WRITEBACK, 1), 1);
	uint64_t v = 0;
	assert_int_equal(acc(&vb.dev, CONFIG + C_WRITEBACK, 2, true, &v), 0);
	assert_int_equal(cfg(C_WRITEBACK, 1), 1);
	n = fk.nlog;
	req(0, 0, T_OUT, 2, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(fk.nlog, n + 1);
	assert_int_equal(used_idx(&dv, 0), 4);

	/* A reset brings writeback back. */
	cfg_wr8(C_WRITEBACK, 0);
	drv_start(1, F_ALL);
	assert_int_equal(cfg(C_WRITEBACK, 1), 1);

	/* Without CONFIG_WCE negotiated, the field cannot be written. */
	drv_start(1, F_ALL & ~F_CONFIG_WCE);
	cfg_wr8(C_WRITEBACK, 0);
	assert_int_equal(cfg(C_WRITEBACK, 1), 1);
	n = fk.nlog;
	req(0, 0, T_OUT, 2, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(fk.nlog, n + 1);
	assert_int_equal(used_idx(&dv, 0), 1);

	/* A driver without FLUSH cannot flush: its writes must be stable when
	 * they complete ([VIRTIO] 5.2.6.2), and with CONFIG_WCE the field reads
	 * 0 ([VIRTIO] 5.2.5.2). */
	drv_start(1, F_ALL & ~F_FLUSH);
	assert_int_equal(cfg(C_WRITEBACK, 1), 0);
	n = fk.nlog;
	req(0, 0, T_OUT, 2, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(fk.nlog, n + 2);
	assert_int_equal(fk.log[n + 1].op, BLK_FLUSH);
	assert_int_equal(used_idx(&dv, 0), 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 1);
	drv_start(1, F_V1);
	n = fk.nlog;
	req(0, 0, T_OUT, 2, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(fk.log[n + 1].op, BLK_FLUSH);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 1);
}

/* proves: BLK-2 */
static void test_flush_request(void **state)
{
	struct vblk_params p = params(&fk.bd);
	(void)state;

	dev_init(&p);
	drv_start(1, F_ALL);
	/* Nothing written yet: nothing to make durable, answered at once
	 * without loading the (maybe shared) device. */
	req(0, 0, T_FLUSH, 0, 0);
	kick(&dv, 0);
	assert_int_equal(fk.nlog, 0);
	assert_int_equal(used_idx(&dv, 0), 1);
	assert_int_equal(status(0), ST_OK);
	/* After a completed write, FLUSH reaches the backend and completes
	 * only once the backend's flush has. */
	req(0, 0, T_OUT, 3, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 2);
	req(0, 0, T_FLUSH, 12345, 0); /* the sector field means nothing */
	kick(&dv, 0);
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(fk.log[1].op, BLK_FLUSH);
	assert_int_equal(used_idx(&dv, 0), 2); /* complete only once the backend is */
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 3);
	assert_int_equal(used_len(&dv, 0, 2), 1);
	assert_int_equal(status(0), ST_OK);
	/* Covered: the next FLUSH has nothing to do. */
	req(0, 0, T_FLUSH, 0, 0);
	kick(&dv, 0);
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(used_idx(&dv, 0), 4);
	/* A failed device flush fails the FLUSH, and the writes stay
	 * uncovered: the next FLUSH goes to the device again. */
	req(0, 0, T_OUT, 3, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	req(0, 0, T_FLUSH, 0, 0);
	kick(&dv, 0);
	fk_complete(0, BLK_IOERR);
	assert_int_equal(status(0), ST_IOERR);
	req(0, 0, T_FLUSH, 0, 0);
	kick(&dv, 0);
	assert_int_equal(fk.log[fk.nlog - 1].op, BLK_FLUSH);
	fk_complete(0, BLK_OK);
	assert_int_equal(status(0), ST_OK);

	/* A read-only disk has written nothing: FLUSH never reaches the device. */
	p.read_only = true;
	fk_init();
	dev_init(&p);
	drv_start(1, F_ALL);
	assert_int_equal(one(T_FLUSH, 0, 0, NULL), ST_OK);
	assert_int_equal(fk.nlog, 0);

	/* A backend with no volatile cache (the RAM disk): done at once. */
	p = params(&ramdev);
	dev_init(&p);
	drv_start(1, F_ALL);
	assert_int_equal(one(T_FLUSH, 0, 0, NULL), ST_OK);
}

/* FLUSH economy: a guest FLUSH reaches the device only when there is
 * something to make durable that no completed device flush covers. With
 * nothing written since a device flush completed, FLUSHes are answered at
 * once; but while a device flush is still in flight, a new FLUSH is not
 * answered before a flush of its own has completed (the one in flight may
 * yet fail), so it goes to the device.
 * proves: BLK-2 */
static void test_flush_only_when_needed(void **state)
{
	struct vblk_params p = params(&fk.bd);
	uint16_t ha, hb;
	unsigned n;
	(void)state;

	dev_init(&p);
	drv_start(1, F_ALL);
	/* A write, covered by a completed device flush. */
	req(0, 0, T_OUT, 3, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	req(0, 1, T_FLUSH, 0, 0);
	kick(&dv, 0);
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(fk.log[1].op, BLK_FLUSH);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 2);
	/* Two FLUSHes with a read between them: nothing new to make durable,
	 * both answered at once, only the read reaches the device. */
	ha = req(0, 2, T_FLUSH, 0, 0);
	req(0, 3, T_IN, 3, 512);
	hb = req(0, 4, T_FLUSH, 0, 0);
	kick(&dv, 0);
	assert_int_equal(fk.nlog, 3);
	assert_int_equal(fk.log[2].op, BLK_READ);
	assert_int_equal(used_idx(&dv, 0), 4);
	assert_int_equal(used_id(&dv, 0, 2), ha);
	assert_int_equal(used_id(&dv, 0, 3), hb);
	assert_int_equal(status(2), ST_OK);
	assert_int_equal(status(4), ST_OK);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 5);

	/* A new write; FLUSH A goes to the device. Nothing is written while it
	 * is in flight, yet FLUSH B is not answered early: it goes to the
	 * device too, and each completes with its own device flush. */
	req(0, 0, T_OUT, 4, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	n = fk.nlog;
	ha = req(0, 1, T_FLUSH, 0, 0);
	kick(&dv, 0);
	assert_int_equal(fk.nlog, n + 1);
	assert_int_equal(fk.log[n].op, BLK_FLUSH);
	hb = req(0, 2, T_FLUSH, 0, 0);
	kick(&dv, 0);
	assert_int_equal(fk.nlog, n + 2);
	assert_int_equal(fk.log[n + 1].op, BLK_FLUSH);
	assert_int_equal(fk.npend, 2);
	assert_int_equal(used_idx(&dv, 0), 6);
	assert_int_equal(status(2), 0xee);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 7);
	assert_int_equal(used_id(&dv, 0, 6), ha);
	assert_int_equal(status(1), ST_OK);
	assert_int_equal(status(2), 0xee); /* B waits for its own */
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 8);
	assert_int_equal(used_id(&dv, 0, 7), hb);
	assert_int_equal(status(2), ST_OK);
	/* Both done: the next FLUSH has nothing to do. */
	req(0, 3, T_FLUSH, 0, 0);
	kick(&dv, 0);
	assert_int_equal(fk.nlog, n + 2);
	assert_int_equal(used_idx(&dv, 0), 9);

	/* Why B must not be answered early: the flush in flight fails. A
	 * reports the failure, B its own device flush's success. */
	req(0, 0, T_OUT, 5, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	n = fk.nlog;
	req(0, 1, T_FLUSH, 0, 0);
	req(0, 2, T_FLUSH, 0, 0);
	kick(&dv, 0);
	assert_int_equal(fk.nlog, n + 2);
	assert_int_equal(fk.log[n + 1].op, BLK_FLUSH);
	fk_complete(0, BLK_IOERR);
	assert_int_equal(status(1), ST_IOERR);
	assert_int_equal(status(2), 0xee);
	fk_complete(0, BLK_OK);
	assert_int_equal(status(2), ST_OK);
	assert_int_equal(used_idx(&dv, 0), 12);
	assert_int_equal(vb.inflight, 0);
}

/* ================= request slots ================= */

/* More requests than slots: the rest wait in the ring and are taken as
 * slots free up; nothing is lost or completed twice.
 * proves: BLK-1 */
static void test_slots(void **state)
{
	struct vblk_params p = params(&fk.bd);
	bool seen[QS] = { false };
	const unsigned N = 12;
	(void)state;

	dev_init(&p);
	drv_start(1, F_ALL);
	for (unsigned i = 0; i < N; i++)
		req(0, i, T_IN, i, 512);
	kick(&dv, 0);
	assert_int_equal(fk.npend, VBLK_INFLIGHT);
	assert_int_equal(used_idx(&dv, 0), 0);
	fk_complete(3, BLK_OK); /* out of order */
	assert_int_equal(used_idx(&dv, 0), 1);
	assert_int_equal(used_id(&dv, 0, 0), 9);
	assert_int_equal(fk.npend, VBLK_INFLIGHT); /* a waiting one took the slot */
	while (fk.npend)
		fk_complete(fk.npend - 1, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), N);
	for (unsigned i = 0; i < N; i++) {
		uint32_t id = used_id(&dv, 0, i);
		assert_true(id % 3 == 0 && id / 3 < N);
		assert_false(seen[id]);
		seen[id] = true;
		assert_int_equal(used_len(&dv, 0, i), 513);
		assert_int_equal(status(id / 3), ST_OK);
		assert_memory_equal(gp(BUF(id / 3)), dsect(WSTART + id / 3), 512);
	}
	assert_int_equal(fk.nlog, N);
	assert_int_equal(vb.inflight, 0);

	/* Fewer slots granted: fewer at the backend; two queues share them. */
	p.inflight = 2;
	p.nqueues = 2;
	dev_init(&p);
	drv_start(2, F_ALL);
	for (unsigned i = 0; i < 5; i++)
		req(0, i, T_IN, i, 512);
	for (unsigned i = 5; i < 10; i++) /* own slots: own headers and buffers */
		req(1, i, T_OUT, 5 + i, 512);
	kick(&dv, 0);
	kick(&dv, 1);
	assert_int_equal(fk.npend, 2);
	while (fk.npend) {
		assert_true(fk.npend <= 2);
		fk_complete(0, BLK_OK);
	}
	assert_int_equal(used_idx(&dv, 0), 5);
	assert_int_equal(used_idx(&dv, 1), 5);
	assert_int_equal(vb.inflight, 0);
	/* Requests of queue 1 landed. */
	for (unsigned i = 5; i < 10; i++)
		assert_memory_equal(dsect(WSTART + 5 + i), gp(BUF(i)), 512);
	for (unsigned i = 0; i < 5; i++)
		assert_memory_equal(gp(BUF(i)), dsect(WSTART + i), 512);
}

/* ================= reset and quiesce ================= */

/* proves: BLK-1, BLK-2 */
static void test_reset_orphans_request(void **state)
{
	struct vblk_params p = params(&fk.bd);
	(void)state;

	dev_init(&p);
	drv_start(1, F_ALL);
	fill_pattern(gp(BUF(0)), 512, 8);
	req(0, 0, T_OUT, 7, 512);
	kick(&dv, 0);
	assert_int_equal(fk.npend, 1);
	snapshot_ram();
	/* Reset while it is at the backend: the reset waits for it (polling
	 * the backend), so the device no longer touches guest memory once
	 * Status reads 0 ([VIRTIO] 2.4). */
	wr(&vb.dev, STATUS, 0);
	assert_int_equal(rd(&vb.dev, STATUS), 0);
	assert_int_equal(fk.npend, 0);
	assert_true(fk.polls > 0);
	/* The used ring, the status byte: untouched. */
	assert_true(ram_unchanged());
	assert_false(level);
	assert_int_equal(vb.inflight, 0);
	/* The write itself was done, and quiesce makes it durable. */
	assert_memory_equal(dsect(WSTART + 7), gp(BUF(0)), 512);
	virtio_blk_quiesce(&vb);
	assert_int_equal(fk.syncs, 1);

	/* The device works again after the reset, from a fresh ring. */
	drv_start(1, F_ALL);
	uint16_t head = req(0, 1, T_IN, 7, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 1);
	assert_int_equal(used_id(&dv, 0, 0), head);
	assert_memory_equal(gp(BUF(1)), dsect(WSTART + 7), 512);

	/* Reliable: the orphan's flush is not sent, quiesce syncs instead; and a
	 * reset between a write and its flush leaves no trace either. */
	p.reliable = true;
	fk_init();
	dev_init(&p);
	drv_start(1, F_ALL);
	req(0, 0, T_OUT, 7, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(fk.log[1].op, BLK_FLUSH);
	snapshot_ram();
	drv_start(1, F_ALL); /* reset while the flush is pending: drained */
	assert_int_equal(fk.npend, 0);
	assert_int_equal(vb.inflight, 0);
	req(0, 0, T_OUT, 7, 512);
	kick(&dv, 0);
	snapshot_ram();
	wr(&vb.dev, STATUS, 0);
	assert_int_equal(fk.npend, 0);
	assert_int_equal(fk.nlog, 3); /* no flush for the orphan */
	assert_true(ram_unchanged());
	virtio_blk_quiesce(&vb);
	assert_int_equal(fk.syncs, 1);
}

/* As a partition stops or restarts: quiesce, then the device reset.
 * proves: BLK-2 */
static void test_quiesce(void **state)
{
	struct vblk_params p = params(&fk.bd);
	(void)state;

	dev_init(&p);
	drv_start(1, F_ALL);
	/* Nothing done: no sync, no poll. */
	virtio_blk_quiesce(&vb);
	assert_int_equal(fk.syncs, 0);
	assert_int_equal(fk.polls, 0);
	/* Reads only: no sync. */
	drv_start(1, F_ALL);
	req(0, 0, T_IN, 0, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	virtio_blk_quiesce(&vb);
	assert_int_equal(fk.syncs, 0);
	/* A completed write: one sync, then none. */
	drv_start(1, F_ALL);
	req(0, 0, T_OUT, 0, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	virtio_blk_quiesce(&vb);
	assert_int_equal(fk.syncs, 1);
	virtio_blk_quiesce(&vb);
	assert_int_equal(fk.syncs, 1);
	/* A write the driver flushed itself: no sync. */
	drv_start(1, F_ALL);
	req(0, 0, T_OUT, 0, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	req(0, 1, T_FLUSH, 0, 0);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	virtio_blk_quiesce(&vb);
	assert_int_equal(fk.syncs, 1);
	/* A discard counts as a write. */
	drv_start(1, F_ALL);
	req_ranges(0, 0, T_DISCARD, &(struct blk_range){ 0, 1, 0 }, 1);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	virtio_blk_quiesce(&vb);
	assert_int_equal(fk.syncs, 2);
	/* A write that completed before a flush that is still at the backend
	 * when quiesce starts: that flush covers it, no sync. */
	drv_start(1, F_ALL);
	req(0, 0, T_OUT, 0, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	req(0, 1, T_FLUSH, 0, 0);
	kick(&dv, 0);
	assert_int_equal(fk.npend, 1);
	virtio_blk_quiesce(&vb);
	assert_int_equal(fk.npend, 0);
	assert_int_equal(fk.syncs, 2);
	/* But a flush that failed covered nothing: quiesce syncs. */
	drv_start(1, F_ALL);
	req(0, 0, T_OUT, 0, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	req(0, 1, T_FLUSH, 0, 0);
	kick(&dv, 0);
	fk_complete(0, BLK_IOERR);
	assert_int_equal(status(1), ST_IOERR);
	virtio_blk_quiesce(&vb);
	assert_int_equal(fk.syncs, 3);

	/* Requests at the backend: quiesce polls until none is in flight,
	 * then syncs the writes among them. */
	drv_start(1, F_ALL);
	req(0, 0, T_OUT, 1, 512);
	req(0, 1, T_IN, 2, 512);
	req(0, 2, T_OUT, 3, 512);
	kick(&dv, 0);
	assert_int_equal(fk.npend, 3);
	fk.polls = 0;
	virtio_blk_quiesce(&vb);
	assert_int_equal(fk.npend, 0);
	assert_int_equal(vb.inflight, 0);
	assert_int_equal(fk.polls, 3);
	assert_int_equal(fk.syncs, 4);
	assert_int_equal(used_idx(&dv, 0), 3);

	/* More requests than slots: those waiting for a slot are not started
	 * by the stopping partition's quiesce; the reset drops them. */
	drv_start(1, F_ALL);
	for (unsigned i = 0; i < VBLK_INFLIGHT + 2; i++)
		req(0, i, T_IN, i, 512);
	kick(&dv, 0);
	assert_int_equal(fk.npend, VBLK_INFLIGHT);
	unsigned n = fk.nlog;
	virtio_blk_quiesce(&vb);
	assert_int_equal(fk.nlog, n);
	assert_int_equal(fk.npend, 0);
	assert_int_equal(vb.inflight, 0);
	assert_int_equal(used_idx(&dv, 0), VBLK_INFLIGHT);
	/* Nor anything the guest posts after it. */
	req(0, 12, T_OUT, 9, 512);
	kick(&dv, 0);
	assert_int_equal(fk.nlog, n);
	drv_start(1, F_ALL);
	assert_int_equal(fk.nlog, n);
	req(0, 0, T_IN, 0, 512);
	kick(&dv, 0);
	assert_int_equal(fk.nlog, n + 1);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 1);

	/* Reliable: writes are flushed as they go; quiesce has nothing to sync. */
	p.reliable = true;
	fk_init();
	dev_init(&p);
	drv_start(1, F_ALL);
	req(0, 0, T_OUT, 1, 512);
	kick(&dv, 0);
	virtio_blk_quiesce(&vb); /* polls the write, then its flush */
	assert_int_equal(fk.polls, 2);
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(fk.log[1].op, BLK_FLUSH);
	assert_int_equal(used_idx(&dv, 0), 1);
	assert_int_equal(fk.syncs, 0);

	/* A write-through normal disk likewise. */
	p.reliable = false;
	fk_init();
	dev_init(&p);
	drv_start(1, F_ALL);
	cfg_wr8(C_WRITEBACK, 0);
	req(0, 0, T_OUT, 1, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	fk_complete(0, BLK_OK);
	virtio_blk_quiesce(&vb);
	assert_int_equal(fk.syncs, 0);
}

/* ============ a driver that reconfigures, a backend that misbehaves ============ */

/* The driver disables queue 0 while one of its requests is at the backend
 * and, with no reset, sets a new size ([VIRTIO] 4.2.2: QueueNum is
 * writable again once QueueReady reads 0). The used ring ends at the very
 * end of guest RAM and the device has used 100 entries of it: through the
 * old ring and the new size, the late completion's entry would land 284
 * bytes past the end of guest RAM. It goes nowhere: no byte written
 * anywhere, no interrupt, the slot freed, and the device serves again
 * after a reset.
 * proves: BLK-1, PLATFORM-5 */
static void test_queue_resized_under_request(void **state)
{
	struct vblk_params p = params(&fk.bd);
	const uint64_t used = RAM_IPA + RAM_SIZE - ((6 + 8 * QS + 3) & ~3ULL);
	uint16_t h;
	(void)state;

	dev_init(&p);
	wr(&vb.dev, STATUS, 0);
	drv_features(&vb.dev, F_ALL);
	memset(gp(desc_ipa(&dv, 0)), 0, 0x3000);
	memset(gp(used), 0, RAM_IPA + RAM_SIZE - used);
	queue_at(&vb.dev, 0, QS, desc_ipa(&dv, 0), avail_ipa(&dv, 0), used);
	assert_int_equal(rd(&vb.dev, QUEUE_READY), 1);
	drv_ok(&vb.dev);
	assert_int_equal(rd(&vb.dev, STATUS), S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	for (unsigned i = 0; i < 100; i++) {
		req(0, 0, T_IN, 0, 512);
		kick(&dv, 0);
		fk_complete(0, BLK_OK);
	}
	assert_int_equal(ring_idx(used), 100);
	fill_pattern(gp(BUF(1)), 512, 31);
	req(0, 1, T_OUT, 4, 512);
	kick(&dv, 0);
	assert_int_equal(fk.npend, 1);
	wr(&vb.dev, QUEUE_SEL, 0);
	wr(&vb.dev, QUEUE_READY, 0);
	assert_int_equal(rd(&vb.dev, QUEUE_READY), 0);
	wr(&vb.dev, QUEUE_NUM, 0xffff);
	wr(&vb.dev, INT_ACK, 1);
	assert_false(level);
	snapshot_ram();
	fk_complete(0, BLK_OK); /* the completion interrupt */
	assert_int_equal(guard_bytes_written(), 0);
	assert_true(ram_unchanged()); /* neither the used ring nor the status byte */
	assert_int_equal(ring_idx(used), 100);
	assert_false(level);
	assert_int_equal(vb.inflight, 0);
	/* The write itself was done. */
	assert_memory_equal(dsect(WSTART + 4), gp(BUF(1)), 512);

	/* The device works again after a reset. */
	drv_start(1, F_ALL);
	h = req(0, 2, T_IN, 4, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 1);
	assert_int_equal(used_id(&dv, 0, 0), h);
	assert_int_equal(status(2), ST_OK);
	assert_memory_equal(gp(BUF(2)), dsect(WSTART + 4), 512);
	assert_int_equal(guard_bytes_written(), 0);
}

/* The driver disables the queue under a request at the backend, moves its
 * used ring outside guest RAM and enables it again: refused (NEEDS_RESET),
 * so the queue has no used ring at all. The late completion writes
 * nothing and does not bring the hypervisor down; a reset recovers.
 * proves: BLK-1, PLATFORM-5 */
static void test_queue_moved_outside_ram_under_request(void **state)
{
	struct vblk_params p = params(&fk.bd);
	uint16_t h;
	(void)state;

	dev_init(&p);
	drv_start(1, F_ALL);
	req(0, 1, T_OUT, 5, 512);
	kick(&dv, 0);
	assert_int_equal(fk.npend, 1);
	wr(&vb.dev, QUEUE_SEL, 0);
	wr(&vb.dev, QUEUE_READY, 0);
	wr(&vb.dev, QUEUE_DEVICE_LO, 0x1000); /* not guest RAM */
	wr(&vb.dev, QUEUE_DEVICE_HI, 0);
	wr(&vb.dev, QUEUE_READY, 1);
	assert_int_equal(rd(&vb.dev, QUEUE_READY), 0);
	assert_true(rd(&vb.dev, STATUS) & S_NEEDS_RESET);
	snapshot_ram();
	fk_complete(0, BLK_OK);
	assert_int_equal(guard_bytes_written(), 0);
	assert_true(ram_unchanged());
	assert_int_equal(vb.inflight, 0);

	drv_start(1, F_ALL);
	h = req(0, 2, T_IN, 5, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 1);
	assert_int_equal(used_id(&dv, 0, 0), h);
	assert_memory_equal(gp(BUF(2)), dsect(WSTART + 5), 512);
}

/* The driver disables the queue under a request at the backend and enables
 * it again at a new, valid ring (laid out where queue 1's would be). The
 * old request's completion belongs to the old ring: it appears in neither,
 * and its status byte is not written; the new ring serves from entry 0.
 * proves: BLK-1, PLATFORM-5 */
static void test_queue_moved_under_request(void **state)
{
	struct vblk_params p = params(&fk.bd);
	uint16_t h;
	(void)state;

	dev_init(&p);
	drv_start(1, F_ALL);
	fill_pattern(gp(BUF(1)), 512, 32);
	req(0, 1, T_OUT, 6, 512);
	kick(&dv, 0);
	assert_int_equal(fk.npend, 1);
	wr(&vb.dev, QUEUE_SEL, 0);
	wr(&vb.dev, QUEUE_READY, 0);
	memset(gp(desc_ipa(&dv, 1)), 0, 0x3000);
	queue_at(&vb.dev, 0, QS, desc_ipa(&dv, 1), avail_ipa(&dv, 1), used_ipa(&dv, 1));
	assert_int_equal(rd(&vb.dev, QUEUE_READY), 1);
	assert_int_equal(rd(&vb.dev, STATUS), S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	wr(&vb.dev, INT_ACK, 1);
	snapshot_ram();
	fk_complete(0, BLK_OK);
	assert_true(ram_unchanged()); /* neither ring, nor the status byte */
	assert_int_equal(used_idx(&dv, 0), 0);
	assert_int_equal(used_idx(&dv, 1), 0);
	assert_false(level);
	assert_int_equal(vb.inflight, 0);
	assert_memory_equal(dsect(WSTART + 6), gp(BUF(1)), 512);

	/* The new ring serves; its first entry is the new request's. */
	h = req(1, 2, T_IN, 6, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 1), 1);
	assert_int_equal(used_id(&dv, 1, 0), h);
	assert_int_equal(used_len(&dv, 1, 0), 513);
	assert_int_equal(status(2), ST_OK);
	assert_memory_equal(gp(BUF(2)), dsect(WSTART + 6), 512);
	assert_int_equal(used_idx(&dv, 0), 0);
}

/* A physical disk that fails synchronously, as a failed physical driver
 * does: every request completes at once with an error. */
static int failing_submit(struct blkdev *b, struct blk_req *r)
{
	(void)b;
	r->status = BLK_IOERR;
	return 0;
}
static const struct blkdev_ops failing_ops = { .submit = failing_submit, .poll = fk_poll,
					       .sync = fk_sync };

/* A backend that calls done() twice for one request (what a misbehaving
 * physical device, or a driver's failure path racing its completion
 * interrupt, could cause): the second call is ignored, also after another
 * request has used and freed the slot. No second used entry, no status
 * byte rewritten, no interrupt, the in-flight count does not wrap; later
 * requests, every slot of them, still work, and a reset has nothing to
 * wait for.
 * proves: BLK-1, PLATFORM-5 */
static void test_done_twice(void **state)
{
	struct vblk_params p = params(&fk.bd);
	struct blk_req *r;
	uint16_t h;
	(void)state;

	dev_init(&p);
	drv_start(1, F_ALL);
	h = req(0, 0, T_IN, 0, 512);
	kick(&dv, 0);
	r = fk.pend[0];
	fk_complete(0, BLK_IOERR);
	assert_int_equal(used_idx(&dv, 0), 1);
	assert_int_equal(used_id(&dv, 0, 0), h);
	assert_int_equal(status(0), ST_IOERR);
	assert_int_equal(vb.inflight, 0);
	wr(&vb.dev, INT_ACK, 1);
	snapshot_ram();
	r->status = BLK_OK;
	r->done(r); /* again */
	assert_int_equal(vb.inflight, 0);
	assert_int_equal(used_idx(&dv, 0), 1);
	assert_true(ram_unchanged());
	assert_false(level);

	/* The slot taken and finished by another request (the failed disk
	 * answers at once), then the stale done() once more. */
	fk.bd.ops = &failing_ops;
	h = req(0, 1, T_OUT, 1, 512);
	kick(&dv, 0);
	assert_int_equal(used_idx(&dv, 0), 2);
	assert_int_equal(used_id(&dv, 0, 1), h);
	assert_int_equal(status(1), ST_IOERR);
	wr(&vb.dev, INT_ACK, 1);
	snapshot_ram();
	r->status = BLK_OK;
	r->done(r);
	assert_int_equal(vb.inflight, 0);
	assert_int_equal(used_idx(&dv, 0), 2);
	assert_true(ram_unchanged());
	assert_false(level);

	/* Later requests: more than there are slots, each completed once. */
	fk.bd.ops = &fk_ops;
	for (unsigned i = 0; i < VBLK_INFLIGHT + 2; i++)
		req(0, i, T_IN, i, 512);
	kick(&dv, 0);
	assert_int_equal(fk.npend, VBLK_INFLIGHT);
	while (fk.npend)
		fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 2 + VBLK_INFLIGHT + 2);
	assert_int_equal(vb.inflight, 0);
	for (unsigned i = 0; i < VBLK_INFLIGHT + 2; i++) {
		assert_int_equal(used_id(&dv, 0, 2 + i), 3 * i);
		assert_int_equal(status(i), ST_OK);
		assert_memory_equal(gp(BUF(i)), dsect(WSTART + i), 512);
	}
	fk.polls = 0;
	wr(&vb.dev, STATUS, 0);
	assert_int_equal(rd(&vb.dev, STATUS), 0);
	assert_int_equal(fk.polls, 0);
}

/* A backend whose poll() plays a second vCPU of the guest: once armed,
 * the first poll (from the reset's wait) re-initialises the device the way
 * a driver that does not wait for Status to read 0 would, switches to
 * write-through and submits a request, recording what it read. */
static int other_vcpu; /* 1: armed, 2: has run */
static struct {
	bool resetting, resetting_after;
	uint32_t status, status_after, ready_after;
} seen;

static void poll_other_vcpu(struct blkdev *b)
{
	(void)b;
	if (other_vcpu == 1) {
		other_vcpu = 2;
		seen.resetting = vb.dev.resetting;
		seen.status = rd(&vb.dev, STATUS);
		wr(&vb.dev, STATUS, 0);
		drv_features(&vb.dev, F_ALL);
		queue_at(&vb.dev, 0, QS, desc_ipa(&dv, 0), avail_ipa(&dv, 0), used_ipa(&dv, 0));
		cfg_wr8(C_WRITEBACK, 0);
		drv_ok(&vb.dev);
		req(0, 1, T_IN, 1, 512);
		kick(&dv, 0);
		seen.status_after = rd(&vb.dev, STATUS);
		wr(&vb.dev, QUEUE_SEL, 0);
		seen.ready_after = rd(&vb.dev, QUEUE_READY);
		seen.resetting_after = vb.dev.resetting;
	}
	fk_poll(b);
}
static const struct blkdev_ops other_vcpu_ops = { .submit = fk_submit, .poll = poll_other_vcpu,
						  .sync = fk_sync };

/* A reset with a request at the backend waits for it with the device lock
 * dropped, so another vCPU can reach the registers meanwhile. Until the
 * reset is complete every write is ignored (Status, features, QueueSel,
 * QueueNum, the ring addresses, QueueReady, the writeback byte, a notify)
 * and Status reads ACKNOWLEDGE, not 0, so a driver waiting for the reset
 * ([VIRTIO] 2.4) keeps waiting. After it, Status reads 0, nothing of the
 * other vCPU's setup is left, and the device initialises normally.
 * proves: BLK-1, BLK-3, PLATFORM-5 */
static void test_registers_frozen_during_reset(void **state)
{
	struct vblk_params p = params(&fk.bd);
	unsigned n;
	uint16_t h;
	(void)state;

	fk.bd.ops = &other_vcpu_ops;
	other_vcpu = 0;
	memset(&seen, 0, sizeof(seen));
	dev_init(&p);
	drv_start(1, F_ALL);
	req(0, 0, T_IN, 0, 512);
	kick(&dv, 0);
	assert_int_equal(fk.npend, 1);
	n = fk.nlog;
	other_vcpu = 1;
	wr(&vb.dev, STATUS, 0);
	assert_int_equal(other_vcpu, 2); /* it ran inside the reset */
	assert_true(seen.resetting);
	assert_int_equal(seen.status, S_ACK);
	assert_int_equal(seen.status_after, S_ACK);
	assert_int_equal(seen.ready_after, 0);
	assert_true(seen.resetting_after);
	assert_false(vb.dev.resetting);

	/* The reset is complete: nothing of the other vCPU's setup survived,
	 * its request never reached the backend, the orphan has no entry. */
	assert_int_equal(rd(&vb.dev, STATUS), 0);
	assert_int_equal(vb.dev.driver_features, 0);
	wr(&vb.dev, QUEUE_SEL, 0);
	assert_int_equal(rd(&vb.dev, QUEUE_READY), 0);
	assert_int_equal(vb.dev.vq[0].num, 0);
	assert_int_equal(vb.dev.vq[0].used, 0);
	assert_int_equal(cfg(C_WRITEBACK, 1), 1); /* writeback after a reset */
	assert_int_equal(fk.nlog, n);
	assert_int_equal(fk.npend, 0);
	assert_int_equal(vb.inflight, 0);
	assert_int_equal(used_idx(&dv, 0), 0);

	/* Initialised normally, write-through now taken: a write is followed
	 * by a FLUSH before it completes. */
	drv_start(1, F_ALL);
	cfg_wr8(C_WRITEBACK, 0);
	assert_int_equal(cfg(C_WRITEBACK, 1), 0);
	h = req(0, 2, T_OUT, 2, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(fk.log[fk.nlog - 1].op, BLK_FLUSH);
	assert_int_equal(used_idx(&dv, 0), 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 1);
	assert_int_equal(used_id(&dv, 0, 0), h);
	assert_int_equal(status(2), ST_OK);
	assert_int_equal(other_vcpu, 2);
}

/* ================= limits ================= */

/* No more data segments than seg_max offers: a backend that takes fewer
 * than VBLK_SEG_MAX never sees more than it takes.
 * proves: BLK-1, BLK-6 */
static void test_seg_max(void **state)
{
	struct vblk_params p = params(&fk.bd);
	struct bseg s[8];
	(void)state;

	fk.bd.seg_max = 4;
	dev_init(&p);
	drv_start(1, F_ALL);
	assert_int_equal(cfg(C_SEG_MAX, 4), 4);
	for (unsigned n = 4; n <= 5; n++) {
		s[0] = (struct bseg){ HDR(0), 16, false };
		for (unsigned i = 0; i < n; i++)
			s[1 + i] = (struct bseg){ BUF(i), 512, false };
		s[1 + n] = (struct bseg){ ST(0), 1, true };
		put_hdr(HDR(0), T_OUT, 0);
		*(uint8_t *)gp(ST(0)) = 0xee;
		chain(0, 0, s, n + 2);
		kick(&dv, 0);
		if (n == 4) {
			assert_int_equal(fk.nlog, 1);
			assert_int_equal(fk.log[0].nseg, 4);
			fk_complete(0, BLK_OK);
			assert_int_equal(status(0), ST_OK);
		} else {
			assert_int_equal(fk.nlog, 1);
			assert_int_equal(status(0), ST_IOERR);
		}
	}
	/* Reads alike. */
	s[0] = (struct bseg){ HDR(0), 16, false };
	for (unsigned i = 0; i < 5; i++)
		s[1 + i] = (struct bseg){ BUF(i), 512, true };
	s[6] = (struct bseg){ ST(0), 1, true };
	put_hdr(HDR(0), T_IN, 0);
	chain(0, 0, s, 7);
	kick(&dv, 0);
	assert_int_equal(status(0), ST_IOERR);
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(used_idx(&dv, 0), 3);
}

/* The whole seg_max: 254 data buffers in one indirect table (header and
 * status make 256 entries, the longest table taken) are one request, the
 * backend sees them as they are, and the data lands where it belongs, both
 * ways. One more data buffer (the status in the last, so still 256
 * entries) is refused with IOERR and touches nothing.
 * proves: BLK-1, BLK-6 */
#define ITAB_IPA (RAM_IPA + 0x50000)
#define SEGDATA(k) (BUF(0) + 0x100ULL * (k)) /* 128 bytes used of each 256 */
static void long_chain(uint32_t type, unsigned nbuf, uint32_t last, bool status_apart)
{
	struct virtq_desc *t = gp(ITAB_IPA);
	unsigned n = 0;
	bool w = type == T_IN;

	put_hdr(HDR(0), type, 0);
	*(uint8_t *)gp(ST(0)) = 0xee;
	set_desc(t, n, HDR(0), 16, D_NEXT, (uint16_t)(n + 1));
	n++;
	for (unsigned k = 0; k < nbuf; k++, n++)
		set_desc(t, n, SEGDATA(k), k + 1 < nbuf ? 128 : last,
			 (uint16_t)((w ? D_WRITE : 0) | (k + 1 < nbuf || status_apart ? D_NEXT : 0)),
			 (uint16_t)(n + 1));
	if (status_apart) {
		set_desc(t, n, ST(0), 1, D_WRITE, 0);
		n++;
	}
	setd(&dv, 0, 0, ITAB_IPA, 16 * n, D_INDIRECT, 0);
	post(&dv, 0, 0);
	kick(&dv, 0);
}

static void test_seg_max_full(void **state)
{
	struct vblk_params p = params(&fk.bd);
	uint8_t pat[WSECT * 512];
	(void)state;

	fk.bd.seg_max = BLK_MAX_SEGS;
	dev_init(&p);
	drv_start(1, F_ALL | F_INDIRECT);
	assert_int_equal(cfg(C_SEG_MAX, 4), 254);
	assert_int_equal(VBLK_SEG_MAX, 254);
	/* WRITE: 253 buffers of 128 bytes and one of 384, the whole window. */
	fill_pattern(pat, sizeof(pat), 11);
	for (unsigned k = 0; k < 254; k++)
		memcpy(gp(SEGDATA(k)), pat + 128 * k, k < 253 ? 128 : 384);
	long_chain(T_OUT, 254, 384, true);
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(fk.log[0].nseg, 254);
	assert_int_equal(fk.log[0].bytes, sizeof(pat));
	assert_int_equal(fk.pend[0]->seg[0].p, gp(SEGDATA(0)));
	assert_int_equal(fk.pend[0]->seg[253].p, gp(SEGDATA(253)));
	fk_complete(0, BLK_OK);
	assert_int_equal(status(0), ST_OK);
	assert_memory_equal(dsect(WSTART), pat, sizeof(pat));
	/* READ it back the same way. */
	for (unsigned k = 0; k < 254; k++)
		memset(gp(SEGDATA(k)), 0, 384);
	long_chain(T_IN, 254, 384, true);
	assert_int_equal(fk.log[1].nseg, 254);
	fk_complete(0, BLK_OK);
	assert_int_equal(status(0), ST_OK);
	assert_int_equal(used_len(&dv, 0, 1), sizeof(pat) + 1);
	for (unsigned k = 0; k < 254; k++)
		assert_memory_equal(gp(SEGDATA(k)), pat + 128 * k, k < 253 ? 128 : 384);
	/* 255 data buffers, the status byte in the last: refused, no data
	 * written. */
	long_chain(T_IN, 255, 256 + 1, false);
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(used_idx(&dv, 0), 3);
	assert_int_equal(used_len(&dv, 0, 2), 1);
	assert_int_equal(*(uint8_t *)gp(SEGDATA(254) + 256), ST_IOERR);
	assert_false(rd(&vb.dev, STATUS) & 64);
	for (unsigned k = 0; k < 254; k++)
		assert_memory_equal(gp(SEGDATA(k)), pat + 128 * k, k < 253 ? 128 : 384);
}

/* No data buffer larger than size_max offers: a backend that takes less
 * than VBLK_SIZE_MAX per segment never sees a longer one, whether the
 * buffer is data alone, header and data, or data and status.
 * proves: BLK-1, BLK-6 */
static void test_size_max(void **state)
{
	struct vblk_params p = params(&fk.bd);
	(void)state;

	fk.bd.size_max = 1024;
	dev_init(&p);
	drv_start(1, F_ALL);
	assert_int_equal(cfg(C_SIZE_MAX, 4), 1024);
	/* 1024 bytes in one buffer: taken; 1536: refused. */
	req(0, 0, T_OUT, 0, 1024);
	kick(&dv, 0);
	assert_int_equal(fk.nlog, 1);
	fk_complete(0, BLK_OK);
	assert_int_equal(status(0), ST_OK);
	req(0, 0, T_IN, 0, 1536);
	kick(&dv, 0);
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(status(0), ST_IOERR);
	/* Header and 1536 bytes of data in one readable buffer: refused. */
	put_hdr(BUF(5), T_OUT, 4);
	*(uint8_t *)gp(ST(0)) = 0xee;
	chain(0, 0, (struct bseg[]){ { BUF(5), 16 + 1536, false }, { ST(0), 1, true } }, 2);
	kick(&dv, 0);
	assert_int_equal(fk.nlog, 1);
	assert_int_equal(status(0), ST_IOERR);
	/* 1024 data bytes and the status in one writable buffer: taken, as
	 * 1024 bytes. */
	put_hdr(HDR(0), T_IN, 4);
	chain(0, 0, (struct bseg[]){ { HDR(0), 16, false }, { BUF(6), 1024 + 1, true } }, 2);
	kick(&dv, 0);
	assert_int_equal(fk.nlog, 2);
	assert_int_equal(fk.log[1].nseg, 1);
	assert_int_equal(fk.log[1].bytes, 1024);
	fk_complete(0, BLK_OK);
	assert_int_equal(*(uint8_t *)gp(BUF(6) + 1024), ST_OK);
	assert_int_equal(used_idx(&dv, 0), 4);
}

/* The RAM disk's own bounds: a request past its end (including one whose
 * byte offset wraps in 64 bits) fails and touches nothing.
 * proves: BLK-6 */
static void test_ram_backend_bounds(void **state)
{
	static uint8_t buf[1024];
	static const struct dma_seg seg = { buf, 1024 };
	struct blk_req r;
	uint64_t sum = checksum(disk, DISK_BYTES);
	static const uint64_t bad[] = { DISK_SECTORS, DISK_SECTORS - 1, 1ULL << 55,
					(1ULL << 55) + 1, UINT64_MAX / 512 + 1, UINT64_MAX };
	(void)state;

	for (int op = BLK_READ; op <= BLK_WRITE; op++)
		for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
			memset(buf, 0x3c, sizeof(buf));
			r = (struct blk_req){ .op = (uint8_t)op, .sector = bad[i], .nseg = 1,
					      .seg = &seg, .status = 0xee };
			assert_int_equal(ramdev.ops->submit(&ramdev, &r), 0);
			assert_int_equal(r.status, BLK_IOERR);
			assert_int_equal(checksum(disk, DISK_BYTES), sum);
			for (size_t k = 0; k < sizeof(buf); k++)
				assert_int_equal(buf[k], 0x3c);
		}
	for (int op = BLK_DISCARD; op <= BLK_WRITE_ZEROES; op++)
		for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
			r = (struct blk_req){ .op = (uint8_t)op, .nrange = 1,
					      .range = { { bad[i], 2, 0 } } };
			assert_int_equal(ramdev.ops->submit(&ramdev, &r), 0);
			assert_int_equal(r.status, BLK_IOERR);
			assert_int_equal(checksum(disk, DISK_BYTES), sum);
		}
	/* The last two sectors are fine. */
	r = (struct blk_req){ .op = BLK_READ, .sector = DISK_SECTORS - 2, .nseg = 1,
			      .seg = &seg };
	assert_int_equal(ramdev.ops->submit(&ramdev, &r), 0);
	assert_int_equal(r.status, BLK_OK);
	assert_memory_equal(buf, dsect(DISK_SECTORS - 2), 1024);
	r.op = 99;
	assert_int_equal(ramdev.ops->submit(&ramdev, &r), 0);
	assert_int_equal(r.status, BLK_UNSUPP);
	assert_int_equal(ramdev.sectors, DISK_SECTORS);
	assert_false(ramdev.can_flush);
}

/* Queues: one per vCPU; the one past the last does not exist.
 * proves: BLK-1 */
static void test_multiqueue(void **state)
{
	struct vblk_params p = params(&ramdev);
	(void)state;

	p.nqueues = 3;
	dev_init(&p);
	assert_int_equal(cfg(C_NUM_QUEUES, 2), 3);
	wr(&vb.dev, QUEUE_SEL, 2);
	assert_int_equal(rd(&vb.dev, QUEUE_NUM_MAX), VQ_MAX_SIZE);
	wr(&vb.dev, QUEUE_SEL, 3);
	assert_int_equal(rd(&vb.dev, QUEUE_NUM_MAX), 0);
	drv_start(3, F_ALL);
	fill_pattern(gp(BUF(0)), 512, 21);
	req(2, 0, T_OUT, 5, 512);
	kick(&dv, 2);
	assert_int_equal(used_idx(&dv, 2), 1);
	assert_int_equal(used_idx(&dv, 0), 0);
	assert_int_equal(status(0), ST_OK);
	assert_memory_equal(dsect(WSTART + 5), gp(BUF(0)), 512);
	wr(&vb.dev, QUEUE_NOTIFY, 3); /* ignored */
	assert_false(rd(&vb.dev, STATUS) & S_NEEDS_RESET);
}

/* Requests at the backend keep host pointers into guest RAM: they pin the
 * device's DMA space, so a change of its mapping is refused until the last
 * one completes (or a reset has drained them); requests answered without
 * the backend pin nothing past their trap.
 * proves: PLATFORM-5 */
static void test_requests_pin_dma_space(void **state)
{
	struct vblk_params p = params(&fk.bd);
	struct dma_range same = { RAM_IPA, RAM_SIZE, ram, DMA_BIDIR };
	uint32_t gen;
	(void)state;

	dev_init(&p);
	drv_start(1, F_ALL);
	gen = vb.dev.dma.gen;
	assert_int_equal(vb.dev.dma.pins, 0);
	req(0, 0, T_IN, 3, 512);
	fill_pattern(gp(BUF(1)), 512, 9);
	req(0, 1, T_OUT, 4, 512);
	kick(&dv, 0);
	assert_int_equal(fk.npend, 2);
	assert_int_equal(vb.dev.dma.pins, 2);
	assert_int_equal(dma_space_update(&vb.dev.dma, &same, 1), DMA_EBUSY);
	req(0, 2, T_GET_ID, 0, 20);
	kick(&dv, 0);
	assert_int_equal(used_idx(&dv, 0), 1);
	assert_int_equal(vb.dev.dma.pins, 2);
	fk_complete(0, BLK_OK);
	assert_int_equal(vb.dev.dma.pins, 1);
	assert_int_equal(dma_space_update(&vb.dev.dma, &same, 1), DMA_EBUSY);
	assert_int_equal(vb.dev.dma.gen, gen);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 3);
	assert_int_equal(status(0), ST_OK);
	assert_int_equal(status(1), ST_OK);
	assert_int_equal(vb.dev.dma.pins, 0);
	assert_int_equal(dma_space_update(&vb.dev.dma, &same, 1), 0);
	assert_int_equal(vb.dev.dma.gen, gen + 1);
	/* The queue goes on under the new generation. */
	req(0, 0, T_IN, 4, 512);
	kick(&dv, 0);
	fk_complete(0, BLK_OK);
	assert_int_equal(used_idx(&dv, 0), 4);
	assert_memory_equal(gp(BUF(0)), dsect(WSTART + 4), 512);
	/* A reset drains what is at the backend, and the pins with it. */
	req(0, 1, T_OUT, 5, 512);
	kick(&dv, 0);
	assert_int_equal(vb.dev.dma.pins, 1);
	wr(&vb.dev, STATUS, 0);
	assert_int_equal(vb.dev.dma.pins, 0);
	assert_int_equal(dma_space_update(&vb.dev.dma, &same, 1), 0);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_features_offered),
		T(test_config_space),
		T(test_read_write_window),
		T(test_split_and_merged_buffers),
		T(test_outside_window),
		T(test_read_only),
		T(test_no_status_byte),
		T(test_unknown_type_and_short_header),
		T(test_get_id),
		T(test_discard),
		T(test_write_zeroes),
		T(test_reliable_flush_after_write),
		T(test_normal_writeback),
		T(test_flush_request),
		T(test_flush_only_when_needed),
		T(test_slots),
		T(test_reset_orphans_request),
		T(test_quiesce),
		T(test_queue_resized_under_request),
		T(test_queue_moved_outside_ram_under_request),
		T(test_queue_moved_under_request),
		T(test_done_twice),
		T(test_registers_frozen_during_reset),
		T(test_seg_max),
		T(test_seg_max_full),
		T(test_size_max),
		T(test_ram_backend_bounds),
		T(test_multiqueue),
		T(test_requests_pin_dma_space),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
