#!/usr/bin/python3
"""Writes the seed corpus of tests/fuzz/fuzz_virtqueue.c into
tests/fuzz/corpus/virtqueue/: full, valid device initialisations (register
by register and with the INIT shortcut) with valid virtio-rng and
virtio-console requests, and a few malformed rings and setups. The input
format is described at the top of fuzz_virtqueue.c; the layout below uses
the harness's 8 KiB RAM block at IPA 0x40000000 (offsets here are from it)
and the 4 KiB block that follows it in IPA space.
Not a test itself: it feeds the harness, whose runs (tests/host/test_fuzz.sh)
are what proves: PLATFORM-7.

Usage: tests/fuzz/make_corpus.py [DIR]"""
import os
import struct
import sys

RNG, CON = 0, 1
WRITE, READ, MEM, NOTIFY, RX, RESET, INIT, DESC, POST, ENTROPY, ACK, MAP = range(12)
WIDTH = {4: 0, 1: 3, 2: 4, 8: 5, 3: 6, 0: 7}
F_NEXT, F_WRITE, F_INDIRECT = 1, 2, 4
RAM_IPA = 0x40000000
RAM1 = 0x2000  # offset of the second block

# Registers ([VIRTIO] 4.2.2)
DRV_FEAT, DRV_FEAT_SEL, QUEUE_SEL, QUEUE_NUM, QUEUE_READY = 0x20, 0x24, 0x30, 0x38, 0x44
INT_STATUS, STATUS, DESC_LO, DRIVER_LO, DEVICE_LO = 0x60, 0x70, 0x80, 0x90, 0xA0
CONFIG = 0x100

# Ring layout (offsets in RAM): queue 0 and queue 1.
Q = [(0x0000, 0x0200, 0x0400), (0x0800, 0x0A00, 0x0C00)]
IND = 0x0600  # an indirect table (16-byte aligned)
BUF = 0x1000


class Seed:
    def __init__(self):
        self.b = bytearray()

    def op(self, kind, dev):
        self.b.append(kind << 1 | dev)
        return self

    def write(self, dev, off, val, w=4):
        self.op(WRITE, dev)
        self.b += struct.pack("<HBI", off, WIDTH[w], val & 0xFFFFFFFF)
        return self

    def read(self, dev, off, w=4):
        self.op(READ, dev)
        self.b += struct.pack("<HB", off, WIDTH[w])
        return self

    def mem(self, off, data):
        self.op(MEM, RNG)
        self.b += struct.pack("<HB", off, len(data)) + bytes(data)
        return self

    def notify(self, dev, q):
        self.op(NOTIFY, dev)
        self.b.append(q)
        return self

    def rx(self, data):
        self.op(RX, CON)
        self.b += bytes([len(data)]) + bytes(data)
        return self

    def reset(self, dev):
        return self.op(RESET, dev)

    def init(self, dev, feat, lognum, queues):
        self.op(INIT, dev)
        self.b += bytes([feat, lognum])
        for d, a, u in queues:
            self.b += struct.pack("<HHH", d, a, u)
        return self

    def desc(self, dev, q, idx, addr, length, flags, nxt=0, at=None):
        """A descriptor in queue q's table at idx, or at RAM offset `at`.
        addr: a RAM offset (int < 0x10000) or ('raw', u64); length > 0xffff
        is sent as u32."""
        mode = q
        where = idx
        if at is not None:
            mode |= 0x10
            where = at
        if isinstance(addr, tuple):
            mode |= 0x20
            a = struct.pack("<Q", addr[1])
        else:
            a = struct.pack("<H", addr)
        if length > 0xFFFF:
            mode |= 0x40
            ln = struct.pack("<I", length)
        else:
            ln = struct.pack("<H", length)
        self.op(DESC, dev)
        self.b += struct.pack("<BH", mode, where) + a + ln + struct.pack("<BH", flags, nxt)
        return self

    def post(self, dev, q, head):
        self.op(POST, dev)
        self.b += struct.pack("<BH", q, head)
        return self

    def entropy(self):
        return self.op(ENTROPY, RNG)

    def ack(self, dev):
        return self.op(ACK, dev)

    def map(self, dev, perm0, perm1):
        """The device's DMA mapping of RAM block 0 and 1: bit 0 read, bit 1
        write, 0 unmapped."""
        self.op(MAP, dev)
        self.b.append(perm0 | perm1 << 2)
        return self

    # The driver sequence of [VIRTIO] 3.1.1, register by register.
    def init_regs(self, dev, features, nq, num):
        self.write(dev, STATUS, 0).write(dev, STATUS, 1).write(dev, STATUS, 3)
        self.write(dev, DRV_FEAT_SEL, 0).write(dev, DRV_FEAT, features)
        self.write(dev, DRV_FEAT_SEL, 1).write(dev, DRV_FEAT, features >> 32)
        self.write(dev, STATUS, 11).read(dev, STATUS)
        for q in range(nq):
            d, a, u = Q[q]
            self.write(dev, QUEUE_SEL, q).read(dev, 0x34).write(dev, QUEUE_NUM, num)
            for reg, off in ((DESC_LO, d), (DRIVER_LO, a), (DEVICE_LO, u)):
                self.write(dev, reg, RAM_IPA + off).write(dev, reg + 4, 0)
            self.write(dev, QUEUE_READY, 1)
        return self.write(dev, STATUS, 15)


V1, INDIRECT, EVENT_IDX = 1 << 32, 1 << 28, 1 << 29
# INIT feat byte: bit 0 INDIRECT, bit 1 EVENT_IDX, bit 6 an unoffered bit, bit 7 no VERSION_1
I_IND, I_EVT = 1, 2


def seeds():
    s = {}

    # virtio-rng, register by register, one request of two writable buffers.
    x = Seed().init_regs(RNG, V1 | INDIRECT | EVENT_IDX, 1, 8)
    x.desc(RNG, 0, 0, BUF, 64, F_WRITE | F_NEXT, 1).desc(RNG, 0, 1, BUF + 0x100, 100, F_WRITE)
    x.post(RNG, 0, 0).notify(RNG, 0).read(RNG, INT_STATUS).ack(RNG)
    x.post(RNG, 0, 0).notify(RNG, 0).read(RNG, 0xFC).ack(RNG)
    s["rng-init-registers"] = x

    # virtio-rng via INIT: indirect request, EVENT_IDX with used_event.
    x = Seed().init(RNG, I_IND | I_EVT, 4, [Q[0]])
    x.mem(Q[0][1] + 4 + 2 * 16, struct.pack("<H", 1))  # used_event = 1
    for i in range(4):
        x.desc(RNG, 0, 0, BUF + 0x80 * i, 32 + i, F_WRITE | (F_NEXT if i < 3 else 0), i + 1, at=IND + 16 * i)
    x.desc(RNG, 0, 3, IND, 64, F_INDIRECT)
    x.desc(RNG, 0, 4, BUF + 0x400, 16, F_NEXT, 5).desc(RNG, 0, 5, BUF + 0x500, 48, F_WRITE)
    x.post(RNG, 0, 3).post(RNG, 0, 4).notify(RNG, 0).post(RNG, 0, 3).notify(RNG, 0).ack(RNG)
    s["rng-indirect-event-idx"] = x

    # virtio-console: transmit "hi\n", input before and after receive buffers.
    x = Seed().init_regs(CON, V1, 2, 8).read(CON, CONFIG + 4, 1).read(CON, CONFIG + 4, 2)
    x.read(CON, CONFIG + 4).mem(BUF, b"hi\n")
    x.desc(CON, 1, 0, BUF, 3, 0).post(CON, 1, 0).notify(CON, 1)
    x.rx(b"ls\n").desc(CON, 0, 0, BUF + 0x100, 16, F_WRITE).post(CON, 0, 0).notify(CON, 0)
    x.desc(CON, 0, 1, BUF + 0x200, 2, F_WRITE).post(CON, 0, 1).rx(b"xyz").ack(CON)
    s["console-tx-rx"] = x

    # Both devices at once, buffers in the second RAM block; a partition
    # restart in the middle, entropy failing for one request.
    x = Seed().init(RNG, 0, 3, [Q[0]]).init(CON, I_IND, 3, [(0x1800, 0x1A00, 0x1C00), Q[1]])
    x.desc(RNG, 0, 0, RAM1 + 0x10, 256, F_WRITE).entropy().post(RNG, 0, 0).notify(RNG, 0)
    x.entropy().post(RNG, 0, 0).notify(RNG, 0)
    x.mem(RAM1 + 0x400, b"two blocks\n").desc(CON, 1, 0, RAM1 + 0x400, 11, 0).post(CON, 1, 0).notify(CON, 1)
    x.reset(RNG).reset(CON).init(RNG, I_IND, 3, [Q[0]]).post(RNG, 0, 0).notify(RNG, 0)
    s["two-devices-ram1"] = x

    # Malformed: a descriptor loop, then reset and a good request.
    x = Seed().init(RNG, I_IND, 3, [Q[0]])
    x.desc(RNG, 0, 0, BUF, 16, F_WRITE | F_NEXT, 1).desc(RNG, 0, 1, BUF + 16, 16, F_WRITE | F_NEXT, 0)
    x.post(RNG, 0, 0).notify(RNG, 0).read(RNG, STATUS).notify(RNG, 0).ack(RNG)
    x.write(RNG, STATUS, 0).init(RNG, I_IND, 3, [Q[0]])
    x.desc(RNG, 0, 0, BUF, 16, F_WRITE).post(RNG, 0, 0).notify(RNG, 0)
    s["bad-loop-then-reset"] = x

    # Malformed buffers: wrapping 64 bits, readable after writable, nested
    # indirect, 65 buffers.
    x = Seed().init(RNG, I_IND, 3, [Q[0]])
    x.desc(RNG, 0, 0, ("raw", 0xFFFFFFFF80000000), 0xC0000010, F_WRITE)
    x.post(RNG, 0, 0).notify(RNG, 0).reset(RNG)
    x.init(RNG, I_IND, 3, [Q[0]]).desc(RNG, 0, 0, BUF, 16, F_WRITE | F_NEXT, 1).desc(RNG, 0, 1, BUF, 16, 0)
    x.post(RNG, 0, 0).notify(RNG, 0).reset(RNG)
    x.init(RNG, I_IND, 3, [Q[0]]).desc(RNG, 0, 0, IND + 0x40, 16, F_INDIRECT, at=IND)
    x.desc(RNG, 0, 0, IND, 16, F_INDIRECT).post(RNG, 0, 0).notify(RNG, 0)
    s["bad-buffers"] = x

    x = Seed().init(RNG, I_IND, 3, [Q[0]])
    for i in range(65):
        x.desc(RNG, 0, 0, BUF + i, 1, F_WRITE | (F_NEXT if i < 64 else 0), i + 1, at=IND + 16 * i)
    x.desc(RNG, 0, 0, IND, 16 * 65, F_INDIRECT).post(RNG, 0, 0).notify(RNG, 0)
    s["bad-65-buffers"] = x

    # DMA spaces: a buffer across the two RAM blocks (two segments), 32 of
    # them (64 segments, the most), 33 (too many); then mappings changed
    # under ready queues: block 1 read-only for the rng (its buffer there
    # refused), block 0 (its rings) read-only (the used ring no longer
    # writable), unmapped, and back; the console's mapping apart.
    x = Seed().init(RNG, I_IND, 3, [Q[0]])
    x.desc(RNG, 0, 0, RAM1 - 8, 16, F_WRITE).post(RNG, 0, 0).notify(RNG, 0)
    for n in (32, 33):
        for i in range(n):
            x.desc(RNG, 0, 0, RAM1 - 8, 16, F_WRITE | (F_NEXT if i < n - 1 else 0), i + 1, at=IND + 16 * i)
        x.desc(RNG, 0, 1, IND, 16 * n, F_INDIRECT).post(RNG, 0, 1).notify(RNG, 0)
    idx0 = struct.pack("<H", 0)  # avail idx back to 0 after a re-init
    x.reset(RNG).init(RNG, 0, 3, [Q[0]]).mem(Q[0][1] + 2, idx0)
    x.init(CON, 0, 3, [(0x1800, 0x1A00, 0x1C00), Q[1]])
    x.desc(RNG, 0, 0, RAM1 + 0x10, 32, F_WRITE).map(RNG, 3, 1).post(RNG, 0, 0).notify(RNG, 0)
    x.map(RNG, 3, 3).init(RNG, 0, 3, [Q[0]]).mem(Q[0][1] + 2, idx0).post(RNG, 0, 0).notify(RNG, 0)
    x.map(RNG, 1, 3).post(RNG, 0, 0).notify(RNG, 0).map(RNG, 0, 0).init(RNG, 0, 3, [Q[0]])
    x.map(RNG, 3, 3).init(RNG, 0, 3, [Q[0]]).mem(Q[0][1] + 2, idx0).post(RNG, 0, 0).notify(RNG, 0)
    x.mem(0x1900, b"ok\n").desc(CON, 1, 0, 0x1900, 3, 0).map(CON, 2, 3).post(CON, 1, 0).notify(CON, 1)
    x.map(CON, 3, 3).write(CON, STATUS, 0).init(CON, 0, 3, [Q[0], Q[1]])
    x.desc(CON, 1, 0, RAM1 - 2, 4, 0).mem(RAM1 - 2, b"ab\n\n").post(CON, 1, 0).notify(CON, 1)
    s["dma-split-and-map"] = x

    # Malformed setup: legacy features refused, a queue size not a power of
    # two, a misaligned ring, narrow register accesses, avail idx far ahead.
    x = Seed().init(RNG, 0x80, 3, [Q[0]]).read(RNG, STATUS).init(RNG, 0x40, 3, [Q[0]])
    x.init_regs(RNG, V1, 1, 6).read(RNG, STATUS).write(RNG, STATUS, 0)
    x.init(RNG, 0, 3, [(8, 0x200, 0x400)]).write(RNG, STATUS, 0)
    x.read(RNG, 0, 1).read(RNG, 0, 2).read(RNG, 0, 8).write(RNG, STATUS, 15, 1).read(RNG, 0x1FC)
    x.init(RNG, 0, 3, [Q[0]]).mem(Q[0][1] + 2, struct.pack("<H", 9)).notify(RNG, 0)
    s["bad-setup"] = x
    return s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "virtqueue")
    os.makedirs(out, exist_ok=True)
    for name, seed in seeds().items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(seed.b)
        print(f"{name}: {len(seed.b)} bytes")


if __name__ == "__main__":
    main()
