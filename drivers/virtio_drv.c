/* Helpers for the hypervisor's own virtio-mmio drivers (see
 * include/drivers/virtio_drv.h). */
#include <arch/sysreg.h>
#include <drivers/virtio_drv.h>
#include <hv/arch.h>
#include <hv/boot.h>
#include <hv/passthrough.h>

bool vdrv_find(struct vdrv *v, uint32_t device_id, unsigned index)
{
#if VDRV_SLOTS == 0
	/* A board without virtio-mmio transports. */
	(void)v, (void)device_id, (void)index;
	return false;
#else
	for (unsigned i = 0; i < VDRV_SLOTS; i++) {
		struct vdrv d = { (volatile uint32_t *)(VDRV_ADDR(i)), i };
		/* A device given to a partition is not ours to touch. */
		if (passthrough_claimed(hv_config, VDRV_ADDR(i), VDRV_SIZE))
			continue;
		if (vdrv_rd(&d, VDRV_MAGIC) != 0x74726976 || vdrv_rd(&d, VDRV_VERSION) != 2 ||
		    vdrv_rd(&d, VDRV_DEVICE_ID) != device_id)
			continue;
		if (index-- == 0) {
			*v = d;
			return true;
		}
	}
	return false;
#endif
}

uint64_t vdrv_negotiate(struct vdrv *v, uint64_t wanted, uint64_t required)
{
	uint64_t offered, f;

	required |= BIT(32); /* VERSION_1: modern only */
	vdrv_wr(v, VDRV_STATUS, 0);
	vdrv_wr(v, VDRV_STATUS, 1 | 2); /* ACKNOWLEDGE | DRIVER */
	vdrv_wr(v, VDRV_DEV_FEAT_SEL, 0);
	offered = vdrv_rd(v, VDRV_DEV_FEAT);
	vdrv_wr(v, VDRV_DEV_FEAT_SEL, 1);
	offered |= (uint64_t)vdrv_rd(v, VDRV_DEV_FEAT) << 32;
	if ((offered & required) != required)
		goto fail;
	f = offered & (wanted | required);
	vdrv_wr(v, VDRV_DRV_FEAT_SEL, 0);
	vdrv_wr(v, VDRV_DRV_FEAT, (uint32_t)f);
	vdrv_wr(v, VDRV_DRV_FEAT_SEL, 1);
	vdrv_wr(v, VDRV_DRV_FEAT, (uint32_t)(f >> 32));
	vdrv_wr(v, VDRV_STATUS, 1 | 2 | 8);
	if (!(vdrv_rd(v, VDRV_STATUS) & 8))
		goto fail;
	return f;
fail:
	vdrv_fail(v);
	return 0;
}

static void wr64(struct vdrv *v, unsigned off, uint64_t x)
{
	vdrv_wr(v, off, (uint32_t)x);
	vdrv_wr(v, off + 4, (uint32_t)(x >> 32));
}

bool vdrv_queue(struct vdrv *v, unsigned q, unsigned num, const void *desc, const void *avail,
		const void *used)
{
	vdrv_wr(v, VDRV_QUEUE_SEL, q);
	if (vdrv_rd(v, VDRV_QUEUE_READY) || vdrv_rd(v, VDRV_QUEUE_NUM_MAX) < num)
		return false;
	vdrv_wr(v, VDRV_QUEUE_NUM, num);
	wr64(v, VDRV_QUEUE_DESC, arch_virt_to_phys(desc));
	wr64(v, VDRV_QUEUE_DRIVER, arch_virt_to_phys(avail));
	wr64(v, VDRV_QUEUE_DEVICE, arch_virt_to_phys(used));
	vdrv_wr(v, VDRV_QUEUE_READY, 1);
	return true;
}

uint32_t vdrv_config32(struct vdrv *v, unsigned off)
{
	return vdrv_rd(v, VDRV_CONFIG + off);
}

/* Two 32-bit halves, read again until the configuration generation holds
 * still ([VIRTIO] 4.2.2.2); a device that never settles gives 0. */
uint64_t vdrv_config64(struct vdrv *v, unsigned off)
{
	for (unsigned tries = 0; tries < 100; tries++) {
		uint32_t gen = vdrv_rd(v, VDRV_CONFIG_GEN);
		uint64_t x = vdrv_config32(v, off) | (uint64_t)vdrv_config32(v, off + 4) << 32;
		if (vdrv_rd(v, VDRV_CONFIG_GEN) == gen)
			return x;
	}
	return 0;
}

void vdrv_driver_ok(struct vdrv *v)
{
	vdrv_wr(v, VDRV_STATUS, vdrv_rd(v, VDRV_STATUS) | 4);
}

void vdrv_fail(struct vdrv *v)
{
	vdrv_wr(v, VDRV_STATUS, 128);
}

bool vdrv_polled_request(struct vdrv *v, uint16_t *avail_idx, uint16_t *avail_ring,
			 const volatile uint16_t *used_idx, const struct vdrv_used_elem *used_ring,
			 uint16_t *last_used, unsigned n, unsigned long spins, struct vdrv_used_elem *e)
{
	uint16_t i = *avail_idx;

	avail_ring[i % n] = 0;
	dsb(ish);
	*(volatile uint16_t *)avail_idx = (uint16_t)(i + 1);
	dsb(ish);
	vdrv_wr(v, VDRV_QUEUE_NOTIFY, 0);
	for (unsigned long spin = 0; *used_idx == *last_used; spin++) {
		if (spin > spins) {
			vdrv_fail(v);
			return false;
		}
		__asm__ volatile("yield");
	}
	dsb(ish);
	*e = ((const volatile struct vdrv_used_elem *)used_ring)[*last_used % n];
	(*last_used)++;
	vdrv_wr(v, VDRV_INT_ACK, vdrv_rd(v, VDRV_INT_STATUS));
	return true;
}
