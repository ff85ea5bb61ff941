/* The hypervisor's L2 switch ([REQUIREMENTS] NET-5): statically
 * configured segments; a frame reaches only ports of its sender's segment.
 * Broadcast, multicast and unknown unicast flood the segment; known
 * unicast goes to the learned port. A guest port's own MAC is a static
 * entry that learning never moves (nothing behind the uplink can take a
 * partition's traffic by sending with its address).
 *
 * Delivery is synchronous and never waits: a port that cannot take a frame
 * (full receive queue, driver not ready) drops it and counts the drop, so
 * no sender and no hypervisor CPU is ever blocked by a receiver.
 * Lock order: a segment's lock is a leaf; ports are called with no switch
 * lock held (they take their own device's lock). */
#ifndef HV_NETSWITCH_H
#define HV_NETSWITCH_H

#include <hv/arch.h>

#define NET_HDR_ETH 14
#define NET_MAX_FRAME 1518 /* 1500 bytes of payload, Ethernet header, one VLAN tag */
#define NET_MAX_PORTS 12   /* per segment */
#define NET_FDB_SIZE 64    /* learned addresses per segment */

struct net_port;
/* Take one frame (the port copies it; frame is the caller's). */
typedef void (*net_rx_fn)(struct net_port *port, const uint8_t *frame, size_t len);

struct net_port {
	const char *name;
	unsigned segment;
	uint8_t mac[6];   /* a guest port's address (static in the table) */
	bool guest;       /* false: an uplink, behind which any address may be */
	net_rx_fn rx;
	void *ctx;
	uint64_t tx_frames, rx_frames, rx_dropped; /* counted by the switch and the port */
};

/* Boot: segments and their ports (no lock needed before the partitions
 * run). -1 when the segment is full. */
void net_segments_init(unsigned n);
int net_port_attach(struct net_port *port, unsigned segment);
/* A guest port asks for another address (the partition file allowed it).
 * Refused when the address is another guest port's, current or
 * configured; port->mac says which address the port has now. */
void net_port_set_mac(struct net_port *port, const uint8_t mac[6]);
/* A frame sent by src: to the ports of src's segment. Called with no
 * device lock held. Frames shorter than an Ethernet header or longer than
 * NET_MAX_FRAME are dropped. */
void net_forward(struct net_port *src, const uint8_t *frame, size_t len);

/* The physical NIC number index as an uplink port (platform driver), or
 * NULL. */
struct net_port *net_phys_open(unsigned index);

static inline bool net_mac_multicast(const uint8_t *mac)
{
	return mac[0] & 1;
}

#endif
