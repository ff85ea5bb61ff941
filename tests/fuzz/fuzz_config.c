/* libFuzzer harness for the partition-file parser (core/config*.c): the
 * input is the partition file itself, any bytes, checked with config_parse()
 * against a board tree (FUZZ_BOARD: tests/configs/boards/virt-smmu.dts
 * compiled: GIC, RAM, PCIe host bridge and SMMU), as hvcheck and boot do.
 * Built with -fsanitize=fuzzer,address,undefined. After each:
 *  - a refused file has at least one error, each "<node path>: ...", in
 *    printable ASCII only (names come from the file);
 *  - an accepted one keeps its partitions apart: each RAM range inside
 *    the board's RAM and outside the hypervisor's, no two overlapping, no
 *    CPU given twice, each PCIe function given once, and its guest tree
 *    built and valid.
 * tests/fuzz/corpus/config/ has seeds: the good and bad partition files.
 * proves: PLATFORM-4, PLATFORM-3 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/boot.h>
#include <hv/config.h>
#include <libfdt.h>

static struct platform_desc pd;
static void *board;
static struct hv_config cfg;
static struct cfg_errors errs;

static __attribute__((noreturn)) void die(const char *what)
{
	fprintf(stderr, "fuzz_config: %s\n", what);
	abort();
}

/* Every image exists and is 64 KiB, except names that start with "no". */
static int64_t blob_size(void *ctx, const char *name, void *head, size_t head_len)
{
	(void)ctx;
	if (!strncmp(name, "no", 2))
		return -1;
	if (head)
		memset(head, 0, head_len);
	return 65536;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("FUZZ_BOARD");
	FILE *f;
	long n;

	(void)argc, (void)argv;
	if (!path || !(f = fopen(path, "rb")))
		die("FUZZ_BOARD: the board tree to check against");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	board = malloc((size_t)n);
	if (!board || fread(board, 1, (size_t)n, f) != (size_t)n)
		die("FUZZ_BOARD: cannot read it");
	fclose(f);
	if (platform_desc_get(&pd, board, (size_t)n) || !pd.pcie.present)
		die("FUZZ_BOARD: not a board with a GIC and a PCIe host bridge");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The parser reads the blob in place: a copy of exactly its size, so
	 * ASan sees any read past it. */
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	int rc = config_parse(copy, size, &pd, blob_size, NULL, &cfg, &errs);
	if (rc) {
		if (errs.count == 0 || rc != (int)errs.count)
			die("refused without an error");
		for (unsigned i = 0; i < errs.count && i < CFG_MAX_ERRORS; i++)
			if (!strstr(errs.msg[i], "/") || !strstr(errs.msg[i], ": "))
				die(errs.msg[i]);
			else
				for (const char *c = errs.msg[i]; *c; c++)
					if (*c < 0x20 || *c > 0x7e)
						die("a message with a control character");
		free(copy);
		return 0;
	}
	bool cpu_used[CONFIG_MAX_CPUS] = { false };
	for (unsigned q = 0; q < cfg.nparts; q++) {
		const struct part_config *pc = &cfg.parts[q];
		for (unsigned i = 0; i < pc->nmem; i++) {
			const struct mem_range *m = &pc->mem[i];
			if (!range_within(m->base, m->size, pd.ram.base, pd.ram.size) ||
			    range_overlaps(m->base, m->size, pd.hv.base, pd.hv.size))
				die("accepted RAM outside the board's or in the hypervisor's");
			for (unsigned r = 0; r <= q; r++)
				for (unsigned j = 0; j < cfg.parts[r].nmem; j++)
					if ((r != q || j != i) && range_overlaps(m->base, m->size, cfg.parts[r].mem[j].base,
										cfg.parts[r].mem[j].size))
						die("accepted overlapping RAM");
		}
		for (unsigned i = 0; i < pc->ncpus; i++) {
			if (pc->cpus[i] >= CONFIG_MAX_CPUS || cpu_used[pc->cpus[i]])
				die("accepted a CPU twice");
			cpu_used[pc->cpus[i]] = true;
		}
		for (unsigned i = 0; i < pc->npci; i++)
			for (unsigned r = 0; r <= q; r++)
				for (unsigned j = 0; j < cfg.parts[r].npci; j++)
					if ((r != q || j != i) && cfg.parts[r].pci[j].dev == pc->pci[i].dev &&
					    cfg.parts[r].pci[j].fn == pc->pci[i].fn)
						die("accepted a PCIe function twice");
		const void *dtb = config_guest_dtb(q);
		if (!pc->dtb_size || fdt_check_header(dtb) || fdt_totalsize(dtb) > pc->dtb_size)
			die("accepted without a valid guest tree");
	}
	free(copy);
	return 0;
}
