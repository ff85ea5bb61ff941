/* A trap-and-emulate PL011 per partition: output goes to the console mux
 * with the partition's prefix; input comes from the mux when the partition
 * has the console focus. Interrupts (RX, RX timeout, TX) on a level line.
 * Lock order: vpl011.lock, then vgic.lock, then console_lock. */
#ifndef VDEV_PL011_H
#define VDEV_PL011_H

#include <hv/arch.h>
#include <hv/console.h>
#include <hv/irq.h>
#include <hv/mmio.h>

#define VPL011_SIZE 0x1000
/* Receive buffer: larger than a PL011's 32-byte FIFO so pasted input is not
 * lost while the guest catches up; the guest sees a FIFO that is never full
 * until this is. */
#define VPL011_FIFO 4096

struct vpl011 {
	spinlock_t lock;
	struct console_port port;
	struct irq_line irq;
	uint32_t cr, lcr_h, ibrd, fbrd, imsc, ifls, dmacr;
	uint32_t ris; /* raw interrupt status */
	uint32_t rx_dropped;
	uint8_t rx[VPL011_FIFO];
	unsigned rx_head, rx_count;
	bool line;
};

void vpl011_init(struct vpl011 *u, const char *name, const struct irq_line *irq);
extern const struct mmio_device_ops vpl011_ops;
/* A byte of console input for this partition; false when the FIFO is full
 * (the byte is dropped, as a real UART would overrun). */
bool vpl011_rx(struct vpl011 *u, uint8_t c);
/* Back to reset state (partition restart). */
void vpl011_reset(struct vpl011 *u);
extern const struct vdev_type pl011_type;

#endif
