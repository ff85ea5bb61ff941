/* Per-CPU work queues (include/hv/workq.h).
 *
 * Lock order: the work queues take no lock. workq_post() may be called
 * with any lock held; workq_run_local() must be called with none, and runs
 * each item with no work queue state held, so an item may take any lock
 * and may post again (to any CPU, its own included).
 *
 * Each CPU's ring is D. Vyukov's bounded queue: every cell carries a
 * sequence number. Cell i (= pos % WORKQ_SIZE) is free for the poster of
 * position pos when its sequence is pos, holds that position's item when
 * it is pos + 1, and is free for the next lap (pos + WORKQ_SIZE) once the
 * owning CPU has taken the item. Posters claim a position with a
 * compare-and-swap on tail, write the item, then publish the sequence;
 * only the owning CPU moves head. A cell still holding the previous lap's
 * item means WORKQ_SIZE items are waiting: the ring is full and the post
 * is refused. Sequences are stored minus the cell's index, so the zeroed
 * rings need no initialisation; positions wrap at 2^32 and are compared
 * by signed difference. */
#include <generated/autoconf.h>
#include <hv/arch.h>
#include <hv/workq.h>

_Static_assert(WORKQ_SIZE >= 2 && (WORKQ_SIZE & (WORKQ_SIZE - 1)) == 0,
	       "WORKQ_SIZE must be a power of two");

struct wq_cell {
	uint32_t seq; /* the cell's sequence minus its index */
	work_fn fn;
	void *arg;
};

struct workq {
	uint32_t tail __attribute__((aligned(64))); /* next position to claim: posters */
	uint32_t head __attribute__((aligned(64))); /* next position to run: owner only */
	struct wq_cell cell[WORKQ_SIZE];
};

static struct workq queues[CONFIG_MAX_CPUS];

static uint32_t cell_seq(const struct wq_cell *c, unsigned i)
{
	return __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE) + i;
}

static void cell_publish(struct wq_cell *c, unsigned i, uint32_t seq)
{
	__atomic_store_n(&c->seq, seq - i, __ATOMIC_RELEASE);
}

int workq_post(unsigned pcpu, work_fn fn, void *arg)
{
	struct workq *q;
	uint32_t pos;
	unsigned i;

	if (pcpu >= CONFIG_MAX_CPUS || !fn)
		return -1;
	q = &queues[pcpu];
	pos = __atomic_load_n(&q->tail, __ATOMIC_RELAXED);
	for (;;) {
		int32_t d;

		i = pos & (WORKQ_SIZE - 1);
		d = (int32_t)(cell_seq(&q->cell[i], i) - pos);
		if (d < 0)
			return -1; /* the previous lap's item is still there: full */
		if (d > 0) /* another poster took pos: try the newest tail */
			pos = __atomic_load_n(&q->tail, __ATOMIC_RELAXED);
		else if (__atomic_compare_exchange_n(&q->tail, &pos, pos + 1, true, __ATOMIC_RELAXED,
						     __ATOMIC_RELAXED))
			break;
		/* A failed compare-and-swap left the newest tail in pos. Every
		 * retry follows another poster's success: no waiting here. */
	}
	q->cell[i].fn = fn;
	q->cell[i].arg = arg;
	cell_publish(&q->cell[i], i, pos + 1); /* after fn and arg */
	arch_workq_signal(pcpu);
	return 0;
}

unsigned workq_run_local(void)
{
	struct workq *q = &queues[arch_cpu_id()];
	uint32_t end = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
	unsigned n = 0;

	/* Signed: an item that drains (a nested call) may move head past end. */
	while ((int32_t)(end - q->head) > 0) {
		uint32_t pos = q->head;
		unsigned i = pos & (WORKQ_SIZE - 1);
		work_fn fn;
		void *arg;

		if (cell_seq(&q->cell[i], i) != pos + 1)
			break; /* claimed, not yet written: its poster signals again */
		fn = q->cell[i].fn;
		arg = q->cell[i].arg;
		q->head = pos + 1;
		cell_publish(&q->cell[i], i, pos + WORKQ_SIZE); /* free for the next lap */
		fn(arg);
		n++;
	}
	return n;
}
