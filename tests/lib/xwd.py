"""Read an X Window Dump (XWD, version 7) such as Xvfb's -fbdir framebuffer
(Xvfb_screen0): the pictures of GL displays, which QMP screendump cannot
take. Only ZPixmap images with 24 or 32 bits per pixel and true colour
(the masks give where red, green and blue are) are supported."""

import struct
import sys

_FIELDS = (
    "header_size", "file_version", "pixmap_format", "pixmap_depth",
    "pixmap_width", "pixmap_height", "xoffset", "byte_order", "bitmap_unit",
    "bitmap_bit_order", "bitmap_pad", "bits_per_pixel", "bytes_per_line",
    "visual_class", "red_mask", "green_mask", "blue_mask", "bits_per_rgb",
    "colormap_entries", "ncolors", "window_width", "window_height",
    "window_x", "window_y", "window_bdrwidth",
)
_ZPIXMAP = 2
_MSB_FIRST = 1


def read_header(data):
    """The header's fields as a dict (big-endian 32-bit words)."""
    if len(data) < 4 * len(_FIELDS):
        raise ValueError("XWD: file shorter than its header")
    h = dict(zip(_FIELDS, struct.unpack_from(">%dI" % len(_FIELDS), data)))
    if h["file_version"] != 7:
        raise ValueError("XWD: file version %d, not 7" % h["file_version"])
    if h["header_size"] < 4 * len(_FIELDS):
        raise ValueError("XWD: header size %d too small" % h["header_size"])
    return h


def _shift(mask):
    if mask == 0:
        raise ValueError("XWD: zero colour mask")
    return (mask & -mask).bit_length() - 1


def read_xwd(path):
    """(width, height, rows): rows[y] is a bytes object of width*3 bytes,
    R, G, B for each pixel of line y."""
    with open(path, "rb") as f:
        data = f.read()
    h = read_header(data)
    if h["pixmap_format"] != _ZPIXMAP:
        raise ValueError("XWD: pixmap format %d, only ZPixmap (2)" % h["pixmap_format"])
    bpp = h["bits_per_pixel"]
    if bpp not in (24, 32):
        raise ValueError("XWD: %d bits per pixel, only 24 or 32" % bpp)
    w, ht, bpl = h["pixmap_width"], h["pixmap_height"], h["bytes_per_line"]
    start = h["header_size"] + 12 * h["ncolors"]
    if bpl < w * bpp // 8 or len(data) < start + bpl * ht:
        raise ValueError("XWD: pixel data shorter than %dx%d" % (w, ht))
    order = ">" if h["byte_order"] == _MSB_FIRST else "<"
    masks = (h["red_mask"], h["green_mask"], h["blue_mask"])
    shifts = [_shift(m) for m in masks]
    step = bpp // 8
    # The common case (Xvfb, depth 24 in 32 bits, least significant byte
    # first, masks 0xff0000/0xff00/0xff): bytes B, G, R, X per pixel.
    fast = (bpp == 32 and order == "<" and masks == (0xFF0000, 0xFF00, 0xFF))
    rows = []
    for y in range(ht):
        line = data[start + y * bpl:start + y * bpl + w * step]
        if fast:
            out = bytearray(w * 3)
            out[0::3] = line[2::4]
            out[1::3] = line[1::4]
            out[2::3] = line[0::4]
        else:
            out = bytearray()
            for x in range(w):
                px = line[x * step:(x + 1) * step]
                v = int.from_bytes(px, "big" if order == ">" else "little")
                for m, s in zip(masks, shifts):
                    c = (v & m) >> s
                    top = (m >> s).bit_length()
                    out.append(c << (8 - top) if top < 8 else c >> (top - 8))
        rows.append(bytes(out))
    return w, ht, rows


def bbox(rows, width, threshold=0):
    """(count, (x0, y0, x1, y1)) of the pixels with any channel above
    threshold; the box is inclusive, None when no pixel is."""
    count, x0, y0, x1, y1 = 0, None, None, None, None
    dark = bytes(1 if b > threshold else 0 for b in range(256))
    for y, row in enumerate(rows):
        if threshold == 0 and not row.strip(b"\0"):
            continue
        row = row.translate(dark)  # 0 where not above threshold
        if not row.strip(b"\0"):
            continue
        xs = [x for x in range(width) if row[3 * x:3 * x + 3] != b"\0\0\0"]
        if xs:
            count += len(xs)
            x0 = xs[0] if x0 is None else min(x0, xs[0])
            x1 = xs[-1] if x1 is None else max(x1, xs[-1])
            y0 = y if y0 is None else y0
            y1 = y
    return count, (None if x0 is None else (x0, y0, x1, y1))


if __name__ == "__main__":
    w, ht, rows = read_xwd(sys.argv[1])
    n, box = bbox(rows, w)
    print("%dx%d, %d non-black pixels, bounding box %s" % (w, ht, n, box))


def write_png(path, width, height, rows):
    """rows (as read_xwd gives them) as an RGB PNG at path."""
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    raw = b"".join(b"\0" + rows[y][:width * 3] for y in range(height))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
