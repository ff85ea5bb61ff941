/* The core side of the device registry (include/hv/vdev.h): each device of
 * a partition's configuration is created by its type and its window put on
 * the partition's MMIO bus; the partition's stop and restart reach it
 * through vdev_event(). Nothing here names a device kind, and nothing here
 * knows struct partition. */
#include <hv/log.h>
#include <hv/vdev.h>
#include <stdarg.h>
#include <stdio.h>
#include <vdev/virtio.h>

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

bool vdev_event(struct vdev_inst *d, enum part_event ev)
{
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

int vdev_create_all(const struct vdev_host *h, struct vdev_inst *dev, unsigned *ndevs,
		    struct vdev_inst **console)
{
	const struct part_config *pc = h->cfg;

	*ndevs = 0;
	*console = NULL;
	for (unsigned i = 0; i < pc->ndevs; i++) {
		const struct dev_config *dc = &pc->dev[i];
		struct vdev_inst *d = &dev[i];

		*d = (struct vdev_inst){ .type = dc->type, .cfg = dc,
					 .region = &pc->layout.r[dc->region],
					 .part_name = pc->name, .part_id = h->part_id,
					 .nvcpus = pc->ncpus, .pcpu = pc->cpus[0], .mem = h->mem };
		d->irq = (struct irq_line){ h->irq_set, h->irq_ctx, d->region->intid };
		snprintf(d->name, sizeof(d->name), "%s/%s", pc->name, dc->name);
		if (dc->type->create(d))
			return -1;
		*ndevs = i + 1;
		if (!d->mmio_ops && d->vdev) {
			d->mmio_ops = &virtio_mmio_ops;
			d->mmio_dev = d->vdev;
		}
		/* The layout was checked against the bus's capacity and for
		 * overlaps: this cannot fail. */
		CHECK(d->mmio_ops && mmio_bus_add(h->bus, d->region->base, d->region->size,
						   d->mmio_ops, d->mmio_dev) == 0);
		if (d->con)
			*console = d;
	}
	for (unsigned i = 0; i < pc->ndevs; i++)
		if (dev[i].type->link)
			dev[i].type->link(&dev[i], dev, pc->ndevs);
	return 0;
}

_Static_assert(MAX_MMIO_REGIONS >= LAYOUT_MAX_REGIONS, "every window of the layout fits on the bus");
