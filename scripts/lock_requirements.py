"""Write requirements-lock.txt: the exact versions requirements.txt resolves to.

    python3.11 scripts/lock_requirements.py            # rewrite requirements-lock.txt
    python3.11 scripts/lock_requirements.py --check    # only say whether it is stale

Creates a clean virtual environment in a temporary folder with the Python that runs
this script, installs requirements.txt into it, and writes what `pip freeze` lists
there, one `name==version` a line, under a header naming the Python and platform.
`python3 course.py setup` installs the lock by default (`--ranges` installs the
ranges of requirements.txt instead). Run it with the Python that runtime.txt and
binder/runtime.txt name (3.11), after any change to requirements.txt; the tests
check that the lock covers requirements.txt and agrees with its ranges.

pip freeze lists what this platform needed: a package that only another platform
requires (appnope on macOS, pywinpty on Windows) is not pinned, and pip installs
it there as a dependency of a pinned one.
"""

import argparse
import platform
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements.txt"
LOCK = ROOT / "requirements-lock.txt"


def freeze():
    """The `pip freeze` lines of a clean environment with requirements.txt."""
    with tempfile.TemporaryDirectory(prefix="course-lock-") as tmp:
        env = Path(tmp) / "env"
        venv.create(env, with_pip=True)
        python = env / (
            "Scripts/python.exe" if sys.platform == "win32" else "bin/python"
        )
        pip = [str(python), "-m", "pip", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "install", "-r", str(REQUIREMENTS)], check=True)
        out = subprocess.run(
            [*pip, "freeze"], check=True, capture_output=True, text=True
        ).stdout
    return sorted((line for line in out.splitlines() if line), key=str.lower)


def header():
    python = ".".join(platform.python_version_tuple()[:2])
    where = f"Python {python} ({platform.system()} {platform.machine()})"
    return [
        "# Exact versions of requirements.txt and all that it pulls in, resolved by",
        f"# pip in a clean environment on {where}.",
        "# Written by `python3.11 scripts/lock_requirements.py`; do not edit by hand.",
        "# `python3 course.py setup` installs it (with --ranges: requirements.txt).",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare with the lock, write nothing"
    )
    args = parser.parse_args()
    lines = freeze()
    if args.check:
        stored = [
            line
            for line in LOCK.read_text().splitlines()
            if line and not line.startswith("#")
        ]
        if stored == lines:
            print(f"{LOCK.name} is up to date ({len(lines)} packages)")
            return 0
        old, new = set(stored), set(lines)
        for line in sorted(old - new):
            print(f"- {line}")
        for line in sorted(new - old):
            print(f"+ {line}")
        return 1
    LOCK.write_text("\n".join([*header(), *lines]) + "\n")
    print(f"wrote {LOCK.name}: {len(lines)} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
