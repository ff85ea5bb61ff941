/* Prints the virtual counter (CNTVCT_EL0) in decimal: under QEMU's
 * -icount shift=0 it converts to instructions executed since QEMU started,
 * the clock of the Linux boot benchmark. Static, no libc. */
static long sys_write(int fd, const char *b, unsigned long n)
{
	register long x0 __asm__("x0") = fd;
	register const char *x1 __asm__("x1") = b;
	register unsigned long x2 __asm__("x2") = n;
	register long x8 __asm__("x8") = 64; /* write */
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x8) : "memory");
	return x0;
}

void _start(void) __attribute__((noreturn));
void _start(void)
{
	unsigned long v, f;
	char buf[48];
	int i = sizeof(buf);

	__asm__ volatile("isb; mrs %0, cntvct_el0; mrs %1, cntfrq_el0" : "=r"(v), "=r"(f));
	buf[--i] = '\n';
	do
		buf[--i] = (char)('0' + v % 10);
	while ((v /= 10));
	sys_write(1, buf + i, sizeof(buf) - i);
	register long x0 __asm__("x0") = 0;
	register long x8 __asm__("x8") = 93; /* exit */
	__asm__ volatile("svc #0" : : "r"(x0), "r"(x8));
	for (;;)
		;
}
