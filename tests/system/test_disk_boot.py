"""The disk image boots by itself: build/pith-disk.img (`make image`) under
SeaBIOS, with no -kernel, on pc and q35.

The image is a BMFS disk whose block 0 also holds GRUB (tools/mkimage.sh -k,
tools/bootsect.py): boot.img in the MBR, core.img from byte 8192 with a
memdisk holding grub.cfg and the kernel, which GRUB loads by multiboot2.
The same disk, attached as virtio-blk drive 0, is where the Monitor then
finds its programs. Each test boots a copy in its own directory, with one
file added by the host tool first, so the boot also shows that writing
files (which rewrites the directory in block 0) leaves the boot chain whole.
"""

import re
import shutil
import struct
import subprocess

import pytest

from pith import PROMPT, READY, REPO, require_file

TIMEOUT = 240       # the whole life of one VM (SeaBIOS + GRUB + TCG, busy host)
STALL = 120         # the longest wait for one step of the boot
PROGRAMS = ("hello.app", "bmhello.app", "bmhello.bin", "faulty.app", "filetest.app")
EXIT = re.compile(r"^exit code (\d+)\r?$", re.M)
CORE_SECTOR = 16    # tools/bootsect.py: core.img from byte 8192


def disk_image():
    return require_file(REPO / "build" / "pith-disk.img", "build it first (make image)")


def bmfs(*args):
    """Runs the host tool build/bmfs; returns its output."""
    tool = require_file(REPO / "build" / "bmfs", "build it first (make build/bmfs)")
    return subprocess.run([str(tool), *map(str, args)], check=True,
                          capture_output=True, text=True).stdout


def copy_with_file(tmp_path, machine):
    """A copy of the image, hello.app stored a second time as again.app."""
    img = tmp_path / f"disk-{machine}.img"
    shutil.copyfile(disk_image(), img)
    bmfs(img, "read", "hello.app", tmp_path / "hello.app")
    bmfs(img, "write", "again.app", tmp_path / "hello.app")
    assert bmfs(img, "check").strip().endswith("clean")
    return img


def test_block0_layout(tmp_path):
    """What tools/bootsect.py wrote, read back: boot.img's fields in the
    MBR, core.img at sector 16 with its blocklist, BMFS untouched."""
    img = copy_with_file(tmp_path, "layout")
    with open(img, "rb") as f:
        block0 = f.read(2 * 1024 * 1024)
    mbr = block0[:512]
    assert mbr[510:] == b"\x55\xaa"
    assert struct.unpack_from("<Q", mbr, 0x5C)[0] == CORE_SECTOR
    assert mbr[0x64] == 0xFF and mbr[0x66:0x68] == b"\x90\x90"
    assert not any(mbr[440:510]), "no partition table was asked for"
    assert block0[1024:1028] == b"BMFS"
    diskboot = block0[CORE_SECTOR * 512:(CORE_SECTOR + 1) * 512]
    start, count, seg = struct.unpack_from("<QHH", diskboot, 0x1F4)
    assert (start, seg) == (CORE_SECTOR + 1, 0x820) and count > 0
    assert not any(diskboot[0x1E8:0x1F4]), "the blocklist has no terminator"
    end = (start + count) * 512
    assert end < 1024 * 1024, f"core.img ends at byte {end}"
    assert not any(block0[end:]), "bytes after core.img in block 0"
    # The directory (bytes 4096-8191) is BMFS's: it lists the files.
    assert b"hello.app" in block0[4096:8192] and b"again.app" in block0[4096:8192]


@pytest.mark.parametrize("machine", ("pc", "q35"))
def test_disk_boots_under_seabios(boot, tmp_path, machine):
    img = copy_with_file(tmp_path, machine)
    vm = boot(machine=machine, disk=img, mem="128M", timeout=TIMEOUT)
    vm.expect(r"^Pith \S+ x86-64 \(boot: multiboot2\)\r?\n", timeout=STALL)
    vm.expect(READY, timeout=STALL)
    vm.expect(PROMPT, timeout=STALL)
    print(f"{machine}: ready {vm.ready_after:.2f} s after QEMU started")

    def do(command):
        vm.command(command)
        m = vm.expect(PROMPT, timeout=STALL)
        return vm.output[:m.start()].rsplit(command, 1)[1]

    listing = do("dir")
    for name in PROGRAMS + ("again.app",):
        assert re.search(rf"^{re.escape(name)} +\d+", listing, re.M), \
            f"dir does not list {name}:\n{listing}"
    text = do("run hello a")
    assert "hello from hello" in text and "argv[1] = a" in text, text
    assert EXIT.findall(text) == ["1"], text
    assert EXIT.findall(do("run again b c")) == ["2"]
    vm.command("shutdown 3")
    assert vm.wait_exit(timeout=60) == 3
