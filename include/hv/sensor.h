/* Sensors the platform reads for the partitions (SENS-1): each has a name,
 * an SCMI sensor type and unit exponent (a reading times 10^exponent is
 * the value in the type's unit: temperatures in degrees Celsius, voltages
 * in volts), and a read function given by the hypervisor's driver of the
 * hardware behind it (a register block, an ADC, a thermal unit). */
#ifndef HV_SENSOR_H
#define HV_SENSOR_H

#include <hv/types.h>

/* SCMI sensor types (DEN0056, from DMTF DSP0249) the drivers use. */
#define SENSOR_TEMPERATURE_C 2
#define SENSOR_VOLTAGE 5
#define SENSOR_CURRENT 6
#define SENSOR_POWER 7
#define SENSOR_PRESSURE_KPA 0x0f
#define SENSOR_RPM 0x13

#define SENSOR_NAME_MAX 15

struct sensor {
	char name[SENSOR_NAME_MAX + 1];
	uint8_t type;
	int8_t exponent; /* -16..15 */
	/* The current reading: true, or false when the hardware failed. */
	bool (*read)(const struct sensor *s, int64_t *value);
	const void *hw; /* the driver's */
	uint32_t index; /* the driver's: which of its channels */
};

/* The memory-mapped sensor register (drivers/sensor_regs.c): s->hw is
 * its physical address; a signed 32-bit reading. */
bool sensor_regs_read(const struct sensor *s, int64_t *value);

#endif
