/* The split virtqueue engine ([VIRTIO] 2.7): see include/vdev/virtio.h. */
#include <hv/log.h>
#include <string.h>
#include <vdev/virtio.h>

#define RD16(p) (*(volatile uint16_t *)(p))

bool virtio_has(const struct virtio_dev *d, unsigned feature)
{
	return (d->driver_features >> feature) & 1;
}

/* Walk one chain into c. Every descriptor is copied once, then checked,
 * then used; the walk is bounded by the table size, so a loop ends it. An
 * empty buffer carries nothing and is skipped; a readable buffer may not
 * follow a writable one ([VIRTIO] 2.7.4.2); each other buffer is
 * translated for the direction the device uses it in. */
static const char *walk(struct virtio_dev *d, struct virtq *q, uint16_t head, struct vq_sgl *c)
{
	volatile struct virtq_desc *table = q->d;
	unsigned size = q->num, i = head, steps = 0, n = 0, nr = 0;
	uint64_t rlen = 0, wlen = 0;
	bool indirect = false;

	c->head = head;
	c->nr = c->nw = 0;
	c->rlen = c->wlen = 0;
	for (;;) {
		struct virtq_desc e;
		if (i >= size)
			return "descriptor index out of range";
		if (++steps > size)
			return "descriptor chain loops or is longer than the table";
		e.addr = table[i].addr;
		e.len = table[i].len;
		e.flags = table[i].flags;
		e.next = table[i].next;
		if (__builtin_expect(e.flags & VIRTQ_DESC_F_INDIRECT, 0)) {
			if (indirect || !virtio_has(d, VIRTIO_F_INDIRECT_DESC))
				return "nested or unnegotiated indirect descriptor";
			/* At most VQ_MAX_SIZE entries: the walk stays bounded. (Linux
			 * may exceed the queue size with indirect tables, so that is
			 * not the bound.) */
			if ((e.flags & VIRTQ_DESC_F_NEXT) || e.len == 0 || e.len % 16 ||
			    e.len / 16 > VQ_MAX_SIZE || (e.addr & 15))
				return "malformed indirect descriptor";
			table = dma_ptr(&d->dma, e.addr, e.len, DMA_TO_DEV);
			if (!table)
				return "indirect table outside guest RAM";
			/* [VIRTIO] 2.7.5.3: a chain uses either the queue's table or
			 * one indirect table, so only a head can be indirect. */
			if (steps != 1)
				return "indirect descriptor inside a chain";
			indirect = true;
			size = e.len / 16;
			i = 0;
			steps = 0;
			continue;
		}
		if (e.len) {
			bool w = e.flags & VIRTQ_DESC_F_WRITE;
			int k;
			if (!w && n > nr) /* readable after writable */
				return "readable buffer after a writable one";
			k = dma_map(&d->dma, e.addr, e.len, w ? DMA_FROM_DEV : DMA_TO_DEV, &c->seg[n],
				    c->max - n);
			if (k < 0)
				return k == DMA_ESEGS ? "too many buffers in one request"
						      : "buffer outside guest RAM or not mapped for its direction";
			n += (unsigned)k;
			if (w) {
				wlen += e.len;
			} else {
				rlen += e.len;
				nr = n;
			}
		}
		if (!(e.flags & VIRTQ_DESC_F_NEXT))
			break;
		i = e.next;
	}
	c->nr = nr;
	c->nw = n - nr;
	c->rlen = rlen;
	c->wlen = wlen;
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
	return 1;
}

int vq_pop(struct virtio_dev *d, unsigned qi, struct vq_chain *c)
{
	struct vq_sgl s = { .seg = c->seg, .max = VQ_MAX_SEGS };
	int r = vq_pop_sgl(d, qi, &s);

	if (r == 1) {
		c->head = s.head;
		c->nr = s.nr;
		c->nw = s.nw;
		c->rlen = s.rlen;
		c->wlen = s.wlen;
	}
	return r;
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
