/* virtio-mmio version 2 ([VIRTIO] 4.2.2) and the split virtqueue engine
 * ([VIRTIO] 2.7) shared by every device model. Everything the guest puts
 * in a ring is untrusted: indices are taken modulo the queue size, chains
 * are bounded by the queue size (loops detected), every buffer is
 * translated through the device's DMA address space (include/hv/dma.h)
 * before use, for the direction it is used in, and each descriptor is read
 * once before it is checked and used. A malformed ring puts the device in
 * DEVICE_NEEDS_RESET; nothing else happens.
 * Lock order: virtio_dev.lock, then vgic.lock, then console_lock. */
#ifndef VDEV_VIRTIO_H
#define VDEV_VIRTIO_H

#include <hv/arch.h>
#include <hv/dma.h>
#include <hv/irq.h>
#include <hv/mmio.h>

#define VIRTIO_MMIO_SIZE 0x200
#define VIRTIO_MAX_QUEUES 8
#define VQ_MAX_SIZE 256
#define VQ_MAX_SEGS 64

/* Status bits */
#define VIRTIO_S_ACKNOWLEDGE 1
#define VIRTIO_S_DRIVER 2
#define VIRTIO_S_DRIVER_OK 4
#define VIRTIO_S_FEATURES_OK 8
#define VIRTIO_S_NEEDS_RESET 64
#define VIRTIO_S_FAILED 128

/* Feature bits handled by the transport and the ring engine. */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc: [VIRTIO] 2.7.5");

/* One request: its readable segments first, then its writable ones. A
 * descriptor's buffer is one segment, or several where the DMA space splits
 * it (at most VQ_MAX_SEGS in all). */
struct vq_chain {
	uint16_t head;
	unsigned nr, nw; /* readable, writable segments */
	struct dma_seg seg[VQ_MAX_SEGS];
	uint64_t rlen, wlen;
};

/* The same, with the segments in the caller's storage: for a device whose
 * requests can be longer than VQ_MAX_SEGS segments (virtio-blk offers up
 * to 254 data buffers, as QEMU's own device does). */
struct vq_sgl {
	uint16_t head;
	unsigned nr, nw;
	uint64_t rlen, wlen;
	struct dma_seg *seg; /* room for max segments */
	unsigned max;
	/* In: the device answers a chain its IOMMU refused (vq_pop_sgl
	 * returns VQ_DENIED) rather than needing a reset. Out, then: the
	 * segments are not to be used; status is the last byte of the last
	 * writable buffer when that one translated (a virtio-blk status
	 * byte), else NULL. */
	bool allow_denied;
	bool denied;
	uint8_t *status;
};

struct virtq {
	uint16_t num; /* as set by the driver */
	bool ready;
	uint32_t dma_gen; /* of the DMA space when d, a, u were translated */
	uint64_t desc, avail, used; /* IOVAs in the device's DMA space */
	/* Valid while ready: checked at QueueReady, translated again when the
	 * DMA space changed since (dma_gen). */
	volatile struct virtq_desc *d;
	volatile uint16_t *a; /* flags, idx, ring[num], used_event */
	volatile uint8_t *u;  /* flags, idx, ring[num] of {id, len}, avail_event */
	uint16_t last_avail, used_idx;
	/* Counts every enable and disable, across resets: a device model that
	 * completes a request later pushes it only into the ring it came from
	 * (the driver may have disabled, resized or moved the queue since). */
	uint32_t epoch;
};

struct virtio_dev;

struct virtio_dev_ops {
	uint32_t device_id;
	uint64_t features; /* device-specific bits offered */
	unsigned nqueues;
	uint32_t config_size;
	uint64_t (*config_read)(struct virtio_dev *d, uint32_t off, unsigned width);
	void (*config_write)(struct virtio_dev *d, uint32_t off, unsigned width, uint64_t v);
	/* Called with d->lock held after the driver notified queue q. */
	void (*notify)(struct virtio_dev *d, unsigned q);
	/* Device state back to reset (d->lock held). */
	void (*reset)(struct virtio_dev *d);
	/* The driver changed the status (d->lock held; old: before). */
	void (*status)(struct virtio_dev *d, uint32_t old);
};

struct virtio_dev {
	spinlock_t lock;
	const struct virtio_dev_ops *ops;
	void *priv;
	const char *name; /* for the log */
	uint64_t features; /* device-specific bits offered: ops->features unless changed */
	unsigned nqueues;  /* ops->nqueues unless changed (at most VIRTIO_MAX_QUEUES) */
	struct dma_space dma; /* all it reaches of guest memory */
	struct irq_line irq;
	bool line;
	uint32_t status, isr, config_gen;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	uint64_t driver_features;
	struct virtq vq[VIRTIO_MAX_QUEUES];
	uint32_t errors; /* malformed requests seen */
	bool resetting;  /* ops->reset is waiting for the backend: registers frozen */
	bool warned;     /* one log line per device, ever: no flood by resets */
};

void virtio_dev_init(struct virtio_dev *d, const struct virtio_dev_ops *ops, void *priv,
		     const char *name, const struct dma_space *mem, const struct irq_line *irq);
extern const struct mmio_device_ops virtio_mmio_ops;
/* Back to reset state (partition restart). */
void virtio_dev_reset(struct virtio_dev *d);

/* Translate queue q's areas through d's DMA space, under its current
 * generation: false (pointers cleared) when one no longer translates. */
bool vq_map_rings(struct virtio_dev *d, struct virtq *q);

/* The ring engine, for device models (d->lock held). */
/* 1: a chain was taken; 0: the queue is empty; -1: the ring is malformed
 * (the device is now in NEEDS_RESET). A buffer the device's IOMMU refuses
 * (IOMMU-12) counts as malformed here. */
int vq_pop(struct virtio_dev *d, unsigned q, struct vq_chain *c);
/* vq_pop(), but a chain with a buffer the IOMMU refused (each refusal
 * reported as a fault) is taken and VQ_DENIED returned: c->head is valid,
 * its segments are not. The device fails that request as its spec says
 * (a dropped frame, ...) and returns it. */
#define VQ_DENIED 2
int vq_pop_any(struct virtio_dev *d, unsigned q, struct vq_chain *c);
/* vq_pop() into c->seg[0..c->max) (VQ_DENIED with c->allow_denied). */
int vq_pop_sgl(struct virtio_dev *d, unsigned q, struct vq_sgl *c);
/* False when queue q (ready) has surely nothing available: a quick look at
 * the available index before a device sets up to take a chain; vq_pop()
 * decides. */
static inline bool vq_maybe_avail(const struct virtio_dev *d, unsigned qi)
{
	const struct virtq *q = &d->vq[qi];
	return q->dma_gen != d->dma.gen || !q->a ||
	       *(const volatile uint16_t *)&q->a[1] != q->last_avail;
}
/* Give back the last n chains taken (not yet returned): the driver still
 * owns them, and the next vq_pop() takes them again. */
void vq_unpop(struct virtio_dev *d, unsigned q, unsigned n);
/* Return a chain with len bytes written; raises the used-buffer interrupt
 * unless the driver suppressed it. Nothing happens when the queue is not
 * ready. */
void vq_push(struct virtio_dev *d, unsigned q, uint16_t head, uint32_t len);
/* Copy from / into a chain's readable / writable segments. */
size_t vq_read(const struct vq_chain *c, void *buf, size_t len);
size_t vq_write(const struct vq_chain *c, const void *buf, size_t len);
/* The same over segments seg[0..n). */
size_t vq_copy_from(const struct dma_seg *seg, unsigned n, void *buf, size_t len);
size_t vq_copy_to(const struct dma_seg *seg, unsigned n, const void *buf, size_t len);
/* Mark the device broken: NEEDS_RESET and a configuration interrupt. */
void virtio_needs_reset(struct virtio_dev *d, const char *why);
bool virtio_driver_ok(const struct virtio_dev *d);
/* The driver negotiated this feature bit. */
static inline bool virtio_has(const struct virtio_dev *d, unsigned feature)
{
	return (d->driver_features >> feature) & 1;
}
/* True while queue q is still the ready ring of the given epoch. */
bool vq_live(const struct virtio_dev *d, unsigned q, uint32_t epoch);

#endif
