/* The fake render backend of tests/fake/gpu_host_fake.c. */
#ifndef GPU_HOST_FAKE_H
#define GPU_HOST_FAKE_H

#include <hv/gpu_host.h>

#define GPU_FAKE_LOG 64
#define GPU_FAKE_IDS 1100

struct gpu_fake_cmd {
	uint32_t type;
	size_t len, dlen;
	uint8_t req[128];
	uint8_t data[4096];
};

struct gpu_fake {
	bool has_3d;
	unsigned ncaps;
	struct gpu_host_capset caps[GPU_HOST_MAX_CAPSETS];
	struct gpu_fake_cmd log[GPU_FAKE_LOG];
	unsigned n;          /* commands sent since gpu_fake_reset() */
	uint32_t fail_type;  /* this command type is answered fail_with */
	uint32_t fail_with;
	/* What lives at the backend: resources by (partition + 1, slot + 1),
	 * contexts by id. */
	bool live_res[8][GPU_FAKE_IDS];
	bool live_ctx[GPU_FAKE_IDS];
};
extern struct gpu_fake gpu_fake;

void gpu_fake_reset(void);
/* The i-th command from the end (0: the last). */
static inline const struct gpu_fake_cmd *gpu_fake_last(unsigned i)
{
	return &gpu_fake.log[(gpu_fake.n - 1 - i) % GPU_FAKE_LOG];
}

#endif
