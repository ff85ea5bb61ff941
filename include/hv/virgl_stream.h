/* A virgl command stream (Mesa's virgl_protocol.h: each command one
 * header dword, command in bits 0-7, object type in 8-15, the dwords
 * after the header in 16-31) as the hypervisor forwards it: walked whole,
 * every command checked to be one it knows and fits, every resource handle
 * in it translated from the partition's ids to the backend's. The stream
 * is the hypervisor's own copy: nothing changes it while it is walked. */
#ifndef HV_VIRGL_STREAM_H
#define HV_VIRGL_STREAM_H

#include <hv/types.h>

enum virgl_stream_err {
	VS_OK,
	VS_TRUNCATED,   /* a command's length runs past the end */
	VS_UNKNOWN,     /* a command (or object type) the walker does not know */
	VS_REFUSED,     /* known, not allowed (blob, video, debug flags when off) */
	VS_HANDLE,      /* a resource handle that is not the partition's */
};

struct virgl_stream_result {
	enum virgl_stream_err err;
	uint32_t at;      /* the failing command's first dword */
	uint32_t cmd;     /* its header */
	uint32_t ncmds;   /* commands walked (all of them when err is VS_OK) */
	uint32_t nhandles;
};

/* The backend's id for the partition's resource handle h (never 0 for 0:
 * the walker keeps 0, "none", itself), or 0 when h is not one of its. */
typedef uint32_t (*virgl_map_fn)(void *arg, uint32_t h);

/* Walk buf (n dwords), translating in place. debug: SET_DEBUG_FLAGS
 * allowed. On failure buf is partly translated: it must not be sent. */
struct virgl_stream_result virgl_stream_translate(uint32_t *buf, uint32_t n, virgl_map_fn map,
						  void *arg, bool debug);

#endif
