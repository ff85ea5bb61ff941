/* libFuzzer harness for the virtio-mmio transport, the split virtqueue
 * engine, virtio-rng and virtio-console: the input is a guest.
 * proves: PLATFORM-5, PLATFORM-7
 * It plays a
 * driver (or an attacker) on the registers of one virtio-rng and one
 * virtio-console device through mmio_device_access(), and writes what it
 * likes into a small fake guest RAM where its rings, descriptor tables,
 * indirect tables and buffers live; notifies make the devices walk them.
 * Built with -fsanitize=fuzzer,address,undefined: any read or write outside
 * the fake RAM (two separate heap blocks, adjacent in IPA space), any UB,
 * a hang or a broken invariant below is a crash. Each device reaches the
 * RAM through its own DMA address space (include/hv/dma.h), whose mapping
 * the input can change (MAP: each block read-write, read-only, write-only
 * or unmapped for that device). Beyond memory safety:
 *  - every vq_pop (linked with --wrap) is checked against a reference walk
 *    of the same ring written from [VIRTIO] 2.7, the rules in
 *    include/vdev/virtio.h and the device's mapping as the input set it:
 *    same verdict, same segments (a buffer across the two blocks is two);
 *  - every vq_push returns a chain popped in the same operation, with a
 *    length no larger than its writable buffers, and every popped chain is
 *    returned before the operation ends;
 *  - after each operation, guest RAM may differ only in the writable
 *    buffers of the chains popped and the used-ring fields the device owns
 *    (the entry written, used idx, avail_event);
 *  - transport invariants (check() below) hold after each operation.
 *
 * Input: a sequence of operations, each an op byte then its arguments
 * (little endian; a short input reads as zeros):
 *   op bit 0: device (0 virtio-rng, 1 virtio-console); (op >> 1) % 12:
 *   0 WRITE  u16 off, u8 width, u32 value    register write
 *   1 READ   u16 off, u8 width               register read
 *   2 MEM    u16 off, u8 n, n bytes          guest RAM at RAM_IPA + off
 *   3 NOTIFY u8 queue                        QueueNotify
 *   4 RX     u8 n, n bytes                   console input (virtio_console_rx)
 *   5 RESET                                  partition restart (virtio_dev_reset)
 *   6 INIT   u8 feat, u8 num, nq * (u16 desc, u16 avail, u16 used)
 *            the whole driver sequence: status 0, ACK, DRIVER, features
 *            (VERSION_1 unless feat bit 7; INDIRECT bit 0; EVENT_IDX bit 1;
 *            bit 6: also bit 0 of the device features), FEATURES_OK, each
 *            queue (size 1 << (num % 10): 1..512; areas at RAM_IPA + off,
 *            or with off bit 15 set, ending ((off >> 1) & 63) - 32 bytes
 *            after the end of RAM block off & 1), DRIVER_OK
 *   7 DESC   u8 q|mode, u16 where, u16 addr|u64 addr, u16 len|u32 len, u8 flags, u16 next
 *            a descriptor: in queue q's table at index where, or (mode
 *            bit 4) at RAM_IPA + where (indirect tables); addr is RAM_IPA +
 *            u16 unless mode bit 5 (a raw u64); len u32 if mode bit 6
 *   8 POST   u8 q, u16 head                  next avail slot of queue q, idx++
 *   9 ENTROPY                                 toggle an entropy-source failure
 *  10 ACK                                     InterruptACK what InterruptStatus says
 *  11 MAP    u8 perm                         the device's DMA space changes: RAM
 *            block 0 gets perm & 3, block 1 (perm >> 2) & 3 (bit 0: the
 *            device may read, bit 1: write; 0: unmapped)
 * tests/fuzz/make_corpus.py writes seeds in this format. */
#include <sanitizer/asan_interface.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch_fake.h"
#include "fuzz_input.h"
#include <hv/console.h>
#include <hv/drbg.h>
#include <hv/log.h>
#include <vdev/virtio.h>
#include <vdev/virtio_console.h>
#include <vdev/virtio_rng.h>

#define RAM_IPA 0x40000000ULL
#define RAM0_SIZE 0x2000 /* rings and buffers */
#define RAM1_SIZE 0x1000 /* adjacent in IPA, not in host memory */
#define MAX_OPS 1024
/* Work bounds per input, so that a guest asking for the worst case (256
 * requests of 64 buffers of all RAM each) does not read as a hang: past
 * them the DRBG and the console are not called any more (the rest of the
 * buffer is still checked for being inside an allocation) and the input
 * ends at the next operation. */
#define DRBG_BUDGET (64 * 1024)
#define PUTC_BUDGET (64 * 1024)

enum { REG_NOTIFY = 0x050, REG_INT_STATUS = 0x060, REG_INT_ACK = 0x064, REG_STATUS = 0x070 };

static uint8_t *ram0, *ram1;
static struct dma_space gm;
/* The reference's view of each device's mapping (rng, console): the
 * permissions of each RAM block, as MAP set them. */
static uint8_t perm[2][2];
static struct virtio_rng rng;
static struct virtio_console con;
static bool line_level[2];
static bool entropy_fail;
static uint64_t entropy_ctr;
static size_t drbg_bytes, putc_bytes;
static bool verbose; /* FUZZ_VERBOSE set: print the end state (for seeds) */
static uint8_t snap0[RAM0_SIZE], snap1[RAM1_SIZE];

#define CHECK_THAT(c)                                                                     \
	do {                                                                              \
		if (!(c)) {                                                               \
			fprintf(stderr, "fuzz_virtqueue: invariant broken: %s (line %d)\n", #c, \
				__LINE__);                                                \
			abort();                                                          \
		}                                                                         \
	} while (0)

/* ---- the environment: interrupt lines, entropy, bounded work ---- */

static void line_set(void *ctx, uint32_t intid, bool high)
{
	(void)ctx;
	CHECK_THAT(intid < 2);
	CHECK_THAT(line_level[intid] != high); /* only edges are signalled */
	line_level[intid] = high;
}

static bool fuzz_entropy(void *buf, size_t n)
{
	uint8_t *p = buf;
	if (entropy_fail)
		return false;
	while (n--)
		*p++ = (uint8_t)(++entropy_ctr * 0x9e3779b97f4a7c15ULL >> 56);
	return true;
}

static void must_be_addressable(const void *p, size_t n)
{
	const void *bad = __asan_region_is_poisoned((void *)(uintptr_t)p, n);
	if (bad) {
		fprintf(stderr, "fuzz_virtqueue: device buffer %p+%zu leaves the fake RAM at %p\n", p, n,
			bad);
		abort();
	}
}

/* ---- the reference walk ([VIRTIO] 2.7.5, 2.7.13; include/vdev/virtio.h):
 * indices below the table size, at most the table size of steps, an
 * indirect table only as the head, only once, only when negotiated, without
 * NEXT, len a non-zero multiple of 16, 16-byte aligned; empty buffers
 * skipped; every other buffer inside guest RAM, one segment per RAM block
 * it touches, each block mapped for the device in the buffer's direction
 * (readable: the device reads; writable: it writes); readable before
 * writable, at most VQ_MAX_SEGS segments. Rings and indirect tables inside
 * one block, mapped for the device to read (descriptors, avail) or to write
 * (used); when the device's mapping changed since a queue was checked, its
 * rings are checked again before anything else. ---- */

static uint8_t *hp(uint64_t ipa, uint64_t len);

static unsigned dev_idx(const struct virtio_dev *d)
{
	return d == &con.dev;
}

/* hp(), when the device may access the whole area in direction dir. */
static uint8_t *ref_ptr(const struct virtio_dev *d, uint64_t ipa, uint64_t len, unsigned dir)
{
	uint8_t *p = len ? hp(ipa, len) : NULL;
	unsigned b = ipa >= RAM_IPA + RAM0_SIZE; /* the block it is in, if any */
	return p && (perm[dev_idx(d)][b] & dir) == dir ? p : NULL;
}

/* A buffer as segments into c: false when outside RAM, not mapped for dir,
 * or past VQ_MAX_SEGS. */
static bool ref_seg(const struct virtio_dev *d, struct vq_chain *c, uint64_t ipa, uint32_t len,
		    unsigned dir)
{
	const uint64_t b1 = RAM_IPA + RAM0_SIZE, end = b1 + RAM1_SIZE;
	const uint8_t *pm = perm[dev_idx(d)];

	if (ipa < RAM_IPA || ipa >= end || len > end - ipa)
		return false;
	while (len) {
		bool first = ipa < b1;
		uint32_t n = first && len > b1 - ipa ? (uint32_t)(b1 - ipa) : len;
		if ((pm[!first] & dir) != dir || c->nr + c->nw == VQ_MAX_SEGS)
			return false;
		c->seg[c->nr + c->nw] = (struct dma_seg){ first ? ram0 + (ipa - RAM_IPA) : ram1 + (ipa - b1), n };
		if (dir == DMA_FROM_DEV)
			c->nw++;
		else
			c->nr++;
		ipa += n;
		len -= n;
	}
	return true;
}

/* vq_pop writes avail_event before it walks: the walk sees it. */
static struct {
	uintptr_t at;
	uint8_t b[2];
	bool on;
} overlay;

static void ref_read(void *dst, const uint8_t *src, size_t n)
{
	memcpy(dst, src, n);
	for (unsigned k = 0; overlay.on && k < 2; k++)
		if (overlay.at + k >= (uintptr_t)src && overlay.at + k < (uintptr_t)src + n)
			((uint8_t *)dst)[overlay.at + k - (uintptr_t)src] = overlay.b[k];
}

static int ref_walk(const struct virtio_dev *d, const struct virtq *q, uint16_t head,
		    struct vq_chain *c)
{
	const uint8_t *table = hp(q->desc, 16ULL * q->num);
	unsigned size = q->num, i = head, steps = 0;
	bool in_indirect = false;

	c->head = head;
	c->nr = c->nw = 0;
	c->rlen = c->wlen = 0;
	for (;;) {
		struct virtq_desc e;
		if (i >= size || steps++ >= size)
			return -1;
		ref_read(&e, table + 16 * i, sizeof(e));
		if (e.flags & VIRTQ_DESC_F_INDIRECT) {
			if (in_indirect || steps != 1 || !(d->driver_features & BIT(VIRTIO_F_INDIRECT_DESC)) ||
			    (e.flags & VIRTQ_DESC_F_NEXT) || e.len == 0 || e.len % 16 || e.len / 16 > VQ_MAX_SIZE || (e.addr & 15) ||
			    !(table = ref_ptr(d, e.addr, e.len, DMA_TO_DEV)))
				return -1;
			in_indirect = true;
			size = e.len / 16;
			i = 0;
			steps = 0;
			continue;
		}
		if (e.len) {
			if (e.flags & VIRTQ_DESC_F_WRITE) {
				if (!ref_seg(d, c, e.addr, e.len, DMA_FROM_DEV))
					return -1;
				c->wlen += e.len;
			} else {
				if (c->nw || !ref_seg(d, c, e.addr, e.len, DMA_TO_DEV))
					return -1;
				c->rlen += e.len;
			}
		}
		if (!(e.flags & VIRTQ_DESC_F_NEXT))
			return 1;
		i = e.next;
	}
}

/* What vq_pop must answer, from the ring as it is now. */
static int ref_pop(const struct virtio_dev *d, unsigned qi, struct vq_chain *c)
{
	const struct virtq *q = &d->vq[qi];
	const uint8_t *a;
	uint16_t idx, head;

	overlay.on = false;
	if (!q->ready || (d->status & VIRTIO_S_NEEDS_RESET))
		return 0;
	if (q->dma_gen != d->dma.gen &&
	    (!ref_ptr(d, q->desc, 16ULL * q->num, DMA_TO_DEV) ||
	     !ref_ptr(d, q->avail, 6 + 2ULL * q->num, DMA_TO_DEV) ||
	     !ref_ptr(d, q->used, 6 + 8ULL * q->num, DMA_FROM_DEV)))
		return -1; /* the rings no longer translate */
	a = hp(q->avail, 6 + 2ULL * q->num);
	memcpy(&idx, a + 2, 2);
	if (idx == q->last_avail)
		return 0;
	if ((uint16_t)(idx - q->last_avail) > q->num)
		return -1;
	memcpy(&head, a + 4 + 2 * (q->last_avail % q->num), 2);
	if (d->driver_features & BIT(VIRTIO_F_EVENT_IDX)) {
		uint16_t ev = (uint16_t)(q->last_avail + 1);
		overlay.at = (uintptr_t)hp(q->used + 4 + 8ULL * q->num, 2);
		memcpy(overlay.b, &ev, 2);
		overlay.on = true;
	}
	return ref_walk(d, q, head, c);
}

/* Where the device may write during one operation. */
#define MAX_ALLOWED 4096
struct span {
	const uint8_t *p;
	size_t n;
};
static struct span allowed[MAX_ALLOWED];
static unsigned nallowed;
static bool allowed_overflow;

static void allow(const uint8_t *p, size_t n)
{
	if (nallowed < MAX_ALLOWED)
		allowed[nallowed++] = (struct span){ p, n };
	else
		allowed_overflow = true; /* too many to track: the check is skipped */
}

/* Chains popped and not yet returned. */
#define MAX_PENDING (2 * VQ_MAX_SIZE)
struct taken {
	const struct virtio_dev *d;
	unsigned q;
	uint16_t head;
	uint64_t wlen;
};
static struct taken pending[MAX_PENDING];
static unsigned npending;

int __real_vq_pop(struct virtio_dev *d, unsigned q, struct vq_chain *c);
int __wrap_vq_pop(struct virtio_dev *d, unsigned q, struct vq_chain *c);
int __wrap_vq_pop(struct virtio_dev *d, unsigned q, struct vq_chain *c)
{
	static struct vq_chain want;
	int expect = ref_pop(d, q, &want), got;

	if (overlay.on)
		allow((const uint8_t *)overlay.at, 2);
	got = __real_vq_pop(d, q, c);
	if (got != expect) {
		fprintf(stderr, "fuzz_virtqueue: vq_pop gave %d, the reference walk %d\n", got, expect);
		abort();
	}
	if (got != 1)
		return got;
	CHECK_THAT(c->head == want.head && c->nr == want.nr && c->nw == want.nw);
	CHECK_THAT(c->rlen == want.rlen && c->wlen == want.wlen);
	for (unsigned i = 0; i < c->nr + c->nw; i++) {
		CHECK_THAT(c->seg[i].p == want.seg[i].p && c->seg[i].len == want.seg[i].len);
		if (i >= c->nr)
			allow(c->seg[i].p, c->seg[i].len);
	}
	CHECK_THAT(npending < MAX_PENDING);
	pending[npending++] = (struct taken){ d, q, c->head, c->wlen };
	return got;
}

void __real_vq_push(struct virtio_dev *d, unsigned q, uint16_t head, uint32_t len);
void __wrap_vq_push(struct virtio_dev *d, unsigned q, uint16_t head, uint32_t len);
void __wrap_vq_push(struct virtio_dev *d, unsigned q, uint16_t head, uint32_t len)
{
	const struct virtq *vq = &d->vq[q];
	unsigned i;

	for (i = 0; i < npending; i++)
		if (pending[i].d == d && pending[i].q == q && pending[i].head == head)
			break;
	CHECK_THAT(i < npending);             /* returns a chain it took */
	CHECK_THAT(len <= pending[i].wlen);   /* no more than was writable */
	pending[i] = pending[--npending];
	allow(hp(vq->used + 2, 2), 2);
	allow(hp(vq->used + 4 + 8ULL * (vq->used_idx % vq->num), 8), 8);
	__real_vq_push(d, q, head, len);
}

int __real_drbg_generate(struct drbg *d, void *out, size_t n, const void *addl, size_t alen);
int __wrap_drbg_generate(struct drbg *d, void *out, size_t n, const void *addl, size_t alen);
int __wrap_drbg_generate(struct drbg *d, void *out, size_t n, const void *addl, size_t alen)
{
	if (drbg_bytes < DRBG_BUDGET) {
		drbg_bytes += n;
		return __real_drbg_generate(d, out, n, addl, alen);
	}
	must_be_addressable(out, n);
	return 0;
}

void __real_console_port_putc(struct console_port *p, char c);
void __wrap_console_port_putc(struct console_port *p, char c);
void __wrap_console_port_putc(struct console_port *p, char c)
{
	if (putc_bytes++ < PUTC_BUDGET)
		__real_console_port_putc(p, c);
}


/* The harness's own view of guest RAM (not dma_map: that is under test). */
static uint8_t *hp(uint64_t ipa, uint64_t len)
{
	if (ipa >= RAM_IPA && ipa - RAM_IPA <= RAM0_SIZE && len <= RAM0_SIZE - (ipa - RAM_IPA))
		return ram0 + (ipa - RAM_IPA);
	uint64_t b1 = RAM_IPA + RAM0_SIZE;
	if (ipa >= b1 && ipa - b1 <= RAM1_SIZE && len <= RAM1_SIZE - (ipa - b1))
		return ram1 + (ipa - b1);
	return NULL;
}

static int acc(struct virtio_dev *d, uint32_t off, unsigned w, bool write, uint64_t *v)
{
	return mmio_device_access(&virtio_mmio_ops, d, off, w, write, v);
}
static void wr(struct virtio_dev *d, uint32_t off, uint32_t v)
{
	uint64_t x = v;
	CHECK_THAT(acc(d, off, 4, true, &x) == 0);
}
static uint32_t rd(struct virtio_dev *d, uint32_t off)
{
	uint64_t x = 0;
	CHECK_THAT(acc(d, off, 4, false, &x) == 0);
	CHECK_THAT(x <= 0xffffffffULL);
	return (uint32_t)x;
}

static const unsigned widths[8] = { 4, 4, 4, 1, 2, 8, 3, 0 };

/* A ring area: RAM_IPA + o, or placed at the end of a RAM block. */
static uint64_t area(uint16_t o, uint64_t size)
{
	uint64_t end = RAM_IPA + ((o & 1) ? RAM0_SIZE + RAM1_SIZE : RAM0_SIZE);
	if (!(o & 0x8000))
		return RAM_IPA + o;
	return end - size + ((o >> 1) & 63) - 32;
}

static void op_init(struct virtio_dev *d, struct in *in)
{
	uint8_t feat = u8(in), num = u8(in);
	uint64_t f = ((feat & 0x80) ? 0 : BIT(VIRTIO_F_VERSION_1)) |
		     ((feat & 1) ? BIT(VIRTIO_F_INDIRECT_DESC) : 0) |
		     ((feat & 2) ? BIT(VIRTIO_F_EVENT_IDX) : 0) | ((feat & 0x40) ? 1 : 0);

	wr(d, REG_STATUS, 0);
	wr(d, REG_STATUS, VIRTIO_S_ACKNOWLEDGE);
	wr(d, REG_STATUS, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER);
	wr(d, 0x024, 0);
	wr(d, 0x020, (uint32_t)f);
	wr(d, 0x024, 1);
	wr(d, 0x020, (uint32_t)(f >> 32));
	wr(d, REG_STATUS, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
	for (unsigned q = 0; q < d->ops->nqueues; q++) {
		uint64_t n = 1u << (num % 10);
		uint64_t desc = area(u16(in), 16 * n), avail = area(u16(in), 6 + 2 * n),
			 used = area(u16(in), 6 + 8 * n);
		wr(d, 0x030, q);
		wr(d, 0x038, (uint32_t)n);
		wr(d, 0x080, (uint32_t)desc);
		wr(d, 0x084, (uint32_t)(desc >> 32));
		wr(d, 0x090, (uint32_t)avail);
		wr(d, 0x094, (uint32_t)(avail >> 32));
		wr(d, 0x0a0, (uint32_t)used);
		wr(d, 0x0a4, (uint32_t)(used >> 32));
		wr(d, 0x044, 1);
	}
	wr(d, REG_STATUS, rd(d, REG_STATUS) | VIRTIO_S_DRIVER_OK);
}

static void op_desc(struct virtio_dev *d, struct in *in)
{
	uint8_t mode = u8(in);
	uint16_t where = u16(in);
	struct virtq *q = &d->vq[mode % VIRTIO_MAX_QUEUES];
	struct virtq_desc e;
	uint8_t *p;

	e.addr = (mode & 0x20) ? u64(in) : RAM_IPA + u16(in);
	e.len = (mode & 0x40) ? u32(in) : u16(in);
	e.flags = u8(in);
	e.next = u16(in);
	if (mode & 0x10)
		p = hp(RAM_IPA + where, sizeof(e));
	else
		p = hp(q->desc + 16ULL * where, sizeof(e));
	if (p)
		memcpy(p, &e, sizeof(e));
}

static void op_post(struct virtio_dev *d, struct in *in)
{
	struct virtq *q = &d->vq[u8(in) % VIRTIO_MAX_QUEUES];
	uint16_t head = u16(in), idx;
	uint8_t *a;

	if (!q->num || !(a = hp(q->avail, 4 + 2ULL * q->num)))
		return;
	memcpy(&idx, a + 2, 2);
	memcpy(a + 4 + 2 * (idx % q->num), &head, 2);
	idx++;
	memcpy(a + 2, &idx, 2);
}

/* The device's DMA space changes: each RAM block mapped with the
 * permissions given, or not at all. */
static void op_map(struct virtio_dev *d, struct in *in)
{
	uint8_t v = u8(in), *pm = perm[dev_idx(d)];
	struct dma_range r[2];
	unsigned n = 0;
	uint32_t gen = d->dma.gen;

	pm[0] = v & 3;
	pm[1] = (v >> 2) & 3;
	if (pm[0])
		r[n++] = (struct dma_range){ RAM_IPA, RAM0_SIZE, ram0, pm[0] };
	if (pm[1])
		r[n++] = (struct dma_range){ RAM_IPA + RAM0_SIZE, RAM1_SIZE, ram1, pm[1] };
	CHECK_THAT(d->dma.pins == 0); /* nothing of these devices outlives its trap */
	CHECK_THAT(dma_space_update(&d->dma, r, n) == 0);
	CHECK_THAT(d->dma.gen == gen + 1);
}

/* What must hold after every operation, whatever the guest did. */
static void check(struct virtio_dev *d, unsigned line)
{
	uint64_t offered = d->ops->features | BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_INDIRECT_DESC) |
			   BIT(VIRTIO_F_EVENT_IDX);

	CHECK_THAT((d->isr & ~3u) == 0);
	CHECK_THAT(d->line == (d->isr != 0));
	CHECK_THAT(line_level[line] == d->line);
	CHECK_THAT((d->status & ~0xffu) == 0);
	if (d->status & VIRTIO_S_DRIVER_OK)
		CHECK_THAT(d->status & VIRTIO_S_FEATURES_OK);
	if (d->status & VIRTIO_S_FEATURES_OK) {
		CHECK_THAT((d->driver_features & ~offered) == 0);
		CHECK_THAT(d->driver_features & BIT(VIRTIO_F_VERSION_1));
	}
	for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		const struct virtq *q = &d->vq[i];
		if (!q->ready)
			continue;
		CHECK_THAT(i < d->ops->nqueues);
		CHECK_THAT(q->num && q->num <= VQ_MAX_SIZE && !(q->num & (q->num - 1)));
		CHECK_THAT(!(q->desc & 15) && !(q->avail & 1) && !(q->used & 3));
		if (q->dma_gen != d->dma.gen)
			continue; /* the mapping changed since: checked again at the next use */
		if (!q->d) { /* the rings no longer translated at their last use */
			CHECK_THAT(!q->a && !q->u && (d->status & VIRTIO_S_NEEDS_RESET));
			continue;
		}
		CHECK_THAT((void *)q->d == ref_ptr(d, q->desc, 16ULL * q->num, DMA_TO_DEV));
		CHECK_THAT((void *)q->a == ref_ptr(d, q->avail, 6 + 2ULL * q->num, DMA_TO_DEV));
		CHECK_THAT((void *)q->u == ref_ptr(d, q->used, 6 + 8ULL * q->num, DMA_FROM_DEV));
	}
}

static bool is_allowed(const uint8_t *p)
{
	for (unsigned i = 0; i < nallowed; i++)
		if ((uintptr_t)p >= (uintptr_t)allowed[i].p &&
		    (uintptr_t)p - (uintptr_t)allowed[i].p < allowed[i].n)
			return true;
	return false;
}

/* Guest RAM changed only where the device may write. */
static void check_block(const uint8_t *now, const uint8_t *before, size_t size, uint64_t ipa)
{
	if (!memcmp(now, before, size))
		return;
	for (size_t i = 0; i < size; i++)
		if (now[i] != before[i] && !is_allowed(now + i)) {
			fprintf(stderr, "fuzz_virtqueue: device wrote RAM at IPA 0x%llx\n",
				(unsigned long long)(ipa + i));
			abort();
		}
}

static void check_writes(void)
{
	if (allowed_overflow)
		return;
	check_block(ram0, snap0, RAM0_SIZE, RAM_IPA);
	check_block(ram1, snap1, RAM1_SIZE, RAM_IPA + RAM0_SIZE);
}

static void env_init(void)
{
	ram0 = malloc(RAM0_SIZE);
	ram1 = malloc(RAM1_SIZE);
	if (!ram0 || !ram1)
		abort();
	struct dma_range r[2] = { { RAM_IPA, RAM0_SIZE, ram0, DMA_BIDIR },
				  { RAM_IPA + RAM0_SIZE, RAM1_SIZE, ram1, DMA_BIDIR } };
	if (dma_space_init(&gm, r, 2) || gm.n != 2) /* separate blocks: not merged */
		abort();
	hv_set_log_level(LOG_WARN);
	verbose = getenv("FUZZ_VERBOSE") != NULL;
}

static void report(const char *name, const struct virtio_dev *d)
{
	fprintf(stderr, "%s: status 0x%x isr %u errors %u", name, d->status, d->isr, d->errors);
	for (unsigned i = 0; i < d->ops->nqueues; i++) {
		const struct virtq *q = &d->vq[i];
		fprintf(stderr, " | q%u ready %d num %u avail %u used %u", i, q->ready, q->num,
			q->last_avail, q->used_idx);
	}
	fprintf(stderr, "\n");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct irq_line l0 = { line_set, NULL, 0 }, l1 = { line_set, NULL, 1 };

	if (!ram0)
		env_init();
	memset(ram0, 0, RAM0_SIZE);
	memset(ram1, 0, RAM1_SIZE);
	memset(line_level, 0, sizeof(line_level));
	entropy_fail = false;
	entropy_ctr = 0;
	drbg_bytes = putc_bytes = 0;
	npending = 0;
	memset(perm, DMA_BIDIR, sizeof(perm));
	fake_console_reset();
	virtio_rng_init(&rng, "fuzz-rng", 1, &gm, &l0, fuzz_entropy);
	virtio_console_init(&con, "fuzz-con", &gm, &l1);

	for (unsigned n = 0; in.n && n < MAX_OPS; n++) {
		uint8_t op = u8(&in);
		struct virtio_dev *d = (op & 1) ? &con.dev : &rng.dev;
		uint64_t v;

		if (drbg_bytes >= DRBG_BUDGET || putc_bytes >= PUTC_BUDGET)
			break;
		memcpy(snap0, ram0, RAM0_SIZE);
		memcpy(snap1, ram1, RAM1_SIZE);
		nallowed = 0;
		allowed_overflow = false;
		switch ((op >> 1) % 12) {
		case 0: {
			uint16_t off = u16(&in);
			unsigned w = widths[u8(&in) % 8];
			v = u32(&in);
			acc(d, off % 0x400, w, true, &v);
			break;
		}
		case 1: {
			uint16_t off = u16(&in);
			unsigned w = widths[u8(&in) % 8];
			v = 0;
			if (acc(d, off % 0x400, w, false, &v) == 0 && w < 8)
				CHECK_THAT(v >> (8 * w) == 0); /* no more than the width */
			break;
		}
		case 2: {
			uint16_t off = u16(&in);
			uint8_t k = u8(&in);
			for (unsigned i = 0; i < k; i++) {
				uint8_t b = u8(&in), *p = hp(RAM_IPA + off + i, 1);
				if (p)
					*p = b;
			}
			break;
		}
		case 3:
			wr(d, REG_NOTIFY, u8(&in));
			break;
		case 4: {
			uint8_t k = u8(&in);
			for (unsigned i = 0; i < k; i++)
				virtio_console_rx(&con, u8(&in));
			break;
		}
		case 5:
			virtio_dev_reset(d);
			CHECK_THAT(d->status == 0 && d->isr == 0 && !line_level[d == &con.dev]);
			break;
		case 6:
			op_init(d, &in);
			break;
		case 7:
			op_desc(d, &in);
			break;
		case 8:
			op_post(d, &in);
			break;
		case 9:
			entropy_fail = !entropy_fail;
			break;
		case 10:
			wr(d, REG_INT_ACK, rd(d, REG_INT_STATUS));
			CHECK_THAT(rd(d, REG_INT_STATUS) == 0 && !line_level[d == &con.dev]);
			break;
		case 11:
			op_map(d, &in);
			break;
		}
		CHECK_THAT(npending == 0); /* every chain taken was returned */
		switch ((op >> 1) % 12) {
		case 2: /* the harness wrote guest RAM itself */
		case 7:
		case 8:
			break;
		default:
			check_writes();
		}
		check(&rng.dev, 0);
		check(&con.dev, 1);
		CHECK_THAT(con.rx_count <= VCON_RX_BUF && con.rx_head < VCON_RX_BUF);
	}
	if (verbose) {
		report("rng", &rng.dev);
		report("console", &con.dev);
		fprintf(stderr, "rng bytes served %llu; console rx held %u\n%s",
			(unsigned long long)rng.bytes, con.rx_count, fake_console);
	}
	return 0;
}
