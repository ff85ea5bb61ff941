/* virtio-iommu requests decoded from the hypervisor's copy: each request
 * type's statuses, reserved fields, lengths, the input and domain ranges,
 * PROBE's list, and random requests that never crash and never return
 * S_OK with a reserved byte set.
 * proves: IOMMU-3, IOMMU-4, IOMMU-5, IOMMU-6, IOMMU-7, IOMMU-8, IOMMU-9 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <hv/iommu_req.h>

static struct iommu m;
static struct iommu_params prm;
static const uint32_t eps[] = { 1, 2 };
static uint8_t out[600];
static size_t off;

static int setup(void **state)
{
	(void)state;
	iommu_init(&m, eps, 2, 1, 63, 4);
	prm = (struct iommu_params){ .page_size_mask = ~0xfffULL, .input_start = 0,
				     .input_end = (1ULL << 48) - 1, .probe_size = 512, .probe = true,
				     .map_flags = VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE };
	return 0;
}

static void put32(uint8_t *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *b, uint64_t v)
{
	put32(b, (uint32_t)v);
	put32(b + 4, (uint32_t)(v >> 32));
}

/* Status of a request of len readable bytes, with the standard tail. */
static int run(const uint8_t *req, size_t len)
{
	memset(out, 0xee, sizeof(out));
	size_t used = iommu_request(&m, &prm, req, len, out, VIRTIO_IOMMU_TAIL_LEN, &off);
	assert_int_equal(used, VIRTIO_IOMMU_TAIL_LEN);
	assert_int_equal(off, 0);
	assert_true(out[1] == 0 && out[2] == 0 && out[3] == 0); /* tail reserved */
	return out[0];
}

static int attach(uint32_t dom, uint32_t ep, uint32_t flags)
{
	uint8_t r[20] = { VIRTIO_IOMMU_T_ATTACH };
	put32(r + 4, dom);
	put32(r + 8, ep);
	put32(r + 12, flags);
	return run(r, sizeof(r));
}

static int map(uint32_t dom, uint64_t vs, uint64_t ve, uint64_t ps, uint32_t flags)
{
	uint8_t r[36] = { VIRTIO_IOMMU_T_MAP };
	put32(r + 4, dom);
	put64(r + 8, vs);
	put64(r + 16, ve);
	put64(r + 24, ps);
	put32(r + 32, flags);
	return run(r, sizeof(r));
}

static int unmap(uint32_t dom, uint64_t vs, uint64_t ve)
{
	uint8_t r[28] = { VIRTIO_IOMMU_T_UNMAP };
	put32(r + 4, dom);
	put64(r + 8, vs);
	put64(r + 16, ve);
	return run(r, sizeof(r));
}

/* Unknown types, PROBE without F_PROBE, no room for a tail: the buffers
 * go back with used length 0. A wrong length or a reserved head byte:
 * S_INVAL. */
static void test_framing(void **state)
{
	uint8_t r[72] = { 0 };
	(void)state;
	for (unsigned t = 0; t < 256; t++) {
		if (t >= VIRTIO_IOMMU_T_ATTACH && t <= VIRTIO_IOMMU_T_PROBE)
			continue;
		r[0] = (uint8_t)t;
		assert_int_equal(iommu_request(&m, &prm, r, 20, out, 4, &off), 0);
	}
	assert_int_equal(iommu_request(&m, &prm, r, 0, out, 4, &off), 0);
	r[0] = VIRTIO_IOMMU_T_ATTACH;
	assert_int_equal(iommu_request(&m, &prm, r, 20, out, 3, &off), 0);
	prm.probe = false;
	r[0] = VIRTIO_IOMMU_T_PROBE;
	assert_int_equal(iommu_request(&m, &prm, r, 72, out, 516, &off), 0);
	prm.probe = true;
	r[0] = VIRTIO_IOMMU_T_ATTACH;
	put32(r + 4, 5);
	put32(r + 8, 1);
	assert_int_equal(run(r, 19), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(run(r, 21), VIRTIO_IOMMU_S_INVAL);
	r[2] = 1;
	assert_int_equal(run(r, 20), VIRTIO_IOMMU_S_INVAL);
	r[2] = 0;
	assert_int_equal(run(r, 20), VIRTIO_IOMMU_S_OK);
}

/* ATTACH and DETACH through the decoder: reserved bytes, then the rules
 * of hv/iommu.h. */
static void test_attach_detach(void **state)
{
	uint8_t r[20] = { VIRTIO_IOMMU_T_ATTACH };
	(void)state;
	put32(r + 4, 5);
	put32(r + 8, 1);
	r[19] = 1;
	assert_int_equal(run(r, 20), VIRTIO_IOMMU_S_INVAL);
	assert_null(iommu_domain_get(&m, 5));
	assert_int_equal(attach(64, 1, 0), VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(attach(5, 9, 0), VIRTIO_IOMMU_S_NOENT);
	assert_int_equal(attach(5, 1, 1), VIRTIO_IOMMU_S_INVAL); /* no F_BYPASS_CONFIG */
	assert_int_equal(attach(5, 1, 0), VIRTIO_IOMMU_S_OK);
	r[0] = VIRTIO_IOMMU_T_DETACH;
	memset(r + 4, 0, 16);
	put32(r + 4, 5);
	put32(r + 8, 1);
	r[12] = 1;
	assert_int_equal(run(r, 20), VIRTIO_IOMMU_S_INVAL);
	assert_non_null(iommu_domain_get(&m, 5));
	r[12] = 0;
	put32(r + 8, 9);
	assert_int_equal(run(r, 20), VIRTIO_IOMMU_S_NOENT);
	put32(r + 8, 2);
	assert_int_equal(run(r, 20), VIRTIO_IOMMU_S_INVAL);
	put32(r + 8, 1);
	assert_int_equal(run(r, 20), VIRTIO_IOMMU_S_OK);
	assert_null(iommu_domain_get(&m, 5));
}

/* MAP and UNMAP: the domain range, an unknown domain, the input range,
 * a bypass domain, the granule, then the domain's own rules. */
static void test_map_unmap(void **state)
{
	(void)state;
	assert_int_equal(map(0, 0x1000, 0x1fff, 0x40000000, 1), VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(map(5, 0x1000, 0x1fff, 0x40000000, 1), VIRTIO_IOMMU_S_NOENT);
	assert_int_equal(attach(5, 1, 0), VIRTIO_IOMMU_S_OK);
	assert_int_equal(map(5, 0x1000, 1ULL << 48, 0x40000000, 1), VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(map(5, 0x1000, 0x17ff, 0x40000000, 1), VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(map(5, 0x1000, 0x1fff, 0x40000000, 8), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(map(5, 0x1000, 0x1fff, 0x40000000, 4), VIRTIO_IOMMU_S_UNSUPP); /* MMIO */
	assert_int_equal(map(5, 0x1000, 0x2fff, 0x40000000, 3), VIRTIO_IOMMU_S_OK);
	assert_int_equal(map(5, 0x2000, 0x2fff, 0x40000000, 3), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(unmap(5, 0x1000, 0x1fff), VIRTIO_IOMMU_S_RANGE);
	assert_int_equal(unmap(6, 0x1000, 0x2fff), VIRTIO_IOMMU_S_NOENT);
	assert_int_equal(unmap(99, 0x1000, 0x2fff), VIRTIO_IOMMU_S_RANGE);
	uint8_t r[28] = { VIRTIO_IOMMU_T_UNMAP };
	put32(r + 4, 5);
	put64(r + 8, 0x1000);
	put64(r + 16, 0x2fff);
	r[27] = 1;
	assert_int_equal(run(r, 28), VIRTIO_IOMMU_S_INVAL);
	assert_non_null(iommu_domain_find(&iommu_domain_get(&m, 5)->map, 0x1000));
	assert_int_equal(unmap(5, 0, 0xffff), VIRTIO_IOMMU_S_OK);
	assert_null(iommu_domain_find(&iommu_domain_get(&m, 5)->map, 0x1000));
	/* A bypass domain has nothing to map. */
	m.bypass_config = true;
	assert_int_equal(attach(7, 2, 1), VIRTIO_IOMMU_S_OK);
	assert_int_equal(map(7, 0x1000, 0x1fff, 0x40000000, 1), VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(unmap(7, 0x1000, 0x1fff), VIRTIO_IOMMU_S_INVAL);
}

/* PROBE: the list (NONE, then zeroes) and the tail after probe_size
 * bytes; a failure writes only the tail; a list too short for probe_size
 * gets S_INVAL in its last four bytes and nothing else. */
static void test_probe(void **state)
{
	uint8_t r[72] = { VIRTIO_IOMMU_T_PROBE };
	size_t used;
	(void)state;
	put32(r + 4, 2);
	memset(out, 0xee, sizeof(out));
	used = iommu_request(&m, &prm, r, 72, out, 516, &off);
	assert_int_equal(off, 0);
	assert_int_equal(used, 516);
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(out[i], 0);
	assert_int_equal(out[512], VIRTIO_IOMMU_S_OK);
	/* Unknown endpoint, reserved byte: the tail alone. */
	put32(r + 4, 9);
	used = iommu_request(&m, &prm, r, 72, out, 516, &off);
	assert_int_equal(off, 512);
	assert_int_equal(used, 4);
	assert_int_equal(out[0], VIRTIO_IOMMU_S_NOENT);
	put32(r + 4, 2);
	r[40] = 1;
	used = iommu_request(&m, &prm, r, 72, out, 516, &off);
	assert_int_equal(off, 512);
	assert_int_equal(out[0], VIRTIO_IOMMU_S_INVAL);
	r[40] = 0;
	/* Too short for the list. */
	memset(out, 0xee, sizeof(out));
	used = iommu_request(&m, &prm, r, 72, out, 100, &off);
	assert_int_equal(off, 96);
	assert_int_equal(used, 4);
	assert_int_equal(out[0], VIRTIO_IOMMU_S_INVAL);
	assert_int_equal(out[4], 0xee);
}

/* Random requests of every length and type: never a crash, a reply that
 * stays inside the writable part, and never S_OK with a reserved head or
 * tail byte set. */
static void test_random(void **state)
{
	uint8_t r[VIRTIO_IOMMU_REQ_MAX + 8];
	(void)state;
	srand(12);
	m.bypass_config = true;
	for (unsigned i = 0; i < 200000; i++) {
		size_t len = (size_t)rand() % sizeof(r), outlen = (size_t)rand() % 600;
		for (size_t k = 0; k < len; k++)
			r[k] = (uint8_t)rand();
		if (len)
			r[0] = (uint8_t)(rand() % 7);
		if (len > 4 && rand() % 4)
			r[1] = r[2] = r[3] = 0;
		size_t used = iommu_request(&m, &prm, r, len, out, outlen, &off);
		assert_true(used + off <= outlen);
		assert_true(used <= IOMMU_REPLY_MAX(prm.probe_size));
		if (used && len >= 4 && (r[1] | r[2] | r[3]))
			assert_int_not_equal(out[used - 4], VIRTIO_IOMMU_S_OK);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_framing, setup),
		cmocka_unit_test_setup(test_attach_detach, setup),
		cmocka_unit_test_setup(test_map_unmap, setup),
		cmocka_unit_test_setup(test_probe, setup),
		cmocka_unit_test_setup(test_random, setup),
	};
	return cmocka_run_group_tests_name("iommu_req", tests, NULL, NULL);
}
