/* The checked-tree reader (core/cfdt.c) against libfdt: on every partition
 * file under configs/ and tests/configs/ (good and bad) and every board
 * tree, each cfdt_X answers what fdt_X answers, for every node, property
 * and child name, and for offsets that are not nodes; on trees with NOPs;
 * and on broken blobs it stays inside them. The parser reads the
 * partition file through it, so boot refuses what hvcheck refuses
 * because both give libfdt's answers.
 * proves: PLATFORM-4 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/cfdt.h>
#include "toolutil.h"

static unsigned trees, nodes_seen, props_seen;

static void same_int(int a, int b, const char *what, int off)
{
	if (a != b)
		fail_msg("%s(%d): cfdt %d, libfdt %d", what, off, a, b);
}

static void same_ptr(const void *a, int alen, const void *b, int blen, const char *what, int off)
{
	if (a != b || (a && alen != blen) || (!a && alen != blen))
		fail_msg("%s(%d): cfdt %p/%d, libfdt %p/%d", what, off, a, alen, b, blen);
}

/* Every function at offset off (a node, a property, or neither). */
static void compare_at(const void *fdt, int off)
{
	int a, b, al = 12345, bl = 12345;
	const char *an = NULL, *bn = NULL;
	const void *ap, *bp;

	ap = cfdt_get_name(fdt, off, &al);
	bp = fdt_get_name(fdt, off, &bl);
	same_ptr(ap, al, bp, bl, "get_name", off);
	same_int(cfdt_first_subnode(fdt, off), fdt_first_subnode(fdt, off), "first_subnode", off);
	same_int(cfdt_next_subnode(fdt, off), fdt_next_subnode(fdt, off), "next_subnode", off);
	same_int(cfdt_first_property_offset(fdt, off), fdt_first_property_offset(fdt, off),
		 "first_property_offset", off);
	same_int(cfdt_next_property_offset(fdt, off), fdt_next_property_offset(fdt, off),
		 "next_property_offset", off);
	al = bl = 12345;
	ap = cfdt_getprop_by_offset(fdt, off, &an, &al);
	bp = fdt_getprop_by_offset(fdt, off, &bn, &bl);
	same_ptr(ap, al, bp, bl, "getprop_by_offset", off);
	if (ap && an != bn)
		fail_msg("getprop_by_offset(%d): name %p, libfdt %p", off, (const void *)an,
			 (const void *)bn);
	static const char *const absent[] = { "", "nosuch", "c", "compatible-not", "@", NULL };
	for (const char *const *n = absent; *n; n++) {
		al = bl = 12345;
		ap = cfdt_getprop(fdt, off, *n, &al);
		bp = fdt_getprop(fdt, off, *n, &bl);
		same_ptr(ap, al, bp, bl, "getprop", off);
		a = cfdt_subnode_offset(fdt, off, *n);
		b = fdt_subnode_offset(fdt, off, *n);
		same_int(a, b, "subnode_offset", off);
	}
}

static void compare_node(const void *fdt, int node)
{
	int prop, child;

	nodes_seen++;
	compare_at(fdt, node);
	for (int d = 1; d < 4; d++)
		compare_at(fdt, node + d); /* inside the tag: not a node */
	fdt_for_each_property_offset(prop, fdt, node) {
		const char *name;
		int al = 1, bl = 2;
		const void *ap, *bp;
		props_seen++;
		compare_at(fdt, prop);
		if (!fdt_getprop_by_offset(fdt, prop, &name, NULL))
			continue;
		ap = cfdt_getprop(fdt, node, name, &al);
		bp = fdt_getprop(fdt, node, name, &bl);
		same_ptr(ap, al, bp, bl, name, node);
	}
	fdt_for_each_subnode(child, fdt, node) {
		char base[256];
		const char *name = fdt_get_name(fdt, child, NULL);
		size_t n = strcspn(name, "@");
		same_int(cfdt_subnode_offset(fdt, node, name), fdt_subnode_offset(fdt, node, name),
			 name, node);
		if (n < sizeof(base)) {
			memcpy(base, name, n);
			base[n] = 0;
			same_int(cfdt_subnode_offset(fdt, node, base), fdt_subnode_offset(fdt, node, base),
				 base, node);
		}
	}
}

static void compare_tree(const void *fdt)
{
	int node, depth = 0;

	trees++;
	for (node = 0; node >= 0; node = fdt_next_node(fdt, node, &depth))
		compare_node(fdt, node);
	compare_at(fdt, -1);
	compare_at(fdt, -FDT_ERR_NOTFOUND);
	compare_at(fdt, (int)fdt_size_dt_struct(fdt));
	compare_at(fdt, (int)fdt_size_dt_struct(fdt) - 4); /* FDT_END */
	compare_at(fdt, 0x7ffffffc);
}

static void compare_file(const char *path)
{
	size_t size = 0;
	void *fdt = load_partition_file(path, &size);

	if (!fdt)
		return; /* the bad files dtc refuses */
	if (fdt_check_full(fdt, size) == 0) {
		compare_tree(fdt);
		/* The same tree with NOPs where its first node's first
		 * property and its last node were. */
		int prop = fdt_first_property_offset(fdt, 0), last = -1, n, depth = 0;
		for (n = 0; n >= 0; n = fdt_next_node(fdt, n, &depth))
			last = n;
		const char *pname;
		if (prop >= 0 && fdt_getprop_by_offset(fdt, prop, &pname, NULL))
			fdt_nop_property(fdt, 0, pname);
		if (last > 0)
			fdt_nop_node(fdt, last);
		if (fdt_check_full(fdt, size) == 0)
			compare_tree(fdt);
	}
	free(fdt);
}

static void compare_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n > 4 && strcmp(e->d_name + n - 4, ".dts") == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			compare_file(path);
		}
	}
	closedir(d);
}

static void test_same_answers_as_libfdt(void **state)
{
	(void)state;
	compare_dir("configs");
	compare_dir("tests/configs/good");
	compare_dir("tests/configs/bad");
	compare_dir("tests/configs/boards");
	print_message("    %u trees, %u nodes, %u properties compared\n", trees, nodes_seen,
		      props_seen);
	assert_true(trees > 100 && nodes_seen > 1000);
}

/* Broken blobs (a good tree cut short, its header's blocks moved, its
 * bytes flipped one at a time): no read outside the blob (ASan would
 * see it in the fuzz build; here a guard page would), and a tree older
 * than version 17 is libfdt's to answer. */
static void test_broken_blobs_stay_inside(void **state)
{
	size_t size = 0;
	uint8_t *good = load_partition_file("tests/configs/good/hello-pair.dts", &size);
	(void)state;

	assert_non_null(good);
	for (size_t i = 0; i < size; i++) {
		uint8_t *b = malloc(size);
		memcpy(b, good, size);
		b[i] ^= (uint8_t)(0x55 + i);
		fdt_set_totalsize(b, size < fdt_totalsize(b) ? (uint32_t)size : fdt_totalsize(b));
		if (fdt_check_header(b) == 0 && fdt_totalsize(b) <= size)
			for (int off = -4; off < (int)size + 8; off += 4) {
				int l;
				cfdt_get_name(b, off, &l);
				cfdt_getprop(b, off, "cpus", &l);
				cfdt_first_subnode(b, off);
				cfdt_next_subnode(b, off);
				cfdt_subnode_offset(b, off, "alpha");
				cfdt_first_property_offset(b, off);
				cfdt_next_property_offset(b, off);
				cfdt_getprop_by_offset(b, off, NULL, &l);
			}
		free(b);
	}
	fdt_set_version(good, 16);
	compare_tree(good);
	free(good);
}

/* A tree nested n nodes deep (the root the first), built with libfdt. */
static void *nested(unsigned n, size_t *size)
{
	static uint8_t buf[16384];

	assert_int_equal(fdt_create(buf, sizeof(buf)), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(fdt_begin_node(buf, i ? "n" : ""), 0);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_finish(buf), 0);
	*size = fdt_totalsize(buf);
	return buf;
}

/* cfdt_blob_ok bounds the nesting of what the parser will walk at 64
 * levels (a partition file needs four): 64 levels pass, 65 not. */
static void test_nesting_bounded(void **state)
{
	size_t size;
	void *b;
	(void)state;

	b = nested(64, &size);
	assert_true(cfdt_blob_ok(b, size));
	b = nested(65, &size);
	assert_false(cfdt_blob_ok(b, size));
	b = nested(3, &size);
	assert_true(cfdt_blob_ok(b, size));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_answers_as_libfdt),
		cmocka_unit_test(test_broken_blobs_stay_inside),
		cmocka_unit_test(test_nesting_bounded),
	};
	return cmocka_run_group_tests_name("cfdt", tests, NULL, NULL);
}
