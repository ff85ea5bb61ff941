/* The device registry and the guest layout: a partition with every device
 * kind at its documented maximum is parsed, laid out and booted on the fake
 * arch; each device answers at the window the layout gave it and nowhere
 * else, the guest device tree describes each one, a restart resets each one
 * through the partition's notifiers, console input reaches a partition on
 * its own CPU; one device more of any kind is refused
 * with a message naming the node. The layout allocator refuses overlaps,
 * taken interrupts and a full map.
 * proves: PLATFORM-3, PLATFORM-4, PLATFORM-6 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arch_fake.h"
#include "toolutil.h"
#include <hv/blkdev.h>
#include <hv/boot.h>
#include <hv/netswitch.h>
#include <hv/partition.h>
#include <libfdt.h>
#include <hv/workq.h>
#include <vdev/pl011.h>
#include <vdev/virtio_blk.h>
#include <vdev/virtio_console.h>

#define FILE_ "tests/configs/good/every-device.dts"
#define KERNEL "guests/hello.bin"
#define RAMIMG "tests/configs/bad/ram-4096-bytes.img"

static struct hv_config cfg;
static struct cfg_errors errs;

static int64_t blob(void *ctx, const char *name, void *head, size_t head_len)
{
	struct stat st;
	(void)ctx;
	if (head)
		memset(head, 0, head_len);
	if (strcmp(name, KERNEL) == 0)
		return 4096;
	return stat(name, &st) == 0 ? (int64_t)st.st_size : -1;
}

static int parse(const void *fdt, size_t size)
{
	struct platform_desc pd;
	int rc;

	platform_desc_get(&pd, NULL, 0);
	rc = config_parse(fdt, size, &pd, blob, NULL, &cfg, &errs);
	for (unsigned i = 0; i < errs.count; i++)
		print_message("    error %u: %s\n", i, errs.msg[i]);
	return rc;
}

static void *load(size_t *size)
{
	void *fdt = load_partition_file(FILE_, size);
	assert_non_null(fdt);
	return fdt;
}

/* Parsed and laid out: the console, rng, four disks and net of "full" in
 * registry order, slots 0..6 with SPIs 16..22; the GIC's two windows. */
static void test_layout_of_every_device(void **state)
{
	static const char *const names[] = { "virtio-console", "virtio-rng", "virtio-blk-a",
					     "virtio-blk-b", "virtio-blk-c", "virtio-blk-d",
					     "virtio-net" };
	size_t size;
	void *fdt = load(&size);
	(void)state;

	assert_int_equal(parse(fdt, size), 0);
	free(fdt);
	const struct part_config *pc = &cfg.parts[0];
	assert_int_equal(pc->ndevs, ARRAY_SIZE(names));
	assert_int_equal(pc->layout.n, 2 + ARRAY_SIZE(names));
	assert_int_equal(pc->layout.r[0].kind, REGION_GICD);
	assert_int_equal(pc->layout.r[1].kind, REGION_GICR);
	assert_int_equal(pc->layout.r[1].size, 2 * GUEST_GICR_STRIDE);
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
		const struct layout_region *r = &pc->layout.r[pc->dev[i].region];
		assert_string_equal(pc->dev[i].name, names[i]);
		assert_int_equal(r->base, GUEST_VIRTIO_IPA(i));
		assert_int_equal(r->intid, GUEST_VIRTIO_INTID(i));
		assert_int_equal(r->dev, i);
	}
	/* The peer: its UART at the fixed window, its net in slot 0. */
	const struct part_config *peer = &cfg.parts[1];
	assert_int_equal(peer->ndevs, 2);
	assert_string_equal(peer->dev[0].name, "pl011");
	assert_int_equal(peer->layout.r[peer->dev[0].region].base, GUEST_UART_IPA);
	assert_int_equal(peer->layout.r[peer->dev[0].region].intid, GUEST_UART_INTID);
	assert_int_equal(peer->layout.r[peer->dev[1].region].base, GUEST_VIRTIO_IPA(0));
	/* Images: the device tree in the last 64 KiB, the kernel at the start. */
	assert_int_equal(pc->entry, 0x80100000);
	assert_int_equal(pc->dtb_ipa, 0x80200000 - GUEST_DTB_MAX);
}

/* One more of any kind: refused, naming the node. */
static void test_one_more_refused(void **state)
{
	static const struct {
		const char *node, *want;
	} more[] = {
		/* libfdt adds a node before its siblings: the last in node
		 * order is the one refused. */
		{ "virtio-blk-e", "/partitions/full/virtio-blk-d: more than 4 disks in one partition" },
		{ "virtio-rng@1", "/partitions/full/virtio-rng: a partition has at most one virtio-rng" },
		{ "virtio-net@1", "/partitions/full/virtio-net: a partition has at most one virtio-net" },
		{ "virtio-console", "/partitions/full/virtio-console: unknown node" },
		{ "pl011", "/partitions/full/pl011: unknown node" },
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(more); i++) {
		size_t size;
		void *fdt = load(&size), *big = malloc(size + 4096);
		int part;
		assert_int_equal(fdt_open_into(fdt, big, (int)size + 4096), 0);
		part = fdt_path_offset(big, "/partitions/full");
		assert_true(part >= 0);
		int n = fdt_add_subnode(big, part, more[i].node);
		assert_true(n >= 0);
		if (strncmp(more[i].node, "virtio-blk", 10) == 0)
			assert_int_equal(fdt_setprop_string(big, n, "backend", "ram0"), 0);
		if (strncmp(more[i].node, "virtio-net", 10) == 0)
			assert_int_equal(fdt_setprop_string(big, n, "segment", "lan"), 0);
		assert_int_equal(fdt_pack(big), 0);
		assert_int_equal(parse(big, fdt_totalsize(big)), 1);
		assert_string_equal(errs.msg[0], more[i].want);
		free(fdt);
		free(big);
	}
}

/* A node with errors is not compared by the cross-checks: two virtio-net
 * nodes naming a segment that does not exist give their two errors, not a
 * third about a MAC "used twice" (the half-decoded nodes' zeroed one). */
static void test_invalid_nodes_not_cross_checked(void **state)
{
	size_t size;
	void *fdt = load(&size), *big = malloc(size + 4096);
	static const char *const nets[] = { "/partitions/full/virtio-net", "/partitions/peer/virtio-net" };
	(void)state;

	assert_int_equal(fdt_open_into(fdt, big, (int)size + 4096), 0);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(fdt_setprop_string(big, fdt_path_offset(big, nets[i]), "segment", "nope"), 0);
	assert_int_equal(parse(big, fdt_totalsize(big)), 2);
	assert_string_equal(errs.msg[0], "/partitions/full/virtio-net: segment: 'nope' is not a node of /network");
	assert_string_equal(errs.msg[1], "/partitions/peer/virtio-net: segment: 'nope' is not a node of /network");
	free(fdt);
	free(big);
}

/* A blob dtc would never write: two top-level nodes of one name. The
 * second is refused, not silently ignored (libfdt's lookup by name would
 * only ever see the first). */
static void test_node_defined_twice(void **state)
{
	static uint8_t buf[4096];
	static const char *const roots[] = { "storage", "network", "hypervisor", "partitions" };
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(roots); i++) {
		assert_int_equal(fdt_create(buf, sizeof(buf)), 0);
		assert_int_equal(fdt_finish_reservemap(buf), 0);
		assert_int_equal(fdt_begin_node(buf, ""), 0);
		assert_int_equal(fdt_property_string(buf, "compatible", "bulkhead,partition-file-v1"), 0);
		assert_int_equal(fdt_property_u32(buf, "#address-cells", 2), 0);
		assert_int_equal(fdt_property_u32(buf, "#size-cells", 2), 0);
		for (int k = 0; k < 2; k++) {
			assert_int_equal(fdt_begin_node(buf, roots[i]), 0);
			assert_int_equal(fdt_end_node(buf), 0);
		}
		if (strcmp(roots[i], "partitions") != 0) {
			fdt_begin_node(buf, "partitions");
			fdt_begin_node(buf, "alpha");
			fdt_property_u32(buf, "cpus", 1);
			uint64_t mem[2] = { cpu_to_fdt64(0x50000000), cpu_to_fdt64(0x4000000) };
			fdt_property(buf, "memory", mem, sizeof(mem));
			fdt_property_string(buf, "kernel", KERNEL);
			fdt_end_node(buf);
			fdt_end_node(buf);
		}
		assert_int_equal(fdt_end_node(buf), 0);
		assert_int_equal(fdt_finish(buf), 0);
		int rc = parse(buf, fdt_totalsize(buf));
		char want[64];
		snprintf(want, sizeof(want), "/%s: node defined twice", roots[i]);
		assert_true(rc >= 1);
		bool seen = false;
		for (unsigned e = 0; e < errs.count; e++)
			seen |= strcmp(errs.msg[e], want) == 0;
		if (!seen)
			fail_msg("no '%s'", want);
	}
}

/* A payload with the kernel; the RAM disk is opened from the real file. */
static uint8_t payload_buf[16384] __attribute__((aligned(16)));
static const struct payload_header *make_payload(void)
{
	struct payload_header *h = (void *)payload_buf;

	memset(payload_buf, 0, sizeof(payload_buf));
	memcpy(h->magic, PAYLOAD_MAGIC, 8);
	h->version = 1;
	h->nblobs = 1;
	strcpy(h->blob[0].name, KERNEL);
	h->blob[0].offset = 4096;
	h->blob[0].size = 4096;
	memcpy(payload_buf + 4096, "KERNEL-IMAGE-123", 16);
	h->blob[0].crc32 = crc32(payload_buf + 4096, 4096);
	h->total_size = sizeof(payload_buf);
	h->table_crc32 = crc32(h->blob, sizeof(h->blob[0]));
	return payload_open(payload_buf, sizeof(payload_buf), &(const char *){ NULL });
}

static uint64_t rd(struct partition *p, uint64_t ipa)
{
	uint64_t v = 0xdead;
	assert_int_equal(mmio_bus_access(&p->mmio, ipa, 4, false, &v), 0);
	return v;
}

static void wr(struct partition *p, uint64_t ipa, uint64_t v)
{
	assert_int_equal(mmio_bus_access(&p->mmio, ipa, 4, true, &v), 0);
}

/* Booted on the fake arch: every device at its window, device IDs as the
 * kinds say, nothing in the slot after the last; the guest tree has a node
 * per device; SYSTEM_RESET resets every device through the notifiers. */
static void test_boot_every_device(void **state)
{
	static const uint32_t ids[] = { 3, 4, 2, 2, 2, 2, 1 };
	static struct page_pool pool;
	static struct blkdev ram;
	static uint8_t disk[4096];
	const struct payload_header *ph = make_payload();
	size_t size;
	void *fdt = load(&size);
	jmp_buf jb;
	(void)state;

	assert_non_null(ph);
	assert_int_equal(parse(fdt, size), 0);
	free(fdt);
	fake_mem_init(0x400000);
	page_pool_init(&pool, FAKE_PHYS_BASE, 64);
	blk_ram_init(&ram, "ram0", disk, sizeof(disk));
	blk_backend_set(0, &ram);
	net_segments_init(cfg.nsegments);
	assert_int_equal(partitions_create(&cfg, ph, &pool), 0);

	struct partition *p = &partitions[0];
	assert_int_equal(p->ndevs, 7);
	assert_memory_equal(fake_phys_mem + 0x100000, "KERNEL-IMAGE-123", 16);
	for (unsigned i = 0; i < 7; i++) {
		assert_int_equal(rd(p, GUEST_VIRTIO_IPA(i)), 0x74726976); /* "virt" */
		assert_int_equal(rd(p, GUEST_VIRTIO_IPA(i) + 4), 2);      /* version 2 */
		assert_int_equal(rd(p, GUEST_VIRTIO_IPA(i) + 8), ids[i]);
	}
	uint64_t v;
	assert_int_equal(mmio_bus_access(&p->mmio, GUEST_VIRTIO_IPA(7), 4, false, &v), -1);
	assert_int_equal(mmio_bus_access(&p->mmio, GUEST_UART_IPA, 4, false, &v), -1);
	assert_non_null(partition_console(p));
	/* The peer's UART is on its bus; its console is the UART. */
	assert_int_equal(mmio_bus_access(&partitions[1].mmio, GUEST_UART_IPA + 0x18, 4, false, &v), 0);

	/* The device tree: a virtio_mmio node per device with its SPI. */
	for (unsigned i = 0; i < 8; i++) {
		char path[48];
		snprintf(path, sizeof(path), "/virtio_mmio@%lx", GUEST_VIRTIO_IPA(i));
		int n = fdt_path_offset(config_guest_dtb(0), path);
		if (i < 7 && n < 0)
			print_message("no %s: %s\n", path, fdt_strerror(n));
		if (i == 7) {
			assert_true(n < 0);
			continue;
		}
		assert_true(n >= 0);
		const fdt32_t *irq = fdt_getprop(config_guest_dtb(0), n, "interrupts", NULL);
		assert_non_null(irq);
		assert_int_equal(fdt32_to_cpu(irq[1]), GUEST_VIRTIO_INTID(i) - 32);
	}
	assert_true(fdt_path_offset(config_guest_dtb(0), "/pl011@9000000") < 0);
	assert_true(fdt_path_offset(config_guest_dtb(1), "/pl011@9000000") >= 0);

	/* Console input taken on CPU 0 reaches the focus's console on its
	 * vCPU 0's CPU (the work queue), not in CPU 0's trap; Ctrl-] moves
	 * it to the peer (CPU 3), its UART. */
	struct virtio_console *vcon = p->console->priv;
	struct vpl011 *uart = partitions[1].console->priv;
	console_focus_first();
	fake_cpu = 0;
	fake_work_signalled = 0;
	console_input('x');
	console_input('y');
	assert_int_equal(fake_work_signalled, 1u << 1);
	assert_int_equal(vcon->rx_count, 0);
	assert_int_equal(workq_run_local(), 0); /* CPU 0 runs none of it */
	fake_cpu = 1;
	assert_int_equal(workq_run_local(), 1);
	assert_int_equal(vcon->rx_count, 2);
	assert_int_equal(vcon->rx[vcon->rx_head], 'x');
	fake_cpu = 0;
	/* Ctrl-T: the hypervisor's status on its console, nothing to the
	 * guest: the page-table pool as used, and per partition what each
	 * device holds (no request slot of the four disks taken). */
	fake_console_reset();
	fake_work_signalled = 0;
	console_input(CONSOLE_STATUS_KEY);
	assert_int_equal(fake_work_signalled, 0);
	assert_int_equal(vcon->rx_count, 2);
	char want[160];
	snprintf(want, sizeof(want), "status: page-table pool %zu/64 pages", pool.next);
	assert_non_null(strstr(fake_console, want));
	snprintf(want, sizeof(want), "status: partition %s running, boot 1, virtio-blk-a 0 request slots, "
		 "virtio-blk-b 0 request slots", p->cfg->name);
	if (!strstr(fake_console, want))
		print_message("%s\n", fake_console);
	assert_non_null(strstr(fake_console, want));
	console_input(CONSOLE_SWITCH_KEY);
	fake_work_signalled = 0;
	for (unsigned i = 0; i < PART_INPUT_RING + 44; i++)
		console_input('z');
	assert_int_equal(fake_work_signalled, 1u << 3);
	assert_int_equal(partitions[1].input.dropped, 44);
	fake_cpu = 3;
	assert_int_equal(workq_run_local(), 1);
	assert_int_equal(uart->rx_count, PART_INPUT_RING);
	assert_int_equal(vcon->rx_count, 2);
	fake_cpu = 0;

	/* Every device acknowledged by the "driver"; SYSTEM_RESET from vCPU 0
	 * (the only one running) resets each one. */
	for (unsigned i = 0; i < 7; i++) {
		wr(p, GUEST_VIRTIO_IPA(i) + 0x70, 1);
		assert_int_equal(rd(p, GUEST_VIRTIO_IPA(i) + 0x70), 1);
	}
	p->vcpu[0].state = VCPU_RUNNING;
	fake_halt_jmp = &jb;
	if (setjmp(jb) == 0) {
		uint64_t regs[4] = { 0x84000009, 0, 0, 0 }; /* PSCI SYSTEM_RESET */
		vcall_handle(&p->vcpu[0], regs);
		fail_msg("SYSTEM_RESET returned to the guest");
	}
	fake_halt_jmp = NULL;
	assert_int_equal(p->state, PART_RUNNING);
	assert_int_equal(p->boots, 2);
	for (unsigned i = 0; i < 7; i++)
		assert_int_equal(rd(p, GUEST_VIRTIO_IPA(i) + 0x70), 0);
	blk_backend_set(0, NULL);
}

/* The allocator: slots in order, a full map, overlaps and taken or
 * impossible interrupts refused. */
static void test_layout_allocator(void **state)
{
	static struct guest_layout l;
	(void)state;

	layout_init(&l, 4, 3);
	assert_int_equal(l.n, 2);
	assert_int_equal(layout_add_fixed(&l, 0, GUEST_UART_IPA, 0x1000, GUEST_UART_INTID), 2);
	/* On the UART's window, or with its interrupt: refused. */
	assert_int_equal(layout_add_fixed(&l, 1, GUEST_UART_IPA + 0x800, 0x1000, 60), -1);
	assert_int_equal(layout_add_fixed(&l, 1, 0x0c000000, 0x1000, GUEST_UART_INTID), -2);
	/* Inside the GIC's redistributors of 4 vCPUs. */
	assert_int_equal(layout_add_fixed(&l, 1, GUEST_GICR_IPA + 3 * GUEST_GICR_STRIDE, 0x1000, 0), -1);
	/* An interrupt the vGIC does not have. */
	assert_int_equal(layout_add_fixed(&l, 1, 0x0c000000, 0x1000, GUEST_INTID_END), -2);
	assert_int_equal(layout_add_fixed(&l, 1, 0x0c000000, 0x1000, 31), -2);
	/* A fixed window on slot 1: the allocator skips it. */
	assert_int_equal(layout_add_fixed(&l, 1, GUEST_VIRTIO_IPA(1), 0x200, 0), 3);
	int first = layout_add_virtio(&l, 2, 0x200);
	assert_int_equal(l.r[first].base, GUEST_VIRTIO_IPA(0));
	int second = layout_add_virtio(&l, 3, 0x200);
	assert_int_equal(l.r[second].base, GUEST_VIRTIO_IPA(2));
	assert_int_equal(l.r[second].intid, GUEST_VIRTIO_INTID(2));
	unsigned got = 2;
	while (layout_add_virtio(&l, 4, 0x200) >= 0)
		got++;
	assert_int_equal(got, GUEST_VIRTIO_SLOTS - 1);
	assert_int_equal(layout_add_virtio(&l, 5, 0x200), -1);
	assert_true(l.n <= LAYOUT_MAX_REGIONS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_of_every_device),
		cmocka_unit_test(test_one_more_refused),
		cmocka_unit_test(test_node_defined_twice),
		cmocka_unit_test(test_invalid_nodes_not_cross_checked),
		cmocka_unit_test(test_boot_every_device),
		cmocka_unit_test(test_layout_allocator),
	};
	return cmocka_run_group_tests_name("devices", tests, NULL, NULL);
}
