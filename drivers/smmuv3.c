/* SMMUv3 (Arm IHI 0070), stage 1 only: see include/drivers/smmuv3.h.
 * Linear stream table for the root bus's 256 RIDs, one context descriptor
 * per attached stream, a 256-entry command queue consumed by polling
 * CMDQ_CONS, a 128-entry event queue drained from its interrupt. */
#include <arch/cpu.h>
#include <arch/sysreg.h>
#include <drivers/drivers.h>
#include <drivers/irqchip.h>
#include <drivers/smmuv3.h>
#include <hv/arch.h>
#include <hv/log.h>
#include <platform.h>
#include <string.h>

#define IDR0 0x00
#define IDR5 0x14
#define CR0 0x20
#define CR0ACK 0x24
#define CR1 0x28
#define GBPA 0x44
#define IRQ_CTRL 0x50
#define IRQ_CTRLACK 0x54
#define GERROR 0x60
#define GERRORN 0x64
#define STRTAB_BASE 0x80
#define STRTAB_BASE_CFG 0x88
#define CMDQ_BASE 0x90
#define CMDQ_PROD 0x98
#define CMDQ_CONS 0x9c
#define EVENTQ_BASE 0xa0
#define EVENTQ_PROD 0x100a8
#define EVENTQ_CONS 0x100ac

#define CR0_SMMUEN (1u << 0)
#define CR0_EVENTQEN (1u << 2)
#define CR0_CMDQEN (1u << 3)
/* Queues and tables: inner/outer write-back, inner shareable. */
#define CR1_WB_ISH 0xd75u
#define IRQ_GERROR (1u << 0)
#define IRQ_EVENTQ (1u << 2)
#define IDR0_S1P (1u << 1)
#define IDR0_TTF_AA64 (2u << 2)
#define IDR5_GRAN4K (1u << 4)

#define NSTE 256 /* StreamIDs 0..255: the root bus's (platform_desc checks the board's map) */
#define CMDQ_LOG2 8
#define EVTQ_LOG2 7
#define Q_IDX(v, log2) ((v) & ((1u << (log2)) - 1))
#define Q_WRAP(v, log2) ((v) & (1u << (log2)))

#define CMD_CFGI_STE 0x03
#define CMD_TLBI_NH_ASID 0x11
#define CMD_TLBI_NSNH_ALL 0x30
#define CMD_SYNC 0x46
#define CMD_CFGI_STE_RANGE 0x04

#define STE_V (1ULL << 0)
#define STE_CFG_ABORT (0ULL << 1)
#define STE_CFG_S1 (5ULL << 1)

static uint64_t strtab[NSTE * 8] __attribute__((aligned(NSTE * 64)));
static uint64_t cds[NSTE][8] __attribute__((aligned(64)));
static uint64_t cmdq[(1u << CMDQ_LOG2) * 2] __attribute__((aligned(4096)));
static uint64_t evtq[(1u << EVTQ_LOG2) * 4] __attribute__((aligned(4096)));

static uintptr_t regs;
static uint32_t sid_base;
static bool ready;
static spinlock_t cmd_lock;
static uint8_t owner_of[NSTE]; /* by StreamID: partition index + 1, 0: none */
static uint64_t faults[CONFIG_MAX_PARTITIONS];
static uint64_t other_events;
static uint64_t last_page[CONFIG_MAX_PARTITIONS]; /* of the last fault, per owner */
static unsigned pages_logged; /* new-page lines logged, all owners: at most 32 */

static inline uint32_t rd32(uint32_t off)
{
	return *(volatile uint32_t *)(regs + off);
}

static inline void wr32(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(regs + off) = v;
}

static inline void wr64(uint32_t off, uint64_t v)
{
	*(volatile uint64_t *)(regs + off) = v;
}

static bool wait_ack(uint32_t want)
{
	for (unsigned i = 0; i < 1000000; i++)
		if (rd32(CR0ACK) == want)
			return true;
	return false;
}

/* Queue commands and wait for the SMMU to consume them (lock held). */
static int cmds(const uint64_t (*c)[2], unsigned n)
{
	uint32_t prod = rd32(CMDQ_PROD);

	for (unsigned i = 0; i < n; i++) {
		unsigned at = Q_IDX(prod, CMDQ_LOG2);
		cmdq[2 * at] = c[i][0];
		cmdq[2 * at + 1] = c[i][1];
		prod = (prod + 1) & ((2u << CMDQ_LOG2) - 1);
	}
	dsb(ish);
	wr32(CMDQ_PROD, prod);
	for (unsigned spin = 0; spin < 10000000; spin++) {
		uint32_t cons = rd32(CMDQ_CONS);
		if (((cons >> 24) & 0x7f) && ((rd32(GERROR) ^ rd32(GERRORN)) & 1)) {
			/* The command at CONS was refused: a SYNC in its place,
			 * the error acknowledged, and the queue goes on. */
			unsigned at = Q_IDX(cons, CMDQ_LOG2);
			ERR("smmu: command 0x%llx refused (error %u)", (unsigned long long)(cmdq[2 * at] & 0xff),
			    (cons >> 24) & 0x7f);
			cmdq[2 * at] = CMD_SYNC;
			cmdq[2 * at + 1] = 0;
			dsb(ish);
			wr32(GERRORN, (rd32(GERRORN) & ~1u) | (rd32(GERROR) & 1u));
			return -1;
		}
		if ((cons & ((2u << CMDQ_LOG2) - 1)) == prod)
			return 0;
	}
	ERR("smmu: command queue stuck");
	return -1;
}

static void ste_write(unsigned rid, uint64_t w0, uint64_t w1)
{
	uint64_t *ste = &strtab[rid * 8];

	memset(ste + 1, 0, 7 * sizeof(uint64_t));
	ste[1] = w1;
	dsb(ish);
	ste[0] = w0; /* valid last */
	dsb(ish);
}

/* Drain the event queue: each translation or permission fault is counted
 * for the partition its stream belongs to. */
static void smmu_evtq_irq(void *ctx)
{
	(void)ctx;
	uint32_t prod = rd32(EVENTQ_PROD), cons = rd32(EVENTQ_CONS);

	while ((cons & ((2u << EVTQ_LOG2) - 1)) != (prod & ((2u << EVTQ_LOG2) - 1))) {
		__asm__ volatile("dmb oshld" ::: "memory"); /* PROD before the record */
		const uint64_t *e = &evtq[4 * Q_IDX(cons, EVTQ_LOG2)];
		uint32_t type = (uint32_t)e[0] & 0xff, sid = (uint32_t)(e[0] >> 32);
		uint64_t addr = e[2];
		uint32_t rid = sid - sid_base;
		unsigned owner = sid < NSTE ? owner_of[sid] : 0;
		if (owner && (type == 0x10 || type == 0x13)) {
			uint64_t n = ++faults[owner - 1];
			/* The first few, each new page, then at powers of two. */
			bool new_page = (addr >> 12) != last_page[owner - 1] && pages_logged < 32;
			last_page[owner - 1] = addr >> 12;
			pages_logged += new_page;
			if (n <= 4 || new_page || (n & (n - 1)) == 0)
				WARN("smmu: partition %u: DMA %s by %02x:%02x.%x to 0x%llx refused (%s fault %llu)",
				     owner - 1, (e[1] >> 35) & 1 ? "read" : "write", rid >> 8, (rid >> 3) & 31,
				     rid & 7, (unsigned long long)addr,
				     type == 0x10 ? "translation" : "permission", (unsigned long long)n);
		} else if (++other_events <= 8) {
			WARN("smmu: event 0x%x for stream 0x%x at 0x%llx", type, sid, (unsigned long long)addr);
		}
		cons = (cons + 1) & ((2u << EVTQ_LOG2) - 1);
		wr32(EVENTQ_CONS, cons);
		prod = rd32(EVENTQ_PROD);
	}
}

static void smmu_gerror_irq(void *ctx)
{
	(void)ctx;
	uint32_t g = rd32(GERROR), gn = rd32(GERRORN);

	if (g ^ gn)
		ERR("smmu: global error 0x%x", g ^ gn);
	wr32(GERRORN, g);
}

int smmu_init(const struct pcie_desc *d)
{
	uint32_t idr0, idr5;

	if (!range_within(d->smmu_regs.base, d->smmu_regs.size, PLATFORM_DEVICE_BASE, PLATFORM_DEVICE_SIZE) &&
	    mmu_map_device(d->smmu_regs.base, d->smmu_regs.size))
		return -1;
	regs = (uintptr_t)arch_phys_to_virt(d->smmu_regs.base);
	sid_base = d->sid_base;
	idr0 = rd32(IDR0);
	idr5 = rd32(IDR5);
	if (!(idr0 & IDR0_S1P) || !(idr0 & IDR0_TTF_AA64) || !(idr5 & IDR5_GRAN4K)) {
		ERR("smmu: IDR0 0x%x IDR5 0x%x: no stage 1 with AArch64 4 KiB tables", idr0, idr5);
		return -1;
	}
	if ((rd32(0x04) & 0x3f) < 8) { /* IDR1.SIDSIZE */
		ERR("smmu: fewer than 8 StreamID bits");
		return -1;
	}
	/* While it is off, or if what follows fails: abort, not bypass
	 * (GBPA.ABORT with UPDATE; QEMU 7.2 has no GBPA and aborts nothing
	 * then, so bus mastering stays off on every function until given). */
	wr32(GBPA, (1u << 31) | (1u << 20));
	for (unsigned i = 0; i < 1000000 && (rd32(GBPA) & (1u << 31)); i++)
		;
	wr32(CR0, 0);
	if (!wait_ack(0))
		return -1;
	for (unsigned i = 0; i < NSTE; i++)
		ste_write(i, STE_V | STE_CFG_ABORT, 0);
	wr32(CR1, CR1_WB_ISH);
	wr64(STRTAB_BASE, arch_virt_to_phys(strtab));
	wr32(STRTAB_BASE_CFG, 8); /* linear, 2^8 entries */
	wr64(CMDQ_BASE, arch_virt_to_phys(cmdq) | CMDQ_LOG2);
	wr32(CMDQ_PROD, 0);
	wr32(CMDQ_CONS, 0);
	wr64(EVENTQ_BASE, arch_virt_to_phys(evtq) | EVTQ_LOG2);
	wr32(EVENTQ_PROD, 0);
	wr32(EVENTQ_CONS, 0);
	wr32(CR0, CR0_CMDQEN | CR0_EVENTQEN);
	if (!wait_ack(CR0_CMDQEN | CR0_EVENTQEN))
		return -1;
	{
		const uint64_t c[3][2] = { { CMD_CFGI_STE_RANGE, 31 }, { CMD_TLBI_NSNH_ALL, 0 }, { CMD_SYNC, 0 } };
		spin_lock(&cmd_lock);
		int r = cmds(c, 3);
		spin_unlock(&cmd_lock);
		if (r)
			return -1;
	}
	if (d->smmu_evtq_intid) {
		irqchip->spi_trigger(d->smmu_evtq_intid, false);
		hv_irq_register(d->smmu_evtq_intid, smmu_evtq_irq, NULL);
	}
	if (d->smmu_gerror_intid) {
		irqchip->spi_trigger(d->smmu_gerror_intid, false);
		hv_irq_register(d->smmu_gerror_intid, smmu_gerror_irq, NULL);
	}
	wr32(IRQ_CTRL, IRQ_GERROR | IRQ_EVENTQ);
	for (unsigned i = 0; i < 1000000 && rd32(IRQ_CTRLACK) != (IRQ_GERROR | IRQ_EVENTQ); i++)
		;
	wr32(CR0, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN);
	if (!wait_ack(CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN))
		return -1;
	ready = true;
	INFO("smmu: SMMUv3 at 0x%llx on, every PCIe function's DMA aborted until given",
	     (unsigned long long)d->smmu_regs.base);
	return 0;
}

bool smmu_ready(void)
{
	return ready;
}

int smmu_attach(uint16_t rid, uint16_t asid, paddr_t ttb, unsigned owner)
{
	uint32_t sid = sid_base + rid;
	uint64_t *cd;
	int r;

	if (!ready || sid >= NSTE || owner >= CONFIG_MAX_PARTITIONS)
		return -1;
	cd = cds[sid];
	/* T0SZ 25 (39-bit input), TG0 4 KiB, inner/outer WB, inner
	 * shareable, EPD1 (no TTB1), V; IPS 44 bits, AA64, R (record faults),
	 * A (abort faulting transactions), ASID; TTB0; MAIR attr1 normal WB. */
	cd[0] = 25u | (1u << 8) | (1u << 10) | (3u << 12) | (1u << 30) | (1u << 31) |
		((uint64_t)(4u | (1u << 9) | (1u << 13) | (1u << 14) | ((uint32_t)asid << 16)) << 32);
	cd[1] = ttb & 0x000ffffffffffff0ULL;
	cd[2] = 0;
	cd[3] = 0xff04ULL; /* MAIR: attr0 device nGnRE, attr1 normal WB */
	for (unsigned i = 4; i < 8; i++)
		cd[i] = 0;
	dsb(ish);
	owner_of[sid] = (uint8_t)(owner + 1);
	uint64_t cdp = arch_virt_to_phys(cd);
	/* The CD is fetched write-back, inner shareable, as it was written
	 * (S1CIR, S1COR, S1CSH). */
	ste_write(sid, STE_V | STE_CFG_S1 | (cdp & 0x0000ffffffffffc0ULL), (1u << 2) | (1u << 4) | (3u << 6));
	/* CFGI_STE: SID in bits 63:32; TLBI_NH_ASID: ASID in bits 63:48. */
	const uint64_t c[3][2] = { { CMD_CFGI_STE | (uint64_t)sid << 32, 0 },
				   { CMD_TLBI_NH_ASID | (uint64_t)asid << 48, 0 }, { CMD_SYNC, 0 } };
	spin_lock(&cmd_lock);
	r = cmds(c, 3);
	spin_unlock(&cmd_lock);
	return r;
}

uint64_t smmu_faults(unsigned owner)
{
	return owner < CONFIG_MAX_PARTITIONS ? __atomic_load_n(&faults[owner], __ATOMIC_RELAXED) : 0;
}
