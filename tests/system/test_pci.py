"""PCI enumeration: ECAM on q35 (MCFG), the legacy 0xcf8/0xcfc ports on pc,
and bridges followed to the buses behind them. Devices are added on the
QEMU command line and must appear, with their vendor:device ids, at the
bus/device/function QEMU put them."""

from pith import PROMPT, READY, line

VIRTIO = "1af4"


def pci_lines(vm):
    vm.expect(READY, timeout=60)
    return [l for l in vm.output.splitlines() if l.startswith("pci    ")]


def test_q35_ecam_finds_chipset_and_devices_behind_a_bridge(boot):
    vm = boot(machine="q35", cmdline="then=shutdown", extra=[
        "-device", "virtio-net-pci,addr=0x3",
        "-device", "pcie-root-port,id=rp1,chassis=1,addr=0x4",
        "-device", "virtio-blk-pci,bus=rp1,drive=d0",
        "-drive", "if=none,id=d0,file=/dev/null,format=raw,readonly=on",
        "-nic", "none"])
    lines = "\n".join(pci_lines(vm))
    assert "functions via ecam" in lines
    assert "00:00.0 8086:29c0 class 06.00.00" in lines    # Q35 host bridge
    assert "00:1f.0 8086:2918 class 06.01.00" in lines    # ICH9 LPC
    assert f"00:03.0 {VIRTIO}:1000 class 02.00.00" in lines  # virtio-net
    assert "00:04.0 1b36:000c class 06.04.00 pcie" in lines  # root port
    # Only reachable by following the root port's secondary bus number:
    assert f"01:00.0 {VIRTIO}:1042 class 01.00.00 pcie msix" in lines
    assert vm.wait_exit() == 0


def test_pc_uses_legacy_config_ports(boot):
    vm = boot(machine="pc", cmdline="then=shutdown",
              extra=["-device", "virtio-net-pci,addr=0x5", "-nic", "none"])
    lines = "\n".join(pci_lines(vm))
    assert "functions via ports 0xcf8/0xcfc" in lines
    assert "00:00.0 8086:1237 class 06.00.00" in lines    # i440FX
    assert "00:01.0 8086:7000 class 06.01.00" in lines    # PIIX3 ISA
    assert f"00:05.0 {VIRTIO}:1000 class 02.00.00" in lines
    assert vm.wait_exit() == 0


def test_microvm_has_no_pci(boot):
    vm = boot(machine="microvm", cmdline="then=shutdown")
    assert pci_lines(vm) == []
    assert vm.wait_exit() == 0


def test_programs_read_configuration_space(boot):
    """BareMetal's BUS_READ as b_bus_read: the Monitor's `pci` command reads
    configuration space itself and finds what the kernel found, on the
    root bus and behind the root port (ECAM on q35), and on pc (ports)."""
    vm = boot(machine="q35", extra=[
        "-device", "virtio-net-pci,addr=0x3",
        "-device", "pcie-root-port,id=rp1,chassis=1,addr=0x4",
        "-device", "virtio-blk-pci,bus=rp1,drive=d0",
        "-drive", "if=none,id=d0,file=/dev/null,format=raw,readonly=on",
        "-nic", "none"])
    vm.expect(PROMPT, timeout=60)
    vm.command("pci")
    vm.expect(line(f"00:03.0 {VIRTIO}:1000 class 02.00"), timeout=20)
    vm.expect(PROMPT, timeout=20)
    vm.command("pci 1")
    vm.expect(line(f"01:00.0 {VIRTIO}:1042 class 01.00"), timeout=20)
    vm.expect(PROMPT, timeout=20)
    vm.command("pci 256")
    vm.expect(line("usage: pci.*"), timeout=20)
    vm.command("shutdown")
    assert vm.wait_exit() == 0


def test_programs_read_configuration_space_through_ports(boot):
    vm = boot(machine="pc", extra=["-device", "virtio-net-pci,addr=0x5", "-nic", "none"])
    vm.expect(PROMPT, timeout=60)
    vm.command("pci")
    vm.expect(line("00:00.0 8086:1237 class 06.00"), timeout=20)
    vm.expect(line(f"00:05.0 {VIRTIO}:1000 class 02.00"), timeout=20)
    vm.command("shutdown")
    assert vm.wait_exit() == 0
