"""nbgrader on the course, step by step as the README's instructors' section says.

An nbgrader course is built in a temporary folder by the release tool
(`python -m utils.release --nbgrader-course`) from the solution notebooks as they
are processed now, so the test does not depend on the committed notebooks carrying
the metadata. Two assignments:

- "ps1", notebooks 00 and 01: `nbgrader generate_assignment`, then two students
  hand in (nbgrader's released copy with exercises right, wrong with a known
  mistake, left as the stub, and one check cell emptied; and the course's own
  student copy with one exercise solved), `nbgrader autograde` and
  `generate_feedback`. Asserted: the points of every grade cell, the check's hint
  in the autograded notebook and in the feedback, "not attempted yet" for a stub.
- "all", every notebook: nbgrader accepts each one's metadata, records the points
  the release tool gives (written answers graded by hand), and releases what the
  course's student copies are, but for the text of the code stubs.

nbgrader is a development dependency (requirements-dev.txt); without it the test is
skipped, unless COURSE_REQUIRE_NBGRADER=1 (as in CI) makes that a failure.
"""

import copy
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from utils import release

try:
    from nbgrader.api import Gradebook
except ImportError:
    if os.environ.get("COURSE_REQUIRE_NBGRADER") == "1":
        raise RuntimeError(
            "the nbgrader test is required but nbgrader is not installed "
            "(pip install -r requirements-dev.txt)"
        ) from None
    pytest.skip(
        "nbgrader test skipped: nbgrader is not installed "
        "(pip install -r requirements-dev.txt)",
        allow_module_level=True,
    )

ROOT = Path(__file__).resolve().parents[1]
PS1 = ("00_start_here.ipynb", "01_vanilla_rnn.ipynb")
NAMES = [s.name for s, _ in release.solution_pairs()]
# Notebook 00, exercise 0.2 and notebook 01, exercise 1.3, written wrong the way
# students write them; each check names the mistake.
WRONG = {
    "ex0_2_solution": (
        "def sigmoid_grad(a):\n    s = stable_sigmoid(a)\n    return 2 * s * (1 - s)\n"
    ),
    "ex1_3_solution": "def latch():\n    return 0.0, 1.0, 0.0\n",
}
HINTS = {"ex0_2_check": "2 times the derivative", "ex1_3_check": "the unit forgets"}


def run(course, *args):
    """Run a command in the course folder with this environment's bin/ on PATH
    (nbgrader calls its `alembic` by name); it must succeed."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
    result = subprocess.run(
        [sys.executable, *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return result


def read(path):
    return nbformat.read(path, as_version=4)


def cell(nb, grade_id):
    return next(
        c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )


def notebook_of(grade_id):
    """The ps1 notebook of a cell: "ex1_3_check" -> "01_vanilla_rnn.ipynb"."""
    return PS1[int(grade_id[2])]


def hand_in(course, student, name, nb):
    folder = course / "submitted" / student / "ps1"
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)


def shown(code_cell):
    """Everything a code cell's outputs show: streams, results, errors."""
    parts = []
    for out in code_cell.get("outputs", []):
        parts.append(out.get("text", ""))
        parts.append(out.get("data", {}).get("text/plain", ""))
        parts += [out.get("ename", ""), out.get("evalue", "")]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("nbgrader") / "course"
    solutions = [f"notebooks/solutions/{name}" for name in PS1]
    tool = ["-m", "utils.release", "--nbgrader-course", course, "--assignment", "ps1"]
    run(ROOT, *tool, *solutions)  # as the README says
    release.nbgrader_course(course, "all")
    run(course, "-m", "nbgrader", "generate_assignment", "ps1")
    run(course, "-m", "nbgrader", "generate_assignment", "all")

    source = course / "source" / "ps1"
    # "mixed": nbgrader's released copies; 0.1 and 1.1 right, 0.2 and 1.3 wrong,
    # 1.2 left as the stub; and the check cell of 0.2 emptied and notebook 01's
    # setup cell broken, both read-only cells that nbgrader restores
    for name in PS1:
        nb = read(course / "release" / "ps1" / name)
        answers = read(source / name)
        for right in ("ex0_1_solution", "ex1_1_solution"):
            if notebook_of(right) == name:
                cell(nb, right).source = cell(answers, right).source
        for grade_id, wrong in WRONG.items():
            if notebook_of(grade_id) == name:
                cell(nb, grade_id).source = wrong
        if name == PS1[0]:
            cell(nb, "ex0_2_check").source = "pass"
        else:
            nb.cells[1].source = 'raise RuntimeError("edited")'
        hand_in(course, "mixed", name, nb)
    # "handout": the course's own student copy of notebook 00 (what notebooks/ holds),
    # 0.1 solved, 0.2 left as its stub; notebook 01 not handed in
    answers = read(source / PS1[0])
    nb = release.student_version(answers, PS1[0])
    cell(nb, "ex0_1_solution").source = cell(answers, "ex0_1_solution").source
    hand_in(course, "handout", PS1[0], nb)

    run(course, "-m", "nbgrader", "autograde", "ps1")
    run(course, "-m", "nbgrader", "generate_feedback", "ps1", "--student", "mixed")
    return course


def scores(course, student):
    """{grade_id: (score, max_score)} of a student's autograded ps1."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        submission = gb.find_submission("ps1", student)
        return {
            g.name: (g.score, g.max_score)
            for nb in submission.notebooks
            for g in nb.grades
        }


def test_autograde_scores_every_check(course):
    assert scores(course, "mixed") == {
        "ex0_1_check": (1, 1),
        "ex0_2_check": (0, 1),  # its check cell restored
        "ex1_1_check": (1, 1),  # the setup cell restored
        "ex1_2_check": (0, 1),  # the stub
        "ex1_3_check": (0, 1),
    }
    got = scores(course, "handout")
    assert got["ex0_1_check"] == (1, 1) and got["ex0_2_check"] == (0, 1)


def test_the_checks_hints_reach_the_feedback(course):
    autograded = course / "autograded" / "mixed" / "ps1"
    nb = read(autograded / PS1[0])
    assert cell(nb, "ex0_2_check").source == "check.sigmoid_grad(sigmoid_grad)"
    assert read(autograded / PS1[1]).cells[1].source.startswith("# Setup: ")
    assert "All correct: stable_sigmoid passes." in shown(cell(nb, "ex0_1_check"))
    for grade_id, hint in HINTS.items():
        text = shown(cell(read(autograded / notebook_of(grade_id)), grade_id))
        assert "CheckFailed" in text and "Hint:" in text and hint in text, text
    html = (course / "feedback" / "mixed" / "ps1" / PS1[0]).with_suffix(".html")
    page = html.read_text()
    assert HINTS["ex0_2_check"] in page and "Score: 1.0 / 2.0" in page


def test_a_stub_scores_zero_as_not_attempted(course):
    stubs = (
        ("mixed", PS1[1], "ex1_2_check"),  # nbgrader's stub
        ("handout", PS1[0], "ex0_2_check"),  # the course's stub, which names 0.2
    )
    for student, name, grade_id in stubs:
        nb = read(course / "autograded" / student / "ps1" / name)
        text = shown(cell(nb, grade_id))
        assert "NotAttempted" in text and "not attempted yet" in text, text
        assert scores(course, student)[grade_id] == (0, 1)
    assert "Exercise 0.2: the derivative of the sigmoid - not attempted yet" in text


def test_every_notebook_is_an_nbgrader_assignment(course):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assignment = gb.find_assignment("all")
        assert sorted(nb.name + ".ipynb" for nb in assignment.notebooks) == NAMES
        total, written = 0, set()
        for nb in assignment.notebooks:
            ours = release.graded_cells(
                read(course / "source" / "all" / f"{nb.name}.ipynb")
            )
            assert {c.name: c.max_score for c in nb.grade_cells} == {
                gid: points for gid, _, points in ours
            }
            by_hand = {c.name for c in nb.solution_cells} & {
                c.name for c in nb.grade_cells
            }
            assert by_hand == {gid for gid, kind, _ in ours if kind == "manual"}
            total += sum(points for *_, points in ours)
            written |= by_hand
        assert assignment.max_score == total
        assert written, "the course's written answers are graded by hand"


def test_released_copies_are_the_course_student_copies(course):
    """nbgrader's release of a notebook is the course's student copy, cell for cell
    (ids, text, nbgrader metadata), but for the code stubs' text and the fields
    nbgrader adds: checksums, and read-only flags on every cell but the answers."""
    stub = ("# YOUR CODE HERE", "raise NotImplementedError(")
    for name in NAMES:
        ours = release.student_version(read(course / "source" / "all" / name), name)
        theirs = read(course / "release" / "all" / name)
        assert [c.id for c in theirs.cells] == [c.id for c in ours.cells], name
        for mine, released in zip(ours.cells, theirs.cells, strict=True):
            meta = copy.deepcopy(released.metadata)
            for key in ("checksum", "cell_type"):
                del meta["nbgrader"][key]
            assert meta.pop("nbgrader") == mine.metadata["nbgrader"]
            answer = mine.metadata["nbgrader"]["solution"]
            assert meta.pop("deletable") is False
            assert meta.pop("editable", True) is answer
            assert meta == {k: v for k, v in mine.metadata.items() if k != "nbgrader"}
            if answer and mine.cell_type == "code":
                lines = [
                    [x for x in c.source.splitlines() if x.strip().startswith(stub)]
                    for c in (mine, released)
                ]
                assert len(lines[0]) == len(lines[1]) == 2, (name, released.source)
                mine_rest, their_rest = (
                    [x for x in c.source.splitlines() if x not in found]
                    for c, found in zip((mine, released), lines, strict=True)
                )
                assert mine_rest == their_rest, (name, mine.id)
            else:
                assert released.source == mine.source, (name, mine.id)
