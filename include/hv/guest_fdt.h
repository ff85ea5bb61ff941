/* The device tree a partition boots with (core/guest_fdt.c), built from its
 * configuration and layout alone: the checker builds it too. Device types
 * write their own nodes with the helpers below. */
#ifndef HV_GUEST_FDT_H
#define HV_GUEST_FDT_H

#include <hv/config.h>

/* Phandles the builder hands out. */
#define GFDT_PH_GIC 1
#define GFDT_PH_CLK 2

/* GIC binding: interrupt cells and flags. */
#define GIC_SPI 0
#define GIC_PPI 1
#define IRQ_EDGE_RISING 1
#define IRQ_LEVEL_HIGH 4
#define IRQ_LEVEL_LOW 8

/* The whole tree of partition idx into buf: its size, or a negative libfdt
 * error. */
int guest_fdt_build(const struct part_config *pc, unsigned idx, void *buf, size_t size);

/* For device types' fdt_node hooks (sequential-write fdt). */
#define GFDT_TRY(x) do { int _e = (x); if (_e) return _e; } while (0)
int gfdt_begin_node_at(void *fdt, const char *name, uint64_t addr);
int gfdt_reg(void *fdt, uint64_t base, uint64_t size);
int gfdt_cells(void *fdt, const char *name, const uint32_t *c, unsigned n);
/* interrupts = <GIC_SPI (intid - 32) flags> */
int gfdt_spi(void *fdt, uint32_t intid, uint32_t flags);
/* The plain virtio-mmio node of a region. */
int gfdt_virtio_mmio(void *fdt, const struct layout_region *r);

#endif
