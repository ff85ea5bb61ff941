/* Helpers for the hypervisor's own virtio-mmio (version 2) drivers: find a
 * device, negotiate features, set up a split queue. The device is outside
 * the hypervisor's trust: whatever it reports is checked before use. */
#ifndef DRIVERS_VIRTIO_DRV_H
#define DRIVERS_VIRTIO_DRV_H

#include <hv/types.h>

#define VDRV_BASE 0x0a000000UL /* QEMU virt's virtio-mmio window */
#define VDRV_SLOTS 32
#define VDRV_INTID(slot) (48u + (slot))

enum {
	VDRV_MAGIC = 0x000, VDRV_VERSION = 0x004, VDRV_DEVICE_ID = 0x008, VDRV_DEV_FEAT = 0x010,
	VDRV_DEV_FEAT_SEL = 0x014, VDRV_DRV_FEAT = 0x020, VDRV_DRV_FEAT_SEL = 0x024,
	VDRV_QUEUE_SEL = 0x030, VDRV_QUEUE_NUM_MAX = 0x034, VDRV_QUEUE_NUM = 0x038,
	VDRV_QUEUE_READY = 0x044, VDRV_QUEUE_NOTIFY = 0x050, VDRV_INT_STATUS = 0x060,
	VDRV_INT_ACK = 0x064, VDRV_STATUS = 0x070, VDRV_QUEUE_DESC = 0x080,
	VDRV_QUEUE_DRIVER = 0x090, VDRV_QUEUE_DEVICE = 0x0a0, VDRV_CONFIG_GEN = 0x0fc,
	VDRV_CONFIG = 0x100,
};

struct vdrv {
	volatile uint32_t *r;
	unsigned slot;
};

static inline uint32_t vdrv_rd(const struct vdrv *v, unsigned off) { return v->r[off / 4]; }
static inline void vdrv_wr(const struct vdrv *v, unsigned off, uint32_t x) { v->r[off / 4] = x; }

/* The index-th modern device with this device ID, in slot order. */
bool vdrv_find(struct vdrv *v, uint32_t device_id, unsigned index);
/* Reset, ACKNOWLEDGE | DRIVER, and FEATURES_OK for (offered & wanted);
 * every bit of required must be offered. Returns the negotiated set, or 0
 * after setting FAILED. VERSION_1 is always required. */
uint64_t vdrv_negotiate(struct vdrv *v, uint64_t wanted, uint64_t required);
/* Queue q with num entries (<= QueueNumMax) at the given areas. */
bool vdrv_queue(struct vdrv *v, unsigned q, unsigned num, const void *desc, const void *avail,
		const void *used);
uint32_t vdrv_config32(struct vdrv *v, unsigned off);
uint64_t vdrv_config64(struct vdrv *v, unsigned off);
void vdrv_driver_ok(struct vdrv *v);
void vdrv_fail(struct vdrv *v);

#endif
