/* The device registry: every kind of emulated device a partition can have
 * is one file under vdev/ that fills one struct vdev_type, and one line in
 * vdev/registry.c. The type covers the device's whole life: its node in
 * the partition file (decode and checks, also across partitions), where it
 * sits in the guest (a virtio-mmio slot or a fixed window), creation at
 * boot, its node in the guest's device tree, and what happens when the
 * partition stops or restarts. Core code never names a device kind.
 *
 * A device model sees only what is in its struct vdev_inst: the
 * partition's name and number, its interrupt line, the guest memory it may
 * reach; never struct partition. */
#ifndef HV_VDEV_H
#define HV_VDEV_H

#include <hv/config.h>
#include <hv/irq.h>
#include <hv/mmio.h>

struct gfdt;

struct cfg_parser;
struct console_port;
struct dma_space;
struct virtio_dev;
struct vdev_inst;

enum vdev_place {
	VDEV_VIRTIO_SLOT, /* the next free virtio-mmio slot (GUEST_VIRTIO_*) */
	VDEV_FIXED,       /* the window and interrupt in the type */
};

struct vdev_type {
	const char *name; /* its node: "<name>", "<name>@<unit>" */
	bool suffixed;    /* also "<name>-<suffix>" (several named devices) */
	/* Not a node: the device a partition's console property asks for. */
	int console;      /* enum console_kind, or 0 (CONSOLE_NONE): a node */
	unsigned max;     /* per partition */
	const char *too_many; /* the error when there are more: "%u" is max */
	enum vdev_place place;
	ipa_t base;       /* VDEV_FIXED */
	uint64_t size;    /* the MMIO window */
	uint32_t intid;   /* VDEV_FIXED */

	/* Partition file (host checker and boot alike). parse: decode the
	 * node into dc->priv, reporting every problem with perr(). check:
	 * once, after every partition was parsed: checks across devices of
	 * this type (overlaps, duplicates). */
	void (*parse)(struct cfg_parser *p, int node, struct part_config *pc,
		      struct dev_config *dc);
	void (*check)(struct cfg_parser *p);
	/* The guest's device-tree node, into the tree being written
	 * (include/hv/guest_fdt.h); NULL: a plain "virtio,mmio" node. */
	int (*fdt_node)(struct gfdt *fdt, const struct part_config *pc, const struct dev_config *dc,
			const struct layout_region *r);

	/* Boot: set up d (d->mmio_ops and d->mmio_dev are then put on the
	 * partition's bus at d->region). 0, or -1 after vdev_refuse(): only
	 * for what the hypervisor learns from hardware (a physical disk
	 * smaller than the window); everything else the partition file
	 * decides was checked by config_parse(). */
	int (*create)(struct vdev_inst *d);
	/* Partition stop or restart, in this order over every device. No vCPU
	 * of the partition runs. quiesce: finish or cancel work at backends;
	 * false when it cannot (the device may still write guest memory: the
	 * partition is not restarted). reset: back to the state at boot
	 * (NULL: virtio_dev_reset() of d->vdev). stop: the partition is off
	 * for good (NULL: as reset). */
	bool (*quiesce)(struct vdev_inst *d);
	void (*reset)(struct vdev_inst *d);
	void (*stop)(struct vdev_inst *d);
	/* A console device: one byte of input for the guest. */
	void (*console_rx)(struct vdev_inst *d, uint8_t c);
	/* Boot, once every device of the partition was created: d's links
	 * to the others (dev[0..n), in the order of the partition's
	 * configuration): an IOMMU takes its endpoints. */
	void (*link)(struct vdev_inst *d, struct vdev_inst *dev, unsigned n);
	/* Its DMA can be put behind the partition's IOMMU (a virtio device). */
	bool dma;
	/* What the device holds of the hypervisor's memory now, in held_unit
	 * (request slots, bytes of a budget, mappings): the console's status
	 * key shows it, and after a reset it is back to its value at boot
	 * (make soak). NULL: nothing that varies. */
	uint64_t (*held)(const struct vdev_inst *d);
	const char *held_unit;
};

struct vdev_inst {
	const struct vdev_type *type;
	const struct dev_config *cfg;
	const struct layout_region *region;
	const char *part_name;
	unsigned part_id, nvcpus;
	unsigned pcpu;               /* the partition's first physical CPU: its deferred work */
	struct irq_line irq;         /* the region's interrupt */
	const struct dma_space *mem; /* the partition's RAM: each device copies it as its own DMA address space */
	char name[2 * CFG_NAME_MAX]; /* "<partition>/<node>" for the log */
	/* Filled by create: */
	void *priv;
	struct virtio_dev *vdev;     /* a virtio device: reset by the core */
	const struct mmio_device_ops *mmio_ops;
	void *mmio_dev;
	struct console_port *con;    /* a console device's port */
};

/* What a partition's devices hear of its life, in order: QUIESCE (no vCPU
 * runs; finish or cancel work at backends; false: it could not, the
 * partition is not restarted), then RESET (it restarts) or STOP (it is
 * off for good). */
enum part_event { PART_EV_QUIESCE, PART_EV_RESET, PART_EV_STOP };

/* What core/vdev.c needs of a partition to create its devices. */
struct vdev_host {
	const struct part_config *cfg;
	unsigned part_id;
	struct mmio_bus *bus;            /* each device's window goes here */
	void (*irq_set)(void *ctx, uint32_t intid, bool high); /* into its vGIC */
	void *irq_ctx;
	const struct dma_space *mem;     /* its RAM */
};

/* Create every device of h->cfg into dev[] (as many as cfg->ndevs), each
 * window on h->bus; *ndevs counts those created, *console is the one with
 * a console port (or NULL). 0, or -1 after a type's create refused. */
int vdev_create_all(const struct vdev_host *h, struct vdev_inst *dev, unsigned *ndevs,
		    struct vdev_inst **console);
/* The partition's stop and restart, for one device (its type's hooks). */
bool vdev_event(struct vdev_inst *d, enum part_event ev);

/* The registry, NULL-terminated, in the order devices get their slots. */
extern const struct vdev_type *const vdev_types[];
/* The type whose node this is, or NULL. */
const struct vdev_type *vdev_type_of_node(const char *node_name);
/* Boot-time refusal: "partition file: /partitions/<p>/<node>: <prop>:
 * <what>", the form the checker uses for the partition file's errors. */
void vdev_refuse(const struct vdev_inst *d, const char *prop, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A device type's private configuration in dev_config.priv. */
#define VDEV_CFG(type, dc) ((type *)(void *)(dc)->priv)
#define VDEV_CFG_FITS(type) \
	_Static_assert(sizeof(type) <= CFG_DEV_PRIV, #type " fits in dev_config.priv")
/* A type's device states: one per partition and instance, no allocator.
 * Not cleared at boot (HV_NOINIT): a type's create initialises the whole
 * of its instance before anything reads it. */
#define VDEV_POOL(type, name, max) static type name[CONFIG_MAX_PARTITIONS][max] HV_NOINIT

#endif
