/* Partitions and their vCPUs. One vCPU per physical CPU, pinned by the
 * partition file; no scheduler. Built at boot on CPU 0, then each CPU only
 * touches its own vCPU and the partition's atomics.
 * Lock order: partition.lock, then console_lock. */
#ifndef HV_PARTITION_H
#define HV_PARTITION_H

#include <hv/arch.h>
#include <hv/config.h>
#include <hv/image.h>
#include <hv/mmio.h>
#include <hv/pgtable.h>
#include <vdev/pl011.h>

/* Where a partition finds its emulated PL011 (same place as on QEMU virt). */
#define GUEST_UART_IPA 0x09000000UL

enum vcpu_state { VCPU_OFF, VCPU_RUNNING };

enum fault_kind {
	FAULT_DABT,      /* data access to an IPA the partition does not own */
	FAULT_IABT,      /* instruction fetch from such an IPA */
	FAULT_MMIO,      /* bad access to an emulated register */
	FAULT_CALL,      /* HVC/SMC function not implemented */
	FAULT_SYSREG,    /* trapped system register not emulated */
	FAULT_EC,        /* exception class with no handler */
	FAULT_SERROR,
	FAULT_KIND_MAX,
};

struct partition;

struct vcpu {
	struct partition *part;
	unsigned idx;  /* vCPU number inside the partition */
	unsigned pcpu; /* physical CPU it is pinned to */
	volatile uint32_t state;
};

struct partition {
	unsigned id;
	uint16_t vmid;
	const struct part_config *cfg;
	struct pgtable s2;
	struct mmio_bus mmio;
	struct vpl011 uart;
	unsigned nvcpus;
	struct vcpu vcpu[CONFIG_MAX_CPUS];
	ipa_t entry;
	ipa_t initrd;
	uint32_t vcpus_on;      /* atomic */
	uint32_t faults_logged; /* atomic bit mask of enum fault_kind */
};

extern struct partition partitions[CONFIG_MAX_PARTITIONS];
extern unsigned npartitions;

/* Build every partition: stage-2 tables, emulated devices, images copied in.
 * Returns 0, or -1 after logging what failed. */
int partitions_create(const struct hv_config *cfg, const struct payload_header *ph,
		      struct page_pool *pool);
/* The vCPU pinned to a physical CPU, or NULL. */
struct vcpu *vcpu_of_pcpu(unsigned pcpu);

/* Log a guest fault once per partition and kind; never more. */
void partition_fault(struct partition *p, enum fault_kind k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The calling vCPU stops; when it was the partition's last, the partition
 * has stopped; when every partition has stopped, the machine powers off. */
_Noreturn void vcpu_stop(struct vcpu *v);

/* Guest hypercalls (PSCI, SMCCC): regs x0..x3 in, x0 out. */
void vcall_handle(struct vcpu *v, uint64_t regs[4]);

#endif
