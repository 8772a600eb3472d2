"""Rust programs (lib/rust/pith, apps/hello-rust, apps/panic-rust) run by
the Monitor from a copy of build/pith-disk.img, which `make image` builds
with hello-rust.app and panic-rust.app on it (docs/PROGRAMS.md, "Rust").

- hello-rust: arguments, alloc's Vec/String/BTreeMap, a task on the other
  core, tasks with JoinHandles and without, heap reuse, the clocks, drive 0
  (a sector, the files, errors of bad requests, a file written, read back
  and deleted) and the NIC; its exit code is its argument count.
- panic-rust: a panic prints `panic-rust: panicked at 'MESSAGE', FILE:LINE:COL`
  (the line of the panic! in its source) and the program ends with exit
  code 101; the Monitor goes on. A panic in a task stops only that task
  (a reported fault); a failed allocation and process::exit end the
  program with their codes.

The Monitor is driven as in test_monitor.py (its start() and exit_code()).
"""

import re

import pytest

from pith import REPO
from test_monitor import MAC, MACHINES, TRANSPORT, exit_code, start

PANIC_SRC = REPO / "apps" / "panic-rust" / "src" / "lib.rs"
SMP = 2


def panic_location():
    """src/lib.rs:LINE:COL of the panic! in panic-rust's main, from the
    source itself, as Rust's panic location gives it (1-based)."""
    for n, text in enumerate(PANIC_SRC.read_text().splitlines(), 1):
        col = text.find('panic!("on purpose')
        if col >= 0:
            return f"src/lib.rs:{n}:{col + 1}"
    raise AssertionError(f"no panic!(\"on purpose ...) in {PANIC_SRC}")


def rust_monitor(boot, tmp_path, machine, nic=False):
    mon, _ = start(boot, tmp_path, machine, smp=SMP, nic=nic)
    listing = mon.do("dir")
    for name in ("hello-rust.app", "panic-rust.app"):
        assert re.search(rf"^{re.escape(name)} +\d+", listing, re.M), \
            f"{name} is not on build/pith-disk.img (make image):\n{listing}"
    return mon


def check_hello(text, words, machine, nic=False, name="hello-rust"):
    """hello-rust's output for `run NAME WORDS` on machine."""
    want = "".join(f"argv[{i}] = {w}\n" for i, w in enumerate(words, 1))
    assert text.startswith(f"hello from {name}\n{want}"), text
    joined = " ".join(sorted(words))
    assert f"\nsorted: [{joined}]\n" in text, text
    letters = {}
    for c in joined.replace(" ", ""):
        letters[c] = letters.get(c, 0) + 1
    shown = ", ".join(f"'{c}': {n}" for c, n in sorted(letters.items()))
    assert f"\nletters: {{{shown}}}\n" in text, text
    m = re.search(r"^task: sum 1\.\.=1000 = 500500 on core (\d+)$", text, re.M)
    assert m, text
    assert int(m[1]) != 0, f"the task ran on the program's core:\n{text}"
    assert re.search(rf"^tasks: {4 * SMP} parts, sum of squares below \d+ = \d+ \(ok\)$",
                     text, re.M), text
    assert "\ntasks: enqueue and spawn_fn added 6050, 0 faulted\n" in text, text
    assert re.search(r"^heap: 2 x 100000 allocations \(\d+ bytes\), the second grew it "
                     r"by 0 bytes \(\d+ MiB heap\)$", text, re.M), text
    m = re.search(r"^time: delay 1000 us took (\d+) us, wall clock "
                  r"(\d{4})-\d\d-\d\dT\d\d:\d\d:\d\dZ$", text, re.M)
    assert m and int(m[1]) >= 1000 and int(m[2]) >= 2000, text
    app = name if name.endswith(".app") else f"{name}.app"
    assert re.search(rf"^disk: drive 0 {TRANSPORT[machine]} \d+ sectors, tag BMFS, \d+ files, "
                     rf"{re.escape(app)} an ELF file$", text, re.M), text
    assert "\ndisk: errors Some(NotFound) Some(NameTooLong) Some(NoDevice) Some(Range)\n" \
        in text, text
    assert ("\nfiles: hello-rust.tmp 10000 bytes read back the same; create again "
            "Some(Exists), write past reserve Some(NoSpace), after delete Some(NotFound)\n"
            in text), text
    assert f"\nnet: {int(nic)} interfaces\n" in text, text
    if nic:
        assert re.search(rf"^net0: {TRANSPORT[machine]} {MAC} link up mtu 1500, rx \d+ frames; "
                         r"waiting: (nothing|a frame of \d+ bytes)$", text, re.M), text
    assert "\nnet: rx into 64 bytes: Some(Invalid), tx on net9: Some(NoDevice)\n" in text, text
    assert exit_code(text) == len(words)


@pytest.mark.parametrize("machine", MACHINES)
def test_hello_then_panic_then_go_on(boot, tmp_path, machine):
    mon = rust_monitor(boot, tmp_path, machine, nic=True)
    check_hello(mon.do("run hello-rust zebra apple b"), ["zebra", "apple", "b"], machine, True)

    text = mon.do("run panic-rust")
    want = f"panic-rust: panicked at 'on purpose: 42 is not 41', {panic_location()}\n"
    assert text == f"panic-rust: about to panic\n{want}exit code 101\n", text

    assert mon.do("echo still alive") == "still alive\n"
    check_hello(mon.do("run hello-rust.app"), [], machine, True, "hello-rust.app")


def test_panic_in_task_oom_and_exit(boot, tmp_path):
    mon = rust_monitor(boot, tmp_path, "microvm")

    text = mon.do("run panic-rust task")
    assert re.search(r"^panic-rust: panicked at 'in a task on core (\d+)', src/lib\.rs:\d+:\d+ "
                     r"\(in a task on core \1: the task is stopped\)$", text, re.M), text
    assert "FAULT #UD" in text, f"no fault report for the stopped task:\n{text}"
    assert "panic-rust: join: EFAULTED\n" in text, text
    assert "panic-rust: after it, another task gave Ok(7)\n" in text, text
    assert exit_code(text) == 3

    text = mon.do("run panic-rust oom")
    assert text == ("panic-rust: memory allocation of 1099511627776 bytes failed\n"
                    "exit code 101\n"), text

    text = mon.do("run panic-rust exit 7")
    assert text == "exit code 7\n", text          # nothing after exit() ran
    assert exit_code(mon.do("run panic-rust exit 0")) == 0

    assert "usage: panic-rust" in mon.do("run panic-rust bogus")
    check_hello(mon.do("run hello-rust again"), ["again"], "microvm")
