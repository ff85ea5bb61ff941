/* virtio-iommu requests ([VIRTIO] 5.13.6): decoded from the hypervisor's
 * own copy of a request's readable bytes, checked, then acted on through
 * hv/iommu.h; the reply (the tail's status, PROBE's properties) is written
 * into a buffer the device then copies to the writable buffers. No
 * virtqueue here: the device (vdev/) pops, copies in and out, and pushes
 * with the length this returns. */
#ifndef HV_IOMMU_REQ_H
#define HV_IOMMU_REQ_H

#include <hv/iommu.h>

#define VIRTIO_IOMMU_T_ATTACH 1
#define VIRTIO_IOMMU_T_DETACH 2
#define VIRTIO_IOMMU_T_MAP 3
#define VIRTIO_IOMMU_T_UNMAP 4
#define VIRTIO_IOMMU_T_PROBE 5

#define VIRTIO_IOMMU_TAIL_LEN 4
#define VIRTIO_IOMMU_REQ_MAX 72 /* the longest readable part: PROBE's */

/* What the device offers and the driver accepted, for the checks. */
struct iommu_params {
	uint64_t page_size_mask;
	uint64_t input_start, input_end; /* F_INPUT_RANGE */
	uint32_t probe_size;             /* F_PROBE: bytes of properties */
	bool probe;                      /* F_PROBE accepted */
	uint32_t map_flags;              /* MAP flags supported (READ, WRITE) */
};

/* The longest reply: PROBE's properties and its tail. */
#define IOMMU_REPLY_MAX(probe_size) ((size_t)(probe_size) + VIRTIO_IOMMU_TAIL_LEN)

/* One request: in/inlen the readable bytes; outlen the driver's writable
 * length, out room for IOMMU_REPLY_MAX(p->probe_size) bytes. The reply is
 * out[0 .. len), to be written at offset *off of the writable buffers, and
 * the used length is *off + len; the status is the tail's first byte,
 * out[len - 4]. len 0 (used
 * length 0, nothing written) for an unknown type, PROBE without F_PROBE
 * (IOMMU-3, IOMMU-9), or no room for a tail. A PROBE whose writable part
 * is shorter than probe_size + tail gets only its tail, in its last four
 * bytes (S_INVAL, no property written). */
size_t iommu_request(struct iommu *m, const struct iommu_params *p, const uint8_t *in,
		     size_t inlen, uint8_t *out, size_t outlen, size_t *off);

#endif
