#!/usr/bin/python3
"""Two Linux partitions (Debian's kernel and its virtio-gpu DRM module)
each draw a known picture with drmdraw (tests/lib/linux/drmdraw.c: a
dumb buffer, SETCRTC, DIRTYFB) on their windows of the 640x480 ramfb
display (tests/configs/good/linux-gpu.dts): the cluster with 2D resources
(TRANSFER_TO_HOST_2D into the hypervisor's copy), the infotainment with
blob resources (the scanout read from its own memory), in front of the
cluster where they overlap; a bare-metal hostile driver in a third
partition (tests/guests/gpuattack) below them.

- the device is virtio-gpu (ID 16) with EDID, blob as configured, no virgl,
  one scanout and no capsets, as Linux's driver reports it;
- the EDID each guest read decodes (checksum, preferred timing) to the mode
  its partition file gives, and DRM's preferred mode is that mode;
- a QMP screendump (PNG) of the display is, pixel for pixel, each picture
  in its own rectangle, the infotainment's in front, black elsewhere;
- the hostile driver, started once that picture is taken, gets each
  malformed command's error and draws again after each; the screendump
  after it differs from the one before only in its own window (its
  picture, its cursor clipped to the window);
- neither kernel logged a virtio-gpu error.
proves: GPU2D-1, GPU2D-2, GPU2D-3, GPU2D-4, GPU2D-5, GPU2D-6, GPU2D-7, GPU2D-8, PLATFORM-5
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import GIC_SUFFIX, CACHE, Checks, Machine, O, pack  # noqa: E402
from screen import compare  # noqa: E402

t = Checks()
T = O + "/tests/linux-gpu" + GIC_SUFFIX
os.makedirs(T, exist_ok=True)
PF = "tests/configs/good/linux-gpu.dts"
r = subprocess.run([O + "/tools/hvcheck", "-L", O, "-L", CACHE, PF], capture_output=True, text=True)
t.check(r.returncode == 0, "hvcheck accepts the partition file with a display", r.stderr.strip())
pack(PF, T + "/image")
QMP = T + "/qmp.sock"
if os.path.exists(QMP):
    os.unlink(QMP)
m = Machine.boot(T + "/image", T + "/console.log", timeout=600, extra=["-device", "ramfb"], qmp=QMP)
UP = r"\[%s\] bulkhead-linux: userspace up on"
seen = m.expect_all([UP % n for n in ("cluster", "infotainment")] +
                    [r"\[attacker\] gpuattack: waiting for g"], timeout=600)
t.check(len(seen) == 3, "both Linux partitions boot, the attacker waits")
t.check(re.search(r"display: ramfb 640x480", m.log()) is not None,
        "the hypervisor drives the ramfb display")
MODE = {"cluster": (320, 240), "infotainment": (360, 240)}
BLOB = {"cluster": False, "infotainment": True}


def value(name, cmd, pattern=r"(\S*)", timeout=60):
    r = m.run(name, "echo V\"\"AL=$(%s)" % cmd, r"VAL=%s[\r\n]" % pattern, timeout)
    return r.group(1) if r else None


for n in ("cluster", "infotainment"):
    feat = value(n, "dmesg | grep -o 'features: [-+]virgl.*' | head -1", r"(.*?)")
    want = "features: -virgl +edid %sresource_blob" % ("+" if BLOB[n] else "-")
    t.check(feat is not None and feat.startswith(want), "%s: the driver sees %s" % (n, want), feat)
    scan = value(n, "dmesg | grep -o 'number of scanouts: [0-9]*\\|number of cap sets: [0-9]*' | tr '\\n' ,",
                 r"(.*?)")
    t.check(scan == "number of scanouts: 1,number of cap sets: 0,",
            "%s: one scanout, no capsets" % n, scan)
    # In halves: a console line holds less than the whole.
    E = "/sys/class/drm/card0-Virtual-1/edid"
    b = bytes.fromhex("".join(value(n, "od -An -tx1 -v -j %d -N 64 %s | tr -d ' \\n'" % (k, E),
                                    r"([0-9a-f]*)") or "" for k in (0, 64)))
    ok = len(b) == 128 and sum(b) % 256 == 0 and b[:8] == bytes.fromhex("00ffffffffffff00")
    w, h = (b[56] | (b[58] & 0xf0) << 4, b[59] | (b[61] & 0xf0) << 4) if ok else (0, 0)
    t.check(ok and (w, h) == MODE[n], "%s: the EDID decodes to %dx%d" % ((n,) + MODE[n]),
            "%d bytes, %dx%d" % (len(b), w, h))
    modes = value(n, "head -1 /sys/class/drm/card0-Virtual-1/modes")
    t.check(modes == "%dx%d" % MODE[n], "%s: DRM's preferred mode is %dx%d" % ((n,) + MODE[n]), modes)

SEED = {"cluster": 1, "infotainment": 2}
for n in ("cluster", "infotainment"):
    r = m.run(n, "drmdraw %d &" % SEED[n], r"drmdraw: (shown \S+ seed \d+|.* failed errno \d+)", 120)
    want = "shown %dx%d seed %d" % (MODE[n] + (SEED[n],))
    t.check(r is not None and r.group(1) == want, "%s: drmdraw %s" % (n, want),
            r.group(0) if r else "no answer")

ATTACKER = (0, 360, 160, 120, 3)
BEFORE = [(0, 0, 320, 240, SEED["cluster"]), (280, 120, 360, 240, SEED["infotainment"]), ATTACKER]
AFTER = BEFORE[:2] + [ATTACKER + ((-20, -20),)]
qmp = m.qmp()


def screen_is(windows, name):
    """The display, dumped until it is the picture windows make (the last
    commands may still be on their way), or 20 tries: None, or where the
    last one differs."""
    diff = "no screendump"
    for attempt in range(20):
        shot = "%s/%s.png" % (T, name)
        if os.path.exists(shot):
            os.unlink(shot)
        qmp.cmd("screendump", filename=os.path.abspath(shot), format="png")
        for _ in range(50):
            if os.path.exists(shot) and os.path.getsize(shot) > 0:
                break
            time.sleep(0.1)
        try:
            diff = compare(shot, 640, 480, windows)
        except (OSError, ValueError) as e:
            diff = str(e)
        if diff is None:
            return None
        time.sleep(1)
    return diff


diff = screen_is(BEFORE, "before")
t.check(diff is None, "the display shows each partition's picture in its window, pixel-exact, "
        "the infotainment's in front, black elsewhere", diff or "")
m.focus_to("attacker")
m.p.send("g")
done = m.expect(r"\[attacker\] gpuattack: done: (\d+)/(\d+) refused", timeout=300)
log = m.log()
t.check(done is not None and done.group(1) == done.group(2) and int(done.group(1)) >= 11,
        "attacker: every hostile command answered with its error",
        "; ".join(re.findall(r"gpuattack: (?:NOT REFUSED|done).*", log)))
ctl = re.search(r"\[attacker\] gpuattack: controls: (\d+)/(\d+) served", log)
t.check(ctl is not None and ctl.group(1) == ctl.group(2) and int(ctl.group(1)) >= 2,
        "attacker: its own picture shows before the attack", (ctl.group(0) if ctl else ""))
t.check("[attacker] gpuattack: the device draws after every case" in log,
        "attacker: the device draws again after every case")
diff = screen_is(AFTER, "after")
t.check(diff is None, "after the attack the display differs only in the attacker's window "
        "(its picture, its cursor clipped to it)", diff or "")
log = m.log()
t.check(not re.search(r"\] \[drm:virtio_gpu\w* \*ERROR\*|virtio_gpu.*(error|fail)", log, re.I),
        "no virtio-gpu error in either kernel's log")
t.check("PANIC" not in log, "no hypervisor panic")
t.check(not re.search(r"(cluster|infotainment)/virtio-gpu: malformed", log),
        "Linux's driver never sent a malformed request")
m.kill()
t.finish()
