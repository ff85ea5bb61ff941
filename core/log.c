#include <generated/autoconf.h>
#include <hv/arch.h>
#include <hv/console.h>
#include <hv/log.h>
#include <stdarg.h>
#include <stdio.h>

static enum log_level cur_level = LOG_INFO;
static const char *const names[] = { "error", "warn", "info", "debug" };

void hv_set_log_level(enum log_level lvl)
{
	cur_level = lvl;
}

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	char buf[CONSOLE_LINE_MAX + 32];
	int n = snprintf(buf, sizeof(buf), "bulkhead: %s", prefix);

	if (n < 0)
		return;
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	console_write_line(buf, (size_t)n);
}

void hv_log(enum log_level lvl, const char *fmt, ...)
{
	char prefix[16];
	va_list ap;

	if (lvl > cur_level || lvl > CONFIG_LOG_LEVEL)
		return;
	snprintf(prefix, sizeof(prefix), "%s: ", lvl == LOG_INFO ? "" : names[lvl]);
	va_start(ap, fmt);
	vlog(lvl == LOG_INFO ? "" : prefix, fmt, ap);
	va_end(ap);
}

_Noreturn void hv_panic(const char *file, int line, const char *fmt, ...)
{
	char prefix[80];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "PANIC at %s:%d on CPU %u: ", file, line, arch_cpu_id());
	va_start(ap, fmt);
	vlog(prefix, fmt, ap);
	va_end(ap);
	arch_halt();
}
