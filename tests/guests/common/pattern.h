/* The test disk's contents, as tests/lib/common.sh's pattern_disk writes
 * them: 64-bit little-endian word w of the image (byte offset 8w) is
 * w * 0x9e3779b97f4a7c15 + 0x0123456789abcdef (mod 2^64). */
#ifndef GUEST_PATTERN_H
#define GUEST_PATTERN_H

#include "guest.h"

GFN uint64_t pat_word(uint64_t w) { return w * 0x9e3779b97f4a7c15ULL + 0x0123456789abcdefULL; }

/* len bytes at buf are the disk's from 512-byte sector abs_sector on. */
GFN int pattern_at(uintptr_t buf, uint64_t abs_sector, uint32_t len)
{
	uint64_t w0 = abs_sector * 512 / 8;
	for (uint32_t i = 0; i < len; i += 8)
		if (r64(buf + i) != pat_word(w0 + i / 8))
			return 0;
	return 1;
}

#endif
