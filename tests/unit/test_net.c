/* virtio-net (vdev/virtio_net.c) on the hypervisor's L2 switch
 * (core/netswitch.c). Three devices, driven only through their virtio-mmio
 * registers over a fake guest RAM in which the test lays out rings and
 * buffers by hand (virtio_harness.h), and fake switch ports
 * that record what reaches them:
 *
 *   segment 0: A (virtio-net, MTU 1500, MAC change allowed),
 *              B (virtio-net, MTU 1400, MAC change allowed),
 *              U (an uplink: guest = false, learns what it sends)
 *   segment 1: C (virtio-net, MTU 1500, MAC change denied), V (an uplink)
 *   segment 2: W1, W2, W3 (uplinks only: the learning table alone)
 *
 * Every recording port checks, for every frame, that no device's lock is
 * held while the switch delivers.
 * proves: NET-1, NET-5, NET-6, NET-7, NET-8
 *
 * Feature bits, config-space offsets, the header layout and the control
 * commands are written out here from [VIRTIO] 1.2 5.1, not taken from the
 * code. */
#include "arch_fake.h"
#include "virtio_harness.h"
#include <hv/config.h>
#include <hv/netswitch.h>
#include <vdev/virtio_net.h>

/* virtio-net ([VIRTIO] 5.1.3, 5.1.4, 5.1.6) */
#define F_CSUM (1ULL << 0)
#define F_GUEST_CSUM (1ULL << 1)
#define F_MTU (1ULL << 3)
#define F_MAC (1ULL << 5)
#define F_GUEST_TSO4 (1ULL << 7)
#define F_HOST_TSO4 (1ULL << 11)
#define F_MRG (1ULL << 15)
#define F_STATUS (1ULL << 16)
#define F_CTRL_VQ (1ULL << 17)
#define F_CTRL_RX (1ULL << 18)
#define F_MQ (1ULL << 22)
#define F_CTRL_MAC (1ULL << 23)
#define F_BASE (F_V1 | F_MTU | F_MAC | F_STATUS | F_CTRL_VQ | F_CTRL_MAC)
enum { RXQ = 0, TXQ = 1, CTRLQ = 2 };
enum { C_MAC = 0, C_STATUS = 6, C_PAIRS = 8, C_MTU = 10, C_END = 12 };
#define S_LINK_UP 1
#define HDR 12 /* struct virtio_net_hdr, num_buffers at 10 */
enum { CLASS_RX = 0, CLASS_MAC = 1, MAC_TABLE_SET = 0, MAC_ADDR_SET = 1, ACK_OK = 0, ACK_ERR = 1 };
#define QS 16 /* entries in each queue */

/* ---- interrupt lines ---- */
enum { IRQ_A = 48, IRQ_B = 49, IRQ_C = 50 };
static bool level[64];
static void line_set(void *ctx, uint32_t intid, bool high)
{
	(void)ctx;
	level[intid] = high;
}

/* ---- the devices and the recording ports ---- */
static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x0a }, MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x0b },
		     MAC_C[6] = { 0x02, 0, 0, 0, 0, 0x0c };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		     MCAST[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
		     X[6] = { 0x02, 0xaa, 0, 0, 0, 0x01 },     /* a host behind an uplink */
		     UNKNOWN[6] = { 0x02, 0xbb, 0, 0, 0, 0x01 }, /* nobody's */
		     NEWMAC[6] = { 0x02, 0x12, 0x34, 0x56, 0x78, 0x9a };
static struct virtio_net A, B, C;

#define REC_KEEP 16
struct rec {
	struct net_port port;
	unsigned n; /* frames received (the first REC_KEEP kept) */
	size_t len[REC_KEEP];
	uint8_t f[REC_KEEP][NET_MAX_FRAME];
	struct drv *reflect; /* kick this driver's transmit queue on the next frame */
};
static struct rec U, V, W1, W2, W3;
static unsigned lock_checks;

static struct drv dA, dB, dC;

static void rec_rx(struct net_port *p, const uint8_t *frame, size_t len)
{
	struct rec *r = p->ctx;

	/* The switch delivers with no device lock held: a receiver never
	 * waits for a sender, and two partitions sending to each other never
	 * wait for each other. */
	assert_false(spin_is_locked(&A.dev.lock));
	assert_false(spin_is_locked(&B.dev.lock));
	assert_false(spin_is_locked(&C.dev.lock));
	lock_checks++;
	assert_true(len >= NET_HDR_ETH && len <= NET_MAX_FRAME);
	if (r->n < REC_KEEP) {
		r->len[r->n] = len;
		memcpy(r->f[r->n], frame, len);
	}
	r->n++;
	if (r->reflect) {
		struct drv *v = r->reflect;
		r->reflect = NULL;
		kick(v, TXQ);
	}
}

static void rec_init(struct rec *r, const char *name, unsigned seg)
{
	memset(r, 0, sizeof(*r));
	r->port = (struct net_port){ .name = name, .guest = false, .rx = rec_rx, .ctx = r };
	assert_int_equal(net_port_attach(&r->port, seg), 0);
}

static void rec_clear(void)
{
	U.n = V.n = W1.n = W2.n = W3.n = 0;
}

/* Frames the switch handed to a device (taken or dropped by it). */
static uint64_t got(const struct virtio_net *n)
{
	return n->port.rx_frames + n->rx_dropped;
}

static void cfg_mac(struct virtio_dev *d, uint8_t mac[6])
{
	for (unsigned i = 0; i < 6; i++)
		mac[i] = (uint8_t)cfg_rd(d, C_MAC + i, 1);
}

/* ---- the driver side ---- */
/* Buffers: 256 KiB per device from RAM_IPA + 0x40000; receive buffer i
 * (i < 32) at +0x800*i, transmit buffer i at +0x10000, control at +0x20000. */
static uint64_t rxbuf(const struct drv *v, unsigned i)
{
	return RAM_IPA + 0x40000ULL + 0x40000ULL * v->slot + 0x800ULL * i;
}
static uint64_t txbuf(const struct drv *v, unsigned i)
{
	return rxbuf(v, 0) + 0x10000 + 0x800ULL * i;
}
static uint64_t ctlbuf(const struct drv *v, unsigned i)
{
	return rxbuf(v, 0) + 0x20000 + 0x100ULL * i;
}

/* Reset, negotiate, set up the three queues, then DRIVER_OK unless told
 * not to ([VIRTIO] 3.1.1). */
static void drv_init(struct drv *v, struct virtio_dev *d, unsigned slot, uint64_t features,
		     bool driver_ok)
{
	drv_begin(v, d, slot, QS, features);
	for (unsigned q = 0; q < 3; q++)
		drv_queue(v, q);
	if (driver_ok)
		drv_live(v);
}

static void drv_start(struct drv *v, struct virtio_dev *d, unsigned slot, uint64_t features)
{
	drv_init(v, d, slot, features, true);
}

/* ---- frames ---- */
static size_t mkframe(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], size_t len,
		      uint8_t seed)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xb5; /* local experimental ethertype */
	for (size_t i = 14; i < len; i++)
		f[i] = (uint8_t)(seed + i * 7 + (i >> 8));
	return len;
}

/* One frame on the transmit queue: header and frame in one buffer, or
 * (split) in two descriptors as Linux may send it. Not kicked. */
static void tx_post(struct drv *v, const uint8_t *frame, size_t len, bool split)
{
	uint16_t i = alloc_desc(v, TXQ, 2);
	uint8_t *b = gp(txbuf(v, i));

	memset(b, 0, HDR);
	memcpy(b + HDR, frame, len);
	if (split) {
		setd(v, TXQ, i, txbuf(v, i), HDR, D_NEXT, (uint16_t)(i + 1));
		setd(v, TXQ, i + 1, txbuf(v, i) + HDR, (uint32_t)len, 0, 0);
	} else {
		setd(v, TXQ, i, txbuf(v, i), (uint32_t)(HDR + len), 0, 0);
	}
	post(v, TXQ, i);
}

/* Transmit one frame; the chain comes back at once, with nothing written. */
static void tx(struct drv *v, const uint8_t *frame, size_t len)
{
	uint16_t u = used_idx(v, TXQ), head;

	tx_post(v, frame, len, len % 2);
	head = (uint16_t)(v->nd[TXQ] - 2);
	kick(v, TXQ);
	assert_int_equal(used_idx(v, TXQ), (uint16_t)(u + 1));
	assert_int_equal(used_id(v, TXQ, u), head);
	assert_int_equal(used_len(v, TXQ, u), 0);
}

/* A transmit chain of exactly n readable bytes (header included). */
static void tx_raw(struct drv *v, size_t n)
{
	uint16_t u = used_idx(v, TXQ), i = alloc_desc(v, TXQ, 1);
	uint8_t *b = gp(txbuf(v, i));

	memset(b, 0, n);
	if (n >= HDR + 12)
		memcpy(b + HDR + 6, v == &dA ? MAC_A : v == &dB ? MAC_B : MAC_C, 6);
	setd(v, TXQ, i, txbuf(v, i), (uint32_t)n, 0, 0);
	post(v, TXQ, i);
	kick(v, TXQ);
	assert_int_equal(used_idx(v, TXQ), (uint16_t)(u + 1));
	assert_int_equal(used_id(v, TXQ, u), i);
}

/* One receive buffer of size bytes in one descriptor; its head. */
static uint16_t rx_post(struct drv *v, uint32_t size)
{
	uint16_t i = alloc_desc(v, RXQ, 1);
	assert_true(size <= 0x800);
	memset(gp(rxbuf(v, i)), 0xee, size);
	setd(v, RXQ, i, rxbuf(v, i), size, D_WRITE, 0);
	post(v, RXQ, i);
	return i;
}

/* Used entry k of the receive queue: buffer head, header + frame in it,
 * num_buffers 1. */
static void assert_rx(const struct drv *v, unsigned k, uint16_t head, const uint8_t *frame,
		      size_t len)
{
	static const uint8_t hdr[HDR] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
	const uint8_t *b = gp(rxbuf(v, head));

	assert_true(used_idx(v, RXQ) > k);
	assert_int_equal(used_id(v, RXQ, k), head);
	assert_int_equal(used_len(v, RXQ, k), HDR + len);
	assert_memory_equal(b, hdr, HDR);
	assert_memory_equal(b + HDR, frame, len);
}

/* A control command: class, command and data readable (header and data in
 * separate descriptors, as Linux sends them), one writable ack byte. The
 * chain must come back with 1 byte written; the ack. */
static uint8_t ctrl(struct drv *v, uint8_t class, uint8_t cmd, const uint8_t *data, size_t n)
{
	uint16_t u = used_idx(v, CTRLQ), i = alloc_desc(v, CTRLQ, 3);
	uint8_t *h = gp(ctlbuf(v, i)), *d = gp(ctlbuf(v, i + 1)), *ack = gp(ctlbuf(v, i + 2));

	h[0] = class;
	h[1] = cmd;
	memcpy(d, data, n);
	*ack = 0xee;
	setd(v, CTRLQ, i, ctlbuf(v, i), 2, D_NEXT, (uint16_t)(i + 1));
	setd(v, CTRLQ, i + 1, ctlbuf(v, i + 1), (uint32_t)n, D_NEXT, (uint16_t)(i + 2));
	setd(v, CTRLQ, i + 2, ctlbuf(v, i + 2), 1, D_WRITE, 0);
	post(v, CTRLQ, i);
	kick(v, CTRLQ);
	assert_int_equal(used_idx(v, CTRLQ), (uint16_t)(u + 1));
	assert_int_equal(used_id(v, CTRLQ, u), i);
	assert_int_equal(used_len(v, CTRLQ, u), 1);
	return *ack;
}

static uint8_t set_mac(struct drv *v, const uint8_t mac[6])
{
	return ctrl(v, CLASS_MAC, MAC_ADDR_SET, mac, 6);
}

/* ---- fixtures ---- */
static int setup(void **state)
{
	(void)state;
	memset(host, FILL, HOST_SIZE);
	memset(level, 0, sizeof(level));
	fake_console_reset();
	lock_checks = 0;
	net_segments_init(3);
	struct irq_line la = { line_set, NULL, IRQ_A }, lb = { line_set, NULL, IRQ_B },
			lc = { line_set, NULL, IRQ_C };
	virtio_net_init(&A, "a/virtio-net", &(struct vnet_params){ MAC_A, 1500, true }, &gm, &la);
	virtio_net_init(&B, "b/virtio-net", &(struct vnet_params){ MAC_B, 1400, true }, &gm, &lb);
	virtio_net_init(&C, "c/virtio-net", &(struct vnet_params){ MAC_C, 1500, false }, &gm, &lc);
	assert_int_equal(net_port_attach(&A.port, 0), 0);
	assert_int_equal(net_port_attach(&B.port, 0), 0);
	assert_int_equal(net_port_attach(&C.port, 1), 0);
	rec_init(&U, "uplink0", 0);
	rec_init(&V, "uplink1", 1);
	rec_init(&W1, "w1", 2);
	rec_init(&W2, "w2", 2);
	rec_init(&W3, "w3", 2);
	drv_start(&dA, &A.dev, 0, F_BASE);
	drv_start(&dB, &B.dev, 1, F_BASE);
	drv_start(&dC, &C.dev, 2, F_BASE);
	return 0;
}

/* =============================== the device =============================== */

/* Device ID 1, the features offered (MAC, MTU, link status, mergeable
 * receive buffers, the control queue with MAC_ADDR_SET; no offloads, no
 * multiqueue), three queues, and the config space: MAC, link up, one queue
 * pair, the MTU of the partition file.
 * proves: NET-1, NET-6, NET-7, NET-8 */
static void test_identity_features_config(void **state)
{
	static const struct {
		struct virtio_net *n;
		const uint8_t *mac;
		uint16_t mtu;
	} devs[] = { { &A, MAC_A, 1500 }, { &B, MAC_B, 1400 }, { &C, MAC_C, 1500 } };
	(void)state;

	for (size_t k = 0; k < ARRAY_SIZE(devs); k++) {
		struct virtio_dev *d = &devs[k].n->dev;
		uint64_t feat;
		uint8_t mac[6];

		assert_int_equal(rd(d, VERSION), 2);
		assert_int_equal(rd(d, DEVICE_ID), 1);
		feat = dev_features(d);
		assert_int_equal(feat, F_MTU | F_MAC | F_MRG | F_STATUS | F_CTRL_VQ | F_CTRL_MAC | F_V1 |
					       F_INDIRECT | F_EVENT_IDX);
		assert_int_equal(feat & (F_CSUM | F_GUEST_CSUM | F_GUEST_TSO4 | F_HOST_TSO4 | F_MQ |
					 F_CTRL_RX),
				 0);

		for (unsigned q = 0; q < 3; q++) {
			wr(d, QUEUE_SEL, q);
			assert_int_equal(rd(d, QUEUE_NUM_MAX), VQ_MAX_SIZE);
		}
		wr(d, QUEUE_SEL, 3);
		assert_int_equal(rd(d, QUEUE_NUM_MAX), 0);

		cfg_mac(d, mac);
		assert_memory_equal(mac, devs[k].mac, 6);
		assert_int_equal(cfg_rd(d, C_STATUS, 2), S_LINK_UP);
		assert_int_equal(cfg_rd(d, C_PAIRS, 2), 1);
		assert_int_equal(cfg_rd(d, C_MTU, 2), devs[k].mtu);
		assert_int_equal(cfg_rd(d, C_PAIRS, 4), 1 | (uint32_t)devs[k].mtu << 16);
		assert_int_equal(cfg_rd(d, C_MAC, 4),
				 devs[k].mac[0] | devs[k].mac[1] << 8 | devs[k].mac[2] << 16 |
					 (uint32_t)devs[k].mac[3] << 24);
		assert_int_equal(cfg_rd(d, C_END, 1), 0); /* past the config space */
		assert_int_equal(cfg_rd(d, C_END, 4), 0);
		assert_int_equal(rd(d, CONFIG_GEN), 0);
	}
}

/* ================================ transmit ================================ */

/* A frame sent by A reaches the switch as sent (header stripped), in one
 * buffer or split over two descriptors; the chain is returned with nothing
 * written and the used-buffer interrupt raised.
 * proves: NET-1, NET-5 */
static void test_tx_to_switch(void **state)
{
	uint8_t f[NET_MAX_FRAME];
	size_t n;
	(void)state;

	n = mkframe(f, BCAST, MAC_A, 60, 1);
	tx_post(&dA, f, n, true);
	kick(&dA, TXQ);
	assert_int_equal(used_idx(&dA, TXQ), 1);
	assert_int_equal(used_id(&dA, TXQ, 0), 0);
	assert_int_equal(used_len(&dA, TXQ, 0), 0);
	assert_true(level[IRQ_A]);
	assert_int_equal(U.n, 1);
	assert_int_equal(U.len[0], 60);
	assert_memory_equal(U.f[0], f, 60);
	assert_int_equal(got(&B), 1);
	assert_int_equal(A.port.tx_frames, 1);

	n = mkframe(f, BCAST, MAC_A, 1001, 2); /* one buffer */
	tx(&dA, f, n);
	assert_int_equal(U.n, 2);
	assert_int_equal(U.len[1], 1001);
	assert_memory_equal(U.f[1], f, 1001);

	/* Several chains in one notify: all of them, in order. */
	for (int i = 0; i < 3; i++) {
		n = mkframe(f, BCAST, MAC_A, 100 + (size_t)i, (uint8_t)(10 + i));
		tx_post(&dA, f, n, false);
	}
	kick(&dA, TXQ);
	assert_int_equal(used_idx(&dA, TXQ), 5);
	assert_int_equal(U.n, 5);
	for (int i = 0; i < 3; i++)
		assert_int_equal(U.len[2 + i], 100 + (size_t)i);
	assert_int_equal(A.tx_dropped, 0);
	assert_int_equal(V.n, 0);
	assert_int_equal(got(&C), 0);
	assert_true(lock_checks >= 5);
}

/* Frames shorter than an Ethernet header, or longer than the sender's MTU
 * plus 18 (header and one VLAN tag), are dropped; every chain still comes
 * back.
 * proves: NET-6 */
static void test_tx_size_limits(void **state)
{
	uint8_t f[NET_MAX_FRAME + 1];
	(void)state;

	tx_raw(&dA, 5);        /* less than the header */
	tx_raw(&dA, HDR);      /* the header alone */
	tx_raw(&dA, HDR + 13); /* 13 bytes of frame */
	assert_int_equal(U.n, 0);
	assert_int_equal(A.tx_dropped, 3);
	tx_raw(&dA, HDR + 14); /* the smallest frame */
	assert_int_equal(U.n, 1);
	assert_int_equal(U.len[0], 14);

	tx(&dA, f, mkframe(f, BCAST, MAC_A, 1518, 3)); /* MTU 1500 */
	assert_int_equal(U.n, 2);
	assert_int_equal(U.len[1], 1518);
	tx(&dA, f, mkframe(f, BCAST, MAC_A, 1519, 4));
	assert_int_equal(U.n, 2);
	assert_int_equal(A.tx_dropped, 4);

	tx(&dB, f, mkframe(f, BCAST, MAC_B, 1418, 5)); /* MTU 1400 */
	assert_int_equal(U.n, 3);
	assert_int_equal(U.len[2], 1418);
	tx(&dB, f, mkframe(f, BCAST, MAC_B, 1419, 6));
	tx(&dB, f, mkframe(f, BCAST, MAC_B, 1518, 7));
	assert_int_equal(U.n, 3);
	assert_int_equal(B.tx_dropped, 2);
	assert_int_equal(used_idx(&dA, TXQ), 6);
	assert_int_equal(used_idx(&dB, TXQ), 3);
	assert_int_equal(A.port.tx_frames, 2);
}

/* A partition sends only with its own address as the source: another
 * partition's, an outside host's or a multicast source is dropped (and
 * the chain returned).
 * proves: NET-5, NET-7 */
static void test_tx_spoofed_source(void **state)
{
	uint8_t f[128];
	(void)state;

	tx(&dA, f, mkframe(f, BCAST, MAC_B, 64, 1));
	tx(&dA, f, mkframe(f, MAC_B, MAC_B, 64, 2));
	tx(&dA, f, mkframe(f, BCAST, X, 64, 3));
	tx(&dA, f, mkframe(f, BCAST, MCAST, 64, 4));
	tx(&dA, f, mkframe(f, BCAST, MAC_C, 64, 5));
	assert_int_equal(A.tx_dropped, 5);
	assert_int_equal(A.port.tx_frames, 0);
	assert_int_equal(U.n, 0);
	assert_int_equal(got(&B), 0);
	assert_int_equal(used_idx(&dA, TXQ), 5);

	tx(&dA, f, mkframe(f, BCAST, MAC_A, 64, 6));
	assert_int_equal(U.n, 1);
	assert_int_equal(got(&B), 1);
}

/* ================================= receive ================================ */

/* A frame for A lands in its next receive buffer after a 12-byte header
 * that is all zero but num_buffers = 1, with the used-buffer interrupt;
 * a frame larger than the receiver's MTU plus 18 is dropped, and the
 * buffer stays the driver's for the next one.
 * proves: NET-1, NET-6 */
static void test_rx_single_buffer(void **state)
{
	uint8_t f[NET_MAX_FRAME];
	uint16_t h0, h1, h2;
	(void)state;

	h0 = rx_post(&dA, 0x800);
	h1 = rx_post(&dA, 0x800);
	net_forward(&U.port, f, mkframe(f, MAC_A, X, 100, 1));
	assert_rx(&dA, 0, h0, f, 100);
	assert_int_equal(used_idx(&dA, RXQ), 1);
	assert_true(level[IRQ_A]);
	assert_int_equal(A.port.rx_frames, 1);
	assert_int_equal(got(&B), 0);

	net_forward(&U.port, f, mkframe(f, MAC_A, X, 1518, 2)); /* the largest */
	assert_rx(&dA, 1, h1, f, 1518);

	/* B's MTU is 1400. */
	h2 = rx_post(&dB, 0x800);
	net_forward(&U.port, f, mkframe(f, MAC_B, X, 1419, 3));
	assert_int_equal(used_idx(&dB, RXQ), 0);
	assert_int_equal(B.rx_dropped, 1);
	net_forward(&U.port, f, mkframe(f, MAC_B, X, 1418, 4));
	assert_rx(&dB, 0, h2, f, 1418);
	assert_int_equal(B.port.rx_frames, 1);
	assert_int_equal(U.n, 0);
}

/* With VIRTIO_NET_F_MRG_RXBUF a frame flows over as many buffers as it
 * needs: all but the last filled, num_buffers in the first buffer's header,
 * the buffers returned together. A buffer of two descriptors may split the
 * header itself.
 * proves: NET-1 */
static void test_rx_mergeable(void **state)
{
	uint8_t f[NET_MAX_FRAME];
	uint16_t h[4], c0;
	const uint8_t *b;
	(void)state;

	drv_start(&dA, &A.dev, 0, F_BASE | F_MRG);
	for (int i = 0; i < 4; i++)
		h[i] = rx_post(&dA, 512);
	/* A buffer of two descriptors: 8 bytes, then 1000. */
	c0 = alloc_desc(&dA, RXQ, 1);
	memset(gp(rxbuf(&dA, c0)), 0xee, 8);
	memset(gp(rxbuf(&dA, 16)), 0xee, 1000);
	setd(&dA, RXQ, c0, rxbuf(&dA, c0), 8, D_WRITE | D_NEXT, 15);
	setd(&dA, RXQ, 15, rxbuf(&dA, 16), 1000, D_WRITE, 0);
	post(&dA, RXQ, c0);

	/* 12 + 1500 bytes: 512, 512, 488. */
	net_forward(&U.port, f, mkframe(f, MAC_A, X, 1500, 1));
	assert_int_equal(used_idx(&dA, RXQ), 3);
	assert_int_equal(used_id(&dA, RXQ, 0), h[0]);
	assert_int_equal(used_len(&dA, RXQ, 0), 512);
	assert_int_equal(used_id(&dA, RXQ, 1), h[1]);
	assert_int_equal(used_len(&dA, RXQ, 1), 512);
	assert_int_equal(used_id(&dA, RXQ, 2), h[2]);
	assert_int_equal(used_len(&dA, RXQ, 2), 488);
	b = gp(rxbuf(&dA, h[0]));
	for (int i = 0; i < 10; i++)
		assert_int_equal(b[i], 0);
	assert_int_equal(b[10], 3); /* num_buffers, little-endian */
	assert_int_equal(b[11], 0);
	assert_memory_equal(b + HDR, f, 500);
	assert_memory_equal(gp(rxbuf(&dA, h[1])), f + 500, 512); /* no header */
	assert_memory_equal(gp(rxbuf(&dA, h[2])), f + 1012, 488);
	assert_int_equal(A.port.rx_frames, 1);

	/* A small one: one buffer, num_buffers 1. */
	net_forward(&U.port, f, mkframe(f, MAC_A, X, 100, 2));
	assert_rx(&dA, 3, h[3], f, 100);

	/* The header across two descriptors: num_buffers at bytes 2..3 of
	 * the second, the frame after it. */
	net_forward(&U.port, f, mkframe(f, MAC_A, X, 50, 3));
	assert_int_equal(used_idx(&dA, RXQ), 5);
	assert_int_equal(used_id(&dA, RXQ, 4), c0);
	assert_int_equal(used_len(&dA, RXQ, 4), HDR + 50);
	b = gp(rxbuf(&dA, c0));
	for (int i = 0; i < 8; i++)
		assert_int_equal(b[i], 0);
	b = gp(rxbuf(&dA, 16));
	assert_int_equal(b[0], 0);
	assert_int_equal(b[1], 0);
	assert_int_equal(b[2], 1);
	assert_int_equal(b[3], 0);
	assert_memory_equal(b + 4, f, 50);
	assert_int_equal(b[54], 0xee);
	assert_int_equal(A.rx_dropped, 0);
}

/* Mergeable buffers, not enough of them: a frame that would need more than
 * the queue holds (or more than the device spreads one frame over) is
 * dropped, and the buffers it took are given back (vq_unpop), avail_event
 * included: the next frame uses them from the first.
 * proves: NET-1, NET-5 */
static void test_rx_mergeable_short(void **state)
{
	uint8_t f[NET_MAX_FRAME];
	uint16_t h[10];
	const uint8_t *b;
	(void)state;

	drv_start(&dA, &A.dev, 0, F_BASE | F_MRG | F_EVENT_IDX);
	h[0] = rx_post(&dA, 512);
	h[1] = rx_post(&dA, 512);
	net_forward(&U.port, f, mkframe(f, MAC_A, X, 1500, 1)); /* needs 3 */
	assert_int_equal(used_idx(&dA, RXQ), 0);
	assert_int_equal(A.rx_dropped, 1);
	assert_int_equal(avail_event(&dA, RXQ), 0); /* nothing taken */
	h[2] = rx_post(&dA, 512);
	net_forward(&U.port, f, mkframe(f, MAC_A, X, 1500, 2));
	assert_int_equal(used_idx(&dA, RXQ), 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(used_id(&dA, RXQ, (unsigned)i), h[i]);
	b = gp(rxbuf(&dA, h[0]));
	assert_int_equal(b[10], 3);
	assert_memory_equal(b + HDR, f, 500);
	assert_memory_equal(gp(rxbuf(&dA, h[2])), f + 1012, 488);
	assert_int_equal(avail_event(&dA, RXQ), 3);

	/* 100-byte buffers: 12 + 1000 bytes would take 11 of them, more than
	 * one frame is spread over. Dropped; none consumed. */
	drv_start(&dA, &A.dev, 0, F_BASE | F_MRG);
	for (int i = 0; i < 10; i++)
		h[i] = rx_post(&dA, 100);
	net_forward(&U.port, f, mkframe(f, MAC_A, X, 1000, 3));
	assert_int_equal(used_idx(&dA, RXQ), 0);
	assert_int_equal(A.rx_dropped, 2);
	net_forward(&U.port, f, mkframe(f, MAC_A, X, 150, 4)); /* 162: 100 + 62 */
	assert_int_equal(used_idx(&dA, RXQ), 2);
	assert_int_equal(used_id(&dA, RXQ, 0), h[0]);
	assert_int_equal(used_len(&dA, RXQ, 0), 100);
	assert_int_equal(used_id(&dA, RXQ, 1), h[1]);
	assert_int_equal(used_len(&dA, RXQ, 1), 62);
	b = gp(rxbuf(&dA, h[0]));
	assert_int_equal(b[10], 2);
	assert_memory_equal(b + HDR, f, 88);
	assert_memory_equal(gp(rxbuf(&dA, h[1])), f + 88, 62);
}

/* Without mergeable buffers a frame must fit one buffer: a frame too big
 * for the next buffer is dropped, and that buffer is not consumed
 * (vq_unpop), so the next frame that fits still lands in it.
 * proves: NET-1, NET-5 */
static void test_rx_small_buffer_kept(void **state)
{
	uint8_t f[NET_MAX_FRAME];
	uint16_t h0, h1;
	(void)state;

	h0 = rx_post(&dA, 100);
	h1 = rx_post(&dA, 0x800);
	net_forward(&U.port, f, mkframe(f, MAC_A, X, 200, 1));
	assert_int_equal(used_idx(&dA, RXQ), 0);
	assert_int_equal(A.rx_dropped, 1);
	assert_int_equal(A.port.rx_frames, 0);
	net_forward(&U.port, f, mkframe(f, MAC_A, X, 88, 2)); /* exactly 100 */
	assert_rx(&dA, 0, h0, f, 88);
	net_forward(&U.port, f, mkframe(f, MAC_A, X, 200, 3));
	assert_rx(&dA, 1, h1, f, 200);
	assert_int_equal(A.rx_dropped, 1);
	assert_int_equal(A.port.rx_frames, 2);
}

/* A receiver whose queue is full drops the frame and counts it; the sender
 * and the other receivers are not affected.
 * proves: NET-5 */
static void test_rx_queue_full(void **state)
{
	uint8_t f[NET_MAX_FRAME];
	uint16_t h0, h1;
	(void)state;

	h0 = rx_post(&dB, 0x800);
	h1 = rx_post(&dB, 0x800);
	for (int i = 0; i < 3; i++)
		tx(&dA, f, mkframe(f, BCAST, MAC_A, 200 + (size_t)i, (uint8_t)i));
	assert_int_equal(used_idx(&dB, RXQ), 2);
	assert_int_equal(used_id(&dB, RXQ, 0), h0);
	assert_int_equal(used_id(&dB, RXQ, 1), h1);
	assert_int_equal(B.port.rx_frames, 2);
	assert_int_equal(B.rx_dropped, 1);
	assert_int_equal(U.n, 3); /* the uplink got all three */
	assert_int_equal(used_idx(&dA, TXQ), 3);
	assert_int_equal(A.tx_dropped, 0);
	assert_int_equal(A.port.tx_frames, 3);

	/* Many more: every one dropped at B, none held back anywhere. */
	for (int i = 0; i < 40; i++)
		tx(&dA, f, mkframe(f, MAC_B, MAC_A, 60, (uint8_t)i));
	assert_int_equal(B.rx_dropped, 41);
	assert_int_equal(used_idx(&dA, TXQ), 43);
	assert_int_equal(used_idx(&dB, RXQ), 2);
}

/* A device that cannot take frames (reset, driver not finished, receive
 * queue disabled, device needing a reset) drops them without writing a
 * byte of guest memory.
 * proves: NET-5 */
static void test_rx_driver_not_ready(void **state)
{
	uint8_t f[NET_MAX_FRAME];
	static const uint8_t no_ack[2] = { CLASS_MAC, MAC_ADDR_SET };
	(void)state;

	mkframe(f, MAC_A, X, 100, 1);

	/* Reset. */
	rx_post(&dA, 0x800);
	wr(&A.dev, STATUS, 0);
	snapshot_ram();
	net_forward(&U.port, f, 100);
	assert_int_equal(A.rx_dropped, 1);
	assert_memory_equal(snap, host, HOST_SIZE);

	/* Queues set up, DRIVER_OK not yet written. */
	drv_init(&dA, &A.dev, 0, F_BASE, false);
	rx_post(&dA, 0x800);
	snapshot_ram();
	net_forward(&U.port, f, 100);
	assert_int_equal(A.rx_dropped, 2);
	assert_memory_equal(snap, host, HOST_SIZE);

	/* Running, but the receive queue disabled. */
	drv_start(&dA, &A.dev, 0, F_BASE);
	rx_post(&dA, 0x800);
	wr(&A.dev, QUEUE_SEL, RXQ);
	wr(&A.dev, QUEUE_READY, 0);
	snapshot_ram();
	net_forward(&U.port, f, 100);
	assert_int_equal(A.rx_dropped, 3);
	assert_memory_equal(snap, host, HOST_SIZE);

	/* NEEDS_RESET (a control command without an ack byte). */
	drv_start(&dA, &A.dev, 0, F_BASE);
	rx_post(&dA, 0x800);
	memcpy(gp(ctlbuf(&dA, 0)), no_ack, 2);
	setd(&dA, CTRLQ, 0, ctlbuf(&dA, 0), 2, 0, 0);
	post(&dA, CTRLQ, 0);
	kick(&dA, CTRLQ);
	assert_true(rd(&A.dev, STATUS) & S_NEEDS_RESET);
	snapshot_ram();
	net_forward(&U.port, f, 100);
	assert_int_equal(A.rx_dropped, 4);
	assert_memory_equal(snap, host, HOST_SIZE);
	assert_int_equal(A.port.rx_frames, 0);

	/* And after a fresh start, frames arrive again. */
	drv_start(&dA, &A.dev, 0, F_BASE);
	uint16_t h = rx_post(&dA, 0x800);
	net_forward(&U.port, f, 100);
	assert_rx(&dA, 0, h, f, 100);
}

/* ================================= switch ================================= */

/* Known unicast goes to the one port behind the address (a guest's own,
 * or one learned behind an uplink), unknown unicast floods the segment,
 * a frame to the sender's own address goes nowhere, and nothing crosses
 * into another segment.
 * proves: NET-5 */
static void test_switch_unicast(void **state)
{
	uint8_t f[NET_MAX_FRAME];
	(void)state;

	net_forward(&U.port, f, mkframe(f, BCAST, X, 60, 1)); /* X learned behind U */
	assert_int_equal(got(&A), 1);
	assert_int_equal(got(&B), 1);
	rec_clear();

	tx(&dA, f, mkframe(f, X, MAC_A, 60, 2)); /* to U only */
	assert_int_equal(U.n, 1);
	assert_memory_equal(U.f[0], f, 60);
	assert_int_equal(got(&B), 1);

	tx(&dB, f, mkframe(f, MAC_A, MAC_B, 60, 3)); /* to A only */
	assert_int_equal(got(&A), 2);
	assert_int_equal(U.n, 1);

	net_forward(&U.port, f, mkframe(f, MAC_B, X, 60, 4)); /* to B only */
	assert_int_equal(got(&B), 2);
	assert_int_equal(got(&A), 2);

	tx(&dA, f, mkframe(f, UNKNOWN, MAC_A, 60, 5)); /* floods */
	assert_int_equal(U.n, 2);
	assert_int_equal(got(&B), 3);
	assert_int_equal(got(&A), 2);

	net_forward(&U.port, f, mkframe(f, UNKNOWN, X, 60, 6));
	assert_int_equal(got(&A), 3);
	assert_int_equal(got(&B), 4);
	assert_int_equal(U.n, 2);

	tx(&dA, f, mkframe(f, MAC_A, MAC_A, 60, 7)); /* to itself: nowhere */
	assert_int_equal(got(&A), 3);
	assert_int_equal(got(&B), 4);
	assert_int_equal(U.n, 2);

	/* C's address is on segment 1: unknown on segment 0, flooded there. */
	tx(&dA, f, mkframe(f, MAC_C, MAC_A, 60, 8));
	assert_int_equal(got(&B), 5);
	assert_int_equal(U.n, 3);

	/* Learning is per segment: X is unknown on segment 1. */
	net_forward(&V.port, f, mkframe(f, X, MAC_C, 60, 9));
	assert_int_equal(got(&C), 1);
	assert_int_equal(U.n, 3);

	assert_int_equal(got(&C), 1);
	assert_int_equal(V.n, 0);
	assert_int_equal(W1.n + W2.n + W3.n, 0);
}

/* Broadcast and multicast reach every other port of the sender's segment,
 * never the sender, never another segment.
 * proves: NET-5 */
static void test_switch_flood(void **state)
{
	uint8_t f[NET_MAX_FRAME];
	(void)state;

	tx(&dA, f, mkframe(f, BCAST, MAC_A, 60, 1));
	assert_int_equal(got(&B), 1);
	assert_int_equal(U.n, 1);
	assert_int_equal(got(&A), 0);

	net_forward(&U.port, f, mkframe(f, MCAST, X, 60, 2));
	assert_int_equal(got(&A), 1);
	assert_int_equal(got(&B), 2);
	assert_int_equal(U.n, 1);

	tx(&dB, f, mkframe(f, MCAST, MAC_B, 60, 3));
	assert_int_equal(got(&A), 2);
	assert_int_equal(U.n, 2);
	assert_int_equal(got(&B), 2);

	tx(&dC, f, mkframe(f, BCAST, MAC_C, 60, 4));
	assert_int_equal(V.n, 1);
	net_forward(&V.port, f, mkframe(f, BCAST, X, 60, 5));
	assert_int_equal(got(&C), 1);

	net_forward(&W1.port, f, mkframe(f, BCAST, X, 60, 6));
	assert_int_equal(W2.n, 1);
	assert_int_equal(W3.n, 1);
	assert_int_equal(W1.n, 0);

	assert_int_equal(got(&A), 2);
	assert_int_equal(got(&B), 2);
	assert_int_equal(got(&C), 1);
	assert_int_equal(U.n, 2);
	assert_int_equal(V.n, 1);
}

/* A guest's address is pinned: an uplink sending with it as the source
 * does not move it, and many learned addresses never push it out.
 * proves: NET-5, NET-7 */
static void test_switch_pinned(void **state)
{
	uint8_t f[NET_MAX_FRAME];
	(void)state;

	net_forward(&U.port, f, mkframe(f, BCAST, MAC_A, 60, 1));
	net_forward(&U.port, f, mkframe(f, UNKNOWN, MAC_B, 60, 2));
	for (unsigned i = 0; i < 2 * NET_FDB_SIZE; i++) {
		uint8_t src[6] = { 0x02, 0xcc, 0, 0, (uint8_t)(i >> 8), (uint8_t)i };
		net_forward(&U.port, f, mkframe(f, BCAST, src, 60, 3));
	}
	rec_clear();
	uint64_t a = got(&A), b = got(&B);

	tx(&dB, f, mkframe(f, MAC_A, MAC_B, 60, 4));
	assert_int_equal(got(&A), a + 1);
	assert_int_equal(U.n, 0);
	tx(&dA, f, mkframe(f, MAC_B, MAC_A, 60, 5));
	assert_int_equal(got(&B), b + 1);
	assert_int_equal(U.n, 0);
	net_forward(&U.port, f, mkframe(f, MAC_A, X, 60, 6));
	assert_int_equal(got(&A), a + 2);
	assert_int_equal(got(&B), b + 1);
}

/* The learning table holds NET_FDB_SIZE addresses; a new one replaces the
 * least recently used learned one (a lookup counts as a use), and an
 * address seen behind another port moves there.
 * proves: NET-5 */
static void test_switch_lru(void **state)
{
	uint8_t f[NET_MAX_FRAME], n[6] = { 0x02, 0xdd, 0, 0, 0, 1 }, m[NET_FDB_SIZE][6];
	(void)state;

	for (unsigned i = 0; i < NET_FDB_SIZE; i++)
		memcpy(m[i], (uint8_t[6]){ 0x02, 0xee, 0, 0, 0, (uint8_t)i }, 6);

	net_forward(&W2.port, f, mkframe(f, BCAST, n, 60, 1)); /* n behind W2 */
	for (unsigned i = 0; i + 1 < NET_FDB_SIZE; i++)        /* the table full */
		net_forward(&W1.port, f, mkframe(f, BCAST, m[i], 60, 2));
	rec_clear();
	net_forward(&W2.port, f, mkframe(f, m[0], n, 60, 3)); /* m[0] used */
	assert_int_equal(W1.n, 1);
	assert_int_equal(W3.n, 0);
	/* A new address: m[1] is now the least recently used. */
	net_forward(&W1.port, f, mkframe(f, BCAST, m[NET_FDB_SIZE - 1], 60, 4));
	rec_clear();

	net_forward(&W2.port, f, mkframe(f, m[1], n, 60, 5)); /* forgotten: floods */
	assert_int_equal(W1.n, 1);
	assert_int_equal(W3.n, 1);
	rec_clear();
	net_forward(&W2.port, f, mkframe(f, m[0], n, 60, 6));
	net_forward(&W2.port, f, mkframe(f, m[2], n, 60, 7));
	net_forward(&W2.port, f, mkframe(f, m[NET_FDB_SIZE - 1], n, 60, 8));
	assert_int_equal(W1.n, 3);
	assert_int_equal(W3.n, 0);

	/* m[2] moves behind W3. */
	rec_clear();
	net_forward(&W3.port, f, mkframe(f, n, m[2], 60, 9));
	assert_int_equal(W2.n, 1); /* n is known: W2 only */
	assert_int_equal(W1.n, 0);
	net_forward(&W2.port, f, mkframe(f, m[2], n, 60, 10));
	assert_int_equal(W3.n, 1);
	assert_int_equal(W1.n, 0);
}

/* Frames shorter than an Ethernet header or longer than NET_MAX_FRAME go
 * nowhere; a port cannot join a segment that does not exist or is full.
 * proves: NET-5 */
static void test_switch_limits(void **state)
{
	static uint8_t f[NET_MAX_FRAME + 1];
	static struct rec extra[NET_MAX_PORTS];
	struct net_port p = { .name = "late", .guest = false, .rx = rec_rx };
	(void)state;

	mkframe(f, BCAST, X, sizeof(f), 1);
	net_forward(&W1.port, f, NET_HDR_ETH - 1);
	net_forward(&W1.port, f, NET_MAX_FRAME + 1);
	assert_int_equal(W2.n + W3.n, 0);
	assert_int_equal(W1.port.tx_frames, 0);
	net_forward(&W1.port, f, NET_HDR_ETH);
	net_forward(&W1.port, f, NET_MAX_FRAME);
	assert_int_equal(W2.n, 2);
	assert_int_equal(W3.n, 2);
	assert_int_equal(W1.port.tx_frames, 2);

	assert_int_equal(net_port_attach(&p, 3), -1);
	assert_int_equal(net_port_attach(&p, CFG_MAX_SEGMENTS), -1);
	for (unsigned i = 3; i < NET_MAX_PORTS; i++)
		rec_init(&extra[i], "extra", 2);
	assert_int_equal(net_port_attach(&p, 2), -1);
	/* A full segment still floods to all of its ports. */
	net_forward(&W1.port, f, mkframe(f, BCAST, X, 60, 2));
	for (unsigned i = 3; i < NET_MAX_PORTS; i++)
		assert_int_equal(extra[i].n, 1);
}

/* ============================== control queue ============================= */

/* MAC_ADDR_SET where the partition file allows it: acknowledged OK, the
 * config space shows the new address, frames to it reach A alone, the old
 * one is no longer A's (it floods), and A may send only from the new one.
 * proves: NET-8 */
static void test_ctrl_mac_allowed(void **state)
{
	uint8_t f[NET_MAX_FRAME], mac[6];
	uint32_t gen = rd(&A.dev, CONFIG_GEN);
	(void)state;

	assert_int_equal(set_mac(&dA, NEWMAC), ACK_OK);
	assert_memory_equal(A.port.mac, NEWMAC, 6);
	cfg_mac(&A.dev, mac);
	assert_memory_equal(mac, NEWMAC, 6);
	assert_int_not_equal(rd(&A.dev, CONFIG_GEN), gen);
	assert_int_equal(A.ctrl_refused, 0);

	net_forward(&U.port, f, mkframe(f, NEWMAC, X, 60, 1));
	assert_int_equal(got(&A), 1);
	assert_int_equal(got(&B), 0);
	net_forward(&U.port, f, mkframe(f, MAC_A, X, 60, 2)); /* unknown now */
	assert_int_equal(got(&A), 2);
	assert_int_equal(got(&B), 1);
	tx(&dB, f, mkframe(f, NEWMAC, MAC_B, 60, 3));
	assert_int_equal(got(&A), 3);
	assert_int_equal(U.n, 0);

	tx(&dA, f, mkframe(f, BCAST, NEWMAC, 60, 4));
	assert_int_equal(U.n, 1);
	tx(&dA, f, mkframe(f, BCAST, MAC_A, 60, 5));
	assert_int_equal(U.n, 1);
	assert_int_equal(A.tx_dropped, 1);

	/* The same again: fine. Multicast or zero: refused, nothing changes. */
	assert_int_equal(set_mac(&dA, NEWMAC), ACK_OK);
	assert_int_equal(set_mac(&dA, MCAST), ACK_ERR);
	assert_int_equal(set_mac(&dA, (uint8_t[6]){ 0 }), ACK_ERR);
	assert_memory_equal(A.port.mac, NEWMAC, 6);
	/* Back to the configured one. */
	assert_int_equal(set_mac(&dA, MAC_A), ACK_OK);
	rec_clear();
	tx(&dB, f, mkframe(f, MAC_A, MAC_B, 60, 6));
	assert_int_equal(got(&A), 4);
	assert_int_equal(U.n, 0);
}

/* Where the partition file denies it: acknowledged ERR, the address, the
 * config space and the switch unchanged, the refusal logged once.
 * proves: NET-8 */
static void test_ctrl_mac_denied(void **state)
{
	uint8_t f[NET_MAX_FRAME], mac[6];
	uint32_t gen = rd(&C.dev, CONFIG_GEN);
	const char *first;
	(void)state;

	assert_int_equal(set_mac(&dC, NEWMAC), ACK_ERR);
	assert_memory_equal(C.port.mac, MAC_C, 6);
	cfg_mac(&C.dev, mac);
	assert_memory_equal(mac, MAC_C, 6);
	assert_int_equal(rd(&C.dev, CONFIG_GEN), gen);
	assert_int_equal(C.ctrl_refused, 1);
	assert_int_equal(set_mac(&dC, NEWMAC), ACK_ERR);
	assert_int_equal(C.ctrl_refused, 2);
	first = strstr(fake_console, "c/virtio-net: MAC change refused");
	assert_non_null(first);
	assert_null(strstr(first + strlen("c/virtio-net: MAC change refused"), "MAC change refused"));

	tx(&dC, f, mkframe(f, BCAST, NEWMAC, 60, 1));
	assert_int_equal(V.n, 0);
	assert_int_equal(C.tx_dropped, 1);
	tx(&dC, f, mkframe(f, BCAST, MAC_C, 60, 2));
	assert_int_equal(V.n, 1);
	net_forward(&V.port, f, mkframe(f, MAC_C, X, 60, 3));
	assert_int_equal(got(&C), 1);
}

/* Even where allowed, a partition cannot take another guest port's
 * address, neither the one it has now nor the one its partition file
 * gives it (which its reset restores).
 * proves: NET-8, NET-5 */
static void test_ctrl_mac_of_another(void **state)
{
	uint8_t f[NET_MAX_FRAME], mac[6];
	static const uint8_t other[6] = { 0x02, 0x77, 0, 0, 0, 7 };
	(void)state;

	assert_int_equal(set_mac(&dA, MAC_B), ACK_ERR);
	assert_memory_equal(A.port.mac, MAC_A, 6);
	cfg_mac(&A.dev, mac);
	assert_memory_equal(mac, MAC_A, 6);
	net_forward(&U.port, f, mkframe(f, MAC_B, X, 60, 1));
	assert_int_equal(got(&B), 1);
	assert_int_equal(got(&A), 0);

	/* B moves away from its configured address: A still cannot take it,
	 * nor B's new one. */
	assert_int_equal(set_mac(&dB, other), ACK_OK);
	assert_int_equal(set_mac(&dA, MAC_B), ACK_ERR);
	assert_int_equal(set_mac(&dA, other), ACK_ERR);
	assert_memory_equal(A.port.mac, MAC_A, 6);
	/* B's reset gives it its own address back. */
	drv_start(&dB, &B.dev, 1, F_BASE);
	assert_memory_equal(B.port.mac, MAC_B, 6);
	net_forward(&U.port, f, mkframe(f, MAC_B, X, 60, 2));
	assert_int_equal(got(&B), 2);
	assert_int_equal(got(&A), 0);

	/* A partition on another segment may use the same address. */
	assert_int_equal(set_mac(&dB, other), ACK_OK);
	C.mac_change = true;
	assert_int_equal(set_mac(&dC, other), ACK_OK);
	C.mac_change = false;

	/* An address only learned behind the uplink: the guest takes it. */
	net_forward(&U.port, f, mkframe(f, BCAST, X, 60, 3));
	assert_int_equal(set_mac(&dA, X), ACK_OK);
	rec_clear();
	tx(&dB, f, mkframe(f, X, other, 60, 4));
	assert_int_equal(U.n, 0);
	assert_int_equal(got(&A), 2);
}

/* Other commands are answered ERR; a command without class and command,
 * or without a byte for the ack, puts the device in NEEDS_RESET.
 * proves: NET-8 */
static void test_ctrl_unknown_and_malformed(void **state)
{
	static const uint8_t one[1] = { 1 }, table[8] = { 0 }, seven[7] = { 2, 0, 0, 0, 0, 0, 9 };
	uint16_t i;
	(void)state;

	assert_int_equal(ctrl(&dA, CLASS_RX, 0, one, 1), ACK_ERR); /* promiscuous */
	assert_int_equal(ctrl(&dA, CLASS_MAC, MAC_TABLE_SET, table, 8), ACK_ERR);
	assert_int_equal(ctrl(&dA, 9, 1, NEWMAC, 6), ACK_ERR);
	assert_int_equal(ctrl(&dA, CLASS_MAC, MAC_ADDR_SET, NEWMAC, 5), ACK_ERR);
	assert_int_equal(ctrl(&dA, CLASS_MAC, MAC_ADDR_SET, seven, 7), ACK_ERR);
	assert_memory_equal(A.port.mac, MAC_A, 6);
	assert_false(rd(&A.dev, STATUS) & S_NEEDS_RESET);

	/* No ack byte: nothing returned, NEEDS_RESET. */
	i = alloc_desc(&dA, CTRLQ, 2);
	memcpy(gp(ctlbuf(&dA, i)), (uint8_t[8]){ CLASS_MAC, MAC_ADDR_SET, 2, 1, 2, 3, 4, 5 }, 8);
	setd(&dA, CTRLQ, i, ctlbuf(&dA, i), 8, 0, 0);
	post(&dA, CTRLQ, i);
	kick(&dA, CTRLQ);
	assert_true(rd(&A.dev, STATUS) & S_NEEDS_RESET);
	assert_int_equal(used_idx(&dA, CTRLQ), 5);
	assert_memory_equal(A.port.mac, MAC_A, 6);

	/* One readable byte and an ack: the same. */
	drv_start(&dA, &A.dev, 0, F_BASE);
	*(uint8_t *)gp(ctlbuf(&dA, 1)) = 0xee;
	setd(&dA, CTRLQ, 0, ctlbuf(&dA, 0), 1, D_NEXT, 1);
	setd(&dA, CTRLQ, 1, ctlbuf(&dA, 1), 1, D_WRITE, 0);
	post(&dA, CTRLQ, 0);
	kick(&dA, CTRLQ);
	assert_true(rd(&A.dev, STATUS) & S_NEEDS_RESET);
	assert_int_equal(used_idx(&dA, CTRLQ), 0);
	assert_int_equal(*(uint8_t *)gp(ctlbuf(&dA, 1)), 0xee);

	/* After a reset the device works again. */
	drv_start(&dA, &A.dev, 0, F_BASE);
	assert_int_equal(set_mac(&dA, NEWMAC), ACK_OK);
}

/* A reset (driver reload, partition restart) brings back the address of
 * the partition file, in the config space and in the switch.
 * proves: NET-7, NET-8 */
static void test_reset_restores_mac(void **state)
{
	uint8_t f[NET_MAX_FRAME], mac[6];
	(void)state;

	assert_int_equal(set_mac(&dA, NEWMAC), ACK_OK);
	wr(&A.dev, STATUS, 0);
	assert_memory_equal(A.port.mac, MAC_A, 6);
	cfg_mac(&A.dev, mac);
	assert_memory_equal(mac, MAC_A, 6);
	drv_start(&dA, &A.dev, 0, F_BASE);
	cfg_mac(&A.dev, mac);
	assert_memory_equal(mac, MAC_A, 6);
	net_forward(&U.port, f, mkframe(f, MAC_A, X, 60, 1));
	assert_int_equal(got(&A), 1);
	assert_int_equal(got(&B), 0);
	net_forward(&U.port, f, mkframe(f, NEWMAC, X, 60, 2)); /* nobody's now */
	assert_int_equal(got(&A), 2);
	assert_int_equal(got(&B), 1);
	tx(&dA, f, mkframe(f, BCAST, MAC_A, 60, 3));
	assert_int_equal(U.n, 1);

	/* The partition restart path. */
	assert_int_equal(set_mac(&dA, NEWMAC), ACK_OK);
	virtio_dev_reset(&A.dev);
	assert_memory_equal(A.port.mac, MAC_A, 6);
	cfg_mac(&A.dev, mac);
	assert_memory_equal(mac, MAC_A, 6);
	assert_false(spin_is_locked(&A.dev.lock));
}

/* ================================= locking ================================ */

/* A sends; the uplink's receive makes B transmit (as another CPU could at
 * that moment); B's frame reaches A while A is inside its own transmit.
 * Neither device's lock is held while the switch delivers, so neither
 * waits on the other; every chain is returned.
 * proves: NET-5 */
static void test_no_lock_while_delivering(void **state)
{
	uint8_t f[NET_MAX_FRAME], g[NET_MAX_FRAME];
	uint16_t h;
	(void)state;

	h = rx_post(&dA, 0x800);
	mkframe(g, BCAST, MAC_B, 80, 2);
	tx_post(&dB, g, 80, false);
	U.reflect = &dB;
	tx(&dA, f, mkframe(f, BCAST, MAC_A, 70, 1));
	assert_null(U.reflect);
	assert_int_equal(U.n, 2);        /* A's, then B's from inside it */
	assert_int_equal(U.len[0], 70);
	assert_int_equal(U.len[1], 80);
	assert_rx(&dA, 0, h, g, 80);     /* B's frame in A */
	assert_int_equal(got(&B), 1);    /* A's frame at B (no buffer: dropped) */
	assert_int_equal(used_idx(&dB, TXQ), 1);
	assert_false(spin_is_locked(&A.dev.lock));
	assert_false(spin_is_locked(&B.dev.lock));
	assert_true(lock_checks >= 2);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	static const struct CMUnitTest tests[] = {
		T(test_identity_features_config),
		T(test_tx_to_switch),
		T(test_tx_size_limits),
		T(test_tx_spoofed_source),
		T(test_rx_single_buffer),
		T(test_rx_mergeable),
		T(test_rx_mergeable_short),
		T(test_rx_small_buffer_kept),
		T(test_rx_queue_full),
		T(test_rx_driver_not_ready),
		T(test_switch_unicast),
		T(test_switch_flood),
		T(test_switch_pinned),
		T(test_switch_lru),
		T(test_switch_limits),
		T(test_ctrl_mac_allowed),
		T(test_ctrl_mac_denied),
		T(test_ctrl_mac_of_another),
		T(test_ctrl_unknown_and_malformed),
		T(test_reset_restores_mac),
		T(test_no_lock_while_delivering),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
