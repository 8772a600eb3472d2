"""TCP through a faulty link: Pith's httpd behind relay.py, a seeded relay
that drops, duplicates, reorders and corrupts Ethernet frames.

    Pith (static 192.168.78.2) -- QEMU -netdev dgram on 127.0.0.1
        == relay.py == tap pithr0 (192.168.78.1) -- Linux TCP -- clients

QEMU, the relay and the clients all live in a network namespace the test
creates (netns.py) and deletes at the end, whatever happens. The relay's
seed is PITH_RELAY_SEED (default 8); it is printed with the relay's
counters, so a failure replays its fault pattern with the same seed.

The relay itself is checked first, without Pith: its fault pattern is a
function of the seed, and Linux talking to Linux through two relays moves
1 MiB files intact. Then 1,000 downloads of /1m.bin from Pith (over 16
keep-alive connections in parallel; PITH_HTTP_DOWNLOADS and
PITH_HTTP_PARALLEL change those) must all arrive byte-exact.

Throughput through the faults is bound by loss recovery, not CPU: each
connection mostly waits, so more connections in parallel keep the test
short (16: about 2 minutes under TCG for 1 GiB).
"""

import hashlib
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

import netns
import relay
from ethpeer import dgram_netdev, free_udp_port
from test_http import (DEVICE, MIB, NsPith, Server, httpd_image,
                       namespace_or_skip, one_mib_sha256, start_httpd,
                       wait_answering)

RELAY = Path(__file__).resolve().parent / "relay.py"
PYTHON = "/usr/bin/python3"
SEED = int(os.environ.get("PITH_RELAY_SEED", "8"))
DOWNLOADS = int(os.environ.get("PITH_HTTP_DOWNLOADS", "1000"))
PARALLEL = int(os.environ.get("PITH_HTTP_PARALLEL", "16"))
FAULTS = {"drop": 0.02, "dup": 0.01, "reorder": 0.02, "corrupt": 0.005}
HOST_ADDR = "192.168.78.1"
GUEST_ADDR = "192.168.78.2"
FAULT_RUN_BOUND = 600        # seconds for all the downloads, under TCG
VM_LIFETIME = 900
RELAY_LIFETIME = 900         # a relay orphaned by a killed run ends itself


def fault_args(faults=FAULTS):
    return [a for k, p in faults.items() for a in (f"--{k}", p)]


def start_relay(ns, tap, port, peer_port, seed, stats, faults=FAULTS):
    """relay.py inside ns between tap and a dgram netdev; killed by
    ns.destroy() at the latest."""
    return ns.popen([PYTHON, RELAY, "--tap", tap, "--port", port,
                     "--peer-port", peer_port, "--seed", seed,
                     "--stats", stats, "--deadline", RELAY_LIFETIME,
                     *fault_args(faults)],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def stop_relay(proc, stats):
    """SIGTERM the relay, wait (bounded) and return its counters."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        out, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        netns.kill_group(proc)
        out, err = proc.communicate()
    assert Path(stats).exists(), f"relay wrote no counters: {err.decode()[-2000:]}"
    summary = json.loads(Path(stats).read_text())
    assert summary["ended"] == "signal", (summary["ended"], err.decode()[-2000:])
    return summary


def report(summary):
    """The counters, one line per direction, for the test's output."""
    lines = [f"relay seed {summary['seed']}, {summary['seconds']} s:"]
    for name, st in summary["directions"].items():
        lines.append(
            f"  {name}: in {st['in']} ({st['in_bytes']} bytes), forwarded "
            f"{st['forwarded']}, dropped {st['dropped']}, duplicated "
            f"{st['duplicated']}, reordered {st['reordered']} "
            f"(+{st['held_flushed']} flushed), corrupted {st['corrupted']}, "
            f"overflow {st['overflow']}")
    return "\n".join(lines)


# ---- the relay alone --------------------------------------------------------

def ipv4_frame(n):
    body = n.to_bytes(4, "big") * 100
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + body


def arp_frame(n):
    return b"\xff" * 6 + b"\x04" * 6 + b"\x08\x06" + n.to_bytes(4, "big") * 7


def run_direction(seed, frames, faults=FAULTS):
    out = []
    d = relay.Direction("udp->tap", dict(faults), seed,
                        lambda f: out.append(f) or True)
    for i, f in enumerate(frames):
        d.frame(f, i * 0.001)
    d.flush(float("inf"), 0)
    return d, out


def test_relay_faults_follow_the_seed():
    """The same seed gives the same output frame for frame, another seed a
    different one; each fault happens at about its rate; counters add up;
    ARP frames are never corrupted."""
    n = 40_000
    frames = [ipv4_frame(i) for i in range(n)]
    d1, out1 = run_direction(SEED, frames)
    d2, out2 = run_direction(SEED, frames)
    d3, out3 = run_direction(SEED + 1, frames)
    assert out1 == out2 and d1.events == d2.events
    assert out1 != out3
    st = d1.stats
    for kind, key in (("drop", "dropped"), ("dup", "duplicated"),
                      ("reorder", "reordered"), ("corrupt", "corrupted")):
        expected = n * FAULTS[kind]
        assert 0.7 * expected < st[key] < 1.3 * expected, (key, st)
    assert st["in"] == n
    assert st["forwarded"] == n - st["dropped"] + st["duplicated"] == len(out1)
    originals = set(frames)
    corrupted = sum(1 for f in out1 if f not in originals)
    assert corrupted >= st["corrupted"]     # duplicates of corrupt ones too
    arps = [arp_frame(i) for i in range(5000)]
    d4, out4 = run_direction(SEED, arps, {**FAULTS, "corrupt": 1.0})
    assert d4.stats["corrupted"] == 0 and set(out4) <= set(arps)


@pytest.fixture
def two_namespaces(request):
    a = namespace_or_skip("ra")
    request.addfinalizer(a.destroy)
    b = netns.Netns("rb")
    request.addfinalizer(b.destroy)
    a.create()
    b.create()
    return a, b


def test_relay_between_linux_namespaces(two_namespaces, tmp_path):
    """Linux to Linux through two relays (one faulty): namespace A's tap ->
    relay (faults) -> UDP -> relay -> a tap moved to namespace B, where
    python3 -m http.server serves a random 1 MiB file; 20 downloads from A
    all arrive intact, and every fault kind happened."""
    a, b = two_namespaces
    a.add_tap("pra0", f"{HOST_ADDR}/24")
    a.add_tap("prb0", None, up=False)
    p1, p2 = free_udp_port(), free_udp_port()
    stats1, stats2 = tmp_path / "r1.json", tmp_path / "r2.json"
    r1 = start_relay(a, "pra0", p1, p2, SEED, stats1)
    r2 = start_relay(a, "prb0", p2, p1, SEED, stats2,
                     {k: 0.0 for k in FAULTS})
    end = time.monotonic() + 10
    while not (stats1.exists() and stats2.exists()):
        assert time.monotonic() < end, "the relays did not start"
        assert r1.poll() is None and r2.poll() is None, "a relay exited"
        time.sleep(0.05)
    # The relay holds prb0 open; move it to B and address it there.
    netns._ip("-n", a.name, "link", "set", "prb0", "netns", b.name)
    a.taps.remove("prb0")
    b.taps.append("prb0")
    netns._ip("-n", b.name, "addr", "add", f"{GUEST_ADDR}/24", "dev", "prb0")
    netns._ip("-n", b.name, "link", "set", "prb0", "up")
    www = tmp_path / "www"
    www.mkdir()
    data = os.urandom(MIB)
    (www / "1m.bin").write_bytes(data)
    b.popen(["timeout", "120", PYTHON, "-m", "http.server", "-b", GUEST_ADDR,
             "80", "-d", www],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(None, GUEST_ADDR, 80, a)
    end = time.monotonic() + 20
    while True:
        try:
            with server.connect(timeout=2):
                break
        except OSError:
            assert time.monotonic() < end, "http.server unreachable"
            time.sleep(0.2)
    want = hashlib.sha256(data).hexdigest()
    start = time.monotonic()
    for i in range(20):
        conn = server.http(timeout=30)
        try:
            conn.request("GET", "/1m.bin")
            r = conn.getresponse()
            assert r.status == 200
            assert hashlib.sha256(r.read()).hexdigest() == want, f"download {i}"
        finally:
            conn.close()
    secs = time.monotonic() - start
    summary = stop_relay(r1, stats1)
    stop_relay(r2, stats2)
    print(f"20 MiB Linux to Linux through faults in {secs:.1f} s\n{report(summary)}")
    big = summary["directions"]["udp->tap"]
    for key in ("dropped", "duplicated", "reordered", "corrupted"):
        assert big[key] > 0, (key, big)


# ---- Pith behind the relay -------------------------------------------------

def download_worker(server, count, results, errors, lock, stop):
    """GET /1m.bin `count` times on one keep-alive connection (http.client
    reconnects if the server closed it); record each body's digest."""
    conn = server.http(timeout=60)
    try:
        for _ in range(count):
            if stop.is_set():
                return
            conn.request("GET", "/1m.bin")
            r = conn.getresponse()
            h = hashlib.sha256()
            n = 0
            while True:
                chunk = r.read(65536)
                if not chunk:
                    break
                h.update(chunk)
                n += len(chunk)
            with lock:
                results.append((r.status, n, h.hexdigest()))
    except Exception as e:                  # reported by the test
        with lock:
            errors.append(repr(e))
        stop.set()
    finally:
        conn.close()


def test_downloads_through_faults(request, tmp_path):
    """1,000 downloads of /1m.bin from Pith through the faulty relay
    (2% drop, 1% duplicate, 2% reorder, 0.5% corrupt, both ways), on 16
    keep-alive connections at once: every one byte-exact, Pith alive and
    still answering."""
    ns = namespace_or_skip("flt")
    request.addfinalizer(ns.destroy)
    ns.create()
    tap = ns.add_tap("pithr0", f"{HOST_ADDR}/24")
    relay_port, qemu_port = free_udp_port(), free_udp_port()
    stats = tmp_path / "relay.json"
    proc = start_relay(ns, tap, relay_port, qemu_port, SEED, stats)
    extra = ["-nic", "none",
             "-netdev", dgram_netdev("n0", qemu_port, relay_port),
             "-device", f"{DEVICE['microvm']},netdev=n0"]
    vm = start_httpd(lambda: NsPith(ns, machine="microvm", kernel=httpd_image(),
                                    cmdline=f"-- ip={GUEST_ADDR}/24 gw={HOST_ADDR}",
                                    extra=extra, timeout=VM_LIFETIME),
                     (GUEST_ADDR, "24", HOST_ADDR, "static"))
    request.addfinalizer(vm.kill)
    request.node.pith_vms = [vm]
    server = Server(vm, GUEST_ADDR, 80, ns)
    wait_answering(server, timeout=60)
    one_mib_sha256()                          # computed before the clock starts

    results, errors, lock, stop = [], [], threading.Lock(), threading.Event()
    shares = [DOWNLOADS // PARALLEL + (i < DOWNLOADS % PARALLEL)
              for i in range(PARALLEL)]
    threads = [threading.Thread(target=download_worker, daemon=True,
                                args=(server, n, results, errors, lock, stop))
               for n in shares]
    start = time.monotonic()
    for t in threads:
        t.start()
    end = start + FAULT_RUN_BOUND
    for t in threads:
        t.join(max(0.1, end - time.monotonic()))
    secs = time.monotonic() - start
    stop.set()
    hung = sum(t.is_alive() for t in threads)
    after = None
    if not hung and not errors:
        server.check_answers()               # through the relay, still on
        after = server.get("/status.json").body.decode(errors="replace")
    summary = stop_relay(proc, stats)
    text = report(summary)
    good = sum(1 for s, n, d in results if (s, n, d) == (200, MIB, one_mib_sha256()))
    print(f"{good}/{DOWNLOADS} downloads of 1 MiB byte-exact in {secs:.1f} s "
          f"({good * MIB / secs / 1e6:.2f} MB/s) on {PARALLEL} connections\n{text}\n"
          f"/status.json afterwards: {after}")
    assert not errors, f"client errors: {errors[:5]}\n{text}"
    assert not hung, f"{hung} connections still downloading after " \
                     f"{FAULT_RUN_BOUND} s ({len(results)} done)\n{text}"
    bad = [(i, s, n) for i, (s, n, d) in enumerate(results)
           if (s, n, d) != (200, MIB, one_mib_sha256())]
    assert not bad, f"{len(bad)} downloads wrong, first {bad[:5]}\n{text}"
    assert good == DOWNLOADS
    for name, st in summary["directions"].items():
        for key in ("dropped", "duplicated", "reordered"):
            assert st[key] > 0, (name, key, st)
    assert summary["directions"]["udp->tap"]["corrupted"] > 0
    server.alive()
