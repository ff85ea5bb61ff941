/* Bare-metal test guest library: one header, static functions, so each
 * guest is one position-independent translation unit. */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>

#define GFN static __attribute__((unused))

#define UART_BASE 0x09000000UL
#define PSCI_VERSION 0x84000000UL
#define PSCI_SYSTEM_OFF 0x84000008UL

static inline void mmio_write32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t mmio_read32(uintptr_t a) { return *(volatile uint32_t *)a; }

/* Memory a device also sees: every access done, as written, in order. */
static inline void barrier(void) { __asm__ volatile("dsb sy" ::: "memory"); }
static inline uint8_t r8(uintptr_t a) { return *(volatile uint8_t *)a; }
static inline void w8(uintptr_t a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline uint16_t r16(uintptr_t a) { return *(volatile uint16_t *)a; }
static inline void w16(uintptr_t a, uint16_t v) { *(volatile uint16_t *)a = v; }
static inline uint32_t r32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline void w32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint64_t r64(uintptr_t a) { return *(volatile uint64_t *)a; }
static inline void w64(uintptr_t a, uint64_t v) { *(volatile uint64_t *)a = v; }

GFN void fill(uintptr_t a, uintptr_t end, uint8_t v)
{
	for (; a < end; a++)
		w8(a, v);
}

/* Every byte of [a, end) is v. */
GFN int all_are(uintptr_t a, uintptr_t end, uint8_t v)
{
	for (; a < end; a++)
		if (r8(a) != v)
			return 0;
	return 1;
}

GFN void putc_(char c)
{
	while (mmio_read32(UART_BASE + 0x18) & (1u << 5))
		;
	mmio_write32(UART_BASE, (uint8_t)c);
}

GFN void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

GFN void put_hex(uint64_t v)
{
	puts_("0x");
	for (int i = 60; i >= 0; i -= 4)
		putc_("0123456789abcdef"[(v >> i) & 15]);
}

GFN void put_dec(uint64_t v)
{
	char buf[24];
	int i = 0;
	do
		buf[i++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (i)
		putc_(buf[--i]);
}

GFN uint64_t hvc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return x0;
}

GFN uint64_t smc(uint64_t fid)
{
	register uint64_t x0 __asm__("x0") = fid;
	__asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	return x0;
}

/* Exceptions the guest took: the test reads them after each attempt. */
static volatile uint64_t last_esr, last_far, n_exceptions;

/* IRQs (vector kinds 1, 5, 9, 13) go to guest_irq(), if the guest defines
 * one, and resume where they interrupted. */
void guest_irq(void) __attribute__((weak));

uint64_t guest_exception(uint64_t esr, uint64_t far, uint64_t elr, uint64_t kind);
uint64_t guest_exception(uint64_t esr, uint64_t far, uint64_t elr, uint64_t kind)
{
	if ((kind & 3) == 1) {
		if (guest_irq)
			guest_irq();
		return elr;
	}
	last_esr = esr;
	last_far = far;
	n_exceptions++;
	return elr + 4; /* skip the faulting instruction */
}

void guest_main(uint64_t x0, uint64_t first_counter);

#endif
