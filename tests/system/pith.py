"""Boot Pith in QEMU and talk to it through the serial console.

The system tests check Pith only from outside, as a user would: they read
the console, type commands and look at how QEMU ends (docs/BOOT-CONTRACT.md).
This module is the one place that starts and stops QEMU for them.

Guarantees:
- Every wait is bounded (by its own timeout and by the VM's overall timeout),
  so a hung guest fails the test and never hangs the run.
- QEMU runs in its own session; kill() and leaving the `with` block kill its
  whole process group and reap it, whatever happened before.
- A failed wait raises AssertionError carrying the last ~2000 characters of
  console output, so the failure explains itself.

Exit codes from wait_exit():
- an int 0..127: the kernel wrote that code to isa-debug-exit (QEMU's status
  is code*2+1), e.g. 0 after then=shutdown, 78 after a #PF report;
- None: QEMU ended with status 0 without a code, i.e. ACPI power-off or a
  reset under -no-reboot (how `reboot` looks from outside).
Anything else (QEMU failing to start, a signal, a timeout) raises.
"""

import codecs
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))
import qemu  # noqa: E402  (tools/qemu.py, found through the line above)

TAIL = 2000

# Console patterns from docs/BOOT-CONTRACT.md, for use with Pith.expect().
READY = r"^ready: (\d+) cores, (\d+) MiB RAM, (\d+) us since first instruction\r?\n"
PROMPT = r"pith> "


def line(regex):
    """A pattern matching one whole console line, its end included.

    Not `$`: at the end of what has arrived so far `$` also matches, so a
    half-received line would match too soon.
    """
    return rf"^{regex}\r?\n"


def kernel_path():
    """The kernel under test: $PITH_KERNEL, else build/pith.elf in the repo."""
    return Path(os.environ.get("PITH_KERNEL", REPO / "build" / "pith.elf"))


def iso_path():
    """The ISO under test: $PITH_ISO, else build/pith-test.iso in the repo
    (the Makefile builds it with then=shutdown baked into grub.cfg)."""
    return Path(os.environ.get("PITH_ISO", REPO / "build" / "pith-test.iso"))


def require_file(path, how):
    """Fail (never skip) when a build product is missing: say how to make it."""
    if not Path(path).is_file():
        raise AssertionError(f"{path} does not exist: {how}")
    return Path(path)


class Pith:
    """One QEMU running Pith, driven through its serial console.

    Use as a context manager so QEMU is always killed:
        with Pith(machine="q35", cmdline="then=shutdown") as vm:
            vm.expect(r"ready:")
            assert vm.wait_exit() == 0
    timeout bounds the whole life of the VM; each wait has its own, smaller
    bound too.
    """

    def __init__(self, machine="microvm", smp=1, mem="128M", cmdline="",
                 cpu=None, iso=None, timeout=60, kernel=None, extra=(),
                 disk=None):
        self.machine = machine
        self.smp = smp
        self.mem = mem
        self.cmdline = cmdline
        self.cpu = cpu
        self.iso = iso
        self.disk = disk        # boot this disk image (tools/qemu.py disk=)
        self.timeout = timeout
        self.kernel = kernel
        self.extra = extra
        self.proc = None
        self.args = None
        self.output = ""
        self.stderr = ""
        self.start_time = None
        self.ready_time = None
        self.deadline = None
        self._pos = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.kill()
        return False

    def start(self):
        """Launch QEMU with the serial console on our pipes; note the time."""
        if self.disk is not None:
            require_file(self.disk, "build it first (make image)")
        elif self.iso is None:
            self.kernel = require_file(self.kernel or kernel_path(),
                                       "build the kernel first (make)")
        else:
            require_file(self.iso, "build it first (make build/pith-test.iso)")
        self.args = qemu.qemu_args(
            self.kernel, machine=self.machine, smp=self.smp, mem=self.mem,
            cmdline=self.cmdline, cpu=self.cpu, iso=self.iso,
            extra=self.extra, serial="stdio", disk=self.disk)
        self.start_time = time.monotonic()
        self.deadline = self.start_time + self.timeout
        self.proc = subprocess.Popen(
            self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True)
        os.set_blocking(self.proc.stdin.fileno(), False)
        return self

    @property
    def ready_after(self):
        """Seconds from QEMU's start to the 'ready:' line, or None if unseen."""
        if self.ready_time is None:
            return None
        return self.ready_time - self.start_time

    def expect(self, regex, timeout=30):
        """Wait until regex matches the output since the last match.

        The pattern is searched with re.MULTILINE over output that may end
        mid-line: end a pattern with fixed text or use line(), never a bare
        `$` or an open-ended capture. Returns the match;
        its positions index self.output. Raises AssertionError on timeout
        or when QEMU exits first.
        """
        pattern = re.compile(regex, re.MULTILINE)
        end = self._bound(timeout)
        while True:
            m = pattern.search(self.output, self._pos)
            if m:
                self._pos = m.end()
                return m
            if not self._read_some(end):
                break
        m = pattern.search(self.output, self._pos)
        if m:
            self._pos = m.end()
            return m
        if self._exited():
            why = f"QEMU exited (status {self.proc.returncode})"
        else:
            why = f"timeout ({timeout} s)"
        self._fail(f"{why} before /{regex}/ appeared")

    def send(self, text, timeout=10):
        """Type text on the console. '\\n' becomes '\\r' (the Enter key);
        bytes are sent untouched. QEMU takes input only as fast as the guest
        reads it, so writing is bounded too."""
        if isinstance(text, str):
            text = text.replace("\r\n", "\r").replace("\n", "\r")
            text = text.encode()
        end = self._bound(timeout)
        fd = self.proc.stdin.fileno()
        while text:
            left = end - time.monotonic()
            if left <= 0 or not select.select([], [fd], [], left)[1]:
                self._fail(f"the console took no input for {timeout} s")
            try:
                text = text[os.write(fd, text):]
            except BrokenPipeError:
                self._fail("QEMU closed its console input")

    def command(self, line):
        """Type one command line and press Enter."""
        self.send(line + "\r")

    def wait_exit(self, timeout=30):
        """Wait for QEMU to end; return the kernel's exit code (see above)."""
        end = self._bound(timeout)
        while self._read_some(end):
            pass
        try:
            self.proc.wait(timeout=max(0.1, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            self._fail(f"QEMU still running after {timeout} s")
        self._drain_stderr()
        return self._decode_status(self.proc.returncode)

    def kill(self):
        """Kill QEMU's whole process group and reap it; safe to call twice."""
        if self.proc is None:
            return
        if self.proc.returncode is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=10)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                f.close()
            except OSError:
                pass

    def tail(self, n=TAIL):
        """The last n characters of console output, for failure messages."""
        return self.output[-n:]

    def _decode_status(self, status):
        """Map QEMU's exit status to the kernel's code, None, or a failure."""
        if status == 0:
            return None
        code = qemu.debug_exit_code(status)
        if code is not None and not self._qemu_failed():
            return code
        if status < 0:
            self._fail(f"QEMU killed by signal {-status}")
        self._fail(f"QEMU failed with status {status}")

    def _qemu_failed(self):
        """True if QEMU itself complained (status 1 is also kernel code 0)."""
        for line in self.stderr.splitlines():
            if line.strip() and "warning" not in line:
                return True
        return False

    def _bound(self, timeout):
        """The monotonic time a wait must end: its own and the VM's bound."""
        return min(time.monotonic() + timeout, self.deadline)

    def _exited(self):
        """True once QEMU has exited. Its pipes reach end-of-file a moment
        before it can be reaped, so after that wait (briefly) for the exit."""
        if self.proc.stdout.closed and self.proc.stderr.closed:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        return self.proc.poll() is not None

    def _read_some(self, end):
        """Read whatever the console has, waiting until `end` at most.

        Returns False once the time is up or QEMU's output has ended.
        """
        left = end - time.monotonic()
        if left <= 0:
            return False
        out, err = self.proc.stdout, self.proc.stderr
        fds = [f for f in (out, err) if not f.closed]
        if not fds:
            return False
        ready, _, _ = select.select(fds, [], [], min(left, 0.5))
        if err in ready:
            self._read_stderr()
        if out in ready:
            data = os.read(out.fileno(), 65536)
            if not data:
                out.close()
                return not err.closed
            self._add_output(data)
        return True

    def _add_output(self, data):
        """Append console bytes and note when the 'ready:' line first shows."""
        self.output += self._decoder.decode(data)
        if self.ready_time is None and re.search(READY, self.output, re.M):
            self.ready_time = time.monotonic()

    def _read_stderr(self):
        data = os.read(self.proc.stderr.fileno(), 65536)
        if not data:
            self.proc.stderr.close()
        self.stderr += data.decode(errors="replace")

    def _drain_stderr(self):
        """Read QEMU's remaining error output once it has exited."""
        while not self.proc.stderr.closed:
            self._read_stderr()

    def _fail(self, why):
        """Raise AssertionError with the console tail; QEMU is left to kill()."""
        __tracebackhide__ = True  # pytest: show the test's line, not ours
        if self._exited():
            self._drain_stderr()
        raise AssertionError(
            f"{why}\n--- QEMU: {' '.join(map(str, self.args))}\n"
            f"--- QEMU stderr:\n{self.stderr[-TAIL:]}"
            f"--- last {TAIL} chars of the console:\n{self.tail()}")
