/* virtio-iommu ([VIRTIO] 5.13, device ID 23): a partition's IOMMU over its
 * own virtual devices (the endpoints). Requests are copied into the
 * hypervisor and decoded by core/iommu_req.c; every endpoint's DMA space
 * (include/hv/dma.h) follows its attachment: nothing until attached
 * (IOMMU-2), a domain's mappings with their permissions, or everything
 * (bypass). A change that takes access away (ATTACH moving an endpoint,
 * DETACH, UNMAP) completes only once the endpoint's translations made
 * before it are no longer in use (a fence on its DMA space), so a driver
 * that reuses memory after the reply never races a request in flight
 * (IOMMU-12). Translations the IOMMU refuses are reported on the event
 * queue (IOMMU-11).
 *
 * Lock order: the IOMMU's virtio_dev.lock, then its endpoints' locks in
 * endpoint order; fault_lock is a leaf, taken under an endpoint's lock. */
#ifndef VDEV_VIRTIO_IOMMU_H
#define VDEV_VIRTIO_IOMMU_H

#include <hv/iommu_req.h>
#include <vdev/virtio.h>

#define VIRTIO_IOMMU_F_INPUT_RANGE 0
#define VIRTIO_IOMMU_F_DOMAIN_RANGE 1
#define VIRTIO_IOMMU_F_MAP_UNMAP 2
#define VIRTIO_IOMMU_F_BYPASS 3
#define VIRTIO_IOMMU_F_PROBE 4
#define VIRTIO_IOMMU_F_BYPASS_CONFIG 6

#define VIOMMU_CONFIG_SIZE 40
#define VIOMMU_PROBE_SIZE 64
#define VIOMMU_INPUT_BITS 48 /* the IOVA range offered: [0, 2^48) */
#define VIOMMU_FAULTS 16     /* reports waiting for event buffers */

/* Fault reports ([VIRTIO] 5.13.6.9). */
#define VIRTIO_IOMMU_FAULT_R_UNKNOWN 0
#define VIRTIO_IOMMU_FAULT_R_DOMAIN 1
#define VIRTIO_IOMMU_FAULT_R_MAPPING 2
#define VIRTIO_IOMMU_FAULT_F_READ BIT(0)
#define VIRTIO_IOMMU_FAULT_F_WRITE BIT(1)
#define VIRTIO_IOMMU_FAULT_F_ADDRESS BIT(8)
#define VIOMMU_FAULT_LEN 24     /* the current layout */
#define VIOMMU_FAULT_LEN_OLD 20 /* the earlier one, address at offset 12 */

struct viommu_fault {
	uint8_t reason;
	uint32_t flags, endpoint;
	uint64_t address;
};

struct viommu_ep {
	struct virtio_dev *dev; /* the endpoint device: its lock, its DMA space */
	uint32_t id;
	struct dma_fence fence; /* while a request waits for it */
	bool fencing;
};

struct virtio_iommu {
	struct virtio_dev dev;
	struct iommu m;
	struct iommu_params prm;
	uint8_t config[VIOMMU_CONFIG_SIZE];
	unsigned nep;
	struct viommu_ep ep[IOMMU_MAX_ENDPOINTS];
	/* A request whose reply is written but not yet pushed: it waits for
	 * the fences of its endpoints. Nothing behind it is taken. */
	bool pending;
	uint16_t pending_head;
	uint32_t pending_used, pending_epoch;
	/* Fault reports waiting for event buffers (fault_lock). */
	spinlock_t fault_lock;
	struct viommu_fault fq[VIOMMU_FAULTS];
	unsigned fq_head, fq_n;
	uint64_t faults, faults_dropped, requests, waits; /* for the log and tests */
	uint32_t work_posted; /* atomic: a resume is on a work queue */
	unsigned pcpu;        /* where that work runs: the partition's own CPU */
	bool fault_logged, nomem_logged;
};

/* The device, with no endpoint yet (add each with
 * virtio_iommu_add_endpoint); its deferred work runs on physical CPU pcpu. */
void virtio_iommu_init(struct virtio_iommu *v, const char *name, const struct dma_space *mem,
		       const struct irq_line *irq, unsigned pcpu);
/* Put endpoint device e behind v as endpoint id: it offers
 * VIRTIO_F_ACCESS_PLATFORM and reaches nothing until attached. */
void virtio_iommu_add_endpoint(struct virtio_iommu *v, struct virtio_dev *e, uint32_t id);
/* Finish what waits for fences, deliver fault reports (the work queue's
 * call; also each notify). Takes v->dev.lock. */
void virtio_iommu_resume(struct virtio_iommu *v);

extern const struct virtio_dev_ops virtio_iommu_ops;
extern const struct vdev_type virtio_iommu_type;

#endif
