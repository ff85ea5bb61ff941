/* Virtual GICv3 for partitions: the distributor and redistributors are
 * emulated by trap-and-emulate from const register tables; interrupts reach
 * the vCPU through the ICH list registers of the physical CPU it runs on.
 *
 * State lives in software (struct virq) and, while an interrupt is in a
 * list register, in that register; only the physical CPU that runs a vCPU
 * touches its list registers (vgic_flush(), on every return to the guest).
 * Another CPU that changes a vCPU's interrupts kicks that vCPU's CPU.
 *
 * A physical SPI bound to a vGIC (vgic_bind_hw_spi) keeps the same INTID in
 * the guest and is delivered with the list register's HW bit: the guest's
 * deactivation deactivates the physical interrupt. Its physical pending and
 * active states are the source of truth; what the guest writes to its
 * enable, pending, active-clear, priority, trigger and routing registers is
 * mirrored onto the physical distributor (arch_vgic_spi_*). While it is
 * latched pending in software (taken by EL2, not yet in a list register) it
 * is physically active.
 * Lock order: vgic.lock, then console_lock or the GIC driver's ICFGR lock. */
#ifndef HV_VGIC_H
#define HV_VGIC_H

#include <generated/autoconf.h>
#include <hv/arch.h>
#include <hv/mmio.h>

#define VGIC_NR_PRIVATE 32
#define VGIC_NR_SPIS 64 /* INTIDs 32..95 */
#define VGIC_NR_IRQS (VGIC_NR_PRIVATE + VGIC_NR_SPIS)
#define VGIC_MAX_LRS 16
#define VGIC_DIST_SIZE 0x10000
#define VGIC_RDIST_STRIDE 0x20000
#define VGIC_PRIO_MASK 0xf8 /* 5 priority bits */

#define VGIC_PPI_MAINT 25
#define VGIC_PPI_VTIMER 27

struct virq {
	uint8_t priority;
	uint8_t enabled : 1;
	uint8_t pending : 1; /* latched, not yet in a list register */
	uint8_t active : 1;  /* as last seen */
	uint8_t level : 1;   /* level-sensitive (ICFGR) */
	uint8_t line : 1;    /* input level, level-sensitive only */
	uint8_t hw : 1;      /* linked to the physical INTID of the same number:
			      * the timer PPI, or an SPI bound to this vGIC */
	uint8_t lr_state : 2; /* state in its list register as last seen/written */
	int8_t lr;           /* list register holding it, -1 none */
	uint8_t target;      /* vCPU (SPIs, from IROUTER or ITARGETSR); while in a
			      * list register, the vCPU whose it is */
	uint8_t next_target; /* the routing as written: target once out of it */
	uint8_t targets;     /* GICv2 SPIs: ITARGETSR as written (CPU mask) */
	uint64_t irouter;
};

struct vgic_cpu {
	struct virq priv[VGIC_NR_PRIVATE];
	uint32_t waker;
	uint16_t lr_used;
	bool underflow; /* more to deliver than list registers */
	uint32_t dirty; /* atomic: something may be deliverable or done */
	uint32_t maybe_pending; /* private INTIDs that may be pending (superset) */
};

/* What a register of the distributor or of a redistributor acts on. */
struct vgic_ctx {
	struct vgic *g;
	unsigned vcpu; /* redistributor: its vCPU; GICv2 distributor: the
			* accessing vCPU (private INTIDs banked); GICv3
			* distributor: 0, unused (private INTIDs RAZ/WI, ARE=1) */
	bool rdist;
	bool banked;   /* GICv2 distributor */
};

struct vgic {
	spinlock_t lock;
	uint8_t version; /* the front end: 2 (GICv2) or 3 (0: 3); set before vgic_init */
	struct vgic_ctx dist; /* the distributor's registers' device (vgic_dist_ops) */
	uint32_t ctlr;
	unsigned nvcpus;
	struct virq spi[VGIC_NR_SPIS];
	struct vgic_cpu cpu[CONFIG_MAX_CPUS];
	/* Where each vCPU runs, to kick it and to route its bound SPIs; set by
	 * the owner. */
	unsigned pcpu[CONFIG_MAX_CPUS];
	uint64_t hw_spis; /* bound SPIs, bit intid - 32; kept by vgic_init() */
	/* SPIs that may be pending (bit intid - 32): a superset of the pending
	 * ones, so a flush looks only at these; cleared lazily by the flush. */
	uint64_t spi_maybe_pending;
	uint32_t faults_logged;
};

/* A list register, decoded: the CPU interface's encoding (ICH_LR<n>_EL2
 * on GICv3, GICH_LR<n> on GICv2: include/hv/gic_lr.h) is the arch's. */
struct vgic_lr {
	uint32_t vintid;
	uint16_t pintid; /* hw: the physical INTID its deactivation deactivates */
	uint8_t prio;    /* as the distributor holds it */
	uint8_t state;   /* VGIC_LR_PENDING | VGIC_LR_ACTIVE; 0: invalid */
	uint8_t source;  /* an SGI's sending vCPU (GICv2) */
	bool hw;
	bool group1;
	bool eoi;        /* not hw: maintenance interrupt on deactivation */
};
#define VGIC_LR_PENDING 1
#define VGIC_LR_ACTIVE 2

/* What the vGIC needs from the CPU (arch/arm64/vgic_hw.c, tests/fake). */
unsigned arch_vgic_nr_lrs(void);
void arch_vgic_read_lr(unsigned i, struct vgic_lr *lr);
void arch_vgic_write_lr(unsigned i, const struct vgic_lr *lr);
/* The interrupt paths' two list-register operations, without a struct:
 * list register i's state alone, and i loaded with intid pending
 * (lr_pend's flags: VGIC_LR_F_*; the physical INTID of a HW one is intid). */
uint8_t arch_vgic_lr_state(unsigned i);
#define VGIC_LR_F_HW 1u
#define VGIC_LR_F_GROUP1 2u
#define VGIC_LR_F_EOI 4u
void arch_vgic_lr_pend(unsigned i, uint32_t intid, uint8_t prio, unsigned flags);
void arch_vgic_set_underflow(bool on);
/* Clear the active state of a physical interrupt, defined in any state: a
 * PPI of this CPU (its redistributor) or an SPI (the distributor). */
void arch_vgic_deactivate_phys(uint32_t intid);
/* The physical distributor's copy of a bound SPI; any CPU, vgic.lock held.
 * enable off returns once the distributor has stopped forwarding it. */
void arch_vgic_spi_enable(uint32_t intid, bool on);       /* IS/ICENABLER */
void arch_vgic_spi_pend(uint32_t intid, bool on);         /* IS/ICPENDR */
void arch_vgic_spi_priority(uint32_t intid, uint8_t prio); /* physical value */
/* The physical priorities there are for bound SPIs: pmr is the CPUs'
 * priority mask as it reads back after 0xff was written (its lowest set
 * bit is the step between implemented levels). Boot, before any bind. */
void vgic_hw_priorities(uint8_t pmr);
uint8_t vgic_hw_priority(uint8_t guest);
/* ICFGR (level or edge); the SPI is disabled around the write if enabled. */
void arch_vgic_spi_trigger(uint32_t intid, bool level);
void arch_vgic_spi_route(uint32_t intid, unsigned pcpu);  /* IROUTER: that CPU */
/* Make physical CPU pcpu run vgic_flush() for its vCPU soon. */
void arch_kick_cpu(unsigned pcpu);
/* The vCPU index running on this physical CPU for this vGIC, or -1. */
int arch_vgic_local_vcpu(const struct vgic *g);

void vgic_init(struct vgic *g, unsigned nvcpus);
/* A vCPU (re)starts: its private interrupts and list registers cleared.
 * Runs on the vCPU's physical CPU. */
void vgic_vcpu_reset(struct vgic *g, unsigned vcpu);

/* Edge: make intid pending (SGI/PPI for vcpu, SPI for its target). */
void vgic_inject(struct vgic *g, unsigned vcpu, uint32_t intid);
/* Level-sensitive SPI input line. */
void vgic_set_line(struct vgic *g, uint32_t intid, bool high);
/* A physical PPI forwarded with the list register's HW bit: the guest's
 * deactivation deactivates the physical interrupt. Local vCPU only. */
void vgic_inject_hw(struct vgic *g, unsigned vcpu, uint32_t intid);
/* Guest wrote ICC_SGI1R_EL1. Returns false when the write named a CPU
 * outside the partition (nothing sent there). */
bool vgic_send_sgi(struct vgic *g, unsigned from, uint64_t sgi1r);
/* Before entering the guest on this CPU: when anything changed for this
 * vCPU, fold list registers back into the software state and load the
 * highest-priority pending interrupts. Cheap when nothing changed. */
void vgic_flush_dirty(struct vgic *g, unsigned vcpu);
static inline void vgic_flush(struct vgic *g, unsigned vcpu)
{
	/* Nothing changed since the last flush: the common case, kept inline. */
	if (__atomic_load_n(&g->cpu[vcpu].dirty, __ATOMIC_ACQUIRE))
		vgic_flush_dirty(g, vcpu);
}
/* The maintenance interrupt: list registers need folding back now. */
void vgic_maintenance(struct vgic *g, unsigned vcpu);

/* Physical SPI intid (== virtual INTID; 32 <= intid < VGIC_NR_IRQS) belongs
 * to this vGIC: from now on it is delivered with the LR HW bit (the guest's
 * deactivation deactivates the physical one), and the guest's writes to its
 * enable, pending (set/clear), active (clear), priority, trigger (ICFGR)
 * and IROUTER are mirrored onto the physical distributor. The binding
 * survives vgic_init() (partition reset). Call it on one CPU before the
 * partition first runs, before or after its first vgic_init(); g->pcpu[]
 * may be set before or after too (every guest enable writes the physical
 * route again). The SPI is left physically disabled, not pending, not
 * active. Whether the hypervisor itself uses the INTID (hv_irq_register,
 * the UART) is the caller's to check.
 * 0, or -1 when intid is out of range or already bound (to any vGIC).
 *
 * Physical priority: the hypervisor's own interrupts use 0xa0; a bound SPI
 * never outranks them, and is never at or below the CPUs' priority mask
 * (it would not be signalled at all). The guest's priority is mirrored in
 * its order at up to 3-bit resolution onto the levels the GIC implements
 * strictly between the two (vgic_hw_priority, vgic_hw_priorities). */
int vgic_bind_hw_spi(struct vgic *g, uint32_t intid);
/* Partition stop or reset (no vCPU of it runs, each has been through
 * vgic_vcpu_reset()): every bound SPI physically disabled, pending cleared,
 * deactivated, and virtually disabled and not pending. Call it before
 * vgic_init() on reset (vgic_init() resets the rest of the virtual state;
 * the other order works too but leaves a window in which an SPI taken by
 * another CPU is latched into the fresh state). */
void vgic_release_hw_spis(struct vgic *g);
/* Every binding of this vGIC given up (released first). Nothing in the
 * hypervisor unbinds: for a vGIC whose memory is reused (unit tests). */
void vgic_unbind_hw_spis(struct vgic *g);
/* The vGIC a physical INTID is bound to, or NULL (any INTID; lock free). */
extern struct vgic *vgic_hw_spi_owners[VGIC_NR_SPIS]; /* kept by vgic.c */
static inline struct vgic *vgic_hw_spi_owner(uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE || intid >= VGIC_NR_IRQS)
		return NULL;
	return __atomic_load_n(&vgic_hw_spi_owners[intid - VGIC_NR_PRIVATE], __ATOMIC_ACQUIRE);
}
/* EL2 took bound SPI intid (acknowledged, priority dropped, still active):
 * latch it pending for its target vCPU and kick that vCPU's CPU. If the
 * guest disabled it (or it was released) as it fired, it is deactivated
 * and dropped instead: a level source raises it again once re-enabled. */
void vgic_hw_spi_fired(struct vgic *g, uint32_t intid);
/* vgic_hw_spi_fired() for the EL2 interrupt handler, which found g with
 * vgic_hw_spi_owner() (intid in range). */
void vgic_hw_spi_fire(struct vgic *g, uint32_t intid);

/* GICD_CTLR's forwarding bit: EnableGrp1 (GICv3, Group 1 only) or
 * Enable (GICv2, Group 0 only). */
static inline bool vgic_forwarding(const struct vgic *g)
{
	return (g->ctlr & (g->version == 2 ? 1u : 2u)) != 0;
}

/* MMIO: the distributor and the redistributor frames (dev = the vgic). */
extern const struct mmio_device_ops vgic_dist_ops;
extern const struct mmio_device_ops vgic_rdist_ops;

/* GICv2 (core/vgic_v2.c): the distributor (dev = the vgic's dist), its private
 * INTIDs banked for the accessing vCPU, ITARGETSR and SGIR; the CPU
 * interface is the hardware's GICV, mapped at the guest's GICC. At most
 * VGIC_V2_MAX_VCPUS vCPUs. */
#define VGIC_V2_MAX_VCPUS 8
#define VGIC_V2_DIST_SIZE 0x1000
extern const struct mmio_device_ops vgic_v2_dist_ops;
/* A GICD_SGIR write by vCPU from. false when it named a CPU outside the
 * partition (nothing sent there). */
bool vgic_v2_sgir(struct vgic *g, unsigned from, uint32_t v);

#endif
