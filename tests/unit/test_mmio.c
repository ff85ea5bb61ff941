/* The register-table dispatcher, the vCPU's MMIO cache, the emulated PL011
 * and the console mux.
 * proves: PLATFORM-5, CON-1, CON-3 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "arch_fake.h"
#include <hv/mmio.h>
#include <vdev/pl011.h>

static struct vpl011 u;
static struct mmio_bus bus;
static struct mmio_cache cache;

static int setup(void **state)
{
	(void)state;
	memset(&bus, 0, sizeof(bus));
	mmio_cache_clear(&cache);
	vpl011_init(&u, "alpha", NULL);
	assert_int_equal(mmio_bus_add(&bus, 0x09000000, VPL011_SIZE, &vpl011_ops, &u), 0);
	fake_console_reset();
	return 0;
}

/* Every access of the tests below goes through the cache, as a trap's
 * does: the first to a word fills it, the next ones hit. */
static int acc(uint64_t ipa, unsigned w, bool wr, uint64_t *v)
{
	return mmio_access(&cache, &bus, ipa, w, wr, v);
}

/* A register the cache knows answers exactly as the bus's search does:
 * every offset of the UART's window and past it, every width, a second
 * time (a hit where the first filled the entry), the lock free after. */
static void test_cache_same_answers(void **state)
{
	(void)state;
	for (uint64_t ipa = 0x08fffff0; ipa < 0x09001010; ipa++) {
		for (unsigned w = 1; w <= 8; w <<= 1) {
			uint64_t vb = 0x5a5a, vc1 = 0x5a5a, vc2 = 0x5a5a;
			int rb = mmio_bus_access(&bus, ipa, w, false, &vb);
			int r1 = mmio_access(&cache, &bus, ipa, w, false, &vc1);
			int r2 = mmio_access(&cache, &bus, ipa, w, false, &vc2);
			if (rb != r1 || rb != r2 || vb != vc1 || vb != vc2)
				fail_msg("0x%llx width %u: bus %d/0x%llx, cache %d/0x%llx then %d/0x%llx",
					 (unsigned long long)ipa, w, rb, (unsigned long long)vb, r1,
					 (unsigned long long)vc1, r2, (unsigned long long)vc2);
			assert_false(spin_is_locked(&u.lock));
		}
	}
}

/* Entries are per word and width: after a 32-bit read of FR fills one,
 * an 8-bit read of it or of a byte inside it is still refused, and a
 * write goes to the register's write function (none: ignored). */
static void test_cache_keys(void **state)
{
	uint64_t v = 0;
	const struct mmio_cache_entry *e;
	(void)state;
	assert_int_equal(acc(0x09000018, 4, false, &v), 0);
	e = mmio_cache_find(&cache, 0x09000018, 2);
	assert_non_null(e);
	assert_ptr_equal(e->read_lock, &u.lock); /* FR: read under the lock */
	assert_null(mmio_cache_find(&cache, 0x09000018, 0));
	assert_null(mmio_cache_find(&cache, 0x09000019, 0));
	assert_null(mmio_cache_find(&cache, 0x09000018, 3));
	assert_int_equal(acc(0x09000018, 1, false, &v), -1);
	assert_int_equal(acc(0x09000019, 1, false, &v), -1);
	assert_int_equal(acc(0x0900001a, 2, false, &v), -1);
	assert_int_equal(acc(0x09000018, 8, false, &v), -1);
	v = 0xff;
	assert_int_equal(acc(0x09000018, 4, true, &v), 0);
	assert_int_equal(acc(0x09000018, 4, false, &v), 0);
	assert_int_equal(v, (1u << 7) | (1u << 4));
	mmio_cache_clear(&cache);
	assert_null(mmio_cache_find(&cache, 0x09000018, 2));
}

/* Two devices whose words share a slot: each access reaches its own. */
static uint64_t id_a(void *dev, uint32_t off, unsigned w)
{
	(void)dev;
	(void)w;
	return 0xa000 + off;
}
static uint64_t id_b(void *dev, uint32_t off, unsigned w)
{
	(void)dev;
	(void)w;
	return 0xb000 + off;
}
static const struct reg_desc regs_a[] = { { 0x0, 0x100, W32 | RCONST, id_a, NULL } };
static const struct reg_desc regs_b[] = { { 0x0, 0x100, W32 | RCONST, id_b, NULL } };
static const struct reg_bank bank_a = REG_BANK(regs_a), bank_b = REG_BANK(regs_b);
static struct {
	spinlock_t lock;
} dev_ab;
static const struct mmio_device_ops ops_a = { .bank = &bank_a, .locked = true, .lock_offset = 0 };
static const struct mmio_device_ops ops_b = { .bank = &bank_b };

static void test_cache_collisions(void **state)
{
	uint64_t v = 0;
	(void)state;
	assert_int_equal(mmio_bus_add(&bus, 0x10000000, 0x1000, &ops_a, &dev_ab), 0);
	assert_int_equal(mmio_bus_add(&bus, 0x20000000, 0x1000, &ops_b, &dev_ab), 0);
	assert_ptr_equal(mmio_cache_slot(&cache, 0x10000004), mmio_cache_slot(&cache, 0x20000004));
	for (int round = 0; round < 3; round++) {
		assert_int_equal(acc(0x10000004, 4, false, &v), 0);
		assert_int_equal(v, 0xa004);
		assert_int_equal(acc(0x20000004, 4, false, &v), 0);
		assert_int_equal(v, 0xb004);
	}
	/* An RCONST register of a locked device is read without its lock
	 * (held here: taking it would never return). */
	spin_lock(&dev_ab.lock);
	assert_int_equal(acc(0x10000008, 4, false, &v), 0);
	assert_int_equal(acc(0x10000008, 4, false, &v), 0);
	assert_int_equal(v, 0xa008);
	assert_null(mmio_cache_find(&cache, 0x10000008, 2)->read_lock);
	assert_ptr_equal(mmio_cache_find(&cache, 0x10000008, 2)->write_lock, &dev_ab.lock);
	spin_unlock(&dev_ab.lock);
}

/* reg_bank_access() searches by halves: every bank must be sorted and
 * without overlaps, or registers become unreachable (or the wrong one
 * answers). A reversed pair is caught. */
static void test_banks_sorted(void **state)
{
	static const struct reg_desc bad_regs[] = {
		{ 0x8, 4, W32, NULL, NULL },
		{ 0x4, 4, W32, NULL, NULL },
	};
	static const struct reg_bank bad = { bad_regs, 2 };
	static const struct reg_desc overlap_regs[] = {
		{ 0x0, 8, W32, NULL, NULL },
		{ 0x4, 4, W32, NULL, NULL },
	};
	static const struct reg_bank overlap = { overlap_regs, 2 };
	(void)state;
	assert_true(reg_bank_sorted(&vgic_dist_bank));
	assert_true(reg_bank_sorted(&vgic_rdist_bank));
	assert_true(reg_bank_sorted(&vgic_v2_dist_bank));
	assert_true(reg_bank_sorted(&vpl011_bank));
	assert_true(reg_bank_sorted(&virtio_bank));
	assert_false(reg_bank_sorted(&bad));
	assert_false(reg_bank_sorted(&overlap));
}

/* The bus's last-hit hint never sends an access to the wrong region. */
static void test_bus_hint(void **state)
{
	uint64_t v = 0;
	(void)state;
	assert_int_equal(mmio_bus_access(&bus, 0x09000018, 4, false, &v), 0);
	assert_int_equal(bus.hint, 0);
	bus.hint = 7; /* beyond n: ignored */
	assert_int_equal(mmio_bus_access(&bus, 0x09000018, 4, false, &v), 0);
	assert_int_equal(mmio_bus_access(&bus, 0x09001000, 4, false, &v), -1);
	assert_int_equal(mmio_bus_access(&bus, 0x08fffffc, 4, false, &v), -1);
}

static void test_uart_output_prefixed_by_line(void **state)
{
	const char *s = "hi\nthere\n";
	(void)state;
	for (const char *p = s; *p; p++) {
		uint64_t v = (uint8_t)*p;
		assert_int_equal(acc(0x09000000, 1, true, &v), 0);
	}
	assert_string_equal(fake_console, "[alpha] hi\n[alpha] there\n");
}

/* A guest cannot send terminal control sequences to the operator. */
static void test_uart_sanitises_control_bytes(void **state)
{
	const char s[] = "\x1b[2J\x07ok\r\n";
	(void)state;
	for (size_t i = 0; i < sizeof(s) - 1; i++) {
		uint64_t v = (uint8_t)s[i];
		assert_int_equal(acc(0x09000000, 4, true, &v), 0);
	}
	assert_string_equal(fake_console, "[alpha] ?ok\n");
}

/* A long line without newline is cut, not overflowed. */
static void test_uart_long_line(void **state)
{
	(void)state;
	for (int i = 0; i < 1000; i++) {
		uint64_t v = 'a';
		assert_int_equal(acc(0x09000000, 4, true, &v), 0);
	}
	assert_int_equal(fake_console_len, 5 * (CONSOLE_LINE_MAX + 9));
}

static void test_uart_registers(void **state)
{
	uint64_t v = 0;
	(void)state;
	assert_int_equal(acc(0x09000018, 4, false, &v), 0);
	assert_int_equal(v, (1u << 7) | (1u << 4)); /* TXFE, RXFE */
	assert_int_equal(acc(0x09000fe0, 4, false, &v), 0);
	assert_int_equal(v, 0x11);
	assert_int_equal(acc(0x09000ffc, 4, false, &v), 0);
	assert_int_equal(v, 0xb1);
	v = 0x301;
	assert_int_equal(acc(0x09000030, 4, true, &v), 0);
	v = 0;
	assert_int_equal(acc(0x09000030, 2, false, &v), 0);
	assert_int_equal(v, 0x301);
	/* Peripheral ID registers are read only: writes are ignored. */
	v = 0x55;
	assert_int_equal(acc(0x09000fe0, 4, true, &v), 0);
	assert_int_equal(acc(0x09000fe0, 4, false, &v), 0);
	assert_int_equal(v, 0x11);
}

/* Odd widths, unaligned offsets, holes and out-of-range: all refused. */
static void test_uart_bad_accesses(void **state)
{
	uint64_t v = 0;
	(void)state;
	/* Each word known to the cache first: refusals hold on a hit too. */
	assert_int_equal(acc(0x09000018, 4, false, &v), 0);
	assert_int_equal(acc(0x09000030, 4, false, &v), 0);
	assert_int_equal(acc(0x09000000, 4, false, &v), 0);
	assert_int_equal(acc(0x09000018, 8, false, &v), -1); /* 64-bit */
	assert_int_equal(acc(0x09000018, 1, false, &v), -1); /* 8-bit FR */
	assert_int_equal(acc(0x09000019, 1, false, &v), -1); /* inside FR */
	assert_int_equal(acc(0x09000032, 2, false, &v), -1); /* misaligned in CR */
	assert_int_equal(acc(0x0900001a, 4, false, &v), -1); /* unaligned */
	assert_int_equal(acc(0x09000100, 4, false, &v), -1); /* hole */
	assert_int_equal(acc(0x09000ffe, 4, false, &v), -1); /* crosses the end */
	assert_int_equal(acc(0x09001000, 4, false, &v), -1); /* past the device */
	assert_int_equal(acc(0x08ffffff, 1, false, &v), -1); /* before it */
	assert_int_equal(acc(0x09000000, 3, true, &v), -1);  /* impossible width */
	assert_int_equal(acc(0x09000000, 0, true, &v), -1);
	assert_int_equal(fake_console_len, 0);
}

static void test_bus_refuses_overlap(void **state)
{
	(void)state;
	assert_int_equal(mmio_bus_add(&bus, 0x09000800, 0x1000, &vpl011_ops, &u), -1);
	assert_int_equal(mmio_bus_add(&bus, 0xfffffffffffff000ULL, 0x2000, &vpl011_ops, &u), -1);
	assert_int_equal(mmio_bus_add(&bus, 0x0a000000, 0, &vpl011_ops, &u), -1);
	assert_int_equal(mmio_bus_add(&bus, 0x09001000, 0x1000, &vpl011_ops, &u), 0);
	for (int i = 0; i < MAX_MMIO_REGIONS; i++)
		mmio_bus_add(&bus, 0x10000000 + i * 0x1000, 0x1000, &vpl011_ops, &u);
	assert_int_equal(bus.n, MAX_MMIO_REGIONS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_banks_sorted),
		cmocka_unit_test_setup(test_bus_hint, setup),
		cmocka_unit_test_setup(test_cache_same_answers, setup),
		cmocka_unit_test_setup(test_cache_keys, setup),
		cmocka_unit_test_setup(test_cache_collisions, setup),
		cmocka_unit_test_setup(test_uart_output_prefixed_by_line, setup),
		cmocka_unit_test_setup(test_uart_sanitises_control_bytes, setup),
		cmocka_unit_test_setup(test_uart_long_line, setup),
		cmocka_unit_test_setup(test_uart_registers, setup),
		cmocka_unit_test_setup(test_uart_bad_accesses, setup),
		cmocka_unit_test_setup(test_bus_refuses_overlap, setup),
	};
	return cmocka_run_group_tests_name("mmio", tests, NULL, NULL);
}
