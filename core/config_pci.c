/* A partition's `pci` node: PCIe functions of the board's host bridge
 * given whole to it (docs/passthrough.md, "PCIe functions").
 *
 *     pci {
 *         nic {
 *             function = <0 2 0>;    bus, device, function (root bus)
 *             dma-unconfined;        only on a board without an SMMU path
 *         };
 *     };
 *
 * Refused, naming the entry and its property: no board tree, a board
 * without a usable PCIe host bridge (and why), a function not on the root
 * bus or out of range, the same function given twice (to any partition),
 * a function whose DMA no SMMU confines unless `dma-unconfined` says it
 * is known (a DMA master then owns the machine), `dma-unconfined` where
 * the SMMU confines it anyway, two partitions' functions on one INTx line
 * (level interrupts cannot be split), an INTx line another entry or the
 * hypervisor has. The partition's guest map gets the virtual host
 * bridge's configuration space, the board's memory window (its BARs are
 * mapped 1:1) and the INTx SPIs. */
#include <hv/config_schema.h>
#include <libfdt.h>
#include <string.h>

/* Partition q's function entry e, or the same function in an earlier
 * entry of any partition up to (idx, k): that entry, else NULL. */
static const struct pci_fn_config *given_before(const struct hv_config *cfg, unsigned idx, unsigned k,
						  const struct pci_fn_config *f, unsigned *owner)
{
	for (unsigned q = 0; q <= idx; q++)
		for (unsigned e = 0; e < (q == idx ? k : cfg->parts[q].npci); e++) {
			const struct pci_fn_config *o = &cfg->parts[q].pci[e];
			if (o->bus == f->bus && o->dev == f->dev && o->fn == f->fn) {
				*owner = q;
				return o;
			}
		}
	return NULL;
}

/* Another partition's function on the same INTx line, or a passthrough
 * entry's SPI, or the hypervisor's: reported. */
static void check_intx(struct cfg_parser *p, unsigned idx, const struct pci_fn_config *f)
{
	const struct hv_config *cfg = p->cfg;

	if (f->intid == p->plat->hv_intid)
		perr(p, f->node, "function", "its INTx line (interrupt %u) is the hypervisor's", f->intid);
	for (unsigned q = 0; q <= idx; q++) {
		const struct part_config *o = &cfg->parts[q];
		for (unsigned e = 0; q != idx && e < o->npci; e++)
			if (o->pci[e].intid == f->intid)
				perr(p, f->node, "function", "its INTx line (interrupt %u) is shared with "
				     "%s/pci/%s: a level interrupt cannot be split between partitions",
				     f->intid, part_path(p, q), o->pci[e].name);
		for (unsigned e = 0; e < o->npt; e++)
			for (unsigned i = 0; i < o->pt[e].nirq; i++)
				if (o->pt[e].intid[i] == f->intid)
					perr(p, f->node, "function", "its INTx line (interrupt %u) is given "
					     "to %s/passthrough/%s", f->intid, part_path(p, q), o->pt[e].name);
	}
}

static void parse_fn(struct cfg_parser *p, int node, unsigned idx, struct part_config *pc)
{
	static const char *const props[] = { "function", "dma-unconfined", NULL };
	const struct pcie_desc *d = &p->plat->pcie;
	struct pci_fn_config *f = &pc->pci[pc->npci];
	const fdt32_t *c;
	int len;
	unsigned owner;

	check_known(p, node, props, NULL);
	*f = (struct pci_fn_config){ .node = node };
	if (!take_name(p, node, "PCIe function entry", f->name))
		return;
	c = cfdt_getprop(p->fdt, node, "function", &len);
	if (!c) {
		perr(p, node, "function", "missing");
		return;
	}
	if (len != 12) {
		perr(p, node, "function", "must be <bus device function>");
		return;
	}
	uint32_t bus = fdt32_to_cpu(c[0]), dev = fdt32_to_cpu(c[1]), fn = fdt32_to_cpu(c[2]);
	f->dma_unconfined = cfg_flag(p, node, "dma-unconfined");
	if (!cfg_board(p)) {
		perr(p, node, "function", "a PCIe function needs the board's device tree (hvcheck --board)");
		return;
	}
	if (!d->present) {
		perr(p, node, "function", "the board's PCIe host bridge cannot be used: %s",
		     p->plat->pcie_why ? p->plat->pcie_why : "the board has none");
		return;
	}
	if (bus != d->bus_first) {
		perr(p, node, "function", "bus %u: only functions on the root bus (%u) can be given",
		     bus, d->bus_first);
		return;
	}
	if (dev > 31 || fn > 7) {
		perr(p, node, "function", "%02x:%02x.%x: a device is 0..31, a function 0..7", bus, dev, fn);
		return;
	}
	f->bus = (uint8_t)bus;
	f->dev = (uint8_t)dev;
	f->fn = (uint8_t)fn;
	const struct pci_fn_config *o = given_before(p->cfg, idx, pc->npci, f, &owner);
	if (o) {
		perr(p, node, "function", "%02x:%02x.%x is already given to %s/pci/%s", bus, dev, fn,
		     part_path(p, owner), o->name);
		return;
	}
	if (!d->smmu && !f->dma_unconfined)
		perr(p, node, "function", "%02x:%02x.%x can master DMA and no SMMU confines it: "
		     "dma-unconfined gives it anyway, and with it the machine", bus, dev, fn);
	else if (d->smmu && f->dma_unconfined)
		perr(p, node, "dma-unconfined", "the board's SMMU confines %02x:%02x.%x: its DMA is "
		     "never unconfined", bus, dev, fn);
	else if (f->dma_unconfined)
		pwarn(p, node, "dma-unconfined", "%02x:%02x.%x masters DMA unconfined: it can write "
		      "any memory", bus, dev, fn);
	/* INTA (the pin a single-function device uses): the board's map. */
	f->intid = d->intx[dev % 4][0];
	f->level = d->intx_level[dev % 4][0];
	check_intx(p, idx, f);
	pc->npci++;
}

void parse_pci(struct cfg_parser *p, int node, unsigned idx, struct part_config *pc)
{
	int child;

	check_known(p, node, (const char *const[]){ NULL }, CFG_ANY_NODE);
	cfdt_for_each_subnode(child, p->fdt, node) {
		if (pc->npci >= CFG_MAX_PCI) {
			perr(p, child, NULL, "at most %d PCIe functions per partition", CFG_MAX_PCI);
			break;
		}
		parse_fn(p, child, idx, pc);
	}
}

void layout_pci(struct cfg_parser *p, struct part_config *pc, int node)
{
	const struct pcie_desc *d = &p->plat->pcie;

	if (!pc->npci)
		return;
	pc->pci_mem32 = d->mem32;
	memcpy(pc->pci_intx, d->intx, sizeof(pc->pci_intx));
	memcpy(pc->pci_intx_level, d->intx_level, sizeof(pc->pci_intx_level));
	if (layout_add_pci_ecam(&pc->layout) < 0)
		perr(p, node, NULL, "the PCIe configuration space [0x%lx, +0x%lx) overlaps %s in the "
		     "guest's address map", GUEST_PCI_ECAM_IPA, GUEST_PCI_ECAM_SIZE,
		     layout_what(&pc->layout, GUEST_PCI_ECAM_IPA, GUEST_PCI_ECAM_SIZE));
	if (layout_add_passthrough(&pc->layout, d->mem32.base, d->mem32.size) < 0)
		perr(p, node, NULL, "the PCIe memory window [0x%llx, +0x%llx) overlaps %s in the "
		     "guest's address map", (unsigned long long)d->mem32.base,
		     (unsigned long long)d->mem32.size,
		     layout_what(&pc->layout, d->mem32.base, d->mem32.size));
	for (unsigned i = 0; i < pc->npci; i++) {
		bool dup = false;
		for (unsigned j = 0; j < i; j++)
			dup |= pc->pci[j].intid == pc->pci[i].intid;
		if (!dup && layout_add_irq(&pc->layout, pc->pci[i].intid))
			perr(p, pc->pci[i].node, "function", "its INTx line (interrupt %u) is taken in the "
			     "guest's map or is not one of the vGIC's SPIs", pc->pci[i].intid);
	}
}
