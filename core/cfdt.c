/* Reading a checked device tree (include/hv/cfdt.h). Offsets are libfdt's:
 * from the start of the structure block. Every step is bounded by the
 * blocks the header gives; anything unexpected (an offset that is not a
 * node or a property, a tag that does not parse, a name outside the
 * strings block, a tree older than version 17) goes to libfdt, so what
 * libfdt answers there is the answer. */
#include <hv/cfdt.h>
#include <stdbool.h>
#include <string.h>

struct view {
	const uint8_t *s;  /* structure block */
	const char *str;   /* strings block */
	uint32_t ssize, strsize;
};

static inline uint32_t be32(const void *p)
{
	fdt32_t v;
	__builtin_memcpy(&v, p, sizeof(v)); /* inlined: a plain (unaligned) load */
	return fdt32_to_cpu(v);
}

static bool view_of(const void *fdt, struct view *v)
{
	const uint8_t *h = fdt;
	uint32_t total, so, ss, to, ts;

	if (be32(h) != FDT_MAGIC || be32(h + 20) < 17 || be32(h + 24) > 17)
		return false;
	total = be32(h + 4);
	so = be32(h + 8);
	to = be32(h + 12);
	ts = be32(h + 32);
	ss = be32(h + 36);
	if (so > total || ss > total - so || to > total || ts > total - to)
		return false;
	v->s = h + so;
	v->ssize = ss;
	v->str = (const char *)h + to;
	v->strsize = ts;
	return true;
}

/* The tag at off; *next: the offset after it, negative when the tag does
 * not parse or leaves the block (the caller then asks libfdt). */
static uint32_t next_tag(const struct view *v, int off, int *next)
{
	uint32_t tag, end;

	*next = -FDT_ERR_BADSTRUCTURE;
	if (off < 0 || (off & 3) || v->ssize < 4 || (uint32_t)off > v->ssize - 4)
		return FDT_END;
	tag = be32(v->s + off);
	switch (tag) {
	case FDT_BEGIN_NODE: {
		const uint8_t *name = v->s + off + 4;
		const uint8_t *nul = memchr(name, 0, v->ssize - (uint32_t)off - 4);
		if (!nul)
			return FDT_END;
		end = (uint32_t)(nul + 1 - v->s);
		break;
	}
	case FDT_PROP: {
		uint32_t len;
		if (v->ssize - (uint32_t)off < 12)
			return FDT_END;
		len = be32(v->s + off + 4);
		if (len > v->ssize - (uint32_t)off - 12)
			return FDT_END;
		end = (uint32_t)off + 12 + len;
		break;
	}
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		end = (uint32_t)off + 4;
		break;
	default:
		return FDT_END;
	}
	end = (end + 3) & ~3u;
	if (end > INT32_MAX)
		return FDT_END;
	*next = (int)end;
	return tag;
}

/* node is a node: *after, the offset after its BEGIN_NODE tag. */
static bool is_tag(const struct view *v, int off, uint32_t want, int *after)
{
	return next_tag(v, off, after) == want && *after >= 0;
}

/* From off (inside a node, after its tag or a property), the first
 * subnode: its offset, -FDT_ERR_NOTFOUND, or 1 when libfdt must answer. */
static int first_sub(const struct view *v, int off)
{
	for (;;) {
		int next;
		uint32_t tag = next_tag(v, off, &next);
		if (next < 0)
			return 1;
		if (tag == FDT_BEGIN_NODE)
			return off;
		if (tag != FDT_PROP && tag != FDT_NOP)
			return -FDT_ERR_NOTFOUND;
		off = next;
	}
}

/* After node's tag, its next sibling (as first_sub answers). */
static int next_sub(const struct view *v, int off)
{
	int depth = 1;

	for (;;) {
		int next;
		uint32_t tag = next_tag(v, off, &next);
		if (next < 0)
			return 1;
		if (tag == FDT_BEGIN_NODE) {
			if (depth == 0)
				return off;
			depth++;
		} else if (tag == FDT_END_NODE) {
			if (--depth < 0)
				return -FDT_ERR_NOTFOUND;
		} else if (tag == FDT_END) {
			return -FDT_ERR_NOTFOUND;
		}
		off = next;
	}
}

/* From off, the first property of the node (as first_sub answers). */
static int next_prop(const struct view *v, int off)
{
	for (;;) {
		int next;
		uint32_t tag = next_tag(v, off, &next);
		if (next < 0)
			return 1;
		if (tag == FDT_PROP)
			return off;
		if (tag != FDT_NOP)
			return -FDT_ERR_NOTFOUND;
		off = next;
	}
}

const char *cfdt_get_name(const void *fdt, int node, int *lenp)
{
	struct view v;
	int after;
	const char *n;

	if (!view_of(fdt, &v) || !is_tag(&v, node, FDT_BEGIN_NODE, &after))
		return fdt_get_name(fdt, node, lenp);
	n = (const char *)v.s + node + 4;
	if (lenp)
		*lenp = (int)strlen(n);
	return n;
}

const void *cfdt_getprop(const void *fdt, int node, const char *name, int *lenp)
{
	struct view v;
	size_t nl = strlen(name);
	int off;

	if (!view_of(fdt, &v) || !is_tag(&v, node, FDT_BEGIN_NODE, &off))
		return fdt_getprop(fdt, node, name, lenp);
	for (;;) {
		int next;
		uint32_t tag = next_tag(&v, off, &next);
		if (next < 0)
			return fdt_getprop(fdt, node, name, lenp);
		if (tag == FDT_PROP) {
			uint32_t no = be32(v.s + off + 8);
			if (no < v.strsize && nl < v.strsize - no &&
			    memcmp(v.str + no, name, nl + 1) == 0) {
				if (lenp)
					*lenp = (int)be32(v.s + off + 4);
				return v.s + off + 12;
			}
		} else if (tag != FDT_NOP) {
			break;
		}
		off = next;
	}
	if (lenp)
		*lenp = -FDT_ERR_NOTFOUND;
	return NULL;
}

int cfdt_first_subnode(const void *fdt, int node)
{
	struct view v;
	int off, r;

	if (!view_of(fdt, &v) || !is_tag(&v, node, FDT_BEGIN_NODE, &off) || (r = first_sub(&v, off)) == 1)
		return fdt_first_subnode(fdt, node);
	return r;
}

int cfdt_next_subnode(const void *fdt, int node)
{
	struct view v;
	int off, r;

	if (!view_of(fdt, &v) || !is_tag(&v, node, FDT_BEGIN_NODE, &off) || (r = next_sub(&v, off)) == 1)
		return fdt_next_subnode(fdt, node);
	return r;
}

int cfdt_subnode_offset(const void *fdt, int parent, const char *name)
{
	struct view v;
	size_t nl = strlen(name);
	bool unit = memchr(name, '@', nl) != NULL;
	int off, child;

	if (!view_of(fdt, &v) || !is_tag(&v, parent, FDT_BEGIN_NODE, &off))
		return fdt_subnode_offset(fdt, parent, name);
	for (child = first_sub(&v, off); child >= 0 && child != 1;) {
		/* libfdt's rule: "name" also finds "name@unit" when name has no
		 * unit address of its own. */
		const char *n = (const char *)v.s + child + 4;
		int after;
		if (strncmp(n, name, nl) == 0 && (n[nl] == 0 || (!unit && n[nl] == '@')))
			return child;
		next_tag(&v, child, &after);
		child = next_sub(&v, after);
	}
	return child == 1 ? fdt_subnode_offset(fdt, parent, name) : child;
}

int cfdt_first_property_offset(const void *fdt, int node)
{
	struct view v;
	int off, r;

	if (!view_of(fdt, &v) || !is_tag(&v, node, FDT_BEGIN_NODE, &off) || (r = next_prop(&v, off)) == 1)
		return fdt_first_property_offset(fdt, node);
	return r;
}

int cfdt_next_property_offset(const void *fdt, int prop)
{
	struct view v;
	int off, r;

	if (!view_of(fdt, &v) || !is_tag(&v, prop, FDT_PROP, &off) || (r = next_prop(&v, off)) == 1)
		return fdt_next_property_offset(fdt, prop);
	return r;
}

const void *cfdt_getprop_by_offset(const void *fdt, int prop, const char **namep, int *lenp)
{
	struct view v;
	int after;
	uint32_t no;

	if (!view_of(fdt, &v) || !is_tag(&v, prop, FDT_PROP, &after))
		return fdt_getprop_by_offset(fdt, prop, namep, lenp);
	no = be32(v.s + prop + 8);
	if (no >= v.strsize || !memchr(v.str + no, 0, v.strsize - no))
		return fdt_getprop_by_offset(fdt, prop, namep, lenp);
	if (namep)
		*namep = v.str + no;
	if (lenp)
		*lenp = (int)be32(v.s + prop + 4);
	return v.s + prop + 12;
}

/* The structure block, walked tag by tag with every offset bounded (our
 * own walk: libfdt 1.6.1's fdt_check_full loops for ever on some blobs).
 * Nodes nest properly inside one root (whose name is empty), at most 64
 * levels deep (a partition file needs four), names end
 * inside the block, every
 * property's value fits and its name is a string of the strings block. */
static bool struct_ok(const uint8_t *b, uint32_t off, uint32_t size, uint32_t soff, uint32_t ssize)
{
	uint32_t p = off, end = off + size;
	unsigned depth = 0;
	bool root = false;

	if (off % 4)
		return false;
	for (;;) {
		if (end - p < 4)
			return false;
		uint32_t tag = fdt32_to_cpu(*(const fdt32_t *)(b + p));
		p += 4;
		switch (tag) {
		case FDT_BEGIN_NODE: {
			if ((root && depth == 0) || depth >= 64)
				return false;
			const uint8_t *nul = memchr(b + p, 0, end - p);
			if (!nul || (!root && nul != b + p)) /* the root's name is empty */
				return false;
			p += (uint32_t)(nul - (b + p)) + 1;
			p = (p + 3) & ~3u;
			if (p > end)
				return false;
			depth++;
			root = true;
			break;
		}
		case FDT_END_NODE:
			if (depth == 0)
				return false;
			depth--;
			break;
		case FDT_PROP: {
			if (depth == 0 || end - p < 8)
				return false;
			uint32_t len = fdt32_to_cpu(*(const fdt32_t *)(b + p));
			uint32_t name = fdt32_to_cpu(*(const fdt32_t *)(b + p + 4));
			p += 8;
			if (len > end - p || name >= ssize || !memchr(b + soff + name, 0, ssize - name))
				return false;
			p += len;
			p = (p + 3) & ~3u;
			if (p > end)
				return false;
			break;
		}
		case FDT_NOP:
			break;
		case FDT_END:
			return root && depth == 0;
		default:
			return false;
		}
	}
}

bool cfdt_blob_ok(const void *fdt, size_t size)
{
	uint32_t total;

	if (!fdt || size < sizeof(struct fdt_header) || ((uintptr_t)fdt & 3) || fdt_magic(fdt) != FDT_MAGIC ||
	    fdt_version(fdt) != 17 || fdt_last_comp_version(fdt) > 17)
		return false;
	total = fdt_totalsize(fdt);
	if (total > size || total < sizeof(struct fdt_header) ||
	    fdt_off_mem_rsvmap(fdt) < sizeof(struct fdt_header) || fdt_off_mem_rsvmap(fdt) > total ||
	    fdt_off_mem_rsvmap(fdt) % 8 ||
	    fdt_off_dt_struct(fdt) > total || fdt_size_dt_struct(fdt) > total - fdt_off_dt_struct(fdt) ||
	    fdt_off_dt_strings(fdt) > total || fdt_size_dt_strings(fdt) > total - fdt_off_dt_strings(fdt))
		return false;
	/* The memory reservation block ends (a zero entry) inside the blob. */
	for (uint32_t r = fdt_off_mem_rsvmap(fdt);; r += 16) {
		if (total - r < 16)
			return false;
		uint64_t e[2];
		memcpy(e, (const uint8_t *)fdt + r, sizeof(e));
		if (!e[0] && !e[1])
			break;
	}
	return fdt_check_header(fdt) == 0 &&
	       struct_ok(fdt, fdt_off_dt_struct(fdt), fdt_size_dt_struct(fdt), fdt_off_dt_strings(fdt),
			 fdt_size_dt_strings(fdt));
}
