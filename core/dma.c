/* DMA address spaces: see include/hv/dma.h. */
#include <hv/dma.h>
#include <hv/iommu_domain.h>

/* The window range holding addr, or NULL. */
static const struct dma_range *range_at(const struct dma_space *s, uint64_t addr)
{
	for (unsigned i = 0; i < s->nwin; i++)
		if (addr - s->r[i].iova < s->r[i].size) /* wraps high when below */
			return &s->r[i];
	return NULL;
}

/* [addr, addr + len) of the window into out[*n..], for dir. */
static int window_map(const struct dma_space *s, uint64_t addr, uint64_t len, enum dma_dir dir,
		      struct dma_seg *out, unsigned *n, unsigned max)
{
	while (len) {
		const struct dma_range *r = range_at(s, addr);
		uint64_t off, take;
		if (!r || (dir & ~r->perm))
			return DMA_EFAULT;
		if (*n == max)
			return DMA_ESEGS;
		off = addr - r->iova;
		take = r->size - off < len ? r->size - off : len;
		out[(*n)++] = (struct dma_seg){ r->host + off, (uint32_t)take };
		len -= take;
		addr += take; /* no wrap: no range ends at 2^64 */
	}
	return 0;
}

/* A translation the IOMMU refused: reported (IOMMU-12). */
static __attribute__((noinline, cold)) int fault(const struct dma_space *s, uint64_t iova,
						 enum dma_dir dir)
{
	if (s->fault)
		s->fault(s->hook_ctx, s->ep, iova, dir);
	return DMA_EDENIED;
}

int dma_map_slow(const struct dma_space *s, uint64_t iova, uint64_t len, enum dma_dir dir,
		 struct dma_seg *out, unsigned max)
{
	uint32_t need = (dir & DMA_TO_DEV ? VIRTIO_IOMMU_MAP_F_READ : 0) |
			(dir & DMA_FROM_DEV ? VIRTIO_IOMMU_MAP_F_WRITE : 0);
	unsigned n = 0;
	int e;

	if (len > UINT32_MAX)
		return DMA_EFAULT;
	if (s->view == DMA_VIEW_ALL) {
		e = window_map(s, iova, len, dir, out, &n, max);
		return e ? e : (int)n;
	}
	/* Through the domain: each mapping's piece, with its permission (no
	 * write without MAP_F_WRITE), then through the window. */
	while (len) {
		const struct iommu_mapping *m = s->view == DMA_VIEW_DOMAIN && s->dom ?
							iommu_domain_find(s->dom, iova) : NULL;
		uint64_t take;
		if (!m || (m->flags & need) != need)
			return fault(s, iova, dir);
		take = m->virt_end - iova < len - 1 ? m->virt_end - iova + 1 : len;
		e = window_map(s, m->phys_start + (iova - m->virt_start), take, dir, out, &n, max);
		if (e == DMA_EFAULT)
			return fault(s, iova, dir);
		if (e)
			return e;
		len -= take;
		iova += take; /* wraps to 0 only with len 0 */
	}
	return (int)n;
}

void *dma_ptr(const struct dma_space *s, uint64_t iova, uint64_t len, enum dma_dir dir)
{
	struct dma_seg seg;

	return dma_map(s, iova, len, dir, &seg, 1) == 1 && seg.len == len ? seg.p : NULL;
}

static bool continues(const struct dma_range *a, const struct dma_range *b)
{
	return a->iova + a->size == b->iova && (uintptr_t)a->host + a->size == (uintptr_t)b->host &&
	       a->perm == b->perm;
}

/* The ranges checked, sorted by IOVA and copied into s, merged where one
 * continues another in IOVA and in host memory with the same permissions
 * (so a buffer there stays one segment). */
static int set_ranges(struct dma_space *s, const struct dma_range *r, unsigned n)
{
	struct dma_range t[DMA_MAX_RANGES];
	unsigned k = 0;

	if (n > DMA_MAX_RANGES)
		return DMA_EINVAL;
	for (unsigned i = 0; i < n; i++) {
		unsigned j = i;
		/* Not empty, and iova + size does not wrap (the last IOVA is
		 * never mapped): range ends are plain numbers below. */
		if (!r[i].size || r[i].iova + r[i].size <= r[i].iova || !r[i].host ||
		    (r[i].perm & ~(uint32_t)DMA_BIDIR))
			return DMA_EINVAL;
		for (unsigned m = 0; m < i; m++)
			if (range_overlaps(r[i].iova, r[i].size, t[m].iova, t[m].size))
				return DMA_EINVAL;
		for (; j && t[j - 1].iova > r[i].iova; j--)
			t[j] = t[j - 1];
		t[j] = r[i];
	}
	for (unsigned i = 0; i < n; i++) {
		if (k && continues(&t[k - 1], &t[i]))
			t[k - 1].size += t[i].size;
		else
			t[k++] = t[i];
	}
	for (unsigned i = 0; i < k; i++)
		s->r[i] = t[i];
	s->nwin = k;
	s->n = s->view == DMA_VIEW_ALL ? k : 0;
	return 0;
}

int dma_space_init(struct dma_space *s, const struct dma_range *r, unsigned n)
{
	*s = (struct dma_space){ 0 };
	return set_ranges(s, r, n);
}

int dma_space_update(struct dma_space *s, const struct dma_range *r, unsigned n)
{
	struct dma_space t = { 0 };
	int e;

	/* Acquire: whatever a request did with its translations before it
	 * unpinned happens before the new mapping is in place. */
	if (__atomic_load_n(&s->pins, __ATOMIC_ACQUIRE))
		return DMA_EBUSY;
	t.view = s->view;
	e = set_ranges(&t, r, n);
	if (e)
		return e;
	for (unsigned i = 0; i < DMA_MAX_RANGES; i++)
		s->r[i] = t.r[i];
	s->nwin = t.nwin;
	s->n = t.n;
	s->gen++;
	return 0;
}

void dma_space_view(struct dma_space *s, enum dma_view v, const struct iommu_domain *dom)
{
	s->view = v;
	s->dom = v == DMA_VIEW_DOMAIN ? dom : NULL;
	s->n = v == DMA_VIEW_ALL ? s->nwin : 0;
	s->gen++;
}

void dma_drained(struct dma_space *s)
{
	if (s->drained)
		s->drained(s->hook_ctx);
}

bool dma_fence_start(struct dma_space *s, struct dma_fence *f)
{
	f->started = false;
	return dma_fence_done(s, f);
}

/* The unpin side decrements an epoch's count, then reads fence_wait; this
 * side sets fence_wait, then reads the count again: one of the two sees
 * the other (sequentially consistent), so no drain goes unheard. */
bool dma_fence_done(struct dma_space *s, struct dma_fence *f)
{
	if (!f->started) {
		unsigned cur = s->epoch & 1;
		if (!__atomic_load_n(&s->pins, __ATOMIC_SEQ_CST))
			goto done;
		if (__atomic_load_n(&s->epoch_pins[cur ^ 1], __ATOMIC_SEQ_CST)) {
			/* An earlier fence's epoch has not emptied: wait for
			 * it, then flip. */
			__atomic_store_n(&s->fence_wait, true, __ATOMIC_SEQ_CST);
			if (__atomic_load_n(&s->epoch_pins[cur ^ 1], __ATOMIC_SEQ_CST))
				return false;
		}
		/* New pins go to the other epoch; this one only empties. */
		s->epoch++;
		f->started = true;
		f->epoch = cur;
	}
	if (!__atomic_load_n(&s->epoch_pins[f->epoch], __ATOMIC_SEQ_CST))
		goto done;
	__atomic_store_n(&s->fence_wait, true, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&s->epoch_pins[f->epoch], __ATOMIC_SEQ_CST))
		return false;
done:
	__atomic_store_n(&s->fence_wait, false, __ATOMIC_RELAXED);
	return true;
}
