"""The package's layout: imports point one way, modules stay small, and every
notebook names where its code, checks and explorers live.

The direction (DESIGN.md): cells -> (training, gradients, variants, charlm, data,
reproduce) -> (check, widgets) -> notebooks. The maths never imports a widget, a
figure or a check, so `import utils.cells` costs numpy only.
"""

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
UTILS = ROOT / "utils"
MATHS = ("training", "gradients", "variants", "charlm", "data", "reproduce")
SCREEN = ("ipywidgets", "matplotlib", "PIL", "IPython")
MAX_LINES = 420  # "under about 400 lines"

# What each part of utils may import from the rest of utils.
ALLOWED = {
    "cells": {"cells"},
    **{m: {"cells", *MATHS} for m in MATHS},
    "check": {"cells", *MATHS, "check"},
    "widgets": {"cells", *MATHS, "plots", "widgets"},
    "plots": {"plots"},
    "release": {"release"},
    "site": {"site"},
}


def modules():
    """(part, path) of every module of utils; part is its first name below utils."""
    for path in sorted(UTILS.rglob("*.py")):
        rel = path.relative_to(UTILS)
        if rel.parts == ("__init__.py",):
            continue
        yield rel.parts[0].removesuffix(".py"), path


def imports(path):
    """The absolute module names a file imports (relative imports resolved)."""
    rel = path.relative_to(ROOT).with_suffix("")
    package = list(rel.parts[:-1])  # a package's __init__ is the package itself
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
                found.add(name)
                if not node.module:  # from . import a, b
                    found.update(f"{name}.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
    return found


def test_the_parts_are_the_designed_ones():
    parts = {part for part, _ in modules()}
    assert parts == set(ALLOWED), parts ^ set(ALLOWED)


@pytest.mark.parametrize(
    "part,path", list(modules()), ids=[str(p.relative_to(UTILS)) for _, p in modules()]
)
def test_imports_point_one_way(part, path):
    for name in imports(path):
        top, _, rest = name.partition(".")
        if top == "utils" and rest:
            target = rest.split(".")[0]
            assert target in ALLOWED[part], (
                f"{path.relative_to(ROOT)} imports utils.{target}: {part} may import "
                f"only {sorted(ALLOWED[part])}"
            )
        if part in ("cells", *MATHS):
            assert top not in SCREEN, f"{path.relative_to(ROOT)} imports {name}"


def test_the_direction_test_sees_a_wrong_arrow(tmp_path):
    """The AST reading resolves relative imports: a cell module that imported the
    widgets would be caught."""
    bad = UTILS / "cells" / "zz_bad_example.py"
    try:
        bad.write_text("from ..widgets import base\nimport matplotlib.pyplot\n")
        names = imports(bad)
    finally:
        bad.unlink()
    assert "utils.widgets" in names and "matplotlib.pyplot" in names


@pytest.mark.parametrize("path", [p for _, p in modules()], ids=lambda p: p.name)
def test_modules_are_small(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines"


def test_the_maths_loads_numpy_only():
    code = (
        "import sys\n"
        "import utils.cells, utils.training, utils.gradients, utils.charlm\n"
        "import utils.variants, utils.data, utils.reproduce\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {SCREEN!r}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", done.stdout


def test_import_utils_is_lazy_but_complete():
    code = (
        "import sys, utils\n"
        "assert not {'utils.widgets', 'utils.check'} & set(sys.modules)\n"
        "assert utils.lstm_step is utils.cells.lstm_step\n"
        "assert callable(utils.check.rnn_step) and callable(utils.widgets.LiveLoss)\n"
        "assert set(utils.__all__) <= set(dir(utils))\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True
    )
    assert done.stdout.strip() == "ok", done.stdout + done.stderr


NOTEBOOKS = sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]_*.ipynb"))
WHERE = re.compile(r"^\*\*Where the code lives:\*\*(.*)$", re.MULTILINE)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_names_where_its_code_lives(path):
    """One line in the introduction names the notebook's modules; each exists, and
    a notebook with exercises names its checks, one with explorers its explorers."""
    nb = nbformat.read(path, as_version=4)
    intro = "\n".join(c.source for c in nb.cells[:3] if c.cell_type == "markdown")
    found = WHERE.search(intro)
    assert found, f"{path.name}: no '**Where the code lives:**' line"
    named = re.findall(r"`((?:utils|scripts)/[\w/]+\.py)`", found[1])
    assert named, found[1]
    for rel in named:
        assert (ROOT / rel).is_file(), f"{path.name} names {rel}, which does not exist"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    stem = "nb" + path.stem
    if re.search(r"\bcheck\.\w+\(", code):
        assert f"utils/check/{stem}.py" in named, named
    if set(re.findall(r"utils\.widgets\.(\w+)", code)) - {"LiveLoss"}:
        assert f"utils/widgets/{stem}.py" in named, named
