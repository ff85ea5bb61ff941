#include <hv/boot.h>
#include <hv/image.h>
#include <hv/log.h>
#include <hv/drbg.h>
#include <hv/partition.h>
#include <string.h>

/* The parsed configuration: written once here, then stage-1 maps its page
 * read-only; no stage-2 table maps hypervisor memory. */
static struct hv_config config __attribute__((section(".ro_after_init"), aligned(4096)));
const struct hv_config *hv_config;

static int64_t payload_blob_size(void *ctx, const char *name)
{
	const struct payload_blob *b = payload_find(ctx, name);
	return b ? (int64_t)b->size : -1;
}

int core_setup(const void *payload, size_t avail, struct page_pool *pool)
{
	static struct cfg_errors errs;
	struct platform_desc pd;
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
	platform_desc_get(&pd);
	if (config_parse((const uint8_t *)ph + pf->offset, pf->size, &pd, payload_blob_size,
			 (void *)ph, &config, &errs)) {
		for (unsigned i = 0; i < errs.count; i++)
			ERR("partition file: %s", errs.msg[i]);
		ERR("refusing to boot: %u error(s) in the partition file", errs.count);
		return -1;
	}
	hv_config = &config;
	if (crypto_selftest())
		INFO("crypto self-test passed (SHA-256, HMAC-SHA256)");
	else
		ERR("crypto self-test FAILED: virtio-rng devices serve no data");
	hv_set_log_level((enum log_level)config.log_level);
	return partitions_create(&config, ph, pool);
}
