"""Drives a Bulkhead machine in QEMU through its console, for the Linux tests.

Each check prints "PASS: name" or "FAIL: name (why)"; tests/lib/run.sh counts
them. The console mux prefixes every partition's line with "[name] " and
Ctrl-] moves console input to the next partition.
"""
import os
import re
import shlex
import subprocess
import sys
import time

import pexpect

O = os.environ.get("O", "build")
CACHE = os.environ.get("CACHE", os.path.expanduser("~/.cache/bulkhead"))
QEMU = os.environ.get("QEMU", "qemu-system-aarch64")
BOARD_DTB = os.environ.get("BOARD_DTB", O + "/board-qemu_virt.dtb")
# TEST_GIC=2: the same machine with a GICv2 (gic-version=2) and its board
# tree, dumped once (as tests/lib/common.sh does for the shell tests).
GIC_SUFFIX = "-gicv2" if os.environ.get("TEST_GIC") == "2" else ""
if GIC_SUFFIX:
    BOARD_DTB = O + "/board-qemu_virt-gicv2.dtb"
DETERMINISTIC = ["-icount", "shift=0,sleep=off", "-seed", "1",
                 "-rtc", "base=2024-01-01T00:00:00,clock=vm"]
SWITCH = "\x1d"


class Checks:
    def __init__(self):
        self.failed = 0

    def check(self, ok, name, why=""):
        if ok:
            print("PASS: " + name, flush=True)
        else:
            print("FAIL: %s%s" % (name, " (%s)" % why if why else ""), flush=True)
            self.failed += 1
        return ok

    def finish(self):
        if self.failed:
            # The end of each machine's console, for a log that shows only the end.
            for path in Machine.logs:
                with open(path, errors="replace") as f:
                    tail = f.read()[-3000:]
                print("---- the end of %s:\n%s\n----" % (path, tail), flush=True)
        sys.exit(1 if self.failed else 0)


def qemu_flags():
    flags = os.environ.get("QEMU_FLAGS")
    if not flags:
        sys.exit("QEMU_FLAGS unset: run tests through make")
    flags = shlex.split(flags)
    if GIC_SUFFIX:
        flags = [f.replace("gic-version=3", "gic-version=2") for f in flags]
        if not os.path.exists(BOARD_DTB):
            subprocess.run([QEMU] + flags + ["-machine", "dumpdtb=" + BOARD_DTB], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return flags


if GIC_SUFFIX and os.environ.get("QEMU_FLAGS"):
    qemu_flags()  # its board tree, before anything packs against it


def pack(partition_file, image, board=None):
    """An image of the built hypervisor, its passthrough entries checked
    against board (a device tree, see board_dtb), by default QEMU virt's
    own (BOARD_DTB, which the Makefile makes)."""
    subprocess.run([O + "/tools/hvpack", "-o", image, "--board", board or BOARD_DTB, "-L", O, "-L", CACHE,
                    O + "/bulkhead.bin", partition_file], check=True,
                   stdout=subprocess.DEVNULL)


def board_dtb(path, extra_qemu_args=()):
    """The board's device tree as the hypervisor will receive it at boot:
    QEMU with the tests' machine flags and the same extra devices dumps it
    to path (-machine dumpdtb) and exits. Returns QEMU's exit status."""
    argv = [QEMU] + qemu_flags() + list(extra_qemu_args) + ["-machine", "dumpdtb=" + path]
    return subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode


def boot_on_board(t, d, partition_file, extra, what, qmp=None, timeout=600):
    """QEMU with extra devices (extra): its board tree dumped to d/board.dtb
    (checked with t, named what), partition_file packed against it to
    d/image, and booted (not deterministic: these runs time nothing).
    Returns the Machine."""
    board = d + "/board.dtb"
    rc = board_dtb(board, extra)
    t.check(rc == 0, "QEMU's board tree with " + what, "exit %d" % rc)
    pack(partition_file, d + "/image", board=board)
    return Machine.boot(d + "/image", d + "/console.log", deterministic=False, timeout=timeout,
                        extra=extra, qmp=qmp)


def qmp_flags(path):
    """QEMU flags for a QMP socket at path (see Qmp)."""
    return ["-qmp", "unix:%s,server=on,wait=off" % path]


def disk_flags(image, qmp=None, drive_opts="discard=unmap"):
    """QEMU flags for a physical virtio-blk disk the hypervisor drives (modern
    virtio-mmio), and a QMP socket to read its block statistics."""
    f = ["-global", "virtio-mmio.force-legacy=false",
         "-drive", "file=%s,if=none,id=d0,format=raw,%s" % (image, drive_opts),
         "-device", "virtio-blk-device,drive=d0"]
    if qmp:
        f += qmp_flags(qmp)
    return f


class Qmp:
    """QEMU's machine protocol: what the physical disk saw (the block
    layer's own counters: flush_operations, wr_operations, ...), and
    machine events such as cmd("system_powerdown") (the power button)."""

    def __init__(self, path, timeout=60):
        import json
        import socket
        self.json = json
        deadline = time.time() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        self.f = self.s.makefile("rw")
        self.f.readline()  # greeting
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        self.f.write(self.json.dumps({"execute": name, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            r = self.json.loads(self.f.readline())
            if "return" in r or "error" in r:
                return r.get("return")

    def blockstats(self, device="d0"):
        for e in self.cmd("query-blockstats") or []:
            if e.get("device") == device:
                return e["stats"]
        return {}


class Machine:
    """One QEMU run; the whole console goes to log."""

    logs = []

    def __init__(self, argv, log, timeout=600, qmp=None):
        self.log_path = log
        Machine.logs.append(log)
        self.qmp_path = qmp
        self._qmp = None
        self.p = pexpect.spawn(argv[0], argv[1:], timeout=timeout, encoding="utf-8",
                               codec_errors="replace", env=dict(os.environ, MAKEFLAGS=""))
        self.p.logfile_read = open(log, "w")
        self.p.delaybeforesend = 0.02
        self.focus = None
        self.start = time.time()

    @classmethod
    def boot(cls, image, log, deterministic=True, timeout=600, extra=(), qmp=None):
        """extra: more QEMU flags (devices); qmp: a socket path for QEMU's
        machine protocol (Machine.qmp())."""
        argv = [QEMU] + qemu_flags() + (DETERMINISTIC if deterministic else []) + \
               list(extra) + (qmp_flags(qmp) if qmp else []) + ["-kernel", image]
        return cls(argv, log, timeout, qmp)

    def qmp(self):
        """The connection to this run's QMP socket (boot(qmp=...)), made once."""
        if self._qmp is None:
            self._qmp = Qmp(self.qmp_path)
        return self._qmp

    def expect(self, pattern, timeout=None):
        """Regex; returns the match or None on timeout/EOF."""
        try:
            self.p.expect(pattern, timeout=timeout)
            return self.p.match
        except (pexpect.TIMEOUT, pexpect.EOF):
            return None

    def expect_all(self, patterns, timeout=None):
        """Every pattern, in any order. Returns the set of those seen."""
        seen = set()
        left = list(patterns)
        while left:
            try:
                i = self.p.expect(left, timeout=timeout)
            except (pexpect.TIMEOUT, pexpect.EOF):
                break
            seen.add(left.pop(i))
        return seen

    def focus_to(self, name):
        for _ in range(8):
            if self.focus == name:
                return True
            self.p.send(SWITCH)
            # The name's end too: a line that reaches us in pieces must
            # not match a prefix of the name (and send another switch).
            m = self.expect(r"console input goes to (\w+)\W", timeout=60)
            if not m:
                return False
            self.focus = m.group(1)
        return self.focus == name

    def run(self, name, command, result_re, timeout=120):
        """Type command into partition name's shell; wait for result_re
        in a line of that partition's output. Returns the match."""
        if not self.focus_to(name):
            return None
        self.p.send(command + "\r")
        return self.expect(r"\[%s\] [^\r\n]*?%s" % (re.escape(name), result_re), timeout)

    def wait_exit(self, timeout=120):
        try:
            self.p.expect(pexpect.EOF, timeout=timeout)
        except pexpect.TIMEOUT:
            self.p.terminate(force=True)
            return None
        self.p.close()
        return self.p.exitstatus

    def kill(self):
        if self.p.isalive():
            self.p.terminate(force=True)

    def log(self):
        self.p.logfile_read.flush()
        with open(self.log_path, errors="replace") as f:
            return f.read()
