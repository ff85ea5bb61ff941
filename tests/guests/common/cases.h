/* The cases of an attacking test guest and how it reports them, on the
 * lines the host tests read: "<name>: refused: <what> (<detail>)" or
 * "<name>: NOT REFUSED: ...", positive controls as "control ok" or
 * "control FAILED", and the totals. Also the probe of an access that must
 * be answered with an abort. Define GUEST_NAME ("hostile") before
 * including. */
#ifndef GUEST_CASES_H
#define GUEST_CASES_H

#include "guest.h"

#ifndef GUEST_NAME
#error "define GUEST_NAME before including cases.h"
#endif

static unsigned attempts, refused, controls, controls_ok;
/* What a case saw, printed with its verdict. */
static uint64_t detail;

GFN void case_line(const char *verdict, const char *what, uint64_t det)
{
	puts_(GUEST_NAME ": ");
	puts_(verdict);
	puts_(what);
	puts_(" (");
	put_hex(det);
	puts_(")\n");
}

/* A case: ok when the guest's attempt was refused as it should be. */
GFN void report(const char *what, int ok, uint64_t det)
{
	attempts++;
	refused += ok ? 1 : 0;
	case_line(ok ? "refused: " : "NOT REFUSED: ", what, det);
}

/* ... with the detail the case left in detail. */
GFN void report_case(const char *what, int ok)
{
	report(what, ok, detail);
}

/* A positive control: what must work for the refusals to mean anything. */
GFN void control(const char *what, int ok)
{
	controls++;
	controls_ok += ok ? 1 : 0;
	case_line(ok ? "control ok: " : "control FAILED: ", what, detail);
}

/* A line about the case what, outside its verdict. */
GFN void case_note(const char *note, const char *what)
{
	puts_(GUEST_NAME ": ");
	puts_(note);
	puts_(what);
	putc_('\n');
}

/* Whether the device served again after every case run_checked() ran. */
static int served_after_all = 1;

/* A case: fn's verdict (after setup, when there is one, succeeded), then
 * serves(), which puts the device back and proves it works: a case after
 * which it does not fails, with note and its name on a line of its own. */
GFN void run_checked(const char *what, int (*setup)(void), int (*fn)(void), int (*serves)(void),
		     const char *note)
{
	uint64_t det;
	int ok;

	detail = 0;
	ok = (!setup || setup()) && fn();
	det = detail;
	if (!serves()) {
		served_after_all = 0;
		ok = 0;
		case_note(note, what);
	}
	detail = det;
	report_case(what, ok);
}

GFN void report_alive(const char *cases)
{
	puts_(GUEST_NAME ": still alive after ");
	put_dec(attempts);
	putc_(' ');
	puts_(cases);
	putc_('\n');
}

GFN void report_served(void)
{
	puts_(GUEST_NAME ": controls: ");
	put_dec(controls_ok);
	putc_('/');
	put_dec(controls);
	puts_(" served\n");
}

GFN void report_done(void)
{
	puts_(GUEST_NAME ": done: ");
	put_dec(refused);
	putc_('/');
	put_dec(attempts);
	puts_(" refused\n");
}

/* One access of width bytes (1, 2, 4 or 8) at addr: a load, or a store of
 * v (its low bytes). One instruction, so that an abort skips just it. */
GFN void probe(uintptr_t addr, unsigned width, int write, uint64_t v)
{
	switch (width * 2 + (write ? 1 : 0)) {
	case 2: (void)*(volatile uint8_t *)addr; break;
	case 3: *(volatile uint8_t *)addr = (uint8_t)v; break;
	case 4: (void)*(volatile uint16_t *)addr; break;
	case 5: *(volatile uint16_t *)addr = (uint16_t)v; break;
	case 8: (void)*(volatile uint32_t *)addr; break;
	case 9: *(volatile uint32_t *)addr = (uint32_t)v; break;
	case 16: (void)*(volatile uint64_t *)addr; break;
	case 17: *(volatile uint64_t *)addr = v; break;
	}
}

/* Since n_exceptions was before, exactly one exception: a data abort from
 * EL1 (EC 0x25) at addr. */
GFN int took_abort(uint64_t before, uintptr_t addr)
{
	return n_exceptions == before + 1 && (last_esr >> 26) == 0x25 && last_far == addr;
}

/* ... and a synchronous external abort (DFSC 0x10): the one the
 * hypervisor injects. */
GFN int took_sea(uint64_t before, uintptr_t addr)
{
	return took_abort(before, addr) && (last_esr & 0x3f) == 0x10;
}

#endif
