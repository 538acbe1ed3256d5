"""Report how long each notebook took to run under nbval.

nbval turns every cell into a test item, so pytest's --durations lists cells. This
adds a table at the end of the run: one line per notebook, the sum of its cells'
setup, call and teardown times (the kernel's start included), and the total. It
reports; it asserts nothing about time.

It also gives the notebooks' kernels the environment `course.py` gives them, for runs
that call pytest directly (`.venv/bin/python -m pytest --nbval-lax notebooks/...`):
matplotlib's font cache kept inside the virtual environment (a cache elsewhere can
hold paths into a deleted environment, and mathtext then prints findfont errors), and
one BLAS thread per process unless set otherwise.
"""

import os
import sys
from collections import defaultdict
from pathlib import Path

if sys.prefix != sys.base_prefix:  # in a virtual environment, as course.py sets it up
    os.environ.setdefault("MPLCONFIGDIR", str(Path(sys.prefix) / "matplotlib"))
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

_notebook_seconds = defaultdict(float)
BUDGET_SECONDS = 60  # each notebook should stay well under a minute (DESIGN.md)


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _notebook_seconds[path] += report.duration


def pytest_terminal_summary(terminalreporter):
    if not _notebook_seconds:
        return
    write = terminalreporter.write_line
    terminalreporter.section("notebook execution times")
    for path, seconds in sorted(_notebook_seconds.items()):
        over = "   over the one-minute budget" if seconds > BUDGET_SECONDS else ""
        write(f"{seconds:7.1f} s  {path}{over}")
    write(f"{sum(_notebook_seconds.values()):7.1f} s  all notebooks")
