/* A partition's virtual PCIe host bridge (core/vpci.c): the configuration
 * space of the functions given to it (its `pci` node), filtered, at
 * GUEST_PCI_ECAM_IPA; every other function of its bus reads as absent.
 * What the guest may change is what a driver needs: the command register's
 * memory, bus-master and INTx-disable bits, cache line and latency, the
 * interrupt line, its capabilities' registers. BARs stay where the
 * hypervisor placed them (sizing works, moves are ignored); the expansion
 * ROM, MSI, MSI-X and every extended capability are hidden (INTx only:
 * the partition has no MSI controller). */
#ifndef HV_VPCI_H
#define HV_VPCI_H

#include <hv/arch.h>
#include <hv/config.h>
#include <hv/mmio.h>

#define VPCI_BARS 6
#define VPCI_MAX_CAPS 16

/* The physical configuration space (drivers/pci_host.c; a fake in the
 * unit tests): bdf = bus << 8 | device << 3 | function; off naturally
 * aligned, width 1, 2 or 4. */
uint32_t arch_pci_cfg_read(uint16_t bdf, uint32_t off, unsigned width);
void arch_pci_cfg_write(uint16_t bdf, uint32_t off, unsigned width, uint32_t val);

/* A function's BARs as the hypervisor placed them: the raw low dwords
 * (flags included; the high dword of a 64-bit BAR in the next), and each
 * dword's size mask (what a sizing read returns, flags excluded). An
 * unimplemented or unplaced BAR is 0 with mask 0. */
struct vpci_bars {
	uint32_t val[VPCI_BARS];
	uint32_t mask[VPCI_BARS];
};

struct vpci_fn {
	uint16_t bdf;
	bool present;
	/* Its DMA is confined by the SMMU (or the partition file says it may
	 * be unconfined): only then does the guest's bus-master bit reach it. */
	bool dma_ok;
	struct vpci_bars bars;
	bool sizing[VPCI_BARS];
	uint8_t int_line;
	/* Its capability list as the guest sees it: the visible ones' offsets
	 * in order (the guest's capabilities pointer is the first); hidden
	 * ones' ranges read as zero and ignore writes. */
	uint8_t ncaps, cap[VPCI_MAX_CAPS], cap_id[VPCI_MAX_CAPS];
	bool intx; /* its interrupt pin is INTA, the line bound to the partition */
	uint8_t nhidden, hidden[VPCI_MAX_CAPS], hidden_end[VPCI_MAX_CAPS];
};

struct vpci {
	spinlock_t lock;
	unsigned nfn;
	struct vpci_fn fn[CFG_MAX_PCI];
};

/* The hardware behind it (drivers/pci_host.c, drivers/smmuv3.c through
 * arch/; fakes in the unit tests): claim the function (found: 0, its BARs
 * placed and filled in; else -1), quiesce it, and confine its DMA to the
 * stage-1 table at ttb (-1: no SMMU, or it refused). */
int arch_pci_claim(uint8_t devfn, struct vpci_bars *bars);
void arch_pci_quiesce(uint8_t devfn);
int arch_dma_confine(uint8_t devfn, uint16_t asid, paddr_t ttb, unsigned owner);

struct partition;
struct page_pool;
/* Boot: each function of the partition's pci node claimed, its memory
 * BARs mapped into the partition's stage 2 (device memory, never
 * executable), its DMA confined to the partition's RAM, its INTx SPI
 * bound to the partition's vGIC, the configuration space on its bus; at
 * its stop or reset each function is quiesced before anything of it is
 * reused. A function not found is left out (logged); the partition runs.
 * 0, or -1 (out of table pages, or the SMMU refused: logged). */
int vpci_create(struct partition *p, struct page_pool *pool);

/* Function k of v: bdf, present (found at boot) and its BARs; reads its
 * capability list (bounded: a looping list is cut). A function whose MSI
 * or MSI-X cannot all be hidden is left out (present false). Its INTx is
 * seen only when its pin is INTA (the line the checker gave). */
void vpci_fn_init(struct vpci_fn *f, uint16_t bdf, bool present, const struct vpci_bars *bars);
/* One access at off in the ECAM window: 0, or -1 (bad width or
 * alignment: the caller injects an abort). */
int vpci_access(struct vpci *v, uint64_t off, unsigned width, bool write, uint64_t *val);
extern const struct mmio_device_ops vpci_ops;

#endif
