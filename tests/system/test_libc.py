"""C and C++ programs (lib/c over newlib and libstdc++) run by the Monitor
from a copy of build/pith-disk.img, which `make image` builds with them on
it (docs/PROGRAMS.md, "C and C++"; tools/build-libc.sh builds the
libraries).

- libctest: the C library's self-test (printf/scanf formats, strtod,
  qsort, math, 10^6 malloc/free without heap growth, clocks, entropy, file
  errors: ENOENT, ENOSPC, EBADF, EEXIST; fork: ENOSYS; errno and stdio in
  tasks); exit code = failures.
- hello-c: printf of its arguments; exit code = their count.
- hello-cpp: global constructor and destructor, containers, unique_ptr,
  RTTI, exceptions across frames, and in tasks on 4 cores at once;
  `hello-cpp throw`: an uncaught exception
  is reported by std::terminate and the program ends with 134 (SIGABRT).
- parprintf: printf from tasks on every core; no line is ever mixed.
- fileround: a file written with stdio, read back identical, deleted.

The Monitor is driven as in test_monitor.py (its start() and exit_code()).
"""

import re

import pytest

from test_monitor import MACHINES, exit_code, start

PROGRAMS = ("libctest.app", "hello-c.app", "hello-cpp.app", "parprintf.app",
            "fileround.app")
RUN = 120           # the longest one program may take (libctest: ~1 s under TCG)


def libc_monitor(boot, tmp_path, machine, smp=2):
    mon, _ = start(boot, tmp_path, machine, smp=smp)
    listing = mon.do("dir")
    for name in PROGRAMS:
        assert re.search(rf"^{re.escape(name)} +\d+", listing, re.M), \
            f"{name} is not on build/pith-disk.img (make image):\n{listing}"
    return mon


@pytest.mark.parametrize("machine", MACHINES)
def test_libctest(boot, tmp_path, machine):
    mon = libc_monitor(boot, tmp_path, machine)
    text = mon.do("run libctest", timeout=RUN)
    fails = re.findall(r"^FAIL .*$", text, re.M)
    assert not fails, "\n".join(fails)
    m = re.search(r"^libctest: (\d+) checks, (\d+) failed$", text, re.M)
    assert m and int(m[1]) >= 80 and int(m[2]) == 0, text
    assert len(re.findall(r"^ok   ", text, re.M)) == int(m[1]), text
    assert exit_code(text) == 0, text
    # The disk is as it was: every file libctest made is gone.
    listing = mon.do("dir")
    assert not re.search(r"^libctest\.(tmp|fill)", listing, re.M), listing


@pytest.mark.parametrize("machine", MACHINES)
def test_hello_c_and_cpp(boot, tmp_path, machine):
    mon = libc_monitor(boot, tmp_path, machine, smp=4)
    text = mon.do("run hello-c one two")
    assert text.startswith("hello from hello-c, in C with newlib\n"
                           'argv[1] = "one"\nargv[2] = "two"\n'), text
    assert re.search(r"^sqrt\(2\) is about 1\.414214; the wall clock says \d+ s since 1970$",
                     text, re.M), text
    assert exit_code(text) == 2
    for run in range(2):        # twice: constructors, bss and heap start afresh
        text = mon.do("run hello-cpp", timeout=RUN)
        lines = text.splitlines()
        assert lines[0] == "global constructor: hello-cpp", text
        assert "FAIL" not in text, text
        assert "ok   exception caught: thrown at depth 3, 4 frames unwound" in lines, text
        assert "ok   unique_ptr and dynamic_cast (RTTI)" in lines, text
        assert "ok   exceptions thrown and caught in 32 tasks on every core" in lines, text
        i = lines.index("hello-cpp: all ok")
        assert lines[i + 1] == "global destructor: hello-cpp", text
        assert exit_code(text) == 0


def test_cpp_uncaught_exception(boot, tmp_path):
    mon = libc_monitor(boot, tmp_path, "microvm")
    text = mon.do("run hello-cpp throw", timeout=RUN)
    assert ("terminate called after throwing an instance of 'std::runtime_error'\n"
            "  what():  nobody catches this one\n") in text, text
    assert "program: stopped by signal 6\n" in text, text
    assert exit_code(text) == 134
    assert "exit code 0" in mon.do("run hello-c")     # and the Monitor goes on


LINE = re.compile(r"^task (\d+) line (\d+) on core (\d+): (\d+)\*(\d+) = (\d+)\.0 "
                  r"\(abcdefghijklmnopqrstuvwxyz\)$")


@pytest.mark.parametrize("machine", MACHINES)
def test_parprintf_lines_never_mix(boot, tmp_path, machine):
    smp, tasks = 4, 64
    mon = libc_monitor(boot, tmp_path, machine, smp=smp)
    text = mon.do(f"run parprintf {tasks}", timeout=RUN)
    seen, cores = set(), set()
    for line in text.splitlines():
        if line.startswith("task "):
            m = LINE.match(line)
            assert m, f"a mixed or broken line: {line!r}\n{text}"
            t, n, core, a, b, product = map(int, m.groups())
            assert (a, b, product) == (t, n, t * n), line
            seen.add((t, n))
            cores.add(core)
        else:
            assert re.match(r"^(parprintf: |main: queued task \d+$|exit code )", line), \
                f"a mixed or broken line: {line!r}\n{text}"
    assert seen == {(t, n) for t in range(tasks) for n in range(8)}, text
    assert len(cores) >= 2, f"all tasks ran on one core: {cores}"
    assert f"parprintf: {tasks * 8} lines from {tasks} tasks on" in text, text
    assert exit_code(text) == 0


@pytest.mark.parametrize("machine", MACHINES)
def test_fileround(boot, tmp_path, machine):
    mon = libc_monitor(boot, tmp_path, machine)
    text = mon.do("run fileround round.dat 500000", timeout=RUN)
    assert "fileround: wrote 500000 bytes and 20 lines to round.dat\n" in text, text
    assert re.search(r"^fileround: read back 500000 bytes, stat size \d+: identical$",
                     text, re.M), text
    assert "fileround: removed round.dat; fopen again: No such file or directory" in text
    assert exit_code(text) == 0
    assert "round.dat" not in mon.do("dir")
