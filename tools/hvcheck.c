/* hvcheck: check a partition file as the hypervisor will at boot (the same
 * code: core/config.c). Prints every error with node path and property.
 * Exit 0 when good, 1 when not, 2 on usage or I/O error. */
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
	const char *file = NULL;
	size_t size;
	void *fdt;
	int n;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-L") == 0 && i + 1 < argc) {
			if (search_add(&sp, argv[++i])) {
				fprintf(stderr, "hvcheck: too many -L directories\n");
				return 2;
			}
		} else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else {
			fprintf(stderr, "usage: hvcheck [-L image-dir]... partition-file\n");
			return 2;
		}
	}
	if (!file) {
		fprintf(stderr, "usage: hvcheck [-L image-dir]... partition-file\n");
		return 2;
	}
	sp.who = file;
	fdt = load_partition_file(file, &size);
	if (!fdt)
		return 2;
	platform_desc_get(&pd);
	n = config_parse(fdt, size, &pd, search_blob_size, &sp, &cfg, &errs);
	for (unsigned i = 0; i < errs.count; i++)
		fprintf(stderr, "%s: error: %s\n", file, errs.msg[i]);
	free(fdt);
	if (n) {
		fprintf(stderr, "%s: %d error(s)\n", file, n);
		return 1;
	}
	printf("%s: OK, %u partition(s)\n", file, cfg.nparts);
	return 0;
}
