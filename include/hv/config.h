/* The partition configuration: parsed from the partition file (a DTB) by
 * config_parse(), the same code in the host checker and at boot. After boot
 * the hypervisor's copy sits in a page that stage-1 maps read-only, and no
 * stage-2 table maps it into any guest. */
#ifndef HV_CONFIG_H
#define HV_CONFIG_H

#include <hv/layout.h>
#include <hv/types.h>
#include <generated/autoconf.h>

#define CFG_NAME_MAX 32
#define CFG_PATH_MAX 96
#define CFG_BOOTARGS_MAX 512

struct mem_range {
	paddr_t base;
	uint64_t size;
};

/* What the board offers: filled from platform data (Kconfig), and the
 * board's own device tree (the firmware's at boot; hvcheck/hvpack --board
 * on the host), which passthrough entries name their devices in. */
/* The board's interrupt controller: its architecture and its frames. */
struct gic_desc {
	uint8_t version;        /* 2: GICv2 (GIC-400), 3: GICv3 */
	struct mem_range dist;  /* GICD */
	struct mem_range redist; /* GICv3: the redistributors, stride 128 KiB */
	struct mem_range cpu;   /* GICv2: GICC (8 KiB used) */
	struct mem_range hyp;   /* GICv2: GICH, the virtual interface control */
	struct mem_range vcpu;  /* GICv2: GICV, mapped at a guest's GICC */
	/* GICv2 on 64 KiB-aliased frames (GIC-400 on ZynqMP): the second
	 * 4 KiB page of GICC and GICV is this far from the first (0x1000
	 * when contiguous). */
	uint32_t page1;
};

/* The board's PCIe host bridge (a generic ECAM one, "pci-host-ecam-generic")
 * and the SMMUv3 its requesters sit behind, from the board's tree
 * (core/platform_pcie.c). Functions on its root bus can be given to
 * partitions (a partition's `pci` node). */
struct pcie_desc {
	bool present;
	int node;                /* in the board tree */
	struct mem_range ecam;   /* config space, 1 MiB per bus from bus_first */
	uint32_t bus_first, bus_last;
	struct mem_range mem32;  /* non-prefetchable memory window, CPU == bus address */
	/* INTx: the SPI of pin (1..4) of a function in slot s is
	 * intx[s % 4][pin - 1] (the board's interrupt-map, mask 0x1800). */
	uint32_t intx[4][4];
	bool intx_level[4][4];
	/* The SMMUv3 the root bus's requesters go through (the iommu-map of
	 * the host bridge): StreamID = sid_base + RID. */
	bool smmu;
	struct mem_range smmu_regs;
	uint32_t sid_base;
	uint32_t smmu_evtq_intid, smmu_gerror_intid; /* 0: none */
};

#define PLAT_MAX_HV_MMIO 8
struct platform_desc {
	struct mem_range ram;
	struct mem_range hv;
	uint32_t ncpus;
	struct gic_desc gic;
	const void *board;    /* NULL: no board tree (no passthrough possible) */
	size_t board_size;
	/* What the hypervisor itself drives: MMIO windows and interrupts. */
	uint32_t nhv_mmio;
	struct mem_range hv_mmio[PLAT_MAX_HV_MMIO];
	const char *hv_mmio_what[PLAT_MAX_HV_MMIO];
	uint32_t hv_intid;    /* its console UART's */
	int gic_node;         /* the GIC's node in the board tree (from_board) */
	struct pcie_desc pcie;
	const char *pcie_why; /* the board's PCIe host bridge cannot be used: why */
};

enum console_kind { CONSOLE_NONE = 0, CONSOLE_UART, CONSOLE_VIRTIO };

struct blob_ref {
	char name[CFG_PATH_MAX]; /* as written in the partition file */
	uint64_t size;           /* filled by the blob lookup */
	bool present;
};

/* Storage ([REQUIREMENTS] BLK-6, BLK-7). A backend is a block device the
 * hypervisor owns; a partition's virtual disk is a window on one. */
#define CFG_MAX_BACKENDS 4
#define CFG_MAX_DISKS 4 /* per partition */
#define CFG_SECTOR 512ULL

enum backend_kind { BACKEND_NONE = 0, BACKEND_VIRTIO_BLK, BACKEND_RAM };

struct backend_config {
	char name[CFG_NAME_MAX];
	enum backend_kind kind;
	uint32_t index;        /* virtio-blk: the n-th physical device found */
	struct blob_ref image; /* ram: its initial contents (and size) */
};


/* Networking ([REQUIREMENTS] NET-5): static segments of the hypervisor's
 * L2 switch; a partition's virtio-net is a port on one segment, and a
 * physical NIC may be a segment's uplink. */
#define CFG_MAX_SEGMENTS 4
#define CFG_NET_MTU_MAX 1500
#define CFG_NET_MTU_MIN 68
#define CFG_NO_UPLINK 0xffffffffu
#define CFG_MAX_UPLINKS 2 /* physical NICs the hypervisor drives */

struct segment_config {
	char name[CFG_NAME_MAX];
	uint32_t uplink; /* physical virtio-net number, or CFG_NO_UPLINK */
};

/* /sensors: each a 32-bit register the hypervisor reads (core/config_sensors.c). */
#define CFG_MAX_SENSORS 32
struct sensor_config {
	char name[CFG_NAME_MAX]; /* at most 15 characters (SCMI's name field) */
	paddr_t reg;             /* the register's physical address, 4-byte aligned */
	uint8_t type;            /* SENSOR_* of hv/sensor.h */
	int8_t exponent;         /* of its unit: -3 (milli-) for every type offered */
	uint8_t format;          /* enum sensor_format */
};

/* /display: the physical output partitions' virtio-gpu scanouts are
 * composited on (core/config_display.c). */
enum display_kind { DISPLAY_NONE, DISPLAY_RAMFB, DISPLAY_VIRTIO_GPU };
struct display_config {
	uint32_t kind; /* enum display_kind: DISPLAY_NONE without /display */
	uint32_t width, height;
};

/* One device of a partition, as its node in the partition file says: the
 * device type (vdev/registry.c) decodes the node into priv, its own
 * configuration (see the type's header for the struct). */
#define CFG_MAX_DEVS 12 /* device nodes per partition, of every type */
#define CFG_DEV_PRIV 96
struct vdev_type;
struct dev_config {
	const struct vdev_type *type;
	char name[CFG_NAME_MAX]; /* node name, e.g. "virtio-blk-data" */
	int node;                /* offset in the partition file, for messages */
	uint32_t region;         /* its window in part_config.layout */
	uint32_t nth;            /* the n-th of its type in the partition */
	bool invalid;            /* its node had errors: cross-checks skip it */
	bool iommu_ep;           /* behind the partition's IOMMU, endpoint ID = its index in dev[] */
	_Alignas(8) uint8_t priv[CFG_DEV_PRIV];
};

/* A board device given to a partition (core/config_passthrough.c): its
 * MMIO windows, identity-mapped (guest address = physical address), whole
 * pages; its SPIs, the guest's INTID = the physical one. */
#define CFG_MAX_PT 4      /* passthrough entries per partition */
#define CFG_PT_REGS 4     /* windows per entry */
#define CFG_PT_IRQS 4     /* interrupts per entry */
struct pt_config {
	char name[CFG_NAME_MAX];    /* the entry's node name */
	char board_path[CFG_PATH_MAX]; /* the board node */
	int node;                   /* in the partition file, for messages */
	uint32_t nreg, nirq;
	struct mem_range reg[CFG_PT_REGS]; /* page-rounded */
	paddr_t dev_base;           /* the board's first window, as it gives it */
	uint32_t intid[CFG_PT_IRQS];
	bool level[CFG_PT_IRQS];
	bool dma_unconfined;
	bool virtio;                /* virtio-mmio: reset through its Status register */
	bool invalid;               /* errors: cross-checks skip it */
};

/* A PCIe function given to a partition (its `pci` node's entries,
 * core/config_pci.c): found by bus/device/function on the board's root
 * bus, its DMA confined by the SMMU to the partition's RAM. */
#define CFG_MAX_PCI 4 /* functions per partition */
struct pci_fn_config {
	char name[CFG_NAME_MAX]; /* the entry's node name */
	int node;                /* in the partition file, for messages */
	uint8_t bus, dev, fn;
	uint32_t intid;          /* its INTA's SPI (the board's interrupt-map) */
	bool level;
	bool dma_unconfined;     /* no SMMU path, given anyway */
};

struct part_config {
	char name[CFG_NAME_MAX];
	uint8_t gic_version;  /* its vGIC's: the board's GIC (2 or 3) */
	paddr_t gicv[2];      /* GICv2: the board's GICV pages, mapped at its GICC */
	uint32_t ncpus;
	uint8_t cpus[CONFIG_MAX_CPUS]; /* physical CPU ids, in order: vCPU i = cpus[i] */
	uint32_t nmem;
	struct mem_range mem[CONFIG_MAX_MEM_RANGES]; /* IPA == PA */
	struct blob_ref kernel;
	struct blob_ref initrd;
	uint64_t entry_offset; /* kernel load/entry offset in mem[0] */
	char bootargs[CFG_BOOTARGS_MAX];
	enum console_kind console;
	uint32_t ndevs;
	struct dev_config dev[CFG_MAX_DEVS]; /* in registry order, then node order */
	uint32_t npt;
	struct pt_config pt[CFG_MAX_PT];
	uint32_t npci;
	struct pci_fn_config pci[CFG_MAX_PCI];
	/* Its virtual host bridge's, from the board's (when npci): the
	 * memory window and the INTx map, as in struct pcie_desc. */
	struct mem_range pci_mem32;
	uint32_t pci_intx[4][4];
	bool pci_intx_level[4][4];
	/* Computed from the above (core/config_part.c), used as is at boot. */
	struct guest_layout layout;
	ipa_t entry;      /* kernel: mem[0] + entry_offset */
	ipa_t initrd_ipa; /* right below the device tree, page aligned */
	ipa_t dtb_ipa;    /* the last GUEST_DTB_MAX bytes of mem[0] */
	uint32_t dtb_size; /* of its guest device tree (config_guest_dtb) */
};

struct hv_config {
	uint32_t log_level;
	uint32_t nparts;
	struct part_config parts[CONFIG_MAX_PARTITIONS];
	uint32_t nbackends;
	struct backend_config backend[CFG_MAX_BACKENDS];
	uint32_t nsegments;
	struct segment_config segment[CFG_MAX_SEGMENTS];
	uint32_t nsensors;
	struct sensor_config sensor[CFG_MAX_SENSORS];
	struct display_config display;
};

/* Errors are collected, each "<node path>: <property>: <what>". */
#define CFG_MAX_ERRORS 32
#define CFG_ERR_LEN 256
#define CFG_MAX_WARNINGS 8
/* A CPU or memory range refused because another owner has it (another
 * partition, the hypervisor) or it is outside RAM: not in the
 * configuration, kept only so that the partition map (hvcheck --map) can
 * draw the overlap. */
#define CFG_MAX_REFUSED 8
struct cfg_refused {
	uint32_t part;  /* index in hv_config.parts */
	bool is_cpu;
	uint32_t cpu;
	struct mem_range mem;
};
struct cfg_errors {
	unsigned count;
	char msg[CFG_MAX_ERRORS][CFG_ERR_LEN];
	/* What is allowed but costs isolation (dma-unconfined): printed by
	 * the checker and logged at boot, in the same form. */
	unsigned nwarn;
	char warn[CFG_MAX_WARNINGS][CFG_ERR_LEN];
	unsigned nrefused;
	struct cfg_refused refused[CFG_MAX_REFUSED];
};

/* Size of a named blob (guest image), or -1 when it does not exist. When
 * head is not NULL, its first head_len bytes are copied there (zeros past
 * the end of a shorter blob): the kernel's Image header says how much
 * memory it needs beyond its file size. */
typedef int64_t (*blob_size_fn)(void *ctx, const char *name, void *head, size_t head_len);

/* Parse and validate. Returns 0 and fills *out when the file is good;
 * otherwise returns the number of errors and *out must not be used. */
int config_parse(const void *fdt, size_t fdt_size, const struct platform_desc *plat,
		 blob_size_fn blob_size, void *blob_ctx, struct hv_config *out,
		 struct cfg_errors *errs);

/* Partition idx's guest device tree, built from parts[idx] by
 * config_parse() (the checker and boot build it once, the same way; boot
 * copies it into the partition at every start): parts[idx].dtb_size bytes,
 * valid until the next config_parse(). idx < CONFIG_MAX_PARTITIONS. */
const void *config_guest_dtb(unsigned idx);
/* Build it (config_parse() does, for a file without errors): 0, or a
 * negative libfdt error (dtb_size 0). */
int config_build_guest_dtb(struct part_config *pc, unsigned idx);

#endif
