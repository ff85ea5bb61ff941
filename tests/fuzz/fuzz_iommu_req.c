/* libFuzzer harness for the virtio-iommu request decoder
 * (core/iommu_req.c, core/iommu.c, core/iommu_domain.c): the input is a
 * driver's sequence of requests, each handed to iommu_request() as the
 * device would (its readable bytes copied, its writable length).
 * proves: IOMMU-3, IOMMU-5, IOMMU-6, IOMMU-7, IOMMU-8, IOMMU-9
 * Built with -fsanitize=fuzzer,address,undefined: any access outside the
 * buffers, any UB is a crash. Beyond memory safety, after each request:
 *  - the reply fits the writable length, is 0 bytes only for an unknown
 *    type, PROBE without F_PROBE or no room for a tail, and is otherwise a
 *    tail (status 0..8, reserved bytes zero) or PROBE's list and tail;
 *  - a request of the wrong length, or with a reserved byte set, never
 *    gets S_OK (checked from [VIRTIO] 5.13.6's layouts, not the decoder's);
 *  - a request that did not get S_OK changed nothing (the whole state
 *    compared): nothing attached, detached, mapped or unmapped;
 *  - a failed PROBE wrote only its tail; a good one a zeroed list;
 *  - a MAP that got S_OK added exactly its mapping; the state is sound:
 *    every endpoint's domain exists and counts it, domain IDs are distinct
 *    and in the range, each domain's mappings are sorted, disjoint, page
 *    aligned and inside the input range.
 *
 * Input: byte 0: bit 0 F_PROBE accepted, bit 1 F_BYPASS_CONFIG accepted.
 * Then requests, each: u8 inlen (% 81), u8 outlen (% 160), inlen bytes
 * (short input reads as zeros). tests/fuzz/corpus/iommu_req/ has seeds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hv/iommu_req.h>

#define PROBE_SIZE 64
#define INPUT_END ((1ull << 48) - 1)
#define DOM_LAST 0xffffu

static const uint32_t endpoints[] = { 1, 2, 3, 7 };
static struct iommu m, before;

static __attribute__((noreturn)) void die(const char *what)
{
	fprintf(stderr, "fuzz_iommu_req: %s\n", what);
	abort();
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t le64(const uint8_t *b) { return le32(b) | (uint64_t)le32(b + 4) << 32; }

static int any(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 1;
	return 0;
}

/* The readable length of each type and where its reserved bytes are
 * ([VIRTIO] 5.13.6.4-8): offsets in the request, head included. */
static const struct {
	size_t len, res, nres;
} layout[6] = {
	[1] = { 20, 16, 4 }, /* ATTACH: domain, endpoint, flags, reserved[4] */
	[2] = { 20, 12, 8 }, /* DETACH: domain, endpoint, reserved[8] */
	[3] = { 36, 0, 0 },  /* MAP: domain, virt_start, virt_end, phys_start, flags */
	[4] = { 28, 24, 4 }, /* UNMAP: domain, virt_start, virt_end, reserved[4] */
	[5] = { 72, 8, 64 }, /* PROBE: endpoint, reserved[64] */
};

static void sound(void)
{
	unsigned users[IOMMU_MAX_DOMAINS] = { 0 };

	for (unsigned i = 0; i < m.nep; i++) {
		int d = m.ep[i].dom;
		if (d < -1 || d >= (int)m.max_domains || (d >= 0 && !m.dom[d].used))
			die("an endpoint in a domain that does not exist");
		if (d >= 0)
			users[d]++;
	}
	for (unsigned s = 0; s < m.max_domains; s++) {
		const struct iommu_dom_slot *d = &m.dom[s];
		if (!d->used) {
			if (users[s] || d->map.n)
				die("a free domain slot with endpoints or mappings");
			continue;
		}
		if (d->users != users[s] || !d->users)
			die("a domain's count of endpoints is wrong (or it lives without one)");
		if (d->id > DOM_LAST)
			die("a domain outside the domain range");
		for (unsigned t = 0; t < s; t++)
			if (m.dom[t].used && m.dom[t].id == d->id)
				die("two domains with one ID");
		if (d->map.n > d->map.max || (d->bypass && d->map.n) || d->map.gs > d->map.ge ||
		    d->map.ge > d->map.max || d->map.n != d->map.gs + (d->map.max - d->map.ge))
			die("mappings beyond the storage, or in a bypass domain");
		for (unsigned k = 0; k < d->map.n; k++) {
			const struct iommu_mapping *a = iommu_domain_at(&d->map, k);
			if (a->virt_start > a->virt_end || a->virt_end > INPUT_END ||
			    (a->virt_start & 0xfff) || ((a->virt_end + 1) & 0xfff) ||
			    (a->phys_start & 0xfff) ||
			    (a->flags & ~(uint32_t)(VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE)))
				die("a mapping that MAP should have refused");
			if (k && iommu_domain_at(&d->map, k - 1)->virt_end >= a->virt_start)
				die("mappings unsorted or overlapping");
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct iommu_params p = {
		.page_size_mask = ~(uint64_t)0xfff,
		.input_start = 0,
		.input_end = INPUT_END,
		.probe_size = PROBE_SIZE,
		.probe = size && (data[0] & 1),
		.map_flags = VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE,
	};
	size_t pos = 1;

	iommu_init(&m, endpoints, 4, 0, DOM_LAST, IOMMU_MAX_DOMAINS);
	m.bypass_config = size && (data[0] & 2);
	while (pos < size) {
		uint8_t in[VIRTIO_IOMMU_REQ_MAX + 9] = { 0 };
		uint8_t out[IOMMU_REPLY_MAX(PROBE_SIZE) + 96];
		size_t inlen = data[pos] % 81, outlen = pos + 1 < size ? data[pos + 1] % 160 : 0;
		size_t len, off = 12345, avail, maxout;
		uint8_t type, st;
		int bad;

		pos += 2;
		avail = size > pos ? size - pos : 0;
		memcpy(in, data + pos, inlen < avail ? inlen : avail);
		pos += inlen;
		type = inlen ? in[0] : 0;
		memset(out, 0xa5, sizeof(out));
		memcpy(&before, &m, sizeof(m));
		maxout = outlen < IOMMU_REPLY_MAX(PROBE_SIZE) ? outlen : IOMMU_REPLY_MAX(PROBE_SIZE);
		len = iommu_request(&m, &p, in, inlen, out, outlen, &off);

		if (len > maxout || off + len > outlen || (len && off > outlen))
			die("a reply longer than the writable buffers");
		for (size_t i = len; i < sizeof(out); i++)
			if (out[i] != 0xa5)
				die("bytes written past the reply");
		if (type == 0 || type > 5 || (type == 5 && !p.probe) || outlen < 4) {
			if (len)
				die("a reply to an unknown type, PROBE without F_PROBE, or no room");
			if (memcmp(&before, &m, sizeof(m)))
				die("an unanswered request changed the state");
			continue;
		}
		if (len != 4 && !(type == 5 && len == PROBE_SIZE + 4))
			die("a reply that is neither a tail nor PROBE's list and tail");
		st = out[len - 4];
		if (st > VIRTIO_IOMMU_S_NOMEM || any(out + len - 3, 3))
			die("a tail with an undefined status or reserved bytes set");
		bad = inlen != layout[type].len || any(in + 1, 3) ||
		      any(in + layout[type].res, layout[type].nres);
		if (bad && st == VIRTIO_IOMMU_S_OK)
			die("S_OK for a request of the wrong length or with reserved bytes set");
		if (type == 5) {
			if (outlen < PROBE_SIZE + 4) {
				if (st != VIRTIO_IOMMU_S_INVAL || len != 4 || off != outlen - 4)
					die("PROBE into a short list: not S_INVAL in its last four bytes");
			} else if (st == VIRTIO_IOMMU_S_OK) {
				if (off || len != PROBE_SIZE + 4 || any(out, PROBE_SIZE))
					die("a good PROBE: not a zeroed list (NONE) and its tail");
			} else if (len != 4 || off != PROBE_SIZE) {
				die("a failed PROBE wrote more than its tail");
			}
		} else if (off) {
			die("a tail not at the start of the writable buffers");
		}
		if (st != VIRTIO_IOMMU_S_OK && memcmp(&before, &m, sizeof(m)))
			die("a request that failed changed the state");
		if (type == 3 && st == VIRTIO_IOMMU_S_OK) {
			const struct iommu_dom_slot *d = iommu_domain_get(&m, le32(in + 4));
			const struct iommu_mapping *a = d ? iommu_domain_find(&d->map, le64(in + 8)) : NULL;
			if (!a || a->virt_start != le64(in + 8) || a->virt_end != le64(in + 16) ||
			    a->phys_start != le64(in + 24) || a->flags != le32(in + 32) ||
			    d->map.n != iommu_domain_get(&before, le32(in + 4))->map.n + 1)
				die("MAP's S_OK without exactly its mapping added");
		}
		sound();
	}
	return 0;
}
