/* Partition file parser and validator. The same code runs in the host
 * checker (tools/hvcheck) and at boot: the DTB is untrusted input, so every
 * property is checked for presence, type and size before use, and every
 * problem is reported with its node path and property name. */
#include <hv/config.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct parser {
	const void *fdt;
	const struct platform_desc *plat;
	struct cfg_errors *errs;
	struct hv_config *cfg;
	blob_size_fn blob_size;
	void *blob_ctx;
	char part_path[CONFIG_MAX_PARTITIONS][CFG_PATH_MAX];
	int disk_node[CONFIG_MAX_PARTITIONS][CFG_MAX_DISKS];
	int net_node[CONFIG_MAX_PARTITIONS];
};

static void perr(struct parser *p, int node, const char *prop, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The node's path; when it does not fit, ".../" and the node's name. */
static void node_path(const void *fdt, int node, char path[CFG_PATH_MAX])
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

static void perr(struct parser *p, int node, const char *prop, const char *fmt, ...)
{
	struct cfg_errors *e = p->errs;
	char path[CFG_PATH_MAX];
	va_list ap;
	size_t n;

	if (e->count >= CFG_MAX_ERRORS) {
		e->count++;
		return;
	}
	node_path(p->fdt, node, path);
	n = (size_t)snprintf(e->msg[e->count], CFG_ERR_LEN, "%s: %s%s", path,
			     prop ? prop : "", prop ? ": " : "");
	if (n < CFG_ERR_LEN) {
		va_start(ap, fmt);
		vsnprintf(e->msg[e->count] + n, CFG_ERR_LEN - n, fmt, ap);
		va_end(ap);
	}
	e->count++;
}

/* An entry ending in '*' matches every name it begins. */
static bool name_is(const char *name, const char *list[])
{
	for (; *list; list++) {
		size_t n = strlen(*list);
		if (n && (*list)[n - 1] == '*' ? strncmp(name, *list, n - 1) == 0
					       : strcmp(name, *list) == 0)
			return true;
	}
	return false;
}

/* Every property and subnode must be one the schema knows; nodes == NULL
 * allows no subnode, ANY_NODE allows any. */
static const char *ANY_NODE[] = { NULL };

static void check_known(struct parser *p, int node, const char *props[], const char *nodes[])
{
	int off, child;

	fdt_for_each_property_offset(off, p->fdt, node) {
		const char *name;
		if (!fdt_getprop_by_offset(p->fdt, off, &name, NULL))
			continue;
		if (!name_is(name, props))
			perr(p, node, name, "unknown property");
	}
	fdt_for_each_subnode(child, p->fdt, node) {
		char base[CFG_PATH_MAX];
		const char *n = fdt_get_name(p->fdt, child, NULL);
		size_t len = strcspn(n, "@");
		if (len >= sizeof(base))
			len = sizeof(base) - 1;
		memcpy(base, n, len);
		base[len] = 0;
		if (nodes == ANY_NODE)
			continue;
		if (!nodes || !name_is(base, nodes))
			perr(p, child, NULL, "unknown node");
	}
}

/* A string property: present, NUL-terminated, one string, within max. */
static const char *get_string(struct parser *p, int node, const char *prop, size_t max,
			      bool required)
{
	int len;
	const char *s = fdt_getprop(p->fdt, node, prop, &len);

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

static uint64_t be_cells(const fdt32_t *c, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_to_cpu(c[i]);
	return v;
}

static void parse_hypervisor(struct parser *p, int node)
{
	static const char *props[] = { "log-level", NULL };
	static const char *levels[] = { "error", "warn", "info", "debug", NULL };
	const char *s;

	p->cfg->log_level = 2;
	if (node < 0)
		return;
	check_known(p, node, props, NULL);
	s = get_string(p, node, "log-level", 16, false);
	if (!s)
		return;
	for (unsigned i = 0; levels[i]; i++)
		if (strcmp(s, levels[i]) == 0) {
			p->cfg->log_level = i;
			return;
		}
	perr(p, node, "log-level", "'%s' is not one of error, warn, info, debug", s);
}

static void parse_cpus(struct parser *p, int node, unsigned idx, struct part_config *pc)
{
	int len;
	const fdt32_t *c = fdt_getprop(p->fdt, node, "cpus", &len);

	if (!c) {
		perr(p, node, "cpus", "missing");
		return;
	}
	if (len == 0 || len % 4) {
		perr(p, node, "cpus", "length %d is not a non-empty list of 1-cell CPU numbers", len);
		return;
	}
	for (int i = 0; i < len / 4; i++) {
		uint32_t cpu = fdt32_to_cpu(c[i]);
		if (cpu >= p->plat->ncpus || cpu >= CONFIG_MAX_CPUS) {
			perr(p, node, "cpus", "CPU %u does not exist (the board has %u)", cpu,
			     p->plat->ncpus);
			continue;
		}
		for (unsigned j = 0; j < pc->ncpus; j++)
			if (pc->cpus[j] == cpu)
				goto dup_self;
		for (unsigned q = 0; q < idx; q++)
			for (unsigned j = 0; j < p->cfg->parts[q].ncpus; j++)
				if (p->cfg->parts[q].cpus[j] == cpu) {
					perr(p, node, "cpus", "CPU %u already belongs to %s", cpu,
					     p->part_path[q]);
					goto next;
				}
		pc->cpus[pc->ncpus++] = (uint8_t)cpu;
		continue;
dup_self:
		perr(p, node, "cpus", "CPU %u listed twice", cpu);
next:;
	}
}

static void parse_memory(struct parser *p, int node, unsigned idx, struct part_config *pc)
{
	const int cells = 4; /* #address-cells = 2, #size-cells = 2 */
	int len;
	const fdt32_t *c = fdt_getprop(p->fdt, node, "memory", &len);

	if (!c) {
		perr(p, node, "memory", "missing");
		return;
	}
	if (len == 0 || len % (cells * 4)) {
		perr(p, node, "memory",
		     "length %d is not a non-empty list of <base size> pairs of 2 cells each", len);
		return;
	}
	if (len / (cells * 4) > CONFIG_MAX_MEM_RANGES) {
		perr(p, node, "memory", "more than %d ranges", CONFIG_MAX_MEM_RANGES);
		return;
	}
	for (int i = 0; i < len / (cells * 4); i++) {
		uint64_t base = be_cells(c + i * cells, 2), size = be_cells(c + i * cells + 2, 2);
		const struct platform_desc *pl = p->plat;
		bool bad = false;

		if (size == 0) {
			perr(p, node, "memory", "range %d has size 0", i);
			continue;
		}
		if (!IS_ALIGNED(base, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE)) {
			perr(p, node, "memory", "range [0x%llx, +0x%llx) is not 4 KiB aligned",
			     (unsigned long long)base, (unsigned long long)size);
			continue;
		}
		if (!range_within(base, size, pl->ram.base, pl->ram.size)) {
			perr(p, node, "memory", "range [0x%llx, +0x%llx) is outside RAM [0x%llx, +0x%llx)",
			     (unsigned long long)base, (unsigned long long)size,
			     (unsigned long long)pl->ram.base, (unsigned long long)pl->ram.size);
			bad = true;
		}
		if (range_overlaps(base, size, pl->hv.base, pl->hv.size)) {
			perr(p, node, "memory",
			     "range [0x%llx, +0x%llx) overlaps the hypervisor's memory [0x%llx, +0x%llx)",
			     (unsigned long long)base, (unsigned long long)size,
			     (unsigned long long)pl->hv.base, (unsigned long long)pl->hv.size);
			bad = true;
		}
		for (unsigned j = 0; j < pc->nmem; j++)
			if (range_overlaps(base, size, pc->mem[j].base, pc->mem[j].size)) {
				perr(p, node, "memory", "range %d overlaps range %u of the same partition", i, j);
				bad = true;
			}
		for (unsigned q = 0; q < idx; q++)
			for (unsigned j = 0; j < p->cfg->parts[q].nmem; j++) {
				const struct mem_range *o = &p->cfg->parts[q].mem[j];
				if (range_overlaps(base, size, o->base, o->size)) {
					perr(p, node, "memory", "range [0x%llx, +0x%llx) overlaps %s",
					     (unsigned long long)base, (unsigned long long)size,
					     p->part_path[q]);
					bad = true;
				}
			}
		if (!bad)
			pc->mem[pc->nmem++] = (struct mem_range){ base, size };
	}
}

static void parse_blob(struct parser *p, int node, const char *prop, struct blob_ref *b,
		       bool required)
{
	const char *s = get_string(p, node, prop, sizeof(b->name), required);
	int64_t sz;

	if (!s)
		return;
	strcpy(b->name, s);
	sz = p->blob_size ? p->blob_size(p->blob_ctx, s) : -1;
	if (sz < 0) {
		perr(p, node, prop, "image '%s' not found", s);
		return;
	}
	b->size = (uint64_t)sz;
	b->present = true;
}

/* A node's name as the name of a partition, backend or segment: at most
 * CFG_NAME_MAX - 1 characters, no unit address. */
static bool take_name(struct parser *p, int node, const char *what, char out[CFG_NAME_MAX])
{
	const char *name = fdt_get_name(p->fdt, node, NULL);

	if (!name || strlen(name) >= CFG_NAME_MAX || strchr(name, '@')) {
		perr(p, node, NULL, "%s name must be at most %d characters, without '@'", what,
		     CFG_NAME_MAX - 1);
		return false;
	}
	strcpy(out, name);
	return true;
}

/* A boolean property: present and empty. */
static bool get_flag(struct parser *p, int node, const char *prop)
{
	int len;

	if (!fdt_getprop(p->fdt, node, prop, &len))
		return false;
	if (len != 0)
		perr(p, node, prop, "must be empty (a flag)");
	return true;
}

static void parse_storage(struct parser *p, int node)
{
	static const char *props[] = { "type", "index", "image", NULL };
	struct hv_config *cfg = p->cfg;
	int child;

	if (node < 0)
		return;
	check_known(p, node, (const char *[]){ NULL }, ANY_NODE);
	fdt_for_each_subnode(child, p->fdt, node) {
		const char *t;
		struct backend_config *b;
		const fdt32_t *c;
		int len;

		if (cfg->nbackends >= CFG_MAX_BACKENDS) {
			perr(p, node, NULL, "more than %d backends", CFG_MAX_BACKENDS);
			return;
		}
		b = &cfg->backend[cfg->nbackends];
		check_known(p, child, props, NULL);
		if (!take_name(p, child, "backend", b->name))
			continue;
		t = get_string(p, child, "type", 16, true);
		if (!t)
			continue;
		if (strcmp(t, "virtio-blk") == 0) {
			b->kind = BACKEND_VIRTIO_BLK;
			c = fdt_getprop(p->fdt, child, "index", &len);
			if (c && len != 4) {
				perr(p, child, "index", "must be 1 cell");
				continue;
			}
			if (c)
				b->index = fdt32_to_cpu(*c);
			if (b->index >= CFG_MAX_BACKENDS) {
				perr(p, child, "index", "%u: at most %d physical devices are driven",
				     b->index, CFG_MAX_BACKENDS);
				continue;
			}
			for (unsigned i = 0; i < cfg->nbackends; i++)
				if (cfg->backend[i].kind == BACKEND_VIRTIO_BLK &&
				    cfg->backend[i].index == b->index)
					perr(p, child, "index", "physical virtio-blk %u is already backend %s",
					     b->index, cfg->backend[i].name);
			if (fdt_getprop(p->fdt, child, "image", NULL))
				perr(p, child, "image", "only a ram backend has an image");
		} else if (strcmp(t, "ram") == 0) {
			b->kind = BACKEND_RAM;
			parse_blob(p, child, "image", &b->image, true);
			if (b->image.present && (b->image.size == 0 || b->image.size % CFG_SECTOR))
				perr(p, child, "image", "image '%s' (%llu bytes) is not a non-empty "
				     "multiple of 512 bytes", b->image.name,
				     (unsigned long long)b->image.size);
			if (fdt_getprop(p->fdt, child, "index", NULL))
				perr(p, child, "index", "only a virtio-blk backend has an index");
		} else {
			perr(p, child, "type", "'%s' is not one of virtio-blk, ram", t);
			continue;
		}
		for (unsigned i = 0; i < cfg->nbackends; i++)
			if (strcmp(cfg->backend[i].name, b->name) == 0)
				perr(p, child, NULL, "backend name used twice");
		cfg->nbackends++;
	}
}

/* Known size of a backend in sectors, or 0 when only the hardware knows
 * (checked against the device at boot). */
static uint64_t backend_sectors(const struct backend_config *b)
{
	return b->kind == BACKEND_RAM && b->image.present ? b->image.size / CFG_SECTOR : 0;
}

static void parse_disk(struct parser *p, int node, unsigned idx, struct part_config *pc)
{
	static const char *props[] = { "backend", "window", "read-only", "write-policy",
				       "shared", NULL };
	const char *name = fdt_get_name(p->fdt, node, NULL), *s;
	struct disk_config *d;
	const fdt32_t *c;
	int len;

	if (pc->ndisks >= CFG_MAX_DISKS) {
		perr(p, node, NULL, "more than %d disks in one partition", CFG_MAX_DISKS);
		return;
	}
	d = &pc->disk[pc->ndisks];
	check_known(p, node, props, NULL);
	if (strlen(name) >= CFG_NAME_MAX) {
		perr(p, node, NULL, "disk name longer than %d characters", CFG_NAME_MAX - 1);
		return;
	}
	strcpy(d->name, name);
	s = get_string(p, node, "backend", CFG_NAME_MAX, true);
	if (!s)
		return;
	d->backend = CFG_MAX_BACKENDS;
	for (unsigned i = 0; i < p->cfg->nbackends; i++)
		if (strcmp(p->cfg->backend[i].name, s) == 0)
			d->backend = i;
	if (d->backend == CFG_MAX_BACKENDS) {
		perr(p, node, "backend", "'%s' is not a node of /storage", s);
		return;
	}
	d->read_only = get_flag(p, node, "read-only");
	d->shared = get_flag(p, node, "shared");
	s = get_string(p, node, "write-policy", 16, false);
	if (s && strcmp(s, "reliable") == 0)
		d->reliable = true;
	else if (s && strcmp(s, "normal") != 0)
		perr(p, node, "write-policy", "'%s' is not one of reliable, normal", s);

	c = fdt_getprop(p->fdt, node, "window", &len);
	if (!c) {
		d->whole = true;
	} else if (len != 16) {
		perr(p, node, "window", "must be <first-sector sectors>, 2 cells each, got %d bytes",
		     len);
		return;
	} else {
		uint64_t size = backend_sectors(&p->cfg->backend[d->backend]);
		d->start = be_cells(c, 2);
		d->sectors = be_cells(c + 2, 2);
		if (d->sectors == 0 || d->start + d->sectors < d->start) {
			perr(p, node, "window", "empty or wrapping window");
			return;
		}
		if (size && d->start + d->sectors > size) {
			perr(p, node, "window", "sectors [%llu, +%llu) go past the end of backend %s "
			     "(%llu sectors)", (unsigned long long)d->start,
			     (unsigned long long)d->sectors, p->cfg->backend[d->backend].name,
			     (unsigned long long)size);
			return;
		}
	}
	p->disk_node[idx][pc->ndisks++] = node;
}

static void parse_network(struct parser *p, int node)
{
	static const char *props[] = { "uplink", NULL };
	struct hv_config *cfg = p->cfg;
	int child;

	if (node < 0)
		return;
	check_known(p, node, (const char *[]){ NULL }, ANY_NODE);
	fdt_for_each_subnode(child, p->fdt, node) {
		struct segment_config *sg;
		const fdt32_t *c;
		int len;

		if (cfg->nsegments >= CFG_MAX_SEGMENTS) {
			perr(p, node, NULL, "more than %d segments", CFG_MAX_SEGMENTS);
			return;
		}
		sg = &cfg->segment[cfg->nsegments];
		check_known(p, child, props, NULL);
		if (!take_name(p, child, "segment", sg->name))
			continue;
		sg->uplink = CFG_NO_UPLINK;
		c = fdt_getprop(p->fdt, child, "uplink", &len);
		if (c && len != 4) {
			perr(p, child, "uplink", "must be 1 cell (the physical virtio-net number)");
			continue;
		}
		if (c) {
			sg->uplink = fdt32_to_cpu(*c);
			if (sg->uplink >= CFG_MAX_UPLINKS) {
				perr(p, child, "uplink", "%u: at most %d physical NICs are driven",
				     sg->uplink, CFG_MAX_UPLINKS);
				continue;
			}
			for (unsigned i = 0; i < cfg->nsegments; i++)
				if (cfg->segment[i].uplink == sg->uplink)
					perr(p, child, "uplink", "physical virtio-net %u is already the uplink "
					     "of %s", sg->uplink, cfg->segment[i].name);
		}
		for (unsigned i = 0; i < cfg->nsegments; i++)
			if (strcmp(cfg->segment[i].name, sg->name) == 0)
				perr(p, child, NULL, "segment name used twice");
		cfg->nsegments++;
	}
}

/* A locally administered unicast address from the partition's name, the
 * same on every boot: 02:42 and a 32-bit FNV-1a hash of the name. */
static void derive_mac(const char *name, uint8_t mac[6])
{
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	mac[0] = 0x02;
	mac[1] = 0x42;
	for (unsigned i = 0; i < 4; i++)
		mac[2 + i] = (uint8_t)(h >> (24 - 8 * i));
}

static void parse_net(struct parser *p, int node, unsigned idx, struct part_config *pc)
{
	static const char *props[] = { "segment", "mac-address", "mtu", "mac-change", NULL };
	struct net_config *n = &pc->net;
	const uint8_t *mac;
	const fdt32_t *c;
	const char *s;
	int len;

	if (n->present) {
		perr(p, node, NULL, "a partition has at most one virtio-net");
		return;
	}
	check_known(p, node, props, NULL);
	s = get_string(p, node, "segment", CFG_NAME_MAX, true);
	if (!s)
		return;
	n->segment = CFG_MAX_SEGMENTS;
	for (unsigned i = 0; i < p->cfg->nsegments; i++)
		if (strcmp(p->cfg->segment[i].name, s) == 0)
			n->segment = i;
	if (n->segment == CFG_MAX_SEGMENTS) {
		perr(p, node, "segment", "'%s' is not a node of /network", s);
		return;
	}
	mac = fdt_getprop(p->fdt, node, "mac-address", &len);
	if (mac) {
		static const uint8_t zero[6];
		if (len != 6) {
			perr(p, node, "mac-address", "must be 6 bytes, got %d", len);
			return;
		}
		if ((mac[0] & 1) || memcmp(mac, zero, 6) == 0) {
			perr(p, node, "mac-address", "must be a unicast address, not zero");
			return;
		}
		memcpy(n->mac, mac, 6);
	} else {
		derive_mac(fdt_get_name(p->fdt, fdt_parent_offset(p->fdt, node), NULL), n->mac);
	}
	n->mtu = CFG_NET_MTU_MAX;
	c = fdt_getprop(p->fdt, node, "mtu", &len);
	if (c) {
		uint32_t v = len == 4 ? fdt32_to_cpu(*c) : 0;
		if (v < CFG_NET_MTU_MIN || v > CFG_NET_MTU_MAX) {
			perr(p, node, "mtu", "must be 1 cell from %d to %d", CFG_NET_MTU_MIN,
			     CFG_NET_MTU_MAX);
			return;
		}
		n->mtu = (uint16_t)v;
	}
	s = get_string(p, node, "mac-change", 16, false);
	if (s && strcmp(s, "allow") == 0)
		n->mac_change = true;
	else if (s && strcmp(s, "deny") != 0)
		perr(p, node, "mac-change", "'%s' is not one of allow, deny", s);
	n->present = true;
	p->net_node[idx] = node;
}

/* Two ports of one segment may not share a MAC: the switch could not tell
 * them apart. */
static void check_macs(struct parser *p)
{
	for (unsigned a = 0; a < p->cfg->nparts; a++)
		for (unsigned b = 0; b < a; b++) {
			const struct net_config *x = &p->cfg->parts[a].net, *y = &p->cfg->parts[b].net;
			if (x->present && y->present && x->segment == y->segment &&
			    memcmp(x->mac, y->mac, 6) == 0)
				perr(p, p->net_node[a], "mac-address", "the same as %s's on segment %s",
				     p->part_path[b], p->cfg->segment[x->segment].name);
		}
}

/* A RAM disk is written in place in the image: its image may not also be
 * another RAM disk's, nor a partition's kernel or initrd (a write would
 * change what another partition boots). */
static void check_ram_images(struct parser *p)
{
	static const char *const what[] = { "kernel", "initrd" };
	const struct hv_config *cfg = p->cfg;
	int storage = fdt_subnode_offset(p->fdt, 0, "storage");

	for (unsigned i = 0; i < cfg->nbackends; i++) {
		const struct backend_config *b = &cfg->backend[i];
		int node = storage >= 0 ? fdt_subnode_offset(p->fdt, storage, b->name) : -1;
		if (b->kind != BACKEND_RAM || !b->image.present)
			continue;
		for (unsigned j = 0; j < i; j++)
			if (cfg->backend[j].kind == BACKEND_RAM &&
			    strcmp(cfg->backend[j].image.name, b->image.name) == 0)
				perr(p, node, "image", "'%s' is also backend %s's image", b->image.name,
				     cfg->backend[j].name);
		for (unsigned q = 0; q < cfg->nparts; q++) {
			const struct blob_ref *r[2] = { &cfg->parts[q].kernel, &cfg->parts[q].initrd };
			for (unsigned k = 0; k < 2; k++)
				if (r[k]->present && strcmp(r[k]->name, b->image.name) == 0)
					perr(p, node, "image", "'%s' is also the %s of %s", b->image.name,
					     what[k], p->part_path[q]);
		}
	}
}

/* Two partitions' windows on one backend may overlap only when neither can
 * write, or when both are marked shared (BLK-6). */
static void check_disk_overlaps(struct parser *p)
{
	for (unsigned a = 0; a < p->cfg->nparts; a++)
		for (unsigned i = 0; i < p->cfg->parts[a].ndisks; i++) {
			const struct disk_config *x = &p->cfg->parts[a].disk[i];
			for (unsigned b = 0; b < a; b++)
				for (unsigned j = 0; j < p->cfg->parts[b].ndisks; j++) {
					const struct disk_config *y = &p->cfg->parts[b].disk[j];
					char other[CFG_PATH_MAX];
					if (x->backend != y->backend || (x->read_only && y->read_only) ||
					    (x->shared && y->shared))
						continue;
					if (!x->whole && !y->whole &&
					    !range_overlaps(x->start, x->sectors, y->start, y->sectors))
						continue;
					node_path(p->fdt, p->disk_node[b][j], other);
					perr(p, p->disk_node[a][i], "window",
					     "overlaps %s on backend %s, and one of them can write "
					     "(mark both shared to allow it)",
					     other, p->cfg->backend[x->backend].name);
				}
		}
}

static void parse_partition(struct parser *p, int node, unsigned idx)
{
	static const char *props[] = { "cpus", "memory", "kernel", "kernel-offset", "initrd",
				       "bootargs", "console", NULL };
	struct part_config *pc = &p->cfg->parts[idx];
	const char *s;
	int len;

	node_path(p->fdt, node, p->part_path[idx]);
	static const char *nodes[] = { "virtio-rng", "virtio-blk", "virtio-blk-*", "virtio-net",
				       NULL };
	int child;
	check_known(p, node, props, nodes);
	fdt_for_each_subnode(child, p->fdt, node) {
		const char *n = fdt_get_name(p->fdt, child, NULL);
		if (strncmp(n, "virtio-rng", 10) == 0 && (n[10] == 0 || n[10] == '@')) {
			check_known(p, child, (const char *[]){ NULL }, NULL);
			pc->virtio_rng = true;
		} else if (strncmp(n, "virtio-blk", 10) == 0 && (n[10] == 0 || n[10] == '-' || n[10] == '@')) {
			parse_disk(p, child, idx, pc);
		} else if (strncmp(n, "virtio-net", 10) == 0 && (n[10] == 0 || n[10] == '@')) {
			parse_net(p, child, idx, pc);
		}
	}
	take_name(p, node, "partition", pc->name);
	for (unsigned q = 0; q < idx; q++)
		if (strcmp(p->cfg->parts[q].name, pc->name) == 0 && pc->name[0])
			perr(p, node, NULL, "partition name used twice");

	parse_cpus(p, node, idx, pc);
	parse_memory(p, node, idx, pc);
	parse_blob(p, node, "kernel", &pc->kernel, true);
	parse_blob(p, node, "initrd", &pc->initrd, false);

	const fdt32_t *off = fdt_getprop(p->fdt, node, "kernel-offset", &len);
	if (off) {
		if (len != 8)
			perr(p, node, "kernel-offset", "must be 2 cells (a 64-bit offset), got %d bytes", len);
		else if (!IS_ALIGNED(be_cells(off, 2), PAGE_SIZE))
			perr(p, node, "kernel-offset", "must be 4 KiB aligned");
		else
			pc->entry_offset = be_cells(off, 2);
	}
	if (pc->kernel.present && pc->nmem) {
		uint64_t room = pc->mem[0].size > pc->entry_offset ? pc->mem[0].size - pc->entry_offset : 0;
		if (pc->kernel.size > room)
			perr(p, node, "kernel",
			     "image '%s' (%llu bytes) does not fit in memory range 0 at offset 0x%llx",
			     pc->kernel.name, (unsigned long long)pc->kernel.size,
			     (unsigned long long)pc->entry_offset);
		else if (pc->kernel.size == 0)
			perr(p, node, "kernel", "image '%s' is empty", pc->kernel.name);
	}

	s = get_string(p, node, "bootargs", CFG_BOOTARGS_MAX, false);
	if (s)
		strcpy(pc->bootargs, s);

	pc->console = CONSOLE_UART;
	s = get_string(p, node, "console", 16, false);
	if (s) {
		if (strcmp(s, "uart") == 0)
			pc->console = CONSOLE_UART;
		else if (strcmp(s, "virtio") == 0)
			pc->console = CONSOLE_VIRTIO;
		else if (strcmp(s, "none") == 0)
			pc->console = CONSOLE_NONE;
		else
			perr(p, node, "console", "'%s' is not one of uart, virtio, none", s);
	}
}

static void check_cells(struct parser *p, int node, const char *prop, uint32_t want)
{
	int len;
	const fdt32_t *c = fdt_getprop(p->fdt, node, prop, &len);

	if (!c)
		perr(p, node, prop, "missing");
	else if (len != 4 || fdt32_to_cpu(*c) != want)
		perr(p, node, prop, "must be <%u>", want);
}

int config_parse(const void *fdt, size_t fdt_size, const struct platform_desc *plat,
		 blob_size_fn blob_size, void *blob_ctx, struct hv_config *out,
		 struct cfg_errors *errs)
{
	static const char *root_props[] = { "compatible", "#address-cells", "#size-cells",
					    "model", NULL };
	static const char *root_nodes[] = { "hypervisor", "storage", "network", "partitions",
					    NULL };
	struct parser p = { .fdt = fdt, .plat = plat, .errs = errs, .cfg = out,
			    .blob_size = blob_size, .blob_ctx = blob_ctx };
	int parts, child;
	unsigned n = 0;
	const char *compat;

	memset(out, 0, sizeof(*out));
	memset(errs, 0, sizeof(*errs));
	if (fdt_size < sizeof(struct fdt_header) || fdt_check_header(fdt) != 0 ||
	    fdt_totalsize(fdt) > fdt_size || fdt_check_full(fdt, fdt_size) != 0) {
		perr(&p, -1, NULL, "not a valid device tree blob");
		return (int)errs->count;
	}

	compat = get_string(&p, 0, "compatible", 64, true);
	if (compat && strcmp(compat, "bulkhead,partition-file-v1") != 0)
		perr(&p, 0, "compatible", "'%s' is not \"bulkhead,partition-file-v1\"", compat);
	check_cells(&p, 0, "#address-cells", 2);
	check_cells(&p, 0, "#size-cells", 2);
	check_known(&p, 0, root_props, root_nodes);

	parse_hypervisor(&p, fdt_subnode_offset(fdt, 0, "hypervisor"));
	parse_storage(&p, fdt_subnode_offset(fdt, 0, "storage"));
	parse_network(&p, fdt_subnode_offset(fdt, 0, "network"));

	parts = fdt_subnode_offset(fdt, 0, "partitions");
	if (parts < 0) {
		perr(&p, 0, "partitions", "node missing");
		goto out;
	}
	check_known(&p, parts, (const char *[]){ NULL }, ANY_NODE);
	fdt_for_each_subnode(child, fdt, parts) {
		if (n >= CONFIG_MAX_PARTITIONS) {
			perr(&p, parts, NULL, "more than %d partitions", CONFIG_MAX_PARTITIONS);
			break;
		}
		parse_partition(&p, child, n++);
	}
	if (n == 0)
		perr(&p, parts, NULL, "no partition defined");
	out->nparts = n;
	check_disk_overlaps(&p);
	check_ram_images(&p);
	check_macs(&p);
out:
	if (errs->count > CFG_MAX_ERRORS)
		errs->count = CFG_MAX_ERRORS;
	return (int)errs->count;
}
