"""Boot the GRUB test ISO (build/pith-test.iso, from `make system`) under
SeaBIOS.

This is the multiboot2 path that physical machines take. The test ISO's
grub.cfg passes `then=shutdown`, so a good boot ends by itself with code 0.
A missing ISO fails the test: it is a build product, not an option.
"""

from pith import READY, iso_path


def test_iso_boots_by_multiboot2(boot):
    vm = boot(machine="q35", iso=iso_path(), timeout=120)
    vm.expect(r"\(boot: multiboot2\)", timeout=120)
    vm.expect(READY, timeout=60)
    assert vm.wait_exit(timeout=60) == 0
