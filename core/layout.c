/* The guest-layout allocator: see include/hv/layout.h. */
#include <hv/layout.h>

static int add(struct guest_layout *l, ipa_t base, uint64_t size, uint32_t intid, uint8_t kind,
	       unsigned dev)
{
	if (l->n >= LAYOUT_MAX_REGIONS)
		return -3;
	if (size == 0 || base + size < base)
		return -1;
	for (unsigned i = 0; i < l->n; i++) {
		if (range_overlaps(base, size, l->r[i].base, l->r[i].size))
			return -1;
		if (intid && l->r[i].intid == intid)
			return -2;
	}
	for (unsigned i = 0; i < l->nirq; i++)
		if (intid && l->irq[i] == intid)
			return -2;
	if (intid && (intid < GUEST_INTID_MIN || intid >= GUEST_INTID_END))
		return -2;
	l->r[l->n] = (struct layout_region){ base, size, intid, kind,
					     (uint8_t)(dev < LAYOUT_NO_DEV ? dev : LAYOUT_NO_DEV) };
	return (int)l->n++;
}

void layout_init(struct guest_layout *l, unsigned nvcpus, unsigned gic_version)
{
	*l = (struct guest_layout){ 0 };
	add(l, GUEST_GICD_IPA, GUEST_GICD_SIZE, 0, REGION_GICD, LAYOUT_NO_DEV);
	if (gic_version == 2)
		add(l, GUEST_GICC_IPA, GUEST_GICC_SIZE, 0, REGION_GICC, LAYOUT_NO_DEV);
	else
		add(l, GUEST_GICR_IPA, (uint64_t)nvcpus * GUEST_GICR_STRIDE, 0, REGION_GICR,
		    LAYOUT_NO_DEV);
}

/* Slots are handed out in order; one taken by a fixed window is skipped. */
int layout_add_virtio(struct guest_layout *l, unsigned dev, uint64_t size)
{
	while (l->virtio_used < GUEST_VIRTIO_SLOTS) {
		unsigned s = l->virtio_used++;
		int r = add(l, GUEST_VIRTIO_IPA(s), size ? size : GUEST_VIRTIO_STRIDE,
			    GUEST_VIRTIO_INTID(s), REGION_DEVICE, dev);
		if (r >= 0 || r == -3)
			return r >= 0 ? r : -1;
	}
	return -1;
}

int layout_add_fixed(struct guest_layout *l, unsigned dev, ipa_t base, uint64_t size,
		     uint32_t intid)
{
	return add(l, base, size, intid, REGION_DEVICE, dev);
}

int layout_add_passthrough(struct guest_layout *l, ipa_t base, uint64_t size)
{
	return add(l, base, size, 0, REGION_PASSTHROUGH, LAYOUT_NO_DEV);
}

int layout_add_pci_ecam(struct guest_layout *l)
{
	return add(l, GUEST_PCI_ECAM_IPA, GUEST_PCI_ECAM_SIZE, 0, REGION_PCI_ECAM, LAYOUT_NO_DEV);
}

int layout_add_irq(struct guest_layout *l, uint32_t intid)
{
	if (intid < GUEST_INTID_MIN || intid >= GUEST_INTID_END)
		return -2;
	for (unsigned i = 0; i < l->n; i++)
		if (l->r[i].intid == intid)
			return -2;
	for (unsigned i = 0; i < l->nirq; i++)
		if (l->irq[i] == intid)
			return -2;
	if (l->nirq >= LAYOUT_MAX_IRQS)
		return -3;
	l->irq[l->nirq++] = intid;
	return 0;
}

const char *layout_what(const struct guest_layout *l, ipa_t base, uint64_t size)
{
	static const char *const what[] = { "the GIC distributor", "the GIC redistributors",
					    "an emulated device's window",
					    "another passed-through window", "the GIC CPU interface",
					    "the PCIe configuration space" };
	for (unsigned i = 0; i < l->n; i++)
		if (range_overlaps(base, size, l->r[i].base, l->r[i].size))
			return what[l->r[i].kind < 6 ? l->r[i].kind : 2];
	return "nothing";
}
