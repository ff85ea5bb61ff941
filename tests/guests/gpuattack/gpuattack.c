/* The hostile virtio-gpu driver: drives its partition's virtio-gpu as
 * Linux's driver does (a controlq of request/response pairs, a cursorq),
 * proves with valid commands that it can draw, then sends what the device
 * must refuse: rectangles out of range and wrapping 32 bits, huge and
 * overflowing sizes, backing in another partition's memory, in the
 * hypervisor's and wrapping 64 bits, offsets past the backing, unknown and
 * reused resource ids, exhaustion of its budget, scanouts and capsets that
 * do not exist, 3D commands, no room for a response, bad blobs, and its
 * cursor far outside its window. Each gets its error response; after each
 * the device draws again. The neighbours' pictures are the host test's to
 * compare (tests/linux/test_gpu.py, screendumps before and after).
 *
 * Runs in "attacker" of tests/configs/good/linux-gpu.dts: its virtio-gpu
 * in slot 0 (0x0a000000), mode 160x120, window at (0, 360) of the display.
 * It waits for a "g" on its console, so that the host can take its "before"
 * picture, and leaves its window showing drmdraw's picture of seed 3
 * (tests/lib/linux/drmdraw.c) with its white cursor at (-20, -20), mostly
 * outside the window.
 * proves: GPU2D-2, GPU2D-5, GPU2D-7, PLATFORM-5 */
#ifndef GUEST_NAME
#define GUEST_NAME "gpuattack"
#endif
#include "../common/guest.h"
#include "../common/cases.h"
#include "../common/virtio_mmio.h"
#include "../common/vtimer.h"

#ifndef GPU3D
#define GPU3D 0
#endif
#define VGPU 0x0a000000UL
#define W 160
#define H 120
#define S_LIVE (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)
#define QNUM 16
#define WAIT_SPINS 20000000UL
#define OTHER_PARTITION 0x50000000UL /* the cluster's RAM */
#define HYPERVISOR 0x40100000UL

#define F_VIRGL (1ULL << 0)
#define F_EDID (1ULL << 1)
#define F_BLOB (1ULL << 3)

enum {
	GET_DISPLAY_INFO = 0x0100, CREATE_2D, UNREF, SET_SCANOUT, FLUSH, TRANSFER, ATTACH, DETACH,
	GET_CAPSET_INFO, GET_CAPSET, GET_EDID, ASSIGN_UUID, CREATE_BLOB, SET_SCANOUT_BLOB,
	SUBMIT_3D = 0x0207, UPDATE_CURSOR = 0x0300, MOVE_CURSOR,
	OK_NODATA = 0x1100, OK_DISPLAY_INFO, OK_EDID = 0x1104,
	ERR_UNSPEC = 0x1200, ERR_OOM, ERR_SCANOUT, ERR_RESOURCE, ERR_CONTEXT, ERR_PARAMETER,
};

/* controlq at +0 (desc, avail +0x400, used +0x800), cursorq at +0x1000,
 * the request at +0x2000 (4 KiB), the response at +0x3000 (guards around
 * it); the picture's backing at +0x8000, the cursor's after it. */
static uint8_t arena[0x8000 + W * H * 4 + 64 * 64 * 4 + 0x1000];
static uintptr_t A;
#define CQ (A + 0x0000)
#define XQ (A + 0x1000)
#define REQ (A + 0x2000)
#define RSP (A + 0x3000)
#define PIC (A + 0x8000)
#define CUR (PIC + W * H * 4)

struct q {
	uintptr_t ring;
	unsigned sel;
	uint16_t avail, used;
};
static struct q cq = { 0, 0, 0, 0 }, xq = { 0, 1, 0, 0 };
static uint32_t used_id, used_len;
static uint32_t next_id = 10;

#define DESC(q) ((q)->ring)
#define AVAIL(q) ((q)->ring + 0x400)
#define USED(q) ((q)->ring + 0x800)

static uint32_t rd(uint32_t off) { return mmio_read32(VGPU + off); }
static void wr(uint32_t off, uint32_t v) { mmio_write32(VGPU + off, v); }

static void kick(struct q *q, uint16_t head)
{
	vq_publish(AVAIL(q), &q->avail, QNUM, head);
	wr(R_QUEUE_NOTIFY, q->sel);
}

static int wait(struct q *q)
{
	for (unsigned long i = 0; i < WAIT_SPINS; i++) {
		if (vq_take_used(USED(q), &q->used, QNUM, &used_id, &used_len))
			return 1;
		if ((i & 255) == 0)
			(void)rd(R_STATUS);
	}
	return 0;
}

static int dev_init(void)
{
	wr(R_STATUS, 0);
	fill(CQ, CQ + 0x2000, 0);
	cq.avail = cq.used = xq.avail = xq.used = 0;
	vmmio_negotiate(VGPU, F_VERSION_1 | F_EDID | F_BLOB | (GPU3D ? F_VIRGL : 0), 1);
	if (!(rd(R_STATUS) & S_FEATURES_OK))
		return 0;
	if (!vmmio_queue_setup(VGPU, 0, QNUM, DESC(&cq), AVAIL(&cq), USED(&cq)) ||
	    !vmmio_queue_setup(VGPU, 1, QNUM, DESC(&xq), AVAIL(&xq), USED(&xq)))
		return 0;
	wr(R_STATUS, S_LIVE);
	return rd(R_STATUS) == S_LIVE;
}

/* ---- requests: words at REQ ---- */

static uint32_t qlen;
static void begin(uint32_t type)
{
	fill(REQ, REQ + 0x1000, 0);
	w32(REQ, type);
	qlen = 24;
}
static void u32_(uint32_t v)
{
	w32(REQ + qlen, v);
	qlen += 4;
}
static void u64_(uint64_t v)
{
	w64(REQ + qlen, v);
	qlen += 8;
}

/* The request as built, a response buffer of cap bytes: the response's
 * type, or 0 when none came back or it is shorter than a header. */
static uint32_t send_cap(uint32_t cap)
{
	fill(RSP - 0x100, RSP + 0x600, 0xa5);
	set_desc(DESC(&cq), 0, REQ, qlen, D_NEXT, 1);
	set_desc(DESC(&cq), 1, RSP, cap, D_WRITE, 0);
	kick(&cq, 0);
	if (!wait(&cq) || used_id != 0 || used_len < 24)
		return 0;
	return r32(RSP);
}
static uint32_t send(void)
{
	return send_cap(0x500);
}

static uint32_t create_2d(uint32_t id, uint32_t fmt, uint32_t w, uint32_t h)
{
	begin(CREATE_2D);
	u32_(id);
	u32_(fmt);
	u32_(w);
	u32_(h);
	return send();
}
static uint32_t res_cmd(uint32_t type, uint32_t id)
{
	begin(type);
	u32_(id);
	u32_(0);
	return send();
}
static uint32_t attach(uint32_t id, uint64_t addr, uint32_t len)
{
	begin(ATTACH);
	u32_(id);
	u32_(1);
	u64_(addr);
	u32_(len);
	u32_(0);
	return send();
}
static void rect(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	u32_(x);
	u32_(y);
	u32_(w);
	u32_(h);
}
static uint32_t transfer(uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint64_t off)
{
	begin(TRANSFER);
	rect(x, y, w, h);
	u64_(off);
	u32_(id);
	u32_(0);
	return send();
}
static uint32_t set_scanout(uint32_t sc, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	begin(SET_SCANOUT);
	rect(x, y, w, h);
	u32_(sc);
	u32_(id);
	return send();
}
static uint32_t flush(uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	begin(FLUSH);
	rect(x, y, w, h);
	u32_(id);
	u32_(0);
	return send();
}
static void cursor(uint32_t type, uint32_t id, uint32_t x, uint32_t y)
{
	begin(type);
	u32_(0);
	u32_(x);
	u32_(y);
	u32_(0);
	u32_(id);
	u32_(0);
	u32_(0);
	u32_(0);
	set_desc(DESC(&xq), 0, REQ, qlen, 0, 0);
	kick(&xq, 0);
	wait(&xq);
}

/* drmdraw's picture (seed 3) at PIC, the white cursor at CUR. */
static void draw(void)
{
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			uint32_t r = (x * 7 + y * 13 + 3 * 64) & 0xff, g = (x ^ y) & 0xff;
			uint32_t b = (3 * 85 + (x >> 4) + (y >> 4)) & 0xff;
			w32(PIC + 4 * (y * W + x), r << 16 | g << 8 | b);
		}
	fill(CUR, CUR + 64 * 64 * 4, 0xff);
}

/* The picture on the scanout through a 2D resource: what must work. */
static int show_picture(void)
{
	uint32_t id = next_id++;
	return create_2d(id, 2, W, H) == OK_NODATA && attach(id, PIC, W * H * 4) == OK_NODATA &&
	       transfer(id, 0, 0, W, H, 0) == OK_NODATA &&
	       set_scanout(0, id, 0, 0, W, H) == OK_NODATA && flush(id, 0, 0, W, H) == OK_NODATA;
}

static int serves(void)
{
	return dev_init() && show_picture();
}

/* ---- the cases ---- */

static uint32_t got;
#define EXPECT(call, want) ((got = (call)) == (want) || ((detail = got), 0))

static int c_rects(void)
{
	uint32_t id = next_id++;
	return create_2d(id, 2, 64, 64) == OK_NODATA && attach(id, PIC, 64 * 64 * 4) == OK_NODATA &&
	       EXPECT(transfer(id, 1, 0, 64, 1, 0), ERR_PARAMETER) &&
	       EXPECT(transfer(id, 0, 60, 64, 5, 0), ERR_PARAMETER) &&
	       EXPECT(transfer(id, 0xfffffff0u, 0, 0x20, 1, 0), ERR_PARAMETER) &&
	       EXPECT(set_scanout(0, id, 0, 0, 65, 64), ERR_PARAMETER) &&
	       EXPECT(set_scanout(0, id, 0, 0, 0, 0), ERR_PARAMETER) &&
	       EXPECT(flush(id, 0, 0xffffffffu, 1, 2), ERR_PARAMETER) &&
	       EXPECT(flush(id, 0, 0, 64, 65), ERR_PARAMETER);
}

static int c_sizes(void)
{
	return EXPECT(create_2d(next_id++, 2, 0xffffffffu, 0xffffffffu), ERR_PARAMETER) &&
	       EXPECT(create_2d(next_id++, 2, 8192, 8192), ERR_PARAMETER) &&
	       EXPECT(create_2d(next_id++, 2, 0, 1), ERR_PARAMETER) &&
	       EXPECT(create_2d(next_id++, 77, 16, 16), ERR_PARAMETER);
}

static int c_backing_elsewhere(void)
{
	uint32_t id = next_id++;
	return create_2d(id, 2, 16, 16) == OK_NODATA &&
	       EXPECT(attach(id, OTHER_PARTITION, 4096), ERR_PARAMETER) &&
	       EXPECT(attach(id, HYPERVISOR, 4096), ERR_PARAMETER) &&
	       EXPECT(attach(id, 0xfffffffffffff000ull, 0x2000), ERR_PARAMETER) &&
	       EXPECT(attach(id, PIC, 0), ERR_PARAMETER) &&
	       EXPECT(transfer(id, 0, 0, 16, 16, 0), ERR_UNSPEC); /* nothing attached */
}

static int c_entries(void)
{
	uint32_t id = next_id++;
	if (create_2d(id, 2, 16, 16) != OK_NODATA)
		return 0;
	begin(ATTACH);
	u32_(id);
	u32_(0xffffffffu); /* more entries than the request holds */
	u64_(PIC);
	u32_(4096);
	u32_(0);
	return EXPECT(send(), ERR_PARAMETER) && attach(id, PIC, 1000) == OK_NODATA &&
	       EXPECT(attach(id, PIC, 1024), ERR_UNSPEC) && /* twice */
	       EXPECT(transfer(id, 0, 0, 16, 16, 0), ERR_PARAMETER) && /* backing short */
	       EXPECT(transfer(id, 0, 0, 1, 1, 0xfffffffffffffffcull), ERR_PARAMETER);
}

static int c_ids(void)
{
	uint32_t id = next_id++;
	return EXPECT(res_cmd(UNREF, 999999), ERR_RESOURCE) &&
	       EXPECT(flush(999999, 0, 0, 1, 1), ERR_RESOURCE) &&
	       EXPECT(create_2d(0, 2, 16, 16), ERR_RESOURCE) && create_2d(id, 2, 16, 16) == OK_NODATA &&
	       EXPECT(create_2d(id, 2, 16, 16), ERR_RESOURCE) && res_cmd(UNREF, id) == OK_NODATA &&
	       EXPECT(res_cmd(UNREF, id), ERR_RESOURCE) && EXPECT(set_scanout(0, id, 0, 0, 1, 1), ERR_RESOURCE);
}

/* 64 KiB resources until the 1 MiB budget is spent: OUT_OF_MEMORY, and
 * after freeing them, room again. */
static int c_exhaustion(void)
{
	uint32_t first = next_id, n = 0, st = 0;
	while (n < 64 && (st = create_2d(next_id++, 2, 128, 128)) == OK_NODATA)
		n++;
	detail = n;
	if (st != ERR_OOM || n < 4)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		res_cmd(UNREF, first + i);
	return EXPECT(create_2d(next_id++, 2, 128, 128), OK_NODATA);
}

static int c_scanouts(void)
{
	begin(GET_EDID);
	u32_(1);
	u32_(0);
	if (!EXPECT(send(), ERR_SCANOUT))
		return 0;
	begin(GET_CAPSET_INFO);
	u32_(0);
	u32_(0);
	if (!EXPECT(send(), ERR_PARAMETER))
		return 0;
	begin(SUBMIT_3D);
	if (!EXPECT(send(), ERR_UNSPEC))
		return 0;
	return EXPECT(set_scanout(5, 1, 0, 0, 1, 1), ERR_SCANOUT);
}

/* A response buffer shorter than a header: the used entry says 0 bytes. */
static int c_no_room(void)
{
	begin(GET_DISPLAY_INFO);
	fill(RSP, RSP + 16, 0xa5);
	set_desc(DESC(&cq), 0, REQ, qlen, D_NEXT, 1);
	set_desc(DESC(&cq), 1, RSP, 8, D_WRITE, 0);
	kick(&cq, 0);
	detail = used_len;
	return wait(&cq) && used_len == 0 && all_are(RSP, RSP + 16, 0xa5);
}

static int c_blobs(void)
{
	uint32_t id = next_id++;
	begin(CREATE_BLOB);
	u32_(id);
	u32_(2); /* host 3D memory */
	u32_(0);
	u32_(1);
	u64_(0);
	u64_(4096);
	u64_(PIC);
	u32_(4096);
	u32_(0);
	if (!EXPECT(send(), ERR_PARAMETER))
		return 0;
	w32(REQ + 28, 1);     /* guest memory */
	w64(REQ + 48, 8192); /* larger than its backing */
	if (!EXPECT(send(), ERR_PARAMETER))
		return 0;
	w64(REQ + 48, 4096);
	w64(REQ + 56, OTHER_PARTITION);
	if (!EXPECT(send(), ERR_PARAMETER))
		return 0;
	w64(REQ + 56, PIC);
	if (send() != OK_NODATA)
		return 0;
	begin(SET_SCANOUT_BLOB);
	rect(0, 0, 16, 16);
	u32_(0);
	u32_(id);
	u32_(32); /* 32 x 33 at 128 bytes a row: past the 4 KiB blob */
	u32_(33);
	u32_(2);
	u32_(0);
	u32_(128);
	qlen = 96; /* the other strides and offsets: 0 */
	return EXPECT(send(), ERR_PARAMETER);
}

/* The cursor far outside the window, at the extremes of 32 bits: nothing
 * to answer; the screendump shows nothing of it outside the window. */
static int c_cursor_outside(void)
{
	uint32_t id = next_id++;
	if (create_2d(id, 1, 64, 64) != OK_NODATA || attach(id, CUR, 64 * 64 * 4) != OK_NODATA ||
	    transfer(id, 0, 0, 64, 64, 0) != OK_NODATA)
		return 0;
	cursor(UPDATE_CURSOR, id, 150, 110);
	cursor(MOVE_CURSOR, 0, 0x7fffffff, 0x7fffffff);
	cursor(MOVE_CURSOR, 0, 0x80000000u, 0x80000000u);
	cursor(MOVE_CURSOR, 0, 100000, 5);
	cursor(UPDATE_CURSOR, 12345, 0, 0); /* no such resource: ignored */
	return 1;
}

/* A descriptor outside its memory: the device needs a reset, nothing else. */
static int c_bad_descriptor(void)
{
	begin(GET_DISPLAY_INFO);
	set_desc(DESC(&cq), 0, OTHER_PARTITION, 24, D_NEXT, 1);
	set_desc(DESC(&cq), 1, RSP, 0x500, D_WRITE, 0);
	kick(&cq, 0);
	for (unsigned i = 0; i < 100000; i++)
		if (rd(R_STATUS) & S_NEEDS_RESET)
			return 1;
	return 0;
}


#if GPU3D
/* ---- 3D (tests/guests/gpu3dattack) ---- */
enum { CTX_CREATE = 0x0200, CTX_DESTROY, CTX_ATTACH, CTX_DETACH, CREATE_3D, TO_HOST_3D, FROM_HOST_3D,
       OK_CAPSET_INFO = 0x1102 };
#define NEIGHBOUR_RES 1          /* the neighbour's first resource, as Linux numbers it */
#define NEIGHBOUR_HOST 0x10001u  /* and as the backend knows it (partition 0, slot 0) */

static void hdr_ctx(uint32_t type, uint32_t ctx)
{
	begin(type);
	w32(REQ + 16, ctx);
}

static uint32_t ctx_create(uint32_t ctx)
{
	hdr_ctx(CTX_CREATE, ctx);
	u32_(0);
	u32_(0);
	qlen += 64;
	return send();
}

static uint32_t ctx_res(uint32_t type, uint32_t ctx, uint32_t id)
{
	hdr_ctx(type, ctx);
	u32_(id);
	u32_(0);
	return send();
}

static uint32_t create_3d(uint32_t id, uint32_t w, uint32_t h)
{
	begin(CREATE_3D);
	u32_(id);
	u32_(2);     /* PIPE_TEXTURE_2D */
	u32_(2);     /* B8G8R8X8 */
	u32_(2);     /* render target */
	u32_(w);
	u32_(h);
	u32_(1);
	u32_(1);
	u32_(0);
	u32_(0);
	u32_(0);
	u32_(0);
	return send();
}

/* A SUBMIT_3D of n dwords (words[]), claiming size bytes. */
static uint32_t submit(uint32_t ctx, const uint32_t *words, unsigned n, uint32_t size)
{
	hdr_ctx(SUBMIT_3D, ctx);
	u32_(size);
	u32_(0);
	for (unsigned i = 0; i < n; i++)
		u32_(words[i]);
	return send();
}

static uint32_t xfer3d(uint32_t type, uint32_t id, uint32_t x, uint32_t w, uint32_t h, uint64_t off,
		       uint32_t level)
{
	hdr_ctx(type, 1);
	u32_(x);
	u32_(0);
	u32_(0);
	u32_(w);
	u32_(h);
	u32_(1);
	u64_(off);
	u32_(id);
	u32_(level);
	u32_(w * 4);
	u32_(0);
	return send();
}

static int c3_capsets(void)
{
	begin(GET_CAPSET_INFO);
	u32_(0);
	u32_(0);
	if (send() != OK_CAPSET_INFO)
		return 0;
	begin(GET_CAPSET_INFO);
	u32_(99);
	u32_(0);
	if (!EXPECT(send(), ERR_PARAMETER))
		return 0;
	begin(GET_CAPSET);
	u32_(99);
	u32_(0);
	return EXPECT(send(), ERR_PARAMETER);
}

/* Contexts: its own once; the neighbour's (1 is also the neighbour's
 * first) and the backend's ids are not its to name. */
static int c3_contexts(void)
{
	return ctx_create(1) == OK_NODATA && EXPECT(ctx_create(1), ERR_CONTEXT) &&
	       create_3d(100, 64, 64) == OK_NODATA &&
	       EXPECT(ctx_res(CTX_ATTACH, 2, 100), ERR_CONTEXT) &&
	       EXPECT(ctx_res(CTX_ATTACH, 0x21, 100), ERR_CONTEXT) &&
	       EXPECT(ctx_res(CTX_ATTACH, 1, NEIGHBOUR_RES), ERR_RESOURCE) &&
	       EXPECT(ctx_res(CTX_ATTACH, 1, NEIGHBOUR_HOST), ERR_RESOURCE) &&
	       ctx_res(CTX_ATTACH, 1, 100) == OK_NODATA;
}

/* Command buffers naming the neighbour's resources, oversized, cut short,
 * unknown: refused whole; its own goes through. */
static int c3_submits(void)
{
	const uint32_t mine[] = { 9 | 1 << 16, 100 };            /* INLINE_WRITE header + handle */
	const uint32_t theirs[] = { 9 | 1 << 16, NEIGHBOUR_RES };
	const uint32_t host[] = { 9 | 1 << 16, NEIGHBOUR_HOST };
	const uint32_t surface[] = { 1 | 8 << 8 | 5 << 16, 7, NEIGHBOUR_RES, 2, 0, 0 };
	const uint32_t cut[] = { 16 | 21 << 16, 0 };             /* a BLIT of 2 dwords */
	const uint32_t unknown[] = { 200 };
	const uint32_t nop[] = { 0 };
	return ctx_create(1) == OK_NODATA && create_3d(100, 64, 64) == OK_NODATA &&
	       ctx_res(CTX_ATTACH, 1, 100) == OK_NODATA &&
	       EXPECT(submit(1, theirs, 2, 8), ERR_PARAMETER) &&
	       EXPECT(submit(1, host, 2, 8), ERR_PARAMETER) &&
	       EXPECT(submit(1, surface, 6, 24), ERR_PARAMETER) &&
	       EXPECT(submit(1, cut, 2, 8), ERR_PARAMETER) &&
	       EXPECT(submit(1, unknown, 1, 4), ERR_PARAMETER) &&
	       EXPECT(submit(1, nop, 1, 0x40004), ERR_PARAMETER) &&  /* over 256 KiB */
	       EXPECT(submit(1, nop, 1, 0x1000), ERR_PARAMETER) &&   /* past the request */
	       EXPECT(submit(1, nop, 1, 6), ERR_PARAMETER) &&
	       EXPECT(submit(2, nop, 1, 4), ERR_CONTEXT) &&
	       submit(1, nop, 1, 4) == OK_NODATA && submit(1, mine, 0, 0) == OK_NODATA;
}

/* Transfers out of the resource or its backing, backing elsewhere. */
static int c3_transfers(void)
{
	return ctx_create(1) == OK_NODATA && create_3d(101, 64, 64) == OK_NODATA &&
	       EXPECT(xfer3d(TO_HOST_3D, 101, 0, 64, 64, 0, 0), ERR_RESOURCE) && /* not in ctx 1 */
	       ctx_res(CTX_ATTACH, 1, 101) == OK_NODATA &&
	       EXPECT(xfer3d(TO_HOST_3D, 101, 0, 64, 64, 0, 0), ERR_UNSPEC) && /* no backing */
	       EXPECT(attach(101, OTHER_PARTITION, 64 * 64 * 4), ERR_PARAMETER) &&
	       EXPECT(attach(101, HYPERVISOR, 64 * 64 * 4), ERR_PARAMETER) &&
	       attach(101, PIC, 64 * 64 * 4) == OK_NODATA &&
	       EXPECT(xfer3d(TO_HOST_3D, 101, 1, 64, 64, 0, 0), ERR_PARAMETER) &&
	       EXPECT(xfer3d(TO_HOST_3D, 101, 0xfffffff0u, 0x20, 1, 0, 0), ERR_PARAMETER) &&
	       EXPECT(xfer3d(TO_HOST_3D, 101, 0, 64, 64, 4, 0), ERR_PARAMETER) &&
	       EXPECT(xfer3d(FROM_HOST_3D, 101, 0, 64, 64, 0xfffffffffffffff0ull, 0), ERR_PARAMETER) &&
	       EXPECT(xfer3d(TO_HOST_3D, 101, 0, 32, 32, 0, 3), ERR_PARAMETER) &&
	       EXPECT(xfer3d(TO_HOST_3D, NEIGHBOUR_HOST, 0, 1, 1, 0, 0), ERR_RESOURCE) &&
	       xfer3d(TO_HOST_3D, 101, 0, 64, 64, 0, 0) == OK_NODATA &&
	       xfer3d(FROM_HOST_3D, 101, 0, 64, 64, 0, 0) == OK_NODATA;
}
#endif

static void run_case(const char *what, int (*fn)(void))
{
	run_checked(what, dev_init, fn, serves, "the device does not draw after: ");
}

/* One byte of console input, waited for with WFI on the UART's receive
 * interrupt (masked at PSTATE: it only wakes the CPU). Not by polling the
 * flag register: every read is a trap, and under QEMU's one-thread TCG
 * (-icount) a vCPU that traps without pause kept the two Linux partitions
 * beside it from printing a line in 25 minutes. */
static int getc_(void)
{
	while (mmio_read32(UART_BASE + 0x18) & 0x10) /* RXFE */
		__asm__ volatile("dsb sy; wfi" ::: "memory");
	return (int)(mmio_read32(UART_BASE) & 0xff);
}

void guest_main(uint64_t x0, uint64_t first_counter)
{
	(void)x0;
	(void)first_counter;
	A = ((uintptr_t)arena + 0xfff) & ~(uintptr_t)0xfff;
	cq.ring = CQ;
	xq.ring = XQ;
	draw();
	control("virtio-gpu (ID 16) goes live with EDID and blob", rd(R_DEVICE_ID) == 16 && dev_init());
	control("its picture on its scanout", show_picture());
	gic_enable_vtimer();
	gic_enable_spi(33);                      /* its UART's */
	mmio_write32(UART_BASE + 0x38, 0x50);    /* UARTIMSC: RX, RX timeout */
	/* In 3D mode every g is another round: the test attacks while the
	 * neighbour boots and again while it renders. The device is reset
	 * between rounds (the final picture's dev_init), which destroys its
	 * contexts and resources at the backend, so each round starts clean. */
	for (;;) {
		puts_(GUEST_NAME ": waiting for g\n");
		while (getc_() != 'g')
			;
#if GPU3D
		control("VIRGL is offered, with capsets", (rd(0x100 + 12) > 0));
		run_case("capsets that do not exist: INVALID_PARAMETER", c3_capsets);
		run_case("contexts and resources that are not its own: their errors", c3_contexts);
		run_case("submits naming others' resources, oversized, cut, unknown: refused", c3_submits);
		run_case("transfers outside the resource or its backing, backing elsewhere: refused",
			 c3_transfers);
#else
		run_case("rectangles out of range and wrapping: INVALID_PARAMETER", c_rects);
		run_case("huge, overflowing and empty sizes, unknown formats: INVALID_PARAMETER", c_sizes);
		run_case("backing in another partition, the hypervisor, wrapping: INVALID_PARAMETER",
			 c_backing_elsewhere);
		run_case("backing lists longer than sent, twice, too short: their errors", c_entries);
		run_case("unknown and reused resource ids: INVALID_RESOURCE_ID", c_ids);
		run_case("its budget spent: OUT_OF_MEMORY, then room again", c_exhaustion);
		run_case("scanouts and capsets that do not exist, 3D: their errors", c_scanouts);
		run_case("no room for a response: nothing written", c_no_room);
		run_case("blobs in host memory, past their backing, elsewhere: INVALID_PARAMETER", c_blobs);
		run_case("its cursor far outside its window", c_cursor_outside);
		run_case("a descriptor outside its memory: NEEDS_RESET", c_bad_descriptor);
#endif
		/* The final picture, and the cursor at (-20, -20). */
		if (dev_init() && show_picture()) {
			uint32_t id = next_id++;
			if (create_2d(id, 1, 64, 64) == OK_NODATA && attach(id, CUR, 64 * 64 * 4) == OK_NODATA &&
			    transfer(id, 0, 0, 64, 64, 0) == OK_NODATA)
				cursor(UPDATE_CURSOR, id, (uint32_t)-20, (uint32_t)-20);
		}
		report_alive("cases");
		report_served();
		if (served_after_all)
			puts_(GUEST_NAME ": the device draws after every case\n");
		report_done();
		if (!GPU3D)
			break;
	}
	/* Stay on: a partition that stops takes its window off the display. */
	for (;;)
		__asm__ volatile("dsb sy; wfi" ::: "memory");
}
