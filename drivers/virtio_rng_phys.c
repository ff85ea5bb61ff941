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
	struct { uint64_t addr; uint32_t len; uint16_t flags, next; } desc[QSZ] __attribute__((aligned(16)));
	struct { uint16_t flags, idx, ring[QSZ], used_event; } avail __attribute__((aligned(2)));
	struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[QSZ]; uint16_t avail_event; }
		used __attribute__((aligned(4)));
	uint8_t buf[CHUNK] __attribute__((aligned(64)));
	uint16_t last_used;
} rng;

bool virtio_rng_phys_probe(void)
{
	for (unsigned i = 0; vdrv_find(&rng.dev, 4, i); i++) {
		if (!vdrv_negotiate(&rng.dev, 0, 0))
			continue;
		if (!vdrv_queue(&rng.dev, 0, QSZ, rng.desc, &rng.avail, &rng.used)) {
			vdrv_fail(&rng.dev);
			continue;
		}
		vdrv_driver_ok(&rng.dev);
		rng.up = true;
		INFO("entropy: physical virtio-rng at 0x%lx", VDRV_BASE + rng.dev.slot * 0x200UL);
		return true;
	}
	return false;
}

/* One request of up to CHUNK bytes; the bytes the device returned. */
static uint32_t request(uint8_t *out, uint32_t n)
{
	uint16_t i = rng.avail.idx;
	uint32_t got;

	rng.desc[0].addr = arch_virt_to_phys(rng.buf);
	rng.desc[0].len = n;
	rng.desc[0].flags = 2; /* device writes */
	rng.avail.ring[i % QSZ] = 0;
	dsb(ish);
	rng.avail.idx = (uint16_t)(i + 1);
	dsb(ish);
	vdrv_wr(&rng.dev, VDRV_QUEUE_NOTIFY, 0);
	for (unsigned long spin = 0; *(volatile uint16_t *)&rng.used.idx == rng.last_used; spin++) {
		if (spin > 5000000UL) {
			/* The device does not answer: it still owns the buffer, so it
			 * is never used again (no stale or zero bytes as entropy). */
			vdrv_fail(&rng.dev);
			rng.up = false;
			WARN("entropy: the physical virtio-rng stopped answering; abandoned");
			return 0;
		}
		__asm__ volatile("yield");
	}
	dsb(ish);
	got = rng.used.ring[rng.last_used % QSZ].len;
	rng.last_used++;
	vdrv_wr(&rng.dev, VDRV_INT_ACK, vdrv_rd(&rng.dev, VDRV_INT_STATUS));
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
