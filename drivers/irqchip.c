/* The board's interrupt-controller driver (include/drivers/irqchip.h). */
#include <drivers/irqchip.h>

const struct irqchip_ops *irqchip;

const struct irqchip_ops *irqchip_for(const struct gic_desc *d)
{
	if (d->version == 3)
		return &gicv3_ops;
	return NULL;
}
