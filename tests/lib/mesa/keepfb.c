/* keepfb.so: keeps a DRM client's last frame on the display after it
 * exits (LD_PRELOAD=/usr/lib/bulkhead/keepfb.so kmscube ...).
 *
 * When the last file of a DRM device closes, Linux removes the client's
 * framebuffers (the plane showing one is turned off) and fbdev takes the
 * display back: kmscube's cube would be gone the moment it exits. This
 * library's destructor, run last in exit(), forks a child that inherits
 * the DRM file and waits for ever, so the file stays open, the client
 * stays DRM master and its framebuffer stays on the scanout, while the
 * parent exits with its own status as usual.
 *
 * No libc: built -nostdlib by tools/guest-mesa.sh; the child only makes
 * raw system calls (after fork in exit(), libc's locks may be held). */

#define SYS_ppoll 73
#define SYS_clone 220
#define SIGCHLD 17

static long syscall5(long n, long a, long b, long c, long d, long e)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
	return x0;
}

__attribute__((destructor)) static void keep_display(void)
{
	/* fork(): clone(SIGCHLD, no new stack, ...). */
	if (syscall5(SYS_clone, SIGCHLD, 0, 0, 0, 0) != 0)
		return; /* the parent (or no child): exit as usual */
	for (;;)
		syscall5(SYS_ppoll, 0, 0, 0, 0, 0); /* no files, no timeout: waits for ever */
}
