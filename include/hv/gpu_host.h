/* The render backend: the physical GPU the hypervisor drives with its own
 * driver (drivers/virtio_gpu_phys.c: a virtio-gpu with VIRGL, on QEMU
 * `virtio-gpu-gl-device` running virglrenderer). The hypervisor has no GL
 * stack of its own: partitions' 3D commands reach it translated and copied
 * (core/gpu3d.c), and the display may show its output through it.
 *
 * Every command is the hypervisor's own copy in its own memory; addresses
 * in a backing list are physical and were checked by the caller. Commands
 * are carried out one at a time (the caller's on return), from any CPU.
 * Lock order: leaf (callers may hold a device's lock and display.lock). */
#ifndef HV_GPU_HOST_H
#define HV_GPU_HOST_H

#include <hv/types.h>

#define GPU_HOST_MAX_CAPSETS 4
#define GPU_HOST_CAPSET_MAX 0x4000 /* a capset's size the backend may report */

struct gpu_host_capset {
	uint32_t id, max_version, max_size;
};

/* Find and start the backend (once; later calls return what the first
 * found). 3D: it offers VIRGL and at least one capset. */
bool gpu_host_probe(void);
bool gpu_host_has_3d(void);
/* Its capsets, as it reported them (each checked: max_size within
 * GPU_HOST_CAPSET_MAX); their count. */
unsigned gpu_host_capsets(const struct gpu_host_capset **out);

/* One controlq command: req (len bytes, from the 24-byte header on), then
 * data (dlen bytes, none when 0), the response into resp (at most rmax
 * bytes). The response's type (GPU_RESP_*), or 0 when the backend is
 * missing, stopped answering, or answered less than a header. *rlen: the
 * bytes it wrote (may be NULL). */
uint32_t gpu_host_cmd(const void *req, size_t len, const void *data, size_t dlen, void *resp,
		      size_t rmax, size_t *rlen);

struct gpu_host_stats {
	uint64_t commands, failed, bytes;
};
extern struct gpu_host_stats gpu_host_stats;

#endif
