"""Report, at the end of a run under nbval, each notebook's exercises and time, and
hold the solution notebooks to writing nothing to stderr.

- Exercises: every check cell (`check.rnn_step(rnn_step)` and so on) with its exercise
  number and title from the heading above it, and its result: correct, not attempted,
  or wrong with the check's message. A student checking a notebook from a terminal
  gets one line per exercise instead of a traceback per cell.
- Times: nbval turns every cell into a test item, so pytest's --durations lists cells.
  This adds one line per notebook, the sum of its cells' setup, call and teardown
  times (the kernel's start included), and the total. It reports; it asserts nothing
  about time.
- Printed text: what each code cell printed under nbval is kept, by notebook path
  and cell id, in `config.course_printed`, so that a test can compare another run of
  the same notebook with it (tests/test_notebooks.py does) instead of running the
  notebook once more.
- Stderr: a cell of a solution notebook that writes to stderr (a warning, a findfont
  error) fails, as a cell showing an error would in JupyterLab; the student copies'
  cells may (a student's own code may warn).

It also gives the notebooks' kernels the environment `course.py` gives them, for runs
that call pytest directly (`.venv/bin/python -m pytest --nbval-lax notebooks/...`):
matplotlib's font cache kept inside the virtual environment (a cache elsewhere can
hold paths into a deleted environment, and mathtext then prints findfont errors), and
one BLAS thread per process unless set otherwise.
"""

import os
import re
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

import pytest

if sys.prefix != sys.base_prefix:  # in a virtual environment, as course.py sets it up
    os.environ.setdefault("MPLCONFIGDIR", str(Path(sys.prefix) / "matplotlib"))
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

_SOLUTIONS = ("notebooks", "solutions")  # the folder of the solution notebooks
_notebook_seconds = defaultdict(float)
BUDGET_SECONDS = 60  # each notebook should stay well under a minute (DESIGN.md)
_exercises = defaultdict(list)  # notebook path -> [(exercise, result, message)]
_CHECK_CELL = re.compile(r"check\.\w+\(.*\)")
_HEADING = re.compile(r"^#+ *Exercise (\d+\.\d+)\W*(.*)$", re.MULTILINE)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_EXCEPTION = re.compile(r"^(?:[\w.]+\.)?(\w+): (.*)")


def _exercise_title(item):
    """'1.1 one RNN step' from the last exercise heading above the item's cell."""
    title = ""
    for cell in item.parent.nb.cells:
        if cell is item.cell:
            return title
        if cell.cell_type == "markdown":
            for number, name in _HEADING.findall(cell.source):
                title = f"{number} {name.strip()}"
    return title


def _failure(excinfo):
    """(result, message) from a check cell's exception, as the kernel printed it."""
    text = _ANSI.sub("", getattr(excinfo.value, "inner_traceback", None) or "")
    lines = text.strip().splitlines()
    for k, line in enumerate(lines):
        match = _EXCEPTION.match(line)
        if match and not line.startswith("Traceback"):
            name, first = match.groups()
            message = "\n".join([first, *lines[k + 1 :]]).strip()
            if name == "NotAttempted":
                return "not attempted", ""
            if name == "CheckFailed":
                return "wrong", message
            return "error", f"{name}: {message}"
    return "error", str(excinfo.value).strip()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    cell = getattr(item, "cell", None)
    if call.when != "call" or cell is None or not hasattr(item.parent, "nb"):
        return
    outputs = getattr(item, "test_outputs", None) or []
    printed = item.config.__dict__.setdefault("course_printed", {})
    printed.setdefault(Path(str(item.parent.fspath)).resolve(), {})[cell.id] = "".join(
        out.get("text", "") for out in outputs if out.get("output_type") == "stream"
    )
    if not _CHECK_CELL.fullmatch(cell.source.strip()):
        return
    result, message = ("correct", "") if report.passed else _failure(call.excinfo)
    path = report.nodeid.split("::")[0]
    _exercises[path].append((_exercise_title(item) or cell.source, result, message))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    folder = item.path.parent
    if getattr(item, "cell", None) is not None and folder.parts[-2:] == _SOLUTIONS:
        written = [
            o.get("text", "")
            for o in item.test_outputs or ()
            if o.get("output_type") == "stream" and o.get("name") == "stderr"
        ]
        if written:
            item.raise_cell_error("Cell wrote to stderr", "".join(written))
    return result


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _notebook_seconds[path] += report.duration


def pytest_terminal_summary(terminalreporter):
    write = terminalreporter.write_line
    if _exercises:
        terminalreporter.section("exercises")
        counts = defaultdict(int)
        for path, rows in sorted(_exercises.items()):
            write(path)
            for title, result, message in rows:
                counts[result] += 1
                write(f"  {title:<46} {result}")
                for line in message.splitlines():
                    for part in textwrap.wrap(line, 80) or [""]:
                        write(f"      {part}")
        results = ("correct", "wrong", "error", "not attempted")
        parts = [f"{counts[r]} {r}" for r in results if counts[r] or r == "correct"]
        write(f"{sum(counts.values())} exercises: " + ", ".join(parts))
    if not _notebook_seconds:
        return
    terminalreporter.section("notebook execution times")
    for path, seconds in sorted(_notebook_seconds.items()):
        over = "   over the one-minute budget" if seconds > BUDGET_SECONDS else ""
        write(f"{seconds:7.1f} s  {path}{over}")
    write(f"{sum(_notebook_seconds.values()):7.1f} s  all notebooks")
