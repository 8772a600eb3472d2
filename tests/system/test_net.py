"""Raw Ethernet through the virtio-net driver (include/pith/net.h), under
QEMU on q35 (virtio-net-pci) and microvm (virtio-net-device, virtio-mmio).

Each NIC's backend is QEMU 7.2's `-netdev dgram`: one UDP datagram on
127.0.0.1 per Ethernet frame. The far end is ethpeer.py (a reflector on a
thread of this process, checking every frame byte for byte) or a second
Pith running `nettest echo`. apps/nettest is the in-guest half: it prints
one `nettest: NAME ok` / `nettest: NAME FAIL: why` line per check, a
`nettest: stats N ...` line per interface it used and `nettest: done, F
failed`, and exits with F. Here the checks must all be printed and ok, and
the guest's counters (b_net_stats) must equal what the far end counted.
"""

import os
import re
import time
from pathlib import Path

import pytest

from ethpeer import Peer, dgram_netdev, free_udp_port
from pith import REPO, line, require_file

MACHINES = ["q35", "microvm"]
DEVICE = {"q35": "virtio-net-pci", "pc": "virtio-net-pci", "microvm": "virtio-net-device"}
CHECK = re.compile(r"^nettest: (\S+) (ok|FAIL: .*?)\r?$", re.M)
DONE = line(r"nettest: done, (\d+) failed")
IFACE = re.compile(r"^nettest: if (\d+) mac ([0-9a-f:]{17}) status (\d+) "
                   r"transport (\w+) mtu (\d+) link (\d) irq (\d) "
                   r"rx_ring (\d+) tx_ring (\d+)\r?$", re.M)
STATS = re.compile(r"^nettest: stats (\d+) (.*?)\r?$", re.M)
PEER = re.compile(r"^nettest: peer (\d+) ([0-9a-f:]{17})\r?$", re.M)
FLOOD = re.compile(r"^nettest: flood (\d+) frames (\d+) bytes each way in "
                   r"(\d+) ms, window (\d+), (\d+) frames/s\r?$", re.M)
SIZES = range(60, 1515)
FLOOD_FRAMES = 100_000
TIMEOUT = 90

BASE_CHECKS = ["count", "info-0", "quit-0", "counters-0"]
BADARGS_CHECKS = """tx-iface-count tx-iface-99 tx-null tx-len-13 tx-len-0
    tx-len-1515 tx-len-huge tx-len-2^32+60 burst-n-0 burst-null-frames
    burst-null-lens burst-null-entry burst-len-13 burst-iface-99 rx-null
    rx-iface-99 rx-iface-count rxzc-null rxzc-iface-99 release-never-handed-out
    release-null info-null info-iface-99 info-iface-count stats-null
    stats-iface-99 status-iface-99 status-iface-count bad-sent-nothing
    bad-tx-errors tx-bad-pointer release-frame release-inside release-iface-99
    release-first release-twice tx-len-14 tx-len-14-roundtrip after-copy-60
    after-copy-1514 after-zc-60 after-zc-1514""".split()
IRQ_CHECKS = """irq-info irq-capable irq-set irq-enabled irq-callback-spin
    irq-frames-polled irq-callback-halt irq-halt-frame irq-counted irq-unset
    irq-off-roundtrip irq-callback-off""".split()


def mac(i):
    """The MAC the tests give NIC i."""
    return f"52:54:00:00:00:{i + 1:02x}"


def mac_number(text):
    return int(text.replace(":", ""), 16)


def nettest_image():
    """The nettest unikernel: $PITH_NETTEST, else build/app-nettest/pith.elf."""
    default = REPO / "build" / "app-nettest" / "pith.elf"
    return require_file(Path(os.environ.get("PITH_NETTEST", default)),
                        "build it first (make app-nettest)")


def nic_args(machine, nics, opts=""):
    """QEMU arguments for NICs given as (local port, remote port, MAC);
    opts are more device properties (",vectors=0": no MSI-X)."""
    args = ["-nic", "none"]
    for i, (local, remote, address) in enumerate(nics):
        args += ["-netdev", dgram_netdev(f"n{i}", local, remote),
                 "-device", f"{DEVICE[machine]},netdev=n{i},mac={address}{opts}"]
    return args


def boot_nettest(boot, machine, words, nics, timeout=TIMEOUT, smp=1, opts=""):
    return boot(machine=machine, smp=smp, kernel=nettest_image(),
                cmdline=f"-- {words}", extra=nic_args(machine, nics, opts),
                timeout=timeout)


def finish(vm, timeout=TIMEOUT):
    """Wait for `done` and the exit; returns (failed, exit code)."""
    failed = int(vm.expect(DONE, timeout=timeout)[1])
    return failed, vm.wait_exit(timeout=30)


def run_with_peer(boot, machine, words, links=1, timeout=TIMEOUT, smp=1, opts=""):
    """Boot nettest with `links` NICs, each reflected by one ethpeer link.
    Returns (vm, peer, failed, code, seconds)."""
    peer = Peer(links, guest_macs=[mac(i) for i in range(links)],
                deadline=timeout + 10).start()
    try:
        nics = [(l.guest_port, l.port, mac(l.index)) for l in peer.links]
        t0 = time.monotonic()
        vm = boot_nettest(boot, machine, words, nics, timeout, smp, opts)
        failed, code = finish(vm, timeout)
        seconds = time.monotonic() - t0
    finally:
        peer.finish(5)
    return vm, peer, failed, code, seconds


def check_results(output, names, peer=None):
    """Every named check printed once and ok; nothing failed. A failure
    shows what the peer (if any) saw too."""
    checks = CHECK.findall(output)
    failed = [f"nettest: {n} {r}" for n, r in checks if r != "ok"]
    seen = f"\nethpeer: {peer.summary()}" if peer else ""
    assert not failed, "checks failed:\n" + "\n".join(failed) + seen
    printed = [n for n, _ in checks]
    missing = [n for n in names if n not in printed]
    assert not missing, f"checks never printed: {missing}"
    twice = sorted({n for n in printed if printed.count(n) > 1})
    assert not twice, f"checks printed more than once: {twice}"


def interfaces(output):
    """{iface: info dict} from the `nettest: if` lines."""
    found = {}
    for m in IFACE.finditer(output):
        found[int(m[1])] = {"mac": m[2], "status": int(m[3]), "transport": m[4],
                            "mtu": int(m[5]), "link": int(m[6]), "irq": int(m[7]),
                            "rx_ring": int(m[8]), "tx_ring": int(m[9])}
    return found


def guest_stats(output):
    """{iface: {counter: value}} from the `nettest: stats` lines."""
    stats = {}
    for m in STATS.finditer(output):
        words = m[2].split()
        stats[int(m[1])] = {k: int(v) for k, v in zip(words[::2], words[1::2])}
    return stats


def check_interfaces(output, machine, count):
    """count interfaces, with the MACs the tests set, status = MAC."""
    found = interfaces(output)
    assert sorted(found) == list(range(count)), f"interfaces {sorted(found)}"
    transport = "mmio" if machine == "microvm" else "pci"
    for i, info in found.items():
        assert info["mac"] == mac(i), f"if {i}: MAC {info['mac']}, set {mac(i)}"
        assert info["status"] == mac_number(mac(i)), f"if {i}: b_net_status"
        assert info["transport"] == transport, f"if {i}: {info['transport']}"
        assert (info["mtu"], info["link"]) == (1500, 1), f"if {i}: {info}"
    return found


def check_counters(output, peer):
    """The guest's b_net_stats equal what each peer link counted."""
    stats = guest_stats(output)
    assert sorted(stats) == list(range(len(peer.links))), f"stats for {sorted(stats)}"
    for l in peer.links:
        s = stats[l.index]
        assert (s["tx_frames"], s["tx_bytes"]) == (l.rx_frames, l.rx_bytes), \
            f"link {l.index}: guest sent {s}, peer received {l.summary()}"
        assert (s["rx_frames"], s["rx_bytes"]) == (l.tx_frames, l.tx_bytes), \
            f"link {l.index}: guest received {s}, peer sent {l.summary()}"
        assert (s["rx_drops"], s["rx_errors"]) == (0, 0), f"link {l.index}: {s}"
    return stats


def check_peer(peer):
    assert not peer.errors(), "ethpeer saw bad frames:\n" + "\n".join(peer.errors())
    assert peer.ended == "quit", f"ethpeer ended by {peer.ended}, not a quit frame"


def check_run(vm, peer, failed, code, names, machine, links=1):
    check_results(vm.output, names, peer)
    assert failed == 0 and code == 0, f"{failed} failed, exit code {code}"
    check_interfaces(vm.output, machine, links)
    check_peer(peer)
    return check_counters(vm.output, peer)


@pytest.mark.parametrize("machine", MACHINES)
def test_every_size_round_trips(boot, machine):
    """Frames of every size 60..1514 go out and come back byte-exact;
    b_net_stats count each frame and byte both ways."""
    vm, peer, failed, code, secs = run_with_peer(boot, machine, "sizes")
    stats = check_run(vm, peer, failed, code, BASE_CHECKS + ["sizes"], machine)
    sizes = peer.links[0].sizes
    assert sizes == {n: 1 for n in SIZES}, \
        f"peer saw {len(sizes)} sizes, not each of 60..1514 once"
    assert stats[0]["tx_frames"] == len(SIZES) + 1     # and the quit frame
    assert stats[0]["tx_errors"] == 0
    print(f"{machine}: {len(SIZES)} sizes in {secs:.1f} s (boot included)")


@pytest.mark.parametrize("machine", MACHINES)
def test_flood_loses_nothing(boot, machine):
    """100,000 frames, at most one receive ring's worth unanswered: every
    one reflected, in order and byte-exact; counters equal on both ends."""
    vm, peer, failed, code, secs = run_with_peer(
        boot, machine, f"flood {FLOOD_FRAMES}", timeout=120)
    check_run(vm, peer, failed, code, BASE_CHECKS + ["flood"], machine)
    assert peer.links[0].data_frames == FLOOD_FRAMES
    m = FLOOD.search(vm.output)
    assert m and int(m[1]) == FLOOD_FRAMES, "no flood summary line"
    print(f"{machine}: {m[1]} frames ({m[2]} bytes) each way in {m[3]} ms, "
          f"window {m[4]}, {m[5]} frames/s; {secs:.1f} s with boot")


@pytest.mark.parametrize("machine", MACHINES)
def test_two_cores_share_a_nic(boot, machine):
    """Calls may come from any core: core 0 sends 20,000 frames while a task
    on core 1 receives and checks them (b_net_rx and b_net_rx_zc in turn)."""
    vm, peer, failed, code, _ = run_with_peer(boot, machine, "cores 20000", smp=2)
    check_run(vm, peer, failed, code, BASE_CHECKS + ["cores"], machine)
    assert re.search(r"^nettest: cores 20000 frames sent on core 0, "
                     r"received on core 1 in \d+ ms\r?$", vm.output, re.M)
    assert peer.links[0].data_frames == 20000


@pytest.mark.parametrize("machine", MACHINES)
def test_held_frames_stay_intact(boot, machine):
    """Frames from b_net_rx_zc stay the program's until released: with every
    receive buffer held, more frames arriving overwrite none of them, and
    the frames that waited for a buffer arrive after the release."""
    vm, peer, failed, code, _ = run_with_peer(boot, machine, "hold")
    check_run(vm, peer, failed, code,
              BASE_CHECKS + ["hold-intact", "hold-release", "hold-resume"], machine)
    ring = interfaces(vm.output)[0]["rx_ring"]
    assert peer.links[0].data_frames == min(ring, 256) + 8


@pytest.mark.parametrize("machine", MACHINES)
def test_bad_arguments_are_refused(boot, machine):
    """Each bad argument gets its documented error, nothing is sent, the
    refusals are counted as tx_errors, and frames still round-trip."""
    vm, peer, failed, code, _ = run_with_peer(boot, machine, "badargs")
    stats = check_run(vm, peer, failed, code, BASE_CHECKS + BADARGS_CHECKS, machine)
    # 9 refused frames; two bursts refused for a NULL array may count too.
    assert 9 <= stats[0]["tx_errors"] <= 11, stats[0]


@pytest.mark.parametrize("machine", MACHINES)
def test_interrupt_callback(boot, machine):
    """b_net_set_callback: the callback runs when frames arrive while the
    program spins and while it halts, and not once it is turned off."""
    vm, peer, failed, code, _ = run_with_peer(boot, machine, "irq")
    stats = check_run(vm, peer, failed, code, BASE_CHECKS + IRQ_CHECKS, machine)
    assert interfaces(vm.output)[0]["irq"] == 1
    assert stats[0]["interrupts"] > 0


@pytest.mark.parametrize("machine", ["q35", "pc"])
def test_interrupt_callback_without_msix(boot, machine):
    """A NIC without MSI-X (vectors=0): its INTx line, found from the
    Interrupt Line register, reaches the callback through the I/O APIC,
    on q35 (ICH9) and pc (PIIX3); the boot line says so."""
    vm, peer, failed, code, _ = run_with_peer(boot, machine, "irq", opts=",vectors=0")
    stats = check_run(vm, peer, failed, code, BASE_CHECKS + IRQ_CHECKS, machine)
    assert re.search(r"^net    0 pci \S+ mtu 1500 link up irq ioapic\r?$", vm.output, re.M), \
        "the boot line does not say the NIC interrupts through the I/O APIC"
    assert interfaces(vm.output)[0]["irq"] == 1
    assert stats[0]["interrupts"] > 0


@pytest.mark.parametrize("machine", MACHINES)
def test_four_nics(boot, machine):
    """Four NICs, each on its own link: found in order with the MACs set on
    QEMU's command line; frames round-trip on each, and a frame arriving on
    any one of them makes the callback run (each NIC's interrupt routed)."""
    vm, peer, failed, code, _ = run_with_peer(boot, machine, "multi 4", links=4)
    names = ["count", "multi-count", "multi-distinct-macs"] + [
        f"{c}-{i}" for i in range(4)
        for c in ("info", "multi-roundtrip", "multi-callback", "quit", "counters")]
    check_run(vm, peer, failed, code, names, machine, links=4)
    for l in peer.links:
        assert l.data_frames == 5, f"link {l.index}: {l.summary()}"


@pytest.mark.parametrize("machine", MACHINES)
def test_two_guests(boot, machine):
    """Two Piths wired to each other: one echoes, the other sends every size
    60..1514 and checks each reflection; their counters mirror each other."""
    a, b = free_udp_port(), free_udp_port()
    echo = boot_nettest(boot, machine, "echo", [(b, a, mac(1))])
    echo.expect(line(r"nettest: echo ready"), timeout=60)
    sender = boot_nettest(boot, machine, "sizes", [(a, b, mac(0))])
    failed, code = finish(sender)
    echo_failed, echo_code = finish(echo)
    check_results(sender.output, BASE_CHECKS + ["sizes"])
    check_interfaces(sender.output, machine, 1)
    check_results(echo.output, ["count", "info-0", "echo", "echo-frames-valid",
                                "counters-0"])
    assert (failed, code, echo_failed, echo_code) == (0, 0, 0, 0)
    assert PEER.search(sender.output)[2] == mac(1), "replies not from the echoer"
    s, e = guest_stats(sender.output)[0], guest_stats(echo.output)[0]
    assert (s["tx_frames"], s["tx_bytes"]) == (e["rx_frames"], e["rx_bytes"]), (s, e)
    assert (s["rx_frames"], s["rx_bytes"]) == (e["tx_frames"], e["tx_bytes"]), (s, e)
    assert s["tx_frames"] == len(SIZES) + 1 == s["rx_frames"], s
    for x in (s, e):
        assert (x["rx_drops"], x["rx_errors"], x["tx_errors"]) == (0, 0, 0), x
