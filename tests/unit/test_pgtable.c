/* Stage-2 (and stage-1) table construction and lookup on the fake arch.
 * proves: PLATFORM-3, PLATFORM-5 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "arch_fake.h"
#include <hv/pgtable.h>

#define POOL_PAGES 64

static struct page_pool pool;
static struct pgtable pt;

static int setup(void **state)
{
	(void)state;
	fake_mem_init(POOL_PAGES * PAGE_SIZE);
	page_pool_init(&pool, FAKE_PHYS_BASE, POOL_PAGES);
	assert_int_equal(pgtable_init(&pt, &pool, 39), 0);
	assert_int_equal(pt.start_level, 1);
	return 0;
}

/* The partition's RAM maps IPA == PA; everything else does not translate. */
static void test_stage2_ram_only(void **state)
{
	paddr_t pa;
	uint64_t attrs;
	(void)state;

	assert_int_equal(pgtable_map(&pt, 0x50000000, 0x50000000, 0x4000000, S2_NORMAL_RWX, true), 0);
	assert_true(pgtable_lookup(&pt, 0x50000000, &pa, &attrs));
	assert_int_equal(pa, 0x50000000);
	assert_int_equal(attrs & (S2_AP_RW | S2_MEMATTR_NORMAL | S2_XN), S2_AP_RW | S2_MEMATTR_NORMAL);
	assert_true(pgtable_lookup(&pt, 0x53ffffff, &pa, NULL));
	assert_int_equal(pa, 0x53ffffff);
	/* One byte past the end, one byte before, the hypervisor, the UART. */
	assert_false(pgtable_lookup(&pt, 0x54000000, NULL, NULL));
	assert_false(pgtable_lookup(&pt, 0x4fffffff, NULL, NULL));
	assert_false(pgtable_lookup(&pt, 0x40080000, NULL, NULL));
	assert_false(pgtable_lookup(&pt, 0x09000000, NULL, NULL));
	/* Outside the 39-bit IPA space. */
	assert_false(pgtable_lookup(&pt, 1ULL << 39, NULL, NULL));
	/* 64 MiB aligned on 2 MiB: blocks, so few table pages. */
	assert_true(pool.next <= 3);
}

/* Unaligned start and end: 4 KiB pages at the edges, blocks inside. */
static void test_stage2_unaligned_edges(void **state)
{
	paddr_t pa;
	(void)state;

	assert_int_equal(pgtable_map(&pt, 0x601ff000, 0x701ff000, 0x402000, S2_NORMAL_RWX, true), 0);
	assert_false(pgtable_lookup(&pt, 0x601fe000, NULL, NULL));
	assert_true(pgtable_lookup(&pt, 0x601ff000, &pa, NULL));
	assert_int_equal(pa, 0x701ff000);
	assert_true(pgtable_lookup(&pt, 0x60400abc, &pa, NULL));
	assert_int_equal(pa, 0x70400abc);
	assert_true(pgtable_lookup(&pt, 0x605fffff, &pa, NULL));
	assert_int_equal(pa, 0x705fffff);
	assert_true(pgtable_lookup(&pt, 0x60600fff, &pa, NULL));
	assert_false(pgtable_lookup(&pt, 0x60601000, NULL, NULL));
}

/* Two partitions' tables share no entry: each sees only its own RAM. */
static void test_two_partitions_disjoint(void **state)
{
	struct pgtable other;
	(void)state;

	assert_int_equal(pgtable_init(&other, &pool, 39), 0);
	assert_int_equal(pgtable_map(&pt, 0x50000000, 0x50000000, 0x4000000, S2_NORMAL_RWX, true), 0);
	assert_int_equal(pgtable_map(&other, 0x54000000, 0x54000000, 0x4000000, S2_NORMAL_RWX, true), 0);
	assert_true(pgtable_lookup(&pt, 0x50001000, NULL, NULL));
	assert_false(pgtable_lookup(&pt, 0x54001000, NULL, NULL));
	assert_true(pgtable_lookup(&other, 0x54001000, NULL, NULL));
	assert_false(pgtable_lookup(&other, 0x50001000, NULL, NULL));
}

/* Remapping part of a block splits it and keeps the rest. */
static void test_split_block_keeps_rest(void **state)
{
	paddr_t pa;
	uint64_t attrs;
	(void)state;

	assert_int_equal(pgtable_map(&pt, 0x40000000, 0x40000000, 0x40000000,
				     S1_NORMAL | S1_AP_RW | S1_XN, true), 0);
	assert_int_equal(pgtable_map(&pt, 0x40081000, 0x40081000, 0x1000, S1_NORMAL | S1_AP_RO, false),
			 0);
	assert_true(pgtable_lookup(&pt, 0x40081000, &pa, &attrs));
	assert_int_equal(pa, 0x40081000);
	assert_int_equal(attrs & (S1_AP_RO | S1_XN), S1_AP_RO);
	assert_true(pgtable_lookup(&pt, 0x40080000, &pa, &attrs));
	assert_int_equal(attrs & (S1_AP_RO | S1_XN), S1_AP_RW | S1_XN);
	assert_true(pgtable_lookup(&pt, 0x7ffff000, &pa, &attrs));
	assert_int_equal(pa, 0x7ffff000);
	assert_int_equal(attrs & S1_XN, S1_XN);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	assert_int_equal(pgtable_map(&pt, 0x50000800, 0x50000800, 0x1000, S2_NORMAL_RWX, true), -1);
	assert_int_equal(pgtable_map(&pt, 0x50000000, 0x50000000, 0x800, S2_NORMAL_RWX, true), -1);
	assert_int_equal(pgtable_map(&pt, (1ULL << 39) - 0x1000, 0, 0x2000, S2_NORMAL_RWX, true), -1);
	assert_int_equal(pgtable_map(&pt, ~0xfffULL, 0, 0x2000, S2_NORMAL_RWX, true), -1);
	assert_int_equal(pool.next, 1); /* nothing allocated on refusal */
}

/* Out of table pages: map fails cleanly, no crash. */
static void test_pool_exhaustion(void **state)
{
	int r = 0;
	(void)state;

	for (uint64_t ipa = 0; ipa < (1ULL << 39) && r == 0; ipa += 0x40000000ULL)
		r = pgtable_map(&pt, ipa + 0x1000, ipa + 0x1000, 0x1000, S2_NORMAL_RWX, true);
	assert_int_equal(r, -1);
	assert_int_equal(pool.next, POOL_PAGES);
	assert_int_equal(page_pool_alloc(&pool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_stage2_ram_only, setup),
		cmocka_unit_test_setup(test_stage2_unaligned_edges, setup),
		cmocka_unit_test_setup(test_two_partitions_disjoint, setup),
		cmocka_unit_test_setup(test_split_block_keeps_rest, setup),
		cmocka_unit_test_setup(test_bad_arguments, setup),
		cmocka_unit_test_setup(test_pool_exhaustion, setup),
	};
	return cmocka_run_group_tests_name("pgtable", tests, NULL, NULL);
}
