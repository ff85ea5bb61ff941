/* Bring-up on the boot CPU and the secondaries. */
#include <drivers/irqchip.h>
#include <drivers/pci_host.h>
#include <drivers/smmuv3.h>
#include <hv/boot.h>
#include <arch/cpu.h>
#include <arch/sysreg.h>
#include <drivers/drivers.h>
#include <hv/boot.h>
#include <hv/drbg.h>
#include <hv/log.h>
#include <hv/partition.h>
#include <hv/workq.h>
#include <platform.h>

extern char _end[];
extern char secondary_entry[];

static uint32_t cpus_online = 1;
static uint32_t cpus_expected; /* 1 + the CPU_ONs accepted; 0 until all were asked */
static bool boot_done;

/* No guest starts before every CPU that was started is up (or 100 ms have
 * passed): hypervisor bring-up never runs beside a guest, and partitions
 * start together. (Under QEMU's round-robin TCG a guest would otherwise run
 * a whole time slice before the next CPU even begins its bring-up.) */
static void boot_barrier(void)
{
	uint64_t t0, limit;
	uint32_t want;

	if (__atomic_load_n(&boot_done, __ATOMIC_ACQUIRE))
		return;
	t0 = timer_now();
	limit = timer_freq() / 10;
	while (!(want = __atomic_load_n(&cpus_expected, __ATOMIC_ACQUIRE)) ||
	       __atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE) < want) {
		if (timer_now() - t0 > limit) {
			WARN("CPU %u: not every CPU came up; starting guests anyway", this_cpu()->id);
			break;
		}
		__asm__ volatile("wfe" ::: "memory");
	}
	__atomic_store_n(&boot_done, true, __ATOMIC_RELEASE);
}

/* The work queues end to end, once every CPU is up: one item for each
 * CPU, posted by the last one up, must run on that CPU (from its work
 * SGI, in its idle loop or in the trap out of its guest). */
static uint64_t workq_selftest_ran;
_Static_assert(CONFIG_NR_CPUS_PLATFORM < 64, "workq_selftest_ran is a CPU mask");

static void workq_selftest_item(void *arg)
{
	unsigned want = (unsigned)(uintptr_t)arg, cpu = arch_cpu_id();

	if (cpu != want)
		ERR("workq: the item for CPU %u ran on CPU %u", want, cpu);
	else if (__atomic_or_fetch(&workq_selftest_ran, BIT(cpu), __ATOMIC_ACQ_REL) ==
		 BIT(CONFIG_NR_CPUS_PLATFORM) - 1)
		INFO("workq: each of the %u CPUs ran its own item", CONFIG_NR_CPUS_PLATFORM);
}

static void workq_selftest(void)
{
	for (unsigned cpu = 0; cpu < CONFIG_NR_CPUS_PLATFORM; cpu++)
		if (workq_post(cpu, workq_selftest_item, (void *)(uintptr_t)cpu))
			ERR("workq: posting to CPU %u refused", cpu);
}

void hv_main(uint64_t dtb);

/* The firmware's device tree (the board's), read where the loader put it:
 * in RAM that stage 1 maps, and never past the hypervisor's memory.
 * config_parse() checks it like any untrusted blob. NULL: none. */
#define BOARD_DTB_MAX 0x100000UL
static const void *board_dtb(uint64_t dtb)
{
	/* One unsigned comparison: below the base wraps to a huge offset. */
	if (dtb - CONFIG_HV_MEM_BASE > CONFIG_HV_MEM_SIZE - BOARD_DTB_MAX)
		return NULL;
	return (const void *)(uintptr_t)dtb;
}
void hv_secondary_main(unsigned cpu);

/* FEAT_SHA256 (ID_AA64ISAR0_EL1.SHA2): SHA-256 for the DRBGs uses these
 * instructions when every CPU has them, else portable C. */
static bool cpu_has_sha256(void)
{
	return ((read_sysreg(id_aa64isar0_el1) >> 12) & 0xf) != 0;
}

/* A CPU without a running vCPU: wait (interrupts masked; WFI still wakes
 * on them), handle them, and enter the vCPU once it is started. */
_Noreturn void cpu_idle(void)
{
	struct vcpu *v = vcpu_of_pcpu(this_cpu()->id);

	this_cpu()->vcpu = NULL;
	vgic_hw_disable();
	__asm__ volatile("msr daifset, #2");
	boot_barrier();
	for (;;) {
		if (v && vcpu_claim_start(v))
			vcpu_enter(v);
		wfi();
		irq_handle();
	}
}

/* The EL2 timer and the GIC together: one interrupt, taken at EL2. */
static void timer_selftest(void)
{
	uint64_t t0 = timer_now();

	irqchip->enable_ppi(PLATFORM_HV_TIMER_PPI);
	timer_hv_arm(timer_freq() / 1000000); /* 1 us */
	/* Interrupts stay masked: WFI still wakes on a pending one, which is
	 * then handled here; unmasked, one taken between the check and the
	 * WFI would leave the WFI waiting for ever. */
	while (this_cpu()->irqs == 0) {
		wfi();
		irq_handle();
	}
	INFO("timer: %llu Hz, EL2 timer interrupt after %llu ticks",
	     (unsigned long long)timer_freq(), (unsigned long long)(timer_now() - t0));
}

/* The board as found at boot: read once, by CPU 0, before any partition. */
static struct platform_desc pd;

void hv_main(uint64_t dtb)
{
	uintptr_t payload = ALIGN_UP((uintptr_t)_end, PAYLOAD_ALIGN);
	uintptr_t pool_base = CONFIG_HV_MEM_BASE + CONFIG_HV_MEM_SIZE -
			      CONFIG_PGTABLE_POOL_PAGES * PAGE_SIZE;

	/* MMU off until mmu_enable(): Device memory, so no libc calls. */
	percpu_init(0);
	PLATFORM_UART.init(CONFIG_UART_BASE);
	mmu_build();
	mmu_enable();
	INFO("Bulkhead hypervisor on %s, EL%llu, %u CPUs, firmware DTB at 0x%llx", PLATFORM_NAME,
	     (unsigned long long)(read_sysreg(CurrentEL) >> 2), CONFIG_NR_CPUS_PLATFORM,
	     (unsigned long long)dtb);
	{
		int r = platform_desc_get(&pd, board_dtb(dtb), BOARD_DTB_MAX);
		if (r == -2)
			PANIC("GIC: the firmware's device tree describes one without usable virtualization frames");
		if (r)
			WARN("GIC: the firmware's device tree does not describe it: the platform's defaults");
		irqchip = irqchip_for(&pd.gic);
		if (!irqchip)
			PANIC("GICv%u: no driver for it in this build", pd.gic.version);
		if (irqchip->init(&pd.gic) || irqchip->cpu_init(0))
			PANIC("%s: CPU 0's interface not found", irqchip->name);
		vgic_hw_priorities(irqchip->pmr());
		INFO("GIC: %s, distributor at 0x%llx, priority mask 0x%02x", irqchip->name,
		     (unsigned long long)pd.gic.dist.base, irqchip->pmr());
		/* The PCIe host bridge and its SMMU: every function's DMA
		 * aborted before any partition exists. */
		if (pd.pcie.present && pci_host_init(&pd.pcie))
			WARN("pci: the host bridge's configuration space cannot be mapped");
		if (pd.pcie.present && pd.pcie.smmu && smmu_init(&pd.pcie))
			WARN("smmu: not on: no PCIe function can be given");
	}
	timer_selftest();
	sha256_set_impl(cpu_has_sha256() ? SHA256_CE : SHA256_C); /* before the self-test in core_setup */
	if (payload >= pool_base ||
	    core_setup((const void *)payload, pool_base - payload, &pd, mmu_pool())) {
		ERR("no partition started");
		arch_system_off();
	}
	/* After the partition file: a virtio-rng given to a partition is
	 * not the hypervisor's to probe. */
	if ((read_sysreg(id_aa64isar0_el1) >> 60) & 0xf)
		INFO("entropy: RNDR (FEAT_RNG)");
	else if (!virtio_rng_phys_probe())
		WARN("entropy: no RNDR and no physical virtio-rng: virtio-rng devices serve no data");
	mmu_protect_ro_after_init();
#ifdef CONFIG_CONSOLE
	console_focus_first();
	PLATFORM_UART.enable_rx_irq();
	irqchip->spi_route(PLATFORM_UART_INTID, 0);
	irqchip->spi_enable(PLATFORM_UART_INTID, true);
#endif

	uint32_t expected = 1;
	for (unsigned cpu = 1; cpu < CONFIG_NR_CPUS_PLATFORM; cpu++) {
		int r = psci_cpu_on(PLATFORM_CPU_MPIDR(cpu), (uintptr_t)secondary_entry, cpu);
		if (r)
			WARN("CPU %u: PSCI CPU_ON failed (%d)", cpu, r);
		else
			expected++;
	}
	__atomic_store_n(&cpus_expected, expected, __ATOMIC_RELEASE);
	__asm__ volatile("sev" ::: "memory");
	cpu_idle();
}

void hv_secondary_main(unsigned cpu)
{
	percpu_init(cpu);
	mmu_enable();
	if (irqchip->cpu_init(cpu))
		PANIC("%s: CPU %u's interface not found", irqchip->name, cpu);
	/* Before any guest starts (boot_barrier): a CPU without the SHA-256
	 * instructions puts every CPU on the C version, tested again. */
	if (sha256_get_impl() == SHA256_CE && !cpu_has_sha256()) {
		sha256_set_impl(SHA256_C);
		WARN("CPU %u has no SHA-256 instructions: SHA-256 in C on every CPU", cpu);
		if (!crypto_selftest())
			ERR("crypto self-test FAILED: virtio-rng devices serve no data");
	}
	if (__atomic_add_fetch(&cpus_online, 1, __ATOMIC_ACQ_REL) == CONFIG_NR_CPUS_PLATFORM) {
		INFO("all %u CPUs up (EL2 MMU, GIC, timer)", CONFIG_NR_CPUS_PLATFORM);
		workq_selftest();
	}
	__asm__ volatile("sev" ::: "memory");
	cpu_idle();
}
