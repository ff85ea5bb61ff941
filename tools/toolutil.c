#define _POSIX_C_SOURCE 200809L
#include "toolutil.h"
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	if (!f) {
		perror(path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		perror(path);
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: read failed\n", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

void *load_partition_file(const char *path, size_t *size)
{
	void *buf = read_file(path, size);
	char cmd[4096], tmp[] = "/tmp/hvcheck-XXXXXX";
	int fd;

	if (!buf || (*size >= 4 && fdt_magic(buf) == FDT_MAGIC))
		return buf;
	free(buf);
	fd = mkstemp(tmp);
	if (fd < 0) {
		perror("mkstemp");
		return NULL;
	}
	snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb -o '%s' '%s'", tmp, path);
	if (system(cmd) != 0) {
		fprintf(stderr, "%s: dtc could not compile the partition file\n", path);
		remove(tmp);
		return NULL;
	}
	buf = read_file(tmp, size);
	remove(tmp);
	return buf;
}

int search_add(struct search_path *sp, const char *dir)
{
	if (sp->n >= (int)(sizeof(sp->dirs) / sizeof(sp->dirs[0])))
		return -1;
	sp->dirs[sp->n++] = dir;
	return 0;
}

const char *search_find(const struct search_path *sp, const char *name)
{
	static char path[4096];
	struct stat st;

	for (int i = 0; i <= sp->n; i++) {
		const char *d = i < sp->n ? sp->dirs[i] : ".";
		snprintf(path, sizeof(path), "%s/%s", d, name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return path;
	}
	return NULL;
}

int64_t search_blob_size(void *ctx, const char *name, void *head, size_t head_len)
{
	const char *p = search_find(ctx, name);
	struct stat st;

	if (!p || stat(p, &st) != 0)
		return -1;
	if (head) {
		FILE *f = fopen(p, "rb");
		memset(head, 0, head_len);
		if (f) {
			if (fread(head, 1, head_len, f) == 0)
				memset(head, 0, head_len);
			fclose(f);
		}
	}
	return (int64_t)st.st_size;
}
