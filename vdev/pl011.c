#include <hv/guest_fdt.h>
#include <hv/vdev.h>
#include <libfdt.h>
#include <vdev/pl011.h>

enum {
	UARTDR = 0x000, UARTRSR = 0x004, UARTFR = 0x018, UARTILPR = 0x020, UARTIBRD = 0x024,
	UARTFBRD = 0x028, UARTLCR_H = 0x02c, UARTCR = 0x030, UARTIFLS = 0x034, UARTIMSC = 0x038,
	UARTRIS = 0x03c, UARTMIS = 0x040, UARTICR = 0x044, UARTDMACR = 0x048, UARTPERIPHID = 0xfe0,
};
#define FR_RXFE BIT(4)
#define FR_TXFF BIT(5)
#define FR_RXFF BIT(6)
#define FR_TXFE BIT(7)
#define INT_RX BIT(4)
#define INT_TX BIT(5)
#define INT_RT BIT(6)
#define INT_ALL 0x7ff

/* With u->lock held: drive the interrupt line from RIS & IMSC. Raising the
 * line takes the vGIC lock (order: vpl011, vgic). */
static void update_irq(struct vpl011 *u)
{
	bool level = (u->ris & u->imsc) != 0;
	if (level != u->line) {
		u->line = level;
		irq_line_set(&u->irq, level);
	}
}

static void dr_write(void *dev, uint32_t off, unsigned w, uint64_t v)
{
	struct vpl011 *u = dev;
	(void)off;
	(void)w;
	console_port_putc(&u->port, (char)(v & 0xff));
	u->ris |= INT_TX; /* the transmit FIFO is empty again at once */
	update_irq(u);
}

static uint64_t dr_read(void *dev, uint32_t off, unsigned w)
{
	struct vpl011 *u = dev;
	uint8_t c = 0;
	(void)off;
	(void)w;
	if (u->rx_count) {
		c = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % VPL011_FIFO;
		u->rx_count--;
	}
	if (!u->rx_count)
		u->ris &= ~(uint32_t)(INT_RX | INT_RT);
	update_irq(u);
	return c;
}

static uint64_t fr_read(void *dev, uint32_t off, unsigned w)
{
	struct vpl011 *u = dev;
	(void)off;
	(void)w;
	return FR_TXFE | (u->rx_count ? 0 : FR_RXFE) | (u->rx_count == VPL011_FIFO ? FR_RXFF : 0);
}

/* PrimeCell identification: PL011 r1p5, as Linux's amba bus expects. */
static uint64_t id_read(void *dev, uint32_t off, unsigned w)
{
	static const uint8_t id[8] = { 0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
	(void)dev;
	(void)w;
	return id[(off - UARTPERIPHID) / 4];
}

static uint64_t ris_read(void *dev, uint32_t off, unsigned w)
{
	(void)off;
	(void)w;
	return ((struct vpl011 *)dev)->ris;
}

static uint64_t mis_read(void *dev, uint32_t off, unsigned w)
{
	struct vpl011 *u = dev;
	(void)off;
	(void)w;
	return u->ris & u->imsc;
}

static void icr_write(void *dev, uint32_t off, unsigned w, uint64_t v)
{
	struct vpl011 *u = dev;
	(void)off;
	(void)w;
	u->ris &= ~(uint32_t)v;
	if (u->rx_count) /* data still waiting: RX stays raised */
		u->ris |= INT_RX | INT_RT;
	update_irq(u);
}

static void imsc_write(void *dev, uint32_t off, unsigned w, uint64_t v)
{
	struct vpl011 *u = dev;
	(void)off;
	(void)w;
	u->imsc = (uint32_t)v & INT_ALL;
	update_irq(u);
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
REG32(ifls, ifls)
REG32(dmacr, dmacr)

static uint64_t imsc_read(void *dev, uint32_t off, unsigned w)
{
	(void)off;
	(void)w;
	return ((struct vpl011 *)dev)->imsc;
}

static const struct reg_desc vpl011_regs[] = {
	{ UARTDR, 4, W8 | W16 | W32, dr_read, dr_write },
	{ UARTRSR, 4, W32, NULL, NULL },
	{ UARTFR, 4, W16 | W32, fr_read, NULL },
	{ UARTILPR, 4, W32, NULL, NULL },
	{ UARTIBRD, 4, W16 | W32, ibrd_read, ibrd_write },
	{ UARTFBRD, 4, W16 | W32, fbrd_read, fbrd_write },
	{ UARTLCR_H, 4, W16 | W32, lcr_h_read, lcr_h_write },
	{ UARTCR, 4, W16 | W32, cr_read, cr_write },
	{ UARTIFLS, 4, W16 | W32, ifls_read, ifls_write },
	{ UARTIMSC, 4, W16 | W32, imsc_read, imsc_write },
	{ UARTRIS, 4, W16 | W32, ris_read, NULL },
	{ UARTMIS, 4, W16 | W32, mis_read, NULL },
	{ UARTICR, 4, W16 | W32, NULL, icr_write },
	{ UARTDMACR, 4, W16 | W32, dmacr_read, dmacr_write },
	{ UARTPERIPHID, 32, W32, id_read, NULL },
};
const struct reg_bank vpl011_bank = REG_BANK(vpl011_regs);

const struct mmio_device_ops vpl011_ops = {
	.bank = &vpl011_bank, .locked = true, .lock_offset = offsetof(struct vpl011, lock),
};

bool vpl011_rx(struct vpl011 *u, uint8_t c)
{
	bool ok = false;

	spin_lock(&u->lock);
	if (u->rx_count < VPL011_FIFO) {
		u->rx[(u->rx_head + u->rx_count) % VPL011_FIFO] = c;
		u->rx_count++;
		u->ris |= INT_RX | INT_RT;
		update_irq(u);
		ok = true;
	} else {
		u->rx_dropped++;
	}
	spin_unlock(&u->lock);
	return ok;
}

void vpl011_reset(struct vpl011 *u)
{
	spin_lock(&u->lock);
	u->cr = 0x300;
	u->ifls = 0x12;
	u->lcr_h = u->ibrd = u->fbrd = u->imsc = u->dmacr = 0;
	u->ris = 0;
	u->rx_head = u->rx_count = 0;
	update_irq(u);
	spin_unlock(&u->lock);
}

void vpl011_init(struct vpl011 *u, const char *name, const struct irq_line *irq)
{
	*u = (struct vpl011){ .cr = 0x300, .ifls = 0x12 };
	if (irq)
		u->irq = *irq;
	console_port_init(&u->port, name);
}

/* ---- the device type: the partition's console = "uart" ---- */

VDEV_POOL(struct vpl011, vpl011_pool, 1);

static int pl011_create(struct vdev_inst *d)
{
	struct vpl011 *u = &vpl011_pool[d->part_id][d->cfg->nth];

	vpl011_init(u, d->part_name, &d->irq);
	d->priv = u;
	d->mmio_ops = &vpl011_ops;
	d->mmio_dev = u;
	d->con = &u->port;
	return 0;
}

static void pl011_reset(struct vdev_inst *d)
{
	vpl011_reset(d->priv);
}

static void pl011_stop(struct vdev_inst *d)
{
	(void)d; /* output already flushed by the partition's stop */
}

static void pl011_rx(struct vdev_inst *d, uint8_t c)
{
	vpl011_rx(d->priv, c);
}

#define TRY GFDT_TRY

/* The PL011 with its 24 MHz clock, as QEMU virt describes its own. */
static int pl011_fdt(struct gfdt *fdt, const struct part_config *pc, const struct dev_config *dc,
		     const struct layout_region *r)
{
	static const uint32_t clks[2] = { GFDT_PH_CLK, GFDT_PH_CLK };
	(void)pc;
	(void)dc;

	TRY(gfdt_begin_node(fdt, "apb-pclk"));
	TRY(gfdt_property_string(fdt, "compatible", "fixed-clock"));
	TRY(gfdt_property_u32(fdt, "#clock-cells", 0));
	TRY(gfdt_property_u32(fdt, "clock-frequency", 24000000));
	TRY(gfdt_property_string(fdt, "clock-output-names", "clk24mhz"));
	TRY(gfdt_property_u32(fdt, "phandle", GFDT_PH_CLK));
	TRY(gfdt_end_node(fdt));

	TRY(gfdt_begin_node_at(fdt, "pl011", r->base));
	TRY(gfdt_property(fdt, "compatible", "arm,pl011\0arm,primecell",
			 sizeof("arm,pl011\0arm,primecell")));
	TRY(gfdt_reg(fdt, r->base, r->size));
	TRY(gfdt_spi(fdt, r->intid, IRQ_LEVEL_HIGH));
	TRY(gfdt_cells(fdt, "clocks", clks, 2));
	TRY(gfdt_property(fdt, "clock-names", "uartclk\0apb_pclk", sizeof("uartclk\0apb_pclk")));
	return gfdt_end_node(fdt);
}

const struct vdev_type pl011_type = {
	.name = "pl011",
	.console = CONSOLE_UART,
	.max = 1,
	.too_many = "a partition has at most one console",
	.place = VDEV_FIXED,
	.base = GUEST_UART_IPA,
	.size = VPL011_SIZE,
	.intid = GUEST_UART_INTID,
	.fdt_node = pl011_fdt,
	.create = pl011_create,
	.reset = pl011_reset,
	.stop = pl011_stop,
	.console_rx = pl011_rx,
};
