/* virtio-rng: one requestq; every writable buffer the driver offers is
 * filled from this partition's DRBG (through its own output pool). Nothing is shared with any other
 * partition but the hardware entropy source. */
#include <hv/config_schema.h>
#include <hv/log.h>
#include <hv/vdev.h>
#include <string.h>
#include <vdev/virtio_rng.h>

#define SEED_BYTES 48 /* 384 bits of entropy per (re)seed */
/* At most this much per request: a guest can describe buffers as large as
 * its RAM (even overlapping); the work done in one trap stays bounded. */
#define RNG_MAX_PER_REQUEST 65536

static void pool_wipe(struct virtio_rng *r)
{
	memset(r->pool, 0, sizeof(r->pool));
	__asm__ volatile("" : : "r"(r->pool) : "memory");
	r->pool_left = 0;
}

/* (Re)instantiate: entropy || nonce (boot count) || personalization. */
static bool instantiate(struct virtio_rng *r)
{
	uint8_t seed[SEED_BYTES];
	uint32_t nonce[2] = { r->id, ++r->boots };

	if (!r->entropy(seed, sizeof(seed))) {
		r->failed = true;
		memset(seed, 0, sizeof(seed));
		drbg_wipe(&r->drbg);
		pool_wipe(r);
		return false;
	}
	drbg_instantiate(&r->drbg, seed, sizeof(seed), nonce, sizeof(nonce), r->personalization,
			 strlen(r->personalization));
	memset(seed, 0, sizeof(seed));
	r->failed = false;
	return true;
}

static bool reseed(struct virtio_rng *r)
{
	uint8_t seed[SEED_BYTES];

	if (!r->entropy(seed, sizeof(seed))) {
		r->failed = true;
		memset(seed, 0, sizeof(seed));
		return false;
	}
	drbg_reseed(&r->drbg, seed, sizeof(seed), NULL, 0);
	memset(seed, 0, sizeof(seed));
	r->failed = false;
	return true;
}

/* n bytes of DRBG output at p, reseeding first when the DRBG asks for it. */
static bool generate(struct virtio_rng *r, uint8_t *p, uint32_t n)
{
	if (drbg_generate(&r->drbg, p, n, NULL, 0) == 0)
		return true;
	return reseed(r) && drbg_generate(&r->drbg, p, n, NULL, 0) == 0;
}

/* Fill one request's writable buffers; bytes written, 0 when the entropy
 * source failed (no weak data is ever served). Short pieces come from the
 * pool, refilled by one DRBG request of RNG_POOL_BYTES when empty; pieces
 * of a pool's size or more, with the pool empty, straight from the DRBG. */
static uint32_t fill(struct virtio_rng *r, const struct vq_chain *c)
{
	uint32_t done = 0;

	if (!crypto_selftest())
		return 0;
	if (!r->drbg.instantiated && !instantiate(r))
		return 0;
	for (unsigned i = c->nr; i < c->nr + c->nw && done < RNG_MAX_PER_REQUEST; i++) {
		uint32_t off = 0;
		while (off < c->seg[i].len && done < RNG_MAX_PER_REQUEST) {
			uint8_t *p = c->seg[i].p + off;
			uint32_t n = c->seg[i].len - off;
			if (n > RNG_MAX_PER_REQUEST - done)
				n = RNG_MAX_PER_REQUEST - done;
			if (r->pool_left) {
				uint8_t *src = r->pool + RNG_POOL_BYTES - r->pool_left;
				if (n > r->pool_left)
					n = r->pool_left;
				memcpy(p, src, n);
				memset(src, 0, n);
				__asm__ volatile("" : : "r"(src) : "memory");
				r->pool_left -= n;
			} else if (n >= RNG_POOL_BYTES) {
				if (n > DRBG_MAX_REQUEST)
					n = DRBG_MAX_REQUEST;
				if (!generate(r, p, n))
					return done;
			} else {
				if (!generate(r, r->pool, RNG_POOL_BYTES))
					return done;
				r->pool_left = RNG_POOL_BYTES;
				continue;
			}
			off += n;
			done += n;
		}
	}
	return done;
}

static void rng_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_rng *r = d->priv;
	struct vq_chain c;

	/* At most a queue's worth per notify, however fast the guest refills. */
	for (unsigned k = 0; k < d->vq[q].num && vq_pop(d, q, &c) > 0; k++) {
		uint32_t n = fill(r, &c);
		if (r->failed && !r->failure_logged) {
			WARN("%s: entropy source failed; no random data served", d->name);
			r->failure_logged = true;
		}
		r->bytes += n;
		vq_push(d, q, c.head, n);
	}
}

/* A device reset (driver reload, partition restart) wipes the state; the
 * next request instantiates afresh from new entropy. */
static void rng_reset(struct virtio_dev *d)
{
	struct virtio_rng *r = d->priv;
	if (r) {
		drbg_wipe(&r->drbg);
		pool_wipe(r);
	}
}

const struct virtio_dev_ops virtio_rng_ops = {
	.device_id = 4,
	.nqueues = 1,
	.notify = rng_notify,
	.reset = rng_reset,
};

void virtio_rng_init(struct virtio_rng *r, const char *name, uint32_t id,
		     const struct dma_space *mem, const struct irq_line *irq, entropy_fn entropy)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->entropy = entropy;
	r->personalization = name;
	virtio_dev_init(&r->dev, &virtio_rng_ops, r, name, mem, irq);
}

/* ---- the device type: an empty node, one per partition ---- */

/* Not zeroed at boot (the output pools make it 4 KiB a partition):
 * virtio_rng_init writes all of a device's state before it is used. */
static struct virtio_rng vrng_pool[CONFIG_MAX_PARTITIONS][1] HV_NOINIT;

static void rng_parse(struct cfg_parser *p, int node, struct part_config *pc, struct dev_config *dc)
{
	(void)pc;
	(void)dc;
	check_known(p, node, (const char *const[]){ NULL }, NULL);
}

static int rng_create(struct vdev_inst *d)
{
	struct virtio_rng *r = &vrng_pool[d->part_id][d->cfg->nth];

	/* Named after the partition: the name is the DRBG's personalization. */
	virtio_rng_init(r, d->part_name, d->part_id, d->mem, &d->irq, arch_entropy);
	d->priv = r;
	d->vdev = &r->dev;
	return 0;
}

const struct vdev_type virtio_rng_type = {
	.name = "virtio-rng",
	.max = 1,
	.too_many = "a partition has at most one virtio-rng",
	.size = VIRTIO_MMIO_SIZE,
	.dma = true,
	.parse = rng_parse,
	.create = rng_create,
};
