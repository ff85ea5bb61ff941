/* The device tree a partition boots with, generated from its configuration
 * and guest layout: memory, CPUs with PSCI, the GICv3, the timer, chosen
 * (bootargs, initrd), then each device as its type describes it. Nothing
 * the partition was not given is described.
 *
 * It is written by a small sequential writer of its own (struct gfdt) that
 * lays the tree out byte for byte as libfdt's sequential-write functions
 * do with FDT_CREATE_FLAG_NO_NAME_DEDUP (header, empty reservation map,
 * structure block, then the names, each property's its own, in reverse
 * order of writing): libfdt clears the whole buffer first and re-checks
 * the tree at every call and again in fdt_finish(), which was a quarter
 * of the boot's instructions. */
#include <hv/guest_fdt.h>
#include <hv/passthrough.h>
#include <hv/vdev.h>
#include <libfdt.h>
#include <string.h>

#define GFDT_RSVMAP 48 /* the header (40 bytes) aligned to a reservation entry */
#define GFDT_STRUCT 64 /* after the reservation map's terminating entry */
#define ALIGN4(x) (((x) + 3u) & ~3u)

static void put32(uint8_t *p, uint32_t v)
{
	fdt32_t b = cpu_to_fdt32(v);
	__builtin_memcpy(p, &b, 4);
}

static uint32_t get32(const uint8_t *p)
{
	fdt32_t b;
	__builtin_memcpy(&b, p, 4);
	return fdt32_to_cpu(b);
}

int gfdt_create(struct gfdt *w, void *buf, size_t size)
{
	if (size < GFDT_STRUCT || size > INT32_MAX)
		return -FDT_ERR_NOSPACE;
	w->buf = buf;
	w->size = (uint32_t)size;
	w->end = GFDT_STRUCT;
	w->strings = 0;
	memset(buf, 0, GFDT_STRUCT); /* header fields set by gfdt_finish(), gap, map */
	return 0;
}

/* len bytes at the end of the structure block, before the names. */
static uint8_t *grab(struct gfdt *w, uint32_t len)
{
	uint8_t *p;

	if (len > w->size - w->strings - w->end)
		return NULL;
	p = w->buf + w->end;
	w->end += len;
	return p;
}

int gfdt_begin_node(struct gfdt *w, const char *name)
{
	uint32_t n = (uint32_t)strlen(name) + 1;
	uint8_t *p = grab(w, 4 + ALIGN4(n));

	if (!p)
		return -FDT_ERR_NOSPACE;
	put32(p, FDT_BEGIN_NODE);
	put32(p + ALIGN4(n), 0); /* the padding after the name */
	memcpy(p + 4, name, n);
	return 0;
}

int gfdt_end_node(struct gfdt *w)
{
	uint8_t *p = grab(w, 4);

	if (!p)
		return -FDT_ERR_NOSPACE;
	put32(p, FDT_END_NODE);
	return 0;
}

int gfdt_property_placeholder(struct gfdt *w, const char *name, uint32_t len, void **valp)
{
	uint32_t n = (uint32_t)strlen(name) + 1;
	uint8_t *p;

	/* The name first, written down from the end, as libfdt does. */
	if (n > w->size - w->end - w->strings)
		return -FDT_ERR_NOSPACE;
	w->strings += n;
	if (len > w->size || !(p = grab(w, 12 + ALIGN4(len)))) {
		w->strings -= n;
		return -FDT_ERR_NOSPACE;
	}
	memcpy(w->buf + w->size - w->strings, name, n);
	put32(p, FDT_PROP);
	put32(p + 4, len);
	put32(p + 8, -w->strings); /* from the end of the names: gfdt_finish() rebases */
	if (len & 3)
		put32(p + 12 + ALIGN4(len) - 4, 0); /* the padding after the value */
	*valp = p + 12;
	return 0;
}

int gfdt_property(struct gfdt *w, const char *name, const void *val, uint32_t len)
{
	void *p;
	int e = gfdt_property_placeholder(w, name, len, &p);

	if (!e && len)
		memcpy(p, val, len);
	return e;
}

int gfdt_property_string(struct gfdt *w, const char *name, const char *s)
{
	return gfdt_property(w, name, s, (uint32_t)strlen(s) + 1);
}

int gfdt_property_u32(struct gfdt *w, const char *name, uint32_t v)
{
	fdt32_t b = cpu_to_fdt32(v);
	return gfdt_property(w, name, &b, sizeof(b));
}

int gfdt_property_u64(struct gfdt *w, const char *name, uint64_t v)
{
	fdt64_t b = cpu_to_fdt64(v);
	return gfdt_property(w, name, &b, sizeof(b));
}

int gfdt_finish(struct gfdt *w)
{
	uint8_t *end = grab(w, 4), *b = w->buf;
	uint32_t off = GFDT_STRUCT;

	if (!end)
		return -FDT_ERR_NOSPACE;
	put32(end, FDT_END);
	/* The names right after the structure block; each property's name
	 * offset from the end of the names becomes one from their start. */
	if (w->end + w->strings <= w->size - w->strings)
		memcpy(b + w->end, b + w->size - w->strings, w->strings);
	else
		memmove(b + w->end, b + w->size - w->strings, w->strings);
	while (off < w->end) {
		uint32_t tag = get32(b + off);
		if (tag == FDT_BEGIN_NODE) {
			off += 4 + ALIGN4((uint32_t)strlen((const char *)b + off + 4) + 1);
		} else if (tag == FDT_PROP) {
			put32(b + off + 8, get32(b + off + 8) + w->strings);
			off += 12 + ALIGN4(get32(b + off + 4));
		} else {
			off += 4;
		}
	}
	fdt_set_magic(b, FDT_MAGIC);
	fdt_set_totalsize(b, w->end + w->strings);
	fdt_set_off_dt_struct(b, GFDT_STRUCT);
	fdt_set_off_dt_strings(b, w->end);
	fdt_set_off_mem_rsvmap(b, GFDT_RSVMAP);
	fdt_set_version(b, 17);
	fdt_set_last_comp_version(b, 16);
	fdt_set_boot_cpuid_phys(b, 0);
	fdt_set_size_dt_strings(b, w->strings);
	fdt_set_size_dt_struct(b, w->end - GFDT_STRUCT);
	return (int)(w->end + w->strings);
}

#define TRY GFDT_TRY

int gfdt_reg(struct gfdt *w, uint64_t base, uint64_t size)
{
	fdt64_t v[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };
	return gfdt_property(w, "reg", v, sizeof(v));
}

int gfdt_cells(struct gfdt *w, const char *name, const uint32_t *c, unsigned n)
{
	fdt32_t v[16];
	if (n > 16)
		return -FDT_ERR_BADVALUE;
	for (unsigned i = 0; i < n; i++)
		v[i] = cpu_to_fdt32(c[i]);
	return gfdt_property(w, name, v, n * sizeof(v[0]));
}

int gfdt_spi(struct gfdt *w, uint32_t intid, uint32_t flags)
{
	uint32_t irq[3] = { GIC_SPI, intid - 32, flags };
	return gfdt_cells(w, "interrupts", irq, 3);
}

/* snprintf(out, n, "%s@%llx", s, v), without printf's cost. */
static void name_at(char *out, size_t n, const char *s, uint64_t v)
{
	char hex[18];
	size_t k = sizeof(hex), i = 0;

	hex[--k] = 0;
	do {
		hex[--k] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	hex[--k] = '@';
	for (; *s && i + 1 < n; s++)
		out[i++] = *s;
	for (const char *h = hex + k; *h && i + 1 < n; h++)
		out[i++] = *h;
	out[i] = 0;
}

int gfdt_begin_node_at(struct gfdt *w, const char *name, uint64_t addr)
{
	char n[48];

	name_at(n, sizeof(n), name, addr);
	return gfdt_begin_node(w, n);
}

int gfdt_virtio_mmio_begin(struct gfdt *w, const struct layout_region *r)
{
	TRY(gfdt_begin_node_at(w, "virtio_mmio", r->base));
	TRY(gfdt_property_string(w, "compatible", "virtio,mmio"));
	TRY(gfdt_reg(w, r->base, r->size));
	TRY(gfdt_spi(w, r->intid, IRQ_LEVEL_HIGH));
	return gfdt_property(w, "dma-coherent", NULL, 0);
}

int gfdt_virtio_mmio(struct gfdt *w, const struct part_config *pc, const struct dev_config *dc,
		     const struct layout_region *r)
{
	TRY(gfdt_virtio_mmio_begin(w, r));
	if (dc->iommu_ep) {
		/* iommus = <&viommu endpoint-ID>: the ID is its index. */
		uint32_t c[2] = { GFDT_PH_IOMMU, (uint32_t)(dc - pc->dev) };
		TRY(gfdt_cells(w, "iommus", c, 2));
	}
	return gfdt_end_node(w);
}

/* Secure, non-secure physical, virtual, hypervisor timer PPIs; on GICv2
 * their flags also name the CPUs they reach (all of the partition's). */
static int timer_node(struct gfdt *fdt, const struct part_config *pc)
{
	uint32_t f = IRQ_LEVEL_LOW;

	if (pc->gic_version == 2)
		f |= ((1u << pc->ncpus) - 1) << 8;
	TRY(gfdt_begin_node(fdt, "timer"));
	TRY(gfdt_property_string(fdt, "compatible", "arm,armv8-timer"));
	{
		const uint32_t irqs[12] = { GIC_PPI, 13, f, GIC_PPI, 14, f,
					    GIC_PPI, 11, f, GIC_PPI, 10, f };
		TRY(gfdt_cells(fdt, "interrupts", irqs, 12));
	}
	TRY(gfdt_property(fdt, "always-on", NULL, 0));
	return gfdt_end_node(fdt);
}

static int cpus_and_gic(struct gfdt *fdt, const struct part_config *pc)
{
	const struct layout_region *gicd = NULL, *gicr = NULL;

	TRY(gfdt_begin_node(fdt, "psci"));
	TRY(gfdt_property(fdt, "compatible", "arm,psci-1.0\0arm,psci-0.2",
			 sizeof("arm,psci-1.0\0arm,psci-0.2")));
	TRY(gfdt_property_string(fdt, "method", "hvc"));
	TRY(gfdt_end_node(fdt));

	TRY(gfdt_begin_node(fdt, "cpus"));
	TRY(gfdt_property_u32(fdt, "#address-cells", 1));
	TRY(gfdt_property_u32(fdt, "#size-cells", 0));
	for (unsigned i = 0; i < pc->ncpus; i++) {
		TRY(gfdt_begin_node_at(fdt, "cpu", i));
		TRY(gfdt_property_string(fdt, "device_type", "cpu"));
		TRY(gfdt_property_string(fdt, "compatible", "arm,armv8"));
		TRY(gfdt_property_u32(fdt, "reg", i));
		TRY(gfdt_property_string(fdt, "enable-method", "psci"));
		TRY(gfdt_end_node(fdt));
	}
	TRY(gfdt_end_node(fdt));

	for (unsigned i = 0; i < pc->layout.n; i++) {
		if (pc->layout.r[i].kind == REGION_GICD)
			gicd = &pc->layout.r[i];
		if (pc->layout.r[i].kind == REGION_GICR)
			gicr = &pc->layout.r[i];
	}
	if (gicd && pc->gic_version == 2) {
		const struct layout_region *gicc = NULL;
		for (unsigned i = 0; i < pc->layout.n; i++)
			if (pc->layout.r[i].kind == REGION_GICC)
				gicc = &pc->layout.r[i];
		if (!gicc)
			return -FDT_ERR_INTERNAL;
		TRY(gfdt_begin_node_at(fdt, "interrupt-controller", gicd->base));
		TRY(gfdt_property_string(fdt, "compatible", "arm,cortex-a15-gic"));
		TRY(gfdt_property_u32(fdt, "#interrupt-cells", 3));
		TRY(gfdt_property(fdt, "interrupt-controller", NULL, 0));
		{
			fdt64_t reg[4] = { cpu_to_fdt64(gicd->base), cpu_to_fdt64(0x1000),
					   cpu_to_fdt64(gicc->base), cpu_to_fdt64(gicc->size) };
			TRY(gfdt_property(fdt, "reg", reg, sizeof(reg)));
		}
		TRY(gfdt_property_u32(fdt, "phandle", GFDT_PH_GIC));
		TRY(gfdt_end_node(fdt));
		return timer_node(fdt, pc);
	}
	if (!gicd || !gicr)
		return -FDT_ERR_INTERNAL;
	TRY(gfdt_begin_node_at(fdt, "interrupt-controller", gicd->base));
	TRY(gfdt_property_string(fdt, "compatible", "arm,gic-v3"));
	TRY(gfdt_property_u32(fdt, "#interrupt-cells", 3));
	TRY(gfdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(gfdt_property_u32(fdt, "#redistributor-regions", 1));
	{
		fdt64_t reg[4] = { cpu_to_fdt64(gicd->base), cpu_to_fdt64(gicd->size),
				   cpu_to_fdt64(gicr->base), cpu_to_fdt64(gicr->size) };
		TRY(gfdt_property(fdt, "reg", reg, sizeof(reg)));
	}
	TRY(gfdt_property_u32(fdt, "phandle", GFDT_PH_GIC));
	TRY(gfdt_end_node(fdt));
	return timer_node(fdt, pc);
}

/* bootargs with " bulkhead.name=<name>" never needs truncating. */
_Static_assert(CFG_BOOTARGS_MAX + sizeof(" bulkhead.name=") + CFG_NAME_MAX <= CFG_BOOTARGS_MAX + 64,
	       "the guest's bootargs always fit");

/* The virtual PCIe host bridge of a partition given PCIe functions: a
 * generic ECAM one with a single bus, the board's memory window 1:1, its
 * INTx lines as the board routes them, no MSI controller (the functions'
 * MSI and MSI-X capabilities are hidden: INTx only). */
static int pci_host_node(struct gfdt *fdt, const struct part_config *pc)
{
	fdt32_t map[16 * 8];
	unsigned n = 0;

	if (!pc->npci)
		return 0;
	TRY(gfdt_begin_node_at(fdt, "pcie", GUEST_PCI_ECAM_IPA));
	TRY(gfdt_property_string(fdt, "compatible", "pci-host-ecam-generic"));
	TRY(gfdt_property_string(fdt, "device_type", "pci"));
	TRY(gfdt_property_u32(fdt, "#address-cells", 3));
	TRY(gfdt_property_u32(fdt, "#size-cells", 2));
	TRY(gfdt_property_u32(fdt, "#interrupt-cells", 1));
	TRY(gfdt_reg(fdt, GUEST_PCI_ECAM_IPA, GUEST_PCI_ECAM_SIZE));
	TRY(gfdt_cells(fdt, "bus-range", (const uint32_t[]){ 0, 0 }, 2));
	TRY(gfdt_property_u32(fdt, "linux,pci-domain", 0));
	TRY(gfdt_property(fdt, "dma-coherent", NULL, 0));
	{
		uint64_t b = pc->pci_mem32.base, sz = pc->pci_mem32.size;
		const uint32_t r[7] = { 0x02000000, (uint32_t)(b >> 32), (uint32_t)b, (uint32_t)(b >> 32),
					(uint32_t)b, (uint32_t)(sz >> 32), (uint32_t)sz };
		TRY(gfdt_cells(fdt, "ranges", r, 7));
	}
	TRY(gfdt_cells(fdt, "interrupt-map-mask", (const uint32_t[]){ 0x1800, 0, 0, 7 }, 4));
	for (uint32_t slot = 0; slot < 4; slot++)
		for (uint32_t pin = 1; pin <= 4; pin++) {
			const uint32_t e[8] = { slot << 11, 0, 0, pin, GFDT_PH_GIC, 0,
						pc->pci_intx[slot][pin - 1] - 32,
						pc->pci_intx_level[slot][pin - 1] ? 4 : 1 };
			for (unsigned i = 0; i < 8; i++)
				map[n++] = cpu_to_fdt32(e[i]);
		}
	TRY(gfdt_property(fdt, "interrupt-map", map, sizeof(map)));
	return gfdt_end_node(fdt);
}

int guest_fdt_build(const struct part_config *pc, unsigned idx, void *buf, size_t size)
{
	struct gfdt w, *fdt = &w;
	size_t ba = strlen(pc->bootargs), nm = strlen(pc->name);
	char *args;

	TRY(gfdt_create(fdt, buf, size));
	TRY(gfdt_begin_node(fdt, ""));
	TRY(gfdt_property_string(fdt, "compatible", "bulkhead,partition"));
	TRY(gfdt_property_string(fdt, "model", pc->name));
	TRY(gfdt_property_u32(fdt, "#address-cells", 2));
	TRY(gfdt_property_u32(fdt, "#size-cells", 2));
	TRY(gfdt_property_u32(fdt, "interrupt-parent", GFDT_PH_GIC));

	TRY(gfdt_begin_node(fdt, "chosen"));
	/* "<bootargs> bulkhead.name=<name>" */
	TRY(gfdt_property_placeholder(fdt, "bootargs",
				      (uint32_t)(ba + sizeof(" bulkhead.name=") - 1 + nm + 1),
				      (void **)&args));
	memcpy(args, pc->bootargs, ba);
	memcpy(args + ba, " bulkhead.name=", sizeof(" bulkhead.name=") - 1);
	memcpy(args + ba + sizeof(" bulkhead.name=") - 1, pc->name, nm + 1);
	if (pc->console == CONSOLE_UART) {
		char path[48];
		name_at(path, sizeof(path), "/pl011", GUEST_UART_IPA);
		TRY(gfdt_property_string(fdt, "stdout-path", path));
	}
	/* Its PCIe functions' BARs are where the hypervisor placed them,
	 * mapped there: the guest claims them as they are. */
	if (pc->npci)
		TRY(gfdt_property_u32(fdt, "linux,pci-probe-only", 1));
	if (pc->initrd.present) {
		TRY(gfdt_property_u64(fdt, "linux,initrd-start", pc->initrd_ipa));
		TRY(gfdt_property_u64(fdt, "linux,initrd-end", pc->initrd_ipa + pc->initrd.size));
	}
	TRY(gfdt_end_node(fdt));

	for (unsigned i = 0; i < pc->nmem; i++) {
		TRY(gfdt_begin_node_at(fdt, "memory", pc->mem[i].base));
		TRY(gfdt_property_string(fdt, "device_type", "memory"));
		TRY(gfdt_reg(fdt, pc->mem[i].base, pc->mem[i].size));
		TRY(gfdt_end_node(fdt));
	}
	TRY(cpus_and_gic(fdt, pc));

	for (unsigned i = 0; i < pc->ndevs; i++) {
		const struct dev_config *dc = &pc->dev[i];
		const struct layout_region *r = &pc->layout.r[dc->region];
		TRY(dc->type->fdt_node ? dc->type->fdt_node(fdt, pc, dc, r)
					  : gfdt_virtio_mmio(fdt, pc, dc, r));
	}
	TRY(passthrough_fdt(fdt, pc, idx));
	TRY(pci_host_node(fdt, pc));

	TRY(gfdt_end_node(fdt));
	return gfdt_finish(fdt);
}
