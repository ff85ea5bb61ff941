/* The EDID a virtual display answers GET_EDID with (core/edid.c): a valid
 * E-EDID 1.4 base block (header, version, checksum), the partition's mode
 * as its preferred detailed timing with CVT reduced blanking (figures
 * from VESA's CVT tables: 1280x800 and 1920x1080 at 60 Hz), its name, and
 * modes it cannot describe refused.
 * proves: GPU2D-1 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include <hv/edid.h>

static uint8_t e[EDID_LEN];

/* The first detailed timing, decoded as a sink would. */
struct mode {
	unsigned clk10k, hact, hblank, vact, vblank, hfp, hsync, vfp, vsync;
};

static struct mode decode(void)
{
	const uint8_t *d = e + 54;
	return (struct mode){
		.clk10k = d[0] | d[1] << 8,
		.hact = d[2] | (d[4] >> 4) << 8,
		.hblank = d[3] | (d[4] & 15) << 8,
		.vact = d[5] | (d[7] >> 4) << 8,
		.vblank = d[6] | (d[7] & 15) << 8,
		.hfp = d[8] | (d[11] >> 6) << 8,
		.hsync = d[9] | ((d[11] >> 4) & 3) << 8,
		.vfp = (d[10] >> 4) | ((d[11] >> 2) & 3) << 4,
		.vsync = (d[10] & 15) | (d[11] & 3) << 4,
	};
}

static void valid_block(void)
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	uint8_t sum = 0;

	assert_memory_equal(e, header, 8);
	assert_int_equal(e[18], 1);
	assert_int_equal(e[19], 4);
	assert_int_equal(e[126], 0);
	for (unsigned i = 0; i < EDID_LEN; i++)
		sum = (uint8_t)(sum + e[i]);
	assert_int_equal(sum, 0);
	assert_true(e[24] & 2); /* the first timing is the preferred one */
}

static void test_1280x800(void **state)
{
	struct mode m;
	(void)state;
	assert_true(edid_build(e, 1280, 800, 60, "cluster"));
	valid_block();
	m = decode();
	/* CVT-RB 1280x800@60: 71.00 MHz, htotal 1440, vtotal 823 */
	assert_int_equal(m.clk10k, 7100);
	assert_int_equal(m.hact, 1280);
	assert_int_equal(m.hblank, 160);
	assert_int_equal(m.vact, 800);
	assert_int_equal(m.vblank, 23);
	assert_int_equal(m.hfp, 48);
	assert_int_equal(m.hsync, 32);
	assert_int_equal(m.vfp, 3);
	assert_int_equal(m.vsync, 6);
	/* the name descriptor: "cluster", line feed, spaces */
	assert_int_equal(e[93], 0xfc);
	assert_memory_equal(e + 95, "cluster\n     ", 13);
}

static void test_1920x1080(void **state)
{
	struct mode m;
	(void)state;
	assert_true(edid_build(e, 1920, 1080, 60, "a-name-longer-than-13"));
	valid_block();
	m = decode();
	/* CVT-RB 1920x1080@60: 138.50 MHz, vtotal 1111, vsync 5 */
	assert_int_equal(m.clk10k, 13850);
	assert_int_equal(m.hact, 1920);
	assert_int_equal(m.vact, 1080);
	assert_int_equal(m.vblank, 31);
	assert_int_equal(m.vsync, 5);
	assert_memory_equal(e + 95, "a-name-longer", 13);
}

static void test_refused(void **state)
{
	(void)state;
	memset(e, 0x5a, sizeof(e));
	assert_false(edid_build(e, 0, 800, 60, "x"));
	assert_false(edid_build(e, 1280, 0, 60, "x"));
	assert_false(edid_build(e, 1280, 800, 0, "x"));
	assert_false(edid_build(e, 1281, 800, 60, "x"));  /* not a multiple of 8 */
	assert_false(edid_build(e, 4096, 800, 60, "x"));  /* past 12 bits with the blank */
	assert_false(edid_build(e, 1280, 5000, 60, "x"));
	assert_false(edid_build(e, 1280, 800, 1000, "x"));
	for (unsigned i = 0; i < EDID_LEN; i++)
		assert_int_equal(e[i], 0x5a); /* nothing written */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1280x800),
		cmocka_unit_test(test_1920x1080),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests_name("edid", tests, NULL, NULL);
}
