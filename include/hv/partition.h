/* Partitions and their vCPUs. One vCPU per physical CPU, pinned by the
 * partition file; no scheduler. Built at boot on CPU 0; afterwards a CPU
 * touches its own vCPU, and the partition's state under partition.lock.
 * Lock order: partition.lock, then vgic.lock, then console_lock. */
#ifndef HV_PARTITION_H
#define HV_PARTITION_H

#include <hv/arch.h>
#include <hv/config.h>
#include <hv/image.h>
#include <hv/mmio.h>
#include <hv/pgtable.h>
#include <hv/vgic.h>
#include <vdev/pl011.h>
#include <vdev/virtio_console.h>
#include <vdev/virtio_blk.h>
#include <vdev/virtio_net.h>
#include <vdev/virtio_rng.h>

/* The guest physical map every partition sees (QEMU virt's addresses, so
 * guests find familiar places). */
#define GUEST_GICD_IPA 0x08000000UL
#define GUEST_GICR_IPA 0x080a0000UL
#define GUEST_UART_IPA 0x09000000UL
#define GUEST_DTB_MAX 0x10000UL
/* virtio-mmio slot n: IPA and SPI as on QEMU virt. */
#define GUEST_VIRTIO_IPA(n) (0x0a000000UL + (n) * 0x200UL)
#define GUEST_VIRTIO_INTID(n) (48u + (n))
#define GUEST_VIRTIO_SLOTS 8

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

struct vcpu {
	struct partition *part;
	unsigned idx;  /* vCPU number inside the partition = MPIDR Aff0 */
	unsigned pcpu; /* physical CPU it is pinned to */
	uint32_t state; /* enum vcpu_state, atomic */
	uint32_t req;   /* VCPU_REQ_*, atomic */
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
	struct vpl011 uart;
	struct vgic vgic;
	struct dma_space gmem; /* its RAM, identity-mapped: each device's DMA space starts as a copy */
	struct virtio_console vcon;
	struct virtio_rng vrng;
	unsigned ndisks;
	struct virtio_blk vblk[CFG_MAX_DISKS];
	char disk_name[CFG_MAX_DISKS][2 * CFG_NAME_MAX];
	struct virtio_net vnet;
	char net_name[CFG_NAME_MAX + 16];
	unsigned nvirtio;
	struct virtio_dev *virtio[GUEST_VIRTIO_SLOTS]; /* by slot */
	unsigned nvcpus;
	struct vcpu vcpu[CONFIG_MAX_CPUS];
	const struct payload_header *payload;
	ipa_t entry;
	ipa_t initrd;
	ipa_t dtb;
	uint32_t dtb_size;
	uint8_t dtb_blob[GUEST_DTB_MAX]; /* pristine generated device tree */
	uint32_t vcpus_on;      /* STARTING or RUNNING, atomic */
	uint32_t faults_logged; /* atomic bit mask of enum fault_kind */
	uint32_t boots;
};

extern struct partition partitions[CONFIG_MAX_PARTITIONS];
/* The block backends of hv_config.backend[], opened before the partitions
 * are built (core/boot.c). */
extern struct blkdev *hv_backends[CFG_MAX_BACKENDS];
extern unsigned npartitions;

/* Build every partition: stage-2 tables, emulated devices, device tree,
 * images copied in. Returns 0, or -1 after logging what failed. */
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
/* Before every entry to the guest: act on requests, load interrupts. */
void vcpu_before_entry(struct vcpu *v);

/* Guest hypercalls (PSCI, SMCCC): regs x0..x3 in, x0 out. */
void vcall_handle(struct vcpu *v, uint64_t regs[4]);
/* SYSTEM_OFF (reset false) or SYSTEM_RESET (true) from vCPU v. */
_Noreturn void partition_shutdown(struct vcpu *v, bool reset);

/* The partition's console port (UART or virtio), or NULL. */
struct console_port *partition_console(struct partition *p);

/* Build a partition's device tree (core/guest_fdt.c). */
int guest_fdt_build(struct partition *p, void *buf, size_t size);

/* Console input from the physical UART: Ctrl-] moves the focus to the next
 * partition with a console; every other byte goes to the focus. */
void console_input(uint8_t c);
void console_input_poll(void);
void console_focus_first(void);

/* The CPU's idle loop (arch): parks until its vCPU is started. */
_Noreturn void arch_park(void);
void arch_kick_cpu(unsigned pcpu);

#endif
