/* /partitions: each partition's CPUs, memory, images, console and device
 * nodes, then what follows from them and boot would otherwise find out too
 * late: the guest's address map (core/layout.c), where the kernel, initrd
 * and device tree go, and the guest device tree itself (built here as at
 * boot, so one that does not fit is refused by the checker). */
#include <hv/vgic.h>
#include <hv/config_schema.h>
#include <hv/guest_fdt.h>
#include <hv/image.h>
#include <hv/vdev.h>
#include <libfdt.h>
#include <string.h>


static void refused(struct cfg_parser *p, unsigned idx, bool is_cpu, uint32_t cpu, uint64_t base,
		    uint64_t size)
{
	if (p->errs->nrefused < CFG_MAX_REFUSED)
		p->errs->refused[p->errs->nrefused++] =
			(struct cfg_refused){ idx, is_cpu, cpu, { base, size } };
}

static void parse_cpus(struct cfg_parser *p, int node, unsigned idx, struct part_config *pc)
{
	int len;
	const fdt32_t *c = cfdt_getprop(p->fdt, node, "cpus", &len);

	if (!c) {
		perr(p, node, "cpus", "missing");
		return;
	}
	if (len == 0 || len % 4) {
		perr(p, node, "cpus", "length %d is not a non-empty list of 1-cell CPU numbers", len);
		return;
	}
	for (int i = 0; i < len / 4; i++) {
		uint32_t cpu = fdt32_to_cpu(c[i]);
		bool taken = false;
		if (cpu >= p->plat->ncpus || cpu >= CONFIG_MAX_CPUS) {
			perr(p, node, "cpus", "CPU %u does not exist (the board has %u)", cpu,
			     p->plat->ncpus);
			continue;
		}
		for (unsigned j = 0; j < pc->ncpus; j++)
			taken |= pc->cpus[j] == cpu;
		if (taken) {
			perr(p, node, "cpus", "CPU %u listed twice", cpu);
			continue;
		}
		for (unsigned q = 0; q < idx && !taken; q++)
			for (unsigned j = 0; j < p->cfg->parts[q].ncpus && !taken; j++)
				if (p->cfg->parts[q].cpus[j] == cpu) {
					perr(p, node, "cpus", "CPU %u already belongs to %s", cpu,
					     part_path(p, q));
					refused(p, idx, true, cpu, 0, 0);
					taken = true;
				}
		if (!taken)
			pc->cpus[pc->ncpus++] = (uint8_t)cpu;
	}
	/* Its vGIC is the board's kind: GICv2 has eight CPU interfaces. */
	pc->gic_version = p->plat->gic.version;
	pc->gicv[0] = p->plat->gic.vcpu.base;
	pc->gicv[1] = p->plat->gic.vcpu.base + p->plat->gic.page1;
	if (pc->gic_version == 2 && pc->ncpus > VGIC_V2_MAX_VCPUS)
		perr(p, node, "cpus", "%u CPUs: a partition has at most %d on a GICv2 board",
		     pc->ncpus, VGIC_V2_MAX_VCPUS);
}

static void parse_memory(struct cfg_parser *p, int node, unsigned idx, struct part_config *pc)
{
	const int cells = 4; /* #address-cells = 2, #size-cells = 2 */
	const struct platform_desc *pl = p->plat;
	int len;
	const fdt32_t *c = cfdt_getprop(p->fdt, node, "memory", &len);

	if (!c) {
		perr(p, node, "memory", "missing");
		return;
	}
	if (len == 0 || len % (cells * 4)) {
		perr(p, node, "memory",
		     "length %d is not a non-empty list of <base size> pairs of 2 cells each", len);
		return;
	}
	if (len / (cells * 4) > CONFIG_MAX_MEM_RANGES) {
		perr(p, node, "memory", "more than %d ranges", CONFIG_MAX_MEM_RANGES);
		return;
	}
	for (int i = 0; i < len / (cells * 4); i++) {
		uint64_t base = be_cells(c + i * cells, 2), size = be_cells(c + i * cells + 2, 2);
		bool bad = false;

		if (size == 0) {
			perr(p, node, "memory", "range %d has size 0", i);
			continue;
		}
		if (!IS_ALIGNED(base, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE)) {
			perr(p, node, "memory", "range [0x%llx, +0x%llx) is not 4 KiB aligned",
			     (unsigned long long)base, (unsigned long long)size);
			continue;
		}
		if (!range_within(base, size, pl->ram.base, pl->ram.size)) {
			perr(p, node, "memory", "range [0x%llx, +0x%llx) is outside RAM [0x%llx, +0x%llx)",
			     (unsigned long long)base, (unsigned long long)size,
			     (unsigned long long)pl->ram.base, (unsigned long long)pl->ram.size);
			bad = true;
		}
		if (range_overlaps(base, size, pl->hv.base, pl->hv.size)) {
			perr(p, node, "memory",
			     "range [0x%llx, +0x%llx) overlaps the hypervisor's memory [0x%llx, +0x%llx)",
			     (unsigned long long)base, (unsigned long long)size,
			     (unsigned long long)pl->hv.base, (unsigned long long)pl->hv.size);
			bad = true;
		}
		for (unsigned j = 0; j < pc->nmem; j++)
			if (range_overlaps(base, size, pc->mem[j].base, pc->mem[j].size)) {
				perr(p, node, "memory", "range %d overlaps range %u of the same partition", i, j);
				bad = true;
			}
		for (unsigned q = 0; q < idx; q++)
			for (unsigned j = 0; j < p->cfg->parts[q].nmem; j++) {
				const struct mem_range *o = &p->cfg->parts[q].mem[j];
				if (range_overlaps(base, size, o->base, o->size)) {
					perr(p, node, "memory", "range [0x%llx, +0x%llx) overlaps %s",
					     (unsigned long long)base, (unsigned long long)size,
					     part_path(p, q));
					bad = true;
				}
			}
		if (!bad)
			pc->mem[pc->nmem++] = (struct mem_range){ base, size };
		else
			refused(p, idx, false, 0, base, size);
	}
}

/* The kernel at mem[0] + kernel-offset; the device tree in the last
 * GUEST_DTB_MAX bytes of mem[0]; the initrd right below it, page aligned,
 * with one guard page between them. Both must stay clear of the memory the
 * kernel says it needs (its arm64 Image header's image_size, which covers
 * its .bss), not only of its file. */
static void place_images(struct cfg_parser *p, int node, struct part_config *pc)
{
	const struct mem_range *m0 = &pc->mem[0];
	struct arm64_image_header ih;
	uint64_t kend = pc->kernel.size, below;

	memset(&ih, 0, sizeof(ih));
	if (p->blob_size && p->blob_size(p->blob_ctx, pc->kernel.name, &ih, sizeof(ih)) >= 0 &&
	    ih.magic == ARM64_IMAGE_MAGIC && ih.image_size > kend)
		kend = ih.image_size;
	pc->entry = m0->base + pc->entry_offset;
	pc->dtb_ipa = m0->base + m0->size - GUEST_DTB_MAX;
	pc->initrd_ipa = pc->dtb_ipa;
	below = pc->dtb_ipa - m0->base; /* bytes of mem[0] below the device tree */
	if (pc->initrd.present) {
		uint64_t need = ALIGN_UP(pc->initrd.size, PAGE_SIZE) + PAGE_SIZE;
		pc->initrd_ipa = need <= below ? ALIGN_DOWN(pc->dtb_ipa - pc->initrd.size, PAGE_SIZE) -
						 PAGE_SIZE
					       : m0->base;
		if (need > below)
			below = 0;
		else
			below = pc->initrd_ipa - m0->base;
	}
	if (m0->size < GUEST_DTB_MAX || pc->entry_offset > below || kend > below - pc->entry_offset) {
		/* The initrd's fault only when the kernel alone would fit. */
		uint64_t room = m0->size >= GUEST_DTB_MAX ? pc->dtb_ipa - m0->base : 0;
		bool kernel_fits = pc->entry_offset <= room && kend <= room - pc->entry_offset;
		perr(p, node, pc->initrd.present && kernel_fits ? "initrd" : "kernel",
		     "kernel (%llu bytes in memory at offset 0x%llx), %sdevice tree (%lu bytes) do not "
		     "fit in memory range 0 (%llu bytes)", (unsigned long long)kend,
		     (unsigned long long)pc->entry_offset, pc->initrd.present ? "initrd and " : "",
		     GUEST_DTB_MAX, (unsigned long long)m0->size);
	}
}

static bool node_is_type(const char *name, const struct vdev_type *t)
{
	size_t n = strlen(t->name);
	return strncmp(name, t->name, n) == 0 &&
	       (name[n] == 0 || name[n] == '@' || (t->suffixed && name[n] == '-' && name[n + 1]));
}

const struct vdev_type *vdev_type_of_node(const char *name)
{
	for (const struct vdev_type *const *t = vdev_types; *t; t++)
		if (!(*t)->console && node_is_type(name, *t))
			return *t;
	return NULL;
}

static struct dev_config *add_dev(struct cfg_parser *p, int node, struct part_config *pc,
				  const struct vdev_type *t, const char *name, unsigned nth)
{
	struct dev_config *dc;

	if (nth >= t->max) {
		perr(p, node, NULL, t->too_many, t->max);
		return NULL;
	}
	if (pc->ndevs >= CFG_MAX_DEVS) {
		perr(p, node, NULL, "more than %d devices in one partition", CFG_MAX_DEVS);
		return NULL;
	}
	if (strlen(name) >= CFG_NAME_MAX) {
		perr(p, node, NULL, "device node name longer than %d characters", CFG_NAME_MAX - 1);
		return NULL;
	}
	dc = &pc->dev[pc->ndevs];
	memset(dc, 0, sizeof(*dc));
	dc->type = t;
	strcpy(dc->name, name);
	dc->node = node;
	dc->nth = nth;
	if (t->parse) {
		unsigned before = p->errs->count;
		t->parse(p, node, pc, dc);
		/* Half-decoded: the cross-checks must not compare it. */
		dc->invalid = p->errs->count != before;
	}
	pc->ndevs++;
	return dc;
}

/* Every subnode is a device of a registered type. They are taken in
 * registry order, then node order: that is the order of their virtio-mmio
 * slots, and so of the guest's probing (vda before vdb). */
static int parse_devices(struct cfg_parser *p, int node, struct part_config *pc, int *pci_node)
{
	int child, passthrough_node = -1;

	*pci_node = -1;
	cfdt_for_each_subnode(child, p->fdt, node) {
		const char *name = cfdt_get_name(p->fdt, child, NULL);
		if (strcmp(name, "passthrough") == 0) {
			if (passthrough_node >= 0)
				perr(p, child, NULL, "node defined twice");
			else
				passthrough_node = child;
		} else if (strcmp(name, "pci") == 0) {
			if (*pci_node >= 0)
				perr(p, child, NULL, "node defined twice");
			else
				*pci_node = child;
		} else if (!vdev_type_of_node(name))
			perr(p, child, NULL, "unknown node");
	}
	for (const struct vdev_type *const *tp = vdev_types; *tp; tp++) {
		const struct vdev_type *t = *tp;
		unsigned n = 0;
		if (t->console) {
			if ((int)pc->console == t->console)
				add_dev(p, node, pc, t, t->name, n++);
			continue;
		}
		cfdt_for_each_subnode(child, p->fdt, node) {
			const char *name = cfdt_get_name(p->fdt, child, NULL);
			if (node_is_type(name, t) && add_dev(p, child, pc, t, name, n))
				n++;
		}
	}
	return passthrough_node;
}

/* Fixed windows first (the emulated UART), then passed-through devices,
 * then virtio-mmio slots around them. */
static void layout_devices(struct cfg_parser *p, struct part_config *pc, bool fixed)
{
	if (fixed)
		layout_init(&pc->layout, pc->ncpus, pc->gic_version);
	for (unsigned i = 0; i < pc->ndevs; i++) {
		struct dev_config *dc = &pc->dev[i];
		const struct vdev_type *t = dc->type;
		if ((t->place == VDEV_FIXED) != fixed)
			continue;
		int r = t->place == VDEV_FIXED
				? layout_add_fixed(&pc->layout, i, t->base, t->size, t->intid)
				: layout_add_virtio(&pc->layout, i, t->size);
		if (r >= 0)
			dc->region = (uint32_t)r;
		else if (t->place == VDEV_VIRTIO_SLOT)
			perr(p, dc->node, NULL, "no virtio-mmio slot left: a partition has at most %d",
			     GUEST_VIRTIO_SLOTS);
		else
			perr(p, dc->node, NULL, "window [0x%llx, +0x%llx) or interrupt %u is taken "
			     "in the guest's address map", (unsigned long long)t->base,
			     (unsigned long long)t->size, t->intid);
	}
}

static void memory_clear_of_layout(struct cfg_parser *p, int node, const struct part_config *pc);

static void parse_partition(struct cfg_parser *p, int node, unsigned idx)
{
	static const char *const props[] = { "cpus", "memory", "kernel", "kernel-offset", "initrd",
					     "bootargs", "console", NULL };
	static const char *const consoles[] = { "uart", "virtio", "none", NULL };
	static const enum console_kind kinds[] = { CONSOLE_UART, CONSOLE_VIRTIO, CONSOLE_NONE };
	struct part_config *pc = &p->cfg->parts[idx];
	const char *s;
	int len, con;

	p->part_node[idx] = node;
	strcpy(pc->name, cfdt_get_name(p->fdt, node, NULL));
	check_known(p, node, props, CFG_ANY_NODE);
	parse_cpus(p, node, idx, pc);
	parse_memory(p, node, idx, pc);
	parse_blob(p, node, "kernel", &pc->kernel, true);
	parse_blob(p, node, "initrd", &pc->initrd, false);

	const fdt32_t *off = cfdt_getprop(p->fdt, node, "kernel-offset", &len);
	if (off) {
		if (len != 8)
			perr(p, node, "kernel-offset", "must be 2 cells (a 64-bit offset), got %d bytes", len);
		else if (!IS_ALIGNED(be_cells(off, 2), PAGE_SIZE))
			perr(p, node, "kernel-offset", "must be 4 KiB aligned");
		else
			pc->entry_offset = be_cells(off, 2);
	}
	bool placeable = false;
	if (pc->kernel.present && pc->nmem) {
		uint64_t room = pc->mem[0].size > pc->entry_offset ? pc->mem[0].size - pc->entry_offset : 0;
		if (pc->kernel.size > room)
			perr(p, node, "kernel",
			     "image '%s' (%llu bytes) does not fit in memory range 0 at offset 0x%llx",
			     pc->kernel.name, (unsigned long long)pc->kernel.size,
			     (unsigned long long)pc->entry_offset);
		else if (pc->kernel.size == 0)
			perr(p, node, "kernel", "image '%s' is empty", pc->kernel.name);
		else
			placeable = true;
	}
	if (placeable)
		place_images(p, node, pc);

	s = get_string(p, node, "bootargs", CFG_BOOTARGS_MAX, false);
	if (s)
		strcpy(pc->bootargs, s);
	con = cfg_choice(p, node, "console", consoles, 0);
	pc->console = kinds[con < 0 ? 0 : con];
	int pci;
	int pt = parse_devices(p, node, pc, &pci);
	if (pt >= 0)
		parse_passthrough(p, pt, idx, pc);
	if (pci >= 0)
		parse_pci(p, pci, idx, pc);
	layout_devices(p, pc, true);
	layout_passthrough(p, pc);
	layout_pci(p, pc, pci);
	layout_devices(p, pc, false);
	memory_clear_of_layout(p, node, pc);
}

/* RAM is mapped IPA == PA: none of it may sit where the guest's map puts
 * a window (its vGIC, its devices, its passed-through devices), which it
 * would hide or be hidden by. On QEMU virt the map is below RAM; on a
 * board whose RAM starts at 0 (ZynqMP) it is not. */
static void memory_clear_of_layout(struct cfg_parser *p, int node, const struct part_config *pc)
{
	for (unsigned i = 0; i < pc->nmem; i++) {
		const char *what = layout_what(&pc->layout, pc->mem[i].base, pc->mem[i].size);
		if (strcmp(what, "nothing") != 0)
			perr(p, node, "memory", "0x%llx+0x%llx overlaps %s of the guest's map",
			     (unsigned long long)pc->mem[i].base, (unsigned long long)pc->mem[i].size,
			     what);
	}
}

void parse_partitions(struct cfg_parser *p)
{
	int parts;

	p->cfg->nparts = cfg_named_children(p, "partitions", "partition", CONFIG_MAX_PARTITIONS,
					    true, parse_partition);
	parts = cfdt_subnode_offset(p->fdt, 0, "partitions");
	if (parts >= 0 && cfdt_first_subnode(p->fdt, parts) < 0)
		perr(p, parts, NULL, "no partition defined");
}

/* Each partition's pristine guest tree: built here once (boot runs the
 * parser on one CPU, once), copied into the partition at every start. */
static _Alignas(8) uint8_t guest_dtb[CONFIG_MAX_PARTITIONS][GUEST_DTB_MAX] HV_NOINIT;

const void *config_guest_dtb(unsigned idx)
{
	return guest_dtb[idx % CONFIG_MAX_PARTITIONS];
}

int config_build_guest_dtb(struct part_config *pc, unsigned idx)
{
	int n = guest_fdt_build(pc, idx, guest_dtb[idx % CONFIG_MAX_PARTITIONS], GUEST_DTB_MAX);

	pc->dtb_size = n > 0 ? (uint32_t)n : 0;
	return n > 0 ? 0 : n;
}

void finish_partition(struct cfg_parser *p, unsigned idx)
{
	int n = config_build_guest_dtb(&p->cfg->parts[idx], idx);

	if (n < 0)
		perr(p, p->part_node[idx], NULL, "its device tree does not fit in %lu bytes (%s)",
		     GUEST_DTB_MAX, fdt_strerror(n));
}
