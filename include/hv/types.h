/* Basic types: distinct address kinds so a guest address is never used as
 * a host one by accident. */
#ifndef HV_TYPES_H
#define HV_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t; /* physical address */
typedef uint64_t ipa_t;   /* guest (intermediate) physical address */
typedef uintptr_t vaddr_t; /* hypervisor virtual address */

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((a)-1)) == 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(n) (1ULL << (n))

/* Half-open range [base, base+size); size 0 is empty. */
static inline bool range_overlaps(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
	return asz && bsz && a < b + bsz && b < a + asz;
}

/* True when [base, base+size) lies inside [outer, outer+osz), no wrap. */
static inline bool range_within(uint64_t base, uint64_t size, uint64_t outer, uint64_t osz)
{
	return base + size >= base && base >= outer && base + size <= outer + osz;
}

/* A buffer always written before it is read: the hypervisor does not
 * zero it at boot (section .noinit, after .bss); plain on the host. */
#ifdef HV_TARGET
#define HV_NOINIT __attribute__((section(".noinit")))
#else
#define HV_NOINIT
#endif

#endif
