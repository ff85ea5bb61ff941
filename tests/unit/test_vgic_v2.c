/* The vGIC's GICv2 front end (core/vgic_v2.c) on the fake arch: its
 * distributor's registers, the private INTIDs banked for the accessing
 * vCPU, ITARGETSR routing within the partition only, GICD_SGIR's target
 * filters, delivery through the core with GICv2's Group 0, hostile offsets
 * and widths; and the GICH_LR encoding (include/hv/gic_lr.h).
 * The distributor is a register bank on the vGIC's distributor context,
 * as the partition's MMIO bus holds it.
 * proves: PLATFORM-8 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "arch_fake.h"
#include <hv/gic_lr.h>
#include <hv/mmio.h>
#include <hv/vgic.h>

#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_IIDR 0x008
#define GICD_IGROUPR 0x080
#define GICD_ISENABLER 0x100
#define GICD_ISPENDR 0x200
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_SGIR 0xf00
#define GICD_PIDR2 0xfe8

static struct vgic g;

static void v2_setup(unsigned n)
{
	vgic_unbind_hw_spis(&g);
	memset(fake_lrs, 0, sizeof(fake_lrs));
	fake_nr_lrs = 4;
	fake_underflow = false;
	fake_kicked = 0;
	fake_local_vgic = NULL;
	fake_local_vcpu = -1;
	fake_gicd_reset();
	memset(&g, 0, sizeof(g));
	g.version = 2;
	vgic_init(&g, n);
	for (unsigned i = 0; i < n; i++)
		g.pcpu[i] = 3 * (i + 1);
	fake_local_vgic = &g;
}

static int setup(void **state)
{
	(void)state;
	v2_setup(2);
	return 0;
}

/* An access by vCPU vcpu (the fake runs it on this CPU). */
static int acc(unsigned vcpu, uint32_t off, unsigned w, bool wr, uint64_t *v)
{
	fake_local_vcpu = (int)vcpu;
	return mmio_device_access(&vgic_v2_dist_ops, &g.dist, off, w, wr, v);
}

static uint64_t rd(unsigned vcpu, uint32_t off, unsigned w)
{
	uint64_t v = 0xdeadbeefdeadbeefULL;
	assert_int_equal(acc(vcpu, off, w, false, &v), 0);
	return v;
}

static void wr(unsigned vcpu, uint32_t off, unsigned w, uint64_t v)
{
	assert_int_equal(acc(vcpu, off, w, true, &v), 0);
}

static struct virq *spi(uint32_t intid)
{
	return &g.spi[intid - VGIC_NR_PRIVATE];
}

/* Identification: a GIC-400 with the partition's CPUs and 96 INTIDs, every
 * interrupt in Group 0 (IGROUPR reads as zero and keeps nothing). */
static void test_v2_ids(void **state)
{
	(void)state;
	assert_int_equal(rd(0, GICD_TYPER, 4), (1u << 5) | 2);
	assert_int_equal(rd(0, GICD_IIDR, 4), 0x0200143b);
	assert_int_equal(rd(0, GICD_PIDR2, 4), 0x2b);
	wr(0, GICD_IGROUPR + 4, 4, 0xffffffff);
	assert_int_equal(rd(0, GICD_IGROUPR + 4, 4), 0);
	wr(0, GICD_CTLR, 4, 0xffffffff);
	assert_int_equal(rd(1, GICD_CTLR, 4), 1);
	assert_true(vgic_forwarding(&g));
}

/* SGIs and PPIs are banked: each vCPU enables, pends and prioritises its
 * own, through the same offsets. */
static void test_v2_banked_private(void **state)
{
	(void)state;
	wr(0, GICD_ISENABLER, 4, 1u << 27);
	assert_int_equal(rd(0, GICD_ISENABLER, 4) & (1u << 27), 1u << 27);
	assert_int_equal(rd(1, GICD_ISENABLER, 4) & (1u << 27), 0);
	assert_true(g.cpu[0].priv[27].enabled);
	assert_false(g.cpu[1].priv[27].enabled);
	wr(1, GICD_IPRIORITYR + 4, 1, 0xa0); /* SGI 4 of vCPU 1 */
	assert_int_equal(g.cpu[1].priv[4].priority, 0xa0);
	assert_int_equal(g.cpu[0].priv[4].priority, 0);
	assert_int_equal(rd(0, GICD_IPRIORITYR + 4, 1), 0);
	wr(1, GICD_ISPENDR, 4, 1u << 20);
	assert_true(g.cpu[1].priv[20].pending);
	assert_false(g.cpu[0].priv[20].pending);
}

/* ITARGETSR: the private INTIDs' bytes read as the reader's own bit and
 * keep nothing; an SPI goes to the lowest vCPU named, and only the
 * partition's vCPUs can be named. A bound SPI's physical route follows. */
static void test_v2_itargetsr(void **state)
{
	(void)state;
	assert_int_equal(rd(0, GICD_ITARGETSR, 4), 0x01010101);
	assert_int_equal(rd(1, GICD_ITARGETSR + 28, 4), 0x02020202);
	wr(1, GICD_ITARGETSR + 16, 4, 0x01010101);
	assert_int_equal(rd(1, GICD_ITARGETSR + 16, 4), 0x02020202);

	wr(0, GICD_ITARGETSR + 40, 1, 0x02);
	assert_int_equal(spi(40)->target, 1);
	assert_int_equal(rd(0, GICD_ITARGETSR + 40, 1), 0x02);
	wr(0, GICD_ITARGETSR + 40, 1, 0x03);
	assert_int_equal(spi(40)->target, 0);
	/* CPUs 2..7 are not the partition's: dropped, vCPU 0 by default */
	wr(0, GICD_ITARGETSR + 44, 4, 0xfcfcfcfe);
	assert_int_equal(rd(0, GICD_ITARGETSR + 44, 4), 0x00000002);
	assert_int_equal(spi(44)->target, 1);
	assert_int_equal(spi(45)->target, 0);

	assert_int_equal(vgic_bind_hw_spi(&g, 50), 0);
	wr(0, GICD_ITARGETSR + 48, 4, 0x00020000);
	assert_int_equal(spi(50)->target, 1);
	assert_int_equal(fake_gicd[50].pcpu, g.pcpu[1]);
	vgic_unbind_hw_spis(&g);
}

/* GICD_SGIR: a list (filter 0), all but the sender (1), the sender (2);
 * reserved filter 3 and CPUs outside the partition send nothing. */
static void test_v2_sgir(void **state)
{
	(void)state;
	wr(0, GICD_SGIR, 4, (0u << 24) | (0x02u << 16) | 3);
	assert_true(g.cpu[1].priv[3].pending);
	assert_false(g.cpu[0].priv[3].pending);

	wr(1, GICD_SGIR, 4, (1u << 24) | 5);
	assert_true(g.cpu[0].priv[5].pending);
	assert_false(g.cpu[1].priv[5].pending);

	wr(1, GICD_SGIR, 4, (2u << 24) | (0x01u << 16) | 6);
	assert_true(g.cpu[1].priv[6].pending);
	assert_false(g.cpu[0].priv[6].pending);

	/* CPU 5 is not the partition's: the rest of the list still gets it */
	assert_false(vgic_v2_sgir(&g, 0, (0u << 24) | (0x21u << 16) | 7));
	assert_true(g.cpu[0].priv[7].pending);
	assert_false(vgic_v2_sgir(&g, 0, (3u << 24) | (0x03u << 16) | 8));
	assert_false(g.cpu[0].priv[8].pending || g.cpu[1].priv[8].pending);
	wr(0, GICD_SGIR, 4, (3u << 24) | (0xffu << 16) | 9); /* no abort, nothing sent */
	assert_false(g.cpu[0].priv[9].pending || g.cpu[1].priv[9].pending);
	/* write-only */
	assert_int_equal(rd(0, GICD_SGIR, 4), 0);
}

/* Delivery: only while GICD_CTLR.Enable is set; the list register holds
 * a Group 0 interrupt with the priority written. */
static void test_v2_delivery(void **state)
{
	struct vgic_lr lr;

	(void)state;
	fake_local_vcpu = 1;
	wr(1, GICD_IPRIORITYR + 60, 1, 0x48);
	wr(1, GICD_ITARGETSR + 60, 1, 0x02);
	wr(1, GICD_ISENABLER + 4, 4, 1u << (60 - 32));
	vgic_inject(&g, 0, 60);
	fake_local_vcpu = 1;
	vgic_flush(&g, 1);
	assert_int_equal(fake_lrs[0], 0); /* forwarding off */
	wr(1, GICD_CTLR, 4, 1);
	fake_local_vcpu = 1;
	vgic_flush(&g, 1);
	ich_lr_decode(fake_lrs[0], &lr);
	assert_int_equal(lr.vintid, 60);
	assert_int_equal(lr.state, VGIC_LR_PENDING);
	assert_int_equal(lr.prio, 0x48);
	assert_false(lr.group1);
}

/* An SPI retargeted while it sits in its vCPU's list register stays that
 * vCPU's until the list register frees (another vCPU's list register of
 * the same index is never written for it); then the new target has it. */
static void test_v2_retarget_in_flight(void **state)
{
	struct vgic_lr lr;
	int i;

	(void)state;
	wr(0, GICD_CTLR, 4, 1);
	wr(0, GICD_ITARGETSR + 40, 1, 0x01);
	wr(0, GICD_ISENABLER + 4, 4, 1u << (40 - 32));
	vgic_inject(&g, 0, 40);
	fake_local_vcpu = 0;
	vgic_flush(&g, 0);
	i = spi(40)->lr;
	assert_true(i >= 0);
	wr(1, GICD_ITARGETSR + 40, 1, 0x02);
	assert_int_equal(spi(40)->target, 0);
	assert_int_equal(spi(40)->next_target, 1);
	assert_int_equal(rd(1, GICD_ITARGETSR + 40, 1), 0x02);
	fake_lrs[i] &= ~(3ULL << ICH_LR_STATE_SHIFT); /* vCPU 0's guest is done with it */
	fake_local_vcpu = 0;
	vgic_maintenance(&g, 0);
	assert_int_equal(spi(40)->lr, -1);
	assert_int_equal(spi(40)->target, 1);
	vgic_inject(&g, 0, 40);
	fake_local_vcpu = 1;
	vgic_flush(&g, 1);
	assert_true(spi(40)->lr >= 0);
	ich_lr_decode(fake_lrs[spi(40)->lr], &lr);
	assert_int_equal(lr.vintid, 40);
}

/* Hostile accesses: outside the 4 KiB frame, unknown offsets, widths a
 * register does not take. Each is an abort for the guest; the vGIC is
 * unchanged. */
static void test_v2_hostile(void **state)
{
	static const struct { uint32_t off; unsigned w; } bad[] = {
		{ 0x1000, 4 }, { 0xfff0, 4 }, { 0x010, 4 }, { 0x00c, 4 }, { 0x000, 8 },
		{ 0x100, 2 }, { 0x101, 4 }, { 0x800, 8 }, { 0xf00, 1 }, { 0xf04, 4 },
		{ 0xe00, 4 }, { 0xfcc, 4 },
	};
	struct vgic before;
	uint64_t v = ~0ULL;

	(void)state;
	memcpy(&before, &g, sizeof(g));
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(acc(0, bad[i].off, bad[i].w, true, &v), -1);
		assert_int_equal(acc(1, bad[i].off, bad[i].w, false, &v), -1);
	}
	assert_memory_equal(&before, &g, sizeof(g));
}

/* GICH_LR: what the core's list registers become on a GICv2 CPU
 * interface, and back: HW with its physical INTID, EOI maintenance,
 * an SGI's source, five priority bits, Group 1. */
static void test_gich_lr(void **state)
{
	const struct vgic_lr in[] = {
		{ .vintid = 27, .pintid = 27, .prio = 0xa0, .state = VGIC_LR_PENDING, .hw = true },
		{ .vintid = 40, .prio = 0xf8, .state = VGIC_LR_ACTIVE, .eoi = true },
		{ .vintid = 3, .prio = 0x08, .state = VGIC_LR_PENDING | VGIC_LR_ACTIVE, .source = 5 },
		{ .vintid = 95, .pintid = 95, .prio = 0x40, .state = VGIC_LR_ACTIVE, .hw = true,
		  .group1 = true },
		{ 0 },
	};
	(void)state;
	for (unsigned i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct vgic_lr out;
		gich_lr_decode(gich_lr_encode(&in[i]), &out);
		assert_memory_equal(&in[i], &out, sizeof(out));
	}
	assert_int_equal(gich_lr_encode(&in[0]), 0x80000000u | (1u << 28) | (0x14u << 23) | (27u << 10) | 27);
	assert_int_equal(gich_lr_encode(&in[1]), (2u << 28) | (0x1fu << 23) | (1u << 19) | 40);
	assert_int_equal(gich_lr_encode(&in[2]), (3u << 28) | (1u << 23) | (5u << 10) | 3);
	assert_int_equal(gich_lr_encode(&in[4]), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_v2_ids, setup),
		cmocka_unit_test_setup(test_v2_banked_private, setup),
		cmocka_unit_test_setup(test_v2_itargetsr, setup),
		cmocka_unit_test_setup(test_v2_sgir, setup),
		cmocka_unit_test_setup(test_v2_delivery, setup),
		cmocka_unit_test_setup(test_v2_retarget_in_flight, setup),
		cmocka_unit_test_setup(test_v2_hostile, setup),
		cmocka_unit_test(test_gich_lr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
