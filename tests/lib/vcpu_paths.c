/* A QEMU TCG plugin (host side of tests/lib/bench.sh): the instructions one
 * vCPU of QEMU's machine (one physical CPU of the hypervisor) executes on a
 * path, counted for that CPU alone.
 *
 * Why: under -icount QEMU runs the CPUs in turn on one thread and the
 * virtual counter counts every CPU's instructions, so a guest that times
 * a path with its counter while other partitions run measures their work
 * too. This plugin counts each CPU's own instructions and reports, per
 * CPU, the instructions between marker events:
 *
 *   - exception entries to EL2: the first instruction of an entry of the
 *     hypervisor's vector table (argument vectors=, the address of its
 *     hv_vectors symbol: VBAR_EL2), offsets 0x400..0x7ff (from a lower
 *     EL) and 0x000..0x3ff (from EL2 itself);
 *   - marker instructions a guest executes: HINT #112..#127, which the
 *     architecture leaves unallocated (they execute as NOPs, on QEMU and
 *     on hardware):
 *       HINT #112+k (k = 0..7)  phase k: the samples that follow are
 *                               filed under it (0: no phase); a sample
 *                               begun before it is dropped
 *       HINT #120               mark begin
 *       HINT #121               mark end: a "mark" sample, the
 *                               instructions after the begin and before
 *                               the end (hint #120; ldr; hint #121 gives
 *                               the load and everything its trap ran)
 *       HINT #122               handler: an "irq" sample, from the first
 *                               instruction of the first IRQ entry to EL2
 *                               from a lower EL (offset 0x480) since the
 *                               last handler or wait marker, to this
 *                               marker (the guest's IRQ handler's first
 *                               instruction)
 *       HINT #123               wait: the guest waits for an interrupt
 *                               (in its wait loop): an IRQ entry before
 *                               this was not the one it waits for
 *   - WFE instructions (at any EL): counted. QEMU ends a CPU's turn at
 *     every WFE; in the hypervisor only a contended spin_lock runs one.
 *
 * It needs no register access (QEMU 7.2's plugin API has none): events
 * are keyed on instruction addresses and encodings, and the counts on
 * which CPU runs. Each instruction gets an inline add to one counter (in
 * QEMU 7.2 the event callback of an instruction runs before its inline
 * add, so at an event the counter holds the instructions before it); each
 * translated block's start gets a callback that charges what ran since
 * the last switch to the CPU that ran it. That needs QEMU's single-threaded
 * round-robin TCG, which -icount imposes (it refuses multi-threaded TCG);
 * callbacks seen running concurrently are reported as an error.
 * An instruction QEMU re-executes after an I/O recompile is counted once
 * (QEMU runs it again in a block that is instrumented for memory only).
 *
 * Arguments: vectors=ADDR (hex or decimal), out=FILE (the report; stderr
 * without it). The report, written when QEMU exits, one line each:
 *   vcpu-paths: vcpu V insns N el2-entries lower-sync S lower-irq I lower-other O el2 E wfe F
 *   vcpu-paths: vcpu V phase P path mark|irq n N min A avg B max C multi M unmatched U
 *     (multi: samples that saw more than the one EL2 entry of their path;
 *      unmatched: ends without a begin)
 *   vcpu-paths: vcpu V phase P cpu W insns N el2-entries E wfe F
 *     (what CPU W did while CPU V was in phase P: interference evidence)
 *   vcpu-paths: error ...
 * Built by the Makefile (target plugin) against the qemu-plugin.h of
 * Debian's QEMU source package (tools/qemu-plugin-api.sh). */
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define HINT(imm) (0xd503201fu | ((uint32_t)(imm) << 5))
#define MARK_PHASE0 112u
#define NPHASES 8u
#define MARK_BEGIN 120u
#define MARK_END 121u
#define MARK_HANDLER 122u
#define MARK_WAIT 123u

/* Event kinds, the udata of an instruction's callback. */
enum {
	EV_LOWER_SYNC, /* EL2 entries, by vector offset / 0x80 - 8 */
	EV_LOWER_IRQ,
	EV_LOWER_FIQ,
	EV_LOWER_SERROR,
	EV_EL2, /* an entry taken at EL2 itself */
	EV_BEGIN,
	EV_END,
	EV_HANDLER,
	EV_WAIT,
	EV_WFE,
	EV_PHASE, /* + k */
};
enum { ENT_LOWER_SYNC, ENT_LOWER_IRQ, ENT_LOWER_OTHER, ENT_EL2, NENT };
enum { PATH_MARK, PATH_IRQ, NPATHS };

struct stat {
	uint64_t n, min, max, sum, multi, unmatched;
};

struct vcpu {
	uint64_t insns; /* charged so far (see count()) */
	uint64_t ent[NENT];
	uint64_t ent_total, wfe;
	unsigned phase;
	bool begun, irq_seen;
	uint64_t begin_at, begin_ent, irq_at, irq_ent;
	struct stat st[NPHASES][NPATHS];
	/* Every CPU's instructions and EL2 entries at this CPU's phase start,
	 * and what they added up to in each phase. */
	uint64_t *snap_insns, *snap_ent, *snap_wfe;
	uint64_t (*act_insns)[NPHASES], (*act_ent)[NPHASES], (*act_wfe)[NPHASES];
};

static uint64_t vectors;
static bool have_vectors;
static char *out_path;
static unsigned ncpus;
static struct vcpu *cpus;
static uint64_t executed; /* every CPU's instructions: the inline adds */
static uint64_t charged;  /* executed when `current` last took over */
static unsigned current;
static int busy;
static bool concurrent, bad_vcpu;

static void charge(void)
{
	cpus[current].insns += executed - charged;
	charged = executed;
}

/* Instructions CPU v executed before the instruction being called back. */
static uint64_t count(unsigned v)
{
	return cpus[v].insns + (v == current ? executed - charged : 0);
}

static void enter(void)
{
	if (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE))
		concurrent = true;
}

static void leave(void)
{
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
}

static void tb_start(unsigned int vcpu, void *udata)
{
	(void)udata;
	if (vcpu >= ncpus) {
		bad_vcpu = true;
		return;
	}
	enter();
	if (vcpu != current) {
		charge();
		current = vcpu;
	}
	leave();
}

static void add_sample(struct stat *s, uint64_t d, bool multi)
{
	if (s->n == 0 || d < s->min)
		s->min = d;
	if (d > s->max)
		s->max = d;
	s->n++;
	s->sum += d;
	s->multi += multi;
}

static void set_phase(unsigned v, unsigned k)
{
	struct vcpu *c = &cpus[v];

	for (unsigned w = 0; w < ncpus; w++) {
		c->act_insns[w][c->phase] += count(w) - c->snap_insns[w];
		c->act_ent[w][c->phase] += cpus[w].ent_total - c->snap_ent[w];
		c->act_wfe[w][c->phase] += cpus[w].wfe - c->snap_wfe[w];
		c->snap_insns[w] = count(w);
		c->snap_ent[w] = cpus[w].ent_total;
		c->snap_wfe[w] = cpus[w].wfe;
	}
	c->phase = k;
	c->begun = c->irq_seen = false; /* no sample spans phases */
}

static void event(unsigned int vcpu, void *udata)
{
	unsigned ev = (unsigned)(uintptr_t)udata;
	struct vcpu *c;
	uint64_t now;

	if (vcpu >= ncpus) {
		bad_vcpu = true;
		return;
	}
	enter();
	if (vcpu != current) { /* cannot happen after tb_start; be safe */
		charge();
		current = vcpu;
	}
	c = &cpus[vcpu];
	now = count(vcpu);
	switch (ev) {
	case EV_LOWER_SYNC:
	case EV_LOWER_IRQ:
	case EV_LOWER_FIQ:
	case EV_LOWER_SERROR:
	case EV_EL2:
		c->ent[ev == EV_LOWER_SYNC  ? ENT_LOWER_SYNC
		       : ev == EV_LOWER_IRQ ? ENT_LOWER_IRQ
		       : ev == EV_EL2       ? ENT_EL2
					    : ENT_LOWER_OTHER]++;
		c->ent_total++;
		if (ev == EV_LOWER_IRQ && !c->irq_seen) {
			c->irq_seen = true;
			c->irq_at = now;
			c->irq_ent = c->ent_total;
		}
		break;
	case EV_BEGIN:
		c->begun = true;
		c->begin_at = now;
		c->begin_ent = c->ent_total;
		break;
	case EV_END:
		if (c->begun)
			add_sample(&c->st[c->phase][PATH_MARK], now - c->begin_at - 1,
				   c->ent_total - c->begin_ent > 1);
		else
			c->st[c->phase][PATH_MARK].unmatched++;
		c->begun = false;
		break;
	case EV_HANDLER:
		if (c->irq_seen)
			add_sample(&c->st[c->phase][PATH_IRQ], now - c->irq_at,
				   c->ent_total != c->irq_ent);
		else
			c->st[c->phase][PATH_IRQ].unmatched++;
		c->irq_seen = false;
		break;
	case EV_WAIT:
		c->irq_seen = false;
		break;
	case EV_WFE:
		c->wfe++;
		break;
	default:
		set_phase(vcpu, ev - EV_PHASE);
		break;
	}
	leave();
}

/* The event an instruction at addr with encoding insn raises, or -1. */
static int event_of(uint64_t addr, uint32_t insn)
{
	if (have_vectors && addr >= vectors && addr < vectors + 0x800 && (addr & 0x7f) == 0)
		return addr >= vectors + 0x400 ? (int)(EV_LOWER_SYNC + ((addr - vectors) >> 7) % 4)
					       : EV_EL2;
	if ((insn & ~(0x7fu << 5)) != HINT(0))
		return -1;
	switch ((insn >> 5) & 0x7f) {
	case 2: /* WFE */
		return EV_WFE;
	case MARK_BEGIN:
		return EV_BEGIN;
	case MARK_END:
		return EV_END;
	case MARK_HANDLER:
		return EV_HANDLER;
	case MARK_WAIT:
		return EV_WAIT;
	default:
		if (((insn >> 5) & 0x7f) - MARK_PHASE0 < NPHASES)
			return (int)(EV_PHASE + ((insn >> 5) & 0x7f) - MARK_PHASE0);
		return -1;
	}
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_start, QEMU_PLUGIN_CB_NO_REGS, NULL);
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint32_t word = 0;
		int ev;

		if (qemu_plugin_insn_size(insn) == 4)
			memcpy(&word, qemu_plugin_insn_data(insn), 4); /* host is little endian */
		ev = event_of(qemu_plugin_insn_vaddr(insn), word);
		if (ev >= 0)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, event, QEMU_PLUGIN_CB_NO_REGS,
							       (void *)(uintptr_t)ev);
		qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &executed, 1);
	}
}

static void report(qemu_plugin_id_t id, void *p)
{
	FILE *f = out_path ? fopen(out_path, "w") : stderr;

	(void)id;
	(void)p;
	if (!f) {
		fprintf(stderr, "vcpu-paths: cannot write %s\n", out_path);
		f = stderr;
	}
	charge();
	for (unsigned v = 0; v < ncpus; v++)
		set_phase(v, cpus[v].phase); /* close the open phase */
	if (concurrent)
		fprintf(f, "vcpu-paths: error: callbacks ran concurrently (run QEMU with -icount)\n");
	if (bad_vcpu)
		fprintf(f, "vcpu-paths: error: a vCPU index beyond the machine's\n");
	if (!have_vectors)
		fprintf(f, "vcpu-paths: error: no vectors= argument: no EL2 entries seen\n");
	for (unsigned v = 0; v < ncpus; v++) {
		struct vcpu *c = &cpus[v];

		fprintf(f,
			"vcpu-paths: vcpu %u insns %" PRIu64 " el2-entries lower-sync %" PRIu64
			" lower-irq %" PRIu64 " lower-other %" PRIu64 " el2 %" PRIu64 " wfe %" PRIu64 "\n",
			v, c->insns, c->ent[ENT_LOWER_SYNC], c->ent[ENT_LOWER_IRQ], c->ent[ENT_LOWER_OTHER],
			c->ent[ENT_EL2], c->wfe);
		for (unsigned k = 0; k < NPHASES; k++) {
			bool any = false;

			for (unsigned p = 0; p < NPATHS; p++) {
				struct stat *s = &c->st[k][p];

				if (!s->n && !s->unmatched)
					continue;
				any = true;
				fprintf(f,
					"vcpu-paths: vcpu %u phase %u path %s n %" PRIu64 " min %" PRIu64
					" avg %.1f max %" PRIu64 " multi %" PRIu64 " unmatched %" PRIu64 "\n",
					v, k, p == PATH_MARK ? "mark" : "irq", s->n, s->min,
					s->n ? (double)s->sum / (double)s->n : 0.0, s->max, s->multi, s->unmatched);
			}
			if (!any || k == 0)
				continue;
			for (unsigned w = 0; w < ncpus; w++)
				fprintf(f,
					"vcpu-paths: vcpu %u phase %u cpu %u insns %" PRIu64
					" el2-entries %" PRIu64 " wfe %" PRIu64 "\n",
					v, k, w, c->act_insns[w][k], c->act_ent[w][k], c->act_wfe[w][k]);
		}
	}
	if (f != stderr)
		fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
					   char **argv)
{
	if (!info->system_emulation) {
		fprintf(stderr, "vcpu-paths: system emulation only\n");
		return -1;
	}
	for (int i = 0; i < argc; i++) {
		char *end;

		if (g_str_has_prefix(argv[i], "vectors=")) {
			vectors = g_ascii_strtoull(argv[i] + 8, &end, 0);
			if (*end || end == argv[i] + 8 || (vectors & 0x7ff)) {
				fprintf(stderr, "vcpu-paths: bad %s (a 2 KiB aligned address)\n", argv[i]);
				return -1;
			}
			have_vectors = true;
		} else if (g_str_has_prefix(argv[i], "out=")) {
			out_path = g_strdup(argv[i] + 4);
		} else {
			fprintf(stderr, "vcpu-paths: unknown argument %s\n", argv[i]);
			return -1;
		}
	}
	ncpus = (unsigned)(info->system.max_vcpus > 0 ? info->system.max_vcpus : 1);
	cpus = g_new0(struct vcpu, ncpus);
	for (unsigned v = 0; v < ncpus; v++) {
		cpus[v].snap_insns = g_new0(uint64_t, ncpus);
		cpus[v].snap_ent = g_new0(uint64_t, ncpus);
		cpus[v].snap_wfe = g_new0(uint64_t, ncpus);
		cpus[v].act_insns = g_malloc0(sizeof(uint64_t[NPHASES]) * ncpus);
		cpus[v].act_ent = g_malloc0(sizeof(uint64_t[NPHASES]) * ncpus);
		cpus[v].act_wfe = g_malloc0(sizeof(uint64_t[NPHASES]) * ncpus);
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, report, NULL);
	return 0;
}
