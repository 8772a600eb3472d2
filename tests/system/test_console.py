"""Type commands at the boot console (`pith> `) and check the answers.

Commands and their answers are in docs/BOOT-CONTRACT.md ("Boot console").
Timing checks here are correctness checks of the guest's clocks against the
host's, deliberately wide; speed is measured by bench/, never asserted.
"""

import time

import pytest

from pith import PROMPT, READY, line

UPTIME = line(r"uptime (\d+) ns, tsc (\d+(?:\.\d+)?) MHz")


@pytest.fixture
def console(boot):
    """A microvm Pith sitting at its prompt."""
    vm = boot(machine="microvm", timeout=30)
    vm.expect(READY)
    vm.expect(PROMPT)
    return vm


def run(vm, command, answer, timeout=30):
    """Type a command, wait for its answer line and the next prompt.

    Returns (answer match, host seconds from sending to the answer).
    """
    sent = time.monotonic()
    vm.command(command)
    m = vm.expect(answer, timeout=timeout)
    took = time.monotonic() - sent
    vm.expect(PROMPT)
    return m, took


def test_echo(console):
    run(console, "echo hello world", line("hello world"))


def test_help_lists_commands(console):
    console.command("help")
    start = len(console.output)
    console.expect(PROMPT)
    text = console.output[start:]
    for word in ("help", "time", "ticks", "delay", "echo", "shutdown",
                 "reboot"):
        assert word in text, f"help does not mention {word}"


def test_time(console):
    m, _ = run(console, "time", UPTIME)
    assert int(m[1]) > 0 and float(m[2]) > 0


def guest_and_host_time(vm):
    """The guest's uptime (s) and the host time (s) halfway through asking."""
    m, took = run(vm, "time", UPTIME)
    return int(m[1]) / 1e9, time.monotonic() - took / 2


def test_guest_clock_follows_host(console):
    """Guest uptime advances like host time (checks TSC calibration)."""
    g1, h1 = guest_and_host_time(console)
    time.sleep(1.0)
    g2, h2 = guest_and_host_time(console)
    ratio = (g2 - g1) / (h2 - h1)
    print(f"guest {g2 - g1:.3f} s over host {h2 - h1:.3f} s: {ratio:.3f}")
    assert 0.5 <= ratio <= 2.0


def test_ticks(console):
    """10 LAPIC ticks at 100 Hz take about 100 ms; never less than half."""
    m, took = run(console, "ticks 10", line(r"ticks 10 in (\d+) us"))
    assert int(m[1]) >= 50_000, "guest counted 10 ticks too fast"
    assert took >= 0.05, f"10 ticks took {took:.3f} s of host time"


def test_delay(console):
    """delay 200000 busy-waits 0.2 s; never less than half on the host."""
    _, took = run(console, "delay 200000", line("delayed 200000 us"))
    assert took >= 0.1, f"delay took {took:.3f} s of host time"


def test_unknown_command(console):
    run(console, "frobnicate 1 2", r"^unknown command: frobnicate\b")


def test_long_line_does_not_hang(console):
    """A 300-character line is refused or cut, and the console goes on."""
    console.command("x" * 300)
    console.expect(PROMPT)
    run(console, "echo still alive", line("still alive"))


def test_binary_junk_does_not_hang(console):
    """Control and non-ASCII bytes neither hang nor wedge the console."""
    junk = bytes(b for b in range(256) if b not in (10, 13)) * 2
    console.send(junk + b"\r")
    console.expect(PROMPT)
    run(console, "echo still alive", line("still alive"))


def test_shutdown_code(console):
    console.command("shutdown 5")
    assert console.wait_exit() == 5


def test_reboot_ends_qemu(console):
    """reboot resets the machine; under -no-reboot QEMU exits 0."""
    console.command("reboot")
    assert console.wait_exit() is None
