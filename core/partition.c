#include <hv/log.h>
#include <hv/partition.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct partition partitions[CONFIG_MAX_PARTITIONS];
unsigned npartitions;
static struct vcpu *pcpu_vcpu[CONFIG_MAX_CPUS];
static uint32_t partitions_on;

static const char *const fault_names[FAULT_KIND_MAX] = {
	[FAULT_DABT] = "data abort", [FAULT_IABT] = "instruction abort",
	[FAULT_MMIO] = "bad emulated register access", [FAULT_CALL] = "unsupported call",
	[FAULT_SYSREG] = "system register", [FAULT_EC] = "unhandled exception class",
	[FAULT_SERROR] = "SError",
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

static int load_blob(struct partition *p, const struct payload_header *ph,
		     const struct blob_ref *ref, paddr_t dest)
{
	const struct payload_blob *b = payload_find(ph, ref->name);

	if (!b || b->size != ref->size) {
		ERR("%s: image '%s' missing from the payload", p->cfg->name, ref->name);
		return -1;
	}
	memcpy(arch_phys_to_virt(dest), (const uint8_t *)ph + b->offset, b->size);
	arch_clean_for_guest(arch_phys_to_virt(dest), b->size);
	return 0;
}

static int partition_create(struct partition *p, unsigned id, const struct part_config *pc,
			    const struct payload_header *ph, struct page_pool *pool)
{
	const struct mem_range *m0 = &pc->mem[0];

	p->id = id;
	p->vmid = (uint16_t)(id + 1); /* VMID 0 is never used by a guest */
	p->cfg = pc;
	if (pgtable_init(&p->s2, pool, 39))
		return -1;
	/* Only the partition's RAM: IPA == PA. Nothing else is mapped; every
	 * other IPA faults to the hypervisor. */
	for (unsigned i = 0; i < pc->nmem; i++)
		if (pgtable_map(&p->s2, pc->mem[i].base, pc->mem[i].base, pc->mem[i].size,
				S2_NORMAL_RWX, true))
			return -1;
	vpl011_init(&p->uart, pc->name);
	if (pc->console == CONSOLE_UART &&
	    mmio_bus_add(&p->mmio, GUEST_UART_IPA, VPL011_SIZE, &vpl011_ops, &p->uart))
		return -1;

	p->entry = m0->base + pc->entry_offset;
	if (load_blob(p, ph, &pc->kernel, p->entry))
		return -1;
	if (pc->initrd.present) {
		p->initrd = ALIGN_UP(p->entry + pc->kernel.size, 0x200000);
		if (p->initrd + pc->initrd.size > m0->base + m0->size) {
			ERR("%s: kernel and initrd do not fit in memory range 0", pc->name);
			return -1;
		}
		if (load_blob(p, ph, &pc->initrd, p->initrd))
			return -1;
	}
	p->nvcpus = pc->ncpus;
	for (unsigned i = 0; i < pc->ncpus; i++) {
		p->vcpu[i] = (struct vcpu){ .part = p, .idx = i, .pcpu = pc->cpus[i],
					    .state = i == 0 ? VCPU_RUNNING : VCPU_OFF };
		pcpu_vcpu[pc->cpus[i]] = &p->vcpu[i];
	}
	p->vcpus_on = 1;
	return 0;
}

int partitions_create(const struct hv_config *cfg, const struct payload_header *ph,
		      struct page_pool *pool)
{
	for (unsigned i = 0; i < cfg->nparts; i++) {
		if (partition_create(&partitions[i], i, &cfg->parts[i], ph, pool)) {
			ERR("%s: cannot build the partition (out of table pages?)",
			    cfg->parts[i].name);
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

_Noreturn void vcpu_stop(struct vcpu *v)
{
	struct partition *p = v->part;

	v->state = VCPU_OFF;
	if (__atomic_sub_fetch(&p->vcpus_on, 1, __ATOMIC_ACQ_REL) == 0) {
		if (p->uart.port.len)
			console_port_flush(&p->uart.port);
		INFO("partition %s stopped", p->cfg->name);
		if (__atomic_sub_fetch(&partitions_on, 1, __ATOMIC_ACQ_REL) == 0) {
			INFO("all partitions stopped: powering off");
			arch_system_off();
		}
	}
	arch_halt();
}
