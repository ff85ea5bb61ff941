/* The split virtqueue engine ([VIRTIO] 2.7): see include/vdev/virtio.h. */
#include <hv/log.h>
#include <string.h>
#include <vdev/virtio.h>

#define RD16(p) (*(volatile uint16_t *)(p))

bool virtio_has(const struct virtio_dev *d, unsigned feature)
{
	return (d->driver_features >> feature) & 1;
}

/* A descriptor's buffer as segments of c, in the direction the device
 * uses it: NULL, or why the chain is malformed. */
static const char *seg_add(struct vq_chain *c, const struct dma_space *s, const struct virtq_desc *e)
{
	unsigned used = c->nr + c->nw;
	bool w = e->flags & VIRTQ_DESC_F_WRITE;
	int n;

	if (e->len == 0)
		return NULL; /* an empty buffer carries nothing: skipped */
	if (!w && c->nw) /* readable after writable: [VIRTIO] 2.7.4.2 */
		return "readable buffer after a writable one";
	n = dma_map(s, e->addr, e->len, w ? DMA_FROM_DEV : DMA_TO_DEV, &c->seg[used],
		    VQ_MAX_SEGS - used);
	if (n == DMA_ESEGS)
		return "too many buffers in one request";
	if (n < 0)
		return "buffer outside guest RAM or not mapped for its direction";
	if (w) {
		c->nw += (unsigned)n;
		c->wlen += e->len;
	} else {
		c->nr += (unsigned)n;
		c->rlen += e->len;
	}
	return NULL;
}

/* Walk one chain. Every descriptor is copied once, then checked, then
 * used; the walk is bounded by the table size, so a loop ends it. */
static const char *walk(struct virtio_dev *d, struct virtq *q, uint16_t head, struct vq_chain *c)
{
	volatile struct virtq_desc *table = q->d;
	unsigned size = q->num, i = head, steps = 0;
	bool indirect = false;
	const char *why;

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
		if (e.flags & VIRTQ_DESC_F_INDIRECT) {
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
		why = seg_add(c, &d->dma, &e);
		if (why)
			return why;
		if (!(e.flags & VIRTQ_DESC_F_NEXT))
			return NULL;
		i = e.next;
	}
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
							struct vq_chain *c)
{
	return rings_remap(d, &d->vq[qi]) ? vq_pop(d, qi, c) : -1;
}

static __attribute__((noinline, cold)) void push_remapped(struct virtio_dev *d, unsigned qi,
							  uint16_t head, uint32_t len)
{
	if (rings_remap(d, &d->vq[qi]))
		vq_push(d, qi, head, len);
}

int vq_pop(struct virtio_dev *d, unsigned qi, struct vq_chain *c)
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

size_t vq_read(const struct vq_chain *c, void *buf, size_t len)
{
	size_t done = 0;
	for (unsigned i = 0; i < c->nr && done < len; i++) {
		size_t n = c->seg[i].len < len - done ? c->seg[i].len : len - done;
		memcpy((uint8_t *)buf + done, c->seg[i].p, n);
		done += n;
	}
	return done;
}

size_t vq_write(const struct vq_chain *c, const void *buf, size_t len)
{
	size_t done = 0;
	for (unsigned i = c->nr; i < c->nr + c->nw && done < len; i++) {
		size_t n = c->seg[i].len < len - done ? c->seg[i].len : len - done;
		memcpy(c->seg[i].p, (const uint8_t *)buf + done, n);
		done += n;
	}
	return done;
}
