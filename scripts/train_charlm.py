"""Train the character-level LSTM whose weights notebook 07 reads.

    python scripts/train_charlm.py            # about 8 minutes on one core

An LSTM with 256 units on data/text/shakespeare.txt (one-hot characters, softmax
readout), truncated BPTT over windows of 64 characters in 32 parallel streams with
the state carried between windows, Adam (lr 2e-3), gradients clipped at global norm
5, float32, seed 0. The held-out bits per character (The Tempest) are measured every
250 steps. Writes data/models/charlm_lstm.npz (weights, vocabulary, the curves) and
its line in data/SHA256SUMS. BLAS runs on one thread, so a rerun gives the same
file on the same machine.
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
from utils import charlm, data  # noqa: E402

OUT = "models/charlm_lstm.npz"
H, T, B, LR, CLIP, SEED, EVAL_EVERY = 256, 64, 32, 2e-3, 5.0, 0, 250


class Report:
    """Prints the running loss and the held-out bits per character."""

    def __init__(self, model, held_out, steps):
        self.model, self.held_out, self.steps = model, held_out, steps
        self.start, self.eval_steps, self.eval_bpc = time.perf_counter(), [], []

    def update(self, step, loss):
        if step % EVAL_EVERY == 0 or step == self.steps:
            bpc = charlm.bits_per_char(self.model, self.held_out)
            self.eval_steps.append(step)
            self.eval_bpc.append(bpc)
            print(
                f"step {step:5d}  train {loss / np.log(2):.3f} bits/char  held-out "
                f"{bpc:.3f}  {time.perf_counter() - self.start:5.0f} s",
                flush=True,
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=6000)
    args = parser.parse_args()
    text, held_out = data.load_text("train"), data.load_text("held_out")
    chars = charlm.vocabulary(text)
    ids, held_ids = charlm.encode(text, chars), charlm.encode(held_out, chars)
    model = charlm.init_model("lstm", chars, H, np.random.default_rng(SEED))
    report = Report(model, held_ids, args.steps)
    losses = charlm.train(
        model, ids, args.steps, T=T, B=B, lr=LR, clip=CLIP, progress=report, seed=SEED
    )
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
    )
    data.record_checksums(OUT)
    print(f"wrote data/{OUT} and its line in data/SHA256SUMS")


if __name__ == "__main__":
    main()
