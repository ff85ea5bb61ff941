#ifndef TOOLUTIL_H
#define TOOLUTIL_H

#include <stddef.h>
#include <stdint.h>

/* A file in memory; NULL on error (message printed). */
void *read_file(const char *path, size_t *size);
/* A partition file: a .dtb as is, anything else compiled with dtc. */
void *load_partition_file(const char *path, size_t *size);

/* Guest images are looked up along a search path (-L dirs, then "."). */
struct search_path {
	const char *dirs[16];
	int n;
};
int search_add(struct search_path *sp, const char *dir);
/* Full path of name in the search path, or NULL. */
const char *search_find(const struct search_path *sp, const char *name);
int64_t search_blob_size(void *ctx, const char *name, void *head, size_t head_len);

#endif
