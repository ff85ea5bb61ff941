/* A partition's guest physical map: where each emulated device's MMIO
 * window sits and which interrupt it raises. Computed from the partition
 * file by config_parse() (so the host checker refuses a partition that does
 * not fit, with the same message as boot), then used as is by partition
 * creation and the guest device-tree builder. */
#ifndef HV_LAYOUT_H
#define HV_LAYOUT_H

#include <hv/types.h>

/* The guest physical map every partition sees (QEMU virt's addresses, so
 * guests find familiar places). */
#define GUEST_GICD_IPA 0x08000000UL
#define GUEST_GICD_SIZE 0x10000UL
#define GUEST_GICR_IPA 0x080a0000UL
#define GUEST_GICR_STRIDE 0x20000UL
#define GUEST_GICC_IPA 0x08010000UL /* GICv2: the CPU interface (the board's GICV) */
#define GUEST_GICC_SIZE 0x2000UL
#define GUEST_UART_IPA 0x09000000UL
#define GUEST_UART_SIZE 0x1000UL
#define GUEST_UART_INTID 33u
#define GUEST_DTB_MAX 0x10000UL
/* virtio-mmio slot n: IPA and interrupt as on QEMU virt (32 slots from
 * 0x0a000000, SPI 16 + n). */
#define GUEST_VIRTIO_BASE 0x0a000000UL
#define GUEST_VIRTIO_STRIDE 0x200UL
#define GUEST_VIRTIO_IPA(n) (GUEST_VIRTIO_BASE + (n) * GUEST_VIRTIO_STRIDE)
#define GUEST_VIRTIO_INTID(n) (48u + (n))
#define GUEST_VIRTIO_SLOTS 32
/* PCIe (a partition given PCIe functions): the configuration space of its
 * virtual host bridge, one bus (where QEMU virt's low ECAM sits); its
 * functions' BARs are where the board placed them, mapped 1:1. */
#define GUEST_PCI_ECAM_IPA 0x3f000000UL
#define GUEST_PCI_ECAM_SIZE 0x100000UL
/* Interrupt numbers a device may be given: the vGIC's SPIs. */
#define GUEST_INTID_MIN 32u
#define GUEST_INTID_END 96u

#define LAYOUT_NO_DEV 0xffu
#define LAYOUT_MAX_REGIONS (3 + GUEST_VIRTIO_SLOTS)

enum region_kind { REGION_GICD, REGION_GICR, REGION_DEVICE, REGION_PASSTHROUGH, REGION_GICC,
		   REGION_PCI_ECAM };

struct layout_region {
	ipa_t base;
	uint64_t size;
	uint32_t intid; /* 0: none */
	uint8_t kind;   /* enum region_kind */
	uint8_t dev;    /* index in part_config.dev, or LAYOUT_NO_DEV */
};

#define LAYOUT_MAX_IRQS 16 /* interrupts with no window of their own (passthrough) */
struct guest_layout {
	uint32_t n;
	uint32_t virtio_used; /* slots handed out, from 0 */
	struct layout_region r[LAYOUT_MAX_REGIONS];
	uint32_t nirq;
	uint32_t irq[LAYOUT_MAX_IRQS];
};

/* The interrupt controller's windows: GICv3's distributor and nvcpus
 * redistributors, or GICv2's distributor and CPU interface. */
void layout_init(struct guest_layout *l, unsigned nvcpus, unsigned gic_version);
/* The next free virtio-mmio slot for device dev: the region's index, or -1
 * when every slot is taken. */
int layout_add_virtio(struct guest_layout *l, unsigned dev, uint64_t size);
/* A window at a fixed address (emulated UART, passed-through device): its
 * index; -1 when it overlaps another window, -2 when the interrupt is
 * taken or out of range, -3 when the table is full. */
int layout_add_fixed(struct guest_layout *l, unsigned dev, ipa_t base, uint64_t size,
		     uint32_t intid);
/* A passed-through window (mapped, not emulated): as layout_add_fixed. */
int layout_add_passthrough(struct guest_layout *l, ipa_t base, uint64_t size);
/* The virtual PCIe host bridge's configuration space (emulated). */
int layout_add_pci_ecam(struct guest_layout *l);
/* An interrupt taken without a window (a passed-through SPI): 0, or -2
 * when taken or out of range, -3 when the table is full. */
int layout_add_irq(struct guest_layout *l, uint32_t intid);
/* What the map holds at [base, +size), for messages: "the GIC
 * distributor", "a device window at 0x...", or "nothing". */
const char *layout_what(const struct guest_layout *l, ipa_t base, uint64_t size);

#endif
