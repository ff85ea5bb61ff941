/* The fake arch for host unit tests (after Hafnium's src/arch/fake): a
 * "physical" memory window backed by a host buffer, console output captured
 * in a buffer, halts turned into a longjmp the test can catch. */
#include <hv/gic_lr.h>
#include <hv/display.h>
#include <hv/sensor.h>
#include <hv/vpci.h>
#include "arch_fake.h"
#include <sched.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint8_t *fake_phys_mem;
static size_t fake_phys_size;
char fake_console[65536];
size_t fake_console_len;
jmp_buf *fake_halt_jmp;
int fake_system_off_calls;

void fake_mem_init(size_t size)
{
	free(fake_phys_mem);
	fake_phys_mem = aligned_alloc(PAGE_SIZE, size);
	memset(fake_phys_mem, 0xa5, size); /* tables must be zeroed by the code */
	fake_phys_size = size;
}

void *arch_phys_to_virt(paddr_t pa)
{
	if (pa < FAKE_PHYS_BASE || pa - FAKE_PHYS_BASE >= fake_phys_size) {
		fprintf(stderr, "fake arch: PA 0x%llx outside fake memory\n", (unsigned long long)pa);
		abort();
	}
	return fake_phys_mem + (pa - FAKE_PHYS_BASE);
}

paddr_t arch_virt_to_phys(const void *va)
{
	return FAKE_PHYS_BASE + (paddr_t)((const uint8_t *)va - fake_phys_mem);
}

/* The "physical CPU" the calling thread plays (0 unless a test says). */
_Thread_local unsigned fake_cpu;
unsigned arch_cpu_id(void)
{
	return fake_cpu;
}

/* Work SGIs: a bit per target CPU, set from any thread. */
uint64_t fake_work_signalled;
void arch_workq_signal(unsigned pcpu)
{
	__atomic_or_fetch(&fake_work_signalled, 1ULL << pcpu, __ATOMIC_SEQ_CST);
}

void (*fake_console_write_hook)(void);
void arch_console_write(const char *s, size_t n)
{
	if (fake_console_write_hook)
		fake_console_write_hook();
	if (n > sizeof(fake_console) - 1 - fake_console_len)
		n = sizeof(fake_console) - 1 - fake_console_len;
	memcpy(fake_console + fake_console_len, s, n);
	fake_console_len += n;
	fake_console[fake_console_len] = 0;
}

int fake_console_input = -1;
int arch_console_getc(void)
{
	int c = fake_console_input;
	fake_console_input = -1;
	return c;
}

void fake_console_reset(void)
{
	fake_console_len = 0;
	fake_console[0] = 0;
}

static double fake_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The same ticket lock as arch/arm64/lock.c in GCC's atomics on the whole
 * word, so that the unit tests can run it on host threads. A wait of more
 * than 10 s aborts: in a single-threaded test it is a lock taken twice. */
void spin_lock(spinlock_t *l)
{
	uint32_t old = __atomic_fetch_add(&l->word, 1u << 16, __ATOMIC_ACQUIRE);
	uint16_t ticket = (uint16_t)(old >> 16);
	double t0 = fake_now();

	for (unsigned n = 1; (uint16_t)__atomic_load_n(&l->word, __ATOMIC_ACQUIRE) != ticket; n++) {
		sched_yield();
		if (n % 1024 == 0 && fake_now() - t0 > 10) {
			fprintf(stderr, "fake arch: spin_lock(%p) waited 10 s: deadlock\n", (void *)l);
			abort();
		}
	}
}

bool spin_trylock(spinlock_t *l)
{
	uint32_t old = __atomic_load_n(&l->word, __ATOMIC_RELAXED);

	if ((uint16_t)old != (uint16_t)(old >> 16))
		return false;
	return __atomic_compare_exchange_n(&l->word, &old, old + (1u << 16), false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

void spin_unlock(spinlock_t *l)
{
	uint32_t old = __atomic_load_n(&l->word, __ATOMIC_RELAXED), new;

	if ((uint16_t)old == (uint16_t)(old >> 16)) {
		fprintf(stderr, "fake arch: spin_unlock(%p) of a free lock\n", (void *)l);
		abort();
	}
	do
		new = (old & 0xffff0000u) | ((old + 1) & 0xffffu);
	while (!__atomic_compare_exchange_n(&l->word, &old, new, true, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

unsigned fake_trylock_for_calls;
bool spin_trylock_for(spinlock_t *l, unsigned usecs)
{
	double t0 = fake_now();

	fake_trylock_for_calls++;
	while (!spin_trylock(l)) {
		if (fake_now() - t0 > usecs / 1e6)
			return false;
		sched_yield();
	}
	return true;
}

void arch_clean_for_guest(void *va, size_t size)
{
	(void)va;
	(void)size;
}

_Noreturn void arch_halt(void)
{
	if (fake_halt_jmp)
		longjmp(*fake_halt_jmp, 1);
	abort();
}

_Noreturn void arch_system_off(void)
{
	fake_system_off_calls++;
	arch_halt();
}

/* ---- the vGIC's view of the CPU ---- */
uint64_t fake_lrs[VGIC_MAX_LRS];
unsigned fake_nr_lrs = 4;
bool fake_underflow;
uint32_t fake_kicked;      /* bit mask of physical CPUs kicked */
int fake_local_vcpu = -1;  /* the vCPU "running here" */
const struct vgic *fake_local_vgic;
uint32_t fake_deactivated[8];
unsigned fake_ndeactivated;

unsigned arch_vgic_nr_lrs(void)
{
	return fake_nr_lrs;
}

/* The fake CPU interface keeps its list registers in the GICv3 encoding,
 * as the tests read and write them. */
void arch_vgic_read_lr(unsigned i, struct vgic_lr *lr)
{
	ich_lr_decode(fake_lrs[i], lr);
}

void arch_vgic_lr_pend(unsigned i, uint32_t intid, uint8_t prio, unsigned flags)
{
	fake_lrs[i] = ich_lr_pending(intid, prio, flags);
}

uint8_t arch_vgic_lr_state(unsigned i)
{
	return (uint8_t)(fake_lrs[i] >> ICH_LR_STATE_SHIFT);
}

void arch_vgic_write_lr(unsigned i, const struct vgic_lr *lr)
{
	fake_lrs[i] = ich_lr_encode(lr);
}

void arch_vgic_set_underflow(bool on)
{
	fake_underflow = on;
}

struct fake_gicd_spi fake_gicd[VGIC_NR_IRQS];
unsigned fake_gicd_ops;
unsigned fake_gicd_trigger_while_enabled;

void fake_gicd_reset(void)
{
	memset(fake_gicd, 0, sizeof(fake_gicd));
	fake_gicd_ops = 0;
	fake_gicd_trigger_while_enabled = 0;
}

/* The SPI's fake distributor state; aborts for anything else, as a test
 * must never see the hooks called for a PPI, an SGI or past the vGIC. */
static struct fake_gicd_spi *gicd_spi(uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE || intid >= VGIC_NR_IRQS) {
		fprintf(stderr, "fake arch: distributor hook for INTID %u\n", intid);
		abort();
	}
	fake_gicd_ops++;
	fake_gicd[intid].ops++;
	return &fake_gicd[intid];
}

void arch_vgic_deactivate_phys(uint32_t intid)
{
	if (fake_ndeactivated < 8)
		fake_deactivated[fake_ndeactivated++] = intid;
	if (intid >= VGIC_NR_PRIVATE)
		gicd_spi(intid)->active = false;
}

void arch_vgic_spi_enable(uint32_t intid, bool on)
{
	gicd_spi(intid)->enabled = on;
}

void arch_vgic_spi_pend(uint32_t intid, bool on)
{
	gicd_spi(intid)->pending = on;
}

void arch_vgic_spi_priority(uint32_t intid, uint8_t prio)
{
	gicd_spi(intid)->priority = prio;
}

void arch_vgic_spi_trigger(uint32_t intid, bool level)
{
	struct fake_gicd_spi *s = gicd_spi(intid);
	fake_gicd_trigger_while_enabled += s->enabled;
	s->level = level;
}

void arch_vgic_spi_route(uint32_t intid, unsigned pcpu)
{
	gicd_spi(intid)->pcpu = pcpu;
}

void arch_kick_cpu(unsigned pcpu)
{
	fake_kicked |= 1u << pcpu;
}

int arch_vgic_local_vcpu(const struct vgic *g)
{
	return g == fake_local_vgic ? fake_local_vcpu : -1;
}

/* A fixed, non-cryptographic stream: unit tests need repeatable "entropy";
 * fake_entropy_fail makes the source fail. */
bool fake_entropy_fail;
bool arch_entropy(void *buf, size_t n)
{
	static uint64_t x = 0x9e3779b97f4a7c15ULL;
	uint8_t *p = buf;
	if (fake_entropy_fail)
		return false;
	while (n--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		*p++ = (uint8_t)x;
	}
	return true;
}

int fake_flush_later_calls;
void arch_console_flush_later(void)
{
	fake_flush_later_calls++;
}

_Noreturn void arch_park(void)
{
	arch_halt();
}

/* A sensor register is a 32-bit word the test owns (s->hw). */
bool sensor_regs_read(const struct sensor *s, int64_t *v)
{
	*v = sensor_convert((enum sensor_format)s->index, *(const uint32_t *)s->hw);
	return true;
}

/* The display's backend: a test sees the output in display.fb. */
bool ramfb_setup(void *fb, uint32_t width, uint32_t height, uint32_t stride)
{
	(void)fb;
	(void)width;
	(void)height;
	(void)stride;
	return true;
}

uint16_t fake_pci_bdf[FAKE_PCI_FNS] = { 0xffff, 0xffff };
uint8_t fake_pci_cfg[FAKE_PCI_FNS][4096];
uint8_t fake_pci_ro[FAKE_PCI_FNS][4096];
unsigned fake_pci_writes;

static int fake_pci_fn(uint16_t bdf)
{
	for (int i = 0; i < FAKE_PCI_FNS; i++)
		if (fake_pci_bdf[i] == bdf)
			return i;
	return -1;
}

uint32_t arch_pci_cfg_read(uint16_t bdf, uint32_t off, unsigned width)
{
	int i = fake_pci_fn(bdf);
	uint32_t v = 0;

	if (i < 0 || off + width > 4096)
		return width == 4 ? 0xffffffffu : (1u << (8 * width)) - 1;
	for (unsigned b = 0; b < width; b++)
		v |= (uint32_t)fake_pci_cfg[i][off + b] << (8 * b);
	return v;
}

void arch_pci_cfg_write(uint16_t bdf, uint32_t off, unsigned width, uint32_t val)
{
	int i = fake_pci_fn(bdf);

	fake_pci_writes++;
	if (i < 0 || off + width > 4096)
		return;
	for (unsigned b = 0; b < width; b++)
		if (!fake_pci_ro[i][off + b])
			fake_pci_cfg[i][off + b] = (uint8_t)(val >> (8 * b));
}

/* The hardware behind the virtual host bridge: the fake functions are
 * found (BARs as fake_pci_bars), quiesces and confinements counted. */
struct vpci_bars fake_pci_bars;
unsigned fake_pci_quiesced, fake_dma_confined;

int arch_pci_claim(uint8_t devfn, struct vpci_bars *bars)
{
	if (fake_pci_fn(devfn) < 0)
		return -1;
	*bars = fake_pci_bars;
	return 0;
}

void arch_pci_quiesce(uint8_t devfn)
{
	int i = fake_pci_fn(devfn);
	fake_pci_quiesced++;
	if (i >= 0)
		fake_pci_cfg[i][4] = fake_pci_cfg[i][5] = 0;
}

int arch_dma_confine(uint8_t devfn, uint16_t asid, paddr_t ttb, unsigned owner)
{
	(void)devfn, (void)asid, (void)ttb, (void)owner;
	fake_dma_confined++;
	return 0;
}
