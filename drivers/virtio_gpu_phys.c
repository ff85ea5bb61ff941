/* The hypervisor's own driver for a physical virtio-gpu (virtio-mmio
 * version 2; on QEMU `-device virtio-gpu-gl-device` with
 * `-global virtio-mmio.force-legacy=false` and a GL display): the render
 * backend of include/hv/gpu_host.h.
 *
 * One controlq, one request at a time, polled: a head descriptor with the
 * request, an optional second with its data, and the response. The
 * hypervisor never asks for a fence: the backend answers a command once it
 * has taken it, in order (a partition's fence is answered with the
 * command; what it orders is the backend's queue). What the device
 * returns is checked: a response shorter than a header, another id, or a
 * length beyond the buffer counts as a failed command. A device that stops
 * answering is abandoned: its buffers stay its own, nothing uses it again.
 * Lock order: leaf. */
#include <arch/sysreg.h>
#include <drivers/virtio_drv.h>
#include <hv/arch.h>
#include <hv/gpu.h>
#include <hv/gpu_host.h>
#include <hv/log.h>
#include <string.h>

#define QSZ 8
#define F_VIRGL 0
#define SPINS 200000000UL

struct gpu_host_stats gpu_host_stats;

struct hdr {
	uint32_t type, flags;
	uint64_t fence_id;
	uint32_t ctx_id, pad;
};
struct rect {
	uint32_t x, y, w, h;
};

static struct {
	spinlock_t lock;
	struct vdrv dev;
	bool probed, up, virgl;
	unsigned ncaps;
	struct gpu_host_capset caps[GPU_HOST_MAX_CAPSETS];
	VDRV_POLLED_QUEUE(QSZ) q;
} host;

static void set_desc(unsigned i, const void *p, size_t len, uint16_t flags, uint16_t next)
{
	host.q.desc[i] = (struct vdrv_desc){ arch_virt_to_phys(p), (uint32_t)len, flags, next };
}

/* lock held */
static uint32_t submit(const void *req, size_t len, const void *data, size_t dlen, void *resp,
		       size_t rmax, size_t *rlen)
{
	struct vdrv_used_elem e;
	unsigned n = 0;
	uint32_t type;

	if (!host.up || len < GPU_HDR_LEN || rmax < GPU_HDR_LEN || len > UINT32_MAX ||
	    dlen > UINT32_MAX || rmax > UINT32_MAX)
		return 0;
	set_desc(n, req, len, 1, (uint16_t)(n + 1)); /* NEXT */
	n++;
	if (dlen) {
		set_desc(n, data, dlen, 1, (uint16_t)(n + 1));
		n++;
	}
	set_desc(n, resp, rmax, 2, 0); /* WRITE */
	memset(resp, 0, GPU_HDR_LEN);
	if (!VDRV_POLLED(&host.dev, &host.q, QSZ, SPINS, &e)) {
		host.up = false;
		WARN("gpu: the physical virtio-gpu stopped answering; abandoned");
		return 0;
	}
	gpu_host_stats.commands++;
	gpu_host_stats.bytes += len + dlen;
	memcpy(&type, resp, 4);
	if (e.id != 0 || e.len > rmax || e.len < GPU_HDR_LEN) {
		gpu_host_stats.failed++;
		return 0;
	}
	if (rlen)
		*rlen = e.len;
	return type;
}

uint32_t gpu_host_cmd(const void *req, size_t len, const void *data, size_t dlen, void *resp,
		      size_t rmax, size_t *rlen)
{
	uint32_t t;

	spin_lock(&host.lock);
	t = submit(req, len, data, dlen, resp, rmax, rlen);
	spin_unlock(&host.lock);
	return t;
}

/* The capsets the backend reports: each index asked once at probe. */
static void read_capsets(unsigned n)
{
	struct { struct hdr h; uint32_t index, pad; } rq;
	struct { struct hdr h; uint32_t id, ver, size, pad; } rs __attribute__((aligned(16)));

	for (unsigned i = 0; i < n && host.ncaps < GPU_HOST_MAX_CAPSETS; i++) {
		memset(&rq, 0, sizeof(rq));
		rq.h.type = GPU_CMD_GET_CAPSET_INFO;
		rq.index = i;
		if (submit(&rq, sizeof(rq), NULL, 0, &rs, sizeof(rs), NULL) != GPU_RESP_OK_CAPSET_INFO)
			continue;
		if (!rs.id || !rs.size || rs.size > GPU_HOST_CAPSET_MAX) {
			WARN("gpu: capset %u (id %u, %u bytes) ignored", i, rs.id, rs.size);
			continue;
		}
		host.caps[host.ncaps++] = (struct gpu_host_capset){ rs.id, rs.ver, rs.size };
	}
}

bool gpu_host_probe(void)
{
	uint64_t f;

	spin_lock(&host.lock);
	if (host.probed)
		goto out;
	host.probed = true;
	for (unsigned i = 0; vdrv_find(&host.dev, 16, i); i++) {
		if (!(f = vdrv_negotiate(&host.dev, BIT(F_VIRGL), 0)))
			continue;
		if (!vdrv_queue(&host.dev, 0, QSZ, host.q.desc, &host.q.avail, &host.q.used)) {
			vdrv_fail(&host.dev);
			continue;
		}
		vdrv_driver_ok(&host.dev);
		host.up = true;
		host.virgl = f & BIT(F_VIRGL);
		if (host.virgl)
			read_capsets(vdrv_config32(&host.dev, 12));
		INFO("gpu: physical virtio-gpu at 0x%lx%s, %u capset(s)",
		     VDRV_ADDR(host.dev.slot), host.virgl ? " with VIRGL" : "", host.ncaps);
		break;
	}
out:
	spin_unlock(&host.lock);
	return host.up;
}

bool gpu_host_has_3d(void)
{
	return host.up && host.virgl && host.ncaps;
}

unsigned gpu_host_capsets(const struct gpu_host_capset **out)
{
	*out = host.caps;
	return gpu_host_has_3d() ? host.ncaps : 0;
}

/* ---- the display on the first scanout ---- */

#define FB_RES 1 /* the hypervisor's own resource ids are below 0x10000 */


static uint8_t resp[GPU_HDR_LEN] __attribute__((aligned(16)));

static bool cmd_ok(const void *req, size_t len, const void *data, size_t dlen)
{
	return gpu_host_cmd(req, len, data, dlen, resp, sizeof(resp), NULL) == GPU_RESP_OK_NODATA;
}

static void display_update(struct display *d, const struct gpu_rect *r)
{
	struct { struct hdr h; struct rect r; uint64_t offset; uint32_t res, pad; } t = {
		{ GPU_CMD_TRANSFER_TO_HOST_2D, 0, 0, 0, 0 }, { r->x, r->y, r->width, r->height },
		(uint64_t)r->y * d->stride + (uint64_t)r->x * GPU_BPP, FB_RES, 0 };
	struct { struct hdr h; struct rect r; uint32_t res, pad; } f = {
		{ GPU_CMD_RESOURCE_FLUSH, 0, 0, 0, 0 }, { r->x, r->y, r->width, r->height }, FB_RES, 0 };

	if (!r->width || !r->height)
		return;
	cmd_ok(&t, sizeof(t), NULL, 0);
	cmd_ok(&f, sizeof(f), NULL, 0);
}

bool gpu_host_display_setup(struct display *d)
{
	struct { struct hdr hd; uint32_t res, format, w, h; } c = {
		{ GPU_CMD_RESOURCE_CREATE_2D, 0, 0, 0, 0 }, FB_RES, GPU_FMT_B8G8R8X8, d->width, d->height };
	struct { struct hdr h; uint32_t res, n; uint64_t addr; uint32_t len, pad; } a = {
		{ GPU_CMD_RESOURCE_ATTACH_BACKING, 0, 0, 0, 0 }, FB_RES, 1, arch_virt_to_phys(d->fb),
		d->stride * d->height, 0 };
	struct { struct hdr h; struct rect r; uint32_t scanout, res; } s = {
		{ GPU_CMD_SET_SCANOUT, 0, 0, 0, 0 }, { 0, 0, d->width, d->height }, 0, FB_RES };

	if (!gpu_host_probe() || !cmd_ok(&c, sizeof(c), NULL, 0) || !cmd_ok(&a, sizeof(a), NULL, 0) ||
	    !cmd_ok(&s, sizeof(s), NULL, 0))
		return false;
	d->update = display_update;
	display_update(d, &(struct gpu_rect){ 0, 0, d->width, d->height });
	return true;
}
