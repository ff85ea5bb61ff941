/* The hypervisor's own driver for a physical virtio-rng (virtio-mmio
 * version 2; on QEMU `-device virtio-rng-device` with
 * `-global virtio-mmio.force-legacy=false`): the entropy source where the
 * CPU has no RNDR. One queue of one descriptor, polled; callers on any CPU
 * are serialised. Lock order: leaf. */
#include <arch/sysreg.h>
#include <drivers/drivers.h>
#include <drivers/virtio_drv.h>
#include <hv/arch.h>
#include <hv/log.h>
#include <string.h>

#define QSZ 4
#define CHUNK 256

static struct {
	spinlock_t lock;
	struct vdrv dev;
	bool up;
	VDRV_POLLED_QUEUE(QSZ) q;
	uint8_t buf[CHUNK] __attribute__((aligned(64)));
} rng;

bool virtio_rng_phys_probe(void)
{
	for (unsigned i = 0; vdrv_find(&rng.dev, 4, i); i++) {
		if (!vdrv_negotiate(&rng.dev, 0, 0))
			continue;
		if (!vdrv_queue(&rng.dev, 0, QSZ, rng.q.desc, &rng.q.avail, &rng.q.used)) {
			vdrv_fail(&rng.dev);
			continue;
		}
		vdrv_driver_ok(&rng.dev);
		rng.up = true;
		INFO("entropy: physical virtio-rng at 0x%lx", VDRV_ADDR(rng.dev.slot));
		return true;
	}
	return false;
}

/* One request of up to CHUNK bytes; the bytes the device returned. */
static uint32_t request(uint8_t *out, uint32_t n)
{
	struct vdrv_used_elem e;
	uint32_t got;

	rng.q.desc[0].addr = arch_virt_to_phys(rng.buf);
	rng.q.desc[0].len = n;
	rng.q.desc[0].flags = 2; /* device writes */
	if (!VDRV_POLLED(&rng.dev, &rng.q, QSZ, 5000000UL, &e)) {
		/* The device does not answer: it still owns the buffer, so it
		 * is never used again (no stale or zero bytes as entropy). */
		rng.up = false;
		WARN("entropy: the physical virtio-rng stopped answering; abandoned");
		return 0;
	}
	got = e.len;
	if (got > n)
		got = n;
	memcpy(out, rng.buf, got);
	memset(rng.buf, 0, sizeof(rng.buf));
	return got;
}

bool virtio_rng_phys_get(void *buf, size_t n)
{
	uint8_t *p = buf;
	bool ok = true;

	if (!rng.up)
		return false;
	spin_lock(&rng.lock);
	while (n && ok && rng.up) {
		uint32_t got = request(p, n < CHUNK ? (uint32_t)n : CHUNK);
		ok = got > 0;
		p += got;
		n -= got;
	}
	spin_unlock(&rng.lock);
	return ok && !n;
}
