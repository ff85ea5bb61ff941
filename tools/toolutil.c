#define _POSIX_C_SOURCE 200809L
#include <hv/boot.h>
#include "toolutil.h"
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* All of an open file or pipe, to its end. */
static void *read_fd(int fd, const char *what, size_t *size)
{
	struct stat st;
	size_t cap = 1 << 16, n = 0;
	char *buf, *nb;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1; /* one read more finds the end */
	buf = malloc(cap);
	if (!buf)
		goto nomem;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (cap > SIZE_MAX / 2 || !(nb = realloc(buf, cap * 2)))
				goto nomem;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "%s: read failed: %s\n", what, strerror(errno));
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*size = n;
	return buf;
nomem:
	fprintf(stderr, "%s: out of memory\n", what);
	free(buf);
	return NULL;
}

void *read_file(const char *path, size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	void *buf;

	if (fd < 0) {
		perror(path);
		return NULL;
	}
	buf = read_fd(fd, path, size);
	close(fd);
	return buf;
}

/* dtc as a child with an argument vector (no shell: the file name is only
 * ever a file name), its device tree read from a pipe (no temporary file). */
static void *run_dtc(const char *path, size_t *size)
{
	char *argv[] = { "dtc", "-q", "-I", "dts", "-O", "dtb", "-o", "-", "--", (char *)path, NULL };
	posix_spawn_file_actions_t fa;
	int pfd[2], err, status;
	size_t n = 0;
	void *buf;
	pid_t pid;

	if (pipe(pfd)) {
		perror("pipe");
		return NULL;
	}
	(void)fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
	err = posix_spawn_file_actions_init(&fa);
	if (!err)
		err = posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	if (!err && pfd[1] != STDOUT_FILENO)
		err = posix_spawn_file_actions_addclose(&fa, pfd[1]);
	if (!err)
		err = posix_spawnp(&pid, "dtc", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (err) {
		fprintf(stderr, "%s: cannot run dtc: %s\n", path, strerror(err));
		close(pfd[0]);
		return NULL;
	}
	buf = read_fd(pfd[0], "dtc output", &n);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("waitpid");
			free(buf);
			return NULL;
		}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "%s: dtc was killed by signal %d\n", path, WTERMSIG(status));
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s: dtc could not compile the partition file (exit status %d)\n", path,
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	} else if (!buf || n < FDT_V1_SIZE || fdt_magic(buf) != FDT_MAGIC || fdt_totalsize(buf) != n) {
		fprintf(stderr, "%s: dtc gave no device tree\n", path);
	} else {
		*size = n;
		return buf;
	}
	free(buf);
	return NULL;
}

void *load_partition_file(const char *path, size_t *size)
{
	void *buf = read_file(path, size);

	if (!buf || (*size >= 4 && fdt_magic(buf) == FDT_MAGIC))
		return buf;
	free(buf);
	return run_dtc(path, size);
}

int search_add(struct search_path *sp, const char *dir)
{
	if (sp->n >= (int)(sizeof(sp->dirs) / sizeof(sp->dirs[0])))
		return -1;
	sp->dirs[sp->n++] = dir;
	return 0;
}

enum lookup { FOUND, MISSING, REFUSED };

static enum lookup refuse(const struct search_path *sp, const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: image '%s' refused: ", sp->who ? sp->who : "image lookup", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return REFUSED;
}

static bool has_dotdot(const char *name)
{
	for (const char *c = name; *c; c += strcspn(c, "/"), c += *c == '/') {
		size_t len = strcspn(c, "/");
		if (len == 2 && c[0] == '.' && c[1] == '.')
			return true;
	}
	return false;
}

/* path, a real path, is dir (a real path) or inside it: a prefix that ends
 * on a directory boundary ("/a/bc" is not inside "/a/b"). */
static bool inside(const char *dir, const char *path)
{
	size_t len = strlen(dir);

	if (len == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(path, dir, len) == 0 && (path[len] == '/' || path[len] == '\0');
}

/* Find name in the search path: real is its real path and st what it was
 * when found. Refusals are printed. */
static enum lookup lookup(const struct search_path *sp, const char *name, char real[PATH_MAX],
			  struct stat *st)
{
	static const char *const here[] = { "." };
	const char *const *dirs = sp->n ? sp->dirs : here;
	int ndirs = sp->n ? sp->n : 1;

	if (!name[0])
		return refuse(sp, name, "an empty name");
	if (name[0] == '/')
		return refuse(sp, name, "an absolute path (images are looked up in the -L directories)");
	if (has_dotdot(name))
		return refuse(sp, name, "a '..' component (images stay inside the -L directories)");
	for (int i = 0; i < ndirs; i++) {
		char dir[PATH_MAX], path[PATH_MAX];

		if (!realpath(dirs[i], dir))
			continue; /* a directory that is not there holds nothing */
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
			return refuse(sp, name, "path too long in %s", dirs[i]);
		if (!realpath(path, real)) {
			if (errno == ENOENT || errno == ENOTDIR)
				continue;
			return refuse(sp, name, "cannot resolve it in %s: %s", dirs[i], strerror(errno));
		}
		if (!inside(dir, real))
			return refuse(sp, name, "it resolves to %s, outside the -L directory %s", real,
				      dirs[i]);
		if (stat(real, st) == 0 && S_ISREG(st->st_mode))
			return FOUND;
	}
	return MISSING;
}

void *search_read(const struct search_path *sp, const char *name, size_t *size)
{
	char real[PATH_MAX];
	struct stat st, now;
	void *buf;
	int fd;

	switch (lookup(sp, name, real, &st)) {
	case FOUND:
		break;
	case MISSING:
		fprintf(stderr, "%s: error: image '%s' not found\n", sp->who ? sp->who : "image lookup",
			name);
		return NULL;
	case REFUSED:
		return NULL;
	}
	/* The real path has no symbolic link in it; whatever changed since,
	 * read only the very file the lookup checked. */
	fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		perror(real);
		return NULL;
	}
	if (fstat(fd, &now) || now.st_dev != st.st_dev || now.st_ino != st.st_ino ||
	    !S_ISREG(now.st_mode)) {
		close(fd);
		refuse(sp, name, "%s changed while it was being read", real);
		return NULL;
	}
	buf = read_fd(fd, real, size);
	close(fd);
	return buf;
}

int64_t search_blob_size(void *ctx, const char *name, void *head, size_t head_len)
{
	char real[PATH_MAX];
	struct stat st = { 0 };

	if (lookup(ctx, name, real, &st) != FOUND)
		return -1;
	if (head) {
		FILE *f = fopen(real, "rb");
		memset(head, 0, head_len);
		if (f) {
			if (fread(head, 1, head_len, f) == 0)
				memset(head, 0, head_len);
			fclose(f);
		}
	}
	return (int64_t)st.st_size;
}

int load_board(const char *file, struct platform_desc *pd, void **board)
{
	size_t size = 0;

	*board = NULL;
	if (file && !(*board = load_partition_file(file, &size)))
		return 2;
	if (platform_desc_get(pd, *board, size) == -2) {
		fprintf(stderr, "%s: error: the board's GIC node has no usable virtualization frames "
				"(GICv2: GICD, GICC, GICH, GICV, each at least 4 KiB, 8 KiB for GICC and GICV)\n",
			file);
		free(*board);
		*board = NULL;
		return 1;
	}
	return 0;
}
