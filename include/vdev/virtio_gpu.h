/* virtio-gpu in 2D mode ([VIRTIO] 5.7, device ID 16; GPU2D-1..8): the
 * transport side of include/hv/gpu.h. controlq requests are answered in
 * order, each complete when its response is pushed (fenced or not);
 * cursorq requests have no response. One scanout, with the mode the
 * partition file gives, shown in the partition's window on the display. */
#ifndef VDEV_VIRTIO_GPU_H
#define VDEV_VIRTIO_GPU_H

#include <hv/gpu.h>
#include <vdev/virtio.h>

struct virtio_gpu {
	struct virtio_dev dev;
	struct gpu_dev gpu;
	struct comp_window win;
	uint8_t resp[GPU_RESP_MAX];
};

/* The device: a width x height scanout, resources in [arena, + size),
 * shown in win on disp (NULL: nowhere); blob: RESOURCE_BLOB offered. */
void virtio_gpu_init(struct virtio_gpu *v, const char *name, const struct dma_space *mem,
		     const struct irq_line *irq, uint32_t width, uint32_t height, bool blob,
		     uint8_t *arena, uint64_t arena_size, struct display *disp);

/* 3D mode (after virtio_gpu_init): VIRGL offered when the render backend
 * has it; false: it has not (2D only). */
bool virtio_gpu_3d(struct virtio_gpu *v, unsigned part, const struct gpu3d_limits *lim,
		   struct gpu3d_res *table);

extern const struct virtio_dev_ops virtio_gpu_ops;
extern const struct vdev_type virtio_gpu_type;

#endif
