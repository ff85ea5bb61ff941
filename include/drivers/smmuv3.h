/* The SMMUv3 in front of the board's PCIe root bus (drivers/smmuv3.c):
 * every StreamID aborts until a function is attached to a partition; an
 * attached function's DMA is translated by a stage-1 table the hypervisor
 * builds from the partition's RAM (IOVA == PA), nothing else. Stage 1
 * serves as the hypervisor's own table (QEMU 7.2's SMMUv3 has no stage 2;
 * the partition's stage-2 tables cannot be shared with it). Faults are
 * read from the event queue, counted per partition and logged. */
#ifndef DRIVERS_SMMUV3_H
#define DRIVERS_SMMUV3_H

#include <hv/config.h>
#include <hv/types.h>

/* Boot, CPU 0, before any partition: the tables, the queues, all streams
 * aborting, the SMMU on. 0, or -1 (not an SMMUv3 this driver can drive:
 * logged). */
int smmu_init(const struct pcie_desc *d);
bool smmu_ready(void);
/* Function rid (bus << 8 | devfn) translated by the stage-1 table at ttb
 * (a 39-bit, 4 KiB-granule table: core/pgtable.c) under asid, its faults
 * counted for owner (a partition index). */
int smmu_attach(uint16_t rid, uint16_t asid, paddr_t ttb, unsigned owner);
/* Faults recorded against partition owner since boot. */
uint64_t smmu_faults(unsigned owner);

#endif
