#ifndef ARCH_FAKE_H
#define ARCH_FAKE_H

#include <hv/arch.h>
#include <setjmp.h>

#define FAKE_PHYS_BASE 0x80000000ULL

extern uint8_t *fake_phys_mem;
extern char fake_console[65536];
extern size_t fake_console_len;
extern jmp_buf *fake_halt_jmp;
extern int fake_system_off_calls;

/* A fresh fake physical memory of size bytes at FAKE_PHYS_BASE, filled
 * with garbage. */
void fake_mem_init(size_t size);
void fake_console_reset(void);

#endif
