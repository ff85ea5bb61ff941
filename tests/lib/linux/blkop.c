/* blkop OP DEV [OFFSET LENGTH]: one block-device operation on DEV, byte
 * offsets in decimal or 0x hex. Prints "blkop: OP ok", or
 * "blkop: OP failed errno N" and exits 1. Static, no libc.
 *
 *   discard  ioctl BLKDISCARD {OFFSET, LENGTH}  -> VIRTIO_BLK_T_DISCARD
 *   zeroout  ioctl BLKZEROOUT {OFFSET, LENGTH}  -> VIRTIO_BLK_T_WRITE_ZEROES,
 *            flags 0 (REQ_NOUNMAP); if the device lacks WRITE_ZEROES the
 *            kernel falls back to writing zero pages (plain T_OUT)
 *   punch    fallocate(PUNCH_HOLE|KEEP_SIZE)    -> VIRTIO_BLK_T_WRITE_ZEROES
 *            with VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP; no fallback: fails
 *            with EOPNOTSUPP (95) if the device lacks WRITE_ZEROES
 *   pwrite   buffered pwrite of the pattern below (no O_DIRECT, no sync:
 *            follow with fsync, or sync, to reach the device)
 *   verify   pread and compare with the pattern; "blkop: verify failed at
 *            BYTE" (absolute offset) on the first difference
 *   iszero   pread and check all zero; "blkop: iszero failed at BYTE"
 *   fsync    fsync(fd) (OFFSET and LENGTH optional, ignored) -> T_FLUSH
 *            when the device has a write-back cache
 * The discard/zeroout/punch ranges must be 512-byte aligned (else EINVAL).
 *
 * Pattern: the byte at absolute device offset p is byte (p & 7), little-
 * endian, of x = ((p >> 3) + 1) * 0x9E3779B97F4A7C15 mod 2^64, after
 * x ^= x >> 32. In Python:
 *   x = (((p >> 3) + 1) * 0x9E3779B97F4A7C15) & (2**64 - 1); x ^= x >> 32
 *   byte = (x >> (8 * (p & 7))) & 0xff
 * It depends on the position everywhere, so data landing at the wrong
 * sector does not verify. */
typedef unsigned long u64;

static long sys(long n, long a, long b, long c, long d)
{
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x8 __asm__("x8") = n;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3), "r"(x8) : "memory");
	return x0;
}
#define SYS_ioctl 29
#define SYS_fallocate 47
#define SYS_openat 56
#define SYS_pread64 67
#define SYS_pwrite64 68
#define SYS_fsync 82
#define SYS_exit 93
#define AT_FDCWD (-100)
#define O_RDWR 2
#define BLKDISCARD 0x1277 /* _IO(0x12, 119) */
#define BLKZEROOUT 0x127f /* _IO(0x12, 127) */
#define FALLOC_FL_KEEP_SIZE 1
#define FALLOC_FL_PUNCH_HOLE 2

static char *put(char *p, u64 v)
{
	char t[24];
	int i = 0;
	do
		t[i++] = (char)('0' + v % 10);
	while ((v /= 10));
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

static int eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Decimal or 0x hex; -1 if malformed. */
static long num(const char *s)
{
	u64 v = 0;
	int base = 10, any = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	for (; *s; s++, any = 1) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && (*s | 32) >= 'a' && (*s | 32) <= 'f')
			d = (*s | 32) - 'a' + 10;
		else
			return -1;
		v = v * (u64)base + (u64)d;
	}
	return any ? (long)v : -1;
}

static unsigned char pat(u64 p)
{
	u64 x = ((p >> 3) + 1) * 0x9E3779B97F4A7C15UL;
	x ^= x >> 32;
	return (unsigned char)(x >> (8 * (p & 7)));
}

/* "blkop: OP ok" and exit 0 when how is 0, else "blkop: OP HOW N", exit 1. */
static __attribute__((noreturn)) void finish(const char *op, const char *how, u64 n)
{
	char out[128], *p = out;
	p = puts_(p, "blkop: ");
	p = puts_(p, op);
	p = puts_(p, how ? how : " ok");
	if (how)
		p = put(p, n);
	*p++ = '\n';
	sys(64, 1, (long)out, p - out, 0); /* write, stdout */
	sys(SYS_exit, how ? 1 : 0, 0, 0, 0);
	for (;;)
		;
}

static unsigned char buf[65536];

__attribute__((noreturn, used)) void cmain(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	const char *op;
	long fd, r = 0, off = 0, len = 0;

	if (argc < 3 || (argc != 5 && !(argc == 3 && eq(argv[1], "fsync"))))
		finish("usage", ": blkop discard|zeroout|punch|pwrite|verify|iszero|fsync DEV OFFSET LENGTH; argc ", (u64)argc);
	op = argv[1];
	if (argc == 5) {
		off = num(argv[3]);
		len = num(argv[4]);
		if (off < 0 || len < 0)
			finish(op, " failed errno ", 22);
	}
	fd = sys(SYS_openat, AT_FDCWD, (long)argv[2], O_RDWR, 0);
	if (fd < 0)
		finish(op, " failed errno ", (u64)-fd);
	if (eq(op, "discard") || eq(op, "zeroout")) {
		u64 range[2] = {(u64)off, (u64)len};
		r = sys(SYS_ioctl, fd, eq(op, "discard") ? BLKDISCARD : BLKZEROOUT, (long)range, 0);
	} else if (eq(op, "punch")) {
		r = sys(SYS_fallocate, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
	} else if (eq(op, "fsync")) {
		r = sys(SYS_fsync, fd, 0, 0, 0);
	} else if (eq(op, "pwrite") || eq(op, "verify") || eq(op, "iszero")) {
		int wr = eq(op, "pwrite"), z = eq(op, "iszero");
		long done = 0;
		while (done < len) {
			long n = len - done < (long)sizeof(buf) ? len - done : (long)sizeof(buf);
			u64 at = (u64)(off + done);
			if (wr) {
				for (long i = 0; i < n; i++)
					buf[i] = pat(at + (u64)i);
				r = sys(SYS_pwrite64, fd, (long)buf, n, (long)at);
			} else {
				r = sys(SYS_pread64, fd, (long)buf, n, (long)at);
				if (r == 0) /* past the end */
					finish(op, " failed at ", at);
				for (long i = 0; i < r; i++)
					if (buf[i] != (z ? 0 : pat(at + (u64)i)))
						finish(op, " failed at ", at + (u64)i);
			}
			if (r < 0)
				break;
			done += r;
			r = 0;
		}
	} else {
		r = -22; /* EINVAL: unknown op */
	}
	if (r < 0)
		finish(op, " failed errno ", (u64)-r);
	finish(op, 0, 0);
}

/* The kernel enters with sp at argc, argv[], NULL, envp[]. */
__asm__(".globl _start\n_start:\n\tmov x0, sp\n\tbl cmain\n");
