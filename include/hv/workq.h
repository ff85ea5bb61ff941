/* Per-CPU work queues: hypervisor work that must run on a chosen physical
 * CPU (a completion for the partition that owns that CPU, an injection
 * into the vCPU running there) is posted to that CPU's bounded ring and
 * the CPU is signalled (arch_workq_signal(): the work SGI). The target
 * runs its items in posting order from its SGI handler at EL2, or from
 * its idle loop, through workq_run_local().
 *
 * Each ring holds WORKQ_SIZE items and is multi-producer, single-consumer
 * (only its own CPU drains it). Posting never blocks, never allocates and
 * takes no lock: a full ring refuses the item and the poster decides (run
 * it in place, drop it, or retry later). */
#ifndef HV_WORKQ_H
#define HV_WORKQ_H

#include <hv/types.h>

#define WORKQ_SIZE 32 /* items per CPU; a power of two */

typedef void (*work_fn)(void *arg);

/* Queue fn(arg) on physical CPU pcpu (the calling CPU included: it then
 * runs at that CPU's next drain) and signal that CPU. 0: queued; -1: the
 * ring is full, pcpu does not exist or fn is NULL (nothing queued, nothing
 * signalled). Callable with any lock held, from any CPU. */
int workq_post(unsigned pcpu, work_fn fn, void *arg);

/* Run, in posting order, the items queued on the calling CPU before this
 * call; items posted meanwhile wait for the next drain (their post
 * signalled it). Call with no hypervisor lock held: an item may take any
 * lock and may post again. Returns the number of items run. */
unsigned workq_run_local(void);

#endif
