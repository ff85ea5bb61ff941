/* The hypervisor's own driver for a physical virtio-blk (virtio-mmio
 * version 2; on QEMU `-device virtio-blk-device` with
 * `-global virtio-mmio.force-legacy=false`): a block backend
 * (include/hv/blkdev.h) with completions by interrupt.
 *
 * One queue of up to 256 entries, of which the first 64 are used: every
 * request is one head descriptor pointing at its slot's indirect table:
 * the hypervisor's copy of the header, the data (guest RAM, already checked
 * by the virtual disk) or the ranges, and a status byte the hypervisor
 * owns. What the device returns is checked: an unknown or idle id is
 * ignored, a status other than OK/IOERR/UNSUPP counts as IOERR.
 *
 * Where the interrupt goes: while every request in flight was submitted by
 * one CPU, to that CPU, so a completion is finished in place, in the
 * interrupt that wakes the vCPU waiting for it (no second CPU, no work
 * item, no SGI); as soon as two CPUs have requests in flight, to the
 * neutral CPU (the first no partition owns, as for every driver's
 * interrupt, arch/arm64/traps.c), which hands each CPU its own. The route
 * changes only when a request is submitted, and only when it must: a
 * partition takes the interrupts of its own requests, and of another's
 * only when that one's was already pending when the route moved.
 *
 * The completion interrupt only collects what the device finished; each
 * request is completed (done()) on the CPU that submitted it, the CPU of
 * the vCPU whose disk it is: in place when that is this CPU, else through
 * a work item on that CPU's work queue (include/hv/workq.h), so the
 * virtual disk's work (its used ring, its interrupt, the requests waiting
 * for a slot) is done on the partition's own CPU, not in the trap of
 * whichever vCPU took the interrupt. A poll() completes every finished
 * request in place: its caller is waiting and must not wait for another
 * CPU.
 * Lock order: sync_lock, then lock. Completions (done()) are called with
 * neither held, except that a sync() waiting holds sync_lock. */
#include <drivers/irqchip.h>
#include <arch/sysreg.h>
#include <drivers/drivers.h>
#include <drivers/virtio_drv.h>
#include <generated/autoconf.h>
#include <hv/arch.h>
#include <hv/blkdev.h>
#include <hv/boot.h>
#include <hv/config.h>
#include <hv/log.h>
#include <hv/workq.h>
#include <platform.h>
#include <stdio.h>
#include <string.h>
#include <vdev/virtio_blk.h>

#define PQ 256           /* queue entries at most: chains of 256 descriptors */
#define PSLOTS 64        /* requests in flight at most (one kept for sync()) */
#define PIND (BLK_MAX_SEGS + 2) /* header, data or ranges, status */
#define PHYS_MAX 4       /* physical devices driven */
#define SYNC_SPINS 50000000UL

/* DONE: finished by the device, waiting in pend[] to be completed on its
 * CPU. */
enum slot_state { SLOT_FREE, SLOT_BUSY, SLOT_DONE, SLOT_ABANDONED };

struct pslot {
	struct virtq_desc *ind; /* PIND entries, its indirect table */
	struct { uint32_t type, reserved; uint64_t sector; } hdr;
	struct blk_req *req;
	uint8_t status;
	uint8_t state; /* enum slot_state; ABANDONED: the device may still own it */
	uint8_t cpu;   /* the physical CPU that submitted it */
} __attribute__((aligned(16)));

/* The queue's areas, set up when a device is found (not cleared at boot). */
struct pring {
	struct virtq_desc desc[PQ] __attribute__((aligned(16)));
	struct { uint16_t flags, idx, ring[PQ], used_event; } avail __attribute__((aligned(2)));
	struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[PQ]; uint16_t avail_event; }
		used __attribute__((aligned(4)));
};

struct pdisk { // NOLINT(clang-analyzer-optin.performance.Padding): one per disk, members in reading order
	struct blkdev bd;
	struct vdrv dev;
	spinlock_t lock, sync_lock;
	uint64_t features;
	unsigned qsz, nslots;
	bool failed, warned;
	uint16_t last_used;
	struct pring *ring;
	uint32_t intid;
	uint8_t home;  /* the neutral CPU for its interrupt */
	uint8_t route; /* where the interrupt goes now */
	unsigned nbusy; /* slots at the device */
	uint8_t nbusy_cpu[CONFIG_MAX_CPUS]; /* of them, submitted by each CPU */
	struct pslot slot[PSLOTS];
	uint8_t pend[PSLOTS]; /* finished slots not yet completed, in device order */
	unsigned npend;
	uint64_t posted;  /* CPUs with a deliver_work() item queued */
	struct blk_req sync_req;
	volatile bool sync_done;
	char name[24];
};

/* Not cleared at boot (HV_NOINIT): blk_phys_open() clears a disk's state
 * the first time it is opened; a file without physical disks pays nothing. */
static struct pdisk pdisks[PHYS_MAX] HV_NOINIT;
static bool pdisk_cleared[PHYS_MAX];
/* Written before they are read: not cleared at boot (1 MiB of tables). */
static struct pring prings[PHYS_MAX] HV_NOINIT;
static struct virtq_desc ptables[PHYS_MAX][PSLOTS][PIND] HV_NOINIT __attribute__((aligned(16)));
_Static_assert(CONFIG_MAX_CPUS <= 64, "posted is a 64-bit CPU mask");

static bool has(const struct pdisk *p, unsigned f)
{
	return (p->features >> f) & 1;
}

static void set_desc(struct virtq_desc *d, const void *p, uint32_t len, uint16_t flags, uint16_t next)
{
	d->addr = arch_virt_to_phys(p);
	d->len = len;
	d->flags = flags;
	d->next = next;
}

/* The interrupt to cpu, the one submitting now, while it alone has
 * requests in flight; else to the neutral CPU (lock held; see the top). */
static void route_for(struct pdisk *p, unsigned cpu)
{
	unsigned want = p->nbusy_cpu[cpu] == p->nbusy ? cpu : p->home;

	if (want != p->route) {
		p->route = (uint8_t)want;
		irqchip->spi_route(p->intid, want);
	}
}

static int phys_submit(struct blkdev *b, struct blk_req *r)
{
	static const uint32_t type[] = {
		[BLK_READ] = VIRTIO_BLK_T_IN, [BLK_WRITE] = VIRTIO_BLK_T_OUT,
		[BLK_FLUSH] = VIRTIO_BLK_T_FLUSH, [BLK_DISCARD] = VIRTIO_BLK_T_DISCARD,
		[BLK_WRITE_ZEROES] = VIRTIO_BLK_T_WRITE_ZEROES,
	};
	struct pdisk *p = b->priv;
	struct pring *q = p->ring;
	struct virtq_desc *t;
	struct pslot *s = NULL;
	unsigned n = 1, i, cpu;
	uint16_t avail;

	if ((r->op == BLK_FLUSH && !has(p, VIRTIO_BLK_F_FLUSH)) ||
	    (r->op == BLK_DISCARD && !has(p, VIRTIO_BLK_F_DISCARD)) ||
	    (r->op == BLK_WRITE_ZEROES && !has(p, VIRTIO_BLK_F_WRITE_ZEROES)) ||
	    r->op > BLK_WRITE_ZEROES) {
		r->status = r->op == BLK_FLUSH ? BLK_OK : BLK_UNSUPP;
		return 0;
	}
	if (r->nseg > b->seg_max || r->nrange > BLK_MAX_RANGES) {
		r->status = BLK_IOERR;
		return 0;
	}
	cpu = arch_cpu_id();
	spin_lock(&p->lock);
	for (i = 0; i < p->nslots; i++)
		if (p->slot[i].state == SLOT_FREE) {
			s = &p->slot[i];
			break;
		}
	if (p->failed || !s) {
		spin_unlock(&p->lock);
		r->status = BLK_IOERR;
		return 0;
	}
	s->hdr.type = type[r->op];
	s->hdr.reserved = 0;
	s->hdr.sector = r->op == BLK_READ || r->op == BLK_WRITE ? r->sector : 0;
	s->status = 0xff;
	s->req = r;
	s->state = SLOT_BUSY;
	s->cpu = (uint8_t)cpu;
	t = s->ind;
	/* ind[0] (the header) and the status byte's address were set when
	 * the device was opened; the header's next is always 1. */
	if (r->nseg) {
		/* len, flags and next as one little-endian word. */
		uint64_t f = (uint64_t)(VIRTQ_DESC_F_NEXT | (r->op == BLK_READ ? VIRTQ_DESC_F_WRITE : 0))
			     << 32;
		const struct dma_seg *g = r->seg;
		struct virtq_desc *e = &t[1], *end = &t[1 + r->nseg];
		uint64_t next = (uint64_t)2 << 48;
		for (; e < end; e++, g++, next += (uint64_t)1 << 48) {
			uint64_t w = g->len | f | next;
			e->addr = arch_virt_to_phys(g->p);
			__builtin_memcpy(&e->len, &w, sizeof(w));
		}
		n += r->nseg;
	} else if (r->nrange) {
		set_desc(&t[n], r->range, r->nrange * (uint32_t)sizeof(struct blk_range),
			 VIRTQ_DESC_F_NEXT, (uint16_t)(n + 1));
		n++;
	}
	set_desc(&t[n], &s->status, 1, VIRTQ_DESC_F_WRITE, 0);
	n++;
	q->desc[i].len = n * (uint32_t)sizeof(struct virtq_desc); /* addr, flags: set at open */
	p->nbusy++;
	p->nbusy_cpu[cpu]++;
	route_for(p, cpu);
	avail = q->avail.idx;
	q->avail.ring[avail % p->qsz] = (uint16_t)i;
	dsb(sy); /* descriptors and ring entry before the index, for the device */
	*(volatile uint16_t *)&q->avail.idx = (uint16_t)(avail + 1);
	dsb(sy);
	if (!(*(volatile uint16_t *)&q->used.flags & 1)) /* VIRTQ_USED_F_NO_NOTIFY */
		vdrv_wr(&p->dev, VDRV_QUEUE_NOTIFY, 0);
	spin_unlock(&p->lock);
	return 1;
}

/* End slot s's request with status (lock held): the hypervisor's own
 * flush at once; any other request joins pend[], to be completed on its
 * CPU. An abandoned slot is never reused; a finished one once completed. */
static void slot_end(struct pdisk *p, struct pslot *s, uint8_t status, bool abandon)
{
	s->req->status = status;
	p->nbusy--;
	p->nbusy_cpu[s->cpu]--;
	if (s->req == &p->sync_req) {
		s->state = abandon ? SLOT_ABANDONED : SLOT_FREE;
		p->sync_done = true;
		return;
	}
	s->state = abandon ? SLOT_ABANDONED : SLOT_DONE;
	p->pend[p->npend++] = (uint8_t)(s - p->slot);
}

/* Take the requests of pend[] submitted by CPU cpu (any: -1) into done[],
 * in the order the device finished them (lock held). */
static unsigned take_done(struct pdisk *p, int cpu, struct blk_req **done)
{
	unsigned n = 0, keep = 0;

	for (unsigned k = 0; k < p->npend; k++) {
		struct pslot *s = &p->slot[p->pend[k]];
		if (cpu >= 0 && s->cpu != (unsigned)cpu) {
			p->pend[keep++] = p->pend[k];
			continue;
		}
		if (s->state == SLOT_DONE)
			s->state = SLOT_FREE;
		done[n++] = s->req;
	}
	p->npend = keep;
	return n;
}

static void complete(struct blk_req **done, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		done[i]->done(done[i]);
}

/* On the CPU the item was posted to: complete this CPU's requests. */
static void deliver_work(void *arg)
{
	struct pdisk *p = arg;
	struct blk_req *done[PSLOTS];
	unsigned me = arch_cpu_id(), n;

	spin_lock(&p->lock);
	p->posted &= ~BIT(me);
	n = take_done(p, (int)me, done);
	spin_unlock(&p->lock);
	complete(done, n);
}

/* Collect what the device finished into pend[] first when collect (see
 * harvest_locked()); then complete what pend[] holds for this CPU (every
 * CPU's when all) here, with no lock held; post one deliver_work() to each other CPU with requests
 * waiting and none queued yet. A CPU whose work queue is full has its
 * requests completed here instead: late and on the wrong CPU, never lost. */
static void harvest_locked(struct pdisk *p);

static void deliver(struct pdisk *p, bool all, bool collect)
{
	struct blk_req *done[PSLOTS];
	unsigned me = arch_cpu_id(), n;
	uint64_t post = 0;

	spin_lock(&p->lock);
	if (collect)
		harvest_locked(p);
	n = take_done(p, all ? -1 : (int)me, done);
	for (unsigned k = 0; k < p->npend; k++)
		post |= BIT(p->slot[p->pend[k]].cpu);
	post &= ~p->posted;
	p->posted |= post;
	spin_unlock(&p->lock);
	complete(done, n);
	for (unsigned cpu = 0; post; cpu++) {
		if (!(post & BIT(cpu)))
			continue;
		post &= ~BIT(cpu);
		if (workq_post(cpu, deliver_work, p) == 0)
			continue;
		spin_lock(&p->lock);
		p->posted &= ~BIT(cpu);
		n = take_done(p, (int)cpu, done);
		spin_unlock(&p->lock);
		complete(done, n);
	}
}

/* Collect what the device finished into pend[] (lock held; the caller
 * delivers). At most a queue's worth per call, however the device moves
 * its index. */
static void harvest_locked(struct pdisk *p)
{
	uint16_t end;

	end = *(volatile uint16_t *)&p->ring->used.idx;
	dsb(sy); /* the entries after the index */
	for (unsigned k = 0; p->last_used != end && k < p->qsz; k++) {
		uint32_t id = p->ring->used.ring[p->last_used % p->qsz].id;
		struct pslot *s;
		p->last_used++;
		if (p->failed || id >= p->nslots || p->slot[id].state != SLOT_BUSY) {
			if (!p->warned && !p->failed)
				WARN("%s: device returned unknown request %u; ignored", p->name, id);
			p->warned = true;
			continue;
		}
		s = &p->slot[id];
		slot_end(p, s, s->status <= BLK_UNSUPP ? s->status : BLK_IOERR, false);
	}
}

/* The device gave up (DEVICE_NEEDS_RESET) or stopped answering: every
 * request in flight ends with IOERR (the caller delivers), and new ones
 * get IOERR at once. The slots are abandoned, never reused: the device may
 * still own the buffers they point to. */
static void fail_all(struct pdisk *p, const char *why)
{
	spin_lock(&p->lock);
	if (!p->failed)
		ERR("%s: %s; its disks now return I/O errors", p->name, why);
	p->failed = true;
	for (unsigned i = 0; i < p->nslots; i++) {
		if (p->slot[i].state == SLOT_BUSY)
			slot_end(p, &p->slot[i], BLK_IOERR, true);
	}
	spin_unlock(&p->lock);
}

/* The interrupt, or a poll (all: complete everything here). */
static void service(struct pdisk *p, bool all)
{
	uint32_t isr = vdrv_rd(&p->dev, VDRV_INT_STATUS);

	vdrv_wr(&p->dev, VDRV_INT_ACK, isr);
	dsb(sy); /* acknowledged before the ring is read: nothing is missed */
	if ((isr & 2) && (vdrv_rd(&p->dev, VDRV_STATUS) & 64)) {
		spin_lock(&p->lock);
		harvest_locked(p);
		spin_unlock(&p->lock);
		fail_all(p, "the device needs a reset");
		deliver(p, all, false);
		return;
	}
	deliver(p, all, true); /* harvest and complete under one lock */
}

static void phys_irq(void *ctx)
{
	service(ctx, false);
}

static void phys_poll(struct blkdev *b)
{
	service(b->priv, true);
}

static int phys_sync(struct blkdev *b)
{
	struct pdisk *p = b->priv;
	int rc = -1;

	if (!has(p, VIRTIO_BLK_F_FLUSH))
		return 0;
	spin_lock(&p->sync_lock);
	p->sync_done = false;
	p->sync_req = (struct blk_req){ .op = BLK_FLUSH };
	if (phys_submit(b, &p->sync_req) == 0) {
		rc = p->sync_req.status == BLK_OK ? 0 : -1;
	} else {
		for (unsigned long spin = 0; spin < SYNC_SPINS && !p->sync_done; spin++)
			phys_poll(b);
		if (!p->sync_done) { /* its slot is abandoned with the rest */
			fail_all(p, "the device did not answer a flush");
			deliver(p, true, false);
		}
		rc = p->sync_req.status == BLK_OK ? 0 : -1;
	}
	spin_unlock(&p->sync_lock);
	return rc;
}

static const struct blkdev_ops phys_ops = { .submit = phys_submit, .poll = phys_poll,
					    .sync = phys_sync };

/* The first CPU no partition owns, CPU 0 when every CPU is owned: where
 * hv_irq_register() sends a driver's interrupt (arch/arm64/traps.c). */
static unsigned neutral_cpu(void)
{
	for (unsigned cpu = 0; hv_config && cpu < CONFIG_NR_CPUS_PLATFORM; cpu++) {
		bool owned = false;
		for (unsigned i = 0; i < hv_config->nparts; i++)
			for (unsigned j = 0; j < hv_config->parts[i].ncpus; j++)
				owned |= hv_config->parts[i].cpus[j] == cpu;
		if (!owned)
			return cpu;
	}
	return 0;
}

static uint32_t clamp_nz(uint32_t v, uint32_t max)
{
	return v == 0 || v > max ? max : v;
}

struct blkdev *blk_phys_open(unsigned index)
{
	struct pdisk *p;
	uint64_t want = BIT(VIRTIO_BLK_F_SIZE_MAX) | BIT(VIRTIO_BLK_F_SEG_MAX) |
			BIT(VIRTIO_BLK_F_RO) | BIT(VIRTIO_BLK_F_BLK_SIZE) | BIT(VIRTIO_BLK_F_FLUSH) |
			BIT(VIRTIO_BLK_F_DISCARD) | BIT(VIRTIO_BLK_F_WRITE_ZEROES);

	if (index >= PHYS_MAX)
		return NULL;
	p = &pdisks[index];
	if (!pdisk_cleared[index]) {
		memset(p, 0, sizeof(*p));
		pdisk_cleared[index] = true;
	}
	if (p->bd.ops)
		return &p->bd;
	if (!vdrv_find(&p->dev, 2, index))
		return NULL;
	snprintf(p->name, sizeof(p->name), "virtio-blk@%lx", VDRV_ADDR(p->dev.slot));
	p->features = vdrv_negotiate(&p->dev, want, BIT(VIRTIO_F_INDIRECT_DESC));
	if (!p->features) {
		ERR("%s: no modern virtio-blk with indirect descriptors", p->name);
		return NULL;
	}
	vdrv_wr(&p->dev, VDRV_QUEUE_SEL, 0);
	p->qsz = PQ;
	while (p->qsz > 2 && vdrv_rd(&p->dev, VDRV_QUEUE_NUM_MAX) < p->qsz)
		p->qsz /= 2;
	p->nslots = p->qsz < PSLOTS ? p->qsz : PSLOTS;
	p->ring = &prings[index];
	memset(p->ring, 0, sizeof(*p->ring));
	/* What never changes: each slot's head descriptor points at its
	 * indirect table, whose first entry is the header. */
	for (unsigned i = 0; i < p->nslots; i++) {
		struct pslot *s = &p->slot[i];
		s->ind = ptables[index][i];
		set_desc(&p->ring->desc[i], s->ind, 0, VIRTQ_DESC_F_INDIRECT, 0);
		set_desc(&s->ind[0], &s->hdr, sizeof(s->hdr), VIRTQ_DESC_F_NEXT, 1);
	}
	if (!vdrv_queue(&p->dev, 0, p->qsz, p->ring->desc, &p->ring->avail, &p->ring->used)) {
		vdrv_fail(&p->dev);
		ERR("%s: queue setup refused", p->name);
		return NULL;
	}
	p->bd = (struct blkdev){
		.ops = &phys_ops,
		.name = p->name,
		.sectors = vdrv_config64(&p->dev, 0),
		.blk_size = has(p, VIRTIO_BLK_F_BLK_SIZE) ? vdrv_config32(&p->dev, 20) : BLK_SECTOR,
		/* An indirect table is header, data (or ranges), status: no
		 * longer than the queue ([VIRTIO] 2.7.5.3.1). */
		.seg_max = has(p, VIRTIO_BLK_F_SEG_MAX)
				   ? clamp_nz(vdrv_config32(&p->dev, 12), p->qsz - 2 < BLK_MAX_SEGS
									     ? p->qsz - 2 : BLK_MAX_SEGS)
				   : 1,
		.size_max = has(p, VIRTIO_BLK_F_SIZE_MAX) ? vdrv_config32(&p->dev, 8) : 0,
		.read_only = has(p, VIRTIO_BLK_F_RO),
		.can_flush = has(p, VIRTIO_BLK_F_FLUSH),
		.slots = p->nslots - 1, /* one kept for sync() */
		.priv = p,
	};
	if (p->bd.blk_size < BLK_SECTOR || p->bd.blk_size > 65536 ||
	    (p->bd.blk_size & (p->bd.blk_size - 1)))
		p->bd.blk_size = BLK_SECTOR;
	if (p->bd.size_max && p->bd.size_max < BLK_SECTOR)
		p->bd.size_max = BLK_SECTOR;
	if (has(p, VIRTIO_BLK_F_DISCARD)) {
		p->bd.can_discard = true;
		p->bd.max_discard_sectors = clamp_nz(vdrv_config32(&p->dev, 36), 0x400000);
		p->bd.max_discard_seg = clamp_nz(vdrv_config32(&p->dev, 40), BLK_MAX_RANGES);
		p->bd.discard_align = vdrv_config32(&p->dev, 44);
	}
	if (has(p, VIRTIO_BLK_F_WRITE_ZEROES)) {
		p->bd.can_write_zeroes = true;
		p->bd.max_wz_sectors = clamp_nz(vdrv_config32(&p->dev, 48), 0x400000);
		p->bd.max_wz_seg = clamp_nz(vdrv_config32(&p->dev, 52), BLK_MAX_RANGES);
		p->bd.wz_may_unmap = vdrv_config32(&p->dev, 56) & 0xff;
	}
	if (p->bd.read_only)
		WARN("%s: the device is read-only; its disks are offered read-only", p->name);
	p->intid = VDRV_INTID(p->dev.slot);
	p->home = p->route = (uint8_t)neutral_cpu();
	hv_irq_register(p->intid, phys_irq, p);
	vdrv_driver_ok(&p->dev);
	INFO("%s: %llu sectors, block size %u, %u in flight%s%s%s", p->name,
	     (unsigned long long)p->bd.sectors, p->bd.blk_size, p->bd.slots,
	     p->bd.can_flush ? ", flush" : "", p->bd.can_discard ? ", discard" : "",
	     p->bd.can_write_zeroes ? ", write-zeroes" : "");
	return &p->bd;
}
