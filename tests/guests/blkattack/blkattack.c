/* The hostile virtio-blk driver: negotiates and sets up its two virtual
 * disks the way a driver would, proves with valid reads that the path to
 * the physical disk works, then sends every request a disk must refuse:
 * sectors outside its window (past the end, straddling it, near 2^64,
 * aimed at the other partition's window), lengths that are not whole
 * sectors, writes, discards and write-zeroes on the read-only disk, bad
 * discard / write-zeroes ranges and flags, unknown types, short headers,
 * too many segments; each must complete with IOERR or UNSUPP, used.len 1
 * and nothing written but the status byte. Chains the device cannot answer
 * (no status byte, buffers in the other partition's RAM or the
 * hypervisor's) must put it in DEVICE_NEEDS_RESET, and after a reset the
 * disk must serve reads again; a reset abandons reads in flight without a
 * trace in the new ring; the physical disk's own registers are aborted.
 * The guest never writes successfully: the host test checks that the disk
 * image is unchanged.
 *
 * Runs in "hostile" of tests/configs/good/blk-hostile.dts: RAM 0x70000000
 * size 0x4000000; virtio-mmio slot 0 (0x0a000000) is virtio-blk-rw, sectors
 * [2048, +2048) of disk0, slot 1 (0x0a000200) is virtio-blk-ro, sectors
 * [8192, +2048), read-only; "linux" owns [16384, +4096) and RAM at
 * 0x50000000; the hypervisor's image is at 0x40080000. The disk holds the
 * pattern of pat_word() (tests/qemu/test_blk_hostile.sh writes it).
 * proves: BLK-1, BLK-6, PLATFORM-5 */
#define GUEST_NAME "blkattack"
#include "../common/guest.h"
#include "../common/cases.h"
#include "../common/virtio_mmio.h"
#include "../common/pattern.h"

#define VBLK_RW 0x0a000000UL
#define VBLK_RO 0x0a000200UL
#define RW_START 2048ULL
#define RO_START 8192ULL
#define WIN_SECTORS 2048ULL
#define LINUX_START 16384ULL
#define PHYS_BLK 0x0a003e00UL /* QEMU's virtio-blk-device: the last of 32 transports */
#define OTHER_RAM 0x50000000UL
#define HV_RAM 0x40080000UL
#define RAM_END 0x74000000UL

/* virtio-blk config space ([VIRTIO] 5.2.4) */
#define C_CAPACITY 0
#define C_SEG_MAX 12
#define C_MAX_DISCARD_SEG 40
#define C_MAX_WZ_SEG 52

#define S_LIVE (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)

#define F_SIZE_MAX (1ULL << 1)
#define F_SEG_MAX (1ULL << 2)
#define F_RO (1ULL << 5)
#define F_BLK_SIZE (1ULL << 6)
#define F_FLUSH (1ULL << 9)
#define F_DISCARD (1ULL << 13)
#define F_WRITE_ZEROES (1ULL << 14)
#define F_WANT (F_SIZE_MAX | F_SEG_MAX | F_RO | F_BLK_SIZE | F_FLUSH | F_DISCARD | \
		F_WRITE_ZEROES | F_INDIRECT | F_VERSION_1)

#define T_IN 0
#define T_OUT 1
#define T_GET_ID 8
#define T_DISCARD 11
#define T_WRITE_ZEROES 13
#define T_SECURE_ERASE 14

#define B_OK 0
#define B_IOERR 1
#define B_UNSUPP 2

#define QNUM 128
#define GUARD 0xa5
#define ST_UNSET 0xee
#define WAIT_SPINS 100000000UL

/* Everything the devices see lives in this array, in the partition's RAM
 * (IPA == PA): one ring area per disk (descriptors, avail, used, an
 * indirect table), the header and ranges, the status byte and the data
 * buffer, each inside guard bytes, and a scratch buffer for orphans. */
static uint8_t arena[0xc000]; /* 0xb000 used, from the first page boundary */
static uintptr_t A;
#define RING(k) (A + (uintptr_t)(k) * 0x2000) /* desc +0, avail +0x800, used +0x1000, itab +0x1800 */
#define HDR (A + 0x4000)        /* readable: header, then ranges */
#define STAT_AREA (A + 0x4400)  /* [STAT_AREA, +0x100): guards around the status byte */
#define STAT (STAT_AREA + 0x80)
#define DATA_AREA (A + 0x5000)  /* [DATA_AREA, +0x2000): guards around the data buffer */
#define DATA (DATA_AREA + 0x800)
#define ORPHAN (A + 0x8000)     /* reads abandoned by a reset land here */
#define BIGTAB (A + 0xa000)     /* an indirect table of BIGTAB_N entries */
#define BIGTAB_N 256

struct dev {
	uintptr_t base, ring;
	uint64_t feat; /* negotiated */
	uint16_t avail, used;
};

static struct dev rw, ro;
static int reads_after = 1;
static uint32_t used_id, used_len;
static unsigned long slowest; /* polls of the slowest answer */

static uint32_t rd(const struct dev *d, uint32_t off) { return mmio_read32(d->base + off); }
static void wr(const struct dev *d, uint32_t off, uint32_t v) { mmio_write32(d->base + off, v); }

/* ---- the driver ---- */

#define DESC(d) ((d)->ring)
#define AVAIL(d) ((d)->ring + 0x800)
#define USED(d) ((d)->ring + 0x1000)
#define ITAB(d) ((d)->ring + 0x1800)

static void dev_reset(struct dev *d)
{
	wr(d, R_STATUS, 0);
	d->avail = d->used = 0;
	d->feat = 0;
}

static uint32_t cfg32(const struct dev *d, uint32_t off) { return rd(d, R_CONFIG + off); }

/* Reset, negotiate what we want of what is offered, set up queue 0 (no
 * interrupts: the guest polls), DRIVER_OK. */
static int dev_init(struct dev *d)
{
	uint64_t f;

	dev_reset(d);
	fill(d->ring, d->ring + 0x2000, 0);
	w16(AVAIL(d), 1); /* VIRTQ_AVAIL_F_NO_INTERRUPT: we poll */
	barrier();
	f = vmmio_negotiate(d->base, F_WANT, 1);
	if (!(rd(d, R_STATUS) & S_FEATURES_OK))
		return 0;
	if (!vmmio_queue_setup(d->base, 0, QNUM, DESC(d), AVAIL(d), USED(d)))
		return 0;
	wr(d, R_STATUS, S_LIVE);
	d->feat = f;
	return rd(d, R_STATUS) == S_LIVE && rd(d, R_QUEUE_READY) == 1;
}

/* One buffer of a request. */
struct sg {
	uint64_t addr;
	uint32_t len;
	uint16_t flags; /* D_WRITE or 0 */
};

/* Chain s[0..n) at descriptors 0..n-1 (or, indirect, in the indirect table
 * behind descriptor 0), publish, notify. */
static void send(struct dev *d, const struct sg *s, unsigned n, int indirect)
{
	uintptr_t t = indirect ? ITAB(d) : DESC(d);
	for (unsigned i = 0; i < n; i++)
		set_desc(t, i, s[i].addr, s[i].len, (uint16_t)(s[i].flags | (i + 1 < n ? D_NEXT : 0)),
			 (uint16_t)(i + 1));
	if (indirect)
		set_desc(DESC(d), 0, ITAB(d), 16 * n, D_INDIRECT, 0);
	vq_publish(AVAIL(d), &d->avail, QNUM, 0);
	wr(d, R_QUEUE_NOTIFY, 0);
}

/* 1: the device used one more chain (used_id, used_len set); 0: the device
 * is in NEEDS_RESET; -1: no answer in time. */
static int wait_used(struct dev *d)
{
	for (unsigned long i = 0; i < WAIT_SPINS; i++) {
		if (vq_take_used(USED(d), &d->used, QNUM, &used_id, &used_len)) {
			if (i > slowest)
				slowest = i;
			return 1;
		}
		if ((i & 1023) == 0 && (rd(d, R_STATUS) & S_NEEDS_RESET))
			return 0;
	}
	return -1;
}

static void prepare(void)
{
	fill(STAT_AREA, STAT_AREA + 0x100, GUARD);
	w8(STAT, ST_UNSET);
	fill(DATA_AREA, DATA_AREA + 0x2000, GUARD);
}

static int stat_guards(void)
{
	return all_are(STAT_AREA, STAT, GUARD) && all_are(STAT + 1, STAT_AREA + 0x100, GUARD);
}

/* Nothing written. */
static int untouched(void)
{
	return stat_guards() && r8(STAT) == ST_UNSET && all_are(DATA_AREA, DATA_AREA + 0x2000, GUARD);
}

/* Only the status byte written. */
static int only_status(void)
{
	return stat_guards() && all_are(DATA_AREA, DATA_AREA + 0x2000, GUARD);
}

static void header(uint32_t type, uint64_t sector)
{
	fill(HDR, HDR + 0x200, 0);
	w32(HDR, type);
	w32(HDR + 4, 0);
	w64(HDR + 8, sector);
}

/* The request completed with status want, used.len 1 (nothing but the
 * status written, in the guest's buffers or anywhere near them), and the
 * device carries on. */
static int completes(struct dev *d, const struct sg *s, unsigned n, uint8_t want)
{
	int r;

	send(d, s, n, 0);
	r = wait_used(d);
	detail = (uint64_t)(r & 0xff) << 56 | (uint64_t)r8(STAT) << 48 | (uint64_t)used_len << 16 |
		 rd(d, R_STATUS);
	return r == 1 && used_id == 0 && used_len == 1 && r8(STAT) == want && only_status() &&
	       !(rd(d, R_STATUS) & S_NEEDS_RESET);
}

/* header, data (if len), status: a READ's data is written by the device. */
static int rw_req(struct dev *d, uint32_t type, uint64_t sector, uint32_t len, uint8_t want)
{
	struct sg s[3];
	unsigned n = 0;

	prepare();
	header(type, sector);
	s[n++] = (struct sg){ HDR, 16, 0 };
	if (len)
		s[n++] = (struct sg){ DATA, len, (uint16_t)(type == T_IN ? D_WRITE : 0) };
	s[n++] = (struct sg){ STAT, 1, D_WRITE };
	return completes(d, s, n, want);
}

/* DISCARD / WRITE_ZEROES: header and n ranges in one readable buffer. */
static void range(unsigned i, uint64_t sector, uint32_t nsect, uint32_t flags)
{
	uintptr_t r = HDR + 16 + 16 * (uintptr_t)i;
	w64(r, sector);
	w32(r + 8, nsect);
	w32(r + 12, flags);
}

static int range_req(struct dev *d, uint32_t type, unsigned n, uint32_t extra, uint8_t want)
{
	struct sg s[2] = { { HDR, 16 + 16 * n + extra, 0 }, { STAT, 1, D_WRITE } };
	w32(HDR, type); /* the caller wrote header() and the ranges */
	prepare();
	return completes(d, s, 2, want);
}

/* The device refused the chain: NEEDS_RESET with a configuration
 * interrupt, nothing used, nothing written. More notifies change nothing
 * (and do not flood the log). */
static int needs_reset(struct dev *d, const struct sg *s, unsigned n)
{
	uint32_t st, isr;
	int ok;

	send(d, s, n, 0);
	barrier();
	st = rd(d, R_STATUS);
	isr = rd(d, R_INT_STATUS);
	detail = (uint64_t)isr << 32 | st;
	ok = (st & S_NEEDS_RESET) && (isr & 2) && r16(USED(d) + 2) == d->used && untouched();
	for (int i = 0; i < 16; i++)
		wr(d, R_QUEUE_NOTIFY, 0);
	wr(d, R_INT_ACK, isr);
	barrier();
	return ok && r16(USED(d) + 2) == d->used && untouched() && (rd(d, R_STATUS) & S_NEEDS_RESET);
}

/* A valid READ of one or two sectors at sector of d's window into DATA;
 * OK, used.len = data + status, the pattern of abs (absolute sector). */
static int read_ok(struct dev *d, uint64_t sector, uint64_t abs, uint32_t len, int indirect)
{
	struct sg s[3] = { { HDR, 16, 0 }, { DATA, len, D_WRITE }, { STAT, 1, D_WRITE } };
	int r;

	prepare();
	header(T_IN, sector);
	send(d, s, 3, indirect);
	r = wait_used(d);
	detail = (uint64_t)(r & 0xff) << 56 | (uint64_t)r8(STAT) << 48 | (uint64_t)used_len << 16 |
		 rd(d, R_STATUS);
	return r == 1 && used_id == 0 && used_len == len + 1 && r8(STAT) == B_OK &&
	       pattern_at(DATA, abs, len) && all_are(DATA_AREA, DATA, GUARD) &&
	       all_are(DATA + len, DATA_AREA + 0x2000, GUARD);
}

/* ---- requests that must complete with IOERR or UNSUPP ---- */

static int c_write_past_end(void) { return rw_req(&rw, T_OUT, WIN_SECTORS, 512, B_IOERR); }
static int c_write_straddle(void) { return rw_req(&rw, T_OUT, WIN_SECTORS - 1, 1024, B_IOERR); }
static int c_read_past_end(void) { return rw_req(&rw, T_IN, WIN_SECTORS, 512, B_IOERR); }
static int c_read_straddle(void) { return rw_req(&rw, T_IN, WIN_SECTORS - 1, 1024, B_IOERR); }
static int c_read_linux(void)
{
	return rw_req(&rw, T_IN, LINUX_START - RW_START, 512, B_IOERR);
}
static int c_read_ro_past_end(void) { return rw_req(&ro, T_IN, WIN_SECTORS, 512, B_IOERR); }
static int c_read_2_64(void) { return rw_req(&rw, T_IN, 0xffffffffffffffffULL, 512, B_IOERR); }
/* Window start + sector wraps to 0; sector + 2 wraps to 1: inside the
 * window if anyone added before checking. */
static int c_write_wrap(void)
{
	return rw_req(&rw, T_OUT, 0ULL - RW_START, 512, B_IOERR);
}
static int c_write_wrap2(void) { return rw_req(&rw, T_OUT, 0xffffffffffffffffULL, 1024, B_IOERR); }
static int c_read_511(void) { return rw_req(&rw, T_IN, 0, 511, B_IOERR); }
static int c_write_513(void) { return rw_req(&rw, T_OUT, 0, 513, B_IOERR); }
static int c_write_ro(void) { return rw_req(&ro, T_OUT, 0, 512, B_IOERR); }

static int c_discard_ro(void)
{
	header(T_DISCARD, 0);
	range(0, 0, 8, 0);
	return range_req(&ro, T_DISCARD, 1, 0, B_IOERR);
}

static int c_wz_ro(void)
{
	header(T_WRITE_ZEROES, 0);
	range(0, 0, 8, 0);
	return range_req(&ro, T_WRITE_ZEROES, 1, 0, B_IOERR);
}

static int c_discard_past_end(void)
{
	header(T_DISCARD, 0);
	range(0, WIN_SECTORS - 8, 16, 0);
	return range_req(&rw, T_DISCARD, 1, 0, B_IOERR);
}

static int c_wz_linux(void)
{
	header(T_WRITE_ZEROES, 0);
	range(0, LINUX_START - RW_START, 8, 0);
	return range_req(&rw, T_WRITE_ZEROES, 1, 0, B_IOERR);
}

static int c_wz_wrap(void)
{
	header(T_WRITE_ZEROES, 0);
	range(0, 0xfffffffffffffff8ULL, 16, 0);
	return range_req(&rw, T_WRITE_ZEROES, 1, 0, B_IOERR);
}

static int c_discard_unmap(void)
{
	header(T_DISCARD, 0);
	range(0, 0, 8, 1); /* VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP: not for DISCARD */
	return range_req(&rw, T_DISCARD, 1, 0, B_UNSUPP);
}

/* One range more than the limit in the configuration space at max_seg. */
static int too_many_ranges(uint32_t type, uint32_t max_seg)
{
	uint32_t n = cfg32(&rw, max_seg) + 1;
	detail = n;
	if (n < 2 || n > 16)
		return 0;
	header(type, 0);
	for (unsigned i = 0; i < n; i++)
		range(i, 8 * i, 8, 0); /* each one in the window */
	return range_req(&rw, type, n, 0, B_IOERR);
}

static int c_wz_too_many(void) { return too_many_ranges(T_WRITE_ZEROES, C_MAX_WZ_SEG); }
static int c_discard_too_many(void) { return too_many_ranges(T_DISCARD, C_MAX_DISCARD_SEG); }

static int c_discard_no_range(void)
{
	header(T_DISCARD, 0);
	return range_req(&rw, T_DISCARD, 0, 0, B_IOERR);
}

static int c_discard_partial_range(void)
{
	header(T_DISCARD, 0);
	range(0, 0, 8, 0);
	return range_req(&rw, T_DISCARD, 0, 8, B_IOERR);
}

static int c_unknown_type(void) { return rw_req(&rw, 0xdeadbeef, 0, 512, B_UNSUPP); }
static int c_secure_erase(void)
{
	header(T_SECURE_ERASE, 0);
	range(0, 0, 8, 0);
	return range_req(&rw, T_SECURE_ERASE, 1, 0, B_UNSUPP);
}

static int c_short_header(void)
{
	struct sg s[3] = { { HDR, 8, 0 }, { DATA, 512, D_WRITE }, { STAT, 1, D_WRITE } };
	prepare();
	header(T_IN, 0);
	return completes(&rw, s, 3, B_IOERR);
}

/* A READ in seg_max + 1 data buffers, in an indirect table: 8 bytes each,
 * the last one with the rest of a whole number of sectors and the status
 * byte, so the chain has seg_max + 2 buffers (at most 256), which the ring
 * engine takes and the disk refuses. */
static int c_too_many_segs(void)
{
	uint32_t segmax = cfg32(&rw, C_SEG_MAX), n = segmax + 1, last, len;
	int r;

	detail = segmax;
	if (segmax == 0 || segmax + 2 > BIGTAB_N)
		return 0;
	len = (n - 1) * 8;
	last = 512 - len % 512; /* data bytes in the last buffer: 1..512 */
	len += last;
	prepare();
	header(T_IN, 0);
	set_desc(BIGTAB, 0, HDR, 16, D_NEXT, 1);
	for (unsigned i = 0; i + 1 < n; i++)
		set_desc(BIGTAB, 1 + i, DATA + 8 * i, 8, D_WRITE | D_NEXT, (uint16_t)(2 + i));
	set_desc(BIGTAB, n, DATA + 8 * (n - 1), last + 1, D_WRITE, 0); /* status at DATA + len */
	set_desc(DESC(&rw), 0, BIGTAB, 16 * (n + 1), D_INDIRECT, 0);
	vq_publish(AVAIL(&rw), &rw.avail, QNUM, 0);
	wr(&rw, R_QUEUE_NOTIFY, 0);
	r = wait_used(&rw);
	detail = (uint64_t)(r & 0xff) << 56 | (uint64_t)r8(DATA + len) << 48 | (uint64_t)used_len << 16 |
		 segmax;
	return r == 1 && used_len == 1 && r8(DATA + len) == B_IOERR && all_are(DATA_AREA, DATA + len, GUARD) &&
	       all_are(DATA + len + 1, DATA_AREA + 0x2000, GUARD) && stat_guards() && r8(STAT) == ST_UNSET &&
	       !(rd(&rw, R_STATUS) & S_NEEDS_RESET);
}

/* GET_ID with room for nothing but the status: the id goes nowhere. */
static int c_get_id_status_only(void) { return rw_req(&rw, T_GET_ID, 0, 0, B_OK); }

/* GET_ID into a 1-byte buffer: one byte of the id, the status, no more. */
static int c_get_id_1(void)
{
	struct sg s[3] = { { HDR, 16, 0 }, { DATA, 1, D_WRITE }, { STAT, 1, D_WRITE } };
	int r;

	prepare();
	header(T_GET_ID, 0);
	send(&rw, s, 3, 0);
	r = wait_used(&rw);
	detail = (uint64_t)(r & 0xff) << 56 | (uint64_t)r8(STAT) << 48 | (uint64_t)used_len << 16 |
		 r8(DATA);
	return r == 1 && used_len == 2 && r8(STAT) == B_OK && r8(DATA) == 'h' && stat_guards() &&
	       all_are(DATA_AREA, DATA, GUARD) && all_are(DATA + 1, DATA_AREA + 0x2000, GUARD);
}

/* ---- chains the device cannot answer: NEEDS_RESET ---- */

static int c_no_status(void)
{
	struct sg s[2] = { { HDR, 16, 0 }, { DATA, 512, 0 } };
	prepare();
	header(T_OUT, 0);
	return needs_reset(&rw, s, 2);
}

static int c_header_only(void)
{
	struct sg s[1] = { { HDR, 16, 0 } };
	prepare();
	header(T_GET_ID, 0);
	return needs_reset(&rw, s, 1);
}

static int c_status_len0(void)
{
	struct sg s[2] = { { HDR, 16, 0 }, { STAT, 0, D_WRITE } };
	prepare();
	header(T_GET_ID, 0);
	return needs_reset(&rw, s, 2);
}

static int data_at(uint32_t type, uint64_t addr, uint32_t len)
{
	struct sg s[3] = { { HDR, 16, 0 }, { addr, len, (uint16_t)(type == T_IN ? D_WRITE : 0) },
			   { STAT, 1, D_WRITE } };
	prepare();
	header(type, 0);
	return needs_reset(&rw, s, 3);
}

static int c_read_into_other(void) { return data_at(T_IN, OTHER_RAM, 512); }
static int c_read_into_hv(void) { return data_at(T_IN, HV_RAM, 512); }
static int c_read_straddle_ram(void) { return data_at(T_IN, RAM_END - 256, 512); }
static int c_write_from_other(void) { return data_at(T_OUT, OTHER_RAM, 512); }
static int c_write_from_hv(void) { return data_at(T_OUT, HV_RAM, 512); }

static int c_status_in_other(void)
{
	struct sg s[3] = { { HDR, 16, 0 }, { DATA, 512, D_WRITE }, { OTHER_RAM + 0x1000, 1, D_WRITE } };
	prepare();
	header(T_IN, 0);
	return needs_reset(&rw, s, 3);
}

static int c_header_in_hv(void)
{
	struct sg s[3] = { { HV_RAM, 16, 0 }, { DATA, 512, D_WRITE }, { STAT, 1, D_WRITE } };
	prepare();
	return needs_reset(&rw, s, 3);
}

static int c_readable_after_status(void)
{
	struct sg s[3] = { { HDR, 16, 0 }, { STAT, 1, D_WRITE }, { DATA, 512, 0 } };
	prepare();
	header(T_OUT, 0);
	return needs_reset(&rw, s, 3);
}

/* ---- a reset with reads at the backend ---- */

/* Twelve times: a valid READ of sector i into ORPHAN, then at once a
 * reset. More than the disk's request slots, so some wait for a slot and
 * die with the reset. A read the device finished before the reset (used
 * idx moved; the device lock orders the two) has its status; one it
 * abandoned never writes its status or an entry in the new used ring.
 * (Today abandoned reads still land in their buffer after the reset: the
 * detail shows how many finished before, were abandoned, and whether one
 * landed.) */
static int c_reset_in_flight(void)
{
	uintptr_t st = ORPHAN + 0x1000;
	unsigned before = 0, abandoned = 0;
	int ok = 1, landed = 0;

	fill(ORPHAN, ORPHAN + 512, 0);
	fill(st, st + 16, ST_UNSET);
	for (unsigned i = 0; i < 12; i++) {
		struct sg s[3] = { { HDR, 16, 0 }, { ORPHAN, 512, D_WRITE }, { st + i, 1, D_WRITE } };
		header(T_IN, i);
		send(&rw, s, 3, 0);
		wr(&rw, R_STATUS, 0);
		barrier();
		if (r16(USED(&rw) + 2) != rw.used) {
			before++;
			ok &= r8(st + i) == B_OK;
			w8(st + i, ST_UNSET);
		} else {
			abandoned++;
		}
		if (!dev_init(&rw))
			return 0;
	}
	/* Until an abandoned read has landed, and a while for the others. */
	for (unsigned long i = 0; i < 1000000UL && !landed; i++) {
		barrier();
		for (unsigned j = 0; j < 12; j++)
			landed |= pattern_at(ORPHAN, RW_START + j, 8);
	}
	for (volatile unsigned long i = 0; i < 2000000UL; i++)
		;
	barrier();
	landed = 0;
	for (unsigned j = 0; j < 12; j++)
		landed |= pattern_at(ORPHAN, RW_START + j, 512);
	detail = (uint64_t)before << 48 | (uint64_t)abandoned << 40 | (uint64_t)landed << 32 |
		 (uint64_t)r16(USED(&rw) + 2) << 16 | rd(&rw, R_STATUS);
	return ok && all_are(st, st + 16, ST_UNSET) &&
	       r16(USED(&rw) + 2) == 0 && rd(&rw, R_STATUS) == S_LIVE;
}

/* ---- the physical disk's own registers ---- */

/* A data abort injected by the hypervisor: EC 0x25 (from EL1), DFSC 0x10
 * (synchronous external abort), at the address tried. */
static int aborted(uintptr_t addr, int write, uint32_t v)
{
	uint64_t before = n_exceptions;
	probe(addr, 4, write, v);
	detail = last_esr;
	return took_sea(before, addr);
}

/* The hypervisor drives the physical disk at PHYS_BLK; the guest sees its
 * own two devices and nothing else of the 32 virtio-mmio slots. Reading
 * the others, and resetting or notifying the physical disk, is aborted
 * (a reset reaching it would fail every disk: the test would see it). */
static int c_phys_regs(void)
{
	int ok = 1;

	for (uintptr_t a = VBLK_RO + 0x200; a <= PHYS_BLK; a += 0x200)
		ok &= aborted(a + R_MAGIC, 0, 0);
	ok &= aborted(PHYS_BLK + R_STATUS, 0, 0);
	ok &= aborted(PHYS_BLK + R_STATUS, 1, 0);
	ok &= aborted(PHYS_BLK + R_QUEUE_NOTIFY, 1, 0);
	ok &= aborted(PHYS_BLK + R_QUEUE_DESC, 1, (uint32_t)OTHER_RAM);
	return ok;
}

/* ---- the harness ---- */

/* Each case starts on freshly initialised disks; after it, both serve a
 * valid READ again (without a reset unless the case put one in
 * NEEDS_RESET). */
static void run_case(const char *what, int (*fn)(void))
{
	uint64_t det;
	int ok;

	if (!dev_init(&rw) || !dev_init(&ro)) {
		reads_after = 0;
		case_note("the disks cannot be set up before: ", what);
	}
	detail = 0;
	ok = fn();
	det = detail;
	if (((rd(&rw, R_STATUS) & S_NEEDS_RESET) && !dev_init(&rw)) ||
	    ((rd(&ro, R_STATUS) & S_NEEDS_RESET) && !dev_init(&ro)) ||
	    !read_ok(&rw, 1, RW_START + 1, 512, 0) || !read_ok(&ro, 2, RO_START + 2, 512, 0)) {
		reads_after = 0;
		ok = 0;
		case_note("a disk does not serve reads after: ", what);
	}
	detail = det;
	report_case(what, ok);
}

static int identity(const struct dev *d, int read_only)
{
	uint64_t f = vmmio_dev_features(d->base);
	uint64_t cap = cfg32(d, C_CAPACITY) | (uint64_t)cfg32(d, C_CAPACITY + 4) << 32;

	detail = f;
	return rd(d, R_MAGIC) == 0x74726976 && rd(d, R_VERSION) == 2 && rd(d, R_DEVICE_ID) == 2 &&
	       cap == WIN_SECTORS && (f & F_VERSION_1) && (f & F_DISCARD) && (f & F_WRITE_ZEROES) &&
	       !!(f & F_RO) == read_only;
}

static int get_id_full(void)
{
	struct sg s[3] = { { HDR, 16, 0 }, { DATA, 20, D_WRITE }, { STAT, 1, D_WRITE } };
	static const char id[] = "hostile-0";
	int r, ok;

	prepare();
	header(T_GET_ID, 0);
	send(&rw, s, 3, 0);
	r = wait_used(&rw);
	detail = (uint64_t)(r & 0xff) << 56 | (uint64_t)r8(STAT) << 48 | used_len;
	ok = r == 1 && used_len == 21 && r8(STAT) == B_OK && all_are(DATA + 9, DATA + 20, 0) &&
	     all_are(DATA + 20, DATA_AREA + 0x2000, GUARD);
	for (unsigned i = 0; i < 9; i++)
		ok &= r8(DATA + i) == (uint8_t)id[i];
	return ok;
}

void guest_main(uint64_t x0, uint64_t first_counter)
{
	(void)x0;
	(void)first_counter;

	A = ((uintptr_t)arena + 0xfff) & ~(uintptr_t)0xfff;
	rw.base = VBLK_RW;
	rw.ring = RING(0);
	ro.base = VBLK_RO;
	ro.ring = RING(1);
	puts_("blkattack: starting, rings at ");
	put_hex(A);
	putc_('\n');

	/* The path works: what the refusals below mean. */
	control("two virtio-blk disks of 2048 sectors, the second read-only", identity(&rw, 0) &&
		identity(&ro, 1));
	control("both disks initialise (VERSION_1, INDIRECT_DESC)",
		dev_init(&rw) && dev_init(&ro) && (rw.feat & F_INDIRECT) && (ro.feat & F_RO));
	control("READ sector 0 of the read-write disk: the pattern of disk sector 2048",
		read_ok(&rw, 0, RW_START, 512, 0));
	control("READ its last sector (2047): disk sector 4095", read_ok(&rw, WIN_SECTORS - 1,
		RW_START + WIN_SECTORS - 1, 512, 0));
	control("READ 2 sectors of the read-only disk through an indirect table: disk sector 8192",
		read_ok(&ro, 0, RO_START, 1024, 1));
	control("GET_ID: the serial hostile-0", get_id_full());

	run_case("WRITE one sector past the window's end", c_write_past_end);
	run_case("WRITE straddling the window's end", c_write_straddle);
	run_case("READ one sector past the window's end", c_read_past_end);
	run_case("READ straddling the window's end", c_read_straddle);
	run_case("READ at linux's window (sector 14336 of the window)", c_read_linux);
	run_case("READ past the read-only disk's end", c_read_ro_past_end);
	run_case("READ at sector 2^64-1", c_read_2_64);
	run_case("WRITE at sector 2^64-2048 (window start + sector wraps to 0)", c_write_wrap);
	run_case("WRITE of 2 sectors at 2^64-1 (end wraps to 1)", c_write_wrap2);
	run_case("READ of 511 bytes", c_read_511);
	run_case("WRITE of 513 bytes", c_write_513);
	run_case("WRITE to the read-only disk", c_write_ro);
	run_case("DISCARD on the read-only disk", c_discard_ro);
	run_case("WRITE_ZEROES on the read-only disk", c_wz_ro);
	run_case("DISCARD range straddling the window's end", c_discard_past_end);
	run_case("WRITE_ZEROES range on linux's window", c_wz_linux);
	run_case("WRITE_ZEROES range wrapping past 2^64", c_wz_wrap);
	run_case("DISCARD with the UNMAP flag (UNSUPP)", c_discard_unmap);
	run_case("WRITE_ZEROES with more ranges than max_write_zeroes_seg", c_wz_too_many);
	run_case("DISCARD with more ranges than max_discard_seg", c_discard_too_many);
	run_case("DISCARD without a range", c_discard_no_range);
	run_case("DISCARD with half a range", c_discard_partial_range);
	run_case("unknown request type 0xdeadbeef (UNSUPP)", c_unknown_type);
	run_case("SECURE_ERASE, not offered (UNSUPP)", c_secure_erase);
	run_case("request header of 8 bytes", c_short_header);
	run_case("READ in seg_max + 1 data buffers, more than seg_max", c_too_many_segs);
	run_case("GET_ID with room for the status only: nothing else written", c_get_id_status_only);
	run_case("GET_ID into a 1-byte buffer: one byte and the status", c_get_id_1);
	run_case("request without a writable descriptor (NEEDS_RESET)", c_no_status);
	run_case("request of a header only (NEEDS_RESET)", c_header_only);
	run_case("status descriptor of length 0 (NEEDS_RESET)", c_status_len0);
	run_case("READ into the other partition's RAM (NEEDS_RESET)", c_read_into_other);
	run_case("READ into the hypervisor's image (NEEDS_RESET)", c_read_into_hv);
	run_case("READ into a buffer straddling the end of its RAM (NEEDS_RESET)",
		 c_read_straddle_ram);
	run_case("WRITE from the other partition's RAM (NEEDS_RESET)", c_write_from_other);
	run_case("WRITE from the hypervisor's image (NEEDS_RESET)", c_write_from_hv);
	run_case("status byte in the other partition's RAM (NEEDS_RESET)", c_status_in_other);
	run_case("header in the hypervisor's image (NEEDS_RESET)", c_header_in_hv);
	run_case("readable buffer after the status (NEEDS_RESET)", c_readable_after_status);
	run_case("reset with reads in flight: no status, no used entry afterwards",
		 c_reset_in_flight);
	run_case("the physical disk's registers (0x0a003e00) and the empty slots: aborted",
		 c_phys_regs);

	dev_reset(&rw);
	dev_reset(&ro);
	report_alive("cases");
	puts_("blkattack: slowest answer after ");
	put_dec(slowest);
	puts_(" polls\n");
	report_served();
	if (reads_after)
		puts_("blkattack: both disks serve reads after every case\n");
	report_done();
}
