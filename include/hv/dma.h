/* DMA address spaces: the only way a virtual device reaches guest memory.
 * Each device has its own space. Today it is an identity window on the
 * partition's RAM (IOVA == IPA, up to DMA_MAX_RANGES ranges, each with the
 * hypervisor's pointer to it and the directions the device may use); later
 * a virtio-iommu domain can sit behind the same calls (dom), with
 * page-granular mappings and permissions.
 *
 * A translation is a host pointer, valid while the space does not change.
 * Every change bumps gen: whoever caches a translation (the virtqueue's
 * ring pointers) keeps the gen it was made under and translates again when
 * it differs. Whoever keeps a translation past the section that made it (a
 * virtio-blk request at its backend) holds a pin; a change of the window is
 * refused while any pin is held, so requests in flight never see their
 * buffers unmapped. A change of the view (a virtio-iommu's ATTACH, DETACH,
 * UNMAP) takes effect at once for new translations, and its owner waits with
 * a fence (dma_fence_*) until every translation made before it is unpinned
 * before it tells its driver the change is complete.
 *
 * A translation that fails while an IOMMU decides (DMA_VIEW_NONE or
 * DMA_VIEW_DOMAIN) is reported through the space's fault hook, so the
 * IOMMU can tell its driver (a fault report on its event queue).
 *
 * Locking: the space is translated and changed under its owner's lock (for
 * a virtio device, virtio_dev.lock); pins are atomic, and may be dropped
 * without that lock. No lock of its own. */
#ifndef HV_DMA_H
#define HV_DMA_H

#include <generated/autoconf.h>
#include <hv/types.h>

/* Direction of an access, from the device's side; also the permission bits
 * of a mapping. */
enum dma_dir {
	DMA_TO_DEV = 1,   /* the device reads guest memory */
	DMA_FROM_DEV = 2, /* the device writes guest memory */
	DMA_BIDIR = 3,
};

/* Errors of dma_map() and dma_space_update(). */
#define DMA_EFAULT (-1) /* a byte unmapped, or the direction not permitted */
#define DMA_ESEGS (-2)  /* needs more segments than the caller has room for */
#define DMA_EBUSY (-3)  /* pinned: translations are in use; try again later */
#define DMA_EINVAL (-4) /* ranges empty, wrapping, overlapping or too many */
#define DMA_EDENIED (-5) /* the IOMMU refused it: unmapped there or without
			  * the permission (a fault report is on its way) */

/* A partition's RAM ranges, all of them. */
#define DMA_MAX_RANGES CONFIG_MAX_MEM_RANGES

/* One piece of a translated buffer: contiguous host memory. */
struct dma_seg {
	uint8_t *p;
	uint32_t len;
};

/* A window: [iova, iova + size) is host memory at host, with permissions
 * perm (enum dma_dir bits). */
struct dma_range {
	uint64_t iova, size;
	uint8_t *host;
	uint32_t perm;
};

struct iommu_domain; /* hv/iommu_domain.h */

/* How a device reaches memory (a virtio-iommu endpoint's reach). */
enum dma_view {
	DMA_VIEW_ALL,    /* the identity window (no IOMMU, or bypass) */
	DMA_VIEW_NONE,   /* nothing (an endpoint not attached, no bypass) */
	DMA_VIEW_DOMAIN, /* through a virtio-iommu domain's mappings */
};

struct dma_space {
	/* The identity window r[0..nwin): sorted, disjoint, none ending at
	 * 2^64. n is nwin when the window is the mapping (DMA_VIEW_ALL), else
	 * 0, so the inline path finds nothing and dma_map_slow decides. */
	unsigned n, nwin;
	struct dma_range r[DMA_MAX_RANGES];
	enum dma_view view;
	/* DMA_VIEW_DOMAIN: the domain whose mappings (IOVA -> IPA, with
	 * READ/WRITE permissions) translate, into the window, which bounds
	 * what a mapping may point at. */
	const struct iommu_domain *dom;
	uint32_t gen;  /* bumped on every change of the mapping */
	uint32_t pins; /* atomic: translations in use past their section */
	/* The pins by the epoch they were taken in (epoch & 1); a fence flips
	 * the epoch and waits for the other one to empty. */
	uint32_t epoch_pins[2];
	uint32_t epoch;
	/* The IOMMU's hooks (NULL without one): a failed translation of
	 * endpoint ep; an epoch's pins have all gone while a fence waits
	 * (fence_wait set). Both may be called with the owner's lock held, on
	 * any CPU: they take no lock but their own leaf locks. */
	void (*fault)(void *ctx, uint32_t ep, uint64_t iova, enum dma_dir dir);
	void (*drained)(void *ctx);
	void *hook_ctx;
	uint32_t ep;
	bool fence_wait;
};

/* A space with the given ranges (copied; ranges adjacent in IOVA and in
 * host memory with the same permissions are merged). 0, or DMA_EINVAL
 * (space left empty). */
int dma_space_init(struct dma_space *s, const struct dma_range *r, unsigned n);

/* Replace the window by the given ranges and bump gen: 0, DMA_EBUSY while
 * pinned (nothing changed), or DMA_EINVAL. The view stays. */
int dma_space_update(struct dma_space *s, const struct dma_range *r, unsigned n);

/* Change how the device reaches memory (dom for DMA_VIEW_DOMAIN, else
 * NULL) and bump gen, at once for new translations; translations pinned
 * before stay in use until unpinned (a fence waits for them). A domain's
 * own changes (MAP, UNMAP) are the caller's to announce with
 * dma_space_changed() and to fence. */
void dma_space_view(struct dma_space *s, enum dma_view v, const struct iommu_domain *dom);

/* A fence: waits until no translation pinned before dma_fence_start() is
 * still in use. Both calls under the owner's lock. */
struct dma_fence {
	bool started;   /* the epoch was flipped */
	uint32_t epoch; /* the one waited for */
};
/* Start: true when nothing pinned is in use (done); else false, and
 * fence_wait is set so the drained hook fires when an epoch empties. */
bool dma_fence_start(struct dma_space *s, struct dma_fence *f);
/* Done yet (and start it, when it could not start before). */
bool dma_fence_done(struct dma_space *s, struct dma_fence *f);

/* The domain s translates through has changed: cached translations
 * (ring pointers) are made again. */
static inline void dma_space_changed(struct dma_space *s)
{
	s->gen++;
}

/* Translate [iova, iova + len) for an access in direction dir into at most
 * max host segments at out (a buffer that crosses from one range into the
 * next one in IOVA is split there). Returns the number of segments (0 for
 * len 0), DMA_EFAULT when a byte is unmapped or a range does not permit
 * dir, DMA_ESEGS when more than max would be needed. len must fit a
 * segment (at most 4 GiB - 1). */
int dma_map_slow(const struct dma_space *s, uint64_t iova, uint64_t len, enum dma_dir dir,
		 struct dma_seg *out, unsigned max);

/* The common case inline (the hottest path of every virtio device): a
 * buffer inside one range of the identity window. */
static inline int dma_map(const struct dma_space *s, uint64_t iova, uint64_t len, enum dma_dir dir,
			  struct dma_seg *out, unsigned max)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct dma_range *r = &s->r[i];
		uint64_t off = iova - r->iova; /* >= size when iova is below the range */
		if (off < r->size) {
			/* 0 < len <= what is left of the range */
			if (len - 1 < r->size - off && len <= UINT32_MAX && !(dir & ~r->perm) && max) {
				*out = (struct dma_seg){ r->host + off, (uint32_t)len };
				return 1;
			}
			break;
		}
	}
	return dma_map_slow(s, iova, len, dir, out, max);
}

/* Host pointer to [iova, iova + len) when it is one contiguous piece the
 * device may access in direction dir (rings, headers); else NULL. len 0 is
 * refused. */
void *dma_ptr(const struct dma_space *s, uint64_t iova, uint64_t len, enum dma_dir dir);

/* A translation is kept past the section that made it (and the owner's
 * lock): the mapping must not change until the matching unpin. Under the
 * owner's lock; returns the pin's epoch, for dma_unpin(). */
static inline unsigned dma_pin(struct dma_space *s)
{
	unsigned e = s->epoch & 1;

	__atomic_fetch_add(&s->epoch_pins[e], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->pins, 1, __ATOMIC_RELAXED);
	return e;
}

void dma_drained(struct dma_space *s);

/* The device no longer touches what it translated under that pin (taken
 * in epoch e). With or without the owner's lock. */
static inline void dma_unpin(struct dma_space *s, unsigned e)
{
	__atomic_fetch_sub(&s->pins, 1, __ATOMIC_RELEASE);
	if (__atomic_sub_fetch(&s->epoch_pins[e & 1], 1, __ATOMIC_SEQ_CST) == 0 &&
	    __atomic_load_n(&s->fence_wait, __ATOMIC_SEQ_CST))
		dma_drained(s);
}

#endif
