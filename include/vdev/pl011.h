/* A trap-and-emulate PL011 per partition: output goes to the console mux
 * with the partition's prefix. Input arrives with issue "console switch". */
#ifndef VDEV_PL011_H
#define VDEV_PL011_H

#include <hv/console.h>
#include <hv/mmio.h>

#define VPL011_SIZE 0x1000

struct vpl011 {
	struct console_port port;
	uint32_t cr, lcr_h, ibrd, fbrd, imsc, ifls, dmacr;
};

void vpl011_init(struct vpl011 *u, const char *name);
extern const struct mmio_device_ops vpl011_ops;

#endif
