/* virtio-iommu domains: MAP and UNMAP against a domain's mappings (every
 * check that depends on the domain's contents), lookups, the limit, and a
 * long random sequence against a naive reference model.
 * proves: IOMMU-7, IOMMU-8 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include <hv/iommu_domain.h>

#define G 0x1000ULL /* granule */
#define RW (VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE)
#define SUP RW     /* the device does not offer F_MMIO */

static struct iommu_mapping store[8];
static struct iommu_domain d;

static int setup(void **state)
{
	(void)state;
	memset(store, 0xa5, sizeof(store));
	iommu_domain_init(&d, store, 8);
	return 0;
}

static int map(uint64_t vs, uint64_t ve, uint64_t ps, uint32_t f)
{
	return iommu_domain_map(&d, vs, ve, ps, f, G, SUP);
}

/* Each refusal of MAP, with its status, changes nothing. */
static void test_map_refusals(void **state)
{
	(void)state;
	assert_int_equal(map(0x10000, 0x1ffff, 0x40000000, RW), VIRTIO_IOMMU_S_OK);
	assert_int_equal(d.n, 1);
	/* Flags: unknown bit, then a known one the device does not support. */
	assert_int_equal(map(0x30000, 0x30fff, 0, RW | BIT(3)), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(map(0x30000, 0x30fff, 0, VIRTIO_IOMMU_MAP_F_MMIO), VIRTIO_IOMMU_S_UNSUPP);
	/* Alignment of virt_start, phys_start and virt_end + 1. */
	assert_int_equal(map(0x30800, 0x30fff, 0, RW), VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(map(0x30000, 0x30fff, 0x800, RW), VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(map(0x30000, 0x30ffe, 0, RW), VIRTIO_IOMMU_S_RANGE);
	/* Empty or inverted, and a physical range that wraps. */
	assert_int_equal(map(0x31000, 0x30fff, 0, RW), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(map(0x30000, 0x31fff, ~0ULL - 0xfff, RW), VIRTIO_IOMMU_S_RANGE);
	/* Overlaps: the same range, each edge, inside, around. */
	assert_int_equal(map(0x10000, 0x1ffff, 0, RW), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(map(0x0f000, 0x10fff, 0, RW), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(map(0x1f000, 0x20fff, 0, RW), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(map(0x14000, 0x14fff, 0, RW), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(map(0x00000, 0xfffff, 0, RW), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(d.n, 1);
	/* Adjacent on both sides is fine; a granule of 0 or not a power of
	 * two is refused. */
	assert_int_equal(map(0x0f000, 0x0ffff, 0, VIRTIO_IOMMU_MAP_F_READ), VIRTIO_IOMMU_S_OK);
	assert_int_equal(map(0x20000, 0x20fff, 0, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(iommu_domain_map(&d, 0x40000, 0x40fff, 0, RW, 0, SUP), VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(iommu_domain_map(&d, 0x40000, 0x40fff, 0, RW, 0x3000, SUP),
			 VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(d.n, 3);
	/* The whole 64-bit space: virt_end + 1 wraps to 0, aligned. */
	iommu_domain_clear(&d);
	assert_int_equal(map(0, ~0ULL, 0, RW), VIRTIO_IOMMU_S_OK);
	assert_ptr_equal(iommu_domain_find(&d, ~0ULL), iommu_domain_at(&d, 0));
}

/* A full domain says S_NOMEM and keeps what it has. */
static void test_map_limit(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(map(i * 2 * G, i * 2 * G + G - 1, i * G, RW), VIRTIO_IOMMU_S_OK);
	assert_int_equal(map(100 * G, 101 * G - 1, 0, RW), VIRTIO_IOMMU_S_NOMEM);
	assert_int_equal(d.n, 8);
	assert_null(iommu_domain_find(&d, 100 * G));
	/* A domain without storage holds nothing. */
	struct iommu_domain none;
	iommu_domain_init(&none, NULL, 8);
	assert_int_equal(iommu_domain_map(&none, 0, G - 1, 0, RW, G, SUP), VIRTIO_IOMMU_S_NOMEM);
}

/* Lookups: every edge, the gaps between. */
static void test_find(void **state)
{
	(void)state;
	assert_int_equal(map(0x5000, 0x6fff, 0x90000, RW), VIRTIO_IOMMU_S_OK);
	assert_int_equal(map(0x1000, 0x1fff, 0x80000, VIRTIO_IOMMU_MAP_F_READ), VIRTIO_IOMMU_S_OK);
	assert_null(iommu_domain_find(&d, 0x0fff));
	assert_int_equal(iommu_domain_find(&d, 0x1000)->phys_start, 0x80000);
	assert_int_equal(iommu_domain_find(&d, 0x1fff)->flags, VIRTIO_IOMMU_MAP_F_READ);
	assert_null(iommu_domain_find(&d, 0x2000));
	assert_null(iommu_domain_find(&d, 0x4fff));
	assert_int_equal(iommu_domain_find(&d, 0x5000)->phys_start, 0x90000);
	assert_int_equal(iommu_domain_find(&d, 0x6fff)->virt_end, 0x6fff);
	assert_null(iommu_domain_find(&d, 0x7000));
	assert_null(iommu_domain_find(&d, ~0ULL));
}

/* UNMAP: what lies inside goes, gaps included; a range that would split
 * a mapping is S_RANGE and removes nothing, even what it covers whole. */
static void test_unmap(void **state)
{
	(void)state;
	assert_int_equal(map(0x1000, 0x1fff, 0, RW), VIRTIO_IOMMU_S_OK);
	assert_int_equal(map(0x3000, 0x4fff, 0, RW), VIRTIO_IOMMU_S_OK);
	assert_int_equal(map(0x8000, 0x8fff, 0, RW), VIRTIO_IOMMU_S_OK);
	assert_int_equal(iommu_domain_unmap(&d, 0x2000, 0x2fff), VIRTIO_IOMMU_S_OK); /* a gap */
	assert_int_equal(d.n, 3);
	assert_int_equal(iommu_domain_unmap(&d, 0x3000, 0x3fff), VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(iommu_domain_unmap(&d, 0x4000, 0x8fff), VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(iommu_domain_unmap(&d, 0x0000, 0x3fff), VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(d.n, 3);
	assert_int_equal(iommu_domain_unmap(&d, 0x2000, 0x1fff), VIRTIO_IOMMU_S_INVAL);
	/* Two mappings and the gaps around them. */
	assert_int_equal(iommu_domain_unmap(&d, 0x0000, 0x5fff), VIRTIO_IOMMU_S_OK);
	assert_int_equal(d.n, 1);
	assert_null(iommu_domain_find(&d, 0x1000));
	assert_null(iommu_domain_find(&d, 0x3000));
	assert_int_equal(iommu_domain_find(&d, 0x8000)->virt_start, 0x8000);
	/* The whole space. */
	assert_int_equal(iommu_domain_unmap(&d, 0, ~0ULL), VIRTIO_IOMMU_S_OK);
	assert_int_equal(d.n, 0);
}

/* The reference: one entry per page of a small space, the mapping it
 * belongs to (1-based), and the same decisions taken naively. */
#define PAGES 64
static unsigned owner[PAGES];
static struct iommu_mapping ref[PAGES + 1];

static int ref_map(unsigned id, unsigned first, unsigned last)
{
	for (unsigned p = first; p <= last; p++)
		if (owner[p])
			return VIRTIO_IOMMU_S_INVAL;
	unsigned n = 0;
	for (unsigned p = 0; p < PAGES; p++)
		n += owner[p] && (p == 0 || owner[p - 1] != owner[p]);
	if (n >= 8)
		return VIRTIO_IOMMU_S_NOMEM;
	for (unsigned p = first; p <= last; p++)
		owner[p] = id;
	ref[id] = (struct iommu_mapping){ first * G, last * G + G - 1, (uint64_t)id << 20, RW };
	return VIRTIO_IOMMU_S_OK;
}

static int ref_unmap(unsigned first, unsigned last)
{
	if ((first > 0 && owner[first] && owner[first - 1] == owner[first]) ||
	    (last + 1 < PAGES && owner[last] && owner[last + 1] == owner[last]))
		return VIRTIO_IOMMU_S_RANGE;
	for (unsigned p = first; p <= last; p++)
		owner[p] = 0;
	return VIRTIO_IOMMU_S_OK;
}

static void test_random_against_reference(void **state)
{
	unsigned next_id = 1;
	(void)state;
	memset(owner, 0, sizeof(owner));
	srand(18);
	for (unsigned step = 0; step < 20000; step++) {
		unsigned a = (unsigned)rand() % PAGES, len = 1 + (unsigned)rand() % 6;
		unsigned b = a + len - 1 < PAGES ? a + len - 1 : PAGES - 1;
		int want, got;
		if (rand() % 2) {
			/* An id no live mapping has: adjacent mappings stay
			 * told apart in owner[]. */
			unsigned id = next_id;
			for (bool used = true; used; id = id % PAGES + 1) {
				used = false;
				for (unsigned p = 0; p < PAGES; p++)
					used |= owner[p] == id;
				if (!used)
					break;
			}
			want = ref_map(id, a, b);
			got = map(a * G, b * G + G - 1, (uint64_t)id << 20, RW);
			next_id = id % PAGES + 1;
		} else {
			want = ref_unmap(a, b);
			got = iommu_domain_unmap(&d, a * G, b * G + G - 1);
		}
		assert_int_equal(got, want);
		for (unsigned p = 0; p < PAGES; p++) {
			const struct iommu_mapping *m = iommu_domain_find(&d, p * G + 7);
			if (!owner[p]) {
				assert_null(m);
				continue;
			}
			assert_non_null(m);
			assert_int_equal(m->virt_start, ref[owner[p]].virt_start);
			assert_int_equal(m->virt_end, ref[owner[p]].virt_end);
			assert_int_equal(m->phys_start, ref[owner[p]].phys_start);
		}
		for (unsigned i = 1; i < d.n; i++)
			assert_true(iommu_domain_at(&d, i - 1)->virt_end < iommu_domain_at(&d, i)->virt_start);
		/* the gap inside the storage, n entries around it */
		assert_true(d.gs <= d.ge && d.ge <= d.max && d.n == d.gs + (d.max - d.ge));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_map_refusals, setup),
		cmocka_unit_test_setup(test_map_limit, setup),
		cmocka_unit_test_setup(test_find, setup),
		cmocka_unit_test_setup(test_unmap, setup),
		cmocka_unit_test_setup(test_random_against_reference, setup),
	};
	return cmocka_run_group_tests_name("iommu_domain", tests, NULL, NULL);
}
