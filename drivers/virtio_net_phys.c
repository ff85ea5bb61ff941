/* The hypervisor's own driver for a physical virtio-net (virtio-mmio
 * version 2; on QEMU `-netdev user,id=n0 -device virtio-net-device,netdev=n0`
 * with `-global virtio-mmio.force-legacy=false`): a segment's uplink port
 * on the switch. Receive and transmit complete by interrupt.
 *
 * No offloads are negotiated: every frame is at most NET_MAX_FRAME. Receive
 * buffers and transmit slots are the hypervisor's own; a frame is copied
 * once each way. What the device returns is checked (ids, lengths).
 * Lock order: lock is a leaf: the switch is called without it. */
#include <arch/sysreg.h>
#include <drivers/drivers.h>
#include <drivers/virtio_drv.h>
#include <hv/arch.h>
#include <hv/config.h>
#include <hv/log.h>
#include <hv/netswitch.h>
#include <stdio.h>
#include <string.h>
#include <vdev/virtio_net.h>

#define NQ 32           /* entries per queue */
#define BUF 2048        /* header and one frame */
#define NET_PHYS_MAX CFG_MAX_UPLINKS

struct ring {
	struct virtq_desc desc[NQ] __attribute__((aligned(16)));
	struct { uint16_t flags, idx, ring[NQ], used_event; } avail __attribute__((aligned(2)));
	struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[NQ]; uint16_t avail_event; }
		used __attribute__((aligned(4)));
	uint16_t last_used;
};

struct nic {
	struct net_port port;
	struct vdrv dev;
	spinlock_t lock;
	bool failed, warned;
	struct ring rx, tx;
	bool tx_busy[NQ];
	uint64_t rx_errors;
	char name[24];
	/* Last: frame buffers, written before they are read (never cleared). */
	uint8_t rxbuf[NQ][BUF] __attribute__((aligned(64)));
	uint8_t txbuf[NQ][BUF] __attribute__((aligned(64)));
};

/* Not cleared at boot (HV_NOINIT): net_phys_open() clears a NIC's state,
 * up to its buffers, the first time it is opened. */
static struct nic nics[NET_PHYS_MAX] HV_NOINIT;
static bool nic_cleared[NET_PHYS_MAX];

static void notify(struct nic *p, unsigned q, struct ring *r)
{
	dsb(sy); /* ring entries and index before the device looks */
	if (!(*(volatile uint16_t *)&r->used.flags & 1))
		vdrv_wr(&p->dev, VDRV_QUEUE_NOTIFY, q);
}

/* Give receive buffer i to the device (lock held). */
static void rx_post(struct nic *p, uint16_t i)
{
	p->rx.desc[i] = (struct virtq_desc){ arch_virt_to_phys(p->rxbuf[i]), BUF,
					     VIRTQ_DESC_F_WRITE, 0 };
	p->rx.avail.ring[p->rx.avail.idx % NQ] = i;
	dsb(sy);
	*(volatile uint16_t *)&p->rx.avail.idx = (uint16_t)(p->rx.avail.idx + 1);
}

/* Transmit slots the device has finished with (lock held). */
static void tx_reclaim(struct nic *p)
{
	uint16_t end = *(volatile uint16_t *)&p->tx.used.idx;

	dsb(sy);
	for (unsigned k = 0; p->tx.last_used != end && k < NQ; k++) {
		uint32_t id = p->tx.used.ring[p->tx.last_used % NQ].id;
		p->tx.last_used++;
		if (id < NQ)
			p->tx_busy[id] = false;
	}
}

/* A frame from the segment to the wire: dropped when every slot is busy. */
static void nic_tx(struct net_port *port, const uint8_t *frame, size_t len)
{
	struct nic *p = port->ctx;
	unsigned i;

	spin_lock(&p->lock);
	tx_reclaim(p);
	for (i = 0; i < NQ && p->tx_busy[i]; i++)
		;
	if (p->failed || i == NQ || len + VNET_HDR_LEN > BUF) {
		port->rx_dropped++;
		spin_unlock(&p->lock);
		return;
	}
	p->tx_busy[i] = true;
	memset(p->txbuf[i], 0, VNET_HDR_LEN);
	memcpy(p->txbuf[i] + VNET_HDR_LEN, frame, len);
	p->tx.desc[i] = (struct virtq_desc){ arch_virt_to_phys(p->txbuf[i]),
					     (uint32_t)(VNET_HDR_LEN + len), 0, 0 };
	p->tx.avail.ring[p->tx.avail.idx % NQ] = (uint16_t)i;
	dsb(sy);
	*(volatile uint16_t *)&p->tx.avail.idx = (uint16_t)(p->tx.avail.idx + 1);
	notify(p, 1, &p->tx);
	spin_unlock(&p->lock);
}

/* Received frames to the segment, each handed over with no lock held (the
 * buffer is the hypervisor's until it is posted again). At most a queue's
 * worth per interrupt. */
static void nic_irq(void *ctx)
{
	struct nic *p = ctx;
	uint32_t isr = vdrv_rd(&p->dev, VDRV_INT_STATUS);
	uint16_t end;

	vdrv_wr(&p->dev, VDRV_INT_ACK, isr);
	dsb(sy);
	if ((isr & 2) && (vdrv_rd(&p->dev, VDRV_STATUS) & 64) && !p->failed) {
		p->failed = true;
		ERR("%s: the device needs a reset; the uplink is down", p->name);
	}
	spin_lock(&p->lock);
	tx_reclaim(p);
	end = *(volatile uint16_t *)&p->rx.used.idx;
	dsb(sy);
	for (unsigned k = 0; !p->failed && p->rx.last_used != end && k < NQ; k++) {
		uint32_t id = p->rx.used.ring[p->rx.last_used % NQ].id;
		uint32_t len = p->rx.used.ring[p->rx.last_used % NQ].len;
		p->rx.last_used++;
		if (id >= NQ) {
			p->rx_errors++;
			continue;
		}
		spin_unlock(&p->lock);
		if (len > VNET_HDR_LEN && len <= BUF)
			net_forward(&p->port, p->rxbuf[id] + VNET_HDR_LEN, len - VNET_HDR_LEN);
		else
			p->rx_errors++;
		spin_lock(&p->lock);
		rx_post(p, (uint16_t)id);
	}
	notify(p, 0, &p->rx);
	spin_unlock(&p->lock);
}

struct net_port *net_phys_open(unsigned index)
{
	struct nic *p;

	if (index >= NET_PHYS_MAX)
		return NULL;
	p = &nics[index];
	if (!nic_cleared[index]) {
		memset(p, 0, offsetof(struct nic, rxbuf));
		nic_cleared[index] = true;
	}
	if (p->port.rx)
		return &p->port;
	if (!vdrv_find(&p->dev, 1, index))
		return NULL;
	snprintf(p->name, sizeof(p->name), "virtio-net@%lx", VDRV_ADDR(p->dev.slot));
	if (!vdrv_negotiate(&p->dev, 0, 0) ||
	    !vdrv_queue(&p->dev, 0, NQ, p->rx.desc, &p->rx.avail, &p->rx.used) ||
	    !vdrv_queue(&p->dev, 1, NQ, p->tx.desc, &p->tx.avail, &p->tx.used)) {
		vdrv_fail(&p->dev);
		ERR("%s: no modern virtio-net, or its queues were refused", p->name);
		return NULL;
	}
	for (uint16_t i = 0; i < NQ; i++)
		rx_post(p, i);
	p->port = (struct net_port){ .name = p->name, .guest = false, .rx = nic_tx, .ctx = p };
	hv_irq_register(VDRV_INTID(p->dev.slot), nic_irq, p);
	vdrv_driver_ok(&p->dev);
	notify(p, 0, &p->rx);
	INFO("%s: uplink, %u receive buffers", p->name, NQ);
	return &p->port;
}
