"""Storage: the virtio-blk driver behind b_nvs_* (include/pith/nvs.h),
checked by apps/blktest on q35 (virtio-blk-pci) and microvm
(virtio-blk-device) against disk images these tests write themselves.

Every image holds a pattern that names its place: word i of 4096-byte
sector s of an image with seed k is k << 48 | s << 9 | i (little-endian),
so a sector read from or written to the wrong place, BareMetal's "AAA" for
"ABC", names where it came from. blktest prints one line per check
("blktest: NAME ok" or "... FAIL: why") and exits with the number that
failed; after a boot that may write, the image is compared on the host
byte for byte.
"""

import re
import struct

import pytest

from pith import REPO, READY, line, require_file

TIMEOUT = 120      # the whole life of one VM
STALL = 30         # the longest wait for blktest's next line
SECTOR = 4096
WORDS = SECTOR // 8
MACHINES = ("q35", "microvm")
DEVICE = {"q35": "virtio-blk-pci", "microvm": "virtio-blk-device"}
TRANSPORT = {"q35": "pci", "microvm": "mmio"}
INFO = (r"blktest: drive (\d+) sectors (\d+) ro (\d+) flush (\d+) "
        r"transport (\w+) queue (\d+) inflight (\d+)")


def app_kernel():
    """build/app-blktest/pith.elf; fails (never skips) when it was not built."""
    return require_file(REPO / "build" / "app-blktest" / "pith.elf",
                        "build it first (make app-blktest)")


# ---- images -----------------------------------------------------------------

def sector_bytes(seed, s):
    base = seed << 48 | s << 9
    return struct.pack(f"<{WORDS}Q", *range(base, base + WORDS))


def image_bytes(seed, sectors, new_seed=None, extents=(), tail=0):
    """The image's bytes: seed's pattern, new_seed's over the extents
    ((start, count) pairs), then `tail` bytes of 0xee (a partial sector)."""
    new = set()
    for start, count in extents:
        new.update(range(start, start + count))
    return b"".join(sector_bytes(new_seed if s in new else seed, s)
                    for s in range(sectors)) + b"\xee" * tail


def make_image(path, seed, sectors, tail=0):
    path.write_bytes(image_bytes(seed, sectors, tail=tail))
    return path


def describe(word):
    return (f"{word:#018x} (seed {word >> 48} sector {word >> 9 & (2**39 - 1)} "
            f"word {word & 511})")


def assert_image(path, seed, sectors, new_seed=None, extents=(), tail=0):
    """The image on the host holds exactly what it should; else name the
    first wrong sector and word, and where its content seems to be from."""
    got = path.read_bytes()
    want = image_bytes(seed, sectors, new_seed, extents, tail)
    if got == want:
        return
    assert len(got) == len(want), f"{path.name}: {len(got)} bytes, want {len(want)}"
    s = next((s for s in range(sectors)
              if got[s * SECTOR:(s + 1) * SECTOR] != want[s * SECTOR:(s + 1) * SECTOR]),
             None)
    assert s is not None, f"{path.name}: the partial sector at the end changed"
    words = [struct.unpack_from(f"<{WORDS}Q", b, s * SECTOR) for b in (got, want)]
    i = next(i for i in range(WORDS) if words[0][i] != words[1][i])
    raise AssertionError(f"{path.name}: sector {s} word {i} is {describe(words[0][i])}, "
                         f"want {describe(words[1][i])}")


# ---- booting blktest ----------------------------------------------------------

def drive_args(machine, images, readonly=()):
    """-drive/-device pairs, drive i from images[i], read-only if i in readonly."""
    args = []
    for i, img in enumerate(images):
        ro = ",readonly=on" if i in readonly else ""
        args += ["-drive", f"if=none,id=d{i},file={img},format=raw{ro}",
                 "-device", f"{DEVICE[machine]},drive=d{i}"]
    return args


def faulty_drive_args(machine, image, read_bad, write_bad):
    """One drive whose reads touching 4096-byte sector read_bad and writes
    touching write_bad fail with EIO (QEMU's blkdebug). Request merging off:
    QEMU would otherwise fail the neighbouring requests merged with the
    failing one, and the sectors a call reports would depend on timing."""
    rules = ",".join(
        f"file.inject-error.{i}.{key}={value}"
        for i, (event, iotype, sector) in enumerate(
            [("read_aio", "read", read_bad), ("write_aio", "write", write_bad)])
        for key, value in (("event", event), ("iotype", iotype),
                           ("sector", sector * SECTOR // 512)))
    return ["-drive", f"if=none,id=d0,format=raw,file.driver=blkdebug,"
                      f"file.image.driver=file,file.image.filename={image},{rules}",
            "-device", f"{DEVICE[machine]},drive=d0,request-merging=off"]


def blktest(boot, machine, words, images, readonly=(), checks=(), extra=None):
    """Boots blktest with argv `words` and the images as drives 0, 1, ...
    (or the drives `extra` gives); asserts every check passed, those named
    in `checks` among them, and returns the console output."""
    vm = boot(kernel=app_kernel(), machine=machine, smp=2, mem="128M",
              timeout=TIMEOUT, cmdline="-- " + " ".join(map(str, words)),
              extra=extra or drive_args(machine, images, readonly))
    vm.expect(READY, timeout=60)
    last = ""
    while not last.startswith("done, "):   # a hung request fails here, after its line
        last = vm.expect(line(r"blktest: ([^\r\n]*)"), timeout=STALL)[1]
    code = vm.wait_exit(timeout=30)
    out = vm.output
    failed = re.findall(r"^blktest: \S+ FAIL: [^\r\n]*", out, re.M)
    assert not failed and last == "done, 0 failed", "\n".join(failed) or last
    assert code == 0, f"exit code {code}"
    passed = set(re.findall(r"^blktest: (\S+) ok\r?$", out, re.M))
    missing = [c for c in checks if c not in passed]
    assert not missing, f"checks that never ran: {missing}"
    for m in re.finditer(r"^blktest: [^\r\n]*( ms|/s| each)\r?$", out, re.M):
        print(f"{machine}: {m[0].strip()}")   # the figures, shown with -s
    return out


def drive_info(out):
    """{drive: (sectors, ro, flush, transport, queue, inflight)} from blktest."""
    return {int(m[1]): (int(m[2]), int(m[3]), int(m[4]), m[5], int(m[6]), int(m[7]))
            for m in re.finditer(INFO, out)}


def assert_info(out, drive, machine, sectors, ro):
    info = drive_info(out)
    assert drive in info, f"no info line for drive {drive}"
    got_sectors, got_ro, flush, transport, queue, inflight = info[drive]
    assert got_sectors == sectors, f"drive {drive}: {got_sectors} sectors, want {sectors}"
    assert got_ro == ro, f"drive {drive}: read_only {got_ro}, want {ro}"
    assert transport == TRANSPORT[machine]
    assert flush == 1, "QEMU's virtio-blk has a write cache (VIRTIO_BLK_F_FLUSH)"
    assert queue >= 1 and inflight >= 1


# ---- the tests ----------------------------------------------------------------

@pytest.mark.parametrize("machine", MACHINES)
def test_reads(boot, tmp_path, machine):
    """Single-sector, multi-sector (2 .. 1024 sectors a call, 16-aligned
    buffers too), a whole 32 MiB disk sector by sector, reads from 2 cores."""
    sectors, seed = 8192, 0x11
    img = make_image(tmp_path / "disk.img", seed, sectors)
    counts = (2, 3, 7, 8, 15, 16, 17, 63, 64, 65, 127, 128, 129, 200, 256, 257,
              1000, 1024)
    out = blktest(boot, machine, ["verify", seed], [img], checks=[
        "info-read-write", "read-single", "read-16-aligned-buffer",
        "read-one-by-one", "whole-disk", "parallel", "stats",
        *(f"read-multi-{c}" for c in counts)])
    assert_info(out, 0, machine, sectors, ro=0)
    assert_image(img, seed, sectors)


WRITE_EXTENTS = [(0, 1), (7, 1), (100, 2), (200, 3), (300, 7), (512, 64),
                 (700, 65), (1000, 200), (1300, 129), (1500, 300), (2047, 1)]


@pytest.mark.parametrize("machine", MACHINES)
def test_write_flush_reboot(boot, tmp_path, machine):
    """One boot writes a new pattern over single sectors and runs of up to
    300 sectors and flushes; the host sees exactly that in the image; a
    second boot reads it all back."""
    sectors, seed, new = 2048, 0x21, 0x22
    img = make_image(tmp_path / "disk.img", seed, sectors)
    ext = [f"{s}:{c}" for s, c in WRITE_EXTENTS]
    out = blktest(boot, machine, ["write", seed, new, *ext], [img], checks=[
        "write-before", *(f"write-{e}" for e in ext), "flush",
        "write-read-back", "write-stats", "write-stats-counts"])
    assert_info(out, 0, machine, sectors, ro=0)
    assert_image(img, seed, sectors, new, WRITE_EXTENTS)
    blktest(boot, machine, ["readback", seed, new, *ext], [img],
            checks=["readback-extents", "readback-whole-disk"])
    assert_image(img, seed, sectors, new, WRITE_EXTENTS)


@pytest.mark.parametrize("machine", MACHINES)
def test_read_only_drive(boot, tmp_path, machine):
    """readonly=on: b_nvs_info says so, writes get B_EROFS (synchronous and
    submitted), the image is untouched, reads work."""
    sectors, seed = 1024, 0x31
    img = make_image(tmp_path / "ro.img", seed, sectors)
    out = blktest(boot, machine, ["ro", seed], [img], readonly=[0], checks=[
        "info-read-only", "ro-write-refused", "ro-flush", "ro-read",
        "ro-whole-disk", "ro-stats"])
    assert_info(out, 0, machine, sectors, ro=1)
    assert_image(img, seed, sectors)


# Four drives of different sizes, the last with a partial 4096-byte sector
# at its end (QEMU counts 512-byte sectors; nvs.h does not count it).
FOUR = [(0x41, 256, 0), (0x42, 514, 0), (0x43, 768, 0), (0x44, 1024, 2048)]


@pytest.mark.parametrize("machine", MACHINES)
def test_four_drives(boot, tmp_path, machine):
    """b_nvs_count() is 4; each drive reads its own image whole, sizes match,
    reads interleaved over the drives and from 2 cores at once stay apart."""
    imgs = [make_image(tmp_path / f"d{i}.img", seed, n, tail)
            for i, (seed, n, tail) in enumerate(FOUR)]
    out = blktest(boot, machine, ["multi", *(f"{seed}:{n}" for seed, n, _ in FOUR)],
                  imgs, checks=["multi-count", "multi-drive-0", "multi-drive-1",
                                "multi-drive-2", "multi-drive-3",
                                "multi-interleaved", "multi-parallel"])
    order = {int(m[1]): int(m[2]) for m in
             re.finditer(r"^blktest: drive (\d+) is image (\d+) seed", out, re.M)}
    assert sorted(order.values()) == [0, 1, 2, 3], order
    if machine == "q35":
        # PCI slots follow the command line, and drives the PCI scan.
        assert order == {0: 0, 1: 1, 2: 2, 3: 3}, order
    for drive, image in order.items():
        assert_info(out, drive, machine, FOUR[image][1], ro=0)
    for img, (seed, n, tail) in zip(imgs, FOUR):
        assert_image(img, seed, n, tail=tail)


@pytest.mark.parametrize("machine", MACHINES)
def test_async(boot, tmp_path, machine):
    """b_nvs_submit/b_nvs_complete: the queue fills up to max_inflight and
    then says B_EAGAIN; 3000 random reads (1-8 or 64 sectors) kept 32 deep,
    each checked; a synchronous read meanwhile; then asynchronous writes of
    1-64 sectors over 1000 sectors and a flush request, checked on the host."""
    sectors, seed, new, extent = 4096, 0x51, 0x52, (3000, 1000)
    img = make_image(tmp_path / "disk.img", seed, sectors)
    out = blktest(boot, machine, ["async", seed, new, "%d:%d" % extent], [img],
                  checks=["async-depth", "async-fill", "async-fill-drain",
                          "async-sync-read-meanwhile", "async-reads",
                          "async-writes", "async-flush", "async-write-read-back",
                          "async-stats"])
    assert_info(out, 0, machine, sectors, ro=0)
    assert_image(img, seed, sectors, new, [extent])


@pytest.mark.parametrize("machine", MACHINES)
def test_bad_arguments(boot, tmp_path, machine):
    """Unknown drives, ranges past the end or wrapping, count 0 or huge,
    NULL, misaligned and impossible buffers, writes to a read-only drive,
    several at once (the documented order picks the error), bad asynchronous
    requests: each gets its error, no byte of the target, its guards or
    either image changes, and reads work afterwards."""
    rw = make_image(tmp_path / "rw.img", 0x61, 1024)
    ro = make_image(tmp_path / "ro.img", 0x62, 256)
    out = blktest(boot, machine, ["badargs", 0x61, 0x62], [rw, ro], readonly=[1],
                  checks=["bad-drive", "bad-start-past-end", "bad-end-past-end",
                          "bad-count-zero", "bad-count-huge", "bad-range-wraps",
                          "bad-null-buffer", "bad-misaligned-buffer",
                          "bad-impossible-buffer", "bad-order", "bad-write-read-only",
                          "bad-async", "bad-nothing-touched",
                          "read-after-bad-arguments", "bad-stats-0",
                          "bad-stats-1", "bad-null-out"])
    assert_info(out, 0, machine, 1024, ro=0)
    assert_info(out, 1, machine, 256, ro=1)
    assert_image(rw, 0x61, 1024)
    assert_image(ro, 0x62, 256)


@pytest.mark.parametrize("machine", MACHINES)
def test_device_errors(boot, tmp_path, machine):
    """The device fails reads of one sector and writes of another: a call
    whose first request fails returns B_EIO; a longer one returns the
    sectors before the failing request, and those are exact (BareMetal's
    count ignored errors); async requests get B_EIO; failures are counted;
    the drive works on. On the host, the sectors a partial write reported
    hold the new data, and nothing outside the call's range changed."""
    sectors, seed, new, read_bad, write_bad = 1024, 0x71, 0x72, 300, 700
    img = make_image(tmp_path / "faulty.img", seed, sectors)
    out = blktest(boot, machine, ["ioerr", seed, new, read_bad, write_bad], [img],
                  extra=faulty_drive_args(machine, img, read_bad, write_bad),
                  checks=["ioerr-read-fails", "ioerr-read-partial",
                          "ioerr-read-around", "ioerr-async", "ioerr-write-fails",
                          "ioerr-write-partial", "ioerr-flush",
                          "ioerr-write-read-back", "ioerr-stats"])
    written = int(re.search(r"ioerr-write-partial: (\d+) of 150", out)[1])
    start = write_bad - 100                 # blktest's BEFORE
    assert 0 < written <= 100
    # Requests after the failing one may have been written or not: take the
    # image's own word for those, and check everything else exactly.
    data = img.read_bytes()
    maybe = [(s, 1) for s in range(start + written, start + 150)
             if data[s * SECTOR:(s + 1) * SECTOR] == sector_bytes(new, s)]
    assert write_bad not in [s for s, _ in maybe], "the failing sector was written"
    assert_image(img, seed, sectors, new, [(start, written), *maybe])
