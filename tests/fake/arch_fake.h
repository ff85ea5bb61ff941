#ifndef ARCH_FAKE_H
#define ARCH_FAKE_H

#include <hv/vpci.h>
#include <hv/arch.h>
#include <hv/vgic.h>
#include <setjmp.h>

#define FAKE_PHYS_BASE 0x80000000ULL

extern uint8_t *fake_phys_mem;
/* The physical PCI configuration space: function fake_pci_bdf[i]'s 4 KiB
 * are fake_pci_cfg[i]; bytes whose fake_pci_ro[i] bit is set ignore
 * writes. Any other function reads all ones. Writes are counted. */
#define FAKE_PCI_FNS 2
extern uint16_t fake_pci_bdf[FAKE_PCI_FNS];
extern uint8_t fake_pci_cfg[FAKE_PCI_FNS][4096];
extern uint8_t fake_pci_ro[FAKE_PCI_FNS][4096];
extern unsigned fake_pci_writes;
extern struct vpci_bars fake_pci_bars; /* what arch_pci_claim() places */
extern unsigned fake_pci_quiesced, fake_dma_confined;
extern char fake_console[65536];
extern size_t fake_console_len;
extern jmp_buf *fake_halt_jmp;
extern int fake_system_off_calls;
extern unsigned fake_trylock_for_calls;
/* Called on entry to arch_console_write: a UART that faults or hangs. */
extern void (*fake_console_write_hook)(void);

extern _Thread_local unsigned fake_cpu; /* what arch_cpu_id() returns in this thread */
extern uint64_t fake_work_signalled;     /* CPUs arch_workq_signal() was called for */
extern int fake_console_input;
extern int fake_flush_later_calls;
extern bool fake_entropy_fail;
extern uint64_t fake_lrs[VGIC_MAX_LRS];
extern unsigned fake_nr_lrs;
extern bool fake_underflow;
extern uint32_t fake_kicked;
extern int fake_local_vcpu;
extern const struct vgic *fake_local_vgic;
extern uint32_t fake_deactivated[8];
extern unsigned fake_ndeactivated;
/* The physical distributor's state of each SPI as the arch_vgic_spi_*
 * hooks and arch_vgic_deactivate_phys left it; ops counts every call. */
struct fake_gicd_spi {
	bool enabled, pending, active, level;
	uint8_t priority;
	unsigned pcpu; /* IROUTER */
	unsigned ops;
};
extern struct fake_gicd_spi fake_gicd[VGIC_NR_IRQS];
extern unsigned fake_gicd_ops; /* calls of the hooks for any SPI */
/* The trigger was written while the SPI was enabled (the real driver
 * disables it around the write; the fake records what it was given). */
extern unsigned fake_gicd_trigger_while_enabled;
void fake_gicd_reset(void);

/* A fresh fake physical memory of size bytes at FAKE_PHYS_BASE, filled
 * with garbage. */
void fake_mem_init(size_t size);
void fake_console_reset(void);

#endif
