/* The virtual PCIe host bridge's configuration space: see include/hv/vpci.h.
 * Decode (which function, which register) then apply: a function the
 * partition was not given reads all ones; a given one reads the physical
 * register except where the guest's view is kept here (BARs, interrupt
 * line, the capability chain, hidden ranges). */
#include <hv/log.h>
#include <hv/partition.h>
#include <hv/pgtable.h>
#include <hv/vpci.h>

#define CFG_COMMAND 0x04
#define CFG_STATUS 0x06
#define CFG_CACHE_LINE 0x0c
#define CFG_BAR0 0x10
#define CFG_ROM 0x30
#define CFG_CAP_PTR 0x34
#define CFG_INT_LINE 0x3c
#define CFG_INT_PIN 0x3d
#define CAP_PM 0x01
#define CAP_EXP 0x10
#define PM_CSR 4          /* its power state in bits 1:0 */
#define EXP_DEVCTL 8
#define DEVCTL_FLR (1u << 15)
#define CFG_STATUS_CAPS (1u << 4)
#define CAP_MSI 0x05
#define CAP_MSIX 0x11
/* Memory space, bus master, INTx disable: what the guest may set. (I/O
 * space stays off: no I/O window is given.) */
#define CMD_MASTER (1u << 2)
#define CMD_GUEST ((1u << 1) | CMD_MASTER | (1u << 10))

static uint32_t cap_len(uint16_t bdf, uint8_t at, uint8_t id)
{
	switch (id) {
	case CAP_MSI: {
		uint16_t ctl = (uint16_t)arch_pci_cfg_read(bdf, at + 2u, 2);
		return 10u + ((ctl & (1u << 7)) ? 4 : 0) + ((ctl & (1u << 8)) ? 10 : 0);
	}
	case CAP_MSIX:
		return 12;
	default:
		return 0;
	}
}

void vpci_fn_init(struct vpci_fn *f, uint16_t bdf, bool present, const struct vpci_bars *bars)
{
	*f = (struct vpci_fn){ .bdf = bdf, .present = present };
	if (!present)
		return;
	f->bars = *bars;
	f->intx = arch_pci_cfg_read(bdf, CFG_INT_PIN, 1) == 1;
	if (!(arch_pci_cfg_read(bdf, CFG_STATUS, 2) & CFG_STATUS_CAPS))
		return;
	uint8_t at = (uint8_t)arch_pci_cfg_read(bdf, CFG_CAP_PTR, 1) & 0xfc;
	/* At most 48 capabilities fit in 192 bytes: more is a loop. */
	for (unsigned hop = 0; at >= 0x40 && hop < 48; hop++) {
		uint8_t id = (uint8_t)arch_pci_cfg_read(bdf, at, 1);
		uint8_t next = (uint8_t)arch_pci_cfg_read(bdf, at + 1u, 1) & 0xfc;
		uint32_t len = cap_len(bdf, at, id);
		if (len) {
			if (f->nhidden == VPCI_MAX_CAPS) {
				WARN("pci %02x.%x: more MSI/MSI-X capabilities than can be hidden: left out",
				     bdf >> 3, bdf & 7);
				f->present = false;
				return;
			}
			f->hidden[f->nhidden] = at;
			f->hidden_end[f->nhidden++] = (uint8_t)(at + len - 1 > 0xff ? 0xff : at + len - 1);
		} else if (f->ncaps < VPCI_MAX_CAPS) { /* more: the guest's chain ends there */
			f->cap_id[f->ncaps] = id;
			f->cap[f->ncaps++] = at;
		}
		at = next;
	}
}

static struct vpci_fn *fn_of(struct vpci *v, uint16_t bdf)
{
	for (unsigned i = 0; i < v->nfn; i++)
		if (v->fn[i].bdf == bdf && v->fn[i].present)
			return &v->fn[i];
	return NULL;
}

static bool hidden(const struct vpci_fn *f, uint32_t off)
{
	for (unsigned i = 0; i < f->nhidden; i++)
		if (off >= f->hidden[i] && off <= f->hidden_end[i])
			return true;
	return false;
}

/* The guest's view of one byte at off (< 0x100). */
static uint8_t read_byte(const struct vpci_fn *f, uint32_t off)
{
	uint32_t bar = (off - CFG_BAR0) / 4, sh = 8 * (off & 3);

	if (off >= CFG_BAR0 && off < CFG_BAR0 + 4 * VPCI_BARS)
		return (uint8_t)((f->sizing[bar] ? f->bars.mask[bar] | (f->bars.val[bar] & ~f->bars.mask[bar] & 0xf)
						 : f->bars.val[bar]) >> sh);
	if (off >= CFG_ROM && off < CFG_ROM + 4)
		return 0;
	if (off == CFG_CAP_PTR)
		return f->ncaps ? f->cap[0] : 0;
	if (off == CFG_INT_LINE)
		return f->int_line;
	if (off == CFG_INT_PIN && !f->intx)
		return 0;
	if (off == CFG_STATUS && !f->ncaps)
		return (uint8_t)arch_pci_cfg_read(f->bdf, off, 1) & ~CFG_STATUS_CAPS;
	if (off >= 0x40) {
		if (hidden(f, off))
			return 0;
		for (unsigned i = 0; i < f->ncaps; i++)
			if (off == f->cap[i] + 1u)
				return i + 1 < f->ncaps ? f->cap[i + 1] : 0;
	}
	return (uint8_t)arch_pci_cfg_read(f->bdf, off, 1);
}

/* Whether the guest's view of the byte at off is kept here. */
static bool own_byte(const struct vpci_fn *f, uint32_t off)
{
	if (off >= CFG_BAR0 && off < CFG_ROM + 4)
		return off < CFG_BAR0 + 4 * VPCI_BARS || off >= CFG_ROM;
	if (off == CFG_CAP_PTR || off == CFG_INT_LINE || off == CFG_INT_PIN || (off == CFG_STATUS && !f->ncaps))
		return true;
	if (off < 0x40)
		return false;
	for (unsigned i = 0; i < f->ncaps; i++)
		if (off == f->cap[i] + 1u)
			return true;
	return hidden(f, off);
}

static uint32_t guest_read(const struct vpci_fn *f, uint32_t off, unsigned width)
{
	uint32_t v = 0;
	bool own = false;

	if (off >= 0x100)
		return 0; /* no extended capabilities */
	for (unsigned b = 0; b < width; b++)
		own |= own_byte(f, off + b);
	/* Nothing of the guest's own: one physical access, as the guest made. */
	if (!own)
		return arch_pci_cfg_read(f->bdf, off, width);
	for (unsigned b = 0; b < width; b++)
		v |= (uint32_t)read_byte(f, off + b) << (8 * b);
	return v;
}

static void bar_write(struct vpci_fn *f, unsigned bar, uint32_t val)
{
	if (val == 0xffffffffu) {
		f->sizing[bar] = true;
		return;
	}
	f->sizing[bar] = false;
	if (f->bars.mask[bar] && (val & f->bars.mask[bar]) != (f->bars.val[bar] & f->bars.mask[bar]))
		WARN("pci %02x:%02x.%x: BAR %u: a move to 0x%x ignored", f->bdf >> 8, (f->bdf >> 3) & 31,
		     f->bdf & 7, bar, val);
}

static void guest_write(struct vpci_fn *f, uint32_t off, unsigned width, uint32_t val)
{
	if (off >= 0x100)
		return;
	if (off >= CFG_BAR0 && off < CFG_BAR0 + 4 * VPCI_BARS) {
		if (width == 4)
			bar_write(f, (off - CFG_BAR0) / 4, val);
		return;
	}
	if (off < 0x40) {
		for (unsigned b = 0; b < width; b++) {
			uint32_t o = off + b, byte = (val >> (8 * b)) & 0xff;
			if (o == CFG_COMMAND || o == CFG_COMMAND + 1) {
				uint32_t cmd = arch_pci_cfg_read(f->bdf, CFG_COMMAND, 2), sh = 8 * (o - CFG_COMMAND);
				uint32_t allowed = f->dma_ok ? CMD_GUEST : CMD_GUEST & ~CMD_MASTER;
				uint32_t mask = (allowed >> sh) & 0xff;
				cmd = (cmd & ~(mask << sh)) | ((byte & mask) << sh);
				arch_pci_cfg_write(f->bdf, CFG_COMMAND, 2, cmd);
			} else if (o == CFG_STATUS + 1) { /* the error bits: write 1 to clear */
				arch_pci_cfg_write(f->bdf, CFG_STATUS, 2, (byte & 0xf9) << 8);
			} else if (o == CFG_CACHE_LINE || o == CFG_CACHE_LINE + 1) {
				arch_pci_cfg_write(f->bdf, o, 1, byte);
			} else if (o == CFG_INT_LINE) {
				f->int_line = (uint8_t)byte;
			}
		}
		return;
	}
	/* A capability's registers: as written, unless hidden. Its ID and
	 * next pointer are read-only in the function itself. Two writes reset
	 * the function behind the hypervisor's back, losing the BARs it
	 * placed: a power state other than D0 stays D0, and an FLR is done
	 * by the hypervisor (its quiesce: bus mastering off, FLR, 100 ms,
	 * BARs placed again). */
	for (unsigned b = 0; b < width; b++)
		if (hidden(f, off + b))
			return;
	bool flr = false;
	for (unsigned i = 0; i < f->ncaps; i++) {
		uint32_t at = f->cap[i];
		if (f->cap_id[i] == CAP_PM && off <= at + PM_CSR && off + width > at + PM_CSR)
			val &= ~(3u << (8 * (at + PM_CSR - off)));
		if (f->cap_id[i] == CAP_EXP && off <= at + EXP_DEVCTL + 1 && off + width > at + EXP_DEVCTL + 1) {
			uint32_t bit = DEVCTL_FLR << (8 * (at + EXP_DEVCTL - off));
			flr = val & bit;
			val &= ~bit;
		}
	}
	arch_pci_cfg_write(f->bdf, off, width, val);
	if (flr)
		arch_pci_quiesce((uint8_t)f->bdf);
}

int vpci_access(struct vpci *v, uint64_t off, unsigned width, bool write, uint64_t *val)
{
	struct vpci_fn *f;
	uint16_t bdf;
	uint32_t reg;

	if ((width != 1 && width != 2 && width != 4) || (off & (width - 1)) ||
	    off >= GUEST_PCI_ECAM_SIZE)
		return -1;
	bdf = (uint16_t)(off >> 12); /* bus 0 only: the window is one bus */
	reg = (uint32_t)(off & 0xfff);
	spin_lock(&v->lock);
	f = fn_of(v, bdf);
	if (!f) {
		if (!write)
			*val = width == 4 ? 0xffffffffu : (1u << (8 * width)) - 1;
	} else if (write) {
		guest_write(f, reg, width, (uint32_t)*val);
	} else {
		*val = guest_read(f, reg, width);
	}
	spin_unlock(&v->lock);
	return 0;
}

static int vpci_mmio(void *dev, uint64_t off, unsigned width, bool write, uint64_t *val)
{
	return vpci_access(dev, off, width, write, val);
}

const struct mmio_device_ops vpci_ops = { .access = vpci_mmio };

/* ---- the partition's life ---- */

static bool vpci_event(struct partition *p, enum part_event ev, void *arg)
{
	struct vpci *v = &p->vpci;
	(void)arg;

	if (ev != PART_EV_QUIESCE)
		return true;
	/* Bus mastering off (and FLR) before its memory is reloaded: no DMA
	 * of the old boot lands in the next one's images. */
	spin_lock(&v->lock);
	for (unsigned i = 0; i < v->nfn; i++) {
		struct vpci_fn *f = &v->fn[i];
		if (!f->present)
			continue;
		arch_pci_quiesce((uint8_t)f->bdf);
		for (unsigned b = 0; b < VPCI_BARS; b++)
			f->sizing[b] = false;
		f->int_line = 0;
	}
	spin_unlock(&v->lock);
	/* Its INTx lines: disabled, not pending, deactivated at the GIC. */
	vgic_release_hw_spis(&p->vgic);
	return true;
}

int vpci_create(struct partition *p, struct page_pool *pool)
{
	const struct part_config *pc = p->cfg;
	struct vpci *v = &p->vpci;
	bool table = false;

	*v = (struct vpci){ .nfn = pc->npci };
	if (!pc->npci)
		return 0;
	for (unsigned k = 0; k < pc->npci; k++) {
		const struct pci_fn_config *fc = &pc->pci[k];
		uint8_t devfn = (uint8_t)(fc->dev << 3 | fc->fn);
		struct vpci_bars bars = { { 0 }, { 0 } };
		bool found = arch_pci_claim(devfn, &bars) == 0;

		vpci_fn_init(&v->fn[k], devfn, found, &bars);
		if (!v->fn[k].present) {
			WARN("partition %s: pci/%s: no function at %02x:%02x.%x: left out", pc->name, fc->name,
			     fc->bus, fc->dev, fc->fn);
			continue;
		}
		if (!fc->dma_unconfined) {
			if (!table) {
				if (pgtable_init(&p->dma_s1, pool, 39))
					return -1;
				for (unsigned i = 0; i < pc->nmem; i++)
					if (pgtable_map(&p->dma_s1, pc->mem[i].base, pc->mem[i].base, pc->mem[i].size,
							S1_NORMAL | S1_AP_RW | S1_XN | PTE_NG, true))
						return -1;
				table = true;
			}
			if (arch_dma_confine(devfn, p->vmid, p->dma_s1.root, p->id)) {
				ERR("partition %s: pci/%s: the SMMU refused to confine %02x:%02x.%x", pc->name,
				    fc->name, fc->bus, fc->dev, fc->fn);
				return -1;
			}
		}
		v->fn[k].dma_ok = true; /* confined, or unconfined as the file says */
		for (unsigned b = 0; b < VPCI_BARS; b++) {
			uint32_t lo = bars.val[b];
			if (!bars.mask[b] || (lo & 1))
				continue;
			bool is64 = ((lo >> 1) & 3) == 2 && b + 1 < VPCI_BARS;
			uint64_t mask = bars.mask[b] | (is64 ? (uint64_t)bars.mask[b + 1] << 32 : 0xffffffff00000000ULL);
			uint64_t base = (lo & ~0xfULL) | (is64 ? (uint64_t)bars.val[b + 1] << 32 : 0);
			uint64_t size = ALIGN_UP(~mask + 1, PAGE_SIZE);
			if (pgtable_map(&p->s2, base, base, size, S2_DEVICE_RW, true))
				return -1;
			if (is64)
				b++;
		}
		/* The checker refused an INTx line given to two partitions;
		 * two functions of this one may share it. */
		bool bound = !v->fn[k].intx;
		if (!v->fn[k].intx)
			WARN("partition %s: pci/%s: its interrupt pin is not INTA: given without INTx",
			     pc->name, fc->name);
		for (unsigned j = 0; j < k; j++)
			bound |= v->fn[j].present && v->fn[j].intx && pc->pci[j].intid == fc->intid;
		if (!bound)
			CHECK(vgic_bind_hw_spi(&p->vgic, fc->intid) == 0);
		INFO("partition %s: pci/%s: %02x:%02x.%x given (vendor %04x device %04x), INTx %u, DMA %s",
		     pc->name, fc->name, fc->bus, fc->dev, fc->fn, arch_pci_cfg_read(devfn, 0, 2),
		     arch_pci_cfg_read(devfn, 2, 2), fc->intid,
		     fc->dma_unconfined ? "unconfined" : "confined by the SMMU");
	}
	CHECK(mmio_bus_add(&p->mmio, GUEST_PCI_ECAM_IPA, GUEST_PCI_ECAM_SIZE, &vpci_ops, v) == 0);
	CHECK(partition_notifier_add(p, vpci_event, NULL) == 0);
	return 0;
}
