/* The board as the partition file is checked against, from Kconfig and the
 * platform's header, and its interrupt controller from the board's device
 * tree when it has one (the firmware's at boot, --board on the host): the
 * same values in the host checker and in the hypervisor. */
#include <hv/boot.h>
#include <libfdt.h>
#include <platform.h>
#include <string.h>

/* What the hypervisor drives itself: no partition may be given it. */
static void hv_windows(struct platform_desc *pd)
{
	const struct gic_desc *g = &pd->gic;
	unsigned n = 0;

	pd->hv_mmio[n] = (struct mem_range){ CONFIG_UART_BASE, 0x1000 };
	pd->hv_mmio_what[n++] = "console UART";
	pd->hv_mmio[n] = g->dist;
	pd->hv_mmio_what[n++] = "GIC distributor";
	if (g->version == 3) {
		pd->hv_mmio[n] = g->redist;
		pd->hv_mmio_what[n++] = "GIC redistributors";
	} else {
		pd->hv_mmio[n] = g->cpu;
		pd->hv_mmio_what[n++] = "GIC CPU interface";
		pd->hv_mmio[n] = g->hyp;
		pd->hv_mmio_what[n++] = "GIC virtual interface control";
		pd->hv_mmio[n] = g->vcpu;
		pd->hv_mmio_what[n++] = "GIC virtual CPU interface";
	}
	pd->nhv_mmio = n;
}

static void defaults(struct platform_desc *pd)
{
	*pd = (struct platform_desc){ 0 };
	pd->ram = (struct mem_range){ CONFIG_RAM_BASE, CONFIG_RAM_SIZE };
	pd->hv = (struct mem_range){ CONFIG_HV_MEM_BASE, CONFIG_HV_MEM_SIZE };
	pd->ncpus = CONFIG_NR_CPUS_PLATFORM;
	pd->gic = (struct gic_desc)PLATFORM_GIC_DEFAULT;
	hv_windows(pd);
	pd->hv_intid = PLATFORM_UART_INTID;
}

/* reg entry i of node (the root's cells), or false. */
static bool reg_entry(const void *fdt, int node, int i, struct mem_range *out)
{
	int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0), len;
	const fdt32_t *p = fdt_getprop(fdt, node, "reg", &len);
	uint64_t v[2] = { 0, 0 };

	if (!p || ac < 1 || ac > 2 || sc < 1 || sc > 2 || len < (i + 1) * (ac + sc) * 4)
		return false;
	p += i * (ac + sc);
	for (int c = 0; c < ac + sc; c++) {
		int which = c < ac ? 0 : 1;
		v[which] = v[which] << 32 | fdt32_to_cpu(p[c]);
	}
	*out = (struct mem_range){ v[0], v[1] };
	return out->size != 0 && out->base + out->size > out->base;
}

static int from_board(struct platform_desc *pd, const void *fdt, size_t size)
{
	struct gic_desc g = { .page1 = 0x1000 };
	int node;

	if (!fdt || size < 64 || fdt_check_header(fdt) || fdt_totalsize(fdt) > size)
		return -1;
	if ((node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3")) >= 0) {
		g.version = 3;
		if (!reg_entry(fdt, node, 0, &g.dist) || !reg_entry(fdt, node, 1, &g.redist))
			return -2;
	} else if ((node = fdt_node_offset_by_compatible(fdt, -1, "arm,cortex-a15-gic")) >= 0 ||
		   (node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-400")) >= 0) {
		g.version = 2;
		/* Without the virtualization extensions' frames (GICH, GICV)
		 * there is no vGIC to give. */
		if (!reg_entry(fdt, node, 0, &g.dist) || !reg_entry(fdt, node, 1, &g.cpu) ||
		    !reg_entry(fdt, node, 2, &g.hyp) || !reg_entry(fdt, node, 3, &g.vcpu))
			return -2;
		/* 64 KiB-aliased frames: the CPU interfaces' second page is
		 * the next 64 KiB alias (Linux's gic_check_eoimode). Both
		 * pages must be in the frame: a partition maps GICV's two. */
		if (g.cpu.size >= 0x20000 && g.vcpu.size >= 0x20000)
			g.page1 = 0x10000;
		if (g.cpu.size < g.page1 + 0x1000 || g.vcpu.size < g.page1 + 0x1000 ||
		    g.hyp.size < 0x1000)
			return -2;
	} else {
		return -1;
	}
	pd->gic = g;
	hv_windows(pd);
	return 0;
}

int platform_desc_get(struct platform_desc *pd, const void *board, size_t board_size)
{
	defaults(pd);
	pd->board = board;
	pd->board_size = board ? board_size : 0;
	return from_board(pd, board, board_size);
}
