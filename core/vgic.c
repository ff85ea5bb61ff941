/* The vGIC's core: see include/hv/vgic.h. Virtual interrupt state,
 * injection, list-register allocation, flush and sync on decoded list
 * registers, physical SPIs bound to a vGIC, and the register helpers both
 * front ends share (core/vgic_priv.h). The GICv3 front end, its register
 * tables and its SGI register, is core/vgic_v3.c. */
#include <hv/log.h>
#include <hv/vgic.h>
#include "vgic_priv.h"

_Static_assert(VGIC_NR_SPIS <= 64, "struct vgic's hw_spis has a bit per SPI");

/* Bound SPIs: physical INTID - 32 -> the vGIC it belongs to. Written at
 * boot (vgic_bind_hw_spi), read lock free by the EL2 interrupt handler. */
struct vgic *vgic_hw_spi_owners[VGIC_NR_SPIS];


struct virq *vgic_virq(struct vgic *g, unsigned vcpu, uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE)
		return vcpu < g->nvcpus ? &g->cpu[vcpu].priv[intid] : NULL;
	if (intid < VGIC_NR_IRQS)
		return &g->spi[intid - VGIC_NR_PRIVATE];
	return NULL;
}

/* Every q->pending = 1 goes through here: the flush visits only the
 * INTIDs marked (called with the lock held). */
static void set_pending(struct vgic *g, unsigned vcpu, uint32_t intid, struct virq *q)
{
	q->pending = 1;
	if (intid < VGIC_NR_PRIVATE)
		g->cpu[vcpu].maybe_pending |= 1u << intid;
	else
		g->spi_maybe_pending |= 1ULL << (intid - VGIC_NR_PRIVATE);
}

static unsigned target_of(struct vgic *g, unsigned vcpu, uint32_t intid)
{
	return intid < VGIC_NR_PRIVATE ? vcpu : g->spi[intid - VGIC_NR_PRIVATE].target;
}

/* Make the vCPU's physical CPU look at its interrupts again. */
void vgic_kick(struct vgic *g, unsigned vcpu)
{
	__atomic_store_n(&g->cpu[vcpu].dirty, 1, __ATOMIC_RELEASE);
	if (arch_vgic_local_vcpu(g) != (int)vcpu)
		arch_kick_cpu(g->pcpu[vcpu]);
}

/* SPI q takes its routing as written (lock held): a bound one's physical
 * route follows, and the new target looks at its interrupts. */
static void retarget(struct vgic *g, uint32_t intid, struct virq *q)
{
	q->target = q->next_target;
	if (q->hw && intid >= VGIC_NR_PRIVATE)
		arch_vgic_spi_route(intid, g->pcpu[q->target]);
	vgic_kick(g, q->target);
}

void vgic_set_target(struct vgic *g, uint32_t intid, struct virq *q, uint8_t t)
{
	q->next_target = t;
	if (q->lr < 0)
		retarget(g, intid, q);
	else if (q->hw) /* the physical one goes there at once; EL2 there
			 * latches it for the vCPU that still holds it */
		arch_vgic_spi_route(intid, g->pcpu[t]);
}

void vgic_set_ctlr(struct vgic *g, uint32_t ctlr)
{
	g->ctlr = ctlr;
	for (unsigned c = 0; c < g->nvcpus; c++)
		vgic_kick(g, c); /* what was held back may now be delivered */
}

void vgic_init(struct vgic *g, unsigned nvcpus)
{
	spin_lock(&g->lock);
	g->dist = (struct vgic_ctx){ g, 0, false, g->version == 2 };
	g->ctlr = 0;
	g->nvcpus = nvcpus;
	for (unsigned i = 0; i < VGIC_NR_SPIS; i++)
		g->spi[i] = (struct virq){ .lr = -1, .target = 0, .next_target = 0,
					   .hw = (g->hw_spis >> i) & 1 };
	spin_unlock(&g->lock);
	for (unsigned c = 0; c < nvcpus; c++)
		vgic_vcpu_reset(g, c);
}

void vgic_vcpu_reset(struct vgic *g, unsigned vcpu)
{
	struct vgic_cpu *c = &g->cpu[vcpu];

	spin_lock(&g->lock);
	for (unsigned i = 0; i < VGIC_NR_PRIVATE; i++)
		c->priv[i] = (struct virq){ .lr = -1, .level = i >= 16 };
	c->priv[VGIC_PPI_VTIMER].hw = 1;
	c->waker = 2; /* ProcessorSleep */
	if (arch_vgic_local_vcpu(g) == (int)vcpu) {
		bool timer_released = false;
		for (unsigned i = 0; i < arch_vgic_nr_lrs(); i++) {
			struct vgic_lr lr;
			arch_vgic_read_lr(i, &lr);
			uint32_t intid = lr.vintid;
			bool kept = false;
			/* An SPI held here goes back to the distributor, still
			 * pending if the guest had not taken it; else it would
			 * stay marked as in this list register forever. A bound
			 * SPI only pending here stays physically active for its
			 * latched copy; once taken (active) it is dropped. */
			if ((c->lr_used & (1u << i)) && intid >= VGIC_NR_PRIVATE &&
			    intid < VGIC_NR_IRQS && g->spi[intid - VGIC_NR_PRIVATE].lr == (int8_t)i) {
				struct virq *q = &g->spi[intid - VGIC_NR_PRIVATE];
				q->lr = -1;
				q->active = 0;
				if (q->next_target != q->target)
					retarget(g, intid, q);
				bool again = q->hw ? lr.state == VGIC_LR_PENDING
						   : (lr.state & VGIC_LR_PENDING) || (q->level && q->line);
				if (again)
					set_pending(g, vcpu, intid, q);
				kept = q->hw && again;
			}
			/* A live HW list register: the physical interrupt (the
			 * timer PPI here, or a bound SPI at the distributor) is
			 * released unless its latched copy was kept. */
			if (lr.hw && lr.state && !kept) {
				arch_vgic_deactivate_phys(lr.pintid);
				timer_released |= lr.pintid == VGIC_PPI_VTIMER;
			}
			arch_vgic_write_lr(i, &(struct vgic_lr){ 0 });
		}
		/* The forwarded timer may be physically active with its virtual
		 * copy only latched in software (disabled by the guest): the
		 * reset drops that copy, so release the physical one too. */
		if (!timer_released)
			arch_vgic_deactivate_phys(VGIC_PPI_VTIMER);
		arch_vgic_set_underflow(false);
	}
	c->lr_used = 0;
	c->underflow = false;
	c->dirty = 1;
	/* SPIs routed here go back to vCPU 0's default. */
	spin_unlock(&g->lock);
}

/* ---- injection ---- */

void vgic_inject(struct vgic *g, unsigned vcpu, uint32_t intid)
{
	struct virq *q;
	unsigned t;

	spin_lock(&g->lock);
	q = vgic_virq(g, vcpu, intid);
	if (!q) {
		spin_unlock(&g->lock);
		return;
	}
	set_pending(g, vcpu, intid, q);
	t = target_of(g, vcpu, intid);
	spin_unlock(&g->lock);
	vgic_kick(g, t);
}

static unsigned lr_flags(const struct vgic *g, const struct virq *q);

/* The fast path for an interrupt of the vCPU running here (its virtual
 * timer, an SPI bound to it, a device's line raised on its CPU): straight
 * into a list register, with no flush on the way out, when it is
 * deliverable and either its own list register is done (the guest
 * deactivated it; for a hardware-linked one that deactivated the physical
 * one) or one is free. Anything else (masked, disabled, still
 * active, no room) takes the general path: pending, then vgic_flush().
 * With the lock held. */
static inline __attribute__((always_inline)) bool lr_direct(struct vgic *g, unsigned vcpu, uint32_t intid, struct virq *q)
{
	struct vgic_cpu *c = &g->cpu[vcpu];
	int i = q->lr; // NOLINT(bugprone-signed-char-misuse): lr is a signed index, -1 for none

	if (!q->enabled || !vgic_forwarding(g) || q->pending)
		return false;
	if (i >= 0) {
		if (arch_vgic_lr_state((unsigned)i))
			return false;
	} else {
		unsigned free = ~(unsigned)c->lr_used & ((1u << arch_vgic_nr_lrs()) - 1);
		if (!free)
			return false;
		i = __builtin_ctz(free);
		c->lr_used |= (uint16_t)(1u << i);
		q->lr = (int8_t)i;
	}
	arch_vgic_lr_pend((unsigned)i, intid, q->priority, lr_flags(g, q));
	q->active = 0;
	q->lr_state = 1;
	return true;
}

void vgic_inject_hw(struct vgic *g, unsigned vcpu, uint32_t intid)
{
	struct virq *q = &g->cpu[vcpu].priv[intid];

	spin_lock(&g->lock);
	q->hw = 1;
	if (!lr_direct(g, vcpu, intid, q)) {
		set_pending(g, vcpu, intid, q);
		g->cpu[vcpu].dirty = 1;
	}
	spin_unlock(&g->lock);
}

/* A level-sensitive SPI's line went low while the guest handles it (its
 * driver acknowledged the device): its deactivation need not be heard of,
 * there is nothing to re-sample. So the EOI maintenance request leaves
 * its list register, when that list register is this CPU's and holds the
 * interrupt active only; the list register is folded back at the next
 * flush. A list register holding the interrupt pending always keeps the
 * request (vgic_flush_dirty sets it again when it pends one again), so a
 * line still high at the guest's EOI is always seen. With the lock held. */
static void lr_drop_eoi(struct vgic *g, uint32_t intid, struct virq *q)
{
	struct vgic_lr lr;

	if (q->lr < 0 || arch_vgic_local_vcpu(g) != (int)q->target)
		return;
	arch_vgic_read_lr((unsigned)q->lr, &lr);
	if (lr.vintid == intid && lr.eoi && lr.state == VGIC_LR_ACTIVE) {
		lr.eoi = false;
		arch_vgic_write_lr((unsigned)q->lr, &lr);
	}
}

void vgic_set_line(struct vgic *g, uint32_t intid, bool high)
{
	struct virq *q;
	unsigned t;

	if (intid < VGIC_NR_PRIVATE)
		return;
	spin_lock(&g->lock);
	q = vgic_virq(g, 0, intid);
	if (!q || q->hw || q->line == high) { /* a bound SPI's line is physical */
		spin_unlock(&g->lock);
		return;
	}
	q->line = high;
	t = q->target;
	if (high) {
		/* Raised on its vCPU's own CPU (a device completing there):
		 * straight into a list register when one is ready. */
		if (arch_vgic_local_vcpu(g) == (int)t && lr_direct(g, t, intid, q))
			high = false; /* nothing to kick */
		else
			set_pending(g, 0, intid, q);
	} else if (q->level) {
		q->pending = 0;
		lr_drop_eoi(g, intid, q);
	}
	spin_unlock(&g->lock);
	if (high)
		vgic_kick(g, t);
}

/* ---- physical SPIs bound to a vGIC ---- */

bool vgic_bound_spi(const struct virq *q, uint32_t intid)
{
	return q->hw && intid >= VGIC_NR_PRIVATE;
}

/* The physical priority levels for bound SPIs: the CPUs' priority mask as
 * it reads back, and the step between implemented levels (1 with 8 bits,
 * 8 on a GIC-400, 16 in its Non-secure view). Until the driver says, 8
 * implemented bits. */
#define HW_PRIO_HV 0xa0 /* the hypervisor's own interrupts (drivers/gic*.c) */
static uint8_t hw_pmr = 0xff;
static uint8_t hw_step = 1;

void vgic_hw_priorities(uint8_t pmr)
{
	uint8_t step = (uint8_t)(pmr & -pmr);

	/* The architecture has at least 16 levels (3 bits in the Non-secure
	 * view): anything coarser is not a GIC's answer. */
	if (pmr <= HW_PRIO_HV || step > 0x20)
		return;
	hw_pmr = pmr;
	hw_step = step;
}

/* What the guest's priority becomes physically (see vgic_bind_hw_spi()):
 * its top 3 bits spread over the n levels strictly between the
 * hypervisor's and the mask (n at most 8), the guest's lowest just above
 * the mask. */
uint8_t vgic_hw_priority(uint8_t guest)
{
	unsigned n = (unsigned)(hw_pmr - HW_PRIO_HV) / hw_step - 1;
	unsigned better = 7u - (guest >> 5); /* levels above the guest's lowest */

	if (n > 8)
		n = 8;
	return (uint8_t)(hw_pmr - hw_step * (1 + better * n / 8));
}

/* The physical copy of a bound SPI's configuration (lock held). */
static void hw_spi_configure(struct vgic *g, const struct virq *q, uint32_t intid)
{
	arch_vgic_spi_route(intid, g->pcpu[q->target]);
	arch_vgic_spi_priority(intid, vgic_hw_priority(q->priority));
	arch_vgic_spi_trigger(intid, q->level);
}

/* Physically disabled, not pending, not active; virtually neither enabled
 * nor latched (lock held). Disabled first: it cannot be signalled again
 * while its pending and active states are cleared. */
static void hw_spi_quiesce(struct virq *q, uint32_t intid)
{
	arch_vgic_spi_enable(intid, false);
	arch_vgic_spi_pend(intid, false);
	arch_vgic_deactivate_phys(intid);
	q->enabled = 0;
	q->pending = 0;
}

int vgic_bind_hw_spi(struct vgic *g, uint32_t intid)
{
	struct vgic *none = NULL;
	struct virq *q;

	if (!g || intid < VGIC_NR_PRIVATE || intid >= VGIC_NR_IRQS)
		return -1;
	if (!__atomic_compare_exchange_n(&vgic_hw_spi_owners[intid - VGIC_NR_PRIVATE], &none, g, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return -1;
	spin_lock(&g->lock);
	q = &g->spi[intid - VGIC_NR_PRIVATE];
	g->hw_spis |= 1ULL << (intid - VGIC_NR_PRIVATE);
	q->hw = 1;
	q->line = 0;
	hw_spi_quiesce(q, intid);
	/* Routed to vCPU 0's CPU as g->pcpu[] says now: it may not be set yet,
	 * which is why every guest enable writes the route again. */
	hw_spi_configure(g, q, intid);
	spin_unlock(&g->lock);
	return 0;
}

void vgic_release_hw_spis(struct vgic *g)
{
	spin_lock(&g->lock);
	for (unsigned i = 0; i < VGIC_NR_SPIS; i++)
		if ((g->hw_spis >> i) & 1)
			hw_spi_quiesce(&g->spi[i], i + VGIC_NR_PRIVATE);
	spin_unlock(&g->lock);
}

void vgic_unbind_hw_spis(struct vgic *g)
{
	vgic_release_hw_spis(g);
	spin_lock(&g->lock);
	for (unsigned i = 0; i < VGIC_NR_SPIS; i++) {
		if (!((g->hw_spis >> i) & 1))
			continue;
		g->spi[i].hw = 0;
		__atomic_store_n(&vgic_hw_spi_owners[i], NULL, __ATOMIC_RELEASE);
	}
	g->hw_spis = 0;
	spin_unlock(&g->lock);
}


static inline __attribute__((always_inline)) void spi_fired(struct vgic *g, uint32_t intid)
{
	struct virq *q;
	unsigned t;

	spin_lock(&g->lock);
	q = &g->spi[intid - VGIC_NR_PRIVATE];
	if (!q->hw || !q->enabled) {
		/* The physical enable follows the guest's: only a disable or a
		 * release racing with the interrupt gets here. Never leave it
		 * active with no copy that would deactivate it. */
		arch_vgic_deactivate_phys(intid);
		spin_unlock(&g->lock);
		return;
	}
	t = q->target;
	if (arch_vgic_local_vcpu(g) == (int)t && lr_direct(g, t, intid, q)) {
		spin_unlock(&g->lock);
		return;
	}
	set_pending(g, t, intid, q);
	spin_unlock(&g->lock);
	vgic_kick(g, t);
}

void vgic_hw_spi_fired(struct vgic *g, uint32_t intid)
{
	if (intid >= VGIC_NR_PRIVATE && intid < VGIC_NR_IRQS)
		spi_fired(g, intid);
}

void vgic_hw_spi_fire(struct vgic *g, uint32_t intid)
{
	spi_fired(g, intid);
}

/* ---- list registers ---- */

/* How q goes into a list register: HW-linked (its physical INTID is its
 * own), or with the EOI maintenance request of a level-sensitive one (the
 * line is sampled again on deactivation); Group 1 on GICv3, Group 0 on
 * GICv2. */
static unsigned lr_flags(const struct vgic *g, const struct virq *q)
{
	return (q->hw ? VGIC_LR_F_HW : q->level ? VGIC_LR_F_EOI : 0) |
	       (g->version != 2 ? VGIC_LR_F_GROUP1 : 0);
}

/* Fold the list registers back into software state. */
static void vgic_sync(struct vgic *g, unsigned vcpu)
{
	struct vgic_cpu *c = &g->cpu[vcpu];

	for (unsigned i = 0; c->lr_used >> i; i++) {
		if (!(c->lr_used & (1u << i)))
			continue;
		struct vgic_lr lr;
		arch_vgic_read_lr(i, &lr);
		uint32_t intid = lr.vintid;
		unsigned state = lr.state;
		struct virq *q = vgic_virq(g, vcpu, intid);

		if (!q || q->lr != (int8_t)i) {
			/* Never by design (a list register's index is its
			 * vCPU's alone: retargeting waits, vgic_set_target);
			 * dropped rather than trusted. */
			if (g->faults_logged++ < 4)
				WARN("vGIC: vCPU %u list register %u holds INTID %u it does not own; cleared",
				     vcpu, i, (unsigned)intid);
			arch_vgic_write_lr(i, &(struct vgic_lr){ 0 });
			c->lr_used &= (uint16_t)~(1u << i);
			continue;
		}
		q->active = (state & 2) != 0;
		q->lr_state = state & 3;
		if (state == 0) {
			/* Clear it: an invalid LR with the EOI bit keeps the
			 * maintenance interrupt asserted. */
			arch_vgic_write_lr(i, &(struct vgic_lr){ 0 });
			c->lr_used &= (uint16_t)~(1u << i);
			q->lr = -1;
			if (q->level && q->line)
				set_pending(g, vcpu, intid, q);
			if (intid >= VGIC_NR_PRIVATE && q->next_target != q->target)
				retarget(g, intid, q);
		}
	}
}

/* Group 1 forwarding on (GICD_CTLR.EnableGrp1), enabled, pending, not yet
 * in a list register. */
static bool deliverable(const struct vgic *g, const struct virq *q)
{
	return q->pending && q->enabled && q->lr < 0 && vgic_forwarding(g);
}

void vgic_maintenance(struct vgic *g, unsigned vcpu)
{
	__atomic_store_n(&g->cpu[vcpu].dirty, 1, __ATOMIC_RELEASE);
	vgic_flush(g, vcpu);
}

/* Keep the n best (lowest priority value) candidates in best[], sorted. */
static unsigned consider(struct virq **best, uint32_t *ids, unsigned n, unsigned cap,
			 struct virq *q, uint32_t id)
{
	unsigned i = n < cap ? n : cap;

	if (n >= cap && q->priority >= best[cap - 1]->priority)
		return n + 1;
	while (i > 0 && best[i - 1]->priority > q->priority) {
		if (i < cap) {
			best[i] = best[i - 1];
			ids[i] = ids[i - 1];
		}
		i--;
	}
	best[i] = q;
	ids[i] = id;
	return n + 1;
}

void vgic_flush_dirty(struct vgic *g, unsigned vcpu)
{
	struct vgic_cpu *c = &g->cpu[vcpu];
	struct virq *best[VGIC_MAX_LRS];
	uint32_t ids[VGIC_MAX_LRS];
	unsigned nlrs, nfree = 0, n = 0;

	if (!__atomic_exchange_n(&c->dirty, 0, __ATOMIC_ACQ_REL))
		return;
	nlrs = arch_vgic_nr_lrs();
	spin_lock(&g->lock);
	vgic_sync(g, vcpu);
	for (unsigned i = 0; i < nlrs; i++) {
		if (!(c->lr_used & (1u << i))) {
			nfree++;
			continue;
		}
		/* Pended again while the guest handles it (an SGI sent twice):
		 * pending and active in the list register, so it is taken
		 * again after the guest's EOI. */
		struct vgic_lr lr;
		arch_vgic_read_lr(i, &lr);
		struct virq *q = vgic_virq(g, vcpu, lr.vintid);
		if (q && q->pending && !q->hw && !(lr.state & VGIC_LR_PENDING)) {
			lr.state |= VGIC_LR_PENDING;
			lr.eoi |= q->level;
			arch_vgic_write_lr(i, &lr);
			q->pending = 0;
			q->lr_state |= 1;
		}
	}
	/* One pass over this vCPU's private interrupts and the SPIs routed to
	 * it, keeping the nfree most urgent. */
	if (nfree && vgic_forwarding(g)) {
		for (uint32_t m = c->maybe_pending; m; m &= m - 1) {
			uint32_t id = (uint32_t)__builtin_ctz(m);
			if (!c->priv[id].pending)
				c->maybe_pending &= ~(1u << id);
			else if (deliverable(g, &c->priv[id]))
				n = consider(best, ids, n, nfree, &c->priv[id], id);
		}
		for (uint64_t m = g->spi_maybe_pending; m; m &= m - 1) {
			uint32_t i = (uint32_t)__builtin_ctzll(m);
			if (!g->spi[i].pending)
				g->spi_maybe_pending &= ~(1ULL << i);
			else if (g->spi[i].target == vcpu && deliverable(g, &g->spi[i]))
				n = consider(best, ids, n, nfree, &g->spi[i], i + VGIC_NR_PRIVATE);
		}
	}
	for (unsigned k = 0, lr = 0; k < n && k < nfree; k++) {
		while (c->lr_used & (1u << lr))
			lr++;
		arch_vgic_lr_pend(lr, ids[k], best[k]->priority, lr_flags(g, best[k]));
		best[k]->pending = 0;
		best[k]->lr = (int8_t)lr;
		best[k]->lr_state = 1;
		c->lr_used |= (uint16_t)(1u << lr);
	}
	/* More than fits: the underflow maintenance interrupt brings us back.
	 * With no free list register at all, one pending is enough to ask. */
	bool more = n > nfree;
	if (!nfree && vgic_forwarding(g))
		for (uint32_t id = 0; id < VGIC_NR_IRQS && !more; id++) {
			struct virq *q = vgic_virq(g, vcpu, id);
			more = deliverable(g, q) && target_of(g, vcpu, id) == vcpu;
		}
	if (more != c->underflow) {
		arch_vgic_set_underflow(more);
		c->underflow = more;
	}
	spin_unlock(&g->lock);
}

/* ---- register emulation ---- */

static bool private_in_dist(const struct vgic_ctx *x, uint32_t intid)
{
	/* GICv3 (ARE=1): RAZ/WI here; GICv2: banked for the accessing vCPU */
	return !x->rdist && !x->banked && intid < VGIC_NR_PRIVATE;
}

/* Bit-per-interrupt registers: base is the first INTID the register covers. */
enum bitop { B_ENABLE, B_PENDING, B_ACTIVE };

/* The state of q's list register as it is now: read from the list
 * register when it is this CPU's. Another vCPU's list registers are only
 * folded back when it enters the hypervisor, and a guest may deactivate
 * an interrupt without that (no maintenance requested): that vCPU is
 * kicked to fold them, so a guest polling the state (Linux's
 * synchronize_irq() reads GICD_ISACTIVER until clear) sees it change. */
static unsigned lr_state_now(struct vgic_ctx *x, uint32_t intid, struct virq *q)
{
	unsigned owner = intid < VGIC_NR_PRIVATE ? vgic_ctx_vcpu(x) : q->target;
	int lr = q->lr; // NOLINT(bugprone-signed-char-misuse): lr is a signed index, -1 for none

	if (lr >= 0 && arch_vgic_local_vcpu(x->g) == (int)owner) {
		struct vgic_lr v;
		arch_vgic_read_lr((unsigned)lr, &v);
		if (v.vintid == intid)
			return v.state & 3u;
	}
	if (owner < x->g->nvcpus)
		vgic_kick(x->g, owner);
	return q->lr_state;
}

static uint64_t bits_read(struct vgic_ctx *x, uint32_t base, unsigned width, enum bitop op)
{
	uint64_t v = 0;

	for (unsigned b = 0; b < width * 8; b++) {
		struct virq *q;
		if (private_in_dist(x, base + b) || !(q = vgic_virq(x->g, vgic_ctx_vcpu(x), base + b)))
			continue;
		bool in_lr = q->lr >= 0;
		unsigned st = in_lr && op != B_ENABLE ? lr_state_now(x, base + b, q) : 0;
		bool bit = op == B_ENABLE    ? q->enabled
			   : op == B_PENDING ? q->pending || (st & 1)
					     : in_lr ? (st & 2) != 0 : q->active;
		v |= (uint64_t)bit << b;
	}
	return v;
}

static void bits_write(struct vgic_ctx *x, uint32_t base, unsigned width, uint64_t v,
		       enum bitop op, bool set)
{
	uint32_t kicks = 0;

	spin_lock(&x->g->lock);
	for (unsigned b = 0; b < width * 8; b++) {
		struct virq *q;
		if (!(v & (1ULL << b)) || private_in_dist(x, base + b) ||
		    !(q = vgic_virq(x->g, vgic_ctx_vcpu(x), base + b)))
			continue;
		uint32_t intid = base + b;
		switch (op) {
		case B_ENABLE:
			/* Every write mirrored, a repeated one too; enabling writes
			 * the physical route, priority and trigger first (g->pcpu[]
			 * may have been set after the bind). */
			if (vgic_bound_spi(q, intid)) {
				if (set && !q->enabled)
					hw_spi_configure(x->g, q, intid);
				arch_vgic_spi_enable(intid, set);
			}
			q->enabled = set;
			break;
		case B_PENDING:
			/* A HW interrupt's pending state is its source's: for a
			 * bound SPI, the physical distributor's. Clearing it also
			 * drops a copy latched here, which holds it active. */
			if (vgic_bound_spi(q, intid)) {
				arch_vgic_spi_pend(intid, set);
				if (!set && q->pending) {
					q->pending = 0;
					arch_vgic_deactivate_phys(intid);
				}
			}
			if (q->hw)
				continue;
			if (set)
				set_pending(x->g, vgic_ctx_vcpu(x), intid, q);
			else
				q->pending = 0;
			break;
		case B_ACTIVE:
			/* A bound SPI latched here is pending, not active, for the
			 * guest: its physical active state is not the guest's. */
			if (vgic_bound_spi(q, intid) && !set && !q->pending)
				arch_vgic_deactivate_phys(intid);
			if (q->lr < 0 && !q->hw)
				q->active = set;
			break;
		}
		if (set)
			kicks |= 1u << target_of(x->g, vgic_ctx_vcpu(x), base + b);
	}
	spin_unlock(&x->g->lock);
	/* The analyzer, having assumed vgic_virq() returned NULL, takes x->g
	 * for NULL too; x->g was locked above. */
	for (unsigned c = 0; c < x->g->nvcpus; c++) // NOLINT(clang-analyzer-core.NullDereference)
		if (kicks & (1u << c))
			vgic_kick(x->g, c);
}

#define BITREG(name, op, set)                                                              \
	uint64_t vgic_##name##_r(void *d, uint32_t off, unsigned w)                        \
	{                                                                                  \
		struct vgic_ctx *x = d;                                                    \
		return bits_read(x, (off & 0x7f) * 8, w, op);                              \
	}                                                                                  \
	void vgic_##name##_w(void *d, uint32_t off, unsigned w, uint64_t v)                \
	{                                                                                  \
		bits_write(d, (off & 0x7f) * 8, w, v, op, set);                            \
	}
BITREG(isenabler, B_ENABLE, true)
BITREG(icenabler, B_ENABLE, false)
BITREG(ispendr, B_PENDING, true)
BITREG(icpendr, B_PENDING, false)
BITREG(isactiver, B_ACTIVE, true)
BITREG(icactiver, B_ACTIVE, false)

uint64_t vgic_prio_r(void *d, uint32_t off, unsigned w)
{
	struct vgic_ctx *x = d;
	uint32_t base = off & 0x3ff;
	uint64_t v = 0;

	for (unsigned i = 0; i < w; i++) {
		struct virq *q;
		if (!private_in_dist(x, base + i) && (q = vgic_virq(x->g, vgic_ctx_vcpu(x), base + i)))
			v |= (uint64_t)q->priority << (8 * i);
	}
	return v;
}

void vgic_prio_w(void *d, uint32_t off, unsigned w, uint64_t v)
{
	struct vgic_ctx *x = d;
	uint32_t base = off & 0x3ff;

	spin_lock(&x->g->lock);
	for (unsigned i = 0; i < w; i++) {
		struct virq *q;
		if (private_in_dist(x, base + i) || !(q = vgic_virq(x->g, vgic_ctx_vcpu(x), base + i)))
			continue;
		q->priority = (uint8_t)(v >> (8 * i)) & VGIC_PRIO_MASK;
		if (vgic_bound_spi(q, base + i))
			arch_vgic_spi_priority(base + i, vgic_hw_priority(q->priority));
	}
	spin_unlock(&x->g->lock);
}

/* Two bits per interrupt; only the upper one (edge = 1) is writable, and
 * only for PPIs and SPIs; not for the forwarded timer, whose trigger is
 * the hardware's. A bound SPI's is mirrored. */
uint64_t vgic_cfg_r(void *d, uint32_t off, unsigned w)
{
	struct vgic_ctx *x = d;
	uint32_t base = (off & 0xff) * 4;
	uint64_t v = 0;
	(void)w;

	for (unsigned i = 0; i < 16; i++) {
		struct virq *q;
		if (base + i < 16)
			v |= 2ULL << (2 * i); /* SGIs: edge */
		else if (!private_in_dist(x, base + i) && (q = vgic_virq(x->g, vgic_ctx_vcpu(x), base + i)))
			v |= (uint64_t)(q->level ? 0 : 2) << (2 * i);
	}
	return v;
}

void vgic_cfg_w(void *d, uint32_t off, unsigned w, uint64_t v)
{
	struct vgic_ctx *x = d;
	uint32_t base = (off & 0xff) * 4;
	(void)w;

	spin_lock(&x->g->lock);
	for (unsigned i = 0; i < 16; i++) {
		struct virq *q;
		bool level = !((v >> (2 * i + 1)) & 1);
		if (base + i < 16 || private_in_dist(x, base + i) ||
		    !(q = vgic_virq(x->g, vgic_ctx_vcpu(x), base + i)))
			continue;
		if (q->hw) {
			if (!vgic_bound_spi(q, base + i) || q->level == level)
				continue;
			arch_vgic_spi_trigger(base + i, level);
		}
		q->level = level;
	}
	spin_unlock(&x->g->lock);
}

uint64_t vgic_rao_r(void *d, uint32_t off, unsigned w)
{
	(void)d;
	(void)off;
	return w == 8 ? ~0ULL : (1ULL << (w * 8)) - 1;
}

