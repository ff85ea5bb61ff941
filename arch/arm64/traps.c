/* Exception handling at EL2. Guest synchronous exceptions dispatch through
 * a const table indexed by ESR_EL2.EC; a missing entry injects an
 * undefined-instruction exception into the guest. Each handler decodes and
 * checks first, then acts. */
#include <arch/cpu.h>
#include <arch/esr.h>
#include <arch/sysreg.h>
#include <drivers/drivers.h>
#include <hv/log.h>
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
	(void)esr;
	f->elr += 4; /* a trapped SMC returns to the SMC itself */
	do_call(v, f);
}

static void trap_wfx(struct vcpu *v, struct trap_frame *f, uint64_t esr)
{
	(void)v;
	(void)esr;
	f->elr += 4;
}

static void trap_sysreg(struct vcpu *v, struct trap_frame *f, uint64_t esr)
{
	struct sysreg_info s = esr_decode_sysreg(esr);

	/* No system register is emulated yet: every trapped one is refused. */
	partition_fault(v->part, FAULT_SYSREG, "%s S%u_%u_C%u_C%u_%u at 0x%llx",
			s.read ? "read of" : "write to", s.op0, s.op1, s.crn, s.crm, s.op2,
			(unsigned long long)f->elr);
	inject_undef(f);
}

static ipa_t fault_ipa(void)
{
	return ((read_sysreg(hpfar_el2) & 0xfffffffffff0ULL) << 8) | (read_sysreg(far_el2) & 0xfff);
}

static void trap_dabt(struct vcpu *v, struct trap_frame *f, uint64_t esr)
{
	struct dabt_info d = esr_decode_dabt(esr);
	ipa_t ipa = fault_ipa();
	uint64_t val = 0;

	if (!d.valid || d.s1ptw) {
		partition_fault(v->part, FAULT_DABT, "unemulatable access to IPA 0x%llx at 0x%llx",
				(unsigned long long)ipa, (unsigned long long)f->elr);
		inject_sea(f, false, d.write);
		return;
	}
	if (d.write) {
		val = reg_get(f, d.reg);
		if (d.width < 8)
			val &= (1ULL << (d.width * 8)) - 1;
	}
	if (mmio_bus_access(&v->part->mmio, ipa, d.width, d.write, &val)) {
		partition_fault(v->part, FAULT_DABT, "%u-byte %s of IPA 0x%llx at 0x%llx", d.width,
				d.write ? "write" : "read", (unsigned long long)ipa,
				(unsigned long long)f->elr);
		inject_sea(f, false, d.write);
		return;
	}
	if (!d.write) {
		if (d.sign_extend && d.width < 8) {
			unsigned sh = 64 - d.width * 8;
			val = (uint64_t)((int64_t)(val << sh) >> sh);
		}
		if (!d.sf)
			val &= 0xffffffffULL;
		reg_set(f, d.reg, val);
	}
	f->elr += 4;
}

static void trap_iabt(struct vcpu *v, struct trap_frame *f, uint64_t esr)
{
	(void)esr;
	partition_fault(v->part, FAULT_IABT, "fetch from IPA 0x%llx", (unsigned long long)fault_ipa());
	inject_sea(f, true, false);
}

static const trap_fn guest_sync_table[EC_MAX + 1] = {
	[EC_WFX] = trap_wfx,
	[EC_HVC64] = trap_hvc,
	[EC_SMC64] = trap_smc,
	[EC_SYS64] = trap_sysreg,
	[EC_IABT_LOW] = trap_iabt,
	[EC_DABT_LOW] = trap_dabt,
};

void irq_handle(void)
{
	uint32_t intid;

	while ((intid = gicv3_ack()) < 1020) {
		this_cpu()->irqs++;
		if (intid == PLATFORM_HV_TIMER_PPI)
			timer_hv_disarm();
		else
			WARN("unexpected interrupt %u", intid);
		gicv3_eoi(intid);
	}
}

void hv_trap(struct trap_frame *f, trap_kind_t kind);
void hv_trap(struct trap_frame *f, trap_kind_t kind)
{
	struct vcpu *v = this_cpu()->vcpu;
	uint64_t esr = read_sysreg(esr_el2);

	switch (kind) {
	case TRAP_LOW_SYNC: {
		trap_fn fn = guest_sync_table[ESR_EC(esr)];
		if (fn) {
			fn(v, f, esr);
		} else {
			partition_fault(v->part, FAULT_EC, "EC 0x%x at 0x%llx", ESR_EC(esr),
					(unsigned long long)f->elr);
			inject_undef(f);
		}
		return;
	}
	case TRAP_LOW_IRQ:
	case TRAP_EL2_IRQ:
		irq_handle();
		return;
	case TRAP_LOW_FIQ:
		return;
	case TRAP_LOW_SERROR:
		partition_fault(v->part, FAULT_SERROR, "ESR 0x%llx", (unsigned long long)esr);
		return;
	default:
		PANIC("EL2 exception: kind %d ESR 0x%llx ELR 0x%llx FAR 0x%llx", kind,
		      (unsigned long long)esr, (unsigned long long)f->elr,
		      (unsigned long long)read_sysreg(far_el2));
	}
}

#define SCTLR_EL1_RESET 0x30d00800UL

_Noreturn void vcpu_enter(struct vcpu *v, uint64_t x0)
{
	struct trap_frame *f = &this_cpu()->entry_frame;

	this_cpu()->vcpu = v;
	stage2_activate(v->part);
	write_sysreg(sctlr_el1, SCTLR_EL1_RESET);
	write_sysreg(cntvoff_el2, 0);
	write_sysreg(cnthctl_el2, 3); /* EL1 physical counter and timer accessible */
	write_sysreg(hcr_el2, HCR_GUEST);
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, (1ULL << 31) | v->idx);
	isb();
	*f = (struct trap_frame){ .elr = v->part->entry, .spsr = PSR_MODE_EL1h | PSR_DAIF };
	f->x[0] = x0;
	arch_enter_frame(f, hv_stack_top(this_cpu()->id));
}
