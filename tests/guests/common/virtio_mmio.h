/* virtio-mmio version 2 ([VIRTIO] 4.2.2) as the bare-metal test drivers
 * see it: register offsets, status and common feature bits, descriptor
 * flags; and the steps every driver takes the same way, on the device at
 * base. */
#ifndef GUEST_VIRTIO_MMIO_H
#define GUEST_VIRTIO_MMIO_H

#include "guest.h"

#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_DEV_FEAT 0x010
#define R_DEV_FEAT_SEL 0x014
#define R_DRV_FEAT 0x020
#define R_DRV_FEAT_SEL 0x024
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM 0x038
#define R_QUEUE_READY 0x044
#define R_QUEUE_NOTIFY 0x050
#define R_INT_STATUS 0x060
#define R_INT_ACK 0x064
#define R_STATUS 0x070
#define R_QUEUE_DESC 0x080
#define R_QUEUE_DRIVER 0x090
#define R_QUEUE_DEVICE 0x0a0
#define R_CONFIG 0x100

#define S_ACK 1u
#define S_DRIVER 2u
#define S_DRIVER_OK 4u
#define S_FEATURES_OK 8u
#define S_NEEDS_RESET 0x40u

#define F_INDIRECT (1ULL << 28)
#define F_VERSION_1 (1ULL << 32)
#define F_ACCESS_PLATFORM (1ULL << 33)

#define D_NEXT 1
#define D_WRITE 2
#define D_INDIRECT 4

/* Descriptor i of the table at table ([VIRTIO] 2.7.5). */
GFN void set_desc(uintptr_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		  uint16_t next)
{
	uintptr_t e = table + 16 * (uintptr_t)i;
	w64(e, addr);
	w32(e + 8, len);
	w16(e + 12, flags);
	w16(e + 14, next);
}

/* Put head in the next slot of the avail ring at avail (num entries) and
 * publish it: *shadow is the driver's avail idx. */
GFN void vq_publish(uintptr_t avail, uint16_t *shadow, unsigned num, uint16_t head)
{
	w16(avail + 4 + 2 * (uintptr_t)(*shadow % num), head);
	barrier();
	w16(avail + 2, ++*shadow);
	barrier();
}

/* The next entry of the used ring at used (num entries), if the device
 * has written it: 1 with its id and len, *seen (the driver's used idx)
 * advanced; else 0. */
GFN int vq_take_used(uintptr_t used, uint16_t *seen, unsigned num, uint32_t *id, uint32_t *len)
{
	uintptr_t e;

	barrier();
	if (r16(used + 2) == *seen)
		return 0;
	e = used + 4 + 8 * (uintptr_t)(*seen % num);
	barrier();
	*id = r32(e);
	*len = r32(e + 4);
	++*seen;
	return 1;
}

/* The features the device offers, both words. */
GFN uint64_t vmmio_dev_features(uintptr_t base)
{
	uint64_t f;
	mmio_write32(base + R_DEV_FEAT_SEL, 1);
	f = (uint64_t)mmio_read32(base + R_DEV_FEAT) << 32;
	mmio_write32(base + R_DEV_FEAT_SEL, 0);
	return f | mmio_read32(base + R_DEV_FEAT);
}

/* DriverFeatures, both words. */
GFN void vmmio_set_features(uintptr_t base, uint64_t f)
{
	mmio_write32(base + R_DRV_FEAT_SEL, 0);
	mmio_write32(base + R_DRV_FEAT, (uint32_t)f);
	mmio_write32(base + R_DRV_FEAT_SEL, 1);
	mmio_write32(base + R_DRV_FEAT, (uint32_t)(f >> 32));
}

/* ACKNOWLEDGE, DRIVER, the features, FEATURES_OK ([VIRTIO] 3.1.1): f, or
 * with of_offered what the device offers of f (read after DRIVER). Returns
 * the features written; whether FEATURES_OK stuck is for the caller to
 * read. */
GFN uint64_t vmmio_negotiate(uintptr_t base, uint64_t f, int of_offered)
{
	mmio_write32(base + R_STATUS, S_ACK);
	mmio_write32(base + R_STATUS, S_ACK | S_DRIVER);
	if (of_offered)
		f &= vmmio_dev_features(base);
	vmmio_set_features(base, f);
	mmio_write32(base + R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	return f;
}

/* QueueNum and the three areas of the selected queue. */
GFN void vmmio_queue_regs(uintptr_t base, uint32_t num, uint64_t desc, uint64_t avail,
			  uint64_t used)
{
	mmio_write32(base + R_QUEUE_NUM, num);
	mmio_write32(base + R_QUEUE_DESC, (uint32_t)desc);
	mmio_write32(base + R_QUEUE_DESC + 4, (uint32_t)(desc >> 32));
	mmio_write32(base + R_QUEUE_DRIVER, (uint32_t)avail);
	mmio_write32(base + R_QUEUE_DRIVER + 4, (uint32_t)(avail >> 32));
	mmio_write32(base + R_QUEUE_DEVICE, (uint32_t)used);
	mmio_write32(base + R_QUEUE_DEVICE + 4, (uint32_t)(used >> 32));
}

/* Queue sel of num entries at desc, avail, used, then QueueReady; 0 (and
 * nothing written) if the device's queue is smaller. */
GFN int vmmio_queue_setup(uintptr_t base, unsigned sel, uint32_t num, uint64_t desc,
			  uint64_t avail, uint64_t used)
{
	mmio_write32(base + R_QUEUE_SEL, sel);
	if (mmio_read32(base + R_QUEUE_NUM_MAX) < num)
		return 0;
	vmmio_queue_regs(base, num, desc, avail, used);
	mmio_write32(base + R_QUEUE_READY, 1);
	return 1;
}

#endif
