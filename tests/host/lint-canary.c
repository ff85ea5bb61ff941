/* Planted defects for tests/host/test_lint.sh: the static analysis of make
 * lint must report each, or its clean result over the tree means nothing.
 * Not built, not part of the hypervisor; the test that uses it names what
 * it proves.
 * proves: PLATFORM-5 (with tests/host/test_lint.sh) */
#include <stddef.h>
#include <string.h>

struct req {
	unsigned len;
	unsigned char data[16];
};

/* An index one past the array (cppcheck: arrayIndexOutOfBounds). */
unsigned char canary_past_end(const struct req *r)
{
	return r->data[16];
}

/* A pointer used after it was found NULL (clang-tidy's analyzer:
 * core.NullDereference). */
unsigned canary_null(const struct req *r)
{
	if (!r)
		return r->len;
	return 0;
}

/* A value read before it was written (clang-tidy's analyzer). */
unsigned canary_uninit(unsigned n)
{
	unsigned x;
	if (n > 4)
		x = n;
	return x + 1;
}
