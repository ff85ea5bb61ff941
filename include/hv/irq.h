/* An interrupt line from an emulated device to its partition's vGIC: the
 * device sees only this, never the interrupt controller. */
#ifndef HV_IRQ_H
#define HV_IRQ_H

#include <hv/types.h>

struct irq_line {
	void (*set)(void *ctx, uint32_t intid, bool high);
	void *ctx;
	uint32_t intid;
};

static inline void irq_line_set(const struct irq_line *l, bool high)
{
	if (l->set)
		l->set(l->ctx, l->intid, high);
}

#endif
