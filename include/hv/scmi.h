/* The SCMI platform (server) the partitions talk to over virtio-scmi
 * (Arm DEN0056; SENS-1, SENS-3): the BASE protocol (0x10) and the SENSOR
 * management protocol (0x15), version 2.0. Each partition is an agent that
 * sees only the sensors the partition file gives it, numbered from 0; any
 * other id is NOT_FOUND, and nothing says how many sensors exist beyond
 * its own or how many agents there are. What an agent configures (sensor
 * enable, notifications) is its own state: no other agent sees it.
 *
 * Decode, then act: scmi_request() takes the hypervisor's own copy of a
 * message, checks its header and exact length, then answers it into a
 * reply buffer the device copies out. No virtqueue here.
 *
 * Message layouts: little-endian 32-bit words; a reply is the request's
 * header, then an int32 status, then the return values (only the status
 * when it is not SUCCESS). */
#ifndef HV_SCMI_H
#define HV_SCMI_H

#include <hv/sensor.h>

#define SCMI_PROTO_BASE 0x10
#define SCMI_PROTO_SENSOR 0x15
#define SCMI_BASE_VERSION 0x20000u
#define SCMI_SENSOR_VERSION 0x20000u

/* Status codes. */
#define SCMI_SUCCESS 0
#define SCMI_NOT_SUPPORTED (-1)
#define SCMI_INVALID_PARAMETERS (-2)
#define SCMI_DENIED (-3)
#define SCMI_NOT_FOUND (-4)
#define SCMI_OUT_OF_RANGE (-5)
#define SCMI_BUSY (-6)
#define SCMI_COMMS_ERROR (-7)
#define SCMI_GENERIC_ERROR (-8)
#define SCMI_HARDWARE_ERROR (-9)
#define SCMI_PROTOCOL_ERROR (-10)

/* Header fields. */
#define SCMI_HDR_ID(h) ((h) & 0xffu)
#define SCMI_HDR_TYPE(h) (((h) >> 8) & 3u)
#define SCMI_HDR_PROTO(h) (((h) >> 10) & 0xffu)
#define SCMI_HDR_TOKEN(h) (((h) >> 18) & 0x3ffu)
#define SCMI_TYPE_DELAYED 2u

/* The longest message either way: header and 128 bytes (Linux's
 * VIRTIO_SCMI_MAX_MSG_SIZE), and a reply's status. */
#define SCMI_MSG_MAX 136
#define SCMI_MAX_SENSORS 32  /* per agent */
#define SCMI_MAX_PENDING 8   /* asynchronous reads waiting per agent */

/* What an agent set for one of its sensors (SENSOR_CONFIG_SET). */
struct scmi_sensor_state {
	uint32_t config; /* [0] enabled, [31:16] interval seconds, [15:11] exponent, [10:9] rounding */
};

struct scmi_agent {
	uint32_t id;      /* 1.. (0 is the platform) */
	char name[16];    /* the partition's name, NUL-terminated */
	unsigned n;       /* its sensors: ids 0..n-1 */
	const struct sensor *s[SCMI_MAX_SENSORS];
	struct scmi_sensor_state st[SCMI_MAX_SENSORS];
	bool p2a;         /* VIRTIO_SCMI_F_P2A_CHANNELS: delayed responses possible */
	unsigned pending; /* asynchronous reads not yet delivered (the device's count) */
};

/* A delayed response to send on the event queue: SENSOR_READING_COMPLETE
 * for an asynchronous read. */
struct scmi_delayed {
	bool valid;
	uint32_t hdr; /* the command's header, type 2 */
	int32_t status;
	uint32_t sensor;
	int64_t value;
};

/* The agent, its sensors none, every sensor enabled when given. */
void scmi_agent_init(struct scmi_agent *a, uint32_t id, const char *name);
/* Give the agent sensor s as its next id; false when it has SCMI_MAX_SENSORS. */
bool scmi_agent_add(struct scmi_agent *a, const struct sensor *s);
/* Back to the state after init and its sensors added (the device's reset):
 * every configuration the agent made is undone. */
void scmi_agent_reset(struct scmi_agent *a);

/* One message: req[0..len) as the driver sent it, the reply into
 * resp[0..cap). Returns the reply's length (at most cap), 0 when there is
 * no header to answer to (len < 4) or no room for header and status
 * (cap < 8). *dl is set when an asynchronous read is to complete later. */
size_t scmi_request(struct scmi_agent *a, const uint8_t *req, size_t len, uint8_t *resp, size_t cap,
		    struct scmi_delayed *dl);

/* The delayed response as a message: header, status, sensor id and the
 * reading (value, timestamp 0); its length, or 0 when cap is too small. */
size_t scmi_delayed_msg(const struct scmi_delayed *dl, uint8_t *msg, size_t cap);

#endif
