/* The board's PCIe host bridge, owned by the hypervisor (drivers/pci_host.c):
 * its configuration space (ECAM, root bus only), and the functions given
 * to partitions: found, their memory BARs placed in the board's 32-bit
 * window (each on pages of its own), I/O and expansion ROM left off, bus
 * mastering and decoding off until the owner's driver turns them on. */
#ifndef DRIVERS_PCI_HOST_H
#define DRIVERS_PCI_HOST_H

#include <hv/config.h>
#include <hv/vpci.h>

/* Boot, CPU 0: the root bus's configuration space mapped. 0 or -1. */
int pci_host_init(const struct pcie_desc *d);
bool pci_host_ready(void);
/* Function devfn of the root bus: -1 when there is none or it is not a
 * type-0 (endpoint) function; else 0 with its BARs placed (the first call)
 * or placed again where they were (later calls: after a reset), decoding
 * and bus mastering off. */
int pci_fn_claim(uint8_t devfn, struct vpci_bars *bars);
/* Its bus mastering and decoding off, then a Function Level Reset when it
 * has one (its BARs placed again after): no DMA of the owner's outlives
 * the owner. */
void pci_fn_quiesce(uint8_t devfn);

#endif
