#include <hv/iommu_domain.h>

/* The mappings, in order, are store[0..gs) then store[ge..max): a gap
 * buffer. An insertion or removal moves the gap there first, which costs
 * the entries between where it was and where it goes: Linux maps a
 * buffer's pages at rising addresses, one MAP each, and unmaps them
 * together, so most requests move nothing. */
void iommu_domain_init(struct iommu_domain *d, struct iommu_mapping *storage, unsigned max)
{
	d->store = storage;
	d->max = storage ? max : 0;
	iommu_domain_clear(d);
}

void iommu_domain_clear(struct iommu_domain *d)
{
	d->n = 0;
	d->gs = 0;
	d->ge = d->max;
}

const struct iommu_mapping *iommu_domain_at(const struct iommu_domain *d, unsigned i)
{
	return &d->store[i < d->gs ? i : i + (d->ge - d->gs)];
}

/* The gap at index i (0..n). Entry by entry, each a few word moves (the
 * C library's memmove goes byte by byte; arch/arm64/string.S has only
 * memcpy and memset): the entries below the gap that
 * cross it go from the top down, those above it from the bottom up, so
 * none is overwritten before it has moved. */
static void move_gap(struct iommu_domain *d, unsigned i)
{
	struct iommu_mapping *m = d->store;

	while (d->gs > i)
		m[--d->ge] = m[--d->gs];
	while (d->gs < i)
		m[d->gs++] = m[d->ge++];
}

/* The index of the first mapping that ends at or after iova (n if none):
 * the one holding iova, if any, or where a mapping starting at iova goes. */
static unsigned first_ending_from(const struct iommu_domain *d, uint64_t iova)
{
	unsigned lo = 0, hi = d->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (iommu_domain_at(d, mid)->virt_end < iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct iommu_mapping *iommu_domain_find(const struct iommu_domain *d, uint64_t iova)
{
	unsigned i = first_ending_from(d, iova);

	const struct iommu_mapping *m = i < d->n ? iommu_domain_at(d, i) : NULL;

	return m && m->virt_start <= iova ? m : NULL;
}

int iommu_domain_map(struct iommu_domain *d, uint64_t virt_start, uint64_t virt_end,
		     uint64_t phys_start, uint32_t flags, uint64_t granule, uint32_t supported)
{
	uint64_t mask = granule - 1;
	unsigned i;

	/* Decode first, in the order of the checks' severity: what the
	 * request says, then whether it fits, then whether there is room. */
	if (flags & ~(uint32_t)VIRTIO_IOMMU_MAP_F_MASK)
		return VIRTIO_IOMMU_S_INVAL; /* a flag no version defines */
	if (flags & ~supported)
		return VIRTIO_IOMMU_S_UNSUPP; /* MMIO without F_MMIO */
	if (virt_start > virt_end)
		return VIRTIO_IOMMU_S_INVAL;
	if (granule == 0 || (granule & mask) || (virt_start & mask) || (phys_start & mask) ||
	    ((virt_end + 1) & mask))
		return VIRTIO_IOMMU_S_RANGE;
	if (phys_start + (virt_end - virt_start) < phys_start)
		return VIRTIO_IOMMU_S_RANGE; /* wraps the physical space */
	i = first_ending_from(d, virt_start);
	if (i < d->n && iommu_domain_at(d, i)->virt_start <= virt_end)
		return VIRTIO_IOMMU_S_INVAL; /* overlaps a mapping ([VIRTIO] 5.13.6.6) */
	if (d->n >= d->max)
		return VIRTIO_IOMMU_S_NOMEM;
	move_gap(d, i);
	d->store[d->gs++] = (struct iommu_mapping){ virt_start, virt_end, phys_start, flags };
	d->n++;
	return VIRTIO_IOMMU_S_OK;
}

int iommu_domain_unmap(struct iommu_domain *d, uint64_t virt_start, uint64_t virt_end)
{
	unsigned first, last;

	if (virt_start > virt_end)
		return VIRTIO_IOMMU_S_INVAL;
	first = first_ending_from(d, virt_start);
	/* Past the last mapping that starts inside the range. */
	for (last = first; last < d->n && iommu_domain_at(d, last)->virt_start <= virt_end; last++)
		;
	if (first == last)
		return VIRTIO_IOMMU_S_OK; /* nothing there */
	/* A mapping sticking out at either end would be split: refused,
	 * nothing removed (IOMMU-8). */
	if (iommu_domain_at(d, first)->virt_start < virt_start ||
	    iommu_domain_at(d, last - 1)->virt_end > virt_end)
		return VIRTIO_IOMMU_S_RANGE;
	move_gap(d, first);
	d->ge += last - first;
	d->n -= last - first;
	return VIRTIO_IOMMU_S_OK;
}
