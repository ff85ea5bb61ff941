#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <arch/frame.h>
#include <hv/partition.h>

/* Per-CPU data, reached through TPIDR_EL2. */
struct percpu {
	unsigned id;
	struct vcpu *vcpu;
	uint64_t irqs;
	struct trap_frame entry_frame; /* a vCPU's first register state */
};

struct percpu *this_cpu(void);
void percpu_init(unsigned cpu);

void mmu_build(void);       /* CPU 0: build the EL2 stage-1 tables */
void mmu_enable(void);      /* every CPU */
void mmu_protect_ro_after_init(void);
struct page_pool *mmu_pool(void);

void stage2_activate(const struct partition *p);
_Noreturn void vcpu_enter(struct vcpu *v, uint64_t x0);
_Noreturn void arch_enter_frame(const struct trap_frame *f, uintptr_t stack_top);
uintptr_t hv_stack_top(unsigned cpu);

int64_t psci_smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
int psci_cpu_on(uint64_t mpidr, uintptr_t entry, uint64_t ctx);

void irq_handle(void);

#endif
