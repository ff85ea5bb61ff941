/* EDID: see include/hv/edid.h. Field layout from VESA E-EDID 1.4 (base
 * block), timing from VESA CVT 1.2 (reduced blanking, version 1). */
#include <hv/edid.h>

#include <string.h>

/* CVT-RB v1 constants. */
#define RB_HBLANK 160
#define RB_HSYNC 32
#define RB_HFRONT 48
#define RB_VFRONT 3
#define RB_MIN_VBACK 6
#define RB_MIN_VBI_US 460

/* The vertical sync width CVT gives by aspect ratio. */
static uint32_t cvt_vsync(uint32_t w, uint32_t h)
{
	if (w * 3 == h * 4)
		return 4;
	if (w * 9 == h * 16)
		return 5;
	if (w * 10 == h * 16)
		return 6;
	if (w * 4 == h * 5)
		return 7;
	if (w * 9 == h * 15)
		return 7;
	return 10;
}

bool edid_cvt_rb(uint32_t width, uint32_t height, uint32_t refresh, struct edid_timing *t)
{
	uint64_t period_ns, vbi, vtotal, clk;
	uint32_t vsync;

	if (!width || !height || !refresh || width > 4095 - RB_HBLANK || height > 4000 ||
	    refresh > 240 || width % 8)
		return false;
	vsync = cvt_vsync(width, height);
	/* The line period estimate, then the lines of the vertical blank:
	 * at least 460 µs, and at least front porch + sync + 6. */
	period_ns = (1000000000ull / refresh - RB_MIN_VBI_US * 1000ull) / height;
	if (!period_ns)
		return false;
	vbi = RB_MIN_VBI_US * 1000ull / period_ns + 1;
	if (vbi < RB_VFRONT + vsync + RB_MIN_VBACK)
		vbi = RB_VFRONT + vsync + RB_MIN_VBACK;
	vtotal = height + vbi;
	/* Pixel clock, rounded down to a 0.25 MHz step. */
	clk = (uint64_t)refresh * (width + RB_HBLANK) * vtotal / 1000; /* kHz */
	clk -= clk % 250;
	if (clk == 0 || clk > 655350)
		return false;
	*t = (struct edid_timing){
		.pixclk_khz = (uint32_t)clk,
		.hactive = width, .hfront = RB_HFRONT, .hsync = RB_HSYNC,
		.hback = RB_HBLANK - RB_HFRONT - RB_HSYNC,
		.vactive = height, .vfront = RB_VFRONT, .vsync = vsync,
		.vback = (uint32_t)vbi - RB_VFRONT - vsync,
	};
	return vtotal - height < 4096;
}

/* Detailed timing descriptor (18 bytes). */
static void dtd(uint8_t *d, const struct edid_timing *t, uint32_t wmm, uint32_t hmm)
{
	uint32_t hb = t->hfront + t->hsync + t->hback, vb = t->vfront + t->vsync + t->vback;
	uint32_t clk = t->pixclk_khz / 10; /* in 10 kHz */

	d[0] = (uint8_t)clk;
	d[1] = (uint8_t)(clk >> 8);
	d[2] = (uint8_t)t->hactive;
	d[3] = (uint8_t)hb;
	d[4] = (uint8_t)((t->hactive >> 8) << 4 | (hb >> 8));
	d[5] = (uint8_t)t->vactive;
	d[6] = (uint8_t)vb;
	d[7] = (uint8_t)((t->vactive >> 8) << 4 | (vb >> 8));
	d[8] = (uint8_t)t->hfront;
	d[9] = (uint8_t)t->hsync;
	d[10] = (uint8_t)((t->vfront & 15) << 4 | (t->vsync & 15));
	d[11] = (uint8_t)((t->hfront >> 8) << 6 | (t->hsync >> 8) << 4 | (t->vfront >> 4) << 2 |
			  (t->vsync >> 4));
	d[12] = (uint8_t)wmm;
	d[13] = (uint8_t)hmm;
	d[14] = (uint8_t)((wmm >> 8) << 4 | (hmm >> 8));
	d[15] = 0;
	d[16] = 0;
	d[17] = 0x1a; /* digital separate sync, hsync +, vsync - (CVT-RB) */
}

bool edid_build(uint8_t out[EDID_LEN], uint32_t width, uint32_t height, uint32_t refresh,
		const char *name)
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	/* sRGB primaries and white point, as E-EDID packs them. */
	static const uint8_t chroma[10] = { 0xee, 0x91, 0xa3, 0x54, 0x4c, 0x99, 0x26, 0x0f, 0x50, 0x54 };
	struct edid_timing t;
	uint32_t wmm, hmm;
	uint8_t sum = 0;
	size_t n;

	if (!edid_cvt_rb(width, height, refresh, &t))
		return false;
	/* A physical size for 96 dpi: what the mode looks like at arm's length. */
	wmm = width * 254 / 960;
	hmm = height * 254 / 960;
	memset(out, 0, EDID_LEN);
	memcpy(out, header, 8);
	out[8] = 0x09; /* manufacturer "BHD": 5-bit letters, big-endian */
	out[9] = 0x04;
	out[10] = 0x01; /* product 1 */
	out[16] = 1;    /* week 1 */
	out[17] = 2026 - 1990;
	out[18] = 1;
	out[19] = 4;
	out[20] = 0xa5; /* digital, 8 bits a colour, DisplayPort */
	out[21] = (uint8_t)((wmm + 5) / 10); /* cm */
	out[22] = (uint8_t)((hmm + 5) / 10);
	out[23] = 120; /* gamma 2.2 */
	out[24] = 0x06; /* RGB 4:4:4, sRGB, the first timing is the preferred, native one */
	memcpy(out + 25, chroma, 10);
	for (unsigned i = 0; i < 8; i++) /* no standard timings */
		out[38 + 2 * i] = out[39 + 2 * i] = 1;
	dtd(out + 54, &t, wmm, hmm);
	/* Range limits: the mode's own rates (vertical Hz, horizontal kHz,
	 * pixel clock in 10 MHz), no secondary timing formula. */
	out[72 + 3] = 0xfd;
	out[72 + 5] = (uint8_t)(refresh > 1 ? refresh - 1 : 1);
	out[72 + 6] = (uint8_t)(refresh + 1);
	out[72 + 7] = 1;
	out[72 + 8] = 255;
	out[72 + 9] = (uint8_t)((t.pixclk_khz + 9999) / 10000);
	out[72 + 10] = 0x01; /* range limits only */
	out[72 + 11] = 0x0a;
	memset(out + 72 + 12, 0x20, 6);
	/* Name: 13 bytes, ended by a line feed, padded with spaces. */
	out[90 + 3] = 0xfc;
	n = strlen(name) < 13 ? strlen(name) : 13;
	memset(out + 90 + 5, 0x20, 13);
	memcpy(out + 90 + 5, name, n);
	if (n < 13)
		out[90 + 5 + n] = 0x0a;
	out[108 + 3] = 0x10; /* a dummy descriptor */
	out[126] = 0;        /* no extension block */
	for (unsigned i = 0; i < 127; i++)
		sum = (uint8_t)(sum + out[i]);
	out[127] = (uint8_t)(0x100 - sum);
	return true;
}
