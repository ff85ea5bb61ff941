#include <hv/vdev.h>
#include <string.h>
#include <vdev/virtio_console.h>

enum { RXQ = 0, TXQ = 1 };

/* d->lock held: move buffered input into the driver's receive buffers. */
static void deliver(struct virtio_console *v)
{
	struct virtio_dev *d = &v->dev;
	struct vq_chain c;

	for (unsigned k = 0; k < d->vq[RXQ].num && v->rx_count && virtio_driver_ok(d) &&
			     vq_pop(d, RXQ, &c) > 0; k++) {
		uint32_t n = 0;
		for (unsigned i = c.nr; i < c.nr + c.nw && v->rx_count; i++)
			for (uint32_t k = 0; k < c.seg[i].len && v->rx_count; k++) {
				c.seg[i].p[k] = v->rx[v->rx_head];
				v->rx_head = (v->rx_head + 1) % VCON_RX_BUF;
				v->rx_count--;
				n++;
			}
		vq_push(d, RXQ, c.head, n);
	}
}

static void con_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_console *v = d->priv;
	struct vq_chain c;

	if (q == RXQ) {
		deliver(v);
		return;
	}
	/* Bounded work per notify: a queue's worth of requests, at most
	 * VCON_TX_MAX bytes shown in all (the rest is consumed unseen), so the
	 * device lock is never held for long on a slow UART. */
	uint32_t shown = 0;
	for (unsigned n = 0; n < d->vq[TXQ].num && vq_pop(d, TXQ, &c) > 0; n++) {
		for (unsigned i = 0; i < c.nr && shown < VCON_TX_MAX; i++)
			for (uint32_t k = 0; k < c.seg[i].len && shown < VCON_TX_MAX; k++, shown++)
				console_port_putc(&v->port, (char)c.seg[i].p[k]);
		vq_push(d, TXQ, c.head, 0);
	}
}

static void con_reset(struct virtio_dev *d)
{
	struct virtio_console *v = d->priv;
	if (v)
		v->rx_head = v->rx_count = 0;
}

/* struct virtio_console_config: cols, rows (0: unknown), max_nr_ports,
 * emerg_wr; no MULTIPORT, SIZE or EMERG_WRITE offered. */
static uint64_t con_config_read(struct virtio_dev *d, uint32_t off, unsigned w)
{
	uint8_t cfg[12] = { 0 };
	uint64_t v = 0;
	(void)d;
	cfg[4] = 1; /* max_nr_ports */
	memcpy(&v, cfg + off, w);
	return v;
}

const struct virtio_dev_ops virtio_console_ops = {
	.device_id = 3,
	.nqueues = 2,
	.config_size = 12,
	.config_read = con_config_read,
	.notify = con_notify,
	.reset = con_reset,
};

bool virtio_console_rx(struct virtio_console *v, uint8_t c)
{
	bool ok = false;

	spin_lock(&v->dev.lock);
	if (v->rx_count < VCON_RX_BUF) {
		v->rx[(v->rx_head + v->rx_count) % VCON_RX_BUF] = c;
		v->rx_count++;
		ok = true;
	} else {
		v->rx_dropped++;
	}
	deliver(v);
	spin_unlock(&v->dev.lock);
	return ok;
}

void virtio_console_init(struct virtio_console *v, const char *name, const struct dma_space *mem,
			 const struct irq_line *irq)
{
	memset(v, 0, sizeof(*v));
	console_port_init(&v->port, name);
	virtio_dev_init(&v->dev, &virtio_console_ops, v, name, mem, irq);
}

/* ---- the device type: the partition's console = "virtio" ---- */

VDEV_POOL(struct virtio_console, vcon_pool, 1);

static int con_create(struct vdev_inst *d)
{
	struct virtio_console *v = &vcon_pool[d->part_id][d->cfg->nth];

	/* Named after the partition: its output lines carry the name. */
	virtio_console_init(v, d->part_name, d->mem, &d->irq);
	d->priv = v;
	d->vdev = &v->dev;
	d->con = &v->port;
	return 0;
}

static void con_rx(struct vdev_inst *d, uint8_t c)
{
	virtio_console_rx(d->priv, c);
}

const struct vdev_type virtio_console_type = {
	.name = "virtio-console",
	.console = CONSOLE_VIRTIO,
	.max = 1,
	.too_many = "a partition has at most one console",
	.size = VIRTIO_MMIO_SIZE,
	.dma = true,
	.create = con_create,
	.console_rx = con_rx,
};
