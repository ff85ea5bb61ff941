/* The only door from core/ to the CPU. Implemented by arch/arm64/ on the
 * target and by tests/fake/ on the host. */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include <hv/types.h>

void *arch_phys_to_virt(paddr_t pa);
paddr_t arch_virt_to_phys(const void *va);
unsigned arch_cpu_id(void);

/* Console: write raw bytes to the hypervisor's UART; read one, -1 if none. */
void arch_console_write(const char *s, size_t n);
int arch_console_getc(void);

/* Locks for the (rare) shared hypervisor state. */
typedef struct { volatile uint32_t v; } spinlock_t;
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);

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
