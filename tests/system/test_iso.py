"""Boot the GRUB test ISO (build/pith-test.iso, from `make system`) under
SeaBIOS and under UEFI firmware (OVMF).

This is the multiboot2 path that physical machines take, through both of
GRUB's loaders on the one hybrid image. The test ISO's grub.cfg passes
`then=shutdown`, so a good boot ends by itself with code 0. A missing ISO
or firmware fails the test: they are build products and dependencies
(tools/deps.sh test installs ovmf), not options.
"""

from pathlib import Path

from pith import READY, iso_path, require_file

OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")


def test_iso_boots_by_multiboot2(boot):
    vm = boot(machine="q35", iso=iso_path(), timeout=120)
    vm.expect(r"\(boot: multiboot2\)", timeout=120)
    vm.expect(READY, timeout=60)
    assert vm.wait_exit(timeout=60) == 0


def test_iso_boots_under_uefi(boot):
    """OVMF takes ~4 s under TCG; the memory map and RSDP then come only
    from GRUB's multiboot2 tags (no BIOS areas to scan)."""
    code = require_file(OVMF_CODE, "apt-get install ovmf (tools/deps.sh test)")
    vm = boot(machine="q35", iso=iso_path(), timeout=180,
              extra=["-drive", f"if=pflash,format=raw,readonly=on,file={code}"])
    vm.expect(r"\(boot: multiboot2\)", timeout=150)
    vm.expect(r"acpi   rev \d+ oem \w+ *: FACP APIC", timeout=30)
    vm.expect(READY, timeout=60)
    assert vm.wait_exit(timeout=60) == 0
