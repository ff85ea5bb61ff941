"""Checks that every board's Linux demo makes (tests/linux/test_demo.py on
QEMU virt, tests/linux/test_zcu102.py on the ZCU102): vCPUs, timer and IPI
interrupts, a reboot of one partition that the other does not notice, and
the poweroff of both. m is a console.Machine, t a console.Checks."""

UP = r"\[%s\] bulkhead-linux: userspace up on %s with (\d) CPU\(s\)"  # the whole "CPU(s)": log() reads the file

SUMS = ("awk '/arch_timer/{for(i=2;i<=NF;i++)if($i~/^[0-9]+$/)t+=$i}"
        "/^ *IPI/{for(i=2;i<=NF;i++)if($i~/^[0-9]+$/)p+=$i}END{print \"TI\" \"MER=\" t \" IPI=\" p}' "
        "/proc/interrupts")


def interrupts(m, name):
    r = m.run(name, SUMS, r"TIMER=(\d+) IPI=(\d*)[\r\n]")
    return (int(r.group(1)), int(r.group(2) or 0)) if r else None


def net_up(m, t, addrs):
    """Each partition's eth0 (its virtio-net) up with its address
    (addrs: name -> address)."""
    for name, ip in addrs.items():
        r = m.run(name, "ip addr add %s/24 dev eth0 && ip link set eth0 up; echo E\"\"TH=$?" % ip,
                  r"ETH=(\d+)[\r\n]")
        t.check(r is not None and r.group(1) == "0", "%s: its virtio-net (eth0) comes up" % name)


def ping(m, t, name, ip, what):
    r = m.run(name, "ping -c 2 -W 5 %s >/dev/null; echo P\"\"ING=$?" % ip, r"PING=(\d+)[\r\n]", 120)
    t.check(r is not None and r.group(1) == "0", what)


def cpus_and_interrupts(m, t, name, cpus):
    """nproc, and the timer (and with 2 CPUs or more, IPI) counts rising
    across a sleep."""
    r = m.run(name, "echo NPROC=$(nproc)", r"NPROC=(\d+)[\r\n]")
    t.check(r is not None and int(r.group(1)) == cpus, "%s: nproc shows %d" % (name, cpus),
            r.group(0) if r else "no answer")
    before = interrupts(m, name)
    r = m.run(name, "sleep 1; echo SLEPT-$((6*7))", r"SLEPT-42", timeout=300)
    t.check(r is not None, "%s: sleep 1 returns (timer interrupts work)" % name)
    after = interrupts(m, name)
    t.check(before and after and after[0] > before[0], "%s: arch_timer count rises" % name,
            "%s -> %s" % (before, after))
    if cpus > 1:
        t.check(before and after and after[1] > before[1], "%s: IPI count rises" % name,
                "%s -> %s" % (before, after))


def reboot_alone(m, t, name, other):
    """reboot -f (PSCI SYSTEM_RESET) in name restarts it; other runs on."""
    m.focus_to(name)
    m.p.send("reboot -f\r")
    t.check(m.expect(r"partition %s: restarting \(boot 2\)" % name, 300) is not None,
            "reboot -f restarts %s" % name)
    t.check(m.expect(UP % (name, name), 900) is not None, "%s boots again after reboot -f" % name)
    r = m.run(other, "echo ALIVE-$((5*5))", r"ALIVE-25")
    t.check(r is not None, "%s keeps running while %s restarts" % (other, name))
    log = m.log()
    t.check(log.count("[%s] [    0.000000] Booting Linux" % other) == 1, "%s did not reboot" % other)
    t.check(log.count("[%s] [    0.000000] Booting Linux" % name) == 2, "%s booted twice" % name)


def poweroff_both(m, t, first, second):
    """poweroff -f (PSCI SYSTEM_OFF) stops first alone, then second; the
    machine powers off and QEMU exits 0."""
    m.focus_to(first)
    m.p.send("poweroff -f\r")
    t.check(m.expect(r"bulkhead: partition %s stopped" % first, 300) is not None,
            "poweroff -f stops %s" % first)
    r = m.run(second, "echo STILL-$((8*8))", r"STILL-64")
    t.check(r is not None, "%s runs on after %s's poweroff" % (second, first))
    m.p.send("poweroff -f\r")
    t.check(m.expect(r"all partitions stopped: powering off", 300) is not None,
            "the machine powers off when both are off")
    rc = m.wait_exit()
    t.check(rc == 0, "QEMU exits 0", "exit %s" % rc)
    t.check("PANIC" not in m.log(), "no hypervisor panic")
