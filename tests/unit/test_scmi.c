/* The SCMI platform's message handling (core/scmi.c), message by message
 * as Linux 6.1 and 6.12 send them at probe and on each read, and every
 * malformed message with its status: the header echoed, the reply never
 * longer than the room given, an agent's sensors numbered from 0 and
 * nothing of another's visible, configuration per agent.
 * Layouts written out here from DEN0056 and [VIRTIO] 5.17, not taken from
 * the code.
 * proves: SENS-1, SENS-3 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <hv/scmi.h>

static int64_t value[4] = { 45500, 13800, -40000, 101 };
static bool broken[4];
static bool fake_read(const struct sensor *s, int64_t *v)
{
	if (broken[s->index])
		return false;
	*v = value[s->index];
	return true;
}

static const struct sensor coolant = { "coolant", SENSOR_TEMPERATURE_C, -3, fake_read, NULL, 0 };
static const struct sensor battery = { "battery", SENSOR_VOLTAGE, -3, fake_read, NULL, 1 };
static const struct sensor outside = { "outside-air", SENSOR_TEMPERATURE_C, -3, fake_read, NULL, 2 };
static const struct sensor oil = { "oil-pressure", SENSOR_PRESSURE_KPA, 0, fake_read, NULL, 3 };

static struct scmi_agent cluster, ivi;
static uint8_t msg[64], resp[SCMI_MSG_MAX + 64];
static struct scmi_delayed dl;

#define GUARD 0xa5

static uint32_t hdr(unsigned proto, unsigned id, unsigned token)
{
	return id | proto << 10 | token << 18;
}

static uint32_t w(size_t i) /* word i of the reply */
{
	return (uint32_t)resp[4 * i] | (uint32_t)resp[4 * i + 1] << 8 | (uint32_t)resp[4 * i + 2] << 16 |
	       (uint32_t)resp[4 * i + 3] << 24;
}

static void put(size_t i, uint32_t v)
{
	msg[4 * i] = (uint8_t)v;
	msg[4 * i + 1] = (uint8_t)(v >> 8);
	msg[4 * i + 2] = (uint8_t)(v >> 16);
	msg[4 * i + 3] = (uint8_t)(v >> 24);
}

/* Send header h with the n parameters that follow, room cap: the reply's
 * length; nothing written past cap. */
static size_t call(struct scmi_agent *a, uint32_t h, size_t n, size_t cap, ...)
{
	va_list ap;
	size_t len;

	put(0, h);
	va_start(ap, cap);
	for (size_t i = 0; i < n; i++)
		put(1 + i, va_arg(ap, uint32_t));
	va_end(ap);
	memset(resp, GUARD, sizeof(resp));
	len = scmi_request(a, msg, 4 + 4 * n, resp, cap, &dl);
	assert_true(len <= cap);
	for (size_t i = cap; i < sizeof(resp); i++)
		assert_int_equal(resp[i], GUARD);
	if (len >= 8) {
		assert_int_equal(w(0), h); /* the header, token included */
		if (w(1) != SCMI_SUCCESS)
			assert_int_equal(len, 8); /* only the status */
	}
	return len;
}

static int setup(void **state)
{
	(void)state;
	memset(broken, 0, sizeof(broken));
	scmi_agent_init(&cluster, 1, "cluster");
	scmi_agent_add(&cluster, &coolant);
	scmi_agent_add(&cluster, &battery);
	scmi_agent_add(&cluster, &outside);
	scmi_agent_add(&cluster, &oil);
	scmi_agent_init(&ivi, 2, "infotainment");
	scmi_agent_add(&ivi, &outside);
	return 0;
}

/* BASE as Linux probes it: VERSION, ATTRIBUTES (one protocol, no agent
 * count), VENDOR, SUB_VENDOR, IMPLEMENTATION_VERSION, LIST_PROTOCOLS of
 * exactly 16 bytes. */
static void test_base_probe(void **state)
{
	(void)state;
	assert_int_equal(call(&cluster, hdr(0x10, 0, 1), 0, 12), 12);
	assert_int_equal(w(1), 0);
	assert_int_equal(w(2), 0x20000);
	assert_int_equal(call(&cluster, hdr(0x10, 1, 2), 0, 12), 12);
	assert_int_equal(w(2), 1); /* [7:0] protocols besides BASE, [15:8] agents: 0 */
	assert_int_equal(call(&cluster, hdr(0x10, 3, 3), 0, 24), 24);
	assert_string_equal((char *)resp + 8, "Bulkhead");
	assert_int_equal(call(&cluster, hdr(0x10, 4, 4), 0, 24), 24);
	assert_string_equal((char *)resp + 8, "hypervisor");
	assert_int_equal(call(&cluster, hdr(0x10, 5, 5), 0, 12), 12);
	assert_int_equal(call(&cluster, hdr(0x10, 6, 6), 1, 136, 0), 16);
	assert_int_equal(w(1), 0);
	assert_int_equal(w(2), 1);
	assert_int_equal(w(3), 0x15);
	/* past the list: none; past its end: refused */
	assert_int_equal(call(&cluster, hdr(0x10, 6, 7), 1, 136, 1), 12);
	assert_int_equal(w(2), 0);
	assert_int_equal(call(&cluster, hdr(0x10, 6, 8), 1, 136, 2), 8);
	assert_int_equal((int32_t)w(1), SCMI_INVALID_PARAMETERS);
	/* messages it has, and one it has not */
	assert_int_equal(call(&cluster, hdr(0x10, 2, 9), 1, 136, 6), 12);
	assert_int_equal(call(&cluster, hdr(0x10, 2, 9), 1, 136, 9), 8);
	assert_int_equal((int32_t)w(1), SCMI_NOT_FOUND);
}

/* An agent knows itself and the platform, nothing of another agent. */
static void test_base_agents(void **state)
{
	(void)state;
	assert_int_equal(call(&ivi, hdr(0x10, 7, 1), 1, 28, 0xffffffffu), 28);
	assert_int_equal(w(2), 2);
	assert_string_equal((char *)resp + 12, "infotainment");
	assert_int_equal(call(&ivi, hdr(0x10, 7, 1), 1, 28, 2), 28); /* itself, by its id */
	assert_int_equal(w(2), 2);
	assert_int_equal(call(&ivi, hdr(0x10, 7, 1), 1, 28, 0), 28);
	assert_int_equal(w(2), 0);
	assert_int_equal(call(&ivi, hdr(0x10, 7, 1), 1, 28, 1), 8); /* the cluster */
	assert_int_equal((int32_t)w(1), SCMI_NOT_FOUND);
	assert_int_equal(call(&ivi, hdr(0x10, 7, 1), 1, 28, 77), 8);
	assert_int_equal((int32_t)w(1), SCMI_NOT_FOUND);
}

/* Malformed headers and lengths: each its status, never S_OK. */
static void test_malformed(void **state)
{
	(void)state;
	/* no header: nothing to answer; no room for one: nothing */
	put(0, hdr(0x10, 0, 1));
	assert_int_equal(scmi_request(&cluster, msg, 3, resp, 136, &dl), 0);
	assert_int_equal(scmi_request(&cluster, msg, 4, resp, 7, &dl), 0);
	/* reserved header bits, a delayed response or notification sent as a command */
	assert_int_equal(call(&cluster, hdr(0x10, 0, 1) | 1u << 28, 0, 136), 8);
	assert_int_equal((int32_t)w(1), SCMI_PROTOCOL_ERROR);
	assert_int_equal(call(&cluster, hdr(0x10, 0, 1) | 2u << 8, 0, 136), 8);
	assert_int_equal((int32_t)w(1), SCMI_PROTOCOL_ERROR);
	assert_int_equal(call(&cluster, hdr(0x10, 0, 1) | 3u << 8, 0, 136), 8);
	assert_int_equal((int32_t)w(1), SCMI_PROTOCOL_ERROR);
	/* unknown protocols and messages */
	assert_int_equal(call(&cluster, hdr(0x14, 0, 1), 0, 136), 8);
	assert_int_equal((int32_t)w(1), SCMI_NOT_SUPPORTED);
	assert_int_equal(call(&cluster, hdr(0x10, 0xb, 1), 0, 136), 8);
	assert_int_equal((int32_t)w(1), SCMI_NOT_SUPPORTED);
	assert_int_equal(call(&cluster, hdr(0x15, 0xd, 1), 2, 136, 0, 0), 8);
	assert_int_equal((int32_t)w(1), SCMI_NOT_SUPPORTED);
	/* a parameter too many, or too few */
	assert_int_equal(call(&cluster, hdr(0x10, 0, 1), 1, 136, 0), 8);
	assert_int_equal((int32_t)w(1), SCMI_PROTOCOL_ERROR);
	assert_int_equal(call(&cluster, hdr(0x15, 6, 1), 1, 136, 0), 8);
	assert_int_equal((int32_t)w(1), SCMI_PROTOCOL_ERROR);
	assert_int_equal(call(&cluster, hdr(0x15, 6, 1), 3, 136, 0, 0, 0), 8);
	assert_int_equal((int32_t)w(1), SCMI_PROTOCOL_ERROR);
	put(0, hdr(0x15, 6, 1));
	assert_int_equal(scmi_request(&cluster, msg, 9, resp, 136, &dl), 8); /* half a word */
	assert_int_equal((int32_t)w(1), SCMI_PROTOCOL_ERROR);
	/* an answer that does not fit: the status alone */
	assert_int_equal(call(&cluster, hdr(0x10, 3, 1), 0, 20), 8);
	assert_int_equal((int32_t)w(1), SCMI_PROTOCOL_ERROR);
}

/* SENSOR as Linux probes it: VERSION, ATTRIBUTES, DESCRIPTION_GET paged
 * by the room given (four 28-byte descriptors in 136 bytes). */
static void test_sensor_probe(void **state)
{
	(void)state;
	assert_int_equal(call(&cluster, hdr(0x15, 0, 1), 0, 12), 12);
	assert_int_equal(w(2), 0x20000);
	assert_int_equal(call(&cluster, hdr(0x15, 1, 2), 0, 24), 24);
	assert_int_equal(w(2), 4); /* sensors; no async reads without the event queue */
	assert_int_equal(call(&cluster, hdr(0x15, 3, 3), 1, 136, 0), 8 + 4 + 4 * 28);
	assert_int_equal(w(2), 4); /* 4 returned, 0 remaining, [15:12] zero */
	assert_int_equal(w(3), 0);
	assert_int_equal(w(4), 0);                         /* no async, no trip points */
	assert_int_equal(w(5), (0x1du << 11) | 2);         /* exponent -3, degrees C */
	assert_string_equal((char *)resp + 24, "coolant");
	assert_int_equal(w(3 + 7), 1);
	assert_int_equal(w(5 + 21), 0x0f);                 /* the fourth: kPa, exponent 0 */
	/* a smaller buffer: fewer per page, the rest remaining */
	assert_int_equal(call(&cluster, hdr(0x15, 3, 4), 1, 8 + 4 + 2 * 28 + 27, 1), 8 + 4 + 2 * 28);
	assert_int_equal(w(2), 2 | 1u << 16);
	assert_int_equal(w(3), 1);
	/* past the end; no room for one */
	assert_int_equal(call(&cluster, hdr(0x15, 3, 5), 1, 136, 4), 8);
	assert_int_equal((int32_t)w(1), SCMI_INVALID_PARAMETERS);
	assert_int_equal(call(&cluster, hdr(0x15, 3, 5), 1, 8 + 4 + 27, 0), 8);
	assert_int_equal((int32_t)w(1), SCMI_PROTOCOL_ERROR);
	/* the messages Linux 6.12 asks about: notifications not offered */
	assert_int_equal(call(&cluster, hdr(0x15, 2, 6), 1, 136, 4), 8);
	assert_int_equal((int32_t)w(1), SCMI_NOT_FOUND);
	assert_int_equal(call(&cluster, hdr(0x15, 2, 6), 1, 136, 0xb), 8);
	assert_int_equal((int32_t)w(1), SCMI_NOT_FOUND);
	assert_int_equal(call(&cluster, hdr(0x15, 2, 6), 1, 136, 6), 12);
	assert_int_equal(call(&cluster, hdr(0x15, 8, 7), 2, 136, 0, 0), 8);
	assert_int_equal((int32_t)w(1), SCMI_NOT_SUPPORTED);
}

/* READING_GET: the agent's own numbering; another agent's sensor, or one
 * past its own, is NOT_FOUND and the two answers are alike. */
static void test_reading(void **state)
{
	uint8_t a[8], b[8];
	(void)state;
	assert_int_equal(call(&cluster, hdr(0x15, 6, 1), 2, 136, 0, 0), 24);
	assert_int_equal(w(2), 45500);
	assert_int_equal(w(3), 0);
	assert_int_equal(call(&cluster, hdr(0x15, 6, 1), 2, 136, 2, 0), 24);
	assert_int_equal((int32_t)w(2), -40000); /* negative, sign in the high word */
	assert_int_equal(w(3), 0xffffffffu);
	/* the infotainment's sensor 0 is the outside air */
	assert_int_equal(call(&ivi, hdr(0x15, 6, 1), 2, 136, 0, 0), 24);
	assert_int_equal((int32_t)w(2), -40000);
	assert_int_equal(call(&ivi, hdr(0x15, 6, 1), 2, 136, 1, 0), 8);
	memcpy(a, resp, 8);
	assert_int_equal((int32_t)w(1), SCMI_NOT_FOUND);
	assert_int_equal(call(&ivi, hdr(0x15, 6, 1), 2, 136, 1000, 0), 8);
	memcpy(b, resp, 8);
	assert_memory_equal(a, b, 8);
	assert_int_equal(call(&ivi, hdr(0x15, 1, 2), 0, 24), 24);
	assert_int_equal(w(2), 1);
	/* reserved flags; the hardware failing */
	assert_int_equal(call(&cluster, hdr(0x15, 6, 1), 2, 136, 0, 2), 8);
	assert_int_equal((int32_t)w(1), SCMI_INVALID_PARAMETERS);
	broken[0] = true;
	assert_int_equal(call(&cluster, hdr(0x15, 6, 1), 2, 136, 0, 0), 8);
	assert_int_equal((int32_t)w(1), SCMI_HARDWARE_ERROR);
}

/* Asynchronous reads: only with the event queue; the delayed response
 * carries the command's token; a bounded number wait. */
static void test_async(void **state)
{
	uint8_t m[64];
	(void)state;
	assert_int_equal(call(&cluster, hdr(0x15, 6, 9), 2, 136, 1, 1), 8);
	assert_int_equal((int32_t)w(1), SCMI_NOT_SUPPORTED);
	assert_false(dl.valid);
	cluster.p2a = true;
	assert_int_equal(call(&cluster, hdr(0x15, 3, 3), 1, 136, 0), 8 + 4 + 4 * 28);
	assert_int_equal(w(4), 1u << 31); /* async advertised now */
	assert_int_equal(call(&cluster, hdr(0x15, 6, 9), 2, 136, 1, 1), 8);
	assert_int_equal(w(1), SCMI_SUCCESS);
	assert_true(dl.valid);
	assert_int_equal(scmi_delayed_msg(&dl, m, sizeof(m)), 28);
	assert_int_equal(scmi_delayed_msg(&dl, m, 27), 0);
	memcpy(resp, m, 28);
	assert_int_equal(w(0), hdr(0x15, 6, 9) | 2u << 8);
	assert_int_equal(w(1), 0);
	assert_int_equal(w(2), 1);
	assert_int_equal(w(3), 13800);
	cluster.pending = SCMI_MAX_PENDING;
	assert_int_equal(call(&cluster, hdr(0x15, 6, 10), 2, 136, 1, 1), 8);
	assert_int_equal((int32_t)w(1), SCMI_BUSY);
	assert_false(dl.valid);
	/* the ivi has no event queue */
	assert_int_equal(call(&ivi, hdr(0x15, 6, 11), 2, 136, 0, 1), 8);
	assert_int_equal((int32_t)w(1), SCMI_NOT_SUPPORTED);
}

/* CONFIG_SET is the agent's own: disabling the shared outside-air sensor
 * in one agent leaves the other reading it; reset undoes it. */
static void test_config_per_agent(void **state)
{
	(void)state;
	assert_int_equal(call(&ivi, hdr(0x15, 9, 1), 1, 136, 0), 12);
	assert_int_equal(w(2), 1);
	assert_int_equal(call(&ivi, hdr(0x15, 10, 1), 2, 136, 0, 0), 8);
	assert_int_equal(w(1), SCMI_SUCCESS);
	assert_int_equal(call(&ivi, hdr(0x15, 6, 1), 2, 136, 0, 0), 8);
	assert_int_equal((int32_t)w(1), SCMI_DENIED);
	assert_int_equal(call(&cluster, hdr(0x15, 6, 1), 2, 136, 2, 0), 24);
	assert_int_equal(call(&ivi, hdr(0x15, 10, 1), 2, 136, 0, 1u << 5), 8);
	assert_int_equal((int32_t)w(1), SCMI_INVALID_PARAMETERS);
	assert_int_equal(call(&ivi, hdr(0x15, 10, 1), 2, 136, 0, 3), 8);
	assert_int_equal((int32_t)w(1), SCMI_NOT_SUPPORTED);
	assert_int_equal(call(&ivi, hdr(0x15, 10, 1), 2, 136, 3, 1), 8);
	assert_int_equal((int32_t)w(1), SCMI_NOT_FOUND);
	scmi_agent_reset(&ivi);
	assert_int_equal(call(&ivi, hdr(0x15, 6, 1), 2, 136, 0, 0), 24);
	/* trip points: none; notifications only with the event queue */
	assert_int_equal(call(&ivi, hdr(0x15, 4, 1), 2, 136, 0, 1), 8);
	assert_int_equal((int32_t)w(1), SCMI_NOT_SUPPORTED);
	assert_int_equal(call(&ivi, hdr(0x15, 5, 1), 4, 136, 0, 0x11, 0, 0), 8);
	assert_int_equal((int32_t)w(1), SCMI_INVALID_PARAMETERS);
}

/* Random messages: never a reply past the room, a status from the list,
 * the header echoed, only the status when it is not SUCCESS (call()). */
static void test_random(void **state)
{
	(void)state;
	srand(16);
	cluster.p2a = true;
	for (unsigned i = 0; i < 200000; i++) {
		size_t len = (size_t)rand() % 40, cap = (size_t)rand() % (SCMI_MSG_MAX + 8), r;
		for (size_t k = 0; k < len; k++)
			msg[k] = (uint8_t)rand();
		if (len >= 4 && rand() % 2) /* half with a command's header */
			put(0, hdr(rand() % 2 ? 0x10 : 0x15, (unsigned)rand() % 14, (unsigned)rand() % 1024));
		memset(resp, GUARD, sizeof(resp));
		r = scmi_request(&cluster, msg, len, resp, cap, &dl);
		assert_true(r <= cap);
		for (size_t k = cap; k < sizeof(resp); k++)
			assert_int_equal(resp[k], GUARD);
		if (len < 4 || cap < 8) {
			assert_int_equal(r, 0);
			continue;
		}
		assert_true(r >= 8);
		assert_memory_equal(resp, msg, 4);
		assert_true((int32_t)w(1) <= 0 && (int32_t)w(1) >= -10);
		if (w(1) != 0)
			assert_int_equal(r, 8);
		cluster.pending = 0;
	}
}

/* The register formats: milli-units as they are; the ZynqMP SYSMON's
 * temperature and supply codes by UG1085's formulas, to the nearest
 * milli-unit (values worked out by hand from the data sheet's constants). */
static void test_formats(void **state)
{
	(void)state;
	assert_int_equal(sensor_convert(SENSOR_FMT_MILLI, 0xffffe3aeu), -7250);
	assert_int_equal(sensor_convert(SENSOR_FMT_MILLI, 104250), 104250);
	assert_int_equal(sensor_convert(SENSOR_FMT_SYSMON_TEMP, 0), -280231);
	assert_int_equal(sensor_convert(SENSOR_FMT_SYSMON_TEMP, 0x8000), -25574);
	assert_int_equal(sensor_convert(SENSOR_FMT_SYSMON_TEMP, 0x9d4a), 32697);
	assert_int_equal(sensor_convert(SENSOR_FMT_SYSMON_TEMP, 0xffff), 229075);
	assert_int_equal(sensor_convert(SENSOR_FMT_SYSMON_TEMP, 0xabcd0000u), -280231); /* 16 bits */
	assert_int_equal(sensor_convert(SENSOR_FMT_SYSMON_SUPPLY, 0x5555), 1000);
	assert_int_equal(sensor_convert(SENSOR_FMT_SYSMON_SUPPLY, 0xffff), 3000);
	assert_int_equal(sensor_convert(SENSOR_FMT_SYSMON_SUPPLY, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_base_probe, setup),
		cmocka_unit_test_setup(test_base_agents, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test_setup(test_sensor_probe, setup),
		cmocka_unit_test_setup(test_reading, setup),
		cmocka_unit_test_setup(test_async, setup),
		cmocka_unit_test_setup(test_config_per_agent, setup),
		cmocka_unit_test_setup(test_random, setup),
		cmocka_unit_test(test_formats),
	};
	return cmocka_run_group_tests_name("scmi", tests, NULL, NULL);
}
