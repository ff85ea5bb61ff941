#ifndef TOOLUTIL_H
#define TOOLUTIL_H

#include <stddef.h>
#include <stdint.h>

/* A file in memory; NULL on error (message printed). */
void *read_file(const char *path, size_t *size);
/* A partition file: a .dtb as is, anything else compiled with dtc (run
 * directly, never through a shell). NULL on error (message printed). */
void *load_partition_file(const char *path, size_t *size);
struct platform_desc;
/* The board as the hypervisor will see it: the platform's values and the
 * board tree in file (NULL: none; *board its buffer, to free). 0, 1 when
 * its GIC cannot be used (said on stderr, as boot would stop), 2 when the
 * file cannot be read. */
int load_board(const char *file, struct platform_desc *pd, void **board);

/* Guest images named by the partition file are looked up in the -L
 * directories, in order ("." when there is none), and never outside them:
 * an absolute name, a ".." component, or a name that resolves (through
 * symbolic links) outside the directory it was found in is refused with a
 * message naming it. */
struct search_path {
	const char *dirs[16];
	int n;
	const char *who; /* prefix of the messages: the partition file */
};
int search_add(struct search_path *sp, const char *dir);
/* The contents of name, read from the file the lookup checked; NULL with a
 * message when it is refused, missing or unreadable. */
void *search_read(const struct search_path *sp, const char *name, size_t *size);
/* For config_parse(): the size of name, or -1 (refusals are printed); its
 * first head_len bytes into head when head is not NULL. */
int64_t search_blob_size(void *ctx, const char *name, void *head, size_t head_len);

#endif
