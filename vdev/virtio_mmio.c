/* virtio-mmio version 2 transport ([VIRTIO] 4.2.2): registers from a const
 * table, the status state machine, feature negotiation, queue setup. */
#include <hv/log.h>
#include <vdev/virtio.h>

#define VIRTIO_MMIO_MAGIC 0x74726976 /* "virt" */
#define VIRTIO_MMIO_VENDOR 0x4b4c4842 /* "BHLK" */

static uint64_t offered(const struct virtio_dev *d)
{
	return d->features | BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_INDIRECT_DESC) |
	       BIT(VIRTIO_F_EVENT_IDX);
}

bool virtio_driver_ok(const struct virtio_dev *d)
{
	return (d->status & VIRTIO_S_DRIVER_OK) && !(d->status & VIRTIO_S_NEEDS_RESET);
}

static void update_line(struct virtio_dev *d)
{
	bool level = d->isr != 0;
	if (level != d->line) {
		d->line = level;
		irq_line_set(&d->irq, level);
	}
}

void virtio_needs_reset(struct virtio_dev *d, const char *why)
{
	d->errors++;
	if (!d->warned)
		WARN("%s: malformed request: %s; device needs reset (further ones not logged)",
		     d->name, why);
	d->warned = true;
	d->status |= VIRTIO_S_NEEDS_RESET;
	d->isr |= 2; /* configuration change */
	update_line(d);
}

static void device_reset(struct virtio_dev *d)
{
	d->status = 0;
	d->isr = 0;
	d->dev_features_sel = d->drv_features_sel = d->queue_sel = 0;
	d->driver_features = 0;
	for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++)
		d->vq[i] = (struct virtq){ .epoch = d->vq[i].epoch + 1 };
	/* A device model may drop d->lock in its reset to wait for its
	 * backend; meanwhile every register access is ignored (Status reads 0
	 * only once the reset is complete: [VIRTIO] 2.4). */
	d->resetting = true;
	if (d->ops->reset)
		d->ops->reset(d);
	d->resetting = false;
	update_line(d);
}

/* Queue setup is checked when the driver makes the queue ready: size a
 * power of two up to the maximum, the three areas aligned and mapped in the
 * device's DMA space. A bad queue puts the device in NEEDS_RESET. */
static void queue_enable(struct virtio_dev *d, struct virtq *q)
{
	uint64_t n = q->num;

	if (n == 0 || n > VQ_MAX_SIZE || (n & (n - 1))) {
		virtio_needs_reset(d, "queue size not a power of two up to the maximum");
		return;
	}
	if (!vq_map_rings(d, q) || (q->desc & 15) || (q->avail & 1) || (q->used & 3)) {
		q->d = NULL;
		virtio_needs_reset(d, "queue areas misaligned or not reachable (outside guest RAM, or not mapped by its IOMMU)");
		return;
	}
	q->last_avail = q->used_idx = 0;
	q->ready = true;
	q->epoch++;
}

/* FEATURES_OK only for a subset of what was offered that includes
 * VERSION_1 (no legacy): [VIRTIO] 3.1.1, 6.1. */
static bool features_acceptable(const struct virtio_dev *d)
{
	return (d->driver_features & ~offered(d)) == 0 &&
	       (d->driver_features & BIT(VIRTIO_F_VERSION_1));
}

static void status_write(struct virtio_dev *d, uint32_t v)
{
	uint32_t old;

	if (v == 0) {
		device_reset(d);
		return;
	}
	v &= 0xff;
	/* The driver only ever adds bits ([VIRTIO] 2.1.2); NEEDS_RESET is the
	 * device's to set. */
	if ((d->status & ~VIRTIO_S_NEEDS_RESET) & ~v)
		return;
	if ((v & VIRTIO_S_FEATURES_OK) && !(d->status & VIRTIO_S_FEATURES_OK) &&
	    !features_acceptable(d))
		v &= ~(uint32_t)VIRTIO_S_FEATURES_OK;
	if ((v & VIRTIO_S_DRIVER_OK) && !(v & VIRTIO_S_FEATURES_OK))
		v &= ~(uint32_t)VIRTIO_S_DRIVER_OK;
	old = d->status;
	d->status = v | (d->status & VIRTIO_S_NEEDS_RESET);
	if (d->ops->status && d->status != old)
		d->ops->status(d, old);
}

enum {
	R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008, R_VENDOR_ID = 0x00c,
	R_DEV_FEAT = 0x010, R_DEV_FEAT_SEL = 0x014, R_DRV_FEAT = 0x020, R_DRV_FEAT_SEL = 0x024,
	R_QUEUE_SEL = 0x030, R_QUEUE_NUM_MAX = 0x034, R_QUEUE_NUM = 0x038, R_QUEUE_READY = 0x044,
	R_QUEUE_NOTIFY = 0x050, R_INT_STATUS = 0x060, R_INT_ACK = 0x064, R_STATUS = 0x070,
	R_QUEUE_DESC = 0x080, R_QUEUE_DRIVER = 0x090, R_QUEUE_DEVICE = 0x0a0, R_SHM_SEL = 0x0ac,
	R_SHM_LEN = 0x0b0, R_SHM_BASE = 0x0b8, R_CONFIG_GEN = 0x0fc, R_CONFIG = 0x100,
};

static struct virtq *sel_queue(struct virtio_dev *d)
{
	return d->queue_sel < d->nqueues ? &d->vq[d->queue_sel] : NULL;
}

/* The identity registers: fixed for the device's life, read without its
 * lock (RCONST). */
static uint64_t id_read(void *dev, uint32_t off, unsigned w)
{
	const struct virtio_dev *d = dev;
	(void)w;

	switch (off) {
	case R_MAGIC:
		return VIRTIO_MMIO_MAGIC;
	case R_VERSION:
		return 2;
	case R_DEVICE_ID:
		return d->ops->device_id;
	default:
		return VIRTIO_MMIO_VENDOR;
	}
}

static uint64_t reg_read(void *dev, uint32_t off, unsigned w)
{
	struct virtio_dev *d = dev;
	struct virtq *q = sel_queue(d);
	(void)w;

	if (d->resetting) /* another vCPU is inside a reset */
		return off == R_STATUS ? VIRTIO_S_ACKNOWLEDGE : 0;

	switch (off) {
	case R_DEV_FEAT:
		return d->dev_features_sel < 2 ? (uint32_t)(offered(d) >> (32 * d->dev_features_sel)) : 0;
	case R_QUEUE_NUM_MAX:
		return q ? VQ_MAX_SIZE : 0;
	case R_QUEUE_READY:
		return q && q->ready;
	case R_INT_STATUS:
		return d->isr;
	case R_STATUS:
		return d->status;
	case R_SHM_LEN:
	case R_SHM_LEN + 4:
	case R_SHM_BASE:
	case R_SHM_BASE + 4:
		return 0xffffffff; /* no shared memory regions */
	case R_CONFIG_GEN:
		return d->config_gen;
	}
	return 0;
}

static void reg_write(void *dev, uint32_t off, unsigned w, uint64_t v)
{
	struct virtio_dev *d = dev;
	struct virtq *q = sel_queue(d);
	uint32_t x = (uint32_t)v;
	bool qcfg = q && !q->ready; /* queue registers: only while not ready */
	(void)w;

	if (d->resetting)
		return;

	switch (off) {
	case R_DEV_FEAT_SEL:
		d->dev_features_sel = x;
		break;
	case R_DRV_FEAT_SEL:
		d->drv_features_sel = x;
		break;
	case R_DRV_FEAT:
		/* Only before FEATURES_OK ([VIRTIO] 3.1.1). */
		if (d->drv_features_sel < 2 && !(d->status & VIRTIO_S_FEATURES_OK)) {
			unsigned sh = 32 * d->drv_features_sel;
			d->driver_features = (d->driver_features & ~(0xffffffffULL << sh)) |
					     ((uint64_t)x << sh);
		}
		break;
	case R_QUEUE_SEL:
		d->queue_sel = x;
		break;
	case R_QUEUE_NUM:
		if (qcfg)
			q->num = (uint16_t)(x > 0xffff ? 0 : x);
		break;
	case R_QUEUE_READY:
		if (!q || !(d->status & VIRTIO_S_FEATURES_OK))
			break;
		if (x & 1) {
			if (!q->ready)
				queue_enable(d, q);
		} else if (q->ready) {
			q->ready = false;
			q->epoch++;
		}
		break;
	case R_STATUS:
		status_write(d, x);
		break;
	case R_QUEUE_DESC:
	case R_QUEUE_DESC + 4:
	case R_QUEUE_DRIVER:
	case R_QUEUE_DRIVER + 4:
	case R_QUEUE_DEVICE:
	case R_QUEUE_DEVICE + 4: {
		if (!qcfg)
			break;
		uint64_t *a = off < R_QUEUE_DRIVER ? &q->desc : off < R_QUEUE_DEVICE ? &q->avail : &q->used;
		unsigned sh = (off & 4) ? 32 : 0;
		*a = (*a & ~(0xffffffffULL << sh)) | ((uint64_t)x << sh);
		break;
	}
	}
}

/* The two registers a driver writes for every request, each with its own
 * function (no decode of the others' state). */
static void notify_write(void *dev, uint32_t off, unsigned w, uint64_t v)
{
	struct virtio_dev *d = dev;
	uint32_t x = (uint32_t)v;
	(void)off;
	(void)w;

	if (!d->resetting && x < d->nqueues && virtio_driver_ok(d) && d->vq[x].ready &&
	    d->ops->notify)
		d->ops->notify(d, x);
}

static void ack_write(void *dev, uint32_t off, unsigned w, uint64_t v)
{
	struct virtio_dev *d = dev;
	(void)off;
	(void)w;

	if (d->resetting)
		return;
	d->isr &= ~(uint32_t)v;
	update_line(d);
}

static uint64_t cfg_read(void *dev, uint32_t off, unsigned w)
{
	struct virtio_dev *d = dev;
	off -= R_CONFIG;
	if (d->resetting || !d->ops->config_read || off + w > d->ops->config_size)
		return 0;
	return d->ops->config_read(d, off, w);
}

static void cfg_write(void *dev, uint32_t off, unsigned w, uint64_t v)
{
	struct virtio_dev *d = dev;
	off -= R_CONFIG;
	if (!d->resetting && d->ops->config_write && off + w <= d->ops->config_size)
		d->ops->config_write(d, off, w, v);
}

static const struct reg_desc virtio_regs[] = {
	{ R_MAGIC, 4, W32 | RCONST, id_read, NULL },
	{ R_VERSION, 4, W32 | RCONST, id_read, NULL },
	{ R_DEVICE_ID, 4, W32 | RCONST, id_read, NULL },
	{ R_VENDOR_ID, 4, W32 | RCONST, id_read, NULL },
	{ R_DEV_FEAT, 4, W32, reg_read, NULL },
	{ R_DEV_FEAT_SEL, 4, W32, NULL, reg_write },
	{ R_DRV_FEAT, 4, W32, NULL, reg_write },
	{ R_DRV_FEAT_SEL, 4, W32, NULL, reg_write },
	{ R_QUEUE_SEL, 4, W32, NULL, reg_write },
	{ R_QUEUE_NUM_MAX, 4, W32, reg_read, NULL },
	{ R_QUEUE_NUM, 4, W32, NULL, reg_write },
	{ R_QUEUE_READY, 4, W32, reg_read, reg_write },
	{ R_QUEUE_NOTIFY, 4, W32, NULL, notify_write },
	{ R_INT_STATUS, 4, W32, reg_read, NULL },
	{ R_INT_ACK, 4, W32, NULL, ack_write },
	{ R_STATUS, 4, W32, reg_read, reg_write },
	{ R_QUEUE_DESC, 4, W32, NULL, reg_write },
	{ R_QUEUE_DESC + 4, 4, W32, NULL, reg_write },
	{ R_QUEUE_DRIVER, 4, W32, NULL, reg_write },
	{ R_QUEUE_DRIVER + 4, 4, W32, NULL, reg_write },
	{ R_QUEUE_DEVICE, 4, W32, NULL, reg_write },
	{ R_QUEUE_DEVICE + 4, 4, W32, NULL, reg_write },
	{ R_SHM_SEL, 4, W32, NULL, NULL },
	{ R_SHM_LEN, 8, W32, reg_read, NULL },
	{ R_SHM_BASE, 8, W32, reg_read, NULL },
	{ R_CONFIG_GEN, 4, W32, reg_read, NULL },
	{ R_CONFIG, VIRTIO_MMIO_SIZE - R_CONFIG, W8 | W16 | W32 | WSUB, cfg_read, cfg_write },
};
const struct reg_bank virtio_bank = REG_BANK(virtio_regs);

/* The bus takes d->lock around each register's function. */
const struct mmio_device_ops virtio_mmio_ops = {
	.bank = &virtio_bank, .locked = true, .lock_offset = offsetof(struct virtio_dev, lock),
};

void virtio_dev_reset(struct virtio_dev *d)
{
	spin_lock(&d->lock);
	device_reset(d);
	spin_unlock(&d->lock);
}

void virtio_dev_init(struct virtio_dev *d, const struct virtio_dev_ops *ops, void *priv,
		     const char *name, const struct dma_space *mem, const struct irq_line *irq)
{
	*d = (struct virtio_dev){ .ops = ops, .priv = priv, .name = name, .dma = *mem,
				  .features = ops->features, .nqueues = ops->nqueues };
	if (irq)
		d->irq = *irq;
	device_reset(d);
}
