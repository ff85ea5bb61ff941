/* QEMU's ramfb, the physical display on the virt board: a framebuffer in
 * the hypervisor's RAM that QEMU reads on every refresh and screendump,
 * configured once through fw_cfg's DMA interface (QEMU docs/specs/
 * fw_cfg.rst: the file "etc/ramfb", a 28-byte big-endian RAMFBCfg). There
 * is nothing to do per frame: the compositor writes the pixels. */
#include <hv/display.h>
#include <hv/log.h>
#include <platform.h>
#include <string.h>

#define FW_CFG_DMA (PLATFORM_FWCFG_BASE + 16)
#define FW_CFG_FILE_DIR 0x19
#define DMA_ERROR 0x01
#define DMA_READ 0x02
#define DMA_SELECT 0x08
#define DMA_WRITE 0x10
#define FOURCC_XR24 0x34325258u

struct fw_cfg_dma {
	uint32_t control, length;
	uint64_t address;
};
struct fw_cfg_file {
	uint32_t size;
	uint16_t select, reserved;
	char name[56];
};
struct ramfb_cfg {
	uint64_t addr;
	uint32_t fourcc, flags, width, height, stride;
} __attribute__((packed));

#ifdef PLATFORM_FWCFG_BASE
static struct fw_cfg_dma dma __attribute__((aligned(16)));
static struct fw_cfg_file file __attribute__((aligned(16)));
static struct ramfb_cfg rcfg __attribute__((aligned(16)));
static uint32_t count __attribute__((aligned(16)));

/* One DMA transfer: select key (when select), then read or write len
 * bytes at buf. false: QEMU reported an error. */
static bool fw_cfg_dma(uint16_t key, bool select, uint32_t op, void *buf, uint32_t len)
{
	dma.control = __builtin_bswap32(((uint32_t)key << 16) | (select ? DMA_SELECT : 0) | op);
	dma.length = __builtin_bswap32(len);
	dma.address = __builtin_bswap64((uint64_t)(uintptr_t)buf);
	__asm__ volatile("dsb sy" ::: "memory");
	*(volatile uint64_t *)FW_CFG_DMA = __builtin_bswap64((uint64_t)(uintptr_t)&dma);
	__asm__ volatile("dsb sy" ::: "memory");
	/* Synchronous on QEMU: done when the write returns. */
	for (unsigned spin = 0; spin < 1000000; spin++) {
		uint32_t c = __builtin_bswap32(*(volatile uint32_t *)&dma.control);
		if (c == 0)
			return true;
		if (c & DMA_ERROR)
			return false;
	}
	return false;
}
#endif

bool ramfb_setup(void *fb, uint32_t width, uint32_t height, uint32_t stride)
{
#ifndef PLATFORM_FWCFG_BASE
	/* A board without fw_cfg has no ramfb. */
	(void)fb, (void)width, (void)height, (void)stride;
	return false;
#else
	uint16_t sel = 0;
	uint32_t n;

	/* "QEMU CFG" in the DMA register: fw_cfg with DMA is there. */
	if (*(volatile uint64_t *)FW_CFG_DMA != __builtin_bswap64(0x51454d5520434647ull))
		return false;
	if (!fw_cfg_dma(FW_CFG_FILE_DIR, true, DMA_READ, &count, sizeof(count)))
		return false;
	n = __builtin_bswap32(count);
	for (uint32_t i = 0; i < n && i < 4096; i++) {
		if (!fw_cfg_dma(0, false, DMA_READ, &file, sizeof(file)))
			return false;
		if (strncmp(file.name, "etc/ramfb", sizeof(file.name)) == 0) {
			sel = __builtin_bswap16(file.select);
			break;
		}
	}
	if (!sel)
		return false;
	rcfg = (struct ramfb_cfg){ __builtin_bswap64((uint64_t)(uintptr_t)fb),
				   __builtin_bswap32(FOURCC_XR24), 0, __builtin_bswap32(width),
				   __builtin_bswap32(height), __builtin_bswap32(stride) };
	return fw_cfg_dma(sel, true, DMA_WRITE, &rcfg, sizeof(rcfg));
#endif
}
