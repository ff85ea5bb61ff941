/* The hostile SCMI driver: drives its partition's virtio-scmi as Linux's
 * transport does (a command queue of request/response pairs, an event
 * queue of 136-byte buffers for delayed responses), proves with valid
 * messages that its one sensor reads, then sends what a platform must
 * refuse: short, oversized and malformed messages, unknown protocols and
 * message ids, sensor ids out of its range (the other partitions' sensors
 * among them, answered exactly as ids that exist nowhere), descriptor
 * indexes past the end, replies with no room, and a flood of asynchronous
 * reads. Each gets its status; the neighbours' readings are the host
 * test's to check (tests/linux/test_scmi.py).
 *
 * Runs in "attacker" of tests/configs/good/linux-scmi.dts: its virtio-scmi
 * in slot 0 (0x0a000000) with one sensor, outside-air, whose register the
 * host set to OUTSIDE before boot; its agent id is 3 (the third partition).
 * proves: SENS-1, SENS-3, PLATFORM-5 */
#define GUEST_NAME "scmiattack"
#include "../common/guest.h"
#include "../common/cases.h"
#include "../common/virtio_mmio.h"
#include "../common/vtimer.h"

#define VSCMI 0x0a000000UL
#define OUTSIDE (-7250)
#define MY_AGENT 3u

#define F_P2A (1ULL << 0)
#define S_LIVE (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)
#define QNUM 64
#define WAIT_SPINS 20000000UL

#define SUCCESS 0
#define NOT_SUPPORTED (-1)
#define INVALID_PARAMETERS (-2)
#define NOT_FOUND (-4)
#define BUSY (-6)
#define PROTOCOL_ERROR (-10)

#define BASE 0x10
#define SENSOR 0x15
#define PENDING_MAX 8
#define BENCH_N 1000
#define SCMI_TOKEN_OF(h) (((h) >> 18) & 0x3ffu)

/* cmdq at +0 (desc, avail +0x400, used +0x800), eventq at +0x1000, the
 * request at +0x2000, the response at +0x2800 (guards around it), event
 * buffers at +0x3000 (32 of 136, at 0x80 strides). */
static uint8_t arena[0x6000];
static uintptr_t A;
#define CQ (A + 0x0000)
#define EQ (A + 0x1000)
#define REQ (A + 0x2000)
#define RSP (A + 0x2800)
#define EVB(i) (A + 0x3000 + 0x100 * (uintptr_t)(i))

struct q {
	uintptr_t ring;
	unsigned sel;
	uint16_t avail, used;
};
static struct q cq = { 0, 0, 0, 0 }, eq = { 0, 1, 0, 0 };
static uint32_t used_id, used_len;
static unsigned token = 1;

#define DESC(q) ((q)->ring)
#define AVAIL(q) ((q)->ring + 0x400)
#define USED(q) ((q)->ring + 0x800)

static uint32_t rd(uint32_t off) { return mmio_read32(VSCMI + off); }
static void wr(uint32_t off, uint32_t v) { mmio_write32(VSCMI + off, v); }

static void kick(struct q *q, uint16_t head)
{
	vq_publish(AVAIL(q), &q->avail, QNUM, head);
	wr(R_QUEUE_NOTIFY, q->sel);
}

static int wait(struct q *q)
{
	for (unsigned long i = 0; i < WAIT_SPINS; i++) {
		if (vq_take_used(USED(q), &q->used, QNUM, &used_id, &used_len))
			return 1;
		if ((i & 255) == 0)
			(void)rd(R_STATUS);
	}
	return 0;
}

/* No used entry within a short while. */
static int quiet(struct q *q)
{
	for (unsigned i = 0; i < 20000; i++)
		(void)rd(R_STATUS);
	barrier();
	return r16(USED(q) + 2) == q->used;
}

static void ev_post(unsigned i, uint32_t len)
{
	fill(EVB(i), EVB(i) + 0x100, 0xa5);
	set_desc(DESC(&eq), i % QNUM, EVB(i), len, D_WRITE, 0);
	kick(&eq, (uint16_t)(i % QNUM));
}

static int dev_init(int p2a)
{
	wr(R_STATUS, 0);
	fill(CQ, CQ + 0x2000, 0);
	w16(AVAIL(&cq), 1);
	w16(AVAIL(&eq), 1);
	cq.avail = cq.used = eq.avail = eq.used = 0;
	vmmio_negotiate(VSCMI, F_VERSION_1 | (p2a ? F_P2A : 0), 1);
	if (!(rd(R_STATUS) & S_FEATURES_OK))
		return 0;
	if (!vmmio_queue_setup(VSCMI, 0, QNUM, DESC(&cq), AVAIL(&cq), USED(&cq)) ||
	    !vmmio_queue_setup(VSCMI, 1, QNUM, DESC(&eq), AVAIL(&eq), USED(&eq)))
		return 0;
	wr(R_STATUS, S_LIVE);
	return rd(R_STATUS) == S_LIVE;
}

static uint32_t hdr(unsigned proto, unsigned id)
{
	token = (token + 1) & 0x3ff;
	return id | proto << 10 | token << 18;
}

/* A message of len bytes at REQ (its header written by the caller), a
 * response buffer of cap bytes: 1 when it came back (used_len set). */
static int send(uint32_t len, uint32_t cap)
{
	fill(RSP - 0x100, RSP + 0x200, 0xa5);
	set_desc(DESC(&cq), 0, REQ, len, D_NEXT, 1);
	set_desc(DESC(&cq), 1, RSP, cap, D_WRITE, 0);
	kick(&cq, 0);
	return wait(&cq) && used_id == 0;
}

/* A command of n parameters (p0, p1): its status, or 0x7fffffff when the
 * answer is not a header echo and status in used_len bytes, nothing past. */
static int32_t cmd(unsigned proto, unsigned id, unsigned n, uint32_t p0, uint32_t p1, uint32_t cap)
{
	uint32_t h = hdr(proto, id);

	w32(REQ, h);
	w32(REQ + 4, p0);
	w32(REQ + 8, p1);
	if (!send(4 + 4 * n, cap) || used_len < 8 || used_len > cap || r32(RSP) != h ||
	    !all_are(RSP + cap, RSP + 0x200, 0xa5) || !all_are(RSP - 0x100, RSP, 0xa5))
		return 0x7fffffff;
	detail = (uint64_t)used_len << 32 | r32(RSP + 4);
	if (r32(RSP + 4) != 0 && used_len != 8)
		return 0x7ffffffe; /* a failure carries its status alone */
	return (int32_t)r32(RSP + 4);
}

/* ---- controls ---- */

static int ctl_base(void)
{
	return cmd(BASE, 0, 0, 0, 0, 12) == SUCCESS && r32(RSP + 8) == 0x20000 &&
	       cmd(BASE, 6, 1, 0, 0, 136) == SUCCESS && used_len == 16 && r32(RSP + 12) == SENSOR;
}

static int ctl_one_sensor(void)
{
	return cmd(SENSOR, 1, 0, 0, 0, 24) == SUCCESS && (r32(RSP + 8) & 0xffff) == 1 &&
	       cmd(SENSOR, 3, 1, 0, 0, 136) == SUCCESS && r32(RSP + 8) == 1 && r32(RSP + 12) == 0;
}

static int ctl_read(void)
{
	return cmd(SENSOR, 6, 2, 0, 0, 136) == SUCCESS && (int32_t)r32(RSP + 8) == OUTSIDE &&
	       r32(RSP + 12) == 0xffffffffu;
}

/* An asynchronous read: SUCCESS at once, then the delayed response with
 * the same token on the event queue. */
static int ctl_async(void)
{
	uint32_t h;

	ev_post(0, 136);
	if (cmd(SENSOR, 6, 2, 0, 1, 136) != SUCCESS || used_len != 8)
		return 0;
	h = r32(REQ);
	if (!wait(&eq))
		return 0;
	detail = used_len;
	return used_len == 28 && r32(EVB(0)) == (h | 2u << 8) && r32(EVB(0) + 4) == 0 &&
	       r32(EVB(0) + 8) == 0 && (int32_t)r32(EVB(0) + 12) == OUTSIDE;
}

/* ---- cases ---- */

static int c_short(void)
{
	w32(REQ, hdr(BASE, 0));
	return send(3, 136) && used_len == 0 && all_are(RSP, RSP + 136, 0xa5);
}

static int c_oversized(void)
{
	uint32_t h = hdr(SENSOR, 6);

	w32(REQ, h);
	fill(REQ + 4, REQ + 400, 0);
	return send(400, 136) && used_len == 8 && r32(RSP) == h &&
	       (int32_t)r32(RSP + 4) == PROTOCOL_ERROR;
}

static int c_no_room(void)
{
	w32(REQ, hdr(BASE, 0));
	return send(4, 7) && used_len == 0 && cmd(BASE, 0, 0, 0, 0, 8) == PROTOCOL_ERROR &&
	       cmd(SENSOR, 3, 1, 0, 0, 8 + 4 + 27) == PROTOCOL_ERROR;
}

static int c_unknown(void)
{
	return cmd(0x13, 0, 0, 0, 0, 136) == NOT_SUPPORTED && cmd(0xff, 1, 0, 0, 0, 136) == NOT_SUPPORTED &&
	       cmd(BASE, 0x20, 0, 0, 0, 136) == NOT_SUPPORTED &&
	       cmd(SENSOR, 0x30, 0, 0, 0, 136) == NOT_SUPPORTED &&
	       cmd(SENSOR, 2, 1, 0x0b, 0, 136) == NOT_FOUND; /* continuous updates: not offered */
}

static int c_bad_header(void)
{
	uint32_t h = hdr(BASE, 0);

	w32(REQ, h | 1u << 30);
	if (!send(4, 136) || used_len != 8 || (int32_t)r32(RSP + 4) != PROTOCOL_ERROR)
		return 0;
	w32(REQ, h | 3u << 8); /* a notification, as a command */
	return send(4, 136) && used_len == 8 && (int32_t)r32(RSP + 4) == PROTOCOL_ERROR;
}

static int c_wrong_length(void)
{
	return cmd(SENSOR, 6, 1, 0, 0, 136) == PROTOCOL_ERROR && cmd(BASE, 0, 1, 0, 0, 136) == PROTOCOL_ERROR;
}

/* Ids past its own: the others' sensors exist (3 in all), and the answer
 * is byte for byte the one for an id that exists nowhere. */
static int c_other_sensors(void)
{
	uint32_t a, b;
	int ok = 1;

	for (uint32_t id = 1; id < 40; id++) {
		ok &= cmd(SENSOR, 6, 2, id, 0, 136) == NOT_FOUND;
		ok &= cmd(SENSOR, 9, 1, id, 0, 136) == NOT_FOUND;
		ok &= cmd(SENSOR, 10, 2, id, 0, 136) == NOT_FOUND;
	}
	ok &= cmd(SENSOR, 6, 2, 0xffffffffu, 0, 136) == NOT_FOUND;
	a = (uint32_t)detail;
	ok &= cmd(SENSOR, 6, 2, 1, 0, 136) == NOT_FOUND;
	b = (uint32_t)detail;
	return ok && a == b;
}

static int c_descriptor_past_end(void)
{
	return cmd(SENSOR, 3, 1, 1, 0, 136) == INVALID_PARAMETERS &&
	       cmd(SENSOR, 3, 1, 0xffffffffu, 0, 136) == INVALID_PARAMETERS;
}

static int c_other_agents(void)
{
	return cmd(BASE, 7, 1, 1, 0, 136) == NOT_FOUND && cmd(BASE, 7, 1, 2, 0, 136) == NOT_FOUND &&
	       cmd(BASE, 7, 1, MY_AGENT, 0, 136) == SUCCESS && r32(RSP + 8) == MY_AGENT &&
	       cmd(BASE, 1, 0, 0, 0, 12) == SUCCESS && r32(RSP + 8) == 1; /* no agent count */
}

static int c_config_reserved(void)
{
	return cmd(SENSOR, 10, 2, 0, 1u << 4, 136) == INVALID_PARAMETERS &&
	       cmd(SENSOR, 9, 1, 0, 0, 136) == SUCCESS && r32(RSP + 8) == 1;
}

/* A flood of asynchronous reads with no event buffer: PENDING_MAX taken,
 * the rest BUSY; then buffers: exactly those delivered, in order. */
static int c_async_flood(void)
{
	uint32_t first = 0;
	unsigned ok_n = 0, busy = 0;
	int ok = 1;

	for (unsigned i = 0; i < 40; i++) {
		int32_t st = cmd(SENSOR, 6, 2, 0, 1, 136);
		if (st == SUCCESS) {
			if (!ok_n)
				first = r32(REQ);
			ok_n++;
		} else if (st == BUSY) {
			busy++;
		} else {
			ok = 0;
		}
	}
	detail = (uint64_t)ok_n << 32 | busy;
	ok &= ok_n == PENDING_MAX && busy == 40 - PENDING_MAX && quiet(&eq);
	for (unsigned i = 0; i < PENDING_MAX + 2; i++)
		ev_post(1 + i, 136);
	for (unsigned i = 0; i < PENDING_MAX; i++)
		ok &= wait(&eq) && used_len == 28 && SCMI_TOKEN_OF(r32(EVB(1 + i))) ==
							  ((SCMI_TOKEN_OF(first) + i) & 0x3ff);
	return ok && quiet(&eq) && cmd(SENSOR, 6, 2, 0, 1, 136) == SUCCESS;
}

/* A delayed response waits for a buffer big enough; a small one comes
 * back empty. */
static int c_small_event_buffer(void)
{
	if (cmd(SENSOR, 6, 2, 0, 1, 136) != SUCCESS)
		return 0;
	ev_post(20, 16);
	if (!wait(&eq) || used_len != 0)
		return 0;
	ev_post(21, 136);
	return wait(&eq) && used_len == 28 && (int32_t)r32(EVB(21) + 12) == OUTSIDE;
}

/* Without P2A: no async (NOT_SUPPORTED), none advertised. */
static int c_no_p2a(void)
{
	int ok = dev_init(0);
	ok &= cmd(SENSOR, 6, 2, 0, 1, 136) == NOT_SUPPORTED;
	ok &= cmd(SENSOR, 3, 1, 0, 0, 136) == SUCCESS && r32(RSP + 16) == 0;
	ok &= cmd(SENSOR, 2, 1, 4, 0, 136) == NOT_FOUND;
	return ok;
}

static int init_p2a(void) { return dev_init(1); }
static int serves(void) { return dev_init(1) && ctl_read(); }

static void run_case(const char *what, int (*fn)(void))
{
	run_checked(what, init_p2a, fn, serves, "the platform does not serve after: ");
}

void guest_main(uint64_t x0, uint64_t first_counter)
{
	(void)x0;
	(void)first_counter;
	A = ((uintptr_t)arena + 0xfff) & ~(uintptr_t)0xfff;
	cq.ring = CQ;
	eq.ring = EQ;
	puts_("scmiattack: starting\n");

	control("virtio-scmi (ID 32) goes live with P2A", rd(R_DEVICE_ID) == 32 && dev_init(1));
	control("BASE: version 2.0, the sensor protocol listed in 16 bytes", ctl_base());
	control("SENSOR: one sensor, id 0, one descriptor", ctl_one_sensor());
	control("READING_GET of sensor 0: the register's value", ctl_read());
	control("an asynchronous read: its delayed response, same token", dev_init(1) && ctl_async());

	run_case("a message shorter than a header: no answer", c_short);
	run_case("a message longer than any: PROTOCOL_ERROR", c_oversized);
	run_case("no room for an answer: nothing, or the status alone", c_no_room);
	run_case("unknown protocols and message ids: NOT_SUPPORTED", c_unknown);
	run_case("reserved header bits, a notification sent as a command", c_bad_header);
	run_case("a parameter too few or too many: PROTOCOL_ERROR", c_wrong_length);
	run_case("every id past its own (the other partitions' sensors): NOT_FOUND, alike",
		 c_other_sensors);
	run_case("descriptor indexes past the end: INVALID_PARAMETERS", c_descriptor_past_end);
	run_case("the other agents: NOT_FOUND, and no agent count", c_other_agents);
	run_case("CONFIG_SET with reserved bits: INVALID_PARAMETERS, nothing changed",
		 c_config_reserved);
	run_case("40 asynchronous reads, no event buffer: 8 taken, 32 BUSY, 8 delivered",
		 c_async_flood);
	run_case("an event buffer too small: back empty, the response waits", c_small_event_buffer);
	run_case("without P2A: no asynchronous read, none advertised", c_no_p2a);

	/* For make bench: synchronous READING_GET round trips as a driver
	 * sees them (notify, the platform's answer, the used entry), in
	 * counter ticks for BENCH_N. */
	if (dev_init(1)) {
		uint64_t t0 = counter(), t1;
		unsigned good = 0;
		/* the lean path a driver takes: descriptors set once, then
		 * header, publish, notify, the used entry */
		w32(REQ + 4, 0);
		w32(REQ + 8, 0);
		set_desc(DESC(&cq), 0, REQ, 12, D_NEXT, 1);
		set_desc(DESC(&cq), 1, RSP, 136, D_WRITE, 0);
		for (unsigned i = 0; i < BENCH_N; i++) {
			w32(REQ, hdr(SENSOR, 6));
			kick(&cq, 0);
			good += wait(&cq) && used_len == 24 && r32(RSP + 4) == SUCCESS;
		}
		t1 = counter();
		puts_("scmiattack: bench reading_get ticks=");
		put_dec(t1 - t0);
		puts_(" n=");
		put_dec(good);
		/* the baseline: as many trapped reads of a device register */
		t0 = counter();
		for (unsigned i = 0; i < BENCH_N; i++)
			(void)rd(R_STATUS);
		t1 = counter();
		puts_(" mmio_ticks=");
		put_dec(t1 - t0);
		putc_('\n');
	}
	wr(R_STATUS, 0);
	report_alive("cases");
	report_served();
	if (served_after_all)
		puts_("scmiattack: the platform serves after every case\n");
	report_done();
}
