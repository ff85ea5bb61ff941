/* The register-table dispatcher, the emulated PL011 and the console mux.
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

static int setup(void **state)
{
	(void)state;
	memset(&bus, 0, sizeof(bus));
	vpl011_init(&u, "alpha", NULL);
	assert_int_equal(mmio_bus_add(&bus, 0x09000000, VPL011_SIZE, &vpl011_ops, &u), 0);
	fake_console_reset();
	return 0;
}

static int acc(uint64_t ipa, unsigned w, bool wr, uint64_t *v)
{
	return mmio_bus_access(&bus, ipa, w, wr, v);
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
	static const struct reg_bank bad = { bad_regs, 2, NULL };
	static const struct reg_desc overlap_regs[] = {
		{ 0x0, 8, W32, NULL, NULL },
		{ 0x4, 4, W32, NULL, NULL },
	};
	static const struct reg_bank overlap = { overlap_regs, 2, NULL };
	(void)state;
	assert_true(reg_bank_sorted(&vgic_dist_bank));
	assert_true(reg_bank_sorted(&vgic_rdist_bank));
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
	assert_int_equal(acc(0x09000018, 4, false, &v), 0);
	assert_int_equal(bus.hint, 0);
	bus.hint = 7; /* beyond n: ignored */
	assert_int_equal(acc(0x09000018, 4, false, &v), 0);
	assert_int_equal(acc(0x09001000, 4, false, &v), -1);
	assert_int_equal(acc(0x08fffffc, 4, false, &v), -1);
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
		cmocka_unit_test_setup(test_uart_output_prefixed_by_line, setup),
		cmocka_unit_test_setup(test_uart_sanitises_control_bytes, setup),
		cmocka_unit_test_setup(test_uart_long_line, setup),
		cmocka_unit_test_setup(test_uart_registers, setup),
		cmocka_unit_test_setup(test_uart_bad_accesses, setup),
		cmocka_unit_test_setup(test_bus_refuses_overlap, setup),
	};
	return cmocka_run_group_tests_name("mmio", tests, NULL, NULL);
}
