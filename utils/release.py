"""Make the student notebooks from the solution notebooks.

    python -m utils.release          # regenerate notebooks/*.ipynb
    python -m utils.release --check  # exit 1 if a student copy is out of date

The solution notebooks in notebooks/solutions/ are the single source. In a code
cell, the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION`` (the markers
nbgrader uses) become a stub that raises ``NotImplementedError`` naming the
exercise, indented like the ``BEGIN`` marker; in a markdown cell they become a
prompt for the student's answer. Outputs are cleared in both copies, so that the
repository holds only sources.
"""

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "notebooks" / "solutions"
STUDENTS = ROOT / "notebooks"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
EXERCISE = re.compile(r"^###\s+Exercise\s+(\d+\.\d+):\s*(.+?)\s*$", re.M)


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


def solution_pairs():
    """[(solution path, student path)] for every solution notebook."""
    return [
        (p, STUDENTS / p.name) for p in sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))
    ]


def render(nb):
    """The exact text a notebook is stored as."""
    return nbformat.writes(nb) + "\n"


def release(check_only=False):
    """Regenerate (or with check_only, compare) every student notebook.

    Also clears stored outputs of the solution notebooks. Returns the list of files
    that were (or, with check_only, would be) changed.
    """
    changed = []
    for sol_path, stu_path in solution_pairs():
        nb = nbformat.read(sol_path, as_version=4)
        clean = copy.deepcopy(nb)
        for cell in clean.cells:
            _clear(cell)
        for path, text in (
            (sol_path, render(clean)),
            (stu_path, render(student_version(nb, sol_path.name))),
        ):
            if not path.exists() or path.read_text() != text:
                changed.append(path)
                if not check_only:
                    path.write_text(text)
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="only report out-of-date files; exit 1 if there are any",
    )
    args = parser.parse_args(argv)
    changed = release(check_only=args.check)
    for path in changed:
        verb = "out of date" if args.check else "wrote"
        print(f"{verb}: {path.relative_to(ROOT)}")
    if not changed:
        print("student notebooks are up to date")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
