/* The per-CPU work queues (core/workq.c) on the fake arch: each thread
 * plays a physical CPU (fake_cpu), arch_workq_signal() records which CPUs
 * were signalled, and a test drains a CPU's queue by calling
 * workq_run_local() as that CPU.
 * proves: PLATFORM-3 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arch_fake.h"
#include <hv/workq.h>

#define LOG_MAX 256
static unsigned ran[LOG_MAX], ran_cpu[LOG_MAX], nran;

static void record(void *arg)
{
	assert_true(nran < LOG_MAX);
	ran[nran] = (unsigned)(uintptr_t)arg;
	ran_cpu[nran++] = arch_cpu_id();
}

/* Every test starts with every CPU's queue empty. */
static int setup(void **state)
{
	(void)state;
	for (unsigned cpu = 0; cpu < CONFIG_MAX_CPUS; cpu++) {
		fake_cpu = cpu;
		while (workq_run_local())
			;
	}
	fake_cpu = 0;
	fake_work_signalled = 0;
	nran = 0;
	return 0;
}

/* Items run in the order they were posted, across many laps of the
 * ring; each post signals its target, the calling CPU included. */
static void test_posting_order(void **state)
{
	unsigned next = 0;
	(void)state;

	for (unsigned round = 0; round < 7; round++) {
		unsigned n = 5 + round * 4; /* 5..29: the ring's cells wrap unevenly */
		nran = 0;
		fake_work_signalled = 0;
		for (unsigned i = 0; i < n; i++)
			assert_int_equal(workq_post(0, record, (void *)(uintptr_t)(next + i)), 0);
		assert_int_equal(fake_work_signalled, 1);
		assert_int_equal(nran, 0); /* nothing runs at post time */
		assert_int_equal(workq_run_local(), n);
		assert_int_equal(nran, n);
		for (unsigned i = 0; i < n; i++)
			assert_int_equal(ran[i], next + i);
		next += n;
		assert_int_equal(workq_run_local(), 0);
	}
}

static void post_again(void *arg)
{
	record(arg);
	assert_int_equal(workq_post(arch_cpu_id(), record, (void *)(uintptr_t)((uintptr_t)arg + 100)), 0);
}

/* An item posted to the own CPU by a running item waits for the next
 * drain (its post signalled it), behind what was already queued. */
static void test_own_cpu_post_runs_next_drain(void **state)
{
	(void)state;
	fake_cpu = 3;
	assert_int_equal(workq_post(3, post_again, (void *)1), 0);
	assert_int_equal(workq_post(3, record, (void *)2), 0);
	fake_work_signalled = 0;
	assert_int_equal(workq_run_local(), 2);
	assert_int_equal(nran, 2);
	assert_int_equal(ran[0], 1);
	assert_int_equal(ran[1], 2);
	assert_int_equal(fake_work_signalled, 1u << 3);
	assert_int_equal(workq_run_local(), 1);
	assert_int_equal(ran[2], 101);
	assert_int_equal(workq_run_local(), 0);
}

/* A full ring refuses the item at once: nothing queued, nothing
 * signalled, nothing overwritten; a drain makes room again. So do a CPU
 * that does not exist and a missing function. */
static void test_full_ring_refused(void **state)
{
	(void)state;
	for (unsigned i = 0; i < WORKQ_SIZE; i++)
		assert_int_equal(workq_post(1, record, (void *)(uintptr_t)i), 0);
	fake_work_signalled = 0;
	assert_int_equal(workq_post(1, record, (void *)999), -1);
	assert_int_equal(workq_post(1, record, (void *)998), -1);
	assert_int_equal(fake_work_signalled, 0);
	assert_int_equal(workq_post(CONFIG_MAX_CPUS, record, NULL), -1);
	assert_int_equal(workq_post(0, NULL, NULL), -1);
	assert_int_equal(fake_work_signalled, 0);

	fake_cpu = 1;
	assert_int_equal(workq_run_local(), WORKQ_SIZE);
	for (unsigned i = 0; i < WORKQ_SIZE; i++)
		assert_int_equal(ran[i], i);
	assert_int_equal(workq_post(1, record, (void *)7), 0);
	assert_int_equal(workq_run_local(), 1);
	assert_int_equal(ran[WORKQ_SIZE], 7);
	fake_cpu = 0;
	assert_int_equal(workq_run_local(), 0); /* CPU 0 never had any */
}

/* Work posted to another CPU runs only when that CPU drains, and on it:
 * the poster's own drain and a third CPU's find nothing. */
static void test_other_cpu_runs_only_on_its_drain(void **state)
{
	(void)state;
	fake_cpu = 0;
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(workq_post(2, record, (void *)(uintptr_t)(10 + i)), 0);
	assert_int_equal(fake_work_signalled, 1u << 2);
	assert_int_equal(workq_run_local(), 0);
	fake_cpu = 1;
	assert_int_equal(workq_run_local(), 0);
	assert_int_equal(nran, 0);
	fake_cpu = 2;
	assert_int_equal(workq_run_local(), 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(ran[i], 10 + i);
		assert_int_equal(ran_cpu[i], 2);
	}
}

/* ---- concurrent posters ---- */
#define POSTERS 4
#define TARGETS 2
#define PER_POSTER 1000000 /* items each poster sends, alternating targets */

static unsigned long got[TARGETS][POSTERS], last[TARGETS][POSTERS], misrouted, misordered;
static unsigned long refused;
static bool gave_up; /* a consumer waited too long: items were lost */
static pthread_barrier_t start_line;

/* A broken queue can also hang its posters (a tail moved backwards) or
 * its consumers: fail rather than wait for ever. */
static void watchdog(int sig)
{
	static const char msg[] = "test_concurrent_posters_lose_nothing: stuck for 60 s: FAILED\n";
	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* arg: poster << 32 | its sequence number; the target is seq % TARGETS.
 * Each target CPU's consumer is the only writer of its row. */
static void count(void *arg)
{
	uintptr_t a = (uintptr_t)arg;
	unsigned poster = (unsigned)(a >> 32);
	unsigned long seq = (unsigned long)(a & 0xffffffffu);
	unsigned target = arch_cpu_id();

	if (poster >= POSTERS || target >= TARGETS) { /* not an item anybody posted */
		__atomic_add_fetch(&misrouted, 1, __ATOMIC_RELAXED);
		return;
	}
	if (seq % TARGETS != target)
		__atomic_add_fetch(&misrouted, 1, __ATOMIC_RELAXED);
	if (got[target][poster] && seq <= last[target][poster])
		__atomic_add_fetch(&misordered, 1, __ATOMIC_RELAXED);
	last[target][poster] = seq;
	got[target][poster]++;
}

static void *poster(void *arg)
{
	unsigned me = (unsigned)(uintptr_t)arg;

	fake_cpu = TARGETS + me; /* posters play CPUs 2..5 */
	pthread_barrier_wait(&start_line);
	for (unsigned long seq = 1; seq <= PER_POSTER; seq++) {
		void *item = (void *)(((uintptr_t)me << 32) | seq);
		for (unsigned tries = 1; workq_post((unsigned)(seq % TARGETS), count, item); tries++) {
			__atomic_add_fetch(&refused, 1, __ATOMIC_RELAXED);
			if (__atomic_load_n(&gave_up, __ATOMIC_RELAXED))
				return NULL;
			if (tries % 64 == 0) /* spin a little: more posts collide */
				sched_yield();
		}
	}
	return NULL;
}

static void *consumer(void *arg)
{
	unsigned cpu = (unsigned)(uintptr_t)arg;
	unsigned long want = (unsigned long)POSTERS * PER_POSTER / TARGETS, have = 0;
	double last_progress = now();

	fake_cpu = cpu;
	pthread_barrier_wait(&start_line);
	while (have < want && !__atomic_load_n(&gave_up, __ATOMIC_RELAXED)) {
		unsigned n = workq_run_local();
		if (n) {
			have += n;
			last_progress = now();
		} else if (now() - last_progress > 10) {
			__atomic_store_n(&gave_up, true, __ATOMIC_RELAXED);
		} else {
			sched_yield();
		}
	}
	return NULL;
}

/* Four CPUs post to two CPUs at once, each target draining while they
 * post: every item runs exactly once, on its target, and each poster's
 * items run in the order it posted them. */
static void test_concurrent_posters_lose_nothing(void **state)
{
	pthread_t p[POSTERS], c[TARGETS];
	(void)state;

	signal(SIGALRM, watchdog);
	alarm(60);
	pthread_barrier_init(&start_line, NULL, POSTERS + TARGETS);
	for (unsigned t = 0; t < TARGETS; t++)
		assert_int_equal(pthread_create(&c[t], NULL, consumer, (void *)(uintptr_t)t), 0);
	for (unsigned i = 0; i < POSTERS; i++)
		assert_int_equal(pthread_create(&p[i], NULL, poster, (void *)(uintptr_t)i), 0);
	for (unsigned i = 0; i < POSTERS; i++)
		pthread_join(p[i], NULL);
	for (unsigned t = 0; t < TARGETS; t++)
		pthread_join(c[t], NULL);
	pthread_barrier_destroy(&start_line);
	alarm(0);

	assert_false(gave_up);
	assert_int_equal(misrouted, 0);
	assert_int_equal(misordered, 0);
	for (unsigned t = 0; t < TARGETS; t++)
		for (unsigned i = 0; i < POSTERS; i++)
			assert_int_equal(got[t][i], PER_POSTER / TARGETS);
	for (unsigned t = 0; t < TARGETS; t++) { /* nothing left over either */
		fake_cpu = t;
		assert_int_equal(workq_run_local(), 0);
	}
	print_message("%lu posts refused by a full ring and retried\n", refused);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_posting_order, setup),
		cmocka_unit_test_setup(test_own_cpu_post_runs_next_drain, setup),
		cmocka_unit_test_setup(test_full_ring_refused, setup),
		cmocka_unit_test_setup(test_other_cpu_runs_only_on_its_drain, setup),
		cmocka_unit_test_setup(test_concurrent_posters_lose_nothing, setup),
	};
	return cmocka_run_group_tests_name("workq", tests, NULL, NULL);
}
