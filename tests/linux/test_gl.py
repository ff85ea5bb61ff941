#!/usr/bin/python3
"""OpenGL in two partitions at once through the hypervisor's virgl mediation
(tests/configs/good/linux-gl.dts): Linux with Mesa's virgl driver (Debian's
arm64 packages, tools/guest-mesa.sh) runs kmscube on its virtio-gpu in 3D
mode. The render backend is QEMU's virtio-gpu-gl-device, driven by the
hypervisor's own driver, with virglrenderer on llvmpipe under Xvfb; its
first scanout is also the display the hypervisor composes the windows on.

- the hypervisor finds the physical virtio-gpu with VIRGL and its capsets
  and drives the display on it;
- each 3D partition's driver sees +virgl and the backend's capsets (never
  0); the 2D-only partition beside them sees -virgl and no capsets;
- in both, kmscube names the virgl renderer, renders its frames and exits
  0: both made context 1 and resources from 1 up, which the backend could
  not hold apart without the hypervisor's translation;
- Xvfb's framebuffer (the physical output) shows each cube in its own
  partition's window: many distinct colours in each, nothing outside the
  windows;
- neither kernel logged a virtio-gpu error.
Then (tests/configs/good/linux-gl-attack.dts) the bare-metal hostile driver
(tests/guests/gpu3dattack) in 3D mode attacks once gl has rendered:
capset indexes and ids that do not exist, the neighbour's and the
backend's context and resource ids, command buffers naming the
neighbour's resources, oversized, cut and unknown, transfers outside the
resource and its backing, backing in other memory; every one is refused,
its device draws after each, and gl's window on the display is the same
after the attack as before it.
Skipped, with the reason, where the host lacks Xvfb or QEMU's GL display
(tools/setup.sh installs them).
proves: GPU3D-1, GPU3D-2, GPU3D-3, GPU3D-4, PLATFORM-5
"""
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import GIC_SUFFIX, CACHE, DETERMINISTIC, QEMU, Checks, Machine, O, pack, qemu_flags  # noqa: E402
from xwd import read_xwd, write_png  # noqa: E402

GL_MODULE = "/usr/lib/x86_64-linux-gnu/qemu/hw-display-virtio-gpu-gl.so"
missing = [w for w, ok in (("Xvfb", shutil.which("Xvfb")), ("QEMU's virtio-gpu-gl module", os.path.exists(GL_MODULE)),
                           ("QEMU's GTK display", os.path.exists(os.path.dirname(GL_MODULE) + "/ui-gtk.so")))
           if not ok]
if missing:
    print("SKIP: test_gl: the host lacks %s (tools/setup.sh installs qemu-system-gui, "
          "libvirglrenderer1, xvfb)" % ", ".join(missing))
    sys.exit(0)

t = Checks()
T = O + "/tests/linux-gl" + GIC_SUFFIX
os.makedirs(T, exist_ok=True)
PF = "tests/configs/good/linux-gl.dts"
r = subprocess.run([O + "/tools/hvcheck", "-L", O, "-L", CACHE, PF], capture_output=True, text=True)
t.check(r.returncode == 0, "hvcheck accepts the partition file with virgl", r.stderr.strip())
pack(PF, T + "/image")

FB = T + "/xfb"
os.makedirs(FB, exist_ok=True)
disp = 90 + os.getpid() % 100
xvfb = subprocess.Popen(["Xvfb", ":%d" % disp, "-screen", "0", "1024x768x24", "-fbdir", FB,
                         "-nolisten", "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(1)
os.environ["DISPLAY"] = ":%d" % disp
flags = [f for f in qemu_flags() if f != "-nographic"]
gl_window, gl_window_colours, gl_frames = None, set(), None
argv = [QEMU] + flags + DETERMINISTIC + [
    "-display", "gtk,gl=on,show-cursor=off,zoom-to-fit=off", "-global", "virtio-mmio.force-legacy=false",
    "-device", "virtio-gpu-gl-device,xres=800,yres=600", "-kernel", T + "/image"]
try:
    m = Machine(argv, T + "/console.log", 900, None)
    UP = r"\[%s\] bulkhead-linux: userspace up on"
    seen = m.expect_all([UP % "flat", r"\[gl\] KMSCUBE rc=(\d+)", r"\[gl2\] KMSCUBE rc=(\d+)"], timeout=900)
    log = m.log()
    t.check(re.search(r"gpu: physical virtio-gpu at 0x[0-9a-f]+ with VIRGL, [1-9] capset", log) is not None,
            "the hypervisor drives the physical virtio-gpu with VIRGL and its capsets")
    t.check("display: virtio-gpu 800x600" in log, "the display is the physical virtio-gpu's scanout")
    for n in ("gl", "gl2"):
        t.check(re.search(r"%s/virtio-gpu: .*virgl" % n, log) is not None, "%s: its device is in 3D mode" % n)
        feat = re.search(r"\[%s\] .*\[drm\] features: ([-+]virgl)" % n, log)
        t.check(feat is not None and feat.group(1) == "+virgl", "%s: the driver sees +virgl (GPU3D-1)" % n,
                feat.group(1) if feat else "no features line")
        caps = re.search(r"\[%s\] .*number of cap sets: (\d+)" % n, log)
        t.check(caps is not None and int(caps.group(1)) > 0,
                "%s: the backend's capsets, not 0 (GPU3D-2, GPU3D-3)" % n, caps.group(0) if caps else "none")
        rend = re.search(r"\[%s\]\s+renderer: \"(virgl[^\"]*)\"" % n, log)
        t.check(rend is not None, "%s: kmscube renders with the virgl renderer (GPU3D-4)" % n,
                rend.group(1) if rend else "no renderer line")
        rc = re.search(r"\[%s\] KMSCUBE rc=(\d+)" % n, log)
        frames = re.search(r"\[%s\] Rendered (\d+) frames" % n, log)
        t.check(rc is not None and rc.group(1) == "0" and frames is not None and int(frames.group(1)) > 0,
                "%s: kmscube renders its frames and exits 0" % n, rc.group(0) if rc else "no exit line")
    feat = re.search(r"\[flat\] .*\[drm\] features: ([-+]virgl)", log)
    t.check(feat is not None and feat.group(1) == "-virgl", "flat: a 2D-only partition sees -virgl",
            feat.group(1) if feat else "no features line")
    caps = re.search(r"\[flat\] .*number of cap sets: (\d+)", log)
    t.check(caps is not None and caps.group(1) == "0", "flat: no capsets", caps.group(0) if caps else "none")
    time.sleep(3)
    w, h, rows = read_xwd(FB + "/Xvfb_screen0")
    write_png(T + "/screen.png", w, h, rows)
    # GTK's window sits at the X screen's top left, its menu bar above
    # the 800x600 output (not scaled: zoom-to-fit=off); the output's first
    # row is the first whose left pixel is kmscube's clear colour (grey,
    # 0.5), gl's window being at the output's top left.
    y0 = next((y for y in range(1, 80) if rows[y][0:3] == b"\x80\x80\x80"), None)
    t.check(y0 is not None and w >= 800 and h >= y0 + 600, "the display is on the X screen",
            "top %s, screen %dx%d" % (y0, w, h))
    y0 = y0 or 0
    colours = {"gl": set(), "gl2": set()}
    stray = 0
    for y in range(600):
        row = rows[y0 + y]
        for x in range(800):
            px = row[x * 3:x * 3 + 3]
            if y < 360:
                colours["gl" if x < 480 else "gl2"].add(px)
            elif x < 480 and px != b"\0\0\0":
                stray += 1
    gl_window = [rows[y0 + y][:480 * 3] for y in range(360)]
    gl_window_colours = colours["gl"]
    fr = re.findall(r"\[gl\] Rendered (\d+) frames", log)
    gl_frames = fr[-1] if fr else None
    for n in ("gl", "gl2"):
        t.check(len(colours[n]) > 50, "the physical output (Xvfb's framebuffer) shows %s's cube in its window "
                "(GPU3D-4: its frames read back from the backend)" % n, "%d colours" % len(colours[n]))
    t.check(stray == 0, "outside the windows the output is black", "%d pixels are not" % stray)
    errs = re.findall(r"\[(gl|gl2|flat)\] .*virtio_gpu.*(?:error|fail).*", log, re.I)
    t.check(not errs, "no virtio-gpu error in either kernel's log", "; ".join(errs[:3]))
finally:
    try:
        m.p.terminate(force=True)
    except Exception:
        pass

PF2 = "tests/configs/good/linux-gl-attack.dts"
pack(PF2, T + "/image-attack")
# Without -icount: QEMU 7.2's single-threaded icount scheduler livelocks
# when the attack runs while gl's kernel boots (gl's vCPU stays on one
# instruction after a broadcast TLBI, both QEMU threads spin, the
# hypervisor's own CPUs are idle); on real time threads the same image
# runs through. Nothing here is timed, so determinism is not needed.
argv2 = [a for a in argv if a not in DETERMINISTIC]
argv2[-1] = T + "/image-attack"
DONE = r"\[attacker\] gpu3dattack: done: (\d+)/(\d+) refused"
try:
    m = Machine(argv2, T + "/console-attack.log", 900, None)
    up = m.expect(r"\[attacker\] gpu3dattack: waiting for g", timeout=300)
    m.focus_to("attacker")
    m.p.send("g")
    r1 = m.expect(DONE, timeout=300)
    early = re.search(r"\[gl\]\s+renderer:", m.log()) is None
    t.check(up is not None and r1 is not None and early,
            "attack, round 1: the 3D hostile driver attacks while gl boots")
    m.focus_to("gl")
    started = m.expect(r"\[gl\]\s+renderer: \"virgl", timeout=600)
    m.focus_to("attacker")
    m.p.send("g")
    r2 = m.expect(DONE, timeout=300)
    m.focus_to("gl")
    during = started is not None and r2 is not None and "[gl] KMSCUBE" not in m.log()
    m.expect(r"\[gl\] KMSCUBE rc=(\d+)", timeout=600)
    log = m.log()
    t.check(during, "attack, round 2: again while gl's kmscube renders (its device reset in between)")
    done = re.findall(DONE, log)
    t.check(len(done) == 2 and all(d[0] == d[1] for d in done) and int(done[0][1]) >= 4 and
            int(done[1][1]) == 2 * int(done[0][1]),
            "attack: every hostile 3D command answered with its error, in both rounds",
            "; ".join(re.findall(r"gpu3dattack: (?:NOT REFUSED|FAIL|done).*", log)))
    ctl = re.findall(r"\[attacker\] gpu3dattack: controls: (\d+)/(\d+) served", log)
    t.check(len(ctl) == 2 and all(c[0] == c[1] and int(c[0]) >= 3 for c in ctl),
            "attack: VIRGL and capsets offered to it, its picture shows", str(ctl))
    t.check(log.count("[attacker] gpu3dattack: the device draws after every case") == 2,
            "attack: its device draws again after every case")
    rc = re.search(r"\[gl\] KMSCUBE rc=(\d+)", log)
    frames = re.findall(r"\[gl\] Rendered (\d+) frames", log)
    t.check(rc is not None and rc.group(1) == "0" and frames and frames[-1] == gl_frames,
            "attack: gl renders all its frames with virgl beside it, kmscube exits 0",
            rc.group(0) if rc else "no exit line")
    errs = re.findall(r"\[gl\] .*virtio_gpu.*(?:error|fail).*", log, re.I)
    t.check(not errs, "attack: no virtio-gpu error in gl's kernel log", "; ".join(errs[:3]))
    time.sleep(3)
    w, h, rows = read_xwd(FB + "/Xvfb_screen0")
    write_png(T + "/screen-attack.png", w, h, rows)
    y1 = next((y for y in range(1, 80) if rows[y][0:3] == b"\x80\x80\x80"), 0)
    after = [rows[y1 + y][:480 * 3] for y in range(360)]
    # kmscube's picture depends on the frame number only: the same 30th
    # frame as gl drew in the first run, pixel for pixel.
    t.check(len(gl_window_colours) > 50 and after == gl_window,
            "attack: gl's last frame on the display is the one it drew unattacked",
            "%d rows differ" % sum(a != b for a, b in zip(after, gl_window or [])))
finally:
    try:
        m.p.terminate(force=True)
    except Exception:
        pass
    xvfb.terminate()
t.finish()
