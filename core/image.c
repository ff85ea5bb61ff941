/* Reading the packed payload. The image arrives from flash and is checked
 * before anything in it is trusted: magic, version, bounds of every blob,
 * CRCs of the table and of each blob. */
#include <hv/image.h>
#include <string.h>
#if defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>
#endif

#if defined(__ARM_FEATURE_CRC32)
/* CRC-32 (IEEE 802.3, as zlib) with the Armv8 CRC32 instructions, eight
 * bytes each, 64 bytes a loop step (4 load pairs, 8 CRC32X and 3 loop
 * instructions): the boot check of a 35 MB image costs ~8M instructions
 * (~17M a word at a time, ~300M a byte at a time). */
uint32_t crc32(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t c = 0xffffffffu;

	while (len && ((uintptr_t)p & 7)) {
		c = __crc32b(c, *p++);
		len--;
	}
	for (; len >= 64; len -= 64, p += 64) {
		const uint64_t *w = (const uint64_t *)(const void *)p;
		c = __crc32d(c, w[0]);
		c = __crc32d(c, w[1]);
		c = __crc32d(c, w[2]);
		c = __crc32d(c, w[3]);
		c = __crc32d(c, w[4]);
		c = __crc32d(c, w[5]);
		c = __crc32d(c, w[6]);
		c = __crc32d(c, w[7]);
	}
	for (; len >= 8; len -= 8, p += 8)
		c = __crc32d(c, *(const uint64_t *)(const void *)p);
	while (len--)
		c = __crc32b(c, *p++);
	return ~c;
}
#else
/* CRC-32 (IEEE 802.3, as zlib), table-driven: guest images are large. */
uint32_t crc32(const void *data, size_t len)
{
	static uint32_t table[256];
	const uint8_t *p = data;
	uint32_t c = 0xffffffffu;

	if (!table[1])
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t v = i;
			for (int k = 0; k < 8; k++)
				v = (v >> 1) ^ (0xedb88320u & (0u - (v & 1)));
			table[i] = v;
		}
	while (len--)
		c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}
#endif

const struct payload_header *payload_open(const void *base, size_t avail, const char **why)
{
	const struct payload_header *h = base;
	size_t table;

	if (avail < sizeof(*h) || memcmp(h->magic, PAYLOAD_MAGIC, 8) != 0) {
		*why = "no payload (bad magic)";
		return NULL;
	}
	if (h->version != 1 || h->nblobs == 0 || h->nblobs > PAYLOAD_MAX_BLOBS) {
		*why = "unsupported payload version or blob count";
		return NULL;
	}
	table = sizeof(*h) + h->nblobs * sizeof(h->blob[0]);
	if (h->total_size > avail || h->total_size < table) {
		*why = "payload larger than the memory reserved for it";
		return NULL;
	}
	if (crc32(h->blob, table - sizeof(*h)) != h->table_crc32) {
		*why = "payload table CRC mismatch";
		return NULL;
	}
	for (uint32_t i = 0; i < h->nblobs; i++) {
		const struct payload_blob *b = &h->blob[i];
		if (memchr(b->name, 0, sizeof(b->name)) == NULL || b->offset < table ||
		    b->offset > h->total_size || b->size > h->total_size - b->offset) {
			*why = "payload blob out of bounds";
			return NULL;
		}
		if (crc32((const uint8_t *)base + b->offset, b->size) != b->crc32) {
			*why = "payload blob CRC mismatch";
			return NULL;
		}
	}
	return h;
}

const struct payload_blob *payload_find(const struct payload_header *h, const char *name)
{
	for (uint32_t i = 0; i < h->nblobs; i++)
		if (strcmp(h->blob[i].name, name) == 0)
			return &h->blob[i];
	return NULL;
}
