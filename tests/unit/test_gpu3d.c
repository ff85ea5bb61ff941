/* virtio-gpu 3D (core/gpu3d.c) and the virgl stream walker
 * (core/virgl_stream.c) over the fake render backend
 * (tests/fake/gpu_host_fake.c): VIRGL and the capsets are the backend's,
 * two partitions' contexts and resources reach it under ids of their own,
 * command buffers are copied and their handles translated, every check on
 * transfers and submits refuses before anything is sent, the partition
 * file's limits hold, and a reset destroys all the partition had.
 * proves: GPU3D-1, GPU3D-2, GPU3D-3, GPU3D-4, GPU3D-5 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "arch_fake.h"
#include "gpu_host_fake.h"
#include <hv/gpu.h>
#include <hv/virgl_stream.h>
#include "../../core/gpu_priv.h"

#define RAM_IOVA 0x40000000ull
#define RAM_SIZE (4u << 20)

static uint8_t *ram;
static struct dma_space dma;
static uint8_t arena_a[1 << 20], arena_b[1 << 20];
static struct gpu3d_res tab_a[8], tab_b[8];
static struct gpu_dev a, b;
static const struct gpu3d_limits lim = { 2, 8, 4 << 20, false };

static int setup(void **state)
{
	struct dma_range r = { RAM_IOVA, RAM_SIZE, NULL, DMA_BIDIR };

	(void)state;
	fake_mem_init(RAM_SIZE);
	ram = fake_phys_mem;
	memset(ram, 0, RAM_SIZE);
	r.host = ram;
	assert_int_equal(dma_space_init(&dma, &r, 1), 0);
	gpu_fake.has_3d = true;
	gpu_fake_reset();
	gpu_init(&a, &dma, 64, 64, "a", arena_a, sizeof(arena_a), NULL, NULL);
	gpu_init(&b, &dma, 64, 64, "b", arena_b, sizeof(arena_b), NULL, NULL);
	gpu3d_init(&a, 0, &lim, tab_a);
	gpu3d_init(&b, 1, &lim, tab_b);
	return 0;
}

/* ---- requests ---- */

struct req {
	uint8_t b[1 << 19];
	size_t len;
};
static struct req q;
static uint8_t resp[GPU_RESP_MAX];
static size_t resp_len;

static void put32(uint32_t v) { memcpy(q.b + q.len, &v, 4); q.len += 4; }
static void put64(uint64_t v) { memcpy(q.b + q.len, &v, 8); q.len += 8; }

static void hdr(uint32_t type, uint32_t ctx)
{
	q.len = 0;
	put32(type);
	put32(0);
	put64(0);
	put32(ctx);
	put32(0);
}

static uint32_t send(struct gpu_dev *g)
{
	struct dma_seg seg = { q.b, (uint32_t)q.len };
	uint32_t t;

	resp_len = gpu_ctrl(g, &(struct gpu_req){ &seg, 1, q.len }, resp, sizeof(resp));
	memcpy(&t, resp, 4);
	return t;
}

static uint32_t ctx_create(struct gpu_dev *g, uint32_t ctx)
{
	hdr(GPU_CMD_CTX_CREATE, ctx);
	put32(4);
	put32(0);
	memcpy(q.b + q.len, "evil\n\0", 6);
	q.len += 64;
	return send(g);
}

static uint32_t create_3d(struct gpu_dev *g, uint32_t id, uint32_t target, uint32_t fmt, uint32_t w,
			  uint32_t h)
{
	hdr(GPU_CMD_RESOURCE_CREATE_3D, 0);
	put32(id);
	put32(target);
	put32(fmt);
	put32(2); /* bind: render target */
	put32(w);
	put32(h);
	put32(1);
	put32(1);
	put32(0);
	put32(0);
	put32(0);
	put32(0);
	return send(g);
}

static uint32_t ctx_res(struct gpu_dev *g, uint32_t type, uint32_t ctx, uint32_t id)
{
	hdr(type, ctx);
	put32(id);
	put32(0);
	return send(g);
}

static uint32_t attach(struct gpu_dev *g, uint32_t id, uint64_t iova, uint32_t len)
{
	hdr(GPU_CMD_RESOURCE_ATTACH_BACKING, 0);
	put32(id);
	put32(1);
	put64(iova);
	put32(len);
	put32(0);
	return send(g);
}

static uint32_t transfer(struct gpu_dev *g, uint32_t type, uint32_t ctx, uint32_t id, uint32_t x,
			 uint32_t y, uint32_t w, uint32_t h, uint64_t off, uint32_t level,
			 uint32_t stride)
{
	hdr(type, ctx);
	put32(x);
	put32(y);
	put32(0);
	put32(w);
	put32(h);
	put32(1);
	put64(off);
	put32(id);
	put32(level);
	put32(stride);
	put32(0);
	return send(g);
}

static uint32_t submit(struct gpu_dev *g, uint32_t ctx, const uint32_t *cmds, uint32_t n)
{
	hdr(GPU_CMD_SUBMIT_3D, ctx);
	put32(n * 4);
	put32(0);
	memcpy(q.b + q.len, cmds, n * 4);
	q.len += n * 4;
	return send(g);
}

static uint32_t u32_at(const uint8_t *p, unsigned off)
{
	uint32_t v;
	memcpy(&v, p + off, 4);
	return v;
}

#define CMD(c, obj, len) ((uint32_t)(c) | (uint32_t)(obj) << 8 | (uint32_t)(len) << 16)

/* ---- the tests ---- */

/* GPU3D-1..3: VIRGL and num_capsets follow the backend; capset queries. */
static void test_capsets(void **state)
{
	(void)state;
	assert_true(gpu3d_on(&a));
	hdr(GPU_CMD_GET_CAPSET_INFO, 0);
	put32(1);
	put32(0);
	assert_int_equal(send(&a), GPU_RESP_OK_CAPSET_INFO);
	assert_int_equal(resp_len, 40);
	assert_int_equal(u32_at(resp, 24), 2);
	assert_int_equal(u32_at(resp, 28), 2);
	assert_int_equal(u32_at(resp, 32), 1280);
	hdr(GPU_CMD_GET_CAPSET_INFO, 0);
	put32(2); /* past the last */
	put32(0);
	assert_int_equal(send(&a), GPU_RESP_ERR_INVALID_PARAMETER);
	hdr(GPU_CMD_GET_CAPSET, 0);
	put32(2);
	put32(2);
	assert_int_equal(send(&a), GPU_RESP_OK_CAPSET);
	assert_int_equal(resp_len, 24 + 1280);
	assert_int_equal(resp[24 + 1279], 0xca);
	hdr(GPU_CMD_GET_CAPSET, 0);
	put32(2);
	put32(3); /* a version beyond max_version */
	assert_int_equal(send(&a), GPU_RESP_ERR_INVALID_PARAMETER);
	hdr(GPU_CMD_GET_CAPSET, 0);
	put32(7);
	put32(1);
	assert_int_equal(send(&a), GPU_RESP_ERR_INVALID_PARAMETER);
}

/* GPU3D-1: a backend without 3D: no VIRGL, the 3D commands refused. */
static void test_no_backend(void **state)
{
	struct gpu_dev c;
	static uint8_t arena_c[1 << 16];
	static struct gpu3d_res tab_c[2];

	(void)state;
	gpu_fake.has_3d = false;
	gpu_init(&c, &dma, 64, 64, "c", arena_c, sizeof(arena_c), NULL, NULL);
	gpu3d_init(&c, 2, &lim, tab_c);
	gpu_fake.has_3d = true;
	assert_false(gpu3d_on(&c));
	assert_int_equal(ctx_create(&c, 1), GPU_RESP_ERR_UNSPEC);
	hdr(GPU_CMD_GET_CAPSET_INFO, 0);
	put32(0);
	put32(0);
	assert_int_equal(send(&c), GPU_RESP_ERR_INVALID_PARAMETER);
}

/* Two partitions with the same ids: the backend sees different ones, and
 * each partition can name only its own. */
static void test_ids_translated(void **state)
{
	uint32_t ctx_a, ctx_b, res_a, res_b;

	(void)state;
	gpu_fake_reset();
	assert_int_equal(ctx_create(&a, 1), GPU_RESP_OK_NODATA);
	ctx_a = u32_at(gpu_fake_last(0)->req, 16);
	/* The backend's name for it is the hypervisor's. */
	assert_string_equal((const char *)gpu_fake_last(0)->req + 32, "p0.1");
	assert_int_equal(ctx_create(&b, 1), GPU_RESP_OK_NODATA);
	ctx_b = u32_at(gpu_fake_last(0)->req, 16);
	assert_int_not_equal(ctx_a, ctx_b);
	assert_int_equal(ctx_create(&a, 1), GPU_RESP_ERR_INVALID_CONTEXT_ID); /* taken */
	assert_int_equal(create_3d(&a, 5, 2, 2, 64, 64), GPU_RESP_OK_NODATA);
	res_a = u32_at(gpu_fake_last(0)->req, 24);
	assert_int_equal(create_3d(&b, 5, 2, 2, 64, 64), GPU_RESP_OK_NODATA);
	res_b = u32_at(gpu_fake_last(0)->req, 24);
	assert_int_not_equal(res_a, res_b);
	assert_int_equal(create_3d(&a, 5, 2, 2, 64, 64), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_int_equal(ctx_res(&a, GPU_CMD_CTX_ATTACH_RESOURCE, 1, 5), GPU_RESP_OK_NODATA);
	assert_int_equal(u32_at(gpu_fake_last(0)->req, 16), ctx_a);
	assert_int_equal(u32_at(gpu_fake_last(0)->req, 24), res_a);
	/* a names a context and a resource only b has, or the backend's ids. */
	unsigned n = gpu_fake.n;
	assert_int_equal(ctx_res(&a, GPU_CMD_CTX_ATTACH_RESOURCE, ctx_b, 5),
			 GPU_RESP_ERR_INVALID_CONTEXT_ID);
	assert_int_equal(ctx_res(&a, GPU_CMD_CTX_ATTACH_RESOURCE, 1, res_b),
			 GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_int_equal(ctx_res(&a, GPU_CMD_CTX_ATTACH_RESOURCE, 2, 5),
			 GPU_RESP_ERR_INVALID_CONTEXT_ID);
	assert_int_equal(gpu_fake.n, n); /* nothing reached the backend */
	gpu_reset(&a);
	gpu_reset(&b);
}

/* SUBMIT_3D: copied, every handle translated, refused whole otherwise. */
static void test_submit(void **state)
{
	uint32_t host5, host6;

	(void)state;
	gpu_fake_reset();
	assert_int_equal(ctx_create(&a, 1), GPU_RESP_OK_NODATA);
	assert_int_equal(create_3d(&a, 5, 0, 64, 4096, 1), GPU_RESP_OK_NODATA);
	host5 = u32_at(gpu_fake_last(0)->req, 24);
	assert_int_equal(create_3d(&a, 6, 2, 2, 64, 64), GPU_RESP_OK_NODATA);
	host6 = u32_at(gpu_fake_last(0)->req, 24);
	assert_int_equal(create_3d(&b, 9, 2, 2, 64, 64), GPU_RESP_OK_NODATA);
	const uint32_t ok[] = {
		CMD(6, 0, 6), 16, 0, 5, 16, 0, 0,         /* SET_VERTEX_BUFFERS: 5, none */
		CMD(1, 8, 5), 77, 6, 2, 0, 0,             /* CREATE_OBJECT surface on 6 */
		CMD(17, 0, 13), 6, 0, 0, 0, 0, 6, 0, 0, 0, 0, 1, 1, 1, /* COPY_REGION 6 -> 6 */
		CMD(8, 0, 12), 0, 3, 4, 0, 1, 0, 0, 0, 0, 0, 2, 0, /* DRAW_VBO, no indirect */
	};
	assert_int_equal(submit(&a, 1, ok, sizeof(ok) / 4), GPU_RESP_OK_NODATA);
	const struct gpu_fake_cmd *c = gpu_fake_last(0);
	assert_int_equal(c->type, GPU_CMD_SUBMIT_3D);
	assert_int_equal(c->dlen, sizeof(ok));
	assert_int_equal(u32_at(c->data, 3 * 4), host5);
	assert_int_equal(u32_at(c->data, 6 * 4), 0);
	assert_int_equal(u32_at(c->data, 9 * 4), host6);
	assert_int_equal(u32_at(c->data, 14 * 4), host6);
	assert_int_equal(u32_at(c->data, 19 * 4), host6);
	/* the partition's own buffer is not changed */
	assert_int_equal(u32_at(q.b, 32 + 3 * 4), 5);

	unsigned n = gpu_fake.n;
	const uint32_t others[] = { CMD(9, 0, 1), 9 };        /* b's resource */
	const uint32_t hosts[] = { CMD(9, 0, 1), host5 };     /* the backend's id */
	const uint32_t trunc[] = { CMD(16, 0, 21), 0, 0 };    /* BLIT cut short */
	const uint32_t unknown[] = { CMD(200, 0, 0) };
	const uint32_t obj[] = { CMD(1, 40, 1), 3 };          /* no such object type */
	const uint32_t blob[] = { CMD(48, 0, 0) };            /* PIPE_RESOURCE_CREATE */
	const uint32_t dbg[] = { CMD(41, 0, 2), 0, 0 };       /* SET_DEBUG_FLAGS, gl-errors off */
	const uint32_t indirect[] = { CMD(8, 0, 20), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				      0, 0, 9, 0, 0, 0, 0, 0 };
	assert_int_equal(submit(&a, 1, others, 2), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(submit(&a, 1, hosts, 2), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(submit(&a, 1, trunc, 3), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(submit(&a, 1, unknown, 1), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(submit(&a, 1, obj, 2), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(submit(&a, 1, blob, 1), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(submit(&a, 1, dbg, 3), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(submit(&a, 1, indirect, 21), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(submit(&a, 2, ok, 7), GPU_RESP_ERR_INVALID_CONTEXT_ID);
	/* sizes: not dwords, beyond the request, beyond the limit */
	hdr(GPU_CMD_SUBMIT_3D, 1);
	put32(6);
	put32(0);
	put64(0);
	assert_int_equal(send(&a), GPU_RESP_ERR_INVALID_PARAMETER);
	hdr(GPU_CMD_SUBMIT_3D, 1);
	put32(64);
	put32(0);
	assert_int_equal(send(&a), GPU_RESP_ERR_INVALID_PARAMETER);
	hdr(GPU_CMD_SUBMIT_3D, 1);
	put32(GPU3D_CMDBUF_MAX + 4);
	put32(0);
	memset(q.b + q.len, 0, GPU3D_CMDBUF_MAX + 4); /* NOPs */
	q.len += GPU3D_CMDBUF_MAX + 4;
	assert_int_equal(send(&a), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(gpu_fake.n, n);
	assert_int_equal(a.v3.st.refused, 11);
	/* GPU3D-5: with gl-errors on, SET_DEBUG_FLAGS passes */
	a.v3.lim.gl_errors = true;
	assert_int_equal(submit(&a, 1, dbg, 3), GPU_RESP_OK_NODATA);
	a.v3.lim.gl_errors = false;
	gpu_reset(&a);
	gpu_reset(&b);
}

/* Transfers: box, level, stride and backing checked; DMA both ways with
 * the backend's ids; backing pages as physical addresses of the
 * partition's memory. */
static void test_transfers(void **state)
{
	uint32_t host;

	(void)state;
	gpu_fake_reset();
	assert_int_equal(ctx_create(&a, 1), GPU_RESP_OK_NODATA);
	assert_int_equal(create_3d(&a, 3, 2, 2, 64, 64), GPU_RESP_OK_NODATA);
	host = u32_at(gpu_fake_last(0)->req, 24);
	assert_int_equal(transfer(&a, GPU_CMD_TRANSFER_TO_HOST_3D, 1, 3, 0, 0, 64, 64, 0, 0, 256),
			 GPU_RESP_ERR_INVALID_RESOURCE_ID); /* not attached to context 1 */
	assert_int_equal(ctx_res(&a, GPU_CMD_CTX_ATTACH_RESOURCE, 1, 3), GPU_RESP_OK_NODATA);
	assert_int_equal(transfer(&a, GPU_CMD_TRANSFER_TO_HOST_3D, 1, 3, 0, 0, 64, 64, 0, 0, 256),
			 GPU_RESP_ERR_UNSPEC); /* no backing yet */
	assert_int_equal(attach(&a, 3, RAM_IOVA + 0x10000, 64 * 64 * 4), GPU_RESP_OK_NODATA);
	const struct gpu_fake_cmd *c = gpu_fake_last(0);
	assert_int_equal(c->type, GPU_CMD_RESOURCE_ATTACH_BACKING);
	assert_int_equal(u32_at(c->req, 24), host);
	assert_int_equal(u32_at(c->req, 28), 1);
	assert_int_equal(u32_at(c->data, 0), (uint32_t)arch_virt_to_phys(ram + 0x10000));
	assert_int_equal(attach(&a, 3, RAM_IOVA + RAM_SIZE - 4096, 8192), GPU_RESP_ERR_UNSPEC);
	assert_int_equal(attach(&a, 4, RAM_IOVA, 4096), GPU_RESP_ERR_INVALID_RESOURCE_ID);

	unsigned n = gpu_fake.n;
	assert_int_equal(transfer(&a, GPU_CMD_TRANSFER_TO_HOST_3D, 1, 3, 1, 0, 64, 64, 0, 0, 256),
			 GPU_RESP_ERR_INVALID_PARAMETER); /* past the right edge */
	assert_int_equal(transfer(&a, GPU_CMD_TRANSFER_TO_HOST_3D, 1, 3, 0, 0xffffffff, 1, 2, 0, 0, 256),
			 GPU_RESP_ERR_INVALID_PARAMETER); /* wrapping */
	assert_int_equal(transfer(&a, GPU_CMD_TRANSFER_TO_HOST_3D, 1, 3, 0, 0, 64, 64, 4, 0, 256),
			 GPU_RESP_ERR_INVALID_PARAMETER); /* ends past the backing */
	assert_int_equal(transfer(&a, GPU_CMD_TRANSFER_TO_HOST_3D, 1, 3, 0, 0, 64, 64, 0, 1, 256),
			 GPU_RESP_ERR_INVALID_PARAMETER); /* level beyond last_level */
	assert_int_equal(transfer(&a, GPU_CMD_TRANSFER_TO_HOST_3D, 1, 3, 0, 0, 64, 2, 0, 0, 100),
			 GPU_RESP_ERR_INVALID_PARAMETER); /* stride under a row */
	assert_int_equal(transfer(&a, GPU_CMD_TRANSFER_TO_HOST_3D, 1, 3, 0, 0, 0, 1, 0, 0, 256),
			 GPU_RESP_ERR_INVALID_PARAMETER); /* empty */
	assert_int_equal(transfer(&a, GPU_CMD_TRANSFER_TO_HOST_3D, 7, 3, 0, 0, 1, 1, 0, 0, 256),
			 GPU_RESP_ERR_INVALID_CONTEXT_ID);
	assert_int_equal(transfer(&a, GPU_CMD_TRANSFER_TO_HOST_3D, 1, 8, 0, 0, 1, 1, 0, 0, 256),
			 GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_int_equal(gpu_fake.n, n);
	assert_int_equal(transfer(&a, GPU_CMD_TRANSFER_TO_HOST_3D, 1, 3, 0, 0, 64, 64, 0, 0, 256),
			 GPU_RESP_OK_NODATA);
	assert_int_equal(u32_at(gpu_fake_last(0)->req, 56), host);
	assert_int_equal(transfer(&a, GPU_CMD_TRANSFER_FROM_HOST_3D, 0, 3, 8, 8, 8, 8,
				  8 * 256 + 32, 0, 256), GPU_RESP_OK_NODATA);
	assert_int_equal(gpu_fake_last(0)->type, GPU_CMD_TRANSFER_FROM_HOST_3D);
	gpu_reset(&a);
}

/* The backend holds a resource's backing as host addresses: when the
 * partition's DMA space changes (its IOMMU unmaps or remaps), the next
 * transfer first drops it there and translates it again; a page that is
 * gone fails the transfer and leaves the backend with nothing (IOMMU-12).
 * Unchanged, the backing is not sent again. proves: GPU3D-3, IOMMU-12 */
static void test_backing_follows_dma(void **state)
{
	struct dma_range all = { RAM_IOVA, RAM_SIZE, ram, DMA_BIDIR };
	struct dma_range low = { RAM_IOVA, 0x10000, ram, DMA_BIDIR };
	uint32_t host;
	unsigned n;

	(void)state;
	gpu_fake_reset();
	assert_int_equal(create_3d(&a, 3, 2, 2, 64, 64), GPU_RESP_OK_NODATA);
	host = u32_at(gpu_fake_last(0)->req, 24);
	assert_int_equal(attach(&a, 3, RAM_IOVA + 0x10000, 64 * 64 * 4), GPU_RESP_OK_NODATA);
	n = gpu_fake.n;
	assert_int_equal(transfer(&a, GPU_CMD_TRANSFER_TO_HOST_3D, 0, 3, 0, 0, 64, 64, 0, 0, 256),
			 GPU_RESP_OK_NODATA);
	assert_int_equal(gpu_fake.n, n + 1); /* the transfer alone */
	/* its backing's pages no longer in the space */
	assert_int_equal(dma_space_update(&dma, &low, 1), 0);
	n = gpu_fake.n;
	assert_int_equal(transfer(&a, GPU_CMD_TRANSFER_TO_HOST_3D, 0, 3, 0, 0, 64, 64, 0, 0, 256),
			 GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(gpu_fake.n, n + 1);
	assert_int_equal(gpu_fake_last(0)->type, GPU_CMD_RESOURCE_DETACH_BACKING);
	assert_int_equal(u32_at(gpu_fake_last(0)->req, 24), host);
	/* and again: nothing to drop, still refused, nothing sent */
	n = gpu_fake.n;
	assert_int_equal(transfer(&a, GPU_CMD_TRANSFER_FROM_HOST_3D, 0, 3, 0, 0, 64, 64, 0, 0, 256),
			 GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(gpu_fake.n, n);
	/* back: translated anew, then the transfer */
	assert_int_equal(dma_space_update(&dma, &all, 1), 0);
	n = gpu_fake.n;
	assert_int_equal(transfer(&a, GPU_CMD_TRANSFER_TO_HOST_3D, 0, 3, 0, 0, 64, 64, 0, 0, 256),
			 GPU_RESP_OK_NODATA);
	assert_int_equal(gpu_fake.n, n + 2);
	assert_int_equal(gpu_fake_last(1)->type, GPU_CMD_RESOURCE_ATTACH_BACKING);
	assert_int_equal(u32_at(gpu_fake_last(1)->data, 0), (uint32_t)arch_virt_to_phys(ram + 0x10000));
	assert_int_equal(gpu_fake_last(0)->type, GPU_CMD_TRANSFER_TO_HOST_3D);
	gpu_reset(&a);
}

/* The partition file's limits: contexts, resources, memory. */
static void test_limits(void **state)
{
	(void)state;
	gpu_fake_reset();
	assert_int_equal(ctx_create(&a, 1), GPU_RESP_OK_NODATA);
	assert_int_equal(ctx_create(&a, 2), GPU_RESP_OK_NODATA);
	assert_int_equal(ctx_create(&a, 3), GPU_RESP_ERR_OUT_OF_MEMORY);
	/* 4 MiB: one 1024x1024 B8G8R8X8 texture, not a second */
	assert_int_equal(create_3d(&a, 1, 2, 2, 1024, 1024), GPU_RESP_OK_NODATA);
	assert_int_equal(create_3d(&a, 2, 2, 2, 1, 1), GPU_RESP_ERR_OUT_OF_MEMORY);
	hdr(GPU_CMD_RESOURCE_UNREF, 0);
	put32(1);
	put32(0);
	assert_int_equal(send(&a), GPU_RESP_OK_NODATA);
	for (uint32_t i = 1; i <= 8; i++)
		assert_int_equal(create_3d(&a, i, 0, 64, 16, 1), GPU_RESP_OK_NODATA);
	assert_int_equal(create_3d(&a, 9, 0, 64, 16, 1), GPU_RESP_ERR_OUT_OF_MEMORY);
	gpu_reset(&a);
	/* out of range sizes and kinds */
	assert_int_equal(create_3d(&a, 20, 9, 2, 16, 16), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(create_3d(&a, 20, 2, 2, 16385, 16), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(create_3d(&a, 20, 0, 64, 16, 2), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(create_3d(&a, 0, 2, 2, 16, 16), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	gpu_reset(&a);
}

/* A reset (the partition's reset or stop) destroys every context and
 * resource it had at the backend, and only its own. */
static void test_reset(void **state)
{
	(void)state;
	gpu_fake_reset();
	assert_int_equal(ctx_create(&a, 1), GPU_RESP_OK_NODATA);
	assert_int_equal(create_3d(&a, 1, 2, 2, 16, 16), GPU_RESP_OK_NODATA);
	assert_int_equal(create_3d(&a, 2, 2, 2, 16, 16), GPU_RESP_OK_NODATA);
	assert_int_equal(ctx_create(&b, 1), GPU_RESP_OK_NODATA);
	assert_int_equal(create_3d(&b, 1, 2, 2, 16, 16), GPU_RESP_OK_NODATA);
	assert_true(gpu_fake.live_res[1][1] && gpu_fake.live_res[1][2] && gpu_fake.live_res[2][1]);
	gpu_reset(&a);
	assert_false(gpu_fake.live_res[1][1] || gpu_fake.live_res[1][2]);
	assert_false(gpu_fake.live_ctx[1]);
	assert_true(gpu_fake.live_res[2][1]);
	assert_true(gpu_fake.live_ctx[GPU3D_MAX_CTX + 1]);
	assert_int_equal(a.v3.used, 0);
	gpu_reset(&b);
	assert_false(gpu_fake.live_res[2][1]);
}

/* Many resources under ids the partition scattered: each found in its
 * own slot, the gone ones not, slots reused; the index stays sorted (a
 * lookup is a binary search, bounded whatever the ids). */
static struct gpu3d_res tab_c[GPU3D_MAX_RES];
static uint8_t arena_c[1 << 20];

static uint32_t scattered(uint32_t i)
{
	return (i * 7919u) % 100003u + 1; /* distinct for i < 100003 */
}

static void check_index(struct gpu_dev *g)
{
	for (uint32_t i = 1; i < g->v3.nres; i++)
		assert_true(g->v3.res[g->v3.by_id[i - 1]].id < g->v3.res[g->v3.by_id[i]].id);
}

static void test_many_ids(void **state)
{
	static const struct gpu3d_limits big = { 1, GPU3D_MAX_RES, 1ull << 40, false };
	struct gpu_dev *c = &a;

	(void)state;
	gpu_fake_reset();
	gpu_init(c, &dma, 64, 64, "c", arena_c, sizeof(arena_c), NULL, NULL);
	gpu3d_init(c, 0, &big, tab_c);
	for (uint32_t i = 0; i < GPU3D_MAX_RES; i++)
		assert_int_equal(create_3d(c, scattered(i), 0, 64, 16, 1), GPU_RESP_OK_NODATA);
	assert_int_equal(create_3d(c, 100004, 0, 64, 16, 1), GPU_RESP_ERR_OUT_OF_MEMORY);
	check_index(c);
	for (uint32_t i = 0; i < GPU3D_MAX_RES; i++) {
		struct gpu3d_res *r = gpu3d_find(c, scattered(i));
		assert_non_null(r);
		assert_int_equal(r->id, scattered(i));
	}
	assert_null(gpu3d_find(c, 100004));
	assert_null(gpu3d_find(c, 0xffffffffu));
	for (uint32_t i = 0; i < GPU3D_MAX_RES; i += 3) {
		hdr(GPU_CMD_RESOURCE_UNREF, 0);
		put32(scattered(i));
		put32(0);
		assert_int_equal(send(c), GPU_RESP_OK_NODATA);
	}
	check_index(c);
	for (uint32_t i = 0; i < GPU3D_MAX_RES; i++)
		assert_true((gpu3d_find(c, scattered(i)) != NULL) == (i % 3 != 0));
	/* the freed slots taken again by new ids */
	for (uint32_t i = 0; i < GPU3D_MAX_RES; i += 3)
		assert_int_equal(create_3d(c, scattered(i + 50000), 0, 64, 16, 1), GPU_RESP_OK_NODATA);
	check_index(c);
	assert_int_equal(c->v3.nres, GPU3D_MAX_RES);
	for (uint32_t i = 0; i < GPU3D_MAX_RES; i += 3)
		assert_int_equal(gpu3d_find(c, scattered(i + 50000))->id, scattered(i + 50000));
	gpu_reset(c);
	assert_int_equal(c->v3.nres, 0);
	assert_null(gpu3d_find(c, scattered(1)));
	/* a back as the other tests have it */
	gpu_init(&a, &dma, 64, 64, "a", arena_a, sizeof(arena_a), NULL, NULL);
	gpu3d_init(&a, 0, &lim, tab_a);
}

static uint32_t plus_1000(void *arg, uint32_t h)
{
	(void)arg;
	return h < 100 ? h + 1000 : 0;
}

/* The walker alone: every kind of handle position. */
static void test_walker(void **state)
{
	uint32_t s[] = {
		CMD(1, 9, 4), 1, 0, 0, 7,            /* QUERY: result buffer at 4 */
		CMD(35, 0, 12), 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 9, /* two shader images */
		CMD(40, 0, 4), 0, 0, 0, 10,          /* one atomic buffer */
		CMD(45, 0, 14), 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, /* COPY_TRANSFER3D */
		CMD(0, 0, 2), 50, 51,                /* NOP with a payload: untouched */
	};
	struct virgl_stream_result r = virgl_stream_translate(s, sizeof(s) / 4, plus_1000, NULL, false);

	(void)state;
	assert_int_equal(r.err, VS_OK);
	assert_int_equal(r.ncmds, 5);
	assert_int_equal(r.nhandles, 6);
	assert_int_equal(s[4], 1007);
	assert_int_equal(s[5 + 7], 1008);
	assert_int_equal(s[5 + 12], 1009);
	assert_int_equal(s[18 + 4], 1010);
	assert_int_equal(s[23 + 1], 1011);
	assert_int_equal(s[23 + 12], 1012);
	assert_int_equal(s[38 + 1], 50);
	uint32_t bad[] = { CMD(9, 0, 1), 200 };
	r = virgl_stream_translate(bad, 2, plus_1000, NULL, false);
	assert_int_equal(r.err, VS_HANDLE);
	uint32_t cut[] = { CMD(0, 0, 5), 0 };
	r = virgl_stream_translate(cut, 2, plus_1000, NULL, false);
	assert_int_equal(r.err, VS_TRUNCATED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capsets),        cmocka_unit_test(test_no_backend),
		cmocka_unit_test(test_ids_translated), cmocka_unit_test(test_submit),
		cmocka_unit_test(test_transfers),      cmocka_unit_test(test_limits),
		cmocka_unit_test(test_reset),          cmocka_unit_test(test_walker),
		cmocka_unit_test(test_many_ids),       cmocka_unit_test(test_backing_follows_dma),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
