/* virtio-gpu 3D (GPU3D-1..5): a partition's virgl contexts and resources
 * at the render backend (include/hv/gpu_host.h), decoded and checked here,
 * then sent as the hypervisor's own commands.
 *
 * Isolation: the partition names contexts and resources by its own ids;
 * the backend knows them by ids the hypervisor gives (a resource's holds
 * its partition's index and its slot, a context's likewise), so a
 * partition can name only its own. A SUBMIT_3D's commands are copied into
 * the hypervisor before they are walked (include/hv/virgl_stream.h) and
 * every resource handle in them is translated; anything unknown refuses
 * the whole submit. Transfer boxes and strides are checked against the
 * resource and its backing, and a backing's pages against the partition's
 * memory (its DMA space) each time they are handed to the backend. The
 * partition file bounds its contexts, resources and their memory; its
 * reset or stop destroys everything it had at the backend.
 *
 * Locking: the device's lock, then display.lock (readback), then lock3d
 * (the copy buffers below), then the backend's. */
#include "gpu_priv.h"
#include <hv/arch.h>
#include <hv/gpu_host.h>
#include <hv/log.h>
#include <hv/virgl_stream.h>
#include <stdio.h>
#include <string.h>

struct hdr {
	uint32_t type, flags;
	uint64_t fence_id;
	uint32_t ctx_id, pad;
};
struct ctx_create {
	struct hdr h;
	uint32_t nlen, context_init;
	char name[64];
};
struct ctx_res {
	struct hdr h;
	uint32_t resource_id, pad;
};
struct create_3d {
	struct hdr h;
	uint32_t resource_id, target, format, bind, width, height, depth, array_size, last_level,
		nr_samples, flags, pad;
};
struct box {
	uint32_t x, y, z, w, h, d;
};
struct transfer_3d {
	struct hdr h;
	struct box box;
	uint64_t offset;
	uint32_t resource_id, level, stride, layer_stride;
};
struct submit {
	struct hdr h;
	uint32_t size, pad;
};
struct capset_info {
	struct hdr h;
	uint32_t index, pad;
};
struct capset_info_resp {
	struct hdr h;
	uint32_t id, max_version, max_size, pad;
};
struct capset_req {
	struct hdr h;
	uint32_t id, version;
};
struct attach {
	struct hdr h;
	uint32_t resource_id, nr_entries;
};
struct mem_entry {
	uint64_t addr;
	uint32_t length, pad;
};
_Static_assert(sizeof(struct ctx_create) == 96, "virtio_gpu_ctx_create");
_Static_assert(sizeof(struct create_3d) == 72, "virtio_gpu_resource_create_3d");
_Static_assert(sizeof(struct transfer_3d) == 72, "virtio_gpu_transfer_host_3d");
_Static_assert(sizeof(struct submit) == 32, "virtio_gpu_cmd_submit");
_Static_assert(sizeof(struct capset_info_resp) == 40, "virtio_gpu_resp_capset_info");

#define PIPE_BUFFER 0
#define PIPE_MAX_TARGET 8 /* PIPE_TEXTURE_CUBE_ARRAY */
#define MAX_SIZE 16384
#define MAX_LAYERS 2048
#define MAX_LEVELS 15
#define MAX_SAMPLES 16
#define RES_FLAGS 7u /* Y_0_TOP, MAP_PERSISTENT, MAP_COHERENT */
#define HOST_ENTRIES 16384 /* a backing's pieces as the backend gets them */

static spinlock_t lock3d;
static uint32_t cmdbuf[GPU3D_CMDBUF_MAX / 4] HV_NOINIT;
static struct mem_entry host_ent[HOST_ENTRIES] HV_NOINIT;
static uint8_t host_resp[GPU_HDR_LEN] __attribute__((aligned(16)));

/* ---- ids ---- */

static uint32_t host_res(const struct gpu_dev *g, const struct gpu3d_res *r)
{
	return ((g->v3.part + 1) << 16) | (uint32_t)(r - g->v3.res + 1);
}

static uint32_t host_ctx(const struct gpu_dev *g, unsigned slot)
{
	return g->v3.part * GPU3D_MAX_CTX + slot + 1;
}

/* The first position in by_id whose resource's id is not below id: a
 * binary search, so a lookup costs at most 11 steps however many
 * resources there are and whatever ids the partition picked (a submit
 * looks up every handle in it under the global lock3d). */
static unsigned by_id_pos(const struct gpu_dev *g, uint32_t id)
{
	unsigned lo = 0, hi = g->v3.nres;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (g->v3.res[g->v3.by_id[mid]].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct gpu3d_res *gpu3d_find(struct gpu_dev *g, uint32_t id)
{
	unsigned i;

	if (!id || !g->v3.res)
		return NULL;
	i = by_id_pos(g, id);
	return i < g->v3.nres && g->v3.res[g->v3.by_id[i]].id == id ? &g->v3.res[g->v3.by_id[i]] : NULL;
}

/* r, its id just set, into by_id; out again before its slot is cleared. */
static void by_id_add(struct gpu_dev *g, const struct gpu3d_res *r)
{
	unsigned i = by_id_pos(g, r->id);

	memmove(&g->v3.by_id[i + 1], &g->v3.by_id[i], (g->v3.nres - i) * sizeof(g->v3.by_id[0]));
	g->v3.by_id[i] = (uint16_t)(r - g->v3.res);
	g->v3.nres++;
}

static void by_id_del(struct gpu_dev *g, const struct gpu3d_res *r)
{
	unsigned i = by_id_pos(g, r->id);

	g->v3.nres--;
	memmove(&g->v3.by_id[i], &g->v3.by_id[i + 1], (g->v3.nres - i) * sizeof(g->v3.by_id[0]));
}

/* The slot of the partition's context id, or -1. */
static int ctx_slot(const struct gpu_dev *g, uint32_t id)
{
	if (!id)
		return -1;
	for (unsigned i = 0; i < g->v3.lim.contexts; i++)
		if (g->v3.ctx[i] == id)
			return (int)i;
	return -1;
}

/* ---- the backend ---- */

static struct hdr host_hdr(uint32_t type, uint32_t ctx)
{
	return (struct hdr){ type, 0, 0, ctx, 0 };
}

/* A command of the hypervisor's whose answer has no data: its type. */
static uint32_t send(const void *req, size_t len, const void *data, size_t dlen)
{
	uint32_t t = gpu_host_cmd(req, len, data, dlen, host_resp, sizeof(host_resp), NULL);

	/* The backend's own failure is not the partition's fault, and its
	 * codes are not passed on unchecked. */
	if (t == GPU_RESP_OK_NODATA || (t >= GPU_RESP_ERR_UNSPEC && t <= GPU_RESP_ERR_INVALID_PARAMETER))
		return t;
	return GPU_RESP_ERR_UNSPEC;
}

static uint32_t host_unref(uint32_t id)
{
	struct ctx_res c = { host_hdr(GPU_CMD_RESOURCE_UNREF, 0), id, 0 };
	return send(&c, sizeof(c), NULL, 0);
}

static uint32_t host_detach(uint32_t id)
{
	struct ctx_res c = { host_hdr(GPU_CMD_RESOURCE_DETACH_BACKING, 0), id, 0 };
	return send(&c, sizeof(c), NULL, 0);
}

/* r's backing, translated again now, to the backend. lock3d held. */
static uint32_t host_attach(struct gpu_dev *g, struct gpu3d_res *r)
{
	struct attach a = { host_hdr(GPU_CMD_RESOURCE_ATTACH_BACKING, 0), host_res(g, r), 0 };
	uint32_t n = 0, st;

	r->at_host = false;
	r->gen = g->dma->gen;
	for (uint32_t i = 0; i < r->nent; i++) {
		const struct gpu_entry *e = &r->ent[i];
		for (uint64_t at = 0; at < e->len;) {
			struct dma_seg seg[MAP_SEGS];
			uint64_t k = e->len - at;
			int m = gpu_map_piece(g, e->addr + at, &k, seg);
			if (m < 0)
				return GPU_RESP_ERR_INVALID_PARAMETER;
			for (int j = 0; j < m; j++) {
				uint64_t pa = arch_virt_to_phys(seg[j].p);
				if (n && host_ent[n - 1].addr + host_ent[n - 1].length == pa &&
				    (uint64_t)host_ent[n - 1].length + seg[j].len <= UINT32_MAX) {
					host_ent[n - 1].length += seg[j].len;
					continue;
				}
				if (n == HOST_ENTRIES)
					return GPU_RESP_ERR_OUT_OF_MEMORY;
				host_ent[n++] = (struct mem_entry){ pa, seg[j].len, 0 };
			}
			at += k;
		}
	}
	a.nr_entries = n;
	st = send(&a, sizeof(a), host_ent, (size_t)n * sizeof(host_ent[0]));
	r->at_host = st == GPU_RESP_OK_NODATA;
	return st;
}

/* Before the backend touches r's backing (a transfer): when the
 * partition's DMA space changed since the backend got it (its IOMMU
 * unmapped or remapped pages), the backend drops it and gets it translated
 * anew; a page no longer reachable fails the transfer and leaves the
 * backend without any of it (IOMMU-12). lock3d held. */
static uint32_t host_backing_current(struct gpu_dev *g, struct gpu3d_res *r)
{
	if (r->at_host && r->gen == g->dma->gen)
		return GPU_RESP_OK_NODATA;
	if (r->at_host)
		host_detach(host_res(g, r));
	return host_attach(g, r);
}

/* ---- formats: bytes a pixel (budgets and transfer ranges) ---- */

/* 0: not known here. */
static uint32_t format_bpp(uint32_t f)
{
	switch (f) {
	case 1: case 2: case 3: case 4:   /* B8G8R8A8 .. X8R8G8B8 */
	case 19: case 20: case 21:        /* the 24/8 depth-stencil formats */
	case 67: case 68: case 121: case 134: /* R8G8B8A8, X8B8G8R8, A8B8G8R8, R8G8B8X8 */
		return 4;
	case 64: /* R8_UNORM: buffers */
		return 1;
	default:
		return 0;
	}
}

static uint32_t dim(uint32_t size, uint32_t level)
{
	size >>= level;
	return size ? size : 1;
}

/* ---- the commands ---- */

static uint32_t cmd_ctx_create(struct gpu_dev *g, const struct gpu_req *rq)
{
	struct ctx_create c, h;
	int slot = -1;
	uint32_t st;

	if (!gpu_req_read(rq, 0, &c, sizeof(c)) || c.context_init)
		return GPU_RESP_ERR_INVALID_PARAMETER; /* CONTEXT_INIT is not offered */
	if (!c.h.ctx_id || ctx_slot(g, c.h.ctx_id) >= 0)
		return GPU_RESP_ERR_INVALID_CONTEXT_ID;
	for (unsigned i = 0; i < g->v3.lim.contexts && slot < 0; i++)
		if (!g->v3.ctx[i])
			slot = (int)i;
	if (slot < 0)
		return GPU_RESP_ERR_OUT_OF_MEMORY;
	/* The backend's name for it is the hypervisor's, not the partition's. */
	memset(&h, 0, sizeof(h));
	h.h = host_hdr(GPU_CMD_CTX_CREATE, host_ctx(g, (unsigned)slot));
	h.nlen = (uint32_t)snprintf(h.name, sizeof(h.name), "p%u.%u", g->v3.part, c.h.ctx_id);
	if ((st = send(&h, sizeof(h), NULL, 0)) == GPU_RESP_OK_NODATA)
		g->v3.ctx[slot] = c.h.ctx_id;
	return st;
}

static void ctx_drop(struct gpu_dev *g, unsigned slot)
{
	struct hdr h = host_hdr(GPU_CMD_CTX_DESTROY, host_ctx(g, slot));

	send(&h, sizeof(h), NULL, 0);
	g->v3.ctx[slot] = 0;
	for (unsigned i = 0; i < g->v3.lim.resources; i++)
		g->v3.res[i].ctx_mask &= ~(1u << slot);
}

static uint32_t cmd_ctx_destroy(struct gpu_dev *g, const struct gpu_req *rq)
{
	struct hdr h;
	int slot;

	if (!gpu_req_read(rq, 0, &h, sizeof(h)))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if ((slot = ctx_slot(g, h.ctx_id)) < 0)
		return GPU_RESP_ERR_INVALID_CONTEXT_ID;
	ctx_drop(g, (unsigned)slot);
	return GPU_RESP_OK_NODATA;
}

static uint32_t cmd_ctx_resource(struct gpu_dev *g, const struct gpu_req *rq, bool attach)
{
	struct ctx_res c;
	struct gpu3d_res *r;
	int slot;
	uint32_t st;

	if (!gpu_req_read(rq, 0, &c, sizeof(c)))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if ((slot = ctx_slot(g, c.h.ctx_id)) < 0)
		return GPU_RESP_ERR_INVALID_CONTEXT_ID;
	if (!(r = gpu3d_find(g, c.resource_id)))
		/* A 2D resource lives in the hypervisor: nothing to attach at
		 * the backend (Linux attaches every buffer it opens). */
		return gpu_id_taken(g, c.resource_id) ? GPU_RESP_OK_NODATA
						       : GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (attach == !!(r->ctx_mask & (1u << slot)))
		return GPU_RESP_OK_NODATA;
	c.h = host_hdr(attach ? GPU_CMD_CTX_ATTACH_RESOURCE : GPU_CMD_CTX_DETACH_RESOURCE,
		       host_ctx(g, (unsigned)slot));
	c.resource_id = host_res(g, r);
	c.pad = 0;
	if ((st = send(&c, sizeof(c), NULL, 0)) == GPU_RESP_OK_NODATA)
		r->ctx_mask ^= 1u << slot;
	return st;
}

static uint32_t cmd_create_3d(struct gpu_dev *g, const struct gpu_req *rq)
{
	struct create_3d c;
	struct gpu3d_res *r = NULL;
	uint64_t bytes, bpp;
	uint32_t st;

	if (!gpu_req_read(rq, 0, &c, sizeof(c)))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if (!c.resource_id || gpu_id_taken(g, c.resource_id))
		return GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (c.target > PIPE_MAX_TARGET || !c.width || !c.height || !c.depth || !c.array_size ||
	    c.width > MAX_SIZE || c.height > MAX_SIZE || c.depth > MAX_LAYERS ||
	    c.array_size > MAX_LAYERS || c.last_level >= MAX_LEVELS || c.nr_samples > MAX_SAMPLES ||
	    (c.flags & ~RES_FLAGS) ||
	    (c.target == PIPE_BUFFER && (c.height != 1 || c.depth != 1 || c.array_size != 1)))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	/* What it may take at the backend, at most: every level (a mipmap
	 * chain is under twice its first level), every sample; a format not
	 * known here counts as 16 bytes a pixel. */
	bpp = format_bpp(c.format) ? format_bpp(c.format) : 16;
	bytes = (uint64_t)c.width * c.height * c.depth * c.array_size * bpp *
		(c.nr_samples ? c.nr_samples : 1) * (c.last_level ? 2 : 1);
	for (unsigned i = 0; i < g->v3.lim.resources && !r; i++)
		if (!g->v3.res[i].id)
			r = &g->v3.res[i];
	if (!r || bytes > g->v3.lim.memory - g->v3.used)
		return GPU_RESP_ERR_OUT_OF_MEMORY;
	{
		struct create_3d h = c;
		h.h = host_hdr(GPU_CMD_RESOURCE_CREATE_3D, 0);
		h.resource_id = host_res(g, r);
		h.pad = 0;
		if ((st = send(&h, sizeof(h), NULL, 0)) != GPU_RESP_OK_NODATA)
			return st;
	}
	*r = (struct gpu3d_res){ .id = c.resource_id, .target = c.target, .format = c.format,
				 .bind = c.bind, .width = c.width, .height = c.height, .depth = c.depth,
				 .array_size = c.array_size, .last_level = c.last_level,
				 .nr_samples = c.nr_samples, .bytes = bytes };
	g->v3.used += bytes;
	by_id_add(g, r);
	return GPU_RESP_OK_NODATA;
}

uint32_t gpu3d_unref(struct gpu_dev *g, struct gpu3d_res *r)
{
	host_unref(host_res(g, r)); /* the backend detaches it from every context */
	gpu_arena_free(&g->arena, r->ent);
	g->v3.used -= r->bytes;
	by_id_del(g, r);
	*r = (struct gpu3d_res){ 0 };
	return GPU_RESP_OK_NODATA;
}

uint32_t gpu3d_attach(struct gpu_dev *g, struct gpu3d_res *r, const struct gpu_req *rq, uint64_t off,
		      uint32_t n)
{
	uint32_t st;

	if (r->ent)
		return GPU_RESP_ERR_UNSPEC; /* detach first */
	if ((st = gpu_take_backing(g, rq, off, n, &r->ent, &r->nent, &r->backing_len)) !=
	    GPU_RESP_OK_NODATA)
		return st;
	spin_lock(&lock3d);
	st = host_attach(g, r);
	spin_unlock(&lock3d);
	if (st != GPU_RESP_OK_NODATA) {
		gpu_arena_free(&g->arena, r->ent);
		r->ent = NULL;
		r->nent = 0;
		r->backing_len = 0;
	}
	return st;
}

uint32_t gpu3d_detach(struct gpu_dev *g, struct gpu3d_res *r)
{
	if (!r->ent)
		return GPU_RESP_ERR_UNSPEC;
	host_detach(host_res(g, r));
	gpu_arena_free(&g->arena, r->ent);
	r->ent = NULL;
	r->nent = 0;
	r->backing_len = 0;
	r->at_host = false;
	return GPU_RESP_OK_NODATA;
}

/* The bytes of the backing a transfer of box (at level) with these
 * strides touches end inside it, and the box is inside the resource. */
static bool transfer_ok(const struct gpu3d_res *r, const struct transfer_3d *t)
{
	const struct box *b = &t->box;
	uint32_t bpp = r->target == PIPE_BUFFER ? 1 : format_bpp(r->format);
	uint32_t layers = r->target == 3 ? dim(r->depth, t->level) /* PIPE_TEXTURE_3D */
					 : r->array_size * (r->target == 4 ? 6 : 1); /* cube */
	uint64_t row, stride, lstride, end;

	if (t->level > r->last_level || !b->w || !b->h || !b->d ||
	    b->x > dim(r->width, t->level) || b->w > dim(r->width, t->level) - b->x ||
	    b->y > dim(r->height, t->level) || b->h > dim(r->height, t->level) - b->y ||
	    b->z > layers || b->d > layers - b->z)
		return false;
	/* A format not known here: its rows are at least a byte a pixel. */
	row = (uint64_t)b->w * (bpp ? bpp : 1);
	stride = t->stride ? t->stride : row;
	lstride = t->layer_stride ? t->layer_stride : stride * b->h;
	if ((b->h > 1 && stride < row) || (b->d > 1 && lstride < stride * b->h))
		return false;
	end = t->offset + (uint64_t)(b->d - 1) * lstride + (uint64_t)(b->h - 1) * stride + row;
	return t->offset <= r->backing_len && end <= r->backing_len && end > t->offset;
}

static uint32_t cmd_transfer_3d(struct gpu_dev *g, const struct gpu_req *rq, uint32_t type)
{
	struct transfer_3d c;
	struct gpu3d_res *r;
	int slot = -1;

	if (!gpu_req_read(rq, 0, &c, sizeof(c)))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if (c.h.ctx_id && (slot = ctx_slot(g, c.h.ctx_id)) < 0)
		return GPU_RESP_ERR_INVALID_CONTEXT_ID;
	/* In a context: one of the resources attached to it (the backend
	 * looks it up there). */
	if (!(r = gpu3d_find(g, c.resource_id)) || (slot >= 0 && !(r->ctx_mask & (1u << slot))))
		return GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (!r->ent)
		return GPU_RESP_ERR_UNSPEC;
	if (!transfer_ok(r, &c))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	g->v3.st.transfers++;
	c.h = host_hdr(type, slot < 0 ? 0 : host_ctx(g, (unsigned)slot));
	c.resource_id = host_res(g, r);
	spin_lock(&lock3d);
	uint32_t st = host_backing_current(g, r);
	if (st == GPU_RESP_OK_NODATA)
		st = send(&c, sizeof(c), NULL, 0);
	spin_unlock(&lock3d);
	return st;
}

struct map_arg {
	struct gpu_dev *g;
};

static uint32_t map_handle(void *arg, uint32_t h)
{
	struct gpu_dev *g = ((struct map_arg *)arg)->g;
	struct gpu3d_res *r = gpu3d_find(g, h);

	return r ? host_res(g, r) : 0;
}

static uint32_t cmd_submit(struct gpu_dev *g, const struct gpu_req *rq)
{
	struct submit c;
	struct virgl_stream_result res;
	struct map_arg arg = { g };
	int slot;
	uint32_t st;

	if (!gpu_req_read(rq, 0, &c, sizeof(c)))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if ((slot = ctx_slot(g, c.h.ctx_id)) < 0)
		return GPU_RESP_ERR_INVALID_CONTEXT_ID;
	if ((c.size & 3) || c.size > GPU3D_CMDBUF_MAX || c.size > rq->len - sizeof(c)) {
		g->v3.st.refused++;
		return GPU_RESP_ERR_INVALID_PARAMETER;
	}
	if (!c.size)
		return GPU_RESP_OK_NODATA;
	spin_lock(&lock3d);
	gpu_req_read(rq, sizeof(c), cmdbuf, c.size); /* the copy the backend gets */
	res = virgl_stream_translate(cmdbuf, c.size / 4, map_handle, &arg, g->v3.lim.gl_errors);
	if (res.err != VS_OK) {
		spin_unlock(&lock3d);
		g->v3.st.refused++;
		return GPU_RESP_ERR_INVALID_PARAMETER;
	}
	c.h = host_hdr(GPU_CMD_SUBMIT_3D, host_ctx(g, (unsigned)slot));
	c.pad = 0;
	st = send(&c, sizeof(c), cmdbuf, c.size);
	spin_unlock(&lock3d);
	g->v3.st.submits++;
	g->v3.st.dwords += c.size / 4;
	return st;
}

static uint32_t cmd_capset_info(struct gpu_dev *g, const struct gpu_req *rq, uint8_t *resp,
				size_t max, size_t *len)
{
	const struct gpu_host_capset *caps;
	unsigned n = gpu_host_capsets(&caps);
	struct capset_info c;
	struct capset_info_resp out;

	(void)g;
	if (!gpu_req_read(rq, 0, &c, sizeof(c)) || c.index >= n)
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if (max < sizeof(out))
		return GPU_RESP_ERR_UNSPEC;
	memset(&out, 0, sizeof(out));
	out.id = caps[c.index].id;
	out.max_version = caps[c.index].max_version;
	out.max_size = caps[c.index].max_size;
	memcpy(resp, &out, sizeof(out));
	*len = sizeof(out);
	return GPU_RESP_OK_CAPSET_INFO;
}

static uint32_t cmd_capset(struct gpu_dev *g, const struct gpu_req *rq, uint8_t *resp, size_t max,
			   size_t *len)
{
	const struct gpu_host_capset *caps, *cs = NULL;
	unsigned n = gpu_host_capsets(&caps);
	struct capset_req c;
	size_t got = 0;

	(void)g;
	if (!gpu_req_read(rq, 0, &c, sizeof(c)))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	for (unsigned i = 0; i < n; i++)
		if (caps[i].id == c.id && c.version <= caps[i].max_version)
			cs = &caps[i];
	if (!cs)
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if (max < GPU_HDR_LEN + cs->max_size)
		return GPU_RESP_ERR_UNSPEC; /* no room for it */
	c.h = host_hdr(GPU_CMD_GET_CAPSET, 0);
	if (gpu_host_cmd(&c, sizeof(c), NULL, 0, resp, GPU_HDR_LEN + cs->max_size, &got) !=
	    GPU_RESP_OK_CAPSET)
		return GPU_RESP_ERR_UNSPEC;
	/* What the backend did not write is zero, not stale bytes. */
	memset(resp + got, 0, GPU_HDR_LEN + cs->max_size - got);
	*len = GPU_HDR_LEN + cs->max_size;
	return GPU_RESP_OK_CAPSET;
}

uint32_t gpu3d_ctrl(struct gpu_dev *g, uint32_t t, const struct gpu_req *rq, uint8_t *resp,
		    size_t max, size_t *len)
{
	switch (t) {
	case GPU_CMD_GET_CAPSET_INFO: return cmd_capset_info(g, rq, resp, max, len);
	case GPU_CMD_GET_CAPSET: return cmd_capset(g, rq, resp, max, len);
	case GPU_CMD_CTX_CREATE: return cmd_ctx_create(g, rq);
	case GPU_CMD_CTX_DESTROY: return cmd_ctx_destroy(g, rq);
	case GPU_CMD_CTX_ATTACH_RESOURCE: return cmd_ctx_resource(g, rq, true);
	case GPU_CMD_CTX_DETACH_RESOURCE: return cmd_ctx_resource(g, rq, false);
	case GPU_CMD_RESOURCE_CREATE_3D: return cmd_create_3d(g, rq);
	case GPU_CMD_TRANSFER_TO_HOST_3D:
	case GPU_CMD_TRANSFER_FROM_HOST_3D: return cmd_transfer_3d(g, rq, t);
	case GPU_CMD_SUBMIT_3D: return cmd_submit(g, rq);
	default: return GPU_RESP_ERR_UNSPEC;
	}
}

/* ---- the scanout: read back into the window's shadow ---- */

bool gpu3d_readback(struct gpu_dev *g, struct gpu3d_res *r, const struct gpu_rect *a)
{
	struct comp_window *w = g->win;
	uint32_t wstride = w->rect.width * GPU_BPP, id;
	struct attach at;
	struct mem_entry e;
	struct transfer_3d t;
	bool ok;

	if (!r)
		return false;
	id = host_res(g, r);
	at = (struct attach){ host_hdr(GPU_CMD_RESOURCE_ATTACH_BACKING, 0), id, 1 };
	e = (struct mem_entry){ arch_virt_to_phys(w->shadow), wstride * w->rect.height, 0 };
	t = (struct transfer_3d){ host_hdr(GPU_CMD_TRANSFER_FROM_HOST_3D, 0),
				  { a->x, a->y, 0, a->width, a->height, 1 },
				  (uint64_t)(a->y - g->so.r.y) * wstride +
					  (uint64_t)(a->x - g->so.r.x) * GPU_BPP,
				  id, 0, wstride, 0 };
	/* For the time of one transfer the backing is the shadow; the
	 * partition's goes back to the backend before its next transfer
	 * (host_backing_current). */
	spin_lock(&lock3d);
	if (r->at_host)
		host_detach(id);
	r->at_host = false;
	ok = send(&at, sizeof(at), &e, sizeof(e)) == GPU_RESP_OK_NODATA &&
	     send(&t, sizeof(t), NULL, 0) == GPU_RESP_OK_NODATA;
	host_detach(id);
	spin_unlock(&lock3d);
	g->v3.st.readbacks++;
	return ok;
}

/* ---- life ---- */

void gpu3d_init(struct gpu_dev *g, unsigned part, const struct gpu3d_limits *lim,
		struct gpu3d_res *table)
{
	g->v3 = (struct gpu3d){ .part = part, .lim = *lim, .res = table };
	if (lim->contexts > GPU3D_MAX_CTX)
		g->v3.lim.contexts = GPU3D_MAX_CTX;
	if (lim->resources > GPU3D_MAX_RES)
		g->v3.lim.resources = GPU3D_MAX_RES;
	memset(table, 0, (size_t)g->v3.lim.resources * sizeof(*table));
	g->v3.on = table && gpu_host_has_3d();
}

bool gpu3d_on(const struct gpu_dev *g)
{
	return g->v3.on;
}

void gpu3d_reset(struct gpu_dev *g)
{
	if (!g->v3.res)
		return;
	for (unsigned i = 0; i < g->v3.lim.resources; i++)
		if (g->v3.res[i].id)
			gpu3d_unref(g, &g->v3.res[i]);
	for (unsigned i = 0; i < g->v3.lim.contexts; i++)
		if (g->v3.ctx[i])
			ctx_drop(g, i);
	g->v3.used = 0;
	g->v3.nres = 0;
}
