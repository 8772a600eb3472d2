"""Boot the demo programs (apps/primes, apps/mandelbrot) and check their output.

Each is a unikernel image built by `make app-primes app-mandelbrot`
(build/app-NAME/pith.elf). They spread their work over the work queue on
1 core, then 2, ... and must compute the same answer every time; the exit
code says whether they did. Timings are printed, never checked: under TCG
on a loaded host they mean little.
"""

import re

from pith import REPO, READY, line, require_file

TIMEOUT = 120
PRIMES_LINE = (r"primes: N=(\d+) cores=(\d+) count=(-?\d+) "
               r"time_ms=[\d.]+ speedup=[\d.]+")
MANDEL_LINE = (r"mandelbrot: cores=(\d+) time_ms=[\d.]+ speedup=[\d.]+ "
               r"checksum=(\d+)")
PICTURE_ROWS = 32
PICTURE_COLS = 78


def app_kernel(name):
    """build/app-NAME/pith.elf; fails (never skips) when it was not built."""
    return require_file(REPO / "build" / f"app-{name}" / "pith.elf",
                        f"build it first (make app-{name})")


def test_primes_counts_agree(boot):
    vm = boot(kernel=app_kernel("primes"), smp=2,
              cmdline="quiet -- 1000000", timeout=TIMEOUT)
    vm.expect(READY)
    runs = [vm.expect(line(PRIMES_LINE), timeout=TIMEOUT) for _ in range(2)]
    for cores, m in zip(("1", "2"), runs):
        assert m[1] == "1000000", m[0]
        assert m[2] == cores, m[0]
        assert m[3] == "78498", f"pi(10^6) is 78498: {m[0]}"
    vm.expect(line("primes: all runs agree"))
    assert vm.wait_exit(timeout=TIMEOUT) == 0


def test_primes_bad_argument(boot):
    vm = boot(kernel=app_kernel("primes"), smp=2, cmdline="quiet -- abc",
              timeout=TIMEOUT)
    vm.expect(READY)
    vm.expect(r"^usage: primes \[N\]")
    assert vm.wait_exit(timeout=TIMEOUT) == 2
    assert "cores=" not in vm.output, "it counted despite the bad argument"


def test_mandelbrot_picture_and_checksums(boot):
    vm = boot(kernel=app_kernel("mandelbrot"), smp=2, cmdline="quiet",
              timeout=TIMEOUT)
    ready = vm.expect(READY)
    runs = [vm.expect(line(MANDEL_LINE), timeout=TIMEOUT) for _ in range(2)]
    vm.expect(line("mandelbrot: all checksums agree"))
    assert vm.wait_exit(timeout=TIMEOUT) == 0

    picture = vm.output[ready.end():runs[0].start()].splitlines()
    assert len(picture) == PICTURE_ROWS, f"{len(picture)} picture rows"
    assert all(len(row) == PICTURE_COLS for row in picture), \
        "picture rows of the wrong width"
    dense = [row for row in picture if "@" in row]
    assert len(dense) >= PICTURE_ROWS // 4, "too few rows reach into the set"
    assert picture == picture[::-1], "the set is symmetric about the real axis"
    assert [m[1] for m in runs] == ["1", "2"]
    assert runs[0][2] == runs[1][2], "checksums differ between 1 and 2 cores"
    assert int(runs[0][2]) > 0
