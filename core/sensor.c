/* Sensor register formats: see include/hv/sensor.h. */
#include <hv/sensor.h>

int64_t sensor_convert(enum sensor_format f, uint32_t raw)
{
	int64_t r16 = raw & 0xffff;

	switch (f) {
	case SENSOR_FMT_SYSMON_TEMP:
		/* m°C = raw * 509314.0064 / 65536 - 280230.8787, rounded to
		 * the nearest: in 1/10000 m°C to keep the constants exact. */
	{
		int64_t v = r16 * 5093140064LL / 65536 - 2802308787LL;
		return (v >= 0 ? v + 5000 : v - 5000) / 10000;
	}
	case SENSOR_FMT_SYSMON_SUPPLY:
		return (r16 * 3000 + 32768) / 65536; /* mV */
	default:
		return (int32_t)raw;
	}
}
