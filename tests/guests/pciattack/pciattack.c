/* A hostile driver of a DMA-capable PCIe function (QEMU's edu device at
 * 00:03.0, given to this partition: tests/configs/good/pci-dma-attack.dts)
 * that points its DMA engine outside its partition. Its RAM starts at
 * 0x50000000; the Linux partition "other" has 0x60000000..0x70000000 and
 * the hypervisor sits at 0x40000000.
 * - control: DMA from its own RAM into the device and back into its own
 *   RAM lands (so the engine works and the attacks below could land);
 * - DMA writes into other's RAM (its kernel text) and into the
 *   hypervisor's: the SMMU refuses them (tests/linux/test_pci_dma.py
 *   compares the pages before and after, reads the fault count);
 * - a DMA read of other's RAM brings back nothing of it;
 * - then a DMA into its own RAM is started and the partition resets at
 *   once (PSCI SYSTEM_RESET), before the engine fires (100 ms later): the
 *   hypervisor must quiesce the function first. On its second boot (the
 *   device's scratch register remembers) it waits, and reports whether
 *   that DMA landed in the memory of its new boot; then powers off.
 * proves: PLATFORM-5, NET-4 */
#include "../common/guest.h"

#define ECAM 0x3f000000UL
#define FN_CFG (ECAM + (3u << 15)) /* 00:03.0 */
#define EDU_ID 0x00
#define EDU_LIVE 0x04
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_CNT 0x90
#define EDU_DMA_CMD 0x98
#define DMA_RUN 1u
#define DMA_TO_RAM 2u
#define EDU_BUF 0x40000UL
#define LEN 256u /* edu's range check in QEMU 7.2 aborts QEMU from 4096 bytes */

#define OWN 0x50000000UL
#define SRC (OWN + 0x1000000)
#define BACK (OWN + 0x1001000)
#define STALE (OWN + 0x1800000) /* the reset test's target */
#define OTHER 0x60200000UL      /* other's kernel text */
#define HYP 0x40081000UL        /* the hypervisor's text */
#define SECOND_BOOT 0x5eb00700u
#define PSCI_SYSTEM_RESET 0x84000009UL

static uintptr_t bar;

static uint64_t now(void)
{
	uint64_t v;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static void wait_ms(unsigned ms)
{
	uint64_t f, t0 = now();
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	while (now() - t0 < f / 1000 * ms)
		;
}

/* One transfer; false when the engine did not finish in 2 s. */
static int dma(uint64_t src, uint64_t dst, int to_ram, int wait)
{
	w64(bar + EDU_DMA_SRC, src);
	w64(bar + EDU_DMA_DST, dst);
	w64(bar + EDU_DMA_CNT, LEN);
	barrier();
	w64(bar + EDU_DMA_CMD, DMA_RUN | (to_ram ? DMA_TO_RAM : 0));
	if (!wait)
		return 1;
	for (unsigned i = 0; i < 200; i++) {
		if (!(r64(bar + EDU_DMA_CMD) & DMA_RUN))
			return 1;
		wait_ms(10);
	}
	return 0;
}

static void fill_pattern(uintptr_t a, uint8_t seed)
{
	for (unsigned i = 0; i < LEN; i++)
		w8(a + i, (uint8_t)(seed + i * 7));
}

static int has_pattern(uintptr_t a, uint8_t seed)
{
	for (unsigned i = 0; i < LEN; i++)
		if (r8(a + i) != (uint8_t)(seed + i * 7))
			return 0;
	return 1;
}

static void result(const char *what, int ok)
{
	puts_("pciattack: ");
	puts_(what);
	puts_(ok ? ": ok\n" : ": FAIL\n");
}

void guest_main(uint64_t x0, uint64_t first_counter)
{
	(void)x0, (void)first_counter;
	uint32_t id = mmio_read32(FN_CFG);
	puts_("pciattack: function 00:03.0 id ");
	put_hex(id);
	bar = mmio_read32(FN_CFG + 0x10) & ~0xfUL;
	puts_(" BAR0 ");
	put_hex(bar);
	putc_('\n');
	if (id != 0x11e81234u || !bar) {
		puts_("pciattack: FAIL: not the edu device\n");
		return;
	}
	/* Memory decoding and bus mastering on. */
	w16(FN_CFG + 4, 0x6);
	barrier();
	if (mmio_read32(bar + EDU_LIVE) == ~SECOND_BOOT) {
		/* Boot 2: the DMA started before the reset had 100 ms to land
		 * here; give it three times that. */
		wait_ms(300);
		result("boot 2: the DMA started before the reset did not land", !has_pattern(STALE, 0x77));
		puts_("pciattack: done\n");
		return;
	}
	puts_("pciattack: boot 1, edu says ");
	put_hex(mmio_read32(bar + EDU_ID));
	/* The test takes its pictures of the targets first: it sends a key. */
	puts_("\npciattack: waiting for g\n");
	while (mmio_read32(UART_BASE + 0x18) & (1u << 4))
		wait_ms(1);

	fill_pattern(SRC, 0x11);
	fill(BACK, BACK + LEN, 0);
	barrier();
	int ok = dma(SRC, EDU_BUF, 0, 1) && dma(EDU_BUF, BACK, 1, 1);
	barrier();
	result("control: DMA into its own RAM lands", ok && has_pattern(BACK, 0x11));

	/* The engine's buffer holds the pattern: write it at other and at
	 * the hypervisor. */
	fill_pattern(SRC, 0x5a);
	barrier();
	ok = dma(SRC, EDU_BUF, 0, 1) && dma(EDU_BUF, OTHER, 1, 1) && dma(EDU_BUF, HYP, 1, 1);
	result("DMA writes to other's RAM and the hypervisor's issued", ok);

	/* Read other's RAM into the engine, then into its own RAM. */
	fill_pattern(BACK, 0x33);
	barrier();
	ok = dma(OTHER, EDU_BUF, 0, 1) && dma(EDU_BUF, BACK, 1, 1);
	barrier();
	int zero = 1;
	for (unsigned i = 0; i < LEN; i++)
		zero &= r8(BACK + i) == 0;
	result("a DMA read of other's RAM brings back nothing of it", ok && zero);

	/* Reset with a DMA in flight into its own RAM. */
	fill_pattern(SRC, 0x77);
	barrier();
	dma(SRC, EDU_BUF, 0, 1);
	mmio_write32(bar + EDU_LIVE, SECOND_BOOT);
	puts_("pciattack: resetting with a DMA in flight\n");
	dma(EDU_BUF, STALE, 1, 0);
	hvc(PSCI_SYSTEM_RESET, 0, 0, 0);
	puts_("pciattack: FAIL: still running after SYSTEM_RESET\n");
}
