/* A fake render backend for unit tests (include/hv/gpu_host.h): it keeps
 * the commands it was sent (the last GPU_FAKE_LOG of them, each with a copy
 * of its request and data) and answers as the test sets. Resources and
 * contexts are tracked the way virglrenderer keeps them, by the ids the
 * hypervisor gives, so a test sees what reached the backend. */
#include "gpu_host_fake.h"
#include <hv/gpu.h>
#include <string.h>

struct gpu_fake gpu_fake = { .has_3d = true, .ncaps = 2,
			     .caps = { { 1, 1, 308 }, { 2, 2, 1280 } } };
struct gpu_host_stats gpu_host_stats;

void gpu_fake_reset(void)
{
	memset(gpu_fake.log, 0, sizeof(gpu_fake.log));
	gpu_fake.n = 0;
	gpu_fake.fail_type = 0;
	gpu_fake.fail_with = 0;
	memset(gpu_fake.live_res, 0, sizeof(gpu_fake.live_res));
	memset(gpu_fake.live_ctx, 0, sizeof(gpu_fake.live_ctx));
}

bool gpu_host_probe(void) { return true; }
bool gpu_host_has_3d(void) { return gpu_fake.has_3d; }

unsigned gpu_host_capsets(const struct gpu_host_capset **out)
{
	*out = gpu_fake.caps;
	return gpu_fake.has_3d ? gpu_fake.ncaps : 0;
}

static void track(uint32_t type, const uint8_t *req)
{
	uint32_t ctx, id;

	memcpy(&ctx, req + 16, 4);
	memcpy(&id, req + 24, 4);
	switch (type) {
	case GPU_CMD_CTX_CREATE: if (ctx < GPU_FAKE_IDS) gpu_fake.live_ctx[ctx] = true; break;
	case GPU_CMD_CTX_DESTROY: if (ctx < GPU_FAKE_IDS) gpu_fake.live_ctx[ctx] = false; break;
	case GPU_CMD_RESOURCE_CREATE_3D:
		if ((id & 0xffff) < GPU_FAKE_IDS && (id >> 16) < 8)
			gpu_fake.live_res[id >> 16][id & 0xffff] = true;
		break;
	case GPU_CMD_RESOURCE_UNREF:
		if ((id & 0xffff) < GPU_FAKE_IDS && (id >> 16) < 8)
			gpu_fake.live_res[id >> 16][id & 0xffff] = false;
		break;
	default: break;
	}
}

uint32_t gpu_host_cmd(const void *req, size_t len, const void *data, size_t dlen, void *resp,
		      size_t rmax, size_t *rlen)
{
	struct gpu_fake_cmd *c = &gpu_fake.log[gpu_fake.n % GPU_FAKE_LOG];
	uint32_t type, out;

	memcpy(&type, req, 4);
	memset(c, 0, sizeof(*c));
	c->type = type;
	c->len = len < sizeof(c->req) ? len : sizeof(c->req);
	memcpy(c->req, req, c->len);
	c->dlen = dlen;
	memcpy(c->data, data, dlen < sizeof(c->data) ? dlen : sizeof(c->data));
	gpu_fake.n++;
	if (gpu_fake.fail_type == type)
		out = gpu_fake.fail_with;
	else if (type == GPU_CMD_GET_CAPSET)
		out = GPU_RESP_OK_CAPSET;
	else
		out = GPU_RESP_OK_NODATA;
	if (out == GPU_RESP_OK_NODATA)
		track(type, req);
	memset(resp, 0, rmax);
	if (type == GPU_CMD_GET_CAPSET)
		memset((uint8_t *)resp + GPU_HDR_LEN, 0xca, rmax - GPU_HDR_LEN);
	memcpy(resp, &out, 4);
	if (rlen)
		*rlen = type == GPU_CMD_GET_CAPSET ? rmax : GPU_HDR_LEN;
	return out;
}

bool gpu_host_display_setup(struct display *d)
{
	(void)d;
	return false;
}
