"""Notebook hygiene, student copies up to date, and student copies that run.

The solution notebooks themselves are executed by nbval (see pyproject.toml).
"""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import runs

from utils import release, site

ROOT = Path(__file__).resolve().parents[1]
PAIRS = release.solution_pairs()
SOLUTIONS = [s for s, _ in PAIRS]
NAMES = [s.name for s in SOLUTIONS]


def read(path):
    return nbformat.read(path, as_version=4)


def test_every_notebook_has_its_pair():
    assert len(PAIRS) >= 2
    students = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert students == set(NAMES), (
        "student and solution notebooks must match one to one"
    )
    for name in NAMES:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", name), name


def test_student_copies_are_up_to_date():
    stale = release.release(check_only=True)
    assert not stale, (
        f"out of date: {[str(p.relative_to(ROOT)) for p in stale]}; "
        "run `python -m utils.release` and commit the result"
    )


@pytest.mark.parametrize("path", SOLUTIONS, ids=NAMES)
def test_solution_notebook_structure(path):
    nb = read(path)
    nbformat.validate(nb)
    ids = [c.get("id") for c in nb.cells]
    assert all(ids) and len(set(ids)) == len(ids), "every cell needs a unique id"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    first, setup = nb.cells[0], nb.cells[1]
    number = path.name[:2]
    assert first.cell_type == "markdown" and first.source.startswith(f"# {number} · ")
    for part in ("**Goal:**", "**You will learn**", "**You need:**"):
        assert part in first.source, f"the opening cell lacks {part}"
    assert (
        setup.cell_type == "code" and setup.source == read(SOLUTIONS[0]).cells[1].source
    ), "the setup cell must be the same in every notebook"
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    headings = re.findall(r"^## (.+)$", markdown, re.M)
    assert "Summary" in headings and "Exercises" in headings
    assert headings.index("Summary") < headings.index("Exercises")
    assert "utils.widgets." in "\n".join(
        c.source for c in nb.cells if c.cell_type == "code"
    ), "every notebook has at least one explorer"


def test_a_notebook_alone_says_what_is_missing(tmp_path):
    """Opened without the course around it (Colab, a copy sent by mail), the setup
    cell stops with one sentence naming what is missing and how to get it, not a
    bare StopIteration; inside the course the same cell finds `utils` from any
    folder below the root."""
    setup = read(SOLUTIONS[0]).cells[1].source
    alone = tmp_path / "alone"
    alone.mkdir()
    run = subprocess.run(
        [sys.executable, "-c", setup], cwd=alone, capture_output=True, text=True
    )
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("FileNotFoundError: This notebook needs"), run.stderr
    message = last.removeprefix("FileNotFoundError: ")
    assert str(alone) in message and "utils/" in message and "git clone" in message
    # one sentence: a single full stop, at its end
    assert message.endswith(".") and message.count(". ") == 0, message
    assert "StopIteration" not in run.stderr
    # the commands it names are the README's Colab cell, word for word
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"`([!%][^`]+)`", message)
    assert len(commands) == 2
    for command in commands:
        assert command in readme, command
    for folder in (ROOT / "notebooks", ROOT / "notebooks" / "solutions", ROOT):
        found = subprocess.run(
            [sys.executable, "-c", setup.split("import matplotlib")[0] + "print(ROOT)"],
            cwd=folder,
            capture_output=True,
            text=True,
        )
        assert found.stdout.strip() == str(ROOT), found.stderr


@pytest.mark.parametrize("path", SOLUTIONS, ids=NAMES)
def test_every_exercise_has_a_solution_and_a_check(path):
    cells = read(path).cells
    exercises = [
        i
        for i, c in enumerate(cells)
        if c.cell_type == "markdown" and release.EXERCISE.search(c.source)
    ]
    assert exercises, "no '### Exercise N.k: title' heading"
    numbers = [release.EXERCISE.search(cells[i].source).group(1) for i in exercises]
    assert numbers == [f"{int(path.name[:2])}.{k}" for k in range(1, len(numbers) + 1)]
    for i in exercises:
        if release.BEGIN in cells[i].source:  # predict-then-run: answered in prose,
            later = "".join(c.source for c in cells[i:] if c.cell_type == "markdown")
            assert "<details>" in later, "a prediction exercise reveals its answers"
            continue  # in a collapsible block after the cell that computes them
        solution, check_cell = cells[i + 1], cells[i + 2]
        assert solution.cell_type == "code" and release.BEGIN in solution.source
        assert check_cell.cell_type == "code"
        assert re.fullmatch(r"check\.\w+\(\w+\)", check_cell.source.strip()), (
            f"the cell after exercise {cells[i].source.splitlines()[0]!r}'s solution "
            "must be a one-line check call"
        )


@pytest.mark.parametrize(
    "path",
    [p for _, p in PAIRS] + SOLUTIONS,
    ids=[f"student/{n}" for n in NAMES] + NAMES,
)
def test_no_stored_outputs(path):
    for cell in read(path).cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, (
                f"{path.name} has stored outputs; run `python -m utils.release`"
            )


def printed(cell):
    """The text a code cell printed."""
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def solution_printed(name, config):
    """{cell id: text} the solution notebook's code cells printed: nbval's run of it
    in this session (the root conftest.py keeps what it printed), or, when nbval did
    not run all of it, a run made here."""
    path = (ROOT / "notebooks" / "solutions" / name).resolve()
    code = [c for c in read(path).cells if c.cell_type == "code"]
    kept = getattr(config, "course_printed", {}).get(path, {})
    if all(c.id in kept for c in code):
        return kept
    solution = site.execute(path, allow_errors=False)
    return {c.id: printed(c) for c in solution.cells if c.cell_type == "code"}


@pytest.mark.parametrize("name", NAMES)
def test_student_copy_runs_and_prints_what_the_solutions_print(name, request):
    """Executing a student copy top to bottom fails only in its check cells, each
    with NotAttempted: nothing else in the notebook depends on a solution. And every
    cell the two copies share prints the same text in the student copy's run as in
    nbval's run of the solution notebook, each in a fresh kernel: the notebooks are
    deterministic (cells tagged 'timing' measure this machine's speed and are left
    out)."""
    student = runs.student_run(name)
    errors = [
        (cell.source, out)
        for cell in student.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    checks = [c for c in student.cells if site.is_check(c)]
    unexpected = site.unexpected_errors(student)
    assert not unexpected, unexpected
    assert len(errors) == len(checks), "every check cell reports 'not attempted yet'"
    for _, out in errors:
        assert "not attempted yet" in out.evalue

    solution = read(ROOT / "notebooks" / "solutions" / name)
    answers = solution_printed(name, request.config)
    compared = 0
    for i, (mine, answer) in enumerate(zip(student.cells, solution.cells, strict=True)):
        if (
            mine.cell_type != "code"
            or mine.source != answer.source
            or site.is_check(mine)
            or "timing" in mine.metadata.get("tags", [])
        ):
            continue
        compared += 1
        assert printed(mine) == answers[answer.id], (
            f"code cell {i} printed different text in two runs:\n"
            f"{answers[answer.id]}\n---\n{printed(mine)}"
        )
    assert compared and any(answers.values())


# --------------------------------------------------------------------- the generator


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(s)
        if kind == "md"
        else nbformat.v4.new_code_cell(s)
        for kind, s in cells
    ]
    return nb


def test_generator_replaces_regions_with_named_stubs():
    nb = notebook(
        ("md", "### Exercise 3.2: the `lstm_step`"),
        (
            "code",
            "def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n"
            "    ### END SOLUTION\n",
        ),
        ("md", "Predict:\n### BEGIN SOLUTION\nIt decays.\n### END SOLUTION"),
    )
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="hi")]
    student = release.student_version(nb)
    code = student.cells[1].source
    assert "return x + y" not in code and "y = 1" in code
    stub = (
        'raise NotImplementedError("Exercise 3.2: the lstm_step - not attempted yet")'
    )
    assert "    " + stub in code
    assert student.cells[1].outputs == []
    assert student.cells[2].source == "Predict:\n*Your answer here.*"
    assert nb.cells[1].outputs, "the solution notebook object is not modified"


@pytest.mark.parametrize(
    "source,message",
    [
        ("### BEGIN SOLUTION\nx = 1\n", "never closed"),
        ("x = 1\n### END SOLUTION\n", "never opened"),
        (
            "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n",
            "inside another",
        ),
    ],
)
def test_generator_rejects_unpaired_markers(source, message):
    nb = notebook(("md", "### Exercise 1.1: x"), ("code", source))
    with pytest.raises(ValueError, match=message):
        release.student_version(nb, "demo.ipynb")


def test_generator_needs_an_exercise_heading():
    with pytest.raises(ValueError, match="before any '### Exercise"):
        release.student_version(
            notebook(("code", "### BEGIN SOLUTION\n### END SOLUTION"))
        )


def test_presentation_page_shows_every_explorer():
    """present/explorers.ipynb (served by `course.py present`) has every explorer."""
    from utils import widgets

    nb = read(ROOT / "present" / "explorers.ipynb")
    assert nb.cells[1].source == read(SOLUTIONS[0]).cells[1].source, "same setup cell"
    code = [c.source.strip() for c in nb.cells if c.cell_type == "code"]
    for factory in widgets.EXPLORERS.values():
        assert f"utils.widgets.{factory.__name__}()" in code, factory.__name__
    assert all(not c.outputs for c in nb.cells if c.cell_type == "code")


def test_checking_a_notebook_lists_each_exercise(tmp_path):
    """`course.py check` (pytest on a student's notebook) ends with one line per
    exercise: correct, wrong with the check's hint, or not attempted."""
    course = tmp_path / "course"
    (course / "notebooks").mkdir(parents=True)
    for name in ("utils", "data", "conftest.py", "pyproject.toml"):
        (course / name).symlink_to(ROOT / name)
    name = "01_vanilla_rnn.ipynb"
    solved, student = (
        read(ROOT / "notebooks/solutions" / name),
        read(ROOT / "notebooks" / name),
    )
    for mine, answer in zip(student.cells, solved.cells, strict=True):
        if mine.source.startswith("def rnn_step"):  # 1.1 solved
            mine.source = answer.source
        if mine.source.startswith("def latch"):  # 1.3 wrong: no memory at all
            mine.source = "def latch():\n    return 0.0, 1.0, 0.0\n"
    nbformat.write(student, course / "notebooks" / name)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--tb=no", "-rN", f"notebooks/{name}"],
        cwd=course,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr  # two cells fail
    lines = result.stdout.splitlines()
    start = next(k for k, x in enumerate(lines) if " exercises " in x)
    end = next(k for k in range(start + 1, len(lines)) if lines[k][:1] == "=")
    report = "\n".join(lines[start + 1 : end])
    # the README shows this very case
    readme = (ROOT / "README.md").read_text().split("\n  ```\n")
    example = next(block for block in readme if " exercises " in block.split("\n")[0])
    assert example.replace("\n  ", "\n")[2:] == "\n".join(lines[start:end])
    lines = [line.split() for line in report.splitlines() if line.startswith("  1.")]
    assert [(line[0], line[-1]) for line in lines] == [
        ("1.1", "correct"),
        ("1.2", "attempted"),
        ("1.3", "wrong"),
    ], report
    assert "Hint" in report.split("1.3")[1], report  # the check's diagnosis
    assert "3 exercises: 1 correct, 1 wrong, 1 not attempted" in report


def test_a_solution_cell_that_writes_to_stderr_fails(tmp_path):
    """Under nbval a solution notebook's cell that writes to stderr (a warning)
    fails, as it shows an error in JupyterLab; a student copy's may write there."""
    course = tmp_path / "course"
    (course / "notebooks" / "solutions").mkdir(parents=True)
    for name in ("conftest.py", "pyproject.toml"):
        (course / name).symlink_to(ROOT / name)
    cells = ("x = 1", "import warnings\nwarnings.warn('a warning from a cell')")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    for folder in ("notebooks", "notebooks/solutions"):
        nbformat.write(nb, course / folder / "zz_demo.ipynb")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rf", "notebooks"],
        cwd=course,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "3 passed" in out and "1 failed" in out, out
    assert "FAILED notebooks/solutions/zz_demo.ipynb::Cell 1" in out, out
    assert "Cell wrote to stderr" in out and "a warning from a cell" in out, out
