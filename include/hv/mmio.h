/* Emulated MMIO: a partition's trapped IPA ranges and the register-table
 * dispatcher every emulated device uses (width and alignment checked in one
 * place, after the model of Linux's vgic-mmio tables). */
#ifndef HV_MMIO_H
#define HV_MMIO_H

#include <hv/arch.h>
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
/* The register reads a value fixed when the device was made (identity
 * registers): a device that serializes its registers under a lock may
 * answer it without taking the lock. */
#define RCONST BIT(6)

struct reg_desc {
	uint32_t offset;
	uint32_t len;      /* bytes covered (a register array spans several) */
	uint32_t widths;   /* allowed access widths (W8|W16|...) */
	uint64_t (*read)(void *dev, uint32_t off, unsigned width);
	void (*write)(void *dev, uint32_t off, unsigned width, uint64_t val);
};

struct reg_bank {
	const struct reg_desc *regs;
	size_t nregs;
};
#define REG_BANK(regs) { (regs), ARRAY_SIZE(regs) }

/* The register an access of width bytes at off falls in, when the access
 * is valid (known offset, allowed width, aligned), else NULL. */
const struct reg_desc *reg_bank_search(const struct reg_bank *bank, uint32_t off, unsigned width);

/* Read or write the register r found for the access. A register with no
 * read (write) function reads as zero (ignores writes). */
static inline void reg_desc_access(const struct reg_desc *r, void *dev, uint32_t off,
				   unsigned width, bool write, uint64_t *val)
{
	if (write) {
		if (r->write)
			r->write(dev, off, width, *val);
	} else {
		*val = r->read ? r->read(dev, off, width) : 0;
	}
}

/* Returns 0 when handled; -1 when the access is invalid (unknown offset,
 * bad width or alignment): the caller injects an abort. */
static inline int reg_bank_access(const struct reg_bank *bank, void *dev, uint32_t off,
				  unsigned width, bool write, uint64_t *val)
{
	const struct reg_desc *r = reg_bank_search(bank, off, width);

	if (!r)
		return -1;
	reg_desc_access(r, dev, off, width, write, val);
	return 0;
}
/* True when the bank's registers are sorted by offset without overlap, as
 * reg_bank_search() needs. */
bool reg_bank_sorted(const struct reg_bank *bank);
/* The register banks of the emulated devices (for that check). */
extern const struct reg_bank vgic_dist_bank, vgic_rdist_bank, vgic_v2_dist_bank, vpl011_bank,
	virtio_bank;

/* How the bus reaches a device: most devices are one register bank, which
 * the bus searches itself (with the device's lock, at lock_offset in dev,
 * held around each register's function when locked is set, except for an
 * RCONST register's read); a device whose window is not one bank (the
 * redistributors: a frame per vCPU) gives an access function instead. */
struct mmio_device_ops {
	const struct reg_bank *bank;
	bool locked;
	size_t lock_offset;
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

/* One access to a device (off inside its window): 0, or -1 refused. */
int mmio_device_access(const struct mmio_device_ops *ops, void *dev, uint64_t off, unsigned width,
		       bool write, uint64_t *val);

int mmio_bus_add(struct mmio_bus *bus, ipa_t base, uint64_t size,
		 const struct mmio_device_ops *ops, void *dev);
/* 0 handled, -1 no device or the device refused: inject an abort. The
 * region the last access hit is tried first. */
int mmio_bus_access(struct mmio_bus *bus, ipa_t ipa, unsigned width, bool write, uint64_t *val);

/* A vCPU's memory of the registers it trapped on: for a word of a
 * register bank, the register's functions, its device and the lock the
 * device wants held, so that a register used again is one compare away
 * from its function. What a word of a partition's bus leads to never
 * changes once the partition is made (its regions and banks are fixed),
 * so an entry stays right; the cache is cleared (zeroed) whenever its vCPU
 * stops.
 * Each vCPU fills only its own cache, on its own CPU: no lock. */
#define MMIO_CACHE_SIZE 32
struct mmio_cache_entry {
	/* The word's IPA << 2 | log2 of the access width: what an access
	 * must match (a word is remembered per width; an access that does not
	 * start a word never matches). An empty entry is all zero (no read). */
	uint64_t key;
	void *dev;
	uint64_t (*read)(void *dev, uint32_t off, unsigned width);
	void (*write)(void *dev, uint32_t off, unsigned width, uint64_t val);
	spinlock_t *read_lock, *write_lock; /* held around the call, or NULL */
	uint32_t off; /* the word's offset in its device */
	uint32_t pad[3];
};
struct mmio_cache {
	struct mmio_cache_entry e[MMIO_CACHE_SIZE];
};

void mmio_cache_clear(struct mmio_cache *c);
/* mmio_access() when the cache does not know the word: the bus answers,
 * and a word of a register bank is remembered. */
int mmio_cache_miss(struct mmio_cache *c, struct mmio_bus *bus, ipa_t ipa, unsigned width,
		    bool write, uint64_t *val);

static inline uint64_t mmio_cache_key(ipa_t ipa, unsigned sas)
{
	return ipa << 2 | sas;
}

static inline struct mmio_cache_entry *mmio_cache_slot(struct mmio_cache *c, ipa_t ipa)
{
	return &c->e[((ipa >> 2) ^ (ipa >> 9)) & (MMIO_CACHE_SIZE - 1)];
}

/* The entry for an access of 1 << sas bytes at ipa (as a data abort's
 * syndrome gives them), or NULL when the cache does not know it. */
static inline const struct mmio_cache_entry *mmio_cache_find(struct mmio_cache *c, ipa_t ipa,
							     unsigned sas)
{
	const struct mmio_cache_entry *e = mmio_cache_slot(c, ipa);

	return e->key == mmio_cache_key(ipa, sas) && e->read ? e : NULL;
}

/* The register's function, with its lock held (out of line). */
uint64_t mmio_cache_read_locked(const struct mmio_cache_entry *e, unsigned width);
void mmio_cache_write_locked(const struct mmio_cache_entry *e, unsigned width, uint64_t val);

static inline uint64_t mmio_cache_read(const struct mmio_cache_entry *e, unsigned width)
{
	if (e->read_lock)
		return mmio_cache_read_locked(e, width);
	return e->read(e->dev, e->off, width);
}

static inline void mmio_cache_write(const struct mmio_cache_entry *e, unsigned width, uint64_t val)
{
	if (e->write_lock)
		mmio_cache_write_locked(e, width, val);
	else
		e->write(e->dev, e->off, width, val);
}

/* A trapped access of width bytes (1, 2, 4 or 8) at ipa: 0 handled, -1
 * refused (inject an abort). */
static inline int mmio_access(struct mmio_cache *c, struct mmio_bus *bus, ipa_t ipa,
			      unsigned width, bool write, uint64_t *val)
{
	const struct mmio_cache_entry *e = mmio_cache_find(c, ipa, (unsigned)__builtin_ctz(width));

	if (__builtin_expect(!e, 0))
		return mmio_cache_miss(c, bus, ipa, width, write, val);
	if (write)
		mmio_cache_write(e, width, *val);
	else
		*val = mmio_cache_read(e, width);
	return 0;
}

#endif
