/* Emulated MMIO: a partition's trapped IPA ranges and the register-table
 * dispatcher every emulated device uses (width and alignment checked in one
 * place, after the model of Linux's vgic-mmio tables). */
#ifndef HV_MMIO_H
#define HV_MMIO_H

#include <hv/types.h>

/* Widths as a bit mask of access sizes in bytes. */
#define W8 BIT(0)
#define W16 BIT(1)
#define W32 BIT(2)
#define W64 BIT(3)
/* Narrower accesses at any naturally aligned offset inside the register
 * (byte arrays such as GICD_IPRIORITYR, 32-bit halves of GICD_IROUTER);
 * without it a narrower access must start at the register's first byte. */
#define WSUB BIT(7)

struct reg_desc {
	uint32_t offset;
	uint32_t len;      /* bytes covered (a register array spans several) */
	uint32_t widths;   /* allowed access widths (W8|W16|...) */
	uint64_t (*read)(void *dev, uint32_t off, unsigned width);
	void (*write)(void *dev, uint32_t off, unsigned width, uint64_t val);
};

#define REG_DIRECT_BYTES 0x100
struct reg_bank {
	const struct reg_desc *regs;
	size_t nregs;
	/* REG_DIRECT_BYTES / 4 entries, zero-initialized, or NULL: what the
	 * search found for each word (core/mmio.c). */
	uint8_t *direct;
};
#define REG_BANK(regs) { (regs), ARRAY_SIZE(regs), (uint8_t[REG_DIRECT_BYTES / 4]){ 0 } }

/* Returns 0 when handled; -1 when the access is invalid (unknown offset,
 * bad width or alignment): the caller injects an abort. A register with no
 * read (write) function reads as zero (ignores writes). */
int reg_bank_access(const struct reg_bank *bank, void *dev, uint32_t off, unsigned width,
		    bool write, uint64_t *val);
/* True when the bank's registers are sorted by offset without overlap, as
 * reg_bank_access() needs. */
bool reg_bank_sorted(const struct reg_bank *bank);
/* The register banks of the emulated devices (for that check). */
extern const struct reg_bank vgic_dist_bank, vgic_rdist_bank, vpl011_bank, virtio_bank;

struct mmio_device_ops {
	int (*access)(void *dev, uint64_t off, unsigned width, bool write, uint64_t *val);
};

struct mmio_region {
	ipa_t base;
	uint64_t size;
	const struct mmio_device_ops *ops;
	void *dev;
};

#define MAX_MMIO_REGIONS 40 /* >= LAYOUT_MAX_REGIONS: the checker keeps to it */
struct mmio_bus {
	unsigned n;
	unsigned hint; /* the region last hit (a hint, any value is safe) */
	struct mmio_region r[MAX_MMIO_REGIONS];
};

int mmio_bus_add(struct mmio_bus *bus, ipa_t base, uint64_t size,
		 const struct mmio_device_ops *ops, void *dev);
/* 0 handled, -1 no device or the device refused: inject an abort. */
int mmio_bus_access(struct mmio_bus *bus, ipa_t ipa, unsigned width, bool write,
		    uint64_t *val);

#endif
