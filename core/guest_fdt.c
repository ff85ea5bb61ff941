/* The device tree a partition boots with, generated from its configuration:
 * memory, CPUs with PSCI, the GICv3, the timer, its console UART, chosen
 * (bootargs, initrd). Nothing it was not given is described. */
#include <hv/partition.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#define PH_GIC 1
#define PH_CLK 2

/* GIC_SPI/GIC_PPI cells and flags as in the GIC binding. */
#define GIC_SPI 0
#define GIC_PPI 1
#define IRQ_EDGE_RISING 1
#define IRQ_LEVEL_HIGH 4
#define IRQ_LEVEL_LOW 8

#define TRY(x) do { int _e = (x); if (_e) return _e; } while (0)

static int prop_u64_pair(void *fdt, const char *name, uint64_t a, uint64_t b)
{
	fdt64_t v[2] = { cpu_to_fdt64(a), cpu_to_fdt64(b) };
	return fdt_property(fdt, name, v, sizeof(v));
}

static int prop_cells(void *fdt, const char *name, const uint32_t *c, unsigned n)
{
	fdt32_t v[16];
	for (unsigned i = 0; i < n && i < 16; i++)
		v[i] = cpu_to_fdt32(c[i]);
	return fdt_property(fdt, name, v, n * sizeof(v[0]));
}

static int node_at(void *fdt, const char *name, uint64_t addr)
{
	char n[48];
	snprintf(n, sizeof(n), "%s@%llx", name, (unsigned long long)addr);
	return fdt_begin_node(fdt, n);
}

int guest_fdt_build(struct partition *p, void *buf, size_t size)
{
	const struct part_config *pc = p->cfg;
	void *fdt = buf;
	char bootargs[CFG_BOOTARGS_MAX + 64];

	TRY(fdt_create(fdt, (int)size));
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_string(fdt, "compatible", "bulkhead,partition"));
	TRY(fdt_property_string(fdt, "model", pc->name));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_u32(fdt, "interrupt-parent", PH_GIC));

	TRY(fdt_begin_node(fdt, "chosen"));
	snprintf(bootargs, sizeof(bootargs), "%s bulkhead.name=%s", pc->bootargs, pc->name);
	TRY(fdt_property_string(fdt, "bootargs", bootargs));
	if (pc->console == CONSOLE_UART)
		TRY(fdt_property_string(fdt, "stdout-path", "/pl011@9000000"));
	if (pc->initrd.present) {
		TRY(fdt_property_u64(fdt, "linux,initrd-start", p->initrd));
		TRY(fdt_property_u64(fdt, "linux,initrd-end", p->initrd + pc->initrd.size));
	}
	TRY(fdt_end_node(fdt));

	for (unsigned i = 0; i < pc->nmem; i++) {
		TRY(node_at(fdt, "memory", pc->mem[i].base));
		TRY(fdt_property_string(fdt, "device_type", "memory"));
		TRY(prop_u64_pair(fdt, "reg", pc->mem[i].base, pc->mem[i].size));
		TRY(fdt_end_node(fdt));
	}

	TRY(fdt_begin_node(fdt, "psci"));
	TRY(fdt_property(fdt, "compatible", "arm,psci-1.0\0arm,psci-0.2",
			 sizeof("arm,psci-1.0\0arm,psci-0.2")));
	TRY(fdt_property_string(fdt, "method", "hvc"));
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	for (unsigned i = 0; i < p->nvcpus; i++) {
		TRY(node_at(fdt, "cpu", i));
		TRY(fdt_property_string(fdt, "device_type", "cpu"));
		TRY(fdt_property_string(fdt, "compatible", "arm,armv8"));
		TRY(fdt_property_u32(fdt, "reg", i));
		TRY(fdt_property_string(fdt, "enable-method", "psci"));
		TRY(fdt_end_node(fdt));
	}
	TRY(fdt_end_node(fdt));

	TRY(node_at(fdt, "interrupt-controller", GUEST_GICD_IPA));
	TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 3));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property_u32(fdt, "#redistributor-regions", 1));
	{
		fdt64_t reg[4] = { cpu_to_fdt64(GUEST_GICD_IPA), cpu_to_fdt64(VGIC_DIST_SIZE),
				   cpu_to_fdt64(GUEST_GICR_IPA),
				   cpu_to_fdt64((uint64_t)p->nvcpus * VGIC_RDIST_STRIDE) };
		TRY(fdt_property(fdt, "reg", reg, sizeof(reg)));
	}
	TRY(fdt_property_u32(fdt, "phandle", PH_GIC));
	TRY(fdt_end_node(fdt));

	/* Secure, non-secure physical, virtual, hypervisor timer PPIs. */
	TRY(fdt_begin_node(fdt, "timer"));
	TRY(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
	{
		static const uint32_t irqs[12] = { GIC_PPI, 13, IRQ_LEVEL_LOW, GIC_PPI, 14,
						   IRQ_LEVEL_LOW, GIC_PPI, 11, IRQ_LEVEL_LOW,
						   GIC_PPI, 10, IRQ_LEVEL_LOW };
		TRY(prop_cells(fdt, "interrupts", irqs, 12));
	}
	TRY(fdt_property(fdt, "always-on", NULL, 0));
	TRY(fdt_end_node(fdt));

	if (pc->console == CONSOLE_UART) {
		TRY(fdt_begin_node(fdt, "apb-pclk"));
		TRY(fdt_property_string(fdt, "compatible", "fixed-clock"));
		TRY(fdt_property_u32(fdt, "#clock-cells", 0));
		TRY(fdt_property_u32(fdt, "clock-frequency", 24000000));
		TRY(fdt_property_string(fdt, "clock-output-names", "clk24mhz"));
		TRY(fdt_property_u32(fdt, "phandle", PH_CLK));
		TRY(fdt_end_node(fdt));

		TRY(node_at(fdt, "pl011", GUEST_UART_IPA));
		TRY(fdt_property(fdt, "compatible", "arm,pl011\0arm,primecell",
				 sizeof("arm,pl011\0arm,primecell")));
		TRY(prop_u64_pair(fdt, "reg", GUEST_UART_IPA, VPL011_SIZE));
		{
			uint32_t irq[3] = { GIC_SPI, VGIC_SPI_UART - 32, IRQ_LEVEL_HIGH };
			uint32_t clks[2] = { PH_CLK, PH_CLK };
			TRY(prop_cells(fdt, "interrupts", irq, 3));
			TRY(prop_cells(fdt, "clocks", clks, 2));
		}
		TRY(fdt_property(fdt, "clock-names", "uartclk\0apb_pclk",
				 sizeof("uartclk\0apb_pclk")));
		TRY(fdt_end_node(fdt));
	}

	for (unsigned i = 0; i < p->nvirtio; i++) {
		uint32_t irq[3] = { GIC_SPI, GUEST_VIRTIO_INTID(i) - 32, IRQ_LEVEL_HIGH };
		TRY(node_at(fdt, "virtio_mmio", GUEST_VIRTIO_IPA(i)));
		TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
		TRY(prop_u64_pair(fdt, "reg", GUEST_VIRTIO_IPA(i), VIRTIO_MMIO_SIZE));
		TRY(prop_cells(fdt, "interrupts", irq, 3));
		TRY(fdt_property(fdt, "dma-coherent", NULL, 0));
		TRY(fdt_end_node(fdt));
	}

	TRY(fdt_end_node(fdt));
	TRY(fdt_finish(fdt));
	return (int)fdt_totalsize(fdt);
}
