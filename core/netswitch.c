/* The L2 switch: see include/hv/netswitch.h. */
#include <hv/config.h>
#include <hv/netswitch.h>
#include <string.h>

struct fdb_entry {
	uint8_t mac[6];
	bool fixed; /* a guest port's own address */
	struct net_port *port;
	uint32_t used; /* last use, for replacement */
};

struct segment {
	spinlock_t lock;
	unsigned nports;
	struct net_port *port[NET_MAX_PORTS];
	uint8_t home[NET_MAX_PORTS][6]; /* a guest port's address when attached */
	struct fdb_entry fdb[NET_FDB_SIZE];
	uint32_t clock;
};

static struct segment segments[CFG_MAX_SEGMENTS] HV_NOINIT; /* net_segments_init() clears */
static unsigned nsegments;

void net_segments_init(unsigned n)
{
	memset(segments, 0, sizeof(segments));
	nsegments = n < CFG_MAX_SEGMENTS ? n : CFG_MAX_SEGMENTS;
}

static struct fdb_entry *fdb_find(struct segment *s, const uint8_t *mac)
{
	for (unsigned i = 0; i < NET_FDB_SIZE; i++)
		if (s->fdb[i].port && memcmp(s->fdb[i].mac, mac, 6) == 0)
			return &s->fdb[i];
	return NULL;
}

/* Remember that mac is behind port. A fixed entry (a guest's own
 * address) is never moved by learning; otherwise a free entry, else the
 * least recently used learned one. */
static void fdb_learn(struct segment *s, const uint8_t *mac, struct net_port *port, bool fixed)
{
	struct fdb_entry *e = fdb_find(s, mac), *victim = NULL;

	if (e) {
		if (e->fixed && !fixed)
			return;
		e->port = port;
		e->fixed = fixed;
		e->used = ++s->clock;
		return;
	}
	for (unsigned i = 0; i < NET_FDB_SIZE; i++) {
		e = &s->fdb[i];
		if (!e->port) {
			victim = e;
			break;
		}
		if (!e->fixed && (!victim || (int32_t)(e->used - victim->used) < 0))
			victim = e;
	}
	if (!victim)
		return; /* all fixed: nothing learned, unknown unicast floods */
	memcpy(victim->mac, mac, 6);
	victim->port = port;
	victim->fixed = fixed;
	victim->used = ++s->clock;
}

static void fdb_forget(struct segment *s, const uint8_t *mac, const struct net_port *port)
{
	struct fdb_entry *e = fdb_find(s, mac);
	if (e && e->port == port)
		memset(e, 0, sizeof(*e));
}

/* mac is another guest port's: its address now, or the one it was
 * attached with (which its reset restores). */
static bool mac_taken(const struct segment *s, const struct net_port *port, const uint8_t *mac)
{
	for (unsigned i = 0; i < s->nports; i++)
		if (s->port[i] != port && s->port[i]->guest &&
		    (memcmp(s->port[i]->mac, mac, 6) == 0 || memcmp(s->home[i], mac, 6) == 0))
			return true;
	return false;
}

int net_port_attach(struct net_port *port, unsigned segment)
{
	struct segment *s;

	if (segment >= nsegments)
		return -1;
	s = &segments[segment];
	if (s->nports >= NET_MAX_PORTS)
		return -1;
	port->segment = segment;
	memcpy(s->home[s->nports], port->mac, 6);
	s->port[s->nports++] = port;
	if (port->guest)
		fdb_learn(s, port->mac, port, true);
	return 0;
}

/* Refused (port->mac unchanged) when mac is another guest port's, now or
 * by configuration: a partition allowed to change its address must not
 * take another's traffic, nor keep it from getting its address back at
 * its reset. The caller sees the refusal in port->mac. */
void net_port_set_mac(struct net_port *port, const uint8_t mac[6])
{
	struct segment *s = &segments[port->segment];

	spin_lock(&s->lock);
	if (!mac_taken(s, port, mac)) {
		fdb_forget(s, port->mac, port);
		memcpy(port->mac, mac, 6);
		fdb_learn(s, port->mac, port, true);
	}
	spin_unlock(&s->lock);
}

void net_forward(struct net_port *src, const uint8_t *frame, size_t len)
{
	struct segment *s = &segments[src->segment];
	struct net_port *to[NET_MAX_PORTS];
	unsigned n = 0;

	if (len < NET_HDR_ETH || len > NET_MAX_FRAME)
		return;
	spin_lock(&s->lock);
	src->tx_frames++;
	if (!src->guest && !net_mac_multicast(frame + 6))
		fdb_learn(s, frame + 6, src, false);
	if (!net_mac_multicast(frame)) {
		struct fdb_entry *e = fdb_find(s, frame);
		if (e) {
			e->used = ++s->clock;
			if (e->port != src)
				to[n++] = e->port;
			spin_unlock(&s->lock);
			goto deliver;
		}
	}
	for (unsigned i = 0; i < s->nports; i++) /* flood the segment */
		if (s->port[i] != src)
			to[n++] = s->port[i];
	spin_unlock(&s->lock);
deliver:
	for (unsigned i = 0; i < n; i++)
		to[i]->rx(to[i], frame, len);
}
