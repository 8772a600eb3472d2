#!/usr/bin/python3
"""Makes a BMFS disk image boot under BIOS with GRUB, as grub-bios-setup would.

Usage: tools/bootsect.py IMAGE CORE_IMG BOOT_IMG [--sector N]

IMAGE is a BMFS disk (lib/bmfs/bmfs.h): block 0, its first 2 MiB, belongs
to the file system, which uses only the MBR (bytes 0-511), the "BMFS" tag
(byte 1024) and the directory (bytes 4096-8191); the rest of block 0 is
free ("a boot loader may live here"). This script writes there:

  bytes 0-439     GRUB's boot.img (BOOT_IMG, 512 bytes), its fields set:
                  0x5c  u64  LBA of core.img's first sector (N)
                  0x64  u8   boot drive: 0xff, the one the BIOS gives in DL
                  0x66  2    0x90 0x90 over the "jmp" that skips the floppy
                             check, as for a hard disk: a BIOS passing DL
                             0x00/0x01 is taken to mean 0x80
                  bytes 3-0x59 (a DOS BPB's place; boot.img's scratch
                  variables) are kept from the disk's MBR, as
                  grub-bios-setup keeps them
  bytes 440-509   kept: disk signature and partition table (BMFS has none)
  bytes 510-511   0x55 0xaa (boot.img's)
  sector N..      CORE_IMG (from grub-mkimage -O i386-pc), padded to whole
                  512-byte sectors; N is 16 (byte 8192, just past the
                  directory) unless --sector says otherwise

core.img's first sector is GRUB's diskboot.img. It loads the rest with a
blocklist at the end of that sector: 12-byte entries growing down from
offset 0x1f4 (u64 start LBA, u16 sector count, u16 real-mode segment to
load at), ended by an all-zero entry. The core sits in one run, so the
list is one entry {N+1, sectors-1, 0x820} (0x820: just past diskboot.img
at 0x8000) and the terminator below it. The offsets are GRUB's
(include/grub/i386/pc/boot.h: GRUB_BOOT_MACHINE_KERNEL_SECTOR 0x5c,
_BOOT_DRIVE 0x64, _DRIVE_CHECK 0x66, _BPB_START 3, _BPB_END 0x5a,
_WINDOWS_NT_MAGIC 0x1b8, _PART_END 0x1fe, _LIST_SIZE 12; util/setup.c),
checked against the images given before anything is written. setup.c also
caps an embedded core at (0x78000 - 0x9000) / 512 = 888 sectors: what fits
in real-mode memory.

Nothing else on the disk is touched: the directory and the files stay as
they are, and `build/bmfs IMAGE check` still finds the disk clean. After
writing, the image is read back and the boot chain followed as the BIOS
and diskboot.img will (sector 0 -> sector N -> the blocklist).

Python 3.11 standard library only.
"""

import argparse
import struct
import sys

SECTOR = 512
BMFS_BLOCK = 2 * 1024 * 1024      # block 0: the file system's, boot code's
BMFS_TAG_OFFSET = 1024
BMFS_TAG = b"BMFS"
BMFS_DIR_END = 8192               # the directory: bytes 4096-8191
FIRST_FREE_SECTOR = BMFS_DIR_END // SECTOR

# boot.img (GRUB include/grub/i386/pc/boot.h)
BPB_START, BPB_END = 0x03, 0x5A
KERNEL_ADDR = 0x5A                # u16 where boot.img puts core's sector 0
KERNEL_SECTOR = 0x5C              # u64 LBA of core.img's first sector
BOOT_DRIVE = 0x64                 # u8, 0xff: use DL
DRIVE_CHECK = 0x66                # 2 bytes: "jmp 3f" (eb xx) or nop nop
NT_MAGIC = 0x1B8                  # disk signature, then the partition table
PART_END = 0x1FE
SIGNATURE = b"\x55\xaa"

# diskboot.img, core.img's first sector: the blocklist
LIST_SIZE = 12                    # u64 start, u16 len, u16 segment
LIST_FIRST = SECTOR - LIST_SIZE   # 0x1f4; further entries grow down
KERNEL_SEG = 0x800                # GRUB_BOOT_I386_PC_KERNEL_SEG
REST_SEG = KERNEL_SEG + (SECTOR >> 4)     # 0x820
MAX_CORE_SECTORS = (0x78000 - 0x9000) // SECTOR   # util/setup.c: 888


class Refused(Exception):
    pass


def check_boot_img(boot):
    """boot.img as GRUB 2 builds it, or refuse: the fields must be where
    this script writes them."""
    if len(boot) != SECTOR:
        raise Refused(f"boot.img is {len(boot)} bytes, not {SECTOR}")
    if boot[PART_END:] != SIGNATURE:
        raise Refused("boot.img does not end in 0x55 0xaa")
    if struct.unpack_from("<H", boot, KERNEL_ADDR)[0] != KERNEL_SEG << 4:
        raise Refused(f"boot.img's kernel address at {KERNEL_ADDR:#x} is not "
                      f"{KERNEL_SEG << 4:#x}: not GRUB 2's boot.img?")
    if boot[BOOT_DRIVE] != 0xFF or boot[DRIVE_CHECK] not in (0xEB, 0x90):
        raise Refused("boot.img's boot drive fields are not GRUB 2's")


def check_core_img(core):
    """core.img from grub-mkimage -O i386-pc: diskboot.img's blocklist with
    its segment 0x820 and room for a terminator below the first entry."""
    sectors = -(-len(core) // SECTOR)
    if sectors < 2:
        raise Refused(f"core.img is {len(core)} bytes: too small")
    if sectors > MAX_CORE_SECTORS:
        raise Refused(f"core.img is {sectors} sectors; GRUB loads at most "
                      f"{MAX_CORE_SECTORS} (drop modules or shrink the memdisk)")
    seg = struct.unpack_from("<H", core, LIST_FIRST + 10)[0]
    if seg != REST_SEG:
        raise Refused(f"core.img's first blocklist segment is {seg:#x}, not "
                      f"{REST_SEG:#x}: not an i386-pc core.img?")
    if any(core[LIST_FIRST - LIST_SIZE:LIST_FIRST]):
        raise Refused("core.img's blocklist has no room for the terminator")
    return sectors


def make_mbr(old, boot, first):
    """boot.img with its fields set, over the disk's own MBR."""
    mbr = bytearray(boot)
    mbr[BPB_START:BPB_END] = old[BPB_START:BPB_END]
    mbr[NT_MAGIC:PART_END] = old[NT_MAGIC:PART_END]
    struct.pack_into("<Q", mbr, KERNEL_SECTOR, first)
    mbr[BOOT_DRIVE] = 0xFF
    mbr[DRIVE_CHECK:DRIVE_CHECK + 2] = b"\x90\x90"
    return bytes(mbr)


def make_core(core, sectors, first):
    """core.img padded to whole sectors, its blocklist naming the sectors
    after the first: one entry and a zero terminator below it."""
    img = bytearray(core) + bytes(sectors * SECTOR - len(core))
    struct.pack_into("<QHH", img, LIST_FIRST, first + 1, sectors - 1, REST_SEG)
    img[LIST_FIRST - LIST_SIZE:LIST_FIRST] = bytes(LIST_SIZE)
    return bytes(img)


def follow(f, core):
    """Read the chain back as the BIOS and diskboot.img will; the bytes
    loaded must be core.img's."""
    f.seek(0)
    mbr = f.read(SECTOR)
    if mbr[PART_END:] != SIGNATURE:
        raise Refused("read back: no 0x55 0xaa at the end of sector 0")
    first = struct.unpack_from("<Q", mbr, KERNEL_SECTOR)[0]
    f.seek(first * SECTOR)
    head = f.read(SECTOR)
    loaded, at = bytearray(head), LIST_FIRST
    while True:
        start, count, seg = struct.unpack_from("<QHH", head, at)
        if count == 0:
            break
        if seg != REST_SEG + (len(loaded) - SECTOR) // 16:
            raise Refused("read back: a blocklist entry loads to the wrong place")
        f.seek(start * SECTOR)
        loaded += f.read(count * SECTOR)
        at -= LIST_SIZE
    if bytes(loaded) != core:
        raise Refused("read back: the blocklist does not give core.img")


def install(image, core_path, boot_path, first):
    with open(boot_path, "rb") as f:
        boot = f.read()
    with open(core_path, "rb") as f:
        core = f.read()
    check_boot_img(boot)
    sectors = check_core_img(core)
    if first < FIRST_FREE_SECTOR:
        raise Refused(f"sector {first}: core.img must start past the BMFS "
                      f"directory, at sector {FIRST_FREE_SECTOR} or later")
    end = (first + sectors) * SECTOR
    if end > BMFS_BLOCK:
        raise Refused(f"core.img would end at byte {end}, past block 0 "
                      f"({BMFS_BLOCK} bytes)")
    with open(image, "r+b") as f:
        f.seek(0, 2)
        if f.tell() < 3 * BMFS_BLOCK:
            raise Refused(f"{image} is smaller than a BMFS disk")
        f.seek(0)
        old = f.read(SECTOR)
        f.seek(BMFS_TAG_OFFSET)
        if f.read(len(BMFS_TAG)) != BMFS_TAG:
            raise Refused(f"{image} has no BMFS tag at byte {BMFS_TAG_OFFSET}")
        img = make_core(core, sectors, first)
        f.seek(first * SECTOR)
        f.write(img)
        f.seek(0)
        f.write(make_mbr(old, boot, first))
        f.flush()
        follow(f, img)
    return sectors, end


def main(argv):
    p = argparse.ArgumentParser(
        prog="bootsect.py",
        description="Put GRUB's boot.img and core.img in block 0 of a BMFS "
                    "disk image so that a PC BIOS boots it.")
    p.add_argument("image", help="the BMFS disk image (changed in place)")
    p.add_argument("core", help="core.img from grub-mkimage -O i386-pc")
    p.add_argument("boot", help="GRUB's boot.img (/usr/lib/grub/i386-pc/boot.img)")
    p.add_argument("--sector", type=int, default=FIRST_FREE_SECTOR,
                   help=f"the 512-byte sector core.img starts at "
                        f"(default {FIRST_FREE_SECTOR}, byte {BMFS_DIR_END})")
    opts = p.parse_args(argv)
    try:
        sectors, end = install(opts.image, opts.core, opts.boot, opts.sector)
    except (Refused, OSError) as e:
        print(f"bootsect.py: {e}", file=sys.stderr)
        return 1
    print(f"{opts.image}: BIOS boot: GRUB boot.img in the MBR, core.img in "
          f"sectors {opts.sector}-{opts.sector + sectors - 1} "
          f"(bytes {opts.sector * SECTOR}-{end - 1} of block 0)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
