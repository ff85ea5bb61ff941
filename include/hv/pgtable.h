/* VMSAv8-64 translation tables, 4 KiB granule, shared by the hypervisor's
 * stage-1 tables and every partition's stage-2 tables: the structure is the
 * same, only leaf attributes differ (the caller passes them).
 * Lock order: callers serialise; tables are built at boot on CPU 0. */
#ifndef HV_PGTABLE_H
#define HV_PGTABLE_H

#include <hv/types.h>

#define PTE_VALID BIT(0)
#define PTE_TABLE BIT(1) /* at levels 0-2: table; at level 3: page */
#define PTE_AF BIT(10)
#define PTE_NG BIT(11) /* stage 1: not global (tagged by ASID) */
#define PTE_SH_INNER (3ULL << 8)
#define PTE_ADDR_MASK 0x0000fffffffff000ULL
#define PTE_ATTR_MASK (~PTE_ADDR_MASK & ~3ULL)

/* Stage-1 (EL2, non-VHE) leaf attributes. MAIR_EL2 index 0: device nGnRE,
 * 1: normal write-back. */
#define S1_ATTR_IDX(i) ((uint64_t)(i) << 2)
#define S1_AP_RW (1ULL << 6) /* AP[1] is RES1 at EL2 */
#define S1_AP_RO (3ULL << 6)
#define S1_XN BIT(54)
#define S1_NORMAL (S1_ATTR_IDX(1) | PTE_SH_INNER | PTE_AF)
#define S1_DEVICE (S1_ATTR_IDX(0) | PTE_AF | S1_XN)

/* Stage-2 leaf attributes. */
#define S2_MEMATTR_NORMAL (0xfULL << 2)
#define S2_MEMATTR_DEVICE (0x1ULL << 2)
#define S2_AP_R (1ULL << 6)
#define S2_AP_W (2ULL << 6)
#define S2_AP_RW (3ULL << 6)
#define S2_XN (2ULL << 53)
#define S2_NORMAL_RWX (S2_MEMATTR_NORMAL | S2_AP_RW | PTE_SH_INNER | PTE_AF)
#define S2_DEVICE_RW (S2_MEMATTR_DEVICE | S2_AP_RW | PTE_AF | S2_XN)

/* A source of zeroed, page-aligned table pages. */
struct page_pool {
	paddr_t base;
	size_t npages;
	size_t next;
};

struct pgtable {
	paddr_t root;
	unsigned start_level; /* 1 for a 39-bit space */
	unsigned va_bits;
	struct page_pool *pool;
};

void page_pool_init(struct page_pool *pool, paddr_t base, size_t npages);
/* Returns 0 when the pool is exhausted. */
paddr_t page_pool_alloc(struct page_pool *pool);

int pgtable_init(struct pgtable *pt, struct page_pool *pool, unsigned va_bits);
/* Map [va, va+size) to [pa, ...) with leaf attributes attrs, using blocks
 * where alignment allows (blocks=true) or 4 KiB pages only. Existing leaves
 * are replaced, blocks split as needed. Returns 0, or -1 when out of table
 * pages or the range is not page aligned / outside va_bits. */
int pgtable_map(struct pgtable *pt, uint64_t va, paddr_t pa, uint64_t size, uint64_t attrs,
		bool blocks);
/* Walk: true, with *pa and *attrs filled, when va is mapped. */
bool pgtable_lookup(const struct pgtable *pt, uint64_t va, paddr_t *pa, uint64_t *attrs);

#endif
