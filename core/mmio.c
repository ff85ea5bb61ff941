#include <hv/mmio.h>

/* The full check of an access of width bytes at off against register r:
 * a power-of-two width the register allows, naturally aligned, inside the
 * register; a narrower access reads the low part of a register, never the
 * middle (offsets step by the register's widest access size), unless the
 * register allows any naturally aligned part (WSUB). */
static bool reg_allows(const struct reg_desc *r, uint32_t off, unsigned width)
{
	uint32_t w = r->widths & 0xf;
	uint32_t elem;

	if (width == 0 || width > 8 || (width & (width - 1)) || !IS_ALIGNED(off, width))
		return false;
	if (off < r->offset || off - r->offset >= r->len || !(w & width))
		return false;
	elem = r->widths & WSUB ? width : 1u << (31 - __builtin_clz(w));
	return !((off - r->offset) & (elem - 1)) && (uint64_t)off + width <= (uint64_t)r->offset + r->len;
}

/* The bank's registers are sorted by offset and do not overlap (checked by
 * tests/unit/test_mmio.c for every bank): a binary search finds the one
 * holding off. */
static const struct reg_desc *reg_find(const struct reg_bank *bank, uint32_t off)
{
	size_t lo = 0, hi = bank->nregs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct reg_desc *r = &bank->regs[mid];
		if (off < r->offset)
			hi = mid;
		else if (off - r->offset >= r->len)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

const struct reg_desc *reg_bank_search(const struct reg_bank *bank, uint32_t off, unsigned width)
{
	const struct reg_desc *r = reg_find(bank, off);

	return r && reg_allows(r, off, width) ? r : NULL;
}

bool reg_bank_sorted(const struct reg_bank *bank)
{
	for (size_t i = 0; i < bank->nregs; i++) {
		const struct reg_desc *r = &bank->regs[i];
		if (r->len == 0 || r->offset + r->len < r->offset)
			return false;
		if (i && bank->regs[i - 1].offset + bank->regs[i - 1].len > r->offset)
			return false;
	}
	return true;
}

/* The lock a device wants held around register r's function. */
static spinlock_t *reg_lock(const struct mmio_device_ops *ops, void *dev,
			    const struct reg_desc *r, bool write)
{
	if (!ops->locked || (!write && (r->widths & RCONST)))
		return NULL;
	return (spinlock_t *)((char *)dev + ops->lock_offset);
}

int mmio_device_access(const struct mmio_device_ops *ops, void *dev, uint64_t off, unsigned width,
		       bool write, uint64_t *val)
{
	const struct reg_desc *r;
	spinlock_t *l;

	if (!ops->bank)
		return ops->access(dev, off, width, write, val);
	if (off > UINT32_MAX || !(r = reg_bank_search(ops->bank, (uint32_t)off, width)))
		return -1;
	l = reg_lock(ops, dev, r, write);
	if (l)
		spin_lock(l);
	reg_desc_access(r, dev, (uint32_t)off, width, write, val);
	if (l)
		spin_unlock(l);
	return 0;
}

int mmio_bus_add(struct mmio_bus *bus, ipa_t base, uint64_t size,
		 const struct mmio_device_ops *ops, void *dev)
{
	if (bus->n >= MAX_MMIO_REGIONS || size == 0 || base + size < base)
		return -1;
	for (unsigned i = 0; i < bus->n; i++)
		if (range_overlaps(base, size, bus->r[i].base, bus->r[i].size))
			return -1;
	bus->r[bus->n++] = (struct mmio_region){ base, size, ops, dev };
	return 0;
}

/* The region holding ipa, the region last hit tried first (a vCPU polling
 * one device finds it at once; a stale hint only costs the search). */
static const struct mmio_region *bus_find(struct mmio_bus *bus, ipa_t ipa)
{
	unsigned h = __atomic_load_n(&bus->hint, __ATOMIC_RELAXED);

	if (h < bus->n && ipa - bus->r[h].base < bus->r[h].size)
		return &bus->r[h];
	for (unsigned i = 0; i < bus->n; i++) {
		if (ipa - bus->r[i].base < bus->r[i].size) {
			__atomic_store_n(&bus->hint, i, __ATOMIC_RELAXED);
			return &bus->r[i];
		}
	}
	return NULL;
}

int mmio_bus_access(struct mmio_bus *bus, ipa_t ipa, unsigned width, bool write, uint64_t *val)
{
	const struct mmio_region *r = bus_find(bus, ipa);

	if (!r || r->size - (ipa - r->base) < width)
		return -1;
	return mmio_device_access(r->ops, r->dev, ipa - r->base, width, write, val);
}

void mmio_cache_clear(struct mmio_cache *c)
{
	*c = (struct mmio_cache){ 0 };
}

static uint64_t reads_zero(void *dev, uint32_t off, unsigned width)
{
	(void)dev;
	(void)off;
	(void)width;
	return 0;
}

static void ignores_write(void *dev, uint32_t off, unsigned width, uint64_t val)
{
	(void)dev;
	(void)off;
	(void)width;
	(void)val;
}

int mmio_cache_miss(struct mmio_cache *c, struct mmio_bus *bus, ipa_t ipa, unsigned width,
		    bool write, uint64_t *val)
{
	const struct mmio_region *reg = bus_find(bus, ipa);
	const struct reg_desc *r;
	uint64_t off;

	if (!reg || reg->size - (ipa - reg->base) < width)
		return -1;
	off = ipa - reg->base;
	/* Remembered: a valid access at the first byte of a word of a bank
	 * that one register covers whole (the same access there always has
	 * the same answer). */
	if (reg->ops->bank && IS_ALIGNED(ipa, 4) && off <= UINT32_MAX - 8 &&
	    (r = reg_bank_search(reg->ops->bank, (uint32_t)off, width)) && r->offset <= off &&
	    off + 4 <= (uint64_t)r->offset + r->len)
		*mmio_cache_slot(c, ipa) = (struct mmio_cache_entry){
			.key = mmio_cache_key(ipa, (unsigned)__builtin_ctz(width)),
			.dev = reg->dev, .off = (uint32_t)off,
			.read = r->read ? r->read : reads_zero,
			.write = r->write ? r->write : ignores_write,
			.read_lock = reg_lock(reg->ops, reg->dev, r, false),
			.write_lock = reg_lock(reg->ops, reg->dev, r, true),
		};
	return mmio_device_access(reg->ops, reg->dev, off, width, write, val);
}

uint64_t mmio_cache_read_locked(const struct mmio_cache_entry *e, unsigned width)
{
	uint64_t v;

	spin_lock(e->read_lock);
	v = e->read(e->dev, e->off, width);
	spin_unlock(e->read_lock);
	return v;
}

void mmio_cache_write_locked(const struct mmio_cache_entry *e, unsigned width, uint64_t val)
{
	spin_lock(e->write_lock);
	e->write(e->dev, e->off, width, val);
	spin_unlock(e->write_lock);
}
