/* The hypervisor's own hardware drivers. */
#ifndef DRIVERS_H
#define DRIVERS_H

#include <hv/types.h>

/* The hypervisor's console UART, the one the platform names
 * (PLATFORM_UART in platform/<board>/platform.h): polled output, input
 * read from its receive interrupt (PLATFORM_UART_INTID). */
struct uart_ops {
	void (*init)(uintptr_t base); /* called with the MMU off */
	void (*write)(const char *s, size_t n);
	int (*getc)(void); /* -1 when nothing was received */
	void (*enable_rx_irq)(void);
};
extern const struct uart_ops pl011_uart; /* Arm PL011 (drivers/pl011.c) */
extern const struct uart_ops cdns_uart;  /* Cadence UART (drivers/cdns_uart.c) */

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
