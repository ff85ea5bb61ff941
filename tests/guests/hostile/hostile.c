/* The hostile ring driver: drives its virtio-rng (virtio-mmio slot 0 at
 * 0x0a000000) the way a driver would, and between valid requests hands the
 * device every malformed ring and register sequence it can think of. Each
 * must end in DEVICE_NEEDS_RESET (or be ignored, or aborted, as the case
 * says) with nothing written outside the request's buffers, and after a
 * reset the device must serve random bytes again.
 * Runs in "hostile" of tests/configs/good/hostile-virtio.dts: RAM 0x70000000
 * size 0x4000000; the other partition's RAM is at 0x50000000, the
 * hypervisor's image at 0x40080000. tests/qemu/test_hostile_virtio.sh.
 * proves: PLATFORM-5, PLATFORM-7 */
#define GUEST_NAME "hostile"
#include "../common/guest.h"
#include "../common/cases.h"
#include "../common/virtio_mmio.h"

#define VIRTIO 0x0a000000UL
#define OTHER_RAM 0x50000000UL
#define HV_RAM 0x40080000UL
#define RAM_END 0x74000000UL

#define QNUM 8
#define BUF_LEN 64
#define NBUF 16
#define GUARD 0xa5

/* Everything the device sees lives in this array, in the partition's RAM
 * (IPA == PA): rings, a second ring, indirect tables, guarded buffers. */
static uint8_t arena[0x7000];
static uintptr_t A;
#define DESC (A + 0x0000)
#define AVAIL (A + 0x1000)
#define USED (A + 0x2000)
#define RINGB (A + 0x3000) /* desc +0, avail +0x400, used +0x800 */
#define ITAB (A + 0x4000)  /* indirect tables, up to 0x1000 */
#define BUFS (A + 0x5000)  /* guard, buffer 0, guard, buffer 1, ..., guard */
#define BUFS_END (BUFS + NBUF * 128 + 64)
#define BUF(k) (BUFS + 64 + (uintptr_t)(k) * 128)

static unsigned controls_failed;
static uint16_t qnum, avail_shadow, used_seen;

static uint32_t rd(uint32_t off) { return mmio_read32(VIRTIO + off); }
static void wr(uint32_t off, uint32_t v) { mmio_write32(VIRTIO + off, v); }

/* ---- buffers and their guards ---- */

static void bufs_prepare(void)
{
	fill(BUFS, BUFS_END, GUARD);
	for (unsigned k = 0; k < NBUF; k++)
		fill(BUF(k), BUF(k) + BUF_LEN, 0);
}

static int guards_ok(void)
{
	for (unsigned k = 0; k <= NBUF; k++) {
		uintptr_t g = BUFS + (uintptr_t)k * 128;
		for (unsigned i = 0; i < 64; i++)
			if (r8(g + i) != GUARD)
				return 0;
	}
	return 1;
}

static int buf_zero(unsigned k)
{
	for (unsigned i = 0; i < BUF_LEN; i++)
		if (r8(BUF(k) + i))
			return 0;
	return 1;
}

static int bufs_zero(void)
{
	for (unsigned k = 0; k < NBUF; k++)
		if (!buf_zero(k))
			return 0;
	return 1;
}

/* ---- the driver ---- */

static uint16_t used_idx(void) { return r16(USED + 2); }

static void dev_reset(void)
{
	wr(R_STATUS, 0);
	avail_shadow = used_seen = 0;
}

/* Reset and initialise up to (and with driver_ok including) DRIVER_OK;
 * returns the status the device shows. */
static uint32_t dev_setup(uint64_t feat, uint32_t num, uint64_t desc, uint64_t avail,
			  uint64_t used, int driver_ok)
{
	dev_reset();
	fill(DESC, A + 0x3000, 0); /* our own ring area, whatever is used */
	barrier();
	vmmio_negotiate(VIRTIO, feat, 0);
	if (!(rd(R_STATUS) & S_FEATURES_OK))
		return rd(R_STATUS);
	wr(R_QUEUE_SEL, 0);
	qnum = (uint16_t)num;
	vmmio_queue_regs(VIRTIO, num, desc, avail, used);
	wr(R_QUEUE_READY, 1);
	if (driver_ok)
		wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	return rd(R_STATUS);
}

static int dev_init(uint64_t feat)
{
	uint32_t s = dev_setup(feat, QNUM, DESC, AVAIL, USED, 1);
	return s == (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK) && rd(R_QUEUE_READY) == 1;
}

/* Put head in the next avail slot and publish; notify if asked. */
static void submit(uint16_t head, int notify)
{
	vq_publish(AVAIL, &avail_shadow, qnum, head);
	if (notify)
		wr(R_QUEUE_NOTIFY, 0);
}

/* The device answered one request: used idx advanced by one, the entry
 * says head and len, the buffer holds non-zero bytes. */
static int answered(uint16_t head, unsigned k)
{
	uintptr_t e = USED + 4 + 8 * (uintptr_t)(used_seen % qnum);
	uint8_t any = 0;

	barrier();
	if (used_idx() != (uint16_t)(used_seen + 1))
		return 0;
	used_seen++;
	for (unsigned i = 0; i < BUF_LEN; i++)
		any |= r8(BUF(k) + i);
	return r32(e) == head && r32(e + 4) == BUF_LEN && any != 0 &&
	       !(rd(R_STATUS) & S_NEEDS_RESET);
}

/* Positive control: one valid request into buffer k, direct or through an
 * indirect table. */
static int serve_one(int indirect, unsigned k)
{
	fill(BUF(k), BUF(k) + BUF_LEN, 0);
	if (indirect) {
		set_desc(ITAB, 0, BUF(k), BUF_LEN, D_WRITE, 0);
		set_desc(DESC, 0, ITAB, 16, D_INDIRECT, 0);
	} else {
		set_desc(DESC, 0, BUF(k), BUF_LEN, D_WRITE, 0);
	}
	submit(0, 1);
	return answered(0, k) && guards_ok();
}

/* The device refused the ring: NEEDS_RESET with a configuration interrupt,
 * no request completed, no buffer written. Further notifies, and a bad
 * queue made ready again and again, change nothing (and must not flood the
 * hypervisor's log: it warns on the way into NEEDS_RESET only). */
static int needs_reset(void)
{
	uint32_t s, isr;
	int ok;

	barrier();
	s = rd(R_STATUS);
	isr = rd(R_INT_STATUS);
	detail = s;
	ok = (s & S_NEEDS_RESET) && (isr & 2) && used_idx() == used_seen && bufs_zero();
	for (int i = 0; i < 32; i++)
		wr(R_QUEUE_NOTIFY, 0);
	for (int i = 0; i < 8; i++) {
		wr(R_QUEUE_READY, 0);
		wr(R_QUEUE_NUM, 3);
		wr(R_QUEUE_READY, 1);
		wr(R_QUEUE_NOTIFY, 0);
	}
	wr(R_INT_ACK, isr);
	barrier();
	return ok && used_idx() == used_seen && bufs_zero() && (rd(R_STATUS) & S_NEEDS_RESET);
}

/* A hostile chain at descriptor 0: publish, notify, expect NEEDS_RESET. */
static int refuse_head(uint16_t head)
{
	submit(head, 1);
	return needs_reset();
}

/* ---- ring cases (the device is initialised, one request served) ---- */

static int c_loop(void)
{
	set_desc(DESC, 0, BUF(1), BUF_LEN, D_WRITE | D_NEXT, 1);
	set_desc(DESC, 1, BUF(2), BUF_LEN, D_WRITE | D_NEXT, 0);
	return refuse_head(0);
}

static int c_self_loop(void)
{
	set_desc(DESC, 3, BUF(1), 0, D_WRITE | D_NEXT, 3); /* empty buffers, forever */
	return refuse_head(3);
}

static int c_next_oob(void)
{
	set_desc(DESC, 0, BUF(1), BUF_LEN, D_WRITE | D_NEXT, QNUM);
	return refuse_head(0);
}

static int c_next_ffff(void)
{
	set_desc(DESC, 0, BUF(1), BUF_LEN, D_WRITE | D_NEXT, 0xffff);
	return refuse_head(0);
}

static int c_head_oob(void)
{
	set_desc(DESC, 0, BUF(1), BUF_LEN, D_WRITE, 0);
	return refuse_head(QNUM);
}

static int c_head_ffff(void)
{
	set_desc(DESC, 0, BUF(1), BUF_LEN, D_WRITE, 0);
	return refuse_head(0xffff);
}

static int c_avail_jump(void)
{
	set_desc(DESC, 0, BUF(1), BUF_LEN, D_WRITE, 0);
	for (unsigned i = 0; i < QNUM; i++)
		w16(AVAIL + 4 + 2 * i, 0);
	barrier();
	w16(AVAIL + 2, (uint16_t)(avail_shadow + QNUM + 1));
	barrier();
	wr(R_QUEUE_NOTIFY, 0);
	return needs_reset();
}

static int c_avail_back(void)
{
	set_desc(DESC, 0, BUF(1), BUF_LEN, D_WRITE, 0);
	barrier();
	w16(AVAIL + 2, (uint16_t)(avail_shadow - 1));
	barrier();
	wr(R_QUEUE_NOTIFY, 0);
	return needs_reset();
}

static int buffer_at(uint64_t addr, uint32_t len)
{
	set_desc(DESC, 0, addr, len, D_WRITE, 0);
	return refuse_head(0);
}

static int c_buf_other(void) { return buffer_at(OTHER_RAM, BUF_LEN); }
static int c_buf_hv(void) { return buffer_at(HV_RAM, BUF_LEN); }
static int c_buf_straddle(void) { return buffer_at(RAM_END - 32, BUF_LEN); }
static int c_buf_below(void) { return buffer_at(0x70000000UL - 32, BUF_LEN); }
static int c_buf_wrap(void) { return buffer_at(0xffffffffffffffc0ULL, 0x80); }
static int c_buf_len(void) { return buffer_at(BUF(1), 0xffffffffu); }

/* A buffer out of its RAM in the middle of a chain of good ones. */
static int c_bad_second(void)
{
	set_desc(DESC, 0, BUF(1), BUF_LEN, D_WRITE | D_NEXT, 1);
	set_desc(DESC, 1, OTHER_RAM + 0x1000, BUF_LEN, D_WRITE | D_NEXT, 2);
	set_desc(DESC, 2, BUF(2), BUF_LEN, D_WRITE, 0);
	return refuse_head(0);
}

static int c_read_after_write(void)
{
	set_desc(DESC, 0, BUF(1), BUF_LEN, D_WRITE | D_NEXT, 1);
	set_desc(DESC, 1, BUF(2), BUF_LEN, 0, 0);
	return refuse_head(0);
}

static int c_indirect_unneg(void)
{
	set_desc(ITAB, 0, BUF(1), BUF_LEN, D_WRITE, 0);
	set_desc(DESC, 0, ITAB, 16, D_INDIRECT, 0);
	return refuse_head(0);
}

static int c_indirect_nested(void)
{
	set_desc(ITAB + 0x100, 0, BUF(1), BUF_LEN, D_WRITE, 0);
	set_desc(ITAB, 0, ITAB + 0x100, 16, D_INDIRECT, 0);
	set_desc(DESC, 0, ITAB, 16, D_INDIRECT, 0);
	return refuse_head(0);
}

static int c_indirect_len(void)
{
	set_desc(ITAB, 0, BUF(1), BUF_LEN, D_WRITE, 0);
	set_desc(ITAB, 1, BUF(2), BUF_LEN, D_WRITE, 0);
	set_desc(DESC, 0, ITAB, 24, D_INDIRECT, 0);
	return refuse_head(0);
}

static int c_indirect_zero(void)
{
	set_desc(DESC, 0, ITAB, 0, D_INDIRECT, 0);
	return refuse_head(0);
}

static int c_indirect_outside(void)
{
	set_desc(DESC, 0, OTHER_RAM, 64, D_INDIRECT, 0);
	return refuse_head(0);
}

static int c_indirect_huge(void)
{
	set_desc(DESC, 0, ITAB, 0xfffffff0u, D_INDIRECT, 0);
	return refuse_head(0);
}

static int c_indirect_in_chain(void)
{
	set_desc(ITAB, 0, BUF(2), BUF_LEN, D_WRITE, 0);
	set_desc(DESC, 0, BUF(1), BUF_LEN, D_WRITE | D_NEXT, 1);
	set_desc(DESC, 1, ITAB, 16, D_INDIRECT, 0);
	return refuse_head(0);
}

static int c_indirect_next_flag(void)
{
	set_desc(ITAB, 0, BUF(1), BUF_LEN, D_WRITE, 0);
	set_desc(DESC, 0, ITAB, 16, D_INDIRECT | D_NEXT, 1);
	set_desc(DESC, 1, BUF(2), BUF_LEN, D_WRITE, 0);
	return refuse_head(0);
}

static int c_indirect_loop(void)
{
	set_desc(ITAB, 0, BUF(1), BUF_LEN, D_WRITE | D_NEXT, 1);
	set_desc(ITAB, 1, BUF(2), BUF_LEN, D_WRITE | D_NEXT, 0);
	set_desc(DESC, 0, ITAB, 32, D_INDIRECT, 0);
	return refuse_head(0);
}

static int c_indirect_next_oob(void)
{
	set_desc(ITAB, 0, BUF(1), BUF_LEN, D_WRITE | D_NEXT, 2);
	set_desc(ITAB, 1, BUF(2), BUF_LEN, D_WRITE, 0);
	set_desc(DESC, 0, ITAB, 32, D_INDIRECT, 0);
	return refuse_head(0);
}

/* 65 one-byte buffers in one request: more than VQ_MAX_SEGS. */
static int c_too_many_segs(void)
{
	for (unsigned i = 0; i < 65; i++)
		set_desc(ITAB, i, BUF(1) + (i % BUF_LEN), 1, D_WRITE | (i < 64 ? D_NEXT : 0),
			 (uint16_t)(i + 1));
	set_desc(DESC, 0, ITAB, 65 * 16, D_INDIRECT, 0);
	return refuse_head(0);
}

/* ---- queue setup cases (from reset) ---- */

/* The queue is refused at QueueReady: NEEDS_RESET, not ready, and a valid
 * request put in the ring anyway is never served. */
static int bad_queue(uint32_t num, uint64_t desc, uint64_t avail, uint64_t used)
{
	uint32_t s = dev_setup(F_VERSION_1, num, desc, avail, used, 1);
	uint32_t ready = rd(R_QUEUE_READY);
	uint32_t isr = rd(R_INT_STATUS);

	detail = s;
	if (!(s & S_NEEDS_RESET) || ready || !(isr & 2))
		return 0;
	qnum = QNUM;
	set_desc(DESC, 0, BUF(1), BUF_LEN, D_WRITE, 0);
	submit(0, 1);
	return needs_reset();
}

static int c_qsize3(void) { return bad_queue(3, DESC, AVAIL, USED); }
static int c_qsize512(void) { return bad_queue(512, DESC, AVAIL, USED); }
static int c_qsize0(void) { return bad_queue(0, DESC, AVAIL, USED); }
static int c_qdesc_other(void) { return bad_queue(QNUM, OTHER_RAM, AVAIL, USED); }
static int c_qavail_hv(void) { return bad_queue(QNUM, DESC, HV_RAM, USED); }
static int c_qused_end(void) { return bad_queue(QNUM, DESC, AVAIL, RAM_END - 8); }
static int c_qdesc_wrap(void) { return bad_queue(QNUM, 0xfffffffffffffff0ULL, AVAIL, USED); }
static int c_qdesc_misaligned(void) { return bad_queue(QNUM, DESC + 8, AVAIL, USED); }

/* Queue registers written after QueueReady are ignored: the device keeps
 * ring A (size 8) and never touches ring B. Avail slot 0 is poisoned, so a
 * device that took QueueNum 4 would read it for the fifth request. */
static int c_queue_regs_after_ready(void)
{
	int ok = 1;

	fill(RINGB, RINGB + 0x1000, 0x5a);
	vmmio_queue_regs(VIRTIO, 4, RINGB, RINGB + 0x400, RINGB + 0x800);
	wr(R_QUEUE_READY, 1);
	w16(AVAIL + 4, 0xffff);
	for (unsigned i = 0; i < 5; i++) {
		fill(BUF(1 + i), BUF(1 + i) + BUF_LEN, 0);
		set_desc(DESC, i, BUF(1 + i), BUF_LEN, D_WRITE, 0);
		submit((uint16_t)i, 1);
		ok &= answered((uint16_t)i, 1 + i);
	}
	for (uintptr_t a = RINGB; a < RINGB + 0x1000; a++)
		if (r8(a) != 0x5a)
			ok = 0;
	detail = rd(R_STATUS);
	return ok && rd(R_QUEUE_READY) == 1 && !(detail & S_NEEDS_RESET);
}

/* DriverFeatures after FEATURES_OK is ignored: clearing INDIRECT_DESC
 * then does not stop an indirect request from being served. */
static int c_features_after_ok(void)
{
	vmmio_set_features(VIRTIO, 0);
	detail = rd(R_STATUS);
	return serve_one(1, 3) && !(rd(R_STATUS) & S_NEEDS_RESET);
}

/* FEATURES_OK refused: status keeps neither it nor DRIVER_OK, the queue
 * cannot be made ready, a notify serves nothing. */
static int bad_features(uint64_t feat)
{
	uint32_t s;

	dev_reset();
	fill(DESC, A + 0x3000, 0);
	vmmio_negotiate(VIRTIO, feat, 0);
	s = rd(R_STATUS);
	detail = s;
	if (s & S_FEATURES_OK)
		return 0;
	wr(R_QUEUE_SEL, 0);
	qnum = QNUM;
	vmmio_queue_regs(VIRTIO, QNUM, DESC, AVAIL, USED);
	wr(R_QUEUE_READY, 1);
	wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	s = rd(R_STATUS);
	detail = s;
	set_desc(DESC, 0, BUF(1), BUF_LEN, D_WRITE, 0);
	submit(0, 1);
	barrier();
	return !(s & (S_FEATURES_OK | S_DRIVER_OK)) && rd(R_QUEUE_READY) == 0 &&
	       used_idx() == 0 && bufs_zero();
}

static int c_no_version1(void) { return bad_features(0); }
static int c_not_offered(void) { return bad_features(F_VERSION_1 | F_ACCESS_PLATFORM); }

/* QueueNotify before DRIVER_OK serves nothing; after DRIVER_OK the same
 * request is served. */
static int c_notify_early(void)
{
	uint32_t s = dev_setup(F_VERSION_1, QNUM, DESC, AVAIL, USED, 0);
	int ok;

	detail = s;
	set_desc(DESC, 0, BUF(1), BUF_LEN, D_WRITE, 0);
	submit(0, 1);
	barrier();
	ok = used_idx() == 0 && bufs_zero();
	wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	wr(R_QUEUE_NOTIFY, 0);
	return ok && answered(0, 1);
}

/* Notifying queues the device does not have serves nothing. */
static int c_notify_other_queue(void)
{
	int ok;

	set_desc(DESC, 0, BUF(1), BUF_LEN, D_WRITE, 0);
	submit(0, 0);
	wr(R_QUEUE_NOTIFY, 1);
	wr(R_QUEUE_NOTIFY, 0xffffffffu);
	wr(R_QUEUE_NOTIFY, 0x10000);
	barrier();
	ok = used_idx() == used_seen && bufs_zero();
	detail = rd(R_STATUS);
	wr(R_QUEUE_NOTIFY, 0);
	return ok && answered(0, 1);
}

/* Queue 1 does not exist: QueueNumMax 0, its registers ignored. */
static int c_queue1(void)
{
	int ok;

	wr(R_QUEUE_SEL, 1);
	ok = rd(R_QUEUE_NUM_MAX) == 0;
	vmmio_queue_regs(VIRTIO, QNUM, RINGB, RINGB + 0x400, RINGB + 0x800);
	wr(R_QUEUE_READY, 1);
	ok &= rd(R_QUEUE_READY) == 0;
	wr(R_QUEUE_NOTIFY, 1);
	wr(R_QUEUE_SEL, 0);
	detail = rd(R_STATUS);
	return ok && !(detail & S_NEEDS_RESET) && serve_one(0, 2);
}

/* ---- register access cases: an abort must be injected ---- */

/* A write stores 0, or (64-bit) an address in the other partition. */
static int access(uintptr_t addr, unsigned width, int write)
{
	uint64_t before = n_exceptions;
	probe(addr, width, write, width == 8 ? OTHER_RAM : 0);
	detail = last_esr;
	return took_abort(before, addr);
}

static int c_status_read8(void) { return access(VIRTIO + R_STATUS, 1, 0); }

/* A byte write of 0 to Status would reset the device: it must not. */
static int c_status_write8(void)
{
	int ok = access(VIRTIO + R_STATUS, 1, 1);
	return ok && rd(R_STATUS) == (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

static int c_notify_write16(void)
{
	int ok;
	set_desc(DESC, 0, BUF(1), BUF_LEN, D_WRITE, 0);
	submit(0, 0);
	ok = access(VIRTIO + R_QUEUE_NOTIFY, 2, 1);
	barrier();
	ok &= used_idx() == used_seen && bufs_zero();
	wr(R_QUEUE_NOTIFY, 0);
	return ok && answered(0, 1);
}

static int c_magic_read64(void) { return access(VIRTIO + R_MAGIC, 8, 0); }

/* A 64-bit write of QueueDesc while the queue is being set up (some
 * drivers try): aborted, and the queue set up with 32-bit writes works. */
static int c_qdesc_write64(void)
{
	int ok;

	dev_reset();
	fill(DESC, A + 0x3000, 0);
	vmmio_negotiate(VIRTIO, F_VERSION_1, 0);
	wr(R_QUEUE_SEL, 0);
	wr(R_QUEUE_NUM, QNUM);
	ok = access(VIRTIO + R_QUEUE_DESC, 8, 1);
	qnum = QNUM;
	vmmio_queue_regs(VIRTIO, QNUM, DESC, AVAIL, USED);
	wr(R_QUEUE_READY, 1);
	wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	return ok && rd(R_STATUS) == (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK) &&
	       serve_one(0, 1);
}

static int c_status_unaligned(void) { return access(VIRTIO + R_STATUS + 2, 4, 0); }
static int c_past_window(void) { return access(VIRTIO + 0x200, 4, 0); }
static int c_past_window_w(void) { return access(VIRTIO + 0x1000, 4, 1); }

/* ---- the harness ---- */

static int rng_ok_after = 1;

static void run_case(const char *what, int (*fn)(void), uint64_t feat)
{
	int ok;

	/* Before: a working device, one request served. */
	if (!dev_init(feat) || !serve_one(0, 0) || ((feat & F_INDIRECT) && !serve_one(1, 0))) {
		controls_failed++;
		case_note("positive control failed before: ", what);
	}
	bufs_prepare();
	detail = 0;
	ok = fn();
	ok &= guards_ok();
	/* After: reset, and the device serves random bytes again. */
	bufs_prepare();
	if (!dev_init(F_VERSION_1) || !serve_one(0, 0)) {
		rng_ok_after = 0;
		ok = 0;
		case_note("rng does not work after reset: ", what);
	}
	report_case(what, ok);
}

void guest_main(uint64_t x0, uint64_t first_counter)
{
	(void)x0;
	(void)first_counter;

	A = ((uintptr_t)arena + 0xfff) & ~(uintptr_t)0xfff;
	puts_("hostile: starting, rings at ");
	put_hex(A);
	putc_('\n');
	if (rd(R_MAGIC) != 0x74726976 || rd(R_VERSION) != 2 || rd(R_DEVICE_ID) != 4) {
		puts_("hostile: no virtio-rng at 0x0a000000\n");
		return;
	}
	uint64_t offered = vmmio_dev_features(VIRTIO);
	if (!(offered & F_VERSION_1) || !(offered & F_INDIRECT))
		puts_("hostile: warning: VERSION_1 or INDIRECT_DESC not offered\n");
	bufs_prepare();

	const uint64_t V = F_VERSION_1, VI = F_VERSION_1 | F_INDIRECT;
	run_case("descriptor chain that loops", c_loop, V);
	run_case("empty descriptor that chains to itself", c_self_loop, V);
	run_case("next index >= queue size", c_next_oob, V);
	run_case("next index 0xffff", c_next_ffff, V);
	run_case("avail ring head >= queue size", c_head_oob, V);
	run_case("avail ring head 0xffff", c_head_ffff, V);
	run_case("avail idx jumps more than the queue size", c_avail_jump, V);
	run_case("avail idx moves backwards", c_avail_back, V);
	run_case("buffer in the other partition's RAM (0x50000000)", c_buf_other, V);
	run_case("buffer in the hypervisor's image (0x40080000)", c_buf_hv, V);
	run_case("buffer straddling the end of its RAM", c_buf_straddle, V);
	run_case("buffer straddling the start of its RAM", c_buf_below, V);
	run_case("buffer address + length wrapping past 2^64", c_buf_wrap, V);
	run_case("buffer length 0xffffffff", c_buf_len, V);
	run_case("other partition's RAM in the middle of a chain", c_bad_second, V);
	run_case("readable descriptor after a writable one", c_read_after_write, V);
	run_case("indirect descriptor without INDIRECT_DESC negotiated", c_indirect_unneg, V);
	run_case("nested indirect descriptor", c_indirect_nested, VI);
	run_case("indirect table length not a multiple of 16", c_indirect_len, VI);
	run_case("indirect table length 0", c_indirect_zero, VI);
	run_case("indirect table in the other partition's RAM", c_indirect_outside, VI);
	run_case("indirect table length 0xfffffff0", c_indirect_huge, VI);
	run_case("indirect descriptor inside a chain", c_indirect_in_chain, VI);
	run_case("indirect descriptor with NEXT set", c_indirect_next_flag, VI);
	run_case("indirect chain that loops", c_indirect_loop, VI);
	run_case("indirect next index beyond the table", c_indirect_next_oob, VI);
	run_case("65 buffers in one request", c_too_many_segs, VI);
	run_case("queue size 3 at QueueReady", c_qsize3, V);
	run_case("queue size 512 (> QueueNumMax) at QueueReady", c_qsize512, V);
	run_case("queue size 0 at QueueReady", c_qsize0, V);
	run_case("descriptor table in the other partition's RAM", c_qdesc_other, V);
	run_case("avail ring in the hypervisor's image", c_qavail_hv, V);
	run_case("used ring straddling the end of its RAM", c_qused_end, V);
	run_case("descriptor table wrapping past 2^64", c_qdesc_wrap, V);
	run_case("misaligned descriptor table", c_qdesc_misaligned, V);
	run_case("queue registers written after QueueReady are ignored", c_queue_regs_after_ready,
		 V);
	run_case("DriverFeatures written after FEATURES_OK is ignored", c_features_after_ok, VI);
	run_case("FEATURES_OK without VERSION_1", c_no_version1, V);
	run_case("FEATURES_OK with ACCESS_PLATFORM (not offered)", c_not_offered, V);
	run_case("QueueNotify before DRIVER_OK serves nothing", c_notify_early, V);
	run_case("QueueNotify of queues the device does not have", c_notify_other_queue, V);
	run_case("queue 1 (not the device's) set up and notified", c_queue1, V);
	run_case("8-bit read of Status", c_status_read8, V);
	run_case("8-bit write of Status", c_status_write8, V);
	run_case("16-bit write of QueueNotify", c_notify_write16, V);
	run_case("64-bit read of MagicValue", c_magic_read64, V);
	run_case("64-bit write of QueueDesc", c_qdesc_write64, V);
	run_case("unaligned 32-bit read of Status", c_status_unaligned, V);
	run_case("read past the device's 0x200 window", c_past_window, V);
	run_case("write past the device's 0x200 window", c_past_window_w, V);

	dev_reset();
	report_alive("cases");
	if (rng_ok_after && !controls_failed)
		puts_("hostile: rng works after every reset\n");
	report_done();
}
