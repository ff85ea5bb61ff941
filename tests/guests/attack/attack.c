/* The attacking partition: reaches for what it was not given and reports
 * how each attempt was refused. The addresses are those of
 * tests/configs/two-guests.dts: the victim partition's RAM at 0x50000000,
 * the hypervisor's image at 0x40080000.
 * proves: PLATFORM-3, PLATFORM-5 */
#include "../common/guest.h"

#define VICTIM_RAM 0x50000000UL
#define HV_RAM 0x40080000UL
#define HV_TABLES 0x4fff0000UL

static unsigned attempts, refused;

static void report(const char *what, int ok, uint64_t detail)
{
	attempts++;
	refused += ok ? 1 : 0;
	puts_(ok ? "attack: refused: " : "attack: NOT REFUSED: ");
	puts_(what);
	puts_(" (");
	put_hex(detail);
	puts_(")\n");
}

/* A data abort injected by the hypervisor: EC 0x25 (from EL1), DFSC 0x10. */
static int was_sea(uint64_t before, uint64_t addr)
{
	return n_exceptions == before + 1 && (last_esr >> 26) == 0x25 &&
	       (last_esr & 0x3f) == 0x10 && last_far == addr;
}

static void try_read(const char *what, uintptr_t addr)
{
	uint64_t before = n_exceptions;
	(void)*(volatile uint64_t *)addr;
	report(what, was_sea(before, addr), last_esr);
}

static void try_write(const char *what, uintptr_t addr)
{
	uint64_t before = n_exceptions;
	*(volatile uint64_t *)addr = 0xbadbadbadbadULL;
	report(what, was_sea(before, addr) && (last_esr & (1u << 6)), last_esr);
}

void guest_main(uint64_t x0, uint64_t first_counter)
{
	uint64_t before, r;
	(void)x0;
	(void)first_counter;

	puts_("attack: starting\n");
	try_read("read of another partition's RAM", VICTIM_RAM);
	try_write("write to another partition's RAM", VICTIM_RAM + 0x1000);
	try_read("read of the hypervisor's image", HV_RAM);
	try_write("write to the hypervisor's image", HV_RAM);
	try_read("read of the hypervisor's page tables", HV_TABLES);
	try_read("read of the physical GIC distributor", 0x08000000UL);

	r = hvc(0xc2000042UL, 0, 0, 0);
	report("unknown HVC function returns NOT_SUPPORTED", r == (uint64_t)-1, r);
	r = smc(0x84000042UL);
	report("unknown SMC function returns NOT_SUPPORTED", r == (uint64_t)-1, r);
	r = hvc(0x84000005UL, 0, 0, 0); /* PSCI CPU_SUSPEND: not offered */
	report("PSCI CPU_SUSPEND returns NOT_SUPPORTED", r == (uint64_t)-1, r);

	before = n_exceptions;
	__asm__ volatile("mrs %0, s3_0_c15_c0_0" : "=r"(r)); /* IMPLEMENTATION DEFINED */
	report("read of an implementation-defined system register", n_exceptions == before + 1 &&
	       (last_esr >> 26) == 0 && (last_esr & (1u << 25)), last_esr);
	before = n_exceptions;
	__asm__ volatile("msr actlr_el1, %0" : : "r"(0UL)); /* trapped by HCR_EL2.TACR */
	report("write to ACTLR_EL1", n_exceptions == before + 1 && (last_esr >> 26) == 0, last_esr);
	before = n_exceptions;
	__asm__ volatile("mrs %0, actlr_el1" : "=r"(r));
	report("read of ACTLR_EL1", n_exceptions == before + 1 && (last_esr >> 26) == 0, last_esr);

	before = n_exceptions;
	(void)*(volatile uint64_t *)(UART_BASE + 0x18); /* 64-bit read of a 32-bit register */
	report("64-bit access to the emulated UART", was_sea(before, UART_BASE + 0x18), last_esr);
	before = n_exceptions;
	(void)*(volatile uint32_t *)(UART_BASE + 0x100); /* hole in the register map */
	report("read of an unassigned UART offset", was_sea(before, UART_BASE + 0x100), last_esr);

	puts_("attack: still alive after ");
	put_dec(attempts);
	puts_(" attempts\nattack: done: ");
	put_dec(refused);
	putc_('/');
	put_dec(attempts);
	puts_(" refused\n");
}
