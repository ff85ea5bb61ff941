/* The device tree a partition boots with (core/guest_fdt.c), built from its
 * configuration and layout alone: the checker builds it too. Device types
 * write their own nodes with the helpers below. */
#ifndef HV_GUEST_FDT_H
#define HV_GUEST_FDT_H

#include <hv/config.h>

/* Phandles the builder hands out. */
#define GFDT_PH_GIC 1
#define GFDT_PH_CLK 2
#define GFDT_PH_IOMMU 3 /* the partition's virtio-iommu */

/* GIC binding: interrupt cells and flags. */
#define GIC_SPI 0
#define GIC_PPI 1
#define IRQ_EDGE_RISING 1
#define IRQ_LEVEL_HIGH 4
#define IRQ_LEVEL_LOW 8

/* The whole tree of partition idx into buf: its size, or a negative libfdt
 * error (-FDT_ERR_NOSPACE: it does not fit in size bytes). */
int guest_fdt_build(const struct part_config *pc, unsigned idx, void *buf, size_t size);

/* A device tree written front to back into a buffer of size bytes, laid
 * out byte for byte as libfdt's fdt_create_with_flags(buf, size,
 * FDT_CREATE_FLAG_NO_NAME_DEDUP), fdt_finish_reservemap(), fdt_begin_node()
 * ... fdt_finish() would, and running out of room where they would. Each
 * call returns 0 or -FDT_ERR_NOSPACE; gfdt_finish() the tree's size. */
struct gfdt {
	uint8_t *buf;
	uint32_t size;    /* bytes of buf */
	uint32_t end;     /* end of the structure block so far */
	uint32_t strings; /* bytes of property names, written down from the end of buf */
};
int gfdt_create(struct gfdt *w, void *buf, size_t size);
int gfdt_begin_node(struct gfdt *w, const char *name);
int gfdt_end_node(struct gfdt *w);
int gfdt_property(struct gfdt *w, const char *name, const void *val, uint32_t len);
/* Room for a value of len bytes, to be written at *valp. */
int gfdt_property_placeholder(struct gfdt *w, const char *name, uint32_t len, void **valp);
int gfdt_property_string(struct gfdt *w, const char *name, const char *s);
int gfdt_property_u32(struct gfdt *w, const char *name, uint32_t v);
int gfdt_property_u64(struct gfdt *w, const char *name, uint64_t v);
int gfdt_finish(struct gfdt *w);

/* For device types' fdt_node hooks. */
#define GFDT_TRY(x) do { int _e = (x); if (_e) return _e; } while (0)
int gfdt_begin_node_at(struct gfdt *w, const char *name, uint64_t addr);
int gfdt_reg(struct gfdt *w, uint64_t base, uint64_t size);
int gfdt_cells(struct gfdt *w, const char *name, const uint32_t *c, unsigned n);
/* interrupts = <GIC_SPI (intid - 32) flags> */
int gfdt_spi(struct gfdt *w, uint32_t intid, uint32_t flags);
/* The virtio-mmio node of device dc at region r, with `iommus` when it is
 * an endpoint of the partition's IOMMU. */
int gfdt_virtio_mmio(struct gfdt *w, const struct part_config *pc, const struct dev_config *dc,
		     const struct layout_region *r);
/* Its start: the node begun, its properties but `iommus`; the caller adds
 * its own and ends the node. */
int gfdt_virtio_mmio_begin(struct gfdt *w, const struct layout_region *r);

#endif
