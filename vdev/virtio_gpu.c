/* virtio-gpu: see include/vdev/virtio_gpu.h. */
#include <hv/config_schema.h>
#include <hv/display.h>
#include <hv/gpu_host.h>
#include <hv/log.h>
#include <hv/vdev.h>
#include <libfdt.h>
#include <string.h>
#include <vdev/virtio_gpu.h>

enum { CTRLQ = 0, CURSORQ = 1 };

static void gpu_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_gpu *v = d->priv;

	for (unsigned k = 0; k < d->vq[q].num && virtio_driver_ok(d); k++) {
		struct vq_chain c;
		struct gpu_req rq;

		if (vq_pop(d, q, &c) <= 0)
			return;
		rq = (struct gpu_req){ c.seg, c.nr, c.rlen };
		if (q == CURSORQ) {
			gpu_cursor(&v->gpu, &rq);
			vq_push(d, q, c.head, 0);
			continue;
		}
		size_t n = gpu_ctrl(&v->gpu, &rq, v->resp, c.wlen < sizeof(v->resp) ? c.wlen : sizeof(v->resp));
		if (!n)
			d->errors++; /* no room even for a header: returned empty */
		vq_write(&c, v->resp, n);
		vq_push(d, q, c.head, (uint32_t)n);
	}
}

/* events_read (nothing ever changes: the mode is the partition file's),
 * events_clear, num_scanouts, num_capsets (2D: 0, GPU2D-4; 3D: the
 * render backend's, never 0, GPU3D-2). */
static uint64_t gpu_config_read(struct virtio_dev *d, uint32_t off, unsigned w)
{
	struct virtio_gpu *vg = d->priv;
	const struct gpu_host_capset *caps;
	const uint32_t cfg[4] = { 0, 0, 1, vg && gpu3d_on(&vg->gpu) ? gpu_host_capsets(&caps) : 0 };
	uint64_t v = 0;

	memcpy(&v, (const uint8_t *)cfg + off, w);
	return v;
}

static void gpu_config_write(struct virtio_dev *d, uint32_t off, unsigned w, uint64_t v)
{
	(void)d, (void)off, (void)w, (void)v; /* events_clear: no event is ever set */
}

static void gpu_reset_dev(struct virtio_dev *d)
{
	struct virtio_gpu *v = d->priv;

	if (v)
		gpu_reset(&v->gpu);
}

const struct virtio_dev_ops virtio_gpu_ops = {
	.device_id = 16,
	.features = BIT(GPU_F_EDID), /* VIRGL (bit 0) only in 3D mode (GPU2D-3, GPU3D-1) */
	.nqueues = 2,
	.config_size = 16,
	.config_read = gpu_config_read,
	.config_write = gpu_config_write,
	.notify = gpu_notify,
	.reset = gpu_reset_dev,
};

void virtio_gpu_init(struct virtio_gpu *v, const char *name, const struct dma_space *mem,
		     const struct irq_line *irq, uint32_t width, uint32_t height, bool blob,
		     uint8_t *arena, uint64_t arena_size, struct display *disp)
{
	memset(v, 0, sizeof(*v));
	virtio_dev_init(&v->dev, &virtio_gpu_ops, v, name, mem, irq);
	if (blob)
		v->dev.features |= BIT(GPU_F_RESOURCE_BLOB);
	gpu_init(&v->gpu, &v->dev.dma, width, height, name, arena, arena_size, disp,
		 disp ? &v->win : NULL);
}

bool virtio_gpu_3d(struct virtio_gpu *v, unsigned part, const struct gpu3d_limits *lim,
		   struct gpu3d_res *table)
{
	gpu3d_init(&v->gpu, part, lim, table);
	if (gpu3d_on(&v->gpu))
		v->dev.features |= BIT(GPU_F_VIRGL);
	return gpu3d_on(&v->gpu);
}

/* ---- the device type ---- */

/* Partition file:
 *     virtio-gpu {
 *         mode = <640 400>;             the scanout's width and height
 *         memory = <0x0 0x1000000>;     its resource budget, bytes
 *         position = <0 0>;             its window's top left on /display
 *         z-order = <1>;                in front of lower ones
 *         blob = "off";                 RESOURCE_BLOB not offered ("on")
 *         virgl = "on";                 3D: VIRGL offered, through the render
 *                                       backend (include/hv/gpu_host.h); "off"
 *         virgl-contexts = <4>;         with virgl: its contexts at most (1..16)
 *         virgl-resources = <256>;      its 3D resources at most (1..1024)
 *         virgl-memory = <0x0 0x8000000>; what they may take at the backend
 *         gl-errors = "off";            GPU3D-5: its SET_DEBUG_FLAGS pass ("on")
 *     };
 * position and z-order only with /display, and then both; the virgl-*
 * and gl-errors only with virgl = "on", and then the three virgl-*. */
struct gpu_config {
	uint32_t width, height;
	uint64_t memory;
	uint32_t x, y, z;
	bool placed, blob, virgl;
	struct gpu3d_limits lim;
};
VDEV_CFG_FITS(struct gpu_config);

#define GPU_MIN_MEMORY 0x10000 /* a cursor and its backing list */

static bool two_u32(struct cfg_parser *p, int node, const char *prop, uint32_t *a, uint32_t *b,
		    const char *what)
{
	int len;
	const fdt32_t *c = cfdt_getprop(p->fdt, node, prop, &len);

	if (!c)
		return false;
	if (len != 8) {
		perr(p, node, prop, "must be %s", what);
		return false;
	}
	*a = fdt32_to_cpu(c[0]);
	*b = fdt32_to_cpu(c[1]);
	return true;
}

#define GPU3D_MIN_MEMORY 0x10000

/* virgl and its limits. */
static void parse_virgl(struct cfg_parser *p, int node, struct gpu_config *g)
{
	static const char *const onoff[] = { "off", "on", NULL };
	static const char *const need[] = { "virgl-contexts", "virgl-resources", "virgl-memory",
					    "gl-errors", NULL };
	const void *mem;
	int len;

	int on = cfg_choice(p, node, "virgl", onoff, 0);

	if (on < 0)
		return; /* reported */
	g->virgl = on == 1;
	if (!g->virgl) {
		for (unsigned i = 0; need[i]; i++)
			if (cfdt_getprop(p->fdt, node, need[i], NULL))
				perr(p, node, need[i], "only with virgl = \"on\"");
		return;
	}
	g->lim.gl_errors = cfg_choice(p, node, "gl-errors", onoff, 0) == 1;
	if (!cfdt_getprop(p->fdt, node, "virgl-contexts", NULL))
		perr(p, node, "virgl-contexts", "missing (with virgl = \"on\")");
	else if (cfg_u32(p, node, "virgl-contexts", &g->lim.contexts, "one cell") &&
		 (g->lim.contexts < 1 || g->lim.contexts > GPU3D_MAX_CTX))
		perr(p, node, "virgl-contexts", "%u: from 1 to %d", g->lim.contexts, GPU3D_MAX_CTX);
	if (!cfdt_getprop(p->fdt, node, "virgl-resources", NULL))
		perr(p, node, "virgl-resources", "missing (with virgl = \"on\")");
	else if (cfg_u32(p, node, "virgl-resources", &g->lim.resources, "one cell") &&
		 (g->lim.resources < 1 || g->lim.resources > GPU3D_MAX_RES)) {
		perr(p, node, "virgl-resources", "%u: from 1 to %d", g->lim.resources, GPU3D_MAX_RES);
		g->lim.resources = 0;
	}
	mem = cfdt_getprop(p->fdt, node, "virgl-memory", &len);
	if (!mem)
		perr(p, node, "virgl-memory", "missing (with virgl = \"on\")");
	else if (len != 8)
		perr(p, node, "virgl-memory", "must be one size (two cells)");
	else if ((g->lim.memory = be_cells(mem, 2)) < GPU3D_MIN_MEMORY)
		perr(p, node, "virgl-memory", "0x%llx: at least 0x%x",
		     (unsigned long long)g->lim.memory, GPU3D_MIN_MEMORY);
}

static void gpu_parse(struct cfg_parser *p, int node, struct part_config *pc, struct dev_config *dc)
{
	static const char *const props[] = { "mode", "memory", "position", "z-order", "blob", "virgl",
					     "virgl-contexts", "virgl-resources", "virgl-memory",
					     "gl-errors", NULL };
	static const char *const onoff[] = { "off", "on", NULL };
	struct gpu_config *g = VDEV_CFG(struct gpu_config, dc);
	const struct display_config *disp = &p->cfg->display;
	const void *mem;
	int len;

	(void)pc;
	check_known(p, node, props, NULL);
	if (!two_u32(p, node, "mode", &g->width, &g->height, "<width height>")) {
		if (!cfdt_getprop(p->fdt, node, "mode", NULL))
			perr(p, node, "mode", "missing");
	} else if (g->width < DISPLAY_MIN || g->height < DISPLAY_MIN || g->width > DISPLAY_MAX_W ||
		   g->height > DISPLAY_MAX_H || !edid_cvt_rb(g->width, g->height, 60, &(struct edid_timing){ 0 })) {
		perr(p, node, "mode", "%ux%u: not a mode an EDID describes (%d..%d x %d..%d)", g->width,
		     g->height, DISPLAY_MIN, DISPLAY_MAX_W, DISPLAY_MIN, DISPLAY_MAX_H);
		g->width = g->height = 0;
	}
	mem = cfdt_getprop(p->fdt, node, "memory", &len);
	if (!mem)
		perr(p, node, "memory", "missing");
	else if (len != 8)
		perr(p, node, "memory", "must be one size (two cells)");
	else if ((g->memory = be_cells(mem, 2)) < GPU_MIN_MEMORY || g->memory > CONFIG_GPU_POOL_SIZE)
		perr(p, node, "memory", "0x%llx: from 0x%x to CONFIG_GPU_POOL_SIZE (0x%x)",
		     (unsigned long long)g->memory, GPU_MIN_MEMORY, CONFIG_GPU_POOL_SIZE);
	g->blob = cfg_choice(p, node, "blob", onoff, 1) != 0;
	parse_virgl(p, node, g);
	bool has_pos = cfdt_getprop(p->fdt, node, "position", NULL) != NULL;
	bool has_z = cfdt_getprop(p->fdt, node, "z-order", NULL) != NULL;
	if (disp->kind == DISPLAY_NONE) {
		if (has_pos)
			perr(p, node, "position", "there is no /display to place it on");
		if (has_z)
			perr(p, node, "z-order", "there is no /display to place it on");
		return;
	}
	if (!has_pos)
		perr(p, node, "position", "missing (its window on /display)");
	if (!has_z)
		perr(p, node, "z-order", "missing (its window on /display)");
	if (!has_pos || !has_z || !two_u32(p, node, "position", &g->x, &g->y, "<x y>") ||
	    !cfg_u32(p, node, "z-order", &g->z, "one cell"))
		return;
	if (g->width && !gpu_rect_inside(&(struct gpu_rect){ g->x, g->y, g->width, g->height },
					 disp->width, disp->height))
		perr(p, node, "position", "a %ux%u window at (%u, %u) is not inside the %ux%u display",
		     g->width, g->height, g->x, g->y, disp->width, disp->height);
	else
		g->placed = true;
}

static uint64_t r64(uint64_t n)
{
	return (n + 63) & ~(uint64_t)63;
}

/* Across partitions: distinct z-orders, and the pool holds the display,
 * every window's shadow and every budget, as boot takes them. */
static void gpu_check(struct cfg_parser *p)
{
	const struct hv_config *cfg = p->cfg;
	uint64_t need = r64(display_out_bytes(&cfg->display));
	const struct gpu_config *seen[CONFIG_MAX_PARTITIONS];
	unsigned nseen = 0;

	for (unsigned i = 0; i < cfg->nparts; i++)
		for (unsigned j = 0; j < cfg->parts[i].ndevs; j++) {
			const struct dev_config *dc = &cfg->parts[i].dev[j];
			const struct gpu_config *g = VDEV_CFG(const struct gpu_config, dc);
			if (dc->type != &virtio_gpu_type || dc->invalid)
				continue;
			need += r64(g->memory);
			if (g->virgl)
				need += r64((uint64_t)g->lim.resources * sizeof(struct gpu3d_res));
			if (!g->placed)
				continue;
			need += r64((uint64_t)g->width * g->height * GPU_BPP);
			for (unsigned k = 0; k < nseen; k++)
				if (seen[k]->z == g->z)
					perr(p, dc->node, "z-order", "%u: another partition's window has it",
					     g->z);
			seen[nseen++] = g;
		}
	if (need <= CONFIG_GPU_POOL_SIZE)
		return;
	for (unsigned i = 0; i < cfg->nparts; i++)
		for (unsigned j = 0; j < cfg->parts[i].ndevs; j++)
			if (cfg->parts[i].dev[j].type == &virtio_gpu_type) {
				perr(p, cfg->parts[i].dev[j].node, "memory",
				     "the display, the windows and the budgets need 0x%llx bytes; "
				     "CONFIG_GPU_POOL_SIZE is 0x%x",
				     (unsigned long long)need, CONFIG_GPU_POOL_SIZE);
				return;
			}
}

VDEV_POOL(struct virtio_gpu, vgpu_pool, 1);

static int gpu_create(struct vdev_inst *d)
{
	struct virtio_gpu *v = &vgpu_pool[d->part_id][d->cfg->nth];
	const struct gpu_config *g = VDEV_CFG(const struct gpu_config, d->cfg);
	struct display *disp = g->placed ? hv_display : NULL;
	uint8_t *arena = display_pool_take(g->memory);

	if (!arena) {
		vdev_refuse(d, "memory", "the graphics pool is spent");
		return -1;
	}
	virtio_gpu_init(v, d->name, d->mem, &d->irq, g->width, g->height, g->blob, arena, g->memory,
			disp);
	if (g->virgl) {
		struct gpu3d_res *t = display_pool_take((uint64_t)g->lim.resources * sizeof(*t));
		if (!t) {
			vdev_refuse(d, "virgl-resources", "the graphics pool is spent");
			return -1;
		}
		gpu_host_probe();
		if (!virtio_gpu_3d(v, d->part_id, &g->lim, t))
			WARN("%s: no render backend with VIRGL on this board: 2D only", d->name);
	}
	if (disp) {
		v->win.rect = (struct gpu_rect){ g->x, g->y, g->width, g->height };
		v->win.z = g->z;
		v->win.shadow = display_pool_take((uint64_t)g->width * g->height * GPU_BPP);
		if (!v->win.shadow) {
			vdev_refuse(d, "memory", "the graphics pool is spent");
			return -1;
		}
		spin_lock(&disp->lock);
		comp_add(disp, &v->win);
		spin_unlock(&disp->lock);
	}
	INFO("%s: %ux%u, %llu KiB for resources%s%s", d->name, g->width, g->height,
	     (unsigned long long)(g->memory >> 10), disp ? ", on the display" : "",
	     gpu3d_on(&v->gpu) ? ", virgl" : "");
	d->priv = v;
	d->vdev = &v->dev;
	return 0;
}

/* Bytes of its resource budget taken (resources and their copies). */
static uint64_t gpu_held(const struct vdev_inst *d)
{
	return ((const struct virtio_gpu *)d->priv)->gpu.arena.used;
}

const struct vdev_type virtio_gpu_type = {
	.name = "virtio-gpu",
	.max = 1,
	.too_many = "a partition has at most one virtio-gpu",
	.size = VIRTIO_MMIO_SIZE,
	.dma = true,
	.parse = gpu_parse,
	.check = gpu_check,
	.create = gpu_create,
	.held = gpu_held,
	.held_unit = "budget bytes",
};
