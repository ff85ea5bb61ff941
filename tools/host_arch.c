/* The arch layer of the host tools. hvcheck and hvpack link the
 * hypervisor's own core/ and vdev/ (the parser, the layout, the device
 * types and the guest device-tree builder are the code boot runs); the
 * device models come along but never run on the host. Whatever would touch
 * the CPU ends the tool: reaching it is a bug. */
#include <hv/display.h>
#include <hv/gpu_host.h>
#include <hv/sensor.h>
#include <hv/arch.h>
#include <hv/partition.h>
#include <hv/vpci.h>
#include <stdio.h>
#include <stdlib.h>

static _Noreturn void not_on_host(const char *what)
{
	fprintf(stderr, "internal error: %s called in a host tool\n", what);
	abort();
}

void *arch_phys_to_virt(paddr_t pa) { (void)pa; not_on_host(__func__); }
paddr_t arch_virt_to_phys(const void *va) { (void)va; not_on_host(__func__); }
unsigned arch_cpu_id(void) { return 0; }
void arch_console_write(const char *s, size_t n) { fwrite(s, 1, n, stderr); }
int arch_console_getc(void) { return -1; }
void spin_lock(spinlock_t *l) { (void)l; }
void spin_unlock(spinlock_t *l) { (void)l; }
bool spin_trylock(spinlock_t *l) { (void)l; return true; }
bool spin_trylock_for(spinlock_t *l, unsigned usecs) { (void)l; (void)usecs; return true; }
void arch_clean_for_guest(void *va, size_t size) { (void)va; (void)size; }
void arch_console_flush_later(void) {}
bool arch_entropy(void *buf, size_t n) { (void)buf; (void)n; not_on_host(__func__); }
bool sensor_regs_read(const struct sensor *s, int64_t *v) { (void)s; (void)v; not_on_host(__func__); }
bool gpu_host_display_setup(struct display *d) { (void)d; not_on_host(__func__); }
bool gpu_host_probe(void) { not_on_host(__func__); }
bool gpu_host_has_3d(void) { not_on_host(__func__); }
unsigned gpu_host_capsets(const struct gpu_host_capset **out) { (void)out; not_on_host(__func__); }
uint32_t gpu_host_cmd(const void *req, size_t len, const void *data, size_t dlen, void *resp,
		      size_t rmax, size_t *rlen)
{
	(void)req, (void)len, (void)data, (void)dlen, (void)resp, (void)rmax, (void)rlen;
	not_on_host(__func__);
}
bool ramfb_setup(void *fb, uint32_t w, uint32_t h, uint32_t s) { (void)fb; (void)w; (void)h; (void)s; not_on_host(__func__); }
_Noreturn void arch_halt(void) { exit(3); }
_Noreturn void arch_system_off(void) { not_on_host(__func__); }
_Noreturn void arch_park(void) { not_on_host(__func__); }
void arch_kick_cpu(unsigned pcpu) { (void)pcpu; not_on_host(__func__); }
void arch_workq_signal(unsigned pcpu) { (void)pcpu; not_on_host(__func__); }
unsigned arch_vgic_nr_lrs(void) { not_on_host(__func__); }
void arch_vgic_read_lr(unsigned i, struct vgic_lr *lr) { (void)i; (void)lr; not_on_host(__func__); }
void arch_vgic_write_lr(unsigned i, const struct vgic_lr *lr) { (void)i; (void)lr; not_on_host(__func__); }
uint8_t arch_vgic_lr_state(unsigned i) { (void)i; not_on_host(__func__); }
void arch_vgic_lr_pend(unsigned i, uint32_t intid, uint8_t prio, unsigned flags)
{
	(void)i, (void)intid, (void)prio, (void)flags;
	not_on_host(__func__);
}
void arch_vgic_set_underflow(bool on) { (void)on; not_on_host(__func__); }
void arch_vgic_deactivate_phys(uint32_t intid) { (void)intid; not_on_host(__func__); }
void arch_vgic_spi_enable(uint32_t intid, bool on) { (void)intid; (void)on; not_on_host(__func__); }
void arch_vgic_spi_pend(uint32_t intid, bool on) { (void)intid; (void)on; not_on_host(__func__); }
void arch_vgic_spi_priority(uint32_t intid, uint8_t prio) { (void)intid; (void)prio; not_on_host(__func__); }
void arch_vgic_spi_trigger(uint32_t intid, bool level) { (void)intid; (void)level; not_on_host(__func__); }
void arch_vgic_spi_route(uint32_t intid, unsigned pcpu) { (void)intid; (void)pcpu; not_on_host(__func__); }
int arch_vgic_local_vcpu(const struct vgic *g) { (void)g; not_on_host(__func__); }
uint32_t arch_pci_cfg_read(uint16_t bdf, uint32_t off, unsigned width)
{
	(void)bdf, (void)off, (void)width;
	not_on_host(__func__);
}
void arch_pci_cfg_write(uint16_t bdf, uint32_t off, unsigned width, uint32_t val)
{
	(void)bdf, (void)off, (void)width, (void)val;
	not_on_host(__func__);
}
int arch_pci_claim(uint8_t devfn, struct vpci_bars *bars)
{
	(void)devfn, (void)bars;
	not_on_host(__func__);
}
void arch_pci_quiesce(uint8_t devfn)
{
	(void)devfn;
	not_on_host(__func__);
}
int arch_dma_confine(uint8_t devfn, uint16_t asid, paddr_t ttb, unsigned owner)
{
	(void)devfn, (void)asid, (void)ttb, (void)owner;
	not_on_host(__func__);
}
