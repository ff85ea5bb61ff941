/* The hostile virtio-iommu driver: drives its partition's virtio-iommu
 * ([VIRTIO] 5.13) and the virtio-blk disk behind it as a driver would,
 * then sends each request the IOMMU must refuse, one case per rule of
 * IOMMU-1..11 (../shared/REQUIREMENTS.md), and checks the exact status,
 * that a refused request attached, removed or wrote nothing, and the
 * fault reports. The disk is the proof of what the IOMMU decides (IOMMU-2,
 * IOMMU-7, IOMMU-12): its reads go through the endpoint's mappings, reads
 * into an unmapped or read-only-mapped buffer write nothing, and a read
 * into a buffer mapped at another I/O address lands where the mapping
 * says.
 *
 * Runs in "attacker" of tests/configs/good/iommu-hostile.dts: RAM
 * 0x70000000 size 0x4000000. Devices in registry order (endpoint ID =
 * device index, the UART console is 0): slot 0 (0x0a000000) the
 * virtio-iommu, slot 1 a virtio-rng, endpoint 2 (only attached, never
 * driven), slot 2 (0x0a000400) the virtio-blk, endpoint 3, sectors
 * [2048, +2048) of disk0.
 * The disk holds the pattern of pat_word() (tests/qemu/test_iommu_hostile.sh
 * writes it).
 * proves: IOMMU-1, IOMMU-2, IOMMU-3, IOMMU-4, IOMMU-5, IOMMU-6, IOMMU-7,
 * IOMMU-8, IOMMU-9, IOMMU-10, IOMMU-11, IOMMU-12 */
#define GUEST_NAME "iommuattack"
#include "../common/guest.h"
#include "../common/cases.h"
#include "../common/virtio_mmio.h"
#include "../common/pattern.h"

#define VIOMMU 0x0a000000UL
#define VBLK 0x0a000400UL
#define EP_BLK 3u /* the disk's endpoint ID: its device index (the UART is 0) */
#define EP_RNG 2u /* the virtio-rng's (slot 1), never driven */
#define WIN_START 2048ULL
#define OTHER_RAM 0x50000000UL
#define IOVA_HIGH 0x100000000ULL /* an I/O address that is no RAM's */
#define INPUT_END ((1ULL << 48) - 1)

/* virtio-iommu features, config and requests ([VIRTIO] 5.13.3-6) */
#define FI_INPUT_RANGE (1ULL << 0)
#define FI_DOMAIN_RANGE (1ULL << 1)
#define FI_MAP_UNMAP (1ULL << 2)
#define FI_BYPASS (1ULL << 3)
#define FI_PROBE (1ULL << 4)
#define FI_MMIO (1ULL << 5)
#define FI_BYPASS_CONFIG (1ULL << 6)
#define FI_BASE (F_VERSION_1 | FI_INPUT_RANGE | FI_DOMAIN_RANGE | FI_MAP_UNMAP)

#define C_PAGE_SIZE_MASK 0
#define C_INPUT_START 8
#define C_INPUT_END 16
#define C_DOMAIN_START 24
#define C_DOMAIN_END 28
#define C_PROBE_SIZE 32
#define C_BYPASS 36

#define T_ATTACH 1
#define T_DETACH 2
#define T_MAP 3
#define T_UNMAP 4
#define T_PROBE 5

#define S_OK 0
#define S_IOERR 1
#define S_UNSUPP 2
#define S_DEVERR 3
#define S_INVAL 4
#define S_RANGE 5
#define S_NOENT 6
#define S_FAULT 7
#define S_NOMEM 8

#define M_READ 1u
#define M_WRITE 2u
#define M_MMIO 4u
#define ATTACH_F_BYPASS 1u

#define FR_DOMAIN 1
#define FR_MAPPING 2
#define FF_READ 1u
#define FF_WRITE 2u
#define FF_ADDRESS 0x100u

#define S_LIVE (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)
#define QNUM 64
#define GUARD 0xa5
#define WAIT_SPINS 50000000UL
#define PG 0x1000UL

/* virtio-blk */
#define B_IN 0
#define B_OK 0

/* Everything the devices see, page-aligned in this array:
 *   +0x0000 the IOMMU's request queue, +0x1000 its event queue,
 *   +0x2000 the disk's queue (desc +0, avail +0x400, used +0x800),
 *   +0x3000 request in (+0) and out (+0x800, guards around it),
 *   +0x4000 event buffers (16 of 64 bytes),
 *   +0x5000 the disk's header,
 *   +0x6000 guard page, +0x7000 the data page, +0x8000 guard page,
 *   +0x9000 a page mapped at IOVA_HIGH, +0xa000 the disk's status. */
static uint8_t arena[0xc000];
static uintptr_t A;
#define RQ (A + 0x0000)
#define EQ (A + 0x1000)
#define BQ (A + 0x2000)
#define REQ_IN (A + 0x3000)
#define REQ_OUT (A + 0x3800)
#define EVT (A + 0x4000)
#define BHDR (A + 0x5000)
#define BSTAT (A + 0xa000)
#define DATA (A + 0x7000)
#define HIGHPG (A + 0x9000)

/* A virtqueue of QNUM entries at ring: desc +0, avail +0x400, used +0x800. */
struct q {
	uintptr_t base, ring;
	unsigned sel;
	uint16_t avail, used;
};

static struct q rq = { VIOMMU, 0, 0, 0, 0 }, eq = { VIOMMU, 0, 1, 0, 0 }, bq = { VBLK, 0, 0, 0, 0 };
static uint64_t iommu_feat;
static uint32_t used_id, used_len;
static unsigned ev_next; /* the next event buffer slot */

#define DESC(q) ((q)->ring)
#define AVAIL(q) ((q)->ring + 0x400)
#define USED(q) ((q)->ring + 0x800)

static uint32_t rd(uintptr_t base, uint32_t off) { return mmio_read32(base + off); }
static void wr(uintptr_t base, uint32_t off, uint32_t v) { mmio_write32(base + off, v); }

static void q_clear(struct q *q)
{
	fill(q->ring, q->ring + 0x1000, 0);
	w16(AVAIL(q), 1); /* VIRTQ_AVAIL_F_NO_INTERRUPT: we poll */
	q->avail = q->used = 0;
}

/* Publish descriptor head (already written) and notify. */
static void q_kick(struct q *q, uint16_t head)
{
	vq_publish(AVAIL(q), &q->avail, QNUM, head);
	wr(q->base, R_QUEUE_NOTIFY, q->sel);
}

/* 1: one more used entry; 0: the device is in NEEDS_RESET; -1: no answer.
 * Each poll reads a register: a trap, where the hypervisor's deferred work
 * gets its turn. */
static int q_wait(struct q *q)
{
	for (unsigned long i = 0; i < WAIT_SPINS; i++) {
		if (vq_take_used(USED(q), &q->used, QNUM, &used_id, &used_len))
			return 1;
		if ((i & 255) == 0 && (rd(q->base, R_STATUS) & S_NEEDS_RESET))
			return 0;
	}
	return -1;
}

/* ---- the IOMMU ---- */

static void ev_post(uintptr_t buf, uint32_t len);

/* Reset, negotiate f (of what is offered), both queues, DRIVER_OK, event
 * buffers of 64 bytes posted. */
static int iommu_init(uint64_t f)
{
	wr(VIOMMU, R_STATUS, 0);
	q_clear(&rq);
	q_clear(&eq);
	ev_next = 0;
	iommu_feat = vmmio_negotiate(VIOMMU, f, 1);
	if (!(rd(VIOMMU, R_STATUS) & S_FEATURES_OK))
		return 0;
	if (!vmmio_queue_setup(VIOMMU, 0, QNUM, DESC(&rq), AVAIL(&rq), USED(&rq)) ||
	    !vmmio_queue_setup(VIOMMU, 1, QNUM, DESC(&eq), AVAIL(&eq), USED(&eq)))
		return 0;
	wr(VIOMMU, R_STATUS, S_LIVE);
	fill(EVT, EVT + 0x1000, GUARD);
	for (unsigned i = 0; i < 4; i++)
		ev_post(EVT + 64 * (uintptr_t)(ev_next % 16), 64);
	return rd(VIOMMU, R_STATUS) == S_LIVE;
}

/* A request of inlen readable bytes (REQ_IN) and outlen writable ones
 * (REQ_OUT, filled with GUARD first): 1 with used_len set, or 0 if it did
 * not come back. */
static int request(uint32_t inlen, uint32_t outlen)
{
	fill(REQ_OUT - 0x100, REQ_OUT + 0x300, GUARD);
	set_desc(DESC(&rq), 0, REQ_IN, inlen, D_NEXT, 1);
	set_desc(DESC(&rq), 1, REQ_OUT, outlen, D_WRITE, 0);
	q_kick(&rq, 0);
	return q_wait(&rq) == 1 && used_id == 0;
}

static void req_head(uint8_t type)
{
	fill(REQ_IN, REQ_IN + 0x100, 0);
	w8(REQ_IN, type);
}

/* The status of a request with a 4-byte tail, or 0x100 + why when the
 * answer is not exactly one tail (used length 4, reserved bytes zero,
 * nothing written past it). */
static unsigned tail_status(uint32_t inlen)
{
	if (!request(inlen, 4))
		return 0x1ff;
	detail = (uint64_t)used_len << 32 | r32(REQ_OUT);
	if (used_len != 4 || r8(REQ_OUT + 1) || r16(REQ_OUT + 2))
		return 0x101;
	if (!all_are(REQ_OUT - 0x100, REQ_OUT, GUARD) || !all_are(REQ_OUT + 4, REQ_OUT + 0x300, GUARD))
		return 0x102;
	return r8(REQ_OUT);
}

static unsigned attach_f(uint32_t dom, uint32_t ep, uint32_t flags, uint32_t reserved)
{
	req_head(T_ATTACH);
	w32(REQ_IN + 4, dom);
	w32(REQ_IN + 8, ep);
	w32(REQ_IN + 12, flags);
	w32(REQ_IN + 16, reserved);
	return tail_status(20);
}

static unsigned attach(uint32_t dom, uint32_t ep) { return attach_f(dom, ep, 0, 0); }

static unsigned detach_r(uint32_t dom, uint32_t ep, uint64_t reserved)
{
	req_head(T_DETACH);
	w32(REQ_IN + 4, dom);
	w32(REQ_IN + 8, ep);
	w64(REQ_IN + 12, reserved);
	return tail_status(20);
}

static unsigned detach(uint32_t dom, uint32_t ep) { return detach_r(dom, ep, 0); }

static unsigned map(uint32_t dom, uint64_t vs, uint64_t ve, uint64_t ps, uint32_t flags)
{
	req_head(T_MAP);
	w32(REQ_IN + 4, dom);
	w64(REQ_IN + 8, vs);
	w64(REQ_IN + 16, ve);
	w64(REQ_IN + 24, ps);
	w32(REQ_IN + 32, flags);
	return tail_status(36);
}

/* Identity, page-rounded. */
static unsigned map_id(uint32_t dom, uintptr_t a, uintptr_t len, uint32_t flags)
{
	uintptr_t s = a & ~(PG - 1), e = (a + len + PG - 1) & ~(PG - 1);
	return map(dom, s, e - 1, s, flags);
}

static unsigned unmap_r(uint32_t dom, uint64_t vs, uint64_t ve, uint32_t reserved)
{
	req_head(T_UNMAP);
	w32(REQ_IN + 4, dom);
	w64(REQ_IN + 8, vs);
	w64(REQ_IN + 16, ve);
	w32(REQ_IN + 24, reserved);
	return tail_status(28);
}

static unsigned unmap(uint32_t dom, uint64_t vs, uint64_t ve) { return unmap_r(dom, vs, ve, 0); }

/* ---- fault reports ---- */

static void ev_post(uintptr_t buf, uint32_t len)
{
	unsigned i = ev_next++ % QNUM;
	set_desc(DESC(&eq), i, buf, len, D_WRITE, 0);
	q_kick(&eq, (uint16_t)i);
}

struct fault {
	int got;
	uint32_t len;
	uint8_t reason;
	uint32_t flags, ep;
	uint64_t addr;
	int reserved_zero;
};

/* The next fault report (len 24: the current layout), its reserved bytes
 * checked; its buffer posted again. */
static struct fault next_fault(void)
{
	struct fault f = { 0 };
	uintptr_t b;

	if (q_wait(&eq) != 1)
		return f;
	b = DESC(&eq) + 16 * (uintptr_t)used_id;
	b = r64(b);
	f.got = 1;
	f.len = used_len;
	f.reason = r8(b);
	f.flags = r32(b + 4);
	f.ep = r32(b + 8);
	if (used_len == 24) {
		f.addr = r64(b + 16);
		f.reserved_zero = r8(b + 1) == 0 && r16(b + 2) == 0 && r32(b + 12) == 0;
	} else if (used_len == 20) {
		f.addr = r64(b + 12);
		f.reserved_zero = r8(b + 1) == 0 && r16(b + 2) == 0;
	}
	f.reserved_zero &= (f.flags & ~(FF_READ | FF_WRITE | FF_ADDRESS)) == 0 &&
			   all_are(b + used_len, b + 64, GUARD);
	fill(b, b + 64, GUARD);
	ev_post(b, 64);
	return f;
}

/* No report waiting: a short wait, then nothing on the event queue. */
static int no_fault(void)
{
	for (unsigned i = 0; i < 20000; i++)
		(void)rd(VIOMMU, R_STATUS);
	barrier();
	return r16(USED(&eq) + 2) == eq.used;
}

/* ---- the disk behind it ---- */

/* Reset, negotiate with ACCESS_PLATFORM, one queue, DRIVER_OK: 1 when the
 * disk got as far as FEATURES_OK (its queue may fail to be reachable: then
 * it is in NEEDS_RESET). As a driver does, after the IOMMU is set up. */
static int blk_init(void)
{
	wr(VBLK, R_STATUS, 0);
	q_clear(&bq);
	vmmio_negotiate(VBLK, F_VERSION_1 | F_ACCESS_PLATFORM, 0);
	if (!(rd(VBLK, R_STATUS) & S_FEATURES_OK))
		return 0;
	mmio_write32(VBLK + R_QUEUE_SEL, 0);
	vmmio_queue_regs(VBLK, QNUM, DESC(&bq), AVAIL(&bq), USED(&bq));
	wr(VBLK, R_QUEUE_READY, 1);
	wr(VBLK, R_STATUS, S_LIVE);
	return 1;
}

/* The disk's own pages, identity-mapped in dom: its ring (read-write),
 * header (read) and status (write). */
static int blk_maps(uint32_t dom)
{
	return map_id(dom, BQ, PG, M_READ | M_WRITE) == S_OK &&
	       map_id(dom, BHDR, 0x800, M_READ) == S_OK && map_id(dom, BSTAT, 0x800, M_WRITE) == S_OK;
}

#define R_DONE 1
#define R_NEEDS_RESET 0

/* READ of 512 bytes at sector of the window into the buffer at I/O address
 * iova (which the guest sees at pa): R_DONE with the status, R_NEEDS_RESET,
 * or -1. The data page and the status byte are filled with GUARD first. */
static int blk_read(uint64_t iova, uintptr_t pa, uint64_t sector)
{
	int r;

	if (!blk_init())
		return -3;
	fill(DATA - PG, DATA + 2 * PG, GUARD);
	fill(HIGHPG, HIGHPG + PG, GUARD);
	(void)pa;
	w32(BHDR, B_IN);
	w32(BHDR + 4, 0);
	w64(BHDR + 8, sector);
	w8(BSTAT, 0xee);
	set_desc(DESC(&bq), 0, BHDR, 16, D_NEXT, 1);
	set_desc(DESC(&bq), 1, iova, 512, D_WRITE | D_NEXT, 2);
	set_desc(DESC(&bq), 2, BSTAT, 1, D_WRITE, 0);
	q_kick(&bq, 0);
	r = q_wait(&bq);
	detail = (uint64_t)(r & 0xff) << 56 | (uint64_t)r8(BSTAT) << 48 | (uint64_t)used_len << 16 |
		 rd(VBLK, R_STATUS);
	return r;
}

/* The read landed at pa: the pattern of the sector, nothing around. */
static int read_landed(uintptr_t pa, uint64_t sector)
{
	return r8(BSTAT) == B_OK && used_len == 513 && pattern_at(pa, WIN_START + sector, 512) &&
	       all_are(pa + 512, pa + PG, GUARD) && all_are(DATA - PG, DATA, GUARD) &&
	       all_are(DATA + PG, DATA + 2 * PG, GUARD) &&
	       (pa == DATA ? all_are(HIGHPG, HIGHPG + PG, GUARD) : 1);
}

/* No data written: the data page, its guard pages, the other page. */
static int no_data(void)
{
	return all_are(DATA - PG, DATA + 2 * PG, GUARD) && all_are(HIGHPG, HIGHPG + PG, GUARD);
}

/* Nothing written: no data, the status byte, no used entry. */
static int nothing_written(void)
{
	return no_data() && r8(BSTAT) == 0xee && r16(USED(&bq) + 2) == bq.used;
}

/* The request failed as virtio-blk says: IOERR in the status byte, used
 * length 1, no data written, the disk still live. */
static int ioerr(int r)
{
	return r == R_DONE && used_len == 1 && r8(BSTAT) == 1 && no_data() &&
	       rd(VBLK, R_STATUS) == S_LIVE;
}

/* ---- the cases ---- */

/* Each case starts with a fresh IOMMU of features f (and the disk reset):
 * nothing attached. */
static int fresh(uint64_t f)
{
	wr(VBLK, R_STATUS, 0);
	return iommu_init(f);
}

/* IOMMU-1: the device, its queues, its configuration. */
static int c_identity(void)
{
	uint64_t f = vmmio_dev_features(VIOMMU), want = FI_INPUT_RANGE | FI_DOMAIN_RANGE |
		FI_MAP_UNMAP | FI_BYPASS | FI_PROBE | FI_BYPASS_CONFIG | F_VERSION_1;
	int ok;

	detail = f;
	ok = rd(VIOMMU, R_MAGIC) == 0x74726976 && rd(VIOMMU, R_VERSION) == 2 &&
	     rd(VIOMMU, R_DEVICE_ID) == 23 && (f & want) == want && !(f & FI_MMIO);
	for (unsigned i = 0; i < 3; i++) {
		wr(VIOMMU, R_QUEUE_SEL, i);
		ok &= (rd(VIOMMU, R_QUEUE_NUM_MAX) != 0) == (i < 2);
	}
	/* The disk offers ACCESS_PLATFORM: its DMA is translated. */
	ok &= rd(VBLK, R_DEVICE_ID) == 2 && !!(vmmio_dev_features(VBLK) & F_ACCESS_PLATFORM);
	return ok;
}

static int c_config(void)
{
	uint64_t psm = rd(VIOMMU, R_CONFIG + C_PAGE_SIZE_MASK) |
		       (uint64_t)rd(VIOMMU, R_CONFIG + C_PAGE_SIZE_MASK + 4) << 32;
	uint64_t is = rd(VIOMMU, R_CONFIG + C_INPUT_START) |
		      (uint64_t)rd(VIOMMU, R_CONFIG + C_INPUT_START + 4) << 32;
	uint64_t ie = rd(VIOMMU, R_CONFIG + C_INPUT_END) |
		      (uint64_t)rd(VIOMMU, R_CONFIG + C_INPUT_END + 4) << 32;

	detail = psm;
	return (psm & 0xfff) == 0 && (psm & PG) && is == 0 && ie == INPUT_END &&
	       rd(VIOMMU, R_CONFIG + C_DOMAIN_START) == 0 &&
	       rd(VIOMMU, R_CONFIG + C_DOMAIN_END) == 0xffff &&
	       rd(VIOMMU, R_CONFIG + C_PROBE_SIZE) == 64 && r8(VIOMMU + R_CONFIG + C_BYPASS) == 0;
}

/* A live disk, attached to domain 1 with its pages mapped, reads sector 5
 * into DATA mapped as data_flags (0: not mapped): R_DONE and landed, or
 * R_NEEDS_RESET with nothing written and the fault report f. */
static int blk_attached(uint32_t data_flags)
{
	if (attach(1, EP_BLK) != S_OK || !blk_maps(1))
		return -2;
	if (data_flags && map_id(1, DATA, PG, data_flags) != S_OK)
		return -2;
	return blk_read(DATA, DATA, 5);
}

/* The endpoint's access fails, the request with it: a ring (addr 0: any
 * of the ring's pages) or the status byte with NEEDS_RESET and nothing
 * written, a data buffer with IOERR; and one fault report, whole, of
 * reason at addr with the direction dir. */
static int refused_with_fault(int r, uint8_t reason, uint64_t addr, uint32_t dir)
{
	uint64_t det = detail;
	struct fault f;
	int ok = addr == DATA || addr == IOVA_HIGH ? ioerr(r) : r == R_NEEDS_RESET && nothing_written();

	f = next_fault();
	detail = det ^ ((uint64_t)f.reason << 40 | (uint64_t)f.flags << 24) ^ f.addr;
	ok &= f.got && f.len == 24 && f.reserved_zero && f.reason == reason && f.ep == EP_BLK &&
	      (f.flags & FF_ADDRESS) && (f.flags & (FF_READ | FF_WRITE)) == dir;
	ok &= addr ? f.addr == addr : (f.addr >= BQ && f.addr < BQ + PG);
	return ok;
}

/* IOMMU-2: without BYPASS, the disk reaches nothing until attached. */
static int c_no_access_unattached(void)
{
	if (!fresh(FI_BASE | FI_PROBE))
		return 0;
	return refused_with_fault(blk_read(DATA, DATA, 5), FR_DOMAIN, 0, FF_READ);
}

/* IOMMU-2: attached to an empty domain: still nothing. */
static int c_no_access_no_mapping(void)
{
	if (!fresh(FI_BASE) || attach(1, EP_BLK) != S_OK)
		return 0;
	return refused_with_fault(blk_read(DATA, DATA, 5), FR_MAPPING, 0, FF_READ);
}

/* Controls: attached and mapped, the disk reads; at another I/O address,
 * the data lands where the mapping says; with BYPASS (or BYPASS_CONFIG and
 * bypass = 1) unattached, the disk reaches its RAM. */
static int ctl_mapped_read(void)
{
	return fresh(FI_BASE) && blk_attached(M_READ | M_WRITE) == R_DONE && read_landed(DATA, 5) &&
	       no_fault();
}

static int ctl_translated_read(void)
{
	if (!fresh(FI_BASE) || attach(1, EP_BLK) != S_OK || !blk_maps(1) ||
	    map(1, IOVA_HIGH, IOVA_HIGH + PG - 1, HIGHPG, M_READ | M_WRITE) != S_OK)
		return 0;
	return blk_read(IOVA_HIGH, HIGHPG, 6) == R_DONE && read_landed(HIGHPG, 6);
}

static int ctl_bypass(void)
{
	return fresh(FI_BASE | FI_BYPASS) && blk_read(DATA, DATA, 7) == R_DONE &&
	       read_landed(DATA, 7);
}

static int ctl_bypass_config(void)
{
	int ok = fresh(FI_BASE | FI_BYPASS_CONFIG);

	/* bypass 0 (the reset value): nothing; then 1: everything. */
	ok &= refused_with_fault(blk_read(DATA, DATA, 8), FR_DOMAIN, 0, FF_READ);
	w8(VIOMMU + R_CONFIG + C_BYPASS, 1);
	ok &= r8(VIOMMU + R_CONFIG + C_BYPASS) == 1;
	return ok && blk_read(DATA, DATA, 8) == R_DONE && read_landed(DATA, 8);
}

/* IOMMU-7, IOMMU-12: a read into a read-only mapping or into nothing
 * writes no data and fails with IOERR, reported with the device's
 * direction (write). */
static int c_read_into_readonly(void)
{
	return fresh(FI_BASE) &&
	       refused_with_fault(blk_attached(M_READ), FR_MAPPING, DATA, FF_WRITE);
}

static int c_read_into_unmapped(void)
{
	return fresh(FI_BASE) && refused_with_fault(blk_attached(0), FR_MAPPING, DATA, FF_WRITE);
}

/* ... and the other partition's RAM, mapped: the window bounds what a
 * mapping may reach. */
static int c_read_into_other_ram(void)
{
	if (!fresh(FI_BASE) || attach(1, EP_BLK) != S_OK || !blk_maps(1))
		return 0;
	map(1, IOVA_HIGH, IOVA_HIGH + PG - 1, OTHER_RAM, M_READ | M_WRITE);
	return refused_with_fault(blk_read(IOVA_HIGH, HIGHPG, 5), FR_MAPPING, IOVA_HIGH, FF_WRITE);
}

/* A status byte the IOMMU refuses: nothing can answer the request but a
 * reset (virtio-blk has no other way to fail it). */
static int c_status_unmapped(void)
{
	if (!fresh(FI_BASE) || attach(1, EP_BLK) != S_OK ||
	    map_id(1, BQ, PG, M_READ | M_WRITE) != S_OK || map_id(1, BHDR, PG, M_READ) != S_OK ||
	    map_id(1, DATA, PG, M_READ | M_WRITE) != S_OK)
		return 0;
	return refused_with_fault(blk_read(DATA, DATA, 5), FR_MAPPING, BSTAT, FF_WRITE);
}

/* IOMMU-3: unknown types: buffers back, used length 0, nothing written. */
static int c_unknown_types(void)
{
	static const uint8_t types[] = { 0, 6, 0x7f, 0xff };
	int ok = fresh(FI_BASE);

	for (unsigned i = 0; i < sizeof(types); i++) {
		req_head(types[i]);
		ok &= request(20, 4) && used_len == 0 && all_are(REQ_OUT, REQ_OUT + 4, GUARD);
	}
	return ok;
}

/* IOMMU-3: a request shorter or longer than its type: S_INVAL, not S_OK. */
static int c_wrong_lengths(void)
{
	int ok = fresh(FI_BASE);

	req_head(T_ATTACH);
	w32(REQ_IN + 4, 1);
	w32(REQ_IN + 8, EP_BLK);
	ok &= tail_status(16) == S_INVAL && tail_status(24) == S_INVAL;
	ok &= detach(1, EP_BLK) == S_INVAL; /* nothing was attached */
	return ok;
}

/* IOMMU-4: the domain range and the input range. */
static int c_domain_range(void)
{
	int ok = fresh(FI_BASE);
	ok &= attach(0x10000, EP_BLK) == S_RANGE && attach(0xffffffff, EP_BLK) == S_RANGE;
	ok &= map(0x10000, 0, PG - 1, DATA, M_READ) == S_RANGE;
	ok &= unmap(0x10000, 0, PG - 1) == S_RANGE;
	return ok && attach(0xffff, EP_BLK) == S_OK;
}

static int c_input_range(void)
{
	int ok = fresh(FI_BASE) && attach(1, EP_BLK) == S_OK;
	ok &= map(1, INPUT_END + 1, INPUT_END + PG, DATA, M_READ) == S_RANGE;
	ok &= map(1, INPUT_END - PG + 1, INPUT_END + PG, DATA, M_READ) == S_RANGE;
	ok &= map(1, 0xfffffffffffff000ULL, 0xffffffffffffffffULL, DATA, M_READ) == S_RANGE;
	/* nothing mapped: the last page of the range maps now */
	return ok && map(1, INPUT_END - PG + 1, INPUT_END, DATA, M_READ) == S_OK;
}

/* IOMMU-5: ATTACH. */
static int c_attach_reserved(void)
{
	int ok = fresh(FI_BASE);
	ok &= attach_f(1, EP_BLK, 0, 1) == S_INVAL && attach_f(1, EP_BLK, 0, 0x80000000) == S_INVAL;
	/* nothing attached: no domain 1 to map into, nothing to detach */
	return ok && map(1, 0, PG - 1, DATA, M_READ) == S_NOENT && detach(1, EP_BLK) == S_INVAL;
}

static int c_attach_flags(void)
{
	int ok = fresh(FI_BASE);
	/* BYPASS without BYPASS_CONFIG accepted, and a flag no version has */
	ok &= attach_f(1, EP_BLK, ATTACH_F_BYPASS, 0) == S_INVAL;
	ok &= attach_f(1, EP_BLK, 2, 0) == S_INVAL;
	return ok && map(1, 0, PG - 1, DATA, M_READ) == S_NOENT;
}

static int c_attach_unknown_ep(void)
{
	int ok = fresh(FI_BASE);
	ok &= attach(1, 99) == S_NOENT && attach(1, 0) == S_NOENT && attach(1, 0xffffffff) == S_NOENT;
	return ok && map(1, 0, PG - 1, DATA, M_READ) == S_NOENT;
}

/* Attached elsewhere: an implicit detach, then the new domain's mappings
 * only (the disk reads only through domain 2's). */
static int c_attach_moves(void)
{
	int ok = fresh(FI_BASE) && attach(1, EP_BLK) == S_OK && blk_maps(1) &&
		 map_id(1, DATA, PG, M_READ | M_WRITE) == S_OK;
	ok &= attach(2, EP_BLK) == S_OK && detach(1, EP_BLK) == S_INVAL;
	return ok && refused_with_fault(blk_read(DATA, DATA, 5), FR_MAPPING, 0, FF_READ);
}

static int ctl_attach_moves_reads(void)
{
	int ok = fresh(FI_BASE) && attach(1, EP_BLK) == S_OK && attach(2, EP_BLK) == S_OK &&
		 blk_maps(2) && map_id(2, DATA, PG, M_READ | M_WRITE) == S_OK;
	return ok && blk_read(DATA, DATA, 9) == R_DONE && read_landed(DATA, 9);
}

/* A bypass domain (BYPASS_CONFIG): no mapping into it (S_INVAL), and an
 * endpoint asking bypass of a mapping domain is refused (S_INVAL). */
static int c_attach_bypass_mismatch(void)
{
	int ok = fresh(FI_BASE | FI_BYPASS_CONFIG);
	ok &= attach_f(3, EP_BLK, ATTACH_F_BYPASS, 0) == S_OK;
	ok &= map(3, 0, PG - 1, DATA, M_READ) == S_INVAL;
	ok &= attach(4, EP_BLK) == S_OK && attach_f(4, EP_BLK, ATTACH_F_BYPASS, 0) == S_INVAL;
	return ok;
}

/* IOMMU-6: DETACH. */
static int c_detach(void)
{
	int ok = fresh(FI_BASE) && attach(1, EP_BLK) == S_OK && blk_maps(1) &&
		 map_id(1, DATA, PG, M_READ | M_WRITE) == S_OK;
	ok &= detach_r(1, EP_BLK, 1) == S_INVAL && detach_r(1, EP_BLK, 1ULL << 63) == S_INVAL;
	ok &= detach(1, 99) == S_NOENT;
	ok &= detach(7, EP_BLK) == S_INVAL; /* no such domain */
	/* still attached, mappings intact: the disk reads */
	ok &= blk_read(DATA, DATA, 10) == R_DONE && read_landed(DATA, 10);
	return ok;
}

static int c_detach_other_domain(void)
{
	int ok = fresh(FI_BASE) && attach(1, EP_RNG) == S_OK && attach(2, EP_BLK) == S_OK;
	ok &= detach(1, EP_BLK) == S_INVAL && detach(2, EP_RNG) == S_INVAL;
	/* both still where they were */
	ok &= detach(2, EP_BLK) == S_OK && detach(1, EP_RNG) == S_OK;
	/* the domains went with their last endpoint: unknown now */
	return ok && detach(2, EP_BLK) == S_INVAL && map(1, 0, PG - 1, DATA, M_READ) == S_NOENT;
}

/* IOMMU-7: MAP. Each refusal maps nothing: the same range maps afterwards
 * (a mapping left behind would overlap it: S_INVAL). */
static int c_map_unaligned(void)
{
	int ok = fresh(FI_BASE) && attach(1, EP_BLK) == S_OK;
	ok &= map(1, 0x10800, 0x11fff, DATA, M_READ) == S_RANGE;
	ok &= map(1, 0x10000, 0x10fff, DATA + 0x800, M_READ) == S_RANGE;
	ok &= map(1, 0x10000, 0x107ff, DATA, M_READ) == S_RANGE;
	ok &= map(1, 0x10000, 0x10ffe, DATA, M_READ) == S_RANGE;
	ok &= map(1, 0x11000, 0x10fff, DATA, M_READ) != S_OK; /* end before start */
	return ok && map(1, 0x10000, 0x11fff, DATA, M_READ) == S_OK;
}

static int c_map_flags(void)
{
	int ok = fresh(FI_BASE) && attach(1, EP_BLK) == S_OK;
	ok &= map(1, 0x10000, 0x10fff, DATA, 8) == S_INVAL;
	ok &= map(1, 0x10000, 0x10fff, DATA, M_READ | 0x80000000u) == S_INVAL;
	ok &= map(1, 0x10000, 0x10fff, DATA, M_MMIO | M_READ) == S_UNSUPP; /* F_MMIO not offered */
	return ok && map(1, 0x10000, 0x10fff, DATA, M_READ) == S_OK;
}

static int c_map_unknown_domain(void)
{
	int ok = fresh(FI_BASE) && attach(1, EP_BLK) == S_OK;
	ok &= map(2, 0x10000, 0x10fff, DATA, M_READ) == S_NOENT;
	ok &= map(0xffff, 0x10000, 0x10fff, DATA, M_READ) == S_NOENT;
	return ok;
}

static int c_map_overlap(void)
{
	int ok = fresh(FI_BASE) && attach(1, EP_BLK) == S_OK &&
		 map(1, 0x10000, 0x11fff, DATA, M_READ) == S_OK;
	ok &= map(1, 0x11000, 0x12fff, DATA, M_READ) == S_INVAL;
	ok &= map(1, 0xf000, 0x10fff, DATA, M_READ) == S_INVAL;
	return ok && map(1, 0x12000, 0x12fff, DATA, M_READ) == S_OK;
}

/* IOMMU-8: UNMAP. */
static int c_unmap_reserved(void)
{
	int ok = fresh(FI_BASE) && attach(1, EP_BLK) == S_OK && blk_maps(1) &&
		 map_id(1, DATA, PG, M_READ | M_WRITE) == S_OK;
	ok &= unmap_r(1, DATA, DATA + PG - 1, 1) == S_INVAL;
	ok &= unmap(2, DATA, DATA + PG - 1) == S_NOENT;
	/* nothing removed: the disk reads into DATA */
	return ok && blk_read(DATA, DATA, 11) == R_DONE && read_landed(DATA, 11);
}

static int c_unmap_split(void)
{
	int ok = fresh(FI_BASE) && attach(1, EP_BLK) == S_OK && blk_maps(1) &&
		 map(1, IOVA_HIGH, IOVA_HIGH + 2 * PG - 1, HIGHPG, M_READ | M_WRITE) == S_OK;
	ok &= unmap(1, IOVA_HIGH, IOVA_HIGH + PG - 1) == S_RANGE;
	ok &= unmap(1, IOVA_HIGH + PG, IOVA_HIGH + 3 * PG - 1) == S_RANGE;
	/* nothing removed */
	return ok && blk_read(IOVA_HIGH, HIGHPG, 12) == R_DONE && read_landed(HIGHPG, 12);
}

static int c_unmap_partial(void)
{
	int ok = fresh(FI_BASE) && attach(1, EP_BLK) == S_OK && blk_maps(1) &&
		 map(1, IOVA_HIGH, IOVA_HIGH + PG - 1, HIGHPG, M_READ | M_WRITE) == S_OK &&
		 map(1, IOVA_HIGH + 4 * PG, IOVA_HIGH + 5 * PG - 1, HIGHPG, M_READ) == S_OK;
	/* a range covering both and the gaps around: S_OK, both removed */
	ok &= unmap(1, IOVA_HIGH - PG, IOVA_HIGH + 8 * PG - 1) == S_OK;
	ok &= unmap(1, IOVA_HIGH, IOVA_HIGH + PG - 1) == S_OK; /* nothing left there: S_OK */
	ok &= map(1, IOVA_HIGH, IOVA_HIGH + PG - 1, HIGHPG, M_READ | M_WRITE) == S_OK;
	ok &= unmap(1, IOVA_HIGH, IOVA_HIGH + PG - 1) == S_OK;
	/* removed: the disk's read there faults and writes nothing */
	return ok && refused_with_fault(blk_read(IOVA_HIGH, HIGHPG, 13), FR_MAPPING, IOVA_HIGH,
					FF_WRITE);
}

/* IOMMU-9: PROBE. */
static void probe_req(uint32_t ep, uint32_t reserved_at, uint8_t v)
{
	req_head(T_PROBE);
	w32(REQ_IN + 4, ep);
	if (reserved_at)
		w8(REQ_IN + 8 + reserved_at - 1, v);
}

static int c_probe_ok(void)
{
	int ok = fresh(FI_BASE | FI_PROBE);

	probe_req(EP_BLK, 0, 0);
	ok &= request(72, 68) && used_len == 68;
	detail = used_len;
	/* the list: NONE first (type 0, bits 15:12 zero), then zeroes; the
	 * tail S_OK. No RESV_MEM at all: no MSI region, nothing reserved,
	 * nothing overlapping (IOMMU-10). */
	ok &= all_are(REQ_OUT, REQ_OUT + 64, 0) && r32(REQ_OUT + 64) == S_OK;
	return ok && all_are(REQ_OUT + 68, REQ_OUT + 0x300, GUARD);
}

static int c_probe_reserved(void)
{
	int ok = fresh(FI_BASE | FI_PROBE);

	probe_req(EP_BLK, 1, 1);
	ok &= request(72, 68) && used_len == 68 && r32(REQ_OUT + 64) == S_INVAL;
	ok &= all_are(REQ_OUT, REQ_OUT + 64, GUARD); /* no property written */
	probe_req(EP_BLK, 64, 0x80);
	ok &= request(72, 68) && r32(REQ_OUT + 64) == S_INVAL && all_are(REQ_OUT, REQ_OUT + 64, GUARD);
	detail = used_len;
	return ok;
}

static int c_probe_unknown_ep(void)
{
	int ok = fresh(FI_BASE | FI_PROBE);

	probe_req(99, 0, 0);
	ok &= request(72, 68) && r32(REQ_OUT + 64) == S_NOENT && all_are(REQ_OUT, REQ_OUT + 64, GUARD);
	detail = used_len;
	return ok;
}

static int c_probe_short_list(void)
{
	int ok = fresh(FI_BASE | FI_PROBE);

	probe_req(EP_BLK, 0, 0);
	/* room for 32 bytes of properties, probe_size is 64: S_INVAL in the
	 * tail (the last four bytes), nothing else written */
	ok &= request(72, 36) && used_len == 36 && r32(REQ_OUT + 32) == S_INVAL;
	detail = used_len;
	return ok && all_are(REQ_OUT, REQ_OUT + 32, GUARD) && all_are(REQ_OUT + 36, REQ_OUT + 0x300, GUARD);
}

static int c_probe_without_feature(void)
{
	int ok = fresh(FI_BASE);

	probe_req(EP_BLK, 0, 0);
	ok &= request(72, 68) && used_len == 0;
	detail = used_len;
	return ok && all_are(REQ_OUT - 0x100, REQ_OUT + 0x300, GUARD);
}

/* IOMMU-11: reports whole: a buffer too short for any layout goes back
 * empty and the report waits for the next; one of 20 bytes gets the
 * earlier layout, whole. */
static int c_fault_short_buffers(void)
{
	struct fault f;
	int ok;

	/* the IOMMU without event buffers: the report waits */
	wr(VIOMMU, R_STATUS, 0);
	q_clear(&rq);
	q_clear(&eq);
	ev_next = 0;
	vmmio_negotiate(VIOMMU, FI_BASE, 1);
	ok = vmmio_queue_setup(VIOMMU, 0, QNUM, DESC(&rq), AVAIL(&rq), USED(&rq)) &&
	     vmmio_queue_setup(VIOMMU, 1, QNUM, DESC(&eq), AVAIL(&eq), USED(&eq));
	wr(VIOMMU, R_STATUS, S_LIVE);
	ok &= attach(1, EP_BLK) == S_OK && blk_maps(1);
	ok &= ioerr(blk_read(DATA, DATA, 5));
	fill(EVT, EVT + 0x1000, GUARD);
	ev_post(EVT, 12); /* too short: back with used length 0 */
	ok &= q_wait(&eq) == 1 && used_len == 0 && all_are(EVT, EVT + 64, GUARD);
	ev_post(EVT + 64, 20); /* the earlier layout, whole */
	f.got = q_wait(&eq) == 1;
	ok &= f.got && used_len == 20 && used_id == 1;
	detail = used_len;
	ok &= r8(EVT + 64) == FR_MAPPING && r8(EVT + 65) == 0 && r16(EVT + 66) == 0 &&
	      r32(EVT + 68) == (FF_ADDRESS | FF_WRITE) && r32(EVT + 72) == EP_BLK &&
	      r64(EVT + 76) == DATA && all_are(EVT + 84, EVT + 128, GUARD);
	return ok && no_fault();
}

/* The IOMMU's reset ends every endpoint's reach (back to IOMMU-2). */
static int c_reset_ends_reach(void)
{
	int ok = fresh(FI_BASE) && blk_attached(M_READ | M_WRITE) == R_DONE;

	ok &= iommu_init(FI_BASE);
	return ok && refused_with_fault(blk_read(DATA, DATA, 5), FR_DOMAIN, 0, FF_READ);
}

/* ---- the harness ---- */

/* After each case the IOMMU serves again: a fresh one, the disk
 * attached, a read. */
static void run_case(const char *what, int (*fn)(void))
{
	run_checked(what, 0, fn, ctl_mapped_read, "the IOMMU and its disk do not serve after: ");
}

void guest_main(uint64_t x0, uint64_t first_counter)
{
	(void)x0;
	(void)first_counter;

	A = ((uintptr_t)arena + 0xfff) & ~(uintptr_t)0xfff;
	rq.ring = RQ;
	eq.ring = EQ;
	bq.ring = BQ;
	puts_("iommuattack: starting, buffers at ");
	put_hex(A);
	putc_('\n');

	control("virtio-iommu (ID 23, two queues, its features), the disk offers ACCESS_PLATFORM",
		c_identity());
	control("config: page_size_mask, input range [0, 2^48), domains [0, 0xffff], probe_size 64, bypass 0",
		c_config());
	control("attached and mapped, the disk reads through its domain", ctl_mapped_read());
	control("mapped at I/O address 0x100000000, the read lands where the mapping says",
		ctl_translated_read());
	control("with BYPASS accepted, the unattached disk reaches its RAM", ctl_bypass());
	control("with BYPASS_CONFIG, bypass 0 reaches nothing, bypass 1 everything", ctl_bypass_config());
	control("an endpoint moved to domain 2 reads through domain 2's mappings",
		ctl_attach_moves_reads());

	run_case("IOMMU-2: unattached, without BYPASS: the disk reaches nothing (fault, domain)",
		 c_no_access_unattached);
	run_case("IOMMU-2: attached to an empty domain: nothing (fault, mapping)",
		 c_no_access_no_mapping);
	run_case("IOMMU-12: read into a read-only mapping: IOERR, no data written (fault, write)",
		 c_read_into_readonly);
	run_case("IOMMU-12: read into an unmapped buffer: IOERR, no data written (fault, write)",
		 c_read_into_unmapped);
	run_case("IOMMU-12: a mapping onto the other partition's RAM reaches nothing (IOERR)",
		 c_read_into_other_ram);
	run_case("IOMMU-12: a status byte the IOMMU refuses: NEEDS_RESET, nothing written",
		 c_status_unmapped);
	run_case("IOMMU-3: unknown request types: used length 0, nothing written", c_unknown_types);
	run_case("IOMMU-3: ATTACH of the wrong length: S_INVAL, nothing attached", c_wrong_lengths);
	run_case("IOMMU-4: domain outside the domain range: S_RANGE", c_domain_range);
	run_case("IOMMU-4: MAP outside the input range: S_RANGE, nothing mapped", c_input_range);
	run_case("IOMMU-5: ATTACH with reserved bytes: S_INVAL, nothing attached", c_attach_reserved);
	run_case("IOMMU-5: ATTACH with BYPASS not negotiated or an unknown flag: S_INVAL",
		 c_attach_flags);
	run_case("IOMMU-5: ATTACH of an unknown endpoint: S_NOENT", c_attach_unknown_ep);
	run_case("IOMMU-5: ATTACH elsewhere detaches from the old domain first", c_attach_moves);
	run_case("IOMMU-5: bypass and mapping domains do not mix: S_INVAL", c_attach_bypass_mismatch);
	run_case("IOMMU-6: DETACH reserved S_INVAL, unknown endpoint S_NOENT, unknown domain S_INVAL",
		 c_detach);
	run_case("IOMMU-6: DETACH from a domain the endpoint is not in: S_INVAL",
		 c_detach_other_domain);
	run_case("IOMMU-7: MAP unaligned (virt_start, phys_start, virt_end + 1): S_RANGE",
		 c_map_unaligned);
	run_case("IOMMU-7: MAP unknown flag S_INVAL, MMIO S_UNSUPP", c_map_flags);
	run_case("IOMMU-7: MAP into an unknown domain: S_NOENT", c_map_unknown_domain);
	run_case("IOMMU-7: MAP overlapping a mapping: S_INVAL, nothing mapped", c_map_overlap);
	run_case("IOMMU-8: UNMAP reserved S_INVAL, unknown domain S_NOENT, nothing removed",
		 c_unmap_reserved);
	run_case("IOMMU-8: UNMAP splitting a mapping: S_RANGE, nothing removed", c_unmap_split);
	run_case("IOMMU-8: UNMAP over mappings and gaps: removes what it covers, S_OK",
		 c_unmap_partial);
	run_case("IOMMU-9, IOMMU-10: PROBE: NONE, then zeroes; no reserved region", c_probe_ok);
	run_case("IOMMU-9: PROBE with reserved bytes: S_INVAL, no property written",
		 c_probe_reserved);
	run_case("IOMMU-9: PROBE of an unknown endpoint: S_NOENT", c_probe_unknown_ep);
	run_case("IOMMU-9: PROBE into a list shorter than probe_size: S_INVAL, nothing written",
		 c_probe_short_list);
	run_case("IOMMU-9: PROBE without F_PROBE: used length 0", c_probe_without_feature);
	run_case("IOMMU-11: fault reports whole: a short buffer back empty, 20 bytes the old layout",
		 c_fault_short_buffers);
	run_case("IOMMU-2: the IOMMU's reset ends every endpoint's reach", c_reset_ends_reach);

	wr(VBLK, R_STATUS, 0);
	wr(VIOMMU, R_STATUS, 0);
	report_alive("cases");
	report_served();
	if (served_after_all)
		puts_("iommuattack: the IOMMU and its disk serve after every case\n");
	report_done();
}
