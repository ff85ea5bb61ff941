/* Memory-mapped sensor registers: a 32-bit word per sensor holding a signed
 * reading, as SoC ADC and thermal blocks present them (on QEMU, a page of
 * the shared RAM backend the test writes from the host). The hypervisor's
 * map reaches them: device memory in the MMIO window, or RAM outside
 * every partition's (core/config_sensors.c checks). The formats besides
 * plain milli-units (the ZynqMP SYSMON's) are written from the data sheet
 * and not yet tested on hardware. */
#include <hv/sensor.h>

bool sensor_regs_read(const struct sensor *s, int64_t *value)
{
	*value = sensor_convert((enum sensor_format)s->index, *(volatile const uint32_t *)s->hw);
	return true;
}
