/* virtio-gpu 2D: see include/hv/gpu.h. Each command is decoded into its
 * struct (a copy: the guest cannot change it while it is checked), every
 * check is made, and only then does anything change. */
#include "gpu_priv.h"
#include <string.h>

/* ---- the budget: first fit over blocks sorted by offset ---- */

void gpu_arena_init(struct gpu_arena *a, uint8_t *base, uint64_t size)
{
	a->base = base;
	a->size = size;
	a->used = 0;
	a->n = 0;
}

void *gpu_arena_alloc(struct gpu_arena *a, uint64_t len)
{
	uint64_t at = 0;
	unsigned i;

	if (!len || len > a->size || a->n == GPU_ARENA_BLOCKS)
		return NULL;
	len = (len + 63) & ~(uint64_t)63;
	if (len > a->size)
		return NULL;
	for (i = 0; i <= a->n; i++) {
		uint64_t end = i < a->n ? a->blk[i].off : a->size;
		if (end >= at && len <= end - at)
			break;
		if (i < a->n)
			at = a->blk[i].off + a->blk[i].len;
	}
	if (i > a->n)
		return NULL;
	memmove(&a->blk[i + 1], &a->blk[i], (a->n - i) * sizeof(a->blk[0]));
	a->blk[i].off = at;
	a->blk[i].len = len;
	a->n++;
	a->used += len;
	return a->base + at;
}

void gpu_arena_free(struct gpu_arena *a, void *p)
{
	uint64_t off;

	if (!p)
		return;
	off = (uint64_t)((uint8_t *)p - a->base);
	for (unsigned i = 0; i < a->n; i++)
		if (a->blk[i].off == off) {
			a->used -= a->blk[i].len;
			memmove(&a->blk[i], &a->blk[i + 1], (a->n - i - 1) * sizeof(a->blk[0]));
			a->n--;
			return;
		}
}

/* ---- requests as the device reads them ---- */

struct hdr {
	uint32_t type, flags;
	uint64_t fence_id;
	uint32_t ctx_id;
	uint8_t ring_idx, pad[3];
};
struct rect_le {
	uint32_t x, y, width, height;
};
struct create_2d {
	struct hdr h;
	uint32_t resource_id, format, width, height;
};
struct res_only {
	struct hdr h;
	uint32_t resource_id, pad;
};
struct set_scanout {
	struct hdr h;
	struct rect_le r;
	uint32_t scanout_id, resource_id;
};
struct flush {
	struct hdr h;
	struct rect_le r;
	uint32_t resource_id, pad;
};
struct transfer {
	struct hdr h;
	struct rect_le r;
	uint64_t offset;
	uint32_t resource_id, pad;
};
struct attach {
	struct hdr h;
	uint32_t resource_id, nr_entries;
};
struct mem_entry {
	uint64_t addr;
	uint32_t length, pad;
};
struct get_edid {
	struct hdr h;
	uint32_t scanout, pad;
};
struct create_blob {
	struct hdr h;
	uint32_t resource_id, blob_mem, blob_flags, nr_entries;
	uint64_t blob_id, size;
};
struct scanout_blob {
	struct hdr h;
	struct rect_le r;
	uint32_t scanout_id, resource_id, width, height, format, pad;
	uint32_t strides[4], offsets[4];
};
struct cursor_req {
	struct hdr h;
	uint32_t scanout_id, x, y, pad;
	uint32_t resource_id, hot_x, hot_y, pad2;
};
_Static_assert(sizeof(struct hdr) == GPU_HDR_LEN, "ctrl_hdr: [VIRTIO] 5.7.6.7");
_Static_assert(sizeof(struct create_2d) == 40, "resource_create_2d");
_Static_assert(sizeof(struct set_scanout) == 48, "set_scanout");
_Static_assert(sizeof(struct flush) == 48, "resource_flush");
_Static_assert(sizeof(struct transfer) == 56, "transfer_to_host_2d");
_Static_assert(sizeof(struct attach) == 32, "resource_attach_backing");
_Static_assert(sizeof(struct mem_entry) == 16, "mem_entry");
_Static_assert(sizeof(struct create_blob) == 56, "resource_create_blob");
_Static_assert(sizeof(struct scanout_blob) == GPU_REQ_MAX, "set_scanout_blob");
_Static_assert(sizeof(struct cursor_req) == 56, "update_cursor");

/* Bytes [off, off + len) of the request into buf: false when it is
 * shorter. */
bool gpu_req_read(const struct gpu_req *rq, uint64_t off, void *buf, size_t len)
{
	uint8_t *o = buf;

	if (off > rq->len || len > rq->len - off)
		return false;
	for (unsigned i = 0; i < rq->n && len; i++) {
		const struct dma_seg *s = &rq->seg[i];
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		size_t k = s->len - off < len ? (size_t)(s->len - off) : len;
		memcpy(o, s->p + off, k);
		o += k;
		len -= k;
		off = 0;
	}
	return len == 0;
}

static struct gpu_rect rect_of(const struct rect_le *r)
{
	return (struct gpu_rect){ r->x, r->y, r->width, r->height };
}

bool gpu_format_ok(uint32_t f)
{
	/* [VIRTIO] 5.7.6.8: every format, 32 bits a pixel. */
	return f == 1 || f == 2 || f == 3 || f == 4 || f == 67 || f == 68 || f == 121 || f == 134;
}

static struct gpu_resource *find(struct gpu_dev *g, uint32_t id)
{
	if (!id)
		return NULL;
	for (unsigned i = 0; i < GPU_MAX_RESOURCES; i++)
		if (g->res[i].id == id)
			return &g->res[i];
	return NULL;
}

bool gpu_id_taken(struct gpu_dev *g, uint32_t id)
{
	return find(g, id) || gpu3d_find(g, id);
}

/* ---- backing: guest memory, reached when used ---- */

static size_t segs_copy(const struct dma_seg *seg, unsigned n, uint8_t *dst)
{
	size_t k = 0;

	for (unsigned i = 0; i < n; i++) {
		memcpy(dst + k, seg[i].p, seg[i].len);
		k += seg[i].len;
	}
	return k;
}

/* The first piece of [addr, addr + *len) the device may read: all of it
 * when it translates into MAP_SEGS segments (one RAM range: always), else
 * up to the next 4 KiB boundary (an IOMMU maps pages; a page is one
 * segment), *len cut to it. The segments' count, or < 0 when a byte of
 * the piece does not translate. */
int gpu_map_piece(struct gpu_dev *g, uint64_t addr, uint64_t *len, struct dma_seg *seg)
{
	int n = dma_map(g->dma, addr, *len, DMA_TO_DEV, seg, MAP_SEGS);

	if (n != DMA_ESEGS)
		return n;
	*len = 4096 - (addr & 4095);
	return dma_map(g->dma, addr, *len, DMA_TO_DEV, seg, MAP_SEGS);
}

/* [off, off + len) of r's backing into dst (NULL: only check that every
 * byte translates): false when some byte does not. */
static bool backing_copy(struct gpu_dev *g, const struct gpu_resource *r, uint64_t off, uint8_t *dst,
			 uint64_t len)
{
	unsigned lo = 0, hi = r->nent;

	if (!r->ent || off > r->backing_len || len > r->backing_len - off)
		return false;
	/* The entry holding off: the last whose start is <= off. */
	while (hi - lo > 1) {
		unsigned mid = (lo + hi) / 2;
		if (r->ent[mid].start <= off)
			lo = mid;
		else
			hi = mid;
	}
	for (unsigned i = lo; len;) {
		const struct gpu_entry *e = &r->ent[i];
		uint64_t in = off - e->start, k = e->len - in < len ? e->len - in : len;
		struct dma_seg seg[MAP_SEGS];
		int n = gpu_map_piece(g, e->addr + in, &k, seg);
		if (n < 0)
			return false;
		if (dst)
			dst += segs_copy(seg, (unsigned)n, dst);
		off += k;
		len -= k;
		if (off == e->start + e->len)
			i++;
	}
	return true;
}

/* ---- the window ---- */

/* The scanout's area a (in its resource or framebuffer, inside so.r)
 * into the window's shadow. false: the blob's memory did not translate. */
static bool to_shadow(struct gpu_dev *g, const struct gpu_resource *r, const struct gpu_rect *a)
{
	const struct gpu_scanout *so = &g->so;
	struct comp_window *w = g->win;
	uint32_t wstride = w->rect.width * GPU_BPP;
	bool ok = true;

	if (so->v3)
		return gpu3d_readback(g, gpu3d_find(g, so->res), a);
	for (uint32_t row = 0; row < a->height; row++) {
		uint8_t *d = w->shadow + (size_t)(a->y - so->r.y + row) * wstride +
			     (size_t)(a->x - so->r.x) * GPU_BPP;
		size_t n = (size_t)a->width * GPU_BPP;
		if (!so->blob)
			memcpy(d, r->pixels + ((size_t)(a->y + row) * r->width + a->x) * GPU_BPP, n);
		else if (!backing_copy(g, r, so->offset + (uint64_t)(a->y + row) * so->stride +
							   (uint64_t)a->x * GPU_BPP, d, n))
			ok = false;
	}
	return ok;
}

/* Show damage (resource coordinates) of the scanout's resource r. */
static bool show(struct gpu_dev *g, const struct gpu_resource *r, const struct gpu_rect *damage)
{
	struct gpu_rect a, local;
	bool ok;

	if (!g->win || !gpu_rect_intersect(damage, &g->so.r, &a))
		return true;
	spin_lock(&g->disp->lock);
	ok = to_shadow(g, r, &a);
	local = (struct gpu_rect){ a.x - g->so.r.x, a.y - g->so.r.y, a.width, a.height };
	comp_flush(g->disp, g->win, &local);
	spin_unlock(&g->disp->lock);
	return ok;
}

/* The scanout was just set (its shadow black): all of it shown. */
static bool show_new(struct gpu_dev *g, const struct gpu_resource *r)
{
	bool ok;

	if (!g->win)
		return true;
	spin_lock(&g->disp->lock);
	ok = to_shadow(g, r, &g->so.r);
	comp_show(g->disp, g->win);
	spin_unlock(&g->disp->lock);
	return ok;
}

static void scanout_off(struct gpu_dev *g)
{
	g->so = (struct gpu_scanout){ 0 };
	if (g->win) {
		spin_lock(&g->disp->lock);
		comp_clear(g->disp, g->win);
		spin_unlock(&g->disp->lock);
	}
}

static void cursor_show(struct gpu_dev *g, const uint8_t *image)
{
	/* The image's top left; far off the window is as good as any. */
	int64_t x = (int64_t)g->cursor_x - g->hot_x, y = (int64_t)g->cursor_y - g->hot_y;

	if (!g->win)
		return;
	x = x < -COMP_CURSOR ? -COMP_CURSOR : x;
	y = y < -COMP_CURSOR ? -COMP_CURSOR : y;
	spin_lock(&g->disp->lock);
	comp_cursor(g->disp, g->win, g->cursor_res != 0, (int32_t)x, (int32_t)y, image);
	spin_unlock(&g->disp->lock);
}

/* ---- the commands: each checks everything, then acts ---- */

static void release(struct gpu_dev *g, struct gpu_resource *r)
{
	gpu_arena_free(&g->arena, r->pixels);
	gpu_arena_free(&g->arena, r->ent);
	*r = (struct gpu_resource){ 0 };
}

static struct gpu_resource *new_slot(struct gpu_dev *g)
{
	for (unsigned i = 0; i < GPU_MAX_RESOURCES; i++)
		if (!g->res[i].id)
			return &g->res[i];
	return NULL;
}

static uint32_t cmd_create_2d(struct gpu_dev *g, const struct gpu_req *rq)
{
	struct create_2d c;
	struct gpu_resource *r;
	uint64_t bytes;

	if (!gpu_req_read(rq, 0, &c, sizeof(c)))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if (!c.resource_id || gpu_id_taken(g, c.resource_id))
		return GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (!gpu_format_ok(c.format) || c.width > GPU_MAX_DIM || c.height > GPU_MAX_DIM ||
	    !(bytes = gpu_resource_bytes(c.width, c.height, g->arena.size)))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if (!(r = new_slot(g)) || !(r->pixels = gpu_arena_alloc(&g->arena, bytes)))
		return GPU_RESP_ERR_OUT_OF_MEMORY;
	memset(r->pixels, 0, bytes);
	r->id = c.resource_id;
	r->width = c.width;
	r->height = c.height;
	r->format = c.format;
	r->bytes = bytes;
	return GPU_RESP_OK_NODATA;
}

static uint32_t cmd_unref(struct gpu_dev *g, const struct gpu_req *rq)
{
	struct res_only c;
	struct gpu_resource *r;

	if (!gpu_req_read(rq, 0, &c, sizeof(c)))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if (g->so.res && g->so.res == c.resource_id)
		scanout_off(g);
	if (!(r = find(g, c.resource_id))) {
		struct gpu3d_res *r3 = gpu3d_find(g, c.resource_id);
		return r3 ? gpu3d_unref(g, r3) : GPU_RESP_ERR_INVALID_RESOURCE_ID;
	}
	release(g, r);
	return GPU_RESP_OK_NODATA;
}

/* A backing list of n entries at offset off of the request: read, each
 * entry checked to translate now, into the budget. */
uint32_t gpu_take_backing(struct gpu_dev *g, const struct gpu_req *rq, uint64_t off, uint32_t n,
			  struct gpu_entry **out, uint32_t *nent, uint64_t *len)
{
	struct gpu_entry *ent;
	uint64_t total = 0;

	if (!n || n > GPU_MAX_ENTRIES || (uint64_t)n * sizeof(struct mem_entry) > rq->len - off)
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if (!(ent = gpu_arena_alloc(&g->arena, (uint64_t)n * sizeof(*ent))))
		return GPU_RESP_ERR_OUT_OF_MEMORY;
	for (uint32_t i = 0; i < n; i++) {
		struct mem_entry m;
		bool ok;
		gpu_req_read(rq, off + (uint64_t)i * sizeof(m), &m, sizeof(m));
		/* Each entry in the partition's memory, as its DMA space
		 * reaches it now (it is translated again at every use). */
		ok = m.length != 0;
		for (uint64_t at = 0; ok && at < m.length;) {
			struct dma_seg seg[MAP_SEGS];
			uint64_t k = m.length - at;
			ok = m.addr + at >= m.addr && gpu_map_piece(g, m.addr + at, &k, seg) >= 0;
			at += k;
		}
		if (!ok) {
			gpu_arena_free(&g->arena, ent);
			return GPU_RESP_ERR_INVALID_PARAMETER;
		}
		ent[i] = (struct gpu_entry){ m.addr, total, m.length };
		total += m.length; /* at most 2^14 * 2^32 */
	}
	*out = ent;
	*nent = n;
	*len = total;
	return GPU_RESP_OK_NODATA;
}

static uint32_t cmd_attach(struct gpu_dev *g, const struct gpu_req *rq)
{
	struct attach c;
	struct gpu_resource *r;

	if (!gpu_req_read(rq, 0, &c, sizeof(c)))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if (!(r = find(g, c.resource_id))) {
		struct gpu3d_res *r3 = gpu3d_find(g, c.resource_id);
		return r3 ? gpu3d_attach(g, r3, rq, sizeof(c), c.nr_entries)
			  : GPU_RESP_ERR_INVALID_RESOURCE_ID;
	}
	if (r->blob)
		return GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (r->ent)
		return GPU_RESP_ERR_UNSPEC; /* detach first, as QEMU's device requires */
	return gpu_take_backing(g, rq, sizeof(c), c.nr_entries, &r->ent, &r->nent, &r->backing_len);
}

static uint32_t cmd_detach(struct gpu_dev *g, const struct gpu_req *rq)
{
	struct res_only c;
	struct gpu_resource *r;

	if (!gpu_req_read(rq, 0, &c, sizeof(c)))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if (!(r = find(g, c.resource_id))) {
		struct gpu3d_res *r3 = gpu3d_find(g, c.resource_id);
		return r3 ? gpu3d_detach(g, r3) : GPU_RESP_ERR_INVALID_RESOURCE_ID;
	}
	if (r->blob)
		return GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (!r->ent)
		return GPU_RESP_ERR_UNSPEC;
	gpu_arena_free(&g->arena, r->ent);
	r->ent = NULL;
	r->nent = 0;
	r->backing_len = 0;
	return GPU_RESP_OK_NODATA;
}

/* The scanout's rectangle: inside what it shows and no bigger than the
 * mode. */
static bool scanout_rect_ok(const struct gpu_dev *g, const struct gpu_rect *r, uint32_t w, uint32_t h)
{
	return r->width && r->height && r->width <= g->width && r->height <= g->height &&
	       gpu_rect_inside(r, w, h);
}

/* SET_SCANOUT and SET_SCANOUT_BLOB: the same up to resource_id (the
 * blob's request goes on with its framebuffer). */
static uint32_t cmd_set_scanout(struct gpu_dev *g, const struct gpu_req *rq, bool blob)
{
	struct scanout_blob c;
	struct gpu_resource *r;
	struct gpu_rect rect;

	memset(&c, 0, sizeof(c));
	if (!gpu_req_read(rq, 0, &c, blob ? sizeof(c) : sizeof(struct set_scanout)))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if (c.scanout_id != 0)
		return GPU_RESP_ERR_INVALID_SCANOUT_ID;
	if (!c.resource_id) { /* disable; the rectangle is not looked at */
		scanout_off(g);
		return GPU_RESP_OK_NODATA;
	}
	rect = rect_of(&c.r);
	if (!blob && !find(g, c.resource_id) && gpu3d_find(g, c.resource_id)) {
		/* A 3D resource: a 2D texture of 32-bit pixels, read back. */
		struct gpu3d_res *r3 = gpu3d_find(g, c.resource_id);
		if ((r3->target != 2 && r3->target != 5) || !gpu_format_ok(r3->format) ||
		    !scanout_rect_ok(g, &rect, r3->width, r3->height))
			return GPU_RESP_ERR_INVALID_PARAMETER;
		scanout_off(g);
		g->so = (struct gpu_scanout){ .res = r3->id, .v3 = true, .r = rect };
		return show_new(g, NULL) ? GPU_RESP_OK_NODATA : GPU_RESP_ERR_UNSPEC;
	}
	if (!(r = find(g, c.resource_id)) || r->blob != blob)
		return GPU_RESP_ERR_INVALID_RESOURCE_ID;
	/* A blob's framebuffer: one plane (the other strides and offsets are
	 * not used), inside the blob. */
	if (blob ? !gpu_format_ok(c.format) || !scanout_rect_ok(g, &rect, c.width, c.height) ||
		   !gpu_scanout_blob_ok(&rect, c.width, c.height, c.strides[0], c.offsets[0], r->bytes)
		 : !scanout_rect_ok(g, &rect, r->width, r->height))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	scanout_off(g);
	g->so = (struct gpu_scanout){ .res = r->id, .r = rect };
	if (blob)
		g->so = (struct gpu_scanout){ .res = r->id, .r = rect, .blob = true, .fb_width = c.width,
					      .fb_height = c.height, .stride = c.strides[0],
					      .offset = c.offsets[0] };
	return show_new(g, r) ? GPU_RESP_OK_NODATA : GPU_RESP_ERR_UNSPEC;
}

static uint32_t cmd_flush(struct gpu_dev *g, const struct gpu_req *rq)
{
	struct flush c;
	struct gpu_resource *r;
	struct gpu_rect rect;

	if (!gpu_req_read(rq, 0, &c, sizeof(c)))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	rect = rect_of(&c.r);
	if (!(r = find(g, c.resource_id))) {
		struct gpu3d_res *r3 = gpu3d_find(g, c.resource_id);
		if (!r3)
			return GPU_RESP_ERR_INVALID_RESOURCE_ID;
		if (!gpu_rect_inside(&rect, r3->width, r3->height))
			return GPU_RESP_ERR_INVALID_PARAMETER;
		g->st.flushes++;
		/* A 3D resource on the scanout is read back (so.v3): show()
		 * takes no 2D resource then. */
		if (g->so.res != r3->id || !g->so.v3)
			return GPU_RESP_OK_NODATA;
		return show(g, NULL, &rect) ? GPU_RESP_OK_NODATA : GPU_RESP_ERR_UNSPEC;
	}
	if (r->blob ? g->so.res == r->id && !gpu_rect_inside(&rect, g->so.fb_width, g->so.fb_height)
		    : !gpu_rect_inside(&rect, r->width, r->height))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	g->st.flushes++;
	if (g->so.res != r->id)
		return GPU_RESP_OK_NODATA; /* not on the scanout: nothing to show */
	return show(g, r, &rect) ? GPU_RESP_OK_NODATA : GPU_RESP_ERR_UNSPEC;
}

static uint32_t cmd_transfer(struct gpu_dev *g, const struct gpu_req *rq)
{
	struct transfer c;
	struct gpu_resource *r;
	struct gpu_rect rect;
	uint64_t stride, row;

	if (!gpu_req_read(rq, 0, &c, sizeof(c)))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if (!(r = find(g, c.resource_id)))
		return GPU_RESP_ERR_INVALID_RESOURCE_ID; /* 3D resources: TRANSFER_TO_HOST_3D */
	if (r->blob)
		return GPU_RESP_OK_NODATA; /* the scanout reads guest memory itself */
	if (!r->ent)
		return GPU_RESP_ERR_UNSPEC;
	rect = rect_of(&c.r);
	if (!gpu_transfer_ok(&rect, c.offset, r->width, r->height, r->backing_len))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	stride = (uint64_t)r->width * GPU_BPP;
	row = (uint64_t)rect.width * GPU_BPP;
	g->st.transfers++;
	if (rect.x == 0 && rect.width == r->width) { /* whole rows: one piece */
		uint64_t n = (uint64_t)rect.height * stride;
		if (!backing_copy(g, r, c.offset, NULL, n))
			return GPU_RESP_ERR_UNSPEC;
		backing_copy(g, r, c.offset, r->pixels + (uint64_t)rect.y * stride, n);
		g->st.bytes_in += n;
		return GPU_RESP_OK_NODATA;
	}
	for (uint32_t i = 0; i < rect.height; i++)
		if (!backing_copy(g, r, c.offset + i * stride, NULL, row))
			return GPU_RESP_ERR_UNSPEC;
	for (uint32_t i = 0; i < rect.height; i++)
		backing_copy(g, r, c.offset + i * stride,
			     r->pixels + (rect.y + i) * stride + (uint64_t)rect.x * GPU_BPP, row);
	g->st.bytes_in += row * rect.height;
	return GPU_RESP_OK_NODATA;
}

static uint32_t cmd_create_blob(struct gpu_dev *g, const struct gpu_req *rq)
{
	struct create_blob c;
	struct gpu_resource *r, tmp = { 0 };
	uint32_t st;

	if (!gpu_req_read(rq, 0, &c, sizeof(c)))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if (!c.resource_id || gpu_id_taken(g, c.resource_id))
		return GPU_RESP_ERR_INVALID_RESOURCE_ID;
	/* Guest memory only (no 3D, no host-visible memory): not mappable. */
	if (c.blob_mem != GPU_BLOB_MEM_GUEST || (c.blob_flags & ~6u) || !c.size)
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if (!(r = new_slot(g)))
		return GPU_RESP_ERR_OUT_OF_MEMORY;
	if ((st = gpu_take_backing(g, rq, sizeof(c), c.nr_entries, &tmp.ent, &tmp.nent,
				   &tmp.backing_len)) != GPU_RESP_OK_NODATA)
		return st;
	if (tmp.backing_len < c.size) {
		gpu_arena_free(&g->arena, tmp.ent);
		return GPU_RESP_ERR_INVALID_PARAMETER;
	}
	tmp.id = c.resource_id;
	tmp.blob = true;
	tmp.bytes = c.size;
	*r = tmp;
	return GPU_RESP_OK_NODATA;
}

static uint32_t cmd_get_edid(struct gpu_dev *g, const struct gpu_req *rq, uint8_t *resp, size_t max,
			     size_t *len)
{
	struct get_edid c;
	uint32_t size = EDID_LEN;

	if (!gpu_req_read(rq, 0, &c, sizeof(c)))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if (c.scanout != 0)
		return GPU_RESP_ERR_INVALID_SCANOUT_ID;
	if (max < 32 + 1024)
		return GPU_RESP_ERR_UNSPEC; /* no room for the response */
	memset(resp + GPU_HDR_LEN, 0, 32 + 1024 - GPU_HDR_LEN);
	memcpy(resp + 24, &size, 4);
	memcpy(resp + 32, g->edid, EDID_LEN);
	*len = 32 + 1024;
	return GPU_RESP_OK_EDID;
}

static uint32_t cmd_display_info(struct gpu_dev *g, uint8_t *resp, size_t max, size_t *len)
{
	const uint32_t one[6] = { 0, 0, g->width, g->height, 1, 0 };

	if (max < GPU_HDR_LEN + 16 * 24)
		return GPU_RESP_ERR_UNSPEC;
	memset(resp + GPU_HDR_LEN, 0, 16 * 24);
	memcpy(resp + GPU_HDR_LEN, one, sizeof(one));
	*len = GPU_HDR_LEN + 16 * 24;
	return GPU_RESP_OK_DISPLAY_INFO;
}

size_t gpu_ctrl(struct gpu_dev *g, const struct gpu_req *rq, uint8_t *resp, size_t max)
{
	struct hdr h = { 0 }, out = { 0 };
	size_t len = GPU_HDR_LEN;
	uint32_t st;

	if (max < GPU_HDR_LEN)
		return 0;
	g->st.commands++;
	if (!gpu_req_read(rq, 0, &h, sizeof(h))) {
		st = GPU_RESP_ERR_UNSPEC;
		h = (struct hdr){ 0 };
	} else {
		switch (h.type) {
		case GPU_CMD_GET_DISPLAY_INFO: st = cmd_display_info(g, resp, max, &len); break;
		case GPU_CMD_GET_EDID: st = cmd_get_edid(g, rq, resp, max, &len); break;
		case GPU_CMD_RESOURCE_CREATE_2D: st = cmd_create_2d(g, rq); break;
		case GPU_CMD_RESOURCE_UNREF: st = cmd_unref(g, rq); break;
		case GPU_CMD_SET_SCANOUT: st = cmd_set_scanout(g, rq, false); break;
		case GPU_CMD_RESOURCE_FLUSH: st = cmd_flush(g, rq); break;
		case GPU_CMD_TRANSFER_TO_HOST_2D: st = cmd_transfer(g, rq); break;
		case GPU_CMD_RESOURCE_ATTACH_BACKING: st = cmd_attach(g, rq); break;
		case GPU_CMD_RESOURCE_DETACH_BACKING: st = cmd_detach(g, rq); break;
		case GPU_CMD_RESOURCE_CREATE_BLOB: st = cmd_create_blob(g, rq); break;
		case GPU_CMD_SET_SCANOUT_BLOB: st = cmd_set_scanout(g, rq, true); break;
		case GPU_CMD_GET_CAPSET_INFO:
		case GPU_CMD_GET_CAPSET:
		case GPU_CMD_CTX_CREATE:
		case GPU_CMD_CTX_DESTROY:
		case GPU_CMD_CTX_ATTACH_RESOURCE:
		case GPU_CMD_CTX_DETACH_RESOURCE:
		case GPU_CMD_RESOURCE_CREATE_3D:
		case GPU_CMD_TRANSFER_TO_HOST_3D:
		case GPU_CMD_TRANSFER_FROM_HOST_3D:
		case GPU_CMD_SUBMIT_3D:
			if (gpu3d_on(g))
				st = gpu3d_ctrl(g, h.type, rq, resp, max, &len);
			else /* 2D: num_capsets is 0, there is nothing to ask for */
				st = h.type < GPU_CMD_CTX_CREATE ? GPU_RESP_ERR_INVALID_PARAMETER
								 : GPU_RESP_ERR_UNSPEC;
			break;
		default: st = GPU_RESP_ERR_UNSPEC; break;
		}
	}
	if (st >= GPU_RESP_ERR_UNSPEC) {
		len = GPU_HDR_LEN;
		g->st.errors++;
	}
	/* The fence is echoed ([VIRTIO] 5.7.6.6): the command is complete. */
	out.type = st;
	if (h.flags & GPU_FLAG_FENCE) {
		out.flags = GPU_FLAG_FENCE;
		out.fence_id = h.fence_id;
	}
	out.ctx_id = h.ctx_id;
	memcpy(resp, &out, sizeof(out));
	return len;
}

void gpu_cursor(struct gpu_dev *g, const struct gpu_req *rq)
{
	struct cursor_req c;
	const struct gpu_resource *r;

	g->st.commands++;
	if (!gpu_req_read(rq, 0, &c, sizeof(c)) || c.scanout_id != 0 ||
	    (c.h.type != GPU_CMD_UPDATE_CURSOR && c.h.type != GPU_CMD_MOVE_CURSOR)) {
		g->st.errors++;
		return;
	}
	r = find(g, c.resource_id);
	if (c.h.type == GPU_CMD_UPDATE_CURSOR && c.resource_id &&
	    (!r || r->blob || r->width != COMP_CURSOR || r->height != COMP_CURSOR ||
	     c.hot_x >= COMP_CURSOR || c.hot_y >= COMP_CURSOR)) {
		g->st.errors++;
		return;
	}
	/* Positions are the guest's, anywhere in 32 bits: the compositor
	 * clips the image to the window. */
	g->cursor_x = (int32_t)c.x;
	g->cursor_y = (int32_t)c.y;
	if (c.h.type == GPU_CMD_MOVE_CURSOR || !c.resource_id) {
		if (c.h.type == GPU_CMD_UPDATE_CURSOR)
			g->cursor_res = 0;
		cursor_show(g, NULL);
		return;
	}
	g->cursor_res = r->id;
	g->hot_x = c.hot_x;
	g->hot_y = c.hot_y;
	cursor_show(g, r->pixels);
}

void gpu_init(struct gpu_dev *g, const struct dma_space *dma, uint32_t width, uint32_t height,
	      const char *name, uint8_t *arena, uint64_t arena_size, struct display *disp,
	      struct comp_window *win)
{
	memset(g, 0, sizeof(*g));
	g->dma = dma;
	g->width = width;
	g->height = height;
	edid_build(g->edid, width, height, 60, name);
	gpu_arena_init(&g->arena, arena, arena_size);
	g->disp = win ? disp : NULL;
	g->win = disp ? win : NULL;
}

void gpu_reset(struct gpu_dev *g)
{
	scanout_off(g);
	gpu3d_reset(g);
	memset(g->res, 0, sizeof(g->res));
	gpu_arena_init(&g->arena, g->arena.base, g->arena.size);
	g->cursor_res = 0;
	g->cursor_x = g->cursor_y = 0;
	g->hot_x = g->hot_y = 0;
	scanout_off(g);
}
