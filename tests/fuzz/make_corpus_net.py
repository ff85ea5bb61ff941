#!/usr/bin/python3
"""Writes the seed corpus of tests/fuzz/fuzz_net.c into
tests/fuzz/corpus/net/: what Linux's virtio_net does (receive buffers
posted, frames sent to the other partition, to the uplink and broadcast,
frames received in one buffer and merged over several, a MAC change) and a
few refused ones (a spoofed source, a runt, an oversized frame, a MAC change
to another partition's address or without an ack byte), in the harness's
format. Not a test itself: it feeds the harness, whose runs
(tests/host/test_fuzz.sh) are what proves: NET-1, NET-5, NET-6, NET-7, NET-8.

Usage: tests/fuzz/make_corpus_net.py [DIR]"""
import os
import struct
import sys

TX, RXBUF, INJECT, CTRL, RESET = range(5)
D_B, D_BCAST, D_MCAST, D_USRC, D_A, D_UNKNOWN, D_C = range(7)
S_A, S_B, S_OTHER = range(3)


def tx(length, dst=D_B, src=S_A, pieces=1, fill=0x10):
    return bytes([TX]) + struct.pack("<H", length) + bytes([dst, src, pieces - 1, fill])


def rxbuf(*lens, two=False):
    b = bytes([RXBUF, len(lens) - 1])
    for n in lens:
        b += struct.pack("<H", n - 1) + bytes([1 if two else 0])
    return b


def inject(length, from_b=False, usrc=0, dst=D_A, fill=0x20):
    return bytes([INJECT, (1 if from_b else 0) | usrc << 1]) + struct.pack("<H", length) + bytes([dst, fill])


def ctrl(cls=1, cmd=1, mac=0, extra=1, ack=1, pieces=0):
    return bytes([CTRL, cls, cmd, mac, extra, ack, pieces])


SEEDS = {
    # cfg byte: bit 0 MAC change allowed, bit 1 MTU 1400, bit 2 MRG_RXBUF
    "linux-session": bytes([0x05]) + rxbuf(1526, 1526, 1526, 1526) + tx(60, D_B) + tx(98, D_BCAST)
    + inject(60, from_b=True) + inject(1514, usrc=0) + tx(1514, D_USRC, fill=0) + inject(42, dst=D_BCAST),
    "merged": bytes([0x04]) + rxbuf(64, 512, 512, 512) + rxbuf(512) + inject(1500) + rxbuf(12, 100, two=True)
    + inject(90),
    "mac-change": bytes([0x01]) + rxbuf(1526, 1526) + ctrl(mac=0) + tx(60, D_B) + tx(60, D_B, S_B)
    + inject(60, from_b=True, dst=D_A) + ctrl(mac=1) + ctrl(mac=2) + ctrl(extra=2) + RESET.to_bytes(1, "little")
    + ctrl(ack=0),
    "refused": bytes([0x02]) + rxbuf(1526, 40) + tx(60, D_B, S_OTHER) + tx(10) + tx(1450) + tx(1559, pieces=3)
    + inject(1450) + inject(1530, usrc=1) + inject(60, dst=D_C) + ctrl(mac=0),
}


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "net")
    os.makedirs(d, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
