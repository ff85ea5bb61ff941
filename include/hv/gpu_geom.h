/* virtio-gpu 2D geometry, checked before any byte moves ([VIRTIO] 5.7;
 * GPU2D-5, GPU2D-6): rectangles inside a resource, transfers inside the
 * backing the guest attached, scanouts from blobs inside the blob, and
 * resources inside the partition's budget. Every sum and product is done
 * in 64 bits from 32-bit inputs, or checked, so none wraps. */
#ifndef HV_GPU_GEOM_H
#define HV_GPU_GEOM_H

#include <hv/types.h>

#define GPU_BPP 4 /* every format offered is 32 bits a pixel */

struct gpu_rect {
	uint32_t x, y, width, height;
};

/* r lies inside a w x h resource (each term checked alone too). An empty
 * rectangle is inside. */
bool gpu_rect_inside(const struct gpu_rect *r, uint32_t w, uint32_t h);

/* A resource's bytes: width * height * GPU_BPP, or 0 when either is 0 or
 * it would exceed max. */
uint64_t gpu_resource_bytes(uint32_t width, uint32_t height, uint64_t max);

/* TRANSFER_TO_HOST_2D of r from a backing of backing_len bytes into a
 * resource of width x height: r inside it, and every source row inside the
 * backing: offset + (r.height - 1) * stride + r.width * GPU_BPP <=
 * backing_len, with stride = width * GPU_BPP. */
bool gpu_transfer_ok(const struct gpu_rect *r, uint64_t offset, uint32_t width, uint32_t height,
		     uint64_t backing_len);

/* SET_SCANOUT_BLOB: the rectangle r of a width x height framebuffer at
 * offset with stride in a blob of blob_len bytes: r inside the
 * framebuffer, stride at least width * GPU_BPP, and the framebuffer's last
 * byte inside the blob. */
bool gpu_scanout_blob_ok(const struct gpu_rect *r, uint32_t width, uint32_t height, uint32_t stride,
			 uint32_t offset, uint64_t blob_len);

/* The compositor (GPU2D-3: no partition draws outside its area): a
 * scanout is shown in a window of a physical output; flushed damage is
 * copied only where the window is visible. */

/* a ∩ b into *out: false when empty. */
bool gpu_rect_intersect(const struct gpu_rect *a, const struct gpu_rect *b, struct gpu_rect *out);

/* What of damage (in output coordinates, already inside its window) is
 * not covered by any of the windows above it, as at most max (and at most
 * 16) disjoint rectangles: their count, or -1 when more would be needed
 * (the caller then redraws that area from every window in z-order). */
int gpu_visible(const struct gpu_rect *damage, const struct gpu_rect *above, unsigned nabove,
		struct gpu_rect *out, unsigned max);

/* A partition's budget for resource memory (bytes). */
struct gpu_budget {
	uint64_t limit, used;
};
/* Take n bytes: false (nothing taken) when they do not fit. */
bool gpu_budget_take(struct gpu_budget *b, uint64_t n);
void gpu_budget_give(struct gpu_budget *b, uint64_t n);

#endif
