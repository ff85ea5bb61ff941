#ifndef ARCH_FAKE_H
#define ARCH_FAKE_H

#include <hv/arch.h>
#include <hv/vgic.h>
#include <setjmp.h>

#define FAKE_PHYS_BASE 0x80000000ULL

extern uint8_t *fake_phys_mem;
extern char fake_console[65536];
extern size_t fake_console_len;
extern jmp_buf *fake_halt_jmp;
extern int fake_system_off_calls;
extern unsigned fake_trylock_for_calls;
/* Called on entry to arch_console_write: a UART that faults or hangs. */
extern void (*fake_console_write_hook)(void);

extern _Thread_local unsigned fake_cpu; /* what arch_cpu_id() returns in this thread */
extern uint64_t fake_work_signalled;     /* CPUs arch_workq_signal() was called for */
extern int fake_console_input;
extern int fake_flush_later_calls;
extern bool fake_entropy_fail;
extern uint64_t fake_lrs[VGIC_MAX_LRS];
extern unsigned fake_nr_lrs;
extern bool fake_underflow;
extern uint32_t fake_kicked;
extern int fake_local_vcpu;
extern const struct vgic *fake_local_vgic;
extern uint32_t fake_deactivated[8];
extern unsigned fake_ndeactivated;

/* A fresh fake physical memory of size bytes at FAKE_PHYS_BASE, filled
 * with garbage. */
void fake_mem_init(size_t size);
void fake_console_reset(void);

#endif
