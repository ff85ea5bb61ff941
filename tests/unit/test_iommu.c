/* A virtio-iommu's endpoints and domains: ATTACH and DETACH with each of
 * their statuses, the implicit detach, domains that live as long as an
 * endpoint is attached (their mappings with them), the bypass rules and
 * what an endpoint may reach.
 * proves: IOMMU-2, IOMMU-5, IOMMU-6 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include <hv/iommu.h>

static struct iommu m;
static const uint32_t eps[] = { 1, 2, 7 };

static int setup(void **state)
{
	(void)state;
	iommu_init(&m, eps, 3, 1, 100, 2);
	return 0;
}

static enum iommu_reach reach(uint32_t ep)
{
	const struct iommu_domain *d = NULL;
	return iommu_reach(&m, ep, &d);
}

/* Without BYPASS an endpoint reaches nothing until it is attached; with
 * it, everything; attached, what its domain maps. Unknown: nothing. */
static void test_reach(void **state)
{
	const struct iommu_domain *d = NULL;
	(void)state;
	assert_int_equal(reach(1), IOMMU_NONE);
	m.bypass = true;
	assert_int_equal(reach(1), IOMMU_ALL);
	assert_int_equal(reach(9), IOMMU_NONE);
	assert_int_equal(iommu_attach(&m, 5, 1, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(iommu_reach(&m, 1, &d), IOMMU_MAPPED);
	assert_ptr_equal(d, &iommu_domain_get(&m, 5)->map);
	m.bypass = false;
	assert_int_equal(reach(2), IOMMU_NONE);
}

/* ATTACH: every refusal, with its status, changes nothing. */
static void test_attach_refusals(void **state)
{
	(void)state;
	assert_int_equal(iommu_attach(&m, 5, 1, BIT(1)), VIRTIO_IOMMU_S_INVAL);
	/* ATTACH_F_BYPASS is unknown unless F_BYPASS_CONFIG was accepted. */
	assert_int_equal(iommu_attach(&m, 5, 1, VIRTIO_IOMMU_ATTACH_F_BYPASS), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(iommu_attach(&m, 0, 1, 0), VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(iommu_attach(&m, 101, 1, 0), VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(iommu_attach(&m, 5, 3, 0), VIRTIO_IOMMU_S_NOENT);
	assert_null(iommu_domain_get(&m, 5));
	assert_int_equal(reach(1), IOMMU_NONE);
	/* Two domains at most here: a third is S_NOMEM. */
	assert_int_equal(iommu_attach(&m, 5, 1, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(iommu_attach(&m, 6, 2, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(iommu_attach(&m, 7, 7, 0), VIRTIO_IOMMU_S_NOMEM);
	assert_null(iommu_domain_get(&m, 7));
	assert_int_equal(reach(7), IOMMU_NONE);
	/* A bypass domain and a translated one are not the same domain. */
	m.bypass_config = true;
	assert_int_equal(iommu_attach(&m, 5, 7, VIRTIO_IOMMU_ATTACH_F_BYPASS), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(reach(7), IOMMU_NONE);
}

/* Attached elsewhere: detached from there first, and the domain it was
 * the last endpoint of goes away with its mappings, its slot reusable. */
static void test_implicit_detach(void **state)
{
	(void)state;
	assert_int_equal(iommu_attach(&m, 5, 1, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(iommu_domain_map(&iommu_domain_get(&m, 5)->map, 0x1000, 0x1fff, 0x40000000,
					  VIRTIO_IOMMU_MAP_F_READ, 0x1000, 3),
			 VIRTIO_IOMMU_S_OK);
	assert_int_equal(iommu_attach(&m, 5, 2, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(iommu_domain_get(&m, 5)->users, 2);
	assert_int_equal(iommu_attach(&m, 5, 2, 0), VIRTIO_IOMMU_S_OK); /* again: no change */
	assert_int_equal(iommu_domain_get(&m, 5)->users, 2);
	/* Both leave for domain 6: domain 5 and its mapping are gone. */
	assert_int_equal(iommu_attach(&m, 6, 1, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(iommu_attach(&m, 6, 2, 0), VIRTIO_IOMMU_S_OK);
	assert_null(iommu_domain_get(&m, 5));
	/* With both slots full (6 and, now, 8), an endpoint alone in its
	 * domain can still move to a new one: its old slot is reused. */
	assert_int_equal(iommu_attach(&m, 8, 7, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(iommu_attach(&m, 9, 7, 0), VIRTIO_IOMMU_S_OK);
	assert_null(iommu_domain_get(&m, 8));
	assert_int_equal(iommu_domain_get(&m, 9)->map.n, 0);
	/* Endpoint 1 shares domain 6: moving it needs a slot there is not. */
	assert_int_equal(iommu_attach(&m, 5, 1, 0), VIRTIO_IOMMU_S_NOMEM);
	assert_int_equal(iommu_domain_get(&m, 6)->users, 2);
	/* Domain 5 made again (in domain 9's slot) starts empty. */
	assert_int_equal(iommu_attach(&m, 5, 7, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(iommu_domain_get(&m, 5)->map.n, 0);
	assert_null(iommu_domain_find(&iommu_domain_get(&m, 5)->map, 0x1000));
}

/* DETACH: unknown endpoint S_NOENT; unknown domain, or not attached to
 * it, S_INVAL; the last endpoint's detach destroys the domain. */
static void test_detach(void **state)
{
	(void)state;
	assert_int_equal(iommu_attach(&m, 5, 1, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(iommu_attach(&m, 5, 2, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(iommu_detach(&m, 5, 3), VIRTIO_IOMMU_S_NOENT);
	assert_int_equal(iommu_detach(&m, 6, 1), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(iommu_detach(&m, 5, 7), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(iommu_detach(&m, 5, 1), VIRTIO_IOMMU_S_OK);
	assert_int_equal(reach(1), IOMMU_NONE);
	assert_int_equal(iommu_detach(&m, 5, 1), VIRTIO_IOMMU_S_INVAL); /* not any more */
	assert_non_null(iommu_domain_get(&m, 5));
	assert_int_equal(iommu_detach(&m, 5, 2), VIRTIO_IOMMU_S_OK);
	assert_null(iommu_domain_get(&m, 5));
}

/* A bypass domain (F_BYPASS_CONFIG): its endpoints reach everything. A
 * reset detaches everything and forgets every domain. */
static void test_bypass_domain_and_reset(void **state)
{
	(void)state;
	m.bypass_config = true;
	assert_int_equal(iommu_attach(&m, 5, 1, VIRTIO_IOMMU_ATTACH_F_BYPASS), VIRTIO_IOMMU_S_OK);
	assert_int_equal(reach(1), IOMMU_ALL);
	assert_int_equal(iommu_attach(&m, 5, 2, 0), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(iommu_attach(&m, 6, 2, 0), VIRTIO_IOMMU_S_OK);
	iommu_reset(&m);
	assert_int_equal(reach(1), IOMMU_NONE);
	assert_int_equal(reach(2), IOMMU_NONE);
	assert_null(iommu_domain_get(&m, 5));
	assert_null(iommu_domain_get(&m, 6));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reach, setup),
		cmocka_unit_test_setup(test_attach_refusals, setup),
		cmocka_unit_test_setup(test_implicit_detach, setup),
		cmocka_unit_test_setup(test_detach, setup),
		cmocka_unit_test_setup(test_bypass_domain_and_reset, setup),
	};
	return cmocka_run_group_tests_name("iommu", tests, NULL, NULL);
}
