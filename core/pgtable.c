/* Translation table construction and lookup (see include/hv/pgtable.h). */
#include <hv/arch.h>
#include <hv/pgtable.h>

void page_pool_init(struct page_pool *pool, paddr_t base, size_t npages)
{
	pool->base = base;
	pool->npages = npages;
	pool->next = 0;
}

paddr_t page_pool_alloc(struct page_pool *pool)
{
	paddr_t pa;

	if (pool->next >= pool->npages)
		return 0;
	pa = pool->base + pool->next++ * PAGE_SIZE;
	/* Plain aligned stores, not memset: the first tables are built with the
	 * MMU off, where memset's DC ZVA and unaligned stores would fault.
	 * Eight a step: the loop's own instructions were half the cost. */
	volatile uint64_t *p = arch_phys_to_virt(pa);
	for (size_t i = 0; i < PAGE_SIZE / 8; i += 8) {
		p[i] = 0;
		p[i + 1] = 0;
		p[i + 2] = 0;
		p[i + 3] = 0;
		p[i + 4] = 0;
		p[i + 5] = 0;
		p[i + 6] = 0;
		p[i + 7] = 0;
	}
	return pa;
}

static inline unsigned level_shift(unsigned level)
{
	return PAGE_SHIFT + 9 * (3 - level);
}

static inline uint64_t *table_of(paddr_t pa)
{
	return arch_phys_to_virt(pa);
}

int pgtable_init(struct pgtable *pt, struct page_pool *pool, unsigned va_bits)
{
	if (va_bits < 31 || va_bits > 48)
		return -1;
	pt->pool = pool;
	pt->va_bits = va_bits;
	/* The start level is the one whose table covers va_bits with at most
	 * 512 entries (no concatenated tables). */
	pt->start_level = va_bits > 39 ? 0 : va_bits > 30 ? 1 : 2;
	pt->root = page_pool_alloc(pool);
	return pt->root ? 0 : -1;
}

/* Replace a block at `level` by a table of the next level with the same
 * mapping, so part of it can be changed. */
static int split_block(struct pgtable *pt, uint64_t *entry, unsigned level)
{
	paddr_t t = page_pool_alloc(pt->pool);
	uint64_t old = *entry, *tab;
	uint64_t step = 1ULL << level_shift(level + 1);

	if (!t)
		return -1;
	tab = table_of(t);
	for (unsigned i = 0; i < 512; i++)
		tab[i] = ((old & PTE_ADDR_MASK) + i * step) | (old & PTE_ATTR_MASK) | PTE_VALID |
			 (level + 1 == 3 ? PTE_TABLE : 0);
	*entry = t | PTE_TABLE | PTE_VALID;
	return 0;
}

static int map_level(struct pgtable *pt, paddr_t table, unsigned level, uint64_t va, paddr_t pa,
		     uint64_t size, uint64_t attrs, bool blocks)
{
	uint64_t *tab = table_of(table);
	unsigned shift = level_shift(level);
	uint64_t blk = 1ULL << shift;

	while (size) {
		unsigned idx = (va >> shift) & 511;
		uint64_t end = (va & ~(blk - 1)) + blk;
		uint64_t chunk = end - va < size ? end - va : size;
		uint64_t *e = &tab[idx];

		if (level == 3) {
			*e = (pa & PTE_ADDR_MASK) | attrs | PTE_TABLE | PTE_VALID;
		} else if (blocks && level >= 1 && chunk == blk && IS_ALIGNED(pa, blk)) {
			/* Whole block: drop any finer table (its pages leak to the
			 * pool; tables are built once at boot). */
			*e = (pa & PTE_ADDR_MASK) | attrs | PTE_VALID;
		} else {
			if (!(*e & PTE_VALID)) {
				paddr_t t = page_pool_alloc(pt->pool);
				if (!t)
					return -1;
				*e = t | PTE_TABLE | PTE_VALID;
			} else if (!(*e & PTE_TABLE)) {
				if (split_block(pt, e, level))
					return -1;
			}
			if (map_level(pt, *e & PTE_ADDR_MASK, level + 1, va, pa, chunk, attrs, blocks))
				return -1;
		}
		va += chunk;
		pa += chunk;
		size -= chunk;
	}
	return 0;
}

int pgtable_map(struct pgtable *pt, uint64_t va, paddr_t pa, uint64_t size, uint64_t attrs,
		bool blocks)
{
	if (!IS_ALIGNED(va | pa | size, PAGE_SIZE) || va + size < va ||
	    (pt->va_bits < 64 && va + size > (1ULL << pt->va_bits)))
		return -1;
	attrs &= PTE_ATTR_MASK & ~(PTE_VALID | PTE_TABLE);
	return map_level(pt, pt->root, pt->start_level, va, pa, size, attrs, blocks);
}

bool pgtable_lookup(const struct pgtable *pt, uint64_t va, paddr_t *pa, uint64_t *attrs)
{
	paddr_t table = pt->root;

	if (pt->va_bits < 64 && va >= (1ULL << pt->va_bits))
		return false;
	for (unsigned level = pt->start_level; level <= 3; level++) {
		unsigned shift = level_shift(level);
		uint64_t e = table_of(table)[(va >> shift) & 511];

		if (!(e & PTE_VALID))
			return false;
		if (level == 3 || !(e & PTE_TABLE)) {
			if (level == 3 && !(e & PTE_TABLE))
				return false; /* reserved encoding */
			if (pa)
				*pa = (e & PTE_ADDR_MASK & ~((1ULL << shift) - 1)) |
				      (va & ((1ULL << shift) - 1));
			if (attrs)
				*attrs = e & PTE_ATTR_MASK;
			return true;
		}
		table = e & PTE_ADDR_MASK;
	}
	return false;
}
