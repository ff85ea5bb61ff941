#ifndef PARTMAP_JSON_H
#define PARTMAP_JSON_H

#include <hv/config.h>

/* What config_parse() made of file (cfg, errs) on the board pd, as JSON at
 * path for tools/partmap.py. 0, or -1 (printed) when path cannot be written. */
int partmap_json(const char *path, const char *file, const struct platform_desc *pd,
		 const struct hv_config *cfg, const struct cfg_errors *errs);

#endif
