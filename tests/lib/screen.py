"""The physical display as QEMU shows it: QMP screendump in PNG (it works
with -display none), decoded here (no PIL on the machines), and the
pictures the guests' test programs draw."""
import struct
import zlib


def png_rgb(path):
    """(width, height, rows): rows[y] is bytes, 3 per pixel (R, G, B). Only
    what QEMU and Chromium write: 8-bit RGB or RGBA (alpha dropped), not
    interlaced; every PNG row filter."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            w, h, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or color not in (2, 6) or interlace:
                raise ValueError("PNG not 8-bit RGB or RGBA")
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    bpp = 3 if color == 2 else 4
    stride = w * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 0xff
            elif f == 2:
                line[x] = (line[x] + b) & 0xff
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xff
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pr) & 0xff
        rows.append(bytes(line) if bpp == 3 else bytes(v for k, v in enumerate(line) if k % 4 != 3))
        prev = line
    return w, h, rows


def drmdraw_pixel(x, y, seed):
    """tests/lib/linux/drmdraw.c's picture at (x, y), as (R, G, B)."""
    return ((x * 7 + y * 13 + seed * 64) & 0xff, (x ^ y) & 0xff,
            (seed * 85 + (x >> 4) + (y >> 4)) & 0xff)


def expected_row(y, width, windows):
    """Row y of the display: windows is a list of (x, y, w, h, seed) or
    (x, y, w, h, seed, (cx, cy)) from back to front, each showing drmdraw's
    picture of that seed (seed None: black) and, with (cx, cy), an opaque
    white 64x64 cursor at (cx, cy) of the window, clipped to it; black
    where there is none."""
    row = bytearray(width * 3)
    for win in windows:
        wx, wy, ww, wh, seed = win[:5]
        cur = win[5] if len(win) > 5 else None
        if not wy <= y < wy + wh:
            continue
        for x in range(wx, min(wx + ww, width)):
            lx, ly = x - wx, y - wy
            if cur and cur[0] <= lx < cur[0] + 64 and cur[1] <= ly < cur[1] + 64:
                px = (255, 255, 255)
            else:
                px = (0, 0, 0) if seed is None else drmdraw_pixel(lx, ly, seed)
            row[3 * x:3 * x + 3] = bytes(px)
    return bytes(row)


def compare(path, width, height, windows):
    """None when the screendump at path is exactly the picture windows
    make; else where it first differs."""
    w, h, rows = png_rgb(path)
    if (w, h) != (width, height):
        return "the screen is %dx%d, not %dx%d" % (w, h, width, height)
    for y in range(h):
        want = expected_row(y, width, windows)
        if rows[y] != want:
            x = next(i for i in range(0, w * 3, 3) if rows[y][i:i + 3] != want[i:i + 3]) // 3
            return "(%d, %d) is #%s, not #%s" % (x, y, rows[y][3 * x:3 * x + 3].hex(),
                                                 want[3 * x:3 * x + 3].hex())
    return None


def unlit(path, rects):
    """The rectangles (x, y, w, h) of the screendump at path in which every
    pixel is black (nothing drawn there)."""
    w, h, rows = png_rgb(path)
    out = []
    for x0, y0, rw, rh in rects:
        if not any(any(rows[y][3 * x0:3 * (x0 + rw)]) for y in range(y0, min(y0 + rh, h))):
            out.append((x0, y0, rw, rh))
    return out


def screendump(qmp, path, tries=50):
    """A PNG screendump of the machine's first display to path: True once
    the file is there."""
    import os
    import time
    if os.path.exists(path):
        os.unlink(path)
    qmp.cmd("screendump", filename=os.path.abspath(path), format="png")
    for _ in range(tries):
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return True
        time.sleep(0.1)
    return False
