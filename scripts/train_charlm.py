"""Train the character-level LSTM whose weights notebook 07 reads.

    python scripts/train_charlm.py            # about 8 minutes on one core
    python scripts/train_charlm.py --check    # rerun the first 250 steps, compare

An LSTM with 256 units on data/text/shakespeare.txt (one-hot characters, softmax
readout), truncated BPTT over windows of 64 characters in 32 parallel streams with
the state carried between windows, Adam (lr 2e-3), gradients clipped at global norm
5, float32, seed 0. The held-out bits per character (The Tempest) are measured every
250 steps. Writes data/models/charlm_lstm.npz (weights, vocabulary, the curves) and
its line in data/SHA256SUMS. BLAS runs on one thread. `--check` reruns the first
250 steps and compares the training losses and the first held-out measurement with
the file: bit for bit on the build of numpy and BLAS that made it (recorded in it),
on another build to rounding or in its course within TOLERANCE (utils.reproduce;
measured by scripts/kernel_drift.py).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: exact reruns
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from utils import charlm, data, reproduce  # noqa: E402

OUT = "models/charlm_lstm.npz"
H, T, B, LR, CLIP, SEED, EVAL_EVERY = 256, 64, 32, 2e-3, 5.0, 0, 250
# On another build, the course of the first steps (reproduce.deviation of the means
# over fifths: relative, or in nats below SCALE) may move by this much: reruns of 250
# steps under two other OpenBLAS kernels moved by up to 1.6e-5
# (scripts/kernel_drift.py).
TOLERANCE, SCALE = 1e-3, 0.1


class Report:
    """Prints the running loss and the held-out bits per character."""

    def __init__(self, model, held_out, steps, final=True):
        self.model, self.held_out, self.steps = model, held_out, steps
        self.start, self.eval_steps, self.eval_bpc = time.perf_counter(), [], []
        self.final = final  # also measure after the last step, if not a multiple

    def update(self, step, loss):
        if step % EVAL_EVERY == 0 or (self.final and step == self.steps):
            bpc = charlm.bits_per_char(self.model, self.held_out)
            self.eval_steps.append(step)
            self.eval_bpc.append(bpc)
            print(
                f"step {step:5d}  train {loss / np.log(2):.3f} bits/char  held-out "
                f"{bpc:.3f}  {time.perf_counter() - self.start:5.0f} s",
                flush=True,
            )


def train(steps, final=True):
    """Train the model from its seed for steps -> (model, report, losses)."""
    text, held_out = data.load_text("train"), data.load_text("held_out")
    chars = charlm.vocabulary(text)
    ids, held_ids = charlm.encode(text, chars), charlm.encode(held_out, chars)
    model = charlm.init_model("lstm", chars, H, np.random.default_rng(SEED))
    report = Report(model, held_ids, steps, final=final)
    losses = charlm.train(
        model, ids, steps, T=T, B=B, lr=LR, clip=CLIP, progress=report, seed=SEED
    )
    return model, report, losses


def check(steps):
    """Rerun the first steps and compare the losses and the held-out measurements
    in them with the stored model's -> exit status 0 when they reproduce."""
    _, meta = charlm.load_model(data.verified_path(OUT))
    if not 0 < steps <= len(meta["train_loss"]):
        sys.exit(f"--check takes 1 to {len(meta['train_loss'])} steps, got {steps}")
    print(reproduce.builds_header(meta))
    _, report, losses = train(steps, final=False)
    n = len(report.eval_bpc)
    ok, _, sentence = reproduce.verdict(
        [meta["train_loss"][:steps], meta["eval_bpc"][:n]],
        [losses.astype(np.float32), np.array(report.eval_bpc)],
        meta,
        TOLERANCE,
        SCALE,
    )
    print(f"the first {steps} steps: {sentence}")
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument(
        "--check",
        nargs="?",
        type=int,
        const=EVAL_EVERY,
        metavar="STEPS",
        help=f"rerun the first STEPS (default {EVAL_EVERY}) and compare with the file",
    )
    args = parser.parse_args()
    if args.check is not None:
        return check(args.check)
    model, report, losses = train(args.steps)
    (data.DATA_DIR / "models").mkdir(exist_ok=True)
    charlm.save_model(
        data.DATA_DIR / OUT,
        model,
        train_loss=losses.astype(np.float32),
        eval_steps=np.array(report.eval_steps),
        eval_bpc=np.array(report.eval_bpc),
        steps=args.steps,
        window=T,
        streams=B,
        lr=LR,
        clip=CLIP,
        seed=SEED,
        seconds=time.perf_counter() - report.start,
        **{f"build_{k}": v for k, v in reproduce.build().items()},
    )
    data.record_checksums(OUT)
    print(f"wrote data/{OUT} and its line in data/SHA256SUMS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
