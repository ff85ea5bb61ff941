/* The only door from core/ to the CPU. Implemented by arch/arm64/ on the
 * target and by tests/fake/ on the host. */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include <hv/types.h>

#ifdef HV_TARGET
/* The hypervisor's stage 1 at EL2 is an identity map (arch/arm64/mmu.c):
 * inline, a physical disk's descriptors take one address a page. */
static inline void *arch_phys_to_virt(paddr_t pa)
{
	return (void *)pa;
}
static inline paddr_t arch_virt_to_phys(const void *va)
{
	return (paddr_t)va;
}
#else
void *arch_phys_to_virt(paddr_t pa);
paddr_t arch_virt_to_phys(const void *va);
#endif
unsigned arch_cpu_id(void);

/* Console: write raw bytes to the hypervisor's UART; read one, -1 if none. */
void arch_console_write(const char *s, size_t n);
int arch_console_getc(void);

/* Locks for the (rare) shared hypervisor state: ticket locks, so CPUs
 * that contend get the lock in the order they asked for it and none
 * starves. A zero-initialised lock is unlocked. next is the ticket the
 * next caller takes, owner the ticket being served; the lock is held when
 * they differ. The two halves share one 32-bit word (owner in the low
 * half) so that taking a ticket and testing for a free lock are one
 * atomic access. Waiters sleep in WFE until the owner half is written (an
 * unlock), which QEMU's icount mode needs too (every spin loop must let
 * the other vCPUs run). */
typedef union {
	volatile uint32_t word;
	struct {
		volatile uint16_t owner;
		volatile uint16_t next;
	};
} spinlock_t;
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
/* Takes l only when it is free and nobody waits for it; never waits. */
bool spin_trylock(spinlock_t *l);
/* For assertions: someone holds l. */
static inline bool spin_is_locked(const spinlock_t *l)
{
	return l->owner != l->next;
}
/* spin_trylock, tried again for up to usecs microseconds, letting other
 * CPUs (vCPUs under QEMU) run between tries: a bounded wait for a lock
 * whose holder may never let go. Under contention it can fail although
 * the lock changed hands, since it never queues. */
bool spin_trylock_for(spinlock_t *l, unsigned usecs);

/* Make what the hypervisor wrote to [va, va+size) visible to a guest that
 * runs with its MMU and caches off: clean to the point of coherency and
 * invalidate the instruction cache. */
void arch_clean_for_guest(void *va, size_t size);

/* Make physical CPU pcpu call workq_run_local() soon: the hypervisor's
 * work SGI. The calling CPU may signal itself; it then drains at its next
 * exit to a guest or wait in the idle loop. Takes no lock. */
void arch_workq_signal(unsigned pcpu);

/* Call console_flush_partial() on this CPU in a few milliseconds. */
void arch_console_flush_later(void);

/* n bytes from the CPU's hardware random number generator (RNDR); false
 * when there is none or it keeps failing. */
bool arch_entropy(void *buf, size_t n);

_Noreturn void arch_halt(void);
/* Power off the machine (all partitions stopped). */
_Noreturn void arch_system_off(void);

#endif
