#include <hv/iommu.h>

void iommu_init(struct iommu *m, const uint32_t *endpoints, unsigned n, uint32_t dom_first,
		uint32_t dom_last, unsigned max_domains)
{
	m->nep = n < IOMMU_MAX_ENDPOINTS ? n : IOMMU_MAX_ENDPOINTS;
	for (unsigned i = 0; i < m->nep; i++)
		m->ep[i] = (struct iommu_endpoint){ endpoints[i], -1 };
	m->dom_first = dom_first;
	m->dom_last = dom_last;
	m->max_domains = max_domains < IOMMU_MAX_DOMAINS ? max_domains : IOMMU_MAX_DOMAINS;
	m->bypass_config = false;
	m->bypass = false;
	iommu_reset(m);
}

void iommu_reset(struct iommu *m)
{
	for (unsigned i = 0; i < m->nep; i++)
		m->ep[i].dom = -1;
	for (unsigned i = 0; i < IOMMU_MAX_DOMAINS; i++) {
		m->dom[i].used = false;
		m->dom[i].users = 0;
		iommu_domain_init(&m->dom[i].map, m->dom[i].storage, IOMMU_MAX_MAPPINGS);
	}
}

static struct iommu_endpoint *endpoint(struct iommu *m, uint32_t id)
{
	for (unsigned i = 0; i < m->nep; i++)
		if (m->ep[i].id == id)
			return &m->ep[i];
	return NULL;
}

static int domain_slot(const struct iommu *m, uint32_t id)
{
	for (unsigned i = 0; i < m->max_domains; i++)
		if (m->dom[i].used && m->dom[i].id == id)
			return (int)i;
	return -1;
}

/* The endpoint leaves its domain; the domain goes with its last one. */
static void leave(struct iommu *m, struct iommu_endpoint *e)
{
	struct iommu_dom_slot *s = &m->dom[e->dom];

	e->dom = -1;
	if (--s->users == 0) {
		s->used = false;
		iommu_domain_clear(&s->map);
	}
}

int iommu_attach(struct iommu *m, uint32_t domain, uint32_t endpoint_id, uint32_t flags)
{
	uint32_t known = m->bypass_config ? VIRTIO_IOMMU_ATTACH_F_BYPASS : 0;
	bool bypass = flags & VIRTIO_IOMMU_ATTACH_F_BYPASS;
	struct iommu_endpoint *e;
	int s;

	if (flags & ~known)
		return VIRTIO_IOMMU_S_INVAL;
	if (domain < m->dom_first || domain > m->dom_last)
		return VIRTIO_IOMMU_S_RANGE;
	e = endpoint(m, endpoint_id);
	if (!e)
		return VIRTIO_IOMMU_S_NOENT;
	s = domain_slot(m, domain);
	if (s >= 0 && m->dom[s].bypass != bypass)
		return VIRTIO_IOMMU_S_INVAL;
	if (s >= 0 && e->dom == s)
		return VIRTIO_IOMMU_S_OK; /* already there */
	if (s < 0) {
		/* A new domain: a free slot, or the one the endpoint is about
		 * to empty by leaving. */
		for (unsigned i = 0; i < m->max_domains && s < 0; i++)
			if (!m->dom[i].used)
				s = (int)i;
		if (s < 0 && e->dom >= 0 && m->dom[e->dom].users == 1)
			s = e->dom;
		if (s < 0)
			return VIRTIO_IOMMU_S_NOMEM;
	}
	if (e->dom >= 0)
		leave(m, e); /* implicit detach ([VIRTIO] 5.13.6.4) */
	if (!m->dom[s].used) {
		m->dom[s].used = true;
		m->dom[s].id = domain;
		m->dom[s].bypass = bypass;
		m->dom[s].users = 0;
		iommu_domain_clear(&m->dom[s].map);
	}
	m->dom[s].users++;
	e->dom = s;
	return VIRTIO_IOMMU_S_OK;
}

int iommu_detach(struct iommu *m, uint32_t domain, uint32_t endpoint_id)
{
	struct iommu_endpoint *e = endpoint(m, endpoint_id);
	int s;

	if (!e)
		return VIRTIO_IOMMU_S_NOENT;
	s = domain_slot(m, domain);
	if (s < 0 || e->dom != s)
		return VIRTIO_IOMMU_S_INVAL;
	leave(m, e);
	return VIRTIO_IOMMU_S_OK;
}

struct iommu_dom_slot *iommu_domain_get(struct iommu *m, uint32_t id)
{
	int s = domain_slot(m, id);

	return s < 0 ? NULL : &m->dom[s];
}

enum iommu_reach iommu_reach(const struct iommu *m, uint32_t endpoint_id,
			     const struct iommu_domain **dom)
{
	for (unsigned i = 0; i < m->nep; i++) {
		const struct iommu_endpoint *e = &m->ep[i];
		if (e->id != endpoint_id)
			continue;
		if (e->dom < 0)
			return m->bypass ? IOMMU_ALL : IOMMU_NONE;
		if (m->dom[e->dom].bypass)
			return IOMMU_ALL;
		*dom = &m->dom[e->dom].map;
		return IOMMU_MAPPED;
	}
	return IOMMU_NONE;
}
