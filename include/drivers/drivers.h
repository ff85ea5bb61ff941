/* The hypervisor's own hardware drivers. */
#ifndef DRIVERS_H
#define DRIVERS_H

#include <hv/types.h>

void pl011_init(uintptr_t base);
void pl011_write(const char *s, size_t n);
int pl011_getc(void); /* -1 when nothing was received */
void pl011_enable_rx_irq(void);

void gicv3_dist_init(void);
int gicv3_cpu_init(unsigned cpu); /* redistributor + EL2 CPU interface */
void gicv3_enable_ppi(unsigned cpu, unsigned intid);
uint32_t gicv3_ack(void);        /* INTID, 1023 when none */
void gicv3_eoi(uint32_t intid);        /* priority drop (EOImode 1) */
void gicv3_deactivate(uint32_t intid);
void gicv3_clear_active_ppi(unsigned cpu, uint32_t intid);
void gicv3_enable_spi(uint32_t intid, uint64_t mpidr);
/* One SPI at the distributor (not the hypervisor's own: a partition's,
 * see vgic_bind_hw_spi). Any CPU; INTIDs that are not SPIs are ignored.
 * Disabling returns once the distributor no longer forwards it. */
void gicv3_spi_set_enable(uint32_t intid, bool on);
void gicv3_spi_set_pending(uint32_t intid, bool on);
void gicv3_spi_clear_active(uint32_t intid);
void gicv3_spi_set_priority(uint32_t intid, uint8_t prio);
void gicv3_spi_set_trigger(uint32_t intid, bool level); /* ICFGR */
void gicv3_spi_set_route(uint32_t intid, uint64_t mpidr);
/* A driver's interrupt handler for an SPI, routed to CPU 0, run at EL2
 * with interrupts masked. */
void hv_irq_register(uint32_t intid, void (*fn)(void *ctx), void *ctx);

/* A physical virtio-rng: the entropy source when the CPU has no RNDR. */
bool virtio_rng_phys_probe(void);
bool virtio_rng_phys_get(void *buf, size_t n);

uint64_t timer_freq(void);
uint64_t timer_now(void);
void timer_hv_arm(uint64_t ticks); /* EL2 physical timer, one shot */
void timer_hv_disarm(void);

#endif
