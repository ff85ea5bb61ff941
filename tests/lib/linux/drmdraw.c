/* drmdraw SEED: draws a known picture through Linux's DRM (the virtio-gpu
 * driver), the way a simple compositor would, and stays on screen. Static,
 * no libc, no libdrm.
 *
 * Opens /dev/dri/card0 (the first opener is DRM master), takes the first
 * connected connector and its preferred mode (what the EDID says), makes a
 * dumb buffer of that size, draws the pattern below, shows it (ADDFB,
 * SETCRTC), marks it all dirty (DIRTYFB), prints
 *     "drmdraw: shown WxH seed S"
 * and waits for ever (closing the device would give the screen back to
 * fbcon). On any failure: "drmdraw: STEP failed errno N", exit 1.
 *
 * drmdraw SEED bench N (make bench): then N full-frame DIRTYFBs (each a
 * TRANSFER_TO_HOST_2D and a RESOURCE_FLUSH of the whole screen, or a
 * fenced FLUSH of a blob), five rounds, and prints the least round's
 * virtual counter ticks, "drmdraw: bench flushes=N ticks=T", then exits.
 *
 * Pattern, the pixel at (x, y) as XRGB8888 (the test computes the same):
 *     r = (x * 7 + y * 13 + seed * 64) & 0xff
 *     g = (x ^ y) & 0xff
 *     b = (seed * 85 + (x >> 4) + (y >> 4)) & 0xff */
typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned short u16;

static long sys(long n, long a, long b, long c, long d, long e, long f)
{
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;
	register long x8 __asm__("x8") = n;
	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5), "r"(x8)
			 : "memory");
	return x0;
}
#define SYS_ioctl 29
#define SYS_openat 56
#define SYS_write 64
#define SYS_ppoll 73
#define SYS_exit 93
#define SYS_mmap 222
#define AT_FDCWD (-100)
#define O_RDWR 2
#define O_CLOEXEC 02000000

#define IOCTL_GETRESOURCES 0xc04064a0
#define IOCTL_GETCONNECTOR 0xc05064a7
#define IOCTL_GETENCODER 0xc01464a6
#define IOCTL_SETCRTC 0xc06864a2
#define IOCTL_ADDFB 0xc01c64ae
#define IOCTL_DIRTYFB 0xc01864b1
#define IOCTL_CREATE_DUMB 0xc02064b2
#define IOCTL_MAP_DUMB 0xc01064b3

struct card_res {
	u64 fb_id_ptr, crtc_id_ptr, connector_id_ptr, encoder_id_ptr;
	u32 count_fbs, count_crtcs, count_connectors, count_encoders;
	u32 min_width, max_width, min_height, max_height;
};
struct modeinfo {
	u32 clock;
	u16 hdisplay, hsync_start, hsync_end, htotal, hskew;
	u16 vdisplay, vsync_start, vsync_end, vtotal, vscan;
	u32 vrefresh, flags, type;
	char name[32];
};
struct get_connector {
	u64 encoders_ptr, modes_ptr, props_ptr, prop_values_ptr;
	u32 count_modes, count_props, count_encoders, encoder_id, connector_id;
	u32 connector_type, connector_type_id, connection, mm_width, mm_height, subpixel, pad;
};
struct get_encoder {
	u32 encoder_id, encoder_type, crtc_id, possible_crtcs, possible_clones;
};
struct mode_crtc {
	u64 set_connectors_ptr;
	u32 count_connectors, crtc_id, fb_id, x, y, gamma_size, mode_valid;
	struct modeinfo mode;
};
struct create_dumb {
	u32 height, width, bpp, flags, handle, pitch;
	u64 size;
};
struct map_dumb {
	u32 handle, pad;
	u64 offset;
};
struct fb_cmd {
	u32 fb_id, width, height, pitch, bpp, depth, handle;
};
struct fb_dirty {
	u32 fb_id, flags, color, num_clips;
	u64 clips_ptr;
};
_Static_assert(sizeof(struct card_res) == 64, "drm_mode_card_res");
_Static_assert(sizeof(struct modeinfo) == 68, "drm_mode_modeinfo");
_Static_assert(sizeof(struct get_connector) == 80, "drm_mode_get_connector");
_Static_assert(sizeof(struct mode_crtc) == 104, "drm_mode_crtc");
_Static_assert(sizeof(struct create_dumb) == 32, "drm_mode_create_dumb");
_Static_assert(sizeof(struct fb_cmd) == 28, "drm_mode_fb_cmd");
_Static_assert(sizeof(struct fb_dirty) == 24, "drm_mode_fb_dirty_cmd");

static char *put(char *p, u64 v)
{
	char t[24];
	int i = 0;
	do
		t[i++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (i)
		*p++ = t[--i];
	return p;
}

static char *puts_(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static void say(const char *a, u64 n1, const char *b, u64 n2, const char *c, u64 n3)
{
	char buf[160], *p = puts_(buf, "drmdraw: ");
	p = put(puts_(p, a), n1);
	p = put(puts_(p, b), n2);
	p = put(puts_(p, c), n3);
	*p++ = '\n';
	sys(SYS_write, 1, (long)buf, p - buf, 0, 0, 0);
}

static void fail(const char *step, long r)
{
	say(step, 0, " failed errno ", (u64)-r, "", 0);
	sys(SYS_exit, 1, 0, 0, 0, 0, 0);
}

static void *zero(void *p, u64 n)
{
	char *c = p;
	while (n--)
		*c++ = 0;
	return p;
}

static long io(int fd, unsigned long req, void *arg, const char *step)
{
	long r = sys(SYS_ioctl, fd, (long)req, (long)arg, 0, 0, 0);
	if (r < 0)
		fail(step, r);
	return r;
}

__asm__(".globl _start\n_start:\n\tmov x0, sp\n\tbl main_\n");

static u64 cntvct(void)
{
	u64 v;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static u32 seed_of(const char *s)
{
	u32 v = 0;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (u32)(*s++ - '0');
	return v;
}

void main_(long *sp);
void main_(long *sp)
{
	static u32 crtcs[8], conns[8], encs[8];
	static struct modeinfo modes[64];
	struct card_res res;
	struct get_connector gc;
	struct get_encoder ge;
	struct mode_crtc mc;
	struct create_dumb cd;
	struct map_dumb md;
	struct fb_cmd fb;
	struct fb_dirty dirty;
	u32 seed = sp[0] > 1 ? seed_of((const char *)sp[2]) : 0, conn = 0, crtc;
	int fd, m = -1;
	long r;

	fd = (int)sys(SYS_openat, AT_FDCWD, (long)"/dev/dri/card0", O_RDWR | O_CLOEXEC, 0, 0, 0);
	if (fd < 0)
		fail("open", fd);
	zero(&res, sizeof(res));
	io(fd, IOCTL_GETRESOURCES, &res, "getresources");
	if (res.count_crtcs > 8 || res.count_connectors > 8 || res.count_encoders > 8)
		fail("too many objects", -1);
	res.count_fbs = 0;
	res.crtc_id_ptr = (u64)crtcs;
	res.connector_id_ptr = (u64)conns;
	res.encoder_id_ptr = (u64)encs;
	io(fd, IOCTL_GETRESOURCES, &res, "getresources");
	for (u32 i = 0; i < res.count_connectors && m < 0; i++) {
		zero(&gc, sizeof(gc));
		gc.connector_id = conns[i];
		io(fd, IOCTL_GETCONNECTOR, &gc, "getconnector"); /* probes the modes */
		if (gc.connection != 1 || !gc.count_modes)
			continue;
		if (gc.count_modes > 64)
			gc.count_modes = 64;
		gc.modes_ptr = (u64)modes;
		gc.count_props = gc.count_encoders = 0;
		io(fd, IOCTL_GETCONNECTOR, &gc, "getconnector");
		m = 0;
		for (u32 k = 0; k < gc.count_modes; k++)
			if (modes[k].type & 8) { /* DRM_MODE_TYPE_PREFERRED */
				m = (int)k;
				break;
			}
		conn = conns[i];
	}
	if (m < 0)
		fail("no connected connector", -1);
	zero(&ge, sizeof(ge));
	ge.encoder_id = gc.encoder_id ? gc.encoder_id : encs[0];
	io(fd, IOCTL_GETENCODER, &ge, "getencoder");
	crtc = ge.crtc_id;
	for (u32 i = 0; !crtc && i < res.count_crtcs; i++)
		if (ge.possible_crtcs & (1u << i))
			crtc = crtcs[i];

	u32 w = modes[m].hdisplay, h = modes[m].vdisplay;
	zero(&cd, sizeof(cd));
	cd.width = w;
	cd.height = h;
	cd.bpp = 32;
	io(fd, IOCTL_CREATE_DUMB, &cd, "create_dumb");
	zero(&md, sizeof(md));
	md.handle = cd.handle;
	io(fd, IOCTL_MAP_DUMB, &md, "map_dumb");
	r = sys(SYS_mmap, 0, (long)cd.size, 3 /* PROT_READ|WRITE */, 1 /* MAP_SHARED */, fd,
		(long)md.offset);
	if (r < 0 && r > -4096)
		fail("mmap", r);
	for (u32 y = 0; y < h; y++) {
		u32 *row = (u32 *)(r + (long)y * cd.pitch);
		for (u32 x = 0; x < w; x++) {
			u32 cr = (x * 7 + y * 13 + seed * 64) & 0xff, cg = (x ^ y) & 0xff;
			u32 cb = (seed * 85 + (x >> 4) + (y >> 4)) & 0xff;
			row[x] = cr << 16 | cg << 8 | cb;
		}
	}
	zero(&fb, sizeof(fb));
	fb.width = w;
	fb.height = h;
	fb.pitch = cd.pitch;
	fb.bpp = 32;
	fb.depth = 24;
	fb.handle = cd.handle;
	io(fd, IOCTL_ADDFB, &fb, "addfb");
	zero(&mc, sizeof(mc));
	mc.set_connectors_ptr = (u64)&conn;
	mc.count_connectors = 1;
	mc.crtc_id = crtc;
	mc.fb_id = fb.fb_id;
	mc.mode_valid = 1;
	mc.mode = modes[m];
	io(fd, IOCTL_SETCRTC, &mc, "setcrtc");
	zero(&dirty, sizeof(dirty));
	dirty.fb_id = fb.fb_id;
	io(fd, IOCTL_DIRTYFB, &dirty, "dirtyfb");
	say("shown ", w, "x", h, " seed ", seed);
	if (sp[0] > 3 && streq((const char *)sp[3], "bench")) {
		u32 n = seed_of((const char *)sp[4]);
		u64 best = ~0ul;
		for (int round = 0; round < 5; round++) {
			u64 t0 = cntvct();
			for (u32 i = 0; i < n; i++)
				io(fd, IOCTL_DIRTYFB, &dirty, "dirtyfb");
			u64 t = cntvct() - t0;
			best = t < best ? t : best;
		}
		say("bench flushes=", n, " ticks=", best, " rounds=", 5);
		sys(SYS_exit, 0, 0, 0, 0, 0, 0);
	}
	for (;;)
		sys(SYS_ppoll, 0, 0, 0, 0, 0, 0);
}
