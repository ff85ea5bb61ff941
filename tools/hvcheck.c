/* hvcheck: check a partition file as the hypervisor will at boot (the same
 * code: core/config.c). Prints every error with node path and property.
 * Exit 0 when good, 1 when not, 2 on usage or I/O error. */
#include "partmap_json.h"
#include "toolutil.h"
#include <hv/boot.h>
#include <hv/config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct search_path sp = { 0 };
	static struct hv_config cfg;
	static struct cfg_errors errs;
	struct platform_desc pd;
	int rc;
	const char *board_file = NULL;
	void *board = NULL;
	const char *file = NULL, *tree_part = NULL, *tree_out = NULL, *map_out = NULL;
	size_t size;
	void *fdt;
	int n;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--board") == 0 && i + 1 < argc && !board_file) {
			board_file = argv[++i];
		} else if (strcmp(argv[i], "--guest-tree") == 0 && i + 2 < argc && !tree_part) {
			tree_part = argv[++i];
			tree_out = argv[++i];
		} else if (strcmp(argv[i], "--map") == 0 && i + 1 < argc && !map_out) {
			map_out = argv[++i];
		} else if (strcmp(argv[i], "-L") == 0 && i + 1 < argc) {
			if (search_add(&sp, argv[++i])) {
				fprintf(stderr, "hvcheck: too many -L directories\n");
				return 2;
			}
		} else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else {
			fprintf(stderr, "usage: hvcheck [--board board.dtb|.dts] [-L image-dir]... [--guest-tree partition out.dtb] [--map out.json] partition-file\n");
			return 2;
		}
	}
	if (!file) {
		fprintf(stderr, "usage: hvcheck [--board board.dtb|.dts] [-L image-dir]... [--guest-tree partition out.dtb] [--map out.json] partition-file\n");
		return 2;
	}
	sp.who = file;
	fdt = load_partition_file(file, &size);
	if (!fdt)
		return 2;
	/* The board's device tree, where passthrough entries find their
	 * devices and its GIC is described (the firmware gives the same one
	 * at boot). */
	if ((rc = load_board(board_file, &pd, &board)))
		return rc;
	n = config_parse(fdt, size, &pd, search_blob_size, &sp, &cfg, &errs);
	for (unsigned i = 0; i < errs.count; i++)
		fprintf(stderr, "%s: error: %s\n", file, errs.msg[i]);
	for (unsigned i = 0; i < errs.nwarn; i++)
		fprintf(stderr, "%s: warning: %s\n", file, errs.warn[i]);
	/* The partition map's data (tools/partmap.py draws it), refused or not. */
	if (map_out && partmap_json(map_out, file, &pd, &cfg, &errs)) {
		free(fdt);
		free(board);
		return 2;
	}
	free(fdt);
	free(board);
	if (n) {
		fprintf(stderr, "%s: %d error(s)\n", file, n);
		return 1;
	}
	printf("%s: OK, %u partition(s)\n", file, cfg.nparts);
	/* The device tree that partition boots with, as boot builds it. */
	if (tree_part) {
		for (unsigned i = 0; i < cfg.nparts; i++)
			if (strcmp(cfg.parts[i].name, tree_part) == 0) {
				FILE *f = fopen(tree_out, "wb");
				if (!f || fwrite(config_guest_dtb(i), 1, cfg.parts[i].dtb_size, f) !=
						  cfg.parts[i].dtb_size || fclose(f)) {
					perror(tree_out);
					return 2;
				}
				return 0;
			}
		fprintf(stderr, "hvcheck: no partition named %s\n", tree_part);
		return 2;
	}
	return 0;
}
