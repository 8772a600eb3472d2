"""pytest glue for the system tests: a `boot` fixture and console reports.

`boot(**kwargs)` starts a Pith (see pith.py) and guarantees it is killed when
the test ends, pass or fail. When a test fails, the console output of every
VM it started is attached to the report, so the failure reads on its own.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pith  # noqa: E402


@pytest.fixture
def boot(request):
    """Factory: boot(machine=..., cmdline=..., ...) -> a started Pith."""
    vms = []
    request.node.pith_vms = vms

    def start(**kwargs):
        vm = pith.Pith(**kwargs)
        vms.append(vm)
        return vm.start()

    yield start
    for vm in vms:
        vm.kill()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, add each VM's command, timing and console to the report."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or report.passed:
        return
    for i, vm in enumerate(getattr(item, "pith_vms", [])):
        if vm.args is None:
            continue
        ready = vm.ready_after
        text = (f"$ {' '.join(map(str, vm.args))}\n"
                f"ready after: {'-' if ready is None else f'{ready:.3f} s'}\n"
                f"stderr: {vm.stderr.strip()}\n\n{vm.output}")
        report.sections.append((f"Captured console vm{i}", text))
