/* virtio-gpu 2D, the device's logic ([VIRTIO] 5.7; GPU2D-1..8): the
 * commands of the control and cursor queues, decoded from the
 * hypervisor's own copy of each request, checked whole (include/hv/
 * gpu_geom.h), then carried out. Resources and their backing lists live
 * in the partition's budget (a region of the hypervisor's memory the
 * partition file sizes); backing pages are reached only through the
 * device's DMA address space, when they are used. One scanout, shown in a
 * window of the display (include/hv/compositor.h), or nowhere.
 *
 * The transport (vdev/virtio_gpu.c) calls gpu_ctrl() and gpu_cursor()
 * with its lock held; nothing here sleeps or waits, so every command is
 * complete when its response is written, fenced or not. */
#ifndef HV_GPU_H
#define HV_GPU_H

#include <hv/compositor.h>
#include <hv/dma.h>
#include <hv/edid.h>
#include <hv/gpu_geom.h>

/* Command and response types ([VIRTIO] 5.7.6.7). */
enum {
	GPU_CMD_GET_DISPLAY_INFO = 0x0100,
	GPU_CMD_RESOURCE_CREATE_2D,
	GPU_CMD_RESOURCE_UNREF,
	GPU_CMD_SET_SCANOUT,
	GPU_CMD_RESOURCE_FLUSH,
	GPU_CMD_TRANSFER_TO_HOST_2D,
	GPU_CMD_RESOURCE_ATTACH_BACKING,
	GPU_CMD_RESOURCE_DETACH_BACKING,
	GPU_CMD_GET_CAPSET_INFO,
	GPU_CMD_GET_CAPSET,
	GPU_CMD_GET_EDID,
	GPU_CMD_RESOURCE_ASSIGN_UUID,
	GPU_CMD_RESOURCE_CREATE_BLOB,
	GPU_CMD_SET_SCANOUT_BLOB,
	GPU_CMD_CTX_CREATE = 0x0200,
	GPU_CMD_CTX_DESTROY,
	GPU_CMD_CTX_ATTACH_RESOURCE,
	GPU_CMD_CTX_DETACH_RESOURCE,
	GPU_CMD_RESOURCE_CREATE_3D,
	GPU_CMD_TRANSFER_TO_HOST_3D,
	GPU_CMD_TRANSFER_FROM_HOST_3D,
	GPU_CMD_SUBMIT_3D,
	GPU_CMD_UPDATE_CURSOR = 0x0300,
	GPU_CMD_MOVE_CURSOR,
	GPU_RESP_OK_NODATA = 0x1100,
	GPU_RESP_OK_DISPLAY_INFO,
	GPU_RESP_OK_CAPSET_INFO,
	GPU_RESP_OK_CAPSET,
	GPU_RESP_OK_EDID,
	GPU_RESP_ERR_UNSPEC = 0x1200,
	GPU_RESP_ERR_OUT_OF_MEMORY,
	GPU_RESP_ERR_INVALID_SCANOUT_ID,
	GPU_RESP_ERR_INVALID_RESOURCE_ID,
	GPU_RESP_ERR_INVALID_CONTEXT_ID,
	GPU_RESP_ERR_INVALID_PARAMETER,
};
#define GPU_FLAG_FENCE 1u
#define GPU_F_VIRGL 0
#define GPU_F_EDID 1
#define GPU_F_RESOURCE_BLOB 3
#define GPU_FMT_B8G8R8A8 1
#define GPU_FMT_B8G8R8X8 2
#define GPU_BLOB_MEM_GUEST 1

#define GPU_HDR_LEN 24
#define GPU_REQ_MAX 96          /* the longest fixed part: SET_SCANOUT_BLOB */
#define GPU_RESP_MAX (24 + 0x4000) /* RESP_OK_CAPSET: GPU_HOST_CAPSET_MAX */
#define GPU_MAX_RESOURCES 64     /* per partition */
#define GPU_MAX_ENTRIES 16384    /* a backing's entries (64 MiB of 4 KiB pages) */
#define GPU_MAX_DIM 8192         /* a resource's width and height */
#define GPU_ARENA_BLOCKS (2 * GPU_MAX_RESOURCES)

/* A partition's budget: [base, base + size) of the hypervisor's memory,
 * handed out first-fit in blocks; nothing else takes from it. */
struct gpu_arena {
	uint8_t *base;
	uint64_t size, used;
	unsigned n;
	struct { uint64_t off, len; } blk[GPU_ARENA_BLOCKS]; /* by offset */
};
void gpu_arena_init(struct gpu_arena *a, uint8_t *base, uint64_t size);
void *gpu_arena_alloc(struct gpu_arena *a, uint64_t len); /* NULL: does not fit */
void gpu_arena_free(struct gpu_arena *a, void *p);

/* One entry of a backing: guest memory (an IOVA of the device's DMA
 * space) and where it starts in the backing. */
struct gpu_entry {
	uint64_t addr, start;
	uint32_t len;
};

struct gpu_resource {
	uint32_t id; /* 0: a free slot */
	uint32_t width, height, format;
	bool blob;
	uint64_t bytes;      /* 2D: the host copy; blob: its size */
	uint8_t *pixels;     /* 2D: the host copy (stride width * GPU_BPP) */
	struct gpu_entry *ent; /* the backing (NULL: none) */
	uint32_t nent;
	uint64_t backing_len;
};

struct gpu_scanout {
	uint32_t res; /* 0: disabled */
	bool v3;      /* a 3D resource: its pixels are read back from the backend */
	struct gpu_rect r; /* in the resource (or the blob's framebuffer) */
	/* SET_SCANOUT_BLOB: the framebuffer in the blob. */
	bool blob;
	uint32_t fb_width, fb_height, stride, offset;
};

struct gpu_stats {
	uint64_t commands, errors, transfers, flushes, bytes_in;
};

/* ---- 3D (GPU3D-1..5): the partition's contexts and resources at the
 * render backend (include/hv/gpu_host.h), core/gpu3d.c ---- */
#define GPU3D_MAX_CTX 16        /* a partition's contexts at most */
#define GPU3D_MAX_RES 1024      /* a partition's 3D resources at most */
#define GPU3D_CMDBUF_MAX 0x40000 /* a SUBMIT_3D's commands: Mesa's 64 Ki dwords */

/* What the partition file gives a partition's 3D. */
struct gpu3d_limits {
	uint32_t contexts, resources;
	uint64_t memory;  /* the backend memory its resources may take (estimated) */
	bool gl_errors;   /* SET_DEBUG_FLAGS passes (GPU3D-5) */
};

struct gpu3d_res {
	uint32_t id; /* the partition's; 0: a free slot */
	uint32_t target, format, bind, width, height, depth, array_size, last_level, nr_samples;
	uint32_t ctx_mask; /* the context slots it is attached to */
	uint64_t bytes;    /* charged to the budget */
	struct gpu_entry *ent; /* its backing (NULL: none), as the partition gave it */
	uint32_t nent;
	uint64_t backing_len;
	bool at_host;  /* the backend holds its backing, translated under gen */
	uint32_t gen;  /* the DMA space's then (a change: translated again) */
};

struct gpu3d {
	bool on;       /* VIRGL offered */
	uint32_t part; /* the backend's ids: see core/gpu3d.c */
	struct gpu3d_limits lim;
	uint32_t ctx[GPU3D_MAX_CTX]; /* the partition's context ids by slot (0: free) */
	struct gpu3d_res *res;       /* lim.resources slots */
	uint32_t nres;
	uint16_t by_id[GPU3D_MAX_RES]; /* the nres used slots, by ascending id */
	uint64_t used;               /* of lim.memory */
	struct { uint64_t submits, dwords, refused, transfers, readbacks; } st;
};

struct gpu_dev {
	const struct dma_space *dma; /* the device's: every backing access */
	uint32_t width, height;      /* the scanout's mode */
	uint8_t edid[EDID_LEN];
	struct gpu_arena arena;
	struct gpu_resource res[GPU_MAX_RESOURCES];
	struct gpu_scanout so;
	uint32_t cursor_res; /* the cursor's resource (0: hidden) */
	int32_t cursor_x, cursor_y; /* its hot spot's position on the scanout */
	uint32_t hot_x, hot_y;
	struct display *disp;      /* NULL: no physical display */
	struct comp_window *win;   /* the scanout's window on it */
	struct gpu_stats st;
	struct gpu3d v3;
};

/* A request's readable part: segments of guest memory already translated
 * (a virtqueue chain's). */
struct gpu_req {
	const struct dma_seg *seg;
	unsigned n;
	uint64_t len;
};

/* A device for a scanout of width x height (a mode edid_build() takes:
 * the partition file was checked), its budget at arena, shown in win of
 * disp (both NULL: nowhere). */
void gpu_init(struct gpu_dev *g, const struct dma_space *dma, uint32_t width, uint32_t height,
	      const char *name, uint8_t *arena, uint64_t arena_size, struct display *disp,
	      struct comp_window *win);
/* 3D on: VIRGL offered when the render backend has it (gpu3d_on());
 * part: the partition's index. After gpu_init, before the first command. */
void gpu3d_init(struct gpu_dev *g, unsigned part, const struct gpu3d_limits *lim,
		struct gpu3d_res *table);
bool gpu3d_on(const struct gpu_dev *g);
/* Back to the state after gpu_init: every resource gone (at the backend
 * too: every context and 3D resource destroyed), the window black. */
void gpu_reset(struct gpu_dev *g);

/* One controlq request: the response into resp (at most max bytes, at
 * least GPU_HDR_LEN), its length returned (0 when max is too small even
 * for a header: the driver gave no room). */
size_t gpu_ctrl(struct gpu_dev *g, const struct gpu_req *rq, uint8_t *resp, size_t max);
/* One cursorq request (no response). */
void gpu_cursor(struct gpu_dev *g, const struct gpu_req *rq);

#endif
