#include <generated/autoconf.h>
#include <hv/arch.h>
#include <hv/console.h>
#include <string.h>

static spinlock_t console_lock;

void console_write_line(const char *s, size_t n)
{
#ifdef CONFIG_CONSOLE
	spin_lock(&console_lock);
	arch_console_write(s, n);
	spin_unlock(&console_lock);
#else
	(void)s;
	(void)n;
#endif
}

void console_port_init(struct console_port *p, const char *name)
{
	p->name = name;
	p->len = 0;
}

void console_port_flush(struct console_port *p)
{
#ifdef CONFIG_CONSOLE
	char out[CONSOLE_LINE_MAX + 48];
	size_t n = strlen(p->name);

	if (n > 32)
		n = 32;
	out[0] = '[';
	memcpy(out + 1, p->name, n);
	out[n + 1] = ']';
	out[n + 2] = ' ';
	memcpy(out + n + 3, p->line, p->len);
	out[n + 3 + p->len] = '\n';
	console_write_line(out, n + 4 + p->len);
#endif
	p->len = 0;
}

void console_port_putc(struct console_port *p, char c)
{
#ifdef CONFIG_CONSOLE
	if (c == '\n') {
		console_port_flush(p);
		return;
	}
	if (c == '\r')
		return;
	if ((unsigned char)c < 0x20 && c != '\t')
		c = '?';
	if ((unsigned char)c >= 0x7f)
		c = '?';
	p->line[p->len++] = c;
	if (p->len == CONSOLE_LINE_MAX)
		console_port_flush(p);
#else
	(void)p;
	(void)c;
#endif
}
