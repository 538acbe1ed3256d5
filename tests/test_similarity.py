"""No exercise can be answered by copying a code cell shown earlier in the course.

The measure and its calibration are in tests/similarity.py. Here: the measure's own
test (the fixtures of tests/fixtures/similarity/, taken from the notebooks at commit
41db79b, fall on the right side of THRESHOLD with a margin) and the course-wide test
(every solution region of every solution notebook in the working tree against every
code cell shown before it).
"""

import ast
import collections
import functools
import io
import tokenize
from pathlib import Path

import pytest
import similarity
from similarity import THRESHOLD

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "similarity"
COPIES = sorted(FIXTURES.glob("copy_*.txt"))
GENUINE = sorted(FIXTURES.glob("genuine_*.txt"))
MARGIN = 0.1  # every fixture at least this far from THRESHOLD

# Exercises allowed to score above THRESHOLD while they are being rewritten (none
# now). The set only shrinks: an exercise outside it that exceeds fails, and so does
# one inside it that no longer exceeds (remove it from the set).
KNOWN_COPIES = set()


def fixture_id(path):
    return path.stem


# -- the measure's own test -------------------------------------------------------


def test_the_fixtures_are_the_ones_the_calibration_names():
    assert [p.stem for p in COPIES] == [
        f"copy_{x}" for x in ("1.1", "1.2", "2.1", "3.1", "3.2", "4.1", "5.1")
    ]
    genuine = ("1.3", "2.2", "2.3", "3.3", "5.2", "7.1", "7.2", "7.3", "8.1")
    assert [p.stem for p in GENUINE] == [f"genuine_{x}" for x in genuine]
    readme = (FIXTURES / "README.md").read_text()
    for path in COPIES + GENUINE:
        assert path.name in readme, f"{path.name} has no provenance line in README.md"


@pytest.mark.parametrize("path", COPIES, ids=fixture_id)
def test_every_copy_scores_above_the_threshold(path):
    score = similarity.score_fixture(path.read_text())
    assert score >= THRESHOLD + MARGIN, (
        f"{path.name}: {score:.2f}, not above THRESHOLD {THRESHOLD} + {MARGIN}"
    )


@pytest.mark.parametrize("path", GENUINE, ids=fixture_id)
def test_every_genuine_exercise_scores_below_the_threshold(path):
    score = similarity.score_fixture(path.read_text())
    assert score <= THRESHOLD - MARGIN, (
        f"{path.name}: {score:.2f}, not below THRESHOLD {THRESHOLD} - {MARGIN}"
    )


def test_the_calibration_in_the_docstring_is_current():
    copies = [similarity.score_fixture(p.read_text()) for p in COPIES]
    genuine = [similarity.score_fixture(p.read_text()) for p in GENUINE]
    doc = similarity.__doc__
    assert f"score {min(copies):.2f} to {max(copies):.2f}" in doc
    assert f"at most {max(genuine):.2f}" in doc
    assert f"THRESHOLD = {THRESHOLD}" in doc
    assert f"copies >= {min(copies):.2f}, genuine <= {max(genuine):.2f}" in doc


def token_trigram_overlap(solution, cell):
    """The baseline the measure replaces: shared token trigrams, names as written."""

    def trigrams(code):
        kinds = (tokenize.NAME, tokenize.OP, tokenize.NUMBER, tokenize.STRING)
        words = [
            t.string
            for t in tokenize.generate_tokens(io.StringIO(code).readline)
            if t.type in kinds
        ]
        return collections.Counter(zip(words, words[1:], words[2:], strict=False))

    a, b = trigrams(solution), trigrams(cell)
    return sum((a & b).values()) / sum(a.values())


def test_plain_token_overlap_cannot_tell_the_fixtures_apart():
    # why the measure compares computations: with names as written, 3.2 (a loop
    # calling lstm_step, copied from a loop calling utils.lstm_step over fx["x"])
    # shares fewer token trigrams with its cell than 8.1 (a new cell) with its own
    overlap = {
        p.stem: token_trigram_overlap(
            similarity.read_fixture(p.read_text())["solution"],
            similarity.read_fixture(p.read_text())["cell"],
        )
        for p in COPIES + GENUINE
    }
    lowest_copy = min(v for k, v in overlap.items() if k.startswith("copy"))
    highest_genuine = max(v for k, v in overlap.items() if k.startswith("genuine"))
    assert lowest_copy < highest_genuine, overlap


class Rename(ast.NodeTransformer):
    """Every local name to a new one (a student's renaming)."""

    def __init__(self, keep):
        self.keep = keep

    def visit_Name(self, node):
        if node.id not in self.keep:
            node.id = f"renamed_{node.id}"
        return node


def test_names_do_not_matter():
    text = (FIXTURES / "copy_3.1.txt").read_text()
    parts = similarity.read_fixture(text)
    tree = Rename(keep={"np", "utils"}).visit(ast.parse(parts["solution"]))
    renamed = text.replace(parts["solution"], ast.unparse(tree))
    assert renamed != text
    assert similarity.score_fixture(renamed) == similarity.score_fixture(text)


def test_order_grouping_temporaries_and_methods_do_not_matter():
    fp = similarity.Fingerprinter()
    one = """
a = x @ params["weight_ih_l0"].T + params["bias_ih_l0"]
a = a + (h @ params["weight_hh_l0"].T + params["bias_hh_l0"])
s = 1 / (1 + np.exp(-a))
return s * c + (1 - s) * np.tanh(a), a.sum(axis=0)
"""
    two = """
W, U = p["weight_ih_l0"], p["weight_hh_l0"]
pre = (p["bias_hh_l0"] + u @ U.T) + (p["bias_ih_l0"] + v @ W.T)
gate = 1 / (np.exp(-pre) + 1)
keep = c_prev * gate
print(np.sum(pre, axis=0), (1 - gate) * np.tanh(pre) + keep)
"""
    (a,), (b,) = fp.fingerprints([one]), fp.fingerprints([two])
    assert similarity.containment([a], b) == 1.0


def test_what_a_cell_only_starts_from_is_not_a_copy():
    fp = similarity.Fingerprinter()
    solution = "return np.tanh(x @ params['weight_ih_l0'].T)"
    unrelated = "x = rng.standard_normal((3, 4))\nprint(x.shape, np.zeros(3))"
    related = "y = np.tanh(rng.standard_normal((2, 3)) @ params['weight_ih_l0'].T)"
    (s,), (u,), (r,) = (fp.fingerprints([c]) for c in (solution, unrelated, related))
    assert similarity.containment([s], u) == 0.0
    assert similarity.containment([s], r) == 1.0


def test_the_course_walk_compares_with_shown_cells_only():
    import nbformat.v4 as v4

    worked = "z = x_t @ W.T + b\nout = np.tanh(z)\nprint(out)"
    solution = (
        "def step(x, W, b):\n    ### BEGIN SOLUTION\n"
        "    return np.tanh(x @ W.T + b)\n    ### END SOLUTION"
    )
    cells = [
        v4.new_code_cell("# Setup: the same cell opens every notebook of the course."),
        v4.new_markdown_cell("## 1. Worked"),
        v4.new_code_cell(worked),
        v4.new_markdown_cell("### Exercise 1.1: a step"),
        v4.new_code_cell(solution),
        v4.new_code_cell("check.step(step)"),
        v4.new_markdown_cell("### Exercise 1.2: the same again"),
        v4.new_code_cell(solution.replace("step", "again")),
    ]
    later = [v4.new_code_cell(worked)]  # shown after every exercise: not compared
    notebook = v4.new_notebook(cells=cells)
    course = similarity.Course(
        [("01_x", notebook), ("02_y", v4.new_notebook(cells=later))]
    )
    found = {ex.label: (score, where) for ex, score, where in course.matches()}
    assert set(found) == {"1.1", "1.2"}
    for score, where in found.values():  # 1.2 is not compared with 1.1's solution
        assert score == 1.0 and (where.notebook, where.cell) == ("01_x", 2)
    assert [(s.notebook, s.cell) for _, s in course.shown] == [
        ("01_x", 2),
        ("01_x", 4),
        ("01_x", 7),
        ("02_y", 0),
    ]
    assert "return" not in course.shown[1][1].source  # a student sees no solution


# -- the course-wide test ---------------------------------------------------------


@functools.cache
def course_matches():
    notebooks = [
        (path.name, similarity.read_notebook(path))
        for path in sorted(
            (ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb")
        )
    ]
    best = {}
    for exercise, score, where in similarity.Course(notebooks).matches():
        if exercise.label not in best or score > best[exercise.label][1]:
            best[exercise.label] = (exercise, score, where)
    return best


def labels():
    return sorted(set(course_matches()) | KNOWN_COPIES)


@pytest.mark.parametrize("label", labels())
def test_no_exercise_can_be_answered_by_copying_an_earlier_cell(label):
    found = course_matches().get(label)
    if found is None:
        pytest.fail(f"exercise {label} no longer exists: remove it from KNOWN_COPIES")
    exercise, score, where = found
    source = f"exercise {label} ({exercise.notebook} cell {exercise.cell})"
    against = where.name if where is not None else "no earlier cell"
    if label in KNOWN_COPIES:
        assert score > THRESHOLD, (
            f"{source} now scores {score:.2f} at most (against {against}), at or "
            f"below THRESHOLD {THRESHOLD}: remove it from KNOWN_COPIES"
        )
    else:
        assert score <= THRESHOLD, (
            f"{source} scores {score:.2f} against {against}, above THRESHOLD "
            f"{THRESHOLD}: its solution can be copied from that cell "
            "(tests/similarity.py says what the score measures)"
        )
