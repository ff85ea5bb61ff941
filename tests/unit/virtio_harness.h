/* What the unit tests of virtio devices (test_virtio.c, test_blk.c,
 * test_net.c) share: a fake guest RAM with guard zones around it, register
 * access through virtio_mmio_ops the way a guest driver does it, and the
 * driver side of split virtqueues laid out by hand in that RAM. Each test
 * is its own program and includes this once; the fixture's state is
 * file-scope statics here. What is particular to a device stays in its
 * test.
 *
 * Register offsets, status, feature and descriptor flag bits are written
 * out here from [VIRTIO] 1.2 (2.1, 2.7, 3.1.1, 4.2.2, 6), not taken from
 * the code. */
#ifndef VIRTIO_HARNESS_H
#define VIRTIO_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <vdev/virtio.h>

/* virtio-mmio v2 registers ([VIRTIO] 4.2.2) */
enum {
	MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, VENDOR_ID = 0x00c,
	DEV_FEAT = 0x010, DEV_FEAT_SEL = 0x014, DRV_FEAT = 0x020, DRV_FEAT_SEL = 0x024,
	QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_READY = 0x044,
	QUEUE_NOTIFY = 0x050, INT_STATUS = 0x060, INT_ACK = 0x064, STATUS = 0x070,
	QUEUE_DESC_LO = 0x080, QUEUE_DESC_HI = 0x084, QUEUE_DRIVER_LO = 0x090,
	QUEUE_DRIVER_HI = 0x094, QUEUE_DEVICE_LO = 0x0a0, QUEUE_DEVICE_HI = 0x0a4,
	SHM_SEL = 0x0ac, SHM_LEN_LO = 0x0b0, SHM_LEN_HI = 0x0b4, SHM_BASE_LO = 0x0b8,
	SHM_BASE_HI = 0x0bc, CONFIG_GEN = 0x0fc, CONFIG = 0x100,
};
enum { S_ACK = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8, S_NEEDS_RESET = 0x40 };
/* Feature bits of the transport ([VIRTIO] 6) */
#define F_INDIRECT (1ULL << 28)
#define F_EVENT_IDX (1ULL << 29)
#define F_V1 (1ULL << 32)
#define F_ACCESS_PLATFORM (1ULL << 33)
/* Descriptor flags ([VIRTIO] 2.7.5) */
enum { D_NEXT = 1, D_WRITE = 2, D_INDIRECT = 4 };

/* ---- the fake guest RAM: 1 MiB at IPA 0x40000000, guard zones around ---- */
#define RAM_IPA 0x40000000ULL
#define RAM_SIZE 0x100000ULL
#define GUARD 0x10000ULL
#define HOST_SIZE (GUARD + RAM_SIZE + GUARD)
#define FILL 0xa5 /* what setup() fills the host buffer with, guards included */
static uint8_t *host, *ram, *snap;
static struct dma_space gm; /* the devices' DMA space: RAM, identity, read-write */

static inline void *gp(uint64_t ipa)
{
	return ram + (ipa - RAM_IPA);
}

static inline int group_setup(void **state)
{
	(void)state;
	host = aligned_alloc(4096, HOST_SIZE);
	snap = malloc(HOST_SIZE);
	if (!host || !snap)
		return -1;
	ram = host + GUARD;
	if (dma_space_init(&gm, &(struct dma_range){ RAM_IPA, RAM_SIZE, ram, DMA_BIDIR }, 1))
		return -1;
	return 0;
}

static inline int group_teardown(void **state)
{
	(void)state;
	free(host);
	free(snap);
	return 0;
}

/* ---- what changed in memory ---- */
static inline void snapshot_ram(void)
{
	memcpy(snap, host, HOST_SIZE);
}

/* Nothing changed since the snapshot, guard zones included. */
static inline bool ram_unchanged(void)
{
	return memcmp(snap, host, HOST_SIZE) == 0;
}

struct range {
	uint64_t ipa, len;
};

/* -1 when nothing but the given guest ranges changed since the snapshot,
 * else the host-buffer offset of the first stray byte (negative offsets
 * are in the guard below the RAM). */
static inline long stray_write(const struct range *ok, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		memcpy(snap + GUARD + (ok[i].ipa - RAM_IPA), gp(ok[i].ipa), ok[i].len);
	for (size_t i = 0; i < HOST_SIZE; i++)
		if (host[i] != snap[i])
			return (long)i - (long)GUARD;
	return -1;
}

/* Bytes of the guard zones around guest RAM no longer FILL: written by the
 * device outside the guest's memory. */
static inline size_t guard_bytes_written(void)
{
	size_t n = 0;
	for (size_t i = 0; i < GUARD; i++)
		n += (host[i] != FILL) + (host[GUARD + RAM_SIZE + i] != FILL);
	return n;
}

/* ---- register access, as a driver does it ---- */
static inline int acc(struct virtio_dev *d, uint32_t off, unsigned w, bool write, uint64_t *v)
{
	return mmio_device_access(&virtio_mmio_ops, d, off, w, write, v);
}

static inline uint32_t rd(struct virtio_dev *d, uint32_t off)
{
	uint64_t v = 0xdeadbeefcafeULL;
	assert_int_equal(acc(d, off, 4, false, &v), 0);
	assert_true(v <= 0xffffffffULL);
	return (uint32_t)v;
}

static inline void wr(struct virtio_dev *d, uint32_t off, uint32_t v)
{
	uint64_t x = v;
	assert_int_equal(acc(d, off, 4, true, &x), 0);
}

/* A read of w bytes at off in the configuration space. */
static inline uint64_t cfg_rd(struct virtio_dev *d, uint32_t off, unsigned w)
{
	uint64_t v = 0x5555555555ULL;
	assert_int_equal(acc(d, CONFIG + off, w, false, &v), 0);
	return v;
}

/* The features the device offers, both words. */
static inline uint64_t dev_features(struct virtio_dev *d)
{
	uint64_t f;
	wr(d, DEV_FEAT_SEL, 0);
	f = rd(d, DEV_FEAT);
	wr(d, DEV_FEAT_SEL, 1);
	return f | (uint64_t)rd(d, DEV_FEAT) << 32;
}

/* ---- the driver side ---- */

/* A driver of one device. Its rings are in slot slot of the RAM: queue q
 * at RAM_IPA + 0x10000*slot + 0x4000*q (descriptor table, avail ring at
 * +0x1000, used ring at +0x2000), num entries each. */
struct drv {
	struct virtio_dev *d;
	unsigned slot;
	uint16_t num;
	uint16_t nd[4]; /* next free descriptor per queue (alloc_desc) */
};

static inline uint64_t desc_ipa(const struct drv *v, unsigned q)
{
	return RAM_IPA + 0x10000ULL * v->slot + 0x4000ULL * q;
}
static inline uint64_t avail_ipa(const struct drv *v, unsigned q)
{
	return desc_ipa(v, q) + 0x1000;
}
static inline uint64_t used_ipa(const struct drv *v, unsigned q)
{
	return desc_ipa(v, q) + 0x2000;
}
static inline uint16_t *avail(const struct drv *v, unsigned q)
{
	return gp(avail_ipa(v, q));
}
static inline uint8_t *used(const struct drv *v, unsigned q)
{
	return gp(used_ipa(v, q));
}
/* The index of a used ring at any address. */
static inline uint16_t ring_idx(uint64_t used_ring)
{
	uint16_t x;
	memcpy(&x, (uint8_t *)gp(used_ring) + 2, 2);
	return x;
}
static inline uint16_t used_idx(const struct drv *v, unsigned q)
{
	return ring_idx(used_ipa(v, q));
}
static inline uint32_t used_id(const struct drv *v, unsigned q, unsigned i)
{
	uint32_t x;
	memcpy(&x, used(v, q) + 4 + 8 * (i % v->num), 4);
	return x;
}
static inline uint32_t used_len(const struct drv *v, unsigned q, unsigned i)
{
	uint32_t x;
	memcpy(&x, used(v, q) + 8 + 8 * (i % v->num), 4);
	return x;
}
static inline uint16_t avail_event(const struct drv *v, unsigned q)
{
	uint16_t x;
	memcpy(&x, used(v, q) + 4 + 8 * v->num, 2);
	return x;
}
static inline void set_used_event(const struct drv *v, unsigned q, uint16_t e)
{
	avail(v, q)[2 + v->num] = e;
}

/* The used-ring bytes one completion in slot i may change. */
static inline void used_ranges(const struct drv *v, unsigned q, unsigned i, struct range r[2])
{
	r[0] = (struct range){ used_ipa(v, q) + 2, 2 };
	r[1] = (struct range){ used_ipa(v, q) + 4 + 8 * (i % v->num), 8 };
}

static inline void set_desc(struct virtq_desc *t, unsigned i, uint64_t addr, uint32_t len,
			    uint16_t flags, uint16_t next)
{
	t[i] = (struct virtq_desc){ addr, len, flags, next };
}
static inline void setd(const struct drv *v, unsigned q, unsigned i, uint64_t addr, uint32_t len,
			uint16_t flags, uint16_t next)
{
	set_desc(gp(desc_ipa(v, q)), i, addr, len, flags, next);
}

/* n consecutive descriptors, from 0 again when they would not fit. */
static inline uint16_t alloc_desc(struct drv *v, unsigned q, unsigned n)
{
	uint16_t i;
	if (v->nd[q] + n > v->num)
		v->nd[q] = 0;
	i = v->nd[q];
	v->nd[q] = (uint16_t)(v->nd[q] + n);
	return i;
}

/* Put head in the next avail slot and publish it. */
static inline void post(const struct drv *v, unsigned q, uint16_t head)
{
	uint16_t *a = avail(v, q);
	a[2 + a[1] % v->num] = head;
	a[1]++;
}

static inline void kick(const struct drv *v, unsigned q)
{
	wr(v->d, QUEUE_NOTIFY, q);
}

/* Steps of the driver's initialisation ([VIRTIO] 3.1.1), no checks:
 * ACKNOWLEDGE, DRIVER, the features, FEATURES_OK; queue q of num entries
 * at the given areas made ready; DRIVER_OK. */
static inline void drv_features(struct virtio_dev *d, uint64_t features)
{
	wr(d, STATUS, S_ACK);
	wr(d, STATUS, S_ACK | S_DRIVER);
	wr(d, DRV_FEAT_SEL, 0);
	wr(d, DRV_FEAT, (uint32_t)features);
	wr(d, DRV_FEAT_SEL, 1);
	wr(d, DRV_FEAT, (uint32_t)(features >> 32));
	wr(d, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
}

static inline void queue_at(struct virtio_dev *d, unsigned q, uint16_t num, uint64_t desc,
			    uint64_t drv, uint64_t dev)
{
	wr(d, QUEUE_SEL, q);
	wr(d, QUEUE_NUM, num);
	wr(d, QUEUE_DESC_LO, (uint32_t)desc);
	wr(d, QUEUE_DESC_HI, (uint32_t)(desc >> 32));
	wr(d, QUEUE_DRIVER_LO, (uint32_t)drv);
	wr(d, QUEUE_DRIVER_HI, (uint32_t)(drv >> 32));
	wr(d, QUEUE_DEVICE_LO, (uint32_t)dev);
	wr(d, QUEUE_DEVICE_HI, (uint32_t)(dev >> 32));
	wr(d, QUEUE_READY, 1);
}

static inline void drv_ok(struct virtio_dev *d)
{
	wr(d, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

/* The same steps for a driver v, each checked: reset and negotiate
 * (drv_begin), queue q on zeroed rings in v's slot (drv_queue), DRIVER_OK
 * (drv_live). A test's drv_start() puts them together with the checks it
 * adds between them. */
static inline void drv_begin(struct drv *v, struct virtio_dev *d, unsigned slot, uint16_t num,
			     uint64_t features)
{
	*v = (struct drv){ .d = d, .slot = slot, .num = num };
	wr(d, STATUS, 0);
	assert_int_equal(rd(d, STATUS), 0);
	drv_features(d, features);
	assert_int_equal(rd(d, STATUS), S_ACK | S_DRIVER | S_FEATURES_OK);
}

static inline void drv_queue(const struct drv *v, unsigned q)
{
	memset(gp(desc_ipa(v, q)), 0, 0x3000);
	queue_at(v->d, q, v->num, desc_ipa(v, q), avail_ipa(v, q), used_ipa(v, q));
	assert_int_equal(rd(v->d, QUEUE_READY), 1);
}

static inline void drv_live(const struct drv *v)
{
	drv_ok(v->d);
	assert_int_equal(rd(v->d, STATUS), S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

#endif
