#!/usr/bin/python3
"""How Pith is run in QEMU: one module for `make run` and for the tests.

`make run` calls it as a command (tools/qemu.py run ...); the system tests
import it (tests/system/pith.py), so both start the same machine the same way.

Choices made here, and why:
- The accelerator is KVM only where the CPU shows vmx/svm and /dev/kvm opens
  read-write. A /dev/kvm without those flags is a software hypervisor that
  runs ring-0 code ~1000x slower than TCG (DESIGN.md §13). PITH_ACCEL=tcg|kvm
  overrides the choice.
- The kernel boots by PVH (`-kernel ... -append ...`) on microvm, q35 and pc;
  an ISO boots from the CD under SeaBIOS on q35/pc only (microvm's firmware
  reads no CD), and so does a bootable disk (`make image`: GRUB in block 0
  of the BMFS disk), attached as virtio-blk drive 0 with bootindex 0, which
  SeaBIOS boots from and Pith then reads as its drive 0.
- isa-debug-exit at io 0xf4 lets the kernel end QEMU with an exit code:
  QEMU's status is code*2+1 (docs/BOOT-CONTRACT.md). It works on microvm too.
- On microvm, virtio-mmio devices are made virtio 1.x ("version 2")
  devices with -global virtio-mmio.force-legacy=false: QEMU 7.2 defaults
  to the legacy interface, which Pith does not drive (Firecracker and
  Cloud Hypervisor offer only 1.x).
- The CPU model is QEMU's default unless one is asked for; tests ask for
  `max` to reach the 1 GiB page and XSAVE/AVX paths (TCG in QEMU 7.2 has
  no x2APIC, so that path is exercised only under KVM).

Python 3.11 standard library only.
"""

import argparse
import os
import shlex
import subprocess
import sys

QEMU = "qemu-system-x86_64"
MACHINES = ("microvm", "q35", "pc")
ACCELS = ("tcg", "kvm")
DEBUG_EXIT_PORT = 0xF4


def cpu_has_virt(cpuinfo="/proc/cpuinfo"):
    """True if the host CPU advertises hardware virtualization (vmx or svm)."""
    try:
        with open(cpuinfo) as f:
            for line in f:
                if line.startswith("flags"):
                    flags = line.split(":", 1)[1].split()
                    return "vmx" in flags or "svm" in flags
    except OSError:
        pass
    return False


def kvm_usable(dev="/dev/kvm"):
    """True if we may open /dev/kvm read-write (exists and is permitted)."""
    try:
        fd = os.open(dev, os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    os.close(fd)
    return True


def choose_accel():
    """Return 'kvm' or 'tcg' for this host; PITH_ACCEL overrides the guess.

    KVM needs both the vmx/svm flag and a usable /dev/kvm: without the flag,
    /dev/kvm is a software hypervisor far slower than TCG.
    """
    forced = os.environ.get("PITH_ACCEL", "").strip()
    if forced:
        if forced not in ACCELS:
            raise ValueError(f"PITH_ACCEL={forced!r}: expected tcg or kvm")
        return forced
    if cpu_has_virt() and kvm_usable():
        return "kvm"
    return "tcg"


def qemu_args(kernel, machine="microvm", smp=1, mem="128M", cmdline="",
              accel=None, cpu=None, debug_exit=True, iso=None, extra=(),
              serial="stdio", drives=(), disk=None):
    """Return the QEMU command line (a list) that boots Pith.

    kernel: the ELF booted by PVH; ignored when iso or disk is given.
    iso: boot this CD image instead (q35/pc; the ISO's grub.cfg holds the
         kernel command line, so cmdline must be empty).
    disk: boot this disk image instead, through its own boot sector (q35/pc;
          cmdline empty, as for iso); it is virtio-blk drive 0, drives
          follow it.
    serial: 'stdio' for the test harness, 'mon:stdio' for an interactive
            terminal (Ctrl-A X quits, Ctrl-A C reaches the monitor).
    drives: disk images, each a virtio-blk drive (PCI on q35/pc, MMIO on
            microvm), drive 0 first.
    extra: more QEMU arguments, appended last.
    """
    if machine not in MACHINES:
        raise ValueError(f"machine {machine!r}: expected one of {MACHINES}")
    accel = accel or choose_accel()
    if accel not in ACCELS:
        raise ValueError(f"accel {accel!r}: expected tcg or kvm")
    args = [QEMU, "-M", machine, "-accel", accel,
            "-nodefaults", "-no-user-config", "-display", "none",
            "-no-reboot", "-serial", serial,
            "-smp", str(smp), "-m", str(mem)]
    if machine == "microvm":
        args += ["-global", "virtio-mmio.force-legacy=false"]
    if cpu:
        args += ["-cpu", cpu]
    if debug_exit:
        args += ["-device",
                 f"isa-debug-exit,iobase={DEBUG_EXIT_PORT:#x},iosize=0x04"]
    args += boot_args(kernel, machine, cmdline, iso, disk)
    args += drive_args(drives, machine)
    return args + list(extra)


def drive_args(drives, machine):
    """A virtio-blk device for each image, in order."""
    dev = "virtio-blk-device" if machine == "microvm" else "virtio-blk-pci"
    args = []
    for i, path in enumerate(drives):
        args += ["-drive", f"if=none,id=disk{i},file={path},format=raw",
                 "-device", f"{dev},drive=disk{i}"]
    return args


def user_net_args(machine, forwards, netdev="n0"):
    """A virtio-net NIC on QEMU's user networking (slirp: DHCP gives the
    guest 10.0.2.15), with each (host_port, guest_port) of forwards as
    127.0.0.1:host_port -> the guest's guest_port over TCP. Only loopback
    is ever bound."""
    dev = "virtio-net-device" if machine == "microvm" else "virtio-net-pci"
    fwd = "".join(f",hostfwd=tcp:127.0.0.1:{h}-:{g}" for h, g in forwards)
    return ["-netdev", f"user,id={netdev}{fwd}", "-device", f"{dev},netdev={netdev}"]


def boot_args(kernel, machine, cmdline, iso, disk=None):
    """The arguments that say what to boot: a PVH kernel, a CD image or a
    bootable disk image."""
    if iso is None and disk is None:
        if not kernel:
            raise ValueError("no kernel given")
        return ["-kernel", str(kernel), "-append", cmdline]
    if iso is not None and disk is not None:
        raise ValueError("boot an ISO or a disk, not both")
    what = "an ISO" if iso is not None else "a disk"
    if machine == "microvm":
        raise ValueError("an ISO boots on q35 or pc; microvm has no CD firmware"
                         if iso is not None else
                         "a disk boots on q35 or pc (SeaBIOS, virtio-blk-pci)")
    if cmdline:
        raise ValueError(f"with {what}, grub.cfg sets the kernel command line")
    if iso is not None:
        return ["-cdrom", str(iso), "-boot", "d"]
    return ["-drive", f"if=none,id=boot,file={disk},format=raw",
            "-device", "virtio-blk-pci,drive=boot,bootindex=0"]


def parse_cli(argv):
    """Parse `qemu.py run [options] [KERNEL] [-- QEMU-ARGS...]`."""
    extra = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    p = argparse.ArgumentParser(
        prog="qemu.py",
        description="Run Pith in QEMU with the serial console on this terminal.")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="boot Pith interactively",
                         epilog="Arguments after -- go to QEMU unchanged "
                                "(e.g. -- -s -S to wait for GDB).")
    run.add_argument("--machine", default=None, choices=MACHINES,
                     help="default: microvm, or q35 with --iso or --disk")
    run.add_argument("--smp", type=int, default=1)
    run.add_argument("--mem", default="128M")
    run.add_argument("--cmdline", default="", help="kernel command line")
    run.add_argument("--cpu", default=None, help="QEMU CPU model, e.g. max")
    run.add_argument("--iso", default=None, help="boot this ISO (q35/pc)")
    run.add_argument("--disk", default=None, metavar="IMAGE",
                     help="boot this disk image by its boot sector (q35/pc), "
                          "e.g. build/pith-disk.img; it is drive 0")
    run.add_argument("--drive", action="append", default=[], metavar="IMAGE",
                     help="attach a disk image as a virtio-blk drive (repeatable)")
    run.add_argument("--hostfwd", action="append", default=[], metavar="HOST:GUEST",
                     help="a NIC on user networking forwarding 127.0.0.1:HOST "
                          "to the guest's TCP port GUEST (repeatable)")
    run.add_argument("--print", action="store_true",
                     help="print the QEMU command instead of running it")
    run.add_argument("kernel", nargs="?", default=None, metavar="KERNEL")
    opts = p.parse_args(argv)
    if opts.kernel is None and opts.iso is None and opts.disk is None:
        p.error("give a KERNEL, --iso FILE or --disk IMAGE")
    if opts.machine is None:
        opts.machine = "q35" if opts.iso or opts.disk else "microvm"
    opts.extra = extra
    return opts


def net_extra(opts):
    """The --hostfwd NIC's arguments (none without --hostfwd)."""
    if not opts.hostfwd:
        return []
    fwds = []
    for spec in opts.hostfwd:
        host, _, guest = spec.partition(":")
        if not (host.isdigit() and guest.isdigit()):
            raise ValueError(f"--hostfwd {spec!r}: expected HOSTPORT:GUESTPORT")
        fwds.append((int(host), int(guest)))
    return user_net_args(opts.machine, fwds)


def main(argv):
    """The CLI: print the command, or run QEMU and return Pith's exit code."""
    opts = parse_cli(argv)
    try:
        accel = choose_accel()
        args = qemu_args(opts.kernel, machine=opts.machine, smp=opts.smp,
                         mem=opts.mem, cmdline=opts.cmdline, accel=accel,
                         cpu=opts.cpu, iso=opts.iso,
                         extra=net_extra(opts) + opts.extra,
                         serial="mon:stdio", drives=opts.drive, disk=opts.disk)
    except ValueError as e:
        print(f"qemu.py: {e}", file=sys.stderr)
        return 2
    if opts.print:
        print(shlex.join(args))
        return 0
    print(f"pith: {opts.machine}, {accel}, {opts.smp} cores, {opts.mem};"
          " quit with Ctrl-A X", flush=True)
    return report_exit(subprocess.call(args))


def debug_exit_code(status):
    """The kernel's exit code from QEMU's exit status, or None when the
    status did not come from isa-debug-exit (which exits with code*2+1)."""
    if status > 0 and status % 2 == 1:
        return (status - 1) // 2
    return None


def report_exit(status):
    """Turn QEMU's status into the kernel's exit code and say what happened.

    isa-debug-exit makes QEMU exit with code*2+1, so a clean `shutdown` would
    otherwise look like a failure to make(1).
    """
    code = debug_exit_code(status)
    if code is not None:
        print(f"pith: exited with code {code}", flush=True)
        return code
    if status == 0:
        print("pith: powered off", flush=True)
        return 0
    print(f"pith: QEMU failed with status {status}", file=sys.stderr)
    return status if status > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
