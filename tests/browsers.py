"""What the real-browser tests share: Debian's Chromium, whether it and playwright
are there, and a free local port for the servers they open.

Without Chromium or playwright a browser test is skipped, unless
COURSE_REQUIRE_BROWSER=1 (as in CI) makes that a failure.
"""

import os
import shutil
import socket
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def missing():
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    if not Path(CHROMIUM).exists():
        return "Chromium is not installed (apt-get install chromium)"
    return None


def require(module_level=False):
    """Skip (or with COURSE_REQUIRE_BROWSER=1 fail) when the browser is missing."""
    why = missing()
    if why is None:
        return
    if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
        raise RuntimeError(f"the browser test is required but {why}")
    pytest.skip(f"browser test skipped: {why}", allow_module_level=module_level)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
