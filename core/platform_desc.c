/* The board as the partition file is checked against, from Kconfig and the
 * platform's header, and its interrupt controller from the board's device
 * tree when it has one (the firmware's at boot, --board on the host): the
 * same values in the host checker and in the hypervisor. */
#include <hv/boot.h>
#include <hv/cfdt.h>
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
	if (pd->pcie.present) {
		pd->hv_mmio[n] = pd->pcie.ecam;
		pd->hv_mmio_what[n++] = "PCIe configuration space";
	}
	if (pd->pcie.smmu) {
		pd->hv_mmio[n] = pd->pcie.smmu_regs;
		pd->hv_mmio_what[n++] = "SMMU";
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

	if (!cfdt_blob_ok(fdt, size))
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
	pd->gic_node = node;
	hv_windows(pd);
	return 0;
}

/* ---- the PCIe host bridge and its SMMU ---- */

static const fdt32_t *prop_cells(const void *fdt, int node, const char *name, int *ncells)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p || len < 0 || len % 4)
		return NULL;
	*ncells = len / 4;
	return p;
}

static uint32_t cell_of(const void *fdt, int node, const char *name, uint32_t dflt)
{
	int n;
	const fdt32_t *p = prop_cells(fdt, node, name, &n);
	return p && n == 1 ? fdt32_to_cpu(p[0]) : dflt;
}

static uint64_t cells64(const fdt32_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 32 | fdt32_to_cpu(p[i]);
	return v;
}

/* An interrupt specifier of the GIC (3 cells): an SPI's INTID and whether
 * it is level-triggered; false for anything else. */
static bool gic_spi(const fdt32_t *c, uint32_t *intid, bool *level)
{
	uint32_t type = fdt32_to_cpu(c[0]), num = fdt32_to_cpu(c[1]), flags = fdt32_to_cpu(c[2]) & 0xf;

	if (type != 0 || num > 987 || (flags != 1 && flags != 4))
		return false;
	*intid = 32 + num;
	*level = flags == 4;
	return true;
}

/* The SMMUv3 node at phandle ph: its registers and its event-queue and
 * global-error interrupts. NULL or why not. */
static const char *smmu_of(const void *fdt, uint32_t ph, struct pcie_desc *d)
{
	int node = fdt_node_offset_by_phandle(fdt, ph), n = 0, len = 0;
	const fdt32_t *irq;
	const char *names;

	if (node < 0 || fdt_node_check_compatible(fdt, node, "arm,smmu-v3"))
		return "its iommu-map names no SMMUv3";
	if (!fdt_get_property(fdt, node, "reg", NULL) || !reg_entry(fdt, node, 0, &d->smmu_regs) ||
	    d->smmu_regs.size < 0x20000)
		return "the SMMUv3 has no 128 KiB register window";
	irq = prop_cells(fdt, node, "interrupts", &n);
	names = fdt_getprop(fdt, node, "interrupt-names", &len);
	for (int i = 0; irq && names && len > 0 && (i + 1) * 3 <= n; i++) {
		uint32_t intid;
		bool level;
		const char *nul = memchr(names, 0, (size_t)len);
		if (!nul)
			break;
		size_t l = (size_t)(nul - names);
		if (gic_spi(irq + 3 * i, &intid, &level)) {
			if (!strcmp(names, "eventq"))
				d->smmu_evtq_intid = intid;
			else if (!strcmp(names, "gerror"))
				d->smmu_gerror_intid = intid;
		}
		names += l + 1;
		len -= (int)l + 1;
	}
	return NULL;
}

/* The host bridge's tree, checked; NULL, or why it cannot be used. */
static const char *pcie_parse(const void *fdt, int node, int gic_node, struct pcie_desc *d)
{
	int n, pac = fdt_address_cells(fdt, 0), ipac;
	const fdt32_t *c;
	bool seen[4][4] = { { false } };

	d->node = node;
	if (pac < 1 || pac > 2)
		return "the root's #address-cells is not 1 or 2";
	if (cell_of(fdt, node, "#address-cells", 0) != 3 || cell_of(fdt, node, "#size-cells", 0) != 2 ||
	    cell_of(fdt, node, "#interrupt-cells", 0) != 1)
		return "its #address-cells, #size-cells or #interrupt-cells are not PCI's 3, 2 and 1";
	if (!reg_entry(fdt, node, 0, &d->ecam) || d->ecam.size < 0x100000)
		return "it has no ECAM window";
	c = prop_cells(fdt, node, "bus-range", &n);
	d->bus_first = c && n == 2 ? fdt32_to_cpu(c[0]) : 0;
	d->bus_last = c && n == 2 ? fdt32_to_cpu(c[1]) : 0xff;
	if (d->bus_first > d->bus_last || d->bus_last > 0xff ||
	    ((uint64_t)(d->bus_last - d->bus_first) + 1) << 20 > d->ecam.size)
		return "its bus-range does not fit its ECAM window";
	/* ranges: the 32-bit non-prefetchable memory window, not translated. */
	c = prop_cells(fdt, node, "ranges", &n);
	for (int i = 0, w = 3 + pac + 2; c && (i + 1) * w <= n; i++) {
		const fdt32_t *e = c + i * w;
		uint32_t hi = fdt32_to_cpu(e[0]);
		uint64_t bus = cells64(e + 1, 2), cpu = cells64(e + 3, pac), size = cells64(e + 3 + pac, 2);
		if (((hi >> 24) & 3) == 2 && !(hi & (1u << 30)) && bus == cpu && size && !d->mem32.size)
			d->mem32 = (struct mem_range){ cpu, size };
	}
	if (!d->mem32.size)
		return "its ranges have no untranslated 32-bit memory window";
	if (d->mem32.base + d->mem32.size > (1ULL << 32) || d->mem32.base + d->mem32.size < d->mem32.base)
		return "its 32-bit memory window is not below 4 GiB";
	/* INTx: interrupt-map-mask <0x1800 0 0 7>, every slot % 4 and pin. */
	c = prop_cells(fdt, node, "interrupt-map-mask", &n);
	if (!c || n != 4 || fdt32_to_cpu(c[0]) != 0x1800 || fdt32_to_cpu(c[1]) || fdt32_to_cpu(c[2]) ||
	    fdt32_to_cpu(c[3]) != 7)
		return "its interrupt-map-mask is not <0x1800 0 0 7>";
	c = prop_cells(fdt, node, "interrupt-map", &n);
	/* Every entry's parent must be the GIC the board was found to have
	 * (compared by phandle: a lookup by phandle walks the whole tree,
	 * 16 of them cost the boot 14 million instructions under QEMU). */
	uint32_t gic_ph = fdt_get_phandle(fdt, gic_node);
	uint32_t pa = cell_of(fdt, gic_node, "#address-cells", 0);
	if (!gic_ph || cell_of(fdt, gic_node, "#interrupt-cells", 0) != 3 || pa > 2)
		return "its interrupt-map's parent is not the GIC";
	for (int i = 0; c && i < n;) {
		if (i + 5 > n)
			return "its interrupt-map is cut short";
		uint32_t hi = fdt32_to_cpu(c[i]), pin = fdt32_to_cpu(c[i + 3]), ph = fdt32_to_cpu(c[i + 4]);
		if (ph != gic_ph || i + 5 + (int)pa + 3 > n)
			return "its interrupt-map's parent is not the GIC";
		ipac = (int)pa;
		unsigned slot = (hi >> 11) & 3;
		uint32_t intid;
		bool level;
		if (pin < 1 || pin > 4 || !gic_spi(c + i + 5 + ipac, &intid, &level))
			return "its interrupt-map has an entry that is not a pin to a GIC SPI";
		d->intx[slot][pin - 1] = intid;
		d->intx_level[slot][pin - 1] = level;
		seen[slot][pin - 1] = true;
		i += 5 + ipac + 3;
	}
	for (unsigned s = 0; s < 4; s++)
		for (unsigned p = 0; p < 4; p++)
			if (!seen[s][p])
				return "its interrupt-map does not cover every slot and pin";
	/* iommu-map <rid-base smmu sid-base length>: the root bus's RIDs. */
	c = prop_cells(fdt, node, "iommu-map", &n);
	if (c) {
		uint32_t rid = fdt32_to_cpu(c[0]), len;
		if (n != 4)
			return "its iommu-map is not one <rid-base iommu sid-base length> entry";
		len = fdt32_to_cpu(c[3]);
		if (rid > d->bus_first << 8 || (uint64_t)rid + len < ((uint64_t)d->bus_first + 1) << 8)
			return "its iommu-map does not cover the root bus";
		const char *why = smmu_of(fdt, fdt32_to_cpu(c[1]), d);
		if (why)
			return why;
		d->sid_base = fdt32_to_cpu(c[2]) - rid;
		/* The hypervisor's stream table: 256 StreamIDs, the root bus's. */
		if ((uint64_t)d->sid_base + ((uint64_t)d->bus_first << 8) + 0x100 > 0x100)
			return "its root bus's StreamIDs are beyond the 256 the hypervisor's stream table holds";
		if (!d->smmu_evtq_intid || d->smmu_evtq_intid >= 128 ||
		    (d->smmu_gerror_intid && d->smmu_gerror_intid >= 128))
			return "its SMMU's event-queue or global-error interrupt is missing or not an SPI "
			       "below INTID 128";
		d->smmu = true;
	}
	return NULL;
}

/* The host bridge's windows and the SMMU's registers, against RAM, the
 * hypervisor's memory, the devices it drives and each other: NULL, or
 * which clash. */
static const char *pcie_windows_clash(const struct platform_desc *pd)
{
	static const char *const msg[3][3] = {
		{ "its ECAM window overlaps RAM", "its 32-bit memory window overlaps RAM",
		  "its SMMU's registers overlap RAM" },
		{ "its ECAM window overlaps a device the hypervisor drives",
		  "its 32-bit memory window overlaps a device the hypervisor drives",
		  "its SMMU's registers overlap a device the hypervisor drives" },
		{ "its ECAM window overlaps its other windows", "its 32-bit memory window overlaps its other windows",
		  "its SMMU's registers overlap its other windows" },
	};
	const struct pcie_desc *d = &pd->pcie;
	const struct mem_range w[3] = { d->ecam, d->mem32, d->smmu_regs };

	for (unsigned i = 0; i < 3; i++) {
		if (!w[i].size)
			continue;
		if (range_overlaps(w[i].base, w[i].size, pd->ram.base, pd->ram.size) ||
		    range_overlaps(w[i].base, w[i].size, pd->hv.base, pd->hv.size))
			return msg[0][i];
		for (unsigned h = 0; h < pd->nhv_mmio; h++)
			if (range_overlaps(w[i].base, w[i].size, pd->hv_mmio[h].base, pd->hv_mmio[h].size))
				return msg[1][i];
		for (unsigned j = 0; j < i; j++)
			if (w[j].size && range_overlaps(w[i].base, w[i].size, w[j].base, w[j].size))
				return msg[2][i];
	}
	return NULL;
}

/* NULL: no usable host bridge (pd->pcie.present false), or why the
 * board's cannot be used. */
static const char *from_board_pcie(struct platform_desc *pd, const void *fdt)
{
	int node;
	const char *st, *why;

	pd->pcie = (struct pcie_desc){ 0 };
	if (!fdt)
		return NULL;
	node = fdt_node_offset_by_compatible(fdt, -1, "pci-host-ecam-generic");
	if (node < 0)
		return NULL;
	st = fdt_getprop(fdt, node, "status", NULL);
	if (st && strcmp(st, "okay") != 0 && strcmp(st, "ok") != 0)
		return NULL;
	why = pcie_parse(fdt, node, pd->gic_node, &pd->pcie);
	if (!why)
		why = pcie_windows_clash(pd);
	if (why) {
		pd->pcie = (struct pcie_desc){ .node = node };
		return why;
	}
	pd->pcie.present = true;
	hv_windows(pd);
	return NULL;
}

int platform_desc_get(struct platform_desc *pd, const void *board, size_t board_size)
{
	int r;

	defaults(pd);
	pd->board = board;
	pd->board_size = board ? board_size : 0;
	r = from_board(pd, board, board_size);
	if (r != -2 && r != -1)
		pd->pcie_why = from_board_pcie(pd, board);
	return r;
}
