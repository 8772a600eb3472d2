#!/usr/bin/python3
"""Writes the seeds of fuzz_net_frame into tests/fuzz/corpus/net_frame/:
small frames to the target's stack (52:54:00:12:34:56, 10.0.2.15) from a
peer (02:00:00:00:00:64, 10.0.2.100), checksums right; "#NXT" separates
the frames of one input."""
import os
import struct

US_MAC = bytes.fromhex("525400123456")
PEER_MAC = bytes.fromhex("020000000064")
US = bytes([10, 0, 2, 15])
PEER = bytes([10, 0, 2, 100])
SEP = b"#NXT"


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def eth(typ, payload, dst=US_MAC):
    return dst + PEER_MAC + struct.pack("!H", typ) + payload


def ip4(proto, payload, ident=1, frag=0, dst=US):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag,
                    64, proto, 0, PEER, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return eth(0x0800, h + payload)


def l4_sum(proto, seg):
    return csum(PEER + US + struct.pack("!BBH", 0, proto, len(seg)) + seg)


def udp_seg(sport, dport, data):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    c = l4_sum(17, seg) or 0xffff
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def tcp(sport, dport, seq, ack, flags, opts=b"", data=b""):
    hl = 20 + len(opts)
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, hl // 4 << 4, flags,
                      65535, 0, 0) + opts + data
    seg = seg[:16] + struct.pack("!H", l4_sum(6, seg)) + seg[18:]
    return ip4(6, seg)


def arp(op, tpa, dst):
    a = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, PEER_MAC, PEER,
                    b"\0" * 6, tpa)
    return eth(0x0806, a, dst)


def icmp_echo(data):
    m = struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1) + data
    return ip4(1, m[:2] + struct.pack("!H", csum(m)) + m[4:])


def main():
    out = os.path.join(os.path.dirname(__file__), "corpus", "net_frame")
    os.makedirs(out, exist_ok=True)
    big = udp_seg(5000, 9, bytes(range(256)) * 8)	# 2056 bytes: two fragments
    syn_opts = bytes.fromhex("020405b4" "01030307")	# MSS 1460, NOP, WS 7
    seeds = {
        "arp-request": arp(1, US, b"\xff" * 6),
        "arp-reply": arp(2, US, US_MAC),
        "icmp-echo": icmp_echo(b"abcdefgh" * 4),
        "udp-echo": ip4(17, udp_seg(5000, 7, b"hello")),
        "udp-closed-port": ip4(17, udp_seg(5000, 4444, b"x")),
        "tcp-syn": tcp(40000, 80, 1000, 0, 0x02, syn_opts),
        "tcp-handshake-data": SEP.join([
            arp(2, US, US_MAC),
            tcp(40000, 80, 1000, 0, 0x02, syn_opts),
            tcp(40000, 80, 1001, 0, 0x10),
            tcp(40000, 80, 1001, 0, 0x18, data=b"GET / HTTP/1.0\r\n\r\n"),
        ]),
        "fragment-first": ip4(17, big[:1480], ident=7, frag=0x2000),
        "fragments-both": SEP.join([
            ip4(17, big[1480:], ident=8, frag=1480 // 8),
            ip4(17, big[:1480], ident=8, frag=0x2000),
        ]),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
