/* The split virtqueue engine ([VIRTIO] 2.7): see include/vdev/virtio.h. */
#include <hv/log.h>
#include <string.h>
#include <vdev/virtio.h>

#define RD16(p) (*(volatile uint16_t *)(p))

/* One descriptor, read once: two 64-bit loads (tables are 16-byte
 * aligned); len, flags and next are the second word's 32, 16 and 16 bits
 * ([VIRTIO] 2.7.5, little-endian). */
#define RD_LEN(word) ((uint32_t)(word))
#define RD_FLAGS(word) ((unsigned)((word) >> 32) & 0xffff)
#define RD_NEXT(word) ((unsigned)((word) >> 48))

/* A descriptor with INDIRECT set: only the head may be one ([VIRTIO]
 * 2.7.5.3: a chain uses either the queue's table or one indirect table),
 * negotiated, without NEXT, a whole number of entries, at most
 * VQ_MAX_SIZE of them (Linux may exceed the queue size with indirect
 * tables, so that is not the bound), aligned, in guest RAM. Returns the
 * table (its entries in *size), or NULL with *why set. (One inside an
 * indirect table is refused by the caller as nested.) */
static __attribute__((noinline)) volatile const uint64_t *
indirect_table(struct virtio_dev *d, uint64_t addr, uint64_t word, bool head, unsigned *size,
	       const char **why)
{
	uint32_t len = RD_LEN(word);
	volatile const uint64_t *t;

	*why = "nested or unnegotiated indirect descriptor";
	if (!virtio_has(d, VIRTIO_F_INDIRECT_DESC))
		return NULL;
	*why = "malformed indirect descriptor";
	if ((RD_FLAGS(word) & VIRTQ_DESC_F_NEXT) || len == 0 || len % 16 || len / 16 > VQ_MAX_SIZE ||
	    (addr & 15))
		return NULL;
	*why = "indirect table outside guest RAM";
	t = dma_ptr(&d->dma, addr, len, DMA_TO_DEV);
	if (!t)
		return NULL;
	*why = "indirect descriptor inside a chain";
	if (!head)
		return NULL;
	*size = len / 16;
	return t;
}

/* Not the head: never a table to enter, only the reason why not. */
static __attribute__((noinline, cold)) const char *indirect_inside(struct virtio_dev *d, bool nested,
								    uint64_t addr, uint64_t word)
{
	unsigned size;
	const char *why;

	if (nested)
		return "nested or unnegotiated indirect descriptor";
	indirect_table(d, addr, word, false, &size, &why);
	return why;
}

static const char denied_why[] = "a buffer its IOMMU refused";

/* A buffer outside the DMA space's first range, or the last segment taken:
 * dma_map() decides. Returns the new end of the segments, or NULL with
 * *why set. */
static __attribute__((noinline)) struct dma_seg *map_slow(const struct dma_space *ds, uint64_t addr,
							  uint32_t len, enum dma_dir dir,
							  struct dma_seg *at, struct dma_seg *end,
							  const char **why)
{
	int k = dma_map(ds, addr, len, dir, at, (unsigned)(end - at));

	if (k >= 0)
		return at + k;
	*why = k == DMA_ESEGS	 ? "too many buffers in one request"
	       : k == DMA_EDENIED ? denied_why
				  : "buffer outside guest RAM or not mapped for its direction";
	return NULL;
}

/* Walk one chain into c. Every descriptor is read once, then checked, then
 * used; the walk is bounded by the table size (steps left), so a loop ends
 * it. An empty buffer carries nothing and is skipped; a readable buffer
 * may not follow a writable one ([VIRTIO] 2.7.4.2), so the walk takes the
 * readable ones, then the writable ones. Each buffer is translated for the
 * direction the device uses it in: inline when it lies in the DMA space's
 * first range and that range permits the direction (the usual case: a
 * partition's RAM is one range), else through dma_map(). */
static const char *walk(struct virtio_dev *d, struct virtq *q, uint16_t head, struct vq_sgl *c)
{
	const struct dma_space *ds = &d->dma;
	volatile const uint64_t *table = (volatile const uint64_t *)q->d;
	unsigned size = q->num, left = size, i = head;
	struct dma_seg *seg = c->seg, *end = c->seg + c->max, *wseg;
	uint64_t base = ds->n ? ds->r[0].iova : 0, room = ds->n ? ds->r[0].size : 0;
	uint64_t rroom = ds->n && (ds->r[0].perm & DMA_TO_DEV) ? room : 0;
	uint64_t wroom = ds->n && (ds->r[0].perm & DMA_FROM_DEV) ? room : 0;
	uint8_t *host = ds->r[0].host;
	uint64_t rlen = 0, wlen = 0, addr, word, off;
	const char *why = NULL;
	struct dma_seg *next;
	bool indirect = false, denied = false;
	uint64_t denied_wend = 0; /* wlen just past the last writable buffer refused */
	uint32_t len;
	unsigned f;

	c->head = head;
	c->nr = c->nw = 0;
	c->rlen = c->wlen = 0;
	if (i >= size)
		return "descriptor index out of range";
	left--;
	addr = table[2 * i];
	word = table[2 * i + 1];
	if (RD_FLAGS(word) & VIRTQ_DESC_F_INDIRECT) {
		table = indirect_table(d, addr, word, true, &size, &why);
		if (!table)
			return why;
		left = size - 1;
		indirect = true;
		addr = table[0];
		word = table[1];
	}
	/* The readable buffers; the descriptor in hand is counted. */
	for (;;) {
		f = RD_FLAGS(word);
		len = RD_LEN(word);
		if (__builtin_expect(f & VIRTQ_DESC_F_INDIRECT, 0))
			return indirect_inside(d, indirect, addr, word);
		if (len) {
			if (f & VIRTQ_DESC_F_WRITE)
				break;
			off = addr - base; /* >= room when addr is below the range */
			if (__builtin_expect(off < rroom && len - 1 < rroom - off && seg < end, 1)) {
				seg->p = host + off;
				seg->len = len;
				seg++;
			} else if ((next = map_slow(ds, addr, len, DMA_TO_DEV, seg, end, &why))) {
				seg = next;
			} else if (why != denied_why) {
				return why;
			} else {
				denied = true; /* the rest is walked: a whole chain is returned */
			}
			rlen += len;
		}
		if (!(f & VIRTQ_DESC_F_NEXT)) {
			c->nr = (unsigned)(seg - c->seg);
			c->rlen = rlen;
			c->denied = denied;
			c->status = NULL;
			return NULL;
		}
		i = RD_NEXT(word);
		if (i >= size)
			return "descriptor index out of range";
		if (!left--)
			return "descriptor chain loops or is longer than the table";
		addr = table[2 * i];
		word = table[2 * i + 1];
	}
	/* The writable ones, from the first that is not empty. */
	wseg = seg;
	for (;;) {
		f = RD_FLAGS(word);
		len = RD_LEN(word);
		if (__builtin_expect(f & VIRTQ_DESC_F_INDIRECT, 0))
			return indirect_inside(d, indirect, addr, word);
		if (len) {
			if (!(f & VIRTQ_DESC_F_WRITE))
				return "readable buffer after a writable one";
			off = addr - base;
			if (__builtin_expect(off < wroom && len - 1 < wroom - off && seg < end, 1)) {
				seg->p = host + off;
				seg->len = len;
				seg++;
			} else if ((next = map_slow(ds, addr, len, DMA_FROM_DEV, seg, end, &why))) {
				seg = next;
			} else if (why != denied_why) {
				return why;
			} else {
				denied = true;
				denied_wend = wlen + len;
			}
			wlen += len;
		}
		if (!(f & VIRTQ_DESC_F_NEXT))
			break;
		i = RD_NEXT(word);
		if (i >= size)
			return "descriptor index out of range";
		if (!left--)
			return "descriptor chain loops or is longer than the table";
		addr = table[2 * i];
		word = table[2 * i + 1];
	}
	c->nr = (unsigned)(wseg - c->seg);
	c->nw = (unsigned)(seg - wseg);
	c->rlen = rlen;
	c->wlen = wlen;
	c->denied = denied;
	/* The status byte: the last byte of the last writable buffer, when
	 * that one translated (only a refused chain needs it). */
	c->status = denied && denied_wend != wlen && seg > wseg ? seg[-1].p + seg[-1].len - 1 : NULL;
	return NULL;
}

bool vq_map_rings(struct virtio_dev *d, struct virtq *q)
{
	uint64_t n = q->num;

	q->dma_gen = d->dma.gen;
	q->d = dma_ptr(&d->dma, q->desc, 16 * n, DMA_TO_DEV);
	q->a = dma_ptr(&d->dma, q->avail, 6 + 2 * n, DMA_TO_DEV);
	q->u = dma_ptr(&d->dma, q->used, 6 + 8 * n, DMA_FROM_DEV); /* the device writes only it */
	if (q->d && q->a && q->u)
		return true;
	q->d = NULL;
	q->a = NULL;
	q->u = NULL;
	return false;
}

static __attribute__((noinline, cold)) bool rings_remap(struct virtio_dev *d, struct virtq *q)
{
	if (vq_map_rings(d, q))
		return true;
	virtio_needs_reset(d, "queue areas no longer mapped");
	return false;
}

/* The ring pointers of a ready queue, translated again when the DMA space
 * changed since: false (NEEDS_RESET) when they no longer translate. */
static inline bool rings_current(struct virtio_dev *d, struct virtq *q)
{
	return __builtin_expect(q->dma_gen == d->dma.gen, 1) || rings_remap(d, q);
}

/* vq_pop and vq_push once the space changed: the rings translated again,
 * then the real thing (the generation matches: no second round). Apart,
 * so the fast paths compare one word and call nothing. */
static __attribute__((noinline, cold)) int pop_remapped(struct virtio_dev *d, unsigned qi,
							struct vq_sgl *c)
{
	return rings_remap(d, &d->vq[qi]) ? vq_pop_sgl(d, qi, c) : -1;
}

static __attribute__((noinline, cold)) void push_remapped(struct virtio_dev *d, unsigned qi,
							  uint16_t head, uint32_t len)
{
	if (rings_remap(d, &d->vq[qi]))
		vq_push(d, qi, head, len);
}

int vq_pop_sgl(struct virtio_dev *d, unsigned qi, struct vq_sgl *c)
{
	struct virtq *q = &d->vq[qi];
	uint16_t avail_idx, head;
	const char *why;

	if (!q->ready || (d->status & VIRTIO_S_NEEDS_RESET))
		return 0;
	if (__builtin_expect(q->dma_gen != d->dma.gen, 0))
		return pop_remapped(d, qi, c);
	avail_idx = RD16(&q->a[1]);
	if (avail_idx == q->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - q->last_avail) > q->num) {
		virtio_needs_reset(d, "available index ran more than the queue size ahead");
		return -1;
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* ring entries after the index */
	head = RD16(&q->a[2 + q->last_avail % q->num]);
	q->last_avail++;
	if (virtio_has(d, VIRTIO_F_EVENT_IDX)) /* avail_event: notify me from here */
		*(volatile uint16_t *)(q->u + 4 + 8 * q->num) = q->last_avail;
	why = walk(d, q, head, c);
	if (why) {
		virtio_needs_reset(d, why);
		return -1;
	}
	if (__builtin_expect(c->denied, 0)) {
		if (!c->allow_denied) {
			virtio_needs_reset(d, denied_why);
			return -1;
		}
		return VQ_DENIED;
	}
	return 1;
}

static int pop_chain(struct virtio_dev *d, unsigned qi, struct vq_chain *c, bool allow_denied)
{
	/* c->seg is the address of c's array, not a read of it: cppcheck
	 * 2.10's whole-program check takes it for a use of the caller's
	 * uninitialised chain. */
	// cppcheck-suppress ctuuninitvar
	struct vq_sgl s = { .seg = c->seg, .max = VQ_MAX_SEGS, .allow_denied = allow_denied };
	int r = vq_pop_sgl(d, qi, &s);

	if (r == VQ_DENIED)
		c->head = s.head;
	if (r == 1) {
		c->head = s.head;
		c->nr = s.nr;
		c->nw = s.nw;
		c->rlen = s.rlen;
		c->wlen = s.wlen;
	}
	return r;
}

int vq_pop(struct virtio_dev *d, unsigned qi, struct vq_chain *c)
{
	return pop_chain(d, qi, c, false);
}

int vq_pop_any(struct virtio_dev *d, unsigned qi, struct vq_chain *c)
{
	return pop_chain(d, qi, c, true);
}

void vq_unpop(struct virtio_dev *d, unsigned qi, unsigned n)
{
	struct virtq *q = &d->vq[qi];

	q->last_avail = (uint16_t)(q->last_avail - n);
	if (q->ready && q->u && virtio_has(d, VIRTIO_F_EVENT_IDX) && rings_current(d, q))
		*(volatile uint16_t *)(q->u + 4 + 8 * q->num) = q->last_avail;
}

bool vq_live(const struct virtio_dev *d, unsigned q, uint32_t epoch)
{
	return q < VIRTIO_MAX_QUEUES && d->vq[q].ready && d->vq[q].u && d->vq[q].epoch == epoch;
}

void vq_push(struct virtio_dev *d, unsigned qi, uint16_t head, uint32_t len)
{
	struct virtq *q = &d->vq[qi];
	volatile uint32_t *e;
	uint16_t old = q->used_idx;
	bool notify;

	/* Only a ready queue: its num and areas are the checked ones (the
	 * driver can change them only while it is not ready). */
	if (!q->ready || !q->u || !q->num)
		return;
	if (__builtin_expect(q->dma_gen != d->dma.gen, 0)) {
		push_remapped(d, qi, head, len);
		return;
	}
	e = (volatile uint32_t *)(q->u + 4 + 8 * (q->used_idx % q->num));
	e[0] = head;
	e[1] = len;
	__atomic_thread_fence(__ATOMIC_RELEASE); /* the entry before the index */
	q->used_idx++;
	*(volatile uint16_t *)(q->u + 2) = q->used_idx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (virtio_has(d, VIRTIO_F_EVENT_IDX)) {
		uint16_t ev = RD16(&q->a[2 + q->num]); /* used_event */
		notify = (uint16_t)(q->used_idx - ev - 1) < (uint16_t)(q->used_idx - old);
	} else {
		notify = !(RD16(&q->a[0]) & 1); /* VIRTQ_AVAIL_F_NO_INTERRUPT */
	}
	if (notify) {
		d->isr |= 1;
		if (!d->line) {
			d->line = true;
			irq_line_set(&d->irq, true);
		}
	}
}

size_t vq_copy_from(const struct dma_seg *seg, unsigned n, void *buf, size_t len)
{
	size_t done = 0;
	for (unsigned i = 0; i < n && done < len; i++) {
		size_t k = seg[i].len < len - done ? seg[i].len : len - done;
		memcpy((uint8_t *)buf + done, seg[i].p, k);
		done += k;
	}
	return done;
}

size_t vq_copy_to(const struct dma_seg *seg, unsigned n, const void *buf, size_t len)
{
	size_t done = 0;
	for (unsigned i = 0; i < n && done < len; i++) {
		size_t k = seg[i].len < len - done ? seg[i].len : len - done;
		memcpy(seg[i].p, (const uint8_t *)buf + done, k);
		done += k;
	}
	return done;
}

size_t vq_read(const struct vq_chain *c, void *buf, size_t len)
{
	return vq_copy_from(c->seg, c->nr, buf, len);
}

size_t vq_write(const struct vq_chain *c, const void *buf, size_t len)
{
	return vq_copy_to(c->seg + c->nr, c->nw, buf, len);
}
