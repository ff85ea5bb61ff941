/* virtio-scmi ([VIRTIO] 5.17, device ID 32): a partition's channel to the
 * SCMI platform (include/hv/scmi.h), which serves it the sensors its
 * partition file names (SENS-1, SENS-3). The command queue carries
 * requests and their responses; with VIRTIO_SCMI_F_P2A_CHANNELS the event
 * queue carries the delayed responses of asynchronous reads. */
#ifndef VDEV_VIRTIO_SCMI_H
#define VDEV_VIRTIO_SCMI_H

#include <hv/scmi.h>
#include <vdev/virtio.h>

#define VIRTIO_SCMI_F_P2A_CHANNELS 0

struct virtio_scmi {
	struct virtio_dev dev;
	struct scmi_agent agent;
	struct sensor sensor[SCMI_MAX_SENSORS];
	/* Delayed responses waiting for event buffers (agent.pending of them). */
	struct scmi_delayed delayed[SCMI_MAX_PENDING];
	unsigned dl_head;
	uint64_t requests; /* for the log and tests */
};

/* The device for agent id of partition name, its sensors given with
 * virtio_scmi_add(). */
void virtio_scmi_init(struct virtio_scmi *v, const char *name, uint32_t agent, const char *part,
		      const struct dma_space *mem, const struct irq_line *irq);
bool virtio_scmi_add(struct virtio_scmi *v, const struct sensor *s);

extern const struct virtio_dev_ops virtio_scmi_ops;
extern const struct vdev_type virtio_scmi_type;

#endif
