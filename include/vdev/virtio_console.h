/* virtio-console ([VIRTIO] 5.3, device ID 3), one port: the guest's
 * /dev/hvc0. Output goes to the console mux with the partition's prefix;
 * input comes from the mux when the partition has the focus. */
#ifndef VDEV_VIRTIO_CONSOLE_H
#define VDEV_VIRTIO_CONSOLE_H

#include <hv/console.h>
#include <vdev/virtio.h>

#define VCON_RX_BUF 4096
#define VCON_TX_MAX 4096

struct virtio_console {
	struct virtio_dev dev;
	struct console_port port;
	uint8_t rx[VCON_RX_BUF];
	unsigned rx_head, rx_count;
	uint32_t rx_dropped;
};

void virtio_console_init(struct virtio_console *v, const char *name, const struct dma_space *mem,
			 const struct irq_line *irq);
/* A byte of console input; false when the buffer is full (dropped). */
bool virtio_console_rx(struct virtio_console *v, uint8_t c);
extern const struct virtio_dev_ops virtio_console_ops;
extern const struct vdev_type virtio_console_type;

#endif
