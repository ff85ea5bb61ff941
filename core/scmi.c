/* SCMI platform: see include/hv/scmi.h. */
#include <hv/scmi.h>

#include <string.h>

/* BASE messages. */
enum {
	M_VERSION = 0, M_ATTRIBUTES = 1, M_MSG_ATTRIBUTES = 2, B_VENDOR = 3, B_SUB_VENDOR = 4,
	B_IMPL_VERSION = 5, B_LIST_PROTOCOLS = 6, B_DISCOVER_AGENT = 7, B_NOTIFY_ERRORS = 8,
};
/* SENSOR messages. */
enum {
	S_DESCRIPTION_GET = 3, S_TRIP_POINT_NOTIFY = 4, S_TRIP_POINT_CONFIG = 5, S_READING_GET = 6,
	S_AXIS_DESCRIPTION_GET = 7, S_LIST_UPDATE_INTERVALS = 8, S_CONFIG_GET = 9, S_CONFIG_SET = 10,
	S_CONTINUOUS_UPDATE_NOTIFY = 11,
};

#define IMPL_VERSION 1u
#define DESC_LEN 28u                /* a sensor descriptor without extended attributes */
#define CONFIG_ENABLED 1u
#define CONFIG_TIMESTAMP 2u
#define CONFIG_RESERVED 0x1fcu      /* [8:2] */

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static void put_name(uint8_t *b, const char *s)
{
	size_t n = strlen(s);

	memset(b, 0, 16);
	memcpy(b, s, n < 15 ? n : 15);
}

void scmi_agent_init(struct scmi_agent *a, uint32_t id, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->id = id;
	put_name((uint8_t *)a->name, name);
}

bool scmi_agent_add(struct scmi_agent *a, const struct sensor *s)
{
	if (a->n == SCMI_MAX_SENSORS || !s)
		return false;
	a->s[a->n] = s;
	a->st[a->n].config = CONFIG_ENABLED;
	a->n++;
	return true;
}

void scmi_agent_reset(struct scmi_agent *a)
{
	for (unsigned i = 0; i < a->n; i++)
		a->st[i].config = CONFIG_ENABLED;
	a->p2a = false;
	a->pending = 0;
}

/* A decoded command: header, parameters, the reply being built. */
struct cmd {
	uint32_t hdr;
	const uint8_t *p; /* parameters */
	size_t plen;
	uint8_t *r; /* return values after the status */
	size_t rcap;
	size_t rlen;
};

/* The parameter count is exact: a message of any other length is a
 * PROTOCOL_ERROR, never read past or guessed at. */
#define WANT(c, words)                                                                             \
	do {                                                                                       \
		if ((c)->plen != 4u * (words))                                                    \
			return SCMI_PROTOCOL_ERROR;                                                \
	} while (0)

/* Room for n more bytes of return values. */
static bool room(const struct cmd *c, size_t n)
{
	return c->rcap >= c->rlen && n <= c->rcap - c->rlen;
}

static int ret32(struct cmd *c, uint32_t v)
{
	if (!room(c, 4))
		return SCMI_PROTOCOL_ERROR; /* the driver left no room for the answer */
	put32(c->r + c->rlen, v);
	c->rlen += 4;
	return SCMI_SUCCESS;
}

static int ret_name(struct cmd *c, const char *s)
{
	if (!room(c, 16))
		return SCMI_PROTOCOL_ERROR;
	put_name(c->r + c->rlen, s);
	c->rlen += 16;
	return SCMI_SUCCESS;
}

/* ---- BASE ---- */

static bool base_has(unsigned id)
{
	return id <= B_DISCOVER_AGENT;
}

static int base(struct scmi_agent *a, struct cmd *c)
{
	uint32_t x;

	switch (SCMI_HDR_ID(c->hdr)) {
	case M_VERSION:
		WANT(c, 0);
		return ret32(c, SCMI_BASE_VERSION);
	case M_ATTRIBUTES:
		WANT(c, 0);
		/* One protocol besides BASE; no agent count (SENS-3: an
		 * agent learns nothing of the others). */
		return ret32(c, 1);
	case M_MSG_ATTRIBUTES:
		WANT(c, 1);
		return base_has(get32(c->p)) ? ret32(c, 0) : SCMI_NOT_FOUND;
	case B_VENDOR:
		WANT(c, 0);
		return ret_name(c, "Bulkhead");
	case B_SUB_VENDOR:
		WANT(c, 0);
		return ret_name(c, "hypervisor");
	case B_IMPL_VERSION:
		WANT(c, 0);
		return ret32(c, IMPL_VERSION);
	case B_LIST_PROTOCOLS:
		WANT(c, 1);
		x = get32(c->p); /* skip */
		if (x > 1)
			return SCMI_INVALID_PARAMETERS;
		if (!room(c, x == 0 ? 8 : 4))
			return SCMI_PROTOCOL_ERROR;
		ret32(c, 1 - x);
		if (x == 0)
			ret32(c, SCMI_PROTO_SENSOR);
		return SCMI_SUCCESS;
	case B_DISCOVER_AGENT:
		WANT(c, 1);
		x = get32(c->p);
		if (x != 0 && x != 0xffffffffu && x != a->id)
			return SCMI_NOT_FOUND; /* another agent: nothing about it */
		if (!room(c, 20))
			return SCMI_PROTOCOL_ERROR;
		ret32(c, x == 0 ? 0 : a->id);
		return ret_name(c, x == 0 ? "platform" : a->name);
	default:
		return SCMI_NOT_SUPPORTED;
	}
}

/* ---- SENSOR ---- */

static bool sensor_has(const struct scmi_agent *a, unsigned id)
{
	switch (id) {
	case M_VERSION:
	case M_ATTRIBUTES:
	case M_MSG_ATTRIBUTES:
	case S_DESCRIPTION_GET:
	case S_READING_GET:
	case S_CONFIG_GET:
	case S_CONFIG_SET:
		return true;
	case S_TRIP_POINT_NOTIFY: /* notifications need the event queue */
		return a->p2a;
	default:
		return false;
	}
}

/* The agent's sensor id, or NULL (NOT_FOUND: nothing about any other). */
static const struct sensor *sensor_of(const struct scmi_agent *a, uint32_t id)
{
	return id < a->n ? a->s[id] : NULL;
}

static int describe(const struct scmi_agent *a, struct cmd *c)
{
	uint32_t first, k, fit;

	WANT(c, 1);
	first = get32(c->p);
	if (first >= a->n)
		return SCMI_INVALID_PARAMETERS;
	if (!room(c, 4))
		return SCMI_PROTOCOL_ERROR;
	fit = (uint32_t)((c->rcap - c->rlen - 4) / DESC_LEN);
	k = a->n - first < fit ? a->n - first : fit;
	if (k == 0)
		return SCMI_PROTOCOL_ERROR; /* not even one descriptor fits */
	ret32(c, k | (a->n - first - k) << 16);
	for (uint32_t i = first; i < first + k; i++) {
		const struct sensor *s = a->s[i];
		ret32(c, i);
		/* attributes_low: async reads only with the event queue; no
		 * trip points, no timestamps, no extended attributes. */
		ret32(c, a->p2a ? 1u << 31 : 0);
		ret32(c, ((uint32_t)s->exponent & 0x1fu) << 11 | s->type);
		ret_name(c, s->name);
	}
	return SCMI_SUCCESS;
}

static int reading(struct scmi_agent *a, struct cmd *c, struct scmi_delayed *dl)
{
	const struct sensor *s;
	uint32_t id, flags;
	int64_t v;

	WANT(c, 2);
	id = get32(c->p);
	flags = get32(c->p + 4);
	s = sensor_of(a, id);
	if (!s)
		return SCMI_NOT_FOUND;
	if (flags & ~1u)
		return SCMI_INVALID_PARAMETERS;
	if (!(a->st[id].config & CONFIG_ENABLED))
		return SCMI_DENIED; /* the agent disabled it */
	if (flags & 1) {
		if (!a->p2a)
			return SCMI_NOT_SUPPORTED; /* no delayed response without P2A */
		if (a->pending >= SCMI_MAX_PENDING)
			return SCMI_BUSY;
		*dl = (struct scmi_delayed){
			.valid = true,
			.hdr = (c->hdr & ~(3u << 8)) | SCMI_TYPE_DELAYED << 8,
			.sensor = id,
		};
		dl->status = s->read(s, &dl->value) ? SCMI_SUCCESS : SCMI_HARDWARE_ERROR;
		return SCMI_SUCCESS;
	}
	if (!room(c, 16))
		return SCMI_PROTOCOL_ERROR;
	if (!s->read(s, &v))
		return SCMI_HARDWARE_ERROR;
	/* Version 2.0: value and timestamp (0: none kept). */
	ret32(c, (uint32_t)(uint64_t)v);
	ret32(c, (uint32_t)((uint64_t)v >> 32));
	ret32(c, 0);
	return ret32(c, 0);
}

static int sensor(struct scmi_agent *a, struct cmd *c, struct scmi_delayed *dl)
{
	uint32_t id, x;

	switch (SCMI_HDR_ID(c->hdr)) {
	case M_VERSION:
		WANT(c, 0);
		return ret32(c, SCMI_SENSOR_VERSION);
	case M_ATTRIBUTES:
		WANT(c, 0);
		if (!room(c, 16))
			return SCMI_PROTOCOL_ERROR;
		ret32(c, a->n | (a->p2a ? SCMI_MAX_PENDING : 0) << 16);
		ret32(c, 0); /* no shared sensor register area */
		ret32(c, 0);
		return ret32(c, 0);
	case M_MSG_ATTRIBUTES:
		WANT(c, 1);
		return sensor_has(a, get32(c->p)) ? ret32(c, 0) : SCMI_NOT_FOUND;
	case S_DESCRIPTION_GET:
		return describe(a, c);
	case S_READING_GET:
		return reading(a, c, dl);
	case S_CONFIG_GET:
		WANT(c, 1);
		id = get32(c->p);
		if (!sensor_of(a, id))
			return SCMI_NOT_FOUND;
		return ret32(c, a->st[id].config);
	case S_CONFIG_SET:
		WANT(c, 2);
		id = get32(c->p);
		x = get32(c->p + 4);
		if (!sensor_of(a, id))
			return SCMI_NOT_FOUND;
		if (x & CONFIG_RESERVED)
			return SCMI_INVALID_PARAMETERS;
		if (x & CONFIG_TIMESTAMP)
			return SCMI_NOT_SUPPORTED; /* no timestamps kept */
		/* The agent's own view of its sensor: no other agent's
		 * reading changes. */
		a->st[id].config = x;
		return SCMI_SUCCESS;
	case S_TRIP_POINT_NOTIFY:
		WANT(c, 2);
		id = get32(c->p);
		x = get32(c->p + 4);
		if (!a->p2a)
			return SCMI_NOT_SUPPORTED;
		if (!sensor_of(a, id))
			return SCMI_NOT_FOUND;
		/* No sensor has trip points: enabling is accepted and
		 * produces nothing; a reserved bit is not. */
		return x & ~1u ? SCMI_INVALID_PARAMETERS : SCMI_SUCCESS;
	case S_TRIP_POINT_CONFIG:
		WANT(c, 4);
		id = get32(c->p);
		if (!sensor_of(a, id))
			return SCMI_NOT_FOUND;
		return SCMI_INVALID_PARAMETERS; /* trip point ids: there are none */
	default:
		/* Axes, update intervals, continuous updates, names (3.0). */
		return SCMI_NOT_SUPPORTED;
	}
}

size_t scmi_request(struct scmi_agent *a, const uint8_t *req, size_t len, uint8_t *resp, size_t cap,
		    struct scmi_delayed *dl)
{
	struct cmd c;
	int st;

	dl->valid = false;
	if (len < 4 || cap < 8)
		return 0;
	c = (struct cmd){
		.hdr = get32(req),
		.p = req + 4,
		.plen = len - 4,
		.r = resp + 8,
		.rcap = cap - 8,
	};
	if (c.hdr >> 28 || SCMI_HDR_TYPE(c.hdr) != 0)
		st = SCMI_PROTOCOL_ERROR; /* reserved bits, or not a command */
	else if (SCMI_HDR_PROTO(c.hdr) == SCMI_PROTO_BASE)
		st = base(a, &c);
	else if (SCMI_HDR_PROTO(c.hdr) == SCMI_PROTO_SENSOR)
		st = sensor(a, &c, dl);
	else
		st = SCMI_NOT_SUPPORTED;
	put32(resp, c.hdr);
	put32(resp + 4, (uint32_t)st);
	if (st != SCMI_SUCCESS) {
		dl->valid = false;
		return 8; /* only the status ([VIRTIO] 5.17.6.1) */
	}
	return 8 + c.rlen;
}

size_t scmi_delayed_msg(const struct scmi_delayed *dl, uint8_t *msg, size_t cap)
{
	size_t n = dl->status == SCMI_SUCCESS ? 28 : 8;

	if (cap < n)
		return 0;
	put32(msg, dl->hdr);
	put32(msg + 4, (uint32_t)dl->status);
	if (n == 8)
		return 8;
	put32(msg + 8, dl->sensor);
	put32(msg + 12, (uint32_t)(uint64_t)dl->value);
	put32(msg + 16, (uint32_t)((uint64_t)dl->value >> 32));
	put32(msg + 20, 0);
	put32(msg + 24, 0);
	return n;
}
