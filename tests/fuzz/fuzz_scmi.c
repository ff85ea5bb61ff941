/* libFuzzer harness for the SCMI platform's message decoder (core/scmi.c):
 * the input is a partition's sequence of messages, each handed to
 * scmi_request() as virtio-scmi does (its readable bytes, its writable
 * room). Built with -fsanitize=fuzzer,address,undefined. After each:
 *  - the reply fits the room, echoes the header, carries a defined status,
 *    and is the status alone when that is not SUCCESS;
 *  - a message that failed changed nothing of the agent's state;
 *  - an agent never sees a sensor that is not its own (every reading it
 *    gets is one of its sensors' values, which are distinct from the
 *    other agent's);
 *  - a delayed response only with P2A, within the pending bound.
 * Input: byte 0 bit 0: P2A. Then messages: u8 len (% 140), u8 cap (% 144),
 * len bytes. tests/fuzz/corpus/scmi/ has seeds.
 * proves: SENS-1, SENS-3 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/scmi.h>

static int32_t regs[6] = { 1001, 1002, 1003, 2001, 2002, 2003 };
bool sensor_regs_read(const struct sensor *s, int64_t *v)
{
	*v = *(const int32_t *)s->hw;
	return true;
}

static struct sensor mine[3], theirs[3];
static struct scmi_agent a, b, before;

static __attribute__((noreturn)) void die(const char *what)
{
	fprintf(stderr, "fuzz_scmi: %s\n", what);
	abort();
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 1;

	for (unsigned i = 0; i < 3; i++) {
		mine[i] = (struct sensor){ "mine", SENSOR_TEMPERATURE_C, -3, sensor_regs_read, &regs[i], 0 };
		theirs[i] = (struct sensor){ "theirs", SENSOR_VOLTAGE, -3, sensor_regs_read, &regs[3 + i], 0 };
	}
	scmi_agent_init(&a, 1, "alpha");
	scmi_agent_init(&b, 2, "beta");
	for (unsigned i = 0; i < 3; i++) {
		scmi_agent_add(&a, &mine[i]);
		scmi_agent_add(&b, &theirs[i]);
	}
	a.p2a = size && (data[0] & 1);
	while (pos < size) {
		uint8_t req[SCMI_MSG_MAX + 8] = { 0 }, resp[SCMI_MSG_MAX + 8 + 64];
		size_t len = data[pos] % 140, cap = pos + 1 < size ? data[pos + 1] % 144 : 0, n, avail;
		struct scmi_delayed dl;
		int32_t st;

		pos += 2;
		avail = size > pos ? size - pos : 0;
		memcpy(req, data + pos, len < avail ? len : avail);
		pos += len;
		memset(resp, 0xa5, sizeof(resp));
		memcpy(&before, &a, sizeof(a));
		n = scmi_request(&a, req, len, resp, cap, &dl);
		if (n > cap)
			die("a reply longer than the room");
		for (size_t i = cap; i < sizeof(resp); i++)
			if (resp[i] != 0xa5)
				die("bytes written past the room");
		if (len < 4 || cap < 8) {
			if (n || dl.valid || memcmp(&before, &a, sizeof(a)))
				die("an unanswerable message answered or acted on");
			continue;
		}
		if (n < 8 || memcmp(resp, req, 4))
			die("no header and status, or not the request's header");
		st = (int32_t)le32(resp + 4);
		if (st > 0 || st < -10)
			die("an undefined status");
		if (st != SCMI_SUCCESS) {
			if (n != 8 || dl.valid)
				die("a failure with more than its status, or a delayed response");
			if (memcmp(&before, &a, sizeof(a)))
				die("a failed message changed the agent's state");
			continue;
		}
		if (dl.valid) {
			if (!a.p2a || a.pending >= SCMI_MAX_PENDING)
				die("a delayed response without P2A or past the bound");
			if (dl.status == SCMI_SUCCESS && (dl.value < 1001 || dl.value > 1003))
				die("a delayed reading that is not the agent's own sensor");
			a.pending++;
		}
		/* A synchronous reading: one of the agent's own values. */
		if (SCMI_HDR_PROTO(le32(req)) == SCMI_PROTO_SENSOR && SCMI_HDR_ID(le32(req)) == 6 && !dl.valid) {
			int64_t v = (int64_t)((uint64_t)le32(resp + 8) | (uint64_t)le32(resp + 12) << 32);
			if (v < 1001 || v > 1003)
				die("a reading that is not the agent's own sensor");
		}
	}
	return 0;
}
