/* Xilinx Zynq UltraScale+ MPSoC, ZCU102 evaluation board (also the ZCU104's
 * and the XA parts' APU): four Cortex-A53s, a GIC-400 (GICv2 with the
 * virtualization extensions), Cadence UARTs. Values from Kconfig
 * (platform/zynqmp_zcu102/Kconfig) and the Zynq UltraScale+ TRM (UG1085)
 * memory map, as QEMU 7.2's xlnx-zcu102 builds it. The GIC is normally
 * taken from the firmware's device tree; the values here are the fallback.
 * What is verified in QEMU and what only on paper: docs/boards.md. */
#ifndef PLATFORM_H
#define PLATFORM_H

#include <generated/autoconf.h>

#define PLATFORM_NAME "zynqmp-zcu102"
/* The 32-bit MMIO: PL (0x8000_0000..), PCIe, QSPI, and the LPD/FPD
 * peripherals (0xf800_0000..0xffff_ffff). DDR low is below it. */
#define PLATFORM_DEVICE_BASE 0x80000000UL
#define PLATFORM_DEVICE_SIZE 0x80000000UL
#define PLATFORM_HV_TIMER_PPI 26 /* CNTHP: EL2 physical timer */
#define PLATFORM_UART_INTID 53   /* UART0: SPI 21 */
#define PLATFORM_UART cdns_uart  /* drivers/cdns_uart.c */
/* GIC-400: each 4 KiB page decoded in its own 64 KiB (the CPU interfaces'
 * second page is the next 64 KiB alias, as Linux's gic_check_eoimode
 * finds). */
#define PLATFORM_GICC_BASE 0xf9020000UL
#define PLATFORM_GICH_BASE 0xf9040000UL
#define PLATFORM_GICV_BASE 0xf9060000UL
#define PLATFORM_GIC_DEFAULT                                                        \
	{                                                                           \
		.version = 2, .dist = { CONFIG_GICD_BASE, 0x10000 },                 \
		.cpu = { PLATFORM_GICC_BASE, 0x20000 },                              \
		.hyp = { PLATFORM_GICH_BASE, 0x20000 },                              \
		.vcpu = { PLATFORM_GICV_BASE, 0x20000 }, .page1 = 0x10000,           \
	}
/* No virtio-mmio transports and no fw_cfg (so no ramfb): the hypervisor's
 * physical virtio drivers find nothing, and a display has no output. */
#define PLATFORM_VIRTIO_MMIO_SLOTS 0
#define PLATFORM_VIRTIO_MMIO_BASE 0UL
#define PLATFORM_VIRTIO_MMIO_STRIDE 0x200UL
#define PLATFORM_VIRTIO_MMIO_INTID0 0u
/* Physical CPU index -> MPIDR affinity (one cluster, Aff0 = core). */
#define PLATFORM_CPU_MPIDR(i) ((uint64_t)(i))

#endif
