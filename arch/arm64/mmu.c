/* The hypervisor's EL2 stage-1 map (identity, 39-bit) and the stage-2
 * controls. Hypervisor image: text RX, rodata RO, ro_after_init RW until
 * config is in place then RO, data/bss RW; the rest of RAM RW XN; the MMIO
 * window device memory. */
#include <arch/cpu.h>
#include <arch/sysreg.h>
#include <hv/log.h>
#include <platform.h>

extern char _text[], _etext[], _erodata[], _ro_after_init[], _ero_after_init[], _end[];
static struct page_pool pool;
static struct pgtable s1;

#define VA_BITS 39
#define TCR_T0SZ (64 - VA_BITS)
#define TCR_IRGN_WBWA (1UL << 8)
#define TCR_ORGN_WBWA (1UL << 10)
#define TCR_SH_INNER (3UL << 12)
#define TCR_PS_40 (2UL << 16)
#define TCR_EL2_RES1 ((1UL << 31) | (1UL << 23))
#define MAIR_VALUE 0xff04UL /* attr0 device nGnRE, attr1 normal WB RWA */
#define SCTLR_EL2_RES1 0x30c50830UL
#define SCTLR_M BIT(0)
#define SCTLR_C BIT(2)
#define SCTLR_SA BIT(3)
#define SCTLR_I BIT(12)

#define VTCR_SL0_L1 (1UL << 6)
#define VTCR_RES1 (1UL << 31)

struct page_pool *mmu_pool(void)
{
	return &pool;
}

static void map(uint64_t start, uint64_t end, uint64_t attrs, bool blocks)
{
	if (pgtable_map(&s1, start, start, end - start, attrs, blocks))
		PANIC("stage-1 map 0x%llx failed", (unsigned long long)start);
}

void mmu_build(void)
{
	/* Table pages come from the top of the hypervisor's memory. */
	paddr_t top = CONFIG_HV_MEM_BASE + CONFIG_HV_MEM_SIZE;
	paddr_t base = top - CONFIG_PGTABLE_POOL_PAGES * PAGE_SIZE;

	CHECK(base >= (paddr_t)_end);
	page_pool_init(&pool, base, CONFIG_PGTABLE_POOL_PAGES);
	CHECK(pgtable_init(&s1, &pool, VA_BITS) == 0);
	map(PLATFORM_DEVICE_BASE, PLATFORM_DEVICE_BASE + PLATFORM_DEVICE_SIZE, S1_DEVICE | S1_AP_RW,
	    true);
	map(CONFIG_RAM_BASE, CONFIG_RAM_BASE + CONFIG_RAM_SIZE, S1_NORMAL | S1_AP_RW | S1_XN, true);
	/* Text and rodata in 4 KiB pages with their own permissions, and
	 * .ro_after_init in 4 KiB pages too, so mmu_protect_ro_after_init()
	 * changes it without break-before-make. Data, .bss and .noinit (about
	 * 2 MB, ~450 pages) are normal RW XN memory like the rest of RAM: the
	 * RAM mapping above (split where the pages above needed it) already
	 * maps them so. */
	map((uint64_t)_text, (uint64_t)_etext, S1_NORMAL | S1_AP_RO, false);
	map((uint64_t)_etext, (uint64_t)_erodata, S1_NORMAL | S1_AP_RO | S1_XN, false);
	map((uint64_t)_ro_after_init, (uint64_t)_ero_after_init, S1_NORMAL | S1_AP_RW | S1_XN, false);
}

void mmu_enable(void)
{
	write_sysreg(mair_el2, MAIR_VALUE);
	write_sysreg(tcr_el2, TCR_EL2_RES1 | TCR_PS_40 | TCR_SH_INNER | TCR_ORGN_WBWA |
				      TCR_IRGN_WBWA | TCR_T0SZ);
	write_sysreg(ttbr0_el2, s1.root);
	isb();
	__asm__ volatile("tlbi alle2" ::: "memory");
	dsb(nsh);
	isb();
	write_sysreg(sctlr_el2, SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I);
	isb();
}

void mmu_protect_ro_after_init(void)
{
	map((uint64_t)_ro_after_init, (uint64_t)_ero_after_init, S1_NORMAL | S1_AP_RO | S1_XN, false);
	dsb(ishst);
	__asm__ volatile("tlbi alle2is" ::: "memory");
	dsb(ish);
	isb();
}

/* A device window found in the board's tree (the PCIe configuration
 * space): mapped at boot on CPU 0, where nothing was mapped before. */
int mmu_map_device(paddr_t base, uint64_t size)
{
	if (pgtable_map(&s1, base, base, size, S1_DEVICE | S1_AP_RW, true))
		return -1;
	dsb(ishst);
	__asm__ volatile("tlbi alle2is" ::: "memory");
	dsb(ish);
	isb();
	return 0;
}

void stage2_activate(const struct partition *p)
{
	write_sysreg(vtcr_el2, VTCR_RES1 | TCR_PS_40 | TCR_SH_INNER | TCR_ORGN_WBWA | TCR_IRGN_WBWA |
				       VTCR_SL0_L1 | TCR_T0SZ);
	write_sysreg(vttbr_el2, ((uint64_t)p->vmid << 48) | p->s2.root);
	isb();
	__asm__ volatile("tlbi vmalls12e1" ::: "memory");
	dsb(nsh);
	isb();
}
