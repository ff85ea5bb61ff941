/* virtio-gpu 2D geometry: see include/hv/gpu_geom.h. */
#include <hv/gpu_geom.h>

bool gpu_rect_inside(const struct gpu_rect *r, uint32_t w, uint32_t h)
{
	return r->x <= w && r->width <= w - r->x && r->y <= h && r->height <= h - r->y;
}

uint64_t gpu_resource_bytes(uint32_t width, uint32_t height, uint64_t max)
{
	uint64_t n = (uint64_t)width * height; /* < 2^64 from two 32-bit factors */

	if (!n || n > max / GPU_BPP)
		return 0;
	return n * GPU_BPP;
}

bool gpu_transfer_ok(const struct gpu_rect *r, uint64_t offset, uint32_t width, uint32_t height,
		     uint64_t backing_len)
{
	uint64_t stride = (uint64_t)width * GPU_BPP, last;

	if (!gpu_rect_inside(r, width, height))
		return false;
	if (!r->width || !r->height)
		return offset <= backing_len;
	/* (height - 1) * stride < 2^32 * 2^34: no wrap; then the sums. */
	last = (uint64_t)(r->height - 1) * stride + (uint64_t)r->width * GPU_BPP;
	return offset <= backing_len && last <= backing_len - offset;
}

bool gpu_scanout_blob_ok(const struct gpu_rect *r, uint32_t width, uint32_t height, uint32_t stride,
			 uint32_t offset, uint64_t blob_len)
{
	uint64_t end;

	if (!width || !height || !gpu_rect_inside(r, width, height) ||
	    (uint64_t)stride < (uint64_t)width * GPU_BPP)
		return false;
	end = (uint64_t)offset + (uint64_t)(height - 1) * stride + (uint64_t)width * GPU_BPP;
	return end <= blob_len;
}

bool gpu_budget_take(struct gpu_budget *b, uint64_t n)
{
	if (n > b->limit - b->used)
		return false;
	b->used += n;
	return true;
}

void gpu_budget_give(struct gpu_budget *b, uint64_t n)
{
	b->used = n > b->used ? 0 : b->used - n;
}
