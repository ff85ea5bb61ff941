/* virtio-iommu domains ([VIRTIO] 5.13): a domain is an I/O address space,
 * a set of mappings [virt_start, virt_end] -> phys_start with access
 * flags, that endpoints attached to it see. This is the mapping logic
 * alone, with no device around it: MAP and UNMAP with every check of
 * IOMMU-7 and IOMMU-8 that depends on the domain's contents, and the
 * lookup a translation needs. Which domain a request names, whether it
 * exists (S_NOENT) and the device's input range (S_RANGE, IOMMU-4) are
 * the device's checks, made before these.
 *
 * The mappings are kept sorted by virt_start and disjoint, in storage the
 * owner gives (CONFIG_VIOMMU_MAPPINGS bounds how many a domain may hold),
 * so a lookup is a binary search and nothing is allocated; a MAP or UNMAP
 * moves the entries between the last change and this one (a gap buffer). */
#ifndef HV_IOMMU_DOMAIN_H
#define HV_IOMMU_DOMAIN_H

#include <hv/types.h>

/* Request status values ([VIRTIO] 5.13.6.2). */
#define VIRTIO_IOMMU_S_OK 0
#define VIRTIO_IOMMU_S_IOERR 1
#define VIRTIO_IOMMU_S_UNSUPP 2
#define VIRTIO_IOMMU_S_DEVERR 3
#define VIRTIO_IOMMU_S_INVAL 4
#define VIRTIO_IOMMU_S_RANGE 5
#define VIRTIO_IOMMU_S_NOENT 6
#define VIRTIO_IOMMU_S_FAULT 7
#define VIRTIO_IOMMU_S_NOMEM 8

/* MAP flags ([VIRTIO] 5.13.6.6). */
#define VIRTIO_IOMMU_MAP_F_READ BIT(0)
#define VIRTIO_IOMMU_MAP_F_WRITE BIT(1)
#define VIRTIO_IOMMU_MAP_F_MMIO BIT(2)
#define VIRTIO_IOMMU_MAP_F_MASK (VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE | \
				 VIRTIO_IOMMU_MAP_F_MMIO)

struct iommu_mapping {
	uint64_t virt_start, virt_end; /* inclusive */
	uint64_t phys_start;           /* the partition's IPA */
	uint32_t flags;                /* VIRTIO_IOMMU_MAP_F_* */
};

struct iommu_domain {
	unsigned n, max;
	/* The n mappings, sorted and disjoint: store[0..gs), then
	 * store[ge..max) (iommu_domain_at). */
	unsigned gs, ge;
	struct iommu_mapping *store; /* room for max */
};

/* An empty domain over storage for max mappings. */
void iommu_domain_init(struct iommu_domain *d, struct iommu_mapping *storage, unsigned max);

/* MAP: a VIRTIO_IOMMU_S_* status; nothing changes unless S_OK.
 * granule is the page granularity offered (a power of two); supported
 * the flags the device accepts (a recognised flag outside it is
 * S_UNSUPP, an unknown one S_INVAL). */
int iommu_domain_map(struct iommu_domain *d, uint64_t virt_start, uint64_t virt_end,
		     uint64_t phys_start, uint32_t flags, uint64_t granule, uint32_t supported);

/* UNMAP: removes every mapping inside [virt_start, virt_end] and returns
 * S_OK (also when there was none); S_RANGE, removing nothing, when the
 * range would split a mapping; S_INVAL when virt_start > virt_end. */
int iommu_domain_unmap(struct iommu_domain *d, uint64_t virt_start, uint64_t virt_end);

/* The i-th mapping in address order (i < n). */
const struct iommu_mapping *iommu_domain_at(const struct iommu_domain *d, unsigned i);

/* The mapping holding iova, or NULL. */
const struct iommu_mapping *iommu_domain_find(const struct iommu_domain *d, uint64_t iova);

/* Remove every mapping (the domain is destroyed or its last endpoint has
 * gone). */
void iommu_domain_clear(struct iommu_domain *d);

#endif
