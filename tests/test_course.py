"""course.py itself: the locked install, its stamp, and the child it runs.

- requirements-lock.txt pins everything requirements.txt needs, within its ranges,
  resolved on the Python that binder/runtime.txt names, and Binder installs it;
- an environment that course.py built from the lock holds exactly those versions;
- setup() installs only when the files or the chosen mode changed, and falls back
  to the ranges when the lock does not install;
- `course.py lab --no-browser` prints a URL that opens notebook 00, and SIGTERM or
  SIGINT sent to course.py stops JupyterLab too.
"""

import importlib.metadata
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import browsers
import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def load_course(root=ROOT):
    """The course.py of `root` as a module (the browser and handout tests use it
    too)."""
    spec = importlib.util.spec_from_file_location(
        f"course_{id(root)}", root / "course.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def locked():
    """{name: version} of requirements-lock.txt, names in canonical form."""
    pins = {}
    for line in (ROOT / "requirements-lock.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_the_lock_pins_every_requirement_within_its_range():
    pins = locked()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        req = Requirement(line)
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in pins, f"{req.name} is not in requirements-lock.txt"
        assert req.specifier.contains(pins[name]), (req, pins[name])


def test_the_lock_and_binder_name_the_same_python():
    header = (ROOT / "requirements-lock.txt").read_text().splitlines()[:4]
    python = re.search(r"Python (3\.\d+)", " ".join(header))[1]
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == f"python-{python}"
    binder = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    installs = [line for line in binder if line and not line.startswith("#")]
    assert installs == ["-r ../requirements-lock.txt"]
    assert (ROOT / "binder" / "../requirements-lock.txt").is_file()


def test_an_environment_built_from_the_lock_has_exactly_its_versions():
    stamp = Path(sys.prefix) / "requirements.sha256"
    words = stamp.read_text().split() if stamp.is_file() else []
    if words[1:] != ["lock"]:
        pytest.skip(f"{sys.prefix} was not built by course.py from the lock")
    wrong = {}
    for name, version in locked().items():
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (version, installed)
    assert not wrong, f"locked, installed: {wrong}"


@pytest.fixture
def course(tmp_path, monkeypatch):
    """course.py with its .venv in tmp_path and every command recorded, not run."""
    module = load_course()
    venv_dir = tmp_path / ".venv"
    monkeypatch.setattr(module, "VENV", venv_dir)
    monkeypatch.setattr(module, "STAMP", venv_dir / "requirements.sha256")
    monkeypatch.delenv("COURSE_REQUIREMENTS", raising=False)
    module.ran, module.fail = [], set()

    def create(path, with_pip):
        module.venv_python().parent.mkdir(parents=True)
        module.venv_python().write_text("")

    def run(*args):
        installed = args[-1]
        module.ran.append(Path(installed).name)
        return 1 if Path(installed).name in module.fail else 0

    monkeypatch.setattr(module.venv, "create", create)
    monkeypatch.setattr(module, "run", run)
    return module


def test_setup_installs_the_lock_then_nothing_until_a_file_changes(course):
    course.setup()
    assert course.ran == ["pip", "requirements-lock.txt"]
    assert course.STAMP.read_text() == course.stamp("lock")
    course.ran.clear()
    course.setup()
    course.setup("lock")
    assert course.ran == []


def test_setup_follows_the_chosen_mode(course, monkeypatch):
    course.setup()
    course.ran.clear()
    course.setup("ranges")  # asked for: reinstalled from the ranges
    assert course.ran == ["pip", "requirements.txt"]
    course.ran.clear()
    course.setup()  # not asked: the environment as it was built is kept
    assert course.ran == []
    monkeypatch.setenv("COURSE_REQUIREMENTS", "lock")
    course.setup()
    assert course.ran == ["pip", "requirements-lock.txt"]
    monkeypatch.setenv("COURSE_REQUIREMENTS", "exact")
    with pytest.raises(SystemExit, match="'lock' or 'ranges'"):
        course.setup()


def test_setup_falls_back_to_the_ranges_when_the_lock_does_not_install(course):
    course.fail.add("requirements-lock.txt")
    course.setup()
    assert course.ran == ["pip", "requirements-lock.txt", "requirements.txt"]
    assert course.STAMP.read_text() == course.stamp("ranges")
    course.fail.add("requirements.txt")
    with pytest.raises(SystemExit, match="failed"):
        course.setup("lock")


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals; a shell-script .venv")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_lab_prints_notebook_00s_url_and_stops_with_course_py(tmp_path, signum):
    """course.py lab in a copy of the course whose .venv is this test's Python."""
    psutil = pytest.importorskip("psutil")
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    for name in ("course.py", "requirements.txt", "requirements-lock.txt"):
        shutil.copy(ROOT / name, root / name)
    shutil.copy(ROOT / "notebooks" / "00_start_here.ipynb", root / "notebooks")
    course = load_course(root)
    course.venv_python().parent.mkdir(parents=True)
    course.venv_python().write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    course.venv_python().chmod(0o755)
    course.STAMP.write_text(course.stamp("lock"))
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    port = browsers.free_port()
    log = tmp_path / "lab.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "course.py", "lab", "--no-browser", f"--port={port}"]
            + ["--ServerApp.ip=127.0.0.1"],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            # as a course.py started from a terminal: a test run in the background
            # (nohup, &) ignores SIGINT, and an ignored signal stays ignored in
            # every child, JupyterLab included
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    children = []
    try:
        deadline = time.time() + 120
        url = None
        while time.time() < deadline and url is None and proc.poll() is None:
            found = re.search(r"http://127\.0\.0\.1:\d+/\S+", log.read_text())
            url = found and found[0]
            time.sleep(0.5)
        assert url, log.read_text()[-3000:]
        first = f"http://127.0.0.1:{port}/lab/tree/notebooks/00_start_here.ipynb"
        assert re.fullmatch(re.escape(first) + r"\?token=\w+", url), url
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children, "course.py runs JupyterLab as its child"
        proc.send_signal(signum)
        proc.wait(60)  # course.py ends once JupyterLab has
        gone, alive = psutil.wait_procs(children, timeout=30)
        assert not alive, f"still running after course.py stopped: {alive}"
    finally:
        for p in [proc, *children]:
            if p.poll() is None if p is proc else p.is_running():
                p.kill()
