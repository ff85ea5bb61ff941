/* The partition configuration: parsed from the partition file (a DTB) by
 * config_parse(), the same code in the host checker and at boot. After boot
 * the hypervisor's copy sits in a page that stage-1 maps read-only, and no
 * stage-2 table maps it into any guest. */
#ifndef HV_CONFIG_H
#define HV_CONFIG_H

#include <hv/types.h>
#include <generated/autoconf.h>

#define CFG_NAME_MAX 32
#define CFG_PATH_MAX 96
#define CFG_BOOTARGS_MAX 512

struct mem_range {
	paddr_t base;
	uint64_t size;
};

/* What the board offers: filled from platform data (Kconfig). */
struct platform_desc {
	struct mem_range ram;
	struct mem_range hv;
	uint32_t ncpus;
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

struct disk_config {
	char name[CFG_NAME_MAX]; /* node name, e.g. "virtio-blk-data" */
	uint32_t backend;        /* index in hv_config.backend */
	bool whole;              /* no window: the whole backend */
	uint64_t start, sectors; /* window, in 512-byte sectors */
	bool read_only;
	bool reliable; /* write-through: every write durable before it completes */
	bool shared;   /* may overlap other partitions' windows */
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

struct net_config {
	bool present;
	uint32_t segment;  /* index in hv_config.segment */
	uint8_t mac[6];    /* configured, or derived from the partition name */
	uint16_t mtu;
	bool mac_change;   /* the guest may set another MAC (control queue) */
};

struct part_config {
	char name[CFG_NAME_MAX];
	uint32_t ncpus;
	uint8_t cpus[CONFIG_MAX_CPUS]; /* physical CPU ids, in order: vCPU i = cpus[i] */
	uint32_t nmem;
	struct mem_range mem[CONFIG_MAX_MEM_RANGES]; /* IPA == PA */
	struct blob_ref kernel;
	struct blob_ref initrd;
	uint64_t entry_offset; /* kernel load/entry offset in mem[0] */
	char bootargs[CFG_BOOTARGS_MAX];
	enum console_kind console;
	bool virtio_rng; /* a virtio-rng { }; node */
	uint32_t ndisks;
	struct disk_config disk[CFG_MAX_DISKS];
	struct net_config net;
};

struct hv_config {
	uint32_t log_level;
	uint32_t nparts;
	struct part_config parts[CONFIG_MAX_PARTITIONS];
	uint32_t nbackends;
	struct backend_config backend[CFG_MAX_BACKENDS];
	uint32_t nsegments;
	struct segment_config segment[CFG_MAX_SEGMENTS];
};

/* Errors are collected, each "<node path>: <property>: <what>". */
#define CFG_MAX_ERRORS 32
#define CFG_ERR_LEN 256
struct cfg_errors {
	unsigned count;
	char msg[CFG_MAX_ERRORS][CFG_ERR_LEN];
};

/* Size of a named blob (guest image), or -1 when it does not exist. */
typedef int64_t (*blob_size_fn)(void *ctx, const char *name);

/* Parse and validate. Returns 0 and fills *out when the file is good;
 * otherwise returns the number of errors and *out must not be used. */
int config_parse(const void *fdt, size_t fdt_size, const struct platform_desc *plat,
		 blob_size_fn blob_size, void *blob_ctx, struct hv_config *out,
		 struct cfg_errors *errs);

#endif
