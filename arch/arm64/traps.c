/* Exception handling at EL2. Guest synchronous exceptions dispatch through
 * a const table indexed by ESR_EL2.EC; a missing entry injects an
 * undefined-instruction exception into the guest. Each handler decodes and
 * checks first, then acts. */
#include <drivers/irqchip.h>
#include <arch/cpu.h>
#include <arch/esr.h>
#include <arch/sysreg.h>
#include <drivers/drivers.h>
#include <hv/boot.h>
#include <hv/log.h>
#include <hv/workq.h>
#include <platform.h>

typedef void (*trap_fn)(struct vcpu *v, struct trap_frame *f, uint64_t esr);

static bool from_el0(const struct trap_frame *f)
{
	unsigned m = f->spsr & PSR_MODE_MASK;
	return m == PSR_MODE_EL0t || (m & PSR_AARCH32);
}

/* Enter the guest's EL1 vector as the architecture would have. */
static void inject(struct trap_frame *f, uint64_t esr, bool set_far, uint64_t far)
{
	write_sysreg(esr_el1, esr);
	if (set_far)
		write_sysreg(far_el1, far);
	write_sysreg(elr_el1, f->elr);
	write_sysreg(spsr_el1, f->spsr);
	f->elr = read_sysreg(vbar_el1) + el1_vector_offset(f->spsr);
	f->spsr = PSR_MODE_EL1h | PSR_DAIF;
}

static void inject_undef(struct trap_frame *f)
{
	inject(f, esr_make_undef(), false, 0);
}

static void inject_sea(struct trap_frame *f, bool instr, bool write)
{
	inject(f, esr_make_sea(from_el0(f), instr, write), true, read_sysreg(far_el2));
}

/* Past the trapped instruction: 4 bytes, or 2 for a 16-bit T32 one. */
static void skip_insn(struct trap_frame *f, uint64_t esr)
{
	f->elr += esr & ESR_IL ? 4 : 2;
}

static uint64_t reg_get(const struct trap_frame *f, unsigned r)
{
	return r == 31 ? 0 : f->x[r];
}

static void reg_set(struct trap_frame *f, unsigned r, uint64_t v)
{
	if (r != 31)
		f->x[r] = v;
}

static void do_call(struct vcpu *v, struct trap_frame *f)
{
	uint64_t regs[4] = { f->x[0], f->x[1], f->x[2], f->x[3] };
	vcall_handle(v, regs);
	f->x[0] = regs[0];
}

static void trap_hvc(struct vcpu *v, struct trap_frame *f, uint64_t esr)
{
	if (esr_hvc_imm(esr) != 0) {
		partition_fault(v->part, FAULT_CALL, "HVC #%u", esr_hvc_imm(esr));
		f->x[0] = (uint64_t)-1;
		return;
	}
	do_call(v, f); /* ELR already points after the HVC */
}

static void trap_smc(struct vcpu *v, struct trap_frame *f, uint64_t esr)
{
	skip_insn(f, esr); /* a trapped SMC returns to the SMC itself */
	do_call(v, f);
}

static void trap_wfx(struct vcpu *v, struct trap_frame *f, uint64_t esr)
{
	(void)v;
	skip_insn(f, esr);
}

/* ICC_SGI1R_EL1: SGIs to vCPUs of the partition only. */
static bool sr_sgi1r(struct vcpu *v, bool read, uint64_t *val)
{
	if (read)
		return false;
	if (!vgic_send_sgi(&v->part->vgic, v->idx, *val))
		partition_fault(v->part, FAULT_SGI, "ICC_SGI1R_EL1 = 0x%llx", (unsigned long long)*val);
	return true;
}

/* DC ISW/CSW/CISW (trapped by HCR_EL2.TSW): caches are shared with other
 * partitions, so an invalidate by set/way could discard their dirty lines.
 * Every set/way operation becomes clean-and-invalidate, which loses
 * nothing for anybody. */
static bool sr_setway(struct vcpu *v, bool read, uint64_t *val)
{
	(void)v;
	if (read)
		return false;
	__asm__ volatile("dc cisw, %0" : : "r"(*val) : "memory");
	return true;
}

/* ICC_ASGI1R_EL1, ICC_SGI0R_EL1: no Group 0 or alias SGIs; ignored. */
static bool sr_wi(struct vcpu *v, bool read, uint64_t *val)
{
	(void)v;
	(void)val;
	return !read;
}

struct sysreg_desc {
	unsigned key;
	bool (*access)(struct vcpu *v, bool read, uint64_t *val); /* false: undefined */
};

static const struct sysreg_desc sysregs[] = {
	{ SYSREG_KEY(3, 0, 12, 11, 5), sr_sgi1r },
	{ SYSREG_KEY(3, 0, 12, 11, 6), sr_wi },
	{ SYSREG_KEY(3, 0, 12, 11, 7), sr_wi },
	{ SYSREG_KEY(1, 0, 7, 6, 2), sr_setway },  /* DC ISW */
	{ SYSREG_KEY(1, 0, 7, 10, 2), sr_setway }, /* DC CSW */
	{ SYSREG_KEY(1, 0, 7, 14, 2), sr_setway }, /* DC CISW */
};

static void trap_sysreg(struct vcpu *v, struct trap_frame *f, uint64_t esr)
{
	struct sysreg_info s = esr_decode_sysreg(esr);
	unsigned key = sysreg_key(&s);

	for (size_t i = 0; i < ARRAY_SIZE(sysregs); i++) {
		uint64_t val = reg_get(f, s.reg);
		if (sysregs[i].key != key || !sysregs[i].access(v, s.read, &val))
			continue;
		if (s.read)
			reg_set(f, s.reg, val);
		skip_insn(f, esr);
		return;
	}
	partition_fault(v->part, FAULT_SYSREG, "%s S%u_%u_C%u_C%u_%u at 0x%llx",
			s.read ? "read of" : "write to", s.op0, s.op1, s.crn, s.crm, s.op2,
			(unsigned long long)f->elr);
	inject_undef(f);
}

static ipa_t fault_ipa(void)
{
	return ((read_sysreg(hpfar_el2) & 0xfffffffffff0ULL) << 8) | (read_sysreg(far_el2) & 0xfff);
}

/* The refused and the unemulatable access: cold, out of the fast path. */
static __attribute__((noinline, cold)) void dabt_refuse(struct vcpu *v, struct trap_frame *f,
							uint64_t esr, ipa_t ipa, bool valid)
{
	struct dabt_info d = esr_decode_dabt(esr);

	if (!valid)
		partition_fault(v->part, FAULT_DABT, "unemulatable access to IPA 0x%llx at 0x%llx",
				(unsigned long long)ipa, (unsigned long long)f->elr);
	else
		partition_fault(v->part, FAULT_DABT, "%u-byte %s of IPA 0x%llx at 0x%llx", d.width,
				d.write ? "write" : "read", (unsigned long long)ipa,
				(unsigned long long)f->elr);
	inject_sea(f, false, d.write);
}

/* The bits of an access of 1 << sas bytes. */
static const uint64_t width_mask[4] = { 0xff, 0xffff, 0xffffffff, ~0ULL };

/* A sign-extending load of 1 << sas bytes into an X (sf) or W register. */
static uint64_t dabt_sign_extend(uint64_t val, unsigned sas, bool sf)
{
	unsigned sh = 64 - (8u << sas);

	val = (uint64_t)((int64_t)(val << sh) >> sh);
	return sf ? val : val & 0xffffffffULL;
}

/* The emulated access itself, for both paths: a store's value from its
 * register, the bus, a load's value written back as the load would have.
 * 0 done; -1 refused by the bus (nothing happened). */
static inline int dabt_emulate(struct vcpu *v, struct trap_frame *f, struct dabt_info d, ipa_t ipa)
{
	uint64_t val = 0;

	if (d.write) {
		val = reg_get(f, d.reg) & width_mask[__builtin_ctz(d.width)];
	}
	if (__builtin_expect(mmio_access(&v->mmio, &v->part->mmio, ipa, d.width, d.write, &val), 0))
		return -1;
	if (!d.write) {
		val &= width_mask[__builtin_ctz(d.width)];
		if (d.sign_extend)
			val = dabt_sign_extend(val, (unsigned)__builtin_ctz(d.width), d.sf);
		reg_set(f, d.reg, val);
	}
	return 0;
}

/* An emulated MMIO access: decode the syndrome, let the partition's bus
 * answer. */
static void trap_dabt(struct vcpu *v, struct trap_frame *f, uint64_t esr)
{
	struct dabt_info d = esr_decode_dabt(esr);
	ipa_t ipa = fault_ipa();

	if (__builtin_expect(!d.valid || d.s1ptw, 0)) {
		dabt_refuse(v, f, esr, ipa, false);
		return;
	}
	if (__builtin_expect(dabt_emulate(v, f, d, ipa), 0)) {
		dabt_refuse(v, f, esr, ipa, true);
		return;
	}
	skip_insn(f, esr);
}

static void trap_iabt(struct vcpu *v, struct trap_frame *f, uint64_t esr)
{
	(void)esr;
	partition_fault(v->part, FAULT_IABT, "fetch from IPA 0x%llx", (unsigned long long)fault_ipa());
	inject_sea(f, true, false);
}

_Static_assert(TRAP_EC_DABT_LOW == EC_DABT_LOW, "vectors.S");

static const trap_fn guest_sync_table[EC_MAX + 1] = {
	[EC_WFX] = trap_wfx,
	[EC_HVC64] = trap_hvc,
	[EC_SMC64] = trap_smc,
	[EC_SYS64] = trap_sysreg,
	[EC_IABT_LOW] = trap_iabt,
	[EC_DABT_LOW] = trap_dabt,
};

/* Interrupts of the hypervisor's own device drivers (SPIs). */
#define HV_IRQ_FIRST 32
#define HV_IRQ_COUNT 96
static struct {
	void (*fn)(void *ctx);
	void *ctx;
} hv_irqs[HV_IRQ_COUNT];

/* Where the drivers' interrupts go: the first CPU no partition owns, so no
 * partition pays for another's completions; CPU 0 when every CPU is owned. */
static unsigned irq_cpu(void)
{
	for (unsigned cpu = 0; hv_config && cpu < CONFIG_NR_CPUS_PLATFORM; cpu++) {
		bool owned = false;
		for (unsigned i = 0; i < hv_config->nparts; i++)
			for (unsigned j = 0; j < hv_config->parts[i].ncpus; j++)
				owned |= hv_config->parts[i].cpus[j] == cpu;
		if (!owned)
			return cpu;
	}
	return 0;
}

void hv_irq_register(uint32_t intid, void (*fn)(void *ctx), void *ctx)
{
	if (intid < HV_IRQ_FIRST || intid >= HV_IRQ_FIRST + HV_IRQ_COUNT)
		PANIC("interrupt %u cannot be registered", intid);
	hv_irqs[intid - HV_IRQ_FIRST].ctx = ctx;
	__atomic_store_n(&hv_irqs[intid - HV_IRQ_FIRST].fn, fn, __ATOMIC_RELEASE);
	irqchip->spi_route(intid, irq_cpu());
	irqchip->spi_enable(intid, true);
}

/* Physical interrupts at EL2. EOImode 1: EOIR drops priority, DIR
 * deactivates; the guest's virtual timer and the SPIs bound to partitions
 * stay active until the guest deactivates its virtual copy (list register
 * HW bit). The work SGI runs this CPU's work queue here, with no lock
 * held. Anything work for a vCPU is done by vcpu_before_entry() on the way
 * back to the guest. */
void irq_handle(void)
{
	uint32_t iar = irqchip->ack(), intid = IRQCHIP_INTID(iar);
	struct vcpu *v = this_cpu()->vcpu;
	struct vgic *g;

	/* One interrupt per exception: another one pending is taken again as
	 * soon as this returns, and the common case (a guest's timer) reads
	 * the acknowledge register once. */
	if (intid >= 1020)
		return;
	this_cpu()->irqs++;
	irqchip->eoi(iar);
	switch (intid) {
	case VGIC_PPI_VTIMER:
		if (v) {
			vgic_inject_hw(&v->part->vgic, v->idx, intid);
			return; /* deactivated by the guest */
		}
		write_sysreg(cntv_ctl_el0, 0);
		break;
	case PLATFORM_HV_TIMER_PPI:
		timer_hv_disarm();
		console_flush_partial();
		break;
	case PLATFORM_UART_INTID:
		console_input_poll();
		break;
	case VGIC_PPI_MAINT:
		/* Level: asserted until the list registers are folded back,
		 * so do it now, not only on the way out. */
		if (v)
			vgic_maintenance(&v->part->vgic, v->idx);
		break;
	case SGI_KICK:
		break;
	case SGI_WORK:
		/* Done with the SGI first: a post while the items run makes
		 * it pending again, to be taken after this returns. */
		irqchip->deactivate(iar);
		workq_run_local();
		return;
	default:
		/* An SPI bound to a partition (vgic_bind_hw_spi): latched in
		 * its vGIC for the target vCPU (a list register at once when
		 * that is the vCPU here), whose CPU is kicked if it is
		 * another; deactivated by the guest. */
		if ((g = vgic_hw_spi_owner(intid))) {
			vgic_hw_spi_fire(g, intid);
			return;
		}
		if (intid >= HV_IRQ_FIRST && intid < HV_IRQ_FIRST + HV_IRQ_COUNT) {
			void (*fn)(void *) = __atomic_load_n(&hv_irqs[intid - HV_IRQ_FIRST].fn,
							       __ATOMIC_ACQUIRE);
			if (fn) {
				fn(hv_irqs[intid - HV_IRQ_FIRST].ctx);
				break;
			}
		}
		WARN("unexpected interrupt %u", intid);
	}
	irqchip->deactivate(iar);
}

/* The first FP/SIMD instruction at EL2 since a guest trapped (CPTR_EL2.TFP,
 * set by the vector): the registers are the guest's, so keep them and let
 * the hypervisor have the unit until the way back. */
static void fpsimd_claim(void)
{
	struct percpu *c = this_cpu();

	write_sysreg(cptr_el2, CPTR_EL2_GUEST);
	isb();
	if (!c->fp_saved) {
		fpsimd_save(&c->fp);
		c->fp_saved = true;
	}
}

/* On the way back to a guest: its FP/SIMD registers, if they were put
 * aside, and the unit untrapped for it (the ERET synchronizes). */
static inline void fpsimd_return_on(struct percpu *c)
{
	if (__builtin_expect(c->fp_saved, 0)) {
		write_sysreg(cptr_el2, CPTR_EL2_GUEST);
		isb();
		fpsimd_load(&c->fp);
		c->fp_saved = false;
		return;
	}
	write_sysreg(cptr_el2, CPTR_EL2_GUEST);
}

static inline void fpsimd_return(void)
{
	fpsimd_return_on(this_cpu());
}

void hv_trap(struct trap_frame *f, trap_kind_t kind);
void hv_trap(struct trap_frame *f, trap_kind_t kind)
{
	struct vcpu *v = this_cpu()->vcpu;
	uint64_t esr;

	switch (kind) {
	case TRAP_LOW_SYNC: {
		esr = read_sysreg(esr_el2);
		trap_fn fn = guest_sync_table[ESR_EC(esr)];
		if (fn) {
			fn(v, f, esr);
		} else {
			partition_fault(v->part, FAULT_EC, "EC 0x%x at 0x%llx", ESR_EC(esr),
					(unsigned long long)f->elr);
			inject_undef(f);
		}
		break;
	}
	case TRAP_EL2_IRQ:
		irq_handle();
		return;
	case TRAP_EL2_SYNC:
		esr = read_sysreg(esr_el2);
		if (ESR_EC(esr) != EC_FP_ASIMD)
			PANIC("EL2 exception: ESR 0x%llx ELR 0x%llx FAR 0x%llx",
			      (unsigned long long)esr, (unsigned long long)f->elr,
			      (unsigned long long)read_sysreg(far_el2));
		fpsimd_claim();
		return;
	case TRAP_LOW_IRQ:
		irq_handle();
		break;
	case TRAP_LOW_FIQ:
		break;
	case TRAP_LOW_SERROR:
		partition_fault(v->part, FAULT_SERROR, "ESR 0x%llx",
				(unsigned long long)read_sysreg(esr_el2));
		break;
	default:
		PANIC("EL2 exception: kind %d ESR 0x%llx ELR 0x%llx FAR 0x%llx", kind,
		      (unsigned long long)read_sysreg(esr_el2), (unsigned long long)f->elr,
		      (unsigned long long)read_sysreg(far_el2));
	}
	vcpu_before_entry(v);
	fpsimd_return();
}

/* A data abort on a register the vCPU's MMIO cache knows, done: the
 * store's value from the frame, or the load's into it. DABT_FAST_SLOW
 * (nothing done) otherwise. */
static inline __attribute__((always_inline)) int dabt_cached(uint64_t esr, struct trap_frame *f,
							    struct vcpu *v)
{
	uint64_t rt = (esr >> ISS_DA_SRT_SHIFT) & 31;
	unsigned sas = (unsigned)(esr >> ISS_DA_SAS_SHIFT) & 3;
	const struct mmio_cache_entry *e;

	if (__builtin_expect(!(esr & ISS_DA_ISV), 0))
		return DABT_FAST_SLOW;
	if (__builtin_expect(!!(esr & ISS_DA_S1PTW), 0))
		return DABT_FAST_SLOW;
	e = mmio_cache_find(&v->mmio, fault_ipa(), sas);
	if (__builtin_expect(!e, 0))
		return DABT_FAST_SLOW;
	if (esr & ISS_DA_WNR) {
		mmio_cache_write(e, 1u << sas, rt == 31 ? 0 : f->x[rt] & width_mask[sas]);
	} else {
		uint64_t val = mmio_cache_read(e, 1u << sas);
		/* Decoded again from the syndrome rather than kept across
		 * the call: fewer registers to save. */
		__asm__("" : "+r"(esr));
		rt = (esr >> ISS_DA_SRT_SHIFT) & 31;
		val &= width_mask[(esr >> ISS_DA_SAS_SHIFT) & 3];
		if (__builtin_expect(!!(esr & ISS_DA_SSE), 0))
			val = dabt_sign_extend(val, (esr >> ISS_DA_SAS_SHIFT) & 3, esr & ISS_DA_SF);
		if (rt != 31)
			f->x[rt] = val;
	}
	return DABT_FAST_DONE;
}

/* The data abort's fast path, called by vectors.S with only x0..x18,
 * x30, ELR and SPSR in the frame (x19..x29 are still the guest's, kept by
 * this C code as callee-saved registers) and FP/SIMD trapped; only the
 * AArch64 vector comes here, so the instruction is 4 bytes. An access to
 * or from x0..x18, x30 or xzr, of a register this vCPU's MMIO cache
 * knows, completes here. One to or from x19..x29 is DABT_FAST_REGS:
 * vectors.S puts those in the frame too and calls trap_dabt_regs().
 * Anything else is left untouched for the whole path (DABT_FAST_SLOW),
 * which decodes it again and, for a register not yet known, fills the
 * cache. */
int trap_dabt_fast(uint64_t esr, struct trap_frame *f);
int trap_dabt_fast(uint64_t esr, struct trap_frame *f)
{
	struct percpu *c = this_cpu();
	struct vcpu *v;

	if (__builtin_expect(((esr >> ISS_DA_SRT_SHIFT) & 31) - 19 <= 29 - 19, 0))
		return DABT_FAST_REGS;
	if (__builtin_expect(dabt_cached(esr, f, c->vcpu) != DABT_FAST_DONE, 0))
		return DABT_FAST_SLOW;
	/* vcpu_before_entry()'s work, but for the stop request: that is
	 * only ever made for another vCPU, whose CPU is then kicked (an
	 * interrupt taken as soon as the guest runs, and the whole path
	 * looks). The vGIC may have been changed by this very access. */
	c = this_cpu();
	v = c->vcpu;
	if (__builtin_expect(*(volatile uint32_t *)&v->vgic_cpu->dirty, 0)) {
		f->elr += 4;
		return DABT_FAST_FINISH;
	}
	write_sysreg(elr_el2, f->elr + 4);
	if (__builtin_expect(c->fp_saved, 0))
		write_sysreg(spsr_el2, f->spsr); /* an FP trap at EL2 changed it */
	fpsimd_return_on(c);
	return DABT_FAST_DONE;
}

/* After trap_dabt_fast(), with the frame completed (vectors.S). */
void trap_dabt_fast_finish(struct trap_frame *f, int how);
void trap_dabt_fast_finish(struct trap_frame *f, int how)
{
	if (how == DABT_FAST_SLOW) {
		hv_trap(f, TRAP_LOW_SYNC);
		return;
	}
	vcpu_before_entry(this_cpu()->vcpu);
	fpsimd_return();
}

/* trap_dabt_fast() for a load or store of x19..x29, with the whole frame
 * (vectors.S restores it all). */
void trap_dabt_regs(struct trap_frame *f);
void trap_dabt_regs(struct trap_frame *f)
{
	struct percpu *c = this_cpu();

	if (dabt_cached(read_sysreg(esr_el2), f, c->vcpu) != DABT_FAST_DONE) {
		hv_trap(f, TRAP_LOW_SYNC);
		return;
	}
	f->elr += 4;
	/* As trap_dabt_fast(): only the vGIC can have changed here. */
	if (__builtin_expect(*(volatile uint32_t *)&c->vcpu->vgic_cpu->dirty, 0))
		vcpu_before_entry(c->vcpu);
	fpsimd_return_on(c);
}

#define SCTLR_EL1_RESET 0x30d00800UL

/* Every EL1 register a guest could have left behind: a (re)started vCPU
 * begins from architectural reset values, whatever ran before. */
static void reset_el1_state(void)
{
	write_sysreg(sctlr_el1, SCTLR_EL1_RESET);
	write_sysreg(ttbr0_el1, 0);
	write_sysreg(ttbr1_el1, 0);
	write_sysreg(tcr_el1, 0);
	write_sysreg(mair_el1, 0);
	write_sysreg(amair_el1, 0);
	write_sysreg(vbar_el1, 0);
	write_sysreg(contextidr_el1, 0);
	write_sysreg(tpidr_el0, 0);
	write_sysreg(tpidrro_el0, 0);
	write_sysreg(tpidr_el1, 0);
	write_sysreg(sp_el0, 0);
	write_sysreg(sp_el1, 0);
	write_sysreg(elr_el1, 0);
	write_sysreg(spsr_el1, 0);
	write_sysreg(esr_el1, 0);
	write_sysreg(far_el1, 0);
	write_sysreg(par_el1, 0);
	write_sysreg(cpacr_el1, 0);
	write_sysreg(csselr_el1, 0);
	write_sysreg(mdscr_el1, 0);
	write_sysreg(cntkctl_el1, 0);
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntv_cval_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
	write_sysreg(cntp_cval_el0, 0);
}

_Noreturn void vcpu_enter(struct vcpu *v)
{
	struct trap_frame *f = &this_cpu()->entry_frame;

	this_cpu()->vcpu = v;
	stage2_activate(v->part);
	write_sysreg(cntvoff_el2, 0);
	write_sysreg(cnthctl_el2, 3); /* EL1 physical counter and timer accessible */
	write_sysreg(hcr_el2, HCR_GUEST);
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, (1ULL << 31) | v->idx);
	reset_el1_state();
	isb();
	vgic_vcpu_reset(&v->part->vgic, v->idx);
	vgic_hw_enable();
	*f = (struct trap_frame){ .elr = v->entry, .spsr = PSR_MODE_EL1h | PSR_DAIF };
	f->x[0] = v->ctx;
	/* FP/SIMD registers from reset, not what ran here before. */
	this_cpu()->fp = (struct fpsimd_state){ 0 };
	this_cpu()->fp_saved = true;
	vcpu_before_entry(v);
	fpsimd_return();
	arch_enter_frame(f, hv_stack_top(this_cpu()->id));
}
