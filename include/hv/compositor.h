/* The compositor: each partition's scanout is a window on the physical
 * output, at the place and z-order the partition file gives (GPU2D; the
 * partition file's /display and virtio-gpu nodes). A window keeps the
 * last picture its partition flushed in a shadow the hypervisor owns; the
 * output is made only from shadows and cursors, so composing never reads
 * a partition's memory, and a partition's pixels reach the output only
 * inside its window and only where no window above covers it.
 *
 * Locking: display.lock over every shadow and the output. A device takes
 * it inside its own lock (virtio_dev.lock, then display.lock). */
#ifndef HV_COMPOSITOR_H
#define HV_COMPOSITOR_H

#include <generated/autoconf.h>
#include <hv/arch.h>
#include <hv/gpu_geom.h>

#define COMP_CURSOR 64 /* the cursor image: 64 x 64, B8G8R8A8 */
#define COMP_MAX_WINDOWS CONFIG_MAX_PARTITIONS

struct comp_window {
	struct gpu_rect rect; /* on the output, inside it */
	uint32_t z;           /* higher: in front */
	bool shown;           /* false: not drawn (what is behind shows) */
	uint8_t *shadow;      /* rect.width x rect.height, GPU_BPP, stride width * GPU_BPP */
	/* The cursor, in window coordinates (its image's top left), drawn in
	 * the window's layer: clipped to the window, under windows above. */
	bool cursor_on;
	int32_t cursor_x, cursor_y;
	uint8_t cursor[COMP_CURSOR * COMP_CURSOR * GPU_BPP];
};

struct display {
	uint32_t width, height, stride;
	uint8_t *fb;      /* the output's pixels, XRGB8888 (0x00RRGGBB little-endian) */
	unsigned nwin;
	struct comp_window *win[COMP_MAX_WINDOWS]; /* back to front */
	spinlock_t lock;
	/* The backend: the output's rectangle r changed (NULL: the output is
	 * read from fb when it is shown, as ramfb is). Called with lock held. */
	void (*update)(struct display *d, const struct gpu_rect *r);
	void *backend;
	uint64_t updates, pixels; /* statistics */
};

/* Add w (its rect inside the output, its shadow cleared to black, not
 * shown). */
void comp_add(struct display *d, struct comp_window *w);

/* The output's rectangle r, made again from every window that covers it,
 * back to front, with their cursors. lock held. */
void comp_redraw(struct display *d, const struct gpu_rect *r);

/* w's shadow changed in damage (window coordinates, clipped here): the
 * output follows where w is visible. lock held. */
void comp_flush(struct display *d, struct comp_window *w, const struct gpu_rect *damage);

/* w's cursor: shown at (x, y) (window coordinates of its image's top
 * left, anywhere: what falls outside the window is not drawn) with image
 * (COMP_CURSOR^2 B8G8R8A8 pixels; NULL: the one it has), or hidden. lock
 * held. */
void comp_cursor(struct display *d, struct comp_window *w, bool on, int32_t x, int32_t y,
		 const uint8_t *image);

/* w hidden: its shadow black, cursor hidden, what is behind it shows (its
 * partition disabled its scanout, or restarted). lock held. */
void comp_clear(struct display *d, struct comp_window *w);
/* w shown again, all of it redrawn from its shadow. lock held. */
void comp_show(struct display *d, struct comp_window *w);

#endif
