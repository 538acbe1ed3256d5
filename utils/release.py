"""Make the student notebooks from the solution notebooks, with nbgrader metadata.

    python -m utils.release           # regenerate notebooks/*.ipynb and the metadata
    python -m utils.release --check   # exit 1 if a notebook is out of date
    python -m utils.release --points  # list every graded cell and its points
    python -m utils.release --nbgrader-course DIR [--assignment NAME] [NOTEBOOK ...]
                                      # an nbgrader course folder (see the README)

The solution notebooks in notebooks/solutions/ are the single source. In a code
cell, the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION`` (the markers
nbgrader uses) become a stub that raises ``NotImplementedError`` naming the
exercise, indented like the ``BEGIN`` marker; in a markdown cell they become a
prompt for the student's answer. Outputs are cleared in both copies, so that the
repository holds only sources.

Every cell of both copies also carries nbgrader's cell metadata (schema version 3),
derived from the same markers, so that a solution notebook can go into an nbgrader
``source/`` folder as it is:

- a code cell with a solution region: an autograded answer, ``ex3_2_solution``;
- the check cell after it (``check.<name>(<function>)``): a grade cell worth
  ``POINTS``, locked, ``ex3_2_check``; it scores when the check passes;
- a markdown cell with a solution region (a written answer, "predict, then run"):
  a manually graded answer worth ``POINTS``, ``ex6_2_answer``;
- every other cell: read-only (locked), ``cell-<its id>``, so that autograding runs
  the instructor's copy of everything but the answers.

The metadata is overwritten from these rules on every run; edit the markers, not
the metadata.
"""

import argparse
import copy
import re
import shutil
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "notebooks" / "solutions"
STUDENTS = ROOT / "notebooks"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
EXERCISE = re.compile(r"^###\s+Exercise\s+(\d+\.\d+):\s*(.+?)\s*$", re.M)
CHECK_CALL = re.compile(r"check\.\w+\(.*\)")  # one line: the cell that grades
POINTS = 1  # every exercise: on its check cell, or on its written answer
SCHEMA_VERSION = 3  # nbgrader's cell metadata schema, as nbgrader 0.9 writes it


def _strip(source, exercise, markdown, where):
    """Replace every solution region of one cell's source."""
    out, inside = [], False
    for number, line in enumerate(source.splitlines(), 1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError(
                    f"{where}: line {number} opens a solution region inside another one"
                )
            if exercise is None and not markdown:
                raise ValueError(
                    f"{where}: a solution region before any "
                    "'### Exercise N.k: title' heading"
                )
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            if markdown:
                out.append("*Your answer here.*")
            else:
                number_, title = exercise
                out.append(f"{indent}# YOUR CODE HERE (Exercise {number_})")
                out.append(
                    f'{indent}raise NotImplementedError("Exercise {number_}: '
                    f'{title} - not attempted yet")'
                )
        elif stripped == END:
            if not inside:
                raise ValueError(
                    f"{where}: line {number} closes a solution region "
                    "that was never opened"
                )
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{where}: a solution region is never closed ({END} missing)")
    return "\n".join(out)


def _clear(cell):
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None


def student_version(nb, name="notebook"):
    """The student copy of a solution notebook (a new NotebookNode)."""
    student = copy.deepcopy(nb)
    exercise = None
    for index, cell in enumerate(student.cells):
        _clear(cell)
        if cell.cell_type == "markdown":
            found = EXERCISE.findall(cell.source)
            if found:
                exercise = (
                    found[-1][0],
                    found[-1][1].replace("`", "").replace('"', "'"),
                )
        if BEGIN in cell.source or END in cell.source:
            where = f"{name}, cell {index}"
            cell.source = _strip(
                cell.source, exercise, cell.cell_type == "markdown", where
            )
    return student


def _cell_meta(grade_id, solution=False, grade=False, locked=False):
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": SCHEMA_VERSION,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = POINTS
    return meta


def _has_region(source, where):
    """Whether a cell holds a solution region; nbgrader sees one wherever the words
    of a marker appear on a line, so they may appear only as the markers."""
    lines = source.splitlines()
    for word, marker in (("BEGIN SOLUTION", BEGIN), ("END SOLUTION", END)):
        loose = [k for k, x in enumerate(lines, 1) if word in x and x.strip() != marker]
        if loose:
            raise ValueError(
                f"{where}: line {loose[0]} mentions {word!r} outside a {marker!r} "
                "line; nbgrader would take it for a solution region"
            )
    return BEGIN in source


def nbgrader_metadata(nb, name="notebook"):
    """A copy of a solution notebook with nbgrader's metadata on every cell.

    The rules are in the module's docstring. Raises ValueError for a solution
    region outside an exercise, a code solution without a check cell after it
    (before the next exercise), or a cell without an id.
    """
    out = copy.deepcopy(nb)
    exercise = None  # "3.2", from the last '### Exercise 3.2: title' heading
    unchecked = None  # the exercise whose code solution still awaits its check
    used = set()
    for index, cell in enumerate(out.cells):
        where = f"{name}, cell {index}"
        found = EXERCISE.findall(cell.source) if cell.cell_type == "markdown" else []
        if found:
            if unchecked:
                raise ValueError(
                    f"{where}: exercise {unchecked} has a solution cell but no check "
                    "cell (check.<name>(<function>)) after it"
                )
            exercise = found[-1][0]
        stem = "ex" + exercise.replace(".", "_") if exercise else None
        if _has_region(cell.source, where):
            if stem is None:
                raise ValueError(
                    f"{where}: a solution region before any "
                    "'### Exercise N.k: title' heading"
                )
            if cell.cell_type == "code":
                meta = _cell_meta(f"{stem}_solution", solution=True)
                unchecked = exercise
            else:  # a written answer, graded by hand
                meta = _cell_meta(f"{stem}_answer", solution=True, grade=True)
        elif (
            unchecked
            and cell.cell_type == "code"
            and CHECK_CALL.fullmatch(cell.source.strip())
        ):
            meta = _cell_meta(f"{stem}_check", grade=True, locked=True)
            unchecked = None
        else:
            if not cell.get("id"):
                raise ValueError(
                    f"{where} has no id; nbformat 4.5 gives every cell one"
                )
            meta = _cell_meta(f"cell-{cell.id}", locked=True)
        base, k = meta["grade_id"], 1
        while meta["grade_id"] in used:
            k += 1
            meta["grade_id"] = f"{base}_{k}"
        used.add(meta["grade_id"])
        cell.metadata["nbgrader"] = meta
    if unchecked:
        raise ValueError(
            f"{name}: exercise {unchecked} has a solution cell but no check cell "
            "(check.<name>(<function>)) after it"
        )
    return out


def graded_cells(nb):
    """[(grade_id, "auto" or "manual", points)] of a notebook's graded cells."""
    return [
        (m["grade_id"], "manual" if m["solution"] else "auto", m["points"])
        for m in (c.metadata.get("nbgrader", {}) for c in nb.cells)
        if m.get("grade")
    ]


def solution_pairs():
    """[(solution path, student path)] for every solution notebook."""
    return [
        (p, STUDENTS / p.name) for p in sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))
    ]


def render(nb):
    """The exact text a notebook is stored as."""
    return nbformat.writes(nb) + "\n"


def solution_version(nb, name="notebook"):
    """A solution notebook as it is stored: no outputs, nbgrader metadata."""
    clean = nbgrader_metadata(nb, name)
    for cell in clean.cells:
        _clear(cell)
    return clean


def release(check_only=False, pairs=None):
    """Regenerate (or with check_only, compare) every student notebook.

    Also clears stored outputs of the solution notebooks and writes nbgrader's
    metadata into both. pairs defaults to solution_pairs(). Returns the list of
    files that were (or, with check_only, would be) changed.
    """
    changed = []
    for sol_path, stu_path in solution_pairs() if pairs is None else pairs:
        clean = solution_version(nbformat.read(sol_path, as_version=4), sol_path.name)
        for path, text in (
            (sol_path, render(clean)),
            (stu_path, render(student_version(clean, sol_path.name))),
        ):
            if not path.exists() or path.read_text() != text:
                changed.append(path)
                if not check_only:
                    path.write_text(text)
    return changed


NBGRADER_CONFIG = """\
# nbgrader's configuration for this course, written by
# `python -m utils.release --nbgrader-course` (kept if it exists: edit it freely).
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "rnn-course"
# A few cells of the course train for a while; nbgrader's default is 30 s a cell.
c.Execute.timeout = 180
# Written answers read as in the course's student copies.
c.ClearSolutions.text_stub = "*Your answer here.*"
# With several graders or JupyterHub, the exchange folder they share:
# c.Exchange.root = "/srv/nbgrader/exchange"
"""
COPIED = ("utils", "data")  # what a notebook's setup cell and checks need beside it


def nbgrader_course(target, assignment, names=None):
    """Write an nbgrader course folder from the solution notebooks.

    target/nbgrader_config.py (unless it exists) and target/source/<assignment>/
    holding the named solution notebooks (file names, e.g. "03_lstm.ipynb"; None:
    all) as release writes them, with copies of utils/ and data/ beside them:
    nbgrader releases those files with the notebooks, whose setup cell finds
    utils/ there, and copies them back from source/ before autograding, so the
    checks that grade are the instructor's. Returns the assignment's folder.
    """
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", assignment):
        raise ValueError(f"assignment must be letters, digits, _ or -: {assignment!r}")
    sources = {p.name: p for p, _ in solution_pairs()}
    names = sorted(sources) if names is None else [Path(n).name for n in names]
    unknown = [n for n in names if n not in sources]
    if unknown or not names:
        raise ValueError(
            f"names must be solution notebooks of {SOLUTIONS.relative_to(ROOT)}/; "
            f"got {unknown or names}"
        )
    target = Path(target)
    folder = target / "source" / assignment
    folder.mkdir(parents=True, exist_ok=True)
    config = target / "nbgrader_config.py"
    if not config.exists():
        config.write_text(NBGRADER_CONFIG)
    for name in names:
        nb = nbformat.read(sources[name], as_version=4)
        (folder / name).write_text(render(solution_version(nb, name)))
    for name in COPIED:
        shutil.rmtree(folder / name, ignore_errors=True)
        shutil.copytree(
            ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    return folder


def points():
    """One line per graded cell of every solution notebook, and the totals."""
    lines, total = [], 0
    for sol_path, _ in solution_pairs():
        nb = solution_version(nbformat.read(sol_path, as_version=4), sol_path.name)
        cells = graded_cells(nb)
        lines.append(f"{sol_path.stem}: {sum(p for *_, p in cells)} point(s)")
        lines += [f"  {gid:<16} {kind:<7} {p}" for gid, kind, p in cells]
        total += sum(p for *_, p in cells)
    return lines + [f"total: {total} point(s)"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="only report out-of-date files; exit 1 if there are any",
    )
    parser.add_argument(
        "--points",
        action="store_true",
        help="list every graded cell (auto: a check; manual: a written answer)",
    )
    parser.add_argument(
        "--nbgrader-course",
        metavar="DIR",
        help="write an nbgrader course folder: DIR/nbgrader_config.py and "
        "DIR/source/ASSIGNMENT/ with the solution notebooks, utils/ and data/",
    )
    parser.add_argument(
        "--assignment", default="rnn", help="the assignment's name (default: rnn)"
    )
    parser.add_argument(
        "notebooks",
        nargs="*",
        help="with --nbgrader-course: the solution notebooks to put in (default: all)",
    )
    args = parser.parse_args(argv)
    if args.notebooks and not args.nbgrader_course:
        parser.error("notebooks are named only with --nbgrader-course")
    if args.nbgrader_course:
        folder = nbgrader_course(
            args.nbgrader_course, args.assignment, args.notebooks or None
        )
        print(f"wrote {folder}: {len(list(folder.glob('*.ipynb')))} notebooks")
        return 0
    if args.points:
        print("\n".join(points()))
        return 0
    changed = release(check_only=args.check)
    for path in changed:
        verb = "out of date" if args.check else "wrote"
        print(f"{verb}: {path.relative_to(ROOT)}")
    if not changed:
        print("notebooks are up to date")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
