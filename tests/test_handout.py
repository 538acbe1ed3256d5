"""The student handout (`course.py handout`): complete, honest, and runnable.

The zip is built in a temporary folder and unpacked; the tests check what it holds
(the student notebooks, the scripts and documents they mention, no solutions or
tests), that every relative link in its Markdown resolves inside it, that the
instructors' commands say so instead of running, and that `python3 course.py check`
there runs a student notebook and lists its exercises.
"""

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from test_course import load_course

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
SCRIPT = re.compile(r"\bscripts/\w+\.py\b")


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    """The unpacked handout: its rnn-course/ folder."""
    tmp = tmp_path_factory.mktemp("handout")
    if subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True).returncode:
        pytest.skip("course.py handout needs a git checkout")
    assert load_course(ROOT).handout(tmp / "student.zip") == 0
    with zipfile.ZipFile(tmp / "student.zip") as z:
        names = z.namelist()
        assert all(n.startswith("rnn-course/") for n in names), names[:5]
        z.extractall(tmp)
    return tmp / "rnn-course"


def markdown_texts(root):
    """(where, text) of every Markdown file and every notebook's Markdown cells."""
    for path in sorted(root.rglob("*.md")):
        yield path, path.read_text(encoding="utf-8")
    for path in sorted(root.rglob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n".join(
            "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
        )
        yield path, text


def test_it_holds_the_student_course_and_no_solutions(handout):
    students = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    shipped = sorted(p.name for p in (handout / "notebooks").glob("*.ipynb"))
    assert shipped == students
    for name in students:  # the student copies, not the solutions
        ours = (ROOT / "notebooks" / name).read_bytes()
        assert (handout / "notebooks" / name).read_bytes() == ours
    for absent in ("notebooks/solutions", "tests", ".ci", "requirements-dev.txt"):
        assert not (handout / absent).exists(), absent
    for present in (
        "course.py",
        "conftest.py",
        "pyproject.toml",
        "requirements.txt",
        "requirements-lock.txt",
        "binder/runtime.txt",
        "jupyter-config/labconfig/default_setting_overrides.json",
        "utils/__init__.py",
        "data/SHA256SUMS",
        "docs/widgets.md",
        "present/explorers.ipynb",
    ):
        assert (handout / present).is_file(), present


def test_the_readme_is_the_students_and_lists_every_notebook(handout):
    readme = (handout / "README.md").read_text(encoding="utf-8")
    assert (
        readme.splitlines()[0]
        == (ROOT / "handout" / "README.md").read_text(encoding="utf-8").splitlines()[0]
    )
    assert "For instructors" not in readme and "<!--" not in readme
    for path in sorted((handout / "notebooks").glob("*.ipynb")):
        assert f"](notebooks/{path.name})" in readme, path.name
    for command in ("course.py lab", "course.py check"):
        assert command in readme


def test_every_script_a_notebook_or_document_names_is_there(handout):
    named = set()
    for _, text in markdown_texts(handout):
        named.update(SCRIPT.findall(text))
    assert {"scripts/ablation.py", "scripts/train_charlm.py"} <= named
    missing = sorted(s for s in named if not (handout / s).is_file())
    assert not missing, missing


def test_every_relative_link_resolves(handout):
    broken, checked = [], 0
    for path, text in markdown_texts(handout):
        for target in LINK.findall(text):
            if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # a web address or an anchor in the same page
            checked += 1
            file = target.split("#")[0].split("?")[0]
            if not (path.parent / file).exists():
                broken.append(f"{path.relative_to(handout)}: {target}")
    assert checked > 10 and not broken, broken


def test_the_instructors_commands_explain_themselves(handout):
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "course.py", *args],
        cwd=handout,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    shown = run("help")
    assert shown.returncode == 0
    assert "course.py check" in shown.stdout and "course.py lab" in shown.stdout
    for command in ("test", "release", "handout"):
        assert f"course.py {command} " not in shown.stdout, command
        done = run(command)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        assert "instructors' command" in done.stderr and "check" in done.stderr
        assert "passed" not in done.stdout and "up to date" not in done.stdout


@pytest.mark.skipif(os.name == "nt", reason="the stand-in .venv is a shell script")
def test_course_check_runs_a_student_notebook(handout):
    """`python3 course.py check notebooks/00_start_here.ipynb` in the handout, with
    a .venv that is this test's Python (so nothing is installed)."""
    course = load_course(handout)
    bin_dir = course.venv_python().parent
    bin_dir.mkdir(parents=True)
    course.venv_python().write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    course.venv_python().chmod(0o755)
    course.STAMP.write_text(course.stamp("lock"))
    done = subprocess.run(
        [sys.executable, "course.py", "check", "notebooks/00_start_here.ipynb"],
        cwd=handout,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )
    out = done.stdout
    assert "Installing" not in out, out[-2000:]  # the stand-in .venv was accepted
    assert "exercises" in out and "notebooks/00_start_here.ipynb" in out, out[-3000:]
    summary = re.search(r"(\d+) exercises: 0 correct.*?(\d+) not attempted", out)
    assert summary and summary[1] == summary[2], out[-3000:]  # all of them blank
    assert re.search(r"\d+ passed", out), out[-3000:]
