/* Board devices given whole to one partition (docs/passthrough.md): the
 * partition file's passthrough entries (core/config_passthrough.c) and
 * what boot and the partition's life do with them (core/passthrough.c). */
#ifndef HV_PASSTHROUGH_H
#define HV_PASSTHROUGH_H

#include <hv/config.h>

/* The derived nodes of partition idx's entries, into its guest tree
 * (sequential write). 0 or a negative libfdt error. */
struct gfdt;
int passthrough_fdt(struct gfdt *fdt, const struct part_config *pc, unsigned idx);

/* True when [pa, +size) is in a window cfg gives a partition: the
 * hypervisor's own drivers never probe it. (cfg NULL: false.) */
bool passthrough_claimed(const struct hv_config *cfg, paddr_t pa, uint64_t size);

struct partition;
/* Boot: map the partition's passed-through windows into its stage 2 and
 * bind its SPIs to its vGIC (after vgic_init and its vCPUs' placement);
 * hear its stop and restart. 0 (everything was checked by the parser). */
int passthrough_create(struct partition *p);

#endif
