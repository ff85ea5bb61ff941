/* virtio-gpu 2D's decoder and commands (core/gpu.c) and the compositor
 * (core/compositor.c), over a fake guest RAM and a 320x200 output with two
 * windows: every command's success and each of its errors, the fence
 * echo, backing lists split over descriptors and pages, the budget
 * (exhaustion gives ERR_OUT_OF_MEMORY and changes nothing else), blob
 * scanouts from guest memory, and, pixel by pixel, that a partition's
 * picture and cursor land only inside its window, under the windows above.
 * proves: GPU2D-2, GPU2D-3, GPU2D-4, GPU2D-5, GPU2D-6, GPU2D-7 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <hv/gpu.h>

#define RAM_IOVA 0x40000000ull
#define RAM_SIZE (8u << 20)
#define OUT_W 320
#define OUT_H 200

static uint8_t *ram;
static uint8_t fb[OUT_W * OUT_H * 4];
static struct dma_space dma;
static struct display disp;
static struct comp_window win_a, win_b;
static uint8_t shadow_a[160 * 100 * 4], shadow_b[160 * 100 * 4];
static uint8_t arena_a[1 << 20];
static struct gpu_dev a;
static struct gpu_dev *dev = &a; /* where the helpers send */

static int setup(void **state)
{
	struct dma_range r = { RAM_IOVA, RAM_SIZE, NULL, DMA_BIDIR };

	(void)state;
	ram = calloc(1, RAM_SIZE);
	r.host = ram;
	assert_int_equal(dma_space_init(&dma, &r, 1), 0);
	memset(fb, 0x77, sizeof(fb));
	disp = (struct display){ .width = OUT_W, .height = OUT_H, .stride = OUT_W * 4, .fb = fb };
	/* a at (10, 20); b in front of it at (100, 60): they overlap in
	 * [100, 170) x [60, 120). */
	win_a = (struct comp_window){ .rect = { 10, 20, 160, 100 }, .z = 1, .shadow = shadow_a };
	win_b = (struct comp_window){ .rect = { 100, 60, 160, 100 }, .z = 2, .shadow = shadow_b };
	comp_add(&disp, &win_b);
	comp_add(&disp, &win_a);
	comp_redraw(&disp, &(struct gpu_rect){ 0, 0, OUT_W, OUT_H });
	gpu_init(&a, &dma, 160, 100, "a", arena_a, sizeof(arena_a), &disp, &win_a);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

/* ---- building requests ---- */

struct req {
	uint8_t b[1 << 16];
	size_t len;
};

static void put32(struct req *q, uint32_t v)
{
	memcpy(q->b + q->len, &v, 4);
	q->len += 4;
}

static void put64(struct req *q, uint64_t v)
{
	memcpy(q->b + q->len, &v, 8);
	q->len += 8;
}

static void hdr(struct req *q, uint32_t type, uint32_t flags, uint64_t fence)
{
	q->len = 0;
	put32(q, type);
	put32(q, flags);
	put64(q, fence);
	put32(q, 0);
	put32(q, 0);
}

static uint8_t resp[GPU_RESP_MAX];
static size_t resp_len;

/* Sent as one segment, or split every `split` bytes (descriptors). */
static uint32_t send_split(const struct req *q, size_t split)
{
	struct dma_seg seg[64];
	unsigned n = 0;
	uint32_t type;

	for (size_t off = 0; off < q->len; off += split) {
		size_t k = q->len - off < split ? q->len - off : split;
		seg[n++] = (struct dma_seg){ (uint8_t *)q->b + off, (uint32_t)k };
		assert_true(n < 64);
	}
	memset(resp, 0xee, sizeof(resp));
	resp_len = gpu_ctrl(dev, &(struct gpu_req){ seg, n, q->len }, resp, sizeof(resp));
	assert_true(resp_len >= GPU_HDR_LEN);
	memcpy(&type, resp, 4);
	return type;
}

static uint32_t send(const struct req *q)
{
	return send_split(q, q->len ? q->len : 1);
}

static struct req q;

static uint32_t create_2d(uint32_t id, uint32_t fmt, uint32_t w, uint32_t h)
{
	hdr(&q, GPU_CMD_RESOURCE_CREATE_2D, 0, 0);
	put32(&q, id);
	put32(&q, fmt);
	put32(&q, w);
	put32(&q, h);
	return send(&q);
}

static uint32_t res_cmd(uint32_t type, uint32_t id)
{
	hdr(&q, type, 0, 0);
	put32(&q, id);
	put32(&q, 0);
	return send(&q);
}

/* One entry per `chunk` bytes of guest RAM from iova, in order. */
static uint32_t attach(uint32_t id, uint64_t iova, uint64_t len, uint32_t chunk)
{
	uint32_t n = (uint32_t)((len + chunk - 1) / chunk);

	hdr(&q, GPU_CMD_RESOURCE_ATTACH_BACKING, 0, 0);
	put32(&q, id);
	put32(&q, n);
	for (uint64_t off = 0; off < len; off += chunk) {
		put64(&q, iova + off);
		put32(&q, (uint32_t)(len - off < chunk ? len - off : chunk));
		put32(&q, 0);
	}
	return send_split(&q, 40); /* entries cut across descriptors */
}

static uint32_t rect_cmd(uint32_t type, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	hdr(&q, type, 0, 0);
	put32(&q, x);
	put32(&q, y);
	put32(&q, w);
	put32(&q, h);
	return 0;
}

static uint32_t transfer(uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint64_t off)
{
	rect_cmd(GPU_CMD_TRANSFER_TO_HOST_2D, x, y, w, h);
	put64(&q, off);
	put32(&q, id);
	put32(&q, 0);
	return send(&q);
}

static uint32_t set_scanout(uint32_t scanout, uint32_t id, uint32_t x, uint32_t y, uint32_t w,
			    uint32_t h)
{
	rect_cmd(GPU_CMD_SET_SCANOUT, x, y, w, h);
	put32(&q, scanout);
	put32(&q, id);
	return send(&q);
}

static uint32_t flush(uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	rect_cmd(GPU_CMD_RESOURCE_FLUSH, x, y, w, h);
	put32(&q, id);
	put32(&q, 0);
	return send(&q);
}

static uint32_t px(unsigned x, unsigned y)
{
	uint32_t v;
	memcpy(&v, fb + (y * OUT_W + x) * 4, 4);
	return v;
}

/* The guest's picture: pixel (x, y) of a w-wide image at iova. */
static uint32_t pattern(unsigned x, unsigned y)
{
	return 0x00010000u * (x & 0xff) + 0x100u * (y & 0xff) + 0x5a;
}

static void draw(uint64_t iova, unsigned w, unsigned h, unsigned stride)
{
	for (unsigned y = 0; y < h; y++)
		for (unsigned x = 0; x < w; x++) {
			uint32_t v = pattern(x, y);
			memcpy(ram + (iova - RAM_IOVA) + (uint64_t)y * stride + x * 4, &v, 4);
		}
}

/* What the output must show at (x, y) given a's picture shown whole
 * (origin ox, oy of the resource at the window's top left) and b showing
 * nothing (not drawn): the 0x77 fill of the output before comp_redraw is
 * gone everywhere. */
static uint32_t expect_a(unsigned x, unsigned y, unsigned ox, unsigned oy)
{
	bool in_a = x >= 10 && x < 170 && y >= 20 && y < 120;

	if (!in_a)
		return 0;
	return pattern(x - 10 + ox, y - 20 + oy);
}

static void check_screen(unsigned ox, unsigned oy)
{
	for (unsigned y = 0; y < OUT_H; y++)
		for (unsigned x = 0; x < OUT_W; x++)
			if (px(x, y) != expect_a(x, y, ox, oy))
				fail_msg("(%u,%u) is %08x, not %08x", x, y, px(x, y), expect_a(x, y, ox, oy));
}

/* ---- tests ---- */

static void test_display_info_edid(void **state)
{
	uint32_t v[6], size;

	(void)state;
	hdr(&q, GPU_CMD_GET_DISPLAY_INFO, 0, 0);
	assert_int_equal(send(&q), GPU_RESP_OK_DISPLAY_INFO);
	assert_int_equal(resp_len, 24 + 16 * 24);
	memcpy(v, resp + 24, sizeof(v));
	assert_int_equal(v[2], 160);
	assert_int_equal(v[3], 100);
	assert_int_equal(v[4], 1);
	memcpy(v, resp + 48, sizeof(v)); /* scanout 1: not there */
	assert_int_equal(v[4], 0);

	hdr(&q, GPU_CMD_GET_EDID, 0, 0);
	put32(&q, 0);
	put32(&q, 0);
	assert_int_equal(send(&q), GPU_RESP_OK_EDID);
	assert_int_equal(resp_len, 1056);
	memcpy(&size, resp + 24, 4);
	assert_int_equal(size, 128);
	uint8_t sum = 0;
	for (int i = 0; i < 128; i++)
		sum = (uint8_t)(sum + resp[32 + i]);
	assert_int_equal(sum, 0);
	/* The preferred timing's active size is the mode. */
	assert_int_equal(resp[32 + 56] | ((resp[32 + 58] & 0xf0) << 4), 160);
	assert_int_equal(resp[32 + 59] | ((resp[32 + 61] & 0xf0) << 4), 100);

	hdr(&q, GPU_CMD_GET_EDID, 0, 0);
	put32(&q, 1);
	put32(&q, 0);
	assert_int_equal(send(&q), GPU_RESP_ERR_INVALID_SCANOUT_ID);
	/* No capsets in 2D mode (GPU2D-4). */
	hdr(&q, GPU_CMD_GET_CAPSET_INFO, 0, 0);
	put32(&q, 0);
	put32(&q, 0);
	assert_int_equal(send(&q), GPU_RESP_ERR_INVALID_PARAMETER);
	/* 3D and unknown commands. */
	hdr(&q, 0x0207, 0, 0);
	assert_int_equal(send(&q), GPU_RESP_ERR_UNSPEC);
	hdr(&q, 0xdead, 0, 0);
	assert_int_equal(send(&q), GPU_RESP_ERR_UNSPEC);
}

static void test_fence_echo(void **state)
{
	uint32_t flags;
	uint64_t fence;

	(void)state;
	hdr(&q, GPU_CMD_GET_DISPLAY_INFO, GPU_FLAG_FENCE, 0x123456789abcull);
	assert_int_equal(send(&q), GPU_RESP_OK_DISPLAY_INFO);
	memcpy(&flags, resp + 4, 4);
	memcpy(&fence, resp + 8, 8);
	assert_int_equal(flags, GPU_FLAG_FENCE);
	assert_int_equal(fence, 0x123456789abcull);
	/* An error response carries the fence too: the command is complete. */
	hdr(&q, GPU_CMD_RESOURCE_UNREF, GPU_FLAG_FENCE, 77);
	put32(&q, 999);
	put32(&q, 0);
	assert_int_equal(send(&q), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	memcpy(&fence, resp + 8, 8);
	assert_int_equal(fence, 77);
	/* Without the flag: none. */
	hdr(&q, GPU_CMD_GET_DISPLAY_INFO, 0, 55);
	send(&q);
	memcpy(&flags, resp + 4, 4);
	memcpy(&fence, resp + 8, 8);
	assert_int_equal(flags, 0);
	assert_int_equal(fence, 0);
}

static void test_malformed(void **state)
{
	(void)state;
	/* Shorter than a header, than its command, or no room to answer. */
	q.len = 10;
	assert_int_equal(send(&q), GPU_RESP_ERR_UNSPEC);
	hdr(&q, GPU_CMD_RESOURCE_CREATE_2D, 0, 0);
	put32(&q, 5);
	assert_int_equal(send(&q), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(gpu_ctrl(&a, &(struct gpu_req){ NULL, 0, 0 }, resp, 23), 0);
	hdr(&q, GPU_CMD_GET_EDID, 0, 0);
	put32(&q, 0);
	put32(&q, 0);
	struct dma_seg s = { q.b, (uint32_t)q.len };
	size_t n = gpu_ctrl(&a, &(struct gpu_req){ &s, 1, q.len }, resp, 100);
	assert_int_equal(n, 24);
}

static void test_resources_and_budget(void **state)
{
	(void)state;
	assert_int_equal(create_2d(0, 2, 16, 16), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_int_equal(create_2d(2, 2, 16, 16), GPU_RESP_OK_NODATA);
	assert_int_equal(create_2d(2, 2, 16, 16), GPU_RESP_ERR_INVALID_RESOURCE_ID); /* reused */
	assert_int_equal(create_2d(3, 5, 16, 16), GPU_RESP_ERR_INVALID_PARAMETER);   /* format */
	assert_int_equal(create_2d(3, 2, 0, 16), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(create_2d(3, 2, 0xffffffffu, 0xffffffffu), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(create_2d(3, 2, 8192, 8192), GPU_RESP_ERR_INVALID_PARAMETER); /* > budget */
	/* The 1 MiB budget: 3 of 256 KiB fit beside the first, a 4th not. */
	assert_int_equal(create_2d(3, 2, 256, 256), GPU_RESP_OK_NODATA);
	assert_int_equal(create_2d(4, 2, 256, 256), GPU_RESP_OK_NODATA);
	assert_int_equal(create_2d(5, 2, 256, 256), GPU_RESP_OK_NODATA);
	uint64_t used = a.arena.used;
	assert_int_equal(create_2d(6, 2, 256, 256), GPU_RESP_ERR_OUT_OF_MEMORY);
	assert_int_equal(a.arena.used, used); /* nothing taken */
	assert_int_equal(res_cmd(GPU_CMD_RESOURCE_UNREF, 4), GPU_RESP_OK_NODATA);
	assert_int_equal(create_2d(6, 2, 256, 256), GPU_RESP_OK_NODATA); /* its room again */
	assert_int_equal(res_cmd(GPU_CMD_RESOURCE_UNREF, 4), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	for (uint32_t id = 2; id <= 6; id++)
		res_cmd(GPU_CMD_RESOURCE_UNREF, id);
	assert_int_equal(a.arena.used, 0);
	/* Slots run out before a small budget does. */
	for (uint32_t id = 100; id < 100 + GPU_MAX_RESOURCES; id++)
		assert_int_equal(create_2d(id, 2, 1, 1), GPU_RESP_OK_NODATA);
	assert_int_equal(create_2d(99, 2, 1, 1), GPU_RESP_ERR_OUT_OF_MEMORY);
	gpu_reset(&a);
	assert_int_equal(a.arena.used, 0);
	assert_int_equal(create_2d(100, 2, 1, 1), GPU_RESP_OK_NODATA);
	gpu_reset(&a);
}

static void test_backing(void **state)
{
	(void)state;
	assert_int_equal(create_2d(2, 2, 64, 64), GPU_RESP_OK_NODATA);
	assert_int_equal(attach(9, RAM_IOVA, 4096, 4096), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	/* Outside the partition's memory: below, past its end, straddling. */
	assert_int_equal(attach(2, 0x1000, 4096, 4096), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(attach(2, RAM_IOVA + RAM_SIZE, 4096, 4096), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(attach(2, RAM_IOVA + RAM_SIZE - 2048, 4096, 4096),
			 GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(attach(2, ~0ull - 100, 4096, 4096), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_null(a.res[0].ent);
	/* More entries than the request holds, none, too many. */
	hdr(&q, GPU_CMD_RESOURCE_ATTACH_BACKING, 0, 0);
	put32(&q, 2);
	put32(&q, 3);
	put64(&q, RAM_IOVA);
	put32(&q, 4096);
	put32(&q, 0);
	assert_int_equal(send(&q), GPU_RESP_ERR_INVALID_PARAMETER);
	q.len = 24;
	put32(&q, 2);
	put32(&q, 0);
	assert_int_equal(send(&q), GPU_RESP_ERR_INVALID_PARAMETER);
	q.len = 24;
	put32(&q, 2);
	put32(&q, 0xffffffffu);
	assert_int_equal(send(&q), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(attach(2, RAM_IOVA, 64 * 64 * 4, 4096), GPU_RESP_OK_NODATA);
	assert_int_equal(attach(2, RAM_IOVA, 4096, 4096), GPU_RESP_ERR_UNSPEC); /* twice */
	assert_int_equal(res_cmd(GPU_CMD_RESOURCE_DETACH_BACKING, 2), GPU_RESP_OK_NODATA);
	assert_int_equal(res_cmd(GPU_CMD_RESOURCE_DETACH_BACKING, 2), GPU_RESP_ERR_UNSPEC);
	assert_int_equal(transfer(2, 0, 0, 1, 1, 0), GPU_RESP_ERR_UNSPEC); /* no backing */
	gpu_reset(&a);
}

static void test_transfer_checks(void **state)
{
	(void)state;
	assert_int_equal(create_2d(2, 2, 64, 64), GPU_RESP_OK_NODATA);
	/* Backing one row short of the resource. */
	assert_int_equal(attach(2, RAM_IOVA, 64 * 63 * 4, 1000), GPU_RESP_OK_NODATA);
	assert_int_equal(transfer(2, 0, 0, 64, 63, 0), GPU_RESP_OK_NODATA);
	assert_int_equal(transfer(2, 0, 0, 64, 64, 0), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(transfer(2, 0, 1, 64, 62, 256), GPU_RESP_OK_NODATA);
	assert_int_equal(transfer(2, 0, 1, 64, 62, 260), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(transfer(2, 0, 1, 64, 63, 256), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(transfer(2, 1, 0, 64, 1, 0), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(transfer(2, 0, 0, 1, 1, ~0ull), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(transfer(2, 0, 0, 1, 1, ~0ull - 2), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(transfer(2, 0xfffffff0u, 0, 0x20, 1, 0), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(transfer(3, 0, 0, 1, 1, 0), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	gpu_reset(&a);
}

/* A picture through scattered backing (entries of 1000 bytes, cut through
 * pixels), transferred in two halves and a sub-rectangle, shown in a's
 * window: a's pixels inside its visible part, nothing anywhere else. */
static void test_picture(void **state)
{
	const uint64_t at = RAM_IOVA + 0x100000;

	(void)state;
	draw(at, 200, 120, 200 * 4);
	assert_int_equal(create_2d(2, 2, 200, 120), GPU_RESP_OK_NODATA);
	assert_int_equal(attach(2, at, 200 * 120 * 4, 1000), GPU_RESP_OK_NODATA);
	assert_int_equal(transfer(2, 0, 0, 200, 60, 0), GPU_RESP_OK_NODATA);
	assert_int_equal(transfer(2, 0, 60, 100, 60, 60 * 800), GPU_RESP_OK_NODATA);
	assert_int_equal(transfer(2, 100, 60, 100, 60, 60 * 800 + 400), GPU_RESP_OK_NODATA);
	/* Scanout rectangles: inside the resource, at most the mode. */
	assert_int_equal(set_scanout(1, 2, 0, 0, 160, 100), GPU_RESP_ERR_INVALID_SCANOUT_ID);
	assert_int_equal(set_scanout(0, 7, 0, 0, 160, 100), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_int_equal(set_scanout(0, 2, 41, 0, 160, 100), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(set_scanout(0, 2, 0, 0, 161, 100), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(set_scanout(0, 2, 0, 0, 0, 0), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(set_scanout(0, 2, 10, 5, 160, 100), GPU_RESP_OK_NODATA);
	assert_int_equal(flush(2, 0, 0, 200, 120), GPU_RESP_OK_NODATA);
	check_screen(10, 5);
	assert_int_equal(flush(2, 0, 0, 201, 120), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(flush(3, 0, 0, 1, 1), GPU_RESP_ERR_INVALID_RESOURCE_ID);

	/* Damage only: the guest changes its picture, transfers all of it,
	 * flushes one small rectangle; only that rectangle changes. */
	memset(ram + (at - RAM_IOVA), 0xff, 200 * 120 * 4);
	assert_int_equal(transfer(2, 0, 0, 200, 120, 0), GPU_RESP_OK_NODATA);
	assert_int_equal(flush(2, 20, 10, 4, 3), GPU_RESP_OK_NODATA);
	for (unsigned y = 0; y < OUT_H; y++)
		for (unsigned x = 0; x < OUT_W; x++) {
			/* resource (20, 10) is window (10, 5), output (20, 25) */
			bool damaged = x >= 20 && x < 24 && y >= 25 && y < 28;
			uint32_t want = damaged ? 0xffffffffu : expect_a(x, y, 10, 5);
			if (px(x, y) != want)
				fail_msg("(%u,%u) %08x, not %08x", x, y, px(x, y), want);
		}
	/* Unref of the shown resource: the window goes black. */
	assert_int_equal(res_cmd(GPU_CMD_RESOURCE_UNREF, 2), GPU_RESP_OK_NODATA);
	for (unsigned y = 0; y < OUT_H; y++)
		for (unsigned x = 0; x < OUT_W; x++)
			assert_int_equal(px(x, y), 0);
	gpu_reset(&a);
}

static void test_blob(void **state)
{
	const uint64_t at = RAM_IOVA + 0x200000;
	const uint32_t stride = 256 * 4;

	(void)state;
	draw(at + 64, 170, 110, stride);
	hdr(&q, GPU_CMD_RESOURCE_CREATE_BLOB, 0, 0);
	put32(&q, 5);
	put32(&q, GPU_BLOB_MEM_GUEST);
	put32(&q, 2);
	put32(&q, 2);
	put64(&q, 0);
	put64(&q, 120 * stride);
	put64(&q, at);
	put32(&q, 60 * stride);
	put32(&q, 0);
	put64(&q, at + 60 * stride);
	put32(&q, 60 * stride);
	put32(&q, 0);
	assert_int_equal(send_split(&q, 20), GPU_RESP_OK_NODATA);
	/* Not a 2D resource: no backing to attach, no SET_SCANOUT. */
	assert_int_equal(attach(5, at, 4096, 4096), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_int_equal(set_scanout(0, 5, 0, 0, 160, 100), GPU_RESP_ERR_INVALID_RESOURCE_ID);

#define SCANOUT_BLOB(x, y, w, h, id, fw, fh, fmt, st, off)                                           \
	do {                                                                                     \
		rect_cmd(GPU_CMD_SET_SCANOUT_BLOB, x, y, w, h);                                  \
		put32(&q, 0);                                                                    \
		put32(&q, id);                                                                   \
		put32(&q, fw);                                                                   \
		put32(&q, fh);                                                                   \
		put32(&q, fmt);                                                                  \
		put32(&q, 0);                                                                    \
		put32(&q, st);                                                                   \
		for (int k = 0; k < 3; k++)                                                      \
			put32(&q, 0);                                                            \
		put32(&q, off);                                                                  \
		for (int k = 0; k < 3; k++)                                                      \
			put32(&q, 0);                                                            \
	} while (0)
	SCANOUT_BLOB(0, 0, 160, 100, 5, 170, 110, 2, 170 * 4 - 4, 64); /* stride < width */
	assert_int_equal(send(&q), GPU_RESP_ERR_INVALID_PARAMETER);
	/* The framebuffer's last byte one past the blob's end, then at it. */
	SCANOUT_BLOB(0, 0, 160, 100, 5, 170, 120, 2, stride, stride - 170 * 4 + 1);
	assert_int_equal(send(&q), GPU_RESP_ERR_INVALID_PARAMETER);
	SCANOUT_BLOB(0, 0, 160, 100, 5, 170, 120, 2, stride, stride - 170 * 4);
	assert_int_equal(send(&q), GPU_RESP_OK_NODATA);
	SCANOUT_BLOB(0, 0, 160, 100, 5, 170, 110, 2, stride, 0xffffffffu);
	assert_int_equal(send(&q), GPU_RESP_ERR_INVALID_PARAMETER);
	SCANOUT_BLOB(0, 0, 160, 100, 5, 170, 110, 9, stride, 64);
	assert_int_equal(send(&q), GPU_RESP_ERR_INVALID_PARAMETER);
	SCANOUT_BLOB(0, 0, 160, 100, 2, 170, 110, 2, stride, 64);
	assert_int_equal(send(&q), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	SCANOUT_BLOB(3, 4, 160, 100, 5, 170, 110, 2, stride, 64);
	assert_int_equal(send(&q), GPU_RESP_OK_NODATA);
	check_screen(3, 4);
	/* The guest draws in its memory; a flush shows it; transfer is a no-op. */
	memset(ram + (at - RAM_IOVA), 0, 120 * stride);
	assert_int_equal(transfer(5, 0, 0, 170, 110, 0), GPU_RESP_OK_NODATA);
	assert_int_equal(flush(5, 0, 0, 170, 110), GPU_RESP_OK_NODATA);
	for (unsigned y = 0; y < OUT_H; y++)
		for (unsigned x = 0; x < OUT_W; x++)
			assert_int_equal(px(x, y), 0);
	assert_int_equal(flush(5, 0, 0, 171, 110), GPU_RESP_ERR_INVALID_PARAMETER);
	/* Bad blobs: host memory, mappable, no size, backing short of it. */
	hdr(&q, GPU_CMD_RESOURCE_CREATE_BLOB, 0, 0);
	put32(&q, 6);
	put32(&q, 2);
	put32(&q, 0);
	put32(&q, 1);
	put64(&q, 0);
	put64(&q, 4096);
	put64(&q, at);
	put32(&q, 4096);
	put32(&q, 0);
	assert_int_equal(send(&q), GPU_RESP_ERR_INVALID_PARAMETER);
	memcpy(q.b + 28, &(uint32_t){ 1 }, 4);
	memcpy(q.b + 32, &(uint32_t){ 1 }, 4);
	assert_int_equal(send(&q), GPU_RESP_ERR_INVALID_PARAMETER);
	memcpy(q.b + 32, &(uint32_t){ 0 }, 4);
	memcpy(q.b + 48, &(uint64_t){ 4097 }, 8);
	assert_int_equal(send(&q), GPU_RESP_ERR_INVALID_PARAMETER);
	memcpy(q.b + 48, &(uint64_t){ 4096 }, 8);
	assert_int_equal(send(&q), GPU_RESP_OK_NODATA);
	gpu_reset(&a);
}

static void cursor(uint32_t type, uint32_t id, int32_t x, int32_t y, uint32_t hx, uint32_t hy)
{
	struct dma_seg s;

	hdr(&q, type, 0, 0);
	put32(&q, 0);
	put32(&q, (uint32_t)x);
	put32(&q, (uint32_t)y);
	put32(&q, 0);
	put32(&q, id);
	put32(&q, hx);
	put32(&q, hy);
	put32(&q, 0);
	s = (struct dma_seg){ q.b, (uint32_t)q.len };
	gpu_cursor(dev, &(struct gpu_req){ &s, 1, q.len });
}

/* The cursor, opaque white, moved to the window's corners and far off:
 * white only inside a's visible part, black elsewhere in a, nothing
 * outside. */
static void test_cursor(void **state)
{
	const uint64_t at = RAM_IOVA + 0x300000;

	(void)state;
	memset(ram + (at - RAM_IOVA), 0xff, 64 * 64 * 4);
	assert_int_equal(create_2d(7, 1, 64, 64), GPU_RESP_OK_NODATA);
	assert_int_equal(attach(7, at, 64 * 64 * 4, 4096), GPU_RESP_OK_NODATA);
	assert_int_equal(transfer(7, 0, 0, 64, 64, 0), GPU_RESP_OK_NODATA);
	assert_int_equal(create_2d(8, 2, 32, 32), GPU_RESP_OK_NODATA);
	/* A black picture on the scanout: the window is shown. */
	assert_int_equal(create_2d(10, 2, 160, 100), GPU_RESP_OK_NODATA);
	assert_int_equal(set_scanout(0, 10, 0, 0, 160, 100), GPU_RESP_OK_NODATA);
	uint64_t errors = a.st.errors;
	cursor(GPU_CMD_UPDATE_CURSOR, 8, 0, 0, 0, 0); /* not 64x64 */
	cursor(GPU_CMD_UPDATE_CURSOR, 9, 0, 0, 0, 0); /* no such resource */
	cursor(GPU_CMD_UPDATE_CURSOR, 7, 0, 0, 64, 0); /* hot spot outside */
	assert_int_equal(a.st.errors, errors + 3);
	assert_false(win_a.cursor_on);
	static const int32_t at_xy[][2] = { { -30, -30 }, { 130, 70 }, { 150, 90 }, { 5000, 5000 },
					    { INT32_MIN, INT32_MAX }, { 40, 10 } };
	for (unsigned k = 0; k < sizeof(at_xy) / sizeof(at_xy[0]); k++) {
		int64_t cx = at_xy[k][0], cy = at_xy[k][1];
		cursor(k ? GPU_CMD_MOVE_CURSOR : GPU_CMD_UPDATE_CURSOR, 7, (int32_t)cx + 3,
		       (int32_t)cy + 2, 3, 2);
		for (unsigned y = 0; y < OUT_H; y++)
			for (unsigned x = 0; x < OUT_W; x++) {
				int64_t wx = (int64_t)x - 10, wy = (int64_t)y - 20;
				bool in_cursor = wx >= cx && wx < cx + 64 && wy >= cy && wy < cy + 64;
				bool shown = x >= 10 && x < 170 && y >= 20 && y < 120;
				uint32_t want = shown && in_cursor ? 0x00ffffffu : 0;
				if (px(x, y) != want)
					fail_msg("cursor at %lld,%lld: (%u,%u) %08x", (long long)cx,
						 (long long)cy, x, y, px(x, y));
			}
	}
	cursor(GPU_CMD_UPDATE_CURSOR, 0, 0, 0, 0, 0); /* hidden */
	for (unsigned y = 0; y < OUT_H; y++)
		for (unsigned x = 0; x < OUT_W; x++)
			assert_int_equal(px(x, y), 0);
	gpu_reset(&a);
}

/* b's picture in front: a's flush never draws over it. */
static void test_z_order(void **state)
{
	static uint8_t arena_b[1 << 20];
	static struct gpu_dev b;
	const uint64_t at = RAM_IOVA + 0x400000;

	(void)state;
	gpu_init(&b, &dma, 160, 100, "b", arena_b, sizeof(arena_b), &disp, &win_b);
	/* b shows solid 0x00123456 whole. */
	for (unsigned i = 0; i < 160 * 100; i++)
		memcpy(ram + (at - RAM_IOVA) + i * 4, &(uint32_t){ 0x123456 }, 4);
	dev = &b;
	assert_int_equal(create_2d(2, 2, 160, 100), GPU_RESP_OK_NODATA);
	assert_int_equal(attach(2, at, 160 * 100 * 4, 4096), GPU_RESP_OK_NODATA);
	assert_int_equal(transfer(2, 0, 0, 160, 100, 0), GPU_RESP_OK_NODATA);
	assert_int_equal(set_scanout(0, 2, 0, 0, 160, 100), GPU_RESP_OK_NODATA);
	dev = &a;
	/* a shows its pattern, flushed whole and then in many small pieces. */
	draw(RAM_IOVA, 160, 100, 160 * 4);
	assert_int_equal(create_2d(2, 2, 160, 100), GPU_RESP_OK_NODATA);
	assert_int_equal(attach(2, RAM_IOVA, 160 * 100 * 4, 4096), GPU_RESP_OK_NODATA);
	assert_int_equal(transfer(2, 0, 0, 160, 100, 0), GPU_RESP_OK_NODATA);
	assert_int_equal(set_scanout(0, 2, 0, 0, 160, 100), GPU_RESP_OK_NODATA);
	for (uint32_t y = 0; y < 100; y += 7)
		for (uint32_t x = 0; x < 160; x += 9)
			assert_int_equal(flush(2, x, y, 9 < 160 - x ? 9 : 160 - x, 7 < 100 - y ? 7 : 100 - y),
					 GPU_RESP_OK_NODATA);
	for (unsigned y = 0; y < OUT_H; y++)
		for (unsigned x = 0; x < OUT_W; x++) {
			bool in_b = x >= 100 && x < 260 && y >= 60 && y < 160;
			bool in_a = x >= 10 && x < 170 && y >= 20 && y < 120;
			uint32_t want = in_b ? 0x123456u : in_a ? pattern(x - 10, y - 20) : 0;
			if (px(x, y) != want)
				fail_msg("(%u,%u) %08x, not %08x", x, y, px(x, y), want);
		}
	/* b disables its scanout: a shows through where it is below b. */
	dev = &b;
	assert_int_equal(set_scanout(0, 0, 0, 0, 0, 0), GPU_RESP_OK_NODATA);
	dev = &a;
	for (unsigned y = 0; y < OUT_H; y++)
		for (unsigned x = 0; x < OUT_W; x++) {
			bool in_a = x >= 10 && x < 170 && y >= 20 && y < 120;
			uint32_t want = in_a ? pattern(x - 10, y - 20) : 0;
			if (px(x, y) != want)
				fail_msg("(%u,%u) %08x, not %08x", x, y, px(x, y), want);
		}
	gpu_reset(&a);
	gpu_reset(&b);
}

/* Without a display the commands work and the pictures go nowhere. */
static void test_no_display(void **state)
{
	static uint8_t arena_c[1 << 16];
	static struct gpu_dev c;

	(void)state;
	dev = &c;
	gpu_init(&c, &dma, 64, 64, "c", arena_c, sizeof(arena_c), NULL, NULL);
	memset(fb, 0x33, sizeof(fb));
	assert_int_equal(create_2d(2, 2, 64, 64), GPU_RESP_OK_NODATA);
	assert_int_equal(attach(2, RAM_IOVA, 64 * 64 * 4, 4096), GPU_RESP_OK_NODATA);
	assert_int_equal(transfer(2, 0, 0, 64, 64, 0), GPU_RESP_OK_NODATA);
	assert_int_equal(set_scanout(0, 2, 0, 0, 64, 64), GPU_RESP_OK_NODATA);
	assert_int_equal(flush(2, 0, 0, 64, 64), GPU_RESP_OK_NODATA);
	for (size_t i = 0; i < sizeof(fb); i++)
		assert_int_equal(fb[i], 0x33);
	dev = &a;
	comp_redraw(&disp, &(struct gpu_rect){ 0, 0, OUT_W, OUT_H });
}

/* An entry that needs more segments than a translation takes at once
 * (here: IOVA-contiguous pages scattered in host memory, as an IOMMU's
 * page mappings are): taken page by page, at attach and at transfer. */
static void test_scattered_pages(void **state)
{
	static uint8_t pages[DMA_MAX_RANGES][4096];
	static struct dma_space sp;
	static uint8_t arena_s[1 << 16];
	static struct gpu_dev s;
	struct dma_range r[DMA_MAX_RANGES];
	const int n = DMA_MAX_RANGES; /* more than a translation's segments */

	(void)state;
	for (int i = 0; i < n; i++) {
		/* backwards in host memory, so no two merge */
		r[i] = (struct dma_range){ 0x80000000ull + 4096u * (unsigned)i, 4096, pages[n - 1 - i],
					   DMA_BIDIR };
		memset(pages[n - 1 - i], 0x10 + i, 4096);
	}
	assert_int_equal(dma_space_init(&sp, r, (unsigned)n), 0);
	gpu_init(&s, &sp, 64, 64, "s", arena_s, sizeof(arena_s), NULL, NULL);
	dev = &s;
	assert_int_equal(create_2d(2, 2, 64, 16 * n), GPU_RESP_OK_NODATA);
	assert_int_equal(attach(2, 0x80000000ull, 4096u * n, 4096u * n), GPU_RESP_OK_NODATA);
	assert_int_equal(transfer(2, 0, 0, 64, 16 * n, 0), GPU_RESP_OK_NODATA);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < 4096; k++)
			assert_int_equal(s.res[0].pixels[i * 4096 + k], 0x10 + i);
	assert_int_equal(attach(2, 0x80000000ull, 4096u * n, 4096u * n), GPU_RESP_ERR_UNSPEC);
	res_cmd(GPU_CMD_RESOURCE_DETACH_BACKING, 2);
	/* One page more: past the last range. */
	assert_int_equal(attach(2, 0x80000000ull, 4096u * (n + 1), 4096u * (n + 1)),
			 GPU_RESP_ERR_INVALID_PARAMETER);
	dev = &a;
}

static void test_arena(void **state)
{
	static uint8_t mem[4096];
	struct gpu_arena ar;
	void *p[8];

	(void)state;
	gpu_arena_init(&ar, mem, sizeof(mem));
	for (int i = 0; i < 4; i++)
		assert_non_null(p[i] = gpu_arena_alloc(&ar, 1000));
	assert_null(gpu_arena_alloc(&ar, 1000)); /* 4 x 1024 */
	gpu_arena_free(&ar, p[1]);
	assert_null(gpu_arena_alloc(&ar, 1025)); /* the hole is 1024 */
	assert_ptr_equal(gpu_arena_alloc(&ar, 1024), p[1]);
	gpu_arena_free(&ar, p[0]);
	gpu_arena_free(&ar, p[1]);
	assert_ptr_equal(gpu_arena_alloc(&ar, 2048), mem); /* neighbours merge */
	assert_null(gpu_arena_alloc(&ar, 0));
	assert_null(gpu_arena_alloc(&ar, ~0ull - 10));
	gpu_arena_free(&ar, mem + 1); /* not a block: nothing */
	assert_int_equal(ar.used, 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_display_info_edid), cmocka_unit_test(test_fence_echo),
		cmocka_unit_test(test_malformed),         cmocka_unit_test(test_resources_and_budget),
		cmocka_unit_test(test_backing),           cmocka_unit_test(test_transfer_checks),
		cmocka_unit_test(test_picture),           cmocka_unit_test(test_blob),
		cmocka_unit_test(test_cursor),            cmocka_unit_test(test_z_order),
		cmocka_unit_test(test_no_display),        cmocka_unit_test(test_arena),
		cmocka_unit_test(test_scattered_pages),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
