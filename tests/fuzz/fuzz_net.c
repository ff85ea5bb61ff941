/* libFuzzer harness for virtio-net (vdev/virtio_net.c: transmit, receive
 * with mergeable buffers, the control queue) with the L2 switch
 * (core/netswitch.c). The input is the driver of device A, on segment 0
 * with two more ports: B, another partition's (a guest port with a fixed
 * address), and U, an uplink (any source address behind it). Port C is
 * alone on segment 1. Every operation is also decided by a reference
 * written here: a learning switch (guest addresses fixed, an uplink's
 * learned; unknown unicast and multicast flood the segment), the frame
 * and address rules of the device (a frame of 14 to MTU + 18 bytes from
 * its own address; MAC_ADDR_SET applied only when the partition file
 * allows it, for a unicast, non-zero address no other guest port has or
 * was given) and [VIRTIO] 1.2 5.1.6 for the receive buffers. Built with
 * -fsanitize=fuzzer,address,undefined. After each operation:
 *  - each port received exactly the frames the reference says, byte for
 *    byte; C nothing ever; nothing from A leaves with another source;
 *  - A's receive buffers hold header (num_buffers) and frame, spread over
 *    the buffers the reference takes, or none is used (dropped);
 *  - A's transmit and control chains come back, with the reference's ack;
 *  - A's configuration space shows the address the reference holds;
 *  - guest RAM changed only where the reference says, and the used rings.
 *
 * Input: byte 0: bit 0 MAC changes allowed; bit 1 MTU 1400 (else 1500);
 * bit 2 MRG_RXBUF negotiated. Then operations, op byte % 5:
 *  0 TX     u16 len (% 1560), u8 dst, u8 src, u8 pieces, u8 fill
 *  1 RXBUF  u8 n (% 4 + 1), each u16 len (% 1600 + 1), u8 pieces (bit 0: 2)
 *  2 INJECT u8 from (bit 0: B, else U; bits 1-2: U's source address),
 *           u16 len (% 1560), u8 dst, u8 fill
 *  3 CTRL   u8 class, u8 cmd, u8 mac (% 6: another, B's, a multicast, an
 *           unknown one, A's configured, zero), u8 extra (% 3: rlen 7, 8 or 9),
 *           u8 ack (% 3: no writable byte, 1, 2), u8 pieces
 *  4 RESET  the driver starts again
 * dst: % 7: B, broadcast, a multicast, an address U sent from, A's own,
 * an unknown unicast, C's. src (TX): % 3: A's own, B's, another.
 * tests/fuzz/corpus/net/ has seeds (make_corpus_net.py).
 * proves: NET-1, NET-5, NET-6, NET-7, NET-8, PLATFORM-7 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch_fake.h"
#include "fuzz_input.h"
#include <hv/log.h>
#include <hv/netswitch.h>
#include <vdev/virtio.h>
#include <vdev/virtio_net.h>

/* From [VIRTIO] 1.2, not from the code: registers (4.2.2), status bits
 * (2.1), descriptor flags (2.7.5), virtio-net features (5.1.3). */
enum { R_DEV_FEAT = 0x010, R_DEV_FEAT_SEL = 0x014, R_DRV_FEAT = 0x020, R_DRV_FEAT_SEL = 0x024,
       R_QUEUE_SEL = 0x030, R_QUEUE_NUM = 0x038, R_QUEUE_READY = 0x044, R_QUEUE_NOTIFY = 0x050,
       R_STATUS = 0x070, R_DESC_LO = 0x080, R_DESC_HI = 0x084, R_DRIVER_LO = 0x090,
       R_DRIVER_HI = 0x094, R_DEVICE_LO = 0x0a0, R_DEVICE_HI = 0x0a4, R_CONFIG = 0x100 };
enum { S_ACK = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8, S_NEEDS_RESET = 0x40 };
enum { D_NEXT = 1, D_WRITE = 2 };
#define F_V1 (1ULL << 32)
#define F_MTU (1ULL << 3)
#define F_MAC (1ULL << 5)
#define F_MRG (1ULL << 15)
#define F_STATUS (1ULL << 16)
#define F_CTRL_VQ (1ULL << 17)
#define F_CTRL_MAC (1ULL << 23)
#define HDR 12 /* struct virtio_net_hdr, num_buffers included */

#define RAM_IPA 0x40000000ull
#define RAM_SIZE (256u << 10)
enum { RXQ, TXQ, CTRLQ };
static const uint16_t qnum[3] = { 128, 64, 16 };
#define QBASE(q) (0x3000u * (q)) /* descriptors; avail +0x1000, used +0x2000 */
#define TXBUF 0x10000u
#define CTRLBUF 0x18000u
#define RXBUF(slot) (0x20000u + 0x800u * (slot))
#define RXSLOTS 64

static uint8_t *ram, *want;
static struct dma_space gm;
static struct virtio_net a;
static bool verbose; /* FUZZ_VERBOSE set: each operation */
static struct net_port b, u, c;
static const uint8_t a_home[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t b_mac[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t c_mac[6] = { 0x02, 0, 0, 0, 0, 0x0c };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t unknown[6] = { 0x02, 0x77, 0x77, 0x77, 0x77, 0x77 };
static const uint8_t other[6] = { 0x02, 0x99, 0, 0, 0, 0x01 };

static __attribute__((noreturn)) void die(const char *what)
{
	fprintf(stderr, "fuzz_net: %s\n", what);
	abort();
}

/* ---- the other ports: what each received ---- */
struct got {
	unsigned n;
	size_t len;
	uint8_t frame[NET_MAX_FRAME];
};
static struct got got_b, got_u, got_c;

static void port_rx(struct net_port *p, const uint8_t *frame, size_t len)
{
	struct got *g = p->ctx;
	if (len > NET_MAX_FRAME)
		die("a frame longer than any port takes");
	g->n++;
	g->len = len;
	memcpy(g->frame, frame, len);
}

/* ---- the reference's switch: who is behind each address ---- */
enum { WHO_NONE, WHO_A, WHO_B, WHO_U };
static struct {
	uint8_t mac[6];
	int who;
	bool fixed;
} fdb[16];
static unsigned nfdb;
static uint8_t a_mac[6]; /* A's address, as the reference holds it */

static int fdb_who(const uint8_t *mac)
{
	for (unsigned i = 0; i < nfdb; i++)
		if (!memcmp(fdb[i].mac, mac, 6))
			return fdb[i].who;
	return WHO_NONE;
}

static void fdb_set(const uint8_t *mac, int who, bool fixed)
{
	for (unsigned i = 0; i < nfdb; i++)
		if (!memcmp(fdb[i].mac, mac, 6)) {
			if (fdb[i].fixed && !fixed)
				return;
			fdb[i].who = who;
			fdb[i].fixed = fixed;
			return;
		}
	if (nfdb == 16)
		die("harness: reference table full");
	memcpy(fdb[nfdb].mac, mac, 6);
	fdb[nfdb].who = who;
	fdb[nfdb++].fixed = fixed;
}

static void fdb_del(const uint8_t *mac)
{
	for (unsigned i = 0; i < nfdb; i++)
		if (!memcmp(fdb[i].mac, mac, 6)) {
			fdb[i] = fdb[--nfdb];
			return;
		}
}

/* ---- A's driver ---- */
static struct {
	bool mrg, mac_change, broken;
	uint16_t mtu;
	uint16_t avail[3], used_seen[3];
	/* Receive buffers posted and not used, in order: slot, capacity. */
	unsigned nrx, rx_slot[RXSLOTS], rx_cap[RXSLOTS], rx_first[RXSLOTS], rx_pieces[RXSLOTS];
	unsigned next_slot;
	bool slot_busy[RXSLOTS];
} drv;

static void wr(uint32_t off, uint32_t v)
{
	uint64_t x = v;
	if (mmio_device_access(&virtio_mmio_ops, &a.dev, off, 4, true, &x))
		die("register write refused");
}

static uint32_t rd(uint32_t off, unsigned w)
{
	uint64_t x = 0;
	if (mmio_device_access(&virtio_mmio_ops, &a.dev, off, w, false, &x))
		die("register read refused");
	return (uint32_t)x;
}

static void put(uint32_t off, const void *p, size_t n)
{
	memcpy(ram + off, p, n);
	memcpy(want + off, p, n);
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

static void desc(unsigned q, unsigned i, uint32_t off, uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { RAM_IPA + off, len, flags, next };
	put(QBASE(q) + 16 * i, &d, 16);
}

static void post(unsigned q, uint16_t head)
{
	uint16_t idx;
	put(QBASE(q) + 0x1000 + 4 + 2 * (drv.avail[q] % qnum[q]), &head, 2);
	drv.avail[q]++;
	idx = drv.avail[q];
	put(QBASE(q) + 0x1000 + 2, &idx, 2);
}

static uint16_t used_idx(unsigned q)
{
	return get16(QBASE(q) + 0x2000 + 2);
}

static void driver_start(void)
{
	uint64_t f, want_f = F_V1 | F_MTU | F_MAC | F_STATUS | F_CTRL_VQ | F_CTRL_MAC | (drv.mrg ? F_MRG : 0);

	memset(ram, 0, 0x10000);
	memset(want, 0, 0x10000);
	wr(R_STATUS, 0);
	/* The reference: a reset gives A its configured address again. */
	if (memcmp(a_mac, a_home, 6)) {
		fdb_del(a_mac);
		memcpy(a_mac, a_home, 6);
		fdb_set(a_mac, WHO_A, true);
	}
	wr(R_STATUS, S_ACK);
	wr(R_STATUS, S_ACK | S_DRIVER);
	wr(R_DEV_FEAT_SEL, 0);
	f = rd(R_DEV_FEAT, 4);
	wr(R_DEV_FEAT_SEL, 1);
	f |= (uint64_t)rd(R_DEV_FEAT, 4) << 32;
	if ((f & want_f) != want_f)
		die("a feature virtio-net must offer is missing");
	wr(R_DRV_FEAT_SEL, 0);
	wr(R_DRV_FEAT, (uint32_t)want_f);
	wr(R_DRV_FEAT_SEL, 1);
	wr(R_DRV_FEAT, (uint32_t)(want_f >> 32));
	wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	for (unsigned q = 0; q < 3; q++) {
		uint64_t base = RAM_IPA + QBASE(q);
		wr(R_QUEUE_SEL, q);
		wr(R_QUEUE_NUM, qnum[q]);
		wr(R_DESC_LO, (uint32_t)base);
		wr(R_DESC_HI, (uint32_t)(base >> 32));
		wr(R_DRIVER_LO, (uint32_t)(base + 0x1000));
		wr(R_DRIVER_HI, (uint32_t)((base + 0x1000) >> 32));
		wr(R_DEVICE_LO, (uint32_t)(base + 0x2000));
		wr(R_DEVICE_HI, (uint32_t)((base + 0x2000) >> 32));
		wr(R_QUEUE_READY, 1);
		drv.avail[q] = drv.used_seen[q] = 0;
	}
	wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	drv.nrx = 0;
	memset(drv.slot_busy, 0, sizeof(drv.slot_busy));
	drv.broken = false;
	if ((rd(R_CONFIG + 10, 2) & 0xffff) != drv.mtu)
		die("config space: mtu");
}

/* The device's used ring of q moved by exactly n entries; the last seen. */
static void expect_used(unsigned q, unsigned n, const char *what)
{
	if ((uint16_t)(used_idx(q) - drv.used_seen[q]) != n) {
		fprintf(stderr, "queue %u: %u used entries, reference %u\n", q,
			(uint16_t)(used_idx(q) - drv.used_seen[q]), n);
		die(what);
	}
}

static uint32_t used_len(unsigned q, uint16_t i)
{
	return get32(QBASE(q) + 0x2000 + 8 + 8 * (i % qnum[q]));
}
static uint32_t used_id(unsigned q, uint16_t i)
{
	return get32(QBASE(q) + 0x2000 + 4 + 8 * (i % qnum[q]));
}


static const uint8_t *dst_of(uint8_t sel, const uint8_t *u_src)
{
	switch (sel % 7) {
	case 0: return b_mac;
	case 1: return bcast;
	case 2: return mcast;
	case 3: return u_src;
	case 4: return a_mac;
	case 5: return unknown;
	default: return c_mac;
	}
}

static const uint8_t u_srcs[4][6] = { { 0x02, 0x55, 0, 0, 0, 1 }, { 0x02, 0x55, 0, 0, 0, 2 },
				      { 0x02, 0, 0, 0, 0, 0x0a }, /* A's configured address */
				      { 0x02, 0x99, 0, 0, 0, 0x01 } };

static void make_frame(uint8_t *f, size_t len, const uint8_t *dst, const uint8_t *src, uint8_t fill)
{
	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)(fill + 3 * i);
	if (len >= 6)
		memcpy(f, dst, 6);
	if (len >= 12)
		memcpy(f + 6, src, 6);
}

/* The reference's forwarding of a frame from a port: who gets it. */
static void forward_ref(int from, const uint8_t *f, size_t len, bool *to_a, bool *to_b, bool *to_u)
{
	*to_a = *to_b = *to_u = false;
	if (len < 14 || len > NET_MAX_FRAME)
		return;
	if (from == WHO_U && !(f[6] & 1))
		fdb_set(f + 6, WHO_U, false);
	int who = f[0] & 1 ? WHO_NONE : fdb_who(f);
	if (who != WHO_NONE) {
		*to_a = who == WHO_A && from != WHO_A;
		*to_b = who == WHO_B && from != WHO_B;
		*to_u = who == WHO_U && from != WHO_U;
		return;
	}
	*to_a = from != WHO_A;
	*to_b = from != WHO_B;
	*to_u = from != WHO_U;
}

static void check_got(struct got *g, unsigned before, bool expect, const uint8_t *f, size_t len,
		      const char *who)
{
	if (g->n != before + expect) {
		fprintf(stderr, "%s: %u frames, reference %u\n", who, g->n - before, expect);
		die("a port received other frames than the reference says");
	}
	if (expect && (g->len != len || memcmp(g->frame, f, len)))
		die("a port received a frame other than the one sent");
}

/* A frame for A from the switch: the reference takes A's posted buffers
 * in order (at most 8 with MRG_RXBUF, else 1; the first must hold the
 * header) and writes header and frame into want. False: dropped. */
static bool rx_ref(const uint8_t *f, size_t len, unsigned *nbufs)
{
	size_t total = HDR + len, cap = 0;
	unsigned max = drv.mrg ? 8 : 1, k = 0;

	*nbufs = 0;
	if (len > (size_t)drv.mtu + 18 || drv.broken)
		return false;
	while (cap < total) {
		if (k == max || k == drv.nrx || (k == 0 && drv.rx_cap[0] < HDR))
			return false;
		cap += drv.rx_cap[k++];
	}
	/* Header then frame over buffers 0..k, pieces in order. */
	uint8_t hdr[HDR] = { 0 };
	hdr[10] = (uint8_t)k;
	size_t pos = 0;
	for (unsigned i = 0; i < k; i++) {
		unsigned slot = drv.rx_slot[i];
		for (unsigned j = 0; j < drv.rx_cap[i] && pos < total; j++, pos++) {
			uint32_t off = j < drv.rx_first[i] ? RXBUF(slot) + j
							    : RXBUF(slot) + 0x400 + (j - drv.rx_first[i]);
			want[off] = pos < HDR ? hdr[pos] : f[pos - HDR];
		}
	}
	*nbufs = k;
	return true;
}

/* Check A's receive used ring against the reference's nbufs buffers, then
 * drop them from the posted list. */
static void rx_check(unsigned nbufs, size_t total)
{
	size_t left = total;

	expect_used(RXQ, nbufs, "receive buffers used other than the reference says");
	for (unsigned i = 0; i < nbufs; i++) {
		uint16_t e = (uint16_t)(drv.used_seen[RXQ] + i);
		uint32_t exp = left < drv.rx_cap[i] ? (uint32_t)left : drv.rx_cap[i];
		if (used_id(RXQ, e) != drv.rx_slot[i] || used_len(RXQ, e) != exp)
			die("a receive buffer returned out of order or with another length");
		left -= exp;
		drv.slot_busy[drv.rx_slot[i]] = false;
	}
	drv.used_seen[RXQ] = (uint16_t)(drv.used_seen[RXQ] + nbufs);
	drv.nrx -= nbufs;
	memmove(drv.rx_slot, drv.rx_slot + nbufs, drv.nrx * sizeof(unsigned));
	memmove(drv.rx_cap, drv.rx_cap + nbufs, drv.nrx * sizeof(unsigned));
	memmove(drv.rx_first, drv.rx_first + nbufs, drv.nrx * sizeof(unsigned));
}

static void deliver_check(int from, const uint8_t *f, size_t len, unsigned gb, unsigned gu)
{
	bool to_a, to_b, to_u;
	unsigned nbufs = 0;

	forward_ref(from, f, len, &to_a, &to_b, &to_u);
	if (to_a && rx_ref(f, len, &nbufs))
		rx_check(nbufs, HDR + len);
	else
		expect_used(RXQ, 0, "receive buffers used for a frame the reference drops");
	check_got(&got_b, gb, to_b, f, len, "B");
	check_got(&got_u, gu, to_u, f, len, "U");
}

static void op_tx(struct in *in)
{
	uint16_t len = u16(in) % 1560;
	uint8_t dsel = u8(in), ssel = u8(in) % 3, pieces = 1 + u8(in) % 4, fill = u8(in);
	uint8_t f[1560 + HDR], hdr[HDR] = { 0 };
	const uint8_t *src = ssel == 0 ? a_mac : ssel == 1 ? b_mac : other;
	unsigned gb = got_b.n, gu = got_u.n;
	size_t total = HDR + len, cut = total / pieces, off = 0;
	uint16_t head = 0;

	make_frame(f + HDR, len, dst_of(dsel, u_srcs[fill & 3]), src, fill);
	memcpy(f, hdr, HDR);
	if (!cut)
		pieces = 1;
	for (unsigned i = 0; i < pieces; i++) {
		size_t l = i + 1 == pieces ? total - off : cut;
		put(TXBUF + (uint32_t)off + 8 * i, f + off, l);
		desc(TXQ, i, TXBUF + (uint32_t)off + 8 * i, (uint32_t)l, i + 1 < pieces ? D_NEXT : 0,
		     (uint16_t)(i + 1));
		off += l;
	}
	post(TXQ, head);
	wr(R_QUEUE_NOTIFY, TXQ);
	if (drv.broken) {
		expect_used(TXQ, 0, "a device that needs a reset took a frame");
		return;
	}
	expect_used(TXQ, 1, "a transmitted chain not returned once");
	if (used_id(TXQ, drv.used_seen[TXQ]) != head || used_len(TXQ, drv.used_seen[TXQ]) != 0)
		die("a transmitted chain returned with another id or a length");
	drv.used_seen[TXQ]++;
	bool ok = len >= 14 && len <= (size_t)drv.mtu + 18 && !memcmp(src, a_mac, 6);
	if (!ok) {
		expect_used(RXQ, 0, "receive buffers used for a frame A may not send");
		check_got(&got_b, gb, false, NULL, 0, "B");
		check_got(&got_u, gu, false, NULL, 0, "U");
		return;
	}
	deliver_check(WHO_A, f + HDR, len, gb, gu);
}

static void op_rxbuf(struct in *in)
{
	unsigned n = u8(in) % 4 + 1;

	for (unsigned k = 0; k < n; k++) {
		uint16_t len = (uint16_t)(u16(in) % 1600 + 1);
		bool two = u8(in) & 1;
		unsigned slot = drv.next_slot;
		if (drv.nrx == RXSLOTS || drv.broken)
			return;
		while (drv.slot_busy[slot])
			slot = (slot + 1) % RXSLOTS;
		drv.next_slot = (slot + 1) % RXSLOTS;
		drv.slot_busy[slot] = true;
		/* One buffer, or two pieces: the first at RXBUF, the rest at +0x400. */
		unsigned first = two ? (len / 2 ? len / 2 : 1) : len;
		if (first > 0x400)
			first = 0x400;
		if (len > first) {
			desc(RXQ, slot, RXBUF(slot), first, D_WRITE | D_NEXT, (uint16_t)(slot + 64));
			desc(RXQ, slot + 64, RXBUF(slot) + 0x400, len - first, D_WRITE, 0);
		} else {
			desc(RXQ, slot, RXBUF(slot), len, D_WRITE, 0);
		}
		drv.rx_slot[drv.nrx] = slot;
		drv.rx_cap[drv.nrx] = len;
		drv.rx_first[drv.nrx] = first;
		drv.nrx++;
		post(RXQ, (uint16_t)slot);
	}
	wr(R_QUEUE_NOTIFY, RXQ);
	expect_used(RXQ, 0, "receive buffers used with no frame");
}

static void op_inject(struct in *in)
{
	uint8_t from = u8(in);
	uint16_t len = u16(in) % 1560;
	uint8_t dsel = u8(in), fill = u8(in);
	const uint8_t *src = from & 1 ? b_mac : u_srcs[(from >> 1) & 3];
	uint8_t f[1560];
	unsigned gb = got_b.n, gu = got_u.n;

	make_frame(f, len, dst_of(dsel, u_srcs[fill & 3]), src, fill);
	net_forward(from & 1 ? &b : &u, f, len);
	deliver_check(from & 1 ? WHO_B : WHO_U, f, len, gb, gu);
}

static void op_ctrl(struct in *in)
{
	uint8_t cls = u8(in), cmd = u8(in), msel = u8(in) % 6, extra = u8(in) % 3, ack = u8(in) % 3,
		pieces = u8(in) & 1;
	uint8_t buf[16] = { cls, cmd };
	uint8_t mac[6] = { 0x02, 0x33, 0, 0, 0, msel };
	size_t rlen = 7 + extra;
	static const uint8_t zero[6];
	const uint8_t *m = msel == 0 ? mac : msel == 1 ? b_mac : msel == 2 ? mcast : msel == 3 ? unknown
			 : msel == 4 ? a_home : zero;
	memcpy(buf + 2, m, 6);
	if (pieces) {
		put(CTRLBUF, buf, 2);
		put(CTRLBUF + 16, buf + 2, rlen - 2);
		desc(CTRLQ, 0, CTRLBUF, 2, D_NEXT, 1);
		desc(CTRLQ, 1, CTRLBUF + 16, (uint32_t)(rlen - 2), ack ? D_NEXT : 0, 2);
	} else {
		put(CTRLBUF, buf, rlen);
		desc(CTRLQ, 0, CTRLBUF, (uint32_t)rlen, ack ? D_NEXT : 0, 2);
	}
	if (ack) {
		uint8_t z[2] = { 0xee, 0xee };
		put(CTRLBUF + 64, z, 2);
		desc(CTRLQ, 2, CTRLBUF + 64, ack, D_WRITE, 0);
	}
	post(CTRLQ, 0);
	wr(R_QUEUE_NOTIFY, CTRLQ);
	if (drv.broken) {
		expect_used(CTRLQ, 0, "a device that needs a reset took a command");
		return;
	}
	if (!ack) { /* no ack byte: nothing can answer it but a reset */
		expect_used(CTRLQ, 0, "a command without an ack byte answered");
		if (!(rd(R_STATUS, 4) & S_NEEDS_RESET))
			die("a command without an ack byte does not ask for a reset");
		drv.broken = true;
		return;
	}
	bool ok = cls == 1 && cmd == 1 && rlen == 8 && drv.mac_change && !(m[0] & 1) && memcmp(m, zero, 6) &&
		  memcmp(m, b_mac, 6);
	if (ok) {
		fdb_del(a_mac);
		memcpy(a_mac, m, 6);
		fdb_set(a_mac, WHO_A, true);
	}
	want[CTRLBUF + 64] = ok ? 0 : 1;
	expect_used(CTRLQ, 1, "a command not answered once");
	if (used_len(CTRLQ, drv.used_seen[CTRLQ]) != 1)
		die("a command answered with another length than its ack byte");
	drv.used_seen[CTRLQ]++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	uint8_t cfgb = u8(&in);

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
	memset(want, 0, RAM_SIZE);
	memset(&got_b, 0, sizeof(got_b));
	memset(&got_u, 0, sizeof(got_u));
	memset(&got_c, 0, sizeof(got_c));
	memset(&drv, 0, sizeof(drv));
	drv.mac_change = cfgb & 1;
	drv.mtu = cfgb & 2 ? 1400 : 1500;
	drv.mrg = cfgb & 4;
	net_segments_init(2);
	struct vnet_params prm = { .mac = a_home, .mtu = drv.mtu, .mac_change = drv.mac_change };
	virtio_net_init(&a, "fuzz-net-a", &prm, &gm, &(struct irq_line){ NULL, NULL, 0 });
	b = (struct net_port){ .name = "b", .guest = true, .rx = port_rx, .ctx = &got_b };
	memcpy(b.mac, b_mac, 6);
	u = (struct net_port){ .name = "u", .guest = false, .rx = port_rx, .ctx = &got_u };
	c = (struct net_port){ .name = "c", .guest = true, .rx = port_rx, .ctx = &got_c };
	memcpy(c.mac, c_mac, 6);
	if (net_port_attach(&a.port, 0) || net_port_attach(&b, 0) || net_port_attach(&u, 0) ||
	    net_port_attach(&c, 1))
		die("attach");
	nfdb = 0;
	memcpy(a_mac, a_home, 6);
	fdb_set(a_home, WHO_A, true);
	fdb_set(b_mac, WHO_B, true);
	driver_start();

	for (unsigned k = 0; in.n && k < 256; k++) {
		static const char *const names[5] = { "TX", "RXBUF", "INJECT", "CTRL", "RESET" };
		uint8_t op = u8(&in) % 5;
		const char *opname = names[op];
		if (verbose)
			fprintf(stderr, "operation %u: %s ...\n", k, opname);
		switch (op) {
		case 0: op_tx(&in); break;
		case 1: op_rxbuf(&in); break;
		case 2: op_inject(&in); break;
		case 3: op_ctrl(&in); break;
		default: driver_start(); break;
		}
		if (got_c.n)
			die("a frame crossed to another segment");
		if (!drv.broken) {
			uint8_t cm[6];
			for (unsigned i = 0; i < 6; i++)
				cm[i] = (uint8_t)rd(R_CONFIG + i, 1);
			if (memcmp(cm, a_mac, 6))
				die("config space shows another address than the reference's");
		}
		for (unsigned q = 0; q < 3; q++) /* the used rings are the device's */
			memcpy(want + QBASE(q) + 0x2000, ram + QBASE(q) + 0x2000, 0x1000);
		/* So are the receive buffers still posted: a frame dropped for
		 * want of room may have been written into them, and the driver
		 * reads them only once they are used. */
		for (unsigned i = 0; i < drv.nrx; i++) {
			uint32_t o = RXBUF(drv.rx_slot[i]), f = drv.rx_first[i];
			memcpy(want + o, ram + o, f);
			memcpy(want + o + 0x400, ram + o + 0x400, drv.rx_cap[i] - f);
		}
		if (memcmp(want, ram, RAM_SIZE)) {
			for (size_t i = 0; i < RAM_SIZE; i++)
				if (want[i] != ram[i]) {
					fprintf(stderr, "operation %u: guest RAM at +0x%zx is 0x%02x, reference 0x%02x\n",
						k, i, ram[i], want[i]);
					break;
				}
			die("guest memory written where the reference does not");
		}
		if (verbose)
			fprintf(stderr, "operation %u: %s; A at %02x:..:%02x, B %u U %u frames, %u buffers posted\n",
				k, opname, a_mac[1], a_mac[5], got_b.n, got_u.n, drv.nrx);
	}
	return 0;
}
