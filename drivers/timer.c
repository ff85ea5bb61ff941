/* Arm generic timer: the counter, and the EL2 physical timer (CNTHP) that
 * the hypervisor keeps for itself. Guests get the EL1 virtual timer. */
#include <arch/sysreg.h>
#include <drivers/drivers.h>

uint64_t timer_freq(void)
{
	return read_sysreg(cntfrq_el0);
}

uint64_t timer_now(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

void timer_hv_arm(uint64_t ticks)
{
	write_sysreg(cnthp_tval_el2, ticks);
	write_sysreg(cnthp_ctl_el2, 1); /* ENABLE, not masked */
	isb();
}

void timer_hv_disarm(void)
{
	write_sysreg(cnthp_ctl_el2, 0);
	isb();
}
