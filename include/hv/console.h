/* The console mux: the hypervisor's own log lines and every partition's
 * console output go to the one physical UART, each partition's lines
 * prefixed with its name, a whole line at a time. The partition that has
 * the console focus (input goes to it) also gets an unfinished line shown
 * after a quiet time, so its prompts appear.
 * Lock order: console_lock is a leaf lock. */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include <hv/arch.h>
#include <hv/types.h>

#define CONSOLE_LINE_MAX 200
/* The key that moves console input to the next partition: Ctrl-]. */
#define CONSOLE_SWITCH_KEY 0x1d
/* The key that makes the hypervisor log its status (memory in use, per
 * partition: boots and what each device holds): Ctrl-T, BSD's status
 * character. Never reaches a guest. */
#define CONSOLE_STATUS_KEY 0x14

struct console_port {
	const char *name;
	size_t len;
	char line[CONSOLE_LINE_MAX];
	uint8_t esc;  /* inside an escape sequence: dropped */
	bool focus;   /* unbuffered */
	bool open;    /* focus: a line is open on the physical console */
};

void console_port_init(struct console_port *p, const char *name);
/* One byte from a guest. Escape sequences are dropped and other control
 * characters but \n and \t shown as '?', so a guest cannot drive the
 * operator's terminal. */
void console_port_putc(struct console_port *p, char c);
void console_port_flush(struct console_port *p);
void console_port_set_focus(struct console_port *p, bool focus);
/* The focus port's unfinished line (a prompt) is shown after a short
 * quiet time: called from the hypervisor timer. */
void console_flush_partial(void);
/* Hypervisor output (already formatted, ends with \n). */
void console_write_line(const char *s, size_t n);
/* A panic's line: like console_write_line, but when console_lock cannot
 * be had within CONSOLE_PANIC_WAIT_US the line goes straight to the UART,
 * so a panic taken while the lock is held, by this CPU or by one that will
 * never release it, still prints and does not deadlock. */
#define CONSOLE_PANIC_WAIT_US 100000
void console_write_panic(const char *s, size_t n);
/* Guards every port's line buffer and the physical console; core/console.c
 * alone takes it (tests hold it to stand for a stuck CPU). */
extern spinlock_t console_lock;

#endif
