"""Boot Pith with several cores and run the work queue's self-test in it.

apps/wqtest is the in-guest half: it prints `wqtest: N cores`, one
`wqtest: NAME (X ms) ok` or `wqtest: NAME (X ms) FAIL: why` line per check,
and `wqtest: done, F failed`, then returns F as its exit code. Three of its
tasks fault on purpose (a write to address 8): each must be reported as a
#PF in task `faulty` and end only that task (`task stopped; core N goes on`,
docs/BOOT-CONTRACT.md "Fault report"), with the machine running on to a
clean exit. The default kernel must bring every core online too.

Boots with 8 vCPUs can be very slow on a loaded host (TCG runs them on the
host's cores in turn), hence the generous timeouts.
"""

import os
import re
from pathlib import Path

import pytest

from pith import READY, REPO, line, require_file

CHECK = re.compile(r"^wqtest: (\S+) \((\d+) ms\) (ok|FAIL.*?)\r?$", re.M)
DONE = line(r"wqtest: done, (\d+) failed")
FAULT = re.compile(r"^FAULT (.*?) on core (\d+): error (0x[0-9a-f]+) "
                   r"cr2 (0x[0-9a-f]+)\r?$", re.M)
TASK_STOPPED = re.compile(r"^task stopped; core (\d+) goes on\r?$", re.M)
FAULTY_TASKS = 3
# Every check apps/wqtest/wqtest.c makes; each must be printed, and say ok.
CHECKS = """enqueue-null set-self set-missing million-wait million-exactly-once
    million-counted nested-enqueue full-capacity full-refusal full-nothing-lost
    wait-returns-after-all spin-lock-exact ticket-lock-exact fault-count
    fault-others-ran fault-cores-recover wait-inside-task""".split()

BOOTS = [("microvm", 1), ("microvm", 2), ("microvm", 4), ("microvm", 8),
         ("q35", 2), ("q35", 8)]


def wqtest_image():
    """The wqtest unikernel: $PITH_WQTEST, else build/app-wqtest/pith.elf."""
    default = REPO / "build" / "app-wqtest" / "pith.elf"
    return require_file(Path(os.environ.get("PITH_WQTEST", default)),
                        "build it first (make app-wqtest)")


def boot_timeout(smp):
    return 240 if smp >= 8 else 120


def check_results(output):
    """Every expected check printed and ok; returns {name: ms}."""
    checks = CHECK.findall(output)
    failed = [f"wqtest: {n} ({ms} ms) {r}" for n, ms, r in checks if r != "ok"]
    assert not failed, "checks failed:\n" + "\n".join(failed)
    names = [n for n, _, _ in checks]
    missing = [n for n in CHECKS if n not in names]
    assert not missing, f"checks never printed: {missing}"
    twice = sorted({n for n in names if names.count(n) > 1})
    assert not twice, f"checks printed more than once: {twice}"
    return {n: int(ms) for n, ms, _ in checks}


def fault_reports(output):
    """Each FAULT report as (FAULT match, its text up to its last line)."""
    reports = []
    heads = list(FAULT.finditer(output))
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(output)
        stop = TASK_STOPPED.search(output, head.end(), end)
        text = output[head.start():stop.end() if stop else end]
        reports.append((head, stop, text))
    return reports


def check_faults(output, smp):
    """The deliberate faults: reported whole, each ending only its task."""
    reports = fault_reports(output)
    assert len(reports) == FAULTY_TASKS, \
        f"{len(reports)} FAULT reports, expected {FAULTY_TASKS}"
    for head, stop, text in reports:
        assert head[1] == "#PF page fault", f"not a page fault:\n{text}"
        assert int(head[4], 16) == 8, f"cr2 is not 8:\n{text}"
        assert int(head[2]) < smp, f"no such core:\n{text}"
        assert re.search(r"^task faulty\+0x[0-9a-f]+\r?$", text, re.M), \
            f"no `task faulty+...` line:\n{text}"
        assert stop, f"no `task stopped; core N goes on` line:\n{text}"
        assert stop[1] == head[2], f"stopped a different core:\n{text}"
    assert not re.search(r"^(stopped: exit code|PANIC)", output, re.M), \
        "the machine stopped on a task's fault"
    # The reports come while the faulting tasks run, before their check.
    fault_count = re.search(r"^wqtest: fault-count ", output, re.M)
    assert reports[-1][1].end() < fault_count.start(), \
        "a FAULT report came after b_smp_wait had returned"


@pytest.mark.parametrize("machine,smp", BOOTS,
                         ids=[f"{m}-smp{n}" for m, n in BOOTS])
def test_wqtest(boot, machine, smp):
    """The self-test passes on smp cores; its faults end only their tasks."""
    timeout = boot_timeout(smp)
    vm = boot(machine=machine, smp=smp, cmdline="quiet", kernel=wqtest_image(),
              timeout=timeout)
    assert int(vm.expect(READY, timeout=timeout)[1]) == smp
    assert int(vm.expect(line(r"wqtest: (\d+) cores"), timeout=timeout)[1]) == smp
    failed = int(vm.expect(DONE, timeout=timeout)[1])
    code = vm.wait_exit(timeout=timeout)
    times = check_results(vm.output)
    assert failed == 0, f"wqtest: done, {failed} failed"
    check_faults(vm.output, smp)
    assert code == 0, f"exit code {code}"
    print(f"{machine} smp {smp}: " +
          " ".join(f"{n} {ms}" for n, ms in times.items()) + " (ms)")


def test_default_kernel_brings_all_cores_online(boot):
    """The default image starts every core it was given (microvm, 4 cores)."""
    vm = boot(machine="microvm", smp=4, cmdline="then=shutdown",
              timeout=boot_timeout(4))
    smp = vm.expect(line(r"smp\s+(\d+) of (\d+) cores online; "
                         r"\d+ KiB of kernel stacks"), timeout=120)
    assert (smp[1], smp[2]) == ("4", "4"), smp[0]
    assert int(vm.expect(READY, timeout=120)[1]) == 4
    assert "did not start" not in vm.output
    assert vm.wait_exit(timeout=120) == 0
