/* Cadence UART (the ZynqMP's UART0/1, Xilinx "xuartps"): the hypervisor's
 * console on the ZCU102. Registers from the Zynq UltraScale+ TRM (UG1085,
 * chapter "UART Controller"). The firmware has set the baud rate; this
 * only enables the transmitter and receiver. Output is polled; input
 * comes from the receive-trigger and receive-timeout interrupts. */
#include <drivers/drivers.h>

#define CR 0x00   /* control */
#define IER 0x08  /* interrupt enable (write 1 to set) */
#define IDR 0x0c  /* interrupt disable (write 1 to clear) */
#define ISR 0x14  /* channel interrupt status (write 1 to clear) */
#define RTOR 0x1c /* receive timeout, in 4 bit times */
#define RTRIG 0x20 /* receive FIFO trigger level */
#define SR 0x2c   /* channel status */
#define FIFO 0x30 /* transmit and receive FIFO */

#define CR_RXRST (1u << 0)
#define CR_TXRST (1u << 1)
#define CR_RX_EN (1u << 2)
#define CR_TX_EN (1u << 4)
#define CR_STOPBRK (1u << 8)
#define SR_REMPTY (1u << 1)
#define SR_TFUL (1u << 4)
#define INT_RTRIG (1u << 0)
#define INT_ROVR (1u << 5)
#define INT_TIMEOUT (1u << 8)
#define INT_RX (INT_RTRIG | INT_ROVR | INT_TIMEOUT)

static volatile uint32_t *uart;

static inline uint32_t rd(unsigned off)
{
	return uart[off / 4];
}

static inline void wr(unsigned off, uint32_t v)
{
	uart[off / 4] = v;
}

static void cdns_init(uintptr_t base)
{
	uart = (volatile uint32_t *)base;
	/* Enabled both ways (out of reset both are disabled: CR 0x128). */
	wr(CR, CR_RX_EN | CR_TX_EN | CR_STOPBRK);
}

static void putc_raw(uint8_t c)
{
	while (rd(SR) & SR_TFUL)
		;
	wr(FIFO, c);
}

static void cdns_write(const char *s, size_t n)
{
	if (!uart)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			putc_raw('\r');
		putc_raw((uint8_t)s[i]);
	}
}

/* The interrupt status is sticky: cleared before the FIFO is looked at,
 * so a byte that arrives after the look raises it again (and is not
 * left unsignalled until the next one). */
static int cdns_getc(void)
{
	if (!uart)
		return -1;
	wr(ISR, INT_RX);
	if (rd(SR) & SR_REMPTY)
		return -1;
	return (int)(rd(FIFO) & 0xff);
}

static void cdns_enable_rx_irq(void)
{
	wr(IDR, 0x1fff);
	wr(RTRIG, 1);  /* every byte */
	wr(RTOR, 10);
	wr(ISR, 0x1fff);
	wr(IER, INT_RX);
}

const struct uart_ops cdns_uart = {
	.init = cdns_init,
	.write = cdns_write,
	.getc = cdns_getc,
	.enable_rx_irq = cdns_enable_rx_irq,
};
