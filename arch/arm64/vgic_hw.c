/* The vGIC's hooks into the CPU (include/hv/vgic.h) on the board's
 * interrupt controller (include/drivers/irqchip.h). Only the physical CPU
 * running a vCPU touches its virtual CPU interface. */
#include <arch/cpu.h>
#include <arch/ich.h>
#include <drivers/irqchip.h>
#include <hv/gic_lr.h>
#include <hv/vgic.h>

/* The interrupt paths' list-register operations: inline on GICv3, the
 * driver's on anything else. */
static inline bool ich(void)
{
	return irqchip == &gicv3_ops;
}

unsigned arch_vgic_nr_lrs(void)
{
	return irqchip->nr_lrs();
}

void arch_vgic_read_lr(unsigned i, struct vgic_lr *lr)
{
	irqchip->read_lr(i, lr);
}

void arch_vgic_write_lr(unsigned i, const struct vgic_lr *lr)
{
	irqchip->write_lr(i, lr);
}

uint8_t arch_vgic_lr_state(unsigned i)
{
	if (ich())
		return (uint8_t)(ich_lr_access(i, false, 0) >> ICH_LR_STATE_SHIFT);
	return irqchip->lr_state(i);
}

void arch_vgic_lr_pend(unsigned i, uint32_t intid, uint8_t prio, unsigned flags)
{
	if (ich())
		ich_lr_access(i, true, ich_lr_pending(intid, prio, flags));
	else
		irqchip->lr_pend(i, intid, prio, flags);
}

void arch_vgic_set_underflow(bool on)
{
	irqchip->set_underflow(on);
}

/* Through the distributor (or the redistributor), not the CPU interface's
 * deactivation: defined whether or not the interrupt is active, and from
 * any CPU for an SPI. */
void arch_vgic_deactivate_phys(uint32_t intid)
{
	if (intid < 32)
		irqchip->clear_active_ppi(intid);
	else
		irqchip->spi_clear_active(intid);
}

void arch_vgic_spi_enable(uint32_t intid, bool on)
{
	irqchip->spi_enable(intid, on);
}

void arch_vgic_spi_pend(uint32_t intid, bool on)
{
	irqchip->spi_pend(intid, on);
}

void arch_vgic_spi_priority(uint32_t intid, uint8_t prio)
{
	irqchip->spi_priority(intid, prio);
}

void arch_vgic_spi_trigger(uint32_t intid, bool level)
{
	irqchip->spi_trigger(intid, level);
}

void arch_vgic_spi_route(uint32_t intid, unsigned pcpu)
{
	irqchip->spi_route(intid, pcpu);
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
	irqchip->vif_enable();
}

void vgic_hw_disable(void)
{
	irqchip->vif_disable();
}
