#include <hv/display.h>
#include <hv/log.h>
#include <hv/partition.h>
#include <hv/passthrough.h>
#include <hv/workq.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Not cleared at boot (HV_NOINIT): partition_create() clears each one it
 * builds, and no other is ever looked at (i < npartitions). */
struct partition partitions[CONFIG_MAX_PARTITIONS] HV_NOINIT;
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
 * RAM, where config_parse() placed them: at first boot and at every
 * SYSTEM_RESET. */
static int load_images(struct partition *p)
{
	const struct part_config *pc = p->cfg;

	if (load_blob(p, &pc->kernel, pc->entry))
		return -1;
	if (pc->initrd.present && load_blob(p, &pc->initrd, pc->initrd_ipa))
		return -1;
	memcpy(arch_phys_to_virt(pc->dtb_ipa), config_guest_dtb(p->id), pc->dtb_size);
	arch_clean_for_guest(arch_phys_to_virt(pc->dtb_ipa), pc->dtb_size);
	return 0;
}

struct console_port *partition_console(struct partition *p)
{
	return p->console ? p->console->con : NULL;
}

int partition_notifier_add(struct partition *p, part_notify_fn fn, void *arg)
{
	if (p->nnotifiers >= PART_MAX_NOTIFIERS)
		return -1;
	p->notifier[p->nnotifiers++] = (struct part_notifier){ fn, arg };
	return 0;
}

/* Every notifier hears ev; true when every one answered true. */
static bool partition_notify(struct partition *p, enum part_event ev)
{
	bool all = true;

	for (unsigned i = 0; i < p->nnotifiers; i++)
		all &= p->notifier[i].fn(p, ev, p->notifier[i].arg);
	return all;
}

static void vgic_line(void *g, uint32_t intid, bool high)
{
	vgic_set_line(g, intid, high);
}

static bool device_event(struct partition *p, enum part_event ev, void *arg)
{
	(void)p;
	return vdev_event(arg, ev);
}

/* The layout's GIC windows are the emulated GIC's. */
_Static_assert(GUEST_GICD_SIZE == VGIC_DIST_SIZE && GUEST_GICR_STRIDE == VGIC_RDIST_STRIDE,
	       "guest layout and vGIC agree on the GIC's windows");

/* Translation tables for this many partitions and memory ranges always fit
 * in the pool (root, a level-2 table per GiB a range touches, two level-3
 * tables for its unaligned ends; the same again for its PCIe functions'
 * SMMU table, and 4 pages for their BARs in stage 2; stage 1 takes at most
 * 64 pages): so building them cannot fail for any partition file the
 * checker accepts. */
_Static_assert(CONFIG_MAX_PARTITIONS *
			       (2 * (1 + CONFIG_MAX_MEM_RANGES * ((CONFIG_RAM_SIZE >> 30) + 1 + 2)) + 4) +
		       64 <=
	       CONFIG_PGTABLE_POOL_PAGES,
	       "the page-table pool holds every partition's stage 2 and SMMU table");

static int partition_create(struct partition *p, unsigned id, const struct part_config *pc,
			    const struct payload_header *ph, struct page_pool *pool)
{
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->vmid = (uint16_t)(id + 1); /* VMID 0 is never used by a guest */
	p->cfg = pc;
	p->payload = ph;
	p->nvcpus = pc->ncpus;
	CHECK(pgtable_init(&p->s2, pool, 39) == 0);
	/* Only the partition's RAM: IPA == PA. Nothing else is mapped; every
	 * other IPA faults to the hypervisor. */
	for (unsigned i = 0; i < pc->nmem; i++)
		CHECK(pgtable_map(&p->s2, pc->mem[i].base, pc->mem[i].base, pc->mem[i].size,
				  S2_NORMAL_RWX, true) == 0);
	p->vgic.version = pc->gic_version;
	vgic_init(&p->vgic, p->nvcpus);
	struct dma_range ram[DMA_MAX_RANGES];
	unsigned nram;
	for (nram = 0; nram < pc->nmem && nram < DMA_MAX_RANGES; nram++)
		ram[nram] = (struct dma_range){ pc->mem[nram].base, pc->mem[nram].size,
						arch_phys_to_virt(pc->mem[nram].base), DMA_BIDIR };
	/* Ranges the checker accepted: disjoint, at most CONFIG_MAX_MEM_RANGES. */
	CHECK(dma_space_init(&p->gmem, ram, nram) == 0);
	for (unsigned i = 0; i < pc->layout.n; i++) {
		const struct layout_region *r = &pc->layout.r[i];
		if (r->kind == REGION_GICD && pc->gic_version == 2)
			CHECK(mmio_bus_add(&p->mmio, r->base, r->size, &vgic_v2_dist_ops, &p->vgic.dist) == 0);
		else if (r->kind == REGION_GICD)
			CHECK(mmio_bus_add(&p->mmio, r->base, r->size, &vgic_dist_ops, &p->vgic.dist) == 0);
		else if (r->kind == REGION_GICR)
			CHECK(mmio_bus_add(&p->mmio, r->base, r->size, &vgic_rdist_ops, &p->vgic) == 0);
		else if (r->kind == REGION_GICC) /* the hardware's GICV, page by page */
			for (unsigned pg = 0; pg < 2; pg++)
				CHECK(pgtable_map(&p->s2, r->base + pg * PAGE_SIZE, pc->gicv[pg],
						  PAGE_SIZE, S2_DEVICE_RW, true) == 0);
	}
	const struct vdev_host host = { pc, id, &p->mmio, vgic_line, &p->vgic, &p->gmem };
	if (vdev_create_all(&host, p->dev, &p->ndevs, &p->console))
		return -1;
	for (unsigned i = 0; i < p->ndevs; i++)
		CHECK(partition_notifier_add(p, device_event, &p->dev[i]) == 0);
	/* Its device tree: built by config_parse(), which refused the file if
	 * it did not fit. */
	CHECK(pc->dtb_size > 0 && id < CONFIG_MAX_PARTITIONS);
	if (load_images(p))
		return -1;
	for (unsigned i = 0; i < pc->ncpus; i++) {
		p->vcpu[i] = (struct vcpu){ .part = p, .idx = i, .pcpu = pc->cpus[i],
					    .vgic_cpu = &p->vgic.cpu[i] };
		p->vgic.pcpu[i] = pc->cpus[i];
		pcpu_vcpu[pc->cpus[i]] = &p->vcpu[i];
	}
	if (passthrough_create(p) || vpci_create(p, pool))
		return -1;
	p->vcpu[0].state = VCPU_STARTING;
	p->vcpu[0].entry = pc->entry;
	p->vcpu[0].ctx = pc->dtb_ipa;
	p->vcpus_on = 1;
	p->state = PART_RUNNING;
	p->boots = 1;
	return 0;
}

static const struct page_pool *table_pool; /* for the status */

int partitions_create(const struct hv_config *cfg, const struct payload_header *ph,
		      struct page_pool *pool)
{
	table_pool = pool;
	for (unsigned i = 0; i < cfg->nparts; i++) {
		if (partition_create(&partitions[i], i, &cfg->parts[i], ph, pool)) {
			ERR("%s: cannot build the partition", cfg->parts[i].name);
			return -1;
		}
		INFO("partition %s: %u CPU(s), %u memory range(s), entry 0x%llx", cfg->parts[i].name,
		     cfg->parts[i].ncpus, cfg->parts[i].nmem, (unsigned long long)cfg->parts[i].entry);
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
		 * interrupt into the fresh vGIC from the old rings. Quiesce
		 * before any reset: no DMA may land in the images loaded below. */
		if (!partition_notify(p, PART_EV_QUIESCE)) {
			ERR("partition %s: a device's requests never finished; not restarted",
			    p->cfg->name);
			p->state = PART_STOPPED;
		}
		partition_notify(p, PART_EV_RESET);
		vgic_init(&p->vgic, p->nvcpus);
		if (p->state == PART_RESETTING)
			p->state = load_images(p) ? PART_STOPPED : PART_RUNNING;
		if (p->state == PART_RUNNING) {
			p->boots++;
			if (p->boots <= 10 || p->boots % 1000 == 0) /* a reset loop must not flood */
				INFO("partition %s: restarting (boot %u)", p->cfg->name, p->boots);
			p->vcpu[0].entry = p->cfg->entry;
			p->vcpu[0].ctx = p->cfg->dtb_ipa;
			p->vcpus_on = 1;
			__atomic_store_n(&p->vcpu[0].state, VCPU_STARTING, __ATOMIC_RELEASE);
			spin_unlock(&p->lock);
			arch_kick_cpu(p->vcpu[0].pcpu);
			return;
		}
	}
	p->state = PART_STOPPED;
	spin_unlock(&p->lock);
	partition_notify(p, PART_EV_QUIESCE); /* completed writes made durable */
	partition_notify(p, PART_EV_STOP);    /* wipes DRBG state too */
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
	mmio_cache_clear(&v->mmio);
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

/* On the partition's vCPU 0's CPU: the queued input into its console
 * device, in order. */
static void input_drain(void *arg)
{
	struct partition *p = arg;
	struct vdev_inst *con = p->console;

	for (;;) {
		uint8_t c;
		spin_lock(&p->input.lock);
		if (p->input.count == 0) {
			p->input.posted = false;
			spin_unlock(&p->input.lock);
			return;
		}
		c = p->input.buf[p->input.head];
		p->input.head = (p->input.head + 1) % PART_INPUT_RING;
		p->input.count--;
		spin_unlock(&p->input.lock);
		if (con && con->type->console_rx)
			con->type->console_rx(con, c);
	}
}

static void input_queue(struct partition *p, uint8_t c)
{
	bool post = false;

	spin_lock(&p->input.lock);
	if (p->input.count < PART_INPUT_RING) {
		p->input.buf[(p->input.head + p->input.count) % PART_INPUT_RING] = c;
		p->input.count++;
	} else {
		p->input.dropped++;
	}
	if (!p->input.posted)
		post = p->input.posted = true;
	spin_unlock(&p->input.lock);
	/* A full work ring: deliver here rather than lose the drain. */
	if (post && workq_post(p->vcpu[0].pcpu, input_drain, p))
		input_drain(p);
}

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

/* The status key's lines: the hypervisor's memory in use (the page-table
 * pool and the graphics pool only grow at boot), then per partition its
 * state, boots and what each device holds now (vdev_type.held). */
void hv_status(void)
{
	static const char *const state[] = { "running", "stopping", "resetting", "stopped" };

	INFO("status: page-table pool %zu/%zu pages, graphics pool %llu/%llu bytes",
	     table_pool ? table_pool->next : 0, table_pool ? table_pool->npages : 0,
	     (unsigned long long)display_pool_used(), (unsigned long long)CONFIG_GPU_POOL_SIZE);
	for (unsigned i = 0; i < npartitions; i++) {
		struct partition *p = &partitions[i];
		char line[160];
		size_t n = 0;

		for (unsigned j = 0; j < p->ndevs && n < sizeof(line) - 1; j++) {
			const struct vdev_inst *d = &p->dev[j];
			if (!d->type->held)
				continue;
			int k = snprintf(line + n, sizeof(line) - n, ", %s %llu %s",
					 d->cfg->name, (unsigned long long)d->type->held(d), d->type->held_unit);
			if (k > 0)
				n += (size_t)k;
		}
		line[n < sizeof(line) ? n : sizeof(line) - 1] = 0;
		INFO("status: partition %s %s, boot %u%s", p->cfg->name,
		     p->state < ARRAY_SIZE(state) ? state[p->state] : "?", p->boots, line);
	}
}

void console_input(uint8_t c)
{
	if (c == CONSOLE_STATUS_KEY) {
		hv_status();
		return;
	}
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
	if (focus < npartitions)
		input_queue(&partitions[focus], c);
}

void console_input_poll(void)
{
	int c;
	while ((c = arch_console_getc()) >= 0)
		console_input((uint8_t)c);
}

