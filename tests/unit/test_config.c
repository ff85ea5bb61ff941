/* The partition-file parser (core/config.c) on good files, on one broken
 * file per defect (tests/configs/bad/), and on hostile blobs: every defect
 * is reported once, with its node path and property, and nothing crashes.
 * proves: PLATFORM-4, PLATFORM-3
 * The storage part (backends, disks, windows, the cross-partition overlap
 * check) proves: BLK-6, BLK-7
 * The network part (segments, uplinks, virtio-net nodes, MACs) proves:
 * NET-5, NET-6, NET-7, NET-8 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libfdt.h>
#include <hv/boot.h>
#include <hv/config.h>
#include <hv/vdev.h>
#include <vdev/virtio_blk.h>
#include <vdev/virtio_net.h>
#include "toolutil.h"

#define BAD_DIR "tests/configs/bad"
#define EXPECT_PREFIX "// expect: "
#define BIG_IMAGE_SIZE (80LL << 20) /* images/big.bin: more than a 64 MiB partition */

/* The guest images as the tests see them: see the brief in each bad file.
 * Files under tests/configs/ (the RAM disk images next to the bad files)
 * are real, and hvcheck finds them too: their real size. */
static int64_t test_blob_size(void *ctx, const char *name, void *head, size_t head_len)
{
	struct stat st;

	(void)ctx;
	if (head)
		memset(head, 0, head_len);
	if (strncmp(name, "tests/configs/", 14) == 0)
		return stat(name, &st) == 0 ? (int64_t)st.st_size : -1;
	if (strcmp(name, "images/big.bin") == 0)
		return BIG_IMAGE_SIZE;
	if (strstr(name, "missing"))
		return -1;
	return 4096;
}

static struct hv_config cfg;
static struct cfg_errors errs;

static void print_errors(const struct cfg_errors *e)
{
	unsigned n = e->count < CFG_MAX_ERRORS ? e->count : CFG_MAX_ERRORS;
	for (unsigned i = 0; i < n; i++)
		print_message("    error %u: %s\n", i, e->msg[i]);
}

static int parse_blob(const void *fdt, size_t size)
{
	struct platform_desc pd;

	platform_desc_get(&pd, NULL, 0);
	return config_parse(fdt, size, &pd, test_blob_size, NULL, &cfg, &errs);
}

static int parse_file(const char *path)
{
	size_t size = 0;
	void *fdt = load_partition_file(path, &size);
	int rc;

	if (!fdt)
		fail_msg("%s: could not load (dtc failed?)", path);
	rc = parse_blob(fdt, size);
	free(fdt);
	return rc;
}

/* Every message is NUL-terminated inside its slot and the count is capped. */
static void assert_errors_sane(int rc)
{
	assert_true(rc >= 0);
	assert_int_equal((unsigned)rc, errs.count);
	assert_true(errs.count <= CFG_MAX_ERRORS);
	for (unsigned i = 0; i < errs.count; i++)
		assert_non_null(memchr(errs.msg[i], 0, CFG_ERR_LEN));
}

/* ---- good files ---- */

static void assert_part(const struct part_config *pc, const char *name, uint8_t cpu,
			paddr_t base, uint64_t size, const char *kernel)
{
	assert_string_equal(pc->name, name);
	assert_int_equal(pc->ncpus, 1);
	assert_int_equal(pc->cpus[0], cpu);
	assert_int_equal(pc->nmem, 1);
	assert_int_equal(pc->mem[0].base, base);
	assert_int_equal(pc->mem[0].size, size);
	assert_string_equal(pc->kernel.name, kernel);
	assert_true(pc->kernel.present);
	assert_int_equal(pc->kernel.size, 4096);
	assert_false(pc->initrd.present);
	assert_int_equal(pc->entry_offset, 0);
	assert_string_equal(pc->bootargs, "");
	assert_int_equal(pc->console, CONSOLE_UART);
}

static void test_good_files(void **state)
{
	int rc;
	(void)state;

	rc = parse_file("tests/configs/good/hello-pair.dts");
	if (rc)
		print_errors(&errs);
	assert_int_equal(rc, 0);
	assert_int_equal(errs.count, 0);
	assert_int_equal(cfg.log_level, 2); /* info */
	assert_int_equal(cfg.nparts, 2);
	assert_part(&cfg.parts[0], "alpha", 1, 0x50000000, 0x4000000, "guests/hello.bin");
	assert_part(&cfg.parts[1], "beta", 2, 0x54000000, 0x4000000, "guests/hello.bin");

	rc = parse_file("tests/configs/good/two-guests.dts");
	if (rc)
		print_errors(&errs);
	assert_int_equal(rc, 0);
	assert_int_equal(errs.count, 0);
	assert_int_equal(cfg.log_level, 2);
	assert_int_equal(cfg.nparts, 2);
	assert_part(&cfg.parts[0], "victim", 1, 0x50000000, 0x4000000, "guests/hello.bin");
	assert_part(&cfg.parts[1], "attacker", 2, 0x54000000, 0x4000000, "guests/attack.bin");
}

/* A partition's devices of one type, in order (the device registry keeps
 * every kind in one list). */
static const struct dev_config *nth_dev(const struct part_config *pc, const struct vdev_type *t,
					unsigned n)
{
	for (unsigned i = 0; i < pc->ndevs; i++)
		if (pc->dev[i].type == t && n-- == 0)
			return &pc->dev[i];
	return NULL;
}

static unsigned ndisks(const struct part_config *pc)
{
	unsigned n = 0;
	while (nth_dev(pc, &virtio_blk_type, n))
		n++;
	return n;
}

/* The partition's virtio-net, or NULL. */
static const struct net_config *net_of(const struct part_config *pc)
{
	const struct dev_config *dc = nth_dev(pc, &virtio_net_type, 0);
	return dc ? VDEV_CFG(const struct net_config, dc) : NULL;
}

static void assert_disk(const struct part_config *pc, unsigned i, const char *name, uint32_t backend,
			bool whole, uint64_t start, uint64_t sectors, bool ro, bool reliable, bool shared)
{
	const struct dev_config *dc = nth_dev(pc, &virtio_blk_type, i);
	assert_non_null(dc);
	const struct disk_config *d = VDEV_CFG(const struct disk_config, dc);
	assert_string_equal(dc->name, name);
	assert_int_equal(d->backend, backend);
	assert_int_equal(d->whole, whole);
	if (!whole) {
		assert_int_equal(d->start, start);
		assert_int_equal(d->sectors, sectors);
	}
	assert_int_equal(d->read_only, ro);
	assert_int_equal(d->reliable, reliable);
	assert_int_equal(d->shared, shared);
}

/* Overlapping windows that are both shared, or both read-only, adjacent
 * windows, a whole disk read-only in two partitions: all accepted, and
 * parsed as written.
 * proves: BLK-6, BLK-7 */
static void test_good_storage(void **state)
{
	int rc;
	(void)state;

	rc = parse_file("tests/configs/good/blk-windows.dts");
	if (rc)
		print_errors(&errs);
	assert_int_equal(rc, 0);
	assert_int_equal(cfg.nbackends, 2);
	assert_string_equal(cfg.backend[0].name, "disk0");
	assert_int_equal(cfg.backend[0].kind, BACKEND_VIRTIO_BLK);
	assert_int_equal(cfg.backend[0].index, 0);
	assert_string_equal(cfg.backend[1].name, "disk1");
	assert_int_equal(cfg.backend[1].kind, BACKEND_VIRTIO_BLK);
	assert_int_equal(cfg.backend[1].index, 1);
	assert_int_equal(cfg.nparts, 2);
	assert_int_equal(ndisks(&cfg.parts[0]), 4);
	assert_int_equal(ndisks(&cfg.parts[1]), 4);
	assert_disk(&cfg.parts[0], 0, "virtio-blk", 0, false, 2048, 2048, false, true, true);
	assert_disk(&cfg.parts[0], 1, "virtio-blk-ro", 0, false, 8192, 4096, true, false, false);
	assert_disk(&cfg.parts[0], 2, "virtio-blk-own", 0, false, 16384, 1024, false, false, false);
	assert_disk(&cfg.parts[0], 3, "virtio-blk-whole", 1, true, 0, 0, true, false, false);
	assert_disk(&cfg.parts[1], 0, "virtio-blk", 0, false, 3072, 2048, false, false, true);
	assert_disk(&cfg.parts[1], 1, "virtio-blk-ro", 0, false, 10240, 4096, true, false, false);
	assert_disk(&cfg.parts[1], 2, "virtio-blk-own", 0, false, 17408, 1024, false, false, false);
	assert_disk(&cfg.parts[1], 3, "virtio-blk-whole", 1, true, 0, 0, true, false, false);

	/* The storage test files the system tests boot. */
	rc = parse_file("tests/configs/good/linux-blk.dts");
	if (rc)
		print_errors(&errs);
	assert_int_equal(rc, 0);
	rc = parse_file("tests/configs/good/blk-hostile.dts");
	if (rc)
		print_errors(&errs);
	assert_int_equal(rc, 0);
}

/* ---- one broken file per defect ---- */

struct bad_case {
	const char *file;
	const char *expect; /* a substring of the one error message */
};

static const struct bad_case bad_cases[] = {
	{ "01-cpu-two-partitions.dts",
	  "/partitions/beta: cpus: CPU 1 already belongs to /partitions/alpha" },
	{ "02-cpu-listed-twice.dts", "/partitions/alpha: cpus: CPU 1 listed twice" },
	{ "03-cpu-nonexistent.dts",
	  "/partitions/alpha: cpus: CPU 7 does not exist (the board has 4)" },
	{ "04-mem-overlap-partition.dts",
	  "/partitions/beta: memory: range [0x52000000, +0x4000000) overlaps /partitions/alpha" },
	{ "05-mem-overlap-hypervisor.dts",
	  "/partitions/alpha: memory: range [0x4f000000, +0x4000000) overlaps the hypervisor's memory" },
	{ "06-mem-outside-ram.dts",
	  "/partitions/alpha: memory: range [0x100000000, +0x4000000) is outside RAM" },
	{ "07-mem-unaligned.dts",
	  "/partitions/alpha: memory: range [0x50000800, +0x4000000) is not 4 KiB aligned" },
	{ "08-mem-three-cells.dts",
	  "/partitions/alpha: memory: length 12 is not a non-empty list of <base size> pairs" },
	{ "09-mem-size-zero.dts", "/partitions/alpha: memory: range 0 has size 0" },
	{ "10-missing-cpus.dts", "/partitions/alpha: cpus: missing" },
	{ "11-missing-memory.dts", "/partitions/alpha: memory: missing" },
	{ "12-missing-kernel.dts", "/partitions/alpha: kernel: missing" },
	{ "13-kernel-not-found.dts",
	  "/partitions/alpha: kernel: image 'guests/missing.bin' not found" },
	{ "14-kernel-too-big.dts",
	  "/partitions/alpha: kernel: image 'images/big.bin' (83886080 bytes) does not fit in memory range 0" },
	{ "15-unknown-property.dts", "/partitions/alpha: colour: unknown property" },
	{ "16-unknown-node-partition.dts", "/partitions/alpha/extra: unknown node" },
	{ "17-unknown-node-root.dts", "/extra: unknown node" },
	{ "18-console-invalid.dts", "/partitions/alpha: console: 'serial' is not one of uart, virtio, none" },
	{ "19-wrong-compatible.dts",
	  "/: compatible: 'bulkhead,partition-file-v2' is not \"bulkhead,partition-file-v1\"" },
	{ "20-address-cells.dts", "/: #address-cells: must be <2>" },
	{ "21-log-level-invalid.dts",
	  "/hypervisor: log-level: 'verbose' is not one of error, warn, info, debug" },
	{ "22-missing-partitions.dts", "/: partitions: node missing" },
	{ "23-no-partition.dts", "/partitions: no partition defined" },
	{ "24-bootargs-too-long.dts", "/partitions/alpha: bootargs: longer than 511 bytes" },
	{ "25-kernel-offset-unaligned.dts", "/partitions/alpha: kernel-offset: must be 4 KiB aligned" },
	{ "26-size-cells.dts", "/: #size-cells: must be <2>" },
	{ "27-mem-too-many-ranges.dts", "/partitions/alpha: memory: more than 4 ranges" },
	{ "28-mem-overlap-self.dts",
	  "/partitions/alpha: memory: range 1 overlaps range 0 of the same partition" },
	{ "29-partition-name-at.dts",
	  "/partitions/alpha@1: partition name must be at most 31 characters, without '@'" },
	{ "30-partition-name-long.dts",
	  "/partitions/the-name-of-this-partition-is-32: partition name must be at most 31 characters" },
	{ "31-initrd-not-found.dts",
	  "/partitions/alpha: initrd: image 'guests/missing-initrd.bin' not found" },
	{ "32-kernel-offset-one-cell.dts",
	  "/partitions/alpha: kernel-offset: must be 2 cells (a 64-bit offset), got 4 bytes" },
	/* The image size sits mid-message and differs between this test and
	 * the real guest (tests/host/test_hvcheck.sh), so stop before it. */
	{ "33-kernel-offset-past-memory.dts", "/partitions/alpha: kernel: image 'guests/hello.bin' (" },
	{ "34-cpus-empty.dts",
	  "/partitions/alpha: cpus: length 0 is not a non-empty list of 1-cell CPU numbers" },
	{ "35-console-not-string.dts", "/partitions/alpha: console: must be a single string" },
	{ "36-unknown-root-property.dts", "/: serial-number: unknown property" },
	{ "37-unknown-hypervisor-property.dts", "/hypervisor: heap-size: unknown property" },
	/* Storage (BLK-6, BLK-7). */
	{ "38-storage-unknown-type.dts", "/storage/disk0: type: 'nvme' is not one of virtio-blk, ram" },
	{ "39-storage-ram-no-image.dts", "/storage/ram0: image: missing" },
	{ "40-storage-ram-image-odd-size.dts",
	  "/storage/ram0: image: image 'tests/configs/bad/ram-1000-bytes.img' (1000 bytes) is not a "
	  "non-empty multiple of 512 bytes" },
	{ "41-disk-backend-missing.dts",
	  "/partitions/alpha/virtio-blk: backend: 'disk9' is not a node of /storage" },
	{ "42-disk-window-length.dts",
	  "/partitions/alpha/virtio-blk: window: must be <first-sector sectors>, 2 cells each, got 8 bytes" },
	{ "43-disk-window-empty.dts", "/partitions/alpha/virtio-blk: window: empty or wrapping window" },
	{ "44-disk-window-past-ram.dts",
	  "/partitions/alpha/virtio-blk: window: sectors [4, +8) go past the end of backend ram0 (8 sectors)" },
	{ "45-disk-write-policy-invalid.dts",
	  "/partitions/alpha/virtio-blk: write-policy: 'writeback' is not one of reliable, normal" },
	{ "46-disk-read-only-value.dts", "/partitions/alpha/virtio-blk: read-only: must be empty (a flag)" },
	{ "47-disk-overlap-read-write.dts",
	  "/partitions/beta/virtio-blk-data: window: overlaps /partitions/alpha/virtio-blk on backend "
	  "disk0, and one of them can write (mark both shared to allow it)" },
	{ "48-disk-too-many.dts", "/partitions/alpha/virtio-blk-e: more than 4 disks in one partition" },
	{ "49-storage-index-twice.dts", "/storage/disk1: index: physical virtio-blk 1 is already backend disk0" },
	{ "50-disk-whole-overlaps-window.dts",
	  "/partitions/beta/virtio-blk: window: overlaps /partitions/alpha/virtio-blk on backend disk0, "
	  "and one of them can write (mark both shared to allow it)" },
	{ "51-storage-ram-image-is-initrd.dts",
	  "/storage/ram0: image: 'tests/configs/bad/ram-4096-bytes.img' is also the initrd of "
	  "/partitions/alpha" },
	/* Network (NET-5..NET-8). */
	{ "52-net-segment-missing.dts", "/partitions/alpha/virtio-net: segment: missing" },
	{ "53-net-segment-unknown.dts",
	  "/partitions/alpha/virtio-net: segment: 'wan' is not a node of /network" },
	{ "54-net-mac-length.dts", "/partitions/alpha/virtio-net: mac-address: must be 6 bytes, got 5" },
	{ "55-net-mac-multicast.dts",
	  "/partitions/alpha/virtio-net: mac-address: must be a unicast address, not zero" },
	{ "56-net-mac-zero.dts",
	  "/partitions/alpha/virtio-net: mac-address: must be a unicast address, not zero" },
	{ "57-net-mtu-range.dts", "/partitions/alpha/virtio-net: mtu: must be 1 cell from 68 to 1500" },
	{ "58-net-mac-change-invalid.dts",
	  "/partitions/alpha/virtio-net: mac-change: 'sometimes' is not one of allow, deny" },
	{ "59-net-two-devices.dts",
	  "/partitions/alpha/virtio-net@1: a partition has at most one virtio-net" },
	{ "60-net-mac-duplicate.dts",
	  "/partitions/beta/virtio-net: mac-address: the same as /partitions/alpha's on segment lan" },
	{ "61-network-uplink-twice.dts",
	  "/network/dmz: uplink: physical virtio-net 0 is already the uplink of lan" },
	{ "62-network-unknown-property.dts", "/network/lan: vlan: unknown property" },
	/* Every node checked, and what boot used to refuse only when it built
	 * the partition (PLATFORM-4). */
	{ "63-root-node-unit-address.dts", "/partitions@1: a top-level node has no unit address" },
	{ "64-rng-twice.dts", "/partitions/alpha/virtio-rng@1: a partition has at most one virtio-rng" },
	{ "65-images-do-not-fit.dts",
	  "/partitions/alpha: kernel: kernel (4096 bytes in memory at offset 0x3ff8000), device tree "
	  "(65536 bytes) do not fit in memory range 0 (67108864 bytes)" },
	{ "66-disk-slots.dts",
	  "/partitions/gamma/virtio-blk: backend: disk0 has no request slots left for another disk" },
	{ "67-initrd-does-not-fit.dts",
	  "/partitions/alpha: initrd: kernel (4096 bytes in memory at offset 0x0), initrd and device "
	  "tree (65536 bytes) do not fit in memory range 0 (67108864 bytes)" },
	/* virtio-iommu endpoints: only the partition's own DMA devices, each
	 * named once (IOMMU-1). */
	{ "100-iommu-endpoint-unknown.dts",
	  "/partitions/alpha/virtio-iommu: endpoints: virtio-gpu: no such device in partition alpha" },
	{ "101-iommu-endpoint-other-partition.dts",
	  "/partitions/alpha/virtio-iommu: endpoints: virtio-net: no such device in partition alpha" },
	{ "102-iommu-endpoint-not-dma.dts",
	  "/partitions/alpha/virtio-iommu: endpoints: virtio-iommu: not a device whose DMA an IOMMU can govern" },
	{ "103-iommu-endpoint-twice.dts",
	  "/partitions/alpha/virtio-iommu: endpoints: virtio-rng: named twice" },
	{ "104-iommu-endpoints-empty-name.dts",
	  "/partitions/alpha/virtio-iommu: endpoints: an empty name in the list" },
	{ "105-iommu-endpoints-not-strings.dts",
	  "/partitions/alpha/virtio-iommu: endpoints: must be a list of device node names" },
	{ "106-iommu-endpoints-empty.dts",
	  "/partitions/alpha/virtio-iommu: endpoints: must be a list of device node names" },
	{ "107-iommu-twice.dts",
	  "/partitions/alpha/virtio-iommu@1: a partition has at most one virtio-iommu" },
	{ "108-iommu-unknown-property.dts",
	  "/partitions/alpha/virtio-iommu: bypass: unknown property" },
	/* /sensors and virtio-scmi (SENS-1, SENS-3). */
	{ "109-sensor-reg-missing.dts",
	  "/sensors/coolant: reg: missing" },
	{ "110-sensor-reg-unaligned.dts",
	  "/sensors/coolant: reg: 0xbffff002 is not 4-byte aligned" },
	{ "111-sensor-type-unknown.dts",
	  "/sensors/coolant: type: 'humidity' is not one of temperature, voltage, current, power" },
	{ "112-sensor-in-partition.dts",
	  "/sensors/coolant: reg: 0x50001000 is in the memory of /partitions/alpha" },
	{ "113-sensor-in-hypervisor.dts",
	  "/sensors/coolant: reg: 0x40001000 is in the hypervisor's memory" },
	{ "114-sensor-name-long.dts",
	  "/sensors/coolant-temperature: a sensor's name has at most 15 characters" },
	{ "115-scmi-sensor-unknown.dts",
	  "/partitions/alpha/virtio-scmi: sensors: 'fuel' is not a node of /sensors" },
	{ "116-scmi-sensors-missing.dts",
	  "/partitions/alpha/virtio-scmi: sensors: missing" },
	{ "117-scmi-sensor-twice.dts",
	  "/partitions/alpha/virtio-scmi: sensors: coolant: named twice" },
	{ "118-scmi-twice.dts",
	  "/partitions/alpha/virtio-scmi@1: a partition has at most one virtio-scmi" },
	{ "119-sensor-unknown-property.dts",
	  "/sensors/coolant: scale: unknown property" },
	{ "120-sensor-format-type.dts",
	  "/sensors/coolant: format: a SYSMON temperature is a temperature" },
	{ "121-sensor-unmapped.dts",
	  "/sensors/coolant: reg: 0x100000000 is neither in RAM nor in the board's device window" },
	{ "122-display-type.dts",
	  "/display: type: 'hdmi' is not one of ramfb" },
	{ "123-display-mode-small.dts",
	  "/display: mode: 8x480: width 16..8192, height 16..8192" },
	{ "124-display-no-mode.dts",
	  "/display: mode: missing" },
	{ "125-display-unknown-property.dts",
	  "/display: refresh: unknown property" },
	{ "126-gpu-no-mode.dts",
	  "/partitions/alpha/virtio-gpu: mode: missing" },
	{ "127-gpu-mode-huge.dts",
	  "/partitions/alpha/virtio-gpu: mode: 9000x100: not a mode an EDID describes (16..8192 x 16..8192)" },
	{ "128-gpu-no-memory.dts",
	  "/partitions/alpha/virtio-gpu: memory: missing" },
	{ "129-gpu-memory-small.dts",
	  "/partitions/alpha/virtio-gpu: memory: 0x1000: from 0x10000 to CONFIG_GPU_POOL_SIZE (0x2000000)" },
	{ "130-gpu-outside-display.dts",
	  "/partitions/alpha/virtio-gpu: position: a 320x240 window at (400, 300) is not inside the 640x480 display" },
	{ "131-gpu-position-no-display.dts",
	  "/partitions/alpha/virtio-gpu: position: there is no /display to place it on" },
	{ "132-gpu-no-z-order.dts",
	  "/partitions/alpha/virtio-gpu: z-order: missing (its window on /display)" },
	{ "133-gpu-same-z-order.dts",
	  "/partitions/beta/virtio-gpu: z-order: 1: another partition's window has it" },
	{ "134-gpu-pool-spent.dts",
	  "/partitions/alpha/virtio-gpu: memory: the display, the windows and the budgets need 0x21c2000 bytes; CONFIG_GPU_POOL_SIZE is 0x2000000" },
	{ "135-gpu-blob-value.dts",
	  "/partitions/alpha/virtio-gpu: blob: 'maybe' is not one of off, on" },
	{ "136-gpu-twice.dts",
	  "/partitions/alpha/virtio-gpu@1: a partition has at most one virtio-gpu" },
	{ "137-gpu-unknown-property.dts",
	  "/partitions/alpha/virtio-gpu: gles: unknown property" },
	{ "138-gpu-virgl-limits-without-virgl.dts",
	  "/partitions/alpha/virtio-gpu: virgl-contexts: only with virgl = \"on\"" },
	{ "139-gpu-virgl-without-limits.dts",
	  "/partitions/alpha/virtio-gpu: virgl-memory: missing (with virgl = \"on\")" },
	{ "140-gpu-virgl-too-many-contexts.dts",
	  "/partitions/alpha/virtio-gpu: virgl-contexts: 17: from 1 to 16" },
	{ "141-gpu-virgl-bad-switch.dts",
	  "/partitions/alpha/virtio-gpu: virgl: 'yes' is not one of off, on" },
};
#define N_BAD ARRAY_SIZE(bad_cases)

static void test_bad_file(void **state)
{
	const struct bad_case *bc = *state;
	char path[256], *text, *nl;
	size_t size;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", BAD_DIR, bc->file);

	/* The file's own "// expect:" line must say what the table says. */
	text = read_file(path, &size);
	assert_non_null(text);
	text[size] = 0; /* read_file leaves room for it */
	nl = strchr(text, '\n');
	assert_non_null(nl);
	*nl = 0;
	if (strncmp(text, EXPECT_PREFIX, strlen(EXPECT_PREFIX)) != 0 ||
	    strcmp(text + strlen(EXPECT_PREFIX), bc->expect) != 0)
		fail_msg("%s: first line\n  %s\ndoes not match the table entry\n  " EXPECT_PREFIX "%s",
			 path, text, bc->expect);
	free(text);

	/* The expected text names a node path (and, where there is one, the
	 * property): it is an "<path>: ..." message. */
	assert_int_equal(bc->expect[0], '/');
	assert_non_null(strstr(bc->expect, ": "));

	rc = parse_file(path);
	assert_errors_sane(rc);
	if (rc != 1 || !strstr(errs.msg[0], bc->expect)) {
		print_message("  %s: want exactly one error containing\n    %s\n  got %d:\n", path,
			      bc->expect, rc);
		print_errors(&errs);
		fail();
	}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Every .dts in the directory has a table entry (so a new file cannot go
 * untested), every table entry has its file, and no entry is listed twice. */
static void test_bad_dir_matches_table(void **state)
{
	bool seen[N_BAD] = { false };
	unsigned files = 0;
	struct dirent *de;
	DIR *d;
	(void)state;

	assert_true(N_BAD >= 16);
	for (size_t i = 0; i < N_BAD; i++)
		for (size_t j = i + 1; j < N_BAD; j++)
			assert_string_not_equal(bad_cases[i].file, bad_cases[j].file);

	d = opendir(BAD_DIR);
	if (!d)
		fail_msg("cannot open %s (run from the repository root)", BAD_DIR);
	while ((de = readdir(d))) {
		size_t i;
		if (!ends_with(de->d_name, ".dts"))
			continue;
		/* Passthrough files need a board tree: tests/host/test_hvcheck.sh
		 * checks each against QEMU's or tests/configs/boards/'s. */
		if (strstr(de->d_name, "-pt-"))
			continue;
		files++;
		for (i = 0; i < N_BAD; i++)
			if (strcmp(de->d_name, bad_cases[i].file) == 0)
				break;
		if (i == N_BAD) {
			closedir(d);
			fail_msg("%s/%s has no entry in bad_cases[] of %s", BAD_DIR, de->d_name, __FILE__);
		}
		seen[i] = true;
	}
	closedir(d);
	for (size_t i = 0; i < N_BAD; i++)
		if (!seen[i])
			fail_msg("bad_cases[] lists %s, which is not in %s", bad_cases[i].file, BAD_DIR);
	assert_int_equal(files, N_BAD);
}

/* ---- hostile blobs ---- */

static void *demo_dtb(size_t *size)
{
	void *fdt = load_partition_file("tests/configs/good/hello-pair.dts", size);
	assert_non_null(fdt);
	assert_true(*size > sizeof(struct fdt_header));
	return fdt;
}

static void assert_invalid_blob(int rc)
{
	assert_errors_sane(rc);
	assert_true(rc > 0);
	assert_string_equal(errs.msg[0], "/: not a valid device tree blob");
}

/* A copy in a buffer of exactly len bytes, so reading past it is caught by
 * sanitizers and valgrind. */
static void *exact_copy(const void *src, size_t len)
{
	void *p = malloc(len ? len : 1);
	assert_non_null(p);
	memcpy(p, src, len);
	return p;
}

static void test_truncated_dtb(void **state)
{
	size_t size;
	void *fdt = demo_dtb(&size), *half = exact_copy(fdt, size / 2);
	(void)state;

	assert_int_equal(parse_blob(fdt, size), 0);
	assert_invalid_blob(parse_blob(half, size / 2));
	/* One byte short is still too short. */
	free(half);
	half = exact_copy(fdt, size - 1);
	assert_invalid_blob(parse_blob(half, size - 1));
	free(half);
	free(fdt);
}

static void test_totalsize_beyond_buffer(void **state)
{
	size_t size;
	void *fdt = demo_dtb(&size);
	(void)state;

	fdt_set_totalsize(fdt, (uint32_t)size + 4096);
	assert_invalid_blob(parse_blob(fdt, size));
	fdt_set_totalsize(fdt, 0xffffffffu);
	assert_invalid_blob(parse_blob(fdt, size));
	free(fdt);
}

static void test_random_bytes(void **state)
{
	static uint8_t buf[4096];
	(void)state;

	srand(1234);
	for (int round = 0; round < 64; round++) {
		size_t len = (size_t)rand() % sizeof(buf);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rand();
		void *copy = exact_copy(buf, len);
		assert_invalid_blob(parse_blob(copy, len));
		free(copy);
	}
}

static void test_zero_length(void **state)
{
	size_t size;
	void *fdt = demo_dtb(&size);
	(void)state;

	assert_invalid_blob(parse_blob(fdt, 0));
	assert_invalid_blob(parse_blob(NULL, 0));
	assert_invalid_blob(parse_blob(fdt, sizeof(struct fdt_header) - 1));
	free(fdt);
}

/* A valid blob with bytes flipped at random: whatever the parser makes of
 * it, it must not crash, and its error list must stay well formed. */
static void test_mutated_dtb(void **state)
{
	size_t size;
	void *fdt = demo_dtb(&size);
	(void)state;

	srand(42);
	for (int round = 0; round < 2000; round++) {
		uint8_t *m = exact_copy(fdt, size);
		int flips = 1 + rand() % 4;
		for (int i = 0; i < flips; i++) {
			/* Mostly past the header, where the structure block is. */
			size_t at = sizeof(struct fdt_header) +
				    (size_t)rand() % (size - sizeof(struct fdt_header));
			m[at] = (uint8_t)rand();
		}
		assert_errors_sane(parse_blob(m, size));
		free(m);
	}
	free(fdt);
}

/* ---- blobs built with libfdt's sequential-write API ---- */

#define BUILD_CAP 65536

static void chk(int err)
{
	if (err)
		fail_msg("libfdt: %s", fdt_strerror(err));
}

static void begin_root(void *fdt, bool header_props)
{
	chk(fdt_create(fdt, BUILD_CAP));
	chk(fdt_finish_reservemap(fdt));
	chk(fdt_begin_node(fdt, ""));
	if (header_props) {
		chk(fdt_property_string(fdt, "compatible", "bulkhead,partition-file-v1"));
		chk(fdt_property_u32(fdt, "#address-cells", 2));
		chk(fdt_property_u32(fdt, "#size-cells", 2));
	}
}

static void add_partition(void *fdt, const char *name, const uint32_t *cpus, int ncpus,
			  uint64_t base, uint64_t size)
{
	fdt32_t c[16], mem[4] = { cpu_to_fdt32((uint32_t)(base >> 32)), cpu_to_fdt32((uint32_t)base),
				  cpu_to_fdt32((uint32_t)(size >> 32)), cpu_to_fdt32((uint32_t)size) };

	assert_true(ncpus <= 16);
	for (int i = 0; i < ncpus; i++)
		c[i] = cpu_to_fdt32(cpus[i]);
	chk(fdt_begin_node(fdt, name));
	chk(fdt_property(fdt, "cpus", c, ncpus * 4));
	chk(fdt_property(fdt, "memory", mem, sizeof(mem)));
	chk(fdt_property_string(fdt, "kernel", "guests/hello.bin"));
	chk(fdt_end_node(fdt));
}

static void finish(void *fdt)
{
	chk(fdt_end_node(fdt));
	chk(fdt_finish(fdt));
}

/* Errors are capped at CFG_MAX_ERRORS, never written past the array. */
struct guarded_errors {
	struct cfg_errors e;
	uint8_t guard[256];
};

static int parse_guarded(const void *fdt, struct guarded_errors *g)
{
	struct platform_desc pd;
	int rc;

	memset(g->guard, 0x5a, sizeof(g->guard));
	platform_desc_get(&pd, NULL, 0);
	rc = config_parse(fdt, fdt_totalsize(fdt), &pd, test_blob_size, NULL, &cfg, &g->e);
	for (size_t i = 0; i < sizeof(g->guard); i++)
		assert_int_equal(g->guard[i], 0x5a);
	assert_true(rc >= 0);
	assert_int_equal((unsigned)rc, g->e.count);
	for (unsigned i = 0; i < g->e.count && i < CFG_MAX_ERRORS; i++)
		assert_non_null(memchr(g->e.msg[i], 0, CFG_ERR_LEN));
	return rc;
}

/* 9 partitions, each asking for 5 CPUs that do not exist: 8 * 5 = 40 CPU
 * errors and "more than 8 partitions", 41 problems in all; the 32 kept are
 * p0..p5's 30 and the first 2 of p6. */
static void test_many_errors_capped(void **state)
{
	static const uint32_t bad_cpus[] = { 4, 5, 6, 7, 100 };
	static struct guarded_errors g;
	void *fdt = calloc(1, BUILD_CAP);
	char name[16];
	int rc;
	(void)state;

	assert_non_null(fdt);
	begin_root(fdt, true);
	chk(fdt_begin_node(fdt, "partitions"));
	for (int i = 0; i < 9; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		add_partition(fdt, name, bad_cpus, 5, 0x50000000 + (uint64_t)i * 0x1000000, 0x1000000);
	}
	chk(fdt_end_node(fdt));
	finish(fdt);

	rc = parse_guarded(fdt, &g);
	assert_int_equal(rc, CFG_MAX_ERRORS);
	assert_string_equal(g.e.msg[0], "/partitions/p0: cpus: CPU 4 does not exist (the board has 4)");
	assert_string_equal(g.e.msg[CFG_MAX_ERRORS - 1],
			    "/partitions/p6: cpus: CPU 5 does not exist (the board has 4)");
	free(fdt);
}

/* 40 unknown properties at the root and no /partitions: the early return
 * for the missing node must cap the count too. */
static void test_many_errors_capped_no_partitions(void **state)
{
	static struct guarded_errors g;
	void *fdt = calloc(1, BUILD_CAP);
	char name[16];
	int rc;
	(void)state;

	assert_non_null(fdt);
	begin_root(fdt, true);
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "junk-%02d", i);
		chk(fdt_property_u32(fdt, name, (uint32_t)i));
	}
	finish(fdt);

	rc = parse_guarded(fdt, &g);
	assert_int_equal(rc, CFG_MAX_ERRORS);
	assert_string_equal(g.e.msg[0], "/: junk-00: unknown property");
	free(fdt);
}

/* Two sibling nodes with the same name cannot be written in a .dts (dtc
 * refuses), but a hand-made blob can hold them. */
static void test_duplicate_partition_name(void **state)
{
	static struct guarded_errors g;
	void *fdt = calloc(1, BUILD_CAP);
	int rc;
	(void)state;

	assert_non_null(fdt);
	begin_root(fdt, true);
	chk(fdt_begin_node(fdt, "partitions"));
	add_partition(fdt, "alpha", (const uint32_t[]){ 1 }, 1, 0x50000000, 0x4000000);
	add_partition(fdt, "alpha", (const uint32_t[]){ 2 }, 1, 0x54000000, 0x4000000);
	chk(fdt_end_node(fdt));
	finish(fdt);

	rc = parse_guarded(fdt, &g);
	if (rc != 1)
		print_errors(&g.e);
	assert_int_equal(rc, 1);
	assert_string_equal(g.e.msg[0], "/partitions/alpha: partition name used twice");
	free(fdt);
}

/* A node path longer than CFG_PATH_MAX: the message must still name the
 * node, not "/". */
static void test_long_node_path(void **state)
{
	static struct guarded_errors g;
	void *fdt = calloc(1, BUILD_CAP);
	char name[128];
	int rc;
	(void)state;

	memset(name, 'x', 100);
	name[100] = 0;
	assert_non_null(fdt);
	begin_root(fdt, true);
	chk(fdt_begin_node(fdt, "partitions"));
	add_partition(fdt, name, (const uint32_t[]){ 1 }, 1, 0x50000000, 0x4000000);
	chk(fdt_end_node(fdt));
	finish(fdt);

	rc = parse_guarded(fdt, &g);
	if (rc != 1)
		print_errors(&g.e);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(g.e.msg[0], "xxxxxxxx"));
	assert_non_null(strstr(g.e.msg[0], ": partition name must be at most 31 characters"));
	free(fdt);
}

/* ---- storage: windows of two partitions on one backend ---- */

/* One disk: no backend = no disk; no window = the whole backend. */
struct dspec {
	const char *backend;
	bool window;
	uint64_t start, sectors;
	bool ro, shared;
};

static void add_disk(void *fdt, const char *node, const struct dspec *d)
{
	if (!d->backend)
		return;
	chk(fdt_begin_node(fdt, node));
	chk(fdt_property_string(fdt, "backend", d->backend));
	if (d->window) {
		fdt64_t w[2] = { cpu_to_fdt64(d->start), cpu_to_fdt64(d->sectors) };
		chk(fdt_property(fdt, "window", w, sizeof(w)));
	}
	if (d->ro)
		chk(fdt_property(fdt, "read-only", NULL, 0));
	if (d->shared)
		chk(fdt_property(fdt, "shared", NULL, 0));
	chk(fdt_end_node(fdt));
}

static void add_backend(void *fdt, const char *name, const char *type, int index, const char *image)
{
	chk(fdt_begin_node(fdt, name));
	chk(fdt_property_string(fdt, "type", type));
	if (index >= 0)
		chk(fdt_property_u32(fdt, "index", (uint32_t)index));
	if (image)
		chk(fdt_property_string(fdt, "image", image));
	chk(fdt_end_node(fdt));
}

static void begin_part(void *fdt, const char *name, uint32_t cpu, uint64_t base)
{
	fdt32_t c = cpu_to_fdt32(cpu),
		mem[4] = { cpu_to_fdt32((uint32_t)(base >> 32)), cpu_to_fdt32((uint32_t)base), 0,
			   cpu_to_fdt32(0x4000000) };
	chk(fdt_begin_node(fdt, name));
	chk(fdt_property(fdt, "cpus", &c, 4));
	chk(fdt_property(fdt, "memory", mem, sizeof(mem)));
	chk(fdt_property_string(fdt, "kernel", "guests/hello.bin"));
}

/* Backends disk0, disk1 (physical, size unknown to the checker) and ram0
 * (8 sectors: images/disk.img is 4096 bytes here); alpha has disks a1 and
 * a2 (virtio-blk, virtio-blk-2), beta has b. */
static int parse_storage(const struct dspec *a1, const struct dspec *a2, const struct dspec *b,
			 struct guarded_errors *g)
{
	void *fdt = calloc(1, BUILD_CAP);
	int rc;

	assert_non_null(fdt);
	begin_root(fdt, true);
	chk(fdt_begin_node(fdt, "storage"));
	add_backend(fdt, "disk0", "virtio-blk", -1, NULL);
	add_backend(fdt, "disk1", "virtio-blk", 1, NULL);
	add_backend(fdt, "ram0", "ram", -1, "images/disk.img");
	chk(fdt_end_node(fdt));
	chk(fdt_begin_node(fdt, "partitions"));
	begin_part(fdt, "alpha", 1, 0x50000000);
	add_disk(fdt, "virtio-blk", a1);
	add_disk(fdt, "virtio-blk-2", a2);
	chk(fdt_end_node(fdt));
	begin_part(fdt, "beta", 2, 0x54000000);
	add_disk(fdt, "virtio-blk", b);
	chk(fdt_end_node(fdt));
	chk(fdt_end_node(fdt));
	finish(fdt);
	rc = parse_guarded(fdt, g);
	free(fdt);
	return rc;
}

struct overlap_case {
	struct dspec a, b;
	bool ok;
};

/* Two partitions may share sectors of a backend only when neither can
 * write, or when both say shared; a whole disk overlaps every window on
 * it. A refusal names both disks.
 * proves: BLK-6 */
static void test_storage_overlaps(void **state)
{
#define W(be, s, n, ro, sh) { be, true, s, n, ro, sh }
#define WHOLE(be, ro, sh) { be, false, 0, 0, ro, sh }
	static const struct overlap_case cases[] = {
		{ W("disk0", 0, 8, false, false), W("disk0", 8, 8, false, false), true },   /* adjacent */
		{ W("disk0", 8, 8, false, false), W("disk0", 0, 8, false, false), true },
		{ W("disk0", 0, 8, false, false), W("disk0", 7, 8, false, false), false },  /* one sector */
		{ W("disk0", 7, 8, false, false), W("disk0", 0, 8, false, false), false },
		{ W("disk0", 0, 100, false, false), W("disk0", 50, 1, false, false), false }, /* inside */
		{ W("disk0", 0, 8, false, true), W("disk0", 4, 8, false, true), true },     /* both shared */
		{ W("disk0", 0, 8, false, true), W("disk0", 4, 8, false, false), false },   /* one shared */
		{ W("disk0", 0, 8, false, false), W("disk0", 4, 8, false, true), false },
		{ W("disk0", 0, 8, true, false), W("disk0", 4, 8, true, false), true },     /* both read-only */
		{ W("disk0", 0, 8, true, false), W("disk0", 4, 8, false, false), false },   /* one writes */
		{ W("disk0", 0, 8, false, false), W("disk0", 4, 8, true, false), false },
		{ W("disk0", 0, 8, true, true), W("disk0", 4, 8, false, true), true },      /* shared, one ro */
		{ WHOLE("disk0", false, false), W("disk0", 1000000, 8, false, false), false },
		{ W("disk0", 1000000, 8, false, false), WHOLE("disk0", false, false), false },
		{ WHOLE("disk0", true, false), W("disk0", 0, 8, false, false), false },
		{ WHOLE("disk0", true, false), W("disk0", 0, 8, true, false), true },
		{ WHOLE("disk0", false, false), WHOLE("disk0", false, false), false },
		{ WHOLE("disk0", true, false), WHOLE("disk0", true, false), true },
		{ WHOLE("disk0", false, true), W("disk0", 0, 8, false, true), true },
		{ W("disk0", 0, 8, false, false), W("disk1", 0, 8, false, false), true },   /* other backend */
		{ WHOLE("disk0", false, false), WHOLE("disk1", false, false), true },
		{ WHOLE("ram0", false, false), W("ram0", 0, 8, false, false), false },
		{ W("ram0", 0, 4, false, false), W("ram0", 4, 4, false, false), true },
		{ W("ram0", 0, 5, false, false), W("ram0", 4, 4, false, false), false },
	};
#undef W
#undef WHOLE
	static struct guarded_errors g;
	const struct dspec none = { 0 };
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc = parse_storage(&cases[i].a, &none, &cases[i].b, &g);
		if (rc != (cases[i].ok ? 0 : 1)) {
			print_message("  case %zu: want %s, got %d error(s)\n", i,
				      cases[i].ok ? "none" : "one", rc);
			print_errors(&g.e);
			fail();
		}
		if (!cases[i].ok) {
			static const char want[] = "/partitions/beta/virtio-blk: window: overlaps "
						   "/partitions/alpha/virtio-blk on backend ";
			const char *m = g.e.msg[0];
			if (strncmp(m, want, strlen(want)) != 0) {
				print_message("  case %zu: %s\n", i, m);
				fail();
			}
		}
	}

	/* Within one partition, overlapping disks are the partition's own affair. */
	const struct dspec a1 = { "disk0", true, 0, 8, false, false }, a2 = { "disk0", true, 4, 8, false, false },
			   b = { "disk0", true, 100, 8, false, false };
	assert_int_equal(parse_storage(&a1, &a2, &b, &g), 0);
	assert_int_equal(ndisks(&cfg.parts[0]), 2);
	/* Beta overlapping both of alpha's: one error for each, each naming its pair. */
	const struct dspec b2 = { "disk0", true, 6, 8, false, false };
	assert_int_equal(parse_storage(&a1, &a2, &b2, &g), 2);
	assert_non_null(strstr(g.e.msg[0], "overlaps /partitions/alpha/virtio-blk on"));
	assert_non_null(strstr(g.e.msg[1], "overlaps /partitions/alpha/virtio-blk-2 on"));
	/* A window on the RAM disk that fits exactly: fine; one more sector: not. */
	const struct dspec r8 = { "ram0", true, 0, 8, false, false }, r9 = { "ram0", true, 1, 8, false, false };
	assert_int_equal(parse_storage(&r8, &none, &none, &g), 0);
	assert_int_equal(cfg.backend[2].image.size, 4096);
	assert_int_equal(parse_storage(&r9, &none, &none, &g), 1);
	assert_string_equal(g.e.msg[0], "/partitions/alpha/virtio-blk: window: sectors [1, +8) go past "
					 "the end of backend ram0 (8 sectors)");
	/* A window whose end wraps round 2^64. */
	const struct dspec wrap = { "disk0", true, UINT64_MAX - 3, 8, false, false };
	assert_int_equal(parse_storage(&wrap, &none, &none, &g), 1);
	assert_string_equal(g.e.msg[0], "/partitions/alpha/virtio-blk: window: empty or wrapping window");
}

/* Backend nodes: a name used twice (only a hand-made blob can), a type's
 * property on the other type.
 * proves: BLK-6 */
static void test_storage_backend_nodes(void **state)
{
	static struct guarded_errors g;
	void *fdt = calloc(1, BUILD_CAP);
	int rc;
	(void)state;

	assert_non_null(fdt);
	begin_root(fdt, true);
	chk(fdt_begin_node(fdt, "storage"));
	add_backend(fdt, "disk0", "virtio-blk", 0, NULL);
	add_backend(fdt, "disk0", "ram", -1, "images/disk.img");
	add_backend(fdt, "ram1", "ram", 3, "images/disk.img");
	add_backend(fdt, "disk2", "virtio-blk", 2, "images/disk.img");
	chk(fdt_end_node(fdt));
	chk(fdt_begin_node(fdt, "partitions"));
	begin_part(fdt, "alpha", 1, 0x50000000);
	chk(fdt_end_node(fdt));
	chk(fdt_end_node(fdt));
	finish(fdt);
	rc = parse_guarded(fdt, &g);
	if (rc != 4)
		print_errors(&g.e);
	assert_int_equal(rc, 4);
	assert_string_equal(g.e.msg[0], "/storage/disk0: backend name used twice");
	assert_string_equal(g.e.msg[1], "/storage/ram1: index: only a virtio-blk backend has an index");
	assert_string_equal(g.e.msg[2], "/storage/disk2: image: only a ram backend has an image");
	/* Two RAM disks written in place over one image would share bytes. */
	assert_string_equal(g.e.msg[3], "/storage/ram1: image: 'images/disk.img' is also backend "
					 "disk0's image");
	free(fdt);
}

/* ---- network: segments and virtio-net nodes ---- */

static void assert_mac(const uint8_t *mac, const uint8_t *want)
{
	assert_memory_equal(mac, want, 6);
}

/* A locally administered unicast address: bit 1 of the first byte set,
 * bit 0 clear, and not all zero. */
static void assert_local_unicast(const uint8_t *mac)
{
	static const uint8_t zero[6];
	assert_int_equal(mac[0] & 1, 0);
	assert_int_equal(mac[0] & 2, 2);
	assert_memory_not_equal(mac, zero, 6);
}

/* Two segments, one with an uplink; a MAC, MTU and policy as written, and
 * the defaults (MTU 1500, MAC change denied, a MAC derived from the
 * partition's name) where nothing is written.
 * proves: NET-5, NET-6, NET-7, NET-8 */
static void test_good_network(void **state)
{
	static const uint8_t alpha_mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
	uint8_t beta_mac[6];
	int rc;
	(void)state;

	rc = parse_file("tests/configs/good/net-segments.dts");
	if (rc)
		print_errors(&errs);
	assert_int_equal(rc, 0);
	assert_int_equal(cfg.nsegments, 2);
	assert_string_equal(cfg.segment[0].name, "lan");
	assert_int_equal(cfg.segment[0].uplink, 1);
	assert_string_equal(cfg.segment[1].name, "dmz");
	assert_int_equal(cfg.segment[1].uplink, CFG_NO_UPLINK);
	assert_int_equal(cfg.nparts, 3);

	const struct net_config *a = net_of(&cfg.parts[0]), *b = net_of(&cfg.parts[1]),
				*g = net_of(&cfg.parts[2]);
	assert_non_null(a);
	assert_int_equal(a->segment, 0);
	assert_mac(a->mac, alpha_mac);
	assert_int_equal(a->mtu, 1280);
	assert_true(a->mac_change);

	assert_non_null(b);
	assert_int_equal(b->segment, 0);
	assert_int_equal(b->mtu, CFG_NET_MTU_MAX);
	assert_false(b->mac_change);
	assert_local_unicast(b->mac);
	memcpy(beta_mac, b->mac, 6);

	assert_non_null(g);
	assert_int_equal(g->segment, 1);
	assert_int_equal(g->mtu, 1500);
	assert_false(g->mac_change);
	assert_local_unicast(g->mac);
	assert_memory_not_equal(g->mac, beta_mac, 6);

	/* The same file again: the same addresses (the next boot). */
	assert_int_equal(parse_file("tests/configs/good/net-segments.dts"), 0);
	assert_mac(net_of(&cfg.parts[1])->mac, beta_mac);

	/* The system test's file. */
	rc = parse_file("tests/configs/good/linux-net.dts");
	if (rc)
		print_errors(&errs);
	assert_int_equal(rc, 0);
	assert_int_equal(cfg.nsegments, 2);
	assert_int_equal(net_of(&cfg.parts[0])->mtu, 1400);
	assert_true(net_of(&cfg.parts[0])->mac_change);
	assert_false(net_of(&cfg.parts[1])->mac_change);
	assert_int_equal(net_of(&cfg.parts[2])->segment, 1);
	/* No virtio-net node: no device. */
	assert_int_equal(parse_file("tests/configs/good/hello-pair.dts"), 0);
	assert_null(net_of(&cfg.parts[0]));
	assert_int_equal(cfg.nsegments, 0);
}

/* One virtio-net on segment "lan" per partition listed (name, then its
 * properties as NULL-terminated name/value pairs, values given raw). */
struct nprop {
	const char *name;
	const void *val;
	int len;
};

static void add_net_part(void *fdt, const char *name, uint32_t cpu, uint64_t base,
			 const struct nprop *props, unsigned n)
{
	begin_part(fdt, name, cpu, base);
	chk(fdt_begin_node(fdt, "virtio-net"));
	chk(fdt_property_string(fdt, "segment", "lan"));
	for (unsigned i = 0; i < n; i++)
		chk(fdt_property(fdt, props[i].name, props[i].val, props[i].len));
	chk(fdt_end_node(fdt));
	chk(fdt_end_node(fdt));
}

/* Partitions named names[i] (0 < n <= 3), one virtio-net each on "lan";
 * the first gets the given properties. */
static int parse_net(const char *const *names, unsigned n, const struct nprop *props,
		     unsigned nprops, struct guarded_errors *g)
{
	void *fdt = calloc(1, BUILD_CAP);
	int rc;

	assert_non_null(fdt);
	begin_root(fdt, true);
	chk(fdt_begin_node(fdt, "network"));
	chk(fdt_begin_node(fdt, "lan"));
	chk(fdt_end_node(fdt));
	chk(fdt_end_node(fdt));
	chk(fdt_begin_node(fdt, "partitions"));
	for (unsigned i = 0; i < n; i++)
		add_net_part(fdt, names[i], 1 + i, 0x50000000 + 0x4000000ULL * i, i ? NULL : props,
			     i ? 0 : nprops);
	chk(fdt_end_node(fdt));
	finish(fdt);
	rc = parse_guarded(fdt, g);
	free(fdt);
	return rc;
}

/* A MAC derived from the partition's name is a locally administered
 * unicast address, depends on the name alone (the same for another file
 * with that name: stable across reboots and edits of other properties),
 * and differs between names.
 * proves: NET-7 */
static void test_net_derived_mac(void **state)
{
	static const char *const names[] = { "alpha", "beta", "gamma", "a", "b", "web", "web2",
					     "db", "p0", "p1", "partition-with-a-long-name" };
	static struct guarded_errors g;
	uint8_t mac[ARRAY_SIZE(names)][6];
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		assert_int_equal(parse_net(&names[i], 1, NULL, 0, &g), 0);
		assert_non_null(net_of(&cfg.parts[0]));
		assert_local_unicast(net_of(&cfg.parts[0])->mac);
		memcpy(mac[i], net_of(&cfg.parts[0])->mac, 6);
		for (size_t j = 0; j < i; j++)
			if (memcmp(mac[i], mac[j], 6) == 0)
				fail_msg("'%s' and '%s' derive the same MAC", names[i], names[j]);
	}
	/* Same name, other CPU, memory and MTU: the same address. */
	const fdt32_t mtu = cpu_to_fdt32(1400);
	const struct nprop p[] = { { "mtu", &mtu, 4 } };
	const char *const two[] = { "x", "beta" };
	assert_int_equal(parse_net(two, 2, p, 1, &g), 0);
	assert_memory_equal(net_of(&cfg.parts[1])->mac, mac[1], 6);
	assert_int_equal(cfg.parts[1].cpus[0], 2);
	/* Derived beside configured: a configured address may not be another
	 * partition's derived one. */
	const struct nprop q[] = { { "mac-address", mac[1], 6 } };
	assert_int_equal(parse_net(two, 2, q, 1, &g), 1);
	assert_string_equal(g.e.msg[0], "/partitions/beta/virtio-net: mac-address: the same as "
					 "/partitions/x's on segment lan");
}

/* Property edge cases: MTU bounds and cells, the policy's two values, an
 * uplink of two cells; the same MAC on two segments is fine.
 * proves: NET-5, NET-6, NET-8 */
/* On a board whose RAM starts at 0 (as ZynqMP's does) a partition's
 * memory must stay clear of the guest map's windows (its vGIC and UART
 * are there): refused with the node and property. On QEMU virt it cannot
 * arise (RAM is above the map). */
static bool has_error(const char *a, const char *b)
{
	for (unsigned i = 0; i < errs.count && i < CFG_MAX_ERRORS; i++)
		if (strstr(errs.msg[i], a) && strstr(errs.msg[i], b))
			return true;
	return false;
}

static void test_board_low_ram(void **state)
{
	struct platform_desc pd;
	size_t size = 0;
	void *fdt = load_partition_file("tests/configs/unit/low-ram.dts", &size);
	int rc;

	(void)state;
	assert_non_null(fdt);
	platform_desc_get(&pd, NULL, 0);
	pd.ram = (struct mem_range){ 0, 0x80000000 };
	pd.hv = (struct mem_range){ 0x70000000, 0x10000000 };
	rc = config_parse(fdt, size, &pd, test_blob_size, NULL, &cfg, &errs);
	assert_errors_sane(rc);
	print_errors(&errs);
	assert_int_equal(rc, 1);
	assert_true(has_error("/partitions/low", "memory: 0x0+0x10000000 overlaps the GIC distributor"));
	free(fdt);
}

static void test_net_properties(void **state)
{
	static struct guarded_errors g;
	static const char *const one[] = { "alpha" };
	static const struct {
		uint32_t mtu;
		bool ok;
	} mtus[] = { { 0, false }, { 67, false }, { 68, true }, { 1280, true }, { 1500, true },
		     { 1501, false }, { 9000, false }, { 0xffffffff, false } };
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(mtus); i++) {
		fdt32_t m = cpu_to_fdt32(mtus[i].mtu);
		const struct nprop p[] = { { "mtu", &m, 4 } };
		int rc = parse_net(one, 1, p, 1, &g);
		if (rc != (mtus[i].ok ? 0 : 1)) {
			print_message("  mtu %u: %d error(s)\n", mtus[i].mtu, rc);
			print_errors(&g.e);
			fail();
		}
		if (mtus[i].ok)
			assert_int_equal(net_of(&cfg.parts[0])->mtu, mtus[i].mtu);
		else
			assert_string_equal(g.e.msg[0], "/partitions/alpha/virtio-net: mtu: must be "
							 "1 cell from 68 to 1500");
	}
	fdt64_t m64 = cpu_to_fdt64(1500);
	const struct nprop two_cells[] = { { "mtu", &m64, 8 } };
	assert_int_equal(parse_net(one, 1, two_cells, 1, &g), 1);

	const struct nprop allow[] = { { "mac-change", "allow", 6 } },
			   deny[] = { { "mac-change", "deny", 5 } },
			   empty[] = { { "mac-change", "", 1 } },
			   colour[] = { { "colour", "red", 4 } };
	assert_int_equal(parse_net(one, 1, allow, 1, &g), 0);
	assert_true(net_of(&cfg.parts[0])->mac_change);
	assert_int_equal(parse_net(one, 1, deny, 1, &g), 0);
	assert_false(net_of(&cfg.parts[0])->mac_change);
	assert_int_equal(parse_net(one, 1, empty, 1, &g), 1);
	assert_int_equal(parse_net(one, 1, colour, 1, &g), 1);
	assert_string_equal(g.e.msg[0], "/partitions/alpha/virtio-net: colour: unknown property");

	/* The same MAC on two segments; an uplink of two cells; an
	 * unknown node under a segment. */
	void *fdt = calloc(1, BUILD_CAP);
	static const uint8_t mac[6] = { 0x02, 1, 2, 3, 4, 5 };
	assert_non_null(fdt);
	begin_root(fdt, true);
	chk(fdt_begin_node(fdt, "network"));
	chk(fdt_begin_node(fdt, "lan"));
	chk(fdt_end_node(fdt));
	chk(fdt_begin_node(fdt, "dmz"));
	chk(fdt_property_u64(fdt, "uplink", 0));
	chk(fdt_end_node(fdt));
	chk(fdt_begin_node(fdt, "lab"));
	chk(fdt_begin_node(fdt, "port"));
	chk(fdt_end_node(fdt));
	chk(fdt_end_node(fdt));
	chk(fdt_end_node(fdt));
	chk(fdt_begin_node(fdt, "partitions"));
	for (unsigned i = 0; i < 2; i++) {
		begin_part(fdt, i ? "beta" : "alpha", 1 + i, 0x50000000 + 0x4000000ULL * i);
		chk(fdt_begin_node(fdt, "virtio-net"));
		chk(fdt_property_string(fdt, "segment", i ? "lab" : "lan"));
		chk(fdt_property(fdt, "mac-address", mac, 6));
		chk(fdt_end_node(fdt));
		chk(fdt_end_node(fdt));
	}
	chk(fdt_end_node(fdt));
	finish(fdt);
	int rc = parse_guarded(fdt, &g);
	free(fdt);
	if (rc != 2)
		print_errors(&g.e);
	assert_int_equal(rc, 2);
	assert_string_equal(g.e.msg[0], "/network/dmz: uplink: must be 1 cell (the physical "
					 "virtio-net number)");
	assert_string_equal(g.e.msg[1], "/network/lab/port: unknown node");
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_good_files),
		cmocka_unit_test(test_bad_dir_matches_table),
		cmocka_unit_test(test_truncated_dtb),
		cmocka_unit_test(test_totalsize_beyond_buffer),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_mutated_dtb),
		cmocka_unit_test(test_many_errors_capped),
		cmocka_unit_test(test_many_errors_capped_no_partitions),
		cmocka_unit_test(test_duplicate_partition_name),
		cmocka_unit_test(test_long_node_path),
		cmocka_unit_test(test_good_storage),
		cmocka_unit_test(test_storage_overlaps),
		cmocka_unit_test(test_storage_backend_nodes),
		cmocka_unit_test(test_good_network),
		cmocka_unit_test(test_net_derived_mac),
		cmocka_unit_test(test_board_low_ram),
		cmocka_unit_test(test_net_properties),
	};
	static struct CMUnitTest tests[ARRAY_SIZE(fixed) + N_BAD];

	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		tests[i] = fixed[i];
	for (size_t i = 0; i < N_BAD; i++)
		tests[ARRAY_SIZE(fixed) + i] = (struct CMUnitTest){
			.name = bad_cases[i].file,
			.test_func = test_bad_file,
			.initial_state = (void *)&bad_cases[i],
		};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
