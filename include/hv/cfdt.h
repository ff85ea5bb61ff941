/* Reading a device tree that fdt_check_full() accepted (core/cfdt.c): the
 * partition file, once config_parse() has checked it. Each cfdt_X gives
 * what libfdt's fdt_X gives on such a tree, at a fraction of the cost:
 * libfdt checks every tag and every byte of a node name again at every
 * call (fdt_offset_ptr), which was most of the parser's time at boot.
 * The walk stays inside the blob on any input; an offset that is not a
 * node (or a property), or a tree older than version 17, is handed to
 * libfdt itself, so errors are libfdt's. */
#ifndef HV_CFDT_H
#define HV_CFDT_H

#include <libfdt.h>

const char *cfdt_get_name(const void *fdt, int node, int *lenp);
const void *cfdt_getprop(const void *fdt, int node, const char *name, int *lenp);
int cfdt_first_subnode(const void *fdt, int node);
int cfdt_next_subnode(const void *fdt, int node);
int cfdt_subnode_offset(const void *fdt, int parent, const char *name);
int cfdt_first_property_offset(const void *fdt, int node);
int cfdt_next_property_offset(const void *fdt, int prop);
const void *cfdt_getprop_by_offset(const void *fdt, int prop, const char **namep, int *lenp);

#define cfdt_for_each_subnode(node, fdt, parent)                                   \
	for (node = cfdt_first_subnode(fdt, parent); node >= 0;                    \
	     node = cfdt_next_subnode(fdt, node))
#define cfdt_for_each_property_offset(prop, fdt, node)                             \
	for (prop = cfdt_first_property_offset(fdt, node); prop >= 0;              \
	     prop = cfdt_next_property_offset(fdt, prop))

/* A device-tree blob of at most size bytes that libfdt may walk: a version
 * 17 header whose blocks lie inside its total size, a memory reservation
 * block that ends, a structure block that is well formed tag by tag. Our
 * own check: libfdt 1.6.1's fdt_check_full reads out of bounds on some
 * headers and loops for ever on some structure blocks (both found by
 * tests/fuzz/fuzz_config.c). */
bool cfdt_blob_ok(const void *fdt, size_t size);

#endif
