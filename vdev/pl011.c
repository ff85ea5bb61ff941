#include <vdev/pl011.h>

enum {
	UARTDR = 0x000, UARTRSR = 0x004, UARTFR = 0x018, UARTILPR = 0x020, UARTIBRD = 0x024,
	UARTFBRD = 0x028, UARTLCR_H = 0x02c, UARTCR = 0x030, UARTIFLS = 0x034, UARTIMSC = 0x038,
	UARTRIS = 0x03c, UARTMIS = 0x040, UARTICR = 0x044, UARTDMACR = 0x048, UARTPERIPHID = 0xfe0,
};
#define FR_RXFE BIT(4)
#define FR_TXFE BIT(7)

static void dr_write(void *dev, uint32_t off, unsigned w, uint64_t v)
{
	struct vpl011 *u = dev;
	(void)off;
	(void)w;
	console_port_putc(&u->port, (char)(v & 0xff));
}

static uint64_t fr_read(void *dev, uint32_t off, unsigned w)
{
	(void)dev;
	(void)off;
	(void)w;
	return FR_RXFE | FR_TXFE; /* transmitter always empty, nothing received */
}

/* PrimeCell identification: PL011 r1p5, as Linux's amba bus expects. */
static uint64_t id_read(void *dev, uint32_t off, unsigned w)
{
	static const uint8_t id[8] = { 0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
	(void)dev;
	(void)w;
	return id[(off - UARTPERIPHID) / 4];
}

#define REG32(name, field)                                                        \
	static uint64_t name##_read(void *dev, uint32_t off, unsigned w)           \
	{                                                                         \
		(void)off;                                                        \
		(void)w;                                                          \
		return ((struct vpl011 *)dev)->field;                             \
	}                                                                         \
	static void name##_write(void *dev, uint32_t off, unsigned w, uint64_t v) \
	{                                                                         \
		(void)off;                                                        \
		(void)w;                                                          \
		((struct vpl011 *)dev)->field = (uint32_t)v & 0xffff;             \
	}
REG32(cr, cr)
REG32(lcr_h, lcr_h)
REG32(ibrd, ibrd)
REG32(fbrd, fbrd)
REG32(imsc, imsc)
REG32(ifls, ifls)
REG32(dmacr, dmacr)

static const struct reg_desc vpl011_regs[] = {
	{ UARTDR, 4, W8 | W16 | W32, NULL, dr_write },
	{ UARTRSR, 4, W32, NULL, NULL },
	{ UARTFR, 4, W16 | W32, fr_read, NULL },
	{ UARTILPR, 4, W32, NULL, NULL },
	{ UARTIBRD, 4, W16 | W32, ibrd_read, ibrd_write },
	{ UARTFBRD, 4, W16 | W32, fbrd_read, fbrd_write },
	{ UARTLCR_H, 4, W16 | W32, lcr_h_read, lcr_h_write },
	{ UARTCR, 4, W16 | W32, cr_read, cr_write },
	{ UARTIFLS, 4, W16 | W32, ifls_read, ifls_write },
	{ UARTIMSC, 4, W16 | W32, imsc_read, imsc_write },
	{ UARTRIS, 4, W16 | W32, NULL, NULL },
	{ UARTMIS, 4, W16 | W32, NULL, NULL },
	{ UARTICR, 4, W16 | W32, NULL, NULL },
	{ UARTDMACR, 4, W16 | W32, dmacr_read, dmacr_write },
	{ UARTPERIPHID, 32, W32, id_read, NULL },
};
static const struct reg_bank vpl011_bank = { vpl011_regs, ARRAY_SIZE(vpl011_regs) };

static int vpl011_access(void *dev, uint64_t off, unsigned width, bool write, uint64_t *val)
{
	return reg_bank_access(&vpl011_bank, dev, (uint32_t)off, width, write, val);
}

const struct mmio_device_ops vpl011_ops = { .access = vpl011_access };

void vpl011_init(struct vpl011 *u, const char *name)
{
	*u = (struct vpl011){ .cr = 0x300, .ifls = 0x12 };
	console_port_init(&u->port, name);
}
