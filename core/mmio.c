#include <hv/mmio.h>

int reg_bank_access(const struct reg_bank *bank, void *dev, uint32_t off, unsigned width,
		    bool write, uint64_t *val)
{
	if (width == 0 || width > 8 || (width & (width - 1)) || !IS_ALIGNED(off, width))
		return -1;
	for (size_t i = 0; i < bank->nregs; i++) {
		const struct reg_desc *r = &bank->regs[i];
		if (off < r->offset || off - r->offset >= r->len)
			continue;
		/* A narrower access reads the low part of a register, never the
		 * middle: offsets step by the register's widest access size. */
		uint32_t w = r->widths & 0xf;
		uint32_t elem = r->widths & WSUB ? width : 1u << (31 - __builtin_clz(w));
		if (!(w & width) || (off - r->offset) % elem ||
		    off + width > r->offset + r->len)
			return -1;
		if (write) {
			if (r->write)
				r->write(dev, off, width, *val);
		} else {
			*val = r->read ? r->read(dev, off, width) : 0;
		}
		return 0;
	}
	return -1;
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

int mmio_bus_access(const struct mmio_bus *bus, ipa_t ipa, unsigned width, bool write,
		    uint64_t *val)
{
	for (unsigned i = 0; i < bus->n; i++) {
		const struct mmio_region *r = &bus->r[i];
		if (ipa >= r->base && ipa - r->base < r->size) {
			if (ipa - r->base + width > r->size)
				return -1;
			return r->ops->access(r->dev, ipa - r->base, width, write, val);
		}
	}
	return -1;
}
