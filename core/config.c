/* Partition file parser and validator: the root of the file. The same code
 * runs in the host checker (tools/hvcheck) and at boot: the DTB is untrusted
 * input, so every node and property is checked for presence, type and size
 * before use, none is silently ignored, and every problem is reported with
 * its node path and property name. The parts, one file each:
 *   config_schema.c   helpers (strings, cells, flags, named children)
 *   config_part.c     partitions: CPUs, memory, images, devices, layout
 *   config_storage.c  /storage: block backends
 *   config_net.c      /network: switch segments
 *   config_sensors.c  /sensors: the sensor registers the platform reads
 *   config_display.c  /display: the output virtio-gpu scanouts are shown on
 *   vdev/<type>.c     each device type decodes and cross-checks its nodes */
#include <hv/config_schema.h>
#include <hv/vdev.h>
#include <libfdt.h>
#include <string.h>

void parse_hypervisor(struct cfg_parser *p)
{
	static const char *const props[] = { "log-level", NULL };
	static const char *const levels[] = { "error", "warn", "info", "debug", NULL };
	int node = cfg_root_node(p, "hypervisor"), lvl;

	p->cfg->log_level = 2;
	if (node < 0)
		return;
	check_known(p, node, props, NULL);
	lvl = cfg_choice(p, node, "log-level", levels, 2);
	if (lvl >= 0)
		p->cfg->log_level = (uint32_t)lvl;
}

static void check_cells(struct cfg_parser *p, int node, const char *prop, uint32_t want)
{
	int len;
	const fdt32_t *c = cfdt_getprop(p->fdt, node, prop, &len);

	if (!c)
		perr(p, node, prop, "missing");
	else if (len != 4 || fdt32_to_cpu(*c) != want)
		perr(p, node, prop, "must be <%u>", want);
}

/* Top-level nodes: each known one at most once, none with a unit address
 * (libfdt would find "partitions@1" by the name "partitions"). */
static void check_root_nodes(struct cfg_parser *p)
{
	int child;

	cfdt_for_each_subnode(child, p->fdt, 0)
		if (strchr(cfdt_get_name(p->fdt, child, NULL), '@'))
			perr(p, child, NULL, "a top-level node has no unit address");
}

/* The board's tree is untrusted input too (a firmware's, or a file):
 * checked whole the first time a passthrough entry needs it (a file with
 * none does not pay for it at boot). NULL: absent or not a valid tree. */
const void *cfg_board(struct cfg_parser *p)
{
	const struct platform_desc *pl = p->plat;

	if (!p->board_checked) {
		p->board_checked = true;
		p->board_bad = pl->board && !cfdt_blob_ok(pl->board, pl->board_size);
	}
	return p->board_bad ? NULL : pl->board;
}

int config_parse(const void *fdt, size_t fdt_size, const struct platform_desc *plat,
		 blob_size_fn blob_size, void *blob_ctx, struct hv_config *out,
		 struct cfg_errors *errs)
{
	static const char *const root_props[] = { "compatible", "#address-cells", "#size-cells",
						  "model", NULL };
	static const char *const root_nodes[] = { "hypervisor", "storage", "network",
						  "sensors", "display", "partitions", NULL };
	struct cfg_parser p = { .fdt = fdt, .plat = plat, .errs = errs, .cfg = out,
				.blob_size = blob_size, .blob_ctx = blob_ctx };
	const char *compat;

	memset(out, 0, sizeof(*out));
	memset(errs, 0, sizeof(*errs));
	if (!cfdt_blob_ok(fdt, fdt_size)) {
		perr(&p, -1, NULL, "not a valid device tree blob");
		return (int)errs->count;
	}

	compat = get_string(&p, 0, "compatible", 64, true);
	if (compat && strcmp(compat, "bulkhead,partition-file-v1") != 0)
		perr(&p, 0, "compatible", "'%s' is not \"bulkhead,partition-file-v1\"", compat);
	check_cells(&p, 0, "#address-cells", 2);
	check_cells(&p, 0, "#size-cells", 2);
	check_known(&p, 0, root_props, root_nodes);
	check_root_nodes(&p);

	parse_hypervisor(&p);
	parse_storage(&p);
	parse_network(&p);
	parse_sensors(&p);
	parse_display(&p);
	parse_partitions(&p);
	check_sensors(&p);
	/* Across partitions: each device type checks its own kind, then
	 * what is shared (RAM-disk images against guest images). */
	for (const struct vdev_type *const *t = vdev_types; *t; t++)
		if ((*t)->check)
			(*t)->check(&p);
	check_ram_images(&p);
	/* Only a file without errors gets its device trees built: what
	 * boot builds must fit (same builder, same buffer size). */
	for (unsigned i = 0; i < out->nparts && errs->count == 0; i++)
		finish_partition(&p, i);
	if (errs->count > CFG_MAX_ERRORS)
		errs->count = CFG_MAX_ERRORS;
	return (int)errs->count;
}
