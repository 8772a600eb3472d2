"""The Monitor (apps/monitor), Pith's shell on the serial console: typed
commands, programs run from a BMFS disk, line editing and history.

The kernel under test is $PITH_MONITOR, else the default image
(build/pith.elf, whose program is the Monitor). Its disk is a copy of
build/pith-disk.img (`make image`: hello.app, bmhello.app, bmhello.bin,
faulty.app, filetest.app) in the test's own directory, so a test that
writes to it leaves the build untouched; q35 attaches it as
virtio-blk-pci, microvm as virtio-blk-device.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pith import PROMPT, READY, REPO, kernel_path, line, require_file

TIMEOUT = 240       # the whole life of one VM (TCG on a busy host)
STALL = 60          # the longest wait for one command's prompt
MACHINES = ("microvm", "q35")
BLK = {"q35": "virtio-blk-pci", "microvm": "virtio-blk-device"}
NET = {"q35": "virtio-net-pci", "microvm": "virtio-net-device"}
TRANSPORT = {"q35": "pci", "microvm": "mmio"}
MAC = "52:54:00:12:34:56"
PROGRAMS = ("hello.app", "bmhello.app", "bmhello.bin", "faulty.app", "filetest.app")
COMMANDS = ("help", "ver", "echo", "time", "ticks", "delay", "dir", "run", "load",
            "exec", "mem", "cpu", "net", "disk", "dump", "peek", "poke", "shutdown",
            "reboot")
EXIT = re.compile(r"^exit code (\d+)$", re.M)
UP, DOWN, LEFT, END = "\x1b[A", "\x1b[B", "\x1b[D", "\x1b[F"
API_ADDR = 0x100040          # include/pith/api.h: PITH_API_ADDR
API_MAGIC = 0x4950412048544950   # "PITH API"


def monitor_kernel():
    path = os.environ.get("PITH_MONITOR")
    return require_file(Path(path) if path else kernel_path(),
                        "build it first (make, or make APP=apps/monitor and "
                        "PITH_MONITOR=build/app-monitor/pith.elf)")


def disk_image():
    return require_file(REPO / "build" / "pith-disk.img", "build it first (make image)")


class Monitor:
    """A booted Monitor: do() types a command and returns what it printed."""

    def __init__(self, vm, mark):
        self.vm = vm
        self.mark = mark        # where the output not yet returned starts

    def until_prompt(self, timeout=STALL):
        """Everything printed since the last prompt (or the boot's ready:
        line) up to the next prompt, newlines as \\n."""
        m = self.vm.expect(PROMPT, timeout=timeout)
        text = self.vm.output[self.mark:m.start()].replace("\r\n", "\n")
        self.mark = m.end()
        return text

    def type(self, keys, timeout=STALL):
        """Types keys (no Enter added); returns the output up to the next
        prompt without the echoed input line."""
        self.vm.send(keys)
        text = self.until_prompt(timeout)
        return text.split("\n", 1)[1] if "\n" in text else ""

    def do(self, command, timeout=STALL):
        return self.type(command + "\r", timeout)


def bmfs(*args):
    """Runs the host tool build/bmfs (`make build/bmfs`)."""
    tool = require_file(REPO / "build" / "bmfs", "build it first (make build/bmfs)")
    subprocess.run([str(tool), *map(str, args)], check=True, capture_output=True)


def make_disk(tmp_path, machine, files):
    """A copy of the disk image with files ({name: bytes, or the name of a
    file on the image to copy}) added."""
    img = tmp_path / f"disk-{machine}.img"
    shutil.copyfile(disk_image(), img)
    for name, content in files.items():
        host = tmp_path / f"add-{name}"
        if isinstance(content, str):
            bmfs(img, "read", content, host)
        else:
            host.write_bytes(content)
        bmfs(img, "write", name, host)
    return img


def start(boot, tmp_path, machine="microvm", smp=2, cmdline="quiet", disk=True,
          nic=False, files=None):
    """Boots the Monitor; returns it with the output up to its first prompt."""
    extra = []
    if disk:
        img = make_disk(tmp_path, machine, files or {})
        extra += ["-drive", f"if=none,id=d0,file={img},format=raw",
                  "-device", f"{BLK[machine]},drive=d0"]
    if nic:
        extra += ["-netdev", "hubport,id=n0,hubid=0",
                  "-device", f"{NET[machine]},netdev=n0,mac={MAC}"]
    vm = boot(kernel=monitor_kernel(), machine=machine, smp=smp, mem="128M",
              cmdline=cmdline, timeout=TIMEOUT, extra=extra)
    ready = vm.expect(READY, timeout=STALL)
    mon = Monitor(vm, ready.end())
    return mon, mon.until_prompt()


@pytest.fixture
def monitor(boot, tmp_path):
    """A microvm Monitor with the disk, at its prompt."""
    return start(boot, tmp_path)[0]


def exit_code(text):
    codes = EXIT.findall(text)
    assert len(codes) == 1, f"want one 'exit code N' line in:\n{text}"
    return int(codes[0])


def staging_address(mon):
    m = re.search(r"^staging +\d+ \w+ at 0x([0-9a-f]+)", mon.do("mem"), re.M)
    assert m, "mem does not show the staging buffer"
    return int(m[1], 16)


# ---- commands -----------------------------------------------------------------

def test_help_lists_commands(monitor):
    text = monitor.do("help")
    for word in COMMANDS:
        assert re.search(rf"^  {word}\b", text, re.M), f"help does not list {word}"


@pytest.mark.parametrize("machine", MACHINES)
def test_dir_lists_programs(boot, tmp_path, machine):
    mon, _ = start(boot, tmp_path, machine)
    text = mon.do("dir")
    for name in PROGRAMS:
        m = re.search(rf"^{re.escape(name)} +(\d+)  (\d+) MiB$", text, re.M)
        assert m, f"dir does not list {name}:\n{text}"
        assert int(m[1]) > 0 and int(m[2]) >= 2, f"{name}: size {m[1]}, reserved {m[2]} MiB"
    m = re.search(r"^(\d+) files, (\d+) bytes$", text, re.M)
    assert m and int(m[1]) >= len(PROGRAMS), text


@pytest.mark.parametrize("machine", MACHINES)
def test_run_hello_with_arguments(boot, tmp_path, machine):
    mon, _ = start(boot, tmp_path, machine)
    text = mon.do("run hello alpha beta")
    assert text.startswith("hello from hello\nargv[1] = alpha\nargv[2] = beta\n"), text
    assert exit_code(text) == 2               # hello's exit code: its argument count
    text = mon.do("run hello.app gamma")      # the full name works too
    assert "argv[1] = gamma" in text and exit_code(text) == 1
    assert exit_code(mon.do("run hello exit=255")) == 255


def test_arguments_survive_interrupts(monitor):
    """Keys typed while a program runs interrupt it (COM1's receive
    interrupt) on the program's stack: its argv must not be in the way."""
    words = [f"arg{i}" for i in range(1, 9)]
    for _ in range(3):
        monitor.vm.send(f"run hello {' '.join(words)}\r" + "x" * 2000 + "\x15\r")
        text = monitor.until_prompt()
        want = "".join(f"argv[{i}] = {w}\n" for i, w in enumerate(words, 1))
        assert f"hello from hello\n{want}exit code 8\n" in text, text
        monitor.until_prompt()      # the line of x's, killed by Ctrl-U


def test_run_missing_program(monitor):
    assert monitor.do("run nosuch 1 2") == "run: nosuch: no such file (ENOENT)\n"
    assert monitor.do("run").startswith("usage: run NAME")
    long_name = "x" * 40
    assert "ENAMETOOLONG" in monitor.do(f"run {long_name}")


def test_bad_elf_refused(boot, tmp_path):
    """An ELF file the loader cannot take is refused with the reason, and
    the Monitor goes on."""
    bad = b"\x7fELF\x02\x01\x01" + bytes(57) + b"garbage" * 100
    mon, _ = start(boot, tmp_path, files={"bad.app": bad})
    text = mon.do("run bad.app")
    assert text.endswith("run: bad.app: not a program Pith can load (ENOEXEC)\n"), text
    assert exit_code(mon.do("run hello")) == 0


def test_run_faulty_then_go_on(monitor):
    text = monitor.do("run faulty")
    assert "FAULT" in text, f"no fault report:\n{text}"
    assert re.search(r"^faulty\.app faulted and was stopped", text, re.M), text
    assert not EXIT.search(text)
    assert monitor.do("echo still alive") == "still alive\n"
    assert exit_code(monitor.do("run hello again")) == 1


def test_fault_in_a_callback_ends_only_the_callback(monitor):
    """A program's timer callback faults inside the interrupt: the report
    names the callback, the kernel stops calling it and ends the interrupt
    (else core 0 would take no interrupt again and the Monitor would hang),
    and the program itself runs on to its own exit code."""
    text = monitor.do("run faulty callback")
    assert re.search(r"^callback of program faulty\.app$", text, re.M), text
    assert "faulty: callback ran once, then was stopped" in text, text
    assert exit_code(text) == 7, text
    assert monitor.do("echo still alive") == "still alive\n"
    assert "ticks" in monitor.do("help")


def test_load_and_exec(monitor):
    assert monitor.do("exec") == "exec: nothing loaded (load NAME first)\n"
    text = monitor.do("load hello")
    m = re.search(r"^loaded hello\.app: (\d+) bytes at 0x[0-9a-f]+$", text, re.M)
    assert m and int(m[1]) > 0, text
    assert re.search(rf"^staging .*holds hello\.app \({m[1]} bytes\)$",
                     monitor.do("mem"), re.M)
    for words in (["one", "two"], ["three"], []):   # one load, many runs
        text = monitor.do(" ".join(["exec", *words]))
        assert text.startswith("hello from hello.app\n"), text
        assert all(f"] = {w}\n" in text for w in words), text
        assert exit_code(text) == len(words)
    assert "no such file (ENOENT)" in monitor.do("load nosuch")


def test_filetest_passes(monitor):
    """filetest exercises the file calls on the (copied) disk."""
    assert exit_code(monitor.do("run filetest", timeout=120)) == 0


def test_baremetal_programs(monitor):
    """bmhello in both BareMetal forms: ELF and a flat binary."""
    for name in ("bmhello.app", "bmhello.bin"):
        text = monitor.do(f"run {name}")
        assert exit_code(text) == 0, f"{name}:\n{text}"
    text = monitor.do("load bmhello.bin")
    assert text.startswith("loaded bmhello.bin"), text
    assert exit_code(monitor.do("exec")) == 0


def test_unknown_command_and_bad_arguments(monitor):
    assert monitor.do("frobnicate 1 2") == "unknown command: frobnicate (try help)\n"
    for bad in ("ticks 0", "ticks x", "delay -1", "shutdown 64", "dump 1000",
                "dump zz 16", "peek", "poke 1000", "load", "cpu 1", "time now"):
        assert monitor.do(bad).startswith("usage: "), f"{bad!r} gave no usage line"
    words = " ".join(["w"] * 40)
    assert monitor.do(f"echo {words}") == "too many words: at most 32\n"


def test_echo_time_ticks_delay(monitor):
    """The boot console's commands, as tests/system/test_console.py has them."""
    assert monitor.do("echo  spaced   out") == "spaced   out\n"
    assert re.fullmatch(r"uptime \d+ ns, tsc \d+ MHz\n", monitor.do("time"))
    m = re.fullmatch(r"ticks 10 in (\d+) us\n", monitor.do("ticks 10"))
    assert m and int(m[1]) >= 50_000
    assert monitor.do("delay 1000") == "delayed 1000 us\n"


# ---- line editing -------------------------------------------------------------

def test_history_up_arrow_reruns(monitor):
    monitor.do("echo first")
    monitor.do("echo second")
    assert monitor.type(UP + "\r") == "second\n"
    assert monitor.type(UP + UP + "\r") == "first\n"      # the last line is "echo first" now
    assert monitor.type(UP + UP + DOWN + "\r") == "first\n"
    assert monitor.type(UP + "\x15echo third\r") == "third\n"   # recalled, then cleared


def test_history_keeps_sixteen(monitor):
    for i in range(20):
        monitor.do(f"echo n{i}")
    assert monitor.type(UP * 16 + "\r") == "n4\n"
    assert monitor.type(UP * 30 + "\r") == "n5\n"         # stops at the oldest


def test_backspace_and_kill_line(monitor):
    assert monitor.type("echoo\x7f hi\r") == "hi\n"
    assert monitor.type("echo abc\b\bz\r") == "az\n"
    assert monitor.type("garbage here\x15echo clean\r") == "clean\n"
    assert monitor.type("eho" + LEFT + LEFT + "c" + END + " mid\r") == "mid\n"
    assert monitor.type("echo lost\x03") == ""              # Ctrl-C abandons the line
    assert monitor.do("echo after") == "after\n"


def test_long_line_and_junk(monitor):
    """A 300-character line is cut to 255; control and non-ASCII bytes (with
    Ctrl-C, Ctrl-P and stray escape sequences among them) neither hang nor
    wedge the Monitor."""
    assert monitor.do("x" * 300) == f"unknown command: {'x' * 255} (try help)\n"
    junk = bytes(b for b in range(256) if b not in (10, 13)) * 2
    monitor.vm.send(junk + b"\recho still alive\r")
    monitor.vm.expect(line("still alive"))
    monitor.vm.expect(PROMPT)


# ---- memory -------------------------------------------------------------------

def test_dump_and_peek_refuse_bad_addresses(monitor):
    for cmd in ("dump 0 16", "dump 0xff0 16", "peek 0", "peek 8 8", "poke 0 1",
                "poke 0x10 1 1", "dump 0x8000000000000000 16",
                "dump 0x7ffffffffff0 32", "dump 0xffffffffffffff00 512",
                "dump 0xffff900000000000 16"):
        assert "refused" in monitor.do(cmd), f"{cmd!r} was not refused"
    assert monitor.do("dump 0x1000 65537").startswith("usage: ")
    assert monitor.do("dump 0x1000 0").startswith("usage: ")
    assert "multiple of the size" in monitor.do("peek 0x1001 4")
    assert "SIZE must be" in monitor.do("peek 0x1000 3")
    assert "does not fit" in monitor.do("poke 0x1000 256 1")


def test_dump_unmapped_address_is_survived(monitor):
    text = monitor.do("dump 0x7f0000000000 16")
    assert "FAULT" in text and "cannot read 0x7f0000000000" in text, text
    assert "cannot read" in monitor.do("peek 0x7f0000000000")
    assert monitor.do("echo still alive") == "still alive\n"


def test_dump_shows_the_api_table(monitor):
    text = monitor.do(f"dump {API_ADDR:x} 16")
    assert re.fullmatch(rf"{API_ADDR:016x}  50 49 54 48 20 41 50 49  01 00 00 00 "
                        r"[0-9a-f]{2} 00 00 00 \|PITH API.{8}\|\n", text), text
    assert monitor.do(f"peek {API_ADDR:#x}") == f"{API_ADDR:#x}: {API_MAGIC:#018x} ({API_MAGIC})\n"
    assert monitor.do(f"peek {API_ADDR + 8:#x} 4") == f"{API_ADDR + 8:#x}: 0x00000001 (1)\n"
    rows = monitor.do("dump 0x100000 100").splitlines()
    assert len(rows) == 7 and rows[-1].startswith("0000000000100060  ")


def test_poke_then_peek(monitor):
    addr = staging_address(monitor)
    text = monitor.do(f"poke {addr:x} 0x1234 2")
    assert "warning" in text and f"wrote 0x1234 at {addr:#x}" in text, text
    assert monitor.do(f"peek {addr:x} 2") == f"{addr:#x}: 0x1234 (4660)\n"
    monitor.do(f"poke {addr + 8:x} 0xfedcba9876543210")
    assert monitor.do(f"peek {addr + 8:x}") == \
        f"{addr + 8:#x}: 0xfedcba9876543210 ({0xfedcba9876543210})\n"


# ---- the machine ----------------------------------------------------------------

@pytest.mark.parametrize("machine,smp", [("microvm", 2), ("q35", 3)])
def test_machine_info(boot, tmp_path, machine, smp):
    mon, _ = start(boot, tmp_path, machine, smp=smp, nic=True)
    text = mon.do("cpu")
    assert re.match(rf"cores {smp} \(the Monitor runs on core 0\)\n", text), text
    assert len(re.findall(r"^core \d+: apic \d+, tasks \d+, faulted \d+, busy \d+ ms, "
                          r"idle \d+ ms$", text, re.M)) == smp, text
    text = mon.do("mem")
    free = int(re.search(r"^free RAM +(\d+) bytes", text, re.M)[1])
    area = int(re.search(r"^program area (\d+) bytes \(\d+ MiB\) at "
                         r"0xffff800000000000$", text, re.M)[1])
    assert 32 << 20 < free <= area < 128 << 20, text
    text = mon.do("disk")
    m = re.match(rf"disk0 {TRANSPORT[machine]} (\d+) sectors \(.*\) rw", text)
    assert m and int(m[1]) * 4096 == disk_image().stat().st_size, text
    assert re.search(r"^  reads [1-9]\d* \(\d+ sectors\)", text, re.M), text
    text = mon.do("net")
    assert re.match(rf"net0 {TRANSPORT[machine]} {MAC} link up mtu 1500", text), text
    assert re.search(r"^  rx \d+ frames \d+ bytes, drops \d+ errors \d+; tx ", text, re.M)
    text = mon.do("ver")
    assert re.search(r"^Pith monitor [\d.]+; built for API version 1", text, re.M), text
    assert re.search(rf"^kernel: API version 1 \(\d+ calls\) at {API_ADDR:#x}$", text, re.M)


def test_no_disk_no_nic(boot, tmp_path):
    mon, _ = start(boot, tmp_path, disk=False)
    assert mon.do("disk") == "no drives\n"
    assert mon.do("net") == "no NICs\n"
    assert mon.do("dir") == "dir: drive 0: no such drive or device (ENODEV)\n"
    assert "ENODEV" in mon.do("run hello")


# ---- start and end ------------------------------------------------------------

def test_command_line_runs_program(boot, tmp_path):
    """`-- hello x y` runs hello x y at boot, then the prompt comes."""
    mon, before = start(boot, tmp_path, cmdline="quiet -- hello x y")
    assert "hello from hello\nargv[1] = x\nargv[2] = y\n" in before, before
    assert exit_code(before) == 2
    assert mon.do("echo then") == "then\n"


def test_init_app_runs_at_boot(boot, tmp_path):
    mon, before = start(boot, tmp_path, files={"init.app": "hello.app"})
    assert "hello from init.app\n" in before and exit_code(before) == 0, before
    assert mon.do("echo then") == "then\n"


def test_command_line_wins_over_init_app(boot, tmp_path):
    mon, before = start(boot, tmp_path, cmdline="quiet -- hello first",
                        files={"init.app": "faulty.app"})
    assert "argv[1] = first" in before and "FAULT" not in before, before
    assert exit_code(before) == 1


def test_command_line_missing_program(boot, tmp_path):
    mon, before = start(boot, tmp_path, cmdline="quiet -- nosuch")
    assert "run: nosuch: no such file (ENOENT)" in before
    assert mon.do("echo then") == "then\n"


def test_shutdown_code(monitor):
    monitor.vm.command("shutdown 3")
    monitor.vm.expect(line(r"powering off \(exit code 3\)"))
    assert monitor.vm.wait_exit() == 3


def test_reboot(monitor):
    monitor.vm.command("reboot")
    assert monitor.vm.wait_exit() is None
