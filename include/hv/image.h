/* The packed image: see docs/image-format.md. Shared by the packer
 * (tools/hvpack) and the hypervisor (core/image.c). All fields little-endian. */
#ifndef HV_IMAGE_H
#define HV_IMAGE_H

#include <hv/types.h>

#define PAYLOAD_MAGIC "BHPAYLD1"
#define PAYLOAD_ALIGN 0x10000UL /* payload starts at _end rounded up to this */
#define BLOB_ALIGN 0x1000UL
#define BLOB_NAME_MAX 96
#define PAYLOAD_MAX_BLOBS 32

struct payload_blob {
	char name[BLOB_NAME_MAX]; /* NUL-terminated; blob 0 is "partition-file" */
	uint64_t offset;          /* from the payload header */
	uint64_t size;
	uint32_t crc32;
	uint32_t reserved;
};

struct payload_header {
	char magic[8];
	uint32_t version; /* 1 */
	uint32_t nblobs;
	uint64_t total_size; /* header + table + blobs */
	uint32_t table_crc32; /* over the blob table */
	uint32_t reserved;
	struct payload_blob blob[]; /* nblobs entries */
};

_Static_assert(sizeof(struct payload_blob) == 120, "payload_blob layout");
_Static_assert(sizeof(struct payload_header) == 32, "payload_header layout");

/* The arm64 Linux Image header at the start of the hypervisor binary, so
 * QEMU -kernel and U-Boot booti load it and pass the DTB in x0. */
struct arm64_image_header {
	uint32_t code0, code1;
	uint64_t text_offset;
	uint64_t image_size; /* patched by the packer to cover the payload */
	uint64_t flags;
	uint64_t res2, res3, res4;
	uint32_t magic; /* "ARM\x64" */
	uint32_t res5;
};
_Static_assert(sizeof(struct arm64_image_header) == 64, "Image header layout");
#define ARM64_IMAGE_MAGIC 0x644d5241u

uint32_t crc32(const void *data, size_t len);

/* Find and check the payload; returns NULL with *why set when bad. */
const struct payload_header *payload_open(const void *base, size_t avail, const char **why);
/* Blob by name, or NULL. */
const struct payload_blob *payload_find(const struct payload_header *h, const char *name);

#endif
