/* The partition-file parser's toolkit: see include/hv/config_schema.h. */
#include <hv/config_schema.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void node_path(const void *fdt, int node, char path[CFG_PATH_MAX])
{
	const char *name;

	if (node < 0) {
		strcpy(path, "/");
		return;
	}
	if (fdt_get_path(fdt, node, path, CFG_PATH_MAX) == 0)
		return;
	name = fdt_get_name(fdt, node, NULL);
	snprintf(path, CFG_PATH_MAX, ".../%s", name ? name : "?");
}

const char *part_path(struct cfg_parser *p, unsigned q)
{
	if (!p->part_path_[q][0])
		node_path(p->fdt, p->part_node[q], p->part_path_[q]);
	return p->part_path_[q];
}

static void vmsg(struct cfg_parser *p, char *out, int node, const char *prop, const char *fmt,
		 va_list ap)
{
	char path[CFG_PATH_MAX];
	size_t n;

	node_path(p->fdt, node, path);
	n = (size_t)snprintf(out, CFG_ERR_LEN, "%s: %s%s", path, prop ? prop : "",
			     prop ? ": " : "");
	if (n < CFG_ERR_LEN)
		vsnprintf(out + n, CFG_ERR_LEN - n, fmt, ap);
	/* Names and strings come from the file: nothing but printable ASCII
	 * reaches a console or a log (a control character in a node name
	 * would reach the terminal). */
	for (char *c = out; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			*c = '?';
}

void perr(struct cfg_parser *p, int node, const char *prop, const char *fmt, ...)
{
	struct cfg_errors *e = p->errs;
	va_list ap;

	if (e->count < CFG_MAX_ERRORS) {
		va_start(ap, fmt);
		vmsg(p, e->msg[e->count], node, prop, fmt, ap);
		va_end(ap);
	}
	e->count++;
}

void pwarn(struct cfg_parser *p, int node, const char *prop, const char *fmt, ...)
{
	struct cfg_errors *e = p->errs;
	va_list ap;

	if (e->nwarn >= CFG_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vmsg(p, e->warn[e->nwarn++], node, prop, fmt, ap);
	va_end(ap);
}

bool name_is(const char *name, const char *const list[])
{
	for (; *list; list++) {
		size_t n = strlen(*list);
		if (n && (*list)[n - 1] == '*' ? strncmp(name, *list, n - 1) == 0
					       : strcmp(name, *list) == 0)
			return true;
	}
	return false;
}

const char *const CFG_ANY_NODE[] = { NULL };

void check_known(struct cfg_parser *p, int node, const char *const props[],
		 const char *const nodes[])
{
	int off, child;

	cfdt_for_each_property_offset(off, p->fdt, node) {
		const char *name;
		if (!cfdt_getprop_by_offset(p->fdt, off, &name, NULL))
			continue;
		if (!name_is(name, props))
			perr(p, node, name, "unknown property");
	}
	if (nodes == CFG_ANY_NODE)
		return;
	cfdt_for_each_subnode(child, p->fdt, node) {
		char base[CFG_PATH_MAX];
		const char *n = cfdt_get_name(p->fdt, child, NULL);
		size_t len = strcspn(n, "@");
		if (len >= sizeof(base))
			len = sizeof(base) - 1;
		memcpy(base, n, len);
		base[len] = 0;
		if (!nodes || !name_is(base, nodes))
			perr(p, child, NULL, "unknown node");
	}
}

const char *get_string(struct cfg_parser *p, int node, const char *prop, size_t max,
		       bool required)
{
	int len;
	const char *s = cfdt_getprop(p->fdt, node, prop, &len);

	if (!s) {
		if (required)
			perr(p, node, prop, "missing");
		return NULL;
	}
	if (len < 1 || s[len - 1] != 0 || strlen(s) != (size_t)len - 1) {
		perr(p, node, prop, "must be a single string");
		return NULL;
	}
	if ((size_t)len > max) {
		perr(p, node, prop, "longer than %zu bytes", max - 1);
		return NULL;
	}
	return s;
}

bool cfg_flag(struct cfg_parser *p, int node, const char *prop)
{
	int len;

	if (!cfdt_getprop(p->fdt, node, prop, &len))
		return false;
	if (len != 0)
		perr(p, node, prop, "must be empty (a flag)");
	return true;
}

bool cfg_u32(struct cfg_parser *p, int node, const char *prop, uint32_t *v, const char *what)
{
	int len;
	const fdt32_t *c = cfdt_getprop(p->fdt, node, prop, &len);

	if (!c)
		return false;
	if (len != 4) {
		perr(p, node, prop, "must be 1 cell%s", what ? what : "");
		return false;
	}
	*v = fdt32_to_cpu(*c);
	return true;
}

int cfg_choice(struct cfg_parser *p, int node, const char *prop, const char *const choices[],
	       int dflt)
{
	const char *s = get_string(p, node, prop, 16, false);
	char list[96] = "";

	if (!s)
		return dflt;
	for (int i = 0; choices[i]; i++)
		if (strcmp(s, choices[i]) == 0)
			return i;
	for (int i = 0; choices[i]; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
			 choices[i]);
	perr(p, node, prop, "'%s' is not one of %s", s, list);
	return -1;
}

uint64_t be_cells(const void *cells, int n)
{
	const fdt32_t *c = cells;
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_to_cpu(c[i]);
	return v;
}

void parse_blob(struct cfg_parser *p, int node, const char *prop, struct blob_ref *b,
		bool required)
{
	const char *s = get_string(p, node, prop, sizeof(b->name), required);
	int64_t sz;

	if (!s)
		return;
	strcpy(b->name, s);
	sz = p->blob_size ? p->blob_size(p->blob_ctx, s, NULL, 0) : -1;
	if (sz < 0) {
		perr(p, node, prop, "image '%s' not found", s);
		return;
	}
	b->size = (uint64_t)sz;
	b->present = true;
}

bool take_name(struct cfg_parser *p, int node, const char *what, char out[CFG_NAME_MAX])
{
	const char *name = cfdt_get_name(p->fdt, node, NULL);

	if (!name || strlen(name) >= CFG_NAME_MAX || strchr(name, '@')) {
		perr(p, node, NULL, "%s name must be at most %d characters, without '@'", what,
		     CFG_NAME_MAX - 1);
		return false;
	}
	strcpy(out, name);
	return true;
}

unsigned cfg_named_children(struct cfg_parser *p, const char *root, const char *what,
			    unsigned max, bool required, named_child_fn fn)
{
	int node = -1, child, seen[16];
	unsigned n = 0, nseen = 0;

	cfdt_for_each_subnode(child, p->fdt, 0) {
		const char *name = cfdt_get_name(p->fdt, child, NULL);
		if (!name || strcmp(name, root) != 0)
			continue;
		if (node >= 0)
			perr(p, child, NULL, "node defined twice");
		else
			node = child;
	}
	if (node < 0) {
		if (required)
			perr(p, 0, root, "node missing");
		return 0;
	}
	check_known(p, node, (const char *const[]){ NULL }, CFG_ANY_NODE);
	cfdt_for_each_subnode(child, p->fdt, node) {
		char name[CFG_NAME_MAX];
		bool dup = false;

		if (n >= max) {
			perr(p, node, NULL, "more than %u %ss", max, what);
			break;
		}
		if (!take_name(p, child, what, name))
			continue;
		for (unsigned i = 0; i < nseen; i++)
			dup |= strcmp(cfdt_get_name(p->fdt, seen[i], NULL), name) == 0;
		if (dup)
			perr(p, child, NULL, "%s name used twice", what);
		else if (nseen < ARRAY_SIZE(seen))
			seen[nseen++] = child;
		fn(p, child, n++);
	}
	return n;
}

int cfg_ref(struct cfg_parser *p, int node, const char *prop, const char *root,
	    int (*find)(const struct hv_config *cfg, const char *name))
{
	const char *s = get_string(p, node, prop, CFG_NAME_MAX, true);
	int i;

	if (!s)
		return -1;
	i = find(p->cfg, s);
	if (i < 0)
		perr(p, node, prop, "'%s' is not a node of /%s", s, root);
	return i;
}

int cfg_root_node(struct cfg_parser *p, const char *name)
{
	int node = -1, child;

	cfdt_for_each_subnode(child, p->fdt, 0)
		if (strcmp(cfdt_get_name(p->fdt, child, NULL), name) == 0) {
			if (node >= 0)
				perr(p, child, NULL, "node defined twice");
			node = child;
		}
	return node;
}
