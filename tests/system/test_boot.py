"""Boot Pith on each QEMU machine and check what it reports about itself.

The boot lines, core count and memory size are the contract of
docs/BOOT-CONTRACT.md; the numbers must match what QEMU was told (-smp, -m).
Every boot here ends by itself (then=shutdown or then=reboot) so a test never
waits on a console nobody types into.
"""

import pytest

from pith import READY, line

MACHINES = ["microvm", "q35", "pc"]
BANNER = line(r"Pith \d+\.\d+\.\d+ x86-64 \(boot: pvh\)")
# The boot lines in the order the contract prints them.
BOOT_LINES = [BANNER, r"^cpu\s", r"^mem\s", r"^acpi\s", r"^cores\s",
              r"^ioapic\s", r"^power\s", r"^tsc\s", r"^fpu\s", READY]
CORES = r"^cores\s+(\d+): apic ids([ \w]*)[;\r\n]"  # ids end at ";" or EOL
MEM = r"^mem\s+(\d+) MiB usable"
MEM_MIB = {"64M": 64, "128M": 128, "1G": 1024, "8G": 8192}


@pytest.mark.parametrize("machine", MACHINES)
def test_boot_lines_in_order_then_shutdown(boot, machine):
    """All boot lines appear in order, then then=shutdown exits with 0."""
    vm = boot(machine=machine, cmdline="then=shutdown", timeout=30)
    for regex in BOOT_LINES:
        vm.expect(regex)
    assert vm.wait_exit() == 0
    print(f"{machine}: QEMU start -> ready {vm.ready_after * 1000:.0f} ms")


@pytest.mark.parametrize("machine", MACHINES)
def test_then_reboot_ends_qemu(boot, machine):
    """then=reboot resets the machine; under -no-reboot QEMU exits 0."""
    vm = boot(machine=machine, cmdline="then=reboot", timeout=30)
    vm.expect(READY)
    assert vm.wait_exit() is None


@pytest.mark.parametrize("smp", [1, 2, 4, 8])
@pytest.mark.parametrize("machine", ["microvm", "q35"])
def test_core_count(boot, machine, smp):
    """The cores line and the ready line count exactly -smp cores."""
    vm = boot(machine=machine, smp=smp, cmdline="then=shutdown", timeout=30)
    cores = vm.expect(CORES)
    ids = cores[2].split()
    assert int(cores[1]) == smp
    assert len(ids) == smp and len(set(ids)) == smp, f"apic ids: {ids}"
    assert int(vm.expect(READY)[1]) == smp
    assert vm.wait_exit() == 0


MEM_CASES = [(m, size) for size in MEM_MIB for m in ("microvm", "q35")]
MEM_CASES.append(("pc", "8G"))


@pytest.mark.parametrize("machine,mem", MEM_CASES)
def test_memory_size(boot, machine, mem):
    """The usable and ready MiB are within 2% of -m (firmware keeps a bit)."""
    timeout = 60 if mem == "8G" else 30
    vm = boot(machine=machine, mem=mem, cmdline="then=shutdown",
              timeout=timeout)
    usable = int(vm.expect(MEM)[1])
    ready = int(vm.expect(READY, timeout=timeout)[2])
    want = MEM_MIB[mem]
    assert abs(usable - want) <= 0.02 * want, f"mem line {usable} MiB"
    assert abs(ready - want) <= 0.02 * want, f"ready line {ready} MiB"
    assert vm.wait_exit(timeout=timeout) == 0


@pytest.mark.parametrize("cpu", [None, "max"], ids=["default-cpu", "max"])
@pytest.mark.parametrize("machine", ["microvm", "q35"])
def test_cpu_models(boot, machine, cpu):
    """QEMU's default CPU (2 MiB pages) and 'max' (1 GiB pages) both boot."""
    vm = boot(machine=machine, cpu=cpu, cmdline="then=shutdown", timeout=30)
    vm.expect(READY)
    assert vm.wait_exit() == 0


def lines_before_ready(vm):
    """The console lines printed before the ready line."""
    vm.expect(READY)
    return vm.output[:vm.output.index("ready:")].splitlines()


def test_timeline(boot):
    """`timeline` adds a boot timeline (two lines at least) before ready."""
    plain = boot(cmdline="then=shutdown", timeout=30)
    base = lines_before_ready(plain)
    timed = boot(cmdline="timeline then=shutdown", timeout=30)
    lines = lines_before_ready(timed)
    print("\n".join(s for s in lines if s not in base))
    assert len(lines) >= len(base) + 2, "no timeline before ready"
    assert timed.wait_exit() == 0


def test_unknown_word_is_ignored(boot):
    """An unknown command-line word is reported and the boot goes on."""
    vm = boot(cmdline="frobnicate=1 then=shutdown", timeout=30)
    vm.expect(r"^.*\b(unknown|ignor\w*)\b.*frobnicate")
    vm.expect(READY)
    assert vm.wait_exit() == 0
