#include <hv/blkdev.h>
#include <hv/boot.h>
#include <hv/display.h>
#include <hv/image.h>
#include <hv/log.h>
#include <hv/netswitch.h>
#include <hv/drbg.h>
#include <hv/partition.h>
#include <string.h>

/* The parsed configuration: written once here, then stage-1 maps its page
 * read-only; no stage-2 table maps hypervisor memory. */
static struct hv_config config __attribute__((section(".ro_after_init"), aligned(4096)));
const struct hv_config *hv_config;

static int64_t payload_blob_size(void *ctx, const char *name, void *head, size_t head_len)
{
	const struct payload_blob *b = payload_find(ctx, name);

	if (!b)
		return -1;
	if (head) {
		size_t n = head_len < b->size ? head_len : (size_t)b->size;
		memset(head, 0, head_len);
		memcpy(head, (const uint8_t *)ctx + b->offset, n);
	}
	return (int64_t)b->size;
}


/* Open every backend the partition file names: a RAM disk over its image
 * in the payload (written in place: it outlives partition restarts), or the
 * platform's physical block device. */
static int storage_open(const struct hv_config *cfg, const struct payload_header *ph)
{
	static struct blkdev ram[CFG_MAX_BACKENDS];

	for (unsigned i = 0; i < cfg->nbackends; i++) {
		const struct backend_config *b = &cfg->backend[i];
		if (b->kind == BACKEND_RAM) {
			const struct payload_blob *blob = payload_find(ph, b->image.name);
			if (!blob) {
				ERR("/storage/%s: image: '%s' is not in the image", b->name,
				    b->image.name);
				return -1;
			}
			blk_ram_init(&ram[i], b->name, (uint8_t *)ph + blob->offset, blob->size);
			blk_backend_set(i, &ram[i]);
		} else {
			blk_backend_set(i, blk_phys_open(b->index));
			if (!blk_backend(i)) {
				ERR("/storage/%s: index: no physical virtio-blk device number %u",
				    b->name, b->index);
				return -1;
			}
		}
		INFO("storage %s: %llu sectors", b->name, (unsigned long long)blk_backend(i)->sectors);
	}
	return 0;
}

/* The switch's segments, and the physical NICs that are their uplinks. */
static int network_open(const struct hv_config *cfg)
{
	net_segments_init(cfg->nsegments);
	for (unsigned i = 0; i < cfg->nsegments; i++) {
		const struct segment_config *s = &cfg->segment[i];
		struct net_port *up;
		if (s->uplink == CFG_NO_UPLINK)
			continue;
		up = net_phys_open(s->uplink);
		if (!up || net_port_attach(up, i)) {
			ERR("/network/%s: uplink: no physical virtio-net number %u", s->name, s->uplink);
			return -1;
		}
		INFO("network %s: uplink %s", s->name, up->name);
	}
	return 0;
}

int core_setup(const void *payload, size_t avail, const struct platform_desc *pd,
	       struct page_pool *pool)
{
	static struct cfg_errors errs HV_NOINIT; /* config_parse() clears it */
	const struct payload_header *ph;
	const struct payload_blob *pf;
	const char *why;

	ph = payload_open(payload, avail, &why);
	if (!ph) {
		ERR("image: %s; refusing to boot", why);
		return -1;
	}
	pf = payload_find(ph, "partition-file");
	if (!pf) {
		ERR("image: no partition file; refusing to boot");
		return -1;
	}
	if (config_parse((const uint8_t *)ph + pf->offset, pf->size, pd, payload_blob_size,
			 (void *)ph, &config, &errs)) {
		for (unsigned i = 0; i < errs.count; i++)
			ERR("partition file: %s", errs.msg[i]);
		ERR("refusing to boot: %u error(s) in the partition file", errs.count);
		return -1;
	}
	for (unsigned i = 0; i < errs.nwarn; i++)
		WARN("partition file: %s", errs.warn[i]);
	hv_config = &config;
	if (crypto_selftest())
		INFO("crypto self-test passed (HMAC_DRBG, SHA-256 %s)",
		     sha256_get_impl() == SHA256_CE ? "instructions" : "in C");
	else
		ERR("crypto self-test FAILED: virtio-rng devices serve no data");
	hv_set_log_level((enum log_level)config.log_level);
	if (storage_open(&config, ph) || network_open(&config))
		return -1;
	display_open(&config);
	return partitions_create(&config, ph, pool);
}
