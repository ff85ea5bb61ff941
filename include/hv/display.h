/* The physical display and the memory of the hypervisor's graphics: one
 * pool (CONFIG_GPU_POOL_SIZE) holds the output's pixels, every window's
 * shadow and every partition's virtio-gpu budget, taken at boot in the
 * amounts the partition file gives (the checker adds them up the same way:
 * display_pool_need()). */
#ifndef HV_DISPLAY_H
#define HV_DISPLAY_H

#include <generated/autoconf.h>
#include <hv/compositor.h>
#include <hv/config.h>

#define DISPLAY_MIN 16
#define DISPLAY_MAX_W 8192 /* within ramfb's 16000 x 12000 */
#define DISPLAY_MAX_H 8192

/* The output, once display_open() found it; NULL: none (scanouts are
 * shown nowhere). */
extern struct display *hv_display;

/* Boot: the pool, and the output the partition file names, through its
 * driver. A display the board does not have is a warning, not a refusal
 * (the partitions run without it). */
void display_open(const struct hv_config *cfg);

/* Boot: n bytes of the pool (64-byte aligned), or NULL when it is spent
 * (the checker made sure it is not, for a checked file). */
void *display_pool_take(uint64_t n);
uint64_t display_pool_used(void); /* bytes taken, of CONFIG_GPU_POOL_SIZE */

/* The output's bytes for the partition file (0 without /display). */
uint64_t display_out_bytes(const struct display_config *dc);

/* The backend: QEMU's ramfb (drivers/ramfb.c), set to show fb. false:
 * not found or refused. */
bool ramfb_setup(void *fb, uint32_t width, uint32_t height, uint32_t stride);

/* The backend: the physical virtio-gpu's first scanout, showing fb (a
 * resource of the hypervisor's whose backing is fb); d->update set to
 * carry each changed rectangle over. false: no physical virtio-gpu. */
bool gpu_host_display_setup(struct display *d);

#endif
