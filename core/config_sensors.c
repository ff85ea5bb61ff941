/* /sensors: the sensors the platform reads and serves over SCMI (SENS-1),
 * each a 32-bit register at a physical address holding a signed reading in
 * milli-units (m°C, mV, mA, mW): a memory-mapped sensor block, as many SoC
 * ADC and thermal units are (drivers/sensor_regs.c reads them). A partition
 * is given sensors by name in its virtio-scmi node (vdev/virtio_scmi.c).
 *
 *     sensors {
 *         coolant-temp { reg = <0x0 0xbffff000>; type = "temperature"; };
 *     };
 *
 * format: "milli" (the default), or one of a real SoC's sensor units
 * (hv/sensor.h: the ZynqMP's SYSMON), converted by the driver. */
#include <hv/config_schema.h>
#include <hv/sensor.h>
#include <libfdt.h>
#include <platform.h>
#include <string.h>

static void parse_sensor(struct cfg_parser *p, int child, unsigned idx)
{
	static const char *const props[] = { "reg", "type", "format", NULL };
	static const char *const formats[] = { "milli", "sysmon-temp", "sysmon-supply",
					       NULL };
	static const char *const types[] = { "temperature", "voltage", "current", "power", NULL };
	static const uint8_t type_of[] = { SENSOR_TEMPERATURE_C, SENSOR_VOLTAGE, SENSOR_CURRENT,
					   SENSOR_POWER };
	struct sensor_config *s = &p->cfg->sensor[idx];
	const void *reg;
	int len, t;

	check_known(p, child, props, NULL);
	strcpy(s->name, cfdt_get_name(p->fdt, child, NULL));
	if (strlen(s->name) > SENSOR_NAME_MAX)
		perr(p, child, NULL, "a sensor's name has at most %d characters", SENSOR_NAME_MAX);
	reg = cfdt_getprop(p->fdt, child, "reg", &len);
	if (!reg)
		perr(p, child, "reg", "missing");
	else if (len != 8)
		perr(p, child, "reg", "must be one 64-bit address (two cells)");
	else if ((s->reg = be_cells(reg, 2)) % 4)
		perr(p, child, "reg", "0x%llx is not 4-byte aligned", (unsigned long long)s->reg);
	if (!cfdt_getprop(p->fdt, child, "type", NULL)) {
		perr(p, child, "type", "missing");
		return;
	}
	t = cfg_choice(p, child, "type", types, -1);
	if (t >= 0) {
		s->type = type_of[t];
		s->exponent = -3;
	}
	s->format = (uint8_t)cfg_choice(p, child, "format", formats, SENSOR_FMT_MILLI);
	if (s->format == SENSOR_FMT_SYSMON_TEMP && t >= 0 && type_of[t] != SENSOR_TEMPERATURE_C)
		perr(p, child, "format", "a SYSMON temperature is a temperature");
	if (s->format == SENSOR_FMT_SYSMON_SUPPLY && t >= 0 && type_of[t] != SENSOR_VOLTAGE)
		perr(p, child, "format", "a SYSMON supply is a voltage");
}

void parse_sensors(struct cfg_parser *p)
{
	p->cfg->nsensors = cfg_named_children(p, "sensors", "sensor", CFG_MAX_SENSORS, false,
					      parse_sensor);
}

/* A register inside a partition's memory would let that partition write
 * what every partition reads; inside the hypervisor's, it is not a sensor. */
void check_sensors(struct cfg_parser *p)
{
	const struct hv_config *cfg = p->cfg;
	int node = cfdt_subnode_offset(p->fdt, 0, "sensors");

	for (unsigned i = 0; i < cfg->nsensors; i++) {
		const struct sensor_config *s = &cfg->sensor[i];
		int child = node < 0 ? -1 : cfdt_subnode_offset(p->fdt, node, s->name);
		/* The hypervisor's own map reaches RAM and the board's device
		 * window; a register elsewhere would fault it at the first read. */
		if (!range_within(s->reg, 4, p->plat->ram.base, p->plat->ram.size) &&
		    !range_within(s->reg, 4, PLATFORM_DEVICE_BASE, PLATFORM_DEVICE_SIZE))
			perr(p, child, "reg", "0x%llx is neither in RAM nor in the board's device window",
			     (unsigned long long)s->reg);
		if (range_overlaps(s->reg, 4, p->plat->hv.base, p->plat->hv.size))
			perr(p, child, "reg", "0x%llx is in the hypervisor's memory",
			     (unsigned long long)s->reg);
		for (unsigned a = 0; a < cfg->nparts; a++)
			for (unsigned j = 0; j < cfg->parts[a].nmem; j++)
				if (range_overlaps(s->reg, 4, cfg->parts[a].mem[j].base,
						   cfg->parts[a].mem[j].size))
					perr(p, child, "reg", "0x%llx is in the memory of /partitions/%s",
					     (unsigned long long)s->reg, cfg->parts[a].name);
	}
}

int cfg_sensor(const struct hv_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->nsensors; i++)
		if (strcmp(cfg->sensor[i].name, name) == 0)
			return (int)i;
	return -1;
}
