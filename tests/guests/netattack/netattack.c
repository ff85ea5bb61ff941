/* The hostile virtio-net driver: a bare-metal partition on the switch
 * segment of two Linux partitions (a: 02:00:00:00:00:0a at 10.0.2.15, b:
 * 02:00:00:00:00:0b at 10.0.2.16). It negotiates and sets up its port the
 * way a driver would and proves with valid frames that the path works (a
 * and b answer its ARP requests; it answers theirs and their pings for
 * 10.0.2.99), then does what the device must refuse:
 *  - transmit chains shorter than the 12-byte header, frames shorter than
 *    an Ethernet header, longer than its MTU + 18 (yet short enough for a's
 *    and b's ports), of 4000 bytes, of 64 KiB; frames from a's or b's
 *    address, a broadcast, multicast or zero one, or the one a refused MAC
 *    change asked for (from b's address claiming b's IP to a: a's cache
 *    poisoned if delivered; a gratuitous ARP from a's address: b's). Each
 *    must be consumed at once (used entry, length 0) and never delivered:
 *    each carries an ARP request whose answer would come back to this port;
 *  - 1000 spoofed frames to each of a and b, 50 at a time (the test checks
 *    that their receive counters did not take them);
 *  - control commands: MAC_ADDR_SET (the partition file says deny), also
 *    split over descriptors, to a's address, with a 5- or 7-byte address;
 *    MAC_TABLE_SET, RX_PROMISC, an unknown class: each VIRTIO_NET_ERR, the
 *    configured MAC kept; without an ack byte, of one byte, of the ack
 *    only, with buffers in a's RAM or the hypervisor's: DEVICE_NEEDS_RESET;
 *  - transmit buffers or an indirect table in a's RAM (0x50000000), the
 *    hypervisor's (0x40080000) or straddling the end of its RAM, a
 *    descriptor loop, a head out of range, the available index more than a
 *    queue ahead; receive buffers in the same places or readable after
 *    writable: DEVICE_NEEDS_RESET (for receive buffers when a frame
 *    arrives), nothing used, and after a reset the port works again;
 *  - receive buffers too small for the header, or not writable: frames
 *    dropped, nothing written beyond them, the device live; (controls)
 *    receive headers split over three descriptors and mergeable buffers of
 *    16 bytes are served correctly;
 *  - from boot until the test types 'g', no receive buffers at all (a and b
 *    talk meanwhile): nothing may be written into its ring;
 *  - frames from Linux longer than its own MTU + 18 never reach it;
 *  - after 'f': a broadcast flood, two bursts of 250 frames back to back
 *    (more than a receive queue holds) every 20 ms, until the test, which
 *    meanwhile has a and b ping each other and move 1 MiB over TCP, types
 *    's'.
 * Each case starts on a freshly reset port and, after it, the port must
 * answer again (an ARP request to a).
 *
 * Runs in "hostile" of tests/configs/good/net-hostile.dts: RAM 0x70000000
 * size 0x4000000, MAC 02:00:00:00:00:66, MTU 1280, MAC change denied; its
 * virtio-net is its only virtio-mmio device (0x0a000000); the UART is its
 * console (keys from tests/linux/test_net_hostile.py). It polls, but waits
 * in WFI for its virtual timer (1 ms), so that QEMU's virtual clock
 * (icount) runs ahead while Linux is idle.
 * proves: NET-1, NET-5, NET-6, NET-8, PLATFORM-5 */
#define GUEST_NAME "netattack"
#include "../common/guest.h"
#include "../common/cases.h"
#include "../common/virtio_mmio.h"
#include "../common/vtimer.h"

#define VNET 0x0a000000UL
#define OTHER_RAM 0x50000000UL /* a's */
#define HV_RAM 0x40080000UL
#define RAM_SIZE 0x4000000UL

#define MTU 1280
#define MAX_FRAME (MTU + 18) /* Ethernet header and one VLAN tag */
#define SWITCH_MAX 1518
#define VHDR 12 /* struct virtio_net_hdr with num_buffers */

/* virtio-net features ([VIRTIO] 5.1.3) and configuration ([VIRTIO] 5.1.4) */
#define F_MTU (1ULL << 3)
#define F_MAC (1ULL << 5)
#define F_MRG_RXBUF (1ULL << 15)
#define F_STATUS (1ULL << 16)
#define F_CTRL_VQ (1ULL << 17)
#define F_CTRL_MAC_ADDR (1ULL << 23)
#define F_EVENT_IDX (1ULL << 29)
#define F_NET (F_MTU | F_MAC | F_MRG_RXBUF | F_STATUS | F_CTRL_VQ | F_CTRL_MAC_ADDR)
#define F_WANT (F_NET | F_INDIRECT | F_VERSION_1)
#define C_MAC 0
#define C_STATUS 6
#define C_MTU 10

#define CTRL_RX 0
#define CTRL_MAC 1
#define CTRL_MAC_TABLE_SET 0
#define CTRL_MAC_ADDR_SET 1
#define NET_OK 0
#define NET_ERR 1

#define S_LIVE (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)
#define QN 256
#define CQN 16
#define BUF_LEN 2048
#define AUTO_DESC (QN - 1) /* our answers to Linux: descriptor and buffer */
#define BURST 250
#define FLOOD_MIN 2000
#define FLOOD_GAP_MS 20
#define GUARD 0xa5
#define ACK_UNSET 0xee

#define WINDOW_MS 300    /* no answer within this: not delivered */
#define ANSWER_MS 3000   /* an answer expected within this */

#define UART_FR (UART_BASE + 0x18)
#define UART_FR_RXFE (1u << 4)

#define NETW 0x0a000200u
#define IP(x) (NETW | (uint32_t)(x))
#define MY_IP IP(99)
#define A_IP IP(15)
#define B_IP IP(16)

static const uint8_t MYMAC[6] = { 2, 0, 0, 0, 0, 0x66 };
static const uint8_t AMAC[6] = { 2, 0, 0, 0, 0, 0x0a };
static const uint8_t BMAC[6] = { 2, 0, 0, 0, 0, 0x0b };
static const uint8_t NEWMAC[6] = { 2, 0, 0, 0, 0, 0x77 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t MCAST[6] = { 1, 0, 0x5e, 0, 0, 1 };
static const uint8_t ZERO[6] = { 0 };

/* Everything the device sees lives at A, 16 MiB into the partition's RAM
 * (IPA == PA): three rings, an indirect table, the control command and its
 * ack byte inside guard bytes, 256 transmit and 256 receive buffers, a
 * scratch area for odd receive buffers and a 64 KiB transmit buffer. */
static uintptr_t A, RAM_END;
#define RING(k) (A + (uintptr_t)(k) * 0x4000) /* desc +0, avail +0x1000, used +0x2000 */
#define ITAB (A + 0xc000)
#define CMD (A + 0xd000)
#define ACK_AREA (A + 0xd800) /* [ACK_AREA, +0x100): guards around the ack byte */
#define ACK (ACK_AREA + 0x80)
#define TXB(i) (A + 0x10000 + (uintptr_t)(i) * BUF_LEN)
#define RXB(i) (A + 0x100000 + (uintptr_t)(i) * BUF_LEN)
#define SCRATCH (A + 0x200000)
#define BIG (A + 0x300000)

struct vq {
	unsigned sel, num;
	uintptr_t ring;
	uint16_t avail, used;
};
#define DESC(q) ((q)->ring)
#define AVAIL(q) ((q)->ring + 0x1000)
#define USED(q) ((q)->ring + 0x2000)

static struct vq rxq, txq, cq;
static uint64_t feat, tick;
static int rx_normal; /* the receive ring holds RXB(0..255): rx_poll() serves it */
static unsigned works_after = 1;
static uint32_t used_id, used_len;

/* What arrived (rx_poll): ARP replies to us by the last byte of the
 * address they answer for, and the rest. */
static unsigned replies[256];
static uint8_t reply_from[256][6];
static uint64_t reply_at[256];
static unsigned rx_frames, rx_bcast, rx_bad, rx_oversize, rx_largest;
static unsigned arp_answered, bcast_arp_for_me, echo_answered, auto_bad;
static int keys[256];

static uint32_t rd(uint32_t off) { return mmio_read32(VNET + off); }
static void wr(uint32_t off, uint32_t v) { mmio_write32(VNET + off, v); }
static uint16_t be16(uintptr_t a) { return (uint16_t)(r8(a) << 8 | r8(a + 1)); }
static uint32_t be32(uintptr_t a) { return (uint32_t)be16(a) << 16 | be16(a + 2); }
static void be16w(uintptr_t a, uint16_t v)
{
	w8(a, (uint8_t)(v >> 8));
	w8(a + 1, (uint8_t)v);
}
static void be32w(uintptr_t a, uint32_t v)
{
	be16w(a, (uint16_t)(v >> 16));
	be16w(a + 2, (uint16_t)v);
}

static void put_mac(uintptr_t a, const uint8_t *m)
{
	for (int i = 0; i < 6; i++)
		w8(a + i, m[i]);
}

static void get_mac(uint8_t *m, uintptr_t a)
{
	for (int i = 0; i < 6; i++)
		m[i] = r8(a + i);
}

static int mac_is(uintptr_t a, const uint8_t *m)
{
	for (int i = 0; i < 6; i++)
		if (r8(a + i) != m[i])
			return 0;
	return 1;
}

/* ---- time, keys and waiting ---- */

void guest_irq(void)
{
	uint64_t iar = gic_ack();

	if (gic_intid(iar) >= 1020)
		return;
	if (gic_intid(iar) == PPI_VTIMER)
		sysreg_write(cntv_ctl_el0, 2); /* IMASK */
	gic_eoi(iar);
}

/* Sleep until the virtual timer fires (about 1 ms): IRQs masked across
 * arming and WFI (a pending one still ends the WFI), then taken. */
static void idle_tick(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
	sysreg_write(cntv_cval_el0, counter() + tick);
	sysreg_write(cntv_ctl_el0, 1);
	__asm__ volatile("isb; dsb sy; wfi" ::: "memory");
	sysreg_write(cntv_ctl_el0, 0);
	__asm__ volatile("isb; msr daifclr, #2; isb" ::: "memory");
}

static void poll_keys(void)
{
	while (!(mmio_read32(UART_FR) & UART_FR_RXFE))
		keys[mmio_read32(UART_BASE) & 0xff] = 1;
}

static void rx_poll(void);

/* Serve the port (and the keyboard) for ms milliseconds, or until *flag
 * reaches at least want. Returns the milliseconds waited. */
static uint64_t serve_until(volatile unsigned *flag, unsigned want, uint64_t ms)
{
	uint64_t t0 = counter(), end = t0 + ms * tick;

	for (;;) {
		rx_poll();
		poll_keys();
		if ((flag && *flag >= want) || counter() >= end)
			return (counter() - t0) / tick;
		idle_tick();
	}
}

static void serve(uint64_t ms) { serve_until(0, 0, ms); }

/* ---- the driver ---- */

static void publish(struct vq *q, uint16_t head)
{
	vq_publish(AVAIL(q), &q->avail, q->num, head);
}

static void notify(const struct vq *q) { wr(R_QUEUE_NOTIFY, q->sel); }

static uint8_t cfg8(uint32_t off) { return *(volatile uint8_t *)(VNET + R_CONFIG + off); }
static uint16_t cfg16(uint32_t off) { return *(volatile uint16_t *)(VNET + R_CONFIG + off); }

static int queue_setup(struct vq *q)
{
	q->avail = q->used = 0;
	fill(q->ring, q->ring + 0x4000, 0);
	w16(AVAIL(q), 1); /* VIRTQ_AVAIL_F_NO_INTERRUPT: we poll */
	barrier();
	return vmmio_queue_setup(VNET, q->sel, q->num, DESC(q), AVAIL(q), USED(q)) &&
	       rd(R_QUEUE_READY) == 1;
}

/* Every receive buffer to the device: descriptor i is RXB(i). */
static void rx_fill(void)
{
	for (unsigned i = 0; i < QN; i++) {
		set_desc(DESC(&rxq), i, RXB(i), BUF_LEN, D_WRITE, 0);
		w16(AVAIL(&rxq) + 4 + 2 * (uintptr_t)i, (uint16_t)i);
	}
	barrier();
	rxq.avail = QN;
	w16(AVAIL(&rxq) + 2, rxq.avail);
	barrier();
	notify(&rxq);
	rx_normal = 1;
}

/* Reset, negotiate what we want of what is offered (not EVENT_IDX: we
 * poll), the three queues, DRIVER_OK; the receive buffers if post. */
static int dev_init(int post)
{
	uint64_t f;

	rx_normal = 0;
	wr(R_STATUS, 0);
	if (rd(R_STATUS) != 0)
		return 0;
	f = vmmio_negotiate(VNET, F_WANT, 1);
	if (!(rd(R_STATUS) & S_FEATURES_OK))
		return 0;
	if (!queue_setup(&rxq) || !queue_setup(&txq) || !queue_setup(&cq))
		return 0;
	wr(R_STATUS, S_LIVE);
	feat = f;
	if (post)
		rx_fill();
	return rd(R_STATUS) == S_LIVE;
}

static int live(void) { return rd(R_STATUS) == S_LIVE; }

/* One buffer of a chain. */
struct sg {
	uint64_t addr;
	uint32_t len;
	uint16_t flags; /* D_WRITE or 0 */
};

/* Chain s[0..n) at descriptors first.. (or, indirect, in the indirect
 * table behind descriptor first), publish; no notify. */
static void put_chain(struct vq *q, unsigned first, const struct sg *s, unsigned n, int indirect)
{
	uintptr_t t = indirect ? ITAB : DESC(q);
	unsigned base = indirect ? 0 : first;
	for (unsigned i = 0; i < n; i++)
		set_desc(t, base + i, s[i].addr, s[i].len,
			 (uint16_t)(s[i].flags | (i + 1 < n ? D_NEXT : 0)), (uint16_t)(base + i + 1));
	if (indirect)
		set_desc(DESC(q), first, ITAB, 16 * n, D_INDIRECT, 0);
	publish(q, (uint16_t)first);
}

static void send(struct vq *q, const struct sg *s, unsigned n, int indirect)
{
	put_chain(q, 0, s, n, indirect);
	notify(q);
}

/* 1: the device used one more chain (used_id, used_len set); 0: the device
 * is in NEEDS_RESET; -1: nothing within ms. */
static int wait_used(struct vq *q, uint64_t ms)
{
	uint64_t end = counter() + ms * tick;

	for (unsigned long i = 0;; i++) {
		if (vq_take_used(USED(q), &q->used, q->num, &used_id, &used_len))
			return 1;
		if (rd(R_STATUS) & S_NEEDS_RESET)
			return 0;
		if (counter() >= end)
			return -1;
		if (i > 100)
			idle_tick();
	}
}

/* The transmit chain just sent (at descriptor 0) was consumed at once: a
 * used entry of length 0, the device still live. */
static int tx_consumed(void)
{
	int r = wait_used(&txq, 100);
	detail = (uint64_t)(r & 0xff) << 56 | (uint64_t)used_id << 32 | (uint64_t)used_len << 8 |
		 rd(R_STATUS);
	return r == 1 && used_id == 0 && used_len == 0 && live();
}

/* ---- frames ---- */

/* An ARP packet in a frame of flen bytes (at least 42, zero padded) after
 * a zero virtio-net header at buf. Returns header + frame length. */
static uint32_t arp_frame(uintptr_t buf, const uint8_t *dst, const uint8_t *src, uint16_t op,
			  const uint8_t *sha, uint32_t spa, const uint8_t *tha, uint32_t tpa,
			  uint32_t flen)
{
	uintptr_t f = buf + VHDR;

	fill(buf, f + flen, 0);
	put_mac(f, dst);
	put_mac(f + 6, src);
	be16w(f + 12, 0x0806);
	be16w(f + 14, 1);
	be16w(f + 16, 0x0800);
	w8(f + 18, 6);
	w8(f + 19, 4);
	be16w(f + 20, op);
	put_mac(f + 22, sha);
	be32w(f + 28, spa);
	put_mac(f + 32, tha);
	be32w(f + 38, tpa);
	return VHDR + flen;
}

/* "Who has tpa? Tell IP(tag), at our MAC", Ethernet source src: the
 * answer, if the request is delivered, comes to us as replies[tag]. */
static uint32_t arp_req(uintptr_t buf, const uint8_t *dst, const uint8_t *src, unsigned tag,
			uint32_t tpa, uint32_t flen)
{
	return arp_frame(buf, dst, src, 1, MYMAC, IP(tag), ZERO, tpa, flen);
}

static uint16_t csum(uintptr_t p, uint32_t n)
{
	uint32_t s = 0;
	for (uint32_t i = 0; i + 1 < n; i += 2)
		s += be16(p + i);
	if (n & 1)
		s += (uint32_t)r8(p + n - 1) << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Our own answer (ARP reply, echo reply) at TXB(AUTO_DESC): sent and its
 * used entry taken at once (transmit is synchronous). */
static void tx_auto(uint32_t len)
{
	if (!rx_normal || !live())
		return;
	set_desc(DESC(&txq), AUTO_DESC, TXB(AUTO_DESC), len, 0, 0);
	publish(&txq, AUTO_DESC);
	notify(&txq);
	barrier();
	if (r16(USED(&txq) + 2) != (uint16_t)(txq.used + 1) ||
	    r32(USED(&txq) + 4 + 8 * (uintptr_t)(txq.used % QN)) != AUTO_DESC)
		auto_bad++;
	txq.used = r16(USED(&txq) + 2);
}

static void arp_answer(uintptr_t f)
{
	uint8_t sha[6];
	get_mac(sha, f + 22);
	tx_auto(arp_frame(TXB(AUTO_DESC), sha, MYMAC, 2, MYMAC, MY_IP, sha, be32(f + 28), 42));
	arp_answered++;
}

static void echo_answer(uintptr_t f, uint32_t flen)
{
	uintptr_t ip = f + 14, b = TXB(AUTO_DESC), g = b + VHDR, icmp;
	uint32_t ihl, tot;
	uint8_t src[6];

	if (flen < 14 + 20 + 8 || (r8(ip) >> 4) != 4)
		return;
	ihl = (r8(ip) & 15) * 4u;
	tot = be16(ip + 2);
	if (ihl < 20 || tot < ihl + 8 || 14 + tot > flen || r8(ip + 9) != 1 || be32(ip + 16) != MY_IP ||
	    r8(ip + ihl) != 8)
		return;
	get_mac(src, f + 6);
	fill(b, g, 0);
	for (uint32_t i = 0; i < 14 + tot; i++)
		w8(g + i, r8(f + i));
	put_mac(g, src);
	put_mac(g + 6, MYMAC);
	be32w(g + 14 + 12, MY_IP);
	be32w(g + 14 + 16, be32(ip + 12));
	icmp = g + 14 + ihl;
	w8(icmp, 0); /* echo reply */
	be16w(icmp + 2, 0);
	be16w(icmp + 2, csum(icmp, tot - ihl));
	tx_auto(VHDR + 14 + tot);
	echo_answered++;
}

static void handle_frame(uintptr_t f, uint32_t flen)
{
	rx_frames++;
	if (flen > rx_largest)
		rx_largest = flen;
	if (flen > MAX_FRAME)
		rx_oversize++;
	if (flen < 14) {
		rx_bad++;
		return;
	}
	if (mac_is(f, BCAST))
		rx_bcast++;
	if (be16(f + 12) == 0x0806 && flen >= 42 && be16(f + 14) == 1 && be16(f + 16) == 0x0800 &&
	    r8(f + 18) == 6 && r8(f + 19) == 4) {
		uint16_t op = be16(f + 20);
		uint32_t tpa = be32(f + 38);
		if (op == 1 && tpa == MY_IP) {
			if (mac_is(f, BCAST))
				bcast_arp_for_me++;
			arp_answer(f);
		} else if (op == 2 && mac_is(f, MYMAC) && mac_is(f + 32, MYMAC) &&
			   (tpa & 0xffffff00u) == NETW) {
			replies[tpa & 0xff]++;
			get_mac(reply_from[tpa & 0xff], f + 22);
			reply_at[tpa & 0xff] = counter();
		}
	} else if (be16(f + 12) == 0x0800 && mac_is(f, MYMAC)) {
		echo_answer(f, flen);
	}
}

/* The header the device writes: all zero but num_buffers. */
static int hdr_ok(uintptr_t p, unsigned nbufs)
{
	return all_are(p, p + 10, 0) && r16(p + 10) == nbufs;
}

/* Frames in the receive ring: handled, their buffers given back. */
static void rx_poll(void)
{
	uint32_t id, len;

	if (!rx_normal)
		return;
	while (vq_take_used(USED(&rxq), &rxq.used, QN, &id, &len)) {
		if (id >= QN) {
			rx_bad++;
			continue;
		}
		if (len < VHDR || len > BUF_LEN || !hdr_ok(RXB(id), 1))
			rx_bad++;
		else
			handle_frame(RXB(id) + VHDR, len - VHDR);
		publish(&rxq, (uint16_t)id);
	}
}

/* ---- what a case checks ---- */

/* The frame just sent was consumed; no answer to it (replies[tag]) within
 * the window. */
static int unanswered(unsigned tag)
{
	int ok;
	replies[tag] = 0; /* an answer would still be in the ring: rx_poll() not yet run */
	ok = tx_consumed();
	uint64_t det = detail;
	serve(WINDOW_MS);
	detail = det | (uint64_t)replies[tag] << 48;
	return ok && replies[tag] == 0;
}

/* An ARP request to dst's port (from our own address) that must be
 * answered: the port works. */
static int answered(const uint8_t *dst, unsigned tag, uint32_t tpa, uint32_t flen)
{
	uint64_t t0;
	replies[tag] = 0;
	send(&txq, &(struct sg){ TXB(0), arp_req(TXB(0), dst, MYMAC, tag, tpa, flen), 0 }, 1, 0);
	if (!tx_consumed())
		return 0;
	t0 = counter();
	serve_until(&replies[tag], 1, ANSWER_MS);
	detail = replies[tag] ? (reply_at[tag] - t0) * 1000 / tick : ~0ULL;
	return replies[tag] > 0 && (uint32_t)(reply_from[tag][5]) == (tpa == A_IP ? 0x0a : 0x0b);
}

/* The device refused the chain: NEEDS_RESET with a configuration
 * interrupt, nothing used. More notifies change nothing. */
static int needs_reset(struct vq *q)
{
	uint32_t st, isr;
	int ok;

	barrier();
	st = rd(R_STATUS);
	isr = rd(R_INT_STATUS);
	detail = (uint64_t)isr << 32 | st;
	ok = (st & S_NEEDS_RESET) && (isr & 2) && r16(USED(q) + 2) == q->used;
	for (int i = 0; i < 16; i++)
		notify(q);
	wr(R_INT_ACK, isr);
	barrier();
	return ok && r16(USED(q) + 2) == q->used && (rd(R_STATUS) & S_NEEDS_RESET);
}

/* ---- transmit: consumed, never delivered ---- */

static int c_tx_shorter_than_header(void)
{
	fill(TXB(0), TXB(0) + 64, 0);
	send(&txq, &(struct sg){ TXB(0), 5, 0 }, 1, 0);
	return tx_consumed();
}

static int c_tx_header_only(void)
{
	fill(TXB(0), TXB(0) + 64, 0);
	send(&txq, &(struct sg){ TXB(0), VHDR, 0 }, 1, 0);
	return tx_consumed();
}

static int c_tx_13(void)
{
	arp_req(TXB(0), AMAC, MYMAC, 120, A_IP, 42);
	send(&txq, &(struct sg){ TXB(0), VHDR + 13, 0 }, 1, 0);
	return unanswered(120);
}

static int c_tx_mtu_plus_19(void)
{
	send(&txq, &(struct sg){ TXB(0), arp_req(TXB(0), AMAC, MYMAC, 100, A_IP, MAX_FRAME + 1), 0 },
	     1, 0);
	return unanswered(100);
}

static int c_tx_1518(void)
{
	send(&txq, &(struct sg){ TXB(0), arp_req(TXB(0), AMAC, MYMAC, 101, A_IP, SWITCH_MAX), 0 }, 1,
	     0);
	return unanswered(101);
}

static int c_tx_4000(void)
{
	uint32_t n = arp_req(BIG, AMAC, MYMAC, 102, A_IP, 4000);
	struct sg s[2] = { { BIG, 2000, 0 }, { BIG + 2000, n - 2000, 0 } };
	send(&txq, s, 2, 0);
	return unanswered(102);
}

/* 64 KiB through an indirect table of 32 buffers. */
static int c_tx_64k(void)
{
	struct sg s[32];
	arp_req(BIG, AMAC, MYMAC, 103, A_IP, 65536 - VHDR);
	for (unsigned i = 0; i < 32; i++)
		s[i] = (struct sg){ BIG + 2048 * (uintptr_t)i, 2048, 0 };
	send(&txq, s, 32, 1);
	return unanswered(103);
}

static int spoofed(const uint8_t *dst, const uint8_t *src, unsigned tag, uint32_t tpa)
{
	send(&txq, &(struct sg){ TXB(0), arp_req(TXB(0), dst, src, tag, tpa, 42), 0 }, 1, 0);
	return unanswered(tag);
}

static int c_src_a(void) { return spoofed(BMAC, AMAC, 104, B_IP); }
static int c_src_bcast(void) { return spoofed(AMAC, BCAST, 105, A_IP); }
static int c_src_mcast(void) { return spoofed(AMAC, MCAST, 106, A_IP); }
static int c_src_zero(void) { return spoofed(AMAC, ZERO, 107, A_IP); }
static int c_src_new(void) { return spoofed(AMAC, NEWMAC, 108, A_IP); }

/* From b's address to a: "10.0.2.16 is at 02:00:00:00:00:66, who has
 * 10.0.2.15?" Delivered, a would point its cache entry for b at us (a
 * request for a's own address always overrides) and answer us. */
static int c_poison_b(void)
{
	send(&txq,
	     &(struct sg){ TXB(0), arp_frame(TXB(0), AMAC, BMAC, 1, MYMAC, B_IP, ZERO, A_IP, 42), 0 }, 1,
	     0);
	return unanswered(16);
}

/* From a's address, to everyone: gratuitous ARP "10.0.2.15 is at
 * 02:00:00:00:00:66". Delivered, b's cache entry for a would point at us
 * (the test reads b's cache). */
static int c_garp_as_a(void)
{
	send(&txq,
	     &(struct sg){ TXB(0), arp_frame(TXB(0), BCAST, AMAC, 1, MYMAC, A_IP, ZERO, A_IP, 42), 0 }, 1,
	     0);
	return unanswered(15);
}

/* count frames at buf in bursts of burst (at most BURST), gap_ms apart:
 * each burst one notify, every chain used at once with length 0. */
static int bursts(uintptr_t buf, uint32_t len, unsigned count, unsigned burst, unsigned gap_ms)
{
	for (unsigned done = 0; done < count;) {
		unsigned k = count - done < burst ? count - done : burst;
		if (done && gap_ms)
			serve(gap_ms);
		for (unsigned i = 0; i < k; i++) {
			set_desc(DESC(&txq), i, buf, len, 0, 0);
			w16(AVAIL(&txq) + 4 + 2 * (uintptr_t)((txq.avail + i) % QN), (uint16_t)i);
		}
		barrier();
		txq.avail = (uint16_t)(txq.avail + k);
		w16(AVAIL(&txq) + 2, txq.avail);
		barrier();
		notify(&txq);
		barrier();
		detail = (uint64_t)done << 32 | (uint16_t)(r16(USED(&txq) + 2) - txq.used);
		if (r16(USED(&txq) + 2) != (uint16_t)(txq.used + k))
			return 0;
		for (unsigned i = 0; i < k; i++, txq.used++) {
			uintptr_t e = USED(&txq) + 4 + 8 * (uintptr_t)(txq.used % QN);
			if (r32(e) >= k || r32(e + 4) != 0)
				return 0;
		}
		done += k;
		if (!live())
			return 0;
	}
	return 1;
}

static int spoof_burst(const uint8_t *dst, const uint8_t *src, unsigned tag, uint32_t tpa)
{
	int ok;
	replies[tag] = 0;
	/* 50 at a time, 2 ms apart: few enough for the receiver's queue, so
	 * that, delivered, all would count in its receive counter. */
	ok = bursts(TXB(1), arp_req(TXB(1), dst, src, tag, tpa, 60), 1000, 50, 2);
	serve(WINDOW_MS);
	detail |= (uint64_t)replies[tag] << 48;
	return ok && replies[tag] == 0;
}

static int c_spoof_burst_a(void) { return spoof_burst(AMAC, BMAC, 109, A_IP); }
static int c_spoof_burst_b(void) { return spoof_burst(BMAC, AMAC, 110, B_IP); }

/* A valid frame with a writable buffer behind it: nothing written there. */
static int c_tx_writable(void)
{
	int ok;
	uint32_t n = arp_req(TXB(0), AMAC, MYMAC, 200, A_IP, 42);
	struct sg s[2] = { { TXB(0), n, 0 }, { SCRATCH + 0x80, 64, D_WRITE } };
	fill(SCRATCH, SCRATCH + 0x200, GUARD);
	send(&txq, s, 2, 0);
	ok = tx_consumed();
	serve(WINDOW_MS);
	return ok && all_are(SCRATCH, SCRATCH + 0x200, GUARD);
}

/* ---- transmit: NEEDS_RESET ---- */

static int tx_bad(const struct sg *s, unsigned n)
{
	send(&txq, s, n, 0);
	return needs_reset(&txq);
}

static int c_tx_in_other(void) { return tx_bad(&(struct sg){ OTHER_RAM, 60, 0 }, 1); }
static int c_tx_in_hv(void) { return tx_bad(&(struct sg){ HV_RAM, 60, 0 }, 1); }
static int c_tx_straddle(void) { return tx_bad(&(struct sg){ RAM_END - 30, 60, 0 }, 1); }

static int c_tx_frame_in_other(void)
{
	struct sg s[2] = { { TXB(0), VHDR, 0 }, { OTHER_RAM, 60, 0 } };
	fill(TXB(0), TXB(0) + VHDR, 0);
	return tx_bad(s, 2);
}

static int c_tx_itab_in_other(void)
{
	set_desc(DESC(&txq), 0, OTHER_RAM, 16 * 4, D_INDIRECT, 0);
	publish(&txq, 0);
	notify(&txq);
	return needs_reset(&txq);
}

static int c_tx_loop(void)
{
	uint32_t n = arp_req(TXB(0), AMAC, MYMAC, 111, A_IP, 42);
	set_desc(DESC(&txq), 0, TXB(0), 20, D_NEXT, 1);
	set_desc(DESC(&txq), 1, TXB(0) + 20, n - 20, D_NEXT, 0);
	publish(&txq, 0);
	notify(&txq);
	return needs_reset(&txq);
}

static int c_tx_head_out_of_range(void)
{
	arp_req(TXB(0), AMAC, MYMAC, 112, A_IP, 42);
	publish(&txq, QN + 44);
	notify(&txq);
	return needs_reset(&txq);
}

static int c_tx_avail_ahead(void)
{
	send(&txq, &(struct sg){ TXB(0), arp_req(TXB(0), AMAC, MYMAC, 210, A_IP, 42), 0 }, 1, 0);
	if (!tx_consumed())
		return 0;
	txq.avail = (uint16_t)(txq.avail + QN + 1);
	w16(AVAIL(&txq) + 2, txq.avail);
	barrier();
	notify(&txq);
	return needs_reset(&txq);
}

/* ---- the control queue ---- */

/* A command (class, cmd, data[0..len)) in one readable buffer, the ack in
 * a writable one: answered want, used.len 1, nothing written but the ack,
 * the configured MAC still in the configuration space. */
static int ctrl_cmd(uint8_t class, uint8_t cmd, const uint8_t *data, unsigned len, int split,
		    uint8_t want)
{
	struct sg s[4];
	unsigned n = 0;
	int r, mac_kept = 1;

	fill(CMD, CMD + 0x100, 0);
	w8(CMD, class);
	w8(CMD + 1, cmd);
	for (unsigned i = 0; i < len; i++)
		w8(CMD + 0x40 + i, data[i]);
	fill(ACK_AREA, ACK_AREA + 0x100, GUARD);
	w8(ACK, ACK_UNSET);
	if (split) { /* class, command, data: three buffers */
		s[n++] = (struct sg){ CMD, 1, 0 };
		s[n++] = (struct sg){ CMD + 1, 1, 0 };
	} else { /* class and command right before the data */
		w8(CMD + 0x3e, class);
		w8(CMD + 0x3f, cmd);
		s[n++] = (struct sg){ CMD + 0x3e, 2, 0 };
	}
	if (len)
		s[n++] = (struct sg){ CMD + 0x40, len, 0 };
	s[n++] = (struct sg){ ACK, 1, D_WRITE };
	send(&cq, s, n, 0);
	r = wait_used(&cq, 100);
	for (int i = 0; i < 6; i++)
		mac_kept &= cfg8(C_MAC + i) == MYMAC[i];
	detail = (uint64_t)(r & 0xff) << 56 | (uint64_t)r8(ACK) << 48 | (uint64_t)used_len << 16 |
		 (uint64_t)mac_kept << 8 | rd(R_STATUS);
	return r == 1 && used_id == 0 && used_len == 1 && r8(ACK) == want &&
	       all_are(ACK_AREA, ACK, GUARD) && all_are(ACK + 1, ACK_AREA + 0x100, GUARD) && mac_kept &&
	       live();
}

/* MAC_ADDR_SET 02:00:00:00:00:77, refused by policy; the port keeps its
 * address: a frame from the asked-for one is still refused, one from its
 * own answered. */
static int c_ctrl_mac_set(void)
{
	uint64_t det;
	if (!ctrl_cmd(CTRL_MAC, CTRL_MAC_ADDR_SET, NEWMAC, 6, 0, NET_ERR))
		return 0;
	det = detail;
	if (!spoofed(AMAC, NEWMAC, 114, A_IP))
		return 0;
	if (!answered(AMAC, 201, A_IP, 42))
		return 0;
	detail = det;
	return 1;
}

static int c_ctrl_mac_set_split(void)
{
	return ctrl_cmd(CTRL_MAC, CTRL_MAC_ADDR_SET, NEWMAC, 6, 1, NET_ERR);
}

/* a's address: refused; a frame from it still refused afterwards. */
static int c_ctrl_mac_set_a(void)
{
	uint64_t det;
	if (!ctrl_cmd(CTRL_MAC, CTRL_MAC_ADDR_SET, AMAC, 6, 0, NET_ERR))
		return 0;
	det = detail;
	if (!spoofed(BMAC, AMAC, 115, B_IP))
		return 0;
	detail = det;
	return 1;
}

static int c_ctrl_mac_short(void)
{
	return ctrl_cmd(CTRL_MAC, CTRL_MAC_ADDR_SET, NEWMAC, 5, 0, NET_ERR);
}

static int c_ctrl_mac_long(void)
{
	static const uint8_t m7[7] = { 2, 0, 0, 0, 0, 0x77, 0 };
	return ctrl_cmd(CTRL_MAC, CTRL_MAC_ADDR_SET, m7, 7, 0, NET_ERR);
}

static int c_ctrl_mac_table(void)
{
	static const uint8_t t[8] = { 0 }; /* two empty tables */
	return ctrl_cmd(CTRL_MAC, CTRL_MAC_TABLE_SET, t, 8, 0, NET_ERR);
}

static int c_ctrl_unknown_class(void) { return ctrl_cmd(0x7f, 0, NEWMAC, 6, 0, NET_ERR); }

static int c_ctrl_promisc(void)
{
	static const uint8_t on[1] = { 1 };
	return ctrl_cmd(CTRL_RX, 0, on, 1, 0, NET_ERR); /* VIRTIO_NET_CTRL_RX_PROMISC, not offered */
}

static int ctrl_bad(const struct sg *s, unsigned n)
{
	w8(CMD, CTRL_MAC);
	w8(CMD + 1, CTRL_MAC_ADDR_SET);
	for (int i = 0; i < 6; i++)
		w8(CMD + 2 + i, NEWMAC[i]);
	fill(ACK_AREA, ACK_AREA + 0x100, GUARD);
	send(&cq, s, n, 0);
	return needs_reset(&cq) && all_are(ACK_AREA, ACK_AREA + 0x100, GUARD);
}

static int c_ctrl_no_ack(void) { return ctrl_bad(&(struct sg){ CMD, 8, 0 }, 1); }

static int c_ctrl_one_byte(void)
{
	struct sg s[2] = { { CMD, 1, 0 }, { ACK, 1, D_WRITE } };
	return ctrl_bad(s, 2);
}

static int c_ctrl_ack_only(void) { return ctrl_bad(&(struct sg){ ACK, 1, D_WRITE }, 1); }

static int c_ctrl_ack_in_other(void)
{
	struct sg s[2] = { { CMD, 8, 0 }, { OTHER_RAM + 0x1000, 1, D_WRITE } };
	return ctrl_bad(s, 2);
}

static int c_ctrl_cmd_in_hv(void)
{
	struct sg s[2] = { { HV_RAM, 8, 0 }, { ACK, 1, D_WRITE } };
	return ctrl_bad(s, 2);
}

/* ---- receive ---- */

/* A fresh device with the receive chain(s) the case posts; then an ARP
 * request to a, whose answer (or anything else from Linux) arrives. */
static void rx_trigger(unsigned tag)
{
	replies[tag] = 0;
	send(&txq, &(struct sg){ TXB(0), arp_req(TXB(0), AMAC, MYMAC, tag, A_IP, 42), 0 }, 1, 0);
}

/* A receive buffer the device must not touch: NEEDS_RESET when a frame
 * arrives, nothing used. */
static int rx_broken(const struct sg *s, unsigned n)
{
	int r;
	if (!dev_init(0))
		return 0;
	put_chain(&rxq, 0, s, n, 0);
	notify(&rxq);
	rx_trigger(208); /* anything arriving will do, so the device may be broken at once */
	r = wait_used(&rxq, ANSWER_MS);
	detail = (uint64_t)(r & 0xff) << 56 | rd(R_STATUS);
	return r == 0 && needs_reset(&rxq);
}

static int c_rx_in_other(void) { return rx_broken(&(struct sg){ OTHER_RAM, BUF_LEN, D_WRITE }, 1); }
static int c_rx_in_hv(void) { return rx_broken(&(struct sg){ HV_RAM, BUF_LEN, D_WRITE }, 1); }
static int c_rx_straddle(void)
{
	return rx_broken(&(struct sg){ RAM_END - 1024, BUF_LEN, D_WRITE }, 1);
}

static int c_rx_write_then_read(void)
{
	struct sg s[2] = { { RXB(0), BUF_LEN, D_WRITE }, { RXB(1), 64, 0 } };
	return rx_broken(s, 2);
}

/* A buffer the device may not use for a frame: frames dropped while it is
 * first in the ring, nothing used, nothing written outside it (inside it,
 * for a writable one, at most the header's first bytes), the device live. */
static int rx_unusable(uint32_t len, uint16_t flags)
{
	int r, ok;
	if (!dev_init(0))
		return 0;
	fill(SCRATCH, SCRATCH + 0x1000, GUARD);
	put_chain(&rxq, 0, &(struct sg){ SCRATCH + 0x80, len, flags }, 1, 0);
	notify(&rxq);
	rx_trigger(209);
	if (!tx_consumed())
		return 0;
	r = wait_used(&rxq, WINDOW_MS);
	ok = r == -1 && live() && all_are(SCRATCH, SCRATCH + 0x80, GUARD) &&
	     all_are(SCRATCH + 0x80 + len, SCRATCH + 0x1000, GUARD);
	if (!(flags & D_WRITE))
		ok &= all_are(SCRATCH + 0x80, SCRATCH + 0x80 + len, GUARD);
	detail = (uint64_t)(r & 0xff) << 56 | rd(R_STATUS);
	return ok;
}

static int c_rx_too_small(void) { return rx_unusable(8, D_WRITE); }
static int c_rx_readable(void) { return rx_unusable(BUF_LEN, 0); }

/* Receive chains of 4 + 4 + 4 + 2048 bytes (the header over three
 * descriptors): a's answer arrives whole, num_buffers 1 at the header's
 * offset 10 (in the third piece). Eight such chains, in case other frames
 * come first. */
static int c_rx_header_split(void)
{
	int found = 0;
	if (!dev_init(0))
		return 0;
	fill(SCRATCH, SCRATCH + 0x1000, GUARD);
	for (unsigned k = 0; k < 8; k++) {
		uintptr_t h = SCRATCH + 0x100 * k;
		struct sg s[4] = { { h + 0x10, 4, D_WRITE }, { h + 0x30, 4, D_WRITE },
				   { h + 0x50, 4, D_WRITE }, { RXB(k), BUF_LEN, D_WRITE } };
		put_chain(&rxq, 4 * k, s, 4, 0);
	}
	notify(&rxq);
	rx_trigger(202);
	if (!tx_consumed())
		return 0;
	while (!found && wait_used(&rxq, ANSWER_MS) == 1) {
		unsigned k = used_id / 4;
		uintptr_t h = SCRATCH + 0x100 * k, f = RXB(k);
		detail = (uint64_t)used_id << 32 | used_len;
		if (used_id % 4 || k >= 8 || used_len < VHDR + 42)
			return 0;
		if (!all_are(h + 0x10, h + 0x14, 0) || !all_are(h + 0x30, h + 0x34, 0) ||
		    r16(h + 0x50) != 0 || r16(h + 0x52) != 1 || !all_are(h, h + 0x10, GUARD) ||
		    !all_are(h + 0x14, h + 0x30, GUARD) || !all_are(h + 0x34, h + 0x50, GUARD) ||
		    !all_are(h + 0x54, h + 0x100, GUARD))
			return 0;
		found = be16(f + 12) == 0x0806 && be16(f + 20) == 2 && be32(f + 38) == IP(202) &&
			mac_is(f, MYMAC) && mac_is(f + 6, AMAC);
	}
	return found && live();
}

/* 64 mergeable buffers of 16 bytes, one per chain, guard bytes between:
 * a's answer (12 + 42 bytes at least) arrives in consecutive buffers, all
 * full but the last, num_buffers in the first, nothing written between. */
static int c_rx_mergeable(void)
{
	uint8_t frame[256];
	int found = 0;
	if (!dev_init(0) || !(feat & F_MRG_RXBUF))
		return 0;
	fill(SCRATCH, SCRATCH + 0x1000, GUARD);
	for (unsigned k = 0; k < 64; k++)
		put_chain(&rxq, k, &(struct sg){ SCRATCH + 32 * k, 16, D_WRITE }, 1, 0);
	notify(&rxq);
	rx_trigger(203);
	if (!tx_consumed())
		return 0;
	while (!found && wait_used(&rxq, ANSWER_MS) == 1) {
		uintptr_t b = SCRATCH + 32 * (uintptr_t)used_id;
		unsigned nb, got = 0;
		if (used_id >= 64 || used_len < VHDR || used_len > 16 || !all_are(b, b + 10, 0))
			return 0;
		nb = r16(b + 10);
		detail = (uint64_t)nb << 32 | used_id;
		if (nb < 1 || nb > 8)
			return 0;
		for (unsigned i = 0; i < used_len - VHDR; i++)
			frame[got++] = r8(b + VHDR + i);
		for (unsigned j = 1; j < nb; j++) {
			uint32_t prev = used_len;
			if (prev != 16 || wait_used(&rxq, 100) != 1 || used_id >= 64 || used_len < 1 ||
			    used_len > 16)
				return 0;
			b = SCRATCH + 32 * (uintptr_t)used_id;
			for (unsigned i = 0; i < used_len; i++)
				frame[got++] = r8(b + i);
		}
		found = got >= 42 && frame[12] == 8 && frame[13] == 6 && frame[21] == 2 && frame[41] == 203 &&
			frame[0] == MYMAC[0] && frame[5] == MYMAC[5] && frame[11] == AMAC[5];
		if (found)
			detail = (uint64_t)nb << 32 | got;
	}
	for (unsigned k = 0; k < 64; k++)
		if (!all_are(SCRATCH + 32 * k + 16, SCRATCH + 32 * k + 32, GUARD))
			return 0;
	return found && live();
}

/* ---- the harness ---- */

/* Each case starts on a freshly initialised port; after it, the port
 * answers an ARP request to a again (after a reset if the case left the
 * device in NEEDS_RESET or without its receive buffers). */
static void run(const char *what, int (*fn)(void), int is_control)
{
	uint64_t det;
	int ok;

	if (!dev_init(1)) {
		works_after = 0;
		case_note("the port cannot be set up before: ", what);
	}
	detail = 0;
	ok = fn();
	det = detail;
	if (((!live() || !rx_normal) && !dev_init(1)) || !answered(AMAC, 99, A_IP, 42)) {
		works_after = 0;
		ok = 0;
		case_note("the port does not work after: ", what);
	}
	detail = det;
	if (is_control)
		control(what, ok);
	else
		report_case(what, ok);
}

static void run_case(const char *what, int (*fn)(void)) { run(what, fn, 0); }
static void run_control(const char *what, int (*fn)(void)) { run(what, fn, 1); }

static int identity(void)
{
	uint64_t f = vmmio_dev_features(VNET);
	detail = f;
	return rd(R_MAGIC) == 0x74726976 && rd(R_VERSION) == 2 && rd(R_DEVICE_ID) == 1 &&
	       (f & F_NET) == F_NET && (f & F_VERSION_1) && (f & F_INDIRECT) && (f & F_EVENT_IDX);
}

static int config_ok(void)
{
	int ok = 1;
	for (int i = 0; i < 6; i++)
		ok &= cfg8(C_MAC + i) == MYMAC[i];
	detail = (uint64_t)cfg16(C_MTU) << 16 | cfg16(C_STATUS);
	return ok && cfg16(C_MTU) == MTU && (cfg16(C_STATUS) & 1);
}

/* Until 'g': no receive buffer was ever posted, so every frame Linux sent
 * meanwhile was dropped: nothing in the used ring, no interrupt. */
static int no_rx_buffers(void)
{
	detail = (uint64_t)r16(USED(&rxq) + 2) << 32 | (uint64_t)rd(R_INT_STATUS) << 16 | rd(R_STATUS);
	return live() && all_are(USED(&rxq), USED(&rxq) + 6 + 8 * QN, 0) && rd(R_INT_STATUS) == 0;
}

/* After 'f': legitimate broadcast frames (a local experimental EtherType),
 * two bursts of BURST back to back (more than a receive queue holds) every
 * FLOOD_GAP_MS, until 's' and at least FLOOD_MIN. */
static unsigned flood_sent;
static int flood(void)
{
	static const char msg[] = "netattack flood";
	uintptr_t b = TXB(2), f = b + VHDR;
	fill(b, f + 60, 0);
	put_mac(f, BCAST);
	put_mac(f + 6, MYMAC);
	be16w(f + 12, 0x88b5);
	for (unsigned i = 0; msg[i]; i++)
		w8(f + 14 + i, (uint8_t)msg[i]);
	while (flood_sent < FLOOD_MIN || !keys['s']) {
		if (!bursts(b, VHDR + 60, 2 * BURST, BURST, 0))
			return 0;
		flood_sent += 2 * BURST;
		serve(FLOOD_GAP_MS);
		if (flood_sent >= 4000000)
			break;
	}
	detail = flood_sent;
	return live();
}

static void wait_key(int c)
{
	while (!keys[c])
		serve(10);
}

void guest_main(uint64_t x0, uint64_t first_counter)
{
	uintptr_t base = (uintptr_t)guest_main & ~(RAM_SIZE - 1);
	(void)x0;
	(void)first_counter;

	A = base + 0x1000000;
	RAM_END = base + RAM_SIZE;
	rxq = (struct vq){ 0, QN, RING(0), 0, 0 };
	txq = (struct vq){ 1, QN, RING(1), 0, 0 };
	cq = (struct vq){ 2, CQN, RING(2), 0, 0 };
	tick = sysreg_read(cntfrq_el0) / 1000;
	gic_enable_vtimer();
	puts_("netattack: starting, rings at ");
	put_hex(A);
	putc_('\n');

	control("virtio-net (device 1) offers MAC, MTU, STATUS, CTRL_VQ, CTRL_MAC_ADDR, MRG_RXBUF, "
		"VERSION_1, INDIRECT_DESC, EVENT_IDX", identity());
	control("configuration: MAC 02:00:00:00:00:66, MTU 1280, link up", config_ok());
	detail = 0;
	control("the port initialises: three queues, DRIVER_OK", dev_init(0));
	puts_("netattack: no receive buffers posted; waiting for g\n");
	wait_key('g');
	report_case("no receive buffers while Linux talked: its frames dropped, nothing written, "
		    "no interrupt, device live", no_rx_buffers());
	detail = 0;
	control("receive buffers posted", dev_init(1));
	puts_("netattack: receive buffers posted; waiting for pings from Linux\n");
	serve_until(&echo_answered, 3, 300000);
	detail = (uint64_t)bcast_arp_for_me << 32 | arp_answered;
	control("a broadcast ARP request for 10.0.2.99 from Linux received and answered",
		bcast_arp_for_me > 0 && arp_answered > 0);
	detail = echo_answered;
	control("three pings from Linux answered", echo_answered >= 3);
	detail = (uint64_t)rx_oversize << 32 | rx_largest;
	report_case("frames from Linux longer than this port's MTU + 18 never delivered to it "
		    "(largest received in the detail)", rx_oversize == 0 && rx_largest > 1200);

	puts_("netattack: running the cases\n");
	dev_init(1);
	control("ARP request to a (unicast) answered by a (detail: microseconds)",
		answered(AMAC, 204, A_IP, 42));
	control("ARP request broadcast answered by b", answered(BCAST, 205, B_IP, 42));
	control("ARP request to a in a frame of MTU + 18 bytes (1298) answered",
		answered(AMAC, 206, A_IP, MAX_FRAME));
	{
		uint32_t n = arp_req(TXB(0), AMAC, MYMAC, 207, A_IP, 42);
		struct sg s[3] = { { TXB(0), 5, 0 }, { TXB(0) + 5, 20, 0 }, { TXB(0) + 25, n - 25, 0 } };
		replies[207] = 0;
		send(&txq, s, 3, 1);
		int ok = tx_consumed();
		serve_until(&replies[207], 1, ANSWER_MS);
		control("ARP request to a over three buffers through an indirect table answered",
			ok && replies[207] > 0);
	}
	run_control("receive headers split over three descriptors: a's answer whole, num_buffers 1",
		    c_rx_header_split);
	run_control("mergeable receive buffers of 16 bytes: a's answer over several, num_buffers "
		    "right, nothing written between them", c_rx_mergeable);

	run_case("transmit chain of 5 bytes, shorter than the header: consumed", c_tx_shorter_than_header);
	run_case("transmit of the header alone (empty frame): consumed", c_tx_header_only);
	run_case("frame of 13 bytes, shorter than an Ethernet header: consumed, not delivered", c_tx_13);
	run_case("frame of MTU + 19 bytes (1299) to a: consumed, not delivered", c_tx_mtu_plus_19);
	run_case("frame of 1518 bytes to a: consumed, not delivered", c_tx_1518);
	run_case("frame of 4000 bytes over two buffers: consumed, not delivered", c_tx_4000);
	run_case("frame of 64 KiB through an indirect table: consumed, not delivered", c_tx_64k);
	run_case("source address a's (to b): consumed, not delivered", c_src_a);
	run_case("source address b's, to a, claiming b's IP (cache poisoning): not delivered",
		 c_poison_b);
	run_case("gratuitous ARP from a's address claiming a's IP (broadcast): not delivered",
		 c_garp_as_a);
	run_case("source address broadcast: not delivered", c_src_bcast);
	run_case("source address multicast: not delivered", c_src_mcast);
	run_case("source address zero: not delivered", c_src_zero);
	run_case("source address 02:00:00:00:00:77 (not ours): not delivered", c_src_new);
	run_case("1000 frames from b's address to a: all consumed, none delivered", c_spoof_burst_a);
	run_case("1000 frames from a's address to b: all consumed, none delivered", c_spoof_burst_b);
	run_case("writable buffer in a transmit chain: nothing written into it", c_tx_writable);

	run_case("MAC_ADDR_SET 02:00:00:00:00:77 (policy deny): VIRTIO_NET_ERR, MAC kept, "
		 "frames from the new address still refused", c_ctrl_mac_set);
	run_case("MAC_ADDR_SET over three descriptors: VIRTIO_NET_ERR", c_ctrl_mac_set_split);
	run_case("MAC_ADDR_SET to a's address: VIRTIO_NET_ERR, frames from it still refused",
		 c_ctrl_mac_set_a);
	run_case("MAC_ADDR_SET with a 5-byte address: VIRTIO_NET_ERR", c_ctrl_mac_short);
	run_case("MAC_ADDR_SET with a 7-byte address: VIRTIO_NET_ERR", c_ctrl_mac_long);
	run_case("MAC_TABLE_SET (not offered): VIRTIO_NET_ERR", c_ctrl_mac_table);
	run_case("RX_PROMISC on (not offered): VIRTIO_NET_ERR", c_ctrl_promisc);
	run_case("unknown control class 0x7f: VIRTIO_NET_ERR", c_ctrl_unknown_class);
	run_case("control command without an ack byte (NEEDS_RESET)", c_ctrl_no_ack);
	run_case("control command of one byte (NEEDS_RESET)", c_ctrl_one_byte);
	run_case("control chain of an ack byte only (NEEDS_RESET)", c_ctrl_ack_only);
	run_case("control ack byte in a's RAM (NEEDS_RESET)", c_ctrl_ack_in_other);
	run_case("control command in the hypervisor's image (NEEDS_RESET)", c_ctrl_cmd_in_hv);

	run_case("transmit buffer in a's RAM (NEEDS_RESET)", c_tx_in_other);
	run_case("transmit buffer in the hypervisor's image (NEEDS_RESET)", c_tx_in_hv);
	run_case("transmit buffer straddling the end of its RAM (NEEDS_RESET)", c_tx_straddle);
	run_case("transmit frame in a's RAM after a valid header (NEEDS_RESET)", c_tx_frame_in_other);
	run_case("transmit indirect table in a's RAM (NEEDS_RESET)", c_tx_itab_in_other);
	run_case("transmit descriptor loop (NEEDS_RESET)", c_tx_loop);
	run_case("transmit head out of range (NEEDS_RESET)", c_tx_head_out_of_range);
	run_case("transmit available index a queue and more ahead (NEEDS_RESET)", c_tx_avail_ahead);

	run_case("receive buffer in a's RAM: NEEDS_RESET when a frame arrives", c_rx_in_other);
	run_case("receive buffer in the hypervisor's image: NEEDS_RESET when a frame arrives",
		 c_rx_in_hv);
	run_case("receive buffer straddling the end of its RAM: NEEDS_RESET when a frame arrives",
		 c_rx_straddle);
	run_case("receive chain with a readable buffer after a writable one: NEEDS_RESET",
		 c_rx_write_then_read);
	run_case("receive buffer of 8 bytes, too small for the header: frames dropped, "
		 "nothing written outside it", c_rx_too_small);
	run_case("receive buffer not writable: frames dropped, nothing written", c_rx_readable);

	dev_init(1);
	puts_("netattack: cases done; waiting for f\n");
	wait_key('f');
	puts_("netattack: flooding\n");
	run_case("broadcast flood in bursts of 250 frames until the test says stop: every frame "
		 "consumed at once", flood);
	detail = (uint64_t)rx_bad << 32 | auto_bad;
	control("every frame received had a well-formed header; every answer sent was consumed",
		rx_bad == 0 && auto_bad == 0);

	wr(R_STATUS, 0);
	puts_("netattack: sent ");
	put_dec(flood_sent);
	puts_(" flood frames; received ");
	put_dec(rx_frames);
	puts_(" frames (");
	put_dec(rx_bcast);
	puts_(" broadcast), answered ");
	put_dec(arp_answered);
	puts_(" ARP requests and ");
	put_dec(echo_answered);
	puts_(" pings\n");
	report_served();
	if (works_after)
		puts_("netattack: the port works after every case\n");
	report_done();
}
