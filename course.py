#!/usr/bin/env python3
"""Set up and run the course. Needs only Python 3.10 or newer (3.11 recommended).

    python3 course.py lab        set up .venv if needed, open the course in JupyterLab
    python3 course.py test       set up .venv if needed, run the whole test suite
    python3 course.py check      run your notebooks and list each exercise's result
                                 (or only some: course.py check notebooks/03_lstm.ipynb)
    python3 course.py release    regenerate the student notebooks from the solutions
    python3 course.py present    serve every explorer on one page (Voila), for lectures
    python3 course.py handout    write dist/rnn-course-student.zip (no solutions)
    python3 course.py setup      only create or update .venv

Arguments after the command go to JupyterLab, pytest or the release tool, e.g.
``python3 course.py lab --no-browser --port 8890`` or ``python3 course.py test -k gru``.
The environment is rebuilt whenever requirements.txt changes.
"""

import hashlib
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
REQUIREMENTS = ROOT / "requirements.txt"
STAMP = VENV / "requirements.sha256"


def venv_python():
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run(*args):
    print("+", " ".join(str(a) for a in args), flush=True)
    # matplotlib's font cache records absolute paths into the environment that
    # built it; keeping it inside .venv means a rebuilt .venv never sees stale paths
    env = dict(os.environ)
    env.setdefault("MPLCONFIGDIR", str(VENV / "matplotlib"))
    # The course's matrices are small, where one BLAS thread is about as fast as
    # two; and when another program keeps a core busy, a second thread spins and
    # waits (measured on 2 cores: 30 training steps took 1.4 s at two threads
    # against 0.6 s at one). One thread per process, unless set otherwise.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    return subprocess.call([str(a) for a in args], cwd=ROOT, env=env)


def setup():
    """Create .venv and install requirements.txt, unless that is already done."""
    if sys.version_info < (3, 10):  # noqa: UP036 - course.py must run to say so
        sys.exit(
            f"The course needs Python 3.10 or newer; this is {sys.version.split()[0]}."
        )
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if venv_python().exists() and STAMP.exists() and STAMP.read_text() == digest:
        return venv_python()
    if not venv_python().exists():
        print(f"Creating the environment in {VENV.name}/ ...", flush=True)
        venv.create(VENV, with_pip=True)
    pip = [venv_python(), "-m", "pip", "--disable-pip-version-check"]
    print(
        "Installing the course's packages (a few minutes the first time) ...",
        flush=True,
    )
    if run(*pip, "install", "--upgrade", "pip") or run(
        *pip, "install", "-r", REQUIREMENTS
    ):
        sys.exit("Installing the requirements failed; see pip's message above.")
    STAMP.write_text(digest)
    return venv_python()


def handout():
    """Zip what students need: everything tracked except solutions and dev files."""
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    skip = (
        "notebooks/solutions/",
        "tests/",
        "scripts/",
        ".ci/",
        "requirements-dev",
        "docs/",
    )
    keep = [f for f in files if not f.startswith(skip)]
    target = ROOT / "dist" / "rnn-course-student.zip"
    target.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name in keep:
            z.write(ROOT / name, f"rnn-course/{name}")
    print(f"wrote {target.relative_to(ROOT)}: {len(keep)} files, no solutions")
    return 0


def main(argv):
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "setup":
        setup()
        return 0
    if command == "lab":
        python = setup()
        root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        return run(
            python, "-m", "jupyterlab", "notebooks/00_start_here.ipynb", *root, *rest
        )
    if command == "test":
        return run(setup(), "-m", "pytest", "--durations=10", *rest)
    if command == "check":
        students = (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
        notebooks = rest or sorted(str(p.relative_to(ROOT)) for p in students)
        return run(setup(), "-m", "pytest", "-q", "--tb=no", "-rN", *notebooks)
    if command == "present":
        return run(setup(), "-m", "voila", "present/explorers.ipynb", *rest)
    if command == "release":
        return run(setup(), "-m", "utils.release", *rest)
    if command == "handout":
        return handout()
    print(__doc__)
    return 0 if command in ("help", "-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
