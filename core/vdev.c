/* The partition side of the device registry (include/hv/vdev.h): each
 * device of the partition file's list is created by its type, its window
 * put on the partition's MMIO bus, and it is registered for the
 * partition's stop and restart. Nothing here names a device kind. */
#include <hv/log.h>
#include <hv/partition.h>
#include <stdarg.h>
#include <stdio.h>

void vdev_refuse(const struct vdev_inst *d, const char *prop, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ERR("partition file: /partitions/%s/%s: %s%s%s", d->part_name, d->cfg->name,
	    prop ? prop : "", prop ? ": " : "", msg);
}

static void vgic_line(void *g, uint32_t intid, bool high)
{
	vgic_set_line(g, intid, high);
}

static bool vdev_event(struct partition *p, enum part_event ev, void *arg)
{
	struct vdev_inst *d = arg;
	(void)p;

	switch (ev) {
	case PART_EV_QUIESCE:
		return d->type->quiesce ? d->type->quiesce(d) : true;
	case PART_EV_STOP:
	case PART_EV_RESET:
		/* Without a stop hook, stopping is a reset (it wipes the DRBG). */
		if (ev == PART_EV_STOP && d->type->stop)
			d->type->stop(d);
		else if (d->type->reset)
			d->type->reset(d);
		else if (d->vdev)
			virtio_dev_reset(d->vdev);
		return true;
	}
	return true;
}

int vdev_create_all(struct partition *p)
{
	const struct part_config *pc = p->cfg;

	for (unsigned i = 0; i < pc->ndevs; i++) {
		const struct dev_config *dc = &pc->dev[i];
		struct vdev_inst *d = &p->dev[i];

		*d = (struct vdev_inst){ .type = dc->type, .cfg = dc,
					 .region = &pc->layout.r[dc->region],
					 .part_name = pc->name, .part_id = p->id,
					 .nvcpus = p->nvcpus, .mem = &p->gmem };
		d->irq = (struct irq_line){ vgic_line, &p->vgic, d->region->intid };
		snprintf(d->name, sizeof(d->name), "%s/%s", pc->name, dc->name);
		if (dc->type->create(d))
			return -1;
		p->ndevs = i + 1;
		if (!d->mmio_ops && d->vdev) {
			d->mmio_ops = &virtio_mmio_ops;
			d->mmio_dev = d->vdev;
		}
		/* The layout was checked against the bus's capacity and for
		 * overlaps: this cannot fail. */
		CHECK(d->mmio_ops && mmio_bus_add(&p->mmio, d->region->base, d->region->size,
						   d->mmio_ops, d->mmio_dev) == 0);
		CHECK(partition_notifier_add(p, vdev_event, d) == 0);
		if (d->con)
			p->console = d;
	}
	return 0;
}

_Static_assert(MAX_MMIO_REGIONS >= LAYOUT_MAX_REGIONS, "every window of the layout fits on the bus");
