#!/usr/bin/env python3
"""Set up and run the course. Needs only Python 3.10 or newer (3.11 recommended).

    python3 course.py lab        set up .venv if needed, open the course in JupyterLab
    python3 course.py test       set up .venv if needed, run the whole test suite
    python3 course.py check      run your notebooks and list each exercise's result
                                 (or only some: course.py check notebooks/03_lstm.ipynb)
    python3 course.py release    regenerate the student notebooks from the solutions
    python3 course.py present    serve every explorer on one page (Voila), for lectures
    python3 course.py site       build dist/site/, the course as web pages with every
                                 figure and output (or name the folder)
    python3 course.py handout    write dist/rnn-course-student.zip (no solutions;
                                 or name the zip: course.py handout /tmp/h.zip)
    python3 course.py setup      only create or update .venv

Arguments after the command go on to the program it runs, e.g. JupyterLab's in
``python3 course.py lab --no-browser --port 8890``.

.venv gets the exact versions of requirements-lock.txt; ``python3 course.py setup
--ranges`` (or COURSE_REQUIREMENTS=ranges for any command) installs the ranges of
requirements.txt instead, and ``setup --lock`` goes back. The environment is rebuilt
whenever either file changes. JupyterLab starts with the course's settings
(jupyter-config/: no news pop-up) and .venv's python first on the PATH of its
terminals. A SIGTERM or SIGINT sent to course.py reaches JupyterLab or pytest too.
"""

import hashlib
import json
import os
import signal
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
REQUIREMENTS = ROOT / "requirements.txt"
LOCK = ROOT / "requirements-lock.txt"  # exact versions: scripts/lock_requirements.py
STAMP = VENV / "requirements.sha256"
FIRST_NOTEBOOK = "notebooks/00_start_here.ipynb"
# Commands of the full repository; the student handout has no solutions or tests.
INSTRUCTOR_COMMANDS = ("test", "release", "handout")


def venv_python():
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def environment():
    """The environment of every command course.py runs."""
    env = dict(os.environ)
    # matplotlib's font cache records absolute paths into the environment that
    # built it; keeping it inside .venv means a rebuilt .venv never sees stale paths
    env.setdefault("MPLCONFIGDIR", str(VENV / "matplotlib"))
    # The course's matrices are small, where one BLAS thread is about as fast as
    # two; and when another program keeps a core busy, a second thread spins and
    # waits (measured on 2 cores: 30 training steps took 1.4 s at two threads
    # against 0.6 s at one). One thread per process, unless set otherwise.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    # JupyterLab's settings for the course (no "Jupyter news?" pop-up) ...
    config = [str(ROOT / "jupyter-config"), env.get("JUPYTER_CONFIG_PATH", "")]
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(filter(None, config))
    # ... and, in its terminals, `python` is the course's (python scripts/...)
    env["VIRTUAL_ENV"] = str(VENV)
    env["PATH"] = os.pathsep.join([str(venv_python().parent), env.get("PATH", "")])
    return env


def lab_arguments(*rest):
    """JupyterLab's arguments: served from the course folder, opening notebook 00
    (the URL it prints opens it too)."""
    root = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    return [
        f"--ServerApp.root_dir={ROOT}",
        f"--LabApp.default_url=/lab/tree/{FIRST_NOTEBOOK}",
        *root,
        *rest,
    ]


def _from_terminal():
    """True when course.py runs in the foreground of a terminal: a Ctrl+C there
    signals the whole foreground process group, the child included."""
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (AttributeError, OSError, ValueError):
        return False


def run(*args):
    """Run a command in the course folder and wait for it; -> its exit code.

    SIGTERM and SIGINT sent to course.py are passed on to the command, so that
    stopping course.py stops JupyterLab or pytest too (a Ctrl+C in a terminal
    reaches both already, and is not sent twice)."""
    print("+", " ".join(str(a) for a in args), flush=True)
    child = subprocess.Popen([str(a) for a in args], cwd=ROOT, env=environment())

    def forward(signum, frame):
        if signum == signal.SIGINT and (os.name == "nt" or _from_terminal()):
            return  # the child has it already
        child.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - code if code < 0 else code  # killed by a signal: 128 + its number


def stamp(mode):
    """What .venv's stamp says once `mode` ("lock" or "ranges") is installed from
    the current requirements.txt and requirements-lock.txt."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes() + LOCK.read_bytes())
    return f"{digest.hexdigest()} {mode}\n"


def setup(mode=None):
    """Create .venv and install the locked versions (or the ranges), unless done.

    mode: "lock" (requirements-lock.txt, the default), "ranges" (requirements.txt),
    or None: COURSE_REQUIREMENTS if set, else whichever .venv was built with.
    """
    if sys.version_info < (3, 10):  # noqa: UP036 - course.py must run to say so
        sys.exit(
            f"The course needs Python 3.10 or newer; this is {sys.version.split()[0]}."
        )
    mode = mode or os.environ.get("COURSE_REQUIREMENTS") or None
    if mode not in (None, "lock", "ranges"):
        sys.exit(f"COURSE_REQUIREMENTS must be 'lock' or 'ranges', not {mode!r}.")
    built = STAMP.read_text() if venv_python().exists() and STAMP.exists() else ""
    if built in (stamp("lock"), stamp("ranges")) and mode in (None, built.split()[1]):
        return venv_python()
    mode = mode or "lock"
    if not venv_python().exists():
        print(f"Creating the environment in {VENV.name}/ ...", flush=True)
        venv.create(VENV, with_pip=True)
    pip = [venv_python(), "-m", "pip", "--disable-pip-version-check"]
    print(
        "Installing the course's packages (a few minutes the first time) ...",
        flush=True,
    )
    if run(*pip, "install", "--upgrade", "pip"):
        sys.exit("Upgrading pip failed; see pip's message above.")
    if mode == "lock" and run(*pip, "install", "-r", LOCK):
        python = ".".join(map(str, sys.version_info[:2]))
        print(
            f"The locked versions ({LOCK.name}, resolved on Python 3.11) do not "
            f"install on Python {python}; installing the ranges of "
            f"{REQUIREMENTS.name} instead.",
            flush=True,
        )
        mode = "ranges"
    if mode == "ranges" and run(*pip, "install", "-r", REQUIREMENTS):
        sys.exit("Installing the requirements failed; see pip's message above.")
    STAMP.write_text(stamp(mode))
    return venv_python()


def student_copy():
    """True in the student handout, which has no solutions and no tests."""
    return not (ROOT / "notebooks" / "solutions").is_dir()


def usage():
    """The help text; a student copy leaves the instructors' commands out of it."""
    if not student_copy():
        return __doc__
    kept, dropping = [], False
    for line in __doc__.splitlines():
        words = line.split()
        if words[:2] == ["python3", "course.py"]:
            dropping = words[2] in INSTRUCTOR_COMMANDS
        elif not line.startswith(" " * 20):  # not the continuation of a command
            dropping = False
        if not dropping:
            kept.append(line)
    return "\n".join(kept)


def notebook_list():
    """Markdown lines linking every student notebook, titled by its first heading."""
    lines = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        first = json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"]
        title = "".join(first).splitlines()[0].lstrip("# ").strip()
        lines.append(f"- [{title}](notebooks/{path.name})")
    return "\n".join(lines)


def handout(target=None):
    """Zip what students need: the course without the solutions, the tests and the
    development files, with the student README (handout/README.md, the notebooks
    listed in it) as README.md."""
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    skip = ("notebooks/solutions/", "tests/", ".ci/", "requirements-dev", "handout/")
    keep = [f for f in files if not f.startswith(skip) and f != "README.md"]
    readme = (ROOT / "handout" / "README.md").read_text(encoding="utf-8")
    marker = "<!-- notebooks: course.py handout lists them here, in order -->"
    readme = readme.replace(marker, notebook_list())
    target = Path(target) if target else ROOT / "dist" / "rnn-course-student.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name in keep:
            z.write(ROOT / name, f"rnn-course/{name}")
        z.writestr("rnn-course/README.md", readme)
    where = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
    print(f"wrote {where}: {len(keep) + 1} files, no solutions")
    return 0


def main(argv):
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command in INSTRUCTOR_COMMANDS and student_copy():
        print(
            f"`course.py {command}` is an instructors' command: it needs the full "
            "repository (solutions and tests), and this is the student copy. To "
            "check your exercises, run `python3 course.py check` (or name notebooks: "
            f"`python3 course.py check {FIRST_NOTEBOOK}`).",
            file=sys.stderr,
        )
        return 2
    if command == "setup":
        modes = {"--lock": "lock", "--ranges": "ranges"}
        if any(arg not in modes for arg in rest):
            print("usage: python3 course.py setup [--lock | --ranges]", file=sys.stderr)
            return 2
        setup(modes[rest[-1]] if rest else None)
        return 0
    if command == "lab":
        return run(setup(), "-m", "jupyterlab", *lab_arguments(*rest))
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
    if command == "site":
        return run(setup(), "-m", "utils.site", *rest)
    if command == "handout":
        return handout(*rest)
    print(usage())
    return 0 if command in ("help", "-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
