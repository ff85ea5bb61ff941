#!/usr/bin/python3
"""Writes the seed corpus of tests/fuzz/fuzz_iommu_req.c into
tests/fuzz/corpus/iommu_req/: a Linux-like session (ATTACH, MAPs, UNMAPs,
PROBE, DETACH) and a few refused requests, in the harness's format (byte 0
the features, then per request u8 inlen, u8 outlen, the bytes).
Not a test itself: it feeds the harness, whose runs (tests/host/test_fuzz.sh)
are what proves: IOMMU-3, IOMMU-5, IOMMU-6, IOMMU-7, IOMMU-8, IOMMU-9.

Usage: tests/fuzz/make_corpus_iommu.py [DIR]"""
import os
import struct
import sys

ATTACH, DETACH, MAP, UNMAP, PROBE = 1, 2, 3, 4, 5


def req(body, outlen=4):
    return bytes([len(body), outlen]) + body


def attach(dom, ep, flags=0, res=0):
    return req(struct.pack("<B3xIIII", ATTACH, dom, ep, flags, res))


def detach(dom, ep, res=0):
    return req(struct.pack("<B3xIIQ", DETACH, dom, ep, res))


def map_(dom, vs, ve, ps, flags=3):
    return req(struct.pack("<B3xIQQQI", MAP, dom, vs, ve, ps, flags))


def unmap(dom, vs, ve, res=0):
    return req(struct.pack("<B3xIQQI", UNMAP, dom, vs, ve, res))


def probe(ep, outlen=68):
    return req(struct.pack("<B3xI64x", PROBE, ep), outlen)


SEEDS = {
    "linux-session": b"\x03" + probe(1) + attach(1, 1) + map_(1, 0x1000, 0x1fff, 0x40000000)
    + map_(1, 0x4000, 0x7fff, 0x40010000, 1) + unmap(1, 0x1000, 0x1fff) + attach(2, 2)
    + map_(2, 0, 0xfff, 0x40000000) + attach(2, 1) + detach(2, 1) + detach(2, 2),
    "bypass": b"\x02" + attach(5, 3, 1) + map_(5, 0, 0xfff, 0) + attach(5, 7) + detach(5, 3),
    "split-partial": b"\x00" + attach(9, 2) + map_(9, 0x10000, 0x1ffff, 0x80000000)
    + map_(9, 0x30000, 0x30fff, 0x90000000) + unmap(9, 0x10000, 0x10fff)
    + unmap(9, 0, 0xfffff),
    "refused": b"\x01" + attach(1, 1, 0, 1) + attach(0x10000, 1) + attach(1, 99) + detach(1, 1, 1)
    + map_(1, 0x800, 0x17ff, 0) + map_(1, 0, 0xfff, 0, 4) + map_(1, 0, 0xfff, 0, 8)
    + probe(1, 36) + probe(99) + req(b"\x06" + bytes(19)) + req(bytes(20)),
    "limits": b"\x01" + attach(3, 1) + b"".join(map_(3, i << 12, (i << 12) | 0xfff, 0) for i in range(40))
    + b"".join(attach(100 + i, 1 + (i % 3)) for i in range(20)),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "iommu_req")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
