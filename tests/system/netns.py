"""A private network namespace for a test: create it, put tap devices in it,
run programs inside it, and always take it down again.

The system tests may reach only 127.0.0.1 or addresses inside a namespace
they created themselves (DESIGN.md section 9). A Netns is such a namespace:
its name is `pithtest-PID-XXXX`, it holds only what the test put there
(its own loopback, and taps made with add_tap()), and destroy() kills every
process started through it and deletes it. Namespaces left by a test run
that died (its PID no longer alive) are deleted by the next create().

Two ways to act inside the namespace:
- run()/popen(): a program under `ip netns exec NAME` (curl, QEMU, the
  relay). Every run has a timeout; on timeout its process group is killed.
  popen() children are killed by destroy() if still running, and by the
  kernel if the test process dies first (PR_SET_PDEATHSIG).
- inside(): a context manager that moves *the calling thread* into the
  namespace (setns(2) through ctypes) and back on exit. Sockets made
  while inside stay in the namespace after leaving it, so http.client and
  raw sockets of the test process itself can talk to the guest there.

Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN); skip_reason() says why not.
Python 3.11 standard library only.
"""

import contextlib
import ctypes
import os
import re
import secrets
import signal
import subprocess
import time
from pathlib import Path

IP = "/usr/sbin/ip" if Path("/usr/sbin/ip").exists() else "ip"
PREFIX = "pithtest"
NETNS_DIR = Path("/var/run/netns")
CLONE_NEWNET = 0x40000000
CMD_TIMEOUT = 20
KILL_WAIT = 5

_libc = ctypes.CDLL(None, use_errno=True)


def _ip(*args, timeout=CMD_TIMEOUT, check=True):
    """Run `ip ARGS` (bounded); raise with its stderr if it fails."""
    r = subprocess.run([IP, *args], capture_output=True, text=True,
                       timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: status {r.returncode}: "
                           f"{r.stderr.strip()}")
    return r


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


PR_SET_PDEATHSIG = 1


def die_with_parent():
    """For Popen(preexec_fn=...): the child gets SIGKILL when the process
    that started it dies, so a pytest killed before its finalizers ran
    leaves no QEMU or relay behind (the setting survives exec)."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def kill_group(proc, wait=KILL_WAIT):
    """SIGKILL a process started with start_new_session=True, and reap it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        pass


def skip_reason():
    """Why namespaces cannot be used here, or None if they can."""
    if os.geteuid() != 0:
        return "network namespaces need root (ip netns add)"
    if not Path("/dev/net/tun").exists():
        return "no /dev/net/tun: tap devices unavailable"
    name = f"{PREFIX}-{os.getpid()}-probe{secrets.token_hex(2)}"
    try:
        r = _ip("netns", "add", name, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"`ip netns add` cannot run: {e}"
    if r.returncode != 0:
        return f"`ip netns add` failed: {r.stderr.strip()}"
    _ip("netns", "del", name, check=False)
    return None


def remove_stale():
    """Delete namespaces `pithtest-PID-*` whose PID is no longer running
    (left by a test run that was killed before its finalizers ran)."""
    r = _ip("netns", "list", check=False)
    for line in r.stdout.splitlines():
        m = re.match(rf"({PREFIX}-(\d+)-\S+)", line)
        if not m or int(m[2]) == os.getpid():
            continue
        try:
            os.kill(int(m[2]), 0)
            continue                    # its owner still runs
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        _ip("netns", "del", m[1], check=False)


class Netns:
    """One private network namespace. Use as a context manager, or call
    create() and destroy() (a pytest fixture finalizer) yourself."""

    def __init__(self, tag="ns"):
        self.name = f"{PREFIX}-{os.getpid()}-{tag}{secrets.token_hex(2)}"
        self.created = False
        self.taps = []
        self.procs = []

    def __enter__(self):
        return self.create()

    def __exit__(self, *exc):
        self.destroy()
        return False

    def create(self):
        remove_stale()
        _ip("netns", "add", self.name)
        self.created = True
        try:
            _ip("-n", self.name, "link", "set", "lo", "up")
        except Exception:
            self.destroy()
            raise
        return self

    def add_tap(self, ifname, address=None, up=True):
        """A persistent tap device in the namespace (a program attaches to
        it later by name: QEMU's -netdev tap, or relay.py), with `address`
        ("A.B.C.D/N") on it. Names are at most 15 characters."""
        if len(ifname) > 15:
            raise ValueError(f"interface name {ifname!r} longer than 15")
        _ip("-n", self.name, "tuntap", "add", "dev", ifname, "mode", "tap")
        self.taps.append(ifname)
        if address:
            _ip("-n", self.name, "addr", "add", address, "dev", ifname)
        if up:
            _ip("-n", self.name, "link", "set", ifname, "up")
        return ifname

    def exec_args(self, args):
        """`args` prefixed so that they run inside the namespace."""
        return [IP, "netns", "exec", self.name, *map(str, args)]

    def run(self, args, timeout, check=False, **kwargs):
        """Run a program inside the namespace to completion, bounded by
        timeout (seconds): on timeout its process group is killed and
        subprocess.TimeoutExpired raised. Returns a CompletedProcess with
        stdout/stderr as bytes unless text=True is given."""
        proc = subprocess.Popen(self.exec_args(args), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True,
                                **kwargs)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            proc.communicate()
            raise
        finally:
            kill_group(proc)
        r = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        if check:
            r.check_returncode()
        return r

    def popen(self, args, **kwargs):
        """Start a program inside the namespace in its own session; destroy()
        kills it if it is still running then."""
        kwargs.setdefault("start_new_session", True)
        kwargs.setdefault("preexec_fn", die_with_parent)
        proc = subprocess.Popen(self.exec_args(args), **kwargs)
        self.procs.append(proc)
        return proc

    @contextlib.contextmanager
    def inside(self):
        """Move the calling thread into the namespace for the block:
            with ns.inside():
                sock = socket.create_connection(("192.168.77.2", 80))
        The socket stays in the namespace after the block. Other threads
        are not affected (setns(2) acts per thread)."""
        here = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        there = os.open(NETNS_DIR / self.name, os.O_RDONLY | os.O_CLOEXEC)
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
        """Kill what popen() started, delete the taps and the namespace.
        Safe to call twice, and after a failed create()."""
        for proc in self.procs:
            kill_group(proc)
        self.procs = []
        if not self.created:
            return
        for tap in self.taps:
            _ip("-n", self.name, "link", "del", tap, check=False)
        self.taps = []
        # A process still inside keeps the namespace alive but `del`
        # unmounts its name; retry briefly in case of a transient EBUSY.
        end = time.monotonic() + KILL_WAIT
        while True:
            r = _ip("netns", "del", self.name, check=False)
            if r.returncode == 0 or not (NETNS_DIR / self.name).exists():
                break
            if time.monotonic() > end:
                raise RuntimeError(f"cannot delete netns {self.name}: "
                                   f"{r.stderr.strip()}")
            time.sleep(0.1)
        self.created = False
