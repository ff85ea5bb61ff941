#include <drivers/irqchip.h>
#include <arch/cpu.h>
#include <arch/sysreg.h>
#include <drivers/drivers.h>
#include <hv/log.h>
#include <platform.h>
#include <string.h>

/* Stacks are written before they are read: not cleared at boot. */
char hv_stacks[CONFIG_MAX_CPUS][CONFIG_HV_STACK_SIZE] __attribute__((aligned(16))) HV_NOINIT;
static struct percpu cpus[CONFIG_MAX_CPUS];

/* libfdt (Debian's arm64 build) is compiled with the stack protector. */
uintptr_t __stack_chk_guard = 0x595e9fbd94fda766ULL;
_Noreturn void __stack_chk_fail(void);
_Noreturn void __stack_chk_fail(void)
{
	PANIC("stack smashing detected");
}

uintptr_t hv_stack_top(unsigned cpu)
{
	return (uintptr_t)hv_stacks[cpu + 1];
}

void percpu_init(unsigned cpu)
{
	if (cpu == 0)
		for (unsigned i = 0; i < CONFIG_MAX_CPUS; i++)
			cpus[i].mpidr = PLATFORM_CPU_MPIDR(i);
	cpus[cpu].id = cpu;
	write_sysreg(tpidr_el2, (uint64_t)&cpus[cpu]);
	/* Physical interrupts route to EL2 even before a guest runs: with
	 * IMO clear they would target EL1 and stay masked at EL2. */
	write_sysreg(hcr_el2, HCR_RW | HCR_IMO | HCR_FMO | HCR_AMO);
	isb();
}

unsigned arch_cpu_id(void)
{
	struct percpu *c = this_cpu();
	return c ? c->id : 0;
}

void arch_console_write(const char *s, size_t n)
{
	PLATFORM_UART.write(s, n);
}

int arch_console_getc(void)
{
	return PLATFORM_UART.getc();
}

int64_t psci_smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (int64_t)x0;
}

int psci_cpu_on(uint64_t mpidr, uintptr_t entry, uint64_t ctx)
{
	return (int)psci_smc(0xc4000003, mpidr, entry, ctx);
}

void arch_clean_for_guest(void *va, size_t size)
{
	uint64_t ctr = read_sysreg(ctr_el0);
	uintptr_t line = 4UL << ((ctr >> 16) & 0xf); /* DminLine */
	uintptr_t p = (uintptr_t)va & ~(line - 1), end = (uintptr_t)va + size;

	/* Four lines a step: a guest kernel is half a million lines. */
	for (; end - p >= 4 * line; p += 4 * line)
		__asm__ volatile("dc cvac, %0\n\tdc cvac, %1\n\tdc cvac, %2\n\tdc cvac, %3"
				 : : "r"(p), "r"(p + line), "r"(p + 2 * line), "r"(p + 3 * line)
				 : "memory");
	for (; p < end; p += line)
		__asm__ volatile("dc cvac, %0" : : "r"(p) : "memory");
	dsb(ish);
	__asm__ volatile("ic iallu" ::: "memory");
	dsb(ish);
	isb();
}

uint64_t cpu_mpidr(unsigned pcpu)
{
	return cpus[pcpu].mpidr;
}

void arch_send_sgi(unsigned pcpu, unsigned sgi)
{
	irqchip->send_sgi(pcpu, sgi);
}

void arch_workq_signal(unsigned pcpu)
{
	arch_send_sgi(pcpu, SGI_WORK);
}

void arch_console_flush_later(void)
{
	if (!(read_sysreg(cnthp_ctl_el2) & 1))
		timer_hv_arm(timer_freq() / 50); /* 20 ms */
}

/* FEAT_RNG: RNDRRS returns 64 bits and sets NZCV to 0b0100 when it could
 * not (retry a bounded number of times). */
bool arch_entropy(void *buf, size_t n)
{
	uint8_t *p = buf;

	if (!((read_sysreg(id_aa64isar0_el1) >> 60) & 0xf))
		return virtio_rng_phys_get(buf, n); /* no FEAT_RNG */
	while (n) {
		uint64_t v = 0, nzcv = 0;
		int tries = 0;
		do {
			/* RNDRRS: reseeded from the true source before it returns,
			 * full entropy for seeding, unlike RNDR's DRBG output. */
			__asm__ volatile("mrs %0, S3_3_C2_C4_1\n\tmrs %1, nzcv" : "=r"(v), "=r"(nzcv));
		} while ((nzcv & (1ULL << 30)) && ++tries < 16);
		if (nzcv & (1ULL << 30))
			return false;
		size_t k = n < 8 ? n : 8;
		memcpy(p, &v, k);
		p += k;
		n -= k;
	}
	return true;
}

_Noreturn void arch_park(void)
{
	arch_reset_stack_and_call(cpu_idle, hv_stack_top(this_cpu()->id));
}

_Noreturn void arch_halt(void)
{
	__asm__ volatile("msr daifset, #0xf");
	for (;;)
		wfi();
}

_Noreturn void arch_system_off(void)
{
	psci_smc(0x84000008, 0, 0, 0);
	arch_halt();
}
