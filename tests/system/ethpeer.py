#!/usr/bin/python3
"""A host-side Ethernet peer for Pith's network tests (Python 3 stdlib only).

QEMU's `-netdev dgram` carries each Ethernet frame as one UDP datagram
between two ports on the host. A Peer owns one UDP socket ("link") per
guest NIC and reflects every frame the guest sends: destination := the
frame's source, source := PEER_MAC, every other byte kept (the rule
apps/nettest's `echo` mode follows too). On the way it checks each frame
byte for byte against the test-frame format of apps/nettest/nettest.c:

     0  destination (broadcast)     6  source (the guest NIC's MAC)
    12  ethertype 0x88b5           14  kind: 'D' data, 'Q' quit
    15  interface number           16  sequence number, u32 big-endian
    20  frame length, u16 BE       22  ramp: (seq*7 + length + iface*31 + i) & 0xff

and counts frames and bytes each way, the sizes seen, and every fault
(wrong content, a sequence gap = a lost or reordered frame, a frame on the
wrong link). A 14-byte frame (a bare header) is checked as far as it goes.

Bounded in time and count: the peer stops once every link has reflected a
quit frame, after `idle` seconds without a frame (once one came), at its
`deadline`, after `limit` frames, or on stop().

As a program, it prints the QEMU arguments for each link and a JSON
summary at the end:
    ethpeer.py --links 2 --deadline 60
"""

import argparse
import json
import select
import socket
import sys
import threading
import time

ETHERTYPE = 0x88B5
HEADER = 14          # destination, source, ethertype
TEST_HEADER = 22     # and kind, interface, sequence, length
BROADCAST = b"\xff" * 6
PEER_MAC = bytes.fromhex("0200000000fe")   # locally administered, unicast
KINDS = b"DQ"
RAMP = bytes(range(256)) * 8
MAX_ERRORS = 20
SEND_WAIT = 2.0
HOST = "127.0.0.1"


def mac_bytes(text):
    """'52:54:00:00:00:01' -> 6 bytes."""
    return bytes.fromhex(text.replace(":", ""))


def mac_text(raw):
    return ":".join(f"{b:02x}" for b in raw)


def free_udp_port():
    """A UDP port on 127.0.0.1 that is free right now (bound, then let go)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def dgram_netdev(netdev_id, local_port, remote_port):
    """The -netdev value for QEMU 7.2's dgram backend on 127.0.0.1."""
    return (f"dgram,id={netdev_id},"
            f"local.type=inet,local.host={HOST},local.port={local_port},"
            f"remote.type=inet,remote.host={HOST},remote.port={remote_port}")


def ramp_start(seq, length, iface):
    return (seq * 7 + length + iface * 31) & 0xFF


def make_frame(iface, kind, seq, length, src, dst=BROADCAST):
    """The test frame nettest's make_frame builds (for checks and tools)."""
    head = (dst + src + ETHERTYPE.to_bytes(2, "big") + bytes([kind, iface]) +
            seq.to_bytes(4, "big") + length.to_bytes(2, "big"))
    start = ramp_start(seq, length, iface)
    return head + RAMP[start:start + length - TEST_HEADER]


class Link:
    """One UDP socket facing one guest NIC, and what crossed it."""

    def __init__(self, index, guest_mac=None):
        self.index = index
        self.guest_mac = guest_mac
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        self.sock.bind((HOST, 0))
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.guest_port = free_udp_port()
        self.rx_frames = self.rx_bytes = 0
        self.tx_frames = self.tx_bytes = 0
        self.data_frames = 0
        self.sizes = {}                    # length -> data frames seen
        self.next_seq = None
        self.quit = False
        self.errors = []

    def netdev(self, netdev_id):
        """QEMU's side: it listens on guest_port and sends to our port."""
        return dgram_netdev(netdev_id, self.guest_port, self.port)

    def error(self, text):
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(f"link {self.index}: {text}")

    def check(self, frame):
        """Why frame is not the next test frame on this link, or None."""
        n = len(frame)
        if n < HEADER:
            return f"runt of {n} bytes"
        if int.from_bytes(frame[12:14], "big") != ETHERTYPE:
            return f"foreign frame, ethertype {frame[12:14].hex()}"
        if frame[:6] != BROADCAST:
            return f"destination {mac_text(frame[:6])}, not broadcast"
        if self.guest_mac is not None and frame[6:12] != self.guest_mac:
            return f"source {mac_text(frame[6:12])}, not {mac_text(self.guest_mac)}"
        if n == HEADER:
            return None
        if n < TEST_HEADER:
            return f"{n} bytes: shorter than a test frame"
        kind, iface = frame[14], frame[15]
        seq = int.from_bytes(frame[16:20], "big")
        length = int.from_bytes(frame[20:22], "big")
        if kind not in KINDS or iface != self.index:
            return f"kind {kind:#x} interface {iface} on link {self.index}"
        if length != n:
            return f"length field {length}, frame {n} bytes"
        if self.next_seq is not None and seq != self.next_seq:
            why = f"seq {seq} where {self.next_seq} was due (lost or reordered)"
            self.next_seq = seq + 1
            return why
        self.next_seq = seq + 1
        start = ramp_start(seq, n, iface)
        if frame[TEST_HEADER:] != RAMP[start:start + n - TEST_HEADER]:
            return f"seq {seq} length {n}: payload differs"
        if kind == ord("D"):
            self.data_frames += 1
            self.sizes[n] = self.sizes.get(n, 0) + 1
        else:
            self.quit = True
        return None

    def reflect(self, frame):
        """Send frame back with the addresses swapped in (waiting at most
        SEND_WAIT seconds for room in the socket's buffer)."""
        out = frame[6:12] + PEER_MAC + frame[12:]
        end = time.monotonic() + SEND_WAIT
        while True:
            try:
                self.sock.sendto(out, (HOST, self.guest_port))
                break
            except BlockingIOError:
                left = end - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"link {self.index}: send blocked") from None
                select.select([], [self.sock], [], left)
        self.tx_frames += 1
        self.tx_bytes += len(out)

    def take(self, budget):
        """Reflect up to budget waiting datagrams; returns how many."""
        taken = 0
        while taken < budget:
            try:
                frame, _ = self.sock.recvfrom(4096, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            taken += 1
            self.rx_frames += 1
            self.rx_bytes += len(frame)
            why = self.check(frame)
            if why:
                self.error(why)
            if len(frame) >= HEADER:
                self.reflect(frame)
        return taken

    def summary(self):
        return {"port": self.port, "guest_port": self.guest_port,
                "rx_frames": self.rx_frames, "rx_bytes": self.rx_bytes,
                "tx_frames": self.tx_frames, "tx_bytes": self.tx_bytes,
                "data_frames": self.data_frames, "distinct_sizes": len(self.sizes),
                "quit": self.quit, "errors": self.errors}


class Peer:
    """Reflectors for `links` guest NICs, run on a thread (start/stop) or
    inline (run). guest_macs, if given, are the MACs each link's frames
    must come from."""

    def __init__(self, links=1, guest_macs=None, deadline=120.0, idle=30.0,
                 limit=10_000_000):
        macs = [mac_bytes(m) for m in guest_macs] if guest_macs else [None] * links
        self.links = [Link(i, macs[i]) for i in range(links)]
        self.deadline = deadline
        self.idle = idle
        self.limit = limit
        self.ended = None
        self._stop = threading.Event()
        self._thread = None

    def run(self):
        """Reflect until every link quit, idle, deadline, limit or stop()."""
        end = time.monotonic() + self.deadline
        last = None
        frames = 0
        socks = {l.sock: l for l in self.links}
        while True:
            now = time.monotonic()
            if self._stop.is_set():
                self.ended = "stopped"
            elif all(l.quit for l in self.links):
                self.ended = "quit"
            elif now > end:
                self.ended = "deadline"
            elif last is not None and now - last > self.idle:
                self.ended = "idle"
            elif frames >= self.limit:
                self.ended = "limit"
            if self.ended:
                break
            ready, _, _ = select.select(list(socks), [], [], 0.05)
            for s in ready:
                got = socks[s].take(256)
                frames += got
                if got:
                    last = time.monotonic()
        for l in self.links:
            l.sock.close()

    def start(self):
        self._thread = threading.Thread(target=self._run_guarded, daemon=True)
        self._thread.start()
        return self

    def _run_guarded(self):
        try:
            self.run()
        except Exception as e:          # reported, never lost in the thread
            self.links[0].error(f"peer crashed: {e!r}")
            self.ended = "crashed"

    def stop(self, timeout=10):
        """Stop (if still running) and wait for the thread; bounded."""
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)
            assert not self._thread.is_alive(), "ethpeer thread did not stop"

    def finish(self, timeout):
        """Wait up to timeout for the peer to end by itself, then stop it."""
        if self._thread:
            self._thread.join(timeout)
        self.stop()

    def errors(self):
        return [e for l in self.links for e in l.errors]

    def summary(self):
        return {"ended": self.ended, "links": [l.summary() for l in self.links]}


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--links", type=int, default=1, choices=range(1, 5))
    p.add_argument("--deadline", type=float, default=60.0)
    p.add_argument("--idle", type=float, default=10.0)
    p.add_argument("--limit", type=int, default=1_000_000)
    opts = p.parse_args(argv)
    peer = Peer(opts.links, deadline=opts.deadline, idle=opts.idle,
                limit=opts.limit)
    for l in peer.links:
        print(f"-netdev {l.netdev(f'n{l.index}')} "
              f"-device virtio-net-pci,netdev=n{l.index}", flush=True)
    peer.run()
    print(json.dumps(peer.summary(), indent=1))
    return 1 if peer.errors() else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
