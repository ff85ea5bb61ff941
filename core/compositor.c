/* The compositor: see include/hv/compositor.h. */
#include <hv/compositor.h>
#include <string.h>

void comp_add(struct display *d, struct comp_window *w)
{
	unsigned i;

	memset(w->shadow, 0, (size_t)w->rect.width * w->rect.height * GPU_BPP);
	w->cursor_on = false;
	w->shown = false;
	/* Back to front by z (the partition file's z-orders are distinct). */
	for (i = d->nwin; i > 0 && d->win[i - 1]->z > w->z; i--)
		d->win[i] = d->win[i - 1];
	d->win[i] = w;
	d->nwin++;
}

static unsigned index_of(const struct display *d, const struct comp_window *w)
{
	unsigned i = 0;

	while (i < d->nwin && d->win[i] != w)
		i++;
	return i;
}

/* r (output coordinates, inside w) from w's shadow. */
static void copy_shadow(struct display *d, const struct comp_window *w, const struct gpu_rect *r)
{
	uint32_t sstride = w->rect.width * GPU_BPP;
	const uint8_t *s = w->shadow + (size_t)(r->y - w->rect.y) * sstride +
			   (size_t)(r->x - w->rect.x) * GPU_BPP;
	uint8_t *o = d->fb + (size_t)r->y * d->stride + (size_t)r->x * GPU_BPP;

	for (uint32_t row = 0; row < r->height; row++)
		memcpy(o + (size_t)row * d->stride, s + (size_t)row * sstride,
		       (size_t)r->width * GPU_BPP);
	d->pixels += (uint64_t)r->width * r->height;
}

/* w's cursor over the output, inside clip (output coordinates, inside w):
 * source-over with its alpha. */
static void blend_cursor(struct display *d, const struct comp_window *w, const struct gpu_rect *clip)
{
	int64_t cx = (int64_t)w->rect.x + w->cursor_x, cy = (int64_t)w->rect.y + w->cursor_y;
	int64_t x0 = cx > clip->x ? cx : clip->x, y0 = cy > clip->y ? cy : clip->y;
	int64_t x1 = cx + COMP_CURSOR, y1 = cy + COMP_CURSOR;

	if (!w->cursor_on)
		return;
	if (x1 > (int64_t)clip->x + clip->width)
		x1 = (int64_t)clip->x + clip->width;
	if (y1 > (int64_t)clip->y + clip->height)
		y1 = (int64_t)clip->y + clip->height;
	for (int64_t y = y0; y < y1; y++)
		for (int64_t x = x0; x < x1; x++) {
			const uint8_t *c = &w->cursor[((y - cy) * COMP_CURSOR + (x - cx)) * GPU_BPP];
			uint8_t *o = d->fb + (size_t)y * d->stride + (size_t)x * GPU_BPP;
			unsigned a = c[3];
			for (int k = 0; k < 3; k++)
				o[k] = (uint8_t)((c[k] * a + o[k] * (255 - a) + 127) / 255);
			o[3] = 0;
		}
}

static void update(struct display *d, const struct gpu_rect *r)
{
	d->updates++;
	if (d->update)
		d->update(d, r);
}

void comp_redraw(struct display *d, const struct gpu_rect *r)
{
	const struct gpu_rect out = { 0, 0, d->width, d->height };
	struct gpu_rect area, part;

	if (!gpu_rect_intersect(r, &out, &area))
		return;
	/* What no window covers is black. */
	for (uint32_t row = 0; row < area.height; row++)
		memset(d->fb + (size_t)(area.y + row) * d->stride + (size_t)area.x * GPU_BPP, 0,
		       (size_t)area.width * GPU_BPP);
	for (unsigned i = 0; i < d->nwin; i++)
		if (d->win[i]->shown && gpu_rect_intersect(&area, &d->win[i]->rect, &part)) {
			copy_shadow(d, d->win[i], &part);
			blend_cursor(d, d->win[i], &part);
		}
	update(d, &area);
}

void comp_flush(struct display *d, struct comp_window *w, const struct gpu_rect *damage)
{
	struct gpu_rect above[COMP_MAX_WINDOWS], piece[16], area;
	const struct gpu_rect local = { 0, 0, w->rect.width, w->rect.height };
	unsigned i = index_of(d, w), na = 0;
	int n;

	if (i == d->nwin || !w->shown || !gpu_rect_intersect(damage, &local, &area))
		return;
	area.x += w->rect.x;
	area.y += w->rect.y;
	for (unsigned j = i + 1; j < d->nwin; j++)
		if (d->win[j]->shown)
			above[na++] = d->win[j]->rect;
	n = gpu_visible(&area, above, na, piece, 16);
	if (n < 0) {
		/* Too many pieces: the area again from every window, which
		 * draws the same (those above cover their own parts). */
		comp_redraw(d, &area);
		return;
	}
	for (int k = 0; k < n; k++) {
		copy_shadow(d, w, &piece[k]);
		blend_cursor(d, w, &piece[k]);
	}
	if (n)
		update(d, &area);
}

/* The output rectangle w's cursor covers at (x, y), clipped to w: false
 * when none. */
static bool cursor_area(const struct comp_window *w, int32_t x, int32_t y, struct gpu_rect *out)
{
	int64_t x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
	int64_t x1 = (int64_t)x + COMP_CURSOR, y1 = (int64_t)y + COMP_CURSOR;

	if (x1 > w->rect.width)
		x1 = w->rect.width;
	if (y1 > w->rect.height)
		y1 = w->rect.height;
	if (x0 >= x1 || y0 >= y1)
		return false;
	*out = (struct gpu_rect){ (uint32_t)x0 + w->rect.x, (uint32_t)y0 + w->rect.y,
				  (uint32_t)(x1 - x0), (uint32_t)(y1 - y0) };
	return true;
}

void comp_cursor(struct display *d, struct comp_window *w, bool on, int32_t x, int32_t y,
		 const uint8_t *image)
{
	struct gpu_rect old, now;
	bool had = w->cursor_on && cursor_area(w, w->cursor_x, w->cursor_y, &old);

	if (image)
		memcpy(w->cursor, image, sizeof(w->cursor));
	w->cursor_on = on;
	w->cursor_x = x;
	w->cursor_y = y;
	if (index_of(d, w) == d->nwin)
		return;
	if (had)
		comp_redraw(d, &old);
	if (on && cursor_area(w, x, y, &now))
		comp_redraw(d, &now);
}

void comp_clear(struct display *d, struct comp_window *w)
{
	memset(w->shadow, 0, (size_t)w->rect.width * w->rect.height * GPU_BPP);
	w->cursor_on = false;
	w->shown = false;
	if (index_of(d, w) < d->nwin)
		comp_redraw(d, &w->rect);
}

void comp_show(struct display *d, struct comp_window *w)
{
	w->shown = true;
	if (index_of(d, w) < d->nwin)
		comp_redraw(d, &w->rect);
}
