/* virtio-net: see include/vdev/virtio_net.h. */
#include <hv/config_schema.h>
#include <hv/log.h>
#include <hv/vdev.h>
#include <libfdt.h>
#include <string.h>
#include <vdev/virtio_net.h>

#define RX_MAX_BUFS 8 /* mergeable buffers for one frame */
#define CTRL_CLASS_MAC 1
#define CTRL_MAC_ADDR_SET 1
#define CTRL_OK 0
#define CTRL_ERR 1

/* The largest frame a port takes or sends: its MTU, the Ethernet header
 * and one VLAN tag. */
static size_t max_frame(const struct virtio_net *n)
{
	return (size_t)n->mtu + NET_HDR_ETH + 4;
}

/* Write src[0..len) into the chain's writable bytes from offset off. */
static size_t chain_put(const struct vq_chain *c, size_t off, const uint8_t *src, size_t len)
{
	size_t done = 0;

	for (unsigned i = c->nr; i < c->nr + c->nw && done < len; i++) {
		size_t n;
		if (off >= c->seg[i].len) {
			off -= c->seg[i].len;
			continue;
		}
		n = c->seg[i].len - off < len - done ? c->seg[i].len - off : len - done;
		memcpy(c->seg[i].p + off, src + done, n);
		done += n;
		off = 0;
	}
	return done;
}

/* Where the chain's writable byte at offset off is (NULL if none). */
static uint8_t *chain_at(const struct vq_chain *c, size_t off)
{
	for (unsigned i = c->nr; i < c->nr + c->nw; i++) {
		if (off < c->seg[i].len)
			return c->seg[i].p + off;
		off -= c->seg[i].len;
	}
	return NULL;
}

/* A frame from the switch into the guest's receive queue: header and
 * frame over as many buffers as it takes (mergeable buffers), or dropped
 * when the queue has not enough room. Never waits. */
static void vnet_rx(struct net_port *port, const uint8_t *frame, size_t len)
{
	struct virtio_net *n = port->ctx;
	struct virtio_dev *d = &n->dev;
	uint8_t hdr[VNET_HDR_LEN] = { 0 };
	uint16_t heads[RX_MAX_BUFS];
	uint32_t lens[RX_MAX_BUFS];
	uint8_t *nbuf[2] = { NULL, NULL }; /* num_buffers, in the first buffer */
	size_t total = VNET_HDR_LEN + len, done = 0;
	unsigned nb = 0, max;
	struct vq_chain c;
	int r = 0;

	spin_lock(&d->lock);
	if (!virtio_driver_ok(d) || !d->vq[VNET_RXQ].ready || len > max_frame(n))
		goto drop;
	max = virtio_has(d, VIRTIO_NET_F_MRG_RXBUF) ? RX_MAX_BUFS : 1;
	while (done < total) {
		size_t w = 0;
		if (nb == max || (r = vq_pop_any(d, VNET_RXQ, &c)) <= 0)
			goto unpop;
		if (r == VQ_DENIED) {
			/* A buffer its IOMMU refused: the frame is dropped, the
			 * buffers taken for it go back empty. */
			for (unsigned i = 0; i < nb; i++)
				vq_push(d, VNET_RXQ, heads[i], 0);
			vq_push(d, VNET_RXQ, c.head, 0);
			goto drop;
		}
		if (done < VNET_HDR_LEN) { /* the first buffer: the header first */
			w = chain_put(&c, 0, hdr, VNET_HDR_LEN);
			if (w < VNET_HDR_LEN) { /* no room for the header: not a buffer */
				nb++;
				heads[nb - 1] = c.head;
				goto unpop;
			}
			nbuf[0] = chain_at(&c, 10);
			nbuf[1] = chain_at(&c, 11);
		}
		w += chain_put(&c, w, frame + (done + w - VNET_HDR_LEN), total - done - w);
		heads[nb] = c.head;
		lens[nb++] = (uint32_t)w;
		done += w;
	}
	*nbuf[0] = (uint8_t)nb; /* little-endian num_buffers */
	*nbuf[1] = 0;
	for (unsigned i = 0; i < nb; i++)
		vq_push(d, VNET_RXQ, heads[i], lens[i]);
	port->rx_frames++;
	spin_unlock(&d->lock);
	return;
unpop:
	if (r >= 0) /* not a malformed ring (that one needs a reset anyway) */
		vq_unpop(d, VNET_RXQ, nb);
drop:
	n->rx_dropped++;
	port->rx_dropped++;
	spin_unlock(&d->lock);
}

/* Transmit: each frame copied out of the guest's buffers, checked (size,
 * source address), returned to the guest, and only then handed to the
 * switch, with the device's lock dropped: the switch delivers into other
 * devices, and two partitions sending to each other must not wait on each
 * other's locks. At most a queue's worth per notify. */
static void vnet_tx(struct virtio_net *n)
{
	struct virtio_dev *d = &n->dev;
	uint8_t pkt[VNET_HDR_LEN + NET_MAX_FRAME];
	unsigned budget = d->vq[VNET_TXQ].num;
	struct vq_chain c;

	for (unsigned k = 0; k < budget; k++) {
		size_t len;
		bool ok;
		int r;
		if (!virtio_driver_ok(d) || !d->vq[VNET_TXQ].ready || (r = vq_pop_any(d, VNET_TXQ, &c)) <= 0)
			return;
		if (r == VQ_DENIED) { /* a buffer its IOMMU refused: the frame is dropped */
			vq_push(d, VNET_TXQ, c.head, 0);
			n->tx_dropped++;
			continue;
		}
		len = c.rlen > VNET_HDR_LEN ? c.rlen - VNET_HDR_LEN : 0;
		ok = len >= NET_HDR_ETH && len <= max_frame(n);
		if (ok) {
			vq_read(&c, pkt, VNET_HDR_LEN + len);
			/* Only its own address as the source: no partition can
			 * pose as another, or fill the switch's table. */
			ok = memcmp(pkt + VNET_HDR_LEN + 6, n->port.mac, 6) == 0;
		}
		vq_push(d, VNET_TXQ, c.head, 0);
		if (!ok) {
			n->tx_dropped++;
			continue;
		}
		spin_unlock(&d->lock);
		net_forward(&n->port, pkt + VNET_HDR_LEN, len);
		spin_lock(&d->lock);
	}
}

/* The control queue: only VIRTIO_NET_CTRL_MAC_ADDR_SET is offered; the
 * partition file decides whether it is applied. */
static void vnet_ctrl(struct virtio_net *n)
{
	struct virtio_dev *d = &n->dev;
	struct vq_chain c;

	for (unsigned k = 0; k < d->vq[VNET_CTRLQ].num && vq_pop(d, VNET_CTRLQ, &c) > 0; k++) {
		uint8_t cmd[2 + 6], ack = CTRL_ERR;
		if (c.nw == 0 || c.rlen < 2) {
			virtio_needs_reset(d, "control command without class, command or ack byte");
			return;
		}
		vq_read(&c, cmd, sizeof(cmd));
		if (cmd[0] == CTRL_CLASS_MAC && cmd[1] == CTRL_MAC_ADDR_SET && c.rlen == sizeof(cmd)) {
			static const uint8_t zero[6];
			bool ok = n->mac_change && !net_mac_multicast(cmd + 2) &&
				  memcmp(cmd + 2, zero, 6) != 0;
			if (ok) { /* the switch refuses another guest port's address */
				net_port_set_mac(&n->port, cmd + 2);
				ok = memcmp(n->port.mac, cmd + 2, 6) == 0;
			}
			if (ok) {
				/* config space shows it before the command is used
				 * ([VIRTIO] 5.1.6.5.2) */
				d->config_gen++;
				ack = CTRL_OK;
			} else if (n->ctrl_refused++ == 0) {
				WARN("%s: MAC change refused (%s)", d->name,
				     n->mac_change ? "not a unicast address of its own"
						   : "the partition file does not allow it");
			}
		}
		vq_write(&c, &ack, 1);
		vq_push(d, VNET_CTRLQ, c.head, 1);
	}
}

static void vnet_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_net *n = d->priv;

	if (q == VNET_TXQ)
		vnet_tx(n);
	else if (q == VNET_CTRLQ)
		vnet_ctrl(n);
	/* VNET_RXQ: new buffers; frames are never held back, so nothing to do */
}

static uint64_t vnet_config_read(struct virtio_dev *d, uint32_t off, unsigned w)
{
	struct virtio_net *n = d->priv;
	uint8_t cf[VNET_CONFIG_SIZE];
	uint64_t v = 0;

	memcpy(cf, n->port.mac, 6); /* as MAC_ADDR_SET left it ([VIRTIO] 5.1.6.5.2) */
	cf[6] = 1; /* status: VIRTIO_NET_S_LINK_UP */
	cf[7] = 0;
	cf[8] = 1; /* max_virtqueue_pairs */
	cf[9] = 0;
	cf[10] = (uint8_t)n->mtu;
	cf[11] = (uint8_t)(n->mtu >> 8);
	for (unsigned i = 0; i < w; i++)
		v |= (uint64_t)cf[off + i] << (8 * i);
	return v;
}

/* A reset (driver reload, partition restart): the configured address
 * again, whatever the guest set. */
static void vnet_reset(struct virtio_dev *d)
{
	struct virtio_net *n = d->priv;

	if (n && memcmp(n->port.mac, n->mac, 6) != 0) {
		net_port_set_mac(&n->port, n->mac);
		d->config_gen++;
	}
}

const struct virtio_dev_ops virtio_net_ops = {
	.device_id = 1,
	.features = BIT(VIRTIO_NET_F_MTU) | BIT(VIRTIO_NET_F_MAC) | BIT(VIRTIO_NET_F_MRG_RXBUF) |
		    BIT(VIRTIO_NET_F_STATUS) | BIT(VIRTIO_NET_F_CTRL_VQ) |
		    BIT(VIRTIO_NET_F_CTRL_MAC_ADDR),
	.nqueues = 3,
	.config_size = VNET_CONFIG_SIZE,
	.config_read = vnet_config_read,
	.notify = vnet_notify,
	.reset = vnet_reset,
};

void virtio_net_init(struct virtio_net *n, const char *name, const struct vnet_params *prm,
		     const struct dma_space *mem, const struct irq_line *irq)
{
	memset(n, 0, sizeof(*n));
	memcpy(n->mac, prm->mac, 6);
	/* The transmit buffer holds NET_MAX_FRAME: no larger MTU. */
	n->mtu = prm->mtu > NET_MAX_FRAME - NET_HDR_ETH - 4 ? NET_MAX_FRAME - NET_HDR_ETH - 4 : prm->mtu;
	n->mac_change = prm->mac_change;
	n->port = (struct net_port){ .name = name, .guest = true, .rx = vnet_rx, .ctx = n };
	memcpy(n->port.mac, prm->mac, 6);
	virtio_dev_init(&n->dev, &virtio_net_ops, n, name, mem, irq);
}

/* ---- the device type: partition file, creation ---- */

VDEV_CFG_FITS(struct net_config);
VDEV_POOL(struct virtio_net, vnet_pool, 1);
/* Every partition's port and a physical uplink fit on one segment. */
_Static_assert(CONFIG_MAX_PARTITIONS + 1 <= NET_MAX_PORTS, "ports per segment");

/* A locally administered unicast address from the partition's name, the
 * same on every boot: 02:42 and a 32-bit FNV-1a hash of the name. */
static void derive_mac(const char *name, uint8_t mac[6])
{
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	mac[0] = 0x02;
	mac[1] = 0x42;
	for (unsigned i = 0; i < 4; i++)
		mac[2 + i] = (uint8_t)(h >> (24 - 8 * i));
}

static void net_parse(struct cfg_parser *p, int node, struct part_config *pc, struct dev_config *dc)
{
	static const char *const props[] = { "segment", "mac-address", "mtu", "mac-change", NULL };
	static const char *const policies[] = { "allow", "deny", NULL };
	struct net_config *n = VDEV_CFG(struct net_config, dc);
	const uint8_t *mac;
	const fdt32_t *c;
	int len, seg;

	check_known(p, node, props, NULL);
	seg = cfg_ref(p, node, "segment", "network", cfg_segment);
	if (seg < 0)
		return;
	n->segment = (uint32_t)seg;
	mac = cfdt_getprop(p->fdt, node, "mac-address", &len);
	if (mac) {
		static const uint8_t zero[6];
		if (len != 6) {
			perr(p, node, "mac-address", "must be 6 bytes, got %d", len);
			return;
		}
		if ((mac[0] & 1) || memcmp(mac, zero, 6) == 0) {
			perr(p, node, "mac-address", "must be a unicast address, not zero");
			return;
		}
		memcpy(n->mac, mac, 6);
	} else {
		derive_mac(pc->name, n->mac);
	}
	n->mtu = CFG_NET_MTU_MAX;
	c = cfdt_getprop(p->fdt, node, "mtu", &len);
	if (c) {
		uint32_t v = len == 4 ? fdt32_to_cpu(*c) : 0;
		if (v < CFG_NET_MTU_MIN || v > CFG_NET_MTU_MAX) {
			perr(p, node, "mtu", "must be 1 cell from %d to %d", CFG_NET_MTU_MIN,
			     CFG_NET_MTU_MAX);
			return;
		}
		n->mtu = (uint16_t)v;
	}
	n->mac_change = cfg_choice(p, node, "mac-change", policies, 1) == 0;
}

/* Two ports of one segment may not share a MAC: the switch could not tell
 * them apart. */
static void net_check(struct cfg_parser *p)
{
	const struct hv_config *cfg = p->cfg;

	for (unsigned a = 0; a < cfg->nparts; a++)
		for (unsigned i = 0; i < cfg->parts[a].ndevs; i++) {
			const struct dev_config *dx = &cfg->parts[a].dev[i];
			const struct net_config *x = VDEV_CFG(const struct net_config, dx);
			if (dx->invalid || dx->type != &virtio_net_type)
				continue;
			for (unsigned b = 0; b < a; b++)
				for (unsigned j = 0; j < cfg->parts[b].ndevs; j++) {
					const struct dev_config *dy = &cfg->parts[b].dev[j];
					const struct net_config *y = VDEV_CFG(const struct net_config, dy);
					if (!dy->invalid && dy->type == &virtio_net_type && x->segment == y->segment &&
					    memcmp(x->mac, y->mac, 6) == 0)
						perr(p, dx->node, "mac-address", "the same as %s's on segment %s",
						     part_path(p, b), cfg->segment[x->segment].name);
				}
		}
}

static int net_create(struct vdev_inst *d)
{
	const struct net_config *nc = VDEV_CFG(const struct net_config, d->cfg);
	struct virtio_net *n = &vnet_pool[d->part_id][d->cfg->nth];
	struct vnet_params prm = { nc->mac, nc->mtu, nc->mac_change };

	virtio_net_init(n, d->name, &prm, d->mem, &d->irq);
	d->priv = n;
	d->vdev = &n->dev;
	if (net_port_attach(&n->port, nc->segment)) {
		vdev_refuse(d, "segment", "cannot attach to segment %u", nc->segment);
		return -1;
	}
	INFO("%s: %02x:%02x:%02x:%02x:%02x:%02x on segment %u, MTU %u, MAC change %s", d->name,
	     nc->mac[0], nc->mac[1], nc->mac[2], nc->mac[3], nc->mac[4], nc->mac[5], nc->segment,
	     nc->mtu, nc->mac_change ? "allowed" : "refused");
	return 0;
}

const struct vdev_type virtio_net_type = {
	.name = "virtio-net",
	.max = 1,
	.too_many = "a partition has at most one virtio-net",
	.size = VIRTIO_MMIO_SIZE,
	.dma = true,
	.parse = net_parse,
	.check = net_check,
	.create = net_create,
};
