/* The virgl stream walker: see include/hv/virgl_stream.h. One const table
 * says, for each command, whether it is allowed and where its resource
 * handles are; CREATE_OBJECT's depend on the object type. */
#include <hv/virgl_stream.h>

enum {
	CMD_CREATE_OBJECT = 1,
	CMD_SET_DEBUG_FLAGS = 41,
	CMD_MAX = 63, /* VIRGL_CCMD_CLEAR_SURFACE is 62 */
};

/* Where a command's handles are, in dwords from its header: at a and b
 * (0: none), or, when step is set, at a, a + step, ... up to its end.
 * Positions past the command's end are not there (DRAW_VBO's indirect
 * handles come with its 20-dword form only). */
struct handles {
	uint8_t kind; /* K_* */
	uint8_t a, b, step;
};
enum { K_UNKNOWN, K_OK, K_REFUSED, K_OBJECT, K_DEBUG };

#define NONE { K_OK, 0, 0, 0 }
#define AT(x, y) { K_OK, x, y, 0 }
#define EVERY(x, s) { K_OK, x, 0, s }
#define REFUSED { K_REFUSED, 0, 0, 0 }

static const struct handles cmd_handles[CMD_MAX] = {
	[0] = NONE,             /* NOP */
	[1] = { K_OBJECT, 0, 0, 0 },
	[2] = NONE,             /* BIND_OBJECT: object handles */
	[3] = NONE,             /* DESTROY_OBJECT */
	[4] = NONE,             /* SET_VIEWPORT_STATE */
	[5] = NONE,             /* SET_FRAMEBUFFER_STATE: surfaces (objects) */
	[6] = EVERY(3, 3),      /* SET_VERTEX_BUFFERS: stride, offset, handle */
	[7] = NONE,             /* CLEAR */
	[8] = AT(15, 20),       /* DRAW_VBO: indirect and draw-count buffers */
	[9] = AT(1, 0),         /* RESOURCE_INLINE_WRITE */
	[10] = NONE,            /* SET_SAMPLER_VIEWS: objects */
	[11] = AT(1, 0),        /* SET_INDEX_BUFFER */
	[12] = NONE,            /* SET_CONSTANT_BUFFER: inline data */
	[13] = NONE, [14] = NONE, [15] = NONE, /* STENCIL_REF, BLEND_COLOR, SCISSOR */
	[16] = AT(4, 13),       /* BLIT: dst, src */
	[17] = AT(1, 6),        /* RESOURCE_COPY_REGION: dst, src */
	[18] = NONE,            /* BIND_SAMPLER_STATES */
	[19] = NONE, [20] = NONE, [21] = NONE, /* BEGIN/END_QUERY, GET_QUERY_RESULT */
	[22] = NONE, [23] = NONE, [24] = NONE, /* POLYGON_STIPPLE, CLIP_STATE, SAMPLE_MASK */
	[25] = NONE,            /* SET_STREAMOUT_TARGETS: objects */
	[26] = NONE,            /* SET_RENDER_CONDITION: a query object */
	[27] = AT(5, 0),        /* SET_UNIFORM_BUFFER */
	[28] = NONE, [29] = NONE, [30] = NONE, /* SET/CREATE/DESTROY_SUB_CTX */
	[31] = NONE, [32] = NONE, [33] = NONE, /* BIND_SHADER, TESS_STATE, MIN_SAMPLES */
	[34] = EVERY(5, 3),     /* SET_SHADER_BUFFERS: offset, length, handle */
	[35] = EVERY(7, 5),     /* SET_SHADER_IMAGES: format, access, layer, level, handle */
	[36] = NONE,            /* MEMORY_BARRIER */
	[37] = AT(7, 0),        /* LAUNCH_GRID: indirect buffer */
	[38] = NONE, [39] = NONE, /* FRAMEBUFFER_STATE_NO_ATTACH, TEXTURE_BARRIER */
	[40] = EVERY(4, 3),     /* SET_ATOMIC_BUFFERS */
	[41] = { K_DEBUG, 0, 0, 0 }, /* SET_DEBUG_FLAGS (GPU3D-5) */
	[42] = AT(2, 0),        /* GET_QUERY_RESULT_QBO: the buffer */
	[43] = AT(1, 0),        /* TRANSFER3D */
	[44] = NONE,            /* END_TRANSFERS */
	[45] = AT(1, 12),       /* COPY_TRANSFER3D: dst, src */
	[46] = NONE,            /* SET_TWEAKS */
	[47] = AT(1, 0),        /* CLEAR_TEXTURE */
	[48] = REFUSED,         /* PIPE_RESOURCE_CREATE: blob resources (not offered) */
	[49] = REFUSED,         /* PIPE_RESOURCE_SET_TYPE: blob resources */
	[50] = AT(1, 0),        /* GET_MEMORY_INFO: the buffer it writes */
	[51] = NONE,            /* EMIT_STRING_MARKER */
	[52] = NONE,            /* LINK_SHADER: shader objects */
	[53] = REFUSED, [54] = REFUSED, [55] = REFUSED, /* video: not offered */
	[56] = REFUSED, [57] = REFUSED, [58] = REFUSED,
	[59] = REFUSED, [60] = REFUSED, [61] = REFUSED,
	[62] = NONE,            /* CLEAR_SURFACE: a surface object */
};

/* CREATE_OBJECT by object type: where the resource handle is. */
static const struct handles obj_handles[12] = {
	[1] = NONE, [2] = NONE, [3] = NONE, [4] = NONE, [5] = NONE, /* blend .. vertex elements */
	[6] = AT(2, 0),  /* SAMPLER_VIEW */
	[7] = NONE,      /* SAMPLER_STATE */
	[8] = AT(2, 0),  /* SURFACE */
	[9] = AT(4, 0),  /* QUERY: its result buffer */
	[10] = AT(2, 0), /* STREAMOUT_TARGET */
	[11] = AT(2, 0), /* MSAA_SURFACE */
};

static bool one(uint32_t *p, virgl_map_fn map, void *arg, uint32_t *count)
{
	uint32_t h;

	if (!*p)
		return true;
	if (!(h = map(arg, *p)))
		return false;
	*p = h;
	(*count)++;
	return true;
}

struct virgl_stream_result virgl_stream_translate(uint32_t *buf, uint32_t n, virgl_map_fn map,
						  void *arg, bool debug)
{
	struct virgl_stream_result r = { VS_OK, 0, 0, 0, 0 };

	for (uint32_t at = 0; at < n; r.ncmds++) {
		uint32_t hdr = buf[at], len = hdr >> 16, cmd = hdr & 0xff, obj = (hdr >> 8) & 0xff;
		uint32_t *c = &buf[at];
		struct handles h;

		r.at = at;
		r.cmd = hdr;
		if (len > n - at - 1) {
			r.err = VS_TRUNCATED;
			return r;
		}
		h = cmd < CMD_MAX ? cmd_handles[cmd] : (struct handles){ K_UNKNOWN, 0, 0, 0 };
		if (h.kind == K_OBJECT)
			h = obj < 12 ? obj_handles[obj] : (struct handles){ K_UNKNOWN, 0, 0, 0 };
		if (h.kind == K_DEBUG)
			h = debug ? (struct handles)NONE : (struct handles)REFUSED;
		if (h.kind == K_UNKNOWN || h.kind == K_REFUSED) {
			r.err = h.kind == K_UNKNOWN ? VS_UNKNOWN : VS_REFUSED;
			return r;
		}
		if (h.step) {
			for (uint32_t i = h.a; i <= len; i += h.step)
				if (!one(&c[i], map, arg, &r.nhandles)) {
					r.err = VS_HANDLE;
					return r;
				}
		} else if ((h.a && h.a <= len && !one(&c[h.a], map, arg, &r.nhandles)) ||
			   (h.b && h.b <= len && !one(&c[h.b], map, arg, &r.nhandles))) {
			r.err = VS_HANDLE;
			return r;
		}
		at += 1 + len;
	}
	return r;
}
