/* The guest-tree writer (struct gfdt, core/guest_fdt.c) against libfdt's
 * sequential-write functions: the same calls give the same bytes, and in
 * a buffer of any size from 0 to past what the tree needs, the same call
 * runs out of room with the same error. So a partition's tree is the one
 * libfdt would build, and the checker and boot refuse the same trees as
 * too large.
 * proves: PLATFORM-6 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/guest_fdt.h>
#include <libfdt.h>

enum op_kind { BEGIN, END, PROP, STR, U32, U64, AT };
struct op {
	enum op_kind k;
	const char *name;
	const char *val;
	uint32_t len;
	uint64_t num;
};

static const struct op ops[] = {
	{ .k = BEGIN, .name = "" },
	{ .k = STR, .name = "compatible", .val = "bulkhead,partition" },
	{ .k = U32, .name = "#address-cells", .num = 2 },
	{ .k = BEGIN, .name = "chosen" },
	{ .k = STR, .name = "bootargs", .val = "console=ttyAMA0 bulkhead.name=a" },
	{ .k = U64, .name = "linux,initrd-start", .num = 0x4ff00000 },
	{ .k = END },
	{ .k = AT, .name = "memory", .num = 0x50000000 },
	{ .k = PROP, .name = "reg", .val = "\0\0\0\0\x50\0\0\0\0\0\0\0\x04\0\0\0", .len = 16 },
	{ .k = END },
	{ .k = BEGIN, .name = "n" },
	{ .k = PROP, .name = "empty" },
	{ .k = PROP, .name = "one", .val = "x", .len = 1 },
	{ .k = PROP, .name = "three", .val = "abc", .len = 3 },
	{ .k = PROP, .name = "five", .val = "abcde", .len = 5 },
	{ .k = PROP, .name = "a-rather-long-property-name-of-forty-chars", .val = "abcdefg", .len = 7 },
	{ .k = BEGIN, .name = "nested-node-name" },
	{ .k = END },
	{ .k = AT, .name = "x", .num = 0 },
	{ .k = END },
	{ .k = END },
	{ .k = END },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

/* Run every op with libfdt (lib) or gfdt; the index of the op that
 * failed (NOPS + 1 for fdt_finish, NOPS + 2 for none) and its error. */
static unsigned run(bool lib, void *buf, size_t size, int *err)
{
	struct gfdt w;
	char at[48];
	unsigned i;

	*err = lib ? fdt_create_with_flags(buf, (int)size, FDT_CREATE_FLAG_NO_NAME_DEDUP)
		   : gfdt_create(&w, buf, size);
	if (!*err && lib)
		*err = fdt_finish_reservemap(buf);
	if (*err)
		return 0;
	for (i = 0; i < NOPS; i++) {
		const struct op *o = &ops[i];
		switch (o->k) {
		case BEGIN:
			*err = lib ? fdt_begin_node(buf, o->name) : gfdt_begin_node(&w, o->name);
			break;
		case AT:
			snprintf(at, sizeof(at), "%s@%llx", o->name, (unsigned long long)o->num);
			*err = lib ? fdt_begin_node(buf, at) : gfdt_begin_node_at(&w, o->name, o->num);
			break;
		case END:
			*err = lib ? fdt_end_node(buf) : gfdt_end_node(&w);
			break;
		case PROP:
			*err = lib ? fdt_property(buf, o->name, o->val, (int)o->len)
				   : gfdt_property(&w, o->name, o->val, o->len);
			break;
		case STR:
			*err = lib ? fdt_property_string(buf, o->name, o->val)
				   : gfdt_property_string(&w, o->name, o->val);
			break;
		case U32:
			*err = lib ? fdt_property_u32(buf, o->name, (uint32_t)o->num)
				   : gfdt_property_u32(&w, o->name, (uint32_t)o->num);
			break;
		case U64:
			*err = lib ? fdt_property_u64(buf, o->name, o->num)
				   : gfdt_property_u64(&w, o->name, o->num);
			break;
		}
		if (*err)
			return i + 1;
	}
	if (lib) {
		*err = fdt_finish(buf);
		if (!*err)
			*err = (int)fdt_totalsize(buf);
	} else {
		*err = gfdt_finish(&w);
	}
	return *err < 0 ? NOPS + 1 : NOPS + 2;
}

static void test_same_bytes_and_limits_as_libfdt(void **state)
{
	enum { MAX = 1024 };
	unsigned fits = 0;
	(void)state;

	for (size_t size = 0; size <= MAX; size++) {
		uint8_t *a = malloc(MAX), *b = malloc(MAX);
		int ea, eb;
		unsigned sa, sb;

		memset(a, 0x5a, MAX);
		memset(b, 0xa5, MAX); /* gfdt must not rely on a cleared buffer */
		sa = run(true, a, size, &ea);
		sb = run(false, b, size, &eb);
		if (sa != sb || ea != eb)
			fail_msg("size %zu: libfdt stopped at op %u (%d), gfdt at op %u (%d)", size, sa,
				 ea, sb, eb);
		if (sa == NOPS + 2) {
			fits++;
			assert_int_equal(fdt_check_full(b, (size_t)eb), 0);
			if (memcmp(a, b, (size_t)ea) != 0)
				fail_msg("size %zu: the trees differ", size);
		}
		free(a);
		free(b);
	}
	assert_true(fits > 100); /* and every smaller size failed as libfdt did */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_bytes_and_limits_as_libfdt),
	};
	return cmocka_run_group_tests_name("gfdt", tests, NULL, NULL);
}
