#!/usr/bin/python3
"""make bench: every metric for Pith and for the Linux guest, side by side.

Both guests run in the same QEMU with the same settings (machine,
accelerator, vCPUs, RAM) for each metric, alternating Pith and Linux round
by round so that a change in the host's load touches both. Absolute times
under TCG say little; the ratio from the same run is the result.

    bench/run.py [--quick] [--rounds N] [METRIC ...]

Writes bench/results/latest.{md,json} and one PNG chart per metric, and
(full runs only) the table in docs/PERFORMANCE.md. --quick is one short
round of each metric, for make test: it proves the rig works, and its
numbers are printed but never judged. Python 3.11 standard library only.
"""

import argparse
import contextlib
import datetime
import errno
import http.client
import json
import os
import platform
import re
import selectors
import shutil
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "linux"))
sys.path.insert(0, os.path.join(REPO, "tools"))
import guest  # noqa: E402  (bench/linux/guest.py)
import netns  # noqa: E402  (bench/netns.py)
import qemu  # noqa: E402  (tools/qemu.py)

PITH = os.path.join(REPO, "build", "pith.elf")
PITH_APP = os.path.join(REPO, "build", "app-{}", "pith.elf")
PITH_READY = re.compile(rb"^ready: \d+ cores, \d+ MiB RAM, (\d+) us since first instruction")
MACHINE = "microvm"
SMP = 2
MEM = "256M"
# Both OSes get the same devices, made the same way. QEMU's virtio-mmio
# (microvm) defaults to the legacy interface, which Pith does not drive;
# Linux drives either, so both get virtio 1.x.
MMIO_MODERN = ["-global", "virtio-mmio.force-legacy=false"]
DISK = os.path.join(REPO, "build", "bench", "disk.img")
DISK_SECTORS = 32768			# 4 KiB sectors: 128 MiB
DRIVE_OPTS = "readonly=on,cache=writeback,aio=threads"	# host page cache, warmed
NETPEER = os.path.join(HERE, "netpeer.py")


class PithGuest(guest.Guest):
    """Pith booted exactly as guest.Guest boots Linux: same reader, same
    clock, same QEMU arguments from tools/qemu.py, no initrd."""

    def __init__(self, kernel, cmdline, machine=MACHINE, smp=SMP, mem=MEM, extra=()):
        super().__init__(cmdline, machine=machine, smp=smp, mem=mem,
                         args=qemu.qemu_args(kernel, machine=machine, smp=smp,
                                             mem=mem, cmdline=cmdline, extra=extra))

    def is_ready(self, line):
        return PITH_READY.match(bytes(line)) is not None


def run_guest(g, timeout):
    """Boot g to its end; return (ready seconds, output, exit status)."""
    with g:
        status = g.wait(timeout)
    return g.ready_s, g.output, status


# ---- metrics: each returns {"pith": value, "linux": value} for one round ----

def size_once(quick):
    """Bytes a loader places in memory: the kernel, and the kernel with a program."""
    def loaded(elf):
        out = subprocess.run([os.path.join(REPO, "tools", "size.sh"), elf],
                             capture_output=True, text=True, check=True).stdout
        return int(re.search(r"loaded from file (\d+)", out).group(1))
    linux_kernel = os.path.getsize(guest.KERNEL)
    return {
        "kernel_bytes": {"pith": loaded(PITH_APP.format("empty")), "linux": linux_kernel},
        "kernel_program_bytes": {
            "pith": loaded(PITH_APP.format("dispatch")),
            "linux": linux_kernel + os.path.getsize(guest.INITRD)},
    }


def boot_once(quick):
    """QEMU start to the ready line, and each guest's own clock to ready."""
    ready, out, _ = run_guest(PithGuest(PITH, "quiet then=shutdown"), 60)
    m = re.search(rb"(\d+) us since first instruction", out.encode())
    lready, lout, _ = run_guest(guest.Guest("bench=none", machine=MACHINE,
                                            smp=SMP, mem=MEM), 300)
    lup = re.search(r"^uptime ([0-9.]+)", lout, re.M)
    return {
        "boot_to_ready_ms": {"pith": ready * 1000 if ready else None,
                             "linux": lready * 1000 if lready else None},
        "guest_boot_ms": {"pith": int(m.group(1)) / 1000 if m else None,
                          "linux": float(lup.group(1)) * 1000 if lup else None},
    }


def boots_with(make_guest, mib):
    """True if the guest reaches ready with mib MiB of RAM."""
    try:
        ready, _, _ = run_guest(make_guest(f"{mib}M"), 120)
    except Exception:
        return False
    return ready is not None


def smallest(make_guest, lo, hi, step):
    """Smallest MiB in [lo, hi] (to within step) that boots; None if hi fails."""
    if not boots_with(make_guest, hi):
        return None
    while hi - lo > step:
        mid = (lo + hi) // 2
        if boots_with(make_guest, mid):
            hi = mid
        else:
            lo = mid
    return hi


def minram_once(quick):
    step = 8 if quick else 1
    pith = smallest(lambda m: PithGuest(PITH, "quiet then=shutdown", mem=m), 1, 64, step)
    linux = smallest(lambda m: guest.Guest("bench=none", machine=MACHINE, smp=SMP,
                                           mem=m), 8, 512, 16 if quick else 2)
    return {"min_ram_mib": {"pith": pith, "linux": linux}}


def parse_fields(text, prefix):
    """{key: int} from every `prefix key=value ...` line."""
    fields = {}
    for line in text.splitlines():
        if line.startswith(prefix + " "):
            for k, v in re.findall(r"(\w+)=([0-9.]+)", line):
                fields.setdefault(k, []).append(float(v))
    return fields


def noise_once(quick):
    """Spread of fixed work quanta: mean sd, worst max, share >1% over min."""
    _, pout, _ = run_guest(PithGuest(PITH_APP.format("noise"), "quiet"), 600)
    _, lout, _ = run_guest(guest.Guest("bench=noise", machine=MACHINE, smp=SMP,
                                       mem=MEM), 600)
    p, lx = parse_fields(pout, "noise"), parse_fields(lout, "noise")

    def pick(f, key, how):
        return how(f[key]) if f.get(key) else None
    return {
        "noise_mean_ticks": {"pith": pick(p, "mean", statistics.mean),
                             "linux": pick(lx, "mean", statistics.mean)},
        "noise_sd_ticks": {"pith": pick(p, "sd", statistics.mean),
                           "linux": pick(lx, "sd", statistics.mean)},
        "noise_max_ticks": {"pith": pick(p, "max", max), "linux": pick(lx, "max", max)},
        "noise_over1pct": {"pith": pick(p, "over1pct", statistics.mean),
                           "linux": pick(lx, "over1pct", statistics.mean)},
    }


def dispatch_once(quick):
    """Work queue vs a pthread pool: latency, throughput, fork-join."""
    _, pout, _ = run_guest(PithGuest(PITH_APP.format("dispatch"), "quiet"), 600)
    _, lout, _ = run_guest(guest.Guest("bench=dispatch", machine=MACHINE, smp=SMP,
                                       mem=MEM), 600)
    p, lx = parse_fields(pout, "dispatch"), parse_fields(lout, "dispatch")

    def ns(f, key):
        if not f.get(key) or not f.get("tsc_hz"):
            return None
        return f[key][0] * 1e9 / f["tsc_hz"][0]

    def val(f, key):
        return f[key][0] if f.get(key) else None
    return {
        "dispatch_p50_ns": {"pith": ns(p, "latency_p50_ticks"), "linux": ns(lx, "latency_p50_ticks")},
        "dispatch_p99_ns": {"pith": ns(p, "latency_p99_ticks"), "linux": ns(lx, "latency_p99_ticks")},
        "dispatch_tasks_per_s": {"pith": val(p, "throughput_tasks_per_s"),
                                 "linux": val(lx, "throughput_tasks_per_s")},
        "forkjoin_p50_ns": {"pith": ns(p, "forkjoin_p50_ticks"), "linux": ns(lx, "forkjoin_p50_ticks")},
        "wake_p50_ns": {"pith": ns(p, "wake_p50_ticks"), "linux": None},
    }


# ---- devices: raw frames (virtio-net) and 4 KiB random reads (virtio-blk) ----

class NetPeer:
    """bench/netpeer.py in its own process, for one guest boot: QEMU's
    dgram netdev joins the guest's NIC to it through two UDP ports of
    127.0.0.1. report() ends it and returns its counts."""

    def __enter__(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))	# a free port for QEMU's end
            self.qemu_port = s.getsockname()[1]
        self._proc = subprocess.Popen([sys.executable, NETPEER, str(self.qemu_port)],
                                      stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                      text=True)
        self.port = int(self._proc.stdout.readline().split()[1])
        return self

    def __exit__(self, *exc):
        self._proc.kill()
        self._proc.wait()

    def qemu_args(self):
        netdev = (f"dgram,id=net0,local.type=inet,local.host=127.0.0.1,"
                  f"local.port={self.qemu_port},remote.type=inet,"
                  f"remote.host=127.0.0.1,remote.port={self.port}")
        return MMIO_MODERN + guest.net_args(MACHINE, netdev=netdev)

    def report(self):
        self._proc.terminate()
        out, _ = self._proc.communicate(timeout=10)
        return json.loads(out.splitlines()[-1])


def note_timeout(name, status):
    """Says so on the progress line when a device benchmark's guest had to
    be killed: its numbers are then missing, and this is why."""
    if status is None:
        print(f" [{name} killed at its timeout]", end="", flush=True)


def net_side(name, make_guest, timeout):
    """One boot of a netbench twin with its own peer: (fields, peer counts)."""
    with NetPeer() as peer:
        _, out, status = run_guest(make_guest(peer.qemu_args()), timeout)
        note_timeout(name, status)
        return parse_fields(out, "net"), peer.report()


def net_once(quick):
    """64-byte frames: ping-pong with the host's reflector, then a blast the
    host counts (bench/guest/frame.h, bench/netpeer.py)."""
    words = "2000 1000" if quick else "10000 3000"	# pings, blast ms
    p = net_side("Pith", lambda extra: PithGuest(PITH_APP.format("netbench"),
                                                 f"quiet -- {words}", extra=extra), 120)
    lx = net_side("Linux", lambda extra: guest.Guest(f'bench=netbench args="{words}"',
                                                     machine=MACHINE, smp=SMP, mem=MEM,
                                                     extra=extra), 300)

    def us(side, key):
        f, _ = side
        if not f.get(key) or not f.get("tsc_hz") or not f[key][0]:
            return None
        return f[key][0] * 1e6 / f["tsc_hz"][0]

    def fps(side):
        f, peer = side
        if not peer["blast"] or peer["blast_span_s"] <= 0:
            return None
        sent = int(f["blast_frames"][0]) if f.get("blast_frames") else "?"
        print(f" [{peer['blast']} of {sent} frames arrived]", end="", flush=True)
        return peer["blast"] / peer["blast_span_s"]
    return {
        "frames_per_s": {"pith": fps(p), "linux": fps(lx)},
        "frame_rtt_p50_us": {"pith": us(p, "pingpong_p50_ticks"),
                             "linux": us(lx, "pingpong_p50_ticks")},
        "frame_rtt_p99_us": {"pith": us(p, "pingpong_p99_ticks"),
                             "linux": us(lx, "pingpong_p99_ticks")},
    }


def disk_image():
    """DISK, made once: DISK_SECTORS 4 KiB sectors of random bytes, each
    starting with its own number (64-bit little-endian), which blkbench
    checks on every read. Then read through, so the host's page cache holds
    all of it for either guest."""
    last = (DISK_SECTORS - 1) * 4096
    ok = os.path.exists(DISK) and os.path.getsize(DISK) == DISK_SECTORS * 4096
    if ok:
        with open(DISK, "rb") as f:
            f.seek(last)
            ok = f.read(8) == (DISK_SECTORS - 1).to_bytes(8, "little")
    if not ok:
        os.makedirs(os.path.dirname(DISK), exist_ok=True)
        with open(DISK + ".tmp", "wb") as f:
            for i in range(DISK_SECTORS):
                f.write(i.to_bytes(8, "little") + os.urandom(4088))
        os.replace(DISK + ".tmp", DISK)
    with open(DISK, "rb") as f:
        while f.read(1 << 20):
            pass
    return MMIO_MODERN + guest.disk_args(MACHINE, DISK, opts=DRIVE_OPTS)


def blk_once(quick):
    """4 KiB random reads of the whole disk at queue depth 1 and 32: Pith's
    blkbench against fio (io_uring, O_DIRECT) on the same image."""
    ramp, run_ms = (500, 1000) if quick else (1000, 5000)
    fio = (f"--filename=/dev/vda --readonly --direct=1 --rw=randread --bs=4k "
           f"--ioengine=io_uring --ramp_time={ramp}ms --runtime={run_ms}ms "
           f"--time_based --eta=never --output-format=terse "
           f"--name=qd1 --iodepth=1 --name=qd32 --iodepth=32 --stonewall")
    _, pout, status = run_guest(PithGuest(PITH_APP.format("blkbench"),
                                          f"quiet -- {ramp} {run_ms}", extra=disk_image()), 120)
    note_timeout("Pith", status)
    _, lout, status = run_guest(guest.Guest(f'bench=fio fio="{fio}"', machine=MACHINE,
                                            smp=SMP, mem=MEM, extra=disk_image()), 300)
    note_timeout("Linux", status)
    pith = {}
    for line in pout.splitlines():
        m = re.match(r"blk qd=(\d+) iops=(\d+) reads=\d+ bad=(\d+) errors=(\d+)", line)
        if m and m.group(3) == "0" and m.group(4) == "0":
            pith[int(m.group(1))] = float(m.group(2))
        elif m:
            print(f" [Pith: {line.strip()}]", end="", flush=True)
    linux = {}
    for line in lout.splitlines():
        f = line.strip().split(";")	# fio's terse format v3: 8th field read IOPS
        if len(f) > 8 and f[0] == "3" and f[1].startswith("fio-") and f[4] == "0":
            linux[int(f[2][2:])] = float(f[7])
    return {"blk_qd1_iops": {"pith": pith.get(1), "linux": linux.get(1)},
            "blk_qd32_iops": {"pith": pith.get(32), "linux": linux.get(32)}}


# ---- the web server: apps/httpd (lib/net, lib/http) against nginx ------------
#
# Both servers boot with a static address (no DHCP wait on either side) on
# HTTP_SMP vCPUs and serve the same 612-byte page (bench/guest/index.html;
# Pith: site=bench) and the same 1 MiB /1m.bin (Pith: generated, Linux:
# written by bench/guest/testfile.c at boot when bulk=1). Over QEMU's user
# networking the host reaches them at 127.0.0.1:PORT (hostfwd to :80); over
# tap, inside a network namespace of our own (bench/netns.py).

HTTPD = PITH_APP.format("httpd")
HTTP_SMP = 1			# DESIGN.md §11: requests/s on 1 vCPU (and a 2-core host
				# keeps a core for wrk and QEMU's I/O thread)
PAGE = os.path.join(HERE, "guest", "index.html")
TESTFILE_LEN = 1 << 20
USER_ADDR, USER_GW = "10.0.2.15/24", "10.0.2.2"		# slirp's guest, gateway
TAP_NAME, TAP_HOST, TAP_ADDR = "pbtap0", "192.168.90.1", "192.168.90.2/24"
SERVE_TIMEOUT = {"pith": 60, "linux": 240}	# boot to the page, s
WRK_CONNS = 16
WRK_UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4, "h": 3.6e6}
NOTES = []
_noting = ""		# "round N, METRIC": where note() is called from


def note(msg):
    """On the progress line, and in the results' notes."""
    print(f" [{msg}]", end="", flush=True)
    NOTES.append(f"{_noting}: {msg}" if _noting else msg)


def page():
    with open(PAGE, "rb") as f:
        return f.read()


_testfile = None


def testfile():
    """Pith's /1m.bin: byte i is ((i * 2654435761) mod 2^32) >> 24."""
    global _testfile
    if _testfile is None:
        _testfile = bytes(((i * 2654435761) & 0xFFFFFFFF) >> 24
                          for i in range(TESTFILE_LEN))
    return _testfile


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def user_net(port):
    """A virtio NIC on user networking, 127.0.0.1:port -> the guest's :80."""
    return guest.net_args(MACHINE, port)


def tap_net():
    return guest.net_args(MACHINE, netdev=f"tap,id=net0,ifname={TAP_NAME},"
                                          "script=no,downscript=no")


def http_guest(side, net, addr=USER_ADDR, gw=USER_GW, mem=MEM, bulk=False):
    """Pith's httpd or the Linux guest's nginx on the same machine."""
    if side == "pith":
        return PithGuest(HTTPD, f"quiet -- ip={addr} gw={gw} site=bench",
                         smp=HTTP_SMP, mem=mem, extra=net)
    return guest.Guest(f"bench=nginx ip={addr}:{gw}" + (" bulk=1" if bulk else ""),
                       machine=MACHINE, smp=HTTP_SMP, mem=mem, extra=net)


def inside(ns):
    """The namespace's context for this thread's sockets, or nothing."""
    return ns.inside() if ns else contextlib.nullcontext()


def fetch(host, port, path="/", timeout=2.0):
    """(status, body) of one GET on a new connection."""
    c = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def wait_serving(side, g, host, port, timeout, ns=None, quiet=False):
    """True once GET / gives the 612-byte page; False if it never does
    within timeout, QEMU ends, or another page comes."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and g.running():
        try:
            with inside(ns):
                status, body = fetch(host, port)
        except (OSError, http.client.HTTPException):
            time.sleep(0.05)
            continue
        if status == 200 and body == page():
            return True
        if status == 200:
            if not quiet:
                note(f"{side}: / gave {len(body)} bytes, not bench/guest/index.html")
            return False
        time.sleep(0.05)
    if not quiet:
        why = "QEMU ended" if not g.running() else f"not serving after {timeout} s"
        last = [ln for ln in g.output.splitlines() if ln.strip()][-1:] or [""]
        note(f"{side}: {why}; console: {last[0][:100]!r}")
    return False


@contextlib.contextmanager
def serving(side, net, host, port, ns=None, quiet=False, **kw):
    """Boot side's web server; yield its Guest once it serves the page, or
    None (noted unless quiet). QEMU is killed on leaving."""
    if side == "pith" and not os.path.exists(HTTPD):
        if not quiet:
            note("Pith: no build/app-httpd/pith.elf (make app-httpd)")
        yield None
        return
    g = http_guest(side, net, **kw)
    if ns:
        g.args = ns.exec_args(g.args)
    with g:
        ok = wait_serving(side, g, host, port, SERVE_TIMEOUT[side], ns, quiet)
        yield g if ok else None


def parse_wrk(text):
    """requests/s, p99 (ms), requests, socket errors, non-2xx from wrk --latency."""
    r = {"rps": None, "p99_ms": None, "requests": 0, "errors": 0, "non2xx": 0}
    m = re.search(r"^Requests/sec:\s+([0-9.]+)", text, re.M)
    if m:
        r["rps"] = float(m[1])
    m = re.search(r"^\s+99(?:\.0+)?%\s+([0-9.]+)(us|ms|s|m|h)\s*$", text, re.M)
    if m:
        r["p99_ms"] = float(m[1]) * WRK_UNITS_MS[m[2]]
    m = re.search(r"^\s*(\d+) requests in", text, re.M)
    if m:
        r["requests"] = int(m[1])
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        r["errors"] = sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        r["non2xx"] = int(m[1])
    return r


def wrk(side, what, url, secs, close=False, ns=None):
    """(requests/s, p99 ms) of wrk -t1 -c16 on url, or (None, None) when
    wrk failed, a response was not 2xx, or over 1% of requests erred."""
    args = ["wrk", "-t1", f"-c{WRK_CONNS}", f"-d{secs}s", "--latency"]
    if close:
        args += ["-H", "Connection: close"]
    args.append(url)
    try:
        if ns:
            out = ns.run(args, timeout=secs + 60).stdout
        else:
            out = subprocess.run(args, capture_output=True, text=True,
                                 stdin=subprocess.DEVNULL, timeout=secs + 60).stdout
    except subprocess.TimeoutExpired:
        note(f"{side} {what}: wrk killed at its timeout")
        return None, None
    except FileNotFoundError:
        note("wrk is not installed (tools/deps.sh bench)")
        return None, None
    r = parse_wrk(out)
    if r["errors"] or r["non2xx"]:
        note(f"{side} {what}: {r['errors']} socket errors, {r['non2xx']} non-2xx "
             f"of {r['requests']} requests")
    if not r["requests"] or r["non2xx"] or r["errors"] * 100 > r["requests"]:
        return None, None
    return r["rps"], r["p99_ms"]


def bulk_mb_s(side, host, port, n, ns=None):
    """MB/s (10^6 B) of n downloads of /1m.bin back to back over one
    keep-alive connection, after one untimed; every byte checked (None if
    one is wrong)."""
    want = testfile()
    with inside(ns):	# all of it: a reconnect must stay in the namespace
        c = http.client.HTTPConnection(host, port, timeout=30)
        try:
            t0 = None
            for i in range(n + 1):
                c.request("GET", "/1m.bin")
                r = c.getresponse()
                body = r.read()
                if r.status != 200 or body != want:
                    note(f"{side}: /1m.bin gave status {r.status}, {len(body)} bytes"
                         f"{'' if len(body) != len(want) else ', wrong bytes'}")
                    return None
                if t0 is None:
                    t0 = time.monotonic()
            return n * len(want) / (time.monotonic() - t0) / 1e6
        except (OSError, http.client.HTTPException) as e:
            note(f"{side}: /1m.bin: {e}")
            return None
        finally:
            c.close()


def both(keys):
    return {k: {"pith": None, "linux": None} for k in keys}


def http_once(quick):
    """wrk on the 612-byte page over user networking: keep-alive, then
    Connection: close (each after a 1 s keep-alive warm-up)."""
    secs = 2 if quick else 10
    out = both(("http_ka_rps", "http_ka_p99_ms", "http_close_rps", "http_close_p99_ms"))
    for side in ("pith", "linux"):
        port = free_port()
        with serving(side, user_net(port), "127.0.0.1", port) as g:
            if g is None:
                continue
            url = f"http://127.0.0.1:{port}/"
            wrk(side, "warm-up", url, 1)
            out["http_ka_rps"][side], out["http_ka_p99_ms"][side] = \
                wrk(side, "keep-alive", url, secs)
            out["http_close_rps"][side], out["http_close_p99_ms"][side] = \
                wrk(side, "close", url, secs, close=True)
    return out


def ping_once(quick):
    """Through a tap in a namespace of our own: ICMP echo from the host's
    end (ping -i 0.02, after 3 untimed), then wrk keep-alive on the page
    and the bulk download, over the same tap."""
    count, secs, n = (50, 2, 5) if quick else (200, 10, 20)
    out = both(("ping_p50_us", "ping_p99_us", "tap_ka_rps", "tap_ka_p99_ms",
                "tap_bulk_mb_s"))
    why = netns.skip_reason()
    if why:
        note(f"ping: {why}")
        return out
    host = TAP_ADDR.split("/")[0]
    try:
        with netns.Netns() as ns:
            ns.add_tap(TAP_NAME, f"{TAP_HOST}/24")
            tap_sides(ns, host, count, secs, n, out)
    except (OSError, RuntimeError, subprocess.SubprocessError) as e:
        note(f"ping: namespace: {e}")
    return out


def tap_sides(ns, host, count, secs, n, out):
    """ping_once's measurements, both guests in turn on the namespace's tap."""
    for side in ("pith", "linux"):
        with serving(side, tap_net(), host, 80, ns=ns, addr=TAP_ADDR, gw=TAP_HOST,
                     bulk=True) as g:
            if g is None:
                continue
            ping = ["ping", "-n", "-i", "0.02", "-W", "1", host]
            try:
                ns.run(ping + ["-c", "3"], timeout=30)
                r = ns.run(ping + ["-c", str(count)], timeout=count * 0.02 + 60)
                rtt = sorted(float(x) * 1000 for x in re.findall(r"time=([0-9.]+) ms",
                                                                 r.stdout))
            except subprocess.TimeoutExpired:
                note(f"{side}: ping killed at its timeout")
                rtt = []
            if len(rtt) < count:
                note(f"{side}: {count - len(rtt)} of {count} pings unanswered")
            if rtt:
                out["ping_p50_us"][side] = rtt[(len(rtt) - 1) // 2]
                out["ping_p99_us"][side] = rtt[max(0, -(-len(rtt) * 99 // 100) - 1)]
            url = f"http://{host}/"
            wrk(side, "tap warm-up", url, 1, ns=ns)
            out["tap_ka_rps"][side], out["tap_ka_p99_ms"][side] = \
                wrk(side, "tap keep-alive", url, secs, ns=ns)
            out["tap_bulk_mb_s"][side] = bulk_mb_s(side, host, 80, n, ns=ns)


def bulk_once(quick):
    """/1m.bin over user networking, n times over one connection."""
    n = 5 if quick else 50
    out = both(("bulk_mb_s",))
    for side in ("pith", "linux"):
        port = free_port()
        with serving(side, user_net(port), "127.0.0.1", port, bulk=True) as g:
            if g is not None:
                out["bulk_mb_s"][side] = bulk_mb_s(side, "127.0.0.1", port, n)
    return out


FIRST_EVERY = 0.002	# s between new connection attempts
FIRST_LIVE = 0.3	# s an unanswered attempt is kept before it is dropped
FIRST_MOST = 64		# attempts open at once
FIRST_REQUEST = b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"


def complete_200(buf):
    """True when buf holds a whole 200 response with the page (by
    Content-Length); False while incomplete; raises ValueError if it is
    another response."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return False
    head = bytes(buf[:end]).decode("latin-1")
    if not re.match(r"HTTP/1\.[01] 200 ", head):
        raise ValueError(head.split("\r\n")[0])
    m = re.search(r"^content-length:\s*(\d+)\s*$", head, re.M | re.I)
    if not m:
        raise ValueError("no Content-Length")
    if len(buf) - end - 4 < int(m[1]):
        return False
    if bytes(buf[end + 4:end + 4 + int(m[1])]) != page():
        raise ValueError("not the page")
    return True


def first_200(g, port, timeout):
    """Seconds from QEMU's start to the first whole 200 for GET / through
    127.0.0.1:port, or None. From the moment QEMU is started, a new
    connection + GET every FIRST_EVERY s (at most FIRST_MOST open; one left
    unanswered FIRST_LIVE s is dropped: its SYN may have reached a guest
    not yet listening), all read without blocking."""
    sel = selectors.DefaultSelector()
    live = {}		# socket -> [started, bytes read, request sent], oldest first
    next_try = time.monotonic()

    def drop(s):
        sel.unregister(s)
        s.close()
        del live[s]
    try:
        while g.running() and time.monotonic() < g.t0 + timeout:
            now = time.monotonic()
            while live and now - next(iter(live.values()))[0] > FIRST_LIVE:
                drop(next(iter(live)))
            if now >= next_try and len(live) < FIRST_MOST:
                next_try = now + FIRST_EVERY
                s = socket.socket()
                s.setblocking(False)
                if s.connect_ex(("127.0.0.1", port)) in (0, errno.EINPROGRESS):
                    live[s] = [now, bytearray(), False]
                    sel.register(s, selectors.EVENT_WRITE)
                else:
                    s.close()
            # Full: sleep until the oldest attempt expires (or an answer).
            wake = next_try if len(live) < FIRST_MOST else \
                next(iter(live.values()))[0] + FIRST_LIVE
            wait = max(0.0, min(wake - time.monotonic(), 0.05))
            for key, _ in sel.select(wait):
                s = key.fileobj
                st = live[s]
                try:
                    if not st[2]:
                        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                            drop(s)
                            continue
                        s.send(FIRST_REQUEST)
                        st[2] = True
                        sel.modify(s, selectors.EVENT_READ)
                        continue
                    data = s.recv(65536)
                except OSError:
                    drop(s)
                    continue
                if not data:
                    drop(s)
                    continue
                st[1] += data
                try:
                    if complete_200(st[1]):
                        return time.monotonic() - g.t0
                except ValueError as e:
                    note(f"first response: {e}")
                    drop(s)
        return None
    finally:
        for s in live:
            s.close()
        sel.close()


def http_first_once(quick):
    """QEMU start to the first HTTP 200 (the page, whole) over user
    networking; static addresses on both sides."""
    out = both(("first_200_ms",))
    for side in ("pith", "linux"):
        if side == "pith" and not os.path.exists(HTTPD):
            note("Pith: no build/app-httpd/pith.elf (make app-httpd)")
            continue
        port = free_port()
        with http_guest(side, user_net(port)) as g:
            s = first_200(g, port, SERVE_TIMEOUT[side])
        if s is None:
            note(f"{side}: no 200 within {SERVE_TIMEOUT[side]} s")
        out["first_200_ms"][side] = s * 1000 if s is not None else None
    return out


def serves_with(side, mib):
    """True if side serves the page with mib MiB of RAM."""
    port = free_port()
    try:
        with serving(side, user_net(port), "127.0.0.1", port, quiet=True,
                     mem=f"{mib}M") as g:
            return g is not None
    except Exception:
        return False


def smallest_serving(side, lo, hi, step):
    """Smallest MiB in [lo, hi] (to within step) that serves; None if hi fails."""
    if not serves_with(side, hi):
        return None
    while hi - lo > step:
        mid = (lo + hi) // 2
        if serves_with(side, mid):
            hi = mid
        else:
            lo = mid
    return hi


def http_minram_once(quick):
    pith = smallest_serving("pith", 1, 128, 8 if quick else 1) \
        if os.path.exists(HTTPD) else None
    linux = smallest_serving("linux", *((8, 256, 32) if quick else (8, 512, 2)))
    return {"http_min_ram_mib": {"pith": pith, "linux": linux}}


# name: (function, {row: (label, unit, better)}) ; better: "lower" or "higher"
METRICS = {
    "size": (size_once, {
        "kernel_bytes": ("Kernel, no program: bytes loaded", "B", "lower"),
        "kernel_program_bytes": ("Kernel + program (Pith: dispatch; Linux: initramfs)", "B", "lower")}),
    "boot": (boot_once, {
        "boot_to_ready_ms": ("QEMU start to ready line", "ms", "lower"),
        "guest_boot_ms": ("Guest's own clock: start to ready", "ms", "lower")}),
    "minram": (minram_once, {
        "min_ram_mib": ("Smallest RAM that boots (-m)", "MiB", "lower")}),
    "noise": (noise_once, {
        "noise_mean_ticks": ("OS noise: mean time of a fixed quantum", "ticks", "lower"),
        "noise_sd_ticks": ("OS noise: sd of a fixed quantum", "ticks", "lower"),
        "noise_max_ticks": ("OS noise: worst quantum", "ticks", "lower"),
        "noise_over1pct": ("OS noise: share >1% over the fastest", "", "lower")}),
    "dispatch": (dispatch_once, {
        "dispatch_p50_ns": ("Task dispatch latency p50", "ns", "lower"),
        "dispatch_p99_ns": ("Task dispatch latency p99", "ns", "lower"),
        "dispatch_tasks_per_s": ("Empty tasks per second", "1/s", "higher"),
        "forkjoin_p50_ns": ("Fork-join of two tasks p50", "ns", "lower"),
        "wake_p50_ns": ("Dispatch to a sleeping core p50 (Pith only)", "ns", "lower")}),
    "net": (net_once, {
        "frames_per_s": ("64-byte frames sent per second, counted by the host (virtio-net)",
                         "1/s", "higher"),
        "frame_rtt_p50_us": ("64-byte frame ping-pong with the host p50", "us", "lower"),
        "frame_rtt_p99_us": ("64-byte frame ping-pong with the host p99", "us", "lower")}),
    "blk": (blk_once, {
        "blk_qd1_iops": ("virtio-blk 4 KiB random reads per second, QD1 (Linux: fio)",
                         "1/s", "higher"),
        "blk_qd32_iops": ("virtio-blk 4 KiB random reads per second, QD32 (Linux: fio)",
                          "1/s", "higher")}),
    # The web server (Pith: apps/httpd; Linux: nginx), 1 vCPU (HTTP_SMP);
    # "Page" is the 612-byte bench/guest/index.html.
    "http": (http_once, {
        "http_ka_rps": ("Page requests/s, keep-alive (wrk -c16, user net)", "1/s", "higher"),
        "http_ka_p99_ms": ("Page p99 latency, keep-alive (wrk -c16, user net)", "ms",
                           "lower"),
        "http_close_rps": ("Page requests/s, Connection: close (user net)", "1/s",
                           "higher"),
        "http_close_p99_ms": ("Page p99 latency, Connection: close (user net)", "ms",
                              "lower")}),
    "ping": (ping_once, {
        "ping_p50_us": ("Ping round trip p50 (tap)", "us", "lower"),
        "ping_p99_us": ("Ping round trip p99 (tap)", "us", "lower"),
        "tap_ka_rps": ("Page requests/s, keep-alive (wrk -c16, tap)", "1/s", "higher"),
        "tap_ka_p99_ms": ("Page p99 latency, keep-alive (wrk -c16, tap)", "ms", "lower"),
        "tap_bulk_mb_s": ("1 MiB downloads, one connection (tap)", "MB/s", "higher")}),
    "bulk": (bulk_once, {
        "bulk_mb_s": ("1 MiB downloads, one connection (user net)", "MB/s", "higher")}),
    "http_first": (http_first_once, {
        "first_200_ms": ("QEMU start to first HTTP 200 (user net)", "ms", "lower")}),
    "http_minram": (http_minram_once, {
        "http_min_ram_mib": ("Smallest RAM that serves the page (-m)", "MiB", "lower")}),
}

# Slots later issues fill; shown as n/a until they exist.
PLANNED = []


# ---- running and reporting --------------------------------------------------

def summarize(samples):
    vals = [v for v in samples if v is not None]
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals),
            "runs": len(vals)}


def ratio(better, pith, linux):
    """How many times better Pith is (>1: Pith wins), from the medians."""
    if not pith or not linux:
        return None
    return linux["median"] / pith["median"] if better == "lower" else \
        pith["median"] / linux["median"]


def run(names, rounds, quick):
    """{metric row: {"pith": [...], "linux": [...]}} over the rounds."""
    global _noting
    data = {}
    for r in range(rounds):
        for name in names:
            fn, _ = METRICS[name]
            _noting = f"round {r + 1}, {name}"
            t0 = time.monotonic()
            print(f"bench: round {r + 1}/{rounds}: {name} ...", end="", flush=True)
            for row, vals in fn(quick).items():
                for side in ("pith", "linux"):
                    data.setdefault(row, {"pith": [], "linux": []})[side].append(vals[side])
            print(f" {time.monotonic() - t0:.1f} s", flush=True)
    return data


def fmt(v):
    if v is None:
        return "n/a"
    if abs(v) >= 1000 or v == int(v):
        return f"{v:,.0f}"
    return f"{v:.3g}"


def cell(s):
    if not s:
        return "n/a"
    if s["runs"] == 1:
        return fmt(s["median"])
    return f"{fmt(s['median'])} ({fmt(s['min'])}–{fmt(s['max'])})"


def conditions(rounds, quick):
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ver = subprocess.run([qemu.QEMU, "--version"], capture_output=True,
                         text=True).stdout.splitlines()[0]
    return {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "host_cpu": cpu, "host_cores": os.cpu_count(), "accel": qemu.choose_accel(),
            "qemu": ver, "machine": MACHINE, "vcpus": SMP, "http_vcpus": HTTP_SMP, "ram": MEM,
            "rounds": rounds, "quick": quick, "kernel": platform.release()}


def table(results):
    lines = ["| Metric | Pith | Linux | Pith better by | unit |",
             "|---|---|---|---|---|"]
    for row in results:
        r = row["ratio"]
        lines.append(f"| {row['label']} | {cell(row['pith'])} | {cell(row['linux'])} | "
                     f"{'n/a' if r is None else f'{r:.2f}x'} | {row['unit']} |")
    for label, unit in PLANNED:
        lines.append(f"| {label} | n/a | n/a | n/a | {unit} |")
    return "\n".join(lines)


def write_markdown(path, results, cond):
    text = [f"# Benchmark results ({'quick' if cond['quick'] else 'full'} run)", "",
            f"{cond['date']}; host {cond['host_cpu']} ({cond['host_cores']} cores), "
            f"{cond['qemu']}, accelerator {cond['accel']}; every guest on "
            f"`-M {cond['machine']} -smp {cond['vcpus']} -m {cond['ram']}` unless the "
            f"metric varies it (the web server's rows: `-smp {cond['http_vcpus']}`); "
            f"{cond['rounds']} round(s), Pith and Linux alternating. "
            "Cells: median (min–max). 'Pith better by' is the ratio of medians, "
            "above 1 when Pith is better.", "", table(results), ""]
    if NOTES:
        text += ["Notes from the run:", ""] + [f"- {n}" for n in NOTES] + [""]
    with open(path, "w") as f:
        f.write("\n".join(text))


def write_charts(results, outdir):
    """One bar chart per metric row: Pith vs Linux medians, min–max bars."""
    if not shutil.which("gnuplot"):
        print("bench: gnuplot missing (tools/deps.sh bench): no charts")
        return
    for row in results:
        if not row["pith"] or not row["linux"]:
            continue
        dat = os.path.join(outdir, f"{row['key']}.dat")
        with open(dat, "w") as f:
            for side in ("pith", "linux"):
                s = row[side]
                f.write(f"{side.capitalize()} {s['median']} {s['min']} {s['max']}\n")
        script = (f"set terminal pngcairo size 640,400; set output '{outdir}/{row['key']}.png';"
                  f"set title \"{row['label']} ({row['unit'] or 'ratio'}, "
                  f"{row['better']} is better)\";"
                  "set style fill solid 0.6; set boxwidth 0.5; set yrange [0:*];"
                  "unset key; set grid ytics;"
                  f"plot '{dat}' using 0:2:xtic(1) with boxes, "
                  f"'' using 0:2:3:4 with yerrorbars lc rgb 'black'")
        subprocess.run(["gnuplot", "-e", script], check=False)
        os.remove(dat)


def update_performance_doc(md_table, cond):
    path = os.path.join(REPO, "docs", "PERFORMANCE.md")
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    with open(path) as f:
        doc = f.read()
    if begin not in doc or end not in doc:
        return
    block = (f"{begin}\nLast full run: {cond['date']}, host {cond['host_cpu']} "
             f"({cond['host_cores']} cores), {cond['qemu']}, accelerator "
             f"**{cond['accel']}**, `-M {cond['machine']} -smp {cond['vcpus']} "
             f"-m {cond['ram']}`, {cond['rounds']} rounds.\n\n{md_table}\n{end}")
    doc = doc[:doc.index(begin)] + block + doc[doc.index(end) + len(end):]
    with open(path, "w") as f:
        f.write(doc)


def main(argv):
    p = argparse.ArgumentParser(description="Pith vs Linux, same QEMU, same settings.")
    p.add_argument("--quick", action="store_true", help="one short round (make bench-quick)")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("metrics", nargs="*", help=f"some of: {' '.join(METRICS)}")
    opts = p.parse_args(argv)
    unknown = [m for m in opts.metrics if m not in METRICS]
    if unknown:
        p.error(f"unknown metric {' '.join(unknown)}; known: {' '.join(METRICS)}")
    names = opts.metrics or list(METRICS)
    rounds = 1 if opts.quick else max(opts.rounds, 1)
    cond = conditions(rounds, opts.quick)
    print(f"bench: {', '.join(names)}; {rounds} round(s); {cond['accel']}; "
          f"{cond['machine']} {cond['vcpus']} vCPUs {cond['ram']}", flush=True)
    data = run(names, rounds, opts.quick)
    results = []
    for name in names:
        for key, (label, unit, better) in METRICS[name][1].items():
            s = {side: summarize(data[key][side]) for side in ("pith", "linux")}
            results.append({"key": key, "metric": name, "label": label, "unit": unit,
                            "better": better, "pith": s["pith"], "linux": s["linux"],
                            "ratio": ratio(better, s["pith"], s["linux"]),
                            "samples": data[key]})
    os.makedirs(RESULTS, exist_ok=True)
    # latest.* is the last full run of every metric; a partial run keeps its own.
    stem = "quick" if opts.quick else ("latest" if not opts.metrics else "only-" + "-".join(names))
    write_markdown(os.path.join(RESULTS, f"{stem}.md"), results, cond)
    with open(os.path.join(RESULTS, f"{stem}.json"), "w") as f:
        json.dump({"conditions": cond, "results": results, "notes": NOTES}, f, indent=1)
    print(table(results))
    if not opts.quick:
        write_charts(results, RESULTS)
        if not opts.metrics:
            update_performance_doc(table(results), cond)
    measured = sum(1 for r in results if r["pith"] and r["linux"])
    print(f"bench: {measured} of {len(results)} metrics measured on both sides; "
          f"results in {os.path.relpath(RESULTS, REPO)}/{stem}.md")
    return 0 if measured else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
