"""The release tool's nbgrader metadata and course folder (utils/release.py).

Runs without nbgrader; tests/test_nbgrader.py hands the result to nbgrader itself.
"""

import nbformat
import pytest

from tests.test_notebooks import notebook
from utils import release

SOLVED = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n"
WRITTEN = "Predict:\n\n### BEGIN SOLUTION\nIt decays.\n### END SOLUTION"


def meta(grade_id, solution=False, grade=False, locked=False):
    m = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    return m | ({"points": 1} if grade else {})


def test_metadata_follows_the_markers():
    nb = notebook(
        ("md", "# 03 · title"),
        ("code", "x = 1"),
        ("md", "## Exercises\n\n### Exercise 3.2: the `lstm_step`"),
        ("code", SOLVED),
        ("code", "check.f(f)"),
        ("md", "### Exercise 3.3: predict, then run\n\n" + WRITTEN),
        ("code", "print(x)"),
    )
    nb.cells[1].metadata["tags"] = ["timing"]
    out = release.nbgrader_metadata(nb, "demo.ipynb")
    ids = [c.id for c in nb.cells]
    assert [c.metadata["nbgrader"] for c in out.cells] == [
        meta(f"cell-{ids[0]}", locked=True),
        meta(f"cell-{ids[1]}", locked=True),
        meta(f"cell-{ids[2]}", locked=True),
        meta("ex3_2_solution", solution=True),
        meta("ex3_2_check", grade=True, locked=True),
        meta("ex3_3_answer", solution=True, grade=True),
        meta(f"cell-{ids[6]}", locked=True),
    ]
    assert out.cells[1].metadata["tags"] == ["timing"], "other metadata is kept"
    assert not any(c.metadata for c in nb.cells[2:]), "the input is not modified"
    assert release.graded_cells(out) == [
        ("ex3_2_check", "auto", 1),
        ("ex3_3_answer", "manual", 1),
    ]
    # the student copy keeps it, as nbgrader's released copies do
    student = release.student_version(out)
    assert [c.metadata for c in student.cells] == [c.metadata for c in out.cells]
    assert release.nbgrader_metadata(out) == out, "derived again, it is the same"


def test_a_demonstration_check_is_not_graded():
    nb = notebook(
        ("code", "try:\n    check.f(print)\nexcept AssertionError as e:\n    print(e)"),
        ("md", "### Exercise 1.1: f"),
        ("code", SOLVED),
        ("code", "print('between')"),
        ("code", "check.f(f)"),
        ("code", "check.f(f)"),  # only the first check after the answer is graded
    )
    kinds = [
        (m["grade"], m["locked"], m["solution"])
        for m in (c.metadata["nbgrader"] for c in release.nbgrader_metadata(nb).cells)
    ]
    locked, answer, graded = (False, True, False), (False, False, True), (True,) * 2
    assert kinds == [locked, locked, answer, locked, graded + (False,), locked]


def test_grade_ids_are_unique():
    nb = notebook(
        ("md", "### Exercise 2.1: two cells"),
        ("code", SOLVED),
        ("code", SOLVED.replace("f(", "g(")),
        ("code", "check.g(g)"),
    )
    ids = [
        c.metadata["nbgrader"]["grade_id"] for c in release.nbgrader_metadata(nb).cells
    ]
    assert ids[1:] == ["ex2_1_solution", "ex2_1_solution_2", "ex2_1_check"]


@pytest.mark.parametrize(
    "cells,message",
    [
        ((("md", "### Exercise 1.1: f"), ("code", SOLVED)), "no check cell"),
        (
            (
                ("md", "### Exercise 1.1: f"),
                ("code", SOLVED),
                ("md", "### Exercise 1.2: g"),
                ("code", "check.f(f)"),
            ),
            "exercise 1.1 has a solution cell but no check",
        ),
        ((("md", WRITTEN),), "before any '### Exercise"),
        (
            (("md", "Markers: `### BEGIN SOLUTION` and so on"),),
            "nbgrader would take it for a solution region",
        ),
    ],
)
def test_metadata_rejects_what_nbgrader_could_not_grade(cells, message):
    with pytest.raises(ValueError, match=message):
        release.nbgrader_metadata(notebook(*cells), "demo.ipynb")


def test_a_cell_needs_an_id():
    nb = notebook(("code", "x = 1"))
    del nb.cells[0]["id"]
    with pytest.raises(ValueError, match="has no id"):
        release.nbgrader_metadata(nb, "demo.ipynb")


def test_release_writes_the_metadata_and_check_sees_it_drift(tmp_path):
    solution, student = tmp_path / "01_demo.ipynb", tmp_path / "student.ipynb"
    nb = notebook(
        ("md", "### Exercise 1.1: f"), ("code", SOLVED), ("code", "check.f(f)")
    )
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="hi")]
    nbformat.write(nb, solution)
    pairs = [(solution, student)]
    assert release.release(check_only=True, pairs=pairs) == [solution, student]
    assert not student.exists(), "check_only writes nothing"
    assert release.release(pairs=pairs) == [solution, student]
    assert release.release(check_only=True, pairs=pairs) == []
    for path in (solution, student):
        written = nbformat.read(path, as_version=4)
        assert written.cells[2].metadata["nbgrader"]["grade_id"] == "ex1_1_check"
        assert written.cells[1].outputs == []
    # metadata edited by hand, or gone, is drift in either copy
    for path in (solution, student):
        edited = nbformat.read(path, as_version=4)
        edited.cells[2].metadata["nbgrader"]["points"] = 5
        del edited.cells[0].metadata["nbgrader"]
        nbformat.write(edited, path)
        assert release.release(check_only=True, pairs=pairs) == [path]
        release.release(pairs=pairs)


def test_every_course_notebook_gets_its_metadata():
    for solution, _ in release.solution_pairs():
        nb = release.solution_version(nbformat.read(solution, as_version=4))
        metas = [c.metadata["nbgrader"] for c in nb.cells]
        ids = [m["grade_id"] for m in metas]
        assert len(set(ids)) == len(ids), solution.name
        exercises = [
            n for c in nb.cells if c.cell_type == "markdown"
            for n, _ in release.EXERCISE.findall(c.source)
        ]  # fmt: skip
        graded = release.graded_cells(nb)
        assert len(graded) == len(exercises), "one graded cell per exercise"
        assert [g[0].split("_")[:2] for g in graded] == [
            ["ex" + n.split(".")[0], n.split(".")[1]] for n in exercises
        ]


def test_nbgrader_course_folder(tmp_path):
    names = ["notebooks/solutions/00_start_here.ipynb"]
    folder = release.nbgrader_course(tmp_path, "ps1", names)
    assert folder == tmp_path / "source" / "ps1"
    assert sorted(p.name for p in folder.iterdir()) == [
        "00_start_here.ipynb",
        "data",
        "utils",
    ]
    assert (folder / "utils" / "__init__.py").is_file()
    assert (folder / "data" / "SHA256SUMS").is_file()
    assert not list(folder.rglob("__pycache__"))
    written = nbformat.read(folder / "00_start_here.ipynb", as_version=4)
    source = nbformat.read(release.SOLUTIONS / "00_start_here.ipynb", as_version=4)
    assert written == release.solution_version(source, "00_start_here.ipynb")
    config = tmp_path / "nbgrader_config.py"
    assert 'course_id = "rnn-course"' in config.read_text()
    config.write_text("# the instructor's own\n")
    release.nbgrader_course(tmp_path, "ps1", names)
    assert config.read_text() == "# the instructor's own\n", "an edited config stays"
    with pytest.raises(ValueError, match="names must be solution notebooks"):
        release.nbgrader_course(tmp_path, "ps1", ["99_missing.ipynb"])
    with pytest.raises(ValueError, match="assignment must be"):
        release.nbgrader_course(tmp_path, "ps 1", names)


def test_points_lists_every_graded_cell(capsys):
    assert release.main(["--points"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("00_start_here: ")
    assert "  ex0_1_check      auto    1" in lines
    assert lines[-1].startswith("total: ")
