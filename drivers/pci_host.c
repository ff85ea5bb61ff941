/* The PCIe host bridge (generic ECAM): see include/drivers/pci_host.h. */
#include <arch/cpu.h>
#include <arch/sysreg.h>
#include <drivers/drivers.h>
#include <drivers/pci_host.h>
#include <drivers/smmuv3.h>
#include <hv/arch.h>
#include <hv/log.h>
#include <platform.h>

#define CFG_VENDOR 0x00
#define CFG_COMMAND 0x04
#define CFG_STATUS 0x06
#define CFG_HEADER 0x0e
#define CFG_BAR0 0x10
#define CFG_ROM 0x30
#define CFG_CAP_PTR 0x34
#define CAP_EXP 0x10
#define EXP_DEVCAP 0x04
#define EXP_DEVCTL 0x08
#define DEVCAP_FLR (1u << 28)
#define DEVCTL_FLR (1u << 15)

static uintptr_t ecam; /* the root bus's 1 MiB */
static uint32_t root_bus;
static paddr_t next_mem, end_mem;
static struct vpci_bars placed[256];
static bool is_placed[256];

int pci_host_init(const struct pcie_desc *d)
{
	paddr_t bus0 = d->ecam.base;

	/* Outside the window stage 1 maps as device memory at boot (QEMU
	 * virt's high ECAM): mapped here. Inside it: already mapped. */
	if (!range_within(bus0, 0x100000, PLATFORM_DEVICE_BASE, PLATFORM_DEVICE_SIZE) &&
	    mmu_map_device(bus0, 0x100000))
		return -1;
	ecam = (uintptr_t)arch_phys_to_virt(bus0);
	root_bus = d->bus_first;
	/* Every function of the root bus quiet until given: no decoding, no
	 * bus mastering, INTx off (firmware may have left them on). */
	for (unsigned devfn = 0; devfn < 256; devfn++) {
		uint32_t id = arch_pci_cfg_read((uint16_t)devfn, CFG_VENDOR, 4);
		if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
			continue;
		if ((arch_pci_cfg_read((uint16_t)devfn, CFG_HEADER, 1) & 0x7f) == 0)
			arch_pci_cfg_write((uint16_t)devfn, CFG_COMMAND, 2, 1u << 10);
	}
	next_mem = d->mem32.base;
	end_mem = d->mem32.base + d->mem32.size;
	INFO("pci: host bridge, root bus %u, configuration space at 0x%llx, window [0x%llx, +0x%llx)",
	     d->bus_first, (unsigned long long)bus0, (unsigned long long)d->mem32.base,
	     (unsigned long long)d->mem32.size);
	return 0;
}

bool pci_host_ready(void)
{
	return ecam != 0;
}

uint32_t arch_pci_cfg_read(uint16_t bdf, uint32_t off, unsigned width)
{
	uintptr_t a = ecam + ((uintptr_t)(bdf & 0xff) << 12) + (off & 0xfff);

	if (!ecam || (bdf >> 8))
		return width == 4 ? 0xffffffffu : (1u << (8 * width)) - 1;
	switch (width) {
	case 1: return *(volatile uint8_t *)a;
	case 2: return *(volatile uint16_t *)a;
	default: return *(volatile uint32_t *)a;
	}
}

void arch_pci_cfg_write(uint16_t bdf, uint32_t off, unsigned width, uint32_t val)
{
	uintptr_t a = ecam + ((uintptr_t)(bdf & 0xff) << 12) + (off & 0xfff);

	if (!ecam || (bdf >> 8))
		return;
	switch (width) {
	case 1: *(volatile uint8_t *)a = (uint8_t)val; break;
	case 2: *(volatile uint16_t *)a = (uint16_t)val; break;
	default: *(volatile uint32_t *)a = val; break;
	}
	dsb(sy);
}

/* Size and place each memory BAR (first claim), or write back where it
 * was placed; I/O BARs stay unplaced (no I/O window is given). */
static void place_bars(uint8_t devfn, struct vpci_bars *b, bool first)
{
	for (unsigned i = 0; i < VPCI_BARS; i++) {
		uint32_t off = CFG_BAR0 + 4 * i;
		if (!first) {
			arch_pci_cfg_write(devfn, off, 4, b->val[i]);
			continue;
		}
		uint32_t orig = arch_pci_cfg_read(devfn, off, 4);
		arch_pci_cfg_write(devfn, off, 4, 0xffffffffu);
		uint32_t m = arch_pci_cfg_read(devfn, off, 4);
		bool io = orig & 1, is64 = !io && ((orig >> 1) & 3) == 2;
		uint64_t mask = io ? 0 : (m & ~0xfu);
		if (is64 && i + 1 < VPCI_BARS) {
			arch_pci_cfg_write(devfn, off + 4, 4, 0xffffffffu);
			mask |= (uint64_t)arch_pci_cfg_read(devfn, off + 4, 4) << 32;
		} else if (mask) {
			mask |= 0xffffffff00000000ULL;
		}
		uint64_t size = mask ? ~mask + 1 : 0;
		uint64_t align = size < PAGE_SIZE ? PAGE_SIZE : size;
		paddr_t at = ALIGN_UP(next_mem, align);
		if (!size || at + size > end_mem || at + size < at) {
			if (size)
				WARN("pci %02x.%x: BAR %u (%llu bytes) does not fit the window: left off",
				     devfn >> 3, devfn & 7, i, (unsigned long long)size);
			arch_pci_cfg_write(devfn, off, 4, 0);
			b->val[i] = 0;
			b->mask[i] = 0;
		} else {
			next_mem = at + (size < PAGE_SIZE ? PAGE_SIZE : size);
			b->val[i] = (uint32_t)at | (orig & 0xf);
			b->mask[i] = (uint32_t)mask;
			arch_pci_cfg_write(devfn, off, 4, b->val[i]);
		}
		if (is64 && i + 1 < VPCI_BARS) {
			i++;
			b->val[i] = b->mask[i - 1] ? (uint32_t)(at >> 32) : 0;
			b->mask[i] = b->mask[i - 1] ? (uint32_t)(mask >> 32) : 0;
			arch_pci_cfg_write(devfn, off + 4, 4, b->val[i]);
		}
	}
	arch_pci_cfg_write(devfn, CFG_ROM, 4, 0);
}

int pci_fn_claim(uint8_t devfn, struct vpci_bars *bars)
{
	uint32_t id = arch_pci_cfg_read(devfn, CFG_VENDOR, 4);

	if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
		return -1;
	if ((arch_pci_cfg_read(devfn, CFG_HEADER, 1) & 0x7f) != 0) {
		WARN("pci %02x.%x: not an endpoint (header type %u): not given", devfn >> 3, devfn & 7,
		     arch_pci_cfg_read(devfn, CFG_HEADER, 1) & 0x7f);
		return -1;
	}
	arch_pci_cfg_write(devfn, CFG_COMMAND, 2, 0);
	place_bars(devfn, &placed[devfn], !is_placed[devfn]);
	is_placed[devfn] = true;
	*bars = placed[devfn];
	return 0;
}

static uint8_t exp_cap(uint8_t devfn)
{
	if (!(arch_pci_cfg_read(devfn, CFG_STATUS, 2) & (1u << 4)))
		return 0;
	uint8_t at = (uint8_t)arch_pci_cfg_read(devfn, CFG_CAP_PTR, 1) & 0xfc;
	for (unsigned hop = 0; at >= 0x40 && hop < 48; hop++) {
		if (arch_pci_cfg_read(devfn, at, 1) == CAP_EXP)
			return at;
		at = (uint8_t)arch_pci_cfg_read(devfn, at + 1u, 1) & 0xfc;
	}
	return 0;
}

void pci_fn_quiesce(uint8_t devfn)
{
	uint8_t exp;
	bool flr;

	arch_pci_cfg_write(devfn, CFG_COMMAND, 2, 0);
	exp = exp_cap(devfn);
	flr = exp && (arch_pci_cfg_read(devfn, exp + EXP_DEVCAP, 4) & DEVCAP_FLR);
	if (flr)
		arch_pci_cfg_write(devfn, exp + EXP_DEVCTL, 2,
				   arch_pci_cfg_read(devfn, exp + EXP_DEVCTL, 2) | DEVCTL_FLR);
	/* 100 ms with bus mastering off: PCIe's bound for a function to be
	 * ready after an FLR, and for one without FLR the time its work
	 * already started gets to end where it cannot land (a DMA engine
	 * that fires later would otherwise write into the next boot, once
	 * its driver turns bus mastering back on). */
	uint64_t t0 = timer_now(), wait = timer_freq() / 10;
	while (timer_now() - t0 < wait)
		;
	INFO("pci %02x.%x: bus mastering off for 100 ms%s", devfn >> 3, devfn & 7,
	     flr ? ", Function Level Reset" : " (no Function Level Reset)");
	if (is_placed[devfn]) {
		place_bars(devfn, &placed[devfn], false);
		arch_pci_cfg_write(devfn, CFG_COMMAND, 2, 0);
	}
}

/* The core's hooks (include/hv/vpci.h). */
int arch_pci_claim(uint8_t devfn, struct vpci_bars *bars)
{
	return ecam ? pci_fn_claim(devfn, bars) : -1;
}

void arch_pci_quiesce(uint8_t devfn)
{
	if (ecam)
		pci_fn_quiesce(devfn);
}

int arch_dma_confine(uint8_t devfn, uint16_t asid, paddr_t ttb, unsigned owner)
{
	return smmu_ready() ? smmu_attach((uint16_t)(root_bus << 8 | devfn), asid, ttb, owner) : -1;
}
