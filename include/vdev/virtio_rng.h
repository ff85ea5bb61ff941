/* virtio-rng ([VIRTIO] 5.4, device ID 4): each partition's own HMAC_DRBG
 * (SP 800-90A), seeded and reseeded from the platform's entropy source.
 * docs/rng.md is the side-channel analysis. */
#ifndef VDEV_VIRTIO_RNG_H
#define VDEV_VIRTIO_RNG_H

#include <hv/drbg.h>
#include <vdev/virtio.h>

/* DRBG output is generated this much at a time for requests shorter than
 * this, and served from the partition's own pool; see docs/rng.md. */
#define RNG_POOL_BYTES 4096

/* Fills buf with n bytes of full entropy; false when the source failed. */
typedef bool (*entropy_fn)(void *buf, size_t n);

struct virtio_rng {
	struct virtio_dev dev;
	struct drbg drbg;
	entropy_fn entropy;
	const char *personalization; /* the partition's name */
	uint32_t id;                 /* nonce: partition id and ... */
	uint32_t boots;              /* ... instantiation count */
	uint64_t bytes;              /* served, for the log */
	uint32_t pool_left;          /* pool[RNG_POOL_BYTES - pool_left ..] not yet served */
	bool failed;                 /* entropy source failed: no data served */
	bool failure_logged;
	uint8_t pool[RNG_POOL_BYTES]; /* served bytes are zeroed */
};

void virtio_rng_init(struct virtio_rng *r, const char *name, uint32_t id,
		     const struct dma_space *mem, const struct irq_line *irq, entropy_fn entropy);
extern const struct virtio_dev_ops virtio_rng_ops;
extern const struct vdev_type virtio_rng_type;

#endif
