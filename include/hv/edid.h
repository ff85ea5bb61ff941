/* An EDID 1.4 base block (VESA E-EDID, 128 bytes) for a virtual display:
 * the mode the partition file gives as its one detailed timing (CVT
 * reduced blanking), a name, and the checksum. virtio-gpu's GET_EDID
 * answers with it ([VIRTIO] 5.7.6.8), and Linux's DRM reads the mode from
 * it. */
#ifndef HV_EDID_H
#define HV_EDID_H

#include <hv/types.h>

#define EDID_LEN 128

/* The CVT reduced-blanking (v1) timing of width x height at refresh Hz. */
struct edid_timing {
	uint32_t pixclk_khz;                /* a multiple of 250 */
	uint32_t hactive, hfront, hsync, hback;
	uint32_t vactive, vfront, vsync, vback;
};

/* false when the mode cannot be described (zero, or past EDID's 12-bit
 * fields and 655.35 MHz clock). */
bool edid_cvt_rb(uint32_t width, uint32_t height, uint32_t refresh, struct edid_timing *t);

/* The block for that mode and name (at most 13 characters shown): true,
 * or false (nothing written) when edid_cvt_rb() refuses the mode. */
bool edid_build(uint8_t out[EDID_LEN], uint32_t width, uint32_t height, uint32_t refresh,
		const char *name);

#endif
