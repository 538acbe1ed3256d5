"""The readable site (`python3 course.py site`): every student notebook a page with
its figures, outputs and equations, in notebook order, with working links, and
nothing loaded from outside the site.

The site is built once from the student copies' runs the notebook tests made
(tests/runs.py), then read as HTML and in headless Chromium. The browser part needs
Debian's Chromium and playwright (tests/browsers.py); without them it is skipped,
unless COURSE_REQUIRE_BROWSER=1 (as in CI).
"""

import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import browsers
import nbformat
import pytest
import runs

from utils import site

ROOT = Path(__file__).resolve().parents[1]
NAMES = [p.name for p in site.notebooks()]
PAGES = [Path(n).with_suffix(".html").name for n in NAMES]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The site's folder, built from the session's runs of the student copies."""
    folder = tmp_path_factory.mktemp("site")
    lines = []
    index = site.build(
        folder, executed={n: runs.student_run(n) for n in NAMES}, log=lines.append
    )
    assert index == folder / "index.html"
    assert lines[-1] == f"wrote {folder}: index.html and {len(NAMES)} pages"
    return folder


def figures_expected(name):
    """How many pictures a page must show: the static figures of the notebook's
    run, and one frame for every explorer or live figure it displayed."""
    nb = runs.student_run(name)
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and not site.is_check(cell):
            for out in cell.outputs:
                data = out.get("data", {})
                count += "image/png" in data or site.WIDGET_VIEW in data
    return count


def test_index_lists_every_notebook_in_order(built):
    text = (built / "index.html").read_text()
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', text)
    assert "python3 course.py lab" in text
    assert [href for href, _ in links] == PAGES
    for (_, title), name in zip(links, NAMES, strict=True):
        assert title.startswith(name[:2] + " · ")
    assert "*" not in re.sub(r"<[^>]+>", "", text), "markdown left unrendered"


@pytest.mark.parametrize("name", NAMES)
def test_page_shows_every_output_and_no_solution(built, name):
    page = (built / Path(name).with_suffix(".html").name).read_text()
    i = NAMES.index(name)
    nav = re.findall(r'<nav class="course-nav">(.*?)</nav>', page, re.S)
    assert len(nav) == 2, "a navigation bar above and below the notebook"
    assert f"open <code>notebooks/{name}</code> in JupyterLab" in page
    hrefs = re.findall(r'href="([^"]+)"', nav[0])
    assert hrefs == [*PAGES[max(i - 1, 0) : i], "index.html", *PAGES[i + 1 : i + 2]]
    assert page.count("<img") == figures_expected(name) > 0
    assert page.count('class="course-explorer"') >= 1, "every notebook has one"
    assert "NotAttempted" not in page and "Traceback" not in page
    # the checks are there, each with its note instead of "not attempted yet"
    assert page.count('class="course-check"') == sum(
        map(site.is_check, runs.student_run(name).cells)
    )
    assert "### BEGIN SOLUTION" not in page, "the pages are the student copies"
    assert "&lt;matplotlib." not in page, "a cell's last line leaks an object's repr"
    # nothing from the network: MathJax is the site's own copy
    assert f'src="{site.MATHJAX}"' in page
    external = re.findall(r'(?:src|href)="((?:https?:)?//[^"]*)"', page)
    assert not external, external


def explorer_figures(name):
    """site.explorer_figure of every widget the notebook's run displayed."""
    nb = runs.student_run(name)
    state = nb.metadata["widgets"][site.WIDGET_STATE]["state"]
    return [
        site.explorer_figure(state, out["data"][site.WIDGET_VIEW]["model_id"])
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if site.WIDGET_VIEW in out.get("data", {})
    ]


def test_explorer_figures_name_their_controls():
    """An explorer's frame comes from the saved widget state, captioned with its
    controls; a live figure (no controls) says it is drawn while the cell runs."""
    (figure,) = explorer_figures("01_vanilla_rnn.ipynb")
    assert figure.count('<img src="data:image/png;base64,') == 1
    assert "recurrent weight w_hh = " in figure and "as it opens" in figure
    captions = explorer_figures("04_lstm_backward.ipynb")
    assert any("Drawn live" in c and "step " in c for c in captions)


def test_a_notebook_that_fails_stops_the_build(tmp_path):
    broken = nbformat.from_dict(runs.student_run(NAMES[0]))
    cell = next(c for c in broken.cells if c.cell_type == "code")
    cell.outputs = [
        nbformat.v4.new_output("error", ename="KeyError", evalue="'x'", traceback=[])
    ]
    executed = {n: runs.student_run(n) for n in NAMES} | {NAMES[0]: broken}
    with pytest.raises(RuntimeError, match=f"{NAMES[0]} does not run: KeyError"):
        site.build(tmp_path, executed=executed, log=lambda line: None)


def test_site_command_says_its_usage():
    run = subprocess.run(
        [sys.executable, "-m", "utils.site", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "usage: python3 course.py site" in run.stdout


# ----------------------------------------------------------------- the browser


@pytest.fixture(scope="module")
def served(built):
    """The site served over HTTP from its folder -> its base URL."""
    port = browsers.free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "-b", "127.0.0.1"],
        cwd=built,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            urllib.request.urlopen(base, timeout=2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield base
    server.terminate()
    server.wait()


def test_the_site_in_a_browser(served):
    """Follow the 'next' links from the index through every page: each renders
    its equations with the site's MathJax (no error, no raw TeX), shows every
    picture, and every link on it answers; no request leaves the site."""
    browsers.require()
    from playwright.sync_api import sync_playwright

    outside, broken = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browsers.CHROMIUM)
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        def local_only(route):
            if route.request.url.startswith((served, "data:", "about:")):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", local_only)
        page.on(
            "response",
            lambda r: broken.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        page.goto(served + "index.html")
        page.click(f'a[href="{PAGES[0]}"]')
        seen = []
        while True:
            page.wait_for_load_state("networkidle")
            # queued behind the page's typesetting, so it runs when that is done
            page.wait_for_function("() => window.MathJax && MathJax.Hub")
            page.evaluate("MathJax.Hub.Queue(() => { window.typeset = true; })")
            page.wait_for_function("() => window.typeset === true", timeout=60_000)
            name = page.url.rsplit("/", 1)[1]
            seen.append(name)
            facts = page.evaluate(
                """() => ({
                rendered: document.querySelectorAll('span.MathJax').length,
                errors: document.querySelectorAll('.MathJax_Error, merror').length,
                native: document.querySelectorAll('.MathJax_MathML').length,
                previews: [...document.querySelectorAll('.MathJax_Preview')]
                    .filter(p => p.textContent.trim()).length,
                images: [...document.images].map(i => i.complete && i.naturalWidth),
                text: document.querySelector('main').innerText,
                prose: [...document.querySelectorAll('.jp-MarkdownOutput')].map(e => {
                    const copy = e.cloneNode(true);
                    copy.querySelectorAll('code, pre, script').forEach(x => x.remove());
                    return copy.innerText;
                }).join(' '),
                links: [...document.links].map(a => a.href),
            })"""
            )
            assert facts["rendered"] > 20 and not facts["errors"], name
            assert not facts["previews"], f"{name}: equations left as previews"
            assert not facts["native"], "MathJax's own output, not the browser's"
            assert "$$" not in facts["text"] and "\\frac" not in facts["text"], name
            # no TeX left over in the prose: every $...$ typeset, no \_ in \text{}
            leftover = re.findall(r".{0,30}[\\$].{0,30}", facts["prose"])
            assert not leftover, f"{name}: {leftover[:3]}"
            assert all(facts["images"]) and facts["images"], f"{name}: an image broke"
            assert len(facts["images"]) == figures_expected(Path(name).stem + ".ipynb")
            for link in set(facts["links"]):
                assert link.startswith(served), link
                with urllib.request.urlopen(link.split("#")[0], timeout=10) as r:
                    assert r.status == 200, link
            nxt = page.locator("nav.course-nav a[rel=next]").first
            if not nxt.count():
                break
            nxt.click()
        browser.close()
    assert seen == PAGES, "the 'next' links go through the course in order"
    assert not outside, f"requests outside the site: {outside[:5]}"
    assert not broken, broken[:5]
