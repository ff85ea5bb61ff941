/* virtio-scmi: see include/vdev/virtio_scmi.h. */
#include <hv/config_schema.h>
#include <hv/guest_fdt.h>
#include <hv/log.h>
#include <hv/vdev.h>
#include <string.h>
#include <vdev/virtio_scmi.h>

enum { CMDQ = 0, EVTQ = 1 };

/* d->lock held: delayed responses into event buffers, oldest first. A
 * buffer too small for one goes back empty; the response waits for the
 * next ([VIRTIO] 5.17.6.2: it MUST be sent once buffers are there). */
static void deliver(struct virtio_scmi *v)
{
	struct virtio_dev *d = &v->dev;

	while (v->agent.pending && virtio_driver_ok(d) && d->vq[EVTQ].ready) {
		uint8_t m[SCMI_MSG_MAX];
		struct vq_chain c;
		size_t n;

		if (vq_pop(d, EVTQ, &c) <= 0)
			return;
		n = scmi_delayed_msg(&v->delayed[v->dl_head], m, c.wlen < sizeof(m) ? c.wlen : sizeof(m));
		if (!n) {
			vq_push(d, EVTQ, c.head, 0);
			continue;
		}
		vq_write(&c, m, n);
		vq_push(d, EVTQ, c.head, (uint32_t)n);
		v->dl_head = (v->dl_head + 1) % SCMI_MAX_PENDING;
		v->agent.pending--;
	}
}

/* Each command copied in (one byte more than the longest, so that a
 * longer one is refused by its length), answered, copied out. */
static void commands(struct virtio_scmi *v)
{
	struct virtio_dev *d = &v->dev;

	for (unsigned k = 0; k < d->vq[CMDQ].num && virtio_driver_ok(d); k++) {
		uint8_t req[SCMI_MSG_MAX + 1], resp[SCMI_MSG_MAX];
		struct scmi_delayed dl;
		struct vq_chain c;
		size_t len, n;

		if (vq_pop(d, CMDQ, &c) <= 0)
			return;
		len = c.rlen < sizeof(req) ? (size_t)c.rlen : sizeof(req);
		vq_read(&c, req, len);
		n = scmi_request(&v->agent, req, len, resp, c.wlen < sizeof(resp) ? c.wlen : sizeof(resp),
				 &dl);
		vq_write(&c, resp, n);
		vq_push(d, CMDQ, c.head, (uint32_t)n);
		v->requests++;
		if (dl.valid) {
			v->delayed[(v->dl_head + v->agent.pending) % SCMI_MAX_PENDING] = dl;
			v->agent.pending++;
		}
	}
}

static void scmi_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_scmi *v = d->priv;

	if (q == CMDQ)
		commands(v);
	deliver(v);
}

static void scmi_status(struct virtio_dev *d, uint32_t old)
{
	struct virtio_scmi *v = d->priv;

	if ((d->status & VIRTIO_S_FEATURES_OK) && !(old & VIRTIO_S_FEATURES_OK))
		v->agent.p2a = virtio_has(d, VIRTIO_SCMI_F_P2A_CHANNELS);
}

/* Back to boot: what the agent configured is undone, delayed responses
 * not yet sent are dropped with the rings. */
static void scmi_reset(struct virtio_dev *d)
{
	struct virtio_scmi *v = d->priv;

	if (!v)
		return;
	scmi_agent_reset(&v->agent);
	v->dl_head = 0;
}

const struct virtio_dev_ops virtio_scmi_ops = {
	.device_id = 32,
	.features = BIT(VIRTIO_SCMI_F_P2A_CHANNELS),
	.nqueues = 2,
	.notify = scmi_notify,
	.reset = scmi_reset,
	.status = scmi_status,
};

void virtio_scmi_init(struct virtio_scmi *v, const char *name, uint32_t agent, const char *part,
		      const struct dma_space *mem, const struct irq_line *irq)
{
	memset(v, 0, sizeof(*v));
	scmi_agent_init(&v->agent, agent, part);
	virtio_dev_init(&v->dev, &virtio_scmi_ops, v, name, mem, irq);
}

bool virtio_scmi_add(struct virtio_scmi *v, const struct sensor *s)
{
	unsigned i = v->agent.n;

	if (i == SCMI_MAX_SENSORS)
		return false;
	v->sensor[i] = *s;
	return scmi_agent_add(&v->agent, &v->sensor[i]);
}

/* ---- the device type ---- */

/* Partition file: sensors = "<name in /sensors>", ...; its sensors, in
 * the order the partition sees them (ids 0, 1, ...). */
struct scmi_config {
	const struct sensor_config *all; /* the file's /sensors */
	uint8_t n;
	uint8_t idx[SCMI_MAX_SENSORS];
};
VDEV_CFG_FITS(struct scmi_config);

static struct virtio_scmi vscmi_pool[CONFIG_MAX_PARTITIONS][1] HV_NOINIT;

static void scmi_parse(struct cfg_parser *p, int node, struct part_config *pc, struct dev_config *dc)
{
	static const char *const props[] = { "sensors", NULL };
	struct scmi_config *sc = VDEV_CFG(struct scmi_config, dc);
	const char *list;
	int len;

	(void)pc;
	check_known(p, node, props, NULL);
	sc->all = p->cfg->sensor;
	list = cfdt_getprop(p->fdt, node, "sensors", &len);
	if (!list) {
		perr(p, node, "sensors", "missing");
		return;
	}
	if (len <= 0 || list[len - 1] != '\0') {
		perr(p, node, "sensors", "must be a list of /sensors node names");
		return;
	}
	for (int k = 0; k < len; k += (int)strlen(list + k) + 1) {
		const char *name = list + k;
		int s = cfg_sensor(p->cfg, name);
		if (s < 0) {
			perr(p, node, "sensors", "'%s' is not a node of /sensors", name);
			continue;
		}
		for (unsigned i = 0; i < sc->n; i++)
			if (sc->idx[i] == s) {
				perr(p, node, "sensors", "%s: named twice", name);
				s = -1;
			}
		if (s < 0)
			continue;
		if (sc->n == SCMI_MAX_SENSORS) {
			perr(p, node, "sensors", "more than %d sensors", SCMI_MAX_SENSORS);
			return;
		}
		sc->idx[sc->n++] = (uint8_t)s;
	}
}

/* The virtio-mmio node, and the SCMI node Linux pairs with it by device
 * ID (there is no link between them): /firmware/scmi with the sensor
 * protocol. */
static int scmi_fdt(struct gfdt *fdt, const struct part_config *pc, const struct dev_config *dc,
		    const struct layout_region *r)
{
	GFDT_TRY(gfdt_virtio_mmio(fdt, pc, dc, r));
	GFDT_TRY(gfdt_begin_node(fdt, "firmware"));
	GFDT_TRY(gfdt_begin_node(fdt, "scmi"));
	GFDT_TRY(gfdt_property_string(fdt, "compatible", "arm,scmi-virtio"));
	GFDT_TRY(gfdt_property_u32(fdt, "#address-cells", 1));
	GFDT_TRY(gfdt_property_u32(fdt, "#size-cells", 0));
	GFDT_TRY(gfdt_begin_node_at(fdt, "protocol", SCMI_PROTO_SENSOR));
	GFDT_TRY(gfdt_property_u32(fdt, "reg", SCMI_PROTO_SENSOR));
	GFDT_TRY(gfdt_property_u32(fdt, "#thermal-sensor-cells", 1));
	GFDT_TRY(gfdt_end_node(fdt));
	GFDT_TRY(gfdt_end_node(fdt));
	return gfdt_end_node(fdt);
}

static int scmi_create(struct vdev_inst *d)
{
	struct virtio_scmi *v = &vscmi_pool[d->part_id][d->cfg->nth];
	const struct scmi_config *sc = VDEV_CFG(const struct scmi_config, d->cfg);

	virtio_scmi_init(v, d->name, d->part_id + 1, d->part_name, d->mem, &d->irq);
	for (unsigned i = 0; i < sc->n; i++) {
		const struct sensor_config *c = &sc->all[sc->idx[i]];
		struct sensor s = { .type = c->type, .exponent = c->exponent, .read = sensor_regs_read,
				    .hw = (const void *)(uintptr_t)c->reg, .index = c->format };
		strncpy(s.name, c->name, SENSOR_NAME_MAX);
		virtio_scmi_add(v, &s);
	}
	INFO("%s: %u sensor(s)", d->name, v->agent.n);
	d->priv = v;
	d->vdev = &v->dev;
	return 0;
}

const struct vdev_type virtio_scmi_type = {
	.name = "virtio-scmi",
	.max = 1,
	.too_many = "a partition has at most one virtio-scmi",
	.size = VIRTIO_MMIO_SIZE,
	.dma = true,
	.parse = scmi_parse,
	.fdt_node = scmi_fdt,
	.create = scmi_create,
};
