/* The hypervisor's own driver for a physical virtio-rng (virtio-mmio
 * version 2; on QEMU `-device virtio-rng-device` with
 * `-global virtio-mmio.force-legacy=false`): the entropy source where the
 * CPU has no RNDR. One queue of one descriptor, polled; callers on any CPU
 * are serialised. Lock order: leaf. */
#include <arch/sysreg.h>
#include <drivers/drivers.h>
#include <hv/arch.h>
#include <hv/log.h>
#include <string.h>

#define VIRTIO_MMIO_BASE 0x0a000000UL
#define VIRTIO_MMIO_SLOTS 32
#define QSZ 4
#define CHUNK 256

enum {
	MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, DEV_FEAT = 0x010, DEV_FEAT_SEL = 0x014,
	DRV_FEAT = 0x020, DRV_FEAT_SEL = 0x024, QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034,
	QUEUE_NUM = 0x038, QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050, INT_STATUS = 0x060,
	INT_ACK = 0x064, STATUS = 0x070, QUEUE_DESC = 0x080, QUEUE_DRIVER = 0x090,
	QUEUE_DEVICE = 0x0a0,
};

static struct {
	spinlock_t lock;
	volatile uint32_t *r;
	struct { uint64_t addr; uint32_t len; uint16_t flags, next; } desc[QSZ] __attribute__((aligned(16)));
	struct { uint16_t flags, idx, ring[QSZ], used_event; } avail __attribute__((aligned(2)));
	struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[QSZ]; uint16_t avail_event; }
		used __attribute__((aligned(4)));
	uint8_t buf[CHUNK] __attribute__((aligned(64)));
	uint16_t last_used;
} rng;

static inline uint32_t rd(unsigned off) { return rng.r[off / 4]; }
static inline void wr(unsigned off, uint32_t v) { rng.r[off / 4] = v; }

static void wr64(unsigned off, uint64_t v)
{
	wr(off, (uint32_t)v);
	wr(off + 4, (uint32_t)(v >> 32));
}

bool virtio_rng_phys_probe(void)
{
	for (unsigned i = 0; i < VIRTIO_MMIO_SLOTS; i++) {
		volatile uint32_t *r = (volatile uint32_t *)(VIRTIO_MMIO_BASE + i * 0x200UL);
		if (r[MAGIC / 4] != 0x74726976 || r[VERSION / 4] != 2 || r[DEVICE_ID / 4] != 4)
			continue;
		rng.r = r;
		wr(STATUS, 0);
		wr(STATUS, 1 | 2); /* ACKNOWLEDGE | DRIVER */
		wr(DEV_FEAT_SEL, 1);
		if (!(rd(DEV_FEAT) & 1)) /* VERSION_1 */
			goto fail;
		wr(DRV_FEAT_SEL, 0);
		wr(DRV_FEAT, 0);
		wr(DRV_FEAT_SEL, 1);
		wr(DRV_FEAT, 1);
		wr(STATUS, 1 | 2 | 8);
		if (!(rd(STATUS) & 8))
			goto fail;
		wr(QUEUE_SEL, 0);
		if (rd(QUEUE_NUM_MAX) < QSZ)
			goto fail;
		wr(QUEUE_NUM, QSZ);
		wr64(QUEUE_DESC, arch_virt_to_phys(rng.desc));
		wr64(QUEUE_DRIVER, arch_virt_to_phys(&rng.avail));
		wr64(QUEUE_DEVICE, arch_virt_to_phys(&rng.used));
		wr(QUEUE_READY, 1);
		wr(STATUS, 1 | 2 | 8 | 4); /* DRIVER_OK */
		INFO("entropy: physical virtio-rng at 0x%lx", VIRTIO_MMIO_BASE + i * 0x200UL);
		return true;
	fail:
		wr(STATUS, 128); /* FAILED */
		rng.r = NULL;
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
	wr(QUEUE_NOTIFY, 0);
	for (unsigned long spin = 0; *(volatile uint16_t *)&rng.used.idx == rng.last_used; spin++) {
		if (spin > 5000000UL) {
			/* The device does not answer: it still owns the buffer, so it
			 * is never used again (no stale or zero bytes as entropy). */
			wr(STATUS, 128); /* FAILED */
			rng.r = NULL;
			WARN("entropy: the physical virtio-rng stopped answering; abandoned");
			return 0;
		}
		__asm__ volatile("yield");
	}
	dsb(ish);
	got = rng.used.ring[rng.last_used % QSZ].len;
	rng.last_used++;
	wr(INT_ACK, rd(INT_STATUS));
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

	if (!rng.r)
		return false;
	spin_lock(&rng.lock);
	while (n && ok && rng.r) {
		uint32_t got = request(p, n < CHUNK ? (uint32_t)n : CHUNK);
		ok = got > 0;
		p += got;
		n -= got;
	}
	spin_unlock(&rng.lock);
	return ok && !n;
}
