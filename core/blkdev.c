/* Block backend helpers and the RAM disk backend. */
#include <hv/blkdev.h>
#include <hv/config.h>
#include <string.h>

/* The RAM disk: the image's bytes in hypervisor memory. It persists across
 * partition restarts (it is the disk, not the partition's RAM) and is gone
 * at power-off; it has no volatile cache, so FLUSH has nothing to do. Work
 * per request is bounded by the virtual disk's request limits. */
static int ram_submit(struct blkdev *b, struct blk_req *r)
{
	uint8_t *mem = b->priv;
	uint64_t pos;

	r->status = BLK_OK;
	switch (r->op) {
	case BLK_READ:
	case BLK_WRITE:
		if (r->sector > b->sectors) { /* else the multiplication can wrap */
			r->status = BLK_IOERR;
			return 0;
		}
		pos = r->sector * BLK_SECTOR;
		for (unsigned i = 0; i < r->nseg; i++) {
			if (pos > b->sectors * BLK_SECTOR ||
			    r->seg[i].len > b->sectors * BLK_SECTOR - pos) {
				r->status = BLK_IOERR;
				return 0;
			}
			if (r->op == BLK_READ)
				memcpy(r->seg[i].p, mem + pos, r->seg[i].len);
			else
				memcpy(mem + pos, r->seg[i].p, r->seg[i].len);
			pos += r->seg[i].len;
		}
		break;
	case BLK_DISCARD:
	case BLK_WRITE_ZEROES:
		/* Deallocated RAM reads as zeroes too. */
		for (unsigned i = 0; i < r->nrange; i++) {
			const struct blk_range *g = &r->range[i];
			if (g->sector > b->sectors || g->nsect > b->sectors - g->sector) {
				r->status = BLK_IOERR;
				return 0;
			}
			memset(mem + g->sector * BLK_SECTOR, 0, (size_t)g->nsect * BLK_SECTOR);
		}
		break;
	case BLK_FLUSH:
		break;
	default:
		r->status = BLK_UNSUPP;
	}
	return 0;
}

static void ram_poll(struct blkdev *b)
{
	(void)b;
}

static int ram_sync(struct blkdev *b)
{
	(void)b;
	return 0;
}

static const struct blkdev_ops ram_ops = { .submit = ram_submit, .poll = ram_poll,
					   .sync = ram_sync };

void blk_ram_init(struct blkdev *b, const char *name, uint8_t *mem, uint64_t size)
{
	*b = (struct blkdev){
		.ops = &ram_ops,
		.name = name,
		.sectors = size / BLK_SECTOR,
		.blk_size = BLK_SECTOR,
		.seg_max = BLK_MAX_SEGS,
		.can_discard = true,
		.can_write_zeroes = true,
		.wz_may_unmap = true,
		.max_discard_sectors = 8192,
		.max_discard_seg = BLK_MAX_RANGES,
		.discard_align = 1,
		.max_wz_sectors = 8192,
		.max_wz_seg = BLK_MAX_RANGES,
		.slots = 0xffffffffu, /* nothing is ever in flight */
		.priv = mem,
	};
}

/* The partition file's backends, by their index in hv_config.backend. */
static struct blkdev *backends[CFG_MAX_BACKENDS];

struct blkdev *blk_backend(unsigned idx)
{
	return idx < CFG_MAX_BACKENDS ? backends[idx] : NULL;
}

void blk_backend_set(unsigned idx, struct blkdev *b)
{
	if (idx < CFG_MAX_BACKENDS)
		backends[idx] = b;
}
