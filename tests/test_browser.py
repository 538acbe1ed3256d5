"""The explorers in a real browser: JupyterLab and Voila in headless Chromium.

Run all cells, move each slider with the keyboard, pick another option in each
dropdown and type into each text box, and check that the figure it drives changes,
that no widget shows "Error displaying widget" and that no cell shows an error: in
Voila for the presentation page, which shows every explorer, and in JupyterLab for
the notebooks of LAB_NOTEBOOKS, whose lab-specific behaviour matters. (Every
notebook's cells run under nbval too, where a solution cell that writes to stderr
fails: conftest.py.)

Needs Debian's Chromium (apt-get install chromium) and Python's playwright
(pip install -r requirements-dev.txt); without them the test is skipped, unless
COURSE_REQUIRE_BROWSER=1 (as in CI) makes that a failure.
"""

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import browsers
import pytest
from test_course import load_course

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p.relative_to(ROOT).as_posix()
    for p in (ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb")
    if "utils.widgets." in p.read_text()
)
IMAGE = "img.widget-image"
# JupyterLab runs these notebooks whole (the others' explorers are driven in Voila,
# their cells run by nbval): 07 has a live-loss figure that redraws while its cells
# run and every kind of control (float and integer sliders, a dropdown, the only text
# box, whose keys JupyterLab's shortcuts must not take); 10 has a live-loss figure
# redrawn every 50 steps; both are long, so only without windowing (the lab fixture's
# settings) is every output in the page.
LAB_NOTEBOOKS = [
    f"notebooks/solutions/{name}.ipynb"
    for name in ("07_char_language_model", "10_sequence_to_sequence")
]


browsers.require(module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402


def start(args, url, log, env=None):
    """Start a server and wait until url answers 200; -> the process."""
    proc = subprocess.Popen(
        args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{args[2]} exited early; see {log.name}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError(f"{args[2]} did not answer at {url} within 120 s")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lab")
    # JupyterLab saves what it runs, so it serves copies of the notebooks from a
    # scratch root where utils/ and data/ are links to the course's own.
    root = tmp / "course"
    (root / "notebooks").mkdir(parents=True)
    shutil.copytree(ROOT / "notebooks" / "solutions", root / "notebooks" / "solutions")
    for name in ("utils", "data"):
        (root / name).symlink_to(ROOT / name, target_is_directory=True)
    settings = tmp / "settings" / "@jupyterlab"
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "docmanager-extension").mkdir(parents=True)
    # Render every cell (no windowing), so that every output is in the page.
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        '{"windowingMode": "none"}'
    )
    (settings / "docmanager-extension" / "plugin.jupyterlab-settings").write_text(
        '{"autosave": false}'
    )
    port, token = browsers.free_port(), "course-browser-test"
    args = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.workspaces_dir={tmp}",
        f"--LabApp.user_settings_dir={tmp / 'settings'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    # the settings course.py gives JupyterLab (jupyter-config/: no news pop-up)
    env = load_course().environment()
    with open(tmp / "lab.log", "w") as log:
        status = f"http://127.0.0.1:{port}/api/status?token={token}"
        proc = start(args, status, log, env)
        yield f"http://127.0.0.1:{port}", token
        proc.terminate()
        proc.wait(30)


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("voila")
    port = browsers.free_port()
    args = [
        sys.executable,
        "-m",
        "voila",
        "present/explorers.ipynb",
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
    ]
    with open(tmp / "voila.log", "w") as log:
        proc = start(args, f"http://127.0.0.1:{port}/", log)
        yield f"http://127.0.0.1:{port}/"
        proc.terminate()
        proc.wait(30)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=browsers.CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


def wait_for_change(image, before, timeout=20):
    """True once the image's pixels differ from `before`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if image.screenshot() != before:
            return True
        time.sleep(0.2)
    return False


def drive_every_control(page):
    """Move every slider and dropdown, type into every text box; -> the controls
    that did not change a figure."""
    figure_of = "xpath=ancestor::div[.//img[contains(@class,'widget-image')]][1]"
    stuck = []
    handles = page.locator(".widget-slider .noUi-handle")
    selects = page.locator(".widget-dropdown select")
    assert handles.count() + selects.count() > 0, "no slider or dropdown found"
    for i in range(handles.count()):
        handle = handles.nth(i)
        handle.scroll_into_view_if_needed()
        image = handle.locator(figure_of).locator(IMAGE).first
        moved = False
        for key in ("ArrowRight", "ArrowLeft"):  # one way is open even at an end
            before = image.screenshot()
            handle.focus()
            for _ in range(6):
                page.keyboard.press(key)
            if wait_for_change(image, before, timeout=8):
                moved = True
                break
        if not moved:
            stuck.append(f"slider {i} ({handle.get_attribute('aria-valuenow')})")
    for i in range(selects.count()):
        select = selects.nth(i)
        select.scroll_into_view_if_needed()
        image = select.locator(figure_of).locator(IMAGE).first
        before = image.screenshot()
        values = select.locator("option").evaluate_all("os => os.map(o => o.value)")
        current = select.input_value()
        select.select_option(value=next(v for v in values if v != current))
        if not wait_for_change(image, before):
            stuck.append(f"dropdown {i}")
    boxes = page.locator(".widget-text input")
    for i in range(boxes.count()):  # type into each text box and press Enter
        box = boxes.nth(i)
        box.scroll_into_view_if_needed()
        image = box.locator(figure_of).locator(IMAGE).first
        before = image.screenshot()
        box.fill(box.input_value() + "e")
        box.press("Enter")
        if not wait_for_change(image, before):
            stuck.append(f"text box {i}")
    return stuck


def assert_no_errors(page):
    assert page.get_by_text("Error displaying widget").count() == 0
    errors = page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    )
    assert errors.count() == 0, errors.all_inner_texts()


def test_the_lab_notebooks_have_explorers():
    assert set(LAB_NOTEBOOKS) <= set(NOTEBOOKS), set(LAB_NOTEBOOKS) - set(NOTEBOOKS)


@pytest.mark.parametrize("notebook", LAB_NOTEBOOKS)
def test_explorers_in_jupyterlab(lab, browser, notebook):
    base, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    workspace = f"test{time.time_ns()}"
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={token}")
    idle = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
    page.wait_for_selector(idle, timeout=90_000)
    time.sleep(2)  # the indicator can read idle a moment before the kernel is ready
    code_cells = page.locator(".jp-CodeCell").count()

    def run_all_and_wait(seconds):
        """Run all cells; True once every code cell shows a count and all is idle."""
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        deadline = time.time() + seconds
        while time.time() < deadline:
            prompts = page.locator(".jp-InputArea-prompt").all_inner_texts()
            done = [p for p in prompts if p.strip("[]: ").isdigit()]
            if len(done) == code_cells and page.locator(idle).count():
                return True
            time.sleep(0.5)
        return False

    # a Run All issued while the kernel was still starting can leave cells unrun on a
    # loaded machine: try once more before failing
    if not run_all_and_wait(90) and not run_all_and_wait(120):
        prompts = page.locator(".jp-InputArea-prompt").all_inner_texts()
        pytest.fail(f"{notebook} did not finish running all cells; prompts: {prompts}")
    page.wait_for_selector(IMAGE, timeout=30_000)
    assert_no_errors(page)
    assert_not_stretched(page)
    assert drive_every_control(page) == []
    assert_no_errors(page)
    assert_no_news(page)
    page.close()


def assert_not_stretched(page):
    """No figure is shown wider than it was drawn (a stretched PNG is blurry)."""
    sizes = page.locator(IMAGE).evaluate_all(
        "imgs => imgs.map(i => [i.naturalWidth, i.getBoundingClientRect().width])"
    )
    stretched = [(n, w) for n, w in sizes if w > n + 0.5]
    assert sizes and not stretched, f"(drawn, shown) px: {stretched}"


def assert_no_news(page):
    """JupyterLab asks "get notified about Jupyter news?" in a toast unless the
    course's settings (jupyter-config/) answer it."""
    toasts = page.locator(".Toastify__toast").all_inner_texts()
    assert not [t for t in toasts if "news" in t.lower()], toasts


@pytest.mark.skipif(os.name == "nt", reason="the stand-in .venv is a shell script")
def test_course_lab_opens_notebook_00_without_news(browser, tmp_path):
    """The URL `course.py lab --no-browser` prints opens notebook 00, with no news
    pop-up; run in a copy of the course whose .venv is this test's Python."""
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    for name in ("course.py", "requirements.txt", "requirements-lock.txt"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "jupyter-config", root / "jupyter-config")
    shutil.copy(ROOT / "notebooks" / "00_start_here.ipynb", root / "notebooks")
    for name in ("utils", "data"):
        (root / name).symlink_to(ROOT / name, target_is_directory=True)
    course = load_course(root)
    course.venv_python().parent.mkdir(parents=True)
    course.venv_python().write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    course.venv_python().chmod(0o755)
    course.STAMP.write_text(course.stamp("lock"))
    env = {  # a new user: no settings of their own, no saved workspace
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    env.pop("JUPYTER_CONFIG_PATH", None)
    port = browsers.free_port()
    args = [sys.executable, "course.py", "lab", "--no-browser", f"--port={port}"]
    log = tmp_path / "lab.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [*args, "--ServerApp.ip=127.0.0.1"],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline, url = time.time() + 120, None
        while url is None and time.time() < deadline and proc.poll() is None:
            found = re.search(r"http://127\.0\.0\.1:\d+/\S+token=\w+", log.read_text())
            url = found and found[0]
            time.sleep(0.5)
        assert url, log.read_text()[-3000:]
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        idle = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
        page.wait_for_selector(idle, timeout=90_000)
        time.sleep(5)  # the news question comes a few seconds after the page
        current = page.locator(".lm-DockPanel .lm-TabBar-tab.lm-mod-current")
        assert current.inner_text().strip() == "00_start_here.ipynb"
        heading = page.locator(".jp-Notebook h1").first.inner_text()
        assert heading.startswith("00 · Start here"), heading
        assert_no_news(page)
        page.close()
    finally:
        proc.terminate()  # course.py passes it on to JupyterLab
        proc.wait(60)


def test_explorers_in_voila(voila, browser):
    from utils import widgets

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(voila, timeout=120_000)
    images = page.locator(IMAGE)
    # the page runs every explorer's cell in one kernel: on a loaded 2-core machine
    # the last one came after more than two minutes
    deadline = time.time() + 300
    while images.count() < len(widgets.EXPLORERS) and time.time() < deadline:
        time.sleep(0.5)
    assert images.count() == len(widgets.EXPLORERS), "an explorer is missing"
    assert_no_errors(page)
    # presentable: a real title, text and figures large enough to project
    assert page.title() == "Recurrent networks: the explorers"
    px = "e => parseFloat(getComputedStyle(e).fontSize)"
    assert page.locator(".jp-RenderedMarkdown p").first.evaluate(px) >= 18
    assert page.locator(".jp-RenderedMarkdown h2").first.evaluate(px) >= 26
    assert page.locator(".widget-label").first.evaluate(px) >= 16
    drawn = images.evaluate_all("imgs => imgs.map(i => i.naturalWidth)")
    assert min(drawn) >= 1.4 * 900, drawn  # 1.5 times the notebooks' 900 px
    assert_not_stretched(page)
    assert drive_every_control(page) == []
    page.close()
