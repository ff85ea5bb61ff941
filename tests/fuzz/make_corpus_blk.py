#!/usr/bin/python3
"""Writes the seed corpus of tests/fuzz/fuzz_blk.c into
tests/fuzz/corpus/blk/: what Linux's virtio_blk sends (reads and writes of
4 KiB in one buffer, a header in its own buffer, a FLUSH, GET_ID, DISCARD
and WRITE_ZEROES), and a few refused requests (past the window, a partial
sector, too many segments, an unknown type), in the harness's format.
Not a test itself: it feeds the harness, whose runs (tests/host/test_fuzz.sh)
are what proves: BLK-1, BLK-4, BLK-5, BLK-6.

Usage: tests/fuzz/make_corpus_blk.py [DIR]"""
import os
import struct
import sys

IN, OUT, FLUSH, GET_ID, DISCARD, WZ, RAW, IN_RD = range(8)


def req(kind, sector=0, split=1, data=(), fill=0x5a, ranges=None, raw=None, junk=0):
    b = bytes([kind]) + struct.pack("<H", sector) + bytes([split, len(data)])
    if kind == RAW:
        b += struct.pack("<I", raw)
    for n in data:  # lengths: 512 * k as bit 15 | k, else the length itself
        b += struct.pack("<H", 0x8000 | (n // 512) if n % 512 == 0 and n // 512 < 16 else n)
    b += bytes([fill])
    if kind in (DISCARD, WZ):
        b += bytes([len(ranges), 0x80 | junk if junk else 0])
        for s, n, f in ranges:
            b += struct.pack("<HHB", s, n, f)
    return b


SEEDS = {
    # cfg byte: bit 1 DISCARD, bit 2 WZ, bit 3 INDIRECT, bits 4-5 seg_max, bit 6 size_max 2048
    "linux-session": bytes([0x3e]) + req(OUT, 8, 1, [4096]) + req(IN, 8, 1, [4096]) + req(FLUSH)
    + req(GET_ID, 0, 1, [20]) + req(DISCARD, ranges=[(0, 8, 0)]) + req(WZ, ranges=[(8, 8, 1)])
    + req(IN, 8, 1, [512, 512, 1024]),
    "split-header": bytes([0x3e]) + req(OUT, 0, 3 | 0x20, [512]) + req(IN, 0, 2 | 0x40 | 8, [1024])
    + req(OUT, 4, 1 | 4, [1024, 512]),
    "refused": bytes([0x36]) + req(IN, 63, 1, [1024]) + req(OUT, 1, 1, [100]) + req(IN, 0x8001, 1, [512])
    + req(RAW, raw=0x12345678) + req(IN, 0, 1, [512] * 7) + req(DISCARD, ranges=[(60, 8, 0)])
    + req(WZ, ranges=[(0, 1, 2)]) + req(DISCARD, ranges=[(0, 1, 0)], junk=5),
    "read-only": bytes([0x07]) + req(OUT, 0, 1, [512]) + req(IN, 0, 1, [512]) + req(WZ, ranges=[(0, 1, 0)]),
    "size-max": bytes([0x7e]) + req(OUT, 0, 1, [2048]) + req(OUT, 0, 1, [2560]) + req(IN, 0, 1, [4096]),
}


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "blk")
    os.makedirs(d, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
