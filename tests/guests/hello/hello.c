/* A well-behaved partition: prints, checks PSCI, and powers its partition
 * off. It also reports the counter value at its first instruction (under
 * icount: instructions since QEMU started, times 16 at 62.5 MHz).
 * proves: PLATFORM-2, PLATFORM-3 */
#include "../common/guest.h"

void guest_main(uint64_t x0, uint64_t first_counter)
{
	uint64_t v;
	(void)x0;
	puts_("hello: running at EL");
	__asm__ volatile("mrs %0, CurrentEL" : "=r"(v));
	put_dec(v >> 2);
	puts_("\nhello: first-instruction counter ");
	put_dec(first_counter);
	puts_("\nhello: PSCI version ");
	v = hvc(PSCI_VERSION, 0, 0, 0);
	put_dec(v >> 16);
	putc_('.');
	put_dec(v & 0xffff);
	putc_('\n');
	for (int i = 1; i <= 3; i++) {
		puts_("hello: line ");
		put_dec((uint64_t)i);
		putc_('\n');
	}
	puts_("hello: exceptions taken ");
	put_dec(n_exceptions);
	puts_("\nhello: done\n");
}
