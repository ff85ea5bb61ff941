/* What core/gpu.c (2D) and core/gpu3d.c (3D) share of virtio-gpu's
 * device logic; not for other users (include/hv/gpu.h is the interface). */
#ifndef CORE_GPU_PRIV_H
#define CORE_GPU_PRIV_H

#include <hv/gpu.h>

#define MAP_SEGS 2

bool gpu_req_read(const struct gpu_req *rq, uint64_t off, void *buf, size_t len);
int gpu_map_piece(struct gpu_dev *g, uint64_t addr, uint64_t *len, struct dma_seg *seg);
/* A backing list of n entries at offset off of rq, checked, into r's
 * ent/nent/backing_len (in the budget). A GPU_RESP_*. */
uint32_t gpu_take_backing(struct gpu_dev *g, const struct gpu_req *rq, uint64_t off, uint32_t n,
			  struct gpu_entry **ent, uint32_t *nent, uint64_t *len);
bool gpu_format_ok(uint32_t f);
bool gpu_id_taken(struct gpu_dev *g, uint32_t id); /* by a 2D or a 3D resource */

/* 3D, for core/gpu.c */
struct gpu3d_res *gpu3d_find(struct gpu_dev *g, uint32_t id);
/* A 3D command (or GET_CAPSET*) whose type is t: a GPU_RESP_*, with a
 * response longer than a header in resp (*len set). */
uint32_t gpu3d_ctrl(struct gpu_dev *g, uint32_t t, const struct gpu_req *rq, uint8_t *resp,
		    size_t max, size_t *len);
uint32_t gpu3d_unref(struct gpu_dev *g, struct gpu3d_res *r);
uint32_t gpu3d_attach(struct gpu_dev *g, struct gpu3d_res *r, const struct gpu_req *rq, uint64_t off,
		      uint32_t n);
uint32_t gpu3d_detach(struct gpu_dev *g, struct gpu3d_res *r);
/* The scanout's area a (resource coordinates, inside so.r) read back from
 * the backend into the window's shadow. display.lock held. */
bool gpu3d_readback(struct gpu_dev *g, struct gpu3d_res *r, const struct gpu_rect *a);
void gpu3d_reset(struct gpu_dev *g);

#endif
