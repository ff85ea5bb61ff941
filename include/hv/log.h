#ifndef HV_LOG_H
#define HV_LOG_H

#include <hv/types.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

void hv_log(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hv_set_log_level(enum log_level lvl);
/* A panic halts this CPU after printing one line, and cannot deadlock on
 * the console: the first CPU to panic prints (without console_lock if it
 * cannot be had soon, see console_write_panic), a panic on another CPU
 * meanwhile halts that CPU silently, and a panic inside the panic path on
 * the same CPU prints a fixed line straight to the UART and halts. */
_Noreturn void hv_panic(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* 0, or 1 + the CPU that took the first panic (unit tests clear it). */
extern uint32_t hv_panicking;

#define LOG(lvl, ...) hv_log(lvl, __VA_ARGS__)
#define ERR(...) hv_log(LOG_ERROR, __VA_ARGS__)
#define WARN(...) hv_log(LOG_WARN, __VA_ARGS__)
#define INFO(...) hv_log(LOG_INFO, __VA_ARGS__)
#define DBG(...) hv_log(LOG_DEBUG, __VA_ARGS__)
#define PANIC(...) hv_panic(__FILE__, __LINE__, __VA_ARGS__)
/* A broken hypervisor invariant: never triggered by guest input. */
#define CHECK(c) do { if (!(c)) PANIC("CHECK(%s) failed", #c); } while (0)

#endif
