"""Notebook runs that several tests read: each student copy is executed once per
test session (tests/test_notebooks.py checks what it prints, tests/test_site.py
builds the site from it). Callers must not change what they get."""

import functools
from pathlib import Path

from utils import site

ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def student_run(name):
    """notebooks/<name> executed top to bottom in a fresh kernel, errors kept."""
    return site.execute(ROOT / "notebooks" / name)
