#include <hv/log.h>
#include <hv/partition.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct partition partitions[CONFIG_MAX_PARTITIONS];
struct blkdev *hv_backends[CFG_MAX_BACKENDS];
unsigned npartitions;
static struct vcpu *pcpu_vcpu[CONFIG_MAX_CPUS];
static uint32_t partitions_on;

static const char *const fault_names[FAULT_KIND_MAX] = {
	[FAULT_DABT] = "data abort", [FAULT_IABT] = "instruction abort",
	[FAULT_MMIO] = "bad emulated register access", [FAULT_CALL] = "unsupported call",
	[FAULT_SYSREG] = "system register", [FAULT_EC] = "unhandled exception class",
	[FAULT_SERROR] = "SError", [FAULT_SGI] = "SGI outside the partition",
	[FAULT_PSCI] = "refused PSCI call",
};

void partition_fault(struct partition *p, enum fault_kind k, const char *fmt, ...)
{
	char msg[120];
	va_list ap;

	if (__atomic_fetch_or(&p->faults_logged, 1u << k, __ATOMIC_RELAXED) & (1u << k))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	WARN("%s: %s: %s (further %ss from this partition not logged)", p->cfg->name,
	     fault_names[k], msg, fault_names[k]);
}

static int load_blob(struct partition *p, const struct blob_ref *ref, paddr_t dest)
{
	const struct payload_blob *b = payload_find(p->payload, ref->name);

	if (!b || b->size != ref->size) {
		ERR("%s: image '%s' missing from the payload", p->cfg->name, ref->name);
		return -1;
	}
	memcpy(arch_phys_to_virt(dest), (const uint8_t *)p->payload + b->offset, b->size);
	arch_clean_for_guest(arch_phys_to_virt(dest), b->size);
	return 0;
}

/* Copy the pristine kernel, initrd and device tree into the partition's
 * RAM: at first boot and at every SYSTEM_RESET. */
static int load_images(struct partition *p)
{
	const struct part_config *pc = p->cfg;

	if (load_blob(p, &pc->kernel, p->entry))
		return -1;
	if (pc->initrd.present && load_blob(p, &pc->initrd, p->initrd))
		return -1;
	memcpy(arch_phys_to_virt(p->dtb), p->dtb_blob, p->dtb_size);
	arch_clean_for_guest(arch_phys_to_virt(p->dtb), p->dtb_size);
	return 0;
}

/* Kernel at memory[0] + kernel-offset; device tree in the last 64 KiB of
 * memory[0]; initrd right below it. Both stay clear of the kernel's
 * image_size (from its arm64 Image header) so its .bss is not in the way. */
static int place_images(struct partition *p)
{
	const struct part_config *pc = p->cfg;
	const struct mem_range *m0 = &pc->mem[0];
	uint64_t kend = pc->kernel.size;
	const struct payload_blob *kb = payload_find(p->payload, pc->kernel.name);

	if (kb && kb->size >= sizeof(struct arm64_image_header)) {
		const struct arm64_image_header *ih =
			(const void *)((const uint8_t *)p->payload + kb->offset);
		if (ih->magic == ARM64_IMAGE_MAGIC && ih->image_size > kend)
			kend = ih->image_size;
	}
	p->entry = m0->base + pc->entry_offset;
	p->dtb = m0->base + m0->size - GUEST_DTB_MAX;
	p->initrd = ALIGN_UP(p->dtb - pc->initrd.size, PAGE_SIZE) - PAGE_SIZE;
	if (!pc->initrd.present)
		p->initrd = p->dtb;
	if (p->entry + kend > p->initrd || p->initrd < m0->base) {
		ERR("%s: kernel (%llu bytes in memory), initrd and device tree do not fit in memory "
		    "range 0", pc->name, (unsigned long long)kend);
		return -1;
	}
	return 0;
}

static void vgic_line(void *g, uint32_t intid, bool high)
{
	vgic_set_line(g, intid, high);
}

static int add_virtio(struct partition *p, struct virtio_dev *d)
{
	if (p->nvirtio >= GUEST_VIRTIO_SLOTS ||
	    mmio_bus_add(&p->mmio, GUEST_VIRTIO_IPA(p->nvirtio), VIRTIO_MMIO_SIZE, &virtio_mmio_ops, d))
		return -1;
	p->virtio[p->nvirtio++] = d;
	return 0;
}

struct console_port *partition_console(struct partition *p)
{
	switch (p->cfg->console) {
	case CONSOLE_UART:
		return &p->uart.port;
	case CONSOLE_VIRTIO:
		return &p->vcon.port;
	default:
		return NULL;
	}
}

/* A virtual disk per disk node: its window checked against the backend's
 * real size, its share of the backend's request slots reserved. */
static int add_disks(struct partition *p, const struct part_config *pc)
{
	for (unsigned i = 0; i < pc->ndisks; i++) {
		const struct disk_config *dc = &pc->disk[i];
		struct blkdev *be = hv_backends[dc->backend];
		struct vblk_params prm = { .be = be, .start = dc->start, .sectors = dc->sectors,
					   .read_only = dc->read_only, .reliable = dc->reliable,
					   .nqueues = p->nvcpus };
		char serial[VBLK_SERIAL_LEN + 1];

		if (!be) {
			ERR("%s/%s: backend: not available", pc->name, dc->name);
			return -1;
		}
		if (dc->whole) {
			prm.start = 0;
			prm.sectors = be->sectors;
		} else if (dc->start > be->sectors || dc->sectors > be->sectors - dc->start) {
			ERR("%s/%s: window: sectors [%llu, +%llu) go past the end of %s (%llu sectors)",
			    pc->name, dc->name, (unsigned long long)dc->start,
			    (unsigned long long)dc->sectors, be->name,
			    (unsigned long long)be->sectors);
			return -1;
		}
		if ((prm.start | prm.sectors) & (be->blk_size / BLK_SECTOR - 1)) {
			ERR("%s/%s: window: not aligned to %s's %u-byte blocks", pc->name, dc->name,
			    be->name, be->blk_size);
			return -1;
		}
		prm.inflight = be->slots - be->reserved < VBLK_INFLIGHT ? be->slots - be->reserved
									  : VBLK_INFLIGHT;
		if (prm.inflight == 0) {
			ERR("%s/%s: backend: %s has no request slots left for another disk", pc->name,
			    dc->name, be->name);
			return -1;
		}
		be->reserved += prm.inflight;
		snprintf(p->disk_name[i], sizeof(p->disk_name[i]), "%s/%s", pc->name, dc->name);
		/* "<partition>-<n>"; a long name is cut so the number stays. */
		snprintf(serial, sizeof(serial), "%.*s-%u", VBLK_SERIAL_LEN - 2, pc->name, i);
		prm.serial = serial;
		struct irq_line irq = { vgic_line, &p->vgic, GUEST_VIRTIO_INTID(p->nvirtio) };
		virtio_blk_init(&p->vblk[i], p->disk_name[i], &prm, &p->gmem, &irq);
		p->ndisks = i + 1;
		if (add_virtio(p, &p->vblk[i].dev))
			return -1;
		INFO("%s: %llu sectors at %llu on %s, %s%s", p->disk_name[i],
		     (unsigned long long)prm.sectors, (unsigned long long)prm.start, be->name,
		     dc->read_only ? "read-only" : "read-write",
		     dc->read_only ? "" : dc->reliable ? ", reliable (write-through)" : ", normal (writeback)");
	}
	return 0;
}

static int partition_create(struct partition *p, unsigned id, const struct part_config *pc,
			    const struct payload_header *ph, struct page_pool *pool)
{
	int n;

	p->id = id;
	p->vmid = (uint16_t)(id + 1); /* VMID 0 is never used by a guest */
	p->cfg = pc;
	p->payload = ph;
	p->nvcpus = pc->ncpus;
	if (pgtable_init(&p->s2, pool, 39))
		return -1;
	/* Only the partition's RAM: IPA == PA. Nothing else is mapped; every
	 * other IPA faults to the hypervisor. */
	for (unsigned i = 0; i < pc->nmem; i++)
		if (pgtable_map(&p->s2, pc->mem[i].base, pc->mem[i].base, pc->mem[i].size,
				S2_NORMAL_RWX, true))
			return -1;
	vgic_init(&p->vgic, p->nvcpus);
	struct irq_line uart_irq = { vgic_line, &p->vgic, VGIC_SPI_UART };
	vpl011_init(&p->uart, pc->name, &uart_irq);
	struct dma_range ram[DMA_MAX_RANGES];
	unsigned nram;
	for (nram = 0; nram < pc->nmem && nram < DMA_MAX_RANGES; nram++)
		ram[nram] = (struct dma_range){ pc->mem[nram].base, pc->mem[nram].size,
						arch_phys_to_virt(pc->mem[nram].base), DMA_BIDIR };
	if (dma_space_init(&p->gmem, ram, nram)) {
		ERR("%s: memory ranges unusable as its devices' DMA window", pc->name);
		return -1;
	}
	if (pc->console == CONSOLE_VIRTIO) {
		struct irq_line irq = { vgic_line, &p->vgic, GUEST_VIRTIO_INTID(p->nvirtio) };
		virtio_console_init(&p->vcon, pc->name, &p->gmem, &irq);
		if (add_virtio(p, &p->vcon.dev))
			return -1;
	}
	if (pc->virtio_rng) {
		struct irq_line irq = { vgic_line, &p->vgic, GUEST_VIRTIO_INTID(p->nvirtio) };
		virtio_rng_init(&p->vrng, pc->name, id, &p->gmem, &irq, arch_entropy);
		if (add_virtio(p, &p->vrng.dev))
			return -1;
	}
	if (add_disks(p, pc))
		return -1;
	if (pc->net.present) {
		const struct net_config *nc = &pc->net;
		struct vnet_params prm = { nc->mac, nc->mtu, nc->mac_change };
		struct irq_line irq = { vgic_line, &p->vgic, GUEST_VIRTIO_INTID(p->nvirtio) };
		snprintf(p->net_name, sizeof(p->net_name), "%s/virtio-net", pc->name);
		virtio_net_init(&p->vnet, p->net_name, &prm, &p->gmem, &irq);
		if (add_virtio(p, &p->vnet.dev) || net_port_attach(&p->vnet.port, nc->segment)) {
			ERR("%s: cannot attach virtio-net to segment %u", pc->name, nc->segment);
			return -1;
		}
		INFO("%s: %02x:%02x:%02x:%02x:%02x:%02x on segment %u, MTU %u, MAC change %s",
		     p->net_name, nc->mac[0], nc->mac[1], nc->mac[2], nc->mac[3], nc->mac[4],
		     nc->mac[5], nc->segment, nc->mtu, nc->mac_change ? "allowed" : "refused");
	}
	if (mmio_bus_add(&p->mmio, GUEST_GICD_IPA, VGIC_DIST_SIZE, &vgic_dist_ops, &p->vgic) ||
	    mmio_bus_add(&p->mmio, GUEST_GICR_IPA, (uint64_t)p->nvcpus * VGIC_RDIST_STRIDE,
			 &vgic_rdist_ops, &p->vgic))
		return -1;
	if (pc->console == CONSOLE_UART &&
	    mmio_bus_add(&p->mmio, GUEST_UART_IPA, VPL011_SIZE, &vpl011_ops, &p->uart))
		return -1;
	if (place_images(p))
		return -1;
	n = guest_fdt_build(p, p->dtb_blob, sizeof(p->dtb_blob));
	if (n < 0) {
		ERR("%s: cannot build the device tree (%d)", pc->name, n);
		return -1;
	}
	p->dtb_size = (uint32_t)n;
	if (load_images(p))
		return -1;
	for (unsigned i = 0; i < pc->ncpus; i++) {
		p->vcpu[i] = (struct vcpu){ .part = p, .idx = i, .pcpu = pc->cpus[i] };
		p->vgic.pcpu[i] = pc->cpus[i];
		pcpu_vcpu[pc->cpus[i]] = &p->vcpu[i];
	}
	p->vcpu[0].state = VCPU_STARTING;
	p->vcpu[0].entry = p->entry;
	p->vcpu[0].ctx = p->dtb;
	p->vcpus_on = 1;
	p->state = PART_RUNNING;
	p->boots = 1;
	return 0;
}

int partitions_create(const struct hv_config *cfg, const struct payload_header *ph,
		      struct page_pool *pool)
{
	for (unsigned i = 0; i < cfg->nparts; i++) {
		if (partition_create(&partitions[i], i, &cfg->parts[i], ph, pool)) {
			ERR("%s: cannot build the partition", cfg->parts[i].name);
			return -1;
		}
		INFO("partition %s: %u CPU(s), %u memory range(s), entry 0x%llx", cfg->parts[i].name,
		     cfg->parts[i].ncpus, cfg->parts[i].nmem,
		     (unsigned long long)partitions[i].entry);
	}
	npartitions = cfg->nparts;
	partitions_on = npartitions;
	return 0;
}

struct vcpu *vcpu_of_pcpu(unsigned pcpu)
{
	return pcpu < CONFIG_MAX_CPUS ? pcpu_vcpu[pcpu] : NULL;
}

bool vcpu_claim_start(struct vcpu *v)
{
	uint32_t s = VCPU_STARTING;

	if (__atomic_load_n(&v->req, __ATOMIC_ACQUIRE) & VCPU_REQ_STOP) {
		if (__atomic_compare_exchange_n(&v->state, &s, VCPU_RUNNING, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			vcpu_stop(v); /* stopped before it ran */
		return false;
	}
	return __atomic_compare_exchange_n(&v->state, &s, VCPU_RUNNING, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

/* Every vCPU has stopped: the partition is off, or starts again. */
static void partition_all_stopped(struct partition *p)
{
	spin_lock(&p->lock);
	if (p->state == PART_RESETTING) {
		for (unsigned i = 0; i < p->nvcpus; i++)
			__atomic_store_n(&p->vcpu[i].req, 0, __ATOMIC_RELEASE);
		/* Devices first: CPU 0's console input cannot then raise an
		 * interrupt into the fresh vGIC from the old rings. Disks
		 * first of all: no DMA may land in the images loaded below. */
		bool quiet = true;
		for (unsigned i = 0; i < p->ndisks; i++)
			quiet &= virtio_blk_quiesce(&p->vblk[i]);
		if (!quiet) {
			ERR("partition %s: a disk's requests never finished; not restarted",
			    p->cfg->name);
			p->state = PART_STOPPED;
		}
		for (unsigned i = 0; i < p->nvirtio; i++)
			virtio_dev_reset(p->virtio[i]);
		vpl011_reset(&p->uart);
		vgic_init(&p->vgic, p->nvcpus);
		if (p->state == PART_RESETTING)
			p->state = load_images(p) ? PART_STOPPED : PART_RUNNING;
		if (p->state == PART_RUNNING) {
			p->boots++;
			if (p->boots <= 10 || p->boots % 1000 == 0) /* a reset loop must not flood */
				INFO("partition %s: restarting (boot %u)", p->cfg->name, p->boots);
			p->vcpu[0].entry = p->entry;
			p->vcpu[0].ctx = p->dtb;
			p->vcpus_on = 1;
			__atomic_store_n(&p->vcpu[0].state, VCPU_STARTING, __ATOMIC_RELEASE);
			spin_unlock(&p->lock);
			arch_kick_cpu(p->vcpu[0].pcpu);
			return;
		}
	}
	p->state = PART_STOPPED;
	spin_unlock(&p->lock);
	for (unsigned i = 0; i < p->ndisks; i++) /* completed writes made durable */
		virtio_blk_quiesce(&p->vblk[i]);
	for (unsigned i = 0; i < p->nvirtio; i++) /* wipes DRBG state too */
		virtio_dev_reset(p->virtio[i]);
	if (partition_console(p))
		console_port_flush(partition_console(p));
	INFO("partition %s stopped", p->cfg->name);
	if (__atomic_sub_fetch(&partitions_on, 1, __ATOMIC_ACQ_REL) == 0) {
		INFO("all partitions stopped: powering off");
		arch_system_off();
	}
}

_Noreturn void vcpu_stop(struct vcpu *v)
{
	struct partition *p = v->part;

	/* Give back what sits in this CPU's list registers (an SPI there would
	 * be stuck) and the forwarded timer. */
	vgic_vcpu_reset(&p->vgic, v->idx);
	__atomic_store_n(&v->state, VCPU_OFF, __ATOMIC_RELEASE);
	__atomic_and_fetch(&v->req, ~(uint32_t)VCPU_REQ_STOP, __ATOMIC_ACQ_REL);
	if (__atomic_sub_fetch(&p->vcpus_on, 1, __ATOMIC_ACQ_REL) == 0)
		partition_all_stopped(p);
	arch_park();
}

_Noreturn void partition_shutdown(struct vcpu *v, bool reset)
{
	struct partition *p = v->part;

	spin_lock(&p->lock);
	if (p->state == PART_RUNNING)
		p->state = reset ? PART_RESETTING : PART_STOPPING;
	for (unsigned i = 0; i < p->nvcpus; i++)
		if (i != v->idx)
			__atomic_or_fetch(&p->vcpu[i].req, VCPU_REQ_STOP, __ATOMIC_ACQ_REL);
	spin_unlock(&p->lock);
	for (unsigned i = 0; i < p->nvcpus; i++)
		if (i != v->idx && __atomic_load_n(&p->vcpu[i].state, __ATOMIC_ACQUIRE) != VCPU_OFF)
			arch_kick_cpu(p->vcpu[i].pcpu);
	vcpu_stop(v);
}

static unsigned focus;

static void set_focus(unsigned i)
{
	for (unsigned j = 0; j < npartitions; j++)
		if (partition_console(&partitions[j]))
			console_port_set_focus(partition_console(&partitions[j]), j == i);
	focus = i;
}

void console_focus_first(void)
{
	for (unsigned i = 0; i < npartitions; i++)
		if (partition_console(&partitions[i])) {
			set_focus(i);
			INFO("console input goes to %s (Ctrl-] switches)", partitions[i].cfg->name);
			return;
		}
}

void console_input(uint8_t c)
{
	if (c == CONSOLE_SWITCH_KEY) {
		for (unsigned k = 1; k <= npartitions; k++) {
			unsigned i = (focus + k) % npartitions;
			if (partition_console(&partitions[i])) {
				set_focus(i);
				INFO("console input goes to %s", partitions[i].cfg->name);
				return;
			}
		}
		return;
	}
	if (focus >= npartitions)
		return;
	if (partitions[focus].cfg->console == CONSOLE_UART)
		vpl011_rx(&partitions[focus].uart, c);
	else if (partitions[focus].cfg->console == CONSOLE_VIRTIO)
		virtio_console_rx(&partitions[focus].vcon, c);
}

void console_input_poll(void)
{
	int c;
	while ((c = arch_console_getc()) >= 0)
		console_input((uint8_t)c);
}

void vcpu_before_entry(struct vcpu *v)
{
	if (__atomic_load_n(&v->req, __ATOMIC_ACQUIRE) & VCPU_REQ_STOP)
		vcpu_stop(v);
	vgic_flush(&v->part->vgic, v->idx);
}
