#include <hv/iommu_req.h>

#include <string.h>

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t le64(const uint8_t *b)
{
	return le32(b) | (uint64_t)le32(b + 4) << 32;
}

static bool zero(const uint8_t *b, size_t n)
{
	uint8_t any = 0;

	for (size_t i = 0; i < n; i++)
		any |= b[i];
	return !any;
}

/* The readable length of each request type: head and payload. */
static const uint8_t req_len[] = {
	[VIRTIO_IOMMU_T_ATTACH] = 4 + 16, [VIRTIO_IOMMU_T_DETACH] = 4 + 16,
	[VIRTIO_IOMMU_T_MAP] = 4 + 32,    [VIRTIO_IOMMU_T_UNMAP] = 4 + 24,
	[VIRTIO_IOMMU_T_PROBE] = 4 + 68,
};

/* The domain of a MAP or UNMAP: S_RANGE outside the domain range
 * (IOMMU-4), S_NOENT when it does not exist, S_INVAL for a bypass domain
 * (nothing to map). */
static int map_domain(struct iommu *m, uint32_t id, struct iommu_domain **d)
{
	struct iommu_dom_slot *s;

	if (id < m->dom_first || id > m->dom_last)
		return VIRTIO_IOMMU_S_RANGE;
	s = iommu_domain_get(m, id);
	if (!s)
		return VIRTIO_IOMMU_S_NOENT;
	if (s->bypass)
		return VIRTIO_IOMMU_S_INVAL;
	*d = &s->map;
	return VIRTIO_IOMMU_S_OK;
}

static int do_map(struct iommu *m, const struct iommu_params *p, const uint8_t *q)
{
	uint64_t vs = le64(q + 4), ve = le64(q + 12), ps = le64(q + 20);
	uint32_t flags = le32(q + 28);
	struct iommu_domain *d;
	int st = map_domain(m, le32(q), &d);

	if (st != VIRTIO_IOMMU_S_OK)
		return st;
	if (vs < p->input_start || ve > p->input_end)
		return VIRTIO_IOMMU_S_RANGE; /* IOMMU-4 */
	return iommu_domain_map(d, vs, ve, ps, flags, p->page_size_mask & -p->page_size_mask,
				p->map_flags);
}

static int do_unmap(struct iommu *m, const uint8_t *q)
{
	struct iommu_domain *d;
	int st;

	if (!zero(q + 20, 4))
		return VIRTIO_IOMMU_S_INVAL;
	st = map_domain(m, le32(q), &d);
	return st != VIRTIO_IOMMU_S_OK ? st : iommu_domain_unmap(d, le64(q + 4), le64(q + 12));
}

/* PROBE: no property applies to these endpoints (no MSI doorbell, no
 * reserved region), so the list is its terminator, NONE, and zeroes. */
static int do_probe(struct iommu *m, const struct iommu_params *p, const uint8_t *q, uint8_t *props)
{
	if (!zero(q + 4, 64))
		return VIRTIO_IOMMU_S_INVAL;
	for (unsigned i = 0; i < m->nep; i++) {
		if (m->ep[i].id == le32(q)) {
			memset(props, 0, p->probe_size);
			return VIRTIO_IOMMU_S_OK;
		}
	}
	return VIRTIO_IOMMU_S_NOENT;
}

size_t iommu_request(struct iommu *m, const struct iommu_params *p, const uint8_t *in,
		     size_t inlen, uint8_t *out, size_t outlen, size_t *off)
{
	uint8_t type = inlen ? in[0] : 0;
	const uint8_t *q = in + 4; /* the payload */
	size_t tail = 0;           /* where the tail goes in out */
	int st;

	*off = 0;
	if (type == 0 || type >= sizeof(req_len) || (type == VIRTIO_IOMMU_T_PROBE && !p->probe))
		return 0; /* unknown: buffers back, used length 0 */
	if (type == VIRTIO_IOMMU_T_PROBE) {
		if (outlen < VIRTIO_IOMMU_TAIL_LEN)
			return 0;
		if (outlen < (size_t)p->probe_size + VIRTIO_IOMMU_TAIL_LEN) {
			/* The list would not fit: only the tail, at its end. */
			*off = outlen - VIRTIO_IOMMU_TAIL_LEN;
			memset(out, 0, VIRTIO_IOMMU_TAIL_LEN);
			out[0] = VIRTIO_IOMMU_S_INVAL;
			return VIRTIO_IOMMU_TAIL_LEN;
		}
		tail = p->probe_size;
	} else if (outlen < VIRTIO_IOMMU_TAIL_LEN) {
		return 0;
	}
	if (inlen != req_len[type] || !zero(in + 1, 3)) {
		st = VIRTIO_IOMMU_S_INVAL;
	} else {
		switch (type) {
		case VIRTIO_IOMMU_T_ATTACH:
			st = zero(q + 12, 4) ? iommu_attach(m, le32(q), le32(q + 4), le32(q + 8))
					     : VIRTIO_IOMMU_S_INVAL;
			break;
		case VIRTIO_IOMMU_T_DETACH:
			st = zero(q + 8, 8) ? iommu_detach(m, le32(q), le32(q + 4)) : VIRTIO_IOMMU_S_INVAL;
			break;
		case VIRTIO_IOMMU_T_MAP:
			st = do_map(m, p, q);
			break;
		case VIRTIO_IOMMU_T_UNMAP:
			st = do_unmap(m, q);
			break;
		default:
			st = do_probe(m, p, q, out);
			break;
		}
	}
	/* A PROBE that failed writes no property: only its tail. */
	if (type == VIRTIO_IOMMU_T_PROBE && st != VIRTIO_IOMMU_S_OK) {
		*off = tail;
		tail = 0;
	}
	memset(out + tail, 0, VIRTIO_IOMMU_TAIL_LEN);
	out[tail] = (uint8_t)st;
	return tail + VIRTIO_IOMMU_TAIL_LEN;
}
