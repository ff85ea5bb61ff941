/* Arm PL011: the hypervisor's console on QEMU virt. Output polled, input
 * from the receive interrupt. */
#include <drivers/drivers.h>

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTCR 0x030
#define FR_TXFF (1u << 5)

static volatile uint32_t *uart;

static void pl011_init(uintptr_t base)
{
	uart = (volatile uint32_t *)base;
	/* QEMU's PL011 is enabled out of reset; a board's firmware has set the
	 * baud rate. Make sure UART and transmitter are on. */
	uart[UARTCR / 4] |= (1u << 0) | (1u << 8);
}

static void pl011_write(const char *s, size_t n)
{
	if (!uart)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			while (uart[UARTFR / 4] & FR_TXFF)
				;
			uart[UARTDR / 4] = '\r';
		}
		while (uart[UARTFR / 4] & FR_TXFF)
			;
		uart[UARTDR / 4] = (uint8_t)s[i];
	}
}

#define UARTIMSC 0x038
#define UARTICR 0x044
#define FR_RXFE (1u << 4)

static int pl011_getc(void)
{
	if (!uart || (uart[UARTFR / 4] & FR_RXFE))
		return -1;
	return (int)(uart[UARTDR / 4] & 0xff);
}

static void pl011_enable_rx_irq(void)
{
	uart[UARTICR / 4] = 0x7ff;
	uart[UARTIMSC / 4] = (1u << 4) | (1u << 6); /* RX, RX timeout */
}

const struct uart_ops pl011_uart = {
	.init = pl011_init,
	.write = pl011_write,
	.getc = pl011_getc,
	.enable_rx_irq = pl011_enable_rx_irq,
};
