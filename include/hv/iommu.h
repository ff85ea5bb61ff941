/* A virtio-iommu's endpoints and domains ([VIRTIO] 5.13): which endpoint
 * is attached to which domain, the domains' lifetime, and what an
 * endpoint may reach (IOMMU-2, IOMMU-5, IOMMU-6). Logic only: the device
 * (vdev/) decodes each request into its own copy and checks the reserved
 * fields, then calls these. The mappings of a domain are
 * hv/iommu_domain.h's.
 *
 * Domains are created by the first ATTACH that names them and destroyed,
 * with their mappings, when their last endpoint leaves. Endpoint IDs are
 * the hypervisor's (one per virtual device of the partition); domain IDs
 * are the driver's, inside the device's domain range. */
#ifndef HV_IOMMU_H
#define HV_IOMMU_H

#include <generated/autoconf.h>
#include <hv/iommu_domain.h>

#define IOMMU_MAX_ENDPOINTS 16
#define IOMMU_MAX_DOMAINS 16
#ifndef IOMMU_MAX_MAPPINGS /* a fuzz build sets a small one */
#define IOMMU_MAX_MAPPINGS CONFIG_VIOMMU_MAPPINGS /* per domain */
#endif

/* ATTACH flags ([VIRTIO] 5.13.6.4, with F_BYPASS_CONFIG). */
#define VIRTIO_IOMMU_ATTACH_F_BYPASS BIT(0)

struct iommu_dom_slot {
	bool used;
	bool bypass;    /* attached with ATTACH_F_BYPASS: no translation */
	uint32_t id;
	unsigned users; /* endpoints attached */
	struct iommu_domain map;
	struct iommu_mapping storage[IOMMU_MAX_MAPPINGS];
};

struct iommu_endpoint {
	uint32_t id;
	int dom; /* slot in dom[], -1 when not attached */
};

struct iommu {
	unsigned nep;
	struct iommu_endpoint ep[IOMMU_MAX_ENDPOINTS];
	struct iommu_dom_slot dom[IOMMU_MAX_DOMAINS];
	uint32_t dom_first, dom_last; /* the domain range offered */
	unsigned max_domains;         /* at most IOMMU_MAX_DOMAINS */
	bool bypass_config;           /* F_BYPASS_CONFIG accepted: ATTACH_F_BYPASS known */
	bool bypass;                  /* unattached endpoints bypass (F_BYPASS and config) */
};

/* The endpoints (IDs, distinct), the domain range and how many domains
 * may exist at once. Everything detached, no domain. */
void iommu_init(struct iommu *m, const uint32_t *endpoints, unsigned n, uint32_t dom_first,
		uint32_t dom_last, unsigned max_domains);

/* Every endpoint detached, every domain and mapping gone (device reset). */
void iommu_reset(struct iommu *m);

/* ATTACH (IOMMU-5): S_OK; S_INVAL for an unknown flag (or BYPASS without
 * F_BYPASS_CONFIG), or a domain that exists with the other bypass
 * setting; S_RANGE outside the domain range; S_NOENT for an unknown
 * endpoint; S_NOMEM when no domain can be made. Nothing changes unless
 * S_OK. An endpoint attached elsewhere is detached from there first. */
int iommu_attach(struct iommu *m, uint32_t domain, uint32_t endpoint, uint32_t flags);

/* DETACH (IOMMU-6): S_OK; S_NOENT for an unknown endpoint; S_INVAL when
 * the domain does not exist or the endpoint is not attached to it. */
int iommu_detach(struct iommu *m, uint32_t domain, uint32_t endpoint);

/* The mappings of domain id (for MAP and UNMAP), NULL when it does not
 * exist (S_NOENT) or bypasses (MAP/UNMAP on it: S_INVAL, the caller's
 * choice of status). */
struct iommu_dom_slot *iommu_domain_get(struct iommu *m, uint32_t id);

/* What endpoint id may do with guest memory: IOMMU_NONE (not attached
 * and no bypass: IOMMU-2), IOMMU_ALL (bypass, global or its domain's),
 * IOMMU_MAPPED (through *dom's mappings). */
enum iommu_reach { IOMMU_NONE, IOMMU_ALL, IOMMU_MAPPED };
enum iommu_reach iommu_reach(const struct iommu *m, uint32_t endpoint,
			     const struct iommu_domain **dom);

#endif
