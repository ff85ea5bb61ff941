#include <hv/mmio.h>

/* The bank's registers are sorted by offset and do not overlap (checked by
 * tests/unit/test_mmio.c for every bank): a binary search finds the one
 * holding off. Its words below REG_DIRECT_BYTES remember what the search
 * found (index + 1, 0 for not yet), so a register polled again is one
 * load away; a register that covers its whole word only, so every offset
 * in the word has the same answer. Racing CPUs store the same byte. */
static const struct reg_desc *reg_find(const struct reg_bank *bank, uint32_t off)
{
	size_t lo = 0, hi = bank->nregs;

	if (off < REG_DIRECT_BYTES && bank->direct) {
		uint8_t i = __atomic_load_n(&bank->direct[off / 4], __ATOMIC_RELAXED);
		if (i)
			return &bank->regs[i - 1];
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct reg_desc *r = &bank->regs[mid];
		if (off < r->offset) {
			hi = mid;
		} else if (off - r->offset >= r->len) {
			lo = mid + 1;
		} else {
			uint32_t word = off & ~3u;
			if (off < REG_DIRECT_BYTES && bank->direct && r->offset <= word &&
			    word + 4 <= r->offset + r->len && mid < 255)
				__atomic_store_n(&bank->direct[off / 4], (uint8_t)(mid + 1),
						 __ATOMIC_RELAXED);
			return r;
		}
	}
	return NULL;
}

int reg_bank_access(const struct reg_bank *bank, void *dev, uint32_t off, unsigned width,
		    bool write, uint64_t *val)
{
	const struct reg_desc *r;

	if (width == 0 || width > 8 || (width & (width - 1)) || !IS_ALIGNED(off, width))
		return -1;
	r = reg_find(bank, off);
	if (!r)
		return -1;
	/* A narrower access reads the low part of a register, never the
	 * middle: offsets step by the register's widest access size. */
	uint32_t w = r->widths & 0xf;
	uint32_t elem = r->widths & WSUB ? width : 1u << (31 - __builtin_clz(w));
	if (!(w & width) || ((off - r->offset) & (elem - 1)) || off + width > r->offset + r->len)
		return -1;
	if (write) {
		if (r->write)
			r->write(dev, off, width, *val);
	} else {
		*val = r->read ? r->read(dev, off, width) : 0;
	}
	return 0;
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

int mmio_bus_access(struct mmio_bus *bus, ipa_t ipa, unsigned width, bool write, uint64_t *val)
{
	/* The region the last access hit first: a vCPU polling one device
	 * finds it at once. A stale hint only costs the search. */
	unsigned h = __atomic_load_n(&bus->hint, __ATOMIC_RELAXED);
	const struct mmio_region *r = &bus->r[h < bus->n ? h : 0];

	if (h >= bus->n || ipa - r->base >= r->size) {
		unsigned i;
		for (i = 0; i < bus->n; i++) {
			r = &bus->r[i];
			if (ipa - r->base < r->size)
				break;
		}
		if (i == bus->n)
			return -1;
		__atomic_store_n(&bus->hint, i, __ATOMIC_RELAXED);
	}
	if (ipa - r->base + width > r->size)
		return -1;
	return r->ops->access(r->dev, ipa - r->base, width, write, val);
}
