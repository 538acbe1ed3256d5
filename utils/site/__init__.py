"""The course as a static site: every notebook a web page with its figures, outputs
and equations, in notebook order, readable without running anything.

    python3 course.py site            # -> dist/site/index.html
    python3 course.py site DIR        # or into DIR

The pages are the student copies (``notebooks/*.ipynb``), each executed top to
bottom in a fresh kernel, so the site shows every output a student sees and no
solution. Their check cells stop with "not attempted yet" (that is all a stub can
do); the page says instead that the check runs in the notebook. An explorer cannot
move on a static page: it is shown as the figure it opens with, with its controls
named in the caption, and a live loss curve as it ended. Any other error stops the
build.

The pages are made by nbconvert with JupyterLab's own export template (the look of
the notebook in JupyterLab), extended by ``page.html.j2`` with a navigation bar.
MathJax comes from the package ``jupyter-server-mathjax`` and is copied into the
site, so equations render with no network; nothing else is loaded from outside
the site's folder. Serve the folder with any web server
(``python3 -m http.server -d dist/site``) or open ``index.html`` from disk.
"""

import html
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
STUDENTS = ROOT / "notebooks"
MATHJAX = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
CHECK_NOTE = (
    '<p class="course-check">A check: in the notebook it runs your answer to the '
    "exercise above and says <em>All correct</em> or names the mistake.</p>"
)


def notebooks():
    """The student notebooks, in course order."""
    return sorted(STUDENTS.glob("[0-9][0-9]_*.ipynb"))


def execute(path, allow_errors=True):
    """A notebook executed top to bottom in a fresh kernel, in its own folder;
    errors are kept as outputs (an unattempted check stops its cell only), or
    with allow_errors=False raised."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(path.parent)}},
        # the kernel's own log (a warning that it talks over local TCP) is noise here
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    ).execute()
    return nb


def is_check(cell):
    return cell.cell_type == "code" and cell.source.strip().startswith("check.")


def unexpected_errors(nb):
    """Errors other than a check cell's "not attempted yet": what the site refuses."""
    return [
        f"{out.ename}: {out.evalue} (cell {cell.source[:60]!r})"
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
        and not (is_check(cell) and out.ename == "NotAttempted")
    ]


def title(nb):
    """The notebook's first heading, e.g. '01 · The vanilla RNN: ...'."""
    return nb.cells[0].source.splitlines()[0].lstrip("# ").strip()


def goal(nb):
    """The sentence after **Goal:** in the opening cell, as HTML (its code,
    bold and italics kept)."""
    match = re.search(r"\*\*Goal:\*\*\s*(.+?)(?:\n\s*\n|$)", nb.cells[0].source, re.S)
    text = html.escape(" ".join(match.group(1).split())) if match else ""
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    return re.sub(r"\*(.+?)\*", r"<em>\1</em>", text)


# ------------------------------------------------------------------ explorers


CONTROLS = ("Slider", "Dropdown", "Text", "ToggleButtons", "Checkbox", "RadioButtons")


def _parts(state, model_id, parts):
    """Walk a widget and its children in the saved widget state, collecting into
    parts: 'pictures' (its PNG frames and HTML), 'controls' ("name = value") and
    'status' (a progress bar's title, a label's text)."""
    model = state.get(model_id.removeprefix("IPY_MODEL_"))
    if model is None:
        return
    kind, values = model["model_name"].removesuffix("Model"), model["state"]
    label = html.escape(values.get("description", "").rstrip(": "))
    if kind == "Image":
        for buffer in model.get("buffers", []):
            if buffer.get("path") == ["value"]:
                parts["pictures"].append(
                    f'<img src="data:image/{values.get("format", "png")};base64,'
                    f'{buffer["data"]}" alt="the figure the cell draws">'
                )
    elif kind in ("HTML", "HTMLMath") and values.get("value"):
        parts["pictures"].append(f"<div>{values['value']}</div>")
    elif kind.endswith(CONTROLS) and label:
        value = values.get("value")
        if "_options_labels" in values and values.get("index") is not None:
            value = values["_options_labels"][values["index"]]
        if isinstance(value, float):
            value = f"{value:g}"
        elif kind.endswith("Text"):  # typed text: quoted, its line breaks shown
            value = "\u201c" + str(value).replace("\n", "\u23ce") + "\u201d"
        parts["controls"].append(f"{label} = {html.escape(str(value))}")
    elif kind.endswith("Progress") and label:
        parts["status"].append(label)
    elif kind == "Label" and values.get("value"):
        # a status line's fields are set apart by runs of spaces
        fields = re.split(r"\s{2,}", values["value"].strip())
        parts["status"].append(html.escape(", ".join(fields)))
    for child in values.get("children", []):
        _parts(state, child, parts)


def explorer_figure(state, model_id):
    """Static HTML for one displayed widget: its pictures and a caption (None if
    it shows no picture)."""
    parts = {"pictures": [], "controls": [], "status": []}
    _parts(state, model_id, parts)
    if not parts["pictures"]:
        return None
    if parts["controls"]:
        caption = (
            "An explorer, as it opens. In the notebook its controls redraw it: "
            + ", ".join(parts["controls"])
            + "."
        )
    else:
        caption = "Drawn live while the cell runs in the notebook; here as it ended"
        caption += (": " + ", ".join(parts["status"]) + ".") if parts["status"] else "."
    return (
        '<figure class="course-explorer">'
        + "".join(parts["pictures"])
        + f"<figcaption>{caption}</figcaption></figure>"
    )


def static(nb):
    """The executed notebook made fit for a static page: explorers as figures,
    check cells with a note instead of "not attempted yet"."""
    state = nb.metadata.pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if is_check(cell):
            cell.outputs = [_html_output(CHECK_NOTE)]
            continue
        outputs = []
        for out in cell.outputs:
            view = out.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                outputs.append(out)
                continue
            figure = explorer_figure(state, view["model_id"])
            if figure is not None:
                outputs.append(_html_output(figure))
        cell.outputs = outputs
    return nb


def _html_output(text):
    return nbformat.v4.new_output("display_data", data={"text/html": text})


# ---------------------------------------------------------------------- pages


def nav(pages, i):
    """The navigation bar of page i (None: the index) among pages [(file, title)]."""

    def link(k, cls, arrow):
        if k is None or not 0 <= k < len(pages):
            return f'<span class="{cls}"></span>'
        file, name = pages[k]
        text = f"&larr; {html.escape(name)}" if arrow == "prev" else html.escape(name)
        if arrow == "next":
            text += " &rarr;"
        return f'<a class="{cls}" rel="{arrow}" href="{file}">{text}</a>'

    up = '<a class="course-up" href="index.html">The course: all notebooks</a>'
    return (
        '<nav class="course-nav">'
        + link(i - 1, "course-prev", "prev")
        + up
        + link(i + 1, "course-next", "next")
        + "</nav>"
    )


def page(nb, name, bar):
    """One notebook's HTML, titled as the notebook is."""
    from nbconvert import HTMLExporter

    nb.metadata["title"] = title(nb)

    exporter = HTMLExporter(
        template_name="lab",
        extra_template_paths=[str(HERE)],
        template_file="page.html.j2",
        mathjax_url=MATHJAX,
    )
    note = (
        '<p class="course-static">A page of the course as its notebook printed it. '
        "To run the cells, move the sliders and do the exercises, open "
        f"<code>notebooks/{name}.ipynb</code> in JupyterLab.</p>"
    )
    resources = {"metadata": {"name": name}, "course_nav": bar, "course_note": note}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def index(entries):
    """The site's first page: every notebook, in order, with its goal."""
    items = "\n".join(
        f'<li><a href="{file}">{html.escape(name)}</a>'
        f'<div class="goal">{text}</div></li>'
        for file, name, text in entries
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Recurrent neural networks, derived, built and played with</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="course.css">
</head>
<body class="course-index">
<main>
<h1>Recurrent neural networks, derived, built and played with</h1>
<p>The course's notebooks with every figure and output, as they run top to bottom.
The explorers are shown as the figures they open with, and the exercises as
they are handed out. To move the sliders and do the exercises, run the notebooks
themselves: in a copy of the course, <code>python3 course.py lab</code> opens them
in JupyterLab (its README says more).</p>
<ul class="course-notebooks">
{items}
</ul>
</main>
</body>
</html>
"""


def copy_mathjax(target):
    """MathJax 2.7's files (those the site's configuration loads) into target."""
    try:
        import jupyter_server_mathjax
    except ImportError as error:
        raise RuntimeError(
            "the site needs MathJax's files from the package jupyter-server-mathjax "
            "(in requirements.txt): run `python3 course.py setup` to install it"
        ) from error
    source = Path(jupyter_server_mathjax.__file__).parent / "static"
    shutil.copytree(
        source,
        target / "mathjax",
        ignore=shutil.ignore_patterns("localization", "*.map"),
        dirs_exist_ok=True,
    )


def build(target=None, executed=None, log=print):
    """Write the site into target (default dist/site) -> the index's path.

    executed: {notebook file name: executed notebook} to use instead of running
    them (the tests pass the runs they made); the rest are executed here."""
    target = Path(target) if target else ROOT / "dist" / "site"
    if target.exists() and not target.is_dir():
        raise ValueError(f"target must be a folder, not the file {target}")
    target.mkdir(parents=True, exist_ok=True)
    executed = dict(executed or {})
    paths = notebooks()
    if not paths:
        raise ValueError(f"no notebooks in {STUDENTS}")
    runs = []
    for k, path in enumerate(paths, 1):
        start = time.perf_counter()
        if path.name in executed:
            nb, how = nbformat.from_dict(executed[path.name]), "run before"
        else:
            nb = execute(path)
            how = f"ran in {time.perf_counter() - start:.1f} s"
        wrong = unexpected_errors(nb)
        if wrong:
            raise RuntimeError(f"{path.name} does not run: " + "; ".join(wrong))
        log(f"[{k}/{len(paths)}] {path.name}: {how}")
        runs.append((path, nb))
    pages = [(p.with_suffix(".html").name, title(nb)) for p, nb in runs]
    for i, (path, nb) in enumerate(runs):
        text = page(static(nb), path.stem, nav(pages, i))
        (target / pages[i][0]).write_text(text, encoding="utf-8")
    entries = [
        (file, name, goal(nb))
        for (file, name), (_, nb) in zip(pages, runs, strict=True)
    ]
    (target / "index.html").write_text(index(entries), encoding="utf-8")
    shutil.copy(HERE / "course.css", target / "course.css")
    copy_mathjax(target)
    log(f"wrote {target}: index.html and {len(pages)} pages")
    return target / "index.html"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) > 1 or any(a.startswith("-") for a in argv):
        print("usage: python3 course.py site [FOLDER]   (default: dist/site)")
        return 2
    where = build(argv[0] if argv else None)
    print(
        f"open {where} in a browser, or serve it: python3 -m http.server -d "
        f"{where.parent}"
    )
    return 0
