/* Passed-through board devices at run time (include/hv/passthrough.h):
 * their windows mapped into the owner's stage 2 as device memory, never
 * executable; their SPIs bound to the owner's vGIC (forwarded with the
 * list register's HW bit, the guest's settings mirrored: core/vgic.c).
 * When the owner stops or restarts, its SPIs are disabled and deactivated
 * at the GIC and a virtio-mmio device is reset through its Status register
 * (no DMA lands in the images loaded for the next boot); the guest's own
 * driver sets it up again. */
#include <hv/log.h>
#include <hv/partition.h>
#include <hv/passthrough.h>

#define VIRTIO_MMIO_STATUS 0x070

bool passthrough_claimed(const struct hv_config *cfg, paddr_t pa, uint64_t size)
{
	for (unsigned q = 0; cfg && q < cfg->nparts; q++)
		for (unsigned e = 0; e < cfg->parts[q].npt; e++)
			for (unsigned i = 0; i < cfg->parts[q].pt[e].nreg; i++)
				if (range_overlaps(pa, size, cfg->parts[q].pt[e].reg[i].base,
						   cfg->parts[q].pt[e].reg[i].size))
					return true;
	return false;
}

static bool passthrough_event(struct partition *p, enum part_event ev, void *arg)
{
	const struct part_config *pc = p->cfg;
	(void)arg;

	if (ev != PART_EV_QUIESCE)
		return true;
	for (unsigned e = 0; e < pc->npt; e++) {
		const struct pt_config *pt = &pc->pt[e];
		if (pt->virtio) {
			/* Its first window is the transport; the board's reg
			 * may start inside the page. */
			volatile uint32_t *status = arch_phys_to_virt(pt->dev_base + VIRTIO_MMIO_STATUS);
			*status = 0;
		}
	}
	vgic_release_hw_spis(&p->vgic);
	return true;
}

int passthrough_create(struct partition *p)
{
	const struct part_config *pc = p->cfg;

	for (unsigned e = 0; e < pc->npt; e++) {
		const struct pt_config *pt = &pc->pt[e];
		for (unsigned i = 0; i < pt->nreg; i++)
			CHECK(pgtable_map(&p->s2, pt->reg[i].base, pt->reg[i].base, pt->reg[i].size,
					  S2_DEVICE_RW, true) == 0);
		for (unsigned i = 0; i < pt->nirq; i++)
			/* The checker refused an SPI given twice. */
			CHECK(vgic_bind_hw_spi(&p->vgic, pt->intid[i]) == 0);
		INFO("partition %s: %s given (%u window(s), %u SPI(s))%s", pc->name, pt->board_path,
		     pt->nreg, pt->nirq, pt->dma_unconfined ? ", DMA unconfined" : "");
	}
	if (pc->npt)
		CHECK(partition_notifier_add(p, passthrough_event, NULL) == 0);
	return 0;
}
