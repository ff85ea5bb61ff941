/* The display and the graphics pool: see include/hv/display.h. */
#include <hv/display.h>
#include <hv/log.h>

struct display *hv_display;

static struct display the_display;
static uint8_t pool[CONFIG_GPU_POOL_SIZE] HV_NOINIT __attribute__((aligned(4096)));
static uint64_t pool_used;

void *display_pool_take(uint64_t n)
{
	void *p;

	n = (n + 63) & ~(uint64_t)63;
	if (n > sizeof(pool) - pool_used)
		return NULL;
	p = pool + pool_used;
	pool_used += n;
	return p;
}

uint64_t display_pool_used(void)
{
	return pool_used;
}

uint64_t display_out_bytes(const struct display_config *dc)
{
	return dc->kind == DISPLAY_NONE ? 0 : (uint64_t)dc->width * dc->height * GPU_BPP;
}

void display_open(const struct hv_config *cfg)
{
	const struct display_config *dc = &cfg->display;
	struct display *d = &the_display;

	if (dc->kind == DISPLAY_NONE)
		return;
	*d = (struct display){ .width = dc->width, .height = dc->height,
			       .stride = dc->width * GPU_BPP };
	d->fb = display_pool_take(display_out_bytes(dc));
	if (!d->fb)
		return;
	comp_redraw(d, &(struct gpu_rect){ 0, 0, d->width, d->height }); /* black */
	if (dc->kind == DISPLAY_VIRTIO_GPU) {
		if (!gpu_host_display_setup(d)) {
			WARN("display: no physical virtio-gpu on this board: scanouts are shown nowhere");
			return;
		}
	} else if (!ramfb_setup(d->fb, d->width, d->height, d->stride)) {
		WARN("display: no ramfb on this board: scanouts are shown nowhere");
		return;
	}
	INFO("display: %s %ux%u", dc->kind == DISPLAY_VIRTIO_GPU ? "virtio-gpu" : "ramfb", dc->width,
	     dc->height);
	hv_display = d;
}
