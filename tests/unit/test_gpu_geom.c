/* virtio-gpu 2D geometry (core/gpu_geom.c): rectangles at every edge and
 * past it, sizes and offsets near 2^32 and 2^64 that would wrap if added
 * carelessly, transfers one byte past the backing, blob scanouts, and the
 * per-partition budget; the compositor's visible pieces of damage under
 * windows above, pixel by pixel.
 * proves: GPU2D-3, GPU2D-5, GPU2D-6 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>

#include <hv/gpu_geom.h>

#define R(x, y, w, h) (&(struct gpu_rect){ x, y, w, h })

static void test_rects(void **state)
{
	(void)state;
	assert_true(gpu_rect_inside(R(0, 0, 1280, 800), 1280, 800));
	assert_true(gpu_rect_inside(R(1279, 799, 1, 1), 1280, 800));
	assert_true(gpu_rect_inside(R(1280, 800, 0, 0), 1280, 800)); /* empty, at the edge */
	assert_false(gpu_rect_inside(R(1, 0, 1280, 800), 1280, 800));
	assert_false(gpu_rect_inside(R(0, 1, 1280, 800), 1280, 800));
	assert_false(gpu_rect_inside(R(1281, 0, 0, 0), 1280, 800));
	/* x + width wraps to a small number in 32 bits */
	assert_false(gpu_rect_inside(R(0xffffff00u, 0, 0x200, 1), 1280, 800));
	assert_false(gpu_rect_inside(R(16, 0, 0xfffffff8u, 1), 1280, 800));
	assert_false(gpu_rect_inside(R(0, 0xffffffffu, 1, 2), 1280, 800));
}

static void test_sizes(void **state)
{
	(void)state;
	assert_int_equal(gpu_resource_bytes(1280, 800, 64 << 20), 1280 * 800 * 4);
	assert_int_equal(gpu_resource_bytes(0, 800, 64 << 20), 0);
	assert_int_equal(gpu_resource_bytes(4096, 4097, 64 << 20), 0); /* past the max */
	assert_int_equal(gpu_resource_bytes(0xffffffffu, 0xffffffffu, ~0ull), 0); /* *4 would wrap */
	assert_int_equal(gpu_resource_bytes(0x10000, 0x10000, ~0ull), 1ull << 34);
}

static void test_transfers(void **state)
{
	uint64_t full = 1280 * 800 * 4;
	(void)state;
	assert_true(gpu_transfer_ok(R(0, 0, 1280, 800), 0, 1280, 800, full));
	assert_false(gpu_transfer_ok(R(0, 0, 1280, 800), 0, 1280, 800, full - 1));
	assert_false(gpu_transfer_ok(R(0, 0, 1280, 800), 4, 1280, 800, full));
	/* a box: its first pixel's offset, last row ends exactly at the end */
	assert_true(gpu_transfer_ok(R(16, 16, 64, 64), 16 * 5120 + 64, 1280, 800, full));
	assert_true(gpu_transfer_ok(R(1216, 736, 64, 64), 736 * 5120 + 1216 * 4, 1280, 800, full));
	assert_false(gpu_transfer_ok(R(1216, 736, 64, 64), 736 * 5120 + 1216 * 4 + 1, 1280, 800, full));
	/* offsets that wrap a 64-bit sum */
	assert_false(gpu_transfer_ok(R(0, 0, 1, 1), ~0ull, 1280, 800, full));
	assert_false(gpu_transfer_ok(R(0, 0, 1, 1), ~0ull - 2, 1280, 800, ~0ull));
	assert_false(gpu_transfer_ok(R(0, 0, 1281, 1), 0, 1280, 800, full));
	/* huge resource dimensions, rows that would wrap 32 bits */
	assert_false(gpu_transfer_ok(R(0, 0, 1, 0x40000001u), 0, 1, 0x40000001u, 1ull << 32));
	assert_true(gpu_transfer_ok(R(0, 0, 0, 0), 0, 1280, 800, 0));
}

static void test_blob_scanouts(void **state)
{
	(void)state;
	assert_true(gpu_scanout_blob_ok(R(0, 0, 1280, 800), 1280, 800, 5120, 0, 1280 * 800 * 4));
	assert_false(gpu_scanout_blob_ok(R(0, 0, 1280, 800), 1280, 800, 5120, 4, 1280 * 800 * 4));
	assert_false(gpu_scanout_blob_ok(R(0, 0, 1280, 800), 1280, 800, 5116, 0, ~0ull)); /* stride < row */
	assert_true(gpu_scanout_blob_ok(R(0, 0, 1280, 800), 1280, 800, 8192, 0, 799ull * 8192 + 5120));
	assert_false(gpu_scanout_blob_ok(R(0, 0, 1280, 800), 1280, 800, 0xffffffffu, 0xffffffffu, 1ull << 40));
	assert_false(gpu_scanout_blob_ok(R(0, 0, 1, 1), 0, 800, 5120, 0, ~0ull));
	assert_false(gpu_scanout_blob_ok(R(1, 0, 1280, 800), 1280, 800, 5120, 0, ~0ull));
}

static void test_budget(void **state)
{
	struct gpu_budget b = { .limit = 8 << 20 };
	(void)state;
	assert_true(gpu_budget_take(&b, 4096000));
	assert_true(gpu_budget_take(&b, 4096000));
	assert_false(gpu_budget_take(&b, 4096000)); /* out of memory: nothing taken */
	assert_int_equal(b.used, 8192000);
	assert_false(gpu_budget_take(&b, ~0ull));
	gpu_budget_give(&b, 4096000);
	assert_true(gpu_budget_take(&b, 4096000));
	gpu_budget_give(&b, ~0ull);
	assert_int_equal(b.used, 0);
}

/* Every pixel of damage is in exactly one visible piece when no window
 * above covers it, and in none when one does (checked pixel by pixel on
 * small random layouts). */
static void test_visible(void **state)
{
	struct gpu_rect out[16], above[3];
	(void)state;
	srand(13);
	for (unsigned t = 0; t < 3000; t++) {
		struct gpu_rect d = { (uint32_t)(rand() % 20), (uint32_t)(rand() % 20),
				      (uint32_t)(rand() % 20), (uint32_t)(rand() % 20) };
		unsigned na = (unsigned)rand() % 4;
		int n;
		for (unsigned a = 0; a < na; a++)
			above[a] = (struct gpu_rect){ (uint32_t)(rand() % 30), (uint32_t)(rand() % 30),
						      (uint32_t)(rand() % 15), (uint32_t)(rand() % 15) };
		n = gpu_visible(&d, above, na, out, 16);
		assert_true(n >= 0);
		for (uint32_t y = 0; y < 45; y++)
			for (uint32_t x = 0; x < 45; x++) {
				bool in_d = x >= d.x && x < d.x + d.width && y >= d.y && y < d.y + d.height;
				bool covered = false;
				unsigned pieces = 0;
				for (unsigned a = 0; a < na; a++)
					covered |= x >= above[a].x && x < above[a].x + above[a].width &&
						   y >= above[a].y && y < above[a].y + above[a].height;
				for (int j = 0; j < n; j++)
					pieces += x >= out[j].x && x < out[j].x + out[j].width && y >= out[j].y &&
						  y < out[j].y + out[j].height;
				assert_int_equal(pieces, in_d && !covered ? 1 : 0);
			}
	}
	/* no room for the pieces: refused, not truncated */
	above[0] = (struct gpu_rect){ 5, 5, 2, 2 };
	assert_int_equal(gpu_visible(&(struct gpu_rect){ 0, 0, 20, 20 }, above, 1, out, 3), -1);
	assert_int_equal(gpu_visible(&(struct gpu_rect){ 0, 0, 20, 20 }, above, 1, out, 4), 4);
	/* rectangles near 2^32 do not wrap */
	assert_false(gpu_rect_intersect(R(0xfffffff0u, 0, 0x20, 1), R(0, 0, 16, 1), out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rects),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_transfers),
		cmocka_unit_test(test_blob_scanouts),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_visible),
	};
	return cmocka_run_group_tests_name("gpu_geom", tests, NULL, NULL);
}
