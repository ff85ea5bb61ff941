/* /display: the physical output the hypervisor composites the partitions'
 * virtio-gpu scanouts on (include/hv/compositor.h), driven by its own
 * driver. Optional: without it, scanouts work and are shown nowhere.
 *
 *     display {
 *         type = "ramfb";          QEMU's ramfb, found through fw_cfg, or
 *                "virtio-gpu"      the physical virtio-gpu's first scanout
 *                                  (include/hv/gpu_host.h)
 *         mode = <1280 800>;       the output's width and height
 *     };
 *
 * Each partition's window on it (position, z-order) is in its virtio-gpu
 * node (vdev/virtio_gpu.c), which checks it against this. */
#include <hv/config_schema.h>
#include <hv/display.h>
#include <libfdt.h>

void parse_display(struct cfg_parser *p)
{
	static const char *const props[] = { "type", "mode", NULL };
	static const char *const types[] = { "ramfb", "virtio-gpu", NULL };
	struct display_config *dc = &p->cfg->display;
	int node = cfg_root_node(p, "display"), len;
	const fdt32_t *mode;

	if (node < 0)
		return;
	check_known(p, node, props, NULL);
	if (!cfdt_getprop(p->fdt, node, "type", NULL))
		perr(p, node, "type", "missing");
	else
		switch (cfg_choice(p, node, "type", types, -1)) {
		case 0: dc->kind = DISPLAY_RAMFB; break;
		case 1: dc->kind = DISPLAY_VIRTIO_GPU; break;
		default: break;
		}
	mode = cfdt_getprop(p->fdt, node, "mode", &len);
	if (!mode) {
		perr(p, node, "mode", "missing");
	} else if (len != 8) {
		perr(p, node, "mode", "must be <width height>");
	} else {
		uint32_t w = fdt32_to_cpu(mode[0]), h = fdt32_to_cpu(mode[1]);
		/* ramfb's own limits (QEMU refuses other sizes, silently). */
		if (w < DISPLAY_MIN || w > DISPLAY_MAX_W || h < DISPLAY_MIN || h > DISPLAY_MAX_H)
			perr(p, node, "mode", "%ux%u: width %d..%d, height %d..%d", w, h, DISPLAY_MIN,
			     DISPLAY_MAX_W, DISPLAY_MIN, DISPLAY_MAX_H);
		else if ((uint64_t)w * h * 4 > CONFIG_GPU_POOL_SIZE)
			perr(p, node, "mode", "%ux%u does not fit the hypervisor's display memory "
			     "(CONFIG_GPU_POOL_SIZE)", w, h);
		else {
			dc->width = w;
			dc->height = h;
		}
	}
	if (!dc->width)
		dc->kind = DISPLAY_NONE; /* errors reported: nothing refers to it */
}
