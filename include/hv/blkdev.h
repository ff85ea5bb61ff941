/* Block backends: the storage the hypervisor owns and partitions' virtual
 * disks are windows on. One interface for every kind (a physical
 * virtio-blk today, a RAM disk from the image; eMMC, UFS or NVMe drivers
 * later). Requests carry absolute backend sectors; windows, read-only and
 * write policies are the virtual disk's business (vdev/virtio_blk.c).
 *
 * A backend either completes a request before submit() returns, or later
 * by calling req->done() with no backend lock held: from its completion
 * interrupt or, better, on the CPU that submitted the request (through
 * that CPU's work queue, include/hv/workq.h), or from poll() on the
 * polling CPU. The hypervisor keeps no cache: a completed write is where the
 * backend put it, and FLUSH makes it durable.
 * Lock order: a virtual disk's lock, then the backend's (leaf). */
#ifndef HV_BLKDEV_H
#define HV_BLKDEV_H

#include <hv/dma.h>
#include <hv/types.h>

#define BLK_SECTOR 512u
/* Data segments in one request: as many as QEMU's virtio-blk takes with its
 * 256-entry queue (header and status make 256 descriptors), so a 1 MiB
 * O_DIRECT transfer of scattered pages is one request, not five. */
#define BLK_MAX_SEGS 254
#define BLK_MAX_RANGES 4  /* discard / write-zeroes ranges in one request */

enum blk_op { BLK_READ, BLK_WRITE, BLK_FLUSH, BLK_DISCARD, BLK_WRITE_ZEROES };
/* Completion status, the virtio-blk values. */
enum blk_status { BLK_OK = 0, BLK_IOERR = 1, BLK_UNSUPP = 2 };

/* Layout shared with virtio-blk's discard / write-zeroes segment
 * ([VIRTIO] 5.2.6), so a backend can hand it on unchanged. */
struct blk_range {
	uint64_t sector;
	uint32_t nsect;
	uint32_t flags; /* BLK_RANGE_UNMAP */
};
#define BLK_RANGE_UNMAP 1u

struct blk_req {
	uint8_t op;       /* enum blk_op */
	uint8_t status;   /* enum blk_status, set by the backend */
	uint64_t sector;  /* READ / WRITE: first backend sector */
	unsigned nseg;    /* READ / WRITE: the data, at most BLK_MAX_SEGS */
	/* Hypervisor addresses (guest RAM or the hypervisor's own), in the
	 * requester's storage, unchanged until done(). */
	const struct dma_seg *seg;
	unsigned nrange;  /* DISCARD / WRITE_ZEROES */
	struct blk_range range[BLK_MAX_RANGES];
	void (*done)(struct blk_req *r);
	void *ctx;
};

struct blkdev;
struct blkdev_ops {
	/* 0: completed, r->status set, done() not called; 1: queued, done()
	 * follows from the completion interrupt. */
	int (*submit)(struct blkdev *b, struct blk_req *r);
	/* Harvest completions without waiting for the interrupt (callers with
	 * interrupts masked: partition stop, power-off). */
	void (*poll)(struct blkdev *b);
	/* Make every completed write durable, waiting (bounded) for the
	 * device: 0, or -1 when the device failed or did not answer. */
	int (*sync)(struct blkdev *b);
};

struct blkdev {
	const struct blkdev_ops *ops;
	const char *name;
	uint64_t sectors;  /* capacity, 512-byte sectors */
	uint32_t blk_size; /* the device's logical block size */
	uint32_t seg_max;  /* data segments per request */
	uint32_t size_max; /* bytes per data segment, 0: no limit */
	bool read_only;    /* the device refuses writes */
	bool can_flush;    /* has a volatile cache to flush */
	bool can_discard, can_write_zeroes, wz_may_unmap;
	uint32_t max_discard_sectors, max_discard_seg, discard_align;
	uint32_t max_wz_sectors, max_wz_seg;
	uint32_t slots;    /* requests it can hold in flight */
	uint32_t reserved; /* slots promised to virtual disks */
	void *priv;
};

/* A RAM disk over [mem, mem + size): requests complete synchronously. */
void blk_ram_init(struct blkdev *b, const char *name, uint8_t *mem, uint64_t size);

/* The physical block device number index (platform driver), or NULL. */
struct blkdev *blk_phys_open(unsigned index);
/* Request slots of a physical virtio-blk whose queue has at least 64
 * entries (drivers/virtio_blk_phys.c keeps one for sync()). The partition
 * file is checked against it; a device with a smaller queue is refused at
 * boot. */
#define BLK_PHYS_SLOTS 63u

/* The partition file's backend number idx, opened at boot (core/boot.c),
 * or NULL. */
struct blkdev *blk_backend(unsigned idx);
void blk_backend_set(unsigned idx, struct blkdev *b);

#endif
