/* A partition's `passthrough` node: board devices given to it whole
 * (docs/passthrough.md). Each entry names one node of the board's own
 * device tree (the firmware's at boot, `--board` on the host); its MMIO
 * windows are mapped at the same guest address and its SPIs are forwarded
 * with the same INTID. The guest's node is derived from the board's, here,
 * at parse time: deriving it is the check (every board property is either
 * understood, translated, or refused unless the entry omits it), and what
 * it derives is kept as a small device-tree fragment that the guest tree
 * builder copies (passthrough_fdt()).
 *
 * Refused, naming the entry and its property: a board node that does not
 * exist, is disabled, has no window, sits behind a translating bus, is (or
 * is inside) the interrupt controller, overlaps RAM, the hypervisor's
 * memory or the MMIO the hypervisor drives, overlaps a window of the
 * guest's own emulated devices or another entry's (of any partition), has
 * an interrupt that is not an SPI of the vGIC, is the hypervisor's or is
 * already given; a DMA master without dma-unconfined. */
#include <hv/config_schema.h>
#include <hv/guest_fdt.h>
#include <hv/passthrough.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#define PT_FRAG_SIZE 2048
#define PT_MAX_PH 16      /* board nodes with a phandle in one entry */
#define PT_MAX_CLKS 4     /* fixed clocks one entry refers to */
#define PT_MAX_COMPANIONS 4
#define PT_MAX_OMIT 8
#define PT_PH_BASE 0x100u /* guest phandles: PT_PH_BASE + entry * 0x20 + n */
#define PT_MAX_WINDOW (1ULL << 30)

/* Each entry's derived guest nodes, built by config_parse() and copied
 * into the guest tree by passthrough_fdt() in the same parse. */
static _Alignas(8) uint8_t frag[CONFIG_MAX_PARTITIONS][CFG_MAX_PT][PT_FRAG_SIZE] HV_NOINIT;

/* Board properties copied as they are. */
static const char *const plain_props[] = {
	"compatible", "clock-names", "interrupt-names", "reg-names", "gpio-controller",
	"#gpio-cells", "ngpios", "gpio-line-names", "gpio-ranges-names", "interrupt-controller",
	"#interrupt-cells", "dma-coherent", "label", "linux,code", "linux,input-type",
	"debounce-interval", "wakeup-source", "autorepeat", "poll-interval", "local-mac-address",
	"mac-address", "phy-mode", "phy-connection-type", "max-speed", "clock-frequency",
	"#clock-cells", "clock-output-names", "model", "start-year", "little-endian",
	"big-endian", "reg-shift", "reg-io-width", "current-speed", NULL
};
/* Compatibles of devices that master DMA whatever their node says. */
static const char *const dma_compatibles[] = { "virtio,mmio", "cdns,gem", "cdns,macb",
					       "snps,dwmac*", "arm,pl330", "arm,pl08x",
					       "generic-ahci", "nvidia,*-eqos", NULL };

struct pt_derive {
	struct cfg_parser *p;
	const void *b;   /* the board tree */
	int entry;       /* the entry's node in the partition file */
	unsigned k;      /* entry index in the partition */
	const struct pt_config *pt;
	const char *const *omit;
	unsigned nomit;
	bool omit_used[PT_MAX_OMIT];
	/* board phandle -> guest phandle, for nodes this entry copies */
	unsigned nph;
	uint32_t bph[PT_MAX_PH], gph[PT_MAX_PH];
	unsigned nclk;
	int clk_node[PT_MAX_CLKS];
	uint32_t clk_gph[PT_MAX_CLKS];
	void *out;
	bool bad;
};

static void bad(struct pt_derive *x, const char *prop, const char *fmt, const char *a,
		const char *b2)
{
	perr(x->p, x->entry, prop, fmt, a, b2);
	x->bad = true;
}

static void board_path(const void *b, int node, char out[CFG_PATH_MAX])
{
	if (fdt_get_path(b, node, out, CFG_PATH_MAX))
		snprintf(out, CFG_PATH_MAX, "%s", fdt_get_name(b, node, NULL));
}

/* The board node an entry names: "/path", a label (/__symbols__) or an
 * alias (/aliases). */
static int board_lookup(const void *b, const char *s)
{
	const char *path;
	int sym;

	if (s[0] == '/')
		return fdt_path_offset(b, s);
	sym = fdt_path_offset(b, "/__symbols__");
	if (sym >= 0 && (path = fdt_getprop(b, sym, s, NULL)) && path[0] == '/')
		return fdt_path_offset(b, path);
	path = fdt_get_alias(b, s);
	return path ? fdt_path_offset(b, path) : -FDT_ERR_NOTFOUND;
}

/* True when the node's addresses are the CPU's: every parent up to the
 * root passes them through unchanged (an empty ranges). */
static bool identity_bus(const void *b, int node)
{
	int len;

	for (int par = fdt_parent_offset(b, node); par > 0; par = fdt_parent_offset(b, par))
		if (!fdt_getprop(b, par, "ranges", &len) || len != 0)
			return false;
	return true;
}

/* The node's MMIO windows (as the board gives them, not rounded): count,
 * or -1 when its reg cannot be read. */
static int board_reg(const void *b, int node, struct mem_range *out, unsigned max)
{
	int par = fdt_parent_offset(b, node), len;
	int ac = fdt_address_cells(b, par), sc = fdt_size_cells(b, par);
	const fdt32_t *c = fdt_getprop(b, node, "reg", &len);
	unsigned n;

	if (!c)
		return 0;
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2 || len % ((ac + sc) * 4))
		return -1;
	n = (unsigned)len / ((unsigned)(ac + sc) * 4);
	for (unsigned i = 0; i < n && i < max; i++)
		out[i] = (struct mem_range){ be_cells(c + i * (ac + sc), ac),
					     be_cells(c + i * (ac + sc) + ac, sc) };
	return (int)n;
}

/* A board property of exactly one cell, or -1 (absent or malformed). */
static int64_t board_u32(const void *b, int node, const char *prop)
{
	int len;
	const fdt32_t *c = node >= 0 ? fdt_getprop(b, node, prop, &len) : NULL;

	return c && len == 4 ? (int64_t)fdt32_to_cpu(*c) : -1;
}

static bool ph_of(struct pt_derive *x, uint32_t bph, uint32_t *gph)
{
	for (unsigned i = 0; i < x->nph; i++)
		if (x->bph[i] == bph) {
			*gph = x->gph[i];
			return true;
		}
	return false;
}

/* Every node of the subtree with a phandle gets a guest phandle. */
/* The board tree is untrusted: copied subtrees are at most this deep (no
 * unbounded recursion on the hypervisor's stack). */
#define PT_MAX_DEPTH 4

static void collect_phandles(struct pt_derive *x, int node, unsigned depth)
{
	uint32_t ph = fdt_get_phandle(x->b, node);
	int child;

	if (ph && !ph_of(x, ph, &ph)) {
		if (x->nph >= PT_MAX_PH) {
			char path[CFG_PATH_MAX];
			board_path(x->b, node, path);
			bad(x, "device", "%s: more than 16 nodes with a phandle%s", path, "");
			return;
		}
		x->bph[x->nph] = ph;
		x->gph[x->nph] = PT_PH_BASE + x->k * 0x20 + x->nph;
		x->nph++;
	}
	fdt_for_each_subnode(child, x->b, node)
		if (depth < PT_MAX_DEPTH)
			collect_phandles(x, child, depth + 1);
}

static bool omitted(struct pt_derive *x, const char *name)
{
	for (unsigned i = 0; i < x->nomit; i++)
		if (strcmp(x->omit[i], name) == 0) {
			x->omit_used[i] = true;
			return true;
		}
	return false;
}

static bool is_gpio_ref(const char *name)
{
	size_t n = strlen(name);
	return strcmp(name, "gpios") == 0 || strcmp(name, "gpio") == 0 ||
	       (n > 6 && strcmp(name + n - 6, "-gpios") == 0) ||
	       (n > 5 && strcmp(name + n - 5, "-gpio") == 0);
}

/* clocks: only fixed clocks (a frequency, nothing to control); each gets a
 * guest node of its own (emitted after the entry's nodes). */
static int derive_clocks(struct pt_derive *x, const char *path, const fdt32_t *c, int len)
{
	fdt32_t v[PT_MAX_CLKS * 2];
	unsigned n = (unsigned)len / 4;

	if (len % 4 || n > ARRAY_SIZE(v)) {
		bad(x, "device", "%s: clocks: %s", path, "malformed or too many");
		return 0;
	}
	for (unsigned i = 0; i < n; i++) {
		int clk = fdt_node_offset_by_phandle(x->b, fdt32_to_cpu(c[i]));
		unsigned j;

		if (clk < 0 || fdt_node_check_compatible(x->b, clk, "fixed-clock") ||
		    board_u32(x->b, clk, "#clock-cells") != 0) {
			bad(x, "device", "%s: clocks: refers to a clock that is not a fixed-clock%s "
			    "(a partition cannot control the board's clocks); omit it", path, "");
			return 0;
		}
		for (j = 0; j < x->nclk && x->clk_node[j] != clk; j++)
			;
		if (j == x->nclk) {
			if (x->nclk >= PT_MAX_CLKS) {
				bad(x, "device", "%s: clocks: more than 4 clocks%s", path, "");
				return 0;
			}
			x->clk_node[j] = clk;
			x->clk_gph[j] = PT_PH_BASE + x->k * 0x20 + PT_MAX_PH + j;
			x->nclk++;
		}
		v[i] = cpu_to_fdt32(x->clk_gph[j]);
	}
	return fdt_property(x->out, "clocks", v, len);
}

/* gpios = <&controller args...>...: the controller must be a node this
 * entry gives the partition; its #gpio-cells says how many args follow. */
static int derive_gpios(struct pt_derive *x, const char *path, const char *name,
			const fdt32_t *c, int len)
{
	fdt32_t v[32];
	unsigned n = (unsigned)len / 4;

	if (len % 4 || n > ARRAY_SIZE(v)) {
		bad(x, "device", "%s: malformed or too long: %s", path, name);
		return 0;
	}
	for (unsigned i = 0; i < n;) {
		uint32_t gph;
		int ctl = fdt_node_offset_by_phandle(x->b, fdt32_to_cpu(c[i]));
		int64_t cells = board_u32(x->b, ctl, "#gpio-cells");

		if (ctl >= 0 && (cells < 0 || cells > 8)) {
			bad(x, "device", "%s: %s: its controller's #gpio-cells is not a small "
			    "number", path, name);
			return 0;
		}
		if (cells < 0 || !ph_of(x, fdt32_to_cpu(c[i]), &gph)) {
			bad(x, "device", "%s: %s refers to a GPIO controller this entry does not "
			    "give the partition", path, name);
			return 0;
		}
		v[i] = cpu_to_fdt32(gph);
		for (unsigned a = 0; a < cells && i + 1 + a < n; a++)
			v[i + 1 + a] = c[i + 1 + a];
		i += 1 + (unsigned)cells;
		if (i > n) {
			bad(x, "device", "%s: %s: fewer cells than #gpio-cells says", path, name);
			return 0;
		}
	}
	return fdt_property(x->out, name, v, len);
}

/* One board node (and its subnodes) into the fragment. top: the device
 * itself (its reg and interrupts are the entry's windows and SPIs). */
static int derive_node(struct pt_derive *x, int node, bool top, unsigned depth)
{
	char path[CFG_PATH_MAX];
	int off, child;

	board_path(x->b, node, path);
	GFDT_TRY(fdt_begin_node(x->out, fdt_get_name(x->b, node, NULL)));
	fdt_for_each_property_offset(off, x->b, node) {
		const char *name;
		int len;
		const void *val = fdt_getprop_by_offset(x->b, off, &name, &len);
		uint32_t gph;

		if (!val || omitted(x, name))
			continue;
		if (strcmp(name, "phandle") == 0 || strcmp(name, "linux,phandle") == 0) {
			if (strcmp(name, "phandle") == 0 && len == 4 &&
			    ph_of(x, fdt32_to_cpu(*(const fdt32_t *)val), &gph))
				GFDT_TRY(fdt_property_u32(x->out, "phandle", gph));
		} else if (strcmp(name, "status") == 0) {
			if (len < 1 || ((const char *)val)[len - 1] ||
			    (strcmp(val, "okay") != 0 && strcmp(val, "ok") != 0))
				bad(x, "device", "%s is disabled in the board's tree (status \"%s\")", path,
				    val);
		} else if (top && strcmp(name, "reg") == 0) {
			fdt64_t r[CFG_PT_REGS * 2];
			struct mem_range w[CFG_PT_REGS];
			int n = board_reg(x->b, node, w, CFG_PT_REGS);
			for (int i = 0; i < n && i < CFG_PT_REGS; i++) {
				r[2 * i] = cpu_to_fdt64(w[i].base);
				r[2 * i + 1] = cpu_to_fdt64(w[i].size);
			}
			if (n > 0 && n <= CFG_PT_REGS)
				GFDT_TRY(fdt_property(x->out, "reg", r, (int)(n * 16)));
		} else if (top && (strcmp(name, "interrupts") == 0 || strcmp(name, "interrupt-parent") == 0)) {
			/* Checked by the caller; the guest's GIC takes the same
			 * cells and is the guest root's interrupt parent. */
			if (strcmp(name, "interrupts") == 0)
				GFDT_TRY(fdt_property(x->out, name, val, len));
		} else if (strcmp(name, "clocks") == 0) {
			GFDT_TRY(derive_clocks(x, path, val, len));
		} else if (is_gpio_ref(name)) {
			GFDT_TRY(derive_gpios(x, path, name, val, len));
		} else if (name_is(name, plain_props) || (!top && strcmp(name, "reg") == 0)) {
			GFDT_TRY(fdt_property(x->out, name, val, len));
		} else {
			char msg[CFG_PATH_MAX + 40];
			snprintf(msg, sizeof(msg), "%s: %s", path, name);
			bad(x, "device", "board property %s cannot be given to a guest as it is; "
			    "name it in omit to leave it out%s", msg, "");
		}
	}
	fdt_for_each_subnode(child, x->b, node) {
		if (depth >= PT_MAX_DEPTH) {
			bad(x, "device", "%s: nodes nested deeper than 4 levels%s", path, "");
			break;
		}
		GFDT_TRY(derive_node(x, child, false, depth + 1));
	}
	return fdt_end_node(x->out);
}

static int derive_clock_nodes(struct pt_derive *x)
{
	for (unsigned j = 0; j < x->nclk; j++) {
		char name[CFG_NAME_MAX + 16];
		int len;
		const void *f = fdt_getprop(x->b, x->clk_node[j], "clock-frequency", &len);
		snprintf(name, sizeof(name), "clk-%s-%u", x->pt->name, j);
		GFDT_TRY(fdt_begin_node(x->out, name));
		GFDT_TRY(fdt_property_string(x->out, "compatible", "fixed-clock"));
		GFDT_TRY(fdt_property_u32(x->out, "#clock-cells", 0));
		if (f)
			GFDT_TRY(fdt_property(x->out, "clock-frequency", f, len));
		GFDT_TRY(fdt_property_u32(x->out, "phandle", x->clk_gph[j]));
		GFDT_TRY(fdt_end_node(x->out));
	}
	return 0;
}

/* A string-list property of the entry into list[] (at most max). */
static unsigned string_list(struct cfg_parser *p, int node, const char *prop, const char **list,
			    unsigned max)
{
	int len;
	const char *s = cfdt_getprop(p->fdt, node, prop, &len);
	unsigned n = 0;

	if (!s)
		return 0;
	if (len < 1 || s[len - 1] != 0) {
		perr(p, node, prop, "must be a list of strings");
		return 0;
	}
	for (int off = 0; off < len; off += (int)strlen(s + off) + 1) {
		if (n >= max) {
			perr(p, node, prop, "more than %u strings", max);
			return n;
		}
		if (!s[off]) {
			perr(p, node, prop, "an empty string");
			return n;
		}
		list[n++] = s + off;
	}
	return n;
}

static bool dma_master(const void *b, int node, const char **why)
{
	static const char *const props[] = { "dma-coherent", "iommus", "dma-ranges", "#dma-cells" };
	int len;
	const char *c;

	for (unsigned i = 0; i < ARRAY_SIZE(props); i++)
		if (fdt_getprop(b, node, props[i], NULL)) {
			*why = props[i];
			return true;
		}
	c = fdt_getprop(b, node, "compatible", &len);
	for (int off = 0; c && len > 0 && off < len && c[len - 1] == 0; off += (int)strlen(c + off) + 1)
		if (name_is(c + off, dma_compatibles)) {
			*why = c + off;
			return true;
		}
	return false;
}

/* The node whose windows overlap the range, of every node in the board's
 * CPU address space other than skip's subtree: its offset, or -1. */
static int board_node_in(const void *b, uint64_t base, uint64_t size, int skip, int from)
{
	int depth = 0, node = from;

	while ((node = fdt_next_node(b, node, &depth)) >= 0) {
		struct mem_range w[8];
		int n;
		bool in_skip = false;
		for (int a = node; a > 0 && !in_skip; a = fdt_parent_offset(b, a))
			in_skip = a == skip;
		if (in_skip || !identity_bus(b, node) || (n = board_reg(b, node, w, 8)) <= 0)
			continue;
		for (int i = 0; i < n && i < 8; i++)
			if (range_overlaps(base, size, w[i].base, w[i].size))
				return node;
	}
	return -1;
}

/* The guest names at the root that passthrough nodes must not take. */
/* (Names with a unit address cannot meet: their windows do not overlap.) */
static const char *const guest_names[] = { "chosen", "cpus", "psci", "timer", "apb-pclk",
					   "aliases", "__symbols__", NULL };

static void check_windows(struct cfg_parser *p, unsigned idx, struct pt_config *pt, int dev)
{
	const struct platform_desc *pl = p->plat;
	const struct hv_config *cfg = p->cfg;
	char path[CFG_PATH_MAX];
	int other;
	unsigned shared = 0;

	for (unsigned i = 0; i < pt->nreg; i++) {
		const struct mem_range *w = &pt->reg[i];
		uint64_t b = w->base, s = w->size;
		if (range_overlaps(b, s, pl->hv.base, pl->hv.size))
			perr(p, pt->node, "device", "%s: window [0x%llx, +0x%llx) overlaps the "
			     "hypervisor's memory", pt->board_path, (unsigned long long)b,
			     (unsigned long long)s);
		else if (range_overlaps(b, s, pl->ram.base, pl->ram.size))
			perr(p, pt->node, "device", "%s: window [0x%llx, +0x%llx) overlaps RAM",
			     pt->board_path, (unsigned long long)b, (unsigned long long)s);
		for (unsigned h = 0; h < pl->nhv_mmio; h++)
			if (range_overlaps(b, s, pl->hv_mmio[h].base, pl->hv_mmio[h].size))
				perr(p, pt->node, "device", "%s: the hypervisor drives it (its %s)",
				     pt->board_path, pl->hv_mmio_what[h]);
		for (unsigned q = 0; q <= idx; q++)
			for (unsigned e = 0; e < cfg->parts[q].npt; e++) {
				const struct pt_config *o = &cfg->parts[q].pt[e];
				if (o == pt)
					goto next_window;
				if (o->invalid)
					continue;
				for (unsigned j = 0; j < o->nreg; j++)
					if (range_overlaps(b, s, o->reg[j].base, o->reg[j].size)) {
						perr(p, pt->node, "device", strcmp(o->board_path, pt->board_path)
						     ? "%s: window [0x%llx, +0x%llx) overlaps %s/passthrough/%s's"
						     : "%s: [0x%llx, +0x%llx) is already given to %s/passthrough/%s",
						     pt->board_path, (unsigned long long)b,
						     (unsigned long long)s, part_path(p, q), o->name);
						goto next_window;
					}
			}
next_window:
		/* Other board devices in the same pages: the partition can
		 * reach them too, and the hypervisor leaves them alone. */
		for (other = board_node_in(cfg_board(p), b, s, dev, 0); other >= 0;
		     other = board_node_in(cfg_board(p), b, s, dev, other)) {
			if (!shared++)
				board_path(cfg_board(p), other, path);
		}
	}
	if (shared)
		pwarn(p, pt->node, "device", "%s shares its page(s) with %s%s: the partition can "
		      "reach %s too, and the hypervisor does not use %s", pt->board_path, path,
		      shared > 1 ? " and more" : "", shared > 1 ? "them" : "it",
		      shared > 1 ? "them" : "it");
}

static void check_irqs(struct cfg_parser *p, unsigned idx, struct pt_config *pt)
{
	const struct hv_config *cfg = p->cfg;

	for (unsigned i = 0; i < pt->nirq; i++) {
		uint32_t intid = pt->intid[i];
		if (intid == p->plat->hv_intid) {
			perr(p, pt->node, "device", "%s: interrupt %u is the hypervisor's", pt->board_path,
			     intid);
			continue;
		}
		/* PCIe functions of earlier partitions (core/config_pci.c
		 * checks the later ones against this entry). */
		for (unsigned q = 0; q < idx; q++)
			for (unsigned e = 0; e < cfg->parts[q].npci; e++)
				if (cfg->parts[q].pci[e].intid == intid)
					perr(p, pt->node, "device", "%s: interrupt %u is the INTx line of "
					     "%s/pci/%s", pt->board_path, intid, part_path(p, q),
					     cfg->parts[q].pci[e].name);
		for (unsigned q = 0; q <= idx; q++)
			for (unsigned e = 0; e < cfg->parts[q].npt; e++) {
				const struct pt_config *o = &cfg->parts[q].pt[e];
				if (o == pt)
					goto next;
				for (unsigned j = 0; j < o->nirq && !o->invalid; j++)
					if (o->intid[j] == intid) {
						perr(p, pt->node, "device", "%s: interrupt %u is already "
						     "given to %s/passthrough/%s", pt->board_path, intid,
						     part_path(p, q), o->name);
						goto next;
					}
			}
next:;
	}
}

/* The device's SPIs, through the GIC the board's root names. */
static void decode_irqs(struct cfg_parser *p, const void *b, int dev, struct pt_config *pt)
{
	int len, gic_len;
	const fdt32_t *c = fdt_getprop(b, dev, "interrupts", &len);
	const fdt32_t *root_ip = fdt_getprop(b, 0, "interrupt-parent", &gic_len);
	uint32_t gic = root_ip && gic_len == 4 ? fdt32_to_cpu(*root_ip) : 0;

	if (fdt_getprop(b, dev, "interrupts-extended", NULL)) {
		perr(p, pt->node, "device", "%s: interrupts-extended is not supported; the board "
		     "must give interrupts", pt->board_path);
		return;
	}
	if (!c)
		return;
	for (int a = dev; a >= 0; a = a ? fdt_parent_offset(b, a) : -1) {
		const fdt32_t *ip = fdt_getprop(b, a, "interrupt-parent", &gic_len);
		if (ip && gic_len == 4) {
			if (!gic || fdt32_to_cpu(*ip) != gic) {
				perr(p, pt->node, "device", "%s: its interrupts go to another "
				     "controller than the GIC", pt->board_path);
				return;
			}
			break;
		}
	}
	if (!gic || len % 12) {
		perr(p, pt->node, "device", "%s: interrupts: not in the GIC's 3-cell form",
		     pt->board_path);
		return;
	}
	if (len / 12 > CFG_PT_IRQS) {
		perr(p, pt->node, "device", "%s: more than %d interrupts", pt->board_path, CFG_PT_IRQS);
		return;
	}
	for (int i = 0; i < len / 12; i++) {
		uint32_t type = fdt32_to_cpu(c[3 * i]), num = fdt32_to_cpu(c[3 * i + 1]);
		uint32_t flags = fdt32_to_cpu(c[3 * i + 2]) & 0xf, intid = num + 32;
		if (type != GIC_SPI) {
			perr(p, pt->node, "device", "%s: interrupt %d is not an SPI: a per-CPU "
			     "interrupt cannot be given to one partition", pt->board_path, i);
			continue;
		}
		if (num > GUEST_INTID_END || intid < GUEST_INTID_MIN || intid >= GUEST_INTID_END) {
			perr(p, pt->node, "device", "%s: SPI %u (INTID %u) is beyond the partition's "
			     "vGIC (INTIDs %u..%u)", pt->board_path, num, num + 32, GUEST_INTID_MIN,
			     GUEST_INTID_END - 1);
			continue;
		}
		if (flags != IRQ_EDGE_RISING && flags != IRQ_LEVEL_HIGH) {
			perr(p, pt->node, "device", "%s: SPI %u: trigger %u; the GIC takes rising "
			     "edges (1) and high levels (4)", pt->board_path, num, flags);
			continue;
		}
		pt->level[pt->nirq] = flags == IRQ_LEVEL_HIGH;
		pt->intid[pt->nirq++] = intid;
	}
}

static bool inside(const void *b, int node, int ancestor)
{
	for (int a = node; a >= 0; a = a ? fdt_parent_offset(b, a) : -1)
		if (a == ancestor)
			return true;
	return false;
}

/* One entry: find its board node, decode and check its windows and
 * interrupts, and derive its guest nodes into its fragment. */
static void parse_entry(struct cfg_parser *p, int node, unsigned idx, struct part_config *pc)
{
	static const char *const props[] = { "device", "address", "companions", "omit",
					     "dma-unconfined", NULL };
	const void *b = cfg_board(p);
	struct pt_config *pt = &pc->pt[pc->npt];
	const char *dev_name, *why, *comp[PT_MAX_COMPANIONS], *omit[PT_MAX_OMIT];
	unsigned ncomp, nomit, before = p->errs->count;
	struct mem_range w[CFG_PT_REGS];
	int dev = -1, n, len, gic = -1;
	const fdt32_t *ip;

	memset(pt, 0, sizeof(*pt));
	pt->node = node;
	if (!take_name(p, node, "passthrough entry", pt->name))
		return;
	pc->npt++;
	check_known(p, node, props, NULL);
	pt->dma_unconfined = cfg_flag(p, node, "dma-unconfined");
	dev_name = get_string(p, node, "device", CFG_PATH_MAX, false);
	const fdt32_t *addr = cfdt_getprop(p->fdt, node, "address", &len);
	ncomp = string_list(p, node, "companions", comp, PT_MAX_COMPANIONS);
	nomit = string_list(p, node, "omit", omit, PT_MAX_OMIT);
	if (!!dev_name == !!addr) {
		perr(p, node, dev_name ? "address" : "device",
		     dev_name ? "give the device or its address, not both"
			      : "missing: a board node's path or label (or an address)");
		goto out;
	}
	if (addr && len != 8) {
		perr(p, node, "address", "must be 2 cells (a 64-bit physical address)");
		goto out;
	}
	if (!b) {
		perr(p, node, dev_name ? "device" : "address", p->board_bad
		     ? "the board's device tree is not a valid device tree blob"
		     : "the board's device tree is needed to check a passthrough entry "
		       "(hvcheck/hvpack --board FILE)");
		goto out;
	}
	if (dev_name) {
		dev = board_lookup(b, dev_name);
		if (dev < 0) {
			perr(p, node, "device", "'%s' is not a node, label or alias of the board's "
			     "device tree", dev_name);
			goto out;
		}
	} else {
		uint64_t a = be_cells(addr, 2);
		for (int o = board_node_in(b, a, 1, -1, 0); o >= 0; o = board_node_in(b, a, 1, -1, o))
			if (board_reg(b, o, w, 1) > 0 && w[0].base == a) {
				dev = o;
				break;
			}
		if (dev < 0) {
			perr(p, node, "address", "no board device has its registers at 0x%llx",
			     (unsigned long long)a);
			goto out;
		}
	}
	board_path(b, dev, pt->board_path);
	if (dev == 0) {
		perr(p, node, "device", "the board's root is not a device");
		goto out;
	}
	for (unsigned q = 0; q <= idx; q++)
		for (unsigned e = 0; e < p->cfg->parts[q].npt; e++) {
			const struct pt_config *o = &p->cfg->parts[q].pt[e];
			if (o != pt && strcmp(o->board_path, pt->board_path) == 0) {
				perr(p, node, "device", "%s is already given to %s/passthrough/%s",
				     pt->board_path, part_path(p, q), o->name);
				goto out;
			}
		}
	ip = fdt_getprop(b, 0, "interrupt-parent", &len);
	if (ip && len == 4)
		gic = fdt_node_offset_by_phandle(b, fdt32_to_cpu(*ip));
	if (gic > 0 && inside(b, dev, gic)) {
		perr(p, node, "device", "%s: the hypervisor drives it (the interrupt controller)",
		     pt->board_path);
		goto out;
	}
	if (!identity_bus(b, dev)) {
		perr(p, node, "device", "%s: its bus translates addresses (ranges); only devices "
		     "in the CPU's address space can be given", pt->board_path);
		goto out;
	}
	n = board_reg(b, dev, w, CFG_PT_REGS);
	if (n <= 0 || n > CFG_PT_REGS) {
		perr(p, node, "device", n == 0 ? "%s has no MMIO window (reg) to give"
			     : n < 0 ? "%s: reg cannot be read"
				     : "%s has more than 4 windows", pt->board_path);
		goto out;
	}
	pt->dev_base = w[0].base;
	for (int i = 0; i < n; i++) {
		uint64_t lo = ALIGN_DOWN(w[i].base, PAGE_SIZE);
		uint64_t hi = w[i].base + w[i].size;
		if (w[i].size == 0 || hi < w[i].base || w[i].size > PT_MAX_WINDOW) {
			perr(p, node, "device", "%s: window %d is empty or larger than 1 GiB",
			     pt->board_path, i);
			goto out;
		}
		pt->reg[pt->nreg++] = (struct mem_range){ lo, ALIGN_UP(hi, PAGE_SIZE) - lo };
	}
	decode_irqs(p, b, dev, pt);
	/* Reset through its Status register (0x70) on stop: only a
	 * transport whose window has one. */
	pt->virtio = fdt_node_check_compatible(b, dev, "virtio,mmio") == 0 && w[0].size >= 0x100;
	if (dma_master(b, dev, &why) && !pt->dma_unconfined)
		perr(p, node, "device", "%s can master DMA (%s) and no SMMU confines it: say "
		     "dma-unconfined; to give it anyway (docs/passthrough.md)", pt->board_path, why);
	else if (pt->dma_unconfined)
		pwarn(p, node, "dma-unconfined", "%s may master DMA anywhere in physical memory: "
		      "the partition can reach every partition's memory and the hypervisor's",
		      pt->board_path);
	if (p->errs->count != before)
		goto out;
	/* Decoded: what follows are cross-checks, and the entry still takes
	 * its place in the guest's map (layout_passthrough() reports what it
	 * overlaps there too). */
	pt->invalid = false;
	check_windows(p, idx, pt, dev);
	check_irqs(p, idx, pt);

	/* The guest's nodes. */
	struct pt_derive x = { .p = p, .b = b, .entry = node, .k = pc->npt - 1, .pt = pt,
			       .omit = omit, .nomit = nomit,
			       .out = frag[idx % CONFIG_MAX_PARTITIONS][pc->npt - 1] };
	int comp_node[PT_MAX_COMPANIONS];
	collect_phandles(&x, dev, 0);
	for (unsigned i = 0; i < ncomp; i++) {
		comp_node[i] = board_lookup(b, comp[i]);
		if (comp_node[i] <= 0) {
			perr(p, node, "companions", "'%s' is not a node, label or alias of the board's "
			     "device tree", comp[i]);
			goto out;
		}
		if (fdt_getprop(b, comp_node[i], "reg", NULL) ||
		    fdt_getprop(b, comp_node[i], "interrupts", NULL) ||
		    fdt_parent_offset(b, comp_node[i]) != 0) {
			perr(p, node, "companions", "'%s' must be a node at the board's root without "
			     "reg or interrupts (give a device as an entry of its own)", comp[i]);
			goto out;
		}
		collect_phandles(&x, comp_node[i], 0);
	}
	int e = fdt_create_with_flags(x.out, PT_FRAG_SIZE, FDT_CREATE_FLAG_NO_NAME_DEDUP);
	if (!e)
		e = fdt_finish_reservemap(x.out);
	if (!e)
		e = fdt_begin_node(x.out, "");
	if (!e)
		e = derive_node(&x, dev, true, 0);
	for (unsigned i = 0; i < ncomp && !e; i++)
		e = derive_node(&x, comp_node[i], false, 0);
	if (!e)
		e = derive_clock_nodes(&x);
	if (!e)
		e = fdt_end_node(x.out);
	if (!e)
		e = fdt_finish(x.out);
	if (e) {
		perr(p, node, "device", "%s: its guest nodes do not fit in %d bytes (%s)",
		     pt->board_path, PT_FRAG_SIZE, fdt_strerror(e));
		pt->invalid = true; /* its fragment is unfinished: never read */
	}
	for (unsigned i = 0; i < nomit; i++)
		if (!x.omit_used[i])
			perr(p, node, "omit", "'%s' is not a property of %s or its companions", omit[i],
			     pt->board_path);
	/* Root-level names: not the guest's own, not another entry's. */
	for (int c = e ? -1 : fdt_first_subnode(x.out, 0); c >= 0; c = fdt_next_subnode(x.out, c)) {
		const char *nm = fdt_get_name(x.out, c, NULL);
		bool dup = name_is(nm, guest_names);
		for (unsigned k = 0; k + 1 < pc->npt && !dup; k++) {
			const void *f = frag[idx % CONFIG_MAX_PARTITIONS][k];
			dup = !pc->pt[k].invalid && fdt_subnode_offset(f, 0, nm) >= 0;
		}
		if (dup)
			perr(p, node, "companions", "the guest would get two nodes named %s", nm);
	}
	return;
out:
	pt->invalid = true;
}

void parse_passthrough(struct cfg_parser *p, int node, unsigned idx, struct part_config *pc)
{
	int child;

	check_known(p, node, (const char *const[]){ NULL }, CFG_ANY_NODE);
	cfdt_for_each_subnode(child, p->fdt, node) {
		if (pc->npt >= CFG_MAX_PT) {
			perr(p, node, NULL, "more than %d passthrough entries", CFG_MAX_PT);
			return;
		}
		parse_entry(p, child, idx, pc);
	}
}

/* Windows first, then SPIs: the guest's emulated devices get what is left
 * (virtio-mmio slots skip a passed-through page or SPI). */
void layout_passthrough(struct cfg_parser *p, struct part_config *pc)
{
	for (unsigned e = 0; e < pc->npt; e++) {
		struct pt_config *pt = &pc->pt[e];
		if (pt->invalid)
			continue;
		for (unsigned i = 0; i < pt->nreg; i++) {
			int r = layout_add_passthrough(&pc->layout, pt->reg[i].base, pt->reg[i].size);
			if (r < 0)
				perr(p, pt->node, "device", "%s: window [0x%llx, +0x%llx) overlaps %s in "
				     "the guest's address map", pt->board_path,
				     (unsigned long long)pt->reg[i].base,
				     (unsigned long long)pt->reg[i].size,
				     r == -3 ? "(the map is full)" : layout_what(&pc->layout, pt->reg[i].base,
										  pt->reg[i].size));
		}
		for (unsigned i = 0; i < pt->nirq; i++)
			if (layout_add_irq(&pc->layout, pt->intid[i]))
				perr(p, pt->node, "device", "%s: interrupt %u is taken in the guest "
				     "(by its emulated devices, or the map is full)", pt->board_path,
				     pt->intid[i]);
	}
}

/* Copy a fragment node (and its subnodes) into the tree being built. */
static int copy_node(struct gfdt *fdt, const void *f, int node)
{
	int off, child;

	GFDT_TRY(gfdt_begin_node(fdt, fdt_get_name(f, node, NULL)));
	fdt_for_each_property_offset(off, f, node) {
		const char *name;
		int len;
		const void *v = fdt_getprop_by_offset(f, off, &name, &len);
		if (v)
			GFDT_TRY(gfdt_property(fdt, name, v, (uint32_t)len));
	}
	fdt_for_each_subnode(child, f, node)
		GFDT_TRY(copy_node(fdt, f, child));
	return gfdt_end_node(fdt);
}

int passthrough_fdt(struct gfdt *fdt, const struct part_config *pc, unsigned idx)
{
	for (unsigned e = 0; e < pc->npt; e++) {
		const void *f = frag[idx % CONFIG_MAX_PARTITIONS][e];
		int child;
		if (fdt_check_header(f))
			return -FDT_ERR_INTERNAL;
		fdt_for_each_subnode(child, f, 0)
			GFDT_TRY(copy_node(fdt, f, child));
	}
	return 0;
}
