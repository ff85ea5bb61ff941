/* Ticket spinlocks (include/hv/arch.h) with Armv8.0 exclusives; the build
 * is -mno-outline-atomics without LSE. The owner half is the low half of
 * the word (little endian). */
#include <drivers/drivers.h>
#include <hv/arch.h>

#define TICKET (1u << 16) /* one ticket: the next half of the word */

void spin_lock(spinlock_t *l)
{
	uint32_t old, t, tmp;

	__asm__ volatile(
		/* Take a ticket: next += 1, the old word back. */
		"1:	ldaxr	%w0, %3\n"
		"	add	%w1, %w0, %5\n"
		"	stxr	%w2, %w1, %3\n"
		"	cbnz	%w2, 1b\n"
		/* Our ticket (old next) already served? */
		"	eor	%w1, %w0, %w0, ror #16\n"
		"	cbz	%w1, 3f\n"
		/* No: wait in WFE. The exclusive load of the owner half arms
		 * the monitor; an unlock's store clears it, which is an event.
		 * SEVL makes the first WFE fall through, so an unlock between
		 * the STXR and the first load is not slept through. */
		"	sevl\n"
		"2:	wfe\n"
		"	ldaxrh	%w2, %4\n"
		"	eor	%w1, %w2, %w0, lsr #16\n"
		"	cbnz	%w1, 2b\n"
		"3:\n"
		: "=&r"(old), "=&r"(t), "=&r"(tmp), "+Q"(l->word)
		: "Q"(l->owner), "I"(TICKET)
		: "memory");
}

bool spin_trylock(spinlock_t *l)
{
	uint32_t v, tmp;

	__asm__ volatile(
		"1:	ldaxr	%w0, %2\n"
		/* Free (owner == next) or give up. */
		"	eor	%w1, %w0, %w0, ror #16\n"
		"	cbnz	%w1, 2f\n"
		"	add	%w0, %w0, %3\n"
		"	stxr	%w1, %w0, %2\n"
		"	cbnz	%w1, 1b\n"
		"2:\n"
		: "=&r"(v), "=&r"(tmp), "+Q"(l->word)
		: "I"(TICKET)
		: "memory");
	return tmp == 0;
}

void spin_unlock(spinlock_t *l)
{
	/* Only the holder writes the owner half. A store-release of the
	 * halfword: a concurrent ticket's STXR on the word then fails and
	 * retries, and the store wakes the waiters' WFE. */
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

bool spin_trylock_for(spinlock_t *l, unsigned usecs)
{
	uint64_t t0 = timer_now(), ticks = timer_freq() * usecs / 1000000;

	while (!spin_trylock(l)) {
		if (timer_now() - t0 > ticks)
			return false;
		/* No WFE: the wait must end even if the lock never changes.
		 * YIELD lets QEMU run the other vCPUs (the holder). Plain
		 * loads in between, until the lock looks free: reading the
		 * counter and yielding leave QEMU's translated code, and
		 * under icount that costs far more than the loads. */
		__asm__ volatile("yield" ::: "memory");
		for (unsigned i = 0; i < 256 && spin_is_locked(l); i++)
			__asm__ volatile("" ::: "memory");
	}
	return true;
}
