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

/* "bulkhead: <prefix><message>\n" in buf, truncated to fit; its length. */
static size_t format_line(char *buf, size_t size, const char *prefix, const char *fmt, va_list ap)
{
	int n = snprintf(buf, size, "bulkhead: %s", prefix);

	if (n < 0)
		return 0;
	if (n < (int)size) {
		int m = vsnprintf(buf + n, size - (size_t)n, fmt, ap);
		if (m > 0)
			n += m;
	}
	if (n > (int)size - 2)
		n = (int)size - 2;
	buf[n++] = '\n';
	return (size_t)n;
}

void hv_log(enum log_level lvl, const char *fmt, ...)
{
	char prefix[16], buf[CONSOLE_LINE_MAX + 32];
	va_list ap;
	size_t n;

	if (lvl > cur_level || lvl > CONFIG_LOG_LEVEL)
		return;
	snprintf(prefix, sizeof(prefix), "%s: ", lvl == LOG_INFO ? "" : names[lvl]);
	va_start(ap, fmt);
	n = format_line(buf, sizeof(buf), lvl == LOG_INFO ? "" : prefix, fmt, ap);
	va_end(ap);
	if (n)
		console_write_line(buf, n);
}

uint32_t hv_panicking;

_Noreturn void hv_panic(const char *file, int line, const char *fmt, ...)
{
	static const char again[] = "bulkhead: PANIC while printing a panic\n";
	unsigned cpu = arch_cpu_id();
	uint32_t first = 0;
	char prefix[80], buf[CONSOLE_LINE_MAX + 32];
	va_list ap;
	size_t n;

	if (!__atomic_compare_exchange_n(&hv_panicking, &first, cpu + 1, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		/* The panic path faulted on this CPU: no formatting, no lock,
		 * no second try. Or another CPU is printing its panic: leave
		 * the console to it. */
		if (first == cpu + 1) {
			arch_console_write("\n", 1);
			arch_console_write(again, sizeof(again) - 1);
		}
		arch_halt();
	}
	snprintf(prefix, sizeof(prefix), "PANIC at %s:%d on CPU %u: ", file, line, cpu);
	va_start(ap, fmt);
	n = format_line(buf, sizeof(buf), prefix, fmt, ap);
	va_end(ap);
	console_write_panic(buf, n);
	arch_halt();
}
