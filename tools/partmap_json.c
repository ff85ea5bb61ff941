/* hvcheck --map: what config_parse() made of a partition file, as JSON
 * for tools/partmap.py (the partition map picture). Written whether or not
 * the file has errors: a refused file's map shows what was read, and the
 * errors with it. */
#include "partmap_json.h"
#include <hv/layout.h>
#include <hv/vdev.h>
#include <stdio.h>
#include <vdev/virtio_blk.h>
#include <vdev/virtio_net.h>

/* A JSON string of s: printable ASCII as it is, the rest escaped. */
static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void range(FILE *f, const struct mem_range *r)
{
	fprintf(f, "[%llu, %llu]", (unsigned long long)r->base, (unsigned long long)r->size);
}

static const char *const region_kinds[] = { "gicd", "gicr", "device", "passthrough", "gicc", "pci-ecam" };

static void partition(FILE *f, const struct hv_config *cfg, const struct part_config *pc)
{
	fprintf(f, "{\"name\": ");
	jstr(f, pc->name);
	fprintf(f, ", \"cpus\": [");
	for (unsigned i = 0; i < pc->ncpus && i < CONFIG_MAX_CPUS; i++)
		fprintf(f, "%s%u", i ? ", " : "", pc->cpus[i]);
	fprintf(f, "], \"memory\": [");
	for (unsigned i = 0; i < pc->nmem && i < CONFIG_MAX_MEM_RANGES; i++) {
		fprintf(f, "%s", i ? ", " : "");
		range(f, &pc->mem[i]);
	}
	fprintf(f, "], \"regions\": [");
	for (unsigned i = 0; i < pc->layout.n && i < LAYOUT_MAX_REGIONS; i++) {
		const struct layout_region *r = &pc->layout.r[i];
		const char *name = r->dev < pc->ndevs ? pc->dev[r->dev].name : "";
		fprintf(f, "%s{\"kind\": \"%s\", \"name\": ", i ? ", " : "",
			r->kind < sizeof(region_kinds) / sizeof(region_kinds[0]) ? region_kinds[r->kind] : "?");
		jstr(f, name);
		fprintf(f, ", \"base\": %llu, \"size\": %llu, \"intid\": %u}", (unsigned long long)r->base,
			(unsigned long long)r->size, r->intid);
	}
	fprintf(f, "], \"disks\": [");
	unsigned nd = 0, nn = 0;
	for (unsigned i = 0; i < pc->ndevs && i < CFG_MAX_DEVS; i++) {
		const struct dev_config *dc = &pc->dev[i];
		const struct disk_config *d = VDEV_CFG(const struct disk_config, dc);
		if (dc->type != &virtio_blk_type)
			continue;
		fprintf(f, "%s{\"invalid\": %s, \"node\": ", nd++ ? ", " : "", dc->invalid ? "true" : "false");
		jstr(f, dc->name);
		fprintf(f, ", \"backend\": ");
		jstr(f, d->backend < cfg->nbackends ? cfg->backend[d->backend].name : "?");
		fprintf(f, ", \"whole\": %s, \"start\": %llu, \"sectors\": %llu, \"read_only\": %s, \"shared\": %s}",
			d->whole ? "true" : "false", (unsigned long long)d->start,
			(unsigned long long)d->sectors, d->read_only ? "true" : "false",
			d->shared ? "true" : "false");
	}
	fprintf(f, "], \"nets\": [");
	for (unsigned i = 0; i < pc->ndevs && i < CFG_MAX_DEVS; i++) {
		const struct dev_config *dc = &pc->dev[i];
		const struct net_config *n = VDEV_CFG(const struct net_config, dc);
		if (dc->type != &virtio_net_type || dc->invalid)
			continue;
		fprintf(f, "%s{\"node\": ", nn++ ? ", " : "");
		jstr(f, dc->name);
		fprintf(f, ", \"segment\": ");
		jstr(f, n->segment < cfg->nsegments ? cfg->segment[n->segment].name : "?");
		fprintf(f, "}");
	}
	fprintf(f, "], \"passthrough\": [");
	for (unsigned i = 0; i < pc->npt && i < CFG_MAX_PT; i++) {
		const struct pt_config *pt = &pc->pt[i];
		fprintf(f, "%s{\"name\": ", i ? ", " : "");
		jstr(f, pt->name);
		fprintf(f, ", \"device\": ");
		jstr(f, pt->board_path);
		fprintf(f, ", \"windows\": [");
		for (unsigned k = 0; k < pt->nreg && k < CFG_PT_REGS; k++) {
			fprintf(f, "%s", k ? ", " : "");
			range(f, &pt->reg[k]);
		}
		fprintf(f, "], \"intids\": [");
		for (unsigned k = 0; k < pt->nirq && k < CFG_PT_IRQS; k++)
			fprintf(f, "%s%u", k ? ", " : "", pt->intid[k]);
		fprintf(f, "]}");
	}
	fprintf(f, "], \"pci\": [");
	for (unsigned i = 0; i < pc->npci && i < CFG_MAX_PCI; i++) {
		const struct pci_fn_config *p = &pc->pci[i];
		fprintf(f, "%s{\"name\": ", i ? ", " : "");
		jstr(f, p->name);
		fprintf(f, ", \"bdf\": \"%02x:%02x.%x\", \"intid\": %u}", p->bus, p->dev, p->fn, p->intid);
	}
	fprintf(f, "]}");
}

int partmap_json(const char *path, const char *file, const struct platform_desc *pd,
		 const struct hv_config *cfg, const struct cfg_errors *errs)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		return -1;
	}
	fprintf(f, "{\"file\": ");
	jstr(f, file);
	fprintf(f, ",\n \"errors\": [");
	for (unsigned i = 0; i < errs->count && i < CFG_MAX_ERRORS; i++) {
		fprintf(f, "%s", i ? ", " : "");
		jstr(f, errs->msg[i]);
	}
	fprintf(f, "],\n \"refused\": [");
	for (unsigned i = 0; i < errs->nrefused && i < CFG_MAX_REFUSED; i++) {
		const struct cfg_refused *r = &errs->refused[i];
		fprintf(f, "%s{\"partition\": ", i ? ", " : "");
		jstr(f, r->part < CONFIG_MAX_PARTITIONS ? cfg->parts[r->part].name : "?");
		if (r->is_cpu)
			fprintf(f, ", \"cpu\": %u}", r->cpu);
		else {
			fprintf(f, ", \"memory\": ");
			range(f, &r->mem);
			fprintf(f, "}");
		}
	}
	fprintf(f, "],\n \"board\": {\"ram\": ");
	range(f, &pd->ram);
	fprintf(f, ", \"hypervisor\": ");
	range(f, &pd->hv);
	fprintf(f, ", \"cpus\": %u},\n \"backends\": [", pd->ncpus);
	for (unsigned i = 0; i < cfg->nbackends && i < CFG_MAX_BACKENDS; i++) {
		fprintf(f, "%s", i ? ", " : "");
		jstr(f, cfg->backend[i].name);
	}
	fprintf(f, "],\n \"segments\": [");
	for (unsigned i = 0; i < cfg->nsegments && i < CFG_MAX_SEGMENTS; i++) {
		fprintf(f, "%s{\"name\": ", i ? ", " : "");
		jstr(f, cfg->segment[i].name);
		fprintf(f, ", \"uplink\": %s}", cfg->segment[i].uplink == CFG_NO_UPLINK ? "false" : "true");
	}
	fprintf(f, "],\n \"partitions\": [");
	for (unsigned i = 0; i < cfg->nparts && i < CONFIG_MAX_PARTITIONS; i++) {
		fprintf(f, "%s\n  ", i ? "," : "");
		partition(f, cfg, &cfg->parts[i]);
	}
	fprintf(f, "]}\n");
	return fclose(f) ? -1 : 0;
}
