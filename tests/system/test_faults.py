"""Raise each CPU fault on purpose and check the report Pith prints.

The contract (docs/BOOT-CONTRACT.md, "Fault report" and "Exit codes"): a
FAULT line naming the exception, every register, a symbolized stack trace,
then a clean stop with a fixed exit code. Nothing may hang silently.
"""

import re

import pytest

from pith import READY, line

# fault= word -> (how the FAULT line names it, exit code)
FAULTS = {
    "de": ("#DE", 64),
    "ud": ("#UD", 70),
    "gp": ("#GP", 77),
    "pf": ("#PF", 78),
    "stack": ("stack overflow", 96),
}
REGISTERS = ("rax rbx rcx rdx rsi rdi rbp rsp r8 r9 r10 r11 r12 r13 r14 r15 "
             "rip rflags cs ss cr0 cr2 cr3 cr4").split()
STOPPED = line(r"stopped: exit code (\d+)")
FRAME = r"0x[0-9a-fA-F]+\s+<?([A-Za-z_][\w.]*)\+0x[0-9a-fA-F]+"


def fault_report(boot, machine, fault):
    """Boot with fault=<fault>; return (FAULT line match, report text, vm)."""
    vm = boot(machine=machine, cmdline=f"fault={fault}", timeout=30)
    vm.expect(READY)
    name = re.escape(FAULTS[fault][0])
    head = vm.expect(rf"^FAULT {name}\b.* on core (\d+):")
    stop = vm.expect(STOPPED)
    return head, vm.output[head.start():stop.end()], vm


def check_report(boot, machine, fault):
    """Everything the contract promises about one fault's report."""
    head, report, vm = fault_report(boot, machine, fault)
    assert head[1] == "0", "the fault runs on the boot core"
    for reg in REGISTERS:
        assert re.search(rf"\b{reg}\b[ =:]*(0x)?[0-9a-fA-F]+", report), \
            f"register {reg} missing from the report"
    assert re.search(r"^stack:", report, re.M), "no stack: section"
    frames = re.findall(FRAME, report.split("stack:", 1)[1])
    assert "kmain" in frames, f"kmain not in the stack trace {frames}"
    assert any("fault" in f for f in frames), f"no fault function in {frames}"
    code = FAULTS[fault][1]
    assert re.search(STOPPED, report, re.M)[1] == str(code)
    assert vm.wait_exit() == code


@pytest.mark.parametrize("fault", FAULTS)
def test_fault_report_microvm(boot, fault):
    check_report(boot, "microvm", fault)


def test_page_fault_report_q35(boot):
    check_report(boot, "q35", "pf")
