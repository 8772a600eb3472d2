#!/usr/bin/python3
"""A seeded fault relay: Ethernet frames between a QEMU dgram netdev and a
tap device, dropped, duplicated, reordered and corrupted on the way.

Linux netem is not available on our hosts, so the faults TCP must survive
come from here (DESIGN.md section 9). Topology of the fault test:

    Pith --virtio-net-- QEMU -netdev dgram  ==UDP on 127.0.0.1==  relay.py
    relay.py --/dev/net/tun (IFF_TAP|IFF_NO_PI)-- tap in a private netns
    tap 192.168.78.1 -- Linux's TCP stack -- curl / http.client

The "udp" side carries one Ethernet frame per UDP datagram (QEMU's dgram
netdev: QEMU listens on --peer-port, the relay on --port, both 127.0.0.1
of the namespace the relay runs in). The "tap" side is a tap device that
already exists (`ip tuntap add`) or is created now, in the relay's own
network namespace (run it under `ip netns exec`).

Faults, drawn independently for each frame, per direction:
  drop     the frame is not forwarded;
  corrupt  one byte at a uniformly chosen offset past the Ethernet header
           is XORed with a non-zero value (IPv4 frames only: ARP has no
           checksum, a changed ARP frame is just a different valid one);
  dup      the frame is sent twice;
  reorder  the frame is held back and sent right after the next frame
           of the same direction (or after --hold-max seconds if no frame
           comes: then it counts as `held_flushed`, not `reordered`).
Each direction has its own random.Random seeded from --seed and the
direction's name, and every frame draws the same number of values, so
the n-th frame of a direction always gets the same fault for the same
seed: a failure replays with the seed it printed (the frames themselves
depend on timing, so the replay is of the fault pattern, not of the run).

Counters per direction (in, forwarded, dropped, duplicated, reordered,
held_flushed, corrupted, overflow = could not be written, bytes) go to
--stats as JSON every second and at exit, and to stdout at exit. The
first --events faults of each direction are listed with their frame
number. The relay ends on SIGTERM/SIGINT or at --deadline.

    relay.py --tap tap0 --port 40001 --peer-port 40002 --seed 7 \\
             --drop 0.02 --dup 0.01 --reorder 0.02 --corrupt 0.005 \\
             --stats /tmp/relay.json

Per-direction probabilities override the common ones, e.g.
--tap-to-udp drop=0.05,corrupt=0 (frames from Linux towards the guest).

Python 3.11 standard library only.
"""

import argparse
import errno
import fcntl
import json
import os
import random
import select
import signal
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
ETH_HEADER = 14
ETHERTYPE_IPV4 = 0x0800
MAX_FRAME = 65536
BATCH = 256
HOST = "127.0.0.1"
KINDS = ("drop", "dup", "reorder", "corrupt")
DIRECTIONS = ("udp->tap", "tap->udp")


def open_tap(name):
    """Attach to (or create) tap `name` in this network namespace; returns a
    non-blocking fd that reads and writes whole Ethernet frames."""
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_CLOEXEC)
    try:
        ifr = struct.pack("16sH22x", name.encode(), IFF_TAP | IFF_NO_PI)
        fcntl.ioctl(fd, TUNSETIFF, ifr)
    except OSError:
        os.close(fd)
        raise
    os.set_blocking(fd, False)
    return fd


def parse_faults(text, base=None):
    """'drop=0.02,dup=0.01' -> {'drop': 0.02, 'dup': 0.01, ...} over base."""
    faults = dict(base or {k: 0.0 for k in KINDS})
    for item in filter(None, (s.strip() for s in text.split(","))):
        key, _, value = item.partition("=")
        if key not in KINDS:
            raise ValueError(f"unknown fault {key!r} (expected {', '.join(KINDS)})")
        p = float(value)
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{key}={value}: not a probability")
        faults[key] = p
    return faults


class Direction:
    """One way through the relay: its fault odds, generator and counters."""

    def __init__(self, name, faults, seed, send, max_events=50):
        self.name = name
        self.faults = faults
        self.rng = random.Random(f"{seed}:{name}")
        self.send = send                 # frame -> bool (written or not)
        self.held = None                 # (frame, time held)
        self.max_events = max_events
        self.events = []
        self.stats = {k: 0 for k in ("in", "in_bytes", "forwarded",
                                     "forwarded_bytes", "dropped",
                                     "duplicated", "reordered", "held_flushed",
                                     "corrupted", "overflow")}

    def _event(self, n, what):
        if len(self.events) < self.max_events:
            self.events.append(f"{n}:{what}")

    def _out(self, frame):
        if self.send(frame):
            self.stats["forwarded"] += 1
            self.stats["forwarded_bytes"] += len(frame)
        else:
            self.stats["overflow"] += 1

    def frame(self, frame, now):
        """Take one frame arriving in this direction; apply its faults."""
        st = self.stats
        n = st["in"]
        st["in"] += 1
        st["in_bytes"] += len(frame)
        # Always the same draws per frame, so the fault pattern replays.
        r_drop, r_corrupt, r_dup, r_reorder = (self.rng.random() for _ in KINDS)
        where, flip = self.rng.random(), self.rng.randrange(1, 256)
        f = self.faults
        if r_drop < f["drop"]:
            st["dropped"] += 1
            self._event(n, "drop")
            return
        if (r_corrupt < f["corrupt"] and len(frame) > ETH_HEADER and
                int.from_bytes(frame[12:14], "big") == ETHERTYPE_IPV4):
            i = ETH_HEADER + int(where * (len(frame) - ETH_HEADER))
            frame = bytearray(frame)
            frame[i] ^= flip
            frame = bytes(frame)
            st["corrupted"] += 1
            self._event(n, f"corrupt@{i}")
        copies = 1
        if r_dup < f["dup"]:
            copies = 2
            st["duplicated"] += 1
            self._event(n, "dup")
        if r_reorder < f["reorder"] and self.held is None:
            self.held = (frame, copies, now)
            self._event(n, "hold")
            return
        for _ in range(copies):
            self._out(frame)
        if self.held is not None:
            held, held_copies, _ = self.held
            self.held = None
            st["reordered"] += 1
            for _ in range(held_copies):
                self._out(held)

    def flush(self, now, hold_max):
        """Send a frame held longer than hold_max (nothing came to pass it)."""
        if self.held is not None and now - self.held[2] >= hold_max:
            held, copies, _ = self.held
            self.held = None
            self.stats["held_flushed"] += 1
            for _ in range(copies):
                self._out(held)


class Relay:
    def __init__(self, tap, port, peer_port, seed, faults, hold_max=0.05,
                 host=HOST, max_events=50):
        self.tap_name = tap
        self.seed = seed
        self.hold_max = hold_max
        self.tap = open_tap(tap)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 << 20)
        self.sock.bind((host, port))
        self.sock.setblocking(False)
        self.peer = (host, peer_port)
        self.dirs = {
            "udp->tap": Direction("udp->tap", faults["udp->tap"], seed,
                                  self._to_tap, max_events),
            "tap->udp": Direction("tap->udp", faults["tap->udp"], seed,
                                  self._to_udp, max_events),
        }
        self.started = time.monotonic()
        self.stopping = False
        self.ended = None

    def _to_tap(self, frame):
        try:
            os.write(self.tap, frame)
            return True
        except BlockingIOError:
            return False
        except OSError as e:             # e.g. EIO while the tap is down
            if e.errno in (errno.EIO, errno.EINVAL):
                return False
            raise

    def _to_udp(self, frame):
        try:
            self.sock.sendto(frame, self.peer)
            return True
        except (BlockingIOError, ConnectionRefusedError):
            return False                 # QEMU not (yet) listening, or full

    def _from_udp(self, now):
        d = self.dirs["udp->tap"]
        for _ in range(BATCH):
            try:
                frame = self.sock.recv(MAX_FRAME)
            except BlockingIOError:
                return
            except ConnectionRefusedError:   # an ICMP error from a send
                continue
            d.frame(frame, now)

    def _from_tap(self, now):
        d = self.dirs["tap->udp"]
        for _ in range(BATCH):
            try:
                frame = os.read(self.tap, MAX_FRAME)
            except BlockingIOError:
                return
            d.frame(frame, now)

    def summary(self):
        return {"seed": self.seed, "tap": self.tap_name,
                "seconds": round(time.monotonic() - self.started, 3),
                "ended": self.ended,
                "faults": {k: d.faults for k, d in self.dirs.items()},
                "directions": {k: d.stats for k, d in self.dirs.items()},
                "events": {k: d.events for k, d in self.dirs.items()}}

    def write_stats(self, path):
        if not path:
            return
        tmp = f"{path}.tmp"
        with open(tmp, "w") as f:
            json.dump(self.summary(), f, indent=1)
        os.replace(tmp, path)

    def run(self, deadline=None, stats_path=None, stats_every=1.0):
        end = None if deadline is None else self.started + deadline
        next_stats = self.started
        fds = [self.sock.fileno(), self.tap]
        while not self.stopping:
            now = time.monotonic()
            if end is not None and now >= end:
                self.ended = "deadline"
                break
            if now >= next_stats:
                self.write_stats(stats_path)
                next_stats = now + stats_every
            try:
                ready, _, _ = select.select(fds, [], [], 0.01)
            except InterruptedError:
                continue
            now = time.monotonic()
            if self.sock.fileno() in ready:
                self._from_udp(now)
            if self.tap in ready:
                self._from_tap(now)
            for d in self.dirs.values():
                d.flush(now, self.hold_max)
        if self.ended is None:
            self.ended = "signal"
        for d in self.dirs.values():
            d.flush(float("inf"), 0)
        self.write_stats(stats_path)


def main(argv):
    p = argparse.ArgumentParser(
        description="Seeded fault relay between a QEMU dgram netdev and a tap.")
    p.add_argument("--tap", required=True, help="tap device name (this netns)")
    p.add_argument("--port", type=int, required=True,
                   help="UDP port the relay listens on (QEMU's remote.port)")
    p.add_argument("--peer-port", type=int, required=True,
                   help="UDP port QEMU listens on (QEMU's local.port)")
    p.add_argument("--host", default=HOST)
    p.add_argument("--seed", type=int, default=1)
    for kind in KINDS:
        p.add_argument(f"--{kind}", type=float, default=0.0, metavar="P",
                       help=f"probability of {kind}, both directions")
    p.add_argument("--udp-to-tap", default="", metavar="SPEC",
                   help="override for frames from the guest, e.g. drop=0.05")
    p.add_argument("--tap-to-udp", default="", metavar="SPEC",
                   help="override for frames towards the guest")
    p.add_argument("--hold-max", type=float, default=0.05,
                   help="longest a reordered frame waits for a successor (s)")
    p.add_argument("--deadline", type=float, default=None,
                   help="end after this many seconds")
    p.add_argument("--stats", default=None, help="write counters here (JSON)")
    p.add_argument("--events", type=int, default=50,
                   help="list this many faults per direction")
    opts = p.parse_args(argv)
    try:
        common = {k: getattr(opts, k) for k in KINDS}
        for k, v in common.items():
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"--{k} {v}: not a probability")
        faults = {"udp->tap": parse_faults(opts.udp_to_tap, common),
                  "tap->udp": parse_faults(opts.tap_to_udp, common)}
    except ValueError as e:
        p.error(str(e))
    relay = Relay(opts.tap, opts.port, opts.peer_port, opts.seed, faults,
                  hold_max=opts.hold_max, host=opts.host,
                  max_events=opts.events)

    def stop(signum, frame):
        relay.stopping = True
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"relay: tap {opts.tap} <-> udp {opts.host}:{opts.port} -> "
          f"{opts.peer_port}, seed {opts.seed}", flush=True)
    relay.run(deadline=opts.deadline, stats_path=opts.stats)
    print(json.dumps(relay.summary(), indent=1), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
