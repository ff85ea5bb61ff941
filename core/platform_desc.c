/* The board as the partition file is checked against, from Kconfig: the
 * same values in the host checker and in the hypervisor. */
#include <hv/boot.h>

void platform_desc_get(struct platform_desc *pd)
{
	pd->ram = (struct mem_range){ CONFIG_RAM_BASE, CONFIG_RAM_SIZE };
	pd->hv = (struct mem_range){ CONFIG_HV_MEM_BASE, CONFIG_HV_MEM_SIZE };
	pd->ncpus = CONFIG_NR_CPUS_PLATFORM;
}
