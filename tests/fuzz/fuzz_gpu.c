/* libFuzzer harness for virtio-gpu 2D's decoder and commands (core/gpu.c)
 * with the compositor (core/compositor.c): the input is a partition's
 * sequence of controlq and cursorq requests, each handed over as
 * vdev/virtio_gpu.c does (its readable bytes in pieces, its writable
 * room), against a fake guest RAM whose contents also come from the input.
 * Built with -fsanitize=fuzzer,address,undefined. After each request:
 *  - the response fits the room, is a header at least (or nothing when
 *    there is no room for one), of a defined type, the fence echoed;
 *  - a request that failed changed nothing: resources, scanout, budget;
 *  - the budget's blocks add up to what it says is used, inside it;
 *  - not one pixel of the output changed outside the device's window, nor
 *    inside it where the neighbour's window is in front.
 * Input: byte 0: the piece size requests are cut in (1 + b % 64); then 4 KiB
 * of guest RAM (repeated over its 256 KiB); then requests: u8 queue (bit 0),
 * u8 len (times 4, % 1200), u8 cap (times 8), len bytes.
 * tests/fuzz/corpus/gpu/ has seeds (make_corpus_gpu.py).
 * proves: GPU2D-3, GPU2D-5, GPU2D-7 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/gpu.h>

#define RAM_IOVA 0x40000000ull
#define RAM_SIZE (256u << 10)
#define OW 128
#define OH 96

static uint8_t ram[RAM_SIZE];
static uint8_t arena[256 << 10];
static uint8_t fb[OW * OH * 4], fb_ref[OW * OH * 4];
static uint8_t shadow_me[64 * 48 * 4], shadow_nb[64 * 48 * 4];
static struct dma_space dma;
static struct display disp;
static struct comp_window me, nb;
static struct gpu_dev g;

static __attribute__((noreturn)) void die(const char *what)
{
	fprintf(stderr, "fuzz_gpu: %s\n", what);
	abort();
}

/* The device's window, minus the neighbour in front of it. */
static bool mine(unsigned x, unsigned y)
{
	bool in_me = x >= 8 && x < 72 && y >= 8 && y < 56;
	bool in_nb = x >= 40 && x < 104 && y >= 30 && y < 78;
	return in_me && !in_nb;
}

static void setup(void)
{
	struct dma_range r = { RAM_IOVA, RAM_SIZE, ram, DMA_BIDIR };

	if (dma_space_init(&dma, &r, 1))
		die("dma_space_init");
	memset(fb, 0x55, sizeof(fb));
	disp = (struct display){ .width = OW, .height = OH, .stride = OW * 4, .fb = fb };
	me = (struct comp_window){ .rect = { 8, 8, 64, 48 }, .z = 1, .shadow = shadow_me };
	nb = (struct comp_window){ .rect = { 40, 30, 64, 48 }, .z = 2, .shadow = shadow_nb };
	comp_add(&disp, &me);
	comp_add(&disp, &nb);
	for (size_t i = 0; i < sizeof(shadow_nb); i++)
		shadow_nb[i] = (uint8_t)(i * 7 + 1);
	comp_show(&disp, &nb);
	comp_redraw(&disp, &(struct gpu_rect){ 0, 0, OW, OH });
	memcpy(fb_ref, fb, sizeof(fb));
	gpu_init(&g, &dma, 64, 48, "fuzz", arena, sizeof(arena), &disp, &me);
}

static void check_output(void)
{
	for (unsigned y = 0; y < OH; y++)
		for (unsigned x = 0; x < OW; x++)
			if (!mine(x, y) && memcmp(fb + (y * OW + x) * 4, fb_ref + (y * OW + x) * 4, 4))
				die("a pixel outside the device's visible window changed");
}

static void check_arena(const struct gpu_arena *a)
{
	uint64_t sum = 0, end = 0;

	for (unsigned i = 0; i < a->n; i++) {
		if (a->blk[i].off < end || a->blk[i].len > a->size - a->blk[i].off)
			die("budget blocks overlap or leave it");
		end = a->blk[i].off + a->blk[i].len;
		sum += a->blk[i].len;
	}
	if (sum != a->used || a->used > a->size)
		die("the budget's count is off");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool once;
	static struct gpu_resource res_before[GPU_MAX_RESOURCES];
	static struct gpu_scanout so_before;
	static struct gpu_arena arena_before;
	size_t pos = 1 + 4096, piece;

	if (!once) {
		setup();
		once = true;
	}
	if (size < pos)
		return 0;
	gpu_reset(&g);
	check_output();
	piece = 1 + data[0] % 64;
	for (size_t off = 0; off < RAM_SIZE; off += 4096)
		memcpy(ram + off, data + 1, 4096);
	while (pos + 3 <= size) {
		uint8_t q = data[pos] & 1, req[1200], resp[GPU_RESP_MAX + 64];
		size_t len = (size_t)data[pos + 1] * 4 % 1200, cap = (size_t)data[pos + 2] * 8, n;
		struct dma_seg seg[1200];
		unsigned nseg = 0;
		uint32_t in_flags = 0, out_type, out_flags;
		uint64_t in_fence = 0, out_fence;

		pos += 3;
		if (len > size - pos)
			len = size - pos;
		memcpy(req, data + pos, len);
		pos += len;
		for (size_t off = 0; off < len; off += piece)
			seg[nseg++] = (struct dma_seg){ req + off, (uint32_t)(len - off < piece ? len - off : piece) };
		struct gpu_req rq = { seg, nseg, len };
		if (q) {
			gpu_cursor(&g, &rq);
			check_output();
			continue;
		}
		memcpy(res_before, g.res, sizeof(res_before));
		so_before = g.so;
		arena_before = g.arena;
		if (cap > sizeof(resp))
			cap = sizeof(resp);
		memset(resp, 0xa5, sizeof(resp));
		n = gpu_ctrl(&g, &rq, resp, cap);
		if (n > cap || (cap >= GPU_HDR_LEN && n < GPU_HDR_LEN) || (cap < GPU_HDR_LEN && n))
			die("response length");
		for (size_t i = n; i < sizeof(resp); i++)
			if (resp[i] != 0xa5)
				die("written past the response");
		check_arena(&g.arena);
		check_output();
		if (!n)
			continue;
		memcpy(&out_type, resp, 4);
		memcpy(&out_flags, resp + 4, 4);
		memcpy(&out_fence, resp + 8, 8);
		if (len >= GPU_HDR_LEN) {
			memcpy(&in_flags, req + 4, 4);
			memcpy(&in_fence, req + 8, 8);
		}
		if (!((out_type >= GPU_RESP_OK_NODATA && out_type <= GPU_RESP_OK_EDID) ||
		      (out_type >= GPU_RESP_ERR_UNSPEC && out_type <= GPU_RESP_ERR_INVALID_PARAMETER)))
			die("an undefined response type");
		if ((in_flags & GPU_FLAG_FENCE) &&
		    (!(out_flags & GPU_FLAG_FENCE) || out_fence != in_fence))
			die("the fence not echoed");
		if (out_type >= GPU_RESP_ERR_UNSPEC &&
		    (memcmp(res_before, g.res, sizeof(res_before)) || memcmp(&so_before, &g.so, sizeof(so_before)) ||
		     arena_before.used != g.arena.used || arena_before.n != g.arena.n))
			die("a failed request changed the device");
	}
	return 0;
}
