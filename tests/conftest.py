"""Shared test helpers."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def run_script():
    """Run one of scripts/ with this Python from the repository's root ->
    CompletedProcess with text stdout and stderr."""

    def run(name, *args):
        return subprocess.run(
            [sys.executable, f"scripts/{name}", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run
