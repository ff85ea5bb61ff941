/* The fake arch for host unit tests (after Hafnium's src/arch/fake): a
 * "physical" memory window backed by a host buffer, console output captured
 * in a buffer, halts turned into a longjmp the test can catch. */
#include "arch_fake.h"
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t *fake_phys_mem;
static size_t fake_phys_size;
char fake_console[65536];
size_t fake_console_len;
jmp_buf *fake_halt_jmp;
int fake_system_off_calls;

void fake_mem_init(size_t size)
{
	free(fake_phys_mem);
	fake_phys_mem = aligned_alloc(PAGE_SIZE, size);
	memset(fake_phys_mem, 0xa5, size); /* tables must be zeroed by the code */
	fake_phys_size = size;
}

void *arch_phys_to_virt(paddr_t pa)
{
	if (pa < FAKE_PHYS_BASE || pa - FAKE_PHYS_BASE >= fake_phys_size) {
		fprintf(stderr, "fake arch: PA 0x%llx outside fake memory\n", (unsigned long long)pa);
		abort();
	}
	return fake_phys_mem + (pa - FAKE_PHYS_BASE);
}

paddr_t arch_virt_to_phys(const void *va)
{
	return FAKE_PHYS_BASE + (paddr_t)((const uint8_t *)va - fake_phys_mem);
}

unsigned arch_cpu_id(void)
{
	return 0;
}

void arch_console_write(const char *s, size_t n)
{
	if (n > sizeof(fake_console) - 1 - fake_console_len)
		n = sizeof(fake_console) - 1 - fake_console_len;
	memcpy(fake_console + fake_console_len, s, n);
	fake_console_len += n;
	fake_console[fake_console_len] = 0;
}

void fake_console_reset(void)
{
	fake_console_len = 0;
	fake_console[0] = 0;
}

void spin_lock(spinlock_t *l)
{
	l->v = 1;
}

void spin_unlock(spinlock_t *l)
{
	l->v = 0;
}

void arch_clean_for_guest(void *va, size_t size)
{
	(void)va;
	(void)size;
}

_Noreturn void arch_halt(void)
{
	if (fake_halt_jmp)
		longjmp(*fake_halt_jmp, 1);
	abort();
}

_Noreturn void arch_system_off(void)
{
	fake_system_off_calls++;
	arch_halt();
}
