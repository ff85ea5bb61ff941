/* The console mux (include/hv/console.h). Every port's line buffer and the
 * physical console are under console_lock: guests' vCPUs append to their
 * ports, the EL2 timer flushes the focus port's unfinished line, and the
 * hypervisor logs, from any CPU. */
#include <generated/autoconf.h>
#include <hv/arch.h>
#include <hv/console.h>
#include <string.h>

#ifdef CONFIG_CONSOLE
spinlock_t console_lock;
static struct console_port *open_port; /* focus port with a line open */
static struct console_port *focus_port;

/* With console_lock held: end a focus port's open line. */
static void close_open_line(void)
{
	if (open_port) {
		arch_console_write("\n", 1);
		open_port->open = false;
		open_port = NULL;
	}
}

static size_t prefix(const struct console_port *p, char *out)
{
	size_t n = strlen(p->name);
	if (n > 32)
		n = 32;
	out[0] = '[';
	memcpy(out + 1, p->name, n);
	out[n + 1] = ']';
	out[n + 2] = ' ';
	return n + 3;
}

/* With console_lock held: the buffered line, prefixed, then a newline
 * (nl) or left open for what follows (!nl). */
static void emit_locked(struct console_port *p, bool nl)
{
	char out[CONSOLE_LINE_MAX + 48];
	size_t n = prefix(p, out);

	close_open_line();
	memcpy(out + n, p->line, p->len);
	n += p->len;
	if (nl)
		out[n++] = '\n';
	arch_console_write(out, n);
	p->len = 0;
	if (!nl) {
		p->open = true;
		open_port = p;
	}
}
#endif

void console_write_line(const char *s, size_t n)
{
#ifdef CONFIG_CONSOLE
	spin_lock(&console_lock);
	close_open_line();
	arch_console_write(s, n);
	spin_unlock(&console_lock);
#else
	(void)s;
	(void)n;
#endif
}

void console_write_panic(const char *s, size_t n)
{
#ifdef CONFIG_CONSOLE
	bool locked = spin_trylock_for(&console_lock, CONSOLE_PANIC_WAIT_US);

	if (locked) {
		close_open_line();
	} else {
		/* The lock's holder may be this CPU or one that never lets go:
		 * write past it, on a line of its own. The mux's state is not
		 * touched; it belongs to the holder. */
		arch_console_write("\n", 1);
	}
	arch_console_write(s, n);
	if (locked)
		spin_unlock(&console_lock);
#else
	(void)s;
	(void)n;
#endif
}

void console_port_init(struct console_port *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	p->name = name;
}

void console_port_flush(struct console_port *p)
{
#ifdef CONFIG_CONSOLE
	spin_lock(&console_lock);
	if (p->len)
		emit_locked(p, true);
	else if (p->open)
		close_open_line();
	spin_unlock(&console_lock);
#else
	p->len = 0;
#endif
}

void console_port_set_focus(struct console_port *p, bool focus)
{
#ifdef CONFIG_CONSOLE
	spin_lock(&console_lock);
	if (!focus && p->open)
		close_open_line();
	if (focus)
		focus_port = p;
	else if (focus_port == p)
		focus_port = NULL;
	p->focus = focus;
	spin_unlock(&console_lock);
#else
	p->focus = focus;
#endif
}

/* The focus port's unfinished line goes out as an open line; what follows
 * on it is written as it comes until its newline or other output. */
void console_flush_partial(void)
{
#ifdef CONFIG_CONSOLE
	spin_lock(&console_lock);
	struct console_port *p = focus_port;
	if (p && p->len && !p->open)
		emit_locked(p, false);
	spin_unlock(&console_lock);
#endif
}

void console_port_putc(struct console_port *p, char c)
{
#ifdef CONFIG_CONSOLE
	bool later = false;

	spin_lock(&console_lock);
	/* ESC, then '[' and parameters up to a final byte 0x40-0x7e: dropped. */
	if (p->esc) {
		if (p->esc == 1 && c == '[')
			p->esc = 2;
		else if (p->esc == 1 || ((unsigned char)c >= 0x40 && (unsigned char)c <= 0x7e) ||
			 ++p->esc > 32)
			p->esc = 0;
	} else if (c == 0x1b) {
		p->esc = 1;
	} else if (c != '\r') {
		if (((unsigned char)c < 0x20 && c != '\t' && c != '\n') || (unsigned char)c >= 0x7f)
			c = '?';
		if (p->open) { /* continue the focus port's open line */
			arch_console_write(&c, 1);
			if (c == '\n') {
				p->open = false;
				open_port = NULL;
			}
		} else if (c == '\n') {
			emit_locked(p, true);
		} else {
			p->line[p->len++] = c;
			if (p->len == CONSOLE_LINE_MAX)
				emit_locked(p, true);
			else
				later = p->focus;
		}
	}
	spin_unlock(&console_lock);
	if (later)
		arch_console_flush_later();
#else
	(void)p;
	(void)c;
#endif
}
