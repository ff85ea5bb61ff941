/* The hypervisor's own hardware drivers. */
#ifndef DRIVERS_H
#define DRIVERS_H

#include <hv/types.h>

void pl011_init(uintptr_t base);
void pl011_write(const char *s, size_t n);
int pl011_getc(void); /* -1 when nothing was received */
void pl011_enable_rx_irq(void);

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
