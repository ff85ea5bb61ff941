/* virtio-iommu: see include/vdev/virtio_iommu.h. */
#include <hv/config_schema.h>
#include <hv/guest_fdt.h>
#include <hv/log.h>
#include <hv/vdev.h>
#include <hv/workq.h>
#include <string.h>
#include <vdev/virtio_iommu.h>

enum { REQQ = 0, EVTQ = 1 };

/* Config layout ([VIRTIO] 5.13.4). */
enum {
	C_PAGE_SIZE_MASK = 0, C_INPUT_START = 8, C_INPUT_END = 16, C_DOMAIN_START = 24,
	C_DOMAIN_END = 28, C_PROBE_SIZE = 32, C_BYPASS = 36,
};

#define DOMAIN_LAST 0xffffu /* domain IDs offered: [0, DOMAIN_LAST] */

static void put_le(uint8_t *b, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* ---- endpoints' DMA spaces ---- */

/* What endpoint i may reach now, put into its DMA space (its lock held). */
static void set_view(struct virtio_iommu *v, unsigned i)
{
	const struct iommu_domain *dom = NULL;
	struct dma_space *s = &v->ep[i].dev->dma;

	switch (iommu_reach(&v->m, v->ep[i].id, &dom)) {
	case IOMMU_ALL:
		dma_space_view(s, DMA_VIEW_ALL, NULL);
		break;
	case IOMMU_MAPPED:
		dma_space_view(s, DMA_VIEW_DOMAIN, dom);
		break;
	default:
		dma_space_view(s, DMA_VIEW_NONE, NULL);
		break;
	}
}

static void lock_eps(struct virtio_iommu *v, uint32_t mask)
{
	for (unsigned i = 0; i < v->nep; i++)
		if (mask & (1u << i))
			spin_lock(&v->ep[i].dev->lock);
}

static void unlock_eps(struct virtio_iommu *v, uint32_t mask)
{
	for (unsigned i = v->nep; i-- > 0;)
		if (mask & (1u << i))
			spin_unlock(&v->ep[i].dev->lock);
}

/* Every endpoint's view again (bypass changed, device reset); no request
 * waits for these, so no fence. */
static void set_views(struct virtio_iommu *v)
{
	for (unsigned i = 0; i < v->nep; i++) {
		spin_lock(&v->ep[i].dev->lock);
		set_view(v, i);
		v->ep[i].fencing = false;
		spin_unlock(&v->ep[i].dev->lock);
	}
}

/* The endpoints a request can change, by index: ATTACH and DETACH their
 * endpoint; MAP and UNMAP every endpoint attached to their domain. Decided
 * from the hypervisor's copy, before the request runs, so their locks are
 * held while it changes what they translate through. */
static uint32_t affected(struct virtio_iommu *v, const uint8_t *in, size_t inlen)
{
	uint32_t mask = 0;

	if (inlen < 12)
		return 0;
	if (in[0] == VIRTIO_IOMMU_T_ATTACH || in[0] == VIRTIO_IOMMU_T_DETACH) {
		for (unsigned i = 0; i < v->nep; i++)
			if (v->ep[i].id == get_le32(in + 8))
				mask |= 1u << i;
	} else if (in[0] == VIRTIO_IOMMU_T_MAP || in[0] == VIRTIO_IOMMU_T_UNMAP) {
		const struct iommu_dom_slot *s = iommu_domain_get(&v->m, get_le32(in + 4));
		for (unsigned i = 0; s && i < v->nep; i++)
			if (v->m.ep[i].dom == s - v->m.dom)
				mask |= 1u << i;
	}
	return mask;
}

/* A request of type t succeeded: the endpoints in mask follow it (their
 * locks held). Access taken away (ATTACH moves, DETACH, UNMAP) is fenced:
 * true when a translation made before is still in use. */
static bool follow(struct virtio_iommu *v, uint8_t t, uint32_t mask)
{
	bool wait = false;

	for (unsigned i = 0; i < v->nep; i++) {
		struct viommu_ep *e = &v->ep[i];
		if (!(mask & (1u << i)))
			continue;
		if (t == VIRTIO_IOMMU_T_MAP)
			continue; /* only more to reach: translations stand */
		if (t == VIRTIO_IOMMU_T_UNMAP)
			dma_space_changed(&e->dev->dma);
		else
			set_view(v, i);
		e->fencing = !dma_fence_start(&e->dev->dma, &e->fence);
		wait |= e->fencing;
	}
	return wait;
}

/* Every fence done (each endpoint's lock taken in turn). */
static bool fences_done(struct virtio_iommu *v)
{
	bool done = true;

	for (unsigned i = 0; i < v->nep; i++) {
		struct viommu_ep *e = &v->ep[i];
		if (!e->fencing)
			continue;
		spin_lock(&e->dev->lock);
		e->fencing = !dma_fence_done(&e->dev->dma, &e->fence);
		spin_unlock(&e->dev->lock);
		done &= !e->fencing;
	}
	return done;
}

/* ---- the request queue ---- */

/* The reply at offset off of the chain's writable buffers. */
static void write_reply(const struct vq_chain *c, const uint8_t *out, size_t off, size_t len)
{
	for (unsigned i = c->nr; i < c->nr + c->nw && len; i++) {
		size_t k;
		if (off >= c->seg[i].len) {
			off -= c->seg[i].len;
			continue;
		}
		k = c->seg[i].len - off < len ? c->seg[i].len - off : len;
		memcpy(c->seg[i].p + off, out, k);
		out += k;
		len -= k;
		off = 0;
	}
}

/* Requests in order; one that waits for its fences holds up the rest
 * (a driver sees its requests complete in the order it sent them). */
static void requests(struct virtio_iommu *v)
{
	struct virtio_dev *d = &v->dev;

	if (v->pending) {
		if (!fences_done(v))
			return;
		v->pending = false;
		if (vq_live(d, REQQ, v->pending_epoch))
			vq_push(d, REQQ, v->pending_head, v->pending_used);
	}
	if (!virtio_driver_ok(d) || !d->vq[REQQ].ready)
		return;
	/* At most a queue's worth per call. */
	for (unsigned k = 0; k < d->vq[REQQ].num; k++) {
		uint8_t in[VIRTIO_IOMMU_REQ_MAX + 1], out[IOMMU_REPLY_MAX(VIOMMU_PROBE_SIZE)];
		struct vq_chain c;
		size_t inlen, len, off, outlen;
		uint32_t mask;
		bool wait = false;

		if (vq_pop(d, REQQ, &c) <= 0)
			return;
		/* Longer than any request: read one byte more, so the length
		 * check refuses it. */
		inlen = c.rlen < sizeof(in) ? (size_t)c.rlen : sizeof(in);
		vq_read(&c, in, inlen);
		outlen = c.wlen < UINT32_MAX ? (size_t)c.wlen : UINT32_MAX;
		mask = affected(v, in, inlen);
		lock_eps(v, mask);
		len = iommu_request(&v->m, &v->prm, in, inlen, out, outlen, &off);
		if (len && out[len - VIRTIO_IOMMU_TAIL_LEN] == VIRTIO_IOMMU_S_OK)
			wait = follow(v, in[0], mask);
		else if (len && out[len - VIRTIO_IOMMU_TAIL_LEN] == VIRTIO_IOMMU_S_NOMEM &&
			 !v->nomem_logged) {
			/* Linux does not check a MAP's status: say why its
			 * device will fault (CONFIG_VIOMMU_MAPPINGS). */
			v->nomem_logged = true;
			WARN("%s: a domain or mapping refused for lack of room (%u mappings a domain); further ones not logged",
			     d->name, (unsigned)IOMMU_MAX_MAPPINGS);
		}
		unlock_eps(v, mask);
		write_reply(&c, out, off, len);
		v->requests++;
		if (wait) {
			v->waits++;
			v->pending = true;
			v->pending_head = c.head;
			v->pending_used = (uint32_t)(off + len);
			v->pending_epoch = d->vq[REQQ].epoch;
			if (!fences_done(v))
				return;
			v->pending = false;
		}
		vq_push(d, REQQ, c.head, (uint32_t)(off + len));
	}
}

/* ---- fault reports ---- */

/* Each report whole in one buffer ([VIRTIO] 5.13.6.9, IOMMU-11): the
 * current 24-byte layout, or in a buffer of 20 to 23 bytes the earlier
 * one (no reserved word before the address). A shorter buffer cannot hold
 * a report: it goes back empty and the report waits for the next. */
static void deliver_faults(struct virtio_iommu *v)
{
	struct virtio_dev *d = &v->dev;

	if (!virtio_driver_ok(d) || !d->vq[EVTQ].ready)
		return;
	for (unsigned k = 0; k < d->vq[EVTQ].num; k++) {
		uint8_t rec[VIOMMU_FAULT_LEN] = { 0 };
		struct viommu_fault f;
		struct vq_chain c;
		uint32_t len;

		spin_lock(&v->fault_lock);
		if (!v->fq_n) {
			spin_unlock(&v->fault_lock);
			return;
		}
		f = v->fq[v->fq_head];
		spin_unlock(&v->fault_lock);
		if (!v->fault_logged) /* one line per device, ever: no flood */
			WARN("%s: IOMMU fault: endpoint %u, address 0x%llx, %s (further ones not logged)",
			     d->name, (unsigned)f.endpoint, (unsigned long long)f.address,
			     f.flags & VIRTIO_IOMMU_FAULT_F_WRITE ? "write" : "read");
		v->fault_logged = true;
		if (vq_pop(d, EVTQ, &c) <= 0)
			return;
		rec[0] = f.reason;
		put_le(rec + 4, f.flags, 4);
		put_le(rec + 8, f.endpoint, 4);
		if (c.wlen >= VIOMMU_FAULT_LEN) {
			put_le(rec + 16, f.address, 8);
			len = VIOMMU_FAULT_LEN;
		} else if (c.wlen >= VIOMMU_FAULT_LEN_OLD) {
			put_le(rec + 12, f.address, 8);
			len = VIOMMU_FAULT_LEN_OLD;
		} else {
			vq_push(d, EVTQ, c.head, 0);
			continue;
		}
		vq_write(&c, rec, len);
		vq_push(d, EVTQ, c.head, len);
		spin_lock(&v->fault_lock);
		v->fq_head = (v->fq_head + 1) % VIOMMU_FAULTS;
		v->fq_n--;
		spin_unlock(&v->fault_lock);
	}
}

static void resume_work(void *arg)
{
	struct virtio_iommu *v = arg;

	__atomic_store_n(&v->work_posted, 0, __ATOMIC_RELEASE);
	virtio_iommu_resume(v);
}

/* Ask for virtio_iommu_resume() on the partition's CPU, once. */
static void kick(struct virtio_iommu *v)
{
	if (__atomic_exchange_n(&v->work_posted, 1, __ATOMIC_ACQ_REL))
		return;
	if (workq_post(v->pcpu, resume_work, v))
		__atomic_store_n(&v->work_posted, 0, __ATOMIC_RELEASE); /* next notify resumes */
}

void virtio_iommu_resume(struct virtio_iommu *v)
{
	spin_lock(&v->dev.lock);
	requests(v);
	deliver_faults(v);
	spin_unlock(&v->dev.lock);
}

/* From an endpoint's DMA space, its lock held: a translation refused. */
static void on_fault(void *ctx, uint32_t ep, uint64_t iova, enum dma_dir dir)
{
	struct virtio_iommu *v = ctx;
	const struct iommu_domain *dom;
	struct viommu_fault f = {
		.reason = iommu_reach(&v->m, ep, &dom) == IOMMU_MAPPED ? VIRTIO_IOMMU_FAULT_R_MAPPING
									: VIRTIO_IOMMU_FAULT_R_DOMAIN,
		.flags = VIRTIO_IOMMU_FAULT_F_ADDRESS |
			 (dir & DMA_TO_DEV ? VIRTIO_IOMMU_FAULT_F_READ : 0) |
			 (dir & DMA_FROM_DEV ? VIRTIO_IOMMU_FAULT_F_WRITE : 0),
		.endpoint = ep,
		.address = iova,
	};

	spin_lock(&v->fault_lock);
	v->faults++;
	if (v->fq_n < VIOMMU_FAULTS)
		v->fq[(v->fq_head + v->fq_n++) % VIOMMU_FAULTS] = f;
	else
		v->faults_dropped++; /* counted; the reports before it stand */
	spin_unlock(&v->fault_lock);
	kick(v);
}

/* From an endpoint's DMA space: an epoch's pins all gone while we wait. */
static void on_drained(void *ctx)
{
	kick(ctx);
}

/* ---- the device ---- */

static void update_bypass(struct virtio_iommu *v)
{
	struct virtio_dev *d = &v->dev;
	bool before = v->m.bypass;

	v->m.bypass_config = virtio_has(d, VIRTIO_IOMMU_F_BYPASS_CONFIG);
	if (!(d->status & VIRTIO_S_FEATURES_OK))
		v->m.bypass = false;
	else if (v->m.bypass_config)
		v->m.bypass = v->config[C_BYPASS] & 1;
	else
		v->m.bypass = virtio_has(d, VIRTIO_IOMMU_F_BYPASS);
	if (v->m.bypass != before)
		set_views(v);
}

static void iommu_status(struct virtio_dev *d, uint32_t old)
{
	struct virtio_iommu *v = d->priv;

	if ((d->status & VIRTIO_S_FEATURES_OK) && !(old & VIRTIO_S_FEATURES_OK)) {
		v->prm.probe = virtio_has(d, VIRTIO_IOMMU_F_PROBE);
		update_bypass(v);
	}
}

static uint64_t iommu_config_read(struct virtio_dev *d, uint32_t off, unsigned w)
{
	struct virtio_iommu *v = d->priv;
	uint64_t x = 0;

	for (unsigned i = 0; i < w; i++)
		x |= (uint64_t)v->config[off + i] << (8 * i);
	return x;
}

/* Only bypass is writable, and only with BYPASS_CONFIG ([VIRTIO] 5.13.4). */
static void iommu_config_write(struct virtio_dev *d, uint32_t off, unsigned w, uint64_t x)
{
	struct virtio_iommu *v = d->priv;

	if (off != C_BYPASS || w != 1 || !virtio_has(d, VIRTIO_IOMMU_F_BYPASS_CONFIG))
		return;
	v->config[C_BYPASS] = x & 1;
	if (d->status & VIRTIO_S_FEATURES_OK)
		update_bypass(v);
}

static void iommu_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_iommu *v = d->priv;

	(void)q;
	requests(v);
	deliver_faults(v);
}

/* Back to boot: nothing attached, no domain, no bypass; every endpoint
 * reaches nothing (IOMMU-2). A request waiting for its fences is dropped
 * with its ring. Fault reports not yet delivered go too. */
static void viommu_reset(struct virtio_dev *d)
{
	struct virtio_iommu *v = d->priv;

	if (!v)
		return;
	iommu_reset(&v->m);
	v->m.bypass = v->m.bypass_config = false;
	v->config[C_BYPASS] = 0;
	v->prm.probe = false;
	v->pending = false;
	set_views(v);
	spin_lock(&v->fault_lock);
	v->fq_n = 0;
	spin_unlock(&v->fault_lock);
}

const struct virtio_dev_ops virtio_iommu_ops = {
	.device_id = 23,
	.features = BIT(VIRTIO_IOMMU_F_INPUT_RANGE) | BIT(VIRTIO_IOMMU_F_DOMAIN_RANGE) |
		    BIT(VIRTIO_IOMMU_F_MAP_UNMAP) | BIT(VIRTIO_IOMMU_F_BYPASS) |
		    BIT(VIRTIO_IOMMU_F_PROBE) | BIT(VIRTIO_IOMMU_F_BYPASS_CONFIG),
	.nqueues = 2,
	.config_size = VIOMMU_CONFIG_SIZE,
	.config_read = iommu_config_read,
	.config_write = iommu_config_write,
	.notify = iommu_notify,
	.reset = viommu_reset,
	.status = iommu_status,
};

void virtio_iommu_init(struct virtio_iommu *v, const char *name, const struct dma_space *mem,
		       const struct irq_line *irq, unsigned pcpu)
{
	memset(v, 0, sizeof(*v));
	v->pcpu = pcpu;
	v->prm = (struct iommu_params){
		.page_size_mask = ~(uint64_t)0xfff,
		.input_start = 0,
		.input_end = (1ull << VIOMMU_INPUT_BITS) - 1,
		.probe_size = VIOMMU_PROBE_SIZE,
		.map_flags = VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE,
	};
	put_le(v->config + C_PAGE_SIZE_MASK, v->prm.page_size_mask, 8);
	put_le(v->config + C_INPUT_START, v->prm.input_start, 8);
	put_le(v->config + C_INPUT_END, v->prm.input_end, 8);
	put_le(v->config + C_DOMAIN_START, 0, 4);
	put_le(v->config + C_DOMAIN_END, DOMAIN_LAST, 4);
	put_le(v->config + C_PROBE_SIZE, VIOMMU_PROBE_SIZE, 4);
	iommu_init(&v->m, NULL, 0, 0, DOMAIN_LAST, IOMMU_MAX_DOMAINS);
	virtio_dev_init(&v->dev, &virtio_iommu_ops, v, name, mem, irq);
}

void virtio_iommu_add_endpoint(struct virtio_iommu *v, struct virtio_dev *e, uint32_t id)
{
	struct viommu_ep *p;

	if (v->nep == IOMMU_MAX_ENDPOINTS)
		return;
	p = &v->ep[v->nep];
	*p = (struct viommu_ep){ .dev = e, .id = id };
	v->m.ep[v->nep] = (struct iommu_endpoint){ id, -1 };
	v->m.nep = ++v->nep;
	e->features |= BIT(VIRTIO_F_ACCESS_PLATFORM);
	spin_lock(&e->lock);
	e->dma.fault = on_fault;
	e->dma.drained = on_drained;
	e->dma.hook_ctx = v;
	e->dma.ep = id;
	set_view(v, v->nep - 1);
	spin_unlock(&e->lock);
}

/* ---- the device type ---- */

/* Partition file: endpoints = "<device node>", ...; absent: every device
 * of the partition whose DMA can be put behind it. */
struct iommu_config {
	bool all;
};
VDEV_CFG_FITS(struct iommu_config);
_Static_assert(CFG_MAX_DEVS <= IOMMU_MAX_ENDPOINTS, "every device of a partition can be an endpoint");

static struct virtio_iommu viommu_pool[CONFIG_MAX_PARTITIONS][1] HV_NOINIT;

/* The endpoints property: its strings in order (each non-empty,
 * NUL-terminated), or NULL when absent; *n counts them; false after an
 * error (reported). */
static bool endpoint_names(struct cfg_parser *p, int node, const char **list, int *len)
{
	*list = cfdt_getprop(p->fdt, node, "endpoints", len);
	if (!*list)
		return true;
	if (*len <= 0 || (*list)[*len - 1] != '\0') {
		perr(p, node, "endpoints", "must be a list of device node names");
		return false;
	}
	for (int i = 0; i < *len; i += (int)strlen(*list + i) + 1)
		if ((*list)[i] == '\0') {
			perr(p, node, "endpoints", "an empty name in the list");
			return false;
		}
	return true;
}

static void viommu_parse(struct cfg_parser *p, int node, struct part_config *pc,
			 struct dev_config *dc)
{
	static const char *const props[] = { "endpoints", NULL };
	const char *list;
	int len;

	(void)pc;
	check_known(p, node, props, NULL);
	if (endpoint_names(p, node, &list, &len))
		VDEV_CFG(struct iommu_config, dc)->all = list == NULL;
}

/* Each named endpoint is a device of the same partition whose DMA can be
 * put behind an IOMMU, named once; then marked (the guest tree and boot
 * read the mark). */
static void viommu_check(struct cfg_parser *p)
{
	struct hv_config *cfg = p->cfg;

	for (unsigned a = 0; a < cfg->nparts; a++) {
		struct part_config *pc = &cfg->parts[a];
		for (unsigned i = 0; i < pc->ndevs; i++) {
			const struct dev_config *dc = &pc->dev[i];
			const char *list;
			int len;
			if (dc->invalid || dc->type != &virtio_iommu_type)
				continue;
			if (VDEV_CFG(const struct iommu_config, dc)->all) {
				for (unsigned j = 0; j < pc->ndevs; j++)
					pc->dev[j].iommu_ep = pc->dev[j].type->dma;
				continue;
			}
			if (!endpoint_names(p, dc->node, &list, &len) || !list)
				continue;
			for (int k = 0; k < len; k += (int)strlen(list + k) + 1) {
				const char *name = list + k;
				unsigned j;
				for (j = 0; j < pc->ndevs; j++)
					if (strcmp(pc->dev[j].name, name) == 0)
						break;
				if (j == pc->ndevs)
					perr(p, dc->node, "endpoints", "%s: no such device in partition %s",
					     name, pc->name);
				else if (!pc->dev[j].type->dma)
					perr(p, dc->node, "endpoints",
					     "%s: not a device whose DMA an IOMMU can govern", name);
				else if (pc->dev[j].iommu_ep)
					perr(p, dc->node, "endpoints", "%s: named twice", name);
				else
					pc->dev[j].iommu_ep = true;
			}
		}
	}
}

static int viommu_fdt(struct gfdt *fdt, const struct part_config *pc, const struct dev_config *dc,
		      const struct layout_region *r)
{
	(void)pc;
	(void)dc;
	GFDT_TRY(gfdt_virtio_mmio_begin(fdt, r));
	GFDT_TRY(gfdt_property_u32(fdt, "#iommu-cells", 1));
	GFDT_TRY(gfdt_property_u32(fdt, "phandle", GFDT_PH_IOMMU));
	return gfdt_end_node(fdt);
}

static int viommu_create(struct vdev_inst *d)
{
	struct virtio_iommu *v = &viommu_pool[d->part_id][d->cfg->nth];

	virtio_iommu_init(v, d->name, d->mem, &d->irq, d->pcpu);
	d->priv = v;
	d->vdev = &v->dev;
	return 0;
}

static void viommu_link(struct vdev_inst *d, struct vdev_inst *dev, unsigned n)
{
	struct virtio_iommu *v = d->priv;

	for (unsigned i = 0; i < n; i++)
		if (dev[i].cfg->iommu_ep && dev[i].vdev)
			virtio_iommu_add_endpoint(v, dev[i].vdev, i);
	INFO("%s: %u endpoint(s), none reachable until attached", d->name, v->nep);
}

/* Mappings held in its domains. */
static uint64_t viommu_held(const struct vdev_inst *d)
{
	const struct virtio_iommu *v = d->priv;
	uint64_t n = 0;

	for (unsigned i = 0; i < IOMMU_MAX_DOMAINS; i++)
		if (v->m.dom[i].used)
			n += v->m.dom[i].map.n;
	return n;
}

const struct vdev_type virtio_iommu_type = {
	.name = "virtio-iommu",
	.max = 1,
	.too_many = "a partition has at most one virtio-iommu",
	.size = VIRTIO_MMIO_SIZE,
	.parse = viommu_parse,
	.check = viommu_check,
	.fdt_node = viommu_fdt,
	.create = viommu_create,
	.link = viommu_link,
	.held = viommu_held,
	.held_unit = "mappings",
};
