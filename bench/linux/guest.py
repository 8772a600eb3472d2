#!/usr/bin/python3
"""Boot the Linux benchmark guest in QEMU and read its serial console.

The Linux twin of every Pith measurement runs through here, so the guest is
started exactly as Pith is: the QEMU command line comes from tools/qemu.py
(`qemu_args`: -nodefaults -no-user-config -display none -no-reboot
-serial stdio, the same accelerator choice and PITH_ACCEL override), with
only `-initrd` added and the debug-exit device left out (Linux powers off
through ACPI instead).

As a library:

    from guest import boot, Guest, net_args, disk_args
    r = boot("bench=noise", machine="q35", smp=2, mem="256M", timeout=300)
    r.ready_s    # host seconds from starting QEMU to the guest's `ready`
    r.output     # everything QEMU printed (console and QEMU's own errors)
    r.status     # QEMU's exit status; None if it was killed at the timeout

    with Guest("bench=nginx", extra=net_args("microvm", 8080)) as g:
        g.wait_ready(60)          # seconds to ready, or None
        ...                       # talk to 127.0.0.1:8080
    # leaving the block kills QEMU

As a command (prints the console, then one summary line):

    bench/linux/guest.py [--machine M] [--smp N] [--mem SIZE] [--accel A]
        [--cpu MODEL] [--timeout S] [--net PORT] [--disk FILE] [--build]
        [CMDLINE WORDS...] [-- QEMU ARGS...]

The guest itself (kernel and initramfs, the `ready` line, the bench= words)
is built by bench/linux/build.sh; bench/linux/README.md has the contract.
Python 3.11 standard library only.
"""

import argparse
import collections
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OUT = os.environ.get("PITH_LINUX_OUT", os.path.join(REPO, "build", "bench", "linux"))
KERNEL = os.path.join(OUT, "vmlinuz")
INITRD = os.path.join(OUT, "initramfs.gz")
INITRD_FIO = os.path.join(OUT, "initramfs-fio.gz")   # base + fio's libraries

sys.path.insert(0, os.path.join(REPO, "tools"))
import qemu  # noqa: E402  (tools/qemu.py: the one place QEMU's arguments are made)

# Always on the kernel command line: the console on COM1, no kernel chatter
# below warnings, reboot at once on a panic (QEMU's -no-reboot then exits).
BASE_CMDLINE = "console=ttyS0 quiet panic=-1"
READY = b"ready"
# Under TCG every vCPU's TSC is the host's (one global, monotonic count), but
# QEMU's CPU models do not say so (no constant_tsc); without tsc=reliable
# Linux with 2+ vCPUs calls the TSC unsynchronised and falls back to
# jiffies (microvm) or the HPET (q35) for its clock.
TCG_TSC_WORDS = "tsc=reliable"
TSCHZ = os.path.join(OUT, "bin", "tschz")   # bench/guest/tschz.c, static
# The fio initramfs unpacks to ~90 MB, more than the tmpfs root may hold
# (half of RAM) in a small VM: it goes to ramfs, which has no limit.
FIO_ROOTFS = "rootfstype=ramfs"
_host_tsc_khz = None

Result = collections.namedtuple("Result", "ready_s output status")


def build():
    """Run build.sh (quick when nothing changed); raise if it fails."""
    subprocess.run([os.path.join(HERE, "build.sh")], check=True)


def host_tsc_khz():
    """The host's TSC rate in kHz, measured once (100 ms) by bin/tschz.

    Under TCG the guest's TSC counts at the host's rate. Linux must be told
    it on microvm: there it can only calibrate against the PIT, which under
    TCG fails about one boot in three, and the boot then hangs (no HPET or
    PM timer to fall back on). A microVM monitor tells Linux the rate too
    (CPUID or kvmclock), so this is no special favour.
    """
    global _host_tsc_khz
    if _host_tsc_khz is None:
        out = subprocess.run([TSCHZ], capture_output=True, text=True,
                             check=True).stdout
        _host_tsc_khz = int(out.strip().split("=", 1)[1]) // 1000
    return _host_tsc_khz


def net_args(machine, hostfwd_port=None, netdev=None):
    """QEMU arguments for one virtio-net NIC (eth0 in the guest).

    By default QEMU user networking, with host 127.0.0.1:hostfwd_port
    forwarded to the guest's port 80 when a port is given; netdev replaces
    the whole -netdev value (keep id=net0) for tap or socket back ends.
    """
    if netdev is None:
        netdev = "user,id=net0"
        if hostfwd_port:
            netdev += f",hostfwd=tcp:127.0.0.1:{hostfwd_port}-:80"
    device = "virtio-net-device" if machine == "microvm" else "virtio-net-pci"
    return ["-netdev", netdev, "-device", f"{device},netdev=net0"]


def disk_args(machine, path, fmt="raw", opts=""):
    """QEMU arguments for one virtio-blk disk (/dev/vda in the guest).

    opts: more -drive options, e.g. "cache=none,aio=native" (cache=none
    needs a host file system with O_DIRECT; tmpfs has none).
    """
    device = "virtio-blk-device" if machine == "microvm" else "virtio-blk-pci"
    drive = f"if=none,id=disk0,file={path},format={fmt}" + (f",{opts}" if opts else "")
    return ["-drive", drive, "-device", f"{device},drive=disk0"]


class Guest:
    """One run of the guest: QEMU started on entry, killed on exit.

    cmdline: words after BASE_CMDLINE (bench=..., ip=..., fio="...").
    machine, smp, mem, accel, cpu: as tools/qemu.py takes them; under TCG
    "tsc=reliable tsc_early_khz=<host TSC rate>" is added (TCG_TSC_WORDS,
    host_tsc_khz).
    extra: more QEMU arguments (devices: see net_args, disk_args).
    args: a whole QEMU command line instead (bench/run.py boots Pith so,
    with is_ready overridden), so both OSes are timed by the same reader.
    initrd: default initramfs.gz, or initramfs-fio.gz for bench=fio
    (with FIO_ROOTFS added to the command line).
    """

    def __init__(self, cmdline="", machine="microvm", smp=1, mem="256M",
                 accel=None, cpu=None, extra=(), initrd=None, kernel=KERNEL,
                 args=None):
        self.ready_s = None
        self._buf = bytearray()
        self._ready = threading.Event()
        self._proc = None
        self._reader = None
        if args is not None:	# another guest (Pith) timed by this same code
            self.args = list(args)
            return
        if initrd is None:
            initrd = INITRD_FIO if "bench=fio" in cmdline.split() else INITRD
        for path in (kernel, initrd, TSCHZ):
            if not os.path.exists(path):
                raise FileNotFoundError(f"{path}: run bench/linux/build.sh first")
        accel = accel or qemu.choose_accel()
        base = BASE_CMDLINE
        if accel == "tcg":
            base += f" {TCG_TSC_WORDS} tsc_early_khz={host_tsc_khz()}"
        if os.path.abspath(initrd) == os.path.abspath(INITRD_FIO):
            base += " " + FIO_ROOTFS
        full = f"{base} {cmdline}".strip()
        self.args = qemu.qemu_args(kernel, machine=machine, smp=smp, mem=mem,
                                   cmdline=full, accel=accel, cpu=cpu,
                                   debug_exit=False,
                                   extra=["-initrd", initrd, *extra])

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        """Start QEMU; the clock for ready_s starts here."""
        self._t0 = time.monotonic()
        self._proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        """Collect QEMU's output; note the time of the first `ready` line."""
        line = bytearray()
        while True:
            chunk = self._proc.stdout.read1(65536)
            if not chunk:
                break
            now = time.monotonic()
            self._buf += chunk
            for byte in chunk:
                if byte != 0x0A:
                    line.append(byte)
                    continue
                if self.ready_s is None and self.is_ready(line):
                    self.ready_s = now - self._t0
                    self._ready.set()
                line.clear()
        self._ready.set()   # QEMU ended: nobody waits any longer

    def is_ready(self, line):
        """True for the line that means the guest is up (one console line)."""
        return line.strip() == READY

    @property
    def output(self):
        return self._buf.decode("utf-8", "replace")

    @property
    def t0(self):
        """time.monotonic() just before QEMU was started (ready_s's origin)."""
        return self._t0

    def running(self):
        """True while QEMU runs."""
        return self._proc is not None and self._proc.poll() is None

    def wait_ready(self, timeout):
        """Seconds from QEMU's start to `ready`, or None (timeout, exit)."""
        self._ready.wait(timeout)
        return self.ready_s

    def wait(self, timeout):
        """QEMU's exit status, or None if it still runs after timeout s."""
        try:
            status = self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        self._reader.join(5)
        return status

    def stop(self):
        """Kill QEMU if it still runs; return its status (None if killed)."""
        if self._proc is None:
            return None
        status = self._proc.poll()
        if status is None:
            self._proc.kill()
            self._proc.wait()
        self._reader.join(5)
        self._proc.stdout.close()
        return status


def boot(cmdline="", machine="microvm", smp=1, mem="256M", accel=None,
         cpu=None, extra=(), timeout=120, initrd=None, kernel=KERNEL):
    """Boot, let the guest run to its power-off, return a Result.

    Result.status is QEMU's exit status (0 after the guest's poweroff), or
    None when QEMU still ran after `timeout` seconds and was killed.
    """
    g = Guest(cmdline, machine=machine, smp=smp, mem=mem, accel=accel,
              cpu=cpu, extra=extra, initrd=initrd, kernel=kernel)
    with g:
        status = g.wait(timeout)
        if status is None:
            g.stop()
    return Result(g.ready_s, g.output, status)


def parse_cli(argv):
    qemu_extra = []
    if "--" in argv:
        cut = argv.index("--")
        argv, qemu_extra = argv[:cut], argv[cut + 1:]
    p = argparse.ArgumentParser(prog="guest.py", description=(
        "Boot the Linux benchmark guest, print its console and "
        "'guest: ready=SECONDS status=N'."))
    p.add_argument("--machine", default="microvm", choices=qemu.MACHINES)
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--mem", default="256M")
    p.add_argument("--accel", default=None, choices=qemu.ACCELS)
    p.add_argument("--cpu", default=None, help="QEMU CPU model")
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--net", type=int, default=None, metavar="PORT",
                   help="a virtio NIC, host 127.0.0.1:PORT -> guest :80")
    p.add_argument("--disk", default=None, help="a raw image as virtio-blk")
    p.add_argument("--initrd", default=None)
    p.add_argument("--build", action="store_true", help="run build.sh first")
    p.add_argument("cmdline", nargs="*", help="kernel command line words")
    opts = p.parse_args(argv)
    opts.extra = []
    if opts.net is not None:
        opts.extra += net_args(opts.machine, opts.net)
    if opts.disk:
        opts.extra += disk_args(opts.machine, opts.disk)
    opts.extra += qemu_extra
    return opts


def main(argv):
    opts = parse_cli(argv)
    if opts.build:
        build()
    r = boot(" ".join(opts.cmdline), machine=opts.machine, smp=opts.smp,
             mem=opts.mem, accel=opts.accel, cpu=opts.cpu, extra=opts.extra,
             timeout=opts.timeout, initrd=opts.initrd)
    sys.stdout.write(r.output)
    ready = "none" if r.ready_s is None else f"{r.ready_s:.3f}"
    status = "timeout" if r.status is None else r.status
    print(f"guest: ready={ready} status={status}")
    return 0 if r.status == 0 and r.ready_s is not None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
