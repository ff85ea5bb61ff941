/* /storage: the block backends the hypervisor owns ([REQUIREMENTS] BLK-6).
 * A partition's virtual disk (vdev/virtio_blk.c) is a window on one. */
#include <hv/config_schema.h>
#include <libfdt.h>
#include <string.h>

static void parse_backend(struct cfg_parser *p, int child, unsigned idx)
{
	static const char *const props[] = { "type", "index", "image", NULL };
	static const char *const types[] = { "virtio-blk", "ram", NULL };
	struct hv_config *cfg = p->cfg;
	struct backend_config *b = &cfg->backend[idx];
	int t;

	check_known(p, child, props, NULL);
	strcpy(b->name, cfdt_get_name(p->fdt, child, NULL));
	if (!cfdt_getprop(p->fdt, child, "type", NULL)) {
		perr(p, child, "type", "missing");
		return;
	}
	t = cfg_choice(p, child, "type", types, -1);
	if (t == 0) {
		b->kind = BACKEND_VIRTIO_BLK;
		if (cfdt_getprop(p->fdt, child, "index", NULL) &&
		    !cfg_u32(p, child, "index", &b->index, NULL))
			return;
		if (b->index >= CFG_MAX_BACKENDS) {
			perr(p, child, "index", "%u: at most %d physical devices are driven", b->index,
			     CFG_MAX_BACKENDS);
			return;
		}
		for (unsigned i = 0; i < idx; i++)
			if (cfg->backend[i].kind == BACKEND_VIRTIO_BLK && cfg->backend[i].index == b->index)
				perr(p, child, "index", "physical virtio-blk %u is already backend %s",
				     b->index, cfg->backend[i].name);
		if (cfdt_getprop(p->fdt, child, "image", NULL))
			perr(p, child, "image", "only a ram backend has an image");
	} else if (t == 1) {
		b->kind = BACKEND_RAM;
		parse_blob(p, child, "image", &b->image, true);
		if (b->image.present && (b->image.size == 0 || b->image.size % CFG_SECTOR))
			perr(p, child, "image", "image '%s' (%llu bytes) is not a non-empty "
			     "multiple of 512 bytes", b->image.name, (unsigned long long)b->image.size);
		if (cfdt_getprop(p->fdt, child, "index", NULL))
			perr(p, child, "index", "only a virtio-blk backend has an index");
	}
}

void parse_storage(struct cfg_parser *p)
{
	p->cfg->nbackends = cfg_named_children(p, "storage", "backend", CFG_MAX_BACKENDS, false,
					       parse_backend);
}

int cfg_backend(const struct hv_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->nbackends; i++)
		if (strcmp(cfg->backend[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* A RAM disk is written in place in the image: its image may not also be
 * another RAM disk's, nor a partition's kernel or initrd (a write would
 * change what another partition boots). */
void check_ram_images(struct cfg_parser *p)
{
	static const char *const what[] = { "kernel", "initrd" };
	const struct hv_config *cfg = p->cfg;
	int storage = cfdt_subnode_offset(p->fdt, 0, "storage");

	for (unsigned i = 0; i < cfg->nbackends; i++) {
		const struct backend_config *b = &cfg->backend[i];
		int node = storage >= 0 ? cfdt_subnode_offset(p->fdt, storage, b->name) : -1;
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
					     what[k], part_path(p, q));
		}
	}
}
