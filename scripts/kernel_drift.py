"""How far do reruns of the stored training runs drift on other BLAS kernels?

    python scripts/kernel_drift.py                       # the default runs and kernels
    python scripts/kernel_drift.py --kernels Haswell Zen --comparison all

Reruns stored runs through the scripts' own --check, once per OpenBLAS kernel
(OPENBLAS_CORETYPE; each must run on this CPU), and prints each run's verdict with
its deviation from the stored curves (utils.reproduce): of every point for a run
that agrees to rounding, of the means over fifths for one that amplifies rounding;
and the largest of the latter per file. These numbers set the TOLERANCE of
scripts/compare_models.py, ablation.py and train_charlm.py, and the runs listed as
unstable (data/README.md has the measurement). It asserts nothing; a kernel that
OpenBLAS does not take on this CPU is reported and skipped.
"""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = {
    "comparison": "compare_models.py",
    "ablation": "ablation.py",
    "charlm": "train_charlm.py",
}
DEFAULT = {
    "comparison": [
        "adding/30/rnn/0.01/0",
        "adding/30/lstm/0.01/0",
        "adding/100/gru/0.01/1",
        "adding/100/rnn/0.001/1",
        "copy/10/lstm/0.001/0",
        "copy/30/gru/0.01/0",
    ],
    "ablation": ["CIFG/0", "NFG/1", "NOAF/1", "vanilla/0"],
    "charlm": ["250"],
}
LINE = re.compile(r"^(\S+): (.*)$")
VERDICT = re.compile(
    r"^(identical|agrees to rounding|agrees in its course|not comparable|DIFFERENT)"
)
NUMBER = re.compile(r"(?:point within|differ by|up to) ([0-9.]+e[+-]\d+|inf)")


def kernel_of(output):
    """The BLAS kernel named on the script's 'this build:' line."""
    for line in output.splitlines():
        if line.startswith("this build:"):
            return line.split("BLAS ", 1)[1].split(",")[0]
    return "?"


def rerun(kind, keys, kernel):
    """-> (BLAS as the script reports it, {run: (verdict, deviation)}): the
    deviation of every point for a run that agrees to rounding, of its course
    (means over fifths) otherwise."""
    env = dict(os.environ, OPENBLAS_CORETYPE=kernel, OPENBLAS_NUM_THREADS="1")
    args = ["--check", *keys] if kind != "charlm" else ["--check", *keys[:1]]
    done = subprocess.run(
        [sys.executable, f"scripts/{SCRIPTS[kind]}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    deviations = {}
    for line in done.stdout.splitlines():
        match = LINE.match(line)
        if not match or match[1] in ("this build", "stored by"):
            continue
        word = VERDICT.match(match[2])
        if not word:
            continue
        numbers = NUMBER.findall(match[2])
        deviations[match[1]] = (word[1], float(numbers[-1]) if numbers else 0.0)
    if not deviations:
        sys.exit(f"{SCRIPTS[kind]} printed no result:\n{done.stdout}{done.stderr}")
    return kernel_of(done.stdout), deviations


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", nargs="+", default=["Sandybridge", "Nehalem"])
    for kind, keys in DEFAULT.items():
        parser.add_argument(f"--{kind}", nargs="*", default=keys, metavar="RUN")
    args = parser.parse_args()
    for kind in SCRIPTS:
        keys = getattr(args, kind)
        if not keys:
            continue
        print(f"\n{SCRIPTS[kind]} (stored runs against reruns)")
        worst = 0.0
        for kernel in args.kernels:
            blas, deviations = rerun(kind, keys, kernel)
            if kernel.lower() not in blas.lower():
                print(f"  {kernel}: OpenBLAS ran {blas} instead; skipped")
                continue
            for run, (word, dev) in deviations.items():
                print(f"  {kernel:12s} {run:28s} {word:22s} {dev:.2e}", flush=True)
                if word == "agrees in its course" or word == "DIFFERENT":
                    worst = max(worst, dev)
        print(f"  largest deviation of a course: {worst:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
