/* Ticket spinlocks and the panic path, on the fake arch (host threads
 * stand for CPUs; the fake lock is the arm64 one's algorithm in GCC
 * atomics).
 * Fair locks: a partition whose vCPUs hammer a lock shared with another
 * partition (the network switch's, a device's) cannot starve the other
 * partition's CPU of it.
 * proves: PLATFORM-5
 * The panic tests prove no listed requirement: a panic taken with the
 * console lock held, by this CPU or by one that never lets go, still
 * prints its line and halts; a second panic does not re-enter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "arch_fake.h"
#include <hv/console.h>
#include <hv/log.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint16_t next_ticket(spinlock_t *l)
{
	return (uint16_t)(__atomic_load_n(&l->word, __ATOMIC_ACQUIRE) >> 16);
}

/* ---- the lock ---- */

static spinlock_t zeroed; /* static storage: all zero */

static void test_zero_initialised_is_unlocked(void **state)
{
	spinlock_t on_stack = { 0 }, cleared;

	(void)state;
	memset(&cleared, 0, sizeof(cleared));
	spinlock_t *locks[] = { &zeroed, &on_stack, &cleared };
	for (unsigned i = 0; i < 3; i++) {
		spinlock_t *l = locks[i];
		assert_false(spin_is_locked(l));
		assert_true(spin_trylock(l));
		assert_true(spin_is_locked(l));
		assert_false(spin_trylock(l)); /* held: refused, never waits */
		assert_false(spin_trylock_for(l, 1000));
		spin_unlock(l);
		assert_false(spin_is_locked(l));
		spin_lock(l); /* free: taken at once */
		assert_true(spin_is_locked(l));
		spin_unlock(l);
		assert_false(spin_is_locked(l));
	}
}

/* Both 16-bit halves wrap: 70000 rounds leave a working, free lock. */
static void test_tickets_wrap(void **state)
{
	spinlock_t l = { 0 };

	(void)state;
	for (unsigned i = 0; i < 70000; i++) {
		if (i & 1) {
			assert_true(spin_trylock(&l));
		} else {
			spin_lock(&l);
		}
		assert_true(spin_is_locked(&l));
		spin_unlock(&l);
	}
	assert_false(spin_is_locked(&l));
	assert_int_equal(l.owner, 70000 & 0xffff);
	assert_int_equal(l.next, 70000 & 0xffff);
	assert_true(spin_trylock(&l));
	assert_false(spin_trylock(&l));
	spin_unlock(&l);
}

#define NWAITERS 6
static spinlock_t fifo_lock;
static unsigned fifo_order[NWAITERS], fifo_n;

static void *fifo_waiter(void *arg)
{
	spin_lock(&fifo_lock);
	fifo_order[fifo_n++] = (unsigned)(uintptr_t)arg;
	spin_unlock(&fifo_lock);
	return NULL;
}

/* Waiters get the lock in the order they asked for it: each one is started
 * only once the previous one is queued (has its ticket). */
static void test_fifo_order(void **state)
{
	pthread_t t[NWAITERS];

	(void)state;
	for (unsigned round = 0; round < 20; round++) {
		fifo_n = 0;
		spin_lock(&fifo_lock);
		uint16_t base = next_ticket(&fifo_lock);
		for (unsigned i = 0; i < NWAITERS; i++) {
			/* Start them in an order unrelated to their ids. */
			unsigned id = (i * 5 + round) % NWAITERS;
			assert_int_equal(pthread_create(&t[id], NULL, fifo_waiter, (void *)(uintptr_t)id), 0);
			double t0 = now();
			while (next_ticket(&fifo_lock) != (uint16_t)(base + i + 1)) {
				if (now() - t0 > 5)
					fail_msg("waiter %u never queued for the lock", id);
				sched_yield();
			}
		}
		assert_int_equal(fifo_n, 0); /* all wait while it is held */
		spin_unlock(&fifo_lock);
		for (unsigned i = 0; i < NWAITERS; i++)
			assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(fifo_n, NWAITERS);
		for (unsigned i = 0; i < NWAITERS; i++)
			assert_int_equal(fifo_order[i], (i * 5 + round) % NWAITERS);
		assert_false(spin_is_locked(&fifo_lock));
	}
}

#define NTHREADS 4
#define ROUNDS 5000
static spinlock_t count_lock;
static volatile unsigned long counter; /* updated non-atomically */
static volatile int inside;
static volatile int overlap;

static void *counter_thread(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < ROUNDS; i++) {
		spin_lock(&count_lock);
		if (inside++)
			overlap = 1;
		unsigned long c = counter;
		if (i % 64 == 0)
			sched_yield(); /* let the others pile up behind */
		counter = c + 1;
		inside--;
		spin_unlock(&count_lock);
	}
	return NULL;
}

/* Mutual exclusion under contention from more threads than host cores. */
static void test_mutual_exclusion(void **state)
{
	pthread_t t[NTHREADS];

	(void)state;
	for (unsigned i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, counter_thread, NULL), 0);
	for (unsigned i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(overlap, 0);
	assert_int_equal(counter, (unsigned long)NTHREADS * ROUNDS);
	assert_false(spin_is_locked(&count_lock));
}

/* ---- the panic path ---- */

static jmp_buf halt_jb;

static int panic_setup(void **state)
{
	(void)state;
	hv_panicking = 0;
	fake_cpu = 0;
	fake_trylock_for_calls = 0;
	fake_console_write_hook = NULL;
	fake_console_reset();
	fake_halt_jmp = &halt_jb;
	return 0;
}

static int panic_teardown(void **state)
{
	(void)state;
	fake_halt_jmp = NULL;
	fake_console_write_hook = NULL;
	fake_cpu = 0;
	hv_panicking = 0;
	assert_false(spin_is_locked(&console_lock)); /* each test leaves it free */
	return 0;
}

/* The lock is free: the panic line goes out under it, as a log line does,
 * and the lock is free again afterwards. */
static void test_panic_console_free(void **state)
{
	char want[128];
	volatile int line = 0;

	(void)state;
	fake_cpu = 3;
	if (setjmp(halt_jb) == 0) {
		line = __LINE__ + 1;
		PANIC("free %d", 1);
	}
	snprintf(want, sizeof(want), "bulkhead: PANIC at %s:%d on CPU 3: free 1\n", __FILE__, line);
	assert_string_equal(fake_console, want);
	assert_int_equal(hv_panicking, 3 + 1);
	assert_int_equal(fake_trylock_for_calls, 1);
}

/* This CPU holds console_lock when it panics (a CHECK in code that holds
 * it): the panic waits a bounded time, then prints past the lock. */
static void test_panic_console_held_here(void **state)
{
	char want[128];
	volatile int line = 0;
	double t0;

	(void)state;
	spin_lock(&console_lock);
	t0 = now();
	if (setjmp(halt_jb) == 0) {
		line = __LINE__ + 1;
		CHECK(1 + 1 == 3);
	}
	assert_true(now() - t0 < 5); /* bounded (CONSOLE_PANIC_WAIT_US) */
	snprintf(want, sizeof(want), "\nbulkhead: PANIC at %s:%d on CPU 0: CHECK(1 + 1 == 3) failed\n",
		 __FILE__, line);
	assert_string_equal(fake_console, want);
	assert_true(spin_is_locked(&console_lock)); /* not taken over */
	spin_unlock(&console_lock);
}

/* A fault inside the UART write while a log line holds console_lock: the
 * nested panic on the same CPU still prints. */
static void uart_faults(void)
{
	fake_console_write_hook = NULL;
	PANIC("UART fault");
}

static void test_panic_inside_console_write(void **state)
{
	(void)state;
	fake_console_write_hook = uart_faults;
	if (setjmp(halt_jb) == 0) {
		INFO("a log line");
		fail_msg("the faulting log line returned");
	}
	assert_non_null(strstr(fake_console, "on CPU 0: UART fault\n"));
	assert_null(strstr(fake_console, "a log line"));
	assert_true(spin_is_locked(&console_lock)); /* the dead log line's */
	spin_unlock(&console_lock);
}

static spinlock_t gate;
static volatile int holder_in;

static void *stuck_cpu(void *arg)
{
	(void)arg;
	spin_lock(&console_lock);
	holder_in = 1;
	spin_lock(&gate); /* "never" returns: the test holds the gate */
	spin_unlock(&gate);
	spin_unlock(&console_lock);
	return NULL;
}

/* Another CPU holds console_lock and never lets go. */
static void test_panic_console_held_by_stuck_cpu(void **state)
{
	pthread_t t;
	double t0;

	(void)state;
	holder_in = 0;
	spin_lock(&gate);
	assert_int_equal(pthread_create(&t, NULL, stuck_cpu, NULL), 0);
	t0 = now();
	while (!holder_in) {
		assert_true(now() - t0 < 5);
		sched_yield();
	}
	fake_cpu = 1;
	if (setjmp(halt_jb) == 0)
		PANIC("stuck %s", "console");
	assert_non_null(strstr(fake_console, "\nbulkhead: PANIC at "));
	assert_non_null(strstr(fake_console, "on CPU 1: stuck console\n"));
	spin_unlock(&gate);
	assert_int_equal(pthread_join(t, NULL), 0);
}

/* A panic on another CPU while the first one's is out: that CPU halts
 * and prints nothing, and does not touch the lock. */
static void test_second_cpu_panic_halts_silently(void **state)
{
	(void)state;
	fake_cpu = 0;
	if (setjmp(halt_jb) == 0)
		PANIC("first");
	assert_non_null(strstr(fake_console, "on CPU 0: first\n"));
	fake_console_reset();
	fake_cpu = 5;
	if (setjmp(halt_jb) == 0)
		PANIC("second");
	assert_string_equal(fake_console, "");
	assert_int_equal(fake_trylock_for_calls, 1);
	assert_int_equal(hv_panicking, 0 + 1);
}

/* The panic's own output faults: the nested panic on the same CPU does not
 * format or wait for the lock again (which the outer panic holds), it
 * prints a fixed line and halts. */
static void test_recursive_panic(void **state)
{
	(void)state;
	fake_cpu = 2;
	fake_console_write_hook = uart_faults;
	if (setjmp(halt_jb) == 0)
		PANIC("outer");
	assert_string_equal(fake_console, "\nbulkhead: PANIC while printing a panic\n");
	assert_int_equal(fake_trylock_for_calls, 1);
	assert_int_equal(hv_panicking, 2 + 1);
	assert_true(spin_is_locked(&console_lock)); /* the outer panic's */
	spin_unlock(&console_lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_initialised_is_unlocked),
		cmocka_unit_test(test_tickets_wrap),
		cmocka_unit_test(test_fifo_order),
		cmocka_unit_test(test_mutual_exclusion),
		cmocka_unit_test_setup_teardown(test_panic_console_free, panic_setup, panic_teardown),
		cmocka_unit_test_setup_teardown(test_panic_console_held_here, panic_setup, panic_teardown),
		cmocka_unit_test_setup_teardown(test_panic_inside_console_write, panic_setup, panic_teardown),
		cmocka_unit_test_setup_teardown(test_panic_console_held_by_stuck_cpu, panic_setup,
						panic_teardown),
		cmocka_unit_test_setup_teardown(test_second_cpu_panic_halts_silently, panic_setup,
						panic_teardown),
		cmocka_unit_test_setup_teardown(test_recursive_panic, panic_setup, panic_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
