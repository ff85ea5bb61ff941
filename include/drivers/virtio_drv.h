/* Helpers for the hypervisor's own virtio-mmio (version 2) drivers: find a
 * device, negotiate features, set up a split queue. The device is outside
 * the hypervisor's trust: whatever it reports is checked before use. */
#ifndef DRIVERS_VIRTIO_DRV_H
#define DRIVERS_VIRTIO_DRV_H

#include <hv/types.h>
#include <platform.h>

/* The board's virtio-mmio slots (platform/<board>/platform.h). */
#define VDRV_SLOTS PLATFORM_VIRTIO_MMIO_SLOTS
#define VDRV_SIZE PLATFORM_VIRTIO_MMIO_STRIDE
#define VDRV_ADDR(slot) (PLATFORM_VIRTIO_MMIO_BASE + (slot) * PLATFORM_VIRTIO_MMIO_STRIDE)
#define VDRV_INTID(slot) (PLATFORM_VIRTIO_MMIO_INTID0 + (slot))

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
/* A split queue of n entries used one request at a time and polled (the
 * hypervisor's drivers of devices it only asks: rng, the render backend). */
struct vdrv_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
struct vdrv_used_elem {
	uint32_t id, len;
};
#define VDRV_POLLED_QUEUE(n)                                                                    \
	struct {                                                                                \
		struct vdrv_desc desc[n] __attribute__((aligned(16)));                          \
		struct { uint16_t flags, idx, ring[n], used_event; } avail                      \
			__attribute__((aligned(2)));                                            \
		struct { uint16_t flags, idx; struct vdrv_used_elem ring[n]; uint16_t avail_event; } \
			used __attribute__((aligned(4)));                                       \
		uint16_t last_used;                                                             \
	}
/* The chain at descriptor 0 offered on queue 0 and the device notified;
 * then the used ring polled (yielding) until the device returns it, at most
 * spins times. true: *e is what it returned (its id and len unchecked);
 * false: it did not answer, and the device is set FAILED (it still owns
 * the buffers: the caller must not use the queue again). */
bool vdrv_polled_request(struct vdrv *v, uint16_t *avail_idx, uint16_t *avail_ring,
			 const volatile uint16_t *used_idx, const struct vdrv_used_elem *used_ring,
			 uint16_t *last_used, unsigned n, unsigned long spins, struct vdrv_used_elem *e);
#define VDRV_POLLED(v, q, n, spins, e)                                                         \
	vdrv_polled_request(v, &(q)->avail.idx, (q)->avail.ring, &(q)->used.idx, (q)->used.ring, \
			    &(q)->last_used, n, spins, e)
uint32_t vdrv_config32(struct vdrv *v, unsigned off);
uint64_t vdrv_config64(struct vdrv *v, unsigned off);
void vdrv_driver_ok(struct vdrv *v);
void vdrv_fail(struct vdrv *v);

#endif
