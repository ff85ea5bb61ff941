#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <arch/frame.h>
#include <arch/sysreg.h>
#include <hv/partition.h>

/* Per-CPU data, reached through TPIDR_EL2. */
struct percpu {
	unsigned id;
	uint64_t mpidr;
	struct vcpu *vcpu;
	uint64_t irqs;
	struct trap_frame entry_frame; /* a vCPU's first register state */
	/* The guest's FP/SIMD registers, when the hypervisor has claimed
	 * them (fp_saved) since the guest last ran; loaded back on entry. */
	bool fp_saved;
	struct fpsimd_state fp __attribute__((aligned(16)));
};

static inline struct percpu *this_cpu(void)
{
	return (struct percpu *)read_sysreg(tpidr_el2);
}
void fpsimd_save(struct fpsimd_state *s);
void fpsimd_load(const struct fpsimd_state *s);
void percpu_init(unsigned cpu);

void mmu_build(void);       /* CPU 0: build the EL2 stage-1 tables */
void mmu_enable(void);      /* every CPU */
void mmu_protect_ro_after_init(void);
int mmu_map_device(paddr_t base, uint64_t size); /* CPU 0, boot: 0 or -1 */
struct page_pool *mmu_pool(void);

void stage2_activate(const struct partition *p);
_Noreturn void vcpu_enter(struct vcpu *v);
_Noreturn void arch_enter_frame(const struct trap_frame *f, uintptr_t stack_top);
uintptr_t hv_stack_top(unsigned cpu);

int64_t psci_smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
int psci_cpu_on(uint64_t mpidr, uintptr_t entry, uint64_t ctx);

void irq_handle(void);

/* Physical SGIs the hypervisor sends itself (guests never see them). */
#define SGI_KICK 1 /* look at the vCPU's requests and interrupts again */
#define SGI_WORK 2 /* run this CPU's work queue (core/workq.c) */
void arch_send_sgi(unsigned pcpu, unsigned sgi);
uint64_t cpu_mpidr(unsigned pcpu); /* physical CPU pcpu's MPIDR_EL1 */

void vgic_hw_enable(void);
void vgic_hw_disable(void);
_Noreturn void arch_reset_stack_and_call(void (*fn)(void), uintptr_t stack_top);
_Noreturn void cpu_idle(void);

#endif
