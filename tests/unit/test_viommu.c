/* The virtio-iommu device (vdev/virtio_iommu.c) with a real endpoint, a
 * virtio-rng, driven through both devices' registers and rings in the fake
 * guest RAM: what the endpoint reaches follows ATTACH, MAP, UNMAP, DETACH
 * and bypass; a refused translation becomes a fault report, whole, on the
 * event queue; an UNMAP completes only once the endpoint's translations
 * made before it are unpinned. Constants are the spec's ([VIRTIO] 5.13),
 * written out here. */
#include "arch_fake.h"
#include "virtio_harness.h"
#include <hv/workq.h>
#include <vdev/virtio_iommu.h>
#include <vdev/virtio_rng.h>

#define EP 5 /* the rng's endpoint ID */
#define DOM 7
#define QS 8
#define REQ (RAM_IPA + 0x80000)   /* a request's readable part */
#define TAIL (RAM_IPA + 0x81000)  /* its writable part */
#define EVT (RAM_IPA + 0x90000)   /* event buffers, 0x100 apart */
#define BUF (RAM_IPA + 0xa0000)   /* the rng's data buffer */
#define IOVA_RINGS 0x10000000ULL  /* the rng's rings as its driver maps them */
#define IOVA_BUF 0x20000000ULL

static struct virtio_iommu vi;
static struct virtio_rng rng;
static struct drv iv, rv;

static void line_set(void *ctx, uint32_t intid, bool high)
{
	(void)ctx;
	(void)intid;
	(void)high;
}

static uint64_t iommu_features(void)
{
	return F_V1 | 1 << 0 | 1 << 1 | 1 << 2 | 1 << 4 | 1 << 6; /* no F_BYPASS */
}

static int setup(void **state)
{
	struct irq_line l = { line_set, NULL, 1 };
	(void)state;
	fake_cpu = 0;
	while (workq_run_local()) /* what an earlier test left */
		;
	memset(host, FILL, HOST_SIZE);
	memset(ram, 0, RAM_SIZE);
	fake_cpu = 0;
	virtio_iommu_init(&vi, "iommu", &gm, &l, 0);
	virtio_rng_init(&rng, "rng", 1, &gm, &l, arch_entropy);
	virtio_iommu_add_endpoint(&vi, &rng.dev, EP);
	return 0;
}

static void iommu_start(uint64_t features)
{
	drv_begin(&iv, &vi.dev, 0, QS, features);
	drv_queue(&iv, 0);
	drv_queue(&iv, 1);
	drv_live(&iv);
}

/* The rng's driver with its rings at IOVA_RINGS (RAM slot 1): the queue is
 * refused (NEEDS_RESET) when the endpoint cannot reach them. */
static void rng_start(void)
{
	drv_begin(&rv, &rng.dev, 1, QS, F_V1 | F_ACCESS_PLATFORM);
	memset(gp(desc_ipa(&rv, 0)), 0, 0x3000);
	queue_at(&rng.dev, 0, QS, IOVA_RINGS, IOVA_RINGS + 0x1000, IOVA_RINGS + 0x2000);
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

/* Run what the devices left on this CPU's work queue (as its SGI does). */
static void settle(void)
{
	while (workq_run_local())
		;
}

/* Post one request; its status, or -1 when it has not completed. */
static uint16_t posted;
static int post_req(const uint8_t *in, size_t len)
{
	uint16_t h = alloc_desc(&iv, 0, 2);
	memcpy(gp(REQ), in, len);
	memset(gp(TAIL), 0xee, 4);
	setd(&iv, 0, h, REQ, (uint32_t)len, D_NEXT, (uint16_t)(h + 1));
	setd(&iv, 0, h + 1, TAIL, 4, D_WRITE, 0);
	posted = used_idx(&iv, 0);
	post(&iv, 0, h);
	kick(&iv, 0);
	return used_idx(&iv, 0) == posted ? -1 : *(uint8_t *)gp(TAIL);
}

static int attach(uint32_t dom, uint32_t ep)
{
	uint8_t r[20] = { 1 };
	put32(r + 4, dom);
	put32(r + 8, ep);
	return post_req(r, sizeof(r));
}

static int detach(uint32_t dom, uint32_t ep)
{
	uint8_t r[20] = { 2 };
	put32(r + 4, dom);
	put32(r + 8, ep);
	return post_req(r, sizeof(r));
}

static int map(uint32_t dom, uint64_t va, uint64_t len, uint64_t pa, uint32_t flags)
{
	uint8_t r[36] = { 3 };
	put32(r + 4, dom);
	put64(r + 8, va);
	put64(r + 16, va + len - 1);
	put64(r + 24, pa);
	put32(r + 32, flags);
	return post_req(r, sizeof(r));
}

static int unmap(uint32_t dom, uint64_t va, uint64_t len)
{
	uint8_t r[28] = { 4 };
	put32(r + 4, dom);
	put64(r + 8, va);
	put64(r + 16, va + len - 1);
	return post_req(r, sizeof(r));
}

/* Event buffers: n of len bytes each. */
static void post_events(unsigned n, uint32_t len)
{
	for (unsigned i = 0; i < n; i++) {
		uint16_t h = alloc_desc(&iv, 1, 1);
		memset(gp(EVT + 0x100 * h), 0xee, 0x100);
		setd(&iv, 1, h, EVT + 0x100 * h, len, D_WRITE, 0);
		post(&iv, 1, h);
	}
	kick(&iv, 1);
}

/* The rng fills one buffer of 16 bytes at IOVA_BUF: the used length. */
static uint32_t rng_request(void)
{
	uint16_t before = used_idx(&rv, 0);
	setd(&rv, 0, 0, IOVA_BUF, 16, D_WRITE, 0);
	post(&rv, 0, 0);
	kick(&rv, 0);
	return used_idx(&rv, 0) == before ? 0xffffffff : used_len(&rv, 0, before);
}

static uint32_t le32_at(uint64_t ipa)
{
	const uint8_t *b = gp(ipa);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t le64_at(uint64_t ipa)
{
	return le32_at(ipa) | (uint64_t)le32_at(ipa + 4) << 32;
}

/* Device ID 23, two queues, the config layout of 5.13.4 with what the
 * device supports; the endpoint offers ACCESS_PLATFORM. proves: IOMMU-1 */
static void test_identity(void **state)
{
	(void)state;
	assert_int_equal(rd(&vi.dev, DEVICE_ID), 23);
	assert_int_equal(dev_features(&vi.dev) & 0x7f, 1 << 0 | 1 << 1 | 1 << 2 | 1 << 3 | 1 << 4 | 1 << 6);
	assert_true(dev_features(&rng.dev) & F_ACCESS_PLATFORM);
	assert_int_equal(cfg_rd(&vi.dev, 0, 4), 0xfffff000);       /* page_size_mask */
	assert_int_equal(cfg_rd(&vi.dev, 4, 4), 0xffffffff);
	assert_int_equal(cfg_rd(&vi.dev, 8, 4) | cfg_rd(&vi.dev, 12, 4), 0); /* input_range */
	assert_int_equal(cfg_rd(&vi.dev, 16, 4), 0xffffffff);
	assert_int_equal(cfg_rd(&vi.dev, 20, 4), 0xffff);
	assert_int_equal(cfg_rd(&vi.dev, 24, 4), 0);               /* domain_range */
	assert_int_equal(cfg_rd(&vi.dev, 28, 4), 0xffff);
	assert_int_equal(cfg_rd(&vi.dev, 32, 4), VIOMMU_PROBE_SIZE);
	assert_int_equal(cfg_rd(&vi.dev, 36, 1), 0);               /* bypass */
	wr(&vi.dev, QUEUE_SEL, 1);
	assert_true(rd(&vi.dev, QUEUE_NUM_MAX) > 0);
	wr(&vi.dev, QUEUE_SEL, 2);
	assert_int_equal(rd(&vi.dev, QUEUE_NUM_MAX), 0);
}

/* Without bypass an endpoint reaches nothing, not even its rings, until it
 * is attached and mapped; then exactly what is mapped, with the mapping's
 * permission: a read-only buffer is not written, and each refusal is one
 * fault report, whole, with the endpoint, the address, the direction and
 * reserved fields zero. proves: IOMMU-2, IOMMU-11, IOMMU-12 */
static void test_attach_map_reach(void **state)
{
	(void)state;
	iommu_start(iommu_features());
	post_events(8, 24);
	rng_start();
	assert_true(rd(&rng.dev, STATUS) & S_NEEDS_RESET); /* rings unreachable */
	settle();
	/* A report for each ring (descriptors first): R_DOMAIN (not
	 * attached), READ, ADDRESS. */
	assert_int_equal(used_idx(&iv, 1), 3);
	assert_int_equal(used_len(&iv, 1, 0), 24);
	uint64_t ev = EVT + 0x100 * used_id(&iv, 1, 0);
	assert_int_equal(*(uint8_t *)gp(ev), VIRTIO_IOMMU_FAULT_R_DOMAIN);
	assert_int_equal(le32_at(ev) >> 8, 0);
	assert_int_equal(le32_at(ev + 4), VIRTIO_IOMMU_FAULT_F_READ | VIRTIO_IOMMU_FAULT_F_ADDRESS);
	assert_int_equal(le32_at(ev + 8), EP);
	assert_int_equal(le32_at(ev + 12), 0);
	assert_int_equal(le64_at(ev + 16), IOVA_RINGS);
	assert_int_equal(*(uint8_t *)gp(ev + 24), 0xee); /* nothing past it */

	assert_int_equal(attach(DOM, EP), VIRTIO_IOMMU_S_OK);
	assert_int_equal(map(DOM, IOVA_RINGS, 0x4000, desc_ipa(&rv, 0), 3), VIRTIO_IOMMU_S_OK);
	assert_int_equal(map(DOM, IOVA_BUF, 0x1000, BUF, VIRTIO_IOMMU_MAP_F_READ), VIRTIO_IOMMU_S_OK);
	rng_start();
	drv_live(&rv);
	/* Read-only for the device: the rng cannot write it. */
	memset(gp(BUF), 0x5a, 16);
	rng_request();
	assert_true(rd(&rng.dev, STATUS) & S_NEEDS_RESET);
	for (int i = 0; i < 16; i++)
		assert_int_equal(((uint8_t *)gp(BUF))[i], 0x5a);
	settle();
	assert_int_equal(used_idx(&iv, 1), 4);
	ev = EVT + 0x100 * used_id(&iv, 1, 3);
	assert_int_equal(*(uint8_t *)gp(ev), VIRTIO_IOMMU_FAULT_R_MAPPING);
	assert_int_equal(le32_at(ev + 4), VIRTIO_IOMMU_FAULT_F_WRITE | VIRTIO_IOMMU_FAULT_F_ADDRESS);
	assert_int_equal(le64_at(ev + 16), IOVA_BUF);
	/* Writable: filled. */
	assert_int_equal(unmap(DOM, IOVA_BUF, 0x1000), VIRTIO_IOMMU_S_OK);
	assert_int_equal(map(DOM, IOVA_BUF, 0x1000, BUF, 3), VIRTIO_IOMMU_S_OK);
	rng_start();
	drv_live(&rv);
	assert_int_equal(rng_request(), 16);
	assert_int_not_equal(memcmp(gp(BUF), "\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a", 8), 0);
	/* Detached: nothing again (its rings with the rest). */
	assert_int_equal(detach(DOM, EP), VIRTIO_IOMMU_S_OK);
	memset(gp(BUF), 0x5a, 16);
	rng_request();
	assert_true(rd(&rng.dev, STATUS) & S_NEEDS_RESET);
	assert_int_equal(((uint8_t *)gp(BUF))[0], 0x5a);
	assert_int_equal(vi.faults, 7); /* three rings, the write, the three rings again */
}

/* Bypass: with F_BYPASS accepted, or with BYPASS_CONFIG and bypass = 1, an
 * endpoint not attached reaches the partition's RAM as is; without it,
 * nothing. proves: IOMMU-2 */
static void test_bypass(void **state)
{
	(void)state;
	iommu_start(iommu_features() | 1 << 3);
	/* F_BYPASS accepted but BYPASS_CONFIG too: the config byte decides. */
	rng_start();
	assert_true(rd(&rng.dev, STATUS) & S_NEEDS_RESET);
	uint64_t one = 1;
	assert_int_equal(acc(&vi.dev, CONFIG + 36, 1, true, &one), 0);
	drv_begin(&rv, &rng.dev, 1, QS, F_V1 | F_ACCESS_PLATFORM);
	drv_queue(&rv, 0);
	drv_live(&rv);
	setd(&rv, 0, 0, BUF, 16, D_WRITE, 0);
	post(&rv, 0, 0);
	kick(&rv, 0);
	assert_int_equal(used_len(&rv, 0, 0), 16);
	/* F_BYPASS alone. */
	drv_begin(&iv, &vi.dev, 0, QS, F_V1 | 1 << 2 | 1 << 3);
	drv_begin(&rv, &rng.dev, 1, QS, F_V1 | F_ACCESS_PLATFORM);
	drv_queue(&rv, 0);
	assert_int_equal(rd(&rng.dev, STATUS) & S_NEEDS_RESET, 0);
	/* A reset of the IOMMU takes bypass away. */
	wr(&vi.dev, STATUS, 0);
	drv_begin(&rv, &rng.dev, 1, QS, F_V1 | F_ACCESS_PLATFORM);
	queue_at(&rng.dev, 0, QS, desc_ipa(&rv, 0), avail_ipa(&rv, 0), used_ipa(&rv, 0));
	assert_true(rd(&rng.dev, STATUS) & S_NEEDS_RESET);
}

/* An UNMAP (and a DETACH) completes only when the endpoint no longer uses
 * a translation made before it: the reply waits while a pin taken before
 * is held, later requests wait behind it, pins taken after do not hold it
 * up; the last unpin resumes it through the partition's work queue.
 * proves: IOMMU-12 */
static void test_unmap_waits(void **state)
{
	unsigned a, b;
	(void)state;
	iommu_start(iommu_features());
	assert_int_equal(attach(DOM, EP), VIRTIO_IOMMU_S_OK);
	assert_int_equal(map(DOM, IOVA_BUF, 0x1000, BUF, 3), VIRTIO_IOMMU_S_OK);
	a = dma_pin(&rng.dev.dma); /* a request at a backend */
	assert_int_equal(unmap(DOM, IOVA_BUF, 0x1000), -1);
	/* Already gone for new translations. */
	assert_null(dma_ptr(&rng.dev.dma, IOVA_BUF, 16, DMA_FROM_DEV));
	b = dma_pin(&rng.dev.dma); /* taken after: not waited for */
	assert_int_equal(map(DOM, IOVA_BUF, 0x1000, BUF, 3), -1); /* behind the UNMAP */
	settle(); /* the fault report's work: the UNMAP still waits */
	assert_int_equal(used_idx(&iv, 0), posted); /* none of the two */
	dma_unpin(&rng.dev.dma, a);
	assert_int_equal(used_idx(&iv, 0), posted);
	assert_int_equal(workq_run_local(), 1);
	assert_int_equal(used_idx(&iv, 0), posted + 2); /* both now */
	assert_int_equal(*(uint8_t *)gp(TAIL), VIRTIO_IOMMU_S_OK);
	dma_unpin(&rng.dev.dma, b);
	assert_int_equal(workq_run_local(), 0);
	/* Nothing pinned: at once. */
	assert_int_equal(detach(DOM, EP), VIRTIO_IOMMU_S_OK);
	assert_int_equal(vi.waits, 1);
}

/* A report never split: a 20-byte buffer gets the earlier layout (address
 * at 12, no reserved word); a shorter one goes back empty and the report
 * waits for the next buffer; reports beyond the queue are counted.
 * proves: IOMMU-11 */
static void test_fault_formats(void **state)
{
	(void)state;
	iommu_start(iommu_features());
	post_events(1, 20);
	assert_null(dma_ptr(&rng.dev.dma, 0x1234000, 4, DMA_TO_DEV));
	settle();
	assert_int_equal(used_idx(&iv, 1), 1);
	assert_int_equal(used_len(&iv, 1, 0), 20);
	uint64_t ev = EVT + 0x100 * used_id(&iv, 1, 0);
	assert_int_equal(le32_at(ev + 8), EP);
	assert_int_equal(le64_at(ev + 12), 0x1234000);
	assert_int_equal(*(uint8_t *)gp(ev + 20), 0xee);
	post_events(1, 16);
	assert_null(dma_ptr(&rng.dev.dma, 0x5678000, 4, DMA_FROM_DEV));
	settle();
	assert_int_equal(used_idx(&iv, 1), 2);
	assert_int_equal(used_len(&iv, 1, 1), 0);
	assert_int_equal(vi.fq_n, 1);
	post_events(1, 24);
	assert_int_equal(used_idx(&iv, 1), 3);
	ev = EVT + 0x100 * used_id(&iv, 1, 2);
	assert_int_equal(le64_at(ev + 16), 0x5678000);
	assert_int_equal(le32_at(ev + 4), VIRTIO_IOMMU_FAULT_F_WRITE | VIRTIO_IOMMU_FAULT_F_ADDRESS);
	/* No buffers: VIOMMU_FAULTS wait, the rest are counted. */
	for (int i = 0; i < VIOMMU_FAULTS + 3; i++)
		dma_ptr(&rng.dev.dma, 0x1000, 4, DMA_TO_DEV);
	assert_int_equal(vi.fq_n, VIOMMU_FAULTS);
	assert_int_equal(vi.faults_dropped, 3);
	settle();
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_identity),
		T(test_attach_map_reach),
		T(test_bypass),
		T(test_unmap_waits),
		T(test_fault_formats),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
