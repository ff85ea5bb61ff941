/* The physical interrupt controller as the board has it: a const table of
 * its driver's operations (drivers/gicv3.c, drivers/gicv2.c), chosen at
 * boot (irqchip_select) from the board's description (struct gic_desc:
 * the firmware's device tree, else the platform's defaults). arch/ and the
 * drivers reach the GIC through it only. */
#ifndef DRIVERS_IRQCHIP_H
#define DRIVERS_IRQCHIP_H

#include <hv/config.h>
#include <hv/types.h>

struct vgic_lr;

struct irqchip_ops {
	const char *name;
	/* The distributor (boot CPU, once); then each CPU its own interface. */
	int (*init)(const struct gic_desc *d);
	int (*cpu_init)(unsigned cpu);
	/* This CPU's priority mask as it reads back after 0xff was written:
	 * the lowest priority the GIC still signals is one step above it.
	 * Fewer implemented priority bits (a GIC-400 has 5) or the
	 * Non-secure view of them (one bit fewer) round it down. */
	uint8_t (*pmr)(void);
	/* A PPI of this CPU on (its own interrupts are always Group 1/0 as
	 * the driver sets them, priority 0xa0). */
	void (*enable_ppi)(uint32_t intid);
	/* Acknowledge: the IAR as read (IRQCHIP_INTID() of it; 1020..1023:
	 * none); priority drop, and deactivation, of what ack returned. */
	uint32_t (*ack)(void);
	void (*eoi)(uint32_t iar);
	void (*deactivate)(uint32_t iar);
	/* Clear the active state of a PPI of this CPU, defined in any state. */
	void (*clear_active_ppi)(uint32_t intid);
	void (*send_sgi)(unsigned pcpu, uint32_t sgi);
	/* One SPI at the distributor; any CPU. Disabling returns once it is
	 * no longer forwarded. INTIDs that are not SPIs are ignored. */
	void (*spi_enable)(uint32_t intid, bool on);
	void (*spi_pend)(uint32_t intid, bool on);
	void (*spi_clear_active)(uint32_t intid);
	void (*spi_priority)(uint32_t intid, uint8_t prio);
	void (*spi_trigger)(uint32_t intid, bool level); /* disabled around the write */
	void (*spi_route)(uint32_t intid, unsigned pcpu);
	/* The virtual CPU interface of this CPU: list registers (decoded),
	 * the underflow maintenance request, on and off. */
	unsigned (*nr_lrs)(void);
	void (*read_lr)(unsigned i, struct vgic_lr *lr);
	void (*write_lr)(unsigned i, const struct vgic_lr *lr);
	uint8_t (*lr_state)(unsigned i);
	void (*lr_pend)(unsigned i, uint32_t intid, uint8_t prio, unsigned flags);
	void (*set_underflow)(bool on);
	void (*vif_enable)(void);
	void (*vif_disable)(void);
};

#define IRQCHIP_INTID(iar) ((iar) & 0x3ff) /* no LPIs: 10 bits either way */

extern const struct irqchip_ops gicv3_ops;
extern const struct irqchip_ops gicv2_ops;
extern const struct irqchip_ops *irqchip;

/* The driver for d (its version), or NULL when none is built in. */
const struct irqchip_ops *irqchip_for(const struct gic_desc *d);

#endif
