/* The board as the partition file is checked against, from Kconfig and the
 * platform's header: the same values in the host checker and in the
 * hypervisor. The board's device tree is the caller's (the firmware's at
 * boot, --board on the host). */
#include <hv/boot.h>
#include <platform.h>

void platform_desc_get(struct platform_desc *pd)
{
	*pd = (struct platform_desc){ 0 };
	pd->ram = (struct mem_range){ CONFIG_RAM_BASE, CONFIG_RAM_SIZE };
	pd->hv = (struct mem_range){ CONFIG_HV_MEM_BASE, CONFIG_HV_MEM_SIZE };
	pd->ncpus = CONFIG_NR_CPUS_PLATFORM;
	/* What the hypervisor drives itself: no partition may be given it. */
	pd->hv_mmio[0] = (struct mem_range){ CONFIG_UART_BASE, 0x1000 };
	pd->hv_mmio_what[0] = "console UART";
	pd->hv_mmio[1] = (struct mem_range){ CONFIG_GICD_BASE, 0x10000 };
	pd->hv_mmio_what[1] = "GIC distributor";
	pd->hv_mmio[2] = (struct mem_range){ CONFIG_GICR_BASE,
					     CONFIG_NR_CPUS_PLATFORM * PLATFORM_GICR_STRIDE };
	pd->hv_mmio_what[2] = "GIC redistributors";
	pd->nhv_mmio = 3;
	pd->hv_intid = PLATFORM_UART_INTID;
}
