/* The console mux: the hypervisor's own log lines and every partition's
 * console output go to the one physical UART, a whole line at a time, each
 * partition's lines prefixed with its name.
 * Lock order: console_lock is a leaf lock. */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include <hv/types.h>

#define CONSOLE_LINE_MAX 200

struct console_port {
	const char *name;
	size_t len;
	char line[CONSOLE_LINE_MAX];
};

void console_port_init(struct console_port *p, const char *name);
/* One byte from a guest. Control characters other than \n and \t are shown
 * as '?' so a guest cannot drive the operator's terminal. */
void console_port_putc(struct console_port *p, char c);
void console_port_flush(struct console_port *p);
/* Hypervisor output (already formatted, ends with \n). */
void console_write_line(const char *s, size_t n);

#endif
