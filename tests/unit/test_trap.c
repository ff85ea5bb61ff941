/* Trap decoding (ESR_EL2 syndromes), injected syndromes, the guest call
 * handler and the once-per-kind fault log, on the fake arch.
 * proves: PLATFORM-2, PLATFORM-5 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "arch_fake.h"
#include <arch/esr.h>
#include <hv/partition.h>
#include <vdev/pl011.h>

/* ldr w3, [x1] at EL1 faulting at stage 2: EC 0x24, ISV, SAS=2 (32-bit),
 * SRT=3, translation fault level 3 (DFSC 0x07). */
static void test_decode_dabt_read(void **state)
{
	uint64_t esr = (0x24ULL << 26) | ESR_IL | ISS_DA_ISV | (2ULL << 22) | (3ULL << 16) | 0x07;
	struct dabt_info d = esr_decode_dabt(esr);
	(void)state;

	assert_int_equal(ESR_EC(esr), EC_DABT_LOW);
	assert_true(d.valid);
	assert_false(d.write);
	assert_int_equal(d.width, 4);
	assert_int_equal(d.reg, 3);
	assert_false(d.sf);
	assert_false(d.sign_extend);
	assert_int_equal(d.fsc, 0x07);
}

/* strb wzr, [x0]: 8-bit write of the zero register; and ldrsh x5: signed
 * 16-bit into a 64-bit register. */
static void test_decode_dabt_write_and_signed(void **state)
{
	struct dabt_info w = esr_decode_dabt((0x24ULL << 26) | ISS_DA_ISV | (0ULL << 22) |
					     (31ULL << 16) | ISS_DA_WNR | 0x06);
	struct dabt_info s = esr_decode_dabt((0x24ULL << 26) | ISS_DA_ISV | (1ULL << 22) |
					     ISS_DA_SSE | (5ULL << 16) | ISS_DA_SF | 0x07);
	(void)state;

	assert_true(w.write);
	assert_int_equal(w.width, 1);
	assert_int_equal(w.reg, 31);
	assert_int_equal(s.width, 2);
	assert_true(s.sign_extend);
	assert_true(s.sf);
	assert_int_equal(s.reg, 5);
}

/* No ISV (e.g. a load pair): not emulatable, must be refused. */
static void test_decode_dabt_no_isv(void **state)
{
	struct dabt_info d = esr_decode_dabt((0x24ULL << 26) | ESR_IL | 0x07);
	(void)state;
	assert_false(d.valid);
}

/* mrs x7, s3_0_c15_c0_0 trapped by HCR_EL2.TIDCP: EC 0x18. */
static void test_decode_sysreg(void **state)
{
	uint64_t iss = (3ULL << 20) | (0ULL << 17) | (0ULL << 14) | (15ULL << 10) | (7ULL << 5) |
		       (0ULL << 1) | 1;
	struct sysreg_info s = esr_decode_sysreg((0x18ULL << 26) | ESR_IL | iss);
	(void)state;

	assert_int_equal(s.op0, 3);
	assert_int_equal(s.op1, 0);
	assert_int_equal(s.crn, 15);
	assert_int_equal(s.crm, 0);
	assert_int_equal(s.op2, 0);
	assert_int_equal(s.reg, 7);
	assert_true(s.read);
	assert_int_equal(sysreg_key(&s), SYSREG_KEY(3, 0, 15, 0, 0));
	/* msr s3_1_c15_c2_1, x0 */
	iss = (3ULL << 20) | (1ULL << 17) | (1ULL << 14) | (15ULL << 10) | (0ULL << 5) | (2ULL << 1);
	s = esr_decode_sysreg((0x18ULL << 26) | iss);
	assert_false(s.read);
	assert_int_equal(s.op1, 1);
	assert_int_equal(s.crm, 2);
	assert_int_equal(s.op2, 1);
}

static void test_decode_hvc_imm(void **state)
{
	(void)state;
	assert_int_equal(esr_hvc_imm((0x16ULL << 26) | ESR_IL | 0x1234), 0x1234);
}

/* What the guest sees when the hypervisor injects. */
static void test_injected_syndromes(void **state)
{
	uint64_t e;
	(void)state;

	e = esr_make_sea(false, false, true);
	assert_int_equal(ESR_EC(e), EC_DABT_CUR);
	assert_int_equal(e & 0x3f, FSC_SEA);
	assert_true(e & ISS_DA_WNR);
	assert_true(e & ESR_IL);
	e = esr_make_sea(true, false, false);
	assert_int_equal(ESR_EC(e), EC_DABT_LOW);
	assert_false(e & ISS_DA_WNR);
	e = esr_make_sea(false, true, true);
	assert_int_equal(ESR_EC(e), EC_IABT_CUR);
	assert_false(e & ISS_DA_WNR);
	e = esr_make_undef();
	assert_int_equal(ESR_EC(e), EC_UNKNOWN);
	assert_true(e & ESR_IL);

	assert_int_equal(el1_vector_offset(PSR_MODE_EL1h | PSR_DAIF), 0x200);
	assert_int_equal(el1_vector_offset(PSR_MODE_EL1t), 0x000);
	assert_int_equal(el1_vector_offset(PSR_MODE_EL0t), 0x400);
	assert_int_equal(el1_vector_offset(PSR_AARCH32 | 0x10), 0x600);
}

/* ---- guest calls and the fault log, with a fake partition ---- */
static struct part_config pc = { .name = "fake", .ncpus = 1 };
static struct partition part;
static struct vcpu vcpu;

static int setup_part(void **state)
{
	(void)state;
	memset(&part, 0, sizeof(part));
	part.cfg = &pc;
	vcpu = (struct vcpu){ .part = &part, .state = VCPU_RUNNING };
	fake_console_reset();
	return 0;
}

static void test_vcall_unknown_not_supported_logged_once(void **state)
{
	(void)state;
	for (int i = 0; i < 5; i++) {
		uint64_t regs[4] = { 0xc2000042, 1, 2, 3 };
		vcall_handle(&vcpu, regs);
		assert_int_equal(regs[0], (uint64_t)-1);
		assert_int_equal(regs[1], 1); /* nothing else changes */
	}
	/* A 64-bit function ID with high bits set is unknown too. */
	uint64_t regs[4] = { 0x100000000ULL | 0x84000000, 0, 0, 0 };
	vcall_handle(&vcpu, regs);
	assert_int_equal(regs[0], (uint64_t)-1);
	assert_non_null(strstr(fake_console, "fake: unsupported call: function 0xc2000042"));
	assert_null(strstr(strstr(fake_console, "0xc2000042") + 1, "unsupported call:"));
}

static void test_vcall_psci_version_features(void **state)
{
	uint64_t regs[4] = { 0x84000000, 0, 0, 0 };
	(void)state;

	vcall_handle(&vcpu, regs);
	assert_int_equal(regs[0], 0x10001);
	regs[0] = 0x8400000a;
	regs[1] = 0x84000008; /* SYSTEM_OFF is implemented */
	vcall_handle(&vcpu, regs);
	assert_int_equal(regs[0], 0);
	regs[0] = 0x8400000a;
	regs[1] = 0x84000005; /* CPU_SUSPEND is not */
	vcall_handle(&vcpu, regs);
	assert_int_equal(regs[0], (uint64_t)-1);
	assert_int_equal(fake_console_len, 0); /* known calls log nothing */
}

/* Each fault kind is logged once per partition, whatever the guest does. */
static void test_fault_log_once_per_kind(void **state)
{
	(void)state;
	for (int i = 0; i < 100; i++) {
		partition_fault(&part, FAULT_DABT, "IPA 0x%x", i);
		partition_fault(&part, FAULT_SYSREG, "reg %d", i);
	}
	assert_non_null(strstr(fake_console, "data abort: IPA 0x0"));
	assert_non_null(strstr(fake_console, "system register: reg 0"));
	assert_null(strstr(fake_console, "IPA 0x1 "));
	int lines = 0;
	for (const char *p = fake_console; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 2);
}

/* A payload in host memory holding one kernel image "k". */
static uint8_t payload_buf[8192] __attribute__((aligned(16)));
static const struct payload_header *make_payload(void)
{
	struct payload_header *h = (struct payload_header *)payload_buf;
	memset(payload_buf, 0, sizeof(payload_buf));
	memcpy(h->magic, PAYLOAD_MAGIC, 8);
	h->version = 1;
	h->nblobs = 1;
	strcpy(h->blob[0].name, "k");
	h->blob[0].offset = 4096;
	h->blob[0].size = 16;
	memcpy(payload_buf + 4096, "KERNEL-IMAGE-123", 16);
	h->blob[0].crc32 = crc32(payload_buf + 4096, 16);
	h->total_size = sizeof(payload_buf);
	h->table_crc32 = crc32(h->blob, sizeof(h->blob[0]));
	return payload_open(payload_buf, sizeof(payload_buf), &(const char *){ NULL });
}

/* Two partitions built from a configuration; SYSTEM_OFF in the first stops
 * only it; SYSTEM_OFF in the second, the last, powers the machine off. */
static void test_partitions_create_and_system_off(void **state)
{
	static struct hv_config cfg;
	static struct page_pool pool;
	const struct payload_header *ph = make_payload();
	jmp_buf jb;
	(void)state;

	assert_non_null(ph);
	fake_mem_init(0x400000);
	page_pool_init(&pool, FAKE_PHYS_BASE, 64);
	memset(&cfg, 0, sizeof(cfg));
	cfg.nparts = 2;
	for (unsigned i = 0; i < 2; i++) {
		struct part_config *c = &cfg.parts[i];
		snprintf(c->name, sizeof(c->name), "p%u", i);
		c->ncpus = 1;
		c->cpus[0] = (uint8_t)(i + 1);
		c->nmem = 1;
		c->mem[0] = (struct mem_range){ FAKE_PHYS_BASE + 0x100000 * (i + 1), 0x100000 };
		strcpy(c->kernel.name, "k");
		c->kernel.size = 16;
		c->kernel.present = true;
		c->console = CONSOLE_UART;
		/* What config_parse() adds: the UART device, the layout,
		 * where the images go and the guest device tree. */
		c->entry = c->mem[0].base;
		c->dtb_ipa = c->initrd_ipa = c->mem[0].base + c->mem[0].size - GUEST_DTB_MAX;
		layout_init(&c->layout, 1, 3);
		c->ndevs = 1;
		c->dev[0] = (struct dev_config){ .type = &pl011_type, .name = "pl011" };
		c->dev[0].region = (uint32_t)layout_add_fixed(&c->layout, 0, GUEST_UART_IPA,
							      VPL011_SIZE, GUEST_UART_INTID);
		assert_int_equal(config_build_guest_dtb(c, i), 0);
	}
	assert_int_equal(partitions_create(&cfg, ph, &pool), 0);
	assert_memory_equal(fake_phys_mem + 0x100000, "KERNEL-IMAGE-123", 16);
	assert_memory_equal(fake_phys_mem + 0x200000, "KERNEL-IMAGE-123", 16);
	assert_ptr_equal(vcpu_of_pcpu(1), &partitions[0].vcpu[0]);
	assert_ptr_equal(vcpu_of_pcpu(2), &partitions[1].vcpu[0]);
	assert_null(vcpu_of_pcpu(0));
	assert_null(vcpu_of_pcpu(1000));
	/* Stage 2: own RAM only. */
	assert_true(pgtable_lookup(&partitions[0].s2, FAKE_PHYS_BASE + 0x100000, NULL, NULL));
	assert_false(pgtable_lookup(&partitions[0].s2, FAKE_PHYS_BASE + 0x200000, NULL, NULL));
	assert_false(pgtable_lookup(&partitions[0].s2, FAKE_PHYS_BASE, NULL, NULL));
	/* The emulated UART is on the MMIO bus, not in the tables. */
	uint64_t v = 'x';
	assert_int_equal(mmio_bus_access(&partitions[0].mmio, GUEST_UART_IPA, 4, true, &v), 0);
	assert_int_equal(mmio_bus_access(&partitions[0].mmio, GUEST_UART_IPA + 0x1000, 4, false, &v), -1);
	assert_false(pgtable_lookup(&partitions[0].s2, GUEST_UART_IPA, NULL, NULL));

	fake_halt_jmp = &jb;
	fake_system_off_calls = 0;
	fake_console_reset();
	for (unsigned i = 0; i < 2; i++) {
		if (setjmp(jb) == 0) {
			uint64_t regs[4] = { 0x84000008, 0, 0, 0 };
			vcall_handle(&partitions[i].vcpu[0], regs);
			fail_msg("SYSTEM_OFF returned to the guest");
		}
		assert_int_equal(partitions[i].vcpu[0].state, VCPU_OFF);
		assert_int_equal(fake_system_off_calls, i == 1 ? 1 : 0);
	}
	fake_halt_jmp = NULL;
	/* The UART line the first partition left unfinished was flushed. */
	assert_non_null(strstr(fake_console, "[p0] x\n"));
	assert_non_null(strstr(fake_console, "partition p0 stopped"));
	assert_non_null(strstr(fake_console, "all partitions stopped"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_dabt_read),
		cmocka_unit_test(test_decode_dabt_write_and_signed),
		cmocka_unit_test(test_decode_dabt_no_isv),
		cmocka_unit_test(test_decode_sysreg),
		cmocka_unit_test(test_decode_hvc_imm),
		cmocka_unit_test(test_injected_syndromes),
		cmocka_unit_test_setup(test_vcall_unknown_not_supported_logged_once, setup_part),
		cmocka_unit_test_setup(test_vcall_psci_version_features, setup_part),
		cmocka_unit_test_setup(test_fault_log_once_per_kind, setup_part),
		cmocka_unit_test_setup(test_partitions_create_and_system_off, setup_part),
	};
	return cmocka_run_group_tests_name("trap", tests, NULL, NULL);
}
