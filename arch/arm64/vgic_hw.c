/* The GICv3 virtual CPU interface: list registers and ICH_HCR_EL2, for
 * core/vgic.c. Only the physical CPU running a vCPU calls these. */
#include <arch/cpu.h>
#include <arch/sysreg.h>
#include <drivers/drivers.h>
#include <hv/gic_lr.h>
#include <hv/vgic.h>
#include <platform.h>

#define ICH_HCR_EN BIT(0)
#define ICH_HCR_UIE BIT(1)

/* ICH_VTR_EL2.ListRegs, read once: the same on every CPU of the board. */
static unsigned nr_lrs;

unsigned arch_vgic_nr_lrs(void)
{
	unsigned n = __atomic_load_n(&nr_lrs, __ATOMIC_RELAXED);

	if (__builtin_expect(n == 0, 0)) {
		n = (unsigned)(read_sysreg(S3_4_C12_C11_1) & 0x1f) + 1;
		n = n > VGIC_MAX_LRS ? VGIC_MAX_LRS : n;
		__atomic_store_n(&nr_lrs, n, __ATOMIC_RELAXED);
	}
	return n;
}

#define LR_CASE(n, crm, op2)                                   \
	case n:                                                \
		if (write)                                     \
			write_sysreg(S3_4_C12_##crm##_##op2, v); \
		else                                           \
			v = read_sysreg(S3_4_C12_##crm##_##op2); \
		break;

static uint64_t lr_access(unsigned i, bool write, uint64_t v)
{
	switch (i) {
		LR_CASE(0, C12, 0)
		LR_CASE(1, C12, 1)
		LR_CASE(2, C12, 2)
		LR_CASE(3, C12, 3)
		LR_CASE(4, C12, 4)
		LR_CASE(5, C12, 5)
		LR_CASE(6, C12, 6)
		LR_CASE(7, C12, 7)
		LR_CASE(8, C13, 0)
		LR_CASE(9, C13, 1)
		LR_CASE(10, C13, 2)
		LR_CASE(11, C13, 3)
		LR_CASE(12, C13, 4)
		LR_CASE(13, C13, 5)
		LR_CASE(14, C13, 6)
		LR_CASE(15, C13, 7)
	}
	return v;
}

void arch_vgic_read_lr(unsigned i, struct vgic_lr *lr)
{
	ich_lr_decode(lr_access(i, false, 0), lr);
}

void arch_vgic_write_lr(unsigned i, const struct vgic_lr *lr)
{
	lr_access(i, true, ich_lr_encode(lr));
}

void arch_vgic_set_underflow(bool on)
{
	uint64_t hcr = read_sysreg(S3_4_C12_C11_0);
	write_sysreg(S3_4_C12_C11_0, on ? hcr | ICH_HCR_UIE : hcr & ~ICH_HCR_UIE);
}

void arch_vgic_deactivate_phys(uint32_t intid)
{
	/* Through the redistributor or the distributor, not ICC_DIR_EL1:
	 * defined whether or not the interrupt is active, and from any CPU for
	 * an SPI. */
	if (intid < 32)
		gicv3_clear_active_ppi(this_cpu()->id, intid);
	else
		gicv3_spi_clear_active(intid);
}

void arch_vgic_spi_enable(uint32_t intid, bool on)
{
	gicv3_spi_set_enable(intid, on);
}

void arch_vgic_spi_pend(uint32_t intid, bool on)
{
	gicv3_spi_set_pending(intid, on);
}

void arch_vgic_spi_priority(uint32_t intid, uint8_t prio)
{
	gicv3_spi_set_priority(intid, prio);
}

void arch_vgic_spi_trigger(uint32_t intid, bool level)
{
	gicv3_spi_set_trigger(intid, level);
}

void arch_vgic_spi_route(uint32_t intid, unsigned pcpu)
{
	gicv3_spi_set_route(intid, PLATFORM_CPU_MPIDR(pcpu));
}

int arch_vgic_local_vcpu(const struct vgic *g)
{
	struct vcpu *v = this_cpu()->vcpu;
	return v && &v->part->vgic == g ? (int)v->idx : -1;
}

void arch_kick_cpu(unsigned pcpu)
{
	arch_send_sgi(pcpu, SGI_KICK);
}

/* A vCPU starts on this CPU: virtual CPU interface on, empty. */
void vgic_hw_enable(void)
{
	unsigned prebits = (unsigned)((read_sysreg(S3_4_C12_C11_1) >> 26) & 7) + 1; /* ICH_VTR */

	/* Active priorities: a vCPU that stopped inside a handler must not
	 * start again with its running priority raised. */
	write_sysreg(S3_4_C12_C8_0, 0); /* ICH_AP0R0_EL2 */
	write_sysreg(S3_4_C12_C9_0, 0); /* ICH_AP1R0_EL2 */
	if (prebits >= 6) {
		write_sysreg(S3_4_C12_C8_1, 0);
		write_sysreg(S3_4_C12_C9_1, 0);
	}
	if (prebits >= 7) {
		write_sysreg(S3_4_C12_C8_2, 0);
		write_sysreg(S3_4_C12_C8_3, 0);
		write_sysreg(S3_4_C12_C9_2, 0);
		write_sysreg(S3_4_C12_C9_3, 0);
	}
	write_sysreg(S3_4_C12_C11_7, 0); /* ICH_VMCR_EL2 */
	write_sysreg(S3_4_C12_C11_0, ICH_HCR_EN);
	isb();
}

void vgic_hw_disable(void)
{
	write_sysreg(S3_4_C12_C11_0, 0);
	isb();
}
