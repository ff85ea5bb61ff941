/* virtio-blk ([VIRTIO] 5.2, device ID 2): a partition's virtual disk, a
 * window on a block backend (BLK-1..7). Every request is decoded into the
 * hypervisor's own copy (header, ranges) and checked against the window
 * before anything reaches the backend; data moves between the backend and
 * the guest's buffers directly.
 * Lock order: virtio_dev.lock, then the backend's lock. */
#ifndef VDEV_VIRTIO_BLK_H
#define VDEV_VIRTIO_BLK_H

#include <hv/blkdev.h>
#include <hv/config.h>
#include <vdev/virtio.h>

#define VBLK_INFLIGHT 8 /* requests per disk at the backend: its fair share */
#define VBLK_SEG_MAX BLK_MAX_SEGS /* data segments offered (254) */
/* Segments a request's chain may take: header, data, status, and a few
 * more where a buffer crosses from one RAM range into the next. */
#define VBLK_CHAIN_SEGS (VBLK_SEG_MAX + 10)
#define VBLK_SIZE_MAX (1u << 20) /* bytes per data segment */
#define VBLK_CONFIG_SIZE 60
#define VBLK_SERIAL_LEN 20

/* Request types ([VIRTIO] 5.2.6) */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13

/* Feature bits */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_CONFIG_WCE 11
#define VIRTIO_BLK_F_MQ 12
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

struct virtio_blk;

/* A virtio-blk node of the partition file ([REQUIREMENTS] BLK-6, BLK-7):
 * a window on a backend of /storage. */
struct disk_config {
	uint32_t backend;        /* index in hv_config.backend */
	char backend_name[CFG_NAME_MAX]; /* its name, for boot's messages */
	bool whole;              /* no window: the whole backend */
	uint64_t start, sectors; /* window, in 512-byte sectors */
	bool read_only;
	bool reliable; /* write-through: every write durable before it completes */
	bool shared;   /* may overlap other partitions' windows */
};

struct vblk_req {
	struct blk_req b;
	struct virtio_blk *vb;
	uint8_t *status; /* the guest's status byte */
	uint32_t used;   /* bytes written into the guest's buffers, status excluded */
	uint32_t gen;    /* device generation when taken: a reset orphans it */
	uint32_t epoch;  /* its queue's epoch: the queue was not reconfigured */
	uint16_t head;
	uint8_t q;
	bool busy;
	bool then_flush; /* write-through: a FLUSH follows before completion */
	bool flushing;   /* a FLUSH of it is at the backend */
	uint8_t pin;     /* the epoch of its pin on the DMA space */
};

struct vblk_params {
	struct blkdev *be;
	uint64_t start, sectors; /* window on the backend */
	bool read_only, reliable;
	unsigned nqueues;        /* one per vCPU */
	unsigned inflight;       /* slots granted by the backend */
	const char *serial;      /* GET_ID, at most 20 bytes used */
};

struct virtio_blk {
	struct virtio_dev dev;
	struct blkdev *be;
	uint64_t start, sectors;
	bool read_only, reliable;
	uint8_t writeback;    /* config: 1 writeback, 0 write-through */
	bool dirty;           /* written since the last backend flush */
	bool stopping;        /* quiesced: take no request until reset */
	uint32_t gen;
	unsigned nslots, inflight;
	uint32_t stalled;     /* queues that wait for a free slot */
	unsigned next_stalled;
	unsigned flushing;    /* FLUSHes at the backend */
	char serial[VBLK_SERIAL_LEN];
	uint8_t config[VBLK_CONFIG_SIZE];
	uint64_t nreq, nerr;  /* for the log and tests */
	struct vblk_req req[VBLK_INFLIGHT];
	/* Last, and not cleared by virtio_blk_init() (written before read):
	 * request i's chain, whose data segments are its blk_req's. */
	struct dma_seg seg[VBLK_INFLIGHT][VBLK_CHAIN_SEGS];
};

void virtio_blk_init(struct virtio_blk *vb, const char *name, const struct vblk_params *prm,
		     const struct dma_space *mem, const struct irq_line *irq);
/* Before a partition restarts or stops (no vCPU runs, d->lock not held):
 * wait (bounded) for its requests at the backend, then make its completed
 * writes durable. False when requests are still at the backend: it may
 * still write into the partition's RAM. */
bool virtio_blk_quiesce(struct virtio_blk *vb);
extern const struct virtio_dev_ops virtio_blk_ops;
extern const struct vdev_type virtio_blk_type;

#endif
