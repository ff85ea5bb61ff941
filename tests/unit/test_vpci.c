/* The virtual PCIe host bridge's configuration space (core/vpci.c) on a
 * fake physical function: only the partition's functions are seen, BARs
 * size but never move, the command register takes only memory, bus master
 * (only where the function's DMA is confined) and INTx-disable, MSI and MSI-X are cut out of the capability chain
 * (read as zero, writes dropped), the ROM and extended space are empty,
 * a looping chain ends, hostile widths and alignments are refused.
 * proves: PLATFORM-5, NET-4 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "arch_fake.h"
#include <hv/vpci.h>

#define BDF(d, f) ((uint16_t)((d) << 3 | (f)))
#define OFF(d, f, r) (((uint64_t)BDF(d, f) << 12) | (r))

static struct vpci v;

static void put(unsigned i, unsigned off, unsigned width, uint32_t val)
{
	for (unsigned b = 0; b < width; b++)
		fake_pci_cfg[i][off + b] = (uint8_t)(val >> (8 * b));
}

static uint32_t phys(unsigned i, unsigned off, unsigned width)
{
	uint32_t x = 0;
	for (unsigned b = 0; b < width; b++)
		x |= (uint32_t)fake_pci_cfg[i][off + b] << (8 * b);
	return x;
}

static uint64_t rd(uint64_t off, unsigned width)
{
	uint64_t x = 0xdead;
	assert_int_equal(vpci_access(&v, off, width, false, &x), 0);
	return x;
}

static void wr(uint64_t off, unsigned width, uint64_t x)
{
	assert_int_equal(vpci_access(&v, off, width, true, &x), 0);
}

/* 00:02.0: an e1000e-like function: caps PM 0x40 -> MSI 0x50 (64-bit)
 * -> PCIe 0x60 -> MSI-X 0x70; BAR0 128 KiB at 0x10000000, BAR3 16 KiB at
 * 0x10020000. */
static int setup(void **state)
{
	(void)state;
	memset(fake_pci_cfg, 0, sizeof(fake_pci_cfg));
	memset(fake_pci_ro, 0, sizeof(fake_pci_ro));
	fake_pci_bdf[0] = BDF(2, 0);
	fake_pci_bdf[1] = 0xffff;
	put(0, 0x00, 4, 0x10d38086);
	put(0, 0x06, 2, 1u << 4); /* capabilities */
	put(0, 0x08, 4, 0x02000000);
	put(0, 0x10, 4, 0x10000000);
	put(0, 0x1c, 4, 0x10020000);
	put(0, 0x30, 4, 0xfffe0001); /* a ROM BAR */
	put(0, 0x34, 1, 0x40);
	put(0, 0x3d, 1, 1); /* INTA */
	put(0, 0x40, 2, 0x5001);
	put(0, 0x50, 2, 0x6005);
	put(0, 0x52, 2, 1u << 7); /* 64-bit addresses */
	put(0, 0x5c, 2, 0xabcd);  /* its data: the last two of its 14 bytes */
	put(0, 0x60, 2, 0x7010);
	put(0, 0x70, 2, 0x0011);
	put(0, 0x78, 4, 0x12342003); /* its PBA: the last four of its 12 bytes */
	put(0, 0x100, 4, 0x00010001); /* AER, the only extended capability */
	memset(fake_pci_ro[0], 1, 0x04);
	struct vpci_bars bars = { { 0x10000000, 0, 0, 0x10020000, 0, 0 },
				  { 0xfffe0000, 0, 0, 0xffffc000, 0, 0 } };
	v = (struct vpci){ .nfn = 2 };
	vpci_fn_init(&v.fn[0], BDF(2, 0), true, &bars);
	v.fn[0].dma_ok = true;
	vpci_fn_init(&v.fn[1], BDF(4, 0), false, NULL); /* named, not found at boot */
	fake_pci_writes = 0;
	fake_pci_quiesced = 0;
	return 0;
}

static void test_only_its_functions(void **state)
{
	(void)state;
	assert_int_equal(rd(OFF(2, 0, 0), 4), 0x10d38086);
	/* Another slot, a function of its own that was not found, another
	 * function number: absent, all ones at every width. */
	assert_int_equal(rd(OFF(3, 0, 0), 4), 0xffffffffu);
	assert_int_equal(rd(OFF(4, 0, 0), 2), 0xffff);
	assert_int_equal(rd(OFF(2, 1, 0), 1), 0xff);
	wr(OFF(3, 0, 0x04), 2, 0x6);
	wr(OFF(4, 0, 0x10), 4, 0);
	assert_int_equal(fake_pci_writes, 0);
}

static void test_bars_size_but_never_move(void **state)
{
	(void)state;
	wr(OFF(2, 0, 0x10), 4, 0xffffffff);
	assert_int_equal(rd(OFF(2, 0, 0x10), 4), 0xfffe0000);
	wr(OFF(2, 0, 0x10), 4, 0x10000000);
	assert_int_equal(rd(OFF(2, 0, 0x10), 4), 0x10000000);
	wr(OFF(2, 0, 0x10), 4, 0x20000000); /* a move: ignored */
	assert_int_equal(rd(OFF(2, 0, 0x10), 4), 0x10000000);
	wr(OFF(2, 0, 0x10), 2, 0xffff); /* BARs are written whole */
	assert_int_equal(rd(OFF(2, 0, 0x10), 4), 0x10000000);
	assert_int_equal(rd(OFF(2, 0, 0x12), 2), 0x1000);
	/* An unimplemented BAR sizes as zero. */
	wr(OFF(2, 0, 0x14), 4, 0xffffffff);
	assert_int_equal(rd(OFF(2, 0, 0x14), 4), 0);
	assert_int_equal(rd(OFF(2, 0, 0x1c), 4), 0x10020000);
	/* Nothing reached the function's own BARs, and its ROM is hidden. */
	assert_int_equal(phys(0, 0x10, 4), 0x10000000);
	assert_int_equal(rd(OFF(2, 0, 0x30), 4), 0);
	wr(OFF(2, 0, 0x30), 4, 0x30000001);
	assert_int_equal(phys(0, 0x30, 4), 0xfffe0001);
	assert_int_equal(fake_pci_writes, 0);
}

static void test_command_register(void **state)
{
	(void)state;
	wr(OFF(2, 0, 0x04), 2, 0xffff);
	assert_int_equal(phys(0, 0x04, 2), (1u << 1) | (1u << 2) | (1u << 10));
	assert_int_equal(rd(OFF(2, 0, 0x04), 2), (1u << 1) | (1u << 2) | (1u << 10));
	wr(OFF(2, 0, 0x04), 4, 0x00000001); /* I/O space only: nothing stays on */
	assert_int_equal(phys(0, 0x04, 2), 0);
	wr(OFF(2, 0, 0x05), 1, 0x04); /* INTx disable, as a byte */
	assert_int_equal(phys(0, 0x04, 2), 1u << 10);
	/* A function whose DMA is not confined never gets bus mastering. */
	v.fn[0].dma_ok = false;
	wr(OFF(2, 0, 0x04), 2, 0xffff);
	assert_int_equal(phys(0, 0x04, 2), (1u << 1) | (1u << 10));
	v.fn[0].dma_ok = true;
	/* The interrupt line is the guest's own scratch byte. */
	wr(OFF(2, 0, 0x3c), 1, 0x23);
	assert_int_equal(rd(OFF(2, 0, 0x3c), 4), 0x0123);
	assert_int_equal(phys(0, 0x3c, 1), 0);
}

static void test_msi_and_extended_hidden(void **state)
{
	(void)state;
	assert_int_equal(rd(OFF(2, 0, 0x34), 1), 0x40);
	assert_int_equal(rd(OFF(2, 0, 0x40), 2), 0x6001); /* PM -> PCIe */
	assert_int_equal(rd(OFF(2, 0, 0x60), 4), 0x0010);  /* PCIe -> end */
	assert_int_equal(rd(OFF(2, 0, 0x50), 4), 0);       /* MSI: zero */
	assert_int_equal(rd(OFF(2, 0, 0x70), 4), 0);       /* MSI-X */
	wr(OFF(2, 0, 0x52), 2, 1);                         /* MSI enable */
	wr(OFF(2, 0, 0x72), 2, 0x8000);                    /* MSI-X enable */
	assert_int_equal(phys(0, 0x52, 2), 1u << 7);
	assert_int_equal(phys(0, 0x72, 2), 0);
	/* Every byte of both, the last included: zero, and not written. */
	for (uint32_t b = 0x50; b < 0x50 + 14; b++)
		assert_int_equal(rd(OFF(2, 0, b), 1), 0);
	for (uint32_t b = 0x70; b < 0x70 + 12; b++)
		assert_int_equal(rd(OFF(2, 0, b), 1), 0);
	wr(OFF(2, 0, 0x5d), 1, 0x55);
	wr(OFF(2, 0, 0x7b), 1, 0x55);
	assert_int_equal(phys(0, 0x5c, 2), 0xabcd);
	assert_int_equal(phys(0, 0x78, 4), 0x12342003);
	/* A visible capability's registers reach the function. */
	wr(OFF(2, 0, 0x68), 2, 0x2810);
	assert_int_equal(phys(0, 0x68, 2), 0x2810);
	/* No extended capabilities: AER is not seen, writes dropped. */
	assert_int_equal(rd(OFF(2, 0, 0x100), 4), 0);
	wr(OFF(2, 0, 0x104), 4, 0xffffffff);
	assert_int_equal(phys(0, 0x104, 4), 0);
}

/* Writes that would reset the function behind the hypervisor (losing the
 * BARs it placed) are the hypervisor's: an FLR becomes its quiesce, a
 * power state other than D0 stays D0. A function whose pin is not INTA
 * shows no interrupt. */
static void test_resets_are_the_hypervisors(void **state)
{
	(void)state;
	put(0, 0x68, 2, 0x2810);
	wr(OFF(2, 0, 0x68), 2, 0x2810 | 0x8000); /* PCIe Device Control: Initiate FLR */
	assert_int_equal(fake_pci_quiesced, 1);
	assert_int_equal(phys(0, 0x68, 2), 0x2810);
	wr(OFF(2, 0, 0x68), 4, 0x80008000); /* as a word, with its status half */
	assert_int_equal(fake_pci_quiesced, 2);
	assert_int_equal(phys(0, 0x68, 2), 0);
	wr(OFF(2, 0, 0x44), 2, 0x0003); /* PM control/status: D3hot */
	assert_int_equal(phys(0, 0x44, 2) & 3, 0);
	wr(OFF(2, 0, 0x44), 1, 0x0103 & 0xff);
	assert_int_equal(phys(0, 0x44, 2) & 3, 0);
	assert_int_equal(rd(OFF(2, 0, 0x3d), 1), 1);
	put(0, 0x3d, 1, 2); /* INTB */
	struct vpci_bars bars = { { 0 }, { 0 } };
	vpci_fn_init(&v.fn[0], BDF(2, 0), true, &bars);
	assert_false(v.fn[0].intx);
	assert_int_equal(rd(OFF(2, 0, 0x3c), 2), 0);
}

/* More MSI capabilities than can be hidden: the function is left out. */
static void test_unhideable_msi_left_out(void **state)
{
	(void)state;
	for (unsigned i = 0; i < VPCI_MAX_CAPS + 1; i++)
		put(0, 0x40 + 8 * i, 2, (i < VPCI_MAX_CAPS ? (0x48 + 8 * i) << 8 : 0) | 0x05);
	put(0, 0x34, 1, 0x40);
	struct vpci_bars bars = { { 0 }, { 0 } };
	vpci_fn_init(&v.fn[0], BDF(2, 0), true, &bars);
	assert_false(v.fn[0].present);
	assert_int_equal(rd(OFF(2, 0, 0), 4), 0xffffffffu);
}

static void test_looping_chain_ends(void **state)
{
	(void)state;
	put(0, 0x40, 2, 0x4001); /* PM points at itself */
	struct vpci_bars bars = { { 0 }, { 0 } };
	vpci_fn_init(&v.fn[0], BDF(2, 0), true, &bars);
	assert_true(v.fn[0].ncaps <= VPCI_MAX_CAPS);
	assert_int_equal(rd(OFF(2, 0, 0x34), 1), 0x40);
	put(0, 0x34, 1, 0x41); /* unaligned pointer: its low bits are ignored */
	vpci_fn_init(&v.fn[0], BDF(2, 0), true, &bars);
	assert_int_equal(rd(OFF(2, 0, 0x34), 1), 0x40);
}

static void test_hostile_accesses(void **state)
{
	uint64_t x = 0;
	(void)state;
	assert_int_equal(vpci_access(&v, OFF(2, 0, 0), 8, false, &x), -1);
	assert_int_equal(vpci_access(&v, OFF(2, 0, 0), 3, false, &x), -1);
	assert_int_equal(vpci_access(&v, OFF(2, 0, 1), 2, true, &x), -1);
	assert_int_equal(vpci_access(&v, OFF(2, 0, 2), 4, false, &x), -1);
	assert_int_equal(vpci_access(&v, GUEST_PCI_ECAM_SIZE, 4, false, &x), -1);
	assert_int_equal(fake_pci_writes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_only_its_functions, setup),
		cmocka_unit_test_setup(test_bars_size_but_never_move, setup),
		cmocka_unit_test_setup(test_command_register, setup),
		cmocka_unit_test_setup(test_msi_and_extended_hidden, setup),
		cmocka_unit_test_setup(test_resets_are_the_hypervisors, setup),
		cmocka_unit_test_setup(test_unhideable_msi_left_out, setup),
		cmocka_unit_test_setup(test_looping_chain_ends, setup),
		cmocka_unit_test_setup(test_hostile_accesses, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
