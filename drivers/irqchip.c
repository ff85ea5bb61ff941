/* The board's interrupt-controller driver (include/drivers/irqchip.h). */
#include <drivers/irqchip.h>

const struct irqchip_ops *irqchip;

const struct irqchip_ops *irqchip_for(const struct gic_desc *d)
{
	switch (d->version) {
	case 3: return &gicv3_ops;
	case 2: return &gicv2_ops;
	default: return NULL;
	}
}
