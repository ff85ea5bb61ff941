/* Partitions and their vCPUs. One vCPU per physical CPU, pinned by the
 * partition file; no scheduler. Built at boot on CPU 0; afterwards a CPU
 * touches its own vCPU, and the partition's state under partition.lock.
 * Lock order: partition.lock, then vgic.lock, then console_lock. */
#ifndef HV_PARTITION_H
#define HV_PARTITION_H

#include <hv/arch.h>
#include <hv/config.h>
#include <hv/console.h>
#include <hv/guest_fdt.h>
#include <hv/image.h>
#include <hv/mmio.h>
#include <hv/pgtable.h>
#include <hv/layout.h>
#include <hv/vdev.h>
#include <hv/vgic.h>
#include <hv/vpci.h>
#include <vdev/virtio.h>

/* OFF -> PREPARING (CPU_ON fills entry and x0) -> STARTING (its CPU may
 * claim it) -> RUNNING -> OFF. */
enum vcpu_state { VCPU_OFF, VCPU_STARTING, VCPU_RUNNING, VCPU_PREPARING };
enum part_state { PART_RUNNING, PART_STOPPING, PART_RESETTING, PART_STOPPED };

#define VCPU_REQ_STOP BIT(0)

enum fault_kind {
	FAULT_DABT,      /* data access to an IPA the partition does not own */
	FAULT_IABT,      /* instruction fetch from such an IPA */
	FAULT_MMIO,      /* bad access to an emulated register */
	FAULT_CALL,      /* HVC/SMC function not implemented */
	FAULT_SYSREG,    /* trapped system register not emulated */
	FAULT_EC,        /* exception class with no handler */
	FAULT_SERROR,
	FAULT_SGI,       /* SGI to a CPU outside the partition */
	FAULT_PSCI,      /* PSCI call refused (CPU not owned, bad address) */
	FAULT_KIND_MAX,
};

struct partition;

/* What a partition's devices and services hear of its life (enum
 * part_event, include/hv/vdev.h), in the order they registered. */
typedef bool (*part_notify_fn)(struct partition *p, enum part_event ev, void *arg);
#define PART_MAX_NOTIFIERS (CFG_MAX_DEVS + 4)
#define PART_INPUT_RING 256
struct part_notifier {
	part_notify_fn fn;
	void *arg;
};

struct vcpu {
	struct mmio_cache mmio;    /* first: its CPU's alone (mmio_access) */
	struct partition *part;
	unsigned idx;  /* vCPU number inside the partition = MPIDR Aff0 */
	unsigned pcpu; /* physical CPU it is pinned to */
	uint32_t state; /* enum vcpu_state, atomic */
	uint32_t req;   /* VCPU_REQ_*, atomic */
	struct vgic_cpu *vgic_cpu; /* &part->vgic.cpu[idx] */
	ipa_t entry;    /* where it starts, and its x0 */
	uint64_t ctx;
};

struct partition {
	unsigned id;
	uint16_t vmid;
	const struct part_config *cfg;
	spinlock_t lock;
	uint32_t state; /* enum part_state */
	struct pgtable s2;
	struct mmio_bus mmio;
	struct vgic vgic;
	struct vpci vpci;      /* its PCIe functions' configuration space (core/vpci.c) */
	struct pgtable dma_s1; /* its PCIe functions' SMMU table: its RAM, IOVA == PA */
	struct dma_space gmem; /* its RAM, identity-mapped: each device's DMA space starts as a copy */
	unsigned ndevs;
	struct vdev_inst dev[CFG_MAX_DEVS]; /* as in cfg->dev */
	struct vdev_inst *console;          /* the one with a console port, or NULL */
	unsigned nnotifiers;
	struct part_notifier notifier[PART_MAX_NOTIFIERS];
	/* Console input on its way to vCPU 0's CPU (core/partition.c). */
	struct {
		spinlock_t lock;
		uint8_t buf[PART_INPUT_RING];
		unsigned head, count;
		bool posted;      /* a drain is queued on the work queue */
		uint32_t dropped; /* the ring was full */
	} input;
	unsigned nvcpus;
	struct vcpu vcpu[CONFIG_MAX_CPUS];
	const struct payload_header *payload;
	uint32_t vcpus_on;      /* STARTING or RUNNING, atomic */
	uint32_t faults_logged; /* atomic bit mask of enum fault_kind */
	uint32_t boots;
};

extern struct partition partitions[CONFIG_MAX_PARTITIONS];
extern unsigned npartitions;

/* Build every partition: stage-2 tables, emulated devices, device tree,
 * images copied in. Everything the partition file decides was checked by
 * config_parse() (the host checker too); what remains to refuse comes from
 * hardware (a physical disk smaller than a window). Returns 0, or -1 after
 * logging what failed. */
int partitions_create(const struct hv_config *cfg, const struct payload_header *ph,
		      struct page_pool *pool);
/* The vCPU pinned to a physical CPU, or NULL. */
struct vcpu *vcpu_of_pcpu(unsigned pcpu);
/* True when the parked CPU's vCPU should now be entered. */
bool vcpu_claim_start(struct vcpu *v);

/* Log a guest fault once per partition and kind; never more. */
void partition_fault(struct partition *p, enum fault_kind k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The calling vCPU stops. When it was the partition's last, the partition
 * has stopped (or restarts, after SYSTEM_RESET); when every partition has
 * stopped, the machine powers off. Returns to the CPU's idle loop. */
_Noreturn void vcpu_stop(struct vcpu *v);
/* Before every entry to the guest: act on requests, load interrupts.
 * Inline: on most returns there is nothing to do. */
static inline void vcpu_before_entry(struct vcpu *v)
{
	if (__atomic_load_n(&v->req, __ATOMIC_ACQUIRE) & VCPU_REQ_STOP)
		vcpu_stop(v);
	vgic_flush(&v->part->vgic, v->idx);
}

/* Guest hypercalls (PSCI, SMCCC): regs x0..x3 in, x0 out. */
void vcall_handle(struct vcpu *v, uint64_t regs[4]);
/* SYSTEM_OFF (reset false) or SYSTEM_RESET (true) from vCPU v. */
_Noreturn void partition_shutdown(struct vcpu *v, bool reset);

/* The partition's console port (UART or virtio), or NULL. */
struct console_port *partition_console(struct partition *p);

/* Hear of the partition's stop and restart (at boot, before it runs).
 * 0, or -1 when the list is full. */
int partition_notifier_add(struct partition *p, part_notify_fn fn, void *arg);

/* Console input from the physical UART: Ctrl-] moves the focus to the next
 * partition with a console; Ctrl-T logs hv_status(); every other byte goes to the focus, delivered
 * on the CPU of the focus's vCPU 0 (the work queue), not in the trap of
 * the CPU that took the UART's interrupt, which may be another
 * partition's. */
void console_input(uint8_t c);
void hv_status(void);
void console_input_poll(void);
void console_focus_first(void);

/* The CPU's idle loop (arch): parks until its vCPU is started. */
_Noreturn void arch_park(void);
void arch_kick_cpu(unsigned pcpu);

#endif
