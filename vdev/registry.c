/* The device types, in the order a partition's devices get their
 * virtio-mmio slots (and so the order the guest probes them in). Adding a
 * type: one file under vdev/ that fills a struct vdev_type, and one line
 * here. */
#include <hv/vdev.h>
#include <vdev/pl011.h>
#include <vdev/virtio_blk.h>
#include <vdev/virtio_console.h>
#include <vdev/virtio_net.h>
#include <vdev/virtio_rng.h>

const struct vdev_type *const vdev_types[] = {
	&pl011_type,
	&virtio_console_type,
	&virtio_rng_type,
	&virtio_blk_type,
	&virtio_net_type,
	NULL,
};
