/* QEMU aarch64 virt: the board as data. Values come from Kconfig defaults in
 * platform/qemu_virt/Kconfig; this file adds what is fixed by the machine. */
#ifndef PLATFORM_H
#define PLATFORM_H

#include <generated/autoconf.h>

#define PLATFORM_NAME "qemu-virt"
/* Everything below RAM is MMIO (flash, GIC, UART, RTC, virtio-mmio, PCIe). */
#define PLATFORM_DEVICE_BASE 0x0UL
#define PLATFORM_DEVICE_SIZE CONFIG_RAM_BASE
#define PLATFORM_HV_TIMER_PPI 26 /* CNTHP: EL2 physical timer */
#define PLATFORM_UART_INTID 33   /* UART0: SPI 1 */
#define PLATFORM_UART pl011_uart /* drivers/pl011.c */
/* The GIC when the firmware's tree (QEMU's) has no node for it. */
#define PLATFORM_GIC_DEFAULT                                                        \
	{                                                                           \
		.version = 3, .dist = { CONFIG_GICD_BASE, 0x10000 },                 \
		.redist = { CONFIG_GICR_BASE, CONFIG_NR_CPUS_PLATFORM * 0x20000 },   \
		.page1 = 0x1000,                                                     \
	}
#define PLATFORM_FWCFG_BASE 0x09020000UL /* fw_cfg: data, selector +8, DMA +16 */
/* virtio-mmio transports (QEMU's -device virtio-*-device): 32 slots of
 * 0x200 bytes, slot n's interrupt SPI 16 + n. */
#define PLATFORM_VIRTIO_MMIO_BASE 0x0a000000UL
#define PLATFORM_VIRTIO_MMIO_STRIDE 0x200UL
#define PLATFORM_VIRTIO_MMIO_SLOTS 32
#define PLATFORM_VIRTIO_MMIO_INTID0 48u
/* Physical CPU index -> MPIDR affinity (QEMU virt: Aff0 = index). */
#define PLATFORM_CPU_MPIDR(i) ((uint64_t)(i))

#endif
