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

bool gpu_rect_intersect(const struct gpu_rect *a, const struct gpu_rect *b, struct gpu_rect *out)
{
	uint64_t x0 = a->x > b->x ? a->x : b->x, y0 = a->y > b->y ? a->y : b->y;
	uint64_t ax1 = (uint64_t)a->x + a->width, bx1 = (uint64_t)b->x + b->width;
	uint64_t ay1 = (uint64_t)a->y + a->height, by1 = (uint64_t)b->y + b->height;
	uint64_t x1 = ax1 < bx1 ? ax1 : bx1, y1 = ay1 < by1 ? ay1 : by1;

	if (x0 >= x1 || y0 >= y1)
		return false;
	*out = (struct gpu_rect){ (uint32_t)x0, (uint32_t)y0, (uint32_t)(x1 - x0), (uint32_t)(y1 - y0) };
	return true;
}

/* r minus c: the up to four pieces of r outside c (above, below, left,
 * right of c's band), appended to out[*n..max); false when they do not fit. */
static bool subtract(const struct gpu_rect *r, const struct gpu_rect *c, struct gpu_rect *out,
		     unsigned *n, unsigned max)
{
	struct gpu_rect i, p[4];
	unsigned k = 0;

	if (!gpu_rect_intersect(r, c, &i)) {
		p[k++] = *r;
	} else {
		if (i.y > r->y)
			p[k++] = (struct gpu_rect){ r->x, r->y, r->width, i.y - r->y };
		if (i.y + i.height < r->y + r->height)
			p[k++] = (struct gpu_rect){ r->x, i.y + i.height, r->width,
						    r->y + r->height - (i.y + i.height) };
		if (i.x > r->x)
			p[k++] = (struct gpu_rect){ r->x, i.y, i.x - r->x, i.height };
		if (i.x + i.width < r->x + r->width)
			p[k++] = (struct gpu_rect){ i.x + i.width, i.y, r->x + r->width - (i.x + i.width),
						    i.height };
	}
	if (k > max - *n)
		return false;
	for (unsigned j = 0; j < k; j++)
		out[(*n)++] = p[j];
	return true;
}

int gpu_visible(const struct gpu_rect *damage, const struct gpu_rect *above, unsigned nabove,
		struct gpu_rect *out, unsigned max)
{
	struct gpu_rect cur[16], next[16];
	unsigned n = 0;

	if (!damage->width || !damage->height)
		return 0;
	cur[n++] = *damage;
	for (unsigned a = 0; a < nabove; a++) {
		unsigned m = 0;
		for (unsigned j = 0; j < n; j++)
			if (!subtract(&cur[j], &above[a], next, &m, 16))
				return -1;
		for (unsigned j = 0; j < m; j++)
			cur[j] = next[j];
		n = m;
	}
	if (n > max)
		return -1;
	for (unsigned j = 0; j < n; j++)
		out[j] = cur[j];
	return (int)n;
}
