#ifndef HV_BOOT_H
#define HV_BOOT_H

#include <hv/config.h>
#include <hv/pgtable.h>

/* The board as the partition file is checked against (Kconfig values). */
/* The board: the platform's values, and its device tree board (NULL:
 * none; passthrough entries name its devices), whose GICv3 or GICv2 node
 * gives the interrupt controller. 0; -1 when board has no GIC node (then
 * it is the platform's default); -2 when its GIC node is one this
 * hypervisor cannot use (no virtualization frames, frames too small):
 * boot stops and the host tools refuse the board. */
int platform_desc_get(struct platform_desc *pd, const void *board, size_t board_size);

/* Open the payload, parse and check the partition file against the board
 * (pd: as platform_desc_get() found it at boot, its tree included), build
 * every partition. On a bad image or partition file, logs every error and
 * returns -1: the caller refuses to boot. */
int core_setup(const void *payload, size_t avail, const struct platform_desc *pd,
	       struct page_pool *pool);

extern const struct hv_config *hv_config;

#endif
