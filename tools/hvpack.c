/* hvpack: hypervisor binary + partition file + guest images -> one image
 * (docs/image-format.md). Refuses, writing nothing, when the partition file
 * does not pass the same check the hypervisor makes at boot. */
#include "toolutil.h"
#include <hv/boot.h>
#include <hv/config.h>
#include <hv/image.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
	fprintf(stderr, "usage: hvpack -o image [--board board.dtb|.dts] [-L image-dir]... [--no-check] "
			"hypervisor.bin "
			"partition-file\n");
	exit(2);
}

struct blobs {
	unsigned n;
	const char *name[PAYLOAD_MAX_BLOBS];
};

static int add_name(struct blobs *b, const char *name)
{
	for (unsigned i = 0; i < b->n; i++)
		if (strcmp(b->name[i], name) == 0)
			return 0;
	if (b->n >= PAYLOAD_MAX_BLOBS || strlen(name) >= BLOB_NAME_MAX) {
		fprintf(stderr, "hvpack: too many images or name too long: %s\n", name);
		return -1;
	}
	b->name[b->n++] = name;
	return 0;
}

int main(int argc, char **argv)
{
	struct search_path sp = { 0 };
	static struct hv_config cfg;
	static struct cfg_errors errs;
	struct platform_desc pd;
	int rc;
	const char *board_file = NULL;
	void *board = NULL;
	const char *out = NULL, *hvbin = NULL, *pfile = NULL;
	bool check = true;
	struct blobs blobs = { 0 };
	size_t hv_size, pf_size;
	void *hv, *pf;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--board") == 0 && i + 1 < argc && !board_file)
			board_file = argv[++i];
		else if (strcmp(argv[i], "-L") == 0 && i + 1 < argc) {
			if (search_add(&sp, argv[++i])) {
				fprintf(stderr, "hvpack: too many -L directories\n");
				exit(2);
			}
		} else if (strcmp(argv[i], "--no-check") == 0)
			check = false; /* for tests of the boot-time check only */
		else if (argv[i][0] != '-' && !hvbin)
			hvbin = argv[i];
		else if (argv[i][0] != '-' && !pfile)
			pfile = argv[i];
		else /* an unknown option, or a third file */
			usage();
	}
	if (!out || !hvbin || !pfile)
		usage();
	sp.who = pfile;
	hv = read_file(hvbin, &hv_size);
	pf = load_partition_file(pfile, &pf_size);
	if (!hv || !pf)
		return 2;

	/* The board's device tree, where passthrough entries find their
	 * devices and its GIC is described (the firmware gives the same one
	 * at boot). */
	if ((rc = load_board(board_file, &pd, &board)))
		return rc;
	if (config_parse(pf, pf_size, &pd, search_blob_size, &sp, &cfg, &errs)) {
		for (unsigned i = 0; i < errs.count; i++)
			fprintf(stderr, "%s: error: %s\n", pfile, errs.msg[i]);
		if (check) {
			fprintf(stderr, "hvpack: %s has errors; no image written\n", pfile);
			return 1;
		}
	}
	for (unsigned i = 0; i < errs.nwarn; i++)
		fprintf(stderr, "%s: warning: %s\n", pfile, errs.warn[i]);
	free(board);

	struct arm64_image_header *ih = hv;
	if (hv_size < sizeof(*ih) || ih->magic != ARM64_IMAGE_MAGIC || ih->image_size < hv_size) {
		fprintf(stderr, "hvpack: %s is not a Bulkhead hypervisor binary\n", hvbin);
		return 1;
	}

	/* Images named by the file: kernels, initrds, RAM disk images. */
	for (unsigned i = 0; i < cfg.nparts; i++) {
		const struct blob_ref *r[2] = { &cfg.parts[i].kernel, &cfg.parts[i].initrd };
		for (unsigned k = 0; k < 2; k++)
			if (r[k]->present && add_name(&blobs, r[k]->name))
				return 1;
	}
	for (unsigned i = 0; i < cfg.nbackends; i++)
		if (cfg.backend[i].image.present && add_name(&blobs, cfg.backend[i].image.name))
			return 1;

	unsigned nblobs = blobs.n + 1;
	size_t table = sizeof(struct payload_header) + nblobs * sizeof(struct payload_blob);
	size_t off = ALIGN_UP(table, BLOB_ALIGN);
	void *data[PAYLOAD_MAX_BLOBS + 1];
	size_t size[PAYLOAD_MAX_BLOBS + 1];
	struct payload_header *ph = calloc(1, table);

	if (!ph) {
		fprintf(stderr, "hvpack: out of memory\n");
		return 1;
	}
	memcpy(ph->magic, PAYLOAD_MAGIC, 8); // NOLINT(bugprone-not-null-terminated-result): 8 magic bytes, not a string
	ph->version = 1;
	ph->nblobs = nblobs;
	for (unsigned i = 0; i < nblobs; i++) {
		struct payload_blob *b = &ph->blob[i];
		const char *name = i == 0 ? "partition-file" : blobs.name[i - 1];
		if (i == 0) {
			data[0] = pf;
			size[0] = pf_size;
		} else {
			data[i] = search_read(&sp, name, &size[i]);
			if (!data[i]) {
				free(ph);
				return 1;
			}
		}
		strcpy(b->name, name);
		b->offset = off;
		b->size = size[i];
		b->crc32 = crc32(data[i], size[i]);
		off = ALIGN_UP(off + size[i], BLOB_ALIGN);
	}
	ph->total_size = off;
	ph->table_crc32 = crc32(ph->blob, nblobs * sizeof(struct payload_blob));

	size_t payload_at = ALIGN_UP((size_t)ih->image_size, PAYLOAD_ALIGN);
	uint64_t load = CONFIG_HV_MEM_BASE + 0x80000;
	uint64_t limit = CONFIG_HV_MEM_BASE + CONFIG_HV_MEM_SIZE -
			 (uint64_t)CONFIG_PGTABLE_POOL_PAGES * PAGE_SIZE;
	if (load + payload_at + off > limit) {
		fprintf(stderr, "hvpack: image needs %zu bytes; the hypervisor's memory holds %llu\n",
			payload_at + off, (unsigned long long)(limit - load));
		free(ph);
		return 1;
	}
	ih->image_size = payload_at + off;

	FILE *f = fopen(out, "wb");
	if (!f) {
		perror(out);
		free(ph);
		return 2;
	}
	static const char zero[BLOB_ALIGN];
	size_t pos = 0;
#define PUT(p, n) do { if (fwrite((p), 1, (n), f) != (n)) goto werr; pos += (n); } while (0)
#define PAD_TO(x) do { while (pos < (x)) { size_t z = (x) - pos < sizeof(zero) ? (x) - pos : sizeof(zero); PUT(zero, z); } } while (0)
	PUT(hv, hv_size);
	PAD_TO(payload_at);
	PUT(ph, table);
	for (unsigned i = 0; i < nblobs; i++) {
		PAD_TO(payload_at + ph->blob[i].offset);
		PUT(data[i], size[i]);
	}
	PAD_TO(payload_at + off);
	if (fclose(f))
		goto werr;
	printf("hvpack: %s: %zu bytes, %u blob(s), payload at +0x%zx\n", out, pos, nblobs, payload_at);
	free(ph);
	return 0;
werr:
	perror(out);
	remove(out);
	free(ph);
	return 2;
}
