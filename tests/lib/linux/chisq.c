/* Reads stdin to EOF and prints "bytes=N chi2=X.YY md5-free digest": the
 * byte chi-square statistic (255 degrees of freedom: about 255 for random
 * data, 99.9% of the time between 190 and 330) and a 64-bit FNV-1a of the
 * data, so two samples can be compared. Static, no libc, integer only. */
typedef unsigned long u64;

static long sys(long n, long a, long b, long c)
{
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x8 __asm__("x8") = n;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x8) : "memory");
	return x0;
}

static char *put(char *p, u64 v, int digits)
{
	char t[24];
	int i = 0;
	do
		t[i++] = (char)('0' + v % 10);
	while ((v /= 10) || i < digits);
	while (i)
		*p++ = t[--i];
	return p;
}

static char *puts_(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static unsigned char buf[65536];
static u64 hist[256];

void _start(void) __attribute__((noreturn));
void _start(void)
{
	u64 n = 0, h = 0xcbf29ce484222325UL, s = 0;
	long r;
	char out[128], *p = out;

	while ((r = sys(63, 0, (long)buf, sizeof(buf))) > 0) { /* read */
		for (long i = 0; i < r; i++) {
			hist[buf[i]]++;
			h = (h ^ buf[i]) * 0x100000001b3UL;
		}
		n += (u64)r;
	}
	for (int i = 0; i < 256; i++) {
		long d = (long)(256 * hist[i]) - (long)n;
		s += (u64)(d * d);
	}
	u64 x100 = n ? s * 100 / (256 * n) : 0;
	p = puts_(p, "bytes=");
	p = put(p, n, 1);
	p = puts_(p, " chi2=");
	p = put(p, x100 / 100, 1);
	*p++ = '.';
	p = put(p, x100 % 100, 2);
	p = puts_(p, " fnv=");
	p = put(p, h, 1);
	*p++ = '\n';
	sys(64, 1, (long)out, p - out); /* write */
	sys(93, 0, 0, 0);               /* exit */
	for (;;)
		;
}
