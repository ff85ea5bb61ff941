/* virtio-net ([VIRTIO] 5.1, device ID 1): a partition's port on one
 * segment of the hypervisor's switch (NET-1, -3, -5..-8). One receive and
 * one transmit queue and the control queue; the MAC the partition file
 * gives (the same on every boot), the MTU, link status, mergeable receive
 * buffers; a MAC change through the control queue is applied or refused
 * as the partition file says. A frame is copied once out of the sender's
 * buffers and once into each receiver's. No checksum or segmentation
 * offload: frames are at most the MTU plus the Ethernet header.
 * Lock order: virtio_dev.lock, then vgic.lock; the device's lock is never
 * held while the switch delivers. */
#ifndef VDEV_VIRTIO_NET_H
#define VDEV_VIRTIO_NET_H

#include <hv/netswitch.h>
#include <vdev/virtio.h>

#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_F_CTRL_VQ 17
#define VIRTIO_NET_F_CTRL_MAC_ADDR 23

#define VNET_HDR_LEN 12 /* struct virtio_net_hdr with num_buffers (VERSION_1) */
#define VNET_CONFIG_SIZE 12
#define VNET_RXQ 0
#define VNET_TXQ 1
#define VNET_CTRLQ 2

/* The virtio-net node of the partition file ([REQUIREMENTS] NET-5..8). */
struct net_config {
	uint32_t segment;  /* index in hv_config.segment */
	uint8_t mac[6];    /* configured, or derived from the partition name */
	uint16_t mtu;
	bool mac_change;   /* the guest may set another MAC (control queue) */
};

struct virtio_net {
	struct virtio_dev dev;
	struct net_port port;
	uint8_t mac[6];  /* configured: the address after every reset */
	uint16_t mtu;
	bool mac_change; /* the partition file allows the guest to set another */
	uint64_t tx_dropped, rx_dropped, ctrl_refused;
};

struct vnet_params {
	const uint8_t *mac;
	uint16_t mtu;
	bool mac_change;
};

void virtio_net_init(struct virtio_net *n, const char *name, const struct vnet_params *prm,
		     const struct dma_space *mem, const struct irq_line *irq);
extern const struct virtio_dev_ops virtio_net_ops;
extern const struct vdev_type virtio_net_type;

#endif
