"""A network namespace of the benchmark's own, with one tap in it.

QEMU's user networking does not forward inbound ICMP, so ping (and the
web-server figures "over tap") are measured through a tap device inside a
namespace the benchmark creates and deletes: QEMU runs inside it
(`ip netns exec`, which execs QEMU in place, so killing the process kills
QEMU), and so do ping and wrk. Nothing outside the namespace is touched,
and no address outside it is used.

    with Netns() as ns:
        ns.add_tap("pbtap0", "192.168.90.1/24")
        args = ns.exec_args(qemu_args)           # QEMU inside
        ns.run(["ping", "-c", "5", "192.168.90.2"], timeout=10)
        with ns.inside():                         # sockets of this thread
            socket.create_connection(("192.168.90.2", 80))

Names are `pithbench-PID-XXXX`; namespaces left by a run that died (its
PID gone) are deleted by the next create(). Needs root and /dev/net/tun
(skip_reason() says why not). The same ideas as tests/system/netns.py,
kept apart so that the benchmark and the tests change independently.
Python 3.11 standard library only.
"""

import contextlib
import ctypes
import os
import re
import secrets
import subprocess
import time

IP = "/usr/sbin/ip" if os.path.exists("/usr/sbin/ip") else "ip"
PREFIX = "pithbench"
NETNS_DIR = "/var/run/netns"
CLONE_NEWNET = 0x40000000
CMD_TIMEOUT = 20

_libc = ctypes.CDLL(None, use_errno=True)


def _ip(*args, check=True):
    r = subprocess.run([IP, *args], capture_output=True, text=True, timeout=CMD_TIMEOUT)
    if check and r.returncode:
        raise RuntimeError(f"ip {' '.join(args)}: {r.stderr.strip()}")
    return r


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


def skip_reason():
    """Why a namespace with a tap cannot be made here, or None."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    try:
        _ip("netns", "list")
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as e:
        return f"`ip netns` cannot run: {e}"
    return None


def remove_stale():
    """Delete pithbench-PID-* namespaces whose PID no longer runs."""
    for line in _ip("netns", "list", check=False).stdout.splitlines():
        m = re.match(rf"({PREFIX}-(\d+)-\S+)", line)
        if not m or int(m[2]) == os.getpid():
            continue
        try:
            os.kill(int(m[2]), 0)
            continue
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        _ip("netns", "del", m[1], check=False)


class Netns:
    def __init__(self):
        self.name = f"{PREFIX}-{os.getpid()}-{secrets.token_hex(2)}"
        self.created = False

    def __enter__(self):
        remove_stale()
        _ip("netns", "add", self.name)
        self.created = True
        try:
            _ip("-n", self.name, "link", "set", "lo", "up")
        except Exception:
            self.destroy()
            raise
        return self

    def __exit__(self, *exc):
        self.destroy()

    def add_tap(self, ifname, address):
        """A persistent tap in the namespace, address "A.B.C.D/N" on it, up.
        QEMU attaches to it by name (-netdev tap,ifname=...,script=no)."""
        _ip("-n", self.name, "tuntap", "add", "dev", ifname, "mode", "tap")
        _ip("-n", self.name, "addr", "add", address, "dev", ifname)
        _ip("-n", self.name, "link", "set", ifname, "up")
        return ifname

    def exec_args(self, args):
        """args run inside the namespace (ip netns exec execs them in place)."""
        return [IP, "netns", "exec", self.name, *map(str, args)]

    def run(self, args, timeout):
        """Run a program inside to its end (killed at timeout: raises
        subprocess.TimeoutExpired); returns the CompletedProcess, text."""
        return subprocess.run(self.exec_args(args), capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    @contextlib.contextmanager
    def inside(self):
        """The calling thread in the namespace for the block; sockets made
        there stay in it afterwards."""
        here = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        there = os.open(os.path.join(NETNS_DIR, self.name), os.O_RDONLY | os.O_CLOEXEC)
        try:
            _setns(there)
            try:
                yield self
            finally:
                _setns(here)
        finally:
            os.close(here)
            os.close(there)

    def destroy(self):
        """Delete the namespace (its taps go with it). Whoever started
        processes inside must have ended them first."""
        if not self.created:
            return
        end = time.monotonic() + 5
        while True:
            r = _ip("netns", "del", self.name, check=False)
            if r.returncode == 0 or not os.path.exists(os.path.join(NETNS_DIR, self.name)):
                break
            if time.monotonic() > end:
                raise RuntimeError(f"cannot delete netns {self.name}: {r.stderr.strip()}")
            time.sleep(0.1)
        self.created = False
