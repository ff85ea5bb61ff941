/* The device tree a partition boots with, generated from its configuration
 * and guest layout: memory, CPUs with PSCI, the GICv3, the timer, chosen
 * (bootargs, initrd), then each device as its type describes it. Nothing
 * the partition was not given is described. */
#include <hv/guest_fdt.h>
#include <hv/passthrough.h>
#include <hv/vdev.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#define TRY GFDT_TRY

int gfdt_reg(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t v[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };
	return fdt_property(fdt, "reg", v, sizeof(v));
}

int gfdt_cells(void *fdt, const char *name, const uint32_t *c, unsigned n)
{
	fdt32_t v[16];
	if (n > 16)
		return -FDT_ERR_BADVALUE;
	for (unsigned i = 0; i < n; i++)
		v[i] = cpu_to_fdt32(c[i]);
	return fdt_property(fdt, name, v, n * sizeof(v[0]));
}

int gfdt_spi(void *fdt, uint32_t intid, uint32_t flags)
{
	uint32_t irq[3] = { GIC_SPI, intid - 32, flags };
	return gfdt_cells(fdt, "interrupts", irq, 3);
}

int gfdt_begin_node_at(void *fdt, const char *name, uint64_t addr)
{
	char n[48];
	snprintf(n, sizeof(n), "%s@%llx", name, (unsigned long long)addr);
	return fdt_begin_node(fdt, n);
}

int gfdt_virtio_mmio(void *fdt, const struct layout_region *r)
{
	TRY(gfdt_begin_node_at(fdt, "virtio_mmio", r->base));
	TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
	TRY(gfdt_reg(fdt, r->base, r->size));
	TRY(gfdt_spi(fdt, r->intid, IRQ_LEVEL_HIGH));
	TRY(fdt_property(fdt, "dma-coherent", NULL, 0));
	return fdt_end_node(fdt);
}

static int cpus_and_gic(void *fdt, const struct part_config *pc)
{
	const struct layout_region *gicd = NULL, *gicr = NULL;

	TRY(fdt_begin_node(fdt, "psci"));
	TRY(fdt_property(fdt, "compatible", "arm,psci-1.0\0arm,psci-0.2",
			 sizeof("arm,psci-1.0\0arm,psci-0.2")));
	TRY(fdt_property_string(fdt, "method", "hvc"));
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	for (unsigned i = 0; i < pc->ncpus; i++) {
		TRY(gfdt_begin_node_at(fdt, "cpu", i));
		TRY(fdt_property_string(fdt, "device_type", "cpu"));
		TRY(fdt_property_string(fdt, "compatible", "arm,armv8"));
		TRY(fdt_property_u32(fdt, "reg", i));
		TRY(fdt_property_string(fdt, "enable-method", "psci"));
		TRY(fdt_end_node(fdt));
	}
	TRY(fdt_end_node(fdt));

	for (unsigned i = 0; i < pc->layout.n; i++) {
		if (pc->layout.r[i].kind == REGION_GICD)
			gicd = &pc->layout.r[i];
		if (pc->layout.r[i].kind == REGION_GICR)
			gicr = &pc->layout.r[i];
	}
	if (!gicd || !gicr)
		return -FDT_ERR_INTERNAL;
	TRY(gfdt_begin_node_at(fdt, "interrupt-controller", gicd->base));
	TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 3));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property_u32(fdt, "#redistributor-regions", 1));
	{
		fdt64_t reg[4] = { cpu_to_fdt64(gicd->base), cpu_to_fdt64(gicd->size),
				   cpu_to_fdt64(gicr->base), cpu_to_fdt64(gicr->size) };
		TRY(fdt_property(fdt, "reg", reg, sizeof(reg)));
	}
	TRY(fdt_property_u32(fdt, "phandle", GFDT_PH_GIC));
	TRY(fdt_end_node(fdt));

	/* Secure, non-secure physical, virtual, hypervisor timer PPIs. */
	TRY(fdt_begin_node(fdt, "timer"));
	TRY(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
	{
		static const uint32_t irqs[12] = { GIC_PPI, 13, IRQ_LEVEL_LOW, GIC_PPI, 14,
						   IRQ_LEVEL_LOW, GIC_PPI, 11, IRQ_LEVEL_LOW,
						   GIC_PPI, 10, IRQ_LEVEL_LOW };
		TRY(gfdt_cells(fdt, "interrupts", irqs, 12));
	}
	TRY(fdt_property(fdt, "always-on", NULL, 0));
	return fdt_end_node(fdt);
}

static int build(const struct part_config *pc, unsigned idx, void *buf, size_t size)
{
	void *fdt = buf;
	char bootargs[CFG_BOOTARGS_MAX + 64];

	/* No string dedup: libfdt would search its string table at every
	 * property (most of the build's time); the tree is a little larger. */
	TRY(fdt_create_with_flags(fdt, (int)size, FDT_CREATE_FLAG_NO_NAME_DEDUP));
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_string(fdt, "compatible", "bulkhead,partition"));
	TRY(fdt_property_string(fdt, "model", pc->name));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_u32(fdt, "interrupt-parent", GFDT_PH_GIC));

	TRY(fdt_begin_node(fdt, "chosen"));
	snprintf(bootargs, sizeof(bootargs), "%s bulkhead.name=%s", pc->bootargs, pc->name);
	TRY(fdt_property_string(fdt, "bootargs", bootargs));
	if (pc->console == CONSOLE_UART) {
		char path[48];
		snprintf(path, sizeof(path), "/pl011@%lx", GUEST_UART_IPA);
		TRY(fdt_property_string(fdt, "stdout-path", path));
	}
	if (pc->initrd.present) {
		TRY(fdt_property_u64(fdt, "linux,initrd-start", pc->initrd_ipa));
		TRY(fdt_property_u64(fdt, "linux,initrd-end", pc->initrd_ipa + pc->initrd.size));
	}
	TRY(fdt_end_node(fdt));

	for (unsigned i = 0; i < pc->nmem; i++) {
		TRY(gfdt_begin_node_at(fdt, "memory", pc->mem[i].base));
		TRY(fdt_property_string(fdt, "device_type", "memory"));
		TRY(gfdt_reg(fdt, pc->mem[i].base, pc->mem[i].size));
		TRY(fdt_end_node(fdt));
	}
	TRY(cpus_and_gic(fdt, pc));

	for (unsigned i = 0; i < pc->ndevs; i++) {
		const struct dev_config *dc = &pc->dev[i];
		const struct layout_region *r = &pc->layout.r[dc->region];
		TRY(dc->type->fdt_node ? dc->type->fdt_node(fdt, pc, dc, r) : gfdt_virtio_mmio(fdt, r));
	}
	TRY(passthrough_fdt(fdt, pc, idx));

	TRY(fdt_end_node(fdt));
	TRY(fdt_finish(fdt));
	return (int)fdt_totalsize(fdt);
}

/* libfdt clears the whole buffer it is given before writing (64 KiB, 16k
 * instructions at boot): a tree is first built in the buffer's first
 * GFDT_FIRST_TRY bytes, which most trees fit, and only one that does not
 * is built again in the whole buffer. The tree is the same either way. */
#define GFDT_FIRST_TRY 8192
int guest_fdt_build(const struct part_config *pc, unsigned idx, void *buf, size_t size)
{
	int n;

	if (size > GFDT_FIRST_TRY) {
		n = build(pc, idx, buf, GFDT_FIRST_TRY);
		if (n != -FDT_ERR_NOSPACE)
			return n;
	}
	return build(pc, idx, buf, size);
}
