#!/usr/bin/python3
"""Writes the seed corpus of tests/fuzz/fuzz_gpu.c into
tests/fuzz/corpus/gpu/: Linux-like sessions (a 2D resource drawn and shown,
a blob shown, a cursor moved) and a few refused requests, in the harness's
format (byte 0 the piece size, 4 KiB of guest RAM, then per request u8
queue, u8 len/4, u8 cap/8, the bytes).
Not a test itself: it feeds the harness, whose runs (tests/host/test_fuzz.sh)
are what proves: GPU2D-3, GPU2D-5, GPU2D-7.

Usage: tests/fuzz/make_corpus_gpu.py [DIR]"""
import os
import struct
import sys

RAM = 0x40000000
CREATE_2D, UNREF, SET_SCANOUT, FLUSH, TRANSFER, ATTACH, DETACH = range(0x101, 0x108)
GET_DISPLAY_INFO, GET_EDID, CREATE_BLOB, SET_SCANOUT_BLOB = 0x100, 0x10a, 0x10c, 0x10d
UPDATE_CURSOR, MOVE_CURSOR = 0x300, 0x301


def hdr(t, fence=0):
    return struct.pack("<IIQI4x", t, 1 if fence else 0, fence, 0)


def req(body, cap=1056, q=0):
    assert len(body) % 4 == 0
    return bytes([q, len(body) // 4, (cap + 7) // 8]) + body


def create(rid, w, h, fmt=2):
    return req(hdr(CREATE_2D) + struct.pack("<IIII", rid, fmt, w, h))


def attach(rid, entries):
    return req(hdr(ATTACH) + struct.pack("<II", rid, len(entries)) +
               b"".join(struct.pack("<QII", a, n, 0) for a, n in entries))


def transfer(rid, x, y, w, h, off, fence=0):
    return req(hdr(TRANSFER, fence) + struct.pack("<IIIIQII", x, y, w, h, off, rid, 0))


def scanout(rid, x, y, w, h, sc=0):
    return req(hdr(SET_SCANOUT) + struct.pack("<IIIIII", x, y, w, h, sc, rid))


def flush(rid, x, y, w, h, fence=0):
    return req(hdr(FLUSH, fence) + struct.pack("<IIIIII", x, y, w, h, rid, 0))


def blob(rid, size, entries):
    return req(hdr(CREATE_BLOB) + struct.pack("<IIIIQQ", rid, 1, 2, len(entries), 0, size) +
               b"".join(struct.pack("<QII", a, n, 0) for a, n in entries))


def scanout_blob(rid, w, h, stride, off=0):
    return req(hdr(SET_SCANOUT_BLOB) + struct.pack("<IIIIIIIIII", 0, 0, w, h, 0, rid, w, h, 2, 0) +
               struct.pack("<4I4I", stride, 0, 0, 0, off, 0, 0, 0))


def cursor(t, rid, x, y):
    return req(hdr(t) + struct.pack("<IiiIIIII", 0, x, y, 0, rid, 0, 0, 0), 0, 1)


ram = bytes((i * 37 + 11) & 0xff for i in range(4096))
seeds = {
    "info": [req(hdr(GET_DISPLAY_INFO)), req(hdr(GET_EDID) + struct.pack("<II", 0, 0))],
    "draw2d": [create(2, 64, 48), attach(2, [(RAM, 4096), (RAM + 8192, 64 * 48 * 4 - 4096)]),
               transfer(2, 0, 0, 64, 48, 0), scanout(2, 0, 0, 64, 48), flush(2, 0, 0, 64, 48, 5),
               transfer(2, 8, 8, 16, 16, 8 * 256 + 32), flush(2, 8, 8, 16, 16), scanout(0, 0, 0, 0, 0),
               req(hdr(UNREF) + struct.pack("<II", 2, 0))],
    "blob": [blob(3, 64 * 48 * 4, [(RAM + 4096, 64 * 48 * 4)]), scanout_blob(3, 64, 48, 256),
             transfer(3, 0, 0, 64, 48, 0), flush(3, 0, 0, 64, 48, 9)],
    "cursor": [create(4, 64, 64, 1), attach(4, [(RAM, 64 * 64 * 4)]), transfer(4, 0, 0, 64, 64, 0),
               create(5, 64, 48), attach(5, [(RAM, 64 * 48 * 4)]), scanout(5, 0, 0, 64, 48),
               cursor(UPDATE_CURSOR, 4, -20, 30), cursor(MOVE_CURSOR, 0, 50, 40),
               cursor(MOVE_CURSOR, 0, 1 << 30, -(1 << 30))],
    "refused": [create(0, 16, 16), create(6, 0xffffffff, 0xffffffff), attach(6, [(0x1000, 4096)]),
                transfer(6, 0xfffffff0, 0, 0x20, 1, 0), flush(99, 0, 0, 1, 1),
                scanout(6, 0, 0, 16, 16, 3)],
}
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "gpu")
os.makedirs(out, exist_ok=True)
for name, reqs in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes([15]) + ram + b"".join(reqs))
