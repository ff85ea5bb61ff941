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

/* How a sensor register holds its reading (s->index of a register
 * sensor): */
enum sensor_format {
	SENSOR_FMT_MILLI,        /* a signed 32-bit reading in milli-units */
	/* Xilinx ZynqMP AMS SYSMON (UG1085, "System Monitor"), 16-bit
	 * results: temperature raw * 509.3140064 / 2^16 - 280.2308787 °C;
	 * a supply raw * 3 / 2^16 V. */
	SENSOR_FMT_SYSMON_TEMP,
	SENSOR_FMT_SYSMON_SUPPLY,
};

/* A register's raw 32-bit value as a reading in milli-units. */
int64_t sensor_convert(enum sensor_format f, uint32_t raw);

/* The memory-mapped sensor register (drivers/sensor_regs.c): s->hw is
 * its physical address, s->index its enum sensor_format. */
bool sensor_regs_read(const struct sensor *s, int64_t *value);

#endif
