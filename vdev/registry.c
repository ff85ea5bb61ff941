/* The device types, in the order a partition's devices get their
 * virtio-mmio slots (and so the order the guest probes them in). Adding a
 * type: one file under vdev/ that defines a const struct vdev_type, and
 * one line here. */
#include <hv/vdev.h>

#define DEVICE_TYPES            \
	X(pl011_type)           \
	X(virtio_iommu_type)    \
	X(virtio_console_type)  \
	X(virtio_rng_type)      \
	X(virtio_blk_type)      \
	X(virtio_net_type)       \
	X(virtio_scmi_type)     \
	X(virtio_gpu_type)

#define X(t) extern const struct vdev_type t;
DEVICE_TYPES
#undef X

const struct vdev_type *const vdev_types[] = {
#define X(t) &(t),
	DEVICE_TYPES
#undef X
	NULL,
};
