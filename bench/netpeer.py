#!/usr/bin/python3
"""The host's end of the raw-frame benchmark (bench/guest/frame.h).

QEMU's `-netdev dgram` carries each Ethernet frame of the guest's NIC as
one UDP datagram between two ports of 127.0.0.1; this process holds the
far port. It reflects ping frames (the MACs swapped, its own as the
source) and counts blast frames, noting the host time of the first and
the last. Anything else (Linux's IPv6 chatter) is counted and ignored.

    bench/netpeer.py QEMU_PORT      # prints "port N", then serves

Its socket is connected to QEMU's end (127.0.0.1:QEMU_PORT): it hears
nothing else. It is built to take as little of the host's CPU as it can
from the guests it measures (under TCG they share the host's cores): one
recv per frame and, for a ping, one send; during the blast it reads in
batches (count_blast). SIGTERM ends it: it prints one JSON line
{"blast": frames, "blast_span_s": seconds from the first blast frame to
the last, "pings": reflected, "other": ignored} and exits. bench/run.py
starts one per guest boot (NetPeer). Python 3.11 standard library only.
"""

import json
import signal
import socket
import sys
import time

FRAME_LEN = 64
ETHERTYPE = b"\x88\xb5"
MAGIC = b"PBN1"
PING, BLAST = ord("P"), ord("B")
PEER_MAC = bytes([0x02, 0, 0, 0, 0, 0x02])
RCVBUF = 4 << 20	# absorbs bursts; the kernel caps it at net.core.rmem_max
BLAST_NAP_S = 0.0005


class Stop(Exception):
    pass


def stop(signum, frame):
    raise Stop


def count_blast(sock, buf, counts):
    """The blast: from its first frame on, drain the socket without
    blocking and nap BLAST_NAP_S whenever it is empty, rather than wake up
    for every frame: ~2,000 wake-ups a second instead of one per frame.
    Frames are timed when read, so first and last are late by at most a
    nap; the socket buffer holds thousands of frames meanwhile."""
    recv, now, nap = sock.recv_into, time.monotonic, time.sleep
    blast, other = counts["blast"], counts["other"]
    first = now()
    sock.setblocking(False)
    try:
        while True:
            try:
                n = recv(buf)
            except BlockingIOError:
                nap(BLAST_NAP_S)
                continue
            except ConnectionRefusedError:
                continue
            if n >= FRAME_LEN and buf[18] == BLAST and buf[12:14] == ETHERTYPE:
                blast += 1
                last = now()
            else:
                other += 1
    except Stop:
        counts.update(blast=blast, other=other,
                      blast_span_s=last - first if blast > 1 else 0.0)
        raise


def serve(sock):
    """Reflect pings and count the rest until SIGTERM; returns the counts.
    Blocking receives while pings come: a ping is answered as soon as it
    arrives. The first blast frame hands over to count_blast."""
    buf = bytearray(2048)
    counts = {"blast": 0, "blast_span_s": 0.0, "pings": 0, "other": 0}
    try:
        while True:
            try:
                n = sock.recv_into(buf)
            except ConnectionRefusedError:	# a reflection QEMU was gone for
                continue
            if n < FRAME_LEN or buf[12:14] != ETHERTYPE or buf[14:18] != MAGIC:
                counts["other"] += 1
            elif buf[18] == PING:
                sock.send(bytes(buf[6:12]) + PEER_MAC + bytes(buf[12:n]))
                counts["pings"] += 1
            elif buf[18] == BLAST:
                counts["blast"] = 1
                count_blast(sock, buf, counts)
            else:
                counts["other"] += 1
    except Stop:
        return counts


def main(argv):
    signal.signal(signal.SIGTERM, stop)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
    sock.bind(("127.0.0.1", 0))
    sock.connect(("127.0.0.1", int(argv[1])))
    print(f"port {sock.getsockname()[1]}", flush=True)
    print(json.dumps(serve(sock)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
