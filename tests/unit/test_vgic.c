/* The virtual GICv3: distributor and redistributor registers through the
 * real MMIO ops, list-register allocation, level and HW interrupts, SGIs
 * and hostile register accesses, against the fake arch's list registers;
 * physical SPIs passed through to a partition (HW list registers, the
 * guest's configuration mirrored onto the fake physical distributor, stop
 * and restart).
 * proves: PLATFORM-3, PLATFORM-5, SENS-2, NET-4 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "arch_fake.h"
#include <hv/mmio.h>
#include <hv/gic_lr.h>
#include <hv/vgic.h>

/* The fake CPU interface's list registers are ICH_LR<n>_EL2 values. */
#define LR_STATE_SHIFT ICH_LR_STATE_SHIFT
#define LR_PENDING (1ULL << 62)
#define LR_ACTIVE (2ULL << 62)
#define LR_HW ICH_LR_HW
#define LR_GROUP1 ICH_LR_GROUP1
#define LR_PRIO_SHIFT ICH_LR_PRIO_SHIFT
#define LR_PINTID_SHIFT ICH_LR_PINTID_SHIFT
#define LR_VINTID_MASK 0xffffffffULL

#define LR_EOI_BIT BIT(41)
#define LR_STATE(lr) ((unsigned)((lr) >> LR_STATE_SHIFT))
#define LR_INTID(lr) ((uint32_t)((lr) & LR_VINTID_MASK))
#define LR_PRIO(lr) ((unsigned)(((lr) >> LR_PRIO_SHIFT) & 0xff))

/* Distributor offsets. */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_ISACTIVER 0x0300
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_IROUTER 0x6000
#define GICD_PIDR2 0xffe8

/* Redistributor offsets inside a vCPU's frame. */
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_SGI 0x10000
#define GICR_ISENABLER0 (GICR_SGI + 0x0100)
#define GICR_ISPENDR0 (GICR_SGI + 0x0200)

static struct vgic g;

static void fake_reset(void)
{
	memset(fake_lrs, 0, sizeof(fake_lrs));
	fake_nr_lrs = 4;
	fake_underflow = false;
	fake_kicked = 0;
	fake_local_vcpu = -1;
	fake_local_vgic = NULL;
	memset(fake_deactivated, 0, sizeof(fake_deactivated));
	fake_ndeactivated = 0;
	fake_gicd_reset();
}

/* A vGIC of n vCPUs, vCPU i running on physical CPU 3 * (i + 1). */
static void vgic_setup(unsigned n)
{
	vgic_unbind_hw_spis(&g); /* the previous test's bindings */
	fake_reset();
	memset(&g, 0, sizeof(g));
	vgic_init(&g, n);
	for (unsigned i = 0; i < n; i++)
		g.pcpu[i] = 3 * (i + 1);
	g.ctlr = 2; /* the guest has enabled Group 1 forwarding, as Linux does */
	fake_reset(); /* vgic_init must not leave anything behind that matters */
}

static int setup(void **state)
{
	(void)state;
	vgic_setup(2);
	return 0;
}

static int dacc(uint32_t off, unsigned w, bool wr, uint64_t *v)
{
	return mmio_device_access(&vgic_dist_ops, &g.dist, off, w, wr, v);
}

static int racc(unsigned vcpu, uint32_t off, unsigned w, bool wr, uint64_t *v)
{
	return vgic_rdist_ops.access(&g, (uint64_t)vcpu * VGIC_RDIST_STRIDE + off, w, wr, v);
}

static uint64_t drd(uint32_t off, unsigned w)
{
	uint64_t v = 0xdeadbeefdeadbeefULL;
	assert_int_equal(dacc(off, w, false, &v), 0);
	return v;
}

static void dwr(uint32_t off, unsigned w, uint64_t v)
{
	assert_int_equal(dacc(off, w, true, &v), 0);
}

static uint64_t rrd(unsigned vcpu, uint32_t off, unsigned w)
{
	uint64_t v = 0xdeadbeefdeadbeefULL;
	assert_int_equal(racc(vcpu, off, w, false, &v), 0);
	return v;
}

static void rwr(unsigned vcpu, uint32_t off, unsigned w, uint64_t v)
{
	assert_int_equal(racc(vcpu, off, w, true, &v), 0);
}

/* Enable an SPI, give it a priority and route it to a vCPU, all through
 * the distributor registers. */
static void spi_config(uint32_t intid, uint8_t prio, unsigned vcpu)
{
	uint32_t prio_reg = GICD_IPRIORITYR + (intid & ~3u);
	uint64_t p = drd(prio_reg, 4);
	unsigned sh = 8 * (intid & 3);

	p = (p & ~(0xffULL << sh)) | ((uint64_t)prio << sh);
	dwr(prio_reg, 4, p);
	dwr(GICD_IROUTER + 8 * intid, 8, vcpu);
	dwr(GICD_ISENABLER + 4 * (intid / 32), 4, 1u << (intid % 32));
}

/* The slot of the list register holding vINTID intid in a live state, -1
 * when none does. */
static int lr_of(uint32_t intid)
{
	int slot = -1;

	for (unsigned i = 0; i < fake_nr_lrs; i++)
		if (LR_STATE(fake_lrs[i]) && LR_INTID(fake_lrs[i]) == intid) {
			assert_int_equal(slot, -1); /* never in two list registers */
			slot = (int)i;
		}
	return slot;
}

static unsigned lrs_live(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < fake_nr_lrs; i++)
		n += LR_STATE(fake_lrs[i]) != 0;
	return n;
}

static void run_here(unsigned vcpu)
{
	fake_local_vgic = &g;
	fake_local_vcpu = (int)vcpu;
}

/* What the CPU interface does to a list register when the guest
 * acknowledges (pending -> active) and deactivates (state -> invalid,
 * everything else kept, the EOI bit included) its interrupt. */
static void guest_ack(int slot)
{
	assert_true(slot >= 0);
	fake_lrs[slot] = (fake_lrs[slot] & ~(3ULL << LR_STATE_SHIFT)) | LR_ACTIVE;
}

static void guest_deactivate(int slot)
{
	assert_true(slot >= 0);
	fake_lrs[slot] &= ~(3ULL << LR_STATE_SHIFT);
}

/* GICD_TYPER, GICD_PIDR2 and GICD_IIDR identify a GICv3 of 96 INTIDs. */
static void test_dist_identification(void **state)
{
	uint64_t t;
	(void)state;

	t = drd(GICD_TYPER, 4);
	assert_int_equal(t & 0x1f, VGIC_NR_IRQS / 32 - 1); /* ITLinesNumber */
	assert_int_equal((t >> 19) & 0x1f, 9);             /* IDbits: 10-bit INTIDs */
	assert_int_equal((t >> 5) & 7, 2 - 1);             /* CPUNumber */
	assert_int_equal(t & BIT(16), 0);                  /* no LPIs */
	assert_int_equal(drd(GICD_PIDR2, 4), 0x3b);
	assert_int_equal((drd(GICD_PIDR2, 4) >> 4) & 0xf, 3); /* ArchRev: GICv3 */
	assert_int_equal(drd(0x0008, 4), 0x0300043b);         /* IIDR */
}

/* GICD_CTLR keeps the two group enables and always reads ARE and DS set. */
static void test_dist_ctlr(void **state)
{
	(void)state;
	vgic_init(&g, 2); /* out of reset: both group enables off */
	assert_int_equal(drd(GICD_CTLR, 4), BIT(6) | BIT(4));
	dwr(GICD_CTLR, 4, 3);
	assert_int_equal(drd(GICD_CTLR, 4), BIT(6) | BIT(4) | 3);
	dwr(GICD_CTLR, 4, 2);
	assert_int_equal(drd(GICD_CTLR, 4), BIT(6) | BIT(4) | 2);
	/* ARE and DS cannot be cleared, reserved bits are not kept. */
	dwr(GICD_CTLR, 4, 0xffffff00);
	assert_int_equal(drd(GICD_CTLR, 4), BIT(6) | BIT(4));
}

/* GICR_TYPER gives each frame its vCPU's affinity, Last only on the last. */
static void test_rdist_typer(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 2; c++) {
		uint64_t t = rrd(c, GICR_TYPER, 8);
		assert_int_equal(t >> 32, c);               /* Affinity_Value: Aff0 */
		assert_int_equal((t >> 8) & 0xffff, c);     /* Processor_Number */
		assert_int_equal((t & BIT(4)) != 0, c == 1); /* Last */
		assert_int_equal(t & BIT(0), 0);            /* no physical LPIs */
		assert_int_equal(rrd(c, GICR_TYPER, 4), (uint32_t)t);
		assert_int_equal(rrd(c, GICR_TYPER + 4, 4), c);
	}
	/* With three vCPUs the middle one is no longer last. */
	vgic_setup(3);
	assert_int_equal(rrd(1, GICR_TYPER, 8) & BIT(4), 0);
	assert_int_equal(rrd(2, GICR_TYPER, 8) & BIT(4), BIT(4));
	assert_int_equal(rrd(2, GICR_TYPER, 8) >> 32, 2);
	/* A 64-bit read of the upper half is misaligned. */
	uint64_t v;
	assert_int_equal(racc(0, GICR_TYPER + 4, 8, false, &v), -1);
}

/* GICR_WAKER: ProcessorSleep as written, ChildrenAsleep following it. */
static void test_rdist_waker(void **state)
{
	(void)state;
	assert_int_equal(rrd(0, GICR_WAKER, 4), 6); /* asleep after reset */
	rwr(0, GICR_WAKER, 4, 0);
	assert_int_equal(rrd(0, GICR_WAKER, 4), 0);
	assert_int_equal(rrd(1, GICR_WAKER, 4), 6); /* per vCPU */
	rwr(0, GICR_WAKER, 4, 2);
	assert_int_equal(rrd(0, GICR_WAKER, 4), 6);
	/* ChildrenAsleep is read only; other bits are not kept. */
	rwr(1, GICR_WAKER, 4, 0xfffffffd);
	assert_int_equal(rrd(1, GICR_WAKER, 4), 0);
}

/* A redistributor frame past the last vCPU aborts, reads and writes. */
static void test_rdist_beyond_last_frame(void **state)
{
	uint64_t v = 0;
	(void)state;
	assert_int_equal(racc(2, GICR_TYPER, 8, false, &v), -1);
	assert_int_equal(racc(2, GICR_WAKER, 4, true, &v), -1);
	assert_int_equal(racc(2, GICR_ISENABLER0, 4, false, &v), -1);
	assert_int_equal(racc(7, 0, 4, false, &v), -1);
	assert_int_equal(vgic_rdist_ops.access(&g, ~0ULL - 3, 4, false, &v), -1);
	/* The last valid frame still answers at its end. */
	assert_int_equal(racc(1, GICR_SGI + 0xe00, 4, false, &v), 0);
}

/* Width and alignment: what the GICv3 allows passes, the rest aborts. */
static void test_access_width_rules(void **state)
{
	uint64_t v = 0;
	(void)state;
	assert_int_equal(dacc(GICD_CTLR, 8, false, &v), -1);
	assert_int_equal(dacc(GICD_CTLR, 2, false, &v), -1);
	assert_int_equal(dacc(GICD_TYPER + 2, 4, false, &v), -1);   /* unaligned */
	assert_int_equal(dacc(GICD_ISENABLER + 2, 4, true, &v), -1); /* unaligned */
	assert_int_equal(dacc(GICD_ISENABLER + 4, 1, false, &v), -1);
	v = 0xff;
	assert_int_equal(dacc(GICD_ISENABLER + 4, 1, true, &v), -1);
	assert_int_equal(drd(GICD_ISENABLER + 4, 4), 0); /* the refused write did nothing */
	assert_int_equal(dacc(GICD_CTLR, 3, false, &v), -1);
	assert_int_equal(dacc(0x0020, 4, false, &v), -1); /* reserved hole */
	/* IPRIORITYR takes bytes (INTID 36 here) as well as words. */
	dwr(GICD_IPRIORITYR + 36, 1, 0x90);
	assert_int_equal(drd(GICD_IPRIORITYR + 36, 1), 0x90);
	assert_int_equal(drd(GICD_IPRIORITYR + 36, 4), 0x90);
	/* IROUTER takes 64-bit accesses. */
	dwr(GICD_IROUTER + 8 * 40, 8, 1);
	assert_int_equal(drd(GICD_IROUTER + 8 * 40, 8), 1);
	assert_int_equal(drd(GICD_IROUTER + 8 * 40, 4), 1);
	assert_int_equal(dacc(GICD_IROUTER + 8 * 40 + 4, 8, false, &v), -1);
	/* Redistributor SGI frame: ISENABLER0 is 32-bit only. */
	assert_int_equal(racc(0, GICR_ISENABLER0, 1, false, &v), -1);
	assert_int_equal(racc(0, GICR_ISENABLER0, 8, false, &v), -1);
}

/* ISENABLER/ICENABLER set and clear SPI enables; SPIs past 95 are RAZ/WI. */
static void test_spi_enable_readback(void **state)
{
	(void)state;
	assert_int_equal(drd(GICD_ISENABLER + 4, 4), 0);
	dwr(GICD_ISENABLER + 4, 4, 0x80000101); /* INTIDs 32, 40, 63 */
	assert_int_equal(drd(GICD_ISENABLER + 4, 4), 0x80000101);
	assert_int_equal(drd(GICD_ICENABLER + 4, 4), 0x80000101);
	dwr(GICD_ISENABLER + 8, 4, 0x2); /* INTID 65 */
	assert_int_equal(drd(GICD_ISENABLER + 8, 4), 0x2);
	dwr(GICD_ICENABLER + 4, 4, 0x100); /* clear 40 only */
	assert_int_equal(drd(GICD_ISENABLER + 4, 4), 0x80000001);
	assert_int_equal(drd(GICD_ISENABLER + 8, 4), 0x2);
	/* A zero bit in ISENABLER changes nothing. */
	dwr(GICD_ISENABLER + 4, 4, 0);
	assert_int_equal(drd(GICD_ISENABLER + 4, 4), 0x80000001);
	/* INTID 200 (ISENABLER6): not implemented. */
	dwr(GICD_ISENABLER + 4 * (200 / 32), 4, 0xffffffff);
	assert_int_equal(drd(GICD_ISENABLER + 4 * (200 / 32), 4), 0);
	dwr(GICD_ISENABLER + 4 * 3, 4, 0xffffffff); /* INTIDs 96..127 */
	assert_int_equal(drd(GICD_ISENABLER + 4 * 3, 4), 0);
	assert_int_equal(drd(GICD_IPRIORITYR + 200, 1), 0);
	dwr(GICD_IPRIORITYR + 200, 4, 0xffffffff);
	assert_int_equal(drd(GICD_IPRIORITYR + 200, 4), 0);
	/* And the implemented ones were not disturbed by those writes. */
	assert_int_equal(drd(GICD_ISENABLER + 4, 4), 0x80000001);
}

/* With ARE=1 the distributor's SGI/PPI bits are RAZ/WI; the
 * redistributor owns them. */
static void test_private_bits_in_dist_raz_wi(void **state)
{
	(void)state;
	dwr(GICD_ISENABLER, 4, 0xffffffff);
	assert_int_equal(drd(GICD_ISENABLER, 4), 0);
	dwr(GICD_ISPENDR, 4, 0xffffffff);
	assert_int_equal(drd(GICD_ISPENDR, 4), 0);
	dwr(GICD_IPRIORITYR, 4, 0xa0a0a0a0);
	assert_int_equal(drd(GICD_IPRIORITYR, 4), 0);
	assert_int_equal(drd(GICD_IPRIORITYR + 28, 4), 0);
	for (unsigned c = 0; c < 2; c++) {
		assert_int_equal(rrd(c, GICR_ISENABLER0, 4), 0);
		assert_int_equal(rrd(c, GICR_ISPENDR0, 4), 0);
		assert_int_equal(rrd(c, GICR_SGI + 0x400, 4), 0);
	}
	/* The redistributor does take them, per vCPU. */
	rwr(1, GICR_ISENABLER0, 4, 0x0800000f);
	assert_int_equal(rrd(1, GICR_ISENABLER0, 4), 0x0800000f);
	assert_int_equal(rrd(0, GICR_ISENABLER0, 4), 0);
	assert_int_equal(drd(GICD_ISENABLER, 4), 0);
	rwr(1, GICR_SGI + 0x400, 4, 0x10203040);
	assert_int_equal(rrd(1, GICR_SGI + 0x400, 4), 0x10203040 & 0xf8f8f8f8);
	assert_int_equal(rrd(0, GICR_SGI + 0x400, 4), 0);
}

/* Priorities keep the 5 implemented bits; pending reads back. */
static void test_spi_priority_and_pending(void **state)
{
	(void)state;
	dwr(GICD_IPRIORITYR + 32, 4, 0xffa01807);
	assert_int_equal(drd(GICD_IPRIORITYR + 32, 4), 0xf8a01800);
	assert_int_equal(drd(GICD_IPRIORITYR + 36, 4), 0);
	dwr(GICD_IPRIORITYR + 92, 4, 0x11223344); /* the last SPIs, 92..95 */
	assert_int_equal(drd(GICD_IPRIORITYR + 92, 4), 0x11223344 & 0xf8f8f8f8);
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), 0);
	vgic_inject(&g, 0, 34);
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), BIT(2));
	dwr(GICD_ISPENDR + 8, 4, BIT(31)); /* INTID 95 */
	assert_int_equal(drd(GICD_ISPENDR + 8, 4), BIT(31));
	dwr(0x0280 + 4, 4, BIT(2)); /* ICPENDR: 34 */
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), 0);
	assert_int_equal(drd(GICD_ISPENDR + 8, 4), BIT(31));
}

/* IROUTER to vCPU 1: an injected SPI kicks vCPU 1's CPU and is loaded
 * only by vCPU 1. */
static void test_irouter_routes_spi(void **state)
{
	(void)state;
	spi_config(40, 0x80, 1);
	assert_int_equal(drd(GICD_IROUTER + 8 * 40, 8), 1);
	fake_kicked = 0;
	vgic_inject(&g, 0, 40);
	assert_int_equal(fake_kicked, 1u << g.pcpu[1]);

	run_here(0);
	vgic_maintenance(&g, 0);
	assert_int_equal(lr_of(40), -1);
	run_here(1);
	vgic_flush(&g, 1);
	assert_true(lr_of(40) >= 0);

	/* Back to vCPU 0. */
	memset(fake_lrs, 0, sizeof(fake_lrs));
	vgic_vcpu_reset(&g, 1);
	fake_local_vgic = NULL;
	dwr(GICD_IROUTER + 8 * 41, 8, 1);
	dwr(GICD_IROUTER + 8 * 41, 8, 0);
	fake_kicked = 0;
	vgic_inject(&g, 0, 41);
	assert_int_equal(fake_kicked, 1u << g.pcpu[0]);
}

/* IROUTER naming a CPU outside the partition (Aff0 too big, Aff1/2/3 set,
 * or IRM) routes to vCPU 0. */
static void test_irouter_outside_partition(void **state)
{
	static const uint64_t outside[] = {
		7,            /* Aff0 = 7, only 2 vCPUs */
		2,            /* Aff0 = 2: one past the last */
		0x101,        /* Aff1 = 1 */
		0x10001,      /* Aff2 = 1 */
		0x100000001,  /* Aff3 = 1 */
		BIT(31) | 1,  /* IRM: any CPU */
	};
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(outside); i++) {
		dwr(GICD_IROUTER + 8 * 50, 8, 1);
		dwr(GICD_IROUTER + 8 * 50, 8, outside[i]);
		fake_kicked = 0;
		vgic_inject(&g, 0, 50);
		assert_int_equal(fake_kicked, 1u << g.pcpu[0]);
		dwr(0x0280 + 4, 4, BIT(50 - 32)); /* ICPENDR */
	}
	/* Routing registers of SGIs/PPIs do not exist. */
	dwr(GICD_IROUTER + 8 * 5, 8, 1);
	assert_int_equal(drd(GICD_IROUTER + 8 * 5, 8), 0);
}

/* Six pending SPIs, four list registers: the four most urgent are loaded,
 * underflow asks for more; as the guest completes them the rest follow. */
static void test_flush_loads_highest_priority(void **state)
{
	static const struct {
		uint32_t intid;
		uint8_t prio;
	} irqs[] = { { 40, 0x80 }, { 41, 0x10 }, { 42, 0x60 },
		     { 43, 0x20 }, { 44, 0xa0 }, { 45, 0x40 } };
	static const uint32_t first[] = { 41, 43, 45, 42 };
	(void)state;

	for (unsigned i = 0; i < ARRAY_SIZE(irqs); i++)
		spi_config(irqs[i].intid, irqs[i].prio, 0);
	for (unsigned i = 0; i < ARRAY_SIZE(irqs); i++)
		vgic_inject(&g, 0, irqs[i].intid);
	run_here(0);
	vgic_flush(&g, 0);

	assert_int_equal(lrs_live(), 4);
	for (unsigned i = 0; i < ARRAY_SIZE(first); i++) {
		int s = lr_of(first[i]);
		assert_true(s >= 0);
		uint64_t lr = fake_lrs[s];
		assert_int_equal(LR_STATE(lr), 1); /* pending */
		assert_true(lr & LR_GROUP1);
		assert_false(lr & LR_HW);
		assert_false(lr & LR_EOI_BIT); /* edge */
		for (unsigned k = 0; k < ARRAY_SIZE(irqs); k++)
			if (irqs[k].intid == first[i])
				assert_int_equal(LR_PRIO(lr), irqs[k].prio);
	}
	assert_int_equal(lr_of(40), -1);
	assert_int_equal(lr_of(44), -1);
	assert_true(fake_underflow);
	/* Still pending as far as the guest's ISPENDR goes: bits 8..13. */
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), 0x3f00);

	/* The guest completes 41 and 45 (41 acknowledged first). */
	guest_ack(lr_of(41));
	guest_deactivate(lr_of(41));
	guest_deactivate(lr_of(45));
	vgic_maintenance(&g, 0);
	assert_int_equal(lrs_live(), 4);
	assert_true(lr_of(40) >= 0);
	assert_true(lr_of(44) >= 0);
	assert_true(lr_of(43) >= 0);
	assert_true(lr_of(42) >= 0);
	assert_int_equal(lr_of(41), -1);
	assert_int_equal(lr_of(45), -1);
	assert_int_equal(LR_PRIO(fake_lrs[lr_of(40)]), 0x80);
	assert_int_equal(LR_PRIO(fake_lrs[lr_of(44)]), 0xa0);
	assert_false(fake_underflow);
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), 0x1d00);

	/* Everything completes: the list registers are all released. */
	for (unsigned i = 0; i < fake_nr_lrs; i++)
		guest_deactivate((int)i);
	vgic_maintenance(&g, 0);
	for (unsigned i = 0; i < fake_nr_lrs; i++)
		assert_int_equal(fake_lrs[i], 0);
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), 0);
	assert_false(fake_underflow);
}

/* A disabled interrupt stays pending outside the list registers until
 * ISENABLER enables it. */
static void test_disabled_not_loaded(void **state)
{
	(void)state;
	dwr(GICD_IPRIORITYR + 60, 4, 0x20);
	vgic_inject(&g, 0, 60);
	run_here(0);
	vgic_flush(&g, 0);
	assert_int_equal(lrs_live(), 0);
	assert_false(fake_underflow);
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), BIT(60 - 32));

	/* Disabled private interrupts neither. */
	vgic_inject(&g, 0, 20);
	vgic_flush(&g, 0);
	assert_int_equal(lrs_live(), 0);

	dwr(GICD_ISENABLER + 4, 4, BIT(60 - 32));
	vgic_flush(&g, 0);
	int s = lr_of(60);
	assert_true(s >= 0);
	assert_int_equal(LR_STATE(fake_lrs[s]), 1);
	assert_int_equal(LR_PRIO(fake_lrs[s]), 0x20);
	assert_int_equal(lrs_live(), 1);

	/* Disabled again before injection: not loaded. */
	dwr(GICD_ICENABLER + 4, 4, BIT(61 - 32));
	vgic_inject(&g, 0, 61);
	vgic_flush(&g, 0);
	assert_int_equal(lr_of(61), -1);
}

/* A level SPI is loaded with EOI maintenance; on deactivation the list
 * register is cleared and the line re-sampled. */
static void test_level_spi_resampled(void **state)
{
	(void)state;
	/* INTIDs 48..63 share ICFGR3; INTID 50 is field 2. */
	assert_int_equal(drd(GICD_ICFGR + 12, 4), 0xaaaaaaaa); /* all edge */
	dwr(GICD_ICFGR + 12, 4, 0xaaaaaaaa & ~(2u << (2 * (50 - 48))));
	assert_int_equal(drd(GICD_ICFGR + 12, 4), 0xaaaaaaaa & ~(2u << 4));
	spi_config(50, 0x40, 0);

	fake_kicked = 0;
	vgic_set_line(&g, 50, true);
	assert_int_equal(fake_kicked, 1u << g.pcpu[0]);
	run_here(0);
	vgic_flush(&g, 0);
	int s = lr_of(50);
	assert_true(s >= 0);
	assert_int_equal(LR_STATE(fake_lrs[s]), 1);
	assert_true(fake_lrs[s] & LR_EOI_BIT);
	assert_false(fake_lrs[s] & LR_HW);

	/* Guest acknowledges: active. Nothing new is loaded. */
	guest_ack(s);
	vgic_maintenance(&g, 0);
	assert_int_equal(LR_STATE(fake_lrs[s]), 2);
	assert_int_equal(lrs_live(), 1);
	assert_int_equal(drd(0x0300 + 4, 4), BIT(50 - 32)); /* ISACTIVER */

	/* Guest deactivates; the line is still high: loaded again, pending. */
	guest_deactivate(s);
	vgic_maintenance(&g, 0);
	s = lr_of(50);
	assert_true(s >= 0);
	assert_int_equal(LR_STATE(fake_lrs[s]), 1);
	assert_true(fake_lrs[s] & LR_EOI_BIT);
	assert_int_equal(lrs_live(), 1);

	/* Deactivated, and the line went low: the register ends up 0. */
	guest_deactivate(s);
	assert_true(fake_lrs[s] & LR_EOI_BIT);
	fake_kicked = 0;
	vgic_set_line(&g, 50, false);
	assert_int_equal(fake_kicked, 0);
	vgic_maintenance(&g, 0);
	for (unsigned i = 0; i < fake_nr_lrs; i++)
		assert_int_equal(fake_lrs[i], 0);
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), 0);

	/* Raised again: delivered again. */
	vgic_set_line(&g, 50, true);
	vgic_flush(&g, 0);
	assert_true(lr_of(50) >= 0);
}

/* The guest's driver acknowledges its device while it handles a level
 * SPI (the line goes low, the interrupt active in this CPU's list
 * register): the EOI maintenance request is dropped, so the guest's
 * deactivation costs no maintenance interrupt, and GICD_ISACTIVER reads
 * the list register as it is, not as last folded back. Raised again while
 * still active: pended in the list register with the request set again,
 * so a line still high at that EOI is seen. On another vCPU's CPU the
 * list register is left alone, and a read of the state kicks its owner to
 * fold its list registers. */
static void test_level_ack_drops_eoi(void **state)
{
	int s;
	(void)state;
	dwr(GICD_ICFGR + 12, 4, 0xaaaaaaaa & ~(2u << (2 * (50 - 48))));
	spi_config(50, 0x40, 0);
	vgic_set_line(&g, 50, true);
	run_here(0);
	vgic_flush(&g, 0);
	s = lr_of(50);
	assert_true(s >= 0);
	assert_true(fake_lrs[s] & LR_EOI_BIT);
	guest_ack(s);
	vgic_set_line(&g, 50, false);
	assert_false(fake_lrs[s] & LR_EOI_BIT);
	assert_int_equal(LR_STATE(fake_lrs[s]), 2);
	assert_int_equal(drd(GICD_ISACTIVER + 4, 4), BIT(50 - 32));
	guest_deactivate(s); /* no maintenance interrupt follows */
	assert_int_equal(drd(GICD_ISACTIVER + 4, 4), 0);
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), 0);

	/* Raised again on its vCPU's CPU: into the list register at once,
	 * no kick, nothing left for a flush. */
	fake_kicked = 0;
	vgic_set_line(&g, 50, true);
	assert_int_equal(fake_kicked, 0);
	assert_false(__atomic_load_n(&g.cpu[0].dirty, __ATOMIC_RELAXED));
	s = lr_of(50);
	assert_true(s >= 0);
	assert_int_equal(LR_STATE(fake_lrs[s]), 1);
	assert_true(fake_lrs[s] & LR_EOI_BIT);
	assert_int_equal(lrs_live(), 1);

	/* Acknowledged, lowered, raised again while active: pending and
	 * active, with the request. */
	guest_ack(s);
	vgic_set_line(&g, 50, false);
	assert_false(fake_lrs[s] & LR_EOI_BIT);
	vgic_set_line(&g, 50, true);
	vgic_flush(&g, 0);
	assert_int_equal(LR_STATE(fake_lrs[s]), 3);
	assert_true(fake_lrs[s] & LR_EOI_BIT);

	/* The guest EOIs with the line high: the maintenance interrupt
	 * re-samples it and delivers it again. */
	guest_ack(s); /* takes the pending one: active */
	guest_deactivate(s);
	vgic_maintenance(&g, 0);
	s = lr_of(50);
	assert_true(s >= 0);
	assert_int_equal(LR_STATE(fake_lrs[s]), 1);

	/* Not this CPU's list register: left as it is; reading the state
	 * asks its vCPU to fold. */
	guest_ack(s);
	run_here(1);
	vgic_set_line(&g, 50, false);
	assert_true(fake_lrs[s] & LR_EOI_BIT);
	fake_kicked = 0;
	assert_int_equal(drd(GICD_ISACTIVER + 4, 4), 0); /* as last folded: pending */
	assert_int_equal(fake_kicked, 1u << g.pcpu[0]);
	assert_true(__atomic_load_n(&g.cpu[0].dirty, __ATOMIC_RELAXED));
	run_here(0);
	vgic_flush(&g, 0);
	run_here(1);
	assert_int_equal(drd(GICD_ISACTIVER + 4, 4), BIT(50 - 32)); /* folded: active */
}

/* An edge SPI's line going low does not take back its pending state;
 * a level one's does. */
static void test_level_line_low_before_delivery(void **state)
{
	(void)state;
	dwr(GICD_ICFGR + 12, 4, 0xaaaaaaaa & ~(2u << (2 * (51 - 48))));
	spi_config(51, 0x40, 0); /* level */
	spi_config(52, 0x40, 0); /* edge */
	vgic_set_line(&g, 51, true);
	vgic_set_line(&g, 52, true);
	vgic_set_line(&g, 51, false);
	vgic_set_line(&g, 52, false);
	run_here(0);
	vgic_flush(&g, 0);
	assert_int_equal(lr_of(51), -1);
	assert_true(lr_of(52) >= 0);
	assert_false(fake_lrs[lr_of(52)] & LR_EOI_BIT);
}

/* A forwarded physical PPI is loaded with the HW bit and its pINTID. */
static void test_hw_ppi(void **state)
{
	(void)state;
	rwr(0, GICR_SGI + 0x400 + 24, 4, 0x88000000); /* PPI 27 priority 0x88 */
	rwr(0, GICR_ISENABLER0, 4, BIT(27));
	run_here(0);
	vgic_inject_hw(&g, 0, 27);
	vgic_flush(&g, 0);
	int s = lr_of(27);
	assert_true(s >= 0);
	uint64_t lr = fake_lrs[s];
	assert_true(lr & LR_HW);
	assert_int_equal((lr >> LR_PINTID_SHIFT) & 0x3ff, 27);
	assert_int_equal(LR_STATE(lr), 1);
	assert_int_equal(LR_PRIO(lr), 0x88);
	assert_true(lr & LR_GROUP1);
	/* The guest cannot pend a HW interrupt through ISPENDR... */
	guest_deactivate(s);
	vgic_maintenance(&g, 0);
	rwr(0, GICR_ISPENDR0, 4, BIT(27));
	assert_int_equal(rrd(0, GICR_ISPENDR0, 4), 0);
	vgic_flush(&g, 0);
	assert_int_equal(lrs_live(), 0);
	/* ...and a disabled one is not loaded. */
	rwr(0, GICR_SGI + 0x180, 4, BIT(27)); /* ICENABLER0 */
	vgic_inject_hw(&g, 0, 27);
	vgic_flush(&g, 0);
	assert_int_equal(lrs_live(), 0);
}

/* vgic_vcpu_reset on the local vCPU deactivates live HW interrupts and
 * clears every list register and the underflow request. */
static void test_vcpu_reset_deactivates_hw(void **state)
{
	(void)state;
	rwr(0, GICR_ISENABLER0, 4, BIT(27) | BIT(3));
	spi_config(40, 0x10, 0);
	spi_config(41, 0x10, 0);
	spi_config(42, 0x10, 0);
	spi_config(43, 0x10, 0);
	run_here(0);
	vgic_inject_hw(&g, 0, 27);
	vgic_inject(&g, 0, 3);
	for (uint32_t i = 40; i <= 43; i++)
		vgic_inject(&g, 0, i);
	vgic_flush(&g, 0);
	assert_int_equal(lrs_live(), 4);
	assert_true(fake_underflow);
	/* Make the HW one active (acknowledged by the guest). */
	int s = lr_of(27);
	assert_true(s >= 0);
	guest_ack(s);

	vgic_vcpu_reset(&g, 0);
	assert_int_equal(fake_ndeactivated, 1);
	assert_int_equal(fake_deactivated[0], 27);
	for (unsigned i = 0; i < VGIC_MAX_LRS; i++)
		assert_int_equal(fake_lrs[i], 0);
	assert_false(fake_underflow);
	/* Private state is reset: PPI 27 disabled, SGI 3 not pending. */
	assert_int_equal(rrd(0, GICR_ISENABLER0, 4), 0);
	assert_int_equal(rrd(0, GICR_ISPENDR0, 4), 0);
	assert_int_equal(rrd(0, GICR_WAKER, 4), 6);

	/* A HW list register the guest already deactivated: the timer's
	 * physical interrupt is released once more anyway (through the
	 * redistributor, harmless when inactive), since it may be active with
	 * only a software copy. */
	fake_ndeactivated = 0;
	fake_lrs[0] = LR_HW | LR_GROUP1 | (27ULL << LR_PINTID_SHIFT) | 27;
	vgic_vcpu_reset(&g, 0);
	assert_int_equal(fake_ndeactivated, 1);
	assert_int_equal(fake_deactivated[0], 27);
	assert_int_equal(fake_lrs[0], 0);

	/* Reset of a vCPU not running here leaves the CPU's registers. */
	fake_ndeactivated = 0;
	fake_lrs[1] = LR_PENDING | LR_HW | (27ULL << LR_PINTID_SHIFT) | 27;
	vgic_vcpu_reset(&g, 1);
	assert_int_equal(fake_ndeactivated, 0);
	assert_int_equal(fake_lrs[1], LR_PENDING | LR_HW | (27ULL << LR_PINTID_SHIFT) | 27);
}

/* An SPI sitting in a list register when its vCPU resets is not lost: it
 * is still pending, is loaded again, and can be delivered afterwards. */
static void test_vcpu_reset_releases_spis(void **state)
{
	(void)state;
	spi_config(40, 0x10, 0);
	spi_config(41, 0x20, 0);
	run_here(0);
	vgic_inject(&g, 0, 40);
	vgic_inject(&g, 0, 41);
	vgic_maintenance(&g, 0);
	assert_true(lr_of(40) >= 0);
	int s41 = lr_of(41);
	assert_true(s41 >= 0);
	/* 41 was acknowledged and is being handled when the vCPU resets. */
	guest_ack(s41);

	vgic_vcpu_reset(&g, 0);
	assert_int_equal(lrs_live(), 0);
	/* 40 had not been taken: still pending, delivered after the reset. */
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), BIT(40 - 32));
	vgic_maintenance(&g, 0);
	assert_true(lr_of(40) >= 0);
	assert_int_equal(lr_of(41), -1);

	/* Both can be delivered again. */
	guest_deactivate(lr_of(40));
	vgic_maintenance(&g, 0);
	assert_int_equal(lrs_live(), 0);
	vgic_inject(&g, 0, 40);
	vgic_inject(&g, 0, 41);
	vgic_flush(&g, 0);
	assert_true(lr_of(40) >= 0);
	assert_true(lr_of(41) >= 0);
	assert_int_equal(LR_STATE(fake_lrs[lr_of(41)]), 1);
}

/* A whole-partition restart (vgic_init on a CPU running one of its vCPUs)
 * forgets what the list registers held instead of re-pending it. */
static void test_vgic_init_forgets_lrs(void **state)
{
	(void)state;
	spi_config(40, 0x10, 0);
	run_here(0);
	vgic_inject(&g, 0, 40);
	vgic_flush(&g, 0);
	assert_true(lr_of(40) >= 0);

	vgic_init(&g, 2);
	for (unsigned i = 0; i < VGIC_MAX_LRS; i++)
		assert_int_equal(fake_lrs[i], 0);
	assert_int_equal(drd(GICD_CTLR, 4) & 3, 0); /* restarted: disabled */
	dwr(GICD_CTLR, 4, 2);
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), 0);
	assert_int_equal(drd(GICD_ISENABLER + 4, 4), 0);
	dwr(GICD_ISENABLER + 4, 4, BIT(40 - 32));
	vgic_flush(&g, 0);
	assert_int_equal(lrs_live(), 0);
	vgic_inject(&g, 0, 40);
	vgic_flush(&g, 0);
	assert_true(lr_of(40) >= 0);
}

/* An SGI to vCPU 1 is pended there only, and kicks vCPU 1's CPU. */
static void test_sgi_to_one_vcpu(void **state)
{
	(void)state;
	fake_kicked = 0;
	assert_true(vgic_send_sgi(&g, 0, (3ULL << 24) | BIT(1)));
	assert_int_equal(rrd(1, GICR_ISPENDR0, 4), BIT(3));
	assert_int_equal(rrd(0, GICR_ISPENDR0, 4), 0);
	assert_int_equal(fake_kicked, 1u << g.pcpu[1]);

	/* vCPU 1 gets it once enabled, vCPU 0 has nothing. */
	rwr(1, GICR_ISENABLER0, 4, 0xffff);
	rwr(0, GICR_ISENABLER0, 4, 0xffff);
	run_here(0);
	vgic_flush(&g, 0);
	assert_int_equal(lrs_live(), 0);
	run_here(1);
	vgic_flush(&g, 1);
	assert_true(lr_of(3) >= 0);
	assert_int_equal(lrs_live(), 1);

	/* To itself: no kick of its own CPU needed when it runs here. */
	fake_kicked = 0;
	assert_true(vgic_send_sgi(&g, 1, (5ULL << 24) | BIT(1)));
	assert_int_equal(fake_kicked, 0);
	assert_int_equal(rrd(1, GICR_ISPENDR0, 4), BIT(3) | BIT(5));
}

/* An SGI naming a CPU outside the partition is refused and pends nothing. */
static void test_sgi_outside_partition(void **state)
{
	static const uint64_t bad[] = {
		(1ULL << 24) | BIT(5),            /* vCPU 5: none */
		(1ULL << 24) | BIT(2),            /* vCPU 2: one past */
		(1ULL << 24) | BIT(9),            /* vCPU 9: past CONFIG_MAX_CPUS too */
		(1ULL << 24) | (1ULL << 16) | 2,  /* Aff1 = 1 */
		(1ULL << 24) | (1ULL << 32) | 2,  /* Aff2 = 1 */
		(1ULL << 24) | (1ULL << 48) | 2,  /* Aff3 = 1 */
		(1ULL << 24) | (1ULL << 44) | 2,  /* RS = 1: vCPUs 16..31 */
	};
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		fake_kicked = 0;
		assert_false(vgic_send_sgi(&g, 0, bad[i]));
		assert_int_equal(rrd(0, GICR_ISPENDR0, 4), 0);
		assert_int_equal(rrd(1, GICR_ISPENDR0, 4), 0);
		assert_int_equal(fake_kicked, 0);
	}
}

/* IRM=1: every vCPU but the sender. */
static void test_sgi_irm(void **state)
{
	(void)state;
	vgic_setup(3);
	fake_kicked = 0;
	assert_true(vgic_send_sgi(&g, 1, BIT(40) | (7ULL << 24) | BIT(1)));
	assert_int_equal(rrd(0, GICR_ISPENDR0, 4), BIT(7));
	assert_int_equal(rrd(1, GICR_ISPENDR0, 4), 0);
	assert_int_equal(rrd(2, GICR_ISPENDR0, 4), BIT(7));
	assert_int_equal(fake_kicked, (1u << g.pcpu[0]) | (1u << g.pcpu[2]));
}

/* Every offset, every width, all ones: no crash, no list register
 * touched, and the vGIC still delivers afterwards. */
static void test_hostile_offsets(void **state)
{
	static const unsigned widths[] = { 4, 1, 2, 8 };
	uint64_t v;
	(void)state;

	run_here(0);
	for (unsigned w = 0; w < ARRAY_SIZE(widths); w++) {
		unsigned wd = widths[w];
		for (uint32_t off = 0; off < VGIC_DIST_SIZE; off += wd) {
			v = 0;
			dacc(off, wd, false, &v);
			v = 0xffffffffffffffffULL;
			dacc(off, wd, true, &v);
		}
		for (uint32_t off = 0; off < 2 * VGIC_RDIST_STRIDE; off += wd) {
			v = 0;
			vgic_rdist_ops.access(&g, off, wd, false, &v);
			v = 0xffffffffffffffffULL;
			vgic_rdist_ops.access(&g, off, wd, true, &v);
		}
	}
	for (unsigned i = 0; i < VGIC_MAX_LRS; i++)
		assert_int_equal(fake_lrs[i], 0);
	/* Last writes were ICENABLER/ICPENDR/ICACTIVER: all off again. */
	assert_int_equal(drd(GICD_ISENABLER + 4, 4), 0);
	assert_int_equal(drd(GICD_CTLR, 4), BIT(6) | BIT(4) | 3);

	spi_config(33, 0x30, 0);
	assert_int_equal(drd(GICD_IPRIORITYR + 32, 4), 0xf8f830f8);
	vgic_inject(&g, 0, 33);
	vgic_flush(&g, 0);
	int s = lr_of(33);
	assert_true(s >= 0);
	assert_int_equal(LR_PRIO(fake_lrs[s]), 0x30);
	assert_int_equal(lrs_live(), 1);
	/* And SGIs still flow between vCPUs. */
	rwr(1, GICR_ISENABLER0, 4, BIT(2));
	assert_true(vgic_send_sgi(&g, 0, (2ULL << 24) | BIT(1)));
	run_here(1);
	memset(fake_lrs, 0, sizeof(fake_lrs));
	vgic_flush(&g, 1);
	assert_true(lr_of(2) >= 0);
}

/* With the distributor's Group 1 enable off nothing is loaded; turning it
 * on through GICD_CTLR kicks the vCPUs and the pending SPI is loaded. */
static void test_dist_disabled_holds_back(void **state)
{
	uint64_t v;
	(void)state;
	fake_local_vgic = &g;
	fake_local_vcpu = 0;
	v = 0;
	assert_int_equal(dacc(GICD_CTLR, 4, true, &v), 0);
	v = BIT(44 - 32);
	assert_int_equal(dacc(0x0100 + 4, 4, true, &v), 0); /* enable SPI 44 */
	vgic_inject(&g, 0, 44);
	vgic_flush(&g, 0);
	for (unsigned i = 0; i < fake_nr_lrs; i++)
		assert_int_equal(fake_lrs[i], 0);
	fake_kicked = 0;
	v = 2;
	assert_int_equal(dacc(GICD_CTLR, 4, true, &v), 0);
	assert_int_equal(fake_kicked, 1u << g.pcpu[1]); /* vCPU 0 is local */
	vgic_flush(&g, 0);
	assert_int_equal(fake_lrs[0] & LR_VINTID_MASK, 44);
	assert_int_equal(fake_lrs[0] >> LR_STATE_SHIFT, 1);
}

/* The forwarded timer latched only in software (the guest has PPI 27
 * disabled): a reset of the vCPU releases the physical timer interrupt,
 * which stays active until then. */
static void test_vcpu_reset_releases_latched_timer(void **state)
{
	(void)state;
	run_here(0);
	vgic_inject_hw(&g, 0, VGIC_PPI_VTIMER);
	vgic_flush(&g, 0);
	assert_int_equal(lrs_live(), 0); /* disabled: not loaded */
	assert_int_equal(fake_ndeactivated, 0);
	vgic_vcpu_reset(&g, 0);
	assert_int_equal(fake_ndeactivated, 1);
	assert_int_equal(fake_deactivated[0], VGIC_PPI_VTIMER);
}

/* An SGI sent again while the guest is still handling the first (active in
 * its list register) is taken again after the guest's EOI: the list
 * register becomes pending+active. */
static void test_sgi_repended_while_active(void **state)
{
	(void)state;
	rwr(0, GICR_ISENABLER0, 4, BIT(2));
	run_here(0);
	vgic_inject(&g, 0, 2);
	vgic_flush(&g, 0);
	int s = lr_of(2);
	assert_true(s >= 0);
	guest_ack(s);
	vgic_inject(&g, 0, 2);
	vgic_flush(&g, 0);
	assert_int_equal(LR_STATE(fake_lrs[s]), 3); /* pending and active */
	assert_int_equal(rrd(0, GICR_ISPENDR0, 4) & BIT(2), BIT(2));
}

/* ---- physical SPIs bound to the vGIC (passthrough) ---- */

/* Bind an SPI; the deactivation the bind itself does (test_hw_spi_bind) is
 * not counted. */
static void bind(uint32_t intid)
{
	assert_int_equal(vgic_bind_hw_spi(&g, intid), 0);
	fake_ndeactivated = 0;
}

/* What irq_handle does when the physical GIC gives EL2 a bound SPI: it is
 * acknowledged (pending -> active), its priority dropped, and handed to
 * the vGIC that owns it. */
static void el2_takes(uint32_t intid)
{
	struct vgic *owner = vgic_hw_spi_owner(intid);
	assert_ptr_equal(owner, &g);
	fake_gicd[intid].pending = false;
	fake_gicd[intid].active = true;
	vgic_hw_spi_fired(owner, intid);
}

/* The guest deactivates a HW list register: the physical interrupt named
 * by its pINTID is deactivated by the CPU interface. */
static void guest_deactivate_hw(int slot)
{
	assert_true(slot >= 0);
	assert_true(fake_lrs[slot] & LR_HW);
	fake_gicd[(fake_lrs[slot] >> LR_PINTID_SHIFT) & 0x3ff].active = false;
	guest_deactivate(slot);
}

static bool deactivated(uint32_t intid)
{
	for (unsigned i = 0; i < fake_ndeactivated; i++)
		if (fake_deactivated[i] == intid)
			return true;
	return false;
}

/* The guest's byte-wide IPRIORITYR write of one SPI. */
static void spi_prio(uint32_t intid, uint8_t prio)
{
	dwr(GICD_IPRIORITYR + intid, 1, prio);
}

/* Binding: only SPIs 32..95, once; the SPI starts physically quiet, with
 * the reset configuration mirrored and routed to vCPU 0's CPU. */
static void test_hw_spi_bind(void **state)
{
	static const uint32_t refused[] = { 0, 15, 27, 31, 96, 1019, 1020, 0xffffffff };
	static struct vgic other;
	(void)state;

	for (unsigned i = 0; i < ARRAY_SIZE(refused); i++) {
		assert_int_equal(vgic_bind_hw_spi(&g, refused[i]), -1);
		assert_null(vgic_hw_spi_owner(refused[i]));
	}
	assert_int_equal(fake_gicd_ops, 0);

	/* Left behind by whoever had it (firmware, a previous owner). */
	fake_gicd[40] = (struct fake_gicd_spi){ .enabled = true, .pending = true, .active = true,
						.level = true, .priority = 0x10, .pcpu = 1 };
	bind(40);
	assert_ptr_equal(vgic_hw_spi_owner(40), &g);
	assert_null(vgic_hw_spi_owner(41));
	assert_false(fake_gicd[40].enabled);
	assert_false(fake_gicd[40].pending);
	assert_false(fake_gicd[40].active);
	assert_false(fake_gicd[40].level);              /* the guest's reset view: edge */
	assert_int_equal(fake_gicd[40].priority, 0xf7); /* guest priority 0: 8 levels below 0xff */
	assert_int_equal(fake_gicd[40].pcpu, g.pcpu[0]);

	/* Twice, or by another vGIC: refused, the first binding kept. */
	fake_gicd_reset();
	assert_int_equal(vgic_bind_hw_spi(&g, 40), -1);
	vgic_init(&other, 1);
	assert_int_equal(vgic_bind_hw_spi(&other, 40), -1);
	assert_ptr_equal(vgic_hw_spi_owner(40), &g);
	assert_int_equal(fake_gicd_ops, 0);
	assert_int_equal(vgic_bind_hw_spi(&other, 95), 0); /* the last SPI */
	assert_ptr_equal(vgic_hw_spi_owner(95), &other);
	vgic_unbind_hw_spis(&other);
	assert_null(vgic_hw_spi_owner(95));

	/* The binding survives a partition reset. */
	vgic_init(&g, 2);
	assert_ptr_equal(vgic_hw_spi_owner(40), &g);
	assert_int_equal(vgic_bind_hw_spi(&g, 40), -1);
}

/* A bound SPI taken by EL2 is loaded with the HW bit and its pINTID, no
 * EOI maintenance, level or edge; it stays physically active until the
 * guest deactivates it, and is delivered again afterwards. */
static void test_hw_spi_fired_hw_lr(void **state)
{
	(void)state;
	bind(40);
	dwr(GICD_ICFGR + 8, 4, 0xaaaaaaaa & ~(2u << (2 * (40 - 32)))); /* level */
	spi_config(40, 0x80, 0);
	assert_true(fake_gicd[40].enabled);

	fake_kicked = 0;
	el2_takes(40);
	assert_int_equal(fake_kicked, 1u << g.pcpu[0]); /* vCPU 0 runs elsewhere */
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), BIT(40 - 32));
	run_here(0);
	vgic_flush(&g, 0);
	int s = lr_of(40);
	assert_true(s >= 0);
	uint64_t lr = fake_lrs[s];
	assert_true(lr & LR_HW);
	assert_int_equal((lr >> LR_PINTID_SHIFT) & 0x3ff, 40);
	assert_int_equal(LR_STATE(lr), 1);
	assert_int_equal(LR_PRIO(lr), 0x80);
	assert_true(lr & LR_GROUP1);
	assert_false(lr & LR_EOI_BIT); /* level, but the HW bit re-samples */
	assert_int_equal(lrs_live(), 1);

	/* Acknowledged, then deactivated by the guest: the physical one is
	 * deactivated by the CPU interface, never by the hypervisor. */
	guest_ack(s);
	vgic_maintenance(&g, 0);
	assert_int_equal(LR_STATE(fake_lrs[s]), 2);
	assert_true(fake_gicd[40].active);
	guest_deactivate_hw(s);
	vgic_maintenance(&g, 0);
	assert_int_equal(lrs_live(), 0);
	assert_int_equal(fake_ndeactivated, 0);
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), 0);

	/* Fires again on this CPU: no kick needed, loaded again. */
	fake_kicked = 0;
	el2_takes(40);
	assert_int_equal(fake_kicked, 0);
	vgic_flush(&g, 0);
	assert_true(lr_of(40) >= 0);
	assert_true(fake_lrs[lr_of(40)] & LR_HW);

	/* An unbound SPI next to it is an ordinary virtual one. */
	spi_config(41, 0x80, 0);
	vgic_inject(&g, 0, 41);
	vgic_flush(&g, 0);
	assert_false(fake_lrs[lr_of(41)] & LR_HW);
	assert_int_equal(fake_gicd[41].ops, 0);
}

/* Routed to vCPU 1: physically to vCPU 1's CPU; taken there, pending only
 * for vCPU 1. */
static void test_hw_spi_routed(void **state)
{
	(void)state;
	bind(50);
	spi_config(50, 0x40, 1);
	assert_int_equal(fake_gicd[50].pcpu, g.pcpu[1]);
	fake_kicked = 0;
	el2_takes(50);
	assert_int_equal(fake_kicked, 1u << g.pcpu[1]);
	run_here(0);
	vgic_maintenance(&g, 0);
	assert_int_equal(lr_of(50), -1);
	run_here(1);
	vgic_flush(&g, 1);
	assert_true(lr_of(50) >= 0);
	assert_true(fake_lrs[lr_of(50)] & LR_HW);

	/* IROUTER back to vCPU 0, then outside the partition: vCPU 0's CPU. */
	dwr(GICD_IROUTER + 8 * 50, 8, 0);
	assert_int_equal(fake_gicd[50].pcpu, g.pcpu[0]);
	dwr(GICD_IROUTER + 8 * 50, 8, 1);
	assert_int_equal(fake_gicd[50].pcpu, g.pcpu[1]);
	dwr(GICD_IROUTER + 8 * 50, 8, 0x100); /* Aff1 = 1 */
	assert_int_equal(fake_gicd[50].pcpu, g.pcpu[0]);
	dwr(GICD_IROUTER + 8 * 50, 4, 1);     /* 32-bit half */
	assert_int_equal(fake_gicd[50].pcpu, g.pcpu[1]);
	dwr(GICD_IROUTER + 8 * 50, 8, BIT(31) | 1); /* IRM */
	assert_int_equal(fake_gicd[50].pcpu, g.pcpu[0]);
}

/* Bound before the owner set g->pcpu[]: the guest's enable routes it to
 * the CPU its target vCPU really runs on. */
static void test_hw_spi_pcpu_after_bind(void **state)
{
	(void)state;
	vgic_unbind_hw_spis(&g);
	memset(&g, 0, sizeof(g));
	vgic_init(&g, 2);
	bind(60);
	g.pcpu[0] = 5;
	g.pcpu[1] = 7;
	g.ctlr = 2;
	/* Enabled with no IROUTER write (its reset value names vCPU 0). */
	dwr(GICD_ISENABLER + 4, 4, BIT(60 - 32));
	assert_int_equal(fake_gicd[60].pcpu, 5);
	assert_true(fake_gicd[60].enabled);
	dwr(GICD_ICENABLER + 4, 4, BIT(60 - 32));
	dwr(GICD_IROUTER + 8 * 60, 8, 1);
	assert_int_equal(fake_gicd[60].pcpu, 7);
}

/* The guest's enable, priority, trigger and pending writes reach the
 * physical distributor; priorities land below the hypervisor's 0xa0 in
 * the guest's order; the trigger is never written while enabled by the
 * vGIC itself. */
static void test_hw_spi_mirrored(void **state)
{
	(void)state;
	bind(45);

	/* Enable and disable, repeated writes too. */
	dwr(GICD_ISENABLER + 4, 4, BIT(45 - 32));
	assert_true(fake_gicd[45].enabled);
	assert_int_equal(fake_gicd_trigger_while_enabled, 0);
	dwr(GICD_ICENABLER + 4, 4, BIT(45 - 32));
	assert_false(fake_gicd[45].enabled);
	dwr(GICD_ICENABLER + 4, 4, BIT(45 - 32));
	assert_false(fake_gicd[45].enabled);
	dwr(GICD_ISENABLER + 4, 4, BIT(45 - 32));
	dwr(GICD_ISENABLER + 4, 4, BIT(45 - 32));
	assert_true(fake_gicd[45].enabled);
	assert_int_equal(drd(GICD_ISENABLER + 4, 4), BIT(45 - 32));

	/* Priority: every guest value, byte and word writes. */
	unsigned last = 0;
	for (unsigned p = 0; p < 256; p += 8) {
		spi_prio(45, (uint8_t)p);
		unsigned phys = fake_gicd[45].priority;
		assert_int_equal(phys, 0xfe - (7 - (p >> 5)));
		assert_true(phys > 0xa0); /* never outranks the hypervisor's */
		assert_true(phys >= last); /* the guest's order kept */
		last = phys;
		assert_int_equal(drd(GICD_IPRIORITYR + 45, 1), p); /* the guest sees its own */
	}
	assert_int_equal(fake_gicd[45].priority, 0xfe);
	dwr(GICD_IPRIORITYR + 44, 4, 0x00008000); /* word write: 45 gets 0x80 */
	assert_int_equal(fake_gicd[45].priority, 0xfb);
	spi_prio(45, 0xff);
	assert_int_equal(fake_gicd[45].priority, 0xfe);
	spi_prio(45, 0x1f);
	assert_int_equal(fake_gicd[45].priority, 0xf7);

	/* Trigger: level, then edge again; an unchanged write is not mirrored. */
	dwr(GICD_ICFGR + 8, 4, 0xaaaaaaaa & ~(2u << (2 * (45 - 32))));
	assert_true(fake_gicd[45].level);
	assert_int_equal(drd(GICD_ICFGR + 8, 4), 0xaaaaaaaa & ~(2u << (2 * (45 - 32))));
	unsigned ops = fake_gicd[45].ops;
	dwr(GICD_ICFGR + 8, 4, 0xaaaaaaaa & ~(2u << (2 * (45 - 32))));
	assert_int_equal(fake_gicd[45].ops, ops);
	dwr(GICD_ICFGR + 8, 4, 0xaaaaaaaa);
	assert_false(fake_gicd[45].level);
	assert_int_equal(drd(GICD_ICFGR + 8, 4), 0xaaaaaaaa);

	/* ISPENDR pends the physical one (which then fires at EL2); the
	 * virtual state follows only when it does. ICPENDR clears it. */
	dwr(GICD_ISPENDR + 4, 4, BIT(45 - 32));
	assert_true(fake_gicd[45].pending);
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), 0);
	dwr(GICD_ICPENDR + 4, 4, BIT(45 - 32));
	assert_false(fake_gicd[45].pending);
	dwr(GICD_ISPENDR + 4, 4, BIT(45 - 32));
	el2_takes(45);
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), BIT(45 - 32));

	/* ISACTIVER is not mirrored; ICACTIVER deactivates physically. */
	run_here(0);
	vgic_flush(&g, 0);
	guest_ack(lr_of(45));
	vgic_maintenance(&g, 0);
	ops = fake_gicd[45].ops;
	dwr(GICD_ISACTIVER + 4, 4, BIT(45 - 32));
	assert_int_equal(fake_gicd[45].ops, ops);
	dwr(GICD_ICACTIVER + 4, 4, BIT(45 - 32));
	assert_true(deactivated(45));
	assert_false(fake_gicd[45].active);
}

/* ICPENDR on a bound SPI latched in software (taken by EL2, not yet in a
 * list register) drops it and deactivates it physically; ICACTIVER leaves
 * a latched one alone (the guest sees it pending, not active). */
/* A bound SPI's physical priority on every GIC: 8 implemented bits (QEMU),
 * 5 (a GIC-400: the mask reads back 0xf8), 5 in the Non-secure view (0xf0:
 * the hypervisor on a board with secure firmware), the architecture's
 * minimum there (0xe0). Always strictly between the hypervisor's 0xa0 and
 * the mask (at or below the mask it would never be signalled: the old
 * fixed mapping gave 0xf8 on a GIC-400), on an implemented level, and in
 * the guest's order with as many distinct levels as fit, up to 8. */
static void test_hw_priority_levels(void **state)
{
	static const struct { uint8_t pmr; unsigned levels; } gics[] = {
		{ 0xff, 8 }, { 0xf8, 8 }, { 0xf0, 4 }, { 0xe0, 1 },
	};
	(void)state;
	for (unsigned k = 0; k < sizeof(gics) / sizeof(gics[0]); k++) {
		uint8_t pmr = gics[k].pmr, step = (uint8_t)(pmr & -pmr);
		unsigned last = 0, distinct = 0;

		vgic_hw_priorities(pmr);
		for (unsigned p = 0; p < 256; p++) {
			unsigned phys = vgic_hw_priority((uint8_t)p);
			assert_true(phys > 0xa0);
			assert_true(phys < pmr);
			assert_int_equal(phys % step, 0);
			assert_true(phys >= last);
			distinct += phys != last;
			last = phys;
		}
		assert_int_equal(distinct, gics[k].levels);
		assert_int_equal(vgic_hw_priority(0xff), pmr - step); /* the guest's lowest: just above */
	}
	/* Not a GIC's answer (at or above the hypervisor's, or coarser than
	 * the architecture allows): ignored, the last one kept. */
	vgic_hw_priorities(0xa0);
	vgic_hw_priorities(0xc0);
	assert_int_equal(vgic_hw_priority(0xff), 0xe0 - 0x20);
	vgic_hw_priorities(0xff);
	assert_int_equal(vgic_hw_priority(0xff), 0xfe);
}

static void test_hw_spi_clear_latched(void **state)
{
	(void)state;
	bind(46);
	spi_config(46, 0x40, 0);
	dwr(GICD_CTLR, 4, 0); /* Group 1 off: taken, but not loaded */
	el2_takes(46);
	run_here(0);
	vgic_flush(&g, 0);
	assert_int_equal(lrs_live(), 0);

	dwr(GICD_ICACTIVER + 4, 4, BIT(46 - 32));
	assert_false(deactivated(46));
	assert_true(fake_gicd[46].active);
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), BIT(46 - 32));

	dwr(GICD_ICPENDR + 4, 4, BIT(46 - 32));
	assert_true(deactivated(46));
	assert_false(fake_gicd[46].active);
	assert_false(fake_gicd[46].pending);
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), 0);
	dwr(GICD_CTLR, 4, 2);
	vgic_flush(&g, 0);
	assert_int_equal(lrs_live(), 0);
}

/* Taken by EL2 just as the guest disabled it: deactivated at once, not
 * latched (nothing would ever deactivate it) and not delivered later. */
static void test_hw_spi_fired_while_disabled(void **state)
{
	(void)state;
	bind(47);
	spi_config(47, 0x40, 0);
	dwr(GICD_ICENABLER + 4, 4, BIT(47 - 32));
	el2_takes(47);
	assert_true(deactivated(47));
	assert_false(fake_gicd[47].active);
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), 0);
	dwr(GICD_ISENABLER + 4, 4, BIT(47 - 32));
	run_here(0);
	vgic_flush(&g, 0);
	assert_int_equal(lrs_live(), 0);
	/* A device model's line cannot drive it either. */
	vgic_set_line(&g, 47, true);
	vgic_flush(&g, 0);
	assert_int_equal(lrs_live(), 0);
}

/* Nothing the guest does to SPIs it was not given reaches the physical
 * distributor, whatever it writes anywhere; with one SPI bound, only that
 * one is touched. */
static void test_unbound_spis_stay_virtual(void **state)
{
	static const unsigned widths[] = { 4, 1, 8 };
	uint64_t v;
	(void)state;

	for (int round = 0; round < 2; round++) {
		if (round == 1)
			bind(70);
		fake_gicd_reset();
		for (unsigned w = 0; w < ARRAY_SIZE(widths); w++)
			for (uint32_t off = 0; off < VGIC_DIST_SIZE; off += widths[w]) {
				v = 0xffffffffffffffffULL;
				dacc(off, widths[w], true, &v);
				v = 0;
				dacc(off, widths[w], true, &v);
			}
		for (uint32_t id = 32; id < 96; id++) {
			vgic_inject(&g, 0, id);
			vgic_set_line(&g, id, true);
		}
		run_here(0);
		vgic_flush(&g, 0);
		for (uint32_t id = 0; id < VGIC_NR_IRQS; id++)
			if (id != 70 || round == 0)
				assert_int_equal(fake_gicd[id].ops, 0);
		if (round == 0)
			assert_int_equal(fake_gicd_ops, 0);
		else
			assert_true(fake_gicd[70].ops > 0);
		memset(fake_lrs, 0, sizeof(fake_lrs));
		vgic_vcpu_reset(&g, 0);
	}
}

/* Partition stop: the bound SPI physically disabled, not pending, not
 * active, virtually off; after vgic_init and the guest enabling it again
 * it is delivered as before. */
static void test_hw_spi_release_and_restart(void **state)
{
	(void)state;
	bind(40);
	bind(41);
	dwr(GICD_ICFGR + 8, 4, 0xaaaaaaaa & ~(2u << (2 * (41 - 32)))); /* 41 level */
	spi_config(40, 0x30, 1);
	spi_config(41, 0x30, 0);
	el2_takes(40); /* latched for vCPU 1, physically active */
	dwr(GICD_ISPENDR + 4, 4, BIT(41 - 32)); /* physically pending */
	assert_true(fake_gicd[41].pending);

	fake_ndeactivated = 0;
	vgic_release_hw_spis(&g);
	for (uint32_t id = 40; id <= 41; id++) {
		assert_false(fake_gicd[id].enabled);
		assert_false(fake_gicd[id].pending);
		assert_false(fake_gicd[id].active);
		assert_true(deactivated(id));
	}
	assert_int_equal(drd(GICD_ISENABLER + 4, 4), 0);
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), 0);
	/* One more taken by a CPU as the release ran: not latched. */
	el2_takes(40);
	assert_false(fake_gicd[40].active);
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), 0);

	/* Restart: fresh virtual state, bindings kept. */
	vgic_init(&g, 2);
	assert_ptr_equal(vgic_hw_spi_owner(40), &g);
	dwr(GICD_CTLR, 4, 2);
	run_here(1);
	vgic_flush(&g, 1);
	assert_int_equal(lrs_live(), 0);
	spi_config(40, 0x50, 1);
	assert_true(fake_gicd[40].enabled);
	assert_int_equal(fake_gicd[40].pcpu, g.pcpu[1]);
	assert_int_equal(fake_gicd[40].priority, vgic_hw_priority(0x50));
	assert_false(fake_gicd[40].level); /* edge after the reset */
	el2_takes(40);
	vgic_flush(&g, 1);
	int s = lr_of(40);
	assert_true(s >= 0);
	assert_true(fake_lrs[s] & LR_HW);
	assert_int_equal((fake_lrs[s] >> LR_PINTID_SHIFT) & 0x3ff, 40);

	/* 41 stays off until the new guest enables it; enabled without an
	 * ICFGR write it is what the new guest sees, edge, and no longer the
	 * old guest's level; level again when the guest says so. */
	assert_false(fake_gicd[41].enabled);
	assert_true(fake_gicd[41].level);
	dwr(GICD_ISENABLER + 4, 4, BIT(41 - 32));
	assert_false(fake_gicd[41].level);
	assert_int_equal(fake_gicd[41].priority, vgic_hw_priority(0));
	assert_int_equal(fake_gicd_trigger_while_enabled, 0);
	dwr(GICD_ICFGR + 8, 4, 0xaaaaaaaa & ~(2u << (2 * (41 - 32))));
	assert_true(fake_gicd[41].level);
	assert_true(fake_gicd[41].enabled);
}

/* A vCPU reset with a bound SPI in a list register: taken by the guest
 * (active), it is deactivated at the distributor; only pending, it stays
 * physically active and latched, and is loaded again. A partition reset
 * (vgic_init) deactivates it in either state. */
static void test_vcpu_reset_hw_spi(void **state)
{
	(void)state;
	bind(40);
	bind(42);
	spi_config(40, 0x10, 0);
	spi_config(42, 0x20, 0);
	run_here(0);
	el2_takes(40);
	el2_takes(42);
	vgic_flush(&g, 0);
	assert_true(lr_of(40) >= 0);
	assert_true(lr_of(42) >= 0);
	guest_ack(lr_of(40));

	fake_ndeactivated = 0;
	vgic_vcpu_reset(&g, 0);
	assert_true(deactivated(40));
	assert_false(fake_gicd[40].active);
	assert_false(deactivated(42));
	assert_true(fake_gicd[42].active);
	for (unsigned i = 0; i < VGIC_MAX_LRS; i++)
		assert_int_equal(fake_lrs[i], 0);
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), BIT(42 - 32));
	assert_int_equal(drd(GICD_ISACTIVER + 4, 4), 0);

	vgic_flush(&g, 0);
	assert_int_equal(lr_of(40), -1);
	int s = lr_of(42);
	assert_true(s >= 0);
	assert_true(fake_lrs[s] & LR_HW);
	guest_deactivate_hw(s);
	vgic_maintenance(&g, 0);
	assert_int_equal(lrs_live(), 0);
	assert_false(fake_gicd[42].active);

	/* Partition reset with 42 only pending in a list register. */
	el2_takes(42);
	vgic_flush(&g, 0);
	assert_true(lr_of(42) >= 0);
	fake_ndeactivated = 0;
	vgic_release_hw_spis(&g);
	vgic_init(&g, 2);
	assert_true(deactivated(42));
	assert_false(fake_gicd[42].active);
	for (unsigned i = 0; i < VGIC_MAX_LRS; i++)
		assert_int_equal(fake_lrs[i], 0);
	assert_int_equal(drd(GICD_ISPENDR + 4, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_dist_disabled_holds_back, setup),
		cmocka_unit_test_setup(test_vcpu_reset_releases_latched_timer, setup),
		cmocka_unit_test_setup(test_sgi_repended_while_active, setup),
		cmocka_unit_test_setup(test_dist_identification, setup),
		cmocka_unit_test_setup(test_dist_ctlr, setup),
		cmocka_unit_test_setup(test_rdist_typer, setup),
		cmocka_unit_test_setup(test_rdist_waker, setup),
		cmocka_unit_test_setup(test_rdist_beyond_last_frame, setup),
		cmocka_unit_test_setup(test_access_width_rules, setup),
		cmocka_unit_test_setup(test_spi_enable_readback, setup),
		cmocka_unit_test_setup(test_private_bits_in_dist_raz_wi, setup),
		cmocka_unit_test_setup(test_spi_priority_and_pending, setup),
		cmocka_unit_test_setup(test_irouter_routes_spi, setup),
		cmocka_unit_test_setup(test_irouter_outside_partition, setup),
		cmocka_unit_test_setup(test_flush_loads_highest_priority, setup),
		cmocka_unit_test_setup(test_disabled_not_loaded, setup),
		cmocka_unit_test_setup(test_level_spi_resampled, setup),
		cmocka_unit_test_setup(test_level_ack_drops_eoi, setup),
		cmocka_unit_test_setup(test_level_line_low_before_delivery, setup),
		cmocka_unit_test_setup(test_hw_ppi, setup),
		cmocka_unit_test_setup(test_vcpu_reset_deactivates_hw, setup),
		cmocka_unit_test_setup(test_vcpu_reset_releases_spis, setup),
		cmocka_unit_test_setup(test_vgic_init_forgets_lrs, setup),
		cmocka_unit_test_setup(test_sgi_to_one_vcpu, setup),
		cmocka_unit_test_setup(test_sgi_outside_partition, setup),
		cmocka_unit_test_setup(test_sgi_irm, setup),
		cmocka_unit_test_setup(test_hostile_offsets, setup),
		cmocka_unit_test_setup(test_hw_spi_bind, setup),
		cmocka_unit_test_setup(test_hw_spi_fired_hw_lr, setup),
		cmocka_unit_test_setup(test_hw_spi_routed, setup),
		cmocka_unit_test_setup(test_hw_spi_pcpu_after_bind, setup),
		cmocka_unit_test_setup(test_hw_spi_mirrored, setup),
		cmocka_unit_test_setup(test_hw_priority_levels, setup),
		cmocka_unit_test_setup(test_hw_spi_clear_latched, setup),
		cmocka_unit_test_setup(test_hw_spi_fired_while_disabled, setup),
		cmocka_unit_test_setup(test_unbound_spis_stay_virtual, setup),
		cmocka_unit_test_setup(test_hw_spi_release_and_restart, setup),
		cmocka_unit_test_setup(test_vcpu_reset_hw_spi, setup),
	};
	return cmocka_run_group_tests_name("vgic", tests, NULL, NULL);
}
