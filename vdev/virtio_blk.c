/* virtio-blk: see include/vdev/virtio_blk.h. Decode, then invoke: a
 * request is decoded from the guest's chain into the hypervisor's own
 * blk_req (header and ranges copied once, sectors moved into the window,
 * every limit checked) and only then handed to the backend. */
#include <hv/config_schema.h>
#include <hv/log.h>
#include <hv/vdev.h>
#include <libfdt.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <vdev/virtio_blk.h>

#define HDR_LEN 16
#define RANGE_LEN 16
#define ANSWERED 0xff /* decode(): answered without the backend, status OK */

/* Config space offsets ([VIRTIO] 5.2.4) */
enum {
	C_CAPACITY = 0, C_SIZE_MAX = 8, C_SEG_MAX = 12, C_BLK_SIZE = 20, C_WRITEBACK = 32,
	C_NUM_QUEUES = 34, C_MAX_DISCARD_SECTORS = 36, C_MAX_DISCARD_SEG = 40,
	C_DISCARD_ALIGN = 44, C_MAX_WZ_SECTORS = 48, C_MAX_WZ_SEG = 52, C_WZ_MAY_UNMAP = 56,
};

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void guest_error(struct virtio_blk *vb, const char *why)
{
	vb->nerr++;
	if (vb->nerr == 1)
		WARN("%s: %s (request refused; further ones not logged)", vb->dev.name, why);
}

static struct vblk_req *free_slot(struct virtio_blk *vb)
{
	for (unsigned i = 0; i < vb->nslots; i++)
		if (!vb->req[i].busy)
			return &vb->req[i];
	return NULL;
}

/* The data segments per request offered in seg_max: the backend's limit
 * too, so a request that passes here is one the backend can take. */
static unsigned seg_max(const struct virtio_blk *vb)
{
	return vb->be->seg_max < VBLK_SEG_MAX ? vb->be->seg_max : VBLK_SEG_MAX;
}

/* Bytes per data segment offered: ours, or the backend's if smaller. */
static uint32_t size_max(const struct virtio_blk *vb)
{
	uint32_t m = vb->be->size_max;
	return m && m < VBLK_SIZE_MAX ? m : VBLK_SIZE_MAX;
}

/* The data, len bytes: segments seg[0..n) of the chain, as the request's,
 * the first skip bytes (the header of a write) and the last trim bytes (the
 * status byte of a read) cut off in place. False when what is left needs
 * more segments than seg_max() or one larger than size_max(). */
static bool data_segs(const struct virtio_blk *vb, struct dma_seg *seg, unsigned n, uint32_t skip,
		      uint32_t trim, uint64_t len, struct blk_req *b)
{
	uint32_t smax = size_max(vb);

	while (n && skip >= seg->len) { /* the header alone in its buffers: the usual case */
		skip -= seg->len;
		seg++;
		n--;
	}
	if (skip) {
		seg->p += skip;
		seg->len -= skip;
	}
	while (n && trim >= seg[n - 1].len) { /* the status byte alone in its buffer */
		trim -= seg[n - 1].len;
		n--;
	}
	if (trim)
		seg[n - 1].len -= trim;
	if (n > seg_max(vb))
		return false;
	/* No segment is longer than the data: usually nothing to look at. */
	for (unsigned i = 0; len > smax && i < n; i++)
		if (seg[i].len > smax)
			return false;
	b->seg = seg;
	b->nseg = n;
	return true;
}

static bool in_window(const struct virtio_blk *vb, uint64_t sector, uint64_t n)
{
	return sector <= vb->sectors && n <= vb->sectors - sector;
}

/* DISCARD and WRITE_ZEROES: the ranges copied, checked and moved. */
static uint8_t decode_ranges(struct virtio_blk *vb, const struct vq_sgl *c, uint32_t type,
			     struct blk_req *b)
{
	uint8_t buf[HDR_LEN + RANGE_LEN * BLK_MAX_RANGES];
	bool wz = type == VIRTIO_BLK_T_WRITE_ZEROES;
	uint32_t max_seg = wz ? vb->be->max_wz_seg : vb->be->max_discard_seg;
	uint32_t max_sect = wz ? vb->be->max_wz_sectors : vb->be->max_discard_sectors;
	uint64_t n;

	if (!(wz ? vb->be->can_write_zeroes : vb->be->can_discard) ||
	    !virtio_has(&vb->dev, wz ? VIRTIO_BLK_F_WRITE_ZEROES : VIRTIO_BLK_F_DISCARD))
		return BLK_UNSUPP; /* not offered, or not negotiated */
	if (vb->read_only) {
		guest_error(vb, "write to a read-only disk");
		return BLK_IOERR;
	}
	n = (c->rlen - HDR_LEN) / RANGE_LEN;
	if ((c->rlen - HDR_LEN) % RANGE_LEN || n == 0 || n > max_seg || n > BLK_MAX_RANGES) {
		guest_error(vb, "malformed discard or write-zeroes ranges");
		return BLK_IOERR;
	}
	vq_copy_from(c->seg, c->nr, buf, HDR_LEN + n * RANGE_LEN);
	b->nrange = (unsigned)n;
	for (unsigned i = 0; i < n; i++) {
		struct blk_range *g = &b->range[i];
		memcpy(g, buf + HDR_LEN + i * RANGE_LEN, RANGE_LEN); /* little-endian */
		if (g->flags & ~(wz ? BLK_RANGE_UNMAP : 0u))
			return BLK_UNSUPP; /* [VIRTIO] 5.2.6.2 */
		if (g->nsect > max_sect || !in_window(vb, g->sector, g->nsect)) {
			guest_error(vb, "discard or write-zeroes range outside the disk's window");
			return BLK_IOERR;
		}
		g->sector += vb->start;
	}
	b->op = wz ? BLK_WRITE_ZEROES : BLK_DISCARD;
	return BLK_OK;
}

/* Fill r from the chain. BLK_OK: r->b is ready for the backend (or, with
 * op FLUSH on a disk that needs none, done). Any other value: the status
 * to return without touching the backend. */
static uint8_t decode(struct virtio_blk *vb, const struct vq_sgl *c, struct vblk_req *r)
{
	struct { uint32_t type, reserved; uint64_t sector; } hdr;
	struct blk_req *b = &r->b;
	uint64_t len;

	b->nseg = b->nrange = 0;
	r->used = 0;
	if (c->rlen < HDR_LEN) {
		guest_error(vb, "request without a 16-byte header");
		return BLK_IOERR;
	}
	if (c->seg[0].len >= HDR_LEN) /* the usual case: the header in one buffer */
		__builtin_memcpy(&hdr, c->seg[0].p, HDR_LEN);
	else
		vq_copy_from(c->seg, c->nr, &hdr, HDR_LEN);
	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (hdr.type == VIRTIO_BLK_T_OUT && vb->read_only) {
			guest_error(vb, "write to a read-only disk");
			return BLK_IOERR;
		}
		len = hdr.type == VIRTIO_BLK_T_IN ? c->wlen - 1 : c->rlen - HDR_LEN;
		if (len % BLK_SECTOR || !in_window(vb, hdr.sector, len / BLK_SECTOR)) {
			guest_error(vb, "read or write outside the disk's window");
			return BLK_IOERR;
		}
		if (len == 0)
			return ANSWERED;
		/* The data: a read's writable bytes but the status byte, a
		 * write's readable bytes after the header. */
		if (hdr.type == VIRTIO_BLK_T_IN ? !data_segs(vb, c->seg + c->nr, c->nw, 0, 1, len, b)
						 : !data_segs(vb, c->seg, c->nr, HDR_LEN, 0, len, b)) {
			guest_error(vb, "request with more or larger segments than offered");
			return BLK_IOERR;
		}
		b->op = hdr.type == VIRTIO_BLK_T_IN ? BLK_READ : BLK_WRITE;
		b->sector = vb->start + hdr.sector;
		if (b->op == BLK_READ)
			r->used = (uint32_t)len;
		return BLK_OK;
	case VIRTIO_BLK_T_FLUSH:
		b->op = BLK_FLUSH;
		return BLK_OK;
	case VIRTIO_BLK_T_GET_ID:
		r->used = (uint32_t)(c->wlen - 1 < VBLK_SERIAL_LEN ? c->wlen - 1 : VBLK_SERIAL_LEN);
		vq_copy_to(c->seg + c->nr, c->nw, vb->serial, r->used);
		return ANSWERED;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return decode_ranges(vb, c, hdr.type, b);
	default:
		return BLK_UNSUPP;
	}
}

static void finish(struct virtio_blk *vb, struct vblk_req *r)
{
	/* Only into the ring the request came from: not after a reset, nor
	 * after the driver disabled (perhaps resized or moved) the queue. */
	if (r->gen == vb->gen && vq_live(&vb->dev, r->q, r->epoch)) {
		*r->status = r->b.status;
		vq_push(&vb->dev, r->q, r->head, (r->b.status == BLK_OK ? r->used : 0) + 1);
	}
	r->busy = false;
	vb->inflight--;
	dma_unpin(&vb->dev.dma, r->pin);
}

/* Drive r until it waits at the backend or is finished. completed: the
 * backend has just finished r's current step. */
static void run(struct virtio_blk *vb, struct vblk_req *r, bool completed)
{
	for (;;) {
		if (!completed) {
			if (r->b.op == BLK_FLUSH) {
				/* Nothing of this disk's to make durable: a read-only
				 * disk, a device without a cache, or no write completed
				 * since the last flush, which has finished. So a guest
				 * cannot load a shared device with needless flushes. */
				if (vb->read_only || !vb->be->can_flush ||
				    (!vb->dirty && !vb->flushing)) {
					r->b.status = BLK_OK;
					break;
				}
				vb->dirty = false; /* what completed so far is covered */
				vb->flushing++;
				r->flushing = true;
			}
			if (vb->be->ops->submit(vb->be, &r->b) == 1)
				return;
		}
		completed = false;
		if (r->flushing) {
			r->flushing = false;
			vb->flushing--;
		}
		if (r->b.status != BLK_OK) {
			if (r->b.op == BLK_FLUSH) /* covered nothing: quiesce syncs */
				vb->dirty = true;
			break;
		}
		if (r->b.op == BLK_WRITE || r->b.op == BLK_WRITE_ZEROES || r->b.op == BLK_DISCARD) {
			/* Even when a reset orphaned r: the write is on the backend,
			 * and quiesce must make it durable. */
			vb->dirty = true;
			if (r->then_flush && r->gen == vb->gen) { /* write-through */
				r->then_flush = false;
				r->b.op = BLK_FLUSH;
				r->b.nseg = r->b.nrange = 0;
				continue;
			}
		}
		break;
	}
	finish(vb, r);
}

static void process(struct virtio_blk *vb, unsigned q);

/* From the backend: a physical disk completes on the CPU that submitted
 * the request (in its completion interrupt, or from the work queue when
 * the interrupt landed elsewhere), or in its poll() on any CPU (a reset or
 * quiesce waiting); a RAM disk at once. No lock of the backend's held. */
static void blk_done(struct blk_req *b)
{
	struct vblk_req *r = b->ctx;
	struct virtio_blk *vb = r->vb;

	spin_lock(&vb->dev.lock);
	if (!r->busy) { /* a backend must not complete a request twice */
		spin_unlock(&vb->dev.lock);
		return;
	}
	run(vb, r, true);
	/* Queues waiting for a slot, in turn from the one after the last
	 * served, so no queue starves another. */
	for (unsigned k = 0; vb->stalled && vb->inflight < vb->nslots && k < VIRTIO_MAX_QUEUES; k++) {
		unsigned q = (vb->next_stalled + k) % VIRTIO_MAX_QUEUES;
		if (vb->stalled & (1u << q)) {
			vb->stalled &= ~(1u << q);
			vb->next_stalled = q + 1;
			process(vb, q);
		}
	}
	spin_unlock(&vb->dev.lock);
}

/* Writeback in effect. A driver that did not negotiate FLUSH cannot make
 * writes durable, so they must be when they complete ([VIRTIO] 5.2.6.2);
 * with CONFIG_WCE and without FLUSH, writeback reads 0 ([VIRTIO] 5.2.5.2). */
static bool writeback_on(const struct virtio_blk *vb)
{
	return vb->writeback && (!(vb->dev.status & VIRTIO_S_FEATURES_OK) ||
				 virtio_has(&vb->dev, VIRTIO_BLK_F_FLUSH));
}

static void start(struct virtio_blk *vb, struct vblk_req *r, unsigned q, const struct vq_sgl *c)
{
	uint8_t st;

	vb->nreq++;
	r->head = c->head;
	r->q = (uint8_t)q;
	r->gen = vb->gen;
	r->epoch = vb->dev.vq[q].epoch;
	r->busy = true;
	r->then_flush = false;
	r->flushing = false;
	vb->inflight++;
	r->pin = (uint8_t)dma_pin(&vb->dev.dma); /* its buffers stay mapped until finish() */
	/* The status byte: the last byte the driver lets the device write. */
	r->status = c->seg[c->nr + c->nw - 1].p + c->seg[c->nr + c->nw - 1].len - 1;
	st = decode(vb, c, r);
	if (st != BLK_OK) {
		r->b.status = st == ANSWERED ? BLK_OK : st;
		finish(vb, r);
		return;
	}
	r->then_flush = vb->be->can_flush && (vb->reliable || !writeback_on(vb));
	run(vb, r, false);
}

static void process(struct virtio_blk *vb, unsigned q)
{
	struct virtio_dev *d = &vb->dev;

	if (!virtio_driver_ok(d) || !d->vq[q].ready || vb->stopping)
		return;
	/* At most a queue's worth per call, however fast the guest refills. */
	for (unsigned k = 0; k < d->vq[q].num && vq_maybe_avail(d, q); k++) {
		struct vblk_req *r = free_slot(vb);
		struct vq_sgl c;
		int rc;
		if (!r) {
			vb->stalled |= 1u << q; /* resumed when a request completes */
			return;
		}
		/* The chain straight into the slot's storage: its data segments
		 * become the backend's, no copy. */
		c.seg = vb->seg[r - vb->req];
		c.max = VBLK_CHAIN_SEGS;
		c.allow_denied = true;
		rc = vq_pop_sgl(d, q, &c);
		if (rc <= 0)
			return;
		if (rc == VQ_DENIED) {
			/* A buffer its IOMMU refused (IOMMU-12): IOERR in the
			 * status byte, nothing else read or written; without a
			 * status byte to write, nothing fits but a reset. */
			if (!c.status) {
				virtio_needs_reset(d, "block request whose status byte its IOMMU refused");
				return;
			}
			*c.status = BLK_IOERR;
			vq_push(d, q, c.head, 1);
			continue;
		}
		if (c.nw == 0) {
			virtio_needs_reset(d, "block request without a status byte");
			return;
		}
		start(vb, r, q, &c);
	}
}

static void blk_notify(struct virtio_dev *d, unsigned q)
{
	process(d->priv, q);
}

static uint64_t blk_config_read(struct virtio_dev *d, uint32_t off, unsigned w)
{
	struct virtio_blk *vb = d->priv;
	uint64_t v = 0;

	vb->config[C_WRITEBACK] = writeback_on(vb);
	for (unsigned i = 0; i < w; i++)
		v |= (uint64_t)vb->config[off + i] << (8 * i);
	return v;
}

/* Only the writeback byte is writable ([VIRTIO] 5.2.5), and a reliable
 * disk stays write-through whatever the driver asks. */
static void blk_config_write(struct virtio_dev *d, uint32_t off, unsigned w, uint64_t v)
{
	struct virtio_blk *vb = d->priv;

	if (off == C_WRITEBACK && w == 1 && virtio_has(d, VIRTIO_BLK_F_CONFIG_WCE) && !vb->reliable)
		vb->writeback = v ? 1 : 0;
}

/* Wait, bounded, until none of the disk's requests is at the backend,
 * harvesting completions ourselves (interrupts may be masked here). Called
 * with d->lock held; drops it while waiting, so completions can finish. */
static void drain(struct virtio_blk *vb)
{
	for (unsigned long spin = 0; vb->inflight && spin < 50000000UL; spin++) {
		spin_unlock(&vb->dev.lock);
		vb->be->ops->poll(vb->be);
		spin_lock(&vb->dev.lock);
	}
	if (vb->inflight)
		WARN("%s: %u request(s) still at the backend after a reset", vb->dev.name,
		     vb->inflight);
}

/* A reset is complete only when the device no longer touches the guest's
 * memory ([VIRTIO] 2.4): requests still at the backend are waited for, and
 * finish without a used entry (their generation is gone). */
static void blk_reset(struct virtio_dev *d)
{
	struct virtio_blk *vb = d->priv;

	if (!vb)
		return;
	vb->gen++;
	vb->stalled = 0;
	vb->stopping = true; /* nothing new while draining */
	if (vb->inflight)
		drain(vb);
	vb->stopping = false;
	vb->writeback = vb->reliable ? 0 : 1;
}

const struct virtio_dev_ops virtio_blk_ops = {
	.device_id = 2,
	.nqueues = 1,
	.config_size = VBLK_CONFIG_SIZE,
	.config_read = blk_config_read,
	.config_write = blk_config_write,
	.notify = blk_notify,
	.reset = blk_reset,
};

static uint32_t min32(uint64_t a, uint64_t b)
{
	uint64_t m = a < b ? a : b;
	return m > 0xffffffffu ? 0xffffffffu : (uint32_t)m;
}

void virtio_blk_init(struct virtio_blk *vb, const char *name, const struct vblk_params *prm,
		     const struct dma_space *mem, const struct irq_line *irq)
{
	struct blkdev *be = prm->be;
	uint8_t *cf = vb->config;
	uint64_t f = BIT(VIRTIO_BLK_F_SIZE_MAX) | BIT(VIRTIO_BLK_F_SEG_MAX) |
		     BIT(VIRTIO_BLK_F_BLK_SIZE) | BIT(VIRTIO_BLK_F_FLUSH) |
		     BIT(VIRTIO_BLK_F_CONFIG_WCE) | BIT(VIRTIO_BLK_F_MQ);

	memset(vb, 0, offsetof(struct virtio_blk, seg));
	vb->be = be;
	vb->start = prm->start;
	vb->sectors = prm->sectors;
	vb->read_only = prm->read_only || be->read_only;
	vb->reliable = prm->reliable;
	vb->nslots = prm->inflight < VBLK_INFLIGHT ? prm->inflight : VBLK_INFLIGHT;
	for (unsigned i = 0; i < VBLK_INFLIGHT; i++)
		vb->req[i] = (struct vblk_req){ .vb = vb, .b = { .done = blk_done, .ctx = &vb->req[i] } };
	if (prm->serial)
		strncpy(vb->serial, prm->serial, VBLK_SERIAL_LEN); /* NUL-padded, maybe unterminated */
	if (vb->read_only)
		f |= BIT(VIRTIO_BLK_F_RO);
	if (be->can_discard)
		f |= BIT(VIRTIO_BLK_F_DISCARD);
	if (be->can_write_zeroes)
		f |= BIT(VIRTIO_BLK_F_WRITE_ZEROES);

	put_le(cf + C_CAPACITY, vb->sectors, 8);
	put_le(cf + C_SIZE_MAX, size_max(vb), 4);
	put_le(cf + C_SEG_MAX, seg_max(vb), 4);
	put_le(cf + C_BLK_SIZE, be->blk_size, 4);
	put_le(cf + C_MAX_DISCARD_SECTORS, min32(be->max_discard_sectors, vb->sectors), 4);
	put_le(cf + C_MAX_DISCARD_SEG, min32(be->max_discard_seg, BLK_MAX_RANGES), 4);
	put_le(cf + C_DISCARD_ALIGN, be->discard_align, 4);
	put_le(cf + C_MAX_WZ_SECTORS, min32(be->max_wz_sectors, vb->sectors), 4);
	put_le(cf + C_MAX_WZ_SEG, min32(be->max_wz_seg, BLK_MAX_RANGES), 4);
	cf[C_WZ_MAY_UNMAP] = be->wz_may_unmap;

	virtio_dev_init(&vb->dev, &virtio_blk_ops, vb, name, mem, irq);
	vb->dev.features = f;
	vb->dev.nqueues = prm->nqueues < 1 ? 1 : prm->nqueues > VIRTIO_MAX_QUEUES ? VIRTIO_MAX_QUEUES
										     : prm->nqueues;
	put_le(cf + C_NUM_QUEUES, vb->dev.nqueues, 2);
}

bool virtio_blk_quiesce(struct virtio_blk *vb)
{
	bool dirty, drained;

	/* No more requests from the stopped guest's rings, not even those
	 * waiting for a slot; the device reset that follows clears this. */
	spin_lock(&vb->dev.lock);
	vb->stopping = true;
	vb->stalled = 0;
	drain(vb);
	drained = vb->inflight == 0;
	dirty = vb->dirty;
	vb->dirty = false;
	spin_unlock(&vb->dev.lock);
	if (dirty && vb->be->can_flush && vb->be->ops->sync(vb->be))
		WARN("%s: the backend did not confirm its flush", vb->dev.name);
	return drained;
}

/* ---- the device type: partition file, creation, stop and restart ---- */

VDEV_CFG_FITS(struct disk_config);
/* Not cleared at boot (HV_NOINIT, 1 MiB of chain storage): a disk is
 * cleared by virtio_blk_init() when it is created, and no other is used. */
static struct virtio_blk vblk_pool[CONFIG_MAX_PARTITIONS][CFG_MAX_DISKS] HV_NOINIT;

static void blk_parse(struct cfg_parser *p, int node, struct part_config *pc, struct dev_config *dc)
{
	static const char *const props[] = { "backend", "window", "read-only", "write-policy",
					     "shared", NULL };
	static const char *const policies[] = { "reliable", "normal", NULL };
	struct disk_config *d = VDEV_CFG(struct disk_config, dc);
	const fdt32_t *c;
	int len, b;

	(void)pc;
	check_known(p, node, props, NULL);
	b = cfg_ref(p, node, "backend", "storage", cfg_backend);
	if (b < 0)
		return;
	d->backend = (uint32_t)b;
	strcpy(d->backend_name, p->cfg->backend[b].name);
	d->read_only = cfg_flag(p, node, "read-only");
	d->shared = cfg_flag(p, node, "shared");
	d->reliable = cfg_choice(p, node, "write-policy", policies, 1) == 0;
	c = cfdt_getprop(p->fdt, node, "window", &len);
	if (!c) {
		d->whole = true;
	} else if (len != 16) {
		perr(p, node, "window", "must be <first-sector sectors>, 2 cells each, got %d bytes",
		     len);
	} else {
		const struct backend_config *be = &p->cfg->backend[d->backend];
		/* Known now for a RAM disk; a physical disk is checked at boot. */
		uint64_t size = be->kind == BACKEND_RAM && be->image.present ? be->image.size / CFG_SECTOR : 0;
		d->start = be_cells(c, 2);
		d->sectors = be_cells(c + 2, 2);
		if (d->sectors == 0 || d->start + d->sectors < d->start)
			perr(p, node, "window", "empty or wrapping window");
		else if (size && d->start + d->sectors > size)
			perr(p, node, "window", "sectors [%llu, +%llu) go past the end of backend %s "
			     "(%llu sectors)", (unsigned long long)d->start,
			     (unsigned long long)d->sectors, be->name, (unsigned long long)size);
	}
}

/* Request slots a disk gets from its backend at boot: its fair share, or
 * what is left. The checker runs the same sums for physical disks with
 * BLK_PHYS_SLOTS. */
static unsigned slots_for(uint32_t slots, uint32_t reserved)
{
	return slots - reserved < VBLK_INFLIGHT ? slots - reserved : VBLK_INFLIGHT;
}

/* Two partitions' windows on one backend may overlap only when neither can
 * write, or when both are marked shared (BLK-6). A physical backend has
 * request slots for so many disks. */
static void blk_check(struct cfg_parser *p)
{
	const struct hv_config *cfg = p->cfg;
	uint32_t reserved[CFG_MAX_BACKENDS] = { 0 };

	for (unsigned a = 0; a < cfg->nparts; a++)
		for (unsigned i = 0; i < cfg->parts[a].ndevs; i++) {
			const struct dev_config *dx = &cfg->parts[a].dev[i];
			const struct disk_config *x = VDEV_CFG(const struct disk_config, dx);
			if (dx->invalid || dx->type != &virtio_blk_type || x->backend >= cfg->nbackends)
				continue;
			if (cfg->backend[x->backend].kind == BACKEND_VIRTIO_BLK) {
				unsigned n = slots_for(BLK_PHYS_SLOTS, reserved[x->backend]);
				if (n == 0)
					perr(p, dx->node, "backend",
					     "%s has no request slots left for another disk",
					     cfg->backend[x->backend].name);
				reserved[x->backend] += n;
			}
			for (unsigned b = 0; b < a; b++)
				for (unsigned j = 0; j < cfg->parts[b].ndevs; j++) {
					const struct dev_config *dy = &cfg->parts[b].dev[j];
					const struct disk_config *y = VDEV_CFG(const struct disk_config, dy);
					char other[CFG_PATH_MAX];
					if (dy->invalid || dy->type != &virtio_blk_type || x->backend != y->backend ||
					    (x->read_only && y->read_only) || (x->shared && y->shared))
						continue;
					if (!x->whole && !y->whole &&
					    !range_overlaps(x->start, x->sectors, y->start, y->sectors))
						continue;
					node_path(p->fdt, dy->node, other);
					perr(p, dx->node, "window",
					     "overlaps %s on backend %s, and one of them can write "
					     "(mark both shared to allow it)",
					     other, cfg->backend[x->backend].name);
				}
		}
}

/* The window checked against the backend's real size, its share of the
 * backend's request slots reserved. */
static int blk_create(struct vdev_inst *d)
{
	const struct disk_config *dc = VDEV_CFG(const struct disk_config, d->cfg);
	struct virtio_blk *vb = &vblk_pool[d->part_id][d->cfg->nth];
	struct blkdev *be = blk_backend(dc->backend);
	struct vblk_params prm = { .be = be, .start = dc->start, .sectors = dc->sectors,
				   .read_only = dc->read_only, .reliable = dc->reliable,
				   .nqueues = d->nvcpus };
	char serial[VBLK_SERIAL_LEN + 1];

	if (!be) {
		vdev_refuse(d, "backend", "not available");
		return -1;
	}
	if (dc->whole) {
		prm.start = 0;
		prm.sectors = be->sectors;
	} else if (dc->start > be->sectors || dc->sectors > be->sectors - dc->start) {
		vdev_refuse(d, "window", "sectors [%llu, +%llu) go past the end of backend %s "
			    "(%llu sectors)", (unsigned long long)dc->start,
			    (unsigned long long)dc->sectors, dc->backend_name,
			    (unsigned long long)be->sectors);
		return -1;
	}
	if ((prm.start | prm.sectors) & (be->blk_size / BLK_SECTOR - 1)) {
		vdev_refuse(d, "window", "not aligned to %s's %u-byte blocks", dc->backend_name,
			    be->blk_size);
		return -1;
	}
	prm.inflight = slots_for(be->slots, be->reserved);
	if (prm.inflight == 0) {
		vdev_refuse(d, "backend", "%s has no request slots left for another disk",
			    dc->backend_name);
		return -1;
	}
	be->reserved += prm.inflight;
	/* "<partition>-<n>"; a long name is cut so the number stays. */
	snprintf(serial, sizeof(serial), "%.*s-%u", VBLK_SERIAL_LEN - 2, d->part_name,
		 (unsigned)d->cfg->nth);
	prm.serial = serial;
	virtio_blk_init(vb, d->name, &prm, d->mem, &d->irq);
	d->priv = vb;
	d->vdev = &vb->dev;
	INFO("%s: %llu sectors at %llu on %s, %s%s", d->name, (unsigned long long)prm.sectors,
	     (unsigned long long)prm.start, be->name, dc->read_only ? "read-only" : "read-write",
	     dc->read_only ? "" : dc->reliable ? ", reliable (write-through)" : ", normal (writeback)");
	return 0;
}

static bool blk_quiesce(struct vdev_inst *d)
{
	return virtio_blk_quiesce(d->priv);
}

/* Request slots taken (each a blk_req at the backend or being decoded). */
static uint64_t blk_held(const struct vdev_inst *d)
{
	return ((const struct virtio_blk *)d->priv)->inflight;
}

const struct vdev_type virtio_blk_type = {
	.name = "virtio-blk",
	.suffixed = true,
	.max = CFG_MAX_DISKS,
	.too_many = "more than %u disks in one partition",
	.size = VIRTIO_MMIO_SIZE,
	.dma = true,
	.parse = blk_parse,
	.check = blk_check,
	.create = blk_create,
	.quiesce = blk_quiesce,
	.held = blk_held,
	.held_unit = "request slots",
};
