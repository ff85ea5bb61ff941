/* Virtual GICv3: see include/hv/vgic.h. Register banks are const tables
 * dispatched by reg_bank_access(), which checks width and alignment. */
#include <hv/log.h>
#include <hv/vgic.h>

#define LR_EOI BIT(41)

_Static_assert(VGIC_NR_SPIS <= 64, "struct vgic's hw_spis has a bit per SPI");

/* Bound SPIs: physical INTID - 32 -> the vGIC it belongs to. Written at
 * boot (vgic_bind_hw_spi), read lock free by the EL2 interrupt handler. */
struct vgic *vgic_hw_spi_owners[VGIC_NR_SPIS];


static struct virq *virq_of(struct vgic *g, unsigned vcpu, uint32_t intid)
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
static void kick(struct vgic *g, unsigned vcpu)
{
	__atomic_store_n(&g->cpu[vcpu].dirty, 1, __ATOMIC_RELEASE);
	if (arch_vgic_local_vcpu(g) != (int)vcpu)
		arch_kick_cpu(g->pcpu[vcpu]);
}

void vgic_init(struct vgic *g, unsigned nvcpus)
{
	spin_lock(&g->lock);
	g->dist = (struct vgic_ctx){ g, 0, false };
	g->ctlr = 0;
	g->nvcpus = nvcpus;
	for (unsigned i = 0; i < VGIC_NR_SPIS; i++)
		g->spi[i] = (struct virq){ .lr = -1, .target = 0, .hw = (g->hw_spis >> i) & 1 };
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
			uint64_t lr = arch_vgic_read_lr(i);
			uint32_t intid = (uint32_t)(lr & LR_VINTID_MASK);
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
				bool again = q->hw ? (lr >> LR_STATE_SHIFT) == 1
						   : (lr & LR_PENDING) || (q->level && q->line);
				if (again)
					set_pending(g, vcpu, intid, q);
				kept = q->hw && again;
			}
			/* A live HW list register: the physical interrupt (the
			 * timer PPI here, or a bound SPI at the distributor) is
			 * released unless its latched copy was kept. */
			if ((lr & LR_HW) && (lr >> LR_STATE_SHIFT) && !kept) {
				uint32_t pintid = (uint32_t)(lr >> LR_PINTID_SHIFT) & 0x3ff;
				arch_vgic_deactivate_phys(pintid);
				timer_released |= pintid == VGIC_PPI_VTIMER;
			}
			arch_vgic_write_lr(i, 0);
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
	q = virq_of(g, vcpu, intid);
	if (!q) {
		spin_unlock(&g->lock);
		return;
	}
	set_pending(g, vcpu, intid, q);
	t = target_of(g, vcpu, intid);
	spin_unlock(&g->lock);
	kick(g, t);
}

static uint64_t lr_encode(const struct virq *q, uint32_t intid, uint64_t state);

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
	int i = q->lr;

	if (!q->enabled || !(g->ctlr & 2) || q->pending)
		return false;
	if (i >= 0) {
		if ((arch_vgic_read_lr((unsigned)i) >> LR_STATE_SHIFT) & 3)
			return false;
	} else {
		unsigned free = ~(unsigned)c->lr_used & ((1u << arch_vgic_nr_lrs()) - 1);
		if (!free)
			return false;
		i = __builtin_ctz(free);
		c->lr_used |= (uint16_t)(1u << i);
		q->lr = (int8_t)i;
	}
	arch_vgic_write_lr((unsigned)i, lr_encode(q, intid, LR_PENDING));
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
	uint64_t lr;

	if (q->lr < 0 || arch_vgic_local_vcpu(g) != (int)q->target)
		return;
	lr = arch_vgic_read_lr((unsigned)q->lr);
	if ((lr & LR_VINTID_MASK) == intid && (lr & LR_EOI) && (lr >> LR_STATE_SHIFT) == 2)
		arch_vgic_write_lr((unsigned)q->lr, lr & ~LR_EOI);
}

void vgic_set_line(struct vgic *g, uint32_t intid, bool high)
{
	struct virq *q;
	unsigned t;

	if (intid < VGIC_NR_PRIVATE)
		return;
	spin_lock(&g->lock);
	q = virq_of(g, 0, intid);
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
		kick(g, t);
}

/* ---- physical SPIs bound to a vGIC ---- */

static bool bound_spi(const struct virq *q, uint32_t intid)
{
	return q->hw && intid >= VGIC_NR_PRIVATE;
}

/* What the guest's priority becomes physically: see vgic_bind_hw_spi(). */
static uint8_t hw_priority(uint8_t guest)
{
	return (uint8_t)(0xc0 | ((guest >> 2) & 0x38));
}

/* The physical copy of a bound SPI's configuration (lock held). */
static void hw_spi_configure(struct vgic *g, const struct virq *q, uint32_t intid)
{
	arch_vgic_spi_route(intid, g->pcpu[q->target]);
	arch_vgic_spi_priority(intid, hw_priority(q->priority));
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
	kick(g, t);
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

bool vgic_send_sgi(struct vgic *g, unsigned from, uint64_t v)
{
	uint32_t intid = (uint32_t)(v >> 24) & 0xf;
	uint16_t targets = (uint16_t)v;
	bool irm = (v >> 40) & 1;
	bool ok = true;

	if (irm) {
		for (unsigned c = 0; c < g->nvcpus; c++)
			if (c != from)
				vgic_inject(g, c, intid);
		return true;
	}
	/* Our vCPUs have MPIDR Aff0 = index, every other affinity field 0. */
	if (((v >> 16) & 0xff) || ((v >> 32) & 0xff) || ((v >> 48) & 0xff) || ((v >> 44) & 0xf))
		return false;
	for (unsigned c = 0; c < 16; c++) {
		if (!(targets & (1u << c)))
			continue;
		if (c < g->nvcpus)
			vgic_inject(g, c, intid);
		else
			ok = false;
	}
	return ok;
}

/* ---- list registers ---- */

static uint64_t lr_encode(const struct virq *q, uint32_t intid, uint64_t state)
{
	uint64_t lr = state | LR_GROUP1 | ((uint64_t)q->priority << LR_PRIO_SHIFT) | intid;
	if (q->hw)
		lr |= LR_HW | ((uint64_t)intid << LR_PINTID_SHIFT);
	else if (q->level)
		lr |= LR_EOI; /* maintenance on deactivation: re-sample the line */
	return lr;
}

/* Fold the list registers back into software state. */
static void vgic_sync(struct vgic *g, unsigned vcpu)
{
	struct vgic_cpu *c = &g->cpu[vcpu];

	for (unsigned i = 0; c->lr_used >> i; i++) {
		if (!(c->lr_used & (1u << i)))
			continue;
		uint64_t lr = arch_vgic_read_lr(i);
		uint32_t intid = (uint32_t)(lr & LR_VINTID_MASK);
		unsigned state = (unsigned)(lr >> LR_STATE_SHIFT);
		struct virq *q = virq_of(g, vcpu, intid);

		CHECK(q && q->lr == (int8_t)i);
		q->active = (state & 2) != 0;
		q->lr_state = state & 3;
		if (state == 0) {
			/* Clear it: an invalid LR with the EOI bit keeps the
			 * maintenance interrupt asserted. */
			arch_vgic_write_lr(i, 0);
			c->lr_used &= (uint16_t)~(1u << i);
			q->lr = -1;
			if (q->level && q->line)
				set_pending(g, vcpu, intid, q);
		}
	}
}

/* Group 1 forwarding on (GICD_CTLR.EnableGrp1), enabled, pending, not yet
 * in a list register. */
static bool deliverable(const struct vgic *g, const struct virq *q)
{
	return q->pending && q->enabled && q->lr < 0 && (g->ctlr & 2);
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
		uint64_t lr = arch_vgic_read_lr(i);
		struct virq *q = virq_of(g, vcpu, (uint32_t)(lr & LR_VINTID_MASK));
		if (q && q->pending && !q->hw && !(lr & LR_PENDING)) {
			arch_vgic_write_lr(i, lr | LR_PENDING | (q->level ? LR_EOI : 0));
			q->pending = 0;
			q->lr_state |= 1;
		}
	}
	/* One pass over this vCPU's private interrupts and the SPIs routed to
	 * it, keeping the nfree most urgent. */
	if (nfree && (g->ctlr & 2)) {
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
		arch_vgic_write_lr(lr, lr_encode(best[k], ids[k], LR_PENDING));
		best[k]->pending = 0;
		best[k]->lr = (int8_t)lr;
		best[k]->lr_state = 1;
		c->lr_used |= (uint16_t)(1u << lr);
	}
	/* More than fits: the underflow maintenance interrupt brings us back.
	 * With no free list register at all, one pending is enough to ask. */
	bool more = n > nfree;
	if (!nfree && (g->ctlr & 2))
		for (uint32_t id = 0; id < VGIC_NR_IRQS && !more; id++) {
			struct virq *q = virq_of(g, vcpu, id);
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
	return !x->rdist && intid < VGIC_NR_PRIVATE; /* ARE=1: RAZ/WI here */
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
	unsigned owner = intid < VGIC_NR_PRIVATE ? x->vcpu : q->target;
	int lr = q->lr;

	if (lr >= 0 && arch_vgic_local_vcpu(x->g) == (int)owner) {
		uint64_t v = arch_vgic_read_lr((unsigned)lr);
		if ((v & LR_VINTID_MASK) == intid)
			return (unsigned)(v >> LR_STATE_SHIFT) & 3;
	}
	if (owner < x->g->nvcpus)
		kick(x->g, owner);
	return q->lr_state;
}

static uint64_t bits_read(struct vgic_ctx *x, uint32_t base, unsigned width, enum bitop op)
{
	uint64_t v = 0;

	for (unsigned b = 0; b < width * 8; b++) {
		struct virq *q;
		if (private_in_dist(x, base + b) || !(q = virq_of(x->g, x->vcpu, base + b)))
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
		    !(q = virq_of(x->g, x->vcpu, base + b)))
			continue;
		uint32_t intid = base + b;
		switch (op) {
		case B_ENABLE:
			/* Every write mirrored, a repeated one too; enabling writes
			 * the physical route, priority and trigger first (g->pcpu[]
			 * may have been set after the bind). */
			if (bound_spi(q, intid)) {
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
			if (bound_spi(q, intid)) {
				arch_vgic_spi_pend(intid, set);
				if (!set && q->pending) {
					q->pending = 0;
					arch_vgic_deactivate_phys(intid);
				}
			}
			if (q->hw)
				continue;
			if (set)
				set_pending(x->g, x->vcpu, intid, q);
			else
				q->pending = 0;
			break;
		case B_ACTIVE:
			/* A bound SPI latched here is pending, not active, for the
			 * guest: its physical active state is not the guest's. */
			if (bound_spi(q, intid) && !set && !q->pending)
				arch_vgic_deactivate_phys(intid);
			if (q->lr < 0 && !q->hw)
				q->active = set;
			break;
		}
		if (set)
			kicks |= 1u << target_of(x->g, x->vcpu, base + b);
	}
	spin_unlock(&x->g->lock);
	for (unsigned c = 0; c < x->g->nvcpus; c++)
		if (kicks & (1u << c))
			kick(x->g, c);
}

#define BITREG(name, op, set)                                                              \
	static uint64_t name##_r(void *d, uint32_t off, unsigned w)                        \
	{                                                                                  \
		struct vgic_ctx *x = d;                                                    \
		return bits_read(x, (off & 0x7f) * 8, w, op);                              \
	}                                                                                  \
	static void name##_w(void *d, uint32_t off, unsigned w, uint64_t v)               \
	{                                                                                  \
		bits_write(d, (off & 0x7f) * 8, w, v, op, set);                            \
	}
BITREG(isenabler, B_ENABLE, true)
BITREG(icenabler, B_ENABLE, false)
BITREG(ispendr, B_PENDING, true)
BITREG(icpendr, B_PENDING, false)
BITREG(isactiver, B_ACTIVE, true)
BITREG(icactiver, B_ACTIVE, false)

static uint64_t prio_r(void *d, uint32_t off, unsigned w)
{
	struct vgic_ctx *x = d;
	uint32_t base = off & 0x3ff;
	uint64_t v = 0;

	for (unsigned i = 0; i < w; i++) {
		struct virq *q;
		if (!private_in_dist(x, base + i) && (q = virq_of(x->g, x->vcpu, base + i)))
			v |= (uint64_t)q->priority << (8 * i);
	}
	return v;
}

static void prio_w(void *d, uint32_t off, unsigned w, uint64_t v)
{
	struct vgic_ctx *x = d;
	uint32_t base = off & 0x3ff;

	spin_lock(&x->g->lock);
	for (unsigned i = 0; i < w; i++) {
		struct virq *q;
		if (private_in_dist(x, base + i) || !(q = virq_of(x->g, x->vcpu, base + i)))
			continue;
		q->priority = (uint8_t)(v >> (8 * i)) & VGIC_PRIO_MASK;
		if (bound_spi(q, base + i))
			arch_vgic_spi_priority(base + i, hw_priority(q->priority));
	}
	spin_unlock(&x->g->lock);
}

/* Two bits per interrupt; only the upper one (edge = 1) is writable, and
 * only for PPIs and SPIs; not for the forwarded timer, whose trigger is
 * the hardware's. A bound SPI's is mirrored. */
static uint64_t cfg_r(void *d, uint32_t off, unsigned w)
{
	struct vgic_ctx *x = d;
	uint32_t base = (off & 0xff) * 4;
	uint64_t v = 0;
	(void)w;

	for (unsigned i = 0; i < 16; i++) {
		struct virq *q;
		if (base + i < 16)
			v |= 2ULL << (2 * i); /* SGIs: edge */
		else if (!private_in_dist(x, base + i) && (q = virq_of(x->g, x->vcpu, base + i)))
			v |= (uint64_t)(q->level ? 0 : 2) << (2 * i);
	}
	return v;
}

static void cfg_w(void *d, uint32_t off, unsigned w, uint64_t v)
{
	struct vgic_ctx *x = d;
	uint32_t base = (off & 0xff) * 4;
	(void)w;

	spin_lock(&x->g->lock);
	for (unsigned i = 0; i < 16; i++) {
		struct virq *q;
		bool level = !((v >> (2 * i + 1)) & 1);
		if (base + i < 16 || private_in_dist(x, base + i) ||
		    !(q = virq_of(x->g, x->vcpu, base + i)))
			continue;
		if (q->hw) {
			if (!bound_spi(q, base + i) || q->level == level)
				continue;
			arch_vgic_spi_trigger(base + i, level);
		}
		q->level = level;
	}
	spin_unlock(&x->g->lock);
}

static uint64_t rao_r(void *d, uint32_t off, unsigned w)
{
	(void)d;
	(void)off;
	return w == 8 ? ~0ULL : (1ULL << (w * 8)) - 1;
}

/* GICv3 PIDR2: architecture revision 3. The rest identify an Arm GIC. */
static uint64_t id_r(void *d, uint32_t off, unsigned w)
{
	static const uint8_t ids[12] = { 0x44, 0, 0, 0, 0x92, 0xb4, 0x3b, 0, 0x0d, 0xf0, 0x05, 0xb1 };
	(void)d;
	(void)w;
	return ids[((off & 0xffff) - 0xffd0) / 4];
}

static uint64_t dctlr_r(void *d, uint32_t off, unsigned w)
{
	(void)off;
	(void)w;
	/* DS (single security state), ARE always on, enables as written. */
	return ((struct vgic_ctx *)d)->g->ctlr | BIT(6) | BIT(4);
}

static void dctlr_w(void *d, uint32_t off, unsigned w, uint64_t v)
{
	struct vgic *g = ((struct vgic_ctx *)d)->g;
	(void)off;
	(void)w;
	g->ctlr = (uint32_t)v & 3;
	for (unsigned c = 0; c < g->nvcpus; c++)
		kick(g, c); /* what was held back may now be delivered */
}

static uint64_t typer_r(void *d, uint32_t off, unsigned w)
{
	struct vgic_ctx *x = d;
	(void)off;
	(void)w;
	/* IDbits = 9 (10-bit INTIDs), CPUNumber, ITLinesNumber. */
	return (9u << 19) | ((x->g->nvcpus - 1) << 5) | (VGIC_NR_IRQS / 32 - 1);
}

static uint64_t iidr_r(void *d, uint32_t off, unsigned w)
{
	(void)d;
	(void)off;
	(void)w;
	return 0x0300043b; /* Arm, GIC-500-like product */
}

static uint64_t irouter_r(void *d, uint32_t off, unsigned w)
{
	struct vgic_ctx *x = d;
	uint32_t intid = (off - 0x6000) / 8;
	struct virq *q = intid >= VGIC_NR_PRIVATE ? virq_of(x->g, 0, intid) : NULL;
	uint64_t v = q ? q->irouter : 0;
	return w == 8 ? v : (uint32_t)(v >> ((off & 4) * 8));
}

static void irouter_w(void *d, uint32_t off, unsigned w, uint64_t v)
{
	struct vgic_ctx *x = d;
	uint32_t intid = (off - 0x6000) / 8;
	struct virq *q = intid >= VGIC_NR_PRIVATE ? virq_of(x->g, 0, intid) : NULL;
	(void)w;

	if (!q)
		return;
	spin_lock(&x->g->lock);
	if (w == 4) /* one half */
		v = off & 4 ? (q->irouter & 0xffffffffULL) | (v << 32)
			    : (q->irouter & ~0xffffffffULL) | (uint32_t)v;
	q->irouter = v & 0xff80ffffffULL; /* Aff3, IRM, Aff2, Aff1, Aff0 */
	v = q->irouter;
	/* IRM (any CPU) or a vCPU outside the partition: vCPU 0. */
	if (!(v & BIT(31)) && !(v & 0xff00ffff00ULL) && (v & 0xff) < x->g->nvcpus)
		q->target = (uint8_t)(v & 0xff);
	else
		q->target = 0;
	if (bound_spi(q, intid))
		arch_vgic_spi_route(intid, x->g->pcpu[q->target]);
	spin_unlock(&x->g->lock);
	kick(x->g, q->target);
}

static const struct reg_desc dist_regs[] = {
	{ 0x0000, 4, W32, dctlr_r, dctlr_w },
	{ 0x0004, 4, W32, typer_r, NULL },
	{ 0x0008, 4, W32, iidr_r, NULL },
	{ 0x000c, 4, W32, NULL, NULL },        /* TYPER2 */
	{ 0x0010, 4, W32, NULL, NULL },        /* STATUSR */
	{ 0x0080, 0x80, W32, rao_r, NULL },    /* IGROUPR: all Group 1 */
	{ 0x0100, 0x80, W32, isenabler_r, isenabler_w },
	{ 0x0180, 0x80, W32, icenabler_r, icenabler_w },
	{ 0x0200, 0x80, W32, ispendr_r, ispendr_w },
	{ 0x0280, 0x80, W32, icpendr_r, icpendr_w },
	{ 0x0300, 0x80, W32, isactiver_r, isactiver_w },
	{ 0x0380, 0x80, W32, icactiver_r, icactiver_w },
	{ 0x0400, 0x400, W8 | W32 | WSUB, prio_r, prio_w },
	{ 0x0800, 0x400, W8 | W32 | WSUB, NULL, NULL }, /* ITARGETSR: ARE=1 */
	{ 0x0c00, 0x100, W32, cfg_r, cfg_w },
	{ 0x0d00, 0x80, W32, NULL, NULL },     /* IGRPMODR */
	{ 0x0e00, 0x100, W32, NULL, NULL },    /* NSACR */
	{ 0x0f00, 4, W32, NULL, NULL },        /* SGIR: ARE=1 */
	{ 0x0f10, 0x20, W8 | W32 | WSUB, NULL, NULL }, /* C/SPENDSGIR */
	{ 0x6000, 0x2000, W32 | W64 | WSUB, irouter_r, irouter_w },
	{ 0xffd0, 0x30, W32, id_r, NULL },
};
const struct reg_bank vgic_dist_bank = REG_BANK(dist_regs);

static uint64_t rtyper_r(void *d, uint32_t off, unsigned w)
{
	struct vgic_ctx *x = d;
	uint64_t v = ((uint64_t)x->vcpu << 32) | ((uint64_t)x->vcpu << 8) |
		     (x->vcpu == x->g->nvcpus - 1 ? BIT(4) : 0);
	if (w == 8)
		return v;
	return off & 4 ? v >> 32 : (uint32_t)v; /* upper half: Affinity_Value */
}

static uint64_t waker_r(void *d, uint32_t off, unsigned w)
{
	struct vgic_ctx *x = d;
	(void)off;
	(void)w;
	uint32_t ps = x->g->cpu[x->vcpu].waker & 2;
	return ps | (ps << 1); /* ChildrenAsleep follows ProcessorSleep */
}

static void waker_w(void *d, uint32_t off, unsigned w, uint64_t v)
{
	struct vgic_ctx *x = d;
	(void)off;
	(void)w;
	x->g->cpu[x->vcpu].waker = (uint32_t)v & 2;
}

#define SGI 0x10000
static const struct reg_desc rdist_regs[] = {
	{ 0x0000, 4, W32, NULL, NULL },       /* CTLR: no LPIs */
	{ 0x0004, 4, W32, iidr_r, NULL },
	{ 0x0008, 8, W32 | W64 | WSUB, rtyper_r, NULL }, /* and its upper half */
	{ 0x0010, 4, W32, NULL, NULL },       /* STATUSR */
	{ 0x0014, 4, W32, waker_r, waker_w },
	{ 0x0070, 8, W64, NULL, NULL },       /* PROPBASER */
	{ 0x0078, 8, W64, NULL, NULL },       /* PENDBASER */
	{ 0xffd0, 0x30, W32, id_r, NULL },
	{ SGI + 0x0080, 4, W32, rao_r, NULL },
	{ SGI + 0x0100, 4, W32, isenabler_r, isenabler_w },
	{ SGI + 0x0180, 4, W32, icenabler_r, icenabler_w },
	{ SGI + 0x0200, 4, W32, ispendr_r, ispendr_w },
	{ SGI + 0x0280, 4, W32, icpendr_r, icpendr_w },
	{ SGI + 0x0300, 4, W32, isactiver_r, isactiver_w },
	{ SGI + 0x0380, 4, W32, icactiver_r, icactiver_w },
	{ SGI + 0x0400, 0x20, W8 | W32 | WSUB, prio_r, prio_w },
	{ SGI + 0x0c00, 8, W32, cfg_r, cfg_w },
	{ SGI + 0x0d00, 4, W32, NULL, NULL }, /* IGRPMODR0 */
	{ SGI + 0x0e00, 4, W32, NULL, NULL }, /* NSACR */
};
const struct reg_bank vgic_rdist_bank = REG_BANK(rdist_regs);

/* A frame per vCPU; accesses beyond the last vCPU's frame abort. */
static int rdist_access(void *dev, uint64_t off, unsigned width, bool write, uint64_t *val)
{
	struct vgic *g = dev;
	struct vgic_ctx x = { g, (unsigned)(off / VGIC_RDIST_STRIDE), true };

	if (x.vcpu >= g->nvcpus)
		return -1;
	return reg_bank_access(&vgic_rdist_bank, &x, (uint32_t)(off % VGIC_RDIST_STRIDE), width, write,
			       val);
}

/* The distributor's bank, with the vGIC's own lock taken by the registers
 * that need it. */
const struct mmio_device_ops vgic_dist_ops = { .bank = &vgic_dist_bank };
const struct mmio_device_ops vgic_rdist_ops = { .access = rdist_access };
