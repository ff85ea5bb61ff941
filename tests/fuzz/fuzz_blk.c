/* libFuzzer harness for virtio-blk's request decoder (vdev/virtio_blk.c)
 * with its backend: a RAM disk (core/blkdev.c) of 128 sectors, the device's
 * window sectors [32, 96). The input is a driver: the features it takes,
 * then requests it lays out in a fake guest RAM (header, data and status
 * cut into buffers as it likes, directly in the ring or in an indirect
 * table) and hands over with a notify. Every request is also decided by a
 * reference written here from [VIRTIO] 1.2 5.2.6 and the limits the device
 * offers in its configuration space (capacity, seg_max, size_max,
 * max_discard_seg, max_write_zeroes_seg), on a shadow of the disk. Built
 * with -fsanitize=fuzzer,address,undefined. After each request:
 *  - exactly one used entry, for this chain, with the reference's length;
 *  - the status byte (the last byte the driver let the device write) is
 *    the reference's: OK, IOERR or UNSUPP;
 *  - the whole disk equals the shadow: a refused request wrote nothing,
 *    and nothing outside the window ever changes;
 *  - guest RAM changed only where the reference says: read data, the
 *    GET_ID serial, the status byte, the used ring.
 * Chains are well formed at the ring level (readable buffers first, none
 * empty): the ring walk itself is tests/fuzz/fuzz_virtqueue.c's.
 *
 * Input: byte 0: bit 0 the disk read-only; bit 1 DISCARD and bit 2
 * WRITE_ZEROES negotiated; bit 3 chains in indirect tables; bits 4-5 the
 * backend's seg_max (2, 4, 8 or 254); bit 6 its size_max 2048 (else none).
 * Then requests: u8 kind (% 8: IN, OUT, FLUSH, GET_ID, DISCARD,
 * WRITE_ZEROES, a raw u32 type, IN with the data readable), u16 sector
 * (% 160; bit 15: near 2^64), u8 header split (1 + % 3 buffers; bit 2:
 * the first data bytes share the header's last buffer; bit 3: the status
 * shares the last data buffer; bit 4: 3 spare bytes before the status),
 * u8 data buffers (% 8), each u16 length (bit 15: 512 * (% 16); else %
 * 2600; 0 reads as 1), u8 fill; DISCARD/WRITE_ZEROES: u8 ranges (% 6) and
 * u8 junk bytes (% 17 when bit 7, else 0), each range u16 sector (% 160),
 * u16 sectors (% 100), u8 flags (bit 0 UNMAP, bit 1 another bit).
 * tests/fuzz/corpus/blk/ has seeds (make_corpus_blk.py).
 * proves: BLK-1, BLK-4, BLK-5, BLK-6, PLATFORM-7 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch_fake.h"
#include "fuzz_input.h"
#include <hv/blkdev.h>
#include <hv/log.h>
#include <vdev/virtio.h>
#include <vdev/virtio_blk.h>

/* From [VIRTIO] 1.2, not from the code: registers (4.2.2), status and
 * feature bits (2.1, 6), descriptor flags (2.7.5), virtio-blk (5.2). */
enum { R_DEV_FEAT = 0x010, R_DEV_FEAT_SEL = 0x014, R_DRV_FEAT = 0x020, R_DRV_FEAT_SEL = 0x024,
       R_QUEUE_SEL = 0x030, R_QUEUE_NUM = 0x038, R_QUEUE_READY = 0x044, R_QUEUE_NOTIFY = 0x050,
       R_STATUS = 0x070, R_DESC_LO = 0x080, R_DESC_HI = 0x084, R_DRIVER_LO = 0x090,
       R_DRIVER_HI = 0x094, R_DEVICE_LO = 0x0a0, R_DEVICE_HI = 0x0a4, R_CONFIG = 0x100 };
enum { S_ACK = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8 };
enum { D_NEXT = 1, D_WRITE = 2, D_INDIRECT = 4 };
#define F_INDIRECT (1ULL << 28)
#define F_V1 (1ULL << 32)
#define F_SIZE_MAX (1ULL << 1)
#define F_SEG_MAX (1ULL << 2)
#define F_BLK_SIZE (1ULL << 6)
#define F_FLUSH (1ULL << 9)
#define F_DISCARD (1ULL << 13)
#define F_WZ (1ULL << 14)
enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8, T_DISCARD = 11, T_WZ = 13 };
enum { ST_OK = 0, ST_IOERR = 1, ST_UNSUPP = 2 };
enum { C_CAPACITY = 0, C_SIZE_MAX = 8, C_SEG_MAX = 12, C_MAX_DISCARD_SEG = 40, C_MAX_WZ_SEG = 52 };

#define RAM_IPA 0x40000000ull
#define RAM_SIZE (256u << 10)
#define QN 64
#define DESC 0x0000u
#define AVAIL 0x1000u
#define USED 0x2000u
#define ITABLE 0x3000u
#define BUFS 0x4000u
#define MAXB 24 /* buffers in one chain: 3 header, 7 readable and 7 writable data, the status */
#define SECTORS 128
#define WSTART 32
#define WSECT 64
#define SERIAL "fuzz-serial-0001"

static uint8_t *ram, *want;
static uint8_t disk[SECTORS * 512], shadow[SECTORS * 512];
static struct dma_space gm;
static struct blkdev ramdisk;
static struct virtio_blk vb;
static bool verbose; /* FUZZ_VERBOSE set: each request and its status */

static __attribute__((noreturn)) void die(const char *what)
{
	fprintf(stderr, "fuzz_blk: %s\n", what);
	abort();
}

static void line_set(void *ctx, uint32_t intid, bool high)
{
	(void)ctx, (void)intid, (void)high;
}

static void wr(uint32_t off, uint32_t v)
{
	uint64_t x = v;
	if (mmio_device_access(&virtio_mmio_ops, &vb.dev, off, 4, true, &x))
		die("register write refused");
}

static uint32_t rd(uint32_t off)
{
	uint64_t x = 0;
	if (mmio_device_access(&virtio_mmio_ops, &vb.dev, off, 4, false, &x))
		die("register read refused");
	return (uint32_t)x;
}

static void put16(uint32_t off, uint16_t v)
{
	memcpy(ram + off, &v, 2);
}
static uint16_t get16(uint32_t off)
{
	uint16_t v;
	memcpy(&v, ram + off, 2);
	return v;
}
static uint32_t get32(uint32_t off)
{
	uint32_t v;
	memcpy(&v, ram + off, 4);
	return v;
}


/* One buffer of the chain being built: where, how long, who writes it. */
struct buf {
	uint32_t off, len;
	bool w;
};

/* The device's limits, as its configuration space offers them. */
static struct {
	uint64_t capacity;
	uint32_t seg_max, size_max, discard_seg, wz_seg;
	bool ro, discard, wz, indirect;
} lim;

/* The reference ([VIRTIO] 5.2.6): the readable bytes rd[0..rlen), the
 * writable buffers b[first_w..nb); returns the status and sets *used (the
 * used length) and applies the request to the shadow disk and to want
 * (guest RAM as it must be afterwards). */
static uint8_t reference(const uint8_t *rb, uint32_t rlen, const struct buf *b, unsigned nb,
			 unsigned first_w, uint32_t *used)
{
	uint32_t wlen = 0, type;
	uint64_t sector;

	for (unsigned i = first_w; i < nb; i++)
		wlen += b[i].len;
	*used = 1;
	if (rlen < 16)
		return ST_IOERR;
	memcpy(&type, rb, 4);
	memcpy(&sector, rb + 8, 8);
	switch (type) {
	case T_IN:
	case T_OUT: {
		bool in = type == T_IN;
		/* The data: a read's writable bytes but the status byte, a
		 * write's readable bytes after the header. */
		uint64_t len = in ? wlen - 1 : rlen - 16, pos = 0, skip = in ? 0 : 16;
		unsigned segs = 0;
		bool too_big = false;

		if (!in && lim.ro)
			return ST_IOERR;
		if (len % 512 || sector > lim.capacity || len / 512 > lim.capacity - sector)
			return ST_IOERR;
		if (len == 0)
			return ST_OK;
		/* Data segments: the buffers that hold data bytes. */
		for (unsigned i = in ? first_w : 0; i < (in ? nb : first_w); i++) {
			uint64_t lo = pos > skip ? pos : skip, hi = pos + b[i].len;
			if (hi > skip + len)
				hi = skip + len;
			if (hi > lo) {
				segs++;
				too_big |= hi - lo > lim.size_max;
			}
			pos += b[i].len;
		}
		if (segs > lim.seg_max || too_big)
			return ST_IOERR;
		uint8_t *d = shadow + (WSTART + sector) * 512;
		pos = 0;
		for (unsigned i = in ? first_w : 0; i < (in ? nb : first_w); i++) {
			for (uint32_t k = 0; k < b[i].len; k++, pos++) {
				if (pos < skip || pos >= skip + len)
					continue;
				if (in)
					want[b[i].off + k] = d[pos - skip];
				else
					d[pos - skip] = ram[b[i].off + k];
			}
		}
		*used = in ? (uint32_t)len + 1 : 1;
		return ST_OK;
	}
	case T_FLUSH:
		return ST_OK;
	case T_GET_ID: {
		static const char serial[20] = SERIAL;
		uint32_t n = wlen - 1 < 20 ? wlen - 1 : 20, k = 0;
		for (unsigned i = first_w; i < nb && k < n; i++)
			for (uint32_t j = 0; j < b[i].len && k < n; j++)
				want[b[i].off + j] = (uint8_t)serial[k++];
		*used = n + 1;
		return ST_OK;
	}
	case T_DISCARD:
	case T_WZ: {
		bool wz = type == T_WZ;
		uint32_t max = wz ? lim.wz_seg : lim.discard_seg;
		uint64_t n = (rlen - 16) / 16;

		if (!(wz ? lim.wz : lim.discard))
			return ST_UNSUPP;
		if (lim.ro)
			return ST_IOERR;
		if ((rlen - 16) % 16 || n == 0 || n > max)
			return ST_IOERR;
		for (unsigned i = 0; i < n; i++) {
			uint64_t s;
			uint32_t ns, fl;
			memcpy(&s, rb + 16 + 16 * i, 8);
			memcpy(&ns, rb + 24 + 16 * i, 4);
			memcpy(&fl, rb + 28 + 16 * i, 4);
			if (fl & ~(wz ? 1u : 0u))
				return ST_UNSUPP;
			if (s > lim.capacity || ns > lim.capacity - s)
				return ST_IOERR;
		}
		for (unsigned i = 0; i < n; i++) {
			uint64_t s;
			uint32_t ns;
			memcpy(&s, rb + 16 + 16 * i, 8);
			memcpy(&ns, rb + 24 + 16 * i, 4);
			memset(shadow + (WSTART + s) * 512, 0, (size_t)ns * 512);
		}
		return ST_OK;
	}
	default:
		return ST_UNSUPP;
	}
}

static void driver_start(uint8_t cfgb)
{
	uint64_t f, want_f;

	wr(R_STATUS, 0);
	wr(R_STATUS, S_ACK);
	wr(R_STATUS, S_ACK | S_DRIVER);
	wr(R_DEV_FEAT_SEL, 0);
	f = rd(0x010);
	wr(R_DEV_FEAT_SEL, 1);
	f |= (uint64_t)rd(0x010) << 32;
	want_f = F_V1 | F_SIZE_MAX | F_SEG_MAX | F_BLK_SIZE | F_FLUSH | (cfgb & 2 ? F_DISCARD : 0) |
		 (cfgb & 4 ? F_WZ : 0) | (cfgb & 8 ? F_INDIRECT : 0);
	f &= want_f;
	wr(R_DRV_FEAT_SEL, 0);
	wr(R_DRV_FEAT, (uint32_t)f);
	wr(R_DRV_FEAT_SEL, 1);
	wr(R_DRV_FEAT, (uint32_t)(f >> 32));
	wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	if (!(rd(R_STATUS) & S_FEATURES_OK))
		die("features refused");
	wr(R_QUEUE_SEL, 0);
	wr(R_QUEUE_NUM, QN);
	wr(R_DESC_LO, (uint32_t)(RAM_IPA + DESC));
	wr(R_DESC_HI, (uint32_t)((RAM_IPA + DESC) >> 32));
	wr(R_DRIVER_LO, (uint32_t)(RAM_IPA + AVAIL));
	wr(R_DRIVER_HI, (uint32_t)((RAM_IPA + AVAIL) >> 32));
	wr(R_DEVICE_LO, (uint32_t)(RAM_IPA + USED));
	wr(R_DEVICE_HI, (uint32_t)((RAM_IPA + USED) >> 32));
	wr(R_QUEUE_READY, 1);
	wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	lim.capacity = rd(R_CONFIG + C_CAPACITY) | (uint64_t)rd(R_CONFIG + C_CAPACITY + 4) << 32;
	lim.size_max = rd(R_CONFIG + C_SIZE_MAX);
	lim.seg_max = rd(R_CONFIG + C_SEG_MAX);
	lim.discard_seg = rd(R_CONFIG + C_MAX_DISCARD_SEG);
	lim.wz_seg = rd(R_CONFIG + C_MAX_WZ_SEG);
	lim.ro = cfgb & 1;
	lim.discard = f & F_DISCARD;
	lim.wz = f & F_WZ;
	lim.indirect = f & F_INDIRECT;
	if (lim.capacity != WSECT)
		die("capacity");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t seg_maxes[4] = { 2, 4, 8, 254 };
	struct in in = { data, size };
	uint8_t cfgb = u8(&in);
	uint16_t avail_idx = 0;

	if (!ram) {
		ram = aligned_alloc(4096, RAM_SIZE);
		want = malloc(RAM_SIZE);
		if (!ram || !want ||
		    dma_space_init(&gm, &(struct dma_range){ RAM_IPA, RAM_SIZE, ram, DMA_BIDIR }, 1))
			die("setup");
		hv_set_log_level(LOG_ERROR);
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	}
	memset(ram, 0, RAM_SIZE);
	for (size_t i = 0; i < sizeof(disk); i++)
		disk[i] = (uint8_t)(i * 131 + (i >> 9));
	memcpy(shadow, disk, sizeof(disk));
	blk_ram_init(&ramdisk, "fuzz-ram", disk, sizeof(disk));
	ramdisk.seg_max = seg_maxes[(cfgb >> 4) & 3];
	ramdisk.size_max = cfgb & 0x40 ? 2048 : 0;
	struct vblk_params prm = { .be = &ramdisk, .start = WSTART, .sectors = WSECT,
				   .read_only = cfgb & 1, .nqueues = 1, .inflight = VBLK_INFLIGHT,
				   .serial = SERIAL };
	virtio_blk_init(&vb, "fuzz-blk", &prm, &gm, &(struct irq_line){ line_set, NULL, 0 });
	driver_start(cfgb);

	for (unsigned nreq = 0; in.n && nreq < 64; nreq++) {
		uint8_t kind = u8(&in) % 8, rb[16 + 6 * 16 + 32 + 8 * 8192];
		uint32_t type = kind == 0 || kind == 7 ? T_IN : kind == 1 ? T_OUT : kind == 2 ? T_FLUSH
			      : kind == 3 ? T_GET_ID : kind == 4 ? T_DISCARD : kind == 5 ? T_WZ : 0;
		uint16_t s = u16(&in);
		uint64_t sector = s & 0x8000 ? ~0ull - (s & 0xff) : s % 160;
		uint8_t split = u8(&in), ndata = u8(&in) % 8;
		struct buf b[MAXB];
		unsigned nb = 0, first_w;
		uint32_t dlen[8], rlen = 16, pos = BUFS, exp_used, used_len;
		uint8_t exp_st;

		if (kind == 6) {
			type = u16(&in);
			type |= (uint32_t)u16(&in) << 16;
		}
		for (unsigned i = 0; i < ndata; i++) {
			uint16_t v = u16(&in);
			dlen[i] = v & 0x8000 ? 512u * (v % 16) : v % 2600u;
			if (!dlen[i])
				dlen[i] = 1;
		}
		uint8_t fill = u8(&in);
		/* The readable bytes: header, then a write's data or the ranges. */
		memset(rb, 0, 16);
		memcpy(rb, &type, 4);
		memcpy(rb + 8, &sector, 8);
		bool data_w = type == T_IN && kind != 7; /* the data buffers are the device's to write */
		if (type == T_DISCARD || type == T_WZ) {
			uint8_t nr = u8(&in) % 6, junk = u8(&in);
			junk = junk & 0x80 ? junk % 17 : 0;
			for (unsigned i = 0; i < nr; i++) {
				uint64_t rs = u16(&in) % 160;
				uint32_t rn = u16(&in) % 100, fl = u8(&in) & 3;
				memcpy(rb + rlen, &rs, 8);
				memcpy(rb + rlen + 8, &rn, 4);
				memcpy(rb + rlen + 12, &fl, 4);
				rlen += 16;
			}
			for (unsigned i = 0; i < junk; i++)
				rb[rlen++] = fill;
			ndata = 0;
		} else if (!data_w) {
			for (unsigned i = 0; i < ndata; i++)
				for (uint32_t k = 0; k < dlen[i]; k++)
					rb[rlen++] = (uint8_t)(fill + k * 7 + i);
		}
		/* Readable buffers: the header in 1-3 pieces, then the rest. */
		unsigned hp = 1 + (split & 3) % 3;
		uint32_t cut[4] = { 0 };
		if (hp == 2)
			cut[1] = 1 + 2u * (split >> 5);
		if (hp == 3) {
			cut[1] = 1 + (split >> 5);
			cut[2] = cut[1] + 1 + ((split >> 5) & 3);
		}
		cut[hp] = 16;
		for (unsigned i = 0; i < hp; i++)
			if (cut[i + 1] > cut[i])
				b[nb++] = (struct buf){ 0, cut[i + 1] - cut[i], false };
		if (!data_w) {
			uint32_t left = rlen - 16;
			/* The first data bytes in the header's last buffer. */
			if ((split & 4) && ndata && left) {
				b[nb - 1].len += dlen[0];
				left -= dlen[0];
			}
			for (unsigned i = (split & 4) && ndata ? 1 : 0; left && i < (ndata ? ndata : 1); i++) {
				uint32_t l = ndata ? dlen[i] : left;
				b[nb++] = (struct buf){ 0, l, false };
				left -= l;
			}
		}
		for (unsigned i = 0, o = 0; i < nb; i++) {
			b[i].off = pos;
			memcpy(ram + pos, rb + o, b[i].len);
			o += b[i].len;
			pos += b[i].len + 8;
		}
		first_w = nb;
		/* Writable buffers: a read's data, then the status byte. */
		if (data_w || type == T_GET_ID)
			for (unsigned i = 0; i < ndata; i++) {
				b[nb++] = (struct buf){ pos, dlen[i], true };
				memset(ram + pos, fill, dlen[i]);
				pos += dlen[i] + 8;
			}
		if ((split & 8) && nb > first_w)
			b[nb - 1].len += 1;
		else {
			b[nb++] = (struct buf){ pos, split & 16 ? 4 : 1, true };
			memset(ram + pos, 0xee, b[nb - 1].len);
			pos += 16;
		}
		if (pos > RAM_SIZE || nb > MAXB)
			die("harness: the chain does not fit");
		/* The chain: in the ring's table from 0, or in an indirect table. */
		bool ind = lim.indirect && (kind & 1);
		uint32_t table = ind ? ITABLE : DESC;
		for (unsigned i = 0; i < nb; i++) {
			struct virtq_desc dsc = { RAM_IPA + b[i].off, b[i].len,
						  (uint16_t)((b[i].w ? D_WRITE : 0) | (i + 1 < nb ? D_NEXT : 0)),
						  (uint16_t)(i + 1) };
			memcpy(ram + table + 16 * i, &dsc, 16);
		}
		if (ind) {
			struct virtq_desc dsc = { RAM_IPA + ITABLE, 16 * nb, D_INDIRECT, 0 };
			memcpy(ram + DESC, &dsc, 16);
		}
		put16(AVAIL + 4 + 2 * (avail_idx % QN), 0);
		avail_idx++;
		put16(AVAIL + 2, avail_idx);
		memcpy(want, ram, RAM_SIZE);
		exp_st = reference(rb, rlen, b, nb, first_w, &exp_used);
		want[b[nb - 1].off + b[nb - 1].len - 1] = exp_st;
		wr(R_QUEUE_NOTIFY, 0);

		if (get16(USED + 2) != avail_idx)
			die("not exactly one used entry for the request");
		if (get32(USED + 4 + 8 * ((avail_idx - 1) % QN)) != 0)
			die("the used entry names another chain");
		used_len = get32(USED + 8 + 8 * ((avail_idx - 1) % QN));
		if (ram[b[nb - 1].off + b[nb - 1].len - 1] != exp_st) {
			fprintf(stderr, "type %u sector %llu rlen %u: status %u, reference %u\n", type,
				(unsigned long long)sector, rlen, ram[b[nb - 1].off + b[nb - 1].len - 1], exp_st);
			die("the status differs from the reference");
		}
		if (verbose)
			fprintf(stderr, "request %u: type %u sector %llu, %u buffers (%u readable, %u bytes): "
				"status %u, used %u\n", nreq, type, (unsigned long long)sector, nb, first_w, rlen,
				exp_st, used_len);
		if (used_len != exp_used)
			die("the used length differs from the reference");
		if (memcmp(disk, shadow, sizeof(disk)))
			die("the disk differs from the reference");
		/* Guest RAM: as the reference says, but the used ring. */
		memcpy(want + USED, ram + USED, 0x1000);
		if (memcmp(want, ram, RAM_SIZE))
			die("guest memory written where the reference does not");
	}
	return 0;
}
